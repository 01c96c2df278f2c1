/*
 * test_grep.c - the grep iterator (mapq_grep_*): which lines it yields,
 * how, and in what order, on every way a file is cut (pieces, threads,
 * streams).
 *
 * The model is written here from GNU grep's rules, line by line: a line
 * matches when the matcher, asked about that line alone (a copy of its
 * bytes, nothing around it), finds a match in it; selected = matches XOR
 * -v; -m stops after that many selected lines and then prints -A lines of
 * trailing context whatever they match; -B/-A never repeat a line; "--"
 * (follows == 0) wherever a record does not come right after the previous
 * one; numbers and offsets are whole-file; -o spans are the non-empty
 * matches left to right.  A byte range keeps the lines that start inside
 * it, and context never looks outside them.  The matcher is not the code
 * under test (test_search checks it against PCRE2); the engine, the
 * pieces and the merge are.
 *
 * Environment: MAPQ_TEST_GREP_ITERATIONS (random cases, default 1000),
 * MAPQ_TEST_GREP_SEED (their seed), MAPQ_TEST_GREP_ONLY (run only that
 * case number, to reproduce a failure the test printed).
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* ---- small helpers ----------------------------------------------------- */

/* splitmix64: reproducible random numbers from a printed seed. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t rnd_in(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return dflt;
	return strtoull(v, NULL, 0);
}

/* A growable byte buffer. */
struct bytes {
	unsigned char *d;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t c = b->cap ? b->cap : 256;
		while (c < b->len + n)
			c *= 2;
		b->d = realloc(b->d, c);
		ck_assert_ptr_nonnull(b->d);
		b->cap = c;
	}
	if (n > 0)
		memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void bytes_str(struct bytes *b, const char *s)
{
	bytes_add(b, s, strlen(s));
}

/* ---- the model ----------------------------------------------------------- */

/* A line of the text: [start, start + len), then '\n' when newline. */
struct tline {
	uint64_t start, len;
	int newline;
};

struct text {
	const unsigned char *d;
	size_t len;
	struct tline *lines;
	size_t n;
};

/* Cut d into lines: each ends after `eol` ('\n', or NUL for the records
 * of MAPQ_GREP_NULL_DATA); a final line without one is a line; a '\r'
 * stays part of its line. */
static void text_split_by(struct text *t, const unsigned char *d, size_t len,
                          unsigned char eol)
{
	t->d = d;
	t->len = len;
	t->n = 0;
	size_t cap = 16;
	t->lines = malloc(cap * sizeof *t->lines);
	ck_assert_ptr_nonnull(t->lines);
	size_t s = 0;
	while (s < len) {
		const unsigned char *nl = memchr(d + s, eol, len - s);
		size_t e = nl != NULL ? (size_t)(nl - d) : len;
		if (t->n == cap) {
			cap *= 2;
			t->lines = realloc(t->lines, cap * sizeof *t->lines);
			ck_assert_ptr_nonnull(t->lines);
		}
		t->lines[t->n++] = (struct tline){s, e - s, nl != NULL};
		s = e + 1;
	}
}

static void text_split(struct text *t, const unsigned char *d, size_t len)
{
	text_split_by(t, d, len, '\n');
}

static void text_free(struct text *t)
{
	free(t->lines);
	t->lines = NULL;
}

/* What a grep is asked, in the test's terms. */
struct gopt {
	unsigned flags;        /* MAPQ_GREP_* */
	mapq_grep_binary binary;
	uint64_t max_count;    /* 0: none */
	uint64_t before, after;
	int has_range;
	uint64_t rs, re;       /* byte range [rs, re); re UINT64_MAX: open */
	unsigned threads;
	uint64_t piece;
};

struct ref_rec {
	int kind, follows, newline;
	uint64_t offset, number, length;
	size_t span_at, n_spans;
};

/* The records the model expects, and the summary. */
struct ref {
	struct ref_rec *recs;
	size_t n, cap;
	mapq_grep_span *spans;
	size_t n_spans, cap_spans;
	uint64_t selected;
	uint64_t selected_end;
	int binary_match;
	uint64_t binary_offset;
	int binary_offset_unknown; /* a NUL the search may or may not reach */
};

static void ref_free(struct ref *r)
{
	free(r->recs);
	free(r->spans);
	memset(r, 0, sizeof *r);
}

/* A private copy of line i, so that the matcher sees nothing around it
 * (and ASan sees any read past it). */
static unsigned char *line_copy(const struct text *t, size_t i)
{
	const struct tline *l = &t->lines[i];
	unsigned char *c = malloc(l->len > 0 ? l->len : 1);
	ck_assert_ptr_nonnull(c);
	memcpy(c, t->d + l->start, l->len);
	return c;
}

/* Does line i match?  The matcher asked about the line alone. */
static int model_matches(mapq_search *s, const struct text *t, size_t i)
{
	unsigned char *c = line_copy(t, i);
	mapq_view v = {c, t->lines[i].len, 0, NULL};
	mapq_match m;
	mapq_error err;
	int rc = mapq_search_next_in_line(s, &v, 0, v.size, 0, 0, &m, &err);
	free(c);
	ck_assert_msg(rc >= 0, "model matcher: %s", err.msg);
	return rc;
}

/* grep -o: the non-empty matches of line i left to right; an empty match
 * moves on one byte and is not reported.  (The pattern sets used here
 * never tie an empty match of one pattern with a non-empty one of
 * another.) */
static void model_spans(mapq_search *s, const struct text *t, size_t i,
                        struct ref *r)
{
	unsigned char *c = line_copy(t, i);
	uint64_t len = t->lines[i].len;
	mapq_view v = {c, len, 0, NULL};
	uint64_t pos = 0;
	mapq_match m;
	mapq_error err;
	while (pos < len) {
		int rc = mapq_search_next_in_line(s, &v, 0, len, pos, 0, &m, &err);
		ck_assert_msg(rc >= 0, "model matcher: %s", err.msg);
		if (rc == 0)
			break;
		if (m.end == m.start) {
			pos = m.start + 1;
			continue;
		}
		if (r->n_spans == r->cap_spans) {
			r->cap_spans = r->cap_spans ? 2 * r->cap_spans : 16;
			r->spans = realloc(r->spans, r->cap_spans * sizeof *r->spans);
			ck_assert_ptr_nonnull(r->spans);
		}
		r->spans[r->n_spans++] = (mapq_grep_span){m.start, m.end};
		pos = m.end;
	}
	free(c);
}

struct model {
	const struct text *t;
	const struct gopt *o;
	mapq_search *s;
	struct ref *r;
	int64_t last;   /* index of the last line output, -1: none */
	const char *matches; /* per line: 1 when it matches */
};

static void model_emit(struct model *md, size_t i, int kind)
{
	struct ref *r = md->r;
	const struct tline *l = &md->t->lines[i];
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->recs = realloc(r->recs, r->cap * sizeof *r->recs);
		ck_assert_ptr_nonnull(r->recs);
	}
	struct ref_rec *x = &r->recs[r->n++];
	x->kind = kind;
	x->follows = md->last >= 0 && (int64_t)i == md->last + 1;
	x->newline = l->newline;
	x->offset = l->start;
	x->length = l->len;
	x->number = (md->o->flags & MAPQ_GREP_NUMBERS) ? i + 1 : 0;
	x->span_at = r->n_spans;
	int invert = (md->o->flags & MAPQ_GREP_INVERT) != 0;
	/* Spans of a line that matches: selected (no -v) or context (-v),
	 * as grep --color colours them (ms=, and mc= only under -v). */
	if ((md->o->flags & MAPQ_GREP_SPANS) &&
	    ((kind == MAPQ_GREP_SELECTED) != invert) && md->matches[i])
		model_spans(md->s, md->t, i, r);
	x->n_spans = r->n_spans - x->span_at;
	md->last = (int64_t)i;
}

/* The data: the lines [*lo, *hi) of t that start inside the range. */
static void model_data(const struct text *t, const struct gopt *o, size_t *lo,
                       size_t *hi)
{
	*lo = 0;
	*hi = t->n;
	if (o->has_range) {
		while (*lo < t->n && t->lines[*lo].start < o->rs)
			(*lo)++;
		*hi = *lo;
		while (*hi < t->n && t->lines[*hi].start < o->re)
			(*hi)++;
	}
}

/*
 * The records GNU grep's rules give for text t under options o.  With
 * binary detection, `bin_start` is where binary data starts (the start of
 * the piece or window that holds the first NUL; UINT64_MAX: none): the
 * first line selected from there on ends the search, counted as selected
 * but not yielded, without its before-context.
 */
static void model_run_binary(const struct text *t, mapq_search *s,
                             const struct gopt *o, uint64_t bin_start,
                             struct ref *r)
{
	memset(r, 0, sizeof *r);
	r->binary_offset = UINT64_MAX;
	size_t lo, hi;
	model_data(t, o, &lo, &hi);
	char *matches = calloc(t->n + 1, 1);
	ck_assert_ptr_nonnull(matches);
	for (size_t i = lo; i < hi; i++)
		matches[i] = (char)model_matches(s, t, i);

	struct model md = {t, o, s, r, -1, matches};
	int invert = (o->flags & MAPQ_GREP_INVERT) != 0;
	int count_only = (o->flags & MAPQ_GREP_COUNT_ONLY) != 0;
	uint64_t max = o->max_count ? o->max_count : UINT64_MAX;
	uint64_t after_left = 0;
	for (size_t i = lo; i < hi; i++) {
		int selected = matches[i] != invert;
		if (!selected) {
			if (after_left > 0 && !count_only) {
				model_emit(&md, i, MAPQ_GREP_CONTEXT);
				after_left--;
			}
			continue;
		}
		r->selected++;
		r->selected_end = t->lines[i].start + t->lines[i].len +
		                  (t->lines[i].newline ? 1 : 0);
		if (!count_only && t->lines[i].start >= bin_start) {
			r->binary_match = 1;
			break;
		}
		if (!count_only) {
			/* -B: not before the data, not repeating a line. */
			int64_t first = (int64_t)i - (int64_t)o->before;
			if (first < (int64_t)lo)
				first = (int64_t)lo;
			if (first <= md.last)
				first = md.last + 1;
			for (int64_t j = first; j < (int64_t)i; j++)
				model_emit(&md, (size_t)j, MAPQ_GREP_CONTEXT);
			model_emit(&md, i, MAPQ_GREP_SELECTED);
		}
		after_left = o->after;
		if (r->selected == max) {
			/* -m: then -A lines whatever they match. */
			if (!count_only)
				for (size_t j = i + 1; j < hi && j <= i + o->after; j++)
					model_emit(&md, j, MAPQ_GREP_CONTEXT);
			break;
		}
	}
	free(matches);
}

