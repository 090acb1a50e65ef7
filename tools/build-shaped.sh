#!/usr/bin/env bash
# Build fixtures/go/shaped with the Go at GOBIN (the caller sets GOTOOLCHAIN and
# GOFLAGS) into DIR, and rewrite its placeholder names in place (same length, so
# every offset holds) into bytes an attacker would choose: escape sequences and
# bytes that are no UTF-8, and newlines (tools/shape-names.py; the list is in
# fixtures/go/shaped/main.go). DWARF is left uncompressed so that its copies of
# the names change too.
#   DIR/shaped      with DWARF
#   DIR/shaped-sw   -ldflags='-s -w', as production ships
#   build-shaped.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-shaped.sh GOBIN DIR}
dir=${2:?usage: build-shaped.sh GOBIN DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
export CGO_ENABLED=0
cd "$root/fixtures/go"
"$gobin" build -ldflags=-compressdwarf=false -o "$dir/shaped.tmp" ./shaped
"$gobin" build -ldflags='-s -w' -o "$dir/shaped-sw.tmp" ./shaped
for b in shaped shaped-sw; do
	python3 "$root/tools/shape-names.py" "$dir/$b.tmp" \
		'OscTitleQzqzqzqz=\x1b]0;pwned\x07\x1b[2J' \
		'BadUtfQzqzqzqzqzq=bad\xff\xfe\xc0\xaf\xc2\x9bC1' \
		'qzlinkqzqzqzqzqz=\x1b]8;;http://e\x07' \
		'pkgqzqzqzqzqz=p\x1b(0\xff' \
		'NlQzqzqzqzqzqzqzqzqzqzqz=Nl\n  9  note: forged' \
		'qznlqzqzqzqzqzqz=nl\nfile'
	mv "$dir/$b.tmp" "$dir/$b"
done
