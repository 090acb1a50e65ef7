/* The runtime layer's plugin loader: dlopen each shared object in the plugin folder,
 * check its ABI version, and ask each in turn whether it knows the target's runtime.
 * SPDX-License-Identifier: MIT */
#include "runtime/runtime.h"

#include <dirent.h>
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
plugin_dir(char *dir, size_t size, struct insp_err *err)
{
	const char *env = getenv("INSPECT_PLUGIN_DIR");
	char self[4096];
	ssize_t n;

	if (env && *env) {
		snprintf(dir, size, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return insp_err_set(err, INSP_E_SYS, "cannot find the inspect executable");
	self[n] = '\0';
	snprintf(dir, size, "%s/plugins", dirname(self));
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rt_plugins_load(struct rt_plugin_set *set, struct insp_err *err)
{
	char *names[RT_MAX_PLUGINS];
	size_t nnames = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	memset(set, 0, sizeof(*set));
	if (plugin_dir(set->dir, sizeof(set->dir), err) < 0)
		return -1;
	d = opendir(set->dir);
	if (!d)
		return insp_err_set(err, INSP_E_SYS,
				    "cannot open the plugin folder %s (set INSPECT_PLUGIN_DIR)",
				    set->dir);
	while ((de = readdir(d)) && nnames < RT_MAX_PLUGINS) {
		size_t len = strlen(de->d_name);

		if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
			names[nnames++] = strdup(de->d_name);
	}
	closedir(d);
	/* Probe in a stable order. */
	qsort(names, nnames, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < nnames; i++) {
		char *path = set->paths[set->n];
		insp_plugin_entry_fn entry;
		const struct insp_plugin *p;
		void *h;

		if (ret < 0 || !names[i])
			goto next;
		if (snprintf(path, sizeof(set->paths[0]), "%s/%s", set->dir, names[i]) >=
		    (int)sizeof(set->paths[0]))
			goto next;
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			ret = insp_err_set(err, INSP_E_SYS, "cannot load plugin %s: %s", path,
					   dlerror());
			goto next;
		}
		entry = (insp_plugin_entry_fn)dlsym(h, INSP_PLUGIN_ENTRY);
		p = entry ? entry() : NULL;
		if (!p || p->abi != INSP_ABI_VERSION) {
			ret = insp_err_set(
				err, INSP_E_SYS,
				"plugin %s has plugin ABI %u, inspect needs %u: rebuild it", path,
				p ? p->abi : 0, INSP_ABI_VERSION);
			dlclose(h);
			goto next;
		}
		set->handles[set->n] = h;
		set->plugins[set->n++] = p;
	next:
		free(names[i]);
	}
	if (ret == 0 && set->n == 0)
		ret = insp_err_set(err, INSP_E_SYS, "no plugins in %s (set INSPECT_PLUGIN_DIR)",
				   set->dir);
	if (ret < 0)
		rt_plugins_unload(set);
	return ret;
}

void
rt_plugins_unload(struct rt_plugin_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		dlclose(set->handles[i]);
	set->n = 0;
}

int
rt_plugins_select(const struct rt_plugin_set *set, const struct insp_host *h, int pid,
		  const struct insp_plugin **out, struct insp_err *err)
{
	char tried[256] = "";

	for (size_t i = 0; i < set->n; i++) {
		const struct insp_plugin *p = set->plugins[i];
		int r = p->probe(h, err);

		if (r < 0)
			return -1;
		if (r > 0) {
			*out = p;
			return 0;
		}
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s",
			 i ? ", " : "", p->name);
	}
	return insp_err_set(err, INSP_E_NOTGO,
			    "process %d (%s) is not a Go program: no runtime found (tried: %s)",
			    pid, h->exe_path, tried);
}
