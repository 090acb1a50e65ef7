/* The image layer's separate debug information, found the way elfutils and gdb find
 * it for a stripped executable: by its GNU build-id under
 * /usr/lib/debug/.build-id/xx/rest.debug, else by its .gnu_debuglink name next to
 * it, in its .debug/ folder or under /usr/lib/debug/ and its folder, else from the
 * debuginfod servers of DEBUGINFOD_URLS (debuginfod.c). The root of the local paths
 * can be moved (INSPECT_DEBUG_ROOT, for packages unpacked elsewhere); a process in
 * a container is also looked up in its own root (/proc/PID/root). The debug file
 * gives the DWARF and the symbol table; code and data stay the executable's.
 * A candidate must match the executable: by build-id when it has one, else by the
 * CRC-32 the .gnu_debuglink records (Go 1.19's linker writes no build-id, so a debug
 * file of another build at the linked name is caught by the CRC alone).
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_BUILD_ID 64
/* Bound on a debug file's size: the DWARF of the largest Go services is hundreds
 * of MiB; a bigger file at a candidate's name is not one (or a sparse trap whose
 * CRC would take minutes to compute). */
#define MAX_DEBUG_FILE      ((off_t)4 << 30)
#define MAX_DEBUG_FILE_TEXT "4 GiB"
/* The local places, as img_debug_search tells them. */
#define LOCAL_PLACES_SECURE "by build-id under /usr/lib/debug/.build-id, or its .gnu_debuglink"
#define LOCAL_PLACES        LOCAL_PLACES_SECURE "; INSPECT_DEBUG_ROOT=DIR looks under DIR/usr/lib/debug"

/* With privileges the user lacks (AT_SECURE) INSPECT_DEBUG_ROOT is not read:
 * then it is not offered. */
static const char *
local_places(void)
{
	return getauxval(AT_SECURE) ? LOCAL_PLACES_SECURE : LOCAL_PLACES;
}

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

/* What a candidate debug file must match: the executable's build-id (idlen 0: it
 * has none), else, for a file found by .gnu_debuglink, the CRC it records. */
struct want {
	const uint8_t *id;
	size_t idlen;
	bool check_crc;
	uint32_t crc;
};

/* The .gnu_debuglink file name, or NULL; *crc: the CRC-32 after it. The section is
 * the name, NUL, padding to 4 bytes, then the CRC in the file's byte order (binutils
 * bfd/opncls.c bfd_create_gnu_debuglink_section). A SHT_NOBITS one has a size but
 * no bytes (libelf gives d_buf NULL): none (issue 13, found by tests/fuzz/elf). */
static const char *
debuglink(Elf *elf, uint32_t *crc)
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
		    !d->d_buf || !d->d_size || !memchr(d->d_buf, 0, d->d_size))
			continue;
		size_t at = (strlen(d->d_buf) + 4) & ~(size_t)3;
		const uint8_t *b = (const uint8_t *)d->d_buf + at;

		if (at + 4 > d->d_size)
			return NULL;
		if (elf_getident(elf, NULL)[EI_DATA] == ELFDATA2MSB)
			*crc = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
			       b[3];
		else
			*crc = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 |
			       b[0];
		return d->d_buf;
	}
	return NULL;
}

/* Try the file printf(fmt, ...) names; a name too long for PATH_MAX is none. */
static bool try_file(struct img *img, const char *path, const struct want *w);

static bool __attribute__((format(printf, 3, 4)))
try_path(struct img *img, const struct want *w, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(path) && try_file(img, path, w);
}

/* CRC-32 of the whole file fd (zlib's crc32: the polynomial .gnu_debuglink uses),
 * read up to its size when it starts, so that a file that grows meanwhile ends. */
static int
file_crc32(int fd, uint32_t *crc)
{
	unsigned char buf[64 * 1024];
	uLong c = crc32(0L, Z_NULL, 0);
	off_t off = 0;
	struct stat st;
	ssize_t n = 0;

	if (fstat(fd, &st) < 0)
		return -1;
	while (off < st.st_size) {
		size_t want = sizeof(buf);

		if (st.st_size - off < (off_t)want)
			want = (size_t)(st.st_size - off);
		n = pread(fd, buf, want, off);
		if (n <= 0)
			break;
		c = crc32(c, buf, (uInt)n);
		off += n;
	}
	*crc = (uint32_t)c;
	return n < 0 ? -1 : 0;
}

/* The build-id of the candidate elf is the executable's, when it has one. */
static bool
id_matches(struct img *img, Elf *elf, const char *path, const struct want *w)
{
	uint8_t other[MAX_BUILD_ID];

	if (!w->idlen || (build_id(elf, other) == w->idlen && memcmp(other, w->id, w->idlen) == 0))
		return true;
	snprintf(img->debug_rejected, sizeof(img->debug_rejected),
		 "debug file %s not used: its build-id differs from the executable's (a file "
		 "of another build?)",
		 path);
	return false;
}

/* The debuglink's file, when it has no build-id to compare: is it the right one? A
 * mismatch is kept for a note, since the file at the linked name is a user's. */
static bool
crc_matches(struct img *img, int fd, const char *path, const struct want *w)
{
	uint32_t crc;

	if (!w->check_crc)
		return true;
	if (file_crc32(fd, &crc) < 0) {
		snprintf(img->debug_rejected, sizeof(img->debug_rejected),
			 "debug file %s not used: cannot read it to check its CRC", path);
		return false;
	}
	if (crc == w->crc)
		return true;
	snprintf(img->debug_rejected, sizeof(img->debug_rejected),
		 "debug file %s not used: its CRC 0x%08x differs from the .gnu_debuglink's "
		 "0x%08x (a file of another build?)",
		 path, crc, w->crc);
	return false;
}

