/*
 * stats.c - byte statistics in one pass, mergeable across pieces.
 *
 * The hot loop takes 64 bytes at a time.  SSE2 compares give a 64-bit
 * mask of the newlines and tell whether any byte is >= 0x80; the
 * histogram counts byte *pairs* in a 65536-entry table, one increment per
 * two bytes, and the pairs are folded into the 256 byte counts only when
 * figures are asked for.  Text has few distinct pairs, so the table's live
 * part stays in cache, and halving the increments is what brings the
 * histogram near memory speed (a byte table, even split in four, is held
 * back by one load-add-store per byte: measured 4.4 GB/s against 8.5 on
 * the reference machine); a block of one repeated byte adds to its pair
 * at once.  Line lengths come from the newline mask with a few bit
 * operations per block; UTF-8 is decoded, with masks too, only in blocks
 * that hold a byte >= 0x80 or continue a sequence.
 *
 * Everything a piece of data contributes is kept in a form that merges:
 * the line open at each end of the piece, the longest line wholly inside
 * it, its first bytes and the UTF-8 sequence left open at its end.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/error.h"
#include "input/input.h"
#include "lines.h"
#include "stats.h"

#define PAIRS 65536

/* Passes shorter than this count bytes one by one: the pair table is
 * allocated, and folded, only for data where it pays. */
#define PAIR_MIN ((size_t)64 << 10)

/* Largest amount counted between two folds, so that no 32-bit pair
 * counter can wrap (each pair of bytes adds 1 to one counter). */
#define FOLD_EVERY ((uint64_t)UINT32_MAX)

/* Smallest piece worth a thread of its own. */
#define MIN_PIECE ((uint64_t)8 << 20)

/* Pieces handed to threads start on multiples of this (page aligned, so
 * that no page is shared by two scans releasing what they read). */
#define PIECE_ALIGN ((uint64_t)2 << 20)

/* Where a UTF-8 decoder stands between bytes. */
struct utf8_state {
	unsigned need;         /* continuation bytes still expected; 0: none */
	unsigned char lo, hi;  /* the range the next one must fall in */
};

struct mapq_stats {
	uint32_t *pairs;        /* [b1 << 8 | b0] for byte pairs b0 b1, or
	                         * NULL until a pass of PAIR_MIN bytes */
	uint64_t pending;       /* pairs counted since the last fold */
	uint64_t hist[256];     /* folded pairs plus single bytes */

	uint64_t bytes;
	uint64_t newlines;
	/* Lines.  `head` is the length of the piece's first line (the bytes
	 * before its first newline: open on the left, as they may continue
	 * a line of an earlier piece); `tail` that of the line still open at
	 * the end (all the bytes when there is no newline).  `best1` is 1 +
	 * the length of the longest line between two newlines of the piece
	 * (0: none), `best_k` the number of newlines before it; `empty` counts
	 * the empty ones among those lines. */
	uint64_t head;
	uint64_t tail;
	uint64_t best1;
	uint64_t best_k;
	uint64_t empty;

	/* UTF-8: maximal subparts found decoding from the piece's start,
	 * not counting a sequence left open at its end (`utf8`). */
	uint64_t utf8_invalid;
	struct utf8_state utf8;
	unsigned char prefix[3]; /* the piece's first bytes, for merging */
	unsigned n_prefix;

	uint64_t *progress;     /* the caller's counter of bytes read, or NULL */
};

