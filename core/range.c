/*
 * range.c - the range language: parsing range text, resolving byte ranges.
 *
 * The parser reads the text once, left to right, and reports the first
 * thing wrong.  A number's syntax (digits and suffix) is checked before its
 * value: "99999999999999999999B" is a misplaced 'B', while
 * "99999999999999999999:x" is a number too large.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mapq.h"
#include "common/error.h"
#include "input/input.h"

/*
 * How much of the range text an error message quotes.  Range text comes from
 * the command line, so it is normally short; the cap keeps the reason at the
 * end of a message from being cut off by an absurdly long argument.
 */
#define RANGE_QUOTE_MAX 200

/* Each quoted byte may be escaped as \xNN; then "..." and the NUL. */
#define RANGE_QUOTE_BUF (RANGE_QUOTE_MAX * 4 + 4)

/* Room for one reason ("unexpected byte 0x01 after the number"). */
#define RANGE_REASON_BUF 96

/* Where the parser is, and what to say when it stops. */
struct range_parser {
	const char *text; /* the whole range text, for messages */
	const char *pos;  /* the next byte to read */
	const char *noun; /* what the text is, for messages: "byte range" */
	mapq_range_unit unit;
	mapq_error *err;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII only: the grammar's letters must not depend on the locale. */
static char to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool is_letter(char c)
{
	char u = to_upper(c);
	return u >= 'A' && u <= 'Z';
}

/*
 * Copy `text` into `out` for quoting in a message.  Control bytes are
 * escaped so a message never moves the terminal's cursor; bytes >= 0x80 are
 * kept so UTF-8 reads as typed, and a long text is cut before a UTF-8
 * continuation byte is reached, never inside a character.
 */
static void quote_text(const char *text, char out[RANGE_QUOTE_BUF])
{
	size_t len = strlen(text);
	size_t keep = len;
	if (keep > RANGE_QUOTE_MAX) {
		keep = RANGE_QUOTE_MAX;
		while (keep > 0 &&
		       ((unsigned char)text[keep] & 0xC0) == 0x80)
			keep--;
	}
	size_t o = 0;
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7F)
			o += (size_t)snprintf(out + o, RANGE_QUOTE_BUF - o,
			                      "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (keep < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Name one byte of the text for a message: 'x', or byte 0xNN. */
static void describe_byte(char c, char out[16])
{
	unsigned char u = (unsigned char)c;
	if (u > 0x20 && u < 0x7F)
		snprintf(out, 16, "'%c'", c);
	else if (u == ' ')
		snprintf(out, 16, "a space");
	else
		snprintf(out, 16, "byte 0x%02x", u);
}

/* Fail with `code`, quoting the whole text and saying what is wrong. */
static int range_fail(const struct range_parser *p, int code,
                      const char *reason)
{
	char quoted[RANGE_QUOTE_BUF];
	quote_text(p->text, quoted);
	return mapq__error_set(p->err, code, 0, "invalid %s '%s': %s",
	                       p->noun, quoted, reason);
}

/*
 * Fail on the byte at p->pos: `before` and `after` frame its description,
 * as in "unexpected 'x' after the number".
 */
static int range_fail_byte(const struct range_parser *p, const char *before,
                           const char *after)
{
	char what[16];
	char reason[RANGE_REASON_BUF];
	describe_byte(*p->pos, what);
	if (snprintf(reason, sizeof reason, "%s%s%s", before, what, after) < 0)
		reason[0] = '\0';
	return range_fail(p, MAPQ_ERANGE, reason);
}

/*
 * Read the byte suffix at p->pos (nothing, or K/M/G/T optionally followed
 * by B or iB, in any case) into its multiplier.
 */
static int parse_byte_suffix(struct range_parser *p, uint64_t *multiplier)
{
	*multiplier = 1;
	if (!is_letter(*p->pos))
		return MAPQ_OK;

	unsigned shift;
	switch (to_upper(*p->pos)) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case 'B':
		/* "1B" would read as one byte to some and as a typo to others;
		 * the unit is already bytes, so only a multiple may say B. */
		return range_fail(p, MAPQ_ERANGE,
		                  "'B' needs K, M, G or T before it");
	default:
		return range_fail_byte(p, "unknown suffix ",
		                       " (sizes take K, M, G or T)");
	}
	p->pos++;
	*multiplier = (uint64_t)1 << shift;

	if (to_upper(*p->pos) == 'B') {
		p->pos++;
	} else if (to_upper(*p->pos) == 'I') {
		p->pos++;
		if (to_upper(*p->pos) != 'B')
			return range_fail(p, MAPQ_ERANGE,
			                  "expected 'B' after 'i'");
		p->pos++;
	}
	return MAPQ_OK;
}

/*
 * Read one number at p->pos into *value, with its suffix applied for
 * bytes.  `after` names what precedes the number, for the message when
 * there is none ("after ':'"), or is "" at the start of the text.
 */
static int parse_number(struct range_parser *p, const char *after,
                        uint64_t *value)
{
	if (!is_digit(*p->pos)) {
		char reason[RANGE_REASON_BUF];
		if (*p->pos == '\0') {
			snprintf(reason, sizeof reason, "expected a number%s",
			         after);
			return range_fail(p, MAPQ_ERANGE, reason);
		}
		snprintf(reason, sizeof reason, "expected a number%s, got ",
		         after);
		return range_fail_byte(p, reason, "");
	}

	/* Keep reading digits after an overflow: the whole number must be
	 * well-formed before its size is worth complaining about. */
	uint64_t n = 0;
	bool too_large = false;
	for (; is_digit(*p->pos); p->pos++) {
		unsigned digit = (unsigned)(*p->pos - '0');
		if (n > (UINT64_MAX - digit) / 10)
			too_large = true;
		else
			n = n * 10 + digit;
	}

	uint64_t multiplier = 1;
	if (p->unit == MAPQ_RANGE_BYTES) {
		int rc = parse_byte_suffix(p, &multiplier);
		if (rc != MAPQ_OK)
			return rc;
	} else if (is_letter(*p->pos)) {
		return range_fail(p, MAPQ_ERANGE,
		                  "line numbers take no suffix");
	}

	if (too_large || n > UINT64_MAX / multiplier)
		return range_fail(p, MAPQ_EOVERFLOW, "number too large");
	*value = n * multiplier;
	return MAPQ_OK;
}

/*
 * A position (START, or END as a line number) of 0 names no line.  A count
 * may be 0: it selects nothing, as an empty byte range does.
 */
static int check_line_position(const struct range_parser *p, uint64_t n,
                               bool negative)
{
	if (p->unit != MAPQ_RANGE_LINES || n != 0)
		return MAPQ_OK;
	return range_fail(p, MAPQ_ERANGE,
	                  negative ? "line numbers start at 1 (-1 is the last line)"
	                           : "line numbers start at 1");
}

/* After a number comes the end of the text, or a ':' when colon_ok. */
static int check_after_number(const struct range_parser *p, bool colon_ok)
{
	char c = *p->pos;
	if (c == '\0' || (colon_ok && c == ':'))
		return MAPQ_OK;
	if (c == ':')
		return range_fail(p, MAPQ_ERANGE, "more than one ':'");
	return range_fail_byte(p, "unexpected ", " after the number");
}

/* START, up to (not including) the ':' or the end of the text. */
static int parse_start(struct range_parser *p, mapq_range *r)
{
	bool negative = false;
	if (*p->pos == '-') {
		negative = true;
		p->pos++;
	} else if (*p->pos == '+') {
		return range_fail(p, MAPQ_ERANGE,
		                  "'+' only starts a count, after ':'");
	}

	int rc = parse_number(p, negative ? " after '-'" : "", &r->start);
	if (rc != MAPQ_OK)
		return rc;
	rc = check_line_position(p, r->start, negative);
	if (rc != MAPQ_OK)
		return rc;
	r->flags |= MAPQ_RANGE_HAS_START;
	if (negative)
		r->flags |= MAPQ_RANGE_START_NEG;
	return check_after_number(p, true);
}

/* END or +COUNT, after the ':', to the end of the text. */
static int parse_end(struct range_parser *p, mapq_range *r)
{
	if (*p->pos == '\0')
		return MAPQ_OK;
	if (*p->pos == ':')
		return range_fail(p, MAPQ_ERANGE, "more than one ':'");

	int rc;
	if (*p->pos == '+') {
		p->pos++;
		rc = parse_number(p, " after '+'", &r->end);
		if (rc != MAPQ_OK)
			return rc;
		r->flags |= MAPQ_RANGE_END_COUNT;
	} else {
		bool negative = *p->pos == '-';
		if (negative)
			p->pos++;
		rc = parse_number(p, negative ? " after '-'" : " after ':'",
		                  &r->end);
		if (rc != MAPQ_OK)
			return rc;
		rc = check_line_position(p, r->end, negative);
		if (rc != MAPQ_OK)
			return rc;
		if (negative)
			r->flags |= MAPQ_RANGE_END_NEG;
	}
	r->flags |= MAPQ_RANGE_HAS_END;
	return check_after_number(p, false);
}

int mapq_range_parse(mapq_range *range, const char *text,
                     mapq_range_unit unit, mapq_error *err)
{
	if (range == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "no range to parse into");
	if (text == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "no range text");
	if (unit != MAPQ_RANGE_BYTES && unit != MAPQ_RANGE_LINES)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "unknown range unit %d", (int)unit);

