/*
 * zstd_format.c - recognising zstd input, the seekable format's seek table,
 * and the size of compressed data.
 *
 * A compressed file keeps its raw bytes as a plain file does; what changes
 * is how scans read them (zscan.c).  Detection looks at content only.
 *
 * A seek table is a promise about the file, and it is used for random
 * access only when the file keeps it: the table parses, its frames start at
 * offset 0 and end exactly where the table's own frame begins, and every
 * frame's first bytes (and last four) agree with its entry.  Anything less
 * (files concatenated with cat, a damaged table) and the file is read as a
 * zstd stream from offset 0, frame after frame, as zstd -dc reads it: the
 * table's frame is then only a skippable frame like any other.  So a table
 * can never make mapq read other bytes than zstd -dc does, and the only
 * files refused at open are those zstd -dc refuses before its first byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common/error.h"
#include "zstd_format.h"

/* Skippable frame header: magic and size, 4 bytes each. */
#define SKIPPABLE_HEADER 8u

static int is_skippable(uint32_t magic)
{
	return (magic & MAPQ__SKIPPABLE_MASK) == MAPQ__SKIPPABLE_BASE;
}

/* "NAME: PREFIX<formatted reason>", as MAPQ_ECORRUPT. */
static int corrupt(mapq_error *err, const char *name, const char *prefix,
                   const char *fmt, va_list ap)
{
	if (err == NULL)
		return MAPQ_ECORRUPT;
	char what[512];
	vsnprintf(what, sizeof what, fmt, ap);
	return mapq__error_set(err, MAPQ_ECORRUPT, 0, "%s: %s%s", name, prefix,
	                       what);
}

