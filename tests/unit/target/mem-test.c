/* Unit tests of src/target/mem.c: tgt_readv and tgt_read with this process as the
 * target, over 8 MiB of pages with a known byte pattern and two pages that fault (an
 * empty memfd mapped there: nothing else can land in them, and both process_vm_readv
 * and /proc/PID/mem fail on them). Cases 1.N go through process_vm_readv, 2.N are the
 * same batches through /proc/self/mem (no_vm_readv), 3.N are tgt_read and errors.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target.h"

#define PG      4096
#define NPAGES  2048 /* 8 MiB */
#define HOLE_A  8    /* page indexes of the pages that fault */
#define HOLE_B  1536
#define REGION  ((uint64_t)NPAGES * PG)
#define A_START ((uint64_t)HOLE_A * PG)
#define B_START ((uint64_t)HOLE_B * PG)

#define MAX_READS 3000
#define GUARD     8 /* sentinel bytes after each read's buffer */
#define SENTINEL  0xa5
#define DST_SIZE  (3u << 20)

static uint8_t *region;

/* The byte at offset off of the region: differs between neighbours and pages. */
static uint8_t
pattern(uint64_t off)
{
	uint32_t x = (uint32_t)off + 1;

	x ^= x >> 7;
	x *= 0x9e3779b1u;
	return (uint8_t)(x >> 24);
}

static int
setup_region(void **state)
{
	(void)state;
	if (sysconf(_SC_PAGESIZE) != PG) {
		print_error("these cases assume 4 KiB pages\n");
		return -1;
	}
	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	for (uint64_t off = 0; off < REGION; off++)
		region[off] = pattern(off);
	/* A shared mapping of an empty file: touching it is SIGBUS, reading it
	 * through the kernel is EFAULT (process_vm_readv) or EIO (/proc/PID/mem). */
	for (int i = 0; i < 2; i++) {
		uint64_t at = i ? B_START : A_START;
		int fd = memfd_create("mem-test-hole", MFD_CLOEXEC);

		if (fd < 0 ||
		    mmap(region + at, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
			return -1;
		close(fd);
	}
	return 0;
}

static int
teardown_region(void **state)
{
	(void)state;
	munmap(region, REGION);
	return 0;
}

/* ---- batches: each read is (offset in the region, len), or an absolute address ---- */

struct rd {
	uint64_t off; /* from the region's start; an address with ABS */
	size_t len;
	bool abs; /* off is an address outside the region: the read must fail */
};

struct mcase {
	const char *name;
	size_t (*gen)(struct rd *out); /* fills out, returns the number of reads */
};

static size_t
add(struct rd *out, size_t n, uint64_t off, size_t len)
{
	assert_true(n < MAX_READS);
	out[n] = (struct rd){ off, len, false };
	return n + 1;
}

static bool
in_hole(uint64_t off, size_t len)
{
	uint64_t end = off + len;

	return len &&
	       ((off < A_START + PG && end > A_START) || (off < B_START + PG && end > B_START));
}

static bool
want_ok(const struct rd *r)
{
	if (r->abs)
		return false;
	return r->len == 0 || (!in_hole(r->off, r->len) && r->off + r->len <= REGION);
}

/* 1.0: ascending, at most 4096 bytes apart: one remote iovec (a gap of exactly 4096
 * still merges), reads of odd lengths and across page boundaries. */
static size_t
gen_merged(struct rd *out)
{
	static const size_t lens[] = { 1, 7, 8, 16, 100, 4096, 3, 1000, 8, 8, 5000, 2 };
	static const size_t gaps[] = { 0, 1, 15, 4095, 4096, 0, 64, 4096, 2, 0, 3000, 0 };
	uint64_t off = 3;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		n = add(out, n, off, lens[i]);
		off += lens[i] + gaps[i];
	}
	assert_true(off <= A_START);
	return n;
}

/* 1.1: ascending, more than 4096 bytes apart: one remote iovec each. */
static size_t
gen_apart(struct rd *out)
{
	static const size_t gaps[] = { 4097, 4200, 8192, 65536, 4097, 100000 };
	uint64_t off = B_START + PG + 5;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		n = add(out, n, off, 24);
		off += 24 + gaps[i];
	}
	return n;
}

