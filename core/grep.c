/*
 * grep.c - the grep iterator (mapq_grep_*): the selected lines of a file
 * and their context, in file order, from one thread or several.
 *
 * One engine (grep_lines.c) walks windows in order.  Where the input is
 * a stream, a pread file or compressed, the windows come from a scan.  A
 * mapped file is cut into pieces: piece k is [adj(s + kP), adj(s + (k+1)P))
 * of the range [s, e), where adj(x) is the first line start at or after x,
 * so each piece's bounds are known without its neighbours.  One thread
 * feeds the pieces to one engine as its windows.  Several threads each run
 * an engine over one piece at a time, and the calling thread merges:
 *
 * - before-context: a piece's engine may walk back into the mapping below
 *   the piece; lines the previous piece already yielded are dropped here
 *   by offset (records only ever move forward);
 * - after-context: at its end, a piece's engine goes on into the next
 *   piece while lines are owed, and stops at the first line that piece
 *   will select itself;
 * - line numbers: each piece numbers from a bias and counts its newlines;
 *   the merge adds the sum of the earlier pieces' counts (a prefix sum of
 *   counts made in parallel, never a serial pass);
 * - -m: pieces stop at max_count of their own; the merge stops at the
 *   global count and yields the trailing context itself;
 * - binary data: a NUL makes data binary from the start of its piece, as
 *   the one-thread path decides it from the start of its window (= piece).
 *
 * With MAPQ_GREP_NULL_DATA a line is a NUL-terminated record: `eol` is
 * what ends one everywhere above (pieces, numbers, context), and input
 * that is not mapped goes through mapq__grep_records (grep_lines.c).
 *
 * Records travel in blocks through a queue per piece, at most a few
 * blocks per piece and a few pieces ahead of the merge: memory is bounded
 * whatever the output.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "grep_lines.h"
#include "input/input.h"
#include "lines.h"

/* Line numbers inside a piece start here, so that before-context walking
 * back into the previous piece numbers below it without wrapping. */
#define NUMBER_BIAS ((uint64_t)1 << 62)

#define BLOCK_LINES 1024    /* records per block */
#define BLOCKS_PER_PIECE 4  /* published, not yet merged */
#define PIECES_AHEAD 2      /* pieces in flight per thread */
#define THREADS_MAX 256
/* At most this many pieces: a huge file gets bigger ones, so that the cost
 * of handing out a piece stays small beside its search. */
#define PIECES_MAX ((uint64_t)1 << 16)

struct block {
	struct block *next;
	size_t n;
	struct mapq__grep_line lines[BLOCK_LINES];
	size_t span_at[BLOCK_LINES + 1]; /* spans of line i: [span_at[i],
	                                  * span_at[i + 1]) */
	mapq_grep_span *spans;
	size_t n_spans, cap_spans;
};

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

/* A piece in flight: claimed by a worker, merged by the caller. */
struct slot {
	uint64_t index;
	enum slot_state state;
	struct block *head, *tail; /* published blocks */
	size_t queued;
	int started;               /* start, end, nul are known */
	uint64_t start, end;
	int nul;
	uint64_t nul_offset;
	uint64_t newlines;         /* '\n' in [start, end) (with numbers) */
	uint64_t selected;         /* lines selected (count only) */
	uint64_t selected_end;     /* after the last of them */
	int rc;
	mapq_error err;
};

struct mapq_grep {
	mapq_file *f;
	mapq_grep_options o;
	unsigned flags;
	int null_data;            /* MAPQ_GREP_NULL_DATA */
	int convert;              /* MAPQ_GREP_BINARY_CONVERT, not under -z */
	unsigned char eol;        /* '\n', or NUL with null_data */
	int detect;               /* binary detection on */
	int no_match;             /* binary data has no match (-I) */
	mapq_search *search;      /* the caller's thread's */
	int rc;                   /* sticky: 0 running, 1 done, <0 error */
	mapq_error err;

	/* The range, for a mapped file. */
	int mapped;
	const unsigned char *map;
	uint64_t start, end;
	uint64_t piece;
	uint64_t n_pieces;
	uint64_t first_line;      /* the caller's number of the first line */
	uint64_t rel_lo;          /* pages below were released */

	/* One engine: over a scan, or over the pieces in turn. */
	mapq_scan *scan;
	struct mapq__grep_records recs; /* the scan's records (null_data) */
	struct mapq__grep_engine eng;
	int begun;                /* the first mapq_grep_next() was made */
	int numbered;             /* the scan's first line number is known */
	uint64_t next_piece;      /* one thread: the next piece to feed */

