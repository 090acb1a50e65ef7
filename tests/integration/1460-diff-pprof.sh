#!/bin/bash
# 1460-diff-pprof: inspect diff over goroutine profiles, inspect's own
# (dump --format pprof) and the Go runtime's (pprof.Lookup("goroutine")
# .WriteTo(w, 0)), on the leak fixture (fixtures/go/leaksvc/main.go): per batch,
# acme leaks 3 senders (main.compute in chan send, labelled tenant=acme), globex
# 2, initech 0; one batch before ready, one per SIGHUP, after which the fixture
# prints its totals ("batch K leaked acme=N globex=N initech=N total=N"), and
# with -profile P, before that line, writes the runtime's own goroutine profile
# of that moment to P.K. main.heartbeat is left out of inspect's captures
# (--without func=main.heartbeat: it may be caught runnable).
#
# Oracles: the fixture's own totals; the runtime's own profile; the JSON
# captures inspect takes at the same moments (the state only changes on SIGHUP).
#
# For Go 1.19 and 1.26, as built (GOVER) and with -s -w (GOVER-sw):
#   $V 1.0  dump JSON and pprof, a batch, dump JSON and pprof: diff of the two
#           profiles has the buckets of the diff of the two JSON captures (key,
#           frame, old, new, change; a profile has no creator), the main.compute
#           bucket grown by the fixture's totals; exit 1 both
#   $V 1.1  diff of the runtime's two profiles (batch 1 and 2): main.compute
#           grew by the fixture's totals (reason "?": the runtime writes none),
#           the healthy main.* buckets unchanged with the fixture's counts; the
#           text says the files are the runtime's profiles; JSON says so too
#   $V 1.2  --group label=tenant on inspect's profiles and on the runtime's:
#           each tenant's delta is the fixture's, new = the leak + 1 subscriber
#   $V 1.3  mixed, --group func: JSON capture (batch 1) -> runtime profile
#           (batch 2): main.compute grew by the fixture's batch
#   $V 3.0  the labels fixture (fixtures/go/labels/main.go; -profile F writes
#           the runtime's profile before ready): its profile, inspect's pprof and
#           JSON of it agree: --group label=tenant and --group func, every bucket
#           the same, exit 0; the tenants' counts are the fixture's own (its
#           "count N tenant=T" lines)
# and once:
#   2.0  bad profiles: cut short, gzipped bytes that are no profile, a profile
#        of another type (cpu/nanoseconds), one that inflates past 256 MiB:
#        exit 2 and a message naming the file, nothing on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leaksvc.sh"

FIXTURE_PROG=leaksvc
QUIET=(--without func=main.heartbeat)

