/*
 * bisect.c - binary search over a file sorted by a key: the first line
 * whose key is >= a bound, and lines sampled across the file, on a mapped
 * plain file (through the mapping) or a seekable zstd file (frame by
 * frame).  Windows and their checks are window.c's.
 *
 * The search bisects byte offsets, not line numbers (which nothing knows
 * without reading the file): a probe at a byte snaps back to the start of
 * its line with memrchr and reads that one line with memchr, so a search
 * over n bytes reads O(log n) lines, each from one or two pages.  Every
 * line probed is recorded, for window.c to check their order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "input/input.h"
#include "bisect.h"
#include "range_scan.h"

/* Name the file and the line in a regex failure reported by extract. */
int mapq__key_failed(mapq_error *err, int rc, mapq_file *f, uint64_t at)
{
	if (err == NULL)
		return rc;
	char why[256];
	snprintf(why, sizeof why, "%.200s", err->msg);
	return mapq__error_set(err, rc, 0, "%s: line at byte %llu: %s",
	                       mapq_file_name(f), (unsigned long long)at, why);
}

/*
 * The first keyed line starting in [t, hi) of a view's data, from t (a
 * line start; the line is read to its end, wherever that is).  1 with *kv, *t moved to it and *next after it; 0 when
 * there is none; or an error.
 */
static int view_keyed(const mapq_view *view, mapq_key *key, uint64_t hi,
                      uint64_t *t, uint64_t *next, struct mapq__kv *kv,
                      mapq_error *err)
{
	const unsigned char *d = view->data;
	/* Lines start before hi but are read whole (hi may cut one). */
	for (uint64_t at = *t; at < hi;) {
		const unsigned char *nl = memchr(d + at, '\n',
		                                 (size_t)(view->size - at));
		uint64_t e = nl != NULL ? (uint64_t)(nl - d) : view->size;
		uint64_t after = nl != NULL ? e + 1 : view->size;
		int rc = mapq__key_value(key, d + at, e - at, kv, err);
		if (rc != MAPQ_OK)
			return mapq__key_failed(err, rc, view->file, at);
		if (kv->keyed) {
			*t = at;
			*next = after;
			return 1;
		}
		at = after;
	}
	return 0;
}

/* The start of the line holding byte `at` of the view, not before lo. */
static uint64_t view_line_start(const mapq_view *view, uint64_t lo, uint64_t at)
{
	const unsigned char *nl = memrchr(view->data + lo, '\n', (size_t)(at - lo));
	return nl != NULL ? (uint64_t)(nl - view->data) + 1 : lo;
}

/*
 * The search proper, on a mapped view; reads mapped bytes, so
 * mapq__view_bisect runs it under the guard.
 *
 * Invariant, for a sorted view: every line before lo is < bound; every
 * line in [hi, res) is < bound (they have no key) and the line at res is
 * >= bound, or res is the end.  So the answer is the first line >= bound
 * in [lo, hi) if there is one, else res.  lo, hi and res are line starts
 * (or the end).  Each turn moves lo up or hi down, past the probe.
 */
static int search(const mapq_view *view, mapq_key *key,
                  const struct mapq__bound *b, uint64_t lo,
                  struct mapq__probes *log, uint64_t *offset, mapq_error *err)
{
	uint64_t hi = view->size, res = view->size;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t s = view_line_start(view, lo, mid);
		/* Probe the first line with a key at or after s (keyless
		 * lines belong with the keyed line before them). */
		uint64_t t = s, next = s;
		struct mapq__kv kv;
		int rc = view_keyed(view, key, hi, &t, &next, &kv, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			hi = s; /* [s, hi) holds no key at all */
			continue;
		}
		mapq__probes_add(log, view->offset + t, &kv);
		if (mapq__kv_ge(key, &kv, b)) {
			res = t;
			hi = s;
		} else {
			lo = next;
		}
	}
	*offset = res;
	return MAPQ_OK;
}

