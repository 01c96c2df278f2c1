/* test_stats.c - the statistics primitive: crafted buffers with answers
 * worked out by hand, a naive model for random ones, and merges of pieces
 * cut at every point against a single pass. */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "testutil.h"

/* ---------------------------------------------------------------- */
/* Helpers                                                            */
/* ---------------------------------------------------------------- */

static mapq_stats *new_stats(void)
{
	mapq_stats *s = NULL;
	ck_assert_int_eq(mapq_stats_create(&s, NULL), MAPQ_OK);
	return s;
}

/* One pass over the whole buffer. */
static mapq_stats_result measure(const void *data, size_t n)
{
	mapq_stats *s = new_stats();
	mapq_stats_update(s, data, n);
	mapq_stats_result r;
	mapq_stats_finish(s, 1, &r);
	mapq_stats_destroy(s);
	return r;
}

/* Pieces cut at cuts[0..k-2] (sorted), each measured on its own, merged. */
static mapq_stats_result measure_pieces(const unsigned char *data, size_t n,
                                        const size_t *cuts, size_t k)
{
	mapq_stats *all = new_stats();
	size_t from = 0;
	for (size_t i = 0; i < k; i++) {
		size_t to = i + 1 < k ? cuts[i] : n;
		mapq_stats *piece = new_stats();
		mapq_stats_update(piece, data + from, to - from);
		mapq_stats_merge(all, piece);
		mapq_stats_destroy(piece);
		from = to;
	}
	mapq_stats_result r;
	mapq_stats_finish(all, 1, &r);
	mapq_stats_destroy(all);
	return r;
}

static void assert_same(const mapq_stats_result *a, const mapq_stats_result *b,
                        const char *what)
{
	ck_assert_msg(a->bytes == b->bytes, "%s: bytes", what);
	ck_assert_msg(a->lines == b->lines, "%s: lines", what);
	ck_assert_msg(a->newlines == b->newlines, "%s: newlines", what);
	ck_assert_msg(a->longest_length == b->longest_length,
	              "%s: longest length %llu vs %llu", what,
	              (unsigned long long)a->longest_length,
	              (unsigned long long)b->longest_length);
	ck_assert_msg(a->longest_line == b->longest_line,
	              "%s: longest line %llu vs %llu", what,
	              (unsigned long long)a->longest_line,
	              (unsigned long long)b->longest_line);
	ck_assert_msg(a->empty_lines == b->empty_lines, "%s: empty lines", what);
	ck_assert_msg(a->nul_bytes == b->nul_bytes, "%s: NUL", what);
	ck_assert_msg(a->cr_bytes == b->cr_bytes, "%s: CR", what);
	ck_assert_msg(a->utf8_invalid == b->utf8_invalid,
	              "%s: utf8_invalid %llu vs %llu", what,
	              (unsigned long long)a->utf8_invalid,
	              (unsigned long long)b->utf8_invalid);
	ck_assert_msg(memcmp(a->histogram, b->histogram, sizeof a->histogram) == 0,
	              "%s: histogram", what);
	/* Bit-identical, not merely close. */
	ck_assert_msg(memcmp(&a->entropy, &b->entropy, sizeof a->entropy) == 0,
	              "%s: entropy %.17g vs %.17g", what, a->entropy, b->entropy);
}

/*
 * The naive model, written from the definitions: split into lines, and
 * decode UTF-8 by looking ahead from each position for the longest valid
 * prefix of a sequence.
 */
static unsigned seq_length(unsigned char b, unsigned char *lo,
                           unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b == 0xE0)
		*lo = 0xA0;
	if (b == 0xED)
		*hi = 0x9F;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b == 0xF0)
		*lo = 0x90;
	if (b == 0xF4)
		*hi = 0x8F;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

static uint64_t model_utf8_invalid(const unsigned char *p, size_t n)
{
	uint64_t bad = 0;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		unsigned char lo, hi;
		unsigned len = seq_length(p[i], &lo, &hi);
		unsigned ok = 0; /* continuation bytes in range after p[i] */
		while (len > 0 && ok < len - 1 && i + 1 + ok < n) {
			unsigned char c = p[i + 1 + ok];
			if (c < (ok == 0 ? lo : 0x80) || c > (ok == 0 ? hi : 0xBF))
				break;
			ok++;
		}
		if (len == 0 || ok < len - 1)
			bad++;
		i += 1 + ok;
	}
	return bad;
}

static mapq_stats_result model(const unsigned char *p, size_t n)
{
	mapq_stats_result r;
	memset(&r, 0, sizeof r);
	r.bytes = n;
	size_t start = 0;
	uint64_t number = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n)
			r.histogram[p[i]]++;
		int ends = i < n ? p[i] == '\n' : i > start;
		if (!ends)
			continue;
		uint64_t len = i - start;
		number++;
		if (r.longest_line == 0 || len > r.longest_length) {
			r.longest_length = len;
			r.longest_line = number;
		}
		r.empty_lines += len == 0;
		start = i + 1;
	}
	r.lines = number;
	r.newlines = r.histogram['\n'];
	r.nul_bytes = r.histogram[0];
	r.cr_bytes = r.histogram['\r'];
	r.utf8_invalid = model_utf8_invalid(p, n);
	double h = 0;
	for (unsigned b = 0; b < 256; b++)
		if (r.histogram[b] > 0) {
			double q = (double)r.histogram[b] / (double)n;
			h -= q * log2(q);
		}
	r.entropy = h > 0 ? h : 0;
	return r;
}

