#!/usr/bin/env bash
# Build the fixture of tests/integration/1400-labels.sh with the Go at GOBIN (the
# caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/labels      fixtures/go/labels: goroutines under pprof labels
#   DIR/labels-sw   the same with -ldflags='-s -w' (no DWARF, no symbols)
#   build-labels.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-labels.sh GOBIN DIR}
dir=${2:?usage: build-labels.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$root/fixtures/go"
CGO_ENABLED=0 "$gobin" build -o "$dir/labels" ./labels
CGO_ENABLED=0 "$gobin" build -ldflags='-s -w' -o "$dir/labels-sw" ./labels
