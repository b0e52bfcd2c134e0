#!/bin/sh
# check-abi.sh: check rjib's FreeBSD ABI (src/freebsd/abi.rs) against
# FreeBSD's own headers, for x86_64 and aarch64.
#
# The Rust side writes one C _Static_assert per fact it relies on (every
# struct size, field offset and field size, every ioctl request number,
# BRDG* command and constant, the sockaddr_in/in6, vlanreq and FreeBSD 15
# uexterror layouts, exterrctl's syscall number and constants, JAIL_DYING,
# and FreeBSD 15's bridge VLANs: struct ifbif_vlan_req (536 bytes),
# struct ifbrparam's flags and default-PVID members, ifbr_pvid and
# ifbr_vlanproto of struct ifbreq, BRDGSIFPVID to BRDGSIFVLANPROTO,
# IFBRF_*, BRDG_VLAN_OP_*, BRVLAN_SETSIZE, DOT1Q_VID_*, ETHERTYPE_VLAN);
# zig compiles that file against the FreeBSD headers it bundles. Any
# difference fails the compile and this script.
#
# zig's headers are FreeBSD 15's. FreeBSD 14 has no exterrctl (rjib checks
# kern.osreldate before using it), and its struct ifbreq differs from 15's
# only after ifbr_addrexceeded (pad[32] where 15 has ifbr_pvid), which rjib
# writes only in FreeBSD 15's VLAN commands; both are 80 bytes. FreeBSD 14
# has none of the VLAN commands or structs (rjib refuses VLANs there).
#
# Needs: cargo, python3 with ziglang (pip install ziglang).
set -eu

cd "$(dirname "$0")/.."

if ! python3 -m ziglang version >/dev/null 2>&1; then
	echo "check-abi: python3 -m ziglang does not run; install it with: pip install ziglang" >&2
	exit 1
fi

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
for t in $targets; do
	if ! python3 -m ziglang cc -target "$t" -std=c11 -Werror -c \
		-o "$work/abi-$t.o" "$work/abi.c"; then
		echo "check-abi: FAILED on $t: rjib's ABI differs from FreeBSD's headers (see above)" >&2
		exit 1
	fi
done

echo "check-abi: $n checks passed on x86_64-freebsd and aarch64-freebsd"