int mapq_stats_create(mapq_stats **out, mapq_error *err)
{
	if (out == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no output handle");
	*out = NULL;
	mapq_stats *s = calloc(1, sizeof *s);
	if (s == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0,
		                       "statistics: out of memory");
	*out = s;
	return MAPQ_OK;
}

void mapq_stats_destroy(mapq_stats *s)
{
	if (s == NULL)
		return;
	free(s->pairs);
	free(s);
}

void mapq_stats_reset(mapq_stats *s)
{
	uint32_t *pairs = s->pairs;
	uint64_t *progress = s->progress;
	if (s->pending > 0)
		memset(pairs, 0, PAIRS * sizeof *pairs); /* kept for reuse */
	memset(s, 0, sizeof *s);
	s->pairs = pairs;
	s->progress = progress;
}

void mapq_stats_set_progress(mapq_stats *s, uint64_t *progress)
{
	if (s != NULL)
		s->progress = progress;
}

/* Add n bytes read to the caller's progress counter, if any. */
static inline void add_progress(uint64_t *progress, uint64_t n)
{
	if (progress != NULL)
		__atomic_fetch_add(progress, n, __ATOMIC_RELAXED);
}

/*
 * Add the pair counts of s to a byte histogram: each pair holds two bytes.
 * Data shorter than a block never touches the table.
 */
static void add_pairs(uint64_t hist[256], const mapq_stats *s)
{
	if (s->pending == 0)
		return;
	const uint32_t *pairs = s->pairs;
	for (unsigned b1 = 0; b1 < 256; b1++) {
		const uint32_t *row = pairs + (b1 << 8);
		uint64_t sum = 0;
		for (unsigned b0 = 0; b0 < 256; b0++) {
			hist[b0] += row[b0];
			sum += row[b0];
		}
		hist[b1] += sum;
	}
}

static void fold(mapq_stats *s)
{
	add_pairs(s->hist, s);
	memset(s->pairs, 0, PAIRS * sizeof *s->pairs);
	s->pending = 0;
}

/* ---------------------------------------------------------------- */
/* UTF-8                                                              */
/* ---------------------------------------------------------------- */

/*
 * Decode [p, p + n) from state *st, returning the maximal subparts found.
 * A lead byte opens a sequence; each continuation byte in the expected
 * range extends it; a byte out of range ends the sequence as one invalid
 * subpart and is decoded afresh (it may itself open a sequence).  Bytes
 * that can never start a sequence (80-BF, C0, C1, F5-FF) are one each.
 * Runs of ASCII are skipped eight bytes at a time.
 */
static uint64_t utf8_run(const unsigned char *p, size_t n,
                         struct utf8_state *st)
{
	uint64_t bad = 0;
	unsigned need = st->need;
	unsigned lo = st->lo, hi = st->hi;
	size_t i = 0;
	while (i < n) {
		if (need > 0) {
			unsigned b = p[i];
			if (b < lo || b > hi) {
				bad++; /* the open sequence; b is decoded again */
				need = 0;
				continue;
			}
			need--;
			lo = 0x80;
			hi = 0xBF;
			i++;
			continue;
		}
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		while (i < n && p[i] < 0x80)
			i++;
		if (i >= n)
			break;
		unsigned b = p[i++];
		lo = 0x80;
		hi = 0xBF;
		if (b >= 0xC2 && b <= 0xDF) {
			need = 1;
		} else if (b >= 0xE0 && b <= 0xEF) {
			need = 2;
			if (b == 0xE0)
				lo = 0xA0; /* no overlong forms */
			else if (b == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (b >= 0xF0 && b <= 0xF4) {
			need = 3;
			if (b == 0xF0)
				lo = 0x90; /* no overlong forms */
			else if (b == 0xF4)
				hi = 0x8F; /* nothing above U+10FFFF */
		} else {
			bad++; /* 80-BF alone, C0, C1, F5-FF */
		}
	}
	st->need = need;
	st->lo = (unsigned char)lo;
	st->hi = (unsigned char)hi;
	return bad;
}

static inline uint64_t popcount64(uint64_t x)
{
	return (uint64_t)__builtin_popcountll(x);
}

/*
 * Whole 64-byte blocks are decoded without a branch per byte: each byte
 * class becomes a 64-bit mask (bit i for byte i) and the decoder's states
 * become mask algebra.  Decoding from the start, the decoder is "open"
 * after a byte when it still waits for continuation bytes; byte j "fits"
 * when an open sequence accepts it.  Then the maximal subparts of a block
 * are, over its bytes j:
 *   open before j and j does not fit  (a sequence cut short: one error)
 * + j is C0, C1 or F5-FF              (never in UTF-8)
 * + j is a continuation byte that does not fit (a stray one).
 * A byte fits as the 2nd byte of a sequence if the byte before it is a
 * lead and it is in that lead's range (A0-BF after E0, 80-9F after ED,
 * 90-BF after F0, 80-8F after F4, 80-BF otherwise); as the 3rd if the
 * byte before was a 2nd byte of a 3- or 4-byte lead and it is 80-BF; as
 * the 4th likewise after a 3rd byte of a 4-byte lead.
 *
 * Between blocks, the state after the last byte is carried as the kind
 * of lead that would leave the decoder in the same state: a sequence that
 * still needs two bytes of 80-BF acts as an E1 lead, and so on.
 */
enum utf8_kind {
	KIND_2 = 1u << 0,   /* needs 1 more byte, 80-BF (C2-DF leads) */
	KIND_3 = 1u << 1,   /* needs 2, 80-BF first (E1-EC, EE, EF) */
	KIND_E0 = 1u << 2,  /* needs 2, A0-BF first */
	KIND_ED = 1u << 3,  /* needs 2, 80-9F first */
	KIND_4 = 1u << 4,   /* needs 3, 80-BF first (F1-F3) */
	KIND_F0 = 1u << 5,  /* needs 3, 90-BF first */
	KIND_F4 = 1u << 6   /* needs 3, 80-8F first */
};

static unsigned kind_of(const struct utf8_state *st)
{
	switch (st->need) {
	case 1:
		return KIND_2;
	case 2:
		return st->lo == 0xA0 ? KIND_E0 : st->hi == 0x9F ? KIND_ED : KIND_3;
	case 3:
		return st->lo == 0x90 ? KIND_F0 : st->hi == 0x8F ? KIND_F4 : KIND_4;
	default:
		return 0;
	}
}

static void state_of(unsigned kind, struct utf8_state *st)
{
	st->need = kind & KIND_2 ? 1 : kind & (KIND_3 | KIND_E0 | KIND_ED) ? 2
	         : kind != 0 ? 3 : 0;
	st->lo = kind & KIND_E0 ? 0xA0 : kind & KIND_F0 ? 0x90 : 0x80;
	st->hi = kind & KIND_ED ? 0x9F : kind & KIND_F4 ? 0x8F : 0xBF;
}

/* The byte classes of a 64-byte block that decoding needs. */
struct utf8_classes {
	uint64_t cont;    /* 80-BF */
	uint64_t cont_a0; /* A0-BF */
	uint64_t cont_90; /* 90-BF */
	uint64_t lead2;   /* C2-DF */
	uint64_t lead3;   /* E0-EF */
	uint64_t lead4;   /* F0-F4 */
	uint64_t e0, ed, f0, f4;
	uint64_t never;   /* C0, C1, F5-FF */
};

static inline __attribute__((always_inline)) void
utf8_classify(const unsigned char *p, struct utf8_classes *k)
{
	uint64_t b7 = 0, b6 = 0, b5 = 0, b4 = 0, e0 = 0, ed = 0, f0 = 0, f4 = 0;
	uint64_t c0c1 = 0, f5up = 0;
#ifdef __SSE2__
	for (unsigned q = 0; q < 4; q++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * q));
		/* Doubling a byte moves its next bit into the sign. */
		__m128i v1 = _mm_add_epi8(v, v);
		__m128i v2 = _mm_add_epi8(v1, v1);
		__m128i v3 = _mm_add_epi8(v2, v2);
		unsigned sh = 16 * q;
		b7 |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << sh;
		b6 |= (uint64_t)(unsigned)_mm_movemask_epi8(v1) << sh;
		b5 |= (uint64_t)(unsigned)_mm_movemask_epi8(v2) << sh;
		b4 |= (uint64_t)(unsigned)_mm_movemask_epi8(v3) << sh;
#define EQ(x) (uint64_t)(unsigned)_mm_movemask_epi8( \
	        _mm_cmpeq_epi8(v, _mm_set1_epi8((char)(x)))) << sh
		e0 |= EQ(0xE0);
		ed |= EQ(0xED);
		f0 |= EQ(0xF0);
		f4 |= EQ(0xF4);
#undef EQ
		c0c1 |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		                _mm_and_si128(v, _mm_set1_epi8((char)0xFE)),
		                _mm_set1_epi8((char)0xC0))) << sh;
		f5up |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		                _mm_max_epu8(v, _mm_set1_epi8((char)0xF5)), v)) << sh;
	}