static void model_run(const struct text *t, mapq_search *s,
                      const struct gopt *o, struct ref *r)
{
	model_run_binary(t, s, o, UINT64_MAX, r);
}

/* The first line start at or after x in the data [lo, hi) of t, or the
 * data's end. */
static uint64_t line_start_at(const struct text *t, size_t lo, size_t hi,
                              uint64_t x)
{
	for (size_t i = lo; i < hi; i++)
		if (t->lines[i].start >= x)
			return t->lines[i].start;
	return hi < t->n ? t->lines[hi].start : t->len;
}

/*
 * Where binary data starts when the only NUL is at offset z: the start of
 * the piece holding it.  A mapped file's piece k is [adj(S + kP),
 * adj(S + (k+1)P)) of the data [S, E), adj(x) being the first line start
 * at or after x (mapq.h, grep.c); other input is one window from S here
 * (texts are far below a scan window).  UINT64_MAX when z is outside the
 * data.
 */
static uint64_t model_binary_start(const struct text *t, const struct gopt *o,
                                   uint64_t z, int mapped)
{
	size_t lo, hi;
	model_data(t, o, &lo, &hi);
	uint64_t e = hi < t->n ? t->lines[hi].start : t->len;
	uint64_t start = lo < hi ? t->lines[lo].start : e;
	if (z < start || z >= e)
		return UINT64_MAX;
	if (!mapped)
		return start;
	uint64_t best = start;
	for (uint64_t k = 1; start + k * o->piece < e; k++) {
		uint64_t ps = line_start_at(t, lo, hi, start + k * o->piece);
		if (ps > z)
			break;
		best = ps;
	}
	return best;
}

/* ---- running the iterator against the model --------------------------- */

/* What is being compared, printed on failure (to stderr: the whole text
 * would not fit in Check's message). */
static const char *case_name;
static const unsigned char *case_text;
static size_t case_len;
static const struct gopt *case_opt;
static const char *case_patterns;

static void print_escaped(FILE *out, const unsigned char *d, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = d[i];
		if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
		if (c == '\n' && i + 1 < n)
			fputs("\"\n\t\"", out);
	}
	fputc('"', out);
}

static void print_case(void)
{
	const struct gopt *o = case_opt;
	fprintf(stderr, "---- failing case: %s\n", case_name ? case_name : "?");
	if (case_patterns != NULL)
		fprintf(stderr, "patterns: %s\n", case_patterns);
	if (o != NULL) {
		fprintf(stderr,
		        "options: flags 0x%x (invert %d numbers %d spans %d count "
		        "%d) binary %d max_count %" PRIu64 " before %" PRIu64
		        " after %" PRIu64 " threads %u piece %" PRIu64,
		        o->flags, !!(o->flags & MAPQ_GREP_INVERT),
		        !!(o->flags & MAPQ_GREP_NUMBERS),
		        !!(o->flags & MAPQ_GREP_SPANS),
		        !!(o->flags & MAPQ_GREP_COUNT_ONLY), (int)o->binary,
		        o->max_count, o->before, o->after, o->threads, o->piece);
		if (o->has_range) {
			if (o->re == UINT64_MAX)
				fprintf(stderr, " range \"%" PRIu64 ":\"", o->rs);
			else
				fprintf(stderr, " range \"%" PRIu64 ":%" PRIu64 "\"",
				        o->rs, o->re);
		}
		fputc('\n', stderr);
	}
	if (case_text != NULL) {
		fprintf(stderr, "text (%zu bytes):\n\t", case_len);
		if (case_len <= 1 << 14)
			print_escaped(stderr, case_text, case_len);
		else
			fputs("(too long to print)", stderr);
		fputc('\n', stderr);
	}
}

#define EXPECT(cond, ...)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			print_case();                                         \
			ck_abort_msg(__VA_ARGS__);                            \
		}                                                             \
	} while (0)

static void set_case(const char *name, const unsigned char *text, size_t len,
                     const struct gopt *o, const char *patterns)
{
	case_name = name;
	case_text = text;
	case_len = len;
	case_opt = o;
	case_patterns = patterns;
}

/* Make the library's options from the test's. */
static void make_options(const struct gopt *go, const mapq_matcher *m,
                         mapq_range *range, mapq_grep_options *o)
{
	memset(o, 0, sizeof *o);
	o->matcher = m;
	o->flags = go->flags;
	o->binary = go->binary;
	o->max_count = go->max_count;
	o->before = go->before;
	o->after = go->after;
	o->threads = go->threads;
	o->piece = go->piece;
	if (go->has_range) {
		char text[64];
		if (go->re == UINT64_MAX)
			snprintf(text, sizeof text, "%" PRIu64 ":", go->rs);
		else
			snprintf(text, sizeof text, "%" PRIu64 ":%" PRIu64, go->rs,
			         go->re);
		mapq_error err;
		int rc = mapq_range_parse(range, text, MAPQ_RANGE_BYTES, &err);
		ck_assert_msg(rc == MAPQ_OK, "range %s: %s", text, err.msg);
		o->range = range;
	}
}

/* Grep f (whose bytes are `text`) and compare every record and the
 * summary with the model's. */
static void expect_grep(mapq_file *f, const mapq_matcher *m,
                        const struct gopt *go, const struct ref *want,
                        const unsigned char *text)
{
	mapq_grep_options o;
	mapq_range range;
	make_options(go, m, &range, &o);
	mapq_grep *g = NULL;
	mapq_error err;
	int rc = mapq_grep_create(&g, f, &o, &err);
	EXPECT(rc == MAPQ_OK, "mapq_grep_create: %d %s", rc, err.msg);
	mapq_grep_record rec;
	size_t k = 0;
	while ((rc = mapq_grep_next(g, &rec, &err)) == 1) {
		EXPECT(k < want->n,
		       "record %zu is one too many (expected %zu): kind %d offset "
		       "%" PRIu64 " length %" PRIu64,
		       k, want->n, rec.kind, rec.offset, rec.length);
		const struct ref_rec *x = &want->recs[k];
		EXPECT(rec.offset == x->offset,
		       "record %zu: offset %" PRIu64 ", expected %" PRIu64
		       " (kind %d, expected kind %d)",
		       k, rec.offset, x->offset, rec.kind, x->kind);
		EXPECT(rec.kind == x->kind,
		       "record %zu (offset %" PRIu64 "): kind %d, expected %d", k,
		       rec.offset, rec.kind, x->kind);
		EXPECT(rec.follows == x->follows,
		       "record %zu (offset %" PRIu64 "): follows %d, expected %d",
		       k, rec.offset, rec.follows, x->follows);
		EXPECT(rec.length == x->length,
		       "record %zu (offset %" PRIu64 "): length %" PRIu64
		       ", expected %" PRIu64,
		       k, rec.offset, rec.length, x->length);
		EXPECT(rec.newline == x->newline,
		       "record %zu (offset %" PRIu64 "): newline %d, expected %d",
		       k, rec.offset, rec.newline, x->newline);
		EXPECT(rec.number == x->number,
		       "record %zu (offset %" PRIu64 "): number %" PRIu64
		       ", expected %" PRIu64,
		       k, rec.offset, rec.number, x->number);
		EXPECT(rec.length == 0 ||
		               memcmp(rec.line, text + x->offset, rec.length) == 0,
		       "record %zu (offset %" PRIu64 "): wrong line bytes", k,
		       rec.offset);
		EXPECT(rec.n_spans == x->n_spans,
		       "record %zu (offset %" PRIu64 "): %zu spans, expected %zu",
		       k, rec.offset, rec.n_spans, x->n_spans);
		for (size_t j = 0; j < x->n_spans; j++) {
			const mapq_grep_span *e = &want->spans[x->span_at + j];
			EXPECT(rec.spans[j].start == e->start &&
			               rec.spans[j].end == e->end,
			       "record %zu (offset %" PRIu64 "): span %zu is [%" PRIu64
			       ", %" PRIu64 "), expected [%" PRIu64 ", %" PRIu64 ")",
			       k, rec.offset, j, rec.spans[j].start, rec.spans[j].end,
			       e->start, e->end);
		}
		k++;
	}
	EXPECT(rc == 0, "mapq_grep_next: %d %s", rc, err.msg);
	EXPECT(k == want->n, "%zu records, expected %zu", k, want->n);
	/* Done stays done. */
	EXPECT(mapq_grep_next(g, &rec, NULL) == 0, "next after the end is not 0");
	mapq_grep_summary s;
	mapq_grep_summary_get(g, &s);
	EXPECT(s.selected == want->selected,
	       "summary.selected %" PRIu64 ", expected %" PRIu64, s.selected,
	       want->selected);
	if (want->selected > 0)
		EXPECT(s.selected_end == want->selected_end,
		       "summary.selected_end %" PRIu64 ", expected %" PRIu64,
		       s.selected_end, want->selected_end);
	EXPECT(s.binary_match == want->binary_match,
	       "summary.binary_match %d, expected %d", s.binary_match,
	       want->binary_match);
	if ((go->binary == MAPQ_GREP_BINARY_DETECT &&
	     !(go->flags & MAPQ_GREP_COUNT_ONLY) && !want->binary_offset_unknown) ||
	    (go->binary == MAPQ_GREP_BINARY_CONVERT &&
	     !want->binary_offset_unknown))
		EXPECT(s.binary_offset == want->binary_offset,
		       "summary.binary_offset %" PRIu64 ", expected %" PRIu64,
		       s.binary_offset, want->binary_offset);
	mapq_grep_destroy(g);
}

