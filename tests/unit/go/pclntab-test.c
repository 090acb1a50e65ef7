/* Unit tests of plugins/go/pclntab.c and plugins/go/unwind.c: a pclntab built in
 * memory, the pclntab of a real Go binary (INSPECT_TEST_GOBIN, built from
 * testdata/hello; skipped without it), and that binary's pclntab cut short,
 * flipped and scrambled, which must give -1 or some answer, never a crash.
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

#include "pclntab.h"
#include "unwind.h"

/* Lines of testdata/hello/main.go (see the LINE_ markers there). */
#define LINE_LEAF        9
#define LINE_TWICE       14
#define LINE_CALL        21
#define LINE_MAIN        30
#define LINE_MAIN_END    34
#define LINE_COMPUTE     18 /* func compute */
#define LINE_COMPUTE_END 24

/* ---- a pclntab built in memory ---- */

struct buf {
	uint8_t b[1024];
	size_t n;
};

static size_t
put(struct buf *b, const void *p, size_t n)
{
	size_t at = b->n;

	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
	return at;
}

static void
le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
put32at(struct buf *b, size_t at, uint32_t v)
{
	le32(b->b + at, v);
}

static void
put64at(struct buf *b, size_t at, uint64_t v)
{
	le64(b->b + at, v);
}

static size_t
put32(struct buf *b, uint32_t v)
{
	size_t at = put(b, "\0\0\0\0", 4);

	put32at(b, at, v);
	return at;
}

#define SYN_TEXT 0x1000

/* Three functions of 0x10 bytes at SYN_TEXT in a Go 1.20 layout:
 *   syn.neg   pcsp -16 (corrupt: SP would fall)
 *   syn.mid   pcsp -1 at entry (first value delta 0), then 8; lines 10, 11
 *   syn.top   TOPFRAME, pcsp 0 */
static void
synth(struct buf *b)
{
	static const uint8_t pcsp_neg[] = { 29, 0x10, 0 };       /* zigzag(-15) = 29 */
	static const uint8_t pcsp_mid[] = { 0, 4, 18, 0x0c, 0 }; /* -1 for 4, +9 -> 8 */
	static const uint8_t pcsp_top[] = { 2, 0x10, 0 };
	static const uint8_t pcln_mid[] = { 22, 8, 2, 8, 0 }; /* 10 for 8, 11 for 8 */
	static const uint8_t pcfile0[] = { 2, 0x10, 0 };      /* file 0 */
	static const char *names[] = { "syn.neg", "syn.mid", "syn.top" };
	static const uint8_t flags[] = { 0, 0, GORT_FUNC_TOPFRAME };
	size_t hdr_names, o_names, o_cu, o_files, o_pctab, o_ftab, ftab_at;
	size_t nameoff[3], sp[3], ln, fl, funcat[3];
	int i;

	memset(b, 0, sizeof(*b));
	put32(b, 0xfffffff1);
	put(b, "\0\0\1\x08", 4);
	hdr_names = b->n;
	b->n = 72;
	o_names = put(b, "", 1);
	for (i = 0; i < 3; i++)
		nameoff[i] = put(b, names[i], strlen(names[i]) + 1) - o_names;
	o_cu = put32(b, 0);
	o_files = put(b, "/src/syn.go", 12);
	o_pctab = put(b, "", 1); /* offset 0 means no table */
	sp[0] = put(b, pcsp_neg, sizeof(pcsp_neg)) - o_pctab;
	sp[1] = put(b, pcsp_mid, sizeof(pcsp_mid)) - o_pctab;
	sp[2] = put(b, pcsp_top, sizeof(pcsp_top)) - o_pctab;
	ln = put(b, pcln_mid, sizeof(pcln_mid)) - o_pctab;
	fl = put(b, pcfile0, sizeof(pcfile0)) - o_pctab;
	while (b->n % 4)
		put(b, "", 1);
	o_ftab = b->n;
	ftab_at = b->n;
	b->n += 4 * 8;
	for (i = 0; i < 3; i++) {
		funcat[i] = b->n;
		put32(b, 0x10 * i);        /* entryOff */
		put32(b, nameoff[i]);      /* nameOff */
		put32(b, 0);               /* args */
		put32(b, 0);               /* deferreturn */
		put32(b, sp[i]);           /* pcsp */
		put32(b, fl);              /* pcfile */
		put32(b, i == 1 ? ln : 0); /* pcln */
		put32(b, 0);               /* npcdata */
		put32(b, 0);               /* cuOffset */
		put32(b, 10);              /* startLine */
		put(b, (uint8_t[]){ 0, flags[i], 0, 0 }, 4);
	}
	for (i = 0; i < 3; i++) {
		put32at(b, ftab_at + 8 * i, 0x10 * i);
		put32at(b, ftab_at + 8 * i + 4, funcat[i] - o_ftab);
	}
	put32at(b, ftab_at + 24, 0x30);
	put64at(b, 8, 3);  /* nfunc */
	put64at(b, 16, 1); /* nfiles */
	put64at(b, 24, 0); /* textStart, as in Go 1.26 */
	put64at(b, hdr_names + 24, o_names);
	put64at(b, hdr_names + 32, o_cu);
	put64at(b, hdr_names + 40, o_files);
	put64at(b, hdr_names + 48, o_pctab);
	put64at(b, hdr_names + 56, o_ftab);
}

