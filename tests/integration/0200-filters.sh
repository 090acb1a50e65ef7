#!/bin/bash
# 0200-filters: --with/--without, --system and the reason names of `inspect dump`
# on the parked fixture (fixtures/go/parked/main.go: N goroutines per blocking call,
# one in main.spin).
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  reason=chan-recv: the N receivers and main, all "chan receive"
#   $GOVER 1.1  reason=mutex: "sync.Mutex.Lock" (N); on Go 1.19 "semacquire", which
#               also holds the RWMutex and WaitGroup waiters (4N)
#   $GOVER 1.2  reason=wg-wait: "sync.WaitGroup.Wait" (N) from Go 1.24, else semacquire
#   $GOVER 1.3  reason='"chan send"' (the runtime's exact string): N
#   $GOVER 1.4  func=blockIOWait: N, all "IO wait"
#   $GOVER 1.5  --with reason=sleep --without func=blockSleep: the heartbeat alone
#   $GOVER 1.6  running: main.spin on its thread (a running goroutine can be caught
#               preempted: up to 5 tries), and nothing that does not run
#   $GOVER 1.7  --system adds exactly the hidden_system goroutines, --with reason=gc
#               --system finds the GC's own goroutines
#   $GOVER 2.x  bad filters and formats: exit 64 and a message, before attaching
#   2.9         --help lists every reason name
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-10}

# count_is WANT REASON [DUMP ARGS...]: the dump has WANT goroutines, all waiting for REASON.
count_is() {
	local want=$1 reason=$2 got
	shift 2
	dump_json "$@" || return 1
	got=$(jq --arg r "$reason" '[.goroutines[] | select(.wait_reason == $r)] | length' "$OUT")
	jq -e --argjson w "$want" '.goroutines | length == $w' "$OUT" >/dev/null && ((got == want)) ||
		{ echo "$(jq '.goroutines | length' "$OUT") goroutines, $got waiting for \"$reason\", want $want" >&2; return 1; }
}

# The heartbeat wakes every 10 ms: a capture may find it runnable, not asleep.
heartbeat_alone() {
	local try
	for try in 1 2 3 4 5; do
		dump_json --with reason=sleep --without func=blockSleep || return 1
		jq -e '[.goroutines[].user_top.func] == ["main.heartbeat"]' "$OUT" >/dev/null && return 0
		# awake: then it must be the only goroutine it left out
		jq -e '.goroutines == []' "$OUT" >/dev/null ||
			{ echo "got $(jq -c '[.goroutines[].user_top.func]' "$OUT")" >&2; return 1; }
	done
	echo "the heartbeat was awake in 5 captures" >&2
	return 1
}

running_ok() {
	local try
	for try in 1 2 3 4 5; do
		dump_json --with running || return 1
		jq -e 'all(.goroutines[]; .status == "running" or .thread != null)' "$OUT" >/dev/null ||
			{ echo "a goroutine that does not run passed: $(jq -c .goroutines "$OUT" | head -c 300)" >&2; return 1; }
		jq -e 'any(.goroutines[]; .user_top.func == "main.spin" and .status == "running" and .thread != null)' \
			"$OUT" >/dev/null && return 0
	done
	echo "main.spin not seen running in 5 dumps" >&2
	return 1
}

system_ok() {
	local plain all hidden
	dump_json || return 1
	plain=$(jq '.goroutines | length' "$OUT") hidden=$(jq .hidden_system "$OUT")
	dump_json --system || return 1
	all=$(jq '.goroutines | length' "$OUT")
	((hidden > 0 && all == plain + hidden)) ||
		{ echo "$plain shown + $hidden hidden, but --system shows $all" >&2; return 1; }
	dump_json --system --with reason=gc || return 1
	jq -e '(.goroutines | length > 0) and all(.goroutines[]; .system and (.wait_reason | test("GC|gc|garbage|finalizer")))' \
		"$OUT" >/dev/null || { echo "reason=gc gave $(jq -c '[.goroutines[].wait_reason]' "$OUT")" >&2; return 1; }
}

rejected() {
	local pattern=$1
	shift
	inspect_run dump "$@" "$FIXTURE_PID"
	expect_status 64 "$pattern" && [[ ! -s $OUT ]] && fixture_alive
}

help_ok() {
	local name
	inspect_run dump --help
	((RC == 0)) || { echo "--help exited $RC" >&2; return 1; }
	for name in chan-recv chan-send chan-recv-nil chan-send-nil select select-no-cases sleep io-wait \
		mutex rwmutex-r rwmutex-w semacquire wg-wait cond-wait gc; do
		grep -q "^  $name " "$OUT" || { echo "--help does not list $name" >&2; return 1; }
	done
}

for gover in $(fixture_versions); do
	minor=${gover#go1.}
	fixture_start "$gover" "$N" -spin 1
	check "$gover 1.0 reason=chan-recv" count_is $((N + 1)) "chan receive" --with reason=chan-recv
	if ((minor >= 20)); then
		check "$gover 1.1 reason=mutex" count_is "$N" "sync.Mutex.Lock" --with reason=mutex
	else
		check "$gover 1.1 reason=mutex" count_is $((4 * N)) "semacquire" --with reason=mutex
	fi
	if ((minor >= 24)); then
		check "$gover 1.2 reason=wg-wait" count_is "$N" "sync.WaitGroup.Wait" --with reason=wg-wait
	elif ((minor >= 20)); then
		check "$gover 1.2 reason=wg-wait" count_is "$N" "semacquire" --with reason=wg-wait
	else
		check "$gover 1.2 reason=wg-wait" count_is $((4 * N)) "semacquire" --with reason=wg-wait
	fi
	check "$gover 1.3 exact reason string" count_is "$N" "chan send" --with 'reason="chan send"'
	check "$gover 1.4 func=" count_is "$N" "IO wait" --with func=blockIOWait
	check "$gover 1.5 with and without" heartbeat_alone
	check "$gover 1.6 running" running_ok
	check "$gover 1.7 --system" system_ok
	check "$gover 2.0 unknown reason name" rejected "unknown reason name 'chan-receive'" --with reason=chan-receive
	check "$gover 2.1 bad filter" rejected "bad filter 'colour=red'" --without colour=red
	check "$gover 2.2 bad format" rejected "unknown format 'xml'" --format xml
	check "$gover 2.3 unknown option" rejected "unknown option '--frobnicate' \(see --help\)" --frobnicate
	fixture_stop
done
check "2.9 --help lists the reason names" help_ok
