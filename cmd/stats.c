/* stats.c - `mapq stats`: byte statistics of files, as text or JSON. */
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char stats_usage[] =
        "Usage: mapq stats [-b RANGE | -l RANGE] [--json] [-H]\n"
        "                  [--histogram [--top N]] [--no-decompress] [-j N]\n"
        "                  [--[no-]progress] [FILE...]\n"
        "Measure each FILE in one pass: bytes, lines, newlines, the longest\n"
        "line, empty lines, NUL and CR bytes, invalid UTF-8 sequences, the\n"
        "entropy in bits per byte and the byte histogram.  With several\n"
        "files, a total follows.  With no FILE, or FILE '-', read standard\n"
        "input.\n"
        "\n"
        "  -b, --bytes=RANGE  measure only bytes START:END (0-based, END\n"
        "                     excluded), START:+COUNT, N; negatives count\n"
        "                     from the end; suffixes K M G T (x1024)\n"
        "  -l, --lines=RANGE  measure only lines FIRST:LAST (1-based, LAST\n"
        "                     included), FIRST:+COUNT, N; -10: is the last ten\n"
        "      --json         print one JSON object per line (JSON Lines)\n"
        "  -H, --human-readable  also show bytes and lengths in IEC units\n"
        "                     (KiB, MiB, GiB: powers of 1024); not in --json\n"
        "      --histogram    draw the byte histogram as a bar chart, one row\n"
        "                     per byte value that occurs, in byte order\n"
        "      --top=N        with --histogram: only the N most frequent byte\n"
        "                     values, most frequent first\n"
        "      --no-decompress  measure zstd-compressed input as the raw\n"
        "                     bytes it is (by default it is decompressed,\n"
        "                     and ranges select decompressed bytes and lines)\n"
        "  -j, --threads=N    use N threads (default, and 0: the online\n"
        "                     CPUs); output is the same for any N\n"
        "      --progress     show progress on standard error (bytes, rate,\n"
        "                     time left) even when it is not a terminal\n"
        "      --no-progress  never show it (by default: on a terminal, after\n"
        "                     a second of work)\n"
        "  -h, --help         show this help and exit\n"
        "  -V, --version      show the version and exit\n"
        "\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-stats(1).\n";

enum { OPT_JSON = 256, OPT_HISTOGRAM, OPT_NO_DECOMPRESS, OPT_TOP, OPT_PROGRESS,
       OPT_NO_PROGRESS };

static const struct option stats_options[] = {
	{"bytes", required_argument, NULL, 'b'},
	{"lines", required_argument, NULL, 'l'},
	{"json", no_argument, NULL, OPT_JSON},
	{"histogram", no_argument, NULL, OPT_HISTOGRAM},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"threads", required_argument, NULL, 'j'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"human-readable", no_argument, NULL, 'H'},
	{"top", required_argument, NULL, OPT_TOP},
	{NULL, 0, NULL, 0},
};


/* Widest line of the chart, so that it fits 80 columns with room. */
#define CHART_WIDTH 79

struct stats_args {
	mapq_range range;
	int has_range;
	int json;
	int histogram;
	uint64_t top; /* --top: rows of the chart (0: every value) */
	int human;    /* -H */
	int unicode; /* the chart may use block characters */
	int no_decompress;
	unsigned threads;
	enum cli_progress_mode progress_mode;
	uint64_t *progress; /* the progress line's counter, or NULL */
};

/* ---------------------------------------------------------------- */
/* Output                                                             */
/* ---------------------------------------------------------------- */

