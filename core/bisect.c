/*
 * bisect.c - keys of lines, and binary search over a file sorted by them.
 *
 * The search bisects byte offsets, not line numbers (which nothing knows
 * without reading the file): a probe at a byte snaps back to the start of
 * its line with memrchr and reads that one line with memchr, so a search
 * over n bytes reads O(log n) lines, each from one or two pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/error.h"
#include "input/input.h"
#include "bisect.h"
#include "lines.h"
#include "range_scan.h"

struct mapq_key {
	mapq_key_type type;
	uint64_t field;
	int delim;
	pcre2_code *code;
	pcre2_match_data *match;
	uint32_t group; /* the ovector pair that holds the key: 1, or 0 */
};

int mapq_key_create(mapq_key **out, const mapq_key_spec *spec, mapq_error *err)
{
	if (out == NULL || spec == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no key spec");
	*out = NULL;
	switch (spec->type) {
	case MAPQ_KEY_LINE:
		break;
	case MAPQ_KEY_FIELD:
		if (spec->field == 0)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "invalid field number 0: fields "
			                       "are numbered from 1");
		if (spec->delim < MAPQ_KEY_BLANKS || spec->delim > 255)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "invalid field delimiter %d",
			                       spec->delim);
		break;
	case MAPQ_KEY_REGEX:
		if (spec->regex == NULL)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "no key regex");
		break;
	default:
		return mapq__error_set(err, MAPQ_EINVAL, 0, "unknown key type %d",
		                       (int)spec->type);
	}

	mapq_key *k = calloc(1, sizeof *k);
	if (k == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	k->type = spec->type;
	k->field = spec->field;
	k->delim = spec->delim;
	if (k->type == MAPQ_KEY_REGEX) {
		int code;
		PCRE2_SIZE at;
		/* Lines are UTF-8 by default, but a byte that is not valid
		 * UTF-8 must never be an error: it just cannot match. */
		k->code = pcre2_compile((PCRE2_SPTR)spec->regex,
		                        PCRE2_ZERO_TERMINATED,
		                        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
		                        &at, NULL);
		if (k->code == NULL) {
			PCRE2_UCHAR why[256];
			pcre2_get_error_message(code, why, sizeof why);
			mapq__error_set(err, MAPQ_EINVAL, 0,
			                "invalid key regex '%s': %s at offset %zu",
			                spec->regex, (const char *)why, (size_t)at);
			mapq_key_destroy(k);
			return MAPQ_EINVAL;
		}
		/* Without JIT support the interpreter does the same work. */
		pcre2_jit_compile(k->code, PCRE2_JIT_COMPLETE);
		uint32_t groups = 0;
		pcre2_pattern_info(k->code, PCRE2_INFO_CAPTURECOUNT, &groups);
		k->group = groups > 0 ? 1 : 0;
		k->match = pcre2_match_data_create_from_pattern(k->code, NULL);
		if (k->match == NULL) {
			mapq_key_destroy(k);
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		}
	}
	*out = k;
	return MAPQ_OK;
}

void mapq_key_destroy(mapq_key *key)
{
	if (key == NULL)
		return;
	pcre2_match_data_free(key->match);
	pcre2_code_free(key->code);
	free(key);
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Field `n` of [p, end): runs of blanks separate, leading ones skipped. */
static void field_blanks(const unsigned char *p, const unsigned char *end,
                         uint64_t n, const unsigned char **kp, uint64_t *klen)
{
	for (uint64_t i = 1;; i++) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		const unsigned char *start = p;
		while (p < end && !is_blank(*p))
			p++;
		if (i == n) {
			*kp = start;
			*klen = (uint64_t)(p - start);
			return;
		}
	}
	*kp = end;
	*klen = 0;
}

