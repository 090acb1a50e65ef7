/* The plugin ABI: what a runtime plugin (plugins/<name>/, a shared object) sees of
 * the core, and what it gives back. A plugin reads the image and the stopped target
 * only through struct insp_host, and reports tasks into the snapshot the host owns.
 * Plugins never print, exit, write to the target or keep pointers past release().
 * SPDX-License-Identifier: MIT */
#ifndef INSPECT_PLUGIN_H
#define INSPECT_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/err.h"
#include "inspect/task.h"

/* Bump on any change to a struct or function pointer below; the loader refuses a
 * plugin whose abi differs. */
#define INSP_ABI_VERSION 6

/* A field of a type, as DWARF describes it. */
struct insp_field {
	uint64_t offset;
	uint64_t size;
};

/* One read of a batch: addr/len in the target into buf. ok is set by the host. */
struct insp_read {
	uint64_t addr;
	void *buf;
	size_t len;
	bool ok;
};

/* Where print looks: one logical frame of a task's stack. */
struct insp_scope {
	uint64_t pc;           /* the frame's pc (insp_loc.pc) */
	bool call_site;        /* pc is a return address: look up pc - 1 */
	uint32_t inline_depth; /* which of the calls inlined at pc (0: the innermost) */
	uint64_t cfa;          /* insp_frame.cfa */
};

/* A variable, located by DWARF and read by the host. */
struct insp_var {
	const char *name; /* as DWARF names it: "&x" for a variable moved to the heap */
	bool arg;
	uint64_t type; /* the DWARF offset of its type (the Dwarf of host.dwarf) */
	/* In memory as a whole at addr; else, when assembled from pieces, bytes
	 * (size of them); neither: <optimized out>. */
	uint64_t addr;
	const uint8_t *bytes;
	uint64_t size;
	const char *why; /* why it is optimized out, or NULL */
};

/* Limits of a printed value; each cut is shown as such. */
struct insp_print_opts {
	uint32_t max_string; /* bytes of a string */
	uint32_t max_elems;  /* elements of an array, slice, map or channel */
	uint32_t max_depth;  /* nesting of composite values */
};

/* A variable as a plugin prints it. */
struct insp_value {
	const char *name;
	bool arg;
	const char *text;
	/* ABI 5. A variable of the same name comes later in the frame's list and
	 * hides this one (an inner block's, or the compiler's second copy of a
	 * result): shown "(name)", as Delve marks it. */
	bool shadowed;
};

/* An OS thread of the target, as the host captured it while stopped. */
#define INSP_NREGS                                                                                 \
	17 /* x86-64 DWARF registers 0-16: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip              \
	    */

struct insp_thread {
	int32_t tid;
	char state;    /* /proc/PID/task/TID/stat state letter before the stop */
	char name[16]; /* /proc comm */
	uint64_t pc, sp, fp;
	uint64_t tls_base;         /* amd64: fs_base */
	bool regs_ok;              /* false: the registers could not be read */
	uint64_t regs[INSP_NREGS]; /* every general register, by DWARF number */
	/* A copy of its stack from just below sp, when the host took one. */
	uint64_t stack_addr;
	const uint8_t *stack;
	size_t stack_len;
	/* Its id in the target's own PID namespace, the innermost (what gettid()
	 * returned inside it, so what a runtime records); tid is inspect's view.
	 * Equal to tid when they share the namespace; 0 if unknown. */
	int32_t ns_tid;
};

/* The core's services. ctx is the host's; pass it back to every call. Strings
 * and section bytes returned here belong to the image and live until the
 * plugin's release() has returned. Every call returns 0 on success, -1 with err
 * filled. */
struct insp_host {
	void *ctx;

	/* The image (the target's executable); usable in every phase. */
	const char *exe_path;
	bool has_dwarf;
	/* Where the host looked for a separate debug file, for a message when there
	 * is no DWARF: "by build-id under ..., or its .gnu_debuglink; ...". */
	const char *debug_search;
	/* Runtime address (load bias applied) and size of a data or code symbol,
	 * from .symtab, else from DWARF. */
	int (*symbol)(void *ctx, const char *name, uint64_t *addr, uint64_t *size,
		      struct insp_err *err);
	/* A section's bytes as in the file and its runtime address. */
	int (*section)(void *ctx, const char *name, const uint8_t **data, size_t *size,
		       uint64_t *addr, struct insp_err *err);
	/* Byte size of a named DWARF type ("runtime.g"). */
	int (*type_size)(void *ctx, const char *type, uint64_t *size, struct insp_err *err);
	/* Offset and size of a field; path may name nested fields ("sched.pc"). */
	int (*field)(void *ctx, const char *type, const char *path, struct insp_field *out,
		     struct insp_err *err);

