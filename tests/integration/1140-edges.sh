#!/bin/bash
# 1140-edges: processes at the edges (issue 11). The fixtures (tools/build-edges.sh):
# edges, fixtures/go/edges (cgo; -mode park, leader-exit, exit); cshared-host, a C
# program that dlopens libedges.so (fixtures/go/cshared, -buildmode=c-shared), or
# libedges-sw.so, the same stripped (-s -w);
# vars-nobid-linked, fixtures/go/vars without a GNU build-id, stripped, with a
# .gnu_debuglink to vars-nobid.debug beside it; wrongcrc/ and wrongbid/, the same
# link beside a debug file of another build. The right values are the runtime's
# own account (runtime.Stack through the fixture's -stacks file) and /proc.
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  leader-exit: the main thread left by pthread_exit and is a zombie
#               while the others run: dump exits 0; goroutine ids, functions and
#               states are the runtime's (goroutine 1 in syscall, main._Cfunc_leave)
#   $GOVER 1.1  its --stacks: goroutine 1's frames outside the runtime are the
#               runtime's (main._Cfunc_leave, main.main)
#   $GOVER 1.2  its --threads: the threads are /proc's live ones, not the leader
#   $GOVER 1.3  given another tid of it: the note "TID is a thread of process PID:
#               inspecting the process", the process's goroutines; unharmed
#   $GOVER 2.0  a tid of a running process (not the leader): the same note, the
#               report says "process PID", never "process TID"; unharmed
#   $GOVER 2.1  attach by that tid: "attached to process PID", `info` has the note
#   $GOVER 3.0  a C program that dlopened a Go c-shared library: dump exits 0,
#               says "(runtime in .../libedges.so)"; the goroutines in main.chanWait
#               are the runtime's (ids, chan receive)
#   $GOVER 3.1  its --threads and --stacks work; unharmed
#   $GOVER 3.2  the same library stripped (libedges-sw.so, -s -w): dump exits 0,
#               the registry found through runtime.allgadd's code; every
#               goroutine's id, state and function is the runtime's, but for the
#               one writing the runtime's account (the C caller's, in C at the dump)
#   $GOVER 3.3  stripped, runtime.main's g (allgs[0]) reused by a later goroutine
#               (GOMAXPROCS=1, -main-gone 1: EdgesStart runs once goroutine 1,
#               which returns after the library's init, is gone): as 3.2; its
#               --threads and --stacks as 3.1; unharmed
#   $GOVER 3.4  the library deleted while loaded: as 3.0, with the library's path
#               as loaded and a note that it was deleted
#   $GOVER 4.0  a process that exits while inspect opens it (edges -mode exit, a
#               random delay in [0, 40] ms), RACE_RUNS times: every exit status is
#               0, 3 (no such process / has exited) or 8 (exited while attached),
#               with that message; never "kernel thread", "not a Go program", ...;
#               every other run with --threads --stacks, whose walk of the threads
#               reads the process's files after the detach: one that exited by
#               then still gets its report (exit 0, with a note)
#   4.1         a kernel thread (kthreadd, pid 2, where PF_KTHREAD says it is one):
#               exit 6, "process 2 has no executable (it is a kernel thread)"
#   $GOVER 5.0  the .gnu_debuglink's name holds a debug file of another build, and
#               the executable has no build-id: the note names the file and both
#               CRCs (the file's and the link's, computed here with zlib), no debug
#               file is used, and the goroutines (from the pclntab) are the runtime's
#   $GOVER 5.1  the right file at the link: used (debug_file), print works
#   $GOVER 5.2  an executable with a build-id, a debug file of another build at its
#               link: the note "its build-id differs"; the dump is the runtime's
#   $GOVER 5.3  a FIFO at the linked name (anyone who owns the folder, a container's
#               root, can put one there): the dump does not block on it (exit 0 within
#               30 s), the note "it is not a regular file", the dump is the runtime's
#   $GOVER 5.4  a sparse 5 GiB file at the linked name: not read (its CRC would take
#               a minute), the note "it is larger than 4 GiB", the dump is the runtime's
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=3
RACE_RUNS=${RACE_RUNS:-100}
# The paths inspect reports are absolute (make asan passes FIXTURES=build/fixtures).
FIXTURES=$(cd "$FIXTURES" && pwd)
unset DEBUGINFOD_URLS

