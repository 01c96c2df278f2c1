/*
 * grep_lines.c - which lines of a window are selected and which are
 * context, as GNU grep decides, one line at a time (a pull engine: it
 * keeps where it stands between calls, so a caller can stop after any
 * line and memory never holds more than the window).
 *
 * Invariants: `pos` is a line start of w (or w.size); the cached match
 * (m_ls, m_le) is the first matching line at or after pos; last_end is
 * the file offset just after the last line yielded, so before-context
 * never repeats a line and "--" can be decided by adjacency.
 *
 * A line ends with `eol`: '\n', or NUL for the records of
 * MAPQ_GREP_NULL_DATA; nothing else here knows the difference.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "grep_lines.h"
#include "input/input.h"
#include "lines.h"

void mapq__grep_engine_init(struct mapq__grep_engine *e)
{
	if (e->max_count == 0)
		e->max_count = UINT64_MAX;
	e->binary_offset = UINT64_MAX;
	e->eol = e->null_data ? '\0' : '\n';
}

void mapq__grep_engine_free(struct mapq__grep_engine *e)
{
	free(e->carry.buf);
	e->carry.buf = NULL;
	e->carry.len = e->carry.cap = 0;
	free(e->conv);
	e->conv = NULL;
	e->conv_cap = 0;
}

static uint64_t line_end(const unsigned char *d, uint64_t size, uint64_t from,
                         unsigned char eol)
{
	const unsigned char *nl = from < size ? memchr(d + from, eol, size - from)
	                                      : NULL;
	return nl != NULL ? (uint64_t)(nl - d) : size;
}

/* The number of the line starting at file offset `at` of w (at >= num_pos,
 * num_pos inside w or at its start, or where the carry/mapping is). */
static uint64_t number_at(struct mapq__grep_engine *e, uint64_t at)
{
	if (!(e->flags & MAPQ_GREP_NUMBERS))
		return 0;
	if (at > e->num_pos) {
		const unsigned char *p = e->w.data + (e->num_pos - e->w.offset);
		e->num_line += mapq__count_byte(p, at - e->num_pos, e->eol);
		e->num_pos = at;
	}
	return e->num_line;
}

/* Walk back from `first` (a line start of d) over up to `want` lines, not
 * below `floor`; returns the earliest start reached, the count in *n. */
static uint64_t walk_back(const unsigned char *d, uint64_t first, uint64_t floor,
                          uint64_t want, unsigned char eol, uint64_t *n)
{
	*n = 0;
	while (*n < want && first > floor) {
		/* The previous line ends with its eol byte at first - 1. */
		const unsigned char *nl =
		        first - 1 > floor
		                ? mapq__last_byte(d + floor, first - 1 - floor, eol)
		                : NULL;
		first = nl != NULL ? (uint64_t)(nl - d) + 1 : floor;
		(*n)++;
	}
	return first;
}

/*
 * Keep the last -B lines for the next window (streams): those of this
 * window, and when it holds fewer, the last ones of the carry before it.
 */
static void keep_carry(struct mapq__grep_engine *e)
{
	const mapq_view *w = &e->w;
	struct mapq__grep_carry *c = &e->carry;
	uint64_t n = 0;
	uint64_t start = walk_back(w->data, w->size, 0, e->before, e->eol, &n);
	uint64_t keep = 0; /* bytes of the old carry kept */
	if (start == 0 && n < e->before && c->len > 0 &&
	    c->abs + c->len == w->offset) {
		uint64_t cn;
		keep = c->len - walk_back(c->buf, c->len, 0, e->before - n, e->eol,
		                          &cn);
	}
	size_t len = (size_t)(keep + w->size - start);
	if (keep > 0)
		memmove(c->buf, c->buf + (c->len - keep), (size_t)keep);
	if (mapq__buf_grow(&c->buf, &c->cap, len, NULL, NULL) != 0) {
		c->len = 0; /* context is lost, not the search */
		return;
	}
	memcpy(c->buf + keep, w->data + start, (size_t)(w->size - start));
	c->abs = w->offset + start - keep;
	c->len = len;
}

/* The window is walked: number its rest, keep its tail for -B. */
static void finish_window(struct mapq__grep_engine *e)
{
	if (!e->window_open)
		return;
	e->window_open = 0;
	number_at(e, e->w.offset + e->w.size);
	if (e->before > 0 && e->mapped == NULL &&
	    !(e->flags & MAPQ_GREP_COUNT_ONLY) && !e->done)
		keep_carry(e);
}

