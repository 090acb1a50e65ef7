/* Test build only (BUILD/inspect-test, never installed): in place of
 * src/model/stop-delay.c, hold the process stopped INSPECT_TEST_STOP_DELAY_MS
 * milliseconds before the copy, so that tests can signal or kill inspect, or kill
 * the target, while it is stopped (tests/integration/0300-errors.sh).
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <stdlib.h>
#include <time.h>

int
mdl_stop_delay(struct insp_err *err)
{
	const char *env = secure_getenv("INSPECT_TEST_STOP_DELAY_MS");
	long ms = env ? strtol(env, NULL, 10) : 0;

	for (; ms > 0; ms -= 10) {
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
		if (tgt_signals_pending())
			return insp_err_set(err, INSP_E_INTR, "interrupted by signal %d",
					    tgt_signals_pending());
	}
	return 0;
}
