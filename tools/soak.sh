#!/usr/bin/env bash
# tools/soak.sh (make soak): inspect run over and over, and SIGKILLed at random
# moments, on an HTTP service under a bounded loopback load. It checks that no
# request fails, that no cycle leaves the service traced or stopped, and reports
# the longest stalls; the README gives the figures of a full run.
#
# The service is fixtures/go/httpsvc, the load tools/soak-load.go at SOAK_RATE
# requests/s (open loop, 5 s timeout), both built by tools/build-soak.sh. Each of
# SOAK_CYCLES cycles runs one of, in turn:
#   dump       inspect dump --format json: exit 0
#   attach     inspect attach --batch 'info; tasks -group reason': exit 0
#   kill-dump  inspect dump, SIGKILLed at a random moment in its first 200 ms
#   kill-held  inspect attach holding the service stopped, SIGKILLed at a random
#              moment in its first 300 ms
# After each cycle (once inspect is reaped: a dead tracer's tracees are detached
# by then) every thread of the service must show TracerPid 0 and a state other
# than t or T, and the service must answer its heartbeat.
#
# Environment: BUILD (build), INSPECT ($BUILD/inspect), FIXTURES
# ($BUILD/fixtures), SOAK_GO (the fixtures' Go, default the newest built),
# SOAK_CYCLES (1000), SOAK_RATE (200). Prints a summary; exits 0 if every check
# held, 1 if one did not, 2 if it cannot run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
INSPECT=${INSPECT:-$BUILD/inspect}
FIXTURES=${FIXTURES:-$BUILD/fixtures}
CYCLES=${SOAK_CYCLES:-1000}
RATE=${SOAK_RATE:-200}
gover=${SOAK_GO:-$(ls "$FIXTURES" | grep -E '^go1\.[0-9]+$' | sort -t. -k2 -n | tail -n 1)}
bin=$FIXTURES/$gover
for f in httpsvc soak-load; do
	[[ -x $bin/$f ]] || { echo "soak: $bin/$f is not built (make fixtures)" >&2; exit 2; }
