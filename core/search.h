/*
 * search.h - what other core/ files need of matchers (search.c) beyond
 * the public API.  Not installed; names use mapq__.
 */
#ifndef MAPQ_SEARCH_H
#define MAPQ_SEARCH_H

#include <stddef.h>

#include "mapq.h"

/* The number of patterns m was made of. */
size_t mapq__matcher_patterns(const mapq_matcher *m);

#endif /* MAPQ_SEARCH_H */