/* Field `n` of [p, end): every `delim` separates two fields. */
static void field_delim(const unsigned char *p, const unsigned char *end,
                        uint64_t n, int delim, const unsigned char **kp,
                        uint64_t *klen)
{
	for (uint64_t i = 1; i < n; i++) {
		const unsigned char *d = memchr(p, delim, (size_t)(end - p));
		if (d == NULL) {
			*kp = end;
			*klen = 0;
			return;
		}
		p = d + 1;
	}
	const unsigned char *d = memchr(p, delim, (size_t)(end - p));
	*kp = p;
	*klen = (uint64_t)((d != NULL ? d : end) - p);
}

int mapq_key_extract(mapq_key *key, const unsigned char *line, uint64_t len,
                     const unsigned char **kp, uint64_t *klen, mapq_error *err)
{
	if (key == NULL || key->type == MAPQ_KEY_LINE) {
		*kp = line;
		*klen = len;
		return MAPQ_OK;
	}
	if (key->type == MAPQ_KEY_FIELD) {
		if (key->delim == MAPQ_KEY_BLANKS)
			field_blanks(line, line + len, key->field, kp, klen);
		else
			field_delim(line, line + len, key->field, key->delim, kp,
			            klen);
		return MAPQ_OK;
	}

	static const unsigned char nothing[1] = {0};
	const unsigned char *subject = len > 0 ? line : nothing;
	int rc = pcre2_match(key->code, subject, (PCRE2_SIZE)len, 0, 0,
	                     key->match, NULL);
	*kp = subject;
	*klen = 0;
	if (rc == PCRE2_ERROR_NOMATCH)
		return MAPQ_OK;
	if (rc < 0) {
		PCRE2_UCHAR why[256];
		pcre2_get_error_message(rc, why, sizeof why);
		return mapq__error_set(err, MAPQ_EINVAL, 0, "key regex: %s",
		                       (const char *)why);
	}
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(key->match);
	PCRE2_SIZE s = ov[2 * key->group], e = ov[2 * key->group + 1];
	/* A group that took no part in the match leaves no key. */
	if (s != PCRE2_UNSET && e != PCRE2_UNSET && e > s) {
		*kp = subject + s;
		*klen = (uint64_t)(e - s);
	}
	return MAPQ_OK;
}

int mapq_key_compare(const unsigned char *k, uint64_t klen,
                     const unsigned char *b, uint64_t blen)
{
	uint64_t n = klen < blen ? klen : blen;
	int c = n > 0 ? memcmp(k, b, (size_t)n) : 0;
	if (c != 0)
		return c < 0 ? -1 : 1;
	/* Equal on the shorter: a key that stops before the bound's end is
	 * a proper prefix of it, hence smaller. */
	return klen < blen ? -1 : 0;
}

/* Name the file and the line in a regex failure reported by extract. */
static int extract_failed(mapq_error *err, int rc, const mapq_view *view,
                          uint64_t at)
{
	if (err == NULL)
		return rc;
	char why[256];
	snprintf(why, sizeof why, "%.200s", err->msg);
	return mapq__error_set(err, rc, 0, "%s: line at byte %llu: %s",
	                       mapq_file_name(view->file),
	                       (unsigned long long)(view->offset + at), why);
}

/*
 * The search proper, on a view already checked; reads mapped bytes, so
 * mapq__view_bisect runs it under the guard.
 *
 * Invariant, for a sorted view: every line before lo is < bound; every
 * line in [hi, res) is < bound (they have no key) and the line at res is
 * >= bound, or res is the end.  So the answer is the first line >= bound
 * in [lo, hi) if there is one, else res.  lo, hi and res are line starts
 * (or the end).  Each turn moves lo up or hi down, past the probe.
 */
