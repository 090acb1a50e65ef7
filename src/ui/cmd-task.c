/* The REPL's `task N` (alias goroutine): select a goroutine for bt and frame.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>

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
	fprintf(s->out, "goroutine %" PRIu64 "  %s  %s %s:%u", t->id, mdl_task_key(t),
		f->func ? f->func : "?", f->file ? ui_basename(f->file) : "?", f->line);
	if (t->tid)
		fprintf(s->out, "  on thread %d", (int)t->tid);
	fputc('\n', s->out);
	if (t->go_pc.func)
		fprintf(s->out, "  created by %s %s:%u\n", t->go_pc.func,
			ui_basename(t->go_pc.file), t->go_pc.line);
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
