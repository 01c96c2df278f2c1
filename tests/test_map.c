/* test_map.c - the input layer: opening inputs (mapped, pread, streams),
 * views, scans, truncation. */
#include <check.h>
#include <stdio.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "input/file.h"
#include "input/input.h"
#include "lines.h"
#include "testutil.h"

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	/* Lines of varying length, so scans have newlines to snap to. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (seed >> 16) % 61 == 0 ? '\n' : (unsigned char)('a' + (seed >> 20) % 26);
	}
}

/* A byte range [start, end) built by hand. */
static mapq_range byte_range(uint64_t start, uint64_t end)
{
	mapq_range r = {MAPQ_RANGE_BYTES, MAPQ_RANGE_HAS_START | MAPQ_RANGE_HAS_END,
	                start, end};
	return r;
}

/* What a public scan handed out: its windows' bytes, end to end. */
struct collected {
	unsigned char *data;
	size_t len;
	uint64_t start;      /* mapq_scan_start() after the scan */
	uint64_t first_line; /* mapq_scan_first_line() after the scan */
	int windows;
	/* With MAPQ_SCAN_LINES: windows that came after one that ended
	 * inside a line (the flag promises none), and the first such. */
	int split_lines;
	uint64_t first_split;
	uint64_t *offsets;   /* each window's offset and size */
	uint64_t *sizes;
};

static void collected_free(struct collected *c)
{
	free(c->data);
	free(c->offsets);
	free(c->sizes);
	memset(c, 0, sizeof *c);
}

/*
 * Scan f over range r (NULL: all), checking on the way what every scan
 * promises: windows are not empty and follow each other from the start; a
 * stream knows its start once the first window is asked for, other input
 * before.  With MAPQ_SCAN_LINES, only the last window may end without a
 * newline: windows after one that does are counted in c->split_lines, for
 * the caller to check.
 */
static void collect(mapq_file *f, const mapq_range *r, uint64_t window,
                    unsigned flags, struct collected *c, const char *what)
{
	memset(c, 0, sizeof *c);
	mapq_scan *s;
	mapq_error err;
	ck_assert_msg(mapq_scan_create(&s, f, r, window, flags, &err) == MAPQ_OK,
	              "%s: scan_create: %s", what, err.msg);
	uint64_t start = UINT64_MAX, line;
	if (mapq_file_is_stream(f)) {
		ck_assert_int_eq(mapq_scan_start(s, &start), MAPQ_EINVAL);
		ck_assert_int_eq(mapq_scan_first_line(s, &line, NULL), MAPQ_EINVAL);
	} else {
		ck_assert_int_eq(mapq_scan_start(s, &start), MAPQ_OK);
	}
	size_t cap = 0, wcap = 0;
	int open_line = 0;
	mapq_view w;
	int rc;
	while ((rc = mapq_scan_next(s, &w, &err)) == 1) {
		if (open_line && c->split_lines++ == 0)
			c->first_split = w.offset;
		if (c->windows == 0) {
			ck_assert_int_eq(mapq_scan_start(s, &start), MAPQ_OK);
			ck_assert_uint_eq(w.offset, start);
		}
		ck_assert_msg(w.offset == start + c->len,
		              "%s: window at %llu, expected %llu", what,
		              (unsigned long long)w.offset,
		              (unsigned long long)(start + c->len));
		ck_assert_msg(w.size > 0, "%s: empty window", what);
		ck_assert_ptr_eq(w.file, f);
		if (c->len + w.size > cap) {
			cap = (c->len + w.size) * 2;
			c->data = realloc(c->data, cap);
			ck_assert_ptr_nonnull(c->data);
		}
		memcpy(c->data + c->len, w.data, (size_t)w.size);
		c->len += (size_t)w.size;
		if ((size_t)c->windows == wcap) {
			wcap = wcap > 0 ? wcap * 2 : 64;
			c->offsets = realloc(c->offsets, wcap * sizeof *c->offsets);
			c->sizes = realloc(c->sizes, wcap * sizeof *c->sizes);
			ck_assert(c->offsets != NULL && c->sizes != NULL);
		}
		c->offsets[c->windows] = w.offset;
		c->sizes[c->windows] = w.size;
		c->windows++;
		if (flags & MAPQ_SCAN_LINES)
			open_line = w.data[w.size - 1] != '\n';
	}
	ck_assert_msg(rc == 0, "%s: scan_next %d: %s", what, rc, err.msg);
	ck_assert_int_eq(mapq_scan_start(s, &c->start), MAPQ_OK);
	if (c->windows > 0)
		ck_assert_uint_eq(c->start, start);
	ck_assert_msg(mapq_scan_first_line(s, &c->first_line, &err) == MAPQ_OK,
	              "%s: first_line: %s", what, err.msg);
	mapq_scan_destroy(s);
	/* Mapped and pread input always keep lines whole. */
	if (!mapq_file_is_stream(f))
		ck_assert_msg(c->split_lines == 0,
		              "%s: window at %llu follows one that ends inside "
		              "a line", what, (unsigned long long)c->first_split);
}

/* Two scans handed out the same bytes from the same place. */
static void assert_same(const struct collected *a, const struct collected *b,
                        const char *what)
{
	ck_assert_msg(a->len == b->len &&
	              (a->len == 0 || memcmp(a->data, b->data, a->len) == 0),
	              "%s: %zu bytes '%.*s', want %zu bytes '%.*s'", what,
	              a->len, (int)(a->len < 200 ? a->len : 200),
	              a->data != NULL ? (const char *)a->data : "", b->len,
	              (int)(b->len < 200 ? b->len : 200),
	              b->data != NULL ? (const char *)b->data : "");
	ck_assert_msg(a->start == b->start, "%s: start %llu, want %llu", what,
	              (unsigned long long)a->start,
	              (unsigned long long)b->start);
	ck_assert_msg(a->first_line == b->first_line,
	              "%s: first line %llu, want %llu", what,
	              (unsigned long long)a->first_line,
	              (unsigned long long)b->first_line);
}

