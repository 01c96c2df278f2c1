/*
 * bisect.h - bisection of one contiguous view (bisect.c): the fast path of
 * mapq_bisect_window() and mapq_bisect_check() for a mapped, uncompressed
 * file, and what the unit tests exercise directly.
 * Not installed; names use mapq__.
 */
#ifndef MAPQ_BISECT_H
#define MAPQ_BISECT_H

#include <stdint.h>

#include "mapq.h"

/*
 * In a view whose lines are sorted by `key` (NULL: the whole line), find
 * the first line that starts at or after `lo` (a line start, relative to
 * view->data) and whose key is >= bound (blen bytes), and store its start
 * in *offset: view->size when there is none.  An empty bound gives lo.
 * Only lines that have a key are probed, so a keyless line inside the file
 * (the continuation of a multi-line entry) stays with the keyed line
 * before it; in a sorted file keyless lines can only come first, and then
 * this is exactly "the first line whose key is >= bound".  On a file that
 * is not sorted the result is some line start; no error is reported.
 * Reads the view under the SIGBUS guard.
 * Errors: MAPQ_EINVAL (NULL arguments, a regex limit), MAPQ_ETRUNC.
 */
int mapq__view_bisect(const mapq_view *view, mapq_key *key,
                         const void *bound, uint64_t blen, uint64_t lo,
                         uint64_t *offset, mapq_error *err);

/*
 * The window of lines whose key K satisfies from <= K < to: *start is the
 * first line with K >= from, *end the first line with K >= to (to NULL:
 * no upper bound, *end is view->size).  *end >= *start always; the window
 * is empty when they are equal (in particular when to < from).
 * Errors: as mapq__view_bisect.
 */
int mapq__view_bisect_window(const mapq_view *view, mapq_key *key,
                                const void *from, uint64_t flen,
                                const void *to, uint64_t tlen,
                                uint64_t *start, uint64_t *end,
                                mapq_error *err);

/*
 * Check linearly (through a scan, pages released as it goes) that the
 * keys of the view's lines never decrease, comparing on their first
 * `prefix` bytes (UINT64_MAX: whole keys; a keyless line has the empty
 * key, so one after a keyed line is out of order).
 * Returns 1 when sorted; 0 when not, with the first line whose key is
 * smaller than the one before it in *where; or a negative error:
 * MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ETRUNC.
 */
int mapq__view_check_sorted(const mapq_view *view, mapq_key *key,
                               uint64_t prefix, mapq_disorder *where,
                               mapq_error *err);

#endif /* MAPQ_BISECT_H */
