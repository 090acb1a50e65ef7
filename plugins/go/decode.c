/* The Go plugin's decoder: after the detach, turn the copied g structs and stacks
 * into tasks: id, state, wait reason, wait time, innermost and innermost user
 * frame (pcsp unwinding and pclntab symbols, inlined calls expanded), creator and
 * start function, and the thread that runs it.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unwind.h"

#define MAX_PFRAMES 100
#define MAX_LFRAMES 16 /* logical frames at one pc: a deep inline chain */

static const char *const status_words[] = {
	[0] = "idle",    [1] = "runnable",  [2] = "running",   [3] = "syscall",
	[4] = "waiting", [8] = "copystack", [9] = "preempted", [10] = "leaked",
};

/* The runtime's isSystemGoroutine, by start function: runtime.* but for main,
 * handleAsyncEvent and coroutines. */
static bool
is_system(const char *start)
{
	return start && strncmp(start, "runtime.", 8) == 0 && strcmp(start, "runtime.main") != 0 &&
	       strcmp(start, "runtime.handleAsyncEvent") != 0 &&
	       strcmp(start, "runtime.corostart") != 0;
}

/* A GC mark worker, by start function: gcStart makes them before the first
 * cycle's mark phase and they never exit (mgc.go gcBgMarkStartWorkers: `go
 * gcBgMarkWorker(...)`, which Go 1.21+ starts through the wrapper
 * gcBgMarkStartWorkers.gowrap1). None: no GC cycle has started (gccount.c). */
static bool
is_gc_worker(const char *start)
{
	return start && (strcmp(start, "runtime.gcBgMarkWorker") == 0 ||
			 strncmp(start, "runtime.gcBgMarkStartWorkers.", 29) == 0);
}

static void
set_loc(struct insp_loc *loc, const struct gort_srcframe *f, uint64_t pc)
{
	loc->func = f->func;
	loc->file = f->file;
	loc->line = f->line;
	loc->pc = pc;
}

/* The innermost logical frame at pc. */
static void
locate(const struct gort_state *st, uint64_t pc, bool call_site, struct insp_loc *loc)
{
	struct gort_srcframe f[MAX_LFRAMES];

	if (pc && gort_frames(st, pc, call_site, f, MAX_LFRAMES) > 0)
		set_loc(loc, &f[0], pc);
	else
		loc->pc = pc;
}

/* The go statement at pc that created t: go_pc (the innermost logical frame),
 * and, as Go's traceback names the creator, the physical function there and
 * its entry (traceback.go printcreatedby1: funcname(findfunc(pc))). */
static void
locate_creator(const struct gort_state *st, uint64_t pc, struct insp_task *t)
{
	struct gort_srcframe f[MAX_LFRAMES];
	struct gort_func fn;
	int n = pc ? gort_frames(st, pc, true, f, MAX_LFRAMES) : 0;

	t->go_pc.pc = pc;
	if (n <= 0)
		return;
	set_loc(&t->go_pc, &f[0], pc);
	if (!f[n - 1].inlined) /* else the chain was longer than f */
		t->go_func = f[n - 1].func;
	if (gort_pclntab_find(st->pcln, pc, &fn) == 0)
		t->go_entry = fn.entry;
}

/* Scratch for one walk, sized once per decode. */
struct walk_buf {
	struct gort_pframe *pf;
	int npf; /* capacity */
	struct insp_frame *frames;
	uint32_t nframes; /* capacity: the host's max_frames */
};

/* Keep the walk's frames in the snapshot. */
static int
keep_frames(const struct insp_host *h, const struct walk_buf *wb, uint32_t n, struct insp_task *t)
{
	struct insp_frame *f;

	if (!n)
		return 0;
	f = h->alloc(h->ctx, n * sizeof(*f));
	if (!f)
		return -1;
	memcpy(f, wb->frames, n * sizeof(*f));
	t->frames = f;
	t->nframes = n;
	return 0;
}

/* The thread stack of a goroutine's M (its locked M: C called it back there)
 * and its g0's sp, for the C side of runtime.cgocallback frames; false if the
 * host copied no stack of that thread. */
static bool
m_stack(const struct gort_state *st, const struct insp_host *h, const uint8_t *g,
	struct gort_stack *thr, uint64_t *g0_sp)
{
	uint64_t m = gort_u64(g + st->l.g_lockedm);

	if (!m)
		m = gort_u64(g + st->l.g_m);
	for (size_t k = 0; m && k < st->nms; k++) {
		const struct insp_thread *th;

		if (st->ms[k].addr != m || !(th = gort_thread_of_procid(h, st->ms[k].procid)) ||
		    !th->stack)
			continue;
		*thr = (struct gort_stack){ th->stack_addr, th->stack, th->stack_len };
		*g0_sp = st->ms[k].g0_sp;
		return true;
	}
	return false;
}

/* After a runtime.cgocallback frame: crosscall2, the entry from C, on the
 * thread's stack, with the C caller for the host to walk (native frames), in
 * out[0..room): the frames written, 0 if none (or no room). The next callback
 * outward has its g0 frame at *g0_sp then; 0 once the chain does not hold. */
