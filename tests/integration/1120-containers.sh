#!/bin/bash
# 1120-containers: a deploy (the executable deleted, or replaced by another build,
# while it runs), a container's mount namespace (the executable's path names
# nothing, or another file, in inspect's) and a container's PID namespace (the
# runtime knows its threads by the namespace's tids). inspect reads the files
# through the process (/proc/PID/exe, map_files, root) and maps tids through NSpid.
# Fixtures: fixtures/go/vars/main.go (variables of every kind), fixtures/go/cgo/
# main.go (main.inC blocked in C: read <- inner_wait <- blocking_read, libc
# mapped), fixtures/go/parked/main.go -spin 1 (main.spin running on a thread).
#
# A report is: dump --format json --stacks --threads (every goroutine's id, state,
# reason and frames, the threads in C with their native frames, the exe's path),
# dump --locals (text), and attach --batch with bt and print of a local and a
# package variable. Each is taken before the deploy and must be the same after it
# (but the pause and the note); in each, every thread's native walk is whole
# (threads_sound), and the fixture runs on unharmed. For each GOVER:
#   $GOVER 1.0  vars: its executable deleted: same report; a note says so
#   $GOVER 1.1  vars: replaced by a new build of it (vars-noopt: another layout):
#               same report, the exe path shown without " (deleted)"
#   $GOVER 1.2  parked built -s -w (no DWARF, no symbols), deleted: same report
#               (frames from the pclntab; bt, no print)
#   $GOVER 2.0  cgo (libc mapped, C frames): replaced by another program (parked):
#               same report, and the C frames are named before and after (read <-
#               inner_wait <- blocking_read, from libc's and the executable's symbols)
#   $GOVER 2.1  cgo with its own copy of libc, deleted while it runs (an upgrade):
#               same report (the thread in read(2) runs in that libc)
#   $GOVER 2.2  ... and with /proc/PID/map_files closed to inspect (needs-root:
#               setpriv drops CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE): exit 0 and
#               a note naming the file and why it could not be opened
#   $GOVER 3.0  vars in its own mount namespace (needs-root: unshare --mount), its
#               executable on a private tmpfs: the same report as when inspect's
#               namespace has a copy at that path, when it has none
#   $GOVER 3.1  ... and when it has another program (parked) there
#   $GOVER 3.2  vars stripped with a .gnu_debuglink, its debug file beside it in
#               the container only: found through /proc/PID/root, print works
#   $GOVER 4.0  parked -spin 1 in its own PID namespace (needs-root: unshare --pid):
#               main.spin is "on thread T" in text and JSON with T a tid of
#               /proc/PID/task (the host's), every os_threads tid is one too, and
#               its frames are those of the same fixture run outside a namespace
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC_FIXTURES=$FIXTURES
# The fixtures' heartbeat goroutine (the test's own probe) wakes every ms: its
# state and locals change from one report to the next; the reports leave it out.
QUIET="--without func=main.heartbeat"
FX=$TEST_TMP/fx # the copies and wrappers these cases start

# The parts of a JSON report that a deploy must not change and that stay put
# while the fixture runs: goroutines (but their wait times and the threads they
# happen to run on: Ms take turns), the threads in C (which stay in read) with
# their native frames.
normalize_json() {
	jq -S 'del(.pause_ms, .notes, .threads, .captured_at, .started_at, .uptime_seconds, .gc_cycles,
			.gc_started) | .goroutines |= map(del(.wait_minutes, .wait_seconds, .thread))
		| .groups[].sites |= map(del(.thread, .wait_newest_seconds, .wait_oldest_seconds, .wait_unknown))
		| .os_threads |= map(select(any(.frames[]; .native)))' "$1"
}

