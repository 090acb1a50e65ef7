/* The Go plugin's copy of the registry's entries (allglen words at allgptr):
 * read before the stop, to size every buffer by the gs the target really holds,
 * and those appended since while stopped; each g address kept once. Whatever allglen,
 * allgptr and the entries say, inspect reserves no more than the target's own
 * memory could hold, and allocates nothing while the target is stopped.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

/* Goroutines that may start between the count before the stop and the stop. */
#define ENTRY_SLACK 1024

void *
gort_touched(size_t n, size_t size)
{
	size_t bytes = (n ? n : 1) * size;
	volatile uint8_t *p = size && bytes / size != (n ? n : 1) ? NULL : calloc(1, bytes);

	/* A write to each page: calloc's fresh pages are the kernel's zero page
	 * until written, and a memset of zeros after calloc is one the compiler
	 * drops; each would be a fault while the process is stopped. */
	for (size_t off = 0; p && off < bytes; off += 4096)
		p[off] = 0;
	return (void *)p;
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

/* A g at a lies in readable memory (without a map, any address may). */
static bool
g_readable(const struct gort_state *st, const struct insp_host *h, uint64_t a)
{
	uint64_t lo, hi;

	if (!h->readable)
		return a != 0;
	return h->readable(h->ctx, a, &lo, &hi) == 0 && hi - a >= st->l.g_size;
}

/* The entries before the stop must lie in readable memory: allglen words at
 * allgptr, the array the runtime appends to. */
static int
check_array(const struct insp_host *h, uint64_t ptr, uint64_t n, struct insp_err *err)
{
	uint64_t lo, hi;

	if (!n || !h->readable)
		return 0;
	if (h->readable(h->ctx, ptr, &lo, &hi) < 0)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "runtime.allgptr (0x%llx) points to no readable memory: the "
				    "goroutine registry looks corrupt",
				    (unsigned long long)ptr);
	if ((hi - ptr) / 8 < n)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "runtime.allglen is %llu, but the memory at runtime.allgptr "
				    "holds %llu entries: the goroutine registry looks corrupt",
				    (unsigned long long)n, (unsigned long long)((hi - ptr) / 8));
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How many gs the n entries in e can name: distinct readable addresses, each
 * g_size bytes that no other g overlaps (real gs never share bytes). Sorts e. */
static uint64_t
gs_held(const struct gort_state *st, const struct insp_host *h, uint64_t *e, uint64_t n)
{
	uint64_t m = 0, end = 0, held = 0;

	for (uint64_t i = 0; i < n; i++)
		if (g_readable(st, h, e[i]))
			e[m++] = e[i];
	qsort(e, m, sizeof(*e), cmp_u64);
	for (uint64_t i = 0; i < m; i++) {
		if (e[i] < end)
			continue; /* the same g again, or one overlapping it */
		end = e[i] + st->l.g_size;
		held++;
	}
	return held;
}

/* Keep the g at a once: its slot in st->gaddrs, unless the set already holds it
 * (a duplicate) or limit gs are kept (left out). No allocation. */
static void
keep(struct gort_state *st, uint64_t a, uint64_t limit)
{
	struct gort_allgs *r = &st->allgs;
	size_t mask = r->nset - 1, k = (size_t)((a * 0x9e3779b97f4a7c15ull) >> 17) & mask;

	for (; r->set[k]; k = (k + 1) & mask) {
		if (r->set[k] == a) {
			r->dups++;
			return;
		}
	}
	if (st->nallg >= limit) {
		r->cut++;
		return;
	}
	r->set[k] = a;
	st->gaddrs[st->nallg++] = a;
}

