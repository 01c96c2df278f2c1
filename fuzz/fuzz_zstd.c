/*
 * fuzz_zstd.c - libFuzzer target for compressed input: the seek table
 * parser, then the whole reader (detection, decompressing scans, ranges)
 * over the same bytes as a file.
 *
 * The parser must accept only tables that fit the data: a parsed table's
 * frames are in order, add up to where the table starts, and every lookup
 * lands in a frame that holds the offset.  The reader must never crash and
 * must fail only with the errors a damaged file may give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/zstd_format.h"

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_zstd: %s\n", what);
		abort();
	}
}

static void check_table(const uint8_t *data, size_t size)
{
	struct mapq__seek_table t;
	mapq_error err;
	int rc = mapq__seek_table_parse(&t, data, size, "fuzz", &err);
	require(rc == 0 || rc == 1 || rc == MAPQ_ECORRUPT || rc == MAPQ_ENOMEM,
	        "unexpected parser status");
	if (rc != 1) {
		require(t.raw == NULL, "table left allocated");
		return;
	}
	uint64_t entry = t.checksum != NULL ? 12 : 8;
	require(t.raw[t.n] + 8 + t.n * entry + 9 == size, "frames do not add up");
	for (uint64_t i = 0; i < t.n; i++) {
		require(t.raw[i] <= t.raw[i + 1], "frames out of order");
		require(t.dec[i] <= t.dec[i + 1], "offsets out of order");
	}
	/* The checks of the frames against the table read only bytes inside
	 * the data, whatever the table claims. */
	struct mapq__memory mem = {data, size};
	(void)mapq__seek_table_fits(&t, mapq__memory_read_at, &mem);
	uint64_t total = t.dec[t.n];
	uint64_t probes[] = {0, 1, total / 2, total - 1, total, total + 1};
	for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
		uint64_t i = mapq__seek_table_find(&t, probes[k]);
		if (probes[k] >= total) {
			require(i == t.n, "lookup past the end");
		} else {
			require(i < t.n && t.dec[i] <= probes[k] &&
			                probes[k] < t.dec[i + 1],
			        "lookup outside its frame");
		}
	}
	mapq__seek_table_free(&t);
}

static void check_reader(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_zstd", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	mapq_file *f;
	mapq_error err;
	if (mapq_file_open(&f, path, NULL, 0, &err) == MAPQ_OK) {
		mapq_scan *s;
		mapq_view w;
		int rc;
		if (mapq_scan_create(&s, f, NULL, 4096, MAPQ_SCAN_LINES,
		                     &err) == MAPQ_OK) {
			while ((rc = mapq_scan_next(s, &w, &err)) == 1)
				;
			require(rc == 0 || rc == MAPQ_ECORRUPT || rc == MAPQ_ENOMEM,
			        "unexpected scan status");
			mapq_scan_destroy(s);
		}
		static const char *ranges[] = {"-3:", "2:+2", "-2:-1"};
		for (size_t i = 0; i < 3; i++) {
			mapq_range r;
			uint64_t a, b;
			if (mapq_range_parse(&r, ranges[i], i == 1 ? MAPQ_RANGE_BYTES
			                                          : MAPQ_RANGE_LINES,
			                     NULL) != MAPQ_OK)
				continue;
			mapq_range_resolve(f, &r, MAPQ_RESOLVE_ALIGN, &a, &b, &err);
			/* The same range as a scan: one pass on a stream. */
			if (mapq_scan_create(&s, f, &r, 4096, MAPQ_SCAN_ALIGN,
			                     &err) == MAPQ_OK) {
				while ((rc = mapq_scan_next(s, &w, &err)) == 1)
					;
				require(rc == 0 || rc == MAPQ_ECORRUPT ||
				                rc == MAPQ_ENOMEM,
				        "unexpected range scan status");
				mapq_scan_destroy(s);
			}
		}
		mapq_file_close(f);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_table(data, size);
	check_reader(data, size);
	return 0;
}