static uint32_t
cgo_caller(const struct gort_state *st, const struct gort_pframe *cb, const struct gort_stack *thr,
	   uint64_t *g0_sp, struct insp_frame *out, uint32_t room)
{
	struct gort_srcframe lf[MAX_LFRAMES];
	struct gort_cgo_link l;
	int k;

	if (gort_unwind_cgo(st->pcln, cb->pc, *g0_sp, thr, &l) < 0) {
		*g0_sp = 0;
		return 0;
	}
	*g0_sp = l.next_g0_sp;
	k = gort_frames(st, l.cross.pc, true, lf, MAX_LFRAMES);
	if (k < 1 || (uint32_t)k > room)
		return 0;
	for (int j = 0; j < k; j++) {
		out[j] = (struct insp_frame){
			.inlined = lf[j].inlined,
			.native = true, /* on the thread's stack, not the goroutine's */
			.call_site = true,
			.cfa = l.sp,
		};
		set_loc(&out[j].loc, &lf[j], l.cross.pc);
		if (j == k - 1) {
			out[j].caller_pc = l.pc;
			out[j].caller_sp = l.sp;
			out[j].caller_fp = l.fp;
		}
	}
	return (uint32_t)k;
}

/* Walk the stack for the top frame, the user frame (the innermost frame of the
 * program's own code, else the innermost of the standard library outside the
 * runtime's private part and its linkname shims: sync.(*Cond).Wait, not
 * sync.runtime_notifyListWait; owner.c) and, when the host keeps frames, every
 * frame with inlined calls as frames of their own. */
static const char *
walk(const struct gort_state *st, const struct insp_host *h, struct walk_buf *wb,
     const struct gort_gstack *s, const uint8_t *g, struct insp_task *t)
{
	struct gort_srcframe lf[MAX_LFRAMES];
	struct gort_stack stk = { s->sp, s->bytes, s->len }, thr;
	const char *why = NULL;
	struct gort_shown shown = { 0 };
	bool cgo = false;
	uint32_t nf = 0;
	uint64_t g0_sp = 0;
	int n;

	if (!s->ok) {
		locate(st, s->pc, s->call_site, &t->top);
		if (s->over_cap)
			return "its stack was not copied: the stacks before it filled the copy "
			       "limit";
		if (s->overlap)
			return "its stack was not copied: its bounds overlap another goroutine's "
			       "stack";
		if (s->bad_bounds)
			return "its stack was not copied: its bounds are no stack's (corrupt)";
		return s->len ? "its stack could not be read" : "its stack is outside its bounds";
	}
	n = gort_unwind(st->pcln, s->pc, s->sp, s->call_site, &stk, wb->pf, wb->npf, &why);
	for (int i = 0; i < n && !(shown.done && !wb->nframes); i++) {
		int k = gort_frames(st, wb->pf[i].pc, wb->pf[i].call_site, lf, MAX_LFRAMES);

		for (int j = 0; j < k; j++) {
			if (nf < wb->nframes) {
				wb->frames[nf] = (struct insp_frame){
					.inlined = lf[j].inlined,
					.wrapper = lf[j].wrapper,
					.call_site = wb->pf[i].call_site,
					/* the caller's sp; the outermost has none */
					.cfa = i + 1 < n ? wb->pf[i + 1].sp : 0,
					.entry = wb->pf[i].entry,
				};
				set_loc(&wb->frames[nf++].loc, &lf[j], wb->pf[i].pc);
			} else if (wb->nframes) {
				t->frames_cut = true;
			}
			if (!t->top.func)
				set_loc(&t->top, &lf[j], wb->pf[i].pc);
			if (gort_shown_take(&st->whose, &shown, lf[j].func, lf[j].file,
					    lf[j].wrapper))
				set_loc(&t->user_top, &lf[j], wb->pf[i].pc);
		}
		if (wb->pf[i].kind != GORT_KIND_CGOCALLBACK || !wb->nframes)
			continue;
		/* the innermost callback: its M's g0 sp; the others follow it */
		if (!cgo && !m_stack(st, h, g, &thr, &g0_sp))
			g0_sp = 0;
		cgo = true;
		if (g0_sp && nf == wb->nframes)
			t->frames_cut = true;
		else if (g0_sp)
			nf += cgo_caller(st, &wb->pf[i], &thr, &g0_sp, wb->frames + nf,
					 wb->nframes - nf);
	}
	if (!t->top.func)
		locate(st, s->pc, s->call_site, &t->top);
	/* Cut by the frame limit, not ended early: that is the note's to say. */
	if (wb->nframes && n == wb->npf)
		t->frames_cut = true;
	if (keep_frames(h, wb, nf, t) < 0)
		return "out of memory for its frames";
	return n < wb->npf ? why : NULL;
}

