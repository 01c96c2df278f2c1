/*
 * grep_jobs.c - `mapq grep` on several files at once: a pool of -j threads
 * searches files side by side while their output comes out in the order
 * the files were named or walked, byte for byte what one file at a time
 * prints (mapq-grep(1), -j).
 *
 * Each file is a job, numbered in walk order.  The job whose output is due
 * has the turn: every job before it has been written out.  A job's printer
 * writes into its worker's buffer (struct cli_out), whose drain puts the
 * bytes
 * - on standard output when the job has the turn;
 * - else in the job's own memory, up to sink_max bytes: a job whose memory
 *   is full waits for its turn, then writes straight through, so memory
 *   stays bounded whatever the output.
 * A job's messages for stderr are kept with the length of output made
 * before them, and written in that place after standard output is flushed
 * (as GNU grep does, through glibc's error()).  When the job with the turn
 * is done, the thread that finds it done writes out every following job
 * that is done too, and hands the turn to the first one still running.  At
 * most n_slots jobs are ahead of the turn: the walk waits for room.
 *
 * What depends on earlier files is settled when a job's output is written:
 * the "--" before a file's first context group (if an earlier file printed
 * a line), and the run's flags and totals, which are added up in order.
 * -q: once a file has a selected line, no later file is started and the
 * output (messages) of later ones is dropped, as if the search had
 * stopped there; so is everything after the file during which standard
 * output was closed.
 *
 * Threads: a mapped file of several pieces is searched with all -j threads
 * by the library, once it has the turn (its worker waits for it, while the
 * other workers go on with later files); smaller files, streams and
 * compressed input are searched by their worker alone.  Standard input,
 * FIFOs and devices are read only in their turn, as one file at a time
 * would read them.
 *
 * Locking: `mu` guards the queue (states, counters, `turn` flags).  The
 * run's output and flags belong to whoever holds the turn: the worker of
 * the running job that has it, or the thread writing out done jobs
 * (`advancing`).  A job's memory belongs to its worker while it runs, then
 * to the thread that writes it out.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grep.h"

/* Jobs ahead of the turn: per thread, room for the other workers to go on
 * while one file is slow, and at most SLOTS_MAX unless that is less than
 * SLOTS_MIN_PER_THREAD a thread. */
#define SLOTS_PER_THREAD 16
#define SLOTS_MAX 512
#define SLOTS_MIN_PER_THREAD 2
/* What all the jobs' memories may hold together, and the bounds of one. */
#define SINKS_TOTAL ((size_t)32 << 20)
#define SINK_MIN ((size_t)16 << 10)
#define SINK_MAX ((size_t)256 << 10)

enum job_state {
	JOB_FREE = 0,
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE
};

/* A message for stderr, after `at` bytes of its job's output. */
struct job_message {
	size_t at;
	char *text;
};

struct grep_job {
	struct grep_jobs *pool;
	uint64_t seq;
	int state;
	char *path;           /* NULL: a message of the walk */
	char *name;
	uint64_t size;        /* as the walk found it (grep_search_file) */
	int serial;           /* read only in its turn */
	int turn;             /* atomic: its output goes to stdout */
	int lead;             /* its first line may owe a "--" */
	struct grep_run run;  /* its copy of the run: flags, totals */
	char *mem;            /* output held until its turn */
	size_t len, cap;
	struct job_message *msgs;
	size_t n_msgs, cap_msgs;
};

struct grep_worker {
	struct grep_jobs *pool;
	struct cli_out *out;
	pthread_t tid;
};

struct grep_jobs {
	struct grep_run *run;    /* the run; its out is standard output */
	struct grep_run proto;   /* what a job's copy starts as */
	unsigned threads;
	size_t sink_max;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;  /* a job was queued, the walk ended */
	pthread_cond_t turn_cv;  /* a turn was given, or the search stopped */
	pthread_cond_t room_cv;  /* a slot was freed, or the search stopped */
	struct grep_job *slots;
	uint64_t n_slots;
	uint64_t next_seq;       /* jobs queued so far */
	uint64_t next_run;       /* the next job a worker starts */
	uint64_t turn;           /* the job whose output is due */
	uint64_t stop_seq;       /* atomic: no job after it counts */
	int ended;               /* atomic: standard output ended */
	int walk_done;
	int advancing;           /* a thread is writing out done jobs */
	struct grep_worker *workers;
	unsigned n_workers;
};

