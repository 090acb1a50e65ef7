#!/bin/bash
# 1000-stripped: binaries as production ships them (tools/build-stripped.sh):
# stripped of DWARF and symbols (-ldflags='-s -w'), also position-independent,
# and cgo (linked by gcc) stripped. inspect reads them from the pclntab, its
# layout tables (plugins/go/tables.c) and the registry found through the
# runtime's code, and must give what it gives on the unstripped build.
#
# For each Go release built (GOVER: BUILD/fixtures and BUILD/matrix) and program
# P (parked and cgo everywhere; stacks and vars too with the fixtures' releases,
# vars only as P-sw):
#   $GOVER P 0    the unstripped build (DWARF): ids are the runtime's
#                 (runtime.Stack), frames and lines are the runtime's
#                 (compare-stacks.py); its census is the reference
#   $GOVER V 1.0  each variant V (P-sw, P-pie-sw, cgo-sw, cgo-pie-sw): ids are the
#                 runtime's
#   $GOVER V 1.1  its frames, lines and creators are the runtime's
#   $GOVER V 1.2  its census (wait reason and every Go frame of each goroutine,
#                 without ids) equals the unstripped build's
#   $GOVER V 1.3  the report says where the facts came from: layout "table
#                 goX.Y.Z", registry found through the runtime's code
#   $GOVER V 1.4  (checked by every dump) unharmed
#   $GOVER vars-sw 2.0  print says it needs DWARF
#   $GOVER vars-sw 2.1  dump --locals gives the report, with a note: no values
#   $GOVER parked-sw 4.0  its runtime.waitReasonStrings made unfindable (the bytes
#                 of "GC assist marking" changed in a copy): the wait reasons come
#                 from the table, and the census is still the unstripped build's
#   go1.N.M parked-sw 3.0-3.2  a patch release with no table of its own (go1.23.0,
#                 whose runtime.m is shorter than the table's go1.23.12): ids and
#                 frames are the runtime's, read through the minor's table, and
#                 m.alllink found where it is (a note says so)
# At the end, as "# table:" lines, Go release x {DWARF, stripped, PIE, cgo}: yes
# when every case of that column passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=2
COMPARE=$ROOT/tests/integration/compare-stacks.py
declare -A column # GOVER:column -> yes/no

# Each goroutine as "REASON | FUNC FILE:LINE; ..." over the frames the runtime
# shows (no native frames: a stripped cgo binary has no names for C functions),
# sorted; the heartbeat and main (it serves the harness's signals) are left out:
# either may be awake in one capture.
census() {
	jq -r '.goroutines[]
		| select(.user_top.func | . != "fixtures/harness.heartbeat" and . != "main.heartbeat" and . != "main.main")
		| "\(.wait_reason // .status) | " + ([.frames[] | select((.native | not) and (.wrapper | not))
			| "\(.func) \(.file):\(.line)"] | join("; "))' "$1" | sort
}

# The dump of the fixture running: ids and frames as the runtime's own.
runtime_same() {
	dump_json --stacks=1000 || return 1
	cp "$OUT" "$TEST_TMP/dump.json"
	runtime_goroutines >"$TEST_TMP/ids" && runtime_stacks >"$TEST_TMP/runtime" || return 1
	same_ids "$TEST_TMP/dump.json" "$TEST_TMP/ids" runtime || return 1
}

frames_same() {
	"$COMPARE" runtime "$TEST_TMP/dump.json" "$TEST_TMP/runtime" '^main\.(?!main$|heartbeat$)' >"$TEST_TMP/cmp" ||
		{ cat "$TEST_TMP/cmp" >&2; return 1; }
}

census_same() {
	census "$TEST_TMP/dump.json" >"$TEST_TMP/census" || return 1
	[[ $(wc -l <"$TEST_TMP/census") -ge 3 ]] || { echo "only $(wc -l <"$TEST_TMP/census") goroutines" >&2; return 1; }
	diff "$TEST_TMP/reference.$1" "$TEST_TMP/census" >&2 || { echo "census differs (< unstripped, > $2)" >&2; return 1; }
}

sources_said() {
	jq -e --arg v "$(jq -r .go_version "$TEST_TMP/dump.json")" '.sources
		| .layout == "table \($v)" and .symbols == "pclntab"
		and .registry == "code of runtime.allgadd and mcommoninit"' "$TEST_TMP/dump.json" >/dev/null ||
		{ echo "sources: $(jq -c .sources "$TEST_TMP/dump.json")" >&2; return 1; }
}

# record COLUMN: the last case's outcome counts against the column.
record() {
	local key=$GOVER:$1
	if [[ $2 == ok ]]; then column[$key]=${column[$key]:-yes}; else column[$key]=no; fi
}

# check_case COLUMN NAME CMD...: check, and record its outcome in COLUMN;
# CASE_OK says whether it passed.
check_case() {
	local col=$1 before=$_lib_failed
	shift
	check "$@"
	CASE_OK=$((_lib_failed == before))
	if ((CASE_OK)); then record "$col" ok; else record "$col" bad; fi
}

# The stacks fixture's goroutines as deep as the runtime prints them whole.
args() { if [[ $1 == stacks* ]]; then echo "-depth 40"; fi; }

