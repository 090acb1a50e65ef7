/* Fault-injection tests of the Go plugin's capture and decode (plugins/go/registry.c
 * and the phases around it), through the plugin ABI only: a fake host serves the
 * image from a real Go binary (INSPECT_TEST_GOBIN, built from testdata/hello;
 * skipped without it), a made-up runtime.g/runtime.m layout and a fake address
 * space in which every read in turn fails, returns garbage or finds the process gone.
 * Every outcome must be a success or -1 with a documented code, never a crash or hang.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect/plugin.h"
#include "pclntab.h"

/* plugins/go/plugin.c; a shared object exports it, here it is linked in. */
const struct insp_plugin *insp_plugin_entry(void);

/*
 * The fake process (addresses of the registry come from the binary's symbols,
 * everything else lives in a fake heap at HEAP):
 *
 *   runtime.allglen = 4, runtime.allgptr = GARR, runtime.allm = M1
 *   GARR: g[0..3] at GS + i * G_STRIDE
 *     g[0] goid 1,  waiting (REASON_A), parked in runtime.gopark called by
 *          main.main called by runtime.goexit; waited 5 s
 *     g[1] goid 7,  dead: no task
 *     g[2] goid 9,  running on thread TID (m.curg): its registers are at a pc in
 *          main.main whose caller is runtime.goexit; g.sched is zero
 *     g[3] goid 12, waiting (the last reason of the table), locked to its M,
 *          started at runtime.forcegchelper: a system goroutine without user frame
 *   M1: procid TID, curg g[2], alllink 0, g0 G0 (whose m is M1)
 *   runtime.allgs = {GARR, NG, NG}: for 4.x, where the registry has no names and is
 *   found through the real code of runtime.allgadd and mcommoninit
 *   runtime.waitReasonStrings: entry 0 is "" (no pointer), entry i "wait reason i"
 */

#define HEAP       0xc000000000ull
#define GARR       HEAP
#define GS         (HEAP + 0x1000)
#define G_STRIDE   0x100
#define M1         (HEAP + 0x10000)
#define M2         (HEAP + 0x10400)
#define STRS       (HEAP + 0x20000)
#define STACKS     (HEAP + 0x100000) /* g i's stack at STACKS + i * 0x10000 */
#define STACK_SIZE 0x2000
#define NOWHERE    0xdead0000ull
#define NG         4
#define TID        4242
#define STOP_NS    1000000000000ll
#define REASON_A   3

/* A layout of our own for runtime.g and runtime.m: the sizes layout.c checks, any
 * offsets. */
#define G_SIZE       200
#define G_M          48
#define G_STACK_LO   0
#define G_STACK_HI   8
#define G_SCHED_SP   56
#define G_SCHED_PC   64
#define G_LOCKEDM    96
#define G_SYSCALLSP  112
#define G_SYSCALLPC  120
#define G_STATUS     144
#define G_WAITREASON 148
#define G_GOID       152
#define G_PARENTGOID 160
#define G_WAITSINCE  168
#define G_GOPC       176
#define G_STARTPC    184
#define G_LABELS     192 /* runtime/pprof's labels: 0, none */
#define M_SIZE       320
#define M_G0         0
#define MD_SIZE      512
#define MD_TEXT      176
#define MD_GOFUNC    320
#define G0           (HEAP + 0x30000) /* M1's g0 */
#define M_PROCID     72
#define M_CURG       192
#define M_ALLLINK    304

enum { S_RUNNING = 2, S_WAITING = 4, S_DEAD = 6 };

static const struct {
	const char *type, *path;
	uint64_t offset, size;
} fields[] = {
	{ "runtime.g", "stack.lo", G_STACK_LO, 8 },
	{ "runtime.g", "stack.hi", G_STACK_HI, 8 },
	{ "runtime.g", "sched.sp", G_SCHED_SP, 8 },
	{ "runtime.g", "sched.pc", G_SCHED_PC, 8 },
	{ "runtime.g", "syscallsp", G_SYSCALLSP, 8 },
	{ "runtime.g", "syscallpc", G_SYSCALLPC, 8 },
	{ "runtime.g", "atomicstatus", G_STATUS, 4 },
	{ "runtime.g", "goid", G_GOID, 8 },
	{ "runtime.g", "waitsince", G_WAITSINCE, 8 },
	{ "runtime.g", "waitreason", G_WAITREASON, 1 },
	{ "runtime.g", "gopc", G_GOPC, 8 },
	{ "runtime.g", "startpc", G_STARTPC, 8 },
	{ "runtime.g", "lockedm", G_LOCKEDM, 8 },
	{ "runtime.g", "parentGoid", G_PARENTGOID, 8 },
	{ "runtime.g", "labels", G_LABELS, 8 },
	{ "runtime.m", "procid", M_PROCID, 8 },
	{ "runtime.m", "curg", M_CURG, 8 },
	{ "runtime.m", "alllink", M_ALLLINK, 8 },
	{ "runtime.g", "m", G_M, 8 },
	{ "runtime.m", "g0", M_G0, 8 },
	{ "runtime.moduledata", "text", MD_TEXT, 8 },
	{ "runtime.moduledata", "gofunc", MD_GOFUNC, 8 },
};

/* ---- the image: sections and symbols of the real binary ---- */

struct sym {
	char *name;
	uint64_t addr, size;
};

struct sec {
	char *name;
	uint8_t *data; /* malloc'd copy of exactly size bytes, so ASan sees overreads */
	size_t size;
	uint64_t addr;
};

static const char *const kept_sections[] = { ".go.buildinfo",          ".gopclntab",
					     ".data.rel.ro.gopclntab", ".rodata",
					     ".data.rel.ro",           ".text" };

static struct image {
	const char *path;
	struct sym *syms;
	size_t nsyms;
	struct sec secs[sizeof(kept_sections) / sizeof(kept_sections[0])];
	size_t nsecs;
	struct gort_pclntab *pcln; /* the test's own, to build plausible stacks */
	/* addresses of the registry */
	uint64_t allglen, allgptr, allgs, allm, reasons;
	size_t nreasons;
	/* code addresses the fake stacks use */
	uint64_t main_entry, fgc_entry, goexit_ret;
	uint64_t park_ret; /* return address in runtime.gopark (of its mcall) */
	uint64_t main_ret; /* return address of a call in main.main */
	uint64_t fgc_ret;  /* ... in runtime.forcegchelper */
	uint64_t main_pc;  /* a pc in main.main with a frame, for a running goroutine */
	bool ok;
} img;

static const struct sym *
find_sym(const char *name)
{
	for (size_t i = 0; i < img.nsyms; i++)
		if (strcmp(img.syms[i].name, name) == 0)
			return &img.syms[i];
	return NULL;
}

static const struct sec *
find_sec(const char *name)
{
	for (size_t i = 0; i < img.nsecs; i++)
		if (strcmp(img.secs[i].name, name) == 0)
			return &img.secs[i];
	return NULL;
}

