/*
 * mapq.h - public API of libmapq: query files too big to read.
 *
 * libmapq opens a file (or standard input) and exposes its bytes read-only,
 * either as one contiguous view (regular files are memory-mapped) or as a
 * sequence of windows that a scan walks through, releasing the pages it has
 * finished with so that resident memory stays bounded whatever the file size.
 * On top of that it offers primitives: the range language, line finding and
 * counting, byte statistics.
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
 *   installed before it.  Code outside the library that reads a view's or
 *   a window's bytes directly has no such guard: there a shrinking file
 *   raises SIGBUS.  The primitives, which take a file, are guarded.
 * - Progress: the long operations (grep, stats, compress) take an optional
 *   counter, a `uint64_t *` of the caller's (NULL: none, at no cost), to
 *   which they add the bytes of input they have consumed, window by window
 *   or piece by piece, from every thread they run.  They add with relaxed
 *   atomic adds (__atomic_fetch_add): another thread reads the counter
 *   with __atomic_load_n(counter, __ATOMIC_RELAXED) to show progress.
 */
#ifndef MAPQ_H
#define MAPQ_H

#include <stddef.h>
#include <stdint.h>

#include "mapq_version.h" /* MAPQ_VERSION_STRING and its parts */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MAPQ_API __attribute__((visibility("default")))
#else
#define MAPQ_API
#endif

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
	MAPQ_EPATTERN = -10, /* a pattern does not compile */
	MAPQ_ELIMIT = -11,   /* a pattern hit PCRE2's match/depth/stack limit */
	MAPQ_ECORRUPT = -12, /* the input is damaged: a bad zstd frame or seek
	                      * table, a checksum mismatch, truncated data */
	MAPQ_EORDER = -13    /* a key window's input is not sorted by the key
	                      * (beyond the slack) where it was looked at */
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
	/* Do not map a regular file: read it with pread(2), window by
	 * window, as is done when mapping fails (cheaper than a mapping for
	 * small files, which `mapq grep -r` reads this way; and for tests). */
	MAPQ_OPEN_NO_MMAP = 1u << 0,
	/* Take zstd-compressed input as the raw bytes it is, instead of
	 * decompressing it. */
	MAPQ_OPEN_NO_DECOMPRESS = 1u << 1
};

/*
 * Open `path` read-only.  NULL or "-" means standard input (its name in
 * messages is then `label`, or "(standard input)" when label is NULL).
 *
 * - A regular file with a non-zero size is memory-mapped (PROT_READ,
 *   MAP_PRIVATE).  Standard input redirected from a regular file is mapped
 *   too, starting at its current offset.  Where mapping fails (an address
 *   space limit, a file system that cannot map), the file is read with
 *   pread(2) window by window instead, with the same results.
 * - Pipes, FIFOs, sockets, character devices and regular files that report
 *   a size of 0 (/proc) are streams: read forward once with read(2), a
 *   window at a time, by the scans that walk them (mapq_file_is_stream);
 *   nothing is read at open but the first bytes (to recognise zstd).
 * - An empty file gives a valid file of 0 bytes.
 * - A directory is an error (MAPQ_ESYS with EISDIR).
 * - zstd-compressed input is recognised by its content, never by its name
 *   (see "Compressed input" below), unless flags has
 *   MAPQ_OPEN_NO_DECOMPRESS.  Its bytes are then the decompressed bytes:
 *   scans, sizes and offsets all speak of decompressed data.
 *
 * On success *out holds a new file to release with mapq_file_close().
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ESYS (open, fstat, mmap, read),
 * MAPQ_ECORRUPT (compressed input that zstd -dc refuses before its first
 * byte: skippable frames at the start that run past the end or are not
 * followed by zstd data, a first frame header that is not valid; a seek
 * table that does not describe the file is no error, see "Compressed
 * input"), MAPQ_ETRUNC.
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

/* 1 if the bytes are memory-mapped, 0 if they are read (pread or stream). */
MAPQ_API int mapq_file_is_mapped(const mapq_file *f);

/*
 * 1 if f is a stream: read forward once (pipes, FIFOs, sockets, character
 * devices, files that claim a size of 0).  Its size is not known until a
 * scan reaches its end, and what needs offsets later (mapq_range_resolve,
 * mapq_split_create, bisection) refuses it with MAPQ_ENOTSUP.
 */
MAPQ_API int mapq_file_is_stream(const mapq_file *f);

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
 * Fill *view with all of the file's bytes, where that is free: a mapped,
 * uncompressed file.  Reading them directly touches the mapping, with no
 * guard (see Truncation above).  Other input (compressed, read with pread, a stream)
 * has no contiguous bytes to show: use a scan, or the primitives, which
 * take a file and work on every input.  The view is an optimisation for
 * callers that have one, never a requirement of the library.
 * Errors: MAPQ_EINVAL, MAPQ_ENOTSUP (no view; err names the file).
 */
MAPQ_API int mapq_file_view(mapq_file *f, mapq_view *view, mapq_error *err);

/*
 * Restrict a view to [start, end) of its bytes (relative to view->data),
 * clamped to the view.  Never fails.
 */
MAPQ_API mapq_view mapq_view_sub(const mapq_view *view, uint64_t start,
                                 uint64_t end);

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
	MAPQ_SCAN_KEEP = 1u << 1,
	/* A byte range selects the lines that start inside it, each whole
	 * (so that adjacent byte ranges share no line).  Line ranges are
	 * unaffected. */
	MAPQ_SCAN_ALIGN = 1u << 2
};

/* Default window size: measured on the reference machine (see bench/). */
#define MAPQ_SCAN_WINDOW_DEFAULT ((uint64_t)4 << 20)

