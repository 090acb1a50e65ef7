/* Fault-injection tests of a whole dump (src/model/capture.c and everything a dump
 * and a print run: the Go plugin, the report, --locals, print): a real fixture
 * (each INSPECT_TEST_FIXTURES/goX.Y/vars; skipped without) is dumped once with every
 * read recorded (tests/lib/faultmem.c), then again for every N with read N served
 * from that recording failing or returning garbage, the other reads served from it.
 * Every outcome must be a report (notes allowed) or -1 with a documented code and
 * a message: never a crash (ASan), never a hang; and the fixture runs on unharmed.
 * INSPECT_TEST_STRIDE=K tries every K-th N only (the ASan run: see make asan); the
 * older Go releases' fixtures every 3K-th.
 * INSPECT_TEST_GOVER=goX.Y tests that build only.
 * INSPECT_TEST_RECORD=FILE saves the recording (the fuzz corpora's seeds) and
 * skips the faults; INSPECT_TEST_RECORD_MAX=BYTES leaves longer reads out of it
 * (the threads' stacks: small seeds).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/faultmem.h"
#include "model/model.h"
#include "runtime/runtime.h"
#include "ui/ui.h"

const struct insp_plugin *insp_plugin_entry(void); /* plugins/go, linked in */

static struct rt_plugin_set plugins;
static pid_t fixture = -1;
/* Of the clean run (1.x), for the faults (2.x). */
static size_t clean_reads;
static char *clean_printed;
static size_t stride_factor = 1; /* main: the older releases' stride is larger */
/* The threads of the recording run, for INSPECT_TEST_RECORD. */
static struct insp_thread threads[FM_MAX_THREADS];
static size_t nthreads;
static char gover[256];

/* What one dump and print gave. */
struct outcome {
	int ret; /* 0, or the failing call's -1 */
	struct insp_err err;
	char *report; /* the text report (malloc'd), NULL if none */
	size_t len;
	char *printed; /* the prints, one a line */
	size_t plen;
};

/* The vars fixture's values (fixtures/go/vars/main.go, main.allKinds). */
static const char *const exprs[] = {
	"s", "sl", "*p", "m[\"b\"]", "order.Tags[1]", "len(big)", "main.Config", "main.chFull"
};

static void
outcome_free(struct outcome *o)
{
	free(o->report);
	free(o->printed);
}

/* The frame of main.allKinds in its goroutine's stack, or NULL. */
static const struct insp_task *
allkinds(const struct mdl_snapshot *s, uint32_t *frame)
{
	for (size_t i = 0; i < s->ntasks; i++) {
		const struct insp_task *t = s->tasks[i];

		for (uint32_t k = 0; k < t->nframes; k++)
			if (t->frames[k].loc.func &&
			    strcmp(t->frames[k].loc.func, "main.allKinds") == 0)
				return *frame = k, t;
	}
	return NULL;
}

/* A hang is a failure: each dump has HANG_S seconds (the clean one takes 20 ms). */
#define HANG_S 20
static char current[384]; /* the case running, for the alarm's message */

static void
on_alarm(int sig)
{
	static const char msg[] = "capture-test: a dump hung: ";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, current, strlen(current));
	(void)!write(2, "\n", 1);
	_exit(1); /* the kernel detaches a tracer that exits: the fixture runs on */
}

/* inspect dump --locals --stacks=8 PID, then print exprs in main.allKinds's frame
 * while still stopped, as the REPL would; detach. */
