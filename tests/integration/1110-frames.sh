#!/bin/bash
# 1110-frames: frames the runtime's traceback walks specially (tools/build-frames.sh).
#
# fixtures/go/sigpanic: goroutines that faulted (a method call on a nil interface,
# a write through a nil pointer) or panicked (a nil map) and park in their
# deferred function. The frame that faulted called no one: runtime.sigpanic was
# injected by the signal handler, so its pc is the faulting instruction and its
# line the faulting line, not the line before.
# fixtures/go/cgocb: goroutines parked in Go code that C called back (depth 1:
# Go -> C -> Go; depth 2: Go -> C -> Go -> C -> Go; and a thread made by C).
# The walk goes through runtime.cgocallback to the Go code that called C, down
# to runtime.goexit, as the runtime's traceback does; the C frames come from the
# thread's own stack, where they can be had (marked native).
#
# The oracle is the runtime's own traceback at GOTRACEBACK=system, which lists
# every frame of a goroutine's stack (runtime and wrappers too): the fixture is
# started with it, and sent SIGQUIT once inspect has dumped it (and it was
# found unharmed); compare-stacks.py crash compares every frame.
#
# For GOVER in the fixture releases (go1.19, go1.26):
#   $GOVER V 1.0  V in sigpanic, sigpanic-noopt (-N -l), sigpanic-sw (-s -w):
#                 the dump exits 0, unharmed; every goroutine of the fixture
#                 is walked to its end (no note, frames_cut false)
#   $GOVER V 1.1  the faulting frames' lines are the lines marked FAULT-A,
#                 FAULT-B, FAULT-C in the fixture's source
#   $GOVER V 1.2  ids and every frame (func, file:line) of main.* goroutines
#                 are the runtime's traceback
#   $GOVER V 1.3  (sigpanic-noopt) print in the faulting frame of main.nilWrite
#                 reads its variable t at that pc: *main.T nil (unoptimized, t
#                 has one location all through: this shows print works in that
#                 frame, not which pc its scope took)
#   $GOVER V 2.0  V in cgocb, cgocb-sw (-s -w), cgocb-pie-sw: the dump exits 0
#                 (a stripped build locates the registry), unharmed; no note,
#                 frames_cut false; each goroutine parked in goCallback is
#                 walked through every runtime.cgocallback to runtime.goexit
#   $GOVER V 2.1  ids and every Go frame are the runtime's traceback
#   $GOVER V 2.2  the census (reason and frames of each goroutine, without
#                 ids) of the stripped builds equals the unstripped build's
#   $GOVER cgocb 2.3  --stacks=5: the goroutines in goCallback keep 5 frames and
#                 say the stack goes on (frames_cut), with no note: a frame limit
#                 is no early end
#   $GOVER V 2.4  the C frames between: after each runtime.cgocallback, the
#                 native frames from the thread's stack are crosscall2 (the
#                 runtime's entry from C), goCallback (cgo's export stub) and
#                 c_calls_go, as the fixture's C code calls them, then the Go code
#                 that called C (runtime.systemstack_switch); for the thread C
#                 made, c_thread and the thread's start, then runtime.goexit. A
#                 stripped build has no names for static C functions: "??"
#   $GOVER preempt 3.0  fixtures/go/preempt (GOMAXPROCS 1, two goroutines
#                 spinning on a loop of two instructions): the dump exits 0,
#                 unharmed; a spinner that is not on the P is runnable (or
#                 preempted) with runtime.asyncPreempt2 and asyncPreempt on top
#                 of main.spin, walked whole
#   $GOVER preempt 3.1  main.spin's line there is the line of the instruction
#                 at its pc (the interrupted one) in the toolchain's own table
#                 (go tool objdump), not the line of the byte before it; which
#                 of the two instructions it stopped at varies from run to run,
#                 the rule does not
#   $GOVER preempt 3.2  the runtime's traceback (crash, GOTRACEBACK=system)
#                 of a waiting spinner has the same frames, and gives main.spin
#                 the line of the instruction at its own pc too (the rule 3.1
#                 holds inspect to) from Go 1.21; Go 1.19 and 1.20 still give the
#                 line of the byte before it there (their gentraceback took only
#                 sigpanic's caller at its pc): inspect gives the true line
set -euo pipefail
. "$(dirname "$0")/lib.sh"

