#!/usr/bin/env bash
# Print "NAME GOBIN" for every Go toolchain found that the fixtures are built with:
# the machine's Go and Debian's Go 1.19. NAME is goMAJOR.MINOR (go1.26).
set -uo pipefail

seen=" "
for gobin in /usr/local/go/bin/go /usr/lib/go-1.19/bin/go $(command -v go 2>/dev/null); do
	[ -x "$gobin" ] || continue
	v=$(GOTOOLCHAIN=local "$gobin" env GOVERSION 2>/dev/null) || continue
	name=$(echo "$v" | sed -E 's/^(go[0-9]+\.[0-9]+).*/\1/')
	case "$seen" in *" $name "*) continue ;; esac
	seen="$seen$name "
	echo "$name $gobin"
done
