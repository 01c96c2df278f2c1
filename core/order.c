/*
 * order.c - are the keys in order?  The check bisection relies on: a
 * window found by bisecting is only right when the file is sorted (within
 * the slack), so every key that bisection, sampling or the window's scan
 * reads anyway is checked against the newest key before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "input/input.h"
#include "order.h"
#include "timefmt.h"

void mapq__order_init(struct mapq__order *o, const mapq_key *key,
                      int64_t slack, uint64_t cut)
{
	memset(o, 0, sizeof *o);
	o->key = key;
	o->time = mapq__key_is_time(key);
	o->slack = slack;
	o->cut = cut;
}

void mapq__order_free(struct mapq__order *o)
{
	free(o->max_p);
	o->max_p = NULL;
}

/* Byte keys cut to `cut` bytes, compared as strings. */
static int compare_cut(const unsigned char *a, uint64_t alen,
                       const unsigned char *b, uint64_t blen, uint64_t cut)
{
	if (alen > cut)
		alen = cut;
	if (blen > cut)
		blen = cut;
	uint64_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, (size_t)n) : 0;
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

int mapq__order_see(struct mapq__order *o, const struct mapq__kv *kv,
                    uint64_t off, uint64_t line)
{
	if (o->time) {
		if (o->have && kv->t < o->max_t &&
		    o->max_t - kv->t > o->slack) {
			o->bad_off = off;
			o->bad_line = line;
			o->behind = o->max_t - kv->t;
			return 0;
		}
		if (!o->have || kv->t > o->max_t) {
			o->max_t = kv->t;
			o->max_off = off;
			o->max_line = line;
			o->max_file = o->file;
		}
		o->have = 1;
		return 1;
	}
	if (o->have && compare_cut(kv->p, kv->n, o->max_p, o->max_n, o->cut) < 0) {
		o->bad_off = off;
		o->bad_line = line;
		return 0;
	}
	/* Keys never decrease: the last one is the newest.  Keep a copy,
	 * since the line's bytes go away with the scan's window. */
	uint64_t n = kv->n < o->cut ? kv->n : o->cut;
	if (n > o->max_cap) {
		if (n > SIZE_MAX / 2)
			return MAPQ_ENOMEM;
		size_t cap = (size_t)n * 2;
		unsigned char *p = realloc(o->max_p, cap);
		if (p == NULL)
			return MAPQ_ENOMEM;
		o->max_p = p;
		o->max_cap = cap;
	}
	if (n > 0)
		memcpy(o->max_p, kv->p, (size_t)n);
	o->max_n = n;
	o->max_off = off;
	o->max_line = line;
	o->max_file = o->file;
	o->have = 1;
	return 1;
}

/* The line number of the line at `off`, counted when not known. */
static int line_of(mapq_file *f, uint64_t off, uint64_t known, uint64_t *line,
                   mapq_error *err)
{
	if (known != 0) {
		*line = known;
		return MAPQ_OK;
	}
	uint64_t n = 0;
	int rc = off > 0 ? mapq_lines_count_newlines(f, 0, off, &n, err)
	                 : MAPQ_OK;
	*line = n + 1;
	return rc;
}

int mapq__order_error(struct mapq__order *o, mapq_error *err)
{
	uint64_t bad, max;
	int rc = line_of(o->file, o->bad_off, o->bad_line, &bad, err);
	if (rc == MAPQ_OK)
		rc = line_of(o->max_file, o->max_off, o->max_line, &max, err);
	if (rc != MAPQ_OK)
		return rc;
	/* "line 9", or "line 9 of FILE" when it is in another file. */
	char where[64 + 4096];
	int other = o->max_file != o->file && o->max_file != NULL;
	snprintf(where, sizeof where, "line %llu%s%.4000s",
	         (unsigned long long)max, other ? " of " : "",
	         other ? mapq_file_name(o->max_file) : "");
	if (!o->time)
		return mapq__error_set(err, MAPQ_EORDER, 0,
		                       "%s: line %llu sorts before %s: the lines "
		                       "are not sorted by the key",
		                       mapq_file_name(o->file),
		                       (unsigned long long)bad, where);
	char behind[48], slack[48];
	mapq__duration_format(o->behind, behind, sizeof behind);
	mapq__duration_format(o->slack, slack, sizeof slack);
	return mapq__error_set(err, MAPQ_EORDER, 0,
	                       "%s: line %llu is %s behind %s, more than the "
	                       "slack (%s): the lines are not in time order",
	                       mapq_file_name(o->file), (unsigned long long)bad,
	                       behind, where, slack);
}

void mapq__probes_init(struct mapq__probes *pr, const mapq_key *key,
                       uint64_t cut)
{
	memset(pr, 0, sizeof *pr);
	pr->key = key;
	pr->cut = cut;
}

void mapq__probes_free(struct mapq__probes *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->pt[i].p);
	free(pr->pt);
	pr->pt = NULL;
	pr->n = pr->cap = 0;
}

void mapq__probes_add(struct mapq__probes *pr, uint64_t off,
                      const struct mapq__kv *kv)
{
	if (pr == NULL || !kv->keyed)
		return;
	if (pr->n == pr->cap) {
		size_t cap = pr->cap > 0 ? pr->cap * 2 : 64;
		struct mapq__point *pt = realloc(pr->pt, cap * sizeof *pt);
		if (pt == NULL) {
			pr->failed = 1;
			return;
		}
		pr->pt = pt;
		pr->cap = cap;
	}
	struct mapq__point *p = &pr->pt[pr->n];
	p->off = off;
	p->t = kv->t;
	p->p = NULL;
	p->n = 0;
	if (!mapq__key_is_time(pr->key)) {
		uint64_t n = kv->n < pr->cut ? kv->n : pr->cut;
		p->p = malloc(n > 0 ? (size_t)n : 1);
		if (p->p == NULL) {
			pr->failed = 1;
			return;
		}
		if (n > 0)
			memcpy(p->p, kv->p, (size_t)n);
		p->n = n;
	}
	pr->n++;
}

static int by_offset(const void *a, const void *b)
{
	const struct mapq__point *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

void mapq__probes_sort(struct mapq__probes *pr)
{
	if (pr->n < 2)
		return;
	qsort(pr->pt, pr->n, sizeof *pr->pt, by_offset);
	size_t w = 1;
	for (size_t i = 1; i < pr->n; i++) {
		if (pr->pt[i].off == pr->pt[w - 1].off) {
			free(pr->pt[i].p);
			continue;
		}
		pr->pt[w++] = pr->pt[i];
	}
	pr->n = w;
}

int mapq__probes_check(const struct mapq__probes *pr, uint64_t lo, uint64_t hi,
                       struct mapq__order *o)
{
	for (size_t i = 0; i < pr->n; i++) {
		const struct mapq__point *p = &pr->pt[i];
		if (p->off < lo || p->off >= hi)
			continue;
		struct mapq__kv kv = {.keyed = 1, .p = p->p, .n = p->n, .t = p->t};
		int rc = mapq__order_see(o, &kv, p->off, 0);
		if (rc != 1)
			return rc;
	}
	return 1;
}
