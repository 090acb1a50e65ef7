#!/bin/bash
# 0300-errors: every error of `inspect dump` has its message and exit status, and
# none harms the target (fixtures/go/parked/main.go keeps a heartbeat).
#
#   1.0  no such process: 3          1.1  a pid that is not a number: 64
#   1.2  permission denied (as nobody): 4, and the fix (root or CAP_SYS_PTRACE)
#   1.3  already traced: 5, naming the tracer's pid; the fixture runs on after it
#   1.4  not a Go program (sleep): 6
#   1.5  a Go binary without DWARF (-ldflags=-w) of a release inspect has no
#        layout table for (patched to go1.99): 7, saying so
#   1.5b the same of a release it has a table for: a report, from the table
#   1.6  a Go older than 1.19 (buildinfo patched to go1.16): 7
#   1.7  a Go newer than checked (patched to go1.99): a report, with a note
#   2.0  the process is killed while stopped: 8
#   2.1-2.3  SIGINT, SIGTERM, SIGHUP to inspect while it holds the process
#        stopped: 128+N, "interrupted", and the fixture runs on, untraced
#   2.4  SIGKILL to inspect while it holds the process stopped: the fixture runs on
# The stopped window is made wide by INSPECT_TEST_STOP_DELAY_MS, which only the
# test build (INSPECT_TEST, BUILD/inspect-test) reads.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GOVER=$(fixture_versions | tail -n 1)
[[ -n $GOVER ]] || { skip "all" "no fixture built (make fixtures)"; exit 0; }

# A pid nobody has: above every pid in use, below pid_max.
free_pid() {
	local max pid
	max=$(cat /proc/sys/kernel/pid_max)
	for ((pid = max - 1; pid > 1; pid--)); do
		[[ -e /proc/$pid ]] || { echo "$pid"; return; }
	done
}

# patched_go MINOR [BUILD]: a copy of the fixture build (parked) whose .go.buildinfo
# says go1.MINOR.P (two digits, as the real one); prints that version, the binary
# is $TEST_TMP/BUILD-go1.MINOR.
patched_go() {
	local bin=${2:-parked}
	python3 - "$FIXTURES/$GOVER/$bin" "$TEST_TMP/$bin-go1.$1" "$1" <<'PY'
import re, sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"\xff Go buildinf:") + 32
n = data[at]
old = bytes(data[at + 1:at + 1 + n])
new = re.sub(rb"^go1\.\d\d", b"go1." + sys.argv[3].encode(), old)
assert len(new) == len(old) and new != old, (old, new)
data[at + 1:at + 1 + n] = new
open(sys.argv[2], "wb").write(data)
print(new.decode())
PY
	chmod +x "$TEST_TMP/$bin-go1.$1"
}

# run_other BIN ARGS: start a non-fixture process in the background; OTHER_PID.
run_other() {
	"$@" >/dev/null 2>&1 &
	OTHER_PID=$!
	_lib_pids+=("$OTHER_PID")
	sleep 0.3
}

# stopped_by_inspect PID: wait until PID shows as stopped by a tracer (t).
stopped_by_inspect() {
	local i state
	for ((i = 0; i < 500; i++)); do
		state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
		[[ $state == t ]] && return 0
		sleep 0.01
	done
	echo "process $1 was never stopped" >&2
	return 1
}

# during_stop SIGNAL WANT: send SIGNAL to inspect while it holds the fixture
# stopped; inspect must exit WANT and leave the fixture running and untraced.
during_stop() {
	local ipid rc=0
	INSPECT_TEST_STOP_DELAY_MS=5000 "$INSPECT_TEST" dump "$FIXTURE_PID" >"$OUT" 2>"$ERR" &
	ipid=$!
	stopped_by_inspect "$FIXTURE_PID" || return 1
	kill -"$1" "$ipid"
	wait "$ipid" || rc=$?
	RC=$rc
	if [[ $1 == KILL ]]; then
		((rc == 137)) || { echo "inspect exited $rc after SIGKILL" >&2; return 1; }
	else
		expect_status "$2" "interrupted by signal" || return 1
	fi
	fixture_alive
}

