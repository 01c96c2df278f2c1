/*
 * split.c - cutting a view into line-aligned shards for parallel workers.
 *
 * Cuts are line starts, so every line belongs to exactly one shard; the
 * work is a few lines around each cut (bytes) or two passes (lines).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "input/input.h"
#include "lines.h"
#include "split.h"

struct mapq_split {
	const mapq_view *view; /* the view split, or NULL for a whole file */
	mapq_file *file;       /* the file split when there is no view */
	uint64_t size;         /* bytes of data */
	mapq_split_mode mode;
	uint64_t n;     /* shards to hand out: min(asked, lines) */
	uint64_t k;     /* shards handed out so far */
	uint64_t prev;  /* where shard k starts */
	uint64_t tail;  /* bytes: the latest start of shard k + 1 */
	uint64_t lines; /* lines: how many the view has */
	mapq_view own;  /* a copy of the view split (view points here) */
};

/* floor(k * total / n) without overflow. */
static uint64_t share(uint64_t k, uint64_t total, uint64_t n)
{
	return (uint64_t)((unsigned __int128)k * total / n);
}

/*
 * Walk back from the end to the start of the `want`-th line from the end
 * (the last line is the first).  *start receives it, *found how many
 * lines were walked (fewer than want when the view has fewer lines, and
 * then *start is 0).
 */
static int walk_back(const mapq_view *view, uint64_t want, uint64_t *start,
                     uint64_t *found, mapq_error *err)
{
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, view->file))
		return mapq__guard_failed(&g, err);
	const unsigned char *d = view->data;
	uint64_t end = view->size, at = view->size, n = 0;
	/* The final newline ends the last line; it does not start one. */
	if (end > 0 && d[end - 1] == '\n')
		end--;
	while (n < want && at > 0) {
		const unsigned char *nl = mapq__last_newline(d, end);
		n++;
		at = nl != NULL ? (uint64_t)(nl - d) + 1 : 0;
		end = nl != NULL ? (uint64_t)(nl - d) : 0;
	}
	mapq__guard_pop(&g);
	*start = at;
	*found = n;
	return MAPQ_OK;
}

/* The n-th line from the end, as walk_back, for a file without a view. */
static int file_walk_back(mapq_file *f, uint64_t size, uint64_t want,
                          uint64_t *start, uint64_t *found, mapq_error *err)
{
	int rc = mapq__file_find_start_back(f, want, start, err);
	if (rc != MAPQ_OK || *start > 0 || want == 0) {
		*found = want;
		return rc;
	}
	/* Line 1 may be exactly the want-th from the end, or the data may
	 * have fewer lines: only a count tells. */
	uint64_t lines;
	rc = mapq_lines_count(f, 0, size, &lines, err);
	*found = lines < want ? lines : want;
	return rc;
}

/* The primitives below go to the view, or to the file without one. */
static int src_walk_back(mapq_split *s, uint64_t want, uint64_t *start,
                         uint64_t *found, mapq_error *err)
{
	if (s->view != NULL)
		return walk_back(s->view, want, start, found, err);
	return file_walk_back(s->file, s->size, want, start, found, err);
}

static int src_next_start(mapq_split *s, uint64_t offset, uint64_t *start,
                          mapq_error *err)
{
	if (s->view != NULL)
		return mapq__view_next_start(s->view, offset, start, err);
	return mapq__file_next_start(s->file, offset, start, err);
}

static int src_skip(mapq_split *s, uint64_t from, uint64_t n, uint64_t *offset,
                    mapq_error *err)
{
	if (s->view != NULL)
		return mapq__view_skip(s->view, from, n, offset, err);
	return mapq__file_skip(s->file, from, n, offset, err);
}

static int src_count(mapq_split *s, uint64_t *lines, mapq_error *err)
{
	if (s->view != NULL)
		return mapq__view_count_lines(s->view, lines, err);
	return mapq_lines_count(s->file, 0, s->size, lines, err);
}

/* Prepare the byte mode: find how many shards there will be, and the
 * latest place the first cut may go so that every later shard gets a
 * line. */
