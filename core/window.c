/*
 * window.c - the lines of a file sorted by a key (or a set of such files)
 * whose key lies in a window FROM <= K < TO: mapq_bisect_scan(),
 * mapq_bisect_window(), mapq_bisect_check() and mapq_bisect_files().
 *
 * A window of a sorted file is found by bisection (bisect.c).  Real logs
 * are only nearly sorted, and bisection on unsorted data finds some line,
 * silently; so nothing here trusts the order without looking at it:
 * - a few dozen lines spread over the file (enough to see two runs of a
 *   log concatenated) and every line bisection probed are checked to be
 *   in order, before a byte of the window is handed out;
 * - with a slack S (time keys), a line may be up to S behind the newest
 *   line before it.  The window is then the linear filter's answer: the
 *   scan starts where bisection finds FROM - S (no line before it can be
 *   >= FROM), hands out the lines with FROM <= K < TO, checking each line
 *   against the newest before it, and stops at the first line >= TO + S
 *   (no line after it can be < TO).
 * - with no slack, the window is contiguous: bisection finds both ends,
 *   and the bytes between are handed out as they are.
 * Input read forward (a stream, a zstd stream) is filtered and checked
 * line by line from its start.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "input/input.h"
#include "bisect.h"
#include "key.h"
#include "order.h"
#include "range_scan.h"

/* Lines sampled over a bisected file for the order check. */
#define SAMPLES 32

/* The window's bounds, as bisection and the filter use them. */
struct bounds {
	struct mapq__bound from;  /* lines >= from ... */
	struct mapq__bound to;    /* ... and < to are in the window */
	struct mapq__bound lower; /* from - slack: where the scan starts */
	struct mapq__bound stop;  /* to + slack: where it stops */
	uint64_t cut;             /* byte keys: the bounds' longest length */
	int64_t slack;
	int empty;                /* to <= from: nothing can be inside */
};

static int make_bounds(mapq_file *f, const mapq_key *key, const mapq_window *w,
                       struct bounds *b, mapq_error *err)
{
	memset(b, 0, sizeof *b);
	if (w == NULL || (w->from == NULL && w->flen > 0) ||
	    (w->to == NULL && w->tlen > 0))
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no window");
	int time = mapq__key_is_time(key);
	if (w->slack < 0 || (w->slack > 0 && !time))
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "%s: a slack needs a time key",
		                       mapq_file_name(f));
	b->slack = w->slack;
	b->cut = w->flen > w->tlen ? w->flen : w->tlen;
	int rc;
	if (w->from == NULL) {
		/* No lower bound: every key is >= it. */
		b->from.p = (const unsigned char *)"";
		b->from.t = INT64_MIN;
		b->lower = b->from;
	} else if ((rc = mapq__key_bound(key, w->from, w->flen, 0, &b->from,
	                                 err)) != MAPQ_OK ||
	           (rc = mapq__key_bound(key, w->from, w->flen, -w->slack,
	                                 &b->lower, err)) != MAPQ_OK) {
		return rc;
	}
	if ((rc = mapq__key_bound(key, w->to, w->tlen, 0, &b->to, err)) !=
	            MAPQ_OK ||
	    (rc = mapq__key_bound(key, w->to, w->tlen, w->slack, &b->stop,
	                          err)) != MAPQ_OK)
		return rc;
	if (!b->to.none)
		b->empty = time ? b->to.t <= b->from.t
		                : mapq_key_compare(b->to.p, b->to.n, b->from.p,
		                                   b->from.n) < 0;
	/* An empty window is where FROM would start it. */
	if (b->empty) {
		b->to = b->from;
		rc = mapq__key_bound(key, w->from, w->flen, w->slack, &b->stop,
		                     err);
	}
	return rc;
}

/* Check the points of `pr` among themselves (sorted first). */
static int check_points(mapq_file *f, const mapq_key *key,
                        const struct bounds *b, struct mapq__probes *pr,
                        mapq_error *err)
{
	struct mapq__order o;
	mapq__order_init(&o, key, b->slack, b->cut);
	o.file = f;
	mapq__probes_sort(pr);
	int rc = mapq__probes_check(pr, 0, UINT64_MAX, &o);
	if (rc == 0)
		rc = mapq__order_error(&o, err);
	else if (rc < 0)
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                     mapq_file_name(f));
	else
		rc = MAPQ_OK;
	mapq__order_free(&o);
	return rc;
}