static int
load_image(const char *path)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx, cap = 0;
	Elf_Data *d;
	int fd, ret = -1;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getshdrstrndx(e, &shstrndx) < 0)
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(e, shstrndx, sh.sh_name);
		if (!n || !(d = elf_getdata(scn, NULL)))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym s;
				const char *sn;

				if (!gelf_getsym(d, (int)i, &s) ||
				    !(sn = elf_strptr(e, sh.sh_link, s.st_name)) || !*sn)
					continue;
				if (img.nsyms == cap) {
					cap = cap ? 2 * cap : 1024;
					img.syms = realloc(img.syms, cap * sizeof(*img.syms));
					if (!img.syms)
						goto out;
				}
				img.syms[img.nsyms++] =
					(struct sym){ strdup(sn), s.st_value, s.st_size };
			}
			continue;
		}
		for (size_t i = 0; i < sizeof(kept_sections) / sizeof(kept_sections[0]); i++) {
			struct sec *c = &img.secs[img.nsecs];

			if (strcmp(n, kept_sections[i]) != 0)
				continue;
			c->name = strdup(n);
			c->data = malloc(d->d_size ? d->d_size : 1);
			if (!c->name || !c->data)
				goto out;
			memcpy(c->data, d->d_buf, d->d_size);
			c->size = d->d_size;
			c->addr = sh.sh_addr;
			img.nsecs++;
		}
	}
	ret = 0;
out:
	elf_end(e);
	close(fd);
	return ret;
}

/* The pcsp delta at pc, or -1. */
static int32_t
delta_at(uint64_t pc)
{
	struct gort_func f;
	int32_t d;

	if (gort_pclntab_find(img.pcln, pc, &f) < 0 ||
	    gort_pclntab_spdelta(img.pcln, &f, pc, &d) < 0)
		return -1;
	return d;
}

/* The return address of a CALL rel32 in the function name, with a frame at the
 * return address and no inlined call around it; to callee if non-zero, to any
 * function's entry if callee is 0 or has no call. 0 if none. */
static uint64_t
find_ret(const char *name, uint64_t callee)
{
	const struct sec *text = find_sec(".text");
	struct gort_func f, g;
	struct gort_srcframe sf[4];

	if (!text || gort_pclntab_lookup(img.pcln, name, &f) < 0)
		return 0;
	for (int pass = callee ? 0 : 1; pass < 2; pass++) {
		for (uint64_t pc = f.entry; pc + 5 <= f.end; pc++) {
			const uint8_t *p;
			uint64_t target;
			int32_t rel;

			if (pc < text->addr || pc + 5 - text->addr > text->size)
				break;
			p = text->data + (pc - text->addr);
			if (p[0] != 0xe8)
				continue;
			rel = (int32_t)((uint32_t)p[1] | (uint32_t)p[2] << 8 |
					(uint32_t)p[3] << 16 | (uint32_t)p[4] << 24);
			target = pc + 5 + (uint64_t)(int64_t)rel;
			if (pass == 0 ? target != callee
				      : gort_pclntab_find(img.pcln, target, &g) < 0 ||
						g.entry != target)
				continue;
			if (delta_at(pc + 5) > 0 &&
			    gort_pclntab_frames(img.pcln, pc + 5, true, sf, 4) == 1 &&
			    strcmp(sf[0].func, name) == 0)
				return pc + 5;
		}
	}
	return 0;
}

static int
setup_image(void **state)
{
	const char *path = getenv("INSPECT_TEST_GOBIN");
	const struct sec *pcln, *fd = NULL;
	const struct sym *s, *text, *gofunc;
	struct insp_err err = INSP_ERR_INIT;
	struct gort_func f, mcall;
	struct gort_srcframe sf[4];

	(void)state;
	if (!path || !*path) {
		print_message("INSPECT_TEST_GOBIN not set: skipping the tests on a Go binary\n");
		return 0;
	}
	img.path = path;
	if (load_image(path) < 0) {
		print_message("cannot read the ELF file %s\n", path);
		return -1;
	}
	pcln = find_sec(".gopclntab") ? find_sec(".gopclntab") : find_sec(".data.rel.ro.gopclntab");
	text = find_sym("runtime.text");
	gofunc = find_sym("go:func.*") ? find_sym("go:func.*") : find_sym("go.func.*");
	if (!pcln || !text || !gofunc) {
		print_message("%s: no pclntab, runtime.text or go:func.*\n", path);
		return -1;
	}
	for (size_t i = 0; i < img.nsecs; i++)
		if (gofunc->addr >= img.secs[i].addr &&
		    gofunc->addr < img.secs[i].addr + img.secs[i].size)
			fd = &img.secs[i];
	if (gort_pclntab_open(&img.pcln, pcln->data, pcln->size, text->addr, &err) < 0 ||
	    (fd && gort_pclntab_set_funcdata(img.pcln, fd->data, fd->size, fd->addr, gofunc->addr,
					     &err) < 0)) {
		print_message("%s: %s\n", path, err.msg);
		return -1;
	}
	if (!(s = find_sym("runtime.allglen")) || !(img.allglen = s->addr) ||
	    !(s = find_sym("runtime.allgptr")) || !(img.allgptr = s->addr) ||
	    !(s = find_sym("runtime.allgs")) || !(img.allgs = s->addr) ||
	    !(s = find_sym("runtime.allm")) || !(img.allm = s->addr) ||
	    !(s = find_sym("runtime.waitReasonStrings")) || !(img.reasons = s->addr)) {
		print_message("%s: a runtime variable is missing\n", path);
		return -1;
	}
	img.nreasons = s->size / 16;
	if (gort_pclntab_lookup(img.pcln, "runtime.goexit", &f) < 0)
		return -1;
	img.goexit_ret = f.entry + 1; /* as newproc1 leaves it (runtime/proc.go) */
	if (gort_pclntab_lookup(img.pcln, "main.main", &f) < 0)
		return -1;
	img.main_entry = f.entry;
	for (uint64_t pc = f.entry; pc < f.end && !img.main_pc; pc++)
		if (delta_at(pc) > 0 && gort_pclntab_frames(img.pcln, pc, false, sf, 4) == 1 &&
		    strcmp(sf[0].func, "main.main") == 0)
			img.main_pc = pc;
	if (gort_pclntab_lookup(img.pcln, "runtime.forcegchelper", &f) < 0 ||
	    gort_pclntab_lookup(img.pcln, "runtime.mcall", &mcall) < 0)
		return -1;
	img.fgc_entry = f.entry;
	img.park_ret = find_ret("runtime.gopark", mcall.entry);
	img.main_ret = find_ret("main.main", 0);
	img.fgc_ret = find_ret("runtime.forcegchelper", 0);
	if (!img.main_pc || !img.park_ret || !img.main_ret || !img.fgc_ret) {
		print_message("%s: no call sites to build stacks from\n", path);
		return -1;
	}
	img.ok = true;
	return 0;
}

static int
teardown_image(void **state)
{
	(void)state;
	gort_pclntab_free(img.pcln);
	for (size_t i = 0; i < img.nsyms; i++)
		free(img.syms[i].name);
	free(img.syms);
	for (size_t i = 0; i < img.nsecs; i++) {
		free(img.secs[i].name);
		free(img.secs[i].data);
	}
	memset(&img, 0, sizeof(img));
	return 0;
}

/* assert_string_equal, but a NULL is a failure, not a crash of the test. */
#define assert_str(a, b)                                                                           \
	do {                                                                                       \
		assert_non_null(a);                                                                \
		assert_string_equal(a, b);                                                         \
	} while (0)

