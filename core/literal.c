/*
 * literal.c - the literal every match of a pattern must contain, and a
 * vectorised scan for it.
 *
 * The prefilter is what lets a search skip at memory speed: instead of
 * asking PCRE2 about every byte, find the pattern's required literal and
 * only ask about the lines that contain it.  Extraction is deliberately
 * conservative: whenever the pattern uses a construct whose effect on the
 * required text is not obvious (alternation at the top level, option
 * settings, escapes with arguments), no literal is reported and the
 * search relies on PCRE2 alone.  A wrong literal would hide matches; a
 * missing one only costs speed.
 */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/error.h"
#include "input/input.h"
#include "literal.h"
#include "pattern_syntax.h"

/* Escapes that stand for a class or an assertion and take no argument. */
static int simple_escape(unsigned char c)
{
	return strchr("dDwWsSbBhHvVRNAzZGKX", c) != NULL && c != '\0';
}

struct literal_runs {
	unsigned char cur[MAPQ__LITERAL_MAX];
	size_t cur_len;
	int cur_overflow;
	struct mapq__literal *best;
};

static void end_run(struct literal_runs *r)
{
	if (r->cur_len > r->best->len) {
		memcpy(r->best->bytes, r->cur, r->cur_len);
		r->best->len = r->cur_len;
	}
	r->cur_len = 0;
}

int mapq__literal_extract(const unsigned char *p, size_t n,
                          struct mapq__literal *lit)
{
	struct literal_runs r;
	r.cur_len = 0;
	r.best = lit;
	lit->len = 0;
	lit->whole = 0;
	int broken = 0; /* did anything but literal characters appear? */
	size_t i = 0;
	/* Index in cur where the last literal character starts, so that a
	 * quantifier can take it back; SIZE_MAX when the previous atom was
	 * not a literal character. */
	size_t last_char = SIZE_MAX;

	while (i < n) {
		struct mapq__syntax_item it;
		mapq__syntax_next(p, n, i, 0, &it);
		size_t next = it.next;
		if (it.kind == MAPQ__SYN_CLASS &&
		    (next = mapq__syntax_class_end(p, n, i, 0)) == 0)
			return 0;
		switch (it.kind) {
		case MAPQ__SYN_QUANT:
			if (last_char != SIZE_MAX) {
				size_t keep = it.min == 0 ? last_char : r.cur_len;
				r.cur_len = keep;
				end_run(&r);
			}
			last_char = SIZE_MAX;
			broken = 1;
			i = next;
			continue;
		case MAPQ__SYN_ESCAPE:
			if (!simple_escape(it.byte))
				return 0; /* \x.., \Q, \1, \p{..}, \c.: give up */
			/* fall through */
		case MAPQ__SYN_CLASS:
		case MAPQ__SYN_GROUP:
		case MAPQ__SYN_ANY:
			/* Not a literal character: the run ends. */
			end_run(&r);
			last_char = SIZE_MAX;
			broken = 1;
			i = next;
			continue;
		case MAPQ__SYN_CHAR:
			break;
		default: /* alternation, options, verbs, what is not followed */
			return 0;
		}
		unsigned char lc = it.byte;
		if (lc == '\n')
			return 0; /* no line holds one: leave it to PCRE2 */
		/* A literal character (ASCII or one byte of UTF-8). */
		if (r.cur_len == MAPQ__LITERAL_MAX) {
			end_run(&r);
			broken = 1;
		}
		if ((lc & 0xC0) != 0x80)
			last_char = r.cur_len;
		r.cur[r.cur_len++] = lc;
		i = next;
	}
	end_run(&r);
	lit->whole = !broken && lit->len > 0 && lit->len < MAPQ__LITERAL_MAX;
	return lit->len > 0;
}

/*
 * How common a byte is in text and logs, 0 (rare) to 255 (everywhere):
 * the prefilter looks for the rarest bytes of the literal, so that it
 * stops at few false candidates.  A rough ordering is all that matters.
 */
static unsigned byte_commonness(unsigned char c)
{
	static const char lower[] = "etaoinsrhldcumfpgwybvkxjqz";
	static const char upper[] = "ETAOINSRHLDCUMFPGWYBVKXJQZ";
	const char *at;
	if (c == ' ')
		return 255;
	if (c >= 'a' && c <= 'z' && (at = strchr(lower, c)) != NULL)
		return 250 - (unsigned)(at - lower) * 4;
	if (c >= '0' && c <= '9')
		return 200;
	if (strchr(".,:-/=_\"'()[]", c) != NULL && c != '\0')
		return 160;
	if (c >= 'A' && c <= 'Z' && (at = strchr(upper, c)) != NULL)
		return 140 - (unsigned)(at - upper) * 3;
	if (c >= 0x80)
		return 40;
	return 60;
}

