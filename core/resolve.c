/*
 * resolve.c - ranges of whole files, whatever their kind.
 *
 * Plain files have a view, and the view primitives (lines.c) answer with
 * direct reads of the mapping.  Compressed files have no view: here the
 * same questions are answered through scans, which decompress only what a
 * question needs.  A seekable file knows where every frame's data lies, so
 * a line counted from the end is found by counting newlines frame by frame
 * backward from the last one; a zstd stream can only be read from its
 * start, so that takes one pass to count and one to find.
 */
#include <string.h>

#include "internal.h"

/*
 * Walk f's data [start, end) through a scan, counting newlines until the
 * k-th one (k = UINT64_MAX: all of them).  *count is the newlines seen,
 * *pos the offset just after the k-th, or, when there were fewer, the end
 * of the walk (end, or the end of the data when that comes first).  *last
 * (if not NULL) is the last byte walked, or -1 when none was.
 */
/* Newlines of one window: all of them (k = UINT64_MAX) or up to the k-th,
 * under the guard (a plain file's window is its mapping). */
static int window_newlines(const mapq_view *w, uint64_t k,
                           const unsigned char **hit, uint64_t *here,
                           int *tail, mapq_error *err)
{
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, w->file))
		return mapq__guard_failed(&g, err);
	*hit = NULL;
	if (k == UINT64_MAX)
		*here = mapq__count_newlines(w->data, w->size);
	else
		*hit = mapq__find_nth_newline(w->data, w->size, k, here);
	if (w->size > 0)
		*tail = w->data[w->size - 1];
	mapq__guard_pop(&g);
	return MAPQ_OK;
}

/*
 * Walk f's data [start, end) through a scan, counting newlines until the
 * k-th one (k = UINT64_MAX: all of them).  *count is the newlines seen,
 * *pos the offset just after the k-th, or, when there were fewer, the end
 * of the walk (end, or the end of the data when that comes first).  *last
 * (if not NULL) is the last byte walked, or -1 when none was.
 */
static int walk(mapq_file *f, uint64_t start, uint64_t end, uint64_t k,
                uint64_t *count, uint64_t *pos, int *last, mapq_error *err)
{
	struct mapq_scan s;
	mapq__scan_init(&s, f, start, end, 0, 0);
	uint64_t seen = 0;
	int found = 0;
	int tail = -1;
	mapq_view w;
	int rc;
	while ((rc = mapq_scan_next(&s, &w, err)) > 0) {
		const unsigned char *hit;
		uint64_t here;
		rc = window_newlines(&w, k == UINT64_MAX ? k : k - seen, &hit,
		                     &here, &tail, err);
		if (rc != MAPQ_OK)
			break;
		seen += here;
		if (hit != NULL) {
			*pos = w.offset + (uint64_t)(hit - w.data) + 1;
			tail = '\n';
			found = 1;
			break;
		}
	}
	mapq__scan_finish(&s);
	if (rc < 0)
		return rc;
	if (!found) {
		/* A stream walked to its end now knows its size. */
		uint64_t size = mapq__data_size(f);
		*pos = end < size ? end : size;
		if (*pos < start)
			*pos = start;
	}
	*count = seen;
	if (last != NULL)
		*last = tail;
	return MAPQ_OK;
}

int mapq__file_skip(void *src, uint64_t from, uint64_t n, uint64_t *offset,
                    mapq_error *err)
{
	mapq_file *f = src;
	if (n == 0) {
		*offset = from;
		return MAPQ_OK;
	}
	uint64_t seen;
	return walk(f, from, MAPQ_SIZE_UNKNOWN, n, &seen, offset, NULL, err);
}

static int file_find_start(void *src, uint64_t n, uint64_t *offset,
                           mapq_error *err)
{
	if (n <= 1) {
		*offset = 0;
		return MAPQ_OK;
	}
	return mapq__file_skip(src, 0, n - 1, offset, err);
}

/*
 * Line -n of a seekable file: count newlines frame by frame from the last
 * frame back, then find the one wanted inside the frame that holds it.
 * The last frame's count also says whether the data ends with a newline.
 */
static int seekable_find_start_back(mapq_file *f, uint64_t n, uint64_t *offset,
                                    mapq_error *err)
{
	const struct mapq__seek_table *t = &f->seek;
	uint64_t size = t->dec[t->n];
	*offset = size;
	if (n == 0 || size == 0)
		return MAPQ_OK;
	*offset = 0;
	uint64_t end = size;
	uint64_t remaining = n;
	int first = 1;
	for (uint64_t i = mapq__seek_table_find(t, size - 1) + 1; i-- > 0;) {
		uint64_t lo = t->dec[i];
		uint64_t hi = t->dec[i + 1] < end ? t->dec[i + 1] : end;
		if (hi <= lo)
			continue;
		uint64_t count, pos;
		int last;
		int rc = walk(f, lo, hi, UINT64_MAX, &count, &pos, &last, err);
		if (rc != MAPQ_OK)
			return rc;
		if (first && last == '\n') {
			/* The final newline ends the last line; it does not
			 * start one. */
			end = --hi;
			count--;
		}
		first = 0;
		if (count >= remaining)
			return walk(f, lo, hi, count - remaining + 1, &count,
			            offset, NULL, err);
		remaining -= count;
	}
	return MAPQ_OK;
}

/*
 * Line -n of a stream: one pass counts the newlines (and finds the size
 * and the last byte), a second finds the newline before line -n.
 */