# ID<TAB>STATE<TAB>FUNC of a JSON dump, STATE as the runtime prints it.
inspect_goroutines() {
	jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)\t\(.user_top.func)"' "$1" | sort -n
}

# Inspect's goroutines are the runtime's: the same ids and states, and where the
# runtime's traceback has a frame of package main, the same innermost one. The
# state of those the runtime shows running or runnable (the one in runtime.Stack,
# the signal receiver it woke) and of the heartbeat (asleep or runnable) is not compared.
same_goroutines() {
	runtime_goroutines '^main\.' >"$TEST_TMP/rt" || return 1
	inspect_goroutines "$OUT" >"$TEST_TMP/in"
	awk -F '\t' -v OFS='\t' 'NR == FNR { st[$1] = $2; fn[$1] = $3; next }
		$2 == "running" || $2 == "runnable" || $3 == "main.heartbeat" { $2 = st[$1] }
		$3 == "-" { $3 = fn[$1] } { print }' "$TEST_TMP/in" "$TEST_TMP/rt" | sort -n >"$TEST_TMP/rt2"
	diff "$TEST_TMP/rt2" "$TEST_TMP/in" >&2 || { echo "goroutines differ (< runtime, > inspect)" >&2; return 1; }
}

# Wait (up to 5 s) until the fixture's leader is a zombie with other threads running.
leader_zombie() {
	local i state
	for ((i = 0; i < 500; i++)); do
		state=$(awk '$1 == "State:" { print $2 }' "/proc/$FIXTURE_PID/status")
		[[ $state == Z && $(ls "/proc/$FIXTURE_PID/task" | wc -l) -gt 1 ]] && return 0
		sleep 0.01
	done
	echo "leader of $FIXTURE_PID is in state $state, not Z" >&2
	return 1
}

leader_exit_dump() {
	leader_zombie || return 1
	dump_json || return 1
	same_goroutines || return 1
	[[ $(jq -r '.goroutines[] | select(.id == 1) | "\(.status) \(.user_top.func)"' "$OUT") == "syscall main._Cfunc_leave" ]] ||
		{ echo "goroutine 1: $(jq -c '.goroutines[] | select(.id == 1)' "$OUT")" >&2; return 1; }
}

main_stack() {
	dump_json --stacks || return 1
	runtime_stacks | awk -F '\t' '$1 == 1 && $2 !~ /^(runtime\.|created by)/ { print $2 }' >"$TEST_TMP/rt"
	jq -r '.goroutines[] | select(.id == 1) | .frames[].func | select(startswith("runtime.") | not)' "$OUT" >"$TEST_TMP/in"
	[[ -s $TEST_TMP/rt ]] || { echo "no frames of goroutine 1 from the runtime" >&2; return 1; }
	diff "$TEST_TMP/rt" "$TEST_TMP/in" >&2 || { echo "goroutine 1's frames differ (< runtime, > inspect)" >&2; return 1; }
}

