/* The target layer's stop and release of a whole process.
 *
 * A thread moves RUNNING -> SEIZED (PTRACE_SEIZE: traced, still running) -> STOPPED
 * (PTRACE_INTERRUPT, then waitpid sees the PTRACE_EVENT_STOP) -> DETACHED (PTRACE_DETACH).
 * Invariants:
 *  1. A thread is in p->threads with seized=true from the moment SEIZE succeeds, so
 *     every exit path detaches it; tgt_proc_detach first waits for a seized thread
 *     that has not stopped yet, since the kernel only detaches a stopped tracee.
 *  2. A signal that a seized thread dequeues before our interrupt stops it (a
 *     signal-delivery-stop instead of the PTRACE_EVENT_STOP) stays in the kernel:
 *     its stop report is never reaped (wait_stop), PTRACE_DETACH hands it back
 *     (pending_sig), and if we die first the kernel resumes the thread with it.
 *     A signal sent once every thread is stopped stays pending in the kernel (no
 *     stopped tracee takes one: kernel/signal.c wants_signal) and is delivered
 *     after the detach. So the target loses no signal, even if inspect is killed.
 *  3. SEIZE, not ATTACH: no SIGSTOP is ever sent. If inspect dies, even by SIGKILL,
 *     the kernel detaches its tracees and they run on (kernel/ptrace.c exit_ptrace).
 * Threads created while we stop the others are found by rescanning /proc/PID/task
 * until a pass finds no new thread (pystack does the same).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bound on rescans: a process that spawns threads faster than we stop them. */
#define MAX_PASSES 100

static struct tgt_thread *
find_thread(struct tgt_proc *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static struct tgt_thread *
add_thread(struct tgt_proc *p, pid_t tid)
{
	struct tgt_thread *t;

	if (p->nthreads == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		void *grown = realloc(p->threads, cap * sizeof(*p->threads));

		if (!grown)
			return NULL;
		p->threads = grown;
		p->cap = cap;
	}
	t = &p->threads[p->nthreads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->info.tid = tid;
	return t;
}

/* State letter and name of a thread, from /proc; read before it is stopped. */
static void
read_thread_stat(pid_t pid, struct tgt_thread *t)
{
	struct tgt_stat st;

	t->info.state = '?';
	if (tgt_stat_read(pid, t->tid, &st) < 0)
		return;
	memcpy(t->info.name, st.name, sizeof(t->info.name));
	t->info.state = st.state;
}

static int
seize_one(struct tgt_proc *p, pid_t tid, struct insp_err *err)
{
	struct tgt_thread *t;
	pid_t tracer;

	t = add_thread(p, tid);
	if (!t)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	read_thread_stat(p->pid, t);
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		int e = errno;

		p->nthreads--;
		/* The thread exited, or is a zombie (a leader after pthread_exit, whose
		 * SEIZE fails with EPERM): nothing to stop. */
		if (e == ESRCH || tgt_thread_dead(p->pid, tid))
			return 0;
		if (e == EPERM) {
			tracer = tgt_tracer_of(p->pid);
			if (tracer > 0)
				return insp_err_set(err, INSP_E_TRACED,
						    "process %d is already traced by process %d: "
						    "detach it first",
						    (int)p->pid, (int)tracer);
			return insp_err_set(
				err, INSP_E_PERM,
				"cannot attach to process %d: permission denied (run as "
				"root or grant CAP_SYS_PTRACE; see "
				"/proc/sys/kernel/yama/ptrace_scope)",
				(int)p->pid);
		}
		return insp_err_set(err, INSP_E_SYS, "cannot attach to thread %d of process %d: %s",
				    (int)tid, (int)p->pid, strerror(e));
	}
	t->seized = true;
	tgt_test_seize_gap(); /* none but in the test build */
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno == ESRCH)
		t->gone = true;
	return 0;
}

/* Wait for a seized thread's stop. intr: give up (for the caller to detach) when a
 * guarded signal arrives; the detach path waits regardless.
 * The report is looked at with WNOWAIT first, and a signal-delivery-stop is left
 * unreaped: reaping it (wait_task_stopped) zeroes the tracee's exit_code, which
 * holds the signal, and a tracer that dies after that (SIGKILL) takes the signal
 * with it: the kernel's exit_ptrace detaches without setting exit_code, and the
 * tracee resumes with signal 0 (2 RT signals lost in 30 trials before this, issue
 * 13). Unreaped, exit_code keeps the signal until PTRACE_DETACH hands it back or,
 * if we die, the tracee resumes with it: inspect never holds a signal. */
