/* The target layer's list of the files mapped into a process (its executable and
 * shared libraries, from /proc/PID/maps), each with its mapping at file offset 0,
 * which tgt_file_open opens it by, even across mount namespaces. Reads /proc only.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* Bound on the files listed: a process maps a few hundred at most. */
#define MAX_FILES 4096

static bool
seen(const struct tgt_files *fs, dev_t dev, uint64_t ino)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->files[i].dev == dev && fs->files[i].ino == ino)
			return true;
	return false;
}

static int
add(struct tgt_files *fs, const struct tgt_mapping *m, dev_t dev)
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
	*f = (struct tgt_file){
		.path = strdup(m->path), .base = m->lo, .end = m->hi, .dev = dev, .ino = m->ino
	};
	if (!f->path)
		return -1;
	fs->n++;
	return 0;
}

/* tgt_maps_each's visit: files only, once each, by their mapping at offset 0. */
static int
visit(const struct tgt_mapping *m, void *arg)
{
	struct tgt_files *fs = arg;
	dev_t dev = makedev(m->dev_major, m->dev_minor);

	if (fs->n >= MAX_FILES)
		return 1;
	if (m->offset != 0 || m->ino == 0 || m->path[0] != '/' || seen(fs, dev, m->ino))
		return 0;
	return add(fs, m, dev);
}

int
tgt_files_read(pid_t tid, struct tgt_files *fs, struct insp_err *err)
{
	memset(fs, 0, sizeof(*fs));
	if (tgt_maps_each(tid, visit, fs, err) < 0) {
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
