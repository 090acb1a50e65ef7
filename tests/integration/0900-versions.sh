#!/bin/bash
# 0900-versions: the Go releases between Debian's 1.19 and the machine's, each
# fetched as a toolchain module through the Go module proxy (tools/build-matrix.sh:
# BUILD/matrix/goN.M/{parked,vars}). Each release's runtime layout, registry, wait
# reasons, pclntab and map implementation (buckets up to 1.23, Swiss tables from
# 1.24) come from its own binary.
#
# For each release built (GOVER):
#   $GOVER 1.0  dump lists the goroutine ids runtime.Stack lists (parked)
#   $GOVER 1.1  every blocking call's goroutines in its wait reason: N of each
#   $GOVER 2.0  print in main.allKinds (vars): a map, the full channel and its two
#               senders in order, a string of a slice of a struct, an interface, a
#               map index, a package variable
#   $GOVER 2.1  unharmed
# Skipped, with the reason, when no release could be fetched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=3
FIXTURES=$BUILD/matrix
SRC=$ROOT/fixtures/go/vars/main.go

versions=$(for d in "$FIXTURES"/go*/; do if [[ -x $d/parked && -x $d/vars ]]; then basename "$d"; fi; done)
if [[ -z $versions ]]; then
	skip "all" "no Go release could be fetched: $(cat "$FIXTURES"/*.failed 2>/dev/null | head -n 1)"
	exit 0
fi
for f in "$FIXTURES"/*.failed; do
	if [[ -e $f ]]; then skip "$(basename "$f" .failed) all" "$(<"$f")"; fi
done

reasons_ok() {
	local r
	for r in "chan receive" "chan send" "select" "sleep" "IO wait"; do
		(($(jq --arg r "$r" '[.goroutines[] | select(.wait_reason == $r and (.user_top.func // "" | startswith("main.block")))] | length' "$OUT") == N)) ||
			{ echo "not $N goroutines in \"$r\"" >&2; return 1; }
	done
}

print_ok() {
	local j=$TEST_TMP/vars.json all frame s4 s5 want got
	dump_json && cp "$OUT" "$j" || return 1
	all=$(jq -r '[.goroutines[] | select(.user_top.func == "main.allKinds")][0].id' "$j")
	frame=$(jq -r --argjson id "$all" '[.goroutines[] | select(.id == $id)][0].frames | map(.func) | index("main.allKinds")' "$j")
	s4=$(jq -r --argjson l "$(grep -n 'go sendFull(4)' "$SRC" | cut -d: -f1)" \
		'[.goroutines[] | select(.user_top.func == "main.sendFull" and .go_pc.line == $l)][0].id' "$j")
	s5=$(jq -r --argjson l "$(grep -n 'go sendFull(5)' "$SRC" | cut -d: -f1)" \
		'[.goroutines[] | select(.user_top.func == "main.sendFull" and .go_pc.line == $l)][0].id' "$j")
	printf '%s\n' "task $all" "frame $frame" "print m" "print ch" "print order.Tags[0]" "print e" \
		"print big[42]" "print main.Config.Workers" |
		"$INSPECT" attach "$FIXTURE_PID" 2>"$ERR" | grep -v '^(inspect) \|^attached \|^detached \|^goroutine \|^  waiting \|^  created by \|^>' >"$OUT" ||
		{ echo "attach: $(head -c 300 "$ERR")" >&2; return 1; }
	want=$(printf '%s\n' 'map[string]int ["a": 1, "b": 2, "c": 3]' \
		"chan int 3/3, [1,2,3], waiting to send: $s4, $s5" '"rush"' 'interface {}(int) 42' '"42"' 8)
	got=$(<"$OUT")
	[[ $got == "$want" ]] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
}

for GOVER in $versions; do
	FIXTURE_PROG=parked fixture_start "$GOVER" "$N"
	runtime_goroutines >"$TEST_TMP/rt" || fail "$GOVER 1.0a runtime.Stack" "no dump"
	check "$GOVER 1.0 dump: runtime.Stack's ids" eval 'dump_json && same_ids "$OUT" "$TEST_TMP/rt" runtime.Stack'
	check "$GOVER 1.1 $N goroutines in each reason" reasons_ok
	fixture_stop
	FIXTURE_PROG=vars fixture_start "$GOVER" "$N"
	check "$GOVER 2.0 print: map, channel and senders, slice, interface, index, package variable" print_ok
	check "$GOVER 2.1 unharmed" fixture_alive
	fixture_stop
done
