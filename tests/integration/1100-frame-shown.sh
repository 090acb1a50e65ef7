#!/bin/bash
# 1100-frame-shown: the frame a goroutine is shown, grouped and filtered by, on
# builds as production ships them, and the names of generic functions. For each
# Go toolchain built (GOVER):
#
# fixtures/go/ordersvc, a module of its own (git.example-corp.com/team/order-svc/v2,
# with dependencies example.org/kit/v3 and localmetrics, a path without a dot),
# whose goroutines wait in sync, net, bufio and time from the module's packages;
# BUILD is ordersvc-trim (-trimpath: no file path tells the Go distribution's code
# from the program's), ordersvc-trim-sw (and -s -w), ordersvc (by default) and
# ordersvc-gopath (GOPATH mode: no module, so the program's code is what lies
# outside GOROOT/src):
#   $GOVER $BUILD 1.0  inspect dump lists the runtime's goroutine ids
#   $GOVER $BUILD 1.1  every goroutine's shown frame (JSON user_top, func and
#                      file:line) is the one the runtime's own traceback
#                      (runtime.Stack) gives: the innermost frame of a package of
#                      the program's modules (as `go version -m` lists them;
#                      GOPATH mode: whose file is outside the toolchain's GOROOT)
#                      or main; without one, the innermost outside the runtime's
#                      private part and its linkname shims (functions of another
#                      package whose code is in the runtime's directory, unexported)
#   $GOVER $BUILD 1.2  counts per shown function (JSON) are the fixture's:
#                      N in queue.(*Queue).Push, Pop, StartDrainers.func1,
#                      wire.(*Peer).readLoop, lines.Follow; 1 in
#                      queue.(*Box[...]).Hold, wire.(*Server).serve,
#                      localmetrics.(*Flusher).loop, os/signal.loop
#   $GOVER $BUILD 1.3  the text report's counts per function are the JSON's
#   $GOVER $BUILD 1.4  --with func=<module function> selects exactly its goroutines;
#                      --with func=runtime_ and func=signal_recv select none
#   $GOVER $BUILD 1.5  no shown frame is a linkname shim or compiler-made, though the
#                      runtime's account has a shim frame under >= N+2 goroutines
#   $GOVER $BUILD 1.6  unharmed
# fixtures/go/generics (BUILD generics, generics-sw): goroutines parked in generic
# functions and methods, one in a system call:
#   $GOVER $BUILD 2.0  every frame of them (--stacks, JSON) and its creator equal the
#                      runtime's traceback, names included (main.Wait[...])
#   $GOVER $BUILD 2.1  shown functions: main.Wait[...] 4, main.(*Box[...]).Hold 1,
#                      main.Sum[...] 1, main.RawRead[...] 1, main.Spawn[...].func1 1
#                      (a closure, spawn.go), in JSON and in the text
#                      report; no "go.shape" in JSON, text, --stacks, --group func
#                      or --threads
#   $GOVER $BUILD 2.2  --with 'func=main.Wait[...]' selects the 4
#   $GOVER $BUILD 2.3  the REPL: tasks -with func=Box[...], then bt, names it so
#   $GOVER $BUILD 2.4  the same frames as Delve's (needs-dlv; Delve names the shape
#                      from DWARF, main.Wait[go.shape.int]: compared as the runtime
#                      prints it), but RawRead's (Delve unwinds the live thread)
#   $GOVER $BUILD 2.5  --threads: RawRead's thread shows main.RawRead[...] among
#                      its Go frames (named through the plugin, not the goroutine)
#   $GOVER $BUILD 2.6  unharmed
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-3}
MOD=git.example-corp.com/team/order-svc/v2/internal

# modules BIN: the module paths of BIN's build information, as the Go tool reads
# them (not inspect's reading).
modules() {
	local go
	for go in /usr/local/go/bin/go /usr/lib/go-1.19/bin/go go; do
		command -v "$go" >/dev/null && break
	done
	"$go" version -m "$1" | awk '$1 == "mod" || $1 == "dep" { print $2 }'
}

# goroot GOVER: GOROOT of the toolchain that built GOVER's fixtures.
goroot() {
	local gobin
	gobin=$("$ROOT/tools/go-toolchains.sh" | awk -v v="$1" '$1 == v { print $2 }')
	GOTOOLCHAIN=local "$gobin" env GOROOT
}

