/*
 * fuzz_stats.c - libFuzzer target for the statistics primitive.
 *
 * The first byte of an input chooses how many pieces to cut the rest into
 * and the next bytes where; the pieces are measured separately and
 * merged, and also fed in order to one accumulator.  Both must give the
 * figures of a single pass, whatever the bytes (lines, CR, NUL, any
 * UTF-8, valid or not), and the figures must be coherent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapq.h"

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_stats: %s\n", what);
		abort();
	}
}

static mapq_stats *fresh(void)
{
	mapq_stats *s = NULL;
	require(mapq_stats_create(&s, NULL) == MAPQ_OK, "create");
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t k = 1 + data[0] % 8; /* pieces */
	size_t header = 1 + (k - 1);
	if (size < header)
		return 0;
	const uint8_t *p = data + header;
	size_t n = size - header;
	size_t cuts[8];
	for (size_t i = 0; i + 1 < k; i++)
		cuts[i] = n > 0 ? data[1 + i] * n / 255 : 0;
	for (size_t i = 1; i + 1 < k; i++) /* sort */
		for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			size_t t = cuts[j];
			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}

	mapq_stats *one = fresh(), *merged = fresh(), *fed = fresh();
	mapq_stats_update(one, p, n);
	size_t from = 0;
	for (size_t i = 0; i < k; i++) {
		size_t to = i + 1 < k ? cuts[i] : n;
		mapq_stats *piece = fresh();
		mapq_stats_update(piece, p + from, to - from);
		mapq_stats_merge(merged, piece);
		mapq_stats_destroy(piece);
		mapq_stats_update(fed, p + from, to - from);
		from = to;
	}
	mapq_stats_result a, b, c;
	mapq_stats_finish(one, 1, &a);
	mapq_stats_finish(merged, 1, &b);
	mapq_stats_finish(fed, 1, &c);
	require(memcmp(&a, &b, sizeof a) == 0, "merged pieces differ from one pass");
	require(memcmp(&a, &c, sizeof a) == 0, "pieces fed in order differ from one pass");

	uint64_t total = 0;
	for (unsigned v = 0; v < 256; v++)
		total += a.histogram[v];
	require(total == n && a.bytes == n, "histogram does not add up");
	require(a.newlines == a.histogram['\n'], "newlines");
	require(a.lines == a.newlines || a.lines == a.newlines + 1, "lines");
	require(a.empty_lines <= a.lines, "empty lines");
	require(a.longest_length <= n && a.longest_line <= a.lines, "longest");
	require((a.lines == 0) == (a.longest_line == 0), "longest line number");
	require(a.utf8_invalid <= n, "utf8_invalid");
	require(a.entropy >= 0.0 && a.entropy <= 8.0, "entropy");
	mapq_stats_destroy(one);
	mapq_stats_destroy(merged);
	mapq_stats_destroy(fed);
	return 0;
}
