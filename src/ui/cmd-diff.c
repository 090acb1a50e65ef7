/* `inspect diff OLD NEW`: two saved captures (inspect dump --format json or
 * pprof, or the Go runtime's own goroutine profile), grouped
 * as dump groups them, and the buckets that grew, shrank, appeared and
 * disappeared, biggest growth first; the exit status says whether any grew past
 * --min-delta, for runbooks. Reads files only: it never touches a process.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

/* Exit statuses besides 0 (none grew past --min-delta) and 64 (usage). */
#define DIFF_GREW    1
#define DIFF_TROUBLE 2 /* as diff(1): a capture unreadable, the output unwritable */

struct diff_opts {
	enum mdl_group_by by;
	const char *label;
	bool grouped; /* --group given: a bucket is a group, not a site */
	long long min_delta;
	bool json, help;
	const char *files[2];
};

static void
usage(FILE *out)
{
	fputs("usage: inspect diff [options] OLD NEW\n"
	      "\n"
	      "Compare two captures of inspect dump --format json or pprof (of one process\n"
	      "at two times, or of a leaking process and a healthy one): the buckets of\n"
	      "goroutines that grew, shrank, appeared and disappeared, biggest growth first,\n"
	      "with their counts OLD -> NEW and the change. A capture may also be the Go\n"
	      "runtime's own goroutine profile (/debug/pprof/goroutine, gzipped or not): it\n"
	      "has no wait reasons and no creators, so its buckets are the frame shown only\n"
	      "(their reason '?'); --group func or label=KEY matches them with inspect's.\n"
	      "\n"
	      "  --group BY        a bucket per group of dump --group BY: reason, stack (of\n"
	      "                    captures with stacks: dump --stacks), func, creator, or\n"
	      "                    label=KEY (one per value of the pprof label\n"
	      "                    KEY); without it a bucket is a line of dump's report:\n"
	      "                    the wait reason, the frame shown and the creator\n"
	      "  --min-delta N     the exit status says whether a bucket grew by more than\n"
	      "                    N goroutines (default 0: any growth)\n"
	      "  --format FMT      text (default) or json\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 no bucket grew by more than --min-delta; 1 some did; 2 a file\n"
	      "cannot be read or is not a capture (not JSON, no goroutines, an unknown\n"
	      "schema_version, not a goroutine profile, a corrupt one), or the output cannot\n"
	      "be written; 64 bad usage.\n",
	      out);
}

static int
parse(int argc, char **argv, struct diff_opts *o, struct insp_err *err)
{
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "min-delta", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (ui_group_arg(optarg, &o->by, &o->label, err) < 0)
				return -1;
			o->grouped = true;
			break;
		case 'm':
			o->min_delta = strtoll(optarg, &end, 10);
			if (!*optarg || *end || o->min_delta < 0 || o->min_delta == LLONG_MAX)
				return insp_err_set(
					err, INSP_E_USAGE,
					"--min-delta takes a number of goroutines >= 0, "
					"not '%s'",
					optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return insp_err_set(err, INSP_E_USAGE,
						    "unknown format '%s' (text, json)", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return ui_option_error(c, argv, err);
		}
	}
	if (argc - optind != 2)
		return insp_err_set(err, INSP_E_USAGE, "%s (usage: inspect diff [options] OLD NEW)",
				    argc - optind < 2 ? "two captures wanted, OLD and NEW"
						      : "more than two captures given");
	o->files[0] = argv[optind];
	o->files[1] = argv[optind + 1];
	return 0;
}

/* One capture, grouped: the snapshot it was read into, and its buckets. */
struct side {
	struct mdl_snapshot snap;
	struct mdl_grouping groups;
	struct mdl_bucket *buckets;
	size_t n;
	bool runtime_profile; /* the runtime's own profile: no reasons, no creators */
};

static int
group_side(const struct diff_opts *o, struct side *sd, struct insp_err *err)
{
	/* every goroutine the capture holds: its own filter already chose them */
	static const struct mdl_filter all = { .system = true };

	if ((o->by == MDL_GROUP_LABEL ? mdl_group_label(&sd->snap, &all, o->label, &sd->groups, err)
				      : mdl_group(&sd->snap, &all, o->by, &sd->groups, err)) < 0)
		return -1;
	return mdl_buckets(&sd->groups, !o->grouped, &sd->buckets, &sd->n, err);
}

/* Does a capture hold stacks (dump --stacks)? Without, --group stack would
 * put every goroutine of a reason in one bucket. An empty one has none to
 * lack. */
static bool
has_stacks(const struct mdl_snapshot *s)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i]->nframes)
			return true;
	return s->ntasks == 0;
}

static const char *
change_word(const struct mdl_change *c)
{
	return !c->old        ? "appeared"
	       : !c->new      ? "disappeared"
	       : c->delta > 0 ? "grew"
	       : c->delta < 0 ? "shrank"
			      : "same";
}