#else
	for (unsigned i = 0; i < 64; i++) {
		unsigned c = p[i];
		uint64_t bit = (uint64_t)1 << i;
		b7 |= c & 0x80 ? bit : 0;
		b6 |= c & 0x40 ? bit : 0;
		b5 |= c & 0x20 ? bit : 0;
		b4 |= c & 0x10 ? bit : 0;
		e0 |= c == 0xE0 ? bit : 0;
		ed |= c == 0xED ? bit : 0;
		f0 |= c == 0xF0 ? bit : 0;
		f4 |= c == 0xF4 ? bit : 0;
		c0c1 |= (c & 0xFE) == 0xC0 ? bit : 0;
		f5up |= c >= 0xF5 ? bit : 0;
	}
#endif
	k->cont = b7 & ~b6;
	k->cont_a0 = k->cont & b5;
	k->cont_90 = k->cont & (b5 | b4);
	uint64_t top3 = b7 & b6 & b5;
	k->lead2 = b7 & b6 & ~b5 & ~c0c1;
	k->lead3 = top3 & ~b4;
	k->lead4 = top3 & b4 & ~f5up;
	k->e0 = e0;
	k->ed = ed;
	k->f0 = f0;
	k->f4 = f4;
	k->never = c0c1 | f5up;
}

