#!/usr/bin/env bash
# Build the fixture of tests/integration/1440-json-ages.sh with the Go at GOBIN (the
# caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/ages      fixtures/go/ages: goroutines that waited for known times
#   DIR/ages-sw   the same with -ldflags='-s -w' (no DWARF, no symbols)
#   build-ages.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-ages.sh GOBIN DIR}
dir=${2:?usage: build-ages.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$root/fixtures/go"
CGO_ENABLED=0 "$gobin" build -o "$dir/ages" ./ages
CGO_ENABLED=0 "$gobin" build -ldflags='-s -w' -o "$dir/ages-sw" ./ages
