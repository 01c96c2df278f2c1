/*
 * stats.h - statistics of one contiguous view (stats.c), the fast path of
 * mapq_stats_scan() for a mapped, uncompressed file.
 * Not installed; names use mapq__.
 */
#ifndef MAPQ_STATS_H
#define MAPQ_STATS_H

#include <stdint.h>

#include "mapq.h"

/*
 * Account for all the bytes of `view`, which follow the bytes seen so far.
 * The view is walked through scans (pages are released as they go); when
 * its file is memory-mapped, `threads` > 1 and the view is large (at least
 * 8 MiB per thread), it is cut into that many contiguous pieces that
 * threads measure at once, then merged: the result is identical to a
 * single pass.  Data read into memory (pipes) is measured by one thread.
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ETRUNC (the file shrank: the
 * accumulator's content is then unspecified; err names the file).
 */
int mapq__view_stats(mapq_stats *s, const mapq_view *view,
                             unsigned threads, mapq_error *err);

#endif /* MAPQ_STATS_H */