static int stream_find_start_back(mapq_file *f, uint64_t n, uint64_t *offset,
                                  mapq_error *err)
{
	uint64_t count, size;
	int last;
	int rc = walk(f, 0, MAPQ_SIZE_UNKNOWN, UINT64_MAX, &count, &size,
	              &last, err);
	if (rc != MAPQ_OK)
		return rc;
	if (n == 0) {
		*offset = size;
		return MAPQ_OK;
	}
	if (last == '\n')
		count--;
	if (n > count) {
		*offset = 0;
		return MAPQ_OK;
	}
	return walk(f, 0, size, count - n + 1, &count, offset, NULL, err);
}

int mapq__file_find_start_back(void *src, uint64_t n, uint64_t *offset,
                               mapq_error *err)
{
	mapq_file *f = src;
	if (f->compression == MAPQ_COMPRESSION_ZSTD_SEEKABLE)
		return seekable_find_start_back(f, n, offset, err);
	return stream_find_start_back(f, n, offset, err);
}

int mapq__file_next_start(mapq_file *f, uint64_t offset, uint64_t *start,
                          mapq_error *err)
{
	if (offset == 0) {
		*start = 0;
		return MAPQ_OK;
	}
	uint64_t seen;
	return walk(f, offset - 1, MAPQ_SIZE_UNKNOWN, 1, &seen, start, NULL,
	            err);
}

/* mapq_file_resolve for compressed input. */
static int resolve_compressed(mapq_file *f, const mapq_range *range,
                              unsigned flags, uint64_t *start, uint64_t *end,
                              mapq_error *err)
{
	uint64_t s, e;
	int rc;
	if (range->unit == MAPQ_RANGE_LINES) {
		struct mapq__line_source ls = {
			.find_start = file_find_start,
			.find_start_back = mapq__file_find_start_back,
			.skip = mapq__file_skip,
			.size = mapq__data_size(f),
			.src = f,
		};
		return mapq__resolve_lines(&ls, range, start, end, err);
	}

	uint64_t size = mapq__data_size(f);
	if (size == MAPQ_SIZE_UNKNOWN &&
	    (range->flags & (MAPQ_RANGE_START_NEG | MAPQ_RANGE_END_NEG)) &&
	    (rc = mapq_file_measure(f, &size, err)) != MAPQ_OK)
		return rc;
	rc = mapq_range_resolve_bytes(range, size, &s, &e);
	if (rc != MAPQ_OK)
		return mapq__error_set(err, rc, 0, "invalid range");
	if (flags & MAPQ_RESOLVE_ALIGN) {
		if (s >= e) {
			e = s;
		} else {
			rc = mapq__file_next_start(f, s, &s, err);
			/* An end past all the data (a stream of unknown size)
			 * is already past every line start. */
			if (rc == MAPQ_OK && e != MAPQ_SIZE_UNKNOWN)
				rc = mapq__file_next_start(f, e, &e, err);
			if (rc != MAPQ_OK)
				return rc;
			if (e < s)
				e = s;
		}
	}
	*start = s;
	*end = e;
	return MAPQ_OK;
}

int mapq_file_resolve(mapq_file *f, const mapq_range *range, unsigned flags,
                      uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (f == NULL || range == NULL || start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or range");
	if (f->compression != MAPQ_COMPRESSION_NONE)
		return resolve_compressed(f, range, flags, start, end, err);

	mapq_view view;
	int rc = mapq_file_view(f, &view, err);
	if (rc == MAPQ_OK)
		rc = mapq_range_resolve(range, &view, start, end, err);
	if (rc == MAPQ_OK && (flags & MAPQ_RESOLVE_ALIGN) &&
	    range->unit == MAPQ_RANGE_BYTES)
		rc = mapq_range_align_lines(&view, *start, *end, start, end,
		                            err);
	return rc;
}

int mapq_file_count_newlines(mapq_file *f, uint64_t start, uint64_t end,
                             uint64_t *count, mapq_error *err)
{
	if (f == NULL || count == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	uint64_t pos;
	return walk(f, start, end, UINT64_MAX, count, &pos, NULL, err);
}

int mapq_file_count_lines(mapq_file *f, uint64_t start, uint64_t end,
                          uint64_t *count, mapq_error *err)
{
	if (f == NULL || count == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	uint64_t n, pos;
	int last;
	int rc = walk(f, start, end, UINT64_MAX, &n, &pos, &last, err);
	if (rc != MAPQ_OK)
		return rc;
	/* A part that does not end with a newline ends with a line (the
	 * data's last, or the start of one cut by `end`). */
	*count = n + (last >= 0 && last != '\n');
	return MAPQ_OK;
}

int mapq_file_write_range(mapq_file *f, uint64_t start, uint64_t end, int fd,
                          mapq_error *err)
{
	if (f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	mapq_view view;
	if (f->compression == MAPQ_COMPRESSION_NONE) {
		int rc = mapq_file_view(f, &view, err);
		return rc != MAPQ_OK ? rc
		                     : mapq_view_write(&view, start, end, fd, err);
	}
	struct mapq_scan s;
	mapq__scan_init(&s, f, start, end, 0, 0);
	int rc;
	while ((rc = mapq_scan_next(&s, &view, err)) > 0) {
		rc = mapq_view_write(&view, 0, view.size, fd, err);
		if (rc != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&s);
	return rc < 0 ? rc : MAPQ_OK;
}
