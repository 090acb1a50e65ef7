/* The Go plugin's capture: before the stop, size and touch every buffer by the gs
 * the target holds (allgs.c) and by the stack bytes they use, read while it runs;
 * while every thread is stopped, copy the registry's new entries (allglen, then
 * allgptr: one word each, never the 3-word allgs header a thread may be half-way
 * through writing), every g, the M list, and the used part of each live
 * goroutine's stack, into those buffers only. Decoding waits for the detach.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

#define STACK_CAP       (1u << 20)    /* per goroutine */
#define STACK_TOTAL_CAP (1024u << 20) /* all goroutines */
#define STACK_GUESS     1024          /* bytes a goroutine started before the stop uses */
/* The runtime's maxstacksize on 64-bit (runtime/proc.go, Go 1.19 to 1.26): wider
 * bounds are no stack's. */
#define STACK_MAX 1000000000ull

/* *pp anew as n touched elements (gort_touched: 30,000 goroutines need
 * thousands of pages, each a fault while stopped otherwise). */
static int
reserve_array(void *pp, size_t n, size_t size)
{
	void **p = pp;

	free(*p);
	*p = gort_touched(n, size);
	return *p ? 0 : -1;
}

static int
reserve_gs(struct gort_state *st, struct insp_err *err)
{
	if (reserve_array(&st->gbytes, st->gcap, st->l.g_size) < 0 ||
	    reserve_array(&st->gok, st->gcap, sizeof(*st->gok)) < 0 ||
	    reserve_array(&st->stacks, st->gcap, sizeof(*st->stacks)) < 0 ||
	    reserve_array(&st->skip_lo, st->gcap, sizeof(*st->skip_lo)) < 0 ||
	    reserve_array(&st->reads, st->gcap, sizeof(*st->reads)) < 0)
		return insp_err_set(err, INSP_E_SYS, "out of memory for %llu goroutines",
				    (unsigned long long)st->gcap);
	return 0;
}

