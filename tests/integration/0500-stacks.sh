#!/bin/bash
# 0500-stacks: full goroutine stacks, native thread stacks and --group stack, on the
# stacks fixture (fixtures/go/stacks/main.go: a 10,000-deep recursion, inlined
# helpers, a closure, method values, a spinning goroutine, one blocked in a raw
# read(2), parents and children) and the cgo fixture (fixtures/go/cgo/main.go:
# main.inC blocked in C: read <- inner_wait <- blocking_read).
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  frames and created-by of every fixture goroutine equal the runtime's
#               own account (runtime.Stack), taken in the same state (-depth 40,
#               which the runtime prints whole); inlined calls are frames
#   $GOVER 1.1  main.inlineHelper is an inlined frame, in main.inlineOuter
#   $GOVER 1.2  created_by.goid of main.child is main.parent's id (Go 1.21+),
#               null before
#   $GOVER 1.3  main.spin runs on a thread, and its stack is main.spin, goexit
#   $GOVER 1.4  for every goroutine on a thread (main.spin, main.rawSyscall, the
#               signal loop), its frames (walked by the pclntab's frame sizes) end
#               the native walk of its thread (libdwfl: CFI from .debug_frame); the
#               innermost by function only: a goroutine in a system call is saved
#               where it entered it, its thread has moved on into the call
#   $GOVER 2.0  -depth 10000: the stack is cut at --stacks=N frames, with a note in
#               the text and frames_cut in JSON
#   $GOVER 2.1  --stacks=20000 keeps all 10,000 main.deep frames, down to goexit
#   $GOVER 3.0  cgo: the goroutine in C shows read, inner_wait, blocking_read (native)
#               then runtime.cgocall, main._Cfunc_blocking_read, main.inC
#   $GOVER 3.1  cgo --threads: its thread's native stack names the C functions in
#               order, and the thread says which goroutine it runs
#   $GOVER 4.0  --group stack on the parked fixture: one block per blocking call,
#               N goroutines each (12 stacks)
#   go1.19 5.0  frames equal Delve's goroutines -t (needs-dlv), but for the
#               goroutine in a raw syscall (Delve unwinds it from the live thread)
# Every dump is followed by the heartbeat check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_FUNCS='^main\.(deep|inline|closures\.func1|\(\*T\)\.Wait|parent|child|rawSyscall)'
COMPARE=$ROOT/tests/integration/compare-stacks.py

runtime_ok() {
	dump_json --stacks=1000 || return 1
	cp "$OUT" "$TEST_TMP/stacks.json"
	runtime_stacks >"$TEST_TMP/runtime" || return 1
	"$COMPARE" runtime "$TEST_TMP/stacks.json" "$TEST_TMP/runtime" "$FIXTURE_FUNCS" >"$TEST_TMP/cmp" ||
		{ cat "$TEST_TMP/cmp" >&2; return 1; }
}

inlined_ok() {
	jq -e '[.goroutines[] | select(any(.frames[]; .func == "main.inlineOuter")) | .frames[]
		| select(.func == "main.inlineHelper")] | length == 1 and .[0].inlined' \
		"$TEST_TMP/stacks.json" >/dev/null ||
		{ echo "main.inlineHelper is not one inlined frame in main.inlineOuter" >&2; return 1; }
}

