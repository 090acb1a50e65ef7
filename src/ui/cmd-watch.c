/* `inspect watch PID`: a capture every interval, as dump takes it (each pauses the
 * process and says for how long; it is detached between captures), a line per
 * capture with the counts per reason and per top bucket, and at the end each
 * bucket's counts over the window, its slope per minute, and a flag on those that
 * only grew. Ends after --count captures, or on SIGINT/SIGTERM/SIGHUP.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target/target.h"

#define NS_PER_MS  INT64_C(1000000)
#define NS_PER_MIN INT64_C(60000000000)
#define COLUMNS    8  /* captures shown in the table at the end: the last ones */
#define ROWS       20 /* buckets in that table */
/* Buckets followed at most: a process whose buckets keep changing (a stack per
 * request) must not grow the watch without end; those gone now go first. */
#define ROWS_MAX 4096
/* The shortest interval: each capture stops the process (a few ms, more with
 * many goroutines); 100 ms keeps it stopped a few percent of its time at most. */
#define INTERVAL_MIN_MS 100

struct watch_opts {
	struct mdl_filter filter;
	enum mdl_group_by by;
	const char *label;
	bool grouped; /* --group: a bucket is a group, not a site (as diff) */
	int64_t interval_ns;
	unsigned long count; /* 0: until a signal */
	unsigned top;        /* buckets on each capture's line */
	bool help;
	pid_t pid;
};

/* A bucket followed over the window: a copy (the snapshots go), its count at
 * the first capture (0 if absent then) and at the last COLUMNS ones (a ring by
 * capture number), and whether it ever fell from one capture to the next: what
 * the table and the slope need, not every count. */
struct row {
	struct mdl_bucket b;
	size_t first, last[COLUMNS];
	bool fell;
};

struct window {
	struct arena arena; /* the rows' buckets */
	struct row *rows;   /* sorted by mdl_bucket_cmp */
	size_t nrows;
	size_t dropped;            /* rows forgotten past ROWS_MAX */
	int64_t first_ns, last_ns; /* the first and last captures' stops */
	size_t first_total, last_total;
	size_t n; /* captures */
};

static void
usage(FILE *out)
{
	fputs("usage: inspect watch [options] <pid>\n"
	      "\n"
	      "Capture a process's goroutines every interval, as inspect dump does: each\n"
	      "capture pauses it (a few ms, printed on the capture's line) and lets it go.\n"
	      "A line per capture: the goroutines, the slope of their count per minute since\n"
	      "the first capture, the counts per wait reason and the biggest buckets. At the\n"
	      "end, each bucket's counts over the window, its slope per minute (first to\n"
	      "last capture) and \"growing\" on those that only grew.\n"
	      "\n"
	      "  --interval D      time between captures: 500ms, 10s, 1m (default 10s; at\n"
	      "                    least 100ms: each capture stops the process)\n"
	      "  --count N         stop after N captures (default: at SIGINT or SIGTERM)\n"
	      "  --group BY        a bucket per group of dump --group BY (reason, stack, func,\n"
	      "                    creator, label=KEY; stack unwinds every goroutine, a\n"
	      "                    longer pause); without it a bucket is a line of\n"
	      "                    dump's report: the wait reason, frame shown and creator\n"
	      "  --top N           buckets on each capture's line (default 3)\n"
	      "  --with COND, --without COND, --system   as in inspect dump\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 after the last capture or a signal (SIGINT, SIGTERM, SIGHUP:\n"
	      "the table is printed, the process is never left stopped); a capture that\n"
	      "fails ends the watch with dump's status (3 no such process, 8 it exited\n"
	      "while attached, ...; see inspect dump --help); 64 bad usage.\n",
	      out);
}

