/* grep.c - `mapq grep`: options, patterns and the files to search. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grep.h"

static const char grep_usage[] =
        "Usage: mapq grep [OPTIONS] PATTERN [FILE...]\n"
        "       mapq grep [OPTIONS] -e PATTERN... [FILE...]\n"
        "       mapq grep [OPTIONS] -f FILE... [FILE...]\n"
        "Print the lines of each FILE that match a PCRE2 PATTERN, as grep -P.\n"
        "With no FILE, read standard input ('.' with -r).\n"
        "\n"
        "Patterns:\n"
        "  -e, --regexp=PATTERN      a pattern (repeatable: any may match)\n"
        "  -f, --file=FILE           patterns from FILE, one per line\n"
        "  -F, --fixed-strings       patterns are literal strings\n"
        "  -P, --perl-regexp         PCRE2 syntax (always; accepted for grep)\n"
        "  -E, --extended-regexp     accepted for grep: still PCRE2 syntax\n"
        "  -G, --basic-regexp        accepted for grep: still PCRE2 syntax\n"
        "  -i, --ignore-case         ignore case\n"
        "  -S, --smart-case          ignore case unless a pattern has an\n"
        "                            upper-case letter (as rg -P -S)\n"
        "  -w, --word-regexp         match whole words only\n"
        "  -x, --line-regexp         match whole lines only\n"
        "  -v, --invert-match        select the lines that do not match\n"
        "Output:\n"
        "  -c, --count               print the number of selected lines per file\n"
        "  -l, --files-with-matches  print the names of files with a selected line\n"
        "  -L, --files-without-match print the names of files without one\n"
        "  -o, --only-matching       print each match on its own line\n"
        "  -q, --quiet, --silent     print nothing; exit 0 at the first selected line\n"
        "  -s, --no-messages         do not report unreadable files\n"
        "  -n, --line-number         prefix lines with their line number\n"
        "  -b, --byte-offset         prefix lines with their byte offset\n"
        "  -H, --with-filename       prefix lines with the file name\n"
        "  -h, --no-filename         never prefix the file name\n"
        "  -m, --max-count=NUM       stop after NUM selected lines per file\n"
        "                            (a negative NUM: no limit)\n"
        "  -A, --after-context=NUM   print NUM lines after each selected line\n"
        "  -B, --before-context=NUM  print NUM lines before each selected line\n"
        "  -C, --context=NUM         print NUM lines before and after\n"
        "  -NUM                      same as --context=NUM\n"
        "      --group-separator=SEP print SEP between context groups ('--')\n"
        "      --no-group-separator  print nothing between context groups\n"
        "      --color[=WHEN], --colour[=WHEN]\n"
        "                            highlight: never, always or auto\n"
        "      --label=NAME          the name of standard input in output\n"
        "  -T, --initial-tab         a tab between the prefixes and the line;\n"
        "                            numbers padded to one width per file\n"
        "  -Z, --null                print a NUL byte after file names\n"
        "      --json                print ripgrep's JSON Lines format\n"
        "      --stats               print search statistics on stderr\n"
        "      --line-buffered       flush output after every line (the default\n"
        "                            on a terminal)\n"
        "Input:\n"
        "  -z, --null-data           lines end with a NUL byte, not a newline\n"
        "                            (in input and output)\n"
        "  -a, --text                search binary files as text\n"
        "  -I                        skip binary files\n"
        "      --binary-files=TYPE   binary (the default), text (-a) or\n"
        "                            without-match (-I)\n"
        "  -r, --recursive           search directories recursively\n"
        "  -R, --dereference-recursive\n"
        "                            the same, following every symbolic link\n"
        "      --include=GLOB        search only files whose name matches GLOB\n"
        "      --exclude=GLOB        skip files whose name matches GLOB\n"
        "      --exclude-dir=GLOB    skip directories whose name matches GLOB\n"
        "      --bytes=RANGE         search the lines that start in this byte range\n"
        "      --lines=RANGE         search only these lines\n"
        "      --no-decompress       search zstd-compressed input as the raw\n"
        "                            bytes it is (default: decompressed)\n"
        "  -j, --threads=N           use N threads (default, and 0: the online\n"
        "                            CPUs): a file in pieces, or N files at once;\n"
        "                            output is the same for any N\n"
        "      --progress            show progress on standard error (bytes,\n"
        "                            rate, time left), in every mode and even\n"
        "                            when it is not a terminal\n"
        "      --no-progress         never show it (by default: on a terminal,\n"
        "                            after a second, with -c, -l, -L or -q)\n"
        "      --help                show this help and exit\n"
        "  -V, --version             show the version and exit\n"
        "\n"
        "Exit status: 0 a line was selected, 1 none, 2 an error.\n"
        "See mapq-grep(1).\n";


enum {
	OPT_COLOR = 256,
	OPT_LABEL,
	OPT_BYTES,
	OPT_LINES,
	OPT_JSON,
	OPT_STATS,
	OPT_NO_DECOMPRESS,
	OPT_LINE_BUFFERED,
	OPT_HELP,
	OPT_GROUP_SEPARATOR,
	OPT_NO_GROUP_SEPARATOR,
	OPT_BINARY_FILES,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_EXCLUDE_DIR,
	OPT_PROGRESS,
	OPT_NO_PROGRESS
};

static const struct option grep_options[] = {
	{"regexp", required_argument, NULL, 'e'},
	{"file", required_argument, NULL, 'f'},
	{"fixed-strings", no_argument, NULL, 'F'},
	{"perl-regexp", no_argument, NULL, 'P'},
	{"ignore-case", no_argument, NULL, 'i'},
	{"word-regexp", no_argument, NULL, 'w'},
	{"line-regexp", no_argument, NULL, 'x'},
	{"invert-match", no_argument, NULL, 'v'},
	{"count", no_argument, NULL, 'c'},
	{"files-with-matches", no_argument, NULL, 'l'},
	{"files-without-match", no_argument, NULL, 'L'},
	{"only-matching", no_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"silent", no_argument, NULL, 'q'},
	{"no-messages", no_argument, NULL, 's'},
	{"line-number", no_argument, NULL, 'n'},
	{"byte-offset", no_argument, NULL, 'b'},
	{"with-filename", no_argument, NULL, 'H'},
	{"no-filename", no_argument, NULL, 'h'},
	{"max-count", required_argument, NULL, 'm'},
	{"after-context", required_argument, NULL, 'A'},
	{"before-context", required_argument, NULL, 'B'},
	{"context", required_argument, NULL, 'C'},
	{"color", optional_argument, NULL, OPT_COLOR},
	{"colour", optional_argument, NULL, OPT_COLOR},
	{"label", required_argument, NULL, OPT_LABEL},
	{"text", no_argument, NULL, 'a'},
	{"recursive", no_argument, NULL, 'r'},
	{"null", no_argument, NULL, 'Z'},
	{"null-data", no_argument, NULL, 'z'},
	{"bytes", required_argument, NULL, OPT_BYTES},
	{"lines", required_argument, NULL, OPT_LINES},
	{"json", no_argument, NULL, OPT_JSON},
	{"stats", no_argument, NULL, OPT_STATS},
	{"no-decompress", no_argument, NULL, OPT_NO_DECOMPRESS},
	{"line-buffered", no_argument, NULL, OPT_LINE_BUFFERED},
	{"threads", required_argument, NULL, 'j'},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, 'V'},
	{"extended-regexp", no_argument, NULL, 'E'},
	{"basic-regexp", no_argument, NULL, 'G'},
	{"initial-tab", no_argument, NULL, 'T'},
	{"group-separator", required_argument, NULL, OPT_GROUP_SEPARATOR},
	{"no-group-separator", no_argument, NULL, OPT_NO_GROUP_SEPARATOR},
	{"binary-files", required_argument, NULL, OPT_BINARY_FILES},
	{"dereference-recursive", no_argument, NULL, 'R'},
	{"smart-case", no_argument, NULL, 'S'},
	{"include", required_argument, NULL, OPT_INCLUDE},
	{"exclude", required_argument, NULL, OPT_EXCLUDE},
	{"exclude-dir", required_argument, NULL, OPT_EXCLUDE_DIR},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{NULL, 0, NULL, 0},
};

/* Patterns are kept as copies; a text with newlines is several patterns. */
struct pattern_list {
	mapq_pattern *items;
	size_t n, cap;
};

