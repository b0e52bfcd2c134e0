//! The one interface between jib's semantics and a host's network stack.
//!
//! Everything rjib does to a host is one of these primitive operations. The
//! simulated host (`crate::netsim`) and the FreeBSD kernel backend
//! (`crate::freebsd`) implement it; the commands in `crate::exec` use only
//! this trait.

pub mod counting;
pub mod errno;

use std::collections::HashSet;
use std::fmt;

pub use errno::Errno;

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
    /// lists them); `None` for anything else.
    pub members: Option<Vec<IfName>>,
}

impl Interface {
    pub fn is_bridge(&self) -> bool {
        self.members.is_some() || self.groups.iter().any(|g| g == "bridge")
    }
}

/// The interface cloners rjib creates from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

    /// The names a new clone with `unit` gets: `bridge3`, or `epair3a`
    /// and `epair3b` (the `a` end first).
    pub fn names(self, unit: u32) -> Vec<String> {
        match self {
            Cloner::Bridge => vec![format!("bridge{unit}")],
            Cloner::Epair => vec![format!("epair{unit}a"), format!("epair{unit}b")],
        }
    }

    /// The unit the kernel gives a new clone: the lowest one no clone of
    /// this cloner holds and none of whose names is taken.
    pub fn next_unit(self, held: &HashSet<u32>, taken: impl Fn(&str) -> bool) -> u32 {
        (0..)
            .find(|u| !held.contains(u) && self.names(*u).iter().all(|n| !taken(n)))
            .expect("a free unit")
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
}

/// Why a host operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The kernel said no.
    Errno(Errno),
    /// Anything else (a file that cannot be read, an unexpected reply).
    Other(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Errno(e) => e.fmt(f),
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
        }
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
        }
    }

    pub fn errno_value(&self) -> Option<Errno> {
        match self.reason {
            Reason::Errno(e) => Some(e),
            Reason::Other(_) => None,
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = &self.iface {
            write!(f, "{i}: ")?;
        }
        write!(f, "{}: {}", self.what, self.reason)
    }
}

impl std::error::Error for HostError {}

pub type HostResult<T> = Result<T, HostError>;

/// A host's network stack, as rjib needs it.
pub trait Host {
    /// The effective uid rjib runs with (0 is root).
    fn euid(&mut self) -> HostResult<u32>;

    /// Take the exclusive lock that serialises every rjib `addm` and
    /// `destroy` on this host, for as long as this value lives. Call it
    /// before `list` so the listing is not stale.
    fn lock(&mut self) -> HostResult<()>;

    /// Every interface, by index. One call per command.
    fn list(&mut self) -> HostResult<Vec<Interface>>;

    /// Create a clone; the kernel picks and returns the name
    /// (`bridge3`, or the `a` end `epair3a` of a new pair).
    fn create(&mut self, cloner: Cloner) -> HostResult<IfName>;

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

    /// The units held by clones of `cloner` (renamed ones included), when
    /// the host can tell; the dry run uses them to predict the kernel's
    /// choice. The simulated host knows them; FreeBSD does not show the
    /// unit of a renamed clone, so there the dry run goes by names.
    fn units(&mut self, _cloner: Cloner) -> HostResult<Option<Vec<u32>>> {
        Ok(None)
    }

    /// Make the changes made so far durable. The kernel applies each call at
    /// once, so this does nothing there; the simulated host writes its file.
    fn commit(&mut self) -> HostResult<()> {
        Ok(())
    }
}
