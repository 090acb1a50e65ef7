/* Go maps for print: the entries of a map read from its buckets (Go up to 1.23) or
 * from its Swiss tables (Go 1.24 on), sorted as fmt sorts them, and m[key] found by
 * comparing keys (the hash seed and function stay in the target). Part of
 * plugins/go; it only reads, and a loop over target memory is always bounded.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Both layouts are walked as units of 8 slots (a bucket, a group), described by
 * the types the linker writes for each map type (cmd/link dwarf.go
 * synthesizemaptypes):
 *
 *   Go <= 1.23  *hash<K,V> (runtime.hmap): count, flags, B, buckets, oldbuckets,
 *               nevacuate. buckets is *bucket<K,V>: tophash [8]uint8, keys [8]K,
 *               elems (values before Go 1.20) [8]V, overflow *bucket<K,V>.
 *   Go >= 1.24  *map<K,V> (internal/runtime/maps.Map): used, dirPtr, dirLen.
 *               dirLen 0: dirPtr is one group; else dirPtr is [dirLen]*table<K,V>,
 *               a table appearing 1 << (globalDepth - localDepth) times in a row.
 *               table.groups (groupReference<K,V>): data *group, lengthMask.
 *               A group: ctrl uint64 (a byte per slot, high bit clear when full),
 *               slots [8]struct{key K; elem V}.
 *
 * Keys and elems over 128 bytes are stored as pointers in both (abi.MapMaxKeyBytes,
 * runtime/map.go maxKeySize): the slot's DWARF type is then a pointer.
 *
 * Growth (old layout only; Swiss tables grow within one write): while oldbuckets
 * is set, old bucket j moves to new buckets j and j + nold. An old bucket that is
 * not evacuated yet holds every entry of both, and those new buckets are empty
 * (mapassign and mapdelete evacuate the old bucket before touching the new ones),
 * so the walk reads the old bucket at new index j and skips j + nold.
 */

#define SLOTS      8
#define MAX_KV     128        /* abi.MapMaxKeyBytes, abi.MapMaxElemBytes */
#define MAX_UNITS  (1u << 20) /* buckets or groups read for one map */
#define MAX_DIR    (1u << 22) /* directory entries of a Swiss map */
#define MAX_HDR    256        /* bytes of a map header or a table */
#define MAX_UNIT   8192       /* bytes of a bucket or a group */
#define SORT_MAX   (1u << 17) /* entries of a map print sorts, reading them all */
#define SORT_STR   256        /* bytes of a string key that sorting compares */
#define MAX_KEYSTR (1u << 20) /* bytes of a string key that m[key] compares */

/* hmap.flags: growing to as many buckets (runtime/map.go sameSizeGrow). */
#define SAME_SIZE_GROW 8

struct mlay {
	Dwarf_Die key, elem; /* Go's types */
	bool ikey, ielem;    /* the slot holds a pointer to it */
	bool swiss;
	uint64_t hsize; /* the header (or a table) */
	struct gfield count;
	/* Go <= 1.23 */
	struct gfield flags, B, buckets, oldbuckets, nevacuate;
	uint64_t overflow_off;
	/* Go >= 1.24 */
	struct gfield dirptr, dirlen, gdata, gmask;
	uint64_t tsize;
	/* a bucket or a group: its size, tophash or ctrl, where slot i's key and elem are */
	uint64_t usize, meta_off, kbase, kstride, ebase, estride;
};

/* One entry found: the addresses of its key and elem (indirection followed), and
 * the key's bytes as read (NULL when indirect). Nonzero stops the walk. */
typedef int (*slot_fn)(struct gpr *p, void *ctx, uint64_t k, uint64_t e, const uint8_t *kb);

struct mwalk {
	struct gpr *p;
	const struct mlay *l;
	slot_fn fn;
	void *ctx;
	uint32_t units;
	int min_top; /* tophash of the first full slot */
	uint8_t unit[MAX_UNIT];
	char why[320];
};

