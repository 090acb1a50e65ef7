/* Reader of the Go pclntab (Go 1.18-1.26, 64-bit) from a copy of its bytes:
 * function table, pc-value tables, file:line and inline trees.
 * Part of plugins/go. Never reads the target, prints or exits; every offset that
 * comes from the bytes is checked before use, and every loop is bounded by them.
 * SPDX-License-Identifier: MIT */
#include "pclntab.h"

#include <stdlib.h>
#include <string.h>

/*
 * Layout (Go 1.18+, our reading of runtime/symtab.go and cmd/link/internal/ld/pcln.go):
 *
 *   pcHeader   magic u32, 0, 0, minLC u8 (pc quantum), ptrSize u8, then 8-byte words:
 *              nfunc, nfiles, textStart (0 in 1.26), and five offsets from the header:
 *   funcnametab  NUL-terminated names                 (_func.nameOff, inline nameOff)
 *   cutab        u32 per (compile unit, file index)   (_func.cuOffset + pcfile value)
 *   filetab      NUL-terminated file names            (cutab values; ~0 = none)
 *   pctab        pc-value tables                      (_func.pcsp/pcfile/pcln, pcdata)
 *   pclntable    ftab[nfunc+1] of {entryoff, funcoff}, then the _func records
 *                (funcoff counts from pclntable; the last ftab entry is the end of text)
 *
 * The five tables follow each other in this order in every version we read, so
 * each one ends where the next begins; we check that order at open and then hold
 * every offset to the bounds of its own table. In 1.26 go:func.* and findfunctab
 * follow pclntable inside the same ELF section; before, they were in .rodata.
 *
 * _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata,
 * cuOffset (u32 each); 1.20+ add startLine; then funcID, flag, pad, nfuncdata
 * (u8 each), then npcdata u32 pctab offsets and nfuncdata u32 offsets from
 * go:func.* (~0 = none).
 *
 * Invariants after open: data[0, size) is readable; names <= cu <= files <=
 * pctab <= ftab <= size; the nfunc+1 ftab entries lie in [ftab, size) and their
 * entryoff never decreases; text + UINT32_MAX does not overflow.
 */

#define MAGIC_GO118 0xfffffff0u /* Go 1.18-1.19 */
#define MAGIC_GO120 0xfffffff1u /* Go 1.20-1.26 */
#define HEADER_SIZE 72

#define PCDATA_INLTREE   2
#define FUNCDATA_INLTREE 3

/* The inline-tree walk and pc-value decoding are bounded by the bytes, but a
 * corrupt tree could point back at itself: cap the depth. */
#define MAX_INLINE_DEPTH 1000

struct span {
	size_t lo, hi; /* [lo, hi) in data */
};

struct gort_pclntab {
	const uint8_t *data;
	size_t size;
	uint64_t text;
	uint32_t magic;
	uint8_t quantum;
	size_t nfunc;
	struct span names, cu, files, pctab, ftab;
	int wrapper; /* the funcID of wrappers in this build, or -1 */
	/* entries of the functions of enum gort_func_kind (0: not in this build) */
	uint64_t kind_entry[GORT_KIND_CROSSCALL2 + 1][3];

	/* go:func.*: bytes of [fd_addr, fd_addr + fd_size), or fd NULL */
	const uint8_t *fd;
	size_t fd_size;
	uint64_t fd_addr, gofunc;
};

