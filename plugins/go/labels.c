/* The Go plugin's pprof labels (runtime/pprof.Do, SetGoroutineLabels): while every
 * thread is stopped, copy each distinct label set the live goroutines point at, in
 * a few batches of reads, bounded in count and bytes; after the detach, give each
 * task its labels. Labels live in the heap and change once the process runs: they
 * are never read after the stop. Read-only, never a failure of the dump. Where
 * g.labels points in each release: labels-layout.c.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS    (1u << 20)  /* distinct label sets copied per capture */
#define MAX_PER_SET 64          /* labels of one set kept */
#define MAX_STR     256         /* bytes of a key or value kept */
#define MAX_BYTES   (32u << 20) /* bytes of keys and values copied per capture */
#define MAX_LEN     (1u << 24)  /* a slice or map longer than this is corrupt */
#define MAX_B       4           /* map: 2^4 buckets hold 104 labels (load 6.5) */
#define MAX_UNITS   48          /* map: buckets read per set, overflow ones too */
#define MAX_ROUNDS  8           /* map: rounds of overflow buckets */
#define MIN_TOPHASH 5           /* runtime/map.go minTopHash */
#define SAME_SIZE   8           /* hmap.flags sameSizeGrow */
#define HDR         GORT_LABELS_HDR

struct lset {
	uint64_t addr; /* g.labels */
	uint8_t hdr[HDR];
	uint32_t first, n; /* its pairs */
	uint32_t units;    /* slice: elements read; map: buckets read or queued */
	bool ok, cut;
	bool empty;                     /* a nil map: no labels */
	const struct insp_label *shown; /* built once in decode, shared */
	uint32_t nshown;
	bool built;
};

struct lpair {
	uint32_t set;
	uint64_t kp, kl, vp, vl;
	size_t ko, vo; /* into bytes */
	bool copied;   /* within MAX_BYTES: its bytes were read */
	bool kok, vok;
};

/* A bucket (or run of buckets) of a map set, read in one go. */
struct lunit {
	uint32_t set, count;
	uint64_t addr;
	size_t off; /* into ubuf */
};

struct gort_labels {
	struct lset *sets;
	size_t nsets;
	size_t dropped; /* sets past MAX_SETS */
	struct lpair *pairs;
	size_t npairs, pairs_cap;
	uint8_t *bytes; /* keys and values, back to back */
	size_t nbytes;
	bool over_bytes;     /* MAX_BYTES was reached */
	size_t corrupt;      /* sets whose length is no length */
	size_t unread_gs;    /* goroutines whose set could not be read (decode) */
	size_t bad_strs;     /* keys or values that could not be read */
	struct insp_read *r; /* a batch of reads */
	size_t rcap;
};

/* Room for a batch of n reads in c->r, or NULL. */
static struct insp_read *
reads_for(struct gort_labels *c, size_t n)
{
	if (n > c->rcap) {
		struct insp_read *r = realloc(c->r, n * sizeof(*r));

		if (!r)
			return NULL;
		c->r = r;
		c->rcap = n;
	}
	return c->r;
}

/* ---- capture ---- */

static int
cmp_set(const void *pa, const void *pb)
{
	const struct lset *a = pa, *b = pb;

	return (a->addr > b->addr) - (a->addr < b->addr);
}

static int
cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* The distinct g.labels of the live goroutines, sorted (as words: a sort of
 * the sets themselves moves ten times the bytes). */
static int
collect_sets(struct gort_labels *c, const struct gort_state *st)
{
	uint64_t *addrs = malloc((st->nallg ? st->nallg : 1) * sizeof(*addrs));
	size_t n = 0, u = 0;

	if (!addrs)
		return -1;
	for (uint64_t i = 0; i < st->nallg; i++) {
		const uint8_t *g = st->gbytes + i * st->l.g_size;
		uint64_t p;

		if (st->gok[i] && gort_g_exists(gort_g_status(&st->l, g)) &&
		    (p = gort_u64(g + st->l.g_labels)))
			addrs[n++] = p;
	}
	qsort(addrs, n, sizeof(*addrs), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!u || addrs[u - 1] != addrs[i])
			addrs[u++] = addrs[i];
	if (u > MAX_SETS) {
		c->dropped = u - MAX_SETS;
		u = MAX_SETS;
	}
	c->sets = u ? calloc(u, sizeof(*c->sets)) : NULL;
	if (u && !c->sets) {
		free(addrs);
		return -1;
	}
	for (size_t i = 0; i < u; i++)
		c->sets[i].addr = addrs[i];
	c->nsets = u;
	free(addrs);
	return 0;
}

