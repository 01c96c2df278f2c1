/*
 * buf.h - growing a byte buffer, the one way core/ does it (stream
 * buffers, decoded windows, kept tails).  Not installed.
 */
#ifndef MAPQ_COMMON_BUF_H
#define MAPQ_COMMON_BUF_H

#include <stddef.h>

#include "mapq.h"

/*
 * Make *buf (of *cap bytes, may be NULL/0) hold at least `need` bytes,
 * doubling from 64 KiB.  MAPQ_ENOMEM names `name` ("line too long to
 * buffer" when the size itself cannot be reached).
 */
int mapq__buf_grow(unsigned char **buf, size_t *cap, size_t need,
                   const char *name, mapq_error *err);

#endif /* MAPQ_COMMON_BUF_H */