/* A matcher from patterns (NUL-terminated strings). */
static mapq_matcher *matcher_of(const char *const *pats, size_t n,
                                unsigned flags)
{
	mapq_pattern p[4];
	ck_assert_uint_le(n, 4);
	for (size_t i = 0; i < n; i++)
		p[i] = (mapq_pattern){pats[i], strlen(pats[i])};
	mapq_matcher *m = NULL;
	mapq_error err;
	int rc = mapq_matcher_create(&m, p, n, flags, &err);
	ck_assert_msg(rc == MAPQ_OK, "matcher: %s", err.msg);
	return m;
}

static mapq_matcher *matcher1(const char *pat)
{
	return matcher_of(&pat, 1, 0);
}

static mapq_search *search_of(const mapq_matcher *m)
{
	mapq_search *s = NULL;
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), MAPQ_OK);
	return s;
}

/* A temp file holding text, opened (mapped unless flags say otherwise). */
static mapq_file *open_text(const void *text, size_t len, unsigned flags,
                            char **path)
{
	*path = tu_temp_file(text, len);
	mapq_file *f = tu_open(*path, flags);
	if (len > 0 && flags == 0)
		ck_assert_int_eq(mapq_file_is_mapped(f), 1);
	return f;
}

static void close_text(mapq_file *f, char *path)
{
	mapq_file_close(f);
	unlink(path);
	free(path);
}

/* Model and iterator on the mapped file of `text` under options o. */
/* Returns the number of records and selected lines compared. */
static size_t check_text(const char *name, const char *const *pats, size_t np,
                         unsigned mflags, const void *text, size_t len,
                         const struct gopt *o)
{
	mapq_matcher *m = matcher_of(pats, np, mflags);
	mapq_search *s = search_of(m);
	struct text t;
	text_split_by(&t, text, len,
	              (o->flags & MAPQ_GREP_NULL_DATA) ? '\0' : '\n');
	struct ref want;
	model_run(&t, s, o, &want);
	set_case(name, text, len, o, pats[0]);
	char *path;
	mapq_file *f = open_text(text, len, 0, &path);
	expect_grep(f, m, o, &want, text);
	close_text(f, path);
	size_t compared = want.n + (size_t)want.selected;
	ref_free(&want);
	text_free(&t);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	set_case(NULL, NULL, 0, NULL, NULL);
	return compared;
}

/* ---- 1. the model on hand-checked cases -------------------------------- */

/*
 * The model itself against records written out by hand from GNU grep's
 * rules (grep -n -B1 -A1 etc. on these texts), so that the differential
 * tests below compare with something known to be right.
 */
START_TEST(model_agrees_with_hand_written_grep)
{
	static const char text[] = "ab\nx\nab\ny\nz\nw\nab\r\nq\nab";
	mapq_matcher *m = matcher1("ab");
	mapq_search *s = search_of(m);
	struct text t;
	text_split(&t, (const unsigned char *)text, sizeof text - 1);
	ck_assert_uint_eq(t.n, 9);
	ck_assert_uint_eq(t.lines[6].len, 3); /* "ab\r" */
	ck_assert_int_eq(t.lines[8].newline, 0);

	/* grep -n -B1 -A1 ab: 1:ab 2-x 3:ab 4-y -- 6-w 7:ab 8-q 9:ab */
	struct gopt o = {.flags = MAPQ_GREP_NUMBERS, .before = 1, .after = 1};
	struct ref r;
	model_run(&t, s, &o, &r);
	static const struct {
		int kind, follows;
		uint64_t number;
	} want[] = {{1, 0, 1}, {2, 1, 2}, {1, 1, 3}, {2, 1, 4}, {2, 0, 6},
	            {1, 1, 7}, {2, 1, 8}, {1, 1, 9}};
	ck_assert_uint_eq(r.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < r.n; i++) {
		ck_assert_int_eq(r.recs[i].kind, want[i].kind);
		ck_assert_int_eq(r.recs[i].follows, want[i].follows);
		ck_assert_uint_eq(r.recs[i].number, want[i].number);
	}
	ck_assert_uint_eq(r.selected, 4);
	ck_assert_uint_eq(r.selected_end, sizeof text - 1);
	ref_free(&r);

	/* grep -m2 -A2 ab: 1:ab 2-x 3:ab 4-y 5-z (then stop). */
	o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .max_count = 2, .after = 2};
	model_run(&t, s, &o, &r);
	ck_assert_uint_eq(r.n, 5);
	ck_assert_uint_eq(r.recs[4].number, 5);
	ck_assert_int_eq(r.recs[4].kind, MAPQ_GREP_CONTEXT);
	ck_assert_uint_eq(r.selected, 2);
	ref_free(&r);

	/* grep -m1 -A3 ab on "ab\nab\nab\nab\nab": the trailing context is
	 * lines 2-4 although they match. */
	struct text t2;
	text_split(&t2, (const unsigned char *)"ab\nab\nab\nab\nab", 14);
	o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .max_count = 1, .after = 3};
	model_run(&t2, s, &o, &r);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_int_eq(r.recs[0].kind, MAPQ_GREP_SELECTED);
	for (size_t i = 1; i < 4; i++)
		ck_assert_int_eq(r.recs[i].kind, MAPQ_GREP_CONTEXT);
	ref_free(&r);
	text_free(&t2);

	/* grep -v -c ab: x y z w q -> 5; with -m 3: 3. */
	o = (struct gopt){.flags = MAPQ_GREP_INVERT | MAPQ_GREP_COUNT_ONLY};
	model_run(&t, s, &o, &r);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_uint_eq(r.selected, 5);
	ref_free(&r);
	o.max_count = 3;
	model_run(&t, s, &o, &r);
	ck_assert_uint_eq(r.selected, 3);
	ck_assert_uint_eq(r.selected_end, 12); /* after "z\n" */
	ref_free(&r);

	/* Bytes 3:15 hold the lines starting at 3, 5, 8, 10, 12, 14 ("ab\r"
	 * starts at 14); -B2 of the "ab" at 5 stays inside: x (byte 3,
	 * line 2) is the first record; -B2 of 14 gives z and w after "--". */
	o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .before = 2, .has_range = 1,
	                  .rs = 3, .re = 15};
	model_run(&t, s, &o, &r);
	ck_assert_uint_eq(r.n, 5);
	ck_assert_uint_eq(r.recs[0].offset, 3);
	ck_assert_uint_eq(r.recs[0].number, 2);
	ck_assert_int_eq(r.recs[0].kind, MAPQ_GREP_CONTEXT);
	ck_assert_uint_eq(r.recs[1].offset, 5);
	ck_assert_int_eq(r.recs[1].kind, MAPQ_GREP_SELECTED);
	ck_assert_uint_eq(r.recs[2].offset, 10);
	ck_assert_int_eq(r.recs[2].follows, 0);
	ck_assert_uint_eq(r.recs[3].offset, 12);
	ck_assert_uint_eq(r.recs[4].offset, 14);
	ck_assert_uint_eq(r.recs[4].length, 3);
	ck_assert_uint_eq(r.recs[4].number, 7);
	ref_free(&r);
	text_free(&t);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);

	/* -o: non-empty matches left to right; "c*" skips empty ones. */
	m = matcher1("c*");
	s = search_of(m);
	text_split(&t, (const unsigned char *)"ccxcxxccc\n", 10);
	o = (struct gopt){.flags = MAPQ_GREP_SPANS};
	model_run(&t, s, &o, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.recs[0].n_spans, 3);
	ck_assert_uint_eq(r.spans[0].start, 0);
	ck_assert_uint_eq(r.spans[0].end, 2);
	ck_assert_uint_eq(r.spans[1].start, 3);
	ck_assert_uint_eq(r.spans[1].end, 4);
	ck_assert_uint_eq(r.spans[2].start, 6);
	ck_assert_uint_eq(r.spans[2].end, 9);
	ref_free(&r);
	text_free(&t);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
}
END_TEST

/* The same hand-checked records from the iterator, every way it cuts. */
START_TEST(iterator_agrees_with_hand_written_grep)
{
	static const char text[] = "ab\nx\nab\ny\nz\nw\nab\r\nq\nab";
	static const char *const pats[] = {"ab"};
	size_t compared = 0;
	for (unsigned threads = 1; threads <= 3; threads++) {
		for (uint64_t piece = 1; piece <= sizeof text; piece++) {
			struct gopt o = {.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS,
			                 .before = 1, .after = 1,
			                 .threads = threads, .piece = piece};
			compared += check_text("hand -n -B1 -A1", pats, 1, 0, text,
			                       sizeof text - 1, &o);
			o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .max_count = 2,
			                  .after = 2, .threads = threads,
			                  .piece = piece};
			compared += check_text("hand -m2 -A2", pats, 1, 0, text,
			                       sizeof text - 1, &o);
			o = (struct gopt){.flags = MAPQ_GREP_INVERT |
			                           MAPQ_GREP_COUNT_ONLY,
			                  .max_count = 3, .threads = threads,
			                  .piece = piece};
			compared += check_text("hand -v -c -m3", pats, 1, 0, text,
			                       sizeof text - 1, &o);
			o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .before = 2,
			                  .has_range = 1, .rs = 3, .re = 15,
			                  .threads = threads, .piece = piece};
			compared += check_text("hand 3:15 -B2", pats, 1, 0, text,
			                       sizeof text - 1, &o);
		}
	}
	ck_assert_uint_gt(compared, 0);
}
END_TEST

/* ---- 2. differential random test ------------------------------------- */

/* Pattern sets: matching often, rarely, never, every line, empty lines
 * only, CRs, adjacent matches; literal, caseless, word and line modes;
 * two patterns (none of them matching empty, so -o's walk is
 * unambiguous). */
