/* test_zstd.c - compressed input: detection, the seek table, decompressing
 * scans, file-level ranges, and the seekable writer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "input/input.h"
#include "input/zstd_format.h"
#include "lines.h"
#include "testutil.h"

/* A growing byte buffer. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_le32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8),
	                      (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_add(b, c, 4);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Text of lines of varying length (some empty, some long). */
static unsigned char *make_text(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n + 1);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) & 0x7fff;
		p[i] = r % 37 == 0 ? '\n' : (unsigned char)('a' + r % 26);
	}
	return p;
}

/* How add_frame() writes a frame: with its own checksum (FR_SUM), without
 * its content size in the header (FR_NOSIZE, as zstd writing from a
 * pipe). */
enum { FR_SUM = 1, FR_NOSIZE = 2 };

/* Append one zstd frame of [data, data + len). */
static size_t add_frame(struct buf *b, const unsigned char *data, size_t len,
                        int how)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ck_assert_ptr_nonnull(c);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, (how & FR_SUM) != 0);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, !(how & FR_NOSIZE));
	size_t bound = ZSTD_compressBound(len);
	unsigned char *out = malloc(bound);
	size_t n = ZSTD_compress2(c, out, bound, data, len);
	ck_assert(!ZSTD_isError(n));
	buf_add(b, out, n);
	free(out);
	ZSTD_freeCCtx(c);
	return n;
}

/* Append a skippable frame of `len` payload bytes. */
static void add_skippable(struct buf *b, uint32_t magic, size_t len)
{
	buf_le32(b, magic);
	buf_le32(b, (uint32_t)len);
	for (size_t k = 0; k < len; k++)
		buf_add(b, "s", 1);
}

/* The seek table's checksum of [p, p + n): XXH64's low 32 bits. */
static uint32_t xxh32_of(const unsigned char *p, size_t n)
{
	return (uint32_t)XXH64(p, n, 0);
}

/*
 * What `zstd -dc` makes of [p, p + n): every frame in turn, skippable
 * frames skipped.  1 with *out holding the bytes, 0 when it fails (a
 * decoder error, or the input ends inside a frame).
 */
static int ref_decode(const unsigned char *p, size_t n, struct buf *out)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ck_assert_ptr_nonnull(d);
	ZSTD_inBuffer in = {p, n, 0};
	unsigned char tmp[65536];
	size_t ret = 0;
	int ok = 1;
	memset(out, 0, sizeof *out);
	while (in.pos < in.size || ret != 0) {
		ZSTD_outBuffer o = {tmp, sizeof tmp, 0};
		size_t before = in.pos;
		ret = ZSTD_decompressStream(d, &o, &in);
		if (ZSTD_isError(ret)) {
			ok = 0;
			break;
		}
		buf_add(out, tmp, o.pos);
		if (in.pos == before && o.pos == 0 && in.pos == in.size) {
			ok = 0; /* the input ends inside a frame */
			break;
		}
	}
	ZSTD_freeDCtx(d);
	return ok;
}

/* A frame of a hand-built seekable file. */
enum frame_kind { F_DATA, F_SKIP };
struct frame_spec {
	enum frame_kind kind;
	size_t size; /* decompressed bytes (F_DATA), payload bytes (F_SKIP) */
};

/*
 * Build a seekable file of `data` cut as `specs` says.  table_sums: the
 * seek table carries checksums; how: FR_* flags of the data frames.
 */
static struct buf build_seekable(const unsigned char *data,
                                 const struct frame_spec *specs, size_t n,
                                 int table_sums, int how)
{
	struct buf out = {0}, table = {0};
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		size_t csize;
		size_t dsize = 0;
		if (specs[i].kind == F_SKIP) {
			add_skippable(&out, 0x184D2A53, specs[i].size);
			csize = 8 + specs[i].size;
		} else {
			dsize = specs[i].size;
			csize = add_frame(&out, data + at, dsize, how);
		}
		buf_le32(&table, (uint32_t)csize);
		buf_le32(&table, (uint32_t)dsize);
		if (table_sums)
			buf_le32(&table, xxh32_of(data + at, dsize));
		at += dsize;
	}
	buf_le32(&out, 0x184D2A5E);
	buf_le32(&out, (uint32_t)(table.len + 9));
	buf_add(&out, table.p, table.len);
	buf_le32(&out, (uint32_t)n);
	buf_add(&out, table_sums ? "\x80" : "\x00", 1);
	buf_le32(&out, 0x8F92EAB1);
	free(table.p);
	return out;
}

/* Frames of `size` bytes each over `len` bytes (the last shorter). */
static struct buf build_even(const unsigned char *data, size_t len,
                             size_t size, int table_sums, int how,
                             size_t *nframes)
{
	size_t n = (len + size - 1) / size;
	struct frame_spec *specs = calloc(n + 1, sizeof *specs);
	for (size_t i = 0; i < n; i++) {
		specs[i].kind = F_DATA;
		specs[i].size = i + 1 < n ? size : len - i * size;
	}
	struct buf b = build_seekable(data, specs, n, table_sums, how);
	free(specs);
	if (nframes != NULL)
		*nframes = n;
	return b;
}

/* Open bytes written to a temp file; *path to unlink and free. */
static mapq_file *open_bytes(const struct buf *b, unsigned flags, char **path)
{
	*path = tu_temp_file(b->p, b->len);
	return tu_open(*path, flags);
}

static void drop(mapq_file *f, char *path)
{
	mapq_file_close(f);
	unlink(path);
	free(path);
}

/* A byte scan of [start, end) of f: the input layer's own (input.h),
 * whose windows are the decompressed bytes as zscan.c hands them out. */
static struct mapq__scan *bscan(mapq_file *f, uint64_t start, uint64_t end,
                                uint64_t window, unsigned flags)
{
	struct mapq__scan *s = malloc(sizeof *s);
	ck_assert_ptr_nonnull(s);
	mapq__scan_init(s, f, start, end, window, flags);
	return s;
}

static void bscan_done(struct mapq__scan *s)
{
	mapq__scan_finish(s);
	free(s);
}

/*
 * Run a scan of [start, end) and compare what it yields with `want` (the
 * data of that range): windows contiguous, at their offsets, and with
 * MAPQ_SCAN_LINES each but the last ending with a newline.  Returns the
 * scan's final status.
 */
static int scan_equals(mapq_file *f, uint64_t start, uint64_t end,
                       uint64_t window, unsigned flags,
                       const unsigned char *want, size_t want_len,
                       mapq_error *err)
{
	struct mapq__scan *s = bscan(f, start, end, window, flags);
	mapq_view w;
	size_t got = 0;
	int rc;
	int ended_short = 0;
	while ((rc = mapq__scan_next(s, &w, err)) == 1) {
		ck_assert_msg(!ended_short, "a window after a window not "
		                            "ending a line");
		ck_assert_uint_eq(w.offset, start + got);
		ck_assert_uint_le(got + w.size, want_len);
		ck_assert_msg(memcmp(w.data, want + got, w.size) == 0,
		              "window at %llu differs",
		              (unsigned long long)w.offset);
		ck_assert_uint_gt(w.size, 0);
		if ((flags & MAPQ_SCAN_LINES) && w.data[w.size - 1] != '\n')
			ended_short = 1;
		got += w.size;
	}
	bscan_done(s);
	if (rc == 0)
		ck_assert_uint_eq(got, want_len);
	return rc;
}

/* ------------------------------------------------------------------ */

/* The seek table's checksums and zstd's frame checksums are the same
 * XXH64 (libxxhash), for every length class, fed in uneven pieces. */
