/* args.c - parsing option arguments shared by several commands. */
#include <stdint.h>

#include "cli.h"

int cli_parse_positive(const char *text, uint64_t *n)
{
	uint64_t v = 0;
	if (*text == '\0')
		return -1;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v == 0)
		return -1;
	*n = v;
	return 0;
}
