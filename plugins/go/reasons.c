/* The Go plugin's short reason names: what users type after reason=, and the
 * runtime strings each stands for, most specific first (research/goruntime.md 4:
 * Go 1.19 reports every sync wait as "semacquire"; WaitGroup got its own reason
 * only in 1.24).
 * SPDX-License-Identifier: MIT */
#include "gort.h"

const struct insp_reason_name gort_reason_names[] = {
	{ "chan-recv", "receive from a channel", false, { "chan receive" } },
	{ "chan-send", "send on a channel", false, { "chan send" } },
	{ "chan-recv-nil", "receive from a nil channel (never wakes)", false,
	  { "chan receive (nil chan)" } },
	{ "chan-send-nil", "send on a nil channel (never wakes)", false,
	  { "chan send (nil chan)" } },
	{ "select", "select with cases", false, { "select" } },
	{ "select-no-cases", "select {} (never wakes)", false, { "select (no cases)" } },
	{ "sleep", "time.Sleep", false, { "sleep" } },
	{ "io-wait", "network or file IO through the poller", false, { "IO wait" } },
	{ "mutex", "sync.Mutex.Lock (semacquire before Go 1.20)", false,
	  { "sync.Mutex.Lock", "semacquire" } },
	{ "rwmutex-r", "sync.RWMutex.RLock (semacquire before Go 1.20)", false,
	  { "sync.RWMutex.RLock", "semacquire" } },
	{ "rwmutex-w", "sync.RWMutex.Lock (semacquire before Go 1.20)", false,
	  { "sync.RWMutex.Lock", "semacquire" } },
	{ "wg-wait", "sync.WaitGroup.Wait (semacquire before Go 1.24)", false,
	  { "sync.WaitGroup.Wait", "semacquire" } },
	{ "cond-wait", "sync.Cond.Wait", false, { "sync.Cond.Wait" } },
	{ "semacquire", "any other runtime semaphore", false, { "semacquire" } },
	{ "gc", "any of the garbage collector's own waits", true,
	  { "GC assist marking", "GC assist wait", "GC sweep wait", "GC scavenge wait",
	    "GC worker (idle)", "GC worker (active)", "GC mark termination",
	    "GC weak to strong wait", "garbage collection", "garbage collection scan",
	    "wait for GC cycle", "force gc (idle)", "finalizer wait", "cleanup wait" } },
	{ "running", "running on a thread", false, { "running" } },
	{ "runnable", "ready, waiting for a thread", false, { "runnable" } },
	{ "syscall", "in a system call", false, { "syscall" } },
	{ "preempted", "stopped by the scheduler", false, { "preempted" } },
	{ NULL, NULL, false, { NULL } },
};
