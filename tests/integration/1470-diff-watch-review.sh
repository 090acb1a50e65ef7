#!/bin/bash
# 1470-diff-watch-review: what review found in inspect diff and inspect watch
# (issue 14), on the leak fixture (fixtures/go/leaksvc, its batches as in
# 1450-diff-watch.sh), the hostile names of fixtures/go/shaped and the synctest
# bubbles of fixtures/go/bubbles.
#
# Oracles: the fixture's own totals and the runtime's traceback (its words
# between the brackets), and the dump's own JSON of the same process.
#
# For Go 1.19 and 1.26, leaksvc as built (GOVER) and with -s -w (GOVER-sw):
#   $V 1.0  dump --stacks, a batch, dump --stacks; diff --group stack --format
#           json from an empty capture: a bucket per distinct stack of the
#           capture, each with its stack_id and frames (the capture's), ids
#           equal exactly where the stacks are; counts the capture's
#   $V 1.1  the same in text: one line per stack, no two alike, each with
#           "stack ID" as the JSON says
#   $V 1.2  --group stack of a capture without stacks: refused (exit 2), not
#           every goroutine of a reason in one bucket
# and once (go1.26):
#   2.0  a missing option argument: "option '--min-delta' needs an argument"
#        (diff), '--interval', '--count' (watch): exit 64
#   2.1  /dev/zero, /dev/urandom: "neither JSON nor a goroutine profile", exit
#        2, at once (RSS < 64 MB); a JSON past 128 MiB: "larger than a capture
#        can be (128 MiB)" with how to take a smaller one, RSS < 64 MB
#   2.2  a field of a wrong type ("user_top": 5) is refused naming it;
#        wait_seconds 1e300 is read
#   3.0  watch --interval 1ms: refused, saying 100ms; --count 1: "1 capture;"
#   3.0b watch --with label:tenant=zzz: "no goroutine matches" on the line
#   3.1  watch --group stack: a row per stack (it took none before), each with
#        its stack id, main.compute's count the fixture's total
#   3.2  watch --interval 400ms --count 10, a batch after #1: the table shows
#        #3..#10, main.compute's counts the fixture's total, "growing" and a
#        slope from the first capture's count (kept past the 8 columns)
#   4.0  shaped (hostile names), a pprof capture (names as the target has
#        them): diff's text columns aligned as printed (the last at one
#        offset), its JSON's names escaped as the dump's JSON (the same
#        strings, no \u001b)
#   5.0  bubbles: the dump's wait_words are the runtime's words; diff of a
#        capture without wait_words (written before them) against it: every
#        bucket the same, keys with the bubble
# Every dump and watch checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leaksvc.sh"

FIXTURE_PROG=leaksvc
QUIET=(--without func=main.heartbeat)
EMPTY=$TEST_TMP/empty.json
echo '{"schema_version": 1, "goroutines": []}' >"$EMPTY"

stack_captures() {
	CAPTURED=
	dump_json --stacks "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/A.json"
	batch || return 1
	dump_json --stacks "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/B.json"
	CAPTURED=1
}

# The capture's stacks: "COUNT<TAB>FRAMES" (FRAMES as JSON), sorted.
capture_stacks() {
	jq -c '.goroutines | group_by([.frames[] | [.func, .file, .line]]) | .[] |
		[length, [.[0].frames[] | {func, file, line}]]' "$1" | sort
}

