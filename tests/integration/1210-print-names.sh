#!/bin/bash
# 1210-print-names: names in print and the variables args/locals list (issue 12,
# Values), on the pvars fixture (fixtures/go/pvars/main.go: module
# github.com/example/some-svc/v2, its package .../v2/server with gitCommit set by
# -ldflags -X, a second package named server, integer constants, the named
# integers server.Level and server.Flag, and goroutines parked with them).
# Oracles: the program's own account (its stderr: NAME=VALUE lines) and Delve
# (dlv_for: Debian's 1.20 for Go 1.19, build/tools/dlv for newer Go), attached to
# the same process after inspect detached.
#
# For each Go toolchain built (GOVER), the optimized builds B (pvars; pvars-trim,
# built with -trimpath):
#   $GOVER $B 1  package variables by Delve's quoted path, the unquoted path, the
#                package's own name (server.gitCommit, server.Only) and main.x;
#                of .../internal/log-util.v3 (package logutil) by each form, a
#                variable (escaped in DWARF: log-util%2ev3) and a constant (not):
#                the values the program printed
#   $GOVER $B 2  integer constants by name (main.SomeConst, server.MaxConns,
#                server.InvalidLevel, server.FlagC): the program's numbers, plain
#                as Delve prints a constant
#   $GOVER $B 3  named integers: a value equal to a constant of its type is
#                "Name (N)", single-bit constants or'ed "FlagA|FlagC (5)", a value
#                matching none just N (server.Current, server.Levels): the
#                program's numbers with the names Delve gives them; and at
#                &server.Current, (*github.com/.../v2/server.Conn)(0xADDR) the same
#   $GOVER $B 4  errors: server.Mode names a variable of both packages named
#                server (ambiguous, both paths said); server.VERSION (a string
#                constant: not in Go's DWARF) and a quoted path alone say why
#   $GOVER $B 5  Delve prints each expression of 1-3 as we do (but the unquoted
#                path, which Delve does not take)
#   $GOVER pvars 6  args of main.named, whose optimized DWARF lists the result n
#                twice (Go 1.26; 1.19 once): the names as Delve lists them, the
#                hidden copy as "(n)", and "shadowed" in dump --locals' JSON
# and the build of the module with -N -l (pvars-noopt), where arguments live:
#   $GOVER pvars-noopt 7  args of both server.Hold: lvl and c as Delve prints them
#                (InvalidLevel (6), {ID: 1, Lvl: WarnLevel (2), F: FlagA|FlagC (5)};
#                9, {..., Lvl: DebugLevel (0), F: 0}), the numbers the program printed
#   $GOVER pvars-noopt 8  args of main.named and main.unnamed (~r0, ~r1): each
#                once, as Delve lists them
#   $GOVER pvars-noopt 9  (Go 1.23+) main.ranged, parked in its range-over-func
#                body: locals without the compiler's #yield1, args with the
#                result's shadowed copy as "(total) = 100" (its location ends
#                in DW_OP_deref), args, locals and print total (100) as Delve
# and, on the builds named:
#   $GOVER pvars 10  (Go 1.23+) parked in main.ranged's range-over-func body,
#                optimized: the inlined frames' v and i, each in a register at
#                the call and in a stack slot from its return address on, read
#                there: v = 1 and i = 1 (the fixture parks at v == 1), as Delve
#   $GOVER $B 11 an unqualified name in main.named's frame is its package's
#                (print x: main.x, the program's 42, as Delve); without a
#                frame the message says none is selected, not "in this frame",
#                and names main.x; with one, a name in neither says where it
#                looked (this frame, main.NAME)
#   $GOVER $B 12 main.shadow's variable github hides the unquoted path:
#                print github.com/.../v2/server.gitCommit points to the quoted
#                form, which prints the program's gitCommit; (pvars-noopt)
#                print github is the program's 7
# Every case ends with the fixture alive and untraced.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURE_PROG=pvars
SERVER=github.com/example/some-svc/v2/server

