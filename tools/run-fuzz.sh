#!/usr/bin/env bash
# Run each fuzz harness of FUZZ_BUILD (tests/fuzz/<name>.c) for SECONDS: first over
# its corpus (tests/fuzz/corpus/<name>: the seeds and every crash found so far,
# each must pass), then fuzzing from it. New inputs go to a scratch folder, not to
# the tree; a crash's input is kept in FUZZ_BUILD/crashes/<name>/ and fails the run
# (add it to the corpus once fixed). Prints executions per second of each.
#   run-fuzz.sh FUZZ_BUILD SECONDS FIXTURES
# The registry, value and expr harnesses replay recordings of FIXTURES/go1.26/vars:
# the tree's, and one made here first from a live run of it (UNIT_BUILD's
# tests/unit/model/capture-test).
set -uo pipefail

build=${1:?usage: run-fuzz.sh FUZZ_BUILD SECONDS FIXTURES}
seconds=${2:?}
fixtures=${3:?}
root=$(cd "$(dirname "$0")/.." && pwd)
corpora=$root/tests/fuzz/corpus
gobin=$fixtures/go1.26/vars
scratch=$(mktemp -d "${TMPDIR:-/tmp}/inspect-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0 t0=$(date +%s.%N)

# A recording of this machine's build of the fixture (its addresses move with the
# path it was built in): else the tree's, made from another build, decodes to errors.
if [[ -x $gobin ]]; then
	mkdir -p "$scratch/rec"
	if INSPECT_TEST_FIXTURES=$fixtures INSPECT_TEST_RECORD=$scratch/rec/vars-go1.26 INSPECT_TEST_RECORD_MAX=16384 \
		INSPECT_TEST_GOVER=go1.26 \
		"${UNIT_BUILD:-build}/tests/unit/model/capture-test" >"$scratch/rec.log" 2>&1; then
		export INSPECT_FUZZ_IMAGE=$scratch/rec/vars-go1.26
	else
		echo "fuzz: could not record $gobin (see below): registry, value and expr start from the tree's recording"
		sed 's/^/    /' "$scratch/rec.log"
	fi
fi
export INSPECT_FUZZ_GOBIN=$gobin
# The fixtures' own pclntabs (hundreds of KiB: not in the tree) seed pclntab too.
mkdir -p "$scratch/pcln"
for v in go1.19 go1.26; do
	[[ -x $fixtures/$v/hello ]] &&
		objcopy -O binary --only-section=.gopclntab "$fixtures/$v/hello" "$scratch/pcln/hello-$v"
done

for bin in "$build"/*; do
	[[ -f $bin && -x $bin ]] || continue
	name=$(basename "$bin")
	case $name in registry | value | expr) [[ -x $gobin ]] || { echo "skip - fuzz $name: no $gobin (make fixtures)"; continue; } ;; esac
	mkdir -p "$scratch/$name" "$build/crashes/$name"
	dirs=("$scratch/$name" "$corpora/$name")
	case $name in
	registry | value) [[ -n ${INSPECT_FUZZ_IMAGE:-} ]] && dirs+=("$scratch/rec") ;;
	pclntab) dirs+=("$scratch/pcln") ;;
	esac
	log=$build/$name.log
	# -rss_limit_mb: each input has its own snapshot arena (256 MiB cap)
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$name/" "${dirs[@]}" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [[ $status -eq 0 ]]; then
		echo "ok - fuzz $name: ${runs:-?} runs, ${speed:-?}/s, $(ls "$corpora/$name" | wc -l) seeds"
	else
		failed=$((failed + 1))
		echo "not ok - fuzz $name (exit $status): input in $build/crashes/$name/"
		grep -m 20 -E 'ERROR|SUMMARY|#[0-9]+ 0x|runtime error' "$log" | sed 's/^/    /'
	fi
done
echo "fuzz: $failed failed, $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
[[ $failed -eq 0 ]]
