/*
 * range_scan.c - the public scan: the windows of the data a range selects,
 * on every kind of input.
 *
 * Input that can be read again (a mapped or pread file, a seekable zstd
 * file) resolves the range first (resolve.c: a line counted from the end
 * costs the lines after it) and then walks exactly the bytes selected.
 *
 * Input read once, forward (a pipe, a FIFO, a zstd stream), cannot look
 * ahead: the range is applied while the data goes by, in bounded memory.
 * - A start counted from the front is reached by reading past the bytes
 *   or lines before it (counting their newlines, for line numbers).
 * - An end counted from the front stops the scan there: the rest of the
 *   stream is never read.
 * - A start counted from the end keeps only the tail it may need (the
 *   last N lines or bytes) in a buffer that is trimmed as the data comes;
 *   the range is resolved on that tail when the data ends.
 * - An end counted from the end holds back the last lines or bytes it may
 *   drop, and hands out everything before them as it goes.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "input/input.h"
#include "lines.h"
#include "range_scan.h"

/* The tail buffer is trimmed when it has grown this much past what it
 * must keep (and at least by half). */
#define TAIL_SLACK ((size_t)1 << 20)

enum phase {
	PHASE_SKIP, /* reading up to the start */
	PHASE_EMIT, /* handing out windows up to the end */
	PHASE_TAIL, /* keeping a tail until the data ends */
	PHASE_LAST, /* the tail's selection is handed out */
	PHASE_DONE
};

struct mapq_scan {
	mapq_file *file;
	mapq_range range;
	int has_range;
	unsigned flags;
	struct mapq__scan in; /* the bytes walked */
	uint64_t start;       /* first byte selected (once known) */
	int start_known;
	uint64_t first_line;  /* line number at start, when known (0: not) */

	/* Streams only. */
	int stream;
	enum phase phase;
	mapq_view cur;        /* the inner window being consumed */
	uint64_t used;        /* of which this much is consumed */
	int have_cur;
	uint64_t newlines;    /* newlines in the bytes consumed */
	int last;             /* the last byte consumed, or -1 */
	uint64_t skip_lines;  /* PHASE_SKIP, lines: newlines still to pass */
	uint64_t skip_to;     /* PHASE_SKIP, bytes: offset to reach */
	int align_start;      /* then go on to a line start */
	uint64_t emit_end;    /* PHASE_EMIT, bytes: end (UINT64_MAX: none) */
	uint64_t emit_lines;  /* PHASE_EMIT, lines: newlines still to hand */
	int by_lines;         /* PHASE_EMIT ends after emit_lines newlines */
	int align_end;        /* after emit_end, finish the line */
	/* PHASE_TAIL: bytes [tbase, tbase + tlen) of the data. */
	unsigned char *tb;
	size_t tlen, tcap;
	uint64_t tbase;
	uint64_t tbase_nl;    /* newlines before tbase */
	uint64_t keep;        /* lines (by_lines) or bytes to keep */
	int tail_lines;
	int tail_emit;        /* hand out what is trimmed (start is known) */
	size_t handed;        /* bytes of tb handed out, dropped next call */
	size_t next_trim;
	size_t out_s, out_e;  /* PHASE_LAST: the selection inside tb */
	/* A scan in parts (a set of files): next_part sets up each. */
	mapq__scan_part next_part;
	void *part_ctx;
	void (*part_free)(void *ctx);
	int in_part;          /* a part is set up */
	int parts;            /* parts set up so far */
	/* Lines chosen by a selector instead of a range. */
	mapq__line_select select;
	uint64_t select_pos;  /* where the lines not yet decided start */
	void *select_ctx;
};

