/* The REPL's `bt` (alias backtrace): the stack of the selected goroutine or thread.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stdlib.h>
#include <string.h>

static int
run_bt(struct ui_session *s, int argc, char **argv)
{
	unsigned long max = 0;
	bool full = false;
	uint32_t n;
	const struct insp_frame *f = ui_session_frames(s, &n);
	int width = 0;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "-full") == 0 || strcmp(argv[i], "--full") == 0) {
			full = true;
			continue;
		}
		max = strtoul(argv[i], &end, 10);
		if (!*argv[i] || *end || !max)
			return fprintf(s->out, "usage: %s\n", ui_cmd_bt.usage), -1;
	}
	if (!max || max > n)
		max = n;
	for (uint32_t i = 0; i < max; i++)
		if (f[i].loc.func && (int)strlen(f[i].loc.func) > width)
			width = (int)strlen(f[i].loc.func);
	for (uint32_t i = 0; i < max && !ui_interrupted; i++) {
		ui_print_frame(s->out, i, &f[i], i == s->frame, width);
		if (full && s->task && !s->thread && !f[i].native)
			ui_print_frame_vars(s, i, true, true, "         ");
	}
	if (max < n)
		fprintf(s->out, "  ... %lu more frames (bt N)\n", (unsigned long)(n - max));
	else if (s->task && !s->thread && s->task->frames_cut)
		fprintf(s->out, "  ... the stack goes on past the frames kept\n");
	else if (s->task && !s->thread && s->task->note)
		fprintf(s->out, "  ... the walk ended early: %s\n", ui_line(s->task->note));
	return 0;
}

static const char *const options[] = { "-full", NULL };

const struct ui_cmd ui_cmd_bt = {
	.name = "bt",
	.options = options,
	.alias = "backtrace",
	.usage = "bt [N] [-full]",
	.summary = "print the stack of the selected goroutine or thread",
	.needs = UI_NEEDS_TASK,
	.min_args = 0,
	.max_args = 2,
	.run = run_bt,
};
