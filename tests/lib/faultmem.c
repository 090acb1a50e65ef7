/* The memory-read test double (faultmem.h): --wrap'ed tgt_read and tgt_readv.
 * SPDX-License-Identifier: MIT */
#include "faultmem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/target.h"

struct fm_state fm = { .at = SIZE_MAX };

int __real_tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err);
int __wrap_tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err);
int __wrap_tgt_read(struct tgt_proc *p, uint64_t addr, void *buf, size_t len, struct insp_err *err);

void
fm_reset(void)
{
	for (size_t i = 0; i < fm.nregions; i++)
		free(fm.regions[i].bytes);
	free(fm.regions);
	fm = (struct fm_state){ .at = SIZE_MAX, .rng = 0x9e3779b97f4a7c15ull };
}

void
fm_add(uint64_t addr, const void *bytes, size_t len)
{
	struct fm_region *r;

	if (!len || addr + len < addr)
		return;
	if (fm.nregions == fm.cap) {
		size_t cap = fm.cap ? 2 * fm.cap : 64;
		struct fm_region *grown = realloc(fm.regions, cap * sizeof(*grown));

		if (!grown)
			abort(); /* a test's own memory */
		fm.regions = grown;
		fm.cap = cap;
	}
	r = &fm.regions[fm.nregions++];
	*r = (struct fm_region){ addr, len, malloc(len), fm.nregions };
	if (!r->bytes)
		abort();
	memcpy(r->bytes, bytes, len);
	fm.sealed = false;
}

static int
by_addr(const void *a, const void *b)
{
	const struct fm_region *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
fm_seal(void)
{
	size_t out = 0;

	if (fm.sealed || !fm.nregions)
		return;
	/* By address, then in order of addition: the merge copies later adds over earlier ones. */
	qsort(fm.regions, fm.nregions, sizeof(*fm.regions), by_addr);
	for (size_t i = 0; i < fm.nregions; i++) {
		struct fm_region *r = &fm.regions[i], *last = out ? &fm.regions[out - 1] : NULL;

		if (last && r->addr <= last->addr + last->len) {
			uint64_t end = r->addr + r->len, lend = last->addr + last->len;

			if (end > lend) {
				uint8_t *grown = realloc(last->bytes, end - last->addr);

				if (!grown)
					abort();
				last->bytes = grown;
				last->len = end - last->addr;
			}
			memcpy(last->bytes + (r->addr - last->addr), r->bytes, r->len);
			free(r->bytes);
			continue;
		}
		fm.regions[out++] = *r;
	}
	fm.nregions = out;
	fm.sealed = true;
}

/* Serve one read from the image: all of it lies in one region, or it fails. */
static bool
serve(struct insp_read *r)
{
	size_t lo = 0, hi;

	if (!r->len)
		return true; /* as process_vm_readv: nothing to copy is no fault */
	fm_seal();
	hi = fm.nregions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fm.regions[mid].addr <= r->addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || r->addr + r->len < r->addr)
		return false;
	const struct fm_region *g = &fm.regions[lo - 1];

	if (r->addr + r->len > g->addr + g->len)
		return false;
	memcpy(r->buf, g->bytes + (r->addr - g->addr), r->len);
	return true;
}

static uint64_t
next_random(void)
{
	fm.rng ^= fm.rng << 13;
	fm.rng ^= fm.rng >> 7;
	fm.rng ^= fm.rng << 17;
	return fm.rng;
}

int
__wrap_tgt_readv(struct tgt_proc *p, struct insp_read *reads, size_t n, struct insp_err *err)
{
	int ret = 0;

	if (fm.live) {
		ret = __real_tgt_readv(p, reads, n, err);
		for (size_t i = 0; fm.record && i < n; i++)
			if (reads[i].ok && (!fm.record_max || reads[i].len <= fm.record_max))
				fm_add(reads[i].addr, reads[i].buf, reads[i].len);
	} else {
		for (size_t i = 0; i < n; i++)
			reads[i].ok = false;
		for (size_t i = 0; i < n && ret == 0; i++)
			if (!(reads[i].ok = serve(&reads[i])) && fm.fallback)
				ret = __real_tgt_readv(p, &reads[i], 1, err);
	}
	if (fm.at >= fm.reads && fm.at - fm.reads < n) {
		struct insp_read *r = &reads[fm.at - fm.reads];

		switch (fm.fault) {
		case FM_NONE:
			break;
		case FM_FAIL:
			r->ok = false;
			break;
		case FM_GARBAGE:
			for (size_t k = 0; k < r->len; k++)
				((uint8_t *)r->buf)[k] = (uint8_t)next_random();
			r->ok = true;
			break;
		}
	}
	fm.reads += n;
	return ret;
}

/* As mem.c's tgt_read, over the wrapped tgt_readv (mem.c calls its own). */
int
__wrap_tgt_read(struct tgt_proc *p, uint64_t addr, void *buf, size_t len, struct insp_err *err)
{
	struct insp_read r = { addr, buf, len, false };

	if (__wrap_tgt_readv(p, &r, 1, err) < 0)
		return -1;
	if (!r.ok)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "cannot read %zu bytes at 0x%" PRIx64 " in process %d", len,
				    addr, p ? (int)p->pid : 0);
	return 0;
}

static uint64_t
le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void
fm_load(const uint8_t *d, size_t size)
{
	size_t pos = 0;

	while (size - pos >= 12) {
		uint64_t addr = le(d + pos, 8);
		size_t len = (size_t)le(d + pos + 8, 4);

		pos += 12;
		if (len > size - pos)
			len = size - pos;
		if (addr == 0 && len >= sizeof(struct fm_thread_rec) &&
		    fm.nthreads < FM_MAX_THREADS) {
			struct fm_thread_rec rec;
			struct insp_thread *t = &fm.threads[fm.nthreads++];

			memcpy(&rec, d + pos, sizeof(rec));
			*t = (struct insp_thread){ .tid = (int32_t)rec.tid,
						   .ns_tid = (int32_t)rec.ns_tid,
						   .state = 'S',
						   .name = "fuzz",
						   .regs_ok = true,
						   .tls_base = rec.tls_base };
			memcpy(t->regs, rec.regs, sizeof(t->regs));
			t->pc = rec.regs[16];
			t->sp = rec.regs[7];
			t->fp = rec.regs[6];
		} else if (addr) {
			fm_add(addr, d + pos, len);
		}
		pos += len;
	}
}

static void
put(FILE *f, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		fputc((int)(v >> (8 * i) & 0xff), f);
}

int
fm_save(const char *path, const struct insp_thread *threads, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fm_seal();
	for (size_t i = 0; i < n; i++) {
		struct fm_thread_rec rec = { (uint32_t)threads[i].tid,
					     (uint32_t)threads[i].ns_tid,
					     { 0 },
					     threads[i].tls_base };

		memcpy(rec.regs, threads[i].regs, sizeof(rec.regs));
		put(f, 0, 8);
		put(f, sizeof(rec), 4);
		fwrite(&rec, sizeof(rec), 1, f);
	}
	for (size_t i = 0; i < fm.nregions; i++) {
		put(f, fm.regions[i].addr, 8);
		put(f, fm.regions[i].len, 4);
		fwrite(fm.regions[i].bytes, 1, fm.regions[i].len, f);
	}
	return fclose(f) == 0 ? 0 : -1;
}
