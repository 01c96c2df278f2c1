/* range.c - `mapq range`: the lines of sorted files inside a key window. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char range_usage[] =
        "Usage: mapq range --from KEY [--to KEY] [KEY OPTIONS] [-c | --offsets]\n"
        "                  [--no-decompress] [FILE]...\n"
        "       mapq range --check [--from KEY] [--to KEY] [KEY OPTIONS] [FILE]...\n"
        "Print the lines of FILE, sorted by a key (a timestamped log), whose\n"
        "key K satisfies FROM <= K < TO, found by binary search: only a few\n"
        "pages of the file are read besides the lines printed.  Keys compare\n"
        "byte by byte on the length of the bound (--from 2026-11-24T10 starts\n"
        "at the first line whose key begins with 2026-11-24T10 or more), or as\n"
        "times with --time-format.  Several FILEs (a rotated log) are one\n"
        "sequence, in the order of their first keys.\n"
        "With no FILE, or FILE '-', read standard input.\n"
        "\n"
        "      --from=KEY       first key of the window (required but with\n"
        "                       --check or --since)\n"
        "      --to=KEY         end of the window, excluded (default: no end)\n"
        "Key (default: the whole line):\n"
        "      --field=N        field N (1-based), fields separated by runs of\n"
        "                       blanks, leading blanks skipped (as awk)\n"
        "  -d, --delimiter=C    with --field: every byte C separates (as cut -d)\n"
        "      --key-regex=RE   the first capture group of PCRE2 regex RE (the\n"
        "                       whole match without a group)\n"
        "A line without a key (no such field, no match, no time) belongs with\n"
        "the line before it.\n"
        "Times:\n"
        "      --time-format=FMT  the key starts with a time in strptime-style\n"
        "                       FMT ('%b %e %H:%M:%S'), or a preset: syslog,\n"
        "                       apache, clf, epoch, iso; --from/--to are then\n"
        "                       times in FMT (a leading part of it), ISO-8601,\n"
        "                       'now' or back from now (-1h)\n"
        "      --since=DURATION  the window starts DURATION ago (--from=-DURATION)\n"
        "      --year=YEAR      the year of times without one (default: the\n"
        "                       newest FILE's modification time)\n"
        "      --slack=DURATION  lines may be this far behind the newest line\n"
        "                       before them (10s, 15m; default 0): the window\n"
        "                       is then exactly what a linear filter gives\n"
        "Output:\n"
        "  -c, --count          print the number of lines in the window\n"
        "      --offsets        print the window's byte range START:END\n"
        "                       (FILE:START:END for each of several FILEs)\n"
        "      --check          check that the keys never decrease (on the\n"
        "                       bounds' length when given; times within the\n"
        "                       slack); print the first line out of order as\n"
        "                       NUMBER:TEXT\n"
        "Input:\n"
        "      --no-decompress  take zstd-compressed input as the raw bytes\n"
        "                       it is (by default it is decompressed; a\n"
        "                       seekable file is bisected frame by frame)\n"
        "  -h, --help           show this help and exit\n"
        "  -V, --version        show the version and exit\n"
        "\n"
        "Lines found out of order where the search looks (beyond the slack)\n"
        "are an error: mapq never prints a window it cannot vouch for.\n"
        "Exit status: 0 lines were in the window (--check: in order), 1 none\n"
        "(--check: out of order), 2 an error.  See mapq-range(1).\n";

enum {
	OPT_FROM = 256,
	OPT_TO,
	OPT_FIELD,
	OPT_KEY_REGEX,
	OPT_OFFSETS,
	OPT_CHECK,
	OPT_NO_DECOMPRESS,
	OPT_TIME_FORMAT,
	OPT_SINCE,
	OPT_YEAR,
	OPT_SLACK
};

static const struct option range_options[] = {
	{"from", required_argument, NULL, OPT_FROM},
	{"to", required_argument, NULL, OPT_TO},
	{"since", required_argument, NULL, OPT_SINCE},
	{"field", required_argument, NULL, OPT_FIELD},
	{"delimiter", required_argument, NULL, 'd'},
	{"key-regex", required_argument, NULL, OPT_KEY_REGEX},
	{"time-format", required_argument, NULL, OPT_TIME_FORMAT},
	{"year", required_argument, NULL, OPT_YEAR},
	{"slack", required_argument, NULL, OPT_SLACK},
	{"count", no_argument, NULL, 'c'},
	{"offsets", no_argument, NULL, OPT_OFFSETS},
	{"check", no_argument, NULL, OPT_CHECK},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

struct range_args {
	const char *from;
	const char *to;
	const char *since;
	const char *field;
	const char *delim;
	const char *regex;
	const char *time_format;
	const char *year;
	const char *slack;
	int count;
	int offsets;
	int check;
	int no_decompress;
	char *since_bound; /* "-DURATION" */
	mapq_window window;
	char **files;
	size_t nfiles;
};

