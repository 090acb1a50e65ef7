#!/bin/bash
# 0800-debugfile: a stripped executable (no DWARF, no symbols, as distributions
# ship them) read through its separate debug file, found as elfutils and gdb find
# it. The fixtures (tools/build-fixtures.sh): vars-bid, fixtures/go/vars with a GNU
# build-id; vars-bid.debug, its debug file; vars-stripped, it stripped;
# vars-linked, it stripped with a .gnu_debuglink to vars-bid.debug beside it.
#
# For each Go toolchain built (GOVER):
#   $GOVER 1.0  stripped, no debug file: exit 7, and the message says where it looked
#   $GOVER 1.1  the debug file under ROOT/usr/lib/debug/.build-id/xx/rest.debug
#               (INSPECT_DEBUG_ROOT=ROOT): the dump names it, and its goroutines
#               (reason, function, file:line) are those of the unstripped build's
#   $GOVER 1.2  print works as on the unstripped build
#   $GOVER 1.3  the .gnu_debuglink beside it, with no root given: the same
#   $GOVER 1.4  unharmed
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=3

# The goroutines of a JSON dump as sorted REASON<TAB>FUNC<TAB>FILE:LINE lines.
census() {
	jq -r '.goroutines[] | "\(.wait_reason // .status)\t\(.user_top.func)\t\(.user_top.file):\(.user_top.line)"' "$1" | sort
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
	check "$GOVER 1.0 no debug file: exit 7, where it looked" \
		expect_status 7 'no DWARF .*no separate debug file was found \(by build-id under /usr/lib/debug/.build-id'
	export INSPECT_DEBUG_ROOT=$root
	check "$GOVER 1.1 debug file by build-id: same goroutines" same_as_unstripped "$debug"
	check "$GOVER 1.2 print through it" print_works
	unset INSPECT_DEBUG_ROOT
	fixture_stop

	FIXTURE_NAME=vars-linked fixture_start "$GOVER" "$N"
	check "$GOVER 1.3 debug file by .gnu_debuglink: same goroutines" same_as_unstripped "$dir/vars-bid.debug"
	check "$GOVER 1.3b print through it" print_works
	check "$GOVER 1.4 unharmed" fixture_alive
	fixture_stop
done
