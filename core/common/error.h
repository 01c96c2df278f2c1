/*
 * error.h - filling a caller's mapq_error, shared by every layer of core/.
 * Names here use the mapq__ prefix; nothing here is installed.
 */
#ifndef MAPQ_COMMON_ERROR_H
#define MAPQ_COMMON_ERROR_H

#include "mapq.h"

/*
 * Fill *err (when not NULL) with code, sys_errno and a formatted message;
 * return code, so that `return mapq__error_set(err, MAPQ_EINVAL, 0, ...)`
 * reads as one statement.
 */
int mapq__error_set(mapq_error *err, int code, int sys_errno, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

/* The error for a file that shrank while it was read, naming it. */
int mapq__error_truncated(mapq_error *err, const char *name);

/* The error for damaged compressed data: "NAME: <what>". */
int mapq__error_corrupt(mapq_error *err, const char *name, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

#endif /* MAPQ_COMMON_ERROR_H */