/*
 * Prepare a scan of the data that `range` selects in f (NULL: all of it),
 * in windows of about `window` bytes (0: MAPQ_SCAN_WINDOW_DEFAULT).  This
 * is how every primitive reads, and it works on every input the same way:
 *
 * - a mapped file: windows are slices of the mapping, read directly; the
 *   scan hints sequential access and releases each window's pages when
 *   the next one is asked for, so resident memory stays near one window.
 *   Reading a window's bytes touches the mapping, with no guard outside
 *   the library (see Truncation above): mapq_scan_count_lines() and the
 *   other primitives read them guarded.
 * - a regular file that could not be mapped: windows are read with
 *   pread(2) into a buffer the scan owns.
 * - a stream (pipe, FIFO, socket, device, /proc file) and a zstd stream:
 *   read forward once.  The range is applied as the data goes by: the
 *   bytes or lines before its start are read and dropped, the scan ends
 *   where the range does (the rest is never read), a start counted from
 *   the end keeps only that many lines or bytes, and an end counted from
 *   the end holds back only that many.  A stream's windows are handed out
 *   as read(2) returns data (with MAPQ_SCAN_LINES, up to its last
 *   newline), so a line is seen as soon as it arrives.  A stream can be
 *   scanned once: a second scan may only start where the first stopped
 *   reading (otherwise MAPQ_ENOTSUP from mapq_scan_next()).
 * - compressed input: windows hold decompressed bytes (in a buffer the
 *   scan owns; offsets are decompressed offsets) and memory stays bounded
 *   by the window plus the zstd window of the frames.  A seekable file is
 *   decoded from the frame holding the start (a range costs its length
 *   plus at most one frame at each end); frames are checked as they are
 *   decoded (the frame checksum, the seek table's checksum and sizes),
 *   and when a seekable scan ends inside a frame the rest of that frame
 *   is decoded too, so that its checksum is verified before the last
 *   window is handed out.
 *
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, and on input that can be read again
 * those of mapq_range_resolve() (the range is resolved here).
 */
struct mapq_range;
MAPQ_API int mapq_scan_create(mapq_scan **out, mapq_file *f,
                              const struct mapq_range *range, uint64_t window,
                              unsigned flags, mapq_error *err);

/*
 * Pull the next window into *win.  Returns 1 (a window), 0 (done), or a
 * negative code: MAPQ_ETRUNC when the file shrank under the scan, MAPQ_ESYS
 * when read(2) failed, MAPQ_ENOTSUP (a stream asked to go back), and for
 * compressed input MAPQ_ENOMEM, MAPQ_ECORRUPT (a damaged frame, a checksum
 * mismatch, data that ends inside a frame; err names the file and the
 * compressed offset).  The window stays valid until the next call or
 * mapq_scan_destroy().
 */
MAPQ_API int mapq_scan_next(mapq_scan *s, mapq_view *win, mapq_error *err);

/*
 * The offset of the first byte the range selects (*start), known before
 * the first window on input that can be read again, and after the first
 * mapq_scan_next() on a stream.  MAPQ_EINVAL while not known.
 */
MAPQ_API int mapq_scan_start(const mapq_scan *s, uint64_t *start);

/*
 * The whole-file line number of the first line the range selects (1 for
 * the data's first line), once mapq_scan_start() is known.  On a stream
 * it is counted while reading to the start (no extra cost); on other input
 * it costs one count of the newlines before the start.
 */
MAPQ_API int mapq_scan_first_line(mapq_scan *s, uint64_t *line,
                                  mapq_error *err);

/*
 * Read the rest of scan s to its end and count its lines into *lines: the
 * newlines, plus one when the data read does not end with one (a final
 * line without it, or a line cut by the range's end); 0 when there is no
 * data.  Every input a scan reads is counted the same way (a mapped
 * file's windows under its SIGBUS guard: MAPQ_ETRUNC when it shrank).
 * With mapq_bisect_scan(), this counts the lines of a key window in the
 * one pass that finds it.
 * Errors: MAPQ_EINVAL, and those of mapq_scan_next().
 */
MAPQ_API int mapq_scan_count_lines(mapq_scan *s, uint64_t *lines,
                                   mapq_error *err);

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


/* ------------------------------------------------------------------ */
/* Search                                                               */
/* ------------------------------------------------------------------ */

/*
 * A matcher is a set of compiled patterns (PCRE2 syntax, UTF-8 mode in
 * which invalid UTF-8 never errors, JIT compiled; a pattern that is not
 * valid UTF-8 is compiled byte-wise).  A line matches when any pattern
 * matches inside it; matches never span lines.  A matcher is
 * immutable once created and may be shared by threads; each thread
 * searches with its own mapq_search.
 */
typedef struct mapq_matcher mapq_matcher;
typedef struct mapq_search mapq_search;

/* Flags for mapq_matcher_create(). */
enum mapq_matcher_flags {
	MAPQ_MATCH_DEFAULT = 0,
	MAPQ_MATCH_FIXED = 1u << 0,    /* patterns are literal strings (-F) */
	MAPQ_MATCH_CASELESS = 1u << 1, /* ignore case (-i) */
	MAPQ_MATCH_WORD = 1u << 2,     /* not preceded/followed by \w (-w) */
	MAPQ_MATCH_LINE = 1u << 3,     /* the match is the whole line (-x) */
	/* Lines are records that end with a NUL byte, not '\n' (grep -z):
	 * the search functions below take NUL for the line end, and a '\n'
	 * is an ordinary byte of a record.  Each pattern is compiled as
	 * grep -zP compiles it: without multiline mode and with $ only at
	 * the very end, so ^ and $ match at the record's start and end only
	 * (never around a '\n' inside it), while . and \N still do not
	 * match '\n' and \s, [^a] and \R do. */
	MAPQ_MATCH_NULL_DATA = 1u << 4
};

/* One pattern: bytes and length (patterns may contain any byte). */
typedef struct mapq_pattern {
	const char *text;
	size_t len;
} mapq_pattern;

/*
 * Compile `n` patterns (n >= 0; with n == 0 nothing matches) into *out.
 * Each pattern is compiled on its own, exactly as written (its groups,
 * \1 and (?1) are its own; its text cannot reach into another's), in any
 * number: plain MAPQ_MATCH_FIXED strings are searched all at once, and the
 * literal every match of a regex must contain is used as a vectorised
 * prefilter (for several patterns, a multi-string one).  MAPQ_MATCH_WORD
 * searches P as (?<!\w)(?:P)(?!\w) (a regex whose text would run past
 * that wrapper, such as an unterminated \Q, is an error) and
 * MAPQ_MATCH_LINE as ^(?:P)$ through PCRE2_EXTRA_MATCH_LINE, as GNU grep -P
 * does for -w and -x.  MAPQ_MATCH_FIXED strings are bytes, UTF-8 or not.
 * A pattern with a newline convention other than \n ((*CR), (*ANY)...)
 * is given one line at a time, without multiline mode, as grep -P does.
 * The order of the patterns does not change any result.
 * Errors: MAPQ_EPATTERN (err->msg names the first pattern that fails,
 * with PCRE2's message and the offset in that pattern: "invalid pattern
 * 'a(b': missing closing parenthesis at offset 3"), MAPQ_ENOMEM.
 */
