//! What the running if_bridge(4) does with a new member that holds an IPv4
//! or IPv6 address, and with a vlan of a bridge: the one rule that both
//! hosts, the dry run and `check` apply.
//!
//! FreeBSD 15's `bridge_ioctl_add` (sys/net/if_bridge.c, read at
//! Acesp25/freebsd-src e406195c) walks the new member's addresses, gif(4)
//! excepted: while `net.link.bridge.member_ifaddrs` is true it prints
//! "WARNING: Adding member interface … which has an IP address assigned is
//! deprecated and will be unsupported in a future release" and adds the
//! member; while it is false it returns EINVAL ("Member interface may not
//! have an IP address assigned"). The sysctl is declared there with
//! `VNET_DEFINE_STATIC(bool, member_ifaddrs) = true` (CTLFLAG_RW, no
//! tunable), so FreeBSD 15.0 shipped with 1. FreeBSD 14's `bridge_ioctl_add`
//! (sobomax/freebsd14_vendor 0f7ff342) has no such check. FreeBSD 16 drops
//! the sysctl and behaves as at 0.
//!
//! The sysctl belongs to if_bridge.ko (`SYSCTL_NODE(_net_link, …, bridge,
//! …)`), so it exists only while the module is loaded: a real `addm` loads
//! the modules first and reads it then; the dry run and `check` load
//! nothing and predict from the release's default, and say so.

use std::fmt;

/// The sysctl that decides.
pub const MEMBER_IFADDRS: &str = "net.link.bridge.member_ifaddrs";

/// The default of `net.link.bridge.member_ifaddrs` on FreeBSD 15.
pub const MEMBER_IFADDRS_DEFAULT_15: i64 = 1;

/// What the kernel does when a new bridge member holds an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Adds it, saying nothing (FreeBSD 14).
    Allow,
    /// Adds it, with the deprecation warning (FreeBSD 15 at 1).
    Warn,
    /// EINVAL (FreeBSD 15 at 0, FreeBSD 16).
    Refuse,
}

/// Why the verdict is what it is: what a message has to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The sysctl reads `value`; `set_by` is the sysctl.conf(5) line
    /// (`/etc/sysctl.conf:12`) that sets it at boot, if that is where the
    /// value comes from.
    Sysctl { value: i64, set_by: Option<String> },
    /// The sysctl does not exist although if_bridge is loaded: FreeBSD 14
    /// (no such rule), or FreeBSD 16 (no sysctl, always refused).
    NoSysctl { release: Option<u32> },
    /// if_bridge is not loaded, so the sysctl does not exist yet: predicted
    /// from the release's default.
    Predicted { release: u32, default: i64 },
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Basis::Sysctl {
                value,
                set_by: None,
            } => write!(f, "sysctl {MEMBER_IFADDRS}={value}"),
            Basis::Sysctl {
                value,
                set_by: Some(at),
            } => write!(f, "{MEMBER_IFADDRS}={value} at {at}"),
            Basis::NoSysctl {
                release: Some(r), ..
            } if *r >= 16 => write!(
                f,
                "FreeBSD {r} has no sysctl {MEMBER_IFADDRS} and refuses them"
            ),
            Basis::NoSysctl { release } => match release {
                Some(r) => write!(f, "FreeBSD {r} without sysctl {MEMBER_IFADDRS}"),
                None => write!(f, "no sysctl {MEMBER_IFADDRS}"),
            },
            Basis::Predicted { release, default } => write!(
                f,
                "predicted: if_bridge is not loaded yet, and FreeBSD {release}'s \
                 {MEMBER_IFADDRS} defaults to {default}"
            ),
        }
    }
}

/// The verdict on a member that holds an address, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberAddrs {
    pub verdict: Verdict,
    pub basis: Basis,
}

/// What the running kernel's if_bridge(4) does with the members rjib adds,
/// from its sysctls as they read before anything is changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgePolicy {
    /// FreeBSD major version (`kern.osreldate` / 100000), if known.
    pub release: Option<u32>,
    /// `net.link.bridge.member_ifaddrs` as read; `None` when the sysctl
    /// does not exist.
    pub member_ifaddrs: Option<i64>,
    /// Whether if_bridge was loaded (or compiled in) when it was read.
    pub bridge_loaded: bool,
    /// The sysctl.conf(5) line `member_ifaddrs` comes from, when it comes
    /// from one (`check`).
    pub set_by: Option<String>,
}

impl BridgePolicy {
    /// The policy of a kernel that refuses nothing beyond FreeBSD 14's rules.
    pub const PERMISSIVE: BridgePolicy = BridgePolicy {
        release: None,
        member_ifaddrs: None,
        bridge_loaded: true,
        set_by: None,
    };

