/*
 * scan.c - walking a byte range window by window.
 *
 * A scan is how every full pass (line counting, writing a large slice, and
 * later search and statistics) touches a mapped file: each window is
 * prefaulted with one madvise call, and the pages of the windows already
 * handed out are dropped from the page tables, so resident memory stays
 * near one window whatever the file size.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void mapq__scan_init(struct mapq_scan *s, mapq_file *f, uint64_t start,
                     uint64_t end, uint64_t window, unsigned flags)
{
	/* Compressed input of unknown size: the scan ends where the data
	 * does, found as it goes. */
	uint64_t size = mapq__data_size(f);
	if (end > size)
		end = size;
	if (start > end)
		start = end;
	s->file = f;
	s->pos = start;
	s->end = end;
	s->window = window > 0 ? window : MAPQ_SCAN_WINDOW_DEFAULT;
	s->held = start;
	s->flags = flags;
	s->z = NULL;
	/* Readahead hint for the whole range: a scan reads it once, in order.
	 * Failure only costs speed.  (Compressed input: the raw range is
	 * known once decoding starts, see zscan.c.) */
	if (f != NULL && f->compression == MAPQ_COMPRESSION_NONE)
		mapq__advise_sequential(f, start, end);
}

void mapq__scan_finish(struct mapq_scan *s)
{
	if (s->z != NULL) {
		mapq__zscan_finish(s);
		return;
	}
	if (!(s->flags & MAPQ_SCAN_KEEP))
		mapq__release(s->file, s->held, s->pos);
	s->held = s->pos;
}

int mapq_scan_create(mapq_scan **out, mapq_file *f, uint64_t start,
                     uint64_t end, uint64_t window, unsigned flags,
                     mapq_error *err)
{
	if (out == NULL || f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or handle");
	*out = NULL;
	mapq_scan *s = malloc(sizeof *s);
	if (s == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       f->name);
	mapq__scan_init(s, f, start, end, window, flags);
	*out = s;
	return MAPQ_OK;
}

/*
 * With MAPQ_SCAN_LINES, move a provisional window end back to just after
 * the last newline inside [pos, wend), or forward past the next newline
 * when the window holds none (a line longer than the window).
 */
static int snap_to_line(struct mapq_scan *s, uint64_t *wend, mapq_error *err)
{
	const unsigned char *d = s->file->data;
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

int mapq_scan_next(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	if (s == NULL || win == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no scan or window");
	if (s->file != NULL && s->file->compression != MAPQ_COMPRESSION_NONE)
		return mapq__zscan_next(s, win, err);
	/* The caller is done with the previous window: let its pages go. */
	if (!(s->flags & MAPQ_SCAN_KEEP)) {
		mapq__release(s->file, s->held, s->pos);
		s->held = s->pos;
	}
	if (s->pos >= s->end)
		return 0;

	uint64_t wend = s->end - s->pos > s->window ? s->pos + s->window
	                                            : s->end;
	int rc = mapq__populate(s->file, s->pos, wend, err);
	if (rc != MAPQ_OK)
		return rc;
	if ((s->flags & MAPQ_SCAN_LINES) && wend < s->end) {
		uint64_t provisional = wend;
		rc = snap_to_line(s, &wend, err);
		if (rc != MAPQ_OK)
			return rc;
		if (wend > provisional &&
		    (rc = mapq__populate(s->file, provisional, wend, err)) != MAPQ_OK)
			return rc;
	}

	win->data = s->file->data + s->pos;
	win->size = wend - s->pos;
	win->offset = s->pos;
	win->file = s->file;
	s->pos = wend;
	return 1;
}

void mapq_scan_destroy(mapq_scan *s)
{
	if (s == NULL)
		return;
	mapq__scan_finish(s);
	free(s);
}