/* Maximal subparts of a 64-byte block, given and updating the carry. */
static inline __attribute__((always_inline)) uint64_t
utf8_block(const unsigned char *p, unsigned *carry)
{
	struct utf8_classes k;
	utf8_classify(p, &k);
	unsigned in = *carry;
	/* Bit 0 of a mask shifted left by one: the byte before the block. */
#define CIN(kinds) ((uint64_t)((in & (kinds)) != 0))
	uint64_t plain3 = k.lead3 & ~k.e0 & ~k.ed;
	uint64_t plain4 = k.lead4 & ~k.f0 & ~k.f4;
	uint64_t c = k.cont;
	uint64_t second =
	        (((k.lead2 | plain3 | plain4) << 1 | CIN(KIND_2 | KIND_3 | KIND_4)) & c) |
	        ((k.e0 << 1 | CIN(KIND_E0)) & k.cont_a0) |
	        ((k.ed << 1 | CIN(KIND_ED)) & c & ~k.cont_a0) |
	        ((k.f0 << 1 | CIN(KIND_F0)) & k.cont_90) |
	        ((k.f4 << 1 | CIN(KIND_F4)) & c & ~k.cont_90);
	uint64_t after4 = k.lead4 << 1 | CIN(KIND_4 | KIND_F0 | KIND_F4);
	uint64_t second34 = second & ((k.lead3 << 1 | CIN(KIND_3 | KIND_E0 | KIND_ED)) |
	                              after4);
	uint64_t third = (second34 << 1) & c;
	uint64_t third4 = third & (k.lead4 << 2 | CIN(KIND_4 | KIND_F0 | KIND_F4) << 1);
	uint64_t fourth = (third4 << 1) & c;
#undef CIN
	uint64_t fits = second | third | fourth;
	uint64_t lead = k.lead2 | k.lead3 | k.lead4;
	uint64_t open = (lead | second34 | third4) << 1 | (uint64_t)(in != 0);
	uint64_t bad = popcount64(open & ~fits) + popcount64(k.never) +
	               popcount64(c & ~fits);

	/* The state after byte 63, as a kind of lead. */
	uint64_t second4 = second34 & after4;
	unsigned out = 0;
	out |= (unsigned)(((k.lead2 | (second34 & ~second4) | third4) >> 63) & 1) * KIND_2;
	out |= (unsigned)(((plain3 | second4) >> 63) & 1) * KIND_3;
	out |= (unsigned)((k.e0 >> 63) & 1) * KIND_E0;
	out |= (unsigned)((k.ed >> 63) & 1) * KIND_ED;
	out |= (unsigned)((plain4 >> 63) & 1) * KIND_4;
	out |= (unsigned)((k.f0 >> 63) & 1) * KIND_F0;
	out |= (unsigned)((k.f4 >> 63) & 1) * KIND_F4;
	*carry = out;
	return bad;
}

/* ---------------------------------------------------------------- */
/* The pass                                                           */
/* ---------------------------------------------------------------- */

/* Line bookkeeping of one pass, in locals the compiler keeps in registers. */
struct lines {
	uint64_t start;   /* where the open line starts, relative to the data
	                   * (modulo 2^64: "before" the data is allowed) */
	uint64_t newlines;
	uint64_t head;
	uint64_t best1;
	uint64_t best_k;
	uint64_t empty;
};

/* A newline at `pos` (relative to the data) ends the open line. */
static inline void end_line(struct lines *l, uint64_t pos)
{
	uint64_t len = pos - l->start;
	if (l->newlines == 0) {
		l->head = len;
	} else {
		if (len + 1 > l->best1) {
			l->best1 = len + 1;
			l->best_k = l->newlines;
		}
		l->empty += len == 0;
	}
	l->newlines++;
	l->start = pos + 1;
}

/*
 * The newline mask of 64 bytes (bit i: p[i] == '\n') and whether any of
 * them is >= 0x80.
 */
static inline uint64_t block_masks(const unsigned char *p, int *high)
{
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	__m128i a = _mm_loadu_si128((const __m128i *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
	__m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
	uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, nl)) |
	             (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, nl)) << 16 |
	             (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, nl)) << 32 |
	             (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, nl)) << 48;
	*high = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b),
	                                       _mm_or_si128(c, d)));
	return m;
#else
	uint64_t m = 0;
	unsigned any = 0;
	for (unsigned i = 0; i < 64; i++) {
		m |= (uint64_t)(p[i] == '\n') << i;
		any |= p[i];
	}
	*high = (any & 0x80) != 0;
	return m;
#endif
}

/* Count the 32 byte pairs of a 64-byte block. */
static inline void count_pairs(uint32_t *pairs, const unsigned char *p)
{
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
	for (unsigned i = 0; i < 64; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		/* Which byte lands in which half of the index does not
		 * matter: both bytes of a pair are counted when folding. */
		pairs[w & 0xFFFF]++;
		pairs[(w >> 16) & 0xFFFF]++;
		pairs[(w >> 32) & 0xFFFF]++;
		pairs[w >> 48]++;
	}
}

/*
 * The hot loop is built twice on x86-64: for the baseline ISA and for
 * x86-64-v3 (popcnt, lzcnt, tzcnt, AVX2), chosen once at load time.
 */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define HOT_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef HOT_CLONES
#define HOT_CLONES
#endif

/*
 * Whether the 64 bytes of a block are all the same (zero-filled regions,
 * padding): such a block adds 32 to one pair counter in one go, where 32
 * increments of that counter would wait for each other.
 */
