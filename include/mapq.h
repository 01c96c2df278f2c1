/*
 * mapq.h - public API of libmapq: query files too big to read.
 *
 * libmapq opens a file (or standard input) and exposes its bytes read-only,
 * either as one contiguous view (regular files are memory-mapped) or as a
 * sequence of windows that a scan walks through, releasing the pages it has
 * finished with so that resident memory stays bounded whatever the file size.
 * On top of that it offers primitives: the range language, line finding and
 * counting.
 *
 * Conventions
 * - Every fallible function returns int: 0 (MAPQ_OK) or a negative MAPQ_E*
 *   code; mapq_strerror() gives its text.  Functions that take a
 *   `mapq_error *err` fill it with detail (which file, which argument) when
 *   it is not NULL.  The library never prints and never exits.
 * - Offsets and sizes are 64-bit (uint64_t) everywhere.
 * - Ownership: a mapq_file owns its bytes.  A mapq_view, and every window a
 *   mapq_scan returns, borrows from its file and stays valid until the file
 *   is closed (a window: until the next mapq_scan_next()).
 * - Threads: a mapq_file may be read by several threads at once (views,
 *   line primitives, one scan per thread); a mapq_scan belongs to one thread.
 * - Truncation: if a mapped file shrinks while it is open, reading its lost
 *   pages would raise SIGBUS.  Every library function that reads mapped
 *   bytes catches that and returns MAPQ_ETRUNC instead.  To do so the library
 *   installs a SIGBUS handler once (the first time a file is mapped); faults
 *   outside a guarded library call are passed to the handler that was
 *   installed before it.  Code outside the library that reads a view's bytes
 *   directly can get the same protection with mapq_file_guard().
 */
#ifndef MAPQ_H
#define MAPQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MAPQ_API __attribute__((visibility("default")))
#else
#define MAPQ_API
#endif

#define MAPQ_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

enum mapq_status {
	MAPQ_OK = 0,
	MAPQ_EINVAL = -1,    /* invalid argument (a NULL handle, a bad flag) */
	MAPQ_ENOMEM = -2,    /* out of memory */
	MAPQ_ESYS = -3,      /* a system call failed: see mapq_error.sys_errno */
	MAPQ_ERANGE = -4,    /* malformed range text */
	MAPQ_EOVERFLOW = -5, /* a number does not fit in 64 bits */
	MAPQ_ETRUNC = -6,    /* the file shrank while it was mapped */
	MAPQ_EPIPE = -7,     /* the reader of an output closed it */
	MAPQ_EWRITE = -8,    /* writing an output failed: see sys_errno */
	MAPQ_ENOTSUP = -9,   /* the operation does not apply to this input */
	MAPQ_ECORRUPT = -10  /* the input is damaged: a bad zstd frame or seek
	                      * table, a checksum mismatch, truncated data */
};

/* Room for a message: a file name (PATH_MAX) plus a reason. */
#define MAPQ_ERROR_MSG_MAX 4352

/*
 * Detail of a failure.  `msg` is a complete sentence fragment naming its
 * subject, ready to print after a program name:
 *   "logs/app.log: Is a directory"
 *   "invalid byte range '1:x': expected a number after ':'"
 */
typedef struct mapq_error {
	int code;                     /* the MAPQ_E* code returned */
	int sys_errno;                /* errno for MAPQ_ESYS / MAPQ_EWRITE, else 0 */
	char msg[MAPQ_ERROR_MSG_MAX]; /* NUL-terminated text */
} mapq_error;

/* Static text for a MAPQ_E* code; never NULL. */
MAPQ_API const char *mapq_strerror(int code);

/* The library's version, MAPQ_VERSION_STRING at build time. */
MAPQ_API const char *mapq_version(void);

/* ------------------------------------------------------------------ */
/* Files and views                                                      */
/* ------------------------------------------------------------------ */

typedef struct mapq_file mapq_file;