/* A decoded _func record. */
struct fn {
	uint32_t funcoff; /* of the record, from the ftab (gort_func.off) */
	size_t tail;      /* of pcdata[0] in data */
	uint64_t entry, end;
	uint32_t nameoff, pcsp, pcfile, pcln, npcdata, cuoff;
	uint8_t funcid, flag, nfuncdata;
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* A u32 at off, which must lie with its 4 bytes inside s. */
static bool
rd32(const struct gort_pclntab *t, struct span s, uint64_t off, uint32_t *v)
{
	if (off < s.lo || off > s.hi || s.hi - off < 4)
		return false;
	*v = get32(t->data + off);
	return true;
}

/* The NUL-terminated string at s.lo + off, if its NUL lies inside s. */
static const char *
str(const struct gort_pclntab *t, struct span s, uint64_t off)
{
	const uint8_t *p;

	if (off >= s.hi - s.lo)
		return NULL;
	p = t->data + s.lo + off;
	if (!memchr(p, 0, s.hi - s.lo - off))
		return NULL;
	return (const char *)p;
}

static uint32_t
ftab_entryoff(const struct gort_pclntab *t, size_t i)
{
	return get32(t->data + t->ftab.lo + i * 8);
}

/* Decode the record of the i-th function and check it against the ftab. */
static bool
getfn(const struct gort_pclntab *t, size_t i, struct fn *f)
{
	const uint8_t *p;
	uint64_t off;
	size_t fixed = t->magic == MAGIC_GO118 ? 40 : 44;

	if (i >= t->nfunc)
		return false;
	f->funcoff = get32(t->data + t->ftab.lo + i * 8 + 4);
	off = (uint64_t)t->ftab.lo + f->funcoff;
	if (off < t->ftab.lo + (t->nfunc + 1) * 8 || off > t->size || t->size - off < fixed)
		return false;
	p = t->data + off;
	if (get32(p) != ftab_entryoff(t, i))
		return false;
	f->tail = off + fixed;
	f->entry = t->text + get32(p);
	f->end = t->text + ftab_entryoff(t, i + 1);
	f->nameoff = get32(p + 4);
	f->pcsp = get32(p + 16);
	f->pcfile = get32(p + 20);
	f->pcln = get32(p + 24);
	f->npcdata = get32(p + 28);
	f->cuoff = get32(p + 32);
	f->funcid = p[fixed - 4];
	f->flag = p[fixed - 3];
	f->nfuncdata = p[fixed - 1];
	return ((uint64_t)f->npcdata + f->nfuncdata) * 4 <= t->size - f->tail;
}

/* The index of the last function whose entry is <= pc, if pc is in text. */
static bool
findi(const struct gort_pclntab *t, uint64_t pc, size_t *i)
{
	size_t lo = 0, hi = t->nfunc, mid;
	uint64_t off;

	if (!t->nfunc || pc < t->text || pc - t->text >= ftab_entryoff(t, t->nfunc))
		return false;
	off = pc - t->text;
	if (off < ftab_entryoff(t, 0))
		return false;
	/* invariant: entryoff(lo) <= off < entryoff(hi) */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ftab_entryoff(t, mid) <= off)
			lo = mid;
		else
			hi = mid;
	}
	*i = lo;
	return true;
}

static bool
fill(const struct gort_pclntab *t, const struct fn *fn, struct gort_func *f)
{
	const char *name = str(t, t->names, fn->nameoff);

	if (!name)
		return false;
	f->entry = fn->entry;
	f->end = fn->end;
	f->name = name;
	f->flag = fn->flag;
	f->off = fn->funcoff;
	f->kind = GORT_KIND_NORMAL;
	for (int k = GORT_KIND_NORMAL + 1; k <= GORT_KIND_CROSSCALL2; k++)
		for (int j = 0; j < 3; j++)
			if (t->kind_entry[k][j] && t->kind_entry[k][j] == fn->entry)
				f->kind = (uint8_t)k;
	return true;
}

/* The record behind a gort_func handed out earlier, checked again: the caller
 * may pass anything. */
static bool
refn(const struct gort_pclntab *t, const struct gort_func *f, struct fn *fn)
{
	size_t i;

	return findi(t, f->entry, &i) && getfn(t, i, fn) && fn->funcoff == f->off &&
	       fn->entry == f->entry;
}