int mapq__view_bisect(const mapq_view *view, mapq_key *key,
                      const struct mapq__bound *b, uint64_t lo,
                      struct mapq__probes *log, uint64_t *offset,
                      mapq_error *err)
{
	if (view == NULL || view->file == NULL || b == NULL || offset == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view or bound");
	const uint64_t first = lo < view->size ? lo : view->size;
	/* Every key, even an empty one, is >= the empty bound. */
	if (!mapq__key_is_time(key) && !b->none && b->n == 0) {
		*offset = first;
		return MAPQ_OK;
	}
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	int rc = search(view, key, b, first, log, offset, err);
	mapq__guard_pop(&g);
	return rc;
}

/* `count` lines spread over a mapped view, under the guard. */
static int view_sample(const mapq_view *view, mapq_key *key, unsigned count,
                       struct mapq__probes *log, mapq_error *err)
{
	if (view->size == 0)
		return MAPQ_OK;
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	int rc = MAPQ_OK;
	for (unsigned i = 0; i <= count && rc >= 0; i++) {
		/* The last sample is the last line. */
		uint64_t at = i < count ? view->size / count * i : view->size - 1;
		uint64_t t = view_line_start(view, 0, at), next;
		uint64_t hi = i < count ? view->size / count * (i + 1) : view->size;
		if (hi <= t)
			hi = view->size;
		struct mapq__kv kv;
		rc = view_keyed(view, key, hi, &t, &next, &kv, err);
		if (rc == 1)
			mapq__probes_add(log, view->offset + t, &kv);
	}
	mapq__guard_pop(&g);
	return rc < 0 ? rc : MAPQ_OK;
}

/*
 * Walk the lines that start in [from, hi) of f through a scan (windows end
 * after a newline, so lines are whole; hi need not be a line start), from
 * the first line start at or after `from`, until the first line that has
 * a key.  Returns 1 with *t (its start), *next (the start of
 * the line after it) and *ge (its key >= bound), 0 when no such line
 * starts before hi, or an error.  The windows are decompressed bytes, not
 * the mapping: no guard is needed for compressed input, and plain input
 * does not come here.
 */
static int file_lines(mapq_file *f, mapq_key *key, const struct mapq__bound *b,
                      struct mapq__probes *log, uint64_t from, uint64_t hi,
                      uint64_t *t, uint64_t *next, int *ge, mapq_error *err)
{
	struct mapq__scan s;
	/* Start one byte early: a line starts at `from` exactly when the
	 * byte before it is a newline. */
	int skip = from > 0;
	/* The scan runs to the data's end, not to hi: hi need not be a line
	 * start, and the last line starting before it must be read whole. */
	mapq__scan_init(&s, f, skip ? from - 1 : 0, MAPQ_SIZE_UNKNOWN, 64 << 10,
	                MAPQ_SCAN_LINES);
	mapq_view w;
	int rc, found = 0;
	while (!found && (rc = mapq__scan_next(&s, &w, err)) > 0) {
		const unsigned char *p = w.data, *end = w.data + w.size;
		if (skip) {
			const unsigned char *nl = memchr(p, '\n', w.size);
			if (nl == NULL)
				continue; /* still inside the line at from - 1 */
			p = nl + 1;
			skip = 0;
		}
		while (p < end) {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			const unsigned char *e = nl != NULL ? nl : end;
			uint64_t at = w.offset + (uint64_t)(p - w.data);
			if (at >= hi)
				goto done; /* rc is 1: a window, no line found */
			struct mapq__kv kv;
			rc = mapq__key_value(key, p, (uint64_t)(e - p), &kv, err);
			if (rc != MAPQ_OK) {
				rc = mapq__key_failed(err, rc, f, at);
				goto done;
			}
			p = nl != NULL ? nl + 1 : end;
			if (!kv.keyed)
				continue;
			mapq__probes_add(log, at, &kv);
			*ge = mapq__kv_ge(key, &kv, b);
			*t = at;
			*next = w.offset + (uint64_t)(p - w.data);
			found = 1;
			break;
		}
	}
done:
	mapq__scan_finish(&s);
	return rc < 0 ? rc : found;
}

/*
 * One decoded frame kept between probes: the first window of a scan from
 * the frame's start, as long as the frame, ending after its last newline
 * (lines that run into the next frame are not in it).
 */
struct frame_cache {
	struct mapq__scan s;
	mapq_view w;
	uint64_t frame; /* the frame held, when live */
	int live;
};

static void cache_drop(struct frame_cache *c)
{
	if (c->live)
		mapq__scan_finish(&c->s);
	c->live = 0;
}

static int cache_fill(struct frame_cache *c, mapq_file *f, uint64_t frame,
                      mapq_error *err)
{
	cache_drop(c);
	const struct mapq__seek_table *t = mapq__file_seek_table(f);
	uint64_t len = t->dec[frame + 1] - t->dec[frame];
	mapq__scan_init(&c->s, f, t->dec[frame], MAPQ_SIZE_UNKNOWN,
	                len > 4096 ? len : 4096, MAPQ_SCAN_LINES);
	c->live = 1;
	c->frame = frame;
	int rc = mapq__scan_next(&c->s, &c->w, err);
	if (rc <= 0) {
		cache_drop(c);
		/* Frames found by offset hold data: 0 cannot happen. */
		return rc < 0 ? rc
		              : mapq__error_set(err, MAPQ_EINVAL, 0,
		                                "%s: frame %llu has no data",
		                                mapq_file_name(f), (unsigned long long)frame);
	}
	return MAPQ_OK;
}

/* file_lines() answered from the cached frame: 1 or 0 as file_lines, an
 * error, or 2 when the cache does not hold what the probe needs. */
static int cache_lines(struct frame_cache *c, mapq_file *f, mapq_key *key,
                       const struct mapq__bound *b, struct mapq__probes *log,
                       uint64_t from, uint64_t hi, uint64_t *t, uint64_t *next,
                       int *ge, mapq_error *err)
{
	const mapq_view *w = &c->w;
	uint64_t wend = w->offset + w->size;
	/* The byte before `from` tells whether a line starts there. */
	if (from <= w->offset || from > wend)
		return 2;
	const unsigned char *d = w->data;
	const unsigned char *nl = memchr(d + (from - 1 - w->offset), '\n',
	                                 (size_t)(wend - (from - 1)));
	if (nl == NULL)
		return 2;
	const unsigned char *p = nl + 1, *end = d + w->size;
	int at_data_end = wend == mapq__data_size(f);
	for (;;) {
		uint64_t at = w->offset + (uint64_t)(p - d);
		if (at >= hi)
			return 0;
		if (p == end)
			return at_data_end ? 0 : 2;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL && !at_data_end)
			return 2; /* the line goes on in the next frame */
		const unsigned char *e = nl != NULL ? nl : end;
		struct mapq__kv kv;
		int rc = mapq__key_value(key, p, (uint64_t)(e - p), &kv, err);
		if (rc != MAPQ_OK)
			return mapq__key_failed(err, rc, f, at);
		p = nl != NULL ? nl + 1 : end;
		if (!kv.keyed)
			continue;
		mapq__probes_add(log, at, &kv);
		*ge = mapq__kv_ge(key, &kv, b);
		*t = at;
		*next = w->offset + (uint64_t)(p - d);
		return 1;
	}
}

