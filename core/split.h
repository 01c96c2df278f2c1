/*
 * split.h - shards of one contiguous view (split.c), the fast path of
 * mapq_split_create() for a mapped, uncompressed file.
 * Not installed; names use mapq__.
 */
#ifndef MAPQ_SPLIT_H
#define MAPQ_SPLIT_H

#include <stdint.h>

#include "mapq.h"

/*
 * Prepare a split of `view` into n >= 1 shards (the view must outlive the
 * split).  Errors: MAPQ_EINVAL (n 0, an unknown mode), MAPQ_ENOMEM,
 * MAPQ_ETRUNC.
 */
int mapq__view_split_create(mapq_split **out, const mapq_view *view,
                               uint64_t n, mapq_split_mode mode,
                               mapq_error *err);

#endif /* MAPQ_SPLIT_H */
