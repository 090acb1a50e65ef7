#!/bin/bash
# 1440-json-ages: the JSON document's schema fields (schema_version, captured_at,
# started_at, uptime_seconds, inspect_version, gc_cycles, gc_started, group_by,
# groups with their sites) and each report line's newest and oldest wait, on the
# ages fixture (fixtures/go/ages/main.go: GC off but for its own runtime.GC()
# calls gc0, gc1, gc2, each printed "gcK START END" on stderr; generation 1 of
# -n goroutines in each of main.waitHere and main.waitThere parks after gc0 and
# a -gap of sleep, and gc1 stamps it with gc0's end; generation 2 (-n more of
# each) is stamped by gc2 with gc1's end; generation 3 (-n more in waitHere, -n
# in waitLate) is never stamped; "numgc N" is the runtime's count of cycles).
#
# Oracles: the clock of this script around each dump; /proc/PID/stat's
# starttime (with /proc/stat's btime, and the boot's moment from the real and
# boot-time clocks); the fixture's own prints of its GC times and of
# runtime.ReadMemStats' NumGC; the text report, for the JSON's groups; and the
# runtime's traceback (runtime.Stack on SIGUSR2: "[chan receive, 1 minutes]").
#
# For each Go toolchain built (GOVER), the ages fixture (-n 2, -gap 2s):
#   $GOVER 1.0  JSON: schema_version 1, inspect_version is `inspect --version`'s,
#               captured_at (RFC 3339, UTC, ms) within this script's clock
#               around the dump, started_at the process's start by
#               /proc/PID/stat (to 20 ms by the boot's moment; 0-1 s after
#               btime + starttime, as ps counts it), uptime_seconds their
#               difference; the text header's "up N s" is that uptime; no '\/'
#   $GOVER 1.1  for --group reason, stack, func, creator and label=tenant: JSON's
#               group_by, and its groups (key, count) and sites (count, frame or
#               reason, file:line, creator, example ids, on a thread or not) are
#               the text report's blocks and lines; a site's thread is its first
#               example goroutine's
#   $GOVER 2.0  JSON sites: main.waitThere waited newest since gc1's end and
#               oldest since gc0's, within the fixture's times around them;
#               main.waitHere the same, with its -n of generation 3 unknown;
#               main.waitLate none known; each site's range is that of its
#               goroutines' wait_seconds; gc_cycles is the runtime's NumGC
#   $GOVER 2.1  the text's lines: "waiting NEWEST-OLDEST s" (main.waitThere),
#               "waiting ?-OLDEST s" (main.waitHere), "waiting ?" (main.waitLate),
#               in whole seconds within the same bounds; the note explains them
# the ages fixture and its stripped build (ages-sw) with no GC (-nogc), one
# cycle (-gc1) and three:
#   $GOVER 3.0  -nogc: "no wait time is known: no GC has run in this process
#               yet", no line says "waiting"; JSON gc_started false, gc_cycles
#               the runtime's 0 (null when stripped: no symbols to find it)
#   $GOVER 3.1  -gc1: "one GC cycle has run, which stamps none" (gc_cycles 1);
#               stripped: "no GC cycle has found these goroutines waiting yet"
#               (gc_started true, gc_cycles null)
#   $GOVER 3.2  stripped, three cycles: the same waits as 2.0 (g.waitsince from
#               the table's layout), gc_started true
# and, not under the sanitizers (INSPECT_SANITIZED; the minutes are the
# runtime's arithmetic, which the plain run checks), a fixture with -gap 40s
# checked a minute after gc0:
#   $GOVER 4.0  main.waitThere's text line is "waiting N s-1 min" and
#               main.waitHere's "waiting ?-1 min": the oldest in minutes is the
#               runtime's largest ", M minutes" of the line's goroutines, and
#               those of generation 2 have none (under a minute)
# Every dump checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_PROG=ages
N=2

now_ms() { date +%s%3N; }

# ms_of RFC3339: Unix ms.
ms_of() { date -d "$1" +%s%3N; }

# dump_text [ARGS...]: the text report into $TEST_TMP/text, then unharmed.
dump_text() {
	inspect_run dump "$@" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	cp "$OUT" "$TEST_TMP/text"
	unharmed "$(sed -nE '1s/.*  paused ([0-9.]+) ms$/\1/p' "$TEST_TMP/text")"
}