#define NEED_IMAGE()                                                                               \
	do {                                                                                       \
		if (!img.ok)                                                                       \
			skip();                                                                    \
	} while (0)

/* ---- the fake process and host ---- */

enum fault {
	F_NONE,
	F_FAIL,   /* read N fails */
	F_RANDOM, /* read N returns random bytes */
	F_ONES,   /* read N returns 0xff bytes */
	F_ZEROS,  /* read N returns zero bytes */
	F_EXIT,   /* the process is gone from read N on */
	F_ALLOC,  /* alloc (or add_task) N returns NULL */
};

static const char *const fault_names[] = { "none",  "fails",        "random",     "0xff",
					   "zeros", "process gone", "alloc fails" };

struct region {
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
};

#define MAX_REGIONS 32
#define ALLOC_CAP   (64u << 20) /* the snapshot's byte cap */

struct fake {
	struct insp_host h;
	struct insp_thread thread;
	struct region regions[MAX_REGIONS];
	size_t nregions;
	/* the fault to inject */
	enum fault fault;
	size_t at;
	uint64_t rng;
	bool gone;
	size_t nreads, nallocs;
	/* what the host kept */
	void **blocks;
	size_t nblocks, alloc_bytes;
	struct insp_task **tasks;
	size_t ntasks;
	const char **reasons;
	size_t nreasons;
	char **notes;
	size_t nnotes;
	char go_version[32];
	bool no_parent_goid; /* as Go 1.19 and 1.20, which have no g.parentGoid */
	bool no_registry_names; /* as a stripped binary: allglen, allgptr, allm unnamed */
	char registry_source[64];
};

static uint64_t
rnd(struct fake *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static uint8_t *
mem_at(struct fake *f, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < f->nregions; i++) {
		struct region *r = &f->regions[i];

		if (addr >= r->addr && addr - r->addr <= r->len && r->len - (addr - r->addr) >= len)
			return r->bytes + (addr - r->addr);
	}
	return NULL;
}

static uint8_t *
map(struct fake *f, uint64_t addr, size_t len)
{
	struct region *r = &f->regions[f->nregions++];

	assert_true(f->nregions <= MAX_REGIONS);
	r->addr = addr;
	r->len = len;
	r->bytes = calloc(1, len);
	assert_non_null(r->bytes);
	return r->bytes;
}

static void
poke64(struct fake *f, uint64_t addr, uint64_t v)
{
	uint8_t *p = mem_at(f, addr, 8);

	assert_non_null(p);
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
poke32(struct fake *f, uint64_t addr, uint32_t v)
{
	uint8_t *p = mem_at(f, addr, 4);

	assert_non_null(p);
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
poke8(struct fake *f, uint64_t addr, uint8_t v)
{
	uint8_t *p = mem_at(f, addr, 1);

	assert_non_null(p);
	*p = v;
}

/* One read point: 0 with the bytes, -1 if it faults, -2 if the process is gone. */
static int
read_point(struct fake *f, uint64_t addr, void *buf, size_t len)
{
	size_t n = f->nreads++;
	const uint8_t *src;

	if (f->fault == F_EXIT && n >= f->at)
		f->gone = true;
	if (f->gone)
		return -2;
	if (n == f->at) {
		switch (f->fault) {
		case F_FAIL:
			return -1;
		case F_RANDOM:
			for (size_t i = 0; i < len; i++)
				((uint8_t *)buf)[i] = (uint8_t)rnd(f);
			return 0;
		case F_ONES:
		case F_ZEROS:
			memset(buf, f->fault == F_ONES ? 0xff : 0, len);
			return 0;
		default:
			break;
		}
	}
	if (len == 0)
		return 0;
	src = mem_at(f, addr, len);
	if (!src)
		return -1;
	memcpy(buf, src, len);
	return 0;
}

static int
host_read(void *ctx, uint64_t addr, void *buf, size_t len, struct insp_err *err)
{
	switch (read_point(ctx, addr, buf, len)) {
	case -2:
		return insp_err_set(err, INSP_E_EXITED, "process 1 exited while attached");
	case -1:
		return insp_err_set(err, INSP_E_CORRUPT,
				    "cannot read %zu bytes at 0x%llx in process 1", len,
				    (unsigned long long)addr);
	}
	return 0;
}

/* As tgt_readv: each read's ok, and -1 only if the process is gone. */
static int
host_readv(void *ctx, struct insp_read *reads, size_t n, struct insp_err *err)
{
	bool gone = false;

	for (size_t i = 0; i < n; i++) {
		int r = read_point(ctx, reads[i].addr, reads[i].buf, reads[i].len);

		reads[i].ok = r == 0;
		gone |= r == -2;
	}
	if (gone)
		return insp_err_set(err, INSP_E_EXITED, "process 1 exited while attached");
	return 0;
}

static int
host_symbol(void *ctx, const char *name, uint64_t *addr, uint64_t *size, struct insp_err *err)
{
	const struct sym *s = find_sym(name);

	if (((struct fake *)ctx)->no_registry_names &&
	    (strcmp(name, "runtime.allglen") == 0 || strcmp(name, "runtime.allgptr") == 0 ||
	     strcmp(name, "runtime.allm") == 0))
		s = NULL;
	if (!s)
		return insp_err_set(err, INSP_E_LAYOUT, "no symbol '%s'", name);
	*addr = s->addr;
	if (size)
		*size = s->size;
	return 0;
}

static int
host_section(void *ctx, const char *name, const uint8_t **data, size_t *size, uint64_t *addr,
	     struct insp_err *err)
{
	const struct sec *s = find_sec(name);

	(void)ctx;
	if (!s)
		return insp_err_set(err, INSP_E_NOTGO, "no section '%s'", name);
	*data = s->data;
	*size = s->size;
	if (addr)
		*addr = s->addr;
	return 0;
}

static int
host_type_size(void *ctx, const char *type, uint64_t *size, struct insp_err *err)
{
	(void)ctx;
	if (strcmp(type, "runtime.g") == 0)
		*size = G_SIZE;
	else if (strcmp(type, "runtime.m") == 0)
		*size = M_SIZE;
	else if (strcmp(type, "runtime.moduledata") == 0)
		*size = MD_SIZE;
	else
		return insp_err_set(err, INSP_E_LAYOUT, "no type '%s'", type);
	return 0;
}

static int
host_field(void *ctx, const char *type, const char *path, struct insp_field *out,
	   struct insp_err *err)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (((struct fake *)ctx)->no_parent_goid && strcmp(path, "parentGoid") == 0)
			break;
		if (strcmp(fields[i].type, type) == 0 && strcmp(fields[i].path, path) == 0) {
			out->offset = fields[i].offset;
			out->size = fields[i].size;
			return 0;
		}
	}
	return insp_err_set(err, INSP_E_LAYOUT, "no field %s.%s", type, path);
}

static void *
host_alloc(void *ctx, size_t size)
{
	struct fake *f = ctx;
	size_t n = f->nallocs++;
	void **grown, *p;

	if ((f->fault == F_ALLOC && n == f->at) || size > ALLOC_CAP - f->alloc_bytes)
		return NULL;
	grown = realloc(f->blocks, (f->nblocks + 1) * sizeof(*f->blocks));
	assert_non_null(grown);
	f->blocks = grown;
	p = calloc(1, size ? size : 1);
	assert_non_null(p);
	f->blocks[f->nblocks++] = p;
	f->alloc_bytes += size;
	return p;
}