/* Random bytes biased toward what makes lines and UTF-8 interesting. */
static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void fill_tricky(unsigned char *p, size_t n, unsigned seed)
{
	static const unsigned char pool[] = {
	        '\n', '\n', '\n', '\r', 0, 'a', 'b', ' ', 0x80, 0xBF, 0x9F,
	        0xA0, 0x8F, 0x90, 0xC2, 0xC0, 0xE0, 0xE2, 0xED, 0xF0, 0xF4,
	        0xF5, 0xFF, 0x82, 0xAC};
	for (size_t i = 0; i < n; i++) {
		unsigned r = next_rand(&seed);
		if (r % 3 == 0) {
			p[i] = (unsigned char)(r >> 4); /* any byte */
		} else if (r % 3 == 1 && i + 3 <= n) {
			/* a valid sequence: U+20AC, U+1F600, U+00E9 */
			static const char *valid[] = {"\xE2\x82\xAC",
			                              "\xC3\xA9", "x"};
			const char *v = valid[(r >> 4) % 3];
			size_t len = strlen(v);
			memcpy(p + i, v, len);
			i += len - 1;
		} else {
			p[i] = pool[(r >> 4) % sizeof pool];
		}
	}
}

/* ---------------------------------------------------------------- */
/* Crafted buffers, answers by hand                                   */
/* ---------------------------------------------------------------- */

START_TEST(empty_data)
{
	mapq_stats_result r = measure("", 0);
	ck_assert_uint_eq(r.bytes, 0);
	ck_assert_uint_eq(r.lines, 0);
	ck_assert_uint_eq(r.newlines, 0);
	ck_assert_uint_eq(r.longest_length, 0);
	ck_assert_uint_eq(r.longest_line, 0);
	ck_assert_uint_eq(r.empty_lines, 0);
	ck_assert_uint_eq(r.utf8_invalid, 0);
	ck_assert(r.entropy == 0.0 && !signbit(r.entropy));
	for (unsigned b = 0; b < 256; b++)
		ck_assert_uint_eq(r.histogram[b], 0);
}
END_TEST

START_TEST(crlf_lines)
{
	/* "one\r" 4, "two\r" 4, "\r" 1, "last" 4: the first 4 is line 1. */
	const char text[] = "one\r\ntwo\r\n\r\nlast";
	mapq_stats_result r = measure(text, sizeof text - 1);
	ck_assert_uint_eq(r.bytes, 16);
	ck_assert_uint_eq(r.lines, 4);
	ck_assert_uint_eq(r.newlines, 3);
	ck_assert_uint_eq(r.longest_length, 4);
	ck_assert_uint_eq(r.longest_line, 1);
	ck_assert_uint_eq(r.empty_lines, 0); /* a lone \r line is not empty */
	ck_assert_uint_eq(r.cr_bytes, 3);
	ck_assert_uint_eq(r.nul_bytes, 0);
	ck_assert_uint_eq(r.histogram['\r'], 3);
	ck_assert_uint_eq(r.histogram['o'], 2);
	ck_assert_uint_eq(r.histogram['t'], 2);
}
END_TEST

START_TEST(empty_lines_and_final_line)
{
	/* Lines: "", "", "", "abc", "", "xy" (no newline). */
	const char text[] = "\n\n\nabc\n\nxy";
	mapq_stats_result r = measure(text, sizeof text - 1);
	ck_assert_uint_eq(r.lines, 6);
	ck_assert_uint_eq(r.newlines, 5);
	ck_assert_uint_eq(r.empty_lines, 4);
	ck_assert_uint_eq(r.longest_length, 3);
	ck_assert_uint_eq(r.longest_line, 4);

	/* The last line, unterminated, is the longest. */
	const char tail[] = "ab\nabc\nabcd";
	r = measure(tail, sizeof tail - 1);
	ck_assert_uint_eq(r.lines, 3);
	ck_assert_uint_eq(r.longest_length, 4);
	ck_assert_uint_eq(r.longest_line, 3);

	/* Only newlines: every line is empty, the first is the longest. */
	r = measure("\n\n", 2);
	ck_assert_uint_eq(r.lines, 2);
	ck_assert_uint_eq(r.empty_lines, 2);
	ck_assert_uint_eq(r.longest_length, 0);
	ck_assert_uint_eq(r.longest_line, 1);

	r = measure("abc", 3);
	ck_assert_uint_eq(r.lines, 1);
	ck_assert_uint_eq(r.newlines, 0);
	ck_assert_uint_eq(r.longest_length, 3);
	ck_assert_uint_eq(r.longest_line, 1);
}
END_TEST

START_TEST(nul_bytes)
{
	const char text[] = "a\0b\0\0\n\0";
	mapq_stats_result r = measure(text, sizeof text - 1);
	ck_assert_uint_eq(r.bytes, 7);
	ck_assert_uint_eq(r.nul_bytes, 4);
	ck_assert_uint_eq(r.lines, 2);
	ck_assert_uint_eq(r.longest_length, 5);
	ck_assert_uint_eq(r.longest_line, 1);
	ck_assert_uint_eq(r.utf8_invalid, 0); /* NUL is valid UTF-8 */
}
END_TEST

/* Invalid UTF-8: counts worked out from Unicode's maximal-subpart rule. */
static const struct {
	const char *bytes;
	uint64_t invalid;
} utf8_cases[] = {
        {"", 0},
        {"plain ascii", 0},
        {"\xE2\x82\xAC", 0},                 /* U+20AC */
        {"\xF0\x9F\x98\x80", 0},             /* U+1F600 */
        {"\xED\x9F\xBF", 0},                 /* U+D7FF */
        {"\xEE\x80\x80", 0},                 /* U+E000 */
        {"\xF4\x8F\xBF\xBF", 0},             /* U+10FFFF */
        {"\xE0\xA0\x80", 0},                 /* U+0800 */
        {"\xEF\xBF\xBD", 0},                 /* U+FFFD itself is valid */
        /* Unicode 15 table 3-8: 61 | F1 80 80 | E1 80 | C2 | 62 | 80 |
         * 63 | 80 | BF | 64. */
        {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 6},
        {"\xC0\xAF", 2},                     /* overlong '/': C0, AF */
        {"\xC1\xBF", 2},
        {"\xE0\x80\xAF", 3},                 /* overlong: E0, 80, AF */
        {"\xF0\x80\x80\x80", 4},             /* overlong 4-byte */
        {"\xED\xA0\x80", 3},                 /* surrogate D800 */
        {"\xED\xBF\xBF", 3},                 /* surrogate DFFF */
        {"\xF4\x90\x80\x80", 4},             /* above U+10FFFF */
        {"\xF5\x80", 2},
        {"\xF8\x88\x80\x80\x80", 5},         /* old 5-byte form */
        {"\xFF", 1},
        {"\x80\x80\x80", 3},                 /* stray continuations */
        {"\xC2", 1},                         /* truncated at the end */
        {"\xE2\x82", 1},
        {"\xF0\x9F\x98", 1},
        {"\xE2\x82\x41", 1},                 /* truncated by 'A' */
        {"\xF0\x9F\x98x\xF0\x9F\x98\x80", 1},
        {"\xE2\x82\xE2\x82\xAC", 1},         /* a lead ends a sequence */
        {"\xC2\xC2\xC2\xA9", 2},
};