/* Flags for mapq_file_open(). */
enum mapq_open_flags {
	MAPQ_OPEN_DEFAULT = 0,
	/* Do not map: read the whole input with read(2) into memory, as is
	 * done for pipes.  For tests and for inputs that must be snapshotted. */
	MAPQ_OPEN_NO_MMAP = 1u << 0,
	/* Take zstd-compressed input as the raw bytes it is, instead of
	 * decompressing it (the commands' --no-decompress). */
	MAPQ_OPEN_NO_DECOMPRESS = 1u << 1
};

/*
 * Open `path` read-only.  NULL or "-" means standard input (its name in
 * messages is then `label`, or "(standard input)" when label is NULL).
 *
 * - A regular file with a non-zero size is memory-mapped (PROT_READ,
 *   MAP_PRIVATE).  Standard input redirected from a regular file is mapped
 *   too, starting at its current offset.
 * - Pipes, FIFOs, sockets, character devices and regular files that report
 *   a size of 0 (/proc) are read with read(2) until end of file.
 * - An empty file gives a valid file of 0 bytes.
 * - A directory is an error (MAPQ_ESYS with EISDIR).
 * - zstd-compressed input is recognised by its content, never by its name
 *   (see "Compressed input" below), unless flags has
 *   MAPQ_OPEN_NO_DECOMPRESS.  Its bytes are then the decompressed bytes:
 *   scans, sizes and offsets all speak of decompressed data.
 *
 * On success *out holds a new file to release with mapq_file_close().
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ESYS (open, fstat, mmap, read),
 * MAPQ_ECORRUPT (compressed input whose structure is broken: a seek table
 * that does not add up, skippable frames running past the end, a first
 * frame header that is not valid), MAPQ_ETRUNC.
 */
MAPQ_API int mapq_file_open(mapq_file **out, const char *path,
                            const char *label, unsigned flags,
                            mapq_error *err);

/* Unmap or free the file's bytes and close it.  NULL is accepted. */
MAPQ_API void mapq_file_close(mapq_file *f);

/*
 * Size in bytes of the file's data (as of open).  For compressed input this
 * is the decompressed size when it is known (always for the seekable
 * format, from its seek table), and MAPQ_SIZE_UNKNOWN otherwise: see
 * mapq_file_size_known() and mapq_file_measure().
 */
MAPQ_API uint64_t mapq_file_size(const mapq_file *f);

/* The name used in messages: the path, or the label for standard input. */
MAPQ_API const char *mapq_file_name(const mapq_file *f);

/* 1 if the bytes are memory-mapped, 0 if they were read into memory. */
MAPQ_API int mapq_file_is_mapped(const mapq_file *f);

/*
 * A contiguous read-only view of bytes [offset, offset + size) of a file.
 * `data` points at the byte at `offset`.
 */
typedef struct mapq_view {
	const unsigned char *data;
	uint64_t size;
	uint64_t offset; /* position of data[0] in the file */
	mapq_file *file; /* the file the bytes borrow from */
} mapq_view;

/*
 * Fill *view with all of the file's bytes.  Reading them directly touches
 * the mapping: see mapq_file_guard() and mapq_view_release().
 * Compressed input has no contiguous bytes to show: use a scan, or the
 * mapq_file_* range functions, which work on every input.
 * Errors: MAPQ_EINVAL, MAPQ_ENOTSUP (compressed input; err names the file).
 */
MAPQ_API int mapq_file_view(mapq_file *f, mapq_view *view, mapq_error *err);

/*
 * Restrict a view to [start, end) of its bytes (relative to view->data),
 * clamped to the view.  Never fails.
 */
MAPQ_API mapq_view mapq_view_sub(const mapq_view *view, uint64_t start,
                                 uint64_t end);

/*
 * Tell the kernel that bytes [start, end) of the view will not be read
 * again soon, so that their pages stop counting toward resident memory (the
 * data stays in the page cache).  Only whole pages inside the range are
 * released; a no-op for files that are not mapped.
 */
MAPQ_API void mapq_view_release(const mapq_view *view, uint64_t start,
                                uint64_t end);

