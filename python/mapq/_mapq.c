/*
 * _mapq.c - the C half of the Python package: handles over libmapq.
 *
 * The package's public face (argument checking, docstrings) is Python, in
 * __init__.py; what has to be fast or has to touch memory is here: the
 * file handle and its life cycle, zero-copy slices, the lazy grep
 * iterator and its Match records, the exceptions, and the SIGBUS fallback
 * for mapped bytes that Python code reads without the library's guard.
 *
 * Life cycle.  A _File counts its users: live slices that point into its
 * mapping, live grep iterators, and library calls in progress (which run
 * with the GIL released, so another thread may call close() meanwhile).
 * close() marks the handle closed at once (every later method raises
 * ValueError) but releases the mapq_file only when the last user is gone,
 * so a memoryview never outlives the mapping it points into.  The counter
 * only changes with the GIL held.
 *
 * Truncation.  The library guards its own reads of a mapping and returns
 * MAPQ_ETRUNC.  A memoryview read by Python code has no guard: a page
 * past the new end of a shrunken file raises SIGBUS there.  The handler
 * installed at import (before any mapping, so that the library's handler,
 * installed lazily, chains to it) looks the fault address up in a small
 * registry of the live mappings; when it lies in one, it maps a page of
 * zeros over the faulting page and flags the file, so the read is retried
 * and sees zeros, and every later method of that File raises mapq.Error.
 * Other faults go to the handler that was there before, or kill the
 * process as they would have.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapq.h"

/* ---------------------------------------------------------------- */
/* The registry of mappings and the SIGBUS handler                    */
/* ---------------------------------------------------------------- */

/*
 * One live mapping.  Written with the GIL held (one writer at a time),
 * read by the handler in any thread: `used` is published last (release)
 * and read first (acquire), so a slot the handler sees as used has its
 * bounds.  A File whose mapping finds no free slot is simply not covered.
 */
struct map_slot {
	atomic_uintptr_t lo;
	atomic_size_t len;
	atomic_int truncated;
	atomic_int used;
};

#define MAP_SLOTS 4096
static struct map_slot map_slots[MAP_SLOTS];
static atomic_int map_slots_high; /* slots [0, high) have been used */
static uintptr_t page_size;
static struct sigaction previous_bus;
static int handler_installed;

static int registry_add(const unsigned char *lo, uint64_t len)
{
	for (int i = 0; i < MAP_SLOTS; i++) {
		struct map_slot *s = &map_slots[i];
		if (atomic_load_explicit(&s->used, memory_order_acquire))
			continue;
		atomic_store_explicit(&s->lo, (uintptr_t)lo, memory_order_relaxed);
		atomic_store_explicit(&s->len, (size_t)len, memory_order_relaxed);
		atomic_store_explicit(&s->truncated, 0, memory_order_relaxed);
		atomic_store_explicit(&s->used, 1, memory_order_release);
		if (i >= atomic_load(&map_slots_high))
			atomic_store(&map_slots_high, i + 1);
		return i;
	}
	return -1;
}

static void registry_remove(int slot)
{
	if (slot >= 0)
		atomic_store_explicit(&map_slots[slot].used, 0,
		                      memory_order_release);
}

static int registry_truncated(int slot)
{
	return slot >= 0 && atomic_load(&map_slots[slot].truncated);
}

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
	/* si_code > 0: raised by the kernel for an access, not by kill(). */
	if (info != NULL && info->si_code > 0) {
		uintptr_t a = (uintptr_t)info->si_addr;
		int high = atomic_load(&map_slots_high);
		for (int i = 0; i < high; i++) {
			struct map_slot *s = &map_slots[i];
			if (!atomic_load_explicit(&s->used, memory_order_acquire))
				continue;
			uintptr_t lo = atomic_load(&s->lo);
			size_t len = atomic_load(&s->len);
			if (a < lo || a - lo >= len)
				continue;
			/* The lost page becomes a page of zeros: the faulting
			 * read runs again when we return and sees them. */
			void *page = (void *)(a & ~(page_size - 1));
			void *r = mmap(page, (size_t)page_size, PROT_READ,
			               MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
			               -1, 0);
			if (r != MAP_FAILED) {
				atomic_store(&s->truncated, 1);
				return;
			}
			break;
		}
	}
	/* Not ours: as if we had never been installed. */
	if (previous_bus.sa_flags & SA_SIGINFO) {
		if (previous_bus.sa_sigaction != NULL) {
			previous_bus.sa_sigaction(sig, info, context);
			return;
		}
	} else if (previous_bus.sa_handler != SIG_DFL &&
	           previous_bus.sa_handler != SIG_IGN) {
		previous_bus.sa_handler(sig);
		return;
	}
	/* Returning re-runs the access, which now takes the default action. */
	signal(SIGBUS, SIG_DFL);
}

