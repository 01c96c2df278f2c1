/* test_bisect.c - keys, binary search over sorted lines, order checks and
 * splits, against naive models written here: split the text into lines,
 * extract keys by hand, filter linearly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"
#include "input/input.h"
#include "lines.h"
#include "split.h"
#include "testutil.h"

/* ---- the model ---------------------------------------------------- */

struct line {
	size_t start, len; /* len without the newline */
	size_t next;       /* where the next line starts */
};

/* Lines of text the way mapq(1) counts them (RANGES). */
static size_t model_lines(const char *t, size_t size, struct line *out)
{
	size_t n = 0;
	for (size_t i = 0; i < size;) {
		size_t j = i;
		while (j < size && t[j] != '\n')
			j++;
		out[n].start = i;
		out[n].len = j - i;
		out[n].next = j < size ? j + 1 : size;
		i = out[n++].next;
	}
	return n;
}

/* Field n, blanks (space, tab) separating, as awk's $n. */
static void model_field_blanks(const char *p, size_t len, unsigned n,
                               const char **k, size_t *kl)
{
	unsigned i = 0;
	size_t j = 0;
	while (j < len) {
		while (j < len && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (j == len)
			break;
		size_t s = j;
		while (j < len && p[j] != ' ' && p[j] != '\t')
			j++;
		if (++i == n) {
			*k = p + s;
			*kl = j - s;
			return;
		}
	}
	*k = p;
	*kl = 0;
}

/* Field n, every `d` separating, as awk -F d. */
static void model_field_delim(const char *p, size_t len, unsigned n, char d,
                              const char **k, size_t *kl)
{
	unsigned i = 1;
	size_t s = 0;
	for (size_t j = 0; j <= len; j++) {
		if (j == len || p[j] == d) {
			if (i == n) {
				*k = p + s;
				*kl = j - s;
				return;
			}
			i++;
			s = j + 1;
		}
	}
	*k = p;
	*kl = 0;
}

/* K >= B on the first len(B) bytes of K, byte by byte. */
static int model_ge(const char *k, size_t kl, const char *b, size_t bl)
{
	for (size_t i = 0; i < bl; i++) {
		if (i == kl)
			return 0; /* K ran out first: a proper prefix of B */
		if (k[i] != b[i])
			return (unsigned char)k[i] > (unsigned char)b[i];
	}
	return 1;
}

enum model_key { KEY_LINE, KEY_FIELD2, KEY_COMMA2 };

static void model_key(enum model_key mk, const char *p, size_t len,
                      const char **k, size_t *kl)
{
	if (mk == KEY_LINE) {
		*k = p;
		*kl = len;
	} else if (mk == KEY_FIELD2) {
		model_field_blanks(p, len, 2, k, kl);
	} else {
		model_field_delim(p, len, 2, ',', k, kl);
	}
}

/*
 * The linear filter: the bytes of every line with from <= K < to (to NULL:
 * no end), concatenated into out; returns their length.
 */
static size_t model_filter(const char *t, const struct line *l, size_t n,
                           enum model_key mk, const char *from,
                           const char *to, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k;
		size_t kl;
		model_key(mk, t + l[i].start, l[i].len, &k, &kl);
		if (!model_ge(k, kl, from, strlen(from)))
			continue;
		if (to != NULL && model_ge(k, kl, to, strlen(to)))
			continue;
		memcpy(out + o, t + l[i].start, l[i].next - l[i].start);
		o += l[i].next - l[i].start;
	}
	return o;
}

static mapq_key *make_key(enum model_key mk)
{
	mapq_key_spec spec = {.type = MAPQ_KEY_LINE};
	if (mk == KEY_FIELD2) {
		spec.type = MAPQ_KEY_FIELD;
		spec.field = 2;
		spec.delim = MAPQ_KEY_BLANKS;
	} else if (mk == KEY_COMMA2) {
		spec.type = MAPQ_KEY_FIELD;
		spec.field = 2;
		spec.delim = ',';
	}
	mapq_key *k = NULL;
	mapq_error err;
	ck_assert_msg(mapq_key_create(&k, &spec, &err) == MAPQ_OK, "%s", err.msg);
	return k;
}

/* The window mapq finds for (from, to), as bytes of the text. */
static int window(const mapq_view *v, mapq_key *key, const char *from,
                  const char *to, uint64_t *s, uint64_t *e)
{
	mapq_error err;
	mapq_window w = {from, strlen(from), to, to != NULL ? strlen(to) : 0, 0};
	int rc = mapq_bisect_window(v->file, key, &w, s, e, &err);
	return rc;
}

/* Bisect a view for a byte bound. */
static int view_bisect(const mapq_view *v, mapq_key *key, const char *bound,
                       uint64_t blen, uint64_t lo, uint64_t *off,
                       mapq_error *err)
{
	struct mapq__bound b = {.p = (const unsigned char *)bound, .n = blen};
	return mapq__view_bisect(v, key, &b, lo, NULL, off, err);
}

/* The order check of a view's file, on `prefix` bytes of the keys. */
static int check_view(const mapq_view *v, mapq_key *key, uint64_t prefix,
                      mapq_disorder *d, mapq_error *err)
{
	mapq_window w = {"", prefix, NULL, 0, 0};
	return mapq_bisect_check(v->file, key, prefix == UINT64_MAX ? NULL : &w,
	                         d, err);
}

/* ---- keys ---------------------------------------------------------- */

