#!/bin/bash
# 0600-repl: `inspect attach` driven through a pipe, -x FILE and --batch, on the
# parked fixture (fixtures/go/parked/main.go: N goroutines per blocking call) and
# the stacks fixture (fixtures/go/stacks/main.go) for threads.
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  every command echoes after the prompt; the session ends detached,
#               exit 2 (the bad commands of 1.7 failed; 0 in 1.8 to 2.1), and the
#               fixture runs on, untraced
#   $GOVER 1.1  tasks -with reason=chan-recv: the N receivers and main, by id
#   $GOVER 1.2  goroutines (alias) -with func=blockChanSend -limit 2: two lines, and
#               how many more
#   $GOVER 1.3  task ID; bt: the stack, frame 0 selected; frame 3, up, down move
#               the selection
#   $GOVER 1.4  tasks -group reason: the dump's report, N per blocking call
#   $GOVER 1.5  info: process, Go version, counts, "paused"
#   $GOVER 1.6  threads lists every thread; thread TID; bt shows its native stack
#   $GOVER 1.7  bad input: unknown and ambiguous commands, bad arguments, bt
#               without a task: one line each, and the session goes on
#   $GOVER 1.8  help lists every command; help bt its usage
#   $GOVER 1.9  dump --with reason=sleep inside the session
#   $GOVER 2.0  -x FILE runs the file's commands and detaches at its end
#   $GOVER 2.1  --batch 'cmd; cmd' the same
#   $GOVER 2.2  while attached the process stays stopped (state t): its heartbeat
#               stalls for the whole session, and runs again after
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-5}