/*
 * Write bytes [start, end) of the view to file descriptor `fd` with large
 * write(2) calls straight from the mapping, releasing the pages written
 * when the range is large.
 * Errors: MAPQ_ETRUNC (the file shrank; err names the file), MAPQ_EPIPE
 * (EPIPE: the reader went away), MAPQ_EWRITE (any other write error;
 * sys_errno says which).
 */
MAPQ_API int mapq_view_write(const mapq_view *view, uint64_t start,
                             uint64_t end, int fd, mapq_error *err);

/*
 * Call fn(arg) so that a SIGBUS caused by reading f's mapping inside it
 * (the file shrank) makes this function return MAPQ_ETRUNC instead of
 * killing the process.  fn must not allocate or take locks in a way a jump
 * out of it would leak: on a fault it is abandoned where it stands.
 * Returns fn's return value, or MAPQ_ETRUNC.
 */
MAPQ_API int mapq_file_guard(mapq_file *f, int (*fn)(void *arg), void *arg,
                             mapq_error *err);

/* ------------------------------------------------------------------ */
/* Scans: walking a range window by window                              */
/* ------------------------------------------------------------------ */

typedef struct mapq_scan mapq_scan;

/* Flags for mapq_scan_create(). */
enum mapq_scan_flags {
	MAPQ_SCAN_DEFAULT = 0,
	/* End every window (but the last) just after a newline, so that no
	 * line straddles two windows.  A line longer than the window size
	 * makes that window longer. */
	MAPQ_SCAN_LINES = 1u << 0,
	/* Keep the pages of finished windows resident (do not release). */
	MAPQ_SCAN_KEEP = 1u << 1
};

/* Default window size: measured on the reference machine (see bench/). */
#define MAPQ_SCAN_WINDOW_DEFAULT ((uint64_t)4 << 20)

/*
 * Prepare a scan of bytes [start, end) of f (clamped to the file) in
 * windows of about `window` bytes (0: MAPQ_SCAN_WINDOW_DEFAULT).  The scan
 * hints sequential access to the kernel, prefaults each window, and releases
 * each window's pages when the next one is asked for.
 *
 * On compressed input the windows hold decompressed bytes (in a buffer the
 * scan owns; offsets are decompressed offsets) and memory stays bounded by
 * the window plus the zstd window of the frames, whatever the data size.
 * Decompression begins at the first frame for a zstd stream, and at the
 * frame holding `start` for the seekable format (found by binary search in
 * the seek table), so a scan of a seekable file costs its range plus at
 * most one frame at each end.  Frames are checked as they are decoded:
 * the frame checksum when the frame has one, the seek table's checksum and
 * sizes for the seekable format.  When a seekable scan ends inside a frame,
 * the rest of that frame is decoded (and dropped) before the last window
 * is handed out, so that its checksum is verified too.
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM.
 */
MAPQ_API int mapq_scan_create(mapq_scan **out, mapq_file *f, uint64_t start,
                              uint64_t end, uint64_t window, unsigned flags,
                              mapq_error *err);

/*
 * Pull the next window into *win.  Returns 1 (a window), 0 (done), or a
 * negative code: MAPQ_ETRUNC when the file shrank under the scan, and for
 * compressed input MAPQ_ENOMEM, MAPQ_ECORRUPT (a damaged frame, a checksum
 * mismatch, data that ends inside a frame; err names the file and the
 * compressed offset).  After an error the scan keeps returning it.
 * The window stays valid until the next call or mapq_scan_destroy().
 */
MAPQ_API int mapq_scan_next(mapq_scan *s, mapq_view *win, mapq_error *err);

/* Release a scan (and the pages of its last window).  NULL is accepted. */
MAPQ_API void mapq_scan_destroy(mapq_scan *s);

/* ------------------------------------------------------------------ */
/* Lines                                                                */
/* ------------------------------------------------------------------ */

/*
 * Lines are 1-based.  Line N starts at offset 0 (N = 1) or just after the
 * (N-1)th newline; it ends after its newline, or at the end of the data for
 * a final line without one (which is still a line).  An empty view has no
 * lines.  Every function below reads the view's bytes under the SIGBUS
 * guard: MAPQ_ETRUNC if the file shrank.
 */

