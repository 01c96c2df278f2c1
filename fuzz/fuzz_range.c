/*
 * fuzz_range.c - libFuzzer target for the range language.
 *
 * Each input is parsed as a byte range and as a line range.  Beyond not
 * crashing, the parser must keep its promises: a parsed range is coherent
 * and survives being written back out and parsed again, every line range
 * is also a byte range with the same numbers, a refusal leaves the range
 * untouched and says why, and a byte range resolves inside the data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapq.h"

#define ALL_FLAGS                                                   \
	(MAPQ_RANGE_HAS_START | MAPQ_RANGE_HAS_END |                \
	 MAPQ_RANGE_START_NEG | MAPQ_RANGE_END_NEG |                \
	 MAPQ_RANGE_END_COUNT)

/* Data sizes to resolve against: empty, tiny, around the numbers people
 * type, around a suffix, and at the top of the 64-bit range. */
static const uint64_t fuzz_sizes[] = {
	0, 1, 2, 9, 10, 100, 1023, 1024, 1025, (uint64_t)1 << 32,
	UINT64_MAX - 1, UINT64_MAX,
};

static void require(int ok, const char *what, const char *text)
{
	if (!ok) {
		fprintf(stderr, "fuzz_range: %s for '%s'\n", what, text);
		abort();
	}
}

static void check_coherent(const mapq_range *r, mapq_range_unit unit,
                           const char *text)
{
	require(r->unit == unit, "wrong unit", text);
	require((r->flags & ~(unsigned)ALL_FLAGS) == 0, "unknown flag", text);
	if (!(r->flags & MAPQ_RANGE_HAS_START)) {
		require(!(r->flags & MAPQ_RANGE_START_NEG), "START_NEG alone",
		        text);
		require(r->start == 0, "start without HAS_START", text);
	}
	if (!(r->flags & MAPQ_RANGE_HAS_END)) {
		require(!(r->flags & (MAPQ_RANGE_END_NEG |
		                      MAPQ_RANGE_END_COUNT)),
		        "END_* without HAS_END", text);
		require(r->end == 0, "end without HAS_END", text);
	}
	require((r->flags & (MAPQ_RANGE_END_NEG | MAPQ_RANGE_END_COUNT)) !=
	                (MAPQ_RANGE_END_NEG | MAPQ_RANGE_END_COUNT),
	        "END_NEG and END_COUNT", text);
	if (unit == MAPQ_RANGE_LINES) {
		require(!(r->flags & MAPQ_RANGE_HAS_START) || r->start != 0,
		        "line 0 as START", text);
		require(!(r->flags & MAPQ_RANGE_HAS_END) ||
		                (r->flags & MAPQ_RANGE_END_COUNT) ||
		                r->end != 0,
		        "line 0 as END", text);
	}
}

/* Write r back in the canonical spelling, parse that, and compare. */
static void check_round_trip(const mapq_range *r, const char *text)
{
	char canon[64];
	int n = 0;
	if (r->flags & MAPQ_RANGE_HAS_START)
		n += snprintf(canon + n, sizeof canon - (size_t)n, "%s%llu",
		              (r->flags & MAPQ_RANGE_START_NEG) ? "-" : "",
		              (unsigned long long)r->start);
	n += snprintf(canon + n, sizeof canon - (size_t)n, ":");
	if (r->flags & MAPQ_RANGE_HAS_END)
		snprintf(canon + n, sizeof canon - (size_t)n, "%s%llu",
		         (r->flags & MAPQ_RANGE_END_COUNT) ? "+"
		         : (r->flags & MAPQ_RANGE_END_NEG) ? "-"
		                                           : "",
		         (unsigned long long)r->end);

	mapq_range again;
	mapq_error err;
	int rc = mapq_range_parse(&again, canon, r->unit, &err);
	require(rc == MAPQ_OK, "canonical form refused", text);
	require(again.unit == r->unit && again.flags == r->flags &&
	                again.start == r->start && again.end == r->end,
	        "canonical form differs", text);
}

