//! FreeBSD's tests/sys/net/if_clone_test.sh, the epair cases, ported as
//! deterministic reductions: the ATF cases loop creates and destroys
//! against each other for 10 seconds and assert only that the kernel does
//! not panic; here each step's kernel answer is asserted, on FreeBSD 14 and
//! 15, directly and through the ioctl emulator.
//!
//! Sources: freebsd/freebsd-src 868bf82153e8ff22f09a8860c872149e0fb6bdef
//! (before stable/14 branched) and Nevuqe/nqc
//! b4957c2f5189362d5268ed334e2e46c1894d4f01 (the same 25 cases).

mod atf;
mod common;

use atf::{each, host, n};
use rjib::net::{Cloner, Errno};
use serde_json::json;

const BOTH: &[u32] = &[14, 15];

/// `epair_stress`: `ifconfig epairN create` (a named unit) and
/// `ifconfig epairNa destroy`, over and over. Creating a unit that exists
/// is EEXIST (`ifc_alloc_unit_specific`); destroying `epairNa` takes
/// `epairNb` (`epair_clone_destroy`) and frees the unit; destroying it
/// again is ENXIO; the unit then gives `epairNa`/`epairNb` again.
#[test]
fn epair_stress() {
    each(BOTH, &host(vec![]), |k| {
        for round in 0..3 {
            let a = k.ok(|h| h.create(Cloner::Epair, Some(0)));
            assert_eq!(a.as_str(), "epair0a", "{} round {round}", k.at());
            assert!(k.has("epair0b"), "{}", k.at());
            k.refused(|h| h.create(Cloner::Epair, Some(0)), Errno::EEXIST, None);
            k.ok(|h| h.destroy(&n("epair0a")));
            assert!(!k.has("epair0a") && !k.has("epair0b"), "{}", k.at());
            k.refused(|h| h.destroy(&n("epair0a")), Errno::ENXIO, None);
        }
        // Only lo0 is left.
        assert_eq!(k.list().len(), 1, "{}", k.at());
    });
}

/// `epair_up_stress` (and `epair_ipv6_up_stress`), the part the simulation
/// can model: create, bring up, destroy, and the `up` racing the destroy
/// finding it gone: ENXIO (`ifunit_ref`). The address assignment and IPv6
/// auto-configuration of those cases are not modelled.
#[test]
fn epair_up_stress() {
    each(BOTH, &host(vec![]), |k| {
        for _ in 0..3 {
            let a = k.ok(|h| h.create(Cloner::Epair, None));
            k.ok(|h| h.set_up(&a, true));
            assert!(k.get(a.as_str()).up, "{}", k.at());
            k.ok(|h| h.destroy(&a));
            k.refused(|h| h.set_up(&a, true), Errno::ENXIO, None);
        }
    });
}

/// `epair_destroy_race`: the host destroys `epairNa` while a jail holding
/// `epairNb` in its vnet starts or stops. The two orders the simulation can
/// hold: (a) `b` inside the jail's vnet: destroying `a` on the host takes
/// `b` with it (`epair_clone_destroy` destroys the peer in its own vnet),
/// and the unit is free; (b) the jail gone and `b` back on the host
/// (`vnet_if_return` appended it to the host's list): destroying `a`
/// takes both.
#[test]
fn epair_destroy_race() {
    let end = |name: &str, peer: &str, index: u32, e: &str| {
        json!({"name": name, "index": index, "cloner": "epair", "unit": 0, "peer": peer,
               "ether": format!("02:00:00:00:00:{e}"), "mtu": 1500, "up": false,
               "groups": ["epair"]})
    };
    let mut b_in_jail = end("epair0b", "epair0a", 3, "0b");
    b_in_jail["vnet"] = "j".into();
    let mut in_jail = host(vec![end("epair0a", "epair0b", 2, "0a"), b_in_jail]);
    in_jail["jails"] = json!([{"name": "j", "jid": 1}]);
    // (b): returned, at the tail, after an interface attached meanwhile.
    let returned = host(vec![
        end("epair0a", "epair0b", 2, "0a"),
        json!({"name": "em0", "index": 4, "mtu": 1500, "up": true}),
        end("epair0b", "epair0a", 3, "0b"),
    ]);
    for file in [in_jail, returned] {
        each(BOTH, &file, |k| {
            k.ok(|h| h.destroy(&n("epair0a")));
            assert!(!k.has("epair0a") && !k.has("epair0b"), "{}", k.at());
            let file = k.file();
            let left: Vec<&str> = file["interfaces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap())
                .collect();
            assert!(
                !left.iter().any(|l| l.starts_with("epair0")),
                "{}: {left:?}",
                k.at()
            );
            // The unit is free again.
            let a = k.ok(|h| h.create(Cloner::Epair, None));
            assert_eq!(a.as_str(), "epair0a", "{}", k.at());
        });
    }
}
