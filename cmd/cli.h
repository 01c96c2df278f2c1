/* cli.h - what the mapq command's files share. */
#ifndef MAPQ_CLI_H
#define MAPQ_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "mapq.h"

/* Exit statuses, as grep's: something selected, nothing selected, error. */
enum cli_exit {
	EXIT_SELECTED = 0,
	EXIT_NONE = 1,
	EXIT_TROUBLE = 2
};

/* A subcommand: argv[0] is the command's name. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_range(int argc, char **argv);
int cmd_slice(int argc, char **argv);
int cmd_grep(int argc, char **argv);
int cmd_split(int argc, char **argv);

/*
 * Parse a count that must be at least 1 (a field number, a number of
 * shards): decimal digits only, fitting in 64 bits.  0 on success, -1 if
 * the text is anything else (the caller quotes it in its message).
 */
int cli_parse_positive(const char *text, uint64_t *n);
/*
 * Parse the argument of -j/--threads, which means the same for every
 * command: N threads, 0 the online CPUs (also the default, see
 * cli_online_cpus).  Decimal digits only, from 0 to `max` (what the command
 * can run).  0 on success with *threads from 1 to max; -1 if the text is
 * anything else (the caller quotes it in its message).
 */
int cli_parse_threads(const char *text, unsigned max, unsigned *threads);
/*
 * The most threads -j takes, in every command (more would only cost
 * stacks); mapq-grep(1), mapq-stats(1) and mapq-compress(1) say so.
 */
#define CLI_THREADS_MAX 256
/* The online CPUs, at least 1 and at most `max`: the default of -j. */
unsigned cli_online_cpus(unsigned max);
/*
 * -j/--threads of command `cmd` (for its messages): cli_parse_threads, and
 * a usage error for anything it refuses.  0, or EXIT_TROUBLE after the
 * message.
 */
int cli_threads_option(const char *cmd, const char *text, unsigned max,
                       unsigned *threads);
/*
 * A -b/-l/--bytes/--lines option of command `cmd`: mapq_range_parse, and a
 * usage error quoting the library's message when the text is not a
 * range.  0, or EXIT_TROUBLE after the message.
 */
int cli_range_option(const char *cmd, const char *text, mapq_range_unit unit,
                     mapq_range *range);
/* --version of mapq and of every command: "mapq VERSION" on stdout.
 * Returns what cli_finish_stdio returns. */
int cli_print_version(void);

/* Room for cli_format_size's text, its NUL included. */
#define CLI_SIZE_LEN 16
/*
 * A size for people, in IEC binary units as the size parser reads them
 * (K = 1024): "512 B" below 1 KiB, else one decimal and the largest unit
 * that keeps it at 1 or more ("1.5 GiB").  Returns buf.
 */
const char *cli_format_size(uint64_t bytes, char buf[CLI_SIZE_LEN]);
int cmd_stats(int argc, char **argv);
int cmd_compress(int argc, char **argv);

/*
 * Print "mapq: MSG" to stderr.  Messages from the library already name
 * their subject ("FILE: reason").
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A usage error of command `cmd` (NULL: the top level): one line saying
 * what is wrong, one line pointing at --help.  Returns EXIT_TROUBLE.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * Report the option getopt_long rejected, given what it returned: ':' (a
 * missing argument; optstrings start with ':') or '?' (an unknown option,
 * or an argument to one that takes none).  Returns EXIT_TROUBLE.
 */
int cli_bad_option(const char *cmd, char **argv, int c);

/*
 * Standard output.  Text goes through one buffer flushed with large
 * writes; bulk bytes go straight from a view.  A closed pipe sets
 * `closed` so the command can stop quietly; any other write error is
 * reported once and sets `failed`.
 */
