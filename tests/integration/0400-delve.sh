#!/bin/bash
# 0400-delve: inspect and Delve read the same paused process (the parked fixture,
# fixtures/go/parked/main.go) and must agree. Debian's Delve (1.20) reads Go 1.19
# binaries only (needs-dlv, needs-go1.19).
#
#   1.0  inspect dump --system lists the same goroutine ids as dlv's goroutines
#   1.1  every goroutine Delve shows waiting has inspect's wait reason, and every
#        one Delve shows on a thread has a thread in inspect
#   1.2  the fixture is unharmed after both
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-20}
if ! command -v dlv >/dev/null; then
	skip "all" "needs-dlv: no dlv in PATH"
	exit 0
fi
if [[ ! -x $FIXTURES/go1.19/parked ]]; then
	skip "all" "needs-go1.19: no Go 1.19 fixture (Debian's golang-1.19-go)"
	exit 0
fi

reasons_ok() {
	local bad
	bad=$(jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)\t\(.thread // "-")"' "$1" |
		awk -F '\t' 'NR == FNR { reason[$1] = $2; thread[$1] = $3; next }
			$2 == "running" && thread[$1] == "-" { print $1 ": dlv on a thread, inspect on none" }
			$2 != "running" && $2 != "runnable" && reason[$1] != $2 {
				print $1 ": dlv \"" $2 "\", inspect \"" reason[$1] "\"" }' - "$2")
	[[ -z $bad ]] || { echo "$bad" | head -n 5 >&2; return 1; }
}

fixture_start go1.19 "$N"
check "1.0a inspect dump --system" dump_json --system
cp "$OUT" "$TEST_TMP/inspect.json"
dlv_goroutines "$FIXTURE_PID" >"$TEST_TMP/dlv" || fail "1.0b dlv goroutines" "$(cat "$ERR" 2>/dev/null)"
check "1.0 same ids" same_ids "$TEST_TMP/inspect.json" "$TEST_TMP/dlv" dlv
check "1.1 same wait reasons" reasons_ok "$TEST_TMP/inspect.json" "$TEST_TMP/dlv"
check "1.2 unharmed" fixture_alive
