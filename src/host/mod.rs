//! The one interface between jib's semantics and a host's network stack.
//!
//! Everything rjib does to a host is one of these primitive operations. The
//! simulated host (`crate::netsim`) and the FreeBSD kernel backend
//! (`crate::freebsd`) implement it; the commands in `crate::exec` use only
//! this trait.

pub mod addr;
pub mod counting;
pub mod errno;
pub mod policy;

use std::collections::HashSet;
use std::fmt;

pub use addr::IfAddr;
pub use errno::Errno;
pub use policy::BridgePolicy;

use crate::jib::mac::Mac;
use crate::jib::name::IfName;

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
    /// IPv4 and IPv6 addresses, as getifaddrs(3) lists them.
    pub addrs: Vec<IfAddr>,
    /// For a vlan(4) interface, the interface it is tagged on.
    pub vlan_parent: Option<IfName>,
    /// When the interface last changed (`if_data.ifi_lastchange`), in
    /// seconds since the epoch; `None` when the kernel does not say.
    pub lastchange: Option<u64>,
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
            addrs: Vec::new(),
            vlan_parent: None,
            lastchange: None,
        }
    }

    pub fn is_bridge(&self) -> bool {
        self.members.is_some() || self.groups.iter().any(|g| g == "bridge")
    }

    /// An epair(4) end: a member of interface group `epair`, which the
    /// epair cloner puts both ends in (`if_clone_addif`).
    pub fn is_epair(&self) -> bool {
        self.groups.iter().any(|g| g == "epair")
    }
}

/// A jail as jail_get(2) finds it by name (dying jails included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JailInfo {
    pub jid: i32,
    /// Removed, but not yet torn down (`JAIL_DYING`).
    pub dying: bool,
}

/// syslog(3) priorities rjib uses (facility LOG_DAEMON, ident `rjib`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// A change: something created, destroyed, undone.
    Notice,
    Warning,
    /// A failure or a refusal.
    Err,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Notice => "notice",
            Priority::Warning => "warning",
            Priority::Err => "err",
        }
    }
}

/// The interface cloners rjib creates from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloner {
    Bridge,
    Epair,
}

impl Cloner {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloner::Bridge => "bridge",
            Cloner::Epair => "epair",
        }
    }

    pub fn from_name(s: &str) -> Option<Cloner> {
        [Cloner::Bridge, Cloner::Epair]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// The name SIOCIFCREATE2 is given: `epair`, or `epair7` for unit 7.
    pub fn request(self, unit: Option<u32>) -> String {
        match unit {
            Some(u) => format!("{}{u}", self.as_str()),
            None => self.as_str().to_string(),
        }
    }

    /// The kernel module that provides this cloner (`DECLARE_MODULE`
    /// names in if_bridge.c and if_epair.c).
    pub fn module(self) -> &'static str {
        match self {
            Cloner::Bridge => "if_bridge",
            Cloner::Epair => "if_epair",
        }
    }

    /// The names a new clone with `unit` gets: `bridge3`, or `epair3a`
    /// and `epair3b` (the `a` end first).
    pub fn names(self, unit: u32) -> Vec<String> {
        match self {
            Cloner::Bridge => vec![format!("bridge{unit}")],
            Cloner::Epair => vec![format!("epair{unit}a"), format!("epair{unit}b")],
        }
    }

    /// The unit the kernel picks for a new clone: the lowest one no clone
    /// of this cloner holds and whose bare name `bridgeN` / `epairN` no
    /// interface has (if_clone.c `ifc_alloc_unit_next`, which checks
    /// `"%s%d"` of the cloner name). For an epair the kernel then checks
    /// the end names `epairNa`/`epairNb` and fails with EEXIST instead of
    /// moving on (`epair_handle_unit`); see `unit_blocked`.
    pub fn next_unit(self, held: &HashSet<u32>, taken: impl Fn(&str) -> bool) -> u32 {
        self.next_unit_from(0, |u| held.contains(&u), taken)
    }

    /// `next_unit`, for a caller that knows no unit below `from` is free.
    pub fn next_unit_from(
        self,
        from: u32,
        held: impl Fn(u32) -> bool,
        taken: impl Fn(&str) -> bool,
    ) -> u32 {
        (from..)
            .find(|&u| !held(u) && !taken(&format!("{}{u}", self.as_str())))
            .expect("a free unit")
    }

    /// Whether the kernel refuses `unit` with EEXIST because one of the
    /// names it would give is taken (if_epair.c `epair_handle_unit`; for a
    /// bridge the one name is the bare name, which `next_unit` skips).
    pub fn unit_blocked(self, unit: u32, taken: impl Fn(&str) -> bool) -> bool {
        self.names(unit).iter().any(|n| taken(n))
    }
}

