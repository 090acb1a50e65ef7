/* The target layer: a live process seen through ptrace and /proc. It stops every
 * thread (PTRACE_SEIZE + PTRACE_INTERRUPT), reads registers and memory, and lets the
 * process go. It never writes to the target: no POKE, no process_vm_writev, no SETREGS.
 * Errors fill a struct insp_err; nothing here prints or exits.
 * SPDX-License-Identifier: MIT */
#ifndef TARGET_TARGET_H
#define TARGET_TARGET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/err.h"
#include "inspect/plugin.h"

struct tgt_thread {
	pid_t tid;
	bool seized;             /* PTRACE_SEIZE succeeded: we must detach */
	bool stopped;            /* waitpid saw its stop */
	bool gone;               /* exited while we held it */
	int pending_sig;         /* a signal-delivery-stop: give the signal back on detach */
	struct insp_thread info; /* state, name, registers */
};

struct tgt_proc {
	pid_t pid;
	/* A live thread of it, through which /proc reaches its memory map (exe, maps,
	 * mem) and process_vm_readv its memory: pid itself, unless the leader has left
	 * by pthread_exit and is a zombie while the other threads run (live.c). */
	pid_t io_tid;
	char exe[4096];    /* readlink of /proc/PID/exe without " (deleted)", for messages */
	bool exe_deleted;  /* the file at exe is gone or another one (a deploy replaced it) */
	char exe_open[64]; /* "/proc/PID/exe": opens the file even across mount namespaces */
	dev_t exe_dev;     /* to find the executable's mappings in /proc/PID/maps */
	ino_t exe_ino;
	int mem_fd; /* /proc/PID/mem, opened when process_vm_readv is not usable */
	bool no_vm_readv;
	struct tgt_thread *threads;
	size_t nthreads, cap;
	int64_t stop_begin_ns, stop_end_ns; /* CLOCK_MONOTONIC around the pause */
	bool exited;                        /* tgt_proc_held found it dead or dying: it stays so */
	int killed_by; /* the signal that killed it, when its exit status told */
	unsigned long long start_ticks; /* owner.c: when it started, if privileged */
};

#define TGT_PROC_INIT                                                                              \
	{                                                                                          \
		.mem_fd = -1                                                                       \
	}

/* no-vm-readv.c: false, as shipped; the test build's (tests/hooks/no-vm-readv.c,
 * in BUILD/inspect-test) says INSPECT_TEST_NO_VM_READV is set: read through
 * /proc/PID/mem from the start, so that tests cover that path. */
bool tgt_test_no_vm_readv(void);

/* seize-gap.c: nothing, as shipped; the test build's (tests/hooks/seize-gap.c)
 * sleeps INSPECT_TEST_SEIZE_GAP_US between a thread's SEIZE and INTERRUPT, so that
 * tests can make threads take signals there. */
void tgt_test_seize_gap(void);

/* owner.c: with privileges the user lacks (AT_SECURE: setcap, setuid), the
 * process must be the user's own as plain ptrace needs it (real, effective, saved
 * and fs uid and gid the caller's, dumpable), INSP_E_PERM if not; and, called
 * again once the threads are held, the same process the pid named at the first
 * call (INSP_E_EXITED if not). 0 at once without privileges. */
int tgt_proc_check_owner(struct tgt_proc *p, struct insp_err *err);

/* procfs.c */
/* Check the process exists, is ours to trace and not traced already; read its exe. */
int tgt_proc_open(struct tgt_proc *p, pid_t pid, struct insp_err *err);
/* Start address of the mapping of the executable at file offset 0, or -1. */
int tgt_proc_exe_base(const struct tgt_proc *p, uint64_t *start, struct insp_err *err);
/* The process exists and one of its threads runs, not exiting (tgt_live_thread). */
bool tgt_proc_alive(const struct tgt_proc *p);
/* Pid of the tracer of pid (0 if none, -1 if unknown). */
pid_t tgt_tracer_of(pid_t pid);
/* The process (thread group) that thread tid belongs to, or -1 if there is no such
 * thread; tid itself for a leader. */
pid_t tgt_tgid_of(pid_t tid);

/* mapfile.c: files as the process sees them, whatever inspect's mount namespace holds. */
/* Drop a trailing " (deleted)" (readlink of /proc/PID/exe, /proc/PID/maps); was it there? */
bool tgt_path_strip_deleted(char *path);
/* The process's root directory as reachable from here: "/proc/PID/root", or "" when
 * it is ours (then its paths are ours too, and messages show them as they are). */
void tgt_proc_root(pid_t pid, char *buf, size_t size);
/* Its root (tgt_proc_root) + path into buf: path as the process sees it, from here.
 * -1 if it does not fit or path is not absolute. */
int tgt_proc_root_path(pid_t pid, const char *path, char *buf, size_t size);
/* An fd (read-only; the caller closes it) on the file mapped at lo in pid (the start
 * of a mapping in /proc/PID/maps): through /proc/PID/map_files, else /proc/PID/exe or
 * the path under /proc/PID/root when they are the mapped file (same device and
 * inode). -1 with why (the reasons, without the path) if none is. */
int tgt_open_mapped(pid_t pid, uint64_t lo, char *why, size_t size);
/* The same for a file of tgt_files_read (mapfiles.c), whose mapping is known. */
struct tgt_file;
int tgt_file_open(pid_t pid, const struct tgt_file *f, char *why, size_t size);

/* pidns.c: each thread's id in the process's own PID namespace (NSpid in
 * /proc/PID/task/TID/status), read before the stop so that the pause does not. */
struct tgt_nsmap {
	pid_t pid;
	bool same; /* the process shares our namespace: ids are the same */
	struct {
		int32_t tid, ns_tid;
	} * ids;
	size_t n, cap;
};

