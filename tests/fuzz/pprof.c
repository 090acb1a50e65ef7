/* libFuzzer harness of the goroutine profile reader (src/ui/in-pprof.c): the
 * input is a file inspect diff reads, a profile.proto, plain or gzipped (its
 * first bytes tell), read into a snapshot with the Go plugin's frame shown, then
 * grouped by site and by a label as diff groups it. Never a crash, never a hang,
 * never more memory than the limits (256 MiB inflated, 1,024 frames a sample).
 * Seeds (corpus/pprof): inspect's profile and the runtime's of
 * fixtures/go/leaksvc, inflated (make-seeds.sh says how).
 * SPDX-License-Identifier: MIT */
#include "gort.h"
#include "model/model.h"
#include "ui/ui.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct insp_plugin go = { .name = "go", .frame_shown = gort_frame_shown };
	static const struct mdl_filter all = { .system = true };
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping g;
	struct mdl_bucket *b;
	size_t n;
	bool rt;

	if (ui_load_pprof("fuzz", data, size, &go, &s, &rt, &err) == 0) {
		if (mdl_group(&s, &all, MDL_GROUP_REASON, &g, &err) == 0 &&
		    mdl_buckets(&g, true, &b, &n, &err) == 0)
			free(b);
		(void)mdl_group_label(&s, &all, "tenant", &g, &err);
	}
	mdl_snapshot_release(&s);
	return 0;
}
