/*
 * range_scan.h - scans that select lines by their content (range_scan.c),
 * for primitives that choose lines as they read a stream: bisection's
 * window, read in one forward pass where the input cannot be bisected.
 * Not installed; names use mapq__.
 */
#ifndef MAPQ_RANGE_SCAN_H
#define MAPQ_RANGE_SCAN_H

#include <stdint.h>

#include "mapq.h"

/*
 * Decide a line (its bytes without the newline, at data offset `offset`):
 * 0 before the selection, 1 inside it, 2 after it (the scan ends there;
 * the answers must not go back: 0s, then 1s, then 2), or a negative error.
 */
typedef int (*mapq__line_select)(void *ctx, const unsigned char *line,
                                 uint64_t len, uint64_t offset,
                                 mapq_error *err);

/*
 * A scan of f, read forward once, handing out the lines `select` puts
 * inside the selection.  ctx_free(ctx) (when not NULL) is called when the
 * scan is destroyed, or here on failure.
 */
int mapq__scan_create_selected(mapq_scan **out, mapq_file *f, uint64_t window,
                               unsigned flags, mapq__line_select select,
                               void *ctx, void (*ctx_free)(void *ctx),
                               mapq_error *err);

#endif /* MAPQ_RANGE_SCAN_H */
