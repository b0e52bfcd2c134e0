#!/bin/sh
# freebsd-itest.sh: rjib against a real FreeBSD 14/15 kernel.
#
# As root: builds rjib (static, on FreeBSD); unloads if_epair and
# if_bridge when no such interface exists, so that rjib's first addm must
# load them itself (as ifconfig's ifmaybeload does); on FreeBSD 15 checks
# that addm takes a parent with an address with one warning while
# net.link.bridge.member_ifaddrs is 1 (15.0's default; also as the first
# addm, before if_bridge is loaded), and refuses it before changing
# anything, leaving nothing behind, at 0. Then it creates a test
# parent interface and a NAT bridge like the seed host's (an IP address, no
# physical member), runs rjib addm/show/destroy, compares names, MACs and
# bridge membership with /usr/share/examples/jails/jib when it exists,
# starts a throwaway VNET jail on the epair and pings the bridge from it,
# and runs parallel addm/destroy. On FreeBSD 15 it builds a VLAN-filtering
# trunk bridge on a tap(4) uplink with addm ... untagged/tagged, checks
# the memberships ifconfig shows, and destroys; on 14 it checks that rjib
# refuses untagged/tagged before any change. Everything it creates is removed on exit,
# also when a step fails, and the sysctl is put back; modules rjib loaded
# stay loaded. It never touches an interface or jail it did not create: it
# stops if one of its names is already taken.
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
# Autoload: a tap(4) parent without addresses, and its new bridge.
AUTO_PARENT=rjt1
AUTO_BRIDGE=rjt1bridge
AUTO_NAME=rjita
# FreeBSD 15's member-address refusal: a tap(4) parent with an address.
ADDR_PARENT=rjt2
ADDR_BRIDGE=rjt2bridge
ADDR_NAME=rjitm
ADDR_ADDR=10.213.78.1
# FreeBSD 15's VLAN-filtering bridge: a tap(4) uplink, two jails' epairs.
VLAN_PARENT=rjt3
VLAN_BRIDGE=rjt3bridge
VLAN_NAMES="rjitv rjitw"
MEMBER_IFADDRS=net.link.bridge.member_ifaddrs
JIB=/usr/share/examples/jails/jib
PARENT_MAC=58:9c:fc:0a:1b:2c

iface_exists() { ifconfig "$1" >/dev/null 2>&1; }

# Remove whatever of ours exists; ignore what does not.
cleanup() {
	status=$?
	set +e
	jail -r "$JAIL" >/dev/null 2>&1
	for n in "$NAME" $PAR_NAMES "$AUTO_NAME" "$ADDR_NAME" $VLAN_NAMES; do
		for i in 0 1 2; do
			iface_exists "e${i}a_$n" && ifconfig "e${i}a_$n" destroy
		done
	done
	iface_exists "$BRIDGE" && ifconfig "$BRIDGE" destroy
	iface_exists "$PARENT" && ifconfig "$PARENT" destroy
	iface_exists "$PEER" && ifconfig "$PEER" destroy
	for n in "$AUTO_BRIDGE" "$AUTO_PARENT" "$ADDR_BRIDGE" "$ADDR_PARENT" \
		"$VLAN_BRIDGE" "$VLAN_PARENT"; do
		iface_exists "$n" && ifconfig "$n" destroy
	done
	if [ -n "${OLD_MEMBER_IFADDRS:-}" ]; then
		sysctl "$MEMBER_IFADDRS=$OLD_MEMBER_IFADDRS" >/dev/null
	fi
	rm -rf "$WORK"
	if [ "$status" -eq 0 ]; then
		say "all checks passed"
	else
		say "failed (exit $status); test interfaces and jail removed"
	fi
	exit "$status"
}

WORK=$(mktemp -d /tmp/rjib-itest.XXXXXX)
for n in "$PARENT" "$PEER" "$BRIDGE" "e0a_$NAME" "e0b_$NAME" \
	"$AUTO_PARENT" "$AUTO_BRIDGE" "e0a_$AUTO_NAME" "e0b_$AUTO_NAME" \
	"$ADDR_PARENT" "$ADDR_BRIDGE" "e0a_$ADDR_NAME" "e0b_$ADDR_NAME" \
	"$VLAN_PARENT" "$VLAN_BRIDGE" e0a_rjitv e0b_rjitv e0a_rjitw e0b_rjitw; do
	iface_exists "$n" && { rm -rf "$WORK"; fail "interface $n exists already; not touching it"; }
done
if jls -j "$JAIL" >/dev/null 2>&1; then
	rm -rf "$WORK"
	fail "jail $JAIL exists already; not touching it"
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${RJIB:-}" ]; then
	say "building rjib"
	cargo build --release --locked
	RJIB=$PWD/target/release/rjib
fi
say "rjib: $(file -b "$RJIB")"
osreldate=$(sysctl -n kern.osreldate)
say "kernel: $(uname -r), kern.osreldate $osreldate"

