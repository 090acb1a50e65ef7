#!/bin/bash
# 0610-repl-tty: `inspect attach` on a terminal, the way an engineer uses it: GNU
# readline's prompt, completion and history, Ctrl-C and Ctrl-D, and the signals that
# end a session, driven through a pseudo-terminal by pty-session.py, on the parked
# fixture (fixtures/go/parked/main.go) with N=3 (Ctrl-C: N=2500, 30,010 goroutines).
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  the prompt; `tasks -with reason=chan-recv` lists exactly the goroutines
#               the runtime has in chan receive (main and the N receivers); `task ID`,
#               `bt` shows main.blockChanRecv, `frame 3` selects it; `detach` exits 0;
#               the fixture then runs, untraced, and its heartbeat stalled for the
#               session (>= the 1 s it was held open, <= its length + margin)
#   $GOVER 1.1  during the session every thread of the fixture is in tracing stop (t)
#               and inspect is its tracer
#   $GOVER 2.0  TAB completes a command: thr -> thread (then lists thread threads),
#               tas -> task (then lists task tasks)
#   $GOVER 2.1  TAB completes a reason: reason=chan-r -> reason=chan-recv (then lists
#               it and reason=chan-recv-nil), an option: -wi -> -with
#   $GOVER 2.2  TAB TAB after `task 1` lists every goroutine id starting with 1
#   $GOVER 2.3  TAB completes each command's own options and their values (tasks
#               -gr -> -group, then st -> stack; bt -f -> -full; dump --thr ->
#               --threads) and thread ids after `thread`
#   $GOVER 3.0  history: with HOME a fresh folder, session one runs info and detach;
#               session two gets them back with Up-arrow (info runs again);
#               $HOME/.inspect_history holds both sessions' lines
#   $GOVER 4.0  Ctrl-C during `tasks -t` over 30,010 goroutines: the listing stops,
#               "(interrupted)" and the prompt; still attached (info: paused); detach
#   $GOVER 5.0  Ctrl-D at the prompt detaches: exit 0, the fixture runs, the terminal
#               is back in canonical mode with echo
#   $GOVER 5.1  SIGTERM to inspect at the prompt: it detaches and exits 143
#   $GOVER 5.2  SIGHUP: the same, exit 129
#   $GOVER 5.3  an unknown, an ambiguous command and bad arguments: one line each and
#               the prompt again
#   $GOVER 5.4  Ctrl-C at the prompt drops the line typed and does not detach
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-3}
N_BIG=${N_BIG:-2500}
PTY=$ROOT/tests/integration/pty-session.py
export INPUTRC=/dev/null TERM=xterm # no user key bindings; a terminal readline knows
P='\(inspect\) '                     # the prompt, as a regex
AGAIN="\\n$P\$"                     # a command's output is over: the prompt, at the end

# Steps of a session, one JSON object a line (see pty-session.py).
keys() { jq -nc --arg s "$1" '{send: $s}'; } # typed as is: $'\t' is TAB
cmd() { keys "$1"$'\r'; }
want() { jq -nc --arg e "$1" --argjson t "${2:-10}" '{expect: $e, timeout: $t}'; }
ctrl() { echo "{\"ctrl\": \"$1\"}"; }
hold() { echo "{\"sleep\": $1}"; }
sh_step() { jq -nc --arg c "$1" '{exec: $c}'; }
sig() { echo "{\"signal\": \"$1\"}"; }
ends() { echo "{\"exit\": $1, \"timeout\": 15}"; }
attached() { want "^attached to process $FIXTURE_PID .*\\n$P\$"; }

