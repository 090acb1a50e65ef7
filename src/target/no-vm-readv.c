/* The target layer's switch to /proc/PID/mem from the start, as shipped: off
 * (mem.c falls back by itself where process_vm_readv fails). The test build
 * takes tests/hooks/no-vm-readv.c instead: the installed inspect reads no
 * INSPECT_TEST_* variable (issue 13).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

bool
tgt_test_no_vm_readv(void)
{
	return false;
}
