/* The runtime layer's internals shared by its files: the plugin folder and its
 * trust checks (plugin-dir.c), used by the loader (loader.c).
 * SPDX-License-Identifier: MIT */
#ifndef RUNTIME_RUNTIME_INT_H
#define RUNTIME_RUNTIME_INT_H

#include <stddef.h>

#include "runtime/runtime.h"

/* The plugin folder's path into dir, and a descriptor of it to read its entries
 * (the caller closes it), or -1 with err set. Privileged, only the installed
 * folder, checked (plugin-dir.c says how); warning gets why INSPECT_PLUGIN_DIR was
 * ignored, else "". */
int rt_plugin_dir_open(char *dir, size_t size, char *warning, size_t wsize, struct insp_err *err);
/* The plugin name in the folder dirfd (path dir, for messages), opened and
 * checked: a regular file and, privileged, no symbolic link, owned by root and
 * writable by root alone. A descriptor to dlopen as /proc/self/fd/N, or -1. */
int rt_plugin_file_open(int dirfd, const char *dir, const char *name, struct insp_err *err);

#endif
