/*
 * multi_literal.c - finding any of many literal strings at once.
 *
 * Every literal is at least W bytes long, W = the shortest literal's
 * length, at most 8.  The first W bytes of a literal are its key; at each
 * position of the text the W bytes found there are the key of every
 * literal that can start there.  So a scan needs, per position, one
 * unaligned load, a multiply and a bit test in a filter (a bitmap indexed
 * by a hash of the key, or by the key itself when W <= 2); only where the
 * filter says yes is the hash table of keys asked, and the literals of
 * that key compared (few one by one, many by bisection in byte order).  A
 * position where no literal starts is thus passed over in a few cycles whatever the number of literals, and
 * memory grows with the literals' bytes, not with a state machine.
 *
 * Positions are tried from left to right and all literals of one key are
 * looked at together, so the first hit is the leftmost occurrence, and the
 * longest literal of its bucket that matches is the longest there.
 */
#include "multi_literal.h"

#include <stdlib.h>
#include <string.h>

#define KEY_MAX 8
#define HASH_MUL UINT64_C(0x9E3779B97F4A7C15)

/* One distinct literal: its bytes and the ids it was given. */
struct uniq {
	size_t off;        /* into bytes */
	uint32_t len;
	uint32_t ids_first; /* into ids */
	uint32_t ids_count;
};

/* One key: its literals, longest first. */
struct slot {
	uint64_t key;
	uint32_t first; /* into uniq */
	uint32_t count; /* 0: empty slot */
};

struct tier {
	size_t max_len;    /* of its literals */
	size_t w;          /* key width in bytes, 1..8 */
	uint64_t mask;     /* the key's bytes of a 64-bit load */
	uint64_t fold;     /* 0x20 in each key byte when caseless, else 0 */
	int caseless;
	int direct;        /* the filter is indexed by the key itself */
	unsigned fbits;    /* log2 of the filter's size in bits */
	uint64_t *filter;
	unsigned tbits;    /* log2 of the table's size */
	struct slot *table;
	struct uniq *uniq;
	size_t n_uniq;
	uint32_t *ids;
	unsigned char *bytes;
	size_t memory;
};

/* The W bytes at p as a number: the same bytes give the same number on
 * either byte order; the caller guarantees 8 readable bytes. */