/* 1.x: the synthetic table: header, find, lookup, pc-value tables */
static void
test_synth_tables(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	struct gort_func f;
	struct gort_srcframe sf[4];
	struct buf b;
	int32_t d;

	(void)state;
	synth(&b);
	/* 1.1 textStart 0 and no text given: Go 1.26 needs moduledata.text */
	assert_int_equal(gort_pclntab_open(&t, b.b, b.n, 0, &err), -1);
	assert_int_equal(err.code, INSP_E_LAYOUT);
	assert_null(t);
	/* 1.2 */
	assert_int_equal(gort_pclntab_open(&t, b.b, b.n, SYN_TEXT, &err), 0);
	assert_int_equal(gort_pclntab_nfunc(t), 3);
	assert_int_equal(gort_pclntab_quantum(t), 1);
	/* 1.3 find at both ends of each function, and outside */
	assert_int_equal(gort_pclntab_find(t, SYN_TEXT - 1, &f), -1);
	assert_int_equal(gort_pclntab_find(t, SYN_TEXT + 0x30, &f), -1);
	assert_int_equal(gort_pclntab_find(t, SYN_TEXT + 0x1f, &f), 0);
	assert_string_equal(f.name, "syn.mid");
	assert_int_equal(f.entry, SYN_TEXT + 0x10);
	assert_int_equal(f.end, SYN_TEXT + 0x20);
	assert_int_equal(gort_pclntab_find(t, SYN_TEXT + 0x20, &f), 0);
	assert_string_equal(f.name, "syn.top");
	assert_int_equal(f.flag, GORT_FUNC_TOPFRAME);
	/* 1.4 lookup */
	assert_int_equal(gort_pclntab_lookup(t, "syn.neg", &f), 0);
	assert_int_equal(f.entry, SYN_TEXT);
	assert_int_equal(gort_pclntab_lookup(t, "syn", &f), -1);
	assert_int_equal(gort_pclntab_lookup(t, "syn.top.x", &f), -1);
	/* 1.5 pcsp: -1 at entry (a zero first delta does not end the table), then 8 */
	assert_int_equal(gort_pclntab_lookup(t, "syn.mid", &f), 0);
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry, &d), 0);
	assert_int_equal(d, -1);
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry + 4, &d), 0);
	assert_int_equal(d, 8);
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry + 0xf, &d), 0);
	assert_int_equal(d, 8);
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry + 0x10, &d), -1);
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry - 1, &d), -1);
	/* 1.6 lines and files; call_site looks up pc-1, but never before entry */
	assert_int_equal(gort_pclntab_frames(t, f.entry + 8, false, sf, 4), 1);
	assert_string_equal(sf[0].func, "syn.mid");
	assert_string_equal(sf[0].file, "/src/syn.go");
	assert_int_equal(sf[0].line, 11);
	assert_false(sf[0].inlined);
	assert_int_equal(gort_pclntab_frames(t, f.entry + 8, true, sf, 4), 1);
	assert_int_equal(sf[0].line, 10);
	assert_int_equal(gort_pclntab_frames(t, f.entry, true, sf, 4), 1);
	assert_int_equal(sf[0].line, 10);
	assert_int_equal(gort_pclntab_frames(t, f.entry, true, sf, 0), -1);
	assert_int_equal(gort_pclntab_frames(t, SYN_TEXT + 0x30, false, sf, 4), -1);
	/* 1.7 no pcln table: the function, no line */
	assert_int_equal(gort_pclntab_frames(t, SYN_TEXT, false, sf, 4), 1);
	assert_string_equal(sf[0].func, "syn.neg");
	assert_int_equal(sf[0].line, 0);
	/* 1.8 a gort_func we did not hand out */
	f.off ^= 4;
	assert_int_equal(gort_pclntab_spdelta(t, &f, f.entry, &d), -1);
	/* 1.9 funcdata outside its bytes */
	assert_int_equal(gort_pclntab_set_funcdata(t, b.b, 16, 0x5000, 0x5010, &err), -1);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	assert_int_equal(gort_pclntab_set_funcdata(t, b.b, 16, 0x5000, 0x500f, &err), 0);
	gort_pclntab_free(t);
	gort_pclntab_free(NULL);
}

