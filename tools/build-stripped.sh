#!/usr/bin/env bash
# Build fixtures as production ships them, from fixtures/go with the Go at GOBIN
# (the caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/P-sw      -ldflags='-s -w': no DWARF, no symbol table
#   DIR/P-pie-sw  the same, position-independent (not for vars: print needs DWARF,
#                 and the PIE of parked and stacks covers the relocations)
#   DIR/cgo-sw    fixtures/go/cgo with -s -w (cgo is linked externally, by gcc)
#   DIR/cgo-pie-sw  the same, position-independent: gcc merges Go's pclntab into
#                 .data.rel.ro up to Go 1.25, where inspect finds it by its magic
#   build-stripped.sh GOBIN DIR P...
set -euo pipefail

gobin=${1:?usage: build-stripped.sh GOBIN DIR PROG...}
dir=${2:?usage: build-stripped.sh GOBIN DIR PROG...}
shift 2
cd "$(dirname "$0")/../fixtures/go"
for prog in "$@"; do
	CGO_ENABLED=0 "$gobin" build -ldflags='-s -w' -o "$dir/$prog-sw" "./$prog"
	[[ $prog == vars ]] ||
		CGO_ENABLED=0 "$gobin" build -buildmode=pie -ldflags='-s -w' -o "$dir/$prog-pie-sw" "./$prog"
done
CGO_ENABLED=1 "$gobin" build -ldflags='-s -w' -o "$dir/cgo-sw" ./cgo
CGO_ENABLED=1 "$gobin" build -buildmode=pie -ldflags='-s -w' -o "$dir/cgo-pie-sw" ./cgo