/* One read per set still ok: len bytes at its address (via_word: at the word
 * its header starts with) plus off, into its header; ok says which worked. */
static int
read_headers(struct gort_labels *c, const struct insp_host *h, bool via_word, uint64_t off,
	     size_t len)
{
	struct insp_read *r = reads_for(c, c->nsets);
	size_t n = 0;

	if (!r)
		return -1;
	for (size_t i = 0; i < c->nsets; i++) {
		struct lset *s = &c->sets[i];
		uint64_t base = via_word ? gort_u64(s->hdr) : s->addr;

		if (!s->ok || s->empty)
			continue;
		if (!base) { /* a nil map: no labels */
			s->empty = true;
			continue;
		}
		r[n++] = (struct insp_read){ base + off, s->hdr, len, false };
	}
	if (n && gort_readv_packed(h, r, n) < 0)
		return -1;
	for (size_t i = 0, k = 0; i < c->nsets && k < n; i++)
		if (c->sets[i].ok && r[k].buf == c->sets[i].hdr)
			c->sets[i].ok = r[k++].ok;
	return 0;
}

static struct lpair *
new_pair(struct gort_labels *c)
{
	if (c->npairs == c->pairs_cap) {
		size_t cap = c->pairs_cap ? 2 * c->pairs_cap : 1024;
		struct lpair *p = realloc(c->pairs, cap * sizeof(*p));

		if (!p)
			return NULL;
		c->pairs = p;
		c->pairs_cap = cap;
	}
	memset(&c->pairs[c->npairs], 0, sizeof(c->pairs[0]));
	return &c->pairs[c->npairs++];
}

/* A pair from a key's and a value's string headers (ptr, len). */
static int
add_pair(struct gort_labels *c, uint32_t set, const uint8_t *k, const uint8_t *v)
{
	struct lset *s = &c->sets[set];
	struct lpair *p;

	if (s->n == MAX_PER_SET) {
		s->cut = true;
		return 0;
	}
	p = new_pair(c);
	if (!p)
		return -1;
	p->set = set;
	p->kp = gort_u64(k);
	p->kl = gort_u64(k + 8);
	p->vp = gort_u64(v);
	p->vl = gort_u64(v + 8);
	s->n++;
	return 0;
}

/* Go >= 1.24: each set's []label header, then its elements. */
static int
read_slices(struct gort_labels *c, const struct gort_labels_layout *l, const struct insp_host *h)
{
	size_t n = 0, total = 0, off = 0;
	struct insp_read *r;
	uint8_t *buf;
	int ret = 0;

	if (read_headers(c, h, false, l->list, 24) < 0 || !(r = reads_for(c, c->nsets)))
		return -1;
	for (size_t i = 0; i < c->nsets; i++) {
		struct lset *s = &c->sets[i];
		uint64_t len = gort_u64(s->hdr + 8), cap = gort_u64(s->hdr + 16);

		if (!s->ok)
			continue;
		if (len > cap || len > MAX_LEN || (len && !gort_u64(s->hdr))) {
			s->ok = false;
			c->corrupt++;
			continue;
		}
		s->cut = len > MAX_PER_SET;
		s->units = (uint32_t)(s->cut ? MAX_PER_SET : len); /* elements to read */
		total += s->units * l->pair_size;
	}
	buf = malloc(total ? total : 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < c->nsets; i++) {
		struct lset *s = &c->sets[i];

		if (!s->ok || !s->units)
			continue;
		r[n++] = (struct insp_read){ gort_u64(s->hdr), buf + off, s->units * l->pair_size,
					     false };
		off += s->units * l->pair_size;
	}
	if (n && gort_readv_packed(h, r, n) < 0)
		ret = -1;
	for (size_t i = 0, k = 0; ret == 0 && i < c->nsets; i++) {
		struct lset *s = &c->sets[i];

		s->first = (uint32_t)c->npairs;
		if (!s->ok || !s->units)
			continue;
		if (!r[k].ok) {
			s->ok = false;
			k++;
			continue;
		}
		for (uint32_t e = 0; e < s->units && ret == 0; e++) {
			const uint8_t *p = (const uint8_t *)r[k].buf + e * l->pair_size;

			ret = add_pair(c, (uint32_t)i, p + l->key, p + l->value);
		}
		k++;
	}
	free(buf);
	return ret;
}