/* "500ms", "10s", "1m", "1.5s" into ns (INTERVAL_MIN_MS to 1 day): 0, or -1. */
static int
parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0) || *s == '-' || *s == '+')
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			double d = v * units[i].ns;

			if (d < INTERVAL_MIN_MS * 1e6 || d > 86400e9)
				return -1;
			*ns = (int64_t)d;
			return 0;
		}
	return -1;
}

static int
parse(int argc, char **argv, const struct rt_plugin_set *plugins, struct watch_opts *o,
      struct insp_err *err)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "top", required_argument, NULL, 'T' },
		{ "with", required_argument, NULL, 'w' },
		{ "without", required_argument, NULL, 'W' },
		{ "system", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->interval_ns = 10000 * NS_PER_MS;
	o->top = 3;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_duration(optarg, &o->interval_ns) < 0)
				return insp_err_set(
					err, INSP_E_USAGE,
					"--interval takes a duration from %dms (each "
					"capture stops the process) to 24h (500ms, 10s, "
					"1m), not '%s'",
					INTERVAL_MIN_MS, optarg);
			break;
		case 'c':
		case 'T':
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 1000000)
				return insp_err_set(
					err, INSP_E_USAGE,
					"--%s takes a number from 1 to 1000000, not '%s'",
					c == 'c' ? "count" : "top", optarg);
			if (c == 'c')
				o->count = (unsigned long)v;
			else
				o->top = (unsigned)v;
			break;
		case 'g':
			if (ui_group_arg(optarg, &o->by, &o->label, err) < 0)
				return -1;
			o->grouped = true;
			break;
		case 'w':
		case 'W':
			if (mdl_filter_add(&o->filter, c == 'W', optarg, plugins, err) < 0)
				return -1;
			break;
		case 's':
			o->filter.system = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return ui_option_error(c, argv, err);
		}
	}
	if (argc - optind != 1 || ui_parse_pid(argv[optind], &o->pid) < 0)
		return insp_err_set(err, INSP_E_USAGE, "%s (usage: inspect watch [options] <pid>)",
				    argc == optind ? "no pid given" : "expected one process id");
	return 0;
}

/* ---- the window ---- */

static int
cmp_bucket(const void *pa, const void *pb)
{
	return mdl_bucket_cmp(pa, pb);
}

static int
cmp_row_bucket(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	return mdl_bucket_cmp(&a->b, &b->b);
}

/* The count of r at the capture k (of the last COLUMNS). */
static size_t
count_at(const struct row *r, size_t k)
{
	return r->last[k % COLUMNS];
}

/* Biggest at capture *ctx first; a tie in the rows' order. */
static int
cmp_now(const void *pa, const void *pb, void *ctx)
{
	const struct row *a = pa, *b = pb;
	size_t k = *(const size_t *)ctx, ca = count_at(a, k), cb = count_at(b, k);

	return ca != cb ? (ca < cb ? 1 : -1) : cmp_row_bucket(pa, pb);
}

/* Past ROWS_MAX rows: forget the smallest now (those gone first), counted. */
static void
window_trim(struct window *w)
{
	size_t now = w->n - 1;

	qsort_r(w->rows, w->nrows, sizeof(*w->rows), cmp_now, &now);
	w->dropped += w->nrows - ROWS_MAX;
	w->nrows = ROWS_MAX;
	qsort(w->rows, w->nrows, sizeof(*w->rows), cmp_row_bucket);
}

/* Add capture w->n: its time, total, and each bucket's count (of by, n of
 * them, biggest first). The rows and the buckets, sorted alike, are merged in
 * one walk. */
static int
window_add(struct window *w, int64_t at_ns, size_t total, const struct mdl_bucket *by, size_t n,
	   struct insp_err *err)
{
	size_t k = w->n, i = 0, j = 0, m = 0;
	struct row *rows = malloc((w->nrows + n + 1) * sizeof(*rows));
	struct mdl_bucket *b = malloc((n + 1) * sizeof(*b));