/* The type a slot holds for a key or elem of type t: t, or *t when t > 128 bytes. */
static int
slot_type(Dwarf_Die *t, Dwarf_Die *slot, uint64_t *stride, bool *indirect)
{
	uint64_t n = gtype_size(t), s = gtype_size(slot);

	*indirect = n > MAX_KV;
	if (s != (*indirect ? 8 : n) || (*stride && s > *stride))
		return -1;
	if (!*stride)
		*stride = s;
	return 0;
}

/* Slot i's key and elem end inside the unit. */
static int
slots_fit(const struct mlay *l)
{
	uint64_t k = l->kbase + (SLOTS - 1) * l->kstride + (l->ikey ? 8 : gtype_size(&l->key));
	uint64_t e = l->ebase + (SLOTS - 1) * l->estride + (l->ielem ? 8 : gtype_size(&l->elem));

	return l->usize <= MAX_UNIT && k <= l->usize && e <= l->usize && l->meta_off + 8 <= l->usize
		       ? 0
		       : -1;
}

static const char *
resolve_buckets(Dwarf_Die *h, struct mlay *l)
{
	Dwarf_Die b, keys, elems, t;
	uint64_t off;

	if (gtype_int_field(h, "count", &l->count) < 0 ||
	    gtype_int_field(h, "flags", &l->flags) < 0 || gtype_int_field(h, "B", &l->B) < 0 ||
	    gtype_int_field(h, "buckets", &l->buckets) < 0 ||
	    gtype_int_field(h, "oldbuckets", &l->oldbuckets) < 0 ||
	    gtype_int_field(h, "nevacuate", &l->nevacuate) < 0)
		return "runtime.hmap in DWARF lacks a field print needs";
	if (gtype_field(h, "buckets", &t, &off) < 0 ||
	    gtype_target(&t, DW_TAG_pointer_type, &b) < 0)
		return "no bucket type in DWARF";
	l->usize = gtype_size(&b);
	if (gtype_field(&b, "tophash", &t, &l->meta_off) < 0 ||
	    gtype_field(&b, "keys", &t, &l->kbase) < 0 ||
	    gtype_target(&t, DW_TAG_array_type, &keys) < 0 ||
	    (gtype_field(&b, "elems", &t, &l->ebase) < 0 &&
	     gtype_field(&b, "values", &t, &l->ebase) < 0) ||
	    gtype_target(&t, DW_TAG_array_type, &elems) < 0 ||
	    gtype_field(&b, "overflow", &t, &l->overflow_off) < 0 || l->overflow_off + 8 > l->usize)
		return "the map's bucket type in DWARF is not runtime.bmap's";
	l->kstride = l->estride = 0;
	if (slot_type(&l->key, &keys, &l->kstride, &l->ikey) < 0 ||
	    slot_type(&l->elem, &elems, &l->estride, &l->ielem) < 0)
		return "the map's bucket slots do not match its key and elem types";
	return NULL;
}