static int prepare_bytes(mapq_split *s, mapq_error *err)
{
	if (s->n == 1)
		return MAPQ_OK;
	uint64_t at, found;
	/* n lines from the end: fewer means fewer shards. */
	int rc = src_walk_back(s, s->n, &at, &found, err);
	if (rc != MAPQ_OK)
		return rc;
	if (found < s->n)
		s->n = found;
	if (s->n <= 1)
		return MAPQ_OK;
	/* The cut after shard 0 may go no later than the start of line
	 * n - 1 from the end, leaving one line for each later shard. */
	return src_walk_back(s, s->n - 1, &s->tail, &found, err);
}

/* Create a split of `view`, or of `file` when view is NULL (size bytes). */
static int split_create(mapq_split **out, const mapq_view *view,
                        mapq_file *file, uint64_t size, uint64_t n,
                        mapq_split_mode mode, mapq_error *err)
{
	*out = NULL;
	if (n == 0)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "the number of shards must be at least 1");
	if (mode != MAPQ_SPLIT_BYTES && mode != MAPQ_SPLIT_LINES)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "unknown split mode");
	mapq_split *s = calloc(1, sizeof *s);
	if (s == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	if (view != NULL) {
		s->own = *view;
		s->view = &s->own;
	}
	s->file = file;
	s->size = size;
	s->mode = mode;
	/* There can be no more lines than bytes. */
	s->n = n < size ? n : size;
	int rc = MAPQ_OK;
	if (s->n > 0 && mode == MAPQ_SPLIT_BYTES) {
		rc = prepare_bytes(s, err);
	} else if (s->n > 0) {
		rc = src_count(s, &s->lines, err);
		if (rc == MAPQ_OK && s->lines < s->n)
			s->n = s->lines;
	}
	if (rc != MAPQ_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return MAPQ_OK;
}

int mapq__view_split_create(mapq_split **out, const mapq_view *view, uint64_t n,
                      mapq_split_mode mode, mapq_error *err)
{
	if (out == NULL || view == NULL || view->file == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no view or handle");
	return split_create(out, view, NULL, view->size, n, mode, err);
}

int mapq_split_create(mapq_split **out, mapq_file *f, uint64_t n,
                           mapq_split_mode mode, mapq_error *err)
{
	if (out == NULL || f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or handle");
	*out = NULL;
	if (mapq_file_is_stream(f))
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: split needs a file (the offsets of a "
		                       "stream mean nothing once it is read)",
		                       mapq_file_name(f));
	if (mapq__file_mapped_plain(f)) {
		mapq_view view;
		int rc = mapq_file_view(f, &view, err);
		if (rc != MAPQ_OK)
			return rc;
		return split_create(out, &view, NULL, view.size, n, mode, err);
	}
	uint64_t size;
	int rc = mapq_file_measure(f, &size, err);
	if (rc != MAPQ_OK)
		return rc;
	return split_create(out, NULL, f, size, n, mode, err);
}

/* The end of shard k (not the last one) in the byte mode. */
static int cut_bytes(mapq_split *s, uint64_t *cut, mapq_error *err)
{
	uint64_t c;
	int rc = src_next_start(s, share(s->k + 1, s->size, s->n), &c, err);
	/* At least one line for this shard: past the line at prev. */
	if (rc == MAPQ_OK && c <= s->prev)
		rc = src_next_start(s, s->prev + 1, &c, err);
	if (rc != MAPQ_OK)
		return rc;
	/* At least one line for each shard after it. */
	if (c > s->tail)
		c = s->tail;
	/* The next cut's limit is one line further. */
	rc = src_next_start(s, s->tail + 1, &s->tail, err);
	*cut = c;
	return rc;
}

int mapq_split_next(mapq_split *s, uint64_t *start, uint64_t *end,
                    mapq_error *err)
{
	if (s == NULL || start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no split");
	if (s->k >= s->n)
		return 0;
	uint64_t cut = s->size;
	int rc = MAPQ_OK;
	if (s->k + 1 < s->n) {
		if (s->mode == MAPQ_SPLIT_BYTES)
			rc = cut_bytes(s, &cut, err);
		else
			rc = src_skip(s, s->prev,
			                     share(s->k + 1, s->lines, s->n) -
			                             share(s->k, s->lines, s->n),
			                     &cut, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	*start = s->prev;
	*end = cut;
	s->prev = cut;
	s->k++;
	return 1;
}

void mapq_split_destroy(mapq_split *s)
{
	free(s);
}