traced_ok() {
	local tpid
	"$HELPERS/tracer" "$FIXTURE_PID" >"$TEST_TMP/tracer.out" &
	tpid=$!
	_lib_pids+=("$tpid")
	for _ in $(seq 100); do [[ -s $TEST_TMP/tracer.out ]] && break; sleep 0.02; done
	inspect_run dump "$FIXTURE_PID"
	kill "$tpid"
	wait "$tpid" 2>/dev/null || true
	expect_status 5 "process $FIXTURE_PID is already traced by process $tpid \(tracer\)" || return 1
	fixture_alive
}

exits_ok() {
	local ipid rc=0
	INSPECT_TEST_STOP_DELAY_MS=3000 "$INSPECT_TEST" dump "$FIXTURE_PID" >"$OUT" 2>"$ERR" &
	ipid=$!
	stopped_by_inspect "$FIXTURE_PID" || return 1
	kill -KILL "$FIXTURE_PID"
	wait "$ipid" || rc=$?
	RC=$rc
	fixture_wait || true
	expect_status 8 "process $FIXTURE_PID exited while attached"
}

newer_ok() {
	run_other "$TEST_TMP/parked-go1.99" -n 1
	inspect_run dump "$OTHER_PID"
	((RC == 0)) || { echo "exit status $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "^note: $1 is newer than the newest release checked" "$OUT" ||
		{ echo "no note on the version in: $(tail -n 3 "$OUT")" >&2; return 1; }
}

pid=$(free_pid)
inspect_run dump "$pid"
check "1.0 no such process" expect_status 3 "^inspect: no such process: $pid$"
inspect_run dump 12ab
check "1.1 pid not a number" expect_status 64 "expected one process id"

fixture_start "$GOVER" 2
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
	RC=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$INSPECT" dump "$FIXTURE_PID" \
		>"$OUT" 2>"$ERR" || RC=$?
	check "1.2 permission denied" expect_status 4 \
		"cannot attach to process $FIXTURE_PID: permission denied \(run as root or grant CAP_SYS_PTRACE"
else
	skip "1.2 permission denied" "needs-root: drops to nobody with setpriv"
fi
check "1.3 already traced" traced_ok

run_other sleep 60
inspect_run dump "$OTHER_PID"
check "1.4 not a Go program" expect_status 6 "process $OTHER_PID \(/usr/bin/sleep\) is not a Go program"

patched_go 99 parked-nodwarf >/dev/null
run_other "$TEST_TMP/parked-nodwarf-go1.99" -n 1
inspect_run dump "$OTHER_PID"
check "1.5 no DWARF, no table" expect_status 7 \
	"has no DWARF \(built with -ldflags=-w or -s\?\), no separate debug file of this build was found \(.*\), and inspect has no layout table for go1\.99"
run_other "$FIXTURES/$GOVER/parked-nodwarf" -n 1
inspect_run dump --format json "$OTHER_PID"
from_table() {
	jq -e '.sources.layout | startswith("table go1.")' "$OUT" >/dev/null ||
		{ echo "sources: $(jq -c .sources "$OUT")" >&2; return 1; }
}
check "1.5b no DWARF: from the table" from_table

old=$(patched_go 16)
run_other "$TEST_TMP/parked-go1.16" -n 1
inspect_run dump "$OTHER_PID"
check "1.6 Go older than 1.19" expect_status 7 "was built by $old; inspect reads Go 1.19 and newer"
new=$(patched_go 99)
check "1.7 Go newer than checked" newer_ok "$new"

check "2.1 SIGINT while stopped" during_stop INT 130
check "2.2 SIGTERM while stopped" during_stop TERM 143
check "2.3 SIGHUP while stopped" during_stop HUP 129
check "2.4 SIGKILL while stopped" during_stop KILL 137
check "2.0 process killed while stopped" exits_ok
