#!/bin/bash
# 1450-diff-watch: inspect diff over two JSON captures and inspect watch, on the
# leak fixture (fixtures/go/leaksvc/main.go): per batch, acme leaks 3 senders
# (main.compute in chan send, labelled tenant=acme), globex 2, initech 0; one
# batch before ready and one per SIGHUP, after which the fixture prints the
# totals ("batch K leaked acme=N globex=N initech=N total=N"). Healthy around it,
# constant: 4 main.worker (select), 3 main.subscribe (chan receive, one per
# tenant, labelled), 1 main.waitLock (sync.Mutex.Lock; semacquire on Go 1.19),
# main.main (select). main.heartbeat is left out of every capture
# (--without func=main.heartbeat): it sleeps 1 ms in a loop, and a capture may
# find it runnable.
#
# Oracles: the fixture's own totals, and the runtime's account of the leak
# (runtime.Stack: the goroutines in main.compute in chan send).
#
# For Go 1.19 and 1.26, as built (GOVER) and with -s -w (GOVER-sw):
#   $V 1.0  dump JSON, SIGHUP (a batch), dump JSON: diff --format json has the
#           main.compute bucket grew old -> new by the fixture's totals (and new
#           is the runtime's count), and every other bucket the same, with the
#           fixture's healthy counts; exit 1
#   $V 1.1  the text diff: one line, the main.compute bucket's, and the count
#           of the unchanged ones
#   $V 1.2  --min-delta D-1 exits 1, --min-delta D (the growth) exits 0
#   $V 1.3  --group label=tenant: each tenant's delta is the fixture's, initech
#           and the unlabelled unchanged; new counts are the leak + 1 subscriber
#   $V 2.0  watch --interval 1s --count 3, a batch (SIGHUP) after the first and
#           second lines: each line's main.compute count is the fixture's total
#           then; the table flags main.compute growing with those counts, and no
#           other bucket, all flat
# and once:
#   3.0  diff of bad files: not JSON, not a capture, an unknown schema_version,
#        missing, gzipped JSON (read as a profile: 1460), empty: exit 2 and a
#        message naming the file; a capture with schema_version 1 is read;
#        usage errors exit 64
#   3.1  watch: bad pid (exit 3), bad --interval/--count (64); SIGINT ends a
#        watch without --count: exit 0, the table printed, the fixture runs on
#   3.2  watch of a process that exits mid-watch: dump's exit status (3 or 8),
#        the lines and the table of the captures before
# Every dump and watch checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leaksvc.sh"

FIXTURE_PROG=leaksvc
QUIET=(--without func=main.heartbeat)

# captures: A.json, a batch, B.json; the totals before and after in T1 (KEY=N ...), T2.
captures() {
	CAPTURED=
	dump_json "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/A.json"
	T1="acme=$(leak acme) globex=$(leak globex) initech=$(leak initech) total=$(leak total)"
	batch || return 1
	dump_json "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/B.json"
	T2="acme=$(leak acme) globex=$(leak globex) initech=$(leak initech) total=$(leak total)"
	CAPTURED=1
}