static int install_sigbus_handler(void)
{
	if (handler_installed)
		return 0;
	long ps = sysconf(_SC_PAGESIZE);
	page_size = ps > 0 ? (uintptr_t)ps : 4096;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	if (sigaction(SIGBUS, &sa, &previous_bus) != 0) {
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	handler_installed = 1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Errors                                                             */
/* ---------------------------------------------------------------- */

static PyObject *error_class; /* mapq.Error, set by __init__.py */
static PyObject *match_type;  /* mapq.Match, a struct sequence */
static PyTypeObject *file_type, *slice_type, *grep_type;

/* Raise mapq.Error(errno or None, message, filename or None). */
static PyObject *raise_error(int sys_errno, const char *msg,
                             PyObject *filename)
{
	PyObject *cls = error_class != NULL ? error_class : PyExc_OSError;
	PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg),
	                                      "surrogateescape");
	if (text == NULL)
		return NULL;
	PyObject *no = sys_errno != 0 ? PyLong_FromLong(sys_errno)
	                              : Py_NewRef(Py_None);
	PyObject *exc = NULL;
	if (no != NULL)
		exc = PyObject_CallFunction(cls, "OOO", no, text,
		                            filename != NULL ? filename : Py_None);
	Py_XDECREF(no);
	Py_DECREF(text);
	if (exc != NULL) {
		PyErr_SetObject(cls, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/*
 * Raise the exception for library status rc: ValueError for what the
 * caller got wrong (a pattern, a range, a key), MemoryError, else
 * mapq.Error with the library's message.
 */
static PyObject *raise_mapq(int rc, const mapq_error *err, PyObject *filename)
{
	const char *msg = (err != NULL && err->code == rc && err->msg[0] != '\0')
	                          ? err->msg
	                          : mapq_strerror(rc);
	switch (rc) {
	case MAPQ_EINVAL:
	case MAPQ_ERANGE:
	case MAPQ_EOVERFLOW:
	case MAPQ_EPATTERN:
		PyErr_SetString(PyExc_ValueError, msg);
		return NULL;
	case MAPQ_ENOMEM:
		PyErr_SetString(PyExc_MemoryError, msg);
		return NULL;
	case MAPQ_ESYS:
	case MAPQ_EWRITE:
		return raise_error(err != NULL && err->code == rc ? err->sys_errno
		                                                  : 0,
		                   msg, filename);
	default:
		return raise_error(0, msg, filename);
	}
}

/* ---------------------------------------------------------------- */
/* _File                                                              */
/* ---------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	mapq_file *f;
	PyObject *name;    /* str: the path as given ("-" for stdin) */
	int closed;        /* close() was called */
	Py_ssize_t users;  /* slices, greps, calls in progress */
	int slot;          /* registry slot of the mapping, or -1 */
	const unsigned char *data; /* the mapping (mapped plain files) */
	uint64_t size;
} FileObject;

static void file_release(FileObject *self)
{
	registry_remove(self->slot);
	self->slot = -1;
	self->data = NULL;
	mapq_file_close(self->f);
	self->f = NULL;
}

static int file_check_truncated(FileObject *self)
{
	if (!registry_truncated(self->slot))
		return 0;
	PyObject *n = PyUnicode_AsUTF8String(self->name);
	if (n == NULL)
		return -1;
	char msg[MAPQ_ERROR_MSG_MAX];
	snprintf(msg, sizeof msg, "%s: file shrank while mapped",
	         PyBytes_AsString(n));
	Py_DECREF(n);
	raise_error(0, msg, self->name);
	return -1;
}

/* Take the file for a call (or an object that borrows from it). */
static int file_enter(FileObject *self)
{
	if (self->closed || self->f == NULL) {
		PyErr_SetString(PyExc_ValueError, "I/O operation on closed file");
		return -1;
	}
	if (file_check_truncated(self) != 0)
		return -1;
	self->users++;
	return 0;
}

static void file_leave(FileObject *self)
{
	if (--self->users == 0 && self->closed)
		file_release(self);
}

static PyObject *file_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"path", "name", "decompress", NULL};
	const char *path;
	PyObject *name;
	int decompress = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "yU|p", kwlist, &path, &name,
	                                 &decompress))
		return NULL;
	mapq_file *f = NULL;
	mapq_error err;
	int rc;
	unsigned flags = decompress ? MAPQ_OPEN_DEFAULT
	                            : MAPQ_OPEN_NO_DECOMPRESS;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_file_open(&f, path, NULL, flags, &err);
	Py_END_ALLOW_THREADS
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, name);
	FileObject *self = (FileObject *)PyType_GenericAlloc(type, 0);
	if (self == NULL) {
		mapq_file_close(f);
		return NULL;
	}
	self->f = f;
	self->name = Py_NewRef(name);
	self->slot = -1;
	mapq_view v;
	if (mapq_file_compression(f) == MAPQ_COMPRESSION_NONE &&
	    mapq_file_view(f, &v, NULL) == MAPQ_OK && v.size > 0) {
		self->data = v.data;
		self->size = v.size;
		self->slot = registry_add(v.data, v.size);
	}
	return (PyObject *)self;
}

