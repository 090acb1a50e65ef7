#!/bin/bash
# 1420-traceback: inspect dump --format traceback writes the text the Go runtime
# writes for SIGQUIT at GOTRACEBACK=all and for debug=2 goroutine profiles, and
# panicparse's pp (tools/deps.sh builds it into BUILD/tools) groups it as it
# groups the runtime's own account of the same process.
#
# Oracles: runtime.Stack(all) of the fixture (lib.sh: its SIGUSR2 writes it to
# the -stacks file; what a debug=2 goroutine profile writes), taken right after
# inspect's dump, the fixture's goroutines parked in known states; and its
# SIGQUIT traceback (1.2). Goroutines that move between the two captures are
# left out of both: main.heartbeat, main.spin, os/signal.loop, and but for the
# SIGQUIT main.main (it runs runtime.Stack for the others).
# compare-traceback.py says what it drops before comparing (argument lists:
# inspect prints "(...)") and why; the +0x offsets are compared.
#
# For Go 1.19 and 1.26 (BUILD/fixtures), each as built (GOVER) and stripped with
# -s -w (GOVER-sw):
#   $V 1.0  parked -n 3: every goroutine's header ([wait reason]), frames
#           (function, file:line +0xOFF, in order) and created-by line (Go
#           1.21+: "in goroutine 1") are the runtime's
#   $V 1.1  pp -aggressive: the same buckets, with the same counts and frames
#   $V 1.2  --system (the runtime's level system: its own goroutines and every
#           frame, wrappers and runtime.goexit too) is the SIGQUIT traceback of
#           the fixture started with GOTRACEBACK=all (a crash prints at that
#           level), main.main's goroutine included; but for goroutine 0 (a
#           thread's g0, which only a crash prints)
#   $V 2.0  stacks -depth 40: the same as 1.0 with inlined calls, closures,
#           method values (the runtime's wrappers hidden), a goroutine in a
#           syscall, and children created by main.parent (in goroutine N)
#   $V 2.1  pp: the same buckets
#   $V 2.2  --stacks=12: N counts the frames the runtime shows, not those it
#           hides: every goroutine's first 12 shown frames are the runtime's
#           first 12, and a longer stack (main.deep's) is cut as the runtime
#           cuts it: "...E frames elided...", E the runtime's frames left (Go
#           1.21+), "...additional frames elided..." (1.19); pp reads every
#           goroutine of it
#   $V 2.3  leaksvc --stacks=3: the same; a leaked sender (chan send) shows
#           main.compute first, not the runtime's hidden chansend frames
#   $V 3.0  labels: as 1.0, labels exactly where the runtime's own dump has
#           them: Go 1.26 started with GODEBUG=tracebacklabels=1 (read from
#           the process's runtime.debug): the labels in each header are the
#           runtime's, as it quotes them (hostile bytes, a newline) but where
#           inspect cut them (a 5000-byte value, a set of 70); Go 1.26 without
#           it and Go 1.19: none, as the runtime prints none
#   $V 3.1  pp: the same buckets
#   $V 3.2  (1.26) started without GODEBUG: as 3.0, no labels in either
#   $V 3.3  (1.26) pp: the same buckets
# and once:
#   4.0  --format traceback --with reason=chan-recv: only chan receive goroutines
#   4.1  the REPL's dump --format traceback prints the same goroutines
# Every dump checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PP=${PP:-$BUILD/tools/pp}
COMPARE=$ROOT/tests/integration/compare-traceback.py
MOVING='^(main\.(main|heartbeat|spin)|(os/)?signal\.loop)$'
CRASH_MOVING='^(main\.(heartbeat|spin)|(os/)?signal\.loop)$'

# tb_dump [ARGS...]: inspect dump --format traceback ARGS into $TEST_TMP/ours,
# then unharmed after the pause its last line gives.
tb_dump() {
	local pause
	inspect_run dump --format traceback "$@" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	cp "$OUT" "$TEST_TMP/ours"
	pause=$(sed -n 's/^inspect: process .*  paused \([0-9.]*\) ms$/\1/p' "$OUT")
	[[ -n $pause ]] || { echo "no pause in the traceback's last lines" >&2; return 1; }
	unharmed "$pause"
}

# runtime_tb: the runtime's own traceback, runtime.Stack(all), into $TEST_TMP/theirs.
runtime_tb() {
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	cp "$FIXTURE_DIR/stacks" "$TEST_TMP/theirs"
}