	if (!rows || !b) {
		free(rows);
		free(b);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	memcpy(b, by, n * sizeof(*b));
	qsort(b, n, sizeof(*b), cmp_bucket);
	while (i < w->nrows || j < n) {
		int c = i == w->nrows ? 1 : j == n ? -1 : mdl_bucket_cmp(&w->rows[i].b, &b[j]);
		struct row *r = &rows[m++];
		size_t now = c < 0 ? 0 : b[j].count;

		if (c <= 0) {
			*r = w->rows[i++];
		} else {
			/* new: 0 at the captures before it */
			memset(r, 0, sizeof(*r));
			if (mdl_bucket_copy(&w->arena, &b[j], &r->b) < 0) {
				free(rows);
				free(b);
				return insp_err_set(err, INSP_E_SYS, "out of memory");
			}
		}
		if (c >= 0)
			j++;
		if (k && now < count_at(r, k - 1))
			r->fell = true;
		r->last[k % COLUMNS] = now;
		if (!k)
			r->first = now;
	}
	free(b);
	free(w->rows);
	w->rows = rows;
	w->nrows = m;
	if (!k) {
		w->first_ns = at_ns;
		w->first_total = total;
	}
	w->last_ns = at_ns;
	w->last_total = total;
	w->n++;
	if (w->nrows > ROWS_MAX)
		window_trim(w);
	return 0;
}

static void
window_release(struct window *w)
{
	free(w->rows);
	arena_release(&w->arena);
}

/* Change per minute from the first capture to the last; NAN with one. */
static double
slope(const struct window *w, size_t first, size_t last)
{
	int64_t dt = w->last_ns - w->first_ns;

	if (w->n < 2 || dt <= 0)
		return NAN;
	return ((double)last - (double)first) * (double)NS_PER_MIN / (double)dt;
}

/* Only grew: never fell from one capture to the next, and rose over the window. */
static bool
growing(const struct window *w, const struct row *r)
{
	return w->n >= 2 && !r->fell && count_at(r, w->n - 1) > r->first;
}

/* ---- output ---- */

/* "chan send  main.compute main.go:80  created by main.serve main.go:70" */
static void
print_bucket(FILE *out, const struct mdl_bucket *b, bool creator)
{
	char at[256];

	fputs(ui_line(b->key), out);
	if (b->frame) {
		ui_where(b->frame, at, sizeof(at));
		fprintf(out, "  %s %s", b->frame->func ? ui_line(b->frame->func) : "?", at);
	}
	/* stacks with the same frame shown differ below it */
	if (b->stack)
		fprintf(out, "  stack %08" PRIx32, mdl_stack_id(b->stack));
	if (creator && b->creator && b->creator->func) {
		ui_where(b->creator, at, sizeof(at));
		fprintf(out, "  created by %s %s", ui_line(b->creator->func), at);
	}
}

/* "+300/min", "0/min", or "-" with one capture. */
static const char *
slope_text(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (v > -0.5 && v < 0.5)
		snprintf(buf, size, "0/min");
	else
		snprintf(buf, size, "%+.0f/min", v);
	return buf;
}

static void
print_capture(FILE *out, const struct watch_opts *o, const struct window *w,
	      const struct mdl_snapshot *s, const struct mdl_grouping *reasons,
	      const struct mdl_bucket *b, size_t nb)
{
	char clock[32], buf[32];
	struct timespec now;
	struct tm tm;

	/* once the process proved to be one inspect reads */
	if (w->n == 1 && o->count)
		fprintf(out,
			"process %d  %s  every %.3g s, %lu capture%s; each pauses it (paused: how "
			"long)\n",
			(int)o->pid, ui_line(s->exe), (double)o->interval_ns / 1e9, o->count,
			o->count == 1 ? "" : "s");
	else if (w->n == 1)
		fprintf(out,
			"process %d  %s  every %.3g s until SIGINT or SIGTERM; each capture "
			"pauses it (paused: how long)\n",
			(int)o->pid, ui_line(s->exe), (double)o->interval_ns / 1e9);

	clock_gettime(CLOCK_REALTIME, &now);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&now.tv_sec, &tm));
	fprintf(out, "#%zu %s  paused %.1f ms  %s goroutines  ", w->n, clock, s->pause_ms,
		ui_count(w->last_total, buf, sizeof(buf)));
	fprintf(out, "slope %s  |",
		slope_text(slope(w, w->first_total, w->last_total), buf, sizeof(buf)));
	/* a filter that matches none: said, not an empty line */
	if (!reasons->ngroups) {
		fputs(" no goroutine matches\n", out);
		return;
	}
	for (size_t i = 0; i < reasons->ngroups; i++)
		fprintf(out, "%s %zu %s", i ? "," : "", reasons->groups[i].count,
			ui_line(reasons->groups[i].key));
	fputs("  | top:", out);
	for (size_t i = 0; i < nb && i < o->top; i++) {
		fprintf(out, "%s %zu ", i ? "," : "", b[i].count);
		print_bucket(out, &b[i], false);
	}
	fputc('\n', out);
}