START_TEST(xxh64_known_values)
{
	ck_assert_uint_eq(XXH64("", 0, 0), 0xEF46DB3751D8E999ull);
	XXH64_state_t *h = XXH64_createState();
	ck_assert_ptr_nonnull(h);
	unsigned char *text = make_text(5000, 3);
	size_t lens[] = {1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 100, 4999};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		struct buf b = {0};
		add_frame(&b, text, lens[i], FR_SUM);
		uint32_t want = mapq__le32(b.p + b.len - 4);
		XXH64_reset(h, 0);
		for (size_t at = 0; at < lens[i];) {
			size_t piece = (at % 5) + 1;
			if (piece > lens[i] - at)
				piece = lens[i] - at;
			XXH64_update(h, text + at, piece);
			at += piece;
		}
		ck_assert_uint_eq((uint32_t)XXH64_digest(h), want);
		ck_assert_uint_eq(xxh32_of(text, lens[i]), want);
		free(b.p);
	}
	XXH64_freeState(h);
	free(text);
}
END_TEST

START_TEST(seek_table_valid)
{
	unsigned char *text = make_text(10000, 5);
	for (int sums = 0; sums < 2; sums++) {
		size_t n;
		struct buf b = build_even(text, 10000, 3000, sums, 1, &n);
		struct mapq__seek_table t;
		mapq_error err;
		ck_assert_int_eq(mapq__seek_table_parse(&t, b.p, b.len, "x", &err), 1);
		ck_assert_uint_eq(t.n, 4);
		ck_assert_uint_eq(t.dec[0], 0);
		ck_assert_uint_eq(t.dec[3], 9000);
		ck_assert_uint_eq(t.dec[4], 10000);
		ck_assert_uint_eq(t.raw[0], 0);
		ck_assert_uint_eq(t.raw[4], b.len - (8 + 4 * (sums ? 12 : 8) + 9));
		if (sums) {
			ck_assert_ptr_nonnull(t.checksum);
			ck_assert_uint_eq(t.checksum[1], xxh32_of(text + 3000, 3000));
		} else {
			ck_assert_ptr_null(t.checksum);
		}
		mapq__seek_table_free(&t);
		free(b.p);
	}
	/* No data: just the table. */
	struct buf e = build_seekable(NULL, NULL, 0, 1, 1);
	struct mapq__seek_table t;
	ck_assert_int_eq(e.len, 17);
	ck_assert_int_eq(mapq__seek_table_parse(&t, e.p, e.len, "x", NULL), 1);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_uint_eq(t.dec[0], 0);
	mapq__seek_table_free(&t);
	/* Not a seek table at all: no magic at the end. */
	ck_assert_int_eq(mapq__seek_table_parse(&t, text, 100, "x", NULL), 0);
	ck_assert_int_eq(mapq__seek_table_parse(&t, text, 2, "x", NULL), 0);
	free(e.p);
	free(text);
}
END_TEST

/* Each corruption of a valid table, and the words its message must have. */
struct corruption {
	const char *name;
	void (*apply)(struct buf *b, size_t table_at);
	const char *words;
};

static void bad_skippable_magic(struct buf *b, size_t at)
{
	b->p[at] ^= 0x01;
}

static void reserved_bits(struct buf *b, size_t at)
{
	(void)at;
	b->p[b->len - 5] |= 0x04;
}

static void count_beyond_file(struct buf *b, size_t at)
{
	(void)at;
	put_le32(b->p + b->len - 9, 0x10000000u);
}

static void count_too_small(struct buf *b, size_t at)
{
	(void)at;
	put_le32(b->p + b->len - 9, 3);
}

static void frame_past_end(struct buf *b, size_t at)
{
	put_le32(b->p + at + 8, 0x7FFFFFFFu);
}

static void sizes_short(struct buf *b, size_t at)
{
	unsigned char *e = b->p + at + 8 + 12; /* entry 1 */
	put_le32(e, ((uint32_t)e[0] | (uint32_t)e[1] << 8) - 1);
}

static void frame_size_field(struct buf *b, size_t at)
{
	b->p[at + 4] ^= 0x10;
}

static void empty_frame_with_data(struct buf *b, size_t at)
{
	/* Entry 3 (the last) claims bytes but no compressed bytes: move its
	 * compressed size onto entry 2 so the sum still adds up. */
	unsigned char *e2 = b->p + at + 8 + 2 * 12;
	unsigned char *e3 = e2 + 12;
	uint32_t c2 = (uint32_t)e2[0] | (uint32_t)e2[1] << 8 |
	              (uint32_t)e2[2] << 16;
	uint32_t c3 = (uint32_t)e3[0] | (uint32_t)e3[1] << 8 |
	              (uint32_t)e3[2] << 16;
	put_le32(e2, c2 + c3);
	put_le32(e3, 0);
}

static void truncated_front(struct buf *b, size_t at)
{
	/* Only the last bytes of the table survive. */
	memmove(b->p, b->p + at + 20, b->len - at - 20);
	b->len -= at + 20;
}

static const struct corruption corruptions[] = {
	{"skippable magic", bad_skippable_magic, "no skippable frame header"},
	{"reserved bits", reserved_bits, "reserved bits"},
	{"frame count beyond file", count_beyond_file, "more than a file"},
	{"frame count too small", count_too_small, "no skippable frame header"},
	{"offset past end", frame_past_end, "runs past"},
	{"sizes do not add up", sizes_short, "add up"},
	{"frame size field", frame_size_field, "frame size"},
	{"empty frame with data", empty_frame_with_data, "no compressed bytes"},
	{"truncated table", truncated_front, "more than a file"},
};

/*
 * Read a whole file through a scan (windows of 4 KiB, contiguous): the
 * scan's status, the bytes in *out.
 */
static int scan_all(mapq_file *f, struct buf *out, mapq_error *err)
{
	struct mapq__scan *s = bscan(f, 0, UINT64_MAX, 4096, 0);
	mapq_view w;
	int rc;
	memset(out, 0, sizeof *out);
	while ((rc = mapq__scan_next(s, &w, err)) == 1) {
		ck_assert_uint_eq(w.offset, out->len);
		buf_add(out, w.data, w.size);
	}
	bscan_done(s);
	return rc;
}

/*
 * Open bytes `b` and read all of them through a scan: the bytes `zstd -dc`
 * decodes from them, or MAPQ_ECORRUPT (at open or from the scan) when
 * zstd -dc fails (after the same bytes as far as both got).  Plain bytes
 * read as they are.  Returns the file's compression (-1: refused at open).
 */
static int reads_like_zstd(const struct buf *b, unsigned flags,
                           const char *what)
{
	struct buf want, got;
	int ok = ref_decode(b->p, b->len, &want);
	char *path = tu_temp_file(b->p, b->len);
	mapq_file *f;
	mapq_error err;
	int rc = mapq_file_open(&f, path, NULL, flags, &err);
	int how = -1;
	if (rc != MAPQ_OK) {
		ck_assert_msg(!ok, "%s: refused at open (%s), zstd -dc reads it",
		              what, err.msg);
		ck_assert_int_eq(rc, MAPQ_ECORRUPT);
		ck_assert(strncmp(err.msg, path, strlen(path)) == 0);
	} else {
		how = mapq_file_compression(f);
		rc = scan_all(f, &got, &err);
		if (how == MAPQ_COMPRESSION_NONE) {
			ck_assert_msg(!ok, "%s: plain, zstd -dc reads it", what);
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(got.len, b->len);
			ck_assert(memcmp(got.p, b->p, b->len) == 0);
		} else if (ok) {
			ck_assert_msg(rc == 0, "%s: %s", what, err.msg);
			ck_assert_msg(got.len == want.len, "%s: %zu bytes, zstd "
			              "-dc %zu", what, got.len, want.len);
			ck_assert(memcmp(got.p, want.p, want.len) == 0);
			/* Measured, the size is the bytes decoded. */
			mapq_file_close(f);
			f = tu_open(path, flags);
			uint64_t size;
			ck_assert_int_eq(mapq_file_measure(f, &size, &err), 0);
			ck_assert_msg(size == want.len, "%s: measured %llu, "
			              "decoded %zu", what,
			              (unsigned long long)size, want.len);
		} else {
			ck_assert_msg(rc == MAPQ_ECORRUPT, "%s: rc %d where zstd "
			              "-dc fails", what, rc);
			ck_assert(strncmp(err.msg, path, strlen(path)) == 0);
			size_t common = got.len < want.len ? got.len : want.len;
			ck_assert(common == 0 ||
			          memcmp(got.p, want.p, common) == 0);
		}
		free(got.p);
		mapq_file_close(f);
	}
	unlink(path);
	free(path);
	free(want.p);
	return how;
}