stack_json_ok() {
	local got want ids
	inspect_run diff --group stack --format json "$EMPTY" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	# per stack: the goroutines of the capture (several buckets may share one
	# stack when their reasons differ: summed)
	got=$(jq -c '[.buckets[] | {s: .stack, n: .new}] | group_by(.s) | .[] |
		[(map(.n) | add), .[0].s]' "$OUT" | sort)
	want=$(capture_stacks "$TEST_TMP/B.json")
	[[ $got == "$want" ]] || { echo "stacks of diff: $(head -c 400 <<<"$got"); of the capture: $(head -c 400 <<<"$want")" >&2; return 1; }
	# one id per stack, one stack per id
	ids=$(jq -r '[.buckets[] | [.stack_id, (.stack | tojson)]] | unique | .[] | @tsv' "$OUT")
	(($(cut -f 1 <<<"$ids" | sort -u | wc -l) == $(wc -l <<<"$ids"))) &&
		(($(cut -f 2 <<<"$ids" | sort -u | wc -l) == $(wc -l <<<"$ids"))) ||
		{ echo "stack ids and stacks do not match one to one: $ids" >&2; return 1; }
	# the leak's bucket: the fixture's total
	got=$(jq '[.buckets[] | select(.frame.func == "main.compute") | .new] | add' "$OUT")
	[[ $got == "$(leak total)" ]] || { echo "main.compute: $got, the fixture says $(leak total)" >&2; return 1; }
}

no_stacks_ok() {
	jq -c 'del(.goroutines[].frames, .goroutines[].frames_cut)' "$TEST_TMP/A.json" >"$TEST_TMP/flat.json"
	inspect_run diff --group stack "$TEST_TMP/flat.json" "$TEST_TMP/B.json"
	expect_status 2 "^inspect: '[^']*/flat.json' has no stacks to group by: capture with inspect dump --format json --stacks" || return 1
	[[ ! -s $OUT ]] || { echo "output on stdout" >&2; return 1; }
}

watch_stack_ok() {
	local rows
	inspect_run watch --count 1 --group stack "${QUIET[@]}" "$FIXTURE_PID"
	((RC == 0)) || { echo "watch --group stack: exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	rows=$(grep -E '^ +[0-9]+ +- ' "$OUT")
	[[ -n $rows ]] || { echo "no rows: $(cat "$OUT")" >&2; return 1; }
	(($(grep -cE ' stack [0-9a-f]{8}$' <<<"$rows") == $(wc -l <<<"$rows"))) || { echo "a row without its stack: $rows" >&2; return 1; }
	(($(grep -oE ' stack [0-9a-f]{8}$' <<<"$rows" | sort -u | wc -l) == $(wc -l <<<"$rows"))) || { echo "ids repeat: $rows" >&2; return 1; }
	[[ $(awk '/ main\.compute / { print $1 }' <<<"$rows") == "$(leak total)" ]] || { echo "main.compute: $rows" >&2; return 1; }
	unharmed "$(max_pause "$OUT")"
}

stack_text_ok() {
	local lines ids
	inspect_run diff --group stack "$EMPTY" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "diff exited $RC, want 1" >&2; return 1; }
	lines=$(grep -E '^ +\+[0-9]' "$OUT")
	[[ -z $(sort <<<"$lines" | uniq -d) ]] || { echo "identical lines: $(sort <<<"$lines" | uniq -d)" >&2; return 1; }
	ids=$(grep -oE ' stack [0-9a-f]{8}$' <<<"$lines" | awk '{ print $2 }' | sort)
	[[ $ids == "$(jq -r '.buckets[].stack_id' <("$INSPECT" diff --group stack --format json "$EMPTY" "$TEST_TMP/B.json" || true) | sort)" ]] ||
		{ echo "text stack ids differ from the JSON's: $ids" >&2; return 1; }
	(($(wc -l <<<"$lines") == $(wc -l <<<"$ids"))) || { echo "a line without its stack id: $lines" >&2; return 1; }
}

missing_arg_ok() {
	local a
	for a in "diff $EMPTY $EMPTY --min-delta:--min-delta" "diff $EMPTY $EMPTY --group:--group" \
		"diff $EMPTY $EMPTY --format:--format" "watch $FIXTURE_PID --interval:--interval" \
		"watch $FIXTURE_PID --count:--count" "watch $FIXTURE_PID --with:--with"; do
		inspect_run ${a%%:*}
		expect_status 64 "^inspect: option '${a#*:}' needs an argument$" || { echo "for ${a%%:*}" >&2; return 1; }
	done
}

# rss_run ARGS...: inspect_run, its peak RSS (KB) in RSS.
rss_run() {
	RC=0
	/usr/bin/time -f %M -o "$TEST_TMP/rss" "$INSPECT" "$@" >"$OUT" 2>"$ERR" || RC=$?
	RSS=$(tail -n 1 "$TEST_TMP/rss")
}

bad_bytes_ok() {
	local f big=$TEST_TMP/big.json
	for f in /dev/zero /dev/urandom; do
		rss_run diff "$f" "$EMPTY"
		expect_status 2 "^inspect: '$f' is not a capture: neither JSON nor a goroutine profile" || return 1
		((RSS < 65536)) || { echo "$f: $RSS KB of RSS" >&2; return 1; }
	done
	{ printf '{"goroutines": ['; head -c $((129 << 20)) /dev/zero | tr '\0' ' '; printf ']}'; } >"$big"
	rss_run diff "$EMPTY" "$big"
	rm -f "$big"
	expect_status 2 "^inspect: '$big' is larger than a capture can be \(128 MiB\): take a smaller one \(dump --stacks=N" || return 1
	((RSS < 65536)) || { echo "a 129 MiB file: $RSS KB of RSS" >&2; return 1; }
}

wrong_type_ok() {
	jq -c '.goroutines[1].user_top = 5' "$TEST_TMP/A.json" >"$TEST_TMP/type.json"
	inspect_run diff "$TEST_TMP/A.json" "$TEST_TMP/type.json"
	expect_status 2 "^inspect: '[^']*/type.json' is not a capture: goroutine 1 has \"user_top\" a int, not a object$" || return 1
	jq -c '.goroutines[0].wait_seconds = 1e300' "$TEST_TMP/A.json" >"$TEST_TMP/huge.json"
	inspect_run diff "$TEST_TMP/A.json" "$TEST_TMP/huge.json"
	((RC == 0)) || { echo "wait_seconds 1e300: exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
}

watch_small_ok() {
	inspect_run watch --interval 1ms --count 1 "$FIXTURE_PID"
	expect_status 64 "^inspect: --interval takes a duration from 100ms" || return 1
	inspect_run watch --count 1 "${QUIET[@]}" "$FIXTURE_PID"
	((RC == 0)) || { echo "watch --count 1: exit $RC" >&2; return 1; }
	grep -q '^process .* every 10 s, 1 capture; each pauses it' "$OUT" || { echo "header: $(head -n 1 "$OUT")" >&2; return 1; }
	unharmed "$(max_pause "$OUT")" || return 1
	inspect_run watch --count 1 --with label:tenant=zzz "$FIXTURE_PID"
	((RC == 0)) || { echo "watch --with label:tenant=zzz: exit $RC" >&2; return 1; }
	grep -qE '^#1 .* 0 goroutines  slope -  \| no goroutine matches$' "$OUT" || { echo "line: $(grep '^#1' "$OUT")" >&2; return 1; }
	unharmed "$(max_pause "$OUT")"
}

watch_window_ok() {
	local out=$TEST_TMP/watch.out w rc=0 t0 t1 row
	"$INSPECT" watch --interval 400ms --count 10 "${QUIET[@]}" "$FIXTURE_PID" >"$out" 2>"$TEST_TMP/watch.err" &
	w=$!
	t0=$(leak total)
	wait_line "$out" "^#1 " && batch || { kill "$w"; wait "$w" || true; return 1; }
	t1=$(leak total)
	wait "$w" || rc=$?
	((rc == 0)) || { echo "watch exited $rc: $(head -c 300 "$TEST_TMP/watch.err")" >&2; return 1; }
	grep -qE '^ +#3 +#4 +#5 +#6 +#7 +#8 +#9 +#10 +slope$' "$out" || { echo "columns: $(grep slope "$out" | tail -n 1)" >&2; return 1; }
	row=$(grep '  main.compute ' "$out" | grep -v '^#')
	# the batch came before #3 (800 ms after #1): every column shows it, and
	# only the first capture's count, kept, makes it growing
	[[ $(awk '{ print $1, $8, $10 }' <<<"$row") == "$t1 $t1 growing" ]] ||
		{ echo "main.compute row: $row; want $t1 ... $t1 +N/min growing (from $t0)" >&2; return 1; }
	[[ $(awk '{ print $9 }' <<<"$row") =~ ^\+[0-9]+/min$ ]] || { echo "slope of $row" >&2; return 1; }
	unharmed "$(max_pause "$out")"
}

shaped_ok() {
	local offs
	# a profile holds the names as the JSON dump escapes them, and its newlines
	# and tabs as \x0a and \x09 (pprof prints a name on one line: out-pprof.c);
	# the JSON dump then checks the fixture unharmed over both
	inspect_run dump --format pprof "$FIXTURE_PID"
	((RC == 0)) || { echo "dump --format pprof exited $RC" >&2; return 1; }
	cp "$OUT" "$TEST_TMP/shaped.pb"
	dump_json || return 1
	cp "$OUT" "$TEST_TMP/shaped.json"
	inspect_run diff "$EMPTY" "$TEST_TMP/shaped.pb"
	((RC == 1)) || { echo "diff exited $RC" >&2; return 1; }
	# where the last column (file:line) starts, as printed
	offs=$(grep -E '^ +\+[0-9]' "$OUT" | sed -E 's/[^ ]+$//' | awk '{ print length($0) }' | sort -u)
	[[ $(wc -l <<<"$offs") == 1 ]] || { echo "the last column at offsets $(echo $offs): $(cat -v "$OUT")" >&2; return 1; }
	inspect_run diff --format json "$EMPTY" "$TEST_TMP/shaped.pb"
	! grep -q 'u001b' "$OUT" || { echo "diff's JSON has \\u001b" >&2; return 1; }
	diff <(jq -r '.buckets[].frame.func' "$OUT" | sort -u) \
		<(jq -r '.goroutines[] | select(.status != "running") | .user_top.func // .top.func |
			gsub("\n"; "\\x0a") | gsub("\t"; "\\x09")' "$TEST_TMP/shaped.json" | sort -u) >&2 ||
		{ echo "names differ (< diff, > dump)" >&2; return 1; }
}

bubbles_ok() {
	local want
	dump_json || return 1
	cp "$OUT" "$TEST_TMP/bub.json"
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	want=$(sed -nE 's/^goroutine ([0-9]+) (gp=.* )?\[(.*, synctest bubble [0-9]+)\]:$/\1\t\3/p' "$FIXTURE_DIR/stacks" |
		sed -E 's/, [0-9]+ minutes//; s/, locked to thread//' | sort)
	[[ -n $want ]] || { echo "the runtime shows no bubble" >&2; return 1; }
	diff <(echo "$want") <(jq -r '.goroutines[] | select(.wait_words) | "\(.id)\t\(.wait_words)"' "$TEST_TMP/bub.json" | sort) >&2 ||
		{ echo "wait_words differ (< runtime, > inspect)" >&2; return 1; }
	jq -c 'del(.goroutines[].wait_words)' "$TEST_TMP/bub.json" >"$TEST_TMP/old.json"
	inspect_run diff --group reason --format json "$TEST_TMP/old.json" "$TEST_TMP/bub.json"
	((RC == 0)) || { echo "diff exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	[[ $(jq '[.buckets[] | select(.change != "same")] | length' "$OUT") == 0 ]] || { echo "changed: $(head -c 300 "$OUT")" >&2; return 1; }
	[[ $(jq '[.buckets[] | select(.key | test(", synctest bubble [0-9]+$"))] | length' "$OUT") -ge 2 ]] ||
		{ echo "no bubble in the keys: $(jq -c '[.buckets[].key]' "$OUT")" >&2; return 1; }
}

for v in go1.19 go1.26; do
	for prog in leaksvc leaksvc-sw; do
		name=$v${prog#leaksvc}
		if [[ ! -x $FIXTURES/$v/$prog ]]; then
			skip "$name" "$v/$prog is not built (make fixtures)"
			continue
		fi
		FIXTURE_NAME=$prog fixture_start "$v" 1
		check "$name 1.0a dump --stacks, a batch, dump --stacks" stack_captures
		# check passes on: the captures, when they were taken (a stall fails 1.0a)
		if [[ $CAPTURED ]]; then
			check "$name 1.0 diff --group stack: a bucket per stack, its id and frames" stack_json_ok
			check "$name 1.1 the text: a line per stack with its id" stack_text_ok
			check "$name 1.2 diff --group stack of a capture without stacks: refused" no_stacks_ok
		fi
		if [[ $name == go1.26 ]]; then
			check "2.0 a missing option argument is named" missing_arg_ok
			check "2.1 bytes of no capture refused at once, a big one bounded" bad_bytes_ok
			check "2.2 a field of a wrong type refused, a huge wait read" wrong_type_ok
			check "3.0 watch: the interval's floor, 1 capture" watch_small_ok
			check "3.1 watch --group stack: a row per stack, with its id" watch_stack_ok
			check "3.2 watch past 8 captures: the last 8 shown, the slope from the first" watch_window_ok
		fi
		fixture_stop
	done
done
if [[ -x $FIXTURES/go1.26/shaped ]]; then
	FIXTURE_NAME=shaped fixture_start go1.26 1
	check "4.0 shaped: diff's columns aligned as printed, names escaped as the dump's" shaped_ok
	fixture_stop
fi
if [[ -x $FIXTURES/go1.26/bubbles ]]; then
	FIXTURE_NAME=bubbles fixture_start go1.26 2
	check "5.0 bubbles: wait_words the runtime's; an older capture grouped alike" bubbles_ok
	fixture_stop
fi