# same_text [--stacks=N[:counted]] [DUMP ARGS...]: a dump (with its ARGS) and
# the runtime's, compared goroutine by goroutine (the runtime's cut at N shown
# frames and marked as it marks a cut, counted: Go 1.21+'s "E frames elided").
same_text() {
	local cmp=()
	[[ ${1:-} == --stacks=* ]] && { cmp=("$1"); set -- "${1%%:*}" "${@:2}"; }
	tb_dump "$@" || return 1
	runtime_tb || return 1
	python3 "$COMPARE" text "$TEST_TMP/ours" "$TEST_TMP/theirs" "$MOVING" "${cmp[@]}" >"$TEST_TMP/cmp" ||
		{ head -c 1500 "$TEST_TMP/cmp" >&2; return 1; }
}

# same_as_crash: dump --system, then SIGQUIT the fixture (started with
# GOTRACEBACK=all; a crash prints at the system level, every frame): the two
# compared goroutine by goroutine. The fixture exits.
same_as_crash() {
	tb_dump --system || return 1
	kill -QUIT "$FIXTURE_PID" || return 1
	fixture_wait || true
	cp "$FIXTURE_DIR/stderr" "$TEST_TMP/theirs"
	grep -q '^SIGQUIT: quit' "$TEST_TMP/theirs" || { echo "no SIGQUIT traceback" >&2; return 1; }
	python3 "$COMPARE" text "$TEST_TMP/ours" "$TEST_TMP/theirs" "$CRASH_MOVING" \
		>"$TEST_TMP/cmp" || { head -c 1500 "$TEST_TMP/cmp" >&2; return 1; }
	grep -q '^goroutine 1 \[chan receive\]:$' "$TEST_TMP/ours" ||
		{ echo "main.main's goroutine is not in chan receive" >&2; return 1; }
}

# same_pp: pp's buckets of the two texts of the last same_text.
same_pp() {
	local f
	for f in ours theirs; do
		"$PP" -no-color -aggressive -parse=false -rebase=false -full-path \
			"$TEST_TMP/$f" >"$TEST_TMP/$f.pp" 2>"$TEST_TMP/$f.pperr" ||
			{ echo "pp failed on $f: $(head -c 300 "$TEST_TMP/$f.pperr")" >&2; return 1; }
	done
	python3 "$COMPARE" pp "$TEST_TMP/ours.pp" "$TEST_TMP/theirs.pp" "$MOVING" >"$TEST_TMP/cmp" ||
		{ head -c 1500 "$TEST_TMP/cmp" >&2; return 1; }
}

# cut_deep COUNTED: --stacks=12 as the runtime's first 12 shown frames of each
# goroutine (same_text), main.deep's cut and marked; pp reads the whole text.
cut_deep() {
	local n
	same_text --stacks=12$1 || return 1
	awk 'BEGIN { RS = "" } /\nmain\.deep\(/ && /frames elided\.\.\.\n/ { ok = 1 } END { exit !ok }' \
		"$TEST_TMP/ours" || { echo "main.deep's stack is not marked as cut" >&2; return 1; }
	n=$(grep -c '^goroutine ' "$TEST_TMP/ours")
	"$PP" -no-color -parse=false -rebase=false "$TEST_TMP/ours" >"$TEST_TMP/ours.pp" 2>&1 ||
		{ echo "pp failed: $(head -c 300 "$TEST_TMP/ours.pp")" >&2; return 1; }
	# pp's bucket counts add up to every goroutine of the text
	[[ $(awk -F: '/^[0-9]+: / { s += $1 } END { print s + 0 }' "$TEST_TMP/ours.pp") == "$n" ]] ||
		{ echo "pp read $(awk -F: '/^[0-9]+: / { s += $1 } END { print s + 0 }' "$TEST_TMP/ours.pp") of $n goroutines" >&2; return 1; }
}

# cut_compute COUNTED: leaksvc --stacks=3 as the runtime's (same_text), and its
# leaked senders show main.compute first.
cut_compute() {
	same_text --stacks=3$1 || return 1
	awk 'BEGIN { RS = "" } /\[chan send\]:\n/ { n++; if ($0 !~ /\]:\nmain\.compute\(/) bad++ }
		END { exit !(n > 0 && !bad) }' "$TEST_TMP/ours" ||
		{ echo "a chan send goroutine does not start with main.compute" >&2; return 1; }
}

# labels_where THEIRS: the runtime's dump has labels (yes) or none (no).
labels_where() {
	local n
	n=$(grep -c '^goroutine .* labels:{' "$TEST_TMP/theirs" || true)
	if [[ $1 == yes ]]; then ((n > 0)); else ((n == 0)); fi ||
		{ echo "the runtime's dump has $n headers with labels (want $1)" >&2; return 1; }
}

