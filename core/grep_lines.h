/*
 * grep_lines.h - the line engine of grep (grep_lines.c): given windows of
 * a file in order, it decides which lines are selected and which are
 * context, one record at a time.  The iterator (grep.c) feeds it windows
 * from a scan (one engine over the whole input) or pieces of a mapping
 * (one engine per piece, several threads).  Not installed; names use
 * mapq__.
 */
#ifndef MAPQ_GREP_LINES_H
#define MAPQ_GREP_LINES_H

#include <stdint.h>

#include "mapq.h"

/* From search.c: 1 when the matcher was made with MAPQ_MATCH_NULL_DATA. */
int mapq__matcher_null_data(const mapq_matcher *m);

/* Copies of the last lines of a window, for -B when windows are not
 * contiguous in memory (a stream's buffer is reused). */
struct mapq__grep_carry {
	unsigned char *buf;
	size_t len, cap;
	uint64_t abs; /* file offset of buf[0] */
};

/* A record as the engine makes it, before the iterator fixes it up. */
struct mapq__grep_line {
	int kind;            /* MAPQ_GREP_SELECTED / _CONTEXT */
	int leads;           /* context printed before a selected line */
	int binary;          /* a selected line in binary data (not shown) */
	const unsigned char *line;
	uint64_t length;
	int newline;
	uint64_t offset;
	uint64_t number;     /* in the engine's numbering (see first_line) */
};

struct mapq__grep_engine {
	/* ---- set by the owner before the first window ---- */
	mapq_search *search;
	unsigned flags;        /* MAPQ_GREP_* */
	int null_data;         /* lines end with NUL, not '\n' (grep -z) */
	int detect_binary;     /* look for NUL bytes */
	int binary_no_match;   /* a NUL ends the search (grep -I) */
	int convert_nul;       /* a NUL is read as '\n' (windows holding
	                        * one are walked in a copy) */
	uint64_t before, after;
	uint64_t max_count;    /* UINT64_MAX: none */
	int trail_at_max;      /* at max_count, yield `after` lines of
	                        * context whatever they match (grep -m);
	                        * else just stop */
	int stop_at_select;    /* be done at a line that would be selected
	                        * (after-context running into the next
	                        * piece, which selects that line itself) */
	/* Bytes before the first window that -B may show, when they are in
	 * memory (a mapping): [lo, first window), at `mapped` + offset. */
	const unsigned char *mapped;
	uint64_t lo;
	/* Numbering: the line starting at num_pos is number num_line. */
	uint64_t num_pos, num_line;

	/* ---- state ---- */
	unsigned char eol;     /* the byte that ends a line (from null_data) */
	mapq_view w;           /* the window being walked */
	uint64_t pos;          /* next line start to look at, in w */
	int window_open;       /* w has not been finished */
	int have_match;        /* m_ls/m_le hold the next matching line */
	uint64_t m_ls, m_le;   /* m_ls == w.size: none in the rest of w */
	uint64_t selected;
	uint64_t selected_end; /* file offset after the last selected line */
	uint64_t after_left;
	int trailing;          /* -m reached: context whatever matches */
	int done;
	int have_last;
	uint64_t last_end;     /* file offset after the last line yielded */
	int binary;            /* a NUL was seen (detect_binary) */
	uint64_t binary_offset;
	int binary_match;
	int binary_skip;       /* binary_no_match ended the search */
	/* Pending lines: before-context then the selected line. */
	int pending;           /* a selected line waits at sel_ls */
	uint64_t sel_ls, sel_le, sel_number;
	uint64_t pend_k;       /* before-context lines still to yield */
	const unsigned char *pend_base; /* the region they are in */
	uint64_t pend_abs;     /* its file offset */
	uint64_t pend_len;
	uint64_t pend_pos;     /* next one, relative to pend_base */
	int pend_in_window;    /* the region is w (else mapping or carry) */
	struct mapq__grep_carry carry;
	unsigned char *conv;   /* convert_nul: the window with NULs as '\n' */
	size_t conv_cap;
	int conv_failed;       /* the copy could not be made: ENOMEM */
};

/* Prepare e (zeroed by the caller, then its settings filled). */
void mapq__grep_engine_init(struct mapq__grep_engine *e);

/* Give e the next window (contiguous with the previous one). */
void mapq__grep_engine_feed(struct mapq__grep_engine *e, const mapq_view *w);

/*
 * The next line into *l: 1, 0 when e needs the next window (or is done:
 * e->done), or an error (MAPQ_ELIMIT...).  Reads the window's bytes: call
 * under the file's guard.
 */
int mapq__grep_engine_next(struct mapq__grep_engine *e,
                           struct mapq__grep_line *l, mapq_error *err);

/* Stop selecting: yield up to n more lines as context whatever they
 * match, then be done (the iterator's -m across pieces). */
void mapq__grep_engine_trail(struct mapq__grep_engine *e, uint64_t n);

void mapq__grep_engine_free(struct mapq__grep_engine *e);

/*
 * NUL-terminated records (grep -z) from a scan: the scan's windows end
 * anywhere, the engine wants windows of whole records.  A record that runs
 * across windows is copied into buf (which then holds that one record,
 * however long: memory is bounded by the longest record) and handed out
 * alone; the rest of a window is handed out where it is.  Only the
 * records that start in [first, last) are handed out (a byte range: the
 * scan itself walks all of the data, so that nothing before a record's
 * start is needed from it).
 */
struct mapq__grep_records {
	/* ---- set by the owner ---- */
	mapq_scan *scan;       /* borrowed */
	unsigned char eol;
	uint64_t first, last;  /* the byte range (last: UINT64_MAX, none) */
	/* ---- state ---- */
	mapq_view in;          /* the scan's window being consumed */
	uint64_t used;         /* bytes of it consumed */
	int have_in;
	unsigned char *buf;    /* a record begun in an earlier window */
	size_t len, cap;
	uint64_t abs;          /* file offset of buf[0] */
	int handed_buf;        /* buf was handed out: empty it first */
	int started;           /* a window was handed out */
	uint64_t start;        /* the offset of the first one */
	uint64_t skipped;      /* records before it (for line numbers) */
	int done;
};

/*
 * Set first and last from a byte range (NULL: all of the data), resolved
 * where f can be read again; on a stream only a range counted from the
 * front can be known in advance (else MAPQ_ENOTSUP).
 */
int mapq__grep_records_range(struct mapq__grep_records *r, mapq_file *f,
                             const mapq_range *range, mapq_error *err);

/* The next window of whole records: 1, 0 at the end, or an error of the
 * scan (or MAPQ_ENOMEM).  The window is valid until the next call. */
int mapq__grep_records_next(struct mapq__grep_records *r, mapq_view *out,
                            mapq_error *err);

void mapq__grep_records_free(struct mapq__grep_records *r);

/*
 * The spans of a line that matches, as flags MAPQ_GREP_SPANS or
 * MAPQ_GREP_SPANS_ALL ask, appended to *spans (grown with *cap).
 * Returns the number found, or an error.
 */
int mapq__grep_spans(mapq_search *s, const unsigned char *line, uint64_t len,
                     unsigned flags, mapq_grep_span **spans,
                     size_t *n, size_t *cap, mapq_error *err);

#endif /* MAPQ_GREP_LINES_H */