static const char *
resolve_swiss(Dwarf_Die *h, struct mlay *l)
{
	Dwarf_Die tp, tab, gref, grp, arr, slot, t;
	uint64_t groups, off;
	struct gfield ctrl;

	if (gtype_int_field(h, "used", &l->count) < 0 ||
	    gtype_int_field(h, "dirPtr", &l->dirptr) < 0 ||
	    gtype_int_field(h, "dirLen", &l->dirlen) < 0)
		return "internal/runtime/maps.Map in DWARF lacks a field print needs";
	if (gtype_field(h, "dirPtr", &t, &off) < 0 ||
	    gtype_target(&t, DW_TAG_pointer_type, &tp) < 0 ||
	    gtype_target(&tp, DW_TAG_pointer_type, &tab) < 0 ||
	    gtype_field(&tab, "groups", &gref, &groups) < 0 ||
	    gtype_int_field(&gref, "data", &l->gdata) < 0 ||
	    gtype_int_field(&gref, "lengthMask", &l->gmask) < 0 ||
	    gtype_field(&gref, "data", &t, &off) < 0 ||
	    gtype_target(&t, DW_TAG_pointer_type, &grp) < 0)
		return "no map table type in DWARF";
	l->tsize = gtype_size(&tab);
	l->gdata.off += groups;
	l->gmask.off += groups;
	if (l->tsize > MAX_HDR || l->gdata.off + 8 > l->tsize || l->gmask.off + 8 > l->tsize)
		return "the map's table type in DWARF is not internal/runtime/maps.table's";
	l->usize = gtype_size(&grp);
	if (gtype_int_field(&grp, "ctrl", &ctrl) < 0 || ctrl.len != 8 ||
	    gtype_field(&grp, "slots", &t, &l->kbase) < 0 ||
	    gtype_target(&t, DW_TAG_array_type, &arr) < 0)
		return "the map's group type in DWARF is not internal/runtime/maps' group";
	l->meta_off = ctrl.off;
	l->ebase = l->kbase;
	l->kstride = l->estride = gtype_size(&arr);
	if (gtype_field(&arr, "key", &slot, &off) < 0)
		return "the map's group type in DWARF has no slot key";
	l->kbase += off;
	if (slot_type(&l->key, &slot, &l->kstride, &l->ikey) < 0 ||
	    gtype_field(&arr, "elem", &slot, &off) < 0)
		return "the map's group slots do not match its key and elem types";
	l->ebase += off;
	if (slot_type(&l->elem, &slot, &l->estride, &l->ielem) < 0)
		return "the map's group slots do not match its key and elem types";
	return NULL;
}

/* The layout of map type t from DWARF: NULL, or why not. */
static const char *
resolve(const Dwarf_Die *t, struct mlay *l)
{
	Dwarf_Die h, m, dir;
	uint64_t off;
	const char *why;

	memset(l, 0, sizeof(*l));
	if (gtype_ref_through(t, DW_AT_go_key, &l->key) < 0 ||
	    gtype_ref_through(t, DW_AT_go_elem, &l->elem) < 0)
		return "the map type in DWARF has no key or elem type";
	gtype_peel(t, &m);
	if (gtype_target(&m, DW_TAG_pointer_type, &h) < 0 || dwarf_tag(&h) != DW_TAG_structure_type)
		return "the map type in DWARF has no header type";
	l->hsize = gtype_size(&h);
	if (l->hsize > MAX_HDR)
		return "the map header in DWARF is too large";
	l->swiss = gtype_field(&h, "dirPtr", &dir, &off) == 0;
	why = l->swiss ? resolve_swiss(&h, l) : resolve_buckets(&h, l);
	if (!why && slots_fit(l) < 0)
		why = "the map's bucket type in DWARF is inconsistent";
	return why;
}

static int
rd(struct mwalk *w, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct insp_err err = INSP_ERR_INIT;

	if (w->p->h->read(w->p->h->ctx, addr, buf, len, &err) == 0)
		return 0;
	snprintf(w->why, sizeof(w->why), "%s at 0x%" PRIx64 ": %s", what, addr, err.msg);
	return -1;
}

static uint64_t
u64_at(const uint8_t *b)
{
	return gfield_get(b, (struct gfield){ 0, 8 });
}

/* Whether slot i of the unit in w->unit is full. */
static bool
full(const struct mwalk *w, int i)
{
	uint8_t c = w->unit[w->l->meta_off + i];

	return w->l->swiss ? !(c & 0x80) : c >= w->min_top;
}

/* Read the unit at addr and pass its full slots on: 1 stopped, 0 on, -1 error. */
static int
unit(struct mwalk *w, uint64_t addr)
{
	const struct mlay *l = w->l;

	if (++w->units > MAX_UNITS) {
		snprintf(w->why, sizeof(w->why), "stopped after %u buckets", MAX_UNITS);
		return -1;
	}
	if (rd(w, addr, w->unit, l->usize, l->swiss ? "map group" : "map bucket") < 0)
		return -1;
	for (int i = 0; i < SLOTS; i++) {
		uint64_t k = addr + l->kbase + i * l->kstride, e = addr + l->ebase + i * l->estride;
		const uint8_t *kb = w->unit + l->kbase + i * l->kstride;
		int r;

		if (!full(w, i))
			continue;
		if (l->ikey)
			k = u64_at(kb);
		if (l->ielem)
			e = u64_at(w->unit + l->ebase + i * l->estride);
		if ((r = w->fn(w->p, w->ctx, k, e, l->ikey ? NULL : kb)) != 0)
			return r;
	}
	return 0;
}

