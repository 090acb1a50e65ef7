#!/bin/bash
# 1410-pprof: inspect dump --format pprof, read by the tool it is for, go tool
# pprof (/usr/local/go/bin/go's; Debian's Go 1.19 one too where it is installed),
# on the labels fixture (fixtures/go/labels/main.go: 3 goroutines labelled
# tenant=acme, 2 tenant=globex, 1 tenant=initech,handler=/api and its child, 1
# tenant=umbrella with a hostile note= and a 5000-byte blob=, 1 tenant=wide with
# 20 more, 1 with 70 labels, 2 without labels, all parked in main.park*).
#
# Oracle: the runtime's own goroutine profile of the same process (the fixture
# writes it with -profile FILE before "ready": pprof.Lookup("goroutine")), and
# the fixture's own print of its label sets. The two captures differ only where
# the processes did: the runtime's profile holds the goroutine writing it
# (main.main in runtime/pprof.(*Profile).WriteTo, later parked in the harness)
# and the heartbeat at whatever it did then; the runtime's own goroutines (GC,
# finalizers) are in neither (inspect leaves them out without --system, as the
# runtime's profile does). So the goroutines compared are those parked in
# main.park* (-focus='^main\.park'), and, by label, the labelled ones (all parked).
#
# For Go 1.19 and 1.26, as built (GOVER) and stripped with -s -w (GOVER-sw):
#   $V 1.0  the profile is a valid gzip stream (gzip -t), pprof reads it, and its
#           comment says the pause; the fixture is unharmed
#   $V 1.1  -top -focus='^main\.park': the same table (flat and cum per function)
#           as of the runtime's profile, with each pprof
#   $V 1.2  -traces -focus='^main\.park' -tagshow='^(tenant|handler)$': the same
#           stacks with the same labels and counts as the runtime's (summed per
#           stack and label set: pprof prints samples in its own order)
#   $V 1.3  -tags: the tenant and handler tags have the runtime's counts; and
#           -top -tagfocus=tenant=acme the runtime's table, of the fixture's 3
#   $V 1.4  the header's File: and Build ID: (the mapping: the executable, its
#           GNU build-id; none on Go 1.19, whose linker writes none) are the
#           runtime's
#   $V 1.5  --with label:tenant=umbrella (its note= holds ESC sequences, a newline
#           and \xff\xfe): every string of the profile (read by
#           check-pprof-strings.py) is valid UTF-8 without a control character,
#           its functions, files and labels are the JSON report's strings (a
#           newline or tab as \x0a, \x09); pprof -tags shows the note so, on one line
#   $V 2.0  -tagfocus='wait_reason=^chan receive$' -focus='^main\.park' counts the
#           goroutines the runtime's traceback (runtime.Stack) shows in "chan
#           receive" in main.park*; -tags -tagshow='^wait_reason$' shows that
#           tag alone
#   $V 3.0  -base a.pb.gz b.pb.gz of a second instance with -acme 7: +4 on the
#           acme bucket (-tagfocus=tenant=acme), +4 in all main.park* (nothing
#           else of those changed)
# On the hostile names fixture shaped (tools/build-shaped.sh: names with ESC
# sequences, invalid UTF-8, newlines), Go 1.19 and 1.26, as built and -s -w:
#   $V 6.0  the check of 1.5 over all its goroutines
# and once, on Go 1.26:
#   7.0  labels -clash 2 (2 goroutines with labels of our names state=,
#        wait_reason=, wait_minutes=, labels_cut=, all "mine"): the program's
#        win, no sample has two labels of one key, and the others keep ours
#        (-tags: "mine" on the 2, state "waiting" on acme's 3)
#   7.1  -gc-on-hup: a capture, SIGHUP (two GCs stamp every wait), a capture:
#        -base -tagfocus=tenant=acme is +3 with wait_minutes 0 and -3 without
#        (-traces); -top -base: "accounting for 0" (the net per function: no
#        goroutine came or went) "of N total", N the sizes of all -traces
#        samples (a pair counted twice: the label sets changed). Not tested: a
#        wait that crosses a whole minute between the captures does the same
#        (a test would wait a minute); it changes the label set as this does.
#   4.0  parked fixture with -gc (its second GC stamps every goroutine parked in
#        main.block*), --with func=main.block: the numeric wait_minutes label is
#        0 on each goroutine the runtime's traceback shows in main.block* (none
#        with ", N minutes"), as in the JSON; a range works: -tagfocus=
#        wait_minutes=0: keeps them all, =1: none
#   5.0  to a terminal (pty-session.py): refused, exit 64, "binary", the fixture
#        alive; before any attach (a pid that does not exist: 64, not 3)
# Every dump checks the fixture still beats, unharmed, afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_PROG=labels
GO=${GO:-/usr/local/go/bin/go}
GO119=${GO119:-/usr/lib/go-1.19/bin/go}
PTY=$ROOT/tests/integration/pty-session.py
PPROFS=("$GO")
[[ -x $GO119 ]] && PPROFS+=("$GO119")

