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
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "input/input.h"
#include "lines.h"

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
	struct mapq__scan s;
	mapq__scan_init(&s, f, start, end, 0, 0);
	uint64_t seen = 0;
	int found = 0;
	int tail = -1;
	mapq_view w;
	int rc;
	while ((rc = mapq__scan_next(&s, &w, err)) > 0) {
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

/* Chunks walked backward from the end of unmapped plain data. */
#define BACK_CHUNK ((uint64_t)1 << 20)

/*
 * Line -n of data that can be read from anywhere (a seekable file, frame
 * by frame; unmapped plain bytes, chunk by chunk): count newlines chunk by
 * chunk from the last one back, then find the one wanted inside the chunk
 * that holds it.  The last chunk's count also says whether the data ends
 * with a newline.
 */
static int chunked_find_start_back(mapq_file *f, uint64_t n, uint64_t *offset,
                                   mapq_error *err)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	uint64_t size = mapq__data_size(f);
	*offset = size;
	if (n == 0 || size == 0)
		return MAPQ_OK;
	*offset = 0;
	uint64_t end = size;
	uint64_t remaining = n;
	int first = 1;
	uint64_t chunks = t != NULL ? mapq__seek_table_find(t, size - 1) + 1
	                            : (size + BACK_CHUNK - 1) / BACK_CHUNK;
	for (uint64_t i = chunks; i-- > 0;) {
		uint64_t lo = t != NULL ? t->dec[i] : i * BACK_CHUNK;
		uint64_t top = t != NULL ? t->dec[i + 1] : lo + BACK_CHUNK;
		uint64_t hi = top < end ? top : end;
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
	if (mapq__data_size(f) != MAPQ_SIZE_UNKNOWN)
		return chunked_find_start_back(f, n, offset, err);
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

/* mapq_range_resolve for input without a view: through scans. */
static int resolve_scanned(mapq_file *f, const mapq_range *range,
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

int mapq_range_resolve(mapq_file *f, const mapq_range *range, unsigned flags,
                      uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (f == NULL || range == NULL || start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or range");
	if (!mapq__file_random_access(f))
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: offsets need a file, not a stream",
		                       mapq_file_name(f));
	if (!mapq__file_mapped_plain(f))
		return resolve_scanned(f, range, flags, start, end, err);

	mapq_view view;
	int rc = mapq_file_view(f, &view, err);
	if (rc == MAPQ_OK)
		rc = mapq__view_resolve(range, &view, start, end, err);
	if (rc == MAPQ_OK && (flags & MAPQ_RESOLVE_ALIGN) &&
	    range->unit == MAPQ_RANGE_BYTES)
		rc = mapq__view_align_lines(&view, *start, *end, start, end,
		                            err);
	return rc;
}

int mapq_lines_count_newlines(mapq_file *f, uint64_t start, uint64_t end,
                             uint64_t *count, mapq_error *err)
{
	if (f == NULL || count == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	uint64_t pos;
	return walk(f, start, end, UINT64_MAX, count, &pos, NULL, err);
}

int mapq_lines_count(mapq_file *f, uint64_t start, uint64_t end,
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

/* Largest single write(2): Linux moves at most about 2 GiB per call. */
#define WRITE_MAX ((size_t)1 << 30)

static int write_all(const mapq_file *f, const unsigned char *p, uint64_t n,
                     int fd, mapq_error *err)
{
	while (n > 0) {
		size_t chunk = n > WRITE_MAX ? WRITE_MAX : (size_t)n;
		ssize_t w = write(fd, p, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EFAULT) /* the mapped source vanished */
				return mapq__error_truncated(err,
				                             mapq_file_name(f));
			if (errno == EPIPE)
				return mapq__error_set(err, MAPQ_EPIPE, EPIPE,
				                       "write error: %s",
				                       strerror(EPIPE));
			return mapq__error_set(err, MAPQ_EWRITE, errno,
			                       "write error: %s",
			                       strerror(errno));
		}
		p += w;
		n -= (uint64_t)w;
	}
	return MAPQ_OK;
}

/*
 * A window at a time, so that a large range keeps few pages resident; a
 * mapped file's windows are written straight from the mapping (a fault
 * inside write(2) is EFAULT, not SIGBUS).
 */
int mapq_file_write_range(mapq_file *f, uint64_t start, uint64_t end, int fd,
                          mapq_error *err)
{
	if (f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	struct mapq__scan s;
	mapq__scan_init(&s, f, start, end, 0, 0);
	mapq_view view;
	int rc;
	while ((rc = mapq__scan_next(&s, &view, err)) > 0) {
		rc = write_all(f, view.data, view.size, fd, err);
		if (rc != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&s);
	return rc < 0 ? rc : MAPQ_OK;
}