/*
 * convert_nul: a window holding a NUL is walked in a copy where every NUL
 * is '\n', so that the search, the line ends and the numbers all see the
 * same lines.  The copy is made after finish_window() kept the previous
 * one's tail; lines yielded from it are valid until the next feed.
 */
static void convert_window(struct mapq__grep_engine *e, const unsigned char *z)
{
	mapq_view *w = &e->w;
	if (e->binary_offset == UINT64_MAX)
		e->binary_offset = w->offset + (uint64_t)(z - w->data);
	if (mapq__buf_grow(&e->conv, &e->conv_cap, (size_t)w->size, NULL, NULL) != 0) {
		e->conv_failed = 1;
		return;
	}
	memcpy(e->conv, w->data, (size_t)w->size);
	for (unsigned char *p = e->conv + (z - w->data); p != NULL;
	     p = memchr(p, '\0', (size_t)(e->conv + w->size - p)))
		*p = '\n';
	w->data = e->conv;
}

void mapq__grep_engine_feed(struct mapq__grep_engine *e, const mapq_view *w)
{
	finish_window(e);
	e->w = *w;
	if (e->convert_nul && w->size > 0) {
		const unsigned char *z = memchr(w->data, '\0', w->size);
		if (z != NULL)
			convert_window(e, z);
	}
	e->pos = 0;
	e->have_match = 0;
	e->window_open = 1;
	if (e->detect_binary && !e->binary) {
		const unsigned char *z = memchr(w->data, '\0', w->size);
		if (z != NULL) {
			e->binary = 1;
			e->binary_offset = w->offset + (uint64_t)(z - w->data);
			if (e->binary_no_match) {
				e->binary_skip = 1;
				e->done = 1;
			}
		}
	}
}

void mapq__grep_engine_trail(struct mapq__grep_engine *e, uint64_t n)
{
	e->trailing = 1;
	e->after_left = n;
}

/*
 * Plan the -B lines before the selected line at ls of w: those after the
 * last line yielded, from w, then from the bytes before w (the mapping or
 * the carry).  They are yielded first, then the selected line.
 */
static void plan_before(struct mapq__grep_engine *e, uint64_t ls)
{
	const mapq_view *w = &e->w;
	uint64_t want = e->before;
	uint64_t last = e->have_last ? e->last_end : 0;
	uint64_t floor = last > w->offset ? last - w->offset : 0;
	uint64_t n = 0, cn = 0;
	uint64_t first = walk_back(w->data, ls, floor, want, e->eol, &n);

	e->pend_in_window = 1;
	e->pend_base = w->data;
	e->pend_abs = w->offset;
	e->pend_len = ls;
	e->pend_pos = first;
	if (n < want && first == 0 && last <= w->offset) {
		/* The region before w: the mapping down to lo, or the carry
		 * when it ends where w starts. */
		const unsigned char *base = NULL;
		uint64_t abs = 0, len = 0;
		if (e->mapped != NULL && w->offset > e->lo) {
			abs = e->lo;
			base = e->mapped + abs;
			len = w->offset - abs;
		} else if (e->mapped == NULL && e->carry.len > 0 &&
		           e->carry.abs + e->carry.len == w->offset) {
			abs = e->carry.abs;
			base = e->carry.buf;
			len = e->carry.len;
		}
		if (base != NULL) {
			uint64_t cfloor = last > abs ? last - abs : 0;
			uint64_t cfirst =
			        walk_back(base, len, cfloor, want - n, e->eol, &cn);
			if (cn > 0) {
				e->pend_in_window = 0;
				e->pend_base = base;
				e->pend_abs = abs;
				e->pend_len = len;
				e->pend_pos = cfirst;
			}
		}
	}
	e->pend_k = n + cn;
}

/* Fill *l with the line [ls, le) of the region (base, abs, size). */
static void make_line(struct mapq__grep_line *l, int kind,
                      const unsigned char *base, uint64_t abs, uint64_t size,
                      uint64_t ls, uint64_t le, uint64_t number)
{
	l->kind = kind;
	l->leads = 0;
	l->binary = 0;
	l->line = base + ls;
	l->length = le - ls;
	l->newline = le < size;
	l->offset = abs + ls;
	l->number = number;
}

static void yielded(struct mapq__grep_engine *e, const struct mapq__grep_line *l)
{
	e->have_last = 1;
	e->last_end = l->offset + l->length + 1;
}

