/* The model layer: a snapshot of a process's tasks and threads, taken by attach,
 * capture, detach, decode; then filters (--with/--without) and grouping on it.
 * Everything decoded lives in the snapshot's arena and dies in mdl_snapshot_release.
 * SPDX-License-Identifier: MIT */
#ifndef MODEL_MODEL_H
#define MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/err.h"
#include "inspect/plugin.h"
#include "inspect/task.h"
#include "runtime/runtime.h"
#include "util/arena.h"

struct img;
struct tgt_proc;

#define MDL_MAX_INFO 16 /* header facts a plugin sets: the Go plugin sets 11 */

struct mdl_snapshot {
	struct arena arena;
	pid_t pid;
	pid_t io_tid; /* a live thread of it, for /proc/TID/maps (target.h tgt_proc.io_tid) */
	const char *exe;
	const char *debug_file; /* the separate debug file DWARF came from, or NULL */
	const char *runtime_lib; /* the shared library the runtime is in, or NULL (the exe) */
	const struct insp_plugin *plugin;
	void *plugin_state; /* released with the snapshot */
	struct img *img;    /* kept open: task locations point into it */
	struct insp_task **tasks;
	size_t ntasks, tasks_cap;
	struct insp_thread *threads;
	size_t nthreads;
	struct mdl_thread *native; /* nthreads of them, after mdl_threads_unwind */
	const char **reasons;      /* the runtime's wait-reason strings */
	size_t nreasons, reasons_cap;
	const char **notes;
	size_t nnotes, notes_cap;
	struct {
		const char *key, *value;
	} info[MDL_MAX_INFO];
	size_t ninfo;
	double pause_ms;
	int64_t stop_ns;
	int64_t captured_ns;   /* CLOCK_REALTIME at the stop (Unix ns) */
	int64_t started_ns;    /* when the process started (Unix ns, tgt_started_ns); 0: unknown */
	uint32_t max_frames;   /* set before capture: frames to keep per task (0: two) */
	bool keep_stopped;     /* set before capture: stay attached until mdl_snapshot_detach */
	struct tgt_proc *proc; /* while attached */
	bool threads_wanted;   /* set before capture: copy the threads' stacks */
	bool alloc_failed;     /* the arena cap was hit: a count in the target was absurd */
	/* dump --locals: the variables of some tasks' user frames (mdl_site_values). */
	struct mdl_task_values *values;
	size_t nvalues;
};

/* The arguments and locals of a task's frame, printed while the process was stopped. */
struct mdl_task_values {
	const struct insp_task *task;
	uint32_t frame;
	struct insp_value *vals;
	size_t n;
	const char *error; /* why there are none, or NULL */
};

#define MDL_SNAPSHOT_INIT                                                                          \
	{                                                                                          \
		.arena = ARENA_INIT                                                                \
	}

/* capture.c */
/* Attach to pid, capture, detach, decode. On failure the process is detached and
 * s holds nothing to print. INSP_E_INTR: a signal came while stopped. */
int mdl_snapshot_capture(struct mdl_snapshot *s, pid_t pid, const struct rt_plugin_set *plugins,
			 struct insp_err *err);
/* Let a process captured with keep_stopped go; nothing to do otherwise.
 * INSP_E_EXITED when it died while held (mdl_snapshot_held). */
int mdl_snapshot_detach(struct mdl_snapshot *s, struct insp_err *err);
/* A process kept stopped still lives: 0, or -1 with INSP_E_EXITED once it died
 * (a SIGKILL) or is dying; then nothing read from it is its state any more.
 * 0 when not attached. tgt_proc_held says how. */
int mdl_snapshot_held(struct mdl_snapshot *s, struct insp_err *err);
/* How long the process has been (or was) stopped, in ms. */
double mdl_snapshot_stopped_ms(const struct mdl_snapshot *s);
/* Detach if still attached, and free everything. */
void mdl_snapshot_release(struct mdl_snapshot *s);
/* A header fact the plugin set ("go_version"), or NULL. */
const char *mdl_info(const struct mdl_snapshot *s, const char *key);

/* buildid.c: the executable's GNU build-id in hex into hex (size bytes with
 * the NUL; 129 hold any), "" when it has none; hex. */
const char *mdl_build_id(const struct mdl_snapshot *s, char *hex, size_t size);

#define MDL_THREAD_FRAMES 100 /* native frames per thread unless max_frames says */

/* threads.c: the native stacks of the OS threads, walked after the detach from
 * the copies of their stacks. */
struct mdl_thread {
	const struct insp_thread *thread;
	const struct insp_task *task; /* the task it runs, or NULL */
	const struct insp_frame *frames;
	uint32_t nframes;
	const char *why; /* why the walk ended early, or NULL */
};

/* Walk every thread (max frames each) and put the native frames of a thread that
 * runs outside the runtime's code (a cgo call) on top of its task's stack. */
