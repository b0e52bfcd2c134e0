#!/bin/sh
# check-abi.sh: check rjib's FreeBSD ABI (src/freebsd/abi.rs) against
# FreeBSD's own headers: FreeBSD 14.3's and FreeBSD 15's, for x86_64 and
# aarch64 each.
#
# The Rust side writes one C _Static_assert per fact it relies on (every
# struct size, field offset and field size, every ioctl request number,
# BRDG* command and constant, the sockaddr_in/in6 and vlanreq layouts,
# JAIL_DYING, and for FreeBSD 15 only the uexterror layout, exterrctl's
# syscall number and constants, and the bridge's VLANs: struct
# ifbif_vlan_req (536 bytes), struct ifbrparam's flags and default-PVID
# members, ifbr_pvid and ifbr_vlanproto of struct ifbreq, BRDGSIFPVID to
# BRDGSIFVLANPROTO, IFBRF_*, BRDG_VLAN_OP_*, BRVLAN_SETSIZE, DOT1Q_VID_*);
# zig compiles that file against the FreeBSD headers it bundles, with
# -DRJIB_FREEBSD=14 or 15. Any difference fails the compile and this
# script.
#
# zig bundles the headers of the newest FreeBSD it targets, which depends
# on its version (lib/std/Target.zig, the FreeBSD semver max):
#   ziglang 0.15.2 (PyPI) -> FreeBSD 14.3 headers
#   ziglang 0.17.1 (PyPI) -> FreeBSD 15.1 headers
# Each is installed, pinned, into its own directory with
# `pip install --target` (RJIB_ZIG14_DIR, RJIB_ZIG15_DIR; by default under
# ${XDG_CACHE_HOME:-$HOME/.cache}/rjib), unless already there.
#
# Needs: cargo, python3 with pip.
set -eu

cd "$(dirname "$0")/.."

ZIG14_VERSION=0.15.2
ZIG15_VERSION=0.17.1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rjib
ZIG14_DIR=${RJIB_ZIG14_DIR:-$cache/ziglang-$ZIG14_VERSION}
ZIG15_DIR=${RJIB_ZIG15_DIR:-$cache/ziglang-$ZIG15_VERSION}

# zig DIR ARGS...: the ziglang installed in DIR.
zig() {
	d=$1
	shift
	PYTHONPATH="$d${PYTHONPATH:+:$PYTHONPATH}" python3 -m ziglang "$@"
}

# install DIR VERSION: ziglang VERSION into DIR, unless it is there.
install() {
	if [ -d "$1/ziglang" ] && [ "$(zig "$1" version 2>/dev/null)" = "$2" ]; then
		return 0
	fi
	echo "check-abi: installing ziglang $2 into $1"
	python3 -m pip install --quiet --disable-pip-version-check --upgrade \
		--target "$1" "ziglang==$2" || {
		echo "check-abi: could not install ziglang $2 (pip install --target $1 ziglang==$2)" >&2
		exit 1
	}
}

install "$ZIG14_DIR" "$ZIG14_VERSION"
install "$ZIG15_DIR" "$ZIG15_VERSION"

work=$(mktemp -d "${TMPDIR:-/tmp}/rjib-check-abi.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

RJIB_ABI_C="$work/abi.c" cargo test --quiet --lib -- --ignored --exact \
	freebsd::abicheck::tests::write_c_checks >"$work/gen.log" 2>&1 || {
	cat "$work/gen.log" >&2
	echo "check-abi: could not generate the C checks" >&2
	exit 1
}
n=$(grep -c '^_Static_assert(' "$work/abi.c")
if [ "$n" -eq 0 ]; then
	echo "check-abi: no checks were generated" >&2
	exit 1
fi

targets="x86_64-freebsd-none aarch64-freebsd-none"
for release in 14 15; do
	if [ "$release" = 14 ]; then dir=$ZIG14_DIR; else dir=$ZIG15_DIR; fi
	for t in $targets; do
		if ! zig "$dir" cc -target "$t" -std=c11 -Werror -DRJIB_FREEBSD="$release" \
			-c -o "$work/abi-$release-$t.o" "$work/abi.c"; then
			echo "check-abi: FAILED on $t with FreeBSD $release's headers (zig $(zig "$dir" version)): rjib's ABI differs (see above)" >&2
			exit 1
		fi
	done
	echo "check-abi: FreeBSD $release headers (zig $(zig "$dir" version)): passed on x86_64 and aarch64"
done
echo "check-abi: $n checks passed"