static struct insp_task *
host_add_task(void *ctx)
{
	struct fake *f = ctx;
	struct insp_task *t = host_alloc(ctx, sizeof(*t)), **grown;

	if (!t)
		return NULL;
	grown = realloc(f->tasks, (f->ntasks + 1) * sizeof(*f->tasks));
	assert_non_null(grown);
	f->tasks = grown;
	t->wait_ns = -1;
	f->tasks[f->ntasks++] = t;
	return t;
}

static void
host_add_reason(void *ctx, const char *reason)
{
	struct fake *f = ctx;
	const char **grown = realloc(f->reasons, (f->nreasons + 1) * sizeof(*f->reasons));

	assert_non_null(grown);
	assert_non_null(reason);
	f->reasons = grown;
	f->reasons[f->nreasons++] = reason;
}

static void
host_set_info(void *ctx, const char *key, const char *value)
{
	struct fake *f = ctx;

	assert_non_null(key);
	assert_non_null(value);
	if (strcmp(key, "go_version") == 0)
		snprintf(f->go_version, sizeof(f->go_version), "%s", value);
	if (strcmp(key, "registry") == 0)
		snprintf(f->registry_source, sizeof(f->registry_source), "%s", value);
}

static void
host_note(void *ctx, const char *fmt, ...)
{
	struct fake *f = ctx;
	char buf[512], **grown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	grown = realloc(f->notes, (f->nnotes + 1) * sizeof(*f->notes));
	assert_non_null(grown);
	f->notes = grown;
	f->notes[f->nnotes] = strdup(buf);
	assert_non_null(f->notes[f->nnotes]);
	f->nnotes++;
}

static void
put_string(struct fake *f, uint64_t *at, uint64_t entry, const char *s)
{
	size_t len = strlen(s);

	memcpy(mem_at(f, *at, len), s, len);
	poke64(f, entry, *at);
	poke64(f, entry + 8, len);
	*at += len;
}

/* Frames at the top of the stack [lo, lo + STACK_SIZE): the innermost at pc, then
 * one per return address in rets (the last one a TOPFRAME, which needs no frame
 * size). Returns the innermost sp. */
static uint64_t
lay_stack(struct fake *f, uint64_t lo, uint64_t pc, const uint64_t *rets, size_t n)
{
	uint64_t need = 0, top, sp;

	for (size_t i = 0; i < n; i++) {
		int32_t d = delta_at(i ? rets[i - 1] : pc);

		assert_true(d >= 0);
		need += (uint64_t)d + 8;
	}
	top = (lo + STACK_SIZE - 64 - need) & ~7ull;
	sp = top;
	for (size_t i = 0; i < n; i++) {
		int32_t d = delta_at(i ? rets[i - 1] : pc);

		poke64(f, sp + (uint64_t)d, rets[i]);
		sp += (uint64_t)d + 8;
	}
	return top;
}

static uint64_t
g_addr(int i)
{
	return GS + (uint64_t)i * G_STRIDE;
}

static uint64_t
stack_lo(int i)
{
	return STACKS + (uint64_t)i * 0x10000;
}

/* A g: its stack mapped and its header filled; the caller lays out the stack. */
static void
put_g(struct fake *f, int i, uint64_t goid, uint32_t status, uint8_t reason, uint64_t startpc)
{
	uint64_t g = g_addr(i);

	map(f, g, G_SIZE);
	poke64(f, GARR + 8 * (uint64_t)i, g);
	poke32(f, g + G_STATUS, status);
	poke8(f, g + G_WAITREASON, reason);
	poke64(f, g + G_GOID, goid);
	poke64(f, g + G_STARTPC, startpc);
	if (status == S_DEAD)
		return;
	map(f, stack_lo(i), STACK_SIZE);
	poke64(f, g + G_STACK_LO, stack_lo(i));
	poke64(f, g + G_STACK_HI, stack_lo(i) + STACK_SIZE);
}

/* No DWARF to hand out: the plugin falls back to what symbols and code tell. */
static void *
host_dwarf(void *ctx)
{
	(void)ctx;
	return NULL;
}

static void
fake_init(struct fake *f)
{
	uint64_t at = STRS, rets[2], sp;

	memset(f, 0, sizeof(*f));
	f->h = (struct insp_host){
		.ctx = f,
		.exe_path = img.path,
		.has_dwarf = true,
		.symbol = host_symbol,
		.section = host_section,
		.type_size = host_type_size,
		.field = host_field,
		.dwarf = host_dwarf,
		.read = host_read,
		.readv = host_readv,
		.stop_ns = STOP_NS,
		.alloc = host_alloc,
		.add_task = host_add_task,
		.add_reason = host_add_reason,
		.set_info = host_set_info,
		.note = host_note,
	};
	f->at = SIZE_MAX;
	f->rng = 0x9e3779b97f4a7c15ull;
	/* the registry */
	map(f, img.allglen, 8);
	poke64(f, img.allglen, NG);
	map(f, img.allgptr, 8);
	poke64(f, img.allgptr, GARR);
	map(f, img.allm, 8);
	poke64(f, img.allm, M1);
	map(f, GARR, 8 * NG);
	/* wait reasons */
	map(f, img.reasons, img.nreasons * 16);
	map(f, STRS, 32 * img.nreasons);
	for (size_t i = 1; i < img.nreasons; i++) {
		char s[48];

		snprintf(s, sizeof(s), "wait reason %zu", i);
		put_string(f, &at, img.reasons + 16 * i, s);
	}
	/* g[0]: parked in gopark <- main.main <- goexit */
	put_g(f, 0, 1, S_WAITING, REASON_A, img.main_entry);
	rets[0] = img.main_ret;
	rets[1] = img.goexit_ret;
	sp = lay_stack(f, stack_lo(0), img.park_ret, rets, 2);
	poke64(f, g_addr(0) + G_SCHED_SP, sp);
	poke64(f, g_addr(0) + G_SCHED_PC, img.park_ret);
	poke64(f, g_addr(0) + G_WAITSINCE, (uint64_t)(STOP_NS - 5000000000ll));
	/* g[1]: dead */
	put_g(f, 1, 7, S_DEAD, 0, 0);
	/* g[2]: running main.main <- goexit on the thread; g.sched is empty */
	put_g(f, 2, 9, S_RUNNING, 0, img.main_entry);
	poke64(f, g_addr(2) + G_GOPC, img.main_ret);
	rets[0] = img.goexit_ret;
	f->thread = (struct insp_thread){ .tid = TID, .state = 'R', .name = "hello" };
	f->thread.pc = img.main_pc;
	f->thread.sp = lay_stack(f, stack_lo(2), img.main_pc, rets, 1);
	f->thread.regs_ok = true;
	/* g[3]: a system goroutine parked in gopark <- forcegchelper <- goexit */
	put_g(f, 3, 12, S_WAITING, (uint8_t)(img.nreasons - 1), img.fgc_entry);
	poke64(f, g_addr(3) + G_GOPC, img.main_ret);
	poke64(f, g_addr(3) + G_LOCKEDM, M1);
	rets[0] = img.fgc_ret;
	rets[1] = img.goexit_ret;
	sp = lay_stack(f, stack_lo(3), img.park_ret, rets, 2);
	poke64(f, g_addr(3) + G_SCHED_SP, sp);
	poke64(f, g_addr(3) + G_SCHED_PC, img.park_ret);
	/* the M, and its g0 that points back at it */
	map(f, M1, M_SIZE);
	poke64(f, M1 + M_PROCID, TID);
	poke64(f, M1 + M_CURG, g_addr(2));
	poke64(f, M1 + M_G0, G0);
	map(f, G0, G_SIZE);
	poke64(f, G0 + G_M, M1);
	/* allgs, the slice header that allglen and allgptr copy */
	map(f, img.allgs, 24);
	poke64(f, img.allgs, GARR);
	poke64(f, img.allgs + 8, NG);
	poke64(f, img.allgs + 16, NG);
}

