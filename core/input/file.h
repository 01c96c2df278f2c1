/*
 * file.h - how a file's raw bytes are reached, for the rest of the input
 * layer (scans and the zstd decoder).  struct mapq_file is private to
 * file.c; these calls are its face.
 *
 * A file's raw bytes come one of three ways:
 * - MAPPED: a regular file mapped read-only; any byte, any time, read
 *   directly (under the SIGBUS guard);
 * - PREAD: a regular file that could not be mapped (address space limits,
 *   files that refuse mmap): any byte, through pread(2) into a buffer of
 *   the reader's own (struct mapq__raw), so threads can read at once;
 * - STREAM: pipes, FIFOs, sockets, character devices, /proc files: read
 *   forward once with read(2) into one buffer that the file owns.  A
 *   reader may ask for any offset at or after the start of what the
 *   buffer still holds; going back further is MAPQ_ENOTSUP.
 */
#ifndef MAPQ_INPUT_FILE_H
#define MAPQ_INPUT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "mapq.h"
#include "input.h"
#include "zstd_format.h"

enum mapq__source_kind {
	MAPQ__SOURCE_MAPPED = 0,
	MAPQ__SOURCE_PREAD = 1,
	MAPQ__SOURCE_STREAM = 2
};

/* Free a reader's buffer (struct mapq__raw, input.h; zero it before its
 * first use). */
void mapq__raw_free(struct mapq__raw *r);

/*
 * Raw bytes of f from offset `off`: sets *p and *n so that [*p, *p + *n)
 * are the bytes at [off, off + *n).  Waits until at least `min` bytes are
 * there (fewer only at the end of the data: *n == 0 at or past it), and
 * returns at most `want` (>= min); a stream does not wait for more than
 * min once some bytes are there, so data is handled as it arrives.
 * MAPPED: *p points into the mapping (read it under the guard); PREAD:
 * into r's buffer; STREAM: into the file's buffer.  The bytes stay valid
 * until the next call with the same r (PREAD) or on the same file
 * (STREAM).  Errors: MAPQ_ESYS (read), MAPQ_ENOMEM, MAPQ_ENOTSUP (a
 * stream asked to go back).
 */
int mapq__raw_get(mapq_file *f, struct mapq__raw *r, uint64_t off, size_t min,
                  size_t want, const unsigned char **p, size_t *n,
                  mapq_error *err);

int mapq__file_source(const mapq_file *f);
/* The mapping's first data byte (MAPPED), or NULL. */
const unsigned char *mapq__file_mapped(const mapq_file *f);

/* Raw size; MAPQ_SIZE_UNKNOWN for a stream not yet read to its end. */
uint64_t mapq__raw_size(const mapq_file *f);

/* Record a stream's decompressed size once found. */
void mapq__data_size_found(mapq_file *f, uint64_t size);

#endif /* MAPQ_INPUT_FILE_H */
