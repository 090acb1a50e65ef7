/* The model layer's OS threads: each thread's native stack, from the registers and
 * stack copy taken while stopped, walked by the unwind layer and named by the
 * plugin (the runtime's code) or by the ELF symbols of the module (C code). A task
 * whose thread is inside C code (a cgo call) gets those C frames on top of its own;
 * one that C code called (a callback) gets them after the frame the plugin marks.
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <stdlib.h>
#include <string.h>

#include "unwind/unwind.h"

#define MAX_INLINE 16

static const char *
copy(struct mdl_snapshot *s, const char *str)
{
	return str ? arena_strdup(&s->arena, str) : NULL;
}

/* The frames at one native pc: the plugin's (inlined calls expanded), else the
 * module's symbol; strings from the unwinder are copied, it goes first. */
static int
name_frame(struct mdl_snapshot *s, struct uw_native *u, const struct uw_frame *f,
	   struct insp_frame *out, int room)
{
	const char *func, *module, *file;
	int line, n = 0;

	if (s->plugin->symbolize)
		n = s->plugin->symbolize(s->plugin_state, f->pc, f->call_site, out, room);
	if (n > 0)
		return n;
	memset(out, 0, sizeof(*out));
	out->loc.pc = f->pc;
	out->native = true;
	if (uw_native_symbol(u, f, &func, &module, &file, &line) == 0) {
		out->loc.func = copy(s, func ? func : "??");
		out->loc.file = copy(s, file ? file : module);
		out->loc.line = file ? (uint32_t)line : 0;
	}
	return 1;
}

static const struct insp_task *
task_on(const struct mdl_snapshot *s, int32_t tid)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i]->tid == tid)
			return s->tasks[i];
	return NULL;
}

/* A cgo call: the thread's first frames are native; they go on top of the task. */
static void
prepend_native(struct mdl_snapshot *s, const struct mdl_thread *th)
{
	struct insp_task *t = (struct insp_task *)th->task;
	struct insp_frame *all;
	uint32_t n = 0;

	while (n < th->nframes && th->frames[n].native)
		n++;
	if (!t || !n || n == th->nframes)
		return; /* no C frames, or no way back into the runtime's code */
	all = arena_alloc(&s->arena, (n + t->nframes) * sizeof(*all));
	if (!all)
		return;
	memcpy(all, th->frames, n * sizeof(*all));
	if (t->nframes)
		memcpy(all + n, t->frames, t->nframes * sizeof(*all));
	t->frames = all;
	t->nframes += n;
	t->top = all[0].loc;
}

/* A task whose frames native code called (C calling Go back: the frame's
 * caller_pc): those native frames, walked from the state the plugin found on
 * the thread's stack up to the runtime's code that called them, go right after
 * that frame, within max frames in all. pcs holds max, buf MAX_INLINE. */
static void
insert_callers(struct mdl_snapshot *s, struct uw_native *u, struct insp_task *t, uint32_t max,
	       struct uw_frame *pcs, struct insp_frame *buf)
{
	struct insp_frame *all;
	uint32_t i, n = 0;

	for (i = 0; i < t->nframes && !t->frames[i].caller_pc; i++)
		;
	if (i == t->nframes || !(all = arena_alloc(&s->arena, max * sizeof(*all))))
		return;
	for (i = 0; i < t->nframes && n < max; i++) {
		const struct insp_frame *f = &t->frames[i];
		const char *why;
		int k;

		all[n++] = *f;
		if (!f->caller_pc)
			continue;
		k = uw_native_frames_from(u, f->caller_pc, f->caller_sp, f->caller_fp, pcs,
					  (int)max, &why);
		for (int j = 0; j < k && n < max; j++) {
			name_frame(s, u, &pcs[j], buf, MAX_INLINE);
			if (!buf[0].native)
				break; /* the runtime's code: the task's own frames go on */
			all[n++] = buf[0];
		}
	}
	if (i < t->nframes)
		t->frames_cut = true;
	t->frames = all;
	t->nframes = n;
}

int
mdl_threads_unwind(struct mdl_snapshot *s, uint32_t max, struct insp_err *err)
{
	struct uw_frame *pcs = malloc((max + 1) * sizeof(*pcs));
	struct insp_frame *buf = malloc((max + MAX_INLINE) * sizeof(*buf));
	struct uw_native *u = NULL;
	int ret = -1;

	s->native = arena_alloc(&s->arena, (s->nthreads + 1) * sizeof(*s->native));
	if (!pcs || !buf || !s->native) {
		insp_err_set(err, INSP_E_SYS, "out of memory");
		goto out;
	}
	if (uw_native_open(&u, s->io_tid ? s->io_tid : s->pid, s->threads, s->nthreads, err) < 0) {
		/* The walk reads the files the process maps, after the detach: one
		 * that exited since lost them, not its copied goroutines. */
		if (tgt_live_thread(s->pid))
			goto out;
		mdl_note(s, "process %d exited after the capture: native frames were not walked",
			 (int)s->pid);
		for (size_t i = 0; i < s->nthreads; i++)
			s->native[i] = (struct mdl_thread){
				.thread = &s->threads[i],
				.task = task_on(s, s->threads[i].tid),
				.why = "not walked: the process exited after the capture",
			};
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < s->nthreads; i++) {
		struct mdl_thread *th = &s->native[i];
		const char *why = NULL;
		uint32_t nf = 0;
		int n;

		th->thread = &s->threads[i];
		th->task = task_on(s, s->threads[i].tid);
		if (!s->threads[i].regs_ok) {
			th->why = "its registers could not be read";
			continue;
		}
		n = uw_native_frames(u, s->threads[i].tid, pcs, (int)max, &why);
		for (int k = 0; k < n && nf < max; k++) {
			nf += (uint32_t)name_frame(s, u, &pcs[k], buf + nf, MAX_INLINE);
			if (buf[nf - 1].bottom) {
				why = NULL; /* the walk's own end */
				break;
			}
		}
		if (nf > max)
			nf = max;
		th->frames = arena_alloc(&s->arena, (nf + 1) * sizeof(*buf));
		if (!th->frames)
			break;
		memcpy((void *)th->frames, buf, nf * sizeof(*buf));
		th->nframes = nf;
		th->why = copy(s, why);
		prepend_native(s, th);
	}
	for (size_t i = 0; s->max_frames && i < s->ntasks; i++)
		insert_callers(s, u, s->tasks[i], s->max_frames, pcs, buf);
	for (size_t i = 0; uw_native_missing(u, i); i++)
		mdl_note(s, "cannot open %s: native frames in it are unnamed and end there",
			 uw_native_missing(u, i));
	ret = 0;
out:
	uw_native_close(u);
	free(pcs);
	free(buf);
	return ret;
}
