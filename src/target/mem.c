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
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BATCH 1024 /* IOV_MAX on Linux */

/* The tid whose memory map reaches the process's (target.h io_tid). */
static pid_t
io_pid(const struct tgt_proc *p)
{
	return p->io_tid ? p->io_tid : p->pid;
}

static int
open_mem(struct tgt_proc *p, struct insp_err *err)
{
	char path[64];

	if (p->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)io_pid(p));
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
		ssize_t n = process_vm_readv(io_pid(p), &local, 1, &remote, 1, 0);

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

/* Reads whose bytes lie at most MERGE_GAP apart, in ascending order, become one
 * remote iovec: the kernel's cost is per remote iovec (it pins pages and walks page
 * tables for each), and the runtime allocates gs and stacks side by side, so 30,000
 * reads become a few hundred. The local side still lands each read in its own
 * buffer, and the bytes between reads in a junk buffer: no second copy. */
#define MERGE_GAP 4096
#define RUN_MAX   (1u << 20)

struct run {
	uint64_t addr;
	size_t len, first, end; /* reads [first, end) */
};

static uint8_t junk[MERGE_GAP];

static bool
wraps(const struct insp_read *r)
{
	return r->addr + r->len < r->addr;
}

/* Build up to BATCH runs (and at most BATCH local iovecs) from read i on. */
static size_t
make_runs(const struct insp_read *reads, size_t i, size_t n, struct run *runs, struct iovec *local,
	  struct iovec *remote, size_t *nlocal)
{
	size_t k = 0, nl = 0;

	while (i < n && k < BATCH && nl < BATCH && !wraps(&reads[i])) {
		struct run *r = &runs[k];
		uint64_t end = reads[i].addr + reads[i].len;

		r->addr = reads[i].addr;
		r->first = i;
		local[nl++] = (struct iovec){ reads[i].buf, reads[i].len };
		i++;
		while (i < n && nl + 2 <= BATCH && !wraps(&reads[i]) && reads[i].addr >= end &&
		       reads[i].addr - end <= MERGE_GAP &&
		       reads[i].addr + reads[i].len - r->addr <= RUN_MAX) {
			if (reads[i].addr > end)
				local[nl++] = (struct iovec){ junk, (size_t)(reads[i].addr - end) };
			local[nl++] = (struct iovec){ reads[i].buf, reads[i].len };
			end = reads[i].addr + reads[i].len;
			i++;
		}
		r->end = i;
		r->len = (size_t)(end - r->addr);
		remote[k] = (struct iovec){ (void *)(uintptr_t)r->addr, r->len };
		k++;
	}
	*nlocal = nl;
	return k;
}

int
tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err)
{
	struct iovec local[BATCH], remote[BATCH];
	struct run runs[BATCH];
	size_t i = 0;

	bool failed = false;

	for (size_t x = 0; x < n; x++)
		reads[x].ok = false;
	while (i < n) {
		size_t k, m, nlocal;
		ssize_t got;

		if (wraps(&reads[i])) {
			i++; /* no such memory: it stays !ok */
			continue;
		}
		if (p->no_vm_readv) {
			reads[i].ok = read_one(p, &reads[i]);
			failed = failed || !reads[i].ok;
			i++;
			continue;
		}
		k = make_runs(reads, i, n, runs, local, remote, &nlocal);
		got = process_vm_readv(io_pid(p), local, nlocal, remote, k, 0);
		if (got < 0 && errno == ESRCH)
			break;
		if (got < 0 && errno != EFAULT) {
			p->no_vm_readv = true; /* ENOSYS, EPERM: /proc/PID/mem from now on */
			continue;
		}
		/* The kernel copies whole remote iovecs and stops at the first that
		 * faults: mark the complete runs, read that run's reads one by one, and
		 * start again after it. */
		for (m = 0; m < k && got >= (ssize_t)runs[m].len; m++) {
			for (size_t x = runs[m].first; x < runs[m].end; x++)
				reads[x].ok = true;
			got -= (ssize_t)runs[m].len;
		}
		if (m < k) {
			for (size_t x = runs[m].first; x < runs[m].end; x++)
				reads[x].ok = read_one(p, &reads[x]);
			m++;
		}
		i = runs[m - 1].end;
	}
	/* /proc/PID/mem says nothing but EIO or 0 once the process is gone. */
	if (i < n || (failed && !tgt_proc_alive(p)))
		return insp_err_set(err, INSP_E_EXITED, "process %d exited while attached",
				    (int)p->pid);
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
				    "cannot read %zu bytes at 0x%" PRIx64 " in process %d", len,
				    addr, (int)p->pid);
	return 0;
}
