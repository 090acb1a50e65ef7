/* The real types of a generic function's shape-typed variables, read from the
 * dictionary the function was called with. Part of plugins/go; it only reads, and
 * a type it cannot know is left as the shape, never guessed.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <dwarf.h>
#include <string.h>

/*
 * Go compiles a generic function once per GC shape (main.Wait[go.shape.*uint8]
 * serves every pointer type) and passes it a dictionary, the hidden first
 * argument ".dict": an array of words whose entries include a *runtime._type for
 * each type parameter and each type derived from them. A variable whose type
 * involves a type parameter has for its DWARF type a typedef ".paramN" with
 * DW_AT_go_dict_index N over the shape type (cmd/internal/dwarf putparamtypes,
 * Go 1.18 on); word N of the dictionary is the real type's descriptor
 * (cmd/compile/internal/noder reader.go varDictIndex: 1 + rtypesOffset + index,
 * stored minus one; Go 1.19 stencil.go: the position in shapeParams then
 * derivedTypes). DW_AT_go_runtime_type maps it back to a DWARF type.
 *
 * .dict is a formal parameter in the DWARF of unoptimized builds (typed
 * "uintptr (*)[N]" from Go 1.20, "uintptr" in 1.19). Optimized builds, as
 * shipped, leave it out even where the code keeps it in its spill slot: their
 * variables come from the SSA's location lists, which skip every name that
 * starts with '.' (cmd/compile/internal/ssa/debug.go, ir.IsSynthetic; Go 1.19
 * to 1.26). There the variable stays typed by its shape.
 */

#define DW_AT_go_dict_index 0x2906

/* A dictionary's entries at most: a corrupt index ends here. */
#define MAX_DICT 4096

bool
gshape_is(const Dwarf_Die *t)
{
	Dwarf_Die d;

	gtype_peel(t, &d);
	return strncmp(gtype_name(&d), "go.shape.", 9) == 0;
}

/* The dictionary's address, from the frame's .dict: 0, or -1 and why. */
static int
dict_addr(struct gpr *p, const struct insp_var *vars, size_t n, uint64_t idx, uint64_t *addr,
	  const char **why)
{
	for (size_t i = 0; i < n; i++) {
		Dwarf_Die t, arr;
		struct gval d;

		if (strcmp(vars[i].name, ".dict") != 0)
			continue;
		if (!vars[i].addr && !vars[i].bytes) {
			*why = "its dictionary (.dict) has no location at this pc";
			return -1;
		}
		if (!dwarf_offdie(p->dw, vars[i].type, &t)) {
			*why = "the type of its dictionary (.dict) is not in the DWARF";
			return -1;
		}
		d = (struct gval){ .type = t,
				   .addr = vars[i].addr,
				   .bytes = vars[i].bytes,
				   .size = vars[i].size };
		if (gval_uint(p, &d, 0, 8, addr) < 0 || !*addr) {
			*why = "its dictionary (.dict) could not be read";
			return -1;
		}
		/* uintptr (*)[N]: N bounds the index (Go 1.19's uintptr has none) */
		if (gtype_target(&t, DW_TAG_pointer_type, &arr) == 0 &&
		    dwarf_tag(&arr) == DW_TAG_array_type && idx * 8 >= gtype_size(&arr)) {
			*why = "its dictionary index is past the dictionary (.dict)";
			return -1;
		}
		return 0;
	}
	*why = "no dictionary (.dict) in this function's DWARF (an optimized build)";
	return -1;
}

const char *
gshape_resolve(struct gpr *p, const struct insp_var *vars, size_t n, Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word idx;
	Dwarf_Die shape, real;
	uint64_t dict, rtype;
	const char *why;

	if (dwarf_tag(t) != DW_TAG_typedef || !dwarf_attr(t, DW_AT_go_dict_index, &a) ||
	    dwarf_formudata(&a, &idx) != 0)
		/* a closure's captured variable, for one: the compiler types it
		 * by the shape alone, so no dictionary says what it stands for */
		return gshape_is(t) ? "its DWARF type is the shape itself, with no dictionary "
				      "index (DW_AT_go_dict_index) to find the real one by"
				    : NULL;
	/* on any failure below, the shape itself, not the ".paramN" typedef */
	if (gtype_ref(t, DW_AT_type, &shape) < 0)
		return "its shape type is not in the DWARF";
	*t = shape;
	if (idx >= MAX_DICT)
		return "its dictionary index is corrupt";
	if (dict_addr(p, vars, n, idx, &dict, &why) < 0)
		return why;
	if (p->h->read(p->h->ctx, dict + idx * 8, &rtype, 8, NULL) < 0)
		return "its dictionary entry could not be read";
	if (gtype_of_rtype(p, rtype, &real) < 0)
		return "the type in its dictionary has no DWARF type";
	if (gtype_size(&real) != gtype_size(&shape))
		return "the type in its dictionary is not of its shape's size";
	*t = real;
	return NULL;
}
