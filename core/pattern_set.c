/*
 * pattern_set.c - compiling patterns as grep -P does, and matching a set
 * of several patterns exactly.
 *
 * A set is never pasted into one PCRE2 alternation: that overflows
 * PCRE2's compiled-size limit after a few hundred patterns, lets a
 * pattern's text close the wrapper's group, shares group numbers between
 * patterns, and answers the first alternative that matches rather than
 * the longest.  Instead every pattern is compiled on its own (which also
 * checks it and gives PCRE2's offset in that pattern), and one of three
 * strategies finds the lines:
 *
 * - fixed:     plain -F: the multi-literal matcher is the matcher.
 * - prefilter: every pattern has a literal that all its matches contain;
 *              the multi-literal matcher finds candidate lines, and only
 *              the patterns whose literal occurs in a line are run on it.
 * - units:     otherwise PCRE2 scans: patterns that provably cannot
 *              interfere are joined into alternations of bounded size
 *              ("groups"), the others scan alone.
 *
 * In a selected line, the match reported is the leftmost of all patterns'
 * matches (each pattern's own PCRE2 match) and, of those starting there,
 * the longest, as grep -e A -e B marks them.
 */
#include "pattern_set.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "input/input.h"
#include "literal.h"
#include "multi_literal.h"

/*
 * Is matching inside a line independent of the bytes around the line, so
 * that a whole-buffer search finds the same lines?  Conservative: any
 * construct that can look past the line, or change multiline mode, makes
 * the pattern "not simple" (found as text, even inside a class: a false
 * alarm only costs speed).
 */
int mapq__pattern_is_simple(const char *p, size_t n)
{
	static const char *const unsafe[] = {"\\A", "\\z", "\\Z", "\\G",
	                                     "(?=", "(?!", "(?<=", "(?<!",
	                                     "(*", "(?C"};
	for (size_t k = 0; k < sizeof unsafe / sizeof unsafe[0]; k++)
		if (memmem(p, n, unsafe[k], strlen(unsafe[k])) != NULL)
			return 0;
	for (size_t i = 0; i + 2 < n; i++) {
		if (p[i] != '(' || p[i + 1] != '?')
			continue;
		char c = p[i + 2];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z' && c != 'P') ||
		    c == '-' || c == '^')
			return 0; /* option settings such as (?s) or (?-m) */
	}
	return 1;
}

/* Turn a PCRE2 matching failure into an error naming the file. */
int mapq__match_failed(const mapq_view *buf, int rc, mapq_error *err)
{
	const char *name = buf->file != NULL ? mapq_file_name(buf->file) : "(buffer)";
	const char *why;
	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
		why = "match limit";
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
		why = "depth limit";
		break;
	case PCRE2_ERROR_JIT_STACKLIMIT:
		why = "JIT stack limit";
		break;
	case PCRE2_ERROR_HEAPLIMIT:
		why = "heap limit";
		break;
	case PCRE2_ERROR_NOMEMORY:
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       name);
	default: {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof msg);
		return mapq__error_set(err, MAPQ_ELIMIT, 0,
		                       "%s: pattern matching failed: %s", name,
		                       (const char *)msg);
	}
	}
	return mapq__error_set(err, MAPQ_ELIMIT, 0,
	                       "%s: pattern too expensive (%s)", name, why);
}

#define JIT_STACK_START ((size_t)64 << 10)
#define JIT_STACK_MAX ((size_t)64 << 20)

/* A group's compiled size stays well below PCRE2's limit (64 KiB with
 * the usual 2-byte links); few members keep the longest-match check of a
 * group's match cheap. */
#define GROUP_BYTES_LINK2 ((size_t)24 << 10)
#define GROUP_BYTES_BIG ((size_t)256 << 10)
#define GROUP_MEMBERS 64

/* Patterns run on candidate lines are JIT compiled up to this many: JIT
 * compiling costs more than interpreting the few lines of a big set. */
#define JIT_SOLOS_MAX 512

/* ---- building pattern text ---- */

struct strbuf {
	char *p;
	size_t len, cap;
	int failed;
};

static void sb_add(struct strbuf *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (n > PTRDIFF_MAX - b->len - 1) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (q == NULL) {
			b->failed = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* A fixed string that PCRE2 reads byte for byte; its text can never end
 * inside an escape, a class or a group. */
static void sb_escaped(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c >= 0x80) {
			sb_add(b, &c, 1);
		} else if (c < 0x20 || c == 0x7f) {
			char hex[8];
			int k = snprintf(hex, sizeof hex, "\\x{%x}", c);
			sb_add(b, hex, (size_t)k);
		} else {
			/* A backslash before ASCII punctuation or space is
			 * that character itself. */
			sb_add(b, "\\", 1);
			sb_add(b, &c, 1);
		}
	}
}

/*
 * The length of the start-of-pattern settings that begin p, such as
 * (*CR) or (*LIMIT_MATCH=10): PCRE2 reads them only at the very start, so a
 * wrapper goes after them.  Backtracking verbs ((*ACCEPT), (*MARK:x)) are
 * not settings and stay where they are.
 */