/* A bucket and its overflow chain; Brent's cycle check stops a looped chain. */
static int
chain(struct mwalk *w, uint64_t b)
{
	uint64_t mark = b, power = 1, steps = 0;

	while (b) {
		int r = unit(w, b);

		if (r)
			return r;
		b = u64_at(w->unit + w->l->overflow_off);
		if (b == mark) {
			snprintf(w->why, sizeof(w->why), "overflow buckets form a cycle");
			return -1;
		}
		if (++steps == power) {
			mark = b;
			power *= 2;
			steps = 0;
		}
	}
	return 0;
}

/* Whether the old bucket at ob has moved to the new array (runtime/map.go evacuated). */
static int
evacuated(struct mwalk *w, uint64_t ob, bool *done)
{
	uint8_t top;

	if (rd(w, ob + w->l->meta_off, &top, 1, "map bucket") < 0)
		return -1;
	*done = top > w->min_top - 4 && top < w->min_top;
	return 0;
}

static int
walk_buckets(struct mwalk *w, const uint8_t *h)
{
	const struct mlay *l = w->l;
	uint64_t B = gfield_get(h, l->B), buckets = gfield_get(h, l->buckets);
	uint64_t old = gfield_get(h, l->oldbuckets), nevac = gfield_get(h, l->nevacuate);
	uint64_t nb, nold;

	/* Go 1.12 added emptyRest and moved the marks up by one (runtime/map.go). */
	w->min_top = w->p->st && w->p->st->minor && w->p->st->minor < 12 ? 4 : 5;
	if (B > 48) {
		snprintf(w->why, sizeof(w->why), "map header has B = %" PRIu64, B);
		return -1;
	}
	nb = (uint64_t)1 << B;
	nold = !old ? 0 : gfield_get(h, l->flags) & SAME_SIZE_GROW ? nb : nb / 2;
	if (old && !nold) {
		snprintf(w->why, sizeof(w->why), "map grows from no buckets");
		return -1;
	}
	for (uint64_t i = 0; buckets && i < nb; i++) {
		uint64_t j = i & (nold - 1), b = buckets + i * l->usize;
		bool done = true;
		int r;

		if (nold && j >= nevac && evacuated(w, old + j * l->usize, &done) < 0)
			return -1;
		if (!done && i != j)
			continue; /* read with old bucket j */
		if ((r = chain(w, done ? b : old + j * l->usize)) != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

static int
walk_table(struct mwalk *w, uint64_t t)
{
	const struct mlay *l = w->l;
	uint8_t tb[MAX_HDR];
	uint64_t data, mask;

	if (rd(w, t, tb, l->tsize, "map table") < 0)
		return -1;
	data = gfield_get(tb, l->gdata);
	mask = gfield_get(tb, l->gmask);
	if (mask >= MAX_UNITS || (mask & (mask + 1))) {
		snprintf(w->why, sizeof(w->why),
			 "map table at 0x%" PRIx64 " has %" PRIu64 " groups", t, mask + 1);
		return -1;
	}
	for (uint64_t g = 0; g <= mask; g++) {
		int r = unit(w, data + g * l->usize);

		if (r)
			return r;
	}
	return 0;
}

/* Each distinct table of the directory once: its copies are adjacent (map.go). */
static int
walk_dir(struct mwalk *w, uint64_t dir, uint64_t n)
{
	uint64_t prev = 0;
	uint8_t chunk[64 * 8];

	if (n > MAX_DIR) {
		snprintf(w->why, sizeof(w->why), "map directory has %" PRIu64 " entries", n);
		return -1;
	}
	for (uint64_t i = 0; i < n; i += 64) {
		uint64_t m = n - i < 64 ? n - i : 64;

		if (rd(w, dir + i * 8, chunk, m * 8, "map directory") < 0)
			return -1;
		for (uint64_t k = 0; k < m; k++) {
			uint64_t t = u64_at(chunk + k * 8);
			int r;

			if (t == prev)
				continue;
			prev = t;
			if ((r = walk_table(w, t)) != 0)
				return r;
		}
	}
	return 0;
}

/* Every full slot of the map whose header is h, to fn, until fn returns nonzero:
 * 0, or -1 with w->why. */
static int
walk(struct mwalk *w, const uint8_t *h)
{
	const struct mlay *l = w->l;
	uint64_t dir, n;
	int r;

	if (!l->swiss)
		return walk_buckets(w, h);
	dir = gfield_get(h, l->dirptr);
	n = gfield_get(h, l->dirlen);
	if (!dir)
		return 0;
	r = n ? walk_dir(w, dir, n) : unit(w, dir);
	return r < 0 ? -1 : 0;
}

/* The header of map m: *hdr is 0 for a nil map; -1 with why if unreadable. */
static int
header(struct gpr *p, const struct gval *m, const struct mlay *l, uint8_t *h, uint64_t *hdr,
       uint64_t *count, char *why, size_t size)
{
	struct insp_err err = INSP_ERR_INIT;

	if (gval_uint(p, m, 0, 8, hdr) < 0) {
		snprintf(why, size, "the map pointer");
		return -1;
	}
	if (!*hdr)
		return 0;
	if (p->h->read(p->h->ctx, *hdr, h, l->hsize, &err) < 0) {
		snprintf(why, size, "map header at 0x%" PRIx64 ": %s", *hdr, err.msg);
		return -1;
	}
	*count = gfield_get(h, l->count);
	if (*count >> 62) {
		snprintf(why, size, "map header at 0x%" PRIx64 " has count %" PRId64, *hdr,
			 (int64_t)*count);
		return -1;
	}
	return 0;
}

/* ---- printing: the entries read, sorted as internal/fmtsort sorts them ---- */

enum kclass { KC_NONE, KC_INT, KC_UINT, KC_FLOAT, KC_STRING };

struct ment {
	uint64_t k, e;
	union {
		int64_t i;
		uint64_t u;
		double f;
	} n;
	char *s; /* up to SORT_STR bytes of a string key */
	uint64_t slen;
};

/* The entries print shows. Sorted, every entry is seen and the keep smallest are
 * kept (v holds up to twice that, sorted and cut when full); else the first keep
 * entries in table order. */
struct collect {
	const struct mlay *l;
	enum kclass kc;
	bool sort;
	size_t keep, n, cap;
	uint64_t seen;
	struct ment *v;
};

static enum kclass
key_class(const Dwarf_Die *t)
{
	static const uint8_t classes[] = {
		[GK_BOOL] = KC_UINT,     [GK_INT] = KC_INT,       [GK_INT8] = KC_INT,
		[GK_INT16] = KC_INT,     [GK_INT32] = KC_INT,     [GK_INT64] = KC_INT,
		[GK_UINT] = KC_UINT,     [GK_UINT8] = KC_UINT,    [GK_UINT16] = KC_UINT,
		[GK_UINT32] = KC_UINT,   [GK_UINT64] = KC_UINT,   [GK_UINTPTR] = KC_UINT,
		[GK_FLOAT32] = KC_FLOAT, [GK_FLOAT64] = KC_FLOAT, [GK_CHAN] = KC_UINT,
		[GK_PTR] = KC_UINT,      [GK_STRING] = KC_STRING, [GK_UNSAFE_POINTER] = KC_UINT,
	};
	enum gkind k = gtype_kind(t);

	return k < sizeof(classes) ? (enum kclass)classes[k] : KC_NONE;
}

/* Little-endian bytes u (n of them) of a key of class kc as the number they are. */
static void
num_of(enum kclass kc, uint64_t u, uint64_t n, struct ment *m)
{
	m->n.u = u;
	if (kc == KC_INT && n < 8) {
		m->n.i = (int64_t)(u << (64 - 8 * n)) >> (64 - 8 * n);
	} else if (kc == KC_FLOAT && n == 4) {
		uint32_t w = (uint32_t)u;
		float f;

		memcpy(&f, &w, 4);
		m->n.f = f;
	} else if (kc == KC_FLOAT) {
		memcpy(&m->n.f, &u, 8);
	}
}

/* The number a key of class kc and n bytes stands for: kb, or read at addr. */
static int
key_num(struct gpr *p, enum kclass kc, uint64_t addr, const uint8_t *kb, uint64_t n, struct ment *m)
{
	uint8_t b[8];

	if (!n || n > 8 || (!kb && p->h->read(p->h->ctx, addr, b, n, NULL) < 0))
		return -1;
	num_of(kc, gfield_get(kb ? kb : b, (struct gfield){ 0, (uint32_t)n }), n, m);
	return 0;
}

/* The data pointer and length of a string header: kb, or read at addr. */
static int
str_hdr(struct gpr *p, uint64_t addr, const uint8_t *kb, uint64_t *ptr, uint64_t *len)
{
	uint8_t b[16];

	if (!kb && p->h->read(p->h->ctx, addr, b, 16, NULL) < 0)
		return -1;
	*ptr = u64_at(kb ? kb : b);
	*len = u64_at((kb ? kb : b) + 8);
	return 0;
}

/* n bytes at ptr, malloc'd in *s (NULL when n is 0). */
static int
str_bytes(struct gpr *p, uint64_t ptr, uint64_t n, char **s)
{
	*s = NULL;
	if (!n)
		return 0;
	if (!(*s = malloc(n)))
		return -1;
	if (p->h->read(p->h->ctx, ptr, *s, n, NULL) == 0)
		return 0;
	free(*s);
	*s = NULL;
	return -1;
}

/* internal/fmtsort's order; strings by their first SORT_STR bytes, then length. */
static int
cmp_ment(const void *a, const void *b, void *arg)
{
	const struct ment *x = a, *y = b;
	uint64_t n = x->slen < y->slen ? x->slen : y->slen;
	int r;

	switch (*(enum kclass *)arg) {
	case KC_INT:
		return (x->n.i > y->n.i) - (x->n.i < y->n.i);
	case KC_UINT:
		return (x->n.u > y->n.u) - (x->n.u < y->n.u);
	case KC_FLOAT: /* NaN first */
		if (x->n.f != x->n.f || y->n.f != y->n.f)
			return (y->n.f == y->n.f) - (x->n.f == x->n.f);
		return (x->n.f > y->n.f) - (x->n.f < y->n.f);
	case KC_STRING:
		n = n < SORT_STR ? n : SORT_STR;
		r = n && x->s && y->s ? memcmp(x->s, y->s, n) : 0;
		return r ? r : (x->slen > y->slen) - (x->slen < y->slen);
	default:
		return 0;
	}
}

/* Sort v and free what is past keep. */
static void
cut(struct collect *c)
{
	qsort_r(c->v, c->n, sizeof(*c->v), cmp_ment, &c->kc);
	for (; c->n > c->keep; c->n--)
		free(c->v[c->n - 1].s);
}

static int
add_entry(struct gpr *p, void *ctx, uint64_t k, uint64_t e, const uint8_t *kb)
{
	struct collect *c = ctx;
	struct ment *m;
	uint64_t ptr;

	if (c->n == c->cap)
		cut(c);
	m = &c->v[c->n++];
	*m = (struct ment){ .k = k, .e = e };
	c->seen++;
	/* A key that cannot be read sorts as zero; print shows it unreadable. */
	if (c->kc == KC_STRING && str_hdr(p, k, kb, &ptr, &m->slen) == 0)
		str_bytes(p, ptr, m->slen < SORT_STR ? m->slen : SORT_STR, &m->s);
	else if (c->kc != KC_NONE && c->kc != KC_STRING)
		key_num(p, c->kc, k, kb, gtype_size(&c->l->key), m);
	return !c->sort && c->n == c->cap;
}

static void
print_entries(struct gpr *p, const struct collect *c, uint32_t depth)
{
	for (size_t i = 0; i < c->n && i < c->keep; i++) {
		struct gval k = gval_at(&c->l->key, c->v[i].k);
		struct gval e = gval_at(&c->l->elem, c->v[i].e);

		if (i)
			gp_puts(p, ", ");
		gval_print(p, &k, depth + 1, false);
		gp_puts(p, ": ");
		gval_print(p, &e, depth + 1, false);
	}
}

static void
collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].s);
	free(c->v);
}

