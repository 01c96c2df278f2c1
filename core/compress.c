/*
 * compress.c - writing the zstd seekable format.
 *
 * Input is cut into frames; each frame is compressed on its own (with its
 * content size and checksum in its header and trailer), written, and
 * noted in the seek table that ends the output.
 *
 * Parallelism: with N threads there are N slots, each with a worker thread
 * and its own ZSTD_CCtx.  Frame k always goes to slot k % N, so before the
 * caller's thread fills frame k it collects frame k - N from that slot and
 * writes it: frames leave in order, and at most N are in flight.  The
 * output does not depend on N, because each frame is compressed the same
 * way whoever compresses it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/error.h"
#include "input/input.h"

/* Seek table entries with checksums: compressed size, decompressed size,
 * checksum, 4 bytes each. */
#define ENTRY_SIZE 12u
#define SKIPPABLE_HEADER 8u
/* The table's frame size is a 32-bit field. */
#define MAX_FRAMES (((uint64_t)UINT32_MAX - MAPQ__SEEK_FOOTER_SIZE) / ENTRY_SIZE)

enum slot_state { SLOT_IDLE, SLOT_BUSY, SLOT_DONE };

struct slot {
	struct mapq_compressor *c;
	ZSTD_CCtx *cctx;
	unsigned char *in;
	size_t in_len, in_cap;
	unsigned char *out;
	size_t out_len, out_cap;
	size_t zret;          /* ZSTD_compress2's result, for its error */
	enum slot_state state;
	pthread_cond_t wake;  /* the worker waits here for work */
	pthread_t thread;
	int started;
};

struct mapq_compressor {
	int fd;
	uint64_t frame_size;
	int level;
	int align;
	unsigned nslots;
	int threaded;
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t done;  /* the caller waits here for a frame */
	int quit;
	uint64_t next;        /* frames submitted */
	uint64_t written;     /* frames written */
	unsigned char *table; /* seek table entries, ENTRY_SIZE each */
	size_t table_cap;
	int partial;          /* the frame being filled has bytes */
	int error;            /* sticky failure code */
	mapq_error saved;
	const mapq_file *source; /* input to guard while copying, or NULL */
	uint64_t *progress;   /* the caller's counter of bytes written out (as
	                       * input bytes), or NULL */
};

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int fail(mapq_compressor *c, mapq_error *err, int code)
{
	c->error = code;
	if (err != NULL)
		c->saved = *err;
	else
		c->saved.code = code;
	return code;
}

static int write_out(mapq_compressor *c, const unsigned char *p, size_t n,
                     mapq_error *err)
{
	while (n > 0) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			return mapq__error_set(err, e == EPIPE ? MAPQ_EPIPE
			                                       : MAPQ_EWRITE,
			                       e, "write error: %s", strerror(e));
		}
		p += w;
		n -= (size_t)w;
	}
	return MAPQ_OK;
}