static int add_pattern(struct pattern_list *pl, const char *text, size_t len)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 8;
		mapq_pattern *p = realloc(pl->items, cap * sizeof *p);
		if (p == NULL)
			return -1;
		pl->items = p;
		pl->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pl->items[pl->n].text = copy;
	pl->items[pl->n].len = len;
	pl->n++;
	return 0;
}

/* Split at newlines, as grep does; `final_newline_ends` drops the empty
 * piece after a trailing newline (a pattern file's last line). */
static int add_patterns(struct pattern_list *pl, const char *text, size_t len,
                        int final_newline_ends)
{
	const char *p = text, *end = text + len;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return final_newline_ends && p == end ? 0
			                                       : add_pattern(pl, p, (size_t)(end - p));
		if (add_pattern(pl, p, (size_t)(nl - p)) != 0)
			return -1;
		p = nl + 1;
	}
}

/* Read all of a pattern file (or stream) into memory, then split it. */
static int read_pattern_file(struct pattern_list *pl, const char *path)
{
	mapq_file *f = NULL;
	mapq_scan *scan = NULL;
	mapq_error err;
	mapq_view w;
	char *text = NULL;
	size_t len = 0;
	int rc = mapq_file_open(&f, path, NULL, MAPQ_OPEN_NO_MMAP, &err);
	if (rc == MAPQ_OK)
		rc = mapq_scan_create(&scan, f, NULL, 0, MAPQ_SCAN_DEFAULT, &err);
	while (rc == MAPQ_OK && (rc = mapq_scan_next(scan, &w, &err)) > 0) {
		char *more = realloc(text, len + (size_t)w.size);
		if (more == NULL) {
			rc = MAPQ_ENOMEM;
			snprintf(err.msg, sizeof err.msg, "%s: out of memory", path);
			break;
		}
		text = more;
		memcpy(text + len, w.data, (size_t)w.size);
		len += (size_t)w.size;
		rc = MAPQ_OK;
	}
	mapq_scan_destroy(scan);
	mapq_file_close(f);
	if (rc < 0) {
		cli_error("%s", err.msg);
		free(text);
		return -1;
	}
	rc = len > 0 ? add_patterns(pl, text, len, 1) : 0;
	free(text);
	if (rc != 0)
		cli_error("out of memory");
	return rc;
}