/*
 * mapq__view_bisect for a seekable file: the same invariant as search(), but a
 * probe looks forward from mid (to the first keyed line starting at or
 * after it) instead of back to the start of mid's line, because reading
 * backward across frames would mean decompressing the frame before.  Any
 * mid in [lo, hi) keeps the invariant, so mid is chosen for cost: while
 * [lo, hi) spans frames, just after the start of a frame in the middle of
 * them (the probe then decodes the frame's first block, not half of it);
 * once two probes in a row fall in one frame, that frame is decoded once
 * and later probes in it read the decoded bytes.  A search so costs about
 * log2(frames) short probes and one or two whole frames.
 */
static int seekable_search(mapq_file *f, mapq_key *key,
                           const struct mapq__bound *b, uint64_t lo,
                           struct mapq__probes *log, uint64_t *offset,
                           mapq_error *err)
{
	const struct mapq__seek_table *tab = mapq__file_seek_table(f);
	uint64_t size = mapq__data_size(f);
	uint64_t hi = size, res = size;
	struct frame_cache c = {.live = 0};
	uint64_t last_frame = UINT64_MAX;
	int rc = MAPQ_OK;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t fl = mapq__seek_table_find(tab, lo);
		uint64_t fh = mapq__seek_table_find(tab, hi - 1);
		if (fh > fl) {
			uint64_t k = fl + 1 + (fh - fl - 1) / 2;
			if (tab->dec[k] + 1 < hi)
				mid = tab->dec[k] + 1;
		}
		uint64_t fm = mapq__seek_table_find(tab, mid);
		if (fm == last_frame && (!c.live || c.frame != fm) &&
		    (rc = cache_fill(&c, f, fm, err)) != MAPQ_OK)
			break;
		last_frame = fm;
		uint64_t t = 0, next = 0;
		int ge = 0;
		rc = 2;
		if (c.live && c.frame == fm)
			rc = cache_lines(&c, f, key, b, log, mid, hi, &t, &next,
			                 &ge, err);
		if (rc == 2)
			rc = file_lines(f, key, b, log, mid, hi, &t, &next, &ge,
			                err);
		if (rc < 0)
			break;
		if (rc == 0) {
			hi = mid; /* no keyed line starts in [mid, hi) */
		} else if (ge) {
			res = t; /* lines in [mid, t) have no key */
			hi = mid;
		} else {
			lo = next;
		}
		rc = MAPQ_OK;
	}
	cache_drop(&c);
	*offset = res;
	return rc;
}

