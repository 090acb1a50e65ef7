#!/bin/bash
# 1200-values-generic-timer: print's values of generic functions and of timer
# channels (issue 12, "Values", field cases generics and timer-chan).
#
# fixtures/go/generics (tools/build-frame-shown.sh, tools/build-values.sh): as
# shipped (generics), with -gcflags='-N -l' (generics-noopt, whose DWARF has each
# generic's dictionary, .dict) and -s -w (generics-sw). Its goroutines park in
# Wait[int], Wait[MyInt], Wait[string], Wait[*Box[int]], (*Box[string]).Hold and
# Sum[float64] (told apart by the line of their go statement); the program prints
# on stderr the values it passed ("expect ..."), the oracle, with Delve's.
#
# fixtures/go/timers (go.mod: go 1.23) and timers-async (module fixtures, go
# 1.19): timerchan.timers parks with, in its frame, fc (a fired timer's channel,
# not received from), sc (a stopped one's), tc (a ticker's) and hc (a timer's
# whose value waits in the buffer); the program prints, for each, len and cap as
# Go code sees them and the count of values in its buffer. Go 1.23+: len and cap
# 0, unless GODEBUG asynctimerchan=1 (the environment, or timers-async's old
# go.mod) or =2: then, as in Go 1.19, the buffer's (1/1 or 0/1). Go 1.23 comes
# from BUILD/matrix (skipped if it is not built).
#
# For each GOVER of BUILD/fixtures:
#   GOVER generics-noopt 1.N  every argument and local of goroutine N's generic
#                  frame is the program's value with its real type, read from the
#                  dictionary: local = (*main.Box[int])(0xPTR) {V: 5, Tag: "five"}
#   GOVER generics-noopt 1.MyInt  &v is a *main.MyInt, not a shape
#   GOVER generics-noopt 1.9  Spawn[*Box[int]]'s closure (spawn.go): x, typed by
#                  the dictionary, is the program's (*main.Box[int])(0xPTR) {V: 3,
#                  Tag: "three"}; v, the capture, which the DWARF types by its
#                  shape alone, is (go.shape.*uint8)(0xPTR) with that reason
#                  (no dictionary index), not "no dictionary"; Delve shows the
#                  same shape for v, the real type for x, at that address
#   GOVER B 1.8    bp in main.main, of the named pointer type main.BoxPtr, prints
#                  as (main.BoxPtr)(0xPTR) {V: 5, Tag: "five"}, *bp as the Box:
#                  followed once (unless optimized out)
#   GOVER generics 1.N  each value that is not <optimized out> is the program's;
#                  Wait[*Box[int]]'s local is the pointer the program printed,
#                  typed by its shape and not followed ("(go.shape.*uint8)(0xPTR)
#                  <shape type, the real one unknown: ...>"), and *local says why
#                  it cannot be followed; Wait[string]'s local is "hi"
#   GOVER B 2.0    Delve (where there is one for GOVER) prints the same type and
#                  pointer, or the same value, for each variable both can read
#   GOVER generics-sw 3.0  dump --format json works, the fixture unharmed
#   GOVER generics-sw 3.1  print says it needs DWARF, and prints no value
#   GOVER B 4.0    the process beats after each session let it go
#   GOVER TIMERS 5.0  len and cap of fc, sc, tc, hc are the program's
#   GOVER TIMERS 5.1  print fc, sc, tc, hc: "<-chan time.Time L/C" with the
#                  program's L/C; a timer channel of Go 1.23+ (cap 0) says so,
#                  with the number of values in the runtime's hidden slot (the
#                  program's count of its buffer: 1 for hc); no such note where
#                  the channel is an ordinary one (cap 1)
#   GOVER TIMERS 5.2  Delve prints the buffer as it is (qcount/dataqsiz): the
#                  program's count, of 1
#   GOVER timers-sw 6.0  dump --format json works, the fixture unharmed
#   GOVER timers-sw 6.1  print says it needs DWARF
# TIMERS: timers, timers-async, and timers run with GODEBUG=asynctimerchan=1 and
# =2 (Go 1.23+; 2: the runtime knows its timer channels but runs them
# asynchronously, len and cap are the buffer's: noted "(timer channel,
# asynctimerchan=2)").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GSRC=$ROOT/fixtures/go/generics/main.go
SES=$TEST_TMP/session

