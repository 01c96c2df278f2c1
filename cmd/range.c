/* range.c - `mapq range`: the lines of a sorted file inside a key window. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char range_usage[] =
        "Usage: mapq range --from KEY [--to KEY] [KEY OPTIONS] [-c | --offsets]\n"
        "                  [--no-decompress] [FILE]\n"
        "       mapq range --check [--from KEY] [--to KEY] [KEY OPTIONS] [FILE]\n"
        "Print the lines of FILE, sorted by a key (a timestamped log), whose\n"
        "key K satisfies FROM <= K < TO, found by binary search: only a few\n"
        "pages of the file are read besides the lines printed.  Keys compare\n"
        "byte by byte on the length of the bound: --from 2026-11-24T10 starts\n"
        "at the first line whose key begins with 2026-11-24T10 or more.\n"
        "With no FILE, or FILE '-', read standard input.\n"
        "\n"
        "      --from=KEY       first key of the window (required but with --check)\n"
        "      --to=KEY         end of the window, excluded (default: end of file)\n"
        "Key (default: the whole line):\n"
        "      --field=N        field N (1-based), fields separated by runs of\n"
        "                       blanks, leading blanks skipped (as awk)\n"
        "  -d, --delimiter=C    with --field: every byte C separates (as cut -d)\n"
        "      --key-regex=RE   the first capture group of PCRE2 regex RE (the\n"
        "                       whole match without a group)\n"
        "A line without a key (no such field, no match) sorts first.\n"
        "Output:\n"
        "  -c, --count          print the number of lines in the window\n"
        "      --offsets        print the window's byte range START:END\n"
        "      --check          check that the keys never decrease (on the\n"
        "                       bounds' length when given); print the first\n"
        "                       line out of order as NUMBER:TEXT\n"
        "Input:\n"
        "      --no-decompress  take zstd-compressed input as the raw bytes\n"
        "                       it is (by default it is decompressed; a\n"
        "                       seekable file is bisected frame by frame)\n"
        "  -h, --help           show this help and exit\n"
        "\n"
        "Exit status: 0 lines were in the window (--check: sorted), 1 none\n"
        "(--check: not sorted), 2 an error.  See mapq-range(1).\n";

enum {
	OPT_FROM = 256,
	OPT_TO,
	OPT_FIELD,
	OPT_KEY_REGEX,
	OPT_OFFSETS,
	OPT_CHECK,
	OPT_NO_DECOMPRESS
};

static const struct option range_options[] = {
	{"from", required_argument, NULL, OPT_FROM},
	{"to", required_argument, NULL, OPT_TO},
	{"field", required_argument, NULL, OPT_FIELD},
	{"delimiter", required_argument, NULL, 'd'},
	{"key-regex", required_argument, NULL, OPT_KEY_REGEX},
	{"count", no_argument, NULL, 'c'},
	{"offsets", no_argument, NULL, OPT_OFFSETS},
	{"check", no_argument, NULL, OPT_CHECK},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct range_args {
	const char *from;
	const char *to;
	const char *field;
	const char *delim;
	const char *regex;
	int count;
	int offsets;
	int check;
	int no_decompress;
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
		if (cli_parse_positive(a->field, &spec->field) != 0) {
			cli_error("invalid field number '%s': expected an integer "
			          "from 1",
			          a->field);
			return EXIT_TROUBLE;
		}
		if (a->delim != NULL) {
			if (strlen(a->delim) != 1) {
				cli_error("invalid delimiter '%s': expected a "
				          "single byte",
				          a->delim);
				return EXIT_TROUBLE;
			}
			spec->delim = (unsigned char)a->delim[0];
		}
	}
	if (a->regex != NULL) {
		spec->type = MAPQ_KEY_REGEX;
		spec->regex = a->regex;
	}
	return 0;
}

/* --check: print the first line out of order as NUMBER:TEXT. */
static int run_check(const struct range_args *a, mapq_file *f,
                     mapq_key *key, struct cli_out *out, mapq_error *err)
{
	uint64_t prefix = UINT64_MAX;
	if (a->from != NULL || a->to != NULL) {
		size_t f = a->from != NULL ? strlen(a->from) : 0;
		size_t t = a->to != NULL ? strlen(a->to) : 0;
		prefix = f > t ? f : t;
	}
	mapq_disorder where;
	int rc = mapq_bisect_check(f, key, prefix, &where, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return EXIT_SELECTED;
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

/*
 * The window: its lines, their count, or its offsets, from one scan of it
 * (a mapped or seekable file is bisected first; a stream is read once, up
 * to the window's end).
 */
static int run_window(const struct range_args *a, mapq_file *f,
                      mapq_key *key, struct cli_out *out, mapq_error *err)
{
	mapq_scan *scan;
	int rc = mapq_bisect_scan(&scan, f, key, a->from, strlen(a->from),
	                          a->to, a->to != NULL ? strlen(a->to) : 0,
	                          MAPQ_SCAN_LINES, err);
	if (rc != MAPQ_OK)
		return rc;
	uint64_t bytes = 0, lines = 0;
	mapq_view w;
	if (a->count)
		rc = mapq_scan_count_lines(scan, &lines, err);
	while (!a->count && (rc = mapq_scan_next(scan, &w, err)) > 0) {
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
	uint64_t start = 0;
	if (rc == 0 && mapq_scan_start(scan, &start) != MAPQ_OK)
		start = 0;
	mapq_scan_destroy(scan);
	if (rc < 0)
		return rc;
	int status = (a->count ? lines : bytes) > 0 ? EXIT_SELECTED : EXIT_NONE;
	char text[64];
	int n = 0;
	if (a->count)
		n = snprintf(text, sizeof text, "%llu\n",
		             (unsigned long long)lines);
	else if (a->offsets)
		n = snprintf(text, sizeof text, "%llu:%llu\n",
		             (unsigned long long)start,
		             (unsigned long long)(start + bytes));
	if (n > 0)
		cli_out_write(out, text, (size_t)n);
	return status;
}

int cmd_range(int argc, char **argv)
{
	struct range_args a;
	memset(&a, 0, sizeof a);
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":cd:h", range_options, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			a.from = optarg;
			break;
		case OPT_TO:
			a.to = optarg;
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
		default:
			return cli_bad_option("range", argv, c);
		}
	}
	if (a.from == NULL && !a.check)
		return cli_usage_error("range", "missing --from (required but "
		                                "with --check)");
	if (a.count && a.offsets)
		return cli_usage_error("range", "-c and --offsets cannot be used "
		                                "together");
	if (a.check && (a.count || a.offsets))
		return cli_usage_error("range", "--check cannot be used with -c "
		                                "or --offsets");
	if (argc - optind > 1)
		return cli_usage_error("range", "extra operand '%s': one FILE "
		                                "at most",
		                       argv[optind + 1]);
	mapq_key_spec spec;
	int status = key_spec(&a, &spec);
	if (status != 0)
		return status;

	mapq_error err;
	mapq_key *key = NULL;
	mapq_file *f = NULL;
	struct cli_out *out = NULL;
	if (mapq_key_create(&key, &spec, &err) != MAPQ_OK) {
		cli_error("%s", err.msg);
		return EXIT_TROUBLE;
	}
	if (mapq_file_open(&f, optind < argc ? argv[optind] : "-", NULL,
	                   a.no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
	                                   : MAPQ_OPEN_DEFAULT,
	                   &err) != MAPQ_OK) {
		cli_error("%s", err.msg);
		status = EXIT_TROUBLE;
		goto done;
	}
	if ((out = cli_out_create(STDOUT_FILENO)) == NULL) {
		status = EXIT_TROUBLE;
		goto done;
	}
	int rc = a.check ? run_check(&a, f, key, out, &err)
	                 : run_window(&a, f, key, out, &err);
	if (rc < 0) {
		cli_error("%s", err.msg);
		status = EXIT_TROUBLE;
	} else {
		status = rc;
	}
done:
	status = cli_out_finish(out, status);
	mapq_file_close(f);
	mapq_key_destroy(key);
	return status;
}