MAPQ_API int mapq_matcher_create(mapq_matcher **out,
                                 const mapq_pattern *patterns, size_t n,
                                 unsigned flags, mapq_error *err);

/* Release a matcher.  NULL is accepted. */
MAPQ_API void mapq_matcher_destroy(mapq_matcher *m);

/*
 * Smart case, as ripgrep's -S with its PCRE2 engine (rg -P -S) decides it:
 * 1 when the `n` patterns should be matched ignoring case (add
 * MAPQ_MATCH_CASELESS), because none of them has an upper-case character
 * (Unicode's Uppercase property, the one Rust's char::is_uppercase()
 * tests: accented capitals and Roman numerals too); 0 when one has.
 * In a regular expression, the character after each backslash does not
 * count, so escapes like \S, \W or \D keep the case ignored (and so does
 * \x41), while the L of \p{Lu} counts.  With MAPQ_MATCH_FIXED in flags,
 * every character counts.  Bytes that are not UTF-8 are no letters.
 * Errors: MAPQ_ENOMEM.
 */
MAPQ_API int mapq_patterns_smart_caseless(const mapq_pattern *patterns,
                                          size_t n, unsigned flags);

/*
 * A match inside a buffer: offsets relative to the buffer's data.  The
 * line is [line_start, line_end) without its newline; the match is
 * [start, end), inside the line (start == end for an empty match).
 */
typedef struct mapq_match {
	uint64_t line_start;
	uint64_t line_end;
	uint64_t start;
	uint64_t end;
} mapq_match;

/* Create the per-thread search state (PCRE2 match data, JIT stack). */
MAPQ_API int mapq_search_create(mapq_search **out, const mapq_matcher *m,
                                mapq_error *err);

/* Release a search state.  NULL is accepted. */
MAPQ_API void mapq_search_destroy(mapq_search *s);

/*
 * The next line of `buf` (whole lines: it starts at a line start; its last
 * line may lack a newline) at or after offset `from` (a line start) that
 * contains a match.  Returns 1 with *m filled (the line and its first
 * match, as mapq_search_next_in_line() from the line's start gives it), 0
 * when no line from `from` on matches, or an error:
 * MAPQ_ELIMIT when a pattern exceeds PCRE2's match, depth or JIT stack
 * limit (err->msg says which; the search cannot tell whether that line
 * matches), MAPQ_ETRUNC when the mapped file shrank.
 */
MAPQ_API int mapq_search_next_line(mapq_search *s, const mapq_view *buf,
                                   uint64_t from, mapq_match *m,
                                   mapq_error *err);

/*
 * The leftmost match of any pattern in the line [line_start, line_end) of
 * `buf` that starts at or after `pos` and, of the patterns' matches that
 * start there, the longest (as grep -e A -e B marks matches; each
 * pattern's own match is PCRE2's): an empty match of one pattern never
 * hides another's non-empty match at the same place.  With
 * `not_empty_at_pos`, an empty match at `pos` itself is refused (to step
 * past an empty match, as a global search does).  Returns 1 with *m
 * filled, 0 when there is none, or an error as mapq_search_next_line().
 */
MAPQ_API int mapq_search_next_in_line(mapq_search *s, const mapq_view *buf,
                                      uint64_t line_start, uint64_t line_end,
                                      uint64_t pos, int not_empty_at_pos,
                                      mapq_match *m, mapq_error *err);
/* ------------------------------------------------------------------ */
/* Grep: the selected lines of a file, in file order                    */
/* ------------------------------------------------------------------ */

/*
 * A grep is a pull iterator over the lines of a file that a matcher
 * selects (the lines that match, or with MAPQ_GREP_INVERT those that do
 * not), with their context lines, as GNU grep chooses them: it walks any
 * input (mapped, pread, stream, zstd stream, seekable zstd), applies a
 * byte or line range, counts whole-file line numbers when asked, stops at
 * a maximum count, and turns truncation of a mapped file into MAPQ_ETRUNC.
 *
 * A mapped file is cut into line-aligned pieces that `threads` threads
 * search at once; their records are merged back into file order through
 * bounded queues, so what mapq_grep_next() yields, and the memory it
 * needs, do not depend on the number of threads.  Other input is searched
 * by the calling thread as it is read.
 *
 * One grep belongs to one thread (the one calling mapq_grep_next); the
 * matcher and the file may be shared read-only with other greps.
 */
typedef struct mapq_grep mapq_grep;

/* Flags of mapq_grep_options. */
enum mapq_grep_flags {
	MAPQ_GREP_DEFAULT = 0,
	/* Select the lines that do not match (grep -v). */
	MAPQ_GREP_INVERT = 1u << 0,
	/* Fill mapq_grep_record.number (costs a count of the newlines). */
	MAPQ_GREP_NUMBERS = 1u << 1,
	/* Fill the spans of lines that match, as grep -o and --color walk
	 * them: non-empty matches, left to right, none overlapping. */
	MAPQ_GREP_SPANS = 1u << 2,
	/* Fill the spans as ripgrep --json reports them: empty matches
	 * too (an empty match right after a match is not another one). */
	MAPQ_GREP_SPANS_ALL = 1u << 3,
	/* Yield no records: only count the selected lines (grep -c, -l, -L,
	 * -q); see mapq_grep_summary(). */
	MAPQ_GREP_COUNT_ONLY = 1u << 4,
	/* Lines are NUL-terminated records (grep -z): a NUL byte, not '\n',
	 * ends each line everywhere (context, -m, line numbers count
	 * records, mapq_grep_record.newline says the record ends with its
	 * NUL, and `line` is followed by that NUL in memory).  The matcher
	 * must have been made with MAPQ_MATCH_NULL_DATA (else MAPQ_EINVAL).
	 * No data is binary (`binary` is ignored; binary_offset stays
	 * UINT64_MAX), as GNU grep -z in the C locale.  A byte range
	 * selects the records that start inside it; on a stream it must be
	 * counted from the front (else MAPQ_ENOTSUP), and a line range is
	 * refused (MAPQ_ENOTSUP).  Input that is not mapped keeps a record
	 * that runs across windows in one buffer: memory grows with the
	 * longest record. */
	MAPQ_GREP_NULL_DATA = 1u << 5
};