# session CMD...: run the commands in one inspect attach; output and errors in
# $SES, as one stream (errors are printed where the command was).
session() {
	printf '%s\n' "$@" | { "$INSPECT" attach "$FIXTURE_PID" >"$SES" 2>&1 || true; }
	grep -q '^detached from process' "$SES" || { echo "no detach: $(tail -n 3 "$SES")" >&2; return 1; }
	! grep -Eq 'runtime error:|Sanitizer' "$SES" || { echo "$(grep -E -m 1 'runtime error:|Sanitizer' "$SES")" >&2; return 1; }
}

# values SES: ID<TAB>NAME<TAB>VALUE for "NAME = VALUE" (args, locals) and
# ID<TAB>print EXPR<TAB>LINE for the line after "(inspect) print EXPR".
values() {
	awk -v OFS='\t' '
	/^\(inspect\) task [0-9]+$/ { id = $3; pr = ""; next }
	/^\(inspect\) print / { pr = substr($0, 11); next }
	/^\(inspect\) / { pr = ""; next }
	pr != "" { print id, pr, $0; pr = ""; next }
	/^[A-Za-z_~][A-Za-z0-9_]* = / { n = $1; v = $0; sub(/^[^=]*= /, "", v); print id, n, v }' "$1"
}

# id_frame JSON FUNC PATTERN: "ID FRAME" of the goroutine that the go statement
# PATTERN of $GSRC created, and the index of FUNC in its frames.
id_frame() {
	local json=$1 fn=$2 pat=$3 line
	line=$(grep -nF -- "$pat" "$GSRC" | cut -d: -f1)
	jq -r --arg fn "$fn" --argjson line "$line" '[.goroutines[] | select(.go_pc.line == $line)
		| "\(.id) \(.frames | map(.func) | index($fn))"] | .[0] // empty' "$json"
}

expect_line() { sed -n "s/^expect $1 //p" "$FIXTURE_DIR/stderr"; }

# want_generics: I<TAB>NAME<TAB>VALUE as the program printed it, for every
# variable of the six generic frames (I: the index in ROLES), and (I 6) print bp
# and print *bp in main.main.
want_generics() {
	local iv mv sv bp bv btag sp sv2 stag xs s pp pv ptag
	iv=$(expect_line 'Wait\[int\]' | sed 's/^v=//')
	mv=$(expect_line 'Wait\[MyInt\]' | sed 's/^v=//')
	sv=$(expect_line 'Wait\[string\]' | sed 's/^v=//')
	read -r bp bv btag < <(expect_line 'Wait\[\*Box\[int\]\]' |
		sed -E 's/^v=(0x[0-9a-f]+) \*v=\{V:(.*) Tag:(.*)\}$/\1 \2 \3/')
	read -r sp sv2 stag < <(expect_line '(\*Box\[string\]).Hold' |
		sed -E 's/^b=(0x[0-9a-f]+) \*b=\{V:(.*) Tag:(.*)\}$/\1 \2 \3/')
	read -r xs s < <(expect_line 'Sum\[float64\]' | sed -E 's/^xs=\[(.*)\] s=(.*)$/\1 \2/' |
		awk '{ print $1 "," $2, $3 }')
	read -r pp pv ptag < <(expect_line 'main' |
		sed -E 's/^bp=(0x[0-9a-f]+) \*bp=\{V:(.*) Tag:(.*)\}$/\1 \2 \3/')
	[[ -n $iv && -n $mv && -n $sv && -n $bp && -n $sp && -n $xs && -n $s && -n $pp ]] ||
		{ echo "the fixture printed no expect lines: $(head -c 300 "$FIXTURE_DIR/stderr")" >&2; return 1; }
	printf '%s\t%s\t%s\n' \
		0 v "$iv" 0 local "$iv" 1 v "$mv" 1 local "$mv" 2 v "$sv" 2 local "$sv" \
		3 v "(*main.Box[int])($bp) {V: $bv, Tag: \"$btag\"}" \
		3 local "(*main.Box[int])($bp) {V: $bv, Tag: \"$btag\"}" \
		4 b "(*main.Box[string])($sp) {V: \"$sv2\", Tag: \"$stag\"}" \
		5 xs "[]float64 len: 2, cap: 2, [$xs]" 5 s "$s" \
		6 'print bp' "(main.BoxPtr)($pp) {V: $pv, Tag: \"$ptag\"}" \
		6 'print *bp' "main.Box[int] {V: $pv, Tag: \"$ptag\"}"
}

