/*
 * timefmt.c - times in keys: strptime-style formats and their presets,
 * ISO-8601, relative bounds and durations (see timefmt.h and mapq-range(1)).
 *
 * The parser is ours, not strptime(3): strptime depends on the locale
 * (month names), cannot say how far it read into a bound that stops
 * early ("Jun 14 15"), knows no fractions of a second, and goes through
 * mktime for the value, which is slow and turns wall-clock times into
 * instants through the local zone.  Here a time is computed from its
 * fields with the civil-calendar day count, in microseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "timefmt.h"

/* What a time's text said. */
struct fields {
	int64_t year;
	int mon, day, hour, min, sec;
	int64_t frac;     /* microseconds */
	int64_t epoch;    /* %s */
	int64_t zone;     /* seconds east of UTC */
	int has_year, has_epoch, has_zone;
	int dirs;         /* directives matched */
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"};
static const char *const day_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"};

static const struct {
	const char *name;
	const char *fmt; /* NULL: ISO-8601 */
	int brackets;
} presets[] = {
	{"syslog", "%b %e %H:%M:%S", 0},
	{"apache", "[%a %b %d %H:%M:%S %Y]", 0},
	{"clf", "%d/%b/%Y:%H:%M:%S %z", 1},
	{"epoch", "%s", 0},
	{"iso", NULL, 0},
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year of the day `days` after 1970-01-01. */
static int64_t civil_year(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	return yoe + era * 400 + (m <= 2);
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* Floor division of microseconds into days. */
static int64_t day_of(int64_t us)
{
	return us >= 0 ? us / MAPQ__US_PER_DAY
	               : -((-us + MAPQ__US_PER_DAY - 1) / MAPQ__US_PER_DAY);
}

/* Up to `width` digits, after blanks when `blanks`. */
static int number(const unsigned char **p, const unsigned char *end, int width,
                  int blanks, int64_t *v)
{
	const unsigned char *q = *p;
	if (blanks)
		while (q < end && is_blank(*q))
			q++;
	int64_t n = 0;
	int i = 0;
	for (; i < width && q < end && is_digit(*q); i++, q++)
		n = n * 10 + (*q - '0');
	if (i == 0)
		return 0;
	*p = q;
	*v = n;
	return 1;
}

/* Fraction digits: the first six are microseconds, more are dropped. */
static int fraction(const unsigned char **p, const unsigned char *end,
                    int64_t *us)
{
	const unsigned char *q = *p;
	int64_t v = 0;
	int i = 0;
	for (; q < end && is_digit(*q); i++, q++)
		if (i < 6)
			v = v * 10 + (*q - '0');
	if (i == 0)
		return 0;
	for (int k = i; k < 6; k++)
		v *= 10;
	*p = q;
	*us = v;
	return 1;
}

/* A month or weekday name: its first three letters, or all of it. */
static int name(const unsigned char **p, const unsigned char *end,
                const char *const *names, int count, int *index)
{
	const unsigned char *q = *p;
	for (int i = 0; i < count; i++) {
		const char *nm = names[i];
		size_t len = strlen(nm), k = 0;
		while (k < len && q + k < end && lower(q[k]) == nm[k])
			k++;
		if (k < 3)
			continue;
		*p = q + (k == len ? len : 3);
		*index = i;
		return 1;
	}
	return 0;
}

/* A zone: Z, UTC, GMT, +hh, +hhmm, +hh:mm (or -). */
static int zone(const unsigned char **p, const unsigned char *end,
                int64_t *seconds)
{
	const unsigned char *q = *p;
	if (q < end && (*q == 'Z' || *q == 'z')) {
		*p = q + 1;
		*seconds = 0;
		return 1;
	}
	if (end - q >= 3 && (memcmp(q, "UTC", 3) == 0 || memcmp(q, "GMT", 3) == 0)) {
		*p = q + 3;
		*seconds = 0;
		return 1;
	}
	if (q == end || (*q != '+' && *q != '-'))
		return 0;
	int sign = *q++ == '-' ? -1 : 1;
	int64_t h = 0, m = 0;
	if (end - q < 2 || !is_digit(q[0]) || !is_digit(q[1]))
		return 0;
	number(&q, end, 2, 0, &h);
	if (q < end && *q == ':')
		q++;
	if (end - q >= 2 && is_digit(q[0]) && is_digit(q[1]))
		number(&q, end, 2, 0, &m);
	if (h > 23 || m > 59)
		return 0;
	*p = q;
	*seconds = sign * (h * 3600 + m * 60);
	return 1;
}

/*
 * Match format `fmt` at the start of [s, end).  1: all of it matched;
 * 2 (only when `partial`): the text ended after at least one directive;
 * 0: no match.
 */
static int match(const char *fmt, const unsigned char *s,
                 const unsigned char *end, int partial, struct fields *f)
{
	const unsigned char *p = s;
	for (const char *q = fmt; *q != '\0'; q++) {
		if (partial && p == end)
			return f->dirs > 0 ? 2 : 0;
		if (is_blank(*q)) {
			while (p < end && is_blank(*p))
				p++;
			continue;
		}
		if (*q != '%' || q[1] == '%') {
			q += *q == '%';
			if (p == end || *p != (unsigned char)*q)
				return 0;
			p++;
			continue;
		}
		int64_t v = 0;
		int i;
		switch (*++q) {
		case 'Y':
			if (!number(&p, end, 4, 1, &v))
				return 0;
			f->year = v;
			f->has_year = 1;
			break;
		case 'y':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			/* POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068. */
			f->year = v < 69 ? 2000 + v : 1900 + v;
			f->has_year = 1;
			break;
		case 'm':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			f->mon = (int)v;
			break;
		case 'd':
		case 'e':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			f->day = (int)v;
			break;
		case 'H':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			f->hour = (int)v;
			break;
		case 'M':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			f->min = (int)v;
			break;
		case 'S':
			if (!number(&p, end, 2, 1, &v))
				return 0;
			f->sec = (int)v;
			break;
		case 'f':
			if (!fraction(&p, end, &f->frac))
				return 0;
			break;
		case 'b':
			if (!name(&p, end, month_names, 12, &i))
				return 0;
			f->mon = i + 1;
			break;
		case 'a':
			if (!name(&p, end, day_names, 7, &i))
				return 0;
			break;
		case 's': {
			int neg = p < end && *p == '-';
			const unsigned char *d = p + neg;
			/* 2^63 microseconds: 9.2e12 seconds at most. */
			if (!number(&d, end, 13, 0, &v) ||
			    (d < end && is_digit(*d)))
				return 0;
			p = d;
			f->epoch = neg ? -v : v;
			f->has_epoch = 1;
			/* A fraction belongs to %s unless the format says
			 * what follows the seconds itself. */
			if (q[1] != '.' && end - p >= 2 && *p == '.' &&
			    is_digit(p[1])) {
				p++;
				fraction(&p, end, &f->frac);
				if (neg)
					f->frac = -f->frac;
			}
			break;
		}
		case 'z':
			if (!zone(&p, end, &f->zone))
				return 0;
			f->has_zone = 1;
			break;
		default:
			return 0; /* checked when compiled: cannot happen */
		}
		f->dirs++;
	}
	/* A bound is all time; a line's time may be followed by anything. */
	return partial && p != end ? 0 : 1;
}

/*
 * ISO-8601: YYYY[-MM[-DD[(T|blank)HH[:MM[:SS[(.|,)FRAC]]]]]][zone].  A
 * time in a line needs the minutes at least; a bound (`partial`) may stop
 * after any field.  1, or 0 when the text is not such a time.
 */
static int iso(const unsigned char *s, const unsigned char *end, int partial,
               struct fields *f)
{
	const unsigned char *p = s;
	int64_t v = 0;
	int got = 0; /* fields read: year 1, month 2 ... second 6 */
	if (end - p < 4 || !is_digit(p[0]) || !is_digit(p[1]) ||
	    !is_digit(p[2]) || !is_digit(p[3]))
		return 0;
	number(&p, end, 4, 0, &f->year);
	f->has_year = 1;
	got = 1;
	static const char seps[] = "--T::";
	int *slot[] = {&f->mon, &f->day, &f->hour, &f->min, &f->sec};
	for (int k = 0; k < 5; k++) {
		if (p == end)
			break;
		const unsigned char *q = p;
		if (seps[k] == 'T' ? (*q != 'T' && *q != 't' && *q != ' ')
		                   : *q != (unsigned char)seps[k])
			break;
		q++;
		if (end - q < 2 || !is_digit(q[0]) || !is_digit(q[1]))
			break;
		number(&q, end, 2, 0, &v);
		*slot[k] = (int)v;
		p = q;
		got = k + 2;
	}
	if (got == 6 && end - p >= 2 && (*p == '.' || *p == ',') &&
	    is_digit(p[1])) {
		p++;
		fraction(&p, end, &f->frac);
	}
	if (got >= 5 && p < end && zone(&p, end, &f->zone))
		f->has_zone = 1;
	if (!partial && got < 5)
		return 0;
	if (partial && p != end)
		return 0; /* a bound is all time */
	f->dirs = got;
	return 1;
}

/* Expand a preset or the shorthands (%T %F %R %h %B %A %D) into *out. */
static int expand(const char *text, char **out, int *brackets, mapq_error *err)
{
	*brackets = 0;
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		if (strcmp(text, presets[i].name) != 0)
			continue;
		*brackets = presets[i].brackets;
		if (presets[i].fmt == NULL) {
			*out = NULL;
			return MAPQ_OK;
		}
		text = presets[i].fmt;
		break;
	}
	size_t cap = strlen(text) * 4 + 1;
	char *o = malloc(cap), *w = o;
	if (o == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	int dirs = 0;
	for (const char *q = text; *q != '\0'; q++) {
		if (*q != '%') {
			*w++ = *q;
			continue;
		}
		const char *rep = NULL;
		switch (q[1]) {
		case 'T': rep = "%H:%M:%S"; break;
		case 'F': rep = "%Y-%m-%d"; break;
		case 'R': rep = "%H:%M"; break;
		case 'D': rep = "%m/%d/%y"; break;
		case 'h': case 'B': rep = "%b"; break;
		case 'A': rep = "%a"; break;
		case 'Y': case 'y': case 'm': case 'd': case 'e': case 'H':
		case 'M': case 'S': case 'f': case 'b': case 'a': case 's':
		case 'z': case '%':
			*w++ = '%';
			*w++ = q[1];
			dirs += q[1] != '%';
			q++;
			continue;
		default:
			break;
		}
		if (rep == NULL) {
			free(o);
			if (q[1] == '\0')
				return mapq__error_set(err, MAPQ_EINVAL, 0,
				                       "invalid time format '%s': "
				                       "it ends with '%%'",
				                       text);
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "invalid time format '%s': "
			                       "unknown directive '%%%c'",
			                       text, q[1]);
		}
		size_t len = strlen(rep);
		memcpy(w, rep, len);
		w += len;
		dirs++;
		q++;
	}
	*w = '\0';
	if (dirs == 0) {
		free(o);
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "invalid time format '%s': no directive "
		                       "(%%Y, %%b, %%H... or a preset: syslog, "
		                       "apache, clf, epoch, iso)",
		                       text);
	}
	*out = o;
	return MAPQ_OK;
}

/* Local wall-clock time, in microseconds, of the instant `seconds`. */
static int64_t wall_clock(int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL)
		return seconds * MAPQ__US_PER_S;
	return (seconds + tm.tm_gmtoff) * MAPQ__US_PER_S;
}

