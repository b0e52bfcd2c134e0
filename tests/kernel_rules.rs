//! The simulated kernel's rules (doc/netsim.md, "Kernel rules"), one test
//! per rule. Each test builds a version 2 host file for FreeBSD 14 and for
//! FreeBSD 15, opens each one directly (`SimHost`) and through the FreeBSD
//! backend on the ioctl emulator (`emulated_host`), makes the same calls
//! through the `Host` trait and asserts what the kernel answers on that
//! release: the errno, the extended error text, and the state afterwards.
//!
//! Rules the `Host` trait cannot reach (a five-byte MAC, a 16-byte name,
//! an ifbreq of the wrong size) are tested in `src/netsim/model.rs` and
//! `src/emulator/tests.rs`.

mod common;

use std::fmt::Debug;

use common::{HostFile, eth, iface, with};
use rjib::emulator::emulated_host;
use rjib::host::{Host, HostError, HostResult};
use rjib::net::{
    BridgeFlags, Cloner, Errno, IfAddr, IfName, Interface, JailInfo, LinkType, Mac, Vid, VlanOp,
    VlanSet,
};
use rjib::netsim::SimHost;
use rjib::util::now_secs as now;
use serde_json::{Value, json};

/// FreeBSD 15's extended error texts (if_bridge.c `bridge_ioctl_add`).
const EXT_MEMBER_HAS_ADDR: &str = "Member interface may not have an IP address assigned";
const EXT_BRIDGE_SVI: &str = "Bridge SVI cannot be added to a bridge";
const EXT_NO_SUCH_INTERFACE: &str = "No such interface";
const EXT_SPAN_MEMBER: &str = "Span interface cannot be a member";
const EXT_MEMBER_OF_THIS: &str = "Interface is already a member of this bridge";
const EXT_MEMBER_OF_OTHER: &str = "Interface is already a member of another bridge";
const EXT_UNSUPPORTED_TYPE: &str = "Unsupported interface type";

// ---------------------------------------------------------------------------
// The harness.

/// One host file, opened one way, playing one release.
struct K {
    via: &'static str,
    release: u32,
    host: Box<dyn Host>,
    hf: HostFile,
}

impl K {
    fn open(via: &'static str, release: u32, file: &Value) -> K {
        let hf = HostFile::new(file);
        let host: Box<dyn Host> = match via {
            "direct" => Box::new(SimHost::open(hf.path.clone()).unwrap()),
            "ioctl" => emulated_host(hf.path.clone()).unwrap(),
            _ => unreachable!(),
        };
        K {
            via,
            release,
            host,
            hf,
        }
    }

    /// Where a failed assertion happened.
    fn at(&self) -> String {
        format!("{} on FreeBSD {}", self.via, self.release)
    }

    fn is15(&self) -> bool {
        self.release >= 15
    }

    fn list(&mut self) -> Vec<Interface> {
        self.host.list().unwrap()
    }

    fn names(&mut self) -> Vec<String> {
        self.list().iter().map(|i| i.name.to_string()).collect()
    }

    fn get(&mut self, name: &str) -> Interface {
        let at = self.at();
        self.list()
            .into_iter()
            .find(|i| i.name.as_str() == name)
            .unwrap_or_else(|| panic!("{at}: {name} is not listed"))
    }

    fn has(&mut self, name: &str) -> bool {
        self.list().iter().any(|i| i.name.as_str() == name)
    }

    fn members(&mut self, bridge: &str) -> Vec<String> {
        let at = self.at();
        self.get(bridge)
            .members
            .unwrap_or_else(|| panic!("{at}: {bridge} has no member list"))
            .iter()
            .map(|m| m.to_string())
            .collect()
    }

    fn addrs(&mut self, name: &str) -> Vec<String> {
        self.get(name).addrs.iter().map(|a| a.to_string()).collect()
    }

    /// The host file as the kernel leaves it (after `commit`).
    fn file(&mut self) -> Value {
        self.host.commit().unwrap();
        self.hf.read()
    }

    /// Assert `r` succeeded.
    #[track_caller]
    fn done<T: Debug>(&self, r: HostResult<T>) -> T {
        r.unwrap_or_else(|e| panic!("{}: expected success, got {e}", self.at()))
    }

    /// Make a call on the host and assert it succeeded.
    #[track_caller]
    fn ok<T: Debug>(&mut self, call: impl FnOnce(&mut dyn Host) -> HostResult<T>) -> T {
        let r = call(&mut *self.host);
        self.done(r)
    }

    /// Assert `r` failed with `errno` and no extended error text.
    #[track_caller]
    fn fails<T: Debug>(&self, r: HostResult<T>, errno: Errno) -> HostError {
        let e = self.fails_with(r, errno, None);
        assert_eq!(e.detail, None, "{}: {e}", self.at());
        e
    }

    /// Assert `r` is a BRDGADD refusal with `errno`, which FreeBSD 15
    /// explains with `text` (`bridge_ioctl_add`'s `EXTERROR`) and 14 not.
    #[track_caller]
    fn brdgadd_fails<T: Debug>(&self, r: HostResult<T>, errno: Errno, text: &str) -> HostError {
        let e = self.fails_with(r, errno, None);
        let want = if self.is15() { Some(text) } else { None };
        assert_eq!(e.detail.as_deref(), want, "{}: {e}", self.at());
        e
    }

    /// Assert `r` failed with `errno`; and with the extended error text
    /// `detail`, if given.
    #[track_caller]
    fn fails_with<T: Debug>(
        &self,
        r: HostResult<T>,
        errno: Errno,
        detail: Option<&str>,
    ) -> HostError {
        let e = match r {
            Ok(v) => panic!("{}: expected {errno:?}, got Ok({v:?})", self.at()),
            Err(e) => e,
        };
        assert_eq!(e.errno_value(), Some(errno), "{}: {e}", self.at());
        if detail.is_some() {
            assert_eq!(e.detail.as_deref(), detail, "{}: {e}", self.at());
        }
        e
    }
}

/// Run `f` on the host file `file(release)` for FreeBSD 14 and 15, each
/// opened directly and through the ioctl emulator. `file` gets
/// `"version": 2` and the release.
fn each(file: impl Fn(u32) -> Value, f: impl Fn(&mut K)) {
    for release in [14, 15] {
        let mut v = file(release);
        v["version"] = 2.into();
        v["release"] = release.into();
        for via in ["direct", "ioctl"] {
            f(&mut K::open(via, release, &v));
        }
    }
}

/// `each` on a host with these interfaces and nothing else set.
fn each_on(ifs: Vec<Value>, f: impl Fn(&mut K)) {
    each(|_| json!({ "interfaces": ifs }), f)
}

fn n(s: &str) -> IfName {
    IfName::new(s).unwrap()
}

fn lo0() -> Value {
    json!({"name": "lo0", "index": 1, "type": "loop", "mtu": 16384, "up": true,
           "groups": ["lo"], "addrs": ["127.0.0.1/8", "::1/128"]})
}

/// A non-ether interface of `kind` with no MAC, not cloned.
fn typed(name: &str, index: u32, kind: &str) -> Value {
    json!({"name": name, "index": index, "type": kind, "mtu": 1500, "up": true})
}

fn vlan(name: &str, index: u32, parent: Option<&str>) -> Value {
    let mut v = with(
        eth(name, index),
        json!({"type": "l2vlan", "groups": ["vlan"]}),
    );
    if let Some(p) = parent {
        v["vlan_parent"] = p.into();
    }
    v
}

fn bridge(name: &str, index: u32, unit: u32, members: &[&str]) -> Value {
    json!({"name": name, "index": index, "cloner": "bridge", "unit": unit,
           "ether": format!("58:9c:fc:10:00:{unit:02x}"), "mtu": 1500, "up": true,
           "groups": ["bridge"], "members": members})
}

/// The two ends of epair `unit`, named `a` and `b`, at `index` and the next.
fn pair(a: &str, b: &str, unit: u32, index: u32) -> [Value; 2] {
    let end = |name: &str, peer: &str, index: u32, e: &str| {
        json!({"name": name, "index": index, "cloner": "epair", "unit": unit, "peer": peer,
               "ether": format!("02:00:00:00:{unit:02x}:{e}"), "mtu": 1500, "up": true,
               "groups": ["epair"]})
    };
    [end(a, b, index, "0a"), end(b, a, index + 1, "0b")]
}