/* The end of every tp_dealloc here: free the object of a heap type and
 * drop the reference that each instance holds on its type. */
static void free_instance(PyObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
	tp_free(self);
	Py_DECREF(tp);
}

static void file_dealloc(FileObject *self)
{
	file_release(self);
	Py_XDECREF(self->name);
	free_instance((PyObject *)self);
}

static PyObject *file_close(FileObject *self, PyObject *unused)
{
	(void)unused;
	if (!self->closed) {
		self->closed = 1;
		if (self->users == 0)
			file_release(self);
	}
	Py_RETURN_NONE;
}

static PyObject *file_get_closed(FileObject *self, void *unused)
{
	(void)unused;
	return PyBool_FromLong(self->closed);
}

static PyObject *file_get_name(FileObject *self, void *unused)
{
	(void)unused;
	return Py_NewRef(self->name);
}

/* The size, or None while it is not known (a stream, a zstd stream). */
static PyObject *file_size(FileObject *self, PyObject *unused)
{
	(void)unused;
	if (file_enter(self) != 0)
		return NULL;
	PyObject *r;
	if (mapq_file_is_stream(self->f) || !mapq_file_size_known(self->f))
		r = Py_NewRef(Py_None);
	else
		r = PyLong_FromUnsignedLongLong(mapq_file_size(self->f));
	file_leave(self);
	return r;
}

static PyObject *file_measure(FileObject *self, PyObject *unused)
{
	(void)unused;
	if (file_enter(self) != 0)
		return NULL;
	uint64_t size = 0;
	mapq_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_file_measure(self->f, &size, &err);
	Py_END_ALLOW_THREADS
	file_leave(self);
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, self->name);
	return PyLong_FromUnsignedLongLong(size);
}

static PyObject *file_info(FileObject *self, PyObject *unused)
{
	(void)unused;
	if (file_enter(self) != 0)
		return NULL;
	PyObject *r = Py_BuildValue(
	        "{s:O,s:O,s:i,s:K}", "mapped",
	        mapq_file_is_mapped(self->f) ? Py_True : Py_False, "stream",
	        mapq_file_is_stream(self->f) ? Py_True : Py_False,
	        "compression", mapq_file_compression(self->f), "raw_size",
	        (unsigned long long)mapq_file_raw_size(self->f));
	file_leave(self);
	return r;
}

/* Parse an optional range: unit -1 means none. */
static int parse_range(int unit, const char *text, mapq_range *r)
{
	if (unit < 0)
		return 0;
	mapq_error err;
	int rc = mapq_range_parse(r, text, unit == 1 ? MAPQ_RANGE_LINES
	                                              : MAPQ_RANGE_BYTES,
	                          &err);
	if (rc != MAPQ_OK) {
		raise_mapq(rc, &err, NULL);
		return -1;
	}
	return 1;
}

/* ---------------------------------------------------------------- */
/* _Slice: the object a slice's memoryview exports from               */
/* ---------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	FileObject *file;    /* the file whose mapping `data` points into */
	unsigned char *own;  /* or a buffer of our own */
	const unsigned char *data;
	Py_ssize_t len;
} SliceObject;

static const unsigned char empty_bytes[1];

static int slice_getbuffer(SliceObject *self, Py_buffer *view, int flags)
{
	return PyBuffer_FillInfo(view, (PyObject *)self,
	                         (void *)(self->data != NULL ? self->data
	                                                     : empty_bytes),
	                         self->len, 1, flags);
}

static void slice_dealloc(SliceObject *self)
{
	if (self->file != NULL) {
		file_leave(self->file);
		Py_DECREF(self->file);
	}
	free(self->own);
	free_instance((PyObject *)self);
}