static void
dump(struct outcome *o)
{
	static char *argv[] = { "dump", "--locals", "--stacks=8", NULL };
	static const struct insp_print_opts po = MDL_PRINT_DEFAULTS;
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct ui_dump_opts opts;
	const struct insp_task *t;
	struct insp_scope sc;
	uint32_t frame = 0;
	FILE *out, *pr;

	memset(o, 0, sizeof(*o));
	o->err = (struct insp_err)INSP_ERR_INIT;
	assert_int_equal(ui_dump_parse(3, argv, &plugins, &opts, &o->err), 0);
	s.max_frames = ui_dump_frames(&opts);
	s.keep_stopped = true;
	pr = open_memstream(&o->printed, &o->plen);
	assert_non_null(pr);
	signal(SIGALRM, on_alarm);
	alarm(HANG_S);
	o->ret = mdl_snapshot_capture(&s, fixture, &plugins, &o->err);
	if (o->ret == 0 && fm.record) {
		nthreads = s.nthreads < FM_MAX_THREADS ? s.nthreads : FM_MAX_THREADS;
		memcpy(threads, s.threads, nthreads * sizeof(*threads));
	}
	if (o->ret == 0) {
		out = open_memstream(&o->report, &o->len);
		assert_non_null(out);
		o->ret = ui_dump_report(out, &s, &opts, false, &o->err);
		fclose(out);
	}
	if (o->ret == 0 && (t = allkinds(&s, &frame))) {
		mdl_scope_of(t->frames, frame, &sc);
		for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
			struct insp_err e = INSP_ERR_INIT;
			const char *text;

			if (mdl_print(&s, &sc, exprs[i], &po, &text, &e) == 0)
				fprintf(pr, "%s = %s\n", exprs[i], text);
			else
				fprintf(pr, "%s: error %d: %s\n", exprs[i], (int)e.code, e.msg);
		}
	}
	fclose(pr);
	if (s.proc) {
		struct insp_err e = INSP_ERR_INIT;

		assert_int_equal(mdl_snapshot_detach(&s, &e), 0);
	}
	mdl_snapshot_release(&s);
	alarm(0);
}

/* The fixture exists, and none of its threads is stopped or traced. */
static void
check_unharmed(const char *tc)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)fixture);
	d = opendir(path);
	if (!d)
		fail_msg("%s: the fixture is gone", tc);
	while ((de = readdir(d))) {
		char line[256], st[512];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(st, sizeof(st), "%s/%s/status", path, de->d_name);
		if (!(f = fopen(st, "r")))
			continue;
		while (fgets(line, sizeof(line), f)) {
			if ((strncmp(line, "State:", 6) == 0 && strpbrk(line + 6, "tT")) ||
			    (strncmp(line, "TracerPid:", 10) == 0 && atoi(line + 10) != 0)) {
				fclose(f);
				closedir(d);
				fail_msg("%s: thread %s of the fixture: %s", tc, de->d_name, line);
			}
		}
		fclose(f);
	}
	closedir(d);
}