static inline int block_uniform(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	if (w != (w & 0xFF) * UINT64_C(0x0101010101010101))
		return 0;
#ifdef __SSE2__
	__m128i a = _mm_loadu_si128((const __m128i *)p);
	__m128i eq = _mm_and_si128(
	        _mm_and_si128(_mm_cmpeq_epi8(a, _mm_unpacklo_epi64(a, a)),
	                      _mm_cmpeq_epi8(a, _mm_loadu_si128((const __m128i *)(p + 16)))),
	        _mm_and_si128(_mm_cmpeq_epi8(a, _mm_loadu_si128((const __m128i *)(p + 32))),
	                      _mm_cmpeq_epi8(a, _mm_loadu_si128((const __m128i *)(p + 48)))));
	return _mm_movemask_epi8(eq) == 0xFFFF;
#else
	for (unsigned i = 8; i < 64; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (v != w)
			return 0;
	}
	return 1;
#endif
}

/* Count the bytes of a 64-byte block one by one (short passes). */
static inline void count_bytes(uint64_t *hist, const unsigned char *p)
{
	for (unsigned i = 0; i < 64; i++)
		hist[p[i]]++;
}

/*
 * The blocks of a pass: all of [p, p + n) but a tail of less than 64
 * bytes, whose length is returned.  Inlined twice, with and without the
 * pair table, so that the choice costs nothing per block.
 *
 * Lines are handled block by block without a branch per newline: a line
 * that ends inside a 64-byte block but does not start there is the only
 * one of the block that can be longer than 63 bytes, so once the longest
 * line seen has 64 bytes or more, a block's newlines only add to the
 * counts (popcounts of the mask) and move the start of the open line.
 * Blocks that could change the longest line, or hold the first newline,
 * take the slow way, one newline at a time.
 */
static inline __attribute__((always_inline)) size_t
scan_blocks(mapq_stats *s, struct lines *lp, const unsigned char *p, size_t n,
            uint32_t *pairs)
{
	struct lines l = *lp;
	uint64_t bad = 0;
	unsigned carry = kind_of(&s->utf8);
	size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		const unsigned char *b = p + i;
		int high;
		uint64_t m = block_masks(b, &high);
		if (pairs == NULL)
			count_bytes(s->hist, b);
		else if (block_uniform(b))
			pairs[b[0] * 0x101u] += 32;
		else
			count_pairs(pairs, b);
		/* Both shifts are defined when m is 0; the results are then
		 * unused. */
		uint64_t first = (uint64_t)__builtin_ctzll(m | UINT64_C(1) << 63);
		uint64_t len = i + first - l.start;
		if (__builtin_expect(m != 0 && (l.newlines == 0 || l.best1 < 64 ||
		                                len + 1 > l.best1), 0)) {
			do {
				end_line(&l, i + (uint64_t)__builtin_ctzll(m));
				m &= m - 1;
			} while (m != 0);
		} else {
			/* A newline right after a newline is an empty line;
			 * l.start == i says the byte before the block was one. */
			uint64_t after_nl = m << 1 | (uint64_t)(l.start == i);
			l.empty += popcount64(m & after_nl);
			l.newlines += popcount64(m);
			uint64_t last = 63 - (uint64_t)__builtin_clzll(m | 1);
			l.start = m != 0 ? i + last + 1 : l.start;
		}
		if (high | carry)
			bad += utf8_block(b, &carry);
	}
	state_of(carry, &s->utf8);
	s->utf8_invalid += bad;
	*lp = l;
	return i;
}

/* One pass over at most FOLD_EVERY bytes. */
HOT_CLONES
static void pass(mapq_stats *s, const unsigned char *p, size_t n)
{
	uint32_t *pairs = NULL;
	if (n >= PAIR_MIN) {
		if (s->pairs == NULL)
			s->pairs = calloc(PAIRS, sizeof *s->pairs);
		/* Without the table (no memory), bytes are counted singly. */
		pairs = s->pairs;
		if (pairs != NULL && s->pending + n / 2 > FOLD_EVERY)
			fold(s);
	}
	struct lines l = {
		.start = (uint64_t)0 - s->tail,
		.newlines = s->newlines,
		.head = s->head,
		.best1 = s->best1,
		.best_k = s->best_k,
		.empty = s->empty,
	};
	size_t i;
	if (pairs != NULL) {
		i = scan_blocks(s, &l, p, n, pairs);
		s->pending += i / 2;
	} else {
		i = scan_blocks(s, &l, p, n, NULL);
	}
	for (size_t j = i; j < n; j++) {
		s->hist[p[j]]++;
		if (p[j] == '\n')
			end_line(&l, j);
	}
	s->utf8_invalid += utf8_run(p + i, n - i, &s->utf8);

	s->newlines = l.newlines;
	s->head = l.head;
	s->best1 = l.best1;
	s->best_k = l.best_k;
	s->empty = l.empty;
	s->tail = n - l.start;
	s->bytes += n;
}

void mapq_stats_update(mapq_stats *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; s->n_prefix < sizeof s->prefix && i < n; i++)
		s->prefix[s->n_prefix++] = p[i];
	while (n > 0) {
		size_t chunk = n < FOLD_EVERY ? n : (size_t)FOLD_EVERY;
		pass(s, p, chunk);
		p += chunk;
		n -= chunk;
	}
}