/* Go <= 1.23: the *hmap word, the hmap, then its buckets, old and new, and
 * their overflow buckets round by round. */
static int
read_maps(struct gort_labels *c, const struct gort_labels_layout *l, const struct insp_host *h)
{
	struct lunit *units = NULL, *next = NULL;
	size_t nu = 0, cap = 0, total, nbuckets;
	struct insp_read *r;
	uint8_t *ubuf = NULL;
	int ret = -1;

	if (read_headers(c, h, false, 0, 8) < 0)
		return -1;
	if (read_headers(c, h, true, 0, l->hmap_size) < 0)
		return -1;
	/* at most two runs of buckets per set, then one unit per overflow bucket */
	cap = 2 * c->nsets;
	units = calloc(cap ? cap : 1, sizeof(*units));
	if (!units)
		return -1;
	for (size_t i = 0; i < c->nsets; i++) {
		struct lset *s = &c->sets[i];
		uint64_t count = gort_u64(s->hdr + l->count), nb, nold;
		uint8_t B = s->hdr[l->B];

		if (!s->ok || s->empty)
			continue;
		if (count > MAX_LEN || B > 30) {
			s->ok = false;
			c->corrupt++;
			continue;
		}
		if (!count)
			continue;
		if (B > MAX_B) {
			B = MAX_B;
			s->cut = true;
		}
		nb = (uint64_t)1 << B;
		nold = s->hdr[l->flags] & SAME_SIZE ? nb : (nb > 1 ? nb / 2 : 1);
		units[nu++] = (struct lunit){ (uint32_t)i, (uint32_t)nb,
					      gort_u64(s->hdr + l->buckets), 0 };
		s->units = (uint32_t)nb;
		if (gort_u64(s->hdr + l->oldbuckets)) {
			units[nu++] = (struct lunit){ (uint32_t)i, (uint32_t)nold,
						      gort_u64(s->hdr + l->oldbuckets), 0 };
			s->units += (uint32_t)nold;
		}
	}
	for (int round = 0; nu && round < MAX_ROUNDS; round++) {
		size_t nn = 0;

		total = nbuckets = 0;
		for (size_t u = 0; u < nu; u++) {
			units[u].off = total;
			total += units[u].count * l->bucket_size;
			nbuckets += units[u].count;
		}
		free(ubuf);
		ubuf = malloc(total);
		/* a bucket has one overflow bucket at most */
		next = calloc(nbuckets, sizeof(*next));
		if (!ubuf || !next || !(r = reads_for(c, nu)))
			goto out;
		for (size_t u = 0; u < nu; u++)
			r[u] = (struct insp_read){ units[u].addr, ubuf + units[u].off,
						   units[u].count * l->bucket_size, false };
		if (gort_readv_packed(h, r, nu) < 0)
			goto out;
		for (size_t u = 0; u < nu; u++) {
			struct lset *s = &c->sets[units[u].set];

			if (!r[u].ok || !units[u].addr) {
				s->ok = false;
				continue;
			}
			for (uint32_t b = 0; b < units[u].count; b++) {
				const uint8_t *bk = ubuf + units[u].off + b * l->bucket_size;
				uint64_t ovf = gort_u64(bk + l->overflow);

				for (int slot = 0; slot < 8; slot++)
					if (bk[slot] >= MIN_TOPHASH &&
					    add_pair(c, units[u].set, bk + l->keys + 16 * slot,
						     bk + l->elems + 16 * slot) < 0)
						goto out;
				if (!ovf)
					continue;
				if (s->units >= MAX_UNITS) {
					s->cut = true;
					continue;
				}
				s->units++;
				next[nn++] = (struct lunit){ units[u].set, 1, ovf, 0 };
			}
		}
		free(units);
		units = next;
		next = NULL;
		nu = nn;
	}
	ret = 0;
out:
	free(units);
	free(next);
	free(ubuf);
	return ret;
}

