#!/bin/bash
# 0700-print: print, locals, args, bt -full, config and dump --locals on the vars
# fixture (fixtures/go/vars/main.go: a goroutine parked with a variable of every
# kind, the leak's chan-recv goroutines, a closure, a full channel with two
# blocked senders), built optimized (vars) and with -N -l (vars-noopt).
#
# For each Go toolchain built (GOVER) and each build (B):
#   $GOVER $B 1  task, frame, locals, args, config, bt -full (at depth 1: the
#                runtime's frames hold pointers to the g, whose fields change from
#                run to run) and print of every expression form:
#                the exact text of tests/integration/expected/0700-$GOVER-$B.txt
#                (addresses as 0xADDR, goroutine ids by role; UPDATE_EXPECTED=1
#                writes it), and the fixture runs on unharmed
#   $GOVER $B 2  the full channel: 3/3 [1,2,3] and its two senders' ids in order;
#                the leak's channel: its one receiver, the goroutine itself
#   $GOVER $B 3  bad expressions: one message each, pointing at the error, and
#                the session goes on (and exits 2: commands failed)
#   $GOVER $B 4  dump --locals: the example of main.allKinds with its locals, in
#                text and JSON; the process detached and unharmed
#   $GOVER $B 5  Delve's print of the same variables (Debian's Delve 1.20 for
#                Go 1.19, build/tools/dlv for newer Go), where the
#                formats agree (see DELVE_SAME), equal to ours (the optimized
#                build keeps them all in its frame: keep() in the fixture)
# (print on a binary without DWARF says that it needs DWARF; such binaries cannot
# be attached to before the issue on stripped binaries, so no test yet.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_PROG=vars
N=3
SRC=$ROOT/fixtures/go/vars/main.go
EXPECTED=$ROOT/tests/integration/expected

# Variables whose text is the same in Delve's print (after joining its lines and
# writing our "(*T)(0xADDR) {" as its "*T {"). Not: d (we print 1.5s, Delve the
# integer), m and big (we sort entries like fmt), ch (we print the contents and
# the waiting goroutines, Delve the runtime.hchan struct).
DELVE_SAME="b i i8 u16 u64 f32 f64 c128 r s long empty arr sl nilSlice pt p nilPtr order nilMap e es ep enil err errNil fn up temp"