/* ---------------------------------------------------------------- */
/* Merging                                                            */
/* ---------------------------------------------------------------- */

/* Offer a line between two newlines as the longest; earlier ones first. */
static void offer_line(mapq_stats *s, uint64_t best1, uint64_t k)
{
	if (best1 > s->best1) {
		s->best1 = best1;
		s->best_k = k;
	}
}

/*
 * Join the UTF-8 sequence left open at dst's end with src's first bytes.
 * src was decoded from a fresh start, so its first bytes, if they are
 * continuation bytes, were counted as stray ones; those the open sequence
 * takes are not errors after all.  Past them both decodings agree.
 */
static void merge_utf8(mapq_stats *dst, const mapq_stats *src)
{
	uint64_t bad = src->utf8_invalid;
	struct utf8_state st = src->utf8;
	if (dst->utf8.need > 0 && src->bytes > 0) {
		unsigned need = dst->utf8.need;
		unsigned lo = dst->utf8.lo, hi = dst->utf8.hi;
		unsigned j = 0;
		while (j < src->n_prefix && need > 0 && src->prefix[j] >= lo &&
		       src->prefix[j] <= hi) {
			need--;
			lo = 0x80;
			hi = 0xBF;
			j++;
		}
		bad -= j; /* taken by the open sequence */
		if (need > 0 && j < src->bytes) {
			bad++; /* the open sequence ends unfinished */
		} else if (need > 0) {
			/* src was all continuation bytes: still open. */
			st.need = need;
			st.lo = (unsigned char)lo;
			st.hi = (unsigned char)hi;
		}
	}
	dst->utf8_invalid += bad;
	dst->utf8 = st;
}

void mapq_stats_merge(mapq_stats *dst, const mapq_stats *src)
{
	if (src->bytes == 0)
		return;
	add_pairs(dst->hist, src);
	for (unsigned b = 0; b < 256; b++)
		dst->hist[b] += src->hist[b];

	if (src->newlines == 0) {
		dst->tail += src->bytes;
	} else {
		uint64_t seam = dst->tail + src->head;
		if (dst->newlines == 0) {
			dst->head = seam;
		} else {
			offer_line(dst, seam + 1, dst->newlines);
			dst->empty += seam == 0;
		}
		if (src->best1 > 0)
			offer_line(dst, src->best1, dst->newlines + src->best_k);
		dst->empty += src->empty;
		dst->tail = src->tail;
	}
	dst->newlines += src->newlines;

	merge_utf8(dst, src);
	for (unsigned i = 0; dst->n_prefix < sizeof dst->prefix &&
	                     i < src->n_prefix; i++)
		dst->prefix[dst->n_prefix++] = src->prefix[i];
	dst->bytes += src->bytes;
}

/* ---------------------------------------------------------------- */
/* Figures                                                            */
/* ---------------------------------------------------------------- */

static double entropy(const uint64_t hist[256], uint64_t total)
{
	if (total == 0)
		return 0.0;
	double n = (double)total;
	double h = 0.0;
	for (unsigned b = 0; b < 256; b++) {
		if (hist[b] == 0)
			continue;
		double p = (double)hist[b] / n;
		h -= p * log2(p);
	}
	return h > 0.0 ? h : 0.0; /* one byte value: -0.0 becomes 0 */
}

void mapq_stats_finish(const mapq_stats *s, uint64_t first_line,
                       mapq_stats_result *r)
{
	memset(r, 0, sizeof *r);
	memcpy(r->histogram, s->hist, sizeof r->histogram);
	add_pairs(r->histogram, s);
	r->bytes = s->bytes;
	r->newlines = s->newlines;
	r->lines = s->newlines + (s->tail > 0);
	r->nul_bytes = r->histogram[0];
	r->cr_bytes = r->histogram['\r'];
	r->utf8_invalid = s->utf8_invalid + (s->utf8.need > 0);
	r->entropy = entropy(r->histogram, r->bytes);

	/* Candidates in order: the first line, the lines between two
	 * newlines, the final line without a newline. */
	uint64_t best1 = 0, k = 0;
	if (s->newlines > 0) {
		best1 = s->head + 1;
		r->empty_lines = s->empty + (s->head == 0);
	}
	if (s->best1 > best1) {
		best1 = s->best1;
		k = s->best_k;
	}
	if (s->tail > 0 && s->tail + 1 > best1) {
		best1 = s->tail + 1;
		k = s->newlines;
	}
	if (best1 > 0) {
		r->longest_length = best1 - 1;
		r->longest_line = first_line + k;
	}
}

