/* The image layer's separate debug information, found the way elfutils and gdb find
 * it for a stripped executable: by its GNU build-id under
 * /usr/lib/debug/.build-id/xx/rest.debug, else by its .gnu_debuglink name next to
 * it, in its .debug/ folder or under /usr/lib/debug/ and its folder, else from the
 * debuginfod servers of DEBUGINFOD_URLS (debuginfod.c). The root of the local paths
 * can be moved (INSPECT_DEBUG_ROOT, for packages unpacked elsewhere); a process in
 * a container is also looked up in its own root (/proc/PID/root). The debug file
 * gives the DWARF and the symbol table; code and data stay the executable's.
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BUILD_ID 64
/* The local places, as img_debug_search tells them. */
#define LOCAL_PLACES                                                                               \
	"by build-id under /usr/lib/debug/.build-id, or its .gnu_debuglink; "                      \
	"INSPECT_DEBUG_ROOT=DIR looks under DIR/usr/lib/debug"

/* The bytes of the executable's NT_GNU_BUILD_ID note; 0 if it has none. */
static size_t
build_id(Elf *elf, uint8_t *id)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) != 0 ||
			    nh.n_descsz == 0 || nh.n_descsz > MAX_BUILD_ID)
				continue;
			memcpy(id, (const uint8_t *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
	}
	return 0;
}

/* The .gnu_debuglink file name, or NULL. */
static const char *
debuglink(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *n;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &shdr) || !(n = elf_strptr(elf, shstrndx, shdr.sh_name)) ||
		    strcmp(n, ".gnu_debuglink") != 0 || !(d = elf_getdata(scn, NULL)) ||
		    !d->d_size || !memchr(d->d_buf, 0, d->d_size))
			continue;
		return d->d_buf;
	}
	return NULL;
}

/* Try the file printf(fmt, ...) names; a name too long for PATH_MAX is none. */
static bool try_file(struct img *img, const char *path, const uint8_t *id, size_t idlen);

static bool __attribute__((format(printf, 4, 5)))
try_path(struct img *img, const uint8_t *id, size_t idlen, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(path) && try_file(img, path, id, idlen);
}

/* Take fd, open on path, as the debug file of img: an ELF with DWARF, and the same
 * build-id as the executable when the executable has one. fd is closed if not. */
static bool
adopt(struct img *img, int fd, const char *path, const uint8_t *id, size_t idlen)
{
	uint8_t other[MAX_BUILD_ID];
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Dwarf *dw;

	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    (idlen && (build_id(elf, other) != idlen || memcmp(other, id, idlen) != 0)) ||
	    !(dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL))) {
		if (elf)
			elf_end(elf);
		close(fd);
		return false;
	}
	if (img->dwarf)
		dwarf_end(img->dwarf); /* the executable's own, when only .symtab was missing */
	img->debug_fd = fd;
	img->debug_elf = elf;
	img->dwarf = dw;
	img->debug_path = strdup(path);
	return true;
}

static bool
try_file(struct img *img, const char *path, const uint8_t *id, size_t idlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && adopt(img, fd, path, id, idlen);
}

/* The local ways, in elfutils' order: build-id paths, then the .gnu_debuglink. */
static bool
find_local(struct img *img, const char *exe_path, const char *root, const uint8_t *id, size_t idlen)
{
	const char *env = getenv("INSPECT_DEBUG_ROOT"), *link = debuglink(img->elf);
	/* a container's own debug packages too (root is its /proc/PID/root) */
	const char *roots[3] = { env && *env ? env : NULL, "", *root ? root : NULL };
	char hex[2 * MAX_BUILD_ID + 1];
	int dirlen = strrchr(exe_path, '/') ? (int)(strrchr(exe_path, '/') - exe_path) : 0;

	for (size_t i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	for (int r = 0; r < 3 && idlen > 1; r++)
		if (roots[r] && try_path(img, id, idlen, "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
					 roots[r], hex, hex + 2))
			return true;
	/* gdb's order for a debuglink: beside it, in .debug/, under the debug root */
	if (!link || strchr(link, '/'))
		return false;
	/* beside it in the process's root: its container's, or where a deleted
	 * executable's folder still is */
	if (try_path(img, id, idlen, "%s%.*s/%s", root, dirlen, exe_path, link) ||
	    try_path(img, id, idlen, "%s%.*s/.debug/%s", root, dirlen, exe_path, link))
		return true;
	for (int r = 0; r < 3; r++)
		if (roots[r] && try_path(img, id, idlen, "%s/usr/lib/debug%.*s/%s", roots[r],
					 dirlen, exe_path, link))
			return true;
	return false;
}

void
img_find_debug_file(struct img *img, const char *exe_path, const char *root)
{
	uint8_t id[MAX_BUILD_ID];
	size_t idlen = build_id(img->elf, id);
	char why[sizeof(img->debug_search) - sizeof(LOCAL_PLACES) - 2], *path = NULL;
	bool found;
	int fd;

	snprintf(img->debug_search, sizeof(img->debug_search), "%s", LOCAL_PLACES);
	if (find_local(img, exe_path, root ? root : "", id, idlen))
		return;
	/* Last, as elfutils does: the network is the slow way, and only if asked. */
	fd = img_debuginfod_find(id, idlen, &path, why, sizeof(why));
	found = fd >= 0 && adopt(img, fd, path ? path : "(debuginfod's cache)", id, idlen);
	if (fd >= 0 && !found)
		snprintf(why, sizeof(why),
			 "debuginfod at %s sent a file with another build-id or no DWARF",
			 getenv("DEBUGINFOD_URLS"));
	free(path);
	if (!found)
		snprintf(img->debug_search, sizeof(img->debug_search), "%s; %s", LOCAL_PLACES,
			 why[0] ? why : "DEBUGINFOD_URLS=URL asks a debuginfod server");
}

const char *
img_debug_file(const struct img *img)
{
	return img->debug_path;
}

const char *
img_debug_search(const struct img *img)
{
	return img->debug_search;
}
