/* test_patterns.c - several patterns at once: the multi-literal matcher
 * against a naive scan, and a set of patterns against each pattern
 * matched alone (a line is selected when one of them selects it; the
 * match reported is the leftmost of theirs and, there, the longest). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multi_literal.h"
#include "testutil.h"

/* A small generator, the same sequence on every run. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* ---- the multi-literal matcher ---- */

struct lit {
	unsigned char b[16];
	size_t len;
};

static int fold_eq(const unsigned char *a, const unsigned char *b, size_t n,
                   int caseless)
{
	for (size_t i = 0; i < n; i++)
		if (caseless ? (a[i] | 0x20) != (b[i] | 0x20) : a[i] != b[i])
			return 0;
	return 1;
}

/* The reference: every position, every literal. */
static const unsigned char *naive_find(const struct lit *lits, size_t n,
                                       const unsigned char *p,
                                       const unsigned char *end, int caseless,
                                       size_t *len, uint32_t *id)
{
	for (const unsigned char *q = p; q < end; q++) {
		int found = 0;
		for (size_t i = 0; i < n; i++) {
			if (lits[i].len > (size_t)(end - q) ||
			    !fold_eq(lits[i].b, q, lits[i].len, caseless))
				continue;
			if (!found || lits[i].len > *len) {
				*len = lits[i].len;
				*id = (uint32_t)i;
			}
			found = 1;
		}
		if (found)
			return q;
	}
	return NULL;
}

static void count_id(void *ctx, uint32_t id)
{
	(void)id;
	(*(size_t *)ctx)++;
}

START_TEST(multi_literal_equals_naive)
{
	/* Few distinct bytes, so that literals overlap, are prefixes of
	 * each other and repeat; bytes >= 0x80 and letters of both cases. */
	static const unsigned char alphabet[] = {'a', 'b', 'A', 'B', 'x',
	                                         0xff, 0x80, '\n', ' '};
	rng_state = 42;
	for (int round = 0; round < 600; round++) {
		int caseless = round % 3 == 2;
		size_t n = 1 + rnd() % (round % 5 == 0 ? 40 : 8);
		struct lit lits[40];
		struct mapq__mlit_item items[40];
		size_t maxlen = 1 + rnd() % 12;
		for (size_t i = 0; i < n; i++) {
			lits[i].len = 1 + rnd() % maxlen;
			for (size_t k = 0; k < lits[i].len; k++)
				lits[i].b[k] = alphabet[rnd() % (sizeof alphabet - 1)];
			if (i > 0 && rnd() % 4 == 0) {
				/* A prefix, or an extension, of an earlier one. */
				const struct lit *o = &lits[rnd() % i];
				size_t keep = o->len < lits[i].len ? o->len : lits[i].len;
				memcpy(lits[i].b, o->b, keep);
			}
			items[i].bytes = lits[i].b;
			items[i].len = lits[i].len;
			items[i].id = (uint32_t)i;
		}
		struct mapq__mlit *ml;
		ck_assert_int_eq(mapq__mlit_create(&ml, items, n, caseless), 0);
		unsigned char text[300];
		size_t tlen = rnd() % sizeof text;
		for (size_t k = 0; k < tlen; k++)
			text[k] = alphabet[rnd() % sizeof alphabet];
		const unsigned char *p = text, *end = text + tlen;
		for (;;) {
			size_t gl = 0, wl = 0;
			uint32_t gi = 0, wi = 0;
			const unsigned char *g = mapq__mlit_find(ml, p, end, &gl, &gi);
			const unsigned char *w =
			        naive_find(lits, n, p, end, caseless, &wl, &wi);
			ck_assert_msg(g == w, "round %d: found at %td, naive %td", round,
			              g ? g - text : -1, w ? w - text : -1);
			if (g == NULL)
				break;
			ck_assert_uint_eq(gl, wl);
			ck_assert(fold_eq(lits[gi].b, g, gl, caseless) && lits[gi].len == gl);
			/* Every literal found at that place. */
			size_t want = 0, got = 0;
			for (size_t i = 0; i < n; i++)
				want += lits[i].len <= (size_t)(end - g) &&
				        fold_eq(lits[i].b, g, lits[i].len, caseless);
			mapq__mlit_each_at(ml, g, end, count_id, &got);
			ck_assert_uint_eq(got, want);
			p = g + 1;
		}
		mapq__mlit_destroy(ml);
	}
}
END_TEST

