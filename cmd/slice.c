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
        "\n"
        "Exit status: 0 on success, 2 on any error.  See mapq-slice(1).\n";

enum { OPT_ALIGN = 256, OPT_NO_DECOMPRESS };

static const struct option slice_options[] = {
	{"bytes", required_argument, NULL, 'b'},
	{"lines", required_argument, NULL, 'l'},
	{"align", no_argument, NULL, OPT_ALIGN},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct slice_args {
	mapq_range *ranges;
	size_t n_ranges;
	int align;
	int no_decompress;
};

/*
 * Write one file's ranges.  Returns 0, or EXIT_TROUBLE after reporting a
 * problem with the file; output errors are recorded in `out`.
 */
/*
 * The end of a zstd stream (no seek table) can only be reached by
 * decompressing everything before it.  A range counted from the end is
 * then answered in that one pass: the last windows are kept, as many as
 * hold what the range needs, and the range is cut from them.  Beyond this
 * many bytes kept, the general path (which decompresses again, in bounded
 * memory) takes over.
 */
#define TAIL_KEEP_MAX ((uint64_t)32 << 20)

/* Can the range be cut from the end of the data alone? */
static int tail_only(const mapq_range *r)
{
	if (!(r->flags & MAPQ_RANGE_START_NEG))
		return 0;
	return !(r->flags & MAPQ_RANGE_HAS_END) ||
	       (r->flags & (MAPQ_RANGE_END_NEG | MAPQ_RANGE_END_COUNT));
}

/* Windows kept from a stream, in one buffer: window i is bytes
 * [at[i], at[i] + len[i]) of buf; windows before `first` are dropped. */
struct tail_keep {
	unsigned char *buf;
	size_t cap, used;
	struct {
		size_t at, len;
		uint64_t newlines;
	} *win;
	size_t n, first, win_cap;
	uint64_t bytes, newlines; /* in the windows kept */
};

/* Move the kept windows to the front of the buffer. */
static void tail_compact(struct tail_keep *k)
{
	if (k->first >= k->n) {
		k->used = 0;
		k->n = k->first = 0;
		return;
	}
	size_t from = k->win[k->first].at;
	memmove(k->buf, k->buf + from, k->used - from);
	k->used -= from;
	memmove(k->win, k->win + k->first, (k->n - k->first) * sizeof *k->win);
	k->n -= k->first;
	k->first = 0;
	for (size_t i = 0; i < k->n; i++)
		k->win[i].at -= from;
}

static int tail_add(struct tail_keep *k, const mapq_view *w, uint64_t newlines)
{
	if (k->used + w->size > k->cap)
		tail_compact(k);
	if (k->used + w->size > k->cap) {
		size_t cap = (size_t)(k->used + w->size) * 2;
		unsigned char *p = realloc(k->buf, cap);
		if (p == NULL)
			return -1;
		k->buf = p;
		k->cap = cap;
	}
	if (k->n == k->win_cap) {
		size_t cap = k->win_cap > 0 ? k->win_cap * 2 : 8;
		void *p = realloc(k->win, cap * sizeof *k->win);
		if (p == NULL)
			return -1;
		k->win = p;
		k->win_cap = cap;
	}
	memcpy(k->buf + k->used, w->data, (size_t)w->size);
	k->win[k->n].at = k->used;
	k->win[k->n].len = (size_t)w->size;
	k->win[k->n].newlines = newlines;
	k->n++;
	k->used += (size_t)w->size;
	k->bytes += w->size;
	k->newlines += newlines;
	return 0;
}

/*
 * Write range r of a zstd stream from one pass over it (see above).
 * Returns 1 when written, 0 when it needs more than TAIL_KEEP_MAX bytes
 * (nothing was written), or a negative MAPQ_E* code with err set.
 */
static int slice_stream_tail(mapq_file *f, const mapq_range *r,
                             unsigned resolve_flags, struct cli_out *out,
                             mapq_error *err)
{
	/* Line -N starts after the N-th newline from the end, not counting
	 * a final newline; byte -N is N bytes from the end, and one more is
	 * kept so that --align can tell whether a line starts there. */
	uint64_t need = r->start < UINT64_MAX ? r->start + 1 : r->start;
	int lines = r->unit == MAPQ_RANGE_LINES;
	struct tail_keep k;
	memset(&k, 0, sizeof k);
	mapq_scan *s;
	int rc = mapq_scan_create(&s, f, 0, MAPQ_SIZE_UNKNOWN, 0, 0, err);
	if (rc != MAPQ_OK)
		return rc;
	mapq_view w;
	uint64_t base = 0; /* data offset of the first window kept */
	while ((rc = mapq_scan_next(s, &w, err)) > 0) {
		uint64_t nl = 0;
		if (lines && (rc = mapq_lines_count_newlines(&w, &nl, err)) < 0)
			break;
		if (tail_add(&k, &w, nl) != 0) {
			rc = MAPQ_ENOMEM;
			snprintf(err->msg, sizeof err->msg, "%s: out of memory",
			         mapq_file_name(f));
			break;
		}
		/* Drop the oldest window while the others hold enough. */
		while (k.n - k.first > 1) {
			uint64_t wl = k.win[k.first].len;
			uint64_t wn = k.win[k.first].newlines;
			if (lines ? k.newlines - wn < need : k.bytes - wl < need)
				break;
			k.bytes -= wl;
			k.newlines -= wn;
			base += wl;
			k.first++;
		}
		if (k.bytes > TAIL_KEEP_MAX) {
			rc = 0;
			goto done;
		}
	}
	if (rc < 0)
		goto done;
	tail_compact(&k);
	/* Counted from the end, and ending at a count or from the end, the
	 * range means the same in the kept bytes as in the whole data. */
	mapq_view kept = {k.buf, k.bytes, base, f};
	uint64_t start, end;
	rc = mapq_range_resolve(r, &kept, &start, &end, err);
	if (rc == MAPQ_OK && (resolve_flags & MAPQ_RESOLVE_ALIGN) &&
	    r->unit == MAPQ_RANGE_BYTES)
		rc = mapq_range_align_lines(&kept, start, end, &start, &end, err);
	if (rc == MAPQ_OK)
		rc = cli_out_view(out, &kept, start, end, err);
	if (rc == MAPQ_OK)
		rc = 1;
done:
	mapq_scan_destroy(s);
	free(k.buf);
	free(k.win);
	return rc;
}

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

	static const mapq_range everything = {MAPQ_RANGE_BYTES, 0, 0, 0};
	unsigned resolve_flags = a->align ? MAPQ_RESOLVE_ALIGN
	                                  : MAPQ_RESOLVE_DEFAULT;
	size_t n = a->n_ranges > 0 ? a->n_ranges : 1;
	for (size_t i = 0; i < n && !out->closed && !out->failed; i++) {
		const mapq_range *r = a->n_ranges > 0 ? &a->ranges[i] : &everything;
		uint64_t start, end;
		rc = 0;
		if (mapq_file_compression(f) == MAPQ_COMPRESSION_ZSTD_STREAM &&
		    tail_only(r))
			rc = slice_stream_tail(f, r, resolve_flags, out, &err);
		if (rc == 0) {
			rc = mapq_file_resolve(f, r, resolve_flags, &start, &end,
			                       &err);
			if (rc == MAPQ_OK)
				rc = cli_out_range(out, f, start, end, &err);
		} else if (rc == 1) {
			rc = MAPQ_OK;
		}
		if (rc == MAPQ_EPIPE || rc == MAPQ_EWRITE)
			break; /* reported by cli_out_range */
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
	mapq_error err;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:l:h", slice_options, NULL)) != -1) {
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
			if (mapq_range_parse(&a.ranges[a.n_ranges], optarg, unit,
			                     &err) != MAPQ_OK) {
				cli_error("%s", err.msg);
				status = EXIT_TROUBLE;
				goto done;
			}
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