static inline uint64_t load8(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The same for fewer than 8 readable bytes (the end of the text). */
static inline uint64_t load_short(const unsigned char *p, size_t avail)
{
	unsigned char b[8] = {0};
	memcpy(b, p, avail < 8 ? avail : 8);
	return load8(b);
}

static void tier_free(struct tier *ml);

static inline uint64_t hash_of(uint64_t key, unsigned bits)
{
	return (key * HASH_MUL) >> (64 - bits);
}

static inline unsigned char fold_byte(unsigned char c, int caseless)
{
	return caseless ? (unsigned char)(c | 0x20) : c;
}

/* For sorting: literals of one key together, in byte order (a prefix
 * before what extends it), equal ones adjacent with their ids in order. */
struct sort_item {
	const unsigned char *bytes;
	size_t len;
	uint32_t id;
	uint64_t key;
};

static int by_key_bytes(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	int c = memcmp(x->bytes, y->bytes, x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static unsigned log2_ceil(size_t n)
{
	unsigned b = 0;
	while (((size_t)1 << b) < n)
		b++;
	return b;
}

static const struct slot *lookup(const struct tier *ml, uint64_t key)
{
	size_t tmask = ((size_t)1 << ml->tbits) - 1;
	size_t i = (size_t)hash_of(key, ml->tbits);
	for (;;) {
		const struct slot *s = &ml->table[i];
		if (s->count == 0)
			return NULL;
		if (s->key == key)
			return s;
		i = (i + 1) & tmask;
	}
}

static int tier_build(struct tier **out, const struct mapq__mlit_item *items,
                      size_t n, int caseless)
{
	*out = NULL;
	if (n == 0 || n > UINT32_MAX)
		return -1;
	struct tier *ml = calloc(1, sizeof *ml);
	struct sort_item *si = malloc(n * sizeof *si);
	if (ml == NULL || si == NULL)
		goto fail;
	size_t w = KEY_MAX, total = 0;
	for (size_t i = 0; i < n; i++) {
		if (items[i].len == 0 || items[i].len > UINT32_MAX)
			goto fail;
		if (items[i].len < w)
			w = items[i].len;
		total += items[i].len;
	}
	ml->w = w;
	for (size_t i = 0; i < n; i++)
		if (items[i].len > ml->max_len)
			ml->max_len = items[i].len;
	ml->mask = w == 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * w)) - 1;
	ml->caseless = caseless;
	ml->fold = caseless ? UINT64_C(0x2020202020202020) & ml->mask : 0;

	/* Copy the literals, folded when caseless: compared folded. */
	ml->bytes = malloc(total);
	if (ml->bytes == NULL)
		goto fail;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char *dst = ml->bytes + at;
		for (size_t k = 0; k < items[i].len; k++)
			dst[k] = fold_byte(items[i].bytes[k], caseless);
		si[i].bytes = dst;
		si[i].len = items[i].len;
		si[i].id = items[i].id;
		si[i].key = load_short(dst, w) & ml->mask;
		at += items[i].len;
	}
	qsort(si, n, sizeof *si, by_key_bytes);

	/* Distinct literals, their ids, and the number of keys. */
	ml->uniq = malloc(n * sizeof *ml->uniq);
	ml->ids = malloc(n * sizeof *ml->ids);
	if (ml->uniq == NULL || ml->ids == NULL)
		goto fail;
	size_t n_keys = 0;
	for (size_t i = 0; i < n; i++) {
		int same = i > 0 && si[i].len == si[i - 1].len &&
		           memcmp(si[i].bytes, si[i - 1].bytes, si[i].len) == 0;
		if (!same) {
			if (i == 0 || si[i].key != si[i - 1].key)
				n_keys++;
			struct uniq *u = &ml->uniq[ml->n_uniq++];
			u->off = (size_t)(si[i].bytes - ml->bytes);
			u->len = (uint32_t)si[i].len;
			u->ids_first = (uint32_t)i;
			u->ids_count = 0;
		}
		ml->ids[i] = si[i].id;
		ml->uniq[ml->n_uniq - 1].ids_count++;
	}

	/* The table: at most half full. */
	ml->tbits = log2_ceil(n_keys * 2);
	if (ml->tbits < 4)
		ml->tbits = 4;
	ml->table = calloc((size_t)1 << ml->tbits, sizeof *ml->table);
	if (ml->table == NULL)
		goto fail;
	size_t tmask = ((size_t)1 << ml->tbits) - 1;
	for (size_t u = 0; u < ml->n_uniq; u++) {
		uint64_t key = load_short(ml->bytes + ml->uniq[u].off, w) & ml->mask;
		size_t i = (size_t)hash_of(key, ml->tbits);
		while (ml->table[i].count != 0 && ml->table[i].key != key)
			i = (i + 1) & tmask;
		if (ml->table[i].count == 0) {
			ml->table[i].key = key;
			ml->table[i].first = (uint32_t)u;
		}
		ml->table[i].count++;
	}

	/* The filter: the key itself when it has at most 16 bits, else a
	 * hash with about 64 bits per key (few false hits), within 2^12 ..
	 * 2^23 bits (1 MiB: stays in the outer caches). */
	if (w <= 2) {
		ml->direct = 1;
		ml->fbits = (unsigned)(8 * w);
	} else {
		ml->fbits = log2_ceil(n_keys) + 6;
		if (ml->fbits < 12)
			ml->fbits = 12;
		if (ml->fbits > 23)
			ml->fbits = 23;
	}
	size_t fwords = ((size_t)1 << ml->fbits) / 64;
	if (fwords == 0)
		fwords = 1;
	ml->filter = calloc(fwords, sizeof *ml->filter);
	if (ml->filter == NULL)
		goto fail;
	for (size_t i = 0; i <= tmask; i++) {
		if (ml->table[i].count == 0)
			continue;
		uint64_t h = ml->direct ? ml->table[i].key
		                        : hash_of(ml->table[i].key, ml->fbits);
		ml->filter[h >> 6] |= UINT64_C(1) << (h & 63);
	}
	ml->memory = sizeof *ml + total + n * (sizeof *ml->uniq + sizeof *ml->ids) +
	             ((size_t)1 << ml->tbits) * sizeof *ml->table +
	             fwords * sizeof *ml->filter;
	free(si);
	*out = ml;
	return 0;

fail:
	free(si);
	tier_free(ml);
	return -1;
}

static void tier_free(struct tier *ml)
{
	if (ml == NULL)
		return;
	free(ml->filter);
	free(ml->table);
	free(ml->uniq);
	free(ml->ids);
	free(ml->bytes);
	free(ml);
}


/* A bucket this small is compared literal by literal; a bigger one (many
 * literals behind one key: ids that share their first bytes) is searched
 * by bisection. */
#define BUCKET_LINEAR 8

/* Do the bytes of literal u follow at p (its first w bytes are known to
 * agree)?  avail: bytes readable from p. */