# session NAME [VAR=VALUE...] [-- CMD...]: run CMD (`inspect attach` on the fixture)
# on a terminal, steps on stdin; the transcript in $TEST_TMP/NAME.log. On failure its
# tail goes to stdout as TAP comments and the failed step to stderr.
session() {
	local log=$TEST_TMP/$1.log envs=() argv=("$INSPECT" attach "$FIXTURE_PID")
	shift
	while (($#)) && [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	(($# < 2)) || argv=("${@:2}")
	env "${envs[@]}" "$PTY" -t 10 -- "${argv[@]}" >"$log" 2>&1 && return 0
	grep -v '^$' "$log" | grep -v '^## FAILED' | tail -n 12 | sed 's/^/# /'
	grep -A 3 '^## FAILED' "$log" >&2 || tail -n 3 "$log" >&2
	return 1
}

case_1() {
	local ids id want_list t0 t1 stall
	rm -f "$TEST_TMP/states" "$TEST_TMP/tracer" "$TEST_TMP/session.pid" # for 1.1
	sleep 0.2 # after runtime_goroutines: let main and the signal goroutine park again
	heartbeat_stall_ms >/dev/null
	# main (goroutine 1) was busy writing the stacks; it waits on its signal channel again
	ids=$(awk -F '\t' '$2 == "chan receive" && $3 == "main.blockChanRecv" { print $1 } END { print 1 }' \
		"$TEST_TMP/runtime" | sort -n)
	(($(wc -w <<<"$ids") == N + 1)) ||
		{ echo "the runtime shows $(($(wc -w <<<"$ids") - 1)) goroutines in main.blockChanRecv, want $N" >&2; return 1; }
	id=$(sed -n 2p <<<"$ids")
	want_list=$(for i in $ids; do printf ' +%s  chan receive +main\\.(main|blockChanRecv) main\\.go:[0-9]+\\n' "$i"; done)
	t0=$(date +%s%3N)
	{
		attached
		cmd "tasks -with reason=chan-recv"
		want "^tasks -with reason=chan-recv\\n$want_list\\[$(wc -w <<<"$ids") goroutines\\]$AGAIN"
		cmd "task $id"
		want "^task $id\\ngoroutine $id  chan receive  main\\.blockChanRecv main\\.go:[0-9]+\\n  (waiting .*\\n  )?created by main\\.main main\\.go:[0-9]+.*$AGAIN"
		cmd bt
		want "^bt\\n>   0  runtime\\.gopark .*\\n(    [12]  .*\\n){2}    3  main\\.blockChanRecv +\\S*/main\\.go:[0-9]+\\n(.*\\n)*?    [0-9]+  runtime\\.goexit .*$AGAIN"
		sh_step "for t in /proc/$FIXTURE_PID/task/*; do sed 's/.*) //; s/ .*//' \$t/stat; done >$TEST_TMP/states
			awk '\$1 == \"TracerPid:\" { print \$2 }' /proc/$FIXTURE_PID/status >$TEST_TMP/tracer
			echo \$SESSION_PID >$TEST_TMP/session.pid"
		hold 1
		cmd "frame 3"
		want "^frame 3\\n>   3  main\\.blockChanRecv  \\S*/main\\.go:[0-9]+$AGAIN"
		cmd detach
		want "^detach\\ndetached from process $FIXTURE_PID after [0-9.]+ s\\n"
		ends 0
	} | session 1.0 || return 1
	t1=$(date +%s%3N)
	fixture_alive || return 1
	stall=$(heartbeat_stall_ms) || return 1
	((stall >= 900 && stall <= t1 - t0 + $(_lib_margin "$(heartbeat_jitter_ms)"))) || {
		echo "the heartbeat stalled $stall ms; the session was held open >= 1000 ms and lasted $((t1 - t0)) ms" >&2
		return 1
	}
}

case_1_1() {
	local states
	[[ -s $TEST_TMP/states ]] || { echo "session 1.0 did not get as far as looking" >&2; return 1; }
	states=$(sort -u "$TEST_TMP/states" | tr '\n' ' ')
	[[ $states == "t " ]] ||
		{ echo "during the session the fixture's threads were in states: $states(want t)" >&2; return 1; }
	[[ $(<"$TEST_TMP/tracer") == "$(<"$TEST_TMP/session.pid")" ]] ||
		{ echo "the fixture's tracer was $(<"$TEST_TMP/tracer"), inspect is $(<"$TEST_TMP/session.pid")" >&2; return 1; }
}

# Readline (8.2) puts the common prefix in with the first TAB and rings the bell; a
# second TAB finds nothing to add; the next lists the matches, sorted, then the line.
case_2_0() {
	{
		attached
		keys "thr"$'\t'
		want '^thread$'
		keys $'\t\t'
		want "^\\nthread +threads *\\n${P}thread\$"
		cmd s
		want "^s\\n(.*\\n)+\\[[0-9]+ threads\\]$AGAIN"
		keys "tas"$'\t'
		want '^task$'
		keys $'\t\t'
		want "^\\ntask +tasks *\\n${P}task\$"
		ctrl u
		cmd detach
		ends 0
	} | session 2.0
}

case_2_1() {
	{
		attached
		keys "tasks -wi"$'\t'
		want '^tasks -with$'
		keys " reason=chan-r"$'\t'
		want '^ reason=chan-recv$'
		keys $'\t\t'
		want "^\\nreason=chan-recv +reason=chan-recv-nil *\\n${P}tasks -with reason=chan-recv\$"
		cmd ""
		want "^\\n( +[0-9]+  chan receive .*\\n)+\\[[0-9]+ goroutines\\]$AGAIN"
		cmd detach
		ends 0
	} | session 2.1
}

case_2_2() {
	local ids
	# every id, runtime goroutines too, as readline sorts them (bytewise)
	inspect_run attach --batch "tasks -system" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect attach --batch exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	ids=$(awk '/^ +[0-9]+  / && $1 ~ /^1/ { print $1 }' "$OUT" | LC_ALL=C sort | paste -sd ' ' | sed 's/ / +/g')
	[[ -n $ids ]] || { echo "no goroutine id starts with 1: $(head -c 300 "$OUT")" >&2; return 1; }
	{
		attached
		keys "task 1"$'\t\t'
		want "^task 1\\n$ids *\\n${P}task 1\$"
		cmd ""
		want "^\\ngoroutine 1  chan receive  main\\.main main\\.go:[0-9]+(\\n  waiting .*)?$AGAIN"
		cmd detach
		ends 0
	} | session 2.2
}

case_2_3() {
	{
		attached
		keys "tasks -gr"$'\t'
		want "^tasks -group \$"
		keys "st"$'\t'
		want "^stack \$"
		ctrl u
		keys "bt -f"$'\t'
		want "^bt -full \$"
		ctrl u
		keys "dump --thr"$'\t'
		want "^dump --threads \$"
		ctrl u
		keys "thread $FIXTURE_PID"$'\t'
		want "^thread $FIXTURE_PID \$"
		keys $'\r'
		want "^\n> $FIXTURE_PID .*$AGAIN"
		cmd detach
		ends 0
	} | session 2.3
}

case_3() {
	local home
	home=$(mktemp -d "$TEST_TMP/home.XXXX")
	{
		attached
		cmd info
		want "^info\\nprocess +$FIXTURE_PID\\n(.*\\n)*paused +[0-9.]+ s$AGAIN"
		cmd detach
		ends 0
	} | session 3.0-one HOME="$home" || return 1
	printf 'info\ndetach\n' | cmp -s - "$home/.inspect_history" ||
		{ echo "after session one, .inspect_history: $(head -c 200 "$home/.inspect_history" | tr '\n' ' ')" >&2; return 1; }
	{
		attached
		keys $'\e[A'
		want '^detach$'
		keys $'\e[A'
		want 'info$'
		cmd ""
		want "^\\nprocess +$FIXTURE_PID\\n(.*\\n)*paused +[0-9.]+ s$AGAIN"
		cmd detach
		ends 0
	} | session 3.0-two HOME="$home" || return 1
	printf 'info\ndetach\ninfo\ndetach\n' | cmp -s - "$home/.inspect_history" ||
		{ echo "after session two, .inspect_history: $(head -c 200 "$home/.inspect_history" | tr '\n' ' ')" >&2; return 1; }
}

case_4() {
	local shown
	{
		attached
		cmd "tasks -t"
		want "main\\.block"
		ctrl c
		want "\\[[0-9]+ goroutines\\]\\n\\(interrupted\\)$AGAIN" 20
		cmd info
		want "^info\\nprocess +$FIXTURE_PID\\n(.*\\n)*goroutines +30,[0-9]+ .*\\n(.*\\n)*paused +[0-9.]+ s$AGAIN"
		cmd detach
		ends 0
	} | session 4.0 || return 1
	# a line per goroutine (and one per frame): 30,000 would be all of them
	shown=$(grep -Ec '^ +[0-9]+  [a-zA-Z]' "$TEST_TMP/4.0.log")
	((shown < 30000)) || { echo "all $shown goroutines listed: Ctrl-C came too late to tell" >&2; return 1; }
	fixture_alive
}

# ... and leaves the terminal as it found it: canonical mode, echo (stty after it).
# shellcheck disable=SC2016 # sh -c expands them
case_5_0() {
	{
		attached
		ctrl d # readline 8.2 ends the line, and inspect too: an empty line
		want "^\\n\\n?detached from process $FIXTURE_PID after [0-9.]+ s\\n"
		want "^stty: icanon echo\\n"
		ends 0
	} | session 5.0 -- sh -c '"$0" attach "$1"; rc=$?
		echo stty: $(stty -a | tr " " "\n" | grep -xE -- "-?(icanon|echo)"); exit $rc' \
		"$INSPECT" "$FIXTURE_PID" && fixture_alive
}

# case_5_sig SIG STATUS
case_5_sig() {
	{
		attached
		sig "$1"
		want "detached from process $FIXTURE_PID after [0-9.]+ s\\n"
		ends "$2"
	} | session "5-$1" && fixture_alive
}

case_5_3() {
	{
		attached
		cmd frobnicate
		want "^frobnicate\\nunknown command 'frobnicate' \\(try 'help'\\)$AGAIN"
		cmd "frame 99"
		want "^frame 99\\nno task selected: use 'task N' or 'thread TID' first$AGAIN"
		cmd t
		want "^t\\nambiguous command: t, could be: tasks, task, threads, thread$AGAIN"
		cmd "task x"
		want "^task x\\nusage: task N$AGAIN"
		cmd "tasks -with reason=bogus"
		want "^tasks -with reason=bogus\\nunknown reason name 'bogus' .*$AGAIN"
		cmd "task 1"
		want "^task 1\\n(.*\\n)+?$P\$"
		cmd "frame 99"
		want "^frame 99\\nno frame 99: the stack has frames 0 to [0-9]+$AGAIN"
		cmd detach
		ends 0
	} | session 5.3 && fixture_alive
}

case_5_4() {
	{
		attached
		keys frobnicate
		ctrl c # at once: a Ctrl-C while readline is still reading keys is not lost
		# (the keys may not have been echoed yet: the terminal then drops them too)
		want "^(frobnicate)?\\n$P\$"
		cmd ""
		want "^\\n$P\$"
		cmd info
		want "^info\\nprocess +$FIXTURE_PID\\n(.*\\n)*paused +[0-9.]+ s$AGAIN"
		cmd detach
		ends 0
	} | session 5.4 && fixture_alive
}

for gover in $(fixture_versions); do
	fixture_start "$gover" "$N"
	runtime_goroutines '^main\.' >"$TEST_TMP/runtime"
	check "$gover 1.0 session: tasks, task, bt, frame, detach" case_1
	check "$gover 1.1 the fixture is in tracing stop during the session" case_1_1
	check "$gover 2.0 TAB completes commands" case_2_0
	check "$gover 2.1 TAB completes reasons and options" case_2_1
	check "$gover 2.2 TAB completes goroutine ids" case_2_2
	check "$gover 2.3 TAB completes options and thread ids" case_2_3
	check "$gover 3.0 history across sessions" case_3
	fixture_stop
	fixture_start "$gover" "$N_BIG"
	check "$gover 4.0 Ctrl-C stops a long listing, not the session" case_4
	fixture_stop
	fixture_start "$gover" "$N"
	check "$gover 5.0 Ctrl-D detaches" case_5_0
	check "$gover 5.1 SIGTERM detaches, exit 143" case_5_sig TERM 143
	check "$gover 5.2 SIGHUP detaches, exit 129" case_5_sig HUP 129
	check "$gover 5.3 errors: one line, then the prompt" case_5_3
	check "$gover 5.4 Ctrl-C at the prompt drops the line" case_5_4
	fixture_stop
done
