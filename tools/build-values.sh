#!/usr/bin/env bash
# Build the fixtures of print's values (issue 12, test 1200) with the Go at GOBIN
# (the caller sets GOTOOLCHAIN, GOFLAGS) into DIR:
#   DIR/generics-noopt     fixtures/go/generics with -gcflags='-N -l' (as a debugger's
#                          user builds it): its DWARF has each generic's dictionary
#   DIR/timers, timers-sw  fixtures/go/timers, a module whose go.mod says go 1.23
#                          (synchronous timer channels from Go 1.23 on), and with
#                          -s -w; not with Go 1.21 and 1.22, which refuse that go.mod
#   DIR/timers-async       fixtures/go/timers-async, in module fixtures (go 1.19):
#                          asynchronous timer channels in Go 1.23+ too
#   build-values.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-values.sh GOBIN DIR}
dir=$(cd "${2:?usage: build-values.sh GOBIN DIR}" && pwd)
export CGO_ENABLED=0
minor=$("$gobin" env GOVERSION | sed -nE 's/^go1\.([0-9]+).*/\1/p')
cd "$(dirname "$0")/../fixtures/go"
"$gobin" build -gcflags='-N -l' -o "$dir/generics-noopt" ./generics
"$gobin" build -o "$dir/timers-async" ./timers-async
if ((${minor:-0} <= 20 || ${minor:-0} >= 23)); then
	(cd timers && "$gobin" build -o "$dir/timers" . &&
		"$gobin" build -ldflags='-s -w' -o "$dir/timers-sw" .)
fi
