/*
 * fuzz_bisect.c - libFuzzer target for keys and the binary search.
 *
 * Input: one byte choosing the key (whole line, field 2 by blanks, field 2
 * by commas), one byte each for the lengths of FROM and TO (TO absent when
 * its byte is odd), those bounds, then the text.  On the text as given
 * (most likely unsorted) the search must end with a well-formed window:
 * line starts, start <= end, no error.  The text is then sorted by key
 * (stable, keyless lines first), and the window must be exactly the lines
 * that a linear filter with the prefix comparison selects.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bisect.h"
#include "mapq.h"

struct line {
	const unsigned char *p;
	size_t len;  /* without the newline */
	const unsigned char *k;
	size_t klen;
};

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_bisect: %s\n", what);
		abort();
	}
}

/* The key of a line, found the obvious way. */
static void model_key(int type, const unsigned char *p, size_t len,
                      const unsigned char **k, size_t *kl)
{
	*k = p;
	*kl = type == 0 ? len : 0;
	if (type == 0)
		return;
	size_t i = 0, field = 0;
	while (i <= len) {
		if (type == 1)
			while (i < len && (p[i] == ' ' || p[i] == '\t'))
				i++;
		if (type == 1 && i == len)
			return;
		size_t s = i;
		while (i < len && !(type == 1 ? p[i] == ' ' || p[i] == '\t' : p[i] == ','))
			i++;
		if (++field == 2) {
			*k = p + s;
			*kl = i - s;
			return;
		}
		if (i == len)
			return;
		i++;
	}
}

static int model_ge(const unsigned char *k, size_t kl, const unsigned char *b,
                    size_t bl)
{
	for (size_t i = 0; i < bl; i++) {
		if (i == kl)
			return 0;
		if (k[i] != b[i])
			return k[i] > b[i];
	}
	return 1;
}

static int by_key(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = n > 0 ? memcmp(x->k, y->k, n) : 0;
	if (c != 0)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p; /* stable */
}

static int memfd = -1;

static mapq_file *open_text(const unsigned char *p, size_t n)
{
	if (memfd < 0)
		memfd = memfd_create("fuzz_bisect", 0);
	require(memfd >= 0, "memfd_create");
	require(ftruncate(memfd, 0) == 0, "ftruncate");
	require(n == 0 || pwrite(memfd, p, n, 0) == (ssize_t)n, "pwrite");
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	/* The text is what it is: a text that starts like a zstd frame is
	 * still plain bytes to search. */
	mapq_file *f = NULL;
	require(mapq_file_open(&f, path, NULL, MAPQ_OPEN_NO_DECOMPRESS, NULL) ==
	                MAPQ_OK,
	        "open");
	require(mapq_file_compression(f) == MAPQ_COMPRESSION_NONE,
	        "compression");
	return f;
}

/* The whole text as one view (a mapped file, or an empty one). */
static void view_of(mapq_file *f, size_t n, mapq_view *v)
{
	require(mapq_file_view(f, v, NULL) == MAPQ_OK, "view");
	require(v->size == n, "view size");
}

static int is_line_start(const unsigned char *t, size_t n, uint64_t at)
{
	return at == 0 || at == n || (at < n && t[at - 1] == '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int type = data[0] % 3;
	size_t flen = data[1] % 8, tlen = (data[2] >> 1) % 8;
	int has_to = !(data[2] & 1);
	data += 3;
	size -= 3;
	if (size < flen + tlen)
		return 0;
	const unsigned char *from = data, *to = data + flen;
	const unsigned char *text = data + flen + tlen;
	size_t n = size - flen - tlen;

	mapq_key_spec spec = {.type = MAPQ_KEY_LINE};
	if (type > 0) {
		spec.type = MAPQ_KEY_FIELD;
		spec.field = 2;
		spec.delim = type == 1 ? MAPQ_KEY_BLANKS : ',';
	}
	mapq_key *key = NULL;
	require(mapq_key_create(&key, &spec, NULL) == MAPQ_OK, "key");

	/* The text as given: a window of line starts, or disorder seen. */
	mapq_file *f = open_text(text, n);
	mapq_view v;
	view_of(f, n, &v);
	uint64_t s, e;
	mapq_window win = {from, flen, has_to ? to : NULL, has_to ? tlen : 0, 0};
	int rc = mapq_bisect_window(f, key, &win, &s, &e, NULL);
	require(rc == MAPQ_OK || rc == MAPQ_EORDER, "window");
	if (rc == MAPQ_OK) {
		require(s <= e && e <= n, "window bounds");
		require(is_line_start(text, n, s) && is_line_start(text, n, e),
		        "window on line starts");
	}
	mapq_file_close(f);

	/* Sorted by key: the window is the linear filter's lines. */
	struct line *l = malloc((n + 1) * sizeof *l);
	size_t nl = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && text[j] != '\n')
			j++;
		l[nl].p = text + i;
		l[nl].len = j - i;
		model_key(type, l[nl].p, l[nl].len, &l[nl].k, &l[nl].klen);
		nl++;
		i = j + 1;
	}
	qsort(l, nl, sizeof *l, by_key);
	unsigned char *sorted = malloc(n + nl + 1), *want = malloc(n + nl + 1);
	size_t o = 0, w = 0;
	for (size_t i = 0; i < nl; i++) {
		memcpy(sorted + o, l[i].p, l[i].len);
		o += l[i].len;
		sorted[o++] = '\n';
		if (model_ge(l[i].k, l[i].klen, from, flen) &&
		    !(has_to && model_ge(l[i].k, l[i].klen, to, tlen))) {
			memcpy(want + w, l[i].p, l[i].len);
			w += l[i].len;
			want[w++] = '\n';
		}
	}
	f = open_text(sorted, o);
	view_of(f, o, &v);
	require(mapq_bisect_window(f, key, &win, &s, &e, NULL) == MAPQ_OK,
	        "sorted window");
	require(e - s == w && (w == 0 || memcmp(sorted + s, want, w) == 0),
	        "sorted window differs from the linear filter");
	mapq_disorder d;
	require(mapq_bisect_check(f, key, NULL, &d, NULL) == 1,
	        "sorted file fails --check");
	mapq_file_close(f);
	free(sorted);
	free(want);
	free(l);
	mapq_key_destroy(key);
	return 0;
}