/* Count the '\n' bytes of the view into *count (what `wc -l` prints). */
MAPQ_API int mapq_lines_count_newlines(const mapq_view *view,
                                       uint64_t *count, mapq_error *err);

/*
 * Find where line `n` (n >= 1) starts, counting from the front, and store
 * its offset (relative to view->data) in *offset.  When the view has fewer
 * lines, *offset is view->size and *missing (if not NULL) the number of
 * lines that were lacking (0 when line n exists).
 */
MAPQ_API int mapq_lines_find_start(const mapq_view *view, uint64_t n,
                                   uint64_t *offset, uint64_t *missing,
                                   mapq_error *err);

/*
 * Find where the n-th line from the end starts (n = 1: the last line),
 * scanning backward from the end so that only the bytes of those lines are
 * read.  n = 0 gives view->size.  When the view has fewer than n lines,
 * *offset is 0.
 */
MAPQ_API int mapq_lines_find_start_back(const mapq_view *view, uint64_t n,
                                        uint64_t *offset, mapq_error *err);

/*
 * Starting at `from` (a line start), skip `n` lines forward and store the
 * offset reached (view->size at most) in *offset.
 */
MAPQ_API int mapq_lines_skip(const mapq_view *view, uint64_t from, uint64_t n,
                             uint64_t *offset, mapq_error *err);

/*
 * The first line start at or after `offset`: offset itself when it is 0 or
 * follows a newline, else just after the next newline, else view->size.
 */
MAPQ_API int mapq_lines_next_start(const mapq_view *view, uint64_t offset,
                                   uint64_t *start, mapq_error *err);

/* ------------------------------------------------------------------ */
/* Ranges                                                               */
/* ------------------------------------------------------------------ */

typedef enum mapq_range_unit {
	MAPQ_RANGE_BYTES = 0, /* 0-based offsets, END exclusive, suffixes */
	MAPQ_RANGE_LINES = 1  /* 1-based numbers, LAST inclusive */
} mapq_range_unit;

/* Which parts a range has; see mapq_range. */
enum mapq_range_flags {
	MAPQ_RANGE_HAS_START = 1u << 0, /* START was given */
	MAPQ_RANGE_HAS_END = 1u << 1,   /* END or +COUNT was given */
	MAPQ_RANGE_START_NEG = 1u << 2, /* START counts from the end */
	MAPQ_RANGE_END_NEG = 1u << 3,   /* END counts from the end */
	MAPQ_RANGE_END_COUNT = 1u << 4  /* END is +COUNT from START */
};

/*
 * A parsed range, before it meets a file.  `start` and `end` are
 * magnitudes; the flags say how to read them.  A bare `N` parses as
 * `N:+1`.  For lines, `end` is the LAST line (inclusive) as written.
 *   "100:200" bytes -> HAS_START|HAS_END, start 100, end 200
 *   "-4K:"    bytes -> HAS_START|START_NEG, start 4096
 *   "5:+3"    lines -> HAS_START|HAS_END|END_COUNT, start 5, end 3
 */
typedef struct mapq_range {
	mapq_range_unit unit;
	unsigned flags;
	uint64_t start;
	uint64_t end;
} mapq_range;

/*
 * Parse `text` in the range language of unit `unit` into *range.
 * Errors: MAPQ_ERANGE (malformed: err->msg quotes the text and says what
 * is wrong), MAPQ_EOVERFLOW (a number, or a number times its suffix, does
 * not fit in 64 bits).  A line number 0 is malformed.
 */
MAPQ_API int mapq_range_parse(mapq_range *range, const char *text,
                              mapq_range_unit unit, mapq_error *err);

/*
 * Resolve a byte range against data of `size` bytes into [*start, *end),
 * clamped to [0, size].  START after END gives an empty range (*start ==
 * *end).  Errors: MAPQ_EINVAL when the range is not a byte range.
 */
MAPQ_API int mapq_range_resolve_bytes(const mapq_range *range, uint64_t size,
                                      uint64_t *start, uint64_t *end);