static size_t leading_settings(const char *p, size_t n)
{
	static const char *const names[] = {
	        "CR", "LF", "CRLF", "ANYCRLF", "ANY", "NUL", "BSR_ANYCRLF",
	        "BSR_UNICODE", "UTF", "UCP", "NO_AUTO_POSSESS",
	        "NO_DOTSTAR_ANCHOR", "NO_JIT", "NO_START_OPT", "NOTEMPTY",
	        "NOTEMPTY_ATSTART", "LIMIT_HEAP=", "LIMIT_MATCH=",
	        "LIMIT_DEPTH=", "LIMIT_RECURSION="};
	size_t at = 0;
	for (;;) {
		if (n - at < 3 || p[at] != '(' || p[at + 1] != '*')
			return at;
		const char *close = memchr(p + at, ')', n - at);
		if (close == NULL)
			return at;
		size_t len = (size_t)(close - (p + at + 2));
		const char *name = p + at + 2;
		int known = 0;
		for (size_t k = 0; k < sizeof names / sizeof names[0] && !known; k++) {
			size_t nl = strlen(names[k]);
			if (names[k][nl - 1] == '=') {
				if (len > nl && memcmp(name, names[k], nl) == 0) {
					known = 1;
					for (size_t i = nl; i < len; i++)
						known = known && name[i] >= '0' && name[i] <= '9';
				}
			} else if (len == nl && memcmp(name, names[k], nl) == 0) {
				known = 1;
			}
		}
		if (!known)
			return at;
		at = (size_t)(close - p) + 1;
	}
}

/* ---- compiling one pattern ---- */

static int pattern_error(mapq_error *err, const mapq_pattern *p,
                         const char *what, int code, size_t off)
{
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(code, msg, sizeof msg);
	if (off > p->len)
		off = p->len;
	int shown = p->len > 200 ? 200 : (int)p->len;
	return mapq__error_set(err, MAPQ_EPATTERN, 0,
	                       "invalid pattern '%.*s': %s%s at offset %zu",
	                       shown, p->text, what, (const char *)msg, off);
}

/* pcre2_compile, in UTF mode when the text is valid UTF-8, else byte-wise
 * (grep -P refuses such a regex; mapq matches its bytes). */
static pcre2_code *compile_text(const char *text, size_t len, uint32_t options,
                                uint32_t extra, int *utf, int *code,
                                PCRE2_SIZE *at)
{
	pcre2_compile_context *cc = NULL;
	if (extra != 0) {
		cc = pcre2_compile_context_create(NULL);
		if (cc == NULL) {
			*code = PCRE2_ERROR_NOMEMORY;
			*at = 0;
			return NULL;
		}
		pcre2_set_compile_extra_options(cc, extra);
	}
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)(text != NULL ? text : ""), len,
	                               options | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
	                               code, at, cc);
	*utf = 1;
	/* Compile errors are positive; invalid UTF-8 is negative. */
	if (re == NULL && *code < 0) {
		re = pcre2_compile((PCRE2_SPTR)text, len, options, code, at, cc);
		*utf = 0;
	}
	pcre2_compile_context_free(cc);
	return re;
}

int mapq__pattern_compile(const mapq_pattern *p, unsigned flags,
                          struct mapq__compiled *out, mapq_error *err)
{
	memset(out, 0, sizeof *out);
	/* NUL-terminated records are given one at a time, as grep -zP gives
	 * them: ^ and $ at the record's ends only, not around a '\n'. */
	int records = (flags & MAPQ_MATCH_NULL_DATA) != 0;
	uint32_t options = records ? PCRE2_DOLLAR_ENDONLY : PCRE2_MULTILINE;
	if (flags & MAPQ_MATCH_CASELESS)
		options |= PCRE2_CASELESS;
	uint32_t extra = (flags & MAPQ_MATCH_LINE) ? PCRE2_EXTRA_MATCH_LINE : 0;
	int fixed = (flags & MAPQ_MATCH_FIXED) != 0;
	int word = (flags & MAPQ_MATCH_WORD) != 0;
	struct strbuf b = {NULL, 0, 0, 0};
	const char *text = p->text;
	size_t len = p->len;
	int code, rc = MAPQ_OK;
	PCRE2_SIZE at;

