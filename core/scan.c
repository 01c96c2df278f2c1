/*
 * scan.c - walking a byte range window by window.
 *
 * A scan is how every full pass (line counting, writing a large slice,
 * search and statistics) touches a mapped file: the pages of the windows
 * already handed out are dropped from the page tables, so resident memory
 * stays near one window whatever the file size.  Windows are not
 * prefaulted (MADV_POPULATE_READ): the kernel maps whole page-cache folios
 * per fault, and prefaulting page by page measured 10% more CPU time.
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
	s->first = start;
	s->held = start;
	s->flags = flags;
	s->z = NULL;
	/* Readahead hint for the whole range: a scan reads it once, in order.
	 * Failure only costs speed.  (Compressed input: the raw range is
	 * known once decoding starts, see zscan.c.) */
	if (f != NULL && f->compression == MAPQ_COMPRESSION_NONE)
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
static void release_done(struct mapq_scan *s)
{
	if (s->flags & MAPQ_SCAN_KEEP)
		return;
	uint64_t from = s->held - s->first > RELEASE_MARGIN
	                        ? s->held - RELEASE_MARGIN
	                        : s->first;
	mapq__release(s->file, from, s->pos);
	s->held = s->pos;
}

void mapq__scan_finish(struct mapq_scan *s)
{
	if (s->z != NULL) {
		mapq__zscan_finish(s);
		return;
	}
	release_done(s);
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
	release_done(s);
	if (s->pos >= s->end)
		return 0;

	uint64_t wend = s->end - s->pos > s->window ? s->pos + s->window
	                                            : s->end;
	if ((s->flags & MAPQ_SCAN_LINES) && wend < s->end) {
		int rc = snap_to_line(s, &wend, err);
		if (rc != MAPQ_OK)
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