static void
fake_release(struct fake *f)
{
	for (size_t i = 0; i < f->nregions; i++)
		free(f->regions[i].bytes);
	for (size_t i = 0; i < f->nblocks; i++)
		free(f->blocks[i]);
	for (size_t i = 0; i < f->nnotes; i++)
		free(f->notes[i]);
	free(f->blocks);
	free(f->tasks);
	free(f->reasons);
	free(f->notes);
}

/* ---- driving the plugin ---- */

enum phase { P_PROBE, P_PREPARE, P_CAPTURE, P_DECODE, P_DONE };

static const char *const phase_names[] = { "probe", "prepare", "capture", "decode", "done" };

/* Called between prepare and capture, when the target changes under the plugin. */
typedef void (*between_fn)(struct fake *f);

/* probe, prepare, capture, decode and release, as mdl_snapshot_capture does;
 * returns the phase that failed (P_DONE if none). */
static enum phase
run(struct fake *f, struct insp_err *err, between_fn between)
{
	const struct insp_plugin *p = insp_plugin_entry();
	void *state = NULL;
	enum phase ph = P_PROBE;

	*err = (struct insp_err)INSP_ERR_INIT;
	assert_int_equal(p->abi, INSP_ABI_VERSION);
	if (p->probe(&f->h, err) != 1)
		goto out;
	ph = P_PREPARE;
	if (p->prepare(&f->h, &state, err) < 0)
		goto out;
	if (between)
		between(f);
	f->h.threads = &f->thread;
	f->h.nthreads = 1;
	ph = P_CAPTURE;
	if (p->capture(state, &f->h, err) < 0)
		goto out;
	ph = P_DECODE;
	if (p->decode(state, &f->h, err) < 0)
		goto out;
	ph = P_DONE;
out:
	p->release(state);
	return ph;
}

/* Every string of every task can be read (ASan and valgrind check the bytes; the
 * sum is kept so that the compiler keeps the strlen calls). */
static volatile size_t strings_sum;

static void
check_tasks(const struct fake *f)
{
	size_t sum = 0;

	for (size_t i = 0; i < f->ntasks; i++) {
		const struct insp_task *t = f->tasks[i];
		const struct insp_loc *locs[] = { &t->top, &t->user_top, &t->go_pc, &t->start };

		assert_non_null(t->state);
		sum += strlen(t->state);
		if (t->reason)
			sum += strlen(t->reason);
		if (t->note)
			sum += strlen(t->note);
		for (size_t k = 0; k < 4; k++) {
			if (locs[k]->func)
				sum += strlen(locs[k]->func);
			if (locs[k]->file)
				sum += strlen(locs[k]->file);
		}
	}
	for (size_t i = 0; i < f->nreasons; i++)
		sum += strlen(f->reasons[i]);
	for (size_t i = 0; i < f->nnotes; i++)
		sum += strlen(f->notes[i]);
	strings_sum += sum;
}

/* A documented outcome: success, or -1 with one of the plugin's codes and a message. */
static void
check_outcome(const char *tc, const struct fake *f, enum phase ph, const struct insp_err *err)
{
	if (ph == P_DONE) {
		check_tasks(f);
		return;
	}
	if (ph == P_PROBE)
		fail_msg("%s: probe failed", tc);
	if (err->code != INSP_E_CORRUPT && err->code != INSP_E_LAYOUT &&
	    err->code != INSP_E_EXITED && err->code != INSP_E_SYS)
		fail_msg("%s: %s failed with code %d (%s)", tc, phase_names[ph], (int)err->code,
			 err->msg);
	if (!err->msg[0])
		fail_msg("%s: %s failed without a message", tc, phase_names[ph]);
}

static const struct insp_task *
task(const struct fake *f, size_t i)
{
	assert_true(i < f->ntasks);
	return f->tasks[i];
}

static bool
has_note(const struct fake *f, const char *part)
{
	for (size_t i = 0; i < f->nnotes; i++)
		if (strstr(f->notes[i], part))
			return true;
	return false;
}

/* The clean process as fake_init builds it, decoded. */
static void
check_clean(const struct fake *f)
{
	const struct insp_task *t;
	char want[48];

	assert_int_equal(f->ntasks, 3);
	assert_int_equal(f->nnotes, 0);
	/* g[0] */
	t = task(f, 0);
	assert_int_equal(t->id, 1);
	assert_str(t->state, "waiting");
	snprintf(want, sizeof(want), "wait reason %d", REASON_A);
	assert_str(t->reason, want);
	assert_int_equal(t->wait_ns, 5000000000ll);
	assert_str(t->top.func, "runtime.gopark");
	assert_int_equal(t->top.pc, img.park_ret);
	assert_non_null(t->top.file);
	assert_str(t->user_top.func, "main.main");
	assert_int_equal(t->user_top.pc, img.main_ret);
	assert_str(t->start.func, "main.main");
	assert_null(t->go_pc.func);
	assert_int_equal(t->tid, 0);
	assert_int_equal(t->flags, 0);
	assert_null(t->note);
	/* g[2] */
	t = task(f, 1);
	assert_int_equal(t->id, 9);
	assert_str(t->state, "running");
	assert_null(t->reason);
	assert_int_equal(t->wait_ns, -1);
	assert_str(t->top.func, "main.main");
	assert_int_equal(t->top.pc, img.main_pc);
	assert_str(t->user_top.func, "main.main");
	assert_str(t->go_pc.func, "main.main");
	assert_int_equal(t->tid, TID);
	assert_int_equal(t->flags, INSP_TASK_ON_THREAD);
	assert_null(t->note);
	/* g[3] */
	t = task(f, 2);
	assert_int_equal(t->id, 12);
	snprintf(want, sizeof(want), "wait reason %zu", img.nreasons - 1);
	assert_str(t->reason, want);
	assert_str(t->top.func, "runtime.gopark");
	assert_null(t->user_top.func);
	assert_str(t->start.func, "runtime.forcegchelper");
	assert_int_equal(t->flags, INSP_TASK_SYSTEM | INSP_TASK_LOCKED);
	assert_null(t->note);
}

/* Reads and allocs of a clean run, counted in 1.x for 2.x. */
static size_t clean_reads, clean_allocs;

