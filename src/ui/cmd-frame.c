/* The REPL's `frame N`, `up` and `down`: select a frame of the selected stack.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stdlib.h>
#include <string.h>

static int
run_frame(struct ui_session *s, int argc, char **argv)
{
	uint32_t n;
	const struct insp_frame *f = ui_session_frames(s, &n);
	long to = s->frame;
	char *end;

	if (strcmp(argv[0], "frame") == 0) {
		to = strtol(argv[1], &end, 10);
		if (!*argv[1] || *end)
			return fprintf(s->out, "usage: %s\n", ui_cmd_frame.usage), -1;
	} else {
		long by = argc > 1 ? strtol(argv[1], &end, 10) : 1;

		if (argc > 1 && (!*argv[1] || *end || by < 1))
			return fprintf(s->out, "usage: %s [N]\n", argv[0]), -1;
		to += strcmp(argv[0], "up") == 0 ? by : -by;
	}
	if (to < 0 || (uint32_t)to >= n)
		return fprintf(s->out, "no frame %ld: the stack has frames 0 to %u\n", to,
			       n ? n - 1 : 0),
		       -1;
	s->frame = (uint32_t)to;
	ui_print_frame(s->out, s->frame, &f[s->frame], true,
		       f[s->frame].loc.func ? (int)strlen(f[s->frame].loc.func) : 1);
	return 0;
}

const struct ui_cmd ui_cmd_frame = {
	.name = "frame",
	.usage = "frame N",
	.summary = "select frame N of the stack (0 is the innermost)",
	.needs = UI_NEEDS_TASK,
	.min_args = 1,
	.max_args = 1,
	.run = run_frame,
};

const struct ui_cmd ui_cmd_up = {
	.name = "up",
	.usage = "up [N]",
	.summary = "select the caller's frame (N frames out)",
	.needs = UI_NEEDS_TASK,
	.min_args = 0,
	.max_args = 1,
	.run = run_frame,
};

const struct ui_cmd ui_cmd_down = {
	.name = "down",
	.usage = "down [N]",
	.summary = "select the callee's frame (N frames in)",
	.needs = UI_NEEDS_TASK,
	.min_args = 0,
	.max_args = 1,
	.run = run_frame,
};