START_TEST(utf8_maximal_subparts)
{
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		const char *b = utf8_cases[i].bytes;
		size_t n = strlen(b);
		mapq_stats_result r = measure(b, n);
		ck_assert_msg(r.utf8_invalid == utf8_cases[i].invalid,
		              "case %zu: %llu invalid, want %llu", i,
		              (unsigned long long)r.utf8_invalid,
		              (unsigned long long)utf8_cases[i].invalid);
		/* The model agrees with the hand counts. */
		ck_assert_uint_eq(model_utf8_invalid((const unsigned char *)b, n),
		                  utf8_cases[i].invalid);
	}
}
END_TEST

START_TEST(utf8_inside_long_ascii_runs)
{
	/* Invalid bytes placed at every offset of a block, after ASCII that
	 * the fast path skips, and a sequence cut by the end of a block. */
	unsigned char buf[300];
	for (size_t at = 0; at + 4 < sizeof buf; at++) {
		memset(buf, 'x', sizeof buf);
		buf[at] = 0xE2;
		buf[at + 1] = 0x82;
		mapq_stats_result r = measure(buf, sizeof buf);
		ck_assert_uint_eq(r.utf8_invalid, 1);
		buf[at + 2] = 0xAC;
		r = measure(buf, sizeof buf);
		ck_assert_uint_eq(r.utf8_invalid, 0);
		buf[at + 3] = 0xBF;
		r = measure(buf, sizeof buf);
		ck_assert_uint_eq(r.utf8_invalid, 1);
	}
	/* A sequence left open by the last block, closed by the tail. */
	memset(buf, 'y', 128);
	buf[126] = 0xF0;
	buf[127] = 0x9F;
	mapq_stats_result r = measure(buf, 128);
	ck_assert_uint_eq(r.utf8_invalid, 1);
}
END_TEST

START_TEST(utf8_random_high_bytes_match_model)
{
	/* Dense mixes of lead, continuation and invalid bytes, in blocks and
	 * across block and piece boundaries at every alignment. */
	static unsigned char buf[2048];
	for (unsigned seed = 1; seed <= 400; seed++) {
		unsigned r = seed;
		size_t n = 64 + next_rand(&r) % (sizeof buf - 64);
		for (size_t i = 0; i < n; i++) {
			unsigned x = next_rand(&r);
			buf[i] = x % 4 == 0 ? (unsigned char)('a' + x % 7)
			         : x % 4 == 1 ? (unsigned char)(0x80 + (x >> 4) % 0x40)
			                      : (unsigned char)(0xC0 + (x >> 4) % 0x40);
		}
		mapq_stats_result want = model(buf, n), got = measure(buf, n);
		ck_assert_uint_eq(got.utf8_invalid, want.utf8_invalid);
		size_t cut = next_rand(&r) % (n + 1);
		got = measure_pieces(buf, n, &cut, 2);
		assert_same(&got, &want, "high bytes, two pieces");
	}
}
END_TEST

START_TEST(entropy_values)
{
	ck_assert(measure("aaaa", 4).entropy == 0.0);
	ck_assert(measure("ab", 2).entropy == 1.0);
	ck_assert(measure("abcd", 4).entropy == 2.0);
	ck_assert(fabs(measure("aab", 3).entropy - 0.91829583405448956) < 1e-15);
	unsigned char all[256 * 3];
	for (size_t i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)i;
	mapq_stats_result r = measure(all, sizeof all);
	ck_assert(fabs(r.entropy - 8.0) < 1e-12);
	for (unsigned b = 0; b < 256; b++)
		ck_assert_uint_eq(r.histogram[b], 3);
	ck_assert_uint_eq(r.newlines, 3);
	ck_assert_uint_eq(r.nul_bytes, 3);
	ck_assert_uint_eq(r.cr_bytes, 3);
}
END_TEST

START_TEST(first_line_number_offsets_the_longest)
{
	mapq_stats *s = new_stats();
	mapq_stats_update(s, "a\nbbb\nc\n", 8);
	mapq_stats_result r;
	mapq_stats_finish(s, 100, &r);
	ck_assert_uint_eq(r.longest_length, 3);
	ck_assert_uint_eq(r.longest_line, 101);
	/* The accumulator goes on after finishing. */
	mapq_stats_update(s, "dddd", 4);
	mapq_stats_finish(s, 1, &r);
	ck_assert_uint_eq(r.longest_line, 4);
	ck_assert_uint_eq(r.lines, 4);
	mapq_stats_reset(s);
	mapq_stats_finish(s, 1, &r);
	ck_assert_uint_eq(r.bytes, 0);
	ck_assert_uint_eq(r.longest_line, 0);
	ck_assert_uint_eq(r.histogram['a'], 0);
	mapq_stats_destroy(s);
	mapq_stats_destroy(NULL);
}
END_TEST

