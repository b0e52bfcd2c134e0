//! Planning the VLANs of `addm` on FreeBSD 15's VLAN-filtering bridge:
//! which bridge filters, which VLANs the parent must carry tagged, and
//! what rjib refuses before anything changes.
//!
//! The kernel refuses none of this (a member's PVID and tagged set are
//! taken whether or not the bridge filters: if_bridge.c
//! `bridge_ioctl_sifpvid`, `bridge_ioctl_sifvlanset`); these are rjib's
//! rules, so that a jail's epair never lands in a VLAN the bridge does
//! not filter or the uplink does not carry:
//!
//! - VLANs need FreeBSD 15 (`BridgePolicy::has_vlans`).
//! - A bridge this run creates filters (`IFBRF_VLANFILTER`) when one of
//!   its epairs has VLANs; its parent joins tagged in exactly their VLANs.
//! - An existing bridge is used as it is: rjib never changes its filtering
//!   (its other members would lose their traffic). Without
//!   `IFBRF_VLANFILTER` a VLAN request is refused.
//! - When the parent is a member of an existing bridge and does not carry
//!   VLANs the epairs need (neither tagged nor as its untagged VLAN): rjib
//!   adds them tagged if it made the bridge (its description says so),
//!   and refuses otherwise.
//! - A plain epair on a filtering bridge without a default PVID is in no
//!   VLAN and passes no traffic (if_bridge.c `bridge_vfilter_in`: an
//!   untagged frame on a port with PVID 0 is dropped): a warning.
//!
//! What the planner needs beyond the listing (a bridge's flags and default
//! PVID, a member's tagged set, a bridge's description) it asks a
//! `BridgeFacts` for, only when it needs it, so a command reads no more
//! than it must.

use std::collections::HashMap;
use std::fmt;

use crate::jib::descr;
use crate::net::{
    BridgeFlags, BridgePolicy, IfAddr, IfName, Interface, LinkType, PortVlans, Vid, VlanArgs,
    VlanSet,
};
use crate::util::{ifconfig_iface, sh_quote};

/// What the planner may need to know about a bridge beyond the listing.
/// An `Err` is a message saying what could not be read.
pub trait BridgeFacts {
    /// The bridge's flags (BRDGGFLAGS).
    fn flags(&mut self, bridge: &IfName) -> Result<BridgeFlags, String>;
    /// The untagged VLAN the bridge gives new members (BRDGGDEFPVID).
    fn defpvid(&mut self, bridge: &IfName) -> Result<Option<Vid>, String>;
    /// A member's tagged VLANs (BRDGGIFVLANSET).
    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Result<VlanSet, String>;
    /// The bridge's description (SIOCGIFDESCR).
    fn description(&mut self, bridge: &IfName) -> Result<Option<String>, String>;
}

/// The facts of a host where no bridge has any VLAN state (none filters,
/// none has a default, no member is tagged, no bridge is rjib's).
pub struct NoVlans;

impl BridgeFacts for NoVlans {
    fn flags(&mut self, _: &IfName) -> Result<BridgeFlags, String> {
        Ok(BridgeFlags::default())
    }
    fn defpvid(&mut self, _: &IfName) -> Result<Option<Vid>, String> {
        Ok(None)
    }
    fn tagged(&mut self, _: &IfName, _: &IfName) -> Result<VlanSet, String> {
        Ok(VlanSet::EMPTY)
    }
    fn description(&mut self, _: &IfName) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// What happens to a link's bridge and its parent, done by the first link
/// of the run on that bridge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Uplink {
    /// Nothing.
    #[default]
    None,
    /// The bridge this link creates filters VLANs (BRDGSFLAGS), and the
    /// parent joins it tagged in these VLANs (BRDGSIFVLANSET, SET).
    NewFiltering(VlanSet),
    /// The parent, a member of the existing bridge rjib made, also carries
    /// these VLANs (BRDGSIFVLANSET, ADD; undone with DEL).
    Add(VlanSet),
}

