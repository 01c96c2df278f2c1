/*
 * key.h - what bisection and windows ask of a line's key (key.c): its
 * value, compared with a bound or with another line's.  Not installed;
 * names use mapq__.
 */
#ifndef MAPQ_KEY_H
#define MAPQ_KEY_H

#include <stdint.h>

#include "mapq.h"

/* A line's key: its bytes, and its time for a time key. */
struct mapq__kv {
	int keyed;                /* 0: the line has no key (or no time) */
	const unsigned char *p;   /* the key's bytes, inside the line */
	uint64_t n;
	int64_t t;                /* time keys: microseconds (see timefmt.h) */
};

/*
 * A bound of a window: bytes compared on their length (byte keys), or a
 * time.  `none`: no bound (every key is below it, as an upper bound).
 */
struct mapq__bound {
	int none;
	const unsigned char *p;
	uint64_t n;
	int64_t t;
};

/* 1 when `key` compares times (mapq_key_spec.time_format was set). */
int mapq__key_is_time(const mapq_key *key);

/* The value of one line (its bytes without the newline). */
int mapq__key_value(mapq_key *key, const unsigned char *line, uint64_t len,
                    struct mapq__kv *kv, mapq_error *err);

/*
 * Make a bound from the text of --from/--to: the bytes themselves, or a
 * time parsed from them (see mapq-range(1)), moved by `shift`
 * microseconds (the slack).  text NULL: no bound.  Errors: MAPQ_EINVAL
 * quoting the text.
 */
int mapq__key_bound(const mapq_key *key, const void *text, uint64_t len,
                    int64_t shift, struct mapq__bound *b, mapq_error *err);

/* kv >= b (a keyed kv; an absent bound is above every key). */
int mapq__kv_ge(const mapq_key *key, const struct mapq__kv *kv,
                const struct mapq__bound *b);

#endif /* MAPQ_KEY_H */