// ---------------------------------------------------------------------------
// Modules (kern_linker.c `kern_kldload`, if_clone.c `ifc_create_ifp`).

#[test]
fn a_cloner_whose_module_is_not_loaded_does_not_exist() {
    each(
        |_| json!({"modules": [], "interfaces": [lo0(), eth("epair", 2)]}),
        |k| {
            assert!(!k.ok(|h| h.cloner_loaded(Cloner::Epair)), "{}", k.at());
            assert!(!k.ok(|h| h.cloner_loaded(Cloner::Bridge)), "{}", k.at());
            let r = k.host.create(Cloner::Epair, None);
            // EINVAL even with an interface named `epair`: no cloner
            // matches before the name is looked at.
            k.fails(r, Errno::EINVAL);
            let r = k.host.create(Cloner::Epair, Some(3));
            k.fails(r, Errno::EINVAL);
            let r = k.host.create(Cloner::Bridge, None);
            k.fails(r, Errno::EINVAL);
            assert_eq!(k.names(), ["lo0", "epair"], "{}", k.at());
        },
    );
    each(
        |_| json!({"modules": ["if_bridge"], "interfaces": [lo0()]}),
        |k| {
            assert!(k.ok(|h| h.cloner_loaded(Cloner::Bridge)), "{}", k.at());
            assert!(!k.ok(|h| h.cloner_loaded(Cloner::Epair)), "{}", k.at());
            assert_eq!(k.ok(|h| h.create(Cloner::Bridge, None)).as_str(), "bridge0");
            let r = k.host.create(Cloner::Epair, None);
            k.fails(r, Errno::EINVAL);
        },
    );
}

#[test]
fn kldload_adds_the_module() {
    each(
        |_| json!({"modules": [], "interfaces": [lo0()]}),
        |k| {
            k.ok(|h| h.load_cloner(Cloner::Epair));
            assert!(k.ok(|h| h.cloner_loaded(Cloner::Epair)), "{}", k.at());
            assert!(!k.ok(|h| h.cloner_loaded(Cloner::Bridge)), "{}", k.at());
            assert_eq!(k.ok(|h| h.create(Cloner::Epair, None)).as_str(), "epair0a");
            assert_eq!(k.file()["modules"], json!(["if_epair"]), "{}", k.at());
        },
    );
}

#[test]
fn kldload_is_refused_in_a_jail_and_to_non_root() {
    for (field, value) in [("jailed", json!(true)), ("euid", json!(1001))] {
        each(
            |_| {
                let mut h = json!({"modules": ["if_bridge"], "interfaces": [lo0()]});
                h[field] = value.clone();
                h
            },
            |k| {
                let r = k.host.load_cloner(Cloner::Epair);
                let e = k.fails(r, Errno::EPERM);
                assert_eq!(e.iface.as_deref(), Some("if_epair"), "{}", k.at());
                assert!(!k.ok(|h| h.cloner_loaded(Cloner::Epair)), "{}", k.at());
                assert_eq!(k.file()["modules"], json!(["if_bridge"]), "{}", k.at());
            },
        );
    }
}

#[test]
fn kldload_of_a_loaded_module_is_eexist() {
    // No `modules`: both are loaded.
    each_on(vec![lo0()], |k| {
        for c in [Cloner::Epair, Cloner::Bridge] {
            assert!(k.ok(|h| h.cloner_loaded(c)), "{}", k.at());
            let r = k.host.load_cloner(c);
            k.fails(r, Errno::EEXIST);
        }
    });
    each(
        |_| json!({"modules": ["if_epair"], "interfaces": [lo0()]}),
        |k| {
            let r = k.host.load_cloner(Cloner::Epair);
            k.fails(r, Errno::EEXIST);
            assert_eq!(k.file()["modules"], json!(["if_epair"]), "{}", k.at());
        },
    );
}

// ---------------------------------------------------------------------------
// Cloning (if_clone.c, if_epair.c).

#[test]
fn a_literal_cloner_name_makes_create_eexist() {
    each_on(
        vec![
            lo0(),
            eth("epair", 2),
            eth("bridge", 3),
            eth("epair7", 4),
            eth("bridge5", 5),
        ],
        |k| {
            let r = k.host.create(Cloner::Epair, None);
            k.fails(r, Errno::EEXIST);
            let r = k.host.create(Cloner::Bridge, None);
            k.fails(r, Errno::EEXIST);
            let r = k.host.create(Cloner::Epair, Some(7));
            k.fails(r, Errno::EEXIST);
            let r = k.host.create(Cloner::Bridge, Some(5));
            k.fails(r, Errno::EEXIST);
            assert_eq!(k.list().len(), 5, "{}: nothing created", k.at());
        },
    );
}

#[test]
fn bridge_unit_skips_held_units_and_taken_bare_names() {
    // Unit 0 held by a renamed bridge, `bridge1` taken by an Ethernet
    // interface, unit 2 held by another renamed bridge.
    each_on(
        vec![
            lo0(),
            bridge("vtnet0bridge", 2, 0, &[]),
            eth("bridge1", 3),
            bridge("br2", 4, 2, &[]),
        ],
        |k| {
            assert_eq!(k.ok(|h| h.create(Cloner::Bridge, None)).as_str(), "bridge3");
            assert_eq!(k.ok(|h| h.create(Cloner::Bridge, None)).as_str(), "bridge4");
            let r = k.host.create(Cloner::Bridge, Some(2));
            k.fails(r, Errno::EEXIST);
            let r = k.host.create(Cloner::Bridge, Some(1));
            k.fails(r, Errno::EEXIST);
            assert_eq!(
                k.ok(|h| h.create(Cloner::Bridge, Some(9))).as_str(),
                "bridge9"
            );
        },
    );
}

#[test]
fn renamed_clones_keep_their_unit_until_destroyed() {
    each_on(vec![lo0()], |k| {
        let a = k.ok(|h| h.create(Cloner::Epair, None));
        assert_eq!(a.as_str(), "epair0a", "{}", k.at());
        k.ok(|h| h.rename(&a, &n("e0a_x")));
        k.ok(|h| h.rename(&n("epair0b"), &n("e0b_x")));
        // The names epair0a/b are free again, unit 0 is not.
        assert_eq!(k.ok(|h| h.create(Cloner::Epair, None)).as_str(), "epair1a");
        k.ok(|h| h.destroy(&n("e0a_x")));
        assert_eq!(k.ok(|h| h.create(Cloner::Epair, None)).as_str(), "epair0a");

        let b = k.ok(|h| h.create(Cloner::Bridge, None));
        assert_eq!(b.as_str(), "bridge0", "{}", k.at());
        k.ok(|h| h.rename(&b, &n("xbr")));
        assert_eq!(k.ok(|h| h.create(Cloner::Bridge, None)).as_str(), "bridge1");
        k.ok(|h| h.destroy(&n("xbr")));
        assert_eq!(k.ok(|h| h.create(Cloner::Bridge, None)).as_str(), "bridge0");
    });
}

#[test]
fn an_epair_unit_held_in_a_jail_is_not_reused() {
    let [a, b] = pair("e0a_j", "e0b_j", 0, 2);
    let file = move |_| {
        json!({"jails": [{"name": "j", "jid": 1}],
               "interfaces": [lo0(), a.clone(), with(b.clone(), json!({"vnet": "j"})),
                              with(eth("epair1b", 4), json!({"vnet": "j"}))]})
    };
    each(file, |k| {
        // Unit 0 is held from the jail; the jail's epair1b is no host name.
        assert_eq!(k.ok(|h| h.create(Cloner::Epair, None)).as_str(), "epair1a");
        assert!(k.has("epair1b"), "{}", k.at());
    });
}

