/* The image layer's variables: which DWARF variables are in scope at a pc, and
 * where each one is, as pieces the model reads. Never reads the process.
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STACK  64  /* DWARF expression stack entries */
#define MAX_NEST   64  /* lexical blocks and inlined calls nested in one function */
#define MAX_RANGES 256 /* ranges of one function: Go's have one or a few */

static int
no_dwarf(struct img *img, struct insp_err *err)
{
	return insp_err_set(err, INSP_E_LAYOUT,
			    "'%s' has no DWARF (built with -ldflags=-w or -s?): variables need it",
			    img->name);
}

/* Call fn on each top-level DIE of every unit until it returns nonzero, and return
 * that. Go puts every function and package variable there. */
static int
walk_top(struct img *img, int (*fn)(Dwarf_Die *, void *), void *arg)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int r = 0;

	while (r == 0 && dwarf_nextcu(img->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(img->dwarf, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do
				r = fn(&die, arg);
			while (r == 0 && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return r;
}

/* p with room for element n of size bytes (*cap of them); NULL: out of memory, p
 * is kept. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return p;
	if (!(p = realloc(p, ncap * size)))
		return NULL;
	*cap = ncap;
	return p;
}

/* --- the function index --- */

struct index_build {
	struct img *img;
	size_t cap;
};

/* Add a subprogram's ranges (low/high pc or DW_AT_ranges, DWARF 4 or 5: dwarf_ranges
 * reads them all); -1: out of memory. */
static int
index_func(Dwarf_Die *die, void *arg)
{
	struct index_build *b = arg;
	struct img *img = b->img;
	Dwarf_Addr base, lo, hi;
	struct img_func *f;
	ptrdiff_t r = 0;

	if (dwarf_tag(die) != DW_TAG_subprogram)
		return 0;
	for (int k = 0; k < MAX_RANGES && (r = dwarf_ranges(die, r, &base, &lo, &hi)) > 0; k++) {
		if (lo >= hi)
			continue;
		if (!(f = grow(img->funcs, &b->cap, img->nfuncs, sizeof(*f))))
			return -1;
		img->funcs = f;
		img->funcs[img->nfuncs++] = (struct img_func){ lo, hi, dwarf_dieoffset(die) };
	}
	return 0;
}

static int
func_cmp(const void *a, const void *b)
{
	const struct img_func *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int
build_index(struct img *img, struct insp_err *err)
{
	struct index_build b = { img, 0 };

	if (walk_top(img, index_func, &b) < 0) {
		/* Not done: the next call tries again. */
		free(img->funcs);
		img->funcs = NULL;
		img->nfuncs = 0;
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	if (img->nfuncs)
		qsort(img->funcs, img->nfuncs, sizeof(*img->funcs), func_cmp);
	img->funcs_done = true;
	return 0;
}

/* The subprogram DIE whose ranges hold link-time pc. */
static bool
find_func(struct img *img, uint64_t pc, Dwarf_Die *out)
{
	size_t lo = 0, hi = img->nfuncs;

	/* lo ends as the number of ranges starting at or before pc. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->funcs[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && pc < img->funcs[lo - 1].hi &&
	       dwarf_offdie(img->dwarf, img->funcs[lo - 1].die, out);
}

/* --- locations --- */

/* What an expression may use: pc is link-time; cfa and fb are NULL where unknown
 * (a package variable has no frame; the frame base is evaluated without itself);
 * ret: a caller's return address, link-time (0: none), see locate. */
struct loc_ctx {
	struct img *img;
	uint64_t pc;
	const uint64_t *cfa, *fb;
	uint64_t ret;
};

/* What the piece being evaluated is so far. ST_DEREF: the word at the address
 * on top, which only the piece's end may follow (we do not read memory). */
enum loc_state { ST_STACK, ST_REG, ST_VALUE, ST_LOST, ST_DEREF };

/* The whole value in one piece: LOST, or VALUE val. */
static void
set_whole(struct img_var *v, enum img_piece_kind kind, uint64_t val)
{
	v->npieces = 1;
	v->pieces[0] = (struct img_piece){ .kind = kind, .value = val };
}

/* The bytes of a block as the little-endian target holds them; -1 past 8. */
static int
block_value(const Dwarf_Block *b, uint64_t *val)
{
	if (b->length > 8)
		return -1;
	*val = 0;
	for (size_t i = 0; i < b->length; i++)
		*val |= (uint64_t)b->data[i] << (8 * i);
	return 0;
}

/* The value an op pushes, or -1 for an op we do not evaluate (never guess). */
static int
push_value(const struct loc_ctx *x, Dwarf_Attribute *attr, Dwarf_Op *op, uint64_t *val)
{
	Dwarf_Attribute res;
	Dwarf_Addr a;
	Dwarf_Word w;

	if (op->atom >= DW_OP_lit0 && op->atom <= DW_OP_lit31)
		return *val = op->atom - DW_OP_lit0, 0;
	/* DW_OP_const1u to DW_OP_consts: libdw has sign-extended the signed ones. */
	if (op->atom >= DW_OP_const1u && op->atom <= DW_OP_consts)
		return *val = op->number, 0;
	switch (op->atom) {
	case DW_OP_addr:
		return *val = op->number + x->img->bias, 0;
	case DW_OP_call_frame_cfa:
		return x->cfa ? (*val = *x->cfa, 0) : -1;
	case DW_OP_fbreg:
		/* Unsigned wrap-around adds the signed offset. */
		return x->fb ? (*val = *x->fb + op->number, 0) : -1;
	case DW_OP_addrx:
		if (dwarf_getlocation_attr(attr, op, &res) != 0 || dwarf_formaddr(&res, &a) != 0)
			return -1;
		return *val = a + x->img->bias, 0;
	case DW_OP_constx:
		if (dwarf_getlocation_attr(attr, op, &res) != 0 || dwarf_formudata(&res, &w) != 0)
			return -1;
		return *val = w, 0;
	}
	return -1;
}

/* One op of a piece that is still a stack computation. */
static enum loc_state
step(const struct loc_ctx *x, Dwarf_Attribute *attr, Dwarf_Op *op, uint64_t *st, size_t *sp,
     struct img_piece *cur)
{
	Dwarf_Block b;
	uint64_t val;

	/* A register or an implicit value is the whole piece: nothing comes before. */
	if (op->atom >= DW_OP_reg0 && op->atom <= DW_OP_reg31) {
		cur->reg = op->atom - DW_OP_reg0;
		return *sp ? ST_LOST : ST_REG;
	}
	switch (op->atom) {
	case DW_OP_regx:
		cur->reg = (unsigned)op->number;
		return *sp ? ST_LOST : ST_REG;
	case DW_OP_implicit_value:
		if (*sp || dwarf_getlocation_implicit_value(attr, op, &b) != 0 ||
		    block_value(&b, &cur->value) < 0)
			return ST_LOST;
		return ST_VALUE;
	case DW_OP_stack_value:
		if (!*sp)
			return ST_LOST;
		cur->value = st[*sp - 1];
		return ST_VALUE;
	case DW_OP_nop:
		return ST_STACK;
	case DW_OP_deref:
		return *sp ? ST_DEREF : ST_LOST;
	case DW_OP_plus_uconst:
		if (!*sp)
			return ST_LOST;
		st[*sp - 1] += op->number;
		return ST_STACK;
	case DW_OP_plus:
	case DW_OP_minus:
		if (*sp < 2)
			return ST_LOST;
		(*sp)--;
		st[*sp - 1] =
			op->atom == DW_OP_plus ? st[*sp - 1] + st[*sp] : st[*sp - 1] - st[*sp];
		return ST_STACK;
	}
	/* Whatever else does not push a known value (DW_OP_breg* needs a
	 * register) leaves the piece without a location. */
	if (*sp == MAX_STACK || push_value(x, attr, op, &val) < 0)
		return ST_LOST;
	st[(*sp)++] = val;
	return ST_STACK;
}

/* End the current piece (size 0: the whole value); -1 when there are too many. */
static int
close_piece(struct img_var *v, struct img_piece *cur, enum loc_state s, const uint64_t *st,
	    size_t sp, uint64_t size)
{
	static const enum img_piece_kind kinds[] = {
		[ST_REG] = IMG_PIECE_REG, [ST_VALUE] = IMG_PIECE_VALUE, [ST_LOST] = IMG_PIECE_LOST
	};
	struct img_piece *p;

	if (v->npieces == IMG_MAX_PIECES)
		return -1;
	p = &v->pieces[v->npieces++];
	*p = *cur;
	p->size = size;
	if (s == ST_DEREF)
		p->kind = IMG_PIECE_MEM_DEREF, p->addr = st[sp - 1];
	else if (s != ST_STACK)
		p->kind = kinds[s];
	else if (sp) /* a memory location: the address on top */
		p->kind = IMG_PIECE_MEM, p->addr = st[sp - 1];
	else /* an empty piece: DWARF says nothing of these bytes */
		p->kind = IMG_PIECE_LOST;
	*cur = (struct img_piece){ 0 };
	return 0;
}

/* Evaluate a location expression into v's pieces. */
static void
eval(const struct loc_ctx *x, Dwarf_Attribute *attr, Dwarf_Op *ops, size_t len, struct img_var *v)
{
	uint64_t st[MAX_STACK];
	size_t sp = 0;
	enum loc_state s = ST_STACK;
	struct img_piece cur = { 0 };
	bool pieced = false;

	v->npieces = 0;
	for (size_t i = 0; i < len; i++) {
		if (ops[i].atom == DW_OP_piece) {
			if (close_piece(v, &cur, s, st, sp, ops[i].number) < 0) {
				v->npieces = 0; /* more than we hold: all lost */
				return;
			}
			pieced = true;
			sp = 0;
			s = ST_STACK;
		} else if (s == ST_STACK) {
			s = step(x, attr, &ops[i], st, &sp, &cur);
		} else {
			s = ST_LOST; /* only DW_OP_piece may follow a register or a value */
		}
	}
	if (!pieced)
		close_piece(v, &cur, s, st, sp, 0);
	else if (sp || s != ST_STACK)
		set_whole(v, IMG_PIECE_LOST, 0); /* ops after the last piece: malformed */
}

/* The expression of attr for link-time pc: 1, or 0 for none, -1 on error. Go writes
 * DW_FORM_block1 where DWARF 4 and 5 want DW_FORM_exprloc (frame bases, empty
 * locations), which libdw refuses; the bytes are the same when the length fits in
 * one uleb128 byte (DW_FORM_block: always), so read those as exprloc. */
static int
get_expr(Dwarf_Attribute *attr, uint64_t pc, Dwarf_Op **ops, size_t *len)
{
	if (attr->form == DW_FORM_block || (attr->form == DW_FORM_block1 && *attr->valp < 0x80))
		attr->form = DW_FORM_exprloc;
	*len = 0;
	return dwarf_getlocation_addr(attr, pc, ops, len, 1);
}

/* Whether v has a piece of kind. */
static bool
has_piece(const struct img_var *v, enum img_piece_kind kind)
{
	for (size_t i = 0; i < v->npieces; i++)
		if (v->pieces[i].kind == kind)
			return true;
	return false;
}

/* Where the variable whose DW_AT_location is attr is at x->pc. */
static void
locate_at(const struct loc_ctx *x, Dwarf_Attribute *attr, struct img_var *v)
{
	Dwarf_Op *ops;
	size_t len;
	int r = get_expr(attr, x->pc, &ops, &len);

	v->npieces = 0;
	if (r < 0)
		set_whole(v, IMG_PIECE_LOST, 0); /* an op libdw does not know, or bad DWARF */
	else if (r > 0 && len > 0)
		eval(x, attr, ops, len, v);
}

/* Where die (a variable or a parameter) is at x->pc. A caller's registers are
 * not known (the callee has them; Go has no callee-saved ones at all), so where
 * the location at the call (x->pc, the return address less one) holds one, the
 * location at the return address is taken if it is wholly in memory: nothing of
 * the caller runs between the two, so that memory already held the value while
 * the call ran (the compiler names the register while it still holds the value
 * and the stack slot it saved it to once the call has clobbered it). A location
 * that starts at the return address only (none at the call) is left out: it may
 * be what the call is yet to produce. */
static void
locate(const struct loc_ctx *x, Dwarf_Die *die, struct img_var *v)
{
	struct loc_ctx at_ret = *x;
	struct img_var r;
	Dwarf_Attribute a;
	Dwarf_Block b;
	uint64_t val;

	v->npieces = 0;
	/* The location is the concrete DIE's own: an abstract origin has none. */
	if (!dwarf_attr(die, DW_AT_location, &a)) {
		/* A constant (C writes them, Go does not), as a value if it fits. */
		if (!dwarf_attr_integrate(die, DW_AT_const_value, &a))
			return;
		if (dwarf_formudata(&a, &val) == 0 ||
		    (dwarf_formblock(&a, &b) == 0 && block_value(&b, &val) == 0))
			set_whole(v, IMG_PIECE_VALUE, val);
		else
			set_whole(v, IMG_PIECE_LOST, 0);
		return;
	}
	locate_at(x, &a, v);
	if (!x->ret || !has_piece(v, IMG_PIECE_REG))
		return;
	at_ret.pc = x->ret;
	locate_at(&at_ret, &a, &r);
	if (r.npieces && !has_piece(&r, IMG_PIECE_REG) && !has_piece(&r, IMG_PIECE_LOST)) {
		memcpy(v->pieces, r.pieces, sizeof(r.pieces));
		v->npieces = r.npieces;
	}
}

/* The function's frame base at pc (Go: DW_OP_call_frame_cfa); false if unknown. */
static bool
frame_base(const struct loc_ctx *x, Dwarf_Die *func, uint64_t *fb)
{
	struct loc_ctx fx = { x->img, x->pc, x->cfa, NULL, 0 };
	struct img_var v;
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t len;

	if (!dwarf_attr(func, DW_AT_frame_base, &a) || get_expr(&a, x->pc, &ops, &len) != 1 ||
	    len == 0)
		return false;
	eval(&fx, &a, ops, len, &v);
	if (v.npieces != 1 || v.pieces[0].kind != IMG_PIECE_MEM)
		return false;
	*fb = v.pieces[0].addr;
	return true;
}

/* --- scopes --- */

/* The inlined call directly within scope (maybe inside its lexical blocks) whose
 * ranges hold pc. */
static bool
inner_call(Dwarf_Die *scope, uint64_t pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die c;

	if (depth >= MAX_NEST || dwarf_child(scope, &c) != 0)
		return false;
	do {
		int tag = dwarf_tag(&c);

		if ((tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block) ||
		    dwarf_haspc(&c, pc) != 1)
			continue;
		if (tag == DW_TAG_inlined_subroutine) {
			*out = c;
			return true;
		}
		if (inner_call(&c, pc, out, depth + 1))
			return true;
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

struct collect {
	const struct loc_ctx *x;
	struct img_var *v;
	size_t n, cap;
};

static int
add_var(struct collect *c, Dwarf_Die *die, bool arg)
{
	struct img_var *v;
	Dwarf_Attribute a;
	Dwarf_Die type;
	int line;

	if (!(v = grow(c->v, &c->cap, c->n, sizeof(*v))))
		return -1;
	c->v = v;
	v = &c->v[c->n];
	/* Names, types and lines through the abstract origin of an inlined or
	 * out-of-line instance: dwarf_diename and dwarf_decl_line integrate too. */
	*v = (struct img_var){ .name = dwarf_diename(die), .arg = arg };
	if (!v->name)
		return 0; /* nothing to show it by */
	if (dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, &type))
		v->type = dwarf_dieoffset(&type);
	if (dwarf_decl_line(die, &line) == 0 && line > 0)
		v->decl_line = (uint32_t)line;
	locate(c->x, die, v);
	c->n++;
	return 0;
}

/* The parameters and variables of scope, then those of its lexical blocks that
 * hold pc, outer first. Inlined calls are frames of their own: not entered. */
static int
collect_scope(struct collect *c, Dwarf_Die *scope, int depth)
{
	static const int passes[] = { DW_TAG_formal_parameter, DW_TAG_variable,
				      DW_TAG_lexical_block };
	Dwarf_Die d;

	if (depth >= MAX_NEST)
		return 0;
	for (size_t p = 0; p < sizeof(passes) / sizeof(*passes); p++) {
		if (dwarf_child(scope, &d) != 0)
			return 0;
		do {
			int tag = dwarf_tag(&d), r = 0;

			if (tag != passes[p])
				continue;
			if (tag != DW_TAG_lexical_block)
				r = add_var(c, &d, tag == DW_TAG_formal_parameter);
			else if (dwarf_haspc(&d, c->x->pc) == 1)
				r = collect_scope(c, &d, depth + 1);
			if (r < 0)
				return -1;
		} while (dwarf_siblingof(&d, &d) == 0);
	}
	return 0;
}

int
img_frame_vars(struct img *img, const struct img_scope *sc, struct img_var **vars, size_t *n,
	       struct insp_err *err)
{
	Dwarf_Die frames[MAX_NEST];
	size_t nframes = 1;
	uint64_t cfa = sc->cfa, fb;
	struct loc_ctx x = { img, sc->pc - img->bias, &cfa, NULL,
			     sc->ret ? sc->ret - img->bias : 0 };
	struct collect c = { &x, NULL, 0, 0 };

	*vars = NULL;
	*n = 0;
	if (!img->dwarf)
		return no_dwarf(img, err);
	if (!img->funcs_done && build_index(img, err) < 0)
		return -1;
	if (!find_func(img, x.pc, &frames[0]))
		return insp_err_set(err, INSP_E_LAYOUT,
				    "no function at pc 0x%llx in the DWARF of '%s'",
				    (unsigned long long)sc->pc, img->name);
	/* frames[0] is the function, each next one a call inlined in the previous. */
	while (nframes < MAX_NEST && inner_call(&frames[nframes - 1], x.pc, &frames[nframes], 0))
		nframes++;
	if (sc->inline_depth >= nframes)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "no inlined call %u at pc 0x%llx in '%s': it has %zu there",
				    sc->inline_depth, (unsigned long long)sc->pc, img->name,
				    nframes - 1);
	/* Inlined code runs in the function's frame: its frame base is everyone's. */
	if (frame_base(&x, &frames[0], &fb))
		x.fb = &fb;
	if (collect_scope(&c, &frames[nframes - 1 - sc->inline_depth], 0) < 0) {
		free(c.v);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	*vars = c.v;
	*n = c.n;
	return 0;
}

struct global_find {
	const char *name;
	struct collect c;
};

static int
match_global(Dwarf_Die *die, void *arg)
{
	struct global_find *g = arg;
	const char *n;

	if (dwarf_tag(die) != DW_TAG_variable || !(n = dwarf_diename(die)) ||
	    strcmp(n, g->name) != 0)
		return 0;
	/* c has room for exactly one: add_var does not allocate. */
	add_var(&g->c, die, false);
	return 1;
}

int
img_global_var(struct img *img, const char *name, struct img_var *out, struct insp_err *err)
{
	struct loc_ctx x = { img, 0, NULL, NULL, 0 };
	struct global_find g = { name, { &x, out, 0, 1 } };

	if (!img->dwarf)
		return no_dwarf(img, err);
	/* A linear scan, each time: it runs when the user asks for one. */
	if (walk_top(img, match_global, &g) != 1)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "no package variable %s in the DWARF of '%s'", name, img->name);
	return 0;
}

Dwarf *
img_dwarf(struct img *img)
{
	return img->dwarf;
}