/* Sample a bisectable file into pr (nothing for other input). */
static int sample(mapq_file *f, mapq_key *key, struct mapq__probes *pr,
                  mapq_error *err)
{
	if (!mapq__bisectable(f))
		return MAPQ_OK;
	int rc = mapq__bisect_sample(f, key, SAMPLES, pr, err);
	if (rc == MAPQ_OK && pr->failed)
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                     mapq_file_name(f));
	return rc;
}

/*
 * Where the window's scan of f starts, from bisection, and (no slack)
 * where it ends; *contiguous when [*start, *end) is the window as it is.
 * The lines probed and sampled are checked, and left in *pr.
 */
static int plan(mapq_file *f, mapq_key *key, const struct bounds *b,
                struct mapq__probes *pr, uint64_t *start, uint64_t *end,
                int *contiguous, mapq_error *err)
{
	*start = 0;
	*end = 0;
	*contiguous = 0;
	if (!mapq__bisectable(f))
		return MAPQ_OK;
	int rc = sample(f, key, pr, err);
	if (rc == MAPQ_OK)
		rc = mapq__bisect(f, key, &b->lower, 0, pr, start, err);
	if (rc == MAPQ_OK && b->slack == 0) {
		*contiguous = 1;
		if (b->empty)
			*end = *start;
		else if (b->to.none)
			*end = mapq__data_size(f);
		else
			rc = mapq__bisect(f, key, &b->to, *start, pr, end, err);
	}
	if (rc == MAPQ_OK && pr->failed)
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                     mapq_file_name(f));
	if (rc == MAPQ_OK)
		rc = check_points(f, key, b, pr, err);
	return rc;
}

/*
 * The filter of a window's scan (a mapq__line_select), shared by the files
 * of a set, whose lines it sees as one sequence: the order check and the
 * state of the last keyed line go on from one file to the next.
 */
struct selection {
	mapq_key *key;
	mapq_file *file;            /* the file being read */
	struct bounds b;
	unsigned char *bound_text;  /* the bounds' bytes, copied */
	struct mapq__probes probes; /* this file's, checked against its lines */
	struct mapq__order order;
	int in;                     /* the last keyed line is inside */
	int stopped;                /* a line at or past TO + slack was met */
	uint64_t line;              /* lines read in this file */
	int numbered;               /* this file's scan started at line 1 */
};

static int order_failed(struct selection *s, int rc, mapq_error *err)
{
	if (rc < 0)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(s->file));
	return mapq__order_error(&s->order, err);
}

static int select_line(void *ctx, const unsigned char *line, uint64_t len,
                       uint64_t offset, mapq_error *err)
{
	struct selection *s = ctx;
	s->line++;
	struct mapq__kv kv;
	int rc = mapq__key_value(s->key, line, len, &kv, err);
	if (rc != MAPQ_OK)
		return mapq__key_failed(err, rc, s->file, offset);
	if (!kv.keyed) {
		/* Every byte key, even an empty one, is >= an empty bound. */
		if (!mapq__key_is_time(s->key) && !s->b.stop.none &&
		    s->b.stop.n == 0) {
			s->stopped = 1;
			return 2;
		}
		return s->in; /* a continuation goes with its keyed line */
	}
	rc = mapq__order_see(&s->order, &kv, offset,
	                     s->numbered ? s->line : 0);
	if (rc != 1)
		return order_failed(s, rc, err);
	if (mapq__kv_ge(s->key, &kv, &s->b.stop)) {
		/* The lines sampled after the scan's end come after it. */
		rc = mapq__probes_check(&s->probes, offset + 1, UINT64_MAX,
		                        &s->order);
		s->stopped = 1;
		return rc == 1 ? 2 : order_failed(s, rc, err);
	}
	s->in = mapq__kv_ge(s->key, &kv, &s->b.from) &&
	        !mapq__kv_ge(s->key, &kv, &s->b.to);
	return s->in;
}

/* Keep the bounds' bytes with the selection (the caller's may go). */
static int own_bounds(struct selection *s, const mapq_window *w)
{
	s->bound_text = malloc((size_t)(w->flen + w->tlen) + 1);
	if (s->bound_text == NULL)
		return MAPQ_ENOMEM;
	if (w->flen > 0)
		memcpy(s->bound_text, w->from, (size_t)w->flen);
	if (w->tlen > 0)
		memcpy(s->bound_text + w->flen, w->to, (size_t)w->tlen);
	struct mapq__bound *all[] = {&s->b.from, &s->b.to, &s->b.lower,
	                             &s->b.stop};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (all[i]->p == NULL || mapq__key_is_time(s->key))
			continue;
		if (w->from != NULL && all[i]->p == w->from)
			all[i]->p = s->bound_text;
		else if (w->to != NULL && all[i]->p == w->to)
			all[i]->p = s->bound_text + w->flen;
	}
	return MAPQ_OK;
}