#[test]
fn a_stray_epair_end_name_blocks_the_anonymous_create() {
    for stray in ["epair0a", "epair0b"] {
        each_on(vec![lo0(), eth(stray, 2)], |k| {
            // epair_handle_unit: EEXIST, no move to the next unit, and the
            // unit is given back (the next try fails the same way).
            for _ in 0..2 {
                let r = k.host.create(Cloner::Epair, None);
                k.fails(r, Errno::EEXIST);
            }
            let r = k.host.create(Cloner::Epair, Some(0));
            k.fails(r, Errno::EEXIST);
            assert_eq!(k.names(), ["lo0", stray], "{}: nothing created", k.at());
            // An explicit free unit works; asking for it again is EEXIST.
            assert_eq!(
                k.ok(|h| h.create(Cloner::Epair, Some(1))).as_str(),
                "epair1a"
            );
            assert!(k.has("epair1b"), "{}", k.at());
            let r = k.host.create(Cloner::Epair, Some(1));
            k.fails(r, Errno::EEXIST);
            let r = k.host.create(Cloner::Epair, None);
            k.fails(r, Errno::EEXIST);
        });
    }
}

#[test]
fn a_new_epair_and_a_new_bridge() {
    each_on(vec![lo0(), eth("em0", 7)], |k| {
        let t0 = now();
        let a = k.ok(|h| h.create(Cloner::Epair, None));
        assert_eq!(a.as_str(), "epair0a");
        let (ea, eb) = (k.get("epair0a"), k.get("epair0b"));
        // The lowest free indexes, below em0's 7 (if.c `if_alloc_domain`).
        assert_eq!((ea.index, eb.index), (2, 3), "{}: a then b", k.at());
        for e in [&ea, &eb] {
            assert_eq!(e.link, LinkType::Ether, "{}", k.at());
            assert!(!e.up, "{}: created down", k.at());
            assert_eq!(e.mtu, 1500, "{}", k.at());
            assert!(e.is_epair() && !e.is_bridge(), "{}: {e:?}", k.at());
            assert!(e.ether.is_some() && e.members.is_none(), "{}", k.at());
            assert!(e.lastchange.unwrap() >= t0, "{}", k.at());
        }
        assert_ne!(ea.ether, eb.ether, "{}", k.at());

        let b = k.ok(|h| h.create(Cloner::Bridge, None));
        let br = k.get(b.as_str());
        assert_eq!(br.index, 4, "{}", k.at());
        assert_eq!(br.link, LinkType::Bridge, "{}", k.at());
        assert!(
            br.is_bridge() && !br.up && br.mtu == 1500,
            "{}: {br:?}",
            k.at()
        );
        assert_eq!(br.members, Some(vec![]), "{}", k.at());
        assert!(br.ether.is_some(), "{}", k.at());
    });
}

// ---------------------------------------------------------------------------
// Rename (if.c `if_rename`).

#[test]
fn rename_rules() {
    let [a, b] = pair("epair0a", "epair0b", 0, 4);
    let [ja, jb] = pair("e1a_j", "e1b_j", 1, 8);
    let file = move |_| {
        json!({"jails": [{"name": "j", "jid": 1}],
               "interfaces": [lo0(), eth("em0", 2), vlan("vlan0", 3, Some("em0")), a.clone(), b.clone(),
                              bridge("br0", 6, 0, &["em0", "epair0a"]), ja.clone(),
                              with(jb.clone(), json!({"vnet": "j"}))]})
    };
    each(file, |k| {
        // The same name: success, nothing changes.
        let before = k.list();
        k.ok(|h| h.rename(&n("em0"), &n("em0")));
        assert_eq!(k.list(), before, "{}", k.at());
        let r = k.host.rename(&n("nope0"), &n("nope1"));
        k.fails(r, Errno::ENXIO);
        let r = k.host.rename(&n("em0"), &n("br0"));
        k.fails(r, Errno::EEXIST);
        // A name used only inside a jail's vnet is free on the host.
        k.ok(|h| h.rename(&n("lo0"), &n("e1b_j")));
        k.ok(|h| h.rename(&n("e1b_j"), &n("lo0")));
        // Member lists, vlan parents and the peer follow.
        k.ok(|h| h.rename(&n("em0"), &n("uplink")));
        k.ok(|h| h.rename(&n("epair0a"), &n("e0a_x")));
        assert_eq!(k.members("br0"), ["e0a_x", "uplink"], "{}", k.at());
        assert_eq!(
            k.get("vlan0").vlan_parent.map(|p| p.to_string()),
            Some("uplink".to_string()),
            "{}",
            k.at()
        );
        k.ok(|h| h.destroy(&n("epair0b")));
        assert!(!k.has("e0a_x"), "{}: the renamed peer went too", k.at());
        assert_eq!(k.members("br0"), ["uplink"], "{}", k.at());
    });
}

// ---------------------------------------------------------------------------
// Listing order (if.c `if_link_ifnet`, rtsock.c `sysctl_iflist`).

/// getifaddrs(3) lists interfaces in the order they were attached:
/// `if_link_ifnet` appends each to `V_ifnet` (`CK_STAILQ_INSERT_TAIL`) and
/// `sysctl_iflist` walks that list. The index is another thing: the lowest
/// free one (`ifindex_alloc`). So a pair created after a destroy is listed
/// last, with the low index the destroyed pair left.
#[test]
fn a_listing_is_in_attach_order_not_index_order() {
    let ifs = vec![lo0(), eth("em0", 2), eth("em5", 9), eth("em1", 3)];
    each_on(ifs, |k| {
        // The file's order is the attach order.
        assert_eq!(k.names(), ["lo0", "em0", "em5", "em1"], "{}", k.at());
        let a0 = k.ok(|h| h.create(Cloner::Epair, None));
        let a1 = k.ok(|h| h.create(Cloner::Epair, None));
        assert_eq!((a0.as_str(), a1.as_str()), ("epair0a", "epair1a"));
        let index = |k: &mut K, n: &str| k.get(n).index;
        assert_eq!(
            [
                index(k, "epair0a"),
                index(k, "epair0b"),
                index(k, "epair1a")
            ],
            [4, 5, 6],
            "{}: the lowest free indexes",
            k.at()
        );
        k.ok(|h| h.destroy(&n("epair0b")));
        let again = k.ok(|h| h.create(Cloner::Epair, None));
        assert_eq!(again.as_str(), "epair0a", "{}", k.at());
        assert_eq!(
            k.names(),
            [
                "lo0", "em0", "em5", "em1", "epair1a", "epair1b", "epair0a", "epair0b"
            ],
            "{}: the new pair is listed last",
            k.at()
        );
        assert_eq!(
            [index(k, "epair0a"), index(k, "epair0b")],
            [4, 5],
            "{}: with the low indexes the destroyed pair left",
            k.at()
        );
        // A rename does not move it.
        k.ok(|h| h.rename(&n("em0"), &n("uplink0")));
        assert_eq!(k.names()[1], "uplink0", "{}", k.at());
        // The file keeps that order.
        let file = k.file();
        let order: Vec<&str> = file["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            [
                "lo0", "uplink0", "em5", "em1", "epair1a", "epair1b", "epair0a", "epair0b"
            ]
        );
    });
}

// ---------------------------------------------------------------------------
// MTU (if.c `ifhwioctl` SIOCSIFMTU, if_bridge.c `bridge_ioctl`).

/// if.c `ifhwioctl` SIOCSIFMTU: the range first; then a bridge member is
/// refused, on 14 as on 15 (the ATF case `mtu`, step 5, at 14-era and
/// 15-era commits).
#[test]
fn mtu_range_first_then_bridge_members_are_eopnotsupp() {
    let [a, b] = pair("epair0a", "epair0b", 0, 3);
    let file = move |_| {
        json!({"interfaces": [lo0(), eth("em0", 2), a.clone(), b.clone(),
                              bridge("br0", 5, 0, &["em0"])]})
    };
    each(file, |k| {
        let ea = n("epair0a");
        for bad in [0, 71, 65536, 3_000_000_000] {
            let r = k.host.set_mtu(&ea, bad);
            k.fails(r, Errno::EINVAL);
        }
        for good in [72, 65535, 9000] {
            k.ok(|h| h.set_mtu(&ea, good));
            assert_eq!(k.ok(|h| h.mtu(&ea)), good, "{}", k.at());
        }
        let em0 = n("em0");
        // Out of range on a member: the range is checked first.
        let r = k.host.set_mtu(&em0, 71);
        k.fails(r, Errno::EINVAL);
        // In range, even its current value: a member's MTU is the bridge's.
        for mtu in [1500, 9000] {
            let r = k.host.set_mtu(&em0, mtu);
            k.fails(r, Errno::EOPNOTSUPP);
        }
        assert_eq!(k.get("em0").mtu, 1500, "{}", k.at());
        let r = k.host.set_mtu(&n("nope0"), 1500);
        k.fails(r, Errno::ENXIO);
        let r = k.host.mtu(&n("nope0"));
        k.fails(r, Errno::ENXIO);
    });
}

