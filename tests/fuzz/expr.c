/* libFuzzer harness of the expression parser (plugins/go/expr.c): the input is
 * the text of a print command, evaluated in main.allKinds's frame of the vars
 * fixture replayed from its recording (replay.h; INSPECT_FUZZ_IMAGE, default
 * tests/fuzz/corpus/value/vars-go1.26), and printed. A value or a usage error
 * pointing into the text; never a crash, never a hang.
 * SPDX-License-Identifier: MIT */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct replay r;
static struct insp_scope sc;
static bool have_frame;
/* The recording; replayed again every REDUMP inputs, since each print's text
 * stays in the snapshot's memory. */
static uint8_t *img;
static size_t img_size, inputs;
#define REDUMP 4096

static void
dump(void)
{
	replay_dump(&r, img, img_size);
	if (r.ret < 0) {
		fprintf(stderr, "expr: the recording does not decode: %s\n", r.err.msg);
		abort();
	}
	have_frame = replay_scope(&r, "main.allKinds", &sc) == 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("INSPECT_FUZZ_IMAGE");
	size_t n = 0, cap = 0;
	FILE *f;

	(void)argc;
	(void)argv;
	if (!path)
		path = "tests/fuzz/corpus/value/vars-go1.26";
	if (!(f = fopen(path, "rb"))) {
		fprintf(stderr, "expr: cannot open %s (set INSPECT_FUZZ_IMAGE)\n", path);
		abort();
	}
	for (;;) {
		if (n == cap && !(img = realloc(img, cap = cap ? 2 * cap : 65536)))
			abort();
		size_t got = fread(img + n, 1, cap - n, f);

		if (!got)
			break;
		n += got;
	}
	fclose(f);
	img_size = n;
	dump();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct insp_print_opts o = { .max_string = 64,
						  .max_elems = 16,
						  .max_depth = 4 };
	struct insp_err err = INSP_ERR_INIT;
	const char *text;
	char *expr;

	if (size > 4096)
		return 0;
	if (++inputs % REDUMP == 0) {
		replay_release(&r);
		dump();
	}
	if (!(expr = malloc(size + 1)))
		abort();
	memcpy(expr, data, size);
	expr[size] = 0;
	(void)mdl_print(&r.s, have_frame ? &sc : NULL, expr, &o, &text, &err);
	free(expr);
	return 0;
}