/*
 * A count for -m/-A/-B/-C/-NUM, written as GNU grep reads it (strtoimax):
 * blanks, a sign, decimal digits and nothing after them.  A value too
 * large for 64 bits becomes UINT64_MAX, which the search takes for "no
 * limit".  *negative says it was below zero ("-0" is zero).
 */
static int parse_count(const char *s, uint64_t *out, int *negative)
{
	while (*s != '\0' && strchr(" \t\n\v\f\r", *s) != NULL)
		s++;
	int minus = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return -1;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*out = v;
	*negative = minus && v > 0;
	return 0;
}

static int color_wanted(const char *when, int *color)
{
	if (when == NULL || strcmp(when, "always") == 0 ||
	    strcmp(when, "yes") == 0 || strcmp(when, "force") == 0) {
		*color = when == NULL ? -1 : 1;
	} else if (strcmp(when, "never") == 0 || strcmp(when, "no") == 0 ||
	           strcmp(when, "none") == 0) {
		*color = 0;
	} else if (strcmp(when, "auto") == 0 || strcmp(when, "tty") == 0 ||
	           strcmp(when, "if-tty") == 0) {
		*color = -1;
	} else {
		return -1;
	}
	return 0;
}

/* Join a directory path and an entry name. */
static char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	int slash = a > 0 && dir[a - 1] != '/';
	char *p = malloc(a + (size_t)slash + b + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, a);
	if (slash)
		p[a] = '/';
	memcpy(p + a + (size_t)slash, name, b + 1);
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- --include, --exclude, --exclude-dir ----------------------------- */