/* 2.x: header checks on the synthetic table */
static void
test_synth_header(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	struct buf b, c;
	size_t i;

	(void)state;
	synth(&b);
	/* 2.1 magics */
	c = b;
	put32at(&c, 0, 0xfffffffb);
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	assert_int_equal(err.code, INSP_E_LAYOUT);
	c = b;
	put32at(&c, 0, 0xfffffff2);
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	/* 2.2 a 32-bit table */
	c = b;
	c.b[7] = 4;
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	assert_int_equal(err.code, INSP_E_LAYOUT);
	assert_non_null(strstr(err.msg, "64-bit"));
	/* 2.3 each table offset past the end, and out of order */
	for (i = 0; i < 5; i++) {
		c = b;
		put64at(&c, 32 + 8 * i, c.n + 1);
		assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
		assert_int_equal(err.code, INSP_E_CORRUPT);
		c = b;
		put64at(&c, 32 + 8 * i, 71);
		assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	}
	/* 2.4 nfunc too large for the bytes, or ~0 */
	c = b;
	put64at(&c, 8, 1000);
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	put64at(&c, 8, UINT64_MAX);
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	/* 2.5 unsorted ftab */
	c = b;
	put32at(&c, get64(c.b + 64), 0x28);
	assert_int_equal(gort_pclntab_open(&t, c.b, c.n, SYN_TEXT, &err), -1);
	/* 2.6 text so high that entries would overflow */
	assert_int_equal(gort_pclntab_open(&t, b.b, b.n, UINT64_MAX - 8, &err), -1);
	/* 2.7 every truncation: open fails while the ftab is cut; later cuts
	 * leave records short, which find and frames must notice */
	for (i = 0; i < b.n; i++) {
		uint8_t *p = malloc(i ? i : 1);
		struct gort_srcframe sf[2];
		struct gort_func f;
		int32_t d;

		memcpy(p, b.b, i);
		if (gort_pclntab_open(&t, p, i, SYN_TEXT, NULL) == 0) {
			assert_true(i >= get64(b.b + 64) + 32);
			for (uint64_t pc = SYN_TEXT; pc < SYN_TEXT + 0x30; pc++) {
				if (gort_pclntab_find(t, pc, &f) == 0)
					gort_pclntab_spdelta(t, &f, pc, &d);
				gort_pclntab_frames(t, pc, true, sf, 2);
			}
			gort_pclntab_free(t);
		}
		free(p);
	}
}

/* 3.x: unwinding the synthetic table's corner cases */
static void
test_synth_unwind(void **state)
{
	struct gort_pclntab *t;
	struct gort_pframe fr[4];
	uint8_t mem[32] = { 0 };
	struct gort_stack stk = { 0x7000, mem, sizeof(mem) };
	const char *why;
	struct buf b;

	(void)state;
	synth(&b);
	assert_int_equal(gort_pclntab_open(&t, b.b, b.n, SYN_TEXT, NULL), 0);
	/* 3.1 a negative frame size would move sp down */
	assert_int_equal(gort_unwind(t, SYN_TEXT, 0x7000, false, &stk, fr, 4, &why), 1);
	assert_string_equal(why, "sp does not increase");
	/* 3.2 syn.mid (pcsp 8) returns to syn.top (TOPFRAME) */
	le64(mem + 8, SYN_TEXT + 0x25);
	assert_int_equal(gort_unwind(t, SYN_TEXT + 0x14, 0x7000, false, &stk, fr, 4, &why), 2);
	assert_null(why);
	assert_int_equal(fr[1].pc, SYN_TEXT + 0x25);
	assert_int_equal(fr[1].sp, 0x7000 + 16);
	assert_true(fr[1].call_site);
	assert_false(fr[0].call_site);
	/* 3.3 pc in no function, innermost */
	assert_int_equal(gort_unwind(t, 0x10, 0x7000, true, &stk, fr, 4, &why), 0);
	assert_string_equal(why, "unknown pc 0x10");
	/* 3.4 why may be NULL, max may be 0 */
	assert_int_equal(gort_unwind(t, SYN_TEXT + 0x14, 0x7000, false, &stk, fr, 0, NULL), 0);
	gort_pclntab_free(t);
}

/* ---- the pclntab of a real Go binary ---- */

struct gobin {
	uint8_t *pcln; /* malloc'd copy, exactly pcln_size bytes */
	size_t pcln_size;
	uint64_t pcln_addr;
	uint8_t *fd; /* section holding go:func.* */
	size_t fd_size;
	uint64_t fd_addr, gofunc;
	uint8_t *text; /* .text */
	size_t text_size;
	uint64_t text_addr;
	uint64_t rtext; /* runtime.text */
	struct gort_pclntab *t;
};

static struct gobin gb;

static uint8_t *
copyof(const void *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	if (q)
		memcpy(q, p, n);
	return q;
}