/* A context line of w at pos (after-context or trailing context). */
static int context_at_pos(struct mapq__grep_engine *e, struct mapq__grep_line *l)
{
	uint64_t le = line_end(e->w.data, e->w.size, e->pos, e->eol);
	make_line(l, MAPQ_GREP_CONTEXT, e->w.data, e->w.offset, e->w.size, e->pos,
	          le, number_at(e, e->w.offset + e->pos));
	e->after_left--;
	e->pos = le + 1;
	yielded(e, l);
	return 1;
}

/* Select the line [ls, le) of w.  Returns 1 when a line is to be yielded
 * (pending), 0 when it was only counted. */
static int select_line(struct mapq__grep_engine *e, uint64_t ls, uint64_t le)
{
	const mapq_view *w = &e->w;
	if (e->stop_at_select) {
		/* An extension past a piece: the next piece selects it. */
		e->done = 1;
		return 0;
	}
	e->selected++;
	e->selected_end = w->offset + le + (le < w->size);
	e->pos = le + 1;
	if (e->flags & MAPQ_GREP_COUNT_ONLY) {
		if (e->selected >= e->max_count)
			e->done = 1;
		return 0;
	}
	e->pending = 1;
	e->sel_ls = ls;
	e->sel_le = le;
	e->sel_number = number_at(e, w->offset + ls);
	if ((e->flags & MAPQ_GREP_NUMBERS) && le < w->size) {
		/* Its line end is known: numbering goes on after it, not
		 * through it again. */
		e->num_pos = w->offset + le + 1;
		e->num_line++;
	}
	e->pend_k = 0;
	if (e->binary) {
		/* A selected line in binary data: the search ends here,
		 * without its context. */
		e->binary_match = 1;
		e->done = 1;
	} else if (e->before > 0) {
		plan_before(e, ls);
	}
	return 1;
}

/* Yield the next pending line: before-context, then the selected one. */
static int next_pending(struct mapq__grep_engine *e, struct mapq__grep_line *l)
{
	if (e->pend_k > 0) {
		uint64_t limit = e->pend_len;
		uint64_t le = line_end(e->pend_base, limit, e->pend_pos, e->eol);
		make_line(l, MAPQ_GREP_CONTEXT, e->pend_base, e->pend_abs,
		          e->pend_in_window ? e->w.size : limit + 1, e->pend_pos,
		          le,
		          (e->flags & MAPQ_GREP_NUMBERS) ? e->sel_number - e->pend_k
		                                         : 0);
		/* Lines of the region before w all end with their eol byte. */
		l->newline = 1;
		l->leads = 1;
		e->pend_k--;
		e->pend_pos = le + 1;
		if (e->pend_k > 0 && e->pend_pos >= e->pend_len &&
		    !e->pend_in_window) {
			/* On from the region before w into w. */
			e->pend_in_window = 1;
			e->pend_base = e->w.data;
			e->pend_abs = e->w.offset;
			e->pend_len = e->sel_ls;
			e->pend_pos = 0;
		}
		yielded(e, l);
		return 1;
	}
	e->pending = 0;
	make_line(l, MAPQ_GREP_SELECTED, e->w.data, e->w.offset, e->w.size,
	          e->sel_ls, e->sel_le, e->sel_number);
	if (e->binary_match) {
		l->binary = 1;
		return 1;
	}
	yielded(e, l);
	e->after_left = e->after;
	if (e->selected >= e->max_count) {
		/* Stop reading as soon as nothing more is owed (a stream
		 * must not wait for data that cannot change the answer). */
		if (e->trail_at_max && e->after > 0)
			e->trailing = 1;
		else
			e->done = 1;
	}
	return 1;
}