/* A map's pairs come bucket by bucket, the sets interleaved across rounds of
 * overflow buckets: a stable counting sort by set gives each set its run
 * [first, first + n). */
static int
order_pairs(struct gort_labels *c)
{
	size_t *start = calloc(c->nsets + 1, sizeof(*start));
	struct lpair *sorted = malloc((c->npairs ? c->npairs : 1) * sizeof(*sorted));

	if (!start || !sorted) {
		free(start);
		free(sorted);
		return -1;
	}
	for (size_t p = 0; p < c->npairs; p++)
		start[c->pairs[p].set + 1]++;
	for (size_t i = 0; i < c->nsets; i++) {
		start[i + 1] += start[i];
		c->sets[i].first = (uint32_t)start[i];
	}
	for (size_t p = 0; p < c->npairs; p++)
		sorted[start[c->pairs[p].set]++] = c->pairs[p];
	free(c->pairs);
	c->pairs = sorted;
	c->pairs_cap = c->npairs;
	free(start);
	return 0;
}

/* Every key and value, at most MAX_STR bytes each, MAX_BYTES in all. */
static int
read_strings(struct gort_labels *c, const struct insp_host *h)
{
	struct insp_read *r = reads_for(c, 2 * c->npairs + 1);
	size_t total = 0, n = 0;

	if (!r)
		return -1;
	for (size_t p = 0; p < c->npairs; p++) {
		struct lpair *q = &c->pairs[p];
		size_t kl = q->kl < MAX_STR ? q->kl : MAX_STR,
		       vl = q->vl < MAX_STR ? q->vl : MAX_STR;

		if (total + kl + vl > MAX_BYTES) {
			c->over_bytes = true;
			break;
		}
		q->copied = true;
		q->ko = total;
		q->vo = total + kl;
		total += kl + vl;
	}
	c->bytes = malloc(total ? total : 1);
	if (!c->bytes)
		return -1;
	c->nbytes = total;
	for (size_t p = 0; p < c->npairs; p++) {
		struct lpair *q = &c->pairs[p];
		size_t kl = q->kl < MAX_STR ? q->kl : MAX_STR,
		       vl = q->vl < MAX_STR ? q->vl : MAX_STR;

		if (!q->copied)
			break; /* past MAX_BYTES */
		q->kok = q->vok = true;
		if (kl)
			r[n++] = (struct insp_read){ q->kp, c->bytes + q->ko, kl, false };
		if (vl)
			r[n++] = (struct insp_read){ q->vp, c->bytes + q->vo, vl, false };
	}
	if (n && gort_readv_packed(h, r, n) < 0)
		return -1;
	for (size_t p = 0, k = 0; p < c->npairs && k < n; p++) {
		struct lpair *q = &c->pairs[p];

		if (!q->copied)
			break;
		if (q->kl && k < n)
			q->kok = r[k++].ok;
		if (q->vl && k < n)
			q->vok = r[k++].ok;
	}
	return 0;
}

