/*
 * search.c - finding the lines that match a set of PCRE2 patterns.
 *
 * Matches never span lines: a line matches when a pattern matches the
 * line alone (without its newline), as grep -P decides.  Three ways to
 * find the next such line, fastest first:
 *
 * 1. Prefilter: the patterns' required literal, or a run of byte classes
 *    every match holds (byteclass.c), is found with a vectorised scan;
 *    only the line around each candidate is given to PCRE2 (or not even
 *    that when the pattern is the literal itself).  Which of them, if
 *    any, is decided from a sample of the data.
 * 2. Buffer: PCRE2 runs over the whole remaining buffer (multiline mode)
 *    and the line is found around its match.  Exact for "simple" patterns,
 *    whose matching inside a line does not depend on what lies beyond it;
 *    a match that crosses a newline is re-checked on its first line alone.
 * 3. Lines: PCRE2 on each line in turn, for patterns that look outside the
 *    line (\A, \z, lookarounds, option changes): slow but exact.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteclass.h"
#include "common/error.h"
#include "input/input.h"
#include "literal.h"
#include "lines.h"
#include "pattern_set.h"

/* JIT stack: small to start, grown by PCRE2 on demand up to the max. */
#define JIT_STACK_START ((size_t)64 << 10)
#define JIT_STACK_MAX ((size_t)64 << 20)

enum search_mode {
	MODE_NOTHING,
	MODE_PREFILTER,
	MODE_BUFFER,
	MODE_LINES,
	MODE_SET /* several patterns: pattern_set.c */
};

/* What the prefilter mode scans for; FILTER_NONE: PCRE2 alone, as in
 * MODE_BUFFER or MODE_LINES. */
enum search_filter { FILTER_NONE, FILTER_LITERAL, FILTER_CLASSES };

struct mapq_matcher {
	unsigned char eol; /* what ends a line: '\n', or NUL (NULL_DATA) */
	pcre2_code *code;
	int jit;
	enum search_mode mode;
	int simple; /* pattern_is_simple: MODE_BUFFER is exact */
	int literal_is_match; /* a prefilter hit is the match itself */
	struct mapq__literal lit;
	struct mapq__pset *set; /* MODE_SET */
	struct mapq__classes classes;
};

/* Plans: none yet, made without data (a first buffer too small to
 * sample), made from a sample of the data (final). */
enum { PLAN_NONE, PLAN_STATIC, PLAN_SAMPLED };

struct mapq_search {
	const mapq_matcher *m;
	/* The prefilter's plan, re-made from the first data searched. */
	struct mapq__literal lit;
	struct mapq__classes classes;
	enum search_filter filter;
	int planned;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
	struct mapq__pset_state *set; /* MODE_SET */
};

