/* The target layer's one reader of /proc/PID/task/TID/stat (proc(5)): a thread's
 * name, state letter, flags and start time, and from the start time the wall-clock
 * moment a process started. Reads /proc only.
 * SPDX-License-Identifier: MIT */
#include "target/target.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
tgt_stat_read(pid_t pid, pid_t tid, struct tgt_stat *st)
{
	char path[96], buf[1024], *open, *close;
	size_t n;
	FILE *f;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* whole, not a line: the name may hold a newline (prctl PR_SET_NAME) */
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* pid (comm) state ppid ...: comm may hold ") ", the fields follow the last ')' */
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->name))
		n = sizeof(st->name) - 1;
	memcpy(st->name, open + 1, n);
	/* state ppid pgrp session tty_nr tpgid flags (9) ... starttime (22) */
	if (sscanf(close + 1,
		   " %c %*d %*d %*d %*d %*d %lu %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d "
		   "%llu",
		   &st->state, &st->flags, &st->start_ticks) != 3)
		return -1;
	return 0;
}

int64_t
tgt_started_ns(const struct tgt_stat *st)
{
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);
	int64_t since_boot;

	if (hz <= 0 || !st->start_ticks || clock_gettime(CLOCK_REALTIME, &real) < 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
		return 0;
	/* starttime counts ticks since boot on the boot-time clock (suspend included,
	 * Linux 5.5's start_boottime); the boot's wall-clock moment is now on the
	 * real clock less now on that one: /proc/stat's btime, to the nanosecond. */
	since_boot = (int64_t)(st->start_ticks / (unsigned long long)hz) * 1000000000 +
		     (int64_t)(st->start_ticks % (unsigned long long)hz) * 1000000000 / hz;
	return (int64_t)real.tv_sec * 1000000000 + real.tv_nsec -
	       ((int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec) + since_boot;
}
