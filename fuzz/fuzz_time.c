/*
 * fuzz_time.c - libFuzzer target for time keys: formats, times in lines,
 * bounds and durations (mapq-range(1), Times).
 *
 * Any format, line, bound or duration text must be parsed or refused
 * without a crash, and what is parsed must make sense: a time lies in the
 * years 0 to 9999 (a zone moves it by a day at most), a duration is not
 * negative.  Beside that, a differential check: a date and time drawn
 * from the input, written with strftime(3) in a fixed format, must parse
 * to what timegm(3) says it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mapq.h"

#define US INT64_C(1000000)
/* 0000-01-01 minus a day, 9999-12-31 plus two days, in microseconds. */
#define T_MIN (INT64_C(-62167219200) * US - 86400 * US)
#define T_MAX (INT64_C(253402300800) * US + 2 * 86400 * US)

static const char *const presets[] = {"syslog", "apache", "clf", "epoch",
                                      "iso", "%Y-%m-%dT%H:%M:%S.%f%z",
                                      "%y%m%d %H%M%S", "[%m.%d %T]"};

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_time: %s\n", what);
		abort();
	}
}

/* A NUL-terminated copy of n bytes (NULs inside cut it short). */
static char *text_of(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	require(s != NULL, "malloc");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* The differential check: fields from 8 bytes, through strftime. */
static void round_trip(const uint8_t *d)
{
	struct tm tm = {0};
	tm.tm_year = 1900 + (d[0] | d[1] << 8) % 8000 - 1900; /* 1900..9899 */
	tm.tm_mon = d[2] % 12;
	tm.tm_mday = 1 + d[3] % 28;
	tm.tm_hour = d[4] % 24;
	tm.tm_min = d[5] % 60;
	tm.tm_sec = d[6] % 60;
	time_t want = timegm(&tm);
	char line[64];
	size_t n = strftime(line, sizeof line, "%d/%b/%Y:%H:%M:%S rest", &tm);
	require(n > 0, "strftime");
	mapq_key_spec spec = {.type = MAPQ_KEY_LINE,
	                      .time_format = "%d/%b/%Y:%H:%M:%S"};
	mapq_key *key;
	require(mapq_key_create(&key, &spec, NULL) == MAPQ_OK, "key");
	int64_t t;
	require(mapq_key_time(key, (const unsigned char *)line, n, &t, NULL) ==
	                1,
	        "a strftime date does not parse");
	require(t == (int64_t)want * US, "a date parses to the wrong time");
	/* The same time as an ISO-8601 bound. */
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	require(mapq_key_parse_time(key, line, n, &t, NULL) == 1 &&
	                t == (int64_t)want * US,
	        "an ISO-8601 bound parses to the wrong time");
	mapq_key_destroy(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	round_trip(data + 1);
	/* A format: a preset, or the input up to a NUL. */
	uint8_t pick = data[0];
	data += 8;
	size -= 8;
	char *fmt;
	if (pick % 2 == 0) {
		fmt = text_of((const uint8_t *)presets[pick / 2 % 8],
		              strlen(presets[pick / 2 % 8]));
	} else {
		const uint8_t *nul = memchr(data, 0, size);
		size_t n = nul != NULL ? (size_t)(nul - data) : size / 2;
		fmt = text_of(data, n);
		data += n + (nul != NULL);
		size -= n + (nul != NULL);
	}
	mapq_key_spec spec = {.type = MAPQ_KEY_LINE, .time_format = fmt,
	                      .year = pick & 0x40 ? 2005 : 0,
	                      .reference = 1700000000};
	mapq_key *key = NULL;
	mapq_error err;
	int rc = mapq_key_create(&key, &spec, &err);
	require(rc == MAPQ_OK || rc == MAPQ_EINVAL, "format: unexpected error");
	if (rc == MAPQ_OK) {
		int64_t t;
		rc = mapq_key_time(key, data, size, &t, &err);
		require(rc == 0 || rc == 1, "line: unexpected error");
		require(rc == 0 || (t >= T_MIN && t <= T_MAX),
		        "line: a time out of range");
		rc = mapq_key_parse_time(key, data, size, &t, &err);
		require(rc == 1 || rc == MAPQ_EINVAL, "bound: unexpected error");
		mapq_key_destroy(key);
	}
	char *text = text_of(data, size);
	int64_t us;
	rc = mapq_duration_parse(text, &us, &err);
	require(rc == MAPQ_OK || rc == MAPQ_EINVAL || rc == MAPQ_EOVERFLOW,
	        "duration: unexpected error");
	require(rc != MAPQ_OK || us >= 0, "duration: negative");
	free(text);
	free(fmt);
	return 0;
}
