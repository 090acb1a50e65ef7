# lib.sh: helpers for the integration tests; source it from a test script
# that runs under `set -euo pipefail`.
#
#   fixture_start GOVER N [FLAG...]  start build/fixtures/GOVER/$FIXTURE_PROG -n N FLAG...
#                                    (or the build named by FIXTURE_NAME: parked-pie),
#                                    wait for "ready", set FIXTURE_PID
#   FIXTURE_PROG                     the fixture program: parked (default), stacks, cgo;
#                                    -n N is its number of goroutines of one kind
#   fixture_stop                     SIGTERM the fixture, expect exit status 0
#   fixture_wait                     wait for it to exit, return its exit status
#   fixture_alive                    it exists, no thread of it is stopped or traced, one
#                                    lives (a leader gone by pthread_exit may be a zombie),
#                                    and it beats
#   heartbeat_stall_ms               longest stall (ms) since the last call
#   heartbeat_jitter_ms              the second longest stall in the same span (ms), as
#                                    that call saw it: the fixture's jitter under the
#                                    load of that span (see unharmed)
#   runtime_goroutines [ERE]         ID<TAB>STATE<TAB>USERFUNC from runtime.Stack
#   runtime_stacks                   every frame of every goroutine from runtime.Stack,
#                                    innermost first: ID<TAB>FUNC<TAB>FILE:LINE, then
#                                    ID<TAB>created by<TAB>FUNC FILE:LINE[ goroutine N];
#                                    ID<TAB>...<TAB>- where the runtime elided frames
#   crash_stacks                     the same from the traceback of a crash: SIGQUIT the
#                                    fixture (start it with GOTRACEBACK=system: every
#                                    frame, runtime and wrappers too) and wait for it
#   dlv_for GOVER                    the Delve that reads GOVER (Debian's for go1.19, else
#                                    $BUILD/tools/dlv), or status 1
#   dlv_goroutines PID               ID<TAB>REASON<TAB>USERFUNC from Delve (dlv_for)
#   dlv_stacks PID [DEPTH]           ID<TAB>FUNC<TAB>FILE:LINE for frames 0..DEPTH (100)
#                                    of Delve's goroutines -t (dlv_for), runtime and
#                                    wrapper frames included; ID<TAB>...<TAB>- if cut
#   check NAME CMD...                run CMD: "ok N - NAME" or "not ok N - NAME: <its stderr>"
#   pass NAME / fail NAME MSG / skip NAME REASON
#   inspect_run ARGS...              run $INSPECT: $OUT, $ERR files, $RC status
#   dump_json [ARGS...]              inspect dump --format json ARGS $FIXTURE_PID into $OUT;
#                                    fails unless it exits 0 with JSON, then checks unharmed
#   unharmed PAUSE_MS                alive, and the heartbeat stalled < PAUSE_MS + margin,
#                                    the margin relative to the fixture's delays measured
#                                    in the same run (see the function)
#   fixture_pause MS                 SIGSTOP the fixture for MS ms, then SIGCONT
#   stop_baseline_ms [MS]            its longest stall beyond 3 such stops of MS (1) ms
#   expect_status WANT PATTERN       $RC is WANT and $ERR matches the ERE PATTERN
#   same_ids JSON ACCOUNT WHO        inspect's goroutine ids (JSON) are those in the first
#                                    column of ACCOUNT (the runtime's, Delve's: WHO)
#   fixture_versions                 the goX.Y fixture folders that are built
#   server_start DIR|-silent         a local server on a free port of 127.0.0.1: HTTP
#                                    (python3 -m http.server) serving DIR, or one that
#                                    accepts connections and never answers; sets
#                                    SERVER_URL (http://127.0.0.1:PORT), SERVER_LOG (its
#                                    request lines) and SERVER_PID
#   server_stop                      end it (else the exit does)
#
# At exit: kills any fixture or server still running, removes $TEST_TMP, prints the
# plan "1..N" and "P passed, F failed, S skipped", and exits 1 if a case
# failed, else 77 if every case was skipped, else with the script's status.
# The fixtures' sources, fixtures/go/PROG/main.go, say what they park where.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
FIXTURES=${FIXTURES:-$BUILD/fixtures}
INSPECT=${INSPECT:-$BUILD/inspect}
# The test build beside it (make all): INSPECT_TEST_* hooks, which INSPECT ignores.
INSPECT_TEST=${INSPECT_TEST:-$INSPECT-test}
HELPERS=${HELPERS:-$ROOT/build/tests/helpers}
FIXTURE_PROG=${FIXTURE_PROG:-parked}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/inspect-test.XXXXXX")
FIXTURE_PID=
FIXTURE_DIR=
_lib_pids=()
_lib_n=0
_lib_failed=0
_lib_passed=0
_lib_skipped=0

