/*
 * internal.h - declarations shared between core/ files, not installed.
 * Names here use the mapq__ prefix.
 */
#ifndef MAPQ_INTERNAL_H
#define MAPQ_INTERNAL_H

#include <setjmp.h>
#include <stdint.h>

#include "mapq.h"

/*
 * Fill *err (when not NULL) with code, sys_errno and a formatted message;
 * return code, so that `return mapq__error_set(err, MAPQ_EINVAL, 0, ...)`
 * reads as one statement.
 */
int mapq__error_set(mapq_error *err, int code, int sys_errno, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

/* The error for a file that shrank under its mapping, naming it. */
int mapq__error_truncated(mapq_error *err, const mapq_file *f);

/*
 * SIGBUS guard.  A guard is pushed on a per-thread stack before reading
 * mapped bytes; if the read faults, the handler jumps back to the
 * sigsetjmp() of the innermost guard.  Use it through MAPQ__GUARDED:
 *
 *	struct mapq__guard g;
 *	if (!MAPQ__GUARDED(g, file))
 *		return mapq__guard_failed(&g, err);   // the file shrank
 *	... read mapped bytes ...
 *	mapq__guard_pop(&g);
 *
 * Locals changed between the two and read after a fault must be volatile.
 * sigsetjmp saves no signal mask (cheap: no system call); the handler is
 * installed with SA_NODEFER so SIGBUS is not left blocked by the jump.
 */
struct mapq__guard {
	sigjmp_buf env;
	const mapq_file *file;
	struct mapq__guard *prev;
};

/* Push g (for file f, which may be NULL) on this thread's stack. */
void mapq__guard_push(struct mapq__guard *g, const mapq_file *f);
/* Pop g, which must be the innermost guard. */
void mapq__guard_pop(struct mapq__guard *g);
/* After a fault: pop g and return the truncation error for its file. */
int mapq__guard_failed(struct mapq__guard *g, mapq_error *err);
/* Install the process's SIGBUS handler once (thread-safe). */
int mapq__guard_install(mapq_error *err);

#define MAPQ__GUARDED(g, f) \
	(mapq__guard_push(&(g), (f)), sigsetjmp((g).env, 0) == 0)

/* Number of '\n' in [p, p + n): vectorised, the hot loop of line work. */
uint64_t mapq__count_newlines(const unsigned char *p, uint64_t n);

/*
 * Position of the k-th '\n' (k >= 1) in [p, p + n), or NULL when there are
 * fewer; then *found (if not NULL) holds how many there were.
 */
const unsigned char *mapq__find_nth_newline(const unsigned char *p,
                                            uint64_t n, uint64_t k,
                                            uint64_t *found);

/* Page size, for aligning madvise ranges. */
uint64_t mapq__page_size(void);

/* A file's bytes: mapped, or read into memory. */
struct mapq_file {
	char *name;                 /* for messages */
	const unsigned char *data;  /* first byte of the data */
	uint64_t size;              /* bytes of data */
	void *base;                 /* mmap base (page aligned) or malloc block */
	uint64_t base_len;          /* length of the mapping */
	int mapped;                 /* 1: base is a mapping */
};

/*
 * Drop the pages holding file bytes [start, end) from this process's page
 * tables (MADV_DONTNEED).  Harmless for data: the mapping is private and
 * never written, so the next read faults the bytes back from the page
 * cache.  Rounds outward to whole pages.  A no-op for unmapped files.
 */
void mapq__release(const mapq_file *f, uint64_t start, uint64_t end);

/* Hint sequential access (MADV_SEQUENTIAL) for file bytes [start, end). */
void mapq__advise_sequential(const mapq_file *f, uint64_t start, uint64_t end);

/* The state of a scan; public callers see it only as an opaque handle. */
struct mapq_scan {
	mapq_file *file;
	uint64_t pos;      /* absolute offset of the next window */
	uint64_t end;      /* absolute end of the scan */
	uint64_t window;   /* nominal window size */
	uint64_t first;    /* absolute start of the scan */
	uint64_t held;     /* start of pages not yet released */
	unsigned flags;
};

/* Initialise a scan in place (no allocation); arguments as mapq_scan_create. */
void mapq__scan_init(struct mapq_scan *s, mapq_file *f, uint64_t start,
                     uint64_t end, uint64_t window, unsigned flags);
/* Release what the scan still holds; the struct may then be discarded. */
void mapq__scan_finish(struct mapq_scan *s);

/* ---- literal prefilter (literal.c) ---- */

#define MAPQ__LITERAL_MAX 256

/* A literal that every match contains, and how to scan for it. */
struct mapq__literal {
	unsigned char bytes[MAPQ__LITERAL_MAX];
	size_t len;
	int whole;    /* the pattern is exactly this literal */
	int caseless; /* ASCII letters match in either case */
	int usable;   /* the prefilter may be used */
	int pair;     /* compare two bytes at once (case-sensitive, len >= 2) */
	size_t off1, off2;
	unsigned char b1, b1alt, b2;
};

/*
 * The longest literal run that every match of the regex p[0..n) must
 * contain, into *lit (lit->whole when the pattern is nothing but that
 * literal).  Returns 1 when one was found, 0 when the pattern uses
 * constructs it does not follow (then nothing is known).
 */
int mapq__literal_extract(const unsigned char *p, size_t n,
                          struct mapq__literal *lit);

/*
 * Choose the bytes the scan looks for (sets usable, pair, off*, b*): the
 * rarest ones by `freq`, byte counts of a sample of the data, or by a
 * static guess when freq is NULL.
 */
void mapq__literal_plan(struct mapq__literal *lit, int caseless,
                        const uint32_t *freq);

/*
 * Scan [p, end) for a candidate.  Case-sensitive: the start of the first
 * occurrence of the literal (entirely inside [p, end)).  Caseless: a
 * position inside a line that may hold a match, to be confirmed.  NULL
 * when there is none.
 */
const unsigned char *mapq__literal_find(const struct mapq__literal *lit,
                                        const unsigned char *p,
                                        const unsigned char *end);

#endif /* MAPQ_INTERNAL_H */