START_TEST(totals_number_lines_through_inputs)
{
	mapq_stats_result total, a = measure("x\nyy\n", 5),
	                         b = measure("zzz\nzzz", 7),
	                         c = measure("", 0);
	memset(&total, 0, sizeof total);
	mapq_stats_add(&total, &a);
	mapq_stats_add(&total, &c);
	mapq_stats_add(&total, &b);
	ck_assert_uint_eq(total.bytes, 12);
	ck_assert_uint_eq(total.lines, 4);
	ck_assert_uint_eq(total.newlines, 3);
	ck_assert_uint_eq(total.longest_length, 3);
	ck_assert_uint_eq(total.longest_line, 3); /* b's line 1 */
	ck_assert_uint_eq(total.histogram['z'], 6);
	mapq_stats_result whole = measure("x\nyy\nzzz\nzzz", 12);
	ck_assert(total.entropy == whole.entropy);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Against the model, and merges                                      */
/* ---------------------------------------------------------------- */

START_TEST(random_buffers_match_model)
{
	static unsigned char buf[5000];
	for (unsigned seed = 1; seed <= 200; seed++) {
		unsigned r = seed;
		size_t n = next_rand(&r) % sizeof buf;
		fill_tricky(buf, n, seed);
		mapq_stats_result want = model(buf, n), got = measure(buf, n);
		ck_assert_uint_eq(got.bytes, n);
		assert_same(&got, &want, "random buffer");
	}
}
END_TEST

START_TEST(line_shapes_match_model)
{
	/* Short lines only (the longest stays under one block), one long
	 * line among short ones, lines of exactly 63, 64, 65 bytes, runs of
	 * empty lines across blocks. */
	static unsigned char buf[20000];
	size_t shapes[][3] = {{1, 10, 0}, {60, 66, 0}, {63, 63, 0},
	                      {64, 64, 0}, {65, 65, 0}, {0, 0, 0},
	                      {5, 300, 1}, {0, 3, 1}, {100, 4000, 0}};
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		unsigned seed = (unsigned)k + 7;
		size_t n = 0;
		while (n < sizeof buf) {
			size_t lo = shapes[k][0], hi = shapes[k][1];
			size_t len = lo + next_rand(&seed) % (hi - lo + 1);
			if (shapes[k][2] && next_rand(&seed) % 50 == 0)
				len = 1500; /* a rare long one */
			for (size_t j = 0; j < len && n < sizeof buf; j++)
				buf[n++] = (unsigned char)('a' + j % 26);
			if (n < sizeof buf)
				buf[n++] = '\n';
		}
		for (size_t cut = 0; cut < 3; cut++) {
			size_t len = sizeof buf - cut * 17;
			mapq_stats_result want = model(buf, len),
			                  got = measure(buf, len);
			ck_assert_uint_gt(got.lines, 1);
			assert_same(&got, &want, "line shapes");
		}
	}
}
END_TEST

START_TEST(two_pieces_at_every_split)
{
	/* Every split point, both by continuing an accumulator and by
	 * merging two, for crafted and random buffers. */
#define BYTES(s) {s, sizeof s - 1}
	static const struct {
		const char *p;
		size_t n;
	} crafted[] = {
	        BYTES("one\r\ntwo\r\n\r\nlast"), BYTES("\n\n\nabc\n\nxy"),
	        BYTES("abc"),
	        BYTES("\xF0\x9F\x98\x80\xE2\x82\xAC\xC3\xA9\n\xE2\x82\n\xED\xA0\x80"),
	        BYTES("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
	        BYTES("\xF0\x9F\x98"), BYTES("\xE2\x82\xE2\x82\xAC\n\n"),
	        BYTES("a\0b\0\0\n\0")};
#undef BYTES
	size_t n_crafted = sizeof crafted / sizeof crafted[0];
	static unsigned char buf[400];
	for (size_t c = 0; c < n_crafted + 40; c++) {
		size_t n;
		if (c < n_crafted) {
			n = crafted[c].n;
			memcpy(buf, crafted[c].p, n);
		} else {
			unsigned seed = (unsigned)c;
			n = 1 + next_rand(&seed) % sizeof buf;
			fill_tricky(buf, n, seed);
		}
		mapq_stats_result want = model(buf, n);
		for (size_t cut = 0; cut <= n; cut++) {
			mapq_stats_result got = measure_pieces(buf, n, &cut, 2);
			assert_same(&got, &want, "merged at a split");
			mapq_stats *s = new_stats();
			mapq_stats_update(s, buf, cut);
			mapq_stats_update(s, buf + cut, n - cut);
			mapq_stats_finish(s, 1, &got);
			mapq_stats_destroy(s);
			ck_assert_uint_eq(got.bytes, n);
			assert_same(&got, &want, "continued at a split");
		}
	}
}
END_TEST

START_TEST(three_pieces_at_every_pair_of_splits)
{
	static unsigned char buf[48];
	for (unsigned seed = 1; seed <= 12; seed++) {
		fill_tricky(buf, sizeof buf, seed);
		mapq_stats_result want = model(buf, sizeof buf);
		for (size_t a = 0; a <= sizeof buf; a++)
			for (size_t b = a; b <= sizeof buf; b++) {
				size_t cuts[2] = {a, b};
				mapq_stats_result got =
				        measure_pieces(buf, sizeof buf, cuts, 3);
				ck_assert_uint_eq(got.bytes, sizeof buf);
				assert_same(&got, &want, "three pieces");
			}
	}
}
END_TEST

START_TEST(one_to_sixteen_pieces)
{
	static unsigned char buf[3000];
	for (unsigned seed = 1; seed <= 60; seed++) {
		unsigned r = seed;
		size_t n = next_rand(&r) % sizeof buf;
		fill_tricky(buf, n, seed * 31);
		mapq_stats_result want = model(buf, n);
		for (size_t k = 1; k <= 16; k++) {
			size_t cuts[16];
			for (size_t i = 0; i + 1 < k; i++) {
				/* Many tiny and empty pieces, some large. */
				size_t c = next_rand(&r) % 4 == 0
				                   ? next_rand(&r) % (n + 1)
				                   : (n / k) * (i + 1) + next_rand(&r) % 3;
				cuts[i] = c > n ? n : c;
			}
			for (size_t i = 1; i + 1 < k; i++) /* sort */
				for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
					size_t t = cuts[j];
					cuts[j] = cuts[j - 1];
					cuts[j - 1] = t;
				}
			mapq_stats_result got = measure_pieces(buf, n, cuts, k);
			ck_assert_uint_eq(got.bytes, n);
			assert_same(&got, &want, "k pieces");
		}
	}
}
END_TEST