/* An unsigned LEB128 varint of a pc-value table, at most 5 bytes (a u32). */
static bool
uvarint(const struct gort_pclntab *t, size_t *pos, uint32_t *v)
{
	uint32_t r = 0;
	unsigned shift;
	uint8_t b;

	for (shift = 0; shift < 35; shift += 7) {
		if (*pos >= t->pctab.hi)
			return false;
		b = t->data[(*pos)++];
		r |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* The value of the table at pctab offset tab for target, in a function whose
 * code starts at entry. Values hold on [pc, next pc); a value delta of 0 ends
 * the table, except while still at entry (the first value may be -1). */
static bool
pcvalue(const struct gort_pclntab *t, uint32_t tab, uint64_t entry, uint64_t target, int32_t *out)
{
	size_t pos;
	uint64_t pc = entry;
	uint32_t val = (uint32_t)-1, uv, pcd;

	if (tab == 0 || target < entry || tab >= t->pctab.hi - t->pctab.lo)
		return false;
	pos = t->pctab.lo + tab;
	for (;;) {
		if (pos >= t->pctab.hi)
			return false;
		if (t->data[pos] == 0 && pc != entry)
			return false; /* end of table before target */
		if (!uvarint(t, &pos, &uv) || !uvarint(t, &pos, &pcd))
			return false;
		val += (uv >> 1) ^ (0u - (uv & 1));
		if ((uint64_t)pcd * t->quantum > UINT64_MAX - pc)
			return false;
		pc += (uint64_t)pcd * t->quantum;
		if (target < pc) {
			*out = (int32_t)val;
			return true;
		}
	}
}

/* pcdata[i] of fn at pc, or -1 if there is none. */
static int32_t
pcdata(const struct gort_pclntab *t, const struct fn *fn, uint32_t i, uint64_t pc)
{
	int32_t v;

	if (i >= fn->npcdata)
		return -1;
	if (!pcvalue(t, get32(t->data + fn->tail + i * 4), fn->entry, pc, &v))
		return -1;
	return v;
}

/* Where funcdata[i] of fn starts in t->fd, if it is there. */
static bool
funcdata(const struct gort_pclntab *t, const struct fn *fn, uint32_t i, size_t *pos)
{
	uint32_t off;
	uint64_t addr;

	if (!t->fd || i >= fn->nfuncdata)
		return false;
	off = get32(t->data + fn->tail + ((size_t)fn->npcdata + i) * 4);
	if (off == UINT32_MAX)
		return false;
	addr = t->gofunc + off;
	if (addr < t->fd_addr || addr - t->fd_addr >= t->fd_size)
		return false;
	*pos = addr - t->fd_addr;
	return true;
}

/* File and line of fn at pc; NULL and 0 where the tables do not say. */
static void
position(const struct gort_pclntab *t, const struct fn *fn, uint64_t pc, struct gort_srcframe *sf)
{
	int32_t fileno, line;
	uint32_t foff;

	sf->file = NULL;
	sf->line = 0;
	if (pcvalue(t, fn->pcln, fn->entry, pc, &line) && line > 0)
		sf->line = (uint32_t)line;
	if (!pcvalue(t, fn->pcfile, fn->entry, pc, &fileno) || fileno < 0)
		return;
	if (!rd32(t, t->cu, t->cu.lo + ((uint64_t)fn->cuoff + (uint32_t)fileno) * 4, &foff))
		return;
	if (foff != UINT32_MAX)
		sf->file = str(t, t->files, foff);
}

/* FuncID values move between releases (a new one was inserted in 1.22 and 1.25),
 * but runtime.deferreturn has been tagged as a wrapper in every release we read
 * (cmd/internal/objabi/funcid.go, 1.19 and 1.26): take the value from it. */
static int
wrapper_funcid(const struct gort_pclntab *t)
{
	struct gort_func f;
	struct fn fn;

	if (gort_pclntab_lookup(t, "runtime.deferreturn", &f) < 0 || !refn(t, &f, &fn) ||
	    fn.funcid == 0) /* 0 is a normal function */
		return -1;
	return fn.funcid;
}

/* The entries of the functions enum gort_func_kind names. */
static void
find_kinds(struct gort_pclntab *t)
{
	static const char *const names[][3] = {
		[GORT_KIND_INJECTED] = { "runtime.sigpanic", "runtime.asyncPreempt",
					 "runtime.debugCallV2" },
		[GORT_KIND_CGOCALLBACK] = { "runtime.cgocallback" },
		[GORT_KIND_CROSSCALL2] = { "crosscall2" },
	};
	struct gort_func f;

	for (int k = GORT_KIND_NORMAL + 1; k <= GORT_KIND_CROSSCALL2; k++)
		for (int j = 0; j < 3; j++)
			if (names[k][j] && gort_pclntab_lookup(t, names[k][j], &f) == 0)
				t->kind_entry[k][j] = f.entry;
}

static int
check_header(struct gort_pclntab *t, uint64_t text, struct insp_err *err)
{
	const uint8_t *d = t->data;
	uint64_t offs[5], nfunc;
	size_t i;

	if (t->size < 8)
		return insp_err_set(err, INSP_E_CORRUPT, "pclntab of %zu bytes is too short",
				    t->size);
	t->magic = get32(d);
	switch (t->magic) {
	case MAGIC_GO118:
	case MAGIC_GO120:
		break;
	case 0xfffffffbu:
	case 0xfffffffau:
		return insp_err_set(
			err, INSP_E_LAYOUT,
			"pclntab magic 0x%08x is from Go 1.2-1.17 (only Go 1.18 and later "
			"are supported)",
			t->magic);
	default:
		return insp_err_set(err, INSP_E_CORRUPT, "bad pclntab magic 0x%08x", t->magic);
	}
	if (d[4] || d[5])
		return insp_err_set(err, INSP_E_CORRUPT, "bad pclntab header padding");
	if (d[7] != 8)
		return insp_err_set(
			err, INSP_E_LAYOUT,
			"pclntab with %u-byte pointers (only 64-bit targets are supported)", d[7]);
	t->quantum = d[6];
	if (t->quantum != 1 && t->quantum != 2 && t->quantum != 4)
		return insp_err_set(err, INSP_E_CORRUPT, "bad pclntab pc quantum %u", t->quantum);
	if (t->size < HEADER_SIZE)
		return insp_err_set(err, INSP_E_CORRUPT, "pclntab of %zu bytes is too short",
				    t->size);
	nfunc = get64(d + 8);
	if (!text)
		text = get64(d + 24);
	if (!text)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "pclntab has no text start (Go 1.26 and later): pass "
				    "moduledata.text or runtime.text");
	if (text > UINT64_MAX - UINT32_MAX)
		return insp_err_set(err, INSP_E_CORRUPT, "text start 0x%llx out of range",
				    (unsigned long long)text);
	t->text = text;
	for (i = 0; i < 5; i++) {
		offs[i] = get64(d + 32 + i * 8);
		if (offs[i] < (i ? offs[i - 1] : HEADER_SIZE) || offs[i] > t->size)
			return insp_err_set(err, INSP_E_CORRUPT,
					    "pclntab table %zu at offset 0x%llx is out of order or "
					    "outside its %zu bytes",
					    i, (unsigned long long)offs[i], t->size);
	}
	t->names = (struct span){ offs[0], offs[1] };
	t->cu = (struct span){ offs[1], offs[2] };
	t->files = (struct span){ offs[2], offs[3] };
	t->pctab = (struct span){ offs[3], offs[4] };
	t->ftab = (struct span){ offs[4], t->size };
	if (nfunc >= (t->size - offs[4]) / 8)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "pclntab function table of %llu entries exceeds its %zu bytes",
				    (unsigned long long)nfunc, t->size - (size_t)offs[4]);
	t->nfunc = nfunc;
	return 0;
}

