/* The build information (plugins/go/buildinfo.c): the Go version and the module
 * paths without a dot, from .go.buildinfo sections made here as Go 1.18+ writes
 * them (a varint-prefixed version, then the module text between two markers).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gort.h"

static uint8_t sec[4096];
static size_t seclen;

static int
host_section(void *ctx, const char *name, const uint8_t **data, size_t *size, uint64_t *addr,
	     struct insp_err *err)
{
	(void)ctx;
	(void)addr;
	if (strcmp(name, ".go.buildinfo") != 0 || !seclen)
		return insp_err_set(err, INSP_E_NOTGO, "no section '%s'", name);
	*data = sec;
	*size = seclen;
	return 0;
}

static const struct insp_host host = { .exe_path = "test", .section = host_section };

static void
put_string(const char *s, size_t len)
{
	size_t v = len;

	do {
		sec[seclen++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(sec + seclen, s, len);
	seclen += len;
}

/* A section with version and module text (NULL: none). */
static void
make(const char *version, const char *mods)
{
	char info[2048];
	size_t n = 0;

	memset(sec, 0, sizeof(sec));
	memcpy(sec, "\xff Go buildinf:", 14);
	sec[14] = 8;
	sec[15] = 2; /* inline strings */
	seclen = 32;
	put_string(version, strlen(version));
	if (!mods) {
		put_string("", 0);
		return;
	}
	memset(info, 'S', 16); /* the start marker's bytes do not matter to us */
	n = 16;
	memcpy(info + n, mods, strlen(mods));
	n += strlen(mods);
	memset(info + n, 'E', 16);
	put_string(info, n + 16);
}

/* 1.x: the version, and the dotless modules of main module and dependencies */
static void
test_modules(void **state)
{
	struct gort_modules m;
	char version[32];
	int minor;

	(void)state;
	make("go1.26.8", "path\tgit.example-corp.com/team/order-svc/v2\n"
			 "mod\tgit.example-corp.com/team/order-svc/v2\t(devel)\t\n"
			 "dep\texample.org/kit/v3\tv3.1.0\t\n"
			 "=>\t./kit\t(devel)\t\n"
			 "dep\tfixtures\tv0.0.0\t\n"
			 "=>\t../\t(devel)\t\n"
			 "dep\tlocalmetrics/v2\tv2.0.0\th1:abc=\n"
			 "build\t-trimpath=true\n");
	assert_int_equal(gort_buildinfo_version(&host, version, sizeof(version), &minor, NULL), 0);
	assert_string_equal(version, "go1.26.8");
	assert_int_equal(minor, 26);
	assert_int_equal(gort_buildinfo_modules(&host, &m, NULL), 0);
	/* 1.1 a main module; only the dotless, in order */
	assert_true(m.main);
	assert_int_equal(m.ndotless, 2);
	assert_string_equal(m.dotless, "fixtures");
	assert_string_equal(m.dotless + strlen(m.dotless) + 1, "localmetrics/v2");
	free(m.dotless);
	/* 1.2 a main module without a dot */
	make("go1.19.8", "path\tmyservice\nmod\tmyservice\t(devel)\t\n");
	assert_int_equal(gort_buildinfo_modules(&host, &m, NULL), 0);
	assert_true(m.main);
	assert_int_equal(m.ndotless, 1);
	assert_string_equal(m.dotless, "myservice");
	free(m.dotless);
	/* 1.3 GOPATH mode: a path, no module */
	make("go1.19.8", "path\tmylib/cmd/svc\nbuild\t-compiler=gc\n");
	assert_int_equal(gort_buildinfo_modules(&host, &m, NULL), 0);
	assert_false(m.main);
	assert_null(m.dotless);
}

/* 2.x: no module information (GOPATH mode), truncated or cut bytes */
static void
test_none(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct gort_modules m = { true, (char *)1, 99 };

	(void)state;
	make("go1.22.1", NULL);
	assert_int_equal(gort_buildinfo_modules(&host, &m, NULL), 0);
	assert_false(m.main);
	assert_null(m.dotless);
	assert_int_equal(m.ndotless, 0);
	/* 2.1 every cut of a good section: never a read past it */
	make("go1.26.8", "mod\tm\t(devel)\t\ndep\tx\tv1\t\n");
	for (size_t cut = seclen; cut-- > 0;) {
		seclen = cut;
		if (gort_buildinfo_modules(&host, &m, &err) == 0)
			free(m.dotless);
		else
			assert_true(err.code == INSP_E_CORRUPT || err.code == INSP_E_LAYOUT ||
				    err.code == INSP_E_NOTGO);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
