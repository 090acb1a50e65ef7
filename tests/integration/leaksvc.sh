# leaksvc.sh: helpers for the tests on the leak fixture (fixtures/go/leaksvc:
# 1450-diff-watch.sh, 1460-diff-pprof.sh, 1470-diff-watch-review.sh); source it
# after lib.sh.
#
#   leak KEY      KEY's total in the fixture's last batch line (acme, globex,
#                 initech, total)
#   batch         SIGHUP, and wait (10 s) for the fixture's next batch line
#   val T KEY     KEY's number in T, a line of KEY=N words
#   wait_line FILE ERE   wait (10 s) for a line of FILE (a watch's) to match
#   max_pause FILE       the longest "paused N ms" of a watch's lines

leak() {
	sed -nE "s/^batch [0-9]+ leaked .*\\b$1=([0-9]+)\\b.*/\\1/p" "$FIXTURE_DIR/stderr" | tail -n 1
}

batch() {
	local n i
	n=$(grep -c '^batch ' "$FIXTURE_DIR/stderr" || true)
	kill -HUP "$FIXTURE_PID"
	for ((i = 0; i < 1000; i++)); do
		(($(grep -c '^batch ' "$FIXTURE_DIR/stderr" || true) > n)) && return 0
		sleep 0.01
	done
	echo "no batch line within 10 s of SIGHUP" >&2
	return 1
}

val() {
	sed -nE "s/.*\\b$2=([0-9]+)\\b.*/\\1/p" <<<"$1"
}

# wait_line FILE ERE: wait (10 s) for a line of FILE to match.
wait_line() {
	local i
	for ((i = 0; i < 1000; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "no line /$2/ within 10 s: $(tail -n 3 "$1" | tr '\n' ' ')" >&2
	return 1
}

# max_pause FILE: the longest "paused N ms" of a watch's lines.
max_pause() {
	sed -nE 's/^#[0-9]+ .* paused ([0-9.]+) ms .*/\1/p' "$1" | sort -n | tail -n 1
}
