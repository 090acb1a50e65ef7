/* Package-level names of Go's DWARF, for print: package variables and constants
 * by their full name ("github.com/x/y/v2/server.gitCommit") or by their
 * package's own name ("server.gitCommit"), and the constants of a named integer
 * type, which name its values as Delve does ("InvalidLevel (6)"). Part of
 * plugins/go; reads the DWARF only, never the target.
 *
 * Go writes every package variable (DW_TAG_variable) and constant
 * (DW_TAG_constant) at the top level of its package's unit, named by the
 * package's import path; constants are integer ones only (cmd/compile
 * dumpGlobalConst: "only export integer constants for now"), and the unit
 * carries the package's own name as DW_AT_go_package_name (Go 1.19 on). The
 * names of variables escape the path as the linker's symbols do
 * (cmd/internal/objabi.PathToPrefix: '%', '"', controls and, in the last
 * element, '.' as %xx: ".../log-util%2ev3.Prefix"); those of constants do not.
 * The index holds names as Go source spells them.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DW_AT_go_package_name 0x2905

/* One package variable or constant. Names belong to the Dwarf, but an
 * unescaped one (owned: malloc'd, dwarf_name the DWARF's). */
struct gpkg_entry {
	const char *name;
	const char *dwarf_name;
	bool owned;
	const char *pkg; /* its unit's package name; NULL if the unit has none */
	Dwarf_Off die;
	Dwarf_Off type; /* constants: their type's DIE */
	int64_t value;  /* constants: their value */
	bool constant;
};

struct gpkg_index {
	struct gpkg_entry *v; /* by name */
	size_t n, cap;
	size_t *consts; /* indexes into v of the constants, by type then value */
	size_t nconsts;
};

/* name with every %xx as its byte, malloc'd; NULL when out of memory. */
static char *
unescape(const char *name)
{
	char *out = malloc(strlen(name) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *s = name; *s; s++) {
		unsigned x;

		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2]) &&
		    sscanf(s + 1, "%2x", &x) == 1 && x) {
			*o++ = (char)x;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

static int
add(struct gpkg_index *ix, Dwarf_Die *d, const char *pkg)
{
	int tag = dwarf_tag(d);
	struct gpkg_entry e = { .pkg = pkg, .constant = tag == DW_TAG_constant };
	Dwarf_Attribute a;
	Dwarf_Die t;

	if ((tag != DW_TAG_variable && tag != DW_TAG_constant) || !(e.name = dwarf_diename(d)))
		return 0;
	e.die = dwarf_dieoffset(d);
	if (e.constant) {
		Dwarf_Sword s;

		if (!dwarf_attr(d, DW_AT_const_value, &a) || dwarf_formsdata(&a, &s) != 0 ||
		    !dwarf_attr(d, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
			return 0; /* not a constant we can give a value and a type */
		e.value = s;
		e.type = dwarf_dieoffset(&t);
	}
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024;
		struct gpkg_entry *v = realloc(ix->v, cap * sizeof(*v));

		if (!v)
			return -1;
		ix->v = v;
		ix->cap = cap;
	}
	e.dwarf_name = e.name;
	if (strchr(e.name, '%')) {
		if (!(e.name = unescape(e.dwarf_name)))
			return -1;
		e.owned = true;
	}
	ix->v[ix->n++] = e;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct gpkg_entry *)a)->name, ((const struct gpkg_entry *)b)->name);
}

/* For qsort_r: a and b index the entries v. */
static int
by_type_value(const void *a, const void *b, void *v)
{
	const struct gpkg_entry *x = (const struct gpkg_entry *)v + *(const size_t *)a,
				*y = (const struct gpkg_entry *)v + *(const size_t *)b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static struct gpkg_index *
build(Dwarf *dw)
{
	struct gpkg_index *ix = calloc(1, sizeof(*ix));
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!ix)
		return NULL;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		Dwarf_Attribute a;
		const char *pkg = NULL;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			if (dwarf_attr(&cu, DW_AT_go_package_name, &a))
				pkg = dwarf_formstring(&a);
			do
				if (add(ix, &d, pkg) < 0)
					goto oom;
			while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), by_name);
	for (size_t i = 0; i < ix->n; i++)
		ix->nconsts += ix->v[i].constant;
	if (ix->nconsts && !(ix->consts = malloc(ix->nconsts * sizeof(*ix->consts))))
		goto oom;
	for (size_t i = 0, k = 0; i < ix->n; i++)
		if (ix->v[i].constant)
			ix->consts[k++] = i;
	if (ix->nconsts)
		qsort_r(ix->consts, ix->nconsts, sizeof(*ix->consts), by_type_value, ix->v);
	return ix;
oom:
	gpkg_index_free(ix);
	return NULL;
}

void
gpkg_index_free(struct gpkg_index *ix)
{
	for (size_t i = 0; ix && i < ix->n; i++)
		if (ix->v[i].owned)
			free((char *)ix->v[i].name);
	if (ix) {
		free(ix->v);
		free(ix->consts);
	}
	free(ix);
}

/* The index, built on first use and kept in the plugin's state (every print of
 * the snapshot), else in the printer. */
static const struct gpkg_index *
index_of(struct gpr *p)
{
	struct gpkg_index **ix = p->st ? &p->st->pkgnames : &p->pkgnames;

	if (!*ix)
		*ix = build(p->dw);
	return *ix;
}