void mapq_stats_add(mapq_stats_result *total, const mapq_stats_result *r)
{
	if (r->longest_line > 0 &&
	    (total->longest_line == 0 ||
	     r->longest_length > total->longest_length)) {
		total->longest_length = r->longest_length;
		total->longest_line = total->lines + r->longest_line;
	}
	total->bytes += r->bytes;
	total->lines += r->lines;
	total->newlines += r->newlines;
	total->empty_lines += r->empty_lines;
	total->nul_bytes += r->nul_bytes;
	total->cr_bytes += r->cr_bytes;
	total->utf8_invalid += r->utf8_invalid;
	for (unsigned b = 0; b < 256; b++)
		total->histogram[b] += r->histogram[b];
	total->entropy = entropy(total->histogram, total->bytes);
}

/* ---------------------------------------------------------------- */
/* Scanning files, in parallel when it pays                           */
/* ---------------------------------------------------------------- */

/*
 * A piece of a file that one scan walks: bytes [start, end), of which
 * those before `measure` only have their newlines counted (`newlines`),
 * so that the number of a range's first line comes out of the same pass
 * as its figures, and the rest are fed to `stats`.
 */
struct piece {
	mapq_file *file;
	uint64_t start, measure, end;
	mapq_stats *stats;
	uint64_t *progress;   /* the caller's counter, or NULL */
	uint64_t newlines;
	int rc;
	mapq_error err;
	pthread_t thread;
	int started;
};

struct window_job {
	struct piece *pc;
	const mapq_view *win;
};

static int update_window(void *arg)
{
	const struct window_job *job = arg;
	struct piece *pc = job->pc;
	const mapq_view *w = job->win;
	uint64_t skip = 0;
	if (pc->measure > w->offset) {
		skip = pc->measure - w->offset < w->size ? pc->measure - w->offset
		                                         : w->size;
		pc->newlines += mapq__count_newlines(w->data, skip);
	}
	mapq_stats_update(pc->stats, w->data + skip, (size_t)(w->size - skip));
	add_progress(pc->progress, w->size);
	return MAPQ_OK;
}

/* Walk one piece window by window. */
static int scan_range(struct piece *pc, mapq_error *err)
{
	mapq_file *f = pc->file;
	/* A plain file's windows are its mapping, which may shrink under
	 * us; compressed input's are a buffer of the scan. */
	int guarded = mapq__file_mapped_plain(f);
	struct mapq__scan scan;
	mapq__scan_init(&scan, f, pc->start, pc->end, 0, 0);
	mapq_view win;
	int rc;
	while ((rc = mapq__scan_next(&scan, &win, err)) > 0) {
		struct window_job job = {pc, &win};
		rc = guarded ? mapq__file_guard(f, update_window, &job, err)
		             : update_window(&job);
		if (rc != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&scan);
	return rc < 0 ? rc : MAPQ_OK;
}

static void *scan_piece(void *arg)
{
	struct piece *pc = arg;
	pc->rc = scan_range(pc, &pc->err);
	return NULL;
}

/*
 * Walk the adjacent pieces pcs[0..n) at once, one thread each (the first
 * in the calling thread, continuing s), then merge their figures into s
 * in order and add up their newlines into *newlines.
 */
static int run_pieces(mapq_stats *s, struct piece *pcs, uint64_t n,
                      uint64_t *newlines, mapq_error *err)
{
	int rc = MAPQ_OK;
	pcs[0].stats = s;
	for (uint64_t i = 1; i < n; i++) {
		struct piece *pc = &pcs[i];
		rc = mapq_stats_create(&pc->stats, err);
		if (rc != MAPQ_OK)
			goto done;
		/* If no thread can be had, the piece is scanned below. */
		pc->started = pthread_create(&pc->thread, NULL, scan_piece, pc) == 0;
	}
	scan_piece(&pcs[0]);
	for (uint64_t i = 1; i < n; i++)
		if (!pcs[i].started)
			scan_piece(&pcs[i]);

done:
	*newlines = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct piece *pc = &pcs[i];
		if (pc->started)
			pthread_join(pc->thread, NULL);
		if (rc == MAPQ_OK && pc->rc != MAPQ_OK) {
			rc = pc->rc;
			if (err != NULL)
				*err = pc->err;
		}
		if (rc == MAPQ_OK && i > 0)
			mapq_stats_merge(s, pc->stats);
		*newlines += pc->newlines;
		if (i > 0)
			mapq_stats_destroy(pc->stats);
	}
	return rc;
}

/* Where piece i of n of [from, end) ends (i + 1 < n). */
typedef uint64_t (*piece_cut)(const mapq_file *f, uint64_t from, uint64_t end,
                              uint64_t i, uint64_t n);

/*
 * Cut [from, end) of f into n pieces ending where cut() says, measure the
 * bytes from `measure` on (the newlines before it are only counted, into
 * *newlines) and merge them into s.
 */