START_TEST(seek_table_corruptions)
{
	const struct corruption *c = &corruptions[_i];
	unsigned char *text = make_text(10000, 6);
	size_t n;
	struct buf b = build_even(text, 10000, 3000, 1, FR_SUM, &n);
	size_t table_at = b.len - (8 + n * 12 + 9);
	c->apply(&b, table_at);

	/* The parser says what does not add up. */
	struct mapq__seek_table t;
	mapq_error err;
	int rc = mapq__seek_table_parse(&t, b.p, b.len, "the.zst", &err);
	ck_assert_msg(rc == MAPQ_ECORRUPT, "%s: rc %d", c->name, rc);
	ck_assert_ptr_nonnull(strstr(err.msg, "the.zst: corrupt seek table"));
	ck_assert_msg(strstr(err.msg, c->words) != NULL, "%s: '%s'", c->name,
	              err.msg);
	ck_assert_ptr_null(t.raw);

	/* Such a file is no error at open: without a table to trust it is
	 * read as a stream, exactly as zstd -dc reads it (which ignores the
	 * table's frame, unless its own size field is broken). */
	int how = reads_like_zstd(&b, 0, c->name);
	if (c->apply == truncated_front)
		/* Does not start with a frame any more: plain bytes. */
		ck_assert_int_eq(how, MAPQ_COMPRESSION_NONE);
	else
		ck_assert_int_eq(how, MAPQ_COMPRESSION_ZSTD_STREAM);
	char *path;
	mapq_file *f;
	if (c->apply != truncated_front && c->apply != frame_size_field) {
		f = open_bytes(&b, 0, &path);
		ck_assert_int_eq(scan_equals(f, 0, UINT64_MAX, 0, 0, text, 10000,
		                             &err), 0);
		drop(f, path);
	}
	/* Raw, when asked. */
	f = open_bytes(&b, MAPQ_OPEN_NO_DECOMPRESS, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_NONE);
	ck_assert_uint_eq(mapq_file_size(f), b.len);
	drop(f, path);
	free(b.p);
	free(text);
}
END_TEST

/* Tables that add up but that their frames contradict. */
struct misfit {
	const char *name;
	void (*apply)(struct buf *b, size_t table_at);
};

static uint32_t entry_field(const struct buf *b, size_t at, size_t i,
                            size_t field)
{
	return mapq__le32(b->p + at + 8 + i * 12 + field * 4);
}

static void understated(struct buf *b, size_t at)
{
	/* Frame 1 declares 3000 bytes: its entry says 2999. */
	put_le32(b->p + at + 8 + 12 + 4, 2999);
}

static void data_frame_called_empty(struct buf *b, size_t at)
{
	/* Entry 3 (the last, 1000 bytes) says it holds nothing: random
	 * access would never read that frame. */
	put_le32(b->p + at + 8 + 3 * 12 + 4, 0);
}

static void own_checksum_differs(struct buf *b, size_t at)
{
	b->p[at + 8 + 2 * 12 + 8] ^= 0x40;
}

static void boundary_moved(struct buf *b, size_t at)
{
	/* The sizes still add up, but frame 1 does not start at a frame. */
	put_le32(b->p + at + 8, entry_field(b, at, 0, 0) + 1);
	put_le32(b->p + at + 8 + 12, entry_field(b, at, 1, 0) - 1);
}

static void sizes_swapped(struct buf *b, size_t at)
{
	/* Decompressed sizes of frames 2 and 3 exchanged: the total is
	 * right, each frame's is wrong. */
	uint32_t d2 = entry_field(b, at, 2, 1), d3 = entry_field(b, at, 3, 1);
	put_le32(b->p + at + 8 + 2 * 12 + 4, d3);
	put_le32(b->p + at + 8 + 3 * 12 + 4, d2);
}

static const struct misfit misfits[] = {
	{"understated frame", understated},
	{"data frame called empty", data_frame_called_empty},
	{"checksum differs from the frame's", own_checksum_differs},
	{"boundary moved", boundary_moved},
	{"sizes swapped", sizes_swapped},
};

