/* The Go plugin's capture: while every thread is stopped, copy the goroutine
 * registry (allglen, then allgptr: one word each, never the 3-word allgs header a
 * thread may be half-way through writing), every g, the M list, and the used part
 * of each live goroutine's stack. Bulk reads into buffers sized and touched before
 * the stop; decoding waits for the detach.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

#define STACK_CAP       (1u << 20)    /* per goroutine */
#define STACK_TOTAL_CAP (1024u << 20) /* all goroutines */
#define STACK_GUESS     1024          /* bytes a parked goroutine uses, to reserve */

/* Grow *p to n elements of size each and write every byte, so that its pages are
 * mapped now and not faulted in one by one while the target is stopped (a fault
 * costs microseconds in a VM; 30,000 goroutines need thousands of pages). */
static int
reserve_array(void *pp, size_t n, size_t size)
{
	void **p = pp, *grown = realloc(*p, n * size);

	if (!grown)
		return -1;
	memset(grown, 0, n * size);
	*p = grown;
	return 0;
}

static int
reserve(struct gort_state *st, uint64_t ngs, size_t stack_bytes, struct insp_err *err)
{
	if (ngs > st->gcap) {
		if (reserve_array(&st->gaddrs, ngs, 8) < 0 ||
		    reserve_array(&st->gbytes, ngs, st->l.g_size) < 0 ||
		    reserve_array(&st->gok, ngs, sizeof(*st->gok)) < 0 ||
		    reserve_array(&st->stacks, ngs, sizeof(*st->stacks)) < 0 ||
		    reserve_array(&st->reads, ngs, sizeof(*st->reads)) < 0)
			return insp_err_set(err, INSP_E_SYS, "out of memory for %llu goroutines",
					    (unsigned long long)ngs);
		st->gcap = ngs;
	}
	if (stack_bytes > st->stack_cap) {
		if (reserve_array(&st->stack_buf, stack_bytes, 1) < 0)
			return insp_err_set(err, INSP_E_SYS,
					    "out of memory for %zu bytes of stacks", stack_bytes);
		st->stack_cap = stack_bytes;
	}
	return 0;
}

static int
read_allglen(const struct gort_state *st, const struct insp_host *h, uint64_t *n,
	     struct insp_err *err)
{
	if (h->read(h->ctx, st->l.allglen, n, 8, err) < 0)
		return -1;
	if (*n > GORT_MAX_GOROUTINES)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "runtime.allglen is %llu: the goroutine registry looks corrupt",
				    (unsigned long long)*n);
	return 0;
}

int
gort_registry_reserve(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	uint64_t n;

	if (read_allglen(st, h, &n, err) < 0)
		return -1;
	n += n / 4 + 256; /* room for goroutines started before the stop */
	/* read_stacks never copies more than STACK_TOTAL_CAP: past 1M goroutines
	 * the guess would reserve (and touch) up to 20 GiB it can never use */
	return reserve(st, n, n < STACK_TOTAL_CAP / STACK_GUESS ? n * STACK_GUESS : STACK_TOTAL_CAP,
		       err);
}

static int
read_gs(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	uint64_t gptr;
	int ret;

	if (read_allglen(st, h, &st->nallg, err) < 0 ||
	    h->read(h->ctx, st->l.allgptr, &gptr, 8, err) < 0)
		return -1;
	/* Goroutines started between prepare and the stop fit in the reserve; a
	 * count far past it is a corrupt word, not milliseconds of growth. */
	if (st->nallg > 2 * st->gcap + 100000)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "runtime.allglen went from %llu to %llu while stopping: the "
				    "goroutine registry looks corrupt",
				    (unsigned long long)st->gcap, (unsigned long long)st->nallg);
	if (reserve(st, st->nallg, 0, err) < 0)
		return -1;
	if (st->nallg && h->read(h->ctx, gptr, st->gaddrs, st->nallg * 8, err) < 0)
		return -1;
	for (uint64_t i = 0; i < st->nallg; i++) {
		st->reads[i].addr = st->gaddrs[i];
		st->reads[i].buf = st->gbytes + i * st->l.g_size;
		st->reads[i].len = st->l.g_size;
	}
	ret = h->readv(h->ctx, st->reads, st->nallg, err);
	for (uint64_t i = 0; i < st->nallg; i++)
		st->gok[i] = st->reads[i].ok;
	return ret;
}

static int
read_ms(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	uint8_t *m = malloc(st->l.m_size);
	uint64_t addr, g0;
	size_t cap = 0;

	if (!m)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	if (h->read(h->ctx, st->l.allm, &addr, 8, err) < 0)
		goto fail;
	while (addr) {
		if (st->nms == GORT_MAX_MS) {
			insp_err_set(err, INSP_E_CORRUPT,
				     "the list of Ms (runtime.allm) does not end");
			goto fail;
		}
		if (h->read(h->ctx, addr, m, st->l.m_size, err) < 0)
			goto fail;
		if (st->nms == cap) {
			void *grown;

			cap = cap ? cap * 2 : 32;
			grown = realloc(st->ms, cap * sizeof(*st->ms));
			if (!grown) {
				insp_err_set(err, INSP_E_SYS, "out of memory");
				goto fail;
			}
			st->ms = grown;
		}
		st->ms[st->nms].addr = addr;
		st->ms[st->nms].procid = gort_u64(m + st->l.m_procid);
		st->ms[st->nms].curg = gort_u64(m + st->l.m_curg);
		st->ms[st->nms].g0_sp = 0;
		g0 = gort_u64(m + st->l.m_g0);
		if (g0)
			h->read(h->ctx, g0 + st->l.g_sched_sp, &st->ms[st->nms].g0_sp, 8, NULL);
		st->nms++;
		addr = gort_u64(m + st->l.m_alllink);
	}
	free(m);
	return 0;
fail:
	free(m);
	return -1;
}

