/* The Go plugin's account of the GC cycles run so far, which decides whether the
 * runtime can have stamped any wait: runtime.memstats.numgc (completed cycles),
 * copied while the process is stopped where symbols and DWARF locate it; and,
 * on every build, whether a cycle has started at all (its mark workers exist).
 *
 * The runtime's rule (runtime/mgcmark.go markroot, mgc.go gcMark, proc.go
 * execute and exitsyscall; the same in Go 1.19 and 1.26): a cycle's mark phase
 * stamps each goroutine it finds waiting or in a syscall with no stamp yet
 * (g.waitsince) with work.tstart, the time the previous cycle's mark
 * termination ran; running again clears the stamp. work.tstart is 0 during the
 * first cycle, so a wait can be known only from the second cycle on, and only
 * for a goroutine a cycle found waiting.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>

void
gort_gc_resolve(struct gort_state *st, const struct insp_host *h)
{
	struct insp_field f;
	uint64_t addr;

	st->numgc_addr = 0;
	if (h->symbol(h->ctx, "runtime.memstats", &addr, NULL, NULL) == 0 &&
	    h->field(h->ctx, "runtime.mstats", "numgc", &f, NULL) == 0 && f.size == 4)
		st->numgc_addr = addr + f.offset;
}

void
gort_gc_capture(struct gort_state *st, const struct insp_host *h)
{
	st->numgc_ok = st->numgc_addr &&
		       h->read(h->ctx, st->numgc_addr, &st->numgc, sizeof(st->numgc), NULL) == 0;
}

void
gort_gc_report(const struct gort_state *st, const struct insp_host *h)
{
	char n[16];

	if (st->numgc_ok) {
		snprintf(n, sizeof(n), "%u", (unsigned)st->numgc);
		h->set_info(h->ctx, "gc_cycles", n);
	}
	bool started = st->gc_workers || (st->numgc_ok && st->numgc);
	const char *why = "no GC cycle has found these goroutines waiting yet";

	h->set_info(h->ctx, "gc_started", started ? "yes" : "no");
	if (!started || (st->numgc_ok && st->numgc == 0))
		why = "no GC has run in this process yet";
	else if (st->numgc_ok && st->numgc == 1)
		why = "one GC cycle has run, which stamps none";
	/* The reports' words for these waits: the core knows no GC. */
	h->set_info(h->ctx, "waits_how",
		    "stamped by the GC, accurate to the time between two cycles");
	h->set_info(h->ctx, "waits_unknown", why);
	h->set_info(h->ctx, "waits_rule",
		    "the runtime stamps a wait only during a GC cycle, from the second on");
	h->set_info(h->ctx, "wait_unknown_task", "no GC cycle has stamped it yet");
}
