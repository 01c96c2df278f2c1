/*
 * byteclass.c - runs of byte classes that every match of a pattern must
 * contain, and a vectorised scan for them.
 *
 * A pattern such as [0-9a-f]{16} has no literal for the literal prefilter,
 * and one such as [a-z]{9} [a-z]{9} only a space, which is on every line:
 * without help PCRE2 is asked about every line.  But each match holds
 * sixteen bytes in a row from one small set, or nineteen from the sets
 * [a-z], ' ', [a-z]: the scan below tests 64 starts at a time against such
 * a run (set membership by nibble tables, runs by shifted AND of bit
 * masks), and only the lines where the whole run occurs go to PCRE2.
 *
 * Extraction follows literal.c's rule: only constructs whose effect is
 * certain are used, anything else ends the current run (or, for what could
 * make the rest optional or change its meaning, abandons extraction).  An
 * atom belongs to a run only when PCRE2 matches it with exactly one byte
 * from a known set: an ASCII character, an escape such as \d, a class of
 * ASCII characters, or one byte of a UTF-8 literal (case-sensitive).
 * Under caseless matching a set that holds k or s is not one byte (KELVIN
 * SIGN and LONG S fold to them), nor is a non-ASCII letter.
 */
#include <string.h>

#include "byteclass.h"

/* ---- byte sets ---- */

