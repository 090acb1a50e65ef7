/* The Go plugin's reading of the target's GODEBUG settings as its runtime holds
 * them in runtime.debug (runtime/runtime1.go dbgvars: GODEBUG, the binary's
 * default, or os.Setenv("GODEBUG") later), read while the process is stopped:
 * asynctimerchan for print's timer channels (gochan.c), and tracebacklabels
 * (Go 1.26+), whether the runtime's traceback prints a goroutine's labels
 * (runtime/traceback.go goroutineheader: debug.tracebacklabels.Load() == 1):
 * with DWARF by the variable's type, stripped through the one instruction of
 * runtime.goroutineheader that loads it.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <elfutils/libdw.h>

#include "value.h"

#define TB_LABELS_FROM 26 /* the release that added tracebacklabels */

uint64_t
gort_debug_var(const struct insp_host *h, const char *name, const char **why)
{
	Dwarf *dw = h->dwarf(h->ctx);
	struct insp_var dv;
	Dwarf_Die t, ft;
	struct gfield val;
	uint64_t off;

	if (!dw || h->global_var(h->ctx, "runtime.debug", &dv, NULL) < 0 || !dv.addr ||
	    !dwarf_offdie(dw, dv.type, &t)) {
		*why = "runtime.debug is not in the DWARF";
		return 0;
	}
	if (gtype_field(&t, name, &ft, &off) < 0 || gtype_int_field(&ft, "value", &val) < 0 ||
	    val.len != 4) {
		*why = "runtime.debug in the DWARF has no such atomic.Int32";
		return 0;
	}
	return dv.addr + off + val.off;
}

/* The same without DWARF: in runtime.goroutineheader, the 32-bit load from a
 * RIP-relative address that the compare with 1 tests (mov disp32(%rip), r32;
 * cmp $1, r32: 8b 05+8r disp32, 83 f8+r 01, with REX.R and REX.B for r8-r15).
 * Exactly one such load in the module's variables, else 0. */
static uint64_t
by_code(const struct gort_state *st, const struct insp_host *h)
{
	struct gort_func f;
	const uint8_t *code = gort_func_code(st, h, "runtime.goroutineheader", &f);
	uint64_t found = 0;

	if (!code)
		return 0;
	for (uint64_t pc = f.entry; pc + 11 <= f.end; pc++) {
		const uint8_t *i = code + (pc - f.entry);
		bool rex = i[0] == 0x44; /* REX.R: r8d-r15d */
		const uint8_t *m = i + rex, *c = m + 6;
		unsigned reg = (m[1] >> 3) & 7;
		bool crex = c[0] == 0x41; /* REX.B on the compare */
		uint64_t target;

		if (m[0] != 0x8b || (m[1] & 0xc7) != 0x05 || crex != rex || c[crex] != 0x83 ||
		    c[crex + 1] != (0xf8 | reg) || c[crex + 2] != 1)
			continue;
		target = pc + rex + 6 + (uint64_t)(int64_t)(int32_t)gort_u32(m + 2);
		for (size_t k = 0; k < sizeof(st->vars) / sizeof(st->vars[0]); k++)
			if (target >= st->vars[k].lo && target + 4 <= st->vars[k].hi) {
				if (found && found != target)
					return 0;
				found = target;
			}
	}
	return found;
}

void
gort_tblabels_resolve(struct gort_state *st, const struct insp_host *h)
{
	const char *why;

	st->tb_labels_addr = 0;
	if (gort_minor(st) < TB_LABELS_FROM)
		return;
	st->tb_labels_addr = gort_debug_var(h, "tracebacklabels", &why);
	if (!st->tb_labels_addr)
		st->tb_labels_addr = by_code(st, h);
}

void
gort_tblabels_capture(struct gort_state *st, const struct insp_host *h)
{
	struct insp_err err = INSP_ERR_INIT;
	int32_t v;

	st->tb_labels = 0;
	if (gort_minor(st) < TB_LABELS_FROM)
		return;
	if (!st->tb_labels_addr || h->read(h->ctx, st->tb_labels_addr, &v, sizeof(v), &err) < 0) {
		st->tb_labels = -1;
		return;
	}
	st->tb_labels = v == 1;
}