# session CMDS...: one command per argument through a pipe; $OUT, $ERR, $RC.
session() {
	printf '%s\n' "$@" | { RC=0; "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?; echo "$RC" >"$TEST_TMP/rc"; }
	RC=$(<"$TEST_TMP/rc")
}

# part CMD: what the session printed for the command CMD (up to the next prompt).
part() {
	awk -v cmd="(inspect) $1" '$0 == cmd { on = 1; next } /^\(inspect\) / { on = 0 } on' "$OUT"
}

want() {
	grep -Eq -- "$2" <<<"$1" || { echo "no /$2/ in: $(head -c 400 <<<"$1")" >&2; return 1; }
}

# session_ok [STATUS]: it exited STATUS (0; 2 when a command failed), detached.
session_ok() {
	((RC == ${1:-0})) || { echo "exit $RC, want ${1:-0}: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "^attached to process $FIXTURE_PID " "$OUT" && grep -q "^detached from process $FIXTURE_PID after " "$OUT" ||
		{ echo "no attached/detached lines: $(head -c 300 "$OUT")" >&2; return 1; }
	fixture_alive
}

recv_ok() {
	local p ids
	p=$(part "tasks -with reason=chan-recv")
	ids=$(grep -cE '^ +[0-9]+  chan receive +main\.(blockChanRecv|main) ' <<<"$p") || true
	((ids == N + 1)) && want "$p" "^\[$((N + 1)) goroutines\]$" ||
		{ echo "$ids lines: $p" >&2; return 1; }
}

limit_ok() {
	local p
	p=$(part "goroutines -with func=blockChanSend -limit 2")
	(($(grep -c 'main.blockChanSend' <<<"$p") == 2)) && want "$p" "\.\.\. $((N - 2)) more \(-limit 2\)" ||
		{ echo "$p" >&2; return 1; }
}

bt_ok() {
	want "$(part "task $1")" "^goroutine $1  chan receive  main.blockChanRecv main.go:" &&
	want "$(part bt)" "^>   0  runtime.gopark " && want "$(part bt)" "^    3  main.blockChanRecv " &&
	want "$(part "frame 3")" "^>   3  main.blockChanRecv " &&
	want "$(part up)" "^>   4  " && want "$(part down)" "^>   3  main.blockChanRecv "
}

group_ok() {
	local p
	p=$(part "tasks -group reason")
	want "$p" "^  +$N  chan send$" && want "$p" "main.blockChanSend"
}

info_ok() {
	local p
	p=$(part info)
	want "$p" "^process +$FIXTURE_PID$" && want "$p" "^runtime +go go1\." &&
	want "$p" "^goroutines +[0-9]+ \([0-9]+ of the runtime's own\)$" && want "$p" "^paused +[0-9.]+ s$"
}

threads_ok() {
	local p tid
	p=$(part threads)
	want "$p" "^\[[0-9]+ threads\]$" || return 1
	tid=$(grep -m1 -oE '^  [0-9]+' <<<"$p" | tr -d ' ')
	[[ $tid == "$FIXTURE_PID" ]] || { echo "first thread $tid is not the main thread" >&2; return 1; }
	want "$(part "thread $tid")" "^> $tid " && want "$(part "bt 2")" "^>   0  runtime\."
}

bad_ok() {
	want "$(part frobnicate)" "^unknown command 'frobnicate' \(try 'help'\)$" &&
	want "$(part th)" "^ambiguous command: th, could be: threads, thread$" &&
	want "$(part "task x")" "^usage: task N$" &&
	want "$(part "task 999999")" "^no goroutine 999999$" &&
	want "$(part "frame 99")" "^no frame 99: the stack has frames 0 to " &&
	want "$(part "tasks -with reason=nope")" "^unknown reason name 'nope'" &&
	want "$(part "bt 0")" "^usage: bt \[N\] \[-full\]$"
}

bt_needs_task() {
	session "bt" "detach"
	want "$(part bt)" "^no task selected: use 'task N' or 'thread TID' first$" && session_ok 2
}

help_ok() {
	local p c
	p=$(part help)
	for c in tasks task threads thread bt frame up down info dump help detach quit; do
		want "$p" "^  $c " || return 1
	done
	want "$(part "help bt")" "^usage: bt \[N\] \[-full\]$"
}

dump_ok() {
	want "$(part "dump --with reason=sleep")" "^  +$((N + 1))  sleep"
}

script_ok() {
	printf 'info\ntasks -with reason=chan-send\n' >"$TEST_TMP/cmds"
	RC=0
	"$INSPECT" attach -x "$TEST_TMP/cmds" "$FIXTURE_PID" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	session_ok && want "$(part "tasks -with reason=chan-send")" "^\[$N goroutines\]$"
}

batch_ok() {
	RC=0
	"$INSPECT" attach --batch 'info; tasks -with reason=select' "$FIXTURE_PID" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	session_ok && want "$(part "tasks -with reason=select")" "^\[$N goroutines\]$"
}

held_ok() {
	local stall
	heartbeat_stall_ms >/dev/null
	{ printf 'info\n'; sleep 1.5; printf 'detach\n'; } | "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR"
	stall=$(heartbeat_stall_ms)
	((stall >= 1400)) || { echo "the heartbeat stalled only $stall ms in a 1.5 s session" >&2; return 1; }
	fixture_alive
}

for gover in $(fixture_versions); do
	fixture_start "$gover" "$N"
	id=$(jq -r '[.goroutines[] | select(.user_top.func == "main.blockChanRecv") | .id][0]' \
		< <("$INSPECT" dump --format json --with func=blockChanRecv "$FIXTURE_PID"))
	session "tasks -with reason=chan-recv" "goroutines -with func=blockChanSend -limit 2" \
		"task $id" bt "frame 3" up down "tasks -group reason" info threads \
		"thread $FIXTURE_PID" "bt 2" frobnicate th "task x" "task 999999" "frame 99" \
		"tasks -with reason=nope" "bt 0" help "help bt" "dump --with reason=sleep" detach
	check "$gover 1.0 session (its bad commands of 1.7: exit 2)" session_ok 2
	check "$gover 1.1 tasks -with" recv_ok
	check "$gover 1.2 goroutines -limit" limit_ok
	check "$gover 1.3 task, bt, frame, up, down" bt_ok "$id"
	check "$gover 1.4 tasks -group" group_ok
	check "$gover 1.5 info" info_ok
	check "$gover 1.6 threads" threads_ok
	check "$gover 1.7 bad input" bad_ok
	check "$gover 1.7b bt needs a task" bt_needs_task
	session help "help bt" "dump --with reason=sleep" quit
	check "$gover 1.8 help" help_ok
	check "$gover 1.9 dump" dump_ok
	check "$gover 2.0 -x FILE" script_ok
	check "$gover 2.1 --batch" batch_ok
	check "$gover 2.2 stopped while attached" held_ok
	fixture_stop
done
