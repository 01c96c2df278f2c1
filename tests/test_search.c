/* test_search.c - the search primitive: which lines match, where, and the
 * literal prefilter.  The model is PCRE2 itself called on one line at a
 * time, which is what grep -P does: the fast paths (prefilter, whole
 * buffer) must find exactly the lines it finds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "byteclass.h"
#include "literal.h"
#include "testutil.h"

/* Match lines of `text` with mapq; write their 1-based numbers into out. */
static size_t mapq_lines(const char *pattern, unsigned flags, const char *text,
                         size_t len, uint64_t *out, size_t max)
{
	mapq_pattern p = {pattern, strlen(pattern)};
	mapq_matcher *m;
	mapq_search *s;
	mapq_error err;
	ck_assert_msg(mapq_matcher_create(&m, &p, 1, flags, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view v = {(const unsigned char *)text, len, 0, NULL};
	size_t n = 0;
	uint64_t from = 0;
	mapq_match mt;
	while (mapq_search_next_line(s, &v, from, &mt, &err) == 1 && n < max) {
		ck_assert_uint_le(mt.line_start, mt.start);
		ck_assert_uint_le(mt.start, mt.end);
		ck_assert_uint_le(mt.end, mt.line_end);
		ck_assert(mt.line_start == 0 || text[mt.line_start - 1] == '\n');
		ck_assert(mt.line_end == len || text[mt.line_end] == '\n');
		uint64_t line = 1;
		for (uint64_t i = 0; i < mt.line_start; i++)
			line += text[i] == '\n';
		out[n++] = line;
		from = mt.line_end + 1;
	}
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	return n;
}

/* The model: PCRE2 on each line alone, with grep -P's wrapping. */
static size_t model_lines(const char *pattern, unsigned flags, const char *text,
                          size_t len, uint64_t *out, size_t max)
{
	char wrapped[512];
	snprintf(wrapped, sizeof wrapped, "%s%s%s%s",
	         (flags & MAPQ_MATCH_LINE) ? "^(?:" : "",
	         (flags & MAPQ_MATCH_WORD) ? "(?<!\\w)(?:" : "(?:", pattern,
	         (flags & MAPQ_MATCH_WORD) ? ")(?!\\w)" : ")");
	if (flags & MAPQ_MATCH_LINE)
		strcat(wrapped, ")$");
	int code;
	PCRE2_SIZE at;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	                ((flags & MAPQ_MATCH_CASELESS) ? PCRE2_CASELESS : 0);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)wrapped, PCRE2_ZERO_TERMINATED,
	                               opts, &code, &at, NULL);
	ck_assert_ptr_nonnull(re);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t n = 0;
	uint64_t line = 1;
	size_t ls = 0;
	while (ls < len && n < max) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;
		if (pcre2_match(re, (PCRE2_SPTR)(text + ls), le - ls, 0, 0, md, NULL) >= 0)
			out[n++] = line;
		line++;
		ls = le + 1;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return n;
}

/* Offsets of the lines mapq selects in text[0..len), into a malloc'd array. */
static size_t mapq_starts(const char *pattern, unsigned flags, const char *text,
                          size_t len, uint64_t **out)
{
	mapq_pattern p = {pattern, strlen(pattern)};
	mapq_matcher *m;
	mapq_search *s;
	mapq_error err;
	ck_assert_msg(mapq_matcher_create(&m, &p, 1, flags, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view v = {(const unsigned char *)text, len, 0, NULL};
	size_t n = 0, cap = 64;
	uint64_t *starts = malloc(cap * sizeof *starts);
	uint64_t from = 0;
	mapq_match mt;
	int rc;
	while ((rc = mapq_search_next_line(s, &v, from, &mt, &err)) == 1) {
		ck_assert_uint_le(mt.line_start, mt.start);
		ck_assert_uint_le(mt.start, mt.end);
		ck_assert_uint_le(mt.end, mt.line_end);
		ck_assert(mt.line_start == 0 || text[mt.line_start - 1] == '\n');
		ck_assert(mt.line_end == len || text[mt.line_end] == '\n');
		if (n == cap)
			starts = realloc(starts, (cap *= 2) * sizeof *starts);
		starts[n++] = mt.line_start;
		from = mt.line_end + 1;
	}
	ck_assert_int_eq(rc, 0);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	*out = starts;
	return n;
}

/* The same from PCRE2 alone, one line at a time (the model above). */
static size_t model_starts(const char *pattern, unsigned flags, const char *text,
                           size_t len, uint64_t **out)
{
	char wrapped[512];
	snprintf(wrapped, sizeof wrapped, "%s%s%s%s%s",
	         (flags & MAPQ_MATCH_LINE) ? "^(?:" : "",
	         (flags & MAPQ_MATCH_WORD) ? "(?<!\\w)(?:" : "(?:", pattern,
	         (flags & MAPQ_MATCH_WORD) ? ")(?!\\w)" : ")",
	         (flags & MAPQ_MATCH_LINE) ? ")$" : "");
	int code;
	PCRE2_SIZE at;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	                ((flags & MAPQ_MATCH_CASELESS) ? PCRE2_CASELESS : 0);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)wrapped, PCRE2_ZERO_TERMINATED,
	                               opts, &code, &at, NULL);
	ck_assert_ptr_nonnull(re);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t n = 0, cap = 64;
	uint64_t *starts = malloc(cap * sizeof *starts);
	size_t ls = 0;
	while (ls < len) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;
		if (pcre2_match(re, (PCRE2_SPTR)(text + ls), le - ls, 0, 0, md, NULL) >= 0) {
			if (n == cap)
				starts = realloc(starts, (cap *= 2) * sizeof *starts);
			starts[n++] = ls;
		}
		ls = le + 1;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	*out = starts;
	return n;
}

