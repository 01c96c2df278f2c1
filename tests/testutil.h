/* testutil.h - helpers shared by the Check programs. */
#ifndef MAPQ_TESTUTIL_H
#define MAPQ_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mapq.h"

/* Create a temporary file holding [data, data+len); return its malloc'd
 * path (caller unlinks and frees).  Aborts the test on failure. */
char *tu_temp_file(const void *data, size_t len);

/* Open `path` (mapped unless flags say otherwise); abort on failure. */
mapq_file *tu_open(const char *path, unsigned flags);

/* Write a buffer to a temp file, open it, and fill *view. */
mapq_file *tu_open_bytes(const void *data, size_t len, unsigned flags,
                         char **path, mapq_view *view);

/* Truncate `path` to `size` from a separate process (as logrotate would);
 * aborts the test on failure. */
void tu_truncate_from_child(const char *path, long long size);

/* A pipe fed by a child process; filled in by tu_pipe_open(), given back
 * to tu_pipe_close(). */
struct tu_pipe {
	pid_t pid;       /* the writer */
	int saved_stdin; /* the old fd 0 while the pipe stands in for it; -1 */
};

/* Fork a child that writes [data, data+len) into a pipe, `chunk` bytes
 * per write, and open the read end as a stream: as standard input ("-",
 * the pipe dup2'd onto fd 0 until tu_pipe_close) when `via_stdin`, else
 * through its /proc/self/fd/N path.  The writer sleeps `pause_us`
 * microseconds (0: never) after every write but the last when
 * `pause_every` is 0, else after each write that ends less than `chunk`
 * bytes past a multiple of `pause_every` bytes (e.g. 4 * chunk: every
 * fourth write, the last one included when it falls there).  Asserts that
 * the file opened as an unmapped stream; aborts the test on failure. */
mapq_file *tu_pipe_open(struct tu_pipe *p, const void *data, size_t len,
                        size_t chunk, unsigned pause_us, size_t pause_every,
                        int via_stdin);

/* Close `f`, restore standard input if tu_pipe_open took it, and reap the
 * writer; when `complete`, assert that it wrote everything and exited 0
 * (else it may die of SIGPIPE when the reader stopped early). */
void tu_pipe_close(mapq_file *f, struct tu_pipe *p, int complete);

#endif