static const struct pset {
	const char *pats[3];
	size_t n;
	unsigned flags;
} psets[] = {
	{{"ERR"}, 1, 0},
	{{"ab"}, 1, 0},
	{{"a+b"}, 1, 0},
	{{"\\bcd\\b"}, 1, 0},
	{{"^x"}, 1, 0},
	{{"y$"}, 1, 0},
	{{"c*"}, 1, 0},
	{{"ab", "yz"}, 2, 0},
	{{"a", "ab"}, 2, 0},
	{{"q"}, 1, 0},
	{{"x y"}, 1, MAPQ_MATCH_FIXED},
	{{"err"}, 1, MAPQ_MATCH_CASELESS},
	{{"b.d"}, 1, 0},
	{{"^$"}, 1, 0},
	{{"\\r"}, 1, 0},
	{{"cd", "x"}, 2, MAPQ_MATCH_WORD},
	{{"foo"}, 1, MAPQ_MATCH_LINE},
	{{"c"}, 1, 0},      /* adjacent spans in "cc" */
	{{"[a-c]"}, 1, 0},  /* runs of adjacent spans */
	{{"d", "zz"}, 2, 0},
};
#define N_PSETS (sizeof psets / sizeof psets[0])

static const char *const words[] = {"a",  "b",   "ab",  "cd",   "x",
                                    "y",  "yz",  "c",   "cc",   "bad",
                                    "foo", "x y", "abcd", "zz", "d"};

/* A random text: lines of 0..300 bytes (many short, some empty), LF or
 * CRLF or both, the last line with or without its newline. */
static void random_text(struct bytes *b)
{
	b->len = 0;
	size_t n_lines = (size_t)rnd_in(0, rnd() % 4 == 0 ? 8 : 70);
	int endings = (int)rnd_in(0, 2); /* LF, CRLF, mixed */
	int rare = (int)rnd_in(0, 3);    /* how often ERR/err appear */
	for (size_t i = 0; i < n_lines; i++) {
		uint64_t target;
		switch (rnd() % 20) {
		case 0: case 1: case 2: case 3: case 4: case 5:
			target = rnd_in(0, 3);
			break;
		case 19:
			target = rnd_in(0, 300);
			break;
		case 17: case 18: case 16: case 15:
			target = rnd_in(0, 120);
			break;
		default:
			target = rnd_in(0, 40);
			break;
		}
		size_t start = b->len;
		while (b->len - start < target) {
			const char *w;
			if (rare > 0 && rnd() % (rare * 40) == 0)
				w = rnd() % 2 ? "ERR" : "err";
			else
				w = words[rnd() % (sizeof words / sizeof words[0])];
			bytes_str(b, w);
			bytes_add(b, rnd() % 8 ? " " : "\t", 1);
		}
		b->len = start + target;
		int crlf = endings == 1 || (endings == 2 && rnd() % 2);
		int last = i + 1 == n_lines;
		if (crlf)
			bytes_add(b, "\r", 1);
		if (!last || rnd() % 2)
			bytes_add(b, "\n", 1);
	}
}

static void random_options(struct gopt *o, size_t len)
{
	memset(o, 0, sizeof *o);
	if (rnd() % 4 == 0)
		o->flags |= MAPQ_GREP_INVERT;
	if (rnd() % 2)
		o->flags |= MAPQ_GREP_NUMBERS;
	if (rnd() % 2)
		o->flags |= MAPQ_GREP_SPANS;
	if (rnd() % 7 == 0)
		o->flags |= MAPQ_GREP_COUNT_ONLY;
	o->binary = rnd() % 5 == 0 ? MAPQ_GREP_BINARY_TEXT : MAPQ_GREP_BINARY_DETECT;
	o->before = rnd() % 5 < 2 ? 0 : rnd_in(0, 5);
	o->after = rnd() % 5 < 2 ? 0 : rnd_in(0, 5);
	o->max_count = rnd() % 2 ? 0 : rnd_in(1, 20);
	if (rnd() % 4 == 0) {
		o->has_range = 1;
		o->rs = rnd_in(0, len + 3);
		if (rnd() % 4 == 0)
			o->re = UINT64_MAX;
		else
			o->re = rnd() % 8 == 0 ? rnd_in(0, len + 5)
			                       : rnd_in(o->rs, len + 5);
	}
	o->threads = (unsigned)rnd_in(1, 4);
	o->piece = rnd() % 5 == 0 ? rnd_in(1, 8) : rnd_in(1, 200);
}

START_TEST(random_cases_equal_the_model)
{
	uint64_t iterations = env_u64("MAPQ_TEST_GREP_ITERATIONS", 1000);
	uint64_t seed = env_u64("MAPQ_TEST_GREP_SEED", 0x6d617071);
	const char *only_text = getenv("MAPQ_TEST_GREP_ONLY");
	int only = only_text != NULL && *only_text != '\0';
	uint64_t only_i = only ? strtoull(only_text, NULL, 0) : 0;

	mapq_matcher *ms[N_PSETS];
	mapq_search *ss[N_PSETS];
	for (size_t i = 0; i < N_PSETS; i++) {
		ms[i] = matcher_of(psets[i].pats, psets[i].n, psets[i].flags);
		ss[i] = search_of(ms[i]);
	}
	struct bytes b = {0};
	uint64_t records = 0, selected = 0, binary_stops = 0;
	for (uint64_t it = 0; it < iterations; it++) {
		if (only && it != only_i)
			continue;
		/* Each case from its own seed: MAPQ_TEST_GREP_ONLY replays it. */
		rnd_state = seed * 0x100000001b3ull + it;
		random_text(&b);
		size_t p = (size_t)(rnd() % N_PSETS);
		struct gopt o;
		random_options(&o, b.len);
		unsigned open_flags = rnd() % 10 == 0 ? MAPQ_OPEN_NO_MMAP : 0;
		/* Sometimes one NUL (binary data), anywhere but on a '\n'. */
		uint64_t nul = UINT64_MAX;
		if (b.len > 0 && rnd() % 6 == 0) {
			nul = rnd_in(0, b.len - 1);
			if (b.d[nul] == '\n')
				nul = UINT64_MAX;
			else
				b.d[nul] = '\0';
		}

		struct text t;
		text_split(&t, b.d, b.len);
		struct ref want;
		uint64_t bin_start = UINT64_MAX;
		if (nul != UINT64_MAX && o.binary == MAPQ_GREP_BINARY_DETECT)
			bin_start = model_binary_start(&t, &o, nul, open_flags == 0);
		model_run_binary(&t, ss[p], &o, bin_start, &want);
		if (want.binary_match)
			want.binary_offset = nul;
		else if (bin_start != UINT64_MAX)
			want.binary_offset_unknown = 1; /* reached or not */
		char name[160];
		snprintf(name, sizeof name,
		         "random case %" PRIu64 " (MAPQ_TEST_GREP_SEED=%" PRIu64
		         " MAPQ_TEST_GREP_ONLY=%" PRIu64 ")%s",
		         it, seed, it, open_flags ? " opened NO_MMAP" : "");
		char pats[128];
		snprintf(pats, sizeof pats, "'%s'%s%s%s flags 0x%x", psets[p].pats[0],
		         psets[p].n > 1 ? " '" : "",
		         psets[p].n > 1 ? psets[p].pats[1] : "",
		         psets[p].n > 1 ? "'" : "", psets[p].flags);
		set_case(name, b.d, b.len, &o, pats);
		char *path;
		mapq_file *f = open_text(b.d, b.len, open_flags, &path);
		expect_grep(f, ms[p], &o, &want, b.d);
		close_text(f, path);
		records += want.n;
		selected += want.selected;
		binary_stops += (uint64_t)want.binary_match;
		ref_free(&want);
		text_free(&t);
	}
	/* The cases did exercise something. */
	if (!only && iterations >= 100) {
		ck_assert_uint_gt(records, iterations);
		ck_assert_uint_gt(selected, iterations);
		ck_assert_uint_gt(binary_stops, iterations / 100);
	}
	if (getenv("MAPQ_TEST_GREP_VERBOSE") != NULL)
		fprintf(stderr, "%" PRIu64 " cases: %" PRIu64 " records, %" PRIu64
		        " selected, %" PRIu64 " stopped by binary data\n",
		        iterations, records, selected, binary_stops);
	set_case(NULL, NULL, 0, NULL, NULL);
	free(b.d);
	for (size_t i = 0; i < N_PSETS; i++) {
		mapq_search_destroy(ss[i]);
		mapq_matcher_destroy(ms[i]);
	}
}
END_TEST

/* ---- 3. edge cases ---------------------------------------------------- */

/* Every piece size over a CRLF text: edges fall between '\r' and '\n',
 * right after a '\n', inside empty lines and at the last byte. */
START_TEST(piece_edges_in_crlf_and_after_newlines)
{
	static const char text[] =
	        "ab\r\n\r\ncd ab\r\nx\r\n\nab\r\r\n\r\nzz\r\nab yz\r\n\r\nq\r\nab";
	static const char *const ab[] = {"ab"};
	static const char *const cr[] = {"\\r$"};
	size_t len = sizeof text - 1, compared = 0;
	for (unsigned threads = 1; threads <= 3; threads++) {
		for (uint64_t piece = 1; piece <= len + 1; piece++) {
			struct gopt o = {.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS,
			                 .before = 1, .after = 1, .threads = threads,
			                 .piece = piece};
			compared += check_text("crlf -B1 -A1", ab, 1, 0, text, len, &o);
			o.flags |= MAPQ_GREP_INVERT;
			compared +=
			        check_text("crlf -v -B1 -A1", ab, 1, 0, text, len, &o);
			o = (struct gopt){.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS,
			                  .max_count = 2, .after = 2,
			                  .threads = threads, .piece = piece};
			compared +=
			        check_text("crlf \\r$ -m2 -A2", cr, 1, 0, text, len, &o);
			o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .before = 3,
			                  .has_range = 1, .rs = 4, .re = 30,
			                  .threads = threads, .piece = piece};
			compared += check_text("crlf 4:30 -B3", ab, 1, 0, text, len, &o);
		}
	}
	ck_assert_uint_gt(compared, 0);
}
END_TEST

