/* The Go plugin's layouts: offsets of runtime.g, runtime.m and runtime.moduledata
 * fields from the binary's DWARF, by name. Fields move between releases, and
 * runtime.m even between patch releases (research/goruntime.md 2.3): where DWARF
 * exists nothing is a hard-coded offset; without it the tables of tables.c serve.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <string.h>

struct want {
	const char *type, *path;
	uint64_t *offset;
	size_t size; /* expected size in bytes; 0: any */
	bool optional;
};

/* The bubble's number, which the traceback prints ("synctest bubble 1"): looked
 * for only where g.bubble exists, as a missing type costs a scan of all DWARF. */
static int
bubble_id(struct gort_layout *l, const struct insp_host *h, struct insp_err *err)
{
	struct insp_field f;
	uint64_t size;

	l->bubble_id = GORT_NONE;
	if (l->g_bubble == GORT_NONE)
		return 0;
	if (h->type_size(h->ctx, "runtime.synctestBubble", &size, err) < 0 ||
	    h->field(h->ctx, "runtime.synctestBubble", "id", &f, err) < 0)
		return -1;
	if (f.size != 8 || f.offset + f.size > size)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "runtime.synctestBubble.id in '%s' is %llu bytes at %llu, "
				    "expected 8: an unknown Go layout",
				    h->exe_path, (unsigned long long)f.size,
				    (unsigned long long)f.offset);
	l->bubble_id = f.offset;
	return 0;
}

int
gort_layout_resolve(struct gort_layout *l, const struct insp_host *h, struct insp_err *err)
{
	const struct want wants[] = {
		{ "runtime.g", "stack.lo", &l->g_stack_lo, 8, false },
		{ "runtime.g", "stack.hi", &l->g_stack_hi, 8, false },
		{ "runtime.g", "sched.sp", &l->g_sched_sp, 8, false },
		{ "runtime.g", "sched.pc", &l->g_sched_pc, 8, false },
		{ "runtime.g", "syscallsp", &l->g_syscallsp, 8, false },
		{ "runtime.g", "syscallpc", &l->g_syscallpc, 8, false },
		{ "runtime.g", "atomicstatus", &l->g_status, 4, false },
		{ "runtime.g", "goid", &l->g_goid, 8, false },
		{ "runtime.g", "waitsince", &l->g_waitsince, 8, false },
		{ "runtime.g", "waitreason", &l->g_waitreason, 1, false },
		{ "runtime.g", "gopc", &l->g_gopc, 8, false },
		{ "runtime.g", "startpc", &l->g_startpc, 8, false },
		{ "runtime.g", "lockedm", &l->g_lockedm, 8, false },
		{ "runtime.g", "parentGoid", &l->g_parent_goid, 8, true }, /* Go 1.21+ */
		{ "runtime.g", "m", &l->g_m, 8, false },
		{ "runtime.m", "g0", &l->m_g0, 8, false },
		{ "runtime.m", "procid", &l->m_procid, 8, false },
		{ "runtime.m", "curg", &l->m_curg, 8, false },
		{ "runtime.m", "alllink", &l->m_alllink, 8, false },
		{ "runtime.moduledata", "text", &l->md_text, 8, false },
		{ "runtime.moduledata", "gofunc", &l->md_gofunc, 8, false },
		/* testing/synctest, Go 1.25+: the goroutine's bubble */
		{ "runtime.g", "bubble", &l->g_bubble, 8, true },
		/* runtime/pprof's labels: an unsafe.Pointer to a labelMap */
		{ "runtime.g", "labels", &l->g_labels, 8, false },
	};
	struct insp_field f;
	uint64_t md_size;

	if (h->type_size(h->ctx, "runtime.g", &l->g_size, err) < 0 ||
	    h->type_size(h->ctx, "runtime.m", &l->m_size, err) < 0 ||
	    h->type_size(h->ctx, "runtime.moduledata", &md_size, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		uint64_t type_size = strcmp(w->type, "runtime.g") == 0   ? l->g_size
				     : strcmp(w->type, "runtime.m") == 0 ? l->m_size
									 : md_size;

		/* An optional field that is missing is no error: err stays untouched. */
		if (h->field(h->ctx, w->type, w->path, &f, w->optional ? NULL : err) < 0) {
			if (!w->optional)
				return -1;
			*w->offset = GORT_NONE;
			continue;
		}
		if ((w->size && f.size != w->size) || f.offset + f.size > type_size)
			return insp_err_set(err, INSP_E_LAYOUT,
					    "%s.%s in '%s' is %llu bytes at %llu, expected %zu: an "
					    "unknown Go layout",
					    w->type, w->path, h->exe_path,
					    (unsigned long long)f.size,
					    (unsigned long long)f.offset, w->size);
		*w->offset = f.offset;
	}
	return bubble_id(l, h, err);
}