# pprof GO ARGS...: go tool pprof of that Go (the report on stdout; its
# notes, "Interpreted ... as range", on stderr, dropped).
pprof() {
	local go=$1
	shift
	"$go" tool pprof "$@" 2>/dev/null
}

# top GO ARGS...: the -top table, from its column header on, and "total N".
top() {
	local go=$1
	shift
	pprof "$go" -top "$@" | awk '
		/^Showing nodes accounting for/ { t = $0; sub(/^Showing nodes accounting for /, "", t); sub(/,.*/, "", t); print "total " t }
		/flat%/ { on = 1 }
		on'
}

# traces GO ARGS...: -traces as "COUNT<TAB>LABELS<TAB>STACK" per label set and
# stack, summed over samples and sorted (labels sorted by key).
traces() {
	local go=$1
	shift
	pprof "$go" -traces "$@" | awk '
	function flush(   i, j, t, s) {
		for (i = 2; i <= nl; i++)
			for (j = i; j > 1 && lab[j - 1] > lab[j]; j--) { t = lab[j]; lab[j] = lab[j - 1]; lab[j - 1] = t }
		s = ""
		for (i = 1; i <= nl; i++) s = s lab[i] ";"
		if (n != "") sum[s "\t" st] += n
		n = ""; nl = 0; st = ""
	}
	/^-----------\+/ { flush(); on = 1; next }
	!on { next }
	n == "" && /^ *[^ ]+:  / { v = $0; sub(/^ */, "", v); lab[++nl] = v; next }
	n == "" && /^ +-?[0-9]+   [^ ]/ { n = $1; st = $2; next }
	n != "" && /^             [^ ]/ { st = st " < " $1; next }
	END { flush(); for (k in sum) print sum[k] "\t" k }' | sort
}

# tags GO KEYS ARGS...: the -tags counts of the tags whose name is in the ERE
# KEYS: "KEY VALUE COUNT", sorted. Blanks are spaces or tabs: a raw newline in
# a label value (the runtime's own profile of the labels fixture has one, in
# note=) turns pprof's aligned columns that follow into tabs.
tags() {
	local go=$1 keys=$2
	shift 2
	pprof "$go" -tags "$@" | awk -v keys="^($keys)$" '
		/^[ \t]*[^ \t]+:[ \t]+Total / { k = $1; sub(/:$/, "", k); on = k ~ keys; next }
		on && /%\):[ \t]/ { v = $0; sub(/^[^:]*\):[ \t]+/, "", v); print k, v, $1 }' | sort
}

same() {
	diff <(echo "$1") <(echo "$2") >&2 || { echo "$3 differ (< the runtime's, > inspect's)" >&2; return 1; }
}

# dump_pprof FILE [ARGS...]: inspect dump --format pprof into FILE; exit 0,
# gzip -t, the fixture unharmed by the pause the profile's comment states (read
# from the bytes: a pprof run first would load the machine in the span the
# heartbeat is measured over), and pprof reads that comment.
dump_pprof() {
	local f=$1 pause
	shift
	RC=0
	"$INSPECT" dump --format pprof "$@" "$FIXTURE_PID" >"$f" 2>"$ERR" || RC=$?
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	gzip -t "$f" || { echo "not a valid gzip stream" >&2; return 1; }
	pause=$(gzip -dc "$f" | grep -ao 'inspect dump of process [0-9]* .*, paused [0-9.]* ms' |
		sed -E 's/.* paused ([0-9.]+) ms$/\1/')
	[[ -n $pause ]] || { echo "no comment with the pause in the profile" >&2; return 1; }
	unharmed "$pause" || return 1
	pprof "$GO" -raw "$f" | grep -q "^Comment: inspect dump of process $FIXTURE_PID .*, paused $pause ms$" ||
		{ echo "pprof -raw shows no comment with the pause" >&2; return 1; }
}