int mapq__bisectable(mapq_file *f)
{
	return mapq__file_mapped_plain(f) ||
	       mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_SEEKABLE;
}

int mapq__bisect(mapq_file *f, mapq_key *key, const struct mapq__bound *b,
                 uint64_t lo, struct mapq__probes *log, uint64_t *offset,
                 mapq_error *err)
{
	if (mapq__file_mapped_plain(f)) {
		mapq_view view;
		int rc = mapq_file_view(f, &view, err);
		if (rc != MAPQ_OK)
			return rc;
		return mapq__view_bisect(&view, key, b, lo, log, offset, err);
	}
	uint64_t size = mapq__data_size(f);
	if (lo > size)
		lo = size;
	if (!mapq__key_is_time(key) && !b->none && b->n == 0) {
		*offset = lo;
		return MAPQ_OK;
	}
	return seekable_search(f, key, b, lo, log, offset, err);
}

int mapq__bisect_sample(mapq_file *f, mapq_key *key, unsigned count,
                        struct mapq__probes *log, mapq_error *err)
{
	if (mapq__file_mapped_plain(f)) {
		mapq_view view;
		int rc = mapq_file_view(f, &view, err);
		if (rc != MAPQ_OK)
			return rc;
		return view_sample(&view, key, count, log, err);
	}
	/* A seekable file: the first keyed line of frames spread over it,
	 * each read from its frame's start (a probe decodes a block). */
	const struct mapq__seek_table *tab = mapq__file_seek_table(f);
	uint64_t size = mapq__data_size(f);
	if (tab->n == 0 || size == 0)
		return MAPQ_OK;
	struct mapq__bound none = {.none = 1};
	uint64_t prev = UINT64_MAX;
	for (unsigned i = 0; i <= count; i++) {
		uint64_t k = (tab->n - 1) * i / count;
		if (k == prev)
			continue;
		prev = k;
		uint64_t t, next;
		int ge;
		int rc = file_lines(f, key, &none, log, tab->dec[k], size, &t,
		                    &next, &ge, err);
		if (rc < 0)
			return rc;
	}
	return MAPQ_OK;
}