ROLES=('go Wait[int](' 'go Wait[MyInt](' 'go Wait[string](' 'go Wait[*Box[int]](' 'go sbox.Hold(' 'go Sum[float64](')
FUNCS=('main.Wait[...]' 'main.Wait[...]' 'main.Wait[...]' 'main.Wait[...]' 'main.(*Box[...]).Hold' 'main.Sum[...]')

# generics_session: the args and locals of each generic frame (and &v of
# Wait[MyInt], *local of Wait[*Box[int]]); sets IDS[i] and FRS[i], the goroutine
# and frame of ROLES[i].
IDS=() FRS=()
generics_session() {
	local cmds=() i id fr json=$TEST_TMP/g.json
	dump_json >/dev/null && cp "$OUT" "$json" || return 1
	for i in "${!ROLES[@]}"; do
		read -r id fr < <(id_frame "$json" "${FUNCS[i]}" "${ROLES[i]}") ||
			{ echo "no goroutine for ${ROLES[i]} in inspect's JSON" >&2; return 1; }
		IDS[i]=$id FRS[i]=$fr
		cmds+=("task $id" "frame $fr" args locals)
		((i != 1)) || cmds+=('print &v')
		((i != 3)) || cmds+=('print local' 'print *local')
	done
	# IDS[6]: main.main, with bp, a named pointer type's value
	read -r id fr < <(jq -r '[.goroutines[] | select(.frames | map(.func) | index("main.main"))
		| "\(.id) \(.frames | map(.func) | index("main.main"))"] | .[0] // empty' "$json") ||
		{ echo "no main.main in inspect's JSON" >&2; return 1; }
	IDS[6]=$id FRS[6]=$fr
	cmds+=("task $id" "frame $fr" 'print bp' 'print *bp')
	session "${cmds[@]}"
	values "$SES" >"$TEST_TMP/got"
}

# got I NAME: what inspect printed for ROLES[I]'s goroutine.
got() { awk -F '\t' -v id="${IDS[$1]}" -v n="$2" '$1 == id && $2 == n { print $3; exit }' "$TEST_TMP/got"; }

# generics_case I NOOPT: each variable of ROLES[I] is the program's value
# (NOOPT: every one; else each one not optimized out).
generics_case() {
	local role=$1 noopt=$2 r n want g ptr re bad=0
	while IFS=$'\t' read -r r n want; do
		[[ $r == "$role" ]] || continue
		g=$(got "$role" "$n")
		if [[ -z $noopt && ($g == '<optimized out'* || $g == *' is <optimized out>: '*) ]]; then
			continue
		fi
		if ((role == 3)) && [[ -z $noopt && $n == local ]]; then
			# the shape, not followed: the pointer alone
			ptr=$(sed -nE 's/^\(\*main\.Box\[int\]\)\((0x[0-9a-f]+)\).*/\1/p' <<<"$want")
			re='^\(go\.shape\.\*uint8(_0)?\)\('"$ptr"'\) <shape type, the real one unknown: [^>]+>$'
			[[ $g =~ $re ]] || { echo "$n = $g, want (go.shape.*uint8)($ptr) <shape type, ...>" >&2; bad=1; }
			continue
		fi
		[[ $g == "$want" ]] || { echo "$n = $g, want $want" >&2; bad=1; }
	done <"$TEST_TMP/want"
	return $bad
}

