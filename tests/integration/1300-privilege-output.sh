#!/bin/bash
# 1300-privilege-output: inspect with privileges the user lacks, and output the
# target shapes (issue 13, "Privilege" and "Output an attacker shapes").
#
# Privilege (needs root, setcap and setpriv: skipped with the reason otherwise).
# A copy of inspect with `setcap cap_sys_ptrace+ep` (the README's non-root set-up)
# in a folder root owns, its plugins beside it, run as the user nobody; a plugin
# (tests/helpers/marker-plugin.c) creates a marker file when it is loaded:
#   1.0  INSPECT_PLUGIN_DIR names nobody's folder holding that plugin: not loaded
#        (no marker), "INSPECT_PLUGIN_DIR ignored: ... privileges the user lacks",
#        and `inspect plugins` lists the go plugin of the installed folder
#   1.1  that copy, as nobody, dumps a fixture nobody runs (Yama's ptrace_scope 1
#        forbids it without the capability: the fixture is no child of inspect):
#        the goroutine ids are the runtime's own (the installed plugins load and
#        work); the fixture unharmed
#   1.1b that copy, as nobody, on root's fixture: exit 4, "it is not yours", the
#        fixture never stopped (CAP_SYS_PTRACE reaches any uid: inspect keeps the
#        copy to the caller's own processes, as plain ptrace would)
#   1.2  the setcap copy in a folder nobody owns: exit 1, "plugin folder ... not
#        used: it is not owned by root", no marker
#   1.3  the plugin in the installed folder, owned by root but group-writable:
#        exit 1, "not loaded: group or others may write to it", no marker
#   1.4  the plugin there as a symbolic link to nobody's copy: exit 1, "it is a
#        symbolic link", no marker
#   1.5  not privileged, INSPECT_PLUGIN_DIR is a developer's: root's inspect, and
#        nobody's plain copy (no capabilities), load the plugin (marker written by
#        uid 0, then by nobody) and say "plugin ABI 0"
#   1.6  the rest of the environment, on vars-stripped run by nobody: root's inspect
#        takes its debug file under INSPECT_DEBUG_ROOT ("(debug: PATH)"); the setcap
#        copy does not, notes "debuginfod not asked: inspect runs with privileges
#        the user lacks" for DEBUGINFOD_URLS, and libdebuginfod wrote no cache
# Test hooks (tests/hooks/, linked into the test build INSPECT_TEST only):
#   2.0  the shipped build ignores INSPECT_TEST_STOP_DELAY_MS=1500: its pause is
#        under half of that, where the test build's (INSPECT_TEST) is 1500 ms or more
#   2.1  the shipped build ignores INSPECT_TEST_NO_VM_READV (strace: it reads with
#        process_vm_readv, where the test build makes none), and holds no
#        INSPECT_TEST_ string at all
# Output, on fixtures/go/shaped (its main.go: function, file and package names
# rewritten into ESC ] 0;pwned BEL, ESC [2J, an OSC 8 hyperlink, ESC (0, C1 CSI
# and bytes that are no UTF-8; a function name and a file name with a newline
# followed by what looks like a group line ("  9  note: forged"); a thread named
# ESC ] 0;thr BEL \xff newline T; main.title a string with ESC), started from a
# file whose name holds ESC ] 0;exe BEL in a folder whose name holds a newline
# ("fx\n  9  forged"), for each Go toolchain built (GOVER) with DWARF (shaped)
# and -s -w (shaped-sw):
#   $GOVER $B 3.0  dump, dump --stacks --threads, dump --group func, and the REPL
#                  (tasks, task, bt, frame, threads, info, print main.title,
#                  locals, dump --stacks), stdout and stderr: valid UTF-8 without
#                  a control character but newline and tab (check-escaped.py)
#   $GOVER $B 3.1  there, each name in its escaped form (\x1b]0;pwned\x07, ...);
#                  print main.title "\x1b]0;pwned\x07 title" (DWARF only)
#   $GOVER $B 3.2  dump --format json --threads: valid UTF-8 JSON, strictly parsed;
#                  the names escaped the same way
#   $GOVER $B 3.3  the stacks in that JSON are the runtime's own (runtime.Stack,
#                  compare-stacks.py), its names escaped by check-escaped.py's own
#                  implementation of the rule
#   $GOVER shaped 3.4  the REPL on a terminal (pty-session.py; readline writes its
#                  own controls there): tasks and threads show the escaped names
#   $GOVER $B 3.5  a newline from the target forges no line: in dump, --stacks and
#                  --group func, the counts of the group lines ("  N  ...") sum to
#                  the header's goroutines; no line of any text output starts with
#                  the text after a newline; the function, its file and the
#                  executable's folder show \n on the line of the dump's site, the
#                  --stacks frame, the REPL's tasks, task, bt, frame, the banner,
#                  info and the dump header; in the JSON, the names hold the newline
#   $GOVER $B 3.6  the thread's name with its newline: \n in threads and --threads
#                  (needs read_thread_stat to read a comm with a newline)
# Every case ends with the fixture alive and untraced.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ESCAPED=$ROOT/tests/integration/check-escaped.py
COMPARE=$ROOT/tests/integration/compare-stacks.py
PTY=$ROOT/tests/integration/pty-session.py
export LC_ALL=C