/* Walk the map into c: 0, or -1 with w->why. A walk that saw every slot and found
 * another number of entries than the header's count says so. */
static int
collect(struct mwalk *w, struct collect *c, const uint8_t *h, uint64_t *count)
{
	bool whole;
	int r;

	if (!c->keep)
		return 0;
	r = walk(w, h);
	if (c->sort)
		cut(c); /* what was read, in order, also when the walk failed */
	if (r < 0)
		return -1;
	whole = c->sort || c->seen < c->keep;
	if (!whole || c->seen == *count)
		return 0;
	snprintf(w->why, sizeof(w->why),
		 "the header counts %" PRIu64 " entries, the map holds %" PRIu64, *count, c->seen);
	*count = c->seen;
	return -1;
}

/* "[k: v, ...]" for at most max_elems entries of the map of count entries. */
static void
print_body(struct gpr *p, const struct mlay *l, const uint8_t *h, uint64_t count, uint32_t depth)
{
	struct mwalk *w = calloc(1, sizeof(*w));
	struct collect c = { .l = l, .kc = key_class(&l->key) };
	int r;

	c.sort = c.kc != KC_NONE && count <= SORT_MAX;
	c.keep = count < p->o->max_elems ? count : p->o->max_elems;
	c.cap = c.sort ? 2 * c.keep : c.keep;
	if (!w || (c.cap && !(c.v = calloc(c.cap, sizeof(*c.v))))) {
		free(w);
		gval_unreadable(p, "out of memory");
		return;
	}
	*w = (struct mwalk){ .p = p, .l = l, .fn = add_entry, .ctx = &c };
	r = collect(w, &c, h, &count);
	gp_puts(p, "[");
	print_entries(p, &c, depth);
	if (r < 0) {
		gp_puts(p, c.n ? ", " : "");
		gval_unreadable(p, w->why);
	}
	if (count > c.n)
		gp_printf(p, "%s...+%" PRIu64 " more", c.n || r < 0 ? ", " : "", count - c.n);
	gp_puts(p, "]");
	collect_free(&c);
	free(w);
}

