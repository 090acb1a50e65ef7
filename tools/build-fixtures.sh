#!/usr/bin/env bash
# Build the Go fixtures, one module (fixtures/go; the programs share the package
# fixtures/go/harness), with every Go toolchain found (tools/go-toolchains.sh):
#   OUT/<goX.Y>/parked          fixtures/go/parked, as built by default
#   OUT/<goX.Y>/parked-pie      the same as a position-independent executable
#   OUT/<goX.Y>/parked-nodwarf  the same with -ldflags=-w (no DWARF), for error tests
#   OUT/<goX.Y>/stacks          fixtures/go/stacks: deep, inlined, closures, syscall, parents
#   OUT/<goX.Y>/cgo             fixtures/go/cgo, built with CGO_ENABLED=1 (needs gcc)
#   OUT/<goX.Y>/vars            fixtures/go/vars: variables of every kind, for print,
#                               optimized as shipped (some are <optimized out>)
#   OUT/<goX.Y>/vars-noopt      the same with -gcflags=-N -l (main unoptimized, as a
#                               debugger's user builds it): every variable has a value
#   OUT/<goX.Y>/vars-bid        fixtures/go/vars with a GNU build-id (-B), and from it:
#   OUT/<goX.Y>/vars-bid.debug  its separate debug file (objcopy --only-keep-debug)
#   OUT/<goX.Y>/vars-stripped   it stripped of DWARF and symbols (strip, as distributions do)
#   OUT/<goX.Y>/vars-linked     the same with a .gnu_debuglink to vars-bid.debug beside it
#   OUT/<goX.Y>/hello           tests/unit/go/testdata/hello, for the pclntab unit test
#   OUT/<goX.Y>/edges, ...      for tests/integration/1140-edges.sh: tools/build-edges.sh
#   OUT/<goX.Y>/pvars, ...      for tests/integration/1210-print-names.sh and the unit test
#                               tests/unit/go/gpkg-test.c: tools/build-pvars.sh
# and as production ships them, for tests/integration/1000-stripped.sh:
#   OUT/<goX.Y>/P-sw            P in parked, stacks, vars: -ldflags='-s -w' (no DWARF,
#                               no symbols)
#   OUT/<goX.Y>/P-pie-sw        P in parked, stacks: the same, position-independent
#   OUT/<goX.Y>/cgo-sw          cgo (linked by the system's linker, as every program
#                               with C code is) with -s -w
# and, where the Go is new enough, tools/build-words.sh's bubbles and leaked;
# and for tests/integration/1100-frame-shown.sh (tools/build-frame-shown.sh):
#   OUT/<goX.Y>/ordersvc[-trim[-sw]]  fixtures/go/ordersvc, a module of its own, as
#                               built by default, with -trimpath, and -s -w too;
#   OUT/<goX.Y>/ordersvc-gopath  the same in GOPATH mode
#   OUT/<goX.Y>/generics[-sw]   fixtures/go/generics, and with -s -w
# and for tests/integration/1300-privilege-output.sh (tools/build-shaped.sh):
#   OUT/<goX.Y>/shaped[-sw]     fixtures/go/shaped with names rewritten into escape
#                               sequences and bytes that are no UTF-8
# and for tests/integration/1200-values-generic-timer.sh (tools/build-values.sh):
#   OUT/<goX.Y>/generics-noopt, timers[-sw], timers-async
# and for tests/integration/1310-hostile-sizes.sh (tools/build-hostile.sh):
#   OUT/<goX.Y>/hostile
# and for tests/integration/1400-labels.sh (tools/build-labels.sh):
#   OUT/<goX.Y>/labels[-sw]    fixtures/go/labels, and with -s -w
# and for tests/integration/1320-signals.sh and `make soak`: tools/build-soak.sh
# and for tests/integration/1450-diff-watch.sh (tools/build-leaksvc.sh):
#   OUT/<goX.Y>/leaksvc[-sw]   fixtures/go/leaksvc, and with -s -w
# and for tests/integration/1440-json-ages.sh (tools/build-ages.sh): OUT/<goX.Y>/ages[-sw]
set -euo pipefail

out=${1:?usage: build-fixtures.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
toolchains=$("$root/tools/go-toolchains.sh")
[ -n "$toolchains" ] || { echo "build-fixtures: no Go toolchain found" >&2; exit 1; }
while read -r name gobin; do
	mkdir -p "$out/$name"
	export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
	(cd "$root/fixtures/go" && "$gobin" build -o "$out/$name/parked" ./parked &&
		"$gobin" build -buildmode=pie -o "$out/$name/parked-pie" ./parked &&
		"$gobin" build -ldflags=-w -o "$out/$name/parked-nodwarf" ./parked &&
		"$gobin" build -o "$out/$name/stacks" ./stacks &&
		"$gobin" build -o "$out/$name/vars" ./vars &&
		"$gobin" build -gcflags='-N -l' -o "$out/$name/vars-noopt" ./vars &&
		"$gobin" build -ldflags="-B 0x$(printf '%s' "$name" | sha1sum | cut -c1-40)" \
			-o "$out/$name/vars-bid" ./vars &&
		CGO_ENABLED=1 "$gobin" build -o "$out/$name/cgo" ./cgo &&
		"$root/tools/build-stripped.sh" "$gobin" "$out/$name" parked stacks vars &&
		"$root/tools/build-words.sh" "$gobin" "$out/$name" &&
		"$root/tools/build-frame-shown.sh" "$gobin" "$out/$name" &&
		"$root/tools/build-frames.sh" "$gobin" "$out/$name" &&
		"$root/tools/build-pvars.sh" "$gobin" "$out/$name" &&
		"$root/tools/build-shaped.sh" "$gobin" "$out/$name" &&
		"$root/tools/build-labels.sh" "$gobin" "$out/$name")
	(cd "$out/$name" && objcopy --only-keep-debug vars-bid vars-bid.debug &&
		objcopy --strip-all vars-bid vars-stripped &&
		objcopy --strip-all --add-gnu-debuglink=vars-bid.debug vars-bid vars-linked)
	(cd "$root/tests/unit/go/testdata/hello" && "$gobin" build -o "$out/$name/hello" .)
	"$root/tools/build-edges.sh" "$gobin" "$out/$name"
	"$root/tools/build-values.sh" "$gobin" "$out/$name"
	"$root/tools/build-hostile.sh" "$gobin" "$out/$name"
	"$root/tools/build-soak.sh" "$gobin" "$out/$name"
	"$root/tools/build-leaksvc.sh" "$gobin" "$out/$name"
	"$root/tools/build-ages.sh" "$gobin" "$out/$name"
done <<<"$toolchains"
