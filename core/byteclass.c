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
#include "pattern_syntax.h"

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

/* The set of the POSIX class of index k (pattern_syntax.h's order). */
static void posix_set(int k, struct mapq__byteset *s)
{
	memset(s, 0, sizeof *s);
	switch (k) {
	case 0: /* alpha */
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		return;
	case 1: /* digit */
		set_range(s, '0', '9');
		return;
	case 2: /* alnum */
		set_range(s, '0', '9');
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		return;
	case 3: /* xdigit */
		set_range(s, '0', '9');
		set_range(s, 'A', 'F');
		set_range(s, 'a', 'f');
		return;
	case 4: /* upper */
		set_range(s, 'A', 'Z');
		return;
	case 5: /* lower */
		set_range(s, 'a', 'z');
		return;
	case 6: /* space */
		set_range(s, '\t', '\r');
		set_add(s, ' ');
		return;
	case 7: /* blank */
		set_add(s, '\t');
		set_add(s, ' ');
		return;
	case 8: /* punct */
		set_range(s, '!', '/');
		set_range(s, ':', '@');
		set_range(s, '[', '`');
		set_range(s, '{', '~');
		return;
	case 9: /* word */
		escape_set('w', s);
		return;
	}
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
 * Read the class at p[i] == '['.  Returns the index after it, or 0 when
 * its syntax is not followed (then extraction stops).  *known tells
 * whether the class is a set of single bytes (ASCII characters only, not
 * negated), given in *s.
 */
static size_t parse_class(const unsigned char *p, size_t n, size_t i,
                          struct mapq__byteset *s, int *known)
{
	memset(s, 0, sizeof *s);
	struct mapq__class_reader r;
	mapq__syntax_class_begin(&r, p, n, i);
	*known = !r.negated; /* [^...] matches multi-byte characters */
	struct mapq__class_item it;
	struct mapq__byteset t;
	while (mapq__syntax_class_next(&r, &it)) {
		switch (it.kind) {
		case MAPQ__CLASS_CLOSE:
			return r.i;
		case MAPQ__CLASS_BYTE:
			set_add(s, it.lo);
			break;
		case MAPQ__CLASS_RANGE:
			set_range(s, it.lo, it.hi);
			break;
		case MAPQ__CLASS_POSIX:
			if (it.negated) {
				*known = 0;
			} else {
				posix_set(it.posix, &t);
				set_or(s, &t);
			}
			break;
		case MAPQ__CLASS_ESCAPE:
			if (it.escape == 'd' || it.escape == 'w' ||
			    it.escape == 's') {
				escape_set(it.escape, &t);
				set_or(s, &t);
			} else {
				*known = 0; /* negated or non-ASCII */
			}
			break;
		case MAPQ__CLASS_WIDE:
			*known = 0; /* a multi-byte character */
			break;
		}
	}
	return 0;
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
		struct mapq__syntax_item it;
		mapq__syntax_next(p, n, i, MAPQ__SYNTAX_STRICT, &it);
		switch (it.kind) {
		case MAPQ__SYN_QUANT:
			repeat_atom(&x, it.min, it.exact);
			i = it.next;
			continue;
		case MAPQ__SYN_GROUP:
		case MAPQ__SYN_ANY:
			cut(&x);
			i = it.next;
			continue;
		case MAPQ__SYN_CLASS: {
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
		case MAPQ__SYN_ESCAPE: {
			unsigned char e = it.byte;
			int byte = mapq__syntax_escape_byte(e);
			if (e == 'd' || e == 'w' || e == 's') {
				escape_set(e, &set[0]);
				if (finish_set(&set[0], caseless))
					add_atom(&x, set, 1);
				else
					cut(&x);
			} else if (byte >= 0) {
				set_add(&set[0], (unsigned)byte);
				add_atom(&x, set, 1);
			} else if (strchr("DWShHvVRXNCbBAzZGK", e) != NULL) {
				cut(&x); /* other widths, or zero width */
			} else {
				goto none; /* \x.., \Q, \n, \1, \p{..}, \c.: not followed */
			}
			i = it.next;
			continue;
		}
		case MAPQ__SYN_CHAR:
			break;
		default: /* alternation, options, verbs, what is not followed */
			goto none;
		}
		if (ch == '\\') {
			set_add(&set[0], it.byte); /* escaped punctuation */
			add_atom(&x, set, 1);
			i = it.next;
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
