/* file.c - opening inputs: map regular files, read everything else. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define STDIN_NAME "(standard input)"

/* First allocation when reading a stream; doubles as it fills. */
#define READ_INITIAL ((size_t)64 << 10)

uint64_t mapq__page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? (uint64_t)ps : 4096;
}

static int error_sys(mapq_error *err, const char *name, int e)
{
	return mapq__error_set(err, MAPQ_ESYS, e, "%s: %s", name, strerror(e));
}

int mapq__error_truncated(mapq_error *err, const mapq_file *f)
{
	return mapq__error_set(err, MAPQ_ETRUNC, 0,
	                       "%s: file shrank while being read",
	                       f != NULL ? f->name : "(unknown)");
}

/*
 * Read fd to end of file into a malloc'd block.  `hint` is a first
 * capacity (the size a regular file claims), 0 if unknown.
 */
static int read_all(mapq_file *f, int fd, uint64_t hint, mapq_error *err)
{
	size_t cap = hint > 0 && hint < SIZE_MAX / 2 ? (size_t)hint + 1
	                                                : READ_INITIAL;
	size_t len = 0;
	unsigned char *buf = malloc(cap);
	if (buf == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       f->name);
	for (;;) {
		if (len == cap) {
			if (cap > SIZE_MAX / 2) {
				free(buf);
				return mapq__error_set(err, MAPQ_ENOMEM, 0,
				                       "%s: input too large",
				                       f->name);
			}
			unsigned char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				return mapq__error_set(err, MAPQ_ENOMEM, 0,
				                       "%s: out of memory",
				                       f->name);
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return error_sys(err, f->name, e);
		}
		len += (size_t)n;
	}
	f->base = buf;
	f->base_len = cap;
	f->data = buf;
	f->size = len;
	f->mapped = 0;
	return MAPQ_OK;
}

/*
 * Map bytes [start, st_size) of a regular file.  mmap offsets must be page
 * aligned, so the mapping may begin a little before `start`.
 */
static int map_regular(mapq_file *f, int fd, uint64_t start, uint64_t fsize,
                       mapq_error *err)
{
	if (start >= fsize) {
		f->size = 0;
		return MAPQ_OK;
	}
	uint64_t aligned = start & ~(mapq__page_size() - 1);
	uint64_t len = fsize - aligned;
	if (len > SIZE_MAX)
		return mapq__error_set(err, MAPQ_ENOMEM, 0,
		                       "%s: too large to map", f->name);
	void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd,
	               (off_t)aligned);
	if (p == MAP_FAILED)
		return error_sys(err, f->name, errno);
	f->base = p;
	f->base_len = len;
	f->data = (const unsigned char *)p + (start - aligned);
	f->size = fsize - start;
	f->mapped = 1;
	return MAPQ_OK;
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
	int fd = -1;
	mapq_file *f = calloc(1, sizeof *f);
	if (f == NULL || (f->name = strdup(name)) == NULL) {
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                     name);
		goto fail;
	}

	if (is_stdin) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			rc = error_sys(err, name, errno);
			goto fail;
		}
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

	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    !(flags & MAPQ_OPEN_NO_MMAP)) {
		/* A redirected stdin continues where its offset stands, as
		 * cat and tail do. */
		uint64_t start = 0;
		if (is_stdin) {
			off_t cur = lseek(fd, 0, SEEK_CUR);
			if (cur > 0)
				start = (uint64_t)cur;
		}
		rc = map_regular(f, fd, start, (uint64_t)st.st_size, err);
		/* Some special files claim to be regular but cannot be
		 * mapped: read those like a pipe. */
		if (rc == MAPQ_ESYS && err != NULL &&
		    (err->sys_errno == ENODEV || err->sys_errno == EINVAL ||
		     err->sys_errno == EACCES))
			rc = read_all(f, fd, (uint64_t)st.st_size, err);
	} else {
		uint64_t hint = S_ISREG(st.st_mode) && st.st_size > 0
		                        ? (uint64_t)st.st_size
		                        : 0;
		rc = read_all(f, fd, hint, err);
	}
	if (rc != MAPQ_OK)
		goto fail;
	if (f->mapped && (rc = mapq__guard_install(err)) != MAPQ_OK)
		goto fail;
	if (!(flags & MAPQ_OPEN_NO_DECOMPRESS) &&
	    (rc = mapq__zstd_detect(f, err)) != MAPQ_OK)
		goto fail;

	if (!is_stdin)
		close(fd);
	*out = f;
	return MAPQ_OK;