int mdl_threads_unwind(struct mdl_snapshot *s, uint32_t max, struct insp_err *err);

/* print.c: values through the plugin and DWARF, while the process is kept stopped
 * (keep_stopped, before mdl_snapshot_detach). Text in snapshot memory. */
#define MDL_PRINT_DEFAULTS                                                                         \
	{                                                                                          \
		.max_string = 64, .max_elems = 64, .max_depth = 3                                  \
	}
/* The scope of frame i of a stack (its inline depth counted from the frames). */
void mdl_scope_of(const struct insp_frame *frames, uint32_t i, struct insp_scope *sc);
/* Print a Go expression in scope sc (NULL: package variables only). */
int mdl_print(struct mdl_snapshot *s, const struct insp_scope *sc, const char *expr,
	      const struct insp_print_opts *o, const char **text, struct insp_err *err);
/* Every parameter and local of the frame sc, printed. */
int mdl_frame_values(struct mdl_snapshot *s, const struct insp_scope *sc,
		     const struct insp_print_opts *o, struct insp_value **vals, size_t *n,
		     struct insp_err *err);

/* The values of the user frame of each site's first task, for dump --locals. */
struct mdl_grouping;
int mdl_site_values(struct mdl_snapshot *s, const struct mdl_grouping *g,
		    const struct insp_print_opts *o, struct insp_err *err);
/* The values kept for t, or NULL. */
const struct mdl_task_values *mdl_task_values(const struct mdl_snapshot *s,
					      const struct insp_task *t);

/* filter.c */
enum mdl_cond_kind {
	MDL_COND_REASON,
	MDL_COND_FUNC,
	MDL_COND_RUNNING,
	MDL_COND_LEAKED,
	MDL_COND_USER,
	MDL_COND_LABEL,
};

/* One value of a condition; a condition holds if any of its values does
 * (reason=mutex,select). */
struct mdl_value {
	const char *text; /* into the user's spec, len bytes, without its quotes */
	size_t len;
	/* reason=: a short name; NULL: the runtime's own words, which match the
	 * words shown and (not exact) the runtime's string without what the
	 * traceback adds to it ("chan receive" is also "chan receive (leaked)") */
	const struct insp_reason_name *name;
	bool exact; /* in quotes: only the words shown, whole */
};

#define MDL_MAX_VALUES 16

struct mdl_cond {
	enum mdl_cond_kind kind;
	bool without;
	struct mdl_value vals[MDL_MAX_VALUES]; /* of reason=, func= and label:K= */
	size_t nvals;
	const char *key; /* label:K, into the spec, key_len bytes */
	size_t key_len;
};

#define MDL_MAX_CONDS 32

struct mdl_filter {
	struct mdl_cond conds[MDL_MAX_CONDS];
	size_t n;
	bool system; /* include the runtime's own tasks */
};

/* Parse one condition, as `inspect dump --with` and the REPL's `tasks -with` take
 * it (one parser: the same words mean the same there):
 *   reason=V[,V]...  V a short name (chan-send), the runtime's words as the report
 *                    prints them (chan send), or those in quotes, exact ("chan
 *                    send"); a comma followed by a blank is part of the words
 *                    ("select (durable), synctest bubble 2")
 *   func=S[,S]...    the frame shown has S in its function's name
 *   label:K          it has the label K (Go's pprof labels)
 *   label:K=V[,V]... its label K is V, exactly (bare or in quotes)
 *   running, leaked (the runtime found it can never wake), user (not the
 *   runtime's own).
 * Any one value of a condition may hold. An unknown name or field is
 * INSP_E_USAGE, with the nearest known ones offered ("did you mean").
 * spec must outlive the filter. */
int mdl_filter_add(struct mdl_filter *f, bool without, const char *spec,
		   const struct rt_plugin_set *plugins, struct insp_err *err);
bool mdl_filter_match(const struct mdl_filter *f, const struct mdl_snapshot *s,
		      const struct insp_task *t);
/* What tasks are grouped under and shown with: the runtime's words (insp_task
 * words), else the wait reason, else the state word. */
const char *mdl_task_key(const struct insp_task *t);
/* The frame to show for a task: its innermost user frame, else its innermost. */
const struct insp_loc *mdl_task_frame(const struct insp_task *t);
/* The value of t's label key (len bytes), or NULL when it has none. */
const char *mdl_task_label(const struct insp_task *t, const char *key, size_t len);

/* group.c */
#define MDL_EXAMPLES 3

enum mdl_group_by {
	MDL_GROUP_REASON,  /* by wait reason (or state) */
	MDL_GROUP_STACK,   /* by identical stacks */
	MDL_GROUP_FUNC,    /* by the function of the frame shown (mdl_task_frame) */
	MDL_GROUP_CREATOR, /* by the go statement that created them */
	MDL_GROUP_LABEL,   /* by the value of a label (mdl_group_label) */
};