/* 200 short lines, matches at lines 101 and 181 only: -B50 -A50 with
 * 10-byte pieces runs over a dozen piece edges each way. */
START_TEST(context_over_many_pieces)
{
	struct bytes b = {0};
	for (int i = 1; i <= 200; i++) {
		char line[32];
		snprintf(line, sizeof line, "%s%d\n",
		         i == 101 || i == 181 ? "hit" : "l", i);
		bytes_str(&b, line);
	}
	static const char *const pats[] = {"hit"};
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		struct gopt o = {.flags = MAPQ_GREP_NUMBERS, .before = 50,
		                 .after = 50, .threads = threads, .piece = 10};
		check_text("-B50 -A50 pieces of 10", pats, 1, 0, b.d, b.len, &o);

		/* Hand count: lines 51..200 (50 before, 101, 80 between, 181,
		 * 19 after), one run without "--". */
		char *path;
		mapq_file *f = open_text(b.d, b.len, 0, &path);
		mapq_matcher *m = matcher1("hit");
		mapq_grep_options go = {.matcher = m, .flags = MAPQ_GREP_NUMBERS,
		                        .before = 50, .after = 50,
		                        .threads = threads, .piece = 10};
		mapq_grep *g;
		ck_assert_int_eq(mapq_grep_create(&g, f, &go, NULL), MAPQ_OK);
		mapq_grep_record rec;
		uint64_t n = 0, want_number = 51;
		while (mapq_grep_next(g, &rec, NULL) == 1) {
			ck_assert_uint_eq(rec.number, want_number);
			ck_assert_int_eq(rec.follows, n > 0);
			ck_assert_int_eq(rec.kind, want_number == 101 ||
			                                   want_number == 181
			                           ? MAPQ_GREP_SELECTED
			                           : MAPQ_GREP_CONTEXT);
			want_number++;
			n++;
		}
		ck_assert_uint_eq(n, 150);
		mapq_grep_destroy(g);
		mapq_matcher_destroy(m);
		close_text(f, path);

		/* Sparse matches with small context: "--" between groups. */
		o = (struct gopt){.flags = MAPQ_GREP_NUMBERS, .before = 50,
		                  .after = 3, .threads = threads, .piece = 10};
		check_text("-B50 -A3 pieces of 10", pats, 1, 0, b.d, b.len, &o);
		o.flags |= MAPQ_GREP_INVERT;
		o.max_count = 120;
		check_text("-v -m120 -B50 -A3 pieces of 10", pats, 1, 0, b.d, b.len,
		           &o);
	}
	free(b.d);
}
END_TEST

/* -m across pieces: the count ends in a later piece, then the trailing
 * context (lines that match included) crosses piece edges. */
START_TEST(max_count_across_pieces)
{
	struct bytes b = {0};
	for (int i = 1; i <= 100; i++) {
		char line[32];
		int hit = i == 4 || i == 18 || i == 41 || i == 42 || i == 44 ||
		          i == 91;
		snprintf(line, sizeof line, "%s %d\n", hit ? "ab" : "no", i);
		bytes_str(&b, line);
	}
	static const char *const pats[] = {"ab"};
	mapq_matcher *m = matcher1("ab");
	for (unsigned threads = 1; threads <= 3; threads++) {
		for (uint64_t piece = 5; piece <= 45; piece += 8) {
			/* Hand-written (grep -n -m3 -A4 ab): 4: 5- 6- 7- 8- --
			 * 18: 19- 20- 21- 22- -- 41: then 42 43 44 45 as trailing
			 * context although 42 and 44 match. */
			char *path;
			mapq_file *f = open_text(b.d, b.len, 0, &path);
			mapq_grep_options go = {.matcher = m,
			                        .flags = MAPQ_GREP_NUMBERS,
			                        .max_count = 3, .after = 4,
			                        .threads = threads, .piece = piece};
			mapq_grep *g;
			ck_assert_int_eq(mapq_grep_create(&g, f, &go, NULL), MAPQ_OK);
			static const struct {
				uint64_t number;
				int kind, follows;
			} want[] = {{4, 1, 0},  {5, 2, 1},  {6, 2, 1},  {7, 2, 1},
			            {8, 2, 1},  {18, 1, 0}, {19, 2, 1}, {20, 2, 1},
			            {21, 2, 1}, {22, 2, 1}, {41, 1, 0}, {42, 2, 1},
			            {43, 2, 1}, {44, 2, 1}, {45, 2, 1}};
			const size_t n_want = sizeof want / sizeof want[0];
			mapq_grep_record rec;
			size_t n = 0;
			while (mapq_grep_next(g, &rec, NULL) == 1) {
				ck_assert_uint_lt(n, n_want);
				ck_assert_msg(rec.number == want[n].number &&
				                      rec.kind == want[n].kind &&
				                      rec.follows == want[n].follows,
				              "threads %u piece %" PRIu64 " record %zu: "
				              "number %" PRIu64 " kind %d follows %d",
				              threads, piece, n, rec.number, rec.kind,
				              rec.follows);
				n++;
			}
			ck_assert_uint_eq(n, n_want);
			mapq_grep_summary s;
			mapq_grep_summary_get(g, &s);
			ck_assert_uint_eq(s.selected, 3);
			mapq_grep_destroy(g);
			close_text(f, path);

			struct gopt o = {.flags = MAPQ_GREP_NUMBERS, .max_count = 3,
			                 .after = 4, .before = 2, .threads = threads,
			                 .piece = piece};
			check_text("-m3 -B2 -A4", pats, 1, 0, b.d, b.len, &o);
			o = (struct gopt){.flags = MAPQ_GREP_COUNT_ONLY,
			                  .max_count = 4, .threads = threads,
			                  .piece = piece};
			check_text("-c -m4", pats, 1, 0, b.d, b.len, &o);
			o.max_count = 5;
			o.flags |= MAPQ_GREP_INVERT;
			check_text("-v -c -m5", pats, 1, 0, b.d, b.len, &o);
			o = (struct gopt){.flags = MAPQ_GREP_SPANS, .max_count = 1,
			                  .after = 60, .threads = threads,
			                  .piece = piece};
			check_text("-m1 -A60", pats, 1, 0, b.d, b.len, &o);
		}
	}
	mapq_matcher_destroy(m);
	free(b.d);
}
END_TEST

/* A 5 MiB line over several 1 MiB pieces, the match at its end. */
START_TEST(long_line_across_pieces)
{
	const size_t big = (size_t)5 << 20;
	struct bytes b = {0};
	bytes_str(&b, "first\nab 2\n");
	size_t line_at = b.len;
	unsigned char *x = malloc(big);
	ck_assert_ptr_nonnull(x);
	memset(x, 'x', big);
	memcpy(x + big - 6, "NEEDLE", 6);
	bytes_add(&b, x, big);
	free(x);
	bytes_str(&b, "\nafter\nab 5\nlast");
	static const char *const pats[] = {"NEEDLE|ab"};
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		struct gopt o = {.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS,
		                 .threads = threads, .piece = (uint64_t)1 << 20};
		check_text("5 MiB line", pats, 1, 0, b.d, b.len, &o);
		o.before = 1;
		o.after = 1;
		o.max_count = 2;
		check_text("5 MiB line -m2 -B1 -A1", pats, 1, 0, b.d, b.len, &o);
		o.flags = MAPQ_GREP_INVERT | MAPQ_GREP_NUMBERS;
		o.max_count = 0;
		check_text("5 MiB line -v -B1 -A1", pats, 1, 0, b.d, b.len, &o);

		/* Hand check of the long line's record. */
		char *path;
		mapq_file *f = open_text(b.d, b.len, 0, &path);
		mapq_matcher *m = matcher1("NEEDLE");
		mapq_grep_options go = {.matcher = m,
		                        .flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS,
		                        .threads = threads,
		                        .piece = (uint64_t)1 << 20};
		mapq_grep *g;
		ck_assert_int_eq(mapq_grep_create(&g, f, &go, NULL), MAPQ_OK);
		mapq_grep_record rec;
		ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 1);
		ck_assert_uint_eq(rec.offset, line_at);
		ck_assert_uint_eq(rec.length, big);
		ck_assert_uint_eq(rec.number, 3);
		ck_assert_uint_eq(rec.n_spans, 1);
		ck_assert_uint_eq(rec.spans[0].start, big - 6);
		ck_assert_uint_eq(rec.spans[0].end, big);
		ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 0);
		mapq_grep_destroy(g);
		mapq_matcher_destroy(m);
		close_text(f, path);
	}
	free(b.d);
}
END_TEST

/* A stream gives the records of the mapped file (and of the model),
 * with -B carried over windows. */
START_TEST(stream_equals_mapped)
{
	struct bytes b = {0};
	rnd_state = 12345;
	for (int i = 0; i < 3000; i++) {
		char line[64];
		int k = (int)(rnd() % 23);
		snprintf(line, sizeof line, "%s %d%s\n",
		         k == 0 ? "ab hit" : k == 1 ? "" : "line", i,
		         i % 7 == 0 ? "\r" : "");
		bytes_str(&b, line);
	}
	bytes_str(&b, "ab at the end, no newline");
	static const char *const pats[] = {"ab"};
	mapq_matcher *m = matcher1("ab");
	mapq_search *s = search_of(m);
	struct text t;
	text_split(&t, b.d, b.len);
	static const struct gopt opts[] = {
	        {.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS, .before = 3,
	         .after = 2, .threads = 3, .piece = 97},
	        {.flags = MAPQ_GREP_NUMBERS | MAPQ_GREP_INVERT, .before = 5,
	         .after = 1, .max_count = 200, .threads = 1},
	        {.flags = MAPQ_GREP_NUMBERS, .before = 4, .after = 4,
	         .has_range = 1, .rs = 10000, .re = 30000},
	        {.flags = MAPQ_GREP_COUNT_ONLY, .max_count = 50},
	        {.flags = MAPQ_GREP_NUMBERS, .max_count = 7, .after = 5},
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		for (int via_stdin = 0; via_stdin <= 1; via_stdin++) {
			struct ref want;
			model_run(&t, s, &opts[i], &want);
			/* Every option set selects lines of this text. */
			ck_assert_uint_gt(want.selected, 0);
			char name[64];
			snprintf(name, sizeof name, "stream options %zu%s", i,
			         via_stdin ? " on stdin" : "");
			set_case(name, b.d, b.len, &opts[i], pats[0]);
			/* The mapped file... */
			char *path;
			mapq_file *f = open_text(b.d, b.len, 0, &path);
			expect_grep(f, m, &opts[i], &want, b.d);
			close_text(f, path);
			/* ...and the stream, written in chunks of odd sizes;
			 * the writer pauses every fourth chunk or so, so that
			 * the reader sees many short windows. */
			struct tu_pipe pf;
			size_t chunk = 101 + 37 * i;
			f = tu_pipe_open(&pf, b.d, b.len, chunk, 200, chunk * 4,
			                 via_stdin);
			expect_grep(f, m, &opts[i], &want, b.d);
			tu_pipe_close(f, &pf, 0);
			ref_free(&want);
		}
	}
	set_case(NULL, NULL, 0, NULL, NULL);
	text_free(&t);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	free(b.d);
}
END_TEST

