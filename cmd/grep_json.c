/*
 * grep_json.c - `mapq grep --json`: ripgrep's JSON Lines messages (begin,
 * match, context, end, summary), with the same field names and values, so
 * that tools reading `rg --json` read mapq.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "grep.h"

static void put(struct grep_file *gf, const void *p, size_t n)
{
	cli_out_write(gf->run->out, p, n);
}

static void put_str(struct grep_file *gf, const char *s)
{
	put(gf, s, strlen(s));
}

static void base64(struct grep_file *gf, const unsigned char *p, size_t n)
{
	static const char digits[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	put(gf, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {digits[(v >> 18) & 63], digits[(v >> 12) & 63],
		             i + 1 < n ? digits[(v >> 6) & 63] : '=',
		             i + 2 < n ? digits[v & 63] : '='};
		put(gf, q, 4);
	}
	put(gf, "\"", 1);
}

/* {"text":"..."}, or {"bytes":"base64"} for data that is not UTF-8. */
static void data(struct grep_file *gf, const void *p, size_t n)
{
	if (cli_utf8_valid(p, n)) {
		put_str(gf, "{\"text\":");
		cli_json_string(gf->run->out, p, n);
	} else {
		put_str(gf, "{\"bytes\":");
		base64(gf, p, n);
	}
	put(gf, "}", 1);
}

static void path(struct grep_file *gf)
{
	/* ripgrep names standard input <stdin> unless it is given a label. */
	const char *name = gf->is_stdin && gf->o->label == NULL ? "<stdin>"
	                                                        : gf->name;
	put_str(gf, "\"path\":");
	data(gf, name, strlen(name));
}

static void elapsed(struct grep_file *gf, const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = (int64_t)(now.tv_sec - t0->tv_sec) * 1000000000 +
	             (now.tv_nsec - t0->tv_nsec);
	char buf[96];
	snprintf(buf, sizeof buf,
	         "{\"secs\":%" PRId64 ",\"nanos\":%" PRId64 ",\"human\":\"%.6fs\"}",
	         ns / 1000000000, ns % 1000000000, (double)ns / 1e9);
	put_str(gf, buf);
}

void grep_json_record(struct grep_file *gf, const mapq_grep_record *r)
{
	struct cli_out *out = gf->run->out;
	uint64_t before = out->written;
	if (!gf->json_begun) {
		gf->json_begun = 1;
		put_str(gf, "{\"type\":\"begin\",\"data\":{");
		path(gf);
		put_str(gf, "}}\n");
	}
	int selected = r->kind == MAPQ_GREP_SELECTED;
	put_str(gf, selected ? "{\"type\":\"match\",\"data\":{"
	                     : "{\"type\":\"context\",\"data\":{");
	path(gf);
	put_str(gf, ",\"lines\":");
	data(gf, r->line, (size_t)r->length + (r->newline ? 1 : 0));
	char buf[80];
	snprintf(buf, sizeof buf,
	         ",\"line_number\":%" PRIu64 ",\"absolute_offset\":%" PRIu64
	         ",\"submatches\":[",
	         r->number, r->offset);
	put_str(gf, buf);
	/* Lines that match carry their matches: selected ones, or context
	 * lines under -v, as ripgrep prints them. */
	for (size_t i = 0; i < r->n_spans; i++) {
		const mapq_grep_span *m = &r->spans[i];
		put_str(gf, i == 0 ? "{\"match\":" : ",{\"match\":");
		data(gf, r->line + m->start, (size_t)(m->end - m->start));
		snprintf(buf, sizeof buf, ",\"start\":%" PRIu64 ",\"end\":%" PRIu64 "}",
		         m->start, m->end);
		put_str(gf, buf);
	}
	if (selected)
		gf->matches += r->n_spans;
	put_str(gf, "]}}\n");
	gf->printed += out->written - before;
	gf->run->printed_group = 1;
	if (gf->o->line_buffered)
		cli_out_flush(out);
}

void grep_json_end(struct grep_file *gf, const mapq_grep_summary *s)
{
	if (!gf->json_begun)
		return;
	put_str(gf, "{\"type\":\"end\",\"data\":{");
	path(gf);
	char buf[200];
	if (s->binary_offset != UINT64_MAX)
		snprintf(buf, sizeof buf, ",\"binary_offset\":%" PRIu64, s->binary_offset);
	else
		snprintf(buf, sizeof buf, ",\"binary_offset\":null");
	put_str(gf, buf);
	put_str(gf, ",\"stats\":{\"elapsed\":");
	elapsed(gf, &gf->run->tot.start);
	snprintf(buf, sizeof buf,
	         ",\"searches\":1,\"searches_with_match\":%d,"
	         "\"bytes_searched\":%" PRIu64 ",\"bytes_printed\":%" PRIu64
	         ",\"matched_lines\":%" PRIu64 ",\"matches\":%" PRIu64 "}}}\n",
	         s->selected > 0, s->bytes_searched, gf->printed, s->selected,
	         gf->matches);
	put_str(gf, buf);
}

void grep_json_summary(struct grep_run *run)
{
	struct grep_file gf;
	memset(&gf, 0, sizeof gf);
	gf.run = run;
	gf.o = run->o;
	struct grep_totals *t = &run->tot;
	put_str(&gf, "{\"data\":{\"elapsed_total\":");
	elapsed(&gf, &t->start);
	char buf[160];
	snprintf(buf, sizeof buf,
	         ",\"stats\":{\"bytes_printed\":%" PRIu64 ",\"bytes_searched\":%" PRIu64
	         ",\"elapsed\":",
	         t->bytes_printed, t->bytes_searched);
	put_str(&gf, buf);
	elapsed(&gf, &t->start);
	snprintf(buf, sizeof buf,
	         ",\"matched_lines\":%" PRIu64 ",\"matches\":%" PRIu64
	         ",\"searches\":%" PRIu64 ",\"searches_with_match\":%" PRIu64
	         "}},\"type\":\"summary\"}\n",
	         t->matched_lines, t->matches, t->searches, t->searches_with_match);
	put_str(&gf, buf);
}