static inline int tail_matches(const struct tier *ml, const struct uniq *u,
                               const unsigned char *p, size_t avail)
{
	if (u->len > avail)
		return 0;
	const unsigned char *lit = ml->bytes + u->off;
	if (!ml->caseless)
		return memcmp(lit + ml->w, p + ml->w, u->len - ml->w) == 0;
	for (size_t k = ml->w; k < u->len; k++)
		if ((unsigned char)(p[k] | 0x20) != lit[k])
			return 0;
	return 1;
}

/* Literal u against the text p[0, lim) (same key): < 0 or > 0 in byte
 * order, 0 when u is a prefix of it; *common: their common length. */
static int cmp_text(const struct tier *ml, const struct uniq *u,
                    const unsigned char *p, size_t lim, size_t *common)
{
	const unsigned char *lit = ml->bytes + u->off;
	size_t n = u->len < lim ? u->len : lim;
	for (size_t k = ml->w; k < n; k++) {
		unsigned char t = ml->caseless ? (unsigned char)(p[k] | 0x20) : p[k];
		if (lit[k] != t) {
			*common = k;
			return lit[k] < t ? -1 : 1;
		}
	}
	*common = n;
	return u->len <= lim ? 0 : 1;
}

/*
 * The longest literal of bucket s that is a prefix of p[0, lim), or NULL.
 * In byte order, the last literal X not after the text is, if it is a
 * prefix of the text, the longest such (any shorter one lies before X
 * and is a prefix of X too); if it is not, every prefix of the text that
 * is a literal is also a prefix of what X and the text share, so the
 * search goes on with the text cut to that, which is shorter each time.
 */
static const struct uniq *longest_in_bucket(const struct tier *ml,
                                            const struct slot *s,
                                            const unsigned char *p, size_t lim)
{
	const struct uniq *b = &ml->uniq[s->first];
	if (s->count <= BUCKET_LINEAR) {
		const struct uniq *best = NULL;
		for (uint32_t k = 0; k < s->count; k++)
			if ((best == NULL || b[k].len > best->len) &&
			    tail_matches(ml, &b[k], p, lim))
				best = &b[k];
		return best;
	}
	while (lim >= ml->w) {
		uint32_t lo = 0, hi = s->count;
		size_t common;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (cmp_text(ml, &b[mid], p, lim, &common) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0)
			return NULL;
		if (cmp_text(ml, &b[lo - 1], p, lim, &common) == 0)
			return &b[lo - 1];
		lim = common;
	}
	return NULL;
}

/* The longest literal of key `key` at p, or NULL. */
static inline const struct uniq *longest_at(const struct tier *ml,
                                            uint64_t key,
                                            const unsigned char *p,
                                            size_t avail)
{
	uint64_t h = ml->direct ? key : hash_of(key, ml->fbits);
	if (!(ml->filter[h >> 6] & (UINT64_C(1) << (h & 63))))
		return NULL;
	const struct slot *s = lookup(ml, key);
	if (s == NULL)
		return NULL;
	return longest_in_bucket(ml, s, p, avail);
}

static const unsigned char *tier_find(const struct tier *ml,
                                     const unsigned char *p,
                                     const unsigned char *end, size_t *len,
                                     uint32_t *id)
{
	if (p >= end || (size_t)(end - p) < ml->w)
		return NULL;
	const uint64_t mask = ml->mask, fold = ml->fold;
	const uint64_t *filter = ml->filter;
	const unsigned fshift = 64 - ml->fbits;
	const unsigned char *q = p;
	const struct uniq *u;
	/* Positions with 8 readable bytes: one load each. */
	if (end - p >= 8) {
		const unsigned char *last = end - 8;
		if (ml->direct) {
			for (; q <= last; q++) {
				uint64_t key = (load8(q) | fold) & mask;
				if (!(filter[key >> 6] & (UINT64_C(1) << (key & 63))))
					continue;
				u = longest_at(ml, key, q, (size_t)(end - q));
				if (u != NULL)
					goto found;
			}
		} else {
			for (; q <= last; q++) {
				uint64_t key = (load8(q) | fold) & mask;
				uint64_t h = (key * HASH_MUL) >> fshift;
				if (!(filter[h >> 6] & (UINT64_C(1) << (h & 63))))
					continue;
				u = longest_at(ml, key, q, (size_t)(end - q));
				if (u != NULL)
					goto found;
			}
		}
	}
	/* The last positions, where a literal of w bytes still fits. */
	for (; (size_t)(end - q) >= ml->w; q++) {
		uint64_t key = (load_short(q, (size_t)(end - q)) | fold) & mask;
		u = longest_at(ml, key, q, (size_t)(end - q));
		if (u != NULL)
			goto found;
	}
	return NULL;

found:
	*len = u->len;
	*id = ml->ids[u->ids_first];
	return q;
}