static int lit_cmp(const void *a, const void *b)
{
	const struct lit *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->b, y->b, x->len);
}

START_TEST(multi_literal_100000)
{
	/* 100,000 literals of 1 to 12 bytes; the reference looks each
	 * length up in the sorted list at every position. */
	enum { N = 100000, TEXT = 200000 };
	rng_state = 7;
	struct lit *lits = malloc(N * sizeof *lits);
	struct mapq__mlit_item *items = malloc(N * sizeof *items);
	unsigned char *text = malloc(TEXT);
	ck_assert(lits && items && text);
	for (size_t i = 0; i < N; i++) {
		/* Few short ones (there are only so many), most 5-12 bytes. */
		lits[i].len = i < 20 ? 1 + i % 4 : 5 + rnd() % 8;
		for (size_t k = 0; k < lits[i].len; k++)
			lits[i].b[k] = (unsigned char)(i < 20 ? 'q' + k % 3 : 'a' + rnd() % 6);
		items[i].bytes = lits[i].b;
		items[i].len = lits[i].len;
		items[i].id = (uint32_t)i;
	}
	struct mapq__mlit *ml;
	ck_assert_int_eq(mapq__mlit_create(&ml, items, N, 0), 0);
	for (size_t k = 0; k < TEXT; k++)
		text[k] = (unsigned char)('a' + rnd() % 7);
	for (int i = 0; i < 200; i++) { /* some literals for sure */
		const struct lit *l = &lits[rnd() % N];
		memcpy(text + rnd() % (TEXT - 16), l->b, l->len);
	}
	qsort(lits, N, sizeof *lits, lit_cmp);
	const unsigned char *p = text, *end = text + TEXT;
	size_t hits = 0;
	for (;;) {
		size_t gl = 0;
		uint32_t gi;
		const unsigned char *g = mapq__mlit_find(ml, p, end, &gl, &gi);
		/* The reference from p on. */
		const unsigned char *w = NULL;
		size_t wl = 0;
		for (const unsigned char *q = p; q < end && w == NULL; q++)
			for (size_t len = 12; len >= 1; len--) {
				if (len > (size_t)(end - q))
					continue;
				struct lit key;
				key.len = len;
				memcpy(key.b, q, len);
				if (bsearch(&key, lits, N, sizeof *lits, lit_cmp) != NULL) {
					w = q;
					wl = len;
					break;
				}
			}
		ck_assert_ptr_eq(g, w);
		if (g == NULL)
			break;
		ck_assert_uint_eq(gl, wl);
		hits++;
		p = g + 1;
	}
	ck_assert_uint_gt(hits, 200);
	mapq__mlit_destroy(ml);
	free(lits);
	free(items);
	free(text);
}
END_TEST

/* ---- sets of patterns against each pattern alone ---- */

/* The leftmost-longest of the patterns matched one by one, from pos. */
static int alone_in_line(mapq_search **alone, size_t n, const mapq_view *v,
                         uint64_t ls, uint64_t le, uint64_t pos, int not_empty,
                         mapq_match *best)
{
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		mapq_match m;
		mapq_error err;
		int rc = mapq_search_next_in_line(alone[i], v, ls, le, pos, not_empty,
		                                  &m, &err);
		ck_assert_int_ge(rc, 0);
		if (rc == 1 && (!found || m.start < best->start ||
		                (m.start == best->start && m.end > best->end))) {
			*best = m;
			found = 1;
		}
	}
	return found;
}