diff_json_ok() {
	local t1 t2 got want rt
	t1=$(val "$T1" total) t2=$(val "$T2" total)
	inspect_run diff --format json "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	got=$(jq -c '[.buckets[] | select(.frame.func == "main.compute") | [.key, .old, .new, .delta, .change]]' "$OUT")
	want="[[\"chan send\",$t1,$t2,$((t2 - t1)),\"grew\"]]"
	[[ $got == "$want" ]] || { echo "main.compute bucket $got, want $want" >&2; return 1; }
	rt=$(runtime_goroutines | awk -F '\t' '$2 == "chan send" && $3 == "main.compute"' | wc -l)
	((rt == t2)) || { echo "the runtime has $rt main.compute in chan send, the fixture says $t2" >&2; return 1; }
	got=$(jq -r '.buckets[] | select(.frame.func != "main.compute") | select(.delta != 0 or .change != "same") |
		"\(.key) \(.frame.func) \(.delta)"' "$OUT")
	[[ -z $got ]] || { echo "other buckets changed: $got" >&2; return 1; }
	got=$(jq -r '.buckets[] | select(.frame.func | startswith("main.")) | select(.frame.func != "main.compute") |
		"\(.frame.func) \(.old) \(.new)"' "$OUT" | sort | paste -sd ' ')
	want="main.main 1 1 main.subscribe 3 3 main.waitLock 1 1 main.worker 4 4"
	[[ $got == "$want" ]] || { echo "healthy buckets: $got; want $want" >&2; return 1; }
}

diff_text_ok() {
	local t1 t2 lines same
	t1=$(val "$T1" total) t2=$(val "$T2" total)
	inspect_run diff "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	lines=$(grep -E '^  [+-][0-9]' "$OUT" || true)
	[[ $lines =~ ^"  +$((t2 - t1))  $t1 -> $t2  grew  chan send  main.compute  main.go:"[0-9]+"  created by main.request.serve main.go:"[0-9]+$ ]] ||
		{ echo "changed lines: $lines" >&2; return 1; }
	same=$(jq '[.buckets[] | select(.change == "same")] | length' <("$INSPECT" diff --format json "$TEST_TMP/A.json" "$TEST_TMP/B.json" || true))
	grep -qx "$same buckets unchanged; 1 grew by more than 0 (--min-delta)" "$OUT" ||
		{ echo "last line: $(tail -n 1 "$OUT"), want $same unchanged" >&2; return 1; }
}

min_delta_ok() {
	local d=$(($(val "$T2" total) - $(val "$T1" total)))
	inspect_run diff --min-delta $((d - 1)) "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "--min-delta $((d - 1)): exit $RC, want 1" >&2; return 1; }
	inspect_run diff --min-delta "$d" "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 0)) || { echo "--min-delta $d: exit $RC, want 0" >&2; return 1; }
	grep -q "; 0 grew by more than $d (--min-delta)$" "$OUT" || { echo "--min-delta $d: $(tail -n 1 "$OUT")" >&2; return 1; }
}

label_ok() {
	local got want k
	inspect_run diff --group label=tenant --format json "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "diff exited $RC, want 1" >&2; return 1; }
	got=$(jq -r '.buckets[] | "\(.key) \(.delta) \(.new)"' "$OUT" | sort | paste -sd ';')
	want=$({
		for k in acme globex initech; do
			echo "tenant=$k $(($(val "$T2" $k) - $(val "$T1" $k))) $(($(val "$T2" $k) + 1))"
		done
		echo "(no tenant label) 0 $(jq '[.goroutines[] | select(.labels.tenant == null)] | length' "$TEST_TMP/B.json")"
	} | sort | paste -sd ';')
	[[ $got == "$want" ]] || { echo "per tenant (key delta new): $got; want $want" >&2; return 1; }
}

watch_ok() {
	local out=$TEST_TMP/watch.out w rc=0 t=() i line row bad
	"$INSPECT" watch --interval 1s --count 3 "${QUIET[@]}" "$FIXTURE_PID" >"$out" 2>"$TEST_TMP/watch.err" &
	w=$!
	t+=("$(leak total)")
	for i in 1 2; do
		wait_line "$out" "^#$i " && batch || { kill "$w"; wait "$w" || true; return 1; }
		t+=("$(leak total)")
	done
	wait "$w" || rc=$?
	((rc == 0)) || { echo "watch exited $rc: $(head -c 300 "$TEST_TMP/watch.err")" >&2; return 1; }
	for i in 1 2 3; do
		line=$(grep "^#$i " "$out")
		[[ $line == *"| top: ${t[i - 1]} chan send  main.compute "* ]] ||
			{ echo "line $i does not show ${t[i - 1]} main.compute (the fixture's total then): $line" >&2; return 1; }
	done
	row=$(grep '  main.compute ' "$out" | grep -v '^#')
	[[ $(awk '{ print $1, $2, $3, $5 }' <<<"$row") == "${t[0]} ${t[1]} ${t[2]} growing" ]] ||
		{ echo "main.compute row: $row; want ${t[*]} growing" >&2; return 1; }
	bad=$(awk '/^ +[0-9]+ +[0-9]+ +[0-9]+ / && !/ main\.compute / && ($5 == "growing" || $1 != $2 || $2 != $3)' "$out")
	[[ -z $bad ]] || { echo "other rows not flat: $bad" >&2; return 1; }
	(($(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ ' "$out") >= 5)) || { echo "fewer than 5 rows: $(cat "$out")" >&2; return 1; }
	unharmed "$(max_pause "$out")"
}

bad_files_ok() {
	local good=$TEST_TMP/A.json f
	printf '{"pid": 1, ' >"$TEST_TMP/trunc.json"
	echo '[1, 2]' >"$TEST_TMP/array.json"
	echo '{"pid": 1}' >"$TEST_TMP/nogs.json"
	jq -c '. + {schema_version: 99}' "$good" >"$TEST_TMP/v99.json"
	jq -c '. + {schema_version: 1}' "$good" >"$TEST_TMP/v1.json"
	gzip -c "$good" >"$TEST_TMP/A.json.gz"
	: >"$TEST_TMP/empty.json"
	for f in "trunc.json:'F' is not JSON: it ends too early" "array.json:'F' is not a capture: no \"goroutines\"" \
		"nogs.json:'F' is not a capture" "v99.json:'F' has schema_version 99, which this inspect does not read" \
		"missing.json:cannot read 'F': No such file" "A.json.gz:'F' is not a pprof profile" "empty.json:'F' is empty"; do
		inspect_run diff "$good" "$TEST_TMP/${f%%:*}"
		expect_status 2 "^inspect: $(sed "s|F|[^']*/${f%%:*}|" <<<"${f#*:}")" || { echo "for ${f%%:*}" >&2; return 1; }
		[[ ! -s $OUT ]] || { echo "${f%%:*}: output on stdout" >&2; return 1; }
	done
	inspect_run diff "$good" "$TEST_TMP/v1.json"
	((RC == 0)) || { echo "schema_version 1: exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q ' buckets unchanged; 0 grew' "$OUT" || { echo "schema_version 1: $(tail -n 1 "$OUT")" >&2; return 1; }
	for f in "$good" "--min-delta -1 $good $good" "--group bogus $good $good" "--format xml $good $good" "a b c"; do
		inspect_run diff $f
		expect_status 64 '^inspect: ' || { echo "for diff $f" >&2; return 1; }
	done
}

watch_usage_ok() {
	inspect_run watch --count 1 999999999
	expect_status 3 'no such process' || return 1
	inspect_run watch --interval 0s 1
	expect_status 64 'interval' || return 1
	inspect_run watch --interval 10 1
	expect_status 64 'interval' || return 1
	inspect_run watch --count 0 1
	expect_status 64 'count' || return 1
	inspect_run watch
	expect_status 64 'no pid' || return 1
}

watch_sigint_ok() {
	local out=$TEST_TMP/watch.out w rc=0
	"$INSPECT" watch --interval 300ms "${QUIET[@]}" "$FIXTURE_PID" >"$out" 2>"$TEST_TMP/watch.err" &
	w=$!
	wait_line "$out" '^#2 ' || { kill "$w"; wait "$w" || true; return 1; }
	kill -INT "$w"
	wait "$w" || rc=$?
	((rc == 0)) || { echo "watch exited $rc after SIGINT: $(head -c 300 "$TEST_TMP/watch.err")" >&2; return 1; }
	grep -qE '^[0-9]+ captures in [0-9.]+ s;' "$out" || { echo "no table after SIGINT: $(tail -n 3 "$out")" >&2; return 1; }
	unharmed "$(max_pause "$out")"
}

watch_exit_ok() {
	local out=$TEST_TMP/watch.out
	"$INSPECT" watch --interval 300ms --count 100 "${QUIET[@]}" "$FIXTURE_PID" >"$out" 2>"$ERR" || RC=$?
	[[ $RC == 3 || $RC == 8 ]] || { echo "exit status $RC, want 3 or 8: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qE 'no such process|exited' "$ERR" || { echo "stderr: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q '^#1 ' "$out" && grep -qE '^[0-9]+ captures in ' "$out" ||
		{ echo "no lines or no table: $(head -c 300 "$out")" >&2; return 1; }
	fixture_wait
}

for v in go1.19 go1.26; do
	for prog in leaksvc leaksvc-sw; do
		name=$v${prog#leaksvc}
		if [[ ! -x $FIXTURES/$v/$prog ]]; then
			skip "$name" "$v/$prog is not built (make fixtures)"
			continue
		fi
		FIXTURE_NAME=$prog fixture_start "$v" 1
		check "$name 1.0a dump, a batch (SIGHUP), dump" captures
		# check passes on: the captures, when they were taken (a stall fails 1.0a)
		if [[ $CAPTURED ]]; then
			check "$name 1.0 diff: the leak's bucket grew by the fixture's batch, no other" diff_json_ok
			check "$name 1.1 the text diff" diff_text_ok
			check "$name 1.2 --min-delta gates the exit status" min_delta_ok
			check "$name 1.3 --group label=tenant: the fixture's deltas per tenant" label_ok
		fi
		check "$name 2.0 watch: the leak flagged growing with the fixture's counts" watch_ok
		if [[ $name == go1.26 ]]; then
			check "3.0 diff of bad files and bad usage" bad_files_ok
			check "3.1 watch: usage and bad pid" watch_usage_ok
			check "3.1b watch ends on SIGINT, the fixture unharmed" watch_sigint_ok
		fi
		fixture_stop
	done
done
if [[ -x $FIXTURES/go1.26/leaksvc ]]; then
	FIXTURE_NAME=leaksvc fixture_start go1.26 1 -exit-after 3s
	check "3.2 watch of a process that exits mid-watch" watch_exit_ok
fi