/*
 * The cost of looking for byte c: its count in a sample of the data when
 * there is one (scaled, with the static ordering breaking ties), else the
 * static guess alone.
 */
static uint64_t byte_cost(unsigned char c, const uint32_t *freq)
{
	uint64_t guess = byte_commonness(c);
	return freq != NULL ? (uint64_t)freq[c] * 256 + guess : guess;
}

/* Cost of an ASCII letter matched in either case. */
static uint64_t caseless_cost(unsigned char c, const uint32_t *freq)
{
	unsigned char lo = c | 0x20;
	if (lo < 'a' || lo > 'z')
		return byte_cost(c, freq);
	return byte_cost(lo, freq) + byte_cost((unsigned char)(lo & ~0x20), freq);
}

/* Does c match only itself and its ASCII other case under -i? */
static int caseless_safe(unsigned char c)
{
	unsigned char lo = c | 0x20;
	return c < 0x80 && lo != 'k' && lo != 's';
}

/* The two bytes a literal byte matches under -i. */
static void fold_pair(unsigned char c, unsigned char *a, unsigned char *b)
{
	int letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	*a = letter ? (c | 0x20) : c;
	*b = letter ? (c & ~0x20) : c;
}
/* Do bytes a and b (literal bytes) filter alike: the same byte, or under -i
 * the same letter? */
static int same_probe(unsigned char a, unsigned char b, int caseless)
{
	unsigned char fa, fb, unused;
	if (!caseless)
		return a == b;
	fold_pair(a, &fa, &unused);
	fold_pair(b, &fb, &unused);
	return fa == fb;
}

static uint64_t probe_cost(unsigned char c, int caseless, const uint32_t *freq)
{
	return caseless ? caseless_cost(c, freq) : byte_cost(c, freq);
}

/* The pair of the span b[0..n) (n >= 2): its rarest byte, and the rarest of
 * the bytes that filter differently from it (the same byte twice filters
 * little). */
static void choose_pair(const unsigned char *b, size_t n, int caseless,
                        const uint32_t *freq, size_t *first, size_t *second)
{
	size_t a = 0;
	for (size_t i = 1; i < n; i++)
		if (probe_cost(b[i], caseless, freq) < probe_cost(b[a], caseless, freq))
			a = i;
	size_t c = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (i == a)
			continue;
		int differs = !same_probe(b[i], b[a], caseless);
		if (c == SIZE_MAX ||
		    (differs && same_probe(b[c], b[a], caseless)) ||
		    (differs && probe_cost(b[i], caseless, freq) <
		                        probe_cost(b[c], caseless, freq)))
			c = i;
	}
	*first = a;
	*second = c;
}

void mapq__literal_plan(struct mapq__literal *lit, int caseless,
                        const uint32_t *freq)
{
	lit->caseless = caseless;
	lit->usable = lit->len > 0;
	lit->pair = 0;
	lit->span_off = 0;
	lit->span_len = lit->len;
	if (!lit->usable)
		return;
	if (caseless) {
		/* Under Unicode case folding 'k' and 's' also match
		 * multi-byte characters (KELVIN SIGN, LONG S), and non-ASCII
		 * letters have multi-byte partners: only bytes that match
		 * themselves in either ASCII case keep their offsets.  The
		 * longest run of such bytes is the span compared at fixed
		 * offsets; a lone one is looked for anywhere. */
		size_t run_off = 0, run_len = 0;
		for (size_t i = 0; i < lit->len;) {
			size_t j = i;
			while (j < lit->len && caseless_safe(lit->bytes[j]))
				j++;
			if (j - i > run_len) {
				run_off = i;
				run_len = j - i;
			}
			i = j + 1;
		}
		if (run_len == 0) {
			lit->usable = 0;
			return;
		}
		lit->whole = 0; /* confirm every candidate with PCRE2 */
		lit->span_off = run_off;
		lit->span_len = run_len;
		if (run_len >= 2) {
			choose_pair(lit->bytes + run_off, run_len, 1, freq,
			            &lit->off1, &lit->off2);
			lit->pair = 1;
			fold_pair(lit->bytes[run_off + lit->off2], &lit->b2,
			          &lit->b2alt);
			fold_pair(lit->bytes[run_off + lit->off1], &lit->b1,
			          &lit->b1alt);
			return;
		}
		/* Lone safe bytes: the rarest, looked for anywhere. */
		uint64_t best = UINT64_MAX;
		for (size_t i = 0; i < lit->len; i++) {
			uint64_t cost = caseless_cost(lit->bytes[i], freq);
			if (caseless_safe(lit->bytes[i]) && cost < best) {
				best = cost;
				lit->off1 = i;
			}
		}
		fold_pair(lit->bytes[lit->off1], &lit->b1, &lit->b1alt);
		return;
	}
	/* Case-sensitive: the two rarest positions holding different bytes,
	 * compared together. */
	if (lit->len < 2) {
		lit->off1 = 0;
		lit->b1 = lit->b1alt = lit->bytes[0];
		return;
	}
	choose_pair(lit->bytes, lit->len, 0, freq, &lit->off1, &lit->off2);
	lit->pair = 1;
	lit->b1 = lit->b1alt = lit->bytes[lit->off1];
	lit->b2 = lit->b2alt = lit->bytes[lit->off2];
}