int mapq__grep_engine_next(struct mapq__grep_engine *e,
                           struct mapq__grep_line *l, mapq_error *err)
{
	if (e->conv_failed)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	for (;;) {
		if (e->pending)
			return next_pending(e, l);
		if (e->done)
			return 0;
		const mapq_view *w = &e->w;
		if (e->trailing && e->after_left == 0) {
			e->done = 1;
			return 0;
		}
		if (e->pos >= w->size) {
			finish_window(e);
			return 0;
		}
		if (e->trailing)
			return context_at_pos(e, l);
		if (!e->have_match) {
			mapq_match m;
			int rc = mapq_search_next_line(e->search, w, e->pos, &m, err);
			if (rc < 0)
				return rc;
			e->m_ls = rc == 1 ? m.line_start : w->size;
			e->m_le = rc == 1 ? m.line_end : w->size;
			e->have_match = 1;
		}
		int invert = (e->flags & MAPQ_GREP_INVERT) != 0;
		if (e->pos < e->m_ls) {
			/* Lines that do not match, up to the next that does. */
			if (invert) {
				uint64_t le = line_end(w->data, w->size, e->pos, e->eol);
				select_line(e, e->pos, le);
				continue;
			}
			if (e->after_left > 0)
				return context_at_pos(e, l);
			e->pos = e->m_ls;
			continue;
		}
		/* pos is the matching line. */
		e->have_match = 0;
		if (!invert) {
			select_line(e, e->m_ls, e->m_le);
			continue;
		}
		if (e->after_left > 0)
			return context_at_pos(e, l);
		e->pos = e->m_le + 1;
	}
}

/* ---- NUL-terminated records from a scan ------------------------------- */

void mapq__grep_records_free(struct mapq__grep_records *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

int mapq__grep_records_range(struct mapq__grep_records *r, mapq_file *f,
                             const mapq_range *range, mapq_error *err)
{
	r->first = 0;
	r->last = UINT64_MAX;
	if (range == NULL)
		return MAPQ_OK;
	unsigned fl = range->flags;
	if (mapq__file_random_access(f)) {
		int rc = mapq_range_resolve(f, range, MAPQ_RESOLVE_DEFAULT,
		                            &r->first, &r->last, err);
		if (rc != MAPQ_OK)
			return rc;
	} else if (fl & (MAPQ_RANGE_START_NEG | MAPQ_RANGE_END_NEG)) {
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: a byte range counted from the end "
		                       "needs a file, not a stream, with "
		                       "NUL-terminated records",
		                       mapq_file_name(f));
	} else {
		r->first = (fl & MAPQ_RANGE_HAS_START) ? range->start : 0;
		if (!(fl & MAPQ_RANGE_HAS_END))
			r->last = UINT64_MAX;
		else if (!(fl & MAPQ_RANGE_END_COUNT))
			r->last = range->end;
		else
			r->last = range->end > UINT64_MAX - r->first
			                  ? UINT64_MAX
			                  : r->first + range->end;
	}
	if (r->last < r->first)
		r->last = r->first;
	r->done = r->last == r->first;
	return MAPQ_OK;
}

/*
 * Cut *v (whole records, starting at a record start) down to the records
 * that start in [first, last).  A record starts at `first` when the byte
 * before it ends a record: the first kept one follows the first line end
 * at or after first - 1.  Records dropped before `first` are counted.
 */
static void records_trim(struct mapq__grep_records *r, mapq_view *v)
{
	const unsigned char *d = v->data;
	uint64_t o = v->offset, n = v->size;
	if (o < r->first) {
		uint64_t from = r->first - 1 - o;
		const unsigned char *nl =
		        from < n ? memchr(d + from, r->eol, (size_t)(n - from))
		                 : NULL;
		uint64_t cut = nl != NULL ? (uint64_t)(nl - d) + 1 : n;
		r->skipped += mapq__count_byte(d, cut, r->eol);
		d += cut;
		o += cut;
		n -= cut;
	}
	if (r->last != UINT64_MAX && o + n >= r->last) {
		/* The records that start from `last` on are not selected, and
		 * nothing after them is needed. */
		r->done = 1;
		if (o >= r->last) {
			n = 0;
		} else {
			uint64_t from = r->last - 1 - o;
			const unsigned char *nl =
			        memchr(d + from, r->eol, (size_t)(n - from));
			if (nl != NULL)
				n = (uint64_t)(nl - d) + 1;
		}
	}
	v->data = d;
	v->offset = o;
	v->size = n;
}

static int records_keep(struct mapq__grep_records *r, const unsigned char *p,
                        uint64_t n, mapq_error *err)
{
	int rc = mapq__buf_grow(&r->buf, &r->cap, r->len + (size_t)n,
	                        mapq_file_name(r->in.file), err);
	if (rc != MAPQ_OK)
		return rc;
	memcpy(r->buf + r->len, p, (size_t)n);
	r->len += (size_t)n;
	return MAPQ_OK;
}