/*
 * Resolve a range of either unit against a view into byte offsets
 * [*start, *end) relative to view->data.  Line ranges select whole lines
 * (with their newlines); positive line numbers are found from the front,
 * negative ones from the back, so `-10:` reads only the last ten lines.
 * Errors: as the line primitives (MAPQ_ETRUNC).
 */
MAPQ_API int mapq_range_resolve(const mapq_range *range,
                                const mapq_view *view, uint64_t *start,
                                uint64_t *end, mapq_error *err);

/*
 * Turn byte offsets [start, end) into the lines that start inside them,
 * each whole: [first line start >= start, first line start >= end).
 * Empty when start >= end.
 */
MAPQ_API int mapq_range_align_lines(const mapq_view *view, uint64_t start,
                                    uint64_t end, uint64_t *astart,
                                    uint64_t *aend, mapq_error *err);

/*
 * Parse a size in the byte range language's number syntax: decimal digits
 * with an optional suffix K, M, G or T (powers of 1024, either case,
 * optionally followed by B or iB), as in "1M", "64KiB", "4096".
 * Errors: MAPQ_ERANGE (malformed: err->msg quotes the text), MAPQ_EOVERFLOW.
 */
MAPQ_API int mapq_size_parse(const char *text, uint64_t *size,
                             mapq_error *err);

/* ------------------------------------------------------------------ */
/* Compressed input                                                     */
/* ------------------------------------------------------------------ */

/*
 * mapq_file_open() recognises zstd data by its content: a zstd frame magic
 * number (bytes 28 B5 2F FD) at offset 0, or a skippable frame (magic
 * 0x184D2A50 to 0x184D2A5F, little-endian) at offset 0, which may be
 * followed by more skippable frames and then by zstd frames.  Such a file
 * is one of:
 *
 * - the seekable format: independent zstd frames followed by a seek table
 *   in a final skippable frame whose last four bytes are 0x8F92EAB1.  The
 *   table lists each frame's compressed and decompressed size (and maybe
 *   a checksum); it is parsed and checked at open, so that the file's size
 *   is known and any byte of it is found by binary search.  A table that
 *   does not fit the file (claims more frames than the file can hold,
 *   frames that run past it, sizes that do not add up to it, reserved
 *   descriptor bits set) makes the open fail with MAPQ_ECORRUPT.
 * - a zstd stream: one or more frames (and skippable frames) with no seek
 *   table.  It is read by decompressing from the start; its size is not
 *   known until measured.
 *
 * Compressed standard input read from a pipe is held compressed in memory
 * and decompressed window by window like a mapped file; it is never
 * decompressed whole.  Frames whose window exceeds 2^27 bytes (zstd
 * --long=28 and above) are refused, as zstd -d refuses them by default.
 */
enum mapq_compression {
	MAPQ_COMPRESSION_NONE = 0,         /* plain bytes */
	MAPQ_COMPRESSION_ZSTD_STREAM = 1,  /* zstd frames, no seek table */
	MAPQ_COMPRESSION_ZSTD_SEEKABLE = 2 /* zstd seekable format */
};

/* mapq_file_size() of compressed input whose size is not known yet. */
#define MAPQ_SIZE_UNKNOWN UINT64_MAX

/* How f's bytes are stored: an enum mapq_compression value. */
MAPQ_API int mapq_file_compression(const mapq_file *f);

/*
 * 1 when mapq_file_size() is the real size: always for plain and seekable
 * input; for a zstd stream once mapq_file_measure() or a scan that reached
 * the end has found it.
 */
MAPQ_API int mapq_file_size_known(const mapq_file *f);

/* Size of the input as stored (the compressed size for compressed input). */
MAPQ_API uint64_t mapq_file_raw_size(const mapq_file *f);

/*
 * Store the size of f's data in *size, finding it if it is not known: for a
 * zstd stream, from the content sizes that every frame header declares
 * (walking the frames' block headers, not their data), or, when a frame
 * declares none, by decompressing the whole stream once.  The result is
 * kept: afterwards mapq_file_size() returns it.  Safe to call from
 * several threads.  Errors: those of a scan (MAPQ_ECORRUPT, MAPQ_ETRUNC,
 * MAPQ_ENOMEM).
 */
