/*
 * window_size.c - how the scan window size trades speed for resident memory.
 * Counts the newlines of a file through mapq_scan with a given window, with
 * and without releasing pages; see bench/README.md.  Build (from the repo):
 *   cc -O2 -D_GNU_SOURCE -Iinclude -Icore bench/window_size.c build/libmapq.a \
 *      -lpcre2-8 -lzstd -lxxhash -lpthread -lm
 * Run: ./a.out FILE WINDOW_BYTES [keep]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include "mapq.h"
#include "lines.h"
int main(int argc, char **argv) {
	mapq_file *f; mapq_error err;
	if (mapq_file_open(&f, argv[1], NULL, 0, &err)) { puts(err.msg); return 2; }
	uint64_t w = strtoull(argv[2], 0, 0); unsigned flags = argc > 3 ? MAPQ_SCAN_KEEP : 0;
	struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
	mapq_scan *s; /* the whole file: a NULL range */
	if (mapq_scan_create(&s, f, NULL, w, flags, &err)) { puts(err.msg); return 2; }
	mapq_view v; uint64_t n = 0;
	int rc;
	while ((rc = mapq_scan_next(s, &v, &err)) > 0) n += mapq__count_newlines(v.data, v.size);
	if (rc < 0) { puts(err.msg); return 2; }
	mapq_scan_destroy(s);
	clock_gettime(CLOCK_MONOTONIC, &b);
	struct rusage ru; getrusage(RUSAGE_SELF, &ru);
	double t = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("w=%8lu keep=%d n=%lu %.3fs %.2f GB/s maxrss=%ld MiB\n", (unsigned long)w, argc > 3, (unsigned long)n, t, mapq_file_size(f) / t / 1e9, ru.ru_maxrss / 1024);
	return 0;
}
