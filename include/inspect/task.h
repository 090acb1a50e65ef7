/* A task: one coroutine of the target's runtime (a goroutine), as a plugin decodes it
 * and the core filters, groups and prints it. Part of the plugin ABI.
 * Every string is owned by the snapshot (host alloc) or by the image, never by the plugin.
 * SPDX-License-Identifier: MIT */
#ifndef INSPECT_TASK_H
#define INSPECT_TASK_H

#include <stdbool.h>
#include <stdint.h>

/* A code location. func NULL: unknown (then file is NULL and line 0). */
struct insp_loc {
	const char *func;
	const char *file;
	uint32_t line;
	uint64_t pc;
};

/* A frame of a task's stack: a function, or a call the compiler inlined into the
 * frame after it. */
struct insp_frame {
	struct insp_loc loc;
	bool inlined;   /* inlined into the next (outer) frame: no frame of its own */
	bool wrapper;   /* compiler-generated; the runtime's own traceback hides it */
	bool native;    /* outside the runtime's code (C), from the thread's own stack */
	bool bottom;    /* nothing below it can be trusted: a thread's start, a stack switch */
	bool call_site; /* loc.pc is a return address (the call is the instruction before) */
	/* Its canonical frame address (the caller's sp before the call; the frame
	 * base of Go's DWARF); an inlined call's is its frame's. 0: unknown. */
	uint64_t cfa;
	/* Native code called this frame (C calling Go back): the caller's return
	 * address, its sp after the return and its frame pointer (rbp), on a
	 * thread's copied stack. The host walks the native frames from there and
	 * puts them right after this one. caller_pc 0: none. (ABI 5) */
	uint64_t caller_pc, caller_sp, caller_fp;
	/* ABI 6. The first instruction of its physical function (an inlined
	 * call's too): Go's traceback prints loc.pc - entry as "+0x..."; 0:
	 * unknown. */
	uint64_t entry;
};

enum insp_task_flags {
	INSP_TASK_SYSTEM = 1 << 0,    /* the runtime's own (GC workers, finalizers) */
	INSP_TASK_ON_THREAD = 1 << 1, /* an OS thread runs it now (tid set) */
	INSP_TASK_LOCKED = 1 << 2,    /* wired to its thread (LockOSThread) */
	/* The runtime itself found that nothing can ever wake it (Go 1.26's leak
	 * detection: status leaked). */
	INSP_TASK_LEAKED = 1 << 3,
	/* Blocked durably: only tasks of its sandbox can wake it (Go's
	 * testing/synctest: "(durable)"). */
	INSP_TASK_DURABLE = 1 << 4,
};

/* A key/value label a program put on a task (Go's pprof labels:
 * runtime/pprof.Do; Python's contextvars could be others). Strings the target
 * chose: any bytes but NUL, bounded by the plugin; a value the plugin cut ends
 * in "... (N bytes)". (ABI 5) */
struct insp_label {
	const char *key, *value;
};

struct insp_task {
	uint64_t id;
	/* The runtime's word for the state: "running", "runnable", "waiting", "syscall"... */
	const char *state;
	/* Why it waits, in the runtime's own words with what its traceback adds to
	 * them ("chan receive", "select (durable)", "chan receive (leaked)"); NULL if
	 * not waiting. */
	const char *reason;
	/* How long it has waited, in ns, as the runtime counts it (Go: stamped by
	 * the GC, README "Wait times"); -1: unknown. */
	int64_t wait_ns;
	struct insp_loc top;      /* innermost frame */
	struct insp_loc user_top; /* innermost frame outside the runtime */
	struct insp_loc go_pc;    /* the statement that created it */
	struct insp_loc start;    /* its start function (line of its entry) */
	int32_t tid;              /* OS thread running it, 0 if none */
	unsigned flags;           /* enum insp_task_flags */
	const char *note;         /* why part of it could not be decoded, or NULL */
	uint64_t parent_id;       /* the task whose go statement made it; 0: unknown */
	/* Its stack, innermost first, when the host asked for frames (max_frames). */
	const struct insp_frame *frames;
	uint32_t nframes;
	bool frames_cut; /* the stack goes on past the frames kept */
	/* ABI 5. The runtime's wait-reason string without the decorations
	 * ("select" for "select (durable)" and for "select (leaked)"): what short
	 * reason names match. NULL: reason. */
	const char *reason_plain;
	/* The sandbox the runtime confines it to, in the runtime's words
	 * ("synctest bubble"), and its number; NULL: none. */
	const char *sandbox;
	uint64_t sandbox_id;
	/* The runtime's own words for its state when they say more than reason or
	 * state ("select (durable), synctest bubble 2"): what the report groups by
	 * and shows. NULL: reason, else state. */
	const char *words;
	/* Its labels, sorted by key, unique keys; NULL and 0: none. labels_cut: it
	 * has more than those kept. */
	const struct insp_label *labels;
	uint32_t nlabels;
	bool labels_cut;
	/* ABI 6. The physical function at go_pc.pc, as Go's traceback names the
	 * creator ("created by F"; go_pc.func is the inlined call when the go
	 * statement was inlined into F), and its first instruction (go_pc.pc -
	 * go_entry is the "+0x..."). NULL and 0: unknown. */
	const char *go_func;
	uint64_t go_entry;
	/* ABI 6. How many of the runtime's tasks this one stands for, all alike:
	 * a sample of a loaded profile counts its goroutines once (inspect diff);
	 * 0 is 1. Plugins leave it 0. */
	uint64_t weight;
};

#endif