static void put(struct cli_out *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void put(struct cli_out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		cli_out_write(o, buf, (size_t)n < sizeof buf ? (size_t)n
		                                             : sizeof buf - 1);
}

static void put_str(struct cli_out *o, const char *s)
{
	cli_out_write(o, s, strlen(s));
}

/* The shortest decimal form that reads back as the same double. */
static void format_double(char *buf, size_t size, double v)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/*
 * How a byte value is shown in the chart (mapq-stats(1), HISTOGRAM): at
 * most 4 columns of ASCII, whatever the locale, and a different label for
 * each of the 256 values.  Control characters have their C escape or
 * their caret form, space and DEL a name, printable ASCII is itself, and
 * 0x80 to 0xFF, which are not characters on their own in UTF-8 and are
 * different characters in each 8-bit locale, are \xHH.
 */
static void byte_label(unsigned b, char label[5])
{
	static const char *const named[] = {
	        ['\0'] = "\\0", ['\a'] = "\\a", ['\b'] = "\\b", ['\t'] = "\\t",
	        ['\n'] = "\\n", ['\v'] = "\\v", ['\f'] = "\\f", ['\r'] = "\\r",
	        [0x1B] = "ESC", [' '] = "SP",   [0x7F] = "DEL"};
	if (b < sizeof named / sizeof named[0] && named[b] != NULL)
		snprintf(label, 5, "%s", named[b]);
	else if (b < 0x20)
		snprintf(label, 5, "^%c", (char)(b + 0x40));
	else if (b < 0x7F)
		snprintf(label, 5, "%c", (char)b);
	else
		snprintf(label, 5, "\\x%02x", b & 0xFF);
}

/*
 * Order chart rows (byte values, in byte order) most frequent first,
 * equal counts by byte value: an insertion sort, stable, of 256 at most.
 */
static void sort_by_count(unsigned char *rows, unsigned n, const uint64_t *count)
{
	for (unsigned i = 1; i < n; i++) {
		unsigned char b = rows[i];
		unsigned j = i;
		for (; j > 0 && count[rows[j - 1]] < count[b]; j--)
			rows[j] = rows[j - 1];
		rows[j] = b;
	}
}

/*
 * One row per byte value that occurs: value, label, count, share of all
 * bytes, and a bar scaled so that the most frequent value fills the width
 * left.  Rows are in byte order, or with --top the `top` most frequent
 * values, most frequent first.  Bars are drawn in eighths of a column with
 * block characters, or with '#' (a column), '+' (half a column or more)
 * and '.' (less than half a column: the value occurs, rarely) in ASCII.
 */
static void print_chart(struct cli_out *o, const mapq_stats_result *r,
                        const struct stats_args *a)
{
	static const char *const eighths[] = {"", "\u258F", "\u258E", "\u258D",
	                                      "\u258C", "\u258B", "\u258A",
	                                      "\u2589"};
	unsigned char rows[256];
	unsigned n_rows = 0;
	uint64_t max = 0;
	for (unsigned b = 0; b < 256; b++) {
		if (r->histogram[b] == 0)
			continue;
		rows[n_rows++] = (unsigned char)b;
		if (r->histogram[b] > max)
			max = r->histogram[b];
	}
	if (a->top > 0) {
		sort_by_count(rows, n_rows, r->histogram);
		if (a->top < n_rows)
			n_rows = (unsigned)a->top;
	}
	put_str(o, "histogram:\n");
	if (max == 0)
		return;
	char digits[24];
	int width = snprintf(digits, sizeof digits, "%" PRIu64, max);
	/* "  0xHH LLLL COUNT 100.00% " is 21 columns and the count. */
	int bar_width = CHART_WIDTH - 21 - width;
	for (unsigned i = 0; i < n_rows; i++) {
		unsigned b = rows[i];
		uint64_t c = r->histogram[b];
		char label[5];
		byte_label(b, label);
		put(o, "  0x%02x %-4s %*" PRIu64 " %6.2f%% ", b, label, width, c,
		    100.0 * (double)c / (double)r->bytes);
		uint64_t units = (uint64_t)((double)c / (double)max *
		                            (double)bar_width * 8.0 + 0.5);
		if (units == 0)
			units = 1;
		for (uint64_t k = 0; k < units / 8; k++)
			put_str(o, a->unicode ? "\u2588" : "#");
		if (a->unicode)
			put_str(o, eighths[units % 8]);
		else if (units % 8 >= 4)
			put_str(o, "+");
		else if (units < 8)
			put_str(o, ".");
		put_str(o, "\n");
	}
}

static void print_text(struct cli_out *o, const char *path,
                       const mapq_stats_result *r, const struct stats_args *a)
{
	char size[CLI_SIZE_LEN];
	put_str(o, "path: ");
	put_str(o, path);
	/* -H: "1.5 GiB (1610612736)", the exact number kept in brackets. */
	if (a->human)
		put(o, "\nbytes: %s (%" PRIu64 ")", cli_format_size(r->bytes, size),
		    r->bytes);
	else
		put(o, "\nbytes: %" PRIu64, r->bytes);
	put(o, "\nlines: %" PRIu64 "\nnewlines: %" PRIu64 "\nlongest_line: ",
	    r->lines, r->newlines);
	if (a->human)
		put(o, "%s (%" PRIu64 ")", cli_format_size(r->longest_length, size),
		    r->longest_length);
	else
		put(o, "%" PRIu64, r->longest_length);
	put(o, " (line %" PRIu64 ")\n", r->longest_line);
	put(o, "empty_lines: %" PRIu64 "\nnul_bytes: %" PRIu64
	       "\ncr_bytes: %" PRIu64 "\nutf8_invalid: %" PRIu64
	       "\nentropy: %.6f\n",
	    r->empty_lines, r->nul_bytes, r->cr_bytes, r->utf8_invalid,
	    r->entropy);
	if (a->histogram)
		print_chart(o, r, a);
}

/* One JSON object on one line; path NULL is the totals' null. */
static void print_json(struct cli_out *o, const char *path,
                       const mapq_stats_result *r)
{
	put_str(o, "{\"path\":");
	if (path != NULL)
		cli_json_string(o, path, strlen(path));
	else
		put_str(o, "null");
	put(o, ",\"bytes\":%" PRIu64 ",\"lines\":%" PRIu64
	       ",\"newlines\":%" PRIu64 ",\"longest_line\":{\"length\":%" PRIu64
	       ",\"line\":%" PRIu64 "}",
	    r->bytes, r->lines, r->newlines, r->longest_length,
	    r->longest_line);
	char entropy[32];
	format_double(entropy, sizeof entropy, r->entropy);
	put(o, ",\"empty_lines\":%" PRIu64 ",\"nul_bytes\":%" PRIu64
	       ",\"cr_bytes\":%" PRIu64 ",\"utf8_invalid\":%" PRIu64
	       ",\"entropy\":%s,\"histogram\":[",
	    r->empty_lines, r->nul_bytes, r->cr_bytes, r->utf8_invalid, entropy);
	for (unsigned b = 0; b < 256; b++)
		put(o, b == 0 ? "%" PRIu64 : ",%" PRIu64, r->histogram[b]);
	put_str(o, "]}\n");
}

/* ---------------------------------------------------------------- */
/* Measuring                                                          */
/* ---------------------------------------------------------------- */

/*
 * The number, in the whole file, of the first line selected, when it is
 * known without counting (printed line numbers never count from the start
 * of a range): 0 when the newlines before the range must be counted.
 */
static uint64_t first_line_known(const struct stats_args *a)
{
	const mapq_range *r = &a->range;
	if (!a->has_range)
		return 1;
	if (r->unit == MAPQ_RANGE_LINES && (r->flags & MAPQ_RANGE_HAS_START) &&
	    !(r->flags & MAPQ_RANGE_START_NEG))
		return r->start;
	return 0;
}

/*
 * Measure the selection of one file into *r; *first_line is the number of
 * its first line.  Compressed input is measured after decompression,
 * ranges and line numbers included; a stream as it is read.  Returns 0,
 * or EXIT_TROUBLE after reporting the file.
 */
static int stats_file(const char *path, const struct stats_args *a,
                      mapq_stats *s, mapq_stats_result *r,
                      uint64_t *first_line)
{
	mapq_error err;
	mapq_file *f = NULL;
	unsigned open_flags = a->no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
	                                       : MAPQ_OPEN_DEFAULT;
	int rc = mapq_file_open(&f, path, NULL, open_flags, &err);
	/* The progress total counted the file as stored, or not at all. */
	if (a->progress != NULL && !a->has_range &&
	    (rc != MAPQ_OK || mapq_file_compression(f) != MAPQ_COMPRESSION_NONE))
		cli_progress_add_total(cli_progress_size(path),
		                       rc != MAPQ_OK ? 0
		                       : mapq_file_size_known(f) ? mapq_file_size(f)
		                                                 : UINT64_MAX);
	if (rc == MAPQ_OK) {
		*first_line = first_line_known(a);
		mapq_stats_reset(s);
		rc = mapq_stats_scan(s, f, a->has_range ? &a->range : NULL,
		                     a->threads,
		                     *first_line == 0 ? first_line : NULL, &err);
	}
	if (rc == MAPQ_OK)
		mapq_stats_finish(s, *first_line, r);
	mapq_file_close(f);
	if (rc != MAPQ_OK) {
		cli_progress_error("%s", err.msg);
		return EXIT_TROUBLE;
	}
	return 0;
}

/* May the chart draw with Unicode blocks?  When the locale is UTF-8. */
static int locale_is_utf8(void)
{
	if (setlocale(LC_CTYPE, "") == NULL)
		return 0;
	const char *codeset = nl_langinfo(CODESET);
	return strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_args a;
	memset(&a, 0, sizeof a); /* threads 0: all online CPUs */
	mapq_error err;
	mapq_stats *s = NULL;
	struct cli_out *out = NULL;
	int status = EXIT_SELECTED;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:l:j:hHV", stats_options, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'l':
			if (a.has_range) {
				status = cli_usage_error("stats",
				                         "only one range (-b or -l) may be given");
				goto done;
			}
			status = cli_range_option("stats", optarg,
			                          c == 'b' ? MAPQ_RANGE_BYTES
			                                   : MAPQ_RANGE_LINES,
			                          &a.range);
			if (status != 0)
				goto done;
			a.has_range = 1;
			break;
		case OPT_JSON:
			a.json = 1;
			break;
		case OPT_HISTOGRAM:
			a.histogram = 1;
			break;
		case OPT_NO_DECOMPRESS:
			a.no_decompress = 1;
			break;
		case OPT_PROGRESS:
			a.progress_mode = CLI_PROGRESS_ALWAYS;
			break;
		case OPT_NO_PROGRESS:
			a.progress_mode = CLI_PROGRESS_NEVER;
			break;
		case 'j':
			status = cli_threads_option("stats", optarg, CLI_THREADS_MAX,
			                            &a.threads);
			if (status != 0)
				goto done;
			break;
		case 'H':
			a.human = 1;
			break;
		case OPT_TOP:
			if (cli_parse_positive(optarg, &a.top) != 0) {
				status = cli_usage_error("stats",
				                         "invalid --top '%s': expected an "
				                         "integer from 1",
				                         optarg);
				goto done;
			}
			break;
		case 'h':
			fputs(stats_usage, stdout);
			status = cli_finish_stdio();
			goto done;
		case 'V':
			status = cli_print_version();
			goto done;
		default:
			status = cli_bad_option("stats", argv, c);
			goto done;
		}
	}
	if (a.top > 0 && !a.histogram) {
		status = cli_usage_error("stats", "--top needs --histogram");
		goto done;
	}
	if (a.threads == 0)
		a.threads = cli_online_cpus(CLI_THREADS_MAX);
	if (a.histogram && !a.json)
		a.unicode = locale_is_utf8();

	out = malloc(sizeof *out);
	if (out == NULL || mapq_stats_create(&s, &err) != MAPQ_OK) {
		cli_error("out of memory");
		status = EXIT_TROUBLE;
		goto done;
	}
	cli_out_init(out, STDOUT_FILENO);

	int n_files = argc - optind;
	if (a.progress_mode != CLI_PROGRESS_NEVER) {
		/* The files as stored (see stats_file); a range's size is
		 * not known before it is found. */
		uint64_t total = a.has_range ? UINT64_MAX : 0;
		for (int i = 0; i < (n_files > 0 ? n_files : 1) &&
		                total != UINT64_MAX; i++) {
			uint64_t size = cli_progress_size(
			        n_files > 0 ? argv[optind + i] : "-");
			total = size == UINT64_MAX ? size : total + size;
		}
		a.progress = cli_progress_start(a.progress_mode, total);
		mapq_stats_set_progress(s, a.progress);
		cli_progress_attach(out);
	}
	mapq_stats_result total, r;
	memset(&total, 0, sizeof total);
	int printed = 0;
	for (int i = 0; i < (n_files > 0 ? n_files : 1); i++) {
		const char *path = n_files > 0 ? argv[optind + i] : "-";
		uint64_t first_line;
		if (stats_file(path, &a, s, &r, &first_line) != 0) {
			status = EXIT_TROUBLE;
			continue;
		}
		if (a.json) {
			print_json(out, path, &r);
		} else {
			if (printed++ > 0)
				put_str(out, "\n");
			print_text(out, path, &r, &a);
		}
		/* The total numbers lines through the selections in order. */
		if (r.longest_line > 0)
			r.longest_line -= first_line - 1;
		mapq_stats_add(&total, &r);
		if (out->closed || out->failed)
			break;
	}
	if (n_files > 1 && !out->closed && !out->failed) {
		if (a.json) {
			print_json(out, NULL, &total);
		} else {
			if (printed > 0)
				put_str(out, "\n");
			print_text(out, "total", &total, &a);
		}
	}
	cli_out_flush(out);
	if (out->failed)
		status = EXIT_TROUBLE;
done:
	cli_progress_stop();
	free(out);
	mapq_stats_destroy(s);
	return status;
}