static void
to_name(const struct gpkg_entry *e, struct gpkg_name *out)
{
	*out = (struct gpkg_name){ e->name, e->dwarf_name, e->die, e->type, e->value, e->constant };
}

int
gpkg_exact(struct gpr *p, const char *name, struct gpkg_name *out)
{
	const struct gpkg_index *ix = index_of(p);
	struct gpkg_entry key = { .name = name };
	const struct gpkg_entry *e;

	if (!ix)
		return -1;
	if (!(e = bsearch(&key, ix->v, ix->n, sizeof(*ix->v), by_name)))
		return 0;
	to_name(e, out);
	return 1;
}

/* The package name of e, whose path is its first pathlen bytes: the unit's
 * DW_AT_go_package_name, else (a unit without it) the path's last element,
 * copied into buf. */
static const char *
package_name(const struct gpkg_entry *e, size_t pathlen, char *buf, size_t size)
{
	const char *slash = memrchr(e->name, '/', pathlen), *last = slash ? slash + 1 : e->name;
	size_t n = (size_t)(e->name + pathlen - last);

	if (e->pkg)
		return e->pkg;
	if (n >= size)
		return "";
	memcpy(buf, last, n);
	buf[n] = 0;
	return buf;
}

int
gpkg_short(struct gpr *p, const char *pkg, const char *member, struct gpkg_name *out,
	   struct gpkg_name *other)
{
	const struct gpkg_index *ix = index_of(p);
	size_t ml = strlen(member);
	char buf[256];
	int n = 0;

	if (!ix)
		return -1;
	for (size_t i = 0; i < ix->n; i++) {
		const struct gpkg_entry *e = &ix->v[i];
		size_t l = strlen(e->name);

		/* PATH.member, where the unit's package is pkg (any if NULL) */
		if (l <= ml + 1 || e->name[l - ml - 1] != '.' || strcmp(e->name + l - ml, member) ||
		    (pkg && strcmp(package_name(e, l - ml - 1, buf, sizeof(buf)), pkg) != 0))
			continue;
		if (n < 2)
			to_name(e, n == 0 ? out : other);
		n++;
	}
	return n;
}

bool
gpkg_of_func(const char *func, char *buf, size_t size)
{
	/* The runtime's funcpkgpath: up to the first dot after the last slash,
	 * where the slashes of type arguments ("[...]") do not count. */
	const char *bracket = strchr(func, '['), *end = bracket ? bracket : func + strlen(func);
	const char *slash = memrchr(func, '/', (size_t)(end - func));
	const char *dot = memchr(slash ? slash : func, '.', (size_t)(end - (slash ? slash : func)));
	char *path;

	if (!dot || dot == func || (size_t)(dot - func) >= size)
		return false;
	memcpy(buf, func, (size_t)(dot - func));
	buf[dot - func] = 0;
	/* the linker's names escape the last element's dots as the DWARF's
	 * variables do: the index holds them unescaped */
	if (!(path = unescape(buf)))
		return false;
	memcpy(buf, path, strlen(path) + 1);
	free(path);
	return true;
}

/* A constant's name without the package of type name tn (its first pkglen
 * bytes, dot included), as Delve trims it. */
static const char *
short_name(const struct gpkg_entry *e, const char *tn, size_t pkglen)
{
	return strncmp(e->name, tn, pkglen) == 0 ? e->name + pkglen : e->name;
}

bool
gpkg_describe(struct gpr *p, const Dwarf_Die *t, int64_t n)
{
	const struct gpkg_index *ix;
	const char *tn = gtype_name(t), *dot;
	Dwarf_Die td = *t;
	Dwarf_Off type = dwarf_dieoffset(&td);
	size_t lo = 0, hi, first, pkglen;
	bool any = false;

	/* Only named types of a package, as Delve: else every int 1 would be
	 * io.SeekCurrent. */
	if (!strchr(tn, '.') || strncmp(tn, "C.", 2) == 0 || !(ix = index_of(p)))
		return false;
	hi = ix->nconsts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->v[ix->consts[mid]].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	/* the type's package: its name up to the first dot after the last slash */
	dot = strchr(strrchr(tn, '/') ? strrchr(tn, '/') : tn, '.');
	pkglen = (size_t)(dot - tn) + 1;
	for (size_t i = first; i < ix->nconsts && ix->v[ix->consts[i]].type == type; i++) {
		const struct gpkg_entry *e = &ix->v[ix->consts[i]];

		if (e->value == n) {
			gp_puts(p, short_name(e, tn, pkglen));
			return true;
		}
	}
	if (n == 0)
		return false;
	/* Delve's flags: n as the constants of one bit each, smallest first, when
	 * they cover it all ("FlagA|FlagC"); pass 0 checks, pass 1 prints. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t rest = (uint64_t)n;

		for (size_t i = first; i < ix->nconsts && ix->v[ix->consts[i]].type == type; i++) {
			const struct gpkg_entry *e = &ix->v[ix->consts[i]];
			uint64_t b = (uint64_t)e->value;

			if (!b || (b & (b - 1)) || !(rest & b))
				continue;
			rest &= ~b;
			if (pass == 1) {
				gp_printf(p, "%s%s", any ? "|" : "", short_name(e, tn, pkglen));
				any = true;
			}
		}
		if (rest)
			return false;
	}
	return any;
}
