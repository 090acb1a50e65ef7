/* The Go plugin's module: the pclntab (function names, file:line, frame sizes) and
 * the two addresses it needs, the start of Go text and go:func.* (inline trees).
 * With symbols they are runtime.text and go:func.*; a stripped binary has neither,
 * so they come from runtime.firstmoduledata, found without a name: the section
 * .go.module (Go 1.26), else the word in .noptrdata that points at the pclntab
 * (research/goruntime.md 5.1). The pclntab itself is the section .gopclntab, or
 * found by its magic where an external link merged it into .data.rel.ro.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

#define MD_MAX 1024 /* moduledata's fields we read are in its first kilobyte */

/* The pclntab's bytes and runtime address. */
static int
find_pclntab(const struct insp_host *h, const uint8_t **d, size_t *n, uint64_t *addr,
	     struct insp_err *err)
{
	/* Where external linkers put it: its magic, 8-aligned, then two zero pad
	 * bytes, pc quantum 1 (amd64), pointer size 8. */
	static const char *const merged[] = { ".data.rel.ro", ".rodata" };
	static const uint8_t magic[][4] = { { 0xf1, 0xff, 0xff, 0xff },
					    { 0xf0, 0xff, 0xff, 0xff } };

	if (h->section(h->ctx, ".gopclntab", d, n, addr, NULL) == 0 ||
	    h->section(h->ctx, ".data.rel.ro.gopclntab", d, n, addr, NULL) == 0)
		return 0;
	for (size_t s = 0; s < sizeof(merged) / sizeof(merged[0]); s++) {
		const uint8_t *sd;
		size_t sn;
		uint64_t sa;

		if (h->section(h->ctx, merged[s], &sd, &sn, &sa, NULL) < 0)
			continue;
		for (size_t off = 0; off + 72 <= sn; off += 8)
			for (size_t m = 0; m < sizeof(magic) / sizeof(magic[0]); m++)
				if (memcmp(sd + off, magic[m], 4) == 0 && sd[off + 4] == 0 &&
				    sd[off + 5] == 0 && sd[off + 6] == 1 && sd[off + 7] == 8) {
					*d = sd + off;
					*n = sn - off;
					*addr = sa + off;
					return 0;
				}
	}
	return insp_err_set(err, INSP_E_LAYOUT,
			    "'%s' has no Go pclntab (no section .gopclntab, and no pcHeader in "
			    ".data.rel.ro or .rodata)",
			    h->exe_path);
}

/* runtime.firstmoduledata's runtime address: 0 and *addr, or -1. Its first word
 * points at the pclntab, its second (funcnametab's data) at the pclntab plus
 * the header's funcnameOffset: a scan must find both. */
static int
find_moduledata(const struct insp_host *h, const uint8_t *pcln, uint64_t pcln_addr, uint64_t *addr)
{
	const uint64_t funcnames = pcln_addr + gort_u64(pcln + 32);
	const uint8_t *d;
	uint64_t sa;
	uint8_t *copy;
	size_t n;
	int ret = -1;

	if (h->symbol(h->ctx, "runtime.firstmoduledata", addr, NULL, NULL) == 0 ||
	    h->section(h->ctx, ".go.module", &d, &n, addr, NULL) == 0)
		return 0;
	/* Read .noptrdata from the process: a PIE's pointers are relocated at load. */
	if (h->section(h->ctx, ".noptrdata", &d, &n, &sa, NULL) < 0 || !(copy = malloc(n)))
		return -1;
	if (h->read(h->ctx, sa, copy, n, NULL) == 0)
		for (size_t off = 0; off + 16 <= n; off += 8)
			if (gort_u64(copy + off) == pcln_addr &&
			    gort_u64(copy + off + 8) == funcnames) {
				*addr = sa + off;
				ret = 0;
				break;
			}
	free(copy);
	return ret;
}

/* Go's text start and go:func.*: symbols, else moduledata's fields, which
 * also say where the package variables lie (st->vars). */
static int
find_text_gofunc(struct gort_state *st, const struct insp_host *h, const uint8_t *pcln,
		 uint64_t pcln_addr, uint64_t *text, uint64_t *gofunc, struct insp_err *err)
{
	uint8_t md[MD_MAX];
	uint64_t addr, len;

	if (h->symbol(h->ctx, "runtime.text", text, NULL, NULL) == 0) {
		if (h->symbol(h->ctx, "go:func.*", gofunc, NULL, NULL) < 0 &&
		    h->symbol(h->ctx, "go.func.*", gofunc, NULL, NULL) < 0)
			*gofunc = 0;
		return 0;
	}
	/* text, etext, then [noptrdata, enoptrdata), data, bss, noptrbss: this
	 * order in every release since 1.19 (runtime/symtab.go moduledata) */
	len = st->l.md_gofunc > st->l.md_text + 72 ? st->l.md_gofunc + 8 : st->l.md_text + 80;
	if (len > sizeof(md))
		return insp_err_set(err, INSP_E_LAYOUT, "runtime.moduledata of '%s' is too large",
				    h->exe_path);
	if (find_moduledata(h, pcln, pcln_addr, &addr) < 0)
		return insp_err_set(
			err, INSP_E_LAYOUT,
			"'%s' has no symbols, and its runtime.firstmoduledata was not "
			"found (no section .go.module, no word in .noptrdata pointing at "
			"the pclntab)",
			h->exe_path);
	if (h->read(h->ctx, addr, md, len, err) < 0)
		return -1;
	if (gort_u64(md) != pcln_addr)
		return insp_err_set(
			err, INSP_E_CORRUPT,
			"runtime.firstmoduledata at 0x%llx does not point at the pclntab",
			(unsigned long long)addr);
	*text = gort_u64(md + st->l.md_text);
	*gofunc = gort_u64(md + st->l.md_gofunc);
	for (size_t i = 0; i < 4; i++) {
		st->vars[i].lo = gort_u64(md + st->l.md_text + 16 + i * 16);
		st->vars[i].hi = gort_u64(md + st->l.md_text + 24 + i * 16);
	}
	return 0;
}

/* The inline trees live in FUNCDATA at go:func.*: in .rodata up to Go 1.25,
 * inside the pclntab from Go 1.26. Without them inlined calls have no names. */
static void
open_funcdata(struct gort_state *st, const struct insp_host *h, uint64_t gofunc)
{
	static const char *const sections[] = { ".rodata", ".gopclntab", ".data.rel.ro",
						".data.rel.ro.gopclntab" };
	const uint8_t *d;
	uint64_t addr;
	size_t n;

	for (size_t i = 0; gofunc && i < sizeof(sections) / sizeof(sections[0]); i++)
		if (h->section(h->ctx, sections[i], &d, &n, &addr, NULL) == 0 && gofunc >= addr &&
		    gofunc < addr + n) {
			gort_pclntab_set_funcdata(st->pcln, d, n, addr, gofunc, NULL);
			return;
		}
	h->note(h->ctx, "go:func.* was not found: inlined calls are shown without names");
}

int
gort_module_open(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	const uint8_t *d;
	size_t n;
	uint64_t addr, text, gofunc;

	if (find_pclntab(h, &d, &n, &addr, err) < 0 ||
	    find_text_gofunc(st, h, d, addr, &text, &gofunc, err) < 0 ||
	    gort_pclntab_open(&st->pcln, d, n, text, err) < 0)
		return -1;
	open_funcdata(st, h, gofunc);
	return 0;
}
