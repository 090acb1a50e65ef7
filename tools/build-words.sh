#!/usr/bin/env bash
# Build the fixtures of the runtime's own words (issue 11) with the Go at GOBIN
# (the caller sets GOTOOLCHAIN, GOFLAGS, CGO_ENABLED) into DIR, where that Go has
# what they need; with an older Go it builds nothing:
#   DIR/bubbles, bubbles-sw   fixtures/go/bubbles, a test binary (go test -c) with
#                             goroutines in two testing/synctest bubbles: Go 1.25+;
#                             -sw: -ldflags='-s -w'
#   DIR/leaked, leaked-sw     fixtures/go/leaked, built with
#                             GOEXPERIMENT=goroutineleakprofile: Go 1.26+
#   build-words.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-words.sh GOBIN DIR}
dir=${2:?usage: build-words.sh GOBIN DIR}
minor=$("$gobin" env GOVERSION | sed -nE 's/^go1\.([0-9]+).*/\1/p')
cd "$(dirname "$0")/../fixtures/go"
if ((${minor:-0} >= 25)); then
	"$gobin" test -c -o "$dir/bubbles" ./bubbles
	"$gobin" test -c -ldflags='-s -w' -o "$dir/bubbles-sw" ./bubbles
fi
if ((${minor:-0} >= 26)); then
	GOEXPERIMENT=goroutineleakprofile "$gobin" build -o "$dir/leaked" ./leaked
	GOEXPERIMENT=goroutineleakprofile "$gobin" build -ldflags='-s -w' -o "$dir/leaked-sw" ./leaked
fi