static int search(const mapq_view *view, mapq_key *key, const unsigned char *b,
                  uint64_t blen, uint64_t lo, uint64_t *offset, mapq_error *err)
{
	const unsigned char *d = view->data;
	uint64_t hi = view->size, res = view->size;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const unsigned char *nl = memrchr(d + lo, '\n', (size_t)(mid - lo));
		uint64_t s = nl != NULL ? (uint64_t)(nl - d) + 1 : lo;

		/* Probe the first line with a key at or after s (keyless
		 * lines belong with the keyed line before them). */
		uint64_t t = s, next = s;
		int keyed = 0, ge = 0;
		while (t < hi) {
			nl = memchr(d + t, '\n', (size_t)(hi - t));
			uint64_t e = nl != NULL ? (uint64_t)(nl - d) : hi;
			next = nl != NULL ? e + 1 : hi;
			const unsigned char *kp;
			uint64_t kl;
			int rc = mapq_key_extract(key, d + t, e - t, &kp, &kl, err);
			if (rc != MAPQ_OK)
				return extract_failed(err, rc, view, t);
			if (kl > 0) {
				keyed = 1;
				ge = mapq_key_compare(kp, kl, b, blen) >= 0;
				break;
			}
			t = next;
		}
		if (!keyed) {
			hi = s; /* [s, hi) holds no key at all */
		} else if (ge) {
			res = t;
			hi = s;
		} else {
			lo = next;
		}
	}
	*offset = res;
	return MAPQ_OK;
}

int mapq__view_bisect(const mapq_view *view, mapq_key *key, const void *bound,
                uint64_t blen, uint64_t lo, uint64_t *offset, mapq_error *err)
{
	if (view == NULL || view->file == NULL || offset == NULL ||
	    (bound == NULL && blen > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view or bound");
	const uint64_t first = lo < view->size ? lo : view->size;
	/* Every key, even an empty one, is >= the empty bound. */
	if (blen == 0) {
		*offset = first;
		return MAPQ_OK;
	}
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	int rc = search(view, key, bound, blen, first, offset, err);
	mapq__guard_pop(&g);
	return rc;
}

int mapq__view_bisect_window(const mapq_view *view, mapq_key *key, const void *from,
                       uint64_t flen, const void *to, uint64_t tlen,
                       uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no output");
	uint64_t s, e;
	int rc = mapq__view_bisect(view, key, from, flen, 0, &s, err);
	if (rc != MAPQ_OK)
		return rc;
	if (to == NULL) {
		e = view->size;
	} else if (mapq_key_compare(to, tlen, from, flen) >= 0) {
		/* to >= from: a line >= to is also >= from, so the end lies
		 * at or after the start and the search can begin there. */
		rc = mapq__view_bisect(view, key, to, tlen, s, &e, err);
		if (rc != MAPQ_OK)
			return rc;
	} else {
		e = s; /* to < from: nothing is both >= from and < to */
	}
	*start = s;
	*end = e;
	return MAPQ_OK;
}

/* The state of a sorted-order check between windows. */
struct check_state {
	mapq_key *key;
	uint64_t prefix;
	uint64_t line;           /* lines seen so far */
	const unsigned char *prev; /* the previous line's key */
	uint64_t plen;
	int have_prev;
	unsigned char *buf;      /* a copy of prev across windows */
	uint64_t cap;
};

/* Lexicographic order of two keys cut to their first `prefix` bytes. */
static int compare_cut(const unsigned char *a, uint64_t alen,
                       const unsigned char *b, uint64_t blen, uint64_t prefix)
{
	if (alen > prefix)
		alen = prefix;
	if (blen > prefix)
		blen = prefix;
	uint64_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, (size_t)n) : 0;
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Check the lines of one window (which ends at a line end).  Returns 1
 * when they are in order, 0 with *where filled when not, or an error.
 */
static int check_window(struct check_state *st, const mapq_view *view,
                        const mapq_view *win, mapq_disorder *where,
                        mapq_error *err)
{
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, win->file))
		return mapq__guard_failed(&g, err);
	const unsigned char *p = win->data;
	const unsigned char *end = p + win->size;
	int rc = 1;
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		const unsigned char *e = nl != NULL ? nl : end;
		uint64_t at = win->offset - view->offset + (uint64_t)(p - win->data);
		const unsigned char *kp;
		uint64_t kl;
		int x = mapq_key_extract(st->key, p, (uint64_t)(e - p), &kp, &kl,
		                         err);
		if (x != MAPQ_OK) {
			rc = extract_failed(err, x, view, at);
			break;
		}
		st->line++;
		if (st->have_prev &&
		    compare_cut(kp, kl, st->prev, st->plen, st->prefix) < 0) {
			where->line = st->line;
			where->offset = at;
			where->length = (uint64_t)(e - p);
			/* A copy: a stream's line cannot be read again. */
			where->text = malloc(where->length > 0 ? where->length : 1);
			if (where->text != NULL)
				memcpy(where->text, p, where->length);
			rc = 0;
			break;
		}
		st->prev = kp;
		st->plen = kl;
		st->have_prev = 1;
		p = nl != NULL ? nl + 1 : end;
	}
	mapq__guard_pop(&g);
	return rc;
}