/* The parser's errors: it has a name, not a file. */
static int table_error(mapq_error *err, const char *name, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
static int table_error(mapq_error *err, const char *name, const char *fmt,
                       ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = corrupt(err, name, "corrupt seek table: ", fmt, ap);
	va_end(ap);
	return rc;
}

void mapq__seek_table_free(struct mapq__seek_table *t)
{
	if (t == NULL)
		return;
	free(t->raw);
	free(t->dec);
	free(t->checksum);
	memset(t, 0, sizeof *t);
}

int mapq__seek_table_parse(struct mapq__seek_table *t,
                           const unsigned char *data, uint64_t size,
                           const char *name, mapq_error *err)
{
	memset(t, 0, sizeof *t);
	if (size < 4 || mapq__le32(data + size - 4) != MAPQ__SEEKABLE_MAGIC)
		return 0;
	if (size < SKIPPABLE_HEADER + MAPQ__SEEK_FOOTER_SIZE)
		return table_error(err, name,
		                   "the file (%llu bytes) is too short to hold one",
		                   (unsigned long long)size);

	const unsigned char *footer = data + size - MAPQ__SEEK_FOOTER_SIZE;
	uint64_t n = mapq__le32(footer);
	unsigned descriptor = footer[4];
	/* Bits 6-2 are reserved for incompatible changes of the format;
	 * bits 1-0 may be used compatibly and are ignored. */
	if (descriptor & 0x7Cu)
		return table_error(err, name,
		                   "descriptor 0x%02x has reserved bits set",
		                   descriptor);
	int has_checksum = (descriptor & 0x80u) != 0;
	uint64_t entry_size = has_checksum ? 12 : 8;

	/* n < 2^32 and entry_size <= 12: no overflow in 64 bits.  This is
	 * the cap on what a table may claim: its entries must fit in the
	 * file, so a corrupt count cannot make us allocate more than the
	 * file's size. */
	uint64_t table_len = n * entry_size + MAPQ__SEEK_FOOTER_SIZE;
	if (table_len + SKIPPABLE_HEADER > size)
		return table_error(err, name,
		                   "it claims %llu frames, more than a file of "
		                   "%llu bytes can hold",
		                   (unsigned long long)n,
		                   (unsigned long long)size);
	uint64_t table_start = size - table_len - SKIPPABLE_HEADER;
	const unsigned char *frame = data + table_start;
	if (mapq__le32(frame) != MAPQ__SEEK_TABLE_SKIPPABLE)
		return table_error(err, name,
		                   "no skippable frame header at offset %llu, "
		                   "where %llu entries would begin",
		                   (unsigned long long)table_start,
		                   (unsigned long long)n);
	if (mapq__le32(frame + 4) != table_len)
		return table_error(err, name,
		                   "its frame size is %lu bytes, but %llu "
		                   "entries and the footer take %llu",
		                   (unsigned long)mapq__le32(frame + 4),
		                   (unsigned long long)n,
		                   (unsigned long long)table_len);

	t->raw = malloc((size_t)(n + 1) * sizeof *t->raw);
	t->dec = malloc((size_t)(n + 1) * sizeof *t->dec);
	if (has_checksum && n > 0)
		t->checksum = malloc((size_t)n * sizeof *t->checksum);
	if (t->raw == NULL || t->dec == NULL ||
	    (has_checksum && n > 0 && t->checksum == NULL)) {
		mapq__seek_table_free(t);
		return mapq__error_set(err, MAPQ_ENOMEM, 0,
		                       "%s: out of memory for a seek table of "
		                       "%llu frames",
		                       name, (unsigned long long)n);
	}
	t->n = n;
	t->raw[0] = 0;
	t->dec[0] = 0;
	const unsigned char *e = frame + SKIPPABLE_HEADER;
	for (uint64_t i = 0; i < n; i++, e += entry_size) {
		uint64_t csize = mapq__le32(e);
		uint64_t dsize = mapq__le32(e + 4);
		if (csize == 0 && dsize > 0) {
			mapq__seek_table_free(t);
			return table_error(err, name,
			                   "frame %llu has no compressed bytes "
			                   "but %llu decompressed ones",
			                   (unsigned long long)i,
			                   (unsigned long long)dsize);
		}
		/* raw[i] <= table_start < 2^64 and csize < 2^32. */
		t->raw[i + 1] = t->raw[i] + csize;
		if (t->raw[i + 1] > table_start) {
			uint64_t at = t->raw[i];
			mapq__seek_table_free(t);
			return table_error(err, name,
			                   "frame %llu (at offset %llu, %llu "
			                   "bytes) runs past the seek table at "
			                   "offset %llu",
			                   (unsigned long long)i,
			                   (unsigned long long)at,
			                   (unsigned long long)csize,
			                   (unsigned long long)table_start);
		}
		/* At most 2^32 frames of less than 2^32 bytes: no overflow. */
		t->dec[i + 1] = t->dec[i] + dsize;
		if (has_checksum)
			t->checksum[i] = mapq__le32(e + 8);
	}
	if (t->raw[n] != table_start) {
		uint64_t sum = t->raw[n];
		mapq__seek_table_free(t);
		return table_error(err, name,
		                   "its frames add up to %llu bytes, but the "
		                   "seek table starts at offset %llu",
		                   (unsigned long long)sum,
		                   (unsigned long long)table_start);
	}
	return 1;
}

uint64_t mapq__seek_table_find(const struct mapq__seek_table *t,
                               uint64_t offset)
{
	if (t->n == 0 || offset >= t->dec[t->n])
		return t->n;
	/* The last frame i with dec[i] <= offset: as offset < dec[n], its
	 * successor starts after offset, so frame i is not empty and holds
	 * the byte.  Invariant: dec[lo] <= offset < dec[hi]. */
	uint64_t lo = 0, hi = t->n;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (t->dec[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}


/*
 * Where the first frame that is not skippable begins, walking the
 * skippable frames from offset 0.  Sets *off (size when the file holds
 * only skippable frames).  Reads mapped bytes: the caller holds the guard.
 */
static int skip_skippable(const unsigned char *d, uint64_t size,
                          const char *name, uint64_t *off, mapq_error *err)
{
	uint64_t at = 0;
	while (size - at >= 4 && is_skippable(mapq__le32(d + at))) {
		if (size - at < SKIPPABLE_HEADER)
			return mapq__error_corrupt(err, name,
			                           "skippable frame at offset %llu "
			                           "is cut short",
			                           (unsigned long long)at);
		uint64_t len = mapq__le32(d + at + 4);
		if (len > size - at - SKIPPABLE_HEADER)
			return mapq__error_corrupt(err, name,
			                           "skippable frame at offset %llu "
			                           "runs past the end of the file",
			                           (unsigned long long)at);
		at += SKIPPABLE_HEADER + len;
	}
	*off = at;
	return MAPQ_OK;
}

/* Bytes of a zstd frame header, from its descriptor byte (the format's
 * Frame_Header_Descriptor: Single_Segment_flag, Dictionary_ID_flag and
 * Frame_Content_Size_flag give the optional fields' sizes). */
static uint64_t frame_header_size(unsigned fhd)
{
	static const unsigned dict_id[4] = {0, 1, 2, 4};
	static const unsigned content[4] = {0, 2, 4, 8};
	unsigned single = (fhd >> 5) & 1u;
	unsigned fcs = fhd >> 6;
	return 4 + 1 + (single ? 0 : 1) + dict_id[fhd & 3u] +
	       (fcs == 0 ? single : content[fcs]);
}

/* A frame's content-checksum bit, in its descriptor byte. */
#define FRAME_HAS_CHECKSUM 0x04u
/* The smallest zstd block: its 3-byte header. */
#define BLOCK_HEADER 3u

/*
 * Does frame i of the file agree with its seek table entry, as far as its
 * first bytes and its last four show?  A skippable frame fills exactly
 * its entry and holds no data; a zstd frame has a valid header, declares
 * the entry's size when it declares one, ends with the table's checksum
 * when it carries its own, and decodes to nothing when the entry calls it
 * empty (such a frame is never read otherwise).
 */
/* Bytes read of an empty frame to see that it decodes to nothing. */
#define EMPTY_FRAME_READ ((size_t)4096)

static int frame_fits(const struct mapq__seek_table *t, uint64_t i,
                      mapq__read_at read_at, void *ctx)
{
	uint64_t csize = t->raw[i + 1] - t->raw[i];
	uint64_t dsize = t->dec[i + 1] - t->dec[i];
	if (csize == 0)
		return dsize == 0; /* nothing in the file, nothing in the data */
	if (csize < 4)
		return 0;
	unsigned char fr[MAPQ__ZSTD_FRAME_HEADER_MAX];
	size_t head = (size_t)(csize < MAPQ__ZSTD_FRAME_HEADER_MAX
	                               ? csize
	                               : MAPQ__ZSTD_FRAME_HEADER_MAX);
	if (read_at(ctx, t->raw[i], fr, head) != 0)
		return 0;
	uint32_t magic = mapq__le32(fr);
	if (is_skippable(magic))
		return dsize == 0 && csize >= SKIPPABLE_HEADER &&
		       mapq__le32(fr + 4) == csize - SKIPPABLE_HEADER;
	if (magic != MAPQ__ZSTD_FRAME_MAGIC || csize < 5)
		return 0;
	/* ZSTD_getFrameContentSize() fails on a header that is invalid or
	 * longer than the bytes it is given. */
	unsigned long long declared = ZSTD_getFrameContentSize(fr, head);
	if (declared == ZSTD_CONTENTSIZE_ERROR)
		return 0;
	if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != dsize)
		return 0;
	unsigned fhd = fr[4];
	uint64_t hsize = frame_header_size(fhd);
	if (fhd & FRAME_HAS_CHECKSUM) {
		if (csize < hsize + BLOCK_HEADER + 4)
			return 0;
		unsigned char sum[4];
		if (t->checksum != NULL &&
		    (read_at(ctx, t->raw[i + 1] - 4, sum, 4) != 0 ||
		     mapq__le32(sum) != t->checksum[i]))
			return 0;
	} else if (csize < hsize + BLOCK_HEADER) {
		return 0;
	}
	if (dsize == 0) {
		/* Decoding stops at the first block with data: cheap.  An
		 * empty frame is a few bytes; one this long is not empty. */
		if (csize > EMPTY_FRAME_READ)
			return 0;
		unsigned char whole[EMPTY_FRAME_READ], none[1];
		if (read_at(ctx, t->raw[i], whole, (size_t)csize) != 0 ||
		    ZSTD_decompress(none, 0, whole, (size_t)csize) != 0)
			return 0;
	}
	return 1;
}

int mapq__memory_read_at(void *ctx, uint64_t off, unsigned char *buf,
                         size_t n)
{
	const struct mapq__memory *m = ctx;
	if (off > m->size || n > m->size - off)
		return -1;
	memcpy(buf, m->data + off, n);
	return 0;
}

int mapq__seek_table_fits(const struct mapq__seek_table *t,
                          mapq__read_at read_at, void *ctx)
{
	for (uint64_t i = 0; i < t->n; i++)
		if (!frame_fits(t, i, read_at, ctx))
			return 0;
	return 1;
}

/* The checks of detection, run under the SIGBUS guard. */
static int detect_guarded(struct mapq__zstd_info *f, const unsigned char *d,
                          uint64_t size, mapq__read_at read_at, void *ctx,
                          const char *name, mapq_error *err)
{
	uint32_t magic = mapq__le32(d);
	if (magic != MAPQ__ZSTD_FRAME_MAGIC && !is_skippable(magic))
		return MAPQ_OK; /* plain bytes */

	/* What zstd -dc refuses before writing a byte is refused now, with
	 * a clear message, rather than at the first read. */
	uint64_t first = 0;
	int rc = skip_skippable(d, size, name, &first, err);
	if (rc != MAPQ_OK)
		return rc;
	if (first < size &&
	    (size - first < 4 || mapq__le32(d + first) != MAPQ__ZSTD_FRAME_MAGIC))
		return mapq__error_corrupt(err, name,
		                           "not zstd data after the skippable "
		                           "frames (offset %llu)",
		                           (unsigned long long)first);
	if (first < size) {
		uint64_t avail = size - first;
		size_t head = (size_t)(avail < MAPQ__ZSTD_FRAME_HEADER_MAX
		                               ? avail
		                               : MAPQ__ZSTD_FRAME_HEADER_MAX);
		if (ZSTD_getFrameContentSize(d + first, head) ==
		    ZSTD_CONTENTSIZE_ERROR)
			return mapq__error_corrupt(err, name,
			                           "invalid zstd frame header at "
			                           "offset %llu",
			                           (unsigned long long)first);
	}

	/* A seek table that the file keeps: random access.  One that it
	 * does not (a parse error, frames that disagree with it) is no
	 * error: the file is read as a stream, like one without a table.
	 * Only running out of memory is. */
	mapq_error perr;
	rc = mapq__seek_table_parse(&f->seek, d, size, name, &perr);
	if (rc == MAPQ_ENOMEM) {
		if (err != NULL)
			*err = perr;
		return rc;
	}
	if (rc == 1 && mapq__seek_table_fits(&f->seek, read_at, ctx)) {
		f->compression = MAPQ_COMPRESSION_ZSTD_SEEKABLE;
		f->dsize = f->seek.dec[f->seek.n];
		return MAPQ_OK;
	}
	mapq__seek_table_free(&f->seek);

	f->compression = MAPQ_COMPRESSION_ZSTD_STREAM;
	/* Skippable frames only: no data.  Otherwise the size is found by
	 * mapq_file_measure() or a scan to the end. */
	f->dsize = first == size ? 0 : MAPQ_SIZE_UNKNOWN;
	return MAPQ_OK;
}

int mapq__zstd_detect(struct mapq__zstd_info *z, const unsigned char *data,
                      uint64_t size, mapq__read_at read_at, void *ctx,
                      const char *name, mapq_error *err)
{
	z->compression = MAPQ_COMPRESSION_NONE;
	z->dsize = size;
	if (size < 4)
		return MAPQ_OK;
	int rc = detect_guarded(z, data, size, read_at, ctx, name, err);
	if (rc != MAPQ_OK) {
		mapq__seek_table_free(&z->seek);
		z->compression = MAPQ_COMPRESSION_NONE;
	}
	return rc;
}

int mapq__zstd_detect_stream(struct mapq__zstd_info *z, const unsigned char *p,
                             uint64_t n, const char *name, mapq_error *err)
{
	(void)name;
	(void)err;
	if (n < 4)
		return MAPQ_OK;
	uint32_t magic = mapq__le32(p);
	if (magic != MAPQ__ZSTD_FRAME_MAGIC && !is_skippable(magic))
		return MAPQ_OK;
	z->compression = MAPQ_COMPRESSION_ZSTD_STREAM;
	z->dsize = MAPQ_SIZE_UNKNOWN;
	return MAPQ_OK;
}

int mapq__zstd_may_begin(const unsigned char *p, uint64_t n)
{
	static const unsigned char frame[4] = {0x28, 0xB5, 0x2F, 0xFD};
	static const unsigned char skip[4] = {0x50, 0x2A, 0x4D, 0x18};
	if (n >= 4)
		return 0;
	if (memcmp(p, frame, (size_t)n) == 0)
		return 1;
	/* Skippable magics 0x184D2A50-5F: any low nibble in the first byte. */
	return n == 0 || ((p[0] & 0xF0) == 0x50 &&
	                  memcmp(p + 1, skip + 1, (size_t)(n - 1)) == 0);
}

void mapq__zstd_info_free(struct mapq__zstd_info *z)
{
	mapq__seek_table_free(&z->seek);
}

/*
 * The decompressed size of a stream from its frame headers: 1 with *size
 * set when every frame declares its content size, 0 when one does not (or
 * the walk meets something it cannot read: decompression will say what).
 * Reads mapped bytes: the caller holds the guard.
 */
int mapq__zstd_size_from_headers(const unsigned char *d, uint64_t size,
                                 uint64_t *out)
{
	uint64_t at = 0, total = 0;
	while (at < size) {
		uint64_t avail = size - at;
		if (avail < SKIPPABLE_HEADER)
			return 0;
		uint32_t magic = mapq__le32(d + at);
		if (is_skippable(magic)) {
			uint64_t len = mapq__le32(d + at + 4);
			if (len > avail - SKIPPABLE_HEADER)
				return 0;
			at += SKIPPABLE_HEADER + len;
			continue;
		}
		if (magic != MAPQ__ZSTD_FRAME_MAGIC || avail > SIZE_MAX)
			return 0;
		unsigned long long content =
		        ZSTD_getFrameContentSize(d + at, (size_t)avail);
		if (content == ZSTD_CONTENTSIZE_UNKNOWN ||
		    content == ZSTD_CONTENTSIZE_ERROR ||
		    content > UINT64_MAX - total)
			return 0;
		size_t len = ZSTD_findFrameCompressedSize(d + at, (size_t)avail);
		if (ZSTD_isError(len) || len == 0)
			return 0;
		total += content;
		at += len;
	}
	*out = total;
	return 1;
}