	/* The merge (several threads). */
	unsigned threads;
	pthread_t *tids;
	unsigned started_threads;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;   /* workers wait for room */
	pthread_cond_t data_cv;   /* the merge waits for records */
	int stop;
	int merge_waits;          /* the merge sleeps on data_cv */
	unsigned workers_wait;    /* workers sleeping on work_cv */
	struct slot *slots;       /* ring of n_slots */
	uint64_t n_slots;
	uint64_t claim;           /* next piece to claim */
	uint64_t cur;             /* the piece being merged */
	int cur_entered;
	struct block *cur_block;  /* being read by the merge */
	size_t cur_at;
	uint64_t base;            /* number of the current piece's first line */
	uint64_t last_end;
	int have_last;
	int binary_seen;          /* a piece entered so far holds a NUL */
	int trailing;             /* -m reached: the trail engine runs */
	struct mapq__grep_engine trail;

	/* Spans of the record handed out (one thread). */
	mapq_grep_span *spans;
	size_t n_spans, cap_spans;

	mapq_grep_summary sum;
};

/* ---- pieces ----------------------------------------------------------- */

/* The first line start at or after x, within the range. */
static uint64_t adjust(const struct mapq_grep *g, uint64_t x)
{
	if (x <= g->start)
		return g->start;
	if (x >= g->end)
		return g->end;
	if (g->map[x - 1] == g->eol)
		return x;
	const unsigned char *nl = memchr(g->map + x, g->eol, g->end - x);
	return nl != NULL ? (uint64_t)(nl - g->map) + 1 : g->end;
}

/*
 * Piece k: [adj(a), adj(b)) for its nominal bounds a, b.  When no line
 * starts in [a, b) the piece is empty, found by looking at [a, b) alone:
 * a line of gigabytes (a sparse file's zeros) is then scanned once, by the
 * piece where it starts, not once by every piece it covers.
 */
static void piece_bounds(const struct mapq_grep *g, uint64_t k, uint64_t *s,
                         uint64_t *e)
{
	uint64_t len = g->end - g->start;
	uint64_t a = k * g->piece, b = (k + 1) * g->piece;
	a = g->start + (a < len ? a : len);
	b = g->start + (b < len ? b : len);
	if (a > g->start && g->map[a - 1] != g->eol) {
		const unsigned char *nl =
		        a < b ? memchr(g->map + a, g->eol, b - a) : NULL;
		if (nl == NULL || (uint64_t)(nl - g->map) + 1 >= b) {
			*s = *e = b; /* no line starts here */
			return;
		}
		a = (uint64_t)(nl - g->map) + 1;
	}
	*s = a;
	*e = adjust(g, b);
}

/*
 * The pieces before `e` are done with: let their pages go.  The previous
 * piece is released again with this one: a piece that starts inside a page
 * faults it back in (with the kernel's fault-around, or a whole huge page
 * of a tmpfs file), and before-context walks back into the piece before.
 */
static void release_to(struct mapq_grep *g, uint64_t s, uint64_t e)
{
	mapq__release(g->f, g->rel_lo, e);
	g->rel_lo = s;
}

/* Engine settings shared by every engine of this grep. */
static void engine_setup(const struct mapq_grep *g, struct mapq__grep_engine *e,
                         mapq_search *s)
{
	memset(e, 0, sizeof *e);
	e->search = s;
	e->flags = g->flags;
	e->null_data = g->null_data;
	e->detect_binary = g->detect;
	e->binary_no_match = g->no_match;
	e->convert_nul = g->convert;
	e->before = g->o.before;
	e->after = g->o.after;
	e->max_count = g->o.max_count;
	/* Converted windows are copies: -B takes its lines from the carry
	 * of those copies, not from the mapping. */
	if (g->mapped && !e->convert_nul) {
		e->mapped = g->map;
		e->lo = g->start;
	}
	mapq__grep_engine_init(e);
}

/* ---- workers (several threads) ------------------------------------------ */

struct worker {
	struct mapq_grep *g;
	mapq_search *search;
	struct block *blk;
};

static struct block *block_new(void)
{
	struct block *b = calloc(1, sizeof *b);
	return b;
}

static void block_free(struct block *b)
{
	if (b != NULL) {
		free(b->spans);
		free(b);
	}
}

/* Hand a full (or last) block to the merge; wait while the piece has too
 * many waiting.  Returns 0, or -1 when the grep is stopping. */
static int publish(struct mapq_grep *g, struct slot *sl, struct block **bp)
{
	struct block *b = *bp;
	*bp = NULL;
	pthread_mutex_lock(&g->mu);
	while (!g->stop && sl->queued >= BLOCKS_PER_PIECE) {
		g->workers_wait++;
		pthread_cond_wait(&g->work_cv, &g->mu);
		g->workers_wait--;
	}
	int stop = g->stop;
	if (!stop) {
		b->next = NULL;
		if (sl->tail != NULL)
			sl->tail->next = b;
		else
			sl->head = b;
		sl->tail = b;
		sl->queued++;
		/* Wake-ups cost system calls: only when someone sleeps. */
		if (g->merge_waits)
			pthread_cond_broadcast(&g->data_cv);
	}
	pthread_mutex_unlock(&g->mu);
	if (stop)
		block_free(b);
	return stop ? -1 : 0;
}