# --- privilege ---------------------------------------------------------------

# A folder root owns, with a copy of inspect and its plugins: install_copy DIR
install_copy() {
	mkdir -p "$1"
	cp "$INSPECT" "$1/inspect"
	cp -r "$(dirname "$INSPECT")/plugins" "$1/plugins"
	chown -R root:root "$1"
	chmod -R go-w "$1"
	chmod 755 "$1" "$1/plugins"
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# run_as WHO INSPECT ARGS...: RC, OUT, ERR; WHO is root or nobody.
run_as() {
	local who=$1
	shift
	RC=0
	if [[ $who == nobody ]]; then
		as_nobody env INSPECT_TEST_MARKER="$MARKER" "$@" >"$OUT" 2>"$ERR" || RC=$?
	else
		env INSPECT_TEST_MARKER="$MARKER" "$@" >"$OUT" 2>"$ERR" || RC=$?
	fi
}

no_marker() {
	[[ ! -e $MARKER ]] || { echo "the plugin was loaded: $(cat "$MARKER")" >&2; return 1; }
}

marker_by() {
	grep -q "uid $1 " "$MARKER" 2>/dev/null ||
		{ echo "no marker written by uid $1: $(cat "$MARKER" 2>/dev/null)" >&2; return 1; }
	rm -f "$MARKER"
}

ignored_ok() {
	run_as nobody env INSPECT_PLUGIN_DIR="$USERDIR" "$PRIV/inspect" plugins
	no_marker || return 1
	((RC == 0)) || { echo "exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "INSPECT_PLUGIN_DIR ignored: inspect runs with privileges the user lacks" "$ERR" ||
		{ echo "no warning: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -q "^go .*($PRIV/plugins/go.so)$" "$OUT" ||
		{ echo "the installed go plugin is not listed: $(head -c 300 "$OUT")" >&2; return 1; }
}

priv_dump_ok() {
	run_as nobody env INSPECT_PLUGIN_DIR="$USERDIR" "$PRIV/inspect" dump --format json \
		"$FIXTURE_PID"
	no_marker || return 1
	((RC == 0)) || { echo "exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	runtime_goroutines >"$TEST_TMP/runtime.goroutines" || return 1
	same_ids "$OUT" "$TEST_TMP/runtime.goroutines" runtime || return 1
	unharmed "$(jq -r .pause_ms "$OUT")"
}

# Root's fixture: the setcap copy run by nobody refuses it before any read.
others_refused_ok() {
	heartbeat_stall_ms >/dev/null
	run_as nobody "$PRIV/inspect" dump "$FIXTURE_PID"
	expect_status 4 "^inspect: cannot attach to process $FIXTURE_PID: it is not yours " &&
		[[ ! -s $OUT ]] || { echo "it printed: $(head -c 300 "$OUT")" >&2; return 1; }
	run_as nobody "$PRIV/inspect" attach --batch info "$FIXTURE_PID"
	expect_status 4 "it is not yours" && unharmed 0
}

# refused_ok DIR MESSAGE: the setcap copy in DIR loads nothing and says why.
refused_ok() {
	run_as nobody "$1/inspect" plugins
	no_marker || return 1
	expect_status 1 "$2"
}

dev_dir_ok() {
	run_as root env INSPECT_PLUGIN_DIR="$USERDIR" "$INSPECT" plugins
	marker_by 0 || return 1
	expect_status 1 "marker.so has plugin ABI 0" || return 1
	run_as nobody env INSPECT_PLUGIN_DIR="$USERDIR" "$PLAIN/inspect" plugins
	marker_by "$(id -u nobody)" || return 1
	expect_status 1 "marker.so has plugin ABI 0"
}

# nobody_fixture GOVER PROG: TEST_TMP/fxn/GOVER/PROG starts the fixture PROG as
# nobody, in the same process (exec), its record files in a folder nobody may write.
nobody_fixture() {
	local dir=$TEST_TMP/fxn/$1
	mkdir -p "$dir"
	cp "$FIXTURES/$1/$2" "$dir/$2.bin"
	cat >"$dir/$2" <<EOF
#!/bin/bash
chmod 777 "\$(dirname "\$4")"
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/$2.bin" "\$@"
EOF
	chmod 755 "$TEST_TMP/fxn" "$dir" "$dir/$2"
}

# 1.6: on vars-stripped, a debug file under INSPECT_DEBUG_ROOT and a debuginfod
# server in DEBUGINFOD_URLS (none listens): root's inspect uses the file; the
# setcap copy run by nobody neither, and notes it did not ask debuginfod.
env_ignored_ok() {
	local id root=$TEST_TMP/debugroot debug
	id=$(readelf -n "$TEST_TMP/fxn/$1/vars-stripped.bin" | sed -n 's/.*Build ID: //p')
	debug=$root/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	mkdir -p "$(dirname "$debug")"
	cp "$FIXTURES/$1/vars-bid.debug" "$debug"
	chmod -R a+rX "$root"
	run_as root env INSPECT_DEBUG_ROOT="$root" "$INSPECT" dump "$FIXTURE_PID"
	grep -q "(debug: $debug)" "$OUT" ||
		{ echo "root's inspect did not use the debug file: $(head -c 300 "$OUT")" >&2; return 1; }
	run_as nobody env INSPECT_DEBUG_ROOT="$root" DEBUGINFOD_URLS=http://127.0.0.1:9/ \
		DEBUGINFOD_CACHE_PATH="$USERDIR/cache" "$PRIV/inspect" dump "$FIXTURE_PID"
	((RC == 0)) || { echo "exit $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	! grep -q "(debug: " "$OUT" || { echo "INSPECT_DEBUG_ROOT was read: $(head -n 1 "$OUT")" >&2; return 1; }
	grep -q "debuginfod not asked: inspect runs with privileges the user lacks" "$OUT" ||
		{ echo "no note that debuginfod was not asked: $(grep note "$OUT")" >&2; return 1; }
	# nor offered: it would not be read
	! grep -q "INSPECT_DEBUG_ROOT" "$OUT" "$ERR" ||
		{ echo "the note offers INSPECT_DEBUG_ROOT: $(grep -h INSPECT_DEBUG_ROOT "$OUT" "$ERR")" >&2; return 1; }
	[[ ! -e $USERDIR/cache ]] || { echo "libdebuginfod wrote its cache" >&2; return 1; }
	fixture_alive
}

privilege_cases() {
	local why=
	(($(id -u) == 0)) || why="not root"
	command -v setcap >/dev/null || why="no setcap (libcap2-bin)"
	command -v setpriv >/dev/null || why="no setpriv (util-linux)"
	if [[ -n $why ]]; then
		skip "1 privilege" "$why"
		return 0
	fi
	chmod 755 "$TEST_TMP" # nobody passes through to the copies
	USERDIR=$TEST_TMP/user MARKER=$TEST_TMP/user/marker
	mkdir -p "$USERDIR"
	cc -shared -fPIC -o "$USERDIR/marker.so" "$ROOT/tests/helpers/marker-plugin.c"
	chown -R nobody "$USERDIR"
	PRIV=$TEST_TMP/priv PLAIN=$TEST_TMP/plain
	install_copy "$PRIV"
	install_copy "$PLAIN"
	setcap cap_sys_ptrace+ep "$PRIV/inspect"
	# 1.2: nobody's folder; 1.3: a group-writable plugin; 1.4: a symbolic link
	install_copy "$TEST_TMP/owned"
	cp "$USERDIR/marker.so" "$TEST_TMP/owned/plugins/"
	chown -R nobody "$TEST_TMP/owned"
	chown root "$TEST_TMP/owned/inspect"
	install_copy "$TEST_TMP/gw"
	cp "$USERDIR/marker.so" "$TEST_TMP/gw/plugins/a-marker.so"
	chmod g+w "$TEST_TMP/gw/plugins/a-marker.so"
	install_copy "$TEST_TMP/link"
	ln -s "$USERDIR/marker.so" "$TEST_TMP/link/plugins/a-marker.so"
	for d in owned gw link; do
		setcap cap_sys_ptrace+ep "$TEST_TMP/$d/inspect"
	done

	check "1.0 INSPECT_PLUGIN_DIR ignored with privileges" ignored_ok
	gover=$(fixture_versions | tail -n 1)
	nobody_fixture "$gover" parked
	FIXTURES=$TEST_TMP/fxn FIXTURE_NAME=parked fixture_start "$gover" 3
	check "1.1 the setcap copy dumps nobody's fixture as nobody" priv_dump_ok
	fixture_stop
	FIXTURE_NAME=parked fixture_start "$gover" 3
	check "1.1b the setcap copy refuses root's fixture" others_refused_ok
	fixture_stop
	check "1.2 a folder the user owns is refused" refused_ok "$TEST_TMP/owned" \
		"plugin folder $TEST_TMP/owned/plugins not used: it is not owned by root"
	check "1.3 a group-writable plugin is refused" refused_ok "$TEST_TMP/gw" \
		"a-marker.so not loaded: group or others may write to it"
	check "1.4 a plugin behind a symbolic link is refused" refused_ok "$TEST_TMP/link" \
		"a-marker.so: it is a symbolic link"
	check "1.5 INSPECT_PLUGIN_DIR when not privileged" dev_dir_ok
	if [[ -x $FIXTURES/$gover/vars-stripped ]]; then
		nobody_fixture "$gover" vars-stripped
		FIXTURES=$TEST_TMP/fxn FIXTURE_NAME=vars-stripped fixture_start "$gover" 1
		check "1.6 INSPECT_DEBUG_ROOT and DEBUGINFOD_* not read with privileges" \
			env_ignored_ok "$gover"
		fixture_stop
	else
		skip "1.6 environment" "no vars-stripped fixture (objcopy?)"
	fi
}

# --- test hooks ----------------------------------------------------------------

pause_of() {
	RC=0
	INSPECT_TEST_STOP_DELAY_MS=1500 "$1" dump --format json "$FIXTURE_PID" >"$OUT" 2>"$ERR" ||
		RC=$?
	((RC == 0)) || { echo "$1 exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	jq -r '.pause_ms | floor' "$OUT"
}

hook_ok() {
	local shipped test
	shipped=$(pause_of "$INSPECT") || return 1
	fixture_alive || return 1
	test=$(pause_of "$INSPECT_TEST") || return 1
	((test >= 1500)) || { echo "the test build paused $test ms, not 1500" >&2; return 1; }
	((shipped < 750)) ||
		{ echo "the shipped build paused $shipped ms: it read INSPECT_TEST_STOP_DELAY_MS" >&2; return 1; }
	fixture_alive
}

count_readv() {
	local log=$TEST_TMP/strace.log
	# LeakSanitizer (the ASan build) stops under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 INSPECT_TEST_NO_VM_READV=1 strace -f -qq -e trace=process_vm_readv -o "$log" \
		"$1" dump "$FIXTURE_PID" >"$OUT" 2>"$ERR" || { echo "$1 failed: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -c 'process_vm_readv(' "$log" || true
}

readv_hook_ok() {
	local shipped test names
	names=$(strings "$INSPECT" | grep INSPECT_TEST_ || true)
	[[ -z $names ]] || { echo "the shipped build holds $names" >&2; return 1; }
	shipped=$(count_readv "$INSPECT") || return 1
	test=$(count_readv "$INSPECT_TEST") || return 1
	((test == 0)) || { echo "the test build called process_vm_readv $test times" >&2; return 1; }
	((shipped > 0)) ||
		{ echo "the shipped build read no memory with process_vm_readv: it took the variable" >&2; return 1; }
	fixture_alive
}

# --- output --------------------------------------------------------------------

EXE_NAME=$'shaped\e]0;exe\a'
EXE_DIR=$'fx\n  9  forged' # under TEST_TMP

# Each name as it must be shown: the placeholders of fixtures/go/shaped, as
# tools/build-shaped.sh rewrites them, escaped.
want_names() {
	local dwarf=$1
	printf '%s\n' 'main.\x1b]0;pwned\x07\x1b[2Jxx' 'main.bad\xff\xfe\xc0\xaf\xc2\x9bC1xxxxxx' \
		'fixtures/shaped/p\x1b(0\xffxxxxxxxx.Park' 'shaped\x1b]0;exe\x07'
	((dwarf)) && printf '%s\n' '"\x1b]0;pwned\x07 title"'
	return 0
}

text_outputs() {
	local dir=$1 id nl
	inspect_run dump "$FIXTURE_PID"
	((RC == 0)) || { echo "dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	cat "$OUT" "$ERR" >"$dir/dump.txt"
	inspect_run dump --stacks --threads "$FIXTURE_PID"
	((RC == 0)) || { echo "dump --stacks exited $RC" >&2; return 1; }
	cat "$OUT" "$ERR" >"$dir/stacks.txt"
	inspect_run dump --group func "$FIXTURE_PID"
	cat "$OUT" "$ERR" >"$dir/func.txt"
	id=$(jq -r '.goroutines[] | select(.frames[].func == "main.inLinkFile") | .id' \
		"$dir/dump.json" | head -n 1)
	nl=$(jq -r '.goroutines[] | select(.frames[].func | startswith("main.Nl\n")) | .id' \
		"$dir/dump.json" | head -n 1)
	[[ -n $id && -n $nl ]] || { echo "no goroutine in main.inLinkFile or main.Nl in the JSON" >&2; return 1; }
	inspect_run attach --batch "tasks; task $id; bt; frame 3; locals; threads; info; \
print main.title; dump --stacks; task $nl; bt; frame 3; print main.nosuch" "$FIXTURE_PID"
	# 2: print main.nosuch fails, on purpose (its message is checked)
	((RC == 2)) || { echo "attach exited $RC, want 2: $(head -c 300 "$ERR")" >&2; return 1; }
	cat "$OUT" "$ERR" >"$dir/repl.txt"
	fixture_alive
}

text_ok() {
	"$ESCAPED" text "$1"/dump.txt "$1"/stacks.txt "$1"/func.txt "$1"/repl.txt
}

names_ok() {
	local name all=$1/all.txt
	cat "$1"/stacks.txt "$1"/repl.txt >"$all"
	while read -r name; do
		grep -qF -- "$name" "$all" || { echo "not shown: $name" >&2; return 1; }
	done < <(want_names "$2")
	grep -qF -- '\x1b]8;;http://e\x07xx.go' "$1"/repl.txt ||
		{ echo "bt does not show the file's escaped path" >&2; return 1; }
}

json_ok() {
	local name
	"$ESCAPED" json "$1/dump.json" || return 1
	while read -r name; do
		[[ $name == '"'* ]] && continue # print's, not in a dump
		jq -e --arg n "$name" '[.. | strings | select(contains($n))] | length > 0' \
			"$1/dump.json" >/dev/null || { echo "not in the JSON: $name" >&2; return 1; }
	done < <(want_names 0)
}

stacks_ok() {
	"$ESCAPED" escape "$1/runtime.raw" >"$1/runtime.stacks" || return 1
	"$COMPARE" runtime "$1/dump.json" "$1/runtime.stacks" '^(main\.(bad|inLinkFile|inPkg|namedThread|\\x1b)|fixtures/shaped/)' >&2
}

# 3.4: steps of a terminal session, one JSON object a line (see pty-session.py and
# tests/integration/0610-repl-tty.sh).
cmd() { jq -nc --arg s "$1"$'\r' '{send: $s}'; }
want() { jq -nc --arg e "$1" '{expect: $e, timeout: 10}'; }

tty_ok() {
	local p='\(inspect\) '
	{
		want "^attached to process $FIXTURE_PID .*\\n$p\$"
		cmd tasks
		want 'chan receive +main\.\\x1b\]0;pwned\\x07\\x1b\[2Jxx main\.go:[0-9]+\n'
		cmd threads
		want '\\x1b\]0;thr\\x07\\xff\\nT +S'
		cmd detach
		echo '{"exit": 0, "timeout": 15}'
	} | INPUTRC=/dev/null TERM=xterm "$PTY" -t 10 -- "$INSPECT" attach "$FIXTURE_PID" \
		>"$TEST_TMP/tty.log" 2>&1 || { grep -A 3 '^## FAILED' "$TEST_TMP/tty.log" >&2; return 1; }
	fixture_alive
}

# 3.5: the names with a newline, as shown: one line each.
NL_FUNC='main.Nl\n  9  note: forgedxxxx'
NL_FILE='nl\nfilexxxxxxxxx.go'
NL_EXE="${EXE_DIR//$'\n'/\\n}/"
NL_THREAD='\x1b]0;thr\x07\xff\nT'

# groups_sum FILE: the header's goroutines, and the sum of the group lines' counts
# (up to the --threads part, whose lines look alike), equal.
groups_sum() {
	local total sum
	total=$(grep -m 1 -oE '[0-9]+ goroutines' "$1" | cut -d ' ' -f 1)
	sum=$(awk '/^  [0-9]+ threads$/ { exit } /^  [0-9]+  / { s += $1 } END { print s + 0 }' "$1")
	[[ -n $total && $total == "$sum" ]] ||
		{ echo "$(basename "$1"): group lines sum to $sum, the header says ${total:-nothing}" >&2; return 1; }
}

# has_line FILE ERE WHAT: a line of FILE matches ERE.
has_line() {
	grep -qE -- "$2" "$1" || { echo "$(basename "$1"): no line with $3" >&2; return 1; }
}

oneline_ok() {
	local d=$1 f re_func re_file re_exe
	for f in dump stacks func; do
		groups_sum "$d/$f.txt" || return 1
	done
	for f in dump stacks func repl; do
		if grep -nE '^(  9  (note: )?forged|filex)' "$d/$f.txt" >&2; then
			echo "$f.txt: a forged line (above)" >&2
			return 1
		fi
	done
	re_func=$(sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$NL_FUNC")
	re_file=$(sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$NL_FILE")
	re_exe=$(sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$NL_EXE")
	has_line "$d/dump.txt" "^ +1  $re_func +$re_file:7 +created by main\\.main " "the site" &&
		has_line "$d/dump.txt" "^process $FIXTURE_PID  .*$re_exe.* goroutines " "the header" &&
		has_line "$d/stacks.txt" "^ {10}$re_func +$re_file:7$" "the frame" &&
		has_line "$d/repl.txt" "^ +[0-9]+  chan receive +$re_func $re_file:7$" "tasks' line" &&
		has_line "$d/repl.txt" "^goroutine [0-9]+  chan receive  $re_func $re_file:7$" "task's line" &&
		has_line "$d/repl.txt" "^>? +3  $re_func  /.*/$re_file:7$" "bt's and frame's line" &&
		has_line "$d/repl.txt" "^attached to process $FIXTURE_PID \\(/.*$re_exe.*, go" "the banner" &&
		has_line "$d/repl.txt" "^executable  /.*$re_exe" "info's executable" || return 1
	for f in "$NL_FUNC" "$NL_FILE"; do
		jq -e --arg n "${f//\\n/$'\n'}" '[.. | strings | select(contains($n))] | length > 0' \
			"$d/dump.json" >/dev/null || { echo "the JSON lacks the newline in: $f" >&2; return 1; }
	done
}

thread_ok() {
	grep -qE -- "^  [0-9]+ +$(sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$NL_THREAD") +S( |$)" "$1/stacks.txt" ||
		{ echo "--threads: no line with the thread name $NL_THREAD" >&2; return 1; }
	grep -qF -- "$NL_THREAD" "$1/repl.txt" || { echo "threads: no $NL_THREAD" >&2; return 1; }
}

output_cases() {
	local gover=$1 b=$2 dwarf=$3 dir
	dir=$TEST_TMP/$gover-$b
	mkdir -p "$dir" "$TEST_TMP/$EXE_DIR/$gover"
	cp "$FIXTURES/$gover/$b" "$TEST_TMP/$EXE_DIR/$gover/$EXE_NAME"
	FIXTURES=$TEST_TMP/$EXE_DIR FIXTURE_NAME=$EXE_NAME fixture_start "$gover" 1
	if ! dump_json --threads; then
		fail "$gover $b 3 dump --format json" "$(head -c 300 "$ERR")"
		fixture_stop || true
		return 0
	fi
	cp "$OUT" "$dir/dump.json"
	runtime_stacks >"$dir/runtime.raw" || true
	check "$gover $b 3.0 text, stacks, REPL: no control character, valid UTF-8" \
		eval 'text_outputs "$dir" && text_ok "$dir"'
	check "$gover $b 3.1 names shown escaped" names_ok "$dir" "$dwarf"
	check "$gover $b 3.2 JSON valid UTF-8, names escaped" json_ok "$dir"
	check "$gover $b 3.3 stacks are the runtime's, escaped" stacks_ok "$dir"
	((dwarf)) && check "$gover $b 3.4 the REPL on a terminal: names escaped" tty_ok
	check "$gover $b 3.5 a newline in a name forges no line" oneline_ok "$dir"
	check "$gover $b 3.6 a thread's name with a newline, escaped" thread_ok "$dir"
	check "$gover $b fixture unharmed" fixture_alive
	fixture_stop
}

GOVERS=$(fixture_versions)
[[ -n $GOVERS ]] || { skip "all" "no fixture built (make fixtures)"; exit 0; }
privilege_cases
FIXTURE_NAME=parked fixture_start "$(tail -n 1 <<<"$GOVERS")" 3
check "2.0 the shipped build ignores INSPECT_TEST_STOP_DELAY_MS" hook_ok
if command -v strace >/dev/null; then
	check "2.1 the shipped build ignores INSPECT_TEST_NO_VM_READV" readv_hook_ok
else
	skip "2.1 INSPECT_TEST_NO_VM_READV" "no strace"
fi
fixture_stop
for gover in $GOVERS; do
	if [[ ! -x $FIXTURES/$gover/shaped ]]; then
		skip "$gover 3" "fixtures/go/shaped not built (make fixtures)"
		continue
	fi
	output_cases "$gover" shaped 1
	output_cases "$gover" shaped-sw 0
done
