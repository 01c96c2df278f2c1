/*
 * grep_file.c - `mapq grep` on one file: ask the library's grep iterator
 * for its records and hand them to the text or JSON printer; report what
 * the file ends with (counts, names, "binary file matches", errors).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grep.h"

/* Files up to this size are read rather than mapped (see grep_search_file). */
#define READ_MAX ((uint64_t)128 << 10)

/* The size of the pieces a mapped file is cut into (0: the library's). */
static uint64_t piece_size(void)
{
	/* A test hook: pieces of a few KiB make the small fixtures split
	 * (mapq-grep(1), ENVIRONMENT). */
	const char *piece = getenv("MAPQ_GREP_PIECE");
	uint64_t p;
	if (piece != NULL && cli_parse_positive(piece, &p) == 0)
		return p;
	return 0;
}

/* The grep options of the library, from the command's. */
static void library_options(const struct grep_run *run, mapq_grep_options *g)
{
	const struct grep_opts *o = run->o;
	memset(g, 0, sizeof *g);
	g->matcher = run->matcher;
	g->range = o->has_range ? &o->range : NULL;
	int lines = !o->count && !o->list_matching && !o->list_nonmatching &&
	            !o->quiet;
	if (o->invert)
		g->flags |= MAPQ_GREP_INVERT;
	if (o->null_data)
		g->flags |= MAPQ_GREP_NULL_DATA;
	if (!lines) {
		g->flags |= MAPQ_GREP_COUNT_ONLY;
		/* -q, -l and -L need one selected line to decide. */
		g->max_count = o->count && !o->list_matching &&
		                               !o->list_nonmatching && !o->quiet
		                       ? o->max_count
		                       : 1;
	} else {
		g->max_count = o->max_count;
		if (o->line_number || o->json)
			g->flags |= MAPQ_GREP_NUMBERS;
		if (o->json)
			g->flags |= MAPQ_GREP_SPANS_ALL;
		else if (o->only_matching || o->color)
			g->flags |= MAPQ_GREP_SPANS;
		g->before = o->before;
		g->after = o->after;
	}
	if (g->max_count == UINT64_MAX)
		g->max_count = 0; /* no limit */
	if (o->binary_without_match && !o->text)
		g->binary = MAPQ_GREP_BINARY_NO_MATCH;
	else if (o->text)
		g->binary = MAPQ_GREP_BINARY_TEXT;
	else if (o->json)
		g->binary = MAPQ_GREP_BINARY_CONVERT; /* as ripgrep */
	else
		g->binary = MAPQ_GREP_BINARY_DETECT;
	/* g->threads: grep_file_threads(), once the file is open. */
	g->piece = piece_size();
	g->progress = o->progress;
}

/*
 * -T pads line numbers and byte offsets to the width of the largest the
 * file can have, as GNU grep does: the digits of its size (plus one with
 * -n), or of INT64_MAX when the size is not known (a stream).
 */
static int number_width(const struct grep_opts *o, const mapq_file *f)
{
	uint64_t n = INT64_MAX;
	if (!mapq_file_is_stream(f) && mapq_file_size_known(f))
		n = mapq_file_size(f) + (o->line_number ? 1 : 0);
	int width = 1;
	while ((n /= 10) != 0)
		width++;
	return width;
}

/*
 * GNU grep leaves a regular file on standard input positioned just after
 * the last selected line when -m stopped the search, so that the rest of
 * it can be read by the next command: `{ grep -m1 x; cat; } <F`; and at its
 * end when the whole file was searched.  (Compressed input has no such
 * offset to give: it is left alone.)
 */