/// if_bridge.c `bridge_ioctl` SIOCSIFMTU sets every member through its
/// driver (14 since D31288, as the ATF case `mtu` asserts; 15).
#[test]
fn a_bridge_mtu_reaches_its_members() {
    each_on(
        vec![
            lo0(),
            eth("em0", 2),
            eth("em1", 3),
            eth("em2", 4),
            bridge("br0", 5, 0, &["em0", "em1"]),
            bridge("br1", 6, 1, &[]),
        ],
        |k| {
            k.ok(|h| h.set_mtu(&n("br0"), 9000));
            for i in ["br0", "em0", "em1"] {
                assert_eq!(k.get(i).mtu, 9000, "{}: {i}", k.at());
            }
            assert_eq!(k.get("em2").mtu, 1500, "{}", k.at());
            k.ok(|h| h.set_mtu(&n("br1"), 4000));
            assert_eq!(k.get("br1").mtu, 4000, "{}", k.at());
            assert_eq!(k.get("em2").mtu, 1500, "{}", k.at());
        },
    );
}

/// A member whose driver refuses the bridge's new MTU (gif(4): 1280..8192,
/// if_gif.c `gif_ioctl`): every member is set back, the bridge keeps its
/// MTU, EINVAL (15: "Failed to set MTU on member interface"); a new member
/// whose driver refuses the bridge's MTU is not added (15: "Failed to set
/// MTU on new member").
#[test]
fn a_member_that_refuses_the_mtu_rolls_the_bridge_back() {
    each_on(
        vec![
            lo0(),
            eth("em0", 2),
            typed("gif0", 3, "gif"),
            bridge("br0", 4, 0, &["em0", "gif0"]),
            with(bridge("br1", 5, 1, &["em1"]), json!({"mtu": 9000})),
            with(eth("em1", 6), json!({"mtu": 9000})),
            with(typed("gif1", 7, "gif"), json!({"mtu": 1280})),
        ],
        |k| {
            let r = k.host.set_mtu(&n("br0"), 9000);
            k.brdgadd_fails(r, Errno::EINVAL, "Failed to set MTU on member interface");
            for i in ["br0", "em0", "gif0"] {
                assert_eq!(k.get(i).mtu, 1500, "{}: {i} as it was", k.at());
            }
            k.ok(|h| h.set_mtu(&n("br0"), 8000));
            let r = k.host.bridge_add(&n("br1"), &n("gif1"));
            k.brdgadd_fails(r, Errno::EINVAL, "Failed to set MTU on new member");
            assert_eq!(k.members("br1"), ["em1"], "{}", k.at());
            assert_eq!(k.get("gif1").mtu, 1280, "{}", k.at());
        },
    );
}

/// A bridge's floor is IF_MINMTU on 14 as on 15 (review 13, W7): the 576
/// of the 2021 code (sobomax/freebsd14_vendor 0f7ff342) had become
/// IF_MINMTU before propagation arrived (opnsense/src 124842dc: IF_MINMTU,
/// no propagation), and 14.x propagates (ATF `mtu`), so it has IF_MINMTU
/// too. `ifhwioctl` refuses under 72 on both.
#[test]
fn a_bridges_mtu_floor_is_if_minmtu_on_14_and_15() {
    let [a, b] = pair("epair0a", "epair0b", 0, 4);
    let file = move |_| json!({"interfaces": [lo0(), eth("em0", 2), bridge("br0", 3, 0, &["em0"]), a.clone(), b.clone()]});
    each(file, |k| {
        let br0 = n("br0");
        k.ok(|h| h.set_mtu(&br0, 575));
        assert_eq!(k.get("em0").mtu, 575, "{}", k.at());
        k.ok(|h| h.set_mtu(&br0, 72));
        assert_eq!(k.get("br0").mtu, 72, "{}", k.at());
        let r = k.host.set_mtu(&br0, 71);
        k.fails(r, Errno::EINVAL);
        assert_eq!(k.get("br0").mtu, 72, "{}: unchanged", k.at());
        k.ok(|h| h.set_mtu(&n("epair0a"), 100));
    });
}

// ---------------------------------------------------------------------------
// Bridge member add (if_bridge.c `bridge_ioctl_add`).

#[test]
fn brdgadd_refusals_in_the_kernels_order() {
    let file = |_| {
        json!({"interfaces": [
            with(lo0(), json!({"addrs": ["127.0.0.1/8"]})),
            eth("em0", 2),
            eth("em1", 3),
            eth("em2", 4),
            typed("tun0", 5, "tun"),
            typed("pflog0", 6, "pflog"),
            vlan("vlan0", 7, Some("br1")),
            with(bridge("br0", 8, 0, &["em0", "vlan0"]), json!({"spans": ["em2"]})),
            bridge("br1", 9, 1, &[]),
            with(eth("em3", 10), json!({"addrs": ["192.0.2.3/24"]})),
            bridge("br2", 11, 2, &["em3"]),
        ]})
    };
    each(file, |k| {
        let before = k.list();
        let add = |k: &mut K, b: &str, m: &str| k.host.bridge_add(&n(b), &n(m));
        let r = add(k, "nope0", "em1");
        k.fails(r, Errno::ENXIO);
        let r = add(k, "em1", "em0");
        k.fails(r, Errno::EINVAL);
        let r = add(k, "br1", "nope0");
        k.brdgadd_fails(r, Errno::ENOENT, EXT_NO_SUCH_INTERFACE);
        // [15] A vlan of a bridge, before anything else about the member.
        let (r0, r1) = (add(k, "br0", "vlan0"), add(k, "br1", "vlan0"));
        if k.is15() {
            k.fails_with(r0, Errno::EINVAL, Some(EXT_BRIDGE_SVI));
            k.fails_with(r1, Errno::EINVAL, Some(EXT_BRIDGE_SVI));
        } else {
            k.fails(r0, Errno::EEXIST);
            k.fails(r1, Errno::EBUSY);
        }
        // A span port of this bridge.
        let r = add(k, "br0", "em2");
        k.brdgadd_fails(r, Errno::EBUSY, EXT_SPAN_MEMBER);
        // In this bridge, in another.
        let r = add(k, "br0", "em0");
        k.brdgadd_fails(r, Errno::EEXIST, EXT_MEMBER_OF_THIS);
        let r = add(k, "br1", "em0");
        k.brdgadd_fails(r, Errno::EBUSY, EXT_MEMBER_OF_OTHER);
        // In another bridge, with an address: EBUSY comes first on 15 too.
        let r = add(k, "br1", "em3");
        k.brdgadd_fails(r, Errno::EBUSY, EXT_MEMBER_OF_OTHER);
        // Not ether, l2vlan or gif; lo0's address does not matter, the
        // type is checked first.
        for m in ["lo0", "tun0", "pflog0", "br2"] {
            let r = add(k, "br1", m);
            k.brdgadd_fails(r, Errno::EINVAL, EXT_UNSUPPORTED_TYPE);
        }
        assert_eq!(k.list(), before, "{}: refusals change nothing", k.at());
        // A span port of another bridge is not found: it joins.
        let r = add(k, "br1", "em2");
        k.done(r);
        assert_eq!(k.members("br1"), ["em2"], "{}", k.at());
    });
}

#[test]
fn ether_vlan_and_gif_can_join() {
    let file = |_| {
        json!({"interfaces": [lo0(), eth("em0", 2), vlan("vlan0", 3, Some("em0")),
                              vlan("vlan1", 4, None), typed("gif0", 5, "gif"),
                              eth("em1", 6), bridge("br0", 7, 0, &[])]})
    };
    each(file, |k| {
        for m in ["em1", "vlan0", "vlan1", "gif0"] {
            k.ok(|h| h.bridge_add(&n("br0"), &n(m)));
        }
        assert_eq!(
            k.members("br0"),
            ["gif0", "vlan1", "vlan0", "em1"],
            "{}",
            k.at()
        );
    });
}

