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

/*
 * Line range resolution, shared by views (lines.c) and whole files of any
 * kind (resolve.c): the three ways of finding a line start, on a source.
 */
struct mapq__line_source {
	/* Start of line n (n >= 1) from the front; the end when missing. */
	int (*find_start)(void *src, uint64_t n, uint64_t *offset,
	                  mapq_error *err);
	/* Start of the n-th line from the end (n = 0: the end). */
	int (*find_start_back)(void *src, uint64_t n, uint64_t *offset,
	                       mapq_error *err);
	/* From a line start, n lines forward (at most the end). */
	int (*skip)(void *src, uint64_t from, uint64_t n, uint64_t *offset,
	            mapq_error *err);
	uint64_t size; /* the end of the data (MAPQ_SIZE_UNKNOWN: unknown) */
	void *src;
};
int mapq__resolve_lines(const struct mapq__line_source *ls,
                        const mapq_range *range, uint64_t *start,
                        uint64_t *end, mapq_error *err);

/*
 * Line primitives over a whole file's data through scans (resolve.c): what
 * lines.c does on a view, for input that has none (compressed).  They work
 * on plain files too, but the view functions are faster there.
 * - next_start: the first line start at or after `offset`;
 * - find_start_back: the start of the n-th line from the end (0 when the
 *   data has fewer lines; n = 0: the end);
 * - skip: from a line start, n lines forward (at most the end).
 */
int mapq__file_next_start(mapq_file *f, uint64_t offset, uint64_t *start,
                          mapq_error *err);
int mapq__file_find_start_back(void *f, uint64_t n, uint64_t *offset,
                               mapq_error *err);
int mapq__file_skip(void *f, uint64_t from, uint64_t n, uint64_t *offset,
                    mapq_error *err);

/* Page size, for aligning madvise ranges. */
uint64_t mapq__page_size(void);

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

/* zstd's frame magic (bytes 28 B5 2F FD) and skippable frame magics
 * (0x184D2A50 to 0x184D2A5F), as little-endian 32-bit values. */
#define MAPQ__ZSTD_FRAME_MAGIC 0xFD2FB528u
#define MAPQ__SKIPPABLE_MASK 0xFFFFFFF0u
#define MAPQ__SKIPPABLE_BASE 0x184D2A50u
/* The longest zstd frame header (ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h
 * only gives to static linking). */
#define MAPQ__ZSTD_FRAME_HEADER_MAX 18u

/* A little-endian 32-bit field of a zstd frame or seek table. */
static inline uint32_t mapq__le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Seek table constants of the format (little-endian on disk). */
#define MAPQ__SEEKABLE_MAGIC 0x8F92EAB1u
#define MAPQ__SEEK_TABLE_SKIPPABLE 0x184D2A5Eu
#define MAPQ__SEEK_FOOTER_SIZE 9u

/*
 * Parse and check the seek table at the end of [data, data + size) (a whole
 * compressed file).  Returns 1 with *t filled (free it with
 * mapq__seek_table_free), 0 when the data does not end with the seekable
 * magic number (no seek table: *t is empty), or MAPQ_ECORRUPT with a
 * message that starts with `name` and says what is wrong.  Reads the
 * bytes directly: callers reading a mapping hold the SIGBUS guard.
 * MAPQ_ENOMEM when the frame arrays cannot be allocated.
 */
int mapq__seek_table_parse(struct mapq__seek_table *t,
                           const unsigned char *data, uint64_t size,
                           const char *name, mapq_error *err);
void mapq__seek_table_free(struct mapq__seek_table *t);
/* Index of the frame holding decompressed offset `offset`, or t->n. */
uint64_t mapq__seek_table_find(const struct mapq__seek_table *t,
                               uint64_t offset);

/* A file's bytes: mapped, or read into memory. */
struct mapq_file {
	char *name;                 /* for messages */
	const unsigned char *data;  /* first byte of the (raw) data */
	uint64_t size;              /* bytes of raw data (compressed or not) */
	void *base;                 /* mmap base (page aligned) or malloc block */
	uint64_t base_len;          /* length of the mapping */
	int mapped;                 /* 1: base is a mapping */
	int compression;            /* enum mapq_compression */
	/* Decompressed size, MAPQ_SIZE_UNKNOWN until known; written once
	 * (atomically) when a stream gets measured, so always read it with
	 * mapq__data_size(). */
	uint64_t dsize;
	struct mapq__seek_table seek; /* MAPQ_COMPRESSION_ZSTD_SEEKABLE */
};

/* Size of the data a scan walks: decompressed for compressed input. */
uint64_t mapq__data_size(const mapq_file *f);
/* Record a stream's decompressed size once found. */
void mapq__data_size_found(mapq_file *f, uint64_t size);

/*
 * Recognise zstd data in f's raw bytes and set f->compression, f->dsize
 * and f->seek.  0 when f is plain or valid compressed input; MAPQ_ECORRUPT
 * (or MAPQ_ETRUNC, MAPQ_ENOMEM) otherwise.
 */
int mapq__zstd_detect(mapq_file *f, mapq_error *err);
/* Free what mapq__zstd_detect allocated. */
void mapq__zstd_close(mapq_file *f);

/* The error for damaged compressed data: "NAME: <what>". */
int mapq__error_corrupt(mapq_error *err, const mapq_file *f, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

/*
 * XXH64 with seed 0, streaming: the checksum of zstd frames and of seek
 * table entries (their low 32 bits).
 */
struct mapq__xxh64 {
	uint64_t v[4];
	uint64_t total;
	unsigned char buf[32];
	unsigned buffered;
};
void mapq__xxh64_init(struct mapq__xxh64 *h);
void mapq__xxh64_update(struct mapq__xxh64 *h, const void *p, size_t n);
uint64_t mapq__xxh64_digest(const struct mapq__xxh64 *h);

/*
 * Drop the pages holding file bytes [start, end) from this process's page
 * tables (MADV_DONTNEED).  Harmless for data: the mapping is private and
 * never written, so the next read faults the bytes back from the page
 * cache.  Rounds outward to whole pages.  A no-op for unmapped files.
 */
void mapq__release(const mapq_file *f, uint64_t start, uint64_t end);

/* Hint sequential access (MADV_SEQUENTIAL) for file bytes [start, end). */
void mapq__advise_sequential(const mapq_file *f, uint64_t start, uint64_t end);

struct mapq__zscan;

/* The state of a scan; public callers see it only as an opaque handle. */
struct mapq_scan {
	mapq_file *file;
	uint64_t pos;      /* absolute offset of the next window */
	uint64_t end;      /* absolute end of the scan */
	uint64_t window;   /* nominal window size */
	uint64_t first;    /* absolute start of the scan */
	uint64_t held;     /* start of pages not yet released */
	unsigned flags;
	struct mapq__zscan *z; /* decompression state (compressed input), made
	                        * by the first mapq_scan_next() */
};

/* mapq_scan_next() for compressed input (core/zscan.c). */
int mapq__zscan_next(struct mapq_scan *s, mapq_view *win, mapq_error *err);
/* Release and free a scan's decompression state, if it has one. */
void mapq__zscan_finish(struct mapq_scan *s);

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
	unsigned char b1, b1alt, b2, b2alt;
	size_t safe_len; /* caseless: leading ASCII letters folding only to
	                  * ASCII, matched at fixed offsets */
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
