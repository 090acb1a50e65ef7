/* The model layer's stop delay, as shipped: none. A test hook lives in the test
 * build only (tests/hooks/stop-delay.c takes this file's place in BUILD/inspect-test):
 * the installed inspect reads no INSPECT_TEST_* variable (issue 13).
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

int
mdl_stop_delay(struct insp_err *err)
{
	(void)err;
	return 0;
}
