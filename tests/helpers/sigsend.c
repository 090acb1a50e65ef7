/* Test helper: send real-time signals to a process at a fixed pace, to find out
 * whether a signal sent while inspect holds the process is lost.
 *
 *   sigsend PID INTERVAL_US DURATION_MS
 *
 * sends SIGRTMIN+1 .. SIGRTMIN+4 in turn (sigqueue, the value a sequence number)
 * every INTERVAL_US microseconds (at most: a sleep's granularity may stretch it)
 * for DURATION_MS milliseconds, then prints
 * "sent N refused M": N signals the kernel accepted (queued), M it refused
 * (EAGAIN: the target's queue of pending signals is full). Exit 1 if the process
 * is gone, 64 on bad usage.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void
sleep_until(long long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	long long start, next, end;
	long sent = 0, refused = 0;
	long interval;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: sigsend PID INTERVAL_US DURATION_MS\n");
		return 64;
	}
	pid = (pid_t)strtol(argv[1], NULL, 10);
	interval = strtol(argv[2], NULL, 10);
	if (pid <= 0 || interval <= 0) {
		fprintf(stderr, "sigsend: bad PID or INTERVAL_US\n");
		return 64;
	}
	start = now_us();
	end = start + strtoll(argv[3], NULL, 10) * 1000;
	for (next = start; next < end; next = now_us() + interval) {
		union sigval v = { .sival_int = (int)(sent + refused) };

		sleep_until(next);
		if (sigqueue(pid, SIGRTMIN + 1 + (int)((sent + refused) % 4), v) == 0)
			sent++;
		else if (errno == EAGAIN)
			refused++;
		else {
			perror("sigsend: sigqueue");
			return 1;
		}
	}
	printf("sent %ld refused %ld\n", sent, refused);
	return 0;
}