int
gort_pclntab_open(struct gort_pclntab **out, const uint8_t *data, size_t size, uint64_t text,
		  struct insp_err *err)
{
	struct gort_pclntab *t = NULL;
	size_t i;
	int ret = -1;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return insp_err_set(err, INSP_E_SYS, "out of memory reading the pclntab");
	t->data = data;
	t->size = data ? size : 0;
	if (check_header(t, text, err) < 0)
		goto out;
	for (i = 0; i < t->nfunc; i++)
		if (ftab_entryoff(t, i) > ftab_entryoff(t, i + 1)) {
			insp_err_set(err, INSP_E_CORRUPT,
				     "pclntab function table is not sorted at entry %zu", i);
			goto out;
		}
	t->wrapper = wrapper_funcid(t);
	find_kinds(t);
	*out = t;
	t = NULL;
	ret = 0;
out:
	free(t);
	return ret;
}

void
gort_pclntab_free(struct gort_pclntab *t)
{
	free(t);
}

int
gort_pclntab_set_funcdata(struct gort_pclntab *t, const uint8_t *data, size_t size, uint64_t addr,
			  uint64_t gofunc, struct insp_err *err)
{
	if (!data || gofunc < addr || gofunc - addr >= size)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "go:func.* at 0x%llx is outside the %zu bytes at 0x%llx",
				    (unsigned long long)gofunc, data ? size : 0,
				    (unsigned long long)addr);
	t->fd = data;
	t->fd_size = size;
	t->fd_addr = addr;
	t->gofunc = gofunc;
	return 0;
}

unsigned
gort_pclntab_quantum(const struct gort_pclntab *t)
{
	return t->quantum;
}

size_t
gort_pclntab_nfunc(const struct gort_pclntab *t)
{
	return t->nfunc;
}

int
gort_pclntab_func(const struct gort_pclntab *t, size_t i, struct gort_func *f)
{
	struct fn fn;

	if (!getfn(t, i, &fn) || !fill(t, &fn, f))
		return -1;
	return 0;
}

/* Binary search of the ftab. */
int
gort_pclntab_find(const struct gort_pclntab *t, uint64_t pc, struct gort_func *f)
{
	size_t i;

	if (!findi(t, pc, &i))
		return -1;
	return gort_pclntab_func(t, i, f);
}