/* Does the literal's span occur at s (case-sensitive: exactly; caseless:
 * each ASCII letter in either case)? */
static int span_at(const struct mapq__literal *lit, const unsigned char *s)
{
	const unsigned char *b = lit->bytes + lit->span_off;
	if (!lit->caseless)
		return memcmp(s, b, lit->span_len) == 0;
	for (size_t i = 0; i < lit->span_len; i++) {
		unsigned char x = s[i], y = b[i];
		if (x != y && !((x | 0x20) == (y | 0x20) && (y | 0x20) >= 'a' &&
		                (y | 0x20) <= 'z'))
			return 0;
	}
	return 1;
}

/*
 * The pair test of one position: byte x matches probe byte b (and its
 * other case balt) when (x | fold) == want, fold being 0x20 for a letter
 * under -i (the only two bytes that OR to a lower-case letter are its two
 * cases) and 0 otherwise.
 */
#define PROBE_FOLD(b, balt) ((unsigned char)((b) ^ (balt)))
#define PROBE_WANT(b, balt) ((unsigned char)((b) | PROBE_FOLD(b, balt)))

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MAPQ_NO_AVX2)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

/* How far ahead of the scan to prefetch: measured on the 2 GiB log, 2 KiB
 * brought the pair scan to memchr's speed (it was 1.3-1.5x slower). */
#define PREFETCH_AHEAD 2048

/*
 * The packed pair over 64 candidate starts at a time, for CPUs with AVX2
 * (chosen at run time: the build targets baseline x86-64).  From s, the
 * first block of 64 starts (all <= last) in which some start has both
 * bytes of the pair: returns its start and the starts as bits in *mask.
 * When no block is left, *mask is 0 and the return value is where a
 * narrower loop must go on.  The loop calls nothing, so that its vectors
 * stay in registers.
 */
__attribute__((target("avx2"))) static const unsigned char *
pair_block_avx2(const struct mapq__literal *lit, const unsigned char *s,
                const unsigned char *last, uint64_t *mask)
{
	const __m256i w1 = _mm256_set1_epi8((char)PROBE_WANT(lit->b1, lit->b1alt));
	const __m256i f1 = _mm256_set1_epi8((char)PROBE_FOLD(lit->b1, lit->b1alt));
	const __m256i w2 = _mm256_set1_epi8((char)PROBE_WANT(lit->b2, lit->b2alt));
	const __m256i f2 = _mm256_set1_epi8((char)PROBE_FOLD(lit->b2, lit->b2alt));
	const size_t off1 = lit->off1, off2 = lit->off2;
	while (last - s >= 63) {
		const unsigned char *p1 = s + off1, *p2 = s + off2;
		/* Unaligned loads from two places defeat the hardware
		 * prefetcher at page edges: ask for the data ahead (a hint,
		 * never a fault). */
		_mm_prefetch((const char *)s + PREFETCH_AHEAD, _MM_HINT_T0);
		__m256i lo = _mm256_and_si256(
		        _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)p1), f1), w1),
		        _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)p2), f2), w2));
		__m256i hi = _mm256_and_si256(
		        _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p1 + 32)), f1), w1),
		        _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p2 + 32)), f2), w2));
		__m256i any = _mm256_or_si256(lo, hi);
		if (!_mm256_testz_si256(any, any)) {
			*mask = (uint64_t)(uint32_t)_mm256_movemask_epi8(lo) |
			        (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
			return s;
		}
		s += 64;
	}
	*mask = 0;
	return s;
}

