/* The unwind layer: native frames of OS threads from the registers and stack bytes
 * the target layer copied while the process was stopped. libdwfl does the work
 * (CFI from .eh_frame and .debug_frame, frame pointers where there is none), with
 * memory served from the copies: the process runs again while we unwind.
 * Strings returned belong to the unwinder and live until uw_native_close().
 * SPDX-License-Identifier: MIT */
#ifndef UNWIND_UNWIND_H
#define UNWIND_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/err.h"
#include "inspect/plugin.h"

struct uw_native;

struct uw_frame {
	uint64_t pc;
	bool call_site; /* pc is a return address: look up pc - 1 */
};

/* The modules of process pid, from /proc/PID/maps (it may be running again).
 * threads (with their copies) must outlive the unwinder. */
int uw_native_open(struct uw_native **out, pid_t pid, const struct insp_thread *threads,
		   size_t nthreads, struct insp_err *err);
void uw_native_close(struct uw_native *u);
/* The frames of thread tid, innermost first: the count; *why says why the walk
 * ended early (NULL at a clean end). */
int uw_native_frames(struct uw_native *u, pid_t tid, struct uw_frame *out, int max,
		     const char **why);
/* The same from another state than a thread's registers: pc, a return address
 * into native code, with sp the stack pointer after the return and fp its
 * frame pointer (rbp), on any thread's copied stack (a runtime's stack switch
 * left them there). The other registers are unknown: frames whose CFI needs
 * them end the walk. */
int uw_native_frames_from(struct uw_native *u, uint64_t pc, uint64_t sp, uint64_t fp,
			  struct uw_frame *out, int max, const char **why);
/* The symbol at pc (a call site: pc - 1 is looked up), its module's file name, and
 * file:line where debug information has it. 0, or -1 if no module holds pc. */
int uw_native_symbol(struct uw_native *u, const struct uw_frame *f, const char **func,
		     const char **module, const char **file, int *line);
/* The i-th file the unwinder needed and could not open, "PATH (why)", or NULL past
 * the last. Files are opened through the process (target/mapfile.c) as walks and
 * symbols need them: ask after them. */
const char *uw_native_missing(const struct uw_native *u, size_t i);

#endif
