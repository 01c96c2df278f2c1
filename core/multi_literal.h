/*
 * multi_literal.h - finding any of many literal strings at once
 * (multi_literal.c): the matcher of plain -F pattern sets and the
 * prefilter of other pattern sets.  Not installed; names use mapq__.
 *
 * The set is read-only once built and may be shared by threads.
 */
#ifndef MAPQ_MULTI_LITERAL_H
#define MAPQ_MULTI_LITERAL_H

#include <stddef.h>
#include <stdint.h>

struct mapq__mlit;

/* One literal of a set and the id it is reported under. */
struct mapq__mlit_item {
	const unsigned char *bytes;
	size_t len; /* >= 1 */
	uint32_t id;
};

/*
 * Build a set from `n` literals (n >= 1, each at least one byte; several
 * may be equal, under different ids).  With `caseless`, bytes are compared
 * after setting bit 0x20, which puts ASCII letters of either case together
 * but also merges other bytes: the set then finds a superset of the
 * caseless occurrences, to be confirmed by the caller.  Returns 0, or -1
 * when out of memory.
 */
int mapq__mlit_create(struct mapq__mlit **out, const struct mapq__mlit_item *items,
                      size_t n, int caseless);

/* Release a set; NULL is accepted. */
void mapq__mlit_destroy(struct mapq__mlit *ml);

/*
 * The leftmost occurrence of any literal lying entirely inside [p, end),
 * and among the literals found there the longest: returns its start, with
 * its length in *len and its id in *id (the lowest id among equal
 * literals); NULL when there is none.
 */
const unsigned char *mapq__mlit_find(const struct mapq__mlit *ml,
                                     const unsigned char *p,
                                     const unsigned char *end, size_t *len,
                                     uint32_t *id);

/*
 * Call fn(ctx, id) for the id of every literal that occurs at `at` (lying
 * entirely before `end`).  Returns how many were found.
 */
size_t mapq__mlit_each_at(const struct mapq__mlit *ml, const unsigned char *at,
                          const unsigned char *end,
                          void (*fn)(void *ctx, uint32_t id), void *ctx);

/* Bytes of memory the set holds (for tests and the benchmarks). */
size_t mapq__mlit_memory(const struct mapq__mlit *ml);

#endif /* MAPQ_MULTI_LITERAL_H */