/* Tasks of one group that stand at the same frame and were created at the same place. */
struct mdl_site {
	const struct insp_loc *frame, *creator;
	const struct insp_task *first; /* the example with the smallest id */
	size_t count;
	uint64_t examples[MDL_EXAMPLES];
	bool labels_differ; /* its tasks do not all have first's labels */
	/* The shortest and longest of its tasks' known waits (insp_task wait_ns),
	 * ns; -1 when none is known. */
	int64_t wait_newest_ns, wait_oldest_ns;
	size_t wait_unknown; /* its waiting tasks (a reason) whose wait is unknown */
};

struct mdl_group {
	/* the reason, the function, (stack) the first task's reason, or (label)
	 * "KEY=VALUE" and for those without the label "(no KEY label)" */
	const char *key;
	const char *label_value; /* label: the value, NULL for those without it */
	size_t count;
	int64_t max_wait_ns; /* -1: unknown for all */
	struct mdl_site *sites;
	size_t nsites;
};

struct mdl_grouping {
	enum mdl_group_by by;
	const char *label;        /* label: the key */
	struct mdl_group *groups; /* biggest first */
	size_t ngroups;
	size_t shown;  /* tasks that passed the filter */
	size_t hidden; /* the runtime's own tasks left out (no --system) */
};

/* Group the snapshot's tasks that pass f; memory from the snapshot. by
 * MDL_GROUP_LABEL needs a key: mdl_group_label (here it groups by reason). */
int mdl_group(struct mdl_snapshot *s, const struct mdl_filter *f, enum mdl_group_by by,
	      struct mdl_grouping *out, struct insp_err *err);
/* The same by the value of the label key (MDL_GROUP_LABEL): a group per value,
 * and one of the tasks without that label. key must outlive out. */
int mdl_group_label(struct mdl_snapshot *s, const struct mdl_filter *f, const char *key,
		    struct mdl_grouping *out, struct insp_err *err);
/* Order of two locations by function, file and line (NULL first): -1, 0, 1. */
int mdl_loc_cmp(const struct insp_loc *a, const struct insp_loc *b);
/* Do a and b have the same stack (functions, files and lines)? -1, 0, 1 to sort. */
int mdl_stack_cmp(const struct insp_task *a, const struct insp_task *b);

/* loaded.c: a snapshot read back from a saved capture (inspect diff), not taken
 * from a process: no plugin, no image, no threads; its readers (ui) fill it. */
/* A new task of s, zeroed but wait_ns -1, in s's arena; NULL when memory runs out. */
struct insp_task *mdl_snapshot_add_task(struct mdl_snapshot *s);

/* delta.c: buckets of a grouping, what inspect diff compares and inspect watch
 * follows, and the change of each between two groupings. */
struct mdl_bucket {
	const char *key; /* the group's key: the reason, or the --group key */
	/* the site's frame shown and creator; both NULL when the bucket is the
	 * whole group, but by stack the frame shown of the stack */
	const struct insp_loc *frame, *creator;
	/* by stack: a task of the group, whose frames tell the stack; else NULL */
	const struct insp_task *stack;
	size_t count;
};

/* The buckets of g, biggest first (ties by mdl_bucket_cmp): each site of each
 * group (sites: what the text report's lines are), or each group. *out is malloc'd (the caller
 * frees it); its pointers are g's, into g's snapshot. */
int mdl_buckets(const struct mdl_grouping *g, bool sites, struct mdl_bucket **out, size_t *n,
		struct insp_err *err);
/* Order of buckets by key, frame, creator, stack (count ignored): 0 is the same bucket. */
int mdl_bucket_cmp(const struct mdl_bucket *a, const struct mdl_bucket *b);
/* A copy of b whose strings and locations live in a (for a bucket kept after its
 * snapshot is gone); 0, or -1 when a is full. */
int mdl_bucket_copy(struct arena *a, const struct mdl_bucket *b, struct mdl_bucket *out);
/* A short id of a stack (t's frames: mdl_stack_cmp's functions, files and lines,
 * FNV-1a), the same for the same stack in any capture: what tells apart in text
 * the buckets by stack that share their frame shown. */
uint32_t mdl_stack_id(const struct insp_task *t);

/* A bucket in two groupings: old or new NULL where it is absent (count 0). */
struct mdl_change {
	const struct mdl_bucket *old, *new;
	size_t nold, nnew;
	long long delta; /* nnew - nold */
};

/* Match the buckets of old and new (sorted by mdl_bucket_cmp in place) and list
 * every bucket of either, biggest growth first, then by key (unchanged ones
 * included, delta 0). *out is malloc'd; it points into old and new. */
int mdl_diff(struct mdl_bucket *old, size_t nold, struct mdl_bucket *new, size_t nnew,
	     struct mdl_change **out, size_t *n, struct insp_err *err);

#endif
