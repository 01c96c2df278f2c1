/* split.c - `mapq split`: line-aligned byte ranges for parallel workers. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const char split_usage[] =
        "Usage: mapq split -n N [--lines] [--no-decompress] [FILE]\n"
        "Print N byte ranges START:END, one per line, that cover FILE and\n"
        "begin and end at line starts, so that N workers each given one\n"
        "(mapq grep --bytes=START:END, mapq slice --align -b START:END) see\n"
        "every line exactly once.  Fewer ranges when FILE has fewer lines\n"
        "than N; nothing for an empty FILE.  With no FILE, or FILE '-', read\n"
        "standard input.\n"
        "\n"
        "  -n, --number=N  how many ranges (1 or more)\n"
        "      --lines     balance the number of lines in each range instead\n"
        "                  of its bytes (reads the whole file)\n"
        "      --no-decompress  take zstd-compressed input as the raw\n"
        "                  bytes it is (by default ranges are of the\n"
        "                  decompressed data)\n"
        "  -h, --help      show this help and exit\n"
        "  -V, --version   show the version and exit\n"
        "\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-split(1).\n";

enum { OPT_LINES = 256, OPT_NO_DECOMPRESS };

static const struct option split_options[] = {
	{"number", required_argument, NULL, 'n'},
	{"lines", no_argument, NULL, OPT_LINES},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

int cmd_split(int argc, char **argv)
{
	const char *count = NULL;
	mapq_split_mode mode = MAPQ_SPLIT_BYTES;
	unsigned open_flags = MAPQ_OPEN_DEFAULT;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:hV", split_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = optarg;
			break;
		case OPT_LINES:
			mode = MAPQ_SPLIT_LINES;
			break;
		case OPT_NO_DECOMPRESS:
			open_flags = MAPQ_OPEN_NO_DECOMPRESS;
			break;
		case 'h':
			fputs(split_usage, stdout);
			return cli_finish_stdio();
		case 'V':
			return cli_print_version();
		default:
			return cli_bad_option("split", argv, c);
		}
	}
	if (count == NULL)
		return cli_usage_error("split", "missing -n N");
	if (argc - optind > 1)
		return cli_usage_error("split", "extra operand '%s': one FILE "
		                                "at most",
		                       argv[optind + 1]);
	uint64_t n;
	if (cli_parse_positive(count, &n) != 0) {
		return cli_usage_error("split", "invalid number of ranges '%s': "
		                                "expected an integer from 1",
		                       count);
	}

	mapq_error err;
	mapq_file *f = NULL;
	mapq_split *s = NULL;
	struct cli_out *out = NULL;
	int status = 0;
	if (mapq_file_open(&f, optind < argc ? argv[optind] : "-", NULL,
	                   open_flags, &err) != MAPQ_OK ||
	    mapq_split_create(&s, f, n, mode, &err) != MAPQ_OK) {
		cli_error("%s", err.msg);
		status = EXIT_TROUBLE;
		goto done;
	}
	if ((out = cli_out_create(STDOUT_FILENO)) == NULL) {
		status = EXIT_TROUBLE;
		goto done;
	}
	uint64_t start, end;
	int rc = 0;
	while (!out->closed && !out->failed &&
	       (rc = mapq_split_next(s, &start, &end, &err)) > 0) {
		char text[64];
		int len = snprintf(text, sizeof text, "%llu:%llu\n",
		                   (unsigned long long)start,
		                   (unsigned long long)end);
		cli_out_write(out, text, (size_t)len);
	}
	if (rc < 0) {
		cli_error("%s", err.msg);
		status = EXIT_TROUBLE;
	}
done:
	status = cli_out_finish(out, status);
	mapq_split_destroy(s);
	mapq_file_close(f);
	return status;
}