void
gort_labels_capture(struct gort_state *st, const struct insp_host *h)
{
	struct gort_labels *c;

	gort_labels_free(st);
	if (st->lab.kind == GORT_LABELS_NONE)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	st->labels = c;
	if (collect_sets(c, st) < 0 || !c->nsets)
		goto out;
	for (size_t i = 0; i < c->nsets; i++)
		c->sets[i].ok = true;
	if (st->lab.kind == GORT_LABELS_SLICE ? read_slices(c, &st->lab, h) < 0
					      : read_maps(c, &st->lab, h) < 0 || order_pairs(c) < 0)
		goto fail;
	if (read_strings(c, h) < 0)
		goto fail;
	goto out;
fail:
	/* out of memory or the process gone: no labels, said in decode */
	for (size_t i = 0; i < c->nsets; i++)
		c->sets[i].ok = false;
out:
	free(c->r);
	c->r = NULL;
	c->rcap = 0;
}

/* ---- decode ---- */

static int
cmp_label(const void *pa, const void *pb)
{
	return strcmp(((const struct insp_label *)pa)->key, ((const struct insp_label *)pb)->key);
}

/* A key or value in snapshot memory: what was copied, and "... (N bytes)" when
 * that was not all of it. NULL when memory ran out. */
static const char *
str_of(const struct insp_host *h, const struct gort_labels *c, size_t off, uint64_t len)
{
	size_t kept = len < MAX_STR ? (size_t)len : MAX_STR;
	char *s = h->alloc(h->ctx, kept + 40);

	if (!s)
		return NULL;
	memcpy(s, c->bytes + off, kept);
	if (len > kept)
		snprintf(s + kept, 40, "... (%llu bytes)", (unsigned long long)len);
	return s;
}

static int
build(const struct insp_host *h, struct gort_labels *c, struct lset *s)
{
	struct insp_label *out = s->n ? h->alloc(h->ctx, s->n * sizeof(*out)) : NULL;
	uint32_t n = 0;

	s->built = true;
	if (s->n && !out)
		return -1;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct lpair *p = &c->pairs[s->first + i];

		if (!p->copied || !p->kok || !p->vok) {
			c->bad_strs++;
			s->cut = true;
			continue;
		}
		out[n].key = str_of(h, c, p->ko, p->kl);
		out[n].value = str_of(h, c, p->vo, p->vl);
		if (!out[n].key || !out[n].value)
			return -1;
		n++;
	}
	/* a map's order is its hash's; the runtime's slice is sorted already */
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_label);
	s->shown = n ? out : NULL;
	s->nshown = n;
	return 0;
}

int
gort_labels_of(const struct gort_state *st, const struct insp_host *h, const uint8_t *g,
	       struct insp_task *t)
{
	struct gort_labels *c = st->labels;
	struct lset key, *s;

	if (!c || st->lab.kind == GORT_LABELS_NONE)
		return 0;
	key.addr = gort_u64(g + st->l.g_labels);
	if (!key.addr)
		return 0;
	s = c->nsets ? bsearch(&key, c->sets, c->nsets, sizeof(key), cmp_set) : NULL;
	if (!s || !s->ok) {
		c->unread_gs++;
		return 0;
	}
	if (!s->built && build(h, c, s) < 0)
		return -1;
	t->labels = s->shown;
	t->nlabels = s->nshown;
	t->labels_cut = s->cut;
	return 0;
}

void
gort_labels_done(struct gort_state *st, const struct insp_host *h)
{
	const struct gort_labels *c = st->labels;

	if (c && c->unread_gs)
		h->note(h->ctx, "the labels of %zu goroutines could not be read%s%s", c->unread_gs,
			c->dropped ? " (more distinct label sets than inspect copies)" : "",
			c->corrupt ? " (a label set's length is corrupt)" : "");
	if (c && (c->bad_strs || c->over_bytes))
		h->note(h->ctx, "some label keys or values could not be read%s",
			c->over_bytes ? " (more than 32 MiB of them)" : "");
	gort_labels_free(st);
}

void
gort_labels_free(struct gort_state *st)
{
	struct gort_labels *c = st->labels;

	if (!c)
		return;
	free(c->sets);
	free(c->pairs);
	free(c->bytes);
	free(c->r);
	free(c);
	st->labels = NULL;
}
