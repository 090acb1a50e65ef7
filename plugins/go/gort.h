/* What the files of the Go plugin share: the layout of the runtime's structures as
 * this binary's DWARF gives it, and the plugin's state across prepare, capture and
 * decode. The plugin sees the core only through include/inspect/.
 * SPDX-License-Identifier: MIT */
#ifndef GORT_GORT_H
#define GORT_GORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/plugin.h"
#include "pclntab.h"

/* Offsets into runtime.g, runtime.m and runtime.moduledata, and addresses of the
 * registry. A field whose offset is GORT_NONE does not exist in this Go release. */
#define GORT_NONE UINT64_MAX

/* The offsets, listed once for the struct and for tools/gen-gotables.c. */
/* clang-format off */
#define GORT_OFFSETS(X)                                                                         \
	X(g_size) X(m_size) X(g_stack_lo) X(g_stack_hi) X(g_sched_sp) X(g_sched_pc)            \
	X(g_syscallsp) X(g_syscallpc) X(g_status) X(g_goid) X(g_waitsince) X(g_waitreason)     \
	X(g_gopc) X(g_startpc) X(g_lockedm) X(g_parent_goid) X(g_m) X(m_g0) X(m_procid)        \
	X(m_curg) X(m_alllink) X(md_text) X(md_gofunc) X(g_bubble) X(bubble_id) X(g_labels)
/* clang-format on */

struct gort_layout {
#define GORT_OFFSET_FIELD(name) uint64_t name;
	GORT_OFFSETS(GORT_OFFSET_FIELD)
#undef GORT_OFFSET_FIELD
	uint64_t allglen, allgptr, allm, reasons_addr; /* runtime addresses */
	uint64_t nreasons;
};

/* A release's layout and wait reasons, for binaries without DWARF: generated from
 * the DWARF and symbols of a build by that release (tools/gen-gotables.sh writes
 * tables.c; test 1010 checks it against every toolchain built). The addresses in
 * l are 0. */
struct gort_table {
	const char *version; /* "go1.22.12" */
	struct gort_layout l;
	size_t nreasons;
	const char *const *reasons; /* waitReasonStrings, in enum order */
};

extern const struct gort_table gort_tables[];
extern const size_t gort_ntables;

/* The table for version; else the newest of the same minor release
 * (*exact false); else NULL. */
const struct gort_table *gort_table_find(const char *version, bool *exact);

/* A goroutine's copied stack: [sp, sp+len) of its used part, and where to start. */
struct gort_gstack {
	uint64_t pc, sp;
	bool call_site; /* pc is a return address (parked), not a thread's exact pc */
	uint8_t *bytes;
	size_t len;
	bool ok;
	bool over_cap; /* not copied: the stacks before it filled the copy limit */
	bool overlap;  /* not copied: its bounds overlap another goroutine's stack */
	bool bad_bounds; /* not copied: its bounds are no stack's (empty, over 1 GB) */
};

struct gtype_index;
struct gpkg_index;
struct gort_names;

/* What the build information says of the program's modules. */
struct gort_modules {
	bool main; /* it names a main module ("mod"): not a GOPATH-mode build */
	/* The module paths without a dot in their first element (those with one
	 * are told by it), main module's and dependencies', each NUL-terminated,
	 * back to back; malloc'd, NULL if none. */
	char *dotless;
	size_t ndotless;
};

/* allgs.c: the registry's entries, and the set that keeps each g once. */
struct gort_allgs {
	uint64_t *entries; /* ecap words: the entries as read */
	uint64_t ecap;
	uint64_t *set; /* open addressing by g address, 0 empty; nset slots, a power of 2 */
	size_t nset;
	uint64_t n; /* allglen at the stop */
	/* entries that repeat a g; that name gs past those its memory holds
	 * without overlapping; that are 0 or in no readable memory; and gs
	 * appended before the stop past what was reserved */
	uint64_t dups, cut, unreadable, late;
	uint64_t n0, nallg0; /* allglen and distinct gs before the stop */
};

struct gort_m {
	uint64_t addr, procid, curg;
	/* its g0's sched.sp: while C has called Go back on this M, where the
	 * innermost runtime.cgocallback's frame is on the thread's stack */
	uint64_t g0_sp;
};

