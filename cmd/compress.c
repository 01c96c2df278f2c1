/* compress.c - `mapq compress`: write the zstd seekable format. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char compress_usage[] =
        "Usage: mapq compress [--frame-size=SIZE] [-L LEVEL] [-j N] [--align]\n"
        "                     [--no-decompress] [FILE]\n"
        "Compress FILE (or standard input) to standard output in the zstd\n"
        "seekable format: independent frames and a seek table, readable by\n"
        "any zstd decoder and sliced by mapq by random access.\n"
        "\n"
        "      --frame-size=SIZE  uncompressed bytes per frame (default 1M;\n"
        "                     suffixes K M G, at most 1G)\n"
        "      --align        end each frame after the first newline at or\n"
        "                     after SIZE bytes, so frames hold whole lines\n"
        "  -L, --level=LEVEL  zstd compression level (default 3, also 0;\n"
        "                     negative levels are faster, up to 22 smaller)\n"
        "  -j, --threads=N    compress N frames at once (default 1); the\n"
        "                     output is the same for every N\n"
        "      --no-decompress  compress zstd input as the raw bytes it is\n"
        "                     (by default it is decompressed first)\n"
        "  -h, --help         show this help and exit\n"
        "\n"
        "Standard output must not be a terminal.\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-compress(1).\n";

enum { OPT_ALIGN = 256, OPT_FRAME_SIZE, OPT_NO_DECOMPRESS };

static const struct option compress_options[] = {
	{"frame-size", required_argument, NULL, OPT_FRAME_SIZE},
	{"align", no_argument, NULL, OPT_ALIGN},
	{"level", required_argument, NULL, 'L'},
	{"threads", required_argument, NULL, 'j'},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* A decimal int in [lo, hi], the whole text; 0 on success. */
static int parse_int(const char *text, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int cmd_compress(int argc, char **argv)
{
	mapq_compress_options opts = {0, 0, 1, 0};
	unsigned open_flags = MAPQ_OPEN_DEFAULT;
	mapq_error err;
	int c, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":L:j:h", compress_options,
	                        NULL)) != -1) {
		switch (c) {
		case OPT_FRAME_SIZE:
			if (mapq_size_parse(optarg, &opts.frame_size, &err) != MAPQ_OK)
				return cli_usage_error("compress", "%s", err.msg);
			if (opts.frame_size == 0 ||
			    opts.frame_size > MAPQ_COMPRESS_FRAME_MAX)
				return cli_usage_error("compress",
				                       "invalid frame size '%s': "
				                       "not between 1 and 1G",
				                       optarg);
			break;
		case OPT_ALIGN:
			opts.align = 1;
			break;
		case 'L':
			if (parse_int(optarg, mapq_compress_level_min(),
			              mapq_compress_level_max(), &n) != 0)
				return cli_usage_error("compress",
				                       "invalid level '%s': not a "
				                       "number from %d to %d",
				                       optarg, mapq_compress_level_min(),
				                       mapq_compress_level_max());
			opts.level = n;
			break;
		case 'j':
			if (parse_int(optarg, 1, MAPQ_COMPRESS_THREADS_MAX, &n) != 0)
				return cli_usage_error("compress",
				                       "invalid thread count '%s': "
				                       "not a number from 1 to %d",
				                       optarg, MAPQ_COMPRESS_THREADS_MAX);
			opts.threads = (unsigned)n;
			break;
		case OPT_NO_DECOMPRESS:
			open_flags |= MAPQ_OPEN_NO_DECOMPRESS;
			break;
		case 'h':
			fputs(compress_usage, stdout);
			return cli_finish_stdio();
		default:
			return cli_bad_option("compress", argv, c);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("compress",
		                       "one FILE at most ('%s' is the second)",
		                       argv[optind + 1]);
	if (isatty(STDOUT_FILENO)) {
		cli_error("refusing to write compressed data to a terminal "
		          "(redirect standard output)");
		return EXIT_TROUBLE;
	}

	const char *path = optind < argc ? argv[optind] : "-";
	mapq_file *f = NULL;
	int rc = mapq_file_open(&f, path, NULL, open_flags, &err);
	if (rc == MAPQ_OK)
		rc = mapq_compress_file(f, STDOUT_FILENO, &opts, &err);
	mapq_file_close(f);
	if (rc == MAPQ_EPIPE)
		return EXIT_SELECTED; /* the reader left: end quietly */
	if (rc != MAPQ_OK) {
		cli_error("%s", err.msg);
		return EXIT_TROUBLE;
	}
	return EXIT_SELECTED;
}