START_TEST(long_passes_count_pairs)
{
	/* Passes of 64 KiB or more count the histogram in byte pairs;
	 * shorter ones byte by byte.  Mixed, at odd lengths and seams. */
	size_t n = 300000;
	unsigned char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	fill_tricky(buf, n, 4242);
	/* Runs of one byte value: whole blocks of it are counted at once. */
	memset(buf + 1000, 0, 5000);
	memset(buf + 70001, 'Q', 777);
	memset(buf + 200000, '\n', 300);
	memset(buf + 250000, 0xE2, 200);
	mapq_stats_result want = model(buf, n);
	size_t cuts[][3] = {{0, 0, 0}, {1, 65537, 65600}, {70001, 70002, 299999},
	                    {65535, 131071, 196607}};
	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		mapq_stats_result got = measure_pieces(buf, n, cuts[c], 4);
		assert_same(&got, &want, "pieces around 64 KiB");
		mapq_stats *s = new_stats();
		size_t from = 0;
		for (size_t i = 0; i <= 3; i++) {
			size_t to = i < 3 ? cuts[c][i] : n;
			mapq_stats_update(s, buf + from, to - from);
			from = to;
		}
		mapq_stats_finish(s, 1, &got);
		assert_same(&got, &want, "passes around 64 KiB");
		mapq_stats_destroy(s);
	}
	free(buf);
}
END_TEST

START_TEST(merge_tree_order_does_not_matter)
{
	/* ((A B) (C D)) equals (((A B) C) D): merging is associative. */
	static unsigned char buf[1000];
	fill_tricky(buf, sizeof buf, 99);
	size_t cut[5] = {0, 250, 251, 700, 1000};
	mapq_stats *p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = new_stats();
		mapq_stats_update(p[i], buf + cut[i], cut[i + 1] - cut[i]);
	}
	mapq_stats_merge(p[0], p[1]);
	mapq_stats_merge(p[2], p[3]);
	mapq_stats_merge(p[0], p[2]);
	mapq_stats_result got, want = model(buf, sizeof buf);
	mapq_stats_finish(p[0], 1, &got);
	assert_same(&got, &want, "tree merge");
	for (int i = 0; i < 4; i++)
		mapq_stats_destroy(p[i]);
	ck_assert_uint_eq(got.bytes, sizeof buf);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Scanning files, in threads                                         */
/* ---------------------------------------------------------------- */

/*
 * A file of `mib` MiB whose 2 MiB boundaries (where threaded pieces
 * start) cut a UTF-8 sequence, an empty line and a long line; the rest is
 * lines of mixed text.
 */
static unsigned char *seam_file(size_t mib, size_t *len)
{
	size_t n = mib << 20;
	unsigned char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	fill_tricky(buf, n, 5);
	for (size_t at = (size_t)2 << 20; at < n; at += (size_t)2 << 20) {
		memcpy(buf + at - 2, "\xE2\x82\xAC\n", 4); /* € across */
		memcpy(buf + at - 2000, "\n", 1);
		memset(buf + at - 1999, 'L', 1990);        /* long line */
		memcpy(buf + at + 2, "\n\n", 2);
	}
	/* The longest line of all straddles the 8 MiB boundary. */
	memset(buf + ((size_t)8 << 20) - 5000, 'W', 9000);
	*len = n;
	return buf;
}

START_TEST(threads_give_the_single_pass_result)
{
	size_t n;
	unsigned char *buf = seam_file(24, &n);
	char *path = tu_temp_file(buf, n);
	mapq_stats_result want = measure(buf, n);
	ck_assert_uint_ge(want.longest_length, 9000); /* across 8 MiB */
	mapq_file *f = tu_open(path, MAPQ_OPEN_DEFAULT);
	/* Not mapped: read with pread(2), window by window.  Such a file has
	 * no view; it is measured through the file form. */
	mapq_file *g = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(g), 0);
	mapq_view v, w;
	ck_assert_int_eq(mapq_file_view(f, &v, NULL), MAPQ_OK);
	ck_assert_int_eq(mapq_file_view(g, &w, NULL), MAPQ_ENOTSUP);
	unsigned threads[] = {1, 2, 3, 64};
	for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
		mapq_stats *s = new_stats();
		mapq_error err;
		ck_assert_int_eq(mapq__view_stats(s, &v, threads[i], &err), MAPQ_OK);
		mapq_stats_result got;
		mapq_stats_finish(s, 1, &got);
		assert_same(&got, &want, "threads, mapped");
		mapq_stats_reset(s);
		uint64_t line = 0;
		ck_assert_msg(mapq_stats_scan(s, g, NULL, threads[i], &line,
		                              &err) == MAPQ_OK, "%s", err.msg);
		ck_assert_uint_eq(line, 1);
		mapq_stats_finish(s, 1, &got);
		assert_same(&got, &want, "threads, read with pread");
		mapq_stats_destroy(s);
	}

	/* A sub-view that starts and ends mid-line, continuing an
	 * accumulator that has seen a few bytes already. */
	mapq_view sub = mapq_view_sub(&v, 3333333, n - 777777);
	mapq_stats *s = new_stats();
	mapq_stats_update(s, "\xE2\x82", 2);
	ck_assert_int_eq(mapq__view_stats(s, &sub, 3, NULL), MAPQ_OK);
	mapq_stats_result got;
	mapq_stats_finish(s, 1, &got);
	unsigned char *joined = malloc(sub.size + 2);
	ck_assert_ptr_nonnull(joined);
	memcpy(joined, "\xE2\x82", 2);
	memcpy(joined + 2, buf + 3333333, sub.size);
	want = measure(joined, sub.size + 2);
	assert_same(&got, &want, "sub-view, threads");
	free(joined);
	mapq_stats_destroy(s);

	mapq_file_close(f);
	mapq_file_close(g);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

