/* The runtime layer's plugin folder: where it is, and whether its code may be
 * loaded. Plugins run inside inspect, with its privileges: when inspect has some
 * the user lacks (setcap cap_sys_ptrace+ep, setuid: AT_SECURE), only root may have
 * put code there. Never loads anything itself; loader.c dlopens what it hands over.
 *
 * Privileged (getauxval(AT_SECURE) != 0, the kernel's verdict at exec):
 *   1. INSPECT_PLUGIN_DIR is not read (secure_getenv): the folder is plugins/ beside
 *      the executable, found through /proc/self/exe (no symlink to follow there).
 *   2. Every folder from / down to it is owned by root and writable by no one else
 *      (a sticky folder, as /tmp, is let through on the way: what root owns in it
 *      stays root's); each is opened from its parent with O_NOFOLLOW.
 *   3. Each plugin is opened from that folder's descriptor with O_NOFOLLOW, and
 *      fstat on the open file says: regular, owned by root, writable by no one else.
 *      loader.c dlopens /proc/self/fd/N, the checked file itself: no path is looked
 *      up twice, so nothing can be swapped between check and load.
 * Not privileged: INSPECT_PLUGIN_DIR (a developer's build), no ownership checks.
 * SPDX-License-Identifier: MIT */
#include "runtime/runtime-int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether inspect runs with privileges the user who started it lacks: file
 * capabilities or setuid (set by the kernel at exec). */
static bool
privileged(void)
{
	return getauxval(AT_SECURE) != 0;
}

/* Why st may not hold code a privileged inspect runs, or NULL. */
static const char *
untrusted(const struct stat *st, bool sticky_ok)
{
	if (st->st_uid != 0)
		return "it is not owned by root";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st->st_mode & S_ISVTX)))
		return "group or others may write to it";
	return NULL;
}

/* dir, from /, one folder at a time: an O_RDONLY descriptor of the last, or -1. */
static int
open_trusted_dir(const char *dir, struct insp_err *err)
{
	char *copy = strdup(dir), *save = NULL, *name, *next;
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *why = NULL;
	struct stat st;

	if (!copy || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return insp_err_set(err, INSP_E_SYS, "cannot open /: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0 || (why = untrusted(&st, true)))
		goto bad;
	for (name = strtok_r(copy, "/", &save); name; name = next) {
		int parent = fd;

		next = strtok_r(NULL, "/", &save);
		/* the last one is read (its entries); those above are only passed through */
		fd = openat(parent, name,
			    (next ? O_PATH : O_RDONLY) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(parent);
		if (fd < 0) {
			why = errno == ELOOP || errno == ENOTDIR ? "a symbolic link is on its way"
								 : strerror(errno);
			goto bad;
		}
		if (fstat(fd, &st) < 0 || (why = untrusted(&st, next != NULL)))
			goto bad;
	}
	free(copy);
	return fd;
bad:
	if (fd >= 0)
		close(fd);
	free(copy);
	return insp_err_set(err, INSP_E_SYS,
			    "plugin folder %s not used: %s, and inspect runs with privileges the "
			    "user lacks (file capabilities or setuid), so its plugins must be "
			    "owned and writable by root alone",
			    dir, why ? why : strerror(errno));
}

int
rt_plugin_dir_open(char *dir, size_t size, char *warning, size_t wsize, struct insp_err *err)
{
	bool priv = privileged();
	const char *env = secure_getenv("INSPECT_PLUGIN_DIR");
	char self[4096];
	ssize_t n;
	int fd;

	warning[0] = '\0';
	if (env && *env) {
		snprintf(dir, size, "%s", env);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		goto opened;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return insp_err_set(err, INSP_E_SYS, "cannot find the inspect executable");
	self[n] = '\0';
	snprintf(dir, size, "%s/plugins", dirname(self));
	if (priv) {
		env = getenv("INSPECT_PLUGIN_DIR");
		if (env && *env)
			snprintf(
				warning, wsize,
				"INSPECT_PLUGIN_DIR ignored: inspect runs with privileges the user "
				"lacks (file capabilities or setuid), so it loads plugins only "
				"from %s",
				dir);
		return open_trusted_dir(dir, err);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
opened:
	if (fd < 0)
		return insp_err_set(err, INSP_E_SYS,
				    "cannot open the plugin folder %s (set INSPECT_PLUGIN_DIR)",
				    dir);
	return fd;
}

int
rt_plugin_file_open(int dirfd, const char *dir, const char *name, struct insp_err *err)
{
	bool priv = privileged();
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | (priv ? O_NOFOLLOW : 0));
	const char *why = NULL;
	struct stat st;

	if (fd < 0)
		return insp_err_set(err, INSP_E_SYS, "cannot open plugin %s/%s: %s", dir, name,
				    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "it is not a regular file";
	else if (priv)
		why = untrusted(&st, false);
	if (why) {
		close(fd);
		return insp_err_set(err, INSP_E_SYS, "plugin %s/%s not loaded: %s%s", dir, name,
				    why,
				    priv ? " (inspect runs with privileges the user lacks)" : "");
	}
	return fd;
}