/* Copy the last key of a window, whose bytes go away with it. */
static int keep_prev(struct check_state *st, const mapq_file *f,
                     mapq_error *err)
{
	uint64_t n = st->plen < st->prefix ? st->plen : st->prefix;
	if (!st->have_prev || st->prev == st->buf)
		return MAPQ_OK;
	if (n > st->cap) {
		if (n > SIZE_MAX)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		unsigned char *bigger = realloc(st->buf, (size_t)n);
		if (bigger == NULL)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		st->buf = bigger;
		st->cap = n;
	}
	if (n > 0) {
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, f))
			return mapq__guard_failed(&g, err);
		memcpy(st->buf, st->prev, (size_t)n);
		mapq__guard_pop(&g);
	}
	st->prev = st->buf;
	st->plen = n;
	return MAPQ_OK;
}

/*
 * The check of [view->offset, view->offset + view->size) of view->file.
 * Only the view's file, offset and size are used, never its data: the
 * bytes come from a scan, so a file-level caller may pass a view without
 * data (compressed input has none) whose size runs to the end.
 */
static int check_range(const mapq_view *view, mapq_key *key, uint64_t prefix,
                       mapq_disorder *where, mapq_error *err)
{
	struct check_state st = {.key = key, .prefix = prefix};
	struct mapq__scan s;
	mapq__scan_init(&s, view->file, view->offset, view->offset + view->size,
	                0, MAPQ_SCAN_LINES);
	mapq_view win;
	int sorted = 1;
	int rc;
	while ((rc = mapq__scan_next(&s, &win, err)) > 0) {
		rc = check_window(&st, view, &win, where, err);
		if (rc <= 0) {
			sorted = rc == 0 ? 0 : sorted;
			break;
		}
		if ((rc = keep_prev(&st, view->file, err)) != MAPQ_OK)
			break;
	}
	mapq__scan_finish(&s);
	free(st.buf);
	return rc < 0 ? rc : sorted;
}