START_TEST(empty_file_is_valid)
{
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes("", 0, 0, &path, &v);
	ck_assert_uint_eq(mapq_file_size(f), 0);
	ck_assert_uint_eq(v.size, 0);
	uint64_t n = 99;
	ck_assert_int_eq(mapq__view_count_newlines(&v, &n, NULL), MAPQ_OK);
	ck_assert_uint_eq(n, 0);
	n = 99;
	ck_assert_int_eq(mapq_lines_count_newlines(f, 0, UINT64_MAX, &n, NULL),
	                 MAPQ_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(mapq_lines_count(f, 0, UINT64_MAX, &n, NULL), MAPQ_OK);
	ck_assert_uint_eq(n, 0);
	mapq_scan *s;
	mapq_view w;
	ck_assert_int_eq(mapq_scan_create(&s, f, NULL, 0, 0, NULL), 0);
	ck_assert_int_eq(mapq_scan_next(s, &w, NULL), 0);
	uint64_t line = 0;
	ck_assert_int_eq(mapq_scan_first_line(s, &line, NULL), 0);
	ck_assert_uint_eq(line, 1);
	mapq_scan_destroy(s);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(regular_file_is_mapped_and_exact)
{
	static unsigned char buf[100000];
	fill_pattern(buf, sizeof buf, 7);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, sizeof buf, 0, &path, &v);
	ck_assert_int_eq(mapq_file_is_mapped(f), 1);
	ck_assert_str_eq(mapq_file_name(f), path);
	ck_assert_uint_eq(v.size, sizeof buf);
	ck_assert_int_eq(memcmp(v.data, buf, sizeof buf), 0);

	/* Read with pread(2): no contiguous view, the same bytes through a
	 * scan. */
	mapq_file *g = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(g), 0);
	ck_assert_int_eq(mapq_file_is_stream(g), 0);
	ck_assert_uint_eq(mapq_file_size(g), sizeof buf);
	mapq_view w;
	mapq_error err;
	ck_assert_int_eq(mapq_file_view(g, &w, &err), MAPQ_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	struct collected c;
	collect(g, NULL, 4096, 0, &c, "pread");
	ck_assert_uint_eq(c.len, sizeof buf);
	ck_assert_int_eq(memcmp(c.data, buf, sizeof buf), 0);
	ck_assert_uint_eq(c.start, 0);
	ck_assert_uint_eq(c.first_line, 1);
	collected_free(&c);
	mapq_file_close(g);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(directory_is_an_error)
{
	mapq_file *f = (mapq_file *)1;
	mapq_error err;
	int rc = mapq_file_open(&f, "/tmp", NULL, 0, &err);
	ck_assert_int_eq(rc, MAPQ_ESYS);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(err.sys_errno, EISDIR);
	ck_assert_str_eq(err.msg, "/tmp: Is a directory");
}
END_TEST

START_TEST(missing_file_names_itself)
{
	mapq_file *f;
	mapq_error err;
	int rc = mapq_file_open(&f, "/nonexistent/mapq.log", NULL, 0, &err);
	ck_assert_int_eq(rc, MAPQ_ESYS);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	ck_assert_str_eq(err.msg,
	                 "/nonexistent/mapq.log: No such file or directory");
	ck_assert_str_eq(mapq_strerror(rc), "system call failed");
}
END_TEST

/* Run open("-") with standard input connected to the read end of a pipe
 * that a child fills with `len` bytes of pattern: a stream, read window by
 * window, that gives the same bytes and answers as the mapped path. */
START_TEST(pipe_input_equals_mapped)
{
	size_t len = 3 * 1000 * 1000 + 17; /* several pipe buffers and windows */
	unsigned char *buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	fill_pattern(buf, len, 11);
	char *path;
	mapq_view mv;
	mapq_file *m = tu_open_bytes(buf, len, 0, &path, &mv);

	struct tu_pipe pf;
	mapq_file *f = tu_pipe_open(&pf, buf, len, 1 << 16, 0, 0, 1);
	ck_assert_str_eq(mapq_file_name(f), "(standard input)");
	ck_assert_int_eq(mapq_file_size_known(f), 0);
	ck_assert_uint_eq(mapq_file_size(f), MAPQ_SIZE_UNKNOWN);
	mapq_view v;
	ck_assert_int_eq(mapq_file_view(f, &v, NULL), MAPQ_ENOTSUP);
	mapq_range all;
	uint64_t a, b;
	ck_assert_int_eq(mapq_range_parse(&all, ":", MAPQ_RANGE_LINES, NULL), 0);
	ck_assert_int_eq(mapq_range_resolve(f, &all, 0, &a, &b, NULL),
	                 MAPQ_ENOTSUP);
	/* All of it, window by window, counting newlines on the way. */
	mapq_scan *s;
	ck_assert_int_eq(mapq_scan_create(&s, f, NULL, 0, 0, NULL), 0);
	size_t got = 0;
	a = 0;
	int rc;
	while ((rc = mapq_scan_next(s, &v, NULL)) == 1) {
		ck_assert_uint_eq(v.offset, got);
		ck_assert_uint_le(got + v.size, len);
		ck_assert_int_eq(memcmp(v.data, buf + got, v.size), 0);
		a += mapq__count_newlines(v.data, v.size);
		got += v.size;
	}
	ck_assert_int_eq(rc, 0);
	mapq_scan_destroy(s);
	ck_assert_uint_eq(got, len);
	/* The end was read: the size is known now. */
	ck_assert_int_eq(mapq_file_size_known(f), 1);
	ck_assert_uint_eq(mapq_file_size(f), len);
	/* A stream is read once: a second scan cannot go back to 0. */
	ck_assert_int_eq(mapq_scan_create(&s, f, NULL, 0, 0, NULL), 0);
	mapq_error err;
	ck_assert_int_eq(mapq_scan_next(s, &v, &err), MAPQ_ENOTSUP);
	mapq_scan_destroy(s);
	tu_pipe_close(f, &pf, 1);

	ck_assert_int_eq(mapq__view_count_newlines(&mv, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(mapq_lines_count_newlines(m, 0, len, &b, NULL), 0);
	ck_assert_uint_eq(a, b);

	/* Line -5 of the stream (a tail kept while 3 MB go by) starts where
	 * it does in the mapping. */
	f = tu_pipe_open(&pf, buf, len, 1 << 16, 0, 0, 1);
	mapq_range last5;
	ck_assert_int_eq(mapq_range_parse(&last5, "-5:", MAPQ_RANGE_LINES, NULL), 0);
	struct collected cs, cm;
	collect(f, &last5, 0, MAPQ_SCAN_LINES, &cs, "pipe -5:");
	tu_pipe_close(f, &pf, 1);
	ck_assert_int_eq(mapq__view_find_start_back(&mv, 5, &b, NULL), 0);
	ck_assert_uint_eq(cs.start, b);
	ck_assert_uint_eq(cs.len, len - b);
	collect(m, &last5, 0, MAPQ_SCAN_LINES, &cm, "mapped -5:");
	assert_same(&cs, &cm, "-5:");
	collected_free(&cs);
	collected_free(&cm);

	mapq_file_close(m);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

START_TEST(stdin_regular_file_starts_at_offset)
{
	char *path = tu_temp_file("skip me\nkeep this\n", 18);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(lseek(fd, 8, SEEK_SET), 8);
	int saved = dup(STDIN_FILENO);
	dup2(fd, STDIN_FILENO);
	close(fd);
	mapq_file *f = NULL;
	int rc = mapq_file_open(&f, NULL, "input", 0, NULL);
	dup2(saved, STDIN_FILENO);
	close(saved);
	ck_assert_int_eq(rc, MAPQ_OK);
	ck_assert_int_eq(mapq_file_is_mapped(f), 1);
	ck_assert_str_eq(mapq_file_name(f), "input");
	mapq_view v;
	mapq_file_view(f, &v, NULL);
	ck_assert_uint_eq(v.size, 10);
	ck_assert_int_eq(memcmp(v.data, "keep this\n", 10), 0);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(proc_file_with_zero_size_is_read)
{
	struct stat st;
	ck_assert_int_eq(stat("/proc/self/status", &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	mapq_file *f = tu_open("/proc/self/status", 0);
	ck_assert_int_eq(mapq_file_is_mapped(f), 0);
	ck_assert_int_eq(mapq_file_is_stream(f), 1);
	struct collected c;
	collect(f, NULL, 0, MAPQ_SCAN_LINES, &c, "/proc/self/status");
	ck_assert_uint_gt(c.len, 5);
	ck_assert_int_eq(memcmp(c.data, "Name:", 5), 0);
	ck_assert_int_eq(c.data[c.len - 1], '\n');
	ck_assert_uint_eq(mapq_file_size(f), c.len);
	collected_free(&c);
	mapq_file_close(f);
}
END_TEST

/* A sparse file larger than 4 GiB with text near its end: offsets past
 * 2^32 must survive every step from open to the last line. */
START_TEST(sparse_file_over_4gib)
{
	const uint64_t size = (uint64_t)5 << 30;
	const char tail[] = "\nfirst line\nsecond line\nlast line\n";
	const uint64_t at = size - (sizeof tail - 1);
	char *path = tu_temp_file("", 0);
	int fd = open(path, O_WRONLY);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	ck_assert_int_eq(pwrite(fd, tail, sizeof tail - 1, (off_t)at),
	                 (ssize_t)(sizeof tail - 1));
	close(fd);

	mapq_file *f = tu_open(path, 0);
	ck_assert_uint_eq(mapq_file_size(f), size);
	mapq_view v;
	mapq_file_view(f, &v, NULL);
	uint64_t off;
	ck_assert_int_eq(mapq__view_find_start_back(&v, 2, &off, NULL), 0);
	ck_assert_uint_eq(off, at + 12);
	ck_assert_int_eq(memcmp(v.data + off, "second line\n", 12), 0);
	ck_assert_int_eq(mapq__view_find_start_back(&v, 3, &off, NULL), 0);
	ck_assert_uint_eq(off, at + 1);

	mapq_range r;
	uint64_t s, e;
	ck_assert_int_eq(mapq_range_parse(&r, "-10:", MAPQ_RANGE_BYTES, NULL), 0);
	ck_assert_int_eq(mapq__view_resolve(&r, &v, &s, &e, NULL), 0);
	ck_assert_uint_eq(s, size - 10);
	ck_assert_uint_eq(e, size);
	ck_assert_int_eq(memcmp(v.data + s, "last line\n", 10), 0);
	ck_assert_int_eq(mapq_range_parse(&r, "4294967296:+4", MAPQ_RANGE_BYTES,
	                                  NULL), 0);
	ck_assert_int_eq(mapq__view_resolve(&r, &v, &s, &e, NULL), 0);
	ck_assert_uint_eq(s, (uint64_t)1 << 32);
	ck_assert_uint_eq(e - s, 4);

	/* Count the newlines of the last 64 MiB past 4 GiB through a scan. */
	mapq_view last = mapq_view_sub(&v, size - (64u << 20), size);
	uint64_t n;
	ck_assert_int_eq(mapq__view_count_newlines(&last, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);

	/* The same through the file forms, mapped and read with pread(2). */
	mapq_file *g = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(g), 0);
	ck_assert_uint_eq(mapq_file_size(g), size);
	mapq_file *both[] = {f, g};
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(mapq_lines_count_newlines(both[i], size - (64u << 20),
		                                           size, &n, NULL), 0);
		ck_assert_uint_eq(n, 4);
		ck_assert_int_eq(mapq_range_parse(&r, "-2:", MAPQ_RANGE_LINES,
		                                  NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(both[i], &r, 0, &s, &e, NULL), 0);
		ck_assert_uint_eq(s, at + 12);
		ck_assert_uint_eq(e, size);
		ck_assert_int_eq(mapq_range_parse(&r, "4294967296:+4",
		                                  MAPQ_RANGE_BYTES, NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(both[i], &r, 0, &s, &e, NULL), 0);
		ck_assert_uint_eq(s, (uint64_t)1 << 32);
		ck_assert_uint_eq(e - s, 4);
		/* Aligned: the lines that start in [at - 100, at + 100). */
		r = byte_range(at - 100, at + 100);
		ck_assert_int_eq(mapq_range_resolve(both[i], &r, MAPQ_RESOLVE_ALIGN,
		                                    &s, &e, NULL), 0);
		ck_assert_uint_eq(s, at + 1);
		ck_assert_uint_eq(e, size);
		/* The last line through a scan (its line number would cost
		 * a pass over 5 GiB: not asked). */
		ck_assert_int_eq(mapq_range_parse(&r, "-1", MAPQ_RANGE_LINES,
		                                  NULL), 0);
		mapq_scan *sc;
		ck_assert_int_eq(mapq_scan_create(&sc, both[i], &r, 0,
		                                  MAPQ_SCAN_LINES, NULL), 0);
		ck_assert_int_eq(mapq_scan_start(sc, &s), 0);
		ck_assert_uint_eq(s, size - 10);
		mapq_view w;
		ck_assert_int_eq(mapq_scan_next(sc, &w, NULL), 1);
		ck_assert_uint_eq(w.offset, size - 10);
		ck_assert_uint_eq(w.size, 10);
		ck_assert_int_eq(memcmp(w.data, "last line\n", 10), 0);
		ck_assert_int_eq(mapq_scan_next(sc, &w, NULL), 0);
		mapq_scan_destroy(sc);
	}
	mapq_file_close(g);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(scan_windows_cover_range_on_line_ends)
{
	size_t len = 5 * 1000 * 1000;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 3);
	/* One line longer than a window. */
	memset(buf + 2000000, 'x', 1500000);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	mapq_scan *s;
	mapq_range r = byte_range(12345, len - 999);
	ck_assert_int_eq(mapq_scan_create(&s, f, &r, 1 << 20, MAPQ_SCAN_LINES,
	                                  NULL), 0);
	uint64_t expect = 12345;
	ck_assert_int_eq(mapq_scan_start(s, &expect), 0);
	ck_assert_uint_eq(expect, 12345);
	mapq_view w;
	int rc, windows = 0;
	while ((rc = mapq_scan_next(s, &w, NULL)) == 1) {
		ck_assert_uint_eq(w.offset, expect);
		ck_assert_ptr_eq(w.data, v.data + w.offset);
		ck_assert_uint_gt(w.size, 0);
		expect += w.size;
		if (expect < len - 999)
			ck_assert_int_eq(w.data[w.size - 1], '\n');
		windows++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(expect, len - 999);
	ck_assert_int_ge(windows, 3);
	mapq_scan_destroy(s);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* The bytes of out, a file written by a test. */
static void assert_file_holds(const char *out, const unsigned char *want,
                              size_t len)
{
	mapq_file *g = tu_open(out, 0);
	ck_assert_uint_eq(mapq_file_size(g), len);
	if (len > 0) {
		mapq_view w;
		ck_assert_int_eq(mapq_file_view(g, &w, NULL), 0);
		ck_assert_int_eq(memcmp(w.data, want, len), 0);
	}
	mapq_file_close(g);
}

START_TEST(file_write_copies_range)
{
	size_t len = 9 * 1000 * 1000; /* more than two default windows */
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 5);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	mapq_file *g = tu_open(path, MAPQ_OPEN_NO_MMAP);
	char *out = tu_temp_file("", 0);

	/* Mapped (written straight from the mapping) and pread input; the
	 * range is clamped to the data. */
	mapq_file *both[] = {f, g};
	for (int i = 0; i < 2; i++) {
		int fd = open(out, O_WRONLY | O_TRUNC);
		ck_assert_int_eq(mapq_file_write_range(both[i], 100, len - 100, fd,
		                                       NULL), 0);
		close(fd);
		assert_file_holds(out, buf + 100, len - 200);
		fd = open(out, O_WRONLY | O_TRUNC);
		ck_assert_int_eq(mapq_file_write_range(both[i], len - 7, UINT64_MAX,
		                                       fd, NULL), 0);
		close(fd);
		assert_file_holds(out, buf + len - 7, 7);
	}

	/* A full device is a write error naming the cause. */
	mapq_error err;
	for (int i = 0; i < 2; i++) {
		int fd = open("/dev/full", O_WRONLY);
		ck_assert_int_eq(mapq_file_write_range(both[i], 0, 10, fd, &err),
		                 MAPQ_EWRITE);
		ck_assert_int_eq(err.sys_errno, ENOSPC);
		close(fd);
	}

	/* A closed pipe is EPIPE, not a signal death (SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(mapq_file_write_range(both[i], 0, 10, p[1], &err),
		                 MAPQ_EPIPE);
	close(p[1]);
	mapq_file_close(g);
	mapq_file_close(f);
	unlink(out);
	unlink(path);
	free(out);
	free(path);
	free(buf);
}
END_TEST

/* A mapped file of `len` pattern bytes (seed `seed`) and a scan over it in
 * 1 MiB windows: the start of the truncation tests. */
static mapq_file *open_scanned(size_t len, unsigned seed, unsigned char **buf,
                               char **path, mapq_view *v, mapq_scan **s)
{
	*buf = malloc(len);
	ck_assert_ptr_nonnull(*buf);
	fill_pattern(*buf, len, seed);
	mapq_file *f = tu_open_bytes(*buf, len, 0, path, v);
	ck_assert_int_eq(mapq_scan_create(s, f, NULL, 1 << 20, 0, NULL), 0);
	return f;
}

/* Deterministic: another process truncates the file between two windows
 * of a scan; the next window must be an error, not SIGBUS. */
START_TEST(truncation_between_windows)
{
	size_t len = 16 << 20;
	unsigned char *buf;
	char *path;
	mapq_view v;
	mapq_scan *s;
	mapq_file *f = open_scanned(len, 9, &buf, &path, &v, &s);
	mapq_view w;
	mapq_error err;
	ck_assert_int_eq(mapq_scan_next(s, &w, &err), 1);
	tu_truncate_from_child(path, 4096);
	/* Windows keep coming (the scan does not read them); reading one
	 * through a library primitive reports the truncation. */
	int rc;
	uint64_t count;
	while ((rc = mapq_scan_next(s, &w, &err)) == 1 &&
	       (rc = mapq__view_count_newlines(&w, &count, &err)) == MAPQ_OK)
		;
	ck_assert_int_eq(rc, MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	mapq_scan_destroy(s);

	/* Reads that do not prefault hit the SIGBUS guard itself. */
	uint64_t off;
	ck_assert_int_eq(mapq__view_find_start_back(&v, 3, &off, &err),
	                 MAPQ_ETRUNC);
	uint64_t n;
	ck_assert_int_eq(mapq__view_count_newlines(&v, &n, &err), MAPQ_ETRUNC);
	/* So do the file forms, which read the mapping through scans. */
	ck_assert_int_eq(mapq_lines_count_newlines(f, 0, len, &n, &err),
	                 MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	mapq_range r;
	uint64_t rs, re;
	ck_assert_int_eq(mapq_range_parse(&r, "-3:", MAPQ_RANGE_LINES, NULL), 0);
	ck_assert_int_eq(mapq_range_resolve(f, &r, 0, &rs, &re, &err),
	                 MAPQ_ETRUNC);
	/* A scan with line-aligned windows reads while snapping. */
	ck_assert_int_eq(mapq_scan_create(&s, f, NULL, 1 << 20,
	                                  MAPQ_SCAN_LINES, NULL), 0);
	ck_assert_int_eq(mapq_scan_next(s, &w, &err), MAPQ_ETRUNC);
	mapq_scan_destroy(s);
	/* What still exists can be read. */
	mapq_view head = mapq_view_sub(&v, 0, 4096);
	ck_assert_int_eq(mapq__view_count_newlines(&head, &n, &err), MAPQ_OK);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* Lines of [p, p + n) counted one byte at a time: the newlines, plus a
 * last line without one. */
static uint64_t lines_by_hand(const unsigned char *p, size_t n)
{
	uint64_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines + (n > 0 && p[n - 1] != '\n');
}

/* A seekable zstd file of buf made by the library's compressor, frames of
 * `frame` bytes cut anywhere (inside lines); opened. */
static mapq_file *open_seekable(const unsigned char *buf, size_t len,
                                uint64_t frame, char **path)
{
	*path = tu_temp_file("", 0);
	int fd = open(*path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	mapq_compress_options co = {.frame_size = frame};
	mapq_compressor *c;
	ck_assert_int_eq(mapq_compressor_create(&c, fd, &co, NULL), MAPQ_OK);
	ck_assert_int_eq(mapq_compressor_write(c, buf, len, NULL), MAPQ_OK);
	ck_assert_int_eq(mapq_compressor_finish(c, NULL), MAPQ_OK);
	mapq_compressor_destroy(c);
	close(fd);
	mapq_file *f = tu_open(*path, 0);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	return f;
}

/* Open buf as input of the given kind: 0 mapped, 1 pread, 2 a pipe, 3
 * seekable zstd.  *path is NULL for the pipe. */
static mapq_file *open_kind(int kind, const unsigned char *buf, size_t len,
                            struct tu_pipe *pp, char **path)
{
	*path = NULL;
	if (kind == 2)
		return tu_pipe_open(pp, buf, len, 4093, 0, 0, 0);
	if (kind == 3)
		return open_seekable(buf, len, 4096, path);
	*path = tu_temp_file(buf, len);
	return tu_open(*path, kind == 1 ? MAPQ_OPEN_NO_MMAP : 0);
}

/* Count the lines of bytes [a, b) of buf (b may pass the end) read as
 * input of `kind`, in windows of 1000 bytes with scan flags sf, after
 * taking one window first when `skip`; compare with a count by hand.
 * Returns the lines counted. */
static uint64_t check_count(const unsigned char *buf, size_t len, int kind,
                            uint64_t a, uint64_t b, unsigned sf, int skip)
{
	struct tu_pipe pp;
	char *path;
	mapq_file *f = open_kind(kind, buf, len, &pp, &path);
	mapq_range r = byte_range(a, b);
	int whole = a == 0 && b == len;
	mapq_scan *sc;
	ck_assert_int_eq(mapq_scan_create(&sc, f, whole ? NULL : &r, 1000, sf,
	                                  NULL),
	                 MAPQ_OK);
	uint64_t from = a, end = b < len ? b : len;
	mapq_view w;
	if (skip) {
		int rc = mapq_scan_next(sc, &w, NULL);
		ck_assert_int_ge(rc, 0);
		if (rc == 1)
			from = w.offset + w.size;
	}
	uint64_t n = 12345;
	mapq_error err;
	int rc = mapq_scan_count_lines(sc, &n, &err);
	ck_assert_msg(rc == MAPQ_OK, "kind %d: %s", kind, err.msg);
	uint64_t want = from < end ? lines_by_hand(buf + from, (size_t)(end - from))
	                           : 0;
	ck_assert_msg(n == want,
	              "kind %d, %zu bytes, [%" PRIu64 ", %" PRIu64 "), flags %u: %"
	              PRIu64 " lines, want %" PRIu64,
	              kind, len, from, end, sf, n, want);
	/* The scan is at its end. */
	ck_assert_int_eq(mapq_scan_next(sc, &w, NULL), 0);
	mapq_scan_destroy(sc);
	if (kind == 2) {
		tu_pipe_close(f, &pp, 0);
	} else {
		mapq_file_close(f);
		unlink(path);
		free(path);
	}
	return n;
}

/*
 * mapq_scan_count_lines() over every kind of input (mapped, pread, a pipe,
 * seekable zstd), whole and in byte ranges that cut lines, with and
 * without line-aligned windows, and for the rest of a scan one window into
 * it: the lines the bytes hold, counted by hand.
 */
START_TEST(scan_count_lines_on_every_input)
{
	static const size_t lens[] = {0, 1, 2, 5000, 300000};
	unsigned char *buf = malloc(300000);
	ck_assert_ptr_nonnull(buf);
	uint64_t counted = 0;
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
		size_t len = lens[li];
		for (int ending = 0; ending < 2; ending++) {
			fill_pattern(buf, len, (unsigned)(li * 2 + ending + 3));
			if (len > 0)
				buf[len - 1] = ending ? '\n' : 'z';
			/* All, inside lines, past the end. */
			const uint64_t cuts[3][2] = {{0, len},
			                             {len / 3, len - len / 4},
			                             {len / 2, len + 100}};
			for (int kind = 0; kind < 4; kind++)
				for (size_t ci = 0; ci < 3; ci++)
					for (int k = 0; k < 4; k++)
						counted += check_count(
						        buf, len, kind, cuts[ci][0],
						        cuts[ci][1],
						        k % 2 ? MAPQ_SCAN_LINES : 0,
						        k / 2);
		}
	}
	ck_assert_uint_gt(counted, 1000);
	ck_assert_int_eq(mapq_scan_count_lines(NULL, &counted, NULL), MAPQ_EINVAL);
	free(buf);
}
END_TEST

/* A mapped file that shrank under mapq_scan_count_lines(): MAPQ_ETRUNC,
 * naming the file, not SIGBUS. */
START_TEST(scan_count_lines_reports_truncation)
{
	size_t len = 8 << 20;
	unsigned char *buf;
	char *path;
	mapq_view v;
	mapq_scan *s;
	mapq_file *f = open_scanned(len, 11, &buf, &path, &v, &s);
	tu_truncate_from_child(path, 4096);
	mapq__release(f, 0, v.size); /* forget the resident pages */
	uint64_t n;
	mapq_error err;
	ck_assert_int_eq(mapq_scan_count_lines(s, &n, &err), MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	mapq_scan_destroy(s);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

struct touch_args {
	const mapq_view *view;
	uint64_t sum;
};

static int touch_every_page(void *arg)
{
	struct touch_args *t = arg;
	for (uint64_t i = 0; i < t->view->size; i += 4096)
		t->sum += t->view->data[i];
	return 7;
}

START_TEST(guard_catches_direct_reads)
{
	size_t len = 1 << 20;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 1);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	struct touch_args t = {&v, 0};
	ck_assert_int_eq(mapq__file_guard(f, touch_every_page, &t, NULL), 7);
	tu_truncate_from_child(path, 0);
	mapq__release(f, 0, v.size); /* forget the resident pages */
	mapq_error err;
	ck_assert_int_eq(mapq__file_guard(f, touch_every_page, &t, &err),
	                 MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

struct truncator {
	const char *path;
	unsigned delay_us;
};

static void *truncate_later(void *arg)
{
	const struct truncator *t = arg;
	usleep(t->delay_us);
	if (truncate(t->path, 0) != 0)
		abort();
	return NULL;
}

/* Racy by nature, deterministic in outcome: a thread truncates the file
 * while full passes count its lines; some pass must fail cleanly (after
 * the truncation, every pass does) and the process must survive. */
START_TEST(truncation_during_concurrent_scan)
{
	size_t len = 64 << 20;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 13);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	free(buf);
	struct truncator t = {path, 3000};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, truncate_later, &t), 0);
	int rc = MAPQ_OK;
	int passes = 0;
	uint64_t n;
	mapq_error err;
	for (; passes < 100000 && rc == MAPQ_OK; passes++)
		rc = mapq__view_count_newlines(&v, &n, &err);
	pthread_join(th, NULL);
	ck_assert_int_eq(rc, MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

/* ---- the input model: mapped, pread and stream sources ---- */

/*
 * A file read with pread(2) (MAPQ_OPEN_NO_MMAP) is scanned window by window
 * into the scan's buffer: with MAPQ_SCAN_LINES its windows hold the same
 * bytes as the mapped file's, each (but the last) ending with a newline.
 * Where every line fits in a window, the windows are the very same.
 */
START_TEST(pread_scan_windows_equal_mapped)
{
	size_t len = 80000;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 17);
	buf[len - 1] = 'q'; /* a last line without a newline */
	char *path;
	mapq_view v;
	mapq_file *m = tu_open_bytes(buf, len, 0, &path, &v);
	mapq_file *p = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(p), 0);
	ck_assert_int_eq(mapq_file_is_stream(p), 0);
	ck_assert_int_eq(mapq_file_size_known(p), 1);
	ck_assert_uint_eq(mapq_file_size(p), len);
	ck_assert_uint_eq(mapq__data_size(p), len);
	ck_assert_ptr_null(mapq__file_mapped(p));
	ck_assert_ptr_eq(mapq__file_mapped(m), v.data);

	static const uint64_t windows[] = {7, 4096};
	static const char *const specs[] = {NULL, "1000:50000", "-30000:",
	                                    "5:+100", "-40:-3"};
	char what[128];
	for (size_t wi = 0; wi < 2; wi++)
		for (size_t si = 0; si < sizeof specs / sizeof specs[0]; si++) {
			mapq_range r, *rp = NULL;
			if (specs[si] != NULL) {
				mapq_range_unit unit = si >= 3 ? MAPQ_RANGE_LINES
				                               : MAPQ_RANGE_BYTES;
				ck_assert_int_eq(mapq_range_parse(&r, specs[si], unit,
				                                  NULL), 0);
				rp = &r;
			}
			struct collected cm, cp;
			snprintf(what, sizeof what, "window %llu range %s",
			         (unsigned long long)windows[wi],
			         specs[si] != NULL ? specs[si] : "(all)");
			collect(m, rp, windows[wi], MAPQ_SCAN_LINES, &cm, what);
			collect(p, rp, windows[wi], MAPQ_SCAN_LINES, &cp, what);
			assert_same(&cp, &cm, what);
			if (rp == NULL) {
				ck_assert_uint_eq(cp.len, len);
				ck_assert_int_eq(memcmp(cp.data, buf, len), 0);
			}
			if (windows[wi] == 7)
				ck_assert_int_ge(cp.windows, 2);
			if (windows[wi] == 4096) {
				/* Lines of this text are far shorter than 4096
				 * bytes: both cut at the last newline of each
				 * window. */
				ck_assert_int_eq(cp.windows, cm.windows);
				for (int k = 0; k < cp.windows; k++) {
					ck_assert_uint_eq(cp.offsets[k], cm.offsets[k]);
					ck_assert_uint_eq(cp.sizes[k], cm.sizes[k]);
					ck_assert_uint_le(cp.sizes[k], 4096);
				}
			}
			collected_free(&cm);
			collected_free(&cp);
		}

	/* Without MAPQ_SCAN_LINES the windows are exactly the window size. */
	struct collected cm, cp;
	collect(m, NULL, 4096, 0, &cm, "bytes");
	collect(p, NULL, 4096, 0, &cp, "bytes");
	assert_same(&cp, &cm, "bytes");
	ck_assert_int_eq(cp.windows, (int)((len + 4095) / 4096));
	for (int k = 0; k < cp.windows; k++) {
		ck_assert_uint_eq(cp.offsets[k], (uint64_t)k * 4096);
		ck_assert_uint_eq(cp.sizes[k], cm.sizes[k]);
	}
	collected_free(&cm);
	collected_free(&cp);

	/* The line primitives agree too. */
	uint64_t a, b;
	ck_assert_int_eq(mapq_lines_count(p, 0, len, &a, NULL), 0);
	ck_assert_int_eq(mapq_lines_count(m, 0, len, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(mapq__view_count_lines(&v, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(mapq_lines_count_newlines(p, 333, len - 333, &a, NULL), 0);
	ck_assert_int_eq(mapq_lines_count_newlines(m, 333, len - 333, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	mapq_file_close(p);
	mapq_file_close(m);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* A file read with pread(2) that shrinks under a scan is an error naming
 * it, as a mapped one is. */
START_TEST(pread_truncation_is_an_error)
{
	size_t len = 1 << 20;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 19);
	char *path = tu_temp_file(buf, len);
	mapq_file *p = tu_open(path, MAPQ_OPEN_NO_MMAP);
	mapq_scan *s;
	ck_assert_int_eq(mapq_scan_create(&s, p, NULL, 4096, MAPQ_SCAN_LINES,
	                                  NULL), 0);
	mapq_view w;
	mapq_error err;
	ck_assert_int_eq(mapq_scan_next(s, &w, &err), 1);
	ck_assert_int_eq(memcmp(w.data, buf, w.size), 0);
	tu_truncate_from_child(path, 8192);
	int rc;
	while ((rc = mapq_scan_next(s, &w, &err)) == 1)
		;
	ck_assert_int_eq(rc, MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	mapq_scan_destroy(s);
	uint64_t n;
	ck_assert_int_eq(mapq_lines_count_newlines(p, 0, len, &n, &err),
	                 MAPQ_ETRUNC);
	mapq_file_close(p);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* Texts a pipe is fed with, and the ranges scanned on it. */
static const char *const pipe_texts[] = {
	"alpha\nbravo\ncharlie\n\ndelta echo\nfoxtrot\ngolf\nhotel india "
	"juliett\nkilo\nlima\nmike\nnovember oscar papa\n",
	/* No final newline, a long line, empty lines at both ends. */
	"\none\ntwo\n\nthree three three three three three three three three "
	"three three three\nfour\nfive\nsix\nseven\neight",
};

struct pipe_case {
	const char *spec;
	mapq_range_unit unit;
	unsigned flags;
};

static const struct pipe_case pipe_cases[] = {
	{"3:+2", MAPQ_RANGE_LINES, 0},
	{"-2:", MAPQ_RANGE_LINES, 0},
	{"2:-1", MAPQ_RANGE_LINES, 0},
	{"1", MAPQ_RANGE_LINES, 0},
	{"-1", MAPQ_RANGE_LINES, 0},
	{":", MAPQ_RANGE_LINES, 0},
	{"4:", MAPQ_RANGE_LINES, 0},
	{":3", MAPQ_RANGE_LINES, 0},
	{":-4", MAPQ_RANGE_LINES, 0},
	{"-5:-2", MAPQ_RANGE_LINES, 0},
	{"-4:+2", MAPQ_RANGE_LINES, 0},
	{"-6:9", MAPQ_RANGE_LINES, 0},
	{"5:3", MAPQ_RANGE_LINES, 0},
	{"40:", MAPQ_RANGE_LINES, 0},
	{"-40:+3", MAPQ_RANGE_LINES, 0},
	{"2:-1", MAPQ_RANGE_LINES, MAPQ_SCAN_ALIGN}, /* unaffected */
	{"10:40", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"10:12", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"0:1", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"7:+30", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"-25:", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{":-10", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"-50:-20", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"33:", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"500:", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	{"10:40", MAPQ_RANGE_BYTES, 0},
	{"-25:", MAPQ_RANGE_BYTES, 0},
	{":-10", MAPQ_RANGE_BYTES, 0},
	{"-50:-20", MAPQ_RANGE_BYTES, 0},
};

/*
 * A pipe fed a text in small chunks with short pauses, opened as standard
 * input or through /proc/self/fd/N, is a stream; a scan of it over a range
 * gives exactly the bytes, start and first line that the same scan gives
 * on a regular file holding the text (mapped, and read with pread).
 */
/* Returns how many scans of a pipe were compared. */
static size_t pipe_scans_equal_regular_file(int via_stdin)
{
	static const uint64_t windows[] = {7, 4096};
	char what[160];
	size_t compared = 0;
	for (size_t t = 0; t < sizeof pipe_texts / sizeof pipe_texts[0]; t++) {
		const char *text = pipe_texts[t];
		size_t len = strlen(text);
		char *path = tu_temp_file(text, len);
		mapq_file *m = tu_open(path, 0);
		mapq_file *p = tu_open(path, MAPQ_OPEN_NO_MMAP);
		ck_assert_int_eq(mapq_file_is_mapped(m), 1);
		for (size_t c = 0; c < sizeof pipe_cases / sizeof pipe_cases[0]; c++)
			for (size_t wi = 0; wi < 2; wi++)
				for (unsigned lines = 0; lines <= MAPQ_SCAN_LINES;
				     lines += MAPQ_SCAN_LINES) {
					const struct pipe_case *pc = &pipe_cases[c];
					unsigned flags = pc->flags | lines;
					snprintf(what, sizeof what,
					         "text %zu %s range '%s' window %llu "
					         "flags %#x via %s", t,
					         pc->unit == MAPQ_RANGE_LINES ? "line"
					                                      : "byte",
					         pc->spec,
					         (unsigned long long)windows[wi], flags,
					         via_stdin ? "stdin" : "/proc/self/fd");
					mapq_range r;
					mapq_error err;
					ck_assert_msg(mapq_range_parse(&r, pc->spec, pc->unit,
					                               &err) == 0,
					              "%s: %s", what, err.msg);
					struct collected cm, cp, cs;
					collect(m, &r, windows[wi], flags, &cm, what);
					collect(p, &r, windows[wi], flags, &cp, what);
					assert_same(&cp, &cm, what);
					/* The writer pauses 100 us after every
					 * 5 bytes: windows come as data does. */
					struct tu_pipe pf;
					mapq_file *f = tu_pipe_open(&pf, text, len, 5, 100,
					                             0, via_stdin);
					collect(f, &r, windows[wi], flags, &cs, what);
					tu_pipe_close(f, &pf, 0);
					assert_same(&cs, &cm, what);
					compared++;
					collected_free(&cm);
					collected_free(&cp);
					collected_free(&cs);
				}
		mapq_file_close(p);
		mapq_file_close(m);
		unlink(path);
		free(path);
	}
	return compared;
}

START_TEST(pipe_on_stdin_scans_equal_regular_file)
{
	ck_assert_uint_gt(pipe_scans_equal_regular_file(1), 0);
}
END_TEST

START_TEST(pipe_by_proc_path_scans_equal_regular_file)
{
	ck_assert_uint_gt(pipe_scans_equal_regular_file(0), 0);
}
END_TEST

/* A longer stream, where the tail kept for a range counted from the end is
 * trimmed (and, for an end counted from the end, handed out) as the data
 * goes by. */
START_TEST(long_pipe_tail_ranges_equal_regular_file)
{
	size_t len = 5 * 1000 * 1000 + 3;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 23);
	char *path = tu_temp_file(buf, len);
	mapq_file *m = tu_open(path, 0);
	static const struct pipe_case cases[] = {
		{"-3:", MAPQ_RANGE_LINES, 0},
		{"2:-1", MAPQ_RANGE_LINES, 0},
		{"-20000:-10000", MAPQ_RANGE_LINES, 0},
		{"1000:-2000", MAPQ_RANGE_LINES, 0},
		{"-3000000:", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
		{"100:-2000000", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
		{":-1500000", MAPQ_RANGE_BYTES, 0},
		{"2000000:+1000000", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN},
	};
	char what[128];
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		unsigned flags = cases[c].flags | MAPQ_SCAN_LINES;
		snprintf(what, sizeof what, "range '%s' flags %#x", cases[c].spec,
		         flags);
		mapq_range r;
		ck_assert_int_eq(mapq_range_parse(&r, cases[c].spec, cases[c].unit,
		                                  NULL), 0);
		struct collected cm, cs;
		collect(m, &r, 1 << 16, flags, &cm, what);
		struct tu_pipe pf;
		mapq_file *f = tu_pipe_open(&pf, buf, len, 1 << 15, 0, 0, 1);
		collect(f, &r, 1 << 16, flags, &cs, what);
		tu_pipe_close(f, &pf, 0);
		assert_same(&cs, &cm, what);
		collected_free(&cm);
		collected_free(&cs);
	}
	mapq_file_close(m);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/*
 * MAPQ_SCAN_LINES on a stream: "End every window (but the last) just after
 * a newline, so that no line straddles two windows" holds for every range,
 * as it does on a regular file.  (`mapq grep --bytes` on a pipe relies on
 * it: a line split between two windows is searched and printed as two.)
 */
START_TEST(stream_line_windows_hold_whole_lines)
{
	static const struct {
		size_t text; /* in pipe_texts; SIZE_MAX: the long pattern */
		struct pipe_case c;
	} cases[] = {
		/* The window ends at END, the line's rest comes next. */
		{0, {"0:1", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN}},
		{0, {"7:+30", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN}},
		{1, {"10:40", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN}},
		/* The tail held back for an end counted from the end is
		 * handed out cut anywhere. */
		{SIZE_MAX, {"100:-2000000", MAPQ_RANGE_BYTES, MAPQ_SCAN_ALIGN}},
		{SIZE_MAX, {":-1500000", MAPQ_RANGE_BYTES, 0}},
		/* These keep lines whole. */
		{0, {"3:+2", MAPQ_RANGE_LINES, 0}},
		{SIZE_MAX, {"1000:-2000", MAPQ_RANGE_LINES, 0}},
	};
	size_t biglen = 5 * 1000 * 1000 + 3;
	unsigned char *big = malloc(biglen);
	fill_pattern(big, biglen, 23);
	char report[4096] = "";
	size_t used = 0;
	int bad = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const void *text = cases[i].text == SIZE_MAX
		                           ? (const void *)big
		                           : pipe_texts[cases[i].text];
		size_t len = cases[i].text == SIZE_MAX
		                     ? biglen
		                     : strlen(pipe_texts[cases[i].text]);
		mapq_range r;
		ck_assert_int_eq(mapq_range_parse(&r, cases[i].c.spec,
		                                  cases[i].c.unit, NULL), 0);
		unsigned flags = cases[i].c.flags | MAPQ_SCAN_LINES;
		uint64_t window = cases[i].text == SIZE_MAX ? 1 << 16 : 4096;
		struct tu_pipe pf;
		mapq_file *f = tu_pipe_open(&pf, text, len,
		                             cases[i].text == SIZE_MAX ? 1 << 15
		                                                       : 5,
		                             0, 0, 1);
		struct collected cs;
		collect(f, &r, window, flags, &cs, cases[i].c.spec);
		tu_pipe_close(f, &pf, 0);
		if (cs.split_lines > 0) {
			bad++;
			int k = 0;
			while (k + 1 < cs.windows &&
			       cs.offsets[k + 1] != cs.first_split)
				k++;
			used += (size_t)snprintf(
			        report + used, sizeof report - used,
			        "\n  %s range '%s' flags %#x: window [%llu, %llu) "
			        "ends inside a line, the next one goes on with it",
			        cases[i].text == SIZE_MAX ? "5 MB" : "short",
			        cases[i].c.spec, flags,
			        (unsigned long long)cs.offsets[k],
			        (unsigned long long)(cs.offsets[k] + cs.sizes[k]));
			if (used >= sizeof report)
				used = sizeof report - 1;
		}
		collected_free(&cs);
	}
	free(big);
	ck_assert_msg(bad == 0, "%d stream scan(s) split a line:%s", bad, report);
}
END_TEST

static Suite *map_suite(void)
{
	Suite *s = suite_create("map");
	TCase *tc = tcase_create("open");
	tcase_add_test(tc, empty_file_is_valid);
	tcase_add_test(tc, regular_file_is_mapped_and_exact);
	tcase_add_test(tc, directory_is_an_error);
	tcase_add_test(tc, missing_file_names_itself);
	tcase_add_test(tc, pipe_input_equals_mapped);
	tcase_add_test(tc, stdin_regular_file_starts_at_offset);
	tcase_add_test(tc, proc_file_with_zero_size_is_read);
	suite_add_tcase(s, tc);

	tc = tcase_create("big");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sparse_file_over_4gib);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, scan_windows_cover_range_on_line_ends);
	tcase_add_test(tc, file_write_copies_range);
	tcase_add_test(tc, truncation_between_windows);
	tcase_add_test(tc, guard_catches_direct_reads);
	tcase_add_test(tc, scan_count_lines_on_every_input);
	tcase_add_test(tc, scan_count_lines_reports_truncation);
	tcase_add_test(tc, truncation_during_concurrent_scan);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pread_scan_windows_equal_mapped);
	tcase_add_test(tc, pread_truncation_is_an_error);
	tcase_add_test(tc, pipe_on_stdin_scans_equal_regular_file);
	tcase_add_test(tc, pipe_by_proc_path_scans_equal_regular_file);
	tcase_add_test(tc, long_pipe_tail_ranges_equal_regular_file);
	tcase_add_test(tc, stream_line_windows_hold_whole_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(map_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
