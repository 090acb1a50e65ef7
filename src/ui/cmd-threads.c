/* The REPL's `threads` and `thread TID`: the OS threads, and selecting one (its
 * native stack for bt, and the goroutine it runs).
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void
print_thread(FILE *out, const struct mdl_thread *th, bool selected)
{
	fprintf(out, "%c %-8d %-15s %c", selected ? '>' : ' ', (int)th->thread->tid,
		ui_line(th->thread->name), th->thread->state);
	if (th->task)
		fprintf(out, "  goroutine %" PRIu64 " (%s)", th->task->id,
			ui_line(mdl_task_key(th->task)));
	else if (th->nframes && th->frames[0].loc.func)
		fprintf(out, "  %s", ui_line(th->frames[0].loc.func));
	fputc('\n', out);
}

static int
run_threads(struct ui_session *s, int argc, char **argv)
{
	struct mdl_snapshot *snap = s->snap;
	const struct mdl_thread *chosen = NULL;
	char *end;
	long tid;

	if (strcmp(argv[0], "threads") == 0) {
		for (size_t i = 0; i < snap->nthreads && !ui_interrupted; i++)
			print_thread(s->out, &snap->native[i], &snap->native[i] == s->thread);
		fprintf(s->out, "[%zu threads]\n", snap->nthreads);
		return 0;
	}
	(void)argc;
	tid = strtol(argv[1], &end, 10);
	for (size_t i = 0; !*end && i < snap->nthreads; i++)
		if (snap->native[i].thread->tid == tid)
			chosen = &snap->native[i];
	if (!chosen)
		return fprintf(s->out, "no thread %s (see 'threads')\n", argv[1]), -1;
	s->thread = chosen;
	s->task = chosen->task;
	s->frame = 0;
	print_thread(s->out, chosen, true);
	return 0;
}

const struct ui_cmd ui_cmd_threads = {
	.name = "threads",
	.usage = "threads",
	.summary = "list the OS threads",
	.min_args = 0,
	.max_args = 0,
	.run = run_threads,
};

const struct ui_cmd ui_cmd_thread = {
	.name = "thread",
	.usage = "thread TID",
	.summary = "select OS thread TID: bt shows its native stack",
	.min_args = 1,
	.max_args = 1,
	.run = run_threads,
};
