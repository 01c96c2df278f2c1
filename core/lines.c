/*
 * lines.c - counting and finding lines, and resolving ranges to offsets.
 *
 * Forward work (counting, finding line N) walks the view through a scan so
 * that pages are released window by window; the inner loop
 * counts newlines 16 bytes at a time.  Backward work (line -N) uses
 * memrchr from the end and reads only the bytes of those lines.
 */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/error.h"
#include "input/input.h"
#include "lines.h"

uint64_t mapq__count_byte(const unsigned char *p, uint64_t n, unsigned char c)
{
	uint64_t count = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8((char)c);
	const __m128i zero = _mm_setzero_si128();
	/*
	 * Each compare yields 0xFF (-1) per matching byte; subtracting it
	 * adds 1 to a per-lane byte counter.  A lane can take 255 additions
	 * before it would wrap, so every 255 blocks the lanes are summed
	 * into 64-bit totals with psadbw.
	 */
	while (n >= 16) {
		uint64_t blocks = n / 16;
		if (blocks > 255)
			blocks = 255;
		__m128i acc = zero;
		for (uint64_t i = 0; i < blocks; i++) {
			__m128i v = _mm_loadu_si128((const __m128i *)p);
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
			p += 16;
		}
		__m128i sums = _mm_sad_epu8(acc, zero);
		count += (uint64_t)_mm_cvtsi128_si64(sums) +
		         (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
		n -= blocks * 16;
	}
	for (; n > 0; n--)
		count += *p++ == c;
#else
	const unsigned char *end = p + n;
	while (p < end && (p = memchr(p, c, (size_t)(end - p))) != NULL) {
		count++;
		p++;
	}
#endif
	return count;
}

/* Block size for counting before locating: small enough to stay in cache. */
#define FIND_BLOCK ((uint64_t)64 << 10)

const unsigned char *mapq__find_nth_byte(const unsigned char *p, uint64_t n,
                                         uint64_t k, unsigned char c,
                                         uint64_t *found)
{
	uint64_t seen = 0;
	/* Count whole blocks while the target lies beyond them, then step
	 * through the block that holds it with memchr. */
	while (n > 0 && k > seen) {
		uint64_t b = n < FIND_BLOCK ? n : FIND_BLOCK;
		uint64_t here = mapq__count_byte(p, b, c);
		if (seen + here >= k) {
			const unsigned char *q = p;
			const unsigned char *end = p + b;
			for (;;) {
				q = memchr(q, c, (size_t)(end - q));
				if (++seen == k) {
					if (found != NULL)
						*found = seen;
					return q;
				}
				q++;
			}
		}
		seen += here;
		p += b;
		n -= b;
	}
	if (found != NULL)
		*found = seen;
	return NULL;
}

/*
 * Inside one window: count all newlines (k = UINT64_MAX), or look for the
 * k-th one.  *hit is where it is, or NULL; *seen how many were passed.
 */
static int window_newlines(const mapq_view *win, uint64_t k, unsigned char c,
                           const unsigned char **hit, uint64_t *seen,
                           mapq_error *err)
{
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, win->file))
		return mapq__guard_failed(&g, err);
	if (k == UINT64_MAX) {
		*hit = NULL;
		*seen = mapq__count_byte(win->data, win->size, c);
	} else {
		*hit = mapq__find_nth_byte(win->data, win->size, k, c, seen);
	}
	mapq__guard_pop(&g);
	return MAPQ_OK;
}

/*
 * Walk [start, end) of a view through a scan, counting newlines until the
 * k-th one (k = UINT64_MAX: count them all).  On return *count holds the
 * newlines seen and *pos the view offset just after the k-th newline, or
 * end when there were fewer.
 */
static int walk_bytes(const mapq_view *view, uint64_t start, uint64_t end,
                      uint64_t k, unsigned char c, uint64_t *count,
                      uint64_t *pos, mapq_error *err)
{
	if (!mapq__file_mapped_plain(view->file)) {
		/* A window of decompressed or read data, or a caller's
		 * buffer: plain memory, not a mapping, so walk it directly. */
		mapq_view part = mapq_view_sub(view, start, end);
		const unsigned char *hit;
		uint64_t here;
		int rc = window_newlines(&part, k, c, &hit, &here, err);
		if (rc != MAPQ_OK)
			return rc;
		*count = here;
		*pos = hit != NULL ? start + (uint64_t)(hit - part.data) + 1 : end;
		return MAPQ_OK;
	}
	struct mapq__scan s;
	mapq__scan_init(&s, view->file, view->offset + start,
	                view->offset + end, 0, 0);
	uint64_t seen = 0;
	uint64_t at = end;
	mapq_view win;
	int rc;
	while ((rc = mapq__scan_next(&s, &win, err)) > 0) {
		const unsigned char *hit;
		uint64_t here;
		rc = window_newlines(&win, k == UINT64_MAX ? k : k - seen, c,
		                     &hit, &here, err);
		if (rc != MAPQ_OK)
			break;
		seen += here;
		if (hit != NULL) {
			at = win.offset - view->offset + (uint64_t)(hit - win.data) + 1;
			break;
		}
	}
	mapq__scan_finish(&s);
	if (rc < 0)
		return rc;
	*count = seen;
	*pos = at;
	return MAPQ_OK;
}