/* Start FIXTURES/gover/vars; "ready" on its stdout. */
static int
setup(void **state)
{
	char bin[4096], line[64];
	int fds[2];
	FILE *in;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/%s/vars", getenv("INSPECT_TEST_FIXTURES"), gover);
	if (pipe(fds) < 0 || (fixture = fork()) < 0)
		return -1;
	if (fixture == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (!in || !fgets(line, sizeof(line), in) || strcmp(line, "ready\n") != 0)
		return -1;
	fclose(in);
	usleep(100000); /* main prints "ready" just before it parks */
	plugins.plugins[0] = insp_plugin_entry();
	plugins.n = 1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (fixture > 0) {
		kill(fixture, SIGKILL);
		waitpid(fixture, NULL, 0);
	}
	fixture = -1;
	fm_reset();
	free(clean_printed);
	clean_printed = NULL;
	clean_reads = 0;
	return 0;
}

/* 1.x: the recording run, live: the fixture's known values */
static void
test_clean(void **state)
{
	struct outcome o;
	const char *rec = getenv("INSPECT_TEST_RECORD");

	(void)state;
	fm_reset();
	fm.live = fm.record = true;
	snprintf(current, sizeof(current), "%s 1.x clean", gover);
	if (rec && getenv("INSPECT_TEST_RECORD_MAX"))
		fm.record_max = strtoul(getenv("INSPECT_TEST_RECORD_MAX"), NULL, 10);
	dump(&o);
	/* 1.1 a report */
	if (o.ret < 0)
		fail_msg("1.1 %s", o.err.msg);
	assert_non_null(o.report);
	/* 1.2 the leak's 3 goroutines in main.handle, and main.allKinds's locals */
	assert_non_null(strstr(o.report, "  3  main.handle "));
	assert_non_null(strstr(o.report, "s = \"hello, world\""));
	/* 1.3 print in main.allKinds's frame: its values as main.go sets them */
	assert_non_null(strstr(o.printed, "s = \"hello, world\"\n"));
	assert_non_null(strstr(o.printed, "sl = []int len: 4, cap: 6, [10,20,30,40]\n"));
	assert_non_null(strstr(o.printed, "*p = main.Point {X: 3, Y: 4}\n"));
	assert_non_null(strstr(o.printed, "m[\"b\"] = 2\n"));
	assert_non_null(strstr(o.printed, "order.Tags[1] = \"gift\"\n"));
	assert_non_null(strstr(o.printed, "len(big) = 100\n"));
	check_unharmed("1.4");
	clean_reads = fm.reads;
	clean_printed = strdup(o.printed);
	print_message("    %s: %zu reads, recorded in %zu regions\n", gover, fm.reads, fm.nregions);
	if (rec && fm_save(rec, threads, nthreads) < 0)
		fail_msg("cannot write %s", rec);
	outcome_free(&o);
}

static const char *const fault_names[] = { "none", "fails", "garbage" };

/* 2.x: read N of the replayed recording fails (2.1) or returns garbage (2.2), for
 * every N (every INSPECT_TEST_STRIDE-th); N = the number of reads is the clean run. */
static void
test_faults(void **state)
{
	static const enum fm_fault faults[] = { FM_FAIL, FM_GARBAGE };
	const char *env = getenv("INSPECT_TEST_STRIDE");
	size_t stride = env ? strtoul(env, NULL, 10) : 1, runs = 0, reports = 0, errors = 0;
	struct timespec t0, t1;

	(void)state;
	if (getenv("INSPECT_TEST_RECORD"))
		skip(); /* only the recording was asked for */
	assert_true(clean_reads > 0);
	if (!stride)
		stride = 1;
	stride *= stride_factor;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
		for (size_t n = 0; n <= clean_reads + stride - 1; n += stride) {
			struct outcome o;
			char tc[64];

			if (n > clean_reads)
				n = clean_reads;
			snprintf(tc, sizeof(tc), "2.%zu read %zu %s", k + 1, n,
				 fault_names[faults[k]]);
			snprintf(current, sizeof(current), "%s %s", gover, tc);
			fm.live = fm.record = false;
			fm.fallback = true;
			fm.reads = 0;
			fm.at = n;
			fm.fault = faults[k];
			fm.rng = 0x2545f4914f6cdd1dull * (n + 1);
			dump(&o);
			if (o.ret < 0) {
				errors++;
				if (o.err.code != INSP_E_CORRUPT && o.err.code != INSP_E_LAYOUT &&
				    o.err.code != INSP_E_EXITED && o.err.code != INSP_E_SYS)
					fail_msg("%s: failed with code %d (%s)", tc,
						 (int)o.err.code, o.err.msg);
				if (!o.err.msg[0])
					fail_msg("%s: failed without a message", tc);
			} else {
				reports++;
				if (!o.report || !strstr(o.report, "goroutines"))
					fail_msg("%s: a report without its header", tc);
			}
			/* past the last read nothing faulted: the clean values again */
			if (n == clean_reads && (o.ret < 0 || strcmp(o.printed, clean_printed)))
				fail_msg("%s: not the clean run: %s", tc,
					 o.ret < 0 ? o.err.msg : o.printed);
			check_unharmed(tc);
			outcome_free(&o);
			runs++;
			if (n == clean_reads)
				break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("    %zu dumps (every %zu of %zu reads, 2 faults) in %.1f s: %zu reports, "
		      "%zu errors\n",
		      runs, stride, clean_reads,
		      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, reports,
		      errors);
}

/* Each INSPECT_TEST_FIXTURES/goX.Y/vars (INSPECT_TEST_GOVER: that one only) in a
 * group of its own: every N for the newest, every 3rd for the older ones. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_faults),
	};
	const char *dir = getenv("INSPECT_TEST_FIXTURES"), *only = getenv("INSPECT_TEST_GOVER");
	struct dirent **names = NULL;
	int n = dir ? scandir(dir, &names, NULL, versionsort) : -1, failed = 0, last = -1;

	for (int i = 0; i < n; i++) {
		char bin[4096];

		snprintf(bin, sizeof(bin), "%s/%s/vars", dir, names[i]->d_name);
		if (strncmp(names[i]->d_name, "go1.", 4) == 0 && access(bin, X_OK) == 0 &&
		    (!only || strcmp(only, names[i]->d_name) == 0))
			last = i;
		else
			names[i]->d_name[0] = 0; /* not a fixture's folder */
	}
	for (int i = 0; i <= last; i++) {
		if (names[i]->d_name[0]) {
			snprintf(gover, sizeof(gover), "%s", names[i]->d_name);
			stride_factor = i == last ? 1 : 3;
			failed += cmocka_run_group_tests_name(gover, tests, setup, teardown);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (last < 0)
		/* as the unit tests of unit/go without INSPECT_TEST_GOBIN: said, not failed */
		printf("capture-test: skipped: no INSPECT_TEST_FIXTURES/goX.Y/vars (make "
		       "fixtures)\n");
	return failed;
}