# Every thread's walk is whole: each frame named, no note, and the frames of a
# goroutine on a thread (walked by the pclntab) end its thread's native walk
# (libdwfl with the CFI of the files it opened), as in 0500's 1.4.
threads_sound() {
	jq -e '. as $root
		| all(.os_threads[]; .note == null and all(.frames[]; .func != null and .func != "??"))
		and all(.goroutines[] | select(.thread != null and all(.frames[]; .native | not));
			. as $g
			| [$g.frames[] | [.func, .line]] as $mine
			| [$root.os_threads[] | select(.tid == $g.thread) | .frames[] | [.func, .line]] as $cfi
			| ($cfi | length) >= ($mine | length)
			| $cfi[($cfi | length) - ($mine | length):] as $tail
			| $tail[1:] == $mine[1:] and $tail[0][0] == $mine[0][0])' "$1" >/dev/null || {
		echo "threads: $(jq -c '[.os_threads[] | {tid, note, f: [.frames[].func]}]' "$1" | head -c 1500)" >&2
		return 1
	}
}

# report NAME LOCAL_EXPR GLOBAL_EXPR USERFUNC: the three views of the fixture into
# $TEST_TMP/NAME.{json,locals,print}; bt and print are in USERFUNC's frame of its
# smallest goroutine (LOCAL_EXPR -: no print).
report() {
	local name=$1 expr=$2 global=$3 func=$4 id frame j=$TEST_TMP/$1.raw.json
	dump_json --stacks --threads $QUIET || return 1
	cp "$OUT" "$j"
	threads_sound "$j" || return 1
	normalize_json "$j" >"$TEST_TMP/$name.json"
	inspect_run dump --locals $QUIET "$FIXTURE_PID"
	((RC == 0)) || { echo "dump --locals exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	sed -E -e 's/  up [0-9]+ [a-z]+( [0-9]+ [a-z]+)?//; s/  waiting [?0-9][^ ]*( [a-z]+(-[0-9]+ [a-z]+)?)?//' \
		-e 's/paused [0-9.]+ ms//; s/[0-9]+ threads//; s/  on thread [0-9]+$//' \
		-e '/^note: /d' "$OUT" | sed -E '/^$/{N;/\n  (no wait time is known|waiting: the newest)/{N;d}}' \
		>"$TEST_TMP/$name.locals"
	id=$(jq -r "[.goroutines[] | select(.user_top.func == \"$func\")] | sort_by(.id) | .[0].id" "$j")
	frame=$(jq -r "[.goroutines[] | select(.id == $id)][0].frames | map(.func) | index(\"$func\")" "$j")
	[[ $id != null && $frame != null ]] || { echo "no goroutine in $func" >&2; return 1; }
	if [[ $expr == - ]]; then # no DWARF: no print
		inspect_run attach --batch "task $id; bt; frame $frame" "$FIXTURE_PID"
	else
		inspect_run attach --batch "task $id; bt; frame $frame; print $expr; print $global" \
			"$FIXTURE_PID"
	fi
	# 2 exactly when a print failed (cgo's c is optimized out): the same failure
	# after the deploy is the same view
	if grep -q 'is <optimized out>' "$OUT"; then ((RC == 2)); else ((RC == 0)); fi ||
		{ echo "attach exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	sed -E '1s/[0-9]+ threads//; /^detached from/d' "$OUT" >"$TEST_TMP/$name.print"
	if grep -q 'error\|cannot' "$TEST_TMP/$name.print"; then
		echo "print failed: $(tr '\n' ' ' <"$TEST_TMP/$name.print")" >&2
		return 1
	fi
	# the session kept it stopped on purpose: that stall is not the next dump's
	fixture_alive && heartbeat_stall_ms >/dev/null
}

# same BEFORE AFTER: each view of AFTER equals BEFORE's. Idle threads may move
# between two reports: AFTER is taken again (twice at most) before a difference
# counts; a file read wrongly differs every time.
same() {
	local before=$1 after=$2 try v
	shift 2
	for try in 1 2 3; do
		((try == 1)) || report "$after" "$@" || return 1
		for v in json locals print; do
			cmp -s "$TEST_TMP/$before.$v" "$TEST_TMP/$after.$v" || continue 2
		done
		return 0
	done
	for v in json locals print; do
		diff "$TEST_TMP/$before.$v" "$TEST_TMP/$after.$v" | head -20 | sed "s/^/$v: /" >&2
	done
	return 1
}

# note_says NAME ERE: a note of report NAME matches ERE; with ERE empty, no note
# is about files (the -s -w build's "no DWARF" is not).
note_says() {
	local notes
	notes=$(jq -r '.notes[]' "$TEST_TMP/$1.raw.json")
	if [[ -z $2 ]]; then
		! grep -Eq 'cannot open|deleted|replaced' <<<"$notes" ||
			{ echo "unexpected notes: $notes" >&2; return 1; }
	else
		grep -Eq "$2" <<<"$notes" || { echo "no note matching '$2' in: $notes" >&2; return 1; }
	fi
}

# start_copy GOVER PROG N [FLAG...]: PROG copied to $FX/GOVER/app and started there.
start_copy() {
	local gover=$1 prog=$2
	shift 2
	rm -rf "${FX:?}/$gover" && mkdir -p "$FX/$gover"
	cp "$SRC_FIXTURES/$gover/$prog" "$FX/$gover/app"
	FIXTURES=$FX FIXTURE_NAME=app fixture_start "$gover" "$@"
}

deploy_case() {
	local gover=$1 prog=$2 new=$3 expr=$4 global=$5 func=$6 exe
	start_copy "$gover" "$prog" 3
	exe=$FX/$gover/app
	report before "$expr" "$global" "$func" && note_says before '' || return 1
	if [[ -z $new ]]; then
		rm "$exe"
	else
		rm "$exe" && cp "$SRC_FIXTURES/$gover/$new" "$exe"
	fi
	report after "$expr" "$global" "$func" || return 1
	[[ $prog != cgo ]] || { c_frames_named before && c_frames_named after; } || return 1
	note_says after "^$exe was deleted or replaced on disk since process $FIXTURE_PID started" &&
		same before after "$expr" "$global" "$func" || return 1
	[[ $(jq -r .exe "$TEST_TMP/after.raw.json") == "$exe" ]] ||
		{ echo "exe shown as $(jq -r .exe "$TEST_TMP/after.raw.json")" >&2; return 1; }
}

# The cgo fixture's thread in C is named through the executable's symbols.
c_frames_named() {
	jq -e '[.os_threads[].frames | map(.func) | join(" ")] |
		any(test("^read inner_wait blocking_read"))' "$TEST_TMP/$1.raw.json" >/dev/null ||
		{ echo "no thread in read <- inner_wait <- blocking_read" >&2; return 1; }
}

# libc_case GOVER: cgo with its own copy of libc (LD_LIBRARY_PATH), which an
# upgrade then deletes while it runs: the thread in read(2) is in it.
libc_case() {
	local gover=$1 lib=$TEST_TMP/lib
	mkdir -p "$lib"
	cp "$(ldd "$SRC_FIXTURES/$gover/cgo" | awk '$1 == "libc.so.6" { print $3 }')" "$lib/"
	LD_LIBRARY_PATH=$lib start_copy "$gover" cgo 3
	grep -q " $lib/libc.so.6\$" "/proc/$FIXTURE_PID/maps" ||
		{ echo "the fixture did not load $lib/libc.so.6" >&2; return 1; }
	report before c runtime.gomaxprocs main.chanWait && c_frames_named before || return 1
	rm "$lib/libc.so.6"
	report after c runtime.gomaxprocs main.chanWait && c_frames_named after &&
		note_says after '' && same before after c runtime.gomaxprocs main.chanWait
}

# Without CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE /proc/PID/map_files is closed:
# the deleted libc cannot be opened; the dump says so, and goes on.
libc_note() {
	local drop=-sys_admin,-checkpoint_restore
	RC=0
	setpriv --inh-caps=$drop --bounding-set=$drop -- "$INSPECT" dump --threads --format json \
		"$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?
	((RC == 0)) || { echo "dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	cp "$OUT" "$TEST_TMP/nocap.raw.json"
	note_says nocap "^cannot open $TEST_TMP/lib/libc\.so\.6 \(deleted, and /proc/$FIXTURE_PID/map_files: Operation not permitted\): native frames in it are unnamed and end there\$" &&
		unharmed "$(jq -r .pause_ms "$OUT")"
}

# A wrapper that starts BIN in a new mount namespace, from a private tmpfs on DIR,
# with the files EXTRA beside it.
mntns_wrapper() {
	local gover=$1 dir=$2 bin=$3 extra=${4:-}
	mkdir -p "$FX/$gover" "$dir"
	cat >"$FX/$gover/mntns" <<EOF
#!/bin/bash
exec unshare --mount --propagation private bash -c 'mount -t tmpfs tmpfs "$dir" &&
	cp "$bin" $extra "$dir/" && mv "$dir/$(basename "$bin")" "$dir/app" &&
	exec "$dir/app" "\$@"' app "\$@"
EOF
	chmod +x "$FX/$gover/mntns"
}

# The stripped vars with a .gnu_debuglink to vars-bid.debug, both only in the
# container: the debug file is found beside it in the process's root, and print
# reads its DWARF.
mntns_debuglink() {
	local gover=$1 dir=$TEST_TMP/mnt/$1 dbg
	mntns_wrapper "$gover" "$dir" "$SRC_FIXTURES/$gover/vars-linked" \
		"$SRC_FIXTURES/$gover/vars-bid.debug"
	FIXTURES=$FX FIXTURE_NAME=mntns fixture_start "$gover" 3
	[[ ! -e $dir/vars-bid.debug ]] || { echo "$dir/vars-bid.debug is visible here" >&2; return 1; }
	report linked order main.Config main.allKinds || return 1
	dbg=$(jq -r .debug_file "$TEST_TMP/linked.raw.json")
	[[ $dbg == "/proc/$FIXTURE_PID/root$dir/vars-bid.debug" ]] ||
		{ echo "debug_file is $dbg" >&2; return 1; }
	grep -q '^main.Order {ID: 7, Customer: "ACME"' "$TEST_TMP/linked.print" ||
		{ echo "print order: $(grep -A1 'print order' "$TEST_TMP/linked.print")" >&2; return 1; }
}

mntns_start() {
	local gover=$1 dir=$TEST_TMP/mnt/$1
	mntns_wrapper "$gover" "$dir" "$SRC_FIXTURES/$gover/vars"
	FIXTURES=$FX FIXTURE_NAME=mntns fixture_start "$gover" 3
	MNT_EXE=$dir/app
	[[ $(readlink "/proc/$FIXTURE_PID/exe") == "$MNT_EXE" && ! -e $MNT_EXE ]] ||
		{ echo "the fixture is not in its own mount namespace" >&2; return 1; }
	cp "$SRC_FIXTURES/$gover/vars" "$MNT_EXE" # the same program at the path here too
	report before order main.Config main.allKinds && note_says before ''
}

# mntns_case NAME [PROG]: the path holds nothing here, or PROG.
mntns_case() {
	rm -f "$MNT_EXE"
	[[ -z ${2:-} ]] || cp "$SRC_FIXTURES/$gover/$2" "$MNT_EXE"
	report "$1" order main.Config main.allKinds && note_says "$1" '' &&
		same before "$1" order main.Config main.allKinds
}

# The running goroutine of parked -spin 1: "ID TID FRAMES" from $OUT (JSON).
spinner() {
	jq -r '.goroutines[] | select(.user_top.func == "main.spin") |
		"\(.id) \(.thread) \([.frames[].func] | join(","))"' "$OUT"
}

pidns_case() {
	local gover=$1 outside inside id tid frames host_tids t
	FIXTURE_NAME=parked fixture_start "$gover" 1 -spin 1
	dump_json --stacks || return 1
	outside=$(spinner)
	fixture_stop || return 1
	mkdir -p "$FX/$gover"
	cat >"$FX/$gover/pidns" <<EOF
#!/bin/bash
exec unshare --pid --fork --mount-proc --kill-child "$SRC_FIXTURES/$gover/parked" "\$@"
EOF
	chmod +x "$FX/$gover/pidns"
	FIXTURES=$FX FIXTURE_NAME=pidns fixture_start "$gover" 1 -spin 1
	FIXTURE_PID=$(pgrep -P "$FIXTURE_PID")
	_lib_pids+=("$FIXTURE_PID")
	[[ $(awk '$1 == "NSpid:" { print NF }' "/proc/$FIXTURE_PID/status") == 3 ]] ||
		{ echo "the fixture is not in its own PID namespace" >&2; return 1; }
	host_tids=" $(ls "/proc/$FIXTURE_PID/task" | tr '\n' ' ')"
	dump_json --stacks --threads || return 1
	inside=$(spinner)
	read -r id tid frames <<<"$inside"
	[[ $host_tids == *" $tid "* ]] ||
		{ echo "main.spin on thread $tid, not one of$host_tids" >&2; return 1; }
	[[ $frames == "${outside##* }" && $frames == main.spin,* ]] ||
		{ echo "main.spin's frames $frames, outside a namespace ${outside##* }" >&2; return 1; }
	for t in $(jq -r '.goroutines[].thread // empty, .os_threads[].tid' "$OUT"); do
		[[ $host_tids == *" $t "* ]] ||
			{ echo "thread $t is not one of$host_tids" >&2; return 1; }
	done
	# text: the goroutine may have moved to another thread since
	inspect_run dump --with running "$FIXTURE_PID"
	tid=$(sed -nE "s/.*main\.spin .* e\.g\. $id  on thread ([0-9]+)\$/\1/p" "$OUT")
	[[ -n $tid && $host_tids == *" $tid "* ]] ||
		{ echo "text: main.spin not on a thread of$host_tids: $(grep spin "$OUT")" >&2; return 1; }
	fixture_alive
}

root=
[[ $(id -u) == 0 ]] && command -v unshare >/dev/null && root=1
for gover in $(fixture_versions); do
	check "$gover 1.0 deleted" deploy_case "$gover" vars "" order main.Config main.allKinds
	fixture_stop || true
	check "$gover 1.1 replaced by a new build" \
		deploy_case "$gover" vars vars-noopt order main.Config main.allKinds
	fixture_stop || true
	check "$gover 1.2 stripped (-s -w), deleted" deploy_case "$gover" parked-sw "" - - main.blockSelect
	fixture_stop || true
	check "$gover 2.0 cgo replaced" deploy_case "$gover" cgo parked c runtime.gomaxprocs main.chanWait
	fixture_stop || true
	check "$gover 2.1 cgo, its libc deleted" libc_case "$gover"
	if [[ -n $root ]] && command -v setpriv >/dev/null; then
		check "$gover 2.2 the deleted libc unreadable: a note" libc_note
	else
		skip "$gover 2.2 the deleted libc unreadable: a note" "needs-root: setpriv"
	fi
	fixture_stop || true
	if [[ -n $root ]]; then
		if mntns_start "$gover"; then
			check "$gover 3.0 mount namespace, no file at the path" mntns_case absent
			check "$gover 3.1 mount namespace, another file at the path" \
				mntns_case other parked
		else
			fail "$gover 3.0 mount namespace" "the fixture could not be started and read"
		fi
		fixture_stop || true
		check "$gover 3.2 mount namespace, its debug file only there" mntns_debuglink "$gover"
		fixture_stop || true
		check "$gover 4.0 PID namespace" pidns_case "$gover"
		kill -TERM "$FIXTURE_PID" 2>/dev/null || true
	else
		skip "$gover 3.0 mount namespace, no file at the path" "needs-root: unshare"
		skip "$gover 3.1 mount namespace, another file at the path" "needs-root: unshare"
		skip "$gover 3.2 mount namespace, its debug file only there" "needs-root: unshare"
		skip "$gover 4.0 PID namespace" "needs-root: unshare"
	fi
done