const struct insp_thread *
gort_thread_of_procid(const struct insp_host *h, uint64_t procid)
{
	for (size_t j = 0; j < h->nthreads; j++) {
		const struct insp_thread *t = &h->threads[j];

		if ((uint64_t)(t->ns_tid ? t->ns_tid : t->tid) == procid)
			return t;
	}
	return NULL;
}

static const struct insp_thread *
thread_of(const struct gort_state *st, const struct insp_host *h, uint64_t g)
{
	const struct insp_thread *t;

	for (size_t i = 0; i < st->nms; i++)
		if (st->ms[i].curg == g && (t = gort_thread_of_procid(h, st->ms[i].procid)))
			return t;
	return NULL;
}

/* Where a goroutine's stack walk starts (research/goruntime.md 1.3): a running one
 * from its thread's registers when they are on its stack (else it is on the
 * system stack, and g.sched holds where it left its own), one in a syscall from
 * syscallpc/sp, any other from g.sched. */
static void
resume_point(const struct gort_state *st, const struct insp_host *h, uint64_t i,
	     struct gort_gstack *s)
{
	const uint8_t *g = st->gbytes + i * st->l.g_size;
	uint64_t lo = gort_u64(g + st->l.g_stack_lo), hi = gort_u64(g + st->l.g_stack_hi);
	uint32_t status = gort_g_status(&st->l, g);
	const struct insp_thread *t;

	memset(s, 0, sizeof(*s));
	s->pc = gort_u64(g + st->l.g_sched_pc);
	s->sp = gort_u64(g + st->l.g_sched_sp);
	s->call_site = true;
	if (status == GORT_G_RUNNING && (t = thread_of(st, h, st->gaddrs[i])) && t->regs_ok &&
	    t->sp >= lo && t->sp < hi) {
		s->pc = t->pc;
		s->sp = t->sp;
		s->call_site = false;
	} else if (status == GORT_G_SYSCALL && gort_u64(g + st->l.g_syscallsp)) {
		s->pc = gort_u64(g + st->l.g_syscallpc);
		s->sp = gort_u64(g + st->l.g_syscallsp);
	}
	if (s->sp >= lo && s->sp < hi) {
		s->len = hi - s->sp;
		if (s->len > STACK_CAP)
			s->len = STACK_CAP;
	}
}

static bool
is_live(const struct gort_state *st, uint64_t i)
{
	if (!st->gok[i])
		return false;
	return gort_g_exists(gort_g_status(&st->l, st->gbytes + i * st->l.g_size));
}

/* Every used stack into stack_buf, by one batch of reads. */
static int
read_stacks(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	size_t n = 0, off = 0, total = 0;
	int ret;

	for (uint64_t i = 0; i < st->nallg; i++) {
		struct gort_gstack *s = &st->stacks[i];

		memset(s, 0, sizeof(*s));
		if (!is_live(st, i))
			continue;
		resume_point(st, h, i, s);
		if (total + s->len > STACK_TOTAL_CAP) {
			s->len = 0;
			s->over_cap = true; /* decode says the copy was left out */
		}
		total += s->len;
	}
	if (reserve(st, 0, total, err) < 0)
		return -1;
	for (uint64_t i = 0; i < st->nallg; i++) {
		struct gort_gstack *s = &st->stacks[i];

		if (!s->len)
			continue;
		s->bytes = st->stack_buf + off;
		off += s->len;
		st->reads[n].addr = s->sp;
		st->reads[n].buf = s->bytes;
		st->reads[n].len = s->len;
		n++;
	}
	ret = h->readv(h->ctx, st->reads, n, err);
	/* Hand each read's result back to its stack: reads are in g order. */
	for (uint64_t i = 0, k = 0; i < st->nallg && k < n; i++)
		if (st->stacks[i].len)
			st->stacks[i].ok = st->reads[k++].ok;
	st->stack_bytes = total;
	return ret;
}

int
gort_registry_capture(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	if (read_gs(st, h, err) < 0 || read_ms(st, h, err) < 0)
		return -1;
	return read_stacks(st, h, err);
}

void
gort_registry_free(struct gort_state *st)
{
	free(st->gaddrs);
	free(st->gbytes);
	free(st->gok);
	free(st->ms);
	free(st->stacks);
	free(st->stack_buf);
	free(st->reads);
	st->gaddrs = NULL;
	st->gbytes = st->stack_buf = NULL;
	st->gok = NULL;
	st->ms = NULL;
	st->stacks = NULL;
	st->reads = NULL;
	st->gcap = st->nallg = 0;
	st->stack_cap = 0;
	st->nms = 0;
}
