#!/bin/bash
# 0800-debugfile: a stripped executable (no DWARF, no symbols, as distributions
# ship them) read through its separate debug file, found as elfutils and gdb find
# it. The fixtures (tools/build-fixtures.sh): vars-bid, fixtures/go/vars with a GNU
# build-id; vars-bid.debug, its debug file; vars-stripped, it stripped;
# vars-linked, it stripped with a .gnu_debuglink to vars-bid.debug beside it.
# debuginfod is a local python3 http.server whose tree is the protocol's URLs,
# buildid/HEX/debuginfo; each case has a cache of its own (DEBUGINFOD_CACHE_PATH).
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  stripped, no debug file, no DEBUGINFOD_URLS: the dump (from the
#               pclntab and the layout tables) notes where it looked for one
#               (DEBUGINFOD_URLS=URL is the hint) and that print needs DWARF
#   $GOVER 1.1  the debug file under ROOT/usr/lib/debug/.build-id/xx/rest.debug
#               (INSPECT_DEBUG_ROOT=ROOT): the dump names it, and its goroutines
#               (reason, function, file:line) are those of the unstripped build's
#   $GOVER 1.2  print works as on the unstripped build
#   $GOVER 2.0  from debuginfod (DEBUGINFOD_URLS): the dump names the file in
#               the cache, and its goroutines are those of the unstripped build's
#   $GOVER 2.1  print works through it; the server was asked once (the second
#               run read the cache)
#   $GOVER 2.2  a local debug file comes first: the server is not asked (by
#               inspect: a JSON dump's native walk, libdwfl's, asks it itself)
#   $GOVER 2.3  a server without the file: noted, "debuginfod at URL had none"
#   $GOVER 2.4  no server listening: noted, "failed: Connection refused"
#   $GOVER 2.5  a server that never answers (DEBUGINFOD_TIMEOUT=1): noted,
#               "timed out", within 5 s (no retries), and the process never
#               stopped meanwhile (the wait is before the attach)
#   $GOVER 1.3  the .gnu_debuglink beside it, with no root given: the same
#   $GOVER 1.4  unharmed
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=3
# The user's debuginfod setting must not reach a server from here (1.0).
unset DEBUGINFOD_URLS DEBUGINFOD_TIMEOUT DEBUGINFOD_RETRY_LIMIT DEBUGINFOD_PROGRESS DEBUGINFOD_VERBOSE

# The goroutines of a JSON dump as sorted REASON<TAB>FUNC<TAB>FILE:LINE lines. The
# heartbeat wakes every 10 ms: a capture may find it runnable, not asleep, so its
# REASON is "-".
census() {
	jq -r '.goroutines[] | "\(if .user_top.func == "main.heartbeat" then "-" else .wait_reason // .status end)\t\(.user_top.func)\t\(.user_top.file):\(.user_top.line)"' "$1" | sort
}

same_as_unstripped() {
	dump_json || return 1
	[[ $(jq -r .debug_file "$OUT") == "$1" ]] ||
		{ echo "debug_file is $(jq -r .debug_file "$OUT"), not $1" >&2; return 1; }
	census "$OUT" >"$TEST_TMP/stripped" || return 1
	[[ -s $TEST_TMP/unstripped && $(wc -l <"$TEST_TMP/stripped") -ge $((N + 5)) ]] ||
		{ echo "too few goroutines to compare: $(wc -l <"$TEST_TMP/stripped")" >&2; return 1; }
	diff "$TEST_TMP/unstripped" "$TEST_TMP/stripped" >&2
}

# requests: the server's GETs of the debug file so far.
requests() {
	grep -c '"GET /buildid/[0-9a-f]*/debuginfo HTTP' "$SERVER_LOG" || true
}

asked_once() {
	[[ $(requests) == 1 ]] || { echo "the server was asked $(requests) times, not once" >&2; return 1; }
}

not_asked() {
	[[ $(requests) == 0 ]] || { echo "the server was asked: $(grep GET "$SERVER_LOG" | tr '\n' ' ')" >&2; return 1; }
}

# The local file first, and the server not asked. A text dump: the native walk of
# a JSON one (libdwfl's, after the process is let go) asks debuginfod for the
# executable's debug file itself, not knowing the one inspect found.
local_first() {
	inspect_run dump "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qF "(debug: $1)" "$OUT" || { echo "not the local file: $(head -n 1 "$OUT")" >&2; return 1; }
	not_asked && fixture_alive
}

# The wait for a silent server: bounded, and the process ran meanwhile.
bounded_wait() {
	local t0 t1
	heartbeat_stall_ms >/dev/null || return 1 # a fresh record
	t0=$(date +%s%N)
	inspect_run dump "$FIXTURE_PID"
	t1=$(date +%s%N)
	expect_note "no DWARF, .*debuginfod at $SERVER_URL timed out \(DEBUGINFOD_TIMEOUT=1\)" || return 1
	(((t1 - t0) / 1000000 < 5000)) || { echo "inspect took $(((t1 - t0) / 1000000)) ms" >&2; return 1; }
	# it ran during the wait: no stall past the report's pause and its own jitter
	unharmed "$(sed -n 's/.* paused \([0-9.]*\) ms$/\1/p' "$OUT" | head -n 1)"
}

# The dump of a stripped binary without its debug file: made from the pclntab and
# the layout tables, with a note that says where the debug file was looked for.
expect_note() {
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -Eq "^note: $1" "$OUT" || { echo "no note /$1/: $(grep '^note:' "$OUT" | head -c 400)" >&2; return 1; }
}

print_works() {
	printf '%s\n' "print main.Config" "print len(main.chFull)" |
		"$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || { echo "attach: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qxF 'struct { Name string; Workers int; Debug bool } {Name: "orders", Workers: 8, Debug: true}' "$OUT" &&
		grep -qx '3' "$OUT" || { echo "print: $(head -c 400 "$OUT")" >&2; return 1; }
	fixture_alive
}

for GOVER in $(fixture_versions); do
	dir=$(cd "$FIXTURES/$GOVER" && pwd) # as the process names its executable
	[[ -x $dir/vars-stripped ]] || { skip "$GOVER all" "no vars-stripped (objcopy?)"; continue; }
	FIXTURE_NAME=vars-bid fixture_start "$GOVER" "$N"
	check "$GOVER 0 unstripped dump" dump_json && census "$OUT" >"$TEST_TMP/unstripped"
	fixture_stop

	FIXTURE_NAME=vars-stripped fixture_start "$GOVER" "$N"
	id=$(readelf -n "$dir/vars-stripped" | sed -n 's/.*Build ID: //p')
	root=$TEST_TMP/root
	debug=$root/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	mkdir -p "$(dirname "$debug")"
	cp "$dir/vars-bid.debug" "$debug"
	inspect_run dump "$FIXTURE_PID"
	check "$GOVER 1.0 no debug file: noted, where it looked" \
		expect_note 'no DWARF, and no separate debug file of this build was found \(by build-id under /usr/lib/debug/.build-id, or its .gnu_debuglink; INSPECT_DEBUG_ROOT=DIR looks under DIR/usr/lib/debug; DEBUGINFOD_URLS=URL asks a debuginfod server\): functions and lines come from the pclntab, layouts from inspect.s table; print needs DWARF$'
	export INSPECT_DEBUG_ROOT=$root
	check "$GOVER 1.1 debug file by build-id: same goroutines" same_as_unstripped "$debug"
	check "$GOVER 1.2 print through it" print_works
	unset INSPECT_DEBUG_ROOT

	srv=$TEST_TMP/srv-$GOVER
	mkdir -p "$srv/buildid/$id"
	cp "$dir/vars-bid.debug" "$srv/buildid/$id/debuginfo"
	server_start "$srv"
	export DEBUGINFOD_URLS=$SERVER_URL DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache-$GOVER
	check "$GOVER 2.0 debug file from debuginfod: same goroutines" \
		same_as_unstripped "$DEBUGINFOD_CACHE_PATH/$id/debuginfo"
	check "$GOVER 2.1 print through it" print_works
	check "$GOVER 2.1b the server asked once, then the cache" asked_once
	server_stop
	server_start "$srv"
	export DEBUGINFOD_URLS=$SERVER_URL DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache-$GOVER-local
	INSPECT_DEBUG_ROOT=$root check "$GOVER 2.2 a local debug file first, the server not asked" \
		local_first "$debug"
	rm -r "$srv/buildid"
	export DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache-$GOVER-none
	inspect_run dump "$FIXTURE_PID"
	check "$GOVER 2.3 a server without it: noted, debuginfod had none" \
		expect_note "no DWARF, .*INSPECT_DEBUG_ROOT=DIR looks under DIR/usr/lib/debug; debuginfod at $SERVER_URL had none\): "
	server_stop
	export DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache-$GOVER-refused
	inspect_run dump "$FIXTURE_PID"
	check "$GOVER 2.4 no server: noted, debuginfod failed" \
		expect_note "no DWARF, .*; debuginfod at $SERVER_URL failed: Connection refused\): "
	server_start -silent
	export DEBUGINFOD_URLS=$SERVER_URL DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache-$GOVER-silent
	DEBUGINFOD_TIMEOUT=1 check "$GOVER 2.5 a silent server: a bounded wait, the process running" bounded_wait
	server_stop
	unset DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH
	fixture_stop

	FIXTURE_NAME=vars-linked fixture_start "$GOVER" "$N"
	check "$GOVER 1.3 debug file by .gnu_debuglink: same goroutines" same_as_unstripped "$dir/vars-bid.debug"
	check "$GOVER 1.3b print through it" print_works
	check "$GOVER 1.4 unharmed" fixture_alive
	fixture_stop
done
