/*
 * file.c - opening inputs, and the three ways their raw bytes come in.
 *
 * A regular file is mapped; when mapping fails (an address-space limit, a
 * file system that cannot map) it is read with pread(2) instead, with the
 * same results.  Anything else (pipes, FIFOs, sockets, devices, /proc
 * files that claim a size of 0) is a stream: read forward once, window by
 * window, so that memory stays bounded whatever its length and bytes are
 * handled as soon as read(2) returns them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "file.h"
#include "input.h"

#define STDIN_NAME "(standard input)"

/* Bytes asked of read(2) at once for a stream. */
#define STREAM_READ ((size_t)256 << 10)
/* Bytes read for zstd detection before the first window. */
#define DETECT_PEEK ((size_t)4)

struct mapq_file {
	char *name;                 /* for messages */
	int source;                 /* enum mapq__source_kind */
	int fd;                     /* PREAD, STREAM; -1 when MAPPED */
	int own_fd;                 /* close fd with the file (not stdin) */
	const unsigned char *data;  /* MAPPED: first raw byte */
	uint64_t size;              /* raw bytes; STREAM: MAPQ_SIZE_UNKNOWN
	                             * until its end is read */
	void *base;                 /* MAPPED: mmap base (page aligned) */
	uint64_t base_len;          /* MAPPED: length of the mapping */
	uint64_t fd_start;          /* PREAD: file offset of raw byte 0 */
	/* STREAM: bytes read and not yet given up, [soff, soff + slen). */
	unsigned char *sbuf;
	size_t scap;
	uint64_t soff;
	size_t slen;
	int seof;
	/* What the bytes are (zstd_format.c); dsize is written once
	 * (atomically) when a stream gets measured: read it with
	 * mapq__data_size(). */
	struct mapq__zstd_info z;
};

uint64_t mapq__page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? (uint64_t)ps : 4096;
}

static int error_sys(mapq_error *err, const char *name, int e)
{
	return mapq__error_set(err, MAPQ_ESYS, e, "%s: %s", name, strerror(e));
}

/*
 * Map bytes [start, fsize) of a regular file.  mmap offsets must be page
 * aligned, so the mapping may begin a little before `start`.
 */
static int map_regular(mapq_file *f, int fd, uint64_t start, uint64_t fsize,
                       mapq_error *err)
{
	uint64_t aligned = start & ~(mapq__page_size() - 1);
	uint64_t len = fsize - aligned;
	if (len > SIZE_MAX)
		return mapq__error_set(err, MAPQ_ENOMEM, ENOMEM,
		                       "%s: too large to map", f->name);
	void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd,
	               (off_t)aligned);
	if (p == MAP_FAILED)
		return error_sys(err, f->name, errno);
	f->base = p;
	f->base_len = len;
	f->data = (const unsigned char *)p + (start - aligned);
	f->size = fsize - start;
	f->fd_start = start;
	f->source = MAPQ__SOURCE_MAPPED;
	return MAPQ_OK;
}

static int stream_read(mapq_file *f, mapq_error *err);

/*
 * Raw bytes by pread(2), for the checks of a seek table at open: a frame's
 * last four bytes and the next frame's header lie side by side, so one
 * read of a little more than asked serves both.
 */
struct seam_reader {
	const mapq_file *f;
	unsigned char buf[256];
	uint64_t off;
	size_t len;
};