/* What a NUL byte (binary data) does. */
typedef enum mapq_grep_binary {
	/* A NUL byte makes the data binary from the start of the window or
	 * piece that holds it (the file's first NUL is
	 * summary.binary_offset): the first line selected there ends the
	 * search, is not yielded, and sets summary.binary_match (GNU grep:
	 * "binary file matches").  Ignored with MAPQ_GREP_COUNT_ONLY. */
	MAPQ_GREP_BINARY_DETECT = 0,
	/* Binary data is searched as text (grep -a). */
	MAPQ_GREP_BINARY_TEXT = 1,
	/* Binary data has no matching line (grep -I): at the first window
	 * or piece holding a NUL byte the search ends, and summary.selected
	 * is 0 (records yielded before it were yielded).  Also with
	 * MAPQ_GREP_COUNT_ONLY. */
	MAPQ_GREP_BINARY_NO_MATCH = 2,
	/* A NUL byte ends a line, as a newline does (ripgrep's handling of
	 * the files it is told to search): the data is searched as if each
	 * NUL were '\n', so lines split there, line numbers count it and
	 * the yielded line shows '\n' in its place (offsets are unchanged);
	 * nothing stops.  summary.binary_offset is the first NUL of the
	 * windows or pieces searched (-m may stop before one holding a
	 * NUL).  A range's bounds and the number of its first line go by
	 * newlines alone.  The calling thread does the whole search. */
	MAPQ_GREP_BINARY_CONVERT = 3
} mapq_grep_binary;

/* Default size of the pieces a mapped file is cut into. */
#define MAPQ_GREP_PIECE_DEFAULT ((uint64_t)4 << 20)

/* How to grep: zero-initialise, then set what is needed. */
typedef struct mapq_grep_options {
	const mapq_matcher *matcher;    /* required */
	const struct mapq_range *range; /* NULL: all of the file; a byte
	                                 * range selects the lines that start
	                                 * inside it */
	unsigned flags;                 /* mapq_grep_flags */
	mapq_grep_binary binary;
	uint64_t max_count;  /* stop after this many selected lines, then
	                      * yield `after` lines of trailing context
	                      * whatever they match (grep -m); 0 is taken as
	                      * no limit: a caller wanting none selects none */
	uint64_t before;     /* context lines before a selected line (-B) */
	uint64_t after;      /* context lines after one (-A) */
	unsigned threads;    /* 0: the online CPUs; 1: the calling thread */
	uint64_t piece;      /* piece size in bytes (0: the default); for
	                      * tests, small pieces split small files */
	uint64_t first_line; /* with MAPQ_GREP_NUMBERS: the number of the
	                      * range's first line when the caller knows it
	                      * (a shard's, from the newline counts of the
	                      * shards before it), so that the lines before
	                      * the range are not counted; 0: count them */
	uint64_t *progress;  /* NULL, or a counter (see Progress above): the
	                      * bytes of each window or piece searched are
	                      * added to it (decompressed bytes, for
	                      * compressed input) */
} mapq_grep_options;

/* A match inside a record's line: bytes [start, end) of `line`. */
typedef struct mapq_grep_span {
	uint64_t start;
	uint64_t end;
} mapq_grep_span;

/* Kinds of records. */
enum mapq_grep_kind {
	MAPQ_GREP_SELECTED = 1, /* a selected line (grep's ':' lines) */
	MAPQ_GREP_CONTEXT = 2   /* a context line (grep's '-' lines) */
};

/*
 * One line yielded by mapq_grep_next().  `line` borrows from the file's
 * mapping or the grep's buffers: valid until the next call.
 */
typedef struct mapq_grep_record {
	int kind;                    /* enum mapq_grep_kind */
	int follows;                 /* 1 when this line comes right after
	                              * the previous record's line (no "--"
	                              * between them); 0 for the first */
	const unsigned char *line;   /* the line, without its newline */
	uint64_t length;
	int newline;                 /* the line ends with '\n' (with
	                              * MAPQ_GREP_NULL_DATA: with NUL) */
	uint64_t offset;             /* its whole-file byte offset */
	uint64_t number;             /* its whole-file line number (1-based)
	                              * with MAPQ_GREP_NUMBERS, else 0 */
	const mapq_grep_span *spans; /* matches, with MAPQ_GREP_SPANS or
	                              * _SPANS_ALL, of a line that matches (a
	                              * selected line, or a context line under
	                              * MAPQ_GREP_INVERT); else none */
	size_t n_spans;
} mapq_grep_record;

/* What a grep found, once mapq_grep_next() has returned 0. */
typedef struct mapq_grep_summary {
	uint64_t selected;       /* lines selected (at most max_count) */
	uint64_t bytes_searched; /* bytes of the windows or pieces entered */
	uint64_t selected_end;   /* offset just after the last selected line */
	uint64_t binary_offset;  /* offset of the first NUL byte seen in the
	                          * data searched, UINT64_MAX when none (not
	                          * looked for with MAPQ_GREP_BINARY_TEXT) */
	int binary_match;        /* the search stopped at a line selected in
	                          * binary data */
	int complete;            /* all of the range was read */
} mapq_grep_summary;

/*
 * Prepare a grep of f with options *o (copied; the matcher and the range
 * must outlive the grep).  Work starts at the first mapq_grep_next().
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ENOTSUP (a range that
 * MAPQ_GREP_NULL_DATA cannot take), and those of mapq_range_resolve() for
 * input that can be read again.
 */
MAPQ_API int mapq_grep_create(mapq_grep **out, mapq_file *f,
                              const mapq_grep_options *o, mapq_error *err);

/*
 * The next record into *rec: 1, 0 when the search is over (see
 * mapq_grep_summary()), or an error: MAPQ_ETRUNC (the mapped file shrank),
 * MAPQ_ELIMIT (a pattern hit a PCRE2 limit), MAPQ_ENOMEM, and the errors
 * of scans (MAPQ_ESYS, MAPQ_ECORRUPT).  Records already yielded stay
 * valid output.  After an error or 0, it keeps returning the same.
 */
MAPQ_API int mapq_grep_next(mapq_grep *g, mapq_grep_record *rec,
                            mapq_error *err);

/* The counts of a grep (complete once mapq_grep_next() returned 0). */
MAPQ_API void mapq_grep_summary_get(const mapq_grep *g, mapq_grep_summary *s);

