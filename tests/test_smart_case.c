/* test_smart_case.c - mapq_patterns_smart_caseless(): ripgrep's -P -S rule,
 * upper-case characters outside escapes keep the case. */
#include <check.h>
#include <string.h>

#include "mapq.h"

static int caseless(const char *pattern, unsigned flags)
{
	mapq_pattern p = {pattern, strlen(pattern)};
	return mapq_patterns_smart_caseless(&p, 1, flags);
}

START_TEST(lower_case_patterns_ignore_case)
{
	ck_assert_int_eq(caseless("foo", 0), 1);
	ck_assert_int_eq(caseless("foo\\w+ \\d", 0), 1);
	ck_assert_int_eq(caseless("", 0), 1);
	ck_assert_int_eq(caseless("[a-z]+_1", 0), 1);
	ck_assert_int_eq(caseless("caf\xc3\xa9", 0), 1);      /* é */
	ck_assert_int_eq(caseless("\xff\xfe", 0), 1);         /* not UTF-8 */
}
END_TEST

START_TEST(an_upper_case_character_keeps_case)
{
	ck_assert_int_eq(caseless("Foo", 0), 0);
	ck_assert_int_eq(caseless("fo[A-Z]", 0), 0);
	ck_assert_int_eq(caseless("\xc3\x89" "cole", 0), 0);  /* É */
	ck_assert_int_eq(caseless("\xe2\x85\xa3", 0), 0);     /* Ⅳ, Other_Uppercase */
	ck_assert_int_eq(caseless("(?<Name>x)", 0), 0);       /* no parse: counts */
}
END_TEST

START_TEST(the_character_after_a_backslash_does_not_count)
{
	ck_assert_int_eq(caseless("foo\\S", 0), 1);
	ck_assert_int_eq(caseless("\\W\\D\\B\\A\\Z\\Q", 0), 1);
	ck_assert_int_eq(caseless("\\x41", 0), 1);
	ck_assert_int_eq(caseless("\\\xc3\x89", 0), 1);       /* \É: one character */
	ck_assert_int_eq(caseless("\\\\S", 0), 0);            /* \\ then S */
	ck_assert_int_eq(caseless("x\\p{Lu}", 0), 0);         /* the L counts */
	ck_assert_int_eq(caseless("trailing\\", 0), 1);
}
END_TEST

START_TEST(fixed_strings_count_every_character)
{
	ck_assert_int_eq(caseless("foo\\S", MAPQ_MATCH_FIXED), 0);
	ck_assert_int_eq(caseless("foo\\s", MAPQ_MATCH_FIXED), 1);
}
END_TEST

START_TEST(any_pattern_of_several_decides)
{
	mapq_pattern p[] = {{"foo", 3}, {"bar", 3}, {"Baz", 3}};
	ck_assert_int_eq(mapq_patterns_smart_caseless(p, 2, 0), 1);
	ck_assert_int_eq(mapq_patterns_smart_caseless(p, 3, 0), 0);
	ck_assert_int_eq(mapq_patterns_smart_caseless(p, 0, 0), 1);
	/* A pattern's length is its own: "Baz" cut to "" has no capital. */
	mapq_pattern cut = {"Baz", 0};
	ck_assert_int_eq(mapq_patterns_smart_caseless(&cut, 1, 0), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smart_case");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, lower_case_patterns_ignore_case);
	tcase_add_test(tc, an_upper_case_character_keeps_case);
	tcase_add_test(tc, the_character_after_a_backslash_does_not_count);
	tcase_add_test(tc, fixed_strings_count_every_character);
	tcase_add_test(tc, any_pattern_of_several_decides);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
