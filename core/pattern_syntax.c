/*
 * pattern_syntax.c - the reader of PCRE2 pattern syntax that the
 * prefilters share (see pattern_syntax.h).
 *
 * Groups are skipped by counting parentheses, which is only right where
 * no parenthesis hides inside something else: classes are skipped (or
 * read) as units, escapes take their next byte, and quoting (\Q...\E),
 * which could hide anything, gives up.  Verbs such as (*ACCEPT) give up at
 * any depth: they end a match early, so nothing after them is required.
 */
#include <string.h>

#include "pattern_syntax.h"

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int mapq__syntax_escape_byte(unsigned char e)
{
	switch (e) {
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'f':
		return '\f';
	case 'e':
		return 27;
	case 'a':
		return 7;
	default:
		return -1;
	}
}

/* Decimal digits from p[*j] (the value capped past 100000): how many. */
static int number(const unsigned char *p, size_t n, size_t *j, uint64_t *v)
{
	int digits = 0;
	*v = 0;
	for (; *j < n && p[*j] >= '0' && p[*j] <= '9'; (*j)++, digits++)
		if (*v < 100000)
			*v = *v * 10 + (p[*j] - '0');
	return digits;
}

/* {n}, {n,}, {n,m} at p[i] == '{': the index after it (0: not a
 * quantifier, which PCRE2 reads literally), the minimum, and whether the
 * count is exact. */
static size_t braces(const unsigned char *p, size_t n, size_t i,
                     uint64_t *min, int *exact)
{
	size_t j = i + 1;
	uint64_t v, w;
	if (number(p, n, &j, &v) == 0)
		return 0;
	*exact = 1;
	if (j < n && p[j] == ',') {
		j++;
		*exact = number(p, n, &j, &w) > 0 && w == v;
	}
	if (j >= n || p[j] != '}')
		return 0;
	*min = v;
	return j + 1;
}

/* A class skipped as the literal prefilter needs it: up to the first ']'
 * that is not escaped, leading or inside [:name:]. */
static size_t skip_class(const unsigned char *p, size_t n, size_t i)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']') /* a leading ']' is literal */
		i++;
	while (i < n) {
		if (p[i] == '\\') {
			if (i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
				return 0; /* quoting may hide the closing ']' */
			i += 2;
		} else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
			const unsigned char *end =
			        memmem(p + i + 2, n - i - 2, ":]", 2);
			if (end == NULL)
				return 0;
			i = (size_t)(end - p) + 2;
		} else if (p[i] == ']') {
			return i + 1;
		} else {
			i++;
		}
	}
	return 0;
}

size_t mapq__syntax_class_end(const unsigned char *p, size_t n, size_t i,
                              unsigned flags)
{
	if (!(flags & MAPQ__SYNTAX_STRICT))
		return skip_class(p, n, i);
	struct mapq__class_reader r;
	struct mapq__class_item it;
	mapq__syntax_class_begin(&r, p, n, i);
	while (mapq__syntax_class_next(&r, &it))
		if (it.kind == MAPQ__CLASS_CLOSE)
			return r.i;
	return 0;
}

/* Skip a group at p[i] == '('; the index after its ')' or 0. */
static size_t skip_group(const unsigned char *p, size_t n, size_t i,
                         unsigned flags)
{
	int depth = 0;
	while (i < n) {
		if (p[i] == '\\') {
			if (i + 1 < n &&
			    (p[i + 1] == 'Q' ||
			     ((flags & MAPQ__SYNTAX_STRICT) && p[i + 1] == 'E')))
				return 0; /* quoting: give up */
			i += 2;
		} else if (p[i] == '[') {
			i = mapq__syntax_class_end(p, n, i, flags);
			if (i == 0)
				return 0;
		} else if (p[i] == '(') {
			if (i + 1 < n && p[i + 1] == '*')
				return 0; /* a verb: (*ACCEPT) ends the match early */
			depth++;
			i++;
		} else if (p[i] == ')') {
			i++;
			if (--depth == 0)
				return i;
		} else {
			i++;
		}
	}
	return 0;
}

void mapq__syntax_next(const unsigned char *p, size_t n, size_t i,
                       unsigned flags, struct mapq__syntax_item *it)
{
	memset(it, 0, sizeof *it);
	if (i >= n) {
		it->kind = MAPQ__SYN_END;
		it->next = n;
		return;
	}
	unsigned char c = p[i];
	it->next = i + 1;
	switch (c) {
	case '*':
	case '?':
	case '+':
	case '{':
		it->kind = MAPQ__SYN_QUANT;
		it->min = c == '+';
		if (c == '{' &&
		    (it->next = braces(p, n, i, &it->min, &it->exact)) == 0) {
			it->kind = MAPQ__SYN_STOP; /* a literal brace */
			return;
		}
		if (it->next < n && (p[it->next] == '?' || p[it->next] == '+'))
			it->next++; /* lazy or possessive */
		return;
	case '|':
	case ')':
		it->kind = MAPQ__SYN_STOP; /* alternation: nothing is required */
		return;
	case '(':
		it->kind = MAPQ__SYN_STOP;
		if (i + 1 < n && p[i + 1] == '*')
			return; /* (*VERB) settings */
		if (i + 2 < n && p[i + 1] == '?' &&
		    (p[i + 2] == '\0' || strchr(":=!<>|'P", p[i + 2]) == NULL))
			return; /* option settings such as (?i), (?#...) */
		if ((it->next = skip_group(p, n, i, flags)) != 0)
			it->kind = MAPQ__SYN_GROUP;
		return;
	case '[':
		it->kind = MAPQ__SYN_CLASS;
		it->next = i;
		return;
	case '.':
	case '^':
	case '$':
		it->kind = MAPQ__SYN_ANY;
		return;
	case '\\':
		if (i + 1 >= n || p[i + 1] >= 0x80) {
			it->kind = MAPQ__SYN_STOP;
			return;
		}
		it->kind = is_alnum(p[i + 1]) ? MAPQ__SYN_ESCAPE : MAPQ__SYN_CHAR;
		it->byte = p[i + 1];
		it->next = i + 2;
		return;
	default:
		it->kind = MAPQ__SYN_CHAR;
		it->byte = c;
		return;
	}
}