static void set_add(struct mapq__byteset *s, unsigned c)
{
	s->w[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int set_has(const struct mapq__byteset *s, unsigned c)
{
	return (s->w[c >> 6] >> (c & 63)) & 1;
}

static void set_range(struct mapq__byteset *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		set_add(s, c);
}

static void set_or(struct mapq__byteset *s, const struct mapq__byteset *t)
{
	for (int i = 0; i < 4; i++)
		s->w[i] |= t->w[i];
}

static int set_equal(const struct mapq__byteset *s, const struct mapq__byteset *t)
{
	return memcmp(s->w, t->w, sizeof s->w) == 0;
}

static unsigned set_count(const struct mapq__byteset *s)
{
	unsigned n = 0;
	for (int i = 0; i < 4; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

/* The set of \d, \w or \s (ASCII: PCRE2 without UCP). */
static void escape_set(unsigned char e, struct mapq__byteset *s)
{
	memset(s, 0, sizeof *s);
	if (e == 'd') {
		set_range(s, '0', '9');
	} else if (e == 'w') {
		set_range(s, '0', '9');
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		set_add(s, '_');
	} else { /* 's': HT, LF, VT, FF, CR and space */
		set_range(s, '\t', '\r');
		set_add(s, ' ');
	}
}

/* A POSIX class name inside brackets; 0 when it is not one known here. */
static int posix_set(const unsigned char *name, size_t len,
                     struct mapq__byteset *s)
{
	static const char *const names[] = {"alpha", "digit", "alnum", "xdigit",
	                                    "upper", "lower", "space", "blank",
	                                    "punct", "word"};
	size_t k = 0;
	while (k < sizeof names / sizeof names[0] &&
	       !(strlen(names[k]) == len && memcmp(names[k], name, len) == 0))
		k++;
	memset(s, 0, sizeof *s);
	switch (k) {
	case 0:
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		return 1;
	case 1:
		set_range(s, '0', '9');
		return 1;
	case 2:
		set_range(s, '0', '9');
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		return 1;
	case 3:
		set_range(s, '0', '9');
		set_range(s, 'A', 'F');
		set_range(s, 'a', 'f');
		return 1;
	case 4:
		set_range(s, 'A', 'Z');
		return 1;
	case 5:
		set_range(s, 'a', 'z');
		return 1;
	case 6:
		set_range(s, '\t', '\r');
		set_add(s, ' ');
		return 1;
	case 7:
		set_add(s, '\t');
		set_add(s, ' ');
		return 1;
	case 8:
		set_range(s, '!', '/');
		set_range(s, ':', '@');
		set_range(s, '[', '`');
		set_range(s, '{', '~');
		return 1;
	case 9:
		escape_set('w', s);
		return 1;
	default:
		return 0;
	}
}

/* The byte of an escape that stands for one control character, or -1. */
static int escape_byte(unsigned char e)
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

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * A set as an atom of a line: under caseless matching each ASCII letter
 * brings its other case, and a set holding k or s is refused (those also
 * match multi-byte characters).  '\n' never occurs inside a line, so it is
 * dropped.  Returns 0 when the set cannot be a run position.
 */
static int finish_set(struct mapq__byteset *s, int caseless)
{
	if (caseless) {
		for (unsigned c = 'a'; c <= 'z'; c++) {
			if (set_has(s, c) || set_has(s, c - 0x20)) {
				set_add(s, c);
				set_add(s, c - 0x20);
			}
		}
		if (set_has(s, 'k') || set_has(s, 's'))
			return 0;
	}
	s->w[0] &= ~((uint64_t)1 << '\n');
	return set_count(s) > 0;
}

/*
 * Parse the class at p[i] == '['.  Returns the index after it, or 0 when
 * its syntax is not followed here (then extraction stops).  *known tells
 * whether the class is a set of single bytes (ASCII characters only, not
 * negated), given in *s.
 */
static size_t parse_class(const unsigned char *p, size_t n, size_t i,
                          struct mapq__byteset *s, int *known)
{
	memset(s, 0, sizeof *s);
	*known = 1;
	i++;
	if (i < n && p[i] == '^') {
		*known = 0; /* matches multi-byte characters */
		i++;
	}
	int first = 1;
	while (i < n) {
		unsigned char ch = p[i];
		if (ch == ']' && !first)
			return i + 1;
		first = 0;
		int item; /* a single byte, which may start a range */
		if (ch == '[' && i + 1 < n &&
		    (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
			if (p[i + 1] != ':')
				return 0;
			size_t j = i + 2;
			int negated = j < n && p[j] == '^';
			j += negated;
			size_t name = j;
			while (j < n && p[j] >= 'a' && p[j] <= 'z')
				j++;
			struct mapq__byteset t;
			if (j + 1 >= n || p[j] != ':' || p[j + 1] != ']' ||
			    !posix_set(p + name, j - name, &t))
				return 0;
			if (negated)
				*known = 0;
			else
				set_or(s, &t);
			i = j + 2;
			if (i + 1 < n && p[i] == '-' && p[i + 1] != ']')
				return 0; /* a range from a class */
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= n)
				return 0;
			unsigned char e = p[i + 1];
			i += 2;
			if (e == 'd' || e == 'w' || e == 's' || e == 'D' ||
			    e == 'W' || e == 'S' || e == 'h' || e == 'H' ||
			    e == 'v' || e == 'V') {
				if (e == 'd' || e == 'w' || e == 's') {
					struct mapq__byteset t;
					escape_set(e, &t);
					set_or(s, &t);
				} else {
					*known = 0; /* negated or non-ASCII */
				}
				if (i + 1 < n && p[i] == '-' && p[i + 1] != ']')
					return 0;
				continue;
			}
			if (e == 'b')
				item = 8; /* backspace inside a class */
			else if (e == 'n')
				item = '\n';
			else if (escape_byte(e) >= 0)
				item = escape_byte(e);
			else if (is_alnum(e) || e >= 0x80)
				return 0; /* \x.., \Q, \p{..}, octal...: not followed */
			else
				item = e;
		} else {
			i++;
			if (ch >= 0x80) {
				*known = 0; /* a byte of a multi-byte character */
				continue;
			}
			item = ch;
		}
		if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
			/* A range item-hi. */
			int hi;
			unsigned char hc = p[i + 1];
			if (hc == '\\') {
				if (i + 2 >= n)
					return 0;
				unsigned char e = p[i + 2];
				if (e == 'b')
					hi = 8;
				else if (e == 'n')
					hi = '\n';
				else if (escape_byte(e) >= 0)
					hi = escape_byte(e);
				else if (is_alnum(e) || e >= 0x80)
					return 0;
				else
					hi = e;
				i += 3;
			} else if (hc == '[' && i + 2 < n &&
			           (p[i + 2] == ':' || p[i + 2] == '.' || p[i + 2] == '=')) {
				return 0;
			} else if (hc >= 0x80) {
				*known = 0; /* up to a multi-byte character */
				i += 2;
				continue;
			} else {
				hi = hc;
				i += 2;
			}
			if (hi < item)
				return 0;
			set_range(s, (unsigned)item, (unsigned)hi);
		} else {
			set_add(s, (unsigned)item);
		}
	}
	return 0; /* no closing ']' */
}

/* Skip a group at p[i] == '('; index after its ')' or 0 to give up. */
static size_t skip_group(const unsigned char *p, size_t n, size_t i)
{
	int depth = 0;
	while (i < n) {
		if (p[i] == '\\') {
			if (i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
				return 0; /* quoting: give up */
			i += 2;
		} else if (p[i] == '[') {
			struct mapq__byteset unused;
			int known;
			i = parse_class(p, n, i, &unused, &known);
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

/* {n}, {n,}, {n,m} at p[i] == '{': index after it (0: not a quantifier),
 * the minimum, and whether the count is exact. */
static size_t parse_braces(const unsigned char *p, size_t n, size_t i,
                           uint64_t *min, int *exact)
{
	size_t j = i + 1;
	uint64_t v = 0;
	int digits = 0;
	while (j < n && p[j] >= '0' && p[j] <= '9') {
		if (v < 100000)
			v = v * 10 + (p[j] - '0');
		j++;
		digits++;
	}
	if (digits == 0)
		return 0;
	*exact = 1;
	if (j < n && p[j] == ',') {
		j++;
		uint64_t w = 0;
		int more = 0;
		while (j < n && p[j] >= '0' && p[j] <= '9') {
			if (w < 100000)
				w = w * 10 + (p[j] - '0');
			j++;
			more++;
		}
		*exact = more > 0 && w == v;
	}
	if (j >= n || p[j] != '}')
		return 0;
	*min = v;
	return j + 1;
}

/* ---- extraction ---- */

struct extract {
	struct mapq__classes *c;
	struct mapq__class_run cur;
	size_t atom_at, atom_len; /* the last atom's positions in cur (len 0:
	                           * the last item was not a run atom) */
};

/* Keep the current run (the longest MAPQ__CLASS_RUNS of them) and start
 * an empty one. */
static void end_run(struct extract *x)
{
	struct mapq__classes *c = x->c;
	if (x->cur.len > 0) {
		size_t slot = c->nruns;
		if (slot == MAPQ__CLASS_RUNS) {
			slot = 0;
			for (size_t k = 1; k < c->nruns; k++)
				if (c->runs[k].len < c->runs[slot].len)
					slot = k;
			if (c->runs[slot].len >= x->cur.len)
				slot = SIZE_MAX;
		} else {
			c->nruns++;
		}
		if (slot != SIZE_MAX)
			c->runs[slot] = x->cur;
	}
	x->cur.len = 0;
	x->cur.nsets = 0;
	x->atom_len = 0;
}

/* Append w positions to the current run; 0 when it has no room. */
static int try_append(struct mapq__class_run *r, const struct mapq__byteset *sets,
                      size_t w)
{
	if (r->len + w > MAPQ__CLASS_RUN_MAX)
		return 0;
	size_t len = r->len, nsets = r->nsets;
	for (size_t k = 0; k < w; k++) {
		size_t j = 0;
		while (j < r->nsets && !set_equal(&r->sets[j], &sets[k]))
			j++;
		if (j == r->nsets) {
			if (j == MAPQ__CLASS_SETS) {
				r->len = len;
				r->nsets = nsets;
				return 0;
			}
			r->sets[r->nsets++] = sets[k];
		}
		r->set_of[r->len++] = (unsigned char)j;
	}
	return 1;
}

/* An atom of w single-byte positions (one, or the bytes of a UTF-8
 * character).  A full run ends and the atom starts the next. */
static void add_atom(struct extract *x, const struct mapq__byteset *sets, size_t w)
{
	if (!try_append(&x->cur, sets, w)) {
		end_run(x);
		try_append(&x->cur, sets, w); /* an empty run has room */
	}
	x->atom_at = x->cur.len - w;
	x->atom_len = w;
}

/* Something that is not a run position: the run ends there. */
static void cut(struct extract *x)
{
	end_run(x);
}

/* A quantifier: the last atom min times in a row, the run going on only
 * when the count is exact. */
static void repeat_atom(struct extract *x, uint64_t min, int exact)
{
	if (x->atom_len == 0) { /* a group, an assertion...: already a cut */
		cut(x);
		return;
	}
	struct mapq__class_run *r = &x->cur;
	size_t at = x->atom_at, w = x->atom_len;
	if (min == 0) {
		r->len = at;
		cut(x);
		return;
	}
	for (uint64_t k = 1; k < min; k++) {
		if (r->len + w > MAPQ__CLASS_RUN_MAX) {
			exact = 0; /* the rest of the copies lie beyond the run */
			break;
		}
		memmove(r->set_of + r->len, r->set_of + at, w);
		r->len += w;
	}
	if (!exact)
		cut(x);
	else
		x->atom_len = 0; /* a quantifier is not quantified again */
}

/* The length of the UTF-8 character at p[0..n), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t w = p[0] >= 0xF0 && p[0] <= 0xF4   ? 4
	           : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
	           : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
	                                          : 0;
	if (w == 0 || w > n)
		return 0;
	for (size_t k = 1; k < w; k++)
		if ((p[k] & 0xC0) != 0x80)
			return 0;
	return w;
}

size_t mapq__classes_extract(const unsigned char *p, size_t n, int caseless,
                             struct mapq__classes *c)
{
	memset(c, 0, sizeof *c);
	struct extract x;
	memset(&x, 0, sizeof x);
	x.c = c;
	size_t i = 0;
	while (i < n) {
		unsigned char ch = p[i];
		struct mapq__byteset set[4];
		memset(set, 0, sizeof set);
		if (ch == '*' || ch == '?' || ch == '+' || ch == '{') {
			uint64_t min = ch == '+' ? 1 : 0;
			int exact = 0;
			size_t next = i + 1;
			if (ch == '{') {
				next = parse_braces(p, n, i, &min, &exact);
				if (next == 0)
					goto none; /* a literal brace: not followed */
			}
			if (next < n && (p[next] == '?' || p[next] == '+'))
				next++; /* lazy or possessive */
			repeat_atom(&x, min, exact);
			i = next;
			continue;
		}
		if (ch == '|' || ch == ')')
			goto none; /* top-level alternation: nothing is required */
		if (ch == '(') {
			if (i + 1 < n && p[i + 1] == '*')
				goto none; /* (*VERB) settings */
			if (i + 2 < n && p[i + 1] == '?' &&
			    (p[i + 2] == '\0' || strchr(":=!<>|'P", p[i + 2]) == NULL))
				goto none; /* option settings such as (?i), (?#...) */
			size_t next = skip_group(p, n, i);
			if (next == 0)
				goto none;
			cut(&x);
			i = next;
			continue;
		}
		if (ch == '[') {
			int known;
			size_t next = parse_class(p, n, i, &set[0], &known);
			if (next == 0)
				goto none;
			if (known && finish_set(&set[0], caseless))
				add_atom(&x, set, 1);
			else
				cut(&x);
			i = next;
			continue;
		}
		if (ch == '.' || ch == '^' || ch == '$') {
			cut(&x);
			i++;
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= n)
				goto none;
			unsigned char e = p[i + 1];
			i += 2;
			if (e == 'd' || e == 'w' || e == 's') {
				escape_set(e, &set[0]);
				if (finish_set(&set[0], caseless))
					add_atom(&x, set, 1);
				else
					cut(&x);
			} else if (escape_byte(e) >= 0) {
				set_add(&set[0], (unsigned)escape_byte(e));
				add_atom(&x, set, 1);
			} else if (e != '\0' && strchr("DWShHvVRXNCbBAzZGK", e) != NULL) {
				cut(&x); /* other widths, or zero width */
			} else if (is_alnum(e) || e >= 0x80) {
				goto none; /* \x.., \Q, \n, \1, \p{..}, \c.: not followed */
			} else {
				set_add(&set[0], e); /* escaped punctuation */
				add_atom(&x, set, 1);
			}
			continue;
		}
		if (ch >= 0x80) {
			size_t w = utf8_len(p + i, n - i);
			if (w == 0)
				goto none;
			if (caseless) {
				cut(&x); /* may fold to other bytes */
			} else {
				for (size_t k = 0; k < w; k++)
					set_add(&set[k], p[i + k]);
				add_atom(&x, set, w);
			}
			i += w;
			continue;
		}
		set_add(&set[0], ch);
		if (finish_set(&set[0], caseless))
			add_atom(&x, set, 1);
		else
			cut(&x);
		i++;
	}
	end_run(&x);
	return c->nruns;
none:
	memset(c, 0, sizeof *c);
	return 0;
}

/* ---- the scan ---- */

enum { SET_BYTE = 1, SET_ASCII, SET_BYTES };

/* The 128-bit mask (a low, b high) ANDed with itself shifted right by k
 * (1 <= k < 64): bit t then tells that bits t and t + k were both set. */
static inline void and_shifted(uint64_t *a, uint64_t *b, unsigned k)
{
	*a &= (*a >> k) | (*b << (64 - k));
	*b &= *b >> k;
}

/*
 * The starts among 64 (bit b: start b) at which the planned run occurs,
 * given each set's membership bits for the 128 bytes from the first start
 * (lo: bytes 0-63, hi: 64-127; the run is at most 64 long).  A segment of
 * len positions of one set is the AND of len shifted copies of its mask,
 * built by doubling (constant shifts, so that they compile to immediates),
 * then one overlapping step for the rest.
 */
static inline uint64_t block_starts(const struct mapq__classes *c,
                                    const uint64_t *lo, const uint64_t *hi)
{
	uint64_t acc = ~(uint64_t)0;
	uint64_t run_lo[MAPQ__CLASS_RUN_MAX], run_hi[MAPQ__CLASS_RUN_MAX];
	for (size_t k = 0; k < c->nsegs && acc != 0; k++) {
		const struct mapq__class_segment *g = &c->segs[k];
		uint64_t a, b;
		if (g->same < k) { /* as an earlier segment, elsewhere in the run */
			a = run_lo[g->same];
			b = run_hi[g->same];
			goto shift;
		}
		a = lo[g->set];
		b = hi[g->set];
		unsigned len = g->len, have = 1;
		if (len >= 2) {
			and_shifted(&a, &b, 1);
			have = 2;
		}
		if (len >= 4) {
			and_shifted(&a, &b, 2);
			have = 4;
		}
		if (len >= 8) {
			and_shifted(&a, &b, 4);
			have = 8;
		}
		if (len >= 16) {
			and_shifted(&a, &b, 8);
			have = 16;
		}
		if (len >= 32) {
			and_shifted(&a, &b, 16);
			have = 32;
		}
		if (len >= 64) {
			and_shifted(&a, &b, 32);
			have = 64;
		}
		if (have < len)
			and_shifted(&a, &b, len - have);
		run_lo[k] = a;
		run_hi[k] = b;
	shift:
		if (g->start > 0)
			a = (a >> g->start) | (b << (64 - g->start));
		acc &= a;
	}
	return acc;
}

/* Membership bits of the 64 bytes at x in each set, by table. */
static void masks_portable(const struct mapq__classes *c, const unsigned char *x,
                           uint64_t *m)
{
	size_t nsets = c->run.nsets;
	for (size_t j = 0; j < nsets; j++)
		m[j] = 0;
	for (unsigned k = 0; k < 64; k++) {
		unsigned b = c->member[x[k]];
		for (size_t j = 0; j < nsets; j++)
			m[j] |= (uint64_t)((b >> j) & 1) << k;
	}
}

/*
 * The last blocks, whose 128 bytes would pass end: copied into a buffer
 * padded with '\n', which no set holds, so that no start is reported whose
 * run passes end.
 */
static const unsigned char *find_tail(const struct mapq__classes *c,
                                      const unsigned char *s,
                                      const unsigned char *end)
{
	unsigned char buf[192];
	size_t n = (size_t)(end - s);
	memset(buf, '\n', sizeof buf);
	memcpy(buf, s, n); /* n < 128 */
	uint64_t lo[MAPQ__CLASS_SETS], hi[MAPQ__CLASS_SETS];
	for (size_t at = 0; at < n; at += 64) {
		masks_portable(c, buf + at, lo);
		masks_portable(c, buf + at + 64, hi);
		uint64_t starts = block_starts(c, lo, hi);
		if (starts != 0)
			return s + at + __builtin_ctzll(starts);
	}
	return NULL;
}

static const unsigned char *find_portable(const struct mapq__classes *c,
                                          const unsigned char *s,
                                          const unsigned char *end)
{
	/* m[k & 1]: the masks of the block at s; m[(k + 1) & 1]: the next. */
	uint64_t m[2][MAPQ__CLASS_SETS];
	if (end - s < 128)
		return find_tail(c, s, end);
	masks_portable(c, s, m[0]);
	for (unsigned k = 0; end - s >= 128; s += 64, k ^= 1) {
		masks_portable(c, s + 64, m[k ^ 1]);
		uint64_t starts = block_starts(c, m[k], m[k ^ 1]);
		if (starts != 0)
			return s + __builtin_ctzll(starts);
	}
	return find_tail(c, s, end);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MAPQ_NO_AVX2)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

/* As in literal.c: prefetching ahead keeps the scan at memory speed. */
#define PREFETCH_AHEAD 2048

struct avx2_sets {
	__m256i byte[MAPQ__CLASS_SETS], low[MAPQ__CLASS_SETS], high[MAPQ__CLASS_SETS];
};

/* Membership bits of 32 bytes in set j. */
__attribute__((target("avx2"))) static inline uint32_t
member32(const struct mapq__classes *c, const struct avx2_sets *v, size_t j,
         __m256i x, __m256i lo_nib, __m256i hi_nib)
{
	/* Bit h of a nibble table entry for low nibble l: byte (h << 4 | l)
	 * is in the set, for h < 8 in the first table, h - 8 in the second. */
	const __m256i bit_of_hi = _mm256_setr_epi8(
	        1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0,
	        1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i bit_of_hi8 = _mm256_setr_epi8(
	        0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, -128,
	        0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, -128);
	if (c->kind[j] == SET_BYTE)
		return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, v->byte[j]));
	__m256i t = _mm256_and_si256(_mm256_shuffle_epi8(v->low[j], lo_nib),
	                             _mm256_shuffle_epi8(bit_of_hi, hi_nib));
	if (c->kind[j] == SET_BYTES) { /* bytes from 0x80 too */
		__m256i u = _mm256_and_si256(_mm256_shuffle_epi8(v->high[j], lo_nib),
		                             _mm256_shuffle_epi8(bit_of_hi8, hi_nib));
		t = _mm256_or_si256(t, u);
	}
	return ~(uint32_t)_mm256_movemask_epi8(
	        _mm256_cmpeq_epi8(t, _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static inline void
masks_avx2(const struct mapq__classes *c, const struct avx2_sets *v,
           const unsigned char *x, uint64_t *m)
{
	const __m256i nib = _mm256_set1_epi8(0x0F);
	__m256i x0 = _mm256_loadu_si256((const __m256i *)x);
	__m256i x1 = _mm256_loadu_si256((const __m256i *)(x + 32));
	__m256i l0 = _mm256_and_si256(x0, nib);
	__m256i h0 = _mm256_and_si256(_mm256_srli_epi16(x0, 4), nib);
	__m256i l1 = _mm256_and_si256(x1, nib);
	__m256i h1 = _mm256_and_si256(_mm256_srli_epi16(x1, 4), nib);
	for (size_t j = 0; j < c->run.nsets; j++)
		m[j] = (uint64_t)member32(c, v, j, x0, l0, h0) |
		       (uint64_t)member32(c, v, j, x1, l1, h1) << 32;
}

__attribute__((target("avx2"))) static const unsigned char *
find_avx2(const struct mapq__classes *c, const unsigned char *s,
          const unsigned char *end)
{
	struct avx2_sets v;
	for (size_t j = 0; j < c->run.nsets; j++) {
		v.byte[j] = _mm256_set1_epi8((char)c->byte[j]);
		v.low[j] = _mm256_broadcastsi128_si256(
		        _mm_loadu_si128((const __m128i *)c->lut[j][0]));
		v.high[j] = _mm256_broadcastsi128_si256(
		        _mm_loadu_si128((const __m128i *)c->lut[j][1]));
	}
	uint64_t m[2][MAPQ__CLASS_SETS];
	if (end - s < 128)
		return find_tail(c, s, end);
	masks_avx2(c, &v, s, m[0]);
	for (unsigned k = 0; end - s >= 128; s += 64, k ^= 1) {
		_mm_prefetch((const char *)s + PREFETCH_AHEAD, _MM_HINT_T0);
		masks_avx2(c, &v, s + 64, m[k ^ 1]);
		uint64_t starts = block_starts(c, m[k], m[k ^ 1]);
		if (starts != 0)
			return s + __builtin_ctzll(starts);
	}
	return find_tail(c, s, end);
}

static int have_avx2(void)
{
	static int known = -1; /* a cache of a CPU fact, same for all threads */
	if (known < 0)
		known = __builtin_cpu_supports("avx2") ? 1 : 0;
	return known;
}
#endif

const unsigned char *mapq__classes_find(const struct mapq__classes *c,
                                        const unsigned char *p,
                                        const unsigned char *end)
{
	if (!c->usable || p >= end)
		return NULL;
#ifdef HAVE_AVX2_PATH
	if (!c->portable && have_avx2())
		return find_avx2(c, p, end);
#endif
	return find_portable(c, p, end);
}

/* ---- the plan ---- */

/* Make run r the one scanned for: its segments and set tables. */
static void use_run(struct mapq__classes *c, const struct mapq__class_run *r)
{
	/* Only the sets that positions use (a quantifier {0} may have left
	 * one unused). */
	struct mapq__class_run run;
	memset(&run, 0, sizeof run);
	unsigned char remap[MAPQ__CLASS_SETS];
	memset(remap, 0xFF, sizeof remap);
	for (size_t i = 0; i < r->len; i++) {
		unsigned char j = r->set_of[i];
		if (remap[j] == 0xFF) {
			remap[j] = (unsigned char)run.nsets;
			run.sets[run.nsets++] = r->sets[j];
		}
		run.set_of[i] = remap[j];
	}
	run.len = r->len;
	c->run = run;
	c->usable = run.len > 0;
	c->nsegs = 0;
	for (size_t i = 0; i < run.len;) {
		size_t k = i;
		while (k < run.len && run.set_of[k] == run.set_of[i])
			k++;
		struct mapq__class_segment *g = &c->segs[c->nsegs];
		g->set = run.set_of[i];
		g->start = (unsigned char)i;
		g->len = (unsigned char)(k - i);
		g->same = (unsigned char)c->nsegs;
		for (size_t e = 0; e < c->nsegs; e++)
			if (c->segs[e].set == g->set && c->segs[e].len == g->len &&
			    c->segs[e].same == e) {
				g->same = (unsigned char)e;
				break;
			}
		c->nsegs++;
		i = k;
	}
	memset(c->member, 0, sizeof c->member);
	memset(c->lut, 0, sizeof c->lut);
	for (size_t j = 0; j < run.nsets; j++) {
		const struct mapq__byteset *s = &run.sets[j];
		for (unsigned b = 0; b < 256; b++) {
			if (!set_has(s, b))
				continue;
			c->member[b] |= (unsigned char)(1u << j);
			c->lut[j][b >> 7][b & 15] |= (unsigned char)(1u << ((b >> 4) & 7));
			c->byte[j] = (unsigned char)b;
		}
		c->kind[j] = set_count(s) == 1             ? SET_BYTE
		             : s->w[2] == 0 && s->w[3] == 0 ? SET_ASCII
		                                            : SET_BYTES;
	}
}

void mapq__classes_plan(struct mapq__classes *c, const unsigned char *sample,
                        size_t n)
{
	c->usable = 0;
	if (c->nruns == 0)
		return;
	size_t best = 0;
	uint64_t best_hits = UINT64_MAX;
	for (size_t k = 0; k < c->nruns; k++) {
		if (n == 0) { /* no data: the longest run */
			if (c->runs[k].len > c->runs[best].len)
				best = k;
			continue;
		}
		use_run(c, &c->runs[k]);
		/* Lines with a candidate: what PCRE2 would be asked about. */
		uint64_t hits = 0;
		const unsigned char *q = sample, *end = sample + n;
		while ((q = mapq__classes_find(c, q, end)) != NULL) {
			hits++;
			q = memchr(q, '\n', (size_t)(end - q));
			if (q == NULL)
				break;
			q++;
		}
		if (hits < best_hits ||
		    (hits == best_hits && c->runs[k].len > c->runs[best].len)) {
			best = k;
			best_hits = hits;
		}
	}
	use_run(c, &c->runs[best]);
}