done
[[ -x $INSPECT ]] || { echo "soak: $INSPECT is not built (make)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inspect-soak.XXXXXX")
svc= load=
cleanup() {
	[[ -z $load ]] || kill -KILL "$load" 2>/dev/null || true
	[[ -z $svc ]] || kill -KILL "$svc" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$bin/httpsvc" -n 8 -addr "$tmp/addr" -heartbeat "$tmp/hb" >"$tmp/svc.out" 2>"$tmp/svc.err" &
svc=$!
for ((i = 0; i < 300; i++)); do
	[[ $(cat "$tmp/svc.out") == ready ]] && break
	kill -0 "$svc" 2>/dev/null || { echo "soak: httpsvc died: $(cat "$tmp/svc.err")" >&2; exit 2; }
	sleep 0.1
done
[[ $(cat "$tmp/svc.out") == ready ]] || { echo "soak: httpsvc not ready after 30 s" >&2; exit 2; }
"$bin/soak-load" -url "http://$(cat "$tmp/addr")/" -rate "$RATE" >"$tmp/load.out" 2>"$tmp/load.err" &
load=$!

# stall: the heartbeat's longest gap (ms) since the last call.
stall() {
	local i
	rm -f "$tmp/hb"
	kill -USR1 "$svc"
	for ((i = 0; i < 1000; i++)); do
		[[ -e $tmp/hb ]] && { head -n 1 "$tmp/hb"; return 0; }
		sleep 0.01
	done
	echo "soak: no heartbeat within 10 s" >&2
	return 1
}

# untraced: every thread of the service runs untraced, or it is gone; waits up to
# 1 s for the kernel, and says so if it took it.
left=0 bad_runs=0
untraced() {
	local i bad
	for ((i = 0; i < 100; i++)); do
		bad=$(awk '$1 == "State:" && $2 ~ /^[tT]/ { print FILENAME ": state " $2; exit }
			$1 == "TracerPid:" && $2 != 0 { print FILENAME ": traced by " $2; exit }' \
			/proc/"$svc"/task/*/status 2>/dev/null) || true
		[[ -n $bad ]] || return 0
		sleep 0.01
	done
	echo "soak: cycle $1 ($2): $bad, still after 1 s" >&2
	left=$((left + 1))
}

kinds=(dump attach kill-dump kill-held)
declare -A runs=() longest=() pause_of=()
killed=0
stall >/dev/null
t0=$(date +%s)
for ((c = 1; c <= CYCLES; c++)); do
	kind=${kinds[(c - 1) % 4]}
	rc=0
	case $kind in
	dump)
		"$INSPECT" dump --format json "$svc" >"$tmp/out" 2>"$tmp/err" || rc=$?
		p=$(jq -r '.pause_ms // 0' "$tmp/out" 2>/dev/null || echo 0)
		;;
	attach)
		"$INSPECT" attach --batch 'info; tasks -group reason' "$svc" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
		p=0
		;;
	kill-dump | kill-held)
		if [[ $kind == kill-dump ]]; then
			"$INSPECT" dump "$svc" >"$tmp/out" 2>"$tmp/err" &
			ms=$((RANDOM % 200))
		else
			sleep 1 | "$INSPECT" attach "$svc" >"$tmp/out" 2>"$tmp/err" &
			ms=$((RANDOM % 300))
		fi
		ins=$!
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL "$ins" 2>/dev/null && killed=$((killed + 1)) || true
		wait "$ins" 2>/dev/null || true
		p=0
		;;
	esac
	if [[ $kind == dump || $kind == attach ]] && ((rc != 0)); then
		echo "soak: cycle $c ($kind): inspect exited $rc: $(head -c 300 "$tmp/err")" >&2
		bad_runs=$((bad_runs + 1))
	fi
	kill -0 "$svc" 2>/dev/null || { echo "soak: cycle $c ($kind): the service died" >&2; exit 1; }
	untraced "$c" "$kind"
	s=$(stall)
	runs[$kind]=$((${runs[$kind]:-0} + 1))
	if ((s > ${longest[$kind]:-0})); then
		longest[$kind]=$s
		pause_of[$kind]=$p
	fi
	[[ $kind != dump ]] || echo "$p $s" >>"$tmp/pauses"
done
t1=$(date +%s)
kill -TERM "$load"
wait "$load" || true
load=
read -r _ requests _ failed _ p50 _ p99 _ lmax <"$tmp/load.out" ||
	{ echo "soak: the load printed no summary: $(head -c 300 "$tmp/load.err")" >&2; exit 1; }

echo "soak: $CYCLES cycles in $((t1 - t0)) s on $gover httpsvc at $RATE requests/s:" \
	"dump ${runs[dump]:-0}, attach ${runs[attach]:-0}, kill-dump ${runs[kill-dump]:-0}," \
	"kill-held ${runs[kill-held]:-0} ($killed SIGKILLs landed)"
echo "soak: requests $requests, failed $failed; latency p50 $p50 ms, p99 $p99 ms, max $lmax ms"
echo "soak: targets left traced or stopped: $left; dumps or attaches that failed: $bad_runs"
echo "soak: longest heartbeat stall: dump ${longest[dump]:-0} ms (its pause ${pause_of[dump]:-0} ms)," \
	"attach ${longest[attach]:-0} ms, kill-dump ${longest[kill-dump]:-0} ms," \
	"kill-held ${longest[kill-held]:-0} ms (held up to 300 ms by design)"
# pct COLUMN: p50, p99 and max of that column of $tmp/pauses.
pct() {
	cut -d' ' -f "$1" "$tmp/pauses" | sort -n |
		awk '{ v[NR] = $1 } END { printf "p50 %s, p99 %s, max %s", v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1], v[NR] }'
}
[[ ! -s $tmp/pauses ]] || echo "soak: dumps: pause (ms) $(pct 1); heartbeat stall (ms) $(pct 2)"
uptime | sed 's/.*load average/soak: load average at the end/'
((failed == 0 && left == 0 && bad_runs == 0))
