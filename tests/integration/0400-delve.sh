#!/bin/bash
# 0400-delve: inspect and Delve read the same paused process (the parked fixture,
# fixtures/go/parked/main.go) and must agree: for each Go toolchain built (GOVER),
# with the Delve that reads it (dlv_for: Debian's 1.20 for Go 1.19, the current one
# make deps builds for newer Go; needs-dlv).
#
#   $GOVER 1.0  inspect dump --system lists the same goroutine ids as dlv's goroutines
#   $GOVER 1.1  every goroutine Delve shows waiting has inspect's wait reason, and
#               every one Delve shows on a thread has a thread in inspect
#   $GOVER 1.2  the fixture is unharmed after both
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-20}

reasons_ok() {
	local bad
	bad=$(jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)\t\(.thread // "-")"' "$1" |
		awk -F '\t' 'NR == FNR { reason[$1] = $2; thread[$1] = $3; next }
			$2 == "running" && thread[$1] == "-" { print $1 ": dlv on a thread, inspect on none" }
			# the process runs between the two captures: a goroutine one of
			# them saw runnable or running (the heartbeat) may wait in the other
			$2 != "running" && $2 != "runnable" && reason[$1] != "runnable" &&
			reason[$1] != "running" && reason[$1] != $2 {
				print $1 ": dlv \"" $2 "\", inspect \"" reason[$1] "\"" }' - "$2")
	[[ -z $bad ]] || { echo "$bad" | head -n 5 >&2; return 1; }
}

for gover in $(fixture_versions); do
	if ! dlv_for "$gover" >/dev/null; then
		skip "$gover all" "needs-dlv: no Delve for $gover (make deps)"
		continue
	fi
	fixture_start "$gover" "$N"
	check "$gover 1.0a inspect dump --system" dump_json --system
	cp "$OUT" "$TEST_TMP/inspect.json"
	dlv_goroutines "$FIXTURE_PID" >"$TEST_TMP/dlv" || fail "$gover 1.0b dlv goroutines" "$(cat "$ERR" 2>/dev/null)"
	check "$gover 1.0 same ids" same_ids "$TEST_TMP/inspect.json" "$TEST_TMP/dlv" dlv
	check "$gover 1.1 same wait reasons" reasons_ok "$TEST_TMP/inspect.json" "$TEST_TMP/dlv"
	check "$gover 1.2 unharmed" fixture_alive
	fixture_stop
done