/* Read the range through a scan into a buffer of our own. */
static int read_range(FileObject *self, const mapq_range *r, unsigned flags,
                      unsigned char **out, size_t *out_len, mapq_error *err)
{
	mapq_scan *scan = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = mapq_scan_create(&scan, self->f, r, 0, flags, err);
	if (rc != MAPQ_OK)
		return rc;
	/* On input that can be read again, the size is known up front. */
	uint64_t start, end;
	if (!mapq_file_is_stream(self->f) && mapq_file_size_known(self->f) &&
	    mapq_range_resolve(self->f, r, (flags & MAPQ_SCAN_ALIGN)
	                                           ? MAPQ_RESOLVE_ALIGN
	                                           : 0,
	                       &start, &end, NULL) == MAPQ_OK &&
	    end >= start && end - start < SIZE_MAX) {
		cap = (size_t)(end - start);
		buf = malloc(cap > 0 ? cap : 1);
		if (buf == NULL) {
			rc = MAPQ_ENOMEM;
			goto done;
		}
	}
	mapq_view w;
	while ((rc = mapq_scan_next(scan, &w, err)) > 0) {
		if (w.size > SIZE_MAX - len) {
			rc = MAPQ_ENOMEM;
			break;
		}
		if (len + w.size > cap) {
			size_t want = cap > 0 ? cap : 65536;
			while (want < len + w.size)
				want = want > SIZE_MAX / 2 ? len + w.size
				                           : want * 2;
			unsigned char *grown = realloc(buf, want);
			if (grown == NULL) {
				rc = MAPQ_ENOMEM;
				break;
			}
			buf = grown;
			cap = want;
		}
		memcpy(buf + len, w.data, (size_t)w.size);
		len += (size_t)w.size;
	}
done:
	mapq_scan_destroy(scan);
	if (rc < 0) {
		if (rc == MAPQ_ENOMEM && err != NULL) {
			err->code = MAPQ_ENOMEM;
			err->msg[0] = '\0';
		}
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return MAPQ_OK;
}

static PyObject *file_slice(FileObject *self, PyObject *args)
{
	int unit, align;
	const char *text;
	if (!PyArg_ParseTuple(args, "izp", &unit, &text, &align))
		return NULL;
	mapq_range range;
	int has = parse_range(unit, text, &range);
	if (has < 0)
		return NULL;
	if (file_enter(self) != 0)
		return NULL;
	SliceObject *s = (SliceObject *)PyType_GenericAlloc(slice_type, 0);
	if (s == NULL) {
		file_leave(self);
		return NULL;
	}
	mapq_error err;
	int rc;
	if (self->data != NULL) {
		uint64_t start = 0, end = self->size;
		if (has) {
			Py_BEGIN_ALLOW_THREADS
			rc = mapq_range_resolve(self->f, &range,
			                        align ? MAPQ_RESOLVE_ALIGN : 0,
			                        &start, &end, &err);
			Py_END_ALLOW_THREADS
			if (rc != MAPQ_OK)
				goto fail;
		}
		if (end > self->size)
			end = self->size;
		if (start > end)
			start = end;
		/* The slice keeps the file's mapping: it is a user. */
		s->file = self;
		Py_INCREF((PyObject *)self);
		self->users++;
		s->data = self->data + start;
		s->len = (Py_ssize_t)(end - start);
	} else {
		unsigned char *buf = NULL;
		size_t len = 0;
		Py_BEGIN_ALLOW_THREADS
		rc = read_range(self, has ? &range : NULL,
		                align ? MAPQ_SCAN_ALIGN : 0, &buf, &len, &err);
		Py_END_ALLOW_THREADS
		if (rc != MAPQ_OK)
			goto fail;
		s->own = buf;
		s->data = buf;
		s->len = (Py_ssize_t)len;
	}
	file_leave(self);
	PyObject *mv = PyMemoryView_FromObject((PyObject *)s);
	Py_DECREF(s);
	return mv;
fail:
	Py_DECREF(s);
	file_leave(self);
	return raise_mapq(rc, &err, self->name);
}

/* ---------------------------------------------------------------- */
/* Grep                                                               */
/* ---------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	FileObject *file;
	PyObject *patterns; /* the tuple of bytes the matcher was made from */
	mapq_matcher *matcher;
	mapq_grep *grep;
	mapq_range range;
	int running; /* a thread is inside next() */
	int done;
} GrepObject;

/* Stop the threads and release the file: the iterator is finished. */
static void grep_finish(GrepObject *self)
{
	if (self->grep != NULL) {
		mapq_grep *g = self->grep;
		self->grep = NULL;
		Py_BEGIN_ALLOW_THREADS
		mapq_grep_destroy(g);
		Py_END_ALLOW_THREADS
	}
	mapq_matcher_destroy(self->matcher);
	self->matcher = NULL;
	if (self->file != NULL) {
		FileObject *f = self->file;
		self->file = NULL;
		file_leave(f);
		Py_DECREF(f);
	}
	self->done = 1;
}

static void grep_dealloc(GrepObject *self)
{
	grep_finish(self);
	Py_XDECREF(self->patterns);
	free_instance((PyObject *)self);
}

static PyObject *make_match(const mapq_grep_record *rec)
{
	PyObject *m = PyStructSequence_New((PyTypeObject *)match_type);
	if (m == NULL)
		return NULL;
	PyObject *spans = PyList_New((Py_ssize_t)rec->n_spans);
	PyObject *number = PyLong_FromUnsignedLongLong(rec->number);
	PyObject *offset = PyLong_FromUnsignedLongLong(rec->offset);
	PyObject *line = PyBytes_FromStringAndSize((const char *)rec->line,
	                                           (Py_ssize_t)rec->length);
	if (spans == NULL || number == NULL || offset == NULL || line == NULL)
		goto fail;
	for (size_t i = 0; i < rec->n_spans; i++) {
		PyObject *t = PyTuple_New(2);
		if (t == NULL)
			goto fail;
		PyList_SetItem(spans, (Py_ssize_t)i, t);
		PyObject *a = PyLong_FromUnsignedLongLong(rec->spans[i].start);
		if (a == NULL)
			goto fail;
		PyTuple_SetItem(t, 0, a);
		PyObject *b = PyLong_FromUnsignedLongLong(rec->spans[i].end);
		if (b == NULL)
			goto fail;
		PyTuple_SetItem(t, 1, b);
	}
	PyStructSequence_SetItem(m, 0, number);
	PyStructSequence_SetItem(m, 1, offset);
	PyStructSequence_SetItem(m, 2, line);
	PyStructSequence_SetItem(m, 3, spans);
	return m;
fail:
	Py_XDECREF(spans);
	Py_XDECREF(number);
	Py_XDECREF(offset);
	Py_XDECREF(line);
	Py_DECREF(m);
	return NULL;
}

