/* libFuzzer harness of the registry and g decoding (plugins/go/registry.c,
 * decode.c, waitreason.c, locate.c, words.c, unwind.c) and of the report: the
 * input is the target's memory and threads (tests/lib/faultmem.h's format), the
 * image the real fixture it was recorded from (replay.h). A capture and decode,
 * then the dump's grouping and its text and JSON reports. Never a crash, never a
 * hang; a clean error or a report. INSPECT_FUZZ_SHOW=1 prints the report (or
 * the error) of each input: what a seed decodes to.
 * SPDX-License-Identifier: MIT */
#include "replay.h"

#include <stdlib.h>

#include "ui/ui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mdl_group_by bys[] = { MDL_GROUP_REASON, MDL_GROUP_STACK };
	struct mdl_filter f = { .system = true };
	struct mdl_grouping g;
	struct replay r;

	replay_dump(&r, data, size);
	if (getenv("INSPECT_FUZZ_SHOW")) {
		if (r.ret < 0)
			printf("error %d: %s\n", (int)r.err.code, r.err.msg);
		else if (mdl_group(&r.s, &f, MDL_GROUP_REASON, &g, &r.err) == 0)
			(void)ui_report_text(stdout, &r.s, &g, 3, 0);
	}
	if (r.ret == 0) {
		for (size_t i = 0; i < sizeof(bys) / sizeof(bys[0]); i++) {
			if (mdl_group(&r.s, &f, bys[i], &g, &r.err) < 0)
				continue;
			(void)ui_report_text(replay_null(), &r.s, &g, 8, 0);
			(void)ui_report_json(replay_null(), &r.s, &f, &g);
		}
	}
	replay_release(&r);
	return 0;
}
