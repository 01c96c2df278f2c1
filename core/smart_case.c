/*
 * smart_case.c - ripgrep's --smart-case decision for a set of patterns.
 *
 * The rule is the one `rg -P -S` (ripgrep's PCRE2 engine) applies: ignore
 * case unless a pattern has an upper-case character, not counting the
 * character that follows a backslash.  It looks at the text, not at a
 * parse of it, so it is easy to predict: `\S`, `\W`, `\D` or `\x41` leave
 * the case ignored, while the `L` of `\p{Lu}` counts.  "Upper-case" is
 * Unicode's Uppercase property (PCRE2's \p{Uppercase}), the one Rust's
 * char::is_uppercase() tests.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/* Bytes in the UTF-8 sequence that starts with b (1 for a stray byte). */
static size_t utf8_length(unsigned char b)
{
	return b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
}

int mapq_patterns_smart_caseless(const mapq_pattern *patterns, size_t n,
                                 unsigned flags)
{
	int code;
	PCRE2_SIZE at;
	pcre2_code *upper = pcre2_compile((PCRE2_SPTR) "\\p{Uppercase}",
	                                  PCRE2_ZERO_TERMINATED,
	                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
	                                  &at, NULL);
	pcre2_match_data *md =
	        upper != NULL ? pcre2_match_data_create_from_pattern(upper, NULL) : NULL;
	int rc = md != NULL ? 1 : MAPQ_ENOMEM;
	for (size_t i = 0; i < n && rc == 1; i++) {
		const unsigned char *p = (const unsigned char *)patterns[i].text;
		size_t len = patterns[i].len;
		unsigned char *kept = malloc(len + 1);
		if (kept == NULL) {
			rc = MAPQ_ENOMEM;
			break;
		}
		/* What counts: every character of a fixed string; in a
		 * regular expression, all but backslashes and the character
		 * after each. */
		size_t k = 0;
		for (size_t j = 0; j < len;) {
			if (p[j] == '\\' && !(flags & MAPQ_MATCH_FIXED)) {
				j++;
				if (j < len) {
					size_t skip = utf8_length(p[j]);
					j += skip < len - j ? skip : len - j;
				}
			} else {
				kept[k++] = p[j++];
			}
		}
		int m = pcre2_match(upper, kept, k, 0, 0, md, NULL);
		free(kept);
		if (m >= 0)
			rc = 0;
		else if (m != PCRE2_ERROR_NOMATCH)
			rc = MAPQ_ENOMEM; /* only a resource can fail here */
	}
	pcre2_match_data_free(md);
	pcre2_code_free(upper);
	return rc;
}
