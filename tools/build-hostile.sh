#!/usr/bin/env bash
# Build the fixture of tests/integration/1310-hostile-sizes.sh with the Go at
# GOBIN (the caller sets GOTOOLCHAIN, GOFLAGS and CGO_ENABLED=0) into DIR:
#   DIR/hostile       fixtures/go/hostile: corrupts its own registry (-mode);
#                     no stripped build: it finds the runtime's structures by
#                     its own symbols and DWARF
#   build-hostile.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-hostile.sh GOBIN DIR}
dir=${2:?usage: build-hostile.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fixtures/go"
"$gobin" build -o "$dir/hostile" ./hostile