/* A testing/synctest bubble (Go 1.25+) some goroutine is in, and its id as read
 * while stopped (ok false: unreadable). */
struct gort_bubble {
	uint64_t addr, id;
	bool ok;
};

#define GORT_MAX_BUBBLES 1024 /* distinct bubbles read per capture */

/* Where a goroutine's pprof labels are: g.labels points at a runtime/pprof
 * labelMap (labels.c says how each release lays it out). Offsets in bytes. */
enum gort_labels_kind {
	GORT_LABELS_NONE,  /* runtime/pprof is not linked: no goroutine has labels */
	GORT_LABELS_MAP,   /* Go <= 1.23: a map[string]string (a *hmap word) */
	GORT_LABELS_SLICE, /* Go >= 1.24: a struct holding a sorted []label */
};

struct gort_labels_layout {
	enum gort_labels_kind kind;
	uint64_t list, pair_size, key, value; /* slice: the []label, an element */
	uint64_t hmap_size, count, B, flags, buckets, oldbuckets; /* map: the hmap */
	uint64_t bucket_size, keys, elems, overflow;              /* its buckets of 8 slots */
};

struct gort_labels;

#define GORT_LABELS_HDR 64 /* bytes of a label set's header that capture copies */

/* What tells whose code a function is (owner.c). */
struct gort_whose {
	/* The runtime's source directory as this binary's file names spell it,
	 * "/usr/local/go/src/runtime/" or "runtime/" (-trimpath); empty if unknown. */
	char runtime_dir[256];
	struct gort_modules mods; /* from the build information */
};

struct gort_state {
	struct gort_layout l;
	const struct gort_table *table; /* the layout's, without DWARF; else NULL */
	bool table_exact;               /* table is this release's, not its minor's */
	struct gort_pclntab *pcln;
	char version[32];
	struct gort_whose whose;  /* whose code a function is (owner.c) */
	struct gort_names *names; /* the printed names of generics (funcname.c) */
	int minor;                /* 19 for go1.19.8; 0 if unknown */
	const char *const *reasons;
	size_t nreasons;
	/* Buffers reserved before the stop (gort_registry_reserve) for gcap
	 * goroutines and stack_cap bytes of stacks; filled while stopped. */
	uint64_t gcap;
	size_t stack_cap;
	struct insp_read *reads;
	struct gort_allgs allgs;
	uint64_t nallg;   /* distinct gs of the registry */
	uint64_t *gaddrs; /* their addresses, in the registry's order */
	uint8_t *gbytes; /* nallg * g_size */
	bool *gok;
	/* before the stop: a g whose stack overlaps another's has its stack.lo
	 * here (its stack is not copied unless it moved), else 0 */
	uint64_t *skip_lo;
	struct gort_m *ms;
	size_t nms;
	struct gort_gstack *stacks; /* one per g; only for live ones */
	uint8_t *stack_buf;         /* the bytes of every stack */
	struct gtype_index *rtypes; /* print's index of runtime types (value.h) */
	struct gpkg_index *pkgnames; /* print's package variables and constants */
	/* print's reading of runtime.debug.asynctimerchan (gochan.c), once per
	 * capture: 0 not read yet, 1 synchronous timer channels, 2 asynchronous,
	 * -1 unreadable, timers_why saying why (a static string). */
	int timers_mode;
	const char *timers_why;
	/* The target's GODEBUG tracebacklabels as its runtime holds it, read at
	 * the capture (godebug.c): 1 its traceback prints labels, 0 not (Go
	 * before 1.26: never), -1 it could not be read. */
	int tb_labels;
	uint64_t tb_labels_addr; /* where it is (godebug.c, before the stop); 0: unknown */
	/* Where the module's package variables lie, by moduledata (noptrdata,
	 * data, bss, noptrbss: [lo, hi) each); all 0 when it was not read. */
	struct {
		uint64_t lo, hi;
	} vars[4];
	size_t stack_bytes;
	struct gort_bubble bubbles[GORT_MAX_BUBBLES]; /* sorted by addr */
	size_t nbubbles;
	struct gort_labels_layout lab;
	struct gort_labels *labels; /* copied while stopped (labels.c), or NULL */
	/* gccount.c: where runtime.memstats.numgc is (0: unknown), its value
	 * while stopped, and whether decode found GC mark workers */
	uint64_t numgc_addr;
	uint32_t numgc;
	bool numgc_ok;
	bool gc_workers;
};

