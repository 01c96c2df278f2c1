/* out.c - the command's standard output and its diagnostics. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mapq: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "mapq%s%s: ", cmd != NULL ? " " : "",
	        cmd != NULL ? cmd : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fprintf(stderr, "Try 'mapq%s%s --help' for more information.\n",
	        cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	return EXIT_TROUBLE;
}

int cli_bad_option(const char *cmd, char **argv, int c)
{
	const char *arg = argv[optind - 1];
	int is_long = strncmp(arg, "--", 2) == 0;
	if (c == ':')
		return is_long ? cli_usage_error(cmd,
		                                 "option '%s' requires an argument",
		                                 arg)
		               : cli_usage_error(cmd,
		                                 "option requires an argument -- '%c'",
		                                 optopt);
	if (is_long && optopt != 0)
		return cli_usage_error(cmd, "option '%.*s' doesn't allow an argument",
		                       (int)strcspn(arg, "="), arg);
	if (is_long)
		return cli_usage_error(cmd, "unrecognized option '%s'", arg);
	return cli_usage_error(cmd, "invalid option -- '%c'", optopt);
}

void cli_out_init(struct cli_out *o, int fd)
{
	o->fd = fd;
	o->closed = 0;
	o->failed = 0;
	o->written = 0;
	o->drain = NULL;
	o->drain_arg = NULL;
	o->len = 0;
}

/* Note how output ended; report anything but a closed pipe. */
static int output_ended(struct cli_out *o, int code, const char *msg)
{
	if (code == MAPQ_EPIPE) {
		o->closed = 1;
	} else if (!o->failed) {
		o->failed = 1;
		cli_error("%s", msg);
	}
	return -1;
}

static int write_fd(struct cli_out *o, const char *p, size_t n)
{
	if (o->drain != NULL) {
		if (n > 0 && o->drain(o->drain_arg, p, n) != 0) {
			o->closed = 1;
			return -1;
		}
		return 0;
	}
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			char msg[256];
			snprintf(msg, sizeof msg, "write error: %s",
			         strerror(errno));
			return output_ended(o, errno == EPIPE ? MAPQ_EPIPE
			                                      : MAPQ_EWRITE,
			                    msg);
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cli_out_flush(struct cli_out *o)
{
	if (o->closed || o->failed)
		return -1;
	size_t n = o->len;
	o->len = 0;
	return write_fd(o, o->buf, n);
}

int cli_out_write(struct cli_out *o, const void *p, size_t n)
{
	if (o->closed || o->failed)
		return -1;
	o->written += n;
	if (n > sizeof o->buf - o->len) {
		if (cli_out_flush(o) != 0)
			return -1;
		if (n >= sizeof o->buf)
			return write_fd(o, p, n);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

int cli_out_window(struct cli_out *o, const mapq_view *w, mapq_error *err)
{
	if (cli_out_flush(o) != 0)
		return MAPQ_EWRITE;
	const unsigned char *p = w->data;
	uint64_t n = w->size;
	while (n > 0) {
		/* Large writes straight from the window (the mapping, for a
		 * mapped file); Linux moves at most about 2 GiB per call. */
		size_t chunk = n > ((size_t)1 << 30) ? (size_t)1 << 30 : (size_t)n;
		ssize_t k = write(o->fd, p, chunk);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EFAULT) { /* the mapped file shrank */
				snprintf(err->msg, sizeof err->msg,
				         "%s: file shrank while being read",
				         mapq_file_name(w->file));
				err->code = MAPQ_ETRUNC;
				return MAPQ_ETRUNC;
			}
			int code = errno == EPIPE ? MAPQ_EPIPE : MAPQ_EWRITE;
			snprintf(err->msg, sizeof err->msg, "write error: %s",
			         strerror(errno));
			output_ended(o, code, err->msg);
			return code;
		}
		p += k;
		n -= (uint64_t)k;
	}
	return MAPQ_OK;
}

struct cli_out *cli_out_create(int fd)
{
	struct cli_out *o = malloc(sizeof *o);
	if (o == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	cli_out_init(o, fd);
	return o;
}

int cli_out_finish(struct cli_out *o, int status)
{
	if (o == NULL)
		return status;
	cli_out_flush(o);
	if (o->failed)
		status = EXIT_TROUBLE;
	free(o);
	return status;
}

int cli_finish_stdio(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		if (e == EPIPE)
			return 0;
		cli_error("write error: %s", strerror(e));
		return EXIT_TROUBLE;
	}
	return 0;
}

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when
 * the bytes there are not one; *skip is then the length of the maximal
 * invalid subpart, which one U+FFFD replaces.
 */
static size_t utf8_sequence(const unsigned char *p, size_t n, size_t *skip)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t len = 0;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	size_t ok = 1;
	while (len > 0 && ok < len && ok < n && p[ok] >= lo && p[ok] <= hi) {
		ok++;
		lo = 0x80;
		hi = 0xBF;
	}
	*skip = ok;
	return len > 0 && ok == len ? len : 0;
}

int cli_utf8_valid(const void *s, size_t n)
{
	const unsigned char *p = s;
	size_t skip;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (utf8_sequence(p + i, n - i, &skip) == 0)
			return 0;
		i += skip;
	}
	return 1;
}

void cli_json_string(struct cli_out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	cli_out_write(o, "\"", 1);
	size_t run = 0; /* start of bytes copied as they are */
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		char esc[8];
		size_t skip = 1;
		if (c == '"' || c == '\\') {
			snprintf(esc, sizeof esc, "\\%c", c);
		} else if (c == '\n') {
			snprintf(esc, sizeof esc, "\\n");
		} else if (c == '\t') {
			snprintf(esc, sizeof esc, "\\t");
		} else if (c == '\r') {
			snprintf(esc, sizeof esc, "\\r");
		} else if (c == '\b') {
			snprintf(esc, sizeof esc, "\\b");
		} else if (c == '\f') {
			snprintf(esc, sizeof esc, "\\f");
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
		} else if (c < 0x80 || utf8_sequence(p + i, n - i, &skip) > 0) {
			i += skip;
			continue;
		} else {
			snprintf(esc, sizeof esc, "\\ufffd");
		}
		cli_out_write(o, p + run, i - run);
		cli_out_write(o, esc, strlen(esc));
		i += skip;
		run = i;
	}
	cli_out_write(o, p + run, n - run);
	cli_out_write(o, "\"", 1);
}

int cli_out_range(struct cli_out *o, mapq_file *f, uint64_t start, uint64_t end,
                  mapq_error *err)
{
	if (cli_out_flush(o) != 0)
		return MAPQ_EWRITE;
	int rc = mapq_file_write_range(f, start, end, o->fd, err);
	if (rc == MAPQ_EPIPE || rc == MAPQ_EWRITE)
		output_ended(o, rc, err->msg);
	return rc;
}
