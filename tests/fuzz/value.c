/* libFuzzer harness of the value printer (plugins/go/value.c, print.c, gomap.c,
 * gochan.c, gtype.c, gshape.c) over a fake memory: the input is the target's
 * memory (tests/lib/faultmem.h's format) and the types the real DWARF of the
 * fixture it was recorded from (replay.h: the vars fixture, a variable of every
 * kind). After the capture, every variable of each site's frame (dump --locals)
 * and a few expressions in main.allKinds's frame and of package variables are
 * printed. Never a crash, never a hang. INSPECT_FUZZ_SHOW=1 prints the expressions'
 * values (or errors) of each input.
 * SPDX-License-Identifier: MIT */
#include "replay.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fixtures/go/vars/main.go */
static const char *const exprs[] = { "order", "big", "m",    "e",           "err",        "ep",
				     "p",     "sl",  "long", "main.Config", "main.chFull" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct insp_print_opts o = { .max_string = 64,
						  .max_elems = 16,
						  .max_depth = 4 };
	struct mdl_filter f = { .system = false };
	struct insp_scope sc;
	struct mdl_grouping g;
	const char *text;
	struct replay r;

	replay_dump(&r, data, size);
	if (r.ret == 0 && mdl_group(&r.s, &f, MDL_GROUP_REASON, &g, &r.err) == 0)
		(void)mdl_site_values(&r.s, &g, &o, &r.err);
	if (r.ret == 0) {
		bool frame = replay_scope(&r, "main.allKinds", &sc) == 0;

		for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
			struct insp_err err = INSP_ERR_INIT;

			int ret = mdl_print(&r.s, frame ? &sc : NULL, exprs[i], &o, &text, &err);

			if (getenv("INSPECT_FUZZ_SHOW"))
				printf("%s = %s\n", exprs[i], ret < 0 ? err.msg : text);
		}
	}
	replay_release(&r);
	return 0;
}