struct cli_out {
	int fd;
	int closed;
	int failed;
	uint64_t written;     /* bytes queued so far (JSON's bytes_printed) */
	/*
	 * NULL (as cli_out_init leaves it): what leaves the buffer is written
	 * to fd.  Else it is handed to drain(drain_arg, p, n), which returns
	 * 0, or -1 when output has ended (the writer is then `closed`; the
	 * drain reports errors itself).  cli_out_window and cli_out_range
	 * always write to fd.
	 */
	int (*drain)(void *arg, const void *p, size_t n);
	void *drain_arg;
	size_t len;
	char buf[1 << 16];
};

void cli_out_init(struct cli_out *o, int fd);
/* Queue bytes; 0 on success, -1 when output has ended (closed/failed). */
int cli_out_write(struct cli_out *o, const void *p, size_t n);
int cli_out_flush(struct cli_out *o);
/*
 * Write a scan's window after flushing the buffer, straight from it (the
 * mapping, for a mapped file).  Returns 0, MAPQ_ETRUNC (the file shrank:
 * err says so, for the caller to report), or MAPQ_EPIPE / MAPQ_EWRITE
 * (output ended; reported here).
 */
int cli_out_window(struct cli_out *o, const mapq_view *w, mapq_error *err);

/* A writer on fd, allocated (its buffer is large); NULL after reporting
 * that memory ran out. */
struct cli_out *cli_out_create(int fd);
/*
 * Flush and free a writer made by cli_out_create (NULL is accepted), and
 * return `status`, or EXIT_TROUBLE when a write failed (a closed pipe is
 * not a failure).
 */
int cli_out_finish(struct cli_out *o, int status);

/*
 * Queue `n` bytes of `s` as a JSON string, quoted and escaped.  Bytes that
 * are not UTF-8 become U+FFFD (one per maximal invalid subpart), so the
 * output is always valid JSON.
 */
void cli_json_string(struct cli_out *o, const char *s, size_t n);
/* 1 when [s, s + n) is valid UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF). */
int cli_utf8_valid(const void *s, size_t n);
/*
 * Write bytes [start, end) of a file's data (decompressed, for compressed
 * input) after flushing the buffer; errors as cli_out_window.
 */
int cli_out_range(struct cli_out *o, mapq_file *f, uint64_t start, uint64_t end,
                  mapq_error *err);

/* Flush stdio's stdout (help text); 0, or EXIT_TROUBLE after a message. */
int cli_finish_stdio(void);

/*
 * Progress of long work on stderr (progress.c): one line, redrawn in place
 * a few times a second from the second second on, showing the bytes the
 * library has added to the counter cli_progress_start() returns.
 */
enum cli_progress_mode {
	CLI_PROGRESS_AUTO = 0, /* when stderr is a terminal (the default) */
	CLI_PROGRESS_ALWAYS,   /* --progress: on any stderr */
	CLI_PROGRESS_NEVER     /* --no-progress */
};
/*
 * Start the line, for work of `total` bytes (UINT64_MAX: not known).
 * Returns the counter to hand to the library, or NULL when no line is
 * shown (the mode says none, no thread could start); the other
 * cli_progress_ calls then do nothing.
 */
uint64_t *cli_progress_start(enum cli_progress_mode mode, uint64_t total);
/* An input expected to be `expected` bytes in the total turned out to be
 * `actual` bytes (decompressed); either UINT64_MAX: the total is unknown. */
void cli_progress_add_total(uint64_t expected, uint64_t actual);
/* Erase the line and keep it off until the matching release (nestable,
 * from any thread): around output to the same terminal. */
void cli_progress_hold(void);
void cli_progress_release(void);
/* cli_error, with the line out of the way. */
void cli_progress_error(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));
/* Make a writer on a terminal (with no drain) erase the line before it
 * writes. */
void cli_progress_attach(struct cli_out *o);
/* Stop the thread and erase the line. */
void cli_progress_stop(void);
/* The size of input `path` ("-": standard input) if it is a regular file,
 * else UINT64_MAX: its share of a total. */
uint64_t cli_progress_size(const char *path);

#endif