# gc_time K START|END: the fixture's time of gcK, Unix ns.
gc_time() {
	awk -v k="gc$1" -v f="$2" '$1 == k { print (f == "START" ? $2 : $3) }' "$FIXTURE_DIR/stderr"
}

schema_ok() {
	local before after cap start up ticks hz btime boot proc_ms diff
	before=$(now_ms)
	dump_json || return 1
	after=$(now_ms)
	cp "$OUT" "$TEST_TMP/meta.json"
	dump_text || return 1
	jq -e --arg v "$("$INSPECT" --version | cut -d' ' -f2)" \
		'.schema_version == 1 and .inspect_version == $v and .group_by == "reason"' \
		"$TEST_TMP/meta.json" >/dev/null || { echo "schema_version, inspect_version or group_by" >&2; return 1; }
	cap=$(jq -r .captured_at "$TEST_TMP/meta.json")
	start=$(jq -r .started_at "$TEST_TMP/meta.json")
	[[ $cap =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ &&
		$start =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] ||
		{ echo "captured_at '$cap', started_at '$start': not RFC 3339 UTC with ms" >&2; return 1; }
	cap=$(ms_of "$cap") start=$(ms_of "$start")
	((cap >= before && cap <= after)) || { echo "captured_at $cap not in [$before, $after]" >&2; return 1; }
	# starttime (field 22) in clock ticks since boot
	ticks=$(sed 's/.*) //' "/proc/$FIXTURE_PID/stat" | awk '{ print $20 }')
	hz=$(getconf CLK_TCK)
	boot=$(python3 -c 'import time; print(int((time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)) * 1000))')
	proc_ms=$((boot + ticks * 1000 / hz))
	diff=$((start - proc_ms))
	((diff >= -20 && diff <= 20)) || { echo "started_at $start, /proc/PID/stat says $proc_ms" >&2; return 1; }
	btime=$(awk '$1 == "btime" { print $2 }' /proc/stat)
	diff=$((start - (btime * 1000 + ticks * 1000 / hz)))
	((diff >= -10 && diff <= 1010)) || { echo "started_at $start is $diff ms after btime + starttime" >&2; return 1; }
	up=$(jq -r '.uptime_seconds * 1000 | round' "$TEST_TMP/meta.json")
	((up >= cap - start - 2 && up <= cap - start + 2)) ||
		{ echo "uptime_seconds $up ms, captured_at - started_at $((cap - start)) ms" >&2; return 1; }
	# the text's dump came later, by less than its own second
	up=$(sed -nE '1s/.*  up ([0-9]+) s  .*/\1/p' "$TEST_TMP/text")
	[[ -n $up ]] && ((up * 1000 >= (cap - start) / 1000 * 1000 && up * 1000 <= cap - start + 2000)) ||
		{ echo "text header: '$(head -n 1 "$TEST_TMP/text")', uptime $((cap - start)) ms" >&2; return 1; }
	! grep -qF '\/' "$TEST_TMP/meta.json" || { echo "JSON escapes '/'" >&2; return 1; }
}

# text_groups FILE: the report's blocks ("G COUNT KEY") and lines ("S COUNT
# REST"), blanks squeezed, without the waits (2.1 checks them) and the thread (a
# goroutine in a syscall may wake on another between two dumps: the heartbeat's
# signal wakes os/signal.loop).
text_groups() {
	awk 'NR > 1 && !/^sources: / {
		if (/^ +[0-9,]+  /) {
			l = $0
			sub(/  waiting [?0-9][^ ]*( [a-z]+(-[0-9]+ [a-z]+)?)?/, "", l)
			sub(/  on thread [0-9]+$/, " on thread", l)
			gsub(/ +/, " ", l); sub(/^ /, "", l)
			print (blank ? "G " : "S ") l
		}
		blank = ($0 == "")
	}' "$1"
}

