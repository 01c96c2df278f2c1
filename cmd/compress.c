/* compress.c - `mapq compress`: write the zstd seekable format. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char compress_usage[] =
        "Usage: mapq compress [--frame-size=SIZE] [-L LEVEL] [-j N] [--align]\n"
        "                     [--no-decompress] [--[no-]progress] [-o OUTPUT]\n"
        "                     [FILE]\n"
        "Compress FILE (or standard input) to standard output, or to OUTPUT,\n"
        "in the zstd seekable format: independent frames and a seek table,\n"
        "readable by any zstd decoder and sliced by mapq by random access.\n"
        "\n"
        "      --frame-size=SIZE  uncompressed bytes per frame (default 1M;\n"
        "                     suffixes K M G, at most 1G)\n"
        "      --align        end each frame after the first newline at or\n"
        "                     after SIZE bytes, so frames hold whole lines\n"
        "  -L, --level=LEVEL  zstd compression level (default 3, also 0;\n"
        "                     negative levels are faster, up to 22 smaller)\n"
        "  -j, --threads=N    use N threads (default, and 0: the online\n"
        "                     CPUs); output is the same for any N\n"
        "  -o, --output=OUTPUT  write to OUTPUT instead of standard output:\n"
        "                     to a new file beside it, renamed over it once\n"
        "                     complete, so OUTPUT is never left partial\n"
        "      --no-decompress  compress zstd input as the raw bytes it is\n"
        "                     (by default it is decompressed first)\n"
        "      --progress     show progress on standard error (bytes, rate,\n"
        "                     time left) even when it is not a terminal\n"
        "      --no-progress  never show it (by default: on a terminal, after\n"
        "                     a second of work)\n"
        "  -h, --help         show this help and exit\n"
        "  -V, --version      show the version and exit\n"
        "\n"
        "Standard output must not be a terminal.\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-compress(1).\n";

_Static_assert(CLI_THREADS_MAX <= MAPQ_COMPRESS_THREADS_MAX,
               "-j takes no more threads than the library can run");

enum { OPT_ALIGN = 256, OPT_FRAME_SIZE, OPT_NO_DECOMPRESS, OPT_PROGRESS,
       OPT_NO_PROGRESS };

static const struct option compress_options[] = {
	{"frame-size", required_argument, NULL, OPT_FRAME_SIZE},
	{"align", no_argument, NULL, OPT_ALIGN},
	{"level", required_argument, NULL, 'L'},
	{"threads", required_argument, NULL, 'j'},
	{"output", required_argument, NULL, 'o'},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
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

/*
 * The output file of -o.  The data goes to a temporary file in the same
 * directory (so that rename(2) stays within one file system) and replaces
 * `target` only once complete: readers of the old file, and the file
 * itself when anything fails, never see part of the output.
 */
struct output {
	const char *name; /* as given, for messages */
	char *target;     /* what is replaced: `name`, symbolic links followed */
	char *tmp;        /* the temporary file, while it exists */
	int fd;
};

/* Free what output_open allocated; remove the temporary file if it is
 * still there (an error happened before the rename). */
static void output_discard(struct output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	o->fd = -1;
	o->tmp = NULL;
	o->target = NULL;
}

/* The process's umask.  umask(2) can only be read by setting it: this runs
 * before the compressor starts its threads, so no file is created with the
 * transient 0 mask. */
static mode_t current_umask(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return mask;
}

/*
 * Create the temporary file for `name`, after checking that `name` may be
 * replaced: not the input (`in`, from stat; NULL if unknown), and, when it
 * exists, a regular file (renaming over a device or a FIFO would replace
 * the node itself).  Returns 0, or EXIT_TROUBLE after reporting why not.
 */
static int output_open(struct output *o, const char *name,
                       const struct stat *in)
{
	struct stat st;
	o->name = name;
	o->target = NULL;
	o->tmp = NULL;
	o->fd = -1;
	if (*name == '\0') {
		cli_error("'': invalid output file name");
		return EXIT_TROUBLE;
	}
	if (stat(name, &st) == 0) {
		if (in != NULL && st.st_dev == in->st_dev &&
		    st.st_ino == in->st_ino) {
			cli_error("%s: the output is the input file: "
			          "not replacing it", name);
			return EXIT_TROUBLE;
		}
		if (!S_ISREG(st.st_mode)) {
			cli_error("%s: not a regular file: not replacing it", name);
			return EXIT_TROUBLE;
		}
		/* Replace what a symbolic link points at, as `>` writes
		 * through it, not the link. */
		o->target = realpath(name, NULL);
	}
	if (o->target == NULL)
		o->target = strdup(name);
	if (o->target == NULL) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}

	/* DIR/.BASE.XXXXXX: hidden, and named after the file it will be. */
	const char *slash = strrchr(o->target, '/');
	size_t dir_len = slash != NULL ? (size_t)(slash + 1 - o->target) : 0;
	size_t len = strlen(o->target) + sizeof "/..XXXXXX";
	o->tmp = malloc(len);
	if (o->tmp == NULL) {
		cli_error("out of memory");
		output_discard(o);
		return EXIT_TROUBLE;
	}
	snprintf(o->tmp, len, "%.*s.%s.XXXXXX", (int)dir_len, o->target,
	         o->target + dir_len);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		int e = errno;
		free(o->tmp); /* nothing was created */
		o->tmp = NULL;
		cli_error("%s: %s", name, strerror(e));
		output_discard(o);
		return EXIT_TROUBLE;
	}
	/* mkstemp creates the file 0600; the output is an ordinary file and
	 * gets the mode open(2) would give it. */
	if (fchmod(o->fd, 0666 & ~current_umask()) != 0) {
		cli_error("%s: %s", name, strerror(errno));
		output_discard(o);
		return EXIT_TROUBLE;
	}
	return 0;
}