/// A warning about a plan that rjib carries out anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VlanWarning {
    /// The host end `end` joins a filtering bridge in no VLAN.
    NoVlan {
        end: IfName,
        bridge: IfName,
        parent: IfName,
    },
    /// A filtering bridge holds an address itself, which is in no VLAN
    /// there.
    BridgeAddress { bridge: IfName, addr: IfAddr },
    /// The parent carries VLANs tagged on the bridge and has vlan(4)
    /// interfaces of its own, which take every tagged frame it receives.
    UplinkHasVlans {
        parent: IfName,
        bridge: IfName,
        children: Vec<IfName>,
    },
    /// The parent carries VLANs tagged on the bridge and is a vlan(4)
    /// interface itself (of `of`).
    ParentIsVlan {
        parent: IfName,
        of: IfName,
        bridge: IfName,
    },
}

impl fmt::Display for VlanWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VlanWarning::NoVlan {
                end,
                bridge,
                parent,
            } => write!(
                f,
                "warning: {end}: joins the VLAN-filtering bridge {bridge} in no VLAN (no untagged VID, and \
                 the bridge has no defuntagged), so it will pass no traffic; give it one with {parent} \
                 untagged VID"
            ),
            VlanWarning::BridgeAddress { bridge, addr } => {
                let rb = rc_var(bridge.as_str());
                write!(
                    f,
                    "warning: {bridge}: filters VLANs and holds {addr} itself, which is in no VLAN there: \
                     the kernel drops the bridge's own untagged frames at every member (if_bridge.c \
                     bridge_vfilter_out), and a tagged frame for it reaches the host only through a \
                     vlan(4) interface of the bridge (bridge_input), so the jails cannot reach {addr}; \
                     move it to a vlan(4) interface of the bridge: in rc.conf(5), vlans_{rb}=\"V\" and \
                     ifconfig_{rb}_V=\"{}\", V being the jails' VLAN (see rjib(8))",
                    inet(addr)
                )
            }
            VlanWarning::UplinkHasVlans {
                parent,
                bridge,
                children,
            } => {
                let names: Vec<&str> = children.iter().map(IfName::as_str).collect();
                write!(
                    f,
                    "warning: {parent}: has vlan(4) interfaces of its own ({}), and the kernel hands every \
                     tagged frame {parent} receives to them, never to the bridge {bridge} (if_bridge.c \
                     bridge_input: vlan(4) is preferred), so the VLANs it carries tagged there get no \
                     traffic from it; make them vlan(4) interfaces of the bridge instead (vlandev {bridge})",
                    names.join(", ")
                )
            }
            VlanWarning::ParentIsVlan { parent, of, bridge } => write!(
                f,
                "warning: {parent}: is itself a vlan(4) interface of {of}, so what the bridge {bridge} sends \
                 on it tagged leaves with two VLAN tags (802.1Q in 802.1Q); bridge {of} instead"
            ),
        }
    }
}

/// `addr` as ifconfig(8) takes it in rc.conf(5): `inet 192.0.2.1/24`,
/// `inet6 2001:db8::1/64`.
fn inet(addr: &IfAddr) -> String {
    let family = if addr.ip.is_ipv4() { "inet" } else { "inet6" };
    format!("{family} {addr}")
}

/// Why a VLAN request will not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VlanRefusal {
    /// `untagged`/`tagged` on a kernel without VLAN filtering.
    Needs15 { release: Option<u32> },
    /// An existing bridge that does not filter VLANs.
    NotFiltering {
        bridge: String,
        parent: String,
        wanted: Box<VlanSet>,
        /// The parent is a member, and must carry `wanted`.
        parent_is_member: bool,
        /// An address the bridge holds, which filtering would put in no
        /// VLAN.
        addr: Option<IfAddr>,
        /// rjib made the bridge (its description says so): no rc.conf(5)
        /// line sets it up.
        rjib_made: bool,
    },
    /// A bridge this run would create filtering, around a parent that
    /// holds the host's address.
    UplinkHasAddress {
        parent: String,
        addr: IfAddr,
        bridge: String,
        wanted: Box<VlanSet>,
    },
    /// The parent does not carry VLANs the epairs need, on a bridge rjib
    /// did not make.
    UplinkMissing {
        bridge: String,
        parent: String,
        missing: Box<VlanSet>,
    },
    /// A fact could not be read.
    Unreadable(String),
}