# json_groups FILE: the same from the JSON's groups and sites.
json_groups() {
	jq -r 'def base: sub(".*/"; "");
		.group_by as $by | .groups[] |
		"G \(.count) \(.key)",
		(.sites[] | "S \(.count) " +
			(if $by == "func" then .reason else (.frame.func // "?") end) + " " +
			(.frame.file | base) + ":\(.frame.line)" +
			(if .created_by then " created by \(.created_by.func) \(.created_by.file | base):\(.created_by.line)" else "" end) +
			" e.g. " + (.examples | map(tostring) | join(" ")) +
			(if .thread then " on thread" else "" end))' "$1"
}

groups_ok() {
	local by=$1 want=$2
	dump_json --group "$by" --without func=main.heartbeat || return 1
	cp "$OUT" "$TEST_TMP/groups.json"
	dump_text --group "$by" --without func=main.heartbeat || return 1
	jq -e --arg by "$want" '.group_by == $by' "$TEST_TMP/groups.json" >/dev/null ||
		{ echo "group_by $(jq .group_by "$TEST_TMP/groups.json"), want $want" >&2; return 1; }
	diff <(text_groups "$TEST_TMP/text") <(json_groups "$TEST_TMP/groups.json") >&2 ||
		{ echo "--group $by: JSON's groups differ from the text's (< text, > JSON)" >&2; return 1; }
	[[ $(text_groups "$TEST_TMP/text" | grep -c '^G ') -gt 0 ]] || { echo "no block parsed" >&2; return 1; }
	# a site's thread is its first example's, in the same document
	jq -e '([.goroutines[] | {key: (.id | tostring), value: .thread}] | from_entries) as $th |
		all(.groups[].sites[]; .thread == $th[.examples[0] | tostring])' "$TEST_TMP/groups.json" >/dev/null ||
		{ echo "a site's thread is not its first goroutine's" >&2; return 1; }
}

# in_range VALUE_MS LO_MS HI_MS WHAT
in_range() {
	(($1 >= $2 - 2 && $1 <= $3 + 2)) || { echo "$4: $1 ms, not in [$2, $3]" >&2; return 1; }
}

# site_ms FILE FUNC FIELD: a site's wait field in ms, or null.
site_ms() {
	jq -r --arg f "$2" --arg k "$3" '.groups[].sites[] | select(.frame.func == $f) | .[$k] |
		if . == null then "null" else . * 1000 | round end' "$1"
}

# cycles_json CYCLES: "runtime" is the fixture's print of the runtime's NumGC,
# "null" stays (a stripped build: no symbol to find memstats by).
cycles_json() {
	if [[ $1 == runtime ]]; then sed -n 's/^numgc //p' "$FIXTURE_DIR/stderr"; else echo null; fi
}

# waits_ok CYCLES: 2.0 and 3.2 on the dump in $OUT, taken between $before and
# $after; gc_cycles as cycles_json CYCLES says.
waits_ok() {
	local j=$OUT g0s g0e g1s g1e v
	g0s=$(($(gc_time 0 START) / 1000000)) g0e=$(($(gc_time 0 END) / 1000000))
	g1s=$(($(gc_time 1 START) / 1000000)) g1e=$(($(gc_time 1 END) / 1000000))
	for f in main.waitThere main.waitHere; do
		in_range "$(site_ms "$j" $f wait_oldest_seconds)" $((before - g0e)) $((after - g0s)) "$f oldest" &&
			in_range "$(site_ms "$j" $f wait_newest_seconds)" $((before - g1e)) $((after - g1s)) "$f newest" ||
			return 1
	done
	jq -e --argjson n $N '[.groups[].sites[] | select(.frame.func | startswith("main.wait")) |
		[.frame.func, .count, .wait_unknown]] | sort ==
		[["main.waitHere", 3 * $n, $n], ["main.waitLate", $n, $n], ["main.waitThere", 2 * $n, 0]]' "$j" >/dev/null ||
		{ echo "sites' counts and unknown waits: $(jq -c '[.groups[].sites[] | [.frame.func, .count, .wait_unknown]]' "$j")" >&2; return 1; }
	[[ $(site_ms "$j" main.waitLate wait_oldest_seconds) == null ]] || { echo "main.waitLate has a wait" >&2; return 1; }
	# each site's range is its goroutines' (the same document)
	jq -e '[.goroutines[] | select(.user_top.func | startswith("main.wait"))] as $gs |
		all(.groups[].sites[] | select(.frame.func | startswith("main.wait"));
			.frame.func as $f | [$gs[] | select(.user_top.func == $f) | .wait_seconds] as $w |
			.wait_newest_seconds == ([$w[] | select(. != null)] | min) and
			.wait_oldest_seconds == ([$w[] | select(. != null)] | max) and
			.wait_unknown == ([$w[] | select(. == null)] | length))' "$j" >/dev/null ||
		{ echo "a site's waits are not its goroutines'" >&2; return 1; }
	v=$(cycles_json "$1")
	jq -e --argjson v "$v" '.gc_cycles == $v and .gc_started == true' "$j" >/dev/null ||
		{ echo "gc_cycles $(jq .gc_cycles "$j"), want $v (the runtime's NumGC)" >&2; return 1; }
}

# text_waits_ok: 2.1 on $TEST_TMP/text, taken between $before and $after.
text_waits_ok() {
	local g0s g0e g1s g1e here there late
	g0s=$(($(gc_time 0 START) / 1000000)) g0e=$(($(gc_time 0 END) / 1000000))
	g1s=$(($(gc_time 1 START) / 1000000)) g1e=$(($(gc_time 1 END) / 1000000))
	here=$(sed -nE 's/^ +[0-9]+  main\.waitHere .*  waiting \?-([0-9]+) s$/\1/p' "$TEST_TMP/text")
	there=$(sed -nE 's/^ +[0-9]+  main\.waitThere .*  waiting ([0-9]+-)?([0-9]+) s$/\1\2/p' "$TEST_TMP/text")
	late=$(grep -cE '^ +[0-9]+  main\.waitLate .*  waiting \?$' "$TEST_TMP/text" || true)
	[[ -n $here && -n $there && $late == 1 ]] ||
		{ echo "lines: $(grep -E 'main\.wait' "$TEST_TMP/text" | tr -s ' ')" >&2; return 1; }
	[[ $there == *-* ]] || there="$there-$there"
	secs_in "$here" $((before - g0e)) $((after - g0s)) "main.waitHere oldest" &&
		secs_in "${there#*-}" $((before - g0e)) $((after - g0s)) "main.waitThere oldest" &&
		secs_in "${there%-*}" $((before - g1e)) $((after - g1s)) "main.waitThere newest" &&
		grep -qx "  waiting: the newest and the oldest wait on the line, as the runtime's traceback counts" "$TEST_TMP/text" ||
		{ echo "text waits: here $here, there $there; or the note is missing" >&2; return 1; }
}

# secs_in S LO_MS HI_MS WHAT: whole seconds S, rounded down, within the bounds.
secs_in() {
	(($1 >= ($2 - 2) / 1000 && $1 <= ($3 + 2) / 1000)) || { echo "$4: $1 s, not in [$2, $3] ms" >&2; return 1; }
}

# nogc_ok WHY CYCLES STARTED: the note says WHY; JSON gc_cycles (cycles_json
# CYCLES) and gc_started.
nogc_ok() {
	local why=$1 cycles started=$3
	dump_text || return 1
	grep -qx "  no wait time is known: $why" "$TEST_TMP/text" ||
		{ echo "no note '$why': $(tail -n 4 "$TEST_TMP/text")" >&2; return 1; }
	! grep -qE '  waiting [?0-9]' "$TEST_TMP/text" || { echo "a line says waiting" >&2; return 1; }
	cycles=$(cycles_json "$2")
	dump_json || return 1
	jq -e --argjson c "$cycles" --argjson s "$started" '.gc_cycles == $c and .gc_started == $s and
		all(.groups[].sites[]; .wait_oldest_seconds == null) and all(.goroutines[]; .wait_seconds == null)' \
		"$OUT" >/dev/null || { echo "JSON: $(jq -c '[.gc_cycles, .gc_started]' "$OUT"), want [$cycles, $started]" >&2; return 1; }
}

# The fixtures of 4.0 start first, one per Go, in the background (their gc0
# then 40 s of sleep), and are checked last.
declare -A slow_pid slow_dir
slow=
[[ -n ${INSPECT_SANITIZED-} ]] || slow=$(fixture_versions)
for gover in $slow; do
	slow_dir[$gover]=$(mktemp -d "$TEST_TMP/slow.XXXX")
	"$FIXTURES/$gover/ages" -n $N -gap 40s -heartbeat "${slow_dir[$gover]}/heartbeat" \
		-stacks "${slow_dir[$gover]}/stacks" >"${slow_dir[$gover]}/stdout" 2>"${slow_dir[$gover]}/stderr" &
	slow_pid[$gover]=$!
	_lib_pids+=("$!")
done

for gover in $(fixture_versions); do
	fixture_start "$gover" $N
	check "$gover 1.0 schema: version, captured_at, started_at, uptime" schema_ok
	check "$gover 1.1a --group reason: JSON groups and sites are the text's" groups_ok reason reason
	check "$gover 1.1b --group stack" groups_ok stack stack
	check "$gover 1.1c --group func" groups_ok func func
	check "$gover 1.1d --group creator" groups_ok creator creator
	check "$gover 1.1e --group label=tenant" groups_ok label=tenant label=tenant
	before=$(now_ms)
	check "$gover 2.0 dump" dump_json
	after=$(now_ms)
	check "$gover 2.0 JSON sites' waits: the fixture's GC times" waits_ok runtime
	before=$(now_ms)
	check "$gover 2.1 dump" dump_text
	after=$(now_ms)
	check "$gover 2.1 text lines' waits" text_waits_ok
	fixture_stop
	for prog in ages ages-sw; do
		[[ -x $FIXTURES/$gover/$prog ]] || continue
		if [[ $prog == ages ]]; then c=runtime one="one GC cycle has run, which stamps none"; else
			c=null one="no GC cycle has found these goroutines waiting yet"; fi
		FIXTURE_PROG=$prog fixture_start "$gover" $N -nogc -gap 0
		check "$gover $prog 3.0 no GC: the note, gc_started false" nogc_ok \
			"no GC has run in this process yet" "$c" false
		fixture_stop
		FIXTURE_PROG=$prog fixture_start "$gover" $N -gc1 -gap 0
		check "$gover $prog 3.1 one GC cycle: the note" nogc_ok "$one" "$c" true
		fixture_stop
	done
	[[ -x $FIXTURES/$gover/ages-sw ]] || continue
	FIXTURE_PROG=ages-sw fixture_start "$gover" $N
	before=$(now_ms)
	check "$gover ages-sw 3.2 dump" dump_json
	after=$(now_ms)
	check "$gover ages-sw 3.2 waits as unstripped" waits_ok null
	fixture_stop
done

# minutes_ok: 4.0 on the fixture in FIXTURE_PID/FIXTURE_DIR, a minute after gc0.
minutes_ok() {
	local rt here there
	dump_text || return 1
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	# ID<TAB>MINUTES (or -)<TAB>main.wait* of the runtime's traceback
	rt=$(awk '/^goroutine [0-9]+ \[/ { id = $2; m = "-"; if (match($0, /, [0-9]+ minutes/)) { m = substr($0, RSTART + 2, RLENGTH - 10) } }
		/^main\.wait[A-Za-z]+\(/ { f = $0; sub(/\(.*/, "", f); print id "\t" m "\t" f }' "$FIXTURE_DIR/stacks")
	here=$(sed -nE 's/^ +[0-9]+  main\.waitHere .*  waiting (.*)$/\1/p' "$TEST_TMP/text")
	there=$(sed -nE 's/^ +[0-9]+  main\.waitThere .*  waiting (.*)$/\1/p' "$TEST_TMP/text")
	# generation 1 (N of each) has the runtime's 1 minute, generation 2 none
	[[ $(awk -F '\t' '$3 == "main.waitThere" && $2 == 1' <<<"$rt" | wc -l) == "$N" &&
		$(awk -F '\t' '$3 == "main.waitThere" && $2 == "-"' <<<"$rt" | wc -l) == "$N" &&
		$(awk -F '\t' '$3 == "main.waitHere" && $2 == 1' <<<"$rt" | wc -l) == "$N" ]] ||
		{ echo "the runtime's minutes: $(tr '\n\t' '; ' <<<"$rt")" >&2; return 1; }
	[[ $here == "?-1 min" && $there =~ ^[0-9]+\ s-1\ min$ ]] ||
		{ echo "main.waitHere 'waiting $here', main.waitThere 'waiting $there'" >&2; return 1; }
	((${there%% *} < 60)) || { echo "main.waitThere newest ${there%% *} s" >&2; return 1; }
}

[[ -n $slow ]] || skip "4.0 wait minutes" "not under the sanitizers (a minute's wait; the plain run checks it)"
for gover in $slow; do
	FIXTURE_PID=${slow_pid[$gover]} FIXTURE_DIR=${slow_dir[$gover]}
	for ((i = 0; i < 900; i++)); do
		[[ $(<"$FIXTURE_DIR/stdout") == ready ]] && break
		kill -0 "$FIXTURE_PID" 2>/dev/null || _lib_bail "the ages fixture -gap 40s died"
		sleep 0.1
	done
	[[ $(<"$FIXTURE_DIR/stdout") == ready ]] || _lib_bail "the ages fixture -gap 40s is not ready"
	left=$(($(gc_time 0 END) / 1000000 + 61000 - $(now_ms)))
	((left <= 0)) || sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
	check "$gover 4.0 a minute on: the runtime's minutes" minutes_ok
	fixture_stop
done