static int measure_pieces(mapq_stats *s, mapq_file *f, uint64_t from,
                          uint64_t end, uint64_t measure, uint64_t n,
                          piece_cut cut, uint64_t *newlines, mapq_error *err)
{
	struct piece one;
	struct piece *pcs = &one;
	memset(&one, 0, sizeof one);
	if (n > 1 && (pcs = calloc((size_t)n, sizeof *pcs)) == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));
	uint64_t at = from;
	for (uint64_t i = 0; i < n; i++) {
		struct piece *pc = &pcs[i];
		uint64_t to = i + 1 == n ? end : cut(f, from, end, i, n);
		if (to < at)
			to = at;
		pc->file = f;
		pc->start = at;
		pc->measure = measure;
		pc->end = to;
		pc->progress = s->progress;
		at = to;
	}
	int rc = run_pieces(s, pcs, n, newlines, err);
	if (pcs != &one)
		free(pcs);
	return rc;
}

/* A mapped file is cut into equal shares, page aligned. */
static uint64_t share_cut(const mapq_file *f, uint64_t from, uint64_t end,
                          uint64_t i, uint64_t n)
{
	(void)f;
	return (from + (end - from) / n * (i + 1)) & ~(PIECE_ALIGN - 1);
}

int mapq__view_stats(mapq_stats *s, const mapq_view *view, unsigned threads,
                    mapq_error *err)
{
	if (s == NULL || view == NULL || view->file == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no statistics or view");
	mapq_file *f = view->file;
	uint64_t n = view->size / MIN_PIECE;
	if (n > threads)
		n = threads;
	if (!mapq__file_mapped_plain(f))
		n = 1;
	if (n < 1)
		n = 1;
	uint64_t newlines;
	return measure_pieces(s, f, view->offset, view->offset + view->size,
	                      view->offset, n, share_cut, &newlines, err);
}

/*
 * Where piece i of n should end when [from, end) of a seekable file is
 * cut: at the start of the frame holding its share's end, so that no
 * frame is decompressed by two pieces.
 */
static uint64_t frame_cut(const mapq_file *f, uint64_t from, uint64_t end,
                          uint64_t i, uint64_t n)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	uint64_t at = from + (end - from) / n * (i + 1);
	return t->dec[mapq__seek_table_find(t, at)];
}

/*
 * A stream (or a zstd stream) is read once: its range is applied by a
 * scan as the data goes by, which also counts the lines before it.
 */
static int stats_stream(mapq_stats *s, mapq_file *f, const mapq_range *range,
                        uint64_t *first_line, mapq_error *err)
{
	mapq_scan *scan;
	int rc = mapq_scan_create(&scan, f, range, 0, MAPQ_SCAN_DEFAULT, err);
	if (rc != MAPQ_OK)
		return rc;
	mapq_view w;
	while ((rc = mapq_scan_next(scan, &w, err)) > 0) {
		mapq_stats_update(s, w.data, (size_t)w.size);
		add_progress(s->progress, w.size);
	}
	if (rc == 0 && first_line != NULL)
		rc = mapq_scan_first_line(scan, first_line, err);
	mapq_scan_destroy(scan);
	return rc < 0 ? rc : MAPQ_OK;
}

int mapq_stats_scan(mapq_stats *s, mapq_file *f, const mapq_range *range,
                    unsigned threads, uint64_t *first_line, mapq_error *err)
{
	if (s == NULL || f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no statistics or file");
	if (!mapq__file_random_access(f) ||
	    mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_STREAM)
		return stats_stream(s, f, range, first_line, err);
	uint64_t start = 0, end = MAPQ_SIZE_UNKNOWN;
	if (range != NULL) {
		int rc = mapq_range_resolve(f, range, MAPQ_RESOLVE_DEFAULT,
		                            &start, &end, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	if (mapq__file_mapped_plain(f)) {
		mapq_view view, part;
		int rc = mapq_file_view(f, &view, err);
		if (rc == MAPQ_OK && first_line != NULL) {
			uint64_t newlines;
			part = mapq_view_sub(&view, 0, start);
			rc = mapq__view_count_newlines(&part, &newlines, err);
			if (rc == MAPQ_OK)
				*first_line = newlines + 1;
		}
		if (rc == MAPQ_OK) {
			part = mapq_view_sub(&view, start, end);
			rc = mapq__view_stats(s, &part, threads, err);
		}
		return rc;
	}

	/* Input without a view (read with pread, or seekable zstd): one pass
	 * walks [from, end), counting the newlines before start on the way
	 * when they are wanted. */
	uint64_t size = mapq__data_size(f);
	if (end > size)
		end = size;
	if (end < start)
		end = start;
	uint64_t from = first_line != NULL ? 0 : start;
	/* Frames of the seekable format decompress independently, so its
	 * pieces can be walked at once, each by its own scan. */
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	uint64_t n = 1;
	if (t != NULL && end > from) {
		n = (end - from) / MIN_PIECE;
		if (n > threads)
			n = threads;
		if (n > t->n)
			n = t->n;
		if (n < 1)
			n = 1;
	}
	uint64_t newlines;
	int rc = measure_pieces(s, f, from, end, start, n, frame_cut, &newlines,
	                        err);
	if (rc == MAPQ_OK && first_line != NULL)
		*first_line = newlines + 1;
	return rc;
}
