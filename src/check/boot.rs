//! The interfaces the jails will find at boot: the host's, as rc.conf
//! renames them and adds to them before rc.d/jail runs (rc.d/netif:
//! `ifnet_rename`, `clone_up`, `childif_create`, `ifconfig_up`).
//!
//! What rc.conf creates, and which variables say so:
//! - `cloned_interfaces`, `gif_interfaces`: one interface per word (an
//!   `epairN` is its two ends `epairNa` and `epairNb`); the type comes from
//!   the cloner's name (`bridge3` is a bridge, `vlan5` a vlan, `lagg0` and
//!   `tap0` Ethernet, `tun0`, `lo1`, `wg0` cannot join a bridge);
//! - `vlans_IF` (`5` is `IF.5`; any other word names the vlan) and
//!   `wlans_IF`: children of IF;
//! - `ifconfig_IF_name`: renames IF, whether on the host or created above.
//!
//! What rc.conf configures on an interface, from `ifconfig_IF` (or
//! `ifconfig_DEFAULT` when that is unset), `ifconfig_IF_ipv6`,
//! `ipv6_ifconfig_IF`, `ifconfig_IF_aliasN` (from 0, until one is
//! missing), `ifconfig_IF_aliases` and `ipv4_addrs_IF`: `inet` and `inet6`
//! addresses, `DHCP` / `SYNCDHCP` / `NOSYNCDHCP` and `inet6 accept_rtadv`
//! (an address only known at boot), `addm` (bridge members), `vlandev`
//! (a cloned vlan's parent), `laggport` (a lagg's first port gives it its
//! MAC address).
//!
//! MAC addresses: a vlan or wlan has its parent's, a lagg its first port's;
//! anything else rc.conf creates has none that can be known in advance.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;

use super::rcconf::{Assignment, RcConf, var_part};
use crate::jailconf::Loc;
use crate::net::{IfAddr, IfName, Interface, LinkType, Mac, PortVlans, Vid, VlanSet};

/// Where an interface at boot comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// On the host now (perhaps renamed by rc.conf at boot).
    Host,
    /// Created at boot by the rc.conf variable `var`, assigned at `loc`.
    Boot { var: String, loc: Loc },
    /// A bridge an earlier jail's addm creates.
    Jail { jail: String },
}

#[derive(Clone, Debug)]
pub struct BootIf {
    pub iface: Interface,
    pub source: Source,
    /// The interface whose MAC address this one takes (vlan, wlan, lagg).
    mac_from: Option<String>,
    /// A bridge's VLAN state at boot, when rc.conf or a jail's addm makes
    /// it (`None`: the host's, as it is now).
    pub vlan: Option<BootVlan>,
}

/// A bridge's VLAN state at boot (FreeBSD 15).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BootVlan {
    pub filtering: bool,
    pub defpvid: Option<Vid>,
    /// Its members' VLANs, by member name.
    pub ports: HashMap<String, PortVlans>,
    /// The parent, when rjib creates the bridge (so its description says
    /// it is rjib's).
    pub rjib_parent: Option<IfName>,
}

/// How rc.conf configures an interface at boot: an address that only DHCP
/// or router advertisements give, as `VAR="VALUE"` and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dynamic {
    pub setting: String,
    pub loc: Loc,
}

/// The interfaces at boot, by name.
#[derive(Clone, Debug, Default)]
pub struct Boot {
    ifs: HashMap<String, BootIf>,
    /// Member → its bridge.
    member_of: HashMap<String, String>,
    /// The addresses rc.conf gives, and where.
    addr_from: HashMap<(String, IfAddr), Loc>,
    dynamic: HashMap<String, Dynamic>,
    /// The ifconfig(8) lines of rc.conf that stop at a VLAN word.
    stops: Vec<Stopped>,
    /// VLANs the jails' addm commands add to a member's tagged set on a
    /// bridge whose VLAN state is the host's (bridge, member).
    added: HashMap<(String, String), VlanSet>,
    /// An interface's vlan(4) interfaces, by its name.
    vlans_of: HashMap<String, Vec<String>>,
}

/// An ifconfig(8) line of rc.conf that ifconfig stops in at boot, at a VLAN
/// word it refuses (`tagged 10,5000`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// `VAR="VALUE"`.
    pub setting: String,
    pub loc: Loc,
    /// The words it stops at, and ifconfig's message.
    pub word: String,
    pub why: String,
}

