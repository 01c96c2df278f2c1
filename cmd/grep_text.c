/*
 * grep_text.c - `mapq grep`'s text output, as GNU grep prints it: file
 * names, line and byte numbers, colours, -o, "--" between context groups,
 * counts and file lists.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "grep.h"

/* GNU grep's default colours, and the SGR sequences around them. */
#define COLOR_MATCH "01;31"
#define COLOR_FILE "35"
#define COLOR_NUMBER "32"
#define COLOR_SEP "36"
#define SGR_END "\33[m\33[K"

static void put(struct grep_file *gf, const void *p, size_t n)
{
	cli_out_write(gf->run->out, p, n);
}

static void put_colored(struct grep_file *gf, const char *color, const void *p,
                        size_t n)
{
	if (gf->o->color) {
		char sgr[32];
		int k = snprintf(sgr, sizeof sgr, "\33[%sm\33[K", color);
		put(gf, sgr, (size_t)k);
		put(gf, p, n);
		put(gf, SGR_END, strlen(SGR_END));
	} else {
		put(gf, p, n);
	}
}

static void put_sep(struct grep_file *gf, char sep)
{
	put_colored(gf, COLOR_SEP, &sep, 1);
}

/* Decimal digits of v, two at a time, without printf (it is on every line
 * of -n). */
static size_t format_u64(char *end, uint64_t v)
{
	static const char pairs[] = "00010203040506070809"
	                            "10111213141516171819"
	                            "20212223242526272829"
	                            "30313233343536373839"
	                            "40414243444546474849"
	                            "50515253545556575859"
	                            "60616263646566676869"
	                            "70717273747576777879"
	                            "80818283848586878889"
	                            "90919293949596979899";
	char *p = end;
	while (v >= 100) {
		const char *d = pairs + 2 * (v % 100);
		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = pairs[2 * v + 1];
		*--p = pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
	return (size_t)(end - p);
}

/* A number, padded with spaces to the -T width inside the colour (GNU). */
static void put_number(struct grep_file *gf, uint64_t v, char sep)
{
	char num[48];
	char *end = num + sizeof num - 1;
	size_t k = format_u64(end, v);
	while (k < (size_t)gf->num_width && k < sizeof num - 1)
		end[-(ptrdiff_t)++k] = ' ';
	if (!gf->o->color) {
		*end = sep; /* one write for the number and its separator */
		put(gf, end - k, k + 1);
		return;
	}
	put_colored(gf, COLOR_NUMBER, end - k, k);
	put_sep(gf, sep);
}

void grep_text_name(struct grep_file *gf, char sep)
{
	put_colored(gf, COLOR_FILE, gf->name, strlen(gf->name));
	if (gf->o->null_after_name)
		put(gf, "", 1);
	else
		put_sep(gf, sep);
}

/* The prefixes of `len` bytes of text (a line, or a match with -o). */
static void prefix(struct grep_file *gf, const mapq_grep_record *r,
                   uint64_t offset, char sep, uint64_t len)
{
	const struct grep_opts *o = gf->o;
	if (gf->run->show_names)
		grep_text_name(gf, sep);
	if (o->line_number)
		put_number(gf, r->number, sep);
	if (o->byte_offset)
		put_number(gf, offset, sep);
	/* -T: as GNU grep, a tab after the prefixes, unless there are none
	 * or the text is empty. */
	if (o->initial_tab && len > 0 &&
	    (gf->run->show_names || o->line_number || o->byte_offset))
		put(gf, "\t", 1);
}

/* The line with its matches coloured. */
static void put_line_colored(struct grep_file *gf, const mapq_grep_record *r)
{
	uint64_t printed = 0;
	for (size_t i = 0; i < r->n_spans; i++) {
		const mapq_grep_span *m = &r->spans[i];
		put(gf, r->line + printed, m->start - printed);
		put_colored(gf, COLOR_MATCH, r->line + m->start, m->end - m->start);
		printed = m->end;
	}
	put(gf, r->line + printed, r->length - printed);
}

void grep_text_separator(struct grep_file *gf)
{
	const char *gs = gf->o->group_separator != NULL ? gf->o->group_separator
	                                                : "--";
	put_colored(gf, COLOR_SEP, gs, strlen(gs));
	put(gf, "\n", 1);
}

void grep_text_record(struct grep_file *gf, const mapq_grep_record *r)
{
	const struct grep_opts *o = gf->o;
	struct grep_run *run = gf->run;
	int selected = r->kind == MAPQ_GREP_SELECTED;
	char sep = selected ? ':' : '-';
	/* -z: every line printed ends as it did in the input, with NUL;
	 * the group separator, counts and names keep their newline (GNU). */
	const char *eol = o->null_data ? "" : "\n";
	if (o->context_given && !o->no_group_separator && run->printed_group &&
	    !r->follows)
		grep_text_separator(gf);
	run->printed_group = 1;
	if (o->only_matching) {
		/* Each match on its own line.  Only lines that match have
		 * matches: selected lines, or context lines under -v (GNU
		 * prints those, with '-'). */
		for (size_t i = 0; i < r->n_spans; i++) {
			const mapq_grep_span *m = &r->spans[i];
			prefix(gf, r, r->offset + m->start, sep, m->end - m->start);
			put_colored(gf, COLOR_MATCH, r->line + m->start,
			            m->end - m->start);
			put(gf, eol, 1);
		}
	} else {
		prefix(gf, r, r->offset, sep, r->length);
		if (o->color && r->n_spans > 0)
			put_line_colored(gf, r);
		else
			put(gf, r->line, r->length);
		put(gf, eol, 1);
	}
	/* --line-buffered, or a terminal: each line is seen as printed. */
	if (o->line_buffered)
		cli_out_flush(run->out);
}

void grep_text_end(struct grep_file *gf, const mapq_grep_summary *s)
{
	const struct grep_opts *o = gf->o;
	if (o->count && !o->list_matching && !o->list_nonmatching) {
		if (gf->run->show_names)
			grep_text_name(gf, ':');
		char num[24];
		int k = snprintf(num, sizeof num, "%" PRIu64 "\n", s->selected);
		put(gf, num, (size_t)k);
	}
	if ((o->list_matching && s->selected > 0) ||
	    (o->list_nonmatching && s->selected == 0)) {
		put_colored(gf, COLOR_FILE, gf->name, strlen(gf->name));
		put(gf, o->null_after_name ? "" : "\n", 1);
	}
}
