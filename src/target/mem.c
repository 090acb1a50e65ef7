/* The target layer's memory reads: process_vm_readv in batches of up to IOV_MAX, and
 * /proc/PID/mem where the kernel has no cross-memory attach. Every read has an
 * explicit length; a fault fails that read only. Read-only by construction.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BATCH 1024 /* IOV_MAX on Linux */

static int
open_mem(struct tgt_proc *p, struct insp_err *err)
{
	char path[64];

	if (p->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)p->pid);
	p->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->mem_fd < 0)
		return insp_err_set(err, errno == ENOENT ? INSP_E_EXITED : INSP_E_PERM,
				    "cannot open %s: %s", path, strerror(errno));
	return 0;
}

static bool
pread_full(int fd, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (addr > (uint64_t)INT64_MAX)
		return false;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(addr + done));

		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* One read on its own, through whichever path works. */
static bool
read_one(struct tgt_proc *p, struct insp_read *r)
{
	struct iovec local = { r->buf, r->len }, remote = { (void *)(uintptr_t)r->addr, r->len };

	if (!p->no_vm_readv) {
		ssize_t n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);

		if (n == (ssize_t)r->len)
			return true;
		if (n >= 0 || errno == EFAULT || errno == ESRCH)
			return false;
		p->no_vm_readv = true; /* ENOSYS, EPERM: fall back for good */
	}
	if (open_mem(p, NULL) < 0)
		return false;
	return pread_full(p->mem_fd, r->addr, r->buf, r->len);
}

int
tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err)
{
	struct iovec local[BATCH], remote[BATCH];
	size_t i = 0;

	while (i < n) {
		size_t k = 0, j;
		ssize_t got;

		if (p->no_vm_readv) {
			reads[i].ok = reads[i].len == 0 || read_one(p, &reads[i]);
			i++;
			continue;
		}
		for (j = i; j < n && k < BATCH; j++, k++) {
			local[k] = (struct iovec){ reads[j].buf, reads[j].len };
			remote[k] = (struct iovec){ (void *)(uintptr_t)reads[j].addr, reads[j].len };
		}
		got = process_vm_readv(p->pid, local, k, remote, k, 0);
		if (got < 0 && errno == ESRCH)
			break;
		if (got < 0)
			got = 0;
		/* The kernel stops at the first read that faults: mark the whole ones,
		 * retry the one that failed alone, and go on after it. */
		for (j = 0; j < k && (size_t)got >= reads[i].len; j++) {
			got -= (ssize_t)reads[i].len;
			reads[i++].ok = true;
		}
		if (j < k) {
			reads[i].ok = read_one(p, &reads[i]);
			i++;
		}
	}
	if (i < n) {
		for (; i < n; i++)
			reads[i].ok = false;
		return insp_err_set(err, INSP_E_EXITED, "process %d exited while attached",
				    (int)p->pid);
	}
	return 0;
}

int
tgt_read(struct tgt_proc *p, uint64_t addr, void *buf, size_t len, struct insp_err *err)
{
	struct insp_read r = { addr, buf, len, false };

	if (tgt_readv(p, &r, 1, err) < 0)
		return -1;
	if (!r.ok)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "cannot read %zu bytes at 0x%" PRIx64 " in process %d", len, addr,
				    (int)p->pid);
	return 0;
}
