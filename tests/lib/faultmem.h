/* A test double of the target layer's memory reads (src/target/mem.c): linked with
 * -Wl,--wrap=tgt_read,--wrap=tgt_readv, it sees every read the core and the plugins
 * make. It passes them to the live process (and records what they returned) or
 * serves them from a memory image, and makes read N fail or return garbage. Shared by the fault tests (tests/unit/model/capture-test.c)
 * and the fuzz harnesses (tests/fuzz/), whose inputs are such images.
 * SPDX-License-Identifier: MIT */
#ifndef TESTS_FAULTMEM_H
#define TESTS_FAULTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/plugin.h"

enum fm_fault {
	FM_NONE,
	FM_FAIL,    /* read N fails (an unmapped address) */
	FM_GARBAGE, /* read N succeeds with random bytes */
};

/* A thread of the image: what the stop gave (registers, its ns tid). */
#define FM_MAX_THREADS 64

struct fm_state {
	bool live;         /* pass reads to the real tgt_readv (else serve the image) */
	bool record;       /* live: add what each read returned to the image */
	size_t record_max; /* record: reads longer than this are not kept (0: all) */
	bool fallback;     /* not live: a read the image lacks goes to the process */
	/* The image: regions sorted by address, disjoint (fm_seal merges them). */
	struct fm_region {
		uint64_t addr;
		size_t len;
		uint8_t *bytes;
		size_t seq; /* order of addition: the later wins */
	} * regions;
	size_t nregions, cap;
	bool sealed;
	struct insp_thread threads[FM_MAX_THREADS];
	size_t nthreads;
	/* Every read of a batch counts: reads is how many were made. */
	size_t reads;
	size_t at; /* the read that faults (SIZE_MAX: none) */
	enum fm_fault fault;
	uint64_t rng;
};

extern struct fm_state fm;

/* Forget the image and the counters; no fault, not live. */
void fm_reset(void);
/* Add bytes at addr to the image (copied; a later add wins where they overlap). */
void fm_add(uint64_t addr, const void *bytes, size_t len);
/* Sort and merge the regions; done by the first served read if not before. */
void fm_seal(void);
/* The serialized image: records of {u64 addr, u32 len, len bytes}, little endian;
 * a record at addr 0 is a thread (struct fm_thread_rec). Truncated tails are
 * ignored (fuzz inputs). fm_load adds to the image; fm_save writes it (and the
 * threads given) to path: 0, or -1. */
void fm_load(const uint8_t *data, size_t size);
int fm_save(const char *path, const struct insp_thread *threads, size_t n);

/* The thread record: tid, then DWARF registers 0-16, then fs_base. */
struct fm_thread_rec {
	uint32_t tid, ns_tid;
	uint64_t regs[INSP_NREGS];
	uint64_t tls_base;
};

#endif
