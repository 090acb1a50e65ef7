/* The runtime layer: loads the runtime plugins (plugins/<name>.so) through the plugin
 * ABI and picks the one whose runtime is in the target. The core's only contact with
 * a runtime's internals goes through struct insp_plugin.
 * SPDX-License-Identifier: MIT */
#ifndef RUNTIME_RUNTIME_H
#define RUNTIME_RUNTIME_H

#include <stddef.h>

#include "inspect/err.h"
#include "inspect/plugin.h"

#define RT_MAX_PLUGINS 16

struct rt_plugin_set {
	const struct insp_plugin *plugins[RT_MAX_PLUGINS];
	void *handles[RT_MAX_PLUGINS];
	char paths[RT_MAX_PLUGINS][4096];
	int fds[RT_MAX_PLUGINS]; /* each plugin's file, open while it is loaded */
	size_t n;
	char dir[4096];
	char warning[512]; /* "" or why INSPECT_PLUGIN_DIR was ignored */
};

/* Load every *.so in $INSPECT_PLUGIN_DIR, else in plugins/ beside the inspect
 * executable. A plugin with another ABI version is an error. When inspect runs
 * with privileges the user lacks (setcap, setuid), only plugins/ beside it, and
 * only if root alone owns and may write it and them (plugin-dir.c). */
int rt_plugins_load(struct rt_plugin_set *set, struct insp_err *err);
void rt_plugins_unload(struct rt_plugin_set *set);
/* The first plugin whose probe() says its runtime is in the image behind h. */
int rt_plugins_select(const struct rt_plugin_set *set, const struct insp_host *h, int pid,
		      const struct insp_plugin **out, struct insp_err *err);

#endif