static int pread_at(void *ctx, uint64_t off, unsigned char *buf, size_t n)
{
	struct seam_reader *r = ctx;
	const mapq_file *f = r->f;
	if (f->fd < 0 || off > f->size || n > f->size - off)
		return -1;
	if (off >= r->off && off - r->off <= r->len &&
	    n <= r->len - (off - r->off)) {
		memcpy(buf, r->buf + (off - r->off), n);
		return 0;
	}
	size_t want = n > sizeof r->buf ? n : sizeof r->buf;
	unsigned char *dst = n > sizeof r->buf ? buf : r->buf;
	if (want > f->size - off)
		want = (size_t)(f->size - off);
	size_t got = 0;
	while (got < want) {
		ssize_t k = pread(f->fd, dst + got, want - got,
		                  (off_t)(f->fd_start + off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < n)
		return -1;
	if (dst == r->buf) {
		r->off = off;
		r->len = got;
		memcpy(buf, r->buf, n);
	}
	return 0;
}

/* The first bytes of the data, for recognising zstd. */
static int detect(mapq_file *f, mapq_error *err)
{
	const unsigned char *p;
	size_t n;
	if (f->source == MAPQ__SOURCE_MAPPED) {
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, f))
			return mapq__guard_failed(&g, err);
		struct seam_reader seams = {.f = f};
		int rc = mapq__zstd_detect(&f->z, f->data, f->size, pread_at,
		                           &seams, f->name, err);
		mapq__guard_pop(&g);
		return rc;
	}
	/* Wait for more bytes only while those read so far may still begin
	 * a zstd magic number: a first line of plain text shorter than the
	 * magic is handled as soon as it arrives. */
	struct mapq__raw r = {0};
	size_t min = 1;
	int rc;
	for (;;) {
		rc = mapq__raw_get(f, &r, 0, min, DETECT_PEEK, &p, &n, err);
		if (rc != MAPQ_OK || n >= DETECT_PEEK || n < min ||
		    !mapq__zstd_may_begin(p, n))
			break;
		min = n + 1;
	}
	if (rc == MAPQ_OK)
		rc = mapq__zstd_detect_stream(&f->z, p, n, f->name, err);
	mapq__raw_free(&r);
	return rc;
}

int mapq_file_open(mapq_file **out, const char *path, const char *label,
                   unsigned flags, mapq_error *err)
{
	if (out == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no output handle");
	*out = NULL;

	int is_stdin = path == NULL || strcmp(path, "-") == 0;
	const char *name = is_stdin ? (label != NULL ? label : STDIN_NAME)
	                            : path;
	int rc = MAPQ_OK;
	mapq_file *f = calloc(1, sizeof *f);
	if (f == NULL || (f->name = strdup(name)) == NULL) {
		free(f);
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       name);
	}
	f->fd = -1;

	int fd = STDIN_FILENO;
	if (!is_stdin) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			rc = error_sys(err, name, errno);
			goto fail;
		}
		f->fd = fd;
		f->own_fd = 1;
	}

	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = error_sys(err, name, errno);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = error_sys(err, name, EISDIR);
		goto fail;
	}

	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		/* A redirected stdin continues where its offset stands, as
		 * cat and tail do. */
		uint64_t start = 0;
		if (is_stdin) {
			off_t cur = lseek(fd, 0, SEEK_CUR);
			if (cur > 0)
				start = (uint64_t)cur;
		}
		uint64_t fsize = (uint64_t)st.st_size;
		if (start >= fsize) {
			f->source = MAPQ__SOURCE_MAPPED;
			f->size = 0;
		} else if ((flags & MAPQ_OPEN_NO_MMAP) ||
		           map_regular(f, fd, start, fsize, NULL) != MAPQ_OK) {
			/* Mapping is an optimisation: read what cannot be
			 * mapped with pread(2). */
			f->source = MAPQ__SOURCE_PREAD;
			f->fd = fd;
			f->fd_start = start;
			f->size = fsize - start;
		}
	} else if (S_ISREG(st.st_mode)) {
		/* Size 0: empty, or a /proc file that only says so.  A first
		 * read tells: an empty file is an empty mapped file (offsets
		 * of nothing still mean something: split, bisection). */
		f->source = MAPQ__SOURCE_STREAM;
		f->fd = fd;
		f->size = MAPQ_SIZE_UNKNOWN;
		f->z.dsize = MAPQ_SIZE_UNKNOWN;
		if ((rc = stream_read(f, err)) < 0)
			goto fail;
		if (f->seof && f->slen == 0) {
			f->source = MAPQ__SOURCE_MAPPED;
			f->size = 0;
		}
	} else {
		f->source = MAPQ__SOURCE_STREAM;
		f->fd = fd;
		f->size = MAPQ_SIZE_UNKNOWN;
	}
	if (f->source == MAPQ__SOURCE_MAPPED && f->size > 0 &&
	    (rc = mapq__guard_install(err)) != MAPQ_OK)
		goto fail;
	if (f->source == MAPQ__SOURCE_MAPPED && f->size > 0) {
		/* Kept for small reads that a page fault would cost more. */
		f->fd = fd;
	}
	f->z.compression = MAPQ_COMPRESSION_NONE;
	f->z.dsize = f->size;
	if (!(flags & MAPQ_OPEN_NO_DECOMPRESS) &&
	    (rc = detect(f, err)) != MAPQ_OK)
		goto fail;

	*out = f;
	return MAPQ_OK;

