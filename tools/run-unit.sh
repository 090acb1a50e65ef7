#!/usr/bin/env bash
# Run every unit test binary under BUILD/tests/unit: those of the Go plugin
# (unit/go) once per Go toolchain's test binary (FIXTURES/<goX.Y>/hello, given in
# INSPECT_TEST_GOBIN), the others once. INSPECT_TEST_FIXTURES names FIXTURES to all
# (tests/unit/model/capture-test starts fixtures from it).
set -uo pipefail

build=${1:?usage: run-unit.sh BUILD [FIXTURES]}
fixtures=${2:-$build/fixtures}
passed=0 failed=0
for test in $(find "$build/tests/unit" -name '*-test' -type f | sort); do
	gobins=("$fixtures"/go*/hello)
	case $test in */unit/go/*) ;; *) gobins=(none) ;; esac
	for gobin in "${gobins[@]}"; do
		label=$(basename "$test")
		[ "$gobin" = none ] || label="$label ($(basename "$(dirname "$gobin")"))"
		if INSPECT_TEST_GOBIN=$gobin INSPECT_TEST_FIXTURES=$fixtures "$test" >"$build/unit.log" 2>&1; then
			passed=$((passed + 1))
			echo "ok - $label"
		else
			failed=$((failed + 1))
			echo "not ok - $label"
			sed 's/^/    /' "$build/unit.log"
		fi
	done
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