/* Build the key spec from the options; EXIT_TROUBLE after a message. */
static int key_spec(const struct range_args *a, mapq_key_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->type = MAPQ_KEY_LINE;
	if (a->field != NULL && a->regex != NULL)
		return cli_usage_error("range", "--field and --key-regex cannot "
		                                "be used together");
	if (a->delim != NULL && a->field == NULL)
		return cli_usage_error("range", "a delimiter (-d) needs --field");
	if (a->field != NULL) {
		spec->type = MAPQ_KEY_FIELD;
		spec->delim = MAPQ_KEY_BLANKS;
		if (cli_parse_positive(a->field, &spec->field) != 0)
			return cli_usage_error("range", "invalid field number "
			                                "'%s': expected an "
			                                "integer from 1",
			                       a->field);
		if (a->delim != NULL) {
			if (strlen(a->delim) != 1)
				return cli_usage_error("range", "invalid "
				                                "delimiter '%s': "
				                                "expected a single "
				                                "byte",
				                       a->delim);
			spec->delim = (unsigned char)a->delim[0];
		}
	}
	if (a->regex != NULL) {
		spec->type = MAPQ_KEY_REGEX;
		spec->regex = a->regex;
	}
	spec->time_format = a->time_format;
	if (a->year != NULL) {
		uint64_t y;
		if (cli_parse_positive(a->year, &y) != 0 || y > 9999)
			return cli_usage_error("range", "invalid year '%s': "
			                                "expected 1 to 9999",
			                       a->year);
		spec->year = (int)y;
	}
	/* Year-less times belong to the newest input's year. */
	for (size_t i = 0; i < a->nfiles; i++) {
		struct stat st;
		if (strcmp(a->files[i], "-") != 0 && stat(a->files[i], &st) == 0 &&
		    (int64_t)st.st_mtime > spec->reference)
			spec->reference = (int64_t)st.st_mtime;
	}
	return 0;
}

/* Check the options that need others, and parse durations. */
static int check_args(struct range_args *a)
{
	if (a->from != NULL && a->since != NULL)
		return cli_usage_error("range", "--from and --since cannot be "
		                                "used together");
	if (a->from == NULL && a->since == NULL && !a->check)
		return cli_usage_error("range", "missing --from (required but "
		                                "with --check or --since)");
	if (a->count && a->offsets)
		return cli_usage_error("range", "-c and --offsets cannot be used "
		                                "together");
	if (a->check && (a->count || a->offsets))
		return cli_usage_error("range", "--check cannot be used with -c "
		                                "or --offsets");
	const char *needs_time = a->since != NULL  ? "--since"
	                         : a->year != NULL  ? "--year"
	                         : a->slack != NULL ? "--slack"
	                                            : NULL;
	if (needs_time != NULL && a->time_format == NULL)
		return cli_usage_error("range", "%s needs --time-format",
		                       needs_time);
	mapq_error err;
	if (a->slack != NULL &&
	    mapq_duration_parse(a->slack, &a->window.slack, &err) != MAPQ_OK)
		return cli_usage_error("range", "--slack: %s", err.msg);
	if (a->since != NULL) {
		int64_t us;
		if (mapq_duration_parse(a->since, &us, &err) != MAPQ_OK)
			return cli_usage_error("range", "--since: %s", err.msg);
		size_t n = strlen(a->since) + 2;
		if ((a->since_bound = malloc(n)) == NULL) {
			cli_error("out of memory");
			return EXIT_TROUBLE;
		}
		snprintf(a->since_bound, n, "-%s", a->since);
		a->from = a->since_bound;
	}
	if (a->from != NULL) {
		a->window.from = a->from;
		a->window.flen = strlen(a->from);
	}
	if (a->to != NULL) {
		a->window.to = a->to;
		a->window.tlen = strlen(a->to);
	}
	for (size_t i = 0; a->nfiles > 1 && i < a->nfiles; i++)
		if (strcmp(a->files[i], "-") == 0)
			return cli_usage_error("range", "standard input cannot be "
			                                "one of several FILEs");
	return 0;
}