fail:
	mapq_file_close(f);
	return rc;
}

void mapq_file_close(mapq_file *f)
{
	if (f == NULL)
		return;
	mapq__zstd_info_free(&f->z);
	if (f->base != NULL)
		munmap(f->base, (size_t)f->base_len);
	if (f->own_fd && f->fd >= 0)
		close(f->fd);
	free(f->sbuf);
	free(f->name);
	free(f);
}

/* ---- raw bytes ---- */

void mapq__raw_free(struct mapq__raw *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	memset(r, 0, sizeof *r);
}

static int pread_get(mapq_file *f, struct mapq__raw *r, uint64_t off,
                     size_t want, const unsigned char **p, size_t *n,
                     mapq_error *err)
{
	if (off >= f->size) {
		*p = NULL;
		*n = 0;
		return MAPQ_OK;
	}
	if (want > f->size - off)
		want = (size_t)(f->size - off);
	/* Keep what the buffer already holds of the range. */
	if (r->len > 0 && off >= r->off && off + want <= r->off + r->len) {
		*p = r->buf + (off - r->off);
		*n = want;
		return MAPQ_OK;
	}
	int rc = mapq__buf_grow(&r->buf, &r->cap, want, f->name, err);
	if (rc != MAPQ_OK)
		return rc;
	size_t got = 0;
	while (got < want) {
		ssize_t k = pread(f->fd, r->buf + got, want - got,
		                  (off_t)(f->fd_start + off + got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r->len = 0;
			return error_sys(err, f->name, errno);
		}
		if (k == 0) /* the file shrank under us */
			break;
		got += (size_t)k;
	}
	r->off = off;
	r->len = got;
	if (got < want) {
		r->len = 0;
		return mapq__error_truncated(err, f->name);
	}
	*p = r->buf;
	*n = got;
	return MAPQ_OK;
}

/* One read(2) into the stream buffer; 0 at end of file. */
static int stream_read(mapq_file *f, mapq_error *err)
{
	int rc = mapq__buf_grow(&f->sbuf, &f->scap, f->slen + STREAM_READ,
	                        f->name, err);
	if (rc != MAPQ_OK)
		return rc;
	for (;;) {
		ssize_t k = read(f->fd, f->sbuf + f->slen, f->scap - f->slen);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return error_sys(err, f->name, errno);
		}
		if (k == 0) {
			f->seof = 1;
			f->size = f->soff + f->slen;
			if (f->z.compression == MAPQ_COMPRESSION_NONE)
				mapq__data_size_found(f, f->size);
			return 0;
		}
		f->slen += (size_t)k;
		return 1;
	}
}

/* Is more of the stream readable without waiting? */
static int stream_ready(const mapq_file *f)
{
	struct pollfd pfd = {f->fd, POLLIN, 0};
	return poll(&pfd, 1, 0) > 0;
}

