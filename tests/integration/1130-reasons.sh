#!/bin/bash
# 1130-reasons: wait reasons in the runtime's own words, with what its traceback
# adds (runtime/traceback.go goroutineheader): " (durable)" and ", synctest bubble
# N" for goroutines in testing/synctest bubbles (Go 1.25+), " (leaked)" for Go
# 1.26's status leaked; the short reason names match the decorated variants, and
# `leaked` selects the leaked goroutines.
#
# Fixtures (tools/build-words.sh): bubbles, a test binary whose goroutines wait in
# two bubbles (fixtures/go/bubbles; Go 1.25 from BUILD/matrix, and Go 1.26), and
# leaked (fixtures/go/leaked; Go 1.26 with GOEXPERIMENT=goroutineleakprofile),
# each unstripped and -s -w (the -sw build: g.bubble and the bubble's id from
# plugins/go/tables.c). Older releases are skipped: they have neither.
#
# The runtime's account: runtime.Stack(all), which the fixture writes on SIGUSR2
# after inspect ran: the words between the brackets of each goroutine's header,
# without ", N minutes" and ", locked to thread" (the report's own columns). The
# heartbeat, the goroutine that serves the signals and os/signal's receiver may be
# awake at that moment: left out of both sides (--without func=...).
#
# For each GOVER and build B:
#   GOVER B 1.0  JSON: each goroutine's words (wait_reason, else status, then
#                ", synctest bubble N" from synctest_bubble) and id are the runtime's
#   GOVER B 1.1  JSON: durable exactly where the runtime says "(durable)", leaked
#                where it says "(leaked)"
#   GOVER B 1.2  JSON groups: each words with the runtime's count
#   GOVER B 1.3  text: each block (count, words) is the runtime's
#   GOVER B 1.4  text --stacks: the same blocks
#   GOVER B 2.C  --with C keeps exactly the goroutines whose runtime words C
#                stands for: reason=select is "select", "select (durable)" and
#                "select (leaked)"; leaked and reason=leaked are the "(leaked)"
#                ones; a quoted string is the words, with or without the bubble
#   GOVER B 3.0  REPL: tasks -with reason=select lists the runtime's words
#   GOVER B 3.1  REPL: task N prints its words
#   GOVER B 3.2  REPL: info counts the leaked goroutines and those in bubbles
#   GOVER B 3.3  the process beats after the REPL let it go
#   GOVER leaked* 4.0  the runtime marks some leaked, and the program's own count
#                (the goroutineleak profile: "leaked goroutines: N") is the number
#                of "(leaked)" in its traceback and of inspect --with leaked
#   GOVER bubbles* 4.0  both bubbles are seen, with the runtime's ids
# Every dump also checks that the fixture beats, unharmed (dump_json).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The runtime's words for every goroutine: ID<TAB>WORDS.
runtime_words() {
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	sed -nE 's/^goroutine ([0-9]+) (gp=.* )?\[(.*)\]:$/\1\t\3/p' "$FIXTURE_DIR/stacks" |
		sed -E 's/, [0-9]+ minutes//; s/, locked to thread//'
}

# inspect's words for every goroutine of a JSON dump: ID<TAB>WORDS.
json_words() {
	jq -r '.goroutines[] | "\(.id)\t\(.wait_reason // .status)"
		+ (if .synctest_bubble then ", synctest bubble \(.synctest_bubble)" else "" end)' "$1"
}

# The blocks of a text report: WORDS<TAB>COUNT, a block being the line after an
# empty one that starts with a count and two spaces.
text_blocks() {
	awk 'prev == "" && /^ +[0-9,]+  [^ ]/ {
		line = $0; sub(/^ +/, "", line)
		n = line; sub(/  .*/, "", n); gsub(/,/, "", n)
		w = substr(line, length(n) + 3); sub(/  +waiting >= [0-9]+ min$/, "", w)
		print w "\t" n
	}
	{ prev = $0 }' "$1" | sort
}

