/* inspect: look inside a live Go process. This file only finds the subcommand in
 * its table and runs it; each subcommand lives in src/ui/cmd-*.c.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "image/image.h"
#include "ui/ui.h"

static const struct ui_cli_cmd *const commands[] = {
	&ui_cli_attach,
	&ui_cli_dump,
	&ui_cli_plugins,
	&ui_cli_diff,
	&ui_cli_watch,
	NULL,
};

static void
usage(FILE *out)
{
	fputs("usage: inspect <command> [options]\n\ncommands:\n", out);
	for (size_t i = 0; commands[i]; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n'inspect <command> --help' tells more.\n", out);
}

int
main(int argc, char **argv)
{
	ui_streams_escape();
	img_debuginfod_secure();
	if (argc < 2) {
		usage(stderr);
		return 64;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("inspect %s\n", INSPECT_VERSION);
		return 0;
	}
	for (size_t i = 0; commands[i]; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "inspect: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 64;
}