/* Stop the threads, release everything.  NULL is accepted. */
MAPQ_API void mapq_grep_destroy(mapq_grep *g);

/* ------------------------------------------------------------------ */
/* Keys and binary search over sorted lines                             */
/* ------------------------------------------------------------------ */

/*
 * A file sorted by a key (a timestamped log) can be searched by bisecting
 * byte offsets: each probe snaps to the start of the line that holds it,
 * extracts that line's key and compares it with a bound, so a search
 * touches O(log n) pages whatever the file size.
 *
 * Keys.  A line's key is a part of the line without its newline (a CR
 * before the newline stays part of the line):
 * - MAPQ_KEY_LINE: the whole line;
 * - MAPQ_KEY_FIELD: field `field` (1-based).  With delim MAPQ_KEY_BLANKS,
 *   fields are maximal runs of bytes other than space and tab, leading
 *   blanks skipped (as awk splits); with a byte 0..255, every occurrence
 *   of that byte separates two fields (as cut -d).  A missing field gives
 *   an empty key;
 * - MAPQ_KEY_REGEX: the first capture group of a PCRE2 pattern (UTF-8,
 *   invalid sequences never an error; JIT compiled when available), or
 *   the whole match when the pattern has no group.  A line where the
 *   pattern does not match, or the group does not take part, has an empty
 *   key.
 * An empty key is a line without a key; it sorts before every other key.
 *
 * Prefix comparison.  A key K is compared with a bound B on the first
 * len(B) bytes of K: K >= B when those bytes, as a byte string (shorter
 * is smaller when it is a prefix), compare >= B byte-wise.  So the bound
 * "2026-11-24T10" is <= every key of the hour 10 and > every key of the
 * hour 09, whatever follows in the line.
 */

/*
 * Time keys.  With spec.time_format set, the key (as extracted above) is
 * parsed as a time from its start, and keys compare as times; a key that
 * does not parse makes the line keyless.  The format is strptime-style:
 * %Y %y %m %d %e %H %M %S, %f (fraction digits), %b %h %B (month names, in
 * English, any case), %a %A (weekday names, ignored), %s (seconds since
 * 1970, with an optional .fraction), %z (Z, UTC, +hh, +hhmm, +hh:mm), %T
 * %F %R %D, %%; a blank matches any run of blanks.  Or a preset: "syslog"
 * (%b %e %H:%M:%S), "apache" ([%a %b %d %H:%M:%S %Y]), "clf"
 * (%d/%b/%Y:%H:%M:%S %z, and with MAPQ_KEY_LINE the key is the text inside
 * the line's first [...]), "epoch" (%s), "iso" (ISO-8601 date and time,
 * T or a blank between, optional fraction and zone).  A time with a zone
 * is compared in UTC, one without as written (wall clock).  A year-less
 * time takes spec.year, or the latest year that puts it at most a day
 * after spec.reference.  Bounds of a window are then times too: a
 * leading part of the format ("Jun 14 15" is 15:00:00), ISO-8601 (partial
 * too: "2026-11-24T10"), "now", or a time back from now ("-1h30m").
 */

typedef enum mapq_key_type {
	MAPQ_KEY_LINE = 0,
	MAPQ_KEY_FIELD = 1,
	MAPQ_KEY_REGEX = 2
} mapq_key_type;

/* mapq_key_spec.delim for fields separated by runs of blanks. */
#define MAPQ_KEY_BLANKS (-1)

/* How to extract a key; see above. */
typedef struct mapq_key_spec {
	mapq_key_type type;
	uint64_t field;    /* MAPQ_KEY_FIELD: 1-based field number */
	int delim;         /* MAPQ_KEY_FIELD: MAPQ_KEY_BLANKS or a byte */
	const char *regex; /* MAPQ_KEY_REGEX: the pattern, NUL-terminated */
	/* Time keys (see below); NULL: keys compare as bytes. */
	const char *time_format;
	int year;          /* year-less formats: this year (0: see reference) */
	int64_t reference; /* year-less formats without `year`: seconds since
	                    * 1970 of the newest input's mtime (0: now) */
} mapq_key_spec;

/*
 * A key extractor, made from a spec (a regex compiled once).  It keeps
 * PCRE2 match data, so it belongs to one thread at a time; the files it is
 * used on may be shared.
 */
typedef struct mapq_key mapq_key;

/*
 * Make an extractor for `spec` into *out (release with mapq_key_destroy).
 * Errors: MAPQ_EINVAL (a NULL argument, an unknown type, field 0, a delim
 * outside -1..255, a regex that does not compile: err->msg quotes it,
 * with PCRE2's reason and the offset of the error), MAPQ_ENOMEM.
 */
MAPQ_API int mapq_key_create(mapq_key **out, const mapq_key_spec *spec,
                             mapq_error *err);

/* Release an extractor.  NULL is accepted. */
MAPQ_API void mapq_key_destroy(mapq_key *key);

/*
 * Extract the key of one line, given as `len` bytes at `line` without its
 * newline.  *kp and *klen receive the key, which points into the line
 * (*klen 0: the line has no key).  key NULL means MAPQ_KEY_LINE.  The
 * bytes are read directly (mapped ones with no guard: see Truncation
 * above).
 * Errors: MAPQ_EINVAL when the regex fails on this line (PCRE2's match or
 * depth limit): err->msg says so.
 */
MAPQ_API int mapq_key_extract(mapq_key *key, const unsigned char *line,
                              uint64_t len, const unsigned char **kp,
                              uint64_t *klen, mapq_error *err);

/*
 * Prefix comparison of key K (klen bytes) with bound B (blen bytes):
 * negative, 0 or positive as the first min(klen, blen) bytes of K compare
 * with B, a K shorter than B that is a prefix of it being smaller.  So
 * K >= B exactly when the result is >= 0.  Never fails.
 */
MAPQ_API int mapq_key_compare(const unsigned char *k, uint64_t klen,
                              const unsigned char *b, uint64_t blen);

/*
 * Parse the time of one line (`len` bytes, no newline) with a time key:
 * 1 with *t (microseconds since 1970 on the key's clock: see above), 0
 * when the line has no time, or an error (MAPQ_EINVAL: not a time key, a
 * regex limit).
 */
MAPQ_API int mapq_key_time(mapq_key *key, const unsigned char *line,
                           uint64_t len, int64_t *t, mapq_error *err);