START_TEST(seek_table_misfits_read_as_stream)
{
	const struct misfit *c = &misfits[_i];
	unsigned char *text = make_text(10000, 6);
	size_t n;
	struct buf b = build_even(text, 10000, 3000, 1, FR_SUM, &n);
	size_t table_at = b.len - (8 + n * 12 + 9);
	c->apply(&b, table_at);

	/* The table parses, but does not fit the frames. */
	struct mapq__seek_table t;
	ck_assert_int_eq(mapq__seek_table_parse(&t, b.p, b.len, "x", NULL), 1);
	struct mapq__memory mem = {b.p, b.len};
	ck_assert_int_eq(mapq__seek_table_fits(&t, mapq__memory_read_at, &mem), 0);
	mapq__seek_table_free(&t);

	/* So the file is read as a stream: all of it, as zstd -dc does. */
	ck_assert_int_eq(reads_like_zstd(&b, 0, c->name),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_int_eq(reads_like_zstd(&b, MAPQ_OPEN_NO_MMAP, c->name),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);
	char *path;
	mapq_file *f = open_bytes(&b, 0, &path);
	ck_assert_int_eq(mapq_file_size_known(f), 0);
	ck_assert_uint_eq(mapq_seekable_frames(f), 0);
	mapq_error err;
	ck_assert_int_eq(scan_equals(f, 2500, 9500, 700, MAPQ_SCAN_LINES,
	                             text + 2500, 7000, &err), 0);
	drop(f, path);
	free(b.p);
	free(text);
}
END_TEST

/*
 * One bit flipped anywhere in the seek table's frame (its skippable
 * header, entry sizes, checksums, frame count, descriptor, magic): mapq
 * reads what zstd -dc reads.  The frames declare their sizes and carry
 * their checksums (as mapq compress writes them), so a flip the table
 * still parses with is caught against them: only the descriptor's two
 * bits that the format leaves free keep the file seekable.
 */
START_TEST(seek_table_bit_flips)
{
	unsigned char *text = make_text(10000, 16);
	struct frame_spec specs[] = {
		{F_DATA, 3000}, {F_SKIP, 5}, {F_DATA, 3000}, {F_DATA, 0},
		{F_DATA, 4000},
	};
	int table_sums = _i;
	size_t n = sizeof specs / sizeof specs[0];
	struct buf orig = build_seekable(text, specs, n, table_sums, FR_SUM);
	size_t table_len = 8 + n * (table_sums ? 12 : 8) + 9;
	size_t table_at = orig.len - table_len;
	ck_assert_int_eq(reads_like_zstd(&orig, 0, "intact"),
	                 MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	for (size_t bit = 0; bit < table_len * 8; bit++) {
		struct buf b = {0};
		buf_add(&b, orig.p, orig.len);
		size_t byte = table_at + bit / 8;
		b.p[byte] ^= (unsigned char)(1u << (bit % 8));
		char what[64];
		snprintf(what, sizeof what, "table byte %zu bit %zu",
		         bit / 8, bit % 8);
		int how = reads_like_zstd(&b, 0, what);
		/* Bits that change nothing the data depends on: the
		 * descriptor's two free bits, and the checksum of the
		 * skippable frame's entry (no data to check it against). */
		int free_bit = (byte == b.len - 5 && bit % 8 < 2) ||
		               (table_sums && bit / 8 >= 8 + 12 + 8 &&
		                bit / 8 < 8 + 12 + 12);
		if (free_bit)
			ck_assert_int_eq(how, MAPQ_COMPRESSION_ZSTD_SEEKABLE);
		else
			ck_assert_msg(how != MAPQ_COMPRESSION_ZSTD_SEEKABLE,
			              "%s: still seekable", what);
		/* Unless the flip broke the skippable frame itself (its
		 * magic, beyond the 16 skippable ones, or its size), zstd
		 * -dc and so mapq read every byte. */
		struct buf dec;
		if (bit / 8 >= 8 || (bit / 8 == 0 && bit % 8 < 4)) {
			ck_assert_msg(ref_decode(b.p, b.len, &dec), "%s", what);
			ck_assert_uint_eq(dec.len, 10000);
			ck_assert(memcmp(dec.p, text, 10000) == 0);
			free(dec.p);
		}
		free(b.p);
	}
	free(orig.p);
	free(text);
}
END_TEST

START_TEST(frame_lookup_at_boundaries)
{
	/* Frames: 10 bytes, a skippable frame, 10, an empty data frame, 5. */
	unsigned char *text = make_text(25, 7);
	struct frame_spec specs[] = {
		{F_DATA, 10}, {F_SKIP, 3}, {F_DATA, 10}, {F_DATA, 0}, {F_DATA, 5},
	};
	struct buf b = build_seekable(text, specs, 5, 1, 1);
	char *path;
	mapq_file *f = open_bytes(&b, 0, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	ck_assert_uint_eq(mapq_file_size(f), 25);
	ck_assert_int_eq(mapq_file_size_known(f), 1);
	ck_assert_uint_eq(mapq_seekable_frames(f), 5);
	static const struct {
		uint64_t offset, frame;
	} cases[] = {
		{0, 0}, {9, 0}, {10, 2}, {19, 2}, {20, 4}, {24, 4}, {25, 5},
		{1000, 5},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_uint_eq(mapq_seekable_find(f, cases[i].offset),
		                  cases[i].frame);
	mapq_frame fr;
	ck_assert_int_eq(mapq_seekable_frame(f, 2, &fr), MAPQ_OK);
	ck_assert_uint_eq(fr.offset, 10);
	ck_assert_uint_eq(fr.size, 10);
	ck_assert_int_eq(fr.has_checksum, 1);
	ck_assert_uint_eq(fr.checksum, xxh32_of(text + 10, 10));
	ck_assert_int_eq(mapq_seekable_frame(f, 5, &fr), MAPQ_EINVAL);

	/* Every range: starting and ending on frame edges, inside a frame,
	 * over the empty frames, in the short last frame. */
	mapq_error err;
	for (uint64_t s = 0; s <= 26; s++)
		for (uint64_t e = s; e <= 27; e++) {
			uint64_t ce = e < 25 ? e : 25;
			uint64_t cs = s < ce ? s : ce;
			ck_assert_int_eq(scan_equals(f, s, e, 4, 0, text + cs,
			                             ce - cs, &err),
			                 0);
		}
	drop(f, path);
	free(b.p);
	free(text);
}
END_TEST

START_TEST(seekable_ranges_match_plain)
{
	size_t len = 300000;
	unsigned char *text = make_text(len, 8);
	size_t sizes[] = {1, 1000, 4096, 65536, 299999};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t fs = sizes[k] == 1 ? 7 : sizes[k];
		for (int sums = 0; sums < 4; sums++) {
			/* Table checksums or not; frames with their own
			 * checksum and size, or with neither. */
			struct buf b = build_even(text, len, fs, sums & 1,
			                          sums & 2 ? FR_SUM
			                                   : FR_NOSIZE,
			                          NULL);
			char *path;
			mapq_file *f = open_bytes(&b, 0, &path);
			mapq_error err;
			uint64_t starts[] = {0, 1, fs - 1, fs, fs + 1, 2 * fs,
			                     len - fs, len - 1};
			for (size_t i = 0; i < 8; i++) {
				uint64_t s = starts[i] < len ? starts[i] : 0;
				uint64_t lens[] = {0, 1, fs - 1, fs, fs + 1, 3 * fs};
				for (size_t j = 0; j < 6; j++) {
					uint64_t e = s + lens[j] < len ? s + lens[j] : len;
					ck_assert_int_eq(scan_equals(f, s, e, 5000, 0,
					                             text + s, e - s,
					                             &err),
					                 0);
				}
			}
			drop(f, path);
			free(b.p);
		}
	}
	free(text);
}
END_TEST

/* Windows with MAPQ_SCAN_LINES are the same over plain, stream and
 * seekable data, lines crossing both frame and window seams. */
START_TEST(line_windows_across_seams)
{
	size_t len = 200000;
	unsigned char *text = make_text(len, 9);
	/* A line longer than the window. */
	memset(text + 50000, 'x', 3000);
	struct buf stream = {0};
	for (size_t at = 0; at < len; at += 7777)
		add_frame(&stream, text + at, len - at < 7777 ? len - at : 7777,
		          at % 2);
	struct buf seek = build_even(text, len, 3333, 1, 0, NULL);
	char *pp, *sp, *kp;
	mapq_file *plain = tu_open((pp = tu_temp_file(text, len)), 0);
	mapq_file *sf = open_bytes(&stream, 0, &sp);
	mapq_file *kf = open_bytes(&seek, 0, &kp);
	ck_assert_int_eq(mapq_file_compression(sf), MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_int_eq(mapq_file_size_known(sf), 0);
	ck_assert_uint_eq(mapq_file_size(sf), MAPQ_SIZE_UNKNOWN);

	uint64_t windows[] = {1, 100, 1000, 4096};
	for (size_t i = 0; i < 4; i++) {
		uint64_t start = i * 7;
		struct mapq__scan *a = bscan(plain, start, len, windows[i],
		                             MAPQ_SCAN_LINES);
		struct mapq__scan *b = bscan(sf, start, UINT64_MAX, windows[i],
		                             MAPQ_SCAN_LINES);
		struct mapq__scan *c = bscan(kf, start, len, windows[i],
		                             MAPQ_SCAN_LINES);
		mapq_view wa, wb, wc;
		int ra;
		uint64_t count = 0;
		while ((ra = mapq__scan_next(a, &wa, NULL)) == 1) {
			ck_assert_int_eq(mapq__scan_next(b, &wb, NULL), 1);
			ck_assert_int_eq(mapq__scan_next(c, &wc, NULL), 1);
			ck_assert_uint_eq(wa.offset, wb.offset);
			ck_assert_uint_eq(wa.size, wb.size);
			ck_assert_uint_eq(wa.offset, wc.offset);
			ck_assert_uint_eq(wa.size, wc.size);
			ck_assert(memcmp(wa.data, wb.data, wa.size) == 0);
			ck_assert(memcmp(wa.data, wc.data, wa.size) == 0);
			/* Line functions work on decompressed windows. */
			uint64_t na, nb;
			ck_assert_int_eq(mapq__view_count_newlines(&wa, &na, NULL), 0);
			ck_assert_int_eq(mapq__view_count_newlines(&wb, &nb, NULL), 0);
			ck_assert_uint_eq(na, nb);
			count += nb;
		}
		ck_assert_int_eq(ra, 0);
		ck_assert_int_eq(mapq__scan_next(b, &wb, NULL), 0);
		ck_assert_int_eq(mapq__scan_next(c, &wc, NULL), 0);
		ck_assert_uint_eq(count, mapq__count_newlines(text + start,
		                                              len - start));
		bscan_done(a);
		bscan_done(b);
		bscan_done(c);
	}
	/* A stream scanned to its end knows its size. */
	ck_assert_int_eq(mapq_file_size_known(sf), 1);
	ck_assert_uint_eq(mapq_file_size(sf), len);
	drop(plain, pp);
	drop(sf, sp);
	drop(kf, kp);
	free(stream.p);
	free(seek.p);
	free(text);
}
END_TEST

START_TEST(detection_by_content)
{
	unsigned char *text = make_text(5000, 10);
	mapq_view v;
	mapq_error err;
	char *path;

	/* A skippable frame, then zstd frames, then another skippable. */
	struct buf b = {0};
	buf_le32(&b, 0x184D2A50);
	buf_le32(&b, 3);
	buf_add(&b, "abc", 3);
	add_frame(&b, text, 2000, 1);
	add_frame(&b, text + 2000, 3000, 0);
	buf_le32(&b, 0x184D2A5F);
	buf_le32(&b, 0);
	mapq_file *f = open_bytes(&b, 0, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_uint_eq(mapq_file_raw_size(f), b.len);
	ck_assert_int_eq(mapq_file_view(f, &v, &err), MAPQ_ENOTSUP);
	ck_assert(strncmp(err.msg, path, strlen(path)) == 0);
	ck_assert_int_eq(scan_equals(f, 0, UINT64_MAX, 1000, 0, text, 5000, &err),
	                 0);
	uint64_t size;
	ck_assert_int_eq(mapq_file_measure(f, &size, &err), 0);
	ck_assert_uint_eq(size, 5000);
	drop(f, path);
	/* Raw, when asked. */
	f = open_bytes(&b, MAPQ_OPEN_NO_DECOMPRESS, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_NONE);
	ck_assert_int_eq(mapq_file_view(f, &v, &err), 0);
	ck_assert_uint_eq(v.size, b.len);
	drop(f, path);
	/* Read from memory (not mapped), the same. */
	f = open_bytes(&b, MAPQ_OPEN_NO_MMAP, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_int_eq(scan_equals(f, 100, 4000, 333, 0, text + 100, 3900, &err),
	                 0);
	drop(f, path);
	free(b.p);

	/* Skippable frames only: valid, empty. */
	struct buf s = {0};
	buf_le32(&s, 0x184D2A51);
	buf_le32(&s, 1);
	buf_add(&s, "z", 1);
	f = open_bytes(&s, 0, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_uint_eq(mapq_file_size(f), 0);
	ck_assert_int_eq(scan_equals(f, 0, UINT64_MAX, 0, 0, text, 0, &err), 0);
	drop(f, path);

	/* A skippable frame followed by garbage, or running past the end. */
	buf_add(&s, "garbage!", 8);
	path = tu_temp_file(s.p, s.len);
	ck_assert_int_eq(mapq_file_open(&f, path, NULL, 0, &err), MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not zstd data"));
	unlink(path);
	free(path);
	put_le32(s.p + 4, 1000);
	path = tu_temp_file(s.p, s.len);
	ck_assert_int_eq(mapq_file_open(&f, path, NULL, 0, &err), MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "runs past the end"));
	unlink(path);
	free(path);
	free(s.p);

	/* The zstd magic followed by an invalid header. */
	static const unsigned char bad[] = {0x28, 0xB5, 0x2F, 0xFD, 0xFF, 0xFF};
	path = tu_temp_file(bad, sizeof bad);
	ck_assert_int_eq(mapq_file_open(&f, path, NULL, 0, &err), MAPQ_ECORRUPT);
	ck_assert(strncmp(err.msg, path, strlen(path)) == 0);
	unlink(path);
	free(path);

	/* Text that merely looks nothing like zstd stays plain; so do files
	 * shorter than a magic number. */
	f = tu_open_bytes("\x28\xB5\x2F", 3, 0, &path, &v);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_NONE);
	drop(f, path);
	free(text);
}
END_TEST

START_TEST(stream_without_content_size)
{
	/* zstd writing from a pipe does not know the size: frames without a
	 * content size field.  Measuring then decompresses. */
	unsigned char *text = make_text(100000, 11);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(100000) + 64;
	unsigned char *out = malloc(bound);
	ZSTD_inBuffer in = {text, 100000, 0};
	ZSTD_outBuffer o = {out, bound, 0};
	/* Fed in a stream (ZSTD_e_continue), the size is not known up
	 * front. */
	ck_assert(!ZSTD_isError(ZSTD_compressStream2(c, &o, &in,
	                                             ZSTD_e_continue)));
	ck_assert_uint_eq(in.pos, in.size);
	ck_assert_uint_eq(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0);
	ZSTD_freeCCtx(c);
	ck_assert_uint_eq(ZSTD_getFrameContentSize(out, o.pos),
	                  ZSTD_CONTENTSIZE_UNKNOWN);
	struct buf b = {0};
	buf_add(&b, out, o.pos);
	char *path;
	mapq_file *f = open_bytes(&b, 0, &path);
	ck_assert_int_eq(mapq_file_size_known(f), 0);
	uint64_t size;
	mapq_error err;
	ck_assert_int_eq(mapq_file_measure(f, &size, &err), 0);
	ck_assert_uint_eq(size, 100000);
	ck_assert_uint_eq(mapq_file_size(f), 100000);
	drop(f, path);

	/* With content sizes, measuring reads headers only. */
	struct buf h = {0};
	add_frame(&h, text, 60000, 1);
	add_frame(&h, text + 60000, 40000, 1);
	f = open_bytes(&h, 0, &path);
	ck_assert_int_eq(mapq_file_measure(f, &size, &err), 0);
	ck_assert_uint_eq(size, 100000);
	drop(f, path);
	free(h.p);
	free(b.p);
	free(out);
	free(text);
}
END_TEST

/* Damaged frames: a clear error naming the file, never a crash. */
START_TEST(damaged_frames)
{
	size_t len = 50000;
	unsigned char *text = make_text(len, 12);
	mapq_error err;
	char *path;
	/* A wrong checksum in the table, for frames without their own:
	 * found when the frame is read. */
	{
		size_t n;
		struct buf b = build_even(text, len, 10000, 1, 0, &n);
		size_t table_at = b.len - (8 + n * 12 + 9);
		b.p[table_at + 8 + 2 * 12 + 8] ^= 0x40; /* frame 2's checksum */
		mapq_file *f = open_bytes(&b, 0, &path);
		ck_assert_int_eq(mapq_file_compression(f),
		                 MAPQ_COMPRESSION_ZSTD_SEEKABLE);
		ck_assert_int_eq(scan_equals(f, 0, 20000, 0, 0, text, 20000, &err),
		                 0);
		int rc = scan_equals(f, 0, len, 0, 0, text, len, &err);
		ck_assert_int_eq(rc, MAPQ_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(err.msg, "frame 2"));
		ck_assert_ptr_nonnull(strstr(err.msg, "checksum"));
		/* A range inside the frame is checked too: the frame is
		 * decoded to its end. */
		rc = scan_equals(f, 25000, 25010, 0, 0, text + 25000, 10, &err);
		ck_assert_int_eq(rc, MAPQ_ECORRUPT);
		drop(f, path);
		/* For frames with their own checksum, the table's is checked
		 * against it at open: the table is not used, and the file
		 * reads whole, as zstd -dc reads it. */
		free(b.p);
		b = build_even(text, len, 10000, 1, FR_SUM, &n);
		b.p[table_at + 8 + 2 * 12 + 8] ^= 0x40;
		ck_assert_int_eq(reads_like_zstd(&b, 0, "checksum"),
		                 MAPQ_COMPRESSION_ZSTD_STREAM);
		free(b.p);
	}

	/* A flipped byte inside a frame's compressed data. */
	size_t n;
	struct buf b = build_even(text, len, 10000, 1, 1, &n);
	struct mapq__seek_table t;
	ck_assert_int_eq(mapq__seek_table_parse(&t, b.p, b.len, "x", NULL), 1);
	b.p[t.raw[3] + (t.raw[4] - t.raw[3]) / 2] ^= 0x21;
	mapq_file *f = open_bytes(&b, 0, &path);
	int rc = scan_equals(f, 0, len, 0, 0, text, len, &err);
	ck_assert_int_eq(rc, MAPQ_ECORRUPT);
	ck_assert(strncmp(err.msg, path, strlen(path)) == 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "frame 3"));
	/* The error sticks. */
	drop(f, path);

	/* A seek table whose sizes add up but lie about a frame: frame 1's
	 * decompressed size moved to frame 0.  The frames do not declare
	 * their sizes (nothing to check them against at open): found when
	 * the frame is read. */
	free(b.p);
	b = build_even(text, len, 10000, 0, FR_SUM | FR_NOSIZE, &n);
	size_t table_at = b.len - (8 + n * 8 + 9);
	put_le32(b.p + table_at + 8 + 4, 10001);
	put_le32(b.p + table_at + 8 + 8 + 4, 9999);
	f = open_bytes(&b, 0, &path);
	rc = scan_equals(f, 0, 5, 0, 0, text, 5, &err);
	ck_assert_int_eq(rc, MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "seek table entry says"));
	drop(f, path);
	free(b.p);
	mapq__seek_table_free(&t);

	/* A stream cut inside its frame. */
	struct buf s = {0};
	add_frame(&s, text, len, 1);
	s.len -= 100;
	f = open_bytes(&s, 0, &path);
	rc = scan_equals(f, 0, UINT64_MAX, 0, 0, text, len, &err);
	ck_assert_int_eq(rc, MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
	drop(f, path);
	free(s.p);
	free(text);
}
END_TEST

/*
 * Files put one after the other (cat a.zst b.zst): zstd -dc reads every
 * frame of every part, skipping skippable frames wherever they are, the
 * seek tables of seekable parts included.  No seek table describes such a
 * file, so it is read as a stream, to the same bytes.
 */
enum part_kind {
	P_STREAM,   /* frames declaring their sizes */
	P_PIPED,    /* frames without a content size */
	P_SEEKABLE, /* a seekable file */
	P_SKIP,     /* a skippable frame */
	P_EMPTY_SEEKABLE /* a seekable file of no data: only its table */
};

static const struct {
	const char *name;
	enum part_kind parts[6];
	size_t n;
} concats[] = {
	{"stream + stream", {P_STREAM, P_STREAM}, 2},
	{"piped + piped", {P_PIPED, P_PIPED}, 2},
	{"stream + seekable", {P_STREAM, P_SEEKABLE}, 2},
	{"seekable + seekable", {P_SEEKABLE, P_SEEKABLE}, 2},
	{"seekable + stream", {P_SEEKABLE, P_PIPED}, 2},
	{"skippable frames around and between",
	 {P_SKIP, P_STREAM, P_SKIP, P_SEEKABLE, P_SKIP, P_PIPED}, 6},
	{"empty seekable + seekable + empty seekable",
	 {P_EMPTY_SEEKABLE, P_SEEKABLE, P_EMPTY_SEEKABLE}, 3},
	{"three seekable", {P_SEEKABLE, P_SEEKABLE, P_SEEKABLE}, 3},
};

/* Append part `kind` holding [data, data + len) (none for P_SKIP and
 * P_EMPTY_SEEKABLE); returns the data bytes it holds. */
static size_t add_part(struct buf *b, enum part_kind kind,
                       const unsigned char *data, size_t len)
{
	struct buf p = {0};
	switch (kind) {
	case P_STREAM:
	case P_PIPED:
		/* Two frames, the second without a checksum. */
		add_frame(b, data, len / 3, FR_SUM | (kind == P_PIPED ? FR_NOSIZE : 0));
		add_frame(b, data + len / 3, len - len / 3,
		          kind == P_PIPED ? FR_NOSIZE : 0);
		return len;
	case P_SEEKABLE:
		p = build_even(data, len, 1000, 1, FR_SUM, NULL);
		break;
	case P_SKIP:
		add_skippable(b, 0x184D2A5A, 5);
		return 0;
	case P_EMPTY_SEEKABLE:
		p = build_seekable(NULL, NULL, 0, 1, FR_SUM);
		len = 0;
		break;
	}
	buf_add(b, p.p, p.len);
	free(p.p);
	return len;
}

START_TEST(concatenations_read_like_zstd)
{
	size_t len = 60000;
	unsigned char *text = make_text(len, 17);
	struct buf b = {0};
	size_t data_parts = 0;
	for (size_t i = 0; i < concats[_i].n; i++)
		data_parts += concats[_i].parts[i] != P_SKIP &&
		              concats[_i].parts[i] != P_EMPTY_SEEKABLE;
	size_t at = 0, k = 0;
	for (size_t i = 0; i < concats[_i].n; i++) {
		enum part_kind kind = concats[_i].parts[i];
		int data = kind != P_SKIP && kind != P_EMPTY_SEEKABLE;
		size_t piece = !data ? 0 : ++k == data_parts ? len - at
		                                               : len / data_parts;
		at += add_part(&b, kind, text + at, piece);
	}
	ck_assert_uint_eq(at, len);
	const char *what = concats[_i].name;

	/* zstd -dc reads all of it; so does mapq, as a stream. */
	struct buf dec;
	ck_assert_msg(ref_decode(b.p, b.len, &dec), "%s", what);
	ck_assert_uint_eq(dec.len, len);
	ck_assert(memcmp(dec.p, text, len) == 0);
	free(dec.p);
	ck_assert_int_eq(reads_like_zstd(&b, 0, what),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_int_eq(reads_like_zstd(&b, MAPQ_OPEN_NO_MMAP, what),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);

	/* Ranges: across the parts' seams, in the last part, lines counted
	 * from the end (slice -l -2:). */
	char *path, *pp;
	mapq_file *f = open_bytes(&b, 0, &path);
	mapq_file *plain = tu_open((pp = tu_temp_file(text, len)), 0);
	mapq_error err;
	uint64_t starts[] = {0, len / 3 - 10, len / 2 + 1, len - 1000};
	for (size_t i = 0; i < 4; i++) {
		mapq_file_close(f);
		f = tu_open(path, 0);
		ck_assert_msg(scan_equals(f, starts[i], len, 777, MAPQ_SCAN_LINES,
		                          text + starts[i], len - starts[i],
		                          &err) == 0,
		              "%s from %llu: %s", what,
		              (unsigned long long)starts[i], err.msg);
	}
	const char *ranges[] = {"-2:", "-100:-50", "10:+3", "-1"};
	for (size_t i = 0; i < 4; i++) {
		mapq_range r;
		ck_assert_int_eq(mapq_range_parse(&r, ranges[i], MAPQ_RANGE_LINES,
		                                  NULL), 0);
		uint64_t ps, pe, zs, ze;
		ck_assert_int_eq(mapq_range_resolve(plain, &r, 0, &ps, &pe, NULL),
		                 0);
		ck_assert_int_eq(mapq_range_resolve(f, &r, 0, &zs, &ze, &err), 0);
		/* A stream of unknown size may leave an end open. */
		ck_assert_msg(ps == zs && (pe == ze || (ze > len && pe == len)),
		              "%s %s: %llu:%llu, plain "
		              "%llu:%llu", what, ranges[i],
		              (unsigned long long)zs, (unsigned long long)ze,
		              (unsigned long long)ps, (unsigned long long)pe);
		mapq_scan *sc;
		ck_assert_int_eq(mapq_scan_create(&sc, f, &r, 0, 0, &err), 0);
		mapq_view w;
		size_t got = 0;
		int rc;
		while ((rc = mapq_scan_next(sc, &w, &err)) == 1) {
			ck_assert_uint_le(got + w.size, pe - ps);
			ck_assert(memcmp(w.data, text + ps + got, w.size) == 0);
			got += w.size;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(got, pe - ps);
		mapq_scan_destroy(sc);
	}
	drop(plain, pp);
	drop(f, path);
	free(b.p);
	free(text);
}
END_TEST

/* Damage in a concatenation is still an error: a flipped data byte in the
 * second part, the file cut inside the second part's seek table. */
START_TEST(damaged_concatenation)
{
	size_t len = 40000;
	unsigned char *text = make_text(len, 18);
	struct buf a = build_even(text, len / 2, 4000, 1, FR_SUM, NULL);
	struct buf c = build_even(text + len / 2, len - len / 2, 4000, 1,
	                          FR_SUM, NULL);
	struct buf b = {0};
	buf_add(&b, a.p, a.len);
	buf_add(&b, c.p, c.len);
	b.p[a.len + c.len / 3] ^= 0x10;
	ck_assert_int_eq(reads_like_zstd(&b, 0, "flipped data"),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);
	struct buf dec;
	ck_assert_int_eq(ref_decode(b.p, b.len, &dec), 0);
	free(dec.p);
	b.p[a.len + c.len / 3] ^= 0x10;
	b.len -= 10;
	ck_assert_int_eq(reads_like_zstd(&b, 0, "cut table"),
	                 MAPQ_COMPRESSION_ZSTD_STREAM);
	ck_assert_int_eq(ref_decode(b.p, b.len, &dec), 0);
	free(dec.p);
	char *path;
	mapq_file *f = open_bytes(&b, 0, &path);
	mapq_error err;
	ck_assert_int_eq(scan_equals(f, 0, UINT64_MAX, 0, 0, text, len, &err),
	                 MAPQ_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
	drop(f, path);
	free(a.p);
	free(b.p);
	free(c.p);
	free(text);
}
END_TEST

START_TEST(truncation_during_scan)
{
	/* Barely compressible data, so the compressed file is large. */
	size_t len = 8 << 20;
	unsigned char *noise = malloc(len);
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise[i] = (unsigned char)x;
	}
	for (int seekable = 0; seekable < 2; seekable++) {
		struct buf b = {0};
		if (seekable)
			b = build_even(noise, len, 1 << 20, 1, 1, NULL);
		else
			add_frame(&b, noise, len, 1);
		char *path;
		mapq_file *f = open_bytes(&b, 0, &path);
		mapq_error err;
		struct mapq__scan *s = bscan(f, 0, len, 64 << 10, 0);
		mapq_view w;
		ck_assert_int_eq(mapq__scan_next(s, &w, &err), 1);
		tu_truncate_from_child(path, 4096);
		int rc;
		while ((rc = mapq__scan_next(s, &w, &err)) == 1)
			;
		ck_assert_int_eq(rc, MAPQ_ETRUNC);
		ck_assert_ptr_nonnull(strstr(err.msg, path));
		ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
		ck_assert_int_eq(mapq__scan_next(s, &w, &err), MAPQ_ETRUNC);
		bscan_done(s);
		drop(f, path);
		free(b.p);
	}
	free(noise);
}
END_TEST

/* File-level ranges give the same offsets on plain and compressed data. */
START_TEST(resolve_matches_plain)
{
	/* Frame size and last byte: a final line without a newline, with
	 * one, and a last frame holding only the final newline. */
	static const struct {
		size_t frame;
		unsigned char last;
	} variants[] = {{4000, 'q'}, {4000, '\n'}, {119999, '\n'}, {7, 'q'}};
	size_t len = 120000;
	size_t fs = variants[_i].frame;
	unsigned char *text = make_text(len, 13);
	text[len - 1] = variants[_i].last;
	struct buf seek = build_even(text, len, fs, 1, 1, NULL);
	struct buf stream = {0};
	add_frame(&stream, text, len, 0);
	char *pp, *kp, *sp;
	mapq_file *plain = tu_open((pp = tu_temp_file(text, len)), 0);
	mapq_file *kf = open_bytes(&seek, 0, &kp);
	mapq_file *sf = open_bytes(&stream, 0, &sp);
	const char *lines[] = {"1", "5:+3", "-1:", "-10:", "-200:-100", ":20",
	                       "100:", "-3500:", "3000:3500", "-1", "2:-2",
	                       "-100000:", "5000:", ":-1", "7:5"};
	const char *bytes[] = {":", "-4K:", "3999:4001", "0:+4000", "4000:8000",
	                       "-1:", ":-1", "100000:", "119999:", "5:5"};
	for (int align = 0; align < 2; align++)
		for (size_t i = 0; i < 25; i++) {
			mapq_range r;
			const char *text_r = i < 15 ? lines[i] : bytes[i - 15];
			ck_assert_int_eq(mapq_range_parse(&r, text_r,
			                                  i < 15 ? MAPQ_RANGE_LINES
			                                         : MAPQ_RANGE_BYTES,
			                                  NULL), 0);
			unsigned fl = align ? MAPQ_RESOLVE_ALIGN : 0;
			uint64_t ps, pe, ks, ke, ss, se;
			ck_assert_int_eq(mapq_range_resolve(plain, &r, fl, &ps, &pe,
			                                   NULL), 0);
			ck_assert_int_eq(mapq_range_resolve(kf, &r, fl, &ks, &ke,
			                                   NULL), 0);
			ck_assert_int_eq(mapq_range_resolve(sf, &r, fl, &ss, &se,
			                                   NULL), 0);
			ck_assert_msg(ps == ks && pe == ke,
			              "%s: plain %llu:%llu seekable %llu:%llu",
			              text_r, (unsigned long long)ps,
			              (unsigned long long)pe, (unsigned long long)ks,
			              (unsigned long long)ke);
			uint64_t np, ns;
			ck_assert_int_eq(mapq_lines_count_newlines(plain, 0, pe, &np,
			                                          NULL), 0);
			ck_assert_int_eq(mapq_lines_count_newlines(kf, 0, ke, &ns,
			                                          NULL), 0);
			ck_assert_uint_eq(np, ns);
			ck_assert_int_eq(mapq_lines_count_newlines(sf, ps, pe, &ns,
			                                          NULL), 0);
			ck_assert_uint_eq(ns, mapq__count_newlines(text + ps, pe - ps));
			/* A stream of unknown size may leave an end open. */
			ck_assert_uint_eq(ps, ss);
			ck_assert(se == pe || (se > len && pe == len));
		}
	drop(plain, pp);
	drop(kf, kp);
	drop(sf, sp);
	free(seek.p);
	free(stream.p);
	free(text);
}
END_TEST

/* Compress `data` with the given options into a temp file's bytes. */
static struct buf compress_to_buf(const unsigned char *data, size_t len,
                                  const mapq_compress_options *o,
                                  size_t piece)
{
	char *path = tu_temp_file("", 0);
	FILE *fp = fopen(path, "w+b");
	ck_assert_ptr_nonnull(fp);
	mapq_compressor *c;
	mapq_error err;
	ck_assert_int_eq(mapq_compressor_create(&c, fileno(fp), o, &err), 0);
	for (size_t at = 0; at < len; at += piece)
		ck_assert_int_eq(mapq_compressor_write(c, data + at,
		                                       len - at < piece ? len - at
		                                                        : piece,
		                                       &err),
		                 0);
	ck_assert_int_eq(mapq_compressor_finish(c, &err), 0);
	ck_assert_int_eq(mapq_compressor_write(c, "x", 1, &err), MAPQ_EINVAL);
	mapq_compressor_destroy(c);
	struct buf b = {0};
	rewind(fp);
	unsigned char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(&b, tmp, n);
	fclose(fp);
	unlink(path);
	free(path);
	return b;
}

START_TEST(writer_round_trip)
{
	size_t len = 500000;
	unsigned char *text = make_text(len, 14);
	struct buf ref = {0};
	for (int align = 0; align < 2; align++) {
		uint64_t sizes[] = {1, 1000, 65536};
		/* One-byte frames: a short input keeps the test quick. */
		size_t lens[] = {5000, len, len};
		for (size_t k = 0; k < 3; k++) {
			size_t len = lens[k];
			free(ref.p);
			ref.p = NULL;
			for (unsigned threads = 1; threads <= 3; threads++) {
				mapq_compress_options o = {sizes[k], 1, threads, align, NULL};
				struct buf b = compress_to_buf(text, len, &o,
				                               threads * 7919);
				if (threads == 1) {
					ref = b;
				} else {
					/* Same bytes with any thread count. */
					ck_assert_uint_eq(b.len, ref.len);
					ck_assert(memcmp(b.p, ref.p, b.len) == 0);
					free(b.p);
				}
			}
			/* Any zstd decoder reads it. */
			unsigned char *back = malloc(len);
			size_t got = ZSTD_decompress(back, len, ref.p, ref.len);
			ck_assert_uint_eq(got, len);
			ck_assert(memcmp(back, text, len) == 0);
			free(back);
			/* Its seek table describes it, with frames of the
			 * size asked (or cut after a newline). */
			struct mapq__seek_table t;
			ck_assert_int_eq(mapq__seek_table_parse(&t, ref.p, ref.len,
			                                        "x", NULL), 1);
			ck_assert_ptr_nonnull(t.checksum);
			for (uint64_t i = 0; i < t.n; i++) {
				uint64_t fs = t.dec[i + 1] - t.dec[i];
				if (!align) {
					ck_assert(fs == sizes[k] || i + 1 == t.n);
				} else {
					ck_assert(fs >= sizes[k] || i + 1 == t.n);
					if (i + 1 < t.n) {
						ck_assert_int_eq(text[t.dec[i + 1] - 1], '\n');
						/* The first newline at or after the
						 * SIZE-th byte. */
						ck_assert_ptr_null(memchr(text + t.dec[i] + sizes[k] - 1,
						                          '\n', fs - sizes[k]));
					}
				}
				ck_assert_uint_eq(t.checksum[i],
				                  xxh32_of(text + t.dec[i], fs));
			}
			ck_assert_uint_eq(t.dec[t.n], len);
			mapq__seek_table_free(&t);
		}
	}
	free(ref.p);

	/* Empty input: only the table. */
	mapq_compress_options o = {0, 0, 2, 0, NULL};
	struct buf e = compress_to_buf(text, 0, &o, 1);
	ck_assert_uint_eq(e.len, 17);
	ck_assert_uint_eq(ZSTD_findFrameCompressedSize(e.p, e.len), 17);
	char *path;
	mapq_file *f = open_bytes(&e, 0, &path);
	ck_assert_int_eq(mapq_file_compression(f), MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	ck_assert_uint_eq(mapq_file_size(f), 0);
	drop(f, path);
	free(e.p);
	free(text);
}
END_TEST

START_TEST(writer_rejects_bad_options)
{
	mapq_compressor *c = (mapq_compressor *)1;
	mapq_error err;
	mapq_compress_options big = {MAPQ_COMPRESS_FRAME_MAX + 1, 0, 1, 0, NULL};
	ck_assert_int_eq(mapq_compressor_create(&c, 1, &big, &err), MAPQ_EINVAL);
	ck_assert_ptr_null(c);
	mapq_compress_options level = {0, mapq_compress_level_max() + 1, 1, 0, NULL};
	ck_assert_int_eq(mapq_compressor_create(&c, 1, &level, &err),
	                 MAPQ_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "level"));
	mapq_compress_options threads = {0, 0, MAPQ_COMPRESS_THREADS_MAX + 1, 0, NULL};
	ck_assert_int_eq(mapq_compressor_create(&c, 1, &threads, &err),
	                 MAPQ_EINVAL);
	ck_assert_int_lt(mapq_compress_level_min(), 0);
	mapq_compressor_destroy(NULL);
}
END_TEST

START_TEST(size_parser)
{
	uint64_t n;
	mapq_error err;
	ck_assert_int_eq(mapq_size_parse("1M", &n, &err), 0);
	ck_assert_uint_eq(n, 1 << 20);
	ck_assert_int_eq(mapq_size_parse("64KiB", &n, &err), 0);
	ck_assert_uint_eq(n, 65536);
	ck_assert_int_eq(mapq_size_parse("4096", &n, &err), 0);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(mapq_size_parse("1:2", &n, &err), MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid size '1:2': unexpected ':' after the number");
	ck_assert_int_eq(mapq_size_parse("", &n, &err), MAPQ_ERANGE);
	ck_assert_int_eq(mapq_size_parse("-1", &n, &err), MAPQ_ERANGE);
	ck_assert_int_eq(mapq_size_parse("99999999999T", &n, &err),
	                 MAPQ_EOVERFLOW);
}
END_TEST

static Suite *zstd_suite(void)
{
	Suite *s = suite_create("zstd");
	TCase *tc = tcase_create("seek table");
	tcase_add_test(tc, xxh64_known_values);
	tcase_add_test(tc, seek_table_valid);
	tcase_add_loop_test(tc, seek_table_corruptions, 0,
	                    sizeof corruptions / sizeof corruptions[0]);
	tcase_add_test(tc, frame_lookup_at_boundaries);
	tcase_add_loop_test(tc, seek_table_misfits_read_as_stream, 0,
	                    sizeof misfits / sizeof misfits[0]);
	tcase_add_loop_test(tc, seek_table_bit_flips, 0, 2);
	tcase_add_test(tc, size_parser);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, seekable_ranges_match_plain);
	tcase_add_test(tc, line_windows_across_seams);
	tcase_add_test(tc, detection_by_content);
	tcase_add_test(tc, stream_without_content_size);
	tcase_add_test(tc, damaged_frames);
	tcase_add_loop_test(tc, concatenations_read_like_zstd, 0,
	                    sizeof concats / sizeof concats[0]);
	tcase_add_test(tc, damaged_concatenation);
	tcase_add_test(tc, truncation_during_scan);
	tcase_add_loop_test(tc, resolve_matches_plain, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, writer_round_trip);
	tcase_add_test(tc, writer_rejects_bad_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(zstd_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
