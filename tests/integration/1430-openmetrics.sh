#!/bin/bash
# 1430-openmetrics: `inspect dump --format openmetrics` (gauges for node_exporter's
# textfile collector; names in the README), read back by its consumers: promtool
# check metrics (Debian's, taken out of its prometheus package into
# BUILD/tools by tools/deps.sh) and prometheus_client's strict OpenMetrics parser
# (Debian's python3-prometheus-client) in check-openmetrics.py, which says what each
# check compares.
#
# Oracles: the runtime's own account (runtime.Stack of the fixture: which
# goroutines wait where, and why), the fixture's known counts (fixtures/go/parked:
# -n 2 goroutines in each main.blockX) and its GC times (-gc: every wait stamped
# between START and END), and the text and JSON reports of the same snapshot
# (one `inspect attach --batch` session).
#
# For each Go toolchain built (GOVER: go1.19, go1.26), parked as built ($V = GOVER)
# and stripped with -s -w ($V = GOVER-sw):
#   $V 1.0  the dump exits 0; promtool check metrics and the OpenMetrics parser
#           accept it; it ends with # EOF
#   $V 1.1  by frame, every main.blockX: the runtime's wait reason and count for
#           it (runtime.Stack), and 2 goroutines each (-n 2)
#   $V 2.0  one snapshot, four reports: the counts by reason are the text
#           report's blocks and the JSON's groups; by state, by frame, the total,
#           the hidden and the threads are the JSON's; --top 3 keeps the 3
#           largest frame buckets and sums the rest in the (other) one; the
#           oldest wait per reason is the JSON's wait_minutes (in seconds), and
#           chan receive's lies between the fixture's GC and the attach, as does
#           the capture's timestamp
# On the hostile fixture shaped (names with escape sequences, invalid UTF-8 and
# newlines: tools/build-shaped.sh), as built and -s -w ($V = GOVER shaped[-sw]):
#   $V 3.0  promtool and the parser accept it; no control byte is written; the
#           names are escaped as \xNN and \n, so that the parser reads back the
#           JSON report's strings
#   $V 3.1  the session's checks of 2.0: the frames' labels are the JSON's names
# Once:
#   4.0  --top 0, --top x and --top without N are usage errors (exit 64) that
#        name --top; an unknown format lists openmetrics; --help says both
# Every dump and session checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROMTOOL=${PROMTOOL:-$BUILD/tools/promtool}
PY=/usr/bin/python3 # Debian's: python3-prometheus-client is its module
CHECK=$ROOT/tests/integration/check-openmetrics.py
TOP=3