# session CMD...: piped; it must run to its end: exit 0, or 2 when a command
# failed (a print of a value optimized out: what each printed is checked by the
# case); with WANT_RC, exactly that.
session() {
	printf '%s\n' "$@" | { RC=0; "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?; echo "$RC" >"$TEST_TMP/rc"; }
	RC=$(<"$TEST_TMP/rc")
	[[ " ${WANT_RC:-0 2} " == *" $RC "* ]] ||
		{ echo "attach exited $RC, want ${WANT_RC:-0 or 2}: $(head -c 300 "$ERR")" >&2; return 1; }
}

# The goroutines by role, from inspect's JSON: ALL, HANDLE (the smallest id),
# CLOSURE, SEND4 and SEND5 (by the line of their go statement), and the index of
# each one's user frame (ALL_FRAME, ...).
find_ids() {
	local l4 l5 j=$TEST_TMP/ids.json
	dump_json >/dev/null && cp "$OUT" "$j" || return 1
	l4=$(grep -n 'go sendFull(4)' "$SRC" | cut -d: -f1)
	l5=$(grep -n 'go sendFull(5)' "$SRC" | cut -d: -f1)
	id_of() { jq -r "[.goroutines[] | select($1)] | sort_by(.id) | .[0].id" "$j"; }
	frame_of() { jq -r "[.goroutines[] | select(.id == $1)][0].frames | map(.func) | index(\"$2\")" "$j"; }
	ALL=$(id_of '.user_top.func == "main.allKinds"')
	HANDLE=$(id_of '.user_top.func == "main.handle"')
	CLOSURE=$(id_of '.user_top.func == "main.closures.func1"')
	SEND4=$(id_of ".user_top.func == \"main.sendFull\" and .go_pc.line == $l4")
	SEND5=$(id_of ".user_top.func == \"main.sendFull\" and .go_pc.line == $l5")
	ALL_FRAME=$(frame_of "$ALL" main.allKinds)
	HANDLE_FRAME=$(frame_of "$HANDLE" main.handle)
	CLOSURE_FRAME=$(frame_of "$CLOSURE" main.closures.func1)
	for v in ALL HANDLE CLOSURE SEND4 SEND5 ALL_FRAME HANDLE_FRAME CLOSURE_FRAME; do
		[[ ${!v} =~ ^[0-9]+$ ]] || { echo "no $v in inspect's JSON" >&2; return 1; }
	done
}

# normalize: addresses as 0xADDR, the known goroutine ids by role, the checkout as ROOT.
normalize() {
	perl -pe 's{\Q'"$ROOT"'\E}{ROOT}g; s/0x[0-9a-f]{5,}/0xADDR/g;
		s/\b'"$ALL"'\b/<all>/g if /^\(inspect\) task|^goroutine/;
		s/(waiting to \w+: )([\d, ]+)/$1 . join(", ", map { $_ eq "'"$SEND4"'" ? "<send4>" : $_ eq "'"$SEND5"'" ? "<send5>" : $_ eq "'"$HANDLE"'" ? "<handle>" : $_ eq "'"$ALL"'" ? "<all>" : $_ eq "'"$CLOSURE"'" ? "<closure>" : $_ } split(m{, }, $2))/ge;
		s/\bgoroutine '"$HANDLE"'\b/goroutine <handle>/; s/\bgoroutine '"$CLOSURE"'\b/goroutine <closure>/;
		s/\bgoroutine '"$ALL"'\b/goroutine <all>/; s/^(\(inspect\) task )\d+/$1N/; s/^(\(inspect\) frame )\d+/$1N/;
		s/^(>? +)\d+(  main\.)/$1N$2/; s/after [0-9.]+ s$/after N s/;
		s/^(attached to process )\d+/$1PID/; s/^(detached from process )\d+/$1PID/;
		s/: \d+ goroutines, \d+ threads/: N goroutines, N threads/'
}

COMMANDS=()
commands() {
	COMMANDS=(
		"task $ALL" "frame $ALL_FRAME" locals args
		"print order" "p order.Tags[0]" "print order.Tags[1:]" "print order.Shipping.X"
		"print *p" "print p.Y" "print &pt" "print arr[2]" "print sl[1:3]" "print s[0]"
		"print len(long)" "print cap(sl)" "print len(m)" "print m[\"b\"]" "print big[42]"
		"print len(ch)" "print ch" "print e" "print err" "print when" "print d"
		"print main.Config" "print main.Config.Name" "print main.chFull"
		"config max-string 5 max-elems 2 max-depth 1" "print s" "print sl" "print order"
		"print big" "config max-string 64 max-elems 64 max-depth 3"
		"task $HANDLE" "frame $HANDLE_FRAME" locals args "print ch"
		"task $CLOSURE" "frame $CLOSURE_FRAME" locals
		"task $ALL" "frame $ALL_FRAME" "config max-depth 1" "bt -full"
	)
}

expected_output() {
	local name=$1 want=$EXPECTED/0700-$2.txt
	normalize <"$OUT" >"$TEST_TMP/$name.txt" || return 1
	[[ -s $TEST_TMP/$name.txt ]] || { echo "nothing to compare: the session printed nothing" >&2; return 1; }
	if [[ ${UPDATE_EXPECTED-} == 1 ]]; then
		cp "$TEST_TMP/$name.txt" "$want"
	fi
	[[ -f $want ]] || { echo "no $want (UPDATE_EXPECTED=1 writes it)" >&2; return 1; }
	diff -u "$want" "$TEST_TMP/$name.txt" >&2 || return 1
	fixture_alive
}

# part CMD: what the session printed for CMD (up to the next prompt).
part() {
	awk -v cmd="(inspect) $1" '$0 == cmd { on = 1; next } /^\(inspect\) |^detached from / { on = 0 } on' "$OUT"
}

channels() {
	session "task $ALL" "frame $ALL_FRAME" "print ch" "task $HANDLE" "frame $HANDLE_FRAME" "print ch" || return 1
	local full leak
	full=$(part "print ch" | head -1)
	leak=$(part "print ch" | tail -1)
	[[ $full == "chan int 3/3, [1,2,3], waiting to send: $SEND4, $SEND5" ]] ||
		{ echo "full channel: '$full' (senders $SEND4, $SEND5)" >&2; return 1; }
	[[ $leak == "chan string 0/0, waiting to receive: $HANDLE" || $leak == *"optimized out"* ]] ||
		{ echo "leak's channel: '$leak' (receiver $HANDLE)" >&2; return 1; }
	fixture_alive
}

bad_expressions() {
	WANT_RC=2 session "task $ALL" "frame $ALL_FRAME" "print order.Tagz" "print nope" "print order.Tags[7]" \
		"print m[\"zz\"]" "print (order" "print sl[" "print *s" "print s)" "print s[1:99]" "print 42" "info" || return 1
	local cmd want
	while IFS='|' read -r cmd want; do
		part "$cmd" | grep -qF -- "$want" || { echo "$cmd: no '$want' in: $(part "$cmd" | head -c 300)" >&2; return 1; }
	done <<-'EOF2'
	print order.Tagz|main.Order has no field Tagz
	print order.Tagz|        ^
	print nope|no variable nope in this frame or its package (main.nope)
	print order.Tags[7]|index 7 out of range [0:2]
	print m["zz"]|the map has no such key
	print (order|')' was expected here
	print sl[|a number was expected here
	print *s|string is not a pointer
	print s)|unexpected ')'
	print s[1:99]|slice bounds out of range
	print 42|a number alone has no value
	info|process
	EOF2
	fixture_alive
}

dump_locals() {
	# the sessions before kept the process stopped for as long as they ran
	heartbeat_stall_ms >/dev/null || return 1
	inspect_run dump --locals "$FIXTURE_PID"
	((RC == 0)) || { echo "dump --locals exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -qE "^ +goroutine $ALL, frame $ALL_FRAME main.allKinds:$" "$OUT" &&
		grep -qE '^ +s = "hello, world"$' "$OUT" &&
		grep -qE '^ +err = error\(\*errors.errorString\) \*\{s: "boom"\}$' "$OUT" ||
		{ echo "no locals of main.allKinds in: $(head -c 600 "$OUT")" >&2; return 1; }
	unharmed "$(sed -nE 's/.*paused ([0-9.]+) ms.*/\1/p' "$OUT")" || return 1
	dump_json --locals || return 1
	jq -e --argjson id "$ALL" '.goroutines[] | select(.id == $id) | .locals.variables[] |
		select(.name == "s" and .value == "\"hello, world\"")' "$OUT" >/dev/null ||
		{ echo "no locals in the JSON of goroutine $ALL" >&2; return 1; }
}

# Delve's print of each of DELVE_SAME equals ours, lines joined. DLV: Debian's
# Delve for Go 1.19, the one tools/deps.sh builds for newer Go.
delve_same() {
	local v cmds=() ours theirs n=0
	for v in $DELVE_SAME; do cmds+=("print $v"); done
	session "task $ALL" "frame $ALL_FRAME" "${cmds[@]}" || return 1
	cp "$OUT" "$TEST_TMP/ours"
	printf '%s\n' "goroutine $ALL" "frame $ALL_FRAME" "${cmds[@]}" exit >"$TEST_TMP/dlv.in"
	(cd "$TEST_TMP" && timeout 300 "$DLV" attach "$FIXTURE_PID" --allow-non-terminal-interactive=true <dlv.in >dlv.out 2>&1) || true
	fixture_alive || return 1
	local OUT=$TEST_TMP/ours # what part reads, in this function only
	for v in $DELVE_SAME; do
		ours=$(part "print $v" | perl -pe 's/\(\*([\w.]+)\)\(0x[0-9a-f]+\) \{/*$1 {/g')
		# Delve: "(dlv) " before the first line of each answer, pretty-printed over
		# lines; Delve 1.27 puts a pointer's address on a line of its own first.
		theirs=$(awk -v n="$((n + 3))" '/^\(dlv\) /{k++; sub(/^\(dlv\) /, "")} k == n' "$TEST_TMP/dlv.out" |
			perl -0pe 's/\A\(\*[\w.]+\)\(0x[0-9a-f]+\)\n(?=\*)//; s/\{\n\t+/{/g; s/,\n\t*/, /g; s/\n\t*//g; s/,\}/}/g; s/, \]/]/g; s/,\s*$//')
		n=$((n + 1))
		# both say that the value is not in the frame
		[[ $ours == *"is <optimized out>"* && $theirs == "(unreadable "* ]] && continue
		[[ $ours == "$theirs" ]] || { echo "print $v: ours '$ours', Delve's '$theirs'" >&2; return 1; }
	done
}

for GOVER in $(fixture_versions); do
	for B in vars vars-noopt; do
		FIXTURE_NAME=$B fixture_start "$GOVER" "$N"
		if ! check "$GOVER $B 0 goroutines found by role" find_ids; then
			fixture_stop
			continue
		fi
		commands
		check "$GOVER $B 1 print, locals, args, bt -full: expected/0700-$GOVER-$B.txt" \
			eval 'session "${COMMANDS[@]}" && expected_output $B $GOVER-$B'
		check "$GOVER $B 2 channels: buffer and senders, the leak's receiver" channels
		check "$GOVER $B 3 bad expressions point at the error" bad_expressions
		check "$GOVER $B 4 dump --locals, text and JSON, unharmed" dump_locals
		DLV=$BUILD/tools/dlv
		[[ $GOVER != go1.19 ]] || DLV=$(command -v dlv || echo "Debian's dlv")
		if [[ ! -x $DLV ]]; then
			skip "$GOVER $B 5 Delve's print" "no $DLV (make deps installs it)"
		else
			check "$GOVER $B 5 Delve's print equals ours: $DELVE_SAME" delve_same
		fi
		fixture_stop
	done
done

