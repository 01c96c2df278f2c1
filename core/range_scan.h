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
 * A scan of f from `start` (a line start; 0 for input read forward),
 * handing out the runs of lines `select` puts inside the selection, each
 * run a window.  mapq_scan_start() gives the first selected line's
 * offset.  ctx_free(ctx) (when not NULL) is called when the scan is
 * destroyed, or here on failure.
 */
int mapq__scan_create_selected(mapq_scan **out, mapq_file *f, uint64_t start,
                               unsigned flags, mapq__line_select select,
                               void *ctx, void (*ctx_free)(void *ctx),
                               mapq_error *err);

#endif /* MAPQ_RANGE_SCAN_H */
