/* The runtime layer's plugin loader: dlopen each shared object in the plugin folder
 * (plugin-dir.c opens and checks them), check its ABI version, and ask each in turn
 * whether it knows the target's runtime.
 * SPDX-License-Identifier: MIT */
#include "runtime/runtime.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/runtime-int.h"

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
	int dirfd, ret = 0;
	DIR *d;

	memset(set, 0, sizeof(*set));
	dirfd = rt_plugin_dir_open(set->dir, sizeof(set->dir), set->warning, sizeof(set->warning),
				   err);
	if (dirfd < 0)
		return -1;
	d = fdopendir(dup(dirfd));
	if (!d) {
		close(dirfd);
		return insp_err_set(err, INSP_E_SYS, "cannot read the plugin folder %s", set->dir);
	}
	while ((de = readdir(d)) && nnames < RT_MAX_PLUGINS) {
		size_t len = strlen(de->d_name);

		if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
			names[nnames++] = strdup(de->d_name);
	}
	closedir(d);
	/* Probe in a stable order. */
	qsort(names, nnames, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < nnames; i++) {
		char *path = set->paths[set->n], fdpath[64];
		insp_plugin_entry_fn entry;
		const struct insp_plugin *p;
		void *h;
		int fd;

		if (ret < 0 || !names[i])
			goto next;
		if (snprintf(path, sizeof(set->paths[0]), "%s/%s", set->dir, names[i]) >=
		    (int)sizeof(set->paths[0]))
			goto next;
		fd = rt_plugin_file_open(dirfd, set->dir, names[i], err);
		if (fd < 0) {
			ret = -1;
			goto next;
		}
		/* The file checked, not its name again. Its descriptor stays open while
		 * it is loaded: ld.so takes a name it has loaded for the same object, and
		 * a closed descriptor's number comes back for the next plugin. */
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		h = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			ret = insp_err_set(err, INSP_E_SYS, "cannot load plugin %s: %s", path,
					   dlerror());
			close(fd);
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
			close(fd);
			goto next;
		}
		set->fds[set->n] = fd;
		set->handles[set->n] = h;
		set->plugins[set->n++] = p;
	next:
		free(names[i]);
	}
	close(dirfd);
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
	for (size_t i = 0; i < set->n; i++) {
		dlclose(set->handles[i]);
		close(set->fds[i]);
	}
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
