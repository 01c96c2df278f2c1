/* testutil.c - helpers shared by the Check programs. */
#include <check.h>
#include <errno.h>
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

mapq_file *tu_pipe_open(struct tu_pipe *p, const void *data, size_t len,
                        size_t chunk, unsigned pause_us, size_t pause_every,
                        int via_stdin)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		const unsigned char *d = data;
		size_t off = 0;
		while (off < len) {
			size_t n = len - off < chunk ? len - off : chunk;
			ssize_t w = write(fds[1], d + off, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
			if (pause_us > 0 && (pause_every == 0
			                             ? off < len
			                             : off % pause_every < chunk))
				usleep(pause_us);
		}
		_exit(0);
	}
	close(fds[1]);
	p->pid = pid;
	p->saved_stdin = -1;
	mapq_file *f = NULL;
	mapq_error err;
	int rc;
	if (via_stdin) {
		p->saved_stdin = dup(STDIN_FILENO);
		ck_assert_int_ge(p->saved_stdin, 0);
		ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
		close(fds[0]);
		rc = mapq_file_open(&f, "-", NULL, 0, &err);
	} else {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
		rc = mapq_file_open(&f, path, NULL, 0, &err);
		close(fds[0]);
	}
	ck_assert_msg(rc == MAPQ_OK, "open pipe: %s", err.msg);
	ck_assert_int_eq(mapq_file_is_stream(f), 1);
	ck_assert_int_eq(mapq_file_is_mapped(f), 0);
	return f;
}

void tu_pipe_close(mapq_file *f, struct tu_pipe *p, int complete)
{
	mapq_file_close(f);
	if (p->saved_stdin >= 0) {
		dup2(p->saved_stdin, STDIN_FILENO);
		close(p->saved_stdin);
	}
	int status;
	ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
	if (complete)
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