impl fmt::Display for VlanRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VlanRefusal::Needs15 { release } => {
                let runs = match release {
                    Some(r) => format!("this host runs {r}.x"),
                    None => "this host's release is unknown".to_string(),
                };
                write!(
                    f,
                    "untagged/tagged need FreeBSD 15's VLAN-filtering bridge; {runs}"
                )
            }
            VlanRefusal::NotFiltering {
                bridge,
                parent,
                wanted,
                parent_is_member,
                addr,
                rjib_made,
            } => {
                // The commands are for a root shell: names quoted for sh(1),
                // the interface word as `ifconfig_iface` writes it.
                let (qb, qp) = (ifconfig_iface(bridge), sh_quote(parent));
                let rb = rc_var(bridge);
                write!(
                    f,
                    "{bridge}: is not a VLAN-filtering bridge, and rjib does not turn filtering on in a \
                     bridge that exists (its members without VLANs would lose their traffic)"
                )?;
                if let Some(a) = addr {
                    write!(
                        f,
                        "; it holds {a}, which filtering would put in no VLAN: the kernel drops the \
                         bridge's own untagged frames at every member (if_bridge.c bridge_vfilter_out), \
                         cutting the jails off it; first move it to a vlan(4) interface of the bridge \
                         (rc.conf(5): vlans_{rb}=\"V\" and ifconfig_{rb}_V=\"{}\") and give every member \
                         a VLAN (untagged V)",
                        inet(a)
                    )?;
                }
                write!(f, "; turn it on with: ifconfig {qb} vlanfilter")?;
                if *rjib_made {
                    write!(
                        f,
                        " (rjib made this bridge, so no rc.conf(5) line sets it up, and rjib creates it \
                         filtering only for a first addm with VLANs: to have it filter from boot, create \
                         it in rc.conf(5) as rjib(8) shows)"
                    )?;
                } else {
                    write!(f, ", and add vlanfilter to ifconfig_{rb} in rc.conf(5)")?;
                }
                if *parent_is_member {
                    write!(
                        f,
                        "; {parent} must carry the VLANs tagged too: ifconfig {qb} +iftagged {qp} {wanted}"
                    )?;
                }
                Ok(())
            }
            VlanRefusal::UplinkMissing {
                bridge,
                parent,
                missing,
            } => write!(
                f,
                "{parent}: does not carry VLAN {missing} tagged on {bridge}, which rjib did not make, so \
                 rjib does not change it; add {}: ifconfig {} +iftagged {} {missing}, and to \
                 {parent}'s tagged set in ifconfig_{} in rc.conf(5)",
                if missing.len() == 1 { "it" } else { "them" },
                ifconfig_iface(bridge),
                sh_quote(parent),
                rc_var(bridge)
            ),
            VlanRefusal::UplinkHasAddress {
                parent,
                addr,
                bridge,
                wanted,
            } => {
                let (rb, rp) = (rc_var(bridge), rc_var(parent));
                write!(
                    f,
                    "{parent}: has address {addr}, and would join the new VLAN-filtering bridge {bridge} \
                     with no untagged VLAN, where the kernel drops every untagged frame it receives before \
                     the host sees it (if_bridge.c bridge_input, bridge_vfilter_in), cutting the host off \
                     {addr}; move the host's address to a vlan(4) interface of the bridge, with the bridge \
                     set up at boot, as in rjib(8): in rc.conf(5), cloned_interfaces=\"bridge0\", \
                     ifconfig_bridge0_name=\"{bridge}\", ifconfig_{rb}=\"vlanfilter addm {parent} untagged \
                     V tagged {wanted} up\", vlans_{rb}=\"V\", ifconfig_{rb}_V=\"{}\" and \
                     ifconfig_{rp}=\"up\", V being the address's VLAN (without untagged V where the \
                     switch sends it tagged)",
                    inet(addr)
                )
            }
            VlanRefusal::Unreadable(why) => f.write_str(why),
        }
    }
}