generics_opt_extra() {
	local g
	g=$(got 2 local)
	[[ $g == '"hi"' ]] || { echo "Wait[string] local = $g, want \"hi\"" >&2; return 1; }
	g=$(got 3 local)
	[[ $g == '(go.shape.'* ]] || { echo "Wait[*Box[int]] local = $g: not the shape pointer" >&2; return 1; }
	g=$(got 3 'print *local')
	[[ $g == *'is a shape type, the real one unknown: '* ]] ||
		{ echo "print *local: $g, want the shape refused" >&2; return 1; }
}

# spawn_case: the closure's x and v (spawn.go), as the program printed them.
spawn_case() {
	local json=$TEST_TMP/s.json id fr ptr vv tag g re
	dump_json >/dev/null && cp "$OUT" "$json" || return 1
	read -r id fr < <(jq -r '[.goroutines[] | select(.frames | map(.func) | index("main.Spawn[...].func1"))
		| "\(.id) \(.frames | map(.func) | index("main.Spawn[...].func1"))"] | .[0] // empty' "$json") ||
		{ echo "no main.Spawn[...].func1 in inspect's JSON" >&2; return 1; }
	read -r ptr vv tag < <(expect_line 'Spawn\[\*Box\[int\]\]\.func1' |
		sed -E 's/^v=(0x[0-9a-f]+) \*v=\{V:(.*) Tag:(.*)\}$/\1 \2 \3/')
	[[ -n $ptr ]] || { echo "the fixture printed no Spawn line" >&2; return 1; }
	session "task $id" "frame $fr" locals || return 1
	g=$(awk '/^x = /{ sub(/^x = /, ""); print; exit }' "$SES")
	[[ $g == "(*main.Box[int])($ptr) {V: $vv, Tag: \"$tag\"}" ]] ||
		{ echo "x = $g, want (*main.Box[int])($ptr) {V: $vv, Tag: \"$tag\"}" >&2; return 1; }
	g=$(awk '/^v = /{ sub(/^v = /, ""); print; exit }' "$SES")
	re='^\(go\.shape\.\*uint8(_0)?\)\('"$ptr"'\) <shape type, the real one unknown: its DWARF type is the shape itself, with no dictionary index \(DW_AT_go_dict_index\)'
	[[ $g =~ $re ]] || { echo "v = $g, want (go.shape.*uint8)($ptr) <... no dictionary index ...>" >&2; return 1; }
	# Delve: v its shape, x the real type, at the same address
	dlv_for "$gover" >/dev/null || return 0
	_lib_dlv "$FIXTURE_PID" $'goroutines\n'"goroutine $id frame $fr locals" "$TEST_TMP/dlv.spawn" || return 1
	grep -Eq '^v = \(go\.shape\.\*uint8(_0)?\)\('"$ptr"'\)$' "$TEST_TMP/dlv.spawn" &&
		grep -qxF "x = (*main.Box[int])($ptr)" "$TEST_TMP/dlv.spawn" ||
		{ echo "Delve's locals: $(grep -E '^[vx] = ' "$TEST_TMP/dlv.spawn" | tr '\n' ' ')" >&2; return 1; }
}

myint_case() {
	local g
	g=$(got 1 'print &v')
	[[ $g == '(*main.MyInt)(0x'* ]] || { echo "print &v: $g, want a *main.MyInt" >&2; return 1; }
}