/// FreeBSD 15's `bridge_ioctl_add` (Acesp25/freebsd-src e406195c): a
/// member other than gif that holds an IPv4 or IPv6 address is added with
/// a console warning while `net.link.bridge.member_ifaddrs` is 1 (15's
/// default) and refused with EINVAL while it is 0; 16 has no sysctl and
/// refuses; 14 (sobomax/freebsd14_vendor 0f7ff342) has no such rule. For
/// every release and every setting of the sysctl (absent, 0, 1).
#[test]
fn members_with_addresses_by_release_and_sysctl() {
    use rjib::net::Verdict;
    let ifs = vec![
        lo0(),
        with(
            eth("em0", 2),
            json!({"addrs": ["192.0.2.10/24", "2001:db8::10/64"]}),
        ),
        // Only a link-local: it counts (the bridge has none, no scrub).
        with(eth("em1", 3), json!({"addrs": ["fe80::1/64"]})),
        with(
            typed("gif0", 4, "gif"),
            json!({"addrs": ["198.51.100.1/32"]}),
        ),
        bridge("br0", 5, 0, &[]),
    ];
    for release in [14, 15, 16] {
        for set in [None, Some(0), Some(1)] {
            let mut file = json!({"version": 2, "release": release, "interfaces": ifs});
            if let Some(v) = set {
                file["sysctl"] = json!({"net.link.bridge.member_ifaddrs": v});
            }
            let value = set.or((release == 15).then_some(1));
            let refused = value == Some(0) || (value.is_none() && release >= 16);
            for via in ["direct", "ioctl"] {
                let mut k = K::open(via, release, &file);
                let at = format!("{} with the sysctl {set:?}", k.at());
                let p = k.ok(|h| h.bridge_policy());
                assert_eq!(
                    (p.release, p.member_ifaddrs, p.bridge_loaded),
                    (Some(release), value, true),
                    "{at}"
                );
                // The policy rjib plans by says what the kernel then does.
                let verdict = p.member_addrs().verdict;
                assert_eq!(verdict == Verdict::Refuse, refused, "{at}");
                assert_eq!(p.refuses_bridge_svi(), release >= 15, "{at}");
                let r0 = k.host.bridge_add(&n("br0"), &n("em0"));
                let r1 = k.host.bridge_add(&n("br0"), &n("em1"));
                if refused {
                    k.brdgadd_fails(r0, Errno::EINVAL, EXT_MEMBER_HAS_ADDR);
                    k.brdgadd_fails(r1, Errno::EINVAL, EXT_MEMBER_HAS_ADDR);
                    assert!(k.members("br0").is_empty(), "{at}");
                } else {
                    k.done(r0);
                    k.done(r1);
                    assert_eq!(k.members("br0"), ["em1", "em0"], "{at}");
                    // Added with their addresses.
                    assert_eq!(k.addrs("em0"), ["192.0.2.10/24", "2001:db8::10/64"], "{at}");
                }
                // gif is exempt.
                k.ok(|h| h.bridge_add(&n("br0"), &n("gif0")));
                assert_eq!(k.addrs("gif0"), ["198.51.100.1/32"], "{at}");
            }
        }
    }
}

#[test]
fn ipv6_link_local_scrub() {
    let ifs = vec![
        lo0(),
        with(
            eth("em0", 2),
            json!({"addrs": ["fe80::a/64", "2001:db8::a/64", "192.0.2.10/24"]}),
        ),
        with(
            eth("em1", 3),
            json!({"addrs": ["fe80::b/64", "2001:db8::b/64", "192.0.2.11/24"]}),
        ),
        with(
            eth("em2", 4),
            json!({"addrs": ["2001:db8::c/64", "fe80::c/64"]}),
        ),
        // A member without a link-local keeps its IPv6 addresses.
        with(eth("em3", 5), json!({"addrs": ["2001:db8::d/64"]})),
        with(
            bridge("br0", 6, 0, &["em0", "em3"]),
            json!({"addrs": ["fe80::1/64"]}),
        ),
    ];
    let ifs2 = ifs.clone();
    // FreeBSD 15 at 0, where its address check refuses.
    let at0 = |r: u32| {
        let s = (r == 15).then(|| json!({"net.link.bridge.member_ifaddrs": 0}));
        json!({"interfaces": ifs, "sysctl": s.unwrap_or(json!({}))})
    };
    each(at0, |k| {
        let r = k.host.bridge_add(&n("br0"), &n("em1"));
        // The scrub happens either way, before FreeBSD 15's address check.
        assert_eq!(k.addrs("em0"), ["192.0.2.10/24"], "{}", k.at());
        assert_eq!(k.addrs("em1"), ["192.0.2.11/24"], "{}", k.at());
        assert_eq!(k.addrs("em3"), ["2001:db8::d/64"], "{}", k.at());
        assert_eq!(k.addrs("br0"), ["fe80::1/64"], "{}", k.at());
        if k.is15() {
            k.fails_with(r, Errno::EINVAL, Some(EXT_MEMBER_HAS_ADDR));
            assert_eq!(k.members("br0"), ["em3", "em0"], "{}", k.at());
        } else {
            k.done(r);
            assert_eq!(k.members("br0"), ["em1", "em3", "em0"], "{}", k.at());
        }
        // Only IPv6 with a link-local: nothing left to refuse on 15.
        k.ok(|h| h.bridge_add(&n("br0"), &n("em2")));
        assert!(k.addrs("em2").is_empty(), "{}", k.at());
    });
    each(
        move |r| {
            let mut s = json!({"net.link.bridge.allow_llz_overlap": 1});
            if r == 15 {
                s["net.link.bridge.member_ifaddrs"] = 0.into();
            }
            json!({"sysctl": s, "interfaces": ifs2})
        },
        |k| {
            let r = k.host.bridge_add(&n("br0"), &n("em2"));
            if k.is15() {
                k.fails_with(r, Errno::EINVAL, Some(EXT_MEMBER_HAS_ADDR));
            } else {
                k.done(r);
            }
            assert_eq!(
                k.addrs("em2"),
                ["2001:db8::c/64", "fe80::c/64"],
                "{}",
                k.at()
            );
            assert_eq!(k.addrs("em0").len(), 3, "{}: no scrub", k.at());
        },
    );
}

#[test]
fn mtu_on_join() {
    let file = |_| {
        let t = json!({"lastchange": 1000});
        json!({"interfaces": [
            lo0(),
            with(eth("em0", 2), json!({"mtu": 9000, "lastchange": 1000})),
            with(eth("em1", 3), t.clone()),
            with(eth("em2", 4), t.clone()),
            with(eth("em3", 5), json!({"mtu": 4000, "lastchange": 1000})),
            with(bridge("br0", 6, 0, &[]), t.clone()),
            with(bridge("br1", 7, 1, &[]), json!({"spans": ["em2"], "lastchange": 1000})),
        ]})
    };
    each(file, |k| {
        // A bridge without members takes the first member's MTU...
        k.ok(|h| h.bridge_add(&n("br0"), &n("em0")));
        assert_eq!(k.get("br0").mtu, 9000, "{}", k.at());
        // ...later members get the bridge's.
        k.ok(|h| h.bridge_add(&n("br0"), &n("em1")));
        assert_eq!(k.get("em1").mtu, 9000, "{}", k.at());
        assert_eq!(k.members("br0"), ["em1", "em0"], "{}", k.at());
        // Span ports are not members: br1 is still without members.
        k.ok(|h| h.bridge_add(&n("br1"), &n("em3")));
        assert_eq!(k.get("br1").mtu, 4000, "{}", k.at());
        assert_eq!(k.get("em2").mtu, 1500, "{}", k.at());
        // None of it stamps lastchange.
        for i in ["em0", "em1", "em2", "em3", "br0", "br1"] {
            assert_eq!(k.get(i).lastchange, Some(1000), "{}: {i}", k.at());
        }
    });
}

#[test]
fn brdggifs_lists_members_most_recent_first_without_spans() {
    let file = |_| {
        json!({"interfaces": [lo0(), eth("em0", 2), eth("em1", 3), eth("em2", 4), eth("em8", 5),
                              eth("em9", 6),
                              with(bridge("br0", 7, 0, &[]), json!({"spans": ["em8", "em9"]})),
                              bridge("br1", 8, 1, &["em0", "em1"])]})
    };
    each(file, |k| {
        // As the host file has them: in the order they were added.
        assert_eq!(k.members("br1"), ["em1", "em0"], "{}", k.at());
        assert!(k.members("br0").is_empty(), "{}", k.at());
        k.ok(|h| h.destroy(&n("br1")));
        for m in ["em0", "em2", "em1"] {
            k.ok(|h| h.bridge_add(&n("br0"), &n(m)));
        }
        assert_eq!(k.members("br0"), ["em1", "em2", "em0"], "{}", k.at());
        let file = k.file();
        let br0 = iface(&file, "br0").unwrap();
        assert_eq!(br0["spans"], json!(["em8", "em9"]), "{}", k.at());
    });
}

