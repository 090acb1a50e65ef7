/* libFuzzer harness of plugins/go/buildinfo.c: the input is the bytes of a
 * .go.buildinfo section, served by a host whose only section it is. The Go
 * version and the module list are read from it, as prepare() does; then the
 * modules decide whose code a few functions are (owner.c). Never a crash.
 * SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "gort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_size;

static int
section(void *ctx, const char *name, const uint8_t **d, size_t *n, uint64_t *addr,
	struct insp_err *err)
{
	(void)ctx;
	if (strcmp(name, ".go.buildinfo") != 0)
		return insp_err_set(err, INSP_E_LAYOUT, "no section %s", name);
	*d = in;
	*n = in_size;
	if (addr)
		*addr = 0x500000;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insp_host h = { .exe_path = "fuzz", .section = section };
	struct insp_err err = INSP_ERR_INIT;
	struct gort_whose st;
	char version[32];
	int minor;

	in = data;
	in_size = size;
	memset(&st, 0, sizeof(st));
	(void)gort_buildinfo_version(&h, version, sizeof(version), &minor, &err);
	if (gort_buildinfo_modules(&h, &st.mods, &err) == 0) {
		(void)gort_owner(&st, "example/server.Run", "/src/server/run.go");
		(void)gort_owner(&st, "golang.org/x/net/http2.(*Framer).ReadFrame", NULL);
		(void)gort_owner(&st, "main.main", "main.go");
		free(st.mods.dotless);
	}
	return 0;
}
