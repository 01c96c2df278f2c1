/* main.c - `mapq COMMAND ...`: dispatch to a subcommand. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	cli_command_fn run;
	const char *summary;
};

static const struct command commands[] = {
	{.name = "grep", .run = cmd_grep,
	 .summary = "search files for PCRE2 patterns, as grep -P"},
	{.name = "range", .run = cmd_range,
	 .summary = "print a key window of a sorted file (binary search)"},
	{.name = "slice", .run = cmd_slice,
	 .summary = "print byte or line ranges of files"},
	{.name = "split", .run = cmd_split,
	 .summary = "cut a file into line-aligned byte ranges for workers"},
	{.name = "stats", .run = cmd_stats,
	 .summary = "count bytes, lines, invalid UTF-8; entropy, histogram"},
	{.name = "compress", .run = cmd_compress,
	 .summary = "write the zstd seekable format"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static int print_help(void)
{
	printf("Usage: mapq COMMAND [OPTIONS] [ARGS]...\n"
	       "Query files too big to read: memory-mapped search, slices and statistics.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions:\n"
	       "  -h, --help     show this help and exit\n"
	       "  -V, --version  show the version and exit\n\n"
	       "Run 'mapq COMMAND --help' for a command's options; "
	       "every command also takes --help and --version.  See mapq(1).\n");
	return cli_finish_stdio();
}

int main(int argc, char **argv)
{
	/* Writes to a closed pipe must come back as EPIPE, so that output
	 * can end quietly instead of by signal. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2)
		return cli_usage_error(NULL, "missing command");
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return print_help();
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		return cli_print_version();
	if (name[0] == '-')
		return cli_usage_error(NULL, "unrecognized option '%s'", name);
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return cli_usage_error(NULL, "unknown command '%s'", name);
}