# session CMD...: a piped session that must exit WANT_RC (0: every command
# answered; 2: one failed).
session() {
	printf '%s\n' "$@" | { RC=0; "$INSPECT" attach "$FIXTURE_PID" >"$OUT" 2>"$ERR" || RC=$?; echo "$RC" >"$TEST_TMP/rc"; }
	RC=$(<"$TEST_TMP/rc")
	((RC == ${WANT_RC:-0})) || { echo "attach exited $RC, want ${WANT_RC:-0}: $(head -c 300 "$ERR")" >&2; return 1; }
}

# part CMD: what the session printed for CMD (up to the next prompt).
part() {
	awk -v cmd="(inspect) $1" '$0 == cmd { on = 1; next } /^\(inspect\) |^detached from / { on = 0 } on' "$OUT"
}

# own NAME: the value the program printed for NAME.
own() {
	sed -n "s/^$1=//p" "$FIXTURE_DIR/stderr" | head -1
}

# delve CMD...: Delve's answers, one file each, $TEST_TMP/dlv.K (K from 1).
delve() {
	local dlv
	dlv=$(dlv_for "$GOVER") || { echo "no Delve for $GOVER" >&2; return 1; }
	printf '%s\n' "$@" exit >"$TEST_TMP/dlv.in"
	(cd "$TEST_TMP" && timeout 300 "$dlv" attach "$FIXTURE_PID" --allow-non-terminal-interactive=true \
		<dlv.in >dlv.out 2>&1) || true
	sed -i 's/\x1b\[[0-9;]*m//g' "$TEST_TMP/dlv.out"
	rm -f "$TEST_TMP"/dlv.[0-9]*
	awk -v dir="$TEST_TMP" '/^\(dlv\) /{ k++; sub(/^\(dlv\) /, "") } k { print > (dir "/dlv." k) }' "$TEST_TMP/dlv.out"
	fixture_alive
}

# Goroutine ids and the index of their frame of FUNC, from inspect's JSON:
# HOLD (both, by id), NAMED, UNNAMED, RANGED (main.ranged's frame: RANGED_FRAME).
find_ids() {
	local j=$TEST_TMP/ids.json
	dump_json >/dev/null && cp "$OUT" "$j" || return 1
	ids_of() { jq -r "[.goroutines[] | select(.frames | map(.func) | index(\"$1\"))] | sort_by(.id) | .[].id" "$j" | xargs; }
	frame_of() { jq -r "[.goroutines[] | select(.id == $1)][0].frames | map(.func) | index(\"$2\")" "$j"; }
	HOLD=$(ids_of "$SERVER.Hold")
	NAMED=$(ids_of main.named)
	UNNAMED=$(ids_of main.unnamed)
	RANGED=$(ids_of main.ranged)
	SHADOW=$(ids_of main.shadow)
	[[ $HOLD =~ ^[0-9]+\ [0-9]+$ && $NAMED =~ ^[0-9]+$ && $UNNAMED =~ ^[0-9]+$ ]] ||
		{ echo "goroutines not found: Hold '$HOLD' named '$NAMED' unnamed '$UNNAMED'" >&2; return 1; }
	HOLD_FRAME=$(frame_of "${HOLD% *}" "$SERVER.Hold")
	NAMED_FRAME=$(frame_of "$NAMED" main.named)
	UNNAMED_FRAME=$(frame_of "$UNNAMED" main.unnamed)
	SHADOW_FRAME=$(frame_of "$SHADOW" main.shadow)
	RANGED_FRAME= BODY_FRAME= COUNT_FRAME=
	[[ -z $RANGED ]] || {
		RANGED_FRAME=$(frame_of "$RANGED" main.ranged)
		BODY_FRAME=$(frame_of "$RANGED" main.ranged-range1)
		COUNT_FRAME=$(frame_of "$RANGED" main.ranged.count.func1)
	}
}