	if (!fixed) {
		/* The regex alone first: its errors, at its offsets. */
		out->code = compile_text(p->text, p->len, options, extra, &out->utf,
		                         &code, &at);
		if (out->code == NULL)
			return pattern_error(err, p, "", code, at);
		if (!word)
			goto compiled;
		pcre2_code_free(out->code);
		out->code = NULL;
	}
	if (fixed || word) {
		/* grep -F -w takes letters and digits of any script for word
		 * characters; grep -P -w takes PCRE2's \w, ASCII here. */
		size_t lead = fixed ? 0 : leading_settings(p->text, p->len);
		sb_add(&b, p->text, lead);
		if (word)
			sb_str(&b, fixed ? "(?<![\\p{L}\\p{N}_])(?:" : "(?<!\\w)(?:");
		if (fixed)
			sb_escaped(&b, p->text, p->len);
		else if (p->len > lead)
			sb_add(&b, p->text + lead, p->len - lead);
		if (word)
			sb_str(&b, fixed ? ")(?![\\p{L}\\p{N}_])" : ")(?!\\w)");
		if (b.failed)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		text = b.p != NULL ? b.p : "";
		len = b.len;
		out->code = compile_text(text, len, options, extra, &out->utf, &code,
		                         &at);
		if (out->code == NULL) {
			/* The regex compiled alone: its text reaches past the
			 * wrapper (an unterminated \Q, an (?x) comment).  An
			 * escaped string always compiles. */
			rc = pattern_error(err, p, fixed ? "" : "-w cannot enclose it: ",
			                   code, fixed ? 0 : p->len);
			goto done;
		}
	}

compiled:;
	/* grep -P gives PCRE2 one line at a time, with $ only at its end:
	 * under (*CR), (*ANYCRLF) or (*ANY), multiline mode would also take a
	 * \r inside the line for a line end. */
	uint32_t nl = PCRE2_NEWLINE_LF;
	pcre2_pattern_info(out->code, PCRE2_INFO_NEWLINE, &nl);
	if (nl != PCRE2_NEWLINE_LF) {
		pcre2_code_free(out->code);
		options = (options & ~(uint32_t)PCRE2_MULTILINE) | PCRE2_DOLLAR_ENDONLY;
		out->code = compile_text(text, len, options, extra, &out->utf, &code,
		                         &at);
		if (out->code == NULL) {
			rc = pattern_error(err, p, "", code, fixed || word ? 0 : at);
			goto done;
		}
		out->lines_only = 1;
	}
	if (records)
		out->lines_only = 1;
done:
	free(b.p);
	return rc;
}

/* ---- the set ---- */

enum strategy { STRAT_FIXED, STRAT_REGEX };

struct pat {
	pcre2_code *code; /* NULL in the fixed strategy */
	int jit;
	int simple;       /* may scan a whole buffer in multiline mode */
};

/* What scans the buffer in the units strategy: one pattern, or a group of
 * patterns joined as an alternation. */
struct unit {
	pcre2_code *code; /* a group's own code; a lone pattern's is borrowed */
	int own_code;
	int jit;
	int simple;
	uint32_t first, count; /* members: set->members[first ..] */
};

struct mapq__pset {
	unsigned char eol; /* what ends a line: '\n', or NUL (NULL_DATA) */
	enum strategy strategy;
	size_t n;
	struct pat *pats;
	struct mapq__mlit *ml; /* fixed: the matcher; prefilter: the filter */
	int has_empty;         /* fixed: an empty string is one of the patterns */
	struct unit *units;
	size_t n_units;
	uint32_t *members;
};

struct mapq__pset_state {
	const struct mapq__pset *set;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
	/* Candidates of a line: a pattern is one when stamp[i] == gen. */
	uint32_t *stamp;
	uint32_t gen;
	uint32_t *cand;
	size_t n_cand;
	/* Per unit, where its match in the line being resolved starts. */
	uint64_t *ustart;
};

const char *mapq__pset_strategy(const struct mapq__pset *set)
{
	if (set->strategy == STRAT_FIXED)
		return "fixed";
	return set->n_units == 0 ? "prefilter" : set->ml == NULL ? "units" : "mixed";
}

void mapq__pset_destroy(struct mapq__pset *set)
{
	if (set == NULL)
		return;
	for (size_t u = 0; u < set->n_units; u++)
		if (set->units[u].own_code)
			pcre2_code_free(set->units[u].code);
	free(set->units);
	free(set->members);
	if (set->pats != NULL)
		for (size_t i = 0; i < set->n; i++)
			pcre2_code_free(set->pats[i].code);
	free(set->pats);
	mapq__mlit_destroy(set->ml);
	free(set);
}

/* Plain -F: every pattern is a string; a line holds none with its end. */
static int create_fixed(struct mapq__pset *set, const mapq_pattern *pats,
                        size_t n, mapq_error *err)
{
	struct mapq__mlit_item *items = malloc(n * sizeof *items);
	if (items == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (pats[i].len == 0) {
			set->has_empty = 1;
			continue;
		}
		if (memchr(pats[i].text, set->eol, pats[i].len) != NULL)
			continue;
		items[k].bytes = (const unsigned char *)pats[i].text;
		items[k].len = pats[i].len;
		items[k].id = (uint32_t)i;
		k++;
	}
	int rc = MAPQ_OK;
	if (k > 0 && mapq__mlit_create(&set->ml, items, k, 0) != 0)
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	free(items);
	return rc;
}

/* Can an ASCII byte stand for itself under caseless matching?  k and s
 * also match the Kelvin sign and the long s, which are not ASCII. */
