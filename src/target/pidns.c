/* The target layer's PID namespaces: a process in a container knows its threads by
 * the ids of its own namespace (a runtime records gettid()), inspect by the host's.
 * NSpid: in /proc/PID/task/TID/status lists a thread's id in each namespace from
 * /proc's down to the innermost. Reads /proc only; never touches the process.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Does pid live in our PID namespace? Unknown (no /proc/PID/ns) counts as yes. */
static bool
same_pidns(pid_t pid)
{
	char path[64];
	struct stat ours, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (stat("/proc/self/ns/pid", &ours) < 0 || stat(path, &theirs) < 0)
		return true;
	return ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev;
}

/* The last id of the NSpid: line of tid, or 0. */
static int32_t
innermost_tid(pid_t pid, pid_t tid)
{
	char path[96], line[256];
	int32_t id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 6, *end;

		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		for (long v; (v = strtol(p, &end, 10)), end != p; p = end)
			id = v > 0 && v <= INT32_MAX ? (int32_t)v : 0;
		break;
	}
	fclose(f);
	return id;
}

int
tgt_nsmap_read(pid_t pid, struct tgt_nsmap *m, struct insp_err *err)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->same = same_pidns(pid);
	if (m->same)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return insp_err_set(err, INSP_E_NOPROC, "cannot read %s: %s", path,
				    strerror(errno));
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 64;
			void *grown = realloc(m->ids, cap * sizeof(*m->ids));

			if (!grown) {
				closedir(d);
				tgt_nsmap_release(m);
				return insp_err_set(err, INSP_E_SYS, "out of memory");
			}
			m->ids = grown;
			m->cap = cap;
		}
		m->ids[m->n].tid = (int32_t)tid;
		m->ids[m->n++].ns_tid = innermost_tid(pid, (pid_t)tid);
	}
	closedir(d);
	return 0;
}

void
tgt_nsmap_apply(const struct tgt_nsmap *m, struct insp_thread *threads, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (m->same) {
			threads[i].ns_tid = threads[i].tid;
			continue;
		}
		while (k < m->n && m->ids[k].tid != threads[i].tid)
			k++;
		/* a thread born after the map: read it now */
		threads[i].ns_tid =
			k < m->n ? m->ids[k].ns_tid : innermost_tid(m->pid, threads[i].tid);
	}
}

void
tgt_nsmap_release(struct tgt_nsmap *m)
{
	free(m->ids);
	memset(m, 0, sizeof(*m));
}
