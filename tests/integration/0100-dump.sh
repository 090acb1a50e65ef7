#!/bin/bash
# 0100-dump: `inspect dump` of the parked fixture (fixtures/go/parked/main.go),
# which parks N goroutines in each of twelve blocking calls, checked against the
# Go runtime's own account (runtime.Stack(buf, true), taken by the fixture).
#
# For each Go toolchain built (GOVER), on the default build and on a PIE
# (cases named GOVER/pie):
#   $GOVER 1.0       dump --format json exits 0 with JSON; the fixture is unharmed
#   $GOVER 1.1       the JSON has every documented field, with its type
#   $GOVER 1.2       read through /proc/PID/mem instead of process_vm_readv (the
#                    test build's INSPECT_TEST_NO_VM_READV): the same goroutines
#                    with the same reasons
#   $GOVER 2.$k      exactly N goroutines stand in main.KIND, each with the wait
#                    reason this Go release gives that call
#   $GOVER 3.0       the goroutine ids are the runtime's own
#   $GOVER 3.1       each blockX goroutine's wait reason equals the runtime's
#   $GOVER 3.2       the groups add up to the goroutines
#   $GOVER 3.3       every blockX goroutine's frames and creator equal the runtime's
#   $GOVER 4.0       the text report equals expected/0100-GOVER.txt, with pid,
#                    pause, ids, thread ids and counts the runtime varies masked;
#                    without main.heartbeat, which wakes every millisecond
#   $GOVER 4.1       the fixture is unharmed after the text dump
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-20}
KINDS=(blockChanRecv blockChanSend blockSelect blockSelectNoCases blockNilChanRecv
	blockMutex blockRWMutexR blockRWMutexW blockWaitGroup blockCondWait blockSleep blockIOWait)

# reason_of GOVER KIND: the runtime's wait reason for KIND in that release
# (research/goruntime.md 4: sync waits are "semacquire" before Go 1.20, and
# WaitGroup.Wait before Go 1.24).
reason_of() {
	local minor=${1#go1.}
	case $2 in
	blockChanRecv) echo "chan receive" ;;
	blockChanSend) echo "chan send" ;;
	blockSelect) echo "select" ;;
	blockSelectNoCases) echo "select (no cases)" ;;
	blockNilChanRecv) echo "chan receive (nil chan)" ;;
	blockMutex) ((minor >= 20)) && echo "sync.Mutex.Lock" || echo semacquire ;;
	blockRWMutexR) ((minor >= 20)) && echo "sync.RWMutex.RLock" || echo semacquire ;;
	blockRWMutexW) ((minor >= 20)) && echo "sync.RWMutex.Lock" || echo semacquire ;;
	blockWaitGroup) ((minor >= 24)) && echo "sync.WaitGroup.Wait" || echo semacquire ;;
	blockCondWait) echo "sync.Cond.Wait" ;;
	blockSleep) echo "sleep" ;;
	blockIOWait) echo "IO wait" ;;
	esac
}

fields_ok() {
	jq -e '
		(.pid | type == "number") and (.exe | type == "string") and
		(.go_version | test("^go1\\.")) and (.pause_ms | type == "number") and
		(.pause_ms > 0) and (.threads > 0) and (.groups | type == "array") and
		(.goroutines | length > 0) and
		all(.goroutines[];
			(.id | type == "number") and (.status | type == "string") and
			(.wait_reason == null or (.wait_reason | type == "string")) and
			(.wait_minutes == null or (.wait_minutes | type == "number")) and
			(.top | has("func") and has("file") and has("line")) and
			(.user_top | has("func") and has("file") and has("line")) and
			(.go_pc == null or (.go_pc | has("func"))) and
			(.start_func | type == "string") and
			(.thread == null or (.thread | type == "number"))) and
		all(.groups[]; (.reason | type == "string") and (.count | type == "number"))
	' "$1" >/dev/null || { echo "a field is missing or of the wrong type" >&2; return 1; }
}

kind_ok() {
	local got
	got=$(jq --arg f "main.$2" --arg r "$3" \
		'[.goroutines[] | select(.user_top.func == $f and .wait_reason == $r)] | length' "$1")
	((got == N)) || { echo "$got goroutines in main.$2 waiting for \"$3\", want $N:" \
		"$(jq -c --arg f "main.$2" '[.goroutines[] | select(.user_top.func == $f) | [.id, .wait_reason]]' "$1" | head -c 300)" >&2
		return 1; }
}