/* Every g struct of st->gaddrs into gbytes, gok set: one batch of reads. */
static int
read_gs(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	int ret;

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

static bool
is_live(const struct gort_state *st, uint64_t i)
{
	if (!st->gok[i])
		return false;
	return gort_g_exists(gort_g_status(&st->l, st->gbytes + i * st->l.g_size));
}

struct bounds {
	uint64_t lo, hi, i;
};

/* By address, then by place in the registry: of two gs claiming one stack, the
 * one listed first (the runtime only appends) keeps it. */
static int
cmp_lo(const void *a, const void *b)
{
	const struct bounds *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Bounds a goroutine's stack may have. */
static bool
stack_bounds_ok(uint64_t lo, uint64_t hi)
{
	return lo && lo < hi && hi - lo <= STACK_MAX;
}

/* Goroutines' stacks never share bytes: of those whose bounds overlap, the
 * first by address keeps its stack, the others get skip_lo (their stack.lo, so
 * that a stack moved since is copied after all). Bounds no stack has are left
 * out here (resume_point refuses them): they would hide every other stack. */
static int
mark_overlaps(struct gort_state *st, struct insp_err *err)
{
	struct bounds *b = malloc((st->nallg ? st->nallg : 1) * sizeof(*b));
	uint64_t n = 0, end = 0;

	if (!b)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (uint64_t i = 0; i < st->nallg; i++) {
		const uint8_t *g = st->gbytes + i * st->l.g_size;
		uint64_t lo = gort_u64(g + st->l.g_stack_lo), hi = gort_u64(g + st->l.g_stack_hi);

		st->skip_lo[i] = 0;
		if (is_live(st, i) && stack_bounds_ok(lo, hi))
			b[n++] = (struct bounds){ lo, hi, i };
	}
	qsort(b, n, sizeof(*b), cmp_lo);
	for (uint64_t k = 0; k < n; k++) {
		if (b[k].lo < end)
			st->skip_lo[b[k].i] = b[k].lo;
		else
			end = b[k].hi;
	}
	free(b);
	return 0;
}

/* Bytes of stack a goroutine uses as its g says before the stop: from the sp
 * it parked or entered a syscall with; a running one may use all of it. */
static size_t
stack_guess(const struct gort_state *st, uint64_t i)
{
	const uint8_t *g = st->gbytes + i * st->l.g_size;
	uint64_t lo = gort_u64(g + st->l.g_stack_lo), hi = gort_u64(g + st->l.g_stack_hi);
	uint32_t status = gort_g_status(&st->l, g);
	uint64_t sp = gort_u64(g + st->l.g_sched_sp), len = 0;

	if (status == GORT_G_SYSCALL && gort_u64(g + st->l.g_syscallsp))
		sp = gort_u64(g + st->l.g_syscallsp);
	if (!stack_bounds_ok(lo, hi))
		len = 0;
	else if (status == GORT_G_RUNNING)
		len = hi - lo;
	else if (sp >= lo && sp < hi)
		len = hi - sp;
	return len > STACK_CAP ? STACK_CAP : (size_t)len;
}

int
gort_registry_reserve(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	size_t total = 0;

	if (gort_allgs_prepare(st, h, err) < 0 || reserve_gs(st, err) < 0)
		return -1;
	/* The gs as they are now (while the target runs) tell what their stacks
	 * take: reserve that, and room for those started before the stop. */
	if (read_gs(st, h, err) < 0 || mark_overlaps(st, err) < 0)
		return -1;
	for (uint64_t i = 0; i < st->nallg && total < STACK_TOTAL_CAP; i++)
		if (is_live(st, i) && !st->skip_lo[i])
			total += stack_guess(st, i);
	total += total / 4 + (st->gcap - st->nallg) * STACK_GUESS;
	if (total > STACK_TOTAL_CAP)
		total = STACK_TOTAL_CAP;
	if (reserve_array(&st->stack_buf, total, 1) < 0)
		return insp_err_set(err, INSP_E_SYS, "out of memory for %zu bytes of stacks",
				    total);
	st->stack_cap = total;
	return 0;
}

static int
read_ms(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	uint8_t *m = malloc(st->l.m_size);
	uint64_t addr, g0, mark = 0;
	size_t cap = 0, next_mark = 1;

	if (!m)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	if (h->read(h->ctx, st->l.allm, &addr, 8, err) < 0)
		goto fail;
	while (addr) {
		/* Brent's test: the M at each power of two is the mark; a loop
		 * comes back to it within twice its length (a loop walked to
		 * GORT_MAX_MS took 0.7 s of the pause; issue 13). */
		if (addr == mark) {
			insp_err_set(err, INSP_E_CORRUPT,
				     "the list of Ms (runtime.allm) loops back to M 0x%llx",
				     (unsigned long long)addr);
			goto fail;
		}
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
		if (++st->nms == next_mark) {
			mark = addr;
			next_mark *= 2;
		}
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
	if (!stack_bounds_ok(lo, hi))
		s->bad_bounds = true;
	else if (s->sp >= lo && s->sp < hi) {
		s->len = hi - s->sp;
		if (s->len > STACK_CAP)
			s->len = STACK_CAP;
	}
}

/* Every used stack into stack_buf, by one batch of reads: as much as was
 * reserved before the stop; the rest is cut (decode notes it). */
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
		if (st->skip_lo[i] &&
		    st->skip_lo[i] == gort_u64(st->gbytes + i * st->l.g_size + st->l.g_stack_lo)) {
			s->len = 0;
			s->overlap = true;
		} else if (s->len > st->stack_cap - total) {
			s->len = 0;
			s->over_cap = true; /* decode says the copy was left out */
		}
		total += s->len;
	}
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
	if (gort_allgs_capture(st, h, err) < 0 || read_gs(st, h, err) < 0 ||
	    read_ms(st, h, err) < 0)
		return -1;
	return read_stacks(st, h, err);
}

void
gort_registry_free(struct gort_state *st)
{
	gort_allgs_free(st);
	free(st->gbytes);
	free(st->skip_lo);
	free(st->gok);
	free(st->ms);
	free(st->stacks);
	free(st->stack_buf);
	free(st->reads);
	st->skip_lo = NULL;
	st->gbytes = st->stack_buf = NULL;
	st->gok = NULL;
	st->ms = NULL;
	st->stacks = NULL;
	st->reads = NULL;
	st->stack_cap = 0;
	st->nms = 0;
}