START_TEST(small_and_empty_files)
{
	const char text[] = "alpha\nbeta\n\ngamma";
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, sizeof text - 1, 0, &path, &v);
	mapq_stats *s = new_stats();
	ck_assert_int_eq(mapq__view_stats(s, &v, 8, NULL), MAPQ_OK);
	mapq_stats_result got, want = model((const unsigned char *)text,
	                                    sizeof text - 1);
	mapq_stats_finish(s, 1, &got);
	assert_same(&got, &want, "small file");
	mapq_file_close(f);
	unlink(path);
	free(path);

	f = tu_open_bytes("", 0, 0, &path, &v);
	mapq_stats_reset(s);
	ck_assert_int_eq(mapq__view_stats(s, &v, 2, NULL), MAPQ_OK);
	mapq_stats_finish(s, 1, &got);
	ck_assert_uint_eq(got.bytes, 0);
	ck_assert_uint_eq(got.longest_line, 0);
	mapq_file_close(f);
	unlink(path);
	free(path);

	mapq_error err;
	ck_assert_int_eq(mapq__view_stats(s, NULL, 1, &err), MAPQ_EINVAL);
	ck_assert_int_eq(mapq_stats_create(NULL, &err), MAPQ_EINVAL);
	mapq_stats_destroy(s);
}
END_TEST

START_TEST(truncated_file_is_an_error)
{
	/* Shrunk to nothing after mapping: with one thread and with four,
	 * the scan reports the file instead of dying of SIGBUS. */
	size_t n = (size_t)24 << 20;
	unsigned char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'z', n);
	char *path = tu_temp_file(buf, n);
	free(buf);
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		ck_assert_int_eq(truncate(path, (off_t)n), 0);
		mapq_file *f = tu_open(path, MAPQ_OPEN_DEFAULT);
		mapq_view v;
		ck_assert_int_eq(mapq_file_view(f, &v, NULL), MAPQ_OK);
		ck_assert_int_eq(truncate(path, 4096), 0);
		mapq_stats *s = new_stats();
		mapq_error err;
		ck_assert_int_eq(mapq__view_stats(s, &v, threads, &err), MAPQ_ETRUNC);
		ck_assert_ptr_nonnull(strstr(err.msg, path));
		mapq_stats_destroy(s);
		mapq_file_close(f);
	}
	unlink(path);
	free(path);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Files of every kind: plain, seekable zstd, zstd stream             */
/* ---------------------------------------------------------------- */

/* Write [data, data + n) in the seekable format, frames of frame_size
 * bytes, to a new temporary file; return its path. */
static char *seekable_file(const unsigned char *data, size_t n,
                           uint64_t frame_size)
{
	char *path = tu_temp_file("", 0);
	FILE *fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	mapq_compress_options o = {frame_size, 1, 2, 0, NULL};
	mapq_compressor *c;
	mapq_error err;
	ck_assert_int_eq(mapq_compressor_create(&c, fileno(fp), &o, &err), 0);
	ck_assert_int_eq(mapq_compressor_write(c, data, n, &err), 0);
	ck_assert_int_eq(mapq_compressor_finish(c, &err), 0);
	mapq_compressor_destroy(c);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

/* Cut the seek table off a seekable file: what remains is a plain zstd
 * stream of the same frames.  The table is a skippable frame (8 bytes of
 * header) of 8 or 12 bytes per frame, then a 9-byte footer: the frame
 * count (LE32), a descriptor (bit 7: checksums) and the magic. */
static void strip_seek_table(const char *path)
{
	FILE *fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, -9, SEEK_END), 0);
	long size = ftell(fp) + 9;
	unsigned char foot[9];
	ck_assert_uint_eq(fread(foot, 1, 9, fp), 9);
	fclose(fp);
	ck_assert_uint_eq(foot[8], 0x8F); /* magic 0x8F92EAB1, LE */
	uint64_t frames = foot[0] | (uint64_t)foot[1] << 8 |
	                  (uint64_t)foot[2] << 16 | (uint64_t)foot[3] << 24;
	uint64_t table = 8 + frames * ((foot[4] & 0x80) ? 12 : 8) + 9;
	ck_assert_uint_gt((uint64_t)size, table);
	ck_assert_int_eq(truncate(path, size - (off_t)table), 0);
}

/* 1 + the newlines of buf[0, at), at most n. */
static uint64_t line_at(const unsigned char *buf, size_t n, uint64_t at)
{
	uint64_t k = 1;
	for (size_t i = 0; i < n && i < at; i++)
		k += buf[i] == '\n';
	return k;
}

/* The byte range [start, end), as mapq_stats_scan() takes it. */
static mapq_range byte_range(uint64_t start, uint64_t end)
{
	mapq_range r = {MAPQ_RANGE_BYTES, MAPQ_RANGE_HAS_START | MAPQ_RANGE_HAS_END,
	                start, end};
	return r;
}

/*
 * Open the bytes of the file at `path` as a stream: the read end of a pipe
 * that a child fills (and that dies of SIGPIPE when the reader stops
 * early).  *pid receives the child, to reap once f is closed.
 */
static mapq_file *open_pipe(const char *path, pid_t *pid)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		close(fds[0]);
		FILE *in = fopen(path, "rb");
		if (in == NULL)
			_exit(1);
		static char b[1 << 16];
		size_t k;
		while ((k = fread(b, 1, sizeof b, in)) > 0)
			for (size_t o = 0; o < k;) {
				ssize_t w = write(fds[1], b + o, k - o);
				if (w <= 0)
					_exit(0); /* the reader went away */
				o += (size_t)w;
			}
		_exit(0);
	}
	close(fds[1]);
	char name[64];
	snprintf(name, sizeof name, "/dev/fd/%d", fds[0]);
	mapq_file *f = tu_open(name, MAPQ_OPEN_DEFAULT);
	close(fds[0]);
	ck_assert_int_eq(mapq_file_is_stream(f), 1);
	return f;
}