reasons_ok() {
	local bad
	bad=$(jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)"' "$1" |
		awk -F '\t' 'NR == FNR { got[$1] = $2; next }
			$3 ~ /^main\.block/ && got[$1] != $2 { print $1 ": runtime \"" $2 "\", inspect \"" got[$1] "\"" }' - "$2")
	[[ -z $bad ]] || { echo "$bad" | head -n 5 >&2; return 1; }
}

frames_ok() {
	runtime_stacks >"$TEST_TMP/runtime.stacks" || return 1
	"$ROOT/tests/integration/compare-stacks.py" runtime "$1" "$TEST_TMP/runtime.stacks" \
		'^main\.block' >"$TEST_TMP/cmp" || { cat "$TEST_TMP/cmp" >&2; return 1; }
}

groups_ok() {
	jq -e '([.groups[].count] | add) == (.goroutines | length)' "$1" >/dev/null ||
		{ echo "group counts do not add up" >&2; return 1; }
}

text_ok() {
	local want=$ROOT/tests/integration/expected/0100-$1.txt
	sed -E 's/^process [0-9]+  [^ ]+/process PID  EXE/; s/paused [0-9.]+ ms/paused MS ms/;
		s/\(of [0-9,]+\)/(of ALL)/; s/[0-9]+ threads/T threads/; s/^  [0-9]+ runtime goroutines/  R runtime goroutines/;
		s/e\.g\.( [0-9]+)+/e.g. IDS/; s/on thread [0-9]+/on thread TID/;
		s/  up [0-9]+ [a-z]+( [0-9]+ [a-z]+)?  /  /; s/  waiting [?0-9][^ ]*( [a-z]+(-[0-9]+ [a-z]+)?)?//' "$OUT" |
		sed -E '/^$/{N;/\n  (no wait time is known|waiting: the newest)/{N;d}}' >"$TEST_TMP/text"
	if [[ ${UPDATE_EXPECTED:-} == 1 ]]; then cp "$TEST_TMP/text" "$want"; fi
	diff "$want" "$TEST_TMP/text" >&2 || { echo "text report differs (< expected, > got)" >&2; return 1; }
}

same_as() {
	diff <(jq -c '.goroutines[] | [.id, .wait_reason, .user_top.func]' "$1" | sort) \
		<(jq -c '.goroutines[] | [.id, .wait_reason, .user_top.func]' "$OUT" | sort) >&2 ||
		{ echo "the goroutines differ (< process_vm_readv, > /proc/PID/mem)" >&2; return 1; }
}

mem_fallback_ok() {
	INSPECT=$INSPECT_TEST INSPECT_TEST_NO_VM_READV=1 dump_json --without func=main.heartbeat &&
		same_as "$1"
}

for run in $(fixture_versions | sed 's|$|/parked|; p; s|/parked$|/parked-pie|' | sort); do
	gover=${run%/*} FIXTURE_NAME=${run#*/}
	label=$gover${FIXTURE_NAME#parked}
	label=${label/-pie//pie}
	fixture_start "$gover" "$N"
	check "$label 1.0 dump json" dump_json
	json=$TEST_TMP/$gover.json
	cp "$OUT" "$json"
	check "$label 1.1 fields" fields_ok "$json"
	inspect_run dump --format json --without func=main.heartbeat "$FIXTURE_PID"
	cp "$OUT" "$TEST_TMP/plain.json"
	check "$label 1.2 through /proc/PID/mem" mem_fallback_ok "$TEST_TMP/plain.json"
	for k in "${!KINDS[@]}"; do
		kind=${KINDS[k]}
		check "$label 2.$k $kind" kind_ok "$json" "$kind" "$(reason_of "$gover" "$kind")"
	done
	rt=$TEST_TMP/$gover.runtime
	runtime_goroutines '^main\.' >"$rt"
	check "$label 3.0 ids equal the runtime's" same_ids "$json" "$rt" runtime
	check "$label 3.1 wait reasons equal the runtime's" reasons_ok "$json" "$rt"
	check "$label 3.2 groups add up" groups_ok "$json"
	check "$label 3.3 frames equal the runtime's" frames_ok "$json"
	sleep 0.2 # let main and the signal goroutine park again after the heartbeat signals
	inspect_run dump --without func=main.heartbeat "$FIXTURE_PID"
	check "$label 4.0 text report" text_ok "$gover"
	check "$label 4.1 unharmed" unharmed "$(grep -o 'paused [0-9.]*' "$OUT" | cut -d' ' -f2)"
	fixture_stop
done
