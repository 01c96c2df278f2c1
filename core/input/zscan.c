/*
 * zscan.c - scans of compressed input: decompressed windows.
 *
 * The raw (compressed) bytes are fed to ZSTD_decompressStream a chunk at a
 * time, straight from the mapping and under the SIGBUS guard; the output
 * fills a window buffer that the scan owns.  Memory is the window buffer, a
 * small scratch buffer for bytes that are decoded only to be dropped (those
 * before the scan's start, and the tail of a seekable frame decoded to
 * check its checksum), and the decoder's own window: never the data size.
 * Compressed pages behind the decoder are released as it moves on.
 *
 * A zstd stream is decoded from offset 0 to the end of the raw bytes, as
 * zstd -dc decodes it: frame after frame, skippable frames skipped
 * wherever they are (files concatenated with cat, a seek table that did
 * not fit the file and is now just a skippable frame), each frame checked
 * by libzstd as it ends.
 *
 * The seekable format is decoded frame by frame from the frame holding the
 * start, each frame fed exactly the raw bytes the seek table gives it.  At
 * open (zstd_format.c) every frame's header was held to its entry: its
 * declared size, and its own checksum, which libzstd checks the data
 * against.  What the header cannot show is checked when the frame ends:
 * its decompressed size (a frame that declares none), and the table's
 * checksum of a frame without its own (XXH64 computed here).
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "file.h"
#include "zscan.h"

/* Compressed bytes fed (and prefaulted) per decoder call. */
#define FEED_CHUNK ((uint64_t)1 << 20)
/* Room for bytes decoded only to be dropped: one zstd block. */
#define SCRATCH_SIZE ((size_t)128 << 10)
/* A frame header's descriptor byte, and its content-checksum bit. */
#define FRAME_DESCRIPTOR_AT 4
#define FRAME_HAS_CHECKSUM 0x04u

struct mapq__zscan {
	ZSTD_DCtx *dctx;
	unsigned char *buf;      /* window buffer */
	size_t cap;
	size_t have;             /* bytes in buf: data [s->pos, s->pos + have) */
	size_t handed;           /* of which the last window handed out */
	unsigned char *scratch;  /* SCRATCH_SIZE bytes */
	uint64_t dpos;           /* decompressed offset of the next byte out */
	uint64_t cpos;           /* raw offset of the next byte in */
	uint64_t climit;         /* raw end of the input in reach */
	uint64_t held;           /* raw pages from here on are not released */
	uint64_t frame;          /* seekable: the frame being decoded */
	int in_frame;            /* the decoder is inside a frame */
	int eof;
	int hashing;             /* seekable: check the frame against XXH64 */
	XXH64_state_t *hash;     /* made when first needed */
	struct mapq__raw raw;    /* raw bytes of unmapped input */
	int error;               /* a past failure, returned again */
	mapq_error saved;
	int pending;             /* a stream's failure, held back until the
	                          * bytes decoded before it are handed out */
	mapq_error pending_err;
};

static int seekable(const mapq_file *f)
{
	return mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_SEEKABLE;
}

void mapq__zscan_finish(struct mapq__scan *s)
{
	struct mapq__zscan *z = s->z;
	if (z == NULL)
		return;
	s->z = NULL;
	if (!(s->flags & MAPQ_SCAN_KEEP) && z->cpos > z->held)
		mapq__release(s->file, z->held, z->cpos);
	ZSTD_freeDCtx(z->dctx);
	free(z->buf);
	free(z->scratch);
	XXH64_freeState(z->hash);
	mapq__raw_free(&z->raw);
	free(z);
}

/*
 * Raw bytes of the input at `at`: at least `min` of them unless the data
 * ends first (*n says how many), at most `want`.  Mapped bytes are read
 * under the guard by the caller.
 */
static int raw_at(struct mapq__scan *s, uint64_t at, size_t min, size_t want,
                  const unsigned char **p, size_t *n, mapq_error *err)
{
	return mapq__raw_get(s->file, &s->z->raw, at, min, want, p, n, err);
}

