/* The target layer's reader of /proc/PID/maps: each mapping to a callback (the one
 * parser of its lines, for the files mapped and the executable's base too), and the
 * address ranges, so that copies of thread stacks stop at the end of their mapping
 * (a read across it would fail).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tgt_maps_each(pid_t pid, int (*fn)(const struct tgt_mapping *m, void *arg), void *arg,
	      struct insp_err *err)
{
	char path[64], line[4352];
	struct tgt_mapping m;
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return insp_err_set(err, errno == ENOENT ? INSP_E_NOPROC : INSP_E_PERM,
				    "cannot read %s: %s", path, strerror(errno));
	/* "lo-hi perms offset major:minor inode   path"; the path may be absent or
	 * hold spaces, and ends the line */
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		m.path[0] = '\0';
		if (sscanf(line,
			   "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %4095[^\n]",
			   &m.lo, &m.hi, m.perms, &m.offset, &m.dev_major, &m.dev_minor, &m.ino,
			   m.path) < 7)
			continue;
		ret = fn(&m, arg);
	}
	fclose(f);
	if (ret < 0)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	return 0;
}

static int
add_range(const struct tgt_mapping *e, void *arg)
{
	struct tgt_maps *m = arg;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		void *grown = realloc(m->ranges, cap * sizeof(*m->ranges));

		if (!grown)
			return -1;
		m->ranges = grown;
		m->cap = cap;
	}
	m->ranges[m->n].lo = e->lo;
	m->ranges[m->n].readable = e->perms[0] == 'r';
	m->ranges[m->n++].hi = e->hi;
	return 0;
}

int
tgt_maps_read(pid_t pid, struct tgt_maps *m, struct insp_err *err)
{
	memset(m, 0, sizeof(*m));
	if (tgt_maps_each(pid, add_range, m, err) < 0) {
		tgt_maps_release(m);
		return -1;
	}
	/* Readable memory as a reader sees it: adjacent readable mappings (the
	 * kernel keeps them apart for other flags, madvise) are one run. */
	m->runs = malloc((m->n ? m->n : 1) * sizeof(*m->runs));
	if (!m->runs) {
		tgt_maps_release(m);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	for (size_t i = 0; i < m->n; i++) {
		if (!m->ranges[i].readable)
			continue;
		if (m->nruns && m->runs[m->nruns - 1].hi == m->ranges[i].lo)
			m->runs[m->nruns - 1].hi = m->ranges[i].hi;
		else
			m->runs[m->nruns++] =
				(struct tgt_range){ m->ranges[i].lo, m->ranges[i].hi, true };
	}
	return 0;
}

uint64_t
tgt_maps_end(const struct tgt_maps *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (addr >= m->ranges[i].lo && addr < m->ranges[i].hi)
			return m->ranges[i].hi;
	return 0;
}

int
tgt_maps_readable(const struct tgt_maps *m, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	size_t l = 0, h = m->nruns;

	/* the first run that ends above addr */
	while (l < h) {
		size_t mid = l + (h - l) / 2;

		if (m->runs[mid].hi <= addr)
			l = mid + 1;
		else
			h = mid;
	}
	if (l == m->nruns || addr < m->runs[l].lo)
		return -1;
	*lo = m->runs[l].lo;
	*hi = m->runs[l].hi;
	return 0;
}

void
tgt_maps_release(struct tgt_maps *m)
{
	free(m->ranges);
	free(m->runs);
	memset(m, 0, sizeof(*m));
}
