/*
 * input.h - the input layer, as the primitives above it (lines, ranges,
 * search, statistics, bisection, shards, compression) see it: a file whose
 * data is walked by scans, window by window, whatever the file is.
 *
 *   mapped regular file   windows are slices of the mapping
 *   pread (unmappable)    windows are read into the scan's buffer
 *   stream (pipe, FIFO)   windows are read as they arrive, forward only
 *   zstd stream           windows are decoded, forward from the start
 *   zstd seekable         windows are decoded from the frame holding them
 *
 * Names here use the mapq__ prefix; nothing here is installed.
 */
#ifndef MAPQ_INPUT_INPUT_H
#define MAPQ_INPUT_INPUT_H

#include <stdint.h>

#include "mapq.h"
#include "guard.h"
#include "zstd_format.h"

/* Page size, for aligning madvise ranges. */
uint64_t mapq__page_size(void);

/* Size of the data a scan walks: decompressed for compressed input;
 * MAPQ_SIZE_UNKNOWN until known (a zstd stream, a pipe). */
uint64_t mapq__data_size(const mapq_file *f);

/* 1 when any offset of f can be read again (mapped or pread raw bytes);
 * 0 for a stream, which is read forward once. */
int mapq__file_random_access(const mapq_file *f);

/* 1 when f is mapped and uncompressed: its whole data is one contiguous
 * view (mapq_file_view), the fast path of every primitive. */
int mapq__file_mapped_plain(const mapq_file *f);

/* The seek table of a seekable file (NULL for other inputs). */
const struct mapq__seek_table *mapq__file_seek_table(const mapq_file *f);

/*
 * Guard reads of f's mapping (see guard.h):
 *	struct mapq__guard g;
 *	if (!MAPQ__GUARDED(g, f))
 *		return mapq__guard_failed(&g, err);
 *	... read mapped bytes ...
 *	mapq__guard_pop(&g);
 * f may be NULL (a caller's memory: any fault is taken as the guard's).
 */
void mapq__guard_file(struct mapq__guard *g, const mapq_file *f);
#define MAPQ__GUARDED(g, f) \
	(mapq__guard_file(&(g), (f)), sigsetjmp((g).env, 0) == 0)

/*
 * Call fn(arg) under f's guard: a SIGBUS from reading f's mapping inside
 * it (the file shrank) makes this return MAPQ_ETRUNC.  fn must not
 * allocate or take locks in a way a jump out of it would leak: on a fault
 * it is abandoned where it stands.  Returns fn's return value.
 */
int mapq__file_guard(mapq_file *f, int (*fn)(void *arg), void *arg,
                     mapq_error *err);

/*
 * Drop the pages holding raw bytes [start, end) from this process's page
 * tables (MADV_DONTNEED).  Harmless for data: the mapping is private and
 * never written, so the next read faults the bytes back from the page
 * cache.  Rounds outward to whole pages.  A no-op for unmapped files.
 */
void mapq__release(const mapq_file *f, uint64_t start, uint64_t end);

/* Hint sequential access (MADV_SEQUENTIAL) for raw bytes [start, end). */
void mapq__advise_sequential(const mapq_file *f, uint64_t start, uint64_t end);

/* ---- byte scans ---- */

struct mapq__zscan;

/* A reader's own buffer for raw bytes read with pread(2). */
struct mapq__raw {
	unsigned char *buf;
	size_t cap;
	uint64_t off; /* raw offset of buf[0] */
	size_t len;   /* bytes held */
};

/* Flags of byte scans (the public MAPQ_SCAN_LINES / _KEEP values). */

/*
 * A walk over data bytes [start, end) of a file, window by window.  Each
 * window stays valid until the next call.  Pages of a mapping that the
 * walk has left are released as it goes (unless MAPQ_SCAN_KEEP).
 */
struct mapq__scan {
	mapq_file *file;
	uint64_t pos;      /* absolute offset of the next window */
	uint64_t end;      /* absolute end of the scan (may be unknown) */
	uint64_t window;   /* nominal window size */
	uint64_t first;    /* absolute start of the scan */
	uint64_t held;     /* start of pages not yet released */
	unsigned flags;
	struct mapq__raw raw;  /* the scan's own buffer (pread input) */
	struct mapq__zscan *z; /* decompression state (compressed input), made
	                        * by the first mapq__scan_next() */
};

/* Initialise a scan in place (no allocation but the buffers it makes on
 * its first window).  end may be MAPQ_SIZE_UNKNOWN (to the data's end). */
void mapq__scan_init(struct mapq__scan *s, mapq_file *f, uint64_t start,
                     uint64_t end, uint64_t window, unsigned flags);
/* Next window: 1, 0 at the end, or a negative error code. */
int mapq__scan_next(struct mapq__scan *s, mapq_view *win, mapq_error *err);
/* Release what the scan still holds; the struct may then be discarded. */
void mapq__scan_finish(struct mapq__scan *s);

#endif /* MAPQ_INPUT_INPUT_H */