void
gomap_print(struct gpr *p, const struct gval *v, uint32_t depth)
{
	struct mlay l;
	uint8_t h[MAX_HDR];
	uint64_t hdr, count = 0;
	char why[320];
	const char *bad;

	gp_printf(p, "%s ", gtype_name(&v->type));
	if ((bad = resolve(&v->type, &l))) {
		gval_unreadable(p, bad);
		return;
	}
	if (header(p, v, &l, h, &hdr, &count, why, sizeof(why)) < 0) {
		gval_unreadable(p, why);
		return;
	}
	if (!hdr)
		gp_puts(p, "nil");
	else if (!count)
		gp_puts(p, "[]");
	else if (depth >= p->o->max_depth)
		gp_printf(p, "len: %" PRIu64 " [...]", count);
	else
		print_body(p, &l, h, count, depth);
}

int
gomap_len(struct gpr *p, const struct gval *m, uint64_t *len)
{
	struct mlay l;
	uint8_t h[MAX_HDR];
	uint64_t hdr;
	char why[320];

	*len = 0;
	if (resolve(&m->type, &l))
		return -1;
	return header(p, m, &l, h, &hdr, len, why, sizeof(why));
}

/* ---- m[key]: every entry's key compared with the one asked for ---- */

struct probe {
	const struct mlay *l;
	enum kclass kc;
	struct ment want;
	uint64_t ksize;
	uint64_t found;
	bool hit, unsure; /* unsure: a key could not be read */
};

