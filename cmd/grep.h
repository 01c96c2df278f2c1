/* grep.h - what the files of `mapq grep` share. */
#ifndef MAPQ_GREP_H
#define MAPQ_GREP_H

#include <stdint.h>
#include <time.h>

#include "cli.h"

struct grep_opts {
	mapq_pattern *patterns;
	size_t n_patterns;
	unsigned match_flags;
	int invert;           /* -v */
	int count;            /* -c */
	int list_matching;    /* -l */
	int list_nonmatching; /* -L */
	int only_matching;    /* -o */
	int quiet;            /* -q */
	int no_messages;      /* -s */
	int line_number;      /* -n */
	int byte_offset;      /* -b */
	int with_filename;    /* -H 1, -h 0, default -1 (decided by operands) */
	uint64_t max_count;   /* -m, UINT64_MAX when not given */
	uint64_t after;       /* -A */
	uint64_t before;      /* -B */
	int context_given;    /* -A, -B or -C given, even 0: "--" separators */
	int select_nothing;   /* -m 0, or no pattern without -v */
	int color;            /* --color resolved: 1 on */
	const char *label;    /* --label */
	int text;             /* -a */
	int recursive;        /* -r */
	int null_after_name;  /* -Z */
	int has_range;        /* --bytes or --lines */
	mapq_range range;
	int json;             /* --json */
	int stats;            /* --stats */
	int no_decompress;    /* --no-decompress */
	int line_buffered;    /* --line-buffered, or stdout is a terminal */
	unsigned threads;     /* -j (0: the online CPUs) */
	/* GNU grep options added later, kept at the end on purpose. */
	int initial_tab;      /* -T */
	const char *group_separator; /* --group-separator; NULL: "--" */
	int no_group_separator; /* --no-group-separator */
	int binary_without_match; /* -I, --binary-files=without-match */
	int dereference;      /* -R: -r following every symbolic link */
	struct grep_glob *globs; /* --include and --exclude, in order */
	size_t n_globs;
	struct grep_glob *exclude_dirs; /* --exclude-dir */
	size_t n_exclude_dirs;
	int null_data;        /* -z: lines end with NUL, in and out */
	uint64_t *progress;   /* the progress line's counter, or NULL */
};

/* One --include, --exclude or --exclude-dir glob. */
struct grep_glob {
	char *glob;
	int include;  /* --include, else an exclusion */
	int wildcard; /* has a wildcard (for how suffixes of operands match) */
};

/* Totals of a run, for --json's summary and --stats. */
struct grep_totals {
	uint64_t bytes_searched;
	uint64_t bytes_printed;
	uint64_t matched_lines;
	uint64_t matches;
	uint64_t searches;
	uint64_t searches_with_match;
	struct timespec start;
};

struct grep_jobs;
struct grep_job;

/*
 * A run: the whole command, or (with several files searched at once) a
 * job's copy of it, whose flags and totals are added to the run's in file
 * order (grep_jobs.c).
 */
struct grep_run {
	const struct grep_opts *o;
	const mapq_matcher *matcher;
	struct cli_out *out;
	int show_names;       /* print file names before lines */
	int any_selected;     /* some file had a selected line */
	int trouble;          /* some file failed */
	int printed_group;    /* a line was printed (for "--" before the next
	                       * group, across files) */
	int stop;             /* -q found a line: stop everything */
	struct grep_totals tot;
	struct grep_jobs *jobs; /* the pool searching files at once, or NULL */
	struct grep_job *job; /* in a job's copy: that job; NULL in the run */
};

/* One file being printed. */
struct grep_file {
	struct grep_run *run;
	const struct grep_opts *o;
	const char *name;
	int is_stdin;
	uint64_t matches;     /* submatches printed (JSON) */
	uint64_t printed;     /* bytes of JSON messages printed for it */
	int json_begun;
	int num_width;        /* -T: width of line numbers and offsets */
};

/*
 * Search one input (path "-" is standard input, shown as `name`); `size` is
 * its size as the walk found it, UINT64_MAX when not known.  Reports its
 * own errors; returns 0, or -1 when it failed (grep_file.c).
 */
int grep_search_file(struct grep_run *run, const char *path, const char *name,
                     uint64_t size);

/* ---- several files at once (grep_jobs.c) ---- */

/*
 * Start a pool of `threads` threads that search the files given to
 * grep_submit() at once, their output in submission order.  Returns NULL
 * (files are then searched one at a time) when threads could not start.
 */
struct grep_jobs *grep_jobs_start(struct grep_run *run, unsigned threads);
/* Wait for every file, write what is left, stop the threads, free. */
void grep_jobs_finish(struct grep_jobs *p);
/*
 * Search a file (as grep_search_file): now, or in the pool when the run has
 * one.  `serial`: it may only be read in its turn, after every file before
 * it (standard input, a FIFO, a device).
 */
void grep_submit(struct grep_run *run, const char *path, const char *name,
                 int serial, uint64_t size);
/* A message of the walk ("mapq: MSG", unless -s), in its place among the
 * files'; `trouble` makes the exit status 2. */
void grep_walk_message(struct grep_run *run, int trouble, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Nothing more needs searching: -q found a line, or output ended. */
int grep_stopped(const struct grep_run *run);
/* A file's message to stderr, after the output printed before it. */
void grep_report(struct grep_run *run, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/*
 * The threads the library may use for file f (pieces of `piece` bytes):
 * -j's when one file is searched at a time; in the pool, -j's for a mapped
 * file of several pieces, after waiting for its turn, else 1.
 */
unsigned grep_file_threads(struct grep_run *run, mapq_file *f, uint64_t piece);
/* Before a file's first record: in the pool, the "--" that may precede it
 * is decided when the file's output is written. */
void grep_first_record(struct grep_run *run);

/* Print the --stats report at the end (grep_file.c). */
void grep_print_stats(struct grep_run *run);

/* ---- text output, as GNU grep (grep_text.c) ---- */

/* Print a record: a selected line, a context line, "--" before it. */
void grep_text_record(struct grep_file *gf, const mapq_grep_record *r);
/* What a file ends with: its count (-c), its name (-l, -L). */
void grep_text_end(struct grep_file *gf, const mapq_grep_summary *s);
/* The group separator ("--") and its newline. */
void grep_text_separator(struct grep_file *gf);
/* A file name as GNU grep prints it: coloured, then ':' or NUL. */
void grep_text_name(struct grep_file *gf, char sep);

/* ---- ripgrep's JSON Lines (grep_json.c) ---- */

void grep_json_record(struct grep_file *gf, const mapq_grep_record *r);
/* The file's "end" message (when it had a "begin"). */
void grep_json_end(struct grep_file *gf, const mapq_grep_summary *s);
/* The run's "summary" message. */
void grep_json_summary(struct grep_run *run);

#endif
