/* Go values for print: a value is a DWARF type and where its bytes are; printing
 * follows Go's own representation of each kind (strings, slices, maps, channels,
 * interfaces), read from the stopped target through the host. Part of plugins/go.
 * SPDX-License-Identifier: MIT */
#ifndef GORT_VALUE_H
#define GORT_VALUE_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>

#include "gort.h"

/* Go's reflect.Kind, which the compiler writes as DW_AT_go_kind. */
enum gkind {
	GK_INVALID,
	GK_BOOL,
	GK_INT,
	GK_INT8,
	GK_INT16,
	GK_INT32,
	GK_INT64,
	GK_UINT,
	GK_UINT8,
	GK_UINT16,
	GK_UINT32,
	GK_UINT64,
	GK_UINTPTR,
	GK_FLOAT32,
	GK_FLOAT64,
	GK_COMPLEX64,
	GK_COMPLEX128,
	GK_ARRAY,
	GK_CHAN,
	GK_FUNC,
	GK_INTERFACE,
	GK_MAP,
	GK_PTR,
	GK_SLICE,
	GK_STRING,
	GK_STRUCT,
	GK_UNSAFE_POINTER,
};

/* Go's DWARF extensions (cmd/internal/dwarf). */
#define DW_AT_go_kind           0x2900
#define DW_AT_go_key            0x2901
#define DW_AT_go_elem           0x2902
#define DW_AT_go_embedded_field 0x2903
#define DW_AT_go_runtime_type   0x2904

/* A value: its type as declared (a typedef names it) and where its bytes are. */
struct gval {
	Dwarf_Die type;
	uint64_t addr;        /* in the target; 0: not in memory (then bytes) */
	const uint8_t *bytes; /* its bytes when not read from addr, size of them */
	uint64_t size;
};

/* The text being printed, and what printing needs. */
struct gpr {
	const struct insp_host *h;
	struct gort_state *st; /* NULL in unit tests */
	const struct insp_print_opts *o;
	Dwarf *dw;
	char *buf; /* malloc'd; NULL after a failed allocation */
	size_t len, cap;
	bool oom;
	/* Runtime type address -> DWARF type, built on first use (gtype_of_rtype)
	 * and kept in st, for every print of the snapshot; here without st. */
	struct gtype_index *rtypes;
	/* Bytes of values an expression made (a slice of a slice, a length): freed
	 * with the printer. */
	uint8_t *scratch[16];
	size_t nscratch;
	/* Package variables and constants (gpkg.c), as rtypes. */
	struct gpkg_index *pkgnames;
	/* Why a variable read lately kept its shape type (gshape_resolve), for the
	 * note on a shape pointer it does not follow; NULL if none. */
	const char *shape_why;
	/* For print: a frame is selected (its variables are the expression's),
	 * and the import path of its function's package ("" if unknown), where a
	 * name not of the frame is looked up first, as in the frame's code. */
	bool frame;
	char frame_pkg[256];
};