static PyObject *grep_next(GrepObject *self)
{
	if (self->done || self->grep == NULL)
		return NULL;
	if (self->running) {
		PyErr_SetString(PyExc_ValueError, "grep iterator already "
		                                  "executing in another thread");
		return NULL;
	}
	FileObject *file = self->file;
	if (file_check_truncated(file) != 0) {
		grep_finish(self);
		return NULL;
	}
	/* Ctrl-C between two records (a search in progress runs on). */
	if (PyErr_CheckSignals() != 0)
		return NULL;
	mapq_grep_record rec;
	mapq_error err;
	int rc;
	self->running = 1;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_grep_next(self->grep, &rec, &err);
	Py_END_ALLOW_THREADS
	self->running = 0;
	if (rc <= 0) {
		if (rc < 0) {
			Py_INCREF((PyObject *)file);
			raise_mapq(rc, &err, file->name);
			Py_DECREF((PyObject *)file);
		}
		grep_finish(self);
		return NULL;
	}
	/* rec.line may lie in the mapping: copying it is an unguarded read,
	 * which the SIGBUS fallback turns into zeros and a flag. */
	PyObject *m = make_match(&rec);
	if (m != NULL && file_check_truncated(file) != 0)
		Py_CLEAR(m);
	if (m == NULL)
		grep_finish(self);
	return m;
}

static PyObject *grep_close(GrepObject *self, PyObject *unused)
{
	(void)unused;
	if (self->running) {
		PyErr_SetString(PyExc_ValueError, "grep iterator already "
		                                  "executing in another thread");
		return NULL;
	}
	grep_finish(self);
	Py_RETURN_NONE;
}

/*
 * grep(patterns, match_flags, grep_flags, max_count, unit, range_text,
 *      threads, first_line, count_only)
 * -> iterator of Match, or the count with count_only.
 */
static PyObject *file_grep(FileObject *self, PyObject *args)
{
	PyObject *patterns;
	unsigned match_flags, grep_flags, threads;
	unsigned long long max_count, first_line;
	int unit, count_only;
	const char *text;
	if (!PyArg_ParseTuple(args, "O!IIKizIKp", &PyTuple_Type, &patterns,
	                      &match_flags, &grep_flags, &max_count, &unit,
	                      &text, &threads, &first_line, &count_only))
		return NULL;
	Py_ssize_t n = PyTuple_Size(patterns);
	mapq_pattern *pats = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof *pats);
	if (pats == NULL)
		return PyErr_NoMemory();
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *p = PyTuple_GetItem(patterns, i);
		char *bytes;
		Py_ssize_t len;
		if (p == NULL || PyBytes_AsStringAndSize(p, &bytes, &len) != 0) {
			PyMem_Free(pats);
			return NULL;
		}
		pats[i].text = bytes;
		pats[i].len = (size_t)len;
	}
	GrepObject *g = (GrepObject *)PyType_GenericAlloc(grep_type, 0);
	if (g == NULL) {
		PyMem_Free(pats);
		return NULL;
	}
	g->patterns = Py_NewRef(patterns);
	int has = parse_range(unit, text, &g->range);
	if (has < 0 || file_enter(self) != 0) {
		PyMem_Free(pats);
		Py_DECREF(g);
		return NULL;
	}
	g->file = self;
	Py_INCREF((PyObject *)self);

	mapq_error err;
	int rc;
	mapq_grep_options o;
	memset(&o, 0, sizeof o);
	o.range = has ? &g->range : NULL;
	o.flags = grep_flags | (count_only ? MAPQ_GREP_COUNT_ONLY
	                                   : MAPQ_GREP_NUMBERS |
	                                             MAPQ_GREP_SPANS);
	o.binary = MAPQ_GREP_BINARY_TEXT;
	o.max_count = max_count;
	o.threads = threads;
	o.first_line = first_line;
	mapq_grep_summary sum;
	memset(&sum, 0, sizeof sum);
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_matcher_create(&g->matcher, pats, (size_t)n, match_flags, &err);
	if (rc == MAPQ_OK) {
		o.matcher = g->matcher;
		rc = mapq_grep_create(&g->grep, self->f, &o, &err);
	}
	if (rc == MAPQ_OK && count_only) {
		mapq_grep_record rec;
		while ((rc = mapq_grep_next(g->grep, &rec, &err)) > 0)
			;
		if (rc == 0)
			mapq_grep_summary_get(g->grep, &sum);
	}
	Py_END_ALLOW_THREADS
	PyMem_Free(pats);
	if (rc < 0) {
		raise_mapq(rc, &err, self->name);
		Py_DECREF(g);
		return NULL;
	}
	if (count_only) {
		Py_DECREF(g);
		if (file_check_truncated(self) != 0)
			return NULL;
		return PyLong_FromUnsignedLongLong(sum.selected);
	}
	return (PyObject *)g;
}

