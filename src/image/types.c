/* The image layer's DWARF types: sizes and field offsets of named structs, so that
 * no layout of a runtime structure is ever hard-coded where DWARF exists.
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <dwarf.h>
#include <string.h>

static bool
is_type_tag(int tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_typedef || tag == DW_TAG_base_type ||
	       tag == DW_TAG_union_type;
}

/* Scan the top level of every unit for a type named name. Go puts each package's
 * types at the top level of its unit. */
static int
scan_type(struct img *img, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(img->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(img->dwarf, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *n;

				if (!is_type_tag(dwarf_tag(&die)))
					continue;
				n = dwarf_diename(&die);
				if (n && strcmp(n, name) == 0) {
					*out = die;
					return 0;
				}
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return -1;
}

static int
find_type(struct img *img, const char *name, Dwarf_Die *out, struct insp_err *err)
{
	if (!img->dwarf)
		return insp_err_set(
			err, INSP_E_LAYOUT,
			"'%s' has no DWARF (built with -ldflags=-w or -s?), so the layout "
			"of %s is unknown",
			img->name, name);
	for (size_t i = 0; i < img->ntypes; i++) {
		if (strcmp(img->types[i].name, name) == 0) {
			*out = img->types[i].die;
			return 0;
		}
	}
	if (scan_type(img, name, out) < 0)
		return insp_err_set(err, INSP_E_LAYOUT, "the DWARF of '%s' has no type %s",
				    img->name, name);
	/* Callers pass string literals; the cache keeps the pointer. */
	if (img->ntypes < IMG_TYPE_CACHE) {
		img->types[img->ntypes].name = name;
		img->types[img->ntypes].die = *out;
		img->ntypes++;
	}
	return 0;
}

int
img_type_size(struct img *img, const char *type, uint64_t *size, struct insp_err *err)
{
	Dwarf_Die die;
	Dwarf_Word n;

	if (find_type(img, type, &die, err) < 0)
		return -1;
	if (dwarf_aggregate_size(&die, &n) < 0)
		return insp_err_set(err, INSP_E_LAYOUT, "no size for type %s in '%s': %s", type,
				    img->name, dwarf_errmsg(-1));
	*size = n;
	return 0;
}

/* The member of struct die called name (length len). */
static int
find_member(Dwarf_Die *die, const char *name, size_t len, Dwarf_Die *member)
{
	if (dwarf_child(die, member) != 0)
		return -1;
	do {
		const char *n;

		if (dwarf_tag(member) != DW_TAG_member)
			continue;
		n = dwarf_diename(member);
		if (n && strlen(n) == len && memcmp(n, name, len) == 0)
			return 0;
	} while (dwarf_siblingof(member, member) == 0);
	return -1;
}

int
img_field(struct img *img, const char *type, const char *path, struct insp_field *out,
	  struct insp_err *err)
{
	Dwarf_Die die, member, mtype;
	uint64_t offset = 0;
	Dwarf_Word size;
	const char *p = path;

	if (find_type(img, type, &die, err) < 0)
		return -1;
	for (;;) {
		size_t len = strcspn(p, ".");
		Dwarf_Attribute attr;
		Dwarf_Word loc;

		if (dwarf_peel_type(&die, &die) != 0 || find_member(&die, p, len, &member) < 0)
			return insp_err_set(err, INSP_E_LAYOUT, "type %s in '%s' has no field %s",
					    type, img->name, path);
		if (!dwarf_attr(&member, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &loc) != 0 || !dwarf_attr(&member, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, &mtype))
			return insp_err_set(err, INSP_E_LAYOUT,
					    "field %s of %s in '%s' has no usable location", path,
					    type, img->name);
		offset += loc;
		die = mtype;
		p += len;
		if (*p != '.')
			break;
		p++;
	}
	if (dwarf_aggregate_size(&die, &size) < 0)
		return insp_err_set(err, INSP_E_LAYOUT, "field %s of %s in '%s' has no size", path,
				    type, img->name);
	out->offset = offset;
	out->size = size;
	return 0;
}