/* ---- classes, item by item ---- */

void mapq__syntax_class_begin(struct mapq__class_reader *r,
                              const unsigned char *p, size_t n, size_t i)
{
	r->p = p;
	r->n = n;
	r->i = i + 1;
	r->first = 1;
	r->negated = 0;
	if (r->i < n && p[r->i] == '^') {
		r->negated = 1;
		r->i++;
	}
}

/* The index of a POSIX class name, or -1. */
static int posix_index(const unsigned char *name, size_t len)
{
	static const char *const names[MAPQ__POSIX_CLASSES] = {
	        "alpha", "digit", "alnum", "xdigit", "upper",
	        "lower", "space", "blank", "punct",  "word"};
	for (int k = 0; k < MAPQ__POSIX_CLASSES; k++)
		if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
			return k;
	return -1;
}

/* The byte an escape stands for inside a class, or -1 when it is not one
 * followed here (\x.., \Q, \p{..}, octal...). */
static int class_escape_byte(unsigned char e)
{
	if (e == 'b')
		return 8; /* backspace inside a class */
	if (e == 'n')
		return '\n';
	int b = mapq__syntax_escape_byte(e);
	if (b >= 0)
		return b;
	return is_alnum(e) || e >= 0x80 ? -1 : e;
}

static int is_collating(const unsigned char *p, size_t n, size_t i)
{
	return i < n && (p[i] == ':' || p[i] == '.' || p[i] == '=');
}

int mapq__syntax_class_next(struct mapq__class_reader *r,
                            struct mapq__class_item *it)
{
	const unsigned char *p = r->p;
	size_t n = r->n, i = r->i;
	memset(it, 0, sizeof *it);
	if (i >= n)
		return 0; /* no closing ']' */
	unsigned char ch = p[i];
	if (ch == ']' && !r->first) {
		it->kind = MAPQ__CLASS_CLOSE;
		r->i = i + 1;
		return 1;
	}
	r->first = 0;
	int lo; /* a single byte, which may start a range */
	if (ch == '[' && is_collating(p, n, i + 1)) {
		if (p[i + 1] != ':')
			return 0;
		size_t j = i + 2;
		int negated = j < n && p[j] == '^';
		j += negated;
		size_t name = j;
		while (j < n && p[j] >= 'a' && p[j] <= 'z')
			j++;
		if (j + 1 >= n || p[j] != ':' || p[j + 1] != ']')
			return 0;
		it->posix = posix_index(p + name, j - name);
		if (it->posix < 0)
			return 0;
		i = j + 2;
		if (i + 1 < n && p[i] == '-' && p[i + 1] != ']')
			return 0; /* a range from a class */
		it->kind = MAPQ__CLASS_POSIX;
		it->negated = negated;
		r->i = i;
		return 1;
	}
	if (ch == '\\') {
		if (i + 1 >= n)
			return 0;
		unsigned char e = p[i + 1];
		i += 2;
		if (e != '\0' && strchr("dwsDWShHvV", e) != NULL) {
			if (i + 1 < n && p[i] == '-' && p[i + 1] != ']')
				return 0; /* a range from a class */
			it->kind = MAPQ__CLASS_ESCAPE;
			it->escape = e;
			r->i = i;
			return 1;
		}
		if ((lo = class_escape_byte(e)) < 0)
			return 0;
	} else {
		i++;
		if (ch >= 0x80) {
			it->kind = MAPQ__CLASS_WIDE;
			r->i = i;
			return 1;
		}
		lo = ch;
	}
	if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
		int hi;
		unsigned char hc = p[i + 1];
		if (hc == '\\') {
			if (i + 2 >= n || (hi = class_escape_byte(p[i + 2])) < 0)
				return 0;
			i += 3;
		} else if (hc == '[' && is_collating(p, n, i + 2)) {
			return 0;
		} else if (hc >= 0x80) {
			it->kind = MAPQ__CLASS_WIDE; /* up to a multi-byte character */
			r->i = i + 2;
			return 1;
		} else {
			hi = hc;
			i += 2;
		}
		if (hi < lo)
			return 0;
		it->kind = MAPQ__CLASS_RANGE;
		it->lo = (unsigned)lo;
		it->hi = (unsigned)hi;
		r->i = i;
		return 1;
	}
	it->kind = MAPQ__CLASS_BYTE;
	it->lo = (unsigned)lo;
	r->i = i;
	return 1;
}
