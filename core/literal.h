/*
 * literal.h - the literal prefilter of searches (literal.c): a literal that
 * every match contains, found with SIMD before PCRE2 is asked.  Not
 * installed; names use mapq__.
 */
#ifndef MAPQ_LITERAL_H
#define MAPQ_LITERAL_H

#include <stddef.h>
#include <stdint.h>

/* ---- literal prefilter (literal.c) ---- */

#define MAPQ__LITERAL_MAX 256

/* A literal that every match contains, and how to scan for it. */
struct mapq__literal {
	unsigned char bytes[MAPQ__LITERAL_MAX];
	size_t len;
	int whole;    /* the pattern is exactly this literal */
	int caseless; /* ASCII letters match in either case */
	int usable;   /* the prefilter may be used */
	int pair;     /* compare two bytes of the span at once */
	/* The span: the bytes compared at fixed offsets, the whole literal
	 * (case-sensitive) or under -i its longest run of bytes that match
	 * only themselves in either ASCII case (no 'k', 's' or non-ASCII
	 * byte: those also match multi-byte characters). */
	size_t span_off, span_len;
	size_t off1, off2; /* the pair's offsets in the span (off1 alone:
	                    * in the literal) */
	unsigned char b1, b1alt, b2, b2alt; /* each byte and its other case */
};

/*
 * The longest literal run that every match of the regex p[0..n) must
 * contain, into *lit (lit->whole when the pattern is nothing but that
 * literal).  Returns 1 when one was found, 0 when the pattern uses
 * constructs it does not follow (then nothing is known).
 */
int mapq__literal_extract(const unsigned char *p, size_t n,
                          struct mapq__literal *lit);

/*
 * Choose the bytes the scan looks for (sets usable, pair, off*, b*): the
 * rarest ones by `freq`, byte counts of a sample of the data, or by a
 * static guess when freq is NULL.
 */
void mapq__literal_plan(struct mapq__literal *lit, int caseless,
                        const uint32_t *freq);

/*
 * Scan [p, end) for a candidate.  Case-sensitive: the start of the first
 * occurrence of the literal (entirely inside [p, end)).  Caseless: a
 * position inside a line that may hold a match (the start of an occurrence
 * of the span, or of the lone byte), to be confirmed.  NULL when there is
 * none.
 */
const unsigned char *mapq__literal_find(const struct mapq__literal *lit,
                                        const unsigned char *p,
                                        const unsigned char *end);

#endif /* MAPQ_LITERAL_H */