/* ---------------------------------------------------------------- */
/* Stats, range, split, newlines                                      */
/* ---------------------------------------------------------------- */

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

static PyObject *stats_dict(PyObject *path, const mapq_stats_result *r)
{
	PyObject *hist = PyList_New(256);
	if (hist == NULL)
		return NULL;
	for (int b = 0; b < 256; b++) {
		PyObject *v = PyLong_FromUnsignedLongLong(r->histogram[b]);
		if (v == NULL) {
			Py_DECREF(hist);
			return NULL;
		}
		PyList_SetItem(hist, b, v);
	}
	return Py_BuildValue(
	        "{s:O,s:K,s:K,s:K,s:{s:K,s:K},s:K,s:K,s:K,s:K,s:d,s:N}",
	        "path", path, "bytes", (unsigned long long)r->bytes, "lines",
	        (unsigned long long)r->lines, "newlines",
	        (unsigned long long)r->newlines, "longest_line", "length",
	        (unsigned long long)r->longest_length, "line",
	        (unsigned long long)r->longest_line, "empty_lines",
	        (unsigned long long)r->empty_lines, "nul_bytes",
	        (unsigned long long)r->nul_bytes, "cr_bytes",
	        (unsigned long long)r->cr_bytes, "utf8_invalid",
	        (unsigned long long)r->utf8_invalid, "entropy", r->entropy,
	        "histogram", hist);
}

/* stats(unit, range_text, threads, first_line) -> dict; first_line 0:
 * find it as the CLI does. */
static PyObject *file_stats(FileObject *self, PyObject *args)
{
	int unit;
	const char *text;
	unsigned threads;
	unsigned long long given_first;
	if (!PyArg_ParseTuple(args, "izIK", &unit, &text, &threads,
	                      &given_first))
		return NULL;
	mapq_range range;
	int has = parse_range(unit, text, &range);
	if (has < 0 || file_enter(self) != 0)
		return NULL;
	if (threads == 0)
		threads = online_cpus();
	/* The number of the first line when known without counting. */
	uint64_t first_line = given_first;
	if (first_line == 0) {
		if (!has)
			first_line = 1;
		else if (range.unit == MAPQ_RANGE_LINES &&
		         (range.flags & MAPQ_RANGE_HAS_START) &&
		         !(range.flags & MAPQ_RANGE_START_NEG))
			first_line = range.start;
	}
	mapq_stats *s = NULL;
	mapq_stats_result r;
	mapq_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_stats_create(&s, &err);
	if (rc == MAPQ_OK)
		rc = mapq_stats_scan(s, self->f, has ? &range : NULL, threads,
		                     first_line == 0 ? &first_line : NULL, &err);
	if (rc == MAPQ_OK)
		mapq_stats_finish(s, first_line, &r);
	mapq_stats_destroy(s);
	Py_END_ALLOW_THREADS
	file_leave(self);
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, self->name);
	if (file_check_truncated(self) != 0)
		return NULL;
	return stats_dict(self->name, &r);
}

/*
 * range(from, to, key_type, field, delim, regex, time_format, year, slack)
 * -> (start, end), as `mapq range --offsets`: a mapped or seekable file is
 * bisected; other input is read once up to the window's end.  `slack` is
 * a duration's text (None: 0).
 */
static PyObject *file_range(FileObject *self, PyObject *args)
{
	const char *from, *to, *regex, *time_format, *slack;
	Py_ssize_t flen, tlen;
	int type, delim, year;
	unsigned long long field;
	if (!PyArg_ParseTuple(args, "y#z#iKizziz", &from, &flen, &to, &tlen,
	                      &type, &field, &delim, &regex, &time_format,
	                      &year, &slack))
		return NULL;
	mapq_key_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.type = (mapq_key_type)type;
	spec.field = field;
	spec.delim = delim;
	spec.regex = regex;
	spec.time_format = time_format;
	spec.year = year;
	mapq_window w = {.from = from, .flen = (uint64_t)flen, .to = to,
	                 .tlen = to != NULL ? (uint64_t)tlen : 0, .slack = 0};
	mapq_key *key = NULL;
	mapq_error err;
	int rc = MAPQ_OK;
	if (slack != NULL)
		rc = mapq_duration_parse(slack, &w.slack, &err);
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, NULL);
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_key_create(&key, &spec, &err);
	Py_END_ALLOW_THREADS
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, NULL);
	if (file_enter(self) != 0) {
		mapq_key_destroy(key);
		return NULL;
	}
	uint64_t start = 0, end = 0;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_bisect_window(self->f, key, &w, &start, &end, &err);
	mapq_key_destroy(key);
	Py_END_ALLOW_THREADS
	file_leave(self);
	if (rc < 0)
		return raise_mapq(rc, &err, self->name);
	if (file_check_truncated(self) != 0)
		return NULL;
	return Py_BuildValue("(KK)", (unsigned long long)start,
	                     (unsigned long long)end);
}