static int stream_get(mapq_file *f, uint64_t off, size_t min, size_t want,
                      const unsigned char **p, size_t *n, mapq_error *err)
{
	if (off < f->soff)
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: cannot go back in a stream (offset "
		                       "%llu was read already)",
		                       f->name, (unsigned long long)off);
	/* Give up what comes before `off`, reading past it if need be. */
	while (off > f->soff + f->slen && !f->seof) {
		f->soff += f->slen;
		f->slen = 0;
		int rc = stream_read(f, err);
		if (rc < 0)
			return rc;
	}
	uint64_t drop = off - f->soff;
	if (drop > f->slen)
		drop = f->slen;
	if (drop > 0) {
		memmove(f->sbuf, f->sbuf + drop, f->slen - (size_t)drop);
		f->slen -= (size_t)drop;
		f->soff += drop;
	}
	if (off > f->soff) { /* past the end */
		*p = NULL;
		*n = 0;
		return MAPQ_OK;
	}
	while (f->slen < want && !f->seof) {
		if (f->slen >= min && !stream_ready(f))
			break;
		int rc = stream_read(f, err);
		if (rc < 0)
			return rc;
	}
	*p = f->sbuf;
	*n = f->slen < want ? f->slen : want;
	return MAPQ_OK;
}

int mapq__raw_get(mapq_file *f, struct mapq__raw *r, uint64_t off, size_t min,
                  size_t want, const unsigned char **p, size_t *n,
                  mapq_error *err)
{
	if (want < min)
		want = min;
	switch (f->source) {
	case MAPQ__SOURCE_MAPPED:
		if (off >= f->size) {
			*p = NULL;
			*n = 0;
		} else {
			*p = f->data + off;
			*n = f->size - off < want ? (size_t)(f->size - off) : want;
		}
		return MAPQ_OK;
	case MAPQ__SOURCE_PREAD:
		return pread_get(f, r, off, want, p, n, err);
	default:
		return stream_get(f, off, min, want, p, n, err);
	}
}

/* ---- what the rest of core/ may know of a file ---- */

int mapq__file_source(const mapq_file *f)
{
	return f->source;
}

int mapq__file_random_access(const mapq_file *f)
{
	return f != NULL && f->source != MAPQ__SOURCE_STREAM;
}

int mapq__file_mapped_plain(const mapq_file *f)
{
	return f != NULL && f->source == MAPQ__SOURCE_MAPPED &&
	       f->z.compression == MAPQ_COMPRESSION_NONE;
}

const unsigned char *mapq__file_mapped(const mapq_file *f)
{
	return f != NULL && f->source == MAPQ__SOURCE_MAPPED ? f->data : NULL;
}

uint64_t mapq__raw_size(const mapq_file *f)
{
	return f->size;
}

const struct mapq__seek_table *mapq__file_seek_table(const mapq_file *f)
{
	return f != NULL && f->z.compression == MAPQ_COMPRESSION_ZSTD_SEEKABLE
	               ? &f->z.seek
	               : NULL;
}

uint64_t mapq__data_size(const mapq_file *f)
{
	if (f == NULL)
		return 0;
	return __atomic_load_n(&f->z.dsize, __ATOMIC_ACQUIRE);
}

void mapq__data_size_found(mapq_file *f, uint64_t size)
{
	__atomic_store_n(&f->z.dsize, size, __ATOMIC_RELEASE);
}

void mapq__guard_file(struct mapq__guard *g, const mapq_file *f)
{
	if (f != NULL && f->source == MAPQ__SOURCE_MAPPED && f->base != NULL)
		mapq__guard_push(g, f->base, (size_t)f->base_len, f->name);
	else
		mapq__guard_push(g, NULL, 0, f != NULL ? f->name : NULL);
}

uint64_t mapq_file_size(const mapq_file *f)
{
	return mapq__data_size(f);
}

const char *mapq_file_name(const mapq_file *f)
{
	return f != NULL ? f->name : NULL;
}

