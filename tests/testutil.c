/* testutil.c - helpers shared by the Check programs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

char *tu_temp_file(const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/mapq-test-XXXXXX",
	                          dir != NULL ? dir : "/tmp"), 0);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		ck_assert_int_gt(w, 0);
		p += w;
		len -= (size_t)w;
	}
	ck_assert_int_eq(close(fd), 0);
	return path;
}

mapq_file *tu_open(const char *path, unsigned flags)
{
	mapq_file *f = NULL;
	mapq_error err;
	int rc = mapq_file_open(&f, path, NULL, flags, &err);
	ck_assert_msg(rc == MAPQ_OK, "open %s: %s", path, err.msg);
	return f;
}

mapq_file *tu_open_bytes(const void *data, size_t len, unsigned flags,
                         char **path, mapq_view *view)
{
	*path = tu_temp_file(data, len);
	mapq_file *f = tu_open(*path, flags);
	ck_assert_int_eq(mapq_file_view(f, view, NULL), MAPQ_OK);
	return f;
}

void tu_truncate_from_child(const char *path, long long size)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(truncate(path, (off_t)size) == 0 ? 0 : 1);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
