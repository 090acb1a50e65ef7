#!/usr/bin/env bash
# Build, with the Go at GOBIN (the caller sets GOTOOLCHAIN and GOFLAGS) into DIR,
# what tests/integration/1320-signals.sh and `make soak` (tools/soak.sh) run:
#   DIR/sigcount    fixtures/go/sigcount (CGO_ENABLED=1): counts the real-time
#                   signals it receives
#   DIR/httpsvc     fixtures/go/httpsvc: the HTTP service of the soak
#   DIR/soak-load   tools/soak-load.go: its bounded loopback load
#   build-soak.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-soak.sh GOBIN DIR}
dir=${2:?usage: build-soak.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fixtures/go"
CGO_ENABLED=1 "$gobin" build -o "$dir/sigcount" ./sigcount
CGO_ENABLED=0 "$gobin" build -o "$dir/httpsvc" ./httpsvc
cd "$root/tools"
CGO_ENABLED=0 "$gobin" build -o "$dir/soak-load" soak-load.go
