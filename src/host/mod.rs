//! The one interface between jib's semantics and a host's network stack.
//!
//! Everything rjib does to a host is one of these primitive operations. The
//! simulated host (`crate::netsim`) and the FreeBSD kernel backend
//! (`crate::freebsd`) implement it; the commands in `crate::exec` use only
//! this trait.

pub mod counting;

use std::fmt;
use std::time::Duration;

use crate::net::{
    BridgeFlags, BridgePolicy, Cloner, Errno, IfName, Interface, JailInfo, Mac, Vid, VlanOp,
    VlanSet,
};
use crate::signals::Stop;

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
    /// Setting a member's untagged VLAN (BRDGSIFPVID).
    Pvid,
    /// Changing a member's tagged VLANs (BRDGSIFVLANSET).
    Vlanset,
    /// Setting a bridge's flags (BRDGSFLAGS).
    Bridgeflags,
    /// Reading an interface's driver name and unit (a sysctl).
    Driver,
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
            Op::Pvid => "pvid",
            Op::Vlanset => "vlanset",
            Op::Bridgeflags => "bridgeflags",
            Op::Driver => "drivername",
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
            Op::Pvid,
            Op::Vlanset,
            Op::Bridgeflags,
            Op::Driver,
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

    /// `what` stopped by the signal `sig` before it changed anything
    /// more: "WHAT: interrupted by SIGTERM".
    pub fn interrupted(what: impl Into<String>, sig: i32) -> HostError {
        HostError {
            iface: None,
            what: what.into(),
            reason: Reason::Interrupted(sig),
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

/// A failed BRDGSIFPVID, in ifconfig(8)'s words: `ifuntagged IF 20`,
/// `-ifuntagged IF`.
pub fn pvid_words(member: impl fmt::Display, pvid: Option<Vid>) -> String {
    match pvid {
        Some(v) => format!("ifuntagged {member} {v}"),
        None => format!("-ifuntagged {member}"),
    }
}

/// A failed BRDGSIFVLANSET, in ifconfig(8)'s words: `+iftagged IF 10,20`.
pub fn vlanset_words(member: impl fmt::Display, op: VlanOp, set: &VlanSet) -> String {
    format!("{} {member} {set}", op.command())
}

/// A failed BRDGSFLAGS, in ifconfig(8)'s words: `vlanfilter`.
pub fn flags_words(flags: BridgeFlags) -> &'static str {
    if flags.vlanfilter() {
        "vlanfilter"
    } else {
        "-vlanfilter"
    }
}

/// Who takes the host lock (`Host::lock`), and how to wait for it.
pub struct LockWait<'a> {
    /// What the holder writes into the lock file: `PID COMMAND`.
    pub holder: &'a str,
    pub timeout: Duration,
    pub stop: &'a dyn Stop,
    /// Told once, after a short wait, whom the run waits for.
    pub notice: &'a mut dyn FnMut(&str),
}

/// A host's network stack, as rjib needs it.
pub trait Host {
    /// The effective uid rjib runs with (0 is root).
    fn euid(&mut self) -> HostResult<u32>;

    /// Take the exclusive lock that serialises every rjib change on this
    /// host, for as long as this value lives, waiting as `wait` says. Call
    /// it before `list` so the listing is not stale.
    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()>;

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

    /// The driver name and unit of the host interface whose index is
    /// `index`, as sysctl `net.link.generic.ifdata.INDEX.drivername` gives
    /// them (sys/net/if_mib.c `sysctl_ifdata`, IFDATA_DRIVERNAME):
    /// `if_dname` then `if_dunit`, which no rename changes, so `epair3`
    /// for either end of epair 3 whatever they are named now
    /// (if_epair.c `epair_setup_ifp` gives both ends the cloner's name and
    /// the pair's unit). `name` is its name in the listing, for messages.
    /// `None`: no interface has that index on the host (ENOENT: one in a
    /// jail's vnet is not found, `ifnet_byindex`).
    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>>;

    /// The jail named `name`, dying ones included (jail_get(2) with
    /// `JAIL_DYING`); `None` if there is none.
    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>>;

    /// Set an interface's description (SIOCSIFDESCR); an empty text clears it.
    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()>;

    /// An interface's description (SIOCGIFDESCR); `None` if it has none.
    fn description(&mut self, name: &IfName) -> HostResult<Option<String>>;

    /// A bridge's flags (BRDGGFLAGS; FreeBSD 15).
    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags>;

    /// Set a bridge's flags (BRDGSFLAGS; FreeBSD 15). Read them first and
    /// change only the bit meant, as ifconfig(8) does.
    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()>;

    /// The untagged VLAN a bridge gives its new members (BRDGGDEFPVID;
    /// FreeBSD 15); `None` for none.
    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>>;

    /// Set a member's untagged VLAN (BRDGSIFPVID; FreeBSD 15); `None`
    /// clears it.
    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()>;

    /// A member's tagged VLANs (BRDGGIFVLANSET; FreeBSD 15).
    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet>;

    /// Replace, add to or take from a member's tagged VLANs
    /// (BRDGSIFVLANSET; FreeBSD 15).
    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()>;

    /// Record `message` with syslog(3): facility LOG_DAEMON, ident `rjib`.
    /// Logging never fails a command.
    fn syslog(&mut self, priority: Priority, message: &str);

    /// Make the changes made so far durable. The kernel applies each call at
    /// once, so this does nothing there; the simulated host writes its file.
    fn commit(&mut self) -> HostResult<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::HostError;

    #[test]
    fn an_interrupted_operation_says_by_which_signal() {
        let e = HostError::interrupted("addm web", signal_hook::consts::SIGTERM);
        assert_eq!(e.to_string(), "addm web: interrupted by SIGTERM");
        assert_eq!(e.signal(), Some(signal_hook::consts::SIGTERM));
        assert_eq!(e.errno_value(), None);
    }
}
