/*
 * xxh64.c - the XXH64 hash (seed 0), streaming.
 *
 * zstd frames end with the low 32 bits of the XXH64 of their content, and
 * the seekable format's seek table may repeat that value per frame.  libzstd
 * checks a frame's own checksum but does not export the hash, so frames
 * that carry no checksum of their own are checked against the seek table
 * with this implementation, written from the algorithm's description: four
 * 64-bit lanes over 32-byte stripes, then the tail, then an avalanche.
 */
#include <string.h>

#include "internal.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t read64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* One lane step: fold 8 input bytes into an accumulator. */
static uint64_t lane_round(uint64_t acc, uint64_t input)
{
	acc += input * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static uint64_t merge_lane(uint64_t h, uint64_t v)
{
	h ^= lane_round(0, v);
	return h * P1 + P4;
}

void mapq__xxh64_init(struct mapq__xxh64 *h)
{
	h->v[0] = P1 + P2;
	h->v[1] = P2;
	h->v[2] = 0;
	h->v[3] = 0 - P1;
	h->total = 0;
	h->buffered = 0;
}

static void stripe(uint64_t v[4], const unsigned char *p)
{
	for (int i = 0; i < 4; i++)
		v[i] = lane_round(v[i], read64(p + 8 * i));
}

void mapq__xxh64_update(struct mapq__xxh64 *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	h->total += n;
	if (h->buffered > 0) {
		size_t take = 32 - h->buffered;
		if (take > n)
			take = n;
		memcpy(h->buf + h->buffered, p, take);
		h->buffered += (unsigned)take;
		p += take;
		n -= take;
		if (h->buffered < 32)
			return;
		stripe(h->v, h->buf);
		h->buffered = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		stripe(h->v, p);
	memcpy(h->buf, p, n);
	h->buffered = (unsigned)n;
}

uint64_t mapq__xxh64_digest(const struct mapq__xxh64 *h)
{
	uint64_t acc;
	if (h->total >= 32) {
		acc = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) +
		      rotl(h->v[3], 18);
		for (int i = 0; i < 4; i++)
			acc = merge_lane(acc, h->v[i]);
	} else {
		acc = P5; /* seed 0 */
	}
	acc += h->total;

	const unsigned char *p = h->buf;
	unsigned n = h->buffered;
	for (; n >= 8; p += 8, n -= 8) {
		acc ^= lane_round(0, read64(p));
		acc = rotl(acc, 27) * P1 + P4;
	}
	if (n >= 4) {
		acc ^= (uint64_t)mapq__le32(p) * P1;
		acc = rotl(acc, 23) * P2 + P3;
		p += 4;
		n -= 4;
	}
	for (; n > 0; p++, n--) {
		acc ^= *p * P5;
		acc = rotl(acc, 11) * P1;
	}

	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}
