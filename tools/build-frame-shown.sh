#!/usr/bin/env bash
# Build the fixtures of the frame shown and of generic names (test 1100) with the
# Go at GOBIN (the caller sets GOTOOLCHAIN and GOFLAGS) into DIR:
#   DIR/ordersvc          fixtures/go/ordersvc, a module of its own
#                         (git.example-corp.com/team/order-svc/v2), built by default
#   DIR/ordersvc-trim     the same with -trimpath, as distributions and most
#                         container builds ship: no file path tells GOROOT apart
#   DIR/ordersvc-trim-sw  the same with -ldflags='-s -w' too
#   DIR/ordersvc-gopath   the same program built in GOPATH mode (GO111MODULE=off, a
#                         GOPATH of links to its folders): no module in its build
#                         information, file paths kept
#   DIR/generics          fixtures/go/generics, and DIR/generics-sw with -s -w
#   build-frame-shown.sh GOBIN DIR
set -euo pipefail

gobin=${1:?usage: build-frame-shown.sh GOBIN DIR}
dir=${2:?usage: build-frame-shown.sh GOBIN DIR}
export CGO_ENABLED=0
cd "$(dirname "$0")/../fixtures/go"
"$gobin" build -o "$dir/generics" ./generics
"$gobin" build -ldflags='-s -w' -o "$dir/generics-sw" ./generics
cd ordersvc
"$gobin" build -o "$dir/ordersvc" .
"$gobin" build -trimpath -o "$dir/ordersvc-trim" .
"$gobin" build -trimpath -ldflags='-s -w' -o "$dir/ordersvc-trim-sw" .
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/git.example-corp.com/team/order-svc" "$gopath/src/example.org/kit"
ln -s "$PWD/.." "$gopath/src/fixtures"
ln -s "$PWD" "$gopath/src/git.example-corp.com/team/order-svc/v2"
ln -s "$PWD/kit" "$gopath/src/example.org/kit/v3"
ln -s "$PWD/localmetrics" "$gopath/src/localmetrics"
GO111MODULE=off GOPATH=$gopath "$gobin" build -o "$dir/ordersvc-gopath" \
	git.example-corp.com/team/order-svc/v2