int
gort_allgs_prepare(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	struct gort_allgs *r = &st->allgs;
	uint64_t n, ptr, held;

	if (read_allglen(st, h, &n, err) < 0 || h->read(h->ctx, st->l.allgptr, &ptr, 8, err) < 0 ||
	    check_array(h, ptr, n, err) < 0)
		return -1;
	r->ecap = n + n / 4 + ENTRY_SLACK;
	if (!(r->entries = gort_touched(r->ecap, 8)))
		return insp_err_set(err, INSP_E_SYS, "out of memory for %llu registry entries",
				    (unsigned long long)n);
	if (n && h->read(h->ctx, ptr, r->entries, n * 8, err) < 0)
		return -1;
	held = gs_held(st, h, r->entries, n);
	/* Room for the gs held now and those started before the stop. */
	st->gcap = held + held / 4 + ENTRY_SLACK;
	for (r->nset = 1; r->nset < 2 * st->gcap;)
		r->nset *= 2;
	if (!(r->set = gort_touched(r->nset, 8)) || !(st->gaddrs = gort_touched(st->gcap, 8)))
		return insp_err_set(err, INSP_E_SYS, "out of memory for %llu goroutines",
				    (unsigned long long)st->gcap);
	/* Again in the registry's order (the sort took it), each g once. */
	if (n && h->read(h->ctx, ptr, r->entries, n * 8, err) < 0)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		if (g_readable(st, h, r->entries[i]))
			keep(st, r->entries[i], held);
		else
			r->unreadable++;
	}
	r->n0 = n;
	r->nallg0 = st->nallg;
	return 0;
}

/* The runtime only appends to allgs ("never shrinks", runtime/proc.go allgadd,
 * Go 1.19 to 1.26; a new array starts as a copy of the old): the entries read
 * before the stop stand, and only those appended since are read while stopped. A
 * registry shorter than before is corrupt: its entries are read anew. */
int
gort_allgs_capture(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	struct gort_allgs *r = &st->allgs;
	uint64_t n, ptr, from = 0, m, cut;

	if (read_allglen(st, h, &n, err) < 0 || h->read(h->ctx, st->l.allgptr, &ptr, 8, err) < 0)
		return -1;
	r->n = n;
	if (n < r->n0) {
		memset(r->set, 0, r->nset * 8);
		st->nallg = r->dups = r->cut = r->unreadable = 0;
	} else {
		from = r->n0;
		st->nallg = r->nallg0;
	}
	m = n - from > r->ecap ? r->ecap : n - from; /* the rest: a note */
	r->late = n - from - m;
	if (m && h->read(h->ctx, ptr + 8 * from, r->entries, m * 8, err) < 0)
		return -1;
	/* New gs are not checked against the map: it may predate their memory. A
	 * g that cannot be read is a note of decode; one past the reserve started
	 * after inspect sized it. */
	cut = r->cut;
	for (uint64_t i = 0; i < m; i++) {
		if (r->entries[i])
			keep(st, r->entries[i], st->gcap);
		else
			r->unreadable++;
	}
	r->late += r->cut - cut;
	r->cut = cut;
	return 0;
}

void
gort_allgs_notes(const struct gort_state *st, const struct insp_host *h)
{
	const struct gort_allgs *r = &st->allgs;

	if (r->dups)
		h->note(h->ctx,
			"runtime.allgs lists a g more than once (%llu of its %llu entries): "
			"each g is reported once; the goroutine registry looks corrupt",
			(unsigned long long)r->dups, (unsigned long long)r->n);
	if (r->unreadable)
		h->note(h->ctx,
			"%llu of the %llu entries of runtime.allgs point to no readable memory: "
			"left out",
			(unsigned long long)r->unreadable, (unsigned long long)r->n);
	if (r->cut)
		h->note(h->ctx,
			"%llu entries of runtime.allgs name gs past those its memory holds "
			"without overlapping: left out; the goroutine registry looks corrupt",
			(unsigned long long)r->cut);
	if (r->late)
		h->note(h->ctx,
			"runtime.allglen grew from %llu to %llu before the stop: %llu goroutines "
			"started after inspect sized its buffers were not read (run inspect again)",
			(unsigned long long)r->n0, (unsigned long long)r->n,
			(unsigned long long)r->late);
}

void
gort_allgs_free(struct gort_state *st)
{
	free(st->allgs.entries);
	free(st->allgs.set);
	free(st->gaddrs);
	memset(&st->allgs, 0, sizeof(st->allgs));
	st->gaddrs = NULL;
	st->nallg = st->gcap = 0;
}
