/*
 * timefmt.h - times in keys (timefmt.c): strptime-style formats, ISO-8601 and
 * relative bounds, durations.  Not installed; names use mapq__.
 *
 * A time is an int64_t count of microseconds since 1970-01-01 00:00:00 on
 * the clock it was written in: a time with a zone (%z, an ISO "Z" or
 * "+02:00") is converted to UTC, one without is taken as written (wall
 * clock).  Microseconds cover years 0 to 9999 with room to spare.
 */
#ifndef MAPQ_TIMEFMT_H
#define MAPQ_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "mapq.h"

#define MAPQ__US_PER_S INT64_C(1000000)
#define MAPQ__US_PER_DAY (INT64_C(86400) * MAPQ__US_PER_S)

/* A compiled time format (a preset expanded, directives checked). */
struct mapq__time_format {
	char *fmt;       /* the directives, presets expanded; NULL: ISO-8601 */
	int has_year;    /* %Y, %y, %s or %F: times carry their year */
	int has_zone;    /* %z or ISO: times may carry a zone */
	int brackets;    /* clf: the default key is the text inside [...] */
	int year;        /* year-less times: this year, or 0 */
	int64_t ref;     /* year-less times, no `year`: the latest plausible
	                  * time (the newest input's mtime), wall clock */
};

/*
 * Compile `text` (a preset name or directives) into *tf, for year-less
 * times taking `year` (0: none) or the year that puts them at most a day
 * after `reference` (seconds since 1970, an instant; 0: now).  Errors:
 * MAPQ_EINVAL with a message naming the bad directive, MAPQ_ENOMEM.
 */
int mapq__time_format_init(struct mapq__time_format *tf, const char *text,
                           int year, int64_t reference, mapq_error *err);
void mapq__time_format_free(struct mapq__time_format *tf);

/*
 * Parse the time at the start of [s, s + n) (what follows it is ignored).
 * 1 with *t set, or 0 when the text does not start with a valid time.
 */
int mapq__time_parse(const struct mapq__time_format *tf, const unsigned char *s,
                     size_t n, int64_t *t);

/*
 * Parse a bound of a window: a leading part of the format (missing fields
 * take their smallest value: "Jun 14 15" is 15:00:00), ISO-8601 (partial
 * too: "2026-11-24T10"), "now", or a time back from now ("-1h30m").
 * MAPQ_OK with *t, or MAPQ_EINVAL with a message quoting the text.
 */
int mapq__time_bound(const struct mapq__time_format *tf, const char *text,
                     size_t n, int64_t *t, mapq_error *err);

/* Format a duration of `us` microseconds as "1h2m3s", "250ms", "0s". */
void mapq__duration_format(int64_t us, char *buf, size_t size);

#endif /* MAPQ_TIMEFMT_H */