COMPARE=$ROOT/tests/integration/compare-stacks.py
SRC=$ROOT/fixtures/go

# The goroutines of the fixture (not main, not the heartbeat) are walked to
# their end: no note, nothing cut.
walked_whole() {
	local bad
	bad=$(jq -r '.goroutines[] | select(.user_top.func // "" | test("^main\\.(?!main$|heartbeat$)"))
		| select(.note != null or .frames_cut) | "goroutine \(.id): note \(.note), frames_cut \(.frames_cut)"' "$OUT")
	[[ -z $bad ]] || { echo "$bad" >&2; return 1; }
}

# The fixture's goroutines as "REASON | FUNC FILE:LINE; ..." (Go frames), sorted.
census() {
	jq -r '.goroutines[] | select(.user_top.func // "" | test("^main\\.(?!main$|heartbeat$)"))
		| "\(.wait_reason // .status) | " + ([.frames[] | select(.native | not)
			| "\(.func) \(.file):\(.line)"] | join("; "))' "$1" | sort
}

# cut_by_limit: with --stacks=5, frames_cut and no note in goCallback's goroutines.
cut_by_limit() {
	local bad
	dump_json --stacks=5 || return 1
	bad=$(jq -r '.goroutines[] | select(.user_top.func == "main.goCallback")
		| select((.frames | length) != 5 or (.frames_cut | not) or .note != null)
		| "goroutine \(.id): \(.frames | length) frames, frames_cut \(.frames_cut), note \(.note)"' "$OUT")
	[[ -z $bad ]] || { echo "$bad" >&2; return 1; }
}

# c_frames STRIPPED: after each runtime.cgocallback of the goroutines in
# goCallback, the native frames and the Go frame after them (2.4).
c_frames() {
	local c=c_calls_go t=c_thread bad
	[[ $1 == yes ]] && c='??' t='??'
	bad=$(jq -r --arg c "$c" --arg t "$t" '.goroutines[] | select(.user_top.func == "main.goCallback")
		| .frames as $f | [range(0; $f | length) | select($f[.].func == "runtime.cgocallback")] as $cb
		| ($cb | length) as $ncb
		| [$cb[] as $k | $f[$k + 1:] | ((to_entries | map(select(.value.native | not)) | first | .key) // length) as $m
			| {c: (.[0:$m] | map(.func)), next: (.[$m].func // "end")}] as $segs
		| ($segs | map(select(
			(.c == ["crosscall2", "goCallback", $c] and .next == "runtime.systemstack_switch") or
			(.c[0:4] == ["crosscall2", "goCallback", $c, $t] and .next == "runtime.goexit"))) | length) as $good
		| select($ncb == 0 or $good != $ncb)
		| "goroutine \(.id): " + ($segs | map((.c | join(" ")) + " > " + .next) | join(" | "))' "$TEST_TMP/dump.json")
	[[ -z $bad ]] || { echo "$bad" >&2; return 1; }
}

# objdump_line GOBIN BIN FUNC PC [before]: FILE:LINE (base name) of the
# instruction at PC (hex, 0x...) in the toolchain's disassembly of FUNC, or of
# the one before it (the byte at PC-1).
objdump_line() {
	"$1" tool objdump -s "^$3\$" "$2" |
		awk -v pc="$4" -v before="${5-}" '$2 == pc { print before ? prev : $1; exit } { prev = $1 }'
}

# preempted GOBIN: spinners off the P (3.0) and main.spin's line (3.1).
preempted() {
	local gobin=$1 bad=0 line want
	jq -c '.goroutines[] | select(.start_func == "main.spin" and .status != "running")' "$OUT" >"$TEST_TMP/spinners"
	[[ -s $TEST_TMP/spinners ]] || { echo "no spinner off the P" >&2; return 1; }
	while read -r g; do
		line=$(jq -r '[.frames[] | .func] | join(" ")' <<<"$g")
		[[ $line == "runtime.asyncPreempt2 runtime.asyncPreempt main.spin runtime.goexit" ]] ||
			{ echo "goroutine $(jq .id <<<"$g"): $line" >&2; bad=1; continue; }
		want=$(objdump_line "$gobin" "$FIXTURES/$GOVER/preempt" main.spin 			"$(jq -r '.frames[2].pc' <<<"$g" | xargs printf '0x%x')")
		line=$(jq -r '.frames[2] | "\(.file | split("/") | last):\(.line)"' <<<"$g")
		[[ $line == "$want" ]] || { echo "main.spin at $line, its pc is at $want" >&2; bad=1; }
	done <"$TEST_TMP/spinners"
	return $bad
}

# preempted_crash GOBIN: the crash's account of the waiting spinners (3.2).
preempted_crash() {
	local gobin=$1 got want pc
	kill -QUIT "$FIXTURE_PID"
	fixture_wait || true
	# main.spin's frame of each waiting spinner: "FILE:LINE pc=0x..."
	awk '/^goroutine [0-9]+ .*\[(runnable|preempted)\]:$/ { on = 1; fn = ""; next }
		/^$/ || /^created by / { on = 0 } !on { next }
		/^	/ { if (fn != "") print fn "	" $0; next } { fn = $0; sub(/\(.*$/, "", fn) }' \
		"$FIXTURE_DIR/stderr" >"$TEST_TMP/crash"
	got=$(awk -F '\t' '$1 != "main.spin" { n[$1]++ } END { for (f in n) printf "%s ", f }' "$TEST_TMP/crash" | tr ' ' '\n' | sort | tr '\n' ' ')
	[[ $got == " runtime.asyncPreempt runtime.asyncPreempt2 runtime.goexit " || $got == "runtime.asyncPreempt runtime.asyncPreempt2 runtime.goexit " ]] ||
		{ echo "the runtime's waiting spinners have frames: $got" >&2; return 1; }
	while IFS=$'\t' read -r _ loc; do
		pc=$(sed -n 's/.* pc=\(0x[0-9a-f]*\).*/\1/p' <<<"$loc")
		# Go 1.19 and 1.20 symbolize the caller of asyncPreempt at pc - 1
		# (gentraceback: only sigpanic's caller is taken at its pc); Go 1.21's
		# unwinder takes every injected call's caller at its pc (symPC).
		want=$(objdump_line "$gobin" "$FIXTURES/$GOVER/preempt" main.spin "$pc" \
			"$([[ $GOVER == go1.19 || $GOVER == go1.20 ]] && echo before)")
		got=$(sed -E 's/^[[:space:]]*(.*\/)?([^/ ]+:[0-9]+) .*/\2/' <<<"$loc")
		[[ $got == "$want" ]] || { echo "the runtime's main.spin at $got, its pc $pc at $want" >&2; return 1; }
	done < <(awk -F '\t' '$1 == "main.spin"' "$TEST_TMP/crash")
}

# fault_lines: the line of the frame of FUNC under runtime.sigpanic (or under
# runtime.gopanic's callee for the map) equals the line marked MARK.
fault_line() {
	local func=$1 mark=$2 want got
	want=$(grep -n "// $mark" "$SRC/sigpanic/main.go" | cut -d: -f1)
	got=$(jq -r --arg f "$func" '[.goroutines[] | .frames // [] | .[] | select(.func == $f)] | map(.line) | unique | join(",")' "$OUT")
	[[ $got == "$want" ]] || { echo "$func at line(s) $got, want $want ($mark)" >&2; return 1; }
}

compare_crash() {
	crash_stacks >"$TEST_TMP/crash"
	"$COMPARE" crash "$TEST_TMP/dump.json" "$TEST_TMP/crash" '^main\.(?!main$|heartbeat$)' >"$TEST_TMP/cmp" ||
		{ cat "$TEST_TMP/cmp" >&2; return 1; }
	same_ids "$TEST_TMP/dump.json" <(awk -F '\t' '$1 != 0' "$TEST_TMP/crash" | cut -f 1 | sort -un) runtime
}

# print_t: in the frame of main.nilWrite (the caller of runtime.sigpanic), t.
print_t() {
	local id depth
	id=$(jq -r '[.goroutines[] | select(any(.frames[]; .func == "main.nilWrite"))][0].id' "$OUT")
	depth=$(jq -r --argjson id "$id" '.goroutines[] | select(.id == $id) | .frames | map(.func) | index("main.nilWrite")' "$OUT")
	inspect_run attach --batch "task $id; frame $depth; print t" "$FIXTURE_PID"
	((RC == 0)) || { echo "attach exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q '^\*main\.T nil$' "$OUT" || { echo "print t: $(tail -n 3 "$OUT" | tr '\n' ' ')" >&2; return 1; }
	fixture_alive
}

# dumped GOVER V CASE: start build V (GOTRACEBACK=system), dump every goroutine
# into dump.json: case CASE, walked whole and unharmed; else the fixture stops.
dumped() {
	[[ -x $FIXTURES/$1/$2 ]] || { skip "$1 $2" "not built (make fixtures)"; return 1; }
	GOTRACEBACK=system FIXTURE_NAME=$2 fixture_start "$1" 1
	if ! check "$1 $2 $3 walked whole, unharmed" eval 'dump_json --system --stacks=1000 && walked_whole'; then
		fixture_stop || true
		return 1
	fi
	cp "$OUT" "$TEST_TMP/dump.json"
}

for gover in $(fixture_versions); do
	for v in sigpanic sigpanic-noopt sigpanic-sw; do
		dumped "$gover" "$v" 1.0 || continue
		check "$gover $v 1.1 faulting lines" eval 'fault_line main.methodOnNil FAULT-A && fault_line main.nilWrite FAULT-B && fault_line main.nilMap FAULT-C'
		if [[ $v == sigpanic-noopt ]]; then
			check "$gover $v 1.3 print in the faulting frame" print_t
		fi
		check "$gover $v 1.2 frames are the runtime's" compare_crash
	done

	gobin=$("$ROOT/tools/go-toolchains.sh" | awk -v v="$gover" '$1 == v { print $2 }')
	GOVER=$gover
	if [[ ! -x $FIXTURES/$gover/preempt ]]; then
		skip "$gover preempt" "not built (make fixtures)"
	elif [[ -z $gobin ]]; then
		skip "$gover preempt" "no $gover toolchain for its objdump"
	else
		GOTRACEBACK=system FIXTURE_NAME=preempt fixture_start "$gover" 2
		if check "$gover preempt 3.0 spinners preempted, unharmed" eval 'dump_json --stacks=100 && walked_whole'; then
			check "$gover preempt 3.1 the interrupted line" preempted "$gobin"
			check "$gover preempt 3.2 the runtime's account" preempted_crash "$gobin"
		else
			fixture_stop || true
		fi
	fi

	ref=
	for v in cgocb cgocb-sw cgocb-pie-sw; do
		dumped "$gover" "$v" 2.0 || continue
		census "$TEST_TMP/dump.json" >"$TEST_TMP/census.$v"
		check "$gover $v 2.4 the C frames between" c_frames "$([[ $v == *-sw ]] && echo yes || echo no)"
		if [[ $v == cgocb ]]; then
			check "$gover $v 2.3 a frame limit is a cut, not an early end" cut_by_limit
		fi
		check "$gover $v 2.1 frames are the runtime's" compare_crash
		if [[ $v == cgocb ]]; then
			ref=$TEST_TMP/census.$v
		elif [[ -n $ref ]]; then
			check "$gover $v 2.2 census is the unstripped build's" diff "$ref" "$TEST_TMP/census.$v"
		fi
	done
done
