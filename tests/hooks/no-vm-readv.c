/* Test build only (BUILD/inspect-test, never installed): in place of
 * src/target/no-vm-readv.c, read the target through /proc/PID/mem from the start
 * when INSPECT_TEST_NO_VM_READV is set, so that tests cover that path
 * (tests/integration/0100-dump.sh).
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <stdlib.h>

bool
tgt_test_no_vm_readv(void)
{
	return secure_getenv("INSPECT_TEST_NO_VM_READV") != NULL;
}
