/* Unit tests of src/target/live.c (and procfs.c's tgt_tgid_of, which the same tasks
 * serve) on real tasks: this process and a second thread
 * of it (1.N), a child whose leader left by pthread_exit while another thread runs
 * (2.0), the same child once it exited and before it is reaped (2.1), a tid that
 * exists no more (2.2), and a kernel thread (3.0, kthreadd where pid 2 is one).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/target.h"

static void *
sleeper(void *arg)
{
	int fd = *(int *)arg;
	pid_t tid = gettid();

	if (fd >= 0 && write(fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

static void
test_1_0_self(void **state)
{
	(void)state;
	assert_int_equal(tgt_live_thread(getpid()), getpid());
	assert_int_equal(tgt_tgid_of(getpid()), getpid());
	assert_false(tgt_is_kthread(getpid()));
	assert_false(tgt_thread_dead(getpid(), getpid()));
}

static void
test_1_1_thread(void **state)
{
	int fds[2];
	pthread_t t;
	pid_t tid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pthread_create(&t, NULL, sleeper, &fds[1]), 0);
	assert_int_equal(read(fds[0], &tid, sizeof(tid)), sizeof(tid));
	assert_int_equal(tgt_tgid_of(tid), getpid());
	assert_false(tgt_thread_dead(getpid(), tid));
	pthread_cancel(t);
	pthread_join(t, NULL);
	close(fds[0]);
	close(fds[1]);
}

/* /proc/PID/stat's state letter, or '?'. */
static char
state_of(pid_t pid)
{
	char path[64], buf[512], *close;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close = strrchr(buf, ')');
	return close && close[1] == ' ' ? close[2] : '?';
}

static void
wait_state(pid_t pid, char want)
{
	for (int i = 0; i < 500 && state_of(pid) != want; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
	assert_int_equal(state_of(pid), want);
}

static void
test_2_leader_left(void **state)
{
	int fds[2], status;
	pthread_t t;
	pid_t child, tid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (pthread_create(&t, NULL, sleeper, &fds[1]) != 0)
			_exit(2);
		pthread_exit(NULL);
	}
	assert_int_equal(read(fds[0], &tid, sizeof(tid)), sizeof(tid));
	wait_state(child, 'Z');
	/* 2.0: the leader is a zombie, the process lives through its other thread. */
	assert_int_equal(tgt_live_thread(child), tid);
	assert_true(tgt_thread_dead(child, child));
	assert_false(tgt_thread_dead(child, tid));
	assert_int_equal(tgt_tgid_of(tid), child);
	/* 2.1: exited, not reaped yet: no live thread. */
	assert_int_equal(kill(child, SIGTERM), 0);
	for (int i = 0; i < 500 && !tgt_thread_dead(child, tid); i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
	assert_true(tgt_thread_dead(child, tid));
	assert_int_equal(tgt_live_thread(child), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	/* 2.2: reaped: no such task. */
	assert_int_equal(tgt_tgid_of(child), -1);
	assert_int_equal(tgt_live_thread(child), 0);
	close(fds[0]);
	close(fds[1]);
}

static void
test_3_0_kthread(void **state)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "r");

	(void)state;
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	if (strcmp(comm, "kthreadd\n") != 0)
		skip(); /* a PID namespace: pid 2 is no kernel thread here */
	assert_true(tgt_is_kthread(2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_self),
		cmocka_unit_test(test_1_1_thread),
		cmocka_unit_test(test_2_leader_left),
		cmocka_unit_test(test_3_0_kthread),
	};

	return cmocka_run_group_tests_name("live", tests, NULL, NULL) ? 1 : 0;
}
