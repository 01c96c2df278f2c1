/*
 * guard.c - turning SIGBUS from a shrunken mapping into MAPQ_ETRUNC.
 *
 * When a mapped file is truncated (logrotate's copytruncate), reading a
 * page past the new end raises SIGBUS.  A library cannot let that kill its
 * caller, and cannot check the size before every read (the race stays
 * open), so reads of mapped bytes run under a guard: a sigsetjmp() point
 * kept on a per-thread stack that the SIGBUS handler jumps back to.
 *
 * This is the one piece of state outside the handles: the handler must find
 * the guard of the thread that faulted, and signal handlers can only reach
 * it through thread-local storage.  The previous handler is recorded once,
 * so faults that no guard claims still reach it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "common/error.h"
#include "input.h"

static _Thread_local struct mapq__guard *guard_top;

static struct sigaction previous_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_errno;

/* Does the fault address lie in the guarded mapping? */
static int fault_is_ours(const struct mapq__guard *g, const void *addr)
{
	if (g->lo == NULL)
		return 1; /* a caller-defined region: trust the guard */
	const unsigned char *p = addr;
	return p >= g->lo && p < g->lo + g->len;
}

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
	struct mapq__guard *g = guard_top;
	if (g != NULL && fault_is_ours(g, info->si_addr))
		siglongjmp(g->env, 1);

	/* Not ours: hand it to whoever was there before. */
	if (previous_action.sa_flags & SA_SIGINFO) {
		if (previous_action.sa_sigaction != NULL) {
			previous_action.sa_sigaction(sig, info, context);
			return;
		}
	} else if (previous_action.sa_handler != SIG_DFL &&
	           previous_action.sa_handler != SIG_IGN) {
		previous_action.sa_handler(sig);
		return;
	}
	/* Default action: returning re-runs the faulting access, which now
	 * terminates the process as if we had never been installed. */
	signal(SIGBUS, SIG_DFL);
}

static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sigemptyset(&sa.sa_mask);
	/* SA_NODEFER: the handler leaves by siglongjmp to a sigsetjmp that
	 * saved no mask, so SIGBUS must not be blocked on entry. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	if (sigaction(SIGBUS, &sa, &previous_action) != 0)
		install_errno = errno;
}

int mapq__guard_install(mapq_error *err)
{
	pthread_once(&install_once, install);
	if (install_errno != 0)
		return mapq__error_set(err, MAPQ_ESYS, install_errno,
		                       "cannot install SIGBUS handler: %s",
		                       strerror(install_errno));
	return MAPQ_OK;
}

void mapq__guard_push(struct mapq__guard *g, const void *lo, size_t len,
                      const char *name)
{
	g->lo = lo;
	g->len = len;
	g->name = name;
	g->prev = guard_top;
	guard_top = g;
}

void mapq__guard_pop(struct mapq__guard *g)
{
	guard_top = g->prev;
}

int mapq__guard_failed(struct mapq__guard *g, mapq_error *err)
{
	mapq__guard_pop(g);
	return mapq__error_truncated(err, g->name);
}

int mapq__file_guard(mapq_file *f, int (*fn)(void *arg), void *arg,
                     mapq_error *err)
{
	if (fn == NULL)
		return mapq__error_set(err, MAPQ_EINVAL, 0, "no function");
	struct mapq__guard g;
	if (!MAPQ__GUARDED(g, f))
		return mapq__guard_failed(&g, err);
	int rc = fn(arg);
	mapq__guard_pop(&g);
	return rc;
}