# dump_pprof FILE: inspect dump --format pprof into FILE, the fixture unharmed.
dump_pprof() {
	local pause
	RC=0
	"$INSPECT" dump --format pprof "${QUIET[@]}" "$FIXTURE_PID" >"$1" 2>"$ERR" || RC=$?
	((RC == 0)) || { echo "dump --format pprof exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	# the pause is in the profile's comment; the JSON dump beside it checks
	# the heartbeat with its own
	fixture_alive
}

# captures: A.json A.pb.gz, a batch, B.json B.pb.gz; the totals before and after in T1, T2.
captures() {
	dump_json "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/A.json"
	dump_pprof "$TEST_TMP/A.pb.gz" || return 1
	T1="acme=$(leak acme) globex=$(leak globex) initech=$(leak initech) total=$(leak total)"
	batch || return 1
	dump_json "${QUIET[@]}" || return 1
	cp "$OUT" "$TEST_TMP/B.json"
	dump_pprof "$TEST_TMP/B.pb.gz" || return 1
	T2="acme=$(leak acme) globex=$(leak globex) initech=$(leak initech) total=$(leak total)"
	[[ -s $TEST_TMP/rt.1 && -s $TEST_TMP/rt.2 ]] || { echo "the fixture wrote no profiles rt.1, rt.2" >&2; return 1; }
}

# buckets FILE: a diff --format json's buckets, one per line, sorted, without creators.
buckets() {
	jq -c '.buckets[] | [.key, .frame.func, .frame.file, .frame.line, .old, .new, .delta, .change]' "$1" | sort
}

same_as_json_ok() {
	local t1 t2 got want
	t1=$(val "$T1" total) t2=$(val "$T2" total)
	inspect_run diff --format json "$TEST_TMP/A.json" "$TEST_TMP/B.json"
	((RC == 1)) || { echo "JSON diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	buckets "$OUT" >"$TEST_TMP/want"
	inspect_run diff --format json "$TEST_TMP/A.pb.gz" "$TEST_TMP/B.pb.gz"
	((RC == 1)) || { echo "pprof diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	buckets "$OUT" >"$TEST_TMP/got"
	diff "$TEST_TMP/want" "$TEST_TMP/got" >&2 || { echo "buckets differ (< JSON, > pprof)" >&2; return 1; }
	got=$(jq -c '[.buckets[] | select(.frame.func == "main.compute") | [.key, .old, .new, .delta, .change]]' "$OUT")
	want="[[\"chan send\",$t1,$t2,$((t2 - t1)),\"grew\"]]"
	[[ $got == "$want" ]] || { echo "main.compute bucket $got, want $want" >&2; return 1; }
	got=$(jq -c '[.old.runtime_profile, .new.runtime_profile, .old.goroutines, .new.goroutines]' "$OUT")
	want=$(jq -sc '[false, false, (.[0].goroutines | length), (.[1].goroutines | length)]' "$TEST_TMP/A.json" "$TEST_TMP/B.json")
	[[ $got == "$want" ]] || { echo "files (runtime_profile, goroutines): $got, want $want" >&2; return 1; }
}

# The runtime's profiles were written when batches 1 and 2 were settled: the
# totals of T1 and T2 (one batch before ready, one SIGHUP).
runtime_ok() {
	local t1 t2 got want
	t1=$(val "$T1" total) t2=$(val "$T2" total)
	inspect_run diff --format json "$TEST_TMP/rt.1" "$TEST_TMP/rt.2"
	((RC == 1)) || { echo "diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	got=$(jq -c '[.buckets[] | select(.frame.func == "main.compute") | [.key, .old, .new, .delta, .change]]' "$OUT")
	want="[[\"?\",$t1,$t2,$((t2 - t1)),\"grew\"]]"
	[[ $got == "$want" ]] || { echo "main.compute bucket $got, want $want" >&2; return 1; }
	[[ $(jq -c '[.old.runtime_profile, .new.runtime_profile]' "$OUT") == '[true,true]' ]] ||
		{ echo "not flagged as the runtime's profiles: $(jq -c '[.old, .new]' "$OUT")" >&2; return 1; }
	got=$(jq -r '.buckets[] | select(.frame.func | IN("main.worker", "main.subscribe", "main.waitLock")) |
		"\(.frame.func) \(.old) \(.new)"' "$OUT" | sort | paste -sd ' ')
	want="main.subscribe 3 3 main.waitLock 1 1 main.worker 4 4"
	[[ $got == "$want" ]] || { echo "healthy buckets: $got; want $want" >&2; return 1; }
	inspect_run diff "$TEST_TMP/rt.1" "$TEST_TMP/rt.2"
	((RC == 1)) || { echo "text diff exited $RC, want 1" >&2; return 1; }
	grep -qE "^  \\+$((t2 - t1))  $t1 -> $t2  grew  \\?  main\\.compute  main\\.go:[0-9]+\$" "$OUT" ||
		{ echo "text: $(grep -E '^  [+-]' "$OUT")" >&2; return 1; }
	grep -q "rt.1 and .*rt.2 are the Go runtime's own goroutine profiles: no wait reasons" "$OUT" ||
		{ echo "no note on the runtime's profiles: $(tail -n 2 "$OUT")" >&2; return 1; }
}

tenants_ok() {
	local got want k pair
	want=$(for k in acme globex initech; do
		echo "tenant=$k $(($(val "$T2" $k) - $(val "$T1" $k))) $(($(val "$T2" $k) + 1))"
	done | paste -sd ';')
	for pair in "A.pb.gz B.pb.gz" "rt.1 rt.2"; do
		set -- $pair
		inspect_run diff --group label=tenant --format json "$TEST_TMP/$1" "$TEST_TMP/$2"
		((RC == 1)) || { echo "$pair: diff exited $RC, want 1" >&2; return 1; }
		got=$(jq -r '.buckets[] | select(.key | startswith("tenant=")) | "\(.key) \(.delta) \(.new)"' "$OUT" | sort | paste -sd ';')
		[[ $got == "$want" ]] || { echo "$pair per tenant (key delta new): $got; want $want" >&2; return 1; }
	done
}

mixed_ok() {
	local t1 t2 got want
	t1=$(val "$T1" total) t2=$(val "$T2" total)
	inspect_run diff --group func --format json "$TEST_TMP/A.json" "$TEST_TMP/rt.2"
	((RC == 1)) || { echo "diff exited $RC, want 1: $(head -c 300 "$ERR")" >&2; return 1; }
	got=$(jq -c '[.buckets[] | select(.key == "main.compute") | [.old, .new, .delta]]' "$OUT")
	want="[[$t1,$t2,$((t2 - t1))]]"
	[[ $got == "$want" ]] || { echo "main.compute $got, want $want" >&2; return 1; }
	[[ $(jq -c '[.old.runtime_profile, .new.runtime_profile]' "$OUT") == '[false,true]' ]] ||
		{ echo "flags: $(jq -c '[.old, .new]' "$OUT")" >&2; return 1; }
}

bad_profiles_ok() {
	local good=$TEST_TMP/A.pb.gz f n
	n=$(stat -c %s "$good")
	head -c $((n / 2)) "$good" >"$TEST_TMP/cut.pb.gz"
	gzip -c "$TEST_TMP/A.json" >"$TEST_TMP/json.gz"
	# a profile of sample type cpu/nanoseconds: sample_type {type: 1, unit: 2},
	# string_table "", "cpu", "nanoseconds"
	printf '\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x03cpu\x32\x0bnanoseconds' | gzip >"$TEST_TMP/cpu.pb.gz"
	head -c 300M /dev/zero | gzip -1 >"$TEST_TMP/bomb.pb.gz"
	for f in "cut.pb.gz:'F' is cut short: its gzip stream ends early" \
		"json.gz:'F' is not a pprof profile: its protocol buffer does not decode" \
		"cpu.pb.gz:'F' is a profile of cpu/nanoseconds, not of goroutines" \
		"bomb.pb.gz:'F' inflates to more than a profile can be \\(256 MiB\\)"; do
		inspect_run diff "$good" "$TEST_TMP/${f%%:*}"
		expect_status 2 "^inspect: $(sed "s|F|[^']*/${f%%:*}|" <<<"${f#*:}")" || { echo "for ${f%%:*}" >&2; return 1; }
		[[ ! -s $OUT ]] || { echo "${f%%:*}: output on stdout" >&2; return 1; }
	done
}

labels_ok() {
	local by f got want QUIET=() # every goroutine, as the runtime's profile
	dump_json || return 1
	cp "$OUT" "$TEST_TMP/labels.json"
	dump_pprof "$TEST_TMP/labels.pb.gz" || return 1
	for by in label=tenant func; do
		for f in labels.pb.gz labels.json; do
			inspect_run diff --group "$by" --format json "$TEST_TMP/labels-rt.pb.gz" "$TEST_TMP/$f"
			((RC == 0)) || { echo "--group $by runtime -> $f: exit $RC, want 0: $(head -c 300 "$ERR")" >&2; return 1; }
			got=$(jq -c '[.buckets[] | select(.change != "same")]' "$OUT")
			[[ $got == "[]" ]] || { echo "--group $by runtime -> $f: changed $got" >&2; return 1; }
		done
	done
	inspect_run diff --group label=tenant --format json "$TEST_TMP/labels-rt.pb.gz" "$TEST_TMP/labels.pb.gz"
	got=$(jq -r '.buckets[] | select(.key | IN("tenant=acme", "tenant=globex")) | "\(.key) \(.old)"' "$OUT" | sort | paste -sd ' ')
	want=$(sed -nE 's/^count ([0-9]+) (tenant=(acme|globex))$/\2 \1/p' "$FIXTURE_DIR/stderr" | sort | paste -sd ' ')
	[[ -n $want && $got == "$want" ]] || { echo "tenants: $got; the fixture's: $want" >&2; return 1; }
}

for v in go1.19 go1.26; do
	for prog in leaksvc leaksvc-sw; do
		name=$v${prog#leaksvc}
		if [[ ! -x $FIXTURES/$v/$prog ]]; then
			skip "$name" "$v/$prog is not built (make fixtures)"
			continue
		fi
		FIXTURE_NAME=$prog fixture_start "$v" 1 -profile "$TEST_TMP/rt"
		if check "$name 1.0a dump JSON and pprof, a batch (SIGHUP), again" captures; then
			check "$name 1.0 diff of the profiles: the JSON captures' buckets" same_as_json_ok
			check "$name 1.1 diff of the runtime's profiles: the fixture's delta" runtime_ok
			check "$name 1.2 --group label=tenant on profiles: the fixture's deltas" tenants_ok
			check "$name 1.3 mixed JSON -> runtime profile, --group func" mixed_ok
			if [[ $name == go1.26 ]]; then
				check "2.0 bad profiles: exit 2, the file named" bad_profiles_ok
			fi
		fi
		fixture_stop
		rm -f "$TEST_TMP"/rt.*
	done
done
for v in go1.19 go1.26; do
	for prog in labels labels-sw; do
		name=$v${prog#labels}
		if [[ ! -x $FIXTURES/$v/$prog ]]; then
			skip "$name 3.0" "$v/$prog is not built (make fixtures)"
			continue
		fi
		FIXTURE_PROG=labels FIXTURE_NAME=$prog fixture_start "$v" 1 -profile "$TEST_TMP/labels-rt.pb.gz"
		check "$name 3.0 labels: the runtime's profile, inspect's pprof and JSON agree" labels_ok
		fixture_stop
	done
done
