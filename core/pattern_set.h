/*
 * pattern_set.h - compiling one pattern as grep -P does, and matching a
 * set of several patterns exactly (pattern_set.c).  Not installed; names
 * use mapq__.
 */
#ifndef MAPQ_PATTERN_SET_H
#define MAPQ_PATTERN_SET_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "mapq.h"

/* ---- one pattern ---- */

/* A pattern compiled on its own, and what the search must know of it. */
struct mapq__compiled {
	pcre2_code *code;
	int utf;        /* compiled in UTF mode (else byte-wise) */
	int lines_only; /* its newline convention is not \n: it is compiled
	                 * without PCRE2_MULTILINE and must be given one line
	                 * at a time, as grep -P gives it */
};

/*
 * Compile one pattern with the matcher flags, as grep -P would: a regex
 * exactly as given (MAPQ_MATCH_LINE through PCRE2_EXTRA_MATCH_LINE, so that
 * `\Qabc` works; MAPQ_MATCH_WORD wraps it in (?<!\w)(?:...)(?!\w) only after
 * checking that it compiles alone and that its text cannot reach past the
 * wrapper), a fixed string escaped.  A pattern that is not valid UTF-8 is
 * compiled byte-wise instead of refused.  Returns 0, or MAPQ_EPATTERN /
 * MAPQ_ENOMEM with err->msg naming the pattern and the offset in it.
 */
int mapq__pattern_compile(const mapq_pattern *p, unsigned flags,
                          struct mapq__compiled *out, mapq_error *err);

/* From search.c: does matching inside a line depend only on the line? */
int mapq__pattern_is_simple(const char *p, size_t n);

/* From search.c: a PCRE2 matching failure as an error naming the file. */
int mapq__match_failed(const mapq_view *buf, int rc, mapq_error *err);

/* ---- a set of patterns ---- */

struct mapq__pset;       /* immutable, shared by threads */
struct mapq__pset_state; /* one per thread */

/* Compile n >= 1 patterns.  Errors as mapq_matcher_create(). */
int mapq__pset_create(struct mapq__pset **out, const mapq_pattern *patterns,
                      size_t n, unsigned flags, mapq_error *err);
void mapq__pset_destroy(struct mapq__pset *set);

int mapq__pset_state_create(struct mapq__pset_state **out,
                            const struct mapq__pset *set);
void mapq__pset_state_destroy(struct mapq__pset_state *st);

/* As mapq_search_next_line() and mapq_search_next_in_line(): the match
 * is the leftmost of all patterns' matches and, of those starting there,
 * the longest.  The caller holds the SIGBUS guard. */
int mapq__pset_next_line(struct mapq__pset_state *st, const mapq_view *buf,
                         uint64_t from, mapq_match *m, mapq_error *err);
int mapq__pset_next_in_line(struct mapq__pset_state *st, const mapq_view *buf,
                            uint64_t ls, uint64_t le, uint64_t pos,
                            int not_empty_at_pos, mapq_match *m,
                            mapq_error *err);

/* How the set searches, for tests: "fixed", "prefilter" or "units". */
const char *mapq__pset_strategy(const struct mapq__pset *set);

#endif /* MAPQ_PATTERN_SET_H */