case_top() {
	local go
	for go in "${PPROFS[@]}"; do
		[[ $(top "$go" -focus='^main\.park' "$RT" | head -1) == "total 12" ]] ||
			{ echo "$go: the runtime's profile has not the 12 main.park* goroutines" >&2; return 1; }
		same "$(top "$go" -focus='^main\.park' "$RT")" "$(top "$go" -focus='^main\.park' "$OURS")" \
			"-top tables of $go" || return 1
	done
}

case_traces() {
	local want got
	want=$(traces "$GO" -focus='^main\.park' -tagshow='^(tenant|handler)$' "$RT")
	got=$(traces "$GO" -focus='^main\.park' -tagshow='^(tenant|handler)$' "$OURS")
	[[ $want == *"tenant:  acme;"* ]] || { echo "the runtime's traces show no acme: $want" >&2; return 1; }
	same "$want" "$got" "traces"
}

case_tags() {
	local want
	same "$(tags "$GO" 'tenant|handler' "$RT")" "$(tags "$GO" 'tenant|handler' "$OURS")" "tags" || return 1
	want=$(sed -n 's/^count \([0-9]*\) tenant=acme$/\1/p' "$FIXTURE_DIR/stderr")
	[[ $(top "$GO" -tagfocus=tenant=acme "$OURS" | head -1) == "total $want" ]] ||
		{ echo "-tagfocus=tenant=acme: $(top "$GO" -tagfocus=tenant=acme "$OURS" | head -1), want $want" >&2; return 1; }
	same "$(top "$GO" -tagfocus=tenant=acme "$RT")" "$(top "$GO" -tagfocus=tenant=acme "$OURS")" \
		"-tagfocus=tenant=acme tables"
}

# header GO FILE: the File: and Build ID: lines of pprof's report header.
header() {
	pprof "$1" -top "$2" | grep -E '^(File|Build ID): '
}

# case_header NAME: NAME the executable's file name
case_header() {
	local want
	want=$(header "$GO" "$RT")
	[[ $want == "File: $1"* ]] || { echo "the runtime's profile names no file: $want" >&2; return 1; }
	same "$want" "$(header "$GO" "$OURS")" "File and Build ID"
}

case_reason() {
	local want got keys
	want=$(runtime_goroutines | awk -F'\t' '$2 == "chan receive" && $3 ~ /^main\.park/' | wc -l)
	((want > 0)) || { echo "the runtime shows no goroutine in chan receive" >&2; return 1; }
	got=$(top "$GO" -focus='^main\.park' -tagfocus='wait_reason=^chan receive$' "$OURS" | head -1)
	[[ $got == "total $want" ]] || { echo "wait_reason=chan receive: $got, want $want" >&2; return 1; }
	keys=$(pprof "$GO" -tags -tagshow='^wait_reason$' "$OURS" | awk '/^ *[^ ]+: Total / { print $1 }' | paste -sd ' ')
	[[ $keys == "wait_reason:" ]] || { echo "-tagshow=wait_reason shows the tags $keys" >&2; return 1; }
}

# strings_ok NAME [ARGS...]: the JSON report and the profile (ARGS: filters) into
# $TEST_TMP/NAME.json and NAME.pb.gz; check-pprof-strings.py on them.
strings_ok() {
	local f=$TEST_TMP/$1
	shift
	# the heartbeat's span from here: not over the pprof runs of the cases before
	heartbeat_stall_ms >/dev/null || return 1
	dump_json "$@" || return 1
	cp "$OUT" "$f.json"
	dump_pprof "$f.pb.gz" "$@" || return 1
	python3 "$ROOT/tests/integration/check-pprof-strings.py" "$f.pb.gz" "$f.json" >&2
}

case_umbrella() {
	local want got
	strings_ok umbrella --with label:tenant=umbrella || return 1
	[[ $(jq '.goroutines | length' "$TEST_TMP/umbrella.json") == 1 ]] ||
		{ echo "the JSON has not the umbrella goroutine alone" >&2; return 1; }
	# the fixture's Hostile, as esc.h and the \x0a of the newline write it
	want='note \x1b[31mred\x1b[0m\x0aline2 \xff\xfe end 1'
	got=$(tags "$GO" note "$TEST_TMP/umbrella.pb.gz")
	[[ $got == "$want" ]] || { echo "-tags note: $got, want $want" >&2; return 1; }
}