static int
wait_stop(struct tgt_thread *t, bool intr, struct insp_err *err)
{
	siginfo_t si;

	while (!t->stopped && !t->gone) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)t->tid, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL) < 0) {
			if (errno == EINTR) {
				if (intr && tgt_signals_pending())
					return insp_err_set(err, INSP_E_INTR,
							    "interrupted by signal %d",
							    tgt_signals_pending());
				continue;
			}
			t->gone = true; /* ECHILD: no longer ours */
			break;
		}
		if (si.si_code == CLD_TRAPPED && (si.si_status >> 8) == 0) {
			/* A signal-delivery-stop: a stop too, but the report stays. */
			t->stopped = true;
			t->pending_sig = si.si_status & 0x7f;
			break;
		}
		/* An exit, or a PTRACE_EVENT_STOP (our interrupt; a group-stop): reap it. */
		if (waitpid(t->tid, NULL, __WALL | WNOHANG) < 0 && errno != EINTR) {
			t->gone = true;
			break;
		}
		if (si.si_code == CLD_TRAPPED)
			t->stopped = true;
		else if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
			 si.si_code == CLD_DUMPED)
			t->gone = true;
	}
	return 0;
}

static void
read_regs(struct tgt_thread *t)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) < 0)
		return;
	const uint64_t dwarf[INSP_NREGS] = {
		regs.rax, regs.rdx, regs.rcx, regs.rbx, regs.rsi, regs.rdi,
		regs.rbp, regs.rsp, regs.r8,  regs.r9,  regs.r10, regs.r11,
		regs.r12, regs.r13, regs.r14, regs.r15, regs.rip,
	};

	memcpy(t->info.regs, dwarf, sizeof(dwarf));
	t->info.pc = regs.rip;
	t->info.sp = regs.rsp;
	t->info.fp = regs.rbp;
	t->info.tls_base = regs.fs_base;
	t->info.regs_ok = true;
#else
	(void)t;
#endif
}

/* Seize every thread listed in /proc/PID/task not seized yet; *added counts them. */
static int
seize_new(struct tgt_proc *p, size_t *added, struct insp_err *err)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	*added = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	dir = opendir(path);
	if (!dir)
		return insp_err_set(err, INSP_E_EXITED, "process %d exited while attaching",
				    (int)p->pid);
	while ((de = readdir(dir))) {
		pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);

		if (tid <= 0 || find_thread(p, tid))
			continue;
		ret = seize_one(p, tid, err);
		if (ret < 0)
			break;
		if (find_thread(p, tid)) /* not a thread that exited or is a zombie */
			(*added)++;
	}
	closedir(dir);
	return ret;
}

/* A stopped thread for io_tid (target.h): the leader, or, when it has left by
 * pthread_exit, any thread held stopped, which cannot exit before the detach.
 * Returns false when no thread is held: the process has exited. */
static bool
pick_io_thread(struct tgt_proc *p)
{
	struct tgt_thread *t = find_thread(p, p->pid);

	if (t && t->stopped && !t->gone) {
		p->io_tid = p->pid;
		return true;
	}
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].stopped && !p->threads[i].gone) {
			p->io_tid = p->threads[i].tid;
			return true;
		}
	return false;
}

int
tgt_proc_stop(struct tgt_proc *p, struct insp_err *err)
{
	size_t added = 1;
	int passes = 0;

	p->stop_begin_ns = tgt_now_ns();
	while (added) {
		if (++passes > MAX_PASSES) {
			insp_err_set(err, INSP_E_SYS,
				     "process %d creates threads faster than they can be stopped",
				     (int)p->pid);
			goto fail;
		}
		if (seize_new(p, &added, err) < 0)
			goto fail;
		for (size_t i = 0; i < p->nthreads; i++)
			if (wait_stop(&p->threads[i], true, err) < 0)
				goto fail;
		if (tgt_signals_pending()) {
			insp_err_set(err, INSP_E_INTR, "interrupted by signal %d",
				     tgt_signals_pending());
			goto fail;
		}
	}
	if (!pick_io_thread(p)) {
		insp_err_set(err, INSP_E_EXITED, "process %d exited while attaching", (int)p->pid);
		goto fail;
	}
	/* held now: its pid can name no other process until the detach */
	if (tgt_proc_check_owner(p, err) < 0)
		goto fail;
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].stopped)
			read_regs(&p->threads[i]);
	return 0;
fail:
	tgt_proc_detach(p, NULL);
	return -1;
}

int
tgt_proc_detach(struct tgt_proc *p, struct insp_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < p->nthreads; i++) {
		struct tgt_thread *t = &p->threads[i];

		if (!t->seized)
			continue;
		wait_stop(t, false, NULL);
		if (!t->gone &&
		    ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->pending_sig) < 0 &&
		    errno != ESRCH && !ret)
			ret = insp_err_set(err, INSP_E_SYS, "cannot detach from thread %d: %s",
					   (int)t->tid, strerror(errno));
		t->seized = false;
		t->stopped = false;
	}
	if (p->stop_begin_ns && !p->stop_end_ns)
		p->stop_end_ns = tgt_now_ns();
	return ret;
}

double
tgt_proc_pause_ms(const struct tgt_proc *p)
{
	return (double)(p->stop_end_ns - p->stop_begin_ns) / 1e6;
}

void
tgt_proc_release(struct tgt_proc *p)
{
	tgt_proc_detach(p, NULL);
	free(p->threads);
	p->threads = NULL;
	p->nthreads = p->cap = 0;
	if (p->mem_fd >= 0)
		close(p->mem_fd);
	p->mem_fd = -1;
}
