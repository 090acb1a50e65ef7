#!/usr/bin/env bash
# make demo: start the parked fixture (N goroutines in each of twelve blocking
# calls) with the newest Go found, dump it as text and the first lines of JSON,
# show that it still runs, and stop it.
set -euo pipefail

build=${1:-build}
n=${N:-2500}
gover=$(ls -d "$build"/fixtures/go*/ | sort -V | tail -n 1)
bin=$gover/parked
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin" -n "$n" -heartbeat "$tmp/heartbeat" >"$tmp/out" &
pid=$!
for _ in $(seq 600); do
	[ "$(cat "$tmp/out")" = ready ] && break
	sleep 0.1
done
sleep 0.2
echo "\$ inspect dump $pid    # $(basename "$gover") fixture, $n goroutines per blocking call"
"$build/inspect" dump "$pid"
echo
q='.goroutines[0] | {id, status, wait_reason, user_top, created_by, frames: [.frames[].func]}'
echo "\$ inspect dump --format json --with reason=chan-send $pid | jq '$q'"
"$build/inspect" dump --format json --with reason=chan-send "$pid" | jq "$q"
kill -USR1 "$pid"
sleep 0.2
echo
echo "the fixture runs on: longest heartbeat stall $(head -n 1 "$tmp/heartbeat") ms, $(tail -n 1 "$tmp/heartbeat")"
