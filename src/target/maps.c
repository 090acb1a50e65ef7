/* The target layer's memory map: /proc/PID/maps as address ranges, so that copies
 * of thread stacks stop at the end of their mapping (a read across it would fail).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tgt_maps_read(pid_t pid, struct tgt_maps *m, struct insp_err *err)
{
	char path[64], line[512];
	FILE *f;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return insp_err_set(err, errno == ENOENT ? INSP_E_NOPROC : INSP_E_PERM,
				    "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) != 2)
			continue;
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 64;
			void *grown = realloc(m->ranges, cap * sizeof(*m->ranges));

			if (!grown) {
				fclose(f);
				tgt_maps_release(m);
				return insp_err_set(err, INSP_E_SYS, "out of memory");
			}
			m->ranges = grown;
			m->cap = cap;
		}
		m->ranges[m->n].lo = lo;
		m->ranges[m->n++].hi = hi;
	}
	fclose(f);
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

void
tgt_maps_release(struct tgt_maps *m)
{
	free(m->ranges);
	memset(m, 0, sizeof(*m));
}
