/* The types of Go's DWARF: kinds, names, sizes, fields, and the way back from a
 * runtime type descriptor (what an interface holds) to a DWARF type.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

/* Typedefs followed at most this deep: a cycle in corrupt DWARF ends here. */
#define MAX_PEEL 16

int
gtype_ref(const Dwarf_Die *t, int attr, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate((Dwarf_Die *)t, attr, &a) || !dwarf_formref_die(&a, out))
		return -1;
	return 0;
}

void
gtype_peel(const Dwarf_Die *t, Dwarf_Die *out)
{
	Dwarf_Die d = *t;

	for (int i = 0; i < MAX_PEEL && dwarf_tag(&d) == DW_TAG_typedef; i++)
		if (gtype_ref(&d, DW_AT_type, &d) < 0)
			break;
	*out = d;
}

enum gkind
gtype_kind(const Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word k;
	Dwarf_Die d = *t;

	/* Go's DWARF marks unsafe.Pointer as a plain pointer to nothing. */
	if (strcmp(gtype_name(t), "unsafe.Pointer") == 0)
		return GK_UNSAFE_POINTER;
	/* A named type's typedef carries the kind of what it names. */
	for (int i = 0; i < MAX_PEEL; i++) {
		if (dwarf_attr(&d, DW_AT_go_kind, &a) && dwarf_formudata(&a, &k) == 0 &&
		    k <= GK_UNSAFE_POINTER)
			return (enum gkind)k;
		if (dwarf_tag(&d) != DW_TAG_typedef || gtype_ref(&d, DW_AT_type, &d) < 0)
			break;
	}
	/* DWARF without Go's attribute (C types of cgo): by tag and encoding. */
	switch (dwarf_tag(&d)) {
	case DW_TAG_pointer_type:
		return GK_PTR;
	case DW_TAG_structure_type:
		return GK_STRUCT;
	case DW_TAG_array_type:
		return GK_ARRAY;
	case DW_TAG_base_type: {
		Dwarf_Word enc = 0, size = gtype_size(&d);

		if (dwarf_attr(&d, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		if (enc == DW_ATE_boolean)
			return GK_BOOL;
		if (enc == DW_ATE_float)
			return size == 4 ? GK_FLOAT32 : GK_FLOAT64;
		if (enc == DW_ATE_signed || enc == DW_ATE_signed_char)
			return size == 1   ? GK_INT8
			       : size == 2 ? GK_INT16
			       : size == 4 ? GK_INT32
					   : GK_INT64;
		if (enc == DW_ATE_unsigned || enc == DW_ATE_unsigned_char)
			return size == 1   ? GK_UINT8
			       : size == 2 ? GK_UINT16
			       : size == 4 ? GK_UINT32
					   : GK_UINT64;
		return GK_INVALID;
	}
	default:
		return GK_INVALID;
	}
}

const char *
gtype_name(const Dwarf_Die *t)
{
	const char *n = dwarf_diename((Dwarf_Die *)t);

	return n ? n : "?";
}

uint64_t
gtype_size(const Dwarf_Die *t)
{
	Dwarf_Word n;
	Dwarf_Die d;

	gtype_peel(t, &d);
	if (dwarf_aggregate_size(&d, &n) == 0)
		return n;
	return dwarf_tag(&d) == DW_TAG_pointer_type ? 8 : 0;
}

int
gtype_ref_through(const Dwarf_Die *t, int attr, Dwarf_Die *out)
{
	Dwarf_Die d = *t;

	for (int i = 0; i < MAX_PEEL; i++) {
		if (gtype_ref(&d, attr, out) == 0)
			return 0;
		if (dwarf_tag(&d) != DW_TAG_typedef || gtype_ref(&d, DW_AT_type, &d) < 0)
			break;
	}
	return -1;
}

int
gtype_target(const Dwarf_Die *t, int tag, Dwarf_Die *out)
{
	Dwarf_Die d;

	gtype_peel(t, &d);
	if (dwarf_tag(&d) != tag || gtype_ref(&d, DW_AT_type, out) < 0)
		return -1;
	gtype_peel(out, out);
	return 0;
}

int
gtype_pointee(const Dwarf_Die *t, Dwarf_Die *out)
{
	Dwarf_Die d;

	gtype_peel(t, &d);
	if (dwarf_tag(&d) != DW_TAG_pointer_type || gtype_ref(&d, DW_AT_type, out) < 0)
		return -1;
	return 0;
}

int
gtype_int_field(const Dwarf_Die *st, const char *name, struct gfield *f)
{
	Dwarf_Die t;
	uint64_t n;

	if (gtype_field(st, name, &t, &f->off) < 0)
		return -1;
	n = gtype_size(&t);
	if ((n != 1 && n != 2 && n != 4 && n != 8) || f->off + n > gtype_size(st))
		return -1;
	f->len = (uint32_t)n;
	return 0;
}

uint64_t
gfield_get(const uint8_t *b, struct gfield f)
{
	uint64_t v = 0;

	for (uint32_t i = f.len; i-- > 0;)
		v = v << 8 | b[f.off + i];
	return v;
}

int
gtype_field(const Dwarf_Die *t, const char *name, Dwarf_Die *ftype, uint64_t *off)
{
	Dwarf_Die d, m;

	gtype_peel(t, &d);
	if (dwarf_tag(&d) != DW_TAG_structure_type || dwarf_child(&d, &m) != 0)
		return -1;
	do {
		Dwarf_Attribute a;
		Dwarf_Word loc;
		const char *n;

		if (dwarf_tag(&m) != DW_TAG_member || !(n = dwarf_diename(&m)) || strcmp(n, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &loc) != 0 || gtype_ref(&m, DW_AT_type, ftype) < 0)
			return -1;
		*off = loc;
		return 0;
	} while (dwarf_siblingof(&m, &m) == 0);
	return -1;
}

/* Runtime type descriptors of every DWARF type, sorted, built on first use. */
struct gtype_index {
	struct rtype {
		uint64_t addr;
		Dwarf_Off die;
	} * v;
	size_t n, cap;
};

static int
cmp_rtype(const void *a, const void *b)
{
	const struct rtype *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
index_unit(struct gtype_index *ix, Dwarf_Die *cu)
{
	Dwarf_Die d;

	if (dwarf_child(cu, &d) != 0)
		return 0;
	do {
		Dwarf_Attribute a;
		Dwarf_Word addr;

		/* DW_FORM_addr in the binaries seen, data in others */
		if (!dwarf_attr(&d, DW_AT_go_runtime_type, &a) ||
		    (dwarf_formaddr(&a, &addr) != 0 && dwarf_formudata(&a, &addr) != 0))
			continue;
		if (ix->n == ix->cap) {
			size_t cap = ix->cap ? ix->cap * 2 : 1024;
			struct rtype *v = realloc(ix->v, cap * sizeof(*v));

			if (!v)
				return -1;
			ix->v = v;
			ix->cap = cap;
		}
		ix->v[ix->n++] = (struct rtype){ addr, dwarf_dieoffset(&d) };
	} while (dwarf_siblingof(&d, &d) == 0);
	return 0;
}

static struct gtype_index *
build_index(Dwarf *dw)
{
	struct gtype_index *ix = calloc(1, sizeof(*ix));
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!ix)
		return NULL;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu) && index_unit(ix, &cu) < 0) {
			gtype_index_free(ix);
			return NULL;
		}
		off = next;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_rtype);
	return ix;
}