    /// The policy of a kernel whose `kern.osreldate` and
    /// `net.link.bridge.member_ifaddrs` read as given (`None`: no such
    /// sysctl), with if_bridge loaded or not.
    pub fn from_sysctls(
        osreldate: Option<i64>,
        member_ifaddrs: Option<i64>,
        bridge_loaded: bool,
    ) -> BridgePolicy {
        BridgePolicy {
            release: osreldate.and_then(|d| u32::try_from(d / 100_000).ok()),
            member_ifaddrs,
            bridge_loaded,
            set_by: None,
        }
    }

    /// Whether the member-address rule can be known only once if_bridge
    /// is loaded: a real `addm` that creates a bridge loads it and reads
    /// the policy again before it judges.
    pub fn needs_load(&self) -> bool {
        !self.bridge_loaded
    }

    /// This policy with `net.link.bridge.member_ifaddrs=value` from
    /// sysctl.conf(5) at `at`, as boot will set it (`check`). The running
    /// kernel's 0 stays; so does a release whose if_bridge has no such
    /// sysctl (14 and 16: setting it fails at boot), unless this kernel
    /// shows one.
    pub fn with_boot_setting(mut self, value: i64, at: String) -> BridgePolicy {
        let exists = self.member_ifaddrs.is_some() || self.release == Some(15);
        if exists && self.member_ifaddrs != Some(0) {
            self.member_ifaddrs = Some(value);
            self.set_by = Some(at);
        }
        self
    }

    /// What BRDGADD does with a member (other than gif) that holds an IPv4
    /// or IPv6 address. Wherever the sysctl exists its value decides,
    /// whatever the release (a 14 may have it backported): 0 refuses, and
    /// anything else adds, with a warning from 15 on. Where it does not:
    /// FreeBSD 16 and later refuse; FreeBSD 15 before if_bridge is loaded
    /// is predicted from its default (1); anything else has no such rule
    /// (FreeBSD 14, or a 15-CURRENT older than the check).
    pub fn member_addrs(&self) -> MemberAddrs {
        let (verdict, basis) = match self.member_ifaddrs {
            Some(value) => {
                let verdict = if value == 0 {
                    Verdict::Refuse
                } else if self.release.is_some_and(|r| r < 15) {
                    Verdict::Allow
                } else {
                    Verdict::Warn
                };
                let set_by = self.set_by.clone();
                (verdict, Basis::Sysctl { value, set_by })
            }
            None => match self.release {
                Some(r) if r >= 16 => (Verdict::Refuse, Basis::NoSysctl { release: Some(r) }),
                Some(15) if !self.bridge_loaded => (
                    Verdict::Warn,
                    Basis::Predicted {
                        release: 15,
                        default: MEMBER_IFADDRS_DEFAULT_15,
                    },
                ),
                release => (Verdict::Allow, Basis::NoSysctl { release }),
            },
        };
        MemberAddrs { verdict, basis }
    }

