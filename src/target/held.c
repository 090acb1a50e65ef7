/* The target layer's watch on a process held stopped (inspect attach): does it
 * still live? Looks without blocking; never resumes, signals or touches it.
 *
 * Kernel facts (kernel/signal.c complete_signal, kernel/ptrace.c, kernel/exit.c):
 * a SIGKILL (kill -9, the OOM killer) is the one thing that ends a thread held in a
 * ptrace stop: it is queued to every thread of the group and wakes each from
 * TASK_TRACED (TASK_WAKEKILL); each thread then exits and, as its tracer, we get
 * its exit status from waitpid. Between the kill and that status, /proc shows
 * SIGKILL pending, then PF_EXITING, then the zombie (live.c thread_live).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* Wait, at most, for the exit statuses of a process the kernel is killing. */
#define DYING_WAIT_MS 1000

/* Take the exit status of each held thread that has one; true if one had. A stop
 * report is only looked at (WNOWAIT): reaping a signal-delivery-stop would take
 * its signal out of the kernel's hands (seize.c wait_stop). */
static bool
reap_exits(struct tgt_proc *p)
{
	bool exited = false;

	for (size_t i = 0; i < p->nthreads; i++) {
		struct tgt_thread *t = &p->threads[i];
		siginfo_t si;

		if (!t->seized || t->gone)
			continue;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)t->tid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0) {
			if (errno == ECHILD) /* no longer ours to wait for: gone */
				t->gone = exited = true;
			continue;
		}
		if (si.si_pid != t->tid || !(si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
					     si.si_code == CLD_DUMPED))
			continue; /* still in its stop */
		waitpid(t->tid, NULL, WNOHANG | __WALL);
		t->gone = exited = true;
		if (si.si_code != CLD_EXITED && !p->killed_by)
			p->killed_by = si.si_status;
	}
	return exited;
}

int
tgt_proc_held(struct tgt_proc *p, struct insp_err *err)
{
	const char *name;

	if (!p->exited && !reap_exits(p) && tgt_proc_alive(p))
		return 0;
	/* Dying or dead: its statuses come within moments; they name the signal. */
	for (int ms = 0; !p->killed_by && ms < DYING_WAIT_MS; ms += 5) {
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
		reap_exits(p);
	}
	p->exited = true;
	if (!p->killed_by)
		return insp_err_set(err, INSP_E_EXITED, "process %d exited while attached",
				    (int)p->pid);
	name = sigabbrev_np(p->killed_by);
	return insp_err_set(err, INSP_E_EXITED,
			    "process %d exited while attached (killed by %s%s%s%d)", (int)p->pid,
			    name ? "SIG" : "", name ? name : "", name ? ", signal " : "signal ",
			    p->killed_by);
}