static int
load_gobin(const char *path)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;
	Elf_Data *d;
	int fd, ret = -1;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getshdrstrndx(e, &shstrndx) < 0)
		goto out;
	/* symbols first: go:func.* decides which section we keep */
	while ((scn = elf_nextscn(e, scn))) {
		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			gelf_getsym(d, (int)i, &sym);
			n = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!n)
				continue;
			if (!strcmp(n, "runtime.text"))
				gb.rtext = sym.st_value;
			if (!strcmp(n, "go:func.*") || !strcmp(n, "go.func.*"))
				gb.gofunc = sym.st_value;
		}
	}
	while ((scn = elf_nextscn(e, scn))) {
		const char *n;

		gelf_getshdr(scn, &sh);
		n = elf_strptr(e, shstrndx, sh.sh_name);
		if (!n || sh.sh_type == SHT_NOBITS || !(d = elf_getdata(scn, NULL)))
			continue;
		if (!strcmp(n, ".gopclntab") || !strcmp(n, ".data.rel.ro.gopclntab")) {
			gb.pcln = copyof(d->d_buf, d->d_size);
			gb.pcln_size = d->d_size;
			gb.pcln_addr = sh.sh_addr;
		}
		if (!strcmp(n, ".text")) {
			gb.text = copyof(d->d_buf, d->d_size);
			gb.text_size = d->d_size;
			gb.text_addr = sh.sh_addr;
		}
		if (gb.gofunc >= sh.sh_addr && gb.gofunc < sh.sh_addr + sh.sh_size) {
			gb.fd = copyof(d->d_buf, d->d_size);
			gb.fd_size = d->d_size;
			gb.fd_addr = sh.sh_addr;
		}
	}
	if (gb.pcln && gb.text && gb.fd && gb.rtext)
		ret = 0;
out:
	elf_end(e);
	close(fd);
	return ret;
}

static int
setup_gobin(void **state)
{
	const char *path = getenv("INSPECT_TEST_GOBIN");
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	if (!path || !*path) {
		print_message("INSPECT_TEST_GOBIN not set: skipping the tests on a Go binary\n");
		return 0;
	}
	if (load_gobin(path) < 0) {
		print_message("cannot read pclntab, .text, runtime.text, go:func.* of %s\n", path);
		return -1;
	}
	if (gort_pclntab_open(&gb.t, gb.pcln, gb.pcln_size, gb.rtext, &err) < 0 ||
	    gort_pclntab_set_funcdata(gb.t, gb.fd, gb.fd_size, gb.fd_addr, gb.gofunc, &err) < 0) {
		print_message("%s: %s\n", path, err.msg);
		return -1;
	}
	return 0;
}

static int
teardown_gobin(void **state)
{
	(void)state;
	gort_pclntab_free(gb.t);
	free(gb.pcln);
	free(gb.fd);
	free(gb.text);
	memset(&gb, 0, sizeof(gb));
	return 0;
}

#define NEED_GOBIN()                                                                               \
	do {                                                                                       \
		if (!gb.t)                                                                         \
			skip();                                                                    \
	} while (0)

static bool
endswith(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The end of f's code: the first pc its pcsp table does not cover (the rest up
 * to f->end is alignment padding). */
static uint64_t
code_end(const struct gort_func *f)
{
	uint64_t pc;
	int32_t d;

	for (pc = f->entry; pc < f->end; pc++)
		if (gort_pclntab_spdelta(gb.t, f, pc, &d) < 0)
			break;
	return pc;
}

