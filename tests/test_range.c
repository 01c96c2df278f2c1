/*
 * test_range.c - the range language: parsing and resolving byte ranges.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapq.h"
#include "testutil.h"

#define HS MAPQ_RANGE_HAS_START
#define HE MAPQ_RANGE_HAS_END
#define SN MAPQ_RANGE_START_NEG
#define EN MAPQ_RANGE_END_NEG
#define EC MAPQ_RANGE_END_COUNT

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

/* A text and the range it must parse into. */
struct parse_case {
	const char *text;
	unsigned flags;
	uint64_t start;
	uint64_t end;
};

/* A text that must be refused, and a phrase the reason must contain. */
struct bad_case {
	const char *text;
	int code;
	const char *reason;
};

/*
 * Parse c->text as `unit`; 0 when it gives exactly c's range, else 1 with
 * what differs written to why.
 */
static int parse_mismatch(const struct parse_case *c, mapq_range_unit unit,
                          char *why, size_t n)
{
	mapq_range r;
	mapq_error err = { .code = 0 };
	int rc = mapq_range_parse(&r, c->text, unit, &err);
	if (rc != MAPQ_OK)
		snprintf(why, n, "'%s' (%s): rc %d, %s", c->text,
		         unit == MAPQ_RANGE_LINES ? "lines" : "bytes", rc, err.msg);
	else if (r.unit != unit || r.flags != c->flags || r.start != c->start ||
	         r.end != c->end)
		snprintf(why, n, "'%s': unit %d flags %#x start %llu end %llu, "
		         "want flags %#x start %llu end %llu", c->text, (int)r.unit,
		         r.flags, (unsigned long long)r.start,
		         (unsigned long long)r.end, c->flags,
		         (unsigned long long)c->start, (unsigned long long)c->end);
	else
		return 0;
	return 1;
}

/*
 * The code, err.code, and a message that quotes the text and gives the
 * expected reason; *range must be left as it was.
 */
static int refusal_mismatch(const struct bad_case *c, mapq_range_unit unit,
                            char *why, size_t n)
{
	const char *kind = unit == MAPQ_RANGE_LINES ? "line" : "byte";
	mapq_range r = { .unit = MAPQ_RANGE_LINES, .flags = 0x5a,
	                 .start = 77, .end = 88 };
	mapq_error err = { .code = 0 };
	int rc = mapq_range_parse(&r, c->text, unit, &err);
	char want[256];
	snprintf(want, sizeof want, "invalid %s range '%s': ", kind, c->text);
	if (rc != c->code || err.code != c->code || err.sys_errno != 0)
		snprintf(why, n, "'%s' (%s): rc %d err.code %d errno %d, want %d (%s)",
		         c->text, kind, rc, err.code, err.sys_errno, c->code,
		         rc == 0 ? "" : err.msg);
	else if (strncmp(err.msg, want, strlen(want)) != 0)
		snprintf(why, n, "'%s': message \"%s\" does not start \"%s\"",
		         c->text, err.msg, want);
	else if (strstr(err.msg + strlen(want), c->reason) == NULL)
		snprintf(why, n, "'%s': message \"%s\" lacks \"%s\"", c->text,
		         err.msg, c->reason);
	else if (r.unit != MAPQ_RANGE_LINES || r.flags != 0x5a || r.start != 77 ||
	         r.end != 88)
		snprintf(why, n, "'%s': the range was changed by a refusal", c->text);
	else
		return 0;
	return 1;
}

/* ---- valid forms ---------------------------------------------------- */

/* Forms whose meaning is the same for both units (no 0, no suffix). */
static const struct parse_case both_units[] = {
	{ "100:200", HS | HE, 100, 200 },
	{ "5:+3", HS | HE | EC, 5, 3 },
	{ "5:", HS, 5, 0 },
	{ ":20", HE, 0, 20 },
	{ ":+7", HE | EC, 0, 7 },
	{ ":", 0, 0, 0 },
	{ "42", HS | HE | EC, 42, 1 },
	{ "-4", HS | HE | EC | SN, 4, 1 },
	{ "-10:", HS | SN, 10, 0 },
	{ "-10:-2", HS | HE | SN | EN, 10, 2 },
	{ "3:-1", HS | HE | EN, 3, 1 },
	{ ":-5", HE | EN, 0, 5 },
	{ "-3:+2", HS | HE | SN | EC, 3, 2 },
	{ "-3:8", HS | HE | SN, 3, 8 },
	{ "200:100", HS | HE, 200, 100 },
	{ "1:+0", HS | HE | EC, 1, 0 },
	{ ":+0", HE | EC, 0, 0 },
	{ "007:010", HS | HE, 7, 10 },
	{ "5:+00", HS | HE | EC, 5, 0 },
	{ "18446744073709551615", HS | HE | EC, UINT64_MAX, 1 },
	{ "1:18446744073709551615", HS | HE, 1, UINT64_MAX },
	{ "1:+18446744073709551615", HS | HE | EC, 1, UINT64_MAX },
	{ "-18446744073709551615:", HS | SN, UINT64_MAX, 0 },
	{ "00000000000000000000000000018446744073709551615", HS | HE | EC,
	  UINT64_MAX, 1 },
};