/* gccount.c: the GC cycles run, which decide whether any wait is stamped.
 * resolve before the stop (symbols and DWARF, else nothing), capture while
 * stopped, report after decode: set_info "gc_cycles" (memstats.numgc, when
 * read) and "gc_started" ("yes" or "no"). */
void gort_gc_resolve(struct gort_state *st, const struct insp_host *h);
void gort_gc_capture(struct gort_state *st, const struct insp_host *h);
void gort_gc_report(const struct gort_state *st, const struct insp_host *h);

/* print.c: the plugin ABI's print and frame_values. */
int gort_print(void *state, const struct insp_host *h, const struct insp_scope *sc,
	       const char *expr, const struct insp_print_opts *o, const char **text,
	       struct insp_err *err);
int gort_frame_values(void *state, const struct insp_host *h, const struct insp_scope *sc,
		      const struct insp_print_opts *o, struct insp_value **vals, size_t *n,
		      struct insp_err *err);

/* traceback.c: the minor release of st's Go ("go1.26.8": 26, wherever "go1." is in it:
 * "devel go1.20-..." too); st NULL or unknown: the newest (1000). */
int gort_minor(const struct gort_state *st);

/* locate.c: the machine code of the function called name (*f its pclntab
 * entry: [f->entry, f->end)), in the image's .text; NULL if not there. */
const uint8_t *gort_func_code(const struct gort_state *st, const struct insp_host *h,
			      const char *name, struct gort_func *f);

/* godebug.c: the address of runtime.debug.NAME's int32 (an atomic.Int32 of
 * runtime/runtime1.go dbgvars: a GODEBUG setting as the runtime holds it), by
 * DWARF; 0 and why not (a static string). */
uint64_t gort_debug_var(const struct insp_host *h, const char *name, const char **why);
/* Before the stop: where runtime.debug.tracebacklabels is (Go 1.26+), by DWARF
 * or by the code of runtime.goroutineheader. While the process is stopped:
 * st->tb_labels, whether its runtime's traceback prints labels (GODEBUG
 * tracebacklabels=1), one 4-byte read. */
void gort_tblabels_resolve(struct gort_state *st, const struct insp_host *h);
void gort_tblabels_capture(struct gort_state *st, const struct insp_host *h);

/* traceback.c: the plugin ABI's traceback, the runtime's SIGQUIT and debug=2
 * text of tasks at GOTRACEBACK=all (system: =system), max shown frames of each
 * (0: all kept), for the release of state's version (state NULL or no "go1.N"
 * in it: the newest), labels as its tb_labels says. Returns 0. */
int gort_traceback(void *state, const struct insp_task *const *tasks, size_t n, bool system,
		   uint32_t max, const struct insp_writer *w, struct insp_err *err);

/* buildinfo.c: the Go version from .go.buildinfo ("go1.21.0"); minor is 21. */
int gort_buildinfo_version(const struct insp_host *h, char *version, size_t size, int *minor,
			   struct insp_err *err);
/* The modules the build information lists: the main module ("mod") and its
 * dependencies ("dep"), as `go version -m` prints them. Fills *m (free
 * m->dotless); 0, or -1 with err (INSP_E_CORRUPT, INSP_E_SYS) and *m empty. */
int gort_buildinfo_modules(const struct insp_host *h, struct gort_modules *m, struct insp_err *err);

/* owner.c: whose code a function is. */
enum gort_owner {
	GORT_OWN_COMPILER, /* compiler-made (type:.hash.T, <autogenerated>), or no name */
	GORT_OWN_RUNTIME,  /* the runtime's private part: runtime.x, internal/..., and
			    * the runtime's code under another package's unexported
			    * name (sync.runtime_notifyListWait, os/signal.signal_recv) */
	GORT_OWN_STD,      /* the rest of the Go distribution's standard library */
	GORT_OWN_PROGRAM,  /* main, and packages of the program's modules */
};
/* func as the pclntab names it (shapes or "[...]" alike), file as it spells it
 * (may be NULL). */
