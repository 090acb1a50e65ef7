/* The REPL's `task N` (alias goroutine): select a goroutine for bt and frame, and
 * say how long it has waited and which goroutine created it.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>

#define NS_PER_S INT64_C(1000000000)

/* "42.3 s", "5 min 12 s", "2 h 3 min": a wait as a person reads it. */
static void
print_wait(FILE *out, int64_t ns)
{
	int64_t s = ns / NS_PER_S;

	if (s < 60)
		fprintf(out, "%.1f s", (double)ns / NS_PER_S);
	else if (s < 3600)
		fprintf(out, "%" PRId64 " min %" PRId64 " s", s / 60, s % 60);
	else
		fprintf(out, "%" PRId64 " h %" PRId64 " min", s / 3600, s % 3600 / 60);
}

static int
run_task(struct ui_session *s, int argc, char **argv)
{
	const struct insp_task *t = NULL;
	const struct insp_loc *f;
	char *end;
	unsigned long long id = strtoull(argv[1], &end, 10);

	(void)argc;
	if (!*argv[1] || *end)
		return fprintf(s->out, "usage: %s\n", ui_cmd_task.usage), -1;
	for (size_t i = 0; i < s->snap->ntasks && !t; i++)
		if (s->snap->tasks[i]->id == id)
			t = s->snap->tasks[i];
	if (!t)
		return fprintf(s->out, "no goroutine %llu\n", id), -1;
	s->task = t;
	s->thread = NULL;
	s->frame = 0;
	f = mdl_task_frame(t);
	fprintf(s->out, "goroutine %" PRIu64 "  %s  %s %s:%u", t->id, ui_line(mdl_task_key(t)),
		f->func ? ui_line(f->func) : "?", f->file ? ui_line(ui_basename(f->file)) : "?",
		f->line);
	if (t->tid)
		fprintf(s->out, "  on thread %d", (int)t->tid);
	fputc('\n', s->out);
	/* The wait as the runtime counts it (its traceback's ", N minutes"); how it
	 * counts, and why it may not know, are the plugin's words. */
	if (t->wait_ns >= 0) {
		const char *how = mdl_info(s->snap, "waits_how");

		fputs("  waiting ", s->out);
		print_wait(s->out, t->wait_ns);
		fprintf(s->out, " (as the runtime counts it%s%s)\n", how ? ": " : "",
			how ? how : "");
	} else if (t->reason) {
		const char *why = mdl_info(s->snap, "wait_unknown_task");

		fprintf(s->out, "  waiting since: unknown%s%s%s\n", why ? " (" : "", why ? why : "",
			why ? ")" : "");
	}
	if (t->nlabels || t->labels_cut) {
		fputs("  labels: ", s->out);
		ui_print_labels(s->out, t);
		fputc('\n', s->out);
	}
	if (t->go_pc.func) {
		fprintf(s->out, "  created by %s %s:%u", ui_line(t->go_pc.func),
			ui_line(ui_basename(t->go_pc.file)), t->go_pc.line);
		/* 0 is no task: the runtime did not record the creator (Go before 1.21) */
		if (t->parent_id)
			fprintf(s->out, " in goroutine %" PRIu64 "\n", t->parent_id);
		else
			fputs(" (the creating goroutine is not recorded by this runtime)\n",
			      s->out);
	}
	return 0;
}

const struct ui_cmd ui_cmd_task = {
	.name = "task",
	.alias = "goroutine",
	.usage = "task N",
	.summary = "select goroutine N",
	.min_args = 1,
	.max_args = 1,
	.run = run_task,
};
