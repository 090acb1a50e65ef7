/* What the image layer's files share: the body of struct img.
 * SPDX-License-Identifier: MIT */
#ifndef IMAGE_IMAGE_INT_H
#define IMAGE_IMAGE_INT_H

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>

#include "image/image.h"

#define IMG_TYPE_CACHE 16

/* vars.c: one pc range [lo, hi) (link-time) of a function's DIE. */
struct img_func {
	uint64_t lo, hi;
	Dwarf_Off die;
};

struct img {
	int fd;
	Elf *elf;
	Dwarf *dwarf; /* NULL: no DWARF; the debug file's when there is one */
	/* debugfile.c: a separate debug file (DWARF and .symtab of a stripped exe) */
	int debug_fd;
	Elf *debug_elf;
	char *debug_path;
	char debug_search[320]; /* where it looked, "" before it did (img_debug_search) */
	char debug_rejected[PATH_MAX + 128]; /* a candidate refused, and why, or "" */
	char *name; /* for messages */
	uint64_t bias, link_base;
	bool pie;
	/* Type DIEs already found by name: a few types, each asked for many fields. */
	struct {
		const char *name;
		Dwarf_Die die;
	} types[IMG_TYPE_CACHE];
	size_t ntypes;
	/* vars.c: every function's ranges, sorted by lo and built on first use: Go
	 * writes no .debug_aranges, so dwarf_addrdie cannot find a function. */
	struct img_func *funcs;
	size_t nfuncs;
	bool funcs_done;
};

/* debugfile.c: look for the separate debug file of a stripped executable; on
 * success debug_* and dwarf are set. exe_path: its path as the process sees it, for
 * .gnu_debuglink; root: where that path starts from here (img_open). */
void img_find_debug_file(struct img *img, const char *exe_path, const char *root);

/* debuginfod.c: the debug file of build-id id from the servers DEBUGINFOD_URLS
 * names: an fd open on it (the caller closes it) and *path, its name in
 * libdebuginfod's cache (malloc'd, the caller frees it). -1 if none, with why
 * saying whom it asked and what went wrong; why is "" when DEBUGINFOD_URLS is
 * unset or empty, and then nothing is asked. */
int img_debuginfod_find(const uint8_t *id, size_t idlen, char **path, char *why, size_t size);

#endif
