/* The model layer's shared libraries for the runtime plugins: before the probe, the
 * files a process maps other than its executable are offered through the host
 * (insp_host nlibs, libs, lib_has_section); when a plugin says its runtime is in
 * one of them (use_lib), that library becomes the image, with its load bias, and
 * the plugin probes it again. Knows no runtime: which section tells is the plugin's.
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "target/target.h"

static int
host_lib_has_section(void *ctx, size_t i, const char *name)
{
	struct mdl_host_ctx *c = ctx;
	char why[512];
	int fd, has;

	if (i >= c->nlibs)
		return 0;
	/* through the process, as the image will be read (mapfile.c) */
	fd = tgt_file_open(c->proc->io_tid, &c->files.files[c->lib_file[i]], why, sizeof(why));
	if (fd < 0)
		return 0;
	has = img_fd_has_section(fd, name);
	close(fd);
	return has > 0;
}

static void
host_use_lib(void *ctx, size_t i)
{
	struct mdl_host_ctx *c = ctx;

	if (i < c->nlibs)
		c->use_lib = i + 1;
}

/* The executable itself, known by its device and inode (tgt_proc_open's stat). */
static bool
is_exe(const struct tgt_proc *p, const struct tgt_file *f)
{
	return f->ino == (uint64_t)p->exe_ino && f->dev == p->exe_dev;
}

int
mdl_libs_read(struct mdl_host_ctx *c, struct insp_err *err)
{
	if (tgt_files_read(c->proc->io_tid, &c->files, err) < 0)
		return -1;
	c->libs = calloc(c->files.n + 1, sizeof(*c->libs));
	c->lib_file = calloc(c->files.n + 1, sizeof(*c->lib_file));
	if (!c->libs || !c->lib_file)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < c->files.n; i++) {
		if (is_exe(c->proc, &c->files.files[i]))
			continue;
		c->lib_file[c->nlibs] = i;
		c->libs[c->nlibs++] = c->files.files[i].path;
	}
	return 0;
}

void
mdl_libs_offer(struct insp_host *h, struct mdl_host_ctx *c)
{
	h->nlibs = c->nlibs;
	h->libs = c->libs;
	h->lib_has_section = host_lib_has_section;
	h->use_lib = host_use_lib;
}

int
mdl_libs_switch(struct mdl_host_ctx *c, struct insp_err *err)
{
	const struct tgt_file *f = &c->files.files[c->lib_file[c->use_lib - 1]];
	struct img *img = NULL;
	char root[64], why[512], *lib;
	bool deleted;
	int fd;

	/* the path for people, as for the executable: the file is read through the
	 * process (mapfile.c), whatever happened to it on disk */
	lib = arena_strdup(&c->s->arena, f->path);
	if (!lib)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	deleted = tgt_path_strip_deleted(lib);
	fd = tgt_file_open(c->proc->io_tid, f, why, sizeof(why));
	if (fd < 0)
		return insp_err_set(err, INSP_E_PERM, "cannot open '%s': %s", lib, why);
	tgt_proc_root(c->proc->io_tid, root, sizeof(root));
	if (img_open_fd(&img, fd, lib, root, err) < 0)
		return -1;
	img_set_bias(img, f->base - img_link_base(img));
	img_close(c->img);
	c->img = img;
	if (deleted)
		mdl_note(c->s,
			 "%s was deleted or replaced on disk since process %d loaded it: read "
			 "through /proc/%d/map_files",
			 lib, (int)c->s->pid, (int)c->s->pid);
	c->s->runtime_lib = lib;
	return 0;
}

void
mdl_libs_release(struct mdl_host_ctx *c)
{
	tgt_files_release(&c->files);
	free(c->libs);
	free(c->lib_file);
	c->libs = NULL;
	c->lib_file = NULL;
	c->nlibs = 0;
}