START_TEST(parse_forms_bytes)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	for (size_t i = 0; i < sizeof both_units / sizeof both_units[0]; i++)
		ck_assert_msg(!parse_mismatch(&both_units[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(parse_forms_lines)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	for (size_t i = 0; i < sizeof both_units / sizeof both_units[0]; i++)
		ck_assert_msg(!parse_mismatch(&both_units[i], MAPQ_RANGE_LINES, why, sizeof why), "%s", why);
}
END_TEST

/* Byte offsets start at 0, and -0 is the end of the data. */
START_TEST(parse_zero_bytes)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	static const struct parse_case cases[] = {
		{ "0", HS | HE | EC, 0, 1 },
		{ "0:0", HS | HE, 0, 0 },
		{ "0:", HS, 0, 0 },
		{ ":0", HE, 0, 0 },
		{ "-0", HS | HE | EC | SN, 0, 1 },
		{ "-0:", HS | SN, 0, 0 },
		{ ":-0", HE | EN, 0, 0 },
		{ "-0:-0", HS | HE | SN | EN, 0, 0 },
		{ "0K", HS | HE | EC, 0, 1 },
		{ "0:+0", HS | HE | EC, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(!parse_mismatch(&cases[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(parse_suffixes)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	static const struct parse_case cases[] = {
		{ "1k", HS | HE | EC, KIB, 1 },
		{ "1K", HS | HE | EC, KIB, 1 },
		{ "1KB", HS | HE | EC, KIB, 1 },
		{ "1kb", HS | HE | EC, KIB, 1 },
		{ "1kB", HS | HE | EC, KIB, 1 },
		{ "1Kb", HS | HE | EC, KIB, 1 },
		{ "1KiB", HS | HE | EC, KIB, 1 },
		{ "1kib", HS | HE | EC, KIB, 1 },
		{ "1KIB", HS | HE | EC, KIB, 1 },
		{ "1kIb", HS | HE | EC, KIB, 1 },
		{ "64KiB", HS | HE | EC, 64 * KIB, 1 },
		{ "2M", HS | HE | EC, 2 * MIB, 1 },
		{ "2m", HS | HE | EC, 2 * MIB, 1 },
		{ "2MB", HS | HE | EC, 2 * MIB, 1 },
		{ "2MiB", HS | HE | EC, 2 * MIB, 1 },
		{ "3G", HS | HE | EC, 3 * GIB, 1 },
		{ "1g", HS | HE | EC, GIB, 1 },
		{ "3gib", HS | HE | EC, 3 * GIB, 1 },
		{ "1T", HS | HE | EC, TIB, 1 },
		{ "1tb", HS | HE | EC, TIB, 1 },
		{ "1TiB", HS | HE | EC, TIB, 1 },
		{ "16777215T", HS | HE | EC, 16777215 * TIB, 1 },
		{ "17179869183G", HS | HE | EC, 17179869183 * GIB, 1 },
		{ "-4K:", HS | SN, 4 * KIB, 0 },
		{ "1M:+4K", HS | HE | EC, MIB, 4 * KIB },
		{ "1M:2MiB", HS | HE, MIB, 2 * MIB },
		{ "-8k:-4kb", HS | HE | SN | EN, 8 * KIB, 4 * KIB },
		{ ":+1g", HE | EC, 0, GIB },
		{ ":-1t", HE | EN, 0, TIB },
		{ "0000016777215T", HS | HE | EC, 16777215 * TIB, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(!parse_mismatch(&cases[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
}
END_TEST

/* ---- refused forms -------------------------------------------------- */

/* Malformed whatever the unit. */
static const struct bad_case bad_both[] = {
	{ "", MAPQ_ERANGE, "empty range" },
	{ "a", MAPQ_ERANGE, "expected a number, got 'a'" },
	{ "1:x", MAPQ_ERANGE, "expected a number after ':', got 'x'" },
	{ "1::2", MAPQ_ERANGE, "more than one ':'" },
	{ "1:2:3", MAPQ_ERANGE, "more than one ':'" },
	{ "::", MAPQ_ERANGE, "more than one ':'" },
	{ "1:2:", MAPQ_ERANGE, "more than one ':'" },
	{ " 1", MAPQ_ERANGE, "expected a number, got a space" },
	{ "1 ", MAPQ_ERANGE, "unexpected a space after the number" },
	{ "1 :2", MAPQ_ERANGE, "unexpected a space after the number" },
	{ "1: 2", MAPQ_ERANGE, "expected a number after ':', got a space" },
	{ "+1", MAPQ_ERANGE, "'+' only starts a count, after ':'" },
	{ "+1:5", MAPQ_ERANGE, "'+' only starts a count" },
	{ "1:-", MAPQ_ERANGE, "expected a number after '-'" },
	{ "1:+", MAPQ_ERANGE, "expected a number after '+'" },
	{ ":+", MAPQ_ERANGE, "expected a number after '+'" },
	{ ":-", MAPQ_ERANGE, "expected a number after '-'" },
	{ "-", MAPQ_ERANGE, "expected a number after '-'" },
	{ "-:", MAPQ_ERANGE, "expected a number after '-', got ':'" },
	{ "-:5", MAPQ_ERANGE, "expected a number after '-', got ':'" },
	{ "--1", MAPQ_ERANGE, "expected a number after '-', got '-'" },
	{ "-+1", MAPQ_ERANGE, "expected a number after '-', got '+'" },
	{ "1:+-2", MAPQ_ERANGE, "expected a number after '+', got '-'" },
	{ "1:++2", MAPQ_ERANGE, "expected a number after '+', got '+'" },
	{ "1:--2", MAPQ_ERANGE, "expected a number after '-', got '-'" },
	{ "1:-+2", MAPQ_ERANGE, "expected a number after '-', got '+'" },
	{ "1-2", MAPQ_ERANGE, "unexpected '-' after the number" },
	{ "1+2", MAPQ_ERANGE, "unexpected '+' after the number" },
	{ "1,2", MAPQ_ERANGE, "unexpected ',' after the number" },
	{ "1.5", MAPQ_ERANGE, "unexpected '.' after the number" },
	{ "0x10", MAPQ_ERANGE, "" },
	{ "1:2x", MAPQ_ERANGE, "" },
	{ "1:2 ", MAPQ_ERANGE, "unexpected a space after the number" },
	{ "1:+2+", MAPQ_ERANGE, "unexpected '+' after the number" },
	{ "1:+2:", MAPQ_ERANGE, "more than one ':'" },
	{ "1:+2-", MAPQ_ERANGE, "unexpected '-' after the number" },
	{ "'", MAPQ_ERANGE, "expected a number, got '''" },
	{ "\xc3\xa9", MAPQ_ERANGE, "got byte 0xc3" },
};

START_TEST(refuse_malformed_both)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	for (size_t i = 0; i < sizeof bad_both / sizeof bad_both[0]; i++) {
		ck_assert_msg(!refusal_mismatch(&bad_both[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
		ck_assert_msg(!refusal_mismatch(&bad_both[i], MAPQ_RANGE_LINES, why, sizeof why), "%s", why);
	}
}
END_TEST

START_TEST(refuse_malformed_bytes)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	static const struct bad_case cases[] = {
		{ "1B", MAPQ_ERANGE, "'B' needs K, M, G or T before it" },
		{ "1b", MAPQ_ERANGE, "'B' needs K, M, G or T before it" },
		{ "1:2B", MAPQ_ERANGE, "'B' needs K, M, G or T" },
		{ "1KBB", MAPQ_ERANGE, "unexpected 'B' after the number" },
		{ "1KiBB", MAPQ_ERANGE, "unexpected 'B' after the number" },
		{ "1KK", MAPQ_ERANGE, "unexpected 'K' after the number" },
		{ "1KM", MAPQ_ERANGE, "unexpected 'M' after the number" },
		{ "1Ki", MAPQ_ERANGE, "expected 'B' after 'i'" },
		{ "1Kix", MAPQ_ERANGE, "expected 'B' after 'i'" },
		{ "1Ki:", MAPQ_ERANGE, "expected 'B' after 'i'" },
		{ "1iB", MAPQ_ERANGE, "unknown suffix 'i'" },
		{ "1X", MAPQ_ERANGE, "unknown suffix 'X'" },
		{ "1P", MAPQ_ERANGE, "unknown suffix 'P'" },
		{ "1E", MAPQ_ERANGE, "unknown suffix 'E'" },
		{ "1:x1", MAPQ_ERANGE, "expected a number after ':'" },
		{ "K", MAPQ_ERANGE, "expected a number, got 'K'" },
		{ "1K ", MAPQ_ERANGE, "unexpected a space after the number" },
		{ "1 K", MAPQ_ERANGE, "unexpected a space after the number" },
		{ "1:+K", MAPQ_ERANGE, "expected a number after '+', got 'K'" },
		{ "-K:", MAPQ_ERANGE, "expected a number after '-', got 'K'" },
		{ "1KB:+1BB", MAPQ_ERANGE, "'B' needs K, M, G or T" },
		/* A malformed suffix is reported before the size. */
		{ "99999999999999999999B", MAPQ_ERANGE, "'B' needs K" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(!refusal_mismatch(&cases[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(refuse_malformed_lines)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	static const struct bad_case cases[] = {
		{ "1K", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "1k", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "1:2M", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "1:+4K", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "-1G:", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "1B", MAPQ_ERANGE, "line numbers take no suffix" },
		{ "0", MAPQ_ERANGE, "line numbers start at 1" },
		{ "00", MAPQ_ERANGE, "line numbers start at 1" },
		{ "0:5", MAPQ_ERANGE, "line numbers start at 1" },
		{ "5:0", MAPQ_ERANGE, "line numbers start at 1" },
		{ "0:", MAPQ_ERANGE, "line numbers start at 1" },
		{ ":0", MAPQ_ERANGE, "line numbers start at 1" },
		{ "0:+3", MAPQ_ERANGE, "line numbers start at 1" },
		{ "-0", MAPQ_ERANGE, "(-1 is the last line)" },
		{ "-0:", MAPQ_ERANGE, "(-1 is the last line)" },
		{ "1:-0", MAPQ_ERANGE, "(-1 is the last line)" },
		{ ":-0", MAPQ_ERANGE, "(-1 is the last line)" },
		{ "0:x", MAPQ_ERANGE, "line numbers start at 1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(!refusal_mismatch(&cases[i], MAPQ_RANGE_LINES, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(refuse_overflow)
{
	char why[2 * MAPQ_ERROR_MSG_MAX];
	static const struct bad_case both[] = {
		{ "99999999999999999999999", MAPQ_EOVERFLOW,
		  "number too large" },
		{ "18446744073709551616", MAPQ_EOVERFLOW, "number too large" },
		{ "18446744073709551620", MAPQ_EOVERFLOW, "number too large" },
		{ "184467440737095516150", MAPQ_EOVERFLOW, "number too large" },
		{ "1:18446744073709551616", MAPQ_EOVERFLOW,
		  "number too large" },
		{ "1:+18446744073709551616", MAPQ_EOVERFLOW,
		  "number too large" },
		{ "-18446744073709551616:", MAPQ_EOVERFLOW,
		  "number too large" },
		{ ":-18446744073709551616", MAPQ_EOVERFLOW,
		  "number too large" },
		/* Read from the left: the size is wrong before the 'x'. */
		{ "99999999999999999999:x", MAPQ_EOVERFLOW,
		  "number too large" },
	};
	for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
		ck_assert_msg(!refusal_mismatch(&both[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
		ck_assert_msg(!refusal_mismatch(&both[i], MAPQ_RANGE_LINES, why, sizeof why), "%s", why);
	}

	static const struct bad_case bytes[] = {
		{ "16777216T", MAPQ_EOVERFLOW, "number too large" },
		{ "20000000T", MAPQ_EOVERFLOW, "number too large" },
		{ "17179869184G", MAPQ_EOVERFLOW, "number too large" },
		{ "17592186044416M", MAPQ_EOVERFLOW, "number too large" },
		{ "18014398509481984K", MAPQ_EOVERFLOW, "number too large" },
		{ "18446744073709551615k", MAPQ_EOVERFLOW,
		  "number too large" },
		{ "1:+16777216TiB", MAPQ_EOVERFLOW, "number too large" },
		{ "-16777216t:", MAPQ_EOVERFLOW, "number too large" },
	};
	for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++)
		ck_assert_msg(!refusal_mismatch(&bytes[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);

	/* The largest of each multiple still fits. */
	static const struct parse_case fits[] = {
		{ "18014398509481983K", HS | HE | EC,
		  18014398509481983 * KIB, 1 },
		{ "17592186044415M", HS | HE | EC, 17592186044415 * MIB, 1 },
	};
	for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
		ck_assert_msg(!parse_mismatch(&fits[i], MAPQ_RANGE_BYTES, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(refuse_bad_arguments)
{
	mapq_range r;
	mapq_error err = { .code = 0 };
	ck_assert_int_eq(mapq_range_parse(&r, NULL, MAPQ_RANGE_BYTES, &err),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(err.code, MAPQ_EINVAL);
	ck_assert_int_eq(mapq_range_parse(&r, NULL, MAPQ_RANGE_LINES, NULL),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq_range_parse(NULL, "1:2", MAPQ_RANGE_BYTES,
	                                  &err),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq_range_parse(&r, "1:2", (mapq_range_unit)7,
	                                  &err),
	                 MAPQ_EINVAL);
	/* err is optional for range errors too. */
	ck_assert_int_eq(mapq_range_parse(&r, "1:x", MAPQ_RANGE_BYTES, NULL),
	                 MAPQ_ERANGE);
	ck_assert_int_eq(mapq_range_parse(&r, "16777216T", MAPQ_RANGE_BYTES,
	                                  NULL),
	                 MAPQ_EOVERFLOW);
}
END_TEST

/* A huge text is quoted in part, and the reason still fits. */
START_TEST(message_long_text)
{
	size_t len = 100000;
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	memset(text, '1', len);
	text[len - 1] = 'x';
	text[len] = '\0';
	mapq_range r;
	mapq_error err;
	ck_assert_int_eq(mapq_range_parse(&r, text, MAPQ_RANGE_LINES, &err),
	                 MAPQ_ERANGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "invalid line range '111"));
	ck_assert_ptr_nonnull(strstr(err.msg, "...': "));
	ck_assert_ptr_nonnull(strstr(err.msg, "line numbers take no suffix"));
	ck_assert_uint_lt(strlen(err.msg), 1024);

	/* Control bytes are escaped in the quote. */
	ck_assert_int_eq(mapq_range_parse(&r, "1\x1b[2J", MAPQ_RANGE_BYTES,
	                                  &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid byte range '1\\x1b[2J': "
	                          "unexpected byte 0x1b after the number");
	ck_assert_int_eq(mapq_range_parse(&r, "\t1", MAPQ_RANGE_LINES, &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid line range '\\x091': "
	                          "expected a number, got byte 0x09");
	ck_assert_int_eq(mapq_range_parse(&r, "1\n", MAPQ_RANGE_BYTES, &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid byte range '1\\x0a': "
	                          "unexpected byte 0x0a after the number");
	free(text);
}
END_TEST

START_TEST(message_exact_text)
{
	mapq_range r;
	mapq_error err;
	ck_assert_int_eq(mapq_range_parse(&r, "1:x", MAPQ_RANGE_BYTES, &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid byte range '1:x': "
	                          "expected a number after ':', got 'x'");
	ck_assert_int_eq(mapq_range_parse(&r, "99999999999999999999999",
	                                  MAPQ_RANGE_BYTES, &err),
	                 MAPQ_EOVERFLOW);
	ck_assert_str_eq(err.msg, "invalid byte range "
	                          "'99999999999999999999999': "
	                          "number too large");
	ck_assert_int_eq(mapq_range_parse(&r, "", MAPQ_RANGE_LINES, &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg, "invalid line range '': empty range");
	ck_assert_int_eq(mapq_range_parse(&r, "0", MAPQ_RANGE_LINES, &err),
	                 MAPQ_ERANGE);
	ck_assert_str_eq(err.msg,
	                 "invalid line range '0': line numbers start at 1");
}
END_TEST

/* ---- resolving byte ranges ------------------------------------------ */

struct resolve_case {
	const char *text;
	uint64_t size;
	uint64_t start;
	uint64_t end;
};

START_TEST(resolve_bytes_cases)
{
	static const struct resolve_case cases[] = {
		{ ":", 100, 0, 100 },
		{ ":", 0, 0, 0 },
		{ "10:20", 100, 10, 20 },
		{ "10:20", 15, 10, 15 },
		{ "10:20", 5, 5, 5 },
		{ "10:20", 0, 0, 0 },
		{ "20:10", 100, 20, 20 },
		{ "20:10", 15, 15, 15 },
		{ "10:10", 100, 10, 10 },
		{ "10:", 100, 10, 100 },
		{ "100:", 100, 100, 100 },
		{ "150:", 100, 100, 100 },
		{ ":30", 100, 0, 30 },
		{ ":300", 100, 0, 100 },
		{ ":0", 100, 0, 0 },
		{ "0", 100, 0, 1 },
		{ "99", 100, 99, 100 },
		{ "100", 100, 100, 100 },
		{ "5", 0, 0, 0 },
		{ "10:+5", 100, 10, 15 },
		{ "10:+0", 100, 10, 10 },
		{ "98:+5", 100, 98, 100 },
		{ "200:+5", 100, 100, 100 },
		{ ":+5", 100, 0, 5 },
		{ ":+500", 100, 0, 100 },
		{ "-10:", 100, 90, 100 },
		{ "-100:", 100, 0, 100 },
		{ "-101:", 100, 0, 100 },
		{ "-18446744073709551615:", 100, 0, 100 },
		{ "-0:", 100, 100, 100 },
		{ "-0", 100, 100, 100 },
		{ "-1", 100, 99, 100 },
		{ "-1", 0, 0, 0 },
		{ "-200", 100, 0, 1 },
		{ "-10:-2", 100, 90, 98 },
		{ "-2:-10", 100, 98, 98 },
		{ "-10:-200", 100, 90, 90 },
		{ "-200:-10", 100, 0, 90 },
		{ "-200:-150", 100, 0, 0 },
		{ ":-10", 100, 0, 90 },
		{ ":-0", 100, 0, 100 },
		{ ":-100", 100, 0, 0 },
		{ ":-1000", 100, 0, 0 },
		{ "10:-10", 100, 10, 90 },
		{ "95:-10", 100, 95, 95 },
		{ "-10:95", 100, 90, 95 },
		{ "-10:50", 100, 90, 90 },
		{ "-10:+3", 100, 90, 93 },
		{ "-10:+30", 100, 90, 100 },
		{ "-4K:", 10000, 10000 - 4096, 10000 },
		{ "-4K:", 4096, 0, 4096 },
		{ "-4K:", 100, 0, 100 },
		{ "1K:2K", 10000, 1024, 2048 },
		{ "1K:+1K", 1500, 1024, 1500 },
		/* A count that would wrap past 2^64 saturates at the end. */
		{ "10:+18446744073709551615", 100, 10, 100 },
		{ "10:+18446744073709551615", 18446744073709551615u, 10,
		  18446744073709551615u },
		{ "18446744073709551610:+100", 18446744073709551615u,
		  18446744073709551610u, 18446744073709551615u },
		{ "-5:+16777215T", 18446744073709551615u,
		  18446744073709551610u, 18446744073709551615u },
		{ "18446744073709551615", 18446744073709551615u,
		  18446744073709551615u, 18446744073709551615u },
		{ "0:18446744073709551615", 18446744073709551615u, 0,
		  18446744073709551615u },
		{ "5G:6G", 8 * GIB, 5 * GIB, 6 * GIB },
		{ "-1G:", 8 * GIB, 7 * GIB, 8 * GIB },
		{ ":", 18446744073709551615u, 0, 18446744073709551615u },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct resolve_case *c = &cases[i];
		mapq_range r;
		mapq_error err;
		int rc = mapq_range_parse(&r, c->text, MAPQ_RANGE_BYTES, &err);
		ck_assert_msg(rc == MAPQ_OK, "'%s': %s", c->text, err.msg);
		uint64_t s = 12345, e = 54321;
		rc = mapq_range_resolve_bytes(&r, c->size, &s, &e);
		ck_assert_int_eq(rc, MAPQ_OK);
		ck_assert_msg(s == c->start && e == c->end,
		              "'%s' over %llu: [%llu, %llu), want [%llu, %llu)",
		              c->text, (unsigned long long)c->size,
		              (unsigned long long)s, (unsigned long long)e,
		              (unsigned long long)c->start,
		              (unsigned long long)c->end);
	}
}
END_TEST

/* Ranges built by hand, not by the parser. */
START_TEST(resolve_bytes_by_hand)
{
	uint64_t s, e;
	mapq_range r = { .unit = MAPQ_RANGE_BYTES, .flags = 0,
	                 .start = 40, .end = 50 };
	/* Without HAS_START / HAS_END the magnitudes are ignored. */
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, 100, &s, &e), MAPQ_OK);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(e, 100);

	r.flags = HS | HE | EC;
	r.start = UINT64_MAX;
	r.end = UINT64_MAX;
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, UINT64_MAX, &s, &e),
	                 MAPQ_OK);
	ck_assert_uint_eq(s, UINT64_MAX);
	ck_assert_uint_eq(e, UINT64_MAX);

	r.flags = HS | HE | EC;
	r.start = UINT64_MAX - 1;
	r.end = 5;
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, UINT64_MAX, &s, &e),
	                 MAPQ_OK);
	ck_assert_uint_eq(s, UINT64_MAX - 1);
	ck_assert_uint_eq(e, UINT64_MAX);
}
END_TEST

START_TEST(resolve_bytes_refuses_lines)
{
	mapq_range r;
	ck_assert_int_eq(mapq_range_parse(&r, "1:2", MAPQ_RANGE_LINES, NULL),
	                 MAPQ_OK);
	uint64_t s = 7, e = 9;
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, 100, &s, &e),
	                 MAPQ_EINVAL);
	ck_assert_uint_eq(s, 7);
	ck_assert_uint_eq(e, 9);

	ck_assert_int_eq(mapq_range_parse(&r, "1:2", MAPQ_RANGE_BYTES, NULL),
	                 MAPQ_OK);
	ck_assert_int_eq(mapq_range_resolve_bytes(NULL, 100, &s, &e),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, 100, NULL, &e),
	                 MAPQ_EINVAL);
	ck_assert_int_eq(mapq_range_resolve_bytes(&r, 100, &s, NULL),
	                 MAPQ_EINVAL);
}
END_TEST

/*
 * Adjacent ranges that share their ends, all counted from the same side,
 * tile the data whatever its size: what shard scripts rely on.  Returns
 * how far the tiles reach.
 */
static uint64_t tiled_size(const char *const *shards, size_t n, uint64_t size)
{
	uint64_t covered = 0;
	for (size_t j = 0; j < n; j++) {
		mapq_range r;
		uint64_t s, e;
		ck_assert_int_eq(mapq_range_parse(&r, shards[j],
		                                  MAPQ_RANGE_BYTES, NULL),
		                 MAPQ_OK);
		ck_assert_int_eq(mapq_range_resolve_bytes(&r, size, &s, &e),
		                 MAPQ_OK);
		ck_assert_msg(s == covered || s == e,
		              "'%s' over %llu starts at %llu, not %llu",
		              shards[j], (unsigned long long)size,
		              (unsigned long long)s,
		              (unsigned long long)covered);
		ck_assert_uint_le(s, e);
		ck_assert_uint_le(e, size);
		if (s < e)
			covered = e;
	}
	return covered;
}

START_TEST(resolve_bytes_adjacent)
{
	static const char *const from_front[] = { ":100", "100:250",
	                                          "250:+1K", "1274:" };
	static const char *const from_back[] = { ":-250", "-250:-100",
	                                         "-100:-0", "-0:" };
	static const uint64_t sizes[] = { 0, 1, 99, 100, 101, 249, 250, 251,
	                                  1273, 1274, 1275, 5000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		ck_assert_uint_eq(tiled_size(from_front, 4, sizes[i]), sizes[i]);
		ck_assert_uint_eq(tiled_size(from_back, 4, sizes[i]), sizes[i]);
	}
}
END_TEST

/*
 * mapq_range_resolve() on a file gives for a byte range what
 * mapq_range_resolve_bytes() gives for its size, whether the file is
 * mapped or read with pread(2); a stream has no offsets to resolve.
 */
START_TEST(resolve_file_matches_resolve_bytes)
{
	static const char *const specs[] = {
		":", "10:20", "20:10", "10:", "150:", ":30", ":0", "0", "99",
		"10:+5", "98:+5", ":+500", "-10:", "-101:", "-0:", "-1", "-200",
		"-10:-2", "-2:-10", "-200:-10", ":-10", ":-1000", "10:-10",
		"-10:95", "-10:+3", "-4K:", "1K:+1K", "10:+18446744073709551615",
	};
	static const size_t sizes[] = {0, 1, 5, 15, 99, 100, 101, 1500, 4096,
	                               10000};
	char *data = malloc(10000);
	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < 10000; i++)
		data[i] = i % 13 == 12 ? '\n' : (char)('a' + i % 26);
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		char *path = tu_temp_file(data, sizes[z]);
		for (unsigned flags = 0; flags <= MAPQ_OPEN_NO_MMAP; flags++) {
			mapq_file *f = tu_open(path, flags);
			/* (An empty file is an empty mapped file either way.) */
			ck_assert_int_eq(mapq_file_is_mapped(f),
			                 (sizes[z] == 0 || flags == 0));
			for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
				mapq_range r;
				ck_assert_int_eq(mapq_range_parse(&r, specs[i],
				                                  MAPQ_RANGE_BYTES, NULL),
				                 MAPQ_OK);
				uint64_t ws, we, s = 12345, e = 54321;
				ck_assert_int_eq(mapq_range_resolve_bytes(&r, sizes[z],
				                                          &ws, &we),
				                 MAPQ_OK);
				mapq_error err;
				int rc = mapq_range_resolve(f, &r, MAPQ_RESOLVE_DEFAULT,
				                            &s, &e, &err);
				ck_assert_msg(rc == MAPQ_OK, "'%s': %s", specs[i],
				              err.msg);
				ck_assert_msg(s == ws && e == we,
				              "'%s' over a file of %zu (%s): [%llu, "
				              "%llu), want [%llu, %llu)", specs[i],
				              sizes[z], flags ? "pread" : "mapped",
				              (unsigned long long)s,
				              (unsigned long long)e,
				              (unsigned long long)ws,
				              (unsigned long long)we);
			}
			mapq_file_close(f);
		}
		unlink(path);
		free(path);
	}
	free(data);

	/* A pipe is a stream: MAPQ_ENOTSUP, naming it. */
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "abc\n", 4), 4);
	close(fds[1]);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fds[0]);
	mapq_file *f = tu_open(proc, 0);
	close(fds[0]);
	ck_assert_int_eq(mapq_file_is_stream(f), 1);
	mapq_range r;
	uint64_t s, e;
	mapq_error err;
	ck_assert_int_eq(mapq_range_parse(&r, "1:2", MAPQ_RANGE_BYTES, NULL), 0);
	ck_assert_int_eq(mapq_range_resolve(f, &r, 0, &s, &e, &err), MAPQ_ENOTSUP);
	ck_assert_int_eq(err.code, MAPQ_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err.msg, proc));
	mapq_file_close(f);

	/* No file, no range: MAPQ_EINVAL. */
	ck_assert_int_eq(mapq_range_resolve(NULL, &r, 0, &s, &e, NULL), MAPQ_EINVAL);
}
END_TEST

static Suite *range_suite(void)
{
	Suite *s = suite_create("range");

	TCase *parse = tcase_create("parse");
	tcase_add_test(parse, parse_forms_bytes);
	tcase_add_test(parse, parse_forms_lines);
	tcase_add_test(parse, parse_zero_bytes);
	tcase_add_test(parse, parse_suffixes);
	suite_add_tcase(s, parse);

	TCase *refuse = tcase_create("refuse");
	tcase_add_test(refuse, refuse_malformed_both);
	tcase_add_test(refuse, refuse_malformed_bytes);
	tcase_add_test(refuse, refuse_malformed_lines);
	tcase_add_test(refuse, refuse_overflow);
	tcase_add_test(refuse, refuse_bad_arguments);
	tcase_add_test(refuse, message_long_text);
	tcase_add_test(refuse, message_exact_text);
	suite_add_tcase(s, refuse);

	TCase *resolve = tcase_create("resolve_bytes");
	tcase_add_test(resolve, resolve_bytes_cases);
	tcase_add_test(resolve, resolve_bytes_by_hand);
	tcase_add_test(resolve, resolve_bytes_refuses_lines);
	tcase_add_test(resolve, resolve_bytes_adjacent);
	tcase_add_test(resolve, resolve_file_matches_resolve_bytes);
	suite_add_tcase(s, resolve);

	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(range_suite());
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
