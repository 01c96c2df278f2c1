/* test_map.c - the mapping layer: opening inputs, views, scans, truncation. */
#include <check.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	/* Lines of varying length, so scans have newlines to snap to. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (seed >> 16) % 61 == 0 ? '\n' : (unsigned char)('a' + (seed >> 20) % 26);
	}
}

START_TEST(empty_file_is_valid)
{
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes("", 0, 0, &path, &v);
	ck_assert_uint_eq(mapq_file_size(f), 0);
	ck_assert_uint_eq(v.size, 0);
	uint64_t n = 99;
	ck_assert_int_eq(mapq_lines_count_newlines(&v, &n, NULL), MAPQ_OK);
	ck_assert_uint_eq(n, 0);
	mapq_scan *s;
	mapq_view w;
	ck_assert_int_eq(mapq_scan_create(&s, f, 0, UINT64_MAX, 0, 0, NULL), 0);
	ck_assert_int_eq(mapq_scan_next(s, &w, NULL), 0);
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

	mapq_file *g = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(g), 0);
	mapq_view w;
	mapq_file_view(g, &w, NULL);
	ck_assert_uint_eq(w.size, sizeof buf);
	ck_assert_int_eq(memcmp(w.data, buf, sizeof buf), 0);
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
 * that a child fills with `len` bytes of pattern. */