/// The link type of an interface cloned from `cloner` (`if_clone` names).
fn cloned_link(cloner: &str) -> LinkType {
    match cloner {
        "bridge" => LinkType::Bridge,
        "vlan" => LinkType::L2Vlan,
        "gif" => LinkType::Gif,
        "lo" => LinkType::Other("loop".into()),
        "tun" | "wg" | "gre" | "stf" | "pflog" | "pfsync" | "enc" | "ipsec" | "me" | "ovpn"
        | "disc" => LinkType::Other(cloner.into()),
        // epair, tap, lagg, vxlan, edsc and anything unknown: Ethernet, so
        // that an unknown cloner is never reported as unbridgeable.
        _ => LinkType::Ether,
    }
}

/// What one ifconfig(8) argument string sets.
#[derive(Debug, Default, PartialEq, Eq)]
struct Settings {
    addrs: Vec<IfAddr>,
    dynamic: bool,
    members: Vec<String>,
    vlandev: Option<String>,
    laggport: Option<String>,
    /// `vlanfilter` (true) or `-vlanfilter` (false), the last one.
    vlanfilter: Option<bool>,
    /// `defuntagged VID` or `-defuntagged` (`Some(None)`), the last one.
    defpvid: Option<Option<Vid>>,
    /// `addm IF untagged VID tagged SET`: each member's VLANs.
    ports: Vec<(String, PortVlans)>,
    /// Where ifconfig(8) stops: the words it refuses, and its message.
    /// The words before them are done, the rest is not.
    stop: Option<(String, String)>,
}

impl Settings {
    fn has_vlans(&self) -> bool {
        self.vlanfilter.is_some()
            || self.defpvid.is_some()
            || self.ports.iter().any(|(_, p)| !p.is_empty())
    }
}

/// A VID as ifconfig(8) reads `untagged` and `defuntagged` at boot
/// (`get_vlan_id`: strtoul(3) in base 0, so `0x14` is 20 and `020` is 16;
/// 1 to 4094).
fn ifconfig_vid(word: &str) -> Option<Vid> {
    let w = word.strip_prefix('+').unwrap_or(word);
    let v = if let Some(hex) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if w.len() > 1 && w.starts_with('0') {
        u32::from_str_radix(&w[1..], 8).ok()?
    } else {
        w.parse().ok()?
    };
    Vid::new(u16::try_from(v).ok()?)
}

/// A classful prefix, as ifconfig(8) uses for `inet A` without a mask.
fn classful(ip: std::net::Ipv4Addr) -> u8 {
    match ip.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

/// The prefix length of a netmask written `255.255.255.0` or `0xffffff00`.
fn mask_prefix(mask: &str) -> Option<u8> {
    let bits = if let Some(hex) = mask.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        u32::from(mask.parse::<std::net::Ipv4Addr>().ok()?)
    };
    (bits.leading_ones() + bits.trailing_zeros() == 32).then_some(bits.leading_ones() as u8)
}

/// `A/P`, or `A` with the prefix the words after it give (`netmask M`,
/// `prefixlen P`), or the family's default.
fn address(word: &str, rest: &[&str], v6: bool) -> Option<IfAddr> {
    if let Some((first, tail)) = word.split_once('-') {
        // An ipv4_addrs range, 192.0.2.1-5/28: its first address.
        let first = match tail.split_once('/') {
            Some((_, p)) => format!("{first}/{p}"),
            None => first.to_string(),
        };
        return address(&first, rest, v6);
    }
    if word.contains('/') {
        return word.parse().ok();
    }
    let ip: IpAddr = word.parse().ok()?;
    let given = match rest {
        ["netmask", m, ..] => mask_prefix(m),
        ["prefixlen", p, ..] => p.parse().ok(),
        _ => None,
    };
    let prefix = match ip {
        IpAddr::V4(v4) if !v6 => given.unwrap_or_else(|| classful(v4)),
        IpAddr::V6(_) if v6 => given.unwrap_or(64),
        _ => return None,
    };
    (prefix <= IfAddr::max_prefix(ip)).then_some(IfAddr { ip, prefix })
}

