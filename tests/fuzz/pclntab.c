/* libFuzzer harness of plugins/go/pclntab.c: the input is the bytes of a
 * .gopclntab section (the target's file, or a copy of its memory). Open it, and
 * ask every question the unwinder and the report ask of the functions it lists:
 * find by pc, lookup by name, pc-value tables, frames with inlined calls (the
 * same bytes as FUNCDATA, as in Go 1.26). Any answer or -1; never a crash.
 * SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>

#include "pclntab.h"

#define TEXT    0x401000ull /* where the text is said to start (pcHeader.textStart 0) */
#define MAXFUNC 64          /* functions asked about per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ask(const struct gort_pclntab *t, const struct gort_func *f)
{
	struct gort_srcframe frames[8];
	struct gort_func g;
	int32_t delta;

	(void)gort_pclntab_find(t, f->entry, &g);
	(void)gort_pclntab_find(t, f->end - 1, &g);
	for (uint64_t pc = f->entry; pc < f->end && pc < f->entry + 64; pc += 7) {
		(void)gort_pclntab_spdelta(t, f, pc, &delta);
		(void)gort_pclntab_frames(t, pc, false, frames, 8);
		(void)gort_pclntab_frames(t, pc, true, frames, 1);
	}
	if (f->name)
		(void)gort_pclntab_lookup(t, f->name, &g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	struct gort_func f;
	size_t n;

	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: text from the header; 1: given, FUNCDATA in the same bytes */
		if (gort_pclntab_open(&t, data, size, pass ? TEXT : 0, &err) < 0)
			continue;
		if (pass)
			(void)gort_pclntab_set_funcdata(t, data, size, TEXT - 0x1000, TEXT - 0x1000,
							&err);
		(void)gort_pclntab_quantum(t);
		n = gort_pclntab_nfunc(t);
		for (size_t i = 0; i < n && i < MAXFUNC; i++)
			if (gort_pclntab_func(t, i, &f) == 0)
				ask(t, &f);
		(void)gort_pclntab_find(t, 0, &f);
		(void)gort_pclntab_find(t, UINT64_MAX, &f);
		(void)gort_pclntab_lookup(t, "runtime.goexit", &f);
		gort_pclntab_free(t);
	}
	return 0;
}
