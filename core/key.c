/*
 * key.c - the key of a line: a part of it (the line, a field, a regex
 * group), compared as bytes on a bound's length or, with a time format,
 * parsed into a time (see mapq.h "Keys" and mapq-range(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/error.h"
#include "key.h"
#include "timefmt.h"

struct mapq_key {
	mapq_key_type type;
	uint64_t field;
	int delim;
	pcre2_code *code;
	pcre2_match_data *match;
	uint32_t group; /* the ovector pair that holds the key: 1, or 0 */
	int is_time;
	struct mapq__time_format tf;
};

int mapq_key_create(mapq_key **out, const mapq_key_spec *spec, mapq_error *err)
{
	if (out == NULL || spec == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no key spec");
	*out = NULL;
	switch (spec->type) {
	case MAPQ_KEY_LINE:
		break;
	case MAPQ_KEY_FIELD:
		if (spec->field == 0)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "invalid field number 0: fields "
			                       "are numbered from 1");
		if (spec->delim < MAPQ_KEY_BLANKS || spec->delim > 255)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "invalid field delimiter %d",
			                       spec->delim);
		break;
	case MAPQ_KEY_REGEX:
		if (spec->regex == NULL)
			return mapq__error_set(err, MAPQ_EINVAL, 0,
			                       "no key regex");
		break;
	default:
		return mapq__error_set(err, MAPQ_EINVAL, 0, "unknown key type %d",
		                       (int)spec->type);
	}

	mapq_key *k = calloc(1, sizeof *k);
	if (k == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
	k->type = spec->type;
	k->field = spec->field;
	k->delim = spec->delim;
	if (k->type == MAPQ_KEY_REGEX) {
		int code;
		PCRE2_SIZE at;
		/* Lines are UTF-8 by default, but a byte that is not valid
		 * UTF-8 must never be an error: it just cannot match. */
		k->code = pcre2_compile((PCRE2_SPTR)spec->regex,
		                        PCRE2_ZERO_TERMINATED,
		                        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
		                        &at, NULL);
		if (k->code == NULL) {
			PCRE2_UCHAR why[256];
			pcre2_get_error_message(code, why, sizeof why);
			mapq__error_set(err, MAPQ_EINVAL, 0,
			                "invalid key regex '%s': %s at offset %zu",
			                spec->regex, (const char *)why, (size_t)at);
			mapq_key_destroy(k);
			return MAPQ_EINVAL;
		}
		/* Without JIT support the interpreter does the same work. */
		pcre2_jit_compile(k->code, PCRE2_JIT_COMPLETE);
		uint32_t groups = 0;
		pcre2_pattern_info(k->code, PCRE2_INFO_CAPTURECOUNT, &groups);
		k->group = groups > 0 ? 1 : 0;
		k->match = pcre2_match_data_create_from_pattern(k->code, NULL);
		if (k->match == NULL) {
			mapq_key_destroy(k);
			return mapq__error_set(err, MAPQ_ENOMEM, 0, "out of memory");
		}
	}
	if (spec->time_format != NULL) {
		int rc = mapq__time_format_init(&k->tf, spec->time_format,
		                                spec->year, spec->reference, err);
		if (rc != MAPQ_OK) {
			mapq_key_destroy(k);
			return rc;
		}
		k->is_time = 1;
	}
	*out = k;
	return MAPQ_OK;
}

void mapq_key_destroy(mapq_key *key)
{
	if (key == NULL)
		return;
	pcre2_match_data_free(key->match);
	pcre2_code_free(key->code);
	mapq__time_format_free(&key->tf);
	free(key);
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Field `n` of [p, end): runs of blanks separate, leading ones skipped. */
static void field_blanks(const unsigned char *p, const unsigned char *end,
                         uint64_t n, const unsigned char **kp, uint64_t *klen)
{
	for (uint64_t i = 1;; i++) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		const unsigned char *start = p;
		while (p < end && !is_blank(*p))
			p++;
		if (i == n) {
			*kp = start;
			*klen = (uint64_t)(p - start);
			return;
		}
	}
	*kp = end;
	*klen = 0;
}

/* Field `n` of [p, end): every `delim` separates two fields. */
static void field_delim(const unsigned char *p, const unsigned char *end,
                        uint64_t n, int delim, const unsigned char **kp,
                        uint64_t *klen)
{
	for (uint64_t i = 1; i < n; i++) {
		const unsigned char *d = memchr(p, delim, (size_t)(end - p));
		if (d == NULL) {
			*kp = end;
			*klen = 0;
			return;
		}
		p = d + 1;
	}
	const unsigned char *d = memchr(p, delim, (size_t)(end - p));
	*kp = p;
	*klen = (uint64_t)((d != NULL ? d : end) - p);
}

/* The clf preset's key: the text between the first '[' and the next ']'
 * (none when there is no such pair). */
static void brackets(const unsigned char *line, uint64_t len,
                     const unsigned char **kp, uint64_t *klen)
{
	const unsigned char *open = memchr(line, '[', (size_t)len);
	const unsigned char *close =
	        open != NULL ? memchr(open, ']', (size_t)(line + len - open))
	                     : NULL;
	if (close == NULL) {
		*kp = line;
		*klen = 0;
		return;
	}
	*kp = open + 1;
	*klen = (uint64_t)(close - open - 1);
}