/* Now, on the clock times of `tf` are compared on. */
static int64_t now_on(const struct mapq__time_format *tf)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (tf->has_zone)
		return (int64_t)ts.tv_sec * MAPQ__US_PER_S + ts.tv_nsec / 1000;
	return wall_clock(ts.tv_sec) + ts.tv_nsec / 1000;
}

int mapq__time_format_init(struct mapq__time_format *tf, const char *text,
                           int year, int64_t reference, mapq_error *err)
{
	memset(tf, 0, sizeof *tf);
	if (text == NULL || *text == '\0')
		return mapq__error_set(err, MAPQ_EINVAL, 0, "empty time format");
	if (year < 0 || year > 9999)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "invalid year %d: expected 0 to 9999",
		                       year);
	int rc = expand(text, &tf->fmt, &tf->brackets, err);
	if (rc != MAPQ_OK)
		return rc;
	if (tf->fmt == NULL) {
		tf->has_year = tf->has_zone = 1;
	} else {
		tf->has_year = strstr(tf->fmt, "%Y") != NULL ||
		               strstr(tf->fmt, "%y") != NULL ||
		               strstr(tf->fmt, "%s") != NULL;
		/* Epoch seconds are instants, as zoned times are. */
		tf->has_zone = strstr(tf->fmt, "%z") != NULL ||
		               strstr(tf->fmt, "%s") != NULL;
	}
	tf->year = year;
	if (reference == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		reference = ts.tv_sec;
	}
	tf->ref = tf->has_zone ? reference * MAPQ__US_PER_S
	                       : wall_clock(reference);
	return MAPQ_OK;
}

