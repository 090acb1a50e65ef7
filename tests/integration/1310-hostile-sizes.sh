#!/usr/bin/env bash
# 1310: counts and sizes a hostile target chooses (issue 13). fixtures/go/hostile
# corrupts its own registry before "ready" (its -mode), after writing the
# runtime's account of its real goroutines (runtime.Stack(all)) to its -stacks
# file and, on stderr, how many fake gs it added ("fakes=K first=ID": ids ID..).
# On every Go built (go1.19, go1.26 at least), against a baseline measured in
# the same run on the same program uncorrupted (-mode none): the pause and
# inspect's peak memory (GNU time's maximum RSS):
#   1.N  baselines: the runtime's goroutines, no note; with 200 parked goroutines,
#        and with 1,300 (as many gs as stack-1G lists)
#   2.N  allglen-4M (4M entries repeating every real g), allglen-1M: exit 0, the
#        runtime's goroutines each once, a note (JSON and text); the pause (the
#        least of 3) below 10 times the baseline's (the most of 3); peak memory
#        below the baseline's + 24 bytes per entry (it reserved and touched ~600
#        per entry before: 6 GB for 4M)
#   3.N  allglen-max (allglen 16M over the real, short array): exit 9, the array
#        outside its memory, peak memory below the baseline's + 16 MiB
#   4.N  stack-1G (1,100 fake gs claiming one 64 MiB stack): every g reported,
#        the 1,099 overlapping stacks not copied with a note; the pause below 10
#        times the baseline's with 1,300 goroutines; peak memory below the
#        baseline's + 32 MiB (1 GiB reserved and copied while stopped before)
#   4b.N stack-garbage (50 fake gs claiming stack bounds [0x1000, 128 TiB)): those
#        50, and no other goroutine, have the note that their bounds are no
#        stack's (the first would hide every real stack as overlapping it)
#   5.N  waitstrings (runtime.waitReasonStrings corrupt): exit 0 (9 before), the
#        release's table with a note, the parked goroutines in "chan receive"
#   6.N  allm-cycle (the runtime's M list made a loop): exit 9 as soon as the
#        walk comes back to an M (it walked 100,000 Ms, 0.7 s of pause, before)
# After each dump the fixture is alive and beating, untraced (fixture_alive).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FIXTURE_PROG=hostile
TIME=/usr/bin/time

# run_dump MODE-LABEL ARGS...: inspect ARGS with its peak RSS (KiB) in $RSS.
run_dump() {
	RC=0
	"$TIME" -f %M -o "$TEST_TMP/rss" "$INSPECT" "$@" >"$OUT" 2>"$ERR" || RC=$?
	RSS=$(tail -n 1 "$TEST_TMP/rss")
}