int mapq_key_extract(mapq_key *key, const unsigned char *line, uint64_t len,
                     const unsigned char **kp, uint64_t *klen, mapq_error *err)
{
	if (key == NULL || key->type == MAPQ_KEY_LINE) {
		*kp = line;
		*klen = len;
		if (key != NULL && key->tf.brackets)
			brackets(line, len, kp, klen);
		return MAPQ_OK;
	}
	if (key->type == MAPQ_KEY_FIELD) {
		if (key->delim == MAPQ_KEY_BLANKS)
			field_blanks(line, line + len, key->field, kp, klen);
		else
			field_delim(line, line + len, key->field, key->delim, kp,
			            klen);
		return MAPQ_OK;
	}

	static const unsigned char nothing[1] = {0};
	const unsigned char *subject = len > 0 ? line : nothing;
	int rc = pcre2_match(key->code, subject, (PCRE2_SIZE)len, 0, 0,
	                     key->match, NULL);
	*kp = subject;
	*klen = 0;
	if (rc == PCRE2_ERROR_NOMATCH)
		return MAPQ_OK;
	if (rc < 0) {
		PCRE2_UCHAR why[256];
		pcre2_get_error_message(rc, why, sizeof why);
		return mapq__error_set(err, MAPQ_EINVAL, 0, "key regex: %s",
		                       (const char *)why);
	}
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(key->match);
	PCRE2_SIZE s = ov[2 * key->group], e = ov[2 * key->group + 1];
	/* A group that took no part in the match leaves no key. */
	if (s != PCRE2_UNSET && e != PCRE2_UNSET && e > s) {
		*kp = subject + s;
		*klen = (uint64_t)(e - s);
	}
	return MAPQ_OK;
}

int mapq_key_compare(const unsigned char *k, uint64_t klen,
                     const unsigned char *b, uint64_t blen)
{
	uint64_t n = klen < blen ? klen : blen;
	int c = n > 0 ? memcmp(k, b, (size_t)n) : 0;
	if (c != 0)
		return c < 0 ? -1 : 1;
	/* Equal on the shorter: a key that stops before the bound's end is
	 * a proper prefix of it, hence smaller. */
	return klen < blen ? -1 : 0;
}


int mapq__key_is_time(const mapq_key *key)
{
	return key != NULL && key->is_time;
}

int mapq__key_value(mapq_key *key, const unsigned char *line, uint64_t len,
                    struct mapq__kv *kv, mapq_error *err)
{
	int rc = mapq_key_extract(key, line, len, &kv->p, &kv->n, err);
	if (rc != MAPQ_OK)
		return rc;
	kv->keyed = kv->n > 0;
	kv->t = 0;
	if (kv->keyed && mapq__key_is_time(key))
		kv->keyed = mapq__time_parse(&key->tf, kv->p, (size_t)kv->n,
		                             &kv->t);
	return MAPQ_OK;
}

int mapq_key_time(mapq_key *key, const unsigned char *line, uint64_t len,
                  int64_t *t, mapq_error *err)
{
	if (!mapq__key_is_time(key) || (line == NULL && len > 0) || t == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "no time key or line");
	struct mapq__kv kv;
	int rc = mapq__key_value(key, line, len, &kv, err);
	if (rc != MAPQ_OK)
		return rc;
	*t = kv.t;
	return kv.keyed;
}

int mapq__key_bound(const mapq_key *key, const void *text, uint64_t len,
                    int64_t shift, struct mapq__bound *b, mapq_error *err)
{
	memset(b, 0, sizeof *b);
	if (text == NULL) {
		b->none = 1;
		return MAPQ_OK;
	}
	b->p = text;
	b->n = len;
	if (!mapq__key_is_time(key))
		return MAPQ_OK;
	if (memchr(text, '\0', (size_t)len) != NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0,
		                       "invalid time: it holds a NUL byte");
	int64_t t;
	int rc = mapq__time_bound(&key->tf, text, (size_t)len, &t, err);
	if (rc != MAPQ_OK)
		return rc;
	/* Saturate: a bound moved past the ends of time stays there. */
	if (shift < 0 && t < INT64_MIN - shift)
		t = INT64_MIN;
	else if (shift > 0 && t > INT64_MAX - shift)
		t = INT64_MAX;
	else
		t += shift;
	b->t = t;
	return MAPQ_OK;
}

int mapq__kv_ge(const mapq_key *key, const struct mapq__kv *kv,
                const struct mapq__bound *b)
{
	if (b->none)
		return 0;
	if (mapq__key_is_time(key))
		return kv->t >= b->t;
	return mapq_key_compare(kv->p, kv->n, b->p, b->n) >= 0;
}

int mapq_key_parse_time(const mapq_key *key, const void *text, uint64_t len,
                        int64_t *t, mapq_error *err)
{
	if (!mapq__key_is_time(key) || text == NULL || t == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no time key or text");
	struct mapq__bound b;
	int rc = mapq__key_bound(key, text, len, 0, &b, err);
	if (rc != MAPQ_OK)
		return rc;
	*t = b.t;
	return 1;
}