static size_t tier_each_at(const struct tier *ml, const unsigned char *at,
                          const unsigned char *end,
                          void (*fn)(void *ctx, uint32_t id), void *ctx)
{
	if (at >= end || (size_t)(end - at) < ml->w)
		return 0;
	size_t avail = (size_t)(end - at);
	uint64_t key = (load_short(at, avail) | ml->fold) & ml->mask;
	const struct slot *s = lookup(ml, key);
	if (s == NULL)
		return 0;
	/* The longest, then the longest shorter than it, and so on. */
	size_t found = 0;
	const struct uniq *u;
	while (avail >= ml->w && (u = longest_in_bucket(ml, s, at, avail)) != NULL) {
		for (uint32_t i = 0; i < u->ids_count; i++) {
			fn(ctx, ml->ids[u->ids_first + i]);
			found++;
		}
		avail = u->len - 1;
	}
	return found;
}

/* ---- the set: literals in tiers by length ---- */

/*
 * One key width for all literals would let a single 1-byte literal make
 * every literal's key one byte long, and the literals behind a common
 * byte be compared at each of its occurrences.  So literals of 1 byte,
 * of 2-3 bytes and of 4 or more form separate tiers, each keyed by its
 * own shortest length; a search asks each tier and keeps the leftmost
 * (then longest) answer, later tiers only up to the best so far.
 */
#define TIERS 3

struct mapq__mlit {
	struct tier *tier[TIERS];
};

static int tier_of(size_t len)
{
	return len == 1 ? 0 : len < 4 ? 1 : 2;
}

int mapq__mlit_create(struct mapq__mlit **out, const struct mapq__mlit_item *items,
                      size_t n, int caseless)
{
	*out = NULL;
	struct mapq__mlit *ml = calloc(1, sizeof *ml);
	struct mapq__mlit_item *part = malloc((n ? n : 1) * sizeof *part);
	if (ml == NULL || part == NULL)
		goto fail;
	for (int t = TIERS - 1; t >= 0; t--) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (items[i].len > 0 && tier_of(items[i].len) == t)
				part[k++] = items[i];
		if (k > 0 && tier_build(&ml->tier[t], part, k, caseless) != 0)
			goto fail;
	}
	free(part);
	*out = ml;
	return 0;
fail:
	free(part);
	mapq__mlit_destroy(ml);
	return -1;
}

void mapq__mlit_destroy(struct mapq__mlit *ml)
{
	if (ml == NULL)
		return;
	for (int t = 0; t < TIERS; t++)
		tier_free(ml->tier[t]);
	free(ml);
}

size_t mapq__mlit_memory(const struct mapq__mlit *ml)
{
	size_t total = ml != NULL ? sizeof *ml : 0;
	for (int t = 0; ml != NULL && t < TIERS; t++)
		total += ml->tier[t] != NULL ? ml->tier[t]->memory : 0;
	return total;
}

const unsigned char *mapq__mlit_find(const struct mapq__mlit *ml,
                                     const unsigned char *p,
                                     const unsigned char *end, size_t *len,
                                     uint32_t *id)
{
	const unsigned char *best = NULL;
	/* The long literals first: their filter is the most selective, and
	 * it bounds the others' scans. */
	for (int t = TIERS - 1; t >= 0; t--) {
		const struct tier *tr = ml->tier[t];
		if (tr == NULL)
			continue;
		const unsigned char *stop = end;
		if (best != NULL && (size_t)(end - best) > tr->max_len)
			stop = best + tr->max_len;
		size_t l;
		uint32_t i;
		const unsigned char *hit = tier_find(tr, p, stop, &l, &i);
		if (hit == NULL)
			continue;
		if (best == NULL || hit < best || (hit == best && l > *len) ||
		    (hit == best && l == *len && i < *id)) {
			best = hit;
			*len = l;
			*id = i;
		}
	}
	return best;
}

size_t mapq__mlit_each_at(const struct mapq__mlit *ml, const unsigned char *at,
                          const unsigned char *end,
                          void (*fn)(void *ctx, uint32_t id), void *ctx)
{
	size_t found = 0;
	for (int t = 0; t < TIERS; t++)
		if (ml->tier[t] != NULL)
			found += tier_each_at(ml->tier[t], at, end, fn, ctx);
	return found;
}
