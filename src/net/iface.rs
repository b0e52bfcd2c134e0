//! One interface as a listing shows it, and its kind of link.

use super::{IfAddr, IfName, Mac, Vid};

/// What kind of link an interface is, as far as bridging cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkType {
    Ether,
    L2Vlan,
    Gif,
    Bridge,
    /// Anything else (`tun`, `loop`, …), by its name.
    Other(String),
}

impl LinkType {
    /// Whether if_bridge(4) accepts such an interface as a member.
    pub fn can_join_bridge(&self) -> bool {
        matches!(self, LinkType::Ether | LinkType::L2Vlan | LinkType::Gif)
    }
}

/// The interface group every epair(4) end is in.
const EPAIR_GROUP: &str = "epair";

/// One interface as a listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub name: IfName,
    pub index: u32,
    pub link: LinkType,
    pub ether: Option<Mac>,
    pub mtu: u32,
    pub up: bool,
    pub groups: Vec<String>,
    /// For a bridge, its members, most recently added first (as the kernel
    /// lists them); `None` for anything else. Span ports are not members.
    pub members: Option<Vec<IfName>>,
    /// For a bridge, the names of its members that rjib cannot hold (not
    /// UTF-8: if_rename takes any bytes but NUL), as bytes; they are left
    /// out of `members`, as their interfaces are out of the listing.
    pub unnamed_members: Vec<Vec<u8>>,
    /// IPv4 and IPv6 addresses, as getifaddrs(3) lists them.
    pub addrs: Vec<IfAddr>,
    /// For a vlan(4) interface, the interface it is tagged on.
    pub vlan_parent: Option<IfName>,
    /// When the interface last changed (`if_data.ifi_lastchange`), in
    /// seconds since the epoch; `None` when the kernel does not say.
    pub lastchange: Option<u64>,
    /// For a bridge member, its untagged VLAN (PVID) in that bridge, as
    /// the bridge's member list (BRDGGIFS `ifbr_pvid`) says; `None` for
    /// none (and on FreeBSD 14, which has no VLANs).
    pub pvid: Option<Vid>,
}

impl Interface {
    /// An interface with nothing but a name, index and link type: down,
    /// MTU 1500, no MAC, groups, members or addresses.
    pub fn new(name: IfName, index: u32, link: LinkType) -> Interface {
        Interface {
            name,
            index,
            link,
            ether: None,
            mtu: 1500,
            up: false,
            groups: Vec::new(),
            members: None,
            unnamed_members: Vec::new(),
            addrs: Vec::new(),
            vlan_parent: None,
            lastchange: None,
            pvid: None,
        }
    }

    pub fn is_bridge(&self) -> bool {
        self.members.is_some() || self.groups.iter().any(|g| g == "bridge")
    }

    /// An epair(4) end: a member of the interface group `epair`. Every
    /// epair end is in it: sys/net/if_clone.c `ifc_link_ifp` adds each
    /// clone, both epair ends included, to the group named after its
    /// cloner, and a rename keeps it; both backends report the group. (An
    /// administrator can add any interface with `ifconfig X group epair`;
    /// the kernel then refuses its destroy, as it would have before.)
    pub fn is_epair(&self) -> bool {
        self.groups.iter().any(|g| g == EPAIR_GROUP)
    }
}
