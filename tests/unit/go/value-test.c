/* Unit tests for plugins/go/value.c: Go values printed from their bytes with the
 * DWARF types of a real Go binary (INSPECT_TEST_GOBIN, testdata/hello as each Go
 * toolchain builds it), over a fake target memory. Floats as Go's strconv prints
 * them, strings quoted and cut, slices through the memory, limits marked.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "value.h"

/* The fake target: MEM_SIZE bytes at MEM_BASE. */
#define MEM_BASE 0x10000
#define MEM_SIZE 4096
static uint8_t mem[MEM_SIZE];

static int
fake_read(void *ctx, uint64_t addr, void *buf, size_t len, struct insp_err *err)
{
	(void)ctx;
	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (addr - MEM_BASE))
		return insp_err_set(err, INSP_E_CORRUPT, "unmapped");
	memcpy(buf, mem + (addr - MEM_BASE), len);
	return 0;
}

static Dwarf *dw;
static int fd = -1;
static struct insp_host host = { .read = fake_read };
static struct insp_print_opts opts = { .max_string = 64, .max_elems = 64, .max_depth = 3 };

static int
setup(void **state)
{
	const char *path = getenv("INSPECT_TEST_GOBIN");

	(void)state;
	if (!path || (fd = open(path, O_RDONLY)) < 0 || !(dw = dwarf_begin(fd, DWARF_C_READ)))
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

/* The text of a value of type tname made of n bytes. */
static char *
print_bytes(const char *tname, const void *bytes, size_t n)
{
	struct gpr p = { .h = &host, .o = &opts, .dw = dw };
	struct gval v = { .bytes = bytes, .size = n };

	assert_int_equal(gtype_by_name(dw, tname, &v.type), 0);
	gval_print(&p, &v, 0, true);
	assert_non_null(p.buf);
	return p.buf;
}

static void
check(const char *tname, const void *bytes, size_t n, const char *want)
{
	char *got = print_bytes(tname, bytes, n);

	assert_string_equal(got, want);
	free(got);
}

static void
check_f64(double f, const char *want)
{
	check("float64", &f, 8, want);
}

static void
test_floats_as_go_prints_them(void **state)
{
	float f32 = 1.1f;

	(void)state;
	check_f64(19.99, "19.99");
	check_f64(3.25, "3.25");
	check_f64(-0.5, "-0.5");
	check_f64(1e20, "100000000000000000000");
	check_f64(1e21, "1e+21");
	check_f64(0.0001, "0.0001");
	check_f64(0.00001, "1e-05");
	check_f64(1.5e-300, "1.5e-300");
	check_f64(0.1 + 0.2, "0.30000000000000004");
	check_f64(__builtin_inf(), "+Inf");
	check_f64(__builtin_nan(""), "NaN");
	check("float32", &f32, 4, "1.1");
}

static void
test_integers_and_bools(void **state)
{
	int8_t i8 = -8;
	uint64_t u64 = UINT64_MAX;
	uint8_t t = 1, bad = 2;
	double c[2] = { 1.5, -2 };

	(void)state;
	check("int8", &i8, 1, "-8");
	check("uint64", &u64, 8, "18446744073709551615");
	check("bool", &t, 1, "true");
	check("bool", &bad, 1, "<corrupt bool>");
	check("complex128", c, 16, "(1.5 + -2i)");
}

/* A string header pointing into the fake memory. */
static void
check_string(const char *s, size_t n, const char *want)
{
	uint64_t hdr[2] = { MEM_BASE, n };

	memcpy(mem, s, n);
	check("string", hdr, 16, want);
}

static void
test_strings_quoted_and_cut(void **state)
{
	uint64_t bad[2] = { 0x99, 3 };
	char long_s[100];

	(void)state;
	check_string("hello", 5, "\"hello\"");
	check_string("a\"b\\c\n\t\x01", 8, "\"a\\\"b\\\\c\\n\\t\\x01\"");
	check_string("caf\xc3\xa9", 5, "\"café\"");
	check_string("\xff", 1, "\"\\xff\"");
	memset(long_s, 'x', sizeof(long_s));
	opts.max_string = 4;
	check_string(long_s, sizeof(long_s), "\"xxxx...+96 more\"");
	opts.max_string = 64;
	check("string", bad, 16, "<unreadable: 3 bytes at 0x99>");
}

static void
test_slices_through_memory(void **state)
{
	int64_t elems[4] = { 10, 20, 30, 40 };
	uint64_t hdr[3] = { MEM_BASE, 4, 6 }, nil[3] = { 0, 0, 0 };

	(void)state;
	memcpy(mem, elems, sizeof(elems));
	check("[]int", hdr, 24, "[]int len: 4, cap: 6, [10,20,30,40]");
	check("[]int", nil, 24, "[]int len: 0, cap: 0, nil");
	opts.max_elems = 2;
	check("[]int", hdr, 24, "[]int len: 4, cap: 6, [10,20,...+2 more]");
	opts.max_elems = 64;
	opts.max_depth = 0;
	check("[]int", hdr, 24, "[]int len: 4, cap: 6, [...]");
	opts.max_depth = 3;
}

static void
test_durations_readable(void **state)
{
	int64_t d[] = { 1500000000, 0, 150000000, 3600000000000 + 120000000000, -2500 };
	const char *want[] = { "1.5s", "0s", "150ms", "1h2m0s", "-2.5µs" };

	(void)state;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		check("time.Duration", &d[i], 8, want[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floats_as_go_prints_them),
		cmocka_unit_test(test_integers_and_bools),
		cmocka_unit_test(test_strings_quoted_and_cut),
		cmocka_unit_test(test_slices_through_memory),
		cmocka_unit_test(test_durations_readable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