/* value.c: output */
void gp_puts(struct gpr *p, const char *s);
void gp_printf(struct gpr *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* value.c: reading. Bytes [off, off+len) of v into buf; -1 if unreadable. */
int gval_read(struct gpr *p, const struct gval *v, uint64_t off, void *buf, size_t len);
/* A little-endian word (len 1, 2, 4 or 8 bytes) at off of v. */
int gval_uint(struct gpr *p, const struct gval *v, uint64_t off, size_t len, uint64_t *out);
/* The value of type t at addr. */
struct gval gval_at(const Dwarf_Die *t, uint64_t addr);

/* value.c: printing. depth counts the composite values around v (0: the value
 * print was asked for). The type's name goes first when type is true (top level,
 * struct fields), as Delve does; elements of arrays, slices and maps leave it out. */
void gval_print(struct gpr *p, const struct gval *v, uint32_t depth, bool type);
/* "<unreadable: WHY>" for a part of a value that could not be read. */
void gval_unreadable(struct gpr *p, const char *why);

/* gtype.c: the types of Go's DWARF. */
enum gkind gtype_kind(const Dwarf_Die *t);
/* Its name ("main.Order", "[]string", "map[string]int"); "?" if none. */
const char *gtype_name(const Dwarf_Die *t);
uint64_t gtype_size(const Dwarf_Die *t);
/* The DIE an attribute of t refers to (DW_AT_type, DW_AT_go_elem, ...): 0, or -1. */
int gtype_ref(const Dwarf_Die *t, int attr, Dwarf_Die *out);
/* The DIE attr refers to, on t or on a typedef t goes through: 0, or -1. */
int gtype_ref_through(const Dwarf_Die *t, int attr, Dwarf_Die *out);
/* What t (typedefs peeled) refers to when its tag is tag (a pointer's pointee, an
 * array's element), typedefs peeled: 0, or -1. */
int gtype_target(const Dwarf_Die *t, int tag, Dwarf_Die *out);
/* An integer field (1, 2, 4 or 8 bytes) of a runtime struct, read from a copy of it. */
struct gfield {
	uint64_t off;
	uint32_t len;
};
/* Field name of struct st as an integer field inside st's size: 0, or -1. */
int gtype_int_field(const Dwarf_Die *st, const char *name, struct gfield *f);
/* Its little-endian value in b, a copy of the struct. */
uint64_t gfield_get(const uint8_t *b, struct gfield f);
/* t without typedefs. */
void gtype_peel(const Dwarf_Die *t, Dwarf_Die *out);
/* Field name of struct t (typedefs peeled): its type and offset. 0, or -1. */
int gtype_field(const Dwarf_Die *t, const char *name, Dwarf_Die *ftype, uint64_t *off);
/* The DWARF type of a runtime type descriptor (a *runtime._type in the target),
 * by DW_AT_go_runtime_type; 0, or -1 if no type has it. */
int gtype_of_rtype(struct gpr *p, uint64_t rtype, Dwarf_Die *out);
void gtype_index_free(struct gtype_index *ix);
/* A type by its Go name ("*main.Point", "int"): 0, or -1. */
int gtype_by_name(Dwarf *dw, const char *name, Dwarf_Die *out);
/* What pointer type t points to (t's typedefs peeled, the pointee's kept: a named
 * pointer type points to a named type): 0, or -1 if t is no pointer. */
int gtype_pointee(const Dwarf_Die *t, Dwarf_Die *out);

/* gshape.c: generic functions. t (typedefs peeled) is a shape type
 * ("go.shape.*uint8"), one type standing for every type of its GC shape. */
bool gshape_is(const Dwarf_Die *t);
/* The real type of a variable of the frame whose variables are vars (n of them),
 * when t, its DWARF type, is a generic function's ".paramN" typedef: read from the
 * dictionary the frame's .dict points to. NULL with *t the real type, or t
 * untouched when no typedef of a shape; else why not, with *t the shape type. */
const char *gshape_resolve(struct gpr *p, const struct insp_var *vars, size_t n, Dwarf_Die *t);

/* expr.c: a Go expression in the frame's variables (vars, n of them) and the
 * package variables: x, x.f, *p, p.f, a[i], s[i:j], m["k"], len(x), cap(x),
 * (*T)(0xADDR), &x. 0 and *out; -1 with err (INSP_E_USAGE) pointing at the
 * error. Values made here (slices of slices, len) live in p's scratch. */
int gexpr_eval(struct gpr *p, const struct insp_var *vars, size_t n, const char *expr,
	       struct gval *out, struct insp_err *err);
/* Variable v of the frame whose variables are vars (n of them: its generic
 * dictionary, gshape_resolve) as a value; NULL and why when it has none. */
const char *gexpr_var_value(struct gpr *p, const struct insp_var *vars, size_t n,
			    const struct insp_var *v, struct gval *out);

/* gpkg.c: package variables and constants of Go's DWARF (Go writes integer
 * constants only). A name's entry: names live as long as the index (the
 * printer's or the plugin state's), offsets are the Dwarf's. */
struct gpkg_name {
	const char *full;       /* "github.com/x/y/v2/server.gitCommit", as Go spells it */
	const char *dwarf_name; /* as the DWARF does: ".../log-util%2ev3.Prefix" */
	Dwarf_Off die;
	Dwarf_Off type; /* a constant's type */
	int64_t value;  /* a constant's value */
	bool constant;
};
/* The variable or constant of that full name: 1 and *out, 0 if none, -1 if the
 * index could not be built (out of memory). */
int gpkg_exact(struct gpr *p, const char *name, struct gpkg_name *out);
/* Those named member in a package whose own name is pkg ("server" for
 * .../v2/server and .../legacy/server; NULL: any package): how many (more than
 * 1: ambiguous), the first in *out, the second in *other; -1 as gpkg_exact. */
int gpkg_short(struct gpr *p, const char *pkg, const char *member, struct gpkg_name *out,
	       struct gpkg_name *other);
/* The import path of the package of func, a function's symbol name
 * ("main.main", "github.com/x/y.v3/pkg.(*T).M", "pkg.F[go.shape.int].func1",
 * ".../log-util%2ev3.Line"), as Go spells it, into buf: true; false if it has
 * none or it does not fit. */
bool gpkg_of_func(const char *func, char *buf, size_t size);
/* For the value n of type t: when t is a named type of a package with
 * constants, the names Delve gives n (the constant equal to it, else single-bit
 * constants or'ed: "FlagA|FlagC") printed, and true; else nothing, false. */
bool gpkg_describe(struct gpr *p, const Dwarf_Die *t, int64_t n);
void gpkg_index_free(struct gpkg_index *ix);

/* gomap.c: maps, both the bucket layout (up to Go 1.23) and Swiss tables (Go 1.24
 * on). v is a map value (one pointer word). */
void gomap_print(struct gpr *p, const struct gval *v, uint32_t depth);
/* m[key]: 1 and *out when present, 0 when absent, -1 when unreadable. key is a
 * literal of the expression (expr.c): held in bytes, and a string key's data
 * pointer there points into inspect's own memory, not the target's. */
int gomap_index(struct gpr *p, const struct gval *m, const struct gval *key, struct gval *out);
/* The number of entries: 0, or -1 if unreadable. */
int gomap_len(struct gpr *p, const struct gval *m, uint64_t *len);

/* gochan.c: channels: element type, len/cap, closed, the buffered elements, and
 * the goroutines waiting to receive and to send. */
void gochan_print(struct gpr *p, const struct gval *v, uint32_t depth);
/* len and cap of a channel as Go code sees them (runtime/chan.go chanlen,
 * chancap: 0 for a synchronous timer channel): 0, or -1 if unreadable. */
int gochan_len_cap(struct gpr *p, const struct gval *v, uint64_t *len, uint64_t *cap);

#endif