int mapq_file_is_mapped(const mapq_file *f)
{
	return f != NULL && f->source == MAPQ__SOURCE_MAPPED;
}

int mapq_file_is_stream(const mapq_file *f)
{
	return f != NULL && f->source == MAPQ__SOURCE_STREAM;
}

int mapq_file_compression(const mapq_file *f)
{
	return f != NULL ? f->z.compression : MAPQ_COMPRESSION_NONE;
}

int mapq_file_size_known(const mapq_file *f)
{
	return f != NULL && mapq__data_size(f) != MAPQ_SIZE_UNKNOWN;
}

uint64_t mapq_file_raw_size(const mapq_file *f)
{
	return f != NULL ? f->size : 0;
}

int mapq_file_view(mapq_file *f, mapq_view *view, mapq_error *err)
{
	if (f == NULL || view == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or view");
	if (f->z.compression != MAPQ_COMPRESSION_NONE ||
	    f->source != MAPQ__SOURCE_MAPPED)
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: only a mapped, uncompressed file has "
		                       "a contiguous view; use a scan",
		                       f->name);
	view->data = f->data;
	view->size = f->size;
	view->offset = 0;
	view->file = f;
	return MAPQ_OK;
}

uint64_t mapq_seekable_frames(const mapq_file *f)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	return t != NULL ? t->n : 0;
}

int mapq_seekable_frame(const mapq_file *f, uint64_t index, mapq_frame *frame)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	if (frame == NULL || t == NULL || index >= t->n)
		return MAPQ_EINVAL;
	frame->raw_offset = t->raw[index];
	frame->raw_size = t->raw[index + 1] - t->raw[index];
	frame->offset = t->dec[index];
	frame->size = t->dec[index + 1] - t->dec[index];
	frame->has_checksum = t->checksum != NULL;
	frame->checksum = t->checksum != NULL ? t->checksum[index] : 0;
	return MAPQ_OK;
}

uint64_t mapq_seekable_find(const mapq_file *f, uint64_t offset)
{
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	return t != NULL ? mapq__seek_table_find(t, offset) : 0;
}

/* ---- the mapping's pages ---- */

/* Absolute page-aligned bounds of raw bytes [start, end) in the mapping. */
static int page_span(const mapq_file *f, uint64_t start, uint64_t end,
                     unsigned char **addr, size_t *len)
{
	if (f == NULL || f->source != MAPQ__SOURCE_MAPPED || f->base == NULL ||
	    start >= end || start >= f->size)
		return 0;
	if (end > f->size)
		end = f->size;
	uint64_t mask = mapq__page_size() - 1;
	uint64_t lead = (uint64_t)(f->data - (const unsigned char *)f->base);
	uint64_t lo = (lead + start) & ~mask;
	uint64_t hi = (lead + end + mask) & ~mask;
	if (hi > f->base_len)
		hi = f->base_len;
	*addr = (unsigned char *)f->base + lo;
	*len = (size_t)(hi - lo);
	return 1;
}

void mapq__advise_sequential(const mapq_file *f, uint64_t start, uint64_t end)
{
	unsigned char *addr;
	size_t len;
	if (page_span(f, start, end, &addr, &len))
		madvise(addr, len, MADV_SEQUENTIAL);
}

void mapq__release(const mapq_file *f, uint64_t start, uint64_t end)
{
	unsigned char *addr;
	size_t len;
	if (page_span(f, start, end, &addr, &len))
		madvise(addr, len, MADV_DONTNEED);
}

mapq_view mapq_view_sub(const mapq_view *view, uint64_t start, uint64_t end)
{
	mapq_view v = *view;
	if (end > view->size)
		end = view->size;
	if (start > end)
		start = end;
	v.data = view->data != NULL ? view->data + start : NULL;
	v.size = end - start;
	v.offset = view->offset + start;
	return v;
}