case_base() {
	local a=$1 b=$2 got
	got=$(top "$GO" -tagfocus=tenant=acme -base "$a" "$b" | head -1)
	[[ $got == "total 4" ]] || { echo "-base, tenant=acme: $got, want 4" >&2; return 1; }
	got=$(top "$GO" -focus='^main\.park' -base "$a" "$b" | awk '$NF == "main.parkLabelled" { print $4 } /^total/')
	[[ $got == $'total 4\n4' ]] || { echo "-base, main.park*: $got, want 4 (main.parkLabelled cum 4)" >&2; return 1; }
}

for gover in go1.19 go1.26; do
	[[ -x $FIXTURES/$gover/labels ]] || { skip "$gover" "no $gover labels fixture (make fixtures)"; continue; }
	for name in labels labels-sw; do
		V=$gover${name#labels}
		OURS=$TEST_TMP/$V.pb.gz
		FIXTURE_NAME=$name fixture_start "$gover" 0 -profile "$TEST_TMP/rt.pb.gz"
		RT=$TEST_TMP/rt-$V.pb.gz
		mv "$TEST_TMP/rt.pb.gz" "$RT"
		if check "$V 1.0 gzip, pprof reads it, unharmed" dump_pprof "$OURS"; then
			check "$V 1.1 -top -focus=main.park is the runtime's" case_top
			check "$V 1.2 -traces with tenant, handler are the runtime's" case_traces
			check "$V 1.3 -tags and -tagfocus=tenant=acme are the runtime's" case_tags
			check "$V 1.4 the executable and its build-id are the runtime's" case_header "$name"
			check "$V 1.5 umbrella's strings: UTF-8, no control byte, the JSON's" case_umbrella
			check "$V 2.0 -tagfocus=wait_reason, -tagshow" case_reason
		else
			for c in 1.1 1.2 1.3 1.4 1.5 2.0; do fail "$V $c" "no profile"; done
		fi
		fixture_stop
		FIXTURE_NAME=$name fixture_start "$gover" 0 -acme 7
		if dump_pprof "$TEST_TMP/b.pb.gz" 2>"$TEST_TMP/b.err"; then
			check "$V 3.0 -base: +4 tenant=acme" case_base "$OURS" "$TEST_TMP/b.pb.gz"
		else
			fail "$V 3.0 -base" "second capture: $(tr '\n' ' ' <"$TEST_TMP/b.err")"
		fi
		fixture_stop
	done
done

case_minutes() {
	local n got
	# the fixture's second GC stamped every goroutine parked in main.block*
	n=$(runtime_goroutines '^main\.' | awk -F'\t' '$3 ~ /^main\.block/' | wc -l)
	((n > 0)) || { echo "the runtime shows no goroutine in main.block*" >&2; return 1; }
	! grep -q ' minutes\]:$' "$FIXTURE_DIR/stacks" ||
		{ echo "the runtime's traceback says a goroutine waited minutes" >&2; return 1; }
	dump_json --with func=main.block || return 1
	got=$(jq '[.goroutines[] | select(.wait_minutes == 0)] | length' "$OUT")
	((got == n)) || { echo "JSON: $got goroutines with wait_minutes 0, want $n" >&2; return 1; }
	dump_pprof "$TEST_TMP/gc.pb.gz" --with func=main.block || return 1
	got=$(tags "$GO" wait_minutes "$TEST_TMP/gc.pb.gz")
	[[ $got == "wait_minutes 0 $n" ]] || { echo "wait_minutes tags: $got, want 0 on $n" >&2; return 1; }
	got=$(top "$GO" -tagfocus=wait_minutes=0: "$TEST_TMP/gc.pb.gz" | head -1)
	[[ $got == "total $n" ]] || { echo "-tagfocus=wait_minutes=0: $got, want $n" >&2; return 1; }
	got=$(top "$GO" -tagfocus=wait_minutes=1: "$TEST_TMP/gc.pb.gz" | head -1)
	[[ -z $got || $got == "total 0" ]] || { echo "-tagfocus=wait_minutes=1: $got, want none" >&2; return 1; }
}

# tty PID: inspect dump --format pprof PID on a terminal exits 64 saying why.
tty() {
	printf '%s\n' '{"expect": "pprof profile is binary: not written to a terminal", "timeout": 20}' \
		'{"exit": 64, "timeout": 20}' |
		python3 "$PTY" -- "$INSPECT" dump --format pprof "$1" >"$TEST_TMP/pty.log" ||
		{ echo "terminal session: $(tail -c 300 "$TEST_TMP/pty.log")" >&2; return 1; }
}

case_tty() {
	tty "$FIXTURE_PID" || return 1
	fixture_alive || return 1
	# before any attach: a process that does not exist is refused the same way
	# (not exit 3, no such process)
	tty 4194304
}

for gover in go1.19 go1.26; do
	for name in shaped shaped-sw; do
		[[ -x $FIXTURES/$gover/$name ]] || { skip "$gover $name 6.0" "not built (make fixtures)"; continue; }
		FIXTURE_PROG=$name fixture_start "$gover" 1
		check "$gover $name 6.0 hostile names: UTF-8, no control byte, the JSON's" strings_ok shaped
		fixture_stop
	done
done

case_clash() {
	local got
	strings_ok clash || return 1
	got=$(tags "$GO" 'state|wait_reason|wait_minutes|labels_cut' -tagfocus=tenant=clash "$TEST_TMP/clash.pb.gz")
	[[ $got == $'labels_cut mine 2\nstate mine 2\nwait_minutes mine 2\nwait_reason mine 2' ]] ||
		{ echo "tenant=clash's tags: $got" >&2; return 1; }
	got=$(tags "$GO" 'state|wait_reason' -tagfocus=tenant=acme "$TEST_TMP/clash.pb.gz")
	[[ $got == $'state waiting 3\nwait_reason chan receive 3' ]] ||
		{ echo "tenant=acme's tags: $got" >&2; return 1; }
}

# restamp_captures: a capture (unstamped.pb.gz), SIGHUP, the fixture's "gc
# done 1" (10 s at most), a capture (stamped.pb.gz).
restamp_captures() {
	local i
	dump_pprof "$TEST_TMP/unstamped.pb.gz" || return 1
	kill -HUP "$FIXTURE_PID"
	for ((i = 0; i < 100; i++)); do
		! grep -q '^gc done 1$' "$FIXTURE_DIR/stderr" || break
		sleep 0.1
	done
	((i < 100)) || { echo "no 'gc done 1' from the fixture" >&2; return 1; }
	dump_pprof "$TEST_TMP/stamped.pb.gz"
}

# case_restamped A B: A before the GCs, B after them.
case_restamped() {
	local a=$1 b=$2 got pairs
	got=$(traces "$GO" -tagfocus=tenant=acme -tagshow='^wait_minutes$' -base "$a" "$b")
	[[ $got == $'-3\t\truntime.gopark < runtime.chanrecv < runtime.chanrecv1 < main.parkLabelled < main.main.func2.1 < runtime/pprof.Do\n3\twait_minutes:  0;\truntime.gopark < runtime.chanrecv < runtime.chanrecv1 < main.parkLabelled < main.main.func2.1 < runtime/pprof.Do' ]] ||
		{ echo "-traces -base: $got" >&2; return 1; }
	# pprof's total adds the sizes of all samples, a pair's twice; its nodes
	# their net: 0, the fixture's goroutines are the same ones
	pairs=$(traces "$GO" -base "$a" "$b" | awk -F'\t' '{ s += $1 < 0 ? -$1 : $1 } END { print s + 0 }')
	((pairs >= 6)) || { echo "-traces -base: $pairs goroutines in pairs, want 6 or more" >&2; return 1; }
	got=$(pprof "$GO" -top -nodefraction=0 -base "$a" "$b" | grep '^Showing nodes')
	[[ $got == "Showing nodes accounting for 0, 0% of $pairs total" ]] ||
		{ echo "-top -base: $got; want 0 of $pairs total" >&2; return 1; }
}

if [[ -x $FIXTURES/go1.26/labels ]]; then
	FIXTURE_PROG=labels
	fixture_start go1.26 0 -clash 2 -gc-on-hup
	check "7.0 labels of our names: the program's win" case_clash
	if restamp_captures 2>"$TEST_TMP/b.err"; then
		check "7.1 -base across a restamp: +3/-3 pairs, net 0" case_restamped \
			"$TEST_TMP/unstamped.pb.gz" "$TEST_TMP/stamped.pb.gz"
	else
		fail "7.1 -base across a restamp" "captures: $(tr '\n' ' ' <"$TEST_TMP/b.err")"
	fi
	fixture_stop
else
	skip "7.0, 7.1" "no go1.26 labels fixture (make fixtures)"
fi

if [[ -x $FIXTURES/go1.26/parked ]]; then
	FIXTURE_PROG=parked
	fixture_start go1.26 2 -gc
	check "4.0 wait_minutes is numeric: 0 on the stamped, ranges work" case_minutes
	check "5.0 a terminal is refused (exit 64), before the attach" case_tty
	fixture_stop
else
	skip "4.0, 5.0" "no go1.26 parked fixture (make fixtures)"
fi
