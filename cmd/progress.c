/*
 * progress.c - a status line on stderr while long work runs (compress,
 * stats, grep without output lines): bytes done, of the total when it is
 * known, the rate and the time left.
 *
 * The library adds the bytes it consumes to a counter (mapq.h, Progress);
 * a thread of ours samples it every TICK and redraws one line in place:
 * "\r", the text, then erase-to-end-of-line ("\033[K").  Nothing shows in
 * the first second, so that short work never flickers, and the line is
 * erased when the work ends, on SIGINT and SIGTERM too.  On a terminal
 * the line shows by default; --progress also writes it to a non-terminal
 * (the same carriage-return line, as dd status=progress does) and
 * --no-progress turns it off.
 *
 * Output on the same terminal: a writer attached with cli_progress_attach
 * erases the line before writing (the next tick draws it again below what
 * was written), and messages go through cli_progress_error, which does
 * the same.  There is one stderr per process, hence one line and this
 * file's state.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* How often the line is redrawn, and how long work runs before it shows. */
#define TICK_NS 250000000L
#define DELAY_NS 1000000000LL

static const char erase_line[] = "\r\033[K";

static struct {
	int active;           /* started and not stopped */
	uint64_t bytes;       /* the library's counter (atomic) */
	pthread_mutex_t mu;   /* guards what follows, and writes of the line */
	pthread_cond_t wake;  /* stop */
	pthread_t thread;
	int stopping;
	unsigned held;        /* output is being written: do not draw */
	int drawn;            /* the line is on the screen */
	uint64_t total;       /* UINT64_MAX: not known */
	struct timespec start;
	struct sigaction old_int, old_term;
	int caught_int, caught_term;
} pg = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The line is drawn: the signal handler's copy of pg.drawn. */
static volatile sig_atomic_t drawn_for_signal;

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* stderr is gone: nothing to tell anyone */
		p += w;
		n -= (size_t)w;
	}
}

/* Under mu: take the line off the screen. */
static void erase_locked(void)
{
	if (pg.drawn) {
		write_all(STDERR_FILENO, erase_line, sizeof erase_line - 1);
		pg.drawn = 0;
		drawn_for_signal = 0;
	}
}

/* A size in IEC units: "512 B", "1.2 GiB". */
static void format_size(char *buf, size_t size, double v)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB",
	                                    "EiB"};
	if (v < 1024) {
		snprintf(buf, size, "%.0f B", v);
		return;
	}
	unsigned u = 0;
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* A duration: "0:07", "12:34", "1:02:03". */
static void format_time(char *buf, size_t size, double secs)
{
	if (secs > 359999)
		secs = 359999; /* 99:59:59: beyond that it means nothing */
	unsigned long s = (unsigned long)(secs + 0.5);
	if (s >= 3600)
		snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
		         s % 60);
	else
		snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

static double seconds_since(const struct timespec *t0,
                            const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	       (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Under mu: draw the line for `done` bytes after `secs` seconds. */
static void draw_locked(uint64_t done, double secs)
{
	char line[160], now[24], all[24], rate[24];
	double speed = secs > 0 ? (double)done / secs : 0;
	format_size(now, sizeof now, (double)done);
	format_size(rate, sizeof rate, speed);
	int n;
	/* Compressed input can come out larger than what was expected of
	 * it: past the total, only what is known is shown. */
	if (pg.total != UINT64_MAX && done <= pg.total) {
		char left[24] = "-:--";
		format_size(all, sizeof all, (double)pg.total);
		if (speed > 0)
			format_time(left, sizeof left,
			            (double)(pg.total - done) / speed);
		unsigned percent = pg.total > 0
		                           ? (unsigned)((double)done * 100 /
		                                        (double)pg.total)
		                           : 100;
		n = snprintf(line, sizeof line, "\r%s / %s %3u%%  %s/s  ETA %s",
		             now, all, percent, rate, left);
	} else {
		n = snprintf(line, sizeof line, "\r%s  %s/s", now, rate);
	}
	if (n < 0 || (size_t)n >= sizeof line - sizeof erase_line)
		return;
	memcpy(line + n, erase_line + 1, sizeof erase_line - 1); /* "\033[K" */
	n += (int)sizeof erase_line - 2;
	write_all(STDERR_FILENO, line, (size_t)n);
	pg.drawn = 1;
	drawn_for_signal = 1;
}

static void *progress_main(void *arg)
{
	(void)arg;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	pthread_mutex_lock(&pg.mu);
	while (!pg.stopping) {
		deadline.tv_nsec += TICK_NS;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_nsec -= 1000000000L;
			deadline.tv_sec++;
		}
		while (!pg.stopping &&
		       pthread_cond_timedwait(&pg.wake, &pg.mu, &deadline) !=
		               ETIMEDOUT)
			;
		if (pg.stopping)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double secs = seconds_since(&pg.start, &now);
		if (secs * 1e9 < (double)DELAY_NS || pg.held > 0)
			continue;
		draw_locked(__atomic_load_n(&pg.bytes, __ATOMIC_RELAXED), secs);
	}
	pthread_mutex_unlock(&pg.mu);
	return NULL;
}

/* SIGINT, SIGTERM: leave a clean line, then die of the signal as before. */
static void on_signal(int sig)
{
	if (drawn_for_signal)
		write_all(STDERR_FILENO, erase_line, sizeof erase_line - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Catch sig unless someone else handles it already. */
static int catch_signal(int sig, struct sigaction *old)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, old) != 0 || old->sa_handler != SIG_DFL)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) == 0;
}

