/* Unit tests of src/target/mapfile.c with this process as the target: 1.N the
 * " (deleted)" suffix, 2.N its root (ours: ""), 3.N tgt_open_mapped on a file this
 * test maps and then deletes (its path now names nothing, as after a deploy): the
 * fd reads the mapped bytes; a start that no mapping has gives -1 and why.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "target/target.h"

static void
strip_deleted(void **state)
{
	char a[] = "/srv/app (deleted)", b[] = "/srv/app", c[] = " (deleted)";

	(void)state;
	assert_true(tgt_path_strip_deleted(a)); /* 1.0 */
	assert_string_equal(a, "/srv/app");
	assert_false(tgt_path_strip_deleted(b)); /* 1.1 */
	assert_string_equal(b, "/srv/app");
	assert_false(tgt_path_strip_deleted(c)); /* 1.2: nothing before it: a name */
}

static void
own_root(void **state)
{
	char root[64], path[64];

	(void)state;
	tgt_proc_root(getpid(), root, sizeof(root)); /* 2.0 */
	assert_string_equal(root, "");
	assert_int_equal(tgt_proc_root_path(getpid(), "/etc", path, sizeof(path)), 0); /* 2.1 */
	assert_string_equal(path, "/etc");
	assert_int_equal(tgt_proc_root_path(getpid(), "etc", path, sizeof(path)), -1); /* 2.2 */
}

static void
open_deleted(void **state)
{
	char name[] = "/tmp/mapfile-test.XXXXXX", why[256] = "", buf[16];
	int fd = mkstemp(name), got;
	void *map;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mapped bytes", 12), 12);
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	unlink(name);
	got = tgt_open_mapped(getpid(), (uint64_t)(uintptr_t)map, why, sizeof(why)); /* 3.0 */
	assert_true(got >= 0);
	assert_int_equal(pread(got, buf, 12, 0), 12);
	assert_memory_equal(buf, "mapped bytes", 12);
	close(got);
	/* 3.1: one page in, no mapping starts */
	got = tgt_open_mapped(getpid(), (uint64_t)(uintptr_t)map + 1, why, sizeof(why));
	assert_int_equal(got, -1);
	assert_non_null(strstr(why, "no mapping"));
	munmap(map, 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strip_deleted),
		cmocka_unit_test(own_root),
		cmocka_unit_test(open_deleted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
