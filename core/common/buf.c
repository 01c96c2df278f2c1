/* buf.c - growing a byte buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/error.h"

int mapq__buf_grow(unsigned char **buf, size_t *cap, size_t need,
                   const char *name, mapq_error *err)
{
	if (need <= *cap)
		return MAPQ_OK;
	size_t c = *cap > 0 ? *cap : (size_t)64 << 10;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return mapq__error_set(err, MAPQ_ENOMEM, ENOMEM,
			                       "%s: line too long to buffer", name);
		c *= 2;
	}
	unsigned char *p = realloc(*buf, c);
	if (p == NULL)
		return mapq__error_set(err, MAPQ_ENOMEM, ENOMEM,
		                       "%s: out of memory", name);
	*buf = p;
	*cap = c;
	return MAPQ_OK;
}