static int caseless_safe(unsigned char c)
{
	return c < 0x80 && c != 'k' && c != 'K' && c != 's' && c != 'S';
}

/*
 * The literal every match of pattern i contains, into buf (at most
 * MAPQ__LITERAL_MAX bytes); 0 when there is none usable.  Under caseless
 * matching, the longest run of it whose bytes match only ASCII bytes.
 */
static size_t required_literal(const mapq_pattern *p, unsigned flags, int utf,
                               unsigned char eol, unsigned char *buf)
{
	const unsigned char *lit;
	size_t len;
	struct mapq__literal extracted;
	if (flags & MAPQ_MATCH_FIXED) {
		lit = (const unsigned char *)p->text;
		len = p->len;
	} else {
		/* The extraction reads characters of UTF-8; a byte-wise
		 * regex's bytes are not that. */
		if (!utf)
			return 0;
		if (!mapq__literal_extract((const unsigned char *)p->text, p->len,
		                           &extracted))
			return 0;
		lit = extracted.bytes;
		len = extracted.len;
	}
	if (len == 0 || memchr(lit, eol, len) != NULL)
		return 0;
	if (flags & MAPQ_MATCH_CASELESS) {
		size_t best = 0, best_at = 0, run = 0;
		for (size_t i = 0; i < len; i++) {
			run = caseless_safe(lit[i]) ? run + 1 : 0;
			if (run > best) {
				best = run;
				best_at = i + 1 - run;
			}
		}
		lit += best_at;
		len = best;
	}
	if (len > MAPQ__LITERAL_MAX)
		len = MAPQ__LITERAL_MAX; /* a prefix of it is required too */
	memcpy(buf, lit, len);
	return len;
}

/* Does the regex refer to a group or to the whole pattern: a back
 * reference, a call, a condition on a group, or a named group (whose name
 * another pattern may also use)?  Read on its text, conservatively. */
static int refers_to_groups(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		char c = p[i], d = p[i + 1];
		if (c == '\\') {
			if ((d >= '0' && d <= '9') || d == 'g' || d == 'k')
				return 1;
			i++; /* an escaped character, whatever it is */
			continue;
		}
		if (c != '(' || d != '?' || i + 2 >= n)
			continue;
		char e = p[i + 2];
		char f = i + 3 < n ? p[i + 3] : '\0';
		if ((e >= '0' && e <= '9') || e == '+' || e == 'R' || e == '&' ||
		    e == 'P' || e == '(' || e == '\'' ||
		    (e == '-' && f >= '0' && f <= '9') ||
		    (e == '<' && f != '=' && f != '!'))
			return 1;
	}
	return 0;
}

/*
 * May pattern i be joined with others as one branch (?:P) of an
 * alternation, with the same leftmost match as alone?  Conservative, on
 * its text: it compiled alone (so its parentheses balance and no class or
 * escape is left open), and nothing in it can read on past its end (\Q, an
 * (?x) # comment), refer to its groups by number or name or to the whole
 * pattern (their numbers change in the alternation), cut the other
 * branches off with a verb, or move its match start (\K).
 */
static int joinable(const mapq_pattern *p, unsigned flags, int lines_only)
{
	if (lines_only)
		return 0;
	if (flags & MAPQ_MATCH_FIXED)
		return 1; /* escaped */
	static const char *const risky[] = {"\\Q", "#", "(*", "\\K", "(?C"};
	for (size_t k = 0; k < sizeof risky / sizeof risky[0]; k++)
		if (memmem(p->text, p->len, risky[k], strlen(risky[k])) != NULL)
			return 0;
	return !refers_to_groups(p->text, p->len);
}

/* Compile members [first, first+count) of set->members as one group into
 * a unit; a group PCRE2 refuses (too big) is split in halves. */