# Expressions of cases 1-3, and what each must print from the program's account.
PKG_PRINTS=(
	"print \"$SERVER\".gitCommit" "print $SERVER.gitCommit" "print server.gitCommit"
	"print main.x" "print server.Only" "print \"${SERVER%server}legacy/server\".Mode"
	"print $SERVER.Mode"
)
# .../internal/log-util.v3 (package logutil): its variables' DWARF names escape
# the last element's dot (log-util%2ev3.Prefix), its constants' do not; Delve 1.27
# finds only logutil.Prefix of these, so the program's account is the oracle.
LOGUTIL=github.com/example/some-svc/v2/internal/log-util.v3
LOGUTIL_PRINTS=(
	"print logutil.Prefix" "print \"$LOGUTIL\".Prefix" "print $LOGUTIL.Prefix"
	"print logutil.Depth" "print \"$LOGUTIL\".Depth" "print $LOGUTIL.Depth"
)
CONST_PRINTS=("print main.SomeConst" "print server.MaxConns" "print server.InvalidLevel" "print server.FlagC")
NAMED_PRINTS=("print server.Current" "print server.Levels" "print server.Current.Lvl" "print \"$SERVER\".Current.F")

# want CMD TEXT: the session printed exactly TEXT for CMD.
want() {
	local got
	got=$(part "$1")
	[[ $got == "$2" ]] || { echo "$1: '$got', want '$2'" >&2; return 1; }
}