/* Ten-byte lines "hit NNNNN\n" (every third) and "abc NNNNN\n", with a
 * NUL in line 10 (0-based; offset 104): pieces of 40 bytes hold lines
 * 4k..4k+3, so the NUL's piece starts at line 8. */
static void binary_text(struct bytes *b, size_t nul_line)
{
	b->len = 0;
	for (int i = 0; i < 30; i++) {
		char line[16];
		snprintf(line, sizeof line, "%s %05d\n", i % 3 == 0 ? "hit" : "abc",
		         i);
		bytes_add(b, line, 10);
	}
	b->d[nul_line * 10 + 4] = '\0';
}

/* Grep the binary text with threads 1 and 3 and the same pieces: the
 * records and summaries must be identical; returns the records' offsets
 * (kinds in the low bit) of the one-thread run. */
static size_t grep_binary(mapq_file *f, const mapq_matcher *m, uint64_t before,
                          uint64_t after, uint64_t *out, size_t max,
                          mapq_grep_summary *sum)
{
	size_t n1 = 0;
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		mapq_grep_options o = {.matcher = m, .flags = MAPQ_GREP_NUMBERS,
		                       .before = before, .after = after,
		                       .threads = threads, .piece = 40};
		mapq_grep *g;
		ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
		mapq_grep_record rec;
		size_t n = 0;
		int rc;
		while ((rc = mapq_grep_next(g, &rec, NULL)) == 1) {
			ck_assert_uint_lt(n, max);
			uint64_t v = rec.offset * 2 + (rec.kind == MAPQ_GREP_SELECTED);
			if (threads == 1)
				out[n] = v;
			else
				ck_assert_msg(out[n] == v,
				              "-B%" PRIu64 " -A%" PRIu64 " record %zu: "
				              "threads 3 offset %" PRIu64 " kind %d, "
				              "threads 1 offset %" PRIu64 " kind %d",
				              before, after, n, rec.offset, rec.kind,
				              out[n] / 2, out[n] % 2 ? 1 : 2);
			n++;
		}
		ck_assert_int_eq(rc, 0);
		mapq_grep_summary s;
		mapq_grep_summary_get(g, &s);
		if (threads == 1) {
			n1 = n;
			*sum = s;
		} else {
			ck_assert_uint_eq(n, n1);
			ck_assert_uint_eq(s.selected, sum->selected);
			ck_assert_int_eq(s.binary_match, sum->binary_match);
			ck_assert_uint_eq(s.binary_offset, sum->binary_offset);
			ck_assert_uint_eq(s.selected_end, sum->selected_end);
		}
		mapq_grep_destroy(g);
	}
	return n1;
}

START_TEST(binary_data_stops_at_a_selected_line)
{
	struct bytes b = {0};
	binary_text(&b, 10);
	char *path;
	mapq_file *f = open_text(b.d, b.len, 0, &path);
	mapq_matcher *m = matcher1("hit");
	uint64_t out[64];
	mapq_grep_summary s;

	/* Lines 0, 3, 6 are yielded; line 9 (before the NUL, but in its
	 * piece) ends the search: selected (it counts, and selected_end is
	 * after it), not yielded. */
	size_t n = grep_binary(f, m, 0, 0, out, 64, &s);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0], 0 * 2 + 1);
	ck_assert_uint_eq(out[1], 30 * 2 + 1);
	ck_assert_uint_eq(out[2], 60 * 2 + 1);
	ck_assert_int_eq(s.binary_match, 1);
	ck_assert_uint_eq(s.binary_offset, 104);
	ck_assert_uint_eq(s.selected, 4);
	ck_assert_uint_eq(s.selected_end, 100);

	/* -B2 -A1: 0: 1- 2- 3: 4- 5- 6: 7-, and no context in binary data. */
	n = grep_binary(f, m, 2, 1, out, 64, &s);
	static const uint64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7};
	ck_assert_uint_eq(n, 8);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(out[i], want[i] * 10 * 2 + (want[i] % 3 == 0));
	ck_assert_int_eq(s.binary_match, 1);

	/* Other context sizes: threads 1 and 3 agree. */
	for (uint64_t before = 0; before <= 6; before += 3)
		for (uint64_t after = 0; after <= 6; after += 2)
			(void)grep_binary(f, m, before, after, out, 64, &s);
	close_text(f, path);

	/* A NUL in the first piece: the first selected line stops it all. */
	binary_text(&b, 2);
	f = open_text(b.d, b.len, 0, &path);
	n = grep_binary(f, m, 1, 1, out, 64, &s);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(s.binary_match, 1);
	ck_assert_uint_eq(s.binary_offset, 24);
	ck_assert_uint_eq(s.selected, 1);
	ck_assert_uint_eq(s.selected_end, 10);
	close_text(f, path);

	/* As text (grep -a), and counting: the NUL does not matter. */
	binary_text(&b, 10);
	static const char *const pats[] = {"hit"};
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		struct gopt o = {.flags = MAPQ_GREP_NUMBERS,
		                 .binary = MAPQ_GREP_BINARY_TEXT, .before = 1,
		                 .threads = threads, .piece = 40};
		check_text("binary as text", pats, 1, 0, b.d, b.len, &o);
		o = (struct gopt){.flags = MAPQ_GREP_COUNT_ONLY, .threads = threads,
		                  .piece = 40};
		check_text("binary counted", pats, 1, 0, b.d, b.len, &o);
	}
	mapq_matcher_destroy(m);
	free(b.d);
}
END_TEST

/*
 * MAPQ_GREP_BINARY_CONVERT: a text with NULs grepped as the model greps
 * the same text with every NUL a '\n' (as text): the same records, line
 * bytes and numbers, with binary_offset the first NUL; mapped with several
 * threads and small pieces, read with pread, and as a stream.
 */
START_TEST(convert_reads_nul_as_newline)
{
	uint64_t iterations = env_u64("MAPQ_TEST_GREP_ITERATIONS", 1000) / 4;
	mapq_matcher *ms[N_PSETS];
	mapq_search *ss[N_PSETS];
	for (size_t i = 0; i < N_PSETS; i++) {
		ms[i] = matcher_of(psets[i].pats, psets[i].n, psets[i].flags);
		ss[i] = search_of(ms[i]);
	}
	struct bytes b = {0};
	unsigned char *as_text = NULL;
	uint64_t records = 0, with_nul = 0;
	for (uint64_t it = 0; it < iterations; it++) {
		rnd_state = 0x636f6e76ull * 0x100000001b3ull + it;
		random_text(&b);
		size_t p = (size_t)(rnd() % N_PSETS);
		struct gopt o;
		random_options(&o, b.len);
		/* Ranges are cut at newlines alone (mapq.h): not here. */
		o.has_range = 0;
		o.binary = MAPQ_GREP_BINARY_CONVERT;
		/* NULs anywhere, runs of them, at the very end. */
		uint64_t first = UINT64_MAX;
		size_t nuls = b.len > 0 ? (size_t)rnd_in(0, 4) : 0;
		for (size_t k = 0; k < nuls; k++) {
			uint64_t at = rnd_in(0, b.len - 1);
			b.d[at] = '\0';
			if (rnd() % 3 == 0 && at + 1 < b.len)
				b.d[at + 1] = '\0';
		}
		free(as_text);
		as_text = malloc(b.len + 1);
		ck_assert_ptr_nonnull(as_text);
		for (size_t k = 0; k < b.len; k++) {
			as_text[k] = b.d[k] == '\0' ? '\n' : b.d[k];
			if (b.d[k] == '\0' && first == UINT64_MAX)
				first = k;
		}
		with_nul += first != UINT64_MAX;
		struct text t;
		text_split(&t, as_text, b.len);
		struct ref want;
		struct gopt mo = o;
		mo.binary = MAPQ_GREP_BINARY_TEXT;
		model_run(&t, ss[p], &mo, &want);
		want.binary_offset = first;
		/* -m may stop the search before the first NUL's window. */
		want.binary_offset_unknown = o.max_count != 0;
		char name[96];
		snprintf(name, sizeof name, "convert case %" PRIu64, it);
		set_case(name, b.d, b.len, &o, psets[p].pats[0]);
		unsigned how = (unsigned)(it % 3);
		if (how < 2) {
			char *path;
			mapq_file *f = open_text(b.d, b.len,
			                         how ? MAPQ_OPEN_NO_MMAP : 0, &path);
			expect_grep(f, ms[p], &o, &want, as_text);
			close_text(f, path);
		} else {
			struct tu_pipe pf;
			mapq_file *f = tu_pipe_open(&pf, b.d, b.len,
			                            (size_t)rnd_in(1, 300), 0, 0, 0);
			expect_grep(f, ms[p], &o, &want, as_text);
			tu_pipe_close(f, &pf, 0);
		}
		records += want.n;
		ref_free(&want);
		text_free(&t);
	}
	if (iterations >= 100) {
		ck_assert_uint_gt(records, iterations);
		ck_assert_uint_gt(with_nul, iterations / 2);
	}
	set_case(NULL, NULL, 0, NULL, NULL);
	free(as_text);
	free(b.d);
	for (size_t i = 0; i < N_PSETS; i++) {
		mapq_search_destroy(ss[i]);
		mapq_matcher_destroy(ms[i]);
	}
}
END_TEST

