/* error.c - status codes and error detail. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

const char *mapq_strerror(int code)
{
	switch (code) {
	case MAPQ_OK:
		return "success";
	case MAPQ_EINVAL:
		return "invalid argument";
	case MAPQ_ENOMEM:
		return "out of memory";
	case MAPQ_ESYS:
		return "system call failed";
	case MAPQ_ERANGE:
		return "malformed range";
	case MAPQ_EOVERFLOW:
		return "number too large";
	case MAPQ_ETRUNC:
		return "file shrank while being read";
	case MAPQ_EPIPE:
		return "output closed";
	case MAPQ_EWRITE:
		return "write error";
	case MAPQ_ENOTSUP:
		return "operation not supported for this input";
	case MAPQ_EPATTERN:
		return "invalid pattern";
	case MAPQ_ELIMIT:
		return "pattern too expensive";
	case MAPQ_ECORRUPT:
		return "corrupt compressed data";
	default:
		return "unknown error";
	}
}

const char *mapq_version(void)
{
	return MAPQ_VERSION_STRING;
}

int mapq__error_set(mapq_error *err, int code, int sys_errno, const char *fmt,
                    ...)
{
	if (err == NULL)
		return code;
	err->code = code;
	err->sys_errno = sys_errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}
