//! Checking a host file before anything uses it, so that the simulation and
//! the ioctl emulator meet only hosts a FreeBSD kernel could have, and so
//! give the same answers: each refusal names the interface (or jail) and
//! the field.

use std::collections::{HashMap, HashSet};

use super::model::IF_MAXINDEX;
use super::state::{KINDS, SimIf, State, Vnet};
use crate::net::{IfAddr, Mac, VID_MAX};
use crate::util::escape_controls;

/// Longest interface or group name (IFNAMSIZ less the NUL).
const NAME_MAX: usize = 15;
/// `sdl_index` is 16 bits.
const INDEX_MAX: u32 = IF_MAXINDEX;
/// IF_MAXMTU.
const MTU_MAX: u32 = 65535;

fn field(i: &SimIf, field: &str, why: impl std::fmt::Display) -> String {
    format!("interface {}: \"{field}\": {why}", escape_controls(&i.name))
}

fn name_ok(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > NAME_MAX {
        return Err(format!(
            "is {} bytes, interface names have at most {NAME_MAX}",
            name.len()
        ));
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return Err("contains a control character".into());
    }
    Ok(())
}

/// A description the kernel can hold: `if_description` is a C string
/// (sys/net/if.c `ifhwioctl`, SIOCSIFDESCR), so no NUL inside; one with a
/// NUL could only be shown whole by the simulation. Its length has no limit
/// here: SIOCSIFDESCR takes up to `net.ifdescr_maxlen` bytes, which an
/// administrator may raise, and a description set under a raised limit
/// stays when it is lowered again.
fn description_ok(d: &str) -> Result<(), String> {
    if d.contains('\0') {
        return Err("contains a NUL byte".into());
    }
    Ok(())
}

/// An IPv6 link-local address (fe80::/10) as an interface can hold it:
/// with bits 16 to 31 clear. The kernel keeps the zone (the interface
/// index) there (netinet6/scope6.c `in6_setscope`, KAME's embedded
/// scope), so no kernel reports other bits there, and a listing through
/// the FreeBSD backend clears them; the simulation would show them.
fn zone_bits_clear(a: IfAddr) -> Result<(), String> {
    match a.ip {
        std::net::IpAddr::V6(v6)
            if v6.segments()[0] & 0xffc0 == 0xfe80 && v6.segments()[1] != 0 =>
        {
            Err(
                "a link-local address has bits 16 to 31 clear (the kernel keeps the zone there)"
                    .into(),
            )
        }
        _ => Ok(()),
    }
}