static int walk_newlines(const mapq_view *view, uint64_t start, uint64_t end,
                         uint64_t k, uint64_t *count, uint64_t *pos,
                         mapq_error *err)
{
	return walk_bytes(view, start, end, k, '\n', count, pos, err);
}

/* A view is a mapped file's (read under its guard) or a buffer of the
 * caller's (view->file NULL: plain memory). */
static int check_view(const mapq_view *view, mapq_error *err)
{
	if (view == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view");
	return MAPQ_OK;
}

int mapq__view_count_byte(const mapq_view *view, unsigned char c,
                          uint64_t *count, mapq_error *err)
{
	int rc = check_view(view, err);
	if (rc != MAPQ_OK)
		return rc;
	uint64_t pos;
	return walk_bytes(view, 0, view->size, UINT64_MAX, c, count, &pos, err);
}

int mapq__view_count_newlines(const mapq_view *view, uint64_t *count,
                              mapq_error *err)
{
	return mapq__view_count_byte(view, '\n', count, err);
}

int mapq__view_count_lines(const mapq_view *view, uint64_t *count, mapq_error *err)
{
	uint64_t n;
	int rc = mapq__view_count_newlines(view, &n, err);
	if (rc != MAPQ_OK || view->size == 0) {
		if (rc == MAPQ_OK)
			*count = 0;
		return rc;
	}
	/* A final line without a newline is still a line. */
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	if (view->data[view->size - 1] != '\n')
		n++;
	mapq__guard_pop(&g);
	*count = n;
	return MAPQ_OK;
}

int mapq__view_skip(const mapq_view *view, uint64_t from, uint64_t n,
                    uint64_t *offset, mapq_error *err)
{
	int rc = check_view(view, err);
	if (rc != MAPQ_OK)
		return rc;
	if (from >= view->size || n == 0) {
		*offset = from < view->size ? from : view->size;
		return MAPQ_OK;
	}
	uint64_t seen;
	return walk_newlines(view, from, view->size, n, &seen, offset, err);
}

int mapq__view_find_start(const mapq_view *view, uint64_t n, uint64_t *offset,
                          uint64_t *missing, mapq_error *err)
{
	int rc = check_view(view, err);
	if (rc != MAPQ_OK)
		return rc;
	if (n == 0)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "line numbers start at 1");
	uint64_t seen = 0;
	uint64_t pos = 0;
	if (n > 1 &&
	    (rc = walk_newlines(view, 0, view->size, n - 1, &seen, &pos, err)) < 0)
		return rc;
	*offset = pos;
	if (missing != NULL) {
		if (pos < view->size) {
			*missing = 0;
		} else {
			/* Line n would start at the end: count what exists.
			 * A final unterminated line counts as a line. */
			uint64_t lines = seen;
			if (n == 1 || seen < n - 1) {
				struct mapq__guard g;
				if (!MAPQ__GUARDED(g, view->file))
					return mapq__guard_failed(&g, err);
				if (view->size > 0 &&
				    view->data[view->size - 1] != '\n')
					lines++;
				mapq__guard_pop(&g);
			}
			*missing = n > lines ? n - lines : 0;
		}
	}
	return MAPQ_OK;
}

int mapq__view_find_start_back(const mapq_view *view, uint64_t n,
                               uint64_t *offset, mapq_error *err)
{
	int rc = check_view(view, err);
	if (rc != MAPQ_OK)
		return rc;
	if (n == 0 || view->size == 0) {
		*offset = view->size;
		return MAPQ_OK;
	}
	const unsigned char *d = view->data;
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	/* The final newline ends the last line; it does not start one. */
	uint64_t end = view->size;
	if (d[end - 1] == '\n')
		end--;
	uint64_t start = 0;
	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *nl = mapq__last_newline(d, end);
		if (nl == NULL) {
			start = 0;
			break;
		}
		start = (uint64_t)(nl - d) + 1;
		end = (uint64_t)(nl - d);
	}
	mapq__guard_pop(&g);
	*offset = start;
	return MAPQ_OK;
}

const unsigned char *mapq__last_byte(const unsigned char *p, uint64_t end,
                                     unsigned char c)
{
	uint64_t chunk = 256;
	while (end > 0) {
		uint64_t n = end < chunk ? end : chunk;
		const unsigned char *nl = memrchr(p + end - n, c, (size_t)n);
		if (nl != NULL)
			return nl;
		end -= n;
		if (chunk < ((uint64_t)1 << 20))
			chunk *= 2;
	}
	return NULL;
}

int mapq__view_next_start(const mapq_view *view, uint64_t offset,
                          uint64_t *start, mapq_error *err)
{
	return mapq__view_next_start_after(view, offset, '\n', start, err);
}