// ---------------------------------------------------------------------------
// MAC addresses (if.c `if_setlladdr`).

#[test]
fn lladdr_rules() {
    let file = |_| {
        json!({"interfaces": [with(lo0(), json!({"lastchange": 1000})),
                              with(eth("em0", 2), json!({"lastchange": 1000})),
                              typed("tun0", 3, "tun"), bridge("br0", 4, 0, &[])]})
    };
    each(file, |k| {
        let mac = Mac([0x02, 0xa0, 0xe2, 1, 2, 3]);
        k.ok(|h| h.set_ether(&n("em0"), mac));
        assert_eq!(k.get("em0").ether, Some(mac), "{}", k.at());
        // No multicast check in the kernel.
        let multicast = Mac([0x01, 0x00, 0x5e, 0, 0, 1]);
        k.ok(|h| h.set_ether(&n("br0"), multicast));
        assert_eq!(k.get("br0").ether, Some(multicast), "{}", k.at());
        // No link address to replace.
        for i in ["lo0", "tun0"] {
            let r = k.host.set_ether(&n(i), mac);
            k.fails(r, Errno::EINVAL);
            assert_eq!(k.get(i).ether, None, "{}", k.at());
        }
        let r = k.host.set_ether(&n("nope0"), mac);
        k.fails(r, Errno::ENXIO);
        assert_eq!(k.get("em0").lastchange, Some(1000), "{}", k.at());
    });
}

/// if.c `if_setlladdr` compares the length with `sdl_alen` before anything
/// else: an interface without a link address (a gif, whose `sdl_alen` is
/// 0, listed with no MAC) refuses six octets with EINVAL.
#[test]
fn lladdr_needs_a_link_address_of_six_octets() {
    each_on(
        vec![lo0(), typed("gif0", 2, "gif"), typed("pflog0", 3, "pflog")],
        |k| {
            for i in ["gif0", "pflog0"] {
                let r = k.host.set_ether(&n(i), Mac([2, 0, 0, 0, 0, 1]));
                k.fails(r, Errno::EINVAL);
                assert_eq!(k.get(i).ether, None, "{}", k.at());
            }
        },
    );
}

// ---------------------------------------------------------------------------
// Descriptions (if.c `ifhwioctl` SIOCSIFDESCR / SIOCGIFDESCR).

#[test]
fn descriptions() {
    let file = |_| {
        json!({"interfaces": [lo0(), with(eth("em0", 2), json!({"lastchange": 1000})),
                              with(eth("em1", 3), json!({"description": "uplink"}))]})
    };
    each(file, |k| {
        let em0 = n("em0");
        assert_eq!(k.ok(|h| h.description(&em0)), None, "{}", k.at());
        assert_eq!(
            k.ok(|h| h.description(&n("em1"))).as_deref(),
            Some("uplink"),
            "{}",
            k.at()
        );
        let t0 = now();
        k.ok(|h| h.set_description(&em0, "jail www, host end"));
        assert!(k.get("em0").lastchange.unwrap() >= t0, "{}", k.at());
        assert_eq!(
            k.ok(|h| h.description(&em0)).as_deref(),
            Some("jail www, host end"),
            "{}",
            k.at()
        );
        // 1023 bytes and the NUL fill the 1024-byte limit.
        let longest = "d".repeat(1023);
        k.ok(|h| h.set_description(&em0, &longest));
        assert_eq!(
            k.ok(|h| h.description(&em0)),
            Some(longest.clone()),
            "{}",
            k.at()
        );
        let r = k.host.set_description(&em0, &"d".repeat(1024));
        k.fails(r, Errno::ENAMETOOLONG);
        assert_eq!(k.ok(|h| h.description(&em0)), Some(longest), "{}", k.at());
        // An empty text clears it.
        k.ok(|h| h.set_description(&em0, ""));
        assert_eq!(k.ok(|h| h.description(&em0)), None, "{}", k.at());
        let r = k.host.set_description(&n("nope0"), "x");
        k.fails(r, Errno::ENXIO);
        let r = k.host.description(&n("nope0"));
        k.fails(r, Errno::ENXIO);
    });
}

/// An administrator raised `net.ifdescr_maxlen`: SIOCSIFDESCR takes the
/// longer description, and SIOCGIFDESCR, given rjib's first 1024-byte
/// buffer, answers with the length it needs (if.c `ifhwioctl`: the buffer
/// cleared, `ifr_buffer.length` set, no error) and the backend asks again.
/// Lowered again, the limit leaves the description as it is.
#[test]
fn a_description_longer_than_1024_bytes_is_read_whole() {
    let long = format!("{}end", "d".repeat(2997));
    let file = |_| {
        json!({"sysctl": {"net.ifdescr_maxlen": 4096},
               "interfaces": [lo0(), eth("em0", 2)]})
    };
    let long2 = long.clone();
    each(file, move |k| {
        let em0 = n("em0");
        k.ok(|h| h.set_description(&em0, &long2));
        assert_eq!(
            k.ok(|h| h.description(&em0)),
            Some(long2.clone()),
            "{}",
            k.at()
        );
        let r = k.host.set_description(&em0, &"d".repeat(4096));
        k.fails(r, Errno::ENAMETOOLONG);
    });
    let file =
        move |_| json!({"interfaces": [lo0(), with(eth("em0", 2), json!({"description": long}))]});
    each(file, |k| {
        let got = k.ok(|h| h.description(&n("em0"))).unwrap();
        assert_eq!(
            (got.len(), &got[got.len() - 3..]),
            (3000, "end"),
            "{}",
            k.at()
        );
    });
}

// ---------------------------------------------------------------------------
// Destroy (if_clone.c `if_clone_destroy`, if_epair.c `epair_clone_destroy`,
// if_bridge.c `bridge_clone_destroy`).

