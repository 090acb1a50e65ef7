#!/usr/bin/env bash
# Build the fixtures of tests/integration/1110-frames.sh from fixtures/go with
# the Go at GOBIN (the caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/sigpanic        fixtures/go/sigpanic, optimized, as built by default
#   DIR/sigpanic-noopt  the same with -gcflags=all=-N -l (as a debugger's user builds it)
#   DIR/sigpanic-sw     the same with -ldflags='-s -w' (no DWARF, no symbols)
#   DIR/cgocb           fixtures/go/cgocb (CGO_ENABLED=1): goroutines in Go code C called
#   DIR/cgocb-sw        the same with -s -w
#   DIR/cgocb-pie-sw    the same, position-independent
#   DIR/preempt         fixtures/go/preempt: goroutines preempted by a signal
#   build-frames.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-frames.sh GOBIN DIR}
dir=${2:?usage: build-frames.sh GOBIN DIR}
cd "$(dirname "$0")/../fixtures/go"
CGO_ENABLED=0 "$gobin" build -o "$dir/sigpanic" ./sigpanic
CGO_ENABLED=0 "$gobin" build -gcflags='all=-N -l' -o "$dir/sigpanic-noopt" ./sigpanic
CGO_ENABLED=0 "$gobin" build -ldflags='-s -w' -o "$dir/sigpanic-sw" ./sigpanic
CGO_ENABLED=1 "$gobin" build -o "$dir/cgocb" ./cgocb
CGO_ENABLED=1 "$gobin" build -ldflags='-s -w' -o "$dir/cgocb-sw" ./cgocb
CGO_ENABLED=1 "$gobin" build -buildmode=pie -ldflags='-s -w' -o "$dir/cgocb-pie-sw" ./cgocb
CGO_ENABLED=0 "$gobin" build -o "$dir/preempt" ./preempt