_lib_exit() {
	local rc=$? pid
	for pid in "${_lib_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TEST_TMP"
	echo "1..$_lib_n"
	echo "$_lib_passed passed, $_lib_failed failed, $_lib_skipped skipped"
	((_lib_failed == 0)) || exit 1
	if ((rc == 0 && _lib_passed == 0 && _lib_skipped > 0)); then
		exit 77
	fi
	exit "$rc"
}
trap _lib_exit EXIT

pass() {
	_lib_n=$((_lib_n + 1)) _lib_passed=$((_lib_passed + 1))
	echo "ok $_lib_n - $1"
}

fail() {
	_lib_n=$((_lib_n + 1)) _lib_failed=$((_lib_failed + 1))
	echo "not ok $_lib_n - $1: $2"
}

skip() {
	_lib_n=$((_lib_n + 1)) _lib_skipped=$((_lib_skipped + 1))
	echo "ok $_lib_n - $1 # SKIP $2"
}

# check NAME CMD...: CMD runs in this shell; its stderr becomes the message.
check() {
	local name=$1 err=$TEST_TMP/check.err rc=0 msg
	shift
	"$@" 2>"$err" || rc=$?
	if ((rc == 0)); then
		pass "$name"
	else
		msg=$(tr '\n' ' ' <"$err" | sed 's/ *$//')
		fail "$name" "${msg:-exit status $rc}"
	fi
}

_lib_bail() {
	echo "Bail out! $*"
	exit 1
}

fixture_start() {
	local gover=$1 n=$2 prog=${FIXTURE_NAME:-$FIXTURE_PROG} bin i
	bin=$FIXTURES/$gover/$prog
	shift 2
	[[ -x $bin ]] || _lib_bail "fixture_start: $bin is not built"
	FIXTURE_DIR=$(mktemp -d "$TEST_TMP/fixture.XXXX")
	: >"$FIXTURE_DIR/stdout"
	"$bin" -n "$n" -heartbeat "$FIXTURE_DIR/heartbeat" -stacks "$FIXTURE_DIR/stacks" "$@" \
		>"$FIXTURE_DIR/stdout" 2>"$FIXTURE_DIR/stderr" &
	FIXTURE_PID=$!
	_lib_pids+=("$FIXTURE_PID")
	for ((i = 0; i < 600; i++)); do
		if [[ $(<"$FIXTURE_DIR/stdout") == ready ]]; then
			sleep 0.1 # main prints "ready" just before it parks on its signal channel
			return 0
		fi
		kill -0 "$FIXTURE_PID" 2>/dev/null ||
			_lib_bail "fixture_start: $gover $prog -n $n${*:+ $*} died: $(tr '\n' ' ' <"$FIXTURE_DIR/stderr")"
		sleep 0.1
	done
	_lib_bail "fixture_start: $gover $prog -n $n${*:+ $*} not ready after 60 s"
}

# fixture_wait: wait for the fixture to exit; return its exit status.
fixture_wait() {
	local rc=0 i
	wait "$FIXTURE_PID" || rc=$?
	for i in "${!_lib_pids[@]}"; do
		[[ ${_lib_pids[i]} != "$FIXTURE_PID" ]] || unset "_lib_pids[i]"
	done
	return "$rc"
}

