//! The simulated host file's contents (netsim-state.md, format version 3;
//! a version 1 or 2 file is read as version 3 with every new field at its
//! default). Fields absent from a file stay absent when it is written back,
//! and unknown fields are kept as they are.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The file's top level.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct State {
    pub version: u32,
    /// FreeBSD major version whose kernel rules apply: 14 (default), 15 or 16.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub euid: Option<u32>,
    /// rjib runs inside a VNET jail: kldload(2) is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jailed: Option<bool>,
    /// Loaded modules that provide cloners; absent: both loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modules: Option<Vec<String>>,
    /// sysctl values the rules read; absent ones take the release default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysctl: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jails: Option<Vec<SimJail>>,
    /// syslog(3) records rjib made, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<LogRecord>>,
    pub interfaces: Vec<SimIf>,
    /// Every other field (`faults`, anything a newer writer added), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A jail that exists (jail_get(2)).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SimJail {
    pub name: String,
    pub jid: i32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dying: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One syslog(3) record (facility daemon, ident rjib).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LogRecord {
    pub priority: String,
    pub message: String,
}

/// One interface of the simulated host.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SimIf {
    pub name: String,
    /// The name the kernel has for it, as bytes, where that is not UTF-8
    /// (if_rename takes any bytes but NUL; a jail's root can name its end
    /// so before the end comes back to the host). `name` then only refers
    /// to it within the file (`peer`, `members`): no request finds it by
    /// `name`, and listings give these bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_name: Option<Vec<u8>>,
    pub index: u32,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub cloner: Option<String>,
    #[serde(default)]
    pub unit: Option<u32>,
    #[serde(default)]
    pub peer: Option<String>,
    #[serde(default)]
    pub ether: Option<String>,
    pub mtu: u32,
    pub up: bool,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spans: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan_parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addrs: Option<Vec<String>>,
    /// A bridge's `IFBRF_VLANFILTER` (version 3); absent: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlanfilter: Option<bool>,
    /// The untagged VLAN a bridge gives new members (`sc_defpvid`,
    /// version 3); absent or 0: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defpvid: Option<u16>,
    /// A bridge member's untagged VLAN (`bif_pvid`, version 3); absent or
    /// 0: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvid: Option<u16>,
    /// A bridge member's tagged VLANs (`bif_vlan_set`, version 3), sorted;
    /// absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagged: Option<Vec<u16>>,
    /// The jail whose vnet holds the interface, by name or jid; absent:
    /// the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnet: Option<Vnet>,
    /// `if_data.ifi_lastchange`, seconds since the epoch; absent: long ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastchange: Option<u64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A jail whose vnet holds an interface: by its name, or, where a dying
/// jail and a running one share the name (a jail restarted while its
/// previous run is still dying), by its jid.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Vnet {
    Jid(i32),
    Name(String),
}

impl Vnet {
    /// The jid of the jail it names in `jails` (a name must name one
    /// jail only: `super::validate` checks that).
    pub fn jid(&self, jails: &[SimJail]) -> Option<i32> {
        match self {
            Vnet::Jid(j) => jails.iter().find(|x| x.jid == *j).map(|x| x.jid),
            Vnet::Name(n) => jails.iter().find(|x| &x.name == n).map(|x| x.jid),
        }
    }
}

impl std::fmt::Display for Vnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Vnet::Jid(j) => write!(f, "jid {j}"),
            Vnet::Name(n) => f.write_str(n),
        }
    }
}

impl State {
    /// The jails, as a slice (none when the file has no `jails`).
    pub fn jail_list(&self) -> &[SimJail] {
        self.jails.as_deref().unwrap_or(&[])
    }

    /// The jid of the vnet `i` is in; `None`: the host.
    pub fn vnet_jid(&self, i: &SimIf) -> Option<i32> {
        i.vnet.as_ref().and_then(|v| v.jid(self.jail_list()))
    }
}

/// The `type` names a host file may use; each is one `IFT_*` value of
/// FreeBSD's (`crate::freebsd::iftype` maps them both ways).
pub const KINDS: &[&str] = &[
    "ether", "l2vlan", "gif", "bridge", "loop", "tun", "other", "tunnel", "stf", "pflog", "pfsync",
];

impl SimIf {
    /// `type`, with its default; a bridge cloner makes it `bridge`.
    pub fn kind(&self) -> &str {
        if self.is_bridge() {
            return "bridge";
        }
        self.kind.as_deref().unwrap_or("ether")
    }

    pub fn is_bridge(&self) -> bool {
        self.cloner.as_deref() == Some("bridge")
    }

    pub fn is_epair(&self) -> bool {
        self.cloner.as_deref() == Some("epair")
    }

    /// Whether it has a link-level address the kernel can change
    /// (`if_setlladdr` compares the request's length with `sdl_alen`, which
    /// is 0 for an interface without one: loop, tun, gif, …).
    pub fn has_lladdr(&self) -> bool {
        self.ether.is_some()
    }

    /// The name as the kernel gives it to a listing: `raw_name`, or `name`.
    pub fn wire_name(&self) -> &[u8] {
        self.raw_name.as_deref().unwrap_or(self.name.as_bytes())
    }

    /// Whether requests can name it: its name is `name`.
    pub fn nameable(&self) -> bool {
        self.raw_name.is_none()
    }

    /// On the host (not moved into a jail's vnet).
    pub fn on_host(&self) -> bool {
        self.vnet.is_none()
    }

    /// `members` of a bridge (a `null` list is empty).
    pub fn member_list(&self) -> &[String] {
        self.members.as_deref().unwrap_or(&[])
    }

    pub fn span_list(&self) -> &[String] {
        self.spans.as_deref().unwrap_or(&[])
    }

    pub fn addr_list(&self) -> &[String] {
        self.addrs.as_deref().unwrap_or(&[])
    }

    /// `tagged` (absent is empty).
    pub fn tagged_list(&self) -> &[u16] {
        self.tagged.as_deref().unwrap_or(&[])
    }

    /// Whether it holds any VLAN state, which only version 3 describes.
    pub fn has_vlan_state(&self) -> bool {
        self.vlanfilter == Some(true)
            || self.defpvid.unwrap_or(0) != 0
            || self.pvid.unwrap_or(0) != 0
            || !self.tagged_list().is_empty()
    }

    /// Set the member's untagged VLAN; 0 (none) is written as absent.
    pub fn set_pvid(&mut self, pvid: u16) {
        self.pvid = (pvid != 0).then_some(pvid);
    }

    /// Set the member's tagged VLANs (sorted); none is written as absent.
    pub fn set_tagged(&mut self, vids: Vec<u16>) {
        self.tagged = (!vids.is_empty()).then_some(vids);
    }

    /// Forget its VLAN membership: it left its bridge
    /// (`bridge_delete_member` frees the member's state with it).
    pub fn clear_membership(&mut self) {
        self.pvid = None;
        self.tagged = None;
    }
}

impl State {
    /// Whether anything in it needs format version 3 (VLAN state).
    pub fn needs_v3(&self) -> bool {
        self.interfaces.iter().any(SimIf::has_vlan_state)
    }
}