static const char *
grouping_name(const struct diff_opts *o, char *buf, size_t size)
{
	static const char *const names[] = { "reason", "stack", "func", "creator", "label" };

	if (!o->grouped)
		return "site";
	if (o->by == MDL_GROUP_LABEL)
		snprintf(buf, size, "label=%s", o->label);
	else
		snprintf(buf, size, "%s", names[o->by]);
	return buf;
}

struct widths {
	int delta, counts, word, key, func, where;
};

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The columns' widths, measured on the text as printed (escaped). */
static void
measure(const struct mdl_change *c, size_t n, struct widths *w)
{
	char buf[512];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		const struct mdl_bucket *b = c[i].new ? c[i].new : c[i].old;

		if (!c[i].delta)
			continue;
		w->delta = max_int(w->delta, snprintf(buf, sizeof(buf), "%+lld", c[i].delta));
		w->counts = max_int(w->counts,
				    snprintf(buf, sizeof(buf), "%zu -> %zu", c[i].nold, c[i].nnew));
		w->word = max_int(w->word, (int)strlen(change_word(&c[i])));
		w->key = max_int(w->key, (int)ui_shown_len(b->key));
		if (b->frame) {
			w->func = max_int(w->func,
					  (int)ui_shown_len(b->frame->func ? b->frame->func : "?"));
			ui_where(b->frame, buf, sizeof(buf));
			w->where = max_int(w->where, (int)ui_shown_len(buf));
		}
	}
}

static void
print_text(FILE *out, const struct diff_opts *o, const struct side *sd, const struct mdl_change *c,
	   size_t n, size_t past)
{
	struct widths w;
	char buf[512], counts[64], at[256];
	size_t same = 0;

	fprintf(out, "%s -> %s: %zu -> %zu goroutines (%+lld), buckets by %s\n\n",
		ui_line(o->files[0]), ui_line(o->files[1]), sd[0].groups.shown, sd[1].groups.shown,
		(long long)sd[1].groups.shown - (long long)sd[0].groups.shown,
		grouping_name(o, buf, sizeof(buf)));
	measure(c, n, &w);
	for (size_t i = 0; i < n; i++) {
		const struct mdl_bucket *b = c[i].new ? c[i].new : c[i].old;
		bool more = b->stack || (b->creator && b->creator->func);

		if (!c[i].delta) {
			same++;
			continue;
		}
		snprintf(counts, sizeof(counts), "%zu -> %zu", c[i].nold, c[i].nnew);
		snprintf(buf, sizeof(buf), "%+lld", c[i].delta);
		fprintf(out, "  %*s  %-*s  %-*s  ", w.delta, buf, w.counts, counts, w.word,
			change_word(&c[i]));
		if (!b->frame) {
			fprintf(out, "%s\n", ui_line(b->key));
			continue;
		}
		ui_where(b->frame, at, sizeof(at));
		/* no blanks at the end of a line without a creator or stack */
		ui_put_padded(out, b->key, w.key);
		fputs("  ", out);
		ui_put_padded(out, b->frame->func ? b->frame->func : "?", w.func);
		fputs("  ", out);
		ui_put_padded(out, at, more ? w.where : 0);
		/* stacks with the same frame shown differ below it: their id */
		if (b->stack)
			fprintf(out, "  stack %08" PRIx32, mdl_stack_id(b->stack));
		if (b->creator && b->creator->func) {
			ui_where(b->creator, at, sizeof(at));
			fprintf(out, "  created by %s %s", ui_line(b->creator->func), at);
		}
		fputc('\n', out);
	}
	if (n > same)
		fputc('\n', out);
	fprintf(out, "%zu bucket%s unchanged; %zu grew by more than %lld (--min-delta)\n", same,
		same == 1 ? "" : "s", past, o->min_delta);
	/* what the buckets of the runtime's own profile lack, said once */
	if (sd[0].runtime_profile && sd[1].runtime_profile)
		fprintf(out,
			"\n%s and %s are the Go runtime's own goroutine profiles: no wait "
			"reasons (shown ?) and no creators; their buckets are the frame shown "
			"only\n",
			ui_line(o->files[0]), ui_line(o->files[1]));
	else if (sd[0].runtime_profile || sd[1].runtime_profile)
		fprintf(out,
			"\n%s is the Go runtime's own goroutine profile: no wait reasons "
			"(shown ?) and no creators; its buckets are the frame shown only\n",
			ui_line(o->files[sd[0].runtime_profile ? 0 : 1]));
}

static json_object *
loc_json(const struct insp_loc *loc)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "func", ui_json_str(loc->func));
	json_object_object_add(o, "file", loc->file ? ui_json_str(loc->file) : NULL);
	json_object_object_add(o, "line", json_object_new_int64(loc->line));
	return o;
}

/* A stack bucket's stack: its id (as the text shows it) and frames. */
static void
stack_json(json_object *e, const struct insp_task *t)
{
	json_object *a = json_object_new_array();
	char id[16];

	snprintf(id, sizeof(id), "%08" PRIx32, mdl_stack_id(t));
	json_object_object_add(e, "stack_id", json_object_new_string(id));
	for (uint32_t i = 0; i < t->nframes; i++)
		json_object_array_add(a, loc_json(&t->frames[i].loc));
	json_object_object_add(e, "stack", a);
	json_object_object_add(e, "stack_cut", json_object_new_boolean(t->frames_cut));
}