/* 4.x: functions by pc and by name */
static void
test_go_funcs(void **state)
{
	struct gort_func f, g, prev = { 0 };
	int32_t d;
	size_t i, n;
	uint64_t pc;

	(void)state;
	NEED_GOBIN();
	/* 4.1 main.main by name, then by its entry and its last byte */
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.main", &f), 0);
	assert_int_equal(gort_pclntab_find(gb.t, f.entry, &g), 0);
	assert_string_equal(g.name, "main.main");
	assert_int_equal(g.entry, f.entry);
	assert_int_equal(gort_pclntab_find(gb.t, f.end - 1, &g), 0);
	assert_string_equal(g.name, "main.main");
	assert_true(f.end > f.entry);
	/* 4.2 the stack bottoms and stack switchers */
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.goexit", &f), 0);
	assert_true(f.flag & GORT_FUNC_TOPFRAME);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.mstart", &f), 0);
	assert_true(f.flag & GORT_FUNC_TOPFRAME);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.mcall", &f), 0);
	assert_true(f.flag & GORT_FUNC_SPWRITE);
	assert_false(f.flag & GORT_FUNC_TOPFRAME);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.compute", &f), 0);
	assert_int_equal(f.flag, 0);
	assert_int_equal(f.kind, GORT_KIND_NORMAL);
	/* 4.2.1 the functions an unwinder treats apart, by name, also when found
	 * by pc (hello is no cgo program: no cgocallback, no crosscall2; the
	 * cgocb fixture of test 1110 has them) */
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.sigpanic", &f), 0);
	assert_int_equal(f.kind, GORT_KIND_INJECTED);
	assert_int_equal(gort_pclntab_find(gb.t, f.end - 1, &g), 0);
	assert_int_equal(g.kind, GORT_KIND_INJECTED);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.asyncPreempt", &f), 0);
	assert_int_equal(f.kind, GORT_KIND_INJECTED);
	assert_int_equal(gort_pclntab_lookup(gb.t, "crosscall2", &f), -1);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.mcall", &f), 0);
	assert_int_equal(f.kind, GORT_KIND_NORMAL);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.nosuch", &f), -1);
	assert_int_equal(gort_pclntab_lookup(gb.t, "", &f), -1);
	/* 4.3 outside text */
	assert_int_equal(gort_pclntab_find(gb.t, gb.rtext - 1, &f), -1);
	assert_int_equal(gort_pclntab_find(gb.t, 0, &f), -1);
	assert_int_equal(gort_pclntab_find(gb.t, UINT64_MAX, &f), -1);
	/* 4.4 every function: sorted, named, found at its entry, SP untouched there
	 * (only 1.26's go:textfipsstart/end markers have no pcsp table) */
	n = gort_pclntab_nfunc(gb.t);
	assert_true(n > 1000);
	for (i = 0; i < n; i++) {
		assert_int_equal(gort_pclntab_func(gb.t, i, &f), 0);
		assert_true(f.entry >= prev.entry && f.end >= f.entry && *f.name);
		assert_int_equal(gort_pclntab_find(gb.t, f.entry, &g), 0);
		if (f.end > f.entry) {
			assert_int_equal(g.entry, f.entry);
			if (gort_pclntab_spdelta(gb.t, &f, f.entry, &d) < 0)
				assert_true(!strncmp(f.name, "go:", 3));
			else
				assert_int_equal(d, 0);
		}
		prev = f;
	}
	assert_int_equal(gort_pclntab_func(gb.t, n, &f), -1);
	/* 4.5 leaf is tiny and has no frame; the pcsp table ends with its code,
	 * before the padding up to the next function */
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.leaf", &f), 0);
	assert_true(code_end(&f) > f.entry && code_end(&f) < f.end);
	assert_int_equal(gort_pclntab_spdelta(gb.t, &f, code_end(&f) - 1, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(gort_pclntab_spdelta(gb.t, &f, f.end, &d), -1);
	/* 4.6 compute has a frame, but not at entry nor in its morestack call
	 * at the end */
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.compute", &f), 0);
	for (i = 0, pc = f.entry; pc < code_end(&f); pc++) {
		assert_int_equal(gort_pclntab_spdelta(gb.t, &f, pc, &d), 0);
		assert_in_range(d, 0, 256);
		i += d > 0;
	}
	assert_true(i > 0);
	assert_int_equal(gort_pclntab_spdelta(gb.t, &f, code_end(&f) - 1, &d), 0);
	assert_int_equal(d, 0);
}

/* The return address of a CALL rel32 to callee inside f, or 0. */
static uint64_t
find_call(const struct gort_func *f, uint64_t callee)
{
	for (uint64_t pc = f->entry; pc + 5 <= f->end; pc++) {
		const uint8_t *p;
		int32_t rel;

		if (pc < gb.text_addr || pc + 5 - gb.text_addr > gb.text_size)
			return 0;
		p = gb.text + (pc - gb.text_addr);
		rel = (int32_t)((uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
				(uint32_t)p[4] << 24);
		if (p[0] == 0xe8 && pc + 5 + (int64_t)rel == callee)
			return pc + 5;
	}
	return 0;
}

/* 5.x: source positions and inlining */
static void
test_go_frames(void **state)
{
	struct gort_func compute, leaf, main_, f;
	struct gort_srcframe sf[8];
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *bare;
	uint64_t pc, ret, inl_pc = 0;
	bool seen32 = false, seen33 = false;
	int n, k;

	(void)state;
	NEED_GOBIN();
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.compute", &compute), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.leaf", &leaf), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.main", &main_), 0);
	/* 5.1 main.leaf: one frame, its own lines */
	for (pc = leaf.entry; pc < code_end(&leaf); pc++) {
		assert_int_equal(gort_pclntab_frames(gb.t, pc, false, sf, 8), 1);
		assert_string_equal(sf[0].func, "main.leaf");
		assert_true(endswith(sf[0].file, "/hello/main.go"));
		assert_in_range(sf[0].line, LINE_LEAF - 1, LINE_LEAF + 1);
		assert_false(sf[0].inlined);
	}
	/* 5.2 main.compute: either its own line or twice inlined at LINE_CALL */
	for (pc = compute.entry; pc < code_end(&compute); pc++) {
		n = gort_pclntab_frames(gb.t, pc, false, sf, 8);
		assert_in_range(n, 1, 2);
		assert_string_equal(sf[n - 1].func, "main.compute");
		assert_false(sf[n - 1].inlined);
		assert_true(endswith(sf[n - 1].file, "/hello/main.go"));
		if (n == 1) {
			assert_in_range(sf[0].line, LINE_COMPUTE, LINE_COMPUTE_END);
			continue;
		}
		assert_string_equal(sf[0].func, "main.twice");
		assert_true(sf[0].inlined);
		assert_true(endswith(sf[0].file, "/hello/main.go"));
		assert_int_equal(sf[0].line, LINE_TWICE);
		assert_int_equal(sf[1].line, LINE_CALL);
		inl_pc = pc;
	}
	assert_true(inl_pc != 0);
	/* 5.3 the return address of the call to leaf inside inlined twice */
	ret = find_call(&compute, leaf.entry);
	assert_true(ret != 0);
	assert_int_equal(gort_pclntab_frames(gb.t, ret, true, sf, 8), 2);
	assert_string_equal(sf[0].func, "main.twice");
	assert_int_equal(sf[0].line, LINE_TWICE);
	assert_true(sf[0].inlined);
	assert_string_equal(sf[1].func, "main.compute");
	assert_int_equal(sf[1].line, LINE_CALL);
	assert_false(sf[1].inlined);
	/* 5.4 max cuts the outer frames */
	assert_int_equal(gort_pclntab_frames(gb.t, ret, true, sf, 1), 1);
	assert_string_equal(sf[0].func, "main.twice");
	/* 5.5 main.main: its lines, fmt.Println inlined at LINE_MAIN + 3 */
	for (pc = main_.entry; pc < code_end(&main_); pc++) {
		n = gort_pclntab_frames(gb.t, pc, false, sf, 8);
		assert_true(n >= 1);
		assert_string_equal(sf[n - 1].func, "main.main");
		assert_false(sf[n - 1].inlined);
		assert_in_range(sf[n - 1].line, LINE_MAIN, LINE_MAIN_END);
		for (k = 0; k < n - 1; k++)
			assert_true(sf[k].inlined);
		if (n > 1) {
			assert_string_equal(sf[n - 2].func, "fmt.Println");
			assert_int_equal(sf[n - 1].line, LINE_MAIN + 3);
		}
		seen32 |= sf[n - 1].line == LINE_MAIN + 2;
		seen33 |= sf[n - 1].line == LINE_MAIN + 3;
	}
	assert_true(seen32 && seen33);
	/* 5.6 every pc of every function gives frames, physical last */
	for (size_t i = 0; i < gort_pclntab_nfunc(gb.t); i++) {
		uint64_t end;

		assert_int_equal(gort_pclntab_func(gb.t, i, &f), 0);
		end = code_end(&f);
		for (pc = f.entry; pc < end; pc++) {
			n = gort_pclntab_frames(gb.t, pc, true, sf, 8);
			assert_true(n >= 1);
			if (n < 8) {
				assert_ptr_equal(sf[n - 1].func, f.name);
				assert_false(sf[n - 1].inlined);
			}
		}
	}
	/* 5.7 without funcdata: an unnamed inlined frame, then compute, no line */
	assert_int_equal(gort_pclntab_open(&bare, gb.pcln, gb.pcln_size, gb.rtext, &err), 0);
	assert_int_equal(gort_pclntab_frames(bare, ret, true, sf, 8), 2);
	assert_null(sf[0].func);
	assert_int_equal(sf[0].line, LINE_TWICE);
	assert_true(sf[0].inlined);
	assert_string_equal(sf[1].func, "main.compute");
	assert_int_equal(sf[1].line, 0);
	assert_int_equal(gort_pclntab_frames(bare, leaf.entry, false, sf, 8), 1);
	assert_in_range(sf[0].line, LINE_LEAF - 1, LINE_LEAF);
	gort_pclntab_free(bare);
	/* 5.8 wrappers: deferreturn, and the closure `go worker(ch, 10)` runs
	 * (main.main.func1 in Go 1.19, main.main.gowrap1 since 1.22) */
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.deferreturn", &f), 0);
	assert_int_equal(gort_pclntab_frames(gb.t, f.entry, false, sf, 8), 1);
	assert_true(sf[0].wrapper);
	assert_true(gort_pclntab_lookup(gb.t, "main.main.gowrap1", &f) == 0 ||
		    gort_pclntab_lookup(gb.t, "main.main.func1", &f) == 0);
	n = gort_pclntab_frames(gb.t, f.entry, false, sf, 8);
	assert_true(n >= 1 && sf[n - 1].wrapper);
	assert_int_equal(gort_pclntab_frames(gb.t, main_.entry, false, sf, 8), 1);
	assert_false(sf[0].wrapper);
	assert_int_equal(gort_pclntab_frames(gb.t, ret, true, sf, 8), 2);
	assert_false(sf[0].wrapper || sf[1].wrapper);
}

/* 6.x: textStart: set before Go 1.26, 0 since */
static void
test_go_textstart(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	struct gort_func f, g;
	uint64_t ts = 0;

	(void)state;
	NEED_GOBIN();
	for (int i = 0; i < 8; i++)
		ts |= (uint64_t)gb.pcln[24 + i] << (8 * i);
	if (ts == 0) {
		assert_int_equal(gort_pclntab_open(&t, gb.pcln, gb.pcln_size, 0, &err), -1);
		assert_int_equal(err.code, INSP_E_LAYOUT);
		return;
	}
	assert_int_equal(ts, gb.rtext);
	assert_int_equal(gort_pclntab_open(&t, gb.pcln, gb.pcln_size, 0, &err), 0);
	assert_int_equal(gort_pclntab_lookup(t, "main.main", &f), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.main", &g), 0);
	assert_int_equal(f.entry, g.entry);
	gort_pclntab_free(t);
}

/* 7.x: unwinding a stack built in memory through real functions:
 * main.leaf (at entry) <- main.compute (after its call to leaf) <- runtime.goexit */
static void
test_go_unwind(void **state)
{
	struct gort_func compute, leaf, goexit, mcall;
	struct gort_pframe fr[8];
	struct gort_stack stk;
	uint8_t mem[4096] = { 0 };
	const uint64_t base = 0xc000100000;
	uint64_t ret;
	int32_t d;
	const char *why;

	(void)state;
	NEED_GOBIN();
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.compute", &compute), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "main.leaf", &leaf), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.goexit", &goexit), 0);
	assert_int_equal(gort_pclntab_lookup(gb.t, "runtime.mcall", &mcall), 0);
	ret = find_call(&compute, leaf.entry);
	assert_true(ret != 0);
	assert_int_equal(gort_pclntab_spdelta(gb.t, &compute, ret, &d), 0);
	assert_in_range(d, 8, 1024);
	le64(mem + 0, ret);
	le64(mem + 8 + d, goexit.entry + 1);
	stk = (struct gort_stack){ base, mem, 16 + d };
	/* 7.1 the whole walk */
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 3);
	assert_null(why);
	assert_int_equal(fr[0].pc, leaf.entry);
	assert_int_equal(fr[0].sp, base);
	assert_false(fr[0].call_site);
	assert_int_equal(fr[1].pc, ret);
	assert_int_equal(fr[1].sp, base + 8);
	assert_true(fr[1].call_site);
	assert_int_equal(fr[2].pc, goexit.entry + 1);
	assert_int_equal(fr[2].sp, base + 16 + d);
	/* 7.2 max frames */
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 2, &why), 2);
	assert_string_equal(why, "too many frames");
	/* 7.3 the copy ends before compute's return address, or at once */
	stk.len = 8 + d + 7;
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 2);
	assert_string_equal(why, "stack copy ends");
	stk.len = 7;
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 1);
	assert_string_equal(why, "stack copy ends");
	stk.addr = base + 8;
	stk.len = sizeof(mem);
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 1);
	assert_string_equal(why, "stack copy ends");
	stk = (struct gort_stack){ base, mem, 16 + d };
	/* 7.4 a return address in no function */
	le64(mem + 8 + d, 0x10);
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 2);
	assert_string_equal(why, "unknown pc 0x10");
	/* 7.5 an SPWRITE function is shown, but not unwound past */
	le64(mem + 8 + d, mcall.entry + 1);
	assert_int_equal(gort_unwind(gb.t, leaf.entry, base, false, &stk, fr, 8, &why), 3);
	assert_int_equal(fr[2].pc, mcall.entry + 1);
	assert_non_null(why);
	assert_non_null(strstr(why, "runtime.mcall"));
	/* 7.6 a parked goroutine: its innermost pc is a return address */
	le64(mem + 8 + d, goexit.entry + 1);
	assert_int_equal(gort_unwind(gb.t, ret, base + 8, true, &stk, fr, 8, &why), 2);
	assert_null(why);
	assert_true(fr[0].call_site);
}