static PyObject *file_split(FileObject *self, PyObject *args)
{
	unsigned long long n;
	int lines;
	if (!PyArg_ParseTuple(args, "Kp", &n, &lines))
		return NULL;
	if (file_enter(self) != 0)
		return NULL;
	mapq_split *s = NULL;
	mapq_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_split_create(&s, self->f, n,
	                       lines ? MAPQ_SPLIT_LINES : MAPQ_SPLIT_BYTES, &err);
	Py_END_ALLOW_THREADS
	PyObject *list = rc == MAPQ_OK ? PyList_New(0) : NULL;
	while (list != NULL) {
		uint64_t start, end;
		Py_BEGIN_ALLOW_THREADS
		rc = mapq_split_next(s, &start, &end, &err);
		Py_END_ALLOW_THREADS
		if (rc <= 0)
			break;
		PyObject *t = Py_BuildValue("(KK)", (unsigned long long)start,
		                            (unsigned long long)end);
		if (t == NULL || PyList_Append(list, t) != 0) {
			Py_XDECREF(t);
			Py_CLEAR(list);
			break;
		}
		Py_DECREF(t);
	}
	mapq_split_destroy(s);
	file_leave(self);
	if (rc < 0) {
		Py_XDECREF(list);
		return raise_mapq(rc, &err, self->name);
	}
	if (list != NULL && file_check_truncated(self) != 0)
		Py_CLEAR(list);
	return list;
}

static PyObject *file_newlines(FileObject *self, PyObject *args)
{
	unsigned long long start, end;
	if (!PyArg_ParseTuple(args, "KK", &start, &end))
		return NULL;
	if (file_enter(self) != 0)
		return NULL;
	uint64_t count = 0;
	mapq_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = mapq_lines_count_newlines(self->f, start, end, &count, &err);
	Py_END_ALLOW_THREADS
	file_leave(self);
	if (rc != MAPQ_OK)
		return raise_mapq(rc, &err, self->name);
	if (file_check_truncated(self) != 0)
		return NULL;
	return PyLong_FromUnsignedLongLong(count);
}

/* ---------------------------------------------------------------- */
/* Types and module                                                   */
/* ---------------------------------------------------------------- */