static int
decode_one(const struct gort_state *st, const struct insp_host *h, struct walk_buf *wb, uint64_t i,
	   bool *gc_workers)
{
	const struct gort_layout *l = &st->l;
	const uint8_t *g = st->gbytes + i * l->g_size;
	uint32_t status = gort_g_status(l, g);
	int64_t since = (int64_t)gort_u64(g + l->g_waitsince);
	struct insp_task *t = h->add_task(h->ctx);
	const char *why;

	if (!t)
		return -1;
	t->id = gort_u64(g + l->g_goid);
	t->state = status_words[status]; /* the caller checked it is one */
	if (gort_words(st, h, i, status, t) < 0)
		return -1;
	/* waitsince: nanotime() of the end of the GC cycle before the one that
	 * found it waiting (gccount.c); 0 until a cycle stamps it. */
	if (since > 0 && since < h->stop_ns &&
	    (status == GORT_G_WAITING || status == GORT_G_SYSCALL))
		t->wait_ns = h->stop_ns - since;
	for (size_t k = 0; k < st->nms; k++) {
		if (st->ms[k].curg == st->gaddrs[i]) {
			/* procid is the target's own PID namespace's id: report ours */
			const struct insp_thread *th = gort_thread_of_procid(h, st->ms[k].procid);

			t->tid = th ? th->tid : (int32_t)st->ms[k].procid;
			t->flags |= INSP_TASK_ON_THREAD;
		}
	}
	if (gort_u64(g + l->g_lockedm))
		t->flags |= INSP_TASK_LOCKED;
	locate_creator(st, gort_u64(g + l->g_gopc), t);
	/* The main goroutine is started by rt0_go's call of newproc, not by a go
	 * statement: its gopc names newproc itself. */
	if (t->go_pc.func && strcmp(t->go_pc.func, "runtime.newproc") == 0) {
		memset(&t->go_pc, 0, sizeof(t->go_pc));
		t->go_func = NULL;
		t->go_entry = 0;
	}
	locate(st, gort_u64(g + l->g_startpc), false, &t->start);
	if (is_system(t->start.func))
		t->flags |= INSP_TASK_SYSTEM;
	if (is_gc_worker(t->start.func))
		*gc_workers = true;
	if (l->g_parent_goid != GORT_NONE)
		t->parent_id = gort_u64(g + l->g_parent_goid);
	if (gort_labels_of(st, h, g, t) < 0)
		return -1;
	why = walk(st, h, wb, &st->stacks[i], g, t);
	if (why) {
		char *note = h->alloc(h->ctx, strlen(why) + 1);

		if (note)
			t->note = strcpy(note, why);
	}
	return 0;
}

int
gort_registry_decode(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	struct walk_buf wb = { NULL, 0, NULL, h->max_frames };
	size_t unreadable = 0, unknown = 0, over_cap = 0, overlap = 0;
	int ret = 0;

	/* One physical frame more than kept tells whether the stack goes on. */
	wb.npf = h->max_frames + 1 > MAX_PFRAMES ? (int)h->max_frames + 1 : MAX_PFRAMES;
	wb.pf = malloc((size_t)wb.npf * sizeof(*wb.pf));
	wb.frames = malloc(((size_t)h->max_frames + 1) * sizeof(*wb.frames));
	if (!wb.pf || !wb.frames) {
		free(wb.pf);
		free(wb.frames);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	for (uint64_t i = 0; i < st->nallg; i++) {
		const uint8_t *g = st->gbytes + i * st->l.g_size;
		uint32_t status;

		if (!st->gok[i]) {
			unreadable++;
			continue;
		}
		status = gort_g_status(&st->l, g);
		if (!gort_g_exists(status))
			continue;
		if (status >= sizeof(status_words) / sizeof(status_words[0]) ||
		    !status_words[status]) {
			unknown++;
			continue;
		}
		over_cap += st->stacks[i].over_cap;
		overlap += st->stacks[i].overlap;
		if (decode_one(st, h, &wb, i, &st->gc_workers) < 0) {
			ret = insp_err_set(err, INSP_E_CORRUPT,
					   "too many goroutines to hold (%llu in allgs)",
					   (unsigned long long)st->nallg);
			break;
		}
	}
	free(wb.pf);
	free(wb.frames);
	if (ret < 0)
		return -1;
	if (unreadable)
		h->note(h->ctx, "%zu of %llu g structs could not be read", unreadable,
			(unsigned long long)st->nallg);
	if (unknown)
		h->note(h->ctx, "%zu of %llu g structs have a status no Go release uses: left out",
			unknown, (unsigned long long)st->nallg);
	gort_allgs_notes(st, h);
	if (overlap)
		h->note(h->ctx,
			"the stacks of %zu goroutines were not copied: their bounds overlap "
			"another goroutine's stack (corrupt g structs?)",
			overlap);
	if (over_cap)
		h->note(h->ctx,
			"the stacks of %zu goroutines were not copied: they did not fit in the "
			"%zu MiB reserved before the stop",
			over_cap, st->stack_cap >> 20);
	return 0;
}