static int
same_key(struct gpr *p, void *ctx, uint64_t k, uint64_t e, const uint8_t *kb)
{
	struct probe *q = ctx;
	struct ment m = { 0 };
	uint64_t ptr;
	bool eq;

	if (q->kc == KC_STRING) {
		if (str_hdr(p, k, kb, &ptr, &m.slen) < 0)
			return q->unsure = true, 0;
		if (m.slen != q->want.slen)
			return 0;
		if (str_bytes(p, ptr, m.slen, &m.s) < 0)
			return q->unsure = true, 0;
		eq = !m.slen || !memcmp(m.s, q->want.s, m.slen);
		free(m.s);
	} else {
		if (key_num(p, q->kc, k, kb, q->ksize, &m) < 0)
			return q->unsure = true, 0;
		eq = q->kc == KC_FLOAT ? m.n.f == q->want.n.f : m.n.u == q->want.n.u;
	}
	if (eq)
		q->found = e;
	q->hit = eq;
	return eq;
}

/* A string key's contents. A key held in bytes is a literal of the expression,
 * whose data pointer is ours, not the target's (expr.c key_literal). */
static int
probe_str(struct gpr *p, const struct gval *key, const uint8_t *hdr, struct probe *q)
{
	uint64_t ptr = u64_at(hdr);

	q->want.slen = u64_at(hdr + 8);
	if (q->want.slen > MAX_KEYSTR)
		return -1;
	if (!key->bytes)
		return str_bytes(p, ptr, q->want.slen, &q->want.s);
	if (q->want.slen && !(q->want.s = malloc(q->want.slen)))
		return -1;
	if (q->want.slen)
		memcpy(q->want.s, (const void *)(uintptr_t)ptr, q->want.slen);
	return 0;
}

