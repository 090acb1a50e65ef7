#!/bin/bash
# 1230-tasks-filters: the REPL's `tasks` and `task N`, and the conditions that
# `tasks -with` and `dump --with` share, on the parked fixture
# (fixtures/go/parked/main.go: N goroutines per blocking call; -gc runs two GC
# cycles before "ready" and prints their times) and the stacks fixture
# (fixtures/go/stacks/main.go: main.parent creates the main.child goroutines).
#
# The runtime's account: runtime.Stack(all), which the fixture writes on SIGUSR2
# (the goroutines compared stay parked; for 3.2 it is taken after inspect let the
# process go): its headers "[chan receive, 1 minutes]" and its "created by F in
# goroutine N"; and the fixture's own print of when its GC ran.
#
# For each Go toolchain built (GOVER), the parked fixture:
#   $GOVER 1.0  tasks -with reason="chan send", reason='chan send' (the words the
#               report prints, as the REPL's quotes leave them), reason=chan-send and
#               reason='"chan send"' (exact) list the goroutines the runtime says
#               wait in "chan send"
#   $GOVER 1.1  reason=mutex,select: the goroutines in either (on Go 1.19 mutex is
#               semacquire, which holds the RWMutex and WaitGroup waiters too)
#   $GOVER 1.2  the same conditions through `inspect dump --with` (JSON) keep the
#               same goroutines as the REPL's tasks -with: one parser
#   $GOVER 1.3  an unknown name: "did you mean", in the REPL (which goes on) and
#               from dump (exit 64, before attaching), for a reason and a field
#   $GOVER 1.3c reason=chan send, split at the blank: quote the words, in both
#   $GOVER 1.3d 'reason="sleep", synctest bubble 2': ", " after a quote is refused
#               (it is part of the runtime's words), not split into a second value
#   $GOVER 1.3e tasks -limit -1 is refused; dump -with says dump's options take
#               two dashes (the REPL's tasks takes -with), in the REPL and the shell
#   $GOVER 2.0  tasks -group reason prints no thread section; -threads adds one
#               with every thread of the process
#   $GOVER 2.1  tasks -group reason -limit 3: the 3 biggest blocks of the report,
#               then how many blocks and goroutines are left out; help tasks says so
#   $GOVER 3.0  task N: the wait of a goroutine parked before the GC is at least
#               the time since the GC ended and at most the time since it started;
#               the main goroutine (running during the GC) has none yet; also on
#               the stripped build (parked-sw) where it is built
# the stacks fixture, and its stripped build (-s -w) where it is built:
#   $GOVER[-sw] 3.1  task N of a main.child: "created by main.parent main.go:L in
#               goroutine P" with the runtime's L and P; Go 1.19 records no P and
#               inspect says so, with no goroutine id
# and a parked fixture whose goroutines have waited over a minute:
#   $GOVER 3.2  task N says "waiting M min", and JSON wait_minutes is M, with
#               the runtime's M (its traceback's ", M minutes")
# Every session and dump checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-4}