int mapq__view_next_start_after(const mapq_view *view, uint64_t offset,
                                unsigned char c, uint64_t *start,
                                mapq_error *err)
{
	int rc = check_view(view, err);
	if (rc != MAPQ_OK)
		return rc;
	if (offset == 0 || offset >= view->size) {
		*start = offset < view->size ? offset : view->size;
		return MAPQ_OK;
	}
	const unsigned char *d = view->data;
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	if (d[offset - 1] == c) {
		*start = offset;
	} else {
		const unsigned char *nl =
		        memchr(d + offset, c, (size_t)(view->size - offset));
		*start = nl != NULL ? (uint64_t)(nl - d) + 1 : view->size;
	}
	mapq__guard_pop(&g);
	return MAPQ_OK;
}

/* Where the lines selected by a line range begin. */
static int line_range_start(const mapq_range *r,
                            const struct mapq__line_source *ls,
                            uint64_t *start, mapq_error *err)
{
	if (!(r->flags & MAPQ_RANGE_HAS_START)) {
		*start = 0;
		return MAPQ_OK;
	}
	if (r->flags & MAPQ_RANGE_START_NEG)
		return ls->find_start_back(ls->src, r->start, start, err);
	return ls->find_start(ls->src, r->start, start, err);
}

/* Where they end (exclusive), given where they begin. */
static int line_range_end(const mapq_range *r,
                          const struct mapq__line_source *ls, uint64_t start,
                          uint64_t *end, mapq_error *err)
{
	if (!(r->flags & MAPQ_RANGE_HAS_END)) {
		*end = ls->size;
		return MAPQ_OK;
	}
	if (r->flags & MAPQ_RANGE_END_COUNT)
		return ls->skip(ls->src, start, r->end, end, err);
	if (r->flags & MAPQ_RANGE_END_NEG)
		/* LAST = -k ends where line -(k-1) starts (-0: the end). */
		return ls->find_start_back(ls->src, r->end - 1, end, err);
	uint64_t last = r->end;
	int positive_start = (r->flags & MAPQ_RANGE_HAS_START) &&
	                     !(r->flags & MAPQ_RANGE_START_NEG);
	uint64_t first = positive_start ? r->start : 1;
	if (last < first) {
		*end = start;
		return MAPQ_OK;
	}
	if (positive_start || !(r->flags & MAPQ_RANGE_HAS_START))
		/* Continue from START instead of counting from the top. */
		return ls->skip(ls->src, start, last - first + 1, end, err);
	if (last == UINT64_MAX) {
		*end = ls->size;
		return MAPQ_OK;
	}
	return ls->find_start(ls->src, last + 1, end, err);
}

int mapq__resolve_lines(const struct mapq__line_source *ls,
                        const mapq_range *range, uint64_t *start,
                        uint64_t *end, mapq_error *err)
{
	uint64_t s, e;
	int rc = line_range_start(range, ls, &s, err);
	if (rc == MAPQ_OK)
		rc = line_range_end(range, ls, s, &e, err);
	if (rc != MAPQ_OK)
		return rc;
	if (e < s)
		e = s;
	*start = s;
	*end = e;
	return MAPQ_OK;
}

/* The view primitives, shaped as a line source. */
static int view_find_start(void *src, uint64_t n, uint64_t *offset,
                           mapq_error *err)
{
	return mapq__view_find_start(src, n, offset, NULL, err);
}

static int view_find_start_back(void *src, uint64_t n, uint64_t *offset,
                                mapq_error *err)
{
	return mapq__view_find_start_back(src, n, offset, err);
}

static int view_skip(void *src, uint64_t from, uint64_t n, uint64_t *offset,
                     mapq_error *err)
{
	return mapq__view_skip(src, from, n, offset, err);
}

int mapq__view_resolve(const mapq_range *range, const mapq_view *view,
                       uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (range == NULL || view == NULL || start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no range or view");
	if (range->unit == MAPQ_RANGE_BYTES)
		return mapq_range_resolve_bytes(range, view->size, start, end);
	struct mapq__line_source ls = {
		.find_start = view_find_start,
		.find_start_back = view_find_start_back,
		.skip = view_skip,
		.size = view->size,
		.src = (void *)view,
	};
	return mapq__resolve_lines(&ls, range, start, end, err);
}

int mapq__view_align_lines(const mapq_view *view, uint64_t start, uint64_t end,
                           uint64_t *astart, uint64_t *aend, mapq_error *err)
{
	if (view == NULL || astart == NULL || aend == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view");
	if (start >= end) {
		uint64_t at = start < view->size ? start : view->size;
		*astart = *aend = at;
		return MAPQ_OK;
	}
	int rc = mapq__view_next_start(view, start, astart, err);
	if (rc == MAPQ_OK)
		rc = mapq__view_next_start(view, end, aend, err);
	if (rc == MAPQ_OK && *aend < *astart)
		*aend = *astart;
	return rc;
}
