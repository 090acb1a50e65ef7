/* The REPL's `help` and `help CMD`, read from the command table.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

static int
run_help(struct ui_session *s, int argc, char **argv)
{
	struct insp_err err = INSP_ERR_INIT;
	const struct ui_cmd *c;

	if (argc == 1) {
		for (size_t i = 0; ui_cmds[i]; i++) {
			c = ui_cmds[i];
			fprintf(s->out, "  %-8s %-11s %s\n", c->name, c->alias ? c->alias : "",
				c->summary);
		}
		fprintf(s->out,
			"'help CMD' tells more; Ctrl-C stops a listing, Ctrl-D detaches.\n");
		return 0;
	}
	c = ui_cmd_find(argv[1], &err);
	if (!c)
		return fprintf(s->out, "%s\n", err.msg), -1;
	fprintf(s->out, "usage: %s\n%s\n", c->usage, c->summary);
	if (c->alias)
		fprintf(s->out, "alias: %s\n", c->alias);
	if (c->help)
		fprintf(s->out, "%s\n", c->help);
	return 0;
}

const struct ui_cmd ui_cmd_help = {
	.name = "help",
	.alias = "h",
	.usage = "help [CMD]",
	.summary = "list the commands, or tell more of one",
	.min_args = 0,
	.max_args = 1,
	.run = run_help,
};