static int
cmp_rows(const void *pa, const void *pb, void *ctx)
{
	const struct row *a = pa, *b = pb;
	const struct window *w = ctx;
	bool ga = growing(w, a), gb = growing(w, b);
	size_t la = count_at(a, w->n - 1), lb = count_at(b, w->n - 1);

	if (ga != gb)
		return ga ? -1 : 1;
	if (la != lb)
		return la < lb ? 1 : -1;
	return mdl_bucket_cmp(&a->b, &b->b);
}

static void
print_window(FILE *out, struct window *w)
{
	size_t from = w->n > COLUMNS ? w->n - COLUMNS : 0;
	double secs = (double)(w->last_ns - w->first_ns) / 1e9;

	if (!w->n)
		return;
	qsort_r(w->rows, w->nrows, sizeof(*w->rows), cmp_rows, w);
	fprintf(out,
		"\n%zu capture%s in %.1f s; each bucket's count per capture%s, its slope "
		"(first to last capture):\n",
		w->n, w->n == 1 ? "" : "s", secs, from ? " (the last ones)" : "");
	for (size_t i = from; i < w->n; i++)
		fprintf(out, " %6s%zu", "#", i + 1);
	fprintf(out, "  %10s\n", "slope");
	for (size_t i = 0; i < w->nrows && i < ROWS; i++) {
		const struct row *r = &w->rows[i];
		char s[32];

		for (size_t j = from; j < w->n; j++)
			fprintf(out, " %7zu", count_at(r, j));
		fprintf(out, "  %10s  %-7s  ",
			slope_text(slope(w, r->first, count_at(r, w->n - 1)), s, sizeof(s)),
			growing(w, r) ? "growing" : "");
		print_bucket(out, &r->b, true);
		fputc('\n', out);
	}
	if (w->nrows > ROWS) {
		size_t more = 0;

		for (size_t i = ROWS; i < w->nrows; i++)
			more += growing(w, &w->rows[i]);
		fprintf(out, "  ... %zu more buckets, %zu of them growing\n", w->nrows - ROWS,
			more);
	}
	if (w->dropped)
		fprintf(out, "  (%zu buckets no longer followed: past %d, the smallest go)\n",
			w->dropped, ROWS_MAX);
}

/* ---- the loop ---- */

static volatile sig_atomic_t stop_sig;

static void
on_stop(int sig)
{
	if (!stop_sig)
		stop_sig = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Catch the stop signals, and block them but while capturing (the capture
 * guards them itself) and while waiting: then a signal cannot fall between
 * the check of stop_sig and the wait (ppoll unblocks them atomically). */
static void
signals_catch(sigset_t *unblocked)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (size_t i = 0; i < 3; i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&set, stop_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &set, unblocked);
}