    /// Whether the bridge filters VLANs: FreeBSD 15's if_bridge has the
    /// BRDG commands 31 to 38 (BRDGSIFPVID … BRDGSIFVLANPROTO) and
    /// `IFBRF_VLANFILTER`; FreeBSD 14's command table ends at 30.
    pub fn has_vlans(&self) -> bool {
        self.release.is_some_and(|r| r >= 15)
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

    /// A kernel of `release` whose if_bridge, once loaded, has the sysctl
    /// at `sysctl` (`None`: no such sysctl), loaded at the start or not.
    #[derive(Clone, Copy, Debug)]
    struct Kernel {
        release: u32,
        sysctl: Option<i64>,
        loaded: bool,
    }

    impl Kernel {
        /// The sysctls as read now: the `net.link.bridge` ones only while
        /// if_bridge is loaded.
        fn read(&self) -> BridgePolicy {
            let osreldate = i64::from(self.release) * 100_000 + 68;
            let value = if self.loaded { self.sysctl } else { None };
            BridgePolicy::from_sysctls(Some(osreldate), value, self.loaded)
        }

        /// What a real `addm` that creates a bridge judges by: it loads
        /// if_bridge when it is not loaded, then reads.
        fn real(mut self) -> MemberAddrs {
            if self.read().needs_load() {
                self.loaded = true;
            }
            self.read().member_addrs()
        }

        /// What the dry run and `check` judge by: they load nothing.
        fn predicted(self) -> MemberAddrs {
            self.read().member_addrs()
        }
    }

    fn sysctl(value: i64) -> Basis {
        Basis::Sysctl {
            value,
            set_by: None,
        }
    }

    /// The whole matrix: release 14, 15, 16 × the sysctl absent, 0 or 1 ×
    /// if_bridge loaded or not × real or predicted.
    #[test]
    fn member_addresses_across_the_matrix() {
        use Verdict::*;
        let predicted15 = Basis::Predicted {
            release: 15,
            default: 1,
        };
        let none = |r| Basis::NoSysctl { release: Some(r) };
        for release in [14, 15, 16] {
            for value in [None, Some(0), Some(1)] {
                for loaded in [false, true] {
                    let k = Kernel {
                        release,
                        sysctl: value,
                        loaded,
                    };
                    // The real path always reads with if_bridge loaded:
                    // the sysctl's value decides wherever it exists.
                    let real = match (release, value) {
                        (_, Some(0)) => (Refuse, sysctl(0)),
                        (14, Some(1)) => (Allow, sysctl(1)),
                        (_, Some(1)) => (Warn, sysctl(1)),
                        (16, None) => (Refuse, none(16)),
                        (r, None) => (Allow, none(r)),
                        _ => unreachable!(),
                    };
                    let got = k.real();
                    assert_eq!((got.verdict, got.basis), real, "real {k:?}");
                    // Predicted: the same once loaded; before, the
                    // release's default, whatever loading would show.
                    let predicted = match (release, loaded) {
                        (_, true) => real,
                        (14, false) => (Allow, none(14)),
                        (15, false) => (Warn, predicted15.clone()),
                        (16, false) => (Refuse, none(16)),
                        _ => unreachable!(),
                    };
                    let got = k.predicted();
                    assert_eq!((got.verdict, got.basis), predicted, "predicted {k:?}");
                }
            }
        }
    }

    #[test]
    fn an_unknown_release_has_only_the_sysctl() {
        let p = |v, loaded| BridgePolicy::from_sysctls(None, v, loaded).member_addrs();
        assert_eq!(p(None, false).verdict, Verdict::Allow);
        assert_eq!(p(None, true).verdict, Verdict::Allow);
        assert_eq!(p(Some(0), true).verdict, Verdict::Refuse);
        assert_eq!(p(Some(1), true).verdict, Verdict::Warn);
        assert_eq!(
            BridgePolicy::PERMISSIVE.member_addrs().verdict,
            Verdict::Allow
        );
        assert!(!BridgePolicy::PERMISSIVE.needs_load());
    }

    #[test]
    fn the_bridge_svi_rule_comes_with_15() {
        for (r, refused) in [(14, false), (15, true), (16, true)] {
            let p = BridgePolicy::from_sysctls(Some(r * 100_000), None, true);
            assert_eq!(p.refuses_bridge_svi(), refused, "{r}");
        }
        assert!(!BridgePolicy::PERMISSIVE.refuses_bridge_svi());
    }

    /// sysctl.conf(5) sets the sysctl at boot where if_bridge has one; a
    /// running 0 is not undone by it.
    #[test]
    fn a_boot_setting_decides_where_the_sysctl_exists() {
        let at = || "/etc/sysctl.conf:3".to_string();
        let on = |r: i64, v, loaded| BridgePolicy::from_sysctls(Some(r * 100_000), v, loaded);
        let boot0 = on(15, None, false)
            .with_boot_setting(0, at())
            .member_addrs();
        assert_eq!(boot0.verdict, Verdict::Refuse);
        assert_eq!(
            boot0.basis,
            Basis::Sysctl {
                value: 0,
                set_by: Some(at())
            }
        );
        assert_eq!(
            boot0.basis.to_string(),
            "net.link.bridge.member_ifaddrs=0 at /etc/sysctl.conf:3"
        );
        let boot1 = on(15, Some(1), true).with_boot_setting(1, at());
        assert_eq!(boot1.member_addrs().verdict, Verdict::Warn);
        // The kernel reads 0 now: that stays the reason.
        let live0 = on(15, Some(0), true).with_boot_setting(1, at());
        assert_eq!(live0.member_addrs().basis, sysctl(0));
        // FreeBSD 14 has no such sysctl to set.
        let on14 = on(14, None, true).with_boot_setting(0, at());
        assert_eq!(on14.member_addrs().verdict, Verdict::Allow);
        // Nor has FreeBSD 16, which refuses whatever sysctl.conf says...
        assert_eq!(
            on(16, None, false)
                .with_boot_setting(1, at())
                .member_addrs()
                .verdict,
            Verdict::Refuse
        );
        // ...unless its if_bridge shows the sysctl after all.
        let has = on(16, Some(1), true).with_boot_setting(0, at());
        assert_eq!(has.member_addrs().verdict, Verdict::Refuse);
        assert_eq!(has.set_by, Some(at()));
    }

    #[test]
    fn each_basis_names_the_sysctl() {
        for b in [
            sysctl(0),
            sysctl(1),
            Basis::NoSysctl { release: Some(16) },
            Basis::NoSysctl { release: Some(14) },
            Basis::Predicted {
                release: 15,
                default: 1,
            },
        ] {
            assert!(b.to_string().contains(MEMBER_IFADDRS), "{b}");
        }
        assert_eq!(
            Basis::NoSysctl { release: Some(16) }.to_string(),
            "FreeBSD 16 has no sysctl net.link.bridge.member_ifaddrs and refuses them"
        );
    }
}