MAPQ_API int mapq_file_measure(mapq_file *f, uint64_t *size, mapq_error *err);

/* One frame of a seekable file, as its seek table describes it. */
typedef struct mapq_frame {
	uint64_t raw_offset; /* where the frame starts in the compressed file */
	uint64_t raw_size;   /* its compressed size */
	uint64_t offset;     /* decompressed offset of its first byte */
	uint64_t size;       /* decompressed size (0: skippable or empty) */
	uint32_t checksum;   /* low 32 bits of XXH64 of its data, if any */
	int has_checksum;    /* 1 when the seek table carries checksums */
} mapq_frame;

/* Number of frames in a seekable file's seek table; 0 for other inputs. */
MAPQ_API uint64_t mapq_seekable_frames(const mapq_file *f);

/*
 * Describe frame `index` (0-based) of a seekable file.
 * Errors: MAPQ_EINVAL (not seekable, or index out of range).
 */
MAPQ_API int mapq_seekable_frame(const mapq_file *f, uint64_t index,
                                 mapq_frame *frame);

/*
 * Index of the frame holding decompressed byte `offset` of a seekable file
 * (frames of size 0 hold no byte and are never returned), by binary
 * search; mapq_seekable_frames(f) when offset is at or past the end.
 */
MAPQ_API uint64_t mapq_seekable_find(const mapq_file *f, uint64_t offset);

/* ------------------------------------------------------------------ */
/* Ranges of whole files: every kind of input                          */
/* ------------------------------------------------------------------ */

/*
 * The functions below take a file rather than a view, and so work for
 * compressed input as well as for plain input (for which they do what the
 * view functions do).  On compressed input they decompress only what they
 * need: on the seekable format, a byte range costs its length plus one
 * frame at each end, a line range counted from the end decompresses frames
 * backward from the last one until it has seen enough lines, and a line
 * range counted from the front decompresses from the start up to it.  On
 * a zstd stream everything is found by decompressing from the start, with
 * bounded memory (a range counted from the end takes one pass to measure
 * the stream and one to find the range).
 */

/* Flags for mapq_file_resolve(). */
enum mapq_resolve_flags {
	MAPQ_RESOLVE_DEFAULT = 0,
	/* A byte range selects the lines that start inside it (each whole),
	 * as mapq_range_align_lines() does.  Line ranges are unaffected. */
	MAPQ_RESOLVE_ALIGN = 1u << 0
};

/*
 * Resolve a range of either unit against the whole of f into offsets
 * [*start, *end) of its (decompressed) data, clamped to it.  On a zstd
 * stream whose size is not known, a byte range with no negative part is
 * not clamped at the end (*end may be MAPQ_SIZE_UNKNOWN or past the data);
 * scans and mapq_file_write_range() clamp it.
 * Errors: MAPQ_EINVAL, and those of scans (MAPQ_ETRUNC, MAPQ_ECORRUPT...).
 */
MAPQ_API int mapq_file_resolve(mapq_file *f, const mapq_range *range,
                               unsigned flags, uint64_t *start,
                               uint64_t *end, mapq_error *err);

/*
 * Count the '\n' bytes in [start, end) of f's data (clamped) into *count:
 * the line number of the line starting at `end` is then *count + 1 when
 * start is 0.  A plain file is read through a scan of the mapping; a
 * compressed one is decompressed over that range (a seekable file from the
 * frame holding start).
 * Errors: as scans.
 */
MAPQ_API int mapq_file_count_newlines(mapq_file *f, uint64_t start,
                                      uint64_t end, uint64_t *count,
                                      mapq_error *err);

/*
 * Write bytes [start, end) of f's data (clamped) to file descriptor fd:
 * straight from the mapping for plain files (as mapq_view_write), window
 * by window from the decompressor for compressed ones.
 * Errors: as mapq_view_write and as scans.
 */
MAPQ_API int mapq_file_write_range(mapq_file *f, uint64_t start,
                                   uint64_t end, int fd, mapq_error *err);

