/*
 * zscan.h - scans of compressed input: windows of decompressed bytes.
 */
#ifndef MAPQ_INPUT_ZSCAN_H
#define MAPQ_INPUT_ZSCAN_H

#include "input.h"

/* mapq__scan_next() for compressed input. */
int mapq__zscan_next(struct mapq__scan *s, mapq_view *win, mapq_error *err);
/* Release and free a scan's decompression state, if it has one. */
void mapq__zscan_finish(struct mapq__scan *s);

#endif /* MAPQ_INPUT_ZSCAN_H */