int mapq_matcher_create(mapq_matcher **out, const mapq_pattern *patterns,
                        size_t n, unsigned flags, mapq_error *err)
{
	if (out == NULL || (patterns == NULL && n > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no patterns");
	*out = NULL;
	mapq_matcher *m = calloc(1, sizeof *m);
	if (m == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	m->eol = (flags & MAPQ_MATCH_NULL_DATA) ? '\0' : '\n';
	if (n == 0) {
		m->mode = MODE_NOTHING;
		*out = m;
		return MAPQ_OK;
	}

	/* Several patterns are matched as a set, never pasted together. */
	if (n > 1) {
		int rc = mapq__pset_create(&m->set, patterns, n, flags, err);
		if (rc != MAPQ_OK) {
			free(m);
			return rc;
		}
		m->mode = MODE_SET;
		*out = m;
		return MAPQ_OK;
	}

	/* A lone pattern is compiled exactly as given, as grep -P does:
	 * wrapping it in a group would break patterns that are valid alone
	 * (a leading (*CR), an unterminated \Q, a (?x) comment running to the
	 * end) and accept some that are not ("a)|(b"). */
	struct mapq__compiled c;
	int rc = mapq__pattern_compile(&patterns[0], flags, &c, err);
	if (rc != MAPQ_OK) {
		free(m);
		return rc;
	}
	m->code = c.code;
	int simple = !c.lines_only &&
	             ((flags & MAPQ_MATCH_FIXED) ||
	              mapq__pattern_is_simple(patterns[0].text, patterns[0].len));
	m->jit = pcre2_jit_compile(m->code, PCRE2_JIT_COMPLETE) == 0;

	/* The prefilters need one pattern (alternatives share nothing).  The
	 * byte classes leave '\n' out of every set (no line holds one): not
	 * for records, which may. */
	int have_literal = 0, have_classes = 0;
	if (n == 1 && !(flags & MAPQ_MATCH_FIXED) && c.utf &&
	    !(flags & MAPQ_MATCH_NULL_DATA))
		have_classes = mapq__classes_extract(
		        (const unsigned char *)patterns[0].text, patterns[0].len,
		        (flags & MAPQ_MATCH_CASELESS) != 0, &m->classes) > 0;
	if (have_classes)
		mapq__classes_plan(&m->classes, NULL, 0);
	if (n == 1) {
		if (flags & MAPQ_MATCH_FIXED) {
			size_t len = patterns[0].len < MAPQ__LITERAL_MAX
			                     ? patterns[0].len
			                     : MAPQ__LITERAL_MAX - 1;
			memcpy(m->lit.bytes, patterns[0].text, len);
			m->lit.len = len;
			m->lit.whole = len == patterns[0].len;
			/* A line end is never inside a line: no literal. */
			have_literal = len > 0 &&
			               memchr(patterns[0].text, m->eol, len) == NULL;
		} else {
			/* Extraction reads UTF-8 characters, which a
			 * byte-wise regex does not have. */
			have_literal = c.utf && mapq__literal_extract(
			        (const unsigned char *)patterns[0].text,
			        patterns[0].len, &m->lit);
		}
	}
	if (have_literal)
		mapq__literal_plan(&m->lit, (flags & MAPQ_MATCH_CASELESS) != 0,
		                   NULL);
	if (!have_literal)
		m->lit.usable = 0;
	m->simple = simple;
	if (m->lit.usable || m->classes.usable) {
		m->mode = MODE_PREFILTER;
		m->literal_is_match = m->lit.usable && m->lit.whole &&
		                      !m->lit.caseless &&
		                      !(flags & (MAPQ_MATCH_WORD | MAPQ_MATCH_LINE));
	} else {
		m->mode = simple ? MODE_BUFFER : MODE_LINES;
	}
	*out = m;
	return MAPQ_OK;
}

int mapq__matcher_null_data(const mapq_matcher *m)
{
	return m->eol == '\0';
}

void mapq_matcher_destroy(mapq_matcher *m)
{
	if (m == NULL)
		return;
	pcre2_code_free(m->code);
	mapq__pset_destroy(m->set);
	free(m);
}

int mapq_search_create(mapq_search **out, const mapq_matcher *m,
                       mapq_error *err)
{
	if (out == NULL || m == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no matcher");
	*out = NULL;
	mapq_search *s = calloc(1, sizeof *s);
	if (s == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	s->m = m;
	s->lit = m->lit;
	if (m->set != NULL && mapq__pset_state_create(&s->set, m->set) != 0) {
		free(s);
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	}
	s->classes = m->classes;
	if (m->code != NULL) {
		s->md = pcre2_match_data_create_from_pattern(m->code, NULL);
		s->mctx = pcre2_match_context_create(NULL);
		if (m->jit)
			s->stack = pcre2_jit_stack_create(JIT_STACK_START,
			                                  JIT_STACK_MAX, NULL);
		if (s->md == NULL || s->mctx == NULL ||
		    (m->jit && s->stack == NULL)) {
			mapq_search_destroy(s);
			return mapq__error_set(err, MAPQ_ENOMEM, 0,
			                       "out of memory");
		}
		if (s->stack != NULL)
			pcre2_jit_stack_assign(s->mctx, NULL, s->stack);
	}
	*out = s;
	return MAPQ_OK;
}

void mapq_search_destroy(mapq_search *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->stack);
	mapq__pset_state_destroy(s->set);
	free(s);
}

/* One PCRE2 call: 1 match (offsets in *ms and *me), 0 none, <0 PCRE2 error. */
static int run(mapq_search *s, const unsigned char *subject, size_t len,
               size_t start, uint32_t options, size_t *ms, size_t *me)
{
	int rc = s->m->jit
	                 ? pcre2_jit_match(s->m->code, subject, len, start,
	                                   options, s->md, s->mctx)
	                 : pcre2_match(s->m->code, subject, len, start, options,
	                               s->md, s->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return rc;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
	*ms = ov[0];
	*me = ov[1] >= ov[0] ? ov[1] : ov[0]; /* \K can put start after end */
	return 1;
}

/* Match the line [ls, le) alone, from pos; fill *m. */
static int match_in_line(mapq_search *s, const mapq_view *buf, uint64_t ls,
                         uint64_t le, uint64_t pos, uint32_t options,
                         mapq_match *m, mapq_error *err)
{
	size_t ms, me;
	int rc = run(s, buf->data + ls, (size_t)(le - ls), (size_t)(pos - ls),
	             options, &ms, &me);
	if (rc < 0)
		return mapq__match_failed(buf, rc, err);
	if (rc == 1) {
		m->line_start = ls;
		m->line_end = le;
		m->start = ls + ms;
		m->end = ls + me;
	}
	return rc;
}

static uint64_t line_start_of(const unsigned char *d, uint64_t from,
                              uint64_t at, unsigned char eol)
{
	const unsigned char *nl = at > from ? memrchr(d + from, eol, at - from)
	                                    : NULL;
	return nl != NULL ? (uint64_t)(nl - d) + 1 : from;
}

static uint64_t line_end_of(const unsigned char *d, uint64_t size, uint64_t at,
                            unsigned char eol)
{
	const unsigned char *nl = at < size ? memchr(d + at, eol, size - at)
	                                    : NULL;
	return nl != NULL ? (uint64_t)(nl - d) : size;
}

/* Bytes sampled to learn which bytes of the literal are rare, and which
 * prefilter is worth it; less than PLAN_MIN bytes teach nothing. */
#define PLAN_SAMPLE ((uint64_t)256 << 10)
#define PLAN_MIN ((uint64_t)4096)

/*
 * Relative costs of the prefilters, in units of one byte passed by the
 * literal scan (measured on the 2 GiB log of bench/grep.sh): a byte through
 * the byte-class scan, and a candidate line handed to PCRE2.
 */
#define COST_CLASS_BYTE 2
#define COST_LINE 2000

static const unsigned char *filter_find(const mapq_search *s,
                                        const unsigned char *p,
                                        const unsigned char *end)
{
	return s->filter == FILTER_CLASSES ? mapq__classes_find(&s->classes, p, end)
	                                   : mapq__literal_find(&s->lit, p, end);
}

/* The lines of p[0..n) in which the current filter finds a candidate. */
static uint64_t candidate_lines(const mapq_search *s, const unsigned char *p,
                                uint64_t n)
{
	const unsigned char *q = p, *end = p + n;
	uint64_t lines = 0;
	while ((q = filter_find(s, q, end)) != NULL) {
		lines++;
		q = memchr(q, s->m->eol, (size_t)(end - q));
		if (q == NULL)
			break;
		q++;
	}
	return lines;
}

/*
 * Choose the prefilter from the data itself: which bytes of the literal
 * are rare (a static guess fails on logs, where '=' or digits fill every
 * line), which run of byte classes is rarest, and then which filter, if
 * any, costs least on a sample.  Made on the first buffer searched, and
 * made again once when that one was too small to sample.
 */
static void plan_search(mapq_search *s, const mapq_view *buf, uint64_t from)
{
	const mapq_matcher *m = s->m;
	uint64_t n = buf->size - from < PLAN_SAMPLE ? buf->size - from
	                                             : PLAN_SAMPLE;
	const unsigned char *p = buf->data + from;
	if (n < PLAN_MIN) {
		if (s->planned == PLAN_NONE) {
			s->filter = m->lit.usable ? FILTER_LITERAL : FILTER_CLASSES;
			s->planned = PLAN_STATIC;
		}
		return;
	}
	s->planned = PLAN_SAMPLED;
	if (m->lit.usable) {
		uint32_t freq[256] = {0};
		for (uint64_t i = 0; i < n; i++)
			freq[p[i]]++;
		mapq__literal_plan(&s->lit, m->lit.caseless, freq);
	}
	if (m->classes.usable)
		mapq__classes_plan(&s->classes, p, (size_t)n);
	if (m->literal_is_match) {
		s->filter = FILTER_LITERAL; /* PCRE2 is never asked */
		return;
	}
	uint64_t best = UINT64_MAX, class_lines = 0;
	enum search_filter choice = FILTER_NONE;
	if (m->lit.usable) {
		s->filter = FILTER_LITERAL;
		best = n + candidate_lines(s, p, n) * COST_LINE;
		choice = FILTER_LITERAL;
	}
	if (m->classes.usable) {
		s->filter = FILTER_CLASSES;
		class_lines = candidate_lines(s, p, n);
		if (n * COST_CLASS_BYTE + class_lines * COST_LINE < best)
			choice = FILTER_CLASSES;
	}
	/* Without a literal, a filter that passes most lines only adds its
	 * scan to PCRE2's own (which is fast on lines that match early). */
	if (choice == FILTER_CLASSES && !m->lit.usable) {
		uint64_t lines = 1;
		for (const unsigned char *q = p;
		     (q = memchr(q, '\n', (size_t)(p + n - q))) != NULL; q++)
			lines++;
		if (class_lines * 2 > lines)
			choice = FILTER_NONE;
	}
	s->filter = choice;
}

static int next_by_prefilter(mapq_search *s, const mapq_view *buf,
                             uint64_t from, mapq_match *m, mapq_error *err)
{
	const mapq_matcher *mt = s->m;
	const unsigned char *d = buf->data;
	uint64_t size = buf->size;
	while (from < size) {
		const unsigned char *c = filter_find(s, d + from, d + size);
		if (c == NULL)
			return 0;
		uint64_t at = (uint64_t)(c - d);
		uint64_t ls = line_start_of(d, from, at, mt->eol);
		uint64_t le = line_end_of(d, size, at, mt->eol);
		if (mt->literal_is_match && s->filter == FILTER_LITERAL) {
			m->line_start = ls;
			m->line_end = le;
			m->start = at;
			m->end = at + s->lit.len;
			return 1;
		}
		int rc = match_in_line(s, buf, ls, le, ls, 0, m, err);
		if (rc != 0)
			return rc;
		from = le + 1;
	}
	return 0;
}

/* Lines end with '\n' here: NUL-terminated records are never matched in
 * multiline mode (their patterns are compiled lines_only). */
static int next_by_buffer(mapq_search *s, const mapq_view *buf, uint64_t from,
                          mapq_match *m, mapq_error *err)
{
	const unsigned char *d = buf->data;
	uint64_t size = buf->size;
	while (from < size) {
		size_t ms, me;
		int rc = run(s, d, (size_t)size, (size_t)from, 0, &ms, &me);
		if (rc < 0)
			return mapq__match_failed(buf, rc, err);
		if (rc == 0)
			return 0;
		/* An empty match after the final newline is not on a line. */
		if (ms == size && d[size - 1] == '\n')
			return 0;
		uint64_t ls = line_start_of(d, from, ms, '\n');
		uint64_t le = line_end_of(d, size, ms, '\n');
		if (me <= le) {
			m->line_start = ls;
			m->line_end = le;
			m->start = ms;
			m->end = me;
			return 1;
		}
		/* The match ran past the line: ask about the line alone. */
		rc = match_in_line(s, buf, ls, le, ls, 0, m, err);
		if (rc != 0)
			return rc;
		from = le + 1;
	}
	return 0;
}

static int next_by_lines(mapq_search *s, const mapq_view *buf, uint64_t from,
                         mapq_match *m, mapq_error *err)
{
	while (from < buf->size) {
		uint64_t le = line_end_of(buf->data, buf->size, from, s->m->eol);
		int rc = match_in_line(s, buf, from, le, from, 0, m, err);
		if (rc != 0)
			return rc;
		from = le + 1;
	}
	return 0;
}

int mapq_search_next_line(mapq_search *s, const mapq_view *buf, uint64_t from,
                          mapq_match *m, mapq_error *err)
{
	if (s == NULL || buf == NULL || m == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no search or buffer");
	if (s->m->mode == MODE_NOTHING || from >= buf->size)
		return 0;
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, buf->file))
		return mapq__guard_failed(&g, err);
	int rc;
	switch (s->m->mode) {
	case MODE_PREFILTER:
		if (s->planned != PLAN_SAMPLED)
			plan_search(s, buf, from);
		if (s->filter != FILTER_NONE)
			rc = next_by_prefilter(s, buf, from, m, err);
		else if (s->m->simple)
			rc = next_by_buffer(s, buf, from, m, err);
		else
			rc = next_by_lines(s, buf, from, m, err);
		break;
	case MODE_BUFFER:
		rc = next_by_buffer(s, buf, from, m, err);
		break;
	case MODE_SET:
		rc = mapq__pset_next_line(s->set, buf, from, m, err);
		break;
	default:
		rc = next_by_lines(s, buf, from, m, err);
		break;
	}
	mapq__guard_pop(&g);
	return rc;
}

int mapq_search_next_in_line(mapq_search *s, const mapq_view *buf,
                             uint64_t line_start, uint64_t line_end,
                             uint64_t pos, int not_empty_at_pos,
                             mapq_match *m, mapq_error *err)
{
	if (s == NULL || buf == NULL || m == NULL || line_start > line_end ||
	    line_end > buf->size || pos < line_start || pos > line_end)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "bad line or position");
	if (s->m->mode == MODE_NOTHING)
		return 0;
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, buf->file))
		return mapq__guard_failed(&g, err);
	int rc = s->m->mode == MODE_SET
	                 ? mapq__pset_next_in_line(s->set, buf, line_start,
	                                           line_end, pos, not_empty_at_pos,
	                                           m, err)
	                 : match_in_line(s, buf, line_start, line_end, pos,
	                                 not_empty_at_pos ? PCRE2_NOTEMPTY_ATSTART
	                                                  : 0,
	                                 m, err);
	mapq__guard_pop(&g);
	return rc;
}
