/* Test helper: trace a process (PTRACE_SEIZE, no stop) and hold it until killed,
 * so that tests can check inspect's "already traced" error. Prints "tracing" when
 * it holds the process.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: tracer PID\n");
		return 64;
	}
	pid = (pid_t)strtol(argv[1], NULL, 10);
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		perror("tracer: PTRACE_SEIZE");
		return 1;
	}
	printf("tracing\n");
	fflush(stdout);
	for (;;)
		pause();
}