/* The index entry for key (link-time address or offset), or NULL. */
static const struct rtype *
find_rtype(const struct gtype_index *ix, uint64_t key)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->v[mid].addr < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && ix->v[lo].addr == key ? &ix->v[lo] : NULL;
}

int
gtype_of_rtype(struct gpr *p, uint64_t rtype, Dwarf_Die *out)
{
	struct gtype_index **ix = p->st ? &p->st->rtypes : &p->rtypes;
	const struct rtype *r;
	uint64_t types;

	if (!*ix && !(*ix = build_index(p->dw)))
		return -1;
	/* DW_AT_go_runtime_type is mostly an offset from the start of the types
	 * (runtime.types), for a few types a link-time address. */
	r = find_rtype(*ix, rtype - p->h->load_bias);
	if (!r && p->h->symbol(p->h->ctx, "runtime.types", &types, NULL, NULL) == 0 &&
	    rtype >= types)
		r = find_rtype(*ix, rtype - types);
	if (!r || !dwarf_offdie(p->dw, r->die, out))
		return -1;
	return 0;
}

void
gtype_index_free(struct gtype_index *ix)
{
	if (ix)
		free(ix->v);
	free(ix);
}

int
gtype_by_name(Dwarf *dw, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	/* Go puts every type at the top level of a unit. */
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				const char *n;
				int tag = dwarf_tag(&d);

				if (tag == DW_TAG_subprogram || tag == DW_TAG_variable)
					continue;
				if ((n = dwarf_diename(&d)) && strcmp(n, name) == 0) {
					*out = d;
					return 0;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return -1;
}