START_TEST(pipe_input_equals_mapped)
{
	size_t len = 3 * 1000 * 1000 + 17; /* several pipe buffers and doublings */
	unsigned char *buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	fill_pattern(buf, len, 11);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fds[1], buf + off, len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	int saved = dup(STDIN_FILENO);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);

	mapq_file *f = NULL;
	mapq_error err;
	ck_assert_int_eq(mapq_file_open(&f, "-", NULL, 0, &err), MAPQ_OK);
	dup2(saved, STDIN_FILENO);
	close(saved);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(mapq_file_is_mapped(f), 0);
	ck_assert_str_eq(mapq_file_name(f), "(standard input)");
	mapq_view v;
	mapq_file_view(f, &v, NULL);
	ck_assert_uint_eq(v.size, len);
	ck_assert_int_eq(memcmp(v.data, buf, len), 0);

	/* Same results as the mapped path. */
	char *path;
	mapq_view mv;
	mapq_file *m = tu_open_bytes(buf, len, 0, &path, &mv);
	uint64_t a, b;
	ck_assert_int_eq(mapq_lines_count_newlines(&v, &a, NULL), 0);
	ck_assert_int_eq(mapq_lines_count_newlines(&mv, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(mapq_lines_find_start_back(&v, 5, &a, NULL), 0);
	ck_assert_int_eq(mapq_lines_find_start_back(&mv, 5, &b, NULL), 0);
	ck_assert_uint_eq(a, b);
	mapq_file_close(m);
	mapq_file_close(f);
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
	mapq_view v;
	mapq_file_view(f, &v, NULL);
	ck_assert_uint_gt(v.size, 0);
	ck_assert_int_eq(memcmp(v.data, "Name:", 5), 0);
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
	ck_assert_int_eq(mapq_lines_find_start_back(&v, 2, &off, NULL), 0);
	ck_assert_uint_eq(off, at + 12);
	ck_assert_int_eq(memcmp(v.data + off, "second line\n", 12), 0);
	ck_assert_int_eq(mapq_lines_find_start_back(&v, 3, &off, NULL), 0);
	ck_assert_uint_eq(off, at + 1);

	mapq_range r;
	uint64_t s, e;
	ck_assert_int_eq(mapq_range_parse(&r, "-10:", MAPQ_RANGE_BYTES, NULL), 0);
	ck_assert_int_eq(mapq_range_resolve(&r, &v, &s, &e, NULL), 0);
	ck_assert_uint_eq(s, size - 10);
	ck_assert_uint_eq(e, size);
	ck_assert_int_eq(memcmp(v.data + s, "last line\n", 10), 0);
	ck_assert_int_eq(mapq_range_parse(&r, "4294967296:+4", MAPQ_RANGE_BYTES,
	                                  NULL), 0);
	ck_assert_int_eq(mapq_range_resolve(&r, &v, &s, &e, NULL), 0);
	ck_assert_uint_eq(s, (uint64_t)1 << 32);
	ck_assert_uint_eq(e - s, 4);

	/* Count the newlines of the last 64 MiB past 4 GiB through a scan. */
	mapq_view last = mapq_view_sub(&v, size - (64u << 20), size);
	uint64_t n;
	ck_assert_int_eq(mapq_lines_count_newlines(&last, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);
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
	ck_assert_int_eq(mapq_scan_create(&s, f, 12345, len - 999, 1 << 20,
	                                  MAPQ_SCAN_LINES, NULL), 0);
	uint64_t expect = 12345;
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

START_TEST(view_write_copies_range)
{
	size_t len = 9 * 1000 * 1000; /* more than two default windows */
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 5);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	char *out = tu_temp_file("", 0);
	int fd = open(out, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(mapq_view_write(&v, 100, len - 100, fd, NULL), 0);
	close(fd);
	mapq_file *g = tu_open(out, 0);
	mapq_view w;
	mapq_file_view(g, &w, NULL);
	ck_assert_uint_eq(w.size, len - 200);
	ck_assert_int_eq(memcmp(w.data, buf + 100, len - 200), 0);
	mapq_file_close(g);

	/* A full device is a write error naming the cause. */
	fd = open("/dev/full", O_WRONLY);
	mapq_error err;
	ck_assert_int_eq(mapq_view_write(&v, 0, 10, fd, &err), MAPQ_EWRITE);
	ck_assert_int_eq(err.sys_errno, ENOSPC);
	close(fd);

	/* A closed pipe is EPIPE, not a signal death (SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	ck_assert_int_eq(mapq_view_write(&v, 0, 10, p[1], &err), MAPQ_EPIPE);
	close(p[1]);
	mapq_file_close(f);
	unlink(out);
	unlink(path);
	free(out);
	free(path);
	free(buf);
}
END_TEST

/* Deterministic: another process truncates the file between two windows
 * of a scan; the next window must be an error, not SIGBUS. */
START_TEST(truncation_between_windows)
{
	size_t len = 16 << 20;
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 9);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	mapq_scan *s;
	ck_assert_int_eq(mapq_scan_create(&s, f, 0, len, 1 << 20, 0, NULL), 0);
	mapq_view w;
	mapq_error err;
	ck_assert_int_eq(mapq_scan_next(s, &w, &err), 1);
	tu_truncate_from_child(path, 4096);
	/* Windows keep coming (the scan does not read them); reading one
	 * through a library primitive reports the truncation. */
	int rc;
	uint64_t count;
	while ((rc = mapq_scan_next(s, &w, &err)) == 1 &&
	       (rc = mapq_lines_count_newlines(&w, &count, &err)) == MAPQ_OK)
		;
	ck_assert_int_eq(rc, MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	mapq_scan_destroy(s);

	/* Reads that do not prefault hit the SIGBUS guard itself. */
	uint64_t off;
	ck_assert_int_eq(mapq_lines_find_start_back(&v, 3, &off, &err),
	                 MAPQ_ETRUNC);
	uint64_t n;
	ck_assert_int_eq(mapq_lines_count_newlines(&v, &n, &err), MAPQ_ETRUNC);
	/* A scan with line-aligned windows reads while snapping. */
	ck_assert_int_eq(mapq_scan_create(&s, f, 0, len, 1 << 20,
	                                  MAPQ_SCAN_LINES, NULL), 0);
	ck_assert_int_eq(mapq_scan_next(s, &w, &err), MAPQ_ETRUNC);
	mapq_scan_destroy(s);
	/* What still exists can be read. */
	mapq_view head = mapq_view_sub(&v, 0, 4096);
	ck_assert_int_eq(mapq_lines_count_newlines(&head, &n, &err), MAPQ_OK);
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
	ck_assert_int_eq(mapq_file_guard(f, touch_every_page, &t, NULL), 7);
	tu_truncate_from_child(path, 0);
	mapq_view_release(&v, 0, v.size); /* forget the resident pages */
	mapq_error err;
	ck_assert_int_eq(mapq_file_guard(f, touch_every_page, &t, &err),
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
		rc = mapq_lines_count_newlines(&v, &n, &err);
	pthread_join(th, NULL);
	ck_assert_int_eq(rc, MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	mapq_file_close(f);
	unlink(path);
	free(path);
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
	tcase_add_test(tc, view_write_copies_range);
	tcase_add_test(tc, truncation_between_windows);
	tcase_add_test(tc, guard_catches_direct_reads);
	tcase_add_test(tc, truncation_during_concurrent_scan);
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