static int add_glob(struct grep_glob **list, size_t *n, const char *text,
                    int include, int is_dir)
{
	struct grep_glob *grown = realloc(*list, (*n + 1) * sizeof **list);
	if (grown == NULL)
		return -1;
	*list = grown;
	char *glob = strdup(text);
	if (glob == NULL)
		return -1;
	/* GNU grep strips an --exclude-dir glob's trailing slashes. */
	for (size_t len = strlen(glob); is_dir && len > 1 && glob[len - 1] == '/';)
		glob[--len] = '\0';
	/* Whether it has a wildcard, as GNU's exclude module decides: a
	 * backslash quotes the next character. */
	int wildcard = 0;
	for (const char *p = glob; *p && !wildcard; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else
			wildcard = strchr("?*[]", *p) != NULL;
	}
	(*list)[*n].glob = glob;
	(*list)[*n].include = include;
	(*list)[*n].wildcard = wildcard;
	(*n)++;
	return 0;
}

/*
 * Whether glob g matches a name.  A name met in the walk is a base name,
 * matched whole.  A command-line name also matches when a suffix does that
 * starts after a slash ("a.c" matches "src/a.c"): as in GNU grep, for a
 * glob with wildcards the suffix may not start with another slash, for a
 * plain name it may.  fnmatch() runs without FNM_PATHNAME or FNM_PERIOD, so
 * '*' matches slashes and leading dots.
 */
static int glob_matches(const struct grep_glob *g, const char *name,
                        int command_line)
{
	if (fnmatch(g->glob, name, 0) == 0)
		return 1;
	for (const char *p = name; command_line && *p; p++)
		if (*p == '/' && (p[1] != '/' || !g->wildcard) &&
		    fnmatch(g->glob, p + 1, 0) == 0)
			return 1;
	return 0;
}

/*
 * Whether a file (not a directory) is skipped by --include and --exclude:
 * the last glob that matches decides; when none does, the file is
 * skipped if the first one is an --include.
 */
static int file_excluded(const struct grep_opts *o, const char *name,
                         int command_line)
{
	for (size_t i = o->n_globs; i-- > 0;)
		if (glob_matches(&o->globs[i], name, command_line))
			return !o->globs[i].include;
	return o->n_globs > 0 && o->globs[0].include;
}

static int dir_excluded(const struct grep_opts *o, const char *name,
                        int command_line)
{
	for (size_t i = 0; i < o->n_exclude_dirs; i++)
		if (glob_matches(&o->exclude_dirs[i], name, command_line))
			return 1;
	return 0;
}

static void free_globs(struct grep_glob *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].glob);
	free(list);
}

/* A directory being walked, and those above it, for -R's loop check. */
struct walk_dir {
	dev_t dev;
	ino_t ino;
	const struct walk_dir *up;
};

static int walk_has(const struct walk_dir *d, const struct stat *st)
{
	for (; d != NULL; d = d->up)
		if (d->dev == st->st_dev && d->ino == st->st_ino)
			return 1;
	return 0;
}

/*
 * Walk a directory for -r: regular files are searched, subdirectories
 * entered, symbolic links and special files met on the way skipped (as
 * GNU grep -r).  With -R, symbolic links are followed, and a link to a
 * directory that is being walked (a loop) is reported and skipped, as GNU
 * grep -R does; special files are still skipped.  --include, --exclude and
 * --exclude-dir are matched against entry names.  Entries are taken in name
 * order, so output is stable.  `shown` is the prefix printed for names ("" for
 * the implicit "."); `self` is dir's identity, linked to its parents'.
 */
