/* error.c - status codes and error detail. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

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
	case MAPQ_EORDER:
		return "input not sorted by the key";
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

int mapq__error_truncated(mapq_error *err, const char *name)
{
	return mapq__error_set(err, MAPQ_ETRUNC, 0,
	                       "%s: file shrank while being read",
	                       name != NULL ? name : "(unknown)");
}

int mapq__error_corrupt(mapq_error *err, const char *name, const char *fmt,
                        ...)
{
	if (err == NULL)
		return MAPQ_ECORRUPT;
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return mapq__error_set(err, MAPQ_ECORRUPT, 0, "%s: %s",
	                       name != NULL ? name : "(unknown)", what);
}