fail:
	if (fd >= 0 && !is_stdin)
		close(fd);
	mapq_file_close(f);
	return rc;
}

void mapq_file_close(mapq_file *f)
{
	if (f == NULL)
		return;
	mapq__zstd_close(f);
	if (f->mapped)
		munmap(f->base, (size_t)f->base_len);
	else
		free(f->base);
	free(f->name);
	free(f);
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
	return f != NULL && f->mapped;
}

int mapq_file_view(mapq_file *f, mapq_view *view, mapq_error *err)
{
	if (f == NULL || view == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or view");
	if (f->compression != MAPQ_COMPRESSION_NONE)
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: zstd-compressed input has no contiguous "
		                       "view; this needs uncompressed input",
		                       f->name);
	view->data = f->data;
	view->size = f->size;
	view->offset = 0;
	view->file = f;
	return MAPQ_OK;
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

/* Absolute page-aligned bounds of file bytes [start, end) in the mapping. */
static int page_span(const mapq_file *f, uint64_t start, uint64_t end,
                     unsigned char **addr, size_t *len)
{
	if (f == NULL || !f->mapped || start >= end || start >= f->size)
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

void mapq_view_release(const mapq_view *view, uint64_t start, uint64_t end)
{
	/* A window of compressed input lives in the scan's buffer, not in
	 * the mapping: nothing to release. */
	if (view == NULL || view->file == NULL ||
	    view->file->compression != MAPQ_COMPRESSION_NONE)
		return;
	if (end > view->size)
		end = view->size;
	if (start >= end)
		return;
	mapq__release(view->file, view->offset + start, view->offset + end);
}

/* Largest single write(2): Linux moves at most about 2 GiB per call. */
#define WRITE_MAX ((size_t)1 << 30)

static int write_all(const mapq_file *f, const unsigned char *p, uint64_t n,
                     int fd, mapq_error *err)
{
	while (n > 0) {
		size_t chunk = n > WRITE_MAX ? WRITE_MAX : (size_t)n;
		ssize_t w = write(fd, p, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EFAULT) /* the mapped source vanished */
				return mapq__error_truncated(err, f);
			if (errno == EPIPE)
				return mapq__error_set(err, MAPQ_EPIPE, EPIPE,
				                       "write error: %s",
				                       strerror(EPIPE));
			return mapq__error_set(err, MAPQ_EWRITE, errno,
			                       "write error: %s",
			                       strerror(errno));
		}
		p += w;
		n -= (uint64_t)w;
	}
	return MAPQ_OK;
}

int mapq_view_write(const mapq_view *view, uint64_t start, uint64_t end,
                    int fd, mapq_error *err)
{
	if (view == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view");
	if (end > view->size)
		end = view->size;
	if (start >= end)
		return MAPQ_OK;
	if (view->file == NULL || !view->file->mapped ||
	    view->file->compression != MAPQ_COMPRESSION_NONE)
		return write_all(view->file, view->data + start, end - start,
		                 fd, err);

	/* Walk the range window by window, so that a large slice keeps few
	 * pages resident and each window is faulted in with one call. */
	struct mapq_scan s;
	mapq__scan_init(&s, view->file, view->offset + start,
	                view->offset + end, 0, 0);
	mapq_view win;
	int rc;
	while ((rc = mapq_scan_next(&s, &win, err)) > 0) {
		rc = write_all(view->file, win.data, win.size, fd, err);
		if (rc != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&s);
	return rc < 0 ? rc : MAPQ_OK;
}
