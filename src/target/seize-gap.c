/* The target layer's gap between a thread's PTRACE_SEIZE and its PTRACE_INTERRUPT,
 * as shipped: none. The test build takes tests/hooks/seize-gap.c instead, which
 * widens it so that tests/integration/1320-signals.sh can make threads take
 * signals there: the installed inspect reads no INSPECT_TEST_* variable (issue 13).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

void
tgt_test_seize_gap(void)
{
}
