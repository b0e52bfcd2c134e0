#!/bin/sh
# Run rjib on the simulated demo host (examples/demo-host.json: lo0, vtnet0
# and the NAT bridge vtnet0bridge, as in the README's seed setup) and show
# the result. The demo host itself is not changed: rjib works on a copy.
set -eu
cd "$(dirname "$0")/.."
cargo build --quiet
rjib=./target/debug/rjib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp examples/demo-host.json "$tmp/host.json"
RJIB_NETSIM="$tmp/host.json"
export RJIB_NETSIM
for cmd in "-n addm jamulus vtnet0" "addm jamulus vtnet0" "show" "show jamulus" "show jamulus --libxo json,pretty"; do
	echo "\$ rjib $cmd"
	# shellcheck disable=SC2086 # the words are the arguments
	$rjib $cmd
	echo
done