members_of() { ifconfig "$1" | awk '$1 == "member:" { print $2 }' | sort; }
loaded() { kldstat -q -m "$1"; }
expect() { # expect WHAT WANT GOT
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
	say "ok: $1"
}
# A tap(4) interface named $1, with no IPv6 link-local address (so only
# the addresses this script gives it count on FreeBSD 15).
make_tap() {
	t=$(ifconfig tap create)
	ifconfig "$t" name "$1" >/dev/null
	ifconfig "$1" inet6 ifdisabled -auto_linklocal
}

# --- autoload: rjib loads if_epair and if_bridge itself ------------------------
# Unload each module when no interface of its cloner exists, instead of
# loading it by hand; when one exists (or the module is compiled in), it
# stays and rjib's modfind finds it. Not while any jail runs: a jail's
# vnet may hold epairs or bridges that this host's listing does not show,
# and unloading the module would destroy them.
unloaded=""
jails=$(jls -q jid)
for m in if_epair:epair if_bridge:bridge; do
	mod=${m%%:*}
	group=${m#*:}
	if ! loaded "$mod"; then
		unloaded="$unloaded $mod"
	elif [ -n "$jails" ]; then
		say "skipped: not unloading $mod, jails are running"
	elif [ -n "$(ifconfig -g "$group" 2>/dev/null)" ]; then
		say "skipped: not unloading $mod, $group interfaces exist"
	elif kldunload "$mod" 2>/dev/null; then
		unloaded="$unloaded $mod"
	else
		say "skipped: $mod cannot be unloaded (compiled in?)"
	fi
done
say "not loaded before rjib runs:${unloaded:- (none)}"

# --- FreeBSD 15: a parent with an address: one warning at 1, refused at 0 ------
if [ "$osreldate" -ge 1500000 ]; then
	make_tap "$ADDR_PARENT"
	ifconfig "$ADDR_PARENT" inet "$ADDR_ADDR/24" up
	# At 1, 15.0's default. When if_bridge is not loaded, rjib loads it
	# and reads the sysctl then (the first jail after boot).
	if loaded if_bridge; then
		OLD_MEMBER_IFADDRS=$(sysctl -n "$MEMBER_IFADDRS")
		sysctl "$MEMBER_IFADDRS=1" >/dev/null
	fi
	rc=0
	"$RJIB" addm "$ADDR_NAME" "$ADDR_PARENT" >"$WORK/warned.out" 2>"$WORK/warned.err" || rc=$?
	expect "addm of a parent with an address at 1 exits 0" 0 "$rc"
	expect "and prints jib's names" \
		"$(printf 'e0a_%s\ne0b_%s' "$ADDR_NAME" "$ADDR_NAME")" "$(cat "$WORK/warned.out")"
	expect "one warning on stderr" 1 "$(wc -l <"$WORK/warned.err" | tr -d ' ')"
	for want in "$ADDR_PARENT: has address $ADDR_ADDR/24" "FreeBSD 16 will refuse it" \
		"$MEMBER_IFADDRS=1" "move the address to the bridge $ADDR_BRIDGE"; do
		grep -qF "$want" "$WORK/warned.err" ||
			fail "the warning lacks [$want]: $(cat "$WORK/warned.err")"
	done
	say "ok: warned: $(cat "$WORK/warned.err")"
	expect "its bridge's members" \
		"$(printf '%s\n%s' "$ADDR_PARENT" "e0a_$ADDR_NAME" | sort)" "$(members_of "$ADDR_BRIDGE")"
	if pgrep -qx syslogd && [ -f /var/log/messages ]; then
		sleep 1
		grep -qF "rjib: $ADDR_PARENT: has address $ADDR_ADDR/24" /var/log/messages ||
			fail "the warning is not in /var/log/messages"
		say "ok: the warning is in /var/log/messages"
	else
		say "skipped: no syslogd writing /var/log/messages to look for the warning in"
	fi
	"$RJIB" destroy "$ADDR_NAME"
	ifconfig "$ADDR_BRIDGE" destroy
	# At 0: refused before any change.
	: "${OLD_MEMBER_IFADDRS:=$(sysctl -n "$MEMBER_IFADDRS")}"
	sysctl "$MEMBER_IFADDRS=0" >/dev/null
	before=$(ifconfig -l)
	rc=0
	"$RJIB" addm "$ADDR_NAME" "$ADDR_PARENT" >"$WORK/refused.out" 2>"$WORK/refused.err" || rc=$?
	expect "addm of a parent with an address at 0 exits 1" 1 "$rc"
	expect "and prints nothing on stdout" "" "$(cat "$WORK/refused.out")"
	grep -qF "$MEMBER_IFADDRS=0" "$WORK/refused.err" ||
		fail "the refusal does not name $MEMBER_IFADDRS=0: $(cat "$WORK/refused.err")"
	grep -qF "$ADDR_PARENT: has address $ADDR_ADDR/24" "$WORK/refused.err" ||
		fail "the refusal does not name $ADDR_PARENT and its address: $(cat "$WORK/refused.err")"
	say "ok: refused: $(cat "$WORK/refused.err")"
	expect "nothing left behind" "$before" "$(ifconfig -l)"
	sysctl "$MEMBER_IFADDRS=$OLD_MEMBER_IFADDRS" >/dev/null
	OLD_MEMBER_IFADDRS=
fi

# --- autoload ------------------------------------------------------------------
make_tap "$AUTO_PARENT"
out=$("$RJIB" addm "$AUTO_NAME" "$AUTO_PARENT")
expect "addm output, modules loaded by rjib" \
	"$(printf 'e0a_%s\ne0b_%s' "$AUTO_NAME" "$AUTO_NAME")" "$out"
for mod in $unloaded; do
	loaded "$mod" || fail "rjib did not load $mod"
	say "ok: rjib loaded $mod"
done
expect "the new bridge's members" \
	"$(printf '%s\n%s' "$AUTO_PARENT" "e0a_$AUTO_NAME" | sort)" "$(members_of "$AUTO_BRIDGE")"
"$RJIB" destroy "$AUTO_NAME"
iface_exists "e0a_$AUTO_NAME" && fail "e0a_$AUTO_NAME survived destroy"

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

# --- FreeBSD 15: a VLAN-filtering trunk bridge ----------------------------------
# `ifconfig BRIDGE` shows a member as "member: IF flags=..." and, on the
# line after it, "... untagged N tagged SET" (sbin/ifconfig/ifbridge.c).
vlans_of() { # vlans_of BRIDGE MEMBER
	ifconfig "$1" | awk -v m="$2" '
		$1 == "member:" { cur = $2; next }
		cur == m {
			out = ""
			for (i = 1; i < NF; i++)
				if ($i == "untagged" || $i == "tagged") out = out " " $i " " $(i + 1)
			print substr(out, 2)
			cur = ""
		}'
}
make_tap "$VLAN_PARENT"
ifconfig "$VLAN_PARENT" up
if [ "$osreldate" -lt 1500000 ]; then
	before=$(ifconfig -l)
	rc=0
	"$RJIB" addm rjitv "$VLAN_PARENT" untagged 20 >"$WORK/v.out" 2>"$WORK/v.err" || rc=$?
	expect "addm untagged on FreeBSD 14 exits 1" 1 "$rc"
	grep -q "need FreeBSD 15's VLAN-filtering bridge" "$WORK/v.err" ||
		fail "the refusal does not say why: $(cat "$WORK/v.err")"
	expect "and changes nothing" "$before" "$(ifconfig -l)"
	exit 0
fi
out=$("$RJIB" addm rjitv "$VLAN_PARENT" untagged 20 tagged 30)
expect "VLAN addm output" \
	"$(printf '%s\ne0a_rjitv\ne0b_rjitv' "$VLAN_BRIDGE")" "$out"
ifconfig "$VLAN_BRIDGE" | grep -q 'flags=.*VLANFILTER' ||
	fail "$VLAN_BRIDGE does not filter: $(ifconfig "$VLAN_BRIDGE")"
say "ok: $VLAN_BRIDGE has VLANFILTER"
expect "the uplink carries exactly the jail's VLANs" "tagged 20,30" \
	"$(vlans_of "$VLAN_BRIDGE" "$VLAN_PARENT")"
expect "the host end's VLANs" "untagged 20 tagged 30" "$(vlans_of "$VLAN_BRIDGE" e0a_rjitv)"
# A second jail in VLAN 40: rjib made the bridge, so it adds 40 to the uplink.
"$RJIB" addm rjitw "$VLAN_PARENT" untagged 40 >/dev/null
expect "the uplink gains 40" "tagged 20,30,40" "$(vlans_of "$VLAN_BRIDGE" "$VLAN_PARENT")"
expect "the second host end" "untagged 40" "$(vlans_of "$VLAN_BRIDGE" e0a_rjitw)"
expect "-n prints ifconfig's words" \
	"ifconfig $VLAN_BRIDGE +iftagged $VLAN_PARENT 50" \
	"$("$RJIB" -n addm rjitx "$VLAN_PARENT" untagged 50 | head -1)"
"$RJIB" show --libxo json rjitv | grep -q '"tagged":\[30\],"untagged":20' ||
	fail "show --libxo json: $("$RJIB" show --libxo json rjitv)"
say "ok: show --libxo json reports the VLANs"
for n in $VLAN_NAMES; do "$RJIB" destroy "$n"; done
expect "destroy leaves the uplink's VLANs" "tagged 20,30,40" "$(vlans_of "$VLAN_BRIDGE" "$VLAN_PARENT")"
expect "only the uplink is left" "$VLAN_PARENT" "$(members_of "$VLAN_BRIDGE")"