static int random_start(mapq_scan *s, mapq_error *err)
{
	uint64_t start = 0, end = MAPQ_SIZE_UNKNOWN;
	if (s->has_range) {
		int rc = mapq_range_resolve(s->file, &s->range,
		                            s->flags & MAPQ_SCAN_ALIGN
		                                    ? MAPQ_RESOLVE_ALIGN
		                                    : MAPQ_RESOLVE_DEFAULT,
		                            &start, &end, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	s->start = start;
	s->start_known = 1;
	mapq__scan_init(&s->in, s->file, start, end, s->in.window,
	                s->flags & (MAPQ_SCAN_LINES | MAPQ_SCAN_KEEP));
	return MAPQ_OK;
}

/* Set the stream's plan from the range. */
static void stream_plan(mapq_scan *s)
{
	const mapq_range *r = &s->range;
	int lines = s->has_range && r->unit == MAPQ_RANGE_LINES;
	unsigned fl = s->has_range ? r->flags : 0;
	s->phase = PHASE_SKIP;
	s->emit_end = UINT64_MAX;
	s->last = -1;
	s->tail_lines = lines;
	if (fl & MAPQ_RANGE_START_NEG) {
		s->phase = PHASE_TAIL;
		s->keep = lines ? r->start : r->start + 1;
		return;
	}
	uint64_t first = (fl & MAPQ_RANGE_HAS_START) ? r->start : lines ? 1 : 0;
	if (lines)
		s->skip_lines = first - 1;
	else
		s->skip_to = first;
	s->align_start = !lines && (s->flags & MAPQ_SCAN_ALIGN);
	if (!(fl & MAPQ_RANGE_HAS_END))
		return;
	if (fl & MAPQ_RANGE_END_NEG) {
		s->tail_emit = 1;
		s->keep = lines ? r->end : r->end + 1;
		return;
	}
	if (lines) {
		uint64_t last = (fl & MAPQ_RANGE_END_COUNT)
		                        ? (r->end > 0 ? first + r->end - 1 : 0)
		                        : r->end;
		if (fl & MAPQ_RANGE_END_COUNT && r->end > UINT64_MAX - first)
			last = UINT64_MAX;
		s->by_lines = 1;
		s->emit_lines = last >= first ? last - first + 1 : 0;
	} else {
		uint64_t end = (fl & MAPQ_RANGE_END_COUNT)
		                       ? (r->end > UINT64_MAX - first
		                                  ? UINT64_MAX
		                                  : first + r->end)
		                       : r->end;
		s->emit_end = end > first ? end : first;
		s->align_end = (s->flags & MAPQ_SCAN_ALIGN) != 0;
	}
}

/* Make sure s->cur has unconsumed bytes; 0 at the end of the data. */
static int fill_cur(mapq_scan *s, mapq_error *err)
{
	if (s->have_cur && s->used < s->cur.size)
		return 1;
	s->have_cur = 0;
	int rc = mapq__scan_next(&s->in, &s->cur, err);
	if (rc <= 0)
		return rc;
	s->have_cur = 1;
	s->used = 0;
	return 1;
}

/* Consume n bytes of cur (they are skipped or handed out). */
static void consume(mapq_scan *s, uint64_t n, int count)
{
	if (n == 0)
		return;
	const unsigned char *p = s->cur.data + s->used;
	if (count)
		s->newlines += mapq__count_newlines(p, n);
	s->last = p[n - 1];
	s->used += n;
}

static uint64_t pos_of(const mapq_scan *s)
{
	return s->cur.offset + s->used;
}

/* The line at the scan's position: its length without the newline, and
 * with it. */
static void line_at(const unsigned char *p, uint64_t avail, uint64_t *len,
                    uint64_t *whole)
{
	const unsigned char *nl = memchr(p, '\n', (size_t)avail);
	*len = nl != NULL ? (uint64_t)(nl - p) : avail;
	*whole = nl != NULL ? *len + 1 : avail;
}

/* PHASE_SKIP: read up to the start.  1 when there, 0 at the data's end. */
static int skip(mapq_scan *s, mapq_error *err)
{
	for (;;) {
		int rc = fill_cur(s, err);
		if (rc <= 0)
			return rc;
		const unsigned char *p = s->cur.data + s->used;
		uint64_t avail = s->cur.size - s->used;
		if (s->skip_lines > 0) {
			uint64_t found;
			const unsigned char *nl = mapq__find_nth_newline(
			        p, avail, s->skip_lines, &found);
			if (nl == NULL) {
				s->skip_lines -= found;
				consume(s, avail, 1);
				continue;
			}
			s->skip_lines = 0;
			consume(s, (uint64_t)(nl - p) + 1, 1);
			continue;
		}
		uint64_t pos = pos_of(s);
		if (pos < s->skip_to) {
			uint64_t n = s->skip_to - pos < avail ? s->skip_to - pos
			                                      : avail;
			consume(s, n, 1);
			continue;
		}
		if (s->align_start && pos > 0 && s->last != '\n') {
			const unsigned char *nl = memchr(p, '\n', avail);
			consume(s, nl != NULL ? (uint64_t)(nl - p) + 1 : avail,
			        1);
			continue;
		}
		return 1;
	}
}

static void start_here(mapq_scan *s)
{
	s->start = pos_of(s);
	s->start_known = 1;
	s->first_line = s->newlines + 1;
}

/* PHASE_EMIT: the next window, up to the end.  0 when done. */
static int emit(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	int rc = fill_cur(s, err);
	if (rc <= 0)
		return rc;
	const unsigned char *p = s->cur.data + s->used;
	uint64_t avail = s->cur.size - s->used;
	uint64_t pos = pos_of(s);
	uint64_t n = avail;
	int done = 0;
	if (s->by_lines) {
		if (s->emit_lines == 0)
			return 0;
		uint64_t found;
		const unsigned char *nl =
		        mapq__find_nth_newline(p, avail, s->emit_lines, &found);
		if (nl != NULL) {
			n = (uint64_t)(nl - p) + 1;
			s->emit_lines = 0;
			done = 1;
		} else {
			s->emit_lines -= found;
		}
	} else if (pos >= s->emit_end) {
		/* Past the end: finish the line that runs over it. */
		if (!s->align_end || s->last == '\n' || s->last < 0)
			return 0;
		const unsigned char *nl = memchr(p, '\n', avail);
		if (nl != NULL) {
			n = (uint64_t)(nl - p) + 1;
			done = 1;
		}
	} else if (s->emit_end - pos < avail) {
		n = s->emit_end - pos;
		/* With ALIGN the line that runs over the end is selected
		 * whole: end the window after it, not inside it. */
		if (s->align_end && p[n - 1] != '\n') {
			const unsigned char *nl = memchr(p + n, '\n',
			                                 (size_t)(avail - n));
			n = nl != NULL ? (uint64_t)(nl - p) + 1 : avail;
		}
		done = s->align_end && (n < avail || p[n - 1] == '\n');
	}
	win->data = p;
	win->size = n;
	win->offset = pos;
	win->file = s->file;
	consume(s, n, 0);
	if (done)
		s->phase = PHASE_DONE;
	return 1;
}

/* Drop the bytes of tb handed out (or trimmed) by the last call. */
static void tail_drop(mapq_scan *s)
{
	if (s->handed == 0)
		return;
	s->tbase_nl += mapq__count_newlines(s->tb, s->handed);
	memmove(s->tb, s->tb + s->handed, s->tlen - s->handed);
	s->tlen -= s->handed;
	s->tbase += s->handed;
	s->handed = 0;
}

/* How many leading bytes of tb are beyond what must be kept (whole lines
 * of them, for MAPQ_SCAN_LINES). */
static size_t tail_excess(const mapq_scan *s)
{
	if (!s->tail_lines) {
		size_t cut = s->tlen > s->keep ? s->tlen - (size_t)s->keep : 0;
		if (cut > 0 && (s->flags & MAPQ_SCAN_LINES)) {
			const unsigned char *nl = memrchr(s->tb, '\n', cut);
			cut = nl != NULL ? (size_t)(nl - s->tb) + 1 : 0;
		}
		return cut;
	}
	/* The start of the last `keep` lines (a final newline ends the last
	 * line, it does not start one): after the (lines - keep)-th newline,
	 * found from the front with the vectorised counters, in time linear
	 * in tb however many lines are kept. */
	uint64_t newlines = mapq__count_newlines(s->tb, s->tlen);
	uint64_t lines = newlines + (s->tlen > 0 && s->tb[s->tlen - 1] != '\n');
	if (s->keep >= lines)
		return 0;
	const unsigned char *nl =
	        mapq__find_nth_newline(s->tb, s->tlen, lines - s->keep, NULL);
	return nl != NULL ? (size_t)(nl - s->tb) + 1 : 0;
}

/*
 * PHASE_TAIL: take the data into tb, trimming what cannot be selected.
 * When the start is known (tail_emit) the trimmed bytes are handed out:
 * returns 1 with such a window, 0 when the data has ended.
 */
static int tail(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	tail_drop(s);
	for (;;) {
		int rc = fill_cur(s, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return 0;
		uint64_t n = s->cur.size - s->used;
		if (s->tlen == 0)
			s->tbase = pos_of(s);
		rc = mapq__buf_grow(&s->tb, &s->tcap, s->tlen + (size_t)n,
		                    mapq_file_name(s->file), err);
		if (rc != MAPQ_OK)
			return rc;
		memcpy(s->tb + s->tlen, s->cur.data + s->used, (size_t)n);
		s->tlen += (size_t)n;
		s->last = s->cur.data[s->used + n - 1];
		s->used += n;
		if (s->tlen < s->next_trim)
			continue;
		size_t cut = tail_excess(s);
		s->next_trim = (s->tlen - cut) * 2 + TAIL_SLACK;
		if (cut == 0)
			continue;
		s->handed = cut;
		if (s->tail_emit) {
			win->data = s->tb;
			win->size = cut;
			win->offset = s->tbase;
			win->file = s->file;
			return 1;
		}
		tail_drop(s);
	}
}

/* The data has ended: resolve the range on the tail kept. */
static int tail_resolve(mapq_scan *s, mapq_error *err)
{
	tail_drop(s);
	const mapq_range *r = &s->range;
	mapq_view v = {s->tb, s->tlen, 0, NULL};
	uint64_t size = s->tbase + s->tlen;
	uint64_t a = 0, b = 0;
	int rc;
	if (s->tail_lines) {
		mapq_range rr = *r;
		if (s->tail_emit) {
			/* Everything before tb was handed out already. */
			rr.flags = MAPQ_RANGE_HAS_END | MAPQ_RANGE_END_NEG;
		} else if ((r->flags & MAPQ_RANGE_HAS_END) &&
		           !(r->flags & (MAPQ_RANGE_END_NEG |
		                         MAPQ_RANGE_END_COUNT))) {
			/* LAST counts from the top of the data: make it
			 * count from the top of tb. */
			uint64_t before = s->tbase_nl;
			rr.end = r->end > before ? r->end - before : 0;
			if (rr.end == 0) {
				s->out_s = s->out_e = 0;
				return MAPQ_OK;
			}
		}
		rc = mapq__view_resolve(&rr, &v, &a, &b, err);
		if (rc != MAPQ_OK)
			return rc;
	} else {
		uint64_t sa, sb;
		rc = mapq_range_resolve_bytes(r, size, &sa, &sb);
		if (rc != MAPQ_OK)
			return mapq__error_set(err, rc, 0, "invalid range");
		if (sa < s->tbase)
			sa = s->tbase;
		if (sb < sa)
			sb = sa;
		a = sa - s->tbase;
		b = sb - s->tbase;
		if ((s->flags & MAPQ_SCAN_ALIGN) && a < b) {
			/* The start is a line start when nothing before it was
			 * kept (the data's start, or what skip() aligned). */
			if (a > 0)
				rc = mapq__view_next_start(&v, a, &a, err);
			if (rc == MAPQ_OK && b < s->tlen)
				rc = mapq__view_next_start(&v, b, &b, err);
			if (rc != MAPQ_OK)
				return rc;
			if (b < a)
				b = a;
		}
	}
	s->out_s = (size_t)a;
	s->out_e = (size_t)b;
	if (!s->start_known) {
		s->start = s->tbase + a;
		s->start_known = 1;
		s->first_line = s->tbase_nl + mapq__count_newlines(s->tb, a) + 1;
	}
	return MAPQ_OK;
}

/*
 * A selector's scan: the next run of lines it puts inside, as one window
 * (the lines are in the scan's current window, so the run is contiguous
 * bytes).  Each line is decided once; a line outside the selection ends
 * the run and is passed over.  0 when the selector says the selection
 * has ended (2) or the data does.  A mapping is read under the guard.
 */
static int select_next(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	while (s->phase != PHASE_DONE) {
		int rc = fill_cur(s, err);
		if (rc <= 0) {
			s->phase = PHASE_DONE;
			if (rc == 0 && !s->start_known) {
				/* An empty selection is at the data's end. */
				s->start = s->select_pos;
				s->start_known = 1;
			}
			return rc;
		}
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, s->cur.file))
			return mapq__guard_failed(&g, err);
		const unsigned char *p = s->cur.data + s->used;
		uint64_t avail = s->cur.size - s->used, pos = pos_of(s);
		uint64_t n = 0, passed = 0;
		while (n < avail) {
			uint64_t len, whole;
			line_at(p + n, avail - n, &len, &whole);
			rc = s->select(s->select_ctx, p + n, len, pos + n, err);
			if (rc < 0 || rc == 2) {
				s->phase = PHASE_DONE;
				if (!s->start_known) {
					/* An empty selection is where it ended. */
					s->start = pos + n;
					s->start_known = 1;
				}
				break;
			}
			if (rc == 0) {
				passed = whole;
				break;
			}
			n += whole;
		}
		mapq__guard_pop(&g);
		if (rc < 0)
			return rc;
		if (n > 0 && !s->start_known) {
			s->start = pos;
			s->start_known = 1;
		}
		/* The run stays readable until the next fill_cur. */
		win->data = p;
		win->size = n;
		win->offset = pos;
		win->file = s->file;
		s->used += n + passed;
		s->select_pos = pos + n + passed;
		if (n > 0)
			return 1;
	}
	return 0;
}

static int stream_next(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	int rc;
	if (s->select != NULL)
		return select_next(s, win, err);
	switch (s->phase) {
	case PHASE_SKIP:
		rc = skip(s, err);
		if (rc < 0)
			return rc;
		start_here(s);
		if (rc == 0) {
			s->phase = PHASE_DONE;
			return 0;
		}
		s->phase = s->tail_emit ? PHASE_TAIL : PHASE_EMIT;
		return stream_next(s, win, err);
	case PHASE_EMIT:
		rc = emit(s, win, err);
		if (rc == 0)
			s->phase = PHASE_DONE;
		return rc;
	case PHASE_TAIL:
		rc = tail(s, win, err);
		if (rc != 0)
			return rc;
		if ((rc = tail_resolve(s, err)) != MAPQ_OK)
			return rc;
		s->phase = PHASE_LAST;
		if (s->out_e <= s->out_s) {
			s->phase = PHASE_DONE;
			return 0;
		}
		win->data = s->tb + s->out_s;
		win->size = s->out_e - s->out_s;
		win->offset = s->tbase + s->out_s;
		win->file = s->file;
		return 1;
	default:
		s->phase = PHASE_DONE;
		return 0;
	}
}

int mapq_scan_create(mapq_scan **out, mapq_file *f, const mapq_range *range,
                     uint64_t window, unsigned flags, mapq_error *err)
{
	if (out == NULL || f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or handle");
	*out = NULL;
	mapq_scan *s = calloc(1, sizeof *s);
	if (s == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));
	s->file = f;
	s->flags = flags;
	s->in.window = window;
	if (range != NULL) {
		s->range = *range;
		s->has_range = 1;
	}
	/* Forward-only input, and zstd streams (which decode from their
	 * start whatever is asked): the range is applied in one pass. */
	s->stream = !mapq__file_random_access(f) ||
	            mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_STREAM;
	if (s->stream) {
		mapq__scan_init(&s->in, f, 0, MAPQ_SIZE_UNKNOWN, window,
		                flags & (MAPQ_SCAN_LINES | MAPQ_SCAN_KEEP));
		stream_plan(s);
		s->next_trim = TAIL_SLACK;
	} else {
		int rc = random_start(s, err);
		if (rc != MAPQ_OK) {
			free(s);
			return rc;
		}
	}
	*out = s;
	return MAPQ_OK;
}

int mapq__scan_create_parts(mapq_scan **out, unsigned flags,
                            mapq__scan_part next_part, void *ctx,
                            void (*ctx_free)(void *ctx), mapq_error *err)
{
	if (out == NULL || next_part == NULL) {
		if (ctx_free != NULL)
			ctx_free(ctx);
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no handle");
	}
	*out = NULL;
	mapq_scan *s = calloc(1, sizeof *s);
	if (s == NULL) {
		if (ctx_free != NULL)
			ctx_free(ctx);
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	}
	s->flags = flags;
	s->next_part = next_part;
	s->part_ctx = ctx;
	s->part_free = ctx_free;
	*out = s;
	return MAPQ_OK;
}

/* Forget the part read so far. */
static void part_reset(mapq_scan *s, mapq_file *f)
{
	if (s->in_part)
		mapq__scan_finish(&s->in);
	memset(&s->cur, 0, sizeof s->cur);
	s->used = 0;
	s->have_cur = 0;
	s->phase = PHASE_SKIP;
	s->file = f;
	s->in_part = 1;
	s->parts++;
}

void mapq__scan_part_select(mapq_scan *s, mapq_file *f, uint64_t start,
                            mapq__line_select select, void *ctx)
{
	part_reset(s, f);
	s->stream = 1;
	s->select = select;
	s->select_ctx = ctx;
	s->select_pos = start;
	mapq__scan_init(&s->in, f, start, MAPQ_SIZE_UNKNOWN, 0,
	                (s->flags | MAPQ_SCAN_LINES) &
	                        (MAPQ_SCAN_LINES | MAPQ_SCAN_KEEP));
}

void mapq__scan_part_range(mapq_scan *s, mapq_file *f, uint64_t start,
                           uint64_t end)
{
	part_reset(s, f);
	s->stream = 0;
	s->select = NULL;
	/* The start of an empty window is where it would be. */
	if (!s->start_known && (start < end || s->parts == 1)) {
		s->start = start;
		s->start_known = 1;
	}
	mapq__scan_init(&s->in, f, start, end, 0,
	                s->flags & (MAPQ_SCAN_LINES | MAPQ_SCAN_KEEP));
}

/* The next window of the part set up (0: the part is done). */
static int part_next(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	if (!s->stream)
		return mapq__scan_next(&s->in, win, err);
	return stream_next(s, win, err);
}

int mapq_scan_next(mapq_scan *s, mapq_view *win, mapq_error *err)
{
	if (s == NULL || win == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no scan or window");
	if (s->next_part == NULL)
		return part_next(s, win, err);
	for (;;) {
		if (s->in_part) {
			int rc = part_next(s, win, err);
			if (rc != 0)
				return rc;
		}
		/* The part is done (or none was set up): the next one. */
		int rc = s->next_part(s->part_ctx, s, err);
		if (rc <= 0)
			return rc;
	}
}

int mapq_scan_first_line(mapq_scan *s, uint64_t *line, mapq_error *err)
{
	if (s == NULL || line == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no scan");
	if (s->first_line == 0) {
		if (!s->start_known)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "%s: the scan has not started",
			                       mapq_file_name(s->file));
		uint64_t n = 0;
		int rc = s->start > 0 ? mapq_lines_count_newlines(s->file, 0,
		                                                  s->start, &n,
		                                                  err)
		                      : MAPQ_OK;
		if (rc != MAPQ_OK)
			return rc;
		s->first_line = n + 1;
	}
	*line = s->first_line;
	return MAPQ_OK;
}

/* The newlines and the last byte of one window of a scan, under the
 * guard when it is a mapping. */
static int scan_window_lines(const mapq_view *w, uint64_t *newlines, int *last,
                             mapq_error *err)
{
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, w->file))
		return mapq__guard_failed(&g, err);
	*newlines += mapq__count_newlines(w->data, w->size);
	if (w->size > 0)
		*last = w->data[w->size - 1];
	mapq__guard_pop(&g);
	return MAPQ_OK;
}