/* mapq selects exactly the lines PCRE2 alone selects; returns their count. */
static size_t check_against_model(const char *pattern, unsigned flags,
                                  const char *text, size_t len)
{
	uint64_t *got, *want;
	size_t g = mapq_starts(pattern, flags, text, len, &got);
	size_t w = model_starts(pattern, flags, text, len, &want);
	size_t k = 0;
	while (k < g && k < w && got[k] == want[k])
		k++;
	ck_assert_msg(g == w && k == g,
	              "pattern '%s' flags %u, %zu bytes: %zu lines, model %zu; "
	              "first difference: line at %lld vs %lld",
	              pattern, flags, len, g, w,
	              k < g ? (long long)got[k] : -1LL,
	              k < w ? (long long)want[k] : -1LL);
	free(got);
	free(want);
	return g;
}

/* Random text of whole tokens, at most cap bytes; returns its length. */
static size_t random_text(char *buf, size_t cap, unsigned *seed,
                          const char *const *tokens, size_t ntokens)
{
	size_t len = 0;
	for (;;) {
		*seed = *seed * 1103515245u + 12345u;
		const char *t = tokens[(*seed >> 16) % ntokens];
		size_t n = strlen(t);
		if (len + n > cap)
			return len;
		memcpy(buf + len, t, n);
		len += n;
	}
}

/* Lines of assorted shapes: empty, CRLF, no trailing newline, UTF-8,
 * invalid bytes, words next to the line edges. */
static const char sample[] =
        "alpha beta\n"
        "\n"
        "beta\r\n"
        "GAMMA delta=42 beta\n"
        "x\n"
        "xxy zzz\n"
        "caf\xc3\xa9 beta\n"
        "bad \xff\xfe beta bytes\n"
        "end of the line beta\n"
        "beta42\n"
        "  indented\tbeta\t\n"
        "\n"
        "last line without newline beta";

START_TEST(modes_agree_with_per_line_model)
{
	static const char *patterns[] = {
	        "beta", "^beta", "beta$", "a\\s+b", "\\s", "[^a]\\n?b", "x*",
	        "^", "$", "^$", "\\d+", "delta=\\d+", "(?<=delta=)4", "e\\z",
	        "^\\s*$", "(?i)GAMMA", "caf\xc3\xa9", "\xc3\xa9 b", "\\bbeta\\b",
	        "a(?=\\n)", "(?s)a.b", "beta\\r", "[[:alpha:]]+42", "t.*e",
	        "(b)e\\1?ta", "zz+", "line", "bad", "y z", "l(?:ine|ast)",
	        "be(ta|t)", "\\Aend", "without newline beta",
	};
	static const unsigned flag_sets[] = {0, MAPQ_MATCH_CASELESS, MAPQ_MATCH_WORD,
	                                     MAPQ_MATCH_LINE,
	                                     MAPQ_MATCH_WORD | MAPQ_MATCH_CASELESS};
	uint64_t got[64], want[64];
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		for (size_t f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
			size_t g = mapq_lines(patterns[i], flag_sets[f], sample,
			                      sizeof sample - 1, got, 64);
			size_t w = model_lines(patterns[i], flag_sets[f], sample,
			                       sizeof sample - 1, want, 64);
			ck_assert_msg(g == w, "pattern '%s' flags %u: %zu lines, model %zu",
			              patterns[i], flag_sets[f], g, w);
			for (size_t k = 0; k < g; k++)
				ck_assert_msg(got[k] == want[k], "pattern '%s': line %lu vs %lu",
				              patterns[i], (unsigned long)got[k],
				              (unsigned long)want[k]);
		}
}
END_TEST

