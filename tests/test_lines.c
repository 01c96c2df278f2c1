/* test_lines.c - line primitives and range resolution against a naive
 * model: split the bytes into lines, pick them by the rules of mapq(1), RANGES. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "testutil.h"

/* Line starts of buf as the spec defines lines: starts[i] for line i+1,
 * starts[n] = len. */
static size_t model_lines(const char *buf, size_t len, size_t *starts)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (i == 0 || buf[i - 1] == '\n')
			starts[n++] = i;
	starts[n] = len;
	return n;
}

START_TEST(count_newlines_matches_byte_loop)
{
	/* Every length 0..300 at every alignment 0..15, and a big buffer
	 * with more than 255 blocks per lane flush. */
	static unsigned char buf[70000];
	unsigned seed = 42;
	for (size_t i = 0; i < sizeof buf; i++) {
		seed = seed * 1664525u + 1013904223u;
		buf[i] = (seed >> 24) % 5 == 0 ? '\n' : (unsigned char)(seed >> 16);
	}
	for (size_t align = 0; align < 16; align++)
		for (size_t len = 0; len <= 300; len++) {
			uint64_t want = 0;
			for (size_t i = 0; i < len; i++)
				want += buf[align + i] == '\n';
			ck_assert_uint_eq(mapq__count_newlines(buf + align, len), want);
		}
	uint64_t want = 0;
	for (size_t i = 0; i < sizeof buf; i++)
		want += buf[i] == '\n';
	ck_assert_uint_eq(mapq__count_newlines(buf, sizeof buf), want);
	memset(buf, '\n', sizeof buf);
	ck_assert_uint_eq(mapq__count_newlines(buf, sizeof buf), sizeof buf);
}
END_TEST

START_TEST(find_nth_newline_positions)
{
	static char buf[200000];
	memset(buf, 'a', sizeof buf);
	size_t pos[] = {0, 1, 65535, 65536, 65537, 131071, 199999};
	for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++)
		buf[pos[i]] = '\n';
	for (size_t k = 1; k <= 7; k++) {
		const unsigned char *q = mapq__find_nth_newline(
		        (const unsigned char *)buf, sizeof buf, k, NULL);
		ck_assert_ptr_eq(q, (const unsigned char *)buf + pos[k - 1]);
	}
	uint64_t found;
	ck_assert_ptr_null(mapq__find_nth_newline((const unsigned char *)buf,
	                                          sizeof buf, 8, &found));
	ck_assert_uint_eq(found, 7);
}
END_TEST