/* A file of a set, with its first key (sets of more than one file). */
struct member {
	mapq_file *file;
	size_t index;
	int keyed;
	struct mapq__kv kv;
	unsigned char *copy;
};

/* The scan of a window over a set of files, one part per file. */
struct set_scan {
	struct selection sel;
	struct member *m;  /* in the sequence's order */
	size_t n, next;
};

static void set_scan_free(void *ctx)
{
	struct set_scan *c = ctx;
	mapq__probes_free(&c->sel.probes);
	mapq__order_free(&c->sel.order);
	free(c->sel.bound_text);
	for (size_t i = 0; i < c->n; i++)
		free(c->m[i].copy);
	free(c->m);
	free(c);
}

/*
 * File i of the set cannot hold lines of the window: each of its lines is
 * older than the next file's first key + slack (in a set in order), so
 * none is >= FROM when that first key is < FROM - slack.
 */
static int before_window(const struct set_scan *c, size_t i)
{
	return i + 1 < c->n && c->m[i + 1].keyed &&
	       !mapq__kv_ge(c->sel.key, &c->m[i + 1].kv, &c->sel.b.lower);
}

/*
 * A file of the set that is not searched: its sample is checked, among
 * itself and after the lines of the set seen so far.
 */
static int sample_only(struct selection *s, mapq_file *f, mapq_error *err)
{
	s->file = s->order.file = f;
	mapq__probes_free(&s->probes);
	mapq__probes_init(&s->probes, s->key, s->b.cut);
	int rc = sample(f, s->key, &s->probes, err);
	if (rc == MAPQ_OK)
		rc = check_points(f, s->key, &s->b, &s->probes, err);
	if (rc != MAPQ_OK)
		return rc;
	rc = mapq__probes_check(&s->probes, 0, UINT64_MAX, &s->order);
	return rc == 1 ? MAPQ_OK : order_failed(s, rc, err);
}

/* Set up the part of the next file that holds lines of the window. */
static int next_part(void *ctx, mapq_scan *scan, mapq_error *err)
{
	struct set_scan *c = ctx;
	struct selection *s = &c->sel;
	while (c->next < c->n && !s->stopped) {
		size_t i = c->next++;
		mapq_file *f = c->m[i].file;
		s->file = s->order.file = f;
		s->line = 0;
		mapq__probes_free(&s->probes);
		mapq__probes_init(&s->probes, s->key, s->b.cut);
		int rc;
		if (before_window(c, i)) {
			if ((rc = sample_only(s, f, err)) != MAPQ_OK)
				return rc;
			s->in = 0;
			continue;
		}
		uint64_t start, end;
		int contiguous;
		rc = plan(f, s->key, &s->b, &s->probes, &start, &end,
		          &contiguous, err);
		if (rc != MAPQ_OK)
			return rc;
		/* Lines without a key at the start of this file go with the
		 * last keyed line of the file before it. */
		if (s->in)
			start = 0;
		if (contiguous) {
			rc = mapq__probes_check(&s->probes, 0, UINT64_MAX,
			                        &s->order);
			if (rc != 1)
				return order_failed(s, rc, err);
			uint64_t size = mapq__data_size(f);
			s->in = end == size && start < end;
			s->stopped = end < size;
			mapq__scan_part_range(scan, f, start, end);
			return 1;
		}
		/* The lines sampled before the start came before it. */
		rc = mapq__probes_check(&s->probes, 0, start, &s->order);
		if (rc != 1)
			return order_failed(s, rc, err);
		s->numbered = start == 0;
		mapq__scan_part_select(scan, f, start, select_line, s);
		return 1;
	}
	/* The window has ended: the files after it are only sampled, for
	 * the order check (a second run of the log in one of them). */
	while (c->next < c->n) {
		int rc = sample_only(s, c->m[c->next++].file, err);
		if (rc != MAPQ_OK)
			return rc;
	}
	return 0;
}

/* The first keyed line of f: 1 with *kv (its bytes copied into *copy),
 * 0 when f has none. */
static int first_key(mapq_file *f, mapq_key *key, struct mapq__kv *kv,
                     unsigned char **copy, mapq_error *err);

static int member_order(const struct member *a, const struct member *b,
                        const mapq_key *key)
{
	if (a->keyed != b->keyed)
		return a->keyed - b->keyed; /* keyless files first */
	if (a->keyed) {
		int c = mapq__key_is_time(key)
		                ? (a->kv.t > b->kv.t) - (a->kv.t < b->kv.t)
		                : mapq_key_compare(a->kv.p, a->kv.n, b->kv.p,
		                                   b->kv.n);
		if (c != 0)
			return c;
	}
	return (a->index > b->index) - (a->index < b->index);
}

