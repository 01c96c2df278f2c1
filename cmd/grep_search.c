/*
 * grep_search.c - `mapq grep` on one file: walk it window by window, pick
 * the selected lines, and print them as GNU grep (or ripgrep's --json)
 * would, with context, counts and names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grep.h"

/* GNU grep's default colours, and the SGR sequences around them. */
#define COLOR_MATCH "01;31"
#define COLOR_FILE "35"
#define COLOR_NUMBER "32"
#define COLOR_SEP "36"
#define SGR_END "\33[m\33[K"

/* Lines kept from the end of the previous window for -B. */
struct carry {
	unsigned char *buf;
	size_t len, cap;
	uint64_t abs; /* file offset of buf[0] */
};

struct file_state {
	struct grep_run *run;
	const struct grep_opts *o;
	mapq_file *f;
	const char *name;
	int prints_lines;     /* lines (or JSON) are output, not just counted */
	int is_stdin;
	uint64_t selected;
	uint64_t matches;     /* submatches printed in JSON */
	int binary;           /* a NUL byte was seen and -a is off */
	int binary_hit;       /* a line was selected in a binary file */
	int done;             /* no more lines will be selected */
	uint64_t after_left;  /* trailing context lines still to print */
	int have_last;
	uint64_t last_end;    /* file offset just after the last printed line */
	int need_numbers;
	uint64_t num_pos;     /* line `num_line` starts at file offset num_pos */
	uint64_t num_line;
	int numbered;         /* num_pos/num_line are set */
	uint64_t selected_end; /* file offset just after the last selected line */
	struct carry carry;
	int json_begun;
	uint64_t json_printed;
	uint64_t bytes_searched;
	mapq_error err;
	int num_width;        /* -T: width of line numbers and offsets */
};

/* ---- output primitives ---------------------------------------------- */

static void put(struct file_state *fs, const void *p, size_t n)
{
	cli_out_write(fs->run->out, p, n);
}

static void put_str(struct file_state *fs, const char *s)
{
	put(fs, s, strlen(s));
}

static void put_colored(struct file_state *fs, const char *color,
                        const void *p, size_t n)
{
	if (fs->o->color) {
		char sgr[32];
		int k = snprintf(sgr, sizeof sgr, "\33[%sm\33[K", color);
		put(fs, sgr, (size_t)k);
		put(fs, p, n);
		put_str(fs, SGR_END);
	} else {
		put(fs, p, n);
	}
}

static void put_sep(struct file_state *fs, char sep)
{
	put_colored(fs, COLOR_SEP, &sep, 1);
}

static void put_number(struct file_state *fs, uint64_t v, char sep)
{
	char num[24];
	int k = snprintf(num, sizeof num, "%*" PRIu64, fs->num_width, v);
	put_colored(fs, COLOR_NUMBER, num, (size_t)k);
	put_sep(fs, sep);
}

static void put_name(struct file_state *fs, char sep)
{
	put_colored(fs, COLOR_FILE, fs->name, strlen(fs->name));
	if (fs->o->null_after_name)
		put(fs, "", 1);
	else
		put_sep(fs, sep);
}

/* ---- line numbers --------------------------------------------------- */

/* The line number of the line starting at file offset `at` of window w
 * (at >= num_pos, and num_pos inside w or at its start). */
static uint64_t line_number_at(struct file_state *fs, const mapq_view *w,
                               uint64_t at)
{
	if (at > fs->num_pos) {
		const unsigned char *p = w->data + (fs->num_pos - w->offset);
		fs->num_line += mapq_count_newlines_mem(p, at - fs->num_pos);
		fs->num_pos = at;
	}
	return fs->num_line;
}

/* ---- JSON (ripgrep's format) ---------------------------------------- */

static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += len;
	}
	return 1;
}

static void json_string(struct file_state *fs, const unsigned char *p, size_t n)
{
	put(fs, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", c);
				esc = u;
			}
		}
		if (esc != NULL) {
			put(fs, p + run, i - run);
			put_str(fs, esc);
			run = i + 1;
		}
	}
	put(fs, p + run, n - run);
	put(fs, "\"", 1);
}

