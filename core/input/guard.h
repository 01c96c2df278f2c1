/*
 * guard.h - the SIGBUS guard: reads of a mapping that the file no longer
 * backs (it shrank) return MAPQ_ETRUNC instead of killing the process.
 * It knows address ranges and names, not files: input.h wraps it for
 * files (MAPQ__GUARDED).
 */
#ifndef MAPQ_INPUT_GUARD_H
#define MAPQ_INPUT_GUARD_H

#include <setjmp.h>
#include <stddef.h>

#include "mapq.h"

/*
 * A guard is pushed on a per-thread stack before reading mapped bytes; if
 * the read faults inside [lo, lo + len) (or anywhere, when lo is NULL),
 * the handler jumps back to the sigsetjmp() of the innermost guard:
 *
 *	struct mapq__guard g;
 *	if (!MAPQ__GUARDED(g, file))
 *		return mapq__guard_failed(&g, err);   // the file shrank
 *	... read mapped bytes ...
 *	mapq__guard_pop(&g);
 *
 * Locals changed between the two and read after a fault must be volatile.
 * sigsetjmp saves no signal mask (cheap: no system call); the handler is
 * installed with SA_NODEFER so SIGBUS is not left blocked by the jump.
 */
struct mapq__guard {
	sigjmp_buf env;
	const unsigned char *lo; /* the guarded mapping, NULL: any address */
	size_t len;
	const char *name;        /* for the error message */
	struct mapq__guard *prev;
};

/* Push g on this thread's stack. */
void mapq__guard_push(struct mapq__guard *g, const void *lo, size_t len,
                      const char *name);
/* Pop g, which must be the innermost guard. */
void mapq__guard_pop(struct mapq__guard *g);
/* After a fault: pop g and return the truncation error naming its file. */
int mapq__guard_failed(struct mapq__guard *g, mapq_error *err);
/* Install the process's SIGBUS handler once (thread-safe). */
int mapq__guard_install(mapq_error *err);

#endif /* MAPQ_INPUT_GUARD_H */
