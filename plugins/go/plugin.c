/* The Go plugin's entry: tells the core whether the target runs Go, and drives the
 * reading of its goroutines through the phases of the plugin ABI. It never writes
 * to the target and keeps nothing after release().
 * SPDX-License-Identifier: MIT */
#include "gort.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Releases this plugin has been checked on; newer ones are read through DWARF and
 * get a note. */
#define OLDEST_MINOR 19
#define NEWEST_MINOR 26

/* A Go module has its build info, or at least its pclntab (stripped by some tools). */
static bool
is_go(const struct insp_host *h)
{
	const uint8_t *d;
	size_t n;

	return h->section(h->ctx, ".go.buildinfo", &d, &n, NULL, NULL) == 0 ||
	       h->section(h->ctx, ".gopclntab", &d, &n, NULL, NULL) == 0;
}

/* The executable, or else a library built with -buildmode=c-shared (a C program
 * that loaded Go): the host makes that library the image (use_lib). */
static int
go_probe(const struct insp_host *h, struct insp_err *err)
{
	(void)err;
	if (is_go(h))
		return 1;
	for (size_t i = 0; i < h->nlibs && h->lib_has_section; i++) {
		if (h->lib_has_section(h->ctx, i, ".go.buildinfo") ||
		    h->lib_has_section(h->ctx, i, ".gopclntab")) {
			h->use_lib(h->ctx, i);
			return 1;
		}
	}
	return 0;
}

/* The runtime's source directory as this binary's file names spell it, from
 * runtime.main's file: "/usr/local/go/src/runtime/", or "runtime/" when the
 * build trimmed paths (-trimpath). */
static void
find_runtime_dir(struct gort_state *st)
{
	struct gort_srcframe f;
	struct gort_func fn;

	if (gort_pclntab_lookup(st->pcln, "runtime.main", &fn) < 0 ||
	    gort_pclntab_frames(st->pcln, fn.entry, false, &f, 1) < 1)
		return;
	gort_runtime_dir(&st->whose, f.file);
}

/* The program's modules whose paths have no dot, from the build information;
 * a module of the program it cannot read is told by its dot alone. */
static void
find_modules(struct gort_state *st, const struct insp_host *h)
{
	struct insp_err err = INSP_ERR_INIT;

	if (gort_buildinfo_modules(h, &st->whose.mods, &err) < 0)
		h->note(h->ctx, "%s: a module without a dot in its path is taken for %s", err.msg,
			"the standard library");
}

/* Offsets from DWARF; without it, from the table of this release (or of its minor
 * release: the checks of locate.c and registry.c catch an M that moved). */
static int
resolve_layout(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	char source[96];

	if (h->has_dwarf) {
		h->set_info(h->ctx, "layout", "DWARF");
		return gort_layout_resolve(&st->l, h, err);
	}
	st->table = gort_table_find(st->version, &st->table_exact);
	if (!st->table)
		return insp_err_set(
			err, INSP_E_LAYOUT,
			"'%s' has no DWARF (built with -ldflags=-w or -s?), no separate "
			"debug file of this build was found (%s), and inspect has no layout "
			"table for %s (tools/gen-gotables.sh)",
			h->exe_path, h->debug_search, st->version);
	st->l = st->table->l;
	snprintf(source, sizeof(source), "table %s", st->table->version);
	h->set_info(h->ctx, "layout", source);
	h->note(h->ctx,
		"no DWARF, and no separate debug file of this build was found (%s): functions and "
		"lines come from the pclntab, layouts from inspect's table; print needs DWARF",
		h->debug_search);
	if (!st->table_exact)
		h->note(h->ctx, "no DWARF: the layout of %s is taken from %s's table", st->version,
			st->table->version);
	return 0;
}

static void
go_release(void *state)
{
	struct gort_state *st = state;

	if (!st)
		return;
	if (st->pcln)
		gort_pclntab_free(st->pcln);
	gort_registry_free(st);
	gort_labels_free(st);
	gtype_index_free(st->rtypes);
	gpkg_index_free(st->pkgnames);
	gort_names_free(st->names);
	free(st->whose.mods.dotless);
	free(st);
}