START_TEST(line_starts_without_trailing_newline_and_crlf)
{
	const char text[] = "one\r\ntwo\r\n\r\nlast";
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, sizeof text - 1, 0, &path, &v);
	uint64_t off, missing, n;
	ck_assert_int_eq(mapq__view_count_newlines(&v, &n, NULL), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(mapq__view_find_start(&v, 1, &off, &missing, NULL), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(missing, 0);
	ck_assert_int_eq(mapq__view_find_start(&v, 3, &off, &missing, NULL), 0);
	ck_assert_uint_eq(off, 10);
	ck_assert_int_eq(mapq__view_find_start(&v, 4, &off, &missing, NULL), 0);
	ck_assert_uint_eq(off, 12);
	ck_assert_uint_eq(missing, 0);
	ck_assert_int_eq(mapq__view_find_start(&v, 5, &off, &missing, NULL), 0);
	ck_assert_uint_eq(off, v.size);
	ck_assert_uint_eq(missing, 1);
	ck_assert_int_eq(mapq__view_find_start(&v, 9, &off, &missing, NULL), 0);
	ck_assert_uint_eq(missing, 5);
	/* The unterminated last line is line -1. */
	ck_assert_int_eq(mapq__view_find_start_back(&v, 1, &off, NULL), 0);
	ck_assert_uint_eq(off, 12);
	ck_assert_int_eq(mapq__view_find_start_back(&v, 2, &off, NULL), 0);
	ck_assert_uint_eq(off, 10);
	ck_assert_int_eq(mapq__view_find_start_back(&v, 4, &off, NULL), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_int_eq(mapq__view_find_start_back(&v, 40, &off, NULL), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_int_eq(mapq__view_find_start(&v, 0, &off, NULL, NULL),
	                 MAPQ_EINVAL);
	/* Four lines, the last without a newline; a part cut inside a line
	 * ends with a line. */
	ck_assert_int_eq(mapq__view_count_lines(&v, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);
	mapq_file *r = tu_open(path, MAPQ_OPEN_NO_MMAP);
	mapq_file *both[] = {f, r};
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(mapq_lines_count_newlines(both[i], 0, UINT64_MAX,
		                                           &n, NULL), 0);
		ck_assert_uint_eq(n, 3);
		ck_assert_int_eq(mapq_lines_count(both[i], 0, UINT64_MAX, &n,
		                                  NULL), 0);
		ck_assert_uint_eq(n, 4);
		ck_assert_int_eq(mapq_lines_count(both[i], 0, 10, &n, NULL), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(mapq_lines_count(both[i], 1, 7, &n, NULL), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(mapq_lines_count_newlines(both[i], 1, 7, &n,
		                                           NULL), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(mapq_lines_count(both[i], 12, 12, &n, NULL), 0);
		ck_assert_uint_eq(n, 0);
	}
	mapq_file_close(r);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(one_very_long_line)
{
	size_t len = 20 << 20; /* several scan windows without a newline */
	char *buf = malloc(len);
	memset(buf, 'z', len);
	buf[len - 2] = '\n';
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, len, 0, &path, &v);
	uint64_t off, missing, n;
	ck_assert_int_eq(mapq__view_count_newlines(&v, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(mapq__view_find_start(&v, 2, &off, &missing, NULL), 0);
	ck_assert_uint_eq(off, len - 1);
	ck_assert_int_eq(mapq__view_find_start_back(&v, 2, &off, NULL), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_int_eq(mapq__view_next_start(&v, 5, &off, NULL), 0);
	ck_assert_uint_eq(off, len - 1);
	ck_assert_int_eq(mapq__view_skip(&v, 0, 1, &off, NULL), 0);
	ck_assert_uint_eq(off, len - 1);
	ck_assert_int_eq(mapq__view_skip(&v, 0, 2, &off, NULL), 0);
	ck_assert_uint_eq(off, len);
	/* The same through scans, mapped and read with pread(2). */
	mapq_file *r = tu_open(path, MAPQ_OPEN_NO_MMAP);
	mapq_file *both[] = {f, r};
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(mapq_lines_count_newlines(both[i], 0, len, &n,
		                                           NULL), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(mapq_lines_count(both[i], 0, len, &n, NULL), 0);
		ck_assert_uint_eq(n, 2);
		mapq_range rg;
		uint64_t s, e;
		ck_assert_int_eq(mapq_range_parse(&rg, "-1", MAPQ_RANGE_LINES,
		                                  NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(both[i], &rg, 0, &s, &e, NULL),
		                 0);
		ck_assert_uint_eq(s, len - 1);
		ck_assert_uint_eq(e, len);
		ck_assert_int_eq(mapq_range_parse(&rg, "5:+1", MAPQ_RANGE_BYTES,
		                                  NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(both[i], &rg, MAPQ_RESOLVE_ALIGN,
		                                    &s, &e, NULL), 0);
		ck_assert_uint_eq(s, len - 1);
		ck_assert_uint_eq(e, len - 1);
	}
	mapq_file_close(r);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* The model of a line range: which lines (1-based, inclusive) it picks. */
static void model_line_range(const mapq_range *r, size_t nlines,
                             int64_t *first, int64_t *last)
{
	int64_t n = (int64_t)nlines;
	int64_t f = 1, l = n;
	if (r->flags & MAPQ_RANGE_HAS_START)
		f = (r->flags & MAPQ_RANGE_START_NEG) ? n - (int64_t)r->start + 1
		                                      : (int64_t)r->start;
	if (f < 1)
		f = 1;
	if (r->flags & MAPQ_RANGE_HAS_END) {
		if (r->flags & MAPQ_RANGE_END_COUNT)
			l = f + (int64_t)r->end - 1;
		else if (r->flags & MAPQ_RANGE_END_NEG)
			l = n - (int64_t)r->end + 1;
		else
			l = (int64_t)r->end;
	}
	if (l > n)
		l = n;
	*first = f;
	*last = l;
}

/*
 * Every range form with small numbers over many small texts (with and
 * without a final newline, empty lines, a lone "\n", empty input), the
 * result compared with the model.
 */
START_TEST(line_ranges_match_model_exhaustively)
{
	static const char *texts[] = {
	        "", "\n", "a", "a\n", "a\nb", "a\nb\n", "\n\n\n", "a\n\nb\n\n",
	        "l1\nl2\nl3\nl4\nl5\nl6\nl7", "x\r\ny\r\n", "\nz",
	};
	char spec[64];
	const char *fmts[] = {"%s%d:%s%d", "%s%d:+%d", "%s%d:", ":%s%d",
	                      ":+%d", "%s%d"};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		const char *text = texts[t];
		size_t len = strlen(text);
		size_t starts[64];
		size_t nlines = model_lines(text, len, starts);
		char *path;
		mapq_view v;
		mapq_file *f = tu_open_bytes(text, len, 0, &path, &v);
		/* The file forms answer the same, mapped or read with pread
		 * (through scans). */
		mapq_file *rd = tu_open(path, MAPQ_OPEN_NO_MMAP);
		mapq_file *files[] = {f, rd};
		for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++)
			for (int a = -9; a <= 9; a++)
				for (int b = -9; b <= 9; b++) {
					if (a == 0 || b == 0)
						continue;
					const char *sa = a < 0 ? "-" : "";
					const char *sb = b < 0 ? "-" : "";
					int ua = abs(a), ub = abs(b);
					switch (k) {
					case 0: snprintf(spec, sizeof spec, fmts[k], sa, ua, sb, ub); break;
					case 1: if (b < 0) continue;
						snprintf(spec, sizeof spec, fmts[k], sa, ua, ub); break;
					case 2: if (b != 1) continue;
						snprintf(spec, sizeof spec, fmts[k], sa, ua); break;
					case 3: if (a != 1) continue;
						snprintf(spec, sizeof spec, fmts[k], sb, ub); break;
					case 4: if (a != 1 || b < 0) continue;
						snprintf(spec, sizeof spec, fmts[k], ub); break;
					default: if (b != 1) continue;
						snprintf(spec, sizeof spec, fmts[k], sa, ua); break;
					}
					mapq_range r;
					mapq_error err;
					ck_assert_msg(mapq_range_parse(&r, spec, MAPQ_RANGE_LINES, &err) == 0,
					              "%s: %s", spec, err.msg);
					int64_t first, last;
					model_line_range(&r, nlines, &first, &last);
					size_t ws = 0, we = 0;
					if (first <= last && first <= (int64_t)nlines) {
						ws = starts[first - 1];
						we = starts[last];
					}
					uint64_t s, e;
					ck_assert_int_eq(mapq__view_resolve(&r, &v, &s, &e, NULL), 0);
					ck_assert_msg((s == e && ws == we) || (s == ws && e == we),
					              "text %zu range %s: got %lu:%lu want %zu:%zu",
					              t, spec, (unsigned long)s, (unsigned long)e, ws, we);
					for (int i = 0; i < 2; i++) {
						ck_assert_int_eq(mapq_range_resolve(files[i], &r, 0, &s, &e, NULL), 0);
						ck_assert_msg((s == e && ws == we) || (s == ws && e == we),
						              "text %zu range %s (%s file): got %lu:%lu want %zu:%zu",
						              t, spec, i == 0 ? "mapped" : "pread",
						              (unsigned long)s, (unsigned long)e, ws, we);
					}
				}
		/* The whole range ":" is everything. */
		mapq_range r;
		uint64_t s, e;
		ck_assert_int_eq(mapq_range_parse(&r, ":", MAPQ_RANGE_LINES, NULL), 0);
		ck_assert_int_eq(mapq__view_resolve(&r, &v, &s, &e, NULL), 0);
		ck_assert_uint_eq(s, 0);
		ck_assert_uint_eq(e, len);
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(mapq_range_resolve(files[i], &r, 0, &s, &e, NULL), 0);
			ck_assert_uint_eq(s, 0);
			ck_assert_uint_eq(e, len);
		}
		mapq_file_close(rd);
		mapq_file_close(f);
		unlink(path);
		free(path);
	}
}
END_TEST

/* --align: the lines whose start lies in [s, e), for every s, e. */
START_TEST(align_matches_model_exhaustively)
{
	const char *texts[] = {"", "abc", "a\nbb\n\nccc\nd", "\n\n", "ab\ncd\n"};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		const char *text = texts[t];
		size_t len = strlen(text);
		size_t starts[64];
		size_t nlines = model_lines(text, len, starts);
		char *path;
		mapq_view v;
		mapq_file *f = tu_open_bytes(text, len, 0, &path, &v);
		mapq_file *rd = tu_open(path, MAPQ_OPEN_NO_MMAP);
		mapq_file *files[] = {f, rd};
		for (size_t s = 0; s <= len + 1; s++)
			for (size_t e = 0; e <= len + 1; e++) {
				size_t first = SIZE_MAX, last = 0;
				for (size_t i = 0; i < nlines; i++)
					if (starts[i] >= s && starts[i] < e) {
						if (first == SIZE_MAX)
							first = i;
						last = i;
					}
				uint64_t as, ae;
				ck_assert_int_eq(mapq__view_align_lines(&v, s, e, &as, &ae, NULL), 0);
				if (first == SIZE_MAX)
					ck_assert_msg(as == ae, "text %zu %zu:%zu", t, s, e);
				else
					ck_assert_msg(as == starts[first] && ae == starts[last + 1],
					              "text %zu %zu:%zu got %lu:%lu", t, s, e,
					              (unsigned long)as, (unsigned long)ae);
				/* A byte range resolved with MAPQ_RESOLVE_ALIGN is
				 * the same selection. */
				mapq_range br = {MAPQ_RANGE_BYTES,
				                 MAPQ_RANGE_HAS_START | MAPQ_RANGE_HAS_END, s, e};
				for (int i = 0; i < 2; i++) {
					ck_assert_int_eq(mapq_range_resolve(files[i], &br,
					                                    MAPQ_RESOLVE_ALIGN,
					                                    &as, &ae, NULL), 0);
					if (first == SIZE_MAX)
						ck_assert_msg(as == ae, "text %zu %zu:%zu (%s file)",
						              t, s, e, i == 0 ? "mapped" : "pread");
					else
						ck_assert_msg(as == starts[first] && ae == starts[last + 1],
						              "text %zu %zu:%zu (%s file) got %lu:%lu",
						              t, s, e, i == 0 ? "mapped" : "pread",
						              (unsigned long)as, (unsigned long)ae);
				}
			}
		mapq_file_close(rd);
		mapq_file_close(f);
		unlink(path);
		free(path);
	}
}
END_TEST

/*
 * The same answers from a file read with pread(2) (MAPQ_OPEN_NO_MMAP: no
 * contiguous view, everything through scans) as from the mapping.
 */
START_TEST(read_path_equals_mapped_path)
{
	const char text[] = "alpha\nbeta\n\ngamma\ndelta";
	char *path;
	mapq_view mv;
	mapq_file *m = tu_open_bytes(text, sizeof text - 1, 0, &path, &mv);
	mapq_file *r = tu_open(path, MAPQ_OPEN_NO_MMAP);
	ck_assert_int_eq(mapq_file_is_mapped(r), 0);
	mapq_view rv;
	ck_assert_int_eq(mapq_file_view(r, &rv, NULL), MAPQ_ENOTSUP);
	const char *specs[] = {"2:3", "-2:", ":+2", "-3:-2", "4"};
	for (size_t i = 0; i < 5; i++) {
		mapq_range rg;
		ck_assert_int_eq(mapq_range_parse(&rg, specs[i], MAPQ_RANGE_LINES, NULL), 0);
		uint64_t s1, e1, s2, e2, s3, e3;
		ck_assert_int_eq(mapq__view_resolve(&rg, &mv, &s1, &e1, NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(r, &rg, 0, &s2, &e2, NULL), 0);
		ck_assert_int_eq(mapq_range_resolve(m, &rg, 0, &s3, &e3, NULL), 0);
		ck_assert_uint_eq(s1, s2);
		ck_assert_uint_eq(e1, e2);
		ck_assert_uint_eq(s1, s3);
		ck_assert_uint_eq(e1, e3);
		/* A scan of the range hands out those bytes, and knows the
		 * line number of the first. */
		mapq_scan *sc;
		ck_assert_int_eq(mapq_scan_create(&sc, r, &rg, 3, MAPQ_SCAN_LINES,
		                                  NULL), 0);
		uint64_t at, line;
		ck_assert_int_eq(mapq_scan_start(sc, &at), 0);
		ck_assert_uint_eq(at, s1);
		mapq_view w;
		int rc;
		while ((rc = mapq_scan_next(sc, &w, NULL)) == 1) {
			ck_assert_uint_eq(w.offset, at);
			ck_assert_uint_le(at + w.size, e1);
			ck_assert_int_eq(memcmp(w.data, text + at, w.size), 0);
			at += w.size;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(at, e1);
		ck_assert_int_eq(mapq_scan_first_line(sc, &line, NULL), 0);
		uint64_t before;
		ck_assert_int_eq(mapq__view_count_newlines(&(mapq_view){mv.data, s1, 0, m},
		                                           &before, NULL), 0);
		ck_assert_uint_eq(line, before + 1);
		mapq_scan_destroy(sc);
	}
	mapq_file_close(r);
	mapq_file_close(m);
	unlink(path);
	free(path);
}
END_TEST

static Suite *lines_suite(void)
{
	Suite *s = suite_create("lines");
	TCase *tc = tcase_create("primitives");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, count_newlines_matches_byte_loop);
	tcase_add_test(tc, find_nth_newline_positions);
	tcase_add_test(tc, line_starts_without_trailing_newline_and_crlf);
	tcase_add_test(tc, one_very_long_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("ranges");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, line_ranges_match_model_exhaustively);
	tcase_add_test(tc, align_matches_model_exhaustively);
	tcase_add_test(tc, read_path_equals_mapped_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lines_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