static int walk(struct grep_run *run, const char *dir, const char *shown,
                const struct walk_dir *self)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		grep_walk_message(run, 1, "%s: %s", *shown ? shown : dir,
		                  strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **grown = realloc(names, cap * sizeof *names);
			if (grown == NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && !grep_stopped(run); i++) {
		const struct grep_opts *o = run->o;
		/* Under the implicit ".", open "name", not "./name", so that
		 * messages name it as grep does ("-" would be standard input). */
		char *full = *shown || strcmp(names[i], "-") == 0 ? path_join(dir, names[i])
		                                                  : strdup(names[i]);
		char *label = *shown ? path_join(shown, names[i]) : strdup(names[i]);
		struct stat st;
		if (full == NULL || label == NULL) {
			/* out of memory: the entry is lost, not the walk */
		} else if ((o->dereference ? stat(full, &st) : lstat(full, &st)) != 0) {
			/* A dangling link under -R: grep -R reports it. */
			if (o->dereference && !file_excluded(o, names[i], 0))
				grep_submit(run, full, label, 0, UINT64_MAX);
		} else if (S_ISDIR(st.st_mode)) {
			if (dir_excluded(o, names[i], 0)) {
				/* skipped */
			} else if (walk_has(self, &st)) {
				grep_walk_message(run, 0,
				                  "%s: warning: recursive directory loop",
				                  label);
			} else {
				struct walk_dir sub = {st.st_dev, st.st_ino, self};
				walk(run, full, label, &sub);
			}
		} else if (S_ISREG(st.st_mode) && !file_excluded(o, names[i], 0)) {
			grep_submit(run, full, label, 0, (uint64_t)st.st_size);
		}
		free(full);
		free(label);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

/* Search one operand: a file, standard input, or (with -r) a directory. */
static void search_operand(struct grep_run *run, const char *arg, int implicit)
{
	const struct grep_opts *o = run->o;
	if (strcmp(arg, "-") == 0) {
		grep_submit(run, "-", o->label != NULL ? o->label : "(standard input)",
		            1, UINT64_MAX);
		return;
	}
	struct stat st;
	if (stat(arg, &st) != 0) {
		grep_submit(run, arg, arg, 0, UINT64_MAX); /* reports the error */
		return;
	}
	/* As GNU grep, the globs apply to operands too (but never to the
	 * implicit "."), matched against the name and its suffixes; a file
	 * that cannot be read is still reported. */
	if (S_ISDIR(st.st_mode) ? !implicit && dir_excluded(o, arg, 1)
	                        : file_excluded(o, arg, 1) && access(arg, R_OK) == 0)
		return;
	if (o->recursive && S_ISDIR(st.st_mode)) {
		struct walk_dir top = {st.st_dev, st.st_ino, NULL};
		walk(run, arg, implicit ? "" : arg, &top);
		return;
	}
	/* A FIFO or a device is read in its turn, as one file at a time
	 * would read it (a FIFO named twice, a writer waiting for output). */
	grep_submit(run, arg, arg, !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode),
	            S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX);
}

int cmd_grep(int argc, char **argv)
{
	struct grep_opts o;
	memset(&o, 0, sizeof o);
	o.with_filename = -1;
	o.max_count = UINT64_MAX;
	struct pattern_list pl = {NULL, 0, 0};
	int have_pattern_option = 0;
	int color = 0;
	uint64_t after = 0, before = 0, context = 0;
	int after_given = 0, before_given = 0, context_given = 0;
	/* -NUM: the digits of one argument add up (-12); another starts over. */
	char num[24];
	size_t num_len = 0;
	int num_open = 0;
	int syntax = 0; /* the first of -E, -F, -G, -P given */
	int smart_case = 0; /* -S, unless a later -i */
	enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
	int before_optind;
	int status = EXIT_TROUBLE;
	mapq_matcher *matcher = NULL;
	struct grep_run run;
	memset(&run, 0, sizeof run);
	mapq_error err;
	int c;

	opterr = 0;
	while (before_optind = optind,
	       (c = getopt_long(argc, argv,
	                        ":e:f:EFGPiSwxvclLoqsnbHhm:A:B:C:aIrRTZzj:V0123456789",
	                        grep_options, NULL)) != -1) {
		if (c >= '0' && c <= '9') {
			/* As GNU grep: leading zeros are dropped, and more than
			 * 21 digits are refused. */
			if (!num_open || (num_len == 1 && num[0] == '0'))
				num_len = 0;
			if (num_len == 21) {
				status = cli_usage_error(
				        "grep", "invalid context length argument '%.21s...'",
				        num);
				goto done;
			}
			num[num_len++] = (char)c;
			num[num_len] = '\0';
			int negative;
			(void)parse_count(num, &context, &negative);
			context_given = 1;
			/* The next digit continues this number only if it is
			 * in the same argument. */
			num_open = optind == before_optind;
			continue;
		}
		num_open = 0;
		switch (c) {
		case 'e':
			have_pattern_option = 1;
			if (add_patterns(&pl, optarg, strlen(optarg), 0) != 0) {
				cli_error("out of memory");
				goto done;
			}
			break;
		case 'f':
			have_pattern_option = 1;
			if (read_pattern_file(&pl, optarg) != 0)
				goto done;
			break;
		case 'E':
		case 'F':
		case 'G':
		case 'P':
			/* GNU grep refuses two different ones; the syntax is
			 * PCRE2's whatever the letter, but -F is literal. */
			if (syntax != 0 && syntax != c) {
				status = cli_usage_error("grep",
				                         "conflicting matchers specified");
				goto done;
			}
			syntax = c;
			if (c == 'F')
				o.match_flags |= MAPQ_MATCH_FIXED;
			break;
		/* Of -i and -S, the last wins, as in ripgrep. */
		case 'i': o.match_flags |= MAPQ_MATCH_CASELESS, smart_case = 0; break;
		case 'S': o.match_flags &= ~MAPQ_MATCH_CASELESS, smart_case = 1; break;
		case 'w': o.match_flags |= MAPQ_MATCH_WORD; break;
		case 'x': o.match_flags |= MAPQ_MATCH_LINE; break;
		case 'v': o.invert = 1; break;
		case 'c': o.count = 1; break;
		case 'l': o.list_matching = 1; o.list_nonmatching = 0; break;
		case 'L': o.list_nonmatching = 1; o.list_matching = 0; break;
		case 'o': o.only_matching = 1; break;
		case 'q': o.quiet = 1; break;
		case 's': o.no_messages = 1; break;
		case 'n': o.line_number = 1; break;
		case 'b': o.byte_offset = 1; break;
		case 'H': o.with_filename = 1; break;
		case 'h': o.with_filename = 0; break;
		case 'a': o.text = 1, o.binary_without_match = 0; break;
		case 'I': o.text = 0, o.binary_without_match = 1; break;
		case OPT_BINARY_FILES:
			/* The last of -a, -I and --binary-files wins. */
			o.text = strcmp(optarg, "text") == 0;
			o.binary_without_match = strcmp(optarg, "without-match") == 0;
			if (!o.text && !o.binary_without_match &&
			    strcmp(optarg, "binary") != 0) {
				status = cli_usage_error(
				        "grep", "unknown binary-files type '%s'", optarg);
				goto done;
			}
			break;
		case 'r': o.recursive = 1; break; /* -R wins, in any order */
		case 'R': o.recursive = 1, o.dereference = 1; break;
		case OPT_INCLUDE:
		case OPT_EXCLUDE:
			if (add_glob(&o.globs, &o.n_globs, optarg, c == OPT_INCLUDE, 0) != 0) {
				cli_error("out of memory");
				goto done;
			}
			break;
		case OPT_EXCLUDE_DIR:
			if (add_glob(&o.exclude_dirs, &o.n_exclude_dirs, optarg, 0, 1) != 0) {
				cli_error("out of memory");
				goto done;
			}
			break;
		case 'Z': o.null_after_name = 1; break;
		case 'z': o.null_data = 1; break;
		case 'T': o.initial_tab = 1; break;
		case OPT_GROUP_SEPARATOR:
			o.group_separator = optarg;
			o.no_group_separator = 0;
			break;
		case OPT_NO_GROUP_SEPARATOR: o.no_group_separator = 1; break;
		case 'm': {
			int negative;
			if (parse_count(optarg, &o.max_count, &negative) != 0) {
				status = cli_usage_error("grep", "invalid max count '%s'",
				                         optarg);
				goto done;
			}
			if (negative) /* GNU grep 3.8: no limit */
				o.max_count = UINT64_MAX;
			break;
		}
		case 'A':
		case 'B':
		case 'C': {
			uint64_t v;
			int negative;
			if (parse_count(optarg, &v, &negative) != 0 || negative) {
				status = cli_usage_error(
				        "grep", "invalid context length argument '%s'",
				        optarg);
				goto done;
			}
			if (c == 'A')
				after = v, after_given = 1;
			else if (c == 'B')
				before = v, before_given = 1;
			else
				context = v, context_given = 1;
			break;
		}
		case OPT_COLOR:
			if (color_wanted(optarg, &color) != 0) {
				status = cli_usage_error("grep",
				                         "invalid argument '%s' for '--color'",
				                         optarg);
				goto done;
			}
			break;
		case OPT_LABEL: o.label = optarg; break;
		case OPT_BYTES:
		case OPT_LINES:
			if (cli_range_option("grep", optarg,
			                     c == OPT_BYTES ? MAPQ_RANGE_BYTES
			                                    : MAPQ_RANGE_LINES,
			                     &o.range) != 0)
				goto done;
			o.has_range = 1;
			break;
		case 'j':
			if (cli_threads_option("grep", optarg, CLI_THREADS_MAX,
			                       &o.threads) != 0)
				goto done;
			break;
		case OPT_JSON: o.json = 1; break;
		case OPT_STATS: o.stats = 1; break;
		case OPT_NO_DECOMPRESS: o.no_decompress = 1; break;
		case OPT_LINE_BUFFERED: o.line_buffered = 1; break;
		case OPT_PROGRESS: progress = CLI_PROGRESS_ALWAYS; break;
		case OPT_NO_PROGRESS: progress = CLI_PROGRESS_NEVER; break;
		case OPT_HELP:
			fputs(grep_usage, stdout);
			status = cli_finish_stdio();
			goto done;
		case 'V':
			status = cli_print_version();
			goto done;
		default:
			status = cli_bad_option("grep", argv, c);
			goto done;
		}
	}
	if (!have_pattern_option) {
		if (optind >= argc) {
			status = cli_usage_error("grep", "no pattern given");
			goto done;
		}
		const char *p = argv[optind++];
		if (add_patterns(&pl, p, strlen(p), 0) != 0) {
			cli_error("out of memory");
			goto done;
		}
	}
	/* Line ranges count newlines; records end with NUL (mapq-grep(1)). */
	if (o.null_data && o.has_range && o.range.unit == MAPQ_RANGE_LINES) {
		status = cli_usage_error("grep", "--lines cannot be used with -z");
		goto done;
	}
	if (o.null_data)
		o.match_flags |= MAPQ_MATCH_NULL_DATA;
	if (o.json && (o.count || o.list_matching || o.list_nonmatching || o.quiet)) {
		status = cli_usage_error("grep", "--json cannot be used with -c, -l, -L or -q");
		goto done;
	}
	/* As GNU grep: when nothing can be selected (-m 0, or no pattern
	 * at all without -v), no file is read, except that -L lists them. */
	o.select_nothing = o.max_count == 0 || (pl.n == 0 && !o.invert);
	if (o.select_nothing && !o.list_nonmatching) {
		status = EXIT_NONE;
		goto done;
	}
	o.context_given = after_given || before_given || context_given;
	o.after = after_given ? after : context;
	o.before = before_given ? before : context;
	if (color < 0)
		color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	o.color = color && !o.json;
	if (isatty(STDOUT_FILENO))
		o.line_buffered = 1;
	o.patterns = pl.items;
	o.n_patterns = pl.n;

	if (smart_case) {
		int caseless = mapq_patterns_smart_caseless(pl.items, pl.n, o.match_flags);
		if (caseless < 0) {
			cli_error("out of memory");
			goto done;
		}
		if (caseless)
			o.match_flags |= MAPQ_MATCH_CASELESS;
	}
	int rc = mapq_matcher_create(&matcher, pl.items, pl.n, o.match_flags, &err);
	if (rc == MAPQ_EPATTERN) {
		/* A pattern is a value of the command line (or of -f FILE). */
		status = cli_usage_error("grep", "%s", err.msg);
		goto done;
	}
	if (rc != MAPQ_OK) {
		cli_error("%s", err.msg);
		goto done;
	}
	run.out = malloc(sizeof *run.out);
	if (run.out == NULL) {
		cli_error("out of memory");
		goto done;
	}
	cli_out_init(run.out, STDOUT_FILENO);
	run.o = &o;
	run.matcher = matcher;
	clock_gettime(CLOCK_MONOTONIC, &run.tot.start);

	int n_files = argc - optind;
	if (o.with_filename >= 0) {
		run.show_names = o.with_filename;
	} else if (n_files > 1) {
		run.show_names = 1;
	} else if (o.recursive) {
		/* One operand: names appear when it is a directory. */
		struct stat st;
		const char *only = n_files == 1 ? argv[optind] : ".";
		run.show_names = n_files == 0 ||
		                 (stat(only, &st) == 0 && S_ISDIR(st.st_mode));
	}
	/* Several files (operands, or a walk): up to -j of them are searched
	 * at once, their output still in this order (grep_jobs.c). */
	unsigned threads = o.threads > 0 ? o.threads
	                                 : cli_online_cpus(CLI_THREADS_MAX);
	o.threads = threads;
	/* Progress, by default only where no lines are printed: a line
	 * redrawn between them would only flicker (mapq-grep(1)). */
	if (progress == CLI_PROGRESS_AUTO && !o.count && !o.list_matching &&
	    !o.list_nonmatching && !o.quiet)
		progress = CLI_PROGRESS_NEVER;
	if (progress != CLI_PROGRESS_NEVER) {
		/* The operands' sizes; a walk's or a range's are not known. */
		uint64_t total = o.recursive || o.has_range ? UINT64_MAX : 0;
		for (int i = 0; i < (n_files > 0 ? n_files : 1) &&
		                total != UINT64_MAX; i++) {
			uint64_t size = cli_progress_size(
			        n_files > 0 ? argv[optind + i] : "-");
			total = size == UINT64_MAX ? size : total + size;
		}
		o.progress = cli_progress_start(progress, total);
		cli_progress_attach(run.out);
	}
	if (threads > 1 && (n_files > 1 || o.recursive))
		run.jobs = grep_jobs_start(&run, threads);
	if (n_files == 0)
		search_operand(&run, o.recursive ? "." : "-", 1);
	for (int i = optind; i < argc && !grep_stopped(&run); i++)
		search_operand(&run, argv[i], 0);
	grep_jobs_finish(run.jobs);
	if (o.json && !run.stop)
		grep_json_summary(&run);
	cli_out_flush(run.out);
	cli_progress_stop();
	if (o.stats)
		grep_print_stats(&run);

	if (run.out->failed)
		status = EXIT_TROUBLE;
	else if (o.quiet && run.any_selected)
		status = EXIT_SELECTED;
	else if (run.trouble)
		status = EXIT_TROUBLE;
	else
		status = run.any_selected ? EXIT_SELECTED : EXIT_NONE;

done:
	free(run.out);
	mapq_matcher_destroy(matcher);
	for (size_t i = 0; i < pl.n; i++)
		free((char *)pl.items[i].text);
	free(pl.items);
	free_globs(o.globs, o.n_globs);
	free_globs(o.exclude_dirs, o.n_exclude_dirs);
	return status;
}