/* 1.x: a clean fake process decodes */
static void
test_clean(void **state)
{
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	fake_init(&f);
	/* 1.1 probe, prepare, capture, decode */
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(err.code, INSP_E_OK);
	/* 1.2 the version, and every wait reason but the empty one */
	assert_int_equal(strncmp(f.go_version, "go1.", 4), 0);
	assert_int_equal(f.nreasons, img.nreasons - 1);
	assert_str(f.reasons[0], "wait reason 1");
	/* 1.3 the tasks */
	check_clean(&f);
	/* 1.4 the same without g.parentGoid */
	fake_release(&f);
	fake_init(&f);
	f.no_parent_goid = true;
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	check_clean(&f);
	clean_reads = f.nreads;
	clean_allocs = f.nallocs;
	print_message("    %s: %zu reads, %zu allocs, %zu wait reasons\n", f.go_version,
		      clean_reads, clean_allocs, img.nreasons);
	fake_release(&f);
}

#define SEEDS 8 /* random garbage: seeds per read */

/* 2.1-2.5: read N fails, returns garbage (random, 0xff, zeros) or finds the process
 * gone, for every N; N = the number of reads is the clean run again. */
static void
test_read_faults(void **state)
{
	static const enum fault faults[] = { F_FAIL, F_RANDOM, F_ONES, F_ZEROS, F_EXIT };
	size_t runs = 0, ok = 0, codes[16] = { 0 };

	(void)state;
	NEED_IMAGE();
	assert_true(clean_reads > 0);
	for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
		for (size_t n = 0; n <= clean_reads; n++) {
			for (unsigned seed = 0; seed < (faults[k] == F_RANDOM ? SEEDS : 1u);
			     seed++) {
				struct insp_err err;
				struct fake f;
				enum phase ph;
				char tc[64];

				snprintf(tc, sizeof(tc), "2.%zu read %zu %s (seed %u)", k + 1, n,
					 fault_names[faults[k]], seed);
				fake_init(&f);
				f.fault = faults[k];
				f.at = n;
				f.rng ^= (uint64_t)(seed + 1) * 0x2545f4914f6cdd1dull;
				ph = run(&f, &err, NULL);
				check_outcome(tc, &f, ph, &err);
				if (n == clean_reads) {
					/* no fault happened */
					if (ph != P_DONE)
						fail_msg("%s: %s", tc, err.msg);
					check_clean(&f);
				} else if (faults[k] == F_EXIT && ph != P_DONE &&
					   err.code != INSP_E_EXITED) {
					fail_msg("%s: the process is gone, but: %s", tc, err.msg);
				} else if (faults[k] == F_EXIT && ph == P_DONE) {
					fail_msg("%s: succeeded without the process", tc);
				}
				runs++;
				ok += ph == P_DONE;
				codes[ph == P_DONE ? 0 : err.code % 16]++;
				fake_release(&f);
			}
		}
	}
	print_message("    %zu runs over %zu read points: %zu decoded, %zu corrupt, %zu gone, "
		      "%zu layout, %zu system\n",
		      runs, clean_reads + 1, ok, codes[INSP_E_CORRUPT], codes[INSP_E_EXITED],
		      codes[INSP_E_LAYOUT], codes[INSP_E_SYS]);
}

/* The notes of decode.c for a stack it could not copy. */
#define OUTSIDE    "its stack is outside its bounds"
#define UNREADABLE "its stack could not be read"
#define BADBOUNDS  "its stack was not copied: its bounds are no stack's (corrupt)"

/* A process whose decode allocates more: a wait reason past the table, a status
 * no Go release uses (left out, with a note), a stack outside its bounds (a note). */
static void
noisy(struct fake *f)
{
	poke8(f, g_addr(0) + G_WAITREASON, 200);
	poke32(f, g_addr(2) + G_STATUS, 0x77);
	poke64(f, g_addr(3) + G_SCHED_SP, 0);
}

/* 2.6: alloc N (or add_task N) returns NULL, for every N; 2.7 the same on the
 * noisy process */
static void
test_alloc_faults(void **state)
{
	size_t total = 0;

	(void)state;
	NEED_IMAGE();
	for (int k = 0; k < 2; k++) {
		struct insp_err err;
		struct fake f;
		size_t allocs;

		fake_init(&f);
		if (k)
			noisy(&f);
		assert_int_equal(run(&f, &err, NULL), P_DONE);
		allocs = f.nallocs;
		if (k) {
			assert_int_equal(f.ntasks, 2);
			assert_str(task(&f, 0)->reason, "unknown wait reason 200");
			assert_str(task(&f, 1)->note, OUTSIDE);
			assert_true(has_note(&f, "have a status no Go release uses"));
		}
		fake_release(&f);
		for (size_t n = 0; n <= allocs; n++) {
			enum phase ph;
			char tc[64];

			snprintf(tc, sizeof(tc), "2.%d alloc %zu fails", 6 + k, n);
			fake_init(&f);
			if (k)
				noisy(&f);
			f.fault = F_ALLOC;
			f.at = n;
			ph = run(&f, &err, NULL);
			check_outcome(tc, &f, ph, &err);
			if (n == allocs && ph != P_DONE)
				fail_msg("%s: %s", tc, err.msg);
			if (n == allocs && !k)
				check_clean(&f);
			fake_release(&f);
		}
		total += allocs + 1;
	}
	print_message("    %zu alloc points\n", total);
}

static void
huge_allglen(struct fake *f)
{
	poke64(f, img.allglen, (16u << 20) + 1);
}

/* 3.1: allglen past 16M goroutines, before the stop and while stopped */
static void
test_allglen(void **state)
{
	static const uint64_t bad[] = { (16u << 20) + 1, 1ull << 40, UINT64_MAX };
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&f);
		poke64(&f, img.allglen, bad[i]);
		assert_int_equal(run(&f, &err, NULL), P_PREPARE);
		assert_int_equal(err.code, INSP_E_CORRUPT);
		assert_non_null(strstr(err.msg, "allglen"));
		fake_release(&f);
	}
	fake_init(&f);
	assert_int_equal(run(&f, &err, huge_allglen), P_CAPTURE);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	fake_release(&f);
	/* 3.1.1 zero goroutines: nothing, and no error */
	fake_init(&f);
	poke64(&f, img.allglen, 0);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(f.ntasks, 0);
	fake_release(&f);
}

/* 3.2: allgptr pointing nowhere, and at 0: the entries are read before the stop */
static void
test_allgptr(void **state)
{
	static const uint64_t bad[] = { NOWHERE, 0, UINT64_MAX - 7 };
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&f);
		poke64(&f, img.allgptr, bad[i]);
		assert_int_equal(run(&f, &err, NULL), P_PREPARE);
		assert_int_equal(err.code, INSP_E_CORRUPT);
		fake_release(&f);
	}
}

/* 3.3: a g pointer pointing nowhere: the other gs still decode, with a note */
static void
test_gptr(void **state)
{
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	fake_init(&f);
	poke64(&f, GARR, NOWHERE);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(f.ntasks, 2);
	assert_int_equal(task(&f, 0)->id, 9);
	assert_int_equal(task(&f, 1)->id, 12);
	assert_true(has_note(&f, "1 of 4 g structs could not be read"));
	fake_release(&f);
	/* 3.3.1 every g pointer, and one past the end of memory */
	fake_init(&f);
	for (int i = 0; i < NG; i++)
		poke64(&f, GARR + 8 * (uint64_t)i,
		       i ? NOWHERE + 0x1000 * (uint64_t)i : UINT64_MAX - 16);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(f.ntasks, 0);
	assert_true(has_note(&f, "4 of 4 g structs could not be read"));
	fake_release(&f);
	/* 3.3.2 the same g listed again (issue 13): reported once, with a note */
	fake_init(&f);
	poke64(&f, GARR + 8, g_addr(0));
	poke64(&f, GARR + 24, g_addr(0));
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(f.ntasks, 2);
	assert_int_equal(task(&f, 0)->id, 1);
	assert_int_equal(task(&f, 1)->id, 9);
	assert_true(has_note(&f, "lists a g more than once (2 of its 4 entries)"));
	fake_release(&f);
}

