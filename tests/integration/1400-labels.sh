#!/bin/bash
# 1400-labels: each goroutine's pprof labels (runtime/pprof.Do, SetGoroutineLabels),
# on the labels fixture (fixtures/go/labels/main.go: 3 goroutines labelled
# tenant=acme, 2 tenant=globex (one by Do, one by SetGoroutineLabels), 1
# tenant=initech,handler=/api and its child that inherits both, 1 tenant=umbrella
# with a hostile note= and a 5000-byte blob=, 1 tenant=wide with 20 more, 1 with
# 70 labels h00..h69, 2 without labels; -n N more in
# main.parkBulk labelled tenant=bulk-<i%10>).
#
# Oracles: the fixture's own print of each label set's count ("count N
# k=v[,k=v]" on stderr), and the runtime's account, `go tool pprof -tags` of the
# goroutine profile the fixture writes (-profile FILE) once every goroutine is
# labelled; runtime.Stack(all) for which goroutines exist.
#
# For Go 1.19 and 1.26 (BUILD/fixtures), and Go 1.23 (the last release with a
# map labelMap) and Go 1.24 (the first with a sorted slice) where BUILD/matrix
# has them, each as built (GOVER) and stripped with -s -w (GOVER-sw):
#   $V 1.0  JSON: the labels of every goroutine, counted per label set, are the
#           fixture's counts; the goroutines without labels carry no "labels"
#   $V 1.1  main.parkChild, started inside pprof.Do, has its creator's labels;
#           (b) the goroutine of 70 labels has 64 of its own and labels_cut
#   $V 2.0  --group label=tenant: one block per value with the fixture's counts,
#           and the goroutines without the label in their own block; JSON groups
#           say label, value (null for those without) and count
#   $V 3.0  --with label:tenant=acme,globex, --with label:handler and --without
#           label:tenant keep exactly the goroutines JSON says have (not) them
# On Go 1.19 and 1.26 as built:
#   $V 1.2  the labels per tenant are go tool pprof -tags's of the profile
#   $V 4.0  hostile: the note's escape sequence and invalid UTF-8 come out as
#           \xNN (JSON and text), its newline as \n on the labels line of the
#           text, the 5000-byte value cut to 256 bytes and "... (5000 bytes)"
#   $V 5.0  REPL: task N shows "labels: handler=/api, tenant=initech";
#           tasks -with label:tenant=acme lists the acme goroutines; tasks -t
#           shows each goroutine's labels line
#   $V 6.0  -n 10000: each bulk-K tenant has its 1000 goroutines; the pause
#           with 10,000 labelled goroutines and with the same unlabelled (the
#           figures are printed, as a diagnostic)
# and once:
#   7.0  label=tenant (not label:), label: and --group label= are usage errors
#        (exit 64) naming label:KEY
# Every dump checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_PROG=labels
GO=${GO:-/usr/local/go/bin/go}

# counts_json JSON: "N SET" per label set, SET as the fixture prints it
# (k=v,k=v sorted by key; the hostile one as "umbrella").
counts_json() {
	jq -r '.goroutines[] | select(.labels) | .labels |
		if .tenant == "umbrella" then "umbrella"
		elif has("h00") or has("h69") then "huge"
		else to_entries | sort_by(.key) | map(.key + "=" + .value) | join(",") end' "$1" |
		sort | uniq -c | awk '{ print $1, $2 }' | sort -k2
}

counts_fixture() {
	sed -n 's/^count //p' "$FIXTURE_DIR/stderr" | sort -k2
}

counts_ok() {
	diff <(counts_fixture) <(counts_json "$1") >&2 ||
		{ echo "label sets differ (< fixture, > inspect)" >&2; return 1; }
}

# unlabelled_ok JSON: exactly the main.parkPlain goroutines among main.park* have no labels.
unlabelled_ok() {
	local got
	got=$(jq -r '[.goroutines[] | select((.user_top.func // "") | startswith("main.park")) |
		select(.labels == null) | .user_top.func] | group_by(.) | map("\(.[0]) \(length)") | .[]' "$1")
	[[ $got == "main.parkPlain 2" ]] || { echo "unlabelled park goroutines: $got" >&2; return 1; }
}

# huge_ok JSON: the goroutine of 70 labels shows 64 of them, of its own, and says it has more.
huge_ok() {
	local got
	got=$(jq -c '[.goroutines[] | select(.labels_cut) | [(.labels | length),
		(.labels | to_entries | all(.key == "h" + (.value | ltrimstr("v"))))]]' "$1")
	[[ $got == '[[64,true]]' ]] || { echo "cut label sets [count, own]: $got" >&2; return 1; }
}

