/* The model layer's capture: open the process and its executable, let a plugin
 * resolve what it needs while the process runs, stop it, let the plugin copy bytes,
 * let it go, and only then decode. The pause covers the copy alone.
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/image.h"
#include "target/target.h"

/* The snapshot's byte cap: past it a count read from the target is taken as corrupt. */
#define SNAPSHOT_CAP ((size_t)2 << 30)
/* Bytes of each thread's stack copied from sp up: native frames are few and small;
 * a process with thousands of threads gets less each, all of them at most
 * THREAD_STACKS_TOTAL, and never less than a page. */
#define THREAD_STACK_COPY   (64 * 1024)
#define THREAD_STACKS_TOTAL (64u << 20)
/* Threads that may appear between counting them and the stop. */
#define THREAD_SLACK 8

struct capture {
	struct mdl_host_ctx hc; /* the plugin's host: ctx is &hc */
	struct tgt_maps maps;   /* where thread stacks end */
	struct tgt_nsmap tids;  /* the threads' ids in the process's PID namespace */
	uint8_t *stack_buf;     /* reserved and touched before the stop */
	size_t stack_buf_size;
	size_t stack_copy; /* bytes per thread */
};

/* Before the stop: a touched buffer for the threads' stacks
 * (a page fault costs microseconds in a VM; not while the process waits). */
static int
reserve_thread_stacks(struct capture *c, struct insp_err *err)
{
	char path[64];
	size_t n = THREAD_SLACK;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)c->hc.proc->pid);
	d = opendir(path);
	while (d && (de = readdir(d)))
		n++;
	if (d)
		closedir(d);
	c->stack_copy = THREAD_STACKS_TOTAL / n;
	if (c->stack_copy > THREAD_STACK_COPY)
		c->stack_copy = THREAD_STACK_COPY;
	if (c->stack_copy < 4096)
		c->stack_copy = 4096;
	c->stack_buf_size = n * c->stack_copy;
	c->stack_buf = arena_alloc(&c->hc.s->arena, c->stack_buf_size);
	if (!c->stack_buf)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	return 0;
}

/* While stopped: each thread's stack from sp to the end of its mapping, at most
 * stack_copy bytes, in one batch of reads. */
static int
copy_thread_stacks(struct capture *c, struct insp_err *err)
{
	struct mdl_snapshot *s = c->hc.s;
	struct insp_read *reads = calloc(s->nthreads + 1, sizeof(*reads));
	size_t n = 0, off = 0;
	int ret;

	if (!reads)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < s->nthreads; i++) {
		struct insp_thread *t = &s->threads[i];
		uint64_t end = t->regs_ok ? tgt_maps_end(&c->maps, t->sp) : 0;
		size_t len = end - t->sp > c->stack_copy ? c->stack_copy : end - t->sp;

		if (!end || off + len > c->stack_buf_size)
			continue; /* a thread born after the count: no native stack */
		reads[n] = (struct insp_read){ t->sp, c->stack_buf + off, len, false };
		t->stack_addr = t->sp;
		t->stack = c->stack_buf + off;
		t->stack_len = len;
		off += len;
		n++;
	}
	ret = tgt_readv(c->hc.proc, reads, n, err);
	for (size_t i = 0, k = 0; i < s->nthreads && k < n; i++) {
		if (s->threads[i].stack != reads[k].buf)
			continue;
		if (!reads[k].ok)
			s->threads[i].stack = NULL, s->threads[i].stack_len = 0;
		k++;
	}
	free(reads);
	return ret;
}