/* 1.2: overlapping: the same range twice, contained, straddling. */
static size_t
gen_overlap(struct rd *out)
{
	static const struct rd t[] = {
		{ 100, 50, 0 }, { 120, 50, 0 },   { 100, 50, 0 }, { 90, 200, 0 }, { 150, 10, 0 },
		{ 0, 4096, 0 }, { 4000, 200, 0 }, { 4090, 8, 0 }, { 4090, 8, 0 }, { 4080, 100, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.3: descending. */
static size_t
gen_descending(struct rd *out)
{
	static const struct rd t[] = {
		{ 20000, 8, 0 }, { 16000, 100, 0 }, { 12000, 4096, 0 }, { 11999, 1, 0 },
		{ 5000, 1, 0 },  { 4999, 1, 0 },    { 0, 8, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.4: zero-length reads among others, in the hole and just past the region: ok. */
static size_t
gen_zero(struct rd *out)
{
	static const struct rd t[] = {
		{ 0, 0, 0 },           { 10, 8, 0 },      { 18, 0, 0 },
		{ 18, 8, 0 },          { 40, 0, 0 },      { A_START + 100, 0, 0 },
		{ A_START - 8, 8, 0 }, { A_START, 0, 0 }, { A_START + PG, 8, 0 },
		{ REGION, 0, 0 },      { 48, 8, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.5: a batch of zero-length reads only. */
static size_t
gen_zero_only(struct rd *out)
{
	static const struct rd t[] = {
		{ 0, 0, 0 },
		{ 0, 0, 0 },
		{ A_START + 1, 0, 0 },
		{ 5, 0, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.6: one read in the hole in the middle of a merged run, with reads before and
 * after it in the same run and in runs before and after: only it fails. */
static size_t
gen_fault_mid(struct rd *out)
{
	static const struct rd t[] = {
		{ 0, 8, 0 },               /* a run of its own before */
		{ A_START - 300, 100, 0 }, /* the run that faults */
		{ A_START - 150, 142, 0 },
		{ A_START - 8, 8, 0 },     /* ends where the hole starts */
		{ A_START + 2000, 16, 0 }, /* in the hole */
		{ A_START + PG, 8, 0 },    /* starts where it ends, 2080 bytes on */
		{ A_START + PG + 100, 64, 0 },
		{ A_START + PG + 164, 4000, 0 },
		{ A_START + 3 * PG, 8, 0 }, /* a run of its own after */
		{ A_START + 5 * PG, 8, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.7: reads that straddle an edge of the hole, or cover it, fail; their neighbours
 * that touch it do not. */
static size_t
gen_fault_edges(struct rd *out)
{
	static const struct rd t[] = {
		{ A_START - PG, PG, 0 },      { A_START - 4, 8, 0 },   { A_START - 8, PG + 16, 0 },
		{ A_START + PG - 4, 8, 0 },   { A_START + PG, PG, 0 }, { A_START - 1, 1, 0 },
		{ A_START + PG - 1, 1, 0 },   { A_START + PG, 1, 0 },  { A_START - PG, 2 * PG, 0 },
		{ A_START + 2 * PG, 100, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.8: a read in the hole first and another last in the batch. */
static size_t
gen_fault_ends(struct rd *out)
{
	static const struct rd t[] = {
		{ A_START, 8, 0 },           { A_START + PG, 8, 0 }, { A_START + PG + 16, 8, 0 },
		{ A_START + PG + 40, 8, 0 }, { B_START - 16, 8, 0 }, { B_START + 8, 8, 0 },
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* 1.9: 3000 reads of 8 bytes 16 apart: more than 1024 reads and, with the gaps,
 * more than 1024 local iovecs. */
static size_t
gen_many_small(struct rd *out)
{
	size_t n = 0;

	for (size_t i = 0; i < 3000; i++)
		n = add(out, n, A_START + PG + 16 * i, 8);
	return n;
}

/* 1.10: the same across the hole: 256 of them fault, in the middle of a merged run
 * that fills a batch's local iovecs. */
static size_t
gen_many_small_fault(struct rd *out)
{
	size_t n = 0;

	for (size_t i = 0; i < 3000; i++)
		n = add(out, n, A_START - 1000 * 16 + 16 * i, 8);
	return n;
}

/* 1.11: 1100 reads 4112 bytes apart: more than 1024 remote iovecs, the ninth in
 * hole A (first batch). */
static size_t
gen_many_runs_a(struct rd *out)
{
	size_t n = 0;

	for (size_t i = 0; i < 1100; i++)
		n = add(out, n, 4112 * i, 8);
	return n;
}

/* 1.12: the same with read 1050, in the second batch, in hole B. */
static size_t
gen_many_runs_b(struct rd *out)
{
	size_t n = 0;

	for (size_t i = 0; i < 1100; i++)
		n = add(out, n, B_START - 1050 * 4112 + 4112 * i, 8);
	return n;
}

/* 1.13: 600 adjacent reads of 4 KiB (2.4 MiB): runs are cut at 1 MiB. */
static size_t
gen_adjacent(struct rd *out)
{
	size_t n = 0;

	for (size_t i = 0; i < 600; i++)
		n = add(out, n, 16 * PG + PG * i, PG);
	return n;
}

/* 1.14: address ranges that wrap around 2^64, end at it, or lie outside user
 * memory, among good reads: they fail, the others do not. */
static size_t
gen_wrap(struct rd *out)
{
	static const struct rd t[] = {
		{ 0, 8, 0 },  { UINT64_MAX - 7, 16, 1 },      /* wraps */
		{ 8, 8, 0 },  { UINT64_MAX, 2, 1 },           /* wraps */
		{ 16, 8, 0 }, { UINT64_MAX - 4095, 4096, 1 }, /* ends at 2^64 */
		{ 24, 8, 0 }, { 1ull << 63, 8, 1 },           /* not user memory */
		{ 32, 8, 0 }, { 0, 8, 1 },                    /* address 0 */
		{ 40, 8, 0 }, { UINT64_MAX - 2, 1000, 1 },    /* wraps, last */
	};

	memcpy(out, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

static const struct mcase mcases[] = {
	{ "merged", gen_merged },
	{ "apart", gen_apart },
	{ "overlap", gen_overlap },
	{ "descending", gen_descending },
	{ "zero-length", gen_zero },
	{ "zero-length only", gen_zero_only },
	{ "fault mid-run", gen_fault_mid },
	{ "fault at the hole's edges", gen_fault_edges },
	{ "fault first and last", gen_fault_ends },
	{ "3000 small", gen_many_small },
	{ "3000 small across the hole", gen_many_small_fault },
	{ "1100 runs, fault in batch 1", gen_many_runs_a },
	{ "1100 runs, fault in batch 2", gen_many_runs_b },
	{ "600 adjacent pages", gen_adjacent },
	{ "wrap", gen_wrap },
};

#define NCASES (sizeof(mcases) / sizeof(mcases[0]))

static struct rd rds[MAX_READS];
static struct insp_read reads[MAX_READS];
static uint8_t dst[DST_SIZE];

static void
check_guard(const char *label, size_t i, const uint8_t *p)
{
	for (size_t g = 0; g < GUARD; g++)
		if (p[g] != SENTINEL)
			fail_msg("%s: read %zu wrote past its buffer (byte %zu)", label, i, g);
}

/* Run case c on one path and check every read: ok as expected, the right bytes in
 * its buffer, nothing written outside the buffers. */
static void
run_case(size_t c, bool no_vm_readv)
{
	struct tgt_proc p = TGT_PROC_INIT;
	struct insp_err err = INSP_ERR_INIT;
	char label[96];
	size_t n = mcases[c].gen(rds), at = 0;
	int rc;

	snprintf(label, sizeof(label), "%d.%zu (%s)", no_vm_readv ? 2 : 1, c, mcases[c].name);
	p.pid = getpid();
	p.no_vm_readv = no_vm_readv;
	memset(dst, SENTINEL, sizeof(dst));
	for (size_t i = 0; i < n; i++) {
		reads[i].addr = rds[i].abs ? rds[i].off : (uint64_t)(uintptr_t)region + rds[i].off;
		reads[i].len = rds[i].len;
		reads[i].buf = dst + at;
		reads[i].ok = !want_ok(&rds[i]); /* the wrong answer: it must be set */
		at += rds[i].len + GUARD;
		assert_true(at <= sizeof(dst));
	}
	rc = tgt_readv(&p, reads, n, &err);
	if (rc != 0)
		fail_msg("%s: tgt_readv returned %d: %s", label, rc, err.msg);
	at = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rd *r = &rds[i];

		if (reads[i].buf != dst + at || reads[i].len != r->len)
			fail_msg("%s: read %zu: buf or len changed", label, i);
		if (!r->abs && reads[i].addr != (uint64_t)(uintptr_t)region + r->off)
			fail_msg("%s: read %zu: addr changed", label, i);
		if (reads[i].ok != want_ok(r))
			fail_msg("%s: read %zu (%s0x%" PRIx64 ", %zu bytes): ok %d, want %d", label,
				 i, r->abs ? "address " : "offset ", r->off, r->len, reads[i].ok,
				 want_ok(r));
		for (size_t b = 0; reads[i].ok && b < r->len; b++)
			if (dst[at + b] != pattern(r->off + b))
				fail_msg("%s: read %zu (offset 0x%" PRIx64 "): byte %zu is 0x%02x, "
					 "want 0x%02x",
					 label, i, r->off, b, dst[at + b], pattern(r->off + b));
		at += r->len;
		check_guard(label, i, dst + at);
		at += GUARD;
	}
	if (!no_vm_readv && (p.no_vm_readv || p.mem_fd >= 0))
		fail_msg("%s: a fault switched the reads to /proc/PID/mem", label);
	if (p.mem_fd >= 0)
		close(p.mem_fd);
}

/* 1.N: through process_vm_readv. */
static void
test_1_vm_readv(void **state)
{
	(void)state;
	for (size_t c = 0; c < NCASES; c++)
		run_case(c, false);
}

/* 2.N: the same batches through /proc/self/mem. */
static void
test_2_proc_mem(void **state)
{
	(void)state;
	for (size_t c = 0; c < NCASES; c++)
		run_case(c, true);
}

/* 3.0: tgt_read, on both paths: good reads, a read in the hole and one that wraps
 * fail with INSP_E_CORRUPT and name the address asked for. */
static void
test_3_0_read(void **state)
{
	static const struct {
		uint64_t off;
		size_t len;
		bool abs;
		int want;
	} t[] = {
		{ 0, 8, false, 0 },
		{ A_START - 3, 3, false, 0 },
		{ A_START + PG, PG, false, 0 },
		{ 12, 0, false, 0 },
		{ A_START + 8, 8, false, -1 },
		{ A_START - 3, 4, false, -1 },
		{ B_START - 4000, 8000, false, -1 },
		{ UINT64_MAX - 7, 16, true, -1 },
		{ 1ull << 63, 8, true, -1 },
	};
	uint8_t buf[8000];

	(void)state;
	for (int path = 0; path < 2; path++) {
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct tgt_proc p = TGT_PROC_INIT;
			struct insp_err err = INSP_ERR_INIT;
			uint64_t addr =
				t[i].abs ? t[i].off : (uint64_t)(uintptr_t)region + t[i].off;
			char want_msg[128];
			int rc;

			p.pid = getpid();
			p.no_vm_readv = path;
			rc = tgt_read(&p, addr, buf, t[i].len, &err);
			if (rc != t[i].want)
				fail_msg("3.0.%d.%zu: tgt_read returned %d, want %d (%s)", path, i,
					 rc, t[i].want, err.msg);
			if (rc == 0) {
				if (t[i].len && memcmp(buf, region + t[i].off, t[i].len) != 0)
					fail_msg("3.0.%d.%zu: wrong bytes", path, i);
			} else {
				snprintf(want_msg, sizeof(want_msg),
					 "cannot read %zu bytes at 0x%" PRIx64 " in process %d",
					 t[i].len, addr, (int)getpid());
				if (err.code != INSP_E_CORRUPT || strcmp(err.msg, want_msg) != 0)
					fail_msg("3.0.%d.%zu: error %d '%s', want %d '%s'", path, i,
						 err.code, err.msg, INSP_E_CORRUPT, want_msg);
			}
			if (p.mem_fd >= 0)
				close(p.mem_fd);
		}
	}
}

/* 3.1: an empty batch is a success on both paths. */
static void
test_3_1_empty(void **state)
{
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	for (int path = 0; path < 2; path++) {
		struct tgt_proc p = TGT_PROC_INIT;

		p.pid = getpid();
		p.no_vm_readv = path;
		assert_int_equal(tgt_readv(&p, reads, 0, &err), 0);
		assert_int_equal(p.mem_fd, -1);
	}
}

/* 3.2: a process that is gone: tgt_readv returns -1 with INSP_E_EXITED, tgt_read too. */
static void
test_3_2_gone(void **state)
{
	struct tgt_proc p = TGT_PROC_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct insp_read r = { (uint64_t)(uintptr_t)region, dst, 8, true };
	pid_t child = fork();
	int status;

	(void)state;
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	p.pid = child;
	assert_int_equal(tgt_readv(&p, &r, 1, &err), -1);
	assert_false(r.ok);
	assert_int_equal(err.code, INSP_E_EXITED);
	assert_int_equal(tgt_read(&p, r.addr, dst, 8, &err), -1);
	assert_int_equal(err.code, INSP_E_EXITED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_vm_readv), cmocka_unit_test(test_2_proc_mem),
		cmocka_unit_test(test_3_0_read),   cmocka_unit_test(test_3_1_empty),
		cmocka_unit_test(test_3_2_gone),
	};

	return cmocka_run_group_tests_name("mem", tests, setup_region, teardown_region) ? 1 : 0;
}