# session CMDS...: one command per argument through a pipe; $OUT, $ERR, $RC.
session() {
	printf '%s\n' "$@" | { RC=0; "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?; echo "$RC" >"$TEST_TMP/rc"; }
	RC=$(<"$TEST_TMP/rc")
	cp "$OUT" "$TEST_TMP/session"
}

# part CMD: what the last session printed for CMD (up to the next prompt).
part() {
	awk -v cmd="(inspect) $1" '$0 == cmd { on = 1; next } /^\(inspect\) / { on = 0 } on' "$TEST_TMP/session"
}

want() {
	grep -Eq -- "$2" <<<"$1" || { echo "no /$2/ in: $(head -c 400 <<<"$1")" >&2; return 1; }
}

# session_ok [STATUS]: the session exited STATUS (0; 2 when a command failed)
# and detached.
session_ok() {
	((RC == ${1:-0})) || { echo "session exit $RC, want ${1:-0}: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "^detached from process $FIXTURE_PID " "$TEST_TMP/session" ||
		{ echo "the session did not detach: $(tail -c 300 "$TEST_TMP/session")" >&2; return 1; }
	fixture_alive && heartbeat_stall_ms >/dev/null # the session stopped it: a new record
}

# repl_ids CMD: the ids `tasks` listed for CMD, sorted; its [N goroutines] agrees.
repl_ids() {
	local p n
	p=$(part "$1")
	n=$(sed -nE 's/^\[([0-9]+) goroutines\]$/\1/p' <<<"$p")
	[[ -n $n ]] || { echo "$1: no count in: $(head -c 300 <<<"$p")" >&2; return 1; }
	sed -nE 's/^ +([0-9]+)  .*/\1/p' <<<"$p" | sort -n >"$TEST_TMP/repl.ids"
	(($(wc -l <"$TEST_TMP/repl.ids") == n)) || { echo "$1: $n counted, listed: $p" >&2; return 1; }
	cat "$TEST_TMP/repl.ids"
}

# runtime_ids ERE [FUNC]: the ids whose state in the runtime's account matches
# ERE (and whose user function is not FUNC).
runtime_ids() {
	awk -F '\t' -v re="^($1)\$" -v not="${2-}" '$2 ~ re && $3 != not { print $1 }' "$TEST_TMP/runtime" | sort -n
}

same() {
	[[ $2 == "$3" ]] || { echo "$1: $(tr '\n' ' ' <<<"$2") != $(tr '\n' ' ' <<<"$3")" >&2; return 1; }
}

# words_ok CMD ERE WANT [FUNC]: CMD's list is the runtime's ERE goroutines (but
# those in FUNC), WANT of them.
words_ok() {
	local got rt
	got=$(repl_ids "$1") || return 1
	rt=$(runtime_ids "$2" "${4-}")
	(($(wc -l <<<"$rt") == $3)) || { echo "the runtime has $(wc -l <<<"$rt") in /$2/, want $3" >&2; return 1; }
	same "$1 / the runtime's $2" "$got" "$rt"
}

# dump_same DUMP-ARGS... -- CMD: inspect dump DUMP-ARGS keeps the ids CMD listed.
dump_same() {
	local args=()
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	dump_json "${args[@]}" || return 1
	same "dump ${args[*]} / $2" "$(jq '.goroutines[].id' "$OUT" | sort -n)" "$(repl_ids "$2")"
}

# near_ok CMD MSG ARG: the REPL printed MSG for CMD, dump --with ARG says MSG and exits 64.
near_ok() {
	[[ $(part "$1") == "$2" ]] || { echo "REPL: '$(part "$1")', want '$2'" >&2; return 1; }
	inspect_run dump --with "$3" "$FIXTURE_PID"
	expect_status 64 "^inspect: $(sed 's/[][().?*+]/\\&/g' <<<"$2")$" && [[ ! -s $OUT ]] && fixture_alive
}

# reason=chan send, split by the REPL (or a shell) at the blank: the message
# says to quote the words, the REPL's and dump's alike.
words_split_ok() {
	local msg
	msg=$(part "tasks -with reason=chan send")
	want "$msg" "^unknown reason name 'chan': the words have a blank, quote them whole: .*reason=\"chan send\"" || return 1
	inspect_run dump --with reason=chan send "$FIXTURE_PID"
	expect_status 64 '' && [[ $(<"$ERR") == "inspect: $msg" ]] ||
		{ echo "dump said '$(<"$ERR")', the REPL '$msg'" >&2; return 1; }
	fixture_alive
}

# Options the REPL's tasks and dump spell differently, and a count with a sign.
options_ok() {
	[[ $(part "tasks -limit -1") == "-limit takes a count from 1 up, not '-1'" ]] &&
		[[ $(part "dump -with reason=sleep") == "unknown option '-with': dump's options take two dashes, --with" ]] ||
		{ echo "got: $(part "tasks -limit -1") / $(part "dump -with reason=sleep")" >&2; return 1; }
	inspect_run dump -with reason=sleep "$FIXTURE_PID"
	expect_status 64 "^inspect: unknown option '-with': dump's options take two dashes, --with$" &&
		[[ ! -s $OUT ]] && fixture_alive
}

# The blocks of a text report: COUNT<TAB>WORDS for each line after an empty one
# that starts with a count.
blocks() {
	awk 'prev == "" && /^ +[0-9,]+  [^ ]/ { c = $1; sub(/^ +[0-9,]+  /, ""); gsub(/,/, "", c); print c "\t" $0 } { prev = $0 }'
}

# threads_ok: -threads adds the threads of the process (listed in $TEST_TMP/tids
# right after the session) to the same report; without it, none.
threads_ok() {
	local plain with
	plain=$(part "tasks -group reason")
	with=$(part "tasks -group reason -threads")
	want "$plain" "^  +[0-9]+  chan send$" || return 1
	! grep -Eq '^  [0-9]+ threads$' <<<"$plain" ||
		{ echo "tasks -group reason printed a thread section" >&2; return 1; }
	same "blocks with -threads / without" "$(blocks <<<"$with")" "$(blocks <<<"$plain")" &&
		want "$with" "^  $(wc -l <"$TEST_TMP/tids") threads$" &&
		same "threads listed / /proc" "$(sed -nE 's/^  ([0-9]+) +[^ ]+ +[A-Za-z]( .*)?$/\1/p' <<<"$with" | sort -n)" \
			"$(<"$TEST_TMP/tids")"
}

limit_ok() {
	local all lim n groups rest_g rest_n
	all=$(part "tasks -group reason" | blocks)
	lim=$(part "tasks -group reason -limit 3")
	n=$(wc -l <<<"$all")
	((n > 3)) || { echo "only $n blocks" >&2; return 1; }
	same "the 3 blocks shown / the first 3" "$(blocks <<<"$lim")" "$(head -n 3 <<<"$all")" || return 1
	rest_g=$((n - 3))
	rest_n=$(tail -n +4 <<<"$all" | awk -F '\t' '{ s += $1 } END { print s }')
	want "$lim" "^  \.\.\. $rest_g more groups, $rest_n goroutines \(-limit 3\)$" &&
		want "$(part "help tasks")" "with -group, the N" &&
		want "$(part "tasks -with reason=chan-send -limit 2")" "^  \.\.\. $((N - 2)) more \(-limit 2\)$"
}

# wait_ok ID BEFORE AFTER: goroutine ID (parked in main.blockChanRecv before the
# GC) has waited at least from the end of the GC (the fixture's "gc START END") to
# the start of the attach, at most from the GC's start to the attach's end.
wait_ok() {
	local id=$1 before=$2 after=$3 start end p s lo hi
	read -r _ start end < <(grep '^gc ' "$FIXTURE_DIR/stderr")
	p=$(part "task $id")
	s=$(sed -nE 's/^  waiting ([0-9]+\.[0-9]) s \(as the runtime counts it: stamped by the GC, accurate to the time between two cycles\)$/\1/p' <<<"$p")
	[[ -n $s ]] || { echo "task $id: $p" >&2; return 1; }
	lo=$(((before - end) / 100000000)) hi=$(((after - start) / 100000000 + 1)) # tenths of s
	s=${s/./}
	((10#$s >= lo && 10#$s <= hi)) ||
		{ echo "task $id waits $s tenths of s; the GC ended $lo and started $hi tenths before" >&2; return 1; }
	want "$(part "task 1")" "^  waiting since: unknown \(no GC cycle has stamped it yet\)$"
}

# created_ok: main.child's creator and its goroutine, as the runtime says.
created_ok() {
	local minor=$1 id by p
	id=$(awk -F '\t' '$3 == "main.child" { print $1; exit }' "$TEST_TMP/runtime")
	# FUNC FILE:LINE[ goroutine N], the file by its base name as inspect shows it
	by=$(awk -F '\t' -v id="$id" '$1 == id && $2 == "created by" { print $3 }' "$TEST_TMP/stacks" |
		sed -E 's| [^ ]*/([^/ ]+:[0-9]+)| \1|')
	p=$(part "task $id")
	if ((minor >= 21)); then
		[[ $by =~ ^main\.parent\ main\.go:[0-9]+\ goroutine\ [0-9]+$ ]] || { echo "runtime: '$by'" >&2; return 1; }
		want "$p" "^  created by ${by% goroutine *} in goroutine ${by##* }$"
	else
		[[ $by =~ ^main\.parent\ main\.go:[0-9]+$ ]] || { echo "runtime: '$by'" >&2; return 1; }
		want "$p" "^  created by $by \(the creating goroutine is not recorded by this runtime\)$" &&
			! grep -q 'in goroutine' <<<"$p"
	fi
}

# minutes_ok: after a minute, inspect's wait minutes are the runtime's.
minutes_ok() {
	local id p m rt j
	id=$(awk -F '\t' '$3 == "main.blockChanRecv" { print $1; exit }' "$TEST_TMP/runtime")
	p=$(part "task $id")
	m=$(sed -nE 's/^  waiting ([0-9]+) min [0-9]+ s .*/\1/p' <<<"$p")
	rt=$(sed -nE "s/^goroutine $id \[chan receive, ([0-9]+) minutes\]:\$/\1/p" "$FIXTURE_DIR/stacks")
	j=$(jq --argjson id "$id" '.goroutines[] | select(.id == $id) | .wait_minutes' "$OUT")
	[[ -n $rt && $m == "$rt" && $j == "$rt" ]] ||
		{ echo "task $id: '$p'; JSON $j; the runtime: '$rt' minutes" >&2; return 1; }
}

# runtime_now: the runtime's account now: $TEST_TMP/runtime (ID, STATE, first main. FUNC)
# and $TEST_TMP/stacks (runtime_stacks).
runtime_now() {
	runtime_goroutines '^main\.' >"$TEST_TMP/runtime" && _lib_stacks "$FIXTURE_DIR/stacks" >"$TEST_TMP/stacks"
}

now_ns() { date +%s%N; }

# The fixtures that wait a minute start first, one per Go, and are checked last;
# not under the sanitizers (make asan sets INSPECT_SANITIZED): the minute is the
# runtime's arithmetic, which the plain run checks, not inspect's memory.
declare -A slow_pid slow_dir
slow=
[[ -n ${INSPECT_SANITIZED-} ]] || slow=$(fixture_versions)
for gover in $slow; do
	fixture_start "$gover" 2 -gc
	slow_pid[$gover]=$FIXTURE_PID slow_dir[$gover]=$FIXTURE_DIR
done
slow_since=$(date +%s)

for gover in $(fixture_versions); do
	minor=${gover#go1.}
	fixture_start "$gover" "$N" -gc
	if ((minor >= 20)); then mutex="sync.Mutex.Lock"; nmutex=$N; else mutex="semacquire"; nmutex=$((4 * N)); fi
	runtime_now || _lib_bail "no runtime.Stack from the fixture"
	id=$(awk -F '\t' '$3 == "main.blockChanRecv" { print $1; exit }' "$TEST_TMP/runtime")
	before=$(now_ns)
	session 'tasks -with reason="chan send"' "tasks -with reason='chan send'" "tasks -with reason=chan-send" \
		"tasks -with reason='\"chan send\"'" "tasks -with reason=mutex,select" \
		'tasks -with reason=sleep,"IO wait" -without func=main.heartbeat' \
		"tasks -with reason=chan-recieve" "tasks -with resaon=select" \
		"tasks -with reason=chan send" "tasks -with 'reason=\"sleep\", synctest bubble 2'" \
		"tasks -limit -1" "dump -with reason=sleep" \
		"tasks -group reason" "tasks -group reason -threads" "tasks -group reason -limit 3" \
		"tasks -with reason=chan-send -limit 2" "help tasks" "task 1" "task $id" detach
	after=$(now_ns)
	ls /proc/"$FIXTURE_PID"/task | sort -n >"$TEST_TMP/tids"
	check "$gover 1.0 session (commands failed: exit 2)" session_ok 2
	check "$gover 1.0a reason=\"chan send\"" words_ok 'tasks -with reason="chan send"' "chan send" "$N"
	check "$gover 1.0b reason='chan send'" words_ok "tasks -with reason='chan send'" "chan send" "$N"
	check "$gover 1.0c reason=chan-send" words_ok "tasks -with reason=chan-send" "chan send" "$N"
	check "$gover 1.0d reason='\"chan send\"'" words_ok "tasks -with reason='\"chan send\"'" "chan send" "$N"
	check "$gover 1.1a reason=mutex,select" words_ok "tasks -with reason=mutex,select" "$mutex|select" $((nmutex + N))
	check "$gover 1.1b reason=sleep,\"IO wait\"" words_ok \
		'tasks -with reason=sleep,"IO wait" -without func=main.heartbeat' "sleep|IO wait" $((2 * N)) main.heartbeat
	check "$gover 1.2a dump --with reason=\"chan send\"" dump_same --with reason="chan send" -- \
		'tasks -with reason="chan send"'
	check "$gover 1.2b dump --with reason='\"chan send\"'" dump_same --with reason='"chan send"' -- \
		"tasks -with reason='\"chan send\"'"
	check "$gover 1.2c dump --with reason=mutex,select" dump_same --with reason=mutex,select -- \
		"tasks -with reason=mutex,select"
	check "$gover 1.2d dump --with reason=sleep,\"IO wait\"" dump_same --with reason=sleep,"IO wait" \
		--without func=main.heartbeat -- 'tasks -with reason=sleep,"IO wait" -without func=main.heartbeat'
	check "$gover 1.3a did you mean (reason)" near_ok "tasks -with reason=chan-recieve" \
		"unknown reason name 'chan-recieve' (did you mean 'chan receive'?)" reason=chan-recieve
	check "$gover 1.3b did you mean (field)" near_ok "tasks -with resaon=select" \
		"bad filter 'resaon=select': did you mean 'reason=select'? (use reason=NAME, func=SUBSTRING, label:KEY[=VALUE], running, leaked or user)" \
		resaon=select
	check "$gover 1.3c words split at a blank: quote them" words_split_ok
	check "$gover 1.3d a quoted value, then \", \"" near_ok \
		"tasks -with 'reason=\"sleep\", synctest bubble 2'" \
		"bad filter 'reason=\"sleep\", synctest bubble 2': after a quoted value comes the end or a comma and the next value (the runtime's words with \", \" go whole in the quotes)" \
		'reason="sleep", synctest bubble 2'
	check "$gover 1.3e -limit -1, dump -with" options_ok
	check "$gover 2.0 -group: threads only with -threads" threads_ok
	check "$gover 2.1 -group -limit" limit_ok
	check "$gover 3.0 task N: wait" wait_ok "$id" "$before" "$after"
	fixture_stop
done

# 3.0 on the stripped build: g.waitsince's offset from plugins/go/tables.c.
for gover in $(fixture_versions); do
	[[ -x $FIXTURES/$gover/parked-sw ]] || continue
	FIXTURE_NAME=parked-sw fixture_start "$gover" 2 -gc
	runtime_now || _lib_bail "no runtime.Stack from the fixture"
	id=$(awk -F '\t' '$3 == "main.blockChanRecv" { print $1; exit }' "$TEST_TMP/runtime")
	before=$(now_ns)
	session "task 1" "task $id" detach
	after=$(now_ns)
	check "$gover parked-sw 3.0 session" session_ok
	check "$gover parked-sw 3.0 task N: wait" wait_ok "$id" "$before" "$after"
	fixture_stop
done

# 3.1: the creating goroutine, unstripped and stripped.
for gover in $(fixture_versions); do
	minor=${gover#go1.}
	for prog in stacks stacks-sw; do
		[[ -x $FIXTURES/$gover/$prog ]] || continue
		FIXTURE_PROG=$prog fixture_start "$gover" 3 -depth 10
		runtime_now || _lib_bail "no runtime.Stack from the fixture"
		session "$(awk -F '\t' '$3 == "main.child" { print "task " $1; exit }' "$TEST_TMP/runtime")" detach
		check "$gover $prog 3.1 session" session_ok
		check "$gover $prog 3.1 task N: created by ... in goroutine P" created_ok "$minor"
		fixture_stop
	done
done

# 3.2: a minute after the GC (the fixture stamped its waits then), inspect's and
# the runtime's minutes.
[[ -n $slow ]] || skip "3.2 wait minutes" "not under the sanitizers (a minute's wait; the plain run checks it)"
left=$((slow_since + 61 - $(date +%s))) # both GCs ended before slow_since
[[ -z $slow ]] || ((left <= 0)) || sleep "$left"
for gover in $slow; do
	FIXTURE_PID=${slow_pid[$gover]} FIXTURE_DIR=${slow_dir[$gover]}
	runtime_now || _lib_bail "no runtime.Stack from the fixture"
	session "$(awk -F '\t' '$3 == "main.blockChanRecv" { print "task " $1; exit }' "$TEST_TMP/runtime")" detach
	check "$gover 3.2 session" session_ok
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || _lib_bail "no runtime.Stack from the fixture"
	check "$gover 3.2 dump" dump_json --with func=blockChanRecv
	check "$gover 3.2 wait minutes: the runtime's" minutes_ok
	fixture_stop
done
