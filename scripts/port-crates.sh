#!/bin/sh
#
# Regenerate the port's Makefile.crates from Cargo.lock, in the format
# `make cargo-crates` prints (Mk/Scripts/cargo-crates.awk in the ports
# tree): every crates.io package in Cargo.lock order as name-version, the
# first after "CARGO_CRATES=<tab>", the rest after two tabs, each line but
# the last ending in " \".  The root package (no source) is left out.
#
# Usage: scripts/port-crates.sh [--in-place | --check] [Cargo.lock]
#   (no option)   print the list on standard output
#   --in-place    rewrite scripts/port/sysutils/rjib/Makefile.crates
#   --check       exit 1, printing a diff, when the committed file differs
#
# POSIX sh and awk only, so it runs on FreeBSD and in CI alike.

set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
crates_file="$root/scripts/port/sysutils/rjib/Makefile.crates"
mode=print

case "${1:-}" in
--in-place|-i) mode=in-place; shift ;;
--check) mode=check; shift ;;
-h|--help)
	sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
-*) echo "port-crates.sh: unknown option $1 (use --in-place or --check)" >&2; exit 2 ;;
esac
lock=${1:-$root/Cargo.lock}
[ $# -le 1 ] || { echo "port-crates.sh: too many arguments" >&2; exit 2; }
[ -r "$lock" ] || { echo "port-crates.sh: $lock: cannot read" >&2; exit 2; }

generate() {
	awk '
	function flush() {
		if (name != "") {
			if (source == "registry+https://github.com/rust-lang/crates.io-index") {
				crates[n++] = name "-" version
			} else if (source != "") {
				# cargo-crates.awk turns git sources into GH_TUPLE lines;
				# rjib has none, so say so instead of guessing.
				printf "port-crates.sh: %s-%s comes from %s, not crates.io; add it to the port by hand\n", name, version, source > "/dev/stderr"
				bad = 1
			}
		}
		name = version = source = ""
	}
	function value(s) {
		sub(/^[a-z]+ = "/, "", s)
		sub(/"[ \t]*$/, "", s)
		return s
	}
	/^\[\[package\]\][ \t]*$/ { flush(); inpkg = 1; next }
	/^\[/ { flush(); inpkg = 0; next }
	inpkg && /^name = "/ { name = value($0) }
	inpkg && /^version = "/ { version = value($0) }
	inpkg && /^source = "/ { source = value($0) }
	END {
		flush()
		if (bad) exit 1
		start = "CARGO_CRATES="
		for (i = 0; i < n; i++) {
			printf "%s\t%s%s\n", start, crates[i], (i == n - 1 ? "" : " \\")
			start = "\t"
		}
	}
	' "$lock"
}

case $mode in
print)
	generate ;;
in-place)
	tmp="$crates_file.tmp.$$"
	trap 'rm -f "$tmp"' EXIT
	generate > "$tmp"
	mv "$tmp" "$crates_file"
	trap - EXIT ;;
check)
	tmp=${TMPDIR:-/tmp}/port-crates.$$
	trap 'rm -f "$tmp"' EXIT
	generate > "$tmp"
	if ! cmp -s "$tmp" "$crates_file"; then
		echo "port-crates.sh: $crates_file does not match $lock;" \
		    "run: sh scripts/port-crates.sh --in-place" >&2
		diff -u "$crates_file" "$tmp" >&2 || true
		exit 1
	fi ;;
esac
