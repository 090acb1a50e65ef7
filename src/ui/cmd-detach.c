/* The REPL's `detach` and `quit`: both let the process go and end the session
 * (inspect never kills the process it looks at).
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

static int
run_detach(struct ui_session *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	s->done = true;
	return 0;
}

const struct ui_cmd ui_cmd_detach = {
	.name = "detach",
	.usage = "detach",
	.summary = "let the process run again and end the session",
	.min_args = 0,
	.max_args = 0,
	.run = run_detach,
};

const struct ui_cmd ui_cmd_quit = {
	.name = "quit",
	.alias = "exit",
	.usage = "quit",
	.summary = "the same as detach",
	.min_args = 0,
	.max_args = 0,
	.run = run_detach,
};