/* 3.4: an M list that loops ends with an error */
static void
test_mloop(void **state)
{
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	/* 3.4.1 alllink to itself */
	fake_init(&f);
	poke64(&f, M1 + M_ALLLINK, M1);
	assert_int_equal(run(&f, &err, NULL), P_CAPTURE);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	assert_non_null(strstr(err.msg, "allm"));
	fake_release(&f);
	/* 3.4.2 a cycle of two */
	fake_init(&f);
	map(&f, M2, M_SIZE);
	poke64(&f, M1 + M_ALLLINK, M2);
	poke64(&f, M2 + M_ALLLINK, M1);
	assert_int_equal(run(&f, &err, NULL), P_CAPTURE);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	fake_release(&f);
	/* 3.4.3 alllink to nowhere */
	fake_init(&f);
	poke64(&f, M1 + M_ALLLINK, NOWHERE);
	assert_int_equal(run(&f, &err, NULL), P_CAPTURE);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	fake_release(&f);
}

/* The fake's corrupt waitReasonStrings gave way to the release's table. */
static void
table_reasons(struct fake *f)
{
	struct insp_err err;

	assert_int_equal(run(f, &err, NULL), P_DONE);
	assert_true(has_note(f, "runtime.waitReasonStrings is corrupt"));
	assert_true(has_note(f, "from inspect's table"));
	assert_non_null(task(f, 0)->reason);
	assert_string_not_equal(task(f, 0)->reason, "wait reason 3");
}

/* 3.5: wait reason strings with huge lengths, or a length without a pointer: the
 * release's table, with a note (issue 13) */
static void
test_reason_len(void **state)
{
	static const uint64_t bad[] = { 65, 1ull << 40, UINT64_MAX };
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&f);
		poke64(&f, img.reasons + 16 * 5 + 8, bad[i]);
		table_reasons(&f);
		fake_release(&f);
	}
	/* 3.5.1 a length with a NULL pointer */
	fake_init(&f);
	poke64(&f, img.reasons + 16 * 0 + 8, 4);
	table_reasons(&f);
	fake_release(&f);
	/* 3.5.2 a string that cannot be read */
	fake_init(&f);
	poke64(&f, img.reasons + 16 * 2, NOWHERE);
	table_reasons(&f);
	fake_release(&f);
	/* 3.5.3 the longest string the plugin takes, 64 bytes */
	fake_init(&f);
	poke64(&f, img.reasons + 16 * REASON_A, STRS);
	poke64(&f, img.reasons + 16 * REASON_A + 8, 64);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(strlen(task(&f, 0)->reason), 64);
	fake_release(&f);
}

/* 3.6: a wait reason index past the table */
static void
test_reason_index(void **state)
{
	const uint8_t bad[] = { (uint8_t)img.nreasons, 255 };
	struct insp_err err;
	struct fake f;
	char want[48];

	(void)state;
	NEED_IMAGE();
	for (size_t i = 0; i < sizeof(bad); i++) {
		fake_init(&f);
		poke8(&f, g_addr(0) + G_WAITREASON, bad[i]);
		assert_int_equal(run(&f, &err, NULL), P_DONE);
		assert_int_equal(f.ntasks, 3);
		snprintf(want, sizeof(want), "unknown wait reason %u", bad[i]);
		assert_str(task(&f, 0)->reason, want);
		fake_release(&f);
	}
}

/* 3.7: sched.sp outside [stack.lo, stack.hi): a task with a note */
static void
test_sp_outside(void **state)
{
	struct insp_err err;
	struct fake f;
	uint64_t sp;
	const uint64_t bad[] = { stack_lo(0) + STACK_SIZE, stack_lo(0) - 8, 0, UINT64_MAX };

	(void)state;
	NEED_IMAGE();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&f);
		poke64(&f, g_addr(0) + G_SCHED_SP, bad[i]);
		assert_int_equal(run(&f, &err, NULL), P_DONE);
		assert_int_equal(f.ntasks, 3);
		assert_int_equal(task(&f, 0)->id, 1);
		assert_str(task(&f, 0)->note, OUTSIDE);
		assert_null(task(&f, 1)->note);
		fake_release(&f);
	}
	/* 3.7.1 stack bounds upside down */
	fake_init(&f);
	poke64(&f, g_addr(0) + G_STACK_HI, stack_lo(0));
	poke64(&f, g_addr(0) + G_STACK_LO, stack_lo(0) + STACK_SIZE);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(task(&f, 0)->note, BADBOUNDS);
	fake_release(&f);
	/* 3.7.2 a stack of 1 TiB, wider than the runtime's maxstacksize: not copied
	 * (issue 13: it would hide every stack it overlaps) */
	fake_init(&f);
	poke64(&f, g_addr(0) + G_STACK_HI, stack_lo(0) + (1ull << 40));
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(task(&f, 0)->note, BADBOUNDS);
	assert_str(task(&f, 1)->top.func, "main.main");
	fake_release(&f);
	/* 3.7.3 the running goroutine's thread is on another stack (its g0's):
	 * g.sched, here zero */
	fake_init(&f);
	f.thread.sp = stack_lo(0) + 64;
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(task(&f, 1)->note, OUTSIDE);
	assert_int_equal(task(&f, 1)->tid, TID);
	fake_release(&f);
	/* 3.7.4 ... here parked in gopark, as during a systemstack call */
	fake_init(&f);
	f.thread.sp = 0x7f0000001000;
	sp = lay_stack(&f, stack_lo(2), img.park_ret, (uint64_t[]){ img.main_ret, img.goexit_ret },
		       2);
	poke64(&f, g_addr(2) + G_SCHED_SP, sp);
	poke64(&f, g_addr(2) + G_SCHED_PC, img.park_ret);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_null(task(&f, 1)->note);
	assert_str(task(&f, 1)->top.func, "runtime.gopark");
	assert_str(task(&f, 1)->user_top.func, "main.main");
	fake_release(&f);
}

