//! What the running if_bridge(4) refuses, as its sysctls say.

/// What the running kernel's if_bridge(4) refuses to add, read from its
/// sysctls before anything is changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BridgePolicy {
    /// FreeBSD major version (`kern.osreldate` / 100000), if known.
    pub release: Option<u32>,
    /// `net.link.bridge.member_ifaddrs`: `None` when the sysctl does not
    /// exist (FreeBSD 14), and the kernel then allows such members.
    pub member_ifaddrs: Option<bool>,
}

impl BridgePolicy {
    /// The policy of a kernel that refuses nothing beyond FreeBSD 14's rules.
    pub const PERMISSIVE: BridgePolicy = BridgePolicy {
        release: None,
        member_ifaddrs: None,
    };

    /// The policy of a kernel whose `kern.osreldate` and
    /// `net.link.bridge.member_ifaddrs` read as given (`None`: no such
    /// sysctl), with if_bridge loaded or not. The one rule for every host.
    ///
    /// The `net.link.bridge` sysctls are created by if_bridge.ko
    /// (`SYSCTL_BOOL(_net_link_bridge, …, member_ifaddrs, …)` in
    /// if_bridge.c), so they exist only while it is loaded. On FreeBSD 15 a
    /// missing sysctl with if_bridge not loaded means "not loaded yet": rjib
    /// loads it, and then its default, 0 (refuse), applies. A missing sysctl
    /// with if_bridge loaded is a kernel without the check (FreeBSD 14, or a
    /// 15-CURRENT older than it): such members are allowed.
    pub fn from_sysctls(
        osreldate: Option<i64>,
        member_ifaddrs: Option<i64>,
        bridge_loaded: bool,
    ) -> BridgePolicy {
        let release = osreldate.and_then(|d| u32::try_from(d / 100_000).ok());
        let member_ifaddrs = match member_ifaddrs {
            Some(v) => Some(v != 0),
            None if !bridge_loaded && release.is_some_and(|r| r >= 15) => Some(false),
            None => None,
        };
        BridgePolicy {
            release,
            member_ifaddrs,
        }
    }

    /// Whether BRDGADD refuses a member that holds an IPv4 or IPv6 address
    /// (FreeBSD 15 `bridge_ioctl_add`, while `member_ifaddrs` is 0).
    pub fn refuses_member_addrs(&self) -> bool {
        self.member_ifaddrs == Some(false)
    }

    /// Whether BRDGADD refuses a vlan(4) interface whose parent is a bridge
    /// (FreeBSD 15 `bridge_ioctl_add`: "Bridge SVI cannot be added to a
    /// bridge").
    pub fn refuses_bridge_svi(&self) -> bool {
        self.release.is_some_and(|r| r >= 15)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridge_policy_from_sysctls() {
        let p = BridgePolicy::from_sysctls;
        // FreeBSD 14: no sysctl, loaded or not: members may hold addresses.
        for loaded in [false, true] {
            let on14 = p(Some(1_403_000), None, loaded);
            assert_eq!(on14.release, Some(14));
            assert!(!on14.refuses_member_addrs());
            assert!(!on14.refuses_bridge_svi());
        }
        // FreeBSD 15 before if_bridge is loaded: the default 0 will apply.
        let unloaded = p(Some(1_500_068), None, false);
        assert_eq!(unloaded.member_ifaddrs, Some(false));
        assert!(unloaded.refuses_member_addrs());
        assert!(unloaded.refuses_bridge_svi());
        // FreeBSD 15 with the sysctl, whatever the module says.
        assert!(!p(Some(1_500_068), Some(1), true).refuses_member_addrs());
        assert!(p(Some(1_500_068), Some(0), true).refuses_member_addrs());
        // FreeBSD 15 with if_bridge loaded and no sysctl: no such check.
        assert!(!p(Some(1_500_000), None, true).refuses_member_addrs());
        // No kern.osreldate: nothing is known, nothing refused.
        assert_eq!(p(None, None, false), BridgePolicy::PERMISSIVE);
    }
}
