/*
 * order.h - checking that keys come in order (order.c): the lines a scan
 * reads and the lines bisection probes, each no further behind the
 * newest key before it than the slack.  Not installed; names use mapq__.
 */
#ifndef MAPQ_ORDER_H
#define MAPQ_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "mapq.h"

/*
 * A running check.  Byte keys compare on their first `cut` bytes and may
 * never decrease; times may be up to `slack` microseconds behind the
 * newest time before them.
 */
struct mapq__order {
	const mapq_key *key;
	int time;
	int64_t slack;
	uint64_t cut;
	mapq_file *file;          /* the file the keys seen now are of */
	int have;                 /* a key was seen */
	int64_t max_t;            /* the newest time */
	unsigned char *max_p;     /* a copy of the last byte key (cut) */
	uint64_t max_n, max_cap;
	uint64_t max_off;         /* where the line holding the max starts */
	uint64_t max_line;        /* its number, 0 when not known */
	mapq_file *max_file;      /* and its file */
	/* The first line out of order, once found. */
	uint64_t bad_off, bad_line;
	int64_t behind;           /* time keys: how far behind the max */
};

void mapq__order_init(struct mapq__order *o, const mapq_key *key,
                      int64_t slack, uint64_t cut);
void mapq__order_free(struct mapq__order *o);

/*
 * See the keyed line at `off` (line number `line`, 0 if unknown).  1 in
 * order, 0 out of order (bad_* set), MAPQ_ENOMEM.
 */
int mapq__order_see(struct mapq__order *o, const struct mapq__kv *kv,
                    uint64_t off, uint64_t line);

/*
 * The error for the disorder found: "FILE: line N is ... behind line M
 * [of FILE2] ...", line numbers counted in their files where they are not
 * known (the files must be readable again, or the numbers known).
 * Returns MAPQ_EORDER.
 */
int mapq__order_error(struct mapq__order *o, mapq_error *err);

/* A line bisection or sampling looked at: where, and its key. */
struct mapq__point {
	uint64_t off;
	int64_t t;
	unsigned char *p; /* byte keys: a copy of the key, cut */
	uint64_t n;
};

/* The lines looked at, to check together before any is trusted. */
struct mapq__probes {
	const mapq_key *key;
	uint64_t cut;
	struct mapq__point *pt;
	size_t n, cap;
	int failed;               /* memory ran out: points were lost */
};

void mapq__probes_init(struct mapq__probes *pr, const mapq_key *key,
                       uint64_t cut);
void mapq__probes_free(struct mapq__probes *pr);
/* Record a keyed line (a copy of its key is kept). */
void mapq__probes_add(struct mapq__probes *pr, uint64_t off,
                      const struct mapq__kv *kv);
/* Sort the points by offset (dropping repeats). */
void mapq__probes_sort(struct mapq__probes *pr);
/* Feed the points with off in [lo, hi), in order, to o: as mapq__order_see. */
int mapq__probes_check(const struct mapq__probes *pr, uint64_t lo, uint64_t hi,
                       struct mapq__order *o);

#endif /* MAPQ_ORDER_H */