static int
go_prepare(const struct insp_host *h, void **state, struct insp_err *err)
{
	struct gort_state *st = calloc(1, sizeof(*st));

	if (!st)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	*state = st;
	if (gort_buildinfo_version(h, st->version, sizeof(st->version), &st->minor, err) < 0)
		return -1;
	h->set_info(h->ctx, "go_version", st->version);
	if (st->minor && st->minor < OLDEST_MINOR)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "'%s' was built by %s; inspect reads Go 1.%d and newer",
				    h->exe_path, st->version, OLDEST_MINOR);
	if (!st->minor)
		h->note(h->ctx, "unknown Go version '%s': layouts come from DWARF", st->version);
	else if (st->minor > NEWEST_MINOR)
		h->note(h->ctx, "%s is newer than the newest release checked (go1.%d)", st->version,
			NEWEST_MINOR);
	if (resolve_layout(st, h, err) < 0 || gort_module_open(st, h, err) < 0)
		return -1;
	find_runtime_dir(st);
	find_modules(st, h);
	gort_labels_resolve(st, h);
	gort_gc_resolve(st, h);
	st->names = gort_names_new();
	if (gort_locate(st, h, err) < 0 || gort_waitreasons_read(st, h, err) < 0 ||
	    gort_registry_reserve(st, h, err) < 0)
		return -1;
	gort_tblabels_resolve(st, h);
	h->set_info(h->ctx, "symbols", h->has_dwarf ? "DWARF and pclntab" : "pclntab");
	return 0;
}

static int
go_capture(void *state, const struct insp_host *h, struct insp_err *err)
{
	if (gort_registry_capture(state, h, err) < 0)
		return -1;
	gort_bubbles_capture(state, h);
	gort_labels_capture(state, h);
	gort_tblabels_capture(state, h);
	gort_gc_capture(state, h);
	return 0;
}

static int
go_decode(void *state, const struct insp_host *h, struct insp_err *err)
{
	struct gort_state *st = state;
	int ret = gort_registry_decode(st, h, err);

	gort_labels_done(st, h);
	gort_gc_report(st, h);
	/* The copies are decoded: only the pclntab serves what comes after. */
	gort_registry_free(st);
	return ret;
}

static int
go_symbolize(void *state, uint64_t pc, bool call_site, struct insp_frame *out, int max)
{
	struct gort_state *st = state;
	struct gort_srcframe f[16];
	int n = gort_frames(st, pc, call_site, f, max < 16 ? max : 16);
	struct gort_func fn;
	/* A walk ends at a thread's or goroutine's start (goexit, mstart) and at a
	 * function that switches stacks (mcall, systemstack, asmcgocall): past it the
	 * words on this stack are not a caller's frame. */
	bool bottom = gort_pclntab_find(st->pcln, pc, &fn) == 0 &&
		      (fn.flag & (GORT_FUNC_TOPFRAME | GORT_FUNC_SPWRITE));

	for (int i = 0; i < n; i++) {
		out[i] = (struct insp_frame){
			.loc = { f[i].func, f[i].file, f[i].line, pc },
			.inlined = f[i].inlined,
			.wrapper = f[i].wrapper,
			.bottom = bottom && i == n - 1,
		};
	}
	return n > 0 ? n : 0;
}

static const struct insp_plugin go_plugin = {
	.abi = INSP_ABI_VERSION,
	.name = "go",
	.summary = "Go 1.19 and newer, linux/amd64: goroutines from the runtime's allgs",
	.reasons = gort_reason_names,
	.probe = go_probe,
	.prepare = go_prepare,
	.capture = go_capture,
	.decode = go_decode,
	.symbolize = go_symbolize,
	.print = gort_print,
	.frame_values = gort_frame_values,
	.release = go_release,
	.traceback = gort_traceback,
	.frame_shown = gort_frame_shown,
	.loaded_words = gort_loaded_words,
};

__attribute__((visibility("default"))) const struct insp_plugin *
insp_plugin_entry(void)
{
	return &go_plugin;
}