/// The primitive operations, named as the error messages and the fault
/// injection of the simulated host name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    List,
    Create,
    Rename,
    Up,
    Ether,
    Mtu,
    Addm,
    Destroy,
    Lock,
    Describe,
    Kldload,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::List => "list",
            Op::Create => "create",
            Op::Rename => "rename",
            Op::Up => "up",
            Op::Ether => "ether",
            Op::Mtu => "mtu",
            Op::Addm => "addm",
            Op::Destroy => "destroy",
            Op::Lock => "lock",
            Op::Describe => "describe",
            Op::Kldload => "kldload",
        }
    }

    pub fn from_name(s: &str) -> Option<Op> {
        [
            Op::List,
            Op::Create,
            Op::Rename,
            Op::Up,
            Op::Ether,
            Op::Mtu,
            Op::Addm,
            Op::Destroy,
            Op::Lock,
            Op::Describe,
            Op::Kldload,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// A failed host operation: which interface, what was being done, and the
/// kernel's reason. Printed as `IFACE: OPERATION: reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The interface the request was about, if any.
    pub iface: Option<String>,
    /// What was being done, in ifconfig's words (`addm epair0a`, `name e0a_x`).
    pub what: String,
    pub reason: Reason,
    /// The kernel's extended error text (FreeBSD 15 EXTERROR), if any.
    pub detail: Option<String>,
}

/// Why a host operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The kernel said no.
    Errno(Errno),
    /// A signal arrived before the operation (SIGINT, SIGTERM, SIGHUP).
    Interrupted(i32),
    /// Anything else (a file that cannot be read, an unexpected reply).
    Other(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Errno(e) => e.fmt(f),
            Reason::Interrupted(s) => write!(f, "interrupted by {}", crate::signals::name(*s)),
            Reason::Other(s) => f.write_str(s),
        }
    }
}

impl HostError {
    pub fn errno(iface: impl fmt::Display, what: impl Into<String>, e: Errno) -> HostError {
        HostError {
            iface: Some(iface.to_string()),
            what: what.into(),
            reason: Reason::Errno(e),
            detail: None,
        }
    }

    /// The same error with the kernel's extended error text.
    pub fn with_detail(mut self, detail: Option<String>) -> HostError {
        self.detail = detail;
        self
    }

    pub fn other(
        iface: Option<String>,
        what: impl Into<String>,
        why: impl Into<String>,
    ) -> HostError {
        HostError {
            iface,
            what: what.into(),
            reason: Reason::Other(why.into()),
            detail: None,
        }
    }

    pub fn errno_value(&self) -> Option<Errno> {
        match self.reason {
            Reason::Errno(e) => Some(e),
            _ => None,
        }
    }

    /// The signal that stopped the run, if one did.
    pub fn signal(&self) -> Option<i32> {
        match self.reason {
            Reason::Interrupted(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = &self.iface {
            write!(f, "{i}: ")?;
        }
        write!(f, "{}: {}", self.what, self.reason)?;
        match &self.detail {
            Some(d) => write!(f, " ({d})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for HostError {}

pub type HostResult<T> = Result<T, HostError>;

/// A host's network stack, as rjib needs it.
pub trait Host {
    /// The effective uid rjib runs with (0 is root).
    fn euid(&mut self) -> HostResult<u32>;

    /// Take the exclusive lock that serialises every rjib change on this
    /// host, for as long as this value lives, waiting as `wait` says. Call
    /// it before `list` so the listing is not stale.
    fn lock(&mut self, wait: &mut crate::lock::Wait<'_>) -> HostResult<()>;

    /// Every interface, in the kernel's order: attach order, as
    /// getifaddrs(3) walks `V_ifnet` (not index order). One call per
    /// command.
    fn list(&mut self) -> HostResult<Vec<Interface>>;

    /// Create a clone (SIOCIFCREATE2), with the unit the kernel picks, or
    /// with `unit`; returns the kernel's name for it (`bridge3`, or the `a`
    /// end `epair3a` of a new pair).
    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName>;

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()>;

    /// Set or clear IFF_UP.
    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()>;

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()>;

    fn mtu(&mut self, name: &IfName) -> HostResult<u32>;

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()>;

    /// Add `member` to `bridge` (BRDGADD).
    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()>;

    /// Destroy a cloned interface (an epair end destroys its pair).
    fn destroy(&mut self, name: &IfName) -> HostResult<()>;

    /// Whether the cloner's kernel module is loaded (or compiled in):
    /// modfind(2) of `Cloner::module`.
    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool>;

    /// Load the cloner's module with kldload(2), as ifconfig(8)'s
    /// `ifmaybeload` does before `create`. Never undone.
    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()>;

    /// What the running if_bridge refuses (its sysctls).
    fn bridge_policy(&mut self) -> HostResult<BridgePolicy>;

    /// The jail named `name`, dying ones included (jail_get(2) with
    /// `JAIL_DYING`); `None` if there is none.
    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>>;

    /// Set an interface's description (SIOCSIFDESCR); an empty text clears it.
    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()>;

    /// An interface's description (SIOCGIFDESCR); `None` if it has none.
    fn description(&mut self, name: &IfName) -> HostResult<Option<String>>;

    /// Record `message` with syslog(3): facility LOG_DAEMON, ident `rjib`.
    /// Logging never fails a command.
    fn syslog(&mut self, priority: Priority, message: &str);

    /// Make the changes made so far durable. The kernel applies each call at
    /// once, so this does nothing there; the simulated host writes its file.
    fn commit(&mut self) -> HostResult<()> {
        Ok(())
    }
}