# delve_same: for each variable Delve reads in the generic frames, inspect's
# text starts with Delve's "(TYPE)(0xADDR)", or equals Delve's plain value.
delve_same() {
	local cmds="goroutines" i out=$TEST_TMP/dlv.vals id n v g bad=0
	for i in "${!ROLES[@]}"; do
		cmds+=$'\n'"goroutine ${IDS[i]} frame ${FRS[i]} args"
		cmds+=$'\n'"goroutine ${IDS[i]} frame ${FRS[i]} locals"
	done
	_lib_dlv "$FIXTURE_PID" "$cmds" "$TEST_TMP/dlv.out" || return 1
	# Delve echoes no command: its k-th prompt starts the output of command k
	# (1: goroutines, then args and locals of each goroutine in turn).
	awk -v OFS='\t' -v ids="${IDS[*]}" 'BEGIN { split(ids, id, " ") }
		/^\(dlv\) / { k++; sub(/^\(dlv\) /, "") }
		k >= 2 && /^[A-Za-z_~][A-Za-z0-9_]* = / {
			n = $1; v = $0; sub(/^[^=]*= /, "", v); print id[int(k / 2)], n, v }' \
		"$TEST_TMP/dlv.out" >"$out"
	[[ -s $out ]] || { echo "Delve printed no variables" >&2; return 1; }
	while IFS=$'\t' read -r id n v; do
		[[ $v == '(unreadable'* || $v == *'...'* || $n == ch ]] && continue
		g=$(awk -F '\t' -v id="$id" -v n="$n" '$1 == id && $2 == n { print $3; exit }' "$TEST_TMP/got")
		if [[ $v =~ ^(\([^\)]*\)\(0x[0-9a-f]+\)) ]]; then
			[[ $g == "${BASH_REMATCH[1]}"* ]] || { echo "goroutine $id $n: Delve $v, inspect $g" >&2; bad=1; }
		else
			[[ $g == "$v" ]] || { echo "goroutine $id $n: Delve $v, inspect $g" >&2; bad=1; }
		fi
	done <"$out"
	return $bad
}

stripped_case() {
	local role=$1 fr=$2 v=$3
	session "task $role" "frame $fr" "print $v"
	grep -q "print needs DWARF" "$SES" || { echo "no DWARF message: $(tail -n 3 "$SES")" >&2; return 1; }
	! grep -Eq '^\(?go\.shape|^<-chan|^\(\*main' "$SES" || { echo "a value printed without DWARF" >&2; return 1; }
}

# generics_sw_goroutine: SID and SFR, Wait[*Box[int]]'s goroutine and frame.
SID= SFR=
generics_sw_goroutine() {
	local j=$TEST_TMP/g.json
	dump_json >/dev/null && cp "$OUT" "$j" || return 1
	read -r SID SFR < <(id_frame "$j" 'main.Wait[...]' 'go Wait[*Box[int]](') ||
		{ echo "no goroutine for go Wait[*Box[int]]( in inspect's JSON" >&2; return 1; }
}