/* Close a file opened by open_pipe() and reap its child. */
static void close_pipe(mapq_file *f, pid_t pid)
{
	mapq_file_close(f);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

/*
 * mapq_stats_scan over bytes [start, end) of f, whose data is buf, against
 * one pass over those bytes: after `lead` bytes already seen, with and
 * without counting the first line's number.  With f NULL, each pass reads
 * the file at `pipe_path` through a new pipe (a stream is read once).
 */
static void check_range(mapq_file *f, const char *pipe_path,
                        const unsigned char *buf, size_t n, uint64_t start,
                        uint64_t end, unsigned threads, const char *lead,
                        const char *what)
{
	size_t s0 = start < n ? (size_t)start : n;
	size_t e0 = end < n ? (size_t)end : n;
	if (e0 < s0)
		e0 = s0;
	size_t ll = strlen(lead);
	mapq_stats *m = new_stats();
	mapq_stats_update(m, lead, ll);
	mapq_stats_update(m, buf + s0, e0 - s0);
	uint64_t first = line_at(buf, n, start);
	mapq_stats_result want, got;
	mapq_stats_finish(m, first, &want);
	mapq_stats_destroy(m);

	mapq_stats *s = new_stats();
	mapq_error err;
	for (int counted = 0; counted <= 1; counted++) {
		mapq_stats_reset(s);
		mapq_stats_update(s, lead, ll);
		uint64_t line = 0;
		mapq_range range = byte_range(start, end);
		pid_t pid = 0;
		mapq_file *g = f != NULL ? f : open_pipe(pipe_path, &pid);
		int rc = mapq_stats_scan(s, g, &range, threads,
		                         counted ? &line : NULL, &err);
		if (f == NULL)
			close_pipe(g, pid);
		ck_assert_msg(rc == MAPQ_OK, "%s [%llu, %llu) -j %u: %s", what,
		              (unsigned long long)start, (unsigned long long)end,
		              threads, err.msg);
		if (counted)
			ck_assert_msg(line == first, "%s [%llu, %llu) -j %u: "
			              "first line %llu, want %llu", what,
			              (unsigned long long)start,
			              (unsigned long long)end, threads,
			              (unsigned long long)line,
			              (unsigned long long)first);
		mapq_stats_finish(s, first, &got);
		assert_same(&got, &want, what);
	}
	mapq_stats_destroy(s);
}

static void check_file_range(mapq_file *f, const unsigned char *buf, size_t n,
                             uint64_t start, uint64_t end, unsigned threads,
                             const char *lead, const char *what)
{
	check_range(f, NULL, buf, n, start, end, threads, lead, what);
}

START_TEST(files_of_every_kind_give_the_single_pass_result)
{
	size_t n;
	unsigned char *buf = seam_file(24, &n);
	char *plain = tu_temp_file(buf, n);
	char *sk_small = seekable_file(buf, n, 64 << 10);
	char *sk = seekable_file(buf, n, 0); /* 1 MiB frames */
	char *stream = seekable_file(buf, n, 256 << 10);
	strip_seek_table(stream);
	struct {
		const char *path;
		int compression;
		const char *what;
	} kinds[] = {
		{plain, MAPQ_COMPRESSION_NONE, "plain"},
		{sk_small, MAPQ_COMPRESSION_ZSTD_SEEKABLE, "seekable, 64 KiB frames"},
		{sk, MAPQ_COMPRESSION_ZSTD_SEEKABLE, "seekable, 1 MiB frames"},
		{stream, MAPQ_COMPRESSION_ZSTD_STREAM, "zstd stream"},
	};
	/* Whole, mid-line and mid-frame at both ends, the last bytes, one
	 * frame boundary, nothing, start after end, past the end. */
	const uint64_t ranges[][2] = {
		{0, UINT64_MAX},
		{3333333, n - 777777},
		{n - 4096, n},
		{(1 << 20) - 3, (1 << 20) + 3},
		{5, 5},
		{9000000, 100},
		{n + 5, n + 10},
	};
	const unsigned threads[] = {1, 3};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		mapq_file *f = tu_open(kinds[k].path, MAPQ_OPEN_DEFAULT);
		ck_assert_int_eq(mapq_file_compression(f), kinds[k].compression);
		for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
			for (size_t t = 0; t < sizeof threads / sizeof threads[0];
			     t++)
				check_file_range(f, buf, n, ranges[r][0],
				                 ranges[r][1], threads[t],
				                 r == 1 ? "\xE2\x82" : "",
				                 kinds[k].what);
		mapq_file_close(f);
		/* Not mapped (read with pread), compressed or not. */
		f = tu_open(kinds[k].path, MAPQ_OPEN_NO_MMAP);
		ck_assert_int_eq(mapq_file_is_mapped(f), 0);
		check_file_range(f, buf, n, 3333333, n - 777777, 3, "",
		                 kinds[k].what);
		mapq_file_close(f);
		/* From a pipe (a stream, read once), compressed or not: a
		 * seekable file is then read as a zstd stream. */
		for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
			check_range(NULL, kinds[k].path, buf, n, ranges[r][0],
			            ranges[r][1], 3, r == 1 ? "\xE2\x82" : "",
			            kinds[k].what);
		unlink(kinds[k].path);
		free((void *)kinds[k].path);
	}
	free(buf);
}
END_TEST

