#!/usr/bin/env bash
# Build the fixture of tests/integration/1450-diff-watch.sh with the Go at GOBIN (the
# caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/leaksvc      fixtures/go/leaksvc: a sender leaked per timed-out request
#   DIR/leaksvc-sw   the same with -ldflags='-s -w' (no DWARF, no symbols)
#   build-leaksvc.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-leaksvc.sh GOBIN DIR}
dir=${2:?usage: build-leaksvc.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$root/fixtures/go"
CGO_ENABLED=0 "$gobin" build -o "$dir/leaksvc" ./leaksvc
CGO_ENABLED=0 "$gobin" build -ldflags='-s -w' -o "$dir/leaksvc-sw" ./leaksvc