START_TEST(prefix_comparison)
{
	static const struct {
		const char *k, *b;
		int sign;
	} cases[] = {
	        {"2026-11-24T10:00:01Z x", "2026-11-24T10", 0},
	        {"2026-11-24T09:59:59Z", "2026-11-24T10", -1},
	        {"2026-11-24T11", "2026-11-24T10", 1},
	        {"2026-11-24T1", "2026-11-24T10", -1}, /* a proper prefix */
	        {"2026-11-24T2", "2026-11-24T10", 1},
	        {"", "a", -1},
	        {"", "", 0},
	        {"abc", "", 0},
	        {"abc", "abc", 0},
	        {"abd", "abc", 1},
	        {"ab", "abc", -1},
	        {"\xff", "\x01", 1}, /* bytes are unsigned */
	        {"a\xff", "a\x7f", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *k = cases[i].k, *b = cases[i].b;
		int c = mapq_key_compare((const unsigned char *)k, strlen(k),
		                         (const unsigned char *)b, strlen(b));
		int sign = c < 0 ? -1 : c > 0;
		ck_assert_msg(sign == cases[i].sign, "'%s' vs '%s': %d", k, b, c);
		ck_assert_int_eq(c >= 0, model_ge(k, strlen(k), b, strlen(b)));
	}
}
END_TEST

/* Extract from a NUL-terminated line; returns the key as a new string. */
static char *extract(mapq_key *key, const char *line)
{
	const unsigned char *kp;
	uint64_t kl;
	mapq_error err;
	int rc = mapq_key_extract(key, (const unsigned char *)line,
	                          strlen(line), &kp, &kl, &err);
	if (rc != MAPQ_OK)
		return NULL;
	return strndup((const char *)kp, kl);
}

static mapq_key *key_of(const mapq_key_spec *spec)
{
	mapq_key *k = NULL;
	mapq_error err;
	ck_assert_msg(mapq_key_create(&k, spec, &err) == MAPQ_OK, "%s", err.msg);
	return k;
}

START_TEST(field_and_regex_keys)
{
	static const struct {
		mapq_key_spec spec;
		const char *line, *key;
	} cases[] = {
	        {{MAPQ_KEY_LINE, 0, 0, NULL, NULL, 0, 0}, "whole line\r", "whole line\r"},
	        {{MAPQ_KEY_FIELD, 1, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "  a b", "a"},
	        {{MAPQ_KEY_FIELD, 2, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "a \t  b\tc", "b"},
	        {{MAPQ_KEY_FIELD, 3, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "a \t  b\tc ", "c"},
	        {{MAPQ_KEY_FIELD, 4, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "a b c  ", ""},
	        {{MAPQ_KEY_FIELD, 1, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "   ", ""},
	        {{MAPQ_KEY_FIELD, 1, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "", ""},
	        {{MAPQ_KEY_FIELD, 2, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0}, "a b\r", "b\r"},
	        {{MAPQ_KEY_FIELD, 2, ',', NULL, NULL, 0, 0}, "a,b,c", "b"},
	        {{MAPQ_KEY_FIELD, 1, ',', NULL, NULL, 0, 0}, ",b", ""},
	        {{MAPQ_KEY_FIELD, 2, ',', NULL, NULL, 0, 0}, "a,,c", ""},
	        {{MAPQ_KEY_FIELD, 3, ',', NULL, NULL, 0, 0}, "a,b,", ""},
	        {{MAPQ_KEY_FIELD, 3, ',', NULL, NULL, 0, 0}, "a,b", ""},
	        {{MAPQ_KEY_FIELD, 1, ',', NULL, NULL, 0, 0}, "no comma", "no comma"},
	        {{MAPQ_KEY_FIELD, 2, ' ', NULL, NULL, 0, 0}, "a  b", ""}, /* -d ' ': every one */
	        {{MAPQ_KEY_FIELD, 2, '\t', NULL, NULL, 0, 0}, "a b\tc d\te", "c d"},
	        {{MAPQ_KEY_REGEX, 0, 0, "ts=(\\S+)", NULL, 0, 0}, "id=7 ts=10:00 x", "10:00"},
	        {{MAPQ_KEY_REGEX, 0, 0, "\\d\\d:\\d\\d", NULL, 0, 0}, "at 10:00 x", "10:00"},
	        {{MAPQ_KEY_REGEX, 0, 0, "ts=(\\S+)", NULL, 0, 0}, "no key here", ""},
	        {{MAPQ_KEY_REGEX, 0, 0, "(x)?y(z)", NULL, 0, 0}, "yz", ""}, /* group 1 unset */
	        {{MAPQ_KEY_REGEX, 0, 0, "^(\\d+)$", NULL, 0, 0}, "42", "42"},
	        {{MAPQ_KEY_REGEX, 0, 0, "^(.*)$", NULL, 0, 0}, "", ""},
	        {{MAPQ_KEY_REGEX, 0, 0, "k=(\\w+)", NULL, 0, 0}, "\xff\xfe k=abc", "abc"},
	        {{MAPQ_KEY_REGEX, 0, 0, "(é+)", NULL, 0, 0}, "caf\xc3\xa9\xc3\xa9!", "\xc3\xa9\xc3\xa9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mapq_key *k = key_of(&cases[i].spec);
		char *got = extract(k, cases[i].line);
		ck_assert_msg(got != NULL, "case %zu failed", i);
		ck_assert_msg(strcmp(got, cases[i].key) == 0,
		              "case %zu: key of '%s' is '%s', want '%s'", i,
		              cases[i].line, got, cases[i].key);
		free(got);
		mapq_key_destroy(k);
	}
	/* NULL is the whole line. */
	char *got = extract(NULL, "abc");
	ck_assert_str_eq(got, "abc");
	free(got);
}
END_TEST

START_TEST(bad_key_specs)
{
	mapq_key *k = (mapq_key *)1;
	mapq_error err;
	mapq_key_spec zero = {MAPQ_KEY_FIELD, 0, MAPQ_KEY_BLANKS, NULL, NULL, 0, 0};
	ck_assert_int_eq(mapq_key_create(&k, &zero, &err), MAPQ_EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(strstr(err.msg, "field"));
	mapq_key_spec delim = {MAPQ_KEY_FIELD, 1, 256, NULL, NULL, 0, 0};
	ck_assert_int_eq(mapq_key_create(&k, &delim, &err), MAPQ_EINVAL);
	mapq_key_spec regex = {MAPQ_KEY_REGEX, 0, 0, "ts=(\\d+", NULL, 0, 0};
	ck_assert_int_eq(mapq_key_create(&k, &regex, &err), MAPQ_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "ts=(\\d+"));
	ck_assert_ptr_nonnull(strstr(err.msg, "offset 7"));
	mapq_key_spec none = {MAPQ_KEY_REGEX, 0, 0, NULL, NULL, 0, 0};
	ck_assert_int_eq(mapq_key_create(&k, &none, &err), MAPQ_EINVAL);
	mapq_key_spec type = {(mapq_key_type)9, 0, 0, NULL, NULL, 0, 0};
	ck_assert_int_eq(mapq_key_create(&k, &type, &err), MAPQ_EINVAL);
	ck_assert_int_eq(mapq_key_create(&k, NULL, &err), MAPQ_EINVAL);
	mapq_key_destroy(NULL);
}
END_TEST

START_TEST(regex_limit_is_an_error)
{
	mapq_key_spec spec = {MAPQ_KEY_REGEX, 0, 0, "^(a+)+$", NULL, 0, 0};
	mapq_key *k = key_of(&spec);
	char line[64];
	memset(line, 'a', 40);
	strcpy(line + 40, "b\n");
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(line, strlen(line), 0, &path, &v);
	uint64_t off;
	mapq_error err;
	ck_assert_int_eq(view_bisect(&v, k, "a", 1, 0, &off, &err), MAPQ_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_ptr_nonnull(strstr(err.msg, "key regex"));
	mapq_disorder d;
	ck_assert_int_eq(check_view(&v, k, UINT64_MAX, &d, &err),
	                 MAPQ_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "key regex"));
	mapq_file_close(f);
	unlink(path);
	free(path);
	mapq_key_destroy(k);
}
END_TEST

/* ---- bisection edges ----------------------------------------------- */

/* Check one window of a text against the model; returns 0 when equal. */
static int window_matches(const char *text, mapq_key *key, enum model_key mk,
                          const char *from, const char *to, char *why,
                          size_t whylen)
{
	size_t size = strlen(text);
	struct line *l = malloc((size + 1) * sizeof *l);
	char *want = malloc(size + 1);
	size_t n = model_lines(text, size, l);
	size_t wl = model_filter(text, l, n, mk, from, to, want);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, size, 0, &path, &v);
	uint64_t s = 0, e = 0;
	int rc = window(&v, key, from, to, &s, &e);
	int bad = rc != MAPQ_OK || e < s || e - s != wl ||
	          memcmp(text + s, want, wl) != 0;
	if (bad)
		snprintf(why, whylen, "from '%s' to '%s': got %lu:%lu (rc %d), want %zu bytes",
		         from, to != NULL ? to : "(none)", (unsigned long)s,
		         (unsigned long)e, rc, wl);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(l);
	free(want);
	return bad;
}

START_TEST(windows_at_the_edges)
{
	const char *log =
	        "10:00 a\n10:00 b\n10:01 c\n10:01 d\n10:01 e\n10:02 f\n10:03 g\n";
	static const char *bounds[][2] = {
	        {"10:00", "10:01"}, /* the first line matches, duplicates */
	        {"10:01", "10:02"}, /* duplicates all in */
	        {"10:01", "10:01"}, /* empty */
	        {"10:03", NULL},    /* the last line */
	        {"10:03", "10:04"},
	        {"09", "10:00"},    /* before the first line */
	        {"10:04", NULL},    /* after the last line */
	        {"11", "12"},
	        {"0", "2"},         /* the whole file */
	        {"10", NULL},
	        {"10:02", "10:01"}, /* to < from */
	        {"10:0", "10:01"},  /* a shorter from */
	        {"10:01 d", "10:01 e"}, /* longer than the timestamp */
	        {"10:01 c", "10:02"},
	        {"", "10:01"},
	        {"", NULL},
	        {"10:00", ""},
	};
	char why[256];
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		ck_assert_msg(!window_matches(log, NULL, KEY_LINE, bounds[i][0],
		                              bounds[i][1], why, sizeof why),
		              "%s", why);
		/* The same without the final newline. */
		char *cut = strndup(log, strlen(log) - 1);
		ck_assert_msg(!window_matches(cut, NULL, KEY_LINE, bounds[i][0],
		                              bounds[i][1], why, sizeof why),
		              "no final newline: %s", why);
		free(cut);
	}
}
END_TEST

START_TEST(exact_offsets_of_a_window)
{
	const char *log = "a1\nb1\nb2\nb3\nc1"; /* no final newline */
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(log, strlen(log), 0, &path, &v);
	uint64_t s, e;
	ck_assert_int_eq(window(&v, NULL, "b", "c", &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 3);
	ck_assert_uint_eq(e, 12);
	ck_assert_int_eq(window(&v, NULL, "c", NULL, &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 12);
	ck_assert_uint_eq(e, 14);
	ck_assert_int_eq(window(&v, NULL, "d", NULL, &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 14);
	ck_assert_uint_eq(e, 14);
	ck_assert_int_eq(window(&v, NULL, "0", "a", &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(e, 0);
	/* mapq__view_bisect from a later line start. */
	uint64_t off;
	ck_assert_int_eq(view_bisect(&v, NULL, "a", 1, 6, &off, NULL), MAPQ_OK);
	ck_assert_uint_eq(off, 6);
	ck_assert_int_eq(view_bisect(&v, NULL, "b3", 2, 0, &off, NULL), MAPQ_OK);
	ck_assert_uint_eq(off, 9);
	ck_assert_int_eq(view_bisect(&v, NULL, "", 0, 99, &off, NULL), MAPQ_OK);
	ck_assert_uint_eq(off, v.size);
	ck_assert_int_eq(view_bisect(NULL, NULL, "a", 1, 0, &off, NULL),
	                 MAPQ_EINVAL);
	mapq_file_close(f);
	unlink(path);
	free(path);

	/* An empty file: every window is empty. */
	f = tu_open_bytes("", 0, 0, &path, &v);
	ck_assert_int_eq(window(&v, NULL, "a", "b", &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(e, 0);
	mapq_file_close(f);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(lines_longer_than_a_page)
{
	/* Keys k00..k39, each line padded to 5000..13000 bytes, some keys
	 * repeated; probes land in the middle of lines. */
	size_t cap = 40 * 3 * 14000;
	char *text = malloc(cap);
	size_t o = 0;
	for (int i = 0; i < 40; i++) {
		int reps = i % 3 == 0 ? 3 : 1;
		for (int r = 0; r < reps; r++) {
			o += (size_t)sprintf(text + o, "k%02d %c ", i, 'a' + r);
			size_t pad = 5000 + (size_t)((i * 7919 + r * 104729) % 8000);
			memset(text + o, 'z', pad);
			o += pad;
			text[o++] = '\n';
		}
	}
	text[o] = '\0';
	static const char *bounds[][2] = {
	        {"k00", "k01"}, {"k03", "k04"}, {"k05", "k30"}, {"k39", NULL},
	        {"k39", "k40"}, {"k4", NULL},   {"j", "k00"},   {"k", "l"},
	        {"k12", "k13"}, {"k21 b", "k22"}, {"k21 a", "k21 b"},
	};
	char why[256];
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
		ck_assert_msg(!window_matches(text, NULL, KEY_LINE, bounds[i][0],
		                              bounds[i][1], why, sizeof why),
		              "%s", why);
	/* Without the final newline too. */
	text[o - 1] = '\0';
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
		ck_assert_msg(!window_matches(text, NULL, KEY_LINE, bounds[i][0],
		                              bounds[i][1], why, sizeof why),
		              "%s", why);
	free(text);
}
END_TEST

START_TEST(keyless_lines_sort_first)
{
	/* Lines without field 2 come first, as a sorted file has them. */
	const char *text = "header\n\n  only\nx 10:00\ny 10:01\nz 10:01\nw 10:02\n";
	mapq_key *k = make_key(KEY_FIELD2);
	static const char *bounds[][2] = {
	        {"10:00", "10:01"}, {"10:01", NULL}, {"", "10:01"}, {"", "1"},
	        {"09", "10"},       {"10:02", "11"}, {"", ""},
	};
	char why[256];
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
		ck_assert_msg(!window_matches(text, k, KEY_FIELD2, bounds[i][0],
		                              bounds[i][1], why, sizeof why),
		              "%s", why);
	/* With an empty from, the keyless lines are in the window. */
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, strlen(text), 0, &path, &v);
	uint64_t s, e;
	ck_assert_int_eq(window(&v, k, "", "10:01", &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(e, strlen("header\n\n  only\nx 10:00\n"));
	mapq_file_close(f);
	unlink(path);
	free(path);
	mapq_key_destroy(k);
}
END_TEST

START_TEST(keyless_lines_stay_with_the_line_before)
{
	/* Entries followed by continuation lines that have no key (a stack
	 * trace): the window holds each entry with its continuations. */
	mapq_key_spec spec = {MAPQ_KEY_REGEX, 0, 0, "^(\\d+) ", NULL, 0, 0};
	mapq_key *k = key_of(&spec);
	size_t cap = 1 << 20;
	char *text = malloc(cap);
	size_t o = 0, at[60], after[60];
	for (int i = 0; i < 60; i++) {
		at[i] = o;
		o += (size_t)sprintf(text + o, "%03d entry\n", i);
		/* 0 to 300 continuation lines */
		for (int c = 0; c < (i * 37) % 301; c++)
			o += (size_t)sprintf(text + o, "\tat frame %d\n", c);
		after[i] = o;
	}
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, o, 0, &path, &v);
	for (int a = 0; a < 60; a++)
		for (int b = a; b <= 60; b++) {
			char from[8], to[8];
			snprintf(from, sizeof from, "%03d", a);
			snprintf(to, sizeof to, "%03d", b);
			uint64_t s, e;
			ck_assert_int_eq(window(&v, k, from, to, &s, &e), MAPQ_OK);
			ck_assert_uint_eq(s, at[a]);
			ck_assert_uint_eq(e, b < 60 ? at[b] : o);
			ck_assert_uint_eq(e, b > a ? after[b - 1] : at[a]);
		}
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(text);
	mapq_key_destroy(k);
}
END_TEST

/* ---- exhaustive windows over small sorted files -------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* Every string over {a, b, c} of length 0..3: the bounds tried. */
static size_t all_bounds(char out[][4])
{
	size_t n = 0;
	strcpy(out[n++], "");
	for (int len = 1; len <= 3; len++) {
		int total = len == 1 ? 3 : len == 2 ? 9 : 27;
		for (int x = 0; x < total; x++) {
			int y = x;
			for (int i = len - 1; i >= 0; i--) {
				out[n][i] = (char)('a' + y % 3);
				y /= 3;
			}
			out[n][len] = '\0';
			n++;
		}
	}
	return n;
}

/*
 * A sorted file of `n` random keys over {a, b, c} of length 0..4
 * (duplicates likely), laid out for key type mk: the line itself, or
 * field 2 between unsorted fields.  Returns a malloc'd text.
 */
static char *sorted_text(enum model_key mk, size_t n, unsigned seed,
                         int final_newline)
{
	char **keys = malloc(n * sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		size_t len = rnd(&seed) % 5;
		keys[i] = malloc(6);
		for (size_t j = 0; j < len; j++)
			keys[i][j] = (char)('a' + rnd(&seed) % 3);
		keys[i][len] = '\0';
	}
	qsort(keys, n, sizeof *keys, cmp_str);
	char *text = malloc(n * 32 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned junk = rnd(&seed) % 100;
		if (mk == KEY_LINE)
			o += (size_t)sprintf(text + o, "%s\n", keys[i]);
		else if (mk == KEY_FIELD2)
			/* An empty key has no second field at all. */
			o += (size_t)sprintf(text + o, "%s j%u %s%s\n",
			                     junk % 2 ? "  " : "", junk, keys[i],
			                     keys[i][0] != '\0' ? " tail" : "");
		else
			o += (size_t)sprintf(text + o, "j%u,%s,tail\n", junk, keys[i]);
		free(keys[i]);
	}
	free(keys);
	if (!final_newline && o > 0)
		o--;
	text[o] = '\0';
	return text;
}

START_TEST(exhaustive_windows_match_linear_filter)
{
	char bounds[40][4];
	size_t nb = all_bounds(bounds);
	ck_assert_uint_eq(nb, 40);
	static const size_t sizes[] = {0, 1, 2, 3, 5, 8, 13, 40, 100};
	for (int mk = KEY_LINE; mk <= KEY_COMMA2; mk++) {
		mapq_key *key = make_key((enum model_key)mk);
		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
			for (int nl = 0; nl <= 1; nl++) {
				char *text = sorted_text((enum model_key)mk, sizes[si],
				                         (unsigned)(si * 31 + (size_t)mk * 7 + (size_t)nl),
				                         nl);
				size_t size = strlen(text);
				struct line *l = malloc((size + 1) * sizeof *l);
				char *want = malloc(size + 1);
				size_t n = model_lines(text, size, l);
				char *path;
				mapq_view v;
				mapq_file *f = tu_open_bytes(text, size, 0, &path, &v);
				for (size_t a = 0; a < nb; a++)
					for (size_t b = 0; b <= nb; b++) {
						const char *to = b < nb ? bounds[b] : NULL;
						size_t wl = model_filter(text, l, n, (enum model_key)mk,
						                         bounds[a], to, want);
						uint64_t s, e;
						ck_assert_int_eq(window(&v, key, bounds[a], to, &s, &e),
						                 MAPQ_OK);
						ck_assert_msg(e - s == wl && memcmp(text + s, want, wl) == 0,
						              "key %d file %zu/%d from '%s' to '%s': "
						              "got %lu:%lu, want %zu bytes",
						              mk, sizes[si], nl, bounds[a],
						              to != NULL ? to : "(none)",
						              (unsigned long)s, (unsigned long)e, wl);
					}
				mapq_file_close(f);
				unlink(path);
				free(path);
				free(l);
				free(want);
				free(text);
			}
		mapq_key_destroy(key);
	}
}
END_TEST

/* ---- order checks -------------------------------------------------- */

/* Run a check over a text; returns its result, *d filled when 0. */
static int check_text(const char *text, size_t len, mapq_key *key,
                      uint64_t prefix, mapq_disorder *d)
{
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, len, 0, &path, &v);
	mapq_error err;
	int rc = check_view(&v, key, prefix, d, &err);
	if (rc == 0) {
		/* The copy of the line out of order is its bytes. */
		ck_assert_ptr_nonnull(d->text);
		ck_assert_int_eq(memcmp(d->text, text + d->offset, d->length), 0);
		free(d->text);
		d->text = NULL;
	}
	mapq_file_close(f);
	unlink(path);
	free(path);
	return rc;
}

START_TEST(check_finds_the_first_line_out_of_order)
{
	mapq_disorder d;
	ck_assert_int_eq(check_text("", 0, NULL, UINT64_MAX, &d), 1);
	ck_assert_int_eq(check_text("a\na\nb\nc", 7, NULL, UINT64_MAX, &d), 1);
	ck_assert_int_eq(check_text("a\nc\nb\na\n", 8, NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, 3);
	ck_assert_uint_eq(d.offset, 4);
	ck_assert_uint_eq(d.length, 1);
	/* The last line, without a newline. */
	ck_assert_int_eq(check_text("b\nc\nbb", 6, NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, 3);
	ck_assert_uint_eq(d.offset, 4);
	ck_assert_uint_eq(d.length, 2);
	/* A shorter line that is a prefix of the one before is smaller. */
	ck_assert_int_eq(check_text("ab\na\n", 5, NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, 2);
	/* On a prefix of 1 byte, a2 after a1 and a1 after a2 are equal. */
	ck_assert_int_eq(check_text("a2\na1\nb0\n", 9, NULL, 1, &d), 1);
	ck_assert_int_eq(check_text("a2\na1\nb0\n", 9, NULL, 2, &d), 0);
	ck_assert_uint_eq(d.line, 2);
	ck_assert_int_eq(check_text("a2\na1\nb0\n", 9, NULL, 0, &d), 1);

	/* A keyless line first is in order; after a key it is not. */
	mapq_key *k = make_key(KEY_FIELD2);
	const char *t1 = "x\ny 1\nz 2\n";
	ck_assert_int_eq(check_text(t1, strlen(t1), k, UINT64_MAX, &d), 1);
	const char *t2 = "y 1\nz 2\nlone\nw 3\n";
	ck_assert_int_eq(check_text(t2, strlen(t2), k, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, 3);
	ck_assert_uint_eq(d.offset, 8);
	ck_assert_uint_eq(d.length, 4);
	/* The field, not the line, decides. */
	const char *t3 = "z 1\ny 2\nx 3\n";
	ck_assert_int_eq(check_text(t3, strlen(t3), k, UINT64_MAX, &d), 1);
	ck_assert_int_eq(check_text(t3, strlen(t3), NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, 2);
	mapq_key_destroy(k);
}
END_TEST

/* Write line i of 16 bytes ("k" + 14 digits + newline) without the NUL
 * that sprintf would put on the next line. */
static void put_line16(char *text, size_t i, size_t value)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "k%014zu\n", value);
	memcpy(text + i * 16, tmp, 16);
}

START_TEST(check_across_scan_windows)
{
	/* 16-byte lines: line 262145 starts exactly at 4 MiB, where the
	 * first scan window ends; put the disorder there, then later. */
	size_t lines = 600000;
	char *text = malloc(lines * 16 + 1);
	for (size_t i = 0; i < lines; i++)
		put_line16(text, i, i * 10);
	mapq_disorder d;
	ck_assert_int_eq(check_text(text, lines * 16, NULL, UINT64_MAX, &d), 1);
	size_t at = 262144;
	put_line16(text, at, at * 10 - 15);
	ck_assert_int_eq(check_text(text, lines * 16, NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, at + 1);
	ck_assert_uint_eq(d.offset, at * 16);
	ck_assert_uint_eq(d.length, 15);
	put_line16(text, at, at * 10);
	at = 500001;
	put_line16(text, at, at * 10 - 11);
	ck_assert_int_eq(check_text(text, lines * 16, NULL, UINT64_MAX, &d), 0);
	ck_assert_uint_eq(d.line, at + 1);
	ck_assert_uint_eq(d.offset, at * 16);
	free(text);
}
END_TEST

/* ---- truncation ---------------------------------------------------- */

START_TEST(truncated_file_is_an_error)
{
	size_t len = 8 << 20;
	char *text = malloc(len);
	for (size_t i = 0; i < len / 16; i++)
		put_line16(text, i, i);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, len, 0, &path, &v);
	ck_assert_int_eq(truncate(path, 4096), 0);
	mapq__release(f, 0, v.size);
	mapq_error err;
	uint64_t s, e;
	ck_assert_int_eq(window(&v, NULL, "k00000000400000", NULL, &s, &e),
	                 MAPQ_ETRUNC);
	mapq_disorder d;
	ck_assert_int_eq(check_view(&v, NULL, UINT64_MAX, &d, &err),
	                 MAPQ_ETRUNC);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	mapq_split *sp = NULL;
	ck_assert_int_eq(mapq__view_split_create(&sp, &v, 3, MAPQ_SPLIT_BYTES, &err),
	                 MAPQ_ETRUNC);
	ck_assert_ptr_null(sp);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

/* ---- splits -------------------------------------------------------- */

/*
 * Split a text and check what every split promises: min(n, lines)
 * non-empty shards, adjacent, covering the text, cut at line starts; for
 * lines, balanced counts; for bytes, cuts where the model puts them.
 * Returns the number of shards.
 */
static size_t check_split(const char *text, size_t size, uint64_t n,
                        mapq_split_mode mode)
{
	struct line *l = malloc((size + 1) * sizeof *l);
	size_t nl = model_lines(text, size, l);
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(text, size, 0, &path, &v);
	mapq_split *s = NULL;
	mapq_error err;
	ck_assert_int_eq(mapq__view_split_create(&s, &v, n, mode, &err), MAPQ_OK);
	size_t want = n < nl ? (size_t)n : nl;
	uint64_t start, end, prev = 0;
	size_t k = 0, line = 0; /* lines handed out so far */
	int rc;
	while ((rc = mapq_split_next(s, &start, &end, &err)) == 1) {
		ck_assert_uint_eq(start, prev);
		ck_assert_uint_gt(end, start);
		size_t first = line;
		while (line < nl && l[line].start < end)
			line++;
		ck_assert_msg(line == nl ? end == size : l[line].start == end,
		              "shard %zu ends at %lu, not a line start", k,
		              (unsigned long)end);
		size_t got = line - first;
		if (mode == MAPQ_SPLIT_LINES) {
			size_t lo = nl / want;
			ck_assert_msg(got == lo || got == lo + 1,
			              "shard %zu has %zu lines of %zu/%zu", k, got,
			              nl, want);
		} else if (k + 1 < want) {
			/* The first line start at or after (k+1)/want of the
			 * size, but past this shard's first line and leaving a
			 * line for each shard after it. */
			size_t target = (size_t)((unsigned __int128)(k + 1) * size / want);
			size_t c = 0;
			while (c < nl && l[c].start < target)
				c++;
			if (c <= first)
				c = first + 1;
			if (c > nl - (want - k - 1))
				c = nl - (want - k - 1);
			ck_assert_msg(line == c, "shard %zu ends at line %zu, want %zu",
			              k, line, c);
		}
		prev = end;
		k++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(k, want);
	ck_assert_uint_eq(prev, k > 0 ? size : 0);
	ck_assert_int_eq(mapq_split_next(s, &start, &end, &err), 0);
	mapq_split_destroy(s);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(l);
	return k;
}

START_TEST(splits_cover_every_line_once)
{
	static const char *texts[] = {
	        "", "\n", "a", "a\n", "a\nb", "\n\n\n", "a\n\nb\n\n",
	        "l1\nl2\nl3\nl4\nl5\nl6\nl7", "one long line and\nx\ny\n",
	        "x\ny\nz\nand a last line much longer than all the others\n",
	};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (uint64_t n = 1; n <= 10; n++) {
			size_t len = strlen(texts[t]);
			size_t k = check_split(texts[t], len, n, MAPQ_SPLIT_BYTES);
			ck_assert_uint_le(k, n);
			ck_assert_uint_eq(check_split(texts[t], len, n, MAPQ_SPLIT_LINES), k);
		}
	/* Random line lengths, many shards. */
	unsigned seed = 5;
	char *buf = malloc(200000);
	size_t o = 0;
	while (o < 199000) {
		size_t len = rnd(&seed) % (rnd(&seed) % 10 == 0 ? 900 : 60);
		memset(buf + o, 'x', len);
		o += len;
		buf[o++] = '\n';
	}
	static const uint64_t ns[] = {1, 2, 3, 4, 7, 16, 100, 1000, 100000};
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		size_t k = check_split(buf, o, ns[i], MAPQ_SPLIT_BYTES);
		ck_assert_uint_eq(k, ns[i] < 3000 ? ns[i] : k);
		ck_assert_uint_eq(check_split(buf, o, ns[i], MAPQ_SPLIT_LINES), k);
		ck_assert_uint_eq(check_split(buf, o - 1, ns[i], MAPQ_SPLIT_BYTES), k);
	}
	free(buf);
}
END_TEST

START_TEST(split_with_one_huge_last_line)
{
	/* Nine short lines, then one line of 90% of the file: the byte cuts
	 * would all fall inside it; still four shards. */
	size_t size = 100000;
	char *buf = malloc(size);
	for (int i = 0; i < 9; i++)
		memcpy(buf + i * 4, "abc\n", 4);
	memset(buf + 36, 'z', size - 37);
	buf[size - 1] = '\n';
	char *path;
	mapq_view v;
	mapq_file *f = tu_open_bytes(buf, size, 0, &path, &v);
	mapq_split *s;
	ck_assert_int_eq(mapq__view_split_create(&s, &v, 4, MAPQ_SPLIT_BYTES, NULL), 0);
	uint64_t a, b;
	static const uint64_t cuts[][2] = {{0, 28}, {28, 32}, {32, 36}, {36, 100000}};
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(mapq_split_next(s, &a, &b, NULL), 1);
		ck_assert_uint_eq(a, cuts[i][0]);
		ck_assert_uint_eq(b, cuts[i][1]);
	}
	ck_assert_int_eq(mapq_split_next(s, &a, &b, NULL), 0);
	mapq_split_destroy(s);
	ck_assert_int_eq(mapq__view_split_create(&s, &v, 0, MAPQ_SPLIT_BYTES, NULL),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq__view_split_create(&s, &v, 2, (mapq_split_mode)7, NULL),
	                 MAPQ_EINVAL);
	mapq_file_close(f);
	unlink(path);
	free(path);
	free(buf);
}
END_TEST

/* ---- compressed input ---------------------------------------------- */

/*
 * Write text to a temporary file in the seekable format, with frames of
 * `frame` bytes; with `stream`, drop the seek table (the final skippable
 * frame), which leaves a plain multi-frame zstd stream.  Returns the path.
 */
static char *compressed_copy(const char *text, size_t size, uint64_t frame,
                             int stream)
{
	char *path = tu_temp_file("", 0);
	FILE *fp = fopen(path, "w+b");
	ck_assert_ptr_nonnull(fp);
	mapq_compress_options o = {.frame_size = frame, .level = 1};
	mapq_compressor *c;
	mapq_error err;
	ck_assert_int_eq(mapq_compressor_create(&c, fileno(fp), &o, &err), 0);
	ck_assert_int_eq(mapq_compressor_write(c, text, size, &err), 0);
	ck_assert_int_eq(mapq_compressor_finish(c, &err), 0);
	mapq_compressor_destroy(c);
	if (stream) {
		/* The footer: frame count (4), descriptor (1), magic (4); the
		 * table is an 8-byte skippable header, 12 bytes a frame (with
		 * checksums, which mapq writes), and the footer. */
		ck_assert_int_eq(fseek(fp, -9, SEEK_END), 0);
		unsigned char foot[9];
		ck_assert_uint_eq(fread(foot, 1, 9, fp), 9);
		long frames = (long)(foot[0] | foot[1] << 8 | foot[2] << 16 |
		                     (unsigned long)foot[3] << 24);
		ck_assert_int_eq(foot[4] & 0x80, 0x80);
		long total = ftell(fp);
		ck_assert_int_eq(ftruncate(fileno(fp), total - (8 + 12 * frames + 9)),
		                 0);
	}
	fclose(fp);
	return path;
}

static mapq_file *open_compressed(const char *path, int want)
{
	mapq_file *f = tu_open(path, 0);
	ck_assert_int_eq(mapq_file_compression(f), want);
	return f;
}

START_TEST(compressed_windows_equal_plain_ones)
{
	char bounds[40][4];
	size_t nb = all_bounds(bounds);
	/* Bounds for TO: none, and a few around the keys' range. */
	static const char *tos[] = {NULL, "", "b", "bc", "cca"};
	static const size_t sizes[] = {0, 1, 3, 13, 100};
	for (int mk = KEY_LINE; mk <= KEY_COMMA2; mk++) {
		mapq_key *key = make_key((enum model_key)mk);
		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
			for (int nl = 0; nl <= 1; nl++) {
				char *text = sorted_text((enum model_key)mk, sizes[si],
				                         (unsigned)(si * 17 + (size_t)mk + (size_t)nl),
				                         nl);
				size_t size = strlen(text);
				char *path;
				mapq_view v;
				mapq_file *plain = tu_open_bytes(text, size, 0, &path, &v);
				/* Frames far smaller than a line, and a few lines. */
				char *seek = compressed_copy(text, size, 5, 0);
				char *big = compressed_copy(text, size, 64, 0);
				char *strm = compressed_copy(text, size, 7, 1);
				mapq_file *cf[3] = {
				        open_compressed(seek, MAPQ_COMPRESSION_ZSTD_SEEKABLE),
				        open_compressed(big, MAPQ_COMPRESSION_ZSTD_SEEKABLE),
				        size > 0 ? open_compressed(strm, MAPQ_COMPRESSION_ZSTD_STREAM)
				                 : NULL,
				};
				for (size_t a = 0; a < nb; a++)
					for (size_t b = 0; b < sizeof tos / sizeof tos[0]; b++) {
						const char *to = tos[b];
						uint64_t s, e, cs, ce;
						ck_assert_int_eq(window(&v, key, bounds[a], to, &s, &e),
						                 MAPQ_OK);
						for (int k = 0; k < 3; k++) {
							if (cf[k] == NULL)
								continue;
							mapq_error err;
							mapq_window w = {bounds[a], strlen(bounds[a]), to,
							                 to != NULL ? strlen(to) : 0, 0};
							int rc = mapq_bisect_window(cf[k], key, &w, &cs,
							                            &ce, &err);
							ck_assert_msg(rc == MAPQ_OK, "%s", err.msg);
							ck_assert_msg(cs == s && ce == e,
							              "kind %d key %d file %zu/%d from '%s' "
							              "to '%s': got %lu:%lu, want %lu:%lu",
							              k, mk, sizes[si], nl, bounds[a],
							              to != NULL ? to : "(none)",
							              (unsigned long)cs, (unsigned long)ce,
							              (unsigned long)s, (unsigned long)e);
						}
					}
				/* The order check and the line count agree too. */
				mapq_disorder dp, dc;
				mapq_error err;
				int want = check_view(&v, key, UINT64_MAX, &dp, &err);
				for (int k = 0; k < 3; k++) {
					if (cf[k] == NULL)
						continue;
					ck_assert_int_eq(mapq_bisect_check(cf[k], key,
					                                        NULL, &dc,
					                                        &err),
					                 want);
					if (want == 0) {
						ck_assert_uint_eq(dc.length, dp.length);
						ck_assert_int_eq(memcmp(dc.text, dp.text,
						                        dc.length), 0);
						free(dc.text);
					}
					/* Lines of the whole data, compressed or not. */
					uint64_t lines_p, lines_c;
					ck_assert_int_eq(mapq__view_count_lines(&v, &lines_p, &err), 0);
					ck_assert_int_eq(mapq_lines_count(cf[k], 0, UINT64_MAX,
					                                       &lines_c, &err),
					                 0);
					ck_assert_uint_eq(lines_c, lines_p);
				}
				if (want == 0)
					free(dp.text);
				for (int k = 0; k < 3; k++)
					mapq_file_close(cf[k]);
				unlink(seek);
				unlink(big);
				unlink(strm);
				free(seek);
				free(big);
				free(strm);
				mapq_file_close(plain);
				unlink(path);
				free(path);
				free(text);
			}
		mapq_key_destroy(key);
	}
}
END_TEST

START_TEST(compressed_check_finds_the_same_line)
{
	/* Out of order in the middle, past several frames. */
	const char *text = "a 1\nb 2\nc 3\nd 4\nc 5\ne 6\n";
	size_t size = strlen(text);
	char *path;
	mapq_view v;
	mapq_file *plain = tu_open_bytes(text, size, 0, &path, &v);
	char *seek = compressed_copy(text, size, 3, 0);
	char *strm = compressed_copy(text, size, 3, 1);
	mapq_file *cs = open_compressed(seek, MAPQ_COMPRESSION_ZSTD_SEEKABLE);
	mapq_file *ct = open_compressed(strm, MAPQ_COMPRESSION_ZSTD_STREAM);
	mapq_key *key = make_key(KEY_LINE);
	mapq_disorder d;
	mapq_error err;
	const mapq_window one_byte = {"a", 1, NULL, 0, 0};
	/* On the first byte only: "c 5" comes after "d 4". */
	for (int k = 0; k < 2; k++) {
		memset(&d, 0, sizeof d);
		ck_assert_int_eq(mapq_bisect_check(k ? ct : cs, key, &one_byte, &d, &err),
		                 0);
		ck_assert_uint_eq(d.line, 5);
		ck_assert_uint_eq(d.offset, 16);
		ck_assert_uint_eq(d.length, 3);
		ck_assert_int_eq(memcmp(d.text, "c 5", 3), 0);
		free(d.text);
	}
	mapq_key_destroy(key);
	mapq_file_close(cs);
	mapq_file_close(ct);
	mapq_file_close(plain);
	unlink(seek);
	unlink(strm);
	unlink(path);
	free(seek);
	free(strm);
	free(path);
}
END_TEST

/* Splits of a compressed copy of text equal the splits of the text;
 * returns how many shards the plain split gave. */
static uint64_t check_compressed_split(const char *text, size_t size,
                                       uint64_t n, mapq_split_mode mode,
                                       uint64_t frame)
{
	uint64_t shards = 0;
	char *path;
	mapq_view v;
	mapq_file *plain = tu_open_bytes(text, size, 0, &path, &v);
	for (int stream = 0; stream <= 1; stream++) {
		if (stream && size == 0)
			continue; /* no frame at all: not recognised as zstd */
		char *zpath = compressed_copy(text, size, frame, stream);
		mapq_file *cf = open_compressed(zpath, stream ? MAPQ_COMPRESSION_ZSTD_STREAM
		                                              : MAPQ_COMPRESSION_ZSTD_SEEKABLE);
		mapq_split *sp, *sc;
		mapq_error err;
		ck_assert_int_eq(mapq__view_split_create(&sp, &v, n, mode, &err), 0);
		ck_assert_msg(mapq_split_create(&sc, cf, n, mode, &err) == 0, "%s",
		              err.msg);
		uint64_t a, b, c, d;
		int rp, rc;
		do {
			rp = mapq_split_next(sp, &a, &b, &err);
			rc = mapq_split_next(sc, &c, &d, &err);
			ck_assert_int_eq(rc, rp);
			if (rp == 1) {
				ck_assert_uint_eq(c, a);
				ck_assert_uint_eq(d, b);
				shards += !stream;
			}
		} while (rp == 1);
		mapq_split_destroy(sp);
		mapq_split_destroy(sc);
		mapq_file_close(cf);
		unlink(zpath);
		free(zpath);
	}
	mapq_file_close(plain);
	unlink(path);
	free(path);
	return shards;
}

START_TEST(compressed_splits_equal_plain_ones)
{
	static const char *texts[] = {
	        "", "\n", "a", "a\n\nb\n\n", "l1\nl2\nl3\nl4\nl5\nl6\nl7",
	        "x\ny\nz\nand a last line much longer than all the others\n",
	};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (uint64_t n = 1; n <= 8; n++)
			for (int mode = 0; mode <= 1; mode++)
				ck_assert_uint_le(check_compressed_split(texts[t],
				                                         strlen(texts[t]), n,
				                                         (mapq_split_mode)mode,
				                                         3),
				                  n);
	unsigned seed = 9;
	char *buf = malloc(20000);
	size_t o = 0;
	while (o < 19000) {
		size_t len = rnd(&seed) % 80;
		memset(buf + o, 'q', len);
		o += len;
		buf[o++] = '\n';
	}
	uint64_t lines = 0;
	for (size_t i = 0; i < o; i++)
		lines += buf[i] == '\n';
	static const uint64_t ns[] = {1, 3, 16, 500};
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (int mode = 0; mode <= 1; mode++)
			/* min(n, lines) shards. */
			ck_assert_uint_eq(check_compressed_split(buf, o, ns[i],
			                                         (mapq_split_mode)mode,
			                                         1000),
			                  ns[i] < lines ? ns[i] : lines);
	free(buf);
}
END_TEST

static Suite *bisect_suite(void)
{
	Suite *s = suite_create("bisect");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, prefix_comparison);
	tcase_add_test(tc, field_and_regex_keys);
	tcase_add_test(tc, bad_key_specs);
	tcase_add_test(tc, regex_limit_is_an_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("bisect");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, windows_at_the_edges);
	tcase_add_test(tc, exact_offsets_of_a_window);
	tcase_add_test(tc, lines_longer_than_a_page);
	tcase_add_test(tc, keyless_lines_sort_first);
	tcase_add_test(tc, keyless_lines_stay_with_the_line_before);
	tcase_add_test(tc, exhaustive_windows_match_linear_filter);
	tcase_add_test(tc, truncated_file_is_an_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, check_finds_the_first_line_out_of_order);
	tcase_add_test(tc, check_across_scan_windows);
	suite_add_tcase(s, tc);
	tc = tcase_create("split");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, splits_cover_every_line_once);
	tcase_add_test(tc, split_with_one_huge_last_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("compressed");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, compressed_windows_equal_plain_ones);
	tcase_add_test(tc, compressed_check_finds_the_same_line);
	tcase_add_test(tc, compressed_splits_equal_plain_ones);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bisect_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