/*
 * Parse the text of a window's bound with time key `key` (see above): 1
 * with *t, or MAPQ_EINVAL with a message quoting the text (not a time in
 * the key's format, ISO-8601, "now" or "-DURATION"; or not a time key).
 */
MAPQ_API int mapq_key_parse_time(const mapq_key *key, const void *text,
                                 uint64_t len, int64_t *t, mapq_error *err);

/*
 * Parse a duration: a number of seconds ("90"), or numbers with units
 * us, ms, s, m, h, d, w ("1h30m", "2.5s"), into microseconds.  Errors:
 * MAPQ_EINVAL (quoting the text), MAPQ_EOVERFLOW.
 */
MAPQ_API int mapq_duration_parse(const char *text, int64_t *us,
                                 mapq_error *err);

/* Where a sorted-order check found a line out of order. */
typedef struct mapq_disorder {
	uint64_t line;       /* its 1-based number */
	uint64_t offset;     /* where it starts in the data */
	uint64_t length;     /* its bytes, without the newline */
	unsigned char *text; /* a copy of them (a stream cannot be read
	                      * again), to release with free(); NULL when
	                      * memory ran out */
} mapq_disorder;

/*
 * A key window: the lines whose key K satisfies from <= K < to, in file
 * order, each with the keyless lines after it (continuations).
 * - from NULL: no lower bound; to NULL: no upper bound.  Byte keys
 *   compare by prefix (above); time keys parse the bounds as times.
 * - slack (time keys only; microseconds, >= 0): how far a line's time
 *   may be behind the newest time before it.  The window is then exactly
 *   what a linear filter gives (lines outside it may lie between its
 *   lines).  0: the input is sorted.
 */
typedef struct mapq_window {
	const void *from;
	uint64_t flen;
	const void *to;
	uint64_t tlen;
	int64_t slack;
} mapq_window;

/*
 * A scan (see mapq_scan_create; `flags` as there) of the lines of f in
 * window *w.  A mapped plain file or a seekable zstd file is bisected: the
 * window of a 50 GiB file costs a few dozen page reads (a few blocks,
 * seekable) besides its lines.  Other input (a stream, a zstd stream, a
 * file read with pread) is filtered line by line from its start, up to
 * where the window ends.
 * Order: bisection is only right on sorted input, so the keys read are
 * checked to be in order within the slack (byte keys on the bounds'
 * longest length): lines spread over the file (about 33, a handful of
 * pages: enough to see two runs of a log concatenated) and the lines
 * probed, before the scan is returned; and, when the scan filters lines,
 * each line it reads.  Disorder beyond the slack is MAPQ_EORDER, whose
 * message names the two lines (from here, or from mapq_scan_next when
 * found while scanning).  Input sorted where it was not looked at can
 * still give a wrong window: mapq_bisect_check() reads every line.
 * mapq_scan_start() gives the first line's offset once known.  The
 * bounds are copied; the key must outlive the scan.
 * Errors: MAPQ_EINVAL (NULL arguments, a bound that is not a time, a
 * slack with byte keys, a regex limit), MAPQ_EORDER, and those of scans
 * (MAPQ_ETRUNC, MAPQ_ECORRUPT, MAPQ_ENOMEM, MAPQ_ESYS).
 */
MAPQ_API int mapq_bisect_scan(mapq_scan **out, mapq_file *f, mapq_key *key,
                              const mapq_window *w, unsigned flags,
                              mapq_error *err);

/*
 * The byte range [*start, *end) of f's (decompressed) data from the first
 * line of window *w to the end of its last line (`range --offsets`); an
 * empty window gives *start == *end, where the window would be.  Reads
 * as mapq_bisect_scan, and the window's lines when it filters them.
 * Errors: as mapq_bisect_scan.
 */
MAPQ_API int mapq_bisect_window(mapq_file *f, mapq_key *key,
                                const mapq_window *w, uint64_t *start,
                                uint64_t *end, mapq_error *err);

/*
 * Check in one linear pass (a scan: pages released as it goes; a stream
 * read once) that f's lines are in order: byte keys never decrease,
 * compared on their first max(w->flen, w->tlen) bytes (w NULL, or both
 * bounds NULL: whole keys; a keyless line has the empty key, so one after a keyed line
 * is out of order); times are never more than w->slack behind the newest
 * before them (lines without a time are skipped).
 * Returns 1 when in order; 0 when not, with the first line out of order
 * in *where (offsets of the decompressed data; free where->text); or a
 * negative error: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ETRUNC, MAPQ_ESYS,
 * MAPQ_ECORRUPT.
 */
MAPQ_API int mapq_bisect_check(mapq_file *f, mapq_key *key,
                               const mapq_window *w, mapq_disorder *where,
                               mapq_error *err);

/*
 * mapq_bisect_scan over a set of files that are one sorted sequence (a
 * rotated log: app.log.2.zst app.log.1 app.log, in any order): the
 * files are ordered by their first keys (read first; files without a key
 * first, in the order given) and read as if concatenated in that order;
 * only the files that can hold lines of the window are searched (the
 * others are sampled for the order check), and the order check and the
 * keyless lines' attachment go on across files.  Views carry their
 * file.  With n > 1, every file must be readable again (not a stream:
 * MAPQ_ENOTSUP).  The files must outlive the scan.
 * Errors: as mapq_bisect_scan.
 */
MAPQ_API int mapq_bisect_scan_files(mapq_scan **out, mapq_file **files,
                                    size_t n, mapq_key *key,
                                    const mapq_window *w, unsigned flags,
                                    mapq_error *err);

/* ------------------------------------------------------------------ */
/* Shards: cutting a file into line-aligned byte ranges                 */
/* ------------------------------------------------------------------ */

/*
 * A split cuts a file's data into at most n shards, adjacent byte ranges
 * that start and end at line starts and cover the data, so that parallel
 * workers each given one range (a byte range with MAPQ_SCAN_ALIGN) see
 * every line exactly once.  No shard is empty: there are exactly min(n, lines)
 * shards (none for empty data).
 */
typedef enum mapq_split_mode {
	/* Balance bytes: shard k ends at the first line start at or after
	 * (k+1)/n of the size, moved when needed so that every shard gets a
	 * line.  Reads a few lines around each cut and the last n lines. */
	MAPQ_SPLIT_BYTES = 0,
	/* Balance lines: of L lines, shard k (from 0) holds lines
	 * floor(k*L/n)+1 to floor((k+1)*L/n), so counts differ by one at
	 * most.  Reads the whole data twice (count, then cut). */
	MAPQ_SPLIT_LINES = 1
} mapq_split_mode;

