#!/bin/sh
# freebsd-itest.sh: rjib against a real FreeBSD 14/15 kernel.
#
# As root: loads if_bridge and if_epair, builds rjib (static, on FreeBSD),
# creates a test parent interface and a NAT bridge like the seed host's
# (an IP address, no physical member), runs rjib addm/show/destroy, compares
# names, MACs and bridge membership with /usr/share/examples/jails/jib when
# it exists, starts a throwaway VNET jail on the epair and pings the bridge
# from it, and runs parallel addm/destroy. Everything it creates is removed
# on exit, also when a step fails. It never touches an interface or jail it
# did not create: it stops if one of its names is already taken.
#
# Usage: sh scripts/freebsd-itest.sh        (RJIB=/path/to/rjib to skip the build)
set -eu

say() { printf 'freebsd-itest: %s\n' "$*"; }
fail() { printf 'freebsd-itest: FAIL: %s\n' "$*" >&2; exit 1; }

if [ "$(uname -s)" != FreeBSD ]; then
	say "skipped: needs FreeBSD, this is $(uname -s)"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || fail "must run as root"

cd "$(dirname "$0")/.."

PARENT=rjt0
PEER=rjt0peer
BRIDGE=rjt0bridge
BRIDGE_ADDR=10.213.77.1
JAIL_ADDR=10.213.77.2
JAIL=rjitest
NAME=rjit
PAR_NAMES="rjitp1 rjitp2 rjitp3 rjitp4"
JIB=/usr/share/examples/jails/jib
PARENT_MAC=58:9c:fc:0a:1b:2c

iface_exists() { ifconfig "$1" >/dev/null 2>&1; }

# Remove whatever of ours exists; ignore what does not.
cleanup() {
	status=$?
	set +e
	jail -r "$JAIL" >/dev/null 2>&1
	for n in "$NAME" $PAR_NAMES; do
		for i in 0 1 2; do
			iface_exists "e${i}a_$n" && ifconfig "e${i}a_$n" destroy
		done
	done
	iface_exists "$BRIDGE" && ifconfig "$BRIDGE" destroy
	iface_exists "$PARENT" && ifconfig "$PARENT" destroy
	iface_exists "$PEER" && ifconfig "$PEER" destroy
	rm -rf "$WORK"
	if [ "$status" -eq 0 ]; then
		say "all checks passed"
	else
		say "failed (exit $status); test interfaces and jail removed"
	fi
	exit "$status"
}

WORK=$(mktemp -d /tmp/rjib-itest.XXXXXX)
for n in "$PARENT" "$PEER" "$BRIDGE" "e0a_$NAME" "e0b_$NAME"; do
	iface_exists "$n" && { rm -rf "$WORK"; fail "interface $n exists already; not touching it"; }
done
if jls -j "$JAIL" >/dev/null 2>&1; then
	rm -rf "$WORK"
	fail "jail $JAIL exists already; not touching it"
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

kldload -n if_bridge
kldload -n if_epair

if [ -z "${RJIB:-}" ]; then
	say "building rjib"
	cargo build --release --locked
	RJIB=$PWD/target/release/rjib
fi
say "rjib: $(file -b "$RJIB")"

# The parent: one end of an epair, with a known MAC (like vtnet0).
p=$(ifconfig epair create)
ifconfig "$p" name "$PARENT" >/dev/null
ifconfig "${p%a}b" name "$PEER" >/dev/null
ifconfig "$PARENT" ether "$PARENT_MAC" up
# The NAT bridge: an address, no physical member (as in the seed host).
b=$(ifconfig bridge create)
ifconfig "$b" name "$BRIDGE" >/dev/null
ifconfig "$BRIDGE" inet "$BRIDGE_ADDR/24" up

members() { ifconfig "$BRIDGE" | awk '$1 == "member:" { print $2 }'; }
mac() { ifconfig "$1" | awk '$1 == "ether" { print $2 }'; }
expect() { # expect WHAT WANT GOT
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
	say "ok: $1"
}