/* Set up decoding of seekable frame z->frame, fed exactly its bytes. */
static int frame_begin(struct mapq__scan *s, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	const mapq_file *f = s->file;
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	z->cpos = t->raw[z->frame];
	z->climit = t->raw[z->frame + 1];
	z->hashing = 0;
	if (t->checksum == NULL || z->climit - z->cpos < 5)
		return MAPQ_OK;
	/* Which checksum backs the table's: the frame's own (equal to the
	 * table's, checked at open; libzstd checks the data against it) or
	 * none (hash the data here).  A skippable frame holds no data. */
	const unsigned char *hp;
	size_t hn;
	int rc = raw_at(s, z->cpos, 5, 5, &hp, &hn, err);
	if (rc != MAPQ_OK)
		return rc;
	if (hn < 5)
		return mapq__error_truncated(err, mapq_file_name(f));
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, f))
		return mapq__guard_failed(&g, err);
	int zstd_frame = mapq__le32(hp) == MAPQ__ZSTD_FRAME_MAGIC;
	int own = (hp[FRAME_DESCRIPTOR_AT] & FRAME_HAS_CHECKSUM) != 0;
	mapq__guard_pop(&g);
	z->hashing = zstd_frame && !own;
	if (z->hashing) {
		if (z->hash == NULL && (z->hash = XXH64_createState()) == NULL)
			return mapq__error_set(err, MAPQ_ENOMEM, 0,
			                       "%s: out of memory",
			                       mapq_file_name(f));
		XXH64_reset(z->hash, 0);
	}
	return MAPQ_OK;
}

/* Seekable frame z->frame has been fed all its bytes and is complete:
 * hold it to its seek table entry, then move to the next frame. */
static int frame_end(struct mapq__scan *s, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	const mapq_file *f = s->file;
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	uint64_t i = z->frame;
	uint64_t want = t->dec[i + 1] - t->dec[i];
	uint64_t got = z->dpos - t->dec[i];
	if (got != want)
		return mapq__error_corrupt(err, mapq_file_name(f),
		                           "frame %llu (offset %llu) decompresses "
		                           "to %llu bytes, its seek table entry "
		                           "says %llu",
		                           (unsigned long long)i,
		                           (unsigned long long)t->raw[i],
		                           (unsigned long long)got,
		                           (unsigned long long)want);
	if (z->hashing) {
		uint32_t sum = (uint32_t)XXH64_digest(z->hash);
		if (sum != t->checksum[i])
			return mapq__error_corrupt(err, mapq_file_name(f),
			                           "frame %llu (offset %llu): "
			                           "checksum %08lx does not match "
			                           "the seek table's %08lx",
			                           (unsigned long long)i,
			                           (unsigned long long)t->raw[i],
			                           (unsigned long)sum,
			                           (unsigned long)t->checksum[i]);
	}
	z->frame++;
	if (z->frame >= t->n) {
		z->eof = 1;
		return MAPQ_OK;
	}
	return frame_begin(s, err);
}

/* The decoder has used all the input in reach and ended its frame. */
static int at_frame_end(const struct mapq__zscan *z)
{
	return z->cpos == z->climit && !z->in_frame;
}

/* Past a frame's end: check it and go on to the next frame, or note the
 * end of the data. */
static int next_frame(struct mapq__scan *s, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	if (seekable(s->file))
		return frame_end(s, err);
	z->eof = 1;
	/* A stream decoded from its start to its end: its size is now
	 * known. */
	if (mapq__data_size(s->file) == MAPQ_SIZE_UNKNOWN)
		mapq__data_size_found(s->file, z->dpos);
	return MAPQ_OK;
}

/* The input of a stream ends inside a frame. */
static int truncated(struct mapq__scan *s, mapq_error *err)
{
	return mapq__error_corrupt(err, mapq_file_name(s->file),
	                           "truncated zstd data: the input ends inside "
	                           "a frame (offset %llu)",
	                           (unsigned long long)s->z->cpos);
}

/* A seekable frame's bytes, as its seek table entry gives them, end inside
 * it. */
static int cut_short(struct mapq__scan *s, mapq_error *err)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(s->file);
	uint64_t i = s->z->frame;
	return mapq__error_corrupt(err, mapq_file_name(s->file),
	                           "frame %llu (offset %llu) is cut short: its "
	                           "%llu bytes end inside it",
	                           (unsigned long long)i,
	                           (unsigned long long)t->raw[i],
	                           (unsigned long long)(t->raw[i + 1] - t->raw[i]));
}

/*
 * One decoder call: decode into [out, out + room), setting *made to the
 * bytes produced (possibly 0 while headers are read).  At the end of the
 * data sets z->eof instead.
 */