/// Reads the ifconfig(8) arguments in `value`; `v6` when the variable is an
/// IPv6 one whose value may omit `inet6`.
fn settings(value: &str, v6: bool) -> Settings {
    let words: Vec<&str> = value.split_whitespace().collect();
    let mut s = Settings::default();
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        let next = words.get(k + 1).copied();
        match w.to_ascii_lowercase().as_str() {
            "dhcp" | "syncdhcp" | "nosyncdhcp" => s.dynamic = true,
            "inet" | "inet6" => {
                let six = w == "inet6";
                if let Some(n) = next {
                    if n == "accept_rtadv" {
                        s.dynamic = true;
                    } else if let Some(a) = address(n, &words[(k + 2).min(words.len())..], six) {
                        s.addrs.push(a);
                    }
                    k += 1;
                }
            }
            "addm" | "vlandev" | "laggport" => {
                if let Some(n) = next {
                    match w {
                        "addm" => {
                            // setbridge_add: its options, until another
                            // word, all read before BRDGADD: a wrong one
                            // stops ifconfig with the member not added.
                            let mut port = PortVlans::default();
                            while let Some(&opt) = words.get(k + 2) {
                                let what = match opt {
                                    "untagged" => "vlan id",
                                    "tagged" => "vlan set",
                                    _ => break,
                                };
                                let Some(&value) = words.get(k + 3) else {
                                    s.stop =
                                        Some((opt.to_string(), format!("usage: {opt} <{what}>")));
                                    return s;
                                };
                                let word = format!("{opt} {value}");
                                if opt == "untagged" {
                                    let Some(v) = ifconfig_vid(value) else {
                                        s.stop = Some((
                                            word,
                                            format!("invalid VLAN identifier: {value}"),
                                        ));
                                        return s;
                                    };
                                    port.untagged = Some(v);
                                } else {
                                    let Ok(set) = VlanSet::parse(value) else {
                                        s.stop = Some((word, format!("invalid vlan set: {value}")));
                                        return s;
                                    };
                                    // parse_vlans ORs into the set; none
                                    // empties it.
                                    port.tagged = if value == "none" {
                                        VlanSet::EMPTY
                                    } else {
                                        port.tagged.union(&set)
                                    };
                                }
                                k += 2;
                            }
                            s.members.push(n.to_string());
                            s.ports.push((n.to_string(), port));
                        }
                        "vlandev" => s.vlandev = Some(n.to_string()),
                        _ => {
                            s.laggport.get_or_insert_with(|| n.to_string());
                        }
                    }
                    k += 1;
                }
            }
            "vlanfilter" => s.vlanfilter = Some(true),
            "-vlanfilter" => s.vlanfilter = Some(false),
            "-defuntagged" => s.defpvid = Some(None),
            "defuntagged" => {
                let Some(n) = next else {
                    s.stop = Some((w.to_string(), format!("'{w}' requires argument")));
                    return s;
                };
                let Some(v) = ifconfig_vid(n) else {
                    s.stop = Some((format!("{w} {n}"), format!("invalid vlan id: {n}")));
                    return s;
                };
                s.defpvid = Some(Some(v));
                k += 1;
            }
            _ if v6 && k == 0 => {
                if w == "accept_rtadv" {
                    s.dynamic = true;
                } else if let Some(a) = address(w, &words[1..], true) {
                    s.addrs.push(a);
                }
            }
            _ => {}
        }
        k += 1;
    }
    s
}

fn new_iface(name: IfName, link: LinkType) -> Interface {
    let mut i = Interface::new(name, 0, link);
    if i.link == LinkType::Bridge {
        i.groups = vec!["bridge".into()];
        i.members = Some(Vec::new());
    }
    i
}

/// What in rc.conf loads if_bridge(4) at boot, before rc.d/jail starts
/// the jails, as "VAR at FILE:LINE": rc.d/netif's `clone_up` creates a
/// bridge named in `cloned_interfaces` (ifconfig(8) loads the module for
/// its cloner), or rc.d/kld loads `if_bridge` from `kld_list`. Both run
/// before rc.d/sysctl_lastload (`REQUIRE: LOGIN`, `BEFORE: jail`).
/// loader.conf(5) and a kernel built with `device if_bridge` are not
/// seen here.
pub fn loads_if_bridge(rc: &RcConf) -> Option<String> {
    let at = |a: &Assignment, var: &str| format!("{var} at {}", a.loc.file_line());
    if let Some(a) = rc.get("cloned_interfaces")
        && let Some(bridge) = a
            .value
            .split_whitespace()
            .find(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()) == "bridge")
    {
        return Some(at(a, &format!("cloned_interfaces' {bridge}")));
    }
    let a = rc.get("kld_list")?;
    a.value
        .split_whitespace()
        .any(is_if_bridge)
        .then(|| at(a, "kld_list"))
}

/// Whether a `kld_list` word names if_bridge.ko (`if_bridge`,
/// `if_bridge.ko`, a path to it).
pub fn is_if_bridge(word: &str) -> bool {
    let file = word.rsplit('/').next().unwrap_or(word);
    file.strip_suffix(".ko").unwrap_or(file) == "if_bridge"
}

