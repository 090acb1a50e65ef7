#!/usr/bin/env bash
# Run every tests/integration/NNNN-*.sh in order and total their results. Each
# script prints TAP-like lines and "P passed, F failed, S skipped"; exit 77 means
# it skipped everything. Environment: INSPECT (the binary), FIXTURES, BUILD.
set -uo pipefail

dir=$(cd "$(dirname "$0")/integration" && pwd)
passed=0 failed=0 skipped=0 broken=0
for t in "$dir"/[0-9][0-9][0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	echo "# $name"
	log=$(mktemp)
	start=$(date +%s)
	bash "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "not ok - $name ended without a summary (exit $rc)"
		broken=$((broken + 1))
		continue
	fi
	read -r p _ f _ s _ <<<"$line"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || [ "$f" -gt 0 ] || broken=$((broken + 1))
	echo "# $name: $(($(date +%s) - start)) s"
done
echo "integration: $passed passed, $((failed + broken)) failed, $skipped skipped"
[ $((failed + broken)) -eq 0 ]
