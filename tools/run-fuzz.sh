#!/usr/bin/env bash
# Run each fuzz harness of FUZZ_BUILD (tests/fuzz/<name>.c) for SECONDS: first over
# its corpus (tests/fuzz/corpus/<name>: the seeds and every crash found so far,
# each must pass), then fuzzing from it. New inputs go to a scratch folder, not to
# the tree; a crash's input is kept in FUZZ_BUILD/crashes/<name>/ and fails the run
# (add it to the corpus once fixed). Prints executions per second of each.
#   run-fuzz.sh FUZZ_BUILD SECONDS FIXTURES
# The registry, value and expr harnesses replay recordings of FIXTURES/go1.26/vars;
# when that build is not the one recorded (another Go 1.26 release), they are
# recorded again from a live run of it first (tests/unit/model/capture-test).
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

extra=() # per harness: a folder of seeds made here
if [[ -x $gobin ]] && ! sha256sum --status -c <(sed "s|  .*|  $gobin|" "$corpora/vars.sha256"); then
	echo "fuzz: $gobin is not the build recorded in tests/fuzz/corpus: recording it again"
	mkdir -p "$scratch/rec"
	unit=${UNIT_BUILD:-build}/tests/unit/model/capture-test
	INSPECT_TEST_FIXTURES=$fixtures INSPECT_TEST_RECORD=$scratch/rec/vars-go1.26 "$unit" >/dev/null ||
		{ echo "fuzz: could not record $gobin"; exit 1; }
	export INSPECT_FUZZ_IMAGE=$scratch/rec/vars-go1.26
fi
export INSPECT_FUZZ_GOBIN=$gobin

for bin in "$build"/*; do
	[[ -f $bin && -x $bin ]] || continue
	name=$(basename "$bin")
	case $name in registry | value | expr) [[ -x $gobin ]] || { echo "skip - fuzz $name: no $gobin (make fixtures)"; continue; } ;; esac
	mkdir -p "$scratch/$name" "$build/crashes/$name"
	dirs=("$scratch/$name" "$corpora/$name")
	[[ $name != expr && -n ${INSPECT_FUZZ_IMAGE:-} ]] && dirs+=("$scratch/rec")
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
