#!/usr/bin/env bash
# Build the parked, vars and cgo fixtures with more Go releases, each fetched as a
# toolchain module through the Go module proxy (GOTOOLCHAIN=go1.N.M, about 76 MB
# and 10 s each, once): OUT/goN.M/{parked,vars,cgo}, and parked and cgo as
# production ships them (tools/build-stripped.sh: parked-sw, parked-pie-sw,
# cgo-sw, cgo-pie-sw). A release that cannot be fetched
# or built leaves OUT/goN.M.failed saying why; tests/integration/0900-versions.sh
# reads what there is. The machine's Go and Debian's Go 1.19 are build-fixtures.sh's.
set -uo pipefail

out=${1:?usage: build-matrix.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
releases=${GO_MATRIX:-"go1.20.14 go1.21.13 go1.22.12 go1.23.12 go1.24.13 go1.25.7"}
gobin=$("$root/tools/go-toolchains.sh" | sed -n "1s/.* //p")
[ -n "$gobin" ] || { echo "build-matrix: no Go toolchain to fetch others with" >&2; exit 0; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
for rel in $releases; do
	name=$(echo "$rel" | sed -E 's/^(go[0-9]+\.[0-9]+).*/\1/')
	dir=$out/$name
	[ -x "$dir/parked" ] && [ -x "$dir/vars" ] && [ -x "$dir/cgo-pie-sw" ] && continue
	mkdir -p "$dir"
	rm -f "$out/$name.failed"
	if ! (cd "$root/fixtures/go" &&
		export GOTOOLCHAIN=$rel GOFLAGS=-buildvcs=false CGO_ENABLED=0 &&
		timeout 300 "$gobin" build -o "$dir/parked" ./parked &&
		timeout 300 "$gobin" build -o "$dir/vars" ./vars &&
		CGO_ENABLED=1 timeout 300 "$gobin" build -o "$dir/cgo" ./cgo &&
		timeout 600 "$root/tools/build-stripped.sh" "$gobin" "$dir" parked) >"$dir/build.log" 2>&1; then
		echo "build-matrix: $rel: $(tail -n 1 "$dir/build.log")" | tee "$out/$name.failed" >&2
		rm -f "$dir"/*
	fi
done
# The fixtures of the runtime's words (Go 1.25+ only: bubbles), of labels and of print's
# values (tools/build-values.sh: Go 1.23 only), as build-fixtures.sh.
for rel in $releases; do
	[ -x "$out/${rel%.*}/parked" ] || continue
	(export GOTOOLCHAIN=$rel GOFLAGS=-buildvcs=false CGO_ENABLED=0 &&
		"$root/tools/build-words.sh" "$gobin" "$out/${rel%.*}") ||
		echo "build-matrix: $rel: tools/build-words.sh failed" >&2
	(export GOTOOLCHAIN=$rel GOFLAGS=-buildvcs=false &&
		"$root/tools/build-labels.sh" "$gobin" "$out/${rel%.*}") ||
		echo "build-matrix: $rel: tools/build-labels.sh failed" >&2
	# test 1200 reads Go 1.23's, the first with synchronous timer channels
	[[ $rel != go1.23.* ]] || (export GOTOOLCHAIN=$rel GOFLAGS=-buildvcs=false &&
		"$root/tools/build-values.sh" "$gobin" "$out/${rel%.*}") ||
		echo "build-matrix: $rel: tools/build-values.sh failed" >&2
done
# Patch releases without a table of their own: their stripped parked fixture reads
# through their minor's table (OUT/go1.N.M/parked-sw; go1.23.0 has a shorter
# runtime.m than the table's go1.23.12).
for rel in ${GO_PATCHES:-go1.23.0}; do
	dir=$out/$rel
	[ -x "$dir/parked-sw" ] && continue
	mkdir -p "$dir"
	rm -f "$out/$rel.failed"
	if ! (cd "$root/fixtures/go" &&
		export GOTOOLCHAIN=$rel GOFLAGS=-buildvcs=false CGO_ENABLED=0 &&
		timeout 300 "$gobin" build -ldflags='-s -w' -o "$dir/parked-sw" ./parked) >"$dir/build.log" 2>&1; then
		echo "build-matrix: $rel: $(tail -n 1 "$dir/build.log")" | tee "$out/$rel.failed" >&2
		rm -f "$dir"/*
	fi
done
exit 0