#[test]
fn destroy_rules() {
    let [a, b] = pair("e0a_x", "e0b_x", 0, 2);
    let [ja, jb] = pair("e1a_j", "e1b_j", 1, 4);
    let file = move |_| {
        json!({"jails": [{"name": "j", "jid": 3}],
               "interfaces": [lo0(), a.clone(), b.clone(), ja.clone(),
                              with(jb.clone(), json!({"vnet": "j"})),
                              eth("em0", 6), typed("tun0", 7, "tun"), typed("gif0", 8, "gif"),
                              vlan("vlan0", 9, Some("em0"))]})
    };
    each(file, |k| {
        // Either end takes both.
        k.ok(|h| h.destroy(&n("e0b_x")));
        assert!(!k.has("e0a_x") && !k.has("e0b_x"), "{}", k.at());
        // The jail's end is not on the host...
        let r = k.host.destroy(&n("e1b_j"));
        k.fails(r, Errno::ENXIO);
        // ...and goes with its host end.
        k.ok(|h| h.destroy(&n("e1a_j")));
        let file = k.file();
        let left: Vec<&str> = file["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert!(!left.contains(&"e1b_j"), "{}: {left:?}", k.at());
        // Interfaces no cloner made.
        for i in ["em0", "lo0"] {
            let r = k.host.destroy(&n(i));
            k.fails(r, Errno::EINVAL);
        }
        // Cloned by their own drivers.
        for i in ["tun0", "gif0", "vlan0"] {
            k.ok(|h| h.destroy(&n(i)));
        }
        let r = k.host.destroy(&n("nope0"));
        k.fails(r, Errno::ENXIO);
        assert_eq!(k.names(), ["lo0", "em0"], "{}", k.at());
    });
}

/// Destroying the host end destroys the jail's end in its vnet, and
/// `bridge_ifdetach` runs there: a bridge inside the jail loses it as a
/// member. The file must stay one rjib can read.
#[test]
fn a_destroyed_jail_end_leaves_the_jails_bridge() {
    let [a, b] = pair("e0a_j", "e0b_j", 0, 2);
    let file = move |_| {
        json!({"jails": [{"name": "j", "jid": 1}],
               "interfaces": [lo0(), a.clone(), with(b.clone(), json!({"vnet": "j"})),
                              with(bridge("jbr0", 4, 1, &["e0b_j"]), json!({"vnet": "j"}))]})
    };
    each(file, |k| {
        k.ok(|h| h.destroy(&n("e0a_j")));
        let file = k.file();
        let jbr0 = iface(&file, "jbr0").unwrap();
        assert_eq!(jbr0["members"], json!([]), "{}", k.at());
        SimHost::open(k.hf.path.clone())
            .unwrap_or_else(|e| panic!("{}: the host file no longer loads: {e}", k.at()));
    });
}

#[test]
fn destroyed_interfaces_leave_their_bridge_and_a_destroyed_bridge_lets_go() {
    let [a, b] = pair("e0a_x", "e0b_x", 0, 3);
    let file = move |_| {
        json!({"interfaces": [lo0(), eth("em0", 2), a.clone(), b.clone(),
                              bridge("br0", 5, 0, &["em0", "e0a_x"]),
                              bridge("br1", 6, 1, &[]),
                              vlan("vlan0", 7, Some("e0b_x"))]})
    };
    each(file, |k| {
        k.ok(|h| h.destroy(&n("e0a_x")));
        assert_eq!(k.members("br0"), ["em0"], "{}", k.at());
        // A vlan loses a destroyed parent.
        assert_eq!(k.get("vlan0").vlan_parent, None, "{}", k.at());
        let r = k.host.bridge_add(&n("br1"), &n("em0"));
        k.brdgadd_fails(r, Errno::EBUSY, EXT_MEMBER_OF_OTHER);
        k.ok(|h| h.destroy(&n("br0")));
        // em0 is no member any more: its MTU is its own, it can join.
        k.ok(|h| h.set_mtu(&n("em0"), 9000));
        k.ok(|h| h.bridge_add(&n("br1"), &n("em0")));
        assert_eq!(k.members("br1"), ["em0"], "{}", k.at());
    });
}

// ---------------------------------------------------------------------------
// Vnets and jails (if.c `ifunit_ref`, kern_jail.c `kern_jail_get`).

#[test]
fn interfaces_in_a_jails_vnet_are_not_the_hosts() {
    let [a, b] = pair("e0a_www", "e0b_www", 0, 2);
    let file = move |_| {
        json!({"jails": [{"name": "www", "jid": 3}],
               "interfaces": [lo0(), a.clone(), with(b.clone(), json!({"vnet": "www"})),
                              with(eth("em5", 4), json!({"vnet": "www"})),
                              bridge("br0", 5, 0, &[])]})
    };
    each(file, |k| {
        assert_eq!(k.names(), ["lo0", "e0a_www", "br0"], "{}", k.at());
        let b = n("e0b_www");
        let r = k.host.set_up(&b, false);
        k.fails(r, Errno::ENXIO);
        let r = k.host.set_mtu(&b, 9000);
        k.fails(r, Errno::ENXIO);
        let r = k.host.mtu(&b);
        k.fails(r, Errno::ENXIO);
        let r = k.host.rename(&b, &n("x"));
        k.fails(r, Errno::ENXIO);
        let r = k.host.set_ether(&b, Mac([2, 0, 0, 0, 0, 1]));
        k.fails(r, Errno::ENXIO);
        let r = k.host.bridge_add(&n("br0"), &b);
        k.brdgadd_fails(r, Errno::ENOENT, EXT_NO_SUCH_INTERFACE);
        let r = k.host.description(&b);
        k.fails(r, Errno::ENXIO);
    });
}

#[test]
fn jails_are_found_by_name_dying_ones_too() {
    each(
        |_| {
            json!({"jails": [{"name": "www", "jid": 3},
                             {"name": "old", "jid": 4, "dying": true}],
                   "interfaces": [lo0()]})
        },
        |k| {
            assert_eq!(
                k.ok(|h| h.jail("www")),
                Some(JailInfo {
                    jid: 3,
                    dying: false
                }),
                "{}",
                k.at()
            );
            assert_eq!(
                k.ok(|h| h.jail("old")),
                Some(JailInfo {
                    jid: 4,
                    dying: true
                }),
                "{}",
                k.at()
            );
            assert_eq!(k.ok(|h| h.jail("nope")), None, "{}", k.at());
        },
    );
}

// ---------------------------------------------------------------------------
// What a listing carries (getifaddrs, SIOCGETVLAN, if_data).

#[test]
fn addresses_are_listed_with_their_prefixes() {
    let addrs = [
        "203.0.113.7/24",
        "2001:db8::7/64",
        "fe80::5a9c:fcff:fe0a:1b2c/64",
        "198.51.100.1/32",
        "10.0.0.1/9",
    ];
    each_on(
        vec![
            lo0(),
            with(eth("em0", 2), json!({"addrs": addrs})),
            eth("em1", 3),
        ],
        |k| {
            let want: Vec<IfAddr> = addrs.iter().map(|a| a.parse().unwrap()).collect();
            assert_eq!(k.get("em0").addrs, want, "{}", k.at());
            assert_eq!(k.addrs("lo0"), ["127.0.0.1/8", "::1/128"], "{}", k.at());
            assert!(k.get("em1").addrs.is_empty(), "{}", k.at());
        },
    );
}

#[test]
fn a_vlans_parent_is_listed() {
    each_on(
        vec![
            lo0(),
            eth("em0", 2),
            vlan("vlan0", 3, Some("em0")),
            vlan("vlan1", 4, None),
        ],
        |k| {
            let v0 = k.get("vlan0");
            assert_eq!(v0.link, LinkType::L2Vlan, "{}", k.at());
            assert_eq!(v0.vlan_parent, Some(n("em0")), "{}", k.at());
            assert_eq!(k.get("vlan1").vlan_parent, None, "{}", k.at());
            assert_eq!(k.get("em0").vlan_parent, None, "{}", k.at());
        },
    );
}

#[test]
fn link_types_are_listed() {
    each_on(
        vec![
            lo0(),
            eth("em0", 2),
            typed("tun0", 3, "tun"),
            typed("gif0", 4, "gif"),
            bridge("br0", 5, 0, &[]),
        ],
        |k| {
            let l = k.list();
            let types: Vec<LinkType> = l.into_iter().map(|i| i.link).collect();
            assert_eq!(
                types,
                [
                    LinkType::Other("loop".into()),
                    LinkType::Ether,
                    LinkType::Other("tun".into()),
                    LinkType::Gif,
                    LinkType::Bridge
                ],
                "{}",
                k.at()
            );
        },
    );
}

#[test]
fn lastchange_moves_only_where_the_kernel_stamps_it() {
    let file = |_| {
        let ifs: Vec<Value> = (2..=9)
            .map(|i| with(eth(&format!("em{i}"), i), json!({"lastchange": 1000})))
            .chain([
                with(bridge("br0", 10, 0, &["em9"]), json!({"lastchange": 1000})),
                with(bridge("br1", 11, 1, &[]), json!({"lastchange": 1000})),
                eth("em12", 12),
            ])
            .collect();
        json!({ "interfaces": ifs })
    };
    each(file, |k| {
        let t0 = now();
        // Stamped: up/down (even when nothing changes), MTU, description.
        k.ok(|h| h.set_up(&n("em2"), true));
        k.ok(|h| h.set_up(&n("em3"), false));
        k.ok(|h| h.set_mtu(&n("em4"), 9000));
        k.ok(|h| h.set_description(&n("em5"), "x"));
        // Not stamped: rename, MAC, membership (and the MTU it brings), a
        // member's MTU changed by its bridge.
        k.ok(|h| h.rename(&n("em6"), &n("uplink6")));
        k.ok(|h| h.set_ether(&n("em7"), Mac([2, 0, 0, 0, 0, 7])));
        k.ok(|h| h.set_mtu(&n("br1"), 4000));
        k.ok(|h| h.set_mtu(&n("br0"), 9000));
        k.ok(|h| h.bridge_add(&n("br0"), &n("em8")));
        let stamped = |k: &mut K, i: &str| k.get(i).lastchange.unwrap() >= t0;
        for i in ["em2", "em3", "em4", "em5", "br0", "br1"] {
            assert!(stamped(k, i), "{}: {i} stamped", k.at());
        }
        for i in ["uplink6", "em7", "em8", "em9"] {
            assert_eq!(k.get(i).lastchange, Some(1000), "{}: {i}", k.at());
        }
        assert_eq!(k.get("em8").mtu, 9000, "{}", k.at());
        assert_eq!(k.get("em9").mtu, 9000, "{}", k.at());
        // Absent in the file: the kernel says nothing.
        assert_eq!(k.get("em12").lastchange, None, "{}", k.at());
    });
}

// ---------------------------------------------------------------------------
// VLAN filtering (FreeBSD 15, if_bridge.c `bridge_ioctl_sifpvid`,
// `bridge_ioctl_sifvlanset`, `bridge_ioctl_gifvlanset`,
// `bridge_ioctl_gflags`, `bridge_ioctl_sflags`, `bridge_ioctl_gdefpvid`,
// the default PVID of `bridge_ioctl_add`, `bridge_delete_member`).

fn vids(s: &str) -> VlanSet {
    VlanSet::parse(s).unwrap()
}

fn vid(v: u16) -> Option<Vid> {
    Vid::new(v)
}

/// A 15 host may say what VLAN state its bridge has; a 14 host has none.
fn vlan_host(release: u32, br: Value) -> Value {
    let mut br = br;
    if release < 15 {
        for k in ["vlanfilter", "defpvid"] {
            br.as_object_mut().unwrap().remove(k);
        }
    }
    json!({"interfaces": [lo0(), eth("em0", 2), eth("em1", 3), eth("sp0", 4), br]})
}

#[test]
fn freebsd_14_has_no_vlan_commands() {
    each(
        |r| {
            vlan_host(
                r,
                with(bridge("br0", 5, 0, &["em0"]), json!({"spans": ["sp0"]})),
            )
        },
        |k| {
            let (br, em0) = (n("br0"), n("em0"));
            let r = k.host.bridge_flags(&br);
            if k.is15() {
                assert_eq!(k.done(r), BridgeFlags(0), "{}", k.at());
                return;
            }
            // bridge_ioctl: a command past the table (30 on 14) is EINVAL.
            k.fails(r, Errno::EINVAL);
            let r = k.host.set_bridge_flags(&br, BridgeFlags(1));
            k.fails(r, Errno::EINVAL);
            let r = k.host.bridge_defpvid(&br);
            k.fails(r, Errno::EINVAL);
            let r = k.host.set_member_pvid(&br, &em0, vid(5));
            k.fails(r, Errno::EINVAL);
            let r = k.host.member_vlans(&br, &em0);
            k.fails(r, Errno::EINVAL);
            let r = k.host.set_member_vlans(&br, &em0, VlanOp::Set, &vids("5"));
            k.fails(r, Errno::EINVAL);
            // and the listing shows no PVID
            assert_eq!(k.get("em0").pvid, None);
        },
    );
}

#[test]
fn member_vlans_need_a_member_not_a_filtering_bridge() {
    each(
        |r| {
            vlan_host(
                r,
                with(bridge("br0", 5, 0, &["em0"]), json!({"spans": ["sp0"]})),
            )
        },
        |k| {
            if !k.is15() {
                return;
            }
            let br = n("br0");
            // No VLANFILTER, and yet both are taken (no check of the
            // flags or of IFCAP_VLAN_HWFILTER in the handlers).
            k.ok(|h| h.set_member_pvid(&br, &n("em0"), vid(20)));
            k.ok(|h| h.set_member_vlans(&br, &n("em0"), VlanOp::Set, &vids("10,30")));
            assert_eq!(k.get("em0").pvid, vid(20), "{}", k.at());
            assert_eq!(k.ok(|h| h.member_vlans(&br, &n("em0"))), vids("10,30"));
            // ADD of what is there and DEL of what is not change nothing.
            k.ok(|h| h.set_member_vlans(&br, &n("em0"), VlanOp::Add, &vids("10,40")));
            k.ok(|h| h.set_member_vlans(&br, &n("em0"), VlanOp::Del, &vids("50,30")));
            assert_eq!(k.ok(|h| h.member_vlans(&br, &n("em0"))), vids("10,40"));
            k.ok(|h| h.set_member_pvid(&br, &n("em0"), None));
            assert_eq!(k.get("em0").pvid, None);
            // Not a member (a span port neither): ENOENT, with the text.
            let text = Some("Interface is not a bridge member");
            for m in ["em1", "sp0", "nope0"] {
                let r = k.host.set_member_pvid(&br, &n(m), vid(5));
                k.fails_with(r, Errno::ENOENT, text);
                let r = k.host.set_member_vlans(&br, &n(m), VlanOp::Add, &vids("5"));
                k.fails_with(r, Errno::ENOENT, text);
                let r = k.host.member_vlans(&br, &n(m));
                k.fails_with(r, Errno::ENOENT, text);
            }
            // Not a bridge: its driver refuses the bridge's ioctl.
            let r = k.host.set_member_pvid(&n("em0"), &n("em0"), vid(5));
            k.fails(r, Errno::EINVAL);
            let r = k.host.bridge_flags(&n("nope0"));
            k.fails(r, Errno::ENXIO);
            // Flags are stored, and read back.
            k.ok(|h| h.set_bridge_flags(&br, BridgeFlags(BridgeFlags::VLANFILTER)));
            assert!(k.ok(|h| h.bridge_flags(&br)).vlanfilter());
            assert_eq!(k.file()["interfaces"][4]["vlanfilter"], true);
            assert_eq!(k.file()["version"], 3, "VLAN state needs version 3");
        },
    );
}

#[test]
fn a_new_member_takes_the_default_pvid_and_a_leaving_one_loses_its_vlans() {
    let [a, b] = pair("epair0a", "epair0b", 0, 6);
    let file = move |r| {
        let mut h = vlan_host(
            r,
            with(
                bridge("br0", 5, 0, &["em0"]),
                json!({"vlanfilter": true, "defpvid": 7}),
            ),
        );
        h["interfaces"].as_array_mut().unwrap().push(a.clone());
        h["interfaces"].as_array_mut().unwrap().push(b.clone());
        h["interfaces"]
            .as_array_mut()
            .unwrap()
            .push(bridge("br1", 8, 1, &[]));
        h
    };
    each(file, |k| {
        if !k.is15() {
            return;
        }
        let (br0, br1) = (n("br0"), n("br1"));
        assert_eq!(k.ok(|h| h.bridge_defpvid(&br0)), vid(7));
        assert_eq!(k.ok(|h| h.bridge_defpvid(&br1)), None);
        // BRDGADD: the bridge's default, whatever the request's ifbr_pvid.
        k.ok(|h| h.bridge_add(&br0, &n("em1")));
        assert_eq!(k.get("em1").pvid, vid(7), "{}", k.at());
        assert_eq!(k.ok(|h| h.member_vlans(&br0, &n("em1"))), VlanSet::EMPTY);
        k.ok(|h| h.bridge_add(&br0, &n("epair0a")));
        k.ok(|h| h.set_member_pvid(&br0, &n("epair0a"), vid(20)));
        k.ok(|h| h.set_member_vlans(&br0, &n("epair0a"), VlanOp::Set, &vids("30")));
        // A destroyed member's state goes with it (bridge_ifdetach).
        k.ok(|h| h.destroy(&n("epair0b")));
        assert!(!k.has("epair0a"));
        // A destroyed bridge lets its members go without their VLANs.
        k.ok(|h| h.set_member_vlans(&br0, &n("em0"), VlanOp::Set, &vids("10")));
        k.ok(|h| h.destroy(&br0));
        assert_eq!(k.get("em0").pvid, None, "{}", k.at());
        let f = k.file();
        let em0 = iface(&f, "em0").unwrap();
        assert_eq!(em0.get("tagged"), None, "{}: {em0}", k.at());
        assert_eq!(em0.get("pvid"), None, "{}: {em0}", k.at());
        // Joining another bridge, it starts fresh: that bridge's default.
        k.ok(|h| h.bridge_add(&br1, &n("em0")));
        assert_eq!(k.get("em0").pvid, None);
        assert_eq!(k.ok(|h| h.member_vlans(&br1, &n("em0"))), VlanSet::EMPTY);
    });
}
