/* The target layer's list of the files mapped into a process (its executable and
 * shared libraries, from /proc/PID/maps), each with the address of its mapping at
 * file offset 0 and a path that opens it even across mount namespaces
 * (/proc/PID/map_files/LO-HI). Reads /proc only.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bound on the files listed: a process maps a few hundred at most. */
#define MAX_FILES 4096

static bool
seen(const struct tgt_files *fs, uint64_t dev_ino[2])
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->files[i].dev == dev_ino[0] && fs->files[i].ino == dev_ino[1])
			return true;
	return false;
}

static int
add(struct tgt_files *fs, pid_t tid, uint64_t lo, uint64_t hi, uint64_t dev_ino[2],
    const char *name)
{
	struct tgt_file *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		void *grown = realloc(fs->files, cap * sizeof(*fs->files));

		if (!grown)
			return -1;
		fs->files = grown;
		fs->cap = cap;
	}
	f = &fs->files[fs->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(name);
	if (!f->path)
		return -1;
	f->base = lo;
	f->dev = dev_ino[0];
	f->ino = dev_ino[1];
	snprintf(f->open_path, sizeof(f->open_path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)tid, lo, hi);
	fs->n++;
	return 0;
}

int
tgt_files_read(pid_t tid, struct tgt_files *fs, struct insp_err *err)
{
	char path[64], line[4352], name[4096];
	unsigned int major, minor;
	uint64_t lo, hi, off, ino;
	FILE *f;

	memset(fs, 0, sizeof(*fs));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return insp_err_set(err, errno == ENOENT ? INSP_E_NOPROC : INSP_E_PERM,
				    "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) && fs->n < MAX_FILES) {
		uint64_t dev_ino[2];

		name[0] = '\0';
		if (sscanf(line,
			   "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %x:%x %" SCNu64 " %4095[^\n]",
			   &lo, &hi, &off, &major, &minor, &ino, name) < 7)
			continue;
		dev_ino[0] = ((uint64_t)major << 32) | minor;
		dev_ino[1] = ino;
		/* Mapped files only, once each, by their mapping at offset 0. */
		if (off != 0 || ino == 0 || name[0] != '/' || seen(fs, dev_ino))
			continue;
		if (add(fs, tid, lo, hi, dev_ino, name) < 0) {
			fclose(f);
			tgt_files_release(fs);
			return insp_err_set(err, INSP_E_SYS, "out of memory");
		}
	}
	fclose(f);
	return 0;
}

void
tgt_files_release(struct tgt_files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->files[i].path);
	free(fs->files);
	memset(fs, 0, sizeof(*fs));
}
