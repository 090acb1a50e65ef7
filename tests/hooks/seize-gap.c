/* Test build only (BUILD/inspect-test, never installed): in place of
 * src/target/seize-gap.c, sleep INSPECT_TEST_SEIZE_GAP_US microseconds (at most
 * 100 ms) between a thread's PTRACE_SEIZE and its PTRACE_INTERRUPT, the window in
 * which a seized thread may take a signal in a signal-delivery-stop, so that
 * tests/integration/1320-signals.sh can show that no such signal is lost.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <stdlib.h>
#include <time.h>

void
tgt_test_seize_gap(void)
{
	static long us = -1;

	if (us < 0) {
		const char *env = secure_getenv("INSPECT_TEST_SEIZE_GAP_US");

		us = env ? strtol(env, NULL, 10) : 0;
		if (us < 0 || us > 100000)
			us = 0;
	}
	if (us > 0)
		nanosleep(&(struct timespec){ .tv_nsec = us * 1000 }, NULL);
}
