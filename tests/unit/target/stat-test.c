/* Unit tests of src/target/stat.c on this process: its name, state and start from
 * /proc/PID/task/TID/stat, a name holding ") (" and a newline read whole (1.N);
 * the start as a wall-clock moment, between this test's own start and now (2.N);
 * a thread that does not exist (3.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "target/target.h"

static int64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 1.0: a name that looks like the fields around it. */
static void
test_1_0_name_state(void **state)
{
	struct tgt_stat st;

	(void)state;
	assert_int_equal(prctl(PR_SET_NAME, "a) (b\nc) R 1", 0, 0, 0), 0);
	assert_int_equal(tgt_stat_read(getpid(), getpid(), &st), 0);
	assert_string_equal(st.name, "a) (b\nc) R 1");
	assert_int_equal(st.state, 'R');
	assert_true(st.start_ticks > 0);
}

/* 2.0: started before now, and after the boot; within the test's own life. */
static void
test_2_0_started(void **state)
{
	struct tgt_stat st;
	int64_t started, now = real_ns();

	(void)state;
	assert_int_equal(tgt_stat_read(getpid(), getpid(), &st), 0);
	started = tgt_started_ns(&st);
	/* a clock tick of rounding down (10 ms at 100 Hz) and the test's run */
	if (started > now + 20000000 || started < now - INT64_C(600) * 1000000000)
		fail_msg("2.0: started %lld ns, now %lld ns", (long long)started, (long long)now);
}

/* 3.0 */
static void
test_3_0_gone(void **state)
{
	struct tgt_stat st;

	(void)state;
	assert_int_equal(tgt_stat_read(getpid(), 0x7fffffff, &st), -1);
	assert_int_equal(tgt_started_ns(&st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_name_state),
		cmocka_unit_test(test_2_0_started),
		cmocka_unit_test(test_3_0_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
