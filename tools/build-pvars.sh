#!/usr/bin/env bash
# Build the fixture of names in print (test 1210) with the Go at GOBIN (the
# caller sets GOTOOLCHAIN and GOFLAGS) into DIR: fixtures/go/pvars, a module of
# its own (github.com/example/some-svc/v2), with server.gitCommit set by
# -ldflags -X as release builds stamp it:
#   DIR/pvars        as built by default (optimized)
#   DIR/pvars-trim   the same with -trimpath
#   DIR/pvars-noopt  the module's packages with -N -l, as a debugger's user
#                    builds them: the parked frames' arguments have locations
#   build-pvars.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-pvars.sh GOBIN DIR}
dir=${2:?usage: build-pvars.sh GOBIN DIR}
mod=github.com/example/some-svc/v2
stamp="-X $mod/server.gitCommit=a1b2c3d"
export CGO_ENABLED=0
cd "$(dirname "$0")/../fixtures/go/pvars"
"$gobin" build -ldflags="$stamp" -o "$dir/pvars" .
"$gobin" build -trimpath -ldflags="$stamp" -o "$dir/pvars-trim" .
"$gobin" build -gcflags="$mod/...=-N -l" -ldflags="$stamp" -o "$dir/pvars-noopt" .