/* Destroying a grep whose threads are still at work: nothing leaks (ASan),
 * nothing hangs (the test's timeout). */
START_TEST(early_destroy_stops_the_threads)
{
	struct bytes b = {0};
	for (int i = 0; i < 60000; i++) {
		char line[32];
		snprintf(line, sizeof line, "ab %d\n", i);
		bytes_str(&b, line);
	}
	char *path;
	mapq_file *f = open_text(b.d, b.len, 0, &path);
	mapq_matcher *m = matcher1("ab");
	/* Tiny pieces (workers wait for room in the ring), and big ones
	 * (workers wait in a full queue of blocks). */
	static const uint64_t pieces[] = {1, 7, 64 << 10};
	for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
		for (int take = 0; take <= 3; take += 3) {
			mapq_grep_options o = {.matcher = m,
			                       .flags = MAPQ_GREP_NUMBERS |
			                                MAPQ_GREP_SPANS,
			                       .before = 2, .after = 2, .threads = 4,
			                       .piece = pieces[p]};
			mapq_grep *g;
			ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
			mapq_grep_record rec;
			for (int k = 0; k < take; k++) {
				ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 1);
				ck_assert_uint_eq(rec.number, (uint64_t)k + 1);
			}
			if (take > 0)
				usleep(20000); /* let the workers fill their queues */
			mapq_grep_destroy(g);
		}
	}
	/* Created but never started. */
	mapq_grep_options o = {.matcher = m, .threads = 4, .piece = 3};
	mapq_grep *g;
	ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
	mapq_grep_destroy(g);
	mapq_grep_destroy(NULL);
	mapq_matcher_destroy(m);
	close_text(f, path);
	free(b.d);
}
END_TEST

/* Empty input, a text without a final newline, a text of newlines. */
START_TEST(degenerate_texts)
{
	static const char *const any[] = {"^"};
	static const char *const ab[] = {"ab"};
	static const char *const texts[] = {"", "\n", "\n\n\n", "ab", "\r",
	                                    "ab\n\nab", "\r\n\r\n"};
	size_t compared = 0;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		size_t len = strlen(texts[i]);
		for (unsigned threads = 1; threads <= 2; threads++) {
			for (uint64_t piece = 1; piece <= 3; piece++) {
				struct gopt o = {.flags = MAPQ_GREP_NUMBERS |
				                          MAPQ_GREP_SPANS,
				                 .before = 1, .after = 1,
				                 .threads = threads, .piece = piece};
				compared += check_text("degenerate ^", any, 1, 0,
				                       texts[i], len, &o);
				compared += check_text("degenerate ab", ab, 1, 0,
				                       texts[i], len, &o);
				o.flags |= MAPQ_GREP_INVERT;
				compared += check_text("degenerate -v ab", ab, 1, 0,
				                       texts[i], len, &o);
			}
		}
	}
	/* Some of these texts have lines ("" and "ab" have none or one). */
	ck_assert_uint_gt(compared, 0);
}
END_TEST

/* ---- regressions: faults these tests found ------------------------------ */

/*
 * REGRESSION, failing when written: with MAPQ_GREP_COUNT_ONLY and several
 * threads, summary.selected_end (documented as "offset just after the
 * last selected line") stays 0 unless max_count is reached; one thread
 * gives it.  Here: "ab\nx\nab\ny\n", grep -c ab, threads 2, pieces of 3
 * bytes: selected 2, selected_end must be 8 (after the second "ab\n").
 */
START_TEST(regression_count_only_selected_end_with_threads)
{
	static const char text[] = "ab\nx\nab\ny\n";
	char *path;
	mapq_file *f = open_text(text, sizeof text - 1, 0, &path);
	mapq_matcher *m = matcher1("ab");
	for (unsigned threads = 1; threads <= 2; threads++) {
		mapq_grep_options o = {.matcher = m, .flags = MAPQ_GREP_COUNT_ONLY,
		                       .threads = threads, .piece = 3};
		mapq_grep *g;
		ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
		mapq_grep_record rec;
		ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 0);
		mapq_grep_summary s;
		mapq_grep_summary_get(g, &s);
		ck_assert_uint_eq(s.selected, 2);
		ck_assert_msg(s.selected_end == 8,
		              "threads %u: selected_end %" PRIu64 ", expected 8",
		              threads, s.selected_end);
		mapq_grep_destroy(g);
	}
	mapq_matcher_destroy(m);
	close_text(f, path);
}
END_TEST

/*
 * REGRESSION, failing when written: without MAPQ_GREP_NUMBERS a record's
 * number must be 0, but a -B context line gets 0 - k, wrapped
 * (18446744073709551615 for the line just before): grep_lines.c's
 * next_pending() subtracts from sel_number unconditionally.  Every path
 * (mapped with one or two threads, pread).  Here: "a\nx\n", pattern x,
 * -B1: the context record "a" must have number 0.
 */
START_TEST(regression_context_number_without_numbers)
{
	static const char text[] = "a\nx\n";
	mapq_matcher *m = matcher1("x");
	for (int no_mmap = 0; no_mmap <= 1; no_mmap++) {
		for (unsigned threads = 1; threads <= 2; threads++) {
			char *path;
			mapq_file *f = open_text(text, sizeof text - 1,
			                         no_mmap ? MAPQ_OPEN_NO_MMAP : 0, &path);
			mapq_grep_options o = {.matcher = m, .before = 1,
			                       .threads = threads, .piece = 2};
			mapq_grep *g;
			ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
			mapq_grep_record rec;
			ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 1);
			ck_assert_int_eq(rec.kind, MAPQ_GREP_CONTEXT);
			ck_assert_uint_eq(rec.offset, 0);
			ck_assert_msg(rec.number == 0,
			              "%s, threads %u: context number %" PRIu64
			              ", expected 0",
			              no_mmap ? "pread" : "mapped", threads, rec.number);
			ck_assert_int_eq(mapq_grep_next(g, &rec, NULL), 1);
			ck_assert_int_eq(rec.kind, MAPQ_GREP_SELECTED);
			ck_assert_uint_eq(rec.number, 0);
			mapq_grep_destroy(g);
			close_text(f, path);
		}
	}
	mapq_matcher_destroy(m);
}
END_TEST

/*
 * REGRESSION, failing when written: on a stream, -B context is carried
 * from one window to the next only from the window just finished
 * (grep_lines.c keep_carry() replaces the carry with that window's last
 * lines), so a window holding fewer than `before` lines loses the older
 * ones.  A pipe written in three bursts, each read as one window:
 * "a1\na2\na3\n", "b\n", "hit\n"; grep -n -B3 hit must give 2-a2 3-a3
 * 4-b 5:hit (the mapped file does); the stream gave 4-b 5:hit.  (The
 * same fault made stream_equals_mapped fail now and then: its last
 * window is the final line alone, the one before it a single line.)
 */
static mapq_file *open_pipe_bursts(const char *const *bursts, size_t n,
                                   unsigned pause_us, struct tu_pipe *pf)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i++) {
			usleep(pause_us);
			size_t len = strlen(bursts[i]);
			if (write(fds[1], bursts[i], len) != (ssize_t)len)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	pf->pid = pid;
	pf->saved_stdin = -1;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
	mapq_file *f = NULL;
	mapq_error err;
	int rc = mapq_file_open(&f, path, NULL, 0, &err);
	close(fds[0]);
	ck_assert_msg(rc == MAPQ_OK, "open pipe: %s", err.msg);
	return f;
}

START_TEST(regression_stream_before_context_over_short_windows)
{
	static const char *const bursts[] = {"a1\na2\na3\n", "b\n", "hit\n"};
	static const char text[] = "a1\na2\na3\nb\nhit\n";
	mapq_matcher *m = matcher1("hit");
	static const uint64_t want[] = {2, 3, 4, 5};
	for (int stream = 0; stream <= 1; stream++) {
		struct tu_pipe pf;
		char *path = NULL;
		mapq_file *f = stream ? open_pipe_bursts(bursts, 3, 100000, &pf)
		                      : open_text(text, sizeof text - 1, 0, &path);
		mapq_grep_options o = {.matcher = m, .flags = MAPQ_GREP_NUMBERS,
		                       .before = 3, .threads = 1};
		mapq_grep *g;
		ck_assert_int_eq(mapq_grep_create(&g, f, &o, NULL), MAPQ_OK);
		mapq_grep_record rec;
		uint64_t got[8];
		size_t n = 0;
		while (n < 8 && mapq_grep_next(g, &rec, NULL) == 1)
			got[n++] = rec.number;
		mapq_grep_destroy(g);
		if (stream)
			tu_pipe_close(f, &pf, 0);
		else
			close_text(f, path);
		ck_assert_msg(n == 4, "%s: %zu records (first number %" PRIu64
		              "), expected 4: 2-a2 3-a3 4-b 5:hit",
		              stream ? "stream" : "mapped", n, n ? got[0] : 0);
		for (size_t i = 0; i < n; i++)
			ck_assert_uint_eq(got[i], want[i]);
	}
	mapq_matcher_destroy(m);
}
END_TEST

/* ---- 5. NUL-terminated records (grep -z) --------------------------------- */

/*
 * The model cuts the text at NUL bytes and asks the matcher (made with
 * MAPQ_MATCH_NULL_DATA) about each record alone; every piece size puts
 * edges inside records that hold newlines, CRLF and empty records, with
 * and without a final NUL.
 */