/* ------------------------------------------------------------------ */
/* Writing the zstd seekable format                                     */
/* ------------------------------------------------------------------ */

/*
 * A compressor turns a byte stream into the zstd seekable format: frames of
 * `frame_size` uncompressed bytes, compressed independently (each with its
 * content size and its XXH64 checksum in the frame), then the seek table
 * with a checksum for each frame.  Any zstd decoder reads the result as
 * ordinary zstd data; mapq reads it by random access.  Empty input gives a
 * valid file holding only the seek table (17 bytes).
 *
 * With `align`, a frame is not cut at exactly frame_size bytes but just
 * after the first newline at or after its frame_size-th byte, so that each
 * frame holds whole lines (the shortest run of whole lines of at least
 * frame_size bytes); a frame is still cut at MAPQ_COMPRESS_FRAME_MAX bytes
 * when no newline comes.
 *
 * With threads > 1, that many frames are compressed at once by worker
 * threads; the output is the same bytes as with one thread, and memory is
 * bounded by `threads` frames in flight (each frame's input and its
 * compressed output).  The compressor writes to `fd` as frames complete,
 * in order.  A compressor belongs to one thread (its own workers aside).
 */
typedef struct mapq_compressor mapq_compressor;

#define MAPQ_COMPRESS_FRAME_DEFAULT ((uint64_t)1 << 20)
/* The largest frame: --frame-size accepts up to this, and an aligned
 * frame is cut here when its last line runs on. */
#define MAPQ_COMPRESS_FRAME_MAX ((uint64_t)1 << 30)
/* The most threads a compressor runs. */
#define MAPQ_COMPRESS_THREADS_MAX 256

typedef struct mapq_compress_options {
	uint64_t frame_size; /* 0: MAPQ_COMPRESS_FRAME_DEFAULT */
	int level;           /* zstd level; 0: zstd's default (3) */
	unsigned threads;    /* 0 or 1: compress in the calling thread */
	int align;           /* 1: cut frames after a newline (see above) */
} mapq_compress_options;

/* The range of zstd levels the compressor accepts (besides 0, the default),
 * as the linked libzstd reports it: negative levels are fastest. */
MAPQ_API int mapq_compress_level_min(void);
MAPQ_API int mapq_compress_level_max(void);

/*
 * Create a compressor writing to fd.  opts may be NULL (all defaults).
 * Errors: MAPQ_EINVAL (frame_size above MAPQ_COMPRESS_FRAME_MAX, a level
 * zstd does not have, more than MAPQ_COMPRESS_THREADS_MAX threads; the
 * message says which), MAPQ_ENOMEM, MAPQ_ESYS (a thread could not start).
 */
MAPQ_API int mapq_compressor_create(mapq_compressor **out, int fd,
                                    const mapq_compress_options *opts,
                                    mapq_error *err);

/*
 * Add len bytes of input.  Frames that fill up are compressed and written.
 * Errors: MAPQ_EPIPE, MAPQ_EWRITE (writing fd), MAPQ_ENOMEM, MAPQ_EINVAL
 * (too many frames for a seek table: use larger frames).
 */
MAPQ_API int mapq_compressor_write(mapq_compressor *c, const void *data,
                                   size_t len, mapq_error *err);

/*
 * Compress the last frame, write everything still pending and the seek
 * table.  After it, only mapq_compressor_destroy() may be called.
 * Errors: as mapq_compressor_write().
 */
MAPQ_API int mapq_compressor_finish(mapq_compressor *c, mapq_error *err);

/* Stop the workers and free the compressor.  NULL is accepted. */
MAPQ_API void mapq_compressor_destroy(mapq_compressor *c);

/*
 * Compress all of f's data (decompressed, if f is compressed input) to fd
 * in the seekable format: a scan of f fed to a compressor.  Errors are
 * those of the scan (naming f) or of the compressor (write errors).
 */
MAPQ_API int mapq_compress_file(mapq_file *f, int fd,
                                const mapq_compress_options *opts,
                                mapq_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MAPQ_H */
