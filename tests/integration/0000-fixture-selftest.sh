#!/bin/bash
# 0000-fixture-selftest: the parked fixture (fixtures/go/parked/main.go) and
# lib.sh, checked against the Go runtime's own view and, for Go 1.19, Delve's.
#
# For each GOVER built under build/fixtures:
#   $GOVER 1.$i   N goroutines in kind i, each waiting (not running/runnable)
#   $GOVER 1.99   the -spin goroutine is there
#   $GOVER 2.0    the heartbeat sees no stall over 500 ms; 2.1 fixture_alive
#   $GOVER 3.0    Delve lists every blockX goroutine with the runtime's state
#                 (needs-dlv, needs-go1.19); 3.1 fixture_alive after Delve
#   $GOVER 4.0    SIGTERM exits 0; 4.1 -exit-after exits 0 on its own
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-3}
KINDS=(blockChanRecv blockChanSend blockSelect blockSelectNoCases blockNilChanRecv
	blockMutex blockRWMutexR blockRWMutexW blockWaitGroup blockCondWait blockSleep blockIOWait)

# kind_ok FILE KIND: N lines of main.KIND in FILE, none running or runnable.
kind_ok() {
	local got
	got=$(awk -F '\t' -v f="main.$2" '$3 == f && $2 != "running" && $2 != "runnable"' "$1" | wc -l)
	((got == N)) || { echo "$got waiting goroutines in main.$2, want $N; all of them:" \
		"$(grep -P "\tmain\.$2$" "$1" | cut -f 1,2 | tr '\t\n' ': ')" >&2; return 1; }
}

spin_ok() {
	local got
	got=$(grep -cP '\tmain\.spin$' "$1") || true
	((got == 1)) || { echo "$got goroutines in main.spin, want 1" >&2; return 1; }
}

stall_under() {
	local ms
	ms=$(heartbeat_stall_ms) || return 1
	((ms < $1)) || { echo "heartbeat stalled $ms ms" >&2; return 1; }
}

# dlv_agrees RT: Delve lists every blockX goroutine of RT with the same state.
dlv_agrees() {
	local bad dlv=$TEST_TMP/dlv
	dlv_goroutines "$FIXTURE_PID" >"$dlv" || return 1
	bad=$(awk -F '\t' 'NR == FNR { dlv[$1] = $2; next }
		$3 ~ /^main\.block/ && dlv[$1] != $2 { print $1 " " $3 ": runtime \"" $2 "\", dlv \"" dlv[$1] "\"" }' "$dlv" "$1")
	[[ -z $bad ]] || { echo "$bad" | head -n 5 >&2; return 1; }
}

exits_zero_after() {
	local rc=0
	fixture_start "$1" 1 -exit-after 2s
	fixture_wait || rc=$?
	((rc == 0)) || { echo "-exit-after: exit status $rc" >&2; return 1; }
}

for gover in go1.19 go1.26; do
	if [[ ! -x $FIXTURES/$gover/parked ]]; then
		skip "$gover" "needs $FIXTURES/$gover/parked (make fixtures)"
		continue
	fi
	fixture_start "$gover" "$N" -spin 1
	rt=$TEST_TMP/$gover.runtime
	runtime_goroutines '^main\.(block|spin)' >"$rt"
	for i in "${!KINDS[@]}"; do
		check "$gover 1.$i ${KINDS[i]}" kind_ok "$rt" "${KINDS[i]}"
	done
	check "$gover 1.99 spin" spin_ok "$rt"
	check "$gover 2.0 heartbeat" stall_under 500
	check "$gover 2.1 alive" fixture_alive

	if ! dlv_for "$gover" >/dev/null; then
		skip "$gover 3.0 dlv" "needs-dlv: no Delve for $gover (make deps)"
	else
		check "$gover 3.0 dlv" dlv_agrees "$rt"
		check "$gover 3.1 alive after dlv" fixture_alive
	fi
	check "$gover 4.0 SIGTERM" fixture_stop
	check "$gover 4.1 -exit-after" exits_zero_after "$gover"
done
