#!/bin/bash
# 1220-session: an `inspect attach` session never misleads (issue 12, "The session"):
# driven through a pipe (a FIFO the test writes as it goes, as a script does) and,
# where it is about the terminal, through pty-session.py, on the parked fixture
# (fixtures/go/parked/main.go: N goroutines per blocking call, a 1 ms heartbeat).
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  the fixture is killed (SIGKILL) while a piped session holds it: the
#               next command prints nothing (its echo is the last line), stderr says
#               "process PID exited while attached (killed by SIGKILL, signal 9)",
#               no "detached" line, exit 8; the shell's own account of the fixture:
#               killed by signal 9 (status 137)
#   $GOVER 1.1  the same on a terminal: `tasks` after the kill says so, exit 8
#   $GOVER 1.2  killed, then the commands end (EOF) with none after: exit 8, the same
#               message, no "detached" line
#   $GOVER 2.0  the banner ("attached to process PID ...") is out while inspect waits
#               for its first command on an open pipe (stdout a file: fully
#               buffered), and the fixture is stopped (state t) meanwhile; `info`'s
#               output is out before the next command is sent; detach: exit 0
#   $GOVER 3.0  SIGINT to a piped session waiting for a command: it detaches
#               ("detached from process PID" printed), exits 130, and the fixture
#               runs on, untraced, and beats
#   $GOVER 4.0  --batch with a failing command (unknown) between two good ones:
#               all three run, it detaches, exit 2
#   $GOVER 4.1  -x FILE and piped commands with a failing command: the same, exit 2;
#               every command good: exit 0
#   $GOVER 4.2  --batch: ';' inside quotes ("..." '...') does not split, one outside
#               does: exactly the commands as written are echoed and run
#   $GOVER 4.3  -x /dev/zero, -x FILE with a 20,000-byte line, -x FILE of 2 MiB:
#               exit 64 with the reason, before the attach (no banner), and the
#               fixture never stopped (its heartbeat stall stays under the margin);
#               -x with --batch: exit 64, one or the other
#   $GOVER 4.4  piped /dev/zero, a piped 20,000-byte line: refused (exit 64),
#               detached, the fixture runs on
#   $GOVER 5.0  info says how long the process has been stopped: "paused" under 1 s
#               at first, then, 1.5 s later, at least 1.4 s and no more than the
#               session's length; the fixture's heartbeat stalled at least as long
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-3}
PTY=$ROOT/tests/integration/pty-session.py
export INPUTRC=/dev/null TERM=xterm
trap '' PIPE # a write to a session that has ended fails, and the case says so

# session_start [ARGS...]: inspect attach ARGS $FIXTURE_PID, its commands from a
# FIFO the test writes (fd 3) as it goes; $OUT and $ERR files; $SESSION_PID.
session_start() {
	rm -f "$TEST_TMP/in"
	mkfifo "$TEST_TMP/in"
	"$INSPECT" attach "$@" "$FIXTURE_PID" <"$TEST_TMP/in" >"$OUT" 2>"$ERR" &
	SESSION_PID=$!
	_lib_pids+=("$SESSION_PID")
	exec 3>"$TEST_TMP/in"
}

send() {
	printf '%s\n' "$1" >&3 || { echo "cannot send '$1': the session has ended" >&2; return 1; }
}

# await ERE [SECONDS]: a line of $OUT matches ERE within SECONDS (5).
await() {
	local i
	for ((i = 0; i < ${2:-5} * 100; i++)); do
		grep -Eq -- "$1" "$OUT" && return 0
		sleep 0.01
	done
	echo "no line /$1/ after ${2:-5} s; stdout: $(head -c 300 "$OUT" | tr '\n' '|')" >&2
	return 1
}

# session_end: close the commands, wait (10 s at most) for inspect; $RC.
session_end() {
	local i
	exec 3>&-
	for ((i = 0; i < 1000; i++)); do
		kill -0 "$SESSION_PID" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$SESSION_PID" 2>/dev/null && kill -TERM "$SESSION_PID"
	RC=0
	wait "$SESSION_PID" || RC=$?
}

want() {
	grep -Eq -- "$2" <<<"$1" || { echo "no /$2/ in: $(head -c 400 <<<"$1")" >&2; return 1; }
}

status_is() {
	((RC == $1)) || { echo "exit $RC, want $1; stderr: $(head -c 300 "$ERR")" >&2; return 1; }
}

detached() {
	grep -q "^detached from process $FIXTURE_PID after " "$OUT" ||
		{ echo "no detached line: $(tail -c 300 "$OUT")" >&2; return 1; }
}

# echoed: the commands the session ran, one a line, as it echoed them.
echoed() { sed -n 's/^(inspect) //p' "$OUT"; }