/* Add a line (and its spans) to the worker's block. */
static int add_line(struct worker *wk, struct slot *sl,
                    const struct mapq__grep_line *l, mapq_error *err)
{
	struct mapq_grep *g = wk->g;
	if (wk->blk == NULL && (wk->blk = block_new()) == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	struct block *b = wk->blk;
	b->lines[b->n] = *l;
	b->span_at[b->n] = b->n_spans;
	int matches = (l->kind == MAPQ_GREP_SELECTED) !=
	              ((g->flags & MAPQ_GREP_INVERT) != 0);
	if (matches && (g->flags & (MAPQ_GREP_SPANS | MAPQ_GREP_SPANS_ALL)) &&
	    !l->binary) {
		int rc = mapq__grep_spans(wk->search, l->line, l->length, g->flags,
		                          &b->spans, &b->n_spans,
		                          &b->cap_spans, err);
		if (rc < 0)
			return rc;
	}
	b->n++;
	b->span_at[b->n] = b->n_spans;
	if (b->n == BLOCK_LINES && publish(g, sl, &wk->blk) != 0)
		return 1;
	return 0;
}

struct piece_job {
	struct worker *wk;
	struct slot *sl;
	struct mapq__grep_engine *e;
	mapq_error *err;
	int stopped;
};

/*
 * -I: the search ends at the first piece holding a NUL byte, context
 * included: an extension of after-context into [first piece k, xe) stops
 * at the start of such a piece.
 */
static uint64_t before_binary(const struct mapq_grep *g, uint64_t k, uint64_t xe)
{
	for (; k < g->n_pieces; k++) {
		uint64_t s, e;
		piece_bounds(g, k, &s, &e);
		if (s >= xe)
			break;
		if (memchr(g->map + s, '\0', e - s) != NULL)
			return s;
	}
	return xe;
}

/* Run the piece's engine to its end, under the guard (the caller's). */
static int run_piece(struct piece_job *job)
{
	struct mapq_grep *g = job->wk->g;
	struct slot *sl = job->sl;
	struct mapq__grep_engine *e = job->e;
	mapq_view w = {g->map + sl->start, sl->end - sl->start, sl->start, g->f};
	struct mapq__grep_line l;
	int rc;

	e->num_pos = sl->start;
	e->num_line = NUMBER_BIAS;
	mapq__grep_engine_feed(e, &w);
	pthread_mutex_lock(&g->mu);
	sl->nul = e->binary;
	sl->nul_offset = e->binary_offset;
	sl->started = 1;
	if (g->merge_waits)
		pthread_cond_broadcast(&g->data_cv);
	pthread_mutex_unlock(&g->mu);

	while ((rc = mapq__grep_engine_next(e, &l, job->err)) == 1) {
		if ((rc = add_line(job->wk, sl, &l, job->err)) != 0) {
			job->stopped = rc > 0;
			return rc > 0 ? 0 : rc;
		}
		/* The merge has what it needs (-m, -q, an error, the
		 * caller's destroy): stop without waiting for a queue. */
		if (__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
			job->stopped = 1;
			return 0;
		}
	}
	if (rc < 0)
		return rc;
	sl->newlines = e->num_line - NUMBER_BIAS;
	sl->selected = e->selected;
	sl->selected_end = e->selected_end;
	/* After-context owed at the piece's end runs into what follows, up
	 * to the first line the next pieces select themselves. */
	if (!e->done && e->after_left > 0 && sl->end < g->end &&
	    !(g->flags & MAPQ_GREP_COUNT_ONLY)) {
		/* Only the lines owed: a search for the next match must not
		 * run on past them. */
		uint64_t xe = g->end;
		const unsigned char *nl =
		        mapq__find_nth_byte(g->map + sl->end, g->end - sl->end,
		                            e->after_left, g->eol, NULL);
		if (nl != NULL)
			xe = (uint64_t)(nl - g->map) + 1;
		if (g->no_match)
			xe = before_binary(g, sl->index + 1, xe);
		mapq_view x = {g->map + sl->end, xe - sl->end, sl->end, g->f};
		e->stop_at_select = 1;
		e->detect_binary = 0;
		mapq__grep_engine_feed(e, &x);
		while ((rc = mapq__grep_engine_next(e, &l, job->err)) == 1) {
			if ((rc = add_line(job->wk, sl, &l, job->err)) != 0) {
				job->stopped = rc > 0;
				return rc > 0 ? 0 : rc;
			}
			if (e->after_left == 0)
				break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int guarded_piece(struct piece_job *job)
{
	struct mapq__guard gd;
	if (!MAPQ__GUARDED(gd, job->wk->g->f))
		return mapq__guard_failed(&gd, job->err);
	int rc = run_piece(job);
	mapq__guard_pop(&gd);
	return rc;
}

/* Search one piece into its slot. */
static void work_piece(struct worker *wk, struct slot *sl)
{
	struct mapq_grep *g = wk->g;
	struct mapq__grep_engine e;
	engine_setup(g, &e, wk->search);
	struct piece_job job = {wk, sl, &e, &sl->err, 0};
	int rc;
	{
		struct mapq__guard gd;
		if (!MAPQ__GUARDED(gd, g->f)) {
			rc = mapq__guard_failed(&gd, &sl->err);
		} else {
			piece_bounds(g, sl->index, &sl->start, &sl->end);
			mapq__guard_pop(&gd);
			rc = guarded_piece(&job);
		}
	}
	/* What was found before an error is still output. */
	if (!job.stopped && wk->blk != NULL && wk->blk->n > 0)
		job.stopped = publish(g, sl, &wk->blk) != 0;
	mapq__grep_engine_free(&e);
	if (g->o.progress != NULL)
		__atomic_fetch_add(g->o.progress, sl->end - sl->start,
		                   __ATOMIC_RELAXED);
	pthread_mutex_lock(&g->mu);
	sl->rc = rc;
	sl->started = 1;
	sl->state = SLOT_DONE;
	pthread_cond_broadcast(&g->data_cv);
	pthread_mutex_unlock(&g->mu);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct mapq_grep *g = wk->g;
	for (;;) {
		pthread_mutex_lock(&g->mu);
		while (!g->stop && g->claim < g->n_pieces &&
		       g->claim >= g->cur + g->n_slots) {
			g->workers_wait++;
			pthread_cond_wait(&g->work_cv, &g->mu);
			g->workers_wait--;
		}
		if (g->stop || g->claim >= g->n_pieces) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		struct slot *sl = &g->slots[g->claim % g->n_slots];
		memset(sl, 0, sizeof *sl);
		sl->index = g->claim++;
		sl->state = SLOT_RUNNING;
		pthread_mutex_unlock(&g->mu);
		work_piece(wk, sl);
	}
	block_free(wk->blk);
	mapq_search_destroy(wk->search);
	free(wk);
	return NULL;
}

static int start_workers(struct mapq_grep *g, mapq_error *err)
{
	g->n_slots = (uint64_t)g->threads * PIECES_AHEAD;
	g->slots = calloc((size_t)g->n_slots, sizeof *g->slots);
	g->tids = calloc(g->threads, sizeof *g->tids);
	if (g->slots == NULL || g->tids == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work_cv, NULL);
	pthread_cond_init(&g->data_cv, NULL);
	for (unsigned i = 0; i < g->threads; i++) {
		struct worker *wk = calloc(1, sizeof *wk);
		if (wk == NULL)
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		wk->g = g;
		int rc = mapq_search_create(&wk->search, g->o.matcher, err);
		if (rc != MAPQ_OK) {
			free(wk);
			return rc;
		}
		if (pthread_create(&g->tids[i], NULL, worker_main, wk) != 0) {
			mapq_search_destroy(wk->search);
			free(wk);
			return mapq__error_set(err, MAPQ_ESYS, 0,
			                       "cannot start a thread");
		}
		g->started_threads++;
	}
	return MAPQ_OK;
}

static void stop_workers(struct mapq_grep *g)
{
	if (g->tids == NULL)
		return;
	if (g->started_threads > 0) {
		pthread_mutex_lock(&g->mu);
		__atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&g->work_cv);
		pthread_mutex_unlock(&g->mu);
		for (unsigned i = 0; i < g->started_threads; i++)
			pthread_join(g->tids[i], NULL);
	}
	for (uint64_t i = 0; i < g->n_slots; i++) {
		struct block *b = g->slots[i].head;
		while (b != NULL) {
			struct block *n = b->next;
			block_free(b);
			b = n;
		}
	}
	block_free(g->cur_block);
	g->cur_block = NULL;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work_cv);
	pthread_cond_destroy(&g->data_cv);
	free(g->tids);
	g->tids = NULL;
	g->started_threads = 0;
}

/* ---- create --------------------------------------------------------- */

/* NUL-terminated records: the matcher must say so too, and only a byte
 * range applies (line ranges count newlines). */
static int null_data_check(const struct mapq_grep *g, mapq_error *err)
{
	if (g->null_data != mapq__matcher_null_data(g->o.matcher))
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "MAPQ_GREP_NULL_DATA and "
		                       "MAPQ_MATCH_NULL_DATA must be given together");
	if (g->null_data && g->o.range != NULL &&
	    g->o.range->unit != MAPQ_RANGE_BYTES)
		return mapq__error_set(err, MAPQ_ENOTSUP, 0,
		                       "%s: a line range does not apply to "
		                       "NUL-terminated records",
		                       mapq_file_name(g->f));
	return MAPQ_OK;
}

/* A byte range over a mapping, to the records that start inside it. */
static int records_range(struct mapq_grep *g, const mapq_view *v,
                         mapq_error *err)
{
	int rc = mapq_range_resolve(g->f, g->o.range, MAPQ_RESOLVE_DEFAULT,
	                            &g->start, &g->end, err);
	if (rc != MAPQ_OK || g->start >= g->end) {
		g->end = g->start;
		return rc;
	}
	rc = mapq__view_next_start_after(v, g->start, g->eol, &g->start, err);
	if (rc == MAPQ_OK)
		rc = mapq__view_next_start_after(v, g->end, g->eol, &g->end, err);
	if (g->end < g->start)
		g->end = g->start;
	return rc;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : (unsigned)n;
}

int mapq_grep_create(mapq_grep **out, mapq_file *f, const mapq_grep_options *o,
                     mapq_error *err)
{
	if (out == NULL || f == NULL || o == NULL || o->matcher == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no file or matcher");
	*out = NULL;
	struct mapq_grep *g = calloc(1, sizeof *g);
	if (g == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "%s: out of memory",
		                       mapq_file_name(f));
	g->f = f;
	g->o = *o;
	if (g->o.max_count == 0)
		g->o.max_count = UINT64_MAX;
	g->flags = o->flags;
	g->null_data = (o->flags & MAPQ_GREP_NULL_DATA) != 0;
	g->eol = g->null_data ? '\0' : '\n';
	/* NUL ends records: nothing is binary (as grep -z in the C locale). */
	g->no_match = !g->null_data && o->binary == MAPQ_GREP_BINARY_NO_MATCH;
	g->convert = !g->null_data && o->binary == MAPQ_GREP_BINARY_CONVERT;
	g->detect = (!g->null_data && o->binary == MAPQ_GREP_BINARY_DETECT &&
	             !(o->flags & MAPQ_GREP_COUNT_ONLY)) ||
	            g->no_match;
	g->sum.binary_offset = UINT64_MAX;
	g->piece = o->piece > 0 ? o->piece : MAPQ_GREP_PIECE_DEFAULT;
	g->first_line = o->first_line;
	int rc = null_data_check(g, err);
	if (rc == MAPQ_OK)
		rc = mapq_search_create(&g->search, o->matcher, err);
	if (rc != MAPQ_OK)
		goto fail;
	g->mapped = mapq__file_mapped_plain(f);
	if (g->mapped) {
		mapq_view v;
		rc = mapq_file_view(f, &v, err);
		if (rc == MAPQ_OK && o->range != NULL && g->null_data)
			rc = records_range(g, &v, err);
		else if (rc == MAPQ_OK && o->range != NULL)
			rc = mapq_range_resolve(f, o->range, MAPQ_RESOLVE_ALIGN,
			                        &g->start, &g->end, err);
		else if (rc == MAPQ_OK)
			g->end = v.size;
		if (rc != MAPQ_OK)
			goto fail;
		g->map = v.data;
		uint64_t len = g->end - g->start;
		if (len / g->piece >= PIECES_MAX)
			g->piece = len / PIECES_MAX + 1;
		g->n_pieces = len / g->piece + (len % g->piece != 0);
		g->threads = o->threads > 0 ? o->threads : online_cpus();
		if (g->threads > THREADS_MAX)
			g->threads = THREADS_MAX;
		if (g->threads > g->n_pieces)
			g->threads = (unsigned)g->n_pieces;
		/* The calling thread does it all; always when converting
		 * (a converted piece lives in its engine's one buffer). */
		if (g->threads < 2 || g->convert)
			g->threads = 0;
	} else if (g->null_data) {
		/* All of the data, as records; the range is applied to them. */
		g->recs.eol = g->eol;
		rc = mapq__grep_records_range(&g->recs, f, o->range, err);
		if (rc == MAPQ_OK)
			rc = mapq_scan_create(&g->scan, f, NULL, 0,
			                      MAPQ_SCAN_DEFAULT, err);
		g->recs.scan = g->scan;
		if (rc != MAPQ_OK)
			goto fail;
	} else {
		rc = mapq_scan_create(&g->scan, f, o->range, 0,
		                      MAPQ_SCAN_LINES | MAPQ_SCAN_ALIGN, err);
		if (rc != MAPQ_OK)
			goto fail;
	}
	*out = g;
	return MAPQ_OK;
fail:
	mapq_grep_destroy(g);
	return rc;
}

void mapq_grep_destroy(mapq_grep *g)
{
	if (g == NULL)
		return;
	stop_workers(g);
	free(g->slots);
	mapq__grep_engine_free(&g->eng);
	mapq__grep_engine_free(&g->trail);
	mapq__grep_records_free(&g->recs);
	mapq_scan_destroy(g->scan);
	mapq_search_destroy(g->search);
	free(g->spans);
	free(g);
}

void mapq_grep_summary_get(const mapq_grep *g, mapq_grep_summary *s)
{
	if (g == NULL || s == NULL)
		return;
	*s = g->sum;
}

/* ---- the record handed out ------------------------------------------ */

/* Fill *rec from line l; spans from `spans` (threads) or computed here. */
static int hand_out(struct mapq_grep *g, const struct mapq__grep_line *l,
                    const mapq_grep_span *spans, size_t n_spans, int have_spans,
                    mapq_grep_record *rec, mapq_error *err)
{
	rec->kind = l->kind;
	rec->follows = g->have_last && l->offset == g->last_end;
	rec->line = l->line;
	rec->length = l->length;
	rec->newline = l->newline;
	rec->offset = l->offset;
	rec->number = l->number;
	rec->spans = NULL;
	rec->n_spans = 0;
	g->have_last = 1;
	g->last_end = l->offset + l->length + 1;
	int matches = (l->kind == MAPQ_GREP_SELECTED) !=
	              ((g->flags & MAPQ_GREP_INVERT) != 0);
	if (!matches || !(g->flags & (MAPQ_GREP_SPANS | MAPQ_GREP_SPANS_ALL)))
		return 1;
	if (have_spans) {
		rec->spans = spans;
		rec->n_spans = n_spans;
		return 1;
	}
	g->n_spans = 0;
	int rc = mapq__grep_spans(g->search, l->line, l->length, g->flags,
	                          &g->spans, &g->n_spans,
	                          &g->cap_spans, err);
	if (rc < 0)
		return rc;
	rec->spans = g->spans;
	rec->n_spans = g->n_spans;
	return 1;
}

/* A selected line was handed out: count it. */
static void count_selected(struct mapq_grep *g, const struct mapq__grep_line *l)
{
	g->sum.selected++;
	g->sum.selected_end = l->offset + l->length + (l->newline ? 1 : 0);
}

/* ---- one thread ------------------------------------------------------- */

/* The next window of the one engine: 1, 0 at the end, or an error. */
static int feed_next(struct mapq_grep *g, mapq_error *err)
{
	mapq_view w;
	if (g->null_data && g->scan != NULL) {
		int rc = mapq__grep_records_next(&g->recs, &w, err);
		if (rc <= 0)
			return rc;
		if (!g->numbered) {
			g->eng.num_pos = g->recs.start;
			g->eng.num_line = g->first_line > 0
			                          ? g->first_line
			                          : g->recs.skipped + 1;
			g->numbered = 1;
		}
	} else if (g->scan != NULL) {
		int rc = mapq_scan_next(g->scan, &w, err);
		if (rc <= 0)
			return rc;
		if (!g->numbered) {
			uint64_t start = 0, line = 1;
			if (mapq_scan_start(g->scan, &start) != MAPQ_OK)
				start = 0;
			if (g->first_line > 0)
				line = g->first_line;
			else if ((g->flags & MAPQ_GREP_NUMBERS) &&
			         (rc = mapq_scan_first_line(g->scan, &line,
			                                    err)) < 0)
				return rc;
			g->eng.num_pos = start;
			g->eng.num_line = line;
			g->numbered = 1;
		}
	} else {
		uint64_t s, e;
		do {
			if (g->next_piece >= g->n_pieces)
				return 0;
			piece_bounds(g, g->next_piece++, &s, &e);
		} while (s == e);
		if (g->eng.w.size > 0)
			release_to(g, g->eng.w.offset,
			           g->eng.w.offset + g->eng.w.size);
		w = (mapq_view){g->map + s, e - s, s, g->f};
	}
	g->sum.bytes_searched += w.size;
	if (g->o.progress != NULL)
		__atomic_fetch_add(g->o.progress, w.size, __ATOMIC_RELAXED);
	mapq__grep_engine_feed(&g->eng, &w);
	return 1;
}

static int next_single(struct mapq_grep *g, mapq_grep_record *rec,
                       mapq_error *err)
{
	struct mapq__grep_engine *e = &g->eng;
	struct mapq__grep_line l;
	for (;;) {
		int rc = mapq__grep_engine_next(e, &l, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (l.binary) {
				/* Selected, not shown: the search ends. */
				g->sum.binary_match = 1;
				count_selected(g, &l);
				continue;
			}
			if (l.kind == MAPQ_GREP_SELECTED)
				count_selected(g, &l);
			return hand_out(g, &l, NULL, 0, 0, rec, err);
		}
		if (e->done)
			break;
		rc = feed_next(g, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			g->sum.complete = 1;
			break;
		}
	}
	if (g->flags & MAPQ_GREP_COUNT_ONLY) {
		g->sum.selected = e->selected;
		g->sum.selected_end = e->selected_end;
	}
	if (e->binary_skip)
		g->sum.selected = 0; /* -I: a binary file matches nothing */
	g->sum.binary_offset = e->binary_offset;
	return 0;
}

/* ---- several threads: the merge ------------------------------------- */

/* Start the trailing context after the max_count-th selected line. */
static void start_trail(struct mapq_grep *g, uint64_t number)
{
	engine_setup(g, &g->trail, g->search);
	g->trail.num_pos = g->sum.selected_end;
	g->trail.num_line = number + 1;
	g->trail.detect_binary = 0; /* context is printed whatever it holds */
	/* Only the lines owed, not the rest of the file. */
	uint64_t at = g->sum.selected_end, xe = g->end;
	const unsigned char *nl = mapq__find_nth_byte(g->map + at, g->end - at,
	                                              g->o.after, g->eol, NULL);
	if (nl != NULL)
		xe = (uint64_t)(nl - g->map) + 1;
	mapq_view x = {g->map + at, xe - at, at, g->f};
	mapq__grep_engine_feed(&g->trail, &x);
	mapq__grep_engine_trail(&g->trail, g->o.after);
	g->trailing = 1;
}

static int next_trail(struct mapq_grep *g, mapq_grep_record *rec,
                      mapq_error *err)
{
	struct mapq__grep_line l;
	int rc = mapq__grep_engine_next(&g->trail, &l, err);
	if (rc != 1)
		return rc;
	return hand_out(g, &l, NULL, 0, 0, rec, err);
}

/* The end of the n-th selected line of [s, e) into selected_end. */
static int count_end(struct mapq_grep *g, uint64_t s, uint64_t e, uint64_t n,
                     mapq_error *err)
{
	struct mapq__grep_engine c;
	engine_setup(g, &c, g->search);
	c.max_count = n;
	mapq_view w = {g->map + s, e - s, s, g->f};
	mapq__grep_engine_feed(&c, &w);
	struct mapq__grep_line l;
	int rc = mapq__grep_engine_next(&c, &l, err);
	g->sum.selected_end = c.selected_end;
	mapq__grep_engine_free(&c);
	return rc < 0 ? rc : 0;
}

/* Wait until the current piece has a block, or is done.  Under mu. */
static struct slot *wait_piece(struct mapq_grep *g)
{
	struct slot *sl = &g->slots[g->cur % g->n_slots];
	while (!(sl->index == g->cur && sl->state != SLOT_FREE &&
	         (sl->head != NULL || sl->state == SLOT_DONE ||
	          (!g->cur_entered && sl->started)))) {
		g->merge_waits = 1;
		pthread_cond_wait(&g->data_cv, &g->mu);
		g->merge_waits = 0;
	}
	return sl;
}

/*
 * The next record of the current block, if it has one: 1 or 0 as
 * mapq_grep_next, or NO_RECORD when the block has none left to give.  It
 * reads no mapped byte (the workers did), so it needs no guard.
 */
#define NO_RECORD 2

static int next_from_block(struct mapq_grep *g, mapq_grep_record *rec,
                           mapq_error *err)
{
	struct block *b = g->cur_block;
	while (b != NULL && g->cur_at < b->n) {
		size_t i = g->cur_at++;
		struct mapq__grep_line l = b->lines[i];
		if (g->have_last && l.offset < g->last_end)
			continue; /* the previous piece yielded it */
		if (l.kind == MAPQ_GREP_SELECTED &&
		    (l.binary || g->binary_seen)) {
			g->sum.binary_match = 1;
			count_selected(g, &l);
			return 0;
		}
		if (l.leads && g->binary_seen)
			continue;
		if (g->flags & MAPQ_GREP_NUMBERS)
			l.number = l.number - NUMBER_BIAS + g->base;
		if (l.kind == MAPQ_GREP_SELECTED)
			count_selected(g, &l);
		int rc = hand_out(g, &l, b->spans + b->span_at[i],
		                  b->span_at[i + 1] - b->span_at[i], 1, rec, err);
		if (rc == 1 && l.kind == MAPQ_GREP_SELECTED &&
		    g->sum.selected >= g->o.max_count) {
			if (g->o.after > 0 && g->sum.selected_end < g->end)
				start_trail(g, l.number);
			else
				g->trailing = 2; /* nothing more */
		}
		if (g->trailing == 2)
			g->rc = 1;
		return rc;
	}
	return NO_RECORD;
}

static int next_merged(struct mapq_grep *g, mapq_grep_record *rec,
                       mapq_error *err)
{
	for (;;) {
		if (g->trailing)
			return next_trail(g, rec, err);
		int rc = next_from_block(g, rec, err);
		if (rc != NO_RECORD)
			return rc;
		struct block *b = g->cur_block;
		if (g->trailing == 2)
			return 0;
		if (g->cur >= g->n_pieces) {
			g->sum.complete = 1;
			return 0;
		}
		pthread_mutex_lock(&g->mu);
		if (b != NULL) {
			block_free(b);
			g->cur_block = NULL;
		}
		struct slot *sl = wait_piece(g);
		if (!g->cur_entered) {
			g->cur_entered = 1;
			g->sum.bytes_searched += sl->end - sl->start;
			if (sl->nul) {
				if (g->sum.binary_offset == UINT64_MAX)
					g->sum.binary_offset = sl->nul_offset;
				g->binary_seen |= g->detect;
			}
			if (sl->nul && g->no_match) {
				/* -I: the search ends where binary data is. */
				pthread_mutex_unlock(&g->mu);
				g->sum.selected = 0;
				return 0;
			}
			pthread_mutex_unlock(&g->mu);
			continue;
		}
		if (sl->head != NULL) {
			g->cur_block = sl->head;
			sl->head = sl->head->next;
			if (sl->head == NULL)
				sl->tail = NULL;
			sl->queued--;
			g->cur_at = 0;
			if (g->workers_wait > 0)
				pthread_cond_broadcast(&g->work_cv);
			pthread_mutex_unlock(&g->mu);
			continue;
		}
		/* The piece is done and merged. */
		rc = sl->rc;
		if (rc < 0)
			*err = sl->err;
		uint64_t s = sl->start, e = sl->end;
		uint64_t newlines = sl->newlines, selected = sl->selected;
		uint64_t selected_end = sl->selected_end;
		sl->state = SLOT_FREE;
		g->cur++;
		g->cur_entered = 0;
		if (g->workers_wait > 0)
			pthread_cond_broadcast(&g->work_cv);
		pthread_mutex_unlock(&g->mu);
		if (rc < 0)
			return rc;
		release_to(g, s, e);
		g->base += newlines;
		if (g->flags & MAPQ_GREP_COUNT_ONLY) {
			uint64_t room = g->o.max_count - g->sum.selected;
			if (selected < room) {
				g->sum.selected += selected;
				if (selected > 0)
					g->sum.selected_end = selected_end;
				continue;
			}
			/* The count ends in this piece: where exactly (for
			 * grep -m on standard input) takes a count of it. */
			g->sum.selected += room;
			return count_end(g, s, e, room, err);
		}
	}
}

/* ---- next ------------------------------------------------------------- */

/* First call: the first line's number, then the threads or the engine. */
static int begin(struct mapq_grep *g, mapq_error *err)
{
	engine_setup(g, &g->eng, g->search);
	g->eng.trail_at_max = 1;
	if (g->scan != NULL)
		return MAPQ_OK; /* numbered from the scan's first window */
	uint64_t first = g->first_line > 0 ? g->first_line : 1;
	if ((g->flags & MAPQ_GREP_NUMBERS) && g->start > 0 &&
	    g->first_line == 0) {
		uint64_t n;
		mapq_view before = {g->map, g->start, 0, g->f};
		int rc = g->null_data
		                 ? mapq__view_count_byte(&before, g->eol, &n, err)
		                 : mapq_lines_count_newlines(g->f, 0, g->start, &n,
		                                             err);
		if (rc != MAPQ_OK)
			return rc;
		first = n + 1;
	}
	g->eng.num_pos = g->start;
	g->eng.num_line = first;
	g->base = first;
	g->rel_lo = g->start;
	mapq__advise_sequential(g->f, g->start, g->end);
	return g->threads > 0 ? start_workers(g, err) : MAPQ_OK;
}

struct next_job {
	struct mapq_grep *g;
	mapq_grep_record *rec;
	mapq_error *err;
};

static int next_guarded(struct next_job *j)
{
	struct mapq__guard gd;
	if (!MAPQ__GUARDED(gd, j->g->f))
		return mapq__guard_failed(&gd, j->err);
	int rc;
	if (j->g->tids != NULL)
		rc = next_merged(j->g, j->rec, j->err);
	else
		rc = next_single(j->g, j->rec, j->err);
	mapq__guard_pop(&gd);
	return rc;
}

int mapq_grep_next(mapq_grep *g, mapq_grep_record *rec, mapq_error *err)
{
	if (g == NULL || rec == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no grep or record");
	if (g->rc != 0) {
		if (g->rc < 0 && err != NULL)
			*err = g->err;
		return g->rc < 0 ? g->rc : 0;
	}
	if (!g->begun) {
		g->begun = 1;
		int rc = begin(g, &g->err);
		if (rc != MAPQ_OK) {
			g->rc = rc;
			if (err != NULL)
				*err = g->err;
			return rc;
		}
	}
	/* Most records of a threaded search come straight from a block:
	 * no guard to set up for them. */
	int rc = g->tids != NULL && !g->trailing
	                 ? next_from_block(g, rec, &g->err)
	                 : NO_RECORD;
	if (rc == NO_RECORD) {
		struct next_job j = {g, rec, &g->err};
		rc = next_guarded(&j);
	}
	if (rc <= 0) {
		g->rc = rc < 0 ? rc : 1;
		if (rc < 0 && err != NULL)
			*err = g->err;
		stop_workers(g);
	}
	return rc;
}