/* 3.8: stacks whose return addresses loop: the walk is bounded */
static void
test_stack_loop(void **state)
{
	struct insp_err err;
	struct fake f;
	uint64_t sp, lo = stack_lo(0);
	int32_t d = delta_at(img.park_ret);

	(void)state;
	NEED_IMAGE();
	/* 3.8.1 gopark returning into gopark, all the way up the stack */
	fake_init(&f);
	sp = lo + 8;
	poke64(&f, g_addr(0) + G_SCHED_SP, sp);
	for (uint64_t a = sp + (uint64_t)d; a + 8 <= lo + STACK_SIZE; a += (uint64_t)d + 8)
		poke64(&f, a, img.park_ret);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(task(&f, 0)->top.func, "runtime.gopark");
	assert_null(task(&f, 0)->user_top.func);
	fake_release(&f);
	/* 3.8.2 every word a function's entry (no frame there): 8-byte frames */
	fake_init(&f);
	for (uint64_t a = lo; a < lo + STACK_SIZE; a += 8)
		poke64(&f, a, img.fgc_entry);
	poke64(&f, g_addr(0) + G_SCHED_SP, lo);
	poke64(&f, g_addr(0) + G_SCHED_PC, img.fgc_entry);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(task(&f, 0)->top.func, "runtime.forcegchelper");
	fake_release(&f);
	/* 3.8.3 a return address in no function */
	fake_init(&f);
	sp = lay_stack(&f, lo, img.park_ret, (uint64_t[]){ 0x10, 0 }, 1);
	poke64(&f, g_addr(0) + G_SCHED_SP, sp);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_non_null(task(&f, 0)->note);
	assert_non_null(strstr(task(&f, 0)->note, "unknown pc"));
	fake_release(&f);
}

#define BIG_STACKS (HEAP + 0x1000000) /* 2 MiB: two stacks of 1 MiB */

/* Between prepare and capture, g[0] and g[3] move to stacks of 1 MiB each, used
 * to the bottom: more than was reserved for their stacks before the stop. */
static void
grow_stacks(struct fake *f)
{
	map(f, BIG_STACKS, 2u << 20);
	for (int k = 0; k < 2; k++) {
		uint64_t g = g_addr(k ? 3 : 0), lo = BIG_STACKS + ((uint64_t)k << 20);

		poke64(f, g + G_STACK_LO, lo);
		poke64(f, g + G_STACK_HI, lo + (1u << 20));
		poke64(f, g + G_SCHED_SP, lo);
	}
}

/* 3.9: stacks that do not fit what was reserved before the stop are cut with a
 * note (nothing is allocated while stopped); overlapping stacks are not copied
 * (issue 13) */
static void
test_stack_reserve(void **state)
{
	struct insp_err err;
	struct fake f;
	int cut = 0, overlap = 0;

	(void)state;
	NEED_IMAGE();
	/* 3.9.1 grown between prepare and capture: one fits, one does not */
	fake_init(&f);
	assert_int_equal(run(&f, &err, grow_stacks), P_DONE);
	assert_int_equal(f.ntasks, 3);
	for (size_t i = 0; i < f.ntasks; i++)
		cut += task(&f, i)->note && strstr(task(&f, i)->note, "filled the copy limit");
	assert_int_equal(cut, 1);
	assert_true(has_note(&f, "the stacks of 1 goroutines were not copied: they did not fit"));
	fake_release(&f);
	/* 3.9.2 g[3] claims g[0]'s stack: one of them is copied */
	fake_init(&f);
	poke64(&f, g_addr(3) + G_STACK_LO, stack_lo(0));
	poke64(&f, g_addr(3) + G_STACK_HI, stack_lo(0) + STACK_SIZE);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_int_equal(f.ntasks, 3);
	for (size_t i = 0; i < f.ntasks; i++)
		overlap += task(&f, i)->note && strstr(task(&f, i)->note, "overlap another");
	assert_int_equal(overlap, 1);
	assert_true(
		has_note(&f, "the stacks of 1 goroutines were not copied: their bounds overlap"));
	fake_release(&f);
}

/* A binary without names for the registry is refused in prepare, with what was tried. */
static void
expect_unlocated(struct fake *f, const char *tried)
{
	struct insp_err err;

	assert_int_equal(run(f, &err, NULL), P_PREPARE);
	assert_int_equal(err.code, INSP_E_LAYOUT);
	assert_non_null(strstr(err.msg, "could not locate the goroutine registry"));
	assert_non_null(strstr(err.msg, tried));
	fake_release(f);
}

/* 4.x: without names (a stripped binary) the registry is found through the code of
 * runtime.allgadd and mcommoninit (the real binary's), or refused: never a guess;
 * in a library's runtime, the first g may be a later goroutine's */
static void
test_located(void **state)
{
	struct insp_err err;
	struct fake f;

	(void)state;
	NEED_IMAGE();
	/* 4.1 found: the same tasks as with names */
	fake_init(&f);
	f.no_registry_names = true;
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	check_clean(&f);
	assert_str(f.registry_source, "code of runtime.allgadd and mcommoninit");
	fake_release(&f);
	/* 4.2 the first g is not goroutine 1 */
	fake_init(&f);
	f.no_registry_names = true;
	poke64(&f, g_addr(0) + G_GOID, 2);
	expect_unlocated(&f, "runtime.allgadd");
	/* 4.3 allgptr does not hold allgs' data pointer */
	fake_init(&f);
	f.no_registry_names = true;
	poke64(&f, img.allgptr, GARR + 8);
	expect_unlocated(&f, "runtime.allgadd");
	/* 4.4 allglen does not hold its length */
	fake_init(&f);
	f.no_registry_names = true;
	poke64(&f, img.allglen, NG + 1);
	expect_unlocated(&f, "runtime.allgadd");
	/* 4.5 a g with an unknown status */
	fake_init(&f);
	f.no_registry_names = true;
	poke32(&f, g_addr(2) + G_STATUS, 77);
	expect_unlocated(&f, "runtime.allgadd");
	/* 4.6 the M's g0 does not point back at it */
	fake_init(&f);
	f.no_registry_names = true;
	poke64(&f, G0 + G_M, M2);
	expect_unlocated(&f, "runtime.mcommoninit");
	/* 4.7 two gs with one goroutine id (g[3] has dead g[1]'s) */
	fake_init(&f);
	f.no_registry_names = true;
	poke64(&f, g_addr(3) + G_GOID, 7);
	expect_unlocated(&f, "runtime.allgadd");
	/* 4.8 a library's runtime (c-shared): runtime.main returned after its init, and
	 * a later goroutine reused its g, the first: found */
	fake_init(&f);
	f.no_registry_names = true;
	f.h.image_is_lib = true;
	poke64(&f, g_addr(0) + G_GOID, 2);
	assert_int_equal(run(&f, &err, NULL), P_DONE);
	assert_str(f.registry_source, "code of runtime.allgadd and mcommoninit");
	fake_release(&f);
	/* 4.9 a library's, but the first g has goroutine id 0 (never numbered) */
	fake_init(&f);
	f.no_registry_names = true;
	f.h.image_is_lib = true;
	poke64(&f, g_addr(0) + G_GOID, 0);
	expect_unlocated(&f, "runtime.allgadd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),         cmocka_unit_test(test_read_faults),
		cmocka_unit_test(test_alloc_faults),  cmocka_unit_test(test_allglen),
		cmocka_unit_test(test_allgptr),       cmocka_unit_test(test_gptr),
		cmocka_unit_test(test_mloop),         cmocka_unit_test(test_reason_len),
		cmocka_unit_test(test_reason_index),  cmocka_unit_test(test_sp_outside),
		cmocka_unit_test(test_stack_loop),    cmocka_unit_test(test_located),
		cmocka_unit_test(test_stack_reserve),
	};

	/* a hang is a failure too */
	alarm(120);
	return cmocka_run_group_tests_name("registry", tests, setup_image, teardown_image) ? 1 : 0;
}