static void compress_slot(struct slot *s)
{
	s->zret = ZSTD_compress2(s->cctx, s->out, s->out_cap, s->in, s->in_len);
	s->out_len = ZSTD_isError(s->zret) ? 0 : s->zret;
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	mapq_compressor *c = s->c;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (s->state != SLOT_BUSY && !c->quit)
			pthread_cond_wait(&s->wake, &c->lock);
		if (s->state != SLOT_BUSY)
			break; /* quit, nothing left to do */
		pthread_mutex_unlock(&c->lock);
		compress_slot(s);
		pthread_mutex_lock(&c->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&c->done);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int grow(unsigned char **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return MAPQ_OK;
	size_t n = *cap > 0 ? *cap : 4096;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	unsigned char *q = realloc(*p, n);
	if (q == NULL)
		return MAPQ_ENOMEM;
	*p = q;
	*cap = n;
	return MAPQ_OK;
}

/* Wait for the slot's frame (if any), write it and note it in the table. */
static int collect(mapq_compressor *c, struct slot *s, mapq_error *err)
{
	if (c->threaded) {
		pthread_mutex_lock(&c->lock);
		while (s->state == SLOT_BUSY)
			pthread_cond_wait(&c->done, &c->lock);
		pthread_mutex_unlock(&c->lock);
	}
	if (s->state != SLOT_DONE)
		return MAPQ_OK;
	s->state = SLOT_IDLE;
	size_t in_len = s->in_len;
	s->in_len = 0;
	if (ZSTD_isError(s->zret))
		return mapq__error_set(err, MAPQ_ENOMEM, 0,
		                       "zstd compression failed: %s",
		                       ZSTD_getErrorName(s->zret));
	/* Frames are at most MAPQ_COMPRESS_FRAME_MAX (2^30) bytes, so their
	 * compressed size fits the table's 32 bits too; the frame's trailing
	 * checksum is the table's. */
	unsigned char *e = c->table + (size_t)c->written * ENTRY_SIZE;
	put_le32(e, (uint32_t)s->out_len);
	put_le32(e + 4, (uint32_t)in_len);
	memcpy(e + 8, s->out + s->out_len - 4, 4);
	c->written++;
	int rc = write_out(c, s->out, s->out_len, err);
	if (rc == MAPQ_OK && c->progress != NULL)
		__atomic_fetch_add(c->progress, (uint64_t)in_len,
		                   __ATOMIC_RELAXED);
	return rc;
}

/* Hand the frame in slot `s` over for compression (or compress it now). */
static int submit(mapq_compressor *c, struct slot *s, mapq_error *err)
{
	c->partial = 0;
	if (c->next >= MAX_FRAMES)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "more than %llu frames do not fit a seek "
		                       "table: use larger frames",
		                       (unsigned long long)MAX_FRAMES);
	if (grow(&c->table, &c->table_cap,
	         (size_t)(c->next + 1) * ENTRY_SIZE) != MAPQ_OK ||
	    grow(&s->out, &s->out_cap, ZSTD_compressBound(s->in_len)) != MAPQ_OK)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	c->next++;
	if (!c->threaded) {
		compress_slot(s);
		s->state = SLOT_DONE;
		return collect(c, s, err);
	}
	pthread_mutex_lock(&c->lock);
	s->state = SLOT_BUSY;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&c->lock);
	return MAPQ_OK;
}

int mapq_compress_level_min(void)
{
	return ZSTD_minCLevel();
}

int mapq_compress_level_max(void)
{
	return ZSTD_maxCLevel();
}

static int check_options(const mapq_compress_options *o, mapq_error *err)
{
	if (o->frame_size > MAPQ_COMPRESS_FRAME_MAX)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "frame size %llu is larger than the "
		                       "largest frame (%llu bytes)",
		                       (unsigned long long)o->frame_size,
		                       (unsigned long long)MAPQ_COMPRESS_FRAME_MAX);
	if (o->level != 0 &&
	    (o->level < ZSTD_minCLevel() || o->level > ZSTD_maxCLevel()))
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "compression level %d is not between %d "
		                       "and %d",
		                       o->level, ZSTD_minCLevel(), ZSTD_maxCLevel());
	if (o->threads > MAPQ_COMPRESS_THREADS_MAX)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "%u threads are more than %d",
		                       o->threads, MAPQ_COMPRESS_THREADS_MAX);
	return MAPQ_OK;
}