int tgt_nsmap_read(pid_t pid, struct tgt_nsmap *m, struct insp_err *err);
/* Set each thread's ns_tid from the map (a thread not in it is read from /proc;
 * 0 if it is gone). */
void tgt_nsmap_apply(const struct tgt_nsmap *m, struct insp_thread *threads, size_t n);
void tgt_nsmap_release(struct tgt_nsmap *m);

/* live.c: facts from /proc about a process at its edges; no error, no side effect. */
/* A thread of process pid that runs and is not exiting (pid itself if the leader
 * is such), or 0 if none is: the process has exited or is exiting. */
pid_t tgt_live_thread(pid_t pid);
/* Thread tid of process pid has exited (a zombie, or gone from /proc). */
bool tgt_thread_dead(pid_t pid, pid_t tid);
/* pid is a kernel thread (PF_KTHREAD): it has no executable. */
bool tgt_is_kthread(pid_t pid);

/* stat.c: the one reader of /proc/PID/task/TID/stat (tid == pid: the leader,
 * whose start is the process's). */
struct tgt_stat {
	char name[16];                  /* comm, as the kernel keeps it */
	char state;                     /* R, S, D, Z, t ... */
	unsigned long flags;            /* PF_* */
	unsigned long long start_ticks; /* starttime: clock ticks since boot */
};

/* 0, or -1 when it cannot be read (the thread is gone); st is zeroed first. */
int tgt_stat_read(pid_t pid, pid_t tid, struct tgt_stat *st);
/* When st's thread started, as CLOCK_REALTIME ns (the boot's wall-clock moment
 * plus starttime); 0 if unknown. Resolution: a clock tick (10 ms at 100 Hz). */
int64_t tgt_started_ns(const struct tgt_stat *st);

/* seize.c */
/* Stop every thread, rescanning /proc/PID/task until no new thread appears, and
 * read each one's registers. On failure every thread already seized is detached. */
int tgt_proc_stop(struct tgt_proc *p, struct insp_err *err);
/* Let every thread go; idempotent. Returns the first error, after trying all. */
int tgt_proc_detach(struct tgt_proc *p, struct insp_err *err);
/* Detach (if stopped) and free. */
void tgt_proc_release(struct tgt_proc *p);
/* Milliseconds between the first stop and the last detach. */
double tgt_proc_pause_ms(const struct tgt_proc *p);

/* held.c */
/* Whether the process stopped by tgt_proc_stop is held still: 0 while it lives;
 * -1 with INSP_E_EXITED ("process N exited while attached (killed by SIGKILL,
 * signal 9)") once it died or is dying, and on every later call. Reaps the exit
 * statuses of its threads (we are their tracer); waits at most 1 s, and only
 * for a process the kernel is already killing, to learn the signal. */
int tgt_proc_held(struct tgt_proc *p, struct insp_err *err);

/* mem.c */
int tgt_read(struct tgt_proc *p, uint64_t addr, void *buf, size_t len, struct insp_err *err);
/* Batched reads; each read's ok is set. -1 only when the process is gone. */
int tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err);

/* maps.c: one line of /proc/PID/maps. */
struct tgt_mapping {
	uint64_t lo, hi, offset, ino;
	unsigned dev_major, dev_minor;
	char perms[5];   /* "r-xp" */
	char path[4096]; /* as the kernel names it (" (deleted)" kept); "" if none */
};

/* Call fn for each mapping of pid (pid: any live thread of the process), in address
 * order, until it returns nonzero; m is lent for the call. -1 with err if maps
 * cannot be read, or if fn returned < 0 (out of memory); fn > 0 stops early, 0. */
int tgt_maps_each(pid_t pid, int (*fn)(const struct tgt_mapping *m, void *arg), void *arg,
		  struct insp_err *err);

/* maps.c: the address ranges of /proc/PID/maps, in address order. */
struct tgt_maps {
	struct tgt_range {
		uint64_t lo, hi;
		bool readable;
	} * ranges;
	size_t n, cap;
	struct tgt_range *runs; /* readable memory: adjacent readable ranges merged */
	size_t nruns;
};

int tgt_maps_read(pid_t pid, struct tgt_maps *m, struct insp_err *err);
/* End of the mapping that holds addr, or 0 if none does. */
uint64_t tgt_maps_end(const struct tgt_maps *m, uint64_t addr);
/* The readable memory around addr, adjacent readable mappings taken as one:
 * [*lo, *hi); 0, or -1 if no readable mapping holds addr. O(log n). */
int tgt_maps_readable(const struct tgt_maps *m, uint64_t addr, uint64_t *lo, uint64_t *hi);
void tgt_maps_release(struct tgt_maps *m);

/* mapfiles.c: the files mapped into a process, each once, in address order. */
struct tgt_file {
	char *path;         /* as /proc/PID/maps names it (for messages; " (deleted)" kept) */
	uint64_t base, end; /* its mapping at file offset 0 */
	dev_t dev;          /* device and inode, as the maps line gives them */
	uint64_t ino;
};

struct tgt_files {
	struct tgt_file *files;
	size_t n, cap;
};

/* Read /proc/TID/maps (TID: any live thread of the process, tgt_proc.io_tid). */
int tgt_files_read(pid_t tid, struct tgt_files *fs, struct insp_err *err);
void tgt_files_release(struct tgt_files *fs);

/* signals.c: while a process is stopped, SIGINT/SIGTERM/SIGHUP only set a flag that
 * the stop and capture code checks, so that inspect detaches before it exits. */
void tgt_signals_guard(void);
void tgt_signals_restore(void);
/* The signal that arrived while guarded, or 0. */
int tgt_signals_pending(void);

int64_t tgt_now_ns(void);

#endif
