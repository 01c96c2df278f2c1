/*
 * scan.c - walking a byte range window by window, whatever the input.
 *
 * A scan is how every full pass (line counting, writing a large slice,
 * search and statistics) touches a file.  On a mapped file the windows are
 * slices of the mapping, and the pages of the windows already handed out
 * are dropped from the page tables, so resident memory stays near one
 * window whatever the file size.  Windows are not prefaulted
 * (MADV_POPULATE_READ): the kernel maps whole page-cache folios per fault,
 * and prefaulting page by page measured 10% more CPU time.  Unmapped files
 * are read into a buffer (the scan's own for pread, the file's for a
 * stream); compressed ones are decoded (zscan.c).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "file.h"
#include "input.h"
#include "zscan.h"

void mapq__scan_init(struct mapq__scan *s, mapq_file *f, uint64_t start,
                     uint64_t end, uint64_t window, unsigned flags)
{
	/* Input of unknown size: the scan ends where the data does, found
	 * as it goes. */
	uint64_t size = mapq__data_size(f);
	if (end > size)
		end = size;
	if (start > end)
		start = end;
	memset(s, 0, sizeof *s);
	s->file = f;
	s->pos = start;
	s->end = end;
	s->window = window > 0 ? window : MAPQ_SCAN_WINDOW_DEFAULT;
	s->first = start;
	s->held = start;
	s->flags = flags;
	/* Readahead hint for the whole range: a scan reads it once, in order.
	 * Failure only costs speed.  (Compressed input: the raw range is
	 * known once decoding starts, see zscan.c.) */
	if (f != NULL && mapq_file_compression(f) == MAPQ_COMPRESSION_NONE)
		mapq__advise_sequential(f, start, end);
}

/*
 * Margin released again below the last release point.  A window that
 * starts inside a page faults it back in, and the kernel's fault-around
 * maps its neighbours too, including pages of the previous window that
 * were already released; without the margin those would stay resident,
 * about 64 KiB per window (measured: RSS growing with the file size).
 * Zapping page-table entries that are already empty costs little.
 */
#define RELEASE_MARGIN ((uint64_t)2 << 20)

/* Release the pages of everything handed out so far. */
static void release_done(struct mapq__scan *s)
{
	if (s->flags & MAPQ_SCAN_KEEP)
		return;
	uint64_t from = s->held - s->first > RELEASE_MARGIN
	                        ? s->held - RELEASE_MARGIN
	                        : s->first;
	mapq__release(s->file, from, s->pos);
	s->held = s->pos;
}

void mapq__scan_finish(struct mapq__scan *s)
{
	if (s->z != NULL)
		mapq__zscan_finish(s);
	else if (s->file != NULL)
		release_done(s);
	mapq__raw_free(&s->raw);
}

/*
 * With MAPQ_SCAN_LINES, move a provisional window end back to just after
 * the last newline inside [pos, wend), or forward past the next newline
 * when the window holds none (a line longer than the window).
 */
static int snap_mapped(struct mapq__scan *s, uint64_t *wend, mapq_error *err)
{
	const unsigned char *d = mapq__file_mapped(s->file);
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, s->file))
		return mapq__guard_failed(&g, err);
	const unsigned char *nl = memrchr(d + s->pos, '\n', *wend - s->pos);
	if (nl != NULL) {
		*wend = (uint64_t)(nl - d) + 1;
	} else {
		nl = memchr(d + *wend, '\n', s->end - *wend);
		*wend = nl != NULL ? (uint64_t)(nl - d) + 1 : s->end;
	}
	mapq__guard_pop(&g);
	return MAPQ_OK;
}