int
gort_pclntab_lookup(const struct gort_pclntab *t, const char *name, struct gort_func *f)
{
	size_t i, len = strlen(name) + 1;
	uint32_t funcoff, nameoff;
	struct span tab = { t->ftab.lo, t->size };

	for (i = 0; i < t->nfunc; i++) {
		funcoff = get32(t->data + t->ftab.lo + i * 8 + 4);
		if (!rd32(t, tab, (uint64_t)t->ftab.lo + funcoff + 4, &nameoff))
			continue;
		if (nameoff >= t->names.hi - t->names.lo ||
		    t->names.hi - t->names.lo - nameoff < len ||
		    memcmp(t->data + t->names.lo + nameoff, name, len))
			continue;
		if (gort_pclntab_func(t, i, f) == 0)
			return 0;
	}
	return -1;
}

int
gort_pclntab_spdelta(const struct gort_pclntab *t, const struct gort_func *f, uint64_t pc,
		     int32_t *delta)
{
	struct fn fn;

	if (!refn(t, f, &fn) || pc >= fn.end)
		return -1;
	return pcvalue(t, fn.pcsp, fn.entry, pc, delta) ? 0 : -1;
}

/* One entry of the inline tree at pos in t->fd: the name offset of the inlined
 * function and the offset from entry of an instruction at its call site. */
static bool
inl_entry(const struct gort_pclntab *t, size_t pos, int32_t ix, uint32_t *nameoff,
	  uint32_t *parentpc, uint8_t *funcid)
{
	/* 1.18-1.19: parent i16, funcID u8, pad, file i32, line i32, func_ i32,
	 * parentPc i32. 1.20+: funcID u8, pad[3], nameOff i32, parentPc i32,
	 * startLine i32. */
	size_t esize = t->magic == MAGIC_GO118 ? 20 : 16;
	size_t name_at = t->magic == MAGIC_GO118 ? 12 : 4;
	size_t ppc_at = t->magic == MAGIC_GO118 ? 16 : 8;
	uint64_t at;

	if (ix < 0)
		return false;
	at = pos + (uint64_t)ix * esize;
	if (at > t->fd_size || t->fd_size - at < esize)
		return false;
	*funcid = t->fd[at + (t->magic == MAGIC_GO118 ? 2 : 0)];
	*nameoff = get32(t->fd + at + name_at);
	*parentpc = get32(t->fd + at + ppc_at);
	return true;
}

int
gort_pclntab_frames(const struct gort_pclntab *t, uint64_t pc, bool call_site,
		    struct gort_srcframe *out, int max)
{
	struct gort_func f;
	struct fn fn;
	size_t i, tree;
	bool have_tree;
	uint32_t nameoff, parentpc;
	uint8_t funcid;
	int32_t ix;
	int n = 0, depth;

	if (max < 1 || !findi(t, pc, &i) || !getfn(t, i, &fn) || !fill(t, &fn, &f))
		return -1;
	if (call_site && pc > fn.entry)
		pc--;
	have_tree = funcdata(t, &fn, FUNCDATA_INLTREE, &tree);
	ix = pcdata(t, &fn, PCDATA_INLTREE, pc);
	for (depth = 0; ix >= 0 && n < max && depth < MAX_INLINE_DEPTH; depth++) {
		out[n].inlined = true;
		out[n].wrapper = false;
		position(t, &fn, pc, &out[n]);
		if (!have_tree || !inl_entry(t, tree, ix, &nameoff, &parentpc, &funcid) ||
		    (int32_t)parentpc < 0 || parentpc >= fn.end - fn.entry) {
			/* We know pc is in an inlined body, not whose, nor the
			 * call site in the physical function. */
			out[n++].func = NULL;
			if (n == max)
				return n;
			out[n].func = f.name;
			out[n].inlined = false;
			out[n].wrapper = t->wrapper >= 0 && fn.funcid == t->wrapper;
			position(t, &fn, fn.entry, &out[n]);
			out[n++].line = 0;
			return n;
		}
		out[n].wrapper = t->wrapper >= 0 && funcid == t->wrapper;
		out[n++].func = str(t, t->names, nameoff);
		pc = fn.entry + parentpc;
		ix = pcdata(t, &fn, PCDATA_INLTREE, pc);
	}
	if (n == max)
		return n;
	out[n].func = f.name;
	out[n].inlined = false;
	out[n].wrapper = t->wrapper >= 0 && fn.funcid == t->wrapper;
	position(t, &fn, pc, &out[n]);
	return n + 1;
}