/* ---- corrupt input: truncated, flipped, scrambled ---- */

/* Use everything on a table that opened; the answers do not matter, only that
 * they come without a crash (run this under -fsanitize=address,undefined). */
static void
exercise(struct gort_pclntab *t, const uint8_t *fd, size_t fd_size)
{
	static const char *names[] = { "main.main", "runtime.goexit", "main.compute", "x" };
	struct gort_srcframe sf[4];
	struct gort_pframe fr[8];
	struct gort_func f;
	uint8_t mem[256] = { 0 };
	struct gort_stack stk = { 0xc000000000, mem, sizeof(mem) };
	const char *why;
	size_t i, n = gort_pclntab_nfunc(t);
	int32_t d;

	if (fd)
		gort_pclntab_set_funcdata(t, fd, fd_size, gb.fd_addr, gb.gofunc, NULL);
	for (i = 0; i < 4; i++)
		if (gort_pclntab_lookup(t, names[i], &f) == 0) {
			gort_pclntab_spdelta(t, &f, f.entry + 3, &d);
			gort_pclntab_frames(t, f.entry + 5, true, sf, 4);
		}
	/* a sample of functions, all pcs of a few bytes each */
	for (i = 0; i < n; i += 1 + n / 64) {
		if (gort_pclntab_func(t, i, &f) < 0)
			continue;
		for (uint64_t pc = f.entry; pc < f.end && pc < f.entry + 48; pc++) {
			gort_pclntab_spdelta(t, &f, pc, &d);
			gort_pclntab_frames(t, pc, pc & 1, sf, 4);
			memcpy(mem, &pc, sizeof(pc));
			gort_unwind(t, pc, stk.addr, false, &stk, fr, 8, &why);
		}
	}
	for (uint64_t pc = gb.rtext; pc < gb.rtext + gb.text_size; pc += 4099)
		if (gort_pclntab_find(t, pc, &f) == 0)
			gort_pclntab_frames(t, pc, false, sf, 4);
}

