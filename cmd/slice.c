/* slice.c - `mapq slice`: write byte and line ranges of files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char slice_usage[] =
        "Usage: mapq slice [-b RANGE | -l RANGE]... [--align] [--no-decompress]\n"
        "                  [FILE...]\n"
        "Write the selected bytes or lines of each FILE to standard output,\n"
        "in the order the ranges are given.  With no FILE, or FILE '-',\n"
        "read standard input.  With no range, write everything.\n"
        "\n"
        "  -b, --bytes=RANGE  bytes START:END (0-based, END excluded),\n"
        "                     START:+COUNT, N; negatives count from the end;\n"
        "                     suffixes K M G T (x1024), e.g. -4K: or 1GiB:+64K\n"
        "  -l, --lines=RANGE  lines FIRST:LAST (1-based, LAST included),\n"
        "                     FIRST:+COUNT, N; -10: is the last ten lines\n"
        "      --align        a byte range selects the lines that start\n"
        "                     inside it, each whole\n"
        "      --no-decompress  take zstd-compressed input as the raw bytes\n"
        "                     it is (by default it is decompressed, and a\n"
        "                     seekable .zst is sliced by random access)\n"
        "  -h, --help         show this help and exit\n"
        "  -V, --version      show the version and exit\n"
        "\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-slice(1).\n";

enum { OPT_ALIGN = 256, OPT_NO_DECOMPRESS };

static const struct option slice_options[] = {
	{"bytes", required_argument, NULL, 'b'},
	{"lines", required_argument, NULL, 'l'},
	{"align", no_argument, NULL, OPT_ALIGN},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

struct slice_args {
	mapq_range *ranges;
	size_t n_ranges;
	int align;
	int no_decompress;
};

/* Write the data one range selects, window by window as a scan reads it. */
static int slice_range(mapq_file *f, const mapq_range *r, unsigned flags,
                       struct cli_out *out, mapq_error *err)
{
	mapq_scan *scan;
	int rc = mapq_scan_create(&scan, f, r, 0, flags, err);
	if (rc != MAPQ_OK)
		return rc;
	mapq_view w;
	while ((rc = mapq_scan_next(scan, &w, err)) > 0)
		if ((rc = cli_out_window(out, &w, err)) != MAPQ_OK)
			break;
	mapq_scan_destroy(scan);
	return rc < 0 ? rc : MAPQ_OK;
}

/*
 * Write one file's ranges.  Returns 0, or EXIT_TROUBLE after reporting a
 * problem with the file; output errors are recorded in `out`.
 */
static int slice_file(const char *path, const struct slice_args *a,
                      struct cli_out *out)
{
	mapq_error err;
	mapq_file *f = NULL;
	int status = 0;
	unsigned open_flags = a->no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
	                                       : MAPQ_OPEN_DEFAULT;
	int rc = mapq_file_open(&f, path, NULL, open_flags, &err);
	if (rc != MAPQ_OK) {
		cli_error("%s", err.msg);
		status = EXIT_TROUBLE;
		goto done;
	}
	/* A stream is read once: ranges in any order need a file. */
	if (a->n_ranges > 1 && mapq_file_is_stream(f)) {
		cli_error("%s: several ranges need a file, not a stream "
		          "(it can be read only once)",
		          mapq_file_name(f));
		status = EXIT_TROUBLE;
		goto done;
	}

	unsigned flags = a->align ? MAPQ_SCAN_ALIGN : MAPQ_SCAN_DEFAULT;
	size_t n = a->n_ranges > 0 ? a->n_ranges : 1;
	for (size_t i = 0; i < n && !out->closed && !out->failed; i++) {
		const mapq_range *r = a->n_ranges > 0 ? &a->ranges[i] : NULL;
		rc = slice_range(f, r, flags, out, &err);
		if (rc == MAPQ_EPIPE || rc == MAPQ_EWRITE)
			break; /* reported by cli_out_window */
		if (rc != MAPQ_OK) {
			cli_error("%s", err.msg);
			status = EXIT_TROUBLE;
			break;
		}
	}
done:
	mapq_file_close(f);
	return status;
}

int cmd_slice(int argc, char **argv)
{
	struct slice_args a = {NULL, 0, 0, 0};
	int status = EXIT_SELECTED;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:l:hV", slice_options, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'l': {
			mapq_range *grown = realloc(a.ranges, (a.n_ranges + 1) *
			                                              sizeof *grown);
			if (grown == NULL) {
				cli_error("out of memory");
				status = EXIT_TROUBLE;
				goto done;
			}
			a.ranges = grown;
			mapq_range_unit unit = c == 'b' ? MAPQ_RANGE_BYTES
			                                : MAPQ_RANGE_LINES;
			status = cli_range_option("slice", optarg, unit,
			                          &a.ranges[a.n_ranges]);
			if (status != 0)
				goto done;
			a.n_ranges++;
			break;
		}
		case OPT_ALIGN:
			a.align = 1;
			break;
		case OPT_NO_DECOMPRESS:
			a.no_decompress = 1;
			break;
		case 'h':
			fputs(slice_usage, stdout);
			status = cli_finish_stdio();
			goto done;
		case 'V':
			status = cli_print_version();
			goto done;
		default:
			status = cli_bad_option("slice", argv, c);
			goto done;
		}
	}

	struct cli_out *out = malloc(sizeof *out);
	if (out == NULL) {
		cli_error("out of memory");
		status = EXIT_TROUBLE;
		goto done;
	}
	cli_out_init(out, STDOUT_FILENO);
	if (optind >= argc) {
		status = slice_file("-", &a, out);
	} else {
		for (int i = optind; i < argc && !out->closed && !out->failed; i++)
			if (slice_file(argv[i], &a, out) != 0)
				status = EXIT_TROUBLE;
	}
	if (cli_out_flush(out) != 0 && out->failed)
		status = EXIT_TROUBLE;
	if (out->failed)
		status = EXIT_TROUBLE;
	free(out);
done:
	free(a.ranges);
	return status;
}