fixture_stop() {
	local rc=0
	kill -TERM "$FIXTURE_PID"
	fixture_wait || rc=$?
	((rc == 0)) || { echo "fixture $FIXTURE_PID exited with status $rc" >&2; return 1; }
}

# _lib_signal_file SIG FILE: remove FILE, send SIG, wait up to 10 s for the
# fixture to put FILE back (it renames a complete temp file into place).
_lib_signal_file() {
	local i
	rm -f "$2"
	kill -"$1" "$FIXTURE_PID" || { echo "cannot signal fixture $FIXTURE_PID" >&2; return 1; }
	for ((i = 0; i < 1000; i++)); do
		[[ -e $2 ]] && return 0
		sleep 0.01
	done
	echo "fixture $FIXTURE_PID did not write $(basename "$2") within 10 s of SIG$1" >&2
	return 1
}

# _lib_heartbeat: SIGUSR1, which resets the fixture's record; keep the two
# longest stalls seen in $FIXTURE_DIR/stall so that heartbeat_stall_ms reports
# the longest since its own last call (and heartbeat_jitter_ms the second).
# Sets _lib_beats.
_lib_heartbeat() {
	local stall beats second=0 m1=0 m2=0
	_lib_signal_file USR1 "$FIXTURE_DIR/heartbeat" || return 1
	{ read -r stall && read -r _ beats && { read -r _ second || true; }; } <"$FIXTURE_DIR/heartbeat"
	[[ -e $FIXTURE_DIR/stall ]] && read -r m1 m2 <"$FIXTURE_DIR/stall"
	printf '%s\n' "$m1" "$m2" "$stall" "${second:-0}" | sort -rn | head -n 2 | paste -sd ' ' >"$FIXTURE_DIR/stall"
	_lib_beats=$beats
}

heartbeat_stall_ms() {
	local m1 m2
	_lib_heartbeat || return 1
	read -r m1 m2 <"$FIXTURE_DIR/stall"
	echo "$m2" >"$FIXTURE_DIR/jitter"
	echo "$m1"
	rm -f "$FIXTURE_DIR/stall"
}

heartbeat_jitter_ms() {
	cat "$FIXTURE_DIR/jitter"
}

