/* The target layer's files as the process sees them: the file behind a mapping,
 * opened through /proc/PID/map_files, /proc/PID/exe or /proc/PID/root, never by the
 * path in /proc/PID/maps. That path may name nothing in inspect's mount namespace (a
 * container seen from the host), or another file (a deploy replaced it), or say
 * " (deleted)". Opens files read-only; never touches the process.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DELETED " (deleted)"

bool
tgt_path_strip_deleted(char *path)
{
	size_t n = strlen(path), d = strlen(DELETED);

	if (n <= d || strcmp(path + n - d, DELETED) != 0)
		return false;
	path[n - d] = '\0';
	return true;
}

/* Do path (ours) and its /proc/PID twin name one object (inode)? */
static bool
same_object(const char *ours, pid_t pid, const char *theirs)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, theirs);
	return stat(ours, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

void
tgt_proc_root(pid_t pid, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/%d/root", (int)pid);
	/* The same root directory is not enough: `unshare --mount` keeps it and
	 * mounts other file systems below it. */
	if (same_object("/", pid, "root") && same_object("/proc/self/ns/mnt", pid, "ns/mnt"))
		buf[0] = '\0'; /* our own root: paths read as they are */
}

int
tgt_proc_root_path(pid_t pid, const char *path, char *buf, size_t size)
{
	char root[64];
	int n;

	tgt_proc_root(pid, root, sizeof(root));
	n = snprintf(buf, size, "%s%s", root, path);
	return n > 0 && (size_t)n < size && path[0] == '/' ? 0 : -1;
}

/* tgt_maps_each's search for the mapping that starts at want->lo. */
static int
is_at(const struct tgt_mapping *m, void *arg)
{
	struct tgt_mapping *want = arg;

	if (m->lo != want->lo)
		return 0;
	*want = *m;
	return 1;
}

/* The mapping of pid that starts at lo, into *m. */
static bool
find_mapping(pid_t pid, uint64_t lo, struct tgt_mapping *m)
{
	m->lo = lo;
	m->hi = 0;
	return tgt_maps_each(pid, is_at, m, NULL) == 0 && m->hi;
}

/* fd is the file of the mapping (device and inode as maps says), or is closed. */
static int
same_file(int fd, dev_t dev, uint64_t ino)
{
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == ino && st.st_dev == dev)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

int
tgt_file_open(pid_t pid, const struct tgt_file *f, char *why, size_t size)
{
	char path[4200], name[4096];
	int fd, map_errno;
	bool deleted;

	/* Any mapped file, deleted or not, from any namespace; but the kernel asks
	 * for CAP_SYS_ADMIN (CAP_CHECKPOINT_RESTORE since Linux 5.9) on top of ptrace. */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, f->base,
		 f->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	map_errno = errno;
	/* The executable, which ptrace's permission alone lets us open. */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((fd = same_file(open(path, O_RDONLY | O_CLOEXEC), f->dev, f->ino)) >= 0)
		return fd;
	/* The path in the process's own root: right unless deleted or replaced. */
	snprintf(name, sizeof(name), "%s", f->path);
	deleted = tgt_path_strip_deleted(name);
	if (deleted || tgt_proc_root_path(pid, name, path, sizeof(path)) < 0) {
		snprintf(why, size, "deleted, and /proc/%d/map_files: %s", (int)pid,
			 strerror(map_errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, size, "%s: %s, and /proc/%d/map_files: %s", path, strerror(errno),
			 (int)pid, strerror(map_errno));
		return -1;
	}
	if ((fd = same_file(fd, f->dev, f->ino)) >= 0)
		return fd;
	snprintf(why, size, "%s is another file than the one mapped, and /proc/%d/map_files: %s",
		 path, (int)pid, strerror(map_errno));
	return -1;
}

int
tgt_open_mapped(pid_t pid, uint64_t lo, char *why, size_t size)
{
	struct tgt_mapping m;
	struct tgt_file f;

	if (!find_mapping(pid, lo, &m)) {
		snprintf(why, size, "no mapping of process %d starts at 0x%" PRIx64, (int)pid, lo);
		return -1;
	}
	f = (struct tgt_file){ .path = m.path,
			       .base = m.lo,
			       .end = m.hi,
			       .dev = makedev(m.dev_major, m.dev_minor),
			       .ino = m.ino };
	return tgt_file_open(pid, &f, why, size);
}
