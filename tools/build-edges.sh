#!/usr/bin/env bash
# Build the fixtures of tests/integration/1140-edges.sh with the Go at GOBIN (the
# caller sets GOTOOLCHAIN and GOFLAGS) into DIR, after build-fixtures.sh built
# DIR/vars-noopt:
#   DIR/edges             fixtures/go/edges (cgo): -mode park, leader-exit, exit
#   DIR/libedges.so       fixtures/go/cshared, -buildmode=c-shared
#   DIR/libedges-sw.so    the same stripped (-ldflags='-s -w')
#   DIR/cshared-host      fixtures/c/cshared-host.c: dlopens one from its folder
#   DIR/vars-nobid        fixtures/go/vars without a GNU build-id (-B none where
#                         the linker writes one by default, as Go 1.20+ does)
#   DIR/vars-nobid.debug  its debug file; DIR/vars-nobid-linked: it stripped, with
#                         a .gnu_debuglink to vars-nobid.debug (the CRC the only check)
#   DIR/wrongcrc/         vars-nobid-linked beside a vars-nobid.debug of ANOTHER
#                         build (vars-noopt's): same name, another CRC
#   DIR/wrongbid/         vars-linked (with a build-id) beside a vars-bid.debug of
#                         vars-noopt: same name, another build-id
#   build-edges.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-edges.sh GOBIN DIR}
dir=${2:?usage: build-edges.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fixtures/go"
CGO_ENABLED=1 "$gobin" build -o "$dir/edges" ./edges
CGO_ENABLED=1 "$gobin" build -buildmode=c-shared -o "$dir/libedges.so" ./cshared
CGO_ENABLED=1 "$gobin" build -buildmode=c-shared -ldflags='-s -w' -o "$dir/libedges-sw.so" ./cshared
rm -f "$dir/libedges.h" "$dir/libedges-sw.h"
gcc -O2 -Wall -Wextra -Werror -o "$dir/cshared-host" "$root/fixtures/c/cshared-host.c" -ldl
# Go 1.19's linker writes no GNU build-id unless asked; newer ones derive one.
CGO_ENABLED=0 "$gobin" build -o "$dir/vars-nobid" ./vars
if readelf -n "$dir/vars-nobid" | grep -q NT_GNU_BUILD_ID; then
	CGO_ENABLED=0 "$gobin" build -ldflags='-B none' -o "$dir/vars-nobid" ./vars
fi
cd "$dir"
objcopy --only-keep-debug vars-nobid vars-nobid.debug
objcopy --strip-all --add-gnu-debuglink=vars-nobid.debug vars-nobid vars-nobid-linked
mkdir -p wrongcrc wrongbid
cp vars-nobid-linked wrongcrc/
objcopy --only-keep-debug vars-noopt wrongcrc/vars-nobid.debug
cp vars-linked wrongbid/
objcopy --only-keep-debug vars-noopt wrongbid/vars-bid.debug
