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

struct tgt_files_read_ctx {
	struct tgt_files *fs;
	pid_t tid;
};

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

/* tgt_maps_each's visit: files only, once each, by their mapping at offset 0. */
static int
visit(const struct tgt_mapping *m, void *arg)
{
	struct tgt_files_read_ctx *c = arg;
	uint64_t dev_ino[2] = { (uint64_t)m->dev_major << 32 | m->dev_minor, m->ino };

	if (c->fs->n >= MAX_FILES)
		return 1;
	if (m->offset != 0 || m->ino == 0 || m->path[0] != '/' || seen(c->fs, dev_ino))
		return 0;
	return add(c->fs, c->tid, m->lo, m->hi, dev_ino, m->path);
}

int
tgt_files_read(pid_t tid, struct tgt_files *fs, struct insp_err *err)
{
	struct tgt_files_read_ctx c = { fs, tid };

	memset(fs, 0, sizeof(*fs));
	if (tgt_maps_each(tid, visit, &c, err) < 0) {
		tgt_files_release(fs);
		return -1;
	}
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