static int step(struct mapq__scan *s, unsigned char *out, size_t room,
                size_t *made, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	mapq_file *f = s->file;
	*made = 0;
	while (at_frame_end(z) && !z->eof) {
		int rc = next_frame(s, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	if (z->eof)
		return MAPQ_OK;

	if (z->cpos >= z->climit) {
		/* All the input in reach is fed and the frame is not done
		 * (libzstd holds back a frame's last byte until its output
		 * is flushed, so this is not output waiting for room). */
		if (seekable(f))
			return cut_short(s, err);
		return truncated(s, err);
	}
	uint64_t feed = z->climit - z->cpos;
	if (feed > FEED_CHUNK)
		feed = FEED_CHUNK;
	const unsigned char *raw;
	size_t got;
	int rc = raw_at(s, z->cpos, 1, (size_t)feed, &raw, &got, err);
	if (rc != MAPQ_OK)
		return rc;
	if (got == 0) {
		/* A stream's raw bytes ended: now its raw end is known. */
		z->climit = z->cpos;
		return z->in_frame ? truncated(s, err) : MAPQ_OK;
	}

	ZSTD_inBuffer in = {raw, got, 0};
	ZSTD_outBuffer o = {out, room, 0};
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, f))
		return mapq__guard_failed(&g, err);
	size_t ret = ZSTD_decompressStream(z->dctx, &o, &in);
	mapq__guard_pop(&g);

	uint64_t at = z->cpos;
	z->cpos += in.pos;
	z->dpos += o.pos;
	*made = o.pos;
	if (ZSTD_isError(ret)) {
		if (seekable(f))
			return mapq__error_corrupt(err, mapq_file_name(f),
			                           "frame %llu (offset %llu): %s",
			                           (unsigned long long)z->frame,
			                           (unsigned long long)mapq__file_seek_table(f)->raw[z->frame],
			                           ZSTD_getErrorName(ret));
		return mapq__error_corrupt(err, mapq_file_name(f),
		                           "zstd data near offset %llu: %s",
		                           (unsigned long long)at,
		                           ZSTD_getErrorName(ret));
	}
	if (z->hashing && o.pos > 0)
		XXH64_update(z->hash, out, o.pos);
	z->in_frame = ret != 0;
	if (seekable(f) && z->dpos > mapq__file_seek_table(f)->dec[z->frame + 1])
		return mapq__error_corrupt(err, mapq_file_name(f),
		                           "frame %llu (offset %llu) decompresses "
		                           "to more than the %llu bytes its seek "
		                           "table entry says",
		                           (unsigned long long)z->frame,
		                           (unsigned long long)mapq__file_seek_table(f)->raw[z->frame],
		                           (unsigned long long)(mapq__file_seek_table(f)->dec[z->frame + 1] -
		                                                mapq__file_seek_table(f)->dec[z->frame]));
	return MAPQ_OK;
}