int mapq_scan_count_lines(mapq_scan *s, uint64_t *lines, mapq_error *err)
{
	if (s == NULL || lines == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no scan");
	uint64_t newlines = 0;
	int last = '\n';
	const mapq_file *file = NULL;
	mapq_view w;
	int rc;
	while ((rc = mapq_scan_next(s, &w, err)) > 0) {
		/* A file of a set that ends without a newline ends a line. */
		if (file != NULL && w.file != file && last != '\n')
			newlines++;
		file = w.file;
		if ((rc = scan_window_lines(&w, &newlines, &last, err)) < 0)
			break;
	}
	if (rc < 0)
		return rc;
	/* Data that does not end with a newline ends with a line. */
	*lines = newlines + (last != '\n');
	return MAPQ_OK;
}

int mapq_scan_start(const mapq_scan *s, uint64_t *start)
{
	if (s == NULL || start == NULL || !s->start_known)
		return MAPQ_EINVAL;
	*start = s->start;
	return MAPQ_OK;
}

void mapq_scan_destroy(mapq_scan *s)
{
	if (s == NULL)
		return;
	if (s->next_part == NULL || s->in_part)
		mapq__scan_finish(&s->in);
	if (s->part_free != NULL)
		s->part_free(s->part_ctx);
	free(s->tb);
	free(s);
}