have_pp=true
[[ -x $PP ]] || have_pp=false

# same_labels yes|no: same_text, the runtime's dump with labels (yes) or none.
same_labels() {
	same_text && labels_where "$1"
}

for V in $(fixture_versions); do
	[[ $V == go1.19 || $V == go1.26 ]] || continue
	COUNTED=:counted # Go 1.21+ counts the frames it elides
	[[ $V == go1.19 ]] && COUNTED=
	for B in "" -sw; do
		T=$V$B
		GOTRACEBACK=all FIXTURE_PROG=parked FIXTURE_NAME=parked$B fixture_start "$V" 3
		check "$T 1.0 parked: headers, frames, created-by are the runtime's" same_text
		if $have_pp; then check "$T 1.1 parked: pp's buckets are the runtime's" same_pp
		else skip "$T 1.1" "needs-pp: no $PP (tools/deps.sh builds it)"; fi
		check "$T 1.2 --system: every goroutine and frame, as SIGQUIT's" same_as_crash

		FIXTURE_PROG=stacks FIXTURE_NAME=stacks$B fixture_start "$V" 3 -depth 40
		check "$T 2.0 stacks: inlined, closures, wrappers, syscall, parents" same_text
		if $have_pp; then
			check "$T 2.1 stacks: pp's buckets are the runtime's" same_pp
			check "$T 2.2 --stacks=12: the runtime's first 12, cut as it cuts" cut_deep "$COUNTED"
		else
			skip "$T 2.1" "needs-pp: no $PP"
			skip "$T 2.2" "needs-pp: no $PP"
		fi
		fixture_stop

		FIXTURE_PROG=leaksvc FIXTURE_NAME=leaksvc$B fixture_start "$V" 1
		check "$T 2.3 leaksvc --stacks=3: main.compute, not chansend" cut_compute "$COUNTED"
		fixture_stop

		if [[ $V == go1.19 ]]; then
			FIXTURE_PROG=labels FIXTURE_NAME=labels$B fixture_start "$V" 0
			check "$T 3.0 labels: none, as Go 1.19 prints none" same_labels no
		else
			GODEBUG=tracebacklabels=1 FIXTURE_PROG=labels FIXTURE_NAME=labels$B \
				fixture_start "$V" 0
			check "$T 3.0 labels: the runtime's, as tracebacklabels=1 prints them" same_labels yes
		fi
		if $have_pp; then check "$T 3.1 labels: pp's buckets" same_pp
		else skip "$T 3.1" "needs-pp: no $PP"; fi
		fixture_stop
		[[ $V == go1.19 ]] && continue
		FIXTURE_PROG=labels FIXTURE_NAME=labels$B fixture_start "$V" 0
		check "$T 3.2 labels without GODEBUG: none, as the runtime's default" same_labels no
		if $have_pp; then check "$T 3.3 labels without GODEBUG: pp's buckets" same_pp
		else skip "$T 3.3" "needs-pp: no $PP"; fi
		fixture_stop
	done
done

# only_chan_recv: a filtered traceback has only chan receive goroutines, as
# many as the text report counts.
only_chan_recv() {
	local want
	tb_dump --with reason=chan-recv || return 1
	grep '^goroutine ' "$TEST_TMP/ours" | grep -v '\[chan receive\]:$' >&2 && return 1
	inspect_run dump --with reason=chan-recv "$FIXTURE_PID"
	want=$(sed -n 's/^ *\([0-9]*\)  chan receive$/\1/p' "$OUT")
	[[ $(grep -c '^goroutine ' "$TEST_TMP/ours") == "$want" ]] ||
		{ echo "$(grep -c '^goroutine ' "$TEST_TMP/ours") goroutines, the text report counts $want" >&2; return 1; }
}

# repl_same: the REPL's dump --format traceback lists the goroutines dump's does.
repl_same() {
	tb_dump || return 1
	inspect_run attach "$FIXTURE_PID" --batch 'dump --format traceback'
	((RC == 0)) || { echo "attach exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	diff <(grep '^goroutine ' "$TEST_TMP/ours") <(grep '^goroutine ' "$OUT") >&2 ||
		{ echo "goroutines differ (< dump, > REPL)" >&2; return 1; }
	fixture_alive
}

V=$(fixture_versions | tail -n 1)
FIXTURE_PROG=parked FIXTURE_NAME=parked fixture_start "$V" 3
check "4.0 --with reason=chan-recv: only those" only_chan_recv
check "4.1 the REPL's dump --format traceback" repl_same
fixture_stop
