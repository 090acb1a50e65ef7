/* A plugin no one should load with privileges (tests/integration/1300): when it is
 * loaded its constructor creates the file INSPECT_TEST_MARKER names, with the
 * real and effective uid, before inspect even looks for its entry point (it has
 * none: inspect then reports plugin ABI 0). Built by the test: cc -shared -fPIC.
 * SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void
mark(void)
{
	const char *path = getenv("INSPECT_TEST_MARKER");
	FILE *f = path ? fopen(path, "w") : NULL;

	if (f) {
		fprintf(f, "loaded: uid %d euid %d\n", (int)getuid(), (int)geteuid());
		fclose(f);
	}
}