static PyMethodDef file_methods[] = {
	{"close", (PyCFunction)file_close, METH_NOARGS, NULL},
	{"size", (PyCFunction)file_size, METH_NOARGS, NULL},
	{"measure", (PyCFunction)file_measure, METH_NOARGS, NULL},
	{"info", (PyCFunction)file_info, METH_NOARGS, NULL},
	{"slice", (PyCFunction)file_slice, METH_VARARGS, NULL},
	{"grep", (PyCFunction)file_grep, METH_VARARGS, NULL},
	{"stats", (PyCFunction)file_stats, METH_VARARGS, NULL},
	{"range", (PyCFunction)file_range, METH_VARARGS, NULL},
	{"split", (PyCFunction)file_split, METH_VARARGS, NULL},
	{"newlines", (PyCFunction)file_newlines, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef file_getset[] = {
	{"closed", (getter)file_get_closed, NULL, NULL, NULL},
	{"name", (getter)file_get_name, NULL, NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot file_slots[] = {
	{Py_tp_new, file_new},
	{Py_tp_dealloc, file_dealloc},
	{Py_tp_methods, file_methods},
	{Py_tp_getset, file_getset},
	{Py_tp_doc, "Internal handle of an open file; use mapq.open()."},
	{0, NULL},
};

static PyType_Spec file_spec = {"mapq._mapq._File", sizeof(FileObject), 0,
                                Py_TPFLAGS_DEFAULT, file_slots};

static PyType_Slot slice_slots[] = {
	{Py_bf_getbuffer, slice_getbuffer},
	{Py_tp_dealloc, slice_dealloc},
	{Py_tp_doc, "Internal: the bytes a slice's memoryview shows."},
	{0, NULL},
};

static PyType_Spec slice_spec = {"mapq._mapq._Slice", sizeof(SliceObject), 0,
                                 Py_TPFLAGS_DEFAULT, slice_slots};

static PyObject *grep_iter(PyObject *self)
{
	return Py_NewRef(self);
}

static PyMethodDef grep_methods[] = {
	{"close", (PyCFunction)grep_close, METH_NOARGS,
	 "close()\n--\n\nStop the search now and release its threads."},
	{NULL, NULL, 0, NULL},
};

static PyType_Slot grep_slots[] = {
	{Py_tp_dealloc, grep_dealloc},
	{Py_tp_iter, grep_iter},
	{Py_tp_iternext, grep_next},
	{Py_tp_methods, grep_methods},
	{Py_tp_doc, "A lazy iterator over the Match records of File.grep().\n"
	            "Dropping it, or close(), stops the search."},
	{0, NULL},
};

static PyType_Spec grep_spec = {"mapq.GrepIterator", sizeof(GrepObject), 0,
                                Py_TPFLAGS_DEFAULT, grep_slots};

static PyStructSequence_Field match_fields[] = {
	{"line_number", "whole-file line number, 1-based"},
	{"offset", "byte offset of the line in the file"},
	{"line", "the line, bytes without its newline"},
	{"spans", "list of (start, end) of the matches inside line"},
	{NULL, NULL},
};

static PyStructSequence_Desc match_desc = {
	"mapq.Match",
	"Match(line_number, offset, line, spans): one line that File.grep()\n"
	"selected.  line_number is its whole-file number (1-based), offset the\n"
	"byte offset of its first byte, line its bytes without the newline,\n"
	"spans the (start, end) offsets inside line of the matches, left to\n"
	"right, as grep -o prints them (empty for lines selected by invert).",
	match_fields, 4};

static PyObject *mod_set_error(PyObject *mod, PyObject *cls)
{
	(void)mod;
	if (!PyType_Check(cls) ||
	    !PyObject_IsSubclass(cls, PyExc_OSError)) {
		PyErr_SetString(PyExc_TypeError, "expected an OSError subclass");
		return NULL;
	}
	PyObject *old = error_class;
	error_class = Py_NewRef(cls);
	Py_XDECREF(old);
	Py_RETURN_NONE;
}

static PyObject *mod_version(PyObject *mod, PyObject *unused)
{
	(void)mod;
	(void)unused;
	return PyUnicode_FromString(mapq_version());
}

static PyObject *mod_online_cpus(PyObject *mod, PyObject *unused)
{
	(void)mod;
	(void)unused;
	return PyLong_FromUnsignedLong(online_cpus());
}

static PyMethodDef module_methods[] = {
	{"_set_error_class", mod_set_error, METH_O, NULL},
	{"version", mod_version, METH_NOARGS, NULL},
	{"online_cpus", mod_online_cpus, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT, "_mapq",
	"C half of the mapq package (internal): use `import mapq`.", -1,
	module_methods, NULL, NULL, NULL, NULL};

static int add_constants(PyObject *m)
{
	static const struct {
		const char *name;
		long value;
	} c[] = {
	        {"MATCH_FIXED", MAPQ_MATCH_FIXED},
	        {"MATCH_CASELESS", MAPQ_MATCH_CASELESS},
	        {"MATCH_WORD", MAPQ_MATCH_WORD},
	        {"MATCH_LINE", MAPQ_MATCH_LINE},
	        {"GREP_INVERT", MAPQ_GREP_INVERT},
	        {"KEY_LINE", MAPQ_KEY_LINE},
	        {"KEY_FIELD", MAPQ_KEY_FIELD},
	        {"KEY_REGEX", MAPQ_KEY_REGEX},
	        {"KEY_BLANKS", MAPQ_KEY_BLANKS},
	        {"COMPRESSION_NONE", MAPQ_COMPRESSION_NONE},
	        {"COMPRESSION_ZSTD_STREAM", MAPQ_COMPRESSION_ZSTD_STREAM},
	        {"COMPRESSION_ZSTD_SEEKABLE", MAPQ_COMPRESSION_ZSTD_SEEKABLE},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (PyModule_AddIntConstant(m, c[i].name, c[i].value) != 0)
			return -1;
	return 0;
}

PyMODINIT_FUNC PyInit__mapq(void)
{
	/* First, before anything maps a file: see the top of this file. */
	if (install_sigbus_handler() != 0)
		return NULL;
	PyObject *m = PyModule_Create(&module_def);
	if (m == NULL)
		return NULL;
	if (file_type == NULL) {
		file_type = (PyTypeObject *)PyType_FromSpec(&file_spec);
		slice_type = (PyTypeObject *)PyType_FromSpec(&slice_spec);
		grep_type = (PyTypeObject *)PyType_FromSpec(&grep_spec);
		match_type = (PyObject *)PyStructSequence_NewType(&match_desc);
		if (file_type == NULL || slice_type == NULL ||
		    grep_type == NULL || match_type == NULL)
			goto fail;
	}
	if (PyModule_AddObjectRef(m, "_File", (PyObject *)file_type) != 0 ||
	    PyModule_AddObjectRef(m, "_Slice", (PyObject *)slice_type) != 0 ||
	    PyModule_AddObjectRef(m, "GrepIterator", (PyObject *)grep_type) != 0 ||
	    PyModule_AddObjectRef(m, "Match", match_type) != 0 ||
	    add_constants(m) != 0)
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