static void json_base64(struct file_state *fs, const unsigned char *p, size_t n)
{
	static const char digits[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	put(fs, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {digits[(v >> 18) & 63], digits[(v >> 12) & 63],
		             i + 1 < n ? digits[(v >> 6) & 63] : '=',
		             i + 2 < n ? digits[v & 63] : '='};
		put(fs, q, 4);
	}
	put(fs, "\"", 1);
}

/* {"text":"..."} or {"bytes":"base64"} for data that is not UTF-8. */
static void json_data(struct file_state *fs, const unsigned char *p, size_t n)
{
	if (utf8_valid(p, n)) {
		put_str(fs, "{\"text\":");
		json_string(fs, p, n);
	} else {
		put_str(fs, "{\"bytes\":");
		json_base64(fs, p, n);
	}
	put(fs, "}", 1);
}

static void json_path(struct file_state *fs)
{
	/* ripgrep names standard input <stdin> unless it is given a label. */
	const char *name = fs->is_stdin && fs->o->label == NULL ? "<stdin>" : fs->name;
	put_str(fs, "\"path\":");
	json_data(fs, (const unsigned char *)name, strlen(name));
}

static void json_begin(struct file_state *fs)
{
	if (fs->json_begun)
		return;
	fs->json_begun = 1;
	put_str(fs, "{\"type\":\"begin\",\"data\":{");
	json_path(fs);
	put_str(fs, "}}\n");
}

static void json_elapsed(struct file_state *fs, const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = (int64_t)(now.tv_sec - t0->tv_sec) * 1000000000 +
	             (now.tv_nsec - t0->tv_nsec);
	char buf[96];
	snprintf(buf, sizeof buf,
	         "{\"secs\":%" PRId64 ",\"nanos\":%" PRId64 ",\"human\":\"%.6fs\"}",
	         ns / 1000000000, ns % 1000000000, (double)ns / 1e9);
	put_str(fs, buf);
}

/* ---- printing lines ------------------------------------------------- */

/* A line to print: bytes [ls, le) of v (le excludes the newline). */
struct line {
	const mapq_view *v;
	uint64_t ls, le;
	uint64_t abs;    /* file offset of the line */
	uint64_t number; /* 1-based, when numbers are needed */
	int has_newline;
};

/* Print "--" before a line that does not follow the last one printed. */
static void group_separator(struct file_state *fs, uint64_t abs)
{
	const struct grep_opts *o = fs->o;
	if (o->context_given && !o->json && !o->no_group_separator) {
		if (fs->run->printed_group &&
		    !(fs->have_last && fs->last_end == abs)) {
			const char *sep = o->group_separator != NULL ? o->group_separator
			                                             : "--";
			put_colored(fs, COLOR_SEP, sep, strlen(sep));
			put(fs, "\n", 1);
		}
	}
}

/* The prefixes of `len` bytes of text (a line, or a match with -o). */
static void prefix(struct file_state *fs, const struct line *l, uint64_t offset,
                   char sep, uint64_t len)
{
	if (fs->run->show_names)
		put_name(fs, sep);
	if (fs->o->line_number)
		put_number(fs, l->number, sep);
	if (fs->o->byte_offset)
		put_number(fs, offset, sep);
	/* -T: as GNU grep, a tab after the prefixes, unless there are none
	 * or the text is empty. */
	if (fs->o->initial_tab && len > 0 &&
	    (fs->run->show_names || fs->o->line_number || fs->o->byte_offset))
		put(fs, "\t", 1);
}

/*
 * The next non-empty match of line l at or after *pos, as GNU grep walks
 * them: an empty match is stepped over one byte at a time and never
 * reported.  With several patterns, an empty match of one of them does
 * not hide a non-empty match of another at the same place: grep -e A -e B
 * takes the longest match at each position.  Returns 1 (*m filled, *pos
 * moved past it), 0, or an error.
 */
static int next_match(struct file_state *fs, const struct line *l, uint64_t *pos,
                      mapq_match *m)
{
	while (*pos < l->le) {
		int rc = mapq_search_next_in_line(fs->run->search, l->v, l->ls, l->le,
		                                  *pos, 0, m, &fs->err);
		if (rc <= 0 || m->start >= l->le)
			return rc < 0 ? rc : 0;
		if (m->end == m->start && fs->o->n_patterns > 1) {
			/* Ask again at the same place, refusing an empty
			 * match there. */
			mapq_match ne;
			rc = mapq_search_next_in_line(fs->run->search, l->v, l->ls,
			                              l->le, m->start, 1, &ne,
			                              &fs->err);
			if (rc < 0)
				return rc;
			if (rc == 1 && ne.start == m->start && ne.end > ne.start)
				*m = ne;
		}
		if (m->end > m->start) {
			*pos = m->end;
			return 1;
		}
		*pos = m->end + 1;
	}
	return 0;
}

/*
 * The next match of line l at or after *pos as ripgrep reports them in
 * --json, empty ones included: after a non-empty match, an empty one
 * where it ended is not another match (*after_match says so); after an
 * empty one, the search goes on one byte further.
 */
static int next_json_match(struct file_state *fs, const struct line *l,
                           uint64_t *pos, int *after_match, mapq_match *m)
{
	if (*pos > l->le)
		return 0;
	int rc = mapq_search_next_in_line(fs->run->search, l->v, l->ls, l->le,
	                                  *pos, *after_match, m, &fs->err);
	if (rc <= 0 || m->start > l->le)
		return rc < 0 ? rc : 0;
	*after_match = m->end > m->start;
	*pos = m->end + (m->end > m->start ? 0 : 1);
	return 1;
}

/* The line's text with every non-empty match coloured. */
static int put_line_colored(struct file_state *fs, const struct line *l)
{
	uint64_t pos = l->ls, printed = l->ls;
	mapq_match m;
	int rc;
	while ((rc = next_match(fs, l, &pos, &m)) == 1) {
		put(fs, l->v->data + printed, m.start - printed);
		put_colored(fs, COLOR_MATCH, l->v->data + m.start, m.end - m.start);
		printed = m.end;
	}
	if (rc < 0)
		return rc;
	put(fs, l->v->data + printed, l->le - printed);
	return 0;
}

/* Print one line as GNU grep does; sep is ':' (selected) or '-'. */
static int print_text_line(struct file_state *fs, const struct line *l, char sep)
{
	const struct grep_opts *o = fs->o;
	if (o->only_matching) {
		if (sep != ':')
			return 0; /* -o prints no context lines */
		uint64_t pos = l->ls;
		mapq_match m;
		int rc;
		while ((rc = next_match(fs, l, &pos, &m)) == 1) {
			prefix(fs, l, l->abs + (m.start - l->ls), sep,
			       m.end - m.start);
			put_colored(fs, COLOR_MATCH, l->v->data + m.start,
			            m.end - m.start);
			put(fs, "\n", 1);
		}
		return rc < 0 ? rc : 0;
	}
	prefix(fs, l, l->abs, sep, l->le - l->ls);
	int rc = 0;
	if (o->color && sep == ':' && !o->invert)
		rc = put_line_colored(fs, l);
	else if (o->color && sep == '-' && o->invert)
		rc = put_line_colored(fs, l);
	else
		put(fs, l->v->data + l->ls, l->le - l->ls);
	put(fs, "\n", 1);
	return rc;
}

static int print_json_line(struct file_state *fs, const struct line *l,
                           int selected)
{
	json_begin(fs);
	put_str(fs, selected ? "{\"type\":\"match\",\"data\":{"
	                     : "{\"type\":\"context\",\"data\":{");
	json_path(fs);
	put_str(fs, ",\"lines\":");
	json_data(fs, l->v->data + l->ls, l->le - l->ls + (l->has_newline ? 1 : 0));
	char buf[80];
	snprintf(buf, sizeof buf,
	         ",\"line_number\":%" PRIu64 ",\"absolute_offset\":%" PRIu64
	         ",\"submatches\":[",
	         l->number, l->abs);
	put_str(fs, buf);
	/* Lines that match carry their matches: selected ones, or context
	 * lines under -v, as ripgrep prints them. */
	if (selected != fs->o->invert) {
		uint64_t pos = l->ls;
		mapq_match m;
		int rc, first = 1, after_match = 0;
		while ((rc = next_json_match(fs, l, &pos, &after_match, &m)) == 1) {
			put_str(fs, first ? "{\"match\":" : ",{\"match\":");
			first = 0;
			json_data(fs, l->v->data + m.start, m.end - m.start);
			snprintf(buf, sizeof buf, ",\"start\":%" PRIu64 ",\"end\":%" PRIu64 "}",
			         m.start - l->ls, m.end - l->ls);
			put_str(fs, buf);
			fs->matches += selected;
		}
		if (rc < 0)
			return rc;
	}
	put_str(fs, "]}}\n");
	return 0;
}

/* Print a line (selected or context) and remember where it ended. */
static int print_line(struct file_state *fs, const struct line *l, int selected)
{
	group_separator(fs, l->abs);
	int rc = fs->o->json ? print_json_line(fs, l, selected)
	                     : print_text_line(fs, l, selected ? ':' : '-');
	fs->run->printed_group = 1;
	fs->have_last = 1;
	fs->last_end = l->abs + (l->le - l->ls) + 1;
	/* --line-buffered, or a terminal: each line is seen as printed. */
	if (rc == 0 && fs->o->line_buffered)
		cli_out_flush(fs->run->out);
	return rc;
}

/* ---- the per-window engine ------------------------------------------ */

static uint64_t line_end(const mapq_view *w, uint64_t from)
{
	const unsigned char *nl = memchr(w->data + from, '\n', w->size - from);
	return nl != NULL ? (uint64_t)(nl - w->data) : w->size;
}

static void make_line(struct file_state *fs, const mapq_view *w, uint64_t ls,
                      uint64_t le, struct line *l)
{
	l->v = w;
	l->ls = ls;
	l->le = le;
	l->abs = w->offset + ls;
	l->has_newline = le < w->size;
	l->number = fs->need_numbers ? line_number_at(fs, w, l->abs) : 0;
}

/* Lines [from, to) of w are not selected: print those owed as trailing
 * context. */
static int pass_over(struct file_state *fs, const mapq_view *w, uint64_t from,
                     uint64_t to)
{
	while (fs->after_left > 0 && from < to) {
		struct line l;
		make_line(fs, w, from, line_end(w, from), &l);
		int rc = print_line(fs, &l, 0);
		if (rc < 0)
			return rc;
		fs->after_left--;
		from = l.le + 1;
	}
	return 0;
}

/* Walk back from line start `first` over up to `want` lines, not below
 * `floor`; returns the earliest start reached and counts lines in *n. */
static uint64_t walk_back(const unsigned char *d, uint64_t first, uint64_t floor,
                          uint64_t want, uint64_t *n)
{
	*n = 0;
	while (*n < want && first > floor) {
		/* The previous line ends with the newline at first - 1. */
		const unsigned char *nl =
		        first - 1 > floor ? memrchr(d + floor, '\n', first - 1 - floor)
		                          : NULL;
		first = nl != NULL ? (uint64_t)(nl - d) + 1 : floor;
		(*n)++;
	}
	return first;
}

/* Print up to -B lines before the selected line at ls that follow the last
 * printed line: from this window, then from the previous one's carry. */
static int before_context(struct file_state *fs, const mapq_view *w, uint64_t ls,
                          uint64_t number)
{
	uint64_t want = fs->o->before;
	uint64_t last = fs->have_last ? fs->last_end : 0;
	uint64_t floor = last > w->offset ? last - w->offset : 0;
	uint64_t n, cn = 0;
	uint64_t first = walk_back(w->data, ls, floor, want, &n);

	const struct carry *c = &fs->carry;
	mapq_view cv = {c->buf, c->len, c->abs, NULL};
	uint64_t cfirst = c->len;
	if (n < want && first == 0 && last <= w->offset && c->len > 0 &&
	    c->abs + c->len == w->offset) {
		uint64_t cfloor = last > c->abs ? last - c->abs : 0;
		cfirst = walk_back(c->buf, c->len, cfloor, want - n, &cn);
	}
	uint64_t k = n + cn;
	for (uint64_t p = cfirst; p < cv.size; k--) {
		struct line l = {&cv, p, line_end(&cv, p), cv.offset + p,
		                 number - k, 1};
		int rc = print_line(fs, &l, 0);
		if (rc < 0)
			return rc;
		p = l.le + 1;
	}
	for (uint64_t p = first; p < ls; k--) {
		struct line l = {w, p, line_end(w, p), w->offset + p, number - k, 1};
		int rc = print_line(fs, &l, 0);
		if (rc < 0)
			return rc;
		p = l.le + 1;
	}
	return 0;
}

/* A selected line; may end the file's search (-m, -l, -q, binary). */
static int select_line(struct file_state *fs, const mapq_view *w, uint64_t ls,
                       uint64_t le)
{
	const struct grep_opts *o = fs->o;
	fs->selected++;
	fs->selected_end = w->offset + le + (le < w->size);
	if (o->quiet) {
		fs->run->stop = 1;
		fs->done = 1;
		return 0;
	}
	if (o->list_matching || o->list_nonmatching) {
		fs->done = 1;
		return 0;
	}
	if (!fs->prints_lines) {
		if (fs->selected >= o->max_count)
			fs->done = 1;
		return 0;
	}
	if (fs->binary) {
		fs->binary_hit = 1;
		fs->done = 1;
		/* GNU grep counts the hidden line as output: a context group
		 * of the next file is preceded by "--". */
		fs->run->printed_group = 1;
		return 0;
	}
	struct line l;
	make_line(fs, w, ls, le, &l);
	int rc = 0;
	if (o->before > 0)
		rc = before_context(fs, w, ls, l.number);
	if (rc == 0)
		rc = print_line(fs, &l, 1);
	fs->after_left = o->after;
	if (fs->selected >= o->max_count)
		fs->done = 1;
	return rc;
}

/* Keep the window's last -B lines for the next window's first match. */
static void keep_carry(struct file_state *fs, const mapq_view *w)
{
	uint64_t start = w->size;
	for (uint64_t i = 0; i < fs->o->before && start > 0; i++) {
		const unsigned char *nl =
		        start > 1 ? memrchr(w->data, '\n', start - 1) : NULL;
		start = nl != NULL ? (uint64_t)(nl - w->data) + 1 : 0;
	}
	size_t len = (size_t)(w->size - start);
	if (len > fs->carry.cap) {
		unsigned char *p = realloc(fs->carry.buf, len);
		if (p == NULL) {
			fs->carry.len = 0; /* context is lost, not the search */
			return;
		}
		fs->carry.buf = p;
		fs->carry.cap = len;
	}
	memcpy(fs->carry.buf, w->data + start, len);
	fs->carry.len = len;
	fs->carry.abs = w->offset + start;
}

struct window_job {
	struct file_state *fs;
	const mapq_view *w;
};

/* Everything that reads a window's bytes; run under the SIGBUS guard. */
static int process_window(void *arg)
{
	struct window_job *job = arg;
	struct file_state *fs = job->fs;
	const mapq_view *w = job->w;
	const struct grep_opts *o = fs->o;
	int rc = 0;

	if (!o->text && !fs->binary &&
	    (o->binary_without_match || (!o->json && fs->prints_lines)) &&
	    memchr(w->data, '\0', w->size) != NULL) {
		fs->binary = 1;
		/* -I: as GNU grep, give the file up where the NUL is seen, and
		 * count none of its lines as selected (those printed from
		 * earlier windows stay printed). */
		if (o->binary_without_match) {
			fs->selected = 0;
			fs->done = 1;
			fs->after_left = 0;
			return 0;
		}
	}

	uint64_t pos = 0;
	while (pos < w->size && !fs->done && rc == 0) {
		mapq_match m;
		int found = mapq_search_next_line(fs->run->search, w, pos, &m, &fs->err);
		if (found < 0)
			return found;
		uint64_t next = found ? m.line_start : w->size;
		if (!o->invert) {
			if (!found)
				break;
			rc = pass_over(fs, w, pos, next);
			if (rc == 0)
				rc = select_line(fs, w, m.line_start, m.line_end);
			pos = m.line_end + 1;
			continue;
		}
		while (pos < next && !fs->done && rc == 0) {
			uint64_t le = line_end(w, pos);
			rc = select_line(fs, w, pos, le);
			pos = le + 1;
		}
		if (!found || fs->done || rc != 0)
			break;
		rc = pass_over(fs, w, m.line_start, m.line_end + 1);
		pos = m.line_end + 1;
	}
	if (rc == 0 && pos < w->size)
		rc = pass_over(fs, w, pos, w->size);
	if (rc != 0)
		return rc;
	if (fs->need_numbers)
		line_number_at(fs, w, w->offset + w->size);
	if (o->before > 0 && fs->prints_lines && !fs->done)
		keep_carry(fs, w);
	return 0;
}

/* Line numbers count from the first line of the range searched. */
static int first_line_number(struct file_state *fs, mapq_scan *scan)
{
	uint64_t start, line;
	int rc = mapq_scan_first_line(scan, &line, &fs->err);
	if (rc == 0 && mapq_scan_start(scan, &start) != 0)
		start = 0;
	if (rc == 0) {
		fs->num_pos = start;
		fs->num_line = line;
	}
	fs->numbered = 1;
	return rc;
}

/*
 * GNU grep leaves a regular file on standard input positioned just after
 * the last selected line when -m stopped the search, so that the rest of
 * it can be read by the next command: `{ grep -m1 x; cat; } <F`; and at its
 * end when the whole file was searched.  (Compressed input has no such
 * offset to give: it is left alone.)
 */
static void leave_stdin_offset(const struct file_state *fs, off_t origin,
                               int searched_all)
{
	struct stat st;
	if (!fs->is_stdin || origin < 0 ||
	    mapq_file_compression(fs->f) != MAPQ_COMPRESSION_NONE ||
	    fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (fs->o->max_count != UINT64_MAX && fs->selected >= fs->o->max_count)
		(void)lseek(STDIN_FILENO, origin + (off_t)fs->selected_end,
		            SEEK_SET);
	else if (searched_all)
		(void)lseek(STDIN_FILENO, 0, SEEK_END);
}

/*
 * -T pads line numbers and byte offsets to the width of the largest the
 * file can have, as GNU grep does: the digits of its size (plus one with
 * -n), or of INT64_MAX when the size is not known (a stream).
 */
static int number_width(const struct file_state *fs)
{
	uint64_t n = INT64_MAX;
	if (!mapq_file_is_stream(fs->f) && mapq_file_size_known(fs->f))
		n = mapq_file_size(fs->f) + (fs->o->line_number ? 1 : 0);
	int width = 1;
	while ((n /= 10) != 0)
		width++;
	return width;
}

static void finish_file(struct file_state *fs)
{
	const struct grep_opts *o = fs->o;
	struct grep_run *run = fs->run;
	if (o->quiet)
		return;
	if (o->count && !o->list_matching && !o->list_nonmatching) {
		if (run->show_names)
			put_name(fs, ':');
		char num[24];
		int k = snprintf(num, sizeof num, "%" PRIu64 "\n", fs->selected);
		put(fs, num, (size_t)k);
	}
	if ((o->list_matching && fs->selected > 0) ||
	    (o->list_nonmatching && fs->selected == 0)) {
		put_colored(fs, COLOR_FILE, fs->name, strlen(fs->name));
		put(fs, o->null_after_name ? "" : "\n", 1);
	}
	if (o->json && fs->json_begun) {
		put_str(fs, "{\"type\":\"end\",\"data\":{");
		json_path(fs);
		put_str(fs, ",\"binary_offset\":null,\"stats\":{\"elapsed\":");
		json_elapsed(fs, &run->tot.start);
		char buf[200];
		snprintf(buf, sizeof buf,
		         ",\"searches\":1,\"searches_with_match\":%d,"
		         "\"bytes_searched\":%" PRIu64 ",\"bytes_printed\":%" PRIu64
		         ",\"matched_lines\":%" PRIu64 ",\"matches\":%" PRIu64 "}}}\n",
		         fs->selected > 0, fs->bytes_searched, fs->json_printed,
		         fs->selected, fs->matches);
		put_str(fs, buf);
	}
	if (fs->binary_hit) {
		cli_out_flush(run->out);
		cli_error("%s: binary file matches", fs->name);
	}
}

int grep_search_file(struct grep_run *run, const char *path, const char *name)
{
	const struct grep_opts *o = run->o;
	struct file_state fs;
	memset(&fs, 0, sizeof fs);
	fs.run = run;
	fs.o = o;
	fs.name = name;
	fs.is_stdin = strcmp(path, "-") == 0;
	fs.done = o->select_nothing;
	fs.prints_lines = !o->count && !o->list_matching && !o->list_nonmatching &&
	                  !o->quiet;
	fs.need_numbers = fs.prints_lines && (o->line_number || o->json);
	mapq_scan *scan = NULL;
	off_t origin = fs.is_stdin ? lseek(STDIN_FILENO, 0, SEEK_CUR) : -1;
	int rc = mapq_file_open(&fs.f, path, name,
	                        o->no_decompress ? MAPQ_OPEN_NO_DECOMPRESS
	                                         : MAPQ_OPEN_DEFAULT,
	                        &fs.err);
	if (rc != MAPQ_OK) {
		run->trouble = 1;
		if (!o->no_messages)
			cli_error("%s", fs.err.msg);
		return -1;
	}
	if (o->initial_tab)
		fs.num_width = number_width(&fs);
	rc = mapq_scan_create(&scan, fs.f, o->has_range ? &o->range : NULL, 0,
	                      MAPQ_SCAN_LINES | MAPQ_SCAN_ALIGN, &fs.err);
	mapq_view w;
	int searched_all = 0;
	while (rc == 0 && !run->out->closed && !run->out->failed &&
	       (!fs.done || fs.after_left > 0)) {
		int more = mapq_scan_next(scan, &w, &fs.err);
		if (more <= 0) {
			rc = more;
			searched_all = more == 0;
			break;
		}
		if (fs.need_numbers && !fs.numbered &&
		    (rc = first_line_number(&fs, scan)) != 0)
			break;
		fs.bytes_searched += w.size;
		/* Once done, a window only pays the trailing context owed. */
		struct window_job job = {&fs, &w};
		rc = mapq_file_guard(fs.f, process_window, &job, &fs.err);
	}
	mapq_scan_destroy(scan);
	if (rc >= 0)
		leave_stdin_offset(&fs, origin, searched_all);
	if (rc < 0) {
		run->trouble = 1;
		cli_out_flush(run->out);
		cli_error("%s", fs.err.msg);
	} else {
		finish_file(&fs);
	}
	/* Counted at the end: -I may take a file's selected lines back. */
	if (fs.selected > 0)
		run->any_selected = 1;
	struct grep_totals *t = &run->tot;
	if (!o->json || fs.selected > 0) {
		t->searches++;
		t->searches_with_match += fs.selected > 0;
		t->bytes_searched += fs.bytes_searched;
		t->matched_lines += fs.selected;
		t->matches += fs.matches;
	}
	free(fs.carry.buf);
	mapq_file_close(fs.f);
	return rc < 0 ? -1 : 0;
}

void grep_json_summary(struct grep_run *run)
{
	struct file_state fs;
	memset(&fs, 0, sizeof fs);
	fs.run = run;
	fs.o = run->o;
	struct grep_totals *t = &run->tot;
	put_str(&fs, "{\"data\":{\"elapsed_total\":");
	json_elapsed(&fs, &t->start);
	char buf[160];
	snprintf(buf, sizeof buf,
	         ",\"stats\":{\"bytes_printed\":%" PRIu64 ",\"bytes_searched\":%" PRIu64
	         ",\"elapsed\":",
	         t->bytes_printed, t->bytes_searched);
	put_str(&fs, buf);
	json_elapsed(&fs, &t->start);
	snprintf(buf, sizeof buf,
	         ",\"matched_lines\":%" PRIu64 ",\"matches\":%" PRIu64
	         ",\"searches\":%" PRIu64 ",\"searches_with_match\":%" PRIu64
	         "}},\"type\":\"summary\"}\n",
	         t->matched_lines, t->matches, t->searches, t->searches_with_match);
	put_str(&fs, buf);
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
	        "throughput: %.2f GB/s\n"
	        "peak RSS: %.1f MiB\n",
	        t->bytes_searched, t->searches, t->matched_lines, secs,
	        secs > 0 ? (double)t->bytes_searched / secs / 1e9 : 0.0,
	        (double)ru.ru_maxrss / 1024.0);
}