static int
print_json(FILE *out, const struct diff_opts *o, const struct side *sd, const struct mdl_change *c,
	   size_t n, size_t past)
{
	json_object *root = json_object_new_object(), *a = json_object_new_array();
	char buf[512];
	int ret;

	for (int i = 0; i < 2; i++) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "file", ui_json_str(o->files[i]));
		json_object_object_add(f, "goroutines",
				       json_object_new_int64((int64_t)sd[i].groups.shown));
		/* no wait reasons, no creators: its buckets are the frame shown only */
		json_object_object_add(f, "runtime_profile",
				       json_object_new_boolean(sd[i].runtime_profile));
		json_object_object_add(root, i ? "new" : "old", f);
	}
	json_object_object_add(root, "group", ui_json_str(grouping_name(o, buf, sizeof(buf))));
	json_object_object_add(root, "min_delta", json_object_new_int64(o->min_delta));
	json_object_object_add(root, "grew_past_min_delta", json_object_new_int64((int64_t)past));
	for (size_t i = 0; i < n; i++) {
		const struct mdl_bucket *b = c[i].new ? c[i].new : c[i].old;
		json_object *e = json_object_new_object();

		json_object_object_add(e, "change", json_object_new_string(change_word(&c[i])));
		json_object_object_add(e, "delta", json_object_new_int64(c[i].delta));
		json_object_object_add(e, "old", json_object_new_int64((int64_t)c[i].nold));
		json_object_object_add(e, "new", json_object_new_int64((int64_t)c[i].nnew));
		json_object_object_add(e, "key", ui_json_str(b->key));
		if (b->frame && b->frame->func)
			json_object_object_add(e, "frame", loc_json(b->frame));
		if (b->creator && b->creator->func)
			json_object_object_add(e, "created_by", loc_json(b->creator));
		if (b->stack)
			stack_json(e, b->stack);
		json_object_array_add(a, e);
	}
	json_object_object_add(root, "buckets", a);
	ret = fprintf(out, "%s\n",
		      json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return ret < 0 ? -1 : 0;
}

static int
run_diff(int argc, char **argv)
{
	struct insp_err err = INSP_ERR_INIT;
	struct diff_opts o;
	struct side sd[2] = { { .snap = MDL_SNAPSHOT_INIT }, { .snap = MDL_SNAPSHOT_INIT } };
	struct mdl_change *c = NULL;
	struct rt_plugin_set plugins;
	const struct insp_plugin *go = NULL;
	size_t n = 0, past = 0;
	int status = 0;

	if (parse(argc, argv, &o, &err) < 0)
		return ui_error(&err);
	if (o.help) {
		usage(stdout);
		return 0;
	}
	/* A goroutine profile is Go's: its plugin tells the frame shown. Without
	 * plugins the innermost frame is shown (a JSON capture carries its own). */
	if (rt_plugins_load(&plugins, &err) == 0) {
		for (size_t i = 0; i < plugins.n; i++)
			if (strcmp(plugins.plugins[i]->name, "go") == 0)
				go = plugins.plugins[i];
	} else {
		memset(&plugins, 0, sizeof(plugins));
		err = (struct insp_err)INSP_ERR_INIT;
	}
	for (int i = 0; i < 2; i++)
		if (ui_load_capture(o.files[i], go, &sd[i].snap, &sd[i].runtime_profile, &err) <
		    0) {
			ui_error(&err);
			status = DIFF_TROUBLE;
			goto out;
		}
	for (int i = 0; i < 2; i++)
		if (o.by == MDL_GROUP_STACK && o.grouped && !has_stacks(&sd[i].snap)) {
			insp_err_set(&err, INSP_E_USAGE,
				     "'%s' has no stacks to group by: capture with inspect dump "
				     "--format json --stacks (or --group stack), or pprof",
				     o.files[i]);
			ui_error(&err);
			status = DIFF_TROUBLE;
			goto out;
		}
	for (int i = 0; i < 2; i++)
		if (group_side(&o, &sd[i], &err) < 0) {
			status = ui_error(&err);
			goto out;
		}
	if (mdl_diff(sd[0].buckets, sd[0].n, sd[1].buckets, sd[1].n, &c, &n, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].delta > o.min_delta)
			past++;
	if (o.json)
		print_json(stdout, &o, sd, c, n, past);
	else
		print_text(stdout, &o, sd, c, n, past);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("inspect: cannot write the diff");
		status = DIFF_TROUBLE;
		goto out;
	}
	status = past ? DIFF_GREW : 0;
out:
	free(c);
	for (int i = 0; i < 2; i++) {
		free(sd[i].buckets);
		mdl_snapshot_release(&sd[i].snap);
	}
	rt_plugins_unload(&plugins);
	return status;
}

const struct ui_cli_cmd ui_cli_diff = {
	.name = "diff",
	.summary = "compare two captures (dump --format json or pprof): the buckets that grew",
	.run = run_diff,
};