impl Boot {
    /// The interfaces at boot: `listing` without the interfaces `leave_out`
    /// names (the jails' own epairs, which boot does not have), as `rc`
    /// changes it.
    pub fn new(listing: &[Interface], leave_out: &dyn Fn(&str) -> bool, rc: &RcConf) -> Boot {
        let mut boot = Boot::default();
        let mut order: Vec<String> = Vec::new();
        for i in listing.iter().filter(|i| !leave_out(i.name.as_str())) {
            let mut iface = i.clone();
            if let Some(m) = &mut iface.members {
                m.retain(|n| !leave_out(n.as_str()));
            }
            order.push(iface.name.to_string());
            boot.ifs.insert(
                iface.name.to_string(),
                BootIf {
                    iface,
                    source: Source::Host,
                    mac_from: None,
                    vlan: None,
                },
            );
        }
        // ifnet_rename: the host's interfaces first.
        for name in order.clone() {
            if let Some(new) = boot.rename_target(rc, &name)
                && let Some(mut b) = boot.ifs.remove(&name)
            {
                b.iface.name = new.clone();
                order.retain(|n| *n != name);
                order.push(new.to_string());
                boot.ifs.insert(new.to_string(), b);
            }
        }
        // clone_up.
        for var in ["cloned_interfaces", "gif_interfaces"] {
            let Some(a) = rc.get(var) else { continue };
            for word in a.value.split_whitespace() {
                let cloner = word.trim_end_matches(|c: char| c.is_ascii_digit());
                let ends = if cloner == "epair" {
                    vec![format!("{word}a"), format!("{word}b")]
                } else {
                    vec![word.to_string()]
                };
                for end in ends {
                    if let Some(n) = boot.create(rc, &end, cloned_link(cloner), var, a, None) {
                        order.push(n);
                    }
                }
            }
        }
        // childif_create, for every interface there is by now and for the
        // children it makes.
        let mut work: VecDeque<String> = order.iter().cloned().collect();
        while let Some(parent) = work.pop_front() {
            for (prefix, link) in [("vlans_", LinkType::L2Vlan), ("wlans_", LinkType::Ether)] {
                let var = format!("{prefix}{}", var_part(&parent));
                let Some(a) = rc.get(&var) else { continue };
                for child in a.value.split_whitespace() {
                    let name =
                        if link == LinkType::L2Vlan && child.bytes().all(|b| b.is_ascii_digit()) {
                            format!("{parent}.{child}")
                        } else {
                            child.to_string()
                        };
                    if let Some(n) = boot.create(rc, &name, link.clone(), &var, a, Some(&parent)) {
                        order.push(n.clone());
                        work.push_back(n);
                    }
                }
            }
        }
        // ifconfig_up: addresses, members, vlan parents, lagg ports.
        for name in &order {
            boot.configure(rc, name);
        }
        for b in boot.ifs.values() {
            for m in b.iface.members.iter().flatten() {
                boot.member_of
                    .insert(m.to_string(), b.iface.name.to_string());
            }
        }
        for b in boot.ifs.values() {
            if let Some(p) = &b.iface.vlan_parent {
                boot.vlans_of
                    .entry(p.to_string())
                    .or_default()
                    .push(b.iface.name.to_string());
            }
        }
        // MAC addresses that follow another interface's, however deep.
        for _ in 0..boot.ifs.len() {
            let known: Vec<(String, Mac)> = boot
                .ifs
                .values()
                .filter(|b| b.iface.ether.is_none())
                .filter_map(|b| {
                    let from = b.mac_from.as_ref()?;
                    let mac = boot.ifs.get(from)?.iface.ether?;
                    Some((b.iface.name.to_string(), mac))
                })
                .collect();
            if known.is_empty() {
                break;
            }
            for (n, m) in known {
                if let Some(b) = boot.ifs.get_mut(&n) {
                    b.iface.ether = Some(m);
                }
            }
        }
        boot
    }

    /// `ifconfig_NAME_name`, when it names a free, valid interface name.
    fn rename_target(&self, rc: &RcConf, name: &str) -> Option<IfName> {
        let new = rc.value(&format!("ifconfig_{}_name", var_part(name)))?;
        (new != name && !self.ifs.contains_key(new))
            .then(|| IfName::new(new).ok())
            .flatten()
    }

