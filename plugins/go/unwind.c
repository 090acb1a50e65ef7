/* Physical-frame unwinding of a goroutine stack by pcsp (amd64), over a copy of
 * the stack bytes: the Go runtime's own traceback rule, done from outside; and
 * where C code that called Go back stands on its thread's stack.
 * Part of plugins/go. Never reads the target, prints or exits; a walk is bounded
 * by max and by sp rising through the copy, so corrupt stacks cannot loop.
 * SPDX-License-Identifier: MIT */
#include "unwind.h"

#include <stdio.h>

/*
 * amd64 has no link register: a CALL pushes the return address, so in a frame
 * whose pcsp value at pc is d (bytes the function has pushed or reserved since
 * entry), the caller's SP after its CALL returns is fp = sp + d + 8 and the
 * return address is the word at fp - 8. The pcsp lookup takes the pc itself,
 * also for a return address (not pc - 1): the CALL has completed there, and the
 * runtime's traceback (runtime/traceback.go, unwinder.resolveInternal) does the
 * same. Symbolization, not unwinding, wants pc - 1, except in the caller of
 * an injected call (sigpanic, asyncPreempt), whose pc is the instruction that
 * faulted or was interrupted.
 */

/* Why a walk stopped early: one per thread, so concurrent walks do not mix. */
static _Thread_local char whybuf[96];

static int
stop(const char **why, const char *msg, int n)
{
	if (why)
		*why = msg;
	return n;
}

/* The 8-byte little-endian word at addr, if [addr, addr+8) is in the copy. */
static bool
word(const struct gort_stack *stk, uint64_t addr, uint64_t *v)
{
	const uint8_t *p;
	uint64_t off;
	int i;

	if (addr < stk->addr || addr - stk->addr > stk->len || stk->len - (addr - stk->addr) < 8)
		return false;
	off = addr - stk->addr;
	p = stk->bytes + off;
	*v = 0;
	for (i = 7; i >= 0; i--)
		*v = *v << 8 | p[i];
	return true;
}

int
gort_unwind(const struct gort_pclntab *t, uint64_t pc, uint64_t sp, bool innermost_is_call_site,
	    const struct gort_stack *stk, struct gort_pframe *out, int max, const char **why)
{
	struct gort_func f;
	int32_t delta;
	uint64_t fp, ret;
	bool cs = innermost_is_call_site;
	int n = 0;

	if (why)
		*why = NULL;
	if (gort_pclntab_quantum(t) != 1)
		return stop(why, "pcsp unwinding is for amd64 only", 0);
	for (;;) {
		if (gort_pclntab_find(t, pc, &f) < 0) {
			snprintf(whybuf, sizeof(whybuf), "unknown pc 0x%llx",
				 (unsigned long long)pc);
			return stop(why, whybuf, n);
		}
		if (n >= max)
			return stop(why, "too many frames", n);
		out[n].pc = pc;
		out[n].sp = sp;
		out[n].call_site = cs;
		out[n].kind = f.kind;
		out[n].entry = f.entry;
		n++;
		if (f.flag & GORT_FUNC_TOPFRAME)
			return n;
		/* Such a function (mcall, morestack, systemstack, gogo, ...) sets
		 * SP to something its pcsp table cannot describe. Innermost, it
		 * is assumed to be still in its stack-growth check, before any
		 * such write: the runtime's precise GC scan makes the same guess
		 * (runtime/traceback.go, unwinder.resolveInternal). On a g0 stack
		 * the caller continues from curg.sched, as the runtime does.
		 * cgocallback is the exception the runtime makes: on the
		 * goroutine's stack it opens a frame of its g0 frame's size whose
		 * return address is the goroutine's sched.pc before the call into
		 * C (asm_amd64.s), so the walk goes on to the Go code that called C. */
		if ((f.flag & GORT_FUNC_SPWRITE) && n > 1 && f.kind != GORT_KIND_CGOCALLBACK) {
			snprintf(whybuf, sizeof(whybuf), "cannot unwind past %.40s (writes SP)",
				 f.name);
			return stop(why, whybuf, n);
		}
		if (gort_pclntab_spdelta(t, &f, pc, &delta) < 0) {
			snprintf(whybuf, sizeof(whybuf), "no frame size at pc 0x%llx",
				 (unsigned long long)pc);
			return stop(why, whybuf, n);
		}
		/* fp > sp for any delta >= 0; pcsp values are never negative */
		if (delta < 0 || (uint64_t)delta + 8 > UINT64_MAX - sp)
			return stop(why, "sp does not increase", n);
		fp = sp + (uint64_t)delta + 8;
		if (!word(stk, fp - 8, &ret))
			return stop(why, "stack copy ends", n);
		pc = ret;
		sp = fp;
		/* A signal handler made the callee look called from the pc the
		 * thread was stopped at: a fault or a preemption point, not a
		 * return address (traceback.go, unwinder.symPC). */
		cs = f.kind != GORT_KIND_INJECTED;
	}
}

/* The caller's frame address of the frame of f at (pc, sp), by pcsp. */
static bool
frame_top(const struct gort_pclntab *t, const struct gort_func *f, uint64_t pc, uint64_t sp,
	  uint64_t *fp)
{
	int32_t delta;

	if (gort_pclntab_spdelta(t, f, pc, &delta) < 0 || delta < 0 ||
	    (uint64_t)delta + 8 > UINT64_MAX - sp)
		return false;
	*fp = sp + (uint64_t)delta + 8;
	return true;
}

int
gort_unwind_cgo(const struct gort_pclntab *t, uint64_t pc, uint64_t g0_sp,
		const struct gort_stack *thr, struct gort_cgo_link *l)
{
	struct gort_func cb, cross, c;
	uint64_t fp, fp2;

	/* cgocallback's g0 frame: the old g0 sp at 0(SP), the caller's rbp
	 * where its prologue saved it (fp-16: it has a frame), and its return
	 * address into crosscall2. */
	if (!g0_sp || gort_pclntab_find(t, pc, &cb) < 0 || cb.kind != GORT_KIND_CGOCALLBACK ||
	    !frame_top(t, &cb, pc, g0_sp, &fp) || fp - g0_sp < 16 ||
	    !word(thr, g0_sp, &l->next_g0_sp) || !word(thr, fp - 16, &l->fp) ||
	    !word(thr, fp - 8, &l->cross.pc))
		return -1;
	if (gort_pclntab_find(t, l->cross.pc, &cross) < 0 || cross.kind != GORT_KIND_CROSSCALL2 ||
	    !frame_top(t, &cross, l->cross.pc, fp, &fp2) || !word(thr, fp2 - 8, &l->pc))
		return -1;
	/* crosscall2 is called by C: its return address is in no Go function */
	if (gort_pclntab_find(t, l->pc, &c) == 0)
		return -1;
	l->cross.sp = fp;
	l->cross.call_site = true;
	l->cross.kind = GORT_KIND_CROSSCALL2;
	l->sp = fp2;
	return 0;
}