/* Put the files of a set in their sequence's order, by first key. */
static int order_set(struct set_scan *c, mapq_key *key, mapq_error *err)
{
	for (size_t i = 0; i < c->n; i++) {
		if (!mapq__file_random_access(c->m[i].file))
			return mapq__error_set(err, MAPQ_ENOTSUP, 0,
			                       "%s: a stream cannot be one of "
			                       "several files",
			                       mapq_file_name(c->m[i].file));
		int k = first_key(c->m[i].file, key, &c->m[i].kv, &c->m[i].copy,
		                  err);
		if (k < 0)
			return k;
		c->m[i].keyed = k == 1;
	}
	/* Insertion sort: sets are a handful of files, and qsort would need
	 * the key in a global. */
	for (size_t i = 1; i < c->n; i++)
		for (size_t j = i;
		     j > 0 && member_order(&c->m[j - 1], &c->m[j], key) > 0; j--) {
			struct member t = c->m[j];
			c->m[j] = c->m[j - 1];
			c->m[j - 1] = t;
		}
	return MAPQ_OK;
}

int mapq_bisect_scan_files(mapq_scan **out, mapq_file **files, size_t n,
                           mapq_key *key, const mapq_window *w,
                           unsigned flags, mapq_error *err)
{
	if (out == NULL || files == NULL || n == 0)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no files");
	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (files[i] == NULL)
			return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	struct set_scan *c = calloc(1, sizeof *c);
	if (c == NULL || (c->m = calloc(n, sizeof *c->m)) == NULL) {
		free(c);
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	}
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		c->m[i].file = files[i];
		c->m[i].index = i;
	}
	struct selection *s = &c->sel;
	s->key = key;
	s->file = files[0];
	int rc = make_bounds(files[0], key, w, &s->b, err);
	mapq__probes_init(&s->probes, key, s->b.cut);
	mapq__order_init(&s->order, key, s->b.slack, s->b.cut);
	if (rc == MAPQ_OK && own_bounds(s, w) != MAPQ_OK)
		rc = mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	/* One file is read as it is: a stream's first key is not read
	 * ahead. */
	if (rc == MAPQ_OK && n > 1)
		rc = order_set(c, key, err);
	/* With no lower bound, keyless lines at the start are inside too
	 * (as bisection for an empty bound starts at the start). */
	s->in = w->from == NULL || (w->flen == 0 && !mapq__key_is_time(key));
	if (rc != MAPQ_OK) {
		set_scan_free(c);
		return rc;
	}
	rc = mapq__scan_create_parts(out, flags, next_part, c, set_scan_free,
	                             err);
	if (rc != MAPQ_OK)
		return rc;
	/* The first part now: bisection's errors come from here. */
	mapq_scan *scan = *out;
	rc = next_part(c, scan, err);
	if (rc < 0) {
		mapq_scan_destroy(scan);
		*out = NULL;
		return rc;
	}
	return MAPQ_OK;
}