# The tids of /proc/PID/task that are not zombies.
live_tids() {
	local t
	for t in /proc/"$FIXTURE_PID"/task/*; do
		[[ $(awk '$1 == "State:" { print $2 }' "$t/status" 2>/dev/null) == [^ZX] ]] && basename "$t"
	done | sort -n
}

threads_live() {
	# The runtime may start or end a thread around the dump: every thread live
	# before and after it is listed, and nothing listed was live at neither.
	live_tids | sort >"$TEST_TMP/before" # comm wants the order of sort
	dump_json --threads || return 1
	jq -r '.os_threads[].tid' "$OUT" | sort >"$TEST_TMP/in"
	live_tids | sort >"$TEST_TMP/after"
	comm -12 "$TEST_TMP/before" "$TEST_TMP/after" | comm -23 - "$TEST_TMP/in" >"$TEST_TMP/missing"
	sort -u "$TEST_TMP/before" "$TEST_TMP/after" | comm -13 - "$TEST_TMP/in" >"$TEST_TMP/extra"
	[[ ! -s $TEST_TMP/missing && ! -s $TEST_TMP/extra ]] ||
		{ echo "threads live before and after, not listed: $(cat "$TEST_TMP/missing"); listed, never live: $(cat "$TEST_TMP/extra")" >&2; return 1; }
	! grep -qx "$FIXTURE_PID" "$TEST_TMP/in" || { echo "the exited leader is listed" >&2; return 1; }
}

# A tid of the fixture other than the leader's.
other_tid() {
	ls "/proc/$FIXTURE_PID/task" | grep -vx "$FIXTURE_PID" | head -n 1
}

# A dump through another tid of the fixture.
by_other_tid() {
	local tid
	tid=$(other_tid)
	[[ -n $tid ]] || { echo "no other thread" >&2; return 1; }
	inspect_run dump "$tid"
	((RC == 0)) || { echo "inspect dump $tid exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qx "note: $tid is a thread of process $FIXTURE_PID: inspecting the process" "$OUT" ||
		{ echo "no note for tid $tid: $(grep '^note' "$OUT" | head -c 300)" >&2; return 1; }
	grep -q "^process $FIXTURE_PID " "$OUT" || { echo "header: $(head -n 1 "$OUT")" >&2; return 1; }
	! grep -q "process $tid\b" "$OUT" "$ERR" || { echo "reported as process $tid" >&2; return 1; }
	grep -Eq "^ +$N +main\.chanWait " "$OUT" || { echo "not the process's goroutines: $(head -n 5 "$OUT")" >&2; return 1; }
	unharmed "$(sed -n '1s/.*  paused \([0-9.]*\) ms$/\1/p' "$OUT")"
}

attach_by_tid() {
	local tid
	tid=$(other_tid)
	"$INSPECT" attach "$tid" --batch info >"$OUT" 2>"$ERR" || { echo "attach $tid: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "^attached to process $FIXTURE_PID (" "$OUT" && grep -q "^detached from process $FIXTURE_PID " "$OUT" ||
		{ echo "attach: $(head -c 300 "$OUT")" >&2; return 1; }
	grep -qx "note: $tid is a thread of process $FIXTURE_PID: inspecting the process" "$OUT" ||
		{ echo "info has no note: $(head -c 400 "$OUT")" >&2; return 1; }
	fixture_alive
}

cshared_dump() {
	dump_json || return 1
	[[ $(jq -r .runtime_lib "$OUT") == "$FIXTURES/$GOVER/libedges.so" ]] ||
		{ echo "runtime_lib is $(jq -r .runtime_lib "$OUT")" >&2; return 1; }
	runtime_goroutines | awk -F '\t' '$3 == "main.chanWait"' >"$TEST_TMP/rt" || return 1
	inspect_goroutines "$OUT" | awk -F '\t' '$3 == "main.chanWait"' >"$TEST_TMP/in"
	[[ $(wc -l <"$TEST_TMP/rt") == "$N" ]] || { echo "runtime: $(cat "$TEST_TMP/rt")" >&2; return 1; }
	diff "$TEST_TMP/rt" "$TEST_TMP/in" >&2 || { echo "goroutines differ (< runtime, > inspect)" >&2; return 1; }
	inspect_run dump "$FIXTURE_PID"
	grep -q "^process $FIXTURE_PID  $FIXTURES/$GOVER/cshared-host (runtime in $FIXTURES/$GOVER/libedges.so) " "$OUT" ||
		{ echo "header: $(head -n 1 "$OUT") $(head -c 200 "$ERR")" >&2; return 1; }
}

# cshared_deleted: cshared_dump of a host whose library was deleted while loaded
# (a package upgrade), and the note that says so.
cshared_deleted() {
	cshared_dump || return 1
	grep -qxF "note: $FIXTURES/$GOVER/libedges.so was deleted or replaced on disk since process $FIXTURE_PID loaded it: read through /proc/$FIXTURE_PID/map_files" "$OUT" ||
		{ echo "no note on the deleted library: $(grep '^note' "$OUT" | head -c 300)" >&2; return 1; }
}

cshared_more() {
	dump_json --threads --stacks || return 1
	[[ $(jq '.os_threads | length' "$OUT") == $(live_tids | wc -l) ]] ||
		{ echo "$(jq '.os_threads | length' "$OUT") threads, /proc has $(live_tids | wc -l)" >&2; return 1; }
	[[ $(jq -r '[.goroutines[] | select(.user_top.func == "main.chanWait") | .frames[-1].func] | unique | .[]' "$OUT") == runtime.goexit ]] ||
		{ echo "chanWait stacks do not end in runtime.goexit" >&2; return 1; }
}

# The stripped library's dump is the runtime's account: the same goroutines, ids,
# states and innermost functions of package main, leaving out the one the
# runtime shows running (the C thread's, calling EdgesStacks; at the dump it is in
# C: in syscall, or dead on Go 1.19, whose extra M's g is dead between calls).
cshared_stripped() {
	local running
	dump_json || return 1
	[[ $(jq -r .runtime_lib "$OUT") == "$FIXTURES/$GOVER/libedges-sw.so" ]] ||
		{ echo "runtime_lib is $(jq -r .runtime_lib "$OUT")" >&2; return 1; }
	[[ $(jq -r .sources.registry "$OUT") == "code of runtime.allgadd and mcommoninit" ]] ||
		{ echo "registry from $(jq -r .sources.registry "$OUT")" >&2; return 1; }
	runtime_goroutines '^main\.' >"$TEST_TMP/rt0" || return 1
	running=$(awk -F '\t' '$2 == "running" { print $1 }' "$TEST_TMP/rt0")
	[[ $running =~ ^[0-9]+$ ]] || { echo "running in the runtime's account: '$running'" >&2; return 1; }
	awk -F '\t' -v r="$running" '$1 != r' "$TEST_TMP/rt0" >"$TEST_TMP/rt"
	inspect_goroutines "$OUT" | awk -F '\t' -v r="$running" '$1 != r' >"$TEST_TMP/in"
	[[ $(grep -c 'main\.chanWait$' "$TEST_TMP/rt") == "$N" ]] || { echo "runtime: $(cat "$TEST_TMP/rt")" >&2; return 1; }
	diff "$TEST_TMP/rt" "$TEST_TMP/in" >&2 || { echo "goroutines differ (< runtime, > inspect)" >&2; return 1; }
}

# RACE_RUNS processes that exit at a random moment, each dumped as soon as it is
# ready. Reports the statuses seen.
race() {
	local bin=$FIXTURES/$GOVER/edges i fd pid line rc n0=0 n3=0 n8=0 late=0 opts
	for ((i = 0; i < RACE_RUNS; i++)); do
		exec {fd}< <(exec "$bin" -n 2 -mode exit -ms 40)
		pid=$!
		read -r -t 10 -u "$fd" line || { echo "run $i: the fixture did not start" >&2; return 1; }
		rc=0
		# every other run walks the threads too, which reads the process's
		# files after the detach: it may have exited by then
		opts=()
		((i % 2 == 0)) || opts=(--threads --stacks)
		"$INSPECT" dump "${opts[@]}" "$pid" >"$OUT" 2>"$ERR" || rc=$?
		! grep -q "^note: process $pid exited after the capture: native frames were not walked$" "$OUT" ||
			late=$((late + 1))
		exec {fd}<&-
		case $rc in
		0) grep -q "^process $pid " "$OUT" || { echo "run $i: exit 0 without a report" >&2; return 1; }
		   n0=$((n0 + 1)) ;;
		3) grep -Eqx "inspect: (no such process: $pid( \(it exited\))?|process $pid has exited( \(it is a zombie\))?)" "$ERR" ||
			   { echo "run $i: exit 3: $(head -c 300 "$ERR")" >&2; return 1; }
		   n3=$((n3 + 1)) ;;
		8) grep -Eqx "inspect: process $pid exited while attach(ed|ing)" "$ERR" ||
			   { echo "run $i: exit 8: $(head -c 300 "$ERR")" >&2; return 1; }
		   n8=$((n8 + 1)) ;;
		*) echo "run $i: exit $rc: $(head -c 300 "$ERR")" >&2; return 1 ;;
		esac
		wait "$pid" 2>/dev/null || true
	done
	echo "# $GOVER race: $n0 dumped ($late exited before their threads were walked), $n3 exit 3, $n8 exit 8 of $RACE_RUNS"
}

kernel_thread() {
	inspect_run dump 2
	expect_status 6 '^inspect: process 2 has no executable \(it is a kernel thread\)$'
}

# The CRC-32 of a file, and the one a .gnu_debuglink records (after the name, its
# NUL and the padding to 4 bytes, little-endian), with zlib.
crcs() {
	python3 - "$1" "$2" <<'EOF'
import struct, subprocess, sys, tempfile, zlib
debug, exe = sys.argv[1], sys.argv[2]
with tempfile.NamedTemporaryFile() as t:
    subprocess.run(["objcopy", "--dump-section", ".gnu_debuglink=" + t.name, exe, "/dev/null"], check=True)
    link = open(t.name, "rb").read()
at = (link.index(b"\0") + 4) & ~3
print("0x%08x 0x%08x" % (zlib.crc32(open(debug, "rb").read()), struct.unpack("<I", link[at:at + 4])[0]))
EOF
}

wrong_crc() {
	local dir=$FIXTURES/$GOVER/wrongcrc file crc link
	dump_json || return 1
	read -r crc link < <(crcs "$dir/vars-nobid.debug" "$dir/vars-nobid-linked")
	[[ $crc != "$link" ]] || { echo "the fixture's CRCs are equal: $crc" >&2; return 1; }
	jq -r '.notes[]' "$OUT" | grep -qxF "debug file $dir/vars-nobid.debug not used: its CRC $crc differs from the .gnu_debuglink's $link (a file of another build?)" ||
		{ echo "no CRC note: $(jq -c .notes "$OUT" | head -c 400)" >&2; return 1; }
	[[ $(jq -r .debug_file "$OUT") == null ]] || { echo "debug_file $(jq -r .debug_file "$OUT")" >&2; return 1; }
	same_goroutines
}

right_file() {
	dump_json || return 1
	[[ $(jq -r .debug_file "$OUT") == "$FIXTURES/$GOVER/vars-nobid.debug" ]] ||
		{ echo "debug_file $(jq -r .debug_file "$OUT")" >&2; return 1; }
	printf '%s\n' "print main.Config" | "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" ||
		{ echo "attach: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qxF 'struct { Name string; Workers int; Debug bool } {Name: "orders", Workers: 8, Debug: true}' "$OUT" ||
		{ echo "print: $(head -c 400 "$OUT")" >&2; return 1; }
	fixture_alive
}

wrong_bid() {
	dump_json || return 1
	jq -r '.notes[]' "$OUT" | grep -qxF "debug file $FIXTURES/$GOVER/wrongbid/vars-bid.debug not used: its build-id differs from the executable's (a file of another build?)" ||
		{ echo "no build-id note: $(jq -c .notes "$OUT" | head -c 400)" >&2; return 1; }
	same_goroutines
}

# trap_file WHAT NOTE: the dump of vars-nobid-linked in traps/WHAT, whose linked
# debug file is a trap, ends, notes NOTE for it, and is the runtime's.
trap_file() {
	local debug=$TEST_TMP/traps/$GOVER/$1/vars-nobid.debug
	timeout 30 "$INSPECT" dump --format json "$FIXTURE_PID" >"$OUT" 2>"$ERR" ||
		{ echo "dump exited $?: $(head -c 300 "$ERR")" >&2; return 1; }
	jq -r '.notes[]' "$OUT" | grep -qxF "debug file $debug not used: $2" ||
		{ echo "no note on the trap: $(jq -c .notes "$OUT" | head -c 400)" >&2; return 1; }
	unharmed "$(jq -r .pause_ms "$OUT")" && same_goroutines
}

for GOVER in $(fixture_versions); do
	if [[ ! -x $FIXTURES/$GOVER/edges ]]; then
		skip "$GOVER edges" "fixtures not built (make fixtures)"
		continue
	fi
	FIXTURE_NAME=edges fixture_start "$GOVER" "$N" -mode leader-exit
	check "$GOVER 1.0 leader-exit: goroutines" leader_exit_dump
	check "$GOVER 1.1 leader-exit: goroutine 1's stack" main_stack
	check "$GOVER 1.2 leader-exit: threads" threads_live
	check "$GOVER 1.3 leader-exit: by another tid" by_other_tid
	fixture_stop

	FIXTURE_NAME=edges fixture_start "$GOVER" "$N"
	check "$GOVER 2.0 a thread's tid" by_other_tid
	check "$GOVER 2.1 attach by a thread's tid" attach_by_tid
	fixture_stop

	FIXTURE_NAME=cshared-host fixture_start "$GOVER" "$N"
	check "$GOVER 3.0 Go in a c-shared library" cshared_dump
	check "$GOVER 3.1 c-shared: threads and stacks" cshared_more
	fixture_stop
	FIXTURE_NAME=cshared-host fixture_start "$GOVER" "$N" -lib libedges-sw.so
	check "$GOVER 3.2 c-shared stripped" cshared_stripped
	fixture_stop
	GOMAXPROCS=1 FIXTURE_NAME=cshared-host fixture_start "$GOVER" "$N" -lib libedges-sw.so -main-gone 1
	check "$GOVER 3.3 c-shared stripped, runtime.main's g reused" cshared_stripped
	check "$GOVER 3.3 c-shared stripped: threads and stacks" cshared_more
	fixture_stop
	mkdir -p "$TEST_TMP/dlib/$GOVER"
	cp "$FIXTURES/$GOVER/cshared-host" "$FIXTURES/$GOVER/libedges.so" "$TEST_TMP/dlib/$GOVER/"
	FIXTURES=$TEST_TMP/dlib FIXTURE_NAME=cshared-host fixture_start "$GOVER" "$N"
	rm "$TEST_TMP/dlib/$GOVER/libedges.so"
	FIXTURES=$TEST_TMP/dlib check "$GOVER 3.4 c-shared library deleted while loaded" cshared_deleted
	fixture_stop

	check "$GOVER 4.0 exit while opened, $RACE_RUNS runs" race

	if [[ $GOVER == go1.19 ]]; then
		flags=$(awk '{ print $9 }' /proc/2/stat 2>/dev/null || echo 0)
		if ((flags & 0x200000)); then
			check "4.1 a kernel thread" kernel_thread
		else
			skip "4.1 a kernel thread" "pid 2 is no kernel thread here"
		fi
	fi

	FIXTURE_NAME=wrongcrc/vars-nobid-linked fixture_start "$GOVER" "$N"
	check "$GOVER 5.0 debuglink with another CRC" wrong_crc
	fixture_stop
	FIXTURE_NAME=vars-nobid-linked fixture_start "$GOVER" "$N"
	check "$GOVER 5.1 debuglink with its CRC" right_file
	fixture_stop
	FIXTURE_NAME=wrongbid/vars-linked fixture_start "$GOVER" "$N"
	check "$GOVER 5.2 debuglink with another build-id" wrong_bid
	fixture_stop
	for what in fifo big; do
		mkdir -p "$TEST_TMP/traps/$GOVER/$what"
		cp "$FIXTURES/$GOVER/vars-nobid-linked" "$TEST_TMP/traps/$GOVER/$what/"
	done
	mkfifo "$TEST_TMP/traps/$GOVER/fifo/vars-nobid.debug"
	truncate -s 5G "$TEST_TMP/traps/$GOVER/big/vars-nobid.debug"
	FIXTURES=$TEST_TMP/traps FIXTURE_NAME=fifo/vars-nobid-linked fixture_start "$GOVER" "$N"
	check "$GOVER 5.3 a FIFO at the debuglink's name" trap_file fifo "it is not a regular file"
	fixture_stop
	FIXTURES=$TEST_TMP/traps FIXTURE_NAME=big/vars-nobid-linked fixture_start "$GOVER" "$N"
	check "$GOVER 5.4 a 5 GiB file at the debuglink's name" trap_file big "it is larger than 4 GiB"
	fixture_stop
done