static int add_group(struct mapq__pset *set, const mapq_pattern *pats,
                     unsigned flags, int utf, uint32_t first, uint32_t count,
                     size_t *cap, mapq_error *err)
{
	if (set->n_units == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct unit *u = realloc(set->units, ncap * sizeof *u);
		if (u == NULL)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		set->units = u;
		*cap = ncap;
	}
	struct unit *u = &set->units[set->n_units];
	memset(u, 0, sizeof *u);
	u->first = first;
	u->count = count;
	u->simple = 1;
	for (uint32_t k = 0; k < count; k++)
		u->simple = u->simple && set->pats[set->members[first + k]].simple;
	if (count == 1) {
		const struct pat *pt = &set->pats[set->members[first]];
		u->code = pt->code;
		u->jit = pt->jit;
		set->n_units++;
		return MAPQ_OK;
	}
	struct strbuf b = {NULL, 0, 0, 0};
	int word = (flags & MAPQ_MATCH_WORD) != 0, fixed = (flags & MAPQ_MATCH_FIXED) != 0;
	if (word)
		sb_str(&b, fixed ? "(?<![\\p{L}\\p{N}_])(?:" : "(?<!\\w)(?:");
	for (uint32_t k = 0; k < count; k++) {
		const mapq_pattern *p = &pats[set->members[first + k]];
		sb_str(&b, k > 0 ? "|(?:" : "(?:");
		if (fixed)
			sb_escaped(&b, p->text, p->len);
		else
			sb_add(&b, p->text, p->len);
		sb_str(&b, ")");
	}
	if (word)
		sb_str(&b, fixed ? ")(?![\\p{L}\\p{N}_])" : ")(?!\\w)");
	if (b.failed)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	uint32_t options = PCRE2_MULTILINE | (utf ? PCRE2_UTF | PCRE2_MATCH_INVALID_UTF : 0);
	if (flags & MAPQ_MATCH_CASELESS)
		options |= PCRE2_CASELESS;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (cc == NULL) {
		free(b.p);
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	}
	if (flags & MAPQ_MATCH_LINE)
		pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_MATCH_LINE);
	int code;
	PCRE2_SIZE at;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)b.p, b.len, options, &code, &at, cc);
	pcre2_compile_context_free(cc);
	free(b.p);
	if (re == NULL) {
		/* Each member compiled alone: only the size can fail. */
		uint32_t half = count / 2;
		int rc = add_group(set, pats, flags, utf, first, half, cap, err);
		if (rc == MAPQ_OK)
			rc = add_group(set, pats, flags, utf, first + half, count - half,
			               cap, err);
		return rc;
	}
	u->code = re;
	u->own_code = 1;
	u->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	set->n_units++;
	return MAPQ_OK;
}

/* The patterns without a literal scan as units: joinable ones (join[i]
 * == 1) in groups, in pattern order, the others (0) alone; -1: a pattern
 * the prefilter finds. */
