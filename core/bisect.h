/*
 * bisect.h - binary search over a file sorted by a key (bisect.c), for
 * window.c and the unit tests.  Not installed; names use mapq__.
 */
#ifndef MAPQ_BISECT_H
#define MAPQ_BISECT_H

#include <stdint.h>

#include "key.h"
#include "mapq.h"
#include "order.h"

/* 1 when f can be bisected: a mapped plain file, a seekable zstd file. */
int mapq__bisectable(mapq_file *f);

/*
 * In f (bisectable), find the first line that starts at or after `lo` (a
 * line start) and whose key is >= b, and store its start in *offset: the
 * data's size when there is none.  Only lines that have a key are probed,
 * so a keyless line (the continuation of a multi-line entry) stays with
 * the keyed line before it.  On a file that is sorted (within the slack
 * b was moved by) every line before the answer is < b; on one that is not
 * the answer is some line start, and the lines probed, recorded in `log`
 * (NULL: not recorded), are what tells.  An empty byte bound gives lo.
 * Errors: MAPQ_EINVAL (a regex limit), MAPQ_ETRUNC, and those of scans.
 */
int mapq__bisect(mapq_file *f, mapq_key *key, const struct mapq__bound *b,
                 uint64_t lo, struct mapq__probes *log, uint64_t *offset,
                 mapq_error *err);

/* mapq__bisect on a mapped view (the whole file's), under the guard. */
int mapq__view_bisect(const mapq_view *view, mapq_key *key,
                      const struct mapq__bound *b, uint64_t lo,
                      struct mapq__probes *log, uint64_t *offset,
                      mapq_error *err);

/*
 * Record in `log` the keys of about `count` + 1 lines of f (bisectable)
 * spread evenly over it, the last line among them where that is cheap: a
 * handful of page reads (a block of a frame each, when seekable).
 */
int mapq__bisect_sample(mapq_file *f, mapq_key *key, unsigned count,
                        struct mapq__probes *log, mapq_error *err);

/* Name the file and the line at byte `at` in a key failure's message. */
int mapq__key_failed(mapq_error *err, int rc, mapq_file *f, uint64_t at);

#endif /* MAPQ_BISECT_H */