START_TEST(match_at_buffer_edges)
{
	uint64_t got[8];
	/* First byte, last byte without newline, last line with one. */
	ck_assert_uint_eq(mapq_lines("^ab", 0, "abc\nxyz", 7, got, 8), 1);
	ck_assert_uint_eq(got[0], 1);
	ck_assert_uint_eq(mapq_lines("yz$", 0, "abc\nxyz", 7, got, 8), 1);
	ck_assert_uint_eq(got[0], 2);
	ck_assert_uint_eq(mapq_lines("z", 0, "abc\nxyz\n", 8, got, 8), 1);
	/* An empty match after the final newline is not a line. */
	ck_assert_uint_eq(mapq_lines("^", 0, "a\nb\n", 4, got, 8), 2);
	ck_assert_uint_eq(mapq_lines("x*", 0, "a\n\nb", 4, got, 8), 3);
	ck_assert_uint_eq(mapq_lines("^$", 0, "a\n\nb\n", 5, got, 8), 1);
	ck_assert_uint_eq(got[0], 2);
	ck_assert_uint_eq(mapq_lines("a", 0, "", 0, got, 8), 0);
}
END_TEST

START_TEST(matches_inside_a_line_left_to_right)
{
	/* Overlapping candidates: after "aaa" at 0 the search resumes at 3,
	 * so the overlapping "aaa" at 1 and 2 are not reported. */
	const char text[] = "aaaaa aXa\n";
	mapq_pattern p = {"a.a", 3};
	mapq_matcher *m;
	mapq_search *s;
	ck_assert_int_eq(mapq_matcher_create(&m, &p, 1, 0, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view v = {(const unsigned char *)text, sizeof text - 1, 0, NULL};
	mapq_match mt;
	uint64_t expect[][2] = {{0, 3}, {4, 7}};
	uint64_t pos = 0;
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(mapq_search_next_in_line(s, &v, 0, 9, pos, 0, &mt, NULL), 1);
		ck_assert_uint_eq(mt.start, expect[i][0]);
		ck_assert_uint_eq(mt.end, expect[i][1]);
		pos = mt.end;
	}
	ck_assert_int_eq(mapq_search_next_in_line(s, &v, 0, 9, pos, 0, &mt, NULL), 0);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);

	/* An empty match, then the same place refused when asked. */
	mapq_pattern q = {"x*", 2};
	ck_assert_int_eq(mapq_matcher_create(&m, &q, 1, 0, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view w = {(const unsigned char *)"axxb", 4, 0, NULL};
	ck_assert_int_eq(mapq_search_next_in_line(s, &w, 0, 4, 0, 0, &mt, NULL), 1);
	ck_assert_uint_eq(mt.start, 0);
	ck_assert_uint_eq(mt.end, 0);
	ck_assert_int_eq(mapq_search_next_in_line(s, &w, 0, 4, 0, 1, &mt, NULL), 1);
	ck_assert_uint_eq(mt.start, 1);
	ck_assert_uint_eq(mt.end, 3);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
}
END_TEST

START_TEST(several_patterns_and_fixed_strings)
{
	mapq_pattern ps[] = {{"b(.)\\1", 7}, {"(x)\\1", 5}, {"a.c", 3}};
	mapq_matcher *m;
	mapq_search *s;
	/* Each pattern keeps its own group numbers. */
	ck_assert_int_eq(mapq_matcher_create(&m, ps, 3, 0, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	const char text[] = "bxx\nxx\nabc\na.c\nnone\n";
	mapq_view v = {(const unsigned char *)text, sizeof text - 1, 0, NULL};
	mapq_match mt;
	uint64_t from = 0;
	int lines = 0;
	while (mapq_search_next_line(s, &v, from, &mt, NULL) == 1) {
		lines++;
		from = mt.line_end + 1;
	}
	ck_assert_int_eq(lines, 4);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);

	/* -F: metacharacters, a NUL and control bytes are plain bytes. */
	uint64_t got[8];
	ck_assert_uint_eq(mapq_lines("a.c", MAPQ_MATCH_FIXED, text, sizeof text - 1,
	                             got, 8), 1);
	ck_assert_uint_eq(got[0], 4);
	mapq_pattern nul = {"a\0b(", 4};
	ck_assert_int_eq(mapq_matcher_create(&m, &nul, 1, MAPQ_MATCH_FIXED, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view z = {(const unsigned char *)"xa\0b(y\nab(\n", 11, 0, NULL};
	ck_assert_int_eq(mapq_search_next_line(s, &z, 0, &mt, NULL), 1);
	ck_assert_uint_eq(mt.start, 1);
	ck_assert_uint_eq(mt.end, 5);
	ck_assert_int_eq(mapq_search_next_line(s, &z, 7, &mt, NULL), 0);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);

	/* No patterns: nothing matches. */
	ck_assert_int_eq(mapq_matcher_create(&m, NULL, 0, 0, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	ck_assert_int_eq(mapq_search_next_line(s, &v, 0, &mt, NULL), 0);
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
}
END_TEST

START_TEST(bad_pattern_and_limits_are_errors)
{
	mapq_pattern p = {"ab(c", 4};
	mapq_matcher *m = NULL;
	mapq_error err;
	ck_assert_int_eq(mapq_matcher_create(&m, &p, 1, 0, &err), MAPQ_EPATTERN);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(err.msg, "'ab(c'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "offset 4"));

	/* Catastrophic backtracking: an error, never a silent non-match. */
	size_t len = 100000;
	char *line = malloc(len + 2);
	memset(line, 'a', len);
	line[len] = 'b';
	line[len + 1] = '\n';
	mapq_pattern q = {"(a+)+$", 6};
	mapq_search *s;
	ck_assert_int_eq(mapq_matcher_create(&m, &q, 1, 0, NULL), 0);
	ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
	mapq_view v = {(const unsigned char *)line, len + 2, 0, NULL};
	mapq_match mt;
	ck_assert_int_eq(mapq_search_next_line(s, &v, 0, &mt, &err), MAPQ_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "pattern too expensive"));
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	free(line);
}
END_TEST

/* Searching window by window (whole lines each) finds the lines a single
 * pass over the buffer finds: nothing is lost at window seams. */
START_TEST(windows_find_what_one_pass_finds)
{
	size_t len = 3 << 20;
	char *buf = malloc(len);
	unsigned seed = 5;
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 40;
		buf[i] = r == 0 ? '\n' : r < 3 ? 'k' : (char)('a' + r % 11);
	}
	char *path;
	mapq_view whole;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &whole);
	const char *patterns[] = {"kk", "k[a-c]+k", "^a", "j$", "[a-c]{5}k"};
	for (size_t i = 0; i < 5; i++) {
		mapq_pattern p = {patterns[i], strlen(patterns[i])};
		mapq_matcher *m;
		mapq_search *s;
		ck_assert_int_eq(mapq_matcher_create(&m, &p, 1, 0, NULL), 0);
		ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
		uint64_t one = 0, from = 0;
		mapq_match mt;
		while (mapq_search_next_line(s, &whole, from, &mt, NULL) == 1) {
			one++;
			from = mt.line_end + 1;
		}
		uint64_t windowed = 0;
		mapq_scan *sc;
		mapq_view w;
		/* The whole file (a NULL range). */
		ck_assert_int_eq(mapq_scan_create(&sc, f, NULL, 64 << 10,
		                                  MAPQ_SCAN_LINES, NULL), 0);
		while (mapq_scan_next(sc, &w, NULL) == 1) {
			from = 0;
			while (mapq_search_next_line(s, &w, from, &mt, NULL) == 1) {
				windowed++;
				from = mt.line_end + 1;
			}
		}
		mapq_scan_destroy(sc);
		ck_assert_uint_gt(one, 0);
		ck_assert_msg(one == windowed, "%s: %lu vs %lu", patterns[i],
		              (unsigned long)one, (unsigned long)windowed);
		mapq_search_destroy(s);
		mapq_matcher_destroy(m);
	}
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

START_TEST(literal_extraction)
{
	struct {
		const char *re;
		const char *lit; /* NULL: none may be claimed */
		int whole;
	} cases[] = {
	        {"hello", "hello", 1},
	        {"GET /api/v1/items/\\d+ status=500", "GET /api/v1/items/", 0},
	        {"ab*cdef", "cdef", 0},
	        {"abc+", "abc", 0},
	        {"abc?de", "ab", 0},
	        {"a\\.b\\.c", "a.b.c", 1},
	        {"x{2}yz", "yz", 0},
	        {"(foo|bar)bazz", "bazz", 0},
	        {"foo|barbaz", NULL, 0},
	        {"(?i)hello", NULL, 0},
	        {"\\x41BC", NULL, 0},
	        {"\\Qa.b\\E", NULL, 0},
	        {"[abc]def", "def", 0},
	        {"caf\xc3\xa9?x", "caf", 0},
	        {"\\d+\\s", NULL, 0},
	        /* (*ACCEPT) in a group makes what follows optional; \Q in a
	         * class may hide its end. */
	        {"x(?:(*ACCEPT))yyy", NULL, 0},
	        {"[\\Q]x[\\E]", NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mapq__literal lit;
		int found = mapq__literal_extract((const unsigned char *)cases[i].re,
		                                  strlen(cases[i].re), &lit);
		if (cases[i].lit == NULL) {
			ck_assert_msg(!found, "%s: claimed a literal", cases[i].re);
			continue;
		}
		ck_assert_msg(found, "%s: no literal", cases[i].re);
		ck_assert_msg(lit.len == strlen(cases[i].lit) &&
		                      memcmp(lit.bytes, cases[i].lit, lit.len) == 0,
		              "%s: got '%.*s'", cases[i].re, (int)lit.len, lit.bytes);
		ck_assert_int_eq(lit.whole, cases[i].whole);
	}
}
END_TEST

/* The prefilter finds exactly the occurrences memmem finds. */
START_TEST(prefilter_equals_memmem)
{
	static unsigned char hay[20000];
	unsigned seed = 9;
	for (size_t i = 0; i < sizeof hay; i++) {
		seed = seed * 1664525u + 1013904223u;
		hay[i] = (unsigned char)("abcab=1\n"[(seed >> 24) % 8]);
	}
	const char *needles[] = {"ab=1", "cab", "=1\na", "bb", "a", "1\nab=1\nc"};
	for (size_t k = 0; k < 6; k++) {
		struct mapq__literal lit;
		lit.len = strlen(needles[k]);
		memcpy(lit.bytes, needles[k], lit.len);
		mapq__literal_plan(&lit, 0, NULL);
		const unsigned char *p = hay, *end = hay + sizeof hay;
		for (;;) {
			const unsigned char *want = memmem(p, (size_t)(end - p), needles[k], lit.len);
			const unsigned char *got = mapq__literal_find(&lit, p, end);
			ck_assert_ptr_eq(got, want);
			if (want == NULL)
				break;
			p = want + 1;
		}
	}
}
END_TEST

/* The caseless prefilter trusts that, under PCRE2's caseless UTF matching,
 * every ASCII byte but k, K, s and S matches only ASCII characters (itself
 * and its other case).  Ask PCRE2 about every code point. */
START_TEST(caseless_ascii_partners)
{
	int code;
	PCRE2_SIZE at;
	const char *safe = "[\\x00-\\x4a\\x4c-\\x52\\x54-\\x6a\\x6c-\\x72\\x74-\\x7f]";
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)safe, PCRE2_ZERO_TERMINATED,
	                               PCRE2_UTF | PCRE2_CASELESS, &code, &at, NULL);
	ck_assert_ptr_nonnull(re);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	pcre2_code *ks = pcre2_compile((PCRE2_SPTR) "[ks]", 4,
	                               PCRE2_UTF | PCRE2_CASELESS, &code, &at, NULL);
	ck_assert_ptr_nonnull(ks);
	unsigned ks_partners = 0;
	for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		unsigned char u[4];
		size_t n;
		if (cp < 0x800) {
			u[0] = (unsigned char)(0xC0 | cp >> 6);
			u[1] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (unsigned char)(0xE0 | cp >> 12);
			u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			u[2] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			u[0] = (unsigned char)(0xF0 | cp >> 18);
			u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			u[3] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		ck_assert_msg(pcre2_match(re, u, n, 0, 0, md, NULL) < 0,
		              "U+%04X matches an ASCII byte other than k/s caselessly",
		              (unsigned)cp);
		ks_partners += pcre2_match(ks, u, n, 0, 0, md, NULL) >= 0;
	}
	/* KELVIN SIGN and LONG S: the reason k and s are left out. */
	ck_assert_uint_eq(ks_partners, 2);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	pcre2_code_free(ks);
}
END_TEST

/* The caseless literal scan finds the first place where the span (or the
 * lone byte) matches in either ASCII case, at every alignment. */
START_TEST(caseless_prefilter_finds_first_candidate)
{
	static unsigned char hay[30000];
	unsigned seed = 21;
	for (size_t i = 0; i < sizeof hay; i++) {
		seed = seed * 1664525u + 1013904223u;
		hay[i] = (unsigned char)("eErRoOkKsS=1\n\xc5\xbf"[(seed >> 24) % 15]);
	}
	const char *needles[] = {"error", "ERR", "kero", "sEr=1", "ks", "=k",
	                         "s\xc5\xbfo", "skr1"};
	for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
		struct mapq__literal lit;
		lit.len = strlen(needles[k]);
		memcpy(lit.bytes, needles[k], lit.len);
		uint32_t freq[256] = {0};
		for (size_t i = 0; i < 4096; i++)
			freq[hay[i]]++;
		for (int planned = 0; planned < 2; planned++) {
			mapq__literal_plan(&lit, 1, planned ? freq : NULL);
			/* Nothing to look for when every byte may fold far. */
			ck_assert_int_eq(lit.usable,
			                 strspn(needles[k], "kKsS") < lit.len);
			if (!lit.usable)
				continue;
			const unsigned char *span = lit.bytes + lit.span_off;
			const unsigned char *p = hay, *end = hay + sizeof hay;
			for (;;) {
				const unsigned char *want = NULL;
				for (const unsigned char *s = p; want == NULL && s < end; s++) {
					if (!lit.pair) {
						if ((*s | 0x20) == (lit.b1 | 0x20) &&
						    (*s == lit.b1 || *s == lit.b1alt))
							want = s;
						continue;
					}
					if ((size_t)(end - s) < lit.span_len)
						break;
					size_t i = 0;
					while (i < lit.span_len &&
					       (s[i] == span[i] ||
					        ((s[i] | 0x20) == (span[i] | 0x20) &&
					         (span[i] | 0x20) >= 'a' && (span[i] | 0x20) <= 'z')))
						i++;
					if (i == lit.span_len)
						want = s;
				}
				const unsigned char *got = mapq__literal_find(&lit, p, end);
				ck_assert_msg(got == want, "%s: %td vs %td", needles[k],
				              got ? got - hay : -1, want ? want - hay : -1);
				if (want == NULL)
					break;
				p = want + 1;
			}
		}
	}
}
END_TEST

/* -i searches find what PCRE2 alone finds, with text where letters fold to
 * multi-byte characters (KELVIN SIGN, LONG S), CRLF lines, lines at the
 * buffer's edges, small buffers (a static plan) and large ones (planned from
 * the data). */
START_TEST(caseless_search_agrees_with_pcre2)
{
	static const char *const tokens[] = {
	        "e", "E", "r", "R", "o", "O", "k", "K", "s", "S", "u", "U", "=",
	        "8", "3", "5", " ", "\r\n", "\n", "\xe2\x84\xaa" /* KELVIN */,
	        "\xc5\xbf" /* LONG S */, "\xc3\xa9", "error", "ERROR", "user=u8835",
	        "sk", "\xff",
	};
	static const char *const patterns[] = {
	        "error", "ERROR", "rro", "user=u8835", "USER=U8835", "ks", "sk",
	        "oks", "kero", "se", "es=u", "r k", "e\\r", "ro+r", "ERR[o]R",
	        "\xc3\xa9r", "s\xc5\xbf", "e",
	};
	static const unsigned flag_sets[] = {MAPQ_MATCH_CASELESS,
	                                     MAPQ_MATCH_CASELESS | MAPQ_MATCH_WORD};
	static const size_t sizes[] = {0, 1, 700, 3000, 70000};
	char *text = malloc(70000);
	unsigned seed = 77;
	size_t selected = 0;
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		size_t len = random_text(text, sizes[z], &seed, tokens,
		                         sizeof tokens / sizeof tokens[0]);
		for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
			for (size_t f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++)
				selected += check_against_model(patterns[i], flag_sets[f],
				                                text, len);
	}
	ck_assert_uint_gt(selected, 1000);
	free(text);
}
END_TEST

/* Runs of byte classes: how many, the longest's length and its number of
 * distinct sets (0 runs: nothing may be claimed). */
START_TEST(class_run_extraction)
{
	struct {
		const char *re;
		int caseless;
		size_t runs, len, sets;
	} cases[] = {
	        {"[0-9a-f]{16}", 0, 1, 16, 1},
	        {"[a-z]{9} [a-z]{9}", 0, 1, 19, 2},
	        {"[0-9a-f]{4}", 1, 1, 4, 1},
	        {"\\d+\\s", 0, 2, 1, 1},
	        {"[^a]bc", 0, 1, 2, 2},
	        {"a.b", 0, 2, 1, 1},
	        {"ab{2,5}c", 0, 2, 3, 2},
	        {"ab{2}c", 0, 1, 4, 3},
	        {"a{0}b", 0, 1, 1, 1},
	        {"ab?c", 0, 2, 1, 1},
	        {"x{100}", 0, 1, 64, 1},
	        {"[[:digit:]]{4}-[[:xdigit:]]{2}", 0, 1, 7, 3},
	        {"\\bword\\b", 0, 1, 4, 4},
	        {"(ab)+cd", 0, 1, 2, 2},
	        {"caf\xc3\xa9{2}", 0, 1, 7, 5},
	        {"caf\xc3\xa9{2}", 1, 1, 3, 3},      /* é may fold: a cut */
	        {"k[a-f]{3}", 1, 1, 3, 1},           /* k folds to KELVIN SIGN */
	        {"[r-t]{3}x", 1, 1, 1, 1},           /* so does s */
	        {"\\w{3}", 1, 0, 0, 0},              /* \w holds k and s */
	        {"[\\]a-]{2}\\.", 0, 1, 3, 2},
	        {"[]a]{2}", 0, 1, 2, 1},
	        {"[\\n]x", 0, 1, 1, 1},              /* no line holds '\n' */
	        {"a|b", 0, 0, 0, 0},
	        {"(?i)abc", 0, 0, 0, 0},
	        {"x(?:(*ACCEPT))yyy", 0, 0, 0, 0},
	        {"[\\Q]x[\\E]", 0, 0, 0, 0},
	        {"\\x41BC", 0, 0, 0, 0},
	        {"a\\nb", 0, 0, 0, 0},
	        {"a{,3}b", 0, 0, 0, 0},
	        {"\\p{L}x", 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mapq__classes c;
		size_t runs = mapq__classes_extract((const unsigned char *)cases[i].re,
		                                    strlen(cases[i].re),
		                                    cases[i].caseless, &c);
		ck_assert_msg(runs == cases[i].runs, "%s: %zu runs", cases[i].re, runs);
		mapq__classes_plan(&c, NULL, 0);
		ck_assert_int_eq(c.usable, runs > 0);
		if (runs == 0)
			continue;
		ck_assert_msg(c.run.len == cases[i].len && c.run.nsets == cases[i].sets,
		              "%s: run of %zu, %zu sets", cases[i].re, c.run.len,
		              c.run.nsets);
	}
}
END_TEST

/* The byte-class scan finds the first start where every position's byte
 * is in its set, at every alignment and near the end of the buffer, in
 * both the AVX2 and the portable scan. */
START_TEST(class_scan_finds_first_run)
{
	static unsigned char hay[40000];
	unsigned seed = 3;
	for (size_t i = 0; i < sizeof hay; i++) {
		seed = seed * 1664525u + 1013904223u;
		unsigned r = (seed >> 24) % 20;
		hay[i] = (unsigned char)(r < 14 ? "0123456789abcdef"[seed % 16]
		                         : "gx \nZ\xc3"[r - 14]);
		if (r == 19 && i + 1 < sizeof hay)
			hay[++i] = 0xa9; /* é, or a lone byte of it */
	}
	const char *patterns[] = {"[0-9a-f]{5}", "[0-9a-f]{16}", "[0-9]{2}[a-f]",
	                          "x[0-9a-f]{3} ", "\xc3\xa9[0-9]", "[a-f]{3}\\s",
	                          "[0-9a-f]{40}"};
	for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
		struct mapq__classes c;
		ck_assert_uint_eq(mapq__classes_extract((const unsigned char *)patterns[k],
		                                        strlen(patterns[k]), 0, &c), 1);
		for (int planned = 0; planned < 2; planned++) {
			mapq__classes_plan(&c, planned ? hay : NULL, planned ? 8192 : 0);
			const struct mapq__class_run *r = &c.run;
			for (int portable = 0; portable < 2; portable++) {
				c.portable = portable;
				size_t found = 0;
				/* Ends cut anywhere (the last blocks go through the
				 * padded tail), then the whole buffer. */
				for (size_t cut = sizeof hay - 300;; cut += 37) {
					if (cut > sizeof hay)
						cut = sizeof hay;
					const unsigned char *p = hay, *end = hay + cut;
					if (cut != sizeof hay)
						p = end - 290;
					for (;;) {
						const unsigned char *want = NULL;
						for (const unsigned char *s = p;
						     want == NULL && (size_t)(end - s) >= r->len; s++) {
							size_t i = 0;
							while (i < r->len &&
							       (r->sets[r->set_of[i]].w[s[i] >> 6] >> (s[i] & 63) & 1))
								i++;
							if (i == r->len)
								want = s;
						}
						const unsigned char *got = mapq__classes_find(&c, p, end);
						ck_assert_msg(got == want, "%s portable %d: %td vs %td",
						              patterns[k], portable, got ? got - hay : -1,
						              want ? want - hay : -1);
						if (want == NULL)
							break;
						found++;
						p = want + 1;
					}
					if (cut == sizeof hay)
						break;
				}
				ck_assert_msg(found > 0 || k == 6, "%s: nothing found", patterns[k]);
			}
		}
	}
}
END_TEST

/* Patterns without a (useful) literal find what PCRE2 alone finds, with
 * the byte-class prefilter or without it, on text where the runs are rare
 * and where they are everywhere, in both cases, with -w and -x. */
START_TEST(class_search_agrees_with_pcre2)
{
	static const char *const tokens[] = {
	        "the ", "connection ", "exhausted ", "deadbeef", "0123456789abcdef",
	        "cafe", "F00D", "42", "7", " ", " ", "=", "\r\n", "\n", "\n",
	        "\xc3\xa9", "\xe2\x84\xaa" /* KELVIN */, "\xc5\xbf" /* LONG S */,
	        "\xff", "ERROR", "request", "x", "-", ".", "\t",
	};
	static const char *const patterns[] = {
	        "[0-9a-f]{16}", "[a-z]{9} [a-z]{9}", "[0-9a-f]{4}", "\\d{3}",
	        "[A-Z]{3}", "x[0-9]+", "[[:xdigit:]]{5}", "\xc3\xa9{2}[a-f]",
	        "[a-f]{2}\\s[0-9]", "[^a-z]{3}", "\\w{6}", "[.]{1}[0-9]",
	        "[a\\-z]{2}", "[]a]{2}", "[c-f]{4}", "K[a-f]{2}", "[r-t]{2}e",
	        "[a-z]{10}", "[0-9a-f]{8}$", "^[a-z]{3}", "d[a-f]{3}(?=b)",
	        "(?<=-)[a-z]{3}", "[a-f]{2,}\\d",
	};
	static const unsigned flag_sets[] = {0, MAPQ_MATCH_CASELESS, MAPQ_MATCH_WORD,
	                                     MAPQ_MATCH_LINE};
	static const size_t sizes[] = {0, 1, 600, 5000, 100000};
	char *text = malloc(100000);
	unsigned seed = 1234;
	size_t selected = 0;
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		/* Runs rare: mostly words, hex seldom. */
		size_t ntok = z % 2 ? sizeof tokens / sizeof tokens[0] : 4;
		size_t len = random_text(text, sizes[z], &seed, tokens, ntok);
		if (z % 2 == 0) /* words and spaces only, then one hex run */
			for (size_t i = 0; i + 20 < len; i += 9000)
				memcpy(text + i, "0123456789abcdef", 16);
		for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
			for (size_t f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++)
				selected += check_against_model(patterns[i], flag_sets[f],
				                                text, len);
	}
	ck_assert_uint_gt(selected, 1000);
	free(text);
}
END_TEST

/* A newline in a pattern (possible through the API) can match no line:
 * no prefilter may report the newline itself as a match. */
START_TEST(newline_in_pattern_selects_nothing)
{
	const char text[] = "a\nb\nab\n\na";
	uint64_t got[8];
	ck_assert_uint_eq(mapq_lines("\n", 0, text, sizeof text - 1, got, 8), 0);
	ck_assert_uint_eq(mapq_lines("a\nb", 0, text, sizeof text - 1, got, 8), 0);
	ck_assert_uint_eq(mapq_lines("a\nb", MAPQ_MATCH_FIXED, text, sizeof text - 1,
	                             got, 8), 0);
	ck_assert_uint_eq(mapq_lines("\n", MAPQ_MATCH_FIXED, text, sizeof text - 1,
	                             got, 8), 0);
	ck_assert_uint_eq(mapq_lines("[a\n]b", 0, text, sizeof text - 1, got, 8), 1);
	ck_assert_uint_eq(got[0], 3);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("search");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, modes_agree_with_per_line_model);
	tcase_add_test(tc, match_at_buffer_edges);
	tcase_add_test(tc, matches_inside_a_line_left_to_right);
	tcase_add_test(tc, several_patterns_and_fixed_strings);
	tcase_add_test(tc, bad_pattern_and_limits_are_errors);
	tcase_add_test(tc, windows_find_what_one_pass_finds);
	tcase_add_test(tc, literal_extraction);
	tcase_add_test(tc, prefilter_equals_memmem);
	tcase_add_test(tc, caseless_ascii_partners);
	tcase_add_test(tc, caseless_prefilter_finds_first_candidate);
	tcase_add_test(tc, caseless_search_agrees_with_pcre2);
	tcase_add_test(tc, class_run_extraction);
	tcase_add_test(tc, class_scan_finds_first_run);
	tcase_add_test(tc, class_search_agrees_with_pcre2);
	tcase_add_test(tc, newline_in_pattern_selects_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(search_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