    /// Adds what rc.conf creates as `name` (renamed as rc.conf says) unless
    /// an interface of that name, or of its new name, exists; its name.
    fn create(
        &mut self,
        rc: &RcConf,
        name: &str,
        link: LinkType,
        var: &str,
        a: &Assignment,
        parent: Option<&str>,
    ) -> Option<String> {
        if self.ifs.contains_key(name) {
            return None;
        }
        // Renamed at boot, so perhaps already there under its new name.
        let renamed = rc.value(&format!("ifconfig_{}_name", var_part(name)));
        if renamed.is_some_and(|n| self.ifs.contains_key(n)) {
            return None;
        }
        let fin = match self.rename_target(rc, name) {
            Some(n) => n,
            None => IfName::new(name).ok()?,
        };
        if self.ifs.contains_key(fin.as_str()) {
            return None;
        }
        let mut iface = new_iface(fin.clone(), link.clone());
        if iface.link == LinkType::L2Vlan {
            iface.vlan_parent = parent.and_then(|p| IfName::new(p).ok());
        }
        self.ifs.insert(
            fin.to_string(),
            BootIf {
                // A bridge rc.conf creates starts with no VLAN state
                // (`bridge_clone_create`: a zeroed softc).
                vlan: (link == LinkType::Bridge).then(BootVlan::default),
                iface,
                source: Source::Boot {
                    var: var.to_string(),
                    loc: a.loc.clone(),
                },
                mac_from: parent.map(str::to_string),
            },
        );
        Some(fin.to_string())
    }

    /// Reads the variables that configure `name`.
    fn configure(&mut self, rc: &RcConf, name: &str) {
        let vp = var_part(name);
        let mut vars: Vec<(String, bool)> = Vec::new();
        let main = format!("ifconfig_{vp}");
        if rc.get(&main).is_some() {
            vars.push((main, false));
        } else {
            vars.push(("ifconfig_DEFAULT".into(), false));
        }
        vars.push((format!("ifconfig_{vp}_ipv6"), true));
        vars.push((format!("ipv6_ifconfig_{vp}"), true));
        vars.push((format!("ifconfig_{vp}_aliases"), false));
        vars.push((format!("create_args_{vp}"), false));
        for n in 0.. {
            let alias = format!("ifconfig_{vp}_alias{n}");
            if rc.get(&alias).is_none() {
                break;
            }
            vars.push((alias, false));
        }
        let Some(b) = self.ifs.get_mut(name) else {
            return;
        };
        for (var, v6) in vars {
            let Some(a) = rc.get(&var) else { continue };
            let s = settings(&a.value, v6);
            if let Some((word, why)) = &s.stop {
                self.stops.push(Stopped {
                    setting: format!("{var}=\"{}\"", a.value),
                    loc: a.loc.clone(),
                    word: word.clone(),
                    why: why.clone(),
                });
            }
            let has_vlans = s.has_vlans();
            for addr in s.addrs {
                if !b.iface.addrs.contains(&addr) {
                    b.iface.addrs.push(addr);
                    self.addr_from
                        .insert((name.to_string(), addr), a.loc.clone());
                }
            }
            if s.dynamic {
                self.dynamic
                    .entry(name.to_string())
                    .or_insert_with(|| Dynamic {
                        setting: format!("{var}=\"{}\"", a.value),
                        loc: a.loc.clone(),
                    });
            }
            if b.iface.members.is_some() && has_vlans {
                let v = b.vlan.get_or_insert_with(BootVlan::default);
                if let Some(f) = s.vlanfilter {
                    v.filtering = f;
                }
                if let Some(d) = s.defpvid {
                    v.defpvid = d;
                }
                for (m, p) in &s.ports {
                    // BRDGADD gives the default; untagged overrides it.
                    let mut p = *p;
                    if p.untagged.is_none() {
                        p.untagged = v.defpvid;
                    }
                    v.ports.insert(m.clone(), p);
                }
            }
            if let Some(members) = &mut b.iface.members {
                for m in s.members {
                    if let Ok(m) = IfName::new(m)
                        && !members.contains(&m)
                    {
                        members.push(m);
                    }
                }
            }
            let created = matches!(b.source, Source::Boot { .. });
            if created && b.iface.link == LinkType::L2Vlan && b.iface.vlan_parent.is_none() {
                b.iface.vlan_parent = s.vlandev.as_deref().and_then(|p| IfName::new(p).ok());
                b.mac_from = s.vlandev.clone();
            }
            if created && b.mac_from.is_none() {
                b.mac_from = s.laggport;
            }
        }
        if let Some(a) = rc.get(&format!("ipv4_addrs_{vp}")) {
            for word in a.value.split_whitespace() {
                if let Some(addr) = address(word, &[], false)
                    && !b.iface.addrs.contains(&addr)
                {
                    b.iface.addrs.push(addr);
                    self.addr_from
                        .insert((name.to_string(), addr), a.loc.clone());
                }
            }
        }
    }

    /// The ifconfig(8) lines that stop at a VLAN word, in rc.conf's order
    /// of interfaces.
    pub fn stops(&self) -> &[Stopped] {
        &self.stops
    }

    pub fn get(&self, name: &str) -> Option<&BootIf> {
        self.ifs.get(name)
    }