counts_of() { cut -f 2 "$1" | sort | uniq -c | awk '{ n = $1; sub(/^ *[0-9]+ /, ""); print $0 "\t" n }' | sort; }

same() { # WANT GOT WHAT
	diff "$1" "$2" >&2 || { echo "$3 differ (< runtime, > inspect)" >&2; return 1; }
}

# expect_ids ERE: the ids whose runtime words match ERE.
expect_ids() { RE=$1 awk -F '\t' '$2 ~ ENVIRON["RE"] { print $1 }' "$TEST_TMP/runtime" | sort -n; }

# filter_dump I COND: the ids inspect keeps with --with COND into filter.I.
filter_dump() {
	dump_json --with "$2" "${awake[@]}" || return 1
	jq '.goroutines[].id' "$OUT" | sort -n >"$TEST_TMP/filter.$1"
}

# filter_same I COND ERE: they are the ids whose runtime words match ERE (which
# some must, unless ERE starts with '?').
filter_same() {
	local re=${3#\?}
	[[ -s $TEST_TMP/filter.$1.err ]] && { cat "$TEST_TMP/filter.$1.err" >&2; return 1; }
	[[ $3 == \?* || $(expect_ids "$re" | wc -l) -gt 0 ]] ||
		{ echo "the runtime has no goroutine for $2 (/$re/)" >&2; return 1; }
	diff <(expect_ids "$re") "$TEST_TMP/filter.$1" >&2 ||
		{ echo "--with $2: ids differ (< runtime /$re/, > inspect)" >&2; return 1; }
}

flags_same() {
	diff <(awk -F '\t' '{ print $1 "\t" ($2 ~ /\(durable\)/) "\t" ($2 ~ /\(leaked\)/) }' "$TEST_TMP/runtime" | sort -n) \
		<(jq -r '.goroutines[] | "\(.id)\t\(if .durable then 1 else 0 end)\t\(if .leaked then 1 else 0 end)"' "$TEST_TMP/dump.json" | sort -n) >&2 ||
		{ echo "durable/leaked differ (< runtime, > inspect)" >&2; return 1; }
}

repl_tasks() {
	local want=$TEST_TMP/repl.want
	awk -F '\t' '$2 ~ /^select( \((durable|leaked)\))?(, synctest bubble [0-9]+)?$/' "$TEST_TMP/runtime" | sort -n >"$want"
	[[ -s $want ]] || { echo "the runtime shows no select" >&2; return 1; }
	sed -n '/^(inspect) tasks/,/^\[/p' "$TEST_TMP/repl" |
		sed -nE 's/^ *([0-9]+)  (.*[^ ]) +[^ ]+ [^ ]+:[0-9]+$/\1\t\2/p' | sort -n >"$TEST_TMP/repl.got"
	same "$want" "$TEST_TMP/repl.got" "tasks -with reason=select lines"
}

repl_task() {
	local line
	line=$(grep -m1 '^goroutine ' "$TEST_TMP/repl") || { echo "task printed nothing" >&2; return 1; }
	[[ $line == "goroutine $task_id  $task_words  "* ]] ||
		{ echo "task $task_id: '$line', want its words '$task_words'" >&2; return 1; }
}

repl_info() {
	local leaked bubbled want
	leaked=$(grep -c '(leaked)' "$TEST_TMP/runtime" || true)
	bubbled=$(grep -c ', synctest bubble ' "$TEST_TMP/runtime" || true)
	want=" of the runtime's own"
	((leaked == 0)) || want+=", $leaked leaked"
	((bubbled == 0)) || want+=", $bubbled in a synctest bubble"
	[[ $(grep '^goroutines  ' "$TEST_TMP/repl") == *"$want)" ]] ||
		{ echo "info: '$(grep '^goroutines' "$TEST_TMP/repl")', want '$want)'" >&2; return 1; }
}

leaked_count() {
	local printed marked got
	printed=$(sed -n 's/^leaked goroutines: //p' "$FIXTURE_DIR/stderr")
	marked=$(grep -c '(leaked)' "$TEST_TMP/runtime" || true)
	got=$(jq '[.goroutines[] | select(.leaked)] | length' "$TEST_TMP/dump.json")
	((printed > 0)) || { echo "the program found no leak: '$printed'" >&2; return 1; }
	((printed == marked && marked == got)) ||
		{ echo "leaked: the program says $printed, its traceback $marked, inspect $got" >&2; return 1; }
}

bubbles_seen() {
	diff <(grep -oE 'synctest bubble [0-9]+$' "$TEST_TMP/runtime" | sort -u) \
		<(jq -r '.goroutines[].synctest_bubble // empty' "$TEST_TMP/dump.json" | sort -u | sed 's/^/synctest bubble /') >&2 ||
		{ echo "bubbles differ" >&2; return 1; }
	[[ $(jq '[.goroutines[].synctest_bubble // empty] | unique | length' "$TEST_TMP/dump.json") == 2 ]] ||
		{ echo "not two bubbles" >&2; return 1; }
}

# text_dump FILE ARGS...: the text report into FILE; the fixture unharmed.
text_dump() {
	local file=$1
	shift
	inspect_run dump "$@" "$FIXTURE_PID"
	cp "$OUT" "$file"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	unharmed "$(sed -nE '1s/.*  paused ([0-9.]+) ms$/\1/p' "$file")"
}

blocks_same() { # text|stacks: its dump's outcome, then its blocks
	[[ ! -s $TEST_TMP/$1.err ]] || { cat "$TEST_TMP/$1.err" >&2; return 1; }
	text_blocks "$TEST_TMP/$1" >"$TEST_TMP/$1.blocks"
	same "$TEST_TMP/counts" "$TEST_TMP/$1.blocks" blocks
}

# run GOVER BUILD: every case on one fixture.
run() {
	local gover=$1 build=$2 p="$1 $2" serve
	case $build in bubbles*) serve=fixtures/bubbles.serve N=2 ;; *) serve=main.main N=3 ;; esac
	awake=(--without func=.heartbeat --without "func=$serve" --without func=os/signal.)
	FIXTURE_NAME=$build fixture_start "$gover" "$N"

	dump_json "${awake[@]}" && cp "$OUT" "$TEST_TMP/dump.json" || { fail "$p 1.0" "dump failed: $(head -c 300 "$ERR")"; return; }
	text_dump "$TEST_TMP/text" "${awake[@]}" 2>"$TEST_TMP/text.err" || :
	text_dump "$TEST_TMP/stacks" --stacks "${awake[@]}" 2>"$TEST_TMP/stacks.err" || :
	# the conditions and the runtime words each stands for ('?': maybe none)
	local bubble='(, synctest bubble [0-9]+)?$' some='' conds res i
	[[ $build == bubbles* ]] && some='?'
	conds=(reason=select reason=chan-recv leaked reason=leaked)
	res=("^select( \\((durable|leaked)\\))?$bubble" "^chan receive( \\((durable|leaked)\\))?$bubble"
		"$some\\(leaked\\)" "$some\\(leaked\\)")
	if [[ $build == bubbles* ]]; then
		conds+=(reason=chan-send reason=sleep reason=wg-wait reason=cond-wait reason=mutex
			reason=synctest 'reason="select (durable)"'
			"reason=\"$(jq -r '[.goroutines[] | select(.wait_reason == "sleep (durable)")][0]
				| "sleep (durable), synctest bubble \(.synctest_bubble)"' "$TEST_TMP/dump.json")\"")
		res+=("^chan send( \\(durable\\))?$bubble" "^sleep( \\(durable\\))?$bubble"
			"^sync\\.WaitGroup\\.Wait( \\(durable\\))?$bubble" "^sync\\.Cond\\.Wait( \\(durable\\))?$bubble"
			"^sync\\.Mutex\\.Lock$bubble" "^synctest\\.(Run|Wait)( \\(durable\\))?$bubble"
			"^select \\(durable\\)$bubble" "^$(sed 's/[().]/\\&/g' <<<"${conds[-1]:8:-1}")\$")
	else
		conds+=('reason="select (leaked)"')
		res+=('^select \(leaked\)$')
	fi
	for i in "${!conds[@]}"; do
		filter_dump "$i" "${conds[i]}" 2>"$TEST_TMP/filter.$i.err" || :
	done

	# the REPL on the first select goroutine
	task_id=$(jq '[.goroutines[] | select(.wait_reason // "" | test("^select"))][0].id' "$TEST_TMP/dump.json")
	inspect_run attach "$FIXTURE_PID" --batch "tasks -with reason=select ${awake[*]/--/-}; task $task_id; info"
	cp "$OUT" "$TEST_TMP/repl"
	check "$p 3.3 beats after the REPL" fixture_alive
	heartbeat_stall_ms >/dev/null # the REPL's stop is not a dump's pause

	# The runtime's account, without the awake goroutines inspect left out.
	runtime_words >"$TEST_TMP/runtime.all" || { fail "$p 1.0" "no runtime account"; return; }
	jq '.goroutines[].id' "$TEST_TMP/dump.json" | sort -n >"$TEST_TMP/kept"
	inspect_run dump --format json "$FIXTURE_PID"
	jq -r --slurpfile kept <(jq -s . "$TEST_TMP/kept") \
		'.goroutines[] | select((.system | not) and (.id as $i | $kept[0] | index($i) | not)) | .id' "$OUT" >"$TEST_TMP/awake"
	awk -F '\t' 'NR == FNR { skip[$1] = 1; next } !($1 in skip)' "$TEST_TMP/awake" "$TEST_TMP/runtime.all" | sort -n >"$TEST_TMP/runtime"
	task_words=$(awk -F '\t' -v id="$task_id" '$1 == id { print $2 }' "$TEST_TMP/runtime")

	json_words "$TEST_TMP/dump.json" | sort -n >"$TEST_TMP/json.words"
	check "$p 1.0 JSON words and ids are the runtime's" same "$TEST_TMP/runtime" "$TEST_TMP/json.words" words
	check "$p 1.1 JSON durable and leaked" flags_same
	counts_of "$TEST_TMP/runtime" >"$TEST_TMP/counts"
	jq -r '.groups[] | "\(.reason)\t\(.count)"' "$TEST_TMP/dump.json" | sort >"$TEST_TMP/json.groups"
	check "$p 1.2 JSON groups are the runtime's counts" same "$TEST_TMP/counts" "$TEST_TMP/json.groups" groups
	check "$p 1.3 text blocks are the runtime's counts" blocks_same text
	check "$p 1.4 --stacks blocks are the runtime's counts" blocks_same stacks
	for i in "${!conds[@]}"; do
		check "$p 2.$i --with ${conds[i]}" filter_same "$i" "${conds[i]}" "${res[i]}"
	done
	check "$p 3.0 REPL tasks -with reason=select" repl_tasks
	check "$p 3.1 REPL task $task_id" repl_task
	check "$p 3.2 REPL info" repl_info
	case $build in
	leaked*) check "$p 4.0 leaked: the program's count, its traceback's, inspect's" leaked_count ;;
	bubbles*) check "$p 4.0 both bubbles, with the runtime's ids" bubbles_seen ;;
	esac
	fixture_stop
}

for dir in "$FIXTURES"/go*/ "$BUILD"/matrix/go*/; do
	gover=$(basename "$dir")
	[[ -x $dir/parked ]] || continue
	found=
	for build in bubbles bubbles-sw leaked leaked-sw; do
		[[ -x $dir/$build ]] || continue
		found=1
		FIXTURES=${dir%/"$gover"/} run "$gover" "$build"
	done
	[[ -n $found ]] || skip "$gover" "no fixture: testing/synctest needs Go 1.25+, the leaked status Go 1.26"
done