START_TEST(null_data_records_at_piece_edges)
{
	static const char text[] = "ab\ncd\0\0x ab\r\n\0\n\n\0b\nc ab\0"
	                           "zz\0\r\n\0ab\0q\nab";
	static const char *const ab[] = {"ab"};
	static const char *const nl[] = {"b\\nc"};
	static const char *const anchored[] = {"^ab$"};
	static const char *const empty[] = {"^$"};
	const unsigned mf = MAPQ_MATCH_NULL_DATA;
	const unsigned gf = MAPQ_GREP_NULL_DATA | MAPQ_GREP_NUMBERS;
	size_t compared = 0;
	for (size_t len = sizeof text - 3; len <= sizeof text - 1; len++) {
		for (unsigned threads = 1; threads <= 3; threads++) {
			for (uint64_t piece = 1; piece <= len + 1; piece++) {
				struct gopt o = {.flags = gf | MAPQ_GREP_SPANS, .before = 1,
				                 .after = 1, .threads = threads,
				                 .piece = piece};
				compared += check_text("-z -B1 -A1", ab, 1, mf, text, len, &o);
				compared += check_text("-z b\\nc -B1 -A1", nl, 1, mf, text,
				                       len, &o);
				o.flags |= MAPQ_GREP_INVERT;
				compared +=
				        check_text("-z -v -B1 -A1", ab, 1, mf, text, len, &o);
				o = (struct gopt){.flags = gf, .max_count = 2, .after = 2,
				                  .threads = threads, .piece = piece};
				compared += check_text("-z ^$ -m2 -A2", empty, 1, mf, text,
				                       len, &o);
				compared += check_text("-z ^ab$ -m2 -A2", anchored, 1, mf,
				                       text, len, &o);
				o = (struct gopt){.flags = gf, .before = 3, .has_range = 1,
				                  .rs = 4, .re = 30, .threads = threads,
				                  .piece = piece};
				compared +=
				        check_text("-z 4:30 -B3", ab, 1, mf, text, len, &o);
				o = (struct gopt){.flags = MAPQ_GREP_NULL_DATA |
				                           MAPQ_GREP_COUNT_ONLY,
				                  .threads = threads, .piece = piece};
				compared += check_text("-z -c", ab, 1, mf, text, len, &o);
			}
		}
	}
	ck_assert_uint_gt(compared, 0);
}
END_TEST

/* A stream of records, some longer than the chunks the pipe is written
 * in (they run across windows), gives what the mapped file gives. */
START_TEST(null_data_stream_equals_mapped)
{
	struct bytes b = {0};
	rnd_state = 777;
	for (int i = 0; i < 2000; i++) {
		char rec[400];
		int k = (int)(rnd() % 19);
		if (k == 0) {
			memset(rec, 'y', 300);
			snprintf(rec + 300, 100, " ab %d\n", i);
		} else {
			snprintf(rec, sizeof rec, "%s %d%s", k == 1 ? "ab\nhit" : "rec",
			         i, k == 2 ? "\r\n" : k == 3 ? "\n" : "");
		}
		bytes_str(&b, rec);
		bytes_add(&b, "", 1);
		if (k == 4)
			bytes_add(&b, "", 1); /* an empty record */
	}
	bytes_str(&b, "ab at the end, no NUL");
	static const char *const pats[] = {"ab"};
	mapq_matcher *m = matcher_of(pats, 1, MAPQ_MATCH_NULL_DATA);
	mapq_search *s = search_of(m);
	struct text t;
	text_split_by(&t, b.d, b.len, '\0');
	const unsigned z = MAPQ_GREP_NULL_DATA;
	const struct gopt opts[] = {
	        {.flags = z | MAPQ_GREP_NUMBERS | MAPQ_GREP_SPANS, .before = 3,
	         .after = 2, .threads = 3, .piece = 97},
	        {.flags = z | MAPQ_GREP_NUMBERS | MAPQ_GREP_INVERT, .before = 5,
	         .after = 1, .max_count = 200, .threads = 1},
	        {.flags = z | MAPQ_GREP_NUMBERS, .before = 4, .after = 4,
	         .has_range = 1, .rs = 10000, .re = 30000},
	        {.flags = z | MAPQ_GREP_NUMBERS, .has_range = 1, .rs = 20001,
	         .re = UINT64_MAX},
	        {.flags = z | MAPQ_GREP_COUNT_ONLY, .max_count = 50},
	        {.flags = z | MAPQ_GREP_NUMBERS, .max_count = 7, .after = 5},
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		struct ref want;
		model_run(&t, s, &opts[i], &want);
		ck_assert_uint_gt(want.selected, 0);
		char name[64];
		snprintf(name, sizeof name, "-z stream options %zu", i);
		set_case(name, b.d, b.len, &opts[i], pats[0]);
		char *path;
		mapq_file *f = open_text(b.d, b.len, 0, &path);
		expect_grep(f, m, &opts[i], &want, b.d);
		close_text(f, path);
		/* Read, not mapped: the same scan of records as a stream's. */
		f = open_text(b.d, b.len, MAPQ_OPEN_NO_MMAP, &path);
		expect_grep(f, m, &opts[i], &want, b.d);
		close_text(f, path);
		struct tu_pipe pf;
		size_t chunk = 101 + 37 * i;
		f = tu_pipe_open(&pf, b.d, b.len, chunk, 200, chunk * 4, 0);
		expect_grep(f, m, &opts[i], &want, b.d);
		tu_pipe_close(f, &pf, 0);
		ref_free(&want);
	}
	set_case(NULL, NULL, 0, NULL, NULL);
	text_free(&t);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	free(b.d);
}
END_TEST

/* What -z does not take, and what it does not call binary. */
START_TEST(null_data_refusals_and_no_binary)
{
	static const char text[] = "a\0b ab\0\0ab\n\200\0";
	char *path;
	mapq_file *f = open_text(text, sizeof text - 1, 0, &path);
	mapq_matcher *plain = matcher1("ab");
	static const char *const pats[] = {"ab"};
	mapq_matcher *m = matcher_of(pats, 1, MAPQ_MATCH_NULL_DATA);
	mapq_grep *g = NULL;
	mapq_error err;
	/* The matcher and the grep must agree on what ends a line. */
	mapq_grep_options o = {.matcher = plain, .flags = MAPQ_GREP_NULL_DATA};
	ck_assert_int_eq(mapq_grep_create(&g, f, &o, &err), MAPQ_EINVAL);
	o = (mapq_grep_options){.matcher = m};
	ck_assert_int_eq(mapq_grep_create(&g, f, &o, &err), MAPQ_EINVAL);
	/* A line range counts newlines. */
	mapq_range r;
	ck_assert_int_eq(mapq_range_parse(&r, "1:2", MAPQ_RANGE_LINES, &err),
	                 MAPQ_OK);
	o = (mapq_grep_options){.matcher = m, .flags = MAPQ_GREP_NULL_DATA,
	                        .range = &r};
	ck_assert_int_eq(mapq_grep_create(&g, f, &o, &err), MAPQ_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err.msg, "line range"));
	/* NUL ends records: nothing is binary, -I skips nothing. */
	for (int binary = 0; binary <= 2; binary++) {
		o = (mapq_grep_options){.matcher = m, .flags = MAPQ_GREP_NULL_DATA,
		                        .binary = (mapq_grep_binary)binary};
		ck_assert_int_eq(mapq_grep_create(&g, f, &o, &err), MAPQ_OK);
		mapq_grep_record rec;
		uint64_t offsets[4];
		size_t n = 0;
		while (n < 4 && mapq_grep_next(g, &rec, &err) == 1)
			offsets[n++] = rec.offset;
		mapq_grep_summary sum;
		mapq_grep_summary_get(g, &sum);
		mapq_grep_destroy(g);
		ck_assert_uint_eq(n, 2);
		ck_assert_uint_eq(offsets[0], 2);
		ck_assert_uint_eq(offsets[1], 8);
		ck_assert_uint_eq(sum.selected, 2);
		ck_assert_int_eq(sum.binary_match, 0);
		ck_assert_uint_eq(sum.binary_offset, UINT64_MAX);
	}
	close_text(f, path);
	/* On a stream, a byte range counted from the end cannot be known. */
	ck_assert_int_eq(mapq_range_parse(&r, "-5:", MAPQ_RANGE_BYTES, &err),
	                 MAPQ_OK);
	struct tu_pipe pf;
	f = tu_pipe_open(&pf, text, sizeof text - 1, 4, 0, 0, 0);
	o = (mapq_grep_options){.matcher = m, .flags = MAPQ_GREP_NULL_DATA,
	                        .range = &r};
	ck_assert_int_eq(mapq_grep_create(&g, f, &o, &err), MAPQ_ENOTSUP);
	tu_pipe_close(f, &pf, 0);
	mapq_matcher_destroy(plain);
	mapq_matcher_destroy(m);
}
END_TEST

static Suite *grep_suite(void)
{
	Suite *s = suite_create("grep");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, model_agrees_with_hand_written_grep);
	tcase_add_test(tc, iterator_agrees_with_hand_written_grep);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, random_cases_equal_the_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("edges");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, piece_edges_in_crlf_and_after_newlines);
	tcase_add_test(tc, context_over_many_pieces);
	tcase_add_test(tc, max_count_across_pieces);
	tcase_add_test(tc, long_line_across_pieces);
	tcase_add_test(tc, stream_equals_mapped);
	tcase_add_test(tc, binary_data_stops_at_a_selected_line);
	tcase_add_test(tc, convert_reads_nul_as_newline);
	tcase_add_test(tc, early_destroy_stops_the_threads);
	tcase_add_test(tc, degenerate_texts);
	suite_add_tcase(s, tc);

	tc = tcase_create("regressions");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, regression_count_only_selected_end_with_threads);
	tcase_add_test(tc, regression_context_number_without_numbers);
	tcase_add_test(tc, regression_stream_before_context_over_short_windows);
	suite_add_tcase(s, tc);

	tc = tcase_create("null_data");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, null_data_records_at_piece_edges);
	tcase_add_test(tc, null_data_stream_equals_mapped);
	tcase_add_test(tc, null_data_refusals_and_no_binary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(grep_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