static struct grep_job *slot(struct grep_jobs *p, uint64_t seq)
{
	return &p->slots[seq % p->n_slots];
}

static int has_turn(const struct grep_job *j)
{
	return __atomic_load_n(&j->turn, __ATOMIC_ACQUIRE);
}

static int output_ended(struct grep_jobs *p)
{
	return __atomic_load_n(&p->ended, __ATOMIC_ACQUIRE);
}

static uint64_t stop_seq(struct grep_jobs *p)
{
	return __atomic_load_n(&p->stop_seq, __ATOMIC_ACQUIRE);
}

/* Under mu: nothing after job `seq` counts any more. */
static void stop_after(struct grep_jobs *p, uint64_t seq)
{
	if (seq < p->stop_seq)
		__atomic_store_n(&p->stop_seq, seq, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&p->work_cv);
	pthread_cond_broadcast(&p->turn_cv);
	pthread_cond_broadcast(&p->room_cv);
}

/* Standard output ended (closed, or a write failed, reported): the job
 * with the turn is the last that counts. */
static void end_output(struct grep_jobs *p)
{
	pthread_mutex_lock(&p->mu);
	if (!p->ended) {
		__atomic_store_n(&p->ended, 1, __ATOMIC_RELEASE);
		stop_after(p, p->turn);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Wait for job j's turn: 0, or -1 when its output no longer counts. */
static int wait_turn(struct grep_job *j)
{
	struct grep_jobs *p = j->pool;
	pthread_mutex_lock(&p->mu);
	while (!has_turn(j) && !p->ended && j->seq <= p->stop_seq)
		pthread_cond_wait(&p->turn_cv, &p->mu);
	int ok = has_turn(j) && !p->ended && j->seq <= p->stop_seq;
	pthread_mutex_unlock(&p->mu);
	return ok ? 0 : -1;
}

static int stdout_done(struct grep_jobs *p)
{
	struct cli_out *out = p->run->out;
	if (out->closed || out->failed) {
		end_output(p);
		return -1;
	}
	return 0;
}

/*
 * Write what job j holds to standard output: the "--" it may owe, its
 * bytes, its messages in their places.  By the holder of the turn.
 */
static int write_held(struct grep_jobs *p, struct grep_job *j)
{
	struct grep_run *run = p->run;
	struct cli_out *out = run->out;
	if (j->lead) {
		/* Its first line starts a context group: "--" if an earlier
		 * file printed one, as grep_text_record decides in one run. */
		j->lead = 0;
		if (run->printed_group) {
			struct grep_file gf;
			memset(&gf, 0, sizeof gf);
			gf.run = run;
			gf.o = run->o;
			grep_text_separator(&gf);
		}
	}
	size_t at = 0; /* j->mem is NULL until it holds bytes */
	for (size_t i = 0; i < j->n_msgs; i++) {
		if (j->msgs[i].at > at)
			cli_out_write(out, j->mem + at, j->msgs[i].at - at);
		at = j->msgs[i].at;
		cli_out_flush(out);
		cli_progress_error("%s", j->msgs[i].text);
		free(j->msgs[i].text);
	}
	if (j->len > at)
		cli_out_write(out, j->mem + at, j->len - at);
	j->n_msgs = 0;
	j->len = 0;
	if (run->o->line_buffered)
		cli_out_flush(out);
	return stdout_done(p);
}

/* Keep bytes in job j's memory: 0, or -1 when they do not fit. */
static int hold(struct grep_jobs *p, struct grep_job *j, const void *data,
                size_t n)
{
	if (n > p->sink_max - j->len)
		return -1;
	if (j->len + n > j->cap) {
		size_t cap = j->cap ? j->cap : 4096;
		while (cap < j->len + n)
			cap *= 2;
		if (cap > p->sink_max)
			cap = p->sink_max;
		char *grown = realloc(j->mem, cap);
		if (grown == NULL)
			return -1; /* then it waits for its turn */
		j->mem = grown;
		j->cap = cap;
	}
	memcpy(j->mem + j->len, data, n);
	j->len += n;
	return 0;
}

/* The drain of a worker's buffer while it runs job `arg`. */
static int job_drain(void *arg, const void *data, size_t n)
{
	struct grep_job *j = arg;
	struct grep_jobs *p = j->pool;
	if (output_ended(p))
		return -1;
	if (!has_turn(j)) {
		if (hold(p, j, data, n) == 0)
			return 0;
		if (wait_turn(j) != 0)
			return -1;
	}
	if (write_held(p, j) != 0)
		return -1;
	cli_out_write(p->run->out, data, n);
	if (p->run->o->line_buffered)
		cli_out_flush(p->run->out);
	return stdout_done(p);
}

/* Add a done job's flags and totals to the run's (in file order). */
static void merge(struct grep_run *run, const struct grep_run *r)
{
	run->any_selected |= r->any_selected;
	run->trouble |= r->trouble;
	run->printed_group |= r->printed_group;
	run->stop |= r->stop;
	struct grep_totals *t = &run->tot;
	const struct grep_totals *u = &r->tot;
	t->bytes_searched += u->bytes_searched;
	t->bytes_printed += u->bytes_printed;
	t->matched_lines += u->matched_lines;
	t->matches += u->matches;
	t->searches += u->searches;
	t->searches_with_match += u->searches_with_match;
}

static void job_clear(struct grep_job *j)
{
	for (size_t i = 0; i < j->n_msgs; i++)
		free(j->msgs[i].text);
	free(j->msgs);
	free(j->mem);
	free(j->path);
	free(j->name);
	struct grep_jobs *p = j->pool;
	memset(j, 0, sizeof *j);
	j->pool = p;
}

/*
 * Under mu: write out the done jobs from the turn on, and give the turn to
 * the first job that is not done.  One thread at a time does it; mu is
 * released while it writes.
 */
static void advance(struct grep_jobs *p)
{
	if (p->advancing)
		return;
	p->advancing = 1;
	while (p->turn < p->next_seq) {
		struct grep_job *j = slot(p, p->turn);
		/* A job after the last that counts (-q) never gets the turn:
		 * it must not print its messages. */
		if (j->state == JOB_RUNNING && j->seq <= p->stop_seq)
			__atomic_store_n(&j->turn, 1, __ATOMIC_RELEASE);
		if (j->state != JOB_DONE) {
			pthread_cond_broadcast(&p->turn_cv);
			break;
		}
		int counts = j->seq <= p->stop_seq;
		pthread_mutex_unlock(&p->mu);
		if (counts) {
			write_held(p, j);
			merge(p->run, &j->run);
		}
		job_clear(j);
		pthread_mutex_lock(&p->mu);
		p->turn++;
		/* The walk waits for half the slots to be free, not one: it
		 * then queues many files in one go instead of waking for
		 * each (a context switch a file, on a loaded machine). */
		if (p->next_seq - p->turn <= p->n_slots / 2)
			pthread_cond_broadcast(&p->room_cv);
	}
	p->advancing = 0;
}

static void run_job(struct grep_jobs *p, struct grep_job *j, struct cli_out *out)
{
	cli_out_init(out, STDOUT_FILENO);
	out->drain = job_drain;
	out->drain_arg = j;
	j->run = p->proto;
	j->run.out = out;
	j->run.job = j;
	if (j->serial && wait_turn(j) != 0)
		return;
	grep_search_file(&j->run, j->path, j->name, j->size);
	cli_out_flush(out);
}

static void *worker_main(void *arg)
{
	struct grep_worker *w = arg;
	struct grep_jobs *p = w->pool;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		/* Jobs before the turn are written out; messages of the walk
		 * are queued done. */
		if (p->next_run < p->turn)
			p->next_run = p->turn;
		while (p->next_run < p->next_seq &&
		       slot(p, p->next_run)->state != JOB_QUEUED)
			p->next_run++;
		if (p->ended)
			break;
		if (p->next_run == p->next_seq) {
			if (p->walk_done)
				break;
			pthread_cond_wait(&p->work_cv, &p->mu);
			continue;
		}
		struct grep_job *j = slot(p, p->next_run++);
		if (j->seq > p->stop_seq) {
			j->state = JOB_DONE; /* dropped: -q stopped before it */
			advance(p);
			continue;
		}
		j->state = JOB_RUNNING;
		if (j->seq == p->turn)
			__atomic_store_n(&j->turn, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&p->mu);
		run_job(p, j, w->out);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_DONE;
		if (j->run.stop)
			stop_after(p, j->seq);
		advance(p);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct grep_jobs *grep_jobs_start(struct grep_run *run, unsigned threads)
{
	struct grep_jobs *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->run = run;
	p->threads = threads;
	p->n_slots = (uint64_t)threads * SLOTS_PER_THREAD;
	if (p->n_slots > SLOTS_MAX)
		p->n_slots = SLOTS_MAX;
	if (p->n_slots < (uint64_t)threads * SLOTS_MIN_PER_THREAD)
		p->n_slots = (uint64_t)threads * SLOTS_MIN_PER_THREAD;
	size_t sink = SINKS_TOTAL / p->n_slots;
	p->sink_max = sink < SINK_MIN ? SINK_MIN : sink > SINK_MAX ? SINK_MAX : sink;
	p->stop_seq = UINT64_MAX;
	p->slots = calloc((size_t)p->n_slots, sizeof *p->slots);
	p->workers = calloc(threads, sizeof *p->workers);
	if (p->slots == NULL || p->workers == NULL) {
		free(p->slots);
		free(p->workers);
		free(p);
		return NULL;
	}
	for (uint64_t i = 0; i < p->n_slots; i++)
		p->slots[i].pool = p;
	p->proto = *run;
	p->proto.out = NULL;
	p->proto.jobs = p;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->turn_cv, NULL);
	pthread_cond_init(&p->room_cv, NULL);
	for (unsigned i = 0; i < threads; i++) {
		struct grep_worker *w = &p->workers[p->n_workers];
		w->pool = p;
		w->out = malloc(sizeof *w->out);
		if (w->out == NULL)
			break;
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			free(w->out);
			break;
		}
		p->n_workers++;
	}
	if (p->n_workers == 0) {
		grep_jobs_finish(p);
		return NULL;
	}
	return p;
}

void grep_jobs_finish(struct grep_jobs *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->walk_done = 1;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_workers; i++) {
		pthread_join(p->workers[i].tid, NULL);
		free(p->workers[i].out);
	}
	/* Workers leave queued jobs behind only when output ended: those
	 * come after the last job that counts. */
	pthread_mutex_lock(&p->mu);
	for (uint64_t s = p->turn; s < p->next_seq; s++)
		if (slot(p, s)->state == JOB_QUEUED)
			slot(p, s)->state = JOB_DONE;
	advance(p);
	pthread_mutex_unlock(&p->mu);
	for (uint64_t i = 0; i < p->n_slots; i++)
		job_clear(&p->slots[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->turn_cv);
	pthread_cond_destroy(&p->room_cv);
	p->run->jobs = NULL;
	free(p->slots);
	free(p->workers);
	free(p);
}

/* Under mu: the slot of the next job, once there is room; NULL when it
 * would not count (-q stopped, output ended). */
static struct grep_job *queue_slot(struct grep_jobs *p)
{
	while (p->next_seq - p->turn >= p->n_slots && !p->ended &&
	       p->next_seq <= p->stop_seq)
		pthread_cond_wait(&p->room_cv, &p->mu);
	if (p->ended || p->next_seq > p->stop_seq)
		return NULL;
	struct grep_job *j = slot(p, p->next_seq);
	job_clear(j);
	j->seq = p->next_seq;
	return j;
}

void grep_submit(struct grep_run *run, const char *path, const char *name,
                 int serial, uint64_t size)
{
	struct grep_jobs *p = run->jobs;
	if (p == NULL) {
		grep_search_file(run, path, name, size);
		return;
	}
	char *path_copy = strdup(path), *name_copy = strdup(name);
	if (path_copy == NULL || name_copy == NULL) {
		free(path_copy);
		free(name_copy);
		grep_walk_message(run, 1, "%s: out of memory", name);
		return;
	}
	pthread_mutex_lock(&p->mu);
	struct grep_job *j = queue_slot(p);
	if (j != NULL) {
		j->path = path_copy;
		j->name = name_copy;
		j->serial = serial;
		j->size = size;
		j->state = JOB_QUEUED;
		p->next_seq++;
		pthread_cond_signal(&p->work_cv);
	}
	pthread_mutex_unlock(&p->mu);
	if (j == NULL) {
		free(path_copy);
		free(name_copy);
	}
}

/* The text of a message, allocated (NULL when memory ran out). */
static char *format_message(const char *fmt, va_list ap)
{
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		return NULL;
	return text;
}

void grep_walk_message(struct grep_run *run, int trouble, const char *fmt, ...)
{
	char *text = NULL;
	if (!run->o->no_messages) {
		va_list ap;
		va_start(ap, fmt);
		text = format_message(fmt, ap);
		va_end(ap);
		if (text == NULL)
			cli_error("out of memory");
	}
	struct grep_jobs *p = run->jobs;
	if (p == NULL) {
		cli_out_flush(run->out);
		if (text != NULL)
			cli_progress_error("%s", text);
		free(text);
		run->trouble |= trouble;
		return;
	}
	/* A job of its own, done at once, with the message (none under -s,
	 * only the trouble). */
	struct job_message *msg = NULL;
	if (text != NULL && (msg = malloc(sizeof *msg)) == NULL) {
		cli_progress_error("%s", text); /* out of order, not lost */
		free(text);
		text = NULL;
	}
	pthread_mutex_lock(&p->mu);
	struct grep_job *j = queue_slot(p);
	if (j != NULL) {
		if (msg != NULL) {
			msg->at = 0;
			msg->text = text;
			j->msgs = msg;
			j->n_msgs = j->cap_msgs = 1;
		}
		j->run.trouble = trouble;
		j->state = JOB_DONE;
		p->next_seq++;
		advance(p);
	} else {
		free(msg);
		free(text);
	}
	pthread_mutex_unlock(&p->mu);
}

int grep_stopped(const struct grep_run *run)
{
	struct grep_jobs *p = run->jobs;
	if (p != NULL)
		return output_ended(p) || stop_seq(p) != UINT64_MAX;
	return run->stop || run->out->closed || run->out->failed;
}

void grep_report(struct grep_run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = format_message(fmt, ap);
	va_end(ap);
	struct grep_job *j = run->job;
	/* What the file printed before the message goes first. */
	cli_out_flush(run->out);
	if (j != NULL && text != NULL && !has_turn(j)) {
		if (j->n_msgs == j->cap_msgs) {
			size_t cap = j->cap_msgs ? j->cap_msgs * 2 : 2;
			struct job_message *grown =
			        realloc(j->msgs, cap * sizeof *grown);
			if (grown == NULL)
				goto now;
			j->msgs = grown;
			j->cap_msgs = cap;
		}
		j->msgs[j->n_msgs].at = j->len;
		j->msgs[j->n_msgs].text = text;
		j->n_msgs++;
		return;
	}
	if (j != NULL && has_turn(j)) {
		write_held(j->pool, j);
		cli_out_flush(j->pool->run->out);
	}
now:
	cli_progress_error("%s", text != NULL ? text : "out of memory");
	free(text);
}

unsigned grep_file_threads(struct grep_run *run, mapq_file *f, uint64_t piece)
{
	struct grep_job *j = run->job;
	if (j == NULL)
		return run->o->threads;
	if (!mapq_file_is_mapped(f) ||
	    mapq_file_compression(f) != MAPQ_COMPRESSION_NONE ||
	    mapq_file_size(f) <= piece)
		return 1;
	/* Several pieces: all the threads, in its turn. */
	if (wait_turn(j) != 0)
		run->out->closed = 1; /* it no longer counts: stop at once */
	return j->pool->threads;
}

void grep_first_record(struct grep_run *run)
{
	const struct grep_opts *o = run->o;
	if (run->job != NULL && !o->json && o->context_given &&
	    !o->no_group_separator)
		run->job->lead = 1;
}
