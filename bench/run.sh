#!/usr/bin/env bash
# make bench: inspect against Delve on the same paused process. For each Go
# toolchain's parked fixture (N goroutines in each of twelve blocking calls), the
# median over R runs of: wall time of the whole command, the pause inspect reports,
# and the longest stall the fixture's own heartbeat saw (what the service felt).
# Delve 1.20 (Debian) reads Go 1.19 only: `dlv attach` + `goroutines` + `exit`.
# Writes bench/results.md and prints it.
set -euo pipefail

build=${1:-build}
n=${N:-2500}
runs=${R:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/results.md
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
stall() { rm -f "$tmp/hb"; kill -USR1 "$pid"; while [ ! -e "$tmp/hb" ]; do sleep 0.01; done; head -n 1 "$tmp/hb"; }

start_fixture() {
	"$1" -n "$n" -heartbeat "$tmp/hb" >"$tmp/out" &
	pid=$!
	for _ in $(seq 600); do [ "$(cat "$tmp/out")" = ready ] && break; sleep 0.1; done
	sleep 0.5
}

# measure NAME CMD...: R runs; appends a table row.
measure() {
	local name=$1 wall=() pause=() stalls=() t0 i
	shift
	for ((i = 0; i < runs; i++)); do
		stall >/dev/null
		t0=$(now_ms)
		"$@" >"$tmp/cmd.out" 2>&1 </dev/null
		wall+=($(($(now_ms) - t0)))
		stalls+=("$(stall)")
		case $name in
		*json*) pause+=("$(jq .pause_ms "$tmp/cmd.out")") ;;
		inspect*) pause+=("$(grep -o -m1 'paused [0-9.]*' "$tmp/cmd.out" | cut -d' ' -f2)") ;;
		esac
	done
	goroutines=$(jq '.goroutines | length' "$tmp/json" 2>/dev/null || echo "?")
	printf '| %s | %s | %s | %s | %s | %s |\n' "$gover" "$name" "$goroutines" \
		"$(printf '%s\n' "${wall[@]}" | median)" \
		"$( ((${#pause[@]})) && printf '%s\n' "${pause[@]}" | median | xargs printf '%.1f' || echo "-")" \
		"$(printf '%s\n' "${stalls[@]}" | median)" >>"$tmp/rows"
}

# dlv_session [ARGS]: attach, goroutines ARGS, detach without killing.
dlv_session() {
	printf 'goroutines %s\nexit\nn\n' "$*" | dlv attach "$pid" --allow-non-terminal-interactive=true
}

: >"$tmp/rows"
for dir in "$build"/fixtures/go*/; do
	gover=$(basename "$dir")
	start_fixture "$dir/parked"
	"$build/inspect" dump --format json --system "$pid" >"$tmp/json"
	measure "inspect dump" "$build/inspect" dump "$pid"
	measure "inspect dump --stacks" "$build/inspect" dump --stacks "$pid"
	measure "inspect dump --group stack" "$build/inspect" dump --group stack "$pid"
	measure "inspect dump --format json" "$build/inspect" dump --format json "$pid"
	# the values are read while stopped: the pause covers the decoding
	measure "inspect dump --locals" "$build/inspect" dump --locals "$pid"
	if [ "$gover" = go1.19 ] && command -v dlv >/dev/null; then
		measure "dlv goroutines" dlv_session
		measure "dlv goroutines -t" dlv_session -t
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	# as production ships it (-s -w): layouts from the tables, the registry
	# found through the runtime's code; Delve cannot read it
	start_fixture "$dir/parked-sw"
	"$build/inspect" dump --format json --system "$pid" >"$tmp/json"
	measure "inspect dump (stripped -s -w)" "$build/inspect" dump "$pid"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
done
{
	echo "# inspect against Delve"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $n goroutines per blocking call ($runs runs, medians)."
	echo "Wall: the whole command. Pause: what inspect reports. Stall: the longest gap"
	echo "the target's own 1 ms heartbeat saw during the run (Delve keeps it stopped"
	echo "for its whole session)."
	echo
	echo "| Go | tool | goroutines (all) | wall ms | pause ms | target stall ms |"
	echo "|---|---|---|---|---|---|"
	cat "$tmp/rows"
} >"$out"
cat "$out"
