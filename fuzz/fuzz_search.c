/*
 * fuzz_search.c - libFuzzer target for the search path and its prefilters.
 *
 * Differential: the lines mapq selects must be exactly the lines PCRE2
 * alone selects when asked about each line by itself (what grep -P does),
 * whatever the pattern (its literal, its byte-class runs, case folding)
 * and the text.  Input: one byte of flags, one byte of pattern length,
 * the pattern, then the text; a flag repeats the text past the size from
 * which the prefilters are planned on a sample of the data.
 *
 * One known difference is left out: around invalid UTF-8, PCRE2 finds
 * empty matches (and looks behind) differently in a line alone and in the
 * whole buffer, where mapq and grep -P search; for a pattern that matches
 * the empty string, invalid UTF-8 in the text is replaced by '?'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mapq.h"

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_search: %s\n", what);
		abort();
	}
}

/* The length of the valid UTF-8 character at p[0..n), or 0. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	uint32_t c;
	size_t w;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		w = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		w = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		w = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (w > n)
		return 0;
	for (size_t k = 1; k < w; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[k] & 0x3F);
	}
	if ((w == 3 && c < 0x800) || (w == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return w;
}

static void make_valid_utf8(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t w = utf8_char(p + i, n - i);
		if (w == 0) {
			p[i++] = '?';
			continue;
		}
		i += w;
	}
}

/* PCRE2 on each line alone, wrapped as mapq wraps for -w and -x.  Returns
 * the number of selected lines, their starts in *out; -1 on a PCRE2 error
 * (a limit): then nothing is compared.  May make the text valid UTF-8
 * (see above). */
static long model(const char *pattern, size_t plen, unsigned flags,
                  unsigned char *text, size_t len, uint64_t **out)
{
	size_t cap = plen + 64;
	char *wrapped = malloc(cap);
	require(wrapped != NULL, "malloc");
	size_t w = 0;
	const char *pre = (flags & MAPQ_MATCH_LINE) ? "^(?:" : "";
	const char *open = (flags & MAPQ_MATCH_WORD) ? "(?<!\\w)(?:" : "";
	const char *close = (flags & MAPQ_MATCH_WORD) ? ")(?!\\w)" : "";
	const char *post = (flags & MAPQ_MATCH_LINE) ? ")$" : "";
	int wrap = (flags & (MAPQ_MATCH_WORD | MAPQ_MATCH_LINE)) != 0;
	w += (size_t)snprintf(wrapped + w, cap - w, "%s%s", pre,
	                      wrap && !(flags & MAPQ_MATCH_WORD) ? "(?:" : open);
	memcpy(wrapped + w, pattern, plen);
	w += plen;
	w += (size_t)snprintf(wrapped + w, cap - w, "%s%s",
	                      wrap && !(flags & MAPQ_MATCH_WORD) ? ")" : close, post);
	int code;
	PCRE2_SIZE at;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE |
	                ((flags & MAPQ_MATCH_CASELESS) ? PCRE2_CASELESS : 0);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)wrapped, w, opts, &code, &at, NULL);
	free(wrapped);
	if (re == NULL)
		return -1;
	/* JIT, as mapq and grep -P: the interpreter differs on empty matches
	 * between invalid UTF-8 bytes. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	uint64_t *starts = malloc((len + 1) * sizeof *starts);
	require(md != NULL && starts != NULL, "malloc");
	if (pcre2_match(re, (PCRE2_SPTR) "", 0, 0, 0, md, NULL) >= 0)
		make_valid_utf8(text, len);
	long n = 0;
	size_t ls = 0;
	while (ls < len) {
		const unsigned char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;
		int rc = pcre2_match(re, text + ls, le - ls, 0, 0, md, NULL);
		if (rc >= 0) {
			starts[n++] = ls;
		} else if (rc != PCRE2_ERROR_NOMATCH) {
			n = -1;
			break;
		}
		ls = le + 1;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	*out = starts;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned flags = 0;
	if (data[0] & 1)
		flags |= MAPQ_MATCH_CASELESS;
	if (data[0] & 2)
		flags |= MAPQ_MATCH_WORD;
	if (data[0] & 4)
		flags |= MAPQ_MATCH_LINE;
	int tile = (data[0] & 8) != 0;
	size_t plen = data[1];
	if (size < 2 + plen)
		return 0;
	const char *pattern = (const char *)data + 2;
	const uint8_t *t = data + 2 + plen;
	size_t tlen = size - 2 - plen;
	/* Past 4 KiB the prefilters are planned from the data. */
	size_t len = tlen;
	if (tile && tlen > 0)
		while (len < 5000)
			len += tlen;
	unsigned char *text = malloc(len + 1);
	require(text != NULL, "malloc");
	for (size_t i = 0; i < len; i += tlen)
		memcpy(text + i, t, tlen);

	mapq_pattern p = {pattern, plen};
	mapq_matcher *m = NULL;
	if (mapq_matcher_create(&m, &p, 1, flags, NULL) != MAPQ_OK) {
		free(text);
		return 0;
	}
	uint64_t *want = NULL;
	long nwant = model(pattern, plen, flags, text, len, &want);
	mapq_search *s = NULL;
	require(mapq_search_create(&s, m, NULL) == MAPQ_OK, "search");
	mapq_view v = {text, len, 0, NULL};
	mapq_match mt;
	uint64_t from = 0;
	long n = 0;
	int rc;
	while ((rc = mapq_search_next_line(s, &v, from, &mt, NULL)) == 1) {
		require(mt.line_start <= mt.start && mt.start <= mt.end &&
		                mt.end <= mt.line_end && mt.line_end <= len,
		        "match outside its line");
		if (nwant >= 0) {
			require(n < nwant, "a line PCRE2 does not select");
			require(want[n] == mt.line_start, "another line than PCRE2's");
		}
		n++;
		from = mt.line_end + 1;
	}
	if (rc == 0 && nwant >= 0)
		require(n == nwant, "a line PCRE2 selects is missing");
	mapq_search_destroy(s);
	mapq_matcher_destroy(m);
	free(want);
	free(text);
	return 0;
}