START_TEST(small_compressed_files)
{
	const char text[] = "alpha\nbeta\n\ngamma\r\n\xE2\x82";
	size_t n = sizeof text - 1;
	const unsigned char *buf = (const unsigned char *)text;
	for (uint64_t frame = 1; frame <= 8; frame *= 2) {
		char *path = seekable_file(buf, n, frame);
		for (int strip = 0; strip <= 1; strip++) {
			if (strip)
				strip_seek_table(path);
			mapq_file *f = tu_open(path, MAPQ_OPEN_DEFAULT);
			for (uint64_t s0 = 0; s0 <= n + 1; s0++)
				for (uint64_t e0 = s0; e0 <= n + 1; e0 += 3)
					check_file_range(f, buf, n, s0, e0, 4, "",
					                 strip ? "stream" : "seekable");
			mapq_file_close(f);
		}
		unlink(path);
		free(path);
	}

	/* No data frames at all: the empty seekable file. */
	char *path = seekable_file(buf, 0, 0);
	mapq_file *f = tu_open(path, MAPQ_OPEN_DEFAULT);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	check_file_range(f, buf, 0, 0, UINT64_MAX, 2, "", "empty seekable");
	check_file_range(f, buf, 0, 7, 9, 2, "", "empty seekable");
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(damaged_compressed_file_is_an_error)
{
	size_t n = (size_t)3 << 20;
	unsigned char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	fill_tricky(buf, n, 11);
	char *path = seekable_file(buf, n, 64 << 10);
	strip_seek_table(path);
	/* A stream cut in the middle of a frame. */
	FILE *fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	long size = ftell(fp);
	fclose(fp);
	ck_assert_int_eq(truncate(path, size / 2), 0);
	mapq_file *f = tu_open(path, MAPQ_OPEN_DEFAULT);
	mapq_stats *s = new_stats();
	mapq_error err;
	uint64_t line;
	ck_assert_int_eq(mapq_stats_scan(s, f, NULL, 2, NULL, &err),
	                 MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	/* Counting the lines before a range reads the damage too. */
	mapq_range tail = byte_range(n - 10, n);
	ck_assert_int_eq(mapq_stats_scan(s, f, &tail, 2, &line, &err),
	                 MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	mapq_file_close(f);

	/* Without decompression, the same file is plain bytes. */
	f = tu_open(path, MAPQ_OPEN_NO_DECOMPRESS);
	mapq_stats_reset(s);
	ck_assert_int_eq(mapq_stats_scan(s, f, NULL, 2, &line, &err),
	                 MAPQ_OK);
	mapq_stats_result r;
	mapq_stats_finish(s, line, &r);
	ck_assert_uint_eq(r.bytes, (uint64_t)(size / 2));
	ck_assert_uint_eq(line, 1);
	mapq_range one = byte_range(0, 1);
	ck_assert_int_eq(mapq_stats_scan(NULL, f, &one, 1, NULL, &err),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq_stats_scan(s, NULL, &one, 1, NULL, &err),
	                 MAPQ_EINVAL);
	mapq_file_close(f);
	mapq_stats_destroy(s);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/*
 * A progress counter ends equal to the bytes measured, whatever the input
 * and the threads (each piece's thread adds to it); the compressor's, to
 * the bytes compressed.
 */
START_TEST(progress_counts_every_byte)
{
	size_t n;
	unsigned char *buf = seam_file(20, &n);
	char *plain = tu_temp_file(buf, n);
	char *sk = seekable_file(buf, n, 0); /* 1 MiB frames */
	char *stream = seekable_file(buf, n, 256 << 10);
	strip_seek_table(stream);
	struct {
		const char *path;
		unsigned flags;
	} kinds[] = {
		{plain, MAPQ_OPEN_DEFAULT},
		{plain, MAPQ_OPEN_NO_MMAP},
		{sk, MAPQ_OPEN_DEFAULT},
		{stream, MAPQ_OPEN_DEFAULT},
	};
	const unsigned threads[] = {1, 3};
	mapq_error err;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		mapq_file *f = tu_open(kinds[k].path, kinds[k].flags);
		for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
			uint64_t progress = 0;
			mapq_stats *s = new_stats();
			mapq_stats_set_progress(s, &progress);
			mapq_stats_reset(s); /* keeps the counter */
			ck_assert_msg(mapq_stats_scan(s, f, NULL, threads[t], NULL,
			                              &err) == MAPQ_OK,
			              "%s", err.msg);
			ck_assert_msg(progress == n,
			              "%s, %u threads: counted %" PRIu64 " of %zu",
			              kinds[k].path, threads[t], progress, n);
			mapq_stats_destroy(s);
		}
		mapq_file_close(f);
	}

	/* A stream, read once. */
	struct tu_pipe pipe;
	mapq_file *f = tu_pipe_open(&pipe, buf, n, 1 << 16, 0, 0, 0);
	uint64_t progress = 0;
	mapq_stats *s = new_stats();
	mapq_stats_set_progress(s, &progress);
	ck_assert_int_eq(mapq_stats_scan(s, f, NULL, 3, NULL, &err), MAPQ_OK);
	ck_assert_uint_eq(progress, n);
	mapq_stats_destroy(s);
	tu_pipe_close(f, &pipe, 1);

	/* The compressor, with threads: the bytes of the frames written. */
	for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
		progress = 0;
		f = tu_open(plain, MAPQ_OPEN_DEFAULT);
		mapq_compress_options o = {.threads = threads[t],
		                           .progress = &progress};
		int fd = open("/dev/null", O_WRONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(mapq_compress_file(f, fd, &o, &err), MAPQ_OK);
		close(fd);
		ck_assert_uint_eq(progress, n);
		mapq_file_close(f);
	}

	unlink(plain);
	unlink(sk);
	unlink(stream);
	free(plain);
	free(sk);
	free(stream);
	free(buf);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("crafted");
	tcase_add_test(tc, empty_data);
	tcase_add_test(tc, crlf_lines);
	tcase_add_test(tc, empty_lines_and_final_line);
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, utf8_maximal_subparts);
	tcase_add_test(tc, utf8_inside_long_ascii_runs);
	tcase_add_test(tc, utf8_random_high_bytes_match_model);
	tcase_add_test(tc, entropy_values);
	tcase_add_test(tc, first_line_number_offsets_the_longest);
	tcase_add_test(tc, totals_number_lines_through_inputs);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, random_buffers_match_model);
	tcase_add_test(tc, line_shapes_match_model);
	tcase_add_test(tc, two_pieces_at_every_split);
	tcase_add_test(tc, three_pieces_at_every_pair_of_splits);
	tcase_add_test(tc, one_to_sixteen_pieces);
	tcase_add_test(tc, long_passes_count_pairs);
	tcase_add_test(tc, merge_tree_order_does_not_matter);
	suite_add_tcase(s, tc);
	tc = tcase_create("scan");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, threads_give_the_single_pass_result);
	tcase_add_test(tc, small_and_empty_files);
	tcase_add_test(tc, truncated_file_is_an_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, files_of_every_kind_give_the_single_pass_result);
	tcase_add_test(tc, small_compressed_files);
	tcase_add_test(tc, damaged_compressed_file_is_an_error);
	tcase_add_test(tc, progress_counts_every_byte);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