/* The process stays stopped only inside this function. */
static int
stop_and_copy(struct capture *c, struct insp_host *h, void *state, struct insp_err *err)
{
	struct mdl_snapshot *s = c->hc.s;
	struct tgt_proc *p = c->hc.proc;
	struct timespec now;
	int ret = 0;

	tgt_signals_guard();
	if (tgt_proc_stop(p, err) < 0) {
		ret = -1;
		goto out;
	}
	s->stop_ns = tgt_now_ns();
	clock_gettime(CLOCK_REALTIME, &now);
	s->captured_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	s->threads = arena_alloc(&s->arena, (p->nthreads + 1) * sizeof(*s->threads));
	if (!s->threads) {
		ret = insp_err_set(err, INSP_E_SYS, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].gone)
			s->threads[s->nthreads++] = p->threads[i].info;
	tgt_nsmap_apply(&c->tids, s->threads, s->nthreads);
	h->threads = s->threads;
	h->nthreads = s->nthreads;
	h->stop_ns = s->stop_ns;
	ret = mdl_stop_delay(err);
	if (ret == 0 && c->stack_buf)
		ret = copy_thread_stacks(c, err);
	if (ret == 0)
		ret = s->plugin->capture(state, h, err);
out:
	/* inspect attach: the process waits, stopped, for the session's detach. */
	if (ret == 0 && s->keep_stopped)
		return 0;
	if (tgt_proc_detach(p, ret < 0 ? NULL : err) < 0)
		ret = -1;
	/* A read that failed because the process died is not corruption. */
	if (ret < 0 && err && err->code != INSP_E_INTR && !tgt_proc_alive(p))
		insp_err_set(err, INSP_E_EXITED, "process %d exited while attached", (int)p->pid);
	tgt_signals_restore();
	if (ret == 0 && tgt_signals_pending())
		ret = insp_err_set(err, INSP_E_INTR, "interrupted by signal %d",
				   tgt_signals_pending());
	s->pause_ms = tgt_proc_pause_ms(p);
	return ret;
}

/* A step before the stop failed: if the process has exited meanwhile, that is
 * the diagnosis (exit 3), not what the failed read seemed to show ("a kernel
 * thread?", "not a Go program", "permission denied", "cannot read
 * /proc/PID/maps"; issue 11). */
static void
recheck_exited(struct tgt_proc *p, struct insp_err *err)
{
	if (!err || err->code == INSP_E_EXITED || err->code == INSP_E_INTR ||
	    err->code == INSP_E_USAGE || p->pid <= 0)
		return;
	if (!tgt_proc_alive(p))
		insp_err_set(err, INSP_E_NOPROC, "no such process: %d (it exited)", (int)p->pid);
}

/* Probe the plugins on the executable, with the libraries the process maps on
 * offer; when one says its runtime is in a library, probe again on that library
 * as the image (libs.c). h is set up anew for the image chosen. */
static int
select_runtime(struct capture *c, struct insp_host *h, const struct rt_plugin_set *plugins,
	       struct insp_err *err)
{
	struct mdl_snapshot *s = c->hc.s;

	if (mdl_libs_read(&c->hc, err) < 0)
		return -1;
	mdl_libs_offer(h, &c->hc);
	if (rt_plugins_select(plugins, h, s->pid, &s->plugin, err) < 0)
		return -1;
	if (!c->hc.use_lib)
		return 0;
	if (mdl_libs_switch(&c->hc, err) < 0)
		return -1;
	mdl_host_init(h, &c->hc); /* no libraries on offer: the plugin takes the image */
	return rt_plugins_select(plugins, h, s->pid, &s->plugin, err);
}

/* pid may name any thread: the process is its thread group, with a note. */
static pid_t
resolve_process(pid_t pid, pid_t *given)
{
	pid_t tgid = tgt_tgid_of(pid);

	*given = 0;
	if (tgid <= 0 || tgid == pid)
		return pid;
	*given = pid;
	return tgid;
}

int
mdl_snapshot_capture(struct mdl_snapshot *s, pid_t pid, const struct rt_plugin_set *plugins,
		     struct insp_err *err)
{
	struct tgt_proc *proc = malloc(sizeof(*proc));
	struct capture c = { .hc = { .s = s, .proc = proc } };
	struct insp_host h;
	void *state = NULL;
	char root[64];
	bool recheck = false; /* between the open and the stop: see recheck_exited */
	struct tgt_stat st;
	uint64_t base;
	pid_t given;
	int ret = -1;