# pauses N: N JSON dumps of the fixture; their pauses (ms), one a line, in
# $TEST_TMP/pauses; the JSON of the last in $OUT, its RSS in $RSS.
pauses() {
	local i
	: >"$TEST_TMP/pauses"
	for ((i = 0; i < $1; i++)); do
		run_dump dump --format json "$FIXTURE_PID"
		((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
		jq -r .pause_ms "$OUT" >>"$TEST_TMP/pauses"
	done
}

least() { sort -g "$TEST_TMP/pauses" | head -n 1; }
most() { sort -g "$TEST_TMP/pauses" | tail -n 1; }

# The runtime's account: ids of its goroutines before the corruption, and
# those of the fake gs the fixture added.
account() {
	local fakes first
	awk '/^goroutine [0-9]+ / { print $2 }' "$FIXTURE_DIR/stacks"
	fakes=$(sed -n 's/^fakes=\([0-9]*\) .*/\1/p' "$FIXTURE_DIR/stderr")
	first=$(sed -n 's/^fakes=[0-9]* first=\([0-9]*\)$/\1/p' "$FIXTURE_DIR/stderr")
	((fakes == 0)) || seq "$first" $((first + fakes - 1))
}

# same_account: the JSON's ids are the account's, each once.
same_account() {
	diff <(account | sort -n) <(jq '.goroutines[].id' "$OUT" | sort -n) >"$TEST_TMP/diff" ||
		{ echo "ids differ (< the runtime's account, > inspect): $(head -n 6 "$TEST_TMP/diff" | tr '\n' ' ')" >&2; return 1; }
}

has_note() {
	jq -e --arg re "$1" 'any(.notes[]; test($re))' "$OUT" >/dev/null ||
		{ echo "no note /$1/ in $(jq -c .notes "$OUT")" >&2; return 1; }
}

# below WHAT VALUE LIMIT: VALUE < LIMIT (decimals).
below() {
	awk -v v="$2" -v l="$3" 'BEGIN { exit !(v < l) }' ||
		{ echo "$1 is $2, not below $3" >&2; return 1; }
}

# figures LABEL: the pauses and peak RSS of the last case, as a TAP comment.
figures() {
	echo "# $1: pause $(least)-$(most) ms, peak RSS $((RSS / 1024)) MiB"
}

case_baseline() {
	pauses 3 || return 1
	BASE_PAUSE=$(most) BASE_RSS=$RSS
	[[ $1 == 200 ]] || BASE_PAUSE_MANY=$(most)
	same_account || return 1
	[[ $(jq '.notes | length' "$OUT") == 0 ]] || { echo "notes: $(jq -c .notes "$OUT")" >&2; return 1; }
	fixture_alive
}

case_dups() {
	local entries
	entries=$(sed -n 's/^entries=//p' "$FIXTURE_DIR/stderr")
	pauses 3 &&
		same_account &&
		has_note "runtime.allgs lists a g more than once \\([0-9]+ of its $entries entries\\): each g is reported once" &&
		below "the pause (ms, least of 3)" "$(least)" "$(awk -v b="$BASE_PAUSE" 'BEGIN { print 10 * b }')" &&
		below "peak RSS (KiB)" "$RSS" $((BASE_RSS + entries * 24 / 1024)) &&
		fixture_alive || return 1
	run_dump dump "$FIXTURE_PID"
	((RC == 0)) && grep -q "lists a g more than once" "$OUT" ||
		{ echo "text dump: exit $RC, no note: $(tail -n 3 "$OUT")" >&2; return 1; }
	fixture_alive
}

case_max() {
	run_dump dump --format json "$FIXTURE_PID"
	expect_status 9 "runtime.allglen is 16777216, but the memory at runtime.allgptr holds [0-9]+ entries" &&
		below "peak RSS (KiB)" "$RSS" $((BASE_RSS + 16 * 1024)) &&
		fixture_alive
}

case_stacks() {
	pauses 3 &&
		same_account &&
		has_note "the stacks of 1099 goroutines were not copied: their bounds overlap" &&
		[[ $(jq '[.goroutines[] | select(.note != null and (.note | test("overlap")))] | length' "$OUT") == 1099 ]] &&
		below "the pause (ms, least of 3)" "$(least)" "$(awk -v b="$BASE_PAUSE_MANY" 'BEGIN { print 10 * b }')" &&
		below "peak RSS (KiB)" "$RSS" $((BASE_RSS + 32 * 1024)) &&
		fixture_alive
}

case_garbage() {
	local noted want
	run_dump dump --format json "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	same_account || return 1
	noted=$(jq '[.goroutines[] | select(.note != null) | .id] | sort | join(" ")' "$OUT")
	want=$(jq -n '[range(100000; 100050)] | join(" ")')
	[[ $noted == "$want" ]] || { echo "goroutines with a note: $noted" >&2; return 1; }
	[[ $(jq '[.goroutines[] | select(.note != null and (.note | test("bounds are no stack")))] | length' "$OUT") == 50 ]] ||
		{ echo "notes: $(jq -c '[.goroutines[].note | select(. != null)] | unique' "$OUT")" >&2; return 1; }
	fixture_alive
}

case_waitstrings() {
	local parked
	run_dump dump --format json "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	same_account &&
		has_note "runtime.waitReasonStrings is corrupt .*: the wait reasons are go1\\.[0-9]+\\.[0-9]+'s, from inspect's table" &&
		parked=$(jq '[.goroutines[] | select(.wait_reason == "chan receive")] | length' "$OUT") &&
		# the 200 parked on block, the 3 on Ch (main waits on its signals too)
		((parked >= 203)) || { echo "$parked goroutines in chan receive, want 203 or more" >&2; return 1; }
	fixture_alive
}

case_mloop() {
	heartbeat_stall_ms >/dev/null || return 1
	run_dump dump --format json "$FIXTURE_PID"
	expect_status 9 "the list of Ms \(runtime.allm\) loops back to M 0x[0-9a-f]+" || return 1
	echo "# 6 allm-cycle: heartbeat stall $(heartbeat_stall_ms) ms"
	fixture_alive
}

[[ -x $TIME ]] || _lib_bail "$TIME is missing (Debian package time: tools/deps.sh)"
ran=0
for ver in $(fixture_versions); do
	[[ -x $FIXTURES/$ver/hostile ]] || { skip "$ver" "hostile is not built"; continue; }
	ran=1
	for n in 1300 200; do
		fixture_start "$ver" $n -mode none
		check "1.$ver baseline, $n parked" case_baseline $n
		figures "1.$ver baseline, $n parked"
		fixture_stop
	done
	for mode in allglen-4M allglen-1M; do
		fixture_start "$ver" 200 -mode $mode
		check "2.$ver $mode: each g once, a note, pause and memory bounded" case_dups
		figures "2.$ver $mode"
		fixture_stop
	done
	fixture_start "$ver" 200 -mode allglen-max
	check "3.$ver allglen-max: exit 9, memory bounded" case_max
	echo "# 3.$ver allglen-max: peak RSS $((RSS / 1024)) MiB"
	fixture_stop
	fixture_start "$ver" 200 -mode stack-1G
	check "4.$ver stack-1G: overlapping stacks not copied, pause and memory bounded" case_stacks
	figures "4.$ver stack-1G"
	fixture_stop
	fixture_start "$ver" 200 -mode stack-garbage
	check "4b.$ver stack-garbage: only the fakes' stacks are refused" case_garbage
	fixture_stop
	fixture_start "$ver" 200 -mode waitstrings
	check "5.$ver waitstrings: the release's table, a note" case_waitstrings
	fixture_stop
	fixture_start "$ver" 200 -mode allm-cycle
	check "6.$ver allm-cycle: exit 9, the loop found" case_mloop
	fixture_stop
done
((ran)) || skip "hostile" "no fixture built"
