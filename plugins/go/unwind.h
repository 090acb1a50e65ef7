/* Physical-frame unwinding of a goroutine stack by the pclntab's pcsp tables
 * (amd64), over a copy of the stack bytes taken while the target was stopped,
 * and the C side of a callback from C on its thread's stack.
 * Part of plugins/go. Never reads the target, prints or exits.
 * SPDX-License-Identifier: MIT */
#ifndef GORT_UNWIND_H
#define GORT_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pclntab.h"

/* bytes: a copy of target memory [addr, addr+len), owned by the caller. */
struct gort_stack {
	uint64_t addr;
	const uint8_t *bytes;
	size_t len;
};

struct gort_pframe {
	uint64_t pc, sp;
	bool call_site; /* pc is a return address: symbolize pc-1 (gort_pclntab_frames) */
	uint8_t kind;   /* its function's enum gort_func_kind */
	uint64_t entry; /* its function's first instruction */
};

/* Where C code that called Go back stands on the thread's stack. */
struct gort_cgo_link {
	struct gort_pframe cross; /* crosscall2, the entry from C, on the thread's stack */
	uint64_t pc, sp, fp;      /* the C caller: return address, sp after it, rbp */
	uint64_t next_g0_sp;      /* g0's sp before this callback: the next one's, outward */
};

/* Walk the physical frames from (pc, sp), innermost first, into out[0..max).
 * innermost_is_call_site: true for a parked goroutine (its sched.pc is a return
 * address), false for the registers of a running thread.
 * Returns the number of frames written. The walk ends cleanly (*why = NULL) at a
 * TOPFRAME function (runtime.goexit, mstart, rt0_go), which is included. It ends
 * early, with *why saying why, after max frames, at a pc in no function (not
 * included), when a read leaves the stack copy, after an SPWRITE function that is
 * not innermost (included, as the runtime shows it), or when sp does not
 * increase. *why is a static string or a thread-local buffer valid until the
 * next call in the same thread; why may be NULL. Only amd64 (pc quantum 1). */
int gort_unwind(const struct gort_pclntab *t, uint64_t pc, uint64_t sp, bool innermost_is_call_site,
		const struct gort_stack *stk, struct gort_pframe *out, int max, const char **why);

/* The C side of a runtime.cgocallback frame at pc (on the goroutine's stack).
 * The M's g0 stack, thr, holds cgocallback's frame of the same size at g0_sp
 * (g0.sched.sp for the innermost callback, else the previous link's
 * next_g0_sp), with the g0 sp before the callback in its first word and
 * crosscall2 as its caller (runtime asm_amd64.s cgocallback, runtime/cgo
 * asm_amd64.s crosscall2, Go 1.19 to 1.26). 0 and *l, or -1 if the words
 * there do not hold that (not a call from C, or the copy ends). */
int gort_unwind_cgo(const struct gort_pclntab *t, uint64_t pc, uint64_t g0_sp,
		    const struct gort_stack *thr, struct gort_cgo_link *l);

#endif