static int create_units(struct mapq__pset *set, const mapq_pattern *pats,
                        size_t n, unsigned flags, const int *join,
                        const int *utf, mapq_error *err)
{
	uint32_t link = 2;
	pcre2_config(PCRE2_CONFIG_LINKSIZE, &link);
	size_t budget = link == 2 ? GROUP_BYTES_LINK2 : GROUP_BYTES_BIG;
	set->members = malloc(n * sizeof *set->members);
	if (set->members == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	size_t cap = 0, k = 0;
	for (int pass_utf = 1; pass_utf >= 0; pass_utf--) {
		/* Joinable patterns of one mode, in groups. */
		size_t start = k, bytes = 0;
		for (size_t i = 0; i < n; i++) {
			if (join[i] != 1 || utf[i] != pass_utf)
				continue;
			size_t size = 0;
			pcre2_pattern_info(set->pats[i].code, PCRE2_INFO_SIZE, &size);
			if (k > start && (bytes + size > budget || k - start >= GROUP_MEMBERS)) {
				int rc = add_group(set, pats, flags, pass_utf, (uint32_t)start,
				                   (uint32_t)(k - start), &cap, err);
				if (rc != MAPQ_OK)
					return rc;
				start = k;
				bytes = 0;
			}
			set->members[k++] = (uint32_t)i;
			bytes += size;
		}
		if (k > start) {
			int rc = add_group(set, pats, flags, pass_utf, (uint32_t)start,
			                   (uint32_t)(k - start), &cap, err);
			if (rc != MAPQ_OK)
				return rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (join[i] != 0)
			continue;
		set->members[k] = (uint32_t)i;
		int rc = add_group(set, pats, flags, utf[i], (uint32_t)k, 1, &cap, err);
		if (rc != MAPQ_OK)
			return rc;
		k++;
	}
	/* Lone patterns scan: JIT them all. */
	for (size_t u = 0; u < set->n_units; u++) {
		struct unit *un = &set->units[u];
		if (un->own_code || un->jit)
			continue;
		struct pat *pt = &set->pats[set->members[un->first]];
		pt->jit = pcre2_jit_compile(pt->code, PCRE2_JIT_COMPLETE) == 0;
		un->jit = pt->jit;
	}
	return MAPQ_OK;
}

int mapq__pset_create(struct mapq__pset **out, const mapq_pattern *pats,
                      size_t n, unsigned flags, mapq_error *err)
{
	*out = NULL;
	if (n > UINT32_MAX - 1)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "too many patterns");
	struct mapq__pset *set = calloc(1, sizeof *set);
	if (set == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	set->n = n;
	set->eol = (flags & MAPQ_MATCH_NULL_DATA) ? '\0' : '\n';
	int rc = MAPQ_OK;
	int *join = NULL, *utf = NULL;
	struct mapq__mlit_item *items = NULL;
	unsigned char *arena = NULL;

	if ((flags & MAPQ_MATCH_FIXED) &&
	    !(flags & (MAPQ_MATCH_CASELESS | MAPQ_MATCH_WORD | MAPQ_MATCH_LINE))) {
		set->strategy = STRAT_FIXED;
		rc = create_fixed(set, pats, n, err);
		goto done;
	}

	set->pats = calloc(n, sizeof *set->pats);
	join = malloc(n * sizeof *join);
	utf = malloc(n * sizeof *utf);
	items = calloc(n, sizeof *items);
	arena = malloc(n * MAPQ__LITERAL_MAX);
	if (set->pats == NULL || join == NULL || utf == NULL || items == NULL ||
	    arena == NULL) {
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		goto done;
	}
	size_t n_lit = 0;
	for (size_t i = 0; i < n; i++) {
		struct mapq__compiled c;
		rc = mapq__pattern_compile(&pats[i], flags, &c, err);
		if (rc != MAPQ_OK)
			goto done;
		set->pats[i].code = c.code;
		set->pats[i].simple =
		        !c.lines_only && ((flags & MAPQ_MATCH_FIXED) ||
		                          mapq__pattern_is_simple(pats[i].text, pats[i].len));
		utf[i] = c.utf;
		unsigned char *buf = arena + i * MAPQ__LITERAL_MAX;
		size_t len = required_literal(&pats[i], flags, c.utf, set->eol, buf);
		if (len > 0) {
			items[n_lit].bytes = buf;
			items[n_lit].len = len;
			items[n_lit].id = (uint32_t)i;
			n_lit++;
			join[i] = -1;
		} else {
			join[i] = joinable(&pats[i], flags, c.lines_only);
		}
	}
	/* Patterns with a literal are found through the prefilter, the
	 * others by scanning with PCRE2; a line is then resolved with both. */
	set->strategy = STRAT_REGEX;
	if (n_lit > 0) {
		if (mapq__mlit_create(&set->ml, items, n_lit,
		                      (flags & MAPQ_MATCH_CASELESS) != 0) != 0) {
			rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
			goto done;
		}
		if (n_lit <= JIT_SOLOS_MAX)
			for (size_t i = 0; i < n; i++)
				if (join[i] < 0)
					set->pats[i].jit = pcre2_jit_compile(
					        set->pats[i].code, PCRE2_JIT_COMPLETE) == 0;
	}
	if (n_lit < n)
		rc = create_units(set, pats, n, flags, join, utf, err);

done:
	free(join);
	free(utf);
	free(items);
	free(arena);
	if (rc != MAPQ_OK) {
		mapq__pset_destroy(set);
		return rc;
	}
	*out = set;
	return MAPQ_OK;
}

/* ---- the per-thread state ---- */

void mapq__pset_state_destroy(struct mapq__pset_state *st)
{
	if (st == NULL)
		return;
	pcre2_match_data_free(st->md);
	pcre2_match_context_free(st->mctx);
	pcre2_jit_stack_free(st->stack);
	free(st->stamp);
	free(st->cand);
	free(st->ustart);
	free(st);
}

int mapq__pset_state_create(struct mapq__pset_state **out,
                            const struct mapq__pset *set)
{
	*out = NULL;
	struct mapq__pset_state *st = calloc(1, sizeof *st);
	if (st == NULL)
		return -1;
	st->set = set;
	if (set->strategy != STRAT_FIXED) {
		/* Only the match's bounds are read: one pair of offsets. */
		st->md = pcre2_match_data_create(1, NULL);
		st->mctx = pcre2_match_context_create(NULL);
		st->stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
		if (st->md == NULL || st->mctx == NULL || st->stack == NULL)
			goto fail;
		pcre2_jit_stack_assign(st->mctx, NULL, st->stack);
	}
	if (set->ml != NULL && set->strategy == STRAT_REGEX) {
		st->stamp = calloc(set->n, sizeof *st->stamp);
		st->cand = malloc(set->n * sizeof *st->cand);
		if (st->stamp == NULL || st->cand == NULL)
			goto fail;
	}
	if (set->n_units > 0) {
		st->ustart = malloc(set->n_units * sizeof *st->ustart);
		if (st->ustart == NULL)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	mapq__pset_state_destroy(st);
	return -1;
}

/* ---- matching ---- */

/* One PCRE2 call: 1 (match at [*ms, *me)), 0, or a PCRE2 error (<0). */
static int run(struct mapq__pset_state *st, const pcre2_code *code,
               const unsigned char *subject, size_t len, size_t start,
               uint32_t options, size_t *ms, size_t *me)
{
	/* pcre2_match takes the JIT path by itself when the code has one and
	 * the options allow (not PCRE2_ANCHORED). */
	int rc = pcre2_match(code, subject, len, start, options, st->md, st->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return rc;
	/* rc == 0: more groups than pairs; the match is still whole. */
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
	*ms = ov[0];
	*me = ov[1] >= ov[0] ? ov[1] : ov[0]; /* \K can put start after end */
	return 1;
}

static uint64_t line_start_of(const unsigned char *d, uint64_t from, uint64_t at,
                              unsigned char eol)
{
	const unsigned char *nl = at > from ? memrchr(d + from, eol, at - from) : NULL;
	return nl != NULL ? (uint64_t)(nl - d) + 1 : from;
}

static uint64_t line_end_of(const unsigned char *d, uint64_t size, uint64_t at,
                            unsigned char eol)
{
	const unsigned char *nl = at < size ? memchr(d + at, eol, size - at) : NULL;
	return nl != NULL ? (uint64_t)(nl - d) : size;
}

/* Keep the better of two matches: leftmost, then longest. */
static void consider(int *found, uint64_t *bs, uint64_t *be, uint64_t s, uint64_t e)
{
	if (!*found || s < *bs || (s == *bs && e > *be)) {
		*found = 1;
		*bs = s;
		*be = e;
	}
}

static void mark_candidate(void *ctx, uint32_t id)
{
	struct mapq__pset_state *st = ctx;
	if (st->stamp[id] != st->gen) {
		st->stamp[id] = st->gen;
		st->cand[st->n_cand++] = id;
	}
}

/*
 * The leftmost-longest match of all patterns in the line [ls, le) from
 * pos.  The patterns of the prefilter are run when their literal occurs
 * in the line, the units always; where a group of patterns matched at the
 * leftmost place, each member is asked what it matches there (the
 * alternation answered its first branch that matched, not the longest).
 */
static int resolve_line(struct mapq__pset_state *st, const mapq_view *buf,
                        uint64_t ls, uint64_t le, uint64_t pos, uint32_t options,
                        mapq_match *m, mapq_error *err)
{
	const struct mapq__pset *set = st->set;
	const unsigned char *d = buf->data + ls;
	size_t len = (size_t)(le - ls), start = (size_t)(pos - ls);
	int found = 0;
	uint64_t bs = 0, be = 0;
	if (set->ml != NULL) {
		if (++st->gen == 0) {
			memset(st->stamp, 0, set->n * sizeof *st->stamp);
			st->gen = 1;
		}
		st->n_cand = 0;
		const unsigned char *q = d, *end = d + len;
		size_t hl;
		uint32_t id;
		while ((q = mapq__mlit_find(set->ml, q, end, &hl, &id)) != NULL) {
			mapq__mlit_each_at(set->ml, q, end, mark_candidate, st);
			q++;
		}
		for (size_t k = 0; k < st->n_cand; k++) {
			size_t ms, me;
			int rc = run(st, set->pats[st->cand[k]].code, d, len, start,
			             options, &ms, &me);
			if (rc < 0)
				return mapq__match_failed(buf, rc, err);
			if (rc == 1)
				consider(&found, &bs, &be, ms, me);
		}
	}
	for (size_t u = 0; u < set->n_units; u++) {
		size_t ms, me;
		int rc = run(st, set->units[u].code, d, len, start, options, &ms, &me);
		if (rc < 0)
			return mapq__match_failed(buf, rc, err);
		st->ustart[u] = rc == 1 ? ms : UINT64_MAX;
		if (rc == 1)
			consider(&found, &bs, &be, ms, me);
	}
	if (!found)
		return 0;
	for (size_t u = 0; u < set->n_units; u++) {
		const struct unit *un = &set->units[u];
		if (st->ustart[u] != bs || un->count < 2)
			continue;
		/* An empty match at pos stays refused when asked for. */
		uint32_t opt = PCRE2_ANCHORED | (bs == start ? options : 0);
		for (uint32_t k = 0; k < un->count; k++) {
			size_t ms, me;
			int rc = run(st, set->pats[set->members[un->first + k]].code, d,
			             len, (size_t)bs, opt, &ms, &me);
			if (rc < 0)
				return mapq__match_failed(buf, rc, err);
			if (rc == 1 && ms == bs && me > be)
				be = me;
		}
	}
	m->line_start = ls;
	m->line_end = le;
	m->start = ls + bs;
	m->end = ls + be;
	return 1;
}

/* Fixed strategy: the leftmost-longest string in [pos, le); the empty
 * string, when it is a pattern, matches wherever no other does. */
static int fixed_in_line(const struct mapq__pset *set, const mapq_view *buf,
                         uint64_t ls, uint64_t le, uint64_t pos, int not_empty,
                         mapq_match *m)
{
	const unsigned char *d = buf->data;
	size_t len = 0;
	uint32_t id;
	const unsigned char *hit =
	        set->ml != NULL ? mapq__mlit_find(set->ml, d + pos, d + le, &len, &id)
	                        : NULL;
	uint64_t s, e;
	if (set->has_empty) {
		/* The empty string matches at pos, or at pos + 1 when an empty
		 * match at pos is refused; a string starting there is longer. */
		uint64_t at = pos;
		if (not_empty && !(hit != NULL && (uint64_t)(hit - d) == pos))
			at = pos + 1;
		if (at > le)
			return 0;
		if (hit != NULL && (uint64_t)(hit - d) == at) {
			s = at;
			e = at + len;
		} else if (at == pos || hit == NULL || (uint64_t)(hit - d) > at) {
			s = e = at;
		} else {
			s = (uint64_t)(hit - d); /* == pos: not empty */
			e = s + len;
		}
	} else {
		if (hit == NULL)
			return 0;
		s = (uint64_t)(hit - d);
		e = s + len;
	}
	m->line_start = ls;
	m->line_end = le;
	m->start = s;
	m->end = e;
	return 1;
}

/* The first line in [from, limit) where unit u matches, or 0.  limit is a
 * line start or the buffer's size. */
static int unit_first_line(struct mapq__pset_state *st, const struct unit *un,
                           const mapq_view *buf, uint64_t from, uint64_t limit,
                           uint64_t *ls_out, uint64_t *le_out, mapq_error *err)
{
	const unsigned char *d = buf->data;
	size_t ms, me;
	while (from < limit) {
		if (un->simple) {
			int rc = run(st, un->code, d, (size_t)limit, (size_t)from, 0, &ms, &me);
			if (rc < 0)
				return mapq__match_failed(buf, rc, err);
			if (rc == 0)
				return 0;
			/* An empty match after the final newline is not on a line. */
			if (ms == limit && d[limit - 1] == '\n')
				return 0;
			uint64_t ls = line_start_of(d, from, ms, '\n');
			uint64_t le = line_end_of(d, buf->size, ms, '\n');
			if (me <= le) {
				*ls_out = ls;
				*le_out = le;
				return 1;
			}
			/* The match ran past the line: ask about the line alone. */
			rc = run(st, un->code, d + ls, (size_t)(le - ls), 0, 0, &ms, &me);
			if (rc < 0)
				return mapq__match_failed(buf, rc, err);
			if (rc == 1) {
				*ls_out = ls;
				*le_out = le;
				return 1;
			}
			from = le + 1;
		} else {
			uint64_t le = line_end_of(d, buf->size, from, st->set->eol);
			int rc = run(st, un->code, d + from, (size_t)(le - from), 0, 0, &ms,
			             &me);
			if (rc < 0)
				return mapq__match_failed(buf, rc, err);
			if (rc == 1) {
				*ls_out = from;
				*le_out = le;
				return 1;
			}
			from = le + 1;
		}
	}
	return 0;
}

int mapq__pset_next_line(struct mapq__pset_state *st, const mapq_view *buf,
                         uint64_t from, mapq_match *m, mapq_error *err)
{
	const struct mapq__pset *set = st->set;
	const unsigned char *d = buf->data;
	uint64_t size = buf->size;
	/* The first line the prefilter confirms, then the units, each
	 * looking only before the best line found so far (limit). */
	uint64_t limit = size, best_ls = 0, best_le = 0, scan = from;
	switch (set->strategy) {
	case STRAT_FIXED:
		if (set->has_empty) {
			uint64_t le = line_end_of(d, size, from, set->eol);
			return fixed_in_line(set, buf, from, le, from, 0, m);
		}
		if (set->ml == NULL)
			return 0;
		{
			size_t len;
			uint32_t id;
			const unsigned char *hit =
			        mapq__mlit_find(set->ml, d + from, d + size, &len, &id);
			if (hit == NULL)
				return 0;
			uint64_t at = (uint64_t)(hit - d);
			m->line_start = line_start_of(d, from, at, set->eol);
			m->line_end = line_end_of(d, size, at, set->eol);
			m->start = at;
			m->end = at + len;
			return 1;
		}
	case STRAT_REGEX:
		break;
	}
	int found = 0, resolved = 0;
	while (set->ml != NULL && scan < limit) {
		size_t len;
		uint32_t id;
		const unsigned char *hit =
		        mapq__mlit_find(set->ml, d + scan, d + size, &len, &id);
		if (hit == NULL)
			break;
		uint64_t at = (uint64_t)(hit - d);
		uint64_t ls = line_start_of(d, scan, at, set->eol);
		uint64_t le = line_end_of(d, size, at, set->eol);
		int rc = resolve_line(st, buf, ls, le, ls, 0, m, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			found = resolved = 1;
			best_ls = ls;
			best_le = le;
			limit = ls;
			break;
		}
		scan = le + 1;
	}
	for (size_t u = 0; u < set->n_units; u++) {
		uint64_t ls = 0, le = 0;
		int rc = unit_first_line(st, &set->units[u], buf, from, limit, &ls, &le,
		                         err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			found = 1;
			resolved = 0;
			best_ls = ls;
			best_le = le;
			limit = ls;
		}
	}
	if (!found)
		return 0;
	if (resolved)
		return 1;
	return resolve_line(st, buf, best_ls, best_le, best_ls, 0, m, err);
}

int mapq__pset_next_in_line(struct mapq__pset_state *st, const mapq_view *buf,
                            uint64_t ls, uint64_t le, uint64_t pos,
                            int not_empty_at_pos, mapq_match *m,
                            mapq_error *err)
{
	const struct mapq__pset *set = st->set;
	uint32_t options = not_empty_at_pos ? PCRE2_NOTEMPTY_ATSTART : 0;
	switch (set->strategy) {
	case STRAT_FIXED:
		return fixed_in_line(set, buf, ls, le, pos, not_empty_at_pos, m);
	case STRAT_REGEX:
		break;
	}
	return resolve_line(st, buf, ls, le, pos, options, m, err);
}
