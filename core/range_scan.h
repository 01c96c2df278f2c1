/*
 * range_scan.h - scans that select lines by their content (range_scan.c),
 * for primitives that choose lines as they read: a key window's filter.
 * Not installed; names use mapq__.
 */
#ifndef MAPQ_RANGE_SCAN_H
#define MAPQ_RANGE_SCAN_H

#include <stdint.h>

#include "mapq.h"

/*
 * Decide a line (its bytes without the newline, at data offset `offset`):
 * 0 outside the selection, 1 inside it, 2 the selection has ended (the
 * scan ends there, before the line), or a negative error.  Every line is
 * decided once, in order.
 */
typedef int (*mapq__line_select)(void *ctx, const unsigned char *line,
                                 uint64_t len, uint64_t offset,
                                 mapq_error *err);

/*
 * A scan in parts, one after the other (the windows of a set of files):
 * next_part(ctx, s, err) is called when the scan needs a part (first, and
 * each time one is done); it sets one up with mapq__scan_part_select or
 * mapq__scan_part_range and returns 1, or returns 0 when there are no
 * more, or a negative error.  Views carry their part's file.
 * ctx_free(ctx) (when not NULL) is called when the scan is destroyed, or
 * here on failure.
 */
typedef int (*mapq__scan_part)(void *ctx, mapq_scan *s, mapq_error *err);
int mapq__scan_create_parts(mapq_scan **out, unsigned flags,
                            mapq__scan_part next_part, void *ctx,
                            void (*ctx_free)(void *ctx), mapq_error *err);

/* A part of the lines of f from `start` (a line start; 0 for input read
 * forward) that `select` puts inside, each run of them a window. */
void mapq__scan_part_select(mapq_scan *s, mapq_file *f, uint64_t start,
                            mapq__line_select select, void *ctx);

/* A part of the bytes [start, end) of f (line starts). */
void mapq__scan_part_range(mapq_scan *s, mapq_file *f, uint64_t start,
                           uint64_t end);

#endif /* MAPQ_RANGE_SCAN_H */