# reference PROG: start the unstripped build, check it against the runtime.
reference() {
	# shellcheck disable=SC2046
	FIXTURE_NAME=$1 fixture_start "$GOVER" "$N" $(args "$1")
	check_case DWARF "$GOVER $1 0 ids as the runtime's" runtime_same
	((CASE_OK)) && check_case DWARF "$GOVER $1 0 frames as the runtime's" frames_same
	census "$TEST_TMP/dump.json" >"$TEST_TMP/reference.$1"
	fixture_stop
}

# variant PROG BUILD COLUMN: a stripped build against the reference of PROG.
variant() {
	# shellcheck disable=SC2046
	FIXTURE_NAME=$2 fixture_start "$GOVER" "$N" $(args "$1")
	check_case "$3" "$GOVER $2 1.0 ids as the runtime's" runtime_same
	if ((CASE_OK)); then
		check_case "$3" "$GOVER $2 1.1 frames as the runtime's" frames_same
		check_case "$3" "$GOVER $2 1.2 census as the unstripped build's" census_same "$1" "$2"
		check_case "$3" "$GOVER $2 1.3 sources said" sources_said
	fi
	fixture_stop
}

locals_noted() {
	dump_json --locals || return 1
	jq -e 'any(.notes[]; . == "--locals: no values, the executable has no DWARF")' "$OUT" >/dev/null ||
		{ echo "notes: $(jq -c .notes "$OUT")" >&2; return 1; }
}

print_refused() {
	inspect_run attach --batch 'print main.Config' "$FIXTURE_PID"
	grep -q "^print needs DWARF, the types and variables it reads: '.*' has none" "$OUT" ||
		{ echo "stdout: $(head -c 300 "$OUT")" >&2; return 1; }
	fixture_alive
}

run_release() {
	local progs=$1 p
	for p in $progs; do
		[[ $p == cgo ]] && continue
		reference "$p"
		variant "$p" "$p-sw" stripped
		[[ -x $FIXTURES/$GOVER/$p-pie-sw ]] && variant "$p" "$p-pie-sw" PIE
	done
	reference cgo
	variant cgo cgo-sw cgo
	variant cgo cgo-pie-sw cgo
}

# A copy of GOVER's parked-sw whose first wait reason after "" is not where the
# scan for the array looks: FIXTURES=$TEST_TMP/patched.
patch_reasons() {
	mkdir -p "$TEST_TMP/patched/$GOVER"
	python3 - "$FIXTURES/$GOVER/parked-sw" "$TEST_TMP/patched/$GOVER/parked-sw" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"GC assist marking")
assert data.find(b"GC assist marking", at + 1) < 0
data[at:at + 2] = b"gc"
open(sys.argv[2], "wb").write(data)
PY
	chmod +x "$TEST_TMP/patched/$GOVER/parked-sw"
}

reasons_from_table() {
	runtime_same || return 1
	[[ $(jq -r .sources.wait_reasons "$TEST_TMP/dump.json") == "table $(jq -r .go_version "$TEST_TMP/dump.json")" ]] ||
		{ echo "sources $(jq -c .sources "$TEST_TMP/dump.json")" >&2; return 1; }
	census_same parked parked-sw
}

for GOVER in $(fixture_versions); do
	run_release "parked stacks vars"
	patch_reasons
	FIXTURES=$TEST_TMP/patched FIXTURE_NAME=parked-sw fixture_start "$GOVER" "$N"
	check "$GOVER parked-sw 4.0 wait reasons from the table" reasons_from_table
	fixture_stop
	FIXTURE_NAME=vars-sw fixture_start "$GOVER" "$N"
	check "$GOVER vars-sw 2.0 print says it needs DWARF; dump works" print_refused
	check "$GOVER vars-sw 2.1 dump --locals: the report, with a note" locals_noted
	fixture_stop
done

FIXTURES=$BUILD/matrix
for f in "$FIXTURES"/*.failed; do
	if [[ -e $f ]]; then skip "$(basename "$f" .failed) all" "$(<"$f")"; fi
done
for GOVER in $(fixture_versions); do
	[[ -x $FIXTURES/$GOVER/cgo-pie-sw ]] || { skip "$GOVER all" "not built"; continue; }
	run_release parked
done

# patch releases without a table of their own
minor_table() {
	jq -e --arg minor "$1" '(.sources.layout | startswith("table \($minor).")) and
		any(.notes[]; test("runtime.m.alllink is at [0-9]+ here"))' "$TEST_TMP/dump.json" >/dev/null ||
		{ echo "sources $(jq -c '[.sources, .notes]' "$TEST_TMP/dump.json")" >&2; return 1; }
}
for dir in "$FIXTURES"/go1.*.*/; do
	[[ -x $dir/parked-sw ]] || continue
	GOVER=$(basename "$dir")
	FIXTURE_NAME=parked-sw fixture_start "$GOVER" "$N"
	check "$GOVER parked-sw 3.0 ids as the runtime's" runtime_same
	check "$GOVER parked-sw 3.1 frames as the runtime's" frames_same
	check "$GOVER parked-sw 3.2 its minor's table; m.alllink found" minor_table "${GOVER%.*}"
	fixture_stop
done

echo "# table: release   DWARF stripped PIE cgo"
for GOVER in $(ls "$BUILD/fixtures" "$BUILD/matrix" 2>/dev/null | grep -E '^go1\.[0-9]+$' | sort -V -u); do
	printf '# table: %-9s %-5s %-8s %-3s %s\n' "$GOVER" "${column[$GOVER:DWARF]:--}" \
		"${column[$GOVER:stripped]:--}" "${column[$GOVER:PIE]:--}" "${column[$GOVER:cgo]:--}"
done