void mapq__time_format_free(struct mapq__time_format *tf)
{
	if (tf == NULL)
		return;
	free(tf->fmt);
	tf->fmt = NULL;
}

/* The value of a date and time in year y; 0 when the date is invalid. */
static int at_year(const struct fields *f, int64_t y, int64_t *t)
{
	if (y < 0 || y > 9999 || f->day > days_in_month(y, f->mon))
		return 0;
	int64_t s = days_from_civil(y, f->mon, f->day) * 86400 +
	            f->hour * 3600 + f->min * 60 + f->sec - f->zone;
	*t = s * MAPQ__US_PER_S + f->frac;
	return 1;
}

/* The time the fields say; 0 when they are out of range. */
static int value(const struct mapq__time_format *tf, const struct fields *f,
                 int64_t *t)
{
	if (f->has_epoch) {
		/* The years 0 to 9999, as for every other time. */
		if (f->epoch < INT64_C(-62167219200) ||
		    f->epoch > INT64_C(253402300799))
			return 0;
		*t = f->epoch * MAPQ__US_PER_S + f->frac;
		return 1;
	}
	if (f->mon < 1 || f->mon > 12 || f->day < 1 || f->hour > 24 ||
	    f->min > 59 || f->sec > 60)
		return 0;
	if (f->has_year)
		return at_year(f, f->year, t);
	if (tf->year != 0)
		return at_year(f, tf->year, t);
	/* No year: the latest that does not put the time more than a day
	 * after the reference (a log is not written in the future, but a
	 * clock may be a little ahead of the file's mtime). */
	int64_t y = civil_year(day_of(tf->ref));
	if (at_year(f, y, t) && *t <= tf->ref + MAPQ__US_PER_DAY)
		return 1;
	return at_year(f, y - 1, t) || at_year(f, y - 2, t);
}