have_promtool() { [[ -x $PROMTOOL ]]; }
have_parser() { "$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; }

# om_dump [ARGS...]: dump --format openmetrics into $OUT, exit 0, unharmed.
om_dump() {
	local pause
	inspect_run dump --format openmetrics "$@" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	pause=$(awk '$1 == "inspect_pause_seconds" { printf "%d", $2 * 1000 }' "$OUT")
	[[ -n $pause ]] || { echo "no inspect_pause_seconds in: $(head -c 300 "$OUT")" >&2; return 1; }
	unharmed "$pause"
}

# accepted: promtool and the parser accept $OUT, which ends with # EOF.
accepted() {
	[[ $(tail -n 1 "$OUT") == "# EOF" ]] || { echo "last line: $(tail -n 1 "$OUT")" >&2; return 1; }
	"$PROMTOOL" check metrics <"$OUT" >&2 || { echo "promtool refused it" >&2; return 1; }
	"$PY" "$CHECK" valid "$OUT"
}

# session: one snapshot in four reports, into $TEST_TMP/session; it detached,
# and the fixture is unharmed after the stop the session reports.
session() {
	local s
	# a new record: the span is the session's, not the checks' before it
	heartbeat_stall_ms >/dev/null || return 1
	BEFORE=$(date +%s%N)
	inspect_run attach "$FIXTURE_PID" --batch "dump; dump --format json; \
dump --format openmetrics --top 1000000; dump --format openmetrics --top $TOP"
	AFTER=$(date +%s%N)
	cp "$OUT" "$TEST_TMP/session"
	((RC == 0)) || { echo "session exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	s=$(sed -nE "s/^detached from process $FIXTURE_PID after ([0-9.]+) s\$/\1/p" "$OUT")
	[[ -n $s ]] || { echo "the session did not detach: $(tail -c 300 "$OUT")" >&2; return 1; }
	# the stop, shown to a tenth of a second: at most 50 ms more
	unharmed "$(awk -v s="$s" 'BEGIN { printf "%d", s * 1000 + 50 }')"
}

session_ok() {
	local gc=()
	if [[ ${1-} == gc ]]; then
		read -r _ start end < <(grep '^gc ' "$FIXTURE_DIR/stderr")
		gc=("$start" "$end" "$BEFORE" "$AFTER")
	fi
	"$PY" "$CHECK" session "$TEST_TMP/session" "$TOP" "${gc[@]}" >/dev/null
}

# blocks_ok: every main.blockX has 2 goroutines (-n 2) in $OUT, 12 kinds.
blocks_ok() {
	local got
	got=$(sed -nE 's/^inspect_goroutines_by_frame\{.*,func="(main\.block[A-Za-z]+)",.*\} ([0-9]+)$/\1 \2/p' "$OUT" |
		sort | uniq -c | awk '$3 != 2 || $1 != 1 { bad = 1 } END { print NR, bad + 0 }')
	[[ $got == "12 0" ]] || { echo "main.blockX buckets (kinds, any not 2): $got: $(cat "$OUT")" >&2; return 1; }
}

# hostile_ok: no control byte but the newlines that end lines, and the shaped
# names as \xNN and \n in the labels.
hostile_ok() {
	! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$OUT") ||
		{ echo "a control byte is written: $(LC_ALL=C grep -n '[[:cntrl:]]' "$OUT" | head -c 300)" >&2; return 1; }
	grep -qF 'func="main.\\x1b]0;pwned\\x07\\x1b[2J' "$OUT" &&
		grep -qF 'func="main.bad\\xff\\xfe\\xc0\\xaf\\xc2\\x9bC1' "$OUT" &&
		grep -qF 'func="main.Nl\n  9  note: forged' "$OUT" &&
		grep -qF 'file="nl\nfile' "$OUT" ||
		{ echo "escaped names not found in: $(grep by_frame "$OUT" | head -c 600)" >&2; return 1; }
}

tools_case() { # NAME CMD...: skip unless promtool and the parser are here
	if ! have_promtool; then
		skip "$1" "no $PROMTOOL (tools/deps.sh takes it out of Debian's prometheus package)"
	elif ! have_parser; then
		skip "$1" "no prometheus_client for $PY (Debian's python3-prometheus-client)"
	else
		check "$@"
	fi
}

parser_case() { # NAME CMD...: skip unless the parser is here
	if have_parser; then check "$@"; else skip "$1" "no prometheus_client for $PY"; fi
}

for gover in $(fixture_versions); do
	for v in "$gover" "$gover-sw"; do
		FIXTURE_NAME=parked${v#"$gover"} fixture_start "$gover" 2 -gc
		runtime_goroutines '^main\.' >"$TEST_TMP/runtime"
		heartbeat_stall_ms >/dev/null # runtime.Stack stopped the world: a new record
		check "$v 1.0 dump" om_dump
		tools_case "$v 1.0 promtool and the OpenMetrics parser accept it" accepted
		parser_case "$v 1.1 by frame: the runtime's reasons and counts" \
			"$PY" "$CHECK" runtime "$OUT" "$TEST_TMP/runtime"
		check "$v 1.1 by frame: 2 in each of the 12 main.blockX" blocks_ok
		check "$v 2.0 session" session
		parser_case "$v 2.0 counts, --top $TOP, oldest waits: text, JSON, the GC's times" session_ok gc
		fixture_stop
	done
	for v in shaped shaped-sw; do
		FIXTURE_PROG=$v fixture_start "$gover" 1
		check "$gover $v 3.0 dump" om_dump
		tools_case "$gover $v 3.0 promtool and the OpenMetrics parser accept it" accepted
		check "$gover $v 3.0 names escaped" hostile_ok
		check "$gover $v 3.1 session" session
		parser_case "$gover $v 3.1 counts and frames: text, JSON" session_ok
		fixture_stop
	done
done

usage_ok() {
	local a
	for a in "--top 0" "--top x"; do
		# shellcheck disable=SC2086 # the option and its argument, split
		inspect_run dump --format openmetrics $a 1
		expect_status 64 "top" || return 1
	done
	inspect_run dump --format openmetrics 1 --top
	expect_status 64 "option '--top' needs an argument" || return 1
	inspect_run dump --format nope 1
	expect_status 64 "unknown format 'nope' \(text, json, openmetrics" &&
		inspect_run dump --help && ((RC == 0)) && grep -q -- "--top N" "$OUT" &&
		grep -q "openmetrics" "$OUT"
}
check "4.0 --top and --format usage" usage_ok
