/* Unit tests of src/ui/in-json.c: captures as bytes in memory. The fields grouping
 * reads, the plugin's words, huge waits, a document streamed (1.N), what is absent or null (2.N),
 * and documents refused with what is wrong: not JSON, not a capture, an unknown schema_version
 * (3.N). SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui.h"

static int
load(const char *text, struct mdl_snapshot *s, struct insp_err *err)
{
	return ui_load_json("cap.json", text, strlen(text), NULL, NULL, s, err);
}

/* 1.0 every field grouping and filters read, as out-json.c writes them. */
static void
test_fields(void **state)
{
	static const char doc[] =
		"{\"schema_version\":1,\"pid\":42,\"pause_ms\":0.5,\"goroutines\":[{\"id\":7,"
		"\"status\":\"waiting\",\"wait_reason\":\"select (durable)\",\"wait_minutes\":3,"
		"\"top\":{\"func\":\"runtime.gopark\",\"file\":\"proc.go\",\"line\":1},"
		"\"user_top\":{\"func\":\"main.w\",\"file\":\"/x/main.go\",\"line\":9},"
		"\"go_pc\":{\"func\":\"main.main\",\"file\":\"/x/main.go\",\"line\":3,\"goid\":1},"
		"\"start_func\":\"main.w\",\"thread\":null,\"system\":false,\"locked\":true,"
		"\"leaked\":false,\"durable\":true,\"synctest_bubble\":2,"
		"\"wait_words\":\"select (durable), synctest bubble 2\","
		"\"labels\":{\"a\":\"1\",\"tenant\":\"acme\"},\"frames\":[{\"func\":\"main.w\","
		"\"file\":\"/x/main.go\",\"line\":9,\"pc\":1,\"inlined\":true}],"
		"\"frames_cut\":false}]}\n";
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	const struct insp_task *t;

	(void)state;
	assert_int_equal(load(doc, &s, &err), 0);
	assert_int_equal(s.ntasks, 1);
	assert_int_equal(s.pid, 42);
	t = s.tasks[0];
	assert_int_equal(t->id, 7);
	assert_string_equal(t->state, "waiting");
	assert_string_equal(t->reason, "select (durable)");
	assert_int_equal(t->wait_ns, 3 * 60000000000ll);
	assert_string_equal(mdl_task_frame(t)->func, "main.w");
	assert_int_equal(mdl_task_frame(t)->line, 9);
	assert_string_equal(t->go_pc.func, "main.main");
	assert_int_equal(t->flags, INSP_TASK_LOCKED | INSP_TASK_DURABLE);
	assert_string_equal(mdl_task_key(t), "select (durable), synctest bubble 2");
	assert_int_equal(t->nlabels, 2);
	assert_string_equal(mdl_task_label(t, "tenant", 6), "acme");
	assert_int_equal(t->nframes, 1);
	assert_true(t->frames[0].inlined);
	mdl_snapshot_release(&s);
}

/* The plugin's hook, as a stand-in: its words name the bubble. */
static int
words(const struct insp_task *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s in %s #%llu", t->reason, t->sandbox,
		 (unsigned long long)t->sandbox_id);
	return 0;
}

/* 1.1 a capture written before wait_words: the plugin's words for its
 * sandbox; without a plugin, the reason. */
static void
test_words_of_plugin(void **state)
{
	static const char doc[] = "{\"goroutines\":[{\"status\":\"waiting\",\"wait_reason\":"
				  "\"sleep\",\"synctest_bubble\":3}]}";
	static const struct insp_plugin plugin = { .name = "go", .loaded_words = words };
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	assert_int_equal(ui_load_json("c.json", doc, strlen(doc), NULL, &plugin, &s, &err), 0);
	assert_string_equal(mdl_task_key(s.tasks[0]), "sleep in synctest bubble #3");
	mdl_snapshot_release(&s);
	s = (struct mdl_snapshot)MDL_SNAPSHOT_INIT;
	assert_int_equal(load(doc, &s, &err), 0);
	assert_string_equal(mdl_task_key(s.tasks[0]), "sleep");
	mdl_snapshot_release(&s);
}

/* 1.2 waits past int64 ns: the most it holds, no undefined conversion. */
static void
test_huge_waits(void **state)
{
	static const char doc[] = "{\"goroutines\":[{\"wait_seconds\":1e300},"
				  "{\"wait_minutes\":9223372036854775807},"
				  "{\"wait_seconds\":1.5}]}";
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	assert_int_equal(load(doc, &s, &err), 0);
	assert_int_equal(s.tasks[0]->wait_ns, INT64_MAX);
	assert_int_equal(s.tasks[1]->wait_ns, INT64_MAX);
	assert_int_equal(s.tasks[2]->wait_ns, 1500000000);
	mdl_snapshot_release(&s);
}