static void check_refusal(int rc, const mapq_error *err,
                          const mapq_range *r, const mapq_range *before,
                          mapq_range_unit unit, const char *text)
{
	require(rc == MAPQ_ERANGE || rc == MAPQ_EOVERFLOW, "unexpected code",
	        text);
	require(err->code == rc, "err.code differs from rc", text);
	require(memchr(err->msg, '\0', sizeof err->msg) != NULL,
	        "message not terminated", text);
	const char *prefix = unit == MAPQ_RANGE_LINES ? "invalid line range '"
	                                              : "invalid byte range '";
	require(strncmp(err->msg, prefix, strlen(prefix)) == 0,
	        "message does not quote the range", text);
	require(memcmp(r, before, sizeof *r) == 0, "range changed on error",
	        text);
}

/* What resolve_bytes must give, computed in 128 bits without clamping
 * tricks. */
static void check_resolve(const mapq_range *r, uint64_t size,
                          const char *text)
{
	uint64_t s = 0, e = 0;
	require(mapq_range_resolve_bytes(r, size, &s, &e) == MAPQ_OK,
	        "resolve failed", text);
	require(s <= e && e <= size, "resolved outside [0, size]", text);

	__int128 want_s = 0;
	if (r->flags & MAPQ_RANGE_HAS_START)
		want_s = (r->flags & MAPQ_RANGE_START_NEG)
		                 ? (__int128)size - r->start
		                 : (__int128)r->start;
	if (want_s < 0)
		want_s = 0;
	if (want_s > size)
		want_s = size;

	__int128 want_e = size;
	if (r->flags & MAPQ_RANGE_END_COUNT)
		want_e = want_s + r->end;
	else if (r->flags & MAPQ_RANGE_END_NEG)
		want_e = (__int128)size - r->end;
	else if (r->flags & MAPQ_RANGE_HAS_END)
		want_e = r->end;
	if (want_e < 0)
		want_e = 0;
	if (want_e > size)
		want_e = size;
	if (want_e < want_s)
		want_e = want_s;

	require(s == (uint64_t)want_s && e == (uint64_t)want_e,
	        "resolved differently from the reference", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	const mapq_range poison = { .unit = (mapq_range_unit)7,
	                            .flags = 0xdead,
	                            .start = 0x1111,
	                            .end = 0x2222 };
	mapq_range as_bytes = poison, as_lines = poison;
	mapq_error err;

	int rc_bytes = mapq_range_parse(&as_bytes, text, MAPQ_RANGE_BYTES,
	                                &err);
	if (rc_bytes == MAPQ_OK) {
		check_coherent(&as_bytes, MAPQ_RANGE_BYTES, text);
		check_round_trip(&as_bytes, text);
		for (size_t i = 0; i < sizeof fuzz_sizes / sizeof fuzz_sizes[0];
		     i++)
			check_resolve(&as_bytes, fuzz_sizes[i], text);
	} else {
		check_refusal(rc_bytes, &err, &as_bytes, &poison,
		              MAPQ_RANGE_BYTES, text);
	}

	int rc_lines = mapq_range_parse(&as_lines, text, MAPQ_RANGE_LINES,
	                                &err);
	if (rc_lines == MAPQ_OK) {
		check_coherent(&as_lines, MAPQ_RANGE_LINES, text);
		check_round_trip(&as_lines, text);
		/* Line syntax is byte syntax without suffixes or zeros. */
		require(rc_bytes == MAPQ_OK, "a line range but no byte range",
		        text);
		require(as_lines.flags == as_bytes.flags &&
		                as_lines.start == as_bytes.start &&
		                as_lines.end == as_bytes.end,
		        "line and byte readings differ", text);
		uint64_t s, e;
		require(mapq_range_resolve_bytes(&as_lines, 100, &s, &e) ==
		                MAPQ_EINVAL,
		        "resolve_bytes took a line range", text);
	} else {
		check_refusal(rc_lines, &err, &as_lines, &poison,
		              MAPQ_RANGE_LINES, text);
	}

	/* err is optional: the same answer without it. */
	mapq_range quiet;
	require(mapq_range_parse(&quiet, text, MAPQ_RANGE_BYTES, NULL) ==
	                rc_bytes,
	        "different answer without err", text);

	free(text);
	return 0;
}
