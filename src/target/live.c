/* The target layer's view of a process at its edges: which of its threads still
 * lives (the leader may have left by pthread_exit), whether it is exiting, whether
 * it is a kernel thread. Reads /proc only.
 *
 * Kernel facts this relies on (fs/proc/base.c, kernel/ptrace.c, mm/process_vm_access.c):
 *  - /proc/PID/exe, maps and mem, and process_vm_readv(PID), reach the memory map
 *    through the task PID names (get_task_mm / mm_access). A leader that called
 *    pthread_exit stays a zombie while its other threads run, with no mm: readlink
 *    of its exe fails with ENOENT, its maps are empty, process_vm_readv fails with
 *    ESRCH (get_task_exe_file, mm_access; proc(5) says so of exe). The same files
 *    under any live thread's tid (/proc/TID/...) work.
 *  - PTRACE_SEIZE of a zombie thread fails with EPERM (ptrace_attach checks
 *    exit_state after the permission check), which is no permission problem.
 *  - An exiting thread has PF_EXITING in the flags of /proc/TID/stat, and a thread
 *    of a group that exits (exit_group, a fatal signal) has SIGKILL pending
 *    (zap_other_threads) before it gets there. A kernel thread has PF_KTHREAD.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PF_EXITING_FLAG 0x00000004u /* include/linux/sched.h */
#define PF_KTHREAD_FLAG 0x00200000u

/* SIGKILL pending for the thread or its group: it is being killed. */
static bool
sigkill_pending(pid_t pid, pid_t tid)
{
	char path[96], line[256];
	unsigned long long mask;
	bool pending = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if ((strncmp(line, "SigPnd:", 7) == 0 || strncmp(line, "ShdPnd:", 7) == 0) &&
		    sscanf(line + 7, "%llx", &mask) == 1 && (mask & (1ull << (SIGKILL - 1))))
			pending = true;
	fclose(f);
	return pending;
}

/* The thread runs and is not on its way out. */
static bool
thread_live(pid_t pid, pid_t tid)
{
	struct tgt_stat st;

	if (tgt_stat_read(pid, tid, &st) < 0)
		return false;
	if (st.state == 'Z' || st.state == 'X' || (st.flags & PF_EXITING_FLAG))
		return false;
	return !sigkill_pending(pid, tid);
}

pid_t
tgt_live_thread(pid_t pid)
{
	char path[64];
	struct dirent *de;
	pid_t found = 0;
	DIR *dir;

	if (thread_live(pid, pid))
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);

		if (tid > 0 && tid != pid && thread_live(pid, tid))
			found = tid;
	}
	closedir(dir);
	return found;
}

bool
tgt_thread_dead(pid_t pid, pid_t tid)
{
	struct tgt_stat st;

	if (tgt_stat_read(pid, tid, &st) < 0)
		return true;
	return st.state == 'Z' || st.state == 'X';
}

bool
tgt_is_kthread(pid_t pid)
{
	struct tgt_stat st;

	return tgt_stat_read(pid, pid, &st) == 0 && (st.flags & PF_KTHREAD_FLAG);
}