generics_cases() {
	local gover=$1 b
	for b in generics-noopt generics generics-sw; do
		[[ -x $FIXTURES/$gover/$b ]] || { skip "$gover $b" "not built (make fixtures)"; continue; }
		FIXTURE_NAME=$b fixture_start "$gover" 1
		if [[ $b == generics-sw ]]; then
			check "$gover $b 3.0 dump, unharmed" generics_sw_goroutine
			check "$gover $b 3.1 print needs DWARF, no value" stripped_case "$SID" "$SFR" local
			check "$gover $b 4.0 unharmed" fixture_alive
			fixture_stop
			continue
		fi
		want_generics >"$TEST_TMP/want" || { fail "$gover $b 1.0" "no oracle"; fixture_stop; continue; }
		if ! generics_session 2>"$TEST_TMP/why"; then
			fail "$gover $b 1.0 dump and session" "$(tr '\n' ' ' <"$TEST_TMP/why")"
			fixture_stop
			continue
		fi
		local i noopt=
		[[ $b == generics-noopt ]] && noopt=1
		for i in "${!ROLES[@]}"; do
			check "$gover $b 1.$((i + 1)) ${ROLES[i]#go }...) as the program's" \
				generics_case "$i" "$noopt"
		done
		check "$gover $b 1.8 bp, of a named pointer type, followed once" generics_case 6 "$noopt"
		if [[ -n $noopt ]]; then
			check "$gover $b 1.MyInt &v is a *main.MyInt" myint_case
			check "$gover $b 1.9 a closure's capture: its shape, and why" spawn_case
		else
			check "$gover $b 1.7 the shape pointer not followed, \"hi\" read" generics_opt_extra
		fi
		if dlv_for "$gover" >/dev/null; then
			check "$gover $b 2.0 Delve agrees" delve_same
		else
			skip "$gover $b 2.0 Delve agrees" "no Delve for $gover"
		fi
		check "$gover $b 4.0 unharmed" fixture_alive
		fixture_stop
	done
}

# --- timer channels ---------------------------------------------------------

# timers_want: NAME<TAB>LEN<TAB>CAP<TAB>BUFFERED for fc, sc, tc, hc as the
# program printed them.
timers_want() {
	sed -nE 's/^expect (fc|sc|tc|hc) len=([0-9]+) cap=([0-9]+) buffered=([0-9]+)$/\1\t\2\t\3\t\4/p' \
		"$FIXTURE_DIR/stderr" >"$TEST_TMP/want"
	(($(wc -l <"$TEST_TMP/want") == 4)) ||
		{ echo "the fixture printed no expect lines: $(head -c 300 "$FIXTURE_DIR/stderr")" >&2; return 1; }
}

# timers_goroutine: TID and TFR, the goroutine in timerchan.timers and the
# index of that frame, from inspect's JSON.
TID= TFR= TENV=
timers_goroutine() {
	local j=$TEST_TMP/t.json
	dump_json >/dev/null && cp "$OUT" "$j" || return 1
	read -r TID TFR < <(jq -r '[.goroutines[] | select(.frames | map(.func) | index("fixtures/timerchan.timers"))
		| "\(.id) \(.frames | map(.func) | index("fixtures/timerchan.timers"))"] | .[0] // empty' "$j") ||
		{ echo "no timerchan.timers goroutine in inspect's JSON" >&2; return 1; }
}

timers_session() {
	timers_goroutine || return 1
	session "task $TID" "frame $TFR" 'print len(fc)' 'print cap(fc)' 'print len(sc)' 'print cap(sc)' \
		'print len(tc)' 'print cap(tc)' 'print len(hc)' 'print cap(hc)' \
		'print fc' 'print sc' 'print tc' 'print hc'
	values "$SES" >"$TEST_TMP/got"
}

tgot() { awk -F '\t' -v n="print $1" '$2 == n { print $3; exit }' "$TEST_TMP/got"; }

timers_len_cap() {
	local n l c q bad=0
	while IFS=$'\t' read -r n l c q; do
		[[ $(tgot "len($n)") == "$l" ]] || { echo "len($n) = $(tgot "len($n)"), want $l" >&2; bad=1; }
		[[ $(tgot "cap($n)") == "$c" ]] || { echo "cap($n) = $(tgot "cap($n)"), want $c" >&2; bad=1; }
	done <"$TEST_TMP/want"
	return $bad
}