static void fields_init(struct fields *f)
{
	memset(f, 0, sizeof *f);
	f->mon = 1;
	f->day = 1;
}

int mapq__time_parse(const struct mapq__time_format *tf, const unsigned char *s,
                     size_t n, int64_t *t)
{
	struct fields f;
	fields_init(&f);
	int ok = tf->fmt != NULL ? match(tf->fmt, s, s + n, 0, &f) == 1
	                         : iso(s, s + n, 0, &f);
	return ok && value(tf, &f, t);
}

/* Parse a duration prefix of [p, end) into microseconds: NUMBER[UNIT]...
 * 1 with *p moved past it, 0 when malformed, -1 on overflow. */
static int duration(const unsigned char **pp, const unsigned char *end,
                    int64_t *us)
{
	static const struct {
		const char *unit;
		int64_t us;
	} units[] = {
		{"us", 1}, {"ms", 1000}, {"s", MAPQ__US_PER_S},
		{"m", 60 * MAPQ__US_PER_S}, {"h", 3600 * MAPQ__US_PER_S},
		{"d", MAPQ__US_PER_DAY}, {"w", 7 * MAPQ__US_PER_DAY},
	};
	const unsigned char *p = *pp;
	int64_t total = 0;
	int parts = 0;
	while (p < end) {
		if (!is_digit(*p))
			return 0;
		/* Whole units and a decimal fraction, in millionths. */
		int64_t whole = 0, frac = 0;
		while (p < end && is_digit(*p)) {
			if (whole > (INT64_MAX - 9) / 10)
				return -1;
			whole = whole * 10 + (*p++ - '0');
		}
		if (p < end && *p == '.') {
			p++;
			if (!fraction(&p, end, &frac))
				return 0;
		}
		int64_t mult = MAPQ__US_PER_S;
		size_t best = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t len = strlen(units[i].unit);
			if (len > best && (size_t)(end - p) >= len &&
			    memcmp(p, units[i].unit, len) == 0) {
				best = len;
				mult = units[i].us;
			}
		}
		if (best == 0 && parts > 0)
			return 0; /* "1h30": the unit of 30 is not said */
		p += best;
		if (whole > INT64_MAX / mult)
			return -1;
		int64_t part = whole * mult + frac * mult / MAPQ__US_PER_S;
		if (part > INT64_MAX - total)
			return -1;
		total += part;
		parts++;
		if (best == 0)
			break; /* a bare number is seconds, and the last part */
	}
	if (parts == 0)
		return 0;
	*pp = p;
	*us = total;
	return 1;
}