static int next_mapped(struct mapq__scan *s, mapq_view *win, mapq_error *err)
{
	/* The caller is done with the previous window: let its pages go. */
	release_done(s);
	if (s->pos >= s->end)
		return 0;
	uint64_t wend = s->end - s->pos > s->window ? s->pos + s->window
	                                            : s->end;
	if ((s->flags & MAPQ_SCAN_LINES) && wend < s->end) {
		int rc = snap_mapped(s, &wend, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	win->data = mapq__file_mapped(s->file) + s->pos;
	win->size = wend - s->pos;
	win->offset = s->pos;
	win->file = s->file;
	s->pos = wend;
	return 1;
}

/*
 * A window of bytes read (pread or a stream): what is there, up to the
 * window size, cut after its last newline with MAPQ_SCAN_LINES.  A stream
 * hands out what read(2) has returned so far, so that lines are handled as
 * they arrive; a window with no newline waits for more bytes (a line
 * longer than the window grows it, unless it holds NUL bytes).
 */
static int next_read(struct mapq__scan *s, mapq_view *win, mapq_error *err)
{
	if (s->pos >= s->end)
		return 0;
	uint64_t left = s->end - s->pos;
	size_t want = left < s->window ? (size_t)left : (size_t)s->window;
	size_t min = 1;
	const unsigned char *p;
	size_t n;
	for (;;) {
		int rc = mapq__raw_get(s->file, &s->raw, s->pos, min, want, &p,
		                       &n, err);
		if (rc != MAPQ_OK)
			return rc;
		if (n == 0) {
			s->end = s->pos; /* the data ended */
			return 0;
		}
		if (!(s->flags & MAPQ_SCAN_LINES) || n == left)
			break;
		const unsigned char *nl = memrchr(p, '\n', n);
		if (nl != NULL) {
			n = (size_t)(nl - p) + 1;
			break;
		}
		if (n < min) /* the data ended inside the line */
			break;
		/* A window's worth of binary data without a newline (a
		 * device like /dev/zero): NUL ends the window, as GNU grep
		 * takes non-text bytes for line ends in binary data, so that
		 * memory stays bounded. */
		if (n >= s->window &&
		    (nl = memrchr(p, '\0', n)) != NULL) {
			n = (size_t)(nl - p) + 1;
			break;
		}
		/* No newline yet: wait for more, growing past a window. */
		min = n + 1;
		if (want < min)
			want = n < SIZE_MAX / 2 ? n * 2 : SIZE_MAX;
		if (want > left)
			want = (size_t)left;
		if (min > want)
			break;
	}
	win->data = p;
	win->size = n;
	win->offset = s->pos;
	win->file = s->file;
	s->pos += n;
	return 1;
}

int mapq__scan_next(struct mapq__scan *s, mapq_view *win, mapq_error *err)
{
	if (mapq_file_compression(s->file) != MAPQ_COMPRESSION_NONE)
		return mapq__zscan_next(s, win, err);
	if (mapq__file_source(s->file) == MAPQ__SOURCE_MAPPED)
		return next_mapped(s, win, err);
	return next_read(s, win, err);
}

int mapq_file_measure(mapq_file *f, uint64_t *size, mapq_error *err)
{
	if (f == NULL || size == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	uint64_t known = mapq__data_size(f);
	if (known != MAPQ_SIZE_UNKNOWN) {
		*size = known;
		return MAPQ_OK;
	}
	uint64_t total = 0;
	int found = 0;
	const unsigned char *d = mapq__file_mapped(f);
	if (d != NULL) {
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, f))
			return mapq__guard_failed(&g, err);
		found = mapq__zstd_size_from_headers(d, mapq__raw_size(f),
		                                     &total);
		mapq__guard_pop(&g);
	}
	if (!found) {
		/* A frame without a declared size (zstd writing from a pipe),
		 * or a stream: read it once, counting.  The scan records the
		 * size when it reaches the end. */
		struct mapq__scan s;
		mapq__scan_init(&s, f, 0, MAPQ_SIZE_UNKNOWN, 0, 0);
		mapq_view w;
		int rc;
		total = 0;
		while ((rc = mapq__scan_next(&s, &w, err)) > 0)
			total += w.size;
		mapq__scan_finish(&s);
		if (rc < 0)
			return rc;
	}
	mapq__data_size_found(f, total);
	*size = total;
	return MAPQ_OK;
}