int mapq__grep_records_next(struct mapq__grep_records *r, mapq_view *out,
                            mapq_error *err)
{
	for (;;) {
		if (r->handed_buf) {
			r->handed_buf = 0;
			r->len = 0;
		}
		if (r->done)
			return 0;
		mapq_view v;
		if (!r->have_in || r->used == r->in.size) {
			int rc = mapq_scan_next(r->scan, &r->in, err);
			if (rc < 0)
				return rc;
			r->have_in = rc == 1;
			r->used = 0;
			if (rc == 0) {
				/* The data ended: a last record without its
				 * NUL, if any. */
				r->done = 1;
				if (r->len == 0)
					return 0;
				v = (mapq_view){r->buf, r->len, r->abs, r->in.file};
				r->handed_buf = 1;
				records_trim(r, &v);
				goto hand;
			}
		}
		const unsigned char *p = r->in.data + r->used;
		uint64_t avail = r->in.size - r->used;
		uint64_t pos = r->in.offset + r->used;
		if (r->len > 0) {
			/* A record begun earlier: up to its end. */
			const unsigned char *nl = memchr(p, r->eol, (size_t)avail);
			uint64_t take = nl != NULL ? (uint64_t)(nl - p) + 1 : avail;
			int rc = records_keep(r, p, take, err);
			if (rc != MAPQ_OK)
				return rc;
			r->used += take;
			if (nl == NULL)
				continue;
			v = (mapq_view){r->buf, r->len, r->abs, r->in.file};
			r->handed_buf = 1;
		} else {
			const unsigned char *nl = memrchr(p, r->eol, (size_t)avail);
			if (nl == NULL) {
				int rc = records_keep(r, p, avail, err);
				if (rc != MAPQ_OK)
					return rc;
				r->abs = pos;
				r->used += avail;
				continue;
			}
			uint64_t take = (uint64_t)(nl - p) + 1;
			v = (mapq_view){p, take, pos, r->in.file};
			r->used += take;
		}
		records_trim(r, &v);
	hand:
		if (v.size == 0)
			continue;
		if (!r->started) {
			r->started = 1;
			r->start = v.offset;
		}
		*out = v;
		return 1;
	}
}

/* ---- spans ------------------------------------------------------------ */

static int add_span(mapq_grep_span **spans, size_t *n, size_t *cap,
                    uint64_t start, uint64_t end, mapq_error *err)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		mapq_grep_span *p = realloc(*spans, c * sizeof *p);
		if (p == NULL)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		*spans = p;
		*cap = c;
	}
	(*spans)[*n].start = start;
	(*spans)[*n].end = end;
	(*n)++;
	return 0;
}

/*
 * The next non-empty match at or after *pos, as GNU grep walks them: an
 * empty match is stepped over one byte at a time and never reported.  (With
 * several patterns, the matcher answers an empty match only where no
 * pattern has a non-empty one.)
 */
static int next_nonempty(mapq_search *s, const mapq_view *v, uint64_t *pos,
                         mapq_match *m, mapq_error *err)
{
	while (*pos < v->size) {
		int rc = mapq_search_next_in_line(s, v, 0, v->size, *pos, 0, m, err);
		if (rc <= 0)
			return rc;
		if (m->end > m->start) {
			*pos = m->end;
			return 1;
		}
		*pos = m->end + 1;
	}
	return 0;
}

int mapq__grep_spans(mapq_search *s, const unsigned char *line, uint64_t len,
                     unsigned flags, mapq_grep_span **spans,
                     size_t *n, size_t *cap, mapq_error *err)
{
	mapq_view v = {line, len, 0, NULL};
	mapq_match m;
	uint64_t pos = 0;
	size_t found = 0;
	int rc;
	if (flags & MAPQ_GREP_SPANS_ALL) {
		/* ripgrep: empty matches count, but not one right where a
		 * non-empty match ended; after an empty one, one byte on. */
		int after_match = 0;
		while (pos <= len) {
			rc = mapq_search_next_in_line(s, &v, 0, len, pos, after_match,
			                              &m, err);
			if (rc <= 0)
				return rc < 0 ? rc : (int)found;
			if ((rc = add_span(spans, n, cap, m.start, m.end, err)) < 0)
				return rc;
			found++;
			after_match = m.end > m.start;
			pos = m.end + (m.end > m.start ? 0 : 1);
		}
		return (int)found;
	}
	while ((rc = next_nonempty(s, &v, &pos, &m, err)) == 1) {
		if ((rc = add_span(spans, n, cap, m.start, m.end, err)) < 0)
			return rc;
		found++;
	}
	return rc < 0 ? rc : (int)found;
}