enum gort_owner gort_owner(const struct gort_whose *w, const char *func, const char *file);
/* w->runtime_dir from file, a file of the runtime package's own code (as the
 * binary or a profile spells it): its directory when that is ".../runtime/";
 * else w is left as it was. */
void gort_runtime_dir(struct gort_whose *w, const char *file);
/* The frame shown, the rule of decode's walk and of gort_frame_shown: fed
 * each frame of a stack, innermost first, it says whether that frame is the
 * frame shown so far: the innermost of the program's own code (then done: no
 * later one can be), else the innermost of the standard library outside the
 * runtime's private part; never a compiler-made wrapper. Start zeroed. */
struct gort_shown {
	bool any, done;
};
bool gort_shown_take(const struct gort_whose *w, struct gort_shown *sh, const char *func,
		     const char *file, bool wrapper);
/* The plugin ABI's frame_shown: t->user_top from t->frames, for a task read
 * from a profile: names and files only, no build information, so a package
 * path without a dot is the program's when its file is outside GOROOT (as for
 * a GOPATH build), else (-trimpath) the standard library's. */
void gort_frame_shown(struct insp_task *t);

/* funcname.c: the names the runtime's traceback prints. */
/* A cache of printed names; NULL if out of memory. Free with gort_names_free
 * (safe with NULL). */
struct gort_names *gort_names_new(void);
void gort_names_free(struct gort_names *c);
/* name as the runtime's traceback prints it (funcNameForPrint, Go 1.21+): from
 * the first '[' to the last ']' becomes "[...]": main.Wait[go.shape.int] is
 * main.Wait[...], main.(*Box[go.shape.string]).Hold is main.(*Box[...]).Hold.
 * Go 1.19's linker already wrote "[...]". The result lives in c (or is name
 * itself: no brackets, c NULL, out of memory). */
const char *gort_name_print(struct gort_names *c, const char *name);
/* gort_pclntab_frames of st->pcln with the names printed so. */
int gort_frames(const struct gort_state *st, uint64_t pc, bool call_site, struct gort_srcframe *out,
		int max);

/* layout.c: the offsets from DWARF. */
int gort_layout_resolve(struct gort_layout *l, const struct insp_host *h, struct insp_err *err);
/* module.c: open the pclntab (st->pcln) and its inline trees; without symbols,
 * st->vars too. */
