/* Whose process it is, when inspect runs with privileges its user lacks (setcap
 * cap_sys_ptrace+ep, setuid: AT_SECURE). CAP_SYS_PTRACE lets ptrace and
 * process_vm_readv reach any uid's process; the setcap set-up is meant to reach
 * only the caller's own, as plain ptrace would (the kernel's ptrace_may_access:
 * real, effective and saved ids all the caller's, and the process dumpable).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* The four ids of "Key:" (real, effective, saved, filesystem) in
 * /proc/PID/status all equal want? false when unreadable. */
static bool
ids_all(FILE *f, const char *key, unsigned long want)
{
	char line[256];
	size_t klen = strlen(key);

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long id[4];

		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		if (sscanf(line + klen + 1, "%lu %lu %lu %lu", &id[0], &id[1], &id[2], &id[3]) != 4)
			return false;
		return id[0] == want && id[1] == want && id[2] == want && id[3] == want;
	}
	return false;
}

/* starttime of /proc/PID/stat (proc(5)): when the process started, in clock
 * ticks since boot; with the pid, it names one process. 0 if unreadable. */
static unsigned long long
start_ticks(pid_t pid)
{
	struct tgt_stat st;

	return tgt_stat_read(pid, pid, &st) < 0 ? 0 : st.start_ticks;
}

int
tgt_proc_check_owner(struct tgt_proc *p, struct insp_err *err)
{
	unsigned long long ticks;
	char path[64];
	struct stat st;
	bool own;
	FILE *f;

	if (!getauxval(AT_SECURE))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	ticks = start_ticks(p->pid);
	if (!(f = fopen(path, "r")))
		return insp_err_set(err, INSP_E_NOPROC, "no such process: %d", (int)p->pid);
	own = ids_all(f, "Uid", getuid()) && ids_all(f, "Gid", getgid());
	fclose(f);
	/* A process that is not dumpable (it changed ids, or said so by prctl) has
	 * its /proc/PID owned by root. */
	snprintf(path, sizeof(path), "/proc/%d", (int)p->pid);
	if (own && (stat(path, &st) < 0 || st.st_uid != getuid() || st.st_gid != getgid()))
		own = false;
	if (!own)
		return insp_err_set(err, INSP_E_PERM,
				    "cannot attach to process %d: it is not yours (inspect runs "
				    "with privileges you lack, as setcap grants them, and then "
				    "reaches only processes of your own uid and gid that are "
				    "dumpable; run it as root for others)",
				    (int)p->pid);
	/* Checked once before the first read, again once the threads are held: the
	 * pid must name the same process (not one that took it meanwhile). */
	if (!ticks || (p->start_ticks && ticks != p->start_ticks))
		return insp_err_set(err, INSP_E_EXITED,
				    "process %d exited while attaching (its pid names another "
				    "process now)",
				    (int)p->pid);
	p->start_ticks = ticks;
	return 0;
}
