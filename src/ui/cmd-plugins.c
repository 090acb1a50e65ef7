/* `inspect plugins`: the runtime plugins found, and where.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

static int
run_plugins(int argc, char **argv)
{
	struct rt_plugin_set plugins;
	int status;

	(void)argc;
	(void)argv;
	status = ui_load_plugins(&plugins);
	if (status)
		return status;
	for (size_t i = 0; i < plugins.n; i++)
		printf("%-8s %s  (%s)\n", plugins.plugins[i]->name, plugins.plugins[i]->summary,
		       plugins.paths[i]);
	rt_plugins_unload(&plugins);
	return 0;
}

const struct ui_cli_cmd ui_cli_plugins = {
	.name = "plugins",
	.summary = "list the runtime plugins",
	.run = run_plugins,
};