/* Compare the set of patterns[] with them alone, on `text`. */
/* Returns the number of lines where some pattern matched. */
static size_t check_set(const char *const *patterns, size_t n, unsigned flags,
                        const char *text, size_t len)
{
	size_t matched = 0;
	mapq_pattern p[16];
	mapq_matcher *alone_m[16], *set_m;
	mapq_search *alone[16], *set;
	mapq_error err;
	for (size_t i = 0; i < n; i++) {
		p[i].text = patterns[i];
		p[i].len = strlen(patterns[i]);
		ck_assert_msg(mapq_matcher_create(&alone_m[i], &p[i], 1, flags, &err) == 0,
		              "%s", err.msg);
		ck_assert_int_eq(mapq_search_create(&alone[i], alone_m[i], NULL), 0);
	}
	ck_assert_msg(mapq_matcher_create(&set_m, p, n, flags, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(mapq_search_create(&set, set_m, NULL), 0);
	mapq_view v = {(const unsigned char *)text, len, 0, NULL};

	/* Lines selected, and the first match of each. */
	uint64_t from = 0;
	for (uint64_t ls = 0; ls < len;) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		uint64_t le = nl ? (uint64_t)(nl - text) : len;
		mapq_match want;
		int w = alone_in_line(alone, n, &v, ls, le, ls, 0, &want);
		if (w) {
			matched++;
			mapq_match got;
			ck_assert_int_eq(mapq_search_next_line(set, &v, from, &got, &err), 1);
			ck_assert_msg(got.line_start == ls && got.start == want.start &&
			                      got.end == want.end,
			              "flags %u first pattern '%s': line %lu match "
			              "%lu-%lu, alone line %lu match %lu-%lu",
			              flags, patterns[0], (unsigned long)got.line_start,
			              (unsigned long)got.start, (unsigned long)got.end,
			              (unsigned long)ls, (unsigned long)want.start,
			              (unsigned long)want.end);
			from = le + 1;
		}
		/* Every position of the line, with and without an empty
		 * match refused there. */
		for (uint64_t pos = ls; pos <= le; pos++)
			for (int ne = 0; ne <= 1; ne++) {
				mapq_match g, a;
				int gr = mapq_search_next_in_line(set, &v, ls, le, pos, ne, &g,
				                                  &err);
				int ar = alone_in_line(alone, n, &v, ls, le, pos, ne, &a);
				ck_assert_msg(gr == ar && (!gr || (g.start == a.start &&
				                                   g.end == a.end)),
				              "flags %u '%s'..: pos %lu ne %d: %d %lu-%lu vs "
				              "alone %d %lu-%lu",
				              flags, patterns[0], (unsigned long)pos, ne, gr,
				              (unsigned long)g.start, (unsigned long)g.end, ar,
				              (unsigned long)a.start, (unsigned long)a.end);
			}
		ls = le + 1;
	}
	mapq_match last;
	ck_assert_int_eq(mapq_search_next_line(set, &v, from, &last, &err), 0);
	mapq_search_destroy(set);
	mapq_matcher_destroy(set_m);
	for (size_t i = 0; i < n; i++) {
		mapq_search_destroy(alone[i]);
		mapq_matcher_destroy(alone_m[i]);
	}
	return matched;
}

START_TEST(set_equals_patterns_alone)
{
	/* Patterns with and without a literal, groups, back references,
	 * empty matches, anchors, lookarounds, verbs, bytes. */
	static const char *const pool[] = {
	        "ab",     "a+",       "b*",        "(a|b)c",   "\\bab",     "x",
	        "",       "a(?=b)",   "^b",        "c$",       "[ab]{2}",   "(a)\\1",
	        "(?i)AB", "a.c",      "(*CR)a$",   "abc",      "bca",       "ca",
	        "c",      "(?<=a)b",  "\\w+",      "a|ab|abc", "(b)(?1)",   "\\Qa(",
	        "y?",     "cab\\b",   "(?x) a b",  "\xff",     "a\xc3",     "ba*c",
	};
	static const unsigned flag_sets[] = {0, MAPQ_MATCH_CASELESS, MAPQ_MATCH_WORD,
	                                     MAPQ_MATCH_LINE};
	rng_state = 99;
	char text[400];
	size_t matched = 0;
	for (int round = 0; round < 400; round++) {
		size_t n = 2 + rnd() % 5;
		const char *pats[8];
		for (size_t i = 0; i < n; i++)
			pats[i] = pool[rnd() % (sizeof pool / sizeof pool[0])];
		static const char alphabet[] = "abcAB xy\n\r(\xff\xc3";
		size_t len = rnd() % 120;
		for (size_t k = 0; k < len; k++)
			text[k] = alphabet[rnd() % (sizeof alphabet - 1)];
		unsigned flags = flag_sets[rnd() % 4];
		/* -w cannot wrap \Qa( (it reaches past the wrapper). */
		int wrapless = 1;
		for (size_t i = 0; i < n; i++)
			wrapless = wrapless && strstr(pats[i], "\\Q") == NULL;
		if (!wrapless)
			flags &= ~(unsigned)MAPQ_MATCH_WORD;
		matched += check_set(pats, n, flags, text, len);
	}
	/* The rounds compared matching lines, not only empty answers. */
	ck_assert_uint_gt(matched, 400);
}
END_TEST

START_TEST(fixed_set_equals_strings_alone)
{
	static const char *const pool[] = {"a", "ab", "abc", "b", "bc", "",
	                                   "\xff", "\xff" "a", "A", "c a", "(",
	                                   "a(", "ca", "bca"};
	static const unsigned flag_sets[] = {0, MAPQ_MATCH_CASELESS, MAPQ_MATCH_WORD,
	                                     MAPQ_MATCH_LINE};
	rng_state = 5;
	char text[300];
	size_t matched = 0;
	for (int round = 0; round < 400; round++) {
		size_t n = 2 + rnd() % 6;
		const char *pats[8];
		for (size_t i = 0; i < n; i++)
			pats[i] = pool[rnd() % (sizeof pool / sizeof pool[0])];
		static const char alphabet[] = "abcA (\n\xff";
		size_t len = rnd() % 100;
		for (size_t k = 0; k < len; k++)
			text[k] = alphabet[rnd() % (sizeof alphabet - 1)];
		matched += check_set(pats, n, MAPQ_MATCH_FIXED | flag_sets[rnd() % 4],
		                     text, len);
	}
	ck_assert_uint_gt(matched, 400);
}
END_TEST

START_TEST(leftmost_longest_spans)
{
	/* grep -E -o -e A -e B marks these. */
	static const struct {
		const char *a, *b, *line;
		unsigned flags;
		uint64_t start, end;
	} cases[] = {
	        {"foo", "foobar", "xfoobar", 0, 1, 7},
	        {"foobar", "foo", "xfoobar", 0, 1, 7},
	        {"x*", "o", "ooo", 0, 0, 1},
	        {"b", "a*", "aab", 0, 0, 2},
	        {"ab", "b.*", "ab bc", 0, 0, 2},
	        {"ab", "abc", "zabc", MAPQ_MATCH_FIXED, 1, 4},
	        {"", "a", "ab", MAPQ_MATCH_FIXED, 0, 1},
	        {"", "b", "ab", MAPQ_MATCH_FIXED, 0, 0},
	        {"(a)(b)\\2", "ab", "abb", 0, 0, 3},
	        {"(b)\\1", "(a)\\1", "aabb", 0, 0, 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mapq_pattern p[2] = {{cases[i].a, strlen(cases[i].a)},
		                     {cases[i].b, strlen(cases[i].b)}};
		mapq_matcher *m;
		mapq_search *s;
		mapq_error err;
		ck_assert_msg(mapq_matcher_create(&m, p, 2, cases[i].flags, &err) == 0,
		              "%s", err.msg);
		ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
		const char *t = cases[i].line;
		mapq_view v = {(const unsigned char *)t, strlen(t), 0, NULL};
		mapq_match mt;
		ck_assert_int_eq(mapq_search_next_line(s, &v, 0, &mt, &err), 1);
		ck_assert_msg(mt.start == cases[i].start && mt.end == cases[i].end,
		              "case %zu: %lu-%lu", i, (unsigned long)mt.start,
		              (unsigned long)mt.end);
		ck_assert_int_eq(mapq_search_next_in_line(s, &v, 0, v.size, 0, 0, &mt,
		                                          &err),
		                 1);
		ck_assert_uint_eq(mt.start, cases[i].start);
		ck_assert_uint_eq(mt.end, cases[i].end);
		mapq_search_destroy(s);
		mapq_matcher_destroy(m);
	}
}
END_TEST

START_TEST(errors_name_the_pattern)
{
	mapq_pattern p[3] = {{"abc", 3}, {"a(b", 3}, {"q)|(?:a", 7}};
	mapq_matcher *m = NULL;
	mapq_error err;
	ck_assert_int_eq(mapq_matcher_create(&m, p, 3, 0, &err), MAPQ_EPATTERN);
	ck_assert_msg(strstr(err.msg, "'a(b'") && strstr(err.msg, "offset 3"), "%s",
	              err.msg);
	/* A pattern cannot close a wrapper's group: it is refused. */
	mapq_pattern q[2] = {{"q)|(?:a", 7}, {"zzz", 3}};
	ck_assert_int_eq(mapq_matcher_create(&m, q, 2, 0, &err), MAPQ_EPATTERN);
	ck_assert_msg(strstr(err.msg, "'q)|(?:a'") && strstr(err.msg, "offset 1"),
	              "%s", err.msg);
	/* -x does not wrap the text: \Q runs to the end and is fine. */
	mapq_pattern x[2] = {{"\\Qabc", 5}, {"zz", 2}};
	ck_assert_int_eq(mapq_matcher_create(&m, x, 2, MAPQ_MATCH_LINE, &err), 0);
	mapq_matcher_destroy(m);
	ck_assert_int_eq(mapq_matcher_create(&m, x, 1, MAPQ_MATCH_LINE, &err), 0);
	mapq_matcher_destroy(m);
	/* -w wraps: \Q would swallow the wrapper's end. */
	ck_assert_int_eq(mapq_matcher_create(&m, x, 2, MAPQ_MATCH_WORD, &err),
	                 MAPQ_EPATTERN);
	ck_assert_msg(strstr(err.msg, "'\\Qabc'") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(thousands_of_patterns)
{
	/* Far past what one PCRE2 alternation holds: regexes with a
	 * literal, without one (scanned in groups), and fixed strings. */
	enum { N = 5000 };
	char (*buf)[40] = malloc(N * sizeof *buf);
	mapq_pattern *p = malloc(N * sizeof *p);
	ck_assert(buf && p);
	const char text[] = "id=x4321y\nnothing here\nzz77a w\n";
	mapq_view v = {(const unsigned char *)text, sizeof text - 1, 0, NULL};
	for (int kind = 0; kind < 3; kind++) {
		for (int i = 0; i < N; i++) {
			if (kind == 0)
				snprintf(buf[i], sizeof buf[i], "x%d[0-9a-z]+", i);
			else if (kind == 1)
				snprintf(buf[i], sizeof buf[i], "[w-z]%d[a-y] ?|q{%d}", i, i + 2);
			else
				snprintf(buf[i], sizeof buf[i], "=x%dy", i);
			p[i].text = buf[i];
			p[i].len = strlen(buf[i]);
		}
		mapq_matcher *m;
		mapq_search *s;
		mapq_error err;
		unsigned flags = kind == 2 ? MAPQ_MATCH_FIXED : 0;
		ck_assert_msg(mapq_matcher_create(&m, p, N, flags, &err) == 0, "%s",
		              err.msg);
		ck_assert_int_eq(mapq_search_create(&s, m, NULL), 0);
		mapq_match mt;
		ck_assert_int_eq(mapq_search_next_line(s, &v, 0, &mt, &err), 1);
		ck_assert_uint_eq(mt.line_start, 0);
		/* x4321y: "x4321y" (longest of x4321y.., x432.., x43.., x4..). */
		uint64_t want_start = kind == 2 ? 2 : 3, want_end = kind == 2 ? 9 : 9;
		ck_assert_msg(mt.start == want_start && mt.end == want_end,
		              "kind %d: %lu-%lu", kind, (unsigned long)mt.start,
		              (unsigned long)mt.end);
		ck_assert_int_eq(mapq_search_next_line(s, &v, mt.line_end + 1, &mt, &err),
		                 kind == 1 ? 1 : 0);
		mapq_search_destroy(s);
		mapq_matcher_destroy(m);
	}
	free(buf);
	free(p);
}
END_TEST

static Suite *patterns_suite(void)
{
	Suite *s = suite_create("patterns");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, multi_literal_equals_naive);
	tcase_add_test(tc, multi_literal_100000);
	tcase_add_test(tc, set_equals_patterns_alone);
	tcase_add_test(tc, fixed_set_equals_strings_alone);
	tcase_add_test(tc, leftmost_longest_spans);
	tcase_add_test(tc, errors_name_the_pattern);
	tcase_add_test(tc, thousands_of_patterns);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(patterns_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