typedef struct mapq_split mapq_split;

/*
 * Prepare a split of f into n >= 1 shards, ranges of its (decompressed)
 * data.  A mapped plain file is split through its mapping.  Elsewhere the
 * lines around each cut are found through scans: from the frame that holds
 * the cut (seekable format), from the cut (pread), or from the start (a
 * zstd stream, which is measured first: each cut then costs a pass up to
 * it); the line mode reads the data twice.  A stream cannot be split (its
 * offsets mean nothing once it is read): MAPQ_ENOTSUP.  `f` must outlive
 * the split.
 * Errors: MAPQ_EINVAL (n 0, an unknown mode), MAPQ_ENOMEM, MAPQ_ETRUNC,
 * MAPQ_ENOTSUP, and those of scans (MAPQ_ECORRUPT).
 */
MAPQ_API int mapq_split_create(mapq_split **out, mapq_file *f, uint64_t n,
                               mapq_split_mode mode, mapq_error *err);

/*
 * Pull the next shard, in file order, as [*start, *end) relative to
 * view->data.  Returns 1 (a shard), 0 (done) or a negative error
 * (MAPQ_ETRUNC).
 */
MAPQ_API int mapq_split_next(mapq_split *s, uint64_t *start, uint64_t *end,
                             mapq_error *err);

/* Release a split.  NULL is accepted. */
MAPQ_API void mapq_split_destroy(mapq_split *s);

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/*
 * Byte statistics of data seen in one pass: size, lines, the longest line,
 * empty lines, NUL and CR bytes, invalid UTF-8 sequences, the byte
 * histogram and its Shannon entropy.
 *
 * An accumulator (mapq_stats) is fed the data in order, in pieces of any
 * size (mapq_stats_update), or a range of a file of any kind (mapq_stats_scan).
 * Accumulators of two adjacent parts of the data merge exactly
 * (mapq_stats_merge): lines and UTF-8 sequences that straddle the seam are
 * counted as a single pass would count them.  That is what lets a file be
 * cut into pieces measured by separate threads.
 *
 * Definitions:
 * - A line ends after a '\n', or at the end of the data for a final line
 *   without one, which is still a line.  Its length is its bytes without
 *   the '\n' (a '\r' before it counts).  An empty line has length 0.
 * - The longest line is the first of the greatest length.
 * - An invalid UTF-8 sequence is a maximal subpart (Unicode 15, section
 *   3.9, "U+FFFD substitution of maximal subparts"): each is what a decoder
 *   replaces with one U+FFFD.
 * - Entropy is -sum(p * log2(p)) over the byte values of non-zero
 *   frequency p = count / bytes, in bits per byte; 0 for no data.
 *
 * Threads: an accumulator belongs to one thread at a time; merging reads
 * its source, which must not be updated meanwhile.
 */
typedef struct mapq_stats mapq_stats;

/* The figures of an accumulator, as mapq_stats_finish() gives them. */
typedef struct mapq_stats_result {
	uint64_t bytes;
	uint64_t lines;          /* newlines, plus 1 for a final line without */
	uint64_t newlines;       /* '\n' bytes (what `wc -l` prints) */
	uint64_t longest_length; /* bytes of the longest line, without '\n' */
	uint64_t longest_line;   /* its number (see first_line); 0: no lines */
	uint64_t empty_lines;
	uint64_t nul_bytes;
	uint64_t cr_bytes;
	uint64_t utf8_invalid;   /* maximal invalid subsequences */
	double entropy;          /* bits per byte, in [0, 8] */
	uint64_t histogram[256]; /* occurrences of each byte value */
} mapq_stats_result;

/*
 * Create an empty accumulator.  It is small (2 KiB) until it is fed a
 * piece of 64 KiB or more at once; then it adds a 256 KiB table of byte
 * pairs that lets the histogram count two bytes per increment.
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM.
 */
MAPQ_API int mapq_stats_create(mapq_stats **out, mapq_error *err);

/* Release an accumulator.  NULL is accepted. */
MAPQ_API void mapq_stats_destroy(mapq_stats *s);

/* Forget everything seen: the accumulator is as new. */
MAPQ_API void mapq_stats_reset(mapq_stats *s);

/*
 * Account for `n` more bytes at `data`, which follow the bytes seen so far.
 * Never fails.  `data` is read directly: for the bytes of a mapped file
 * use mapq_stats_scan(), which reads them under the library's guard.
 */
MAPQ_API void mapq_stats_update(mapq_stats *s, const void *data, size_t n);

/*
 * Make `dst` account for its data followed immediately by `src`'s, as if
 * one accumulator had seen both.  `src` is not changed.
 */
MAPQ_API void mapq_stats_merge(mapq_stats *dst, const mapq_stats *src);

/*
 * Give mapq_stats_scan() a progress counter (see Progress above; NULL:
 * none): it adds the bytes of each window it measures (decompressed
 * bytes, for compressed input; with a range, those of the range, and of
 * the data before it when it reads them to count its lines).
 * mapq_stats_reset() keeps the counter.
 */
MAPQ_API void mapq_stats_set_progress(mapq_stats *s, uint64_t *progress);

/*
 * Account for the data that `range` selects in f (NULL: all of it), which
 * follows the data seen so far, whatever kind of input f is.  A mapped
 * plain file is cut into up to `threads` pieces (at least 8 MiB each)
 * measured at once and merged; a seekable zstd file too, cut at frame
 * boundaries, since its frames decompress independently.  Other input
 * (read with pread, a stream, a zstd stream) is measured by the calling
 * thread as it is read or decoded, the range applied as for
 * mapq_scan_create() (a stream is read once, in bounded memory).  The
 * result never depends on `threads`.
 * When `first_line` is not NULL it receives the line number of the
 * range's first line (1 + the newlines before it): the first_line that
 * mapq_stats_finish() wants.  Counting them reads the data before the
 * range (on a stream and on compressed input, in the same pass).
 * Errors: MAPQ_EINVAL, MAPQ_ENOMEM, MAPQ_ETRUNC, MAPQ_ESYS (read), and for
 * compressed input MAPQ_ECORRUPT (damaged data); err names the file.
 * After an error the accumulator's content is unspecified.
 */