/// Check `state`; `Err` is one line.
pub fn check(state: &State) -> Result<(), String> {
    if let Some(r) = state.release
        && !(14..=16).contains(&r)
    {
        return Err(format!("\"release\": {r} is not 14, 15 or 16"));
    }
    // A name may be listed twice where all but one of its jails are
    // dying: jail(8) creates a jail while its previous run is still dying
    // (kern_jail.c refuses only a name a live prison has).
    let mut jails: HashMap<&str, u32> = HashMap::new();
    let mut live: HashSet<&str> = HashSet::new();
    let mut jids: HashSet<i32> = HashSet::new();
    for j in state.jails.iter().flatten() {
        *jails.entry(j.name.as_str()).or_default() += 1;
        if j.name.is_empty() || (!j.dying && !live.insert(j.name.as_str())) {
            return Err(format!(
                "jail {:?}: \"name\": empty, or the name of another jail that is not dying",
                j.name
            ));
        }
        if j.jid < 1 || !jids.insert(j.jid) {
            return Err(format!(
                "jail {}: \"jid\": {} is not a positive number of its own",
                escape_controls(&j.name),
                j.jid
            ));
        }
    }
    if let Some(s) = &state.sysctl {
        for (k, v) in s {
            if !v.is_i64() {
                return Err(format!("\"sysctl\": {k}: {v} is not an integer"));
            }
        }
    }
    // One namespace per vnet: the host's, and each jail's.
    let mut names: HashMap<(Option<i32>, &str), &SimIf> = HashMap::new();
    let mut indexes: HashSet<(Option<i32>, u32)> = HashSet::new();
    for i in &state.interfaces {
        name_ok(&i.name).map_err(|w| field(i, "name", w))?;
        if let Some(raw) = &i.raw_name {
            if raw.is_empty() || raw.len() > NAME_MAX || raw.contains(&0) {
                return Err(field(i, "raw_name", "is not 1 to 15 bytes without a NUL"));
            }
            if std::str::from_utf8(raw).is_ok() {
                return Err(field(i, "raw_name", "is UTF-8: give it as \"name\""));
            }
        }
        let ns = state.vnet_jid(i);
        if names.insert((ns, i.name.as_str()), i).is_some() {
            return Err(field(i, "name", "listed twice"));
        }
        if i.index == 0 || i.index > INDEX_MAX {
            return Err(field(
                i,
                "index",
                format!("{} is not in 1..{INDEX_MAX}", i.index),
            ));
        }
        if !indexes.insert((ns, i.index)) {
            return Err(field(i, "index", format!("{} is used twice", i.index)));
        }
        if let Some(k) = &i.kind
            && !KINDS.contains(&k.as_str())
        {
            return Err(field(
                i,
                "type",
                format!("{k:?} is not one of {}", KINDS.join(", ")),
            ));
        }
        match (i.cloner.as_deref(), i.kind.as_deref()) {
            (Some("bridge"), None | Some("bridge")) => {}
            (Some("epair"), None | Some("ether")) => {}
            (Some("bridge" | "epair"), Some(k)) => {
                return Err(field(
                    i,
                    "type",
                    format!("{k:?} does not go with its cloner"),
                ));
            }
            (Some(c), _) => {
                return Err(field(
                    i,
                    "cloner",
                    format!("{c:?} is not bridge, epair or null"),
                ));
            }
            (None, Some("bridge")) => {
                return Err(field(i, "type", "a bridge needs \"cloner\": \"bridge\""));
            }
            (None, _) => {}
        }
        if i.cloner.is_some() != i.unit.is_some() {
            return Err(field(
                i,
                "unit",
                "a cloned interface has a unit, others none",
            ));
        }
        if let Some(e) = &i.ether {
            e.parse::<Mac>().map_err(|x| field(i, "ether", x))?;
            if matches!(i.kind(), "loop" | "tun") {
                return Err(field(
                    i,
                    "ether",
                    "a loop or tun interface has no link address",
                ));
            }
        }
        if i.mtu == 0 || i.mtu > MTU_MAX {
            return Err(field(i, "mtu", format!("{} is not in 1..{MTU_MAX}", i.mtu)));
        }
        for g in &i.groups {
            name_ok(g).map_err(|w| field(i, "groups", format!("{g:?} {w}")))?;
        }
        for a in i.addr_list() {
            let addr = a.parse::<IfAddr>().map_err(|x| field(i, "addrs", x))?;
            zone_bits_clear(addr).map_err(|w| field(i, "addrs", format!("{a}: {w}")))?;
        }
        if let Some(d) = &i.description {
            description_ok(d).map_err(|w| field(i, "description", w))?;
        }
        if !i.is_bridge() && (i.members.is_some() || i.spans.is_some()) {
            return Err(field(i, "members", "only a bridge has members or spans"));
        }
        if !i.is_bridge() && (i.vlanfilter.is_some() || i.defpvid.is_some()) {
            return Err(field(
                i,
                "vlanfilter",
                "only a bridge has vlanfilter or defpvid",
            ));
        }
        if let Some(d) = i.defpvid
            && d > VID_MAX
        {
            return Err(field(i, "defpvid", format!("{d} is not in 0..{VID_MAX}")));
        }
        if let Some(p) = i.pvid
            && p > VID_MAX
        {
            return Err(field(i, "pvid", format!("{p} is not in 0..{VID_MAX}")));
        }
        let tagged = i.tagged_list();
        if tagged.iter().any(|&v| !(1..=VID_MAX).contains(&v))
            || tagged.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(field(
                i,
                "tagged",
                format!("VIDs from 1 to {VID_MAX}, ascending, each once"),
            ));
        }
        if i.has_vlan_state() && state.release.unwrap_or(14) < 15 {
            return Err(field(
                i,
                "vlanfilter",
                "VLAN filtering (vlanfilter, defpvid, pvid, tagged) is FreeBSD 15's; set \"release\": 15",
            ));
        }
        if i.vlan_parent.is_some() && i.kind() != "l2vlan" {
            return Err(field(i, "vlan_parent", "only an l2vlan has one"));
        }
        match &i.vnet {
            Some(Vnet::Name(v)) if !jails.contains_key(v.as_str()) => {
                return Err(field(i, "vnet", format!("no jail {v:?} in \"jails\"")));
            }
            Some(Vnet::Name(v)) if jails[v.as_str()] > 1 => {
                return Err(field(
                    i,
                    "vnet",
                    format!("{v:?} names more than one jail; give the jid"),
                ));
            }
            Some(Vnet::Jid(j)) if !jids.contains(j) => {
                return Err(field(
                    i,
                    "vnet",
                    format!("no jail with jid {j} in \"jails\""),
                ));
            }
            _ => {}
        }
        if i.is_epair() != i.peer.is_some() {
            return Err(field(i, "peer", "an epair end has a peer, others none"));
        }
    }
    // References between interfaces: peers are mutual epair ends of one
    // unit; members, spans and vlan parents are interfaces on the same
    // side (host or vnet), each port in at most one bridge.
    // A member is in one bridge; a span port is a span of one bridge, and
    // may be a member of another (bridge_ioctl_add checks only this
    // bridge's spans).
    let mut member_of: HashMap<(Option<i32>, &str), &str> = HashMap::new();
    let mut span_of: HashMap<(Option<i32>, &str), &str> = HashMap::new();
    // Bridge members, which alone may have a `pvid` or `tagged`.
    let mut vlan_members: HashSet<(Option<i32>, &str)> = HashSet::new();
    // A peer may be in any vnet: the interfaces of each name, wherever
    // they are (one per vnet), so that finding it is not a scan.
    let mut anywhere: HashMap<&str, Vec<&SimIf>> = HashMap::new();
    for i in &state.interfaces {
        anywhere.entry(i.name.as_str()).or_default().push(i);
    }
    for i in &state.interfaces {
        let ns = state.vnet_jid(i);
        if let Some(p) = &i.peer {
            let mutual = anywhere.get(p.as_str()).into_iter().flatten().any(|o| {
                o.is_epair()
                    && o.unit == i.unit
                    && o.peer.as_deref() == Some(i.name.as_str())
                    && !std::ptr::eq(*o, i)
            });
            if !mutual {
                return Err(field(
                    i,
                    "peer",
                    format!("{:?} is not the other end of this epair", p),
                ));
            }
        }
        for (what, list, seen) in [
            ("members", i.member_list(), &mut member_of),
            ("spans", i.span_list(), &mut span_of),
        ] {
            for m in list {
                if m == &i.name || !names.contains_key(&(ns, m.as_str())) {
                    return Err(field(i, what, format!("{:?} is not an interface here", m)));
                }
                if seen.insert((ns, m.as_str()), &i.name).is_some() {
                    return Err(field(i, what, format!("{:?} is in two bridges' {what}", m)));
                }
            }
        }
        if i.member_list().iter().any(|m| i.span_list().contains(m)) {
            return Err(field(
                i,
                "spans",
                "a port is a member or a span port, not both",
            ));
        }
        for m in i.member_list() {
            if let Some(member) = names.get(&(ns, m.as_str())) {
                vlan_members.insert((ns, member.name.as_str()));
            }
        }
        if let Some(p) = &i.vlan_parent
            && !names.contains_key(&(ns, p.as_str()))
        {
            return Err(field(
                i,
                "vlan_parent",
                format!("{:?} is not an interface here", p),
            ));
        }
    }
    for i in &state.interfaces {
        let on_member = i.pvid.is_some() || i.tagged.is_some();
        if on_member && !vlan_members.contains(&(state.vnet_jid(i), i.name.as_str())) {
            return Err(field(
                i,
                "pvid",
                "only a bridge member (not a span port) has pvid or tagged",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(ifs: serde_json::Value) -> State {
        serde_json::from_value(
            json!({"version": 2, "jails": [{"name": "j", "jid": 1}], "interfaces": ifs}),
        )
        .unwrap()
    }

    fn ether(name: &str, index: u32) -> serde_json::Value {
        json!({"name": name, "index": index, "ether": "58:9c:fc:0a:1b:2c", "mtu": 1500, "up": true})
    }

    fn refused(ifs: serde_json::Value, needle: &str) {
        let e = check(&state(ifs)).unwrap_err();
        assert!(e.contains(needle), "{e:?} should contain {needle:?}");
    }

    /// A dying jail and a running one may share a name (a restart while
    /// the previous run is dying); two running ones may not, and a vnet
    /// named by a shared name must be given by jid.
    #[test]
    fn jails_of_one_name() {
        let host = |jails: serde_json::Value, vnet: serde_json::Value| -> State {
            serde_json::from_value(json!({"version": 2, "jails": jails,
                "interfaces": [ether("em0", 1),
                    {"name": "x0", "index": 2, "mtu": 1500, "up": true, "vnet": vnet}]}))
            .unwrap()
        };
        let both = json!([{"name": "x", "jid": 4, "dying": true}, {"name": "x", "jid": 5}]);
        check(&host(both.clone(), json!(5))).unwrap();
        check(&host(both.clone(), json!(4))).unwrap();
        let e = check(&host(both.clone(), json!("x"))).unwrap_err();
        assert!(
            e.contains("\"x\" names more than one jail; give the jid"),
            "{e}"
        );
        let e = check(&host(both, json!(6))).unwrap_err();
        assert!(e.contains("no jail with jid 6"), "{e}");
        let e = check(&host(
            json!([{"name": "x", "jid": 4}, {"name": "x", "jid": 5}]),
            json!(4),
        ))
        .unwrap_err();
        assert!(
            e.contains("the name of another jail that is not dying"),
            "{e}"
        );
    }

    #[test]
    fn raw_names_are_what_a_name_cannot_be() {
        let with_raw = |raw: serde_json::Value| {
            let mut e = ether("x", 1);
            e["raw_name"] = raw;
            check(&state(json!([e])))
        };
        with_raw(json!([255, 255])).unwrap();
        for (raw, why) in [
            (json!([]), "is not 1 to 15 bytes"),
            (json!(vec![255; 16]), "is not 1 to 15 bytes"),
            (json!([255, 0]), "without a NUL"),
            (json!([104, 105]), "is UTF-8"),
        ] {
            let e = with_raw(raw).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn accepts_a_plain_host() {
        check(&state(json!([ether("em0", 1), ether("em1", 2)]))).unwrap();
    }

    #[test]
    fn refuses_what_no_kernel_has() {
        // A value quoted in the message is escaped once, not twice.
        refused(
            json!([{"name": "br0", "index": 1, "cloner": "bridge", "unit": 0,
                    "members": ["a\nb"], "mtu": 1500, "up": true}]),
            "interface br0: \"members\": \"a\\nb\" is not an interface here",
        );
        refused(
            json!([ether("averyveryverylong0", 1)]),
            "interface averyveryverylong0: \"name\": is 18 bytes",
        );
        refused(
            json!([ether("em0", 4294967295u32)]),
            "\"index\": 4294967295 is not in 1..65535",
        );
        refused(json!([ether("em0", 70000)]), "interface em0: \"index\"");
        refused(
            json!([ether("em0", 1), ether("em1", 1)]),
            "interface em1: \"index\": 1 is used twice",
        );
        refused(
            json!([ether("em0", 1), ether("em0", 2)]),
            "\"name\": listed twice",
        );
        refused(
            json!([{"name": "em0", "index": 1, "ether": "zz:zz", "mtu": 1500, "up": true}]),
            "interface em0: \"ether\"",
        );
        refused(
            json!([{"name": "br", "index": 1, "type": "bridge", "mtu": 1500, "up": true}]),
            "needs \"cloner\": \"bridge\"",
        );
        refused(
            json!([{"name": "x", "index": 1, "type": "wifi", "mtu": 1500, "up": true}]),
            "\"type\": \"wifi\"",
        );
        refused(
            json!([{"name": "a\nb", "index": 1, "mtu": 1500, "up": true}]),
            "interface a\\nb: \"name\": contains a control",
        );
        refused(
            json!([{"name": "e0a_x", "index": 1, "cloner": "epair", "unit": 0, "peer": "em0", "mtu": 1500, "up": true}, ether("em0", 2)]),
            "interface e0a_x: \"peer\": \"em0\" is not the other end",
        );
        refused(
            json!([{"name": "br0", "index": 1, "cloner": "bridge", "unit": 0, "members": ["averyveryverylo"], "mtu": 1500, "up": true}]),
            "interface br0: \"members\": \"averyveryverylo\" is not an interface here",
        );
        refused(
            json!([ether("em0", 1), {"name": "x", "index": 2, "vnet": "nojail", "mtu": 1500, "up": true}]),
            "\"vnet\": no jail",
        );
        refused(
            json!([{"name": "em0", "index": 1, "addrs": ["10.0.0.1"], "mtu": 1500, "up": true}]),
            "interface em0: \"addrs\"",
        );
        refused(
            json!([{"name": "em0", "index": 1, "groups": ["averyveryverylong"], "mtu": 1500, "up": true}]),
            "\"groups\"",
        );
    }

    /// Found by tests/property.rs: the simulation showed a description
    /// SIOCGIFDESCR cannot return (a NUL inside), the emulator none. Long
    /// ones are fine: an administrator may raise `net.ifdescr_maxlen`, and
    /// the FreeBSD backend asks the kernel for the length it needs.
    #[test]
    fn descriptions_fit_the_kernels_buffer() {
        let described = |d: &str| json!([{"name": "em0", "index": 1, "mtu": 1500, "up": true, "description": d}]);
        check(&state(described(&"d".repeat(1023)))).unwrap();
        check(&state(described(&"d".repeat(5000)))).unwrap();
        check(&state(described("line\nbreak"))).unwrap();
        refused(
            described("nul\0inside"),
            "interface em0: \"description\": contains a NUL byte",
        );
    }

    /// Found by tests/property.rs: `fe80:1::1` was shown as it is by the
    /// simulation and as `fe80::1` through the FreeBSD backend, which
    /// clears the zone the kernel embeds.
    #[test]
    fn link_local_addresses_have_no_zone_bits() {
        let addrs =
            |a: &[&str]| json!([{"name": "em0", "index": 1, "mtu": 1500, "up": true, "addrs": a}]);
        check(&state(addrs(&[
            "fe80::1/64",
            "2001:db8:1::1/64",
            "fe80::a8bb:ccff:fedd:eeff/64",
        ])))
        .unwrap();
        for bad in ["fe80:1::1/64", "febf:ffff::1/10"] {
            refused(
                addrs(&[bad]),
                &format!(
                    "interface em0: \"addrs\": {bad}: a link-local address has bits 16 to 31 clear"
                ),
            );
        }
    }

    /// Version 3's VLAN fields, where a FreeBSD 15 kernel can have them.
    #[test]
    fn vlan_state_only_where_a_kernel_has_it() {
        let on = |release: u32, ifs: serde_json::Value| {
            let v = json!({"version": 3, "release": release, "interfaces": ifs});
            check(&serde_json::from_value(v).unwrap())
        };
        let br = |extra: serde_json::Value| {
            let mut b = json!({"name": "br0", "index": 3, "cloner": "bridge", "unit": 0,
                               "members": ["em0"], "spans": ["em1"], "mtu": 1500, "up": true});
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let em = |name: &str, index: u32, extra: serde_json::Value| {
            let mut e = ether(name, index);
            for (k, v) in extra.as_object().unwrap() {
                e[k] = v.clone();
            }
            e
        };
        let good = json!([
            em("em0", 1, json!({"pvid": 20, "tagged": [10, 30]})),
            em("em1", 2, json!({})),
            br(json!({"vlanfilter": true, "defpvid": 4094}))
        ]);
        on(15, good.clone()).unwrap();
        let e = on(14, good).unwrap_err();
        assert!(e.contains("is FreeBSD 15's"), "{e}");
        for (ifs, needle) in [
            (
                json!([
                    em("em0", 1, json!({"vlanfilter": true})),
                    em("em1", 2, json!({})),
                    br(json!({}))
                ]),
                "interface em0: \"vlanfilter\": only a bridge",
            ),
            (
                json!([
                    em("em0", 1, json!({})),
                    em("em1", 2, json!({"pvid": 5})),
                    br(json!({}))
                ]),
                "interface em1: \"pvid\": only a bridge member (not a span port)",
            ),
            (
                json!([
                    em("em0", 1, json!({"tagged": [30, 10]})),
                    em("em1", 2, json!({})),
                    br(json!({}))
                ]),
                "interface em0: \"tagged\": VIDs from 1 to 4094, ascending",
            ),
            (
                json!([
                    em("em0", 1, json!({"tagged": [0]})),
                    em("em1", 2, json!({})),
                    br(json!({}))
                ]),
                "\"tagged\"",
            ),
            (
                json!([
                    em("em0", 1, json!({"pvid": 4095})),
                    em("em1", 2, json!({})),
                    br(json!({}))
                ]),
                "interface em0: \"pvid\": 4095 is not in 0..4094",
            ),
            (
                json!([
                    em("em0", 1, json!({})),
                    em("em1", 2, json!({})),
                    br(json!({"defpvid": 5000}))
                ]),
                "interface br0: \"defpvid\": 5000",
            ),
        ] {
            let e = on(15, ifs).unwrap_err();
            assert!(e.contains(needle), "{e:?} should contain {needle:?}");
        }
    }

    #[test]
    fn a_null_member_list_is_an_empty_one() {
        check(&state(json!([{"name": "br0", "index": 1, "cloner": "bridge", "unit": 0, "members": null, "mtu": 1500, "up": true}]))).unwrap();
    }

    #[test]
    fn names_are_per_vnet() {
        check(&state(json!([
            {"name": "e0a_j", "index": 1, "cloner": "epair", "unit": 0, "peer": "e0b_j", "mtu": 1500, "up": true},
            {"name": "e0b_j", "index": 2, "cloner": "epair", "unit": 0, "peer": "e0a_j", "mtu": 1500, "up": true, "vnet": "j"},
            {"name": "e0b_j", "index": 3, "mtu": 1500, "up": true}
        ])))
        .unwrap();
    }
}