/* The key asked for, in the map's key class: 0, or -1 if it cannot be compared. */
static int
probe_key(struct gpr *p, const struct gval *key, struct probe *q)
{
	Dwarf_Die kt = key->type;
	enum kclass kc = key_class(&kt);
	uint64_t n = gtype_size(&kt);
	uint8_t b[16];

	if (kc == KC_NONE || q->kc == KC_NONE || (kc == KC_STRING) != (q->kc == KC_STRING) ||
	    (kc == KC_FLOAT && q->kc != KC_FLOAT) || !n || n > (kc == KC_STRING ? 16 : 8) ||
	    (kc == KC_STRING && n != 16) || gval_read(p, key, 0, b, n) < 0)
		return -1;
	if (kc == KC_STRING)
		return probe_str(p, key, b, q);
	num_of(kc, gfield_get(b, (struct gfield){ 0, (uint32_t)n }), n, &q->want);
	if (q->kc == KC_FLOAT && kc != KC_FLOAT)
		q->want.n.f = kc == KC_INT ? (double)q->want.n.i : (double)q->want.n.u;
	/* An unsigned key never equals a negative number. */
	return kc == KC_INT && q->kc == KC_UINT && q->want.n.i < 0 ? -1 : 0;
}

int
gomap_index(struct gpr *p, const struct gval *m, const struct gval *key, struct gval *out)
{
	struct mlay l;
	struct mwalk *w;
	uint8_t h[MAX_HDR];
	uint64_t hdr, count = 0;
	char why[320];
	struct probe q = { 0 };
	int r;

	if (resolve(&m->type, &l) || header(p, m, &l, h, &hdr, &count, why, sizeof(why)) < 0)
		return -1;
	q.l = &l;
	q.kc = key_class(&l.key);
	q.ksize = gtype_size(&l.key);
	if (probe_key(p, key, &q) < 0) {
		free(q.want.s);
		return -1;
	}
	if (!hdr || !count) {
		free(q.want.s);
		return 0;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		free(q.want.s);
		return -1;
	}
	*w = (struct mwalk){ .p = p, .l = &l, .fn = same_key, .ctx = &q };
	r = walk(w, h);
	free(w);
	free(q.want.s);
	if (q.hit)
		*out = gval_at(&l.elem, q.found);
	return q.hit ? 1 : r < 0 || q.unsure ? -1 : 0;
}
