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
	const char *patterns[] = {"kk", "k[a-c]+k", "^a", "j$"};
	for (size_t i = 0; i < 4; i++) {
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
