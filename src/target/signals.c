/* The target layer's signal guard: while threads of the target are stopped, a
 * SIGINT/SIGTERM/SIGHUP to inspect must not kill it before it detaches. The handler
 * only records the signal; seize.c and the capture loop check it and detach, and the
 * CLI then exits with 128+signal. SIGKILL cannot be caught and needs no help: the
 * kernel detaches a dead tracer's PTRACE_SEIZE tracees and they run on.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <string.h>

static volatile sig_atomic_t pending;
static const int guarded[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved[3];

static void
on_signal(int sig)
{
	if (!pending)
		pending = sig;
}

void
tgt_signals_guard(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking waitpid returns EINTR and we look at the flag. */
	for (size_t i = 0; i < 3; i++)
		sigaction(guarded[i], &sa, &saved[i]);
}

void
tgt_signals_restore(void)
{
	for (size_t i = 0; i < 3; i++)
		sigaction(guarded[i], &saved[i], NULL);
}

int
tgt_signals_pending(void)
{
	return pending;
}