/* 8.x: every truncation of the first 4 KiB, then a few hundred further ones */
static void
test_go_truncated(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	size_t len, step, opened = 0;

	(void)state;
	NEED_GOBIN();
	step = gb.pcln_size / 300;
	for (len = 0; len < gb.pcln_size; len += len < 4096 ? 1 : step) {
		/* a buffer of exactly len bytes, so that ASan sees any overread */
		uint8_t *p = copyof(gb.pcln, len);
		uint8_t *fd = NULL;
		size_t fd_len = 0;

		assert_non_null(p);
		if (gort_pclntab_open(&t, p, len, gb.rtext, &err) == 0) {
			opened++;
			/* funcdata cut short too, at the same fraction */
			fd_len = (size_t)((double)gb.fd_size * len / gb.pcln_size);
			fd = copyof(gb.fd, fd_len);
			exercise(t, fd_len ? fd : NULL, fd_len);
			gort_pclntab_free(t);
		} else {
			assert_true(err.code == INSP_E_CORRUPT);
		}
		free(fd);
		free(p);
	}
	/* the ftab sits at the end: most cuts fail at open, the last ones do not */
	print_message("    %zu of the truncated tables opened\n", opened);
}

/* 9.x: a flipped magic, offsets set to garbage, random bytes scrambled */
static void
test_go_scrambled(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_pclntab *t;
	uint8_t *p;
	uint64_t rng = 0x9e3779b97f4a7c15;
	size_t i, k, off, opened = 0;
	uint64_t ftab;

	(void)state;
	NEED_GOBIN();
	p = copyof(gb.pcln, gb.pcln_size);
	assert_non_null(p);
	/* 9.1 flipped magic; flipping its low bit gives the other version's
	 * magic, which opens but reads the records with the wrong layout */
	p[3] ^= 0x01;
	assert_int_equal(gort_pclntab_open(&t, p, gb.pcln_size, gb.rtext, &err), -1);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	p[3] ^= 0x01;
	p[0] ^= 0x01;
	assert_int_equal(gort_pclntab_open(&t, p, gb.pcln_size, gb.rtext, &err), 0);
	exercise(t, gb.fd, gb.fd_size);
	gort_pclntab_free(t);
	p[0] ^= 0x01;
	/* 9.2 each offset and count set to garbage */
	for (i = 8; i < 72; i += 8) {
		static const uint64_t bad[] = { 0, 1, 71, 0x7fffffff, UINT64_MAX, 1ull << 63 };

		if (i == 24)
			continue; /* textStart: we pass text */
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			uint8_t save[8];

			memcpy(save, p + i, 8);
			le64(p + i, bad[k]);
			if (gort_pclntab_open(&t, p, gb.pcln_size, gb.rtext, &err) == 0) {
				/* nfunc 0 or 1 is still a valid table */
				assert_true(i == 8 || i == 16); /* nfunc, nfiles */
				exercise(t, gb.fd, gb.fd_size);
				gort_pclntab_free(t);
			}
			memcpy(p + i, save, 8);
		}
	}
	/* 9.3 random bytes in the ftab and _func records, the pc tables and
	 * anywhere, 8 at a time, 300 rounds */
	ftab = get64(p + 64);
	for (k = 0; k < 300; k++) {
		uint8_t *q = copyof(p, gb.pcln_size);
		uint8_t *fd = copyof(gb.fd, gb.fd_size);

		for (i = 0; i < 8; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			switch (k % 3) {
			case 0: /* ftab and records */
				off = ftab + rng % (gb.pcln_size - ftab);
				break;
			case 1: /* whole table */
				off = rng % gb.pcln_size;
				break;
			default: /* funcdata */
				off = (size_t)-1;
				fd[rng % gb.fd_size] = (uint8_t)(rng >> 32);
				break;
			}
			if (off != (size_t)-1)
				q[off] = (uint8_t)(rng >> 40);
		}
		if (gort_pclntab_open(&t, q, gb.pcln_size, gb.rtext, &err) == 0) {
			opened++;
			exercise(t, fd, gb.fd_size);
			gort_pclntab_free(t);
		}
		free(fd);
		free(q);
	}
	print_message("    %zu of 300 scrambled tables opened\n", opened);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest synth_tests[] = {
		cmocka_unit_test(test_synth_tables),
		cmocka_unit_test(test_synth_header),
		cmocka_unit_test(test_synth_unwind),
	};
	const struct CMUnitTest go_tests[] = {
		cmocka_unit_test(test_go_funcs),     cmocka_unit_test(test_go_frames),
		cmocka_unit_test(test_go_textstart), cmocka_unit_test(test_go_unwind),
		cmocka_unit_test(test_go_truncated), cmocka_unit_test(test_go_scrambled),
	};
	int fails;

	fails = cmocka_run_group_tests_name("pclntab-synth", synth_tests, NULL, NULL);
	fails +=
		cmocka_run_group_tests_name("pclntab-gobin", go_tests, setup_gobin, teardown_gobin);
	return fails ? 1 : 0;
}
