/* Unit tests for plugins/go/gpkg.c: package variables and constants of a real Go
 * binary's DWARF (the pvars fixture beside INSPECT_TEST_GOBIN, as each Go
 * toolchain builds it: tools/build-pvars.sh) by full name and by package name, and
 * the names Delve gives a named integer's values (fixtures/go/pvars/server).
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>

#include "value.h"

#define SERVER  "github.com/example/some-svc/v2/server"
#define LOGUTIL "github.com/example/some-svc/v2/internal/log-util.v3"

static Dwarf *dw;
static int fd = -1;

static int
setup(void **state)
{
	const char *gobin = getenv("INSPECT_TEST_GOBIN");
	char dir[4096], path[4200];

	(void)state;
	if (!gobin || strlen(gobin) >= sizeof(dir))
		return -1;
	snprintf(dir, sizeof(dir), "%s", gobin);
	snprintf(path, sizeof(path), "%s/pvars", dirname(dir));
	if ((fd = open(path, O_RDONLY)) < 0 || !(dw = dwarf_begin(fd, DWARF_C_READ)))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dwarf_end(dw);
	close(fd);
	return 0;
}

/* The package of a function's symbol name, as the runtime's funcpkgpath finds
 * it, with type arguments' slashes and dots not counted and the last element's
 * escaped dots unescaped (no DWARF needed). */
static void
test_func_package(void **state)
{
	static const char *const cases[][2] = {
		{ "main.main", "main" },
		{ "main.ranged-range1", "main" },
		{ "net/http.(*Server).Serve", "net/http" },
		{ SERVER ".(*Conn).Close", SERVER },
		{ "github.com/a/b.v3/pkg.F", "github.com/a/b.v3/pkg" },
		{ "github.com/a/log-util%2ev3.Line", "github.com/a/log-util.v3" },
		{ "main.Spawn[go.shape.*uint8].func1", "main" },
		{ "example.org/m/q.Map[go.shape.struct { F example.org/x/y.T }].Get",
		  "example.org/m/q" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(gpkg_of_func(cases[i][0], buf, sizeof(buf)));
		assert_string_equal(buf, cases[i][1]);
	}
	assert_false(gpkg_of_func("nodot", buf, sizeof(buf)));
	assert_false(gpkg_of_func(".x", buf, sizeof(buf)));
	assert_false(gpkg_of_func("main.main", buf, 4)); /* does not fit */
}

static void
test_full_names(void **state)
{
	struct gpr p = { .dw = dw };
	struct gpkg_name g;

	(void)state;
	assert_int_equal(gpkg_exact(&p, SERVER ".gitCommit", &g), 1);
	assert_false(g.constant);
	assert_string_equal(g.full, SERVER ".gitCommit");
	assert_int_equal(gpkg_exact(&p, SERVER ".InvalidLevel", &g), 1);
	assert_true(g.constant);
	assert_int_equal(g.value, 6);
	assert_int_equal(gpkg_exact(&p, "main.SomeConst", &g), 1);
	assert_int_equal(g.value, -12);
	/* a string constant: not in Go's DWARF */
	assert_int_equal(gpkg_exact(&p, SERVER ".VERSION", &g), 0);
	assert_int_equal(gpkg_exact(&p, SERVER, &g), 0);
	/* a variable's DWARF name escapes the dot of the path's last element, a
	 * constant's does not: both by the path as Go spells it */
	assert_int_equal(gpkg_exact(&p, LOGUTIL ".Prefix", &g), 1);
	assert_string_equal(g.dwarf_name,
			    "github.com/example/some-svc/v2/internal/log-util%2ev3.Prefix");
	assert_int_equal(gpkg_exact(&p, LOGUTIL ".Depth", &g), 1);
	assert_int_equal(g.value, 3);
	gpkg_index_free(p.pkgnames);
}

static void
test_package_names(void **state)
{
	struct gpr p = { .dw = dw };
	struct gpkg_name g, other;

	(void)state;
	assert_int_equal(gpkg_short(&p, "server", "gitCommit", &g, &other), 1);
	assert_string_equal(g.full, SERVER ".gitCommit");
	assert_int_equal(gpkg_short(&p, "server", "Only", &g, &other), 1);
	assert_string_equal(g.full, "github.com/example/some-svc/v2/legacy/server.Only");
	/* two packages named server have Mode */
	assert_int_equal(gpkg_short(&p, "server", "Mode", &g, &other), 2);
	assert_string_not_equal(g.full, other.full);
	assert_int_equal(gpkg_short(&p, "v2", "gitCommit", &g, &other), 0);
	assert_int_equal(gpkg_short(&p, "main", "x", &g, &other), 1);
	/* its name, not its path's last element */
	assert_int_equal(gpkg_short(&p, "logutil", "Prefix", &g, &other), 1);
	assert_string_equal(g.full, LOGUTIL ".Prefix");
	assert_int_equal(gpkg_short(&p, "log-util.v3", "Prefix", &g, &other), 0);
	gpkg_index_free(p.pkgnames);
}

/* What gpkg_describe prints for n of the type named tname; "" for nothing. */
static void
check(const char *tname, int64_t n, const char *want)
{
	struct gpr p = { .dw = dw };
	Dwarf_Die t;
	bool said;

	assert_int_equal(gtype_by_name(dw, tname, &t), 0);
	said = gpkg_describe(&p, &t, n);
	assert_int_equal(said, *want != 0);
	assert_string_equal(p.buf ? p.buf : "", want);
	free(p.buf);
	gpkg_index_free(p.pkgnames);
}

static void
test_named_integers(void **state)
{
	(void)state;
	check(SERVER ".Level", 6, "InvalidLevel");
	check(SERVER ".Level", 0, "DebugLevel");
	check(SERVER ".Level", 9, "");
	check(SERVER ".Flag", 4, "FlagC");
	check(SERVER ".Flag", 5, "FlagA|FlagC");
	check(SERVER ".Flag", 7, "FlagA|FlagB|FlagC");
	check(SERVER ".Flag", 8, "");
	check(SERVER ".Flag", 0, "");
	/* a predeclared type: never named by some package's constant */
	check("int", 1024, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_func_package),
		cmocka_unit_test(test_full_names),
		cmocka_unit_test(test_package_names),
		cmocka_unit_test(test_named_integers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
