/*
 * byteclass.h - the byte-class prefilter of searches (byteclass.c): a run
 * of single-byte atoms that every match contains (such as the sixteen
 * positions of [0-9a-f]{16}, or [a-z]{9} [a-z]{9}), found with SIMD before
 * PCRE2 is asked.  For patterns whose literal is missing or common.  Not
 * installed; names use mapq__.
 */
#ifndef MAPQ_BYTECLASS_H
#define MAPQ_BYTECLASS_H

#include <stddef.h>
#include <stdint.h>

#define MAPQ__CLASS_RUN_MAX 64 /* positions in a run */
#define MAPQ__CLASS_RUNS 4     /* runs kept for the plan to choose from */
#define MAPQ__CLASS_SETS 8     /* distinct byte sets in a run */

/* A set of bytes: bit (c & 63) of word c >> 6 is set when byte c is in. */
struct mapq__byteset {
	uint64_t w[4];
};

/*
 * A run: bytes at consecutive offsets, position i being any byte of
 * sets[set_of[i]].  No set holds '\n', so a run never crosses a line end.
 */
struct mapq__class_run {
	size_t len;
	size_t nsets;
	struct mapq__byteset sets[MAPQ__CLASS_SETS];
	unsigned char set_of[MAPQ__CLASS_RUN_MAX];
};

/* Positions [start, start + len) of one set, tested together; `same`:
 * the first segment of the same set and length (itself if none). */
struct mapq__class_segment {
	unsigned char set, start, len, same;
};

struct mapq__classes {
	struct mapq__class_run runs[MAPQ__CLASS_RUNS];
	size_t nruns;
	/* The plan (mapq__classes_plan): the run scanned for, in segments. */
	int usable;
	struct mapq__class_run run;
	size_t nsegs;
	struct mapq__class_segment segs[MAPQ__CLASS_RUN_MAX];
	/* How the scan tests each set of the run: one byte compared, or
	 * nibble tables (lut[j][0] for bytes below 0x80, lut[j][1] above). */
	unsigned char kind[MAPQ__CLASS_SETS];
	unsigned char byte[MAPQ__CLASS_SETS];
	unsigned char lut[MAPQ__CLASS_SETS][2][16];
	unsigned char member[256]; /* bit j: the byte is in set j */
	int portable; /* scan without AVX2 even where the CPU has it (tests) */
};

/*
 * The runs of single-byte atoms that every match of the regex p[0..n) must
 * contain (under PCRE2_CASELESS when `caseless`), into *c.  Returns the
 * number of runs found, 0 when there is none or the pattern uses
 * constructs it does not follow (then nothing is known).  Conservative:
 * a class, escape or character is an atom only when PCRE2 matches it with
 * exactly one byte from a set known here; anything else ends the run.
 */
size_t mapq__classes_extract(const unsigned char *p, size_t n, int caseless,
                             struct mapq__classes *c);

/*
 * Choose the run to scan for: the one with the fewest candidates in
 * sample[0..n) (n may be 0: then the longest run).  Sets c->usable.
 */
void mapq__classes_plan(struct mapq__classes *c, const unsigned char *sample,
                        size_t n);

/*
 * The first start s in [p, end) such that the planned run occurs at s,
 * entirely before end; NULL when there is none.  Every occurrence of a
 * match contains one, inside the match's line.
 */
const unsigned char *mapq__classes_find(const struct mapq__classes *c,
                                        const unsigned char *p,
                                        const unsigned char *end);

#endif /* MAPQ_BYTECLASS_H */