/// Whether a bridge this run creates filtering, with `parent` as its first
/// member in no untagged VLAN and `wanted` tagged, must be refused because
/// `parent` holds an address: the kernel drops every untagged frame on a
/// filtering port without an untagged VLAN (if_bridge.c `bridge_input`
/// runs `bridge_vfilter_in` before it hands the host its own frames), so
/// the host would be cut off that address. gif(4) members are exempt, as
/// from the kernel's member-address rule: their addresses are the
/// tunnel's, not the bridged link's.
pub fn uplink_address(parent: &Interface, bridge: &str, wanted: &VlanSet) -> Option<VlanRefusal> {
    let addr = parent
        .addrs
        .first()
        .filter(|_| parent.link != LinkType::Gif)?;
    Some(VlanRefusal::UplinkHasAddress {
        parent: parent.name.to_string(),
        addr: *addr,
        bridge: bridge.to_string(),
        wanted: Box::new(*wanted),
    })
}

/// rc.subr's `ltr IF '.-/+' '_'`: the part of an rc.conf(5) variable name
/// that stands for the interface `ifname` (`em0.5` → `em0_5`).
pub fn rc_var(ifname: &str) -> String {
    ifname
        .chars()
        .map(|c| if ".-/+".contains(c) { '_' } else { c })
        .collect()
}

/// One link as the VLAN pass sees it.
pub struct LinkView<'a> {
    pub a: &'a IfName,
    pub parent: &'a IfName,
    pub bridge: &'a IfName,
    pub new_bridge: bool,
    /// What the command line asked for this link.
    pub asked: VlanArgs,
    /// For the host end of a pair that exists (reused, and given what it
    /// is asked): its membership now. A keyword not asked leaves that
    /// part as it is.
    pub current: Option<PortVlans>,
}

/// What the VLAN pass decides for one link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkVlans {
    /// The membership the end has once built: what was asked, or the
    /// bridge's default untagged VLAN (`bridge_ioctl_add`).
    pub joins: PortVlans,
    pub uplink: Uplink,
}

/// Whether `parent` is a member of `bridge` in the listing.
fn member_of(listing: &HashMap<&str, &Interface>, bridge: &IfName, parent: &IfName) -> bool {
    listing
        .get(bridge.as_str())
        .and_then(|b| b.members.as_ref())
        .is_some_and(|m| m.contains(parent))
}

/// What keeps `parent`'s tagged VLANs on `bridge` from working, as the
/// listing shows it: vlan(4) interfaces of its own, which the kernel gives
/// every tagged frame it receives (if_bridge.c `bridge_input` returns a
/// tagged frame to the stack when the member is a vlan trunk, before any
/// bridging), and being a vlan(4) itself, which puts a second tag on them.
fn stacked(
    listing: &HashMap<&str, &Interface>,
    bridge: &IfName,
    parent: &IfName,
) -> Vec<VlanWarning> {
    let mut out = Vec::new();
    if let Some(p) = listing.get(parent.as_str())
        && p.link == LinkType::L2Vlan
        && let Some(of) = &p.vlan_parent
    {
        out.push(VlanWarning::ParentIsVlan {
            parent: parent.clone(),
            of: of.clone(),
            bridge: bridge.clone(),
        });
    }
    let mut children: Vec<IfName> = listing
        .values()
        .filter(|i| i.vlan_parent.as_ref() == Some(parent))
        .map(|i| i.name.clone())
        .collect();
    if !children.is_empty() {
        children.sort();
        out.push(VlanWarning::UplinkHasVlans {
            parent: parent.clone(),
            bridge: bridge.clone(),
            children,
        });
    }
    out
}

