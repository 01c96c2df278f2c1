/*
 * zstd_format.h - what the zstd format says about bytes: frame and
 * skippable magic numbers, the seekable format's seek table, recognising
 * compressed input.  Pure functions of the bytes they are given; they know
 * nothing of files (callers reading a mapping hold the SIGBUS guard).
 */
#ifndef MAPQ_INPUT_ZSTD_FORMAT_H
#define MAPQ_INPUT_ZSTD_FORMAT_H

#include <stdint.h>

#include "mapq.h"

/* zstd's frame magic (bytes 28 B5 2F FD) and skippable frame magics
 * (0x184D2A50 to 0x184D2A5F), as little-endian 32-bit values. */
#define MAPQ__ZSTD_FRAME_MAGIC 0xFD2FB528u
#define MAPQ__SKIPPABLE_MASK 0xFFFFFFF0u
#define MAPQ__SKIPPABLE_BASE 0x184D2A50u
/* The longest zstd frame header (ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h
 * only gives to static linking). */
#define MAPQ__ZSTD_FRAME_HEADER_MAX 18u

/* Seek table constants of the format (little-endian on disk). */
#define MAPQ__SEEKABLE_MAGIC 0x8F92EAB1u
#define MAPQ__SEEK_TABLE_SKIPPABLE 0x184D2A5Eu
#define MAPQ__SEEK_FOOTER_SIZE 9u

/* A little-endian 32-bit field of a zstd frame or seek table. */
static inline uint32_t mapq__le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * The seek table of a zstd seekable file, as cumulative offsets so that a
 * frame is found by binary search.  Frame i occupies raw bytes
 * [raw[i], raw[i+1]) and holds decompressed bytes [dec[i], dec[i+1]);
 * raw[n] is where the seek table's own frame begins.
 */
struct mapq__seek_table {
	uint64_t n;         /* number of frames */
	uint64_t *raw;      /* n + 1 compressed offsets */
	uint64_t *dec;      /* n + 1 decompressed offsets */
	uint32_t *checksum; /* n checksums, or NULL when the table has none */
};

/*
 * Parse the seek table at the end of [data, data + size) (a whole
 * compressed file) and check its arithmetic against the file's size: a
 * frame count the table's bytes can hold, frames that start at offset 0
 * and add up to exactly where the table's own frame begins.  Returns 1
 * with *t filled (free it with mapq__seek_table_free), 0 when the data
 * does not end with the seekable magic number (no seek table: *t is
 * empty), MAPQ_ECORRUPT with a message that starts with `name` and says
 * what does not add up, or MAPQ_ENOMEM when the frame arrays cannot be
 * allocated.  Reads only the table's bytes.
 */
int mapq__seek_table_parse(struct mapq__seek_table *t,
                           const unsigned char *data, uint64_t size,
                           const char *name, mapq_error *err);
/*
 * Reads n bytes of a file at raw offset `off` into buf: 0, or -1 when they
 * cannot be read.  (Detection reads a few bytes at each frame seam with
 * pread(2), which costs a system call where touching the mapping would
 * cost a page fault and its fault-around.)
 */
typedef int (*mapq__read_at)(void *ctx, uint64_t off, unsigned char *buf,
                             size_t n);

/* A mapq__read_at over bytes in memory, ctx pointing at this. */
struct mapq__memory {
	const unsigned char *data;
	uint64_t size;
};
int mapq__memory_read_at(void *ctx, uint64_t off, unsigned char *buf,
                         size_t n);

/*
 * 1 when every frame of the file that table t (parsed from it) lists
 * agrees with its entry, from the frame's first bytes and last four, read
 * through read_at: a skippable frame of exactly the entry's size and no
 * data, or a zstd frame with a valid header, whose declared content size
 * (if any) is the entry's, whose own checksum (if any) is the table's, and
 * which decodes to nothing when the entry calls it empty.  0 otherwise
 * (also when bytes cannot be read).
 */
int mapq__seek_table_fits(const struct mapq__seek_table *t,
                          mapq__read_at read_at, void *ctx);
void mapq__seek_table_free(struct mapq__seek_table *t);
/* Index of the frame holding decompressed offset `offset`, or t->n. */
uint64_t mapq__seek_table_find(const struct mapq__seek_table *t,
                               uint64_t offset);

/* What a file's bytes are. */
struct mapq__zstd_info {
	int compression;              /* enum mapq_compression */
	uint64_t dsize;               /* data size, MAPQ_SIZE_UNKNOWN */
	struct mapq__seek_table seek; /* MAPQ_COMPRESSION_ZSTD_SEEKABLE */
};

/*
 * Recognise zstd in a whole file's raw bytes [data, data + size) and fill
 * *z (z->dsize must hold the raw size on entry).  Plain bytes stay
 * MAPQ_COMPRESSION_NONE.  zstd data (a frame or a skippable frame at
 * offset 0) is MAPQ_COMPRESSION_ZSTD_SEEKABLE when it ends with a seek
 * table that the whole file keeps (mapq__seek_table_parse and
 * mapq__seek_table_fits), and MAPQ_COMPRESSION_ZSTD_STREAM otherwise (no
 * table, a damaged one, files concatenated): read from offset 0 as zstd
 * -dc reads it.  Returns 0, or MAPQ_ECORRUPT for what zstd -dc refuses
 * before its first byte (leading skippable frames cut short, no zstd
 * frame after them, an invalid first frame header), or MAPQ_ENOMEM.
 */
int mapq__zstd_detect(struct mapq__zstd_info *z, const unsigned char *data,
                      uint64_t size, mapq__read_at read_at, void *ctx,
                      const char *name, mapq_error *err);
/*
 * The same for a stream, from its first n bytes (n < 4: too short to be
 * zstd).  A stream has no seek table to use: zstd data is read as a zstd
 * stream (the decoder checks the rest as it goes).
 */
int mapq__zstd_detect_stream(struct mapq__zstd_info *z, const unsigned char *p,
                             uint64_t n, const char *name, mapq_error *err);
void mapq__zstd_info_free(struct mapq__zstd_info *z);

/* 1 when the n < 4 bytes at p may be the start of a zstd frame or of a
 * skippable frame (so that more bytes are needed to tell). */
int mapq__zstd_may_begin(const unsigned char *p, uint64_t n);

/*
 * The decompressed size of a zstd stream [data, data + size) from its frame
 * headers: 1 with *size set when every frame declares its content size, 0
 * when one does not (or the walk meets something it cannot read).
 */
int mapq__zstd_size_from_headers(const unsigned char *data, uint64_t size,
                                 uint64_t *total);

#endif /* MAPQ_INPUT_ZSTD_FORMAT_H */