/* 1.3 streamed in chunks from a file: a UTF-8 character across the 64 KiB
 * chunk after the 4 KiB head (byte 69632) is read whole, not refused. */
static void
test_stream(void **state)
{
	static const char pre[] = "{\"goroutines\":[{\"status\":\"";
	size_t pad = 69631 - strlen(pre), n = strlen(pre) + pad + 2 + 7;
	char *doc = malloc(n + 1);
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	FILE *rest;

	(void)state;
	assert_non_null(doc);
	strcpy(doc, pre);
	memset(doc + strlen(pre), 'a', pad);
	strcpy(doc + 69631, "\xc3\xa9\"}]}  \n");
	assert_non_null(rest = fmemopen(doc + 4096, n - 4096, "r"));
	assert_int_equal(ui_load_json("c.json", doc, 4096, rest, NULL, &s, &err), 0);
	assert_int_equal(strlen(s.tasks[0]->state), pad + 2);
	fclose(rest);
	free(doc);
	mdl_snapshot_release(&s);
}

/* 2.0 no schema_version (before it existed), nulls and absent fields: unknown. */
static void
test_sparse(void **state)
{
	static const char doc[] = "{\"goroutines\":[{\"id\":1,\"status\":\"running\","
				  "\"wait_reason\":null,\"top\":null,\"thread\":12,"
				  "\"system\":true},{}]}";
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	assert_int_equal(load(doc, &s, &err), 0);
	assert_int_equal(s.ntasks, 2);
	assert_null(s.tasks[0]->reason);
	assert_null(s.tasks[0]->top.func);
	assert_int_equal(s.tasks[0]->flags, INSP_TASK_SYSTEM | INSP_TASK_ON_THREAD);
	assert_int_equal(s.tasks[0]->tid, 12);
	assert_string_equal(mdl_task_key(s.tasks[0]), "running");
	assert_string_equal(s.tasks[1]->state, "?");
	assert_int_equal(s.tasks[1]->wait_ns, -1);
	assert_int_equal(s.tasks[1]->nlabels, 0);
	mdl_snapshot_release(&s);
}

/* 3.N refused, with the file and what is wrong in the message. */
static void
test_refused(void **state)
{
	static const struct {
		const char *doc, *msg;
	} cases[] = {
		{ "{\"goroutines\":[", "'cap.json' is not JSON: it ends too early" },
		{ "{\"goroutines\":[]} x", "'cap.json' is not JSON: more after the document" },
		{ "{\"goroutines\":[\"\xff\"]}", "'cap.json' is not JSON" },
		{ "[]", "'cap.json' is not a capture: no \"goroutines\" array" },
		{ "{\"goroutines\":{}}", "'cap.json' is not a capture: no \"goroutines\" array" },
		{ "{\"goroutines\":[1]}",
		  "'cap.json' is not a capture: goroutine 0 is not an object" },
		{ "{\"schema_version\":2,\"goroutines\":[]}", "'cap.json' has schema_version 2," },
		{ "{\"schema_version\":\"1\",\"goroutines\":[]}",
		  "'cap.json' has schema_version \"1\"," },
		{ "{\"schema_version\":0,\"goroutines\":[]}", "'cap.json' has schema_version 0," },
		{ "{\"goroutines\":[{},{\"user_top\":5}]}",
		  "'cap.json' is not a capture: goroutine 1 has \"user_top\" a int, not a object" },
		{ "{\"goroutines\":[{\"wait_seconds\":-1}]}",
		  "'cap.json' is not a capture: goroutine 0 has \"wait_seconds\" a negative" },
		{ "{\"goroutines\":[{\"labels\":{\"a\":1}}]}",
		  "'cap.json' is not a capture: goroutine 0 has \"labels\" a object with" },
		{ "{\"goroutines\":[{\"frames\":[{\"line\":-1}]}]}",
		  "'cap.json' is not a capture: goroutine 0 has \"line\" a number out of range" },
		{ "null", "'cap.json' is not a capture: it is null" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
		struct insp_err err = INSP_ERR_INIT;

		assert_int_equal(load(cases[i].doc, &s, &err), -1);
		assert_int_equal(err.code, INSP_E_USAGE);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: '%s', want '%s...'", i, err.msg, cases[i].msg);
		mdl_snapshot_release(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),     cmocka_unit_test(test_words_of_plugin),
		cmocka_unit_test(test_huge_waits), cmocka_unit_test(test_stream),
		cmocka_unit_test(test_sparse),     cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