	/* The target's memory. Reads are bounded by len; a fault is an error, never
	 * a crash. Usable in prepare() (for data that does not change) and capture(). */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len, struct insp_err *err);
	/* Many reads in few system calls; each read's ok says whether it worked.
	 * Returns -1 only if the process is gone. */
	int (*readv)(void *ctx, struct insp_read *reads, size_t n, struct insp_err *err);

	/* The threads stopped for capture(); valid in capture() and decode(). */
	const struct insp_thread *threads;
	size_t nthreads;
	/* CLOCK_MONOTONIC at the stop, in ns: Go's nanotime() uses the same clock. */
	int64_t stop_ns;
	/* Frames to keep per task in decode(); 0: only top and user_top. */
	uint32_t max_frames;

	/* Snapshot memory: zeroed, freed with the snapshot, NULL when the snapshot's
	 * byte cap is reached (treat as INSP_E_CORRUPT: a count was absurd). */
	void *(*alloc)(void *ctx, size_t size);
	/* A new task in the snapshot (zeroed; tid 0, ids 0), or NULL as alloc. */
	struct insp_task *(*add_task)(void *ctx);
	/* One of the target runtime's wait-reason strings: filters by short name pick
	 * the first of their strings the runtime knows. The string must outlive the
	 * snapshot (image or alloc). */
	void (*add_reason)(void *ctx, const char *reason);
	/* Variables through DWARF, for print; usable while the target is stopped
	 * (after decode when the host keeps it stopped). The libdw handle (a
	 * Dwarf *, NULL without DWARF) for their types; load_bias turns a
	 * link-time address into a runtime one. */
	void *(*dwarf)(void *ctx);
	uint64_t load_bias;
	/* The parameters and locals of a frame, read; vars in snapshot memory. */
	int (*frame_vars)(void *ctx, const struct insp_scope *sc, struct insp_var **vars, size_t *n,
			  struct insp_err *err);
	/* A package variable by its full name ("main.Config"), read. */
	int (*global_var)(void *ctx, const char *name, struct insp_var *out, struct insp_err *err);

	/* Runtime facts for the report header ("go1.26.8", "symbols: pclntab"). */
	void (*set_info)(void *ctx, const char *key, const char *value);
	/* A problem that did not stop the dump, shown under the report. */
	void (*note)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

	/* ABI 5. For probe(): the shared libraries the process maps (paths as
	 * /proc/PID/maps names them), since a runtime may live in one of them rather
	 * than in the executable (Go's -buildmode=c-shared). */
	size_t nlibs;
	const char *const *libs;
	/* Library i has a section of that name: 1, else 0. */
	int (*lib_has_section)(void *ctx, size_t i, const char *name);
	/* From probe(), before returning 1: the runtime is in library i. The host
	 * then makes that library the image (symbols, sections, DWARF, load bias;
	 * exe_path names it) and calls probe() again, which must accept it. */
	void (*use_lib)(void *ctx, size_t i);
	/* The image is such a library (use_lib switched to it), not the
	 * executable: a runtime there may start and end differently (Go's
	 * runtime.main returns after the library's init). */
	bool image_is_lib;
	/* ABI 5. The readable memory of the target around addr, as
	 * /proc/PID/maps said before prepare() (adjacent readable mappings taken
	 * as one): [*lo, *hi); 0, or -1 if none holds addr. For bounds on what the
	 * target's words claim: a count of things must fit in memory it has.
	 * Pure lookup (no system call, no allocation); may be NULL (no map). */
	int (*readable)(void *ctx, uint64_t addr, uint64_t *lo, uint64_t *hi);
};

/* A short reason name users type (`reason=chan-recv`). strings are the runtime's
 * own wait-reason strings (or state words: "running") it stands for. With any, it
 * matches every one of them (`gc`); otherwise only the first one the target's
 * runtime knows, most specific first (`mutex` is "sync.Mutex.Lock", or "semacquire"
 * on Go 1.19, which has no Mutex reason). */
struct insp_reason_name {
	const char *name;
	const char *help;
	bool any;
	const char *strings[16]; /* ends with NULL */
};