# --- addm / show / destroy ---------------------------------------------------
out=$("$RJIB" addm "$NAME" "$PARENT")
expect "addm output" "$(printf 'e0a_%s\ne0b_%s' "$NAME" "$NAME")" "$out"
expect "bridge membership" "e0a_$NAME" "$(members)"
rjib_a=$(mac "e0a_$NAME")
rjib_b=$(mac "e0b_$NAME")
case $rjib_a in 02:??:??:0a:1b:2c) ;; *) fail "a end MAC $rjib_a not derived from $PARENT_MAC" ;; esac
case $rjib_b in 0e:??:??:0a:1b:2c) ;; *) fail "b end MAC $rjib_b not derived from $PARENT_MAC" ;; esac
expect "show" "$NAME" "$("$RJIB" show | grep -x "$NAME")"
expect "show NAME" "e0a_$NAME" "$("$RJIB" show "$NAME")"
expect "addm again is a no-op" "" "$("$RJIB" addm "$NAME" "$PARENT")"
"$RJIB" destroy "$NAME"
iface_exists "e0a_$NAME" && fail "e0a_$NAME survived destroy"
iface_exists "e0b_$NAME" && fail "e0b_$NAME survived destroy"
expect "bridge empty after destroy" "" "$(members)"

# --- the same with jib, when this host has it ---------------------------------
if [ -f "$JIB" ]; then
	jout=$(sh "$JIB" addm "$NAME" "$PARENT")
	expect "jib and rjib print the same" "$out" "$jout"
	expect "jib and rjib derive the same a MAC" "$rjib_a" "$(mac "e0a_$NAME")"
	expect "jib and rjib derive the same b MAC" "$rjib_b" "$(mac "e0b_$NAME")"
	expect "jib's membership" "e0a_$NAME" "$(members)"
	expect "rjib show reads jib's work" "e0a_$NAME" "$("$RJIB" show "$NAME")"
	sh "$JIB" destroy "$NAME"
	iface_exists "e0a_$NAME" && fail "jib destroy left e0a_$NAME"
else
	say "skipped: $JIB not installed, no comparison with jib"
fi

# --- a VNET jail on the b end pings the bridge ---------------------------------
"$RJIB" addm "$NAME" "$PARENT" >/dev/null
jail -c name="$JAIL" path=/ vnet persist vnet.interface="e0b_$NAME"
jexec "$JAIL" ifconfig "e0b_$NAME" inet "$JAIL_ADDR/24" up
jexec "$JAIL" ping -c 3 -t 10 "$BRIDGE_ADDR" >"$WORK/ping" || {
	cat "$WORK/ping" >&2
	fail "the jail cannot ping $BRIDGE_ADDR"
}
say "ok: jail $JAIL pings $BRIDGE_ADDR over e0b_$NAME"
jail -r "$JAIL"
# The jail's interface comes back to the host when the jail's vnet goes.
i=0
while ! iface_exists "e0b_$NAME" && [ "$i" -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
"$RJIB" destroy "$NAME"
iface_exists "e0a_$NAME" && fail "e0a_$NAME survived destroy"

# --- parallel addm (jail_parallel_start) and destroy ---------------------------
for n in $PAR_NAMES; do
	"$RJIB" addm "$n" "$PARENT" >"$WORK/par.$n" 2>&1 &
done
wait
for n in $PAR_NAMES; do
	expect "parallel addm $n" "$(printf 'e0a_%s\ne0b_%s' "$n" "$n")" "$(cat "$WORK/par.$n")"
done
expect "parallel membership" 4 "$(members | wc -l | tr -d ' ')"
for n in $PAR_NAMES; do
	"$RJIB" destroy "$n" &
done
wait
expect "bridge empty after parallel destroy" "" "$(members)"