/* Take fd, open on path, as the debug file of img: an ELF with DWARF, and the same
 * build-id as the executable when the executable has one. fd is closed if not. */
static bool
adopt(struct img *img, int fd, const char *path, const struct want *w)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Dwarf *dw;

	if (!elf || elf_kind(elf) != ELF_K_ELF || !id_matches(img, elf, path, w) ||
	    !crc_matches(img, fd, path, w) || !(dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL))) {
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

/* A candidate is a name anyone who owns the folder (a container's root, the
 * executable's folder) may have put anything at: only a regular file of a debug
 * file's size is read. O_NONBLOCK: a FIFO must not block the open. */
static bool
try_file(struct img *img, const char *path, const struct want *w)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	const char *why = NULL;
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0)
		why = "cannot stat it";
	else if (!S_ISREG(st.st_mode))
		why = "it is not a regular file";
	else if (st.st_size > MAX_DEBUG_FILE)
		why = "it is larger than " MAX_DEBUG_FILE_TEXT;
	if (why) {
		snprintf(img->debug_rejected, sizeof(img->debug_rejected),
			 "debug file %s not used: %s", path, why);
		close(fd);
		return false;
	}
	return adopt(img, fd, path, w);
}

const char *
img_build_id(const struct img *img, char *hex, size_t size)
{
	uint8_t id[MAX_BUILD_ID];
	size_t idlen = build_id(img->elf, id);

	if (size == 0)
		return hex;
	hex[0] = '\0';
	if (2 * idlen + 1 > size)
		return hex;
	for (size_t i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	return hex;
}

/* The local ways, in elfutils' order: build-id paths, then the .gnu_debuglink. */
static bool
find_local(struct img *img, const char *exe_path, const char *root, const uint8_t *id, size_t idlen)
{
	struct want by_id = { .id = id, .idlen = idlen }, by_link = by_id;
	const char *env = secure_getenv("INSPECT_DEBUG_ROOT"),
		   *link = debuglink(img->elf, &by_link.crc);
	/* a container's own debug packages too (root is its /proc/PID/root) */
	const char *roots[3] = { env && *env ? env : NULL, "", *root ? root : NULL };
	char hex[2 * MAX_BUILD_ID + 1];
	int dirlen = strrchr(exe_path, '/') ? (int)(strrchr(exe_path, '/') - exe_path) : 0;

	for (size_t i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	for (int r = 0; r < 3 && idlen > 1; r++)
		if (roots[r] && try_path(img, &by_id, "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
					 roots[r], hex, hex + 2))
			return true;
	/* gdb's order for a debuglink: beside it, in .debug/, under the debug root */
	if (!link || strchr(link, '/'))
		return false;
	/* With a build-id, that is the check (as elfutils does); without, the CRC. */
	by_link.check_crc = idlen == 0;
	/* beside it in the process's root: its container's, or where a deleted
	 * executable's folder still is */
	if (try_path(img, &by_link, "%s%.*s/%s", root, dirlen, exe_path, link) ||
	    try_path(img, &by_link, "%s%.*s/.debug/%s", root, dirlen, exe_path, link))
		return true;
	for (int r = 0; r < 3; r++)
		if (roots[r] && try_path(img, &by_link, "%s/usr/lib/debug%.*s/%s", roots[r], dirlen,
					 exe_path, link))
			return true;
	return false;
}

void
img_find_debug_file(struct img *img, const char *exe_path, const char *root)
{
	uint8_t id[MAX_BUILD_ID];
	size_t idlen = build_id(img->elf, id);
	struct want by_id = { .id = id, .idlen = idlen };
	char why[sizeof(img->debug_search) - sizeof(LOCAL_PLACES) - 2], *path = NULL;
	bool found;
	int fd;

	snprintf(img->debug_search, sizeof(img->debug_search), "%s", local_places());
	if (find_local(img, exe_path, root ? root : "", id, idlen))
		return;
	/* Last, as elfutils does: the network is the slow way, and only if asked. */
	fd = img_debuginfod_find(id, idlen, &path, why, sizeof(why));
	found = fd >= 0 && adopt(img, fd, path ? path : "(debuginfod's cache)", &by_id);
	if (fd >= 0 && !found)
		snprintf(why, sizeof(why),
			 "debuginfod at %s sent a file with another build-id or no DWARF",
			 secure_getenv("DEBUGINFOD_URLS"));
	free(path);
	if (!found)
		snprintf(img->debug_search, sizeof(img->debug_search), "%s; %s", local_places(),
			 why[0] ? why : "DEBUGINFOD_URLS=URL asks a debuginfod server");
}

int
img_debug_fd_for(Elf *elf, const char *path, const char *root, char **found)
{
	struct img tmp = { .fd = -1, .elf = elf, .debug_fd = -1 };
	uint8_t id[MAX_BUILD_ID];
	size_t idlen = build_id(elf, id);
	int fd = -1;

	*found = NULL;
	if (find_local(&tmp, path, root ? root : "", id, idlen)) {
		fd = dup(tmp.debug_fd);
		*found = fd >= 0 ? strdup(tmp.debug_path) : NULL;
		if (fd >= 0 && !*found) {
			close(fd);
			fd = -1;
		}
		dwarf_end(tmp.dwarf);
		elf_end(tmp.debug_elf);
		close(tmp.debug_fd);
		free(tmp.debug_path);
	}
	return fd;
}

const char *
img_debug_file(const struct img *img)
{
	return img->debug_path;
}

const char *
img_debug_rejected(const struct img *img)
{
	return img->debug_rejected[0] ? img->debug_rejected : NULL;
}

const char *
img_debug_search(const struct img *img)
{
	return img->debug_search;
}