/* Time bounds that do not parse are usage errors, found before any file
 * is read. */
static int check_bounds(const struct range_args *a, const mapq_key *key)
{
	if (a->time_format == NULL)
		return 0;
	const char *names[2] = {a->since != NULL ? "--since" : "--from", "--to"};
	const char *texts[2] = {a->from, a->to};
	for (int i = 0; i < 2; i++) {
		mapq_error err;
		int64_t t;
		if (texts[i] != NULL &&
		    mapq_key_parse_time(key, texts[i], strlen(texts[i]), &t,
		                        &err) < 0)
			return cli_usage_error("range", "%s: %s", names[i],
			                       err.msg);
	}
	return 0;
}

/* Report a library error; disorder gets the way out. */
static void report(const struct range_args *a, const mapq_error *err)
{
	if (err->code != MAPQ_EORDER) {
		cli_error("%s", err->msg);
		return;
	}
	cli_error("%s (see the first line out of order with 'mapq range "
	          "--check'%s)",
	          err->msg,
	          a->time_format != NULL
	                  ? "; --slack DURATION allows lines that far behind"
	                  : "; with --time-format, --slack allows lines a "
	                    "little behind");
}

/* --check of one file: print the first line out of order as
 * [FILE:]NUMBER:TEXT. */
static int run_check(const struct range_args *a, mapq_file *f, mapq_key *key,
                     struct cli_out *out, mapq_error *err)
{
	mapq_disorder where;
	int rc = mapq_bisect_check(f, key, &a->window, &where, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return EXIT_SELECTED;
	if (a->nfiles > 1) {
		const char *name = mapq_file_name(f);
		cli_out_write(out, name, strlen(name));
		cli_out_write(out, ":", 1);
	}
	char num[32];
	int n = snprintf(num, sizeof num, "%llu:", (unsigned long long)where.line);
	cli_out_write(out, num, (size_t)n);
	if (where.text != NULL) {
		cli_out_write(out, where.text, (size_t)where.length);
		free(where.text);
	} else {
		/* No copy (memory ran out): read the line again. */
		rc = cli_out_range(out, f, where.offset,
		                   where.offset + where.length, err);
		if (rc < 0 && rc != MAPQ_EPIPE && rc != MAPQ_EWRITE)
			return rc;
	}
	cli_out_write(out, "\n", 1);
	return EXIT_NONE;
}

/* Print [FILE:]START:END for --offsets. */
static void print_offsets(const struct range_args *a, struct cli_out *out,
                          const mapq_file *f, uint64_t start, uint64_t end)
{
	if (a->nfiles > 1) {
		const char *name = mapq_file_name(f);
		cli_out_write(out, name, strlen(name));
		cli_out_write(out, ":", 1);
	}
	char text[64];
	int n = snprintf(text, sizeof text, "%llu:%llu\n",
	                 (unsigned long long)start, (unsigned long long)end);
	cli_out_write(out, text, (size_t)n);
}

/*
 * The window of the FILEs, from one scan of them: its lines, their count,
 * or its offsets (one range for each file that has lines in it, or where
 * an empty window of one file would be).  EXIT_SELECTED or EXIT_NONE, or
 * a negative error.
 */
static int run_window(const struct range_args *a, mapq_file **files,
                      mapq_key *key, struct cli_out *out, mapq_error *err)
{
	mapq_scan *scan;
	int rc = mapq_bisect_scan_files(&scan, files, a->nfiles, key,
	                                &a->window, MAPQ_SCAN_LINES, err);
	if (rc != MAPQ_OK)
		return rc;
	uint64_t lines = 0, bytes = 0, first = 0, last = 0;
	const mapq_file *file = NULL;
	mapq_view w;
	if (a->count)
		rc = mapq_scan_count_lines(scan, &lines, err);
	while (!a->count && (rc = mapq_scan_next(scan, &w, err)) > 0) {
		if (a->offsets && w.file != file) {
			if (file != NULL)
				print_offsets(a, out, file, first, last);
			file = w.file;
			first = w.offset;
		}
		last = w.offset + w.size;
		bytes += w.size;
		if (!a->offsets) {
			/* Output errors are cli_out's to report; only the
			 * input's (a file that shrank, a damaged frame) come
			 * back from here. */
			rc = cli_out_window(out, &w, err);
			if (rc == MAPQ_EPIPE || rc == MAPQ_EWRITE)
				rc = 0;
		}
		if (rc < 0 || out->closed || out->failed)
			break;
	}
	if (rc == 0 && a->offsets) {
		if (file != NULL)
			print_offsets(a, out, file, first, last);
		else if (a->nfiles == 1 && mapq_scan_start(scan, &first) == MAPQ_OK)
			print_offsets(a, out, files[0], first, first);
		else if (a->nfiles == 1)
			print_offsets(a, out, files[0], 0, 0);
	}
	mapq_scan_destroy(scan);
	if (rc < 0)
		return rc;
	if (a->count) {
		char text[32];
		int n = snprintf(text, sizeof text, "%llu\n",
		                 (unsigned long long)lines);
		cli_out_write(out, text, (size_t)n);
	}
	return (a->count ? lines : bytes) > 0 ? EXIT_SELECTED : EXIT_NONE;
}

/* Open the FILEs; EXIT_TROUBLE after a message. */
static int open_files(const struct range_args *a, mapq_file **files)
{
	for (size_t i = 0; i < a->nfiles; i++) {
		mapq_error err;
		if (mapq_file_open(&files[i], a->files[i], NULL,
		                   a->no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
		                                    : MAPQ_OPEN_DEFAULT,
		                   &err) != MAPQ_OK) {
			cli_error("%s", err.msg);
			return EXIT_TROUBLE;
		}
	}
	return 0;
}

static int run(const struct range_args *a, mapq_file **files, mapq_key *key,
               struct cli_out *out)
{
	mapq_error err;
	if (a->check) {
		for (size_t i = 0; i < a->nfiles; i++) {
			int rc = run_check(a, files[i], key, out, &err);
			if (rc < 0) {
				report(a, &err);
				return EXIT_TROUBLE;
			}
			if (rc == EXIT_NONE)
				return EXIT_NONE;
		}
		return EXIT_SELECTED;
	}
	int rc = run_window(a, files, key, out, &err);
	if (rc < 0) {
		report(a, &err);
		return EXIT_TROUBLE;
	}
	return rc;
}

int cmd_range(int argc, char **argv)
{
	struct range_args a;
	memset(&a, 0, sizeof a);
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":cd:hV", range_options, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_FROM:
			a.from = optarg;
			break;
		case OPT_TO:
			a.to = optarg;
			break;
		case OPT_SINCE:
			a.since = optarg;
			break;
		case OPT_FIELD:
			a.field = optarg;
			break;
		case 'd':
			a.delim = optarg;
			break;
		case OPT_KEY_REGEX:
			a.regex = optarg;
			break;
		case OPT_TIME_FORMAT:
			a.time_format = optarg;
			break;
		case OPT_YEAR:
			a.year = optarg;
			break;
		case OPT_SLACK:
			a.slack = optarg;
			break;
		case 'c':
			a.count = 1;
			break;
		case OPT_OFFSETS:
			a.offsets = 1;
			break;
		case OPT_CHECK:
			a.check = 1;
			break;
		case OPT_NO_DECOMPRESS:
			a.no_decompress = 1;
			break;
		case 'h':
			fputs(range_usage, stdout);
			return cli_finish_stdio();
		case 'V':
			return cli_print_version();
		default:
			return cli_bad_option("range", argv, c);
		}
	}
	static char *stdin_only[] = {"-"};
	a.files = optind < argc ? argv + optind : stdin_only;
	a.nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	int status = check_args(&a);
	mapq_key_spec spec;
	if (status == 0)
		status = key_spec(&a, &spec);
	if (status != 0) {
		free(a.since_bound);
		return status;
	}

	mapq_error err;
	mapq_key *key = NULL;
	mapq_file **files = NULL;
	struct cli_out *out = NULL;
	if (mapq_key_create(&key, &spec, &err) != MAPQ_OK) {
		status = cli_usage_error("range", "%s", err.msg);
		goto done;
	}
	if ((status = check_bounds(&a, key)) != 0)
		goto done;
	if ((files = calloc(a.nfiles, sizeof *files)) == NULL) {
		cli_error("out of memory");
		status = EXIT_TROUBLE;
		goto done;
	}
	if ((status = open_files(&a, files)) != 0)
		goto done;
	if ((out = cli_out_create(STDOUT_FILENO)) == NULL) {
		status = EXIT_TROUBLE;
		goto done;
	}
	status = run(&a, files, key, out);
done:
	status = cli_out_finish(out, status);
	for (size_t i = 0; files != NULL && i < a.nfiles; i++)
		mapq_file_close(files[i]);
	free(files);
	mapq_key_destroy(key);
	free(a.since_bound);
	return status;
}