/* Sleep until deadline (CLOCK_MONOTONIC ns), unless a stop signal comes. */
static void
wait_until(int64_t deadline, const sigset_t *unblocked)
{
	int64_t now;

	while (!stop_sig && (now = tgt_now_ns()) < deadline) {
		struct timespec ts = { (deadline - now) / 1000000000,
				       (deadline - now) % 1000000000 };

		if (ppoll(NULL, 0, &ts, unblocked) < 0 && errno != EINTR)
			break;
	}
}

/* One capture, grouped and added to the window, its line printed; the status to
 * exit with, or -1 to go on. */
static int
capture_one(const struct watch_opts *o, const struct rt_plugin_set *plugins, struct window *w,
	    const sigset_t *unblocked, sigset_t *blocked)
{
	struct mdl_snapshot snap = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping reasons, groups;
	struct mdl_bucket *b = NULL;
	size_t nb = 0;
	int status = -1;

	sigprocmask(SIG_SETMASK, unblocked, blocked);
	if (stop_sig) {
		sigprocmask(SIG_SETMASK, blocked, NULL);
		return 0;
	}
	/* --group stack groups by the frames: taken as dump takes them */
	snap.max_frames = o->by == MDL_GROUP_STACK ? UI_DEFAULT_STACKS : 0;
	if (mdl_snapshot_capture(&snap, o->pid, plugins, &err) < 0) {
		sigprocmask(SIG_SETMASK, blocked, NULL);
		/* a signal while it was stopped: detached, and the watch ends */
		status = err.code == INSP_E_INTR ? 0 : ui_error(&err);
		if (err.code == INSP_E_INTR && !stop_sig)
			stop_sig = tgt_signals_pending();
		goto out;
	}
	sigprocmask(SIG_SETMASK, blocked, NULL);
	if (mdl_group(&snap, &o->filter, MDL_GROUP_REASON, &reasons, &err) < 0 ||
	    (o->by == MDL_GROUP_LABEL ? mdl_group_label(&snap, &o->filter, o->label, &groups, &err)
				      : mdl_group(&snap, &o->filter, o->by, &groups, &err)) < 0 ||
	    mdl_buckets(&groups, !o->grouped, &b, &nb, &err) < 0 ||
	    window_add(w, snap.stop_ns, reasons.shown, b, nb, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	print_capture(stdout, o, w, &snap, &reasons, b, nb);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("inspect: cannot write");
		status = 1;
	}
out:
	free(b);
	mdl_snapshot_release(&snap);
	return status;
}

static int
run_watch(int argc, char **argv)
{
	struct rt_plugin_set plugins;
	struct insp_err err = INSP_ERR_INIT;
	struct watch_opts o;
	struct window w = { .arena = ARENA_INIT };
	sigset_t unblocked, blocked;
	int status;

	status = ui_load_plugins(&plugins);
	if (status)
		return status;
	if (parse(argc, argv, &plugins, &o, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	if (o.help) {
		usage(stdout);
		goto out;
	}
	signals_catch(&unblocked);
	for (int64_t next = tgt_now_ns(); !o.count || w.n < o.count;) {
		status = capture_one(&o, &plugins, &w, &unblocked, &blocked);
		if (status >= 0 || stop_sig)
			break;
		if (o.count && w.n == o.count)
			break;
		/* a fixed rhythm: the next capture an interval after this one began */
		next += o.interval_ns;
		wait_until(next, &unblocked);
		if (stop_sig)
			break;
	}
	if (status < 0)
		status = 0;
	print_window(stdout, &w);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("inspect: cannot write");
		status = 1;
	}
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
out:
	window_release(&w);
	rt_plugins_unload(&plugins);
	return status;
}

const struct ui_cli_cmd ui_cli_watch = {
	.name = "watch",
	.summary = "a capture every interval: counts per reason and bucket, their slope",
	.run = run_watch,
};