    /// Every interface at boot, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &BootIf> {
        self.ifs.values()
    }

    /// Where rc.conf gives `name` the address `addr`, if it does.
    pub fn addr_from(&self, name: &str, addr: &IfAddr) -> Option<&Loc> {
        self.addr_from.get(&(name.to_string(), *addr))
    }

    /// How rc.conf gives `name` an address only known at boot.
    pub fn dynamic(&self, name: &str) -> Option<&Dynamic> {
        self.dynamic.get(name)
    }

    /// What `plan_addm` needs to see for an addm of `ifaces` with bridge
    /// suffix `suffix`: each parent, its vlan parent and its vlans, its
    /// bridge, and the bridge it is a member of, with only these parents as members. A
    /// handful of interfaces, whatever the size of the host.
    pub fn listing_for(&self, ifaces: &[String], suffix: &str) -> Vec<Interface> {
        let parents: HashSet<&str> = ifaces
            .iter()
            .map(|a| a.strip_prefix('!').unwrap_or(a))
            .collect();
        let mut out: Vec<Interface> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut add = |name: &str| {
            if let Some(b) = self.ifs.get(name)
                && seen.insert(name.to_string())
            {
                // A bridge's members: only these parents, found through
                // member_of, so a bridge with thousands of members costs
                // nothing here.
                let src = &b.iface;
                let members = src.members.as_ref().map(|_| {
                    let mut m: Vec<IfName> = parents
                        .iter()
                        .filter(|p| self.member_of.get(**p).is_some_and(|br| br == name))
                        .filter_map(|p| IfName::new(*p).ok())
                        .collect();
                    m.sort();
                    m
                });
                // A member's untagged VLAN in a bridge rc.conf or a jail
                // sets up is what that says; otherwise the host's.
                let pvid = self
                    .member_of
                    .get(name)
                    .and_then(|br| self.vlan_of(br))
                    .map_or(src.pvid, |v| v.ports.get(name).and_then(|p| p.untagged));
                out.push(Interface {
                    name: src.name.clone(),
                    index: src.index,
                    link: src.link.clone(),
                    ether: src.ether,
                    mtu: src.mtu,
                    up: src.up,
                    groups: src.groups.clone(),
                    members,
                    unnamed_members: Vec::new(),
                    addrs: src.addrs.clone(),
                    vlan_parent: src.vlan_parent.clone(),
                    lastchange: src.lastchange,
                    pvid,
                });
            }
        };
        let mut ordered: Vec<&str> = parents.iter().copied().collect();
        ordered.sort_unstable();
        for p in ordered {
            add(p);
            if let Some(vp) = self.ifs.get(p).and_then(|b| b.iface.vlan_parent.as_ref()) {
                add(vp.as_str());
            }
            for child in self.vlans_of.get(p).into_iter().flatten() {
                add(child);
            }
            add(&crate::jib::name::bridge_for(p, suffix));
            if let Some(b) = self.member_of.get(p) {
                add(b);
            }
        }
        out
    }

    /// A bridge's VLAN state at boot, if rc.conf or a jail's addm makes
    /// it (else the host's, as it is now, counts).
    pub fn vlan_of(&self, bridge: &str) -> Option<&BootVlan> {
        self.ifs.get(bridge).and_then(|b| b.vlan.as_ref())
    }

    /// Records that an addm makes `parent` carry `vids` tagged on `bridge`
    /// too: in the bridge's VLAN state at boot, or, for a bridge whose
    /// state is the host's, beside it (`added_tagged`).
    pub fn add_tagged(&mut self, bridge: &str, parent: &IfName, vids: &VlanSet) {
        if let Some(v) = self.ifs.get_mut(bridge).and_then(|b| b.vlan.as_mut()) {
            let p = v.ports.entry(parent.to_string()).or_default();
            p.tagged = p.tagged.union(vids);
            return;
        }
        let p = self
            .added
            .entry((bridge.to_string(), parent.to_string()))
            .or_default();
        *p = p.union(vids);
    }

    /// The VLANs the jails' addm commands add to `member`'s tagged set on
    /// `bridge`, a bridge whose VLAN state is the host's.
    pub fn added_tagged(&self, bridge: &str, member: &str) -> VlanSet {
        self.added
            .get(&(bridge.to_string(), member.to_string()))
            .copied()
            .unwrap_or_default()
    }

    /// Records the bridge an addm of `jail` creates with `parent` in it, so
    /// the jails after it find it; `tagged`: it filters VLANs, and the
    /// parent carries these.
    pub fn add_bridge(
        &mut self,
        bridge: &IfName,
        parent: &IfName,
        mtu: u32,
        jail: &str,
        tagged: Option<&VlanSet>,
    ) {
        if self.ifs.contains_key(bridge.as_str()) {
            return;
        }
        let vlan = BootVlan {
            filtering: tagged.is_some(),
            defpvid: None,
            ports: tagged
                .map(|t| {
                    let port = PortVlans {
                        untagged: None,
                        tagged: *t,
                    };
                    HashMap::from([(parent.to_string(), port)])
                })
                .unwrap_or_default(),
            rjib_parent: Some(parent.clone()),
        };
        let mut i = new_iface(bridge.clone(), LinkType::Bridge);
        i.members = Some(vec![parent.clone()]);
        i.mtu = mtu;
        self.member_of
            .insert(parent.to_string(), bridge.to_string());
        self.ifs.insert(
            bridge.to_string(),
            BootIf {
                iface: i,
                source: Source::Jail {
                    jail: jail.to_string(),
                },
                mac_from: None,
                vlan: Some(vlan),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn rc(text: &str) -> RcConf {
        let mut rc = RcConf::default();
        rc.read_str(text, Path::new("/etc/rc.conf")).unwrap();
        rc
    }

    fn ether(name: &str, mac: &str) -> Interface {
        Interface {
            ether: Some(mac.parse().unwrap()),
            up: true,
            ..Interface::new(IfName::new(name).unwrap(), 1, LinkType::Ether)
        }
    }

    fn boot(listing: &[Interface], text: &str) -> Boot {
        Boot::new(listing, &|_| false, &rc(text))
    }

    /// Review 13, W2: what loads if_bridge before rc.d/sysctl_lastload.
    #[test]
    fn what_loads_if_bridge_at_boot() {
        let rc = |text: &str| {
            let mut rc = RcConf::default();
            rc.read_str(text, Path::new("/etc/rc.conf")).unwrap();
            loads_if_bridge(&rc)
        };
        assert_eq!(
            rc("cloned_interfaces=\"lagg0 bridge0\"\n").as_deref(),
            Some("cloned_interfaces' bridge0 at /etc/rc.conf:1")
        );
        assert_eq!(
            rc("x=1\nkld_list=\"pf /boot/kernel/if_bridge.ko\"\n").as_deref(),
            Some("kld_list at /etc/rc.conf:2")
        );
        assert_eq!(
            rc("kld_list=\"if_bridge\"\n").as_deref(),
            Some("kld_list at /etc/rc.conf:1")
        );
        assert_eq!(
            rc("cloned_interfaces=\"lagg0 epair0\"\nkld_list=\"bridgestp\"\n"),
            None
        );
        assert_eq!(rc("ifconfig_em0=\"inet 192.0.2.1/24\"\n"), None);
    }

    #[test]
    fn seed_rc_conf_on_an_empty_and_a_configured_host() {
        let text = "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"vtnet0bridge\"\nifconfig_vtnet0bridge=\"inet 10.192.0.1/24 up\"\n";
        let b = boot(&[ether("vtnet0", "58:9c:fc:0a:1b:2c")], text);
        let br = b.get("vtnet0bridge").expect("boot creates vtnet0bridge");
        assert!(br.iface.is_bridge());
        assert!(b.get("bridge0").is_none(), "renamed");
        assert_eq!(br.iface.ether, None, "a new bridge's MAC is not known");
        assert_eq!(br.iface.addrs, vec!["10.192.0.1/24".parse().unwrap()]);
        assert!(
            matches!(&br.source, Source::Boot { var, loc } if var == "cloned_interfaces" && loc.line == 1)
        );
        let addr = br.iface.addrs[0];
        assert_eq!(b.addr_from("vtnet0bridge", &addr).map(|l| l.line), Some(3));
        // already there: the host's stays
        let mut host_br = ether("vtnet0bridge", "58:9c:fc:10:00:00");
        host_br.link = LinkType::Bridge;
        host_br.members = Some(vec![]);
        let b = boot(&[ether("vtnet0", "58:9c:fc:0a:1b:2c"), host_br], text);
        assert_eq!(b.get("vtnet0bridge").unwrap().source, Source::Host);
        assert!(b.get("bridge0").is_none());
    }

    #[test]
    fn vlans_lagg_renames_and_macs() {
        let text = "ifconfig_em1_name=\"lan0\"\n\
                    vlans_em0=\"5 vlan7\"\n\
                    create_args_vlan7=\"vlan 7\"\n\
                    cloned_interfaces=\"lagg0 epair3 tun0 vlan9\"\n\
                    ifconfig_lagg0=\"laggproto lacp laggport em2 laggport em3 DHCP\"\n\
                    vlans_lagg0=\"20\"\n\
                    ifconfig_vlan9=\"vlan 9 vlandev em0 inet 192.0.2.1 netmask 0xffffff00\"\n\
                    ifconfig_em0_5_ipv6=\"inet6 2001:db8::5 prefixlen 48\"\n";
        let b = boot(
            &[
                ether("em0", "00:25:90:ab:cd:ef"),
                ether("em1", "00:25:90:ab:cd:f0"),
                ether("em2", "00:25:90:00:00:02"),
            ],
            text,
        );
        let mac = |n: &str| {
            b.get(n)
                .unwrap_or_else(|| panic!("{n}"))
                .iface
                .ether
                .map(|m| m.to_string())
        };
        assert!(b.get("em1").is_none());
        assert_eq!(mac("lan0").as_deref(), Some("00:25:90:ab:cd:f0"));
        assert_eq!(mac("em0.5").as_deref(), Some("00:25:90:ab:cd:ef"));
        assert_eq!(mac("vlan7").as_deref(), Some("00:25:90:ab:cd:ef"));
        assert_eq!(mac("lagg0").as_deref(), Some("00:25:90:00:00:02"));
        assert_eq!(
            mac("lagg0.20").as_deref(),
            Some("00:25:90:00:00:02"),
            "a vlan of a lagg"
        );
        assert_eq!(mac("vlan9").as_deref(), Some("00:25:90:ab:cd:ef"));
        assert_eq!(mac("epair3a"), None);
        assert!(b.get("epair3b").is_some());
        assert_eq!(
            b.get("tun0").unwrap().iface.link,
            LinkType::Other("tun".into())
        );
        assert_eq!(b.get("em0.5").unwrap().iface.link, LinkType::L2Vlan);
        assert_eq!(
            b.get("em0.5").unwrap().iface.addrs,
            vec!["2001:db8::5/48".parse().unwrap()]
        );
        assert_eq!(
            b.get("vlan9").unwrap().iface.addrs,
            vec!["192.0.2.1/24".parse().unwrap()]
        );
        assert_eq!(
            b.dynamic("lagg0").map(|d| d.setting.as_str()),
            Some("ifconfig_lagg0=\"laggproto lacp laggport em2 laggport em3 DHCP\"")
        );
        assert!(b.dynamic("em0").is_none());
    }

    #[test]
    fn addresses_of_every_kind() {
        let text = "ifconfig_DEFAULT=\"SYNCDHCP\"\n\
                    ifconfig_em0=\"inet 10.1.2.3\"\n\
                    ifconfig_em0_alias0=\"inet 10.9.9.9/32\"\n\
                    ifconfig_em0_alias2=\"inet 10.7.7.7/32\"\n\
                    ipv4_addrs_em0=\"172.16.0.1-5/28\"\n\
                    ipv6_ifconfig_em0=\"2001:db8::1\"\n";
        let b = boot(
            &[
                ether("em0", "00:00:00:00:00:01"),
                ether("em1", "00:00:00:00:00:02"),
            ],
            text,
        );
        let addrs: Vec<String> = b
            .get("em0")
            .unwrap()
            .iface
            .addrs
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            addrs,
            [
                "10.1.2.3/8",
                "2001:db8::1/64",
                "10.9.9.9/32",
                "172.16.0.1/28"
            ],
            "alias2 is not read without alias1"
        );
        assert!(b.dynamic("em0").is_none(), "ifconfig_em0 is set");
        assert!(b.dynamic("em1").is_some(), "ifconfig_DEFAULT");
        assert_eq!(mask_prefix("255.255.240.0"), Some(20));
        assert_eq!(mask_prefix("255.0.255.0"), None);
    }

    #[test]
    fn bridge_members_and_the_planner_view() {
        let text = "cloned_interfaces=\"bridge0\"\nifconfig_bridge0=\"addm em0 addm em1 up\"\n";
        let mut b = boot(
            &[
                ether("em0", "00:00:00:00:00:01"),
                ether("em1", "00:00:00:00:00:02"),
            ],
            text,
        );
        let view = b.listing_for(&["em0".into()], "bridge");
        let names: Vec<&str> = view.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["em0", "bridge0"]);
        assert_eq!(
            view[1].members.as_ref().unwrap().len(),
            1,
            "only the request's parents"
        );
        b.add_bridge(
            &IfName::new("em1br").unwrap(),
            &IfName::new("em1").unwrap(),
            1500,
            "web",
            None,
        );
        let view = b.listing_for(&["!em1".into()], "br");
        let names: Vec<&str> = view.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["em1", "em1br"]);
    }
}