# ran CMD...: the session ran exactly these commands, in this order.
ran() {
	[[ $(echoed) == "$(printf '%s\n' "$@")" ]] ||
		{ echo "it ran: $(echoed | tr '\n' '|'), want: $(printf '%s|' "$@")" >&2; return 1; }
}

# killed_ok: exit 8 with the message; the fixture was killed by SIGKILL (the shell's
# account: 137), and nothing followed the echo of the command after the kill.
killed_ok() {
	local rc=0
	status_is 8 || return 1
	grep -q "^inspect: process $FIXTURE_PID exited while attached (killed by SIGKILL, signal 9)$" "$ERR" ||
		{ echo "stderr: $(head -c 300 "$ERR")" >&2; return 1; }
	! grep -q "^detached" "$OUT" || { echo "it says it detached from a dead process" >&2; return 1; }
	fixture_wait || rc=$?
	((rc == 137)) || { echo "the fixture exited $rc, want 137 (SIGKILL)" >&2; return 1; }
}

case_1_0() {
	session_start
	send info && await '^paused ' || return 1
	kill -KILL "$FIXTURE_PID"
	sleep 0.2
	send "tasks -with reason=chan-recv"
	send info || true # the session may have ended already
	session_end
	killed_ok || return 1
	[[ $(tail -n 1 "$OUT") == "(inspect) tasks -with reason=chan-recv" ]] ||
		{ echo "after the kill it printed: $(sed -n '/^(inspect) tasks/,$p' "$OUT" | head -c 300)" >&2; return 1; }
}

case_1_1() {
	local log=$TEST_TMP/1.1.log rc=0
	{
		jq -nc --arg e "^attached to process $FIXTURE_PID .*\\n\\(inspect\\) \$" '{expect: $e}'
		jq -nc '{send: "info\r"}'
		jq -nc '{expect: "paused +[0-9.]+ s\\n\\(inspect\\) $"}'
		jq -nc --arg c "kill -KILL $FIXTURE_PID; sleep 0.2" '{exec: $c}'
		jq -nc '{send: "tasks\r"}'
		jq -nc --arg e "^tasks\\ninspect: process $FIXTURE_PID exited while attached \\(killed by SIGKILL, signal 9\\)\\n\$" '{expect: $e}'
		echo '{"exit": 8, "timeout": 15}'
	} | "$PTY" -t 10 -- "$INSPECT" attach "$FIXTURE_PID" >"$log" 2>&1 ||
		{ grep -A 3 '^## FAILED' "$log" >&2; return 1; }
	! grep -q "^detached" "$log" || { echo "it says it detached from a dead process" >&2; return 1; }
	fixture_wait || rc=$?
	((rc == 137)) || { echo "the fixture exited $rc, want 137 (SIGKILL)" >&2; return 1; }
}

case_1_2() {
	session_start
	await '^attached to ' || return 1
	kill -KILL "$FIXTURE_PID"
	sleep 0.2
	session_end
	killed_ok
}