uint64_t *cli_progress_start(enum cli_progress_mode mode, uint64_t total)
{
	if (pg.active || mode == CLI_PROGRESS_NEVER ||
	    (mode == CLI_PROGRESS_AUTO && !isatty(STDERR_FILENO)))
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pg.wake, &ca);
	pthread_condattr_destroy(&ca);
	pg.bytes = 0;
	pg.stopping = 0;
	pg.held = 0;
	pg.drawn = 0;
	pg.total = total;
	clock_gettime(CLOCK_MONOTONIC, &pg.start);
	if (pthread_create(&pg.thread, NULL, progress_main, NULL) != 0) {
		pthread_cond_destroy(&pg.wake);
		return NULL; /* the work goes on without a progress line */
	}
	pg.caught_int = catch_signal(SIGINT, &pg.old_int);
	pg.caught_term = catch_signal(SIGTERM, &pg.old_term);
	pg.active = 1;
	return &pg.bytes;
}

void cli_progress_add_total(uint64_t expected, uint64_t actual)
{
	if (!pg.active || expected == actual)
		return;
	pthread_mutex_lock(&pg.mu);
	if (pg.total != UINT64_MAX) {
		if (actual == UINT64_MAX || expected == UINT64_MAX)
			pg.total = UINT64_MAX;
		else
			pg.total = pg.total - expected + actual;
	}
	pthread_mutex_unlock(&pg.mu);
}

void cli_progress_hold(void)
{
	if (!pg.active)
		return;
	pthread_mutex_lock(&pg.mu);
	pg.held++;
	erase_locked();
	pthread_mutex_unlock(&pg.mu);
}

void cli_progress_release(void)
{
	if (!pg.active)
		return;
	pthread_mutex_lock(&pg.mu);
	pg.held--;
	pthread_mutex_unlock(&pg.mu);
}

void cli_progress_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_progress_hold();
	fputs("mapq: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	cli_progress_release();
	va_end(ap);
}

/*
 * The drain of a writer on the terminal: the bytes go to its fd with the
 * line out of the way.  Errors as cli_out reports them: a closed pipe
 * quietly, anything else once.
 */
static int progress_drain(void *arg, const void *data, size_t n)
{
	struct cli_out *o = arg;
	const char *p = data;
	int rc = 0;
	cli_progress_hold();
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (errno != EPIPE) {
				o->failed = 1;
				cli_error("write error: %s", strerror(errno));
			}
			rc = -1;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	cli_progress_release();
	return rc;
}

void cli_progress_attach(struct cli_out *o)
{
	if (pg.active && o->drain == NULL && isatty(o->fd)) {
		o->drain = progress_drain;
		o->drain_arg = o;
	}
}

void cli_progress_stop(void)
{
	if (!pg.active)
		return;
	pthread_mutex_lock(&pg.mu);
	pg.stopping = 1;
	pthread_cond_signal(&pg.wake);
	pthread_mutex_unlock(&pg.mu);
	pthread_join(pg.thread, NULL);
	pthread_mutex_lock(&pg.mu);
	erase_locked();
	pthread_mutex_unlock(&pg.mu);
	if (pg.caught_int)
		sigaction(SIGINT, &pg.old_int, NULL);
	if (pg.caught_term)
		sigaction(SIGTERM, &pg.old_term, NULL);
	pthread_cond_destroy(&pg.wake);
	pg.active = 0;
}

uint64_t cli_progress_size(const char *path)
{
	struct stat st;
	int ok = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) == 0
	                                : stat(path, &st) == 0;
	if (!ok || !S_ISREG(st.st_mode))
		return UINT64_MAX;
	return (uint64_t)st.st_size;
}
