/* Unit tests of src/target/mapfiles.c on this process's own maps: its executable is
 * listed once, by its device and inode, with the start of its mapping at offset 0
 * (at or below main's code), libc is listed as a file of its own, and each file
 * opens through the process as the very file listed (1.0); a process that is gone
 * is INSP_E_NOPROC (1.1).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target.h"

static void
test_1_0_self(void **state)
{
	struct tgt_files fs;
	struct stat st;
	int exe = 0, libc = 0;

	(void)state;
	assert_int_equal(stat("/proc/self/exe", &st), 0);
	assert_int_equal(tgt_files_read(getpid(), &fs, NULL), 0);
	for (size_t i = 0; i < fs.n; i++) {
		const struct tgt_file *f = &fs.files[i];

		struct stat opened;
		char why[512];
		int fd;

		if (f->ino == st.st_ino && f->dev == st.st_dev) {
			exe++;
			assert_true(f->base <= (uint64_t)(uintptr_t)&test_1_0_self);
		}
		if (strstr(f->path, "/libc.so"))
			libc++;
		/* tgt_file_open opens the very file listed */
		fd = tgt_file_open(getpid(), f, why, sizeof(why));
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &opened), 0);
		assert_true(opened.st_dev == f->dev && opened.st_ino == f->ino);
		close(fd);
	}
	assert_int_equal(exe, 1);
	assert_int_equal(libc, 1);
	tgt_files_release(&fs);
}

static void
test_1_1_gone(void **state)
{
	struct insp_err err = INSP_ERR_INIT;
	struct tgt_files fs;
	pid_t child = fork();
	int status;

	(void)state;
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(tgt_files_read(child, &fs, &err), -1);
	assert_int_equal(err.code, INSP_E_NOPROC);
	assert_int_equal(fs.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_self),
		cmocka_unit_test(test_1_1_gone),
	};

	return cmocka_run_group_tests_name("mapfiles", tests, NULL, NULL) ? 1 : 0;
}