/* Decode and drop bytes until the decoder reaches decompressed `target`. */
static int skip_to(struct mapq__scan *s, uint64_t target, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	while (z->dpos < target && !z->eof) {
		uint64_t want = target - z->dpos;
		size_t room = want < SCRATCH_SIZE ? (size_t)want : SCRATCH_SIZE;
		size_t made;
		int rc = step(s, z->scratch, room, &made, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	return MAPQ_OK;
}

/*
 * The scan has all it needs from a seekable frame: decode the rest of it
 * (dropped) so that its size and checksum get checked before the last
 * window is trusted.  Costs at most one frame.
 */
static int finish_frame(struct mapq__scan *s, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	if (!seekable(s->file))
		return MAPQ_OK;
	while (!z->eof && !at_frame_end(z)) {
		size_t made;
		int rc = step(s, z->scratch, SCRATCH_SIZE, &made, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	return z->eof ? MAPQ_OK : next_frame(s, err);
}

static int zscan_start(struct mapq__scan *s, mapq_error *err)
{
	mapq_file *f = s->file;
	struct mapq__zscan *z = calloc(1, sizeof *z);
	if (z == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));
	s->z = z;
	z->dctx = ZSTD_createDCtx();
	z->scratch = malloc(SCRATCH_SIZE);
	if (z->dctx == NULL || z->scratch == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));

	uint64_t raw_end = mapq__raw_size(f);
	if (seekable(f)) {
		const struct mapq__seek_table *t = mapq__file_seek_table(f);
		z->frame = mapq__seek_table_find(t, s->pos);
		if (z->frame >= t->n) {
			z->eof = 1;
			return MAPQ_OK;
		}
		z->dpos = t->dec[z->frame];
		/* Raw bytes up to the frame holding the scan's last byte. */
		uint64_t last = s->end > s->pos ? mapq__seek_table_find(t, s->end - 1)
		                                : z->frame;
		raw_end = t->raw[last < t->n ? last + 1 : t->n];
		int rc = frame_begin(s, err);
		if (rc != MAPQ_OK)
			return rc;
	} else {
		z->cpos = 0;
		z->climit = raw_end; /* a stream: unknown until it ends */
	}
	z->held = z->cpos;
	mapq__advise_sequential(f, z->cpos, raw_end);
	return skip_to(s, s->pos, err);
}

/*
 * Decode until buf holds `target` bytes (or the scan's end or the data's
 * end comes first).  z->dpos == s->pos + z->have throughout.
 */
static int fill(struct mapq__scan *s, size_t target, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	int rc = mapq__buf_grow(&z->buf, &z->cap, target,
	                        mapq_file_name(s->file), err);
	if (rc != MAPQ_OK)
		return rc;
	while (z->have < target && !z->eof && z->dpos < s->end) {
		size_t room = target - z->have;
		if (room > s->end - z->dpos)
			room = (size_t)(s->end - z->dpos);
		size_t made;
		rc = step(s, z->buf + z->have, room, &made, err);
		z->have += made; /* z->dpos counts them, even on failure */
		if (rc != MAPQ_OK)
			return rc;
	}
	return MAPQ_OK;
}

/*
 * fill() failed.  In a stream, bytes decoded before the failure are
 * handed out first, as zstd -dc writes them before it stops: a range that
 * ends before damaged data reads without error, one that reaches it gets
 * the error once its bytes before it are out.  (A seekable frame's bytes
 * are only handed out once the frame is checked.)  Returns 1 when the
 * failure is held back.
 */
static int hold_back(struct mapq__scan *s, int rc, const mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	if (seekable(s->file) || z->have == 0 || err == NULL)
		return 0;
	z->pending = rc;
	z->pending_err = *err;
	z->eof = 1; /* nothing more is decoded */
	return 1;
}

static int zscan_next(struct mapq__scan *s, mapq_view *win, mapq_error *err)
{
	struct mapq__zscan *z = s->z;
	int rc;
	if (z == NULL) {
		rc = zscan_start(s, err);
		if (rc != MAPQ_OK)
			return rc;
		z = s->z;
	} else if (z->handed > 0) {
		/* The caller is done with the last window: keep what was
		 * decoded past it at the front of the buffer. */
		memmove(z->buf, z->buf + z->handed, z->have - z->handed);
		z->have -= z->handed;
		s->pos += z->handed;
		z->handed = 0;
	}
	/* Compressed pages already decoded will not be read again. */
	if (!(s->flags & MAPQ_SCAN_KEEP) && z->cpos > z->held) {
		mapq__release(s->file, z->held, z->cpos);
		z->held = z->cpos;
	}
	if (s->pos >= s->end)
		return 0;
	if (z->pending != 0 && z->have == 0) {
		if (err != NULL)
			*err = z->pending_err;
		return z->pending;
	}

	uint64_t left = s->end - s->pos;
	size_t want = left < s->window ? (size_t)left : (size_t)s->window;
	rc = fill(s, want > z->have ? want : z->have, err);
	if (rc != MAPQ_OK && !hold_back(s, rc, err))
		return rc;
	if (z->have == 0)
		return 0; /* the data ended before the scan's start or end */

	/* The window is `want` bytes, as over plain bytes; bytes decoded
	 * past it (while looking for a newline) wait in the buffer. */
	size_t len = want < z->have ? want : z->have;
	if ((s->flags & MAPQ_SCAN_LINES) && (len < z->have || z->dpos < s->end) &&
	    !(z->eof && len == z->have)) {
		/* End the window after its last newline; a window with none
		 * grows to the first newline that comes (or the data's end),
		 * exactly as a scan of plain bytes does. */
		unsigned char *nl = memrchr(z->buf, '\n', len);
		size_t searched = len;
		while (nl == NULL) {
			nl = memchr(z->buf + searched, '\n', z->have - searched);
			searched = z->have;
			if (nl != NULL || z->dpos >= s->end || z->eof)
				break;
			rc = fill(s, z->have + z->have / 2 + 4096, err);
			if (rc != MAPQ_OK && !hold_back(s, rc, err))
				return rc;
		}
		len = nl != NULL ? (size_t)(nl - z->buf) + 1 : z->have;
	}
	/* The last window: verify the frame it ends in before handing it. */
	if (len == z->have && (z->dpos >= s->end || z->eof)) {
		rc = finish_frame(s, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	z->handed = len;
	win->data = z->buf;
	win->size = len;
	win->offset = s->pos;
	win->file = s->file;
	return 1;
}

int mapq__zscan_next(struct mapq__scan *s, mapq_view *win, mapq_error *err)
{
	if (s->z != NULL && s->z->error != 0) {
		if (err != NULL)
			*err = s->z->saved;
		return s->z->error;
	}
	mapq_error local;
	mapq_error *e = err != NULL ? err : &local;
	int rc = zscan_next(s, win, e);
	if (rc < 0 && s->z != NULL) {
		s->z->error = rc;
		s->z->saved = *e;
	}
	return rc;
}