package_vars() {
	session "${PKG_PRINTS[@]}" "${LOGUTIL_PRINTS[@]}" || return 1
	local c
	c=$(own gitCommit)
	[[ $c == '"a1b2c3d"' ]] || { echo "the program printed gitCommit=$c" >&2; return 1; }
	want "${PKG_PRINTS[0]}" "$c" && want "${PKG_PRINTS[1]}" "$c" && want "${PKG_PRINTS[2]}" "$c" &&
		want "print main.x" "$(own x)" && want "print server.Only" "$(own legacy.Only)" &&
		want "${PKG_PRINTS[5]}" "$(own legacy.Mode)" && want "${PKG_PRINTS[6]}" "$(own Mode)" || return 1
	for c in "${LOGUTIL_PRINTS[@]}"; do
		want "$c" "$(own "logutil.${c##*.}")" || return 1
	done
	fixture_alive
}

constants() {
	session "${CONST_PRINTS[@]}" || return 1
	want "print main.SomeConst" "$(own SomeConst)" && want "print server.MaxConns" "$(own MaxConns)" &&
		want "print server.InvalidLevel" "$(own InvalidLevel)" && want "print server.FlagC" "$(own FlagC)" &&
		fixture_alive
}

named_ints() {
	session "${NAMED_PRINTS[@]}" "print &server.Current" || return 1
	# the program's "{ID:7 Lvl:6 F:5}" and "[0 6 9]"; the names are the constants
	# of server.go with those values (DebugLevel 0, InvalidLevel 6, FlagA 1, FlagC 4)
	[[ $(own Current) == "{ID:7 Lvl:6 F:5}" && $(own Levels) == "[0 6 9]" ]] ||
		{ echo "the program printed Current=$(own Current) Levels=$(own Levels)" >&2; return 1; }
	want "print server.Current" "$SERVER.Conn {ID: 7, Lvl: InvalidLevel (6), F: FlagA|FlagC (5)}" &&
		want "print server.Levels" "[]$SERVER.Level len: 3, cap: 3, [DebugLevel (0),InvalidLevel (6),9]" &&
		want "print server.Current.Lvl" "InvalidLevel (6)" && want "${NAMED_PRINTS[3]}" "FlagA|FlagC (5)" ||
		return 1
	# a type of that package by its path in (*T)(0xADDR), at server.Current's address
	local addr
	addr=$(part "print &server.Current" | sed -nE 's/^\(\*[^)]*\)\((0x[0-9a-f]+)\).*/\1/p')
	[[ -n $addr ]] || { echo "print &server.Current: $(part "print &server.Current")" >&2; return 1; }
	session "print (*$SERVER.Conn)($addr)" || return 1
	want "print (*$SERVER.Conn)($addr)" \
		"(*$SERVER.Conn)($addr) {ID: 7, Lvl: InvalidLevel (6), F: FlagA|FlagC (5)}" && fixture_alive
}

errors() {
	WANT_RC=2 session "print server.Mode" "print server.VERSION" "print \"$SERVER\"" "print server.Nope" || return 1
	local cmd w
	while IFS='|' read -r cmd w; do
		[[ $(part "$cmd") == *"$w"* ]] || { echo "$cmd: no '$w' in: $(part "$cmd" | head -c 400)" >&2; return 1; }
	done <<-EOF2
	print server.Mode|server.Mode is ambiguous: "${SERVER%server}legacy/server".Mode or "$SERVER".Mode
	print server.VERSION|no package variable or integer constant server.VERSION (Go's DWARF has no other constants)
	print "$SERVER"|a quoted package path is followed by .NAME
	print server.Nope|no package variable or integer constant server.Nope (Go's DWARF
	EOF2
	fixture_alive
}

# Delve prints each of cases 1-3 as we do; not the unquoted path, which Delve
# does not take ("could not find symbol github.com").
delve_same() {
	local cmds=("${PKG_PRINTS[@]}" "${CONST_PRINTS[@]}" "${NAMED_PRINTS[@]}") k ours theirs
	for k in "${!cmds[@]}"; do
		[[ ${cmds[k]} != "print $SERVER."* ]] || unset "cmds[k]"
	done
	cmds=("${cmds[@]}")
	session "${cmds[@]}" || return 1
	delve "${cmds[@]}" || return 1
	for k in "${!cmds[@]}"; do
		ours=$(part "${cmds[k]}")
		theirs=$(cat "$TEST_TMP/dlv.$((k + 1))" 2>/dev/null)
		[[ $ours == "$theirs" ]] || { echo "${cmds[k]}: ours '$ours', Delve's '$theirs'" >&2; return 1; }
	done
}

# names CMD: the names an args/locals answer lists, in order ("(n)" kept).
names() {
	sed -E 's/ = .*//'
}

# args/locals of the frames, ours against Delve's: the names always, the
# values too where both read one (ours "<optimized out...>" where Delve says
# "(unreadable ...)"; a channel's waiters we add).
same_vars() {
	local i=$1 ours=$2 theirs=$3 o t
	diff <(names <"$ours") <(names <"$theirs") >&2 || { echo "$i: names differ (< ours, > Delve)" >&2; return 1; }
	paste -d '\n' "$ours" "$theirs" | while IFS= read -r o && IFS= read -r t; do
		[[ $o == *"<optimized out"* && $t == *"(unreadable"* ]] && continue
		[[ $o == *" = chan "* ]] && o=${o%%, waiting to *}
		[[ $o == "$t" ]] || { echo "$i: ours '$o', Delve's '$t'" >&2; exit 1; }
	done
}

named_args_optimized() {
	session "task $NAMED" "frame $NAMED_FRAME" args || return 1
	part args >"$TEST_TMP/ours.args"
	delve "goroutine $NAMED" "frame $NAMED_FRAME args" || return 1
	same_vars "main.named args" "$TEST_TMP/ours.args" "$TEST_TMP/dlv.2" || return 1
	# the case this is about: the compiler's two n (Go 1.26; Go 1.19 writes one)
	if [[ $(grep -c '^(n) = \|^n = ' "$TEST_TMP/ours.args") == 2 ]]; then
		grep -q '^(n) = ' "$TEST_TMP/ours.args" ||
			{ echo "two n, none marked: $(tr '\n' ' ' <"$TEST_TMP/ours.args")" >&2; return 1; }
		# and dump's JSON marks the first "shadowed" (Delve kept the process
		# stopped for as long as it ran: not a stall of ours)
		heartbeat_stall_ms >/dev/null || return 1
		dump_json --locals || return 1
		jq -e --argjson id "$NAMED" '[.goroutines[] | select(.id == $id) | .locals.variables[] |
			select(.name == "n") | .shadowed // false] == [true, false]' "$OUT" >/dev/null ||
			{ echo "JSON: the first n not marked shadowed" >&2; return 1; }
	fi
	fixture_alive
}

# args_parts NAME: the session's answers to args, one file each:
# $TEST_TMP/ours.NAME1, NAME2, ...
args_parts() {
	awk -v f="$TEST_TMP/ours.$1" '$0 == "(inspect) args" { k++; on = 1; next }
		/^\(inspect\) |^detached / { on = 0; next } on { print > (f k) }' "$OUT"
}

hold_args() {
	local h k=0 cmds=() dcmds=()
	for h in $HOLD; do
		cmds+=("task $h" "frame $HOLD_FRAME" args)
		dcmds+=("goroutine $h" "frame $HOLD_FRAME args")
	done
	session "${cmds[@]}" || return 1
	delve "${dcmds[@]}" || return 1
	# inspect's answers to the two args, in order
	args_parts hold
	for k in 1 2; do
		same_vars "Hold $k args" "$TEST_TMP/ours.hold$k" "$TEST_TMP/dlv.$((2 * k))" || return 1
	done
	# the numbers the program printed: "Hold=6 {ID:1 Lvl:2 F:5}"
	local lvl id l f line found file
	while read -r line; do
		lvl=${line%% *}; line=${line#* }
		[[ $line =~ ^\{ID:([0-9]+)\ Lvl:([0-9]+)\ F:([0-9]+)\}$ ]] || { echo "own account: $line" >&2; return 1; }
		id=${BASH_REMATCH[1]} l=${BASH_REMATCH[2]} f=${BASH_REMATCH[3]} found=
		for file in "$TEST_TMP"/ours.hold[12]; do
			grep -qE "^lvl = ([A-Za-z]+ \()?$lvl\)?\$" "$file" &&
				grep -qE "^c = $SERVER.Conn \{ID: $id, Lvl: ([A-Za-z]+ \()?$l\)?, F: ([A-Za-z|]+ \()?$f\)?\}\$" "$file" &&
				found=1
		done
		[[ -n $found ]] ||
			{ echo "no Hold with $lvl, {$id $l $f} in: $(cat "$TEST_TMP"/ours.hold[12] | tr '\n' ' ')" >&2; return 1; }
	done < <(sed -n 's/^Hold=//p' "$FIXTURE_DIR/stderr")
	grep -qx 'lvl = InvalidLevel (6)' "$TEST_TMP"/ours.hold[12] && grep -qx 'lvl = 9' "$TEST_TMP"/ours.hold[12] ||
		{ echo "lvl not as Delve writes it" >&2; return 1; }
	fixture_alive
}

noopt_args() {
	session "task $NAMED" "frame $NAMED_FRAME" args "task $UNNAMED" "frame $UNNAMED_FRAME" args || return 1
	delve "goroutine $NAMED" "frame $NAMED_FRAME args" "goroutine $UNNAMED" "frame $UNNAMED_FRAME args" || return 1
	args_parts a
	same_vars "main.named args" "$TEST_TMP/ours.a1" "$TEST_TMP/dlv.2" &&
		same_vars "main.unnamed args" "$TEST_TMP/ours.a2" "$TEST_TMP/dlv.4" || return 1
	[[ $(names <"$TEST_TMP/ours.a1" | xargs) == "a s release n err" &&
		$(names <"$TEST_TMP/ours.a2" | xargs) == "a release ~r0 ~r1" ]] ||
		{ echo "args: $(cat "$TEST_TMP"/ours.a[12] | tr '\n' ' ')" >&2; return 1; }
	fixture_alive
}

ranged() {
	session "task $RANGED" "frame $RANGED_FRAME" args locals "print total" || return 1
	part args >"$TEST_TMP/ours.args"
	part locals >"$TEST_TMP/ours.locals"
	delve "goroutine $RANGED" "frame $RANGED_FRAME args" "frame $RANGED_FRAME locals" \
		"frame $RANGED_FRAME print total" || return 1
	! grep -q '#' "$TEST_TMP/ours.locals" || { echo "locals show #: $(tr '\n' ' ' <"$TEST_TMP/ours.locals")" >&2; return 1; }
	# the result's copy lies where a stack slot points ("fbreg -40; deref")
	grep -qx '(total) = 100' "$TEST_TMP/ours.args" && grep -qx 'total = 100' "$TEST_TMP/ours.locals" ||
		{ echo "args/locals: $(cat "$TEST_TMP"/ours.args "$TEST_TMP"/ours.locals | tr '\n' ' ')" >&2; return 1; }
	same_vars "main.ranged args" "$TEST_TMP/ours.args" "$TEST_TMP/dlv.2" &&
		same_vars "main.ranged locals" "$TEST_TMP/ours.locals" "$TEST_TMP/dlv.3" &&
		[[ $(part "print total") == 100 && $(cat "$TEST_TMP/dlv.4") == 100 ]] ||
		{ echo "main.ranged differs from Delve: print total '$(part "print total")'" >&2; return 1; }
}

# The range-over-func body's variables in the optimized build, whose location
# at the call is a register (lost: a parked frame keeps none) and from the
# return address on a stack slot.
ranged_optimized() {
	[[ $BODY_FRAME =~ ^[0-9]+$ && $COUNT_FRAME =~ ^[0-9]+$ ]] ||
		{ echo "frames of main.ranged-range1 '$BODY_FRAME', count.func1 '$COUNT_FRAME'" >&2; return 1; }
	session "task $RANGED" "frame $BODY_FRAME" args "print v" "frame $COUNT_FRAME" locals "print i" ||
		return 1
	# (Delve lists v with neither args nor locals of the inlined body: print)
	delve "goroutine $RANGED" "frame $BODY_FRAME print v" "frame $COUNT_FRAME print i" || return 1
	[[ $(part args) == "v = 1" && $(part locals) == "i = 1" && $(part "print v") == 1 &&
		$(part "print i") == 1 ]] ||
		{ echo "args '$(part args)', locals '$(part locals)', want v = 1, i = 1" >&2; return 1; }
	[[ $(cat "$TEST_TMP/dlv.2") == 1 && $(cat "$TEST_TMP/dlv.3") == 1 ]] ||
		{ echo "Delve: $(cat "$TEST_TMP"/dlv.[23] | tr '\n' ' ')" >&2; return 1; }
	fixture_alive
}

# Unqualified names: the frame's package, else a message true to where it looked.
own_package() {
	local x
	x=$(own x)
	[[ $x == 42 ]] || { echo "the program printed x=$x" >&2; return 1; }
	# before any frame: a message, true to where it looked
	WANT_RC=2 session "print x" || return 1
	[[ $(part "print x") == "no frame is selected"*"a package variable of that name: main.x"* &&
		$(part "print x") != *"in this frame"* ]] ||
		{ echo "print x without a frame: $(part "print x" | head -1)" >&2; return 1; }
	WANT_RC=2 session "task $NAMED" "frame $NAMED_FRAME" "print x" "print nope" || return 1
	want "print x" "$x" || return 1
	[[ $(part "print nope") == "no variable nope in this frame or its package (main.nope)"* ]] ||
		{ echo "print nope: $(part "print nope" | head -1)" >&2; return 1; }
	if dlv_for "$GOVER" >/dev/null; then
		delve "goroutine $NAMED" "frame $NAMED_FRAME print x" || return 1
		[[ $(cat "$TEST_TMP/dlv.2") == "$x" ]] || { echo "Delve's print x: $(cat "$TEST_TMP/dlv.2")" >&2; return 1; }
	fi
	fixture_alive
}

# A frame variable named as the path's first element: the quoted form is the way.
shadowed_path() {
	local path="$SERVER.gitCommit"
	WANT_RC=2 session "task $SHADOW" "frame $SHADOW_FRAME" "print github" "print $path" "print \"$SERVER\".gitCommit" || return 1
	[[ $(part "print $path" | head -1) == *"; a package path? quote it: \"$SERVER\".gitCommit" ]] ||
		{ echo "print $path: $(part "print $path" | head -1)" >&2; return 1; }
	want "print \"$SERVER\".gitCommit" "$(own gitCommit)" || return 1
	if [[ $B == pvars-noopt ]]; then
		want "print github" "$(own shadow.github)" &&
			[[ $(part "print $path" | head -1) == "int is not a struct: it has no field com/example/some;"* ]] ||
			{ echo "print $path: $(part "print $path" | head -1)" >&2; return 1; }
	fi
	fixture_alive
}

for GOVER in $(fixture_versions); do
	for B in pvars pvars-trim pvars-noopt; do
		[[ -x $FIXTURES/$GOVER/$B ]] || { skip "$GOVER $B" "not built (make fixtures)"; continue; }
		FIXTURE_NAME=$B fixture_start "$GOVER" 1
		if ! check "$GOVER $B 0 goroutines found" find_ids; then
			fixture_stop
			continue
		fi
		if [[ $B != pvars-noopt ]]; then
			check "$GOVER $B 1 package variables by path, quoted path, package name" package_vars
			check "$GOVER $B 2 integer constants by name, plain" constants
			check "$GOVER $B 3 named integers: Name (N), A|B (N), N" named_ints
			check "$GOVER $B 4 errors: ambiguous, no string constants, a path alone" errors
			if dlv_for "$GOVER" >/dev/null; then
				check "$GOVER $B 5 Delve prints each as we do" delve_same
			else
				skip "$GOVER $B 5 Delve" "no Delve for $GOVER (make deps installs it)"
			fi
			[[ $B != pvars ]] || if dlv_for "$GOVER" >/dev/null; then
				check "$GOVER $B 6 args of main.named as Delve lists them, (n) marked" named_args_optimized
				if [[ -n $RANGED ]]; then
					check "$GOVER $B 10 a caller's v, i in a stack slot from its return address: 1, 1, as Delve" ranged_optimized
				else
					skip "$GOVER $B 10 range-over-func" "$GOVER has none (Go 1.23+)"
				fi
			else
				skip "$GOVER $B 6 args" "no Delve for $GOVER"
			fi
		elif ! dlv_for "$GOVER" >/dev/null; then
			skip "$GOVER $B 7-9" "no Delve for $GOVER (make deps installs it)"
		else
			check "$GOVER $B 7 args of server.Hold: named integers as Delve, the program's numbers" hold_args
			check "$GOVER $B 8 args of main.named, main.unnamed: each once, as Delve" noopt_args
			if [[ -n $RANGED ]]; then
				check "$GOVER $B 9 range-over-func: no #yield, (total) shadowed, as Delve" ranged
			else
				skip "$GOVER $B 9 range-over-func" "$GOVER has none (Go 1.23+)"
			fi
		fi
		check "$GOVER $B 11 an unqualified name is the frame's package's (print x: main.x)" own_package
		check "$GOVER $B 12 a variable github hides the unquoted path: the quoted form said" shadowed_path
		fixture_stop
	done
done