	if (!proc)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	*proc = (struct tgt_proc)TGT_PROC_INIT;
	s->arena.cap = SNAPSHOT_CAP;
	pid = resolve_process(pid, &given);
	s->pid = pid;
	if (tgt_proc_open(proc, pid, err) < 0)
		goto out;
	recheck = true;
	if (tgt_stat_read(pid, pid, &st) == 0)
		s->started_ns = tgt_started_ns(&st);
	/* The map bounds what the target's words may claim (plugins size their
	 * buffers by it: host.readable) and where thread stacks end. */
	if (tgt_maps_read(proc->io_tid, &c.maps, err) < 0)
		goto out;
	c.hc.maps = &c.maps;
	s->exe = arena_strdup(&s->arena, proc->exe);
	if (proc->exe_deleted)
		mdl_note(s,
			 "%s was deleted or replaced on disk since process %d started: read "
			 "through /proc/%d/exe",
			 proc->exe, (int)pid, (int)pid);
	tgt_proc_root(proc->io_tid, root, sizeof(root));
	if (img_open(&c.hc.img, proc->exe_open, proc->exe, root, err) < 0)
		goto out;
	if (img_is_pie(c.hc.img)) {
		if (tgt_proc_exe_base(proc, &base, err) < 0)
			goto out;
		img_set_bias(c.hc.img, base - img_link_base(c.hc.img));
	}
	mdl_host_init(&h, &c.hc);
	if (given)
		h.note(h.ctx, "%d is a thread of process %d: inspecting the process", (int)given,
		       (int)pid);
	if (select_runtime(&c, &h, plugins, err) < 0)
		goto out;
	h.max_frames = s->max_frames;
	if (img_debug_file(c.hc.img))
		s->debug_file = arena_strdup(&s->arena, img_debug_file(c.hc.img));
	if (img_debug_rejected(c.hc.img))
		h.note(h.ctx, "%s", img_debug_rejected(c.hc.img));
	if (s->plugin->prepare(&h, &state, err) < 0)
		goto out;
	if ((s->max_frames || s->threads_wanted) && reserve_thread_stacks(&c, err) < 0)
		goto out;
	if (tgt_nsmap_read(pid, &c.tids, err) < 0)
		goto out;
	recheck = false; /* stop_and_copy says itself when the process exited */
	if (stop_and_copy(&c, &h, state, err) < 0)
		goto out;
	s->io_tid = proc->io_tid;
	if (s->plugin->decode(state, &h, err) < 0)
		goto out;
	s->plugin_state = state;
	if ((s->threads_wanted || s->max_frames) &&
	    mdl_threads_unwind(s, s->max_frames ? s->max_frames : MDL_THREAD_FRAMES, err) < 0)
		goto out;
	if (s->alloc_failed) {
		insp_err_set(err, INSP_E_CORRUPT,
			     "process %d: its tasks take more than %zu MiB: its memory looks "
			     "corrupt",
			     (int)pid, SNAPSHOT_CAP >> 20);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0 && recheck)
		recheck_exited(proc, err);
	/* The plugin's state lives with the snapshot once decoded: symbolize()
	 * serves the native walks, and task strings may point into it. */
	if (!s->plugin_state && s->plugin && state)
		s->plugin->release(state);
	if (ret == 0 && s->keep_stopped) {
		s->proc = proc; /* mdl_snapshot_detach lets it go */
	} else {
		tgt_proc_release(proc);
		free(proc);
		if (s->keep_stopped)
			tgt_signals_restore(); /* stop_and_copy left the guard to the detach */
	}
	tgt_maps_release(&c.maps);
	tgt_nsmap_release(&c.tids);
	mdl_libs_release(&c.hc);
	s->img = c.hc.img;
	return ret;
}

int
mdl_snapshot_detach(struct mdl_snapshot *s, struct insp_err *err)
{
	int ret;

	if (!s->proc)
		return 0;
	/* A process that died while held is not "detached": say it exited. */
	ret = tgt_proc_held(s->proc, err);
	if (tgt_proc_detach(s->proc, ret < 0 ? NULL : err) < 0)
		ret = -1;
	tgt_signals_restore();
	s->pause_ms = tgt_proc_pause_ms(s->proc);
	tgt_proc_release(s->proc);
	free(s->proc);
	s->proc = NULL;
	return ret;
}

int
mdl_snapshot_held(struct mdl_snapshot *s, struct insp_err *err)
{
	return s->proc ? tgt_proc_held(s->proc, err) : 0;
}

double
mdl_snapshot_stopped_ms(const struct mdl_snapshot *s)
{
	if (!s->proc)
		return s->pause_ms;
	return (double)(tgt_now_ns() - s->proc->stop_begin_ns) / 1e6;
}

void
mdl_snapshot_release(struct mdl_snapshot *s)
{
	mdl_snapshot_detach(s, NULL);
	if (s->plugin && s->plugin_state)
		s->plugin->release(s->plugin_state);
	img_close(s->img);
	free(s->tasks);
	free(s->reasons);
	free(s->notes);
	arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

const char *
mdl_info(const struct mdl_snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->ninfo; i++)
		if (strcmp(s->info[i].key, key) == 0)
			return s->info[i].value;
	return NULL;
}