	struct range_parser p = {
		.text = text, .pos = text, .unit = unit, .err = err,
		.noun = unit == MAPQ_RANGE_LINES ? "line range" : "byte range"
	};
	/* Built aside so that *range is untouched when the text is bad. */
	mapq_range r = { .unit = unit, .flags = 0, .start = 0, .end = 0 };

	if (*p.pos == '\0')
		return range_fail(&p, MAPQ_ERANGE, "empty range");

	if (*p.pos != ':') {
		int rc = parse_start(&p, &r);
		if (rc != MAPQ_OK)
			return rc;
		if (*p.pos == '\0') {
			/* A bare N is the one-element range N:+1. */
			r.flags |= MAPQ_RANGE_HAS_END | MAPQ_RANGE_END_COUNT;
			r.end = 1;
			*range = r;
			return MAPQ_OK;
		}
	}
	p.pos++; /* the ':' */
	int rc = parse_end(&p, &r);
	if (rc != MAPQ_OK)
		return rc;
	*range = r;
	return MAPQ_OK;
}

int mapq_size_parse(const char *text, uint64_t *size, mapq_error *err)
{
	if (text == NULL || size == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no size text");
	struct range_parser p = {
		.text = text, .pos = text, .unit = MAPQ_RANGE_BYTES, .err = err,
		.noun = "size"
	};
	if (*p.pos == '\0')
		return range_fail(&p, MAPQ_ERANGE, "empty size");
	uint64_t n;
	int rc = parse_number(&p, "", &n);
	if (rc != MAPQ_OK)
		return rc;
	if (*p.pos != '\0')
		return range_fail_byte(&p, "unexpected ", " after the number");
	*size = n;
	return MAPQ_OK;
}

/* The offset `n` bytes before the end of `size` bytes, 0 at the least. */
static uint64_t from_end(uint64_t size, uint64_t n)
{
	return n >= size ? 0 : size - n;
}

static uint64_t clamp(uint64_t n, uint64_t size)
{
	return n > size ? size : n;
}

int mapq_range_resolve_bytes(const mapq_range *range, uint64_t size,
                             uint64_t *start, uint64_t *end)
{
	if (range == NULL || start == NULL || end == NULL ||
	    range->unit != MAPQ_RANGE_BYTES)
		return MAPQ_EINVAL;

	uint64_t s = 0;
	if (range->flags & MAPQ_RANGE_HAS_START)
		s = (range->flags & MAPQ_RANGE_START_NEG)
		        ? from_end(size, range->start)
		        : clamp(range->start, size);

	/* The parser never sets both END_COUNT and END_NEG; should a caller
	 * build such a range by hand, the count wins. */
	uint64_t e = size;
	if (range->flags & MAPQ_RANGE_HAS_END) {
		if (range->flags & MAPQ_RANGE_END_COUNT) {
			/* s <= size, so s + count can only wrap if count is
			 * huge, and then the end of the data is meant. */
			e = range->end > size - s ? size : s + range->end;
		} else if (range->flags & MAPQ_RANGE_END_NEG) {
			e = from_end(size, range->end);
		} else {
			e = clamp(range->end, size);
		}
	}

	if (s > e)
		e = s;
	*start = s;
	*end = e;
	return MAPQ_OK;
}