child_ok() {
	local got
	got=$(jq -c '[.goroutines[] | select(.user_top.func == "main.parkChild") | .labels]' "$1")
	[[ $got == '[{"handler":"/api","tenant":"initech"}]' ]] || { echo "main.parkChild: $got" >&2; return 1; }
}

# tenants_json JSON: "N VALUE" per tenant value.
tenants_json() {
	jq -r '.goroutines[] | .labels.tenant // empty' "$1" | sort | uniq -c | awk '{ print $1, $2 }' | sort -k2
}

pprof_ok() {
	local tags
	tags=$("$GO" tool pprof -tags "$PROFILE" 2>/dev/null | awk '
		/^ *tenant:/ { on = 1; next }
		on && /^[ \t]*$/ { on = 0 }
		on && /%\):/ { v = $NF; print $1, v }' | sort -k2)
	[[ -n $tags ]] || { echo "go tool pprof -tags shows no tenant" >&2; return 1; }
	diff <(echo "$tags") <(tenants_json "$1") >&2 || { echo "tenants differ (< pprof, > inspect)" >&2; return 1; }
}

# group_ok: the text blocks of --group label=tenant have the JSON's counts.
group_ok() {
	local want got none
	inspect_run dump --group label=tenant --without func=main.heartbeat "$FIXTURE_PID"
	((RC == 0)) || { echo "dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	got=$(awk '/^  [0-9,]+  (tenant=|\(no tenant label\))/ { print $1, $2 }' "$OUT" | sort -k2)
	none=$(jq '[.goroutines[] | select(.labels.tenant == null) | select(.system | not) |
		select(.user_top.func != "main.heartbeat")] | length' "$1")
	want=$({ tenants_json "$1" | awk '{ print $1, "tenant=" $2 }'; echo "$none" '(no'; } | sort -k2)
	[[ $got == "$want" ]] || { echo "blocks: $got; want: $want" >&2; return 1; }
	grep -q '^  [0-9]*  (no tenant label)$' "$OUT" || { echo "no (no tenant label) block" >&2; return 1; }
	unharmed "$(sed -nE 's/.* paused ([0-9.]+) ms$/\1/p' "$OUT" | head -1)" || return 1
	dump_json --group label=tenant >/dev/null || return 1
	got=$(jq -c '[.groups[] | select(.value == "acme" or .value == null) | [.label, .value, .count]] | sort' "$OUT")
	want=$(jq -c --slurpfile all "$1" -n '[["tenant", null, ($all[0].goroutines | map(select(.labels.tenant == null and (.system | not))) | length)],
		["tenant", "acme", 3]] | sort')
	[[ $got == "$want" ]] || { echo "JSON groups $got, want $want" >&2; return 1; }
}

# filter_ok ALL COND JQ_SELECT: dump --with COND keeps the ids JQ_SELECT picks from ALL.
filter_ok() {
	local all=$1 flag=$2 cond=$3 sel=$4
	cp "$all" "$TEST_TMP/all.json"
	dump_json "$flag" "$cond" || return 1
	diff <(jq "[.goroutines[] | select($sel) | select(.system | not) | .id] | sort" "$TEST_TMP/all.json") \
		<(jq '[.goroutines[].id] | sort' "$OUT") >&2 || { echo "$flag $cond: ids differ (< want, > inspect)" >&2; return 1; }
}

hostile_ok() {
	local note blob line
	note=$(jq -r '.goroutines[] | select(.labels.tenant == "umbrella") | .labels.note' "$1")
	[[ $note == $'\\x1b[31mred\\x1b[0m\nline2 \\xff\\xfe end' ]] || { echo "note: $(printf %q "$note")" >&2; return 1; }
	blob=$(jq -r '.goroutines[] | select(.labels.tenant == "umbrella") | .labels.blob' "$1")
	[[ $blob == "$(printf 'x%.0s' {1..256})... (5000 bytes)" ]] || { echo "blob: ${blob:0:40}... (${#blob} bytes)" >&2; return 1; }
	inspect_run dump --stacks=2 --with label:tenant=umbrella "$FIXTURE_PID"
	((RC == 0)) || { echo "dump exited $RC" >&2; return 1; }
	line=$(grep -a '^ *labels: ' "$OUT")
	[[ $line == *'note=\x1b[31mred\x1b[0m\nline2 \xff\xfe end, tenant=umbrella' ]] ||
		{ echo "labels line: $(printf %q "$line")" >&2; return 1; }
	! grep -q $'\x1b' "$OUT" || { echo "an ESC byte reached the output" >&2; return 1; }
	unharmed "$(sed -nE 's/.* paused ([0-9.]+) ms$/\1/p' "$OUT" | head -1)"
}

repl_ok() {
	local id acme got
	id=$(jq '.goroutines[] | select(.user_top.func == "main.parkChild") | .id' "$1")
	acme=$(jq -r '[.goroutines[] | select(.labels.tenant == "acme") | .id] | sort | map(tostring) | join(" ")' "$1")
	printf '%s\n' "task $id" "tasks -with label:tenant=acme" "tasks -with label:handler -t 1" |
		"$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || { echo "attach failed: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q '^  labels: handler=/api, tenant=initech$' "$OUT" || { echo "task $id: no labels line" >&2; return 1; }
	got=$(awk '/^\(inspect\) tasks -with label:tenant=acme$/ { on = 1; next } /^\(inspect\)/ { on = 0 }
		on && $1 ~ /^[0-9]+$/ { print $1 }' "$OUT" | sort -n | tr '\n' ' ')
	[[ $got == "$acme " ]] || { echo "tasks -with label:tenant=acme: $got, want $acme" >&2; return 1; }
	[[ $(grep -c '^              labels: handler=/api, tenant=initech$' "$OUT") == 2 ]] ||
		{ echo "tasks -t: not two labels lines" >&2; return 1; }
	fixture_alive && heartbeat_stall_ms >/dev/null
}

bulk_ok() {
	dump_json || return 1
	counts_ok "$OUT" || return 1
	PAUSE_LABELLED=$(jq .pause_ms "$OUT")
}

usage_ok() {
	local bad
	for bad in "--with label=tenant" "--with label:" "--without label:=x" "--group label="; do
		# shellcheck disable=SC2086
		inspect_run dump $bad 1
		expect_status 64 'label' || { echo "for $bad" >&2; return 1; }
	done
}

versions=(go1.19 go1.23 go1.24 go1.26)
built=$FIXTURES
for v in "${versions[@]}"; do
	for prog in labels labels-sw; do
		FIXTURES=$built
		[[ -x $FIXTURES/$v/$prog ]] || FIXTURES=$BUILD/matrix
		name=$v${prog#labels}
		if [[ ! -x $FIXTURES/$v/$prog ]]; then
			skip "$name" "$v/$prog is not built (make fixtures)"
			continue
		fi
		full=false
		[[ $prog == labels && ($v == go1.19 || $v == go1.26) ]] && full=true
		PROFILE=$TEST_TMP/profile.$name
		FIXTURE_NAME=$prog fixture_start "$v" 0 -profile "$PROFILE"
		all=$TEST_TMP/$name.json
		check "$name 1.0 labels per set are the fixture's" dump_json
		cp "$OUT" "$all"
		check "$name 1.0b equal counts" counts_ok "$all"
		check "$name 1.0c the unlabelled have none" unlabelled_ok "$all"
		check "$name 1.1 a child inherits its creator's labels" child_ok "$all"
		check "$name 1.1b 70 labels: 64 kept, labels_cut" huge_ok "$all"
		$full && check "$name 1.2 tenants are go tool pprof -tags's" pprof_ok "$all"
		check "$name 2.0 --group label=tenant" group_ok "$all"
		check "$name 3.0 --with label:tenant=acme,globex" filter_ok "$all" --with label:tenant=acme,globex \
			'.labels.tenant == "acme" or .labels.tenant == "globex"'
		check "$name 3.1 --with label:handler" filter_ok "$all" --with label:handler '.labels.handler != null'
		check "$name 3.2 --without label:tenant" filter_ok "$all" --without label:tenant '.labels.tenant == null'
		if $full; then
			check "$name 4.0 hostile labels escaped and cut" hostile_ok "$all"
			check "$name 5.0 REPL task, tasks -with label:, tasks -t" repl_ok "$all"
		fi
		fixture_stop
		if $full; then
			PAUSE_LABELLED=
			FIXTURE_NAME=$prog fixture_start "$v" 10000
			check "$name 6.0 10,000 labelled goroutines" bulk_ok
			fixture_stop
			FIXTURE_NAME=$prog fixture_start "$v" 10000 -bulk-plain
			dump_json >/dev/null 2>&1 || true
			echo "# $name pause with 10,000 labelled goroutines: ${PAUSE_LABELLED:-?} ms; unlabelled: $(jq .pause_ms "$OUT" 2>/dev/null || echo '?') ms"
			fixture_stop
		fi
	done
done
check "7.0 usage errors" usage_ok
