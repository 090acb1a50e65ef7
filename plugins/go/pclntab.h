/* The Go pclntab of one module, decoded from a copy of its bytes: functions by pc
 * and by name, pc-value tables (frame size, file:line) and inline trees.
 * Part of plugins/go. Never reads the target, prints or exits; every read is
 * checked against the buffers it was given, so corrupt bytes give -1, not a crash.
 * SPDX-License-Identifier: MIT */
#ifndef GORT_PCLNTAB_H
#define GORT_PCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/err.h"

/* Opaque. It borrows the bytes given to open() and set_funcdata(): they must
 * outlive it, and every string it returns points into them. */
struct gort_pclntab;

/* Decode the pcHeader at data[0] (the ELF section .gopclntab, or
 * .data.rel.ro.gopclntab in RELRO builds of Go 1.19-1.25) and check the layout of
 * its tables. Go 1.18-1.26 (magic 0xfffffff0, 0xfffffff1) with 8-byte pointers.
 * text: runtime address of the start of Go text (moduledata.text, or the symbol
 * runtime.text plus the load bias); 0 takes pcHeader.textStart, which is 0 in
 * Go 1.26 and unrelocated in the file of a PIE, so pass text when you have it.
 * Returns 0 and *out (free with gort_pclntab_free), or -1 with err:
 * INSP_E_LAYOUT for a format we do not read, INSP_E_CORRUPT for bad bytes,
 * INSP_E_SYS if out of memory. */
int gort_pclntab_open(struct gort_pclntab **out, const uint8_t *data, size_t size, uint64_t text,
		      struct insp_err *err);
/* Safe with NULL. */
void gort_pclntab_free(struct gort_pclntab *t);

/* Give the bytes that hold the module's FUNCDATA (go:func.*; go.func.* before Go
 * 1.20): data is a copy of target memory [addr, addr+size) and gofunc the
 * runtime address of go:func.* (moduledata.gofunc, or the symbol plus the load
 * bias). Go 1.19-1.25 put it in .rodata; Go 1.26 puts it inside .gopclntab, so
 * there the pclntab bytes themselves may be passed. Without it frames() cannot
 * name inlined calls (see there). Returns 0, or -1 with INSP_E_CORRUPT if gofunc
 * is not inside [addr, addr+size). */
int gort_pclntab_set_funcdata(struct gort_pclntab *t, const uint8_t *data, size_t size,
			      uint64_t addr, uint64_t gofunc, struct insp_err *err);

/* PC quantum (pcHeader.minLC): 1 on amd64 and 386, 4 on arm64. */
unsigned gort_pclntab_quantum(const struct gort_pclntab *t);
/* Number of functions in the function table. */
size_t gort_pclntab_nfunc(const struct gort_pclntab *t);

enum gort_func_flags {
	GORT_FUNC_TOPFRAME = 1 << 0, /* bottom of a stack: runtime.goexit, mstart, rt0_go */
	GORT_FUNC_SPWRITE = 1 << 1,  /* writes SP: unwinding past it cannot be trusted */
	GORT_FUNC_ASM = 1 << 2,      /* written in assembly */
};

/* Functions an unwinder treats apart, known by name: the runtime gives each its
 * own funcID (cmd/internal/objabi/funcid.go), whose numbers move between
 * releases, and its traceback (runtime/traceback.go) tests those IDs. */
enum gort_func_kind {
	GORT_KIND_NORMAL = 0,
	/* runtime.sigpanic, asyncPreempt, debugCallV2: calls injected by a signal
	 * handler, so the caller's pc is the instruction it was stopped at (a fault,
	 * a preemption), not a return address (traceback.go isInjectedCall) */
	GORT_KIND_INJECTED,
	/* runtime.cgocallback: C calls Go here; it writes SP, but keeps a frame
	 * both stacks can be unwound through (traceback.go resolveInternal) */
	GORT_KIND_CGOCALLBACK,
	/* crosscall2 (runtime/cgo): the entry from C code, which calls cgocallback */
	GORT_KIND_CROSSCALL2,
};

/* A function. name points into the pclntab bytes. */
struct gort_func {
	uint64_t entry; /* runtime address of the first instruction */
	uint64_t end;   /* entry of the next function (or end of text): [entry, end) */
	const char *name;
	uint8_t flag; /* enum gort_func_flags */
	uint8_t kind; /* enum gort_func_kind */
	uint32_t off; /* opaque: where its _func record is */
};

/* The function containing pc: 0 and *f, or -1 if pc is in no Go function of
 * this module (or its record is corrupt). */
int gort_pclntab_find(const struct gort_pclntab *t, uint64_t pc, struct gort_func *f);
/* The function called exactly name ("runtime.goexit"), by a linear scan:
 * 0 and *f, or -1. */
int gort_pclntab_lookup(const struct gort_pclntab *t, const char *name, struct gort_func *f);
/* The i-th function of the table (0 <= i < nfunc), in pc order: 0 or -1. */
int gort_pclntab_func(const struct gort_pclntab *t, size_t i, struct gort_func *f);

/* The pcsp value at pc in f (from find or lookup): bytes between the caller's SP
 * after the call and SP at pc. Pass the pc itself, also for a return address.
 * 0 and *delta, or -1 if the table does not cover pc or is corrupt. */
int gort_pclntab_spdelta(const struct gort_pclntab *t, const struct gort_func *f, uint64_t pc,
			 int32_t *delta);

/* A logical frame: a physical function or a call the compiler inlined into it.
 * func is NULL if the name cannot be read; file is NULL and line 0 if the tables
 * give no position. Strings point into the pclntab bytes. */
struct gort_srcframe {
	const char *func;
	const char *file;
	uint32_t line;
	bool inlined;
	/* A compiler-generated wrapper (method value/pointer wrappers, deferwrap,
	 * gowrap, ...): the runtime's traceback hides it unless it called
	 * runtime.gopanic, sigpanic or panicwrap (the frame before it). */
	bool wrapper;
};

/* The logical frames at pc, innermost first, with inlined calls expanded as the
 * runtime's traceback shows them; the last one is the physical function
 * (inlined=false). call_site: pc is a return address, so look up pc-1 when
 * pc > entry. Without set_funcdata, or if the inline tree is unreadable, an
 * inlined position gives one frame {func NULL, file:line of the inlined body,
 * inlined=true} and then the physical function with line 0.
 * Returns the number of frames written (1..max; if there are more than max, the
 * outermost are dropped), or -1 if pc is in no function or max < 1. */
int gort_pclntab_frames(const struct gort_pclntab *t, uint64_t pc, bool call_site,
			struct gort_srcframe *out, int max);

#endif
