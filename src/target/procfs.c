/* The target layer's /proc readers: does the process exist, who traces it, which
 * process a thread's tid belongs to, where is its executable mapped. Reads only;
 * never touches the process itself.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t
tgt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Value of "Key:" in /proc/PID/status as a number, or -1. */
static long
status_field(pid_t pid, const char *key, char *state_out)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (state_out && strncmp(line, "State:", 6) == 0)
			sscanf(line + 6, " %c", state_out);
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			value = strtol(line + klen + 1, NULL, 10);
	}
	fclose(f);
	return value;
}

pid_t
tgt_tracer_of(pid_t pid)
{
	return (pid_t)status_field(pid, "TracerPid", NULL);
}

pid_t
tgt_tgid_of(pid_t tid)
{
	/* /proc/TID resolves any thread's tid, though readdir of /proc lists leaders only. */
	long tgid = status_field(tid, "Tgid", NULL);

	return tgid > 0 ? (pid_t)tgid : -1;
}

/* The command name of pid, for messages ("gdb"), or "?". */
static void
comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, size, "?");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* The process was there a moment ago and is not any more (it exited while being
 * opened): say so, rather than diagnose what the failed read seemed to show. */
static int
exited_meanwhile(const struct tgt_proc *p, struct insp_err *err)
{
	return insp_err_set(err, INSP_E_NOPROC, "no such process: %d (it exited)", (int)p->pid);
}

int
tgt_proc_open(struct tgt_proc *p, pid_t pid, struct insp_err *err)
{
	char state = '?', tracer_comm[32];
	struct stat st;
	ssize_t n;
	pid_t tracer;

	p->pid = pid;
	/* Without cross-memory attach, mem.c falls back by itself; tests take the
	 * other path from the start (the test build only). */
	p->no_vm_readv = tgt_test_no_vm_readv();
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return insp_err_set(err, INSP_E_NOPROC, "no such process: %d", (int)pid);
	/* before anything of it is read */
	if (tgt_proc_check_owner(p, err) < 0)
		return -1;
	tracer = (pid_t)status_field(pid, "TracerPid", &state);
	/* A zombie leader whose other threads run (pthread_exit) is a live process. */
	p->io_tid = tgt_live_thread(pid);
	if (!p->io_tid)
		return insp_err_set(err, INSP_E_NOPROC, "process %d has exited%s", (int)pid,
				    state == 'Z' ? " (it is a zombie)" : "");
	snprintf(p->exe_open, sizeof(p->exe_open), "/proc/%d/exe", (int)p->io_tid);
	n = readlink(p->exe_open, p->exe, sizeof(p->exe) - 1);
	if (n < 0) {
		int e = errno;

		if (!tgt_proc_alive(p))
			return exited_meanwhile(p, err);
		if (e == EACCES || e == EPERM)
			return insp_err_set(
				err, INSP_E_PERM,
				"cannot attach to process %d: permission denied (run as "
				"root or grant CAP_SYS_PTRACE)",
				(int)pid);
		if (tgt_is_kthread(pid))
			return insp_err_set(err, INSP_E_NOTGO,
					    "process %d has no executable (it is a kernel thread)",
					    (int)pid);
		return insp_err_set(err, INSP_E_SYS, "cannot read %s: %s", p->exe_open,
				    strerror(e));
	}
	p->exe[n] = '\0';
	/* The file is read through /proc/PID/exe; the name is for people. */
	p->exe_deleted = tgt_path_strip_deleted(p->exe);
	if (stat(p->exe_open, &st) < 0) {
		int e = errno;

		if (!tgt_proc_alive(p))
			return exited_meanwhile(p, err);
		return insp_err_set(err, INSP_E_PERM,
				    "cannot open the executable of process %d (%s): %s", (int)pid,
				    p->exe, strerror(e));
	}
	p->exe_dev = st.st_dev;
	p->exe_ino = st.st_ino;
	if (tracer > 0) {
		comm_of(tracer, tracer_comm, sizeof(tracer_comm));
		return insp_err_set(err, INSP_E_TRACED,
				    "process %d is already traced by process %d (%s): detach it "
				    "first",
				    (int)pid, (int)tracer, tracer_comm);
	}
	return 0;
}

/* tgt_proc_exe_base's search: the executable's mapping at offset 0, by inode (the
 * path may differ across mount namespaces), else by path, which overlayfs can make
 * the only stable key. */
struct exe_base {
	const struct tgt_proc *p;
	uint64_t by_ino, by_path;
	bool found_ino, found_path;
};

static int
exe_mapping(const struct tgt_mapping *m, void *arg)
{
	struct exe_base *e = arg;
	char name[sizeof(m->path)];

	if (m->offset != 0)
		return 0;
	if (m->ino == (uint64_t)e->p->exe_ino) {
		e->by_ino = m->lo;
		e->found_ino = true;
		return 1;
	}
	memcpy(name, m->path, sizeof(name));
	tgt_path_strip_deleted(name);
	if (!e->found_path && strcmp(name, e->p->exe) == 0) {
		e->by_path = m->lo;
		e->found_path = true;
	}
	return 0;
}

int
tgt_proc_exe_base(const struct tgt_proc *p, uint64_t *start, struct insp_err *err)
{
	struct exe_base e = { .p = p };

	if (tgt_maps_each(p->io_tid, exe_mapping, &e, err) < 0)
		return -1;
	if (e.found_ino || e.found_path) {
		*start = e.found_ino ? e.by_ino : e.by_path;
		return 0;
	}
	return insp_err_set(err, INSP_E_CORRUPT, "cannot find the mapping of %s in /proc/%d/maps",
			    p->exe, (int)p->pid);
}

bool
tgt_proc_alive(const struct tgt_proc *p)
{
	if (kill(p->pid, 0) < 0 && errno == ESRCH)
		return false;
	return tgt_live_thread(p->pid) != 0;
}