/* The output is complete: close it (where NFS reports late write errors)
 * and rename it over the target.  Returns 0, or EXIT_TROUBLE after
 * reporting why not (the temporary file is then removed). */
static int output_commit(struct output *o)
{
	int fd = o->fd;
	o->fd = -1;
	if (close(fd) != 0) {
		cli_error("%s: write error: %s", o->name, strerror(errno));
		output_discard(o);
		return EXIT_TROUBLE;
	}
	if (rename(o->tmp, o->target) != 0) {
		cli_error("%s: %s", o->name, strerror(errno));
		output_discard(o);
		return EXIT_TROUBLE;
	}
	free(o->tmp);
	o->tmp = NULL;
	output_discard(o);
	return 0;
}

int cmd_compress(int argc, char **argv)
{
	mapq_compress_options opts = {0}; /* threads 0: online CPUs */
	unsigned open_flags = MAPQ_OPEN_DEFAULT;
	enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
	const char *output = NULL;
	mapq_error err;
	int c, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":L:j:o:hV", compress_options,
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
			if (cli_threads_option("compress", optarg,
			                       CLI_THREADS_MAX,
			                       &opts.threads) != 0)
				return EXIT_TROUBLE;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_NO_DECOMPRESS:
			open_flags |= MAPQ_OPEN_NO_DECOMPRESS;
			break;
		case OPT_PROGRESS:
			progress = CLI_PROGRESS_ALWAYS;
			break;
		case OPT_NO_PROGRESS:
			progress = CLI_PROGRESS_NEVER;
			break;
		case 'h':
			fputs(compress_usage, stdout);
			return cli_finish_stdio();
		case 'V':
			return cli_print_version();
		default:
			return cli_bad_option("compress", argv, c);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("compress",
		                       "one FILE at most ('%s' is the second)",
		                       argv[optind + 1]);
	if (opts.threads == 0)
		opts.threads = cli_online_cpus(CLI_THREADS_MAX);
	if (output == NULL && isatty(STDOUT_FILENO)) {
		return cli_usage_error("compress",
		                       "refusing to write compressed data to a "
		                       "terminal (redirect standard output, or "
		                       "use -o FILE)");
	}

	const char *path = optind < argc ? argv[optind] : "-";
	mapq_file *f = NULL;
	int rc = mapq_file_open(&f, path, NULL, open_flags, &err);
	if (rc != MAPQ_OK) {
		cli_error("%s", err.msg);
		return EXIT_TROUBLE;
	}

	struct output out = {NULL, NULL, NULL, -1};
	int fd = STDOUT_FILENO;
	if (output != NULL) {
		/* The input as opened: compared with the output so that a
		 * file is never replaced by its own compression. */
		struct stat in_st;
		int known;
		if (strcmp(path, "-") == 0)
			known = fstat(STDIN_FILENO, &in_st) == 0;
		else
			known = stat(path, &in_st) == 0;
		if (output_open(&out, output, known ? &in_st : NULL) != 0) {
			mapq_file_close(f);
			return EXIT_TROUBLE;
		}
		fd = out.fd;
	}
	/* The total is the data's size: decompressed, for compressed input
	 * (unknown for a zstd stream that does not declare it). */
	opts.progress = cli_progress_start(
	        progress, mapq_file_size_known(f) && !mapq_file_is_stream(f)
	                          ? mapq_file_size(f)
	                          : UINT64_MAX);
	rc = mapq_compress_file(f, fd, &opts, &err);
	cli_progress_stop();
	mapq_file_close(f);
	if (rc == MAPQ_EPIPE && output == NULL)
		return EXIT_SELECTED; /* the reader left: end quietly */
	if (rc != MAPQ_OK) {
		/* Write errors are about the output: name it, as the input
		 * names itself in its own errors. */
		if (output != NULL && (rc == MAPQ_EWRITE || rc == MAPQ_EPIPE))
			cli_error("%s: %s", output, err.msg);
		else
			cli_error("%s", err.msg);
		if (output != NULL)
			output_discard(&out);
		return EXIT_TROUBLE;
	}
	if (output != NULL)
		return output_commit(&out) == 0 ? EXIT_SELECTED : EXIT_TROUBLE;
	return EXIT_SELECTED;
}