__attribute__((target("avx2"))) static const unsigned char *
either_find_avx2(unsigned char a, unsigned char b, const unsigned char *q,
                 const unsigned char *end, const unsigned char **resume)
{
	const __m256i v1 = _mm256_set1_epi8((char)a);
	const __m256i v2 = _mm256_set1_epi8((char)b);
	while (q + 32 <= end) {
		__m256i x = _mm256_loadu_si256((const __m256i *)q);
		unsigned mask = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(
		        _mm256_cmpeq_epi8(x, v1), _mm256_cmpeq_epi8(x, v2)));
		if (mask != 0)
			return q + __builtin_ctz(mask);
		q += 32;
	}
	*resume = q;
	return NULL;
}

static int have_avx2(void)
{
	static int known = -1; /* a cache of a CPU fact, same for all threads */
	if (known < 0)
		known = __builtin_cpu_supports("avx2") ? 1 : 0;
	return known;
}
#endif

/*
 * Packed pair: the span's two chosen bytes at their offsets (each in either
 * case under -i), then the whole span compared.  Returns the start of the
 * first span occurrence in [p, end).
 */
static const unsigned char *pair_find(const struct mapq__literal *lit,
                                      const unsigned char *p,
                                      const unsigned char *end)
{
	if (end - p < (ptrdiff_t)lit->span_len)
		return NULL;
	const unsigned char *last = end - lit->span_len; /* last possible start */
	const unsigned char *s = p;
	const unsigned char want1 = PROBE_WANT(lit->b1, lit->b1alt);
	const unsigned char fold1 = PROBE_FOLD(lit->b1, lit->b1alt);
	const unsigned char want2 = PROBE_WANT(lit->b2, lit->b2alt);
	const unsigned char fold2 = PROBE_FOLD(lit->b2, lit->b2alt);
#ifdef HAVE_AVX2_PATH
	if (have_avx2()) {
		for (;;) {
			uint64_t mask;
			s = pair_block_avx2(lit, s, last, &mask);
			if (mask == 0)
				break;
			do {
				const unsigned char *cand = s + __builtin_ctzll(mask);
				if (span_at(lit, cand))
					return cand;
				mask &= mask - 1;
			} while (mask != 0);
			s += 64;
		}
	}
#endif
#ifdef __SSE2__
	const __m128i w1 = _mm_set1_epi8((char)want1);
	const __m128i f1 = _mm_set1_epi8((char)fold1);
	const __m128i w2 = _mm_set1_epi8((char)want2);
	const __m128i f2 = _mm_set1_epi8((char)fold2);
	while (last - s >= 15) {
		__m128i x1 = _mm_loadu_si128((const __m128i *)(s + lit->off1));
		__m128i x2 = _mm_loadu_si128((const __m128i *)(s + lit->off2));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		        _mm_cmpeq_epi8(_mm_or_si128(x1, f1), w1),
		        _mm_cmpeq_epi8(_mm_or_si128(x2, f2), w2)));
		while (mask != 0) {
			const unsigned char *cand = s + __builtin_ctz(mask);
			if (span_at(lit, cand))
				return cand;
			mask &= mask - 1;
		}
		s += 16;
	}
#endif
	for (; s <= last; s++)
		if ((s[lit->off1] | fold1) == want1 &&
		    (s[lit->off2] | fold2) == want2 && span_at(lit, s))
			return s;
	return NULL;
}

const unsigned char *mapq__literal_find(const struct mapq__literal *lit,
                                        const unsigned char *p,
                                        const unsigned char *end)
{
	if (lit->pair)
		return pair_find(lit, p, end);
	if (lit->caseless) {
		/* Candidates: the chosen byte in either case, anywhere (case
		 * folding may change byte offsets, so its offset in the
		 * literal is not trusted); the caller confirms the line. */
		const unsigned char *q = p;
#ifdef HAVE_AVX2_PATH
		if (have_avx2()) {
			const unsigned char *hit =
			        either_find_avx2(lit->b1, lit->b1alt, q, end, &q);
			if (hit != NULL)
				return hit;
		}
#endif
#ifdef __SSE2__
		const __m128i v1 = _mm_set1_epi8((char)lit->b1);
		const __m128i v2 = _mm_set1_epi8((char)lit->b1alt);
		while (q + 16 <= end) {
			__m128i x = _mm_loadu_si128((const __m128i *)q);
			unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			        _mm_cmpeq_epi8(x, v1), _mm_cmpeq_epi8(x, v2)));
			if (mask != 0)
				return q + __builtin_ctz(mask);
			q += 16;
		}
#endif
		for (; q < end; q++)
			if (*q == lit->b1 || *q == lit->b1alt)
				return q;
		return NULL;
	}
	/* A one-byte literal. */
	if (p >= end)
		return NULL;
	return memchr(p, lit->b1, (size_t)(end - p));
}
