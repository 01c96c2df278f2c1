/* testutil.h - helpers shared by the Check programs. */
#ifndef MAPQ_TESTUTIL_H
#define MAPQ_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

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

#endif