int mapq_bisect_scan(mapq_scan **out, mapq_file *f, mapq_key *key,
                     const mapq_window *w, unsigned flags, mapq_error *err)
{
	if (f == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	return mapq_bisect_scan_files(out, &f, 1, key, w, flags, err);
}

int mapq_bisect_window(mapq_file *f, mapq_key *key, const mapq_window *w,
                       uint64_t *start, uint64_t *end, mapq_error *err)
{
	if (start == NULL || end == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no output");
	mapq_scan *s;
	int rc = mapq_bisect_scan(&s, f, key, w, MAPQ_SCAN_LINES, err);
	if (rc != MAPQ_OK)
		return rc;
	/* The windows handed out run from the first line in the window to
	 * the end of the last (with a slack, lines outside it may lie
	 * between). */
	mapq_view v;
	uint64_t a = 0, b = 0;
	int any = 0;
	while ((rc = mapq_scan_next(s, &v, err)) > 0) {
		if (!any)
			a = v.offset;
		any = 1;
		b = v.offset + v.size;
	}
	if (rc == 0 && !any && mapq_scan_start(s, &a) != MAPQ_OK)
		a = 0;
	mapq_scan_destroy(s);
	if (rc < 0)
		return rc;
	*start = a;
	*end = any ? b : a;
	return MAPQ_OK;
}

/* ---- --check: one linear pass ---- */

int mapq_bisect_check(mapq_file *f, mapq_key *key, const mapq_window *w,
                      mapq_disorder *where, mapq_error *err)
{
	if (f == NULL || where == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file");
	memset(where, 0, sizeof *where);
	int time = mapq__key_is_time(key);
	int64_t slack = w != NULL ? w->slack : 0;
	uint64_t cut = UINT64_MAX;
	if (w != NULL && (w->from != NULL || w->to != NULL))
		cut = w->flen > w->tlen ? w->flen : w->tlen;
	if (slack < 0 || (slack > 0 && !time))
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "%s: a slack needs a time key",
		                       mapq_file_name(f));
	struct mapq__order o;
	mapq__order_init(&o, key, slack, time ? UINT64_MAX : cut);
	struct mapq__scan s;
	mapq__scan_init(&s, f, 0, MAPQ_SIZE_UNKNOWN, 0, MAPQ_SCAN_LINES);
	mapq_view win;
	uint64_t line = 0;
	int sorted = 1, rc;
	while (sorted && (rc = mapq__scan_next(&s, &win, err)) > 0) {
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, win.file)) {
			rc = mapq__guard_failed(&g, err);
			break;
		}
		const unsigned char *p = win.data, *end = p + win.size;
		while (p < end) {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			const unsigned char *e = nl != NULL ? nl : end;
			uint64_t at = win.offset + (uint64_t)(p - win.data);
			line++;
			struct mapq__kv kv;
			rc = mapq__key_value(key, p, (uint64_t)(e - p), &kv, err);
			if (rc != MAPQ_OK) {
				rc = mapq__key_failed(err, rc, f, at);
				break;
			}
			/* A line without a time is a continuation; a byte
			 * key's empty key sorts first, so it is checked. */
			if (kv.keyed || !time) {
				rc = mapq__order_see(&o, &kv, at, line);
				if (rc < 0) {
					rc = mapq__error_set(err, MAPQ_ENOMEM, 0,
					                     "%s: out of memory",
					                     mapq_file_name(f));
					break;
				}
				if (rc == 0) {
					where->line = line;
					where->offset = at;
					where->length = (uint64_t)(e - p);
					/* A copy: a stream's line cannot be
					 * read again. */
					where->text = malloc(where->length > 0
					                             ? where->length
					                             : 1);
					if (where->text != NULL)
						memcpy(where->text, p,
						       where->length);
					sorted = 0;
					rc = 1;
					break;
				}
			}
			rc = 1;
			p = nl != NULL ? nl + 1 : end;
		}
		mapq__guard_pop(&g);
		if (rc < 0)
			break;
	}
	mapq__scan_finish(&s);
	mapq__order_free(&o);
	return rc < 0 ? rc : sorted;
}

/* ---- sets of files ---- */

/* The first keyed line of f: 1 with *kv (its bytes copied into *copy),
 * 0 when f has none. */
static int first_key(mapq_file *f, mapq_key *key, struct mapq__kv *kv,
                     unsigned char **copy, mapq_error *err)
{
	struct mapq__scan s;
	mapq__scan_init(&s, f, 0, MAPQ_SIZE_UNKNOWN, 64 << 10, MAPQ_SCAN_LINES);
	mapq_view win;
	int rc, found = 0;
	while (!found && (rc = mapq__scan_next(&s, &win, err)) > 0) {
		struct mapq__guard g;
		if (!MAPQ__GUARDED(g, win.file)) {
			rc = mapq__guard_failed(&g, err);
			break;
		}
		const unsigned char *p = win.data, *end = p + win.size;
		while (p < end && !found) {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			const unsigned char *e = nl != NULL ? nl : end;
			rc = mapq__key_value(key, p, (uint64_t)(e - p), kv, err);
			if (rc != MAPQ_OK) {
				rc = mapq__key_failed(err, rc, f,
				                      win.offset +
				                              (uint64_t)(p - win.data));
				break;
			}
			if (kv->keyed) {
				*copy = malloc(kv->n > 0 ? (size_t)kv->n : 1);
				if (*copy == NULL) {
					rc = mapq__error_set(err, MAPQ_ENOMEM, 0,
					                     "%s: out of memory",
					                     mapq_file_name(f));
					break;
				}
				memcpy(*copy, kv->p, (size_t)kv->n);
				kv->p = *copy;
				found = 1;
			}
			p = nl != NULL ? nl + 1 : end;
		}
		mapq__guard_pop(&g);
		if (rc < 0)
			break;
	}
	mapq__scan_finish(&s);
	return rc < 0 ? rc : found;
}

