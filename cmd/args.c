/* args.c - parsing option arguments shared by several commands. */
#include <stdint.h>
#include <stdio.h>
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

int cli_threads_option(const char *cmd, const char *text, unsigned max,
                       unsigned *threads)
{
	if (cli_parse_threads(text, max, threads) == 0)
		return 0;
	return cli_usage_error(cmd,
	                       "invalid thread count '%s': expected a number "
	                       "from 0 to %u",
	                       text, max);
}

int cli_range_option(const char *cmd, const char *text, mapq_range_unit unit,
                     mapq_range *range)
{
	mapq_error err;
	if (mapq_range_parse(range, text, unit, &err) == MAPQ_OK)
		return 0;
	return cli_usage_error(cmd, "%s", err.msg);
}

int cli_print_version(void)
{
	printf("mapq %s\n", mapq_version());
	return cli_finish_stdio();
}

const char *cli_format_size(uint64_t bytes, char buf[CLI_SIZE_LEN])
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB",
	                                    "EiB"};
	if (bytes < 1024) {
		snprintf(buf, CLI_SIZE_LEN, "%u B", (unsigned)bytes);
		return buf;
	}
	/* The largest unit that leaves at least 1 before rounding; rounding
	 * to one decimal may reach 1024.0, which the next unit shows as 1.0. */
	unsigned u = 0;
	double scaled = (double)bytes / 1024.0;
	while (u + 1 < sizeof units / sizeof units[0] && scaled >= 1024.0) {
		scaled /= 1024.0;
		u++;
	}
	snprintf(buf, CLI_SIZE_LEN, "%.1f %s", scaled, units[u]);
	if (strncmp(buf, "1024.0", 6) == 0 && u + 1 < sizeof units / sizeof units[0])
		snprintf(buf, CLI_SIZE_LEN, "%.1f %s", scaled / 1024.0, units[u + 1]);
	return buf;
}