parents_ok() {
	local minor=${1#go1.}
	jq -e --argjson has $((minor >= 21)) '
		([.goroutines[] | select(.user_top.func == "main.parent") | .id][0]) as $p
		| [.goroutines[] | select(.user_top.func == "main.child") | .created_by]
		| length > 0 and all(.[]; .func == "main.parent" and
			(if $has == 1 then .goid == $p else .goid == null end))' \
		"$TEST_TMP/stacks.json" >/dev/null ||
		{ echo "children's created_by: $(jq -c '[.goroutines[] | select(.user_top.func == "main.child") | .created_by]' "$TEST_TMP/stacks.json")" >&2; return 1; }
}

spin_ok() {
	jq -e '[.goroutines[] | select(.user_top.func == "main.spin")] | length == 1 and
		(.[0].thread != null) and ([.[0].frames[].func] == ["main.spin", "runtime.goexit"])' \
		"$TEST_TMP/stacks.json" >/dev/null ||
		{ echo "main.spin: $(jq -c '.goroutines[] | select(.user_top.func == "main.spin") | [.thread, [.frames[].func]]' "$TEST_TMP/stacks.json")" >&2; return 1; }
}

deep_cut_ok() {
	inspect_run dump --stacks=50 --with func=main.deep "$FIXTURE_PID"
	((RC == 0)) || { echo "exit $RC" >&2; return 1; }
	grep -q '^ *\.\.\. more frames (--stacks=N, in the REPL -t N, keeps N)$' "$OUT" ||
		{ echo "no note that the stack was cut: $(tail -n 3 "$OUT")" >&2; return 1; }
	dump_json --stacks=50 --with func=main.deep || return 1
	jq -e '.goroutines[0] | .frames_cut and (.frames | length) == 50' "$OUT" >/dev/null ||
		{ echo "frames_cut/length: $(jq -c '.goroutines[0] | [.frames_cut, (.frames | length)]' "$OUT")" >&2; return 1; }
}

deep_whole_ok() {
	dump_json --stacks=20000 --with func=main.deep || return 1
	jq -e '.goroutines[0] | (.frames_cut | not) and ([.frames[] | select(.func == "main.deep")] | length) == 10000
		and .frames[-1].func == "runtime.goexit"' "$OUT" >/dev/null ||
		{ echo "got $(jq -c '.goroutines[0] | [.frames_cut, ([.frames[] | select(.func == "main.deep")] | length), .frames[-1].func]' "$OUT")" >&2; return 1; }
}

cgo_ok() {
	dump_json --with func=_Cfunc_blocking_read || return 1
	jq -e '.goroutines[0].frames | map(select(.native)) | map(.func) as $c
		| ($c | index("inner_wait")) as $i | ($c | index("blocking_read")) as $b
		| ($c[0] | test("read")) and $i != null and $b != null and $i < $b' "$OUT" >/dev/null &&
	jq -e '[.goroutines[0].frames[] | select(.native | not) | .func] as $g
		| ($g | index("runtime.cgocall")) < ($g | index("main._Cfunc_blocking_read"))
		and ($g | index("main._Cfunc_blocking_read")) < ($g | index("main.inC"))' "$OUT" >/dev/null ||
		{ echo "frames: $(jq -c '[.goroutines[0].frames[] | [.func, .native]]' "$OUT" | head -c 600)" >&2; return 1; }
}

cgo_thread_ok() {
	dump_json --threads || return 1
	jq -e '([.goroutines[] | select(.user_top.func == "main._Cfunc_blocking_read") | .id][0]) as $g
		| [.os_threads[] | select(.goroutine == $g)] | length == 1 and
		(.[0].frames | map(.func) | (.[0] | test("read")) and index("inner_wait") == 1 + index(.[0]) and
			index("blocking_read") == 2 + index(.[0]))' "$OUT" >/dev/null ||
		{ echo "threads: $(jq -c '[.os_threads[] | select(.goroutine != null) | [.tid, .goroutine, [.frames[].func]]]' "$OUT" | head -c 600)" >&2; return 1; }
}

group_stack_ok() {
	local n=$1 got
	inspect_run dump --group stack --without func=main.heartbeat "$FIXTURE_PID"
	((RC == 0)) || { echo "exit $RC" >&2; return 1; }
	got=$(grep -cE "^  $n  " "$OUT") || true # block lines; their sites are indented more
	((got == 12)) || { echo "$got blocks of $n goroutines, want 12:" "$(grep -E '^  [ 0-9]+  ' "$OUT" | head -n 20)" >&2; return 1; }
	unharmed "$(grep -o 'paused [0-9.]*' "$OUT" | cut -d' ' -f2)"
}

cfi_agrees() {
	dump_json --threads --stacks=1000 || return 1
	jq -e '
		. as $root
		| [.goroutines[] | select(.thread != null and all(.frames[]; .native | not))] as $gs
		| ($gs | length) >= 3 and all($gs[]; . as $g
			| [$g.frames[] | [.func, .line]] as $mine
			| [$root.os_threads[] | select(.tid == $g.thread) | .frames[] | [.func, .line]] as $cfi
			| ($cfi | length) >= ($mine | length)
			| $cfi[($cfi | length) - ($mine | length):] as $tail
			| $tail[1:] == $mine[1:] and $tail[0][0] == $mine[0][0])' \
		"$OUT" >/dev/null || { echo "goroutine and thread stacks differ:" \
		"$(jq -c '[.goroutines[] | select(.thread != null) | {id, t: .thread, f: [.frames[].func]}], [.os_threads[] | select(.goroutine != null) | {tid, f: [.frames[].func]}]' "$OUT" | head -c 1500)" >&2; return 1; }
}

dlv_ok() {
	dump_json --stacks=1000 || return 1
	cp "$OUT" "$TEST_TMP/dlv.json"
	dlv_stacks "$FIXTURE_PID" 200 >"$TEST_TMP/dlv" || return 1
	"$COMPARE" dlv "$TEST_TMP/dlv.json" "$TEST_TMP/dlv" \
		'^main\.(deep|inline|closures\.func1|\(\*T\)\.Wait|parent|child)' >"$TEST_TMP/cmp" ||
		{ cat "$TEST_TMP/cmp" >&2; return 1; }
	fixture_alive
}

for gover in $(fixture_versions); do
	FIXTURE_PROG=stacks
	fixture_start "$gover" 3 -depth 40
	check "$gover 1.0 frames equal the runtime's" runtime_ok
	check "$gover 1.1 inlined frames" inlined_ok
	check "$gover 1.2 created_by goid" parents_ok "$gover"
	check "$gover 1.3 running goroutine" spin_ok
	check "$gover 1.4 pclntab and CFI agree" cfi_agrees
	if dlv_for "$gover" >/dev/null; then
		check "$gover 5.0 frames equal Delve's" dlv_ok
	else
		skip "$gover 5.0 frames equal Delve's" "needs-dlv: no Delve for $gover (make deps)"
	fi
	fixture_stop
	fixture_start "$gover" 3
	check "$gover 2.0 cut stack" deep_cut_ok
	check "$gover 2.1 whole stack" deep_whole_ok
	fixture_stop

	FIXTURE_PROG=cgo
	if [[ -x $FIXTURES/$gover/cgo ]]; then
		fixture_start "$gover" 1
		check "$gover 3.0 cgo goroutine" cgo_ok
		check "$gover 3.1 cgo thread" cgo_thread_ok
		fixture_stop
	else
		skip "$gover 3.0 cgo goroutine" "no cgo fixture (needs gcc)"
	fi

	FIXTURE_PROG=parked
	fixture_start "$gover" 7
	check "$gover 4.0 --group stack" group_stack_ok 7
	fixture_stop
done