fixture_alive() {
	local bad b1
	[[ -d /proc/$FIXTURE_PID/task ]] || { echo "fixture $FIXTURE_PID is gone" >&2; return 1; }
	# Every thread: none stopped or traced, and one at least alive (a leader
	# that left by pthread_exit stays a zombie while the others run).
	bad=$(awk '$1 == "State:" { state = $2; if (state !~ /[ZX]/) live++ }
		$1 == "TracerPid:" && (state ~ /[tT]/ || $2 != 0) {
			print FILENAME ": state " state ", traced by " $2; done = 1; exit }
		END { if (!done && !live) print "no thread of it lives" }' \
		/proc/"$FIXTURE_PID"/task/*/status 2>/dev/null)
	[[ -z $bad ]] || { echo "fixture $FIXTURE_PID: $bad" >&2; return 1; }
	_lib_heartbeat || return 1
	b1=$_lib_beats
	sleep 0.05
	_lib_heartbeat || return 1
	((_lib_beats > b1)) || { echo "fixture $FIXTURE_PID heartbeat stuck at $b1 beats" >&2; return 1; }
}

# runtime_goroutines [ERE]: USERFUNC is the first frame not in runtime.* or
# internal/*, or with ERE the first frame matching it; "-" if none.
runtime_goroutines() {
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	RE=${1-} awk '
	BEGIN { re = ENVIRON["RE"] }
	function flush() { if (id != "") print id "\t" state "\t" (fn == "" ? "-" : fn); id = "" }
	/^goroutine [0-9]+ .*\[.*\]:$/ {
		flush()
		id = $2; fn = ""
		state = $0; sub(/^[^[]*\[/, "", state); sub(/\]:$/, "", state); sub(/, .*/, "", state)
		next
	}
	id == "" || /^\t/ || /^created by / || /^\.\.\./ || /^$/ { next }
	{
		f = $0; sub(/\([^()]*\)$/, "", f)
		if (fn == "" && (re != "" ? f ~ re : f !~ /^(runtime\.|internal\/)/)) fn = f
	}
	END { flush() }' "$FIXTURE_DIR/stacks"
}

# runtime_stacks: FUNC without its argument list, FILE:LINE without the
# +0x offset. Go 1.19 prints at most 100 frames, counting the runtime ones
# it hides, and marks nothing when it stops; Go 1.21+ prints the innermost
# and outermost 50 around "...N frames elided...". Go 1.21+ adds
# " goroutine N" (the creator's id) to the created-by line.
runtime_stacks() {
	_lib_signal_file USR2 "$FIXTURE_DIR/stacks" || return 1
	_lib_stacks "$FIXTURE_DIR/stacks"
}

# crash_stacks: a crash's traceback adds fp= sp= pc= after the offset (and
# goroutine 0, the crashing thread's g0); the fixture exits 2.
crash_stacks() {
	kill -QUIT "$FIXTURE_PID" || return 1
	fixture_wait || true
	_lib_stacks "$FIXTURE_DIR/stderr"
}

_lib_stacks() {
	awk -v OFS='\t' '
	/^goroutine [0-9]+ .*\[.*\]:$/ { id = $2; fn = ""; next }
	id == "" { next }
	/^$/ { id = ""; next }
	/^\.\.\..*elided\.\.\.$/ { print id, "...", "-"; next }
	/^created by / {
		fn = substr($0, 12); by = ""
		if (match(fn, / in goroutine [0-9]+$/)) { by = " goroutine " substr(fn, RSTART + 14); fn = substr(fn, 1, RSTART - 1) }
		kind = "created by"
		next
	}
	/^\t/ && fn != "" {
		loc = substr($0, 2); sub(/ fp=.*$/, "", loc); sub(/ \+0x[0-9a-f]+$/, "", loc)
		if (kind == "created by") print id, kind, fn " " loc by
		else print id, fn, loc
		fn = ""
		next
	}
	{ fn = $0; sub(/\([^()]*\)$/, "", fn); kind = "" }' "$1"
}

# dlv_for GOVER: the Delve that reads GOVER's binaries: Debian's (1.20) for
# go1.19, which misreads newer runtimes; for newer ones the current Delve that
# tools/deps.sh builds into $BUILD/tools. Nothing (status 1) if there is none.
dlv_for() {
	local d
	if [[ $1 == go1.19 ]]; then d=$(command -v dlv) || return 1; else d=$BUILD/tools/dlv; fi
	[[ -x $d ]] && echo "$d"
}

# _lib_dlv PID CMD OUT: run Delve's CMD on PID (dlv_for its Go), output in OUT;
# then PID must be alive and untraced.
_lib_dlv() {
	local pid=$1 go ver tracer dlv
	for go in go /usr/local/go/bin/go /usr/lib/go-1.19/bin/go; do
		ver=$("$go" version "/proc/$pid/exe" 2>/dev/null) && break
	done
	ver=$(sed -nE 's/.*: (go1\.[0-9]+).*/\1/p' <<<"${ver-}")
	dlv=$(dlv_for "$ver") || { echo "dlv: no Delve for process $pid (${ver:-no go to tell its version})" >&2; return 1; }
	# Delve prints a file under its working directory as ./PATH: run it in ours.
	(cd "$TEST_TMP" && printf '%s\nexit\nn\n' "$2" |
		timeout 300 "$dlv" attach "$pid" --allow-non-terminal-interactive=true) >"$3" 2>&1 ||
		{ echo "dlv attach $pid failed: $(tail -n 3 "$3" | tr '\n' ' ')" >&2; return 1; }
	sed -i 's/\x1b\[[0-9;]*m//g' "$3" # Delve 1.27 writes names in bold
	grep -q '^\[[0-9]* goroutines\]$' "$3" ||
		{ echo "dlv listed no goroutines: $(tail -n 3 "$3" | tr '\n' ' ')" >&2; return 1; }
	kill -0 "$pid" 2>/dev/null || { echo "process $pid died under dlv" >&2; return 1; }
	tracer=$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$pid/status")
	[[ $tracer == 0 ]] || { echo "process $pid still traced by $tracer after dlv" >&2; return 1; }
}

# dlv_goroutines PID: REASON is Delve's bracket text without the wait-since
# number, "running" for a goroutine on a thread, "runnable" for neither.
dlv_goroutines() {
	local pid=$1 out=$TEST_TMP/dlv.out
	_lib_dlv "$pid" goroutines "$out" || return 1
	sed -nE 's/^(\(dlv\) )?[ *] Goroutine ([0-9]+) - User: [^ ]+ (.*) \(0x[0-9a-f]+\)(.*)$/\2\t\3\t\4/p' "$out" |
		awk -F '\t' -v OFS='\t' '{
			r = $3
			if (r ~ /\[.*\]/) { sub(/^[^[]*\[/, "", r); sub(/\].*$/, "", r); sub(/ [0-9]+$/, "", r) }
			else if (r ~ /\(thread [0-9]+\)/) r = "running"
			else r = "runnable"
			print $1, r, ($2 == "" ? "-" : $2)
		}'
}

# dlv_stacks PID [DEPTH]: Delve unwinds a goroutine on a thread from the
# thread's registers (one in a syscall shows the syscall itself, one in C its
# C frames, named C.FUNC), any other from its saved ones; an inlined call is
# a frame of its own. "(truncated)" becomes ID<TAB>...<TAB>-.
dlv_stacks() {
	local pid=$1 out=$TEST_TMP/dlv.out
	_lib_dlv "$pid" "goroutines -t ${2:-100}" "$out" || return 1
	awk -v OFS='\t' '
	/^(\(dlv\) )?[ *] Goroutine [0-9]+ - / { id = $0; sub(/^.*Goroutine /, "", id); sub(/ .*/, "", id); fn = ""; next }
	id == "" { next }
	/^\t *[0-9]+ +0x[0-9a-f]+ in / { fn = $0; sub(/^[^i]* in /, "", fn); next }
	/^\t +at / && fn != "" { loc = $0; sub(/^\t +at /, "", loc); print id, fn, loc; fn = ""; next }
	/^\t\(truncated\)$/ { print id, "...", "-"; next }
	/^\[[0-9]+ goroutines\]$/ { id = "" }' "$out"
}

# --- a local server ---------------------------------------------------------

server_start() {
	local i port=
	SERVER_LOG=$(mktemp "$TEST_TMP/server.XXXX")
	if [[ $1 == -silent ]]; then
		python3 -u -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("Serving HTTP on 127.0.0.1 port %d (silent) ..." % s.getsockname()[1])
held = []
while True:
    held.append(s.accept()[0])' >"$SERVER_LOG" 2>&1 &
	else
		(cd "$1" && exec python3 -u -m http.server --bind 127.0.0.1 0) >"$SERVER_LOG" 2>&1 &
	fi
	SERVER_PID=$!
	_lib_pids+=("$SERVER_PID")
	# It prints its port once it listens.
	for ((i = 0; i < 100; i++)); do
		port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$SERVER_LOG")
		[[ -n $port ]] && break
		kill -0 "$SERVER_PID" 2>/dev/null || _lib_bail "server_start: $(tr '\n' ' ' <"$SERVER_LOG")"
		sleep 0.1
	done
	[[ -n $port ]] || _lib_bail "server_start: no port after 10 s"
	SERVER_URL=http://127.0.0.1:$port
}

server_stop() {
	local i
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	for i in "${!_lib_pids[@]}"; do
		[[ ${_lib_pids[i]} != "$SERVER_PID" ]] || unset "_lib_pids[i]"
	done
}

# --- inspect itself ---------------------------------------------------------

OUT=$TEST_TMP/out ERR=$TEST_TMP/err RC=0

inspect_run() {
	RC=0
	"$INSPECT" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

fixture_versions() {
	local d
	for d in "$FIXTURES"/go*/; do
		[[ -x $d/parked ]] && basename "$d"
	done
}

# The longest stall is the pause's, plus the time the fixture takes to run its
# heartbeat again once let go: a wake-up after a stop, late by as much as the
# load delays it. So the margin is relative to the fixture's own delays measured
# in this run, under this load: UNHARMED_JITTER_FACTOR times the second longest
# stall of the same span (inspect's own work included), never below
# UNHARMED_FLOOR_MS (a quiet machine's wake-up after a stop). Under load the
# wake-up after a stop has a longer tail than the plain jitter, so a stall past
# that margin is weighed once more against the same event without inspect,
# measured right after: the longest extra stall of 3 stops of the fixture
# (SIGSTOP, the pause, SIGCONT). A fixed margin (100 ms) failed at 120 ms on a
# busy machine (issue 13); an extra stop longer than the margin still fails it
# (tests/integration/1320-signals.sh 3.1).
UNHARMED_FLOOR_MS=${UNHARMED_FLOOR_MS:-50}
UNHARMED_JITTER_FACTOR=${UNHARMED_JITTER_FACTOR:-4}

# _lib_margin DELAY_MS: the margin for that delay.
_lib_margin() {
	local margin=$((UNHARMED_JITTER_FACTOR * $1))
	echo $((margin > UNHARMED_FLOOR_MS ? margin : UNHARMED_FLOOR_MS))
}

# fixture_pause MS: stop the fixture for MS ms (SIGSTOP, then SIGCONT).
fixture_pause() {
	kill -STOP "$FIXTURE_PID"
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
	kill -CONT "$FIXTURE_PID"
}

# stop_baseline_ms [MS]: the longest extra stall (beyond the stop) of the
# fixture after 3 stops of MS (1) ms each (fixture_pause), inspect not running.
stop_baseline_ms() {
	local ms=${1:-1} i s worst=0
	for i in 1 2 3; do
		heartbeat_stall_ms >/dev/null || return 1
		fixture_pause "$ms"
		sleep 0.1
		s=$(heartbeat_stall_ms) || return 1
		((s - ms <= worst)) || worst=$((s - ms))
	done
	echo "$worst"
}

unharmed() {
	local pause=${1%.*} ms jitter margin base
	fixture_alive || return 1
	ms=$(heartbeat_stall_ms) || return 1
	jitter=$(heartbeat_jitter_ms)
	margin=$(_lib_margin "$jitter")
	((ms >= pause + margin)) || return 0
	base=$(stop_baseline_ms "$((pause > 0 ? pause : 1))") || return 1
	((base <= jitter)) || margin=$(_lib_margin "$base")
	((ms < pause + margin)) || {
		echo "heartbeat stalled $ms ms; inspect reported a pause of $1 ms; the fixture's" \
			"jitter was $jitter ms in the same span; a stop of the pause without inspect" \
			"stalled it $base ms more (margin $margin ms)" >&2
		return 1
	}
}

dump_json() {
	inspect_run dump --format json "$@" "$FIXTURE_PID"
	((RC == 0)) || { echo "inspect dump exited $RC: $(head -c 300 "$ERR")" >&2; return 1; }
	jq -e . "$OUT" >/dev/null || { echo "inspect dump printed no JSON" >&2; return 1; }
	unharmed "$(jq -r .pause_ms "$OUT")"
}

expect_status() {
	((RC == $1)) || { echo "exit status $RC, want $1; stderr: $(head -c 300 "$ERR")" >&2; return 1; }
	grep -Eq -- "$2" "$ERR" || { echo "stderr does not match /$2/: $(head -c 300 "$ERR")" >&2; return 1; }
}

same_ids() {
	diff <(cut -f 1 "$2" | sort -n) <(jq '.goroutines[].id' "$1" | sort -n) >&2 ||
		{ echo "ids differ (< $3, > inspect)" >&2; return 1; }
}