timers_line() {
	local n l c q g note bad=0
	while IFS=$'\t' read -r n l c q; do
		g=$(tgot "$n")
		[[ $g == "<-chan time.Time $l/$c"* ]] || { echo "$n = $g, want <-chan time.Time $l/$c" >&2; bad=1; }
		if ((c == 0)); then
			note="(timer channel; $q value in the runtime's hidden slot)"
			((q != 0)) || note="(timer channel; the runtime's hidden slot empty)"
			[[ $g == "<-chan time.Time 0/0 $note"* ]] || { echo "$n = $g, want the note $note" >&2; bad=1; }
		elif [[ $TENV == 2 ]]; then
			[[ $g == "<-chan time.Time $l/$c (timer channel, asynctimerchan=2)"* ]] ||
				{ echo "$n = $g: no asynchronous timer channel's note" >&2; bad=1; }
		else
			[[ $g != *'timer channel'* ]] || { echo "$n = $g: an ordinary channel noted as a timer's" >&2; bad=1; }
		fi
	done <"$TEST_TMP/want"
	return $bad
}

# Delve prints the buffer as it is (qcount/dataqsiz): its count is the
# program's, 1 the buffer's size.
timers_delve() {
	local n l c q d bad=0
	_lib_dlv "$FIXTURE_PID" $'goroutines\n'"goroutine $TID frame $TFR locals" "$TEST_TMP/dlv.out" || return 1
	while IFS=$'\t' read -r n l c q; do
		d=$(sed -nE "s/^(\(dlv\) )?$n = <-chan time.Time ([0-9]+)\/([0-9]+).*/\2\/\3/p" "$TEST_TMP/dlv.out")
		[[ $d == "$q/1" ]] || { echo "$n: Delve ${d:-nothing}, the program's buffer $q/1" >&2; bad=1; }
	done <"$TEST_TMP/want"
	return $bad
}

timers_cases() {
	local gover=$1 dir=$2 b=$3 name
	TENV=${4-}
	name=$b${TENV:+-asynctimerchan=$TENV}
	[[ -x $dir/$gover/$b ]] || { skip "$gover $name" "not built (make fixtures)"; return 0; }
	[[ -z $TENV ]] || export GODEBUG=asynctimerchan=$TENV
	FIXTURES=$dir FIXTURE_NAME=$b fixture_start "$gover" 1
	unset GODEBUG
	if [[ $b == timers-sw ]]; then
		check "$gover $name 6.0 dump, unharmed" timers_goroutine
		check "$gover $name 6.1 print needs DWARF" stripped_case "$TID" "$TFR" fc
		check "$gover $name 4.0 unharmed" fixture_alive
		fixture_stop
		return 0
	fi
	timers_want || { fail "$gover $name 5.0" "no oracle"; fixture_stop; return 0; }
	if ! timers_session 2>"$TEST_TMP/why"; then
		fail "$gover $name 5.0 dump and session" "$(tr '\n' ' ' <"$TEST_TMP/why")"
		fixture_stop
		return 0
	fi
	check "$gover $name 5.0 len and cap as the program's" timers_len_cap
	check "$gover $name 5.1 the channel line" timers_line
	if dlv_for "$gover" >/dev/null; then
		check "$gover $name 5.2 Delve's buffer" timers_delve
	else
		skip "$gover $name 5.2 Delve's buffer" "no Delve for $gover"
	fi
	check "$gover $name 4.0 unharmed" fixture_alive
	fixture_stop
}

for gover in $(fixture_versions); do
	generics_cases "$gover"
	timers_cases "$gover" "$FIXTURES" timers
	timers_cases "$gover" "$FIXTURES" timers-async
	timers_cases "$gover" "$FIXTURES" timers-sw
	# GODEBUG=asynctimerchan: Go 1.23+
	if [[ $gover != go1.19 ]]; then
		timers_cases "$gover" "$FIXTURES" timers 1
		timers_cases "$gover" "$FIXTURES" timers 2
	fi
done
if [[ -x $BUILD/matrix/go1.23/timers ]]; then
	timers_cases go1.23 "$BUILD/matrix" timers
else
	skip "go1.23 timers" "BUILD/matrix/go1.23/timers not built (make fixtures)"
fi