case_2_0() {
	local states
	session_start
	await "^attached to process $FIXTURE_PID " || return 1
	states=$(for t in /proc/"$FIXTURE_PID"/task/*; do sed 's/.*) //; s/ .*//' "$t/stat"; done | sort -u | tr '\n' ' ')
	send info && await '^paused +[0-9.]+ s$' || return 1
	send detach
	session_end
	status_is 0 && detached || return 1
	[[ $states == "t " ]] || { echo "while the banner was read the fixture's threads were: $states(want t)" >&2; return 1; }
	fixture_alive
}

case_3_0() {
	session_start
	send info && await '^paused ' || return 1
	kill -INT "$SESSION_PID"
	session_end
	status_is 130 && detached && fixture_alive
}

case_4_0() {
	inspect_run attach --batch 'info; frobnicate; tasks -with reason=chan-send' "$FIXTURE_PID"
	status_is 2 && detached || return 1
	ran info frobnicate "tasks -with reason=chan-send" &&
		want "$(cat "$OUT")" "^unknown command 'frobnicate'" &&
		want "$(cat "$OUT")" "^\[$N goroutines\]$" && fixture_alive
}

case_4_1() {
	printf 'info\ntask 999999999\ntasks -with reason=chan-send\n' >"$TEST_TMP/cmds"
	inspect_run attach -x "$TEST_TMP/cmds" "$FIXTURE_PID" </dev/null
	status_is 2 && detached && want "$(cat "$OUT")" "^\[$N goroutines\]$" || return 1
	RC=0
	"$INSPECT" attach "$FIXTURE_PID" <"$TEST_TMP/cmds" >"$OUT" 2>"$ERR" || RC=$?
	status_is 2 && detached && want "$(cat "$OUT")" "^\[$N goroutines\]$" || return 1
	printf 'info\ntasks -with reason=chan-send\n' >"$TEST_TMP/cmds"
	inspect_run attach -x "$TEST_TMP/cmds" "$FIXTURE_PID" </dev/null
	status_is 0 && detached && fixture_alive
}

case_4_2() {
	inspect_run attach --batch 'print "a;b"; tasks -with reason="chan send;x";info;print '"'"';'"'"'; tasks -with func=blockChanSend' "$FIXTURE_PID"
	ran 'print "a;b"' 'tasks -with reason="chan send;x"' info "print ';'" "tasks -with func=blockChanSend" &&
		want "$(cat "$OUT")" "^\[$N goroutines\]$" && detached && fixture_alive
}

# refused_before FILE ERE: -x FILE exits 64, stderr matching ERE, no attach, no stall.
refused_before() {
	heartbeat_stall_ms >/dev/null
	inspect_run attach -x "$1" "$FIXTURE_PID" </dev/null
	expect_status 64 "$2" || return 1
	! grep -q "^attached" "$OUT" || { echo "it attached: $(head -c 200 "$OUT")" >&2; return 1; }
	unharmed 0 # never stopped: no stall past the fixture's own jitter
}

case_4_3() {
	head -c 20000 /dev/zero | tr '\0' x >"$TEST_TMP/long"
	head -c $((2 << 20)) /dev/zero | tr '\0' '\n' >"$TEST_TMP/big" # empty lines
	inspect_run attach -x "$TEST_TMP/long" --batch info "$FIXTURE_PID"
	expect_status 64 "^inspect: -x and --batch: one or the other$" || return 1
	refused_before /dev/zero "^inspect: /dev/zero: line 1 has a NUL byte: not a text file of commands$" &&
		refused_before "$TEST_TMP/long" "line 1 is longer than 16384 bytes" &&
		refused_before "$TEST_TMP/big" "is larger than 1024 KiB"
}

case_4_4() {
	RC=0
	timeout 20 "$INSPECT" attach "$FIXTURE_PID" </dev/zero >"$OUT" 2>"$ERR" || RC=$?
	expect_status 64 "^inspect: a command line with a NUL byte: refused" && detached || return 1
	RC=0
	{ echo info; cat "$TEST_TMP/long"; echo; echo info; } |
		timeout 20 "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?
	expect_status 64 "^inspect: a command line longer than 16384 bytes: refused" && detached || return 1
	ran info && fixture_alive
}

case_5_0() {
	local first second t0 t1 stall
	heartbeat_stall_ms >/dev/null
	t0=$(date +%s%3N)
	session_start
	send info && await '^paused ' || return 1
	sleep 1.5
	send info && await '^paused .*(\n.*)*' || return 1
	send detach
	session_end
	t1=$(date +%s%3N)
	status_is 0 || return 1
	first=$(grep -m1 '^paused ' "$OUT" | awk '{ print $2 * 1000 }')
	second=$(grep '^paused ' "$OUT" | sed -n 2p | awk '{ print $2 * 1000 }')
	[[ -n $second ]] || { echo "one info only: $(head -c 300 "$OUT")" >&2; return 1; }
	((first < 1000 && second >= 1400 && second <= t1 - t0)) ||
		{ echo "info said paused ${first} ms, then ${second} ms; the session lasted $((t1 - t0)) ms" >&2; return 1; }
	fixture_alive || return 1
	stall=$(heartbeat_stall_ms)
	((stall + 100 >= second)) || { echo "the heartbeat stalled $stall ms; info said $second ms" >&2; return 1; }
}

for gover in $(fixture_versions); do
	fixture_start "$gover" "$N"
	check "$gover 1.0 killed while attached: the next command ends it, exit 8" case_1_0
	fixture_start "$gover" "$N"
	check "$gover 1.1 killed while attached, on a terminal: exit 8" case_1_1
	fixture_start "$gover" "$N"
	check "$gover 1.2 killed while attached, then EOF: exit 8" case_1_2
	fixture_start "$gover" "$N"
	check "$gover 2.0 the banner is out before the first command" case_2_0
	check "$gover 3.0 SIGINT to a piped session detaches, exit 130" case_3_0
	check "$gover 4.0 --batch with a failing command: exit 2" case_4_0
	check "$gover 4.1 -x FILE and piped with a failing command: exit 2" case_4_1
	check "$gover 4.2 --batch: ';' inside quotes does not split" case_4_2
	check "$gover 4.3 -x of an endless or huge file: refused before the attach" case_4_3
	check "$gover 4.4 piped endless line: refused, detached" case_4_4
	check "$gover 5.0 info: how long it has been stopped" case_5_0
	fixture_stop
done
