#!/usr/bin/env bash
# Install what building and testing inspect needs, from Debian's packages, when it
# is missing. Runs as root (apt-get); prints what it installs and nothing otherwise.
set -euo pipefail

DELVE_VERSION=v1.27.2
PANICPARSE_VERSION=v2.5.0

# python3-prometheus-client: its OpenMetrics parser checks --format openmetrics
# (tests/integration/1430-openmetrics.sh), as /usr/bin/python3 (Debian's) sees it.
# clang and its libFuzzer runtime (libclang-rt-dev ships libclang_rt.fuzzer): the
# fuzz harnesses of tests/fuzz.
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in gcc make libdw-dev libelf-dev libdebuginfod-dev libreadline-dev libjson-c-dev \
	libcmocka-dev zlib1g-dev golang-1.19-go delve jq libcap2-bin time \
	clang libclang-rt-dev python3-prometheus-client; do
	have_pkg "$pkg" || need+=("$pkg")
done
# protoc-c and libprotobuf-c: the encoder of --format pprof (src/ui/profile.proto).
for pkg in protobuf-c-compiler libprotobuf-c-dev; do
	have_pkg "$pkg" || need+=("$pkg")
done
# The tests' comparisons are Python; a machine may have one that dpkg does not know.
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing ${need[*]}; run 'sudo make deps'" >&2
		exit 1
	fi
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian's Delve (1.20) reads Go 1.19 binaries only; the tests compare with a
# current one on newer Go, built from the Go module proxy into BUILD/tools (a
# minute, once). Without it those comparisons are skipped, and say so.
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/${BUILD:-build}/tools
gobin=$("$root/tools/go-toolchains.sh" | sed -n "1s/.* //p")
if [ ! -x "$tools/dlv" ] && [ -n "$gobin" ]; then
	echo "deps: building Delve $DELVE_VERSION into $tools"
	GOBIN=$tools GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
		"$gobin" install "github.com/go-delve/delve/cmd/dlv@$DELVE_VERSION" >/dev/null 2>&1 ||
		echo "deps: could not build Delve $DELVE_VERSION (no module proxy?): its comparisons will be skipped" >&2
fi

# promtool checks --format openmetrics (1430-openmetrics.sh). Debian's prometheus
# package has it, but installing the package would start a Prometheus server: only
# promtool is taken out of the .deb into BUILD/tools (19 MB, 2 s, once). `go install
# github.com/prometheus/prometheus/cmd/promtool@v0.300.1` is refused by the go
# command (that go.mod has exclude directives). Without it those checks are skipped.
if [ ! -x "$tools/promtool" ]; then
	tmp=$(mktemp -d)
	get() { (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1); }
	if { get || { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null && get; }; } &&
		dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool; then
		mkdir -p "$tools"
		mv "$tmp/usr/bin/promtool" "$tools/promtool"
		echo "deps: took promtool out of Debian's prometheus package into $tools"
	else
		echo "deps: could not get Debian's prometheus package: the promtool checks will be skipped" >&2
	fi
	rm -rf "$tmp"
fi

# panicparse's pp reads tracebacks: tests/integration/1420-traceback.sh has it group
# inspect's --format traceback as it groups the runtime's own (seconds, once).
if [ ! -x "$tools/pp" ] && [ -n "$gobin" ]; then
	echo "deps: building panicparse's pp $PANICPARSE_VERSION into $tools"
	GOBIN=$tools GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
		"$gobin" install "github.com/maruel/panicparse/v2/cmd/pp@$PANICPARSE_VERSION" >/dev/null 2>&1 ||
		echo "deps: could not build pp $PANICPARSE_VERSION (no module proxy?): 1420-traceback will skip its pp cases" >&2
fi