# shown_by_runtime MODULES [GOROOT]: from the fixture's last runtime.Stack(all)
# ($FIXTURE_DIR/stacks), ID<TAB>STATE<TAB>FUNC<TAB>FILE:LINE of the frame to show
# (see 1.1), then <TAB>shim if a frame of the account is a linkname shim. With
# GOROOT, a frame whose file is outside GOROOT/src is the program's too.
shown_by_runtime() {
	MODS=$1 GOSRC=${2:+$2/src/} awk -v OFS='\t' '
	BEGIN { n = split(ENVIRON["MODS"], mods, "\n"); gosrc = ENVIRON["GOSRC"] }
	function program(f, loc,   i) {
		if (f ~ /^main\./) return 1
		if (gosrc != "" && index(loc, gosrc) != 1) return 1
		for (i = 1; i <= n; i++)
			if (mods[i] != "" && (index(f, mods[i] "/") == 1 || index(f, mods[i] ".") == 1)) return 1
		return 0
	}
	# The runtime code in the runtime directory itself under an unexported
	# name of another package.
	function shim(f, loc,   name) {
		if (f ~ /^runtime\./ || loc !~ /(^|\/)runtime\/[^\/]*:[0-9]+$/) return 0
		name = f; sub(/^.*\//, "", name); sub(/^[^.]*\./, "", name)
		return name ~ /^[a-z_]/
	}
	function private(f) { return f ~ /^(runtime\.[^A-Z]|internal\/|runtime\/internal\/)/ }
	function flush() {
		if (id != "") print id, state, (pf != "" ? pf : sf), (pf != "" ? pl : sl) (hasshim ? "\tshim" : "")
		id = ""
	}
	/^goroutine [0-9]+ .*\[.*\]:$/ {
		flush()
		id = $2; pf = sf = fn = ""; hasshim = 0; done = 0
		state = $0; sub(/^[^[]*\[/, "", state); sub(/\]:$/, "", state); sub(/, .*/, "", state)
		next
	}
	id == "" || done { next }
	/^created by / { done = 1; next }
	/^\t/ && fn != "" {
		loc = substr($0, 2); sub(/ \+0x[0-9a-f]+$/, "", loc)
		if (shim(fn, loc)) hasshim = 1
		if (pf == "" && program(fn, loc)) { pf = fn; pl = loc }
		if (sf == "" && !private(fn) && !shim(fn, loc)) { sf = fn; sl = loc }
		fn = ""
		next
	}
	/^[^\t]/ { fn = $0; sub(/\([^()]*\)$/, "", fn) }
	END { flush() }' "$FIXTURE_DIR/stacks"
}

# shown_ok JSON ACCOUNT: 1.1. A goroutine one account saw running or runnable,
# or in another state than the other (main.main dumps the stacks), is left out;
# at most 2 may be.
shown_ok() {
	local got bad left
	got=$(jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)\t\(.user_top.func)\t\(.user_top.file):\(.user_top.line)"' "$1")
	bad=$(awk -F '\t' 'NR == FNR { st[$1] = $2; f[$1] = $3; l[$1] = $4; next }
		!($1 in st) { print "goroutine " $1 ": not in the runtime'\''s account"; next }
		st[$1] != $2 || $2 ~ /^(running|runnable)$/ { left++; next }
		f[$1] != $3 || l[$1] != $4 { print "goroutine " $1 ": inspect " $3 " " $4 ", runtime " f[$1] " " l[$1] }
		END { if (left > 2) print left " goroutines left out" }' "$2" - <<<"$got")
	[[ -z $bad ]] || { echo "$bad" | head -n 8 >&2; return 1; }
}

# counts_ok JSON WANT: 1.2, 2.1. WANT: FUNC<TAB>COUNT lines; every FUNC of WANT has
# COUNT goroutines shown at it.
counts_ok() {
	local got
	got=$(jq -r '.goroutines[].user_top.func' "$1" | sort | uniq -c | awk '{ c = $1; $1 = ""; print substr($0, 2) "\t" c }')
	awk -F '\t' 'NR == FNR { have[$1] = $2; next } have[$1] != $2 {
		print $1 ": " (have[$1] == "" ? 0 : have[$1]) " goroutines, want " $2; bad = 1 } END { exit bad }' \
		<(echo "$got") "$2" >&2
}

# text_counts TEXT: FUNC<TAB>COUNT summed over the report's lines (--group reason).
text_counts() {
	sed -nE 's/^     ([0-9]+)  ([^ ]+) .*/\2\t\1/p' "$1" |
		awk -F '\t' '{ c[$1] += $2 } END { for (f in c) print f "\t" c[f] }' | sort
}

json_counts() {
	jq -r '.goroutines[].user_top.func' "$1" | sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort
}

text_ok() {
	inspect_run dump "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	diff <(json_counts "$1") <(text_counts "$OUT") >&2 ||
		{ echo "text counts differ (< JSON, > text)" >&2; return 1; }
}

# with_ok COND COUNT [FUNC]: --with COND selects COUNT goroutines, all shown at FUNC.
with_ok() {
	inspect_run dump --format json --with "$1" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump --with $1 exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	jq -e --argjson n "$2" --arg f "${3-}" \
		'(.goroutines | length) == $n and ($f == "" or all(.goroutines[]; .user_top.func == $f))' \
		"$OUT" >/dev/null || { echo "--with $1: $(jq -c '[.goroutines[].user_top.func]' "$OUT")" >&2; return 1; }
}

# shims_ok JSON ACCOUNT: 1.5.
shims_ok() {
	local under
	under=$(awk -F '\t' '$5 == "shim"' "$2" | wc -l)
	((under >= N + 2)) || { echo "the runtime's account has a shim under $under goroutines only" >&2; return 1; }
	jq -e 'all(.goroutines[]; .user_top.func | test("\\.runtime_|signal_recv|^type[:.]|^go:") | not)' \
		"$1" >/dev/null || { echo "shown: $(jq -c '[.goroutines[].user_top.func]' "$1")" >&2; return 1; }
}

ordersvc_cases() {
	local gover=$1 build=$2 json=$TEST_TMP/shown.json acct=$TEST_TMP/shown.acct
	FIXTURE_NAME=$build fixture_start "$gover" "$N"
	check "$gover $build 1.0a dump json" dump_json
	cp "$OUT" "$json"
	runtime_goroutines >"$TEST_TMP/rt" || fail "$gover $build 1.0b runtime.Stack" "no dump"
	shown_by_runtime "$(modules "$FIXTURES/$gover/$build")" \
		"$([[ $build != *-gopath ]] || goroot "$gover")" >"$acct"
	check "$gover $build 1.0 ids as the runtime's" same_ids "$json" "$acct" runtime
	check "$gover $build 1.1 shown frames as the runtime's account" shown_ok "$json" "$acct"
	printf '%s\t%s\n' "$MOD/queue.(*Queue).Push" "$N" "$MOD/queue.(*Queue).Pop" "$N" \
		"$MOD/queue.(*Queue).StartDrainers.func1" "$N" "$MOD/queue.(*Box[...]).Hold" 1 \
		"$MOD/wire.(*Peer).readLoop" "$N" "$MOD/wire.(*Server).serve" 1 \
		"example.org/kit/v3/lines.Follow" "$N" "localmetrics.(*Flusher).loop" 1 \
		"os/signal.loop" 1 >"$TEST_TMP/want"
	check "$gover $build 1.2 counts per shown function" counts_ok "$json" "$TEST_TMP/want"
	sleep 0.2 # let main and the signal goroutine park again after the signals
	check "$gover $build 1.3a dump json again" dump_json
	cp "$OUT" "$json"
	check "$gover $build 1.3 text counts as JSON's" text_ok "$json"
	check "$gover $build 1.4a --with func=Push" with_ok "func=$MOD/queue.(*Queue).Push" "$N" "$MOD/queue.(*Queue).Push"
	check "$gover $build 1.4b --with func=runtime_" with_ok func=runtime_ 0
	check "$gover $build 1.4c --with func=signal_recv" with_ok func=signal_recv 0
	check "$gover $build 1.5 no shim shown" shims_ok "$json" "$acct"
	check "$gover $build 1.6 unharmed" fixture_alive
	fixture_stop
}

# no_shape FILE...: no "go.shape" in them.
no_shape() {
	! grep -o '[^ "]*go\.shape[^ "]*' "$@" | head -n 3 >&2 || { echo "a shape name is shown" >&2; return 1; }
}

generics_frames_ok() {
	runtime_stacks >"$TEST_TMP/runtime.stacks" || return 1
	"$ROOT/tests/integration/compare-stacks.py" runtime "$1" "$TEST_TMP/runtime.stacks" \
		'\[\.\.\.\]' >"$TEST_TMP/cmp" || { cat "$TEST_TMP/cmp" >&2; return 1; }
	# 7 of main.go and main.Spawn[...].func1 (spawn.go, a closure)
	grep -q '^8 goroutines compared' "$TEST_TMP/cmp" || { cat "$TEST_TMP/cmp" >&2; return 1; }
}

generics_text_ok() {
	local t=$TEST_TMP/gen
	"$INSPECT" dump "$FIXTURE_PID" >"$t.text" 2>&1 &&
		"$INSPECT" dump --stacks "$FIXTURE_PID" >"$t.stacks" 2>&1 &&
		"$INSPECT" dump --group func "$FIXTURE_PID" >"$t.func" 2>&1 ||
		{ echo "inspect dump failed: $(head -c 300 "$t.text" "$t.stacks" "$t.func")" >&2; return 1; }
	no_shape "$1" "$t.text" "$t.stacks" "$t.func" || return 1
	diff <(json_counts "$1") <(text_counts "$t.text") >&2 ||
		{ echo "text counts differ (< JSON, > text)" >&2; return 1; }
	grep -Eq '^  4  main\.Wait\[\.\.\.\]$' "$t.func" || { echo "--group func has no block of 4 main.Wait[...]" >&2; return 1; }
}

repl_ok() {
	local id
	"$INSPECT" attach --batch 'tasks -with func=Box[...]' "$FIXTURE_PID" >"$OUT" 2>"$ERR" </dev/null ||
		{ echo "attach: $(head -c 300 "$ERR")" >&2; return 1; }
	id=$(awk '$NF ~ /main\.go:/ && $(NF-1) == "main.(*Box[...]).Hold" { print $1 }' "$OUT")
	[[ $id =~ ^[0-9]+$ ]] || { echo "tasks -with func=Box[...]: $(cat "$OUT")" >&2; return 1; }
	"$INSPECT" attach --batch "task $id; bt" "$FIXTURE_PID" >"$OUT" 2>"$ERR" </dev/null ||
		{ echo "attach: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -Eq '^    [0-9]+  main\.\(\*Box\[\.\.\.\]\)\.Hold ' "$OUT" && no_shape "$OUT" ||
		{ echo "bt: $(cat "$OUT")" >&2; return 1; }
	# a session keeps the process stopped: the next dump's stall starts here
	heartbeat_stall_ms >/dev/null
}

dlv_ok() {
	dlv_stacks "$FIXTURE_PID" >"$TEST_TMP/dlv.stacks" || return 1
	# Delve stops the process for its whole session: the next dump's stall starts here
	heartbeat_stall_ms >/dev/null
	"$ROOT/tests/integration/compare-stacks.py" dlv "$1" "$TEST_TMP/dlv.stacks" \
		'^main\.(Wait|\(\*Box|Sum)\[' >"$TEST_TMP/cmp" ||
		{ cat "$TEST_TMP/cmp" >&2; return 1; }
	grep -q '^6 goroutines compared' "$TEST_TMP/cmp" || { cat "$TEST_TMP/cmp" >&2; return 1; }
}

threads_ok() {
	"$INSPECT" dump --threads "$FIXTURE_PID" >"$TEST_TMP/threads.text" 2>&1 ||
		{ echo "dump --threads: $(head -c 300 "$TEST_TMP/threads.text")" >&2; return 1; }
	no_shape "$TEST_TMP/threads.text" || return 1
	dump_json --threads || return 1
	jq -e '([.goroutines[] | select(.user_top.func == "main.RawRead[...]") | .thread][0]) as $t
		| $t != null and ([.os_threads[] | select(.tid == $t) | .frames[].func] | index("main.RawRead[...]") != null)' \
		"$OUT" >/dev/null ||
		{ echo "threads: $(jq -c '[.os_threads[] | select(.goroutine != null) | [.tid, .goroutine, [.frames[].func]]]' "$OUT" | head -c 600)" >&2; return 1; }
	no_shape "$OUT"
}

generics_cases() {
	local gover=$1 build=$2 json=$TEST_TMP/gen.json
	FIXTURE_NAME=$build fixture_start "$gover" 0
	check "$gover $build 2.0a dump --stacks json" dump_json --stacks
	cp "$OUT" "$json"
	check "$gover $build 2.0 frames as the runtime's" generics_frames_ok "$json"
	printf '%s\t%s\n' 'main.Wait[...]' 4 'main.(*Box[...]).Hold' 1 'main.Sum[...]' 1 \
		'main.RawRead[...]' 1 'main.Spawn[...].func1' 1 >"$TEST_TMP/want"
	sleep 0.2
	check "$gover $build 2.1a counts per shown function" counts_ok "$json" "$TEST_TMP/want"
	check "$gover $build 2.1b text, --stacks, --group func" generics_text_ok "$json"
	check "$gover $build 2.2 --with func=main.Wait[...]" with_ok 'func=main.Wait[...]' 4 'main.Wait[...]'
	check "$gover $build 2.3 REPL tasks -with, bt" repl_ok
	if ! dlv_for "$gover" >/dev/null; then
		skip "$gover $build 2.4 as Delve's" "needs-dlv: no Delve for $gover (make deps)"
	elif [[ $build == *-sw ]]; then
		skip "$gover $build 2.4 as Delve's" "Delve needs DWARF"
	else
		check "$gover $build 2.4 as Delve's" dlv_ok "$json"
	fi
	check "$gover $build 2.5 --threads" threads_ok
	check "$gover $build 2.6 unharmed" fixture_alive
	fixture_stop
}

for gover in $(fixture_versions); do
	for build in ordersvc-trim ordersvc-trim-sw ordersvc ordersvc-gopath; do
		ordersvc_cases "$gover" "$build"
	done
	for build in generics generics-sw; do
		generics_cases "$gover" "$build"
	done
done