int gort_module_open(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* locate.c: the registry's and wait reasons' addresses, by symbol or by the code
 * that uses them (needs st->pcln and the layout). */
int gort_locate(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* waitreason.c: read runtime.waitReasonStrings from the target, or take the
 * table's when it was not found. */
int gort_waitreasons_read(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* allgs.c: n elements of size each (at least one), zeroed with every byte
 * written, so that their pages are mapped now and not faulted in one by one while
 * the target is stopped (a fault costs microseconds in a VM); NULL if out of
 * memory. */
void *gort_touched(size_t n, size_t size);
/* Before the stop, read allglen, allgptr and the entries, and reserve
 * (touched) st->gaddrs for every g the target's memory can hold, plus room for
 * those started before the stop: st->gcap; st->nallg distinct gs as they are
 * now. -1 with INSP_E_CORRUPT when the array lies outside readable memory. */
int gort_allgs_prepare(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* While stopped: st->gaddrs and st->nallg anew, each g once; allocates nothing. */
int gort_allgs_capture(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* The notes on what the entries held: duplicates, unreadable, left out. */
void gort_allgs_notes(const struct gort_state *st, const struct insp_host *h);
void gort_allgs_free(struct gort_state *st);
/* registry.c: before the stop, size and touch the buffers for the registry as
 * it is now; while stopped, copy allgs, the g structs, the m list and the used
 * stacks. */
int gort_registry_reserve(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* Free the copies and reserves (the state stays usable for symbolizing). */
void gort_registry_free(struct gort_state *st);
int gort_registry_capture(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* The stopped thread whose id is an M's procid (gettid() in the target's own PID
 * namespace: the thread's ns_tid), or NULL. */
const struct insp_thread *gort_thread_of_procid(const struct insp_host *h, uint64_t procid);
/* decode.c: the copies into tasks. */
int gort_registry_decode(struct gort_state *st, const struct insp_host *h, struct insp_err *err);
/* bubble.c: while stopped, the id of every synctest bubble a live goroutine is
 * in (one 8-byte read each); never fails: an unread id is a note in decode. */
void gort_bubbles_capture(struct gort_state *st, const struct insp_host *h);
/* The bubble at addr, or NULL when it was not read. */
const struct gort_bubble *gort_bubble_find(const struct gort_state *st, uint64_t addr);
/* readpack.c: h->readv of n reads in fewer: sorted by address, the reads that
 * lie in one page of the target become one read of the span they cover, copied
 * out after.
 * Go's allocator packs small objects of a size class side by side, so label
 * sets, their elements and their strings share pages: 10,000 labelled
 * goroutines cost tens of reads, not tens of thousands (process_vm_readv pins
 * the pages of every remote iovec). A read that crosses a page goes alone, so
 * no page is touched that the reads themselves would not touch. -1 when the
 * process is gone or memory ran out. */
int gort_readv_packed(const struct insp_host *h, struct insp_read *r, size_t n);
/* labels-layout.c: pprof labels. In prepare (needs st->pcln and st->minor): the
 * layout of labelMap, from DWARF or from the release; never fails (a layout it
 * cannot tell is a note, and no labels). */
void gort_labels_resolve(struct gort_state *st, const struct insp_host *h);
/* labels.c: the labels themselves. */
/* While stopped: copy the distinct label sets of the live goroutines, bounded
 * (count and bytes); never fails (what it cannot read is a note in decode). */
void gort_labels_capture(struct gort_state *st, const struct insp_host *h);
/* In decode: the labels of the g copied at g into t, in snapshot memory; -1 when
 * snapshot memory ran out. */
int gort_labels_of(const struct gort_state *st, const struct insp_host *h, const uint8_t *g,
		   struct insp_task *t);
/* After decode: notes on what could not be read, and the copies freed. */
void gort_labels_done(struct gort_state *st, const struct insp_host *h);
void gort_labels_free(struct gort_state *st);
/* words.c: the reason, state words, decorations and sandbox of the g at index
 * i of the copy (status without the scan bit) into t, as the runtime's
 * traceback prints them; -1 when snapshot memory ran out. */
int gort_words(const struct gort_state *st, const struct insp_host *h, uint64_t i, uint32_t status,
	       struct insp_task *t);
/* The plugin ABI's loaded_words: ", synctest bubble N" after the reason (or
 * state) of a task read from a file with that sandbox. */
int gort_loaded_words(const struct insp_task *t, char *buf, size_t size);
/* reasons.c */
extern const struct insp_reason_name gort_reason_names[];

/* Little-endian reads from a copy; the caller checks the bounds. */
static inline uint64_t
gort_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t
gort_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bounds on counts read from the target: past them a word is corrupt. */
#define GORT_MAX_GOROUTINES (16u << 20)
#define GORT_MAX_MS         100000
#define GORT_MAX_REASON_LEN 64 /* bytes of a wait reason string */

/* g.atomicstatus (research/goruntime.md 3): leaked and deadextra are Go 1.26's. */
enum {
	GORT_G_IDLE = 0,
	GORT_G_RUNNING = 2,
	GORT_G_SYSCALL = 3,
	GORT_G_WAITING = 4,
	GORT_G_DEAD = 6,
	GORT_G_LEAKED = 10,
	GORT_G_DEADEXTRA = 11,
	GORT_G_LAST = 11,
	GORT_G_SCAN = 0x1000, /* a bit over the others while the GC scans its stack */
};

/* The status of the g copied at g, without the scan bit. */
static inline uint32_t
gort_g_status(const struct gort_layout *l, const uint8_t *g)
{
	return gort_u32(g + l->g_status) & ~(uint32_t)GORT_G_SCAN;
}

/* Idle, dead, and deadextra (an extra M's spare g) are no goroutines. */
static inline bool
gort_g_exists(uint32_t status)
{
	return status != GORT_G_IDLE && status != GORT_G_DEAD && status != GORT_G_DEADEXTRA;
}

#endif
