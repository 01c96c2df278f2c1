/* args.c - parsing option arguments shared by several commands. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

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

unsigned cli_online_cpus(unsigned max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1; /* unknown: one thread still works */
	return (unsigned long)n < max ? (unsigned)n : max;
}

int cli_parse_threads(const char *text, unsigned max, unsigned *threads)
{
	uint64_t v;
	if (text[0] != '\0' && text[strspn(text, "0")] == '\0') {
		*threads = cli_online_cpus(max);
		return 0;
	}
	/* Digits only: strtoul would take "-1" as ULONG_MAX and " 2" as 2. */
	if (cli_parse_positive(text, &v) != 0 || v > max)
		return -1;
	*threads = (unsigned)v;
	return 0;
}