/// Decide the VLANs of `links` (in plan order): for each, the membership
/// it gets and what its bridge and parent need; and the warnings.
pub fn plan_vlans(
    links: &[LinkView<'_>],
    listing: &HashMap<&str, &Interface>,
    policy: &BridgePolicy,
    facts: &mut dyn BridgeFacts,
) -> Result<(Vec<LinkVlans>, Vec<VlanWarning>), VlanRefusal> {
    let mut out: Vec<LinkVlans> = links
        .iter()
        .map(|l| LinkVlans {
            joins: match l.current {
                Some(c) => PortVlans {
                    untagged: l.asked.untagged.or(c.untagged),
                    tagged: l.asked.tagged.unwrap_or(c.tagged),
                },
                None => l.asked.ports(),
            },
            uplink: Uplink::None,
        })
        .collect();
    let mut warnings = Vec::new();
    // `plan_addm` refused VLANs on a kernel without them, before any link
    // was planned: here there is nothing to decide.
    if !policy.has_vlans() {
        return Ok((out, warnings));
    }
    // The bridges in the order the plan first meets them.
    let mut bridges: Vec<&IfName> = Vec::new();
    for l in links {
        if !bridges.contains(&l.bridge) {
            bridges.push(l.bridge);
        }
    }
    let unreadable = VlanRefusal::Unreadable;
    for bridge in bridges {
        let on: Vec<usize> = (0..links.len())
            .filter(|&k| links[k].bridge == bridge)
            .collect();
        let first = on[0];
        let parent = links[first].parent;
        let wanted = on.iter().fold(VlanSet::EMPTY, |s, &k| {
            s.union(&links[k].asked.ports().all())
        });
        // Some link has `untagged` or `tagged` (`tagged none` too).
        let asked = on.iter().any(|&k| !links[k].asked.is_empty());
        let filtering;
        let mut defpvid = None;
        // The parent carries VLANs tagged on this bridge for this run.
        let mut tagged_on_parent = false;
        if links[first].new_bridge {
            filtering = asked;
            if filtering {
                out[first].uplink = Uplink::NewFiltering(wanted);
                tagged_on_parent = !wanted.is_empty();
            }
        } else {
            filtering = facts.flags(bridge).map_err(unreadable)?.vlanfilter();
            let is_member = member_of(listing, bridge, parent);
            let addr = listing
                .get(bridge.as_str())
                .and_then(|b| b.addrs.first())
                .copied();
            if asked {
                if !filtering {
                    let descr = facts.description(bridge).map_err(unreadable)?;
                    return Err(VlanRefusal::NotFiltering {
                        bridge: bridge.to_string(),
                        parent: parent.to_string(),
                        wanted: Box::new(wanted),
                        // Only VLANs to carry need the parent.
                        parent_is_member: is_member && !wanted.is_empty(),
                        addr,
                        rjib_made: descr.as_deref() == Some(descr::bridge(parent).as_str()),
                    });
                }
                if is_member {
                    // Its untagged VLAN is carried too: an untagged frame
                    // arriving on it is in that VLAN (`bridge_vfilter_in`),
                    // and that VLAN's frames leave it untagged
                    // (`bridge_vfilter_out`, `bridge_enqueue`).
                    let mut have = VlanSet::EMPTY;
                    if let Some(v) = listing.get(parent.as_str()).and_then(|p| p.pvid) {
                        have.insert(v);
                    }
                    tagged_on_parent = !wanted.difference(&have).is_empty();
                    if !wanted.difference(&have).is_empty() {
                        have = have.union(&facts.tagged(bridge, parent).map_err(unreadable)?);
                    }
                    let missing = wanted.difference(&have);
                    if !missing.is_empty() {
                        let descr = facts.description(bridge).map_err(unreadable)?;
                        if descr.as_deref() != Some(descr::bridge(parent).as_str()) {
                            return Err(VlanRefusal::UplinkMissing {
                                bridge: bridge.to_string(),
                                parent: parent.to_string(),
                                missing: Box::new(missing),
                            });
                        }
                        out[first].uplink = Uplink::Add(missing);
                    }
                }
            }
            if filtering && let Some(addr) = addr {
                warnings.push(VlanWarning::BridgeAddress {
                    bridge: bridge.clone(),
                    addr,
                });
            }
            // A link without `untagged` keeps the default VLAN the kernel
            // gives a new member (`bridge_ioctl_add`), which counts with
            // or without VLANFILTER (the PVID tags and untags frames
            // either way: `bridge_vfilter_in`, `bridge_enqueue`).
            if on
                .iter()
                .any(|&k| links[k].asked.untagged.is_none() && links[k].current.is_none())
            {
                defpvid = facts.defpvid(bridge).map_err(unreadable)?;
            }
        }
        if tagged_on_parent {
            warnings.extend(stacked(listing, bridge, parent));
        }
        for &k in &on {
            let l = &links[k];
            if l.asked.untagged.is_none() && l.current.is_none() {
                out[k].joins.untagged = defpvid;
            }
            if filtering && out[k].joins.is_empty() {
                warnings.push(VlanWarning::NoVlan {
                    end: l.a.clone(),
                    bridge: l.bridge.clone(),
                    parent: l.parent.clone(),
                });
            }
        }
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::LinkType;

    #[derive(Default)]
    struct Facts {
        flags: HashMap<String, u32>,
        defpvid: HashMap<String, u16>,
        tagged: HashMap<(String, String), VlanSet>,
        descr: HashMap<String, String>,
        reads: Vec<String>,
    }

    impl BridgeFacts for Facts {
        fn flags(&mut self, b: &IfName) -> Result<BridgeFlags, String> {
            self.reads.push(format!("flags {b}"));
            Ok(BridgeFlags(
                self.flags.get(b.as_str()).copied().unwrap_or(0),
            ))
        }
        fn defpvid(&mut self, b: &IfName) -> Result<Option<Vid>, String> {
            self.reads.push(format!("defpvid {b}"));
            Ok(self.defpvid.get(b.as_str()).copied().and_then(Vid::new))
        }
        fn tagged(&mut self, b: &IfName, m: &IfName) -> Result<VlanSet, String> {
            self.reads.push(format!("tagged {b} {m}"));
            Ok(self
                .tagged
                .get(&(b.to_string(), m.to_string()))
                .copied()
                .unwrap_or_default())
        }
        fn description(&mut self, b: &IfName) -> Result<Option<String>, String> {
            self.reads.push(format!("description {b}"));
            Ok(self.descr.get(b.as_str()).cloned())
        }
    }

    fn n(s: &str) -> IfName {
        IfName::new(s).unwrap()
    }

    const ON15: BridgePolicy = BridgePolicy {
        release: Some(15),
        member_ifaddrs: Some(1),
        bridge_loaded: true,
        set_by: None,
    };

    /// What `untagged`/`tagged` ask; `tagged` "" is not given.
    fn ports(untagged: Option<u16>, tagged: &str) -> VlanArgs {
        VlanArgs {
            untagged: untagged.and_then(Vid::new),
            tagged: (!tagged.is_empty()).then(|| VlanSet::parse(tagged).unwrap()),
        }
    }

    const PLAIN: VlanArgs = VlanArgs {
        untagged: None,
        tagged: None,
    };

    struct Case {
        names: Vec<(IfName, IfName, IfName)>,
        listing: Vec<Interface>,
    }

    impl Case {
        fn new(members: &[&str]) -> Case {
            let mut br = Interface::new(n("ix0bridge"), 3, LinkType::Bridge);
            br.members = Some(members.iter().map(|m| n(m)).collect());
            Case {
                names: (0..3)
                    .map(|i| (n(&format!("e{i}a_j")), n("ix0"), n("ix0bridge")))
                    .collect(),
                listing: vec![Interface::new(n("ix0"), 2, LinkType::Ether), br],
            }
        }

        fn run(
            &self,
            asked: &[VlanArgs],
            new_bridge: bool,
            policy: BridgePolicy,
            facts: &mut Facts,
        ) -> Result<(Vec<LinkVlans>, Vec<VlanWarning>), VlanRefusal> {
            let views: Vec<LinkView<'_>> = asked
                .iter()
                .enumerate()
                .map(|(k, a)| LinkView {
                    a: &self.names[k].0,
                    parent: &self.names[k].1,
                    bridge: &self.names[k].2,
                    new_bridge: new_bridge && k == 0,
                    asked: *a,
                    current: None,
                })
                .collect();
            let by: HashMap<&str, &Interface> =
                self.listing.iter().map(|i| (i.name.as_str(), i)).collect();
            plan_vlans(&views, &by, &policy, facts)
        }
    }

    #[test]
    fn a_new_bridge_filters_and_its_parent_carries_exactly_the_vlans() {
        let c = Case::new(&[]);
        let mut f = Facts::default();
        let (v, w) = c
            .run(
                &[ports(Some(20), ""), ports(None, "10,30"), PLAIN],
                true,
                ON15,
                &mut f,
            )
            .unwrap();
        assert_eq!(
            v[0].uplink,
            Uplink::NewFiltering(VlanSet::parse("10,20,30").unwrap())
        );
        assert_eq!(v[1].uplink, Uplink::None);
        assert!(f.reads.is_empty(), "a new bridge is known: {:?}", f.reads);
        // the plain one on it is in no VLAN
        assert_eq!(w.len(), 1);
        assert!(
            matches!(&w[0], VlanWarning::NoVlan { end, .. } if end.as_str() == "e2a_j"),
            "{w:?}"
        );
        // A new bridge for plain epairs only does not filter.
        let (v, w) = c.run(&[PLAIN], true, ON15, &mut f).unwrap();
        assert_eq!(v[0].uplink, Uplink::None);
        assert!(w.is_empty());
    }

    #[test]
    fn an_existing_bridge_must_filter() {
        let c = Case::new(&["ix0"]);
        let mut f = Facts::default();
        let e = c
            .run(&[ports(Some(20), "")], false, ON15, &mut f)
            .unwrap_err();
        let text = e.to_string();
        for needle in [
            "ix0bridge: is not a VLAN-filtering bridge",
            "ifconfig ix0bridge vlanfilter",
            "ifconfig_ix0bridge in rc.conf(5)",
            "ifconfig ix0bridge +iftagged ix0 20",
        ] {
            assert!(text.contains(needle), "{text}");
        }
        // The refusal names an rc.conf line only for a bridge rjib did not
        // make: it reads the description to know.
        assert_eq!(f.reads, ["flags ix0bridge", "description ix0bridge"]);
        f.descr
            .insert("ix0bridge".into(), "rjib: bridge for ix0".into());
        let text = c
            .run(&[ports(Some(20), "")], false, ON15, &mut f)
            .unwrap_err()
            .to_string();
        assert!(!text.contains("ifconfig_ix0bridge"), "{text}");
        assert!(text.contains("rjib made this bridge"), "{text}");
    }

    #[test]
    fn the_uplink_lacking_vids() {
        let c = Case::new(&["ix0"]);
        let mut f = Facts::default();
        f.flags.insert("ix0bridge".into(), 1);
        f.tagged.insert(
            ("ix0bridge".into(), "ix0".into()),
            VlanSet::parse("10,20").unwrap(),
        );
        // Everything there: two reads, nothing to add.
        let (v, _) = c
            .run(&[ports(Some(20), "10")], false, ON15, &mut f)
            .unwrap();
        assert_eq!(v[0].uplink, Uplink::None);
        assert_eq!(f.reads, ["flags ix0bridge", "tagged ix0bridge ix0"]);
        // 30 missing on a bridge rjib did not make: refused, with the fix.
        f.reads.clear();
        let e = c
            .run(&[ports(Some(30), "10")], false, ON15, &mut f)
            .unwrap_err();
        assert_eq!(
            e,
            VlanRefusal::UplinkMissing {
                bridge: "ix0bridge".into(),
                parent: "ix0".into(),
                missing: Box::new(VlanSet::parse("30").unwrap())
            }
        );
        assert!(
            e.to_string()
                .contains("ifconfig ix0bridge +iftagged ix0 30")
        );
        assert_eq!(f.reads.last().unwrap(), "description ix0bridge");
        // rjib made it: add exactly what is missing.
        f.descr
            .insert("ix0bridge".into(), "rjib: bridge for ix0".into());
        let (v, _) = c
            .run(&[ports(Some(30), "10,40-41")], false, ON15, &mut f)
            .unwrap();
        assert_eq!(
            v[0].uplink,
            Uplink::Add(VlanSet::parse("30,40,41").unwrap())
        );
        // A parent that is not a member (the NAT layout): nothing to check.
        let nat = Case::new(&[]);
        let mut f = Facts::default();
        f.flags.insert("ix0bridge".into(), 1);
        let (v, _) = nat
            .run(&[ports(Some(30), "")], false, ON15, &mut f)
            .unwrap();
        assert_eq!(v[0].uplink, Uplink::None);
        assert_eq!(f.reads, ["flags ix0bridge"]);
    }

    #[test]
    fn plain_epairs_on_a_filtering_bridge_take_its_default() {
        let c = Case::new(&["ix0"]);
        let mut f = Facts::default();
        f.flags.insert("ix0bridge".into(), 1);
        let (v, w) = c.run(&[PLAIN], false, ON15, &mut f).unwrap();
        assert_eq!(v[0].joins, PortVlans::default());
        assert_eq!(
            w[0].to_string(),
            "warning: e0a_j: joins the VLAN-filtering bridge ix0bridge in no VLAN (no untagged VID, \
             and the bridge has no defuntagged), so it will pass no traffic; give it one with ix0 untagged VID"
        );
        assert_eq!(f.reads, ["flags ix0bridge", "defpvid ix0bridge"]);
        f.defpvid.insert("ix0bridge".into(), 7);
        let (v, w) = c.run(&[PLAIN], false, ON15, &mut f).unwrap();
        assert_eq!(v[0].joins, ports(Some(7), "").ports());
        assert!(w.is_empty());
        // untagged overrides the default; tagged alone keeps it
        f.tagged.insert(
            ("ix0bridge".into(), "ix0".into()),
            VlanSet::parse("5").unwrap(),
        );
        let (v, _) = c
            .run(&[PLAIN, ports(None, "5")], false, ON15, &mut f)
            .unwrap();
        assert_eq!(v[1].joins, ports(Some(7), "5").ports());
        // ... without a plain link in the same run too (review 15, D4).
        f.reads.clear();
        let (v, _) = c.run(&[ports(None, "5")], false, ON15, &mut f).unwrap();
        assert_eq!(v[0].joins, ports(Some(7), "5").ports());
        assert_eq!(
            f.reads,
            [
                "flags ix0bridge",
                "tagged ix0bridge ix0",
                "defpvid ix0bridge"
            ]
        );
        let (v, _) = c.run(&[ports(Some(5), "5")], false, ON15, &mut f).unwrap();
        assert_eq!(v[0].joins, ports(Some(5), "5").ports());
        // A bridge that does not filter: no warning, but its default
        // counts.
        let mut f = Facts::default();
        f.defpvid.insert("ix0bridge".into(), 7);
        let (v, w) = c.run(&[PLAIN], false, ON15, &mut f).unwrap();
        assert!(w.is_empty());
        assert_eq!(v[0].joins, ports(Some(7), "").ports());
        assert_eq!(f.reads, ["flags ix0bridge", "defpvid ix0bridge"]);
    }

    #[test]
    fn commands_in_refusals_are_quoted() {
        let e = VlanRefusal::UplinkMissing {
            bridge: "a;b".into(),
            parent: "x y".into(),
            missing: Box::new(VlanSet::parse("5").unwrap()),
        };
        assert!(
            e.to_string().contains("ifconfig 'a;b' +iftagged 'x y' 5"),
            "{e}"
        );
        // ifconfig(8) would read a first word `-x…` as options.
        let e = VlanRefusal::UplinkMissing {
            bridge: "-xbridge".into(),
            parent: "-x".into(),
            missing: Box::new(VlanSet::parse("5").unwrap()),
        };
        assert!(
            e.to_string()
                .contains("ifconfig -- -xbridge +iftagged -x 5"),
            "{e}"
        );
    }

    #[test]
    fn rc_variable_names() {
        assert_eq!(rc_var("em0.5"), "em0_5");
        assert_eq!(rc_var("a-b/c+d"), "a_b_c_d");
    }
}