int mapq__view_check_sorted(const mapq_view *view, mapq_key *key, uint64_t prefix,
                      mapq_disorder *where, mapq_error *err)
{
	if (view == NULL || view->file == NULL || where == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view");
	return check_range(view, key, prefix, where, err);
}

int mapq_bisect_check(mapq_file *f, mapq_key *key, uint64_t prefix,
                           mapq_disorder *where, mapq_error *err)
{
	if (f == NULL || where == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	/* A scan stops at the data's end, known or not. */
	mapq_view all = {.data = NULL, .size = MAPQ_SIZE_UNKNOWN, .offset = 0,
	                 .file = f};
	return check_range(&all, key, prefix, where, err);
}

/* ---- the window of a file that may be compressed ---- */

/* Name the file and the line in a regex failure, by absolute offset. */
static int file_extract_failed(mapq_error *err, int rc, mapq_file *f,
                               uint64_t at)
{
	mapq_view v = {.data = NULL, .size = 0, .offset = 0, .file = f};
	return extract_failed(err, rc, &v, at);
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
static int file_lines(mapq_file *f, mapq_key *key, const unsigned char *b,
                      uint64_t blen, uint64_t from, uint64_t hi, uint64_t *t,
                      uint64_t *next, int *ge, mapq_error *err)
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
			const unsigned char *kp;
			uint64_t kl;
			rc = mapq_key_extract(key, p, (uint64_t)(e - p), &kp, &kl,
			                      err);
			if (rc != MAPQ_OK) {
				rc = file_extract_failed(err, rc, f, at);
				goto done;
			}
			p = nl != NULL ? nl + 1 : end;
			if (kl == 0)
				continue;
			*ge = mapq_key_compare(kp, kl, b, blen) >= 0;
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
                       const unsigned char *b, uint64_t blen, uint64_t from,
                       uint64_t hi, uint64_t *t, uint64_t *next, int *ge,
                       mapq_error *err)
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
		const unsigned char *kp;
		uint64_t kl;
		int rc = mapq_key_extract(key, p, (uint64_t)(e - p), &kp, &kl, err);
		if (rc != MAPQ_OK)
			return file_extract_failed(err, rc, f, at);
		p = nl != NULL ? nl + 1 : end;
		if (kl == 0)
			continue;
		*ge = mapq_key_compare(kp, kl, b, blen) >= 0;
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
static int seekable_search(mapq_file *f, mapq_key *key, const unsigned char *b,
                           uint64_t blen, uint64_t lo, uint64_t *offset,
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
			rc = cache_lines(&c, f, key, b, blen, mid, hi, &t, &next,
			                 &ge, err);
		if (rc == 2)
			rc = file_lines(f, key, b, blen, mid, hi, &t, &next, &ge,
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

/* The first keyed line >= bound starting at or after lo, in a seekable
 * file. */
static int file_bisect(mapq_file *f, mapq_key *key, const void *bound,
                       uint64_t blen, uint64_t lo, uint64_t *offset,
                       mapq_error *err)
{
	uint64_t size = mapq__data_size(f);
	if (lo > size)
		lo = size;
	if (blen == 0) {
		*offset = lo;
		return MAPQ_OK;
	}
	return seekable_search(f, key, bound, blen, lo, offset, err);
}

/* The window's bounds, as a line selector for input read forward. */
struct window_select {
	mapq_key *key;
	mapq_file *file;
	const unsigned char *from, *to;
	uint64_t flen, tlen;
	int started;
	unsigned char bounds[]; /* from, then to */
};

/*
 * Before the first keyed line >= from, inside up to the first keyed line
 * >= to (to NULL: the end), then after.  On sorted data that is the
 * window a bisection finds; a line without a key meets no bound.
 */
static int window_select(void *ctx, const unsigned char *line, uint64_t len,
                         uint64_t offset, mapq_error *err)
{
	struct window_select *w = ctx;
	const unsigned char *b = w->started ? w->to : w->from;
	uint64_t blen = w->started ? w->tlen : w->flen;
	for (;;) {
		if (w->started && b == NULL)
			return 1;
		int meets = blen == 0;
		if (!meets) {
			const unsigned char *kp;
			uint64_t kl;
			int rc = mapq_key_extract(w->key, line, len, &kp, &kl, err);
			if (rc != MAPQ_OK)
				return file_extract_failed(err, rc, w->file, offset);
			meets = kl > 0 && mapq_key_compare(kp, kl, b, blen) >= 0;
		}
		if (!meets)
			return w->started ? 1 : 0;
		if (w->started)
			return 2;
		/* The same line may already be >= to. */
		w->started = 1;
		b = w->to;
		blen = w->tlen;
	}
}

int mapq_bisect_scan(mapq_scan **out, mapq_file *f, mapq_key *key,
                     const void *from, uint64_t flen, const void *to,
                     uint64_t tlen, unsigned flags, mapq_error *err)
{
	if (out == NULL || f == NULL || key == NULL ||
	    (from == NULL && flen > 0) || (to == NULL && tlen > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or bound");
	if (to != NULL && mapq_key_compare(to, tlen, from, flen) < 0)
		to = from, tlen = flen; /* to < from: an empty window */
	/* Bisection where it reads a few pages: a mapping, a seek table. */
	if (mapq__file_mapped_plain(f) ||
	    mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_SEEKABLE) {
		mapq_range r = {MAPQ_RANGE_BYTES,
		                MAPQ_RANGE_HAS_START | MAPQ_RANGE_HAS_END, 0, 0};
		int rc = mapq_bisect_window(f, key, from, flen, to, tlen,
		                            &r.start, &r.end, err);
		if (rc != MAPQ_OK)
			return rc;
		return mapq_scan_create(out, f, &r, 0, flags, err);
	}
	/* Read forward once: a stream, a zstd stream (which can only be
	 * decoded from its start anyway), a file read with pread. */
	struct window_select *w = malloc(sizeof *w + (size_t)flen + (size_t)tlen);
	if (w == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));
	w->key = key;
	w->file = f;
	w->started = 0;
	w->flen = flen;
	w->tlen = tlen;
	if (flen > 0)
		memcpy(w->bounds, from, (size_t)flen);
	if (tlen > 0)
		memcpy(w->bounds + flen, to, (size_t)tlen);
	w->from = w->bounds;
	w->to = to != NULL ? w->bounds + flen : NULL;
	return mapq__scan_create_selected(out, f, 0, flags, window_select, w,
	                                  free, err);
}

/* The window of input read forward: its offsets, found in one pass. */
static int stream_window(mapq_file *f, mapq_key *key, const void *from,
                         uint64_t flen, const void *to, uint64_t tlen,
                         uint64_t *start, uint64_t *end, mapq_error *err)
{
	mapq_scan *s;
	int rc = mapq_bisect_scan(&s, f, key, from, flen, to, tlen,
	                          MAPQ_SCAN_DEFAULT, err);
	if (rc != MAPQ_OK)
		return rc;
	mapq_view w;
	uint64_t bytes = 0;
	while ((rc = mapq_scan_next(s, &w, err)) > 0)
		bytes += w.size;
	if (rc == 0 && mapq_scan_start(s, start) != MAPQ_OK)
		rc = mapq__error_set(err, MAPQ_EINVAL, 0, "no start");
	mapq_scan_destroy(s);
	if (rc < 0)
		return rc;
	*end = *start + bytes;
	return MAPQ_OK;
}

int mapq_bisect_window(mapq_file *f, mapq_key *key, const void *from,
                            uint64_t flen, const void *to, uint64_t tlen,
                            uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (f == NULL || start == NULL || end == NULL ||
	    (from == NULL && flen > 0) || (to == NULL && tlen > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or bound");
	if (mapq__file_mapped_plain(f)) {
		mapq_view view;
		int rc = mapq_file_view(f, &view, err);
		if (rc != MAPQ_OK)
			return rc;
		return mapq__view_bisect_window(&view, key, from, flen, to, tlen, start,
		                          end, err);
	}
	uint64_t s, e;
	int rc;
	if (mapq_file_compression(f) != MAPQ_COMPRESSION_ZSTD_SEEKABLE) {
		rc = stream_window(f, key, from, flen, to, tlen, &s, &e, err);
		if (rc == MAPQ_OK) {
			*start = s;
			*end = e;
		}
		return rc;
	}
	rc = file_bisect(f, key, from, flen, 0, &s, err);
	if (rc != MAPQ_OK)
		return rc;
	if (to == NULL) {
		uint64_t size;
		if ((rc = mapq_file_measure(f, &size, err)) != MAPQ_OK)
			return rc;
		e = size;
	} else if (mapq_key_compare(to, tlen, from, flen) >= 0) {
		rc = file_bisect(f, key, to, tlen, s, &e, err);
		if (rc != MAPQ_OK)
			return rc;
	} else {
		e = s;
	}
	*start = s;
	*end = e;
	return MAPQ_OK;
}