int mapq_compressor_create(mapq_compressor **out, int fd,
                           const mapq_compress_options *opts, mapq_error *err)
{
	if (out == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no output handle");
	*out = NULL;
	mapq_compress_options o = {0};
	if (opts != NULL)
		o = *opts;
	int rc = check_options(&o, err);
	if (rc != MAPQ_OK)
		return rc;

	mapq_compressor *c = calloc(1, sizeof *c);
	if (c == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	c->fd = fd;
	c->frame_size = o.frame_size > 0 ? o.frame_size
	                                 : MAPQ_COMPRESS_FRAME_DEFAULT;
	c->level = o.level != 0 ? o.level : ZSTD_CLEVEL_DEFAULT;
	c->align = o.align;
	c->progress = o.progress;
	c->nslots = o.threads > 1 ? o.threads : 1;
	c->threaded = o.threads > 1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->done, NULL);
	c->slots = calloc(c->nslots, sizeof *c->slots);
	if (c->slots == NULL) {
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slots[i];
		s->c = c;
		pthread_cond_init(&s->wake, NULL);
		s->cctx = ZSTD_createCCtx();
		if (s->cctx == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx,
		                                        ZSTD_c_compressionLevel,
		                                        c->level)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx,
		                                        ZSTD_c_checksumFlag, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx,
		                                        ZSTD_c_contentSizeFlag, 1))) {
			rc = mapq__error_set(err, MAPQ_ENOMEM, 0,
			                     "cannot set up zstd compression");
			goto fail;
		}
		if (!c->threaded)
			continue;
		int e = pthread_create(&s->thread, NULL, worker, s);
		if (e != 0) {
			rc = mapq__error_set(err, MAPQ_ESYS, e,
			                     "cannot start a thread: %s", strerror(e));
			goto fail;
		}
		s->started = 1;
	}
	*out = c;
	return MAPQ_OK;
fail:
	mapq_compressor_destroy(c);
	return rc;
}

/*
 * How many of the len input bytes belong to the frame being filled, which
 * holds `have`; *complete says whether they end it.  Reads the input (for
 * newlines): the caller holds the guard when it is mapped.
 */
static size_t frame_share(const mapq_compressor *c, size_t have,
                          const unsigned char *data, size_t len,
                          int *complete)
{
	*complete = 0;
	/* Up to the frame_size-th byte the cut does not depend on content. */
	uint64_t fixed = c->align ? c->frame_size - 1 : c->frame_size;
	if (have < fixed) {
		uint64_t room = fixed - have;
		if (len < room)
			return len;
		if (!c->align) {
			*complete = 1;
			return (size_t)room;
		}
		return (size_t)room; /* the search starts with the next byte */
	}
	/* Aligned: the frame ends after the first newline from here, or at
	 * the largest frame. */
	uint64_t room = MAPQ_COMPRESS_FRAME_MAX - have;
	size_t look = len < room ? len : (size_t)room;
	const unsigned char *nl = memchr(data, '\n', look);
	if (nl != NULL) {
		*complete = 1;
		return (size_t)(nl - data) + 1;
	}
	if (look == room)
		*complete = 1;
	return look;
}

struct copy_job {
	mapq_compressor *c;
	struct slot *s;
	const unsigned char *data;
	size_t len;
	size_t taken;
	int complete;
};

static int copy_input(void *arg)
{
	struct copy_job *j = arg;
	j->taken = frame_share(j->c, j->s->in_len, j->data, j->len,
	                       &j->complete);
	memcpy(j->s->in + j->s->in_len, j->data, j->taken);
	j->s->in_len += j->taken;
	return MAPQ_OK;
}

