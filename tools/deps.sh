#!/usr/bin/env bash
# Install what building and testing inspect needs, from Debian's packages, when it
# is missing. Runs as root (apt-get); prints what it installs and nothing otherwise.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in gcc make libdw-dev libelf-dev libreadline-dev libjson-c-dev \
	libcmocka-dev golang-1.19-go delve jq; do
	have_pkg "$pkg" || need+=("$pkg")
done
# The tests' comparisons are Python; a machine may have one that dpkg does not know.
command -v python3 >/dev/null || need+=(python3)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${need[*]}; run 'sudo make deps'" >&2
	exit 1
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