int mapq_duration_parse(const char *text, int64_t *us, mapq_error *err)
{
	if (text == NULL || us == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no duration");
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + strlen(text);
	int rc = duration(&p, end, us);
	if (rc < 0)
		return mapq__error_set(err, MAPQ_EOVERFLOW, 0,
		                       "invalid duration '%s': too long",
		                       text);
	if (rc == 0 || p != end)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "invalid duration '%s': expected a number "
		                       "with a unit (us, ms, s, m, h, d, w), "
		                       "e.g. 30s, 15m, 1h30m",
		                       text);
	return MAPQ_OK;
}

int mapq__time_bound(const struct mapq__time_format *tf, const char *text,
                     size_t n, int64_t *t, mapq_error *err)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + n;
	struct fields f;
	if (n == 3 && memcmp(text, "now", 3) == 0) {
		*t = now_on(tf);
		return MAPQ_OK;
	}
	if (n > 1 && text[0] == '-' && is_digit(s[1])) {
		const unsigned char *p = s + 1;
		int64_t back;
		if (duration(&p, end, &back) == 1 && p == end) {
			*t = now_on(tf) - back;
			return MAPQ_OK;
		}
	}
	if (tf->fmt != NULL) {
		fields_init(&f);
		int m = match(tf->fmt, s, end, 1, &f);
		if (m != 0 && value(tf, &f, t))
			return MAPQ_OK;
	}
	fields_init(&f);
	if (iso(s, end, 1, &f) && value(tf, &f, t))
		return MAPQ_OK;
	return mapq__error_set(err, MAPQ_EINVAL, 0,
	                       "invalid time '%.*s': expected the time format, "
	                       "ISO-8601 (2026-11-24T10:00), 'now' or a time "
	                       "back from now (-1h)",
	                       (int)(n > 200 ? 200 : n), text);
}

void mapq__duration_format(int64_t us, char *buf, size_t size)
{
	if (size == 0)
		return;
	const char *sign = us < 0 ? "-" : "";
	uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	if (u == 0) {
		snprintf(buf, size, "0s");
		return;
	}
	if (u < 1000) {
		snprintf(buf, size, "%s%lluus", sign, (unsigned long long)u);
		return;
	}
	if (u < 1000000) {
		snprintf(buf, size, "%s%llums", sign,
		         (unsigned long long)(u / 1000));
		return;
	}
	uint64_t s = u / 1000000, ms = u % 1000000 / 1000;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	s %= 60;
	size_t w = (size_t)snprintf(buf, size, "%s", sign);
	if (d > 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, "%llud",
		                      (unsigned long long)d);
	if (h > 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, "%lluh",
		                      (unsigned long long)h);
	if (m > 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, "%llum",
		                      (unsigned long long)m);
	if ((s > 0 || ms > 0) && w < size) {
		if (ms > 0)
			snprintf(buf + w, size - w, "%llu.%03llus",
			         (unsigned long long)s, (unsigned long long)ms);
		else
			snprintf(buf + w, size - w, "%llus",
			         (unsigned long long)s);
	}
}