static void leave_stdin_offset(const struct grep_opts *o, mapq_file *f,
                               off_t origin, const mapq_grep_summary *s)
{
	struct stat st;
	if (origin < 0 || mapq_file_compression(f) != MAPQ_COMPRESSION_NONE ||
	    fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (o->max_count != UINT64_MAX && s->selected >= o->max_count)
		(void)lseek(STDIN_FILENO, origin + (off_t)s->selected_end, SEEK_SET);
	else if (s->complete)
		(void)lseek(STDIN_FILENO, 0, SEEK_END);
}

int grep_search_file(struct grep_run *run, const char *path, const char *name,
                     uint64_t size)
{
	const struct grep_opts *o = run->o;
	struct grep_file gf;
	memset(&gf, 0, sizeof gf);
	gf.run = run;
	gf.o = o;
	gf.name = name;
	gf.is_stdin = strcmp(path, "-") == 0;
	mapq_file *f = NULL;
	mapq_grep *g = NULL;
	mapq_grep_summary sum;
	memset(&sum, 0, sizeof sum);
	mapq_error err;
	off_t origin = gf.is_stdin ? lseek(STDIN_FILENO, 0, SEEK_CUR) : -1;
	unsigned flags = o->no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
	                                  : MAPQ_OPEN_DEFAULT;
	/*
	 * A small file is read with pread(2), not mapped: mapping and
	 * unmapping cost more than copying a few KiB, and in a process with
	 * several threads each munmap() interrupts the other CPUs (a TLB
	 * shootdown).  The results are the same: a file of one piece is one
	 * window either way.
	 */
	uint64_t piece = piece_size();
	if (piece == 0)
		piece = MAPQ_GREP_PIECE_DEFAULT;
	if (!gf.is_stdin && size > 0 && size <= READ_MAX && size <= piece)
		flags |= MAPQ_OPEN_NO_MMAP;
	int rc = mapq_file_open(&f, path, name, flags, &err);
	if (rc != MAPQ_OK) {
		run->trouble = 1;
		if (!o->no_messages)
			grep_report(run, "%s", err.msg);
		return -1;
	}
	if (o->initial_tab)
		gf.num_width = number_width(o, f);
	if (!o->select_nothing) {
		mapq_grep_options go;
		library_options(run, &go);
		go.threads = grep_file_threads(run, f, piece);
		rc = mapq_grep_create(&g, f, &go, &err);
		mapq_grep_record r;
		int first = 1;
		while (rc == MAPQ_OK && !run->out->closed && !run->out->failed &&
		       (rc = mapq_grep_next(g, &r, &err)) == 1) {
			rc = MAPQ_OK;
			if (first)
				grep_first_record(run);
			first = 0;
			if (o->json)
				grep_json_record(&gf, &r);
			else
				grep_text_record(&gf, &r);
		}
		if (rc > 0)
			rc = MAPQ_OK;
		mapq_grep_summary_get(g, &sum);
		if (gf.is_stdin && rc == MAPQ_OK)
			leave_stdin_offset(o, f, origin, &sum);
		mapq_grep_destroy(g);
	}
	if (sum.selected > 0) {
		run->any_selected = 1;
		if (o->quiet)
			run->stop = 1;
	}
	if (rc < 0) {
		run->trouble = 1;
		grep_report(run, "%s", err.msg);
	} else if (!o->quiet) {
		if (o->json)
			grep_json_end(&gf, &sum);
		else
			grep_text_end(&gf, &sum);
		if (sum.binary_match) {
			grep_report(run, "%s: binary file matches", name);
			/* GNU grep counts the hidden line as output: a context
			 * group of the next file is preceded by "--". */
			run->printed_group = 1;
		}
	}
	struct grep_totals *t = &run->tot;
	if (!o->json || sum.selected > 0) {
		t->searches++;
		t->searches_with_match += sum.selected > 0;
		t->bytes_searched += sum.bytes_searched;
		t->bytes_printed += gf.printed;
		t->matched_lines += sum.selected;
		t->matches += gf.matches;
	}
	mapq_file_close(f);
	return rc < 0 ? -1 : 0;
}

void grep_print_stats(struct grep_run *run)
{
	struct grep_totals *t = &run->tot;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs = (double)(now.tv_sec - t->start.tv_sec) +
	              (double)(now.tv_nsec - t->start.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr,
	        "bytes searched: %" PRIu64 "\n"
	        "files searched: %" PRIu64 "\n"
	        "lines selected: %" PRIu64 "\n"
	        "elapsed: %.6f s\n"
	        "throughput: %.2f GiB/s\n"
	        "peak RSS: %.1f MiB\n",
	        t->bytes_searched, t->searches, t->matched_lines, secs,
	        secs > 0 ? (double)t->bytes_searched / secs / (1024.0 * 1024 * 1024)
	                 : 0.0,
	        (double)ru.ru_maxrss / 1024.0);
}