int mapq_compressor_write(mapq_compressor *c, const void *data, size_t len,
                          mapq_error *err)
{
	if (c == NULL || (data == NULL && len > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no compressor");
	if (c->error != 0) {
		if (err != NULL)
			*err = c->saved;
		return c->error;
	}
	const unsigned char *p = data;
	while (len > 0) {
		struct slot *s = &c->slots[c->next % c->nslots];
		int rc = collect(c, s, err);
		if (rc != MAPQ_OK)
			return fail(c, err, rc);
		/* Room for this call's bytes, up to the largest frame. */
		uint64_t limit = c->align ? MAPQ_COMPRESS_FRAME_MAX : c->frame_size;
		uint64_t want = s->in_len + (uint64_t)len;
		if (want > limit)
			want = limit;
		if (grow(&s->in, &s->in_cap, (size_t)want) != MAPQ_OK)
			return fail(c, err, mapq__error_set(err, MAPQ_ENOMEM, 0,
			                                    "out of memory"));
		struct copy_job j = {c, s, p, len, 0, 0};
		rc = c->source != NULL
		             ? mapq__file_guard((mapq_file *)c->source, copy_input,
		                                &j, err)
		             : copy_input(&j);
		if (rc != MAPQ_OK)
			return fail(c, err, rc);
		p += j.taken;
		len -= j.taken;
		c->partial = !j.complete;
		if (j.complete && (rc = submit(c, s, err)) != MAPQ_OK)
			return fail(c, err, rc);
	}
	return MAPQ_OK;
}

int mapq_compressor_finish(mapq_compressor *c, mapq_error *err)
{
	if (c == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no compressor");
	if (c->error != 0) {
		if (err != NULL)
			*err = c->saved;
		return c->error;
	}
	int rc;
	if (c->partial && (rc = submit(c, &c->slots[c->next % c->nslots],
	                               err)) != MAPQ_OK)
		return fail(c, err, rc);
	while (c->written < c->next) {
		rc = collect(c, &c->slots[c->written % c->nslots], err);
		if (rc != MAPQ_OK)
			return fail(c, err, rc);
	}

	/* The seek table: a skippable frame of the entries and a footer. */
	size_t entries = (size_t)c->written * ENTRY_SIZE;
	unsigned char head[SKIPPABLE_HEADER];
	unsigned char foot[MAPQ__SEEK_FOOTER_SIZE];
	put_le32(head, MAPQ__SEEK_TABLE_SKIPPABLE);
	put_le32(head + 4, (uint32_t)(entries + MAPQ__SEEK_FOOTER_SIZE));
	put_le32(foot, (uint32_t)c->written);
	foot[4] = 0x80; /* Checksum_Flag */
	put_le32(foot + 5, MAPQ__SEEKABLE_MAGIC);
	rc = write_out(c, head, sizeof head, err);
	if (rc == MAPQ_OK && entries > 0)
		rc = write_out(c, c->table, entries, err);
	if (rc == MAPQ_OK)
		rc = write_out(c, foot, sizeof foot, err);
	if (rc != MAPQ_OK)
		return fail(c, err, rc);
	/* Nothing may follow the table. */
	c->error = MAPQ_EINVAL;
	mapq__error_set(&c->saved, MAPQ_EINVAL, 0, "the compressor has finished");
	return MAPQ_OK;
}

void mapq_compressor_destroy(mapq_compressor *c)
{
	if (c == NULL)
		return;
	if (c->slots != NULL) {
		pthread_mutex_lock(&c->lock);
		c->quit = 1;
		for (unsigned i = 0; i < c->nslots; i++)
			pthread_cond_signal(&c->slots[i].wake);
		pthread_mutex_unlock(&c->lock);
		for (unsigned i = 0; i < c->nslots; i++) {
			struct slot *s = &c->slots[i];
			if (s->started)
				pthread_join(s->thread, NULL);
			ZSTD_freeCCtx(s->cctx);
			free(s->in);
			free(s->out);
			pthread_cond_destroy(&s->wake);
		}
		free(c->slots);
	}
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c->table);
	free(c);
}

int mapq_compress_file(mapq_file *f, int fd, const mapq_compress_options *opts,
                       mapq_error *err)
{
	if (f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	mapq_compressor *c;
	int rc = mapq_compressor_create(&c, fd, opts, err);
	if (rc != MAPQ_OK)
		return rc;
	/* Plain mapped input is copied straight from the mapping: guard it. */
	if (mapq__file_mapped_plain(f))
		c->source = f;
	struct mapq__scan s;
	mapq__scan_init(&s, f, 0, MAPQ_SIZE_UNKNOWN, 0, 0);
	mapq_view w;
	while ((rc = mapq__scan_next(&s, &w, err)) > 0) {
		rc = mapq_compressor_write(c, w.data, (size_t)w.size, err);
		if (rc != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&s);
	if (rc == 0)
		rc = mapq_compressor_finish(c, err);
	mapq_compressor_destroy(c);
	return rc < 0 ? rc : MAPQ_OK;
}