/* ABI 6. Where a plugin writes a text report (traceback), lent by the host for
 * the call; ctx is the host's, passed back to every call. The host owns the
 * output and makes it safe: what the target chose never reaches a terminal
 * raw. */
struct insp_writer {
	void *ctx;
	/* The plugin's own text, printf-style: its words, numbers, and what it
	 * quoted itself into printable ASCII. No %s of the target's bytes. */
	void (*put_raw)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* A string of the target's (a name, a path, a wait reason): written on one
	 * line (a newline or tab as the text \n, \t), control bytes and bad UTF-8
	 * escaped as the host's text output does. */
	void (*put_escaped)(void *ctx, const char *s);
};

struct insp_plugin {
	unsigned abi; /* INSP_ABI_VERSION */
	const char *name;
	const char *summary;
	const struct insp_reason_name *reasons; /* ends with a NULL name */

	/* 1 if the runtime is in this image, 0 if not; -1 on error. */
	int (*probe)(const struct insp_host *h, struct insp_err *err);
	/* Before the stop: layouts, addresses, tables. *state is the plugin's. */
	int (*prepare)(const struct insp_host *h, void **state, struct insp_err *err);
	/* While every thread is stopped: copy what decode needs, nothing more. */
	int (*capture)(void *state, const struct insp_host *h, struct insp_err *err);
	/* After the target runs again: turn the copy into tasks (add_task). */
	int (*decode)(void *state, const struct insp_host *h, struct insp_err *err);
	/* After decode: the frames of the runtime's code at pc (a native walk of a
	 * thread passes each pc here first), innermost first, inlined calls
	 * expanded; 0 if pc is not the runtime's code. May be NULL. */
	int (*symbolize)(void *state, uint64_t pc, bool call_site, struct insp_frame *out, int max);
	/* While the target is still stopped, after decode: the value of a Go
	 * expression in the frame sc (NULL: only package variables), as text in
	 * snapshot memory. INSP_E_USAGE: a bad expression, with the message
	 * pointing at it. May be NULL (print is not supported). */
	int (*print)(void *state, const struct insp_host *h, const struct insp_scope *sc,
		     const char *expr, const struct insp_print_opts *o, const char **text,
		     struct insp_err *err);
	/* The same for every parameter and local of the frame, in snapshot memory. */
	int (*frame_values)(void *state, const struct insp_host *h, const struct insp_scope *sc,
			    const struct insp_print_opts *o, struct insp_value **vals, size_t *n,
			    struct insp_err *err);
	/* Free the state; may be called after any phase, state may be NULL. The
	 * host calls it when the snapshot goes: strings it gave live until then. */
	void (*release)(void *state);
	/* ABI 6. After decode: the runtime's own text for tasks, as it writes every
	 * goroutine's stack when asked (Go: the SIGQUIT traceback, a debug=2
	 * goroutine profile). tasks (n of them, lent for the call) are the ones the
	 * user chose, in the snapshot's order; system: the runtime's level that
	 * shows its own code too (Go: GOTRACEBACK=system); max: the frames to show
	 * of each stack at most, counted as the runtime counts what it shows (its
	 * hidden frames not), 0: all the task has. Writes only through w, never
	 * reads the target. Returns 0, or -1 with err filled. May be NULL: the host
	 * refuses the format. */
	int (*traceback)(void *state, const struct insp_task *const *tasks, size_t n, bool system,
			 uint32_t max, const struct insp_writer *w, struct insp_err *err);
	/* ABI 6. For a task read back from a file (a profile: no target, no
	 * image, no state): set t->user_top, the frame shown, from t->frames
	 * (innermost first, inlined calls expanded) by the rule decode uses, as
	 * far as names and files tell it; left unset when no frame fits. May be
	 * NULL: the host shows the innermost frame. */
	void (*frame_shown)(struct insp_task *t);
	/* ABI 6. For a task read back from a file that says its reason (or
	 * state) and sandbox but not the runtime's words for them (written
	 * before they were saved): those words, as decode sets t->words, into
	 * buf (size bytes, NUL-terminated, cut to fit). Returns 0, or -1: no
	 * words beyond reason/state. May be NULL: the host groups by reason. */
	int (*loaded_words)(const struct insp_task *t, char *buf, size_t size);
};

/* Every plugin exports this symbol. */
#define INSP_PLUGIN_ENTRY "insp_plugin_entry"
typedef const struct insp_plugin *(*insp_plugin_entry_fn)(void);

#endif