MAPQ_API int mapq_stats_scan(mapq_stats *s, mapq_file *f,
                             const struct mapq_range *range, unsigned threads,
                             uint64_t *first_line, mapq_error *err);

/*
 * Compute the figures of everything seen into *r.  `first_line` is the
 * number of the data's first line in its file (1 for a whole file; for a
 * part of a file, 1 + the newlines before it), so that longest_line is a
 * line number of the whole file.  The accumulator may go on afterwards.
 */
MAPQ_API void mapq_stats_finish(const mapq_stats *s, uint64_t first_line,
                                mapq_stats_result *r);

/*
 * Add the figures of another input `r` to a running total `total` (which
 * starts zeroed), for a summary of several files: counts and histograms
 * add up, the entropy is that of the summed histogram, and the longest
 * line is numbered as if the inputs' lines followed each other (the lines
 * of `r` come after the `total->lines` lines already counted), keeping the
 * first of equal length.
 */
MAPQ_API void mapq_stats_add(mapq_stats_result *total,
                             const mapq_stats_result *r);

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
 * followed by more skippable frames and then by zstd frames.  Whatever
 * `zstd -dc` decodes, mapq reads, with the same bytes: several frames one
 * after the other (files concatenated with cat, seekable or not), and
 * skippable frames anywhere.  Such a file is one of:
 *
 * - the seekable format: independent zstd frames followed by a seek table
 *   in a final skippable frame whose last four bytes are 0x8F92EAB1.  The
 *   table lists each frame's compressed and decompressed size (and maybe
 *   a checksum).  It is used for random access only when it describes the
 *   whole file, which is checked at open: the table is well formed, its
 *   frames start at offset 0 and end exactly where the table begins, and
 *   each frame's first bytes and last four agree with its entry (a
 *   skippable frame of that size and no data, or a zstd frame with a
 *   valid header, the entry's content size when the header declares one,
 *   the entry's checksum when the frame carries its own, and no data when
 *   the entry says none).  The file's size is then known and any byte is
 *   found by binary search; only the frames a read needs are decompressed.
 * - a zstd stream: frames (and skippable frames) read by decompressing
 *   from the start, as zstd -dc does; its size is not known until
 *   measured.  This includes files with a seek table that does not
 *   describe them (files concatenated after each other, a damaged table):
 *   that table's frame is skipped like any skippable frame, and a table is
 *   never a reason to refuse a file.
 *
 * Damaged data (a bad frame, a checksum mismatch, a truncated file) is
 * MAPQ_ECORRUPT when it is read, never wrong bytes; mapq_file_open()
 * itself refuses only what zstd -dc refuses before its first byte
 * (skippable frames at the start that run past the end or are followed by
 * something that is not zstd, an invalid first frame header).  A seekable
 * file's frames are checked as they are read (a frame that declares no
 * size must decode to its entry's size; one without its own checksum must
 * match the table's).  A zstd stream hands out the bytes decoded before
 * damage first, as zstd -dc writes them, so a range that ends before the
 * damage reads without error.
 *
 * Compressed standard input read from a pipe is a zstd stream, read
 * forward once, window by window; it is never decompressed whole.  Frames
 * whose window exceeds 2^27 bytes (zstd --long=28 and above) are refused,
 * as zstd -d refuses them by default.
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

/* Flags for mapq_range_resolve(). */
enum mapq_resolve_flags {
	MAPQ_RESOLVE_DEFAULT = 0,
	/* A byte range selects the lines that start inside it (each whole),
	 * [first line start >= start, first line start >= end).  Line
	 * ranges are unaffected. */
	MAPQ_RESOLVE_ALIGN = 1u << 0
};

/*
 * Resolve a range of either unit against the whole of f into offsets
 * [*start, *end) of its (decompressed) data, clamped to it.  Line ranges
 * select whole lines (with their newlines); positive line numbers are
 * found from the front, negative ones from the back, so `-10:` reads only
 * the last ten lines.  On a zstd stream whose size is not known, a byte
 * range with no negative part is not clamped at the end (*end may be
 * MAPQ_SIZE_UNKNOWN or past the data); scans and mapq_file_write_range()
 * clamp it.  Offsets need input that can be read again: a stream gives
 * MAPQ_ENOTSUP (a scan applies a range to a stream as it reads it).
 * Errors: MAPQ_EINVAL, MAPQ_ENOTSUP, and those of scans (MAPQ_ETRUNC,
 * MAPQ_ECORRUPT...).
 */
MAPQ_API int mapq_range_resolve(mapq_file *f, const mapq_range *range,
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
MAPQ_API int mapq_lines_count_newlines(mapq_file *f, uint64_t start,
                                      uint64_t end, uint64_t *count,
                                      mapq_error *err);

/*
 * Count the lines in [start, end) of f's data (clamped) into *count: its
 * newlines, plus one when the part does not end with a newline (a final
 * line without one, or a line cut by `end`).  Errors: as scans.
 */
MAPQ_API int mapq_lines_count(mapq_file *f, uint64_t start, uint64_t end,
                                   uint64_t *count, mapq_error *err);

/*
 * Write bytes [start, end) of f's data (clamped) to file descriptor fd,
 * window by window through a scan: straight from the mapping for mapped
 * plain files (large write(2) calls; pages released as it goes), from the
 * scan's buffer otherwise.
 * Errors: MAPQ_ETRUNC (the file shrank; err names the file), MAPQ_EPIPE
 * (EPIPE: the reader went away), MAPQ_EWRITE (any other write error;
 * sys_errno says which), and those of scans.
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
/* The largest frame size a compressor accepts; an aligned
 * frame is cut here when its last line runs on. */
#define MAPQ_COMPRESS_FRAME_MAX ((uint64_t)1 << 30)
/* The most threads a compressor runs. */
#define MAPQ_COMPRESS_THREADS_MAX 256

typedef struct mapq_compress_options {
	uint64_t frame_size; /* 0: MAPQ_COMPRESS_FRAME_DEFAULT */
	int level;           /* zstd level; 0: zstd's default (3) */
	unsigned threads;    /* 0 or 1: compress in the calling thread */
	int align;           /* 1: cut frames after a newline (see above) */
	uint64_t *progress;  /* NULL, or a counter (see Progress above) to
	                      * which the input bytes of each frame are
	                      * added once the frame is written */
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
