/*
 * lines.h - line primitives shared between core/ files: newline counting
 * (the hot loop of line work), line starts in a contiguous view, and the
 * resolution of line ranges.  Not installed; names use mapq__.
 *
 * The view functions read one contiguous view (a mapped, uncompressed
 * file, or a buffer of the caller's with view->file NULL); the public
 * forms over (file, range) in mapq.h are built on them and on scans.
 */
#ifndef MAPQ_LINES_H
#define MAPQ_LINES_H

#include <stdint.h>

#include "mapq.h"

/*
 * The line primitives take the byte that ends a line: '\n', or NUL for
 * NUL-terminated records (grep -z).  The newline forms are the same code
 * with '\n' (the compare byte is broadcast once per call, so a variable
 * byte costs nothing in the loops).
 */

/* Number of bytes c in [p, p + n): vectorised. */
uint64_t mapq__count_byte(const unsigned char *p, uint64_t n, unsigned char c);

static inline uint64_t mapq__count_newlines(const unsigned char *p, uint64_t n)
{
	return mapq__count_byte(p, n, '\n');
}

/*
 * Position of the k-th byte c (k >= 1) in [p, p + n), or NULL when there
 * are fewer; then *found (if not NULL) holds how many there were.
 */
const unsigned char *mapq__find_nth_byte(const unsigned char *p, uint64_t n,
                                         uint64_t k, unsigned char c,
                                         uint64_t *found);

static inline const unsigned char *
mapq__find_nth_newline(const unsigned char *p, uint64_t n, uint64_t k,
                       uint64_t *found)
{
	return mapq__find_nth_byte(p, n, k, '\n', found);
}

/*
 * The last byte c in [p, p + end), or NULL: memrchr over chunks that grow
 * from the end, so that a walk back over many short lines costs the bytes
 * it passes, even where each call's whole range would be checked (the
 * sanitizers' memrchr).
 */
const unsigned char *mapq__last_byte(const unsigned char *p, uint64_t end,
                                     unsigned char c);

static inline const unsigned char *mapq__last_newline(const unsigned char *p,
                                                      uint64_t end)
{
	return mapq__last_byte(p, end, '\n');
}

/* ---- on one contiguous view; offsets relative to view->data ---- */

/* Newlines in [start, end) of the view. */
int mapq__view_count_newlines(const mapq_view *view, uint64_t *count,
                              mapq_error *err);
/* Bytes c in the view (through a scan that releases a mapping's pages). */
int mapq__view_count_byte(const mapq_view *view, unsigned char c,
                          uint64_t *count, mapq_error *err);
/* Lines of the view: newlines, plus a final line without one. */
int mapq__view_count_lines(const mapq_view *view, uint64_t *count,
                           mapq_error *err);
/* Start of line n (n >= 1); the end when missing (*missing: how many
 * lines short, when not NULL). */
int mapq__view_find_start(const mapq_view *view, uint64_t n, uint64_t *offset,
                          uint64_t *missing, mapq_error *err);
/* Start of the n-th line from the end (0 when fewer; n = 0: the end). */
int mapq__view_find_start_back(const mapq_view *view, uint64_t n,
                               uint64_t *offset, mapq_error *err);
/* From a line start, n lines forward (at most the end). */
int mapq__view_skip(const mapq_view *view, uint64_t from, uint64_t n,
                    uint64_t *offset, mapq_error *err);
/* The first line start at or after `offset`. */
int mapq__view_next_start(const mapq_view *view, uint64_t offset,
                          uint64_t *start, mapq_error *err);
/* The same for lines that end with byte c. */
int mapq__view_next_start_after(const mapq_view *view, uint64_t offset,
                                unsigned char c, uint64_t *start,
                                mapq_error *err);
/* A range of either unit against the view, as mapq_range_resolve(). */
int mapq__view_resolve(const mapq_range *range, const mapq_view *view,
                       uint64_t *start, uint64_t *end, mapq_error *err);
/* Byte offsets [start, end) to the lines that start inside them. */
int mapq__view_align_lines(const mapq_view *view, uint64_t start, uint64_t end,
                           uint64_t *astart, uint64_t *aend, mapq_error *err);

/*
 * Line range resolution, shared by views and whole files of any kind: the
 * three ways of finding a line start, on a source.
 */
struct mapq__line_source {
	/* Start of line n (n >= 1) from the front; the end when missing. */
	int (*find_start)(void *src, uint64_t n, uint64_t *offset,
	                  mapq_error *err);
	/* Start of the n-th line from the end (n = 0: the end). */
	int (*find_start_back)(void *src, uint64_t n, uint64_t *offset,
	                       mapq_error *err);
	/* From a line start, n lines forward (at most the end). */
	int (*skip)(void *src, uint64_t from, uint64_t n, uint64_t *offset,
	            mapq_error *err);
	uint64_t size; /* the end of the data (MAPQ_SIZE_UNKNOWN: unknown) */
	void *src;
};
int mapq__resolve_lines(const struct mapq__line_source *ls,
                        const mapq_range *range, uint64_t *start,
                        uint64_t *end, mapq_error *err);

/*
 * Line primitives over a whole file's data through scans (resolve.c): what
 * the view functions do, for input that has no view (compressed, read).
 */
int mapq__file_next_start(mapq_file *f, uint64_t offset, uint64_t *start,
                          mapq_error *err);
int mapq__file_find_start_back(void *f, uint64_t n, uint64_t *offset,
                               mapq_error *err);
int mapq__file_skip(void *f, uint64_t from, uint64_t n, uint64_t *offset,
                    mapq_error *err);

#endif /* MAPQ_LINES_H */
