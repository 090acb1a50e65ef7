/* The REPL's `info`: the process, its runtime, the counts, how long it has waited.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

static int
run_info(struct ui_session *s, int argc, char **argv)
{
	const struct mdl_snapshot *snap = s->snap;
	const char *version = mdl_info(snap, "go_version");
	size_t system = 0, leaked = 0, sandboxed = 0;
	const char *sandbox = NULL;
	char a[32], b[32], sources[256];

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < snap->ntasks; i++) {
		const struct insp_task *t = snap->tasks[i];

		system += (t->flags & INSP_TASK_SYSTEM) != 0;
		leaked += (t->flags & INSP_TASK_LEAKED) != 0;
		if (t->sandbox) {
			sandbox = t->sandbox;
			sandboxed++;
		}
	}
	fprintf(s->out, "process     %d\nexecutable  %s\nruntime     %s %s\n", (int)snap->pid,
		ui_line(snap->exe), snap->plugin->name, version ? ui_line(version) : "?");
	fprintf(s->out, "goroutines  %s (%s of the runtime's own",
		ui_count(snap->ntasks, a, sizeof(a)), ui_count(system, b, sizeof(b)));
	if (leaked)
		fprintf(s->out, ", %s leaked", ui_count(leaked, a, sizeof(a)));
	if (sandboxed)
		fprintf(s->out, ", %s in a %s", ui_count(sandboxed, a, sizeof(a)),
			ui_line(sandbox));
	fprintf(s->out, ")\nthreads     %zu\n", snap->nthreads);
	fprintf(s->out, "%-11s %.1f s\n", snap->proc ? "paused" : "was paused",
		mdl_snapshot_stopped_ms(snap) / 1000);
	if (ui_sources(snap, sources, sizeof(sources)))
		fprintf(s->out, "sources     %s\n", sources);
	for (size_t i = 0; i < snap->nnotes; i++)
		fprintf(s->out, "note: %s\n", ui_line(snap->notes[i]));
	return 0;
}

const struct ui_cmd ui_cmd_info = {
	.name = "info",
	.usage = "info",
	.summary = "the process, its Go version, the counts, how long it has been paused",
	.min_args = 0,
	.max_args = 0,
	.run = run_info,
};
