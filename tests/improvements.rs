//! Where rjib deliberately differs from jib (jib-semantics.md, "Where rjib
//! must differ"), each pinned by a test.

mod common;

use common::*;
use rjib::jib::mac::derive;
use rjib::net::Mac;
use serde_json::Value;

fn vlan_parent(via: &str) {
    // jib until 2026-09 died with "Bad substitution" on a dotted parent,
    // after creating the pair and without a derived MAC.
    let mut vlan = ether("em0.5", 2, "00:25:90:ab:cd:ef");
    vlan["type"] = "l2vlan".into();
    let h = HostFile::new(&host(vec![ether("em0", 1, "00:25:90:ab:cd:ef"), vlan]));
    let o = h.run(via, &["addm", "v", "em0.5", "em0", "em0.5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "em0.5bridge\ne0a_v\ne0b_v\nem0bridge\ne1a_v\ne1b_v\ne2a_v\ne2b_v\n"
    );
    let after = h.read();
    let p: Mac = "00:25:90:ab:cd:ef".parse().unwrap();
    // em0.5 has its own counter, apart from em0's
    for (end, counter) in [("e0", 0), ("e1", 0), ("e2", 1)] {
        let m = derive(p, "v", counter);
        assert_eq!(
            iface(&after, &format!("{end}a_v")).unwrap()["ether"],
            m.a.to_string(),
            "{end}"
        );
        assert_eq!(
            iface(&after, &format!("{end}b_v")).unwrap()["ether"],
            m.b.to_string(),
            "{end}"
        );
    }
    assert_eq!(
        iface(&after, "em0.5bridge").unwrap()["members"],
        serde_json::json!(["em0.5", "e0a_v", "e2a_v"])
    );
}

fn mtu_of(h: &Value, name: &str) -> u64 {
    iface(h, name).unwrap()["mtu"].as_u64().unwrap()
}

fn jumbo(via: &str) {
    // A member-less NAT bridge with jumbo frames, and a bridge with a
    // 9000-byte physical member.
    let mut nat = bridge("vtnet0bridge", 2, 0, &[]);
    nat["mtu"] = 9000.into();
    let mut em0 = ether("em0", 3, "00:25:90:ab:cd:ef");
    em0["mtu"] = 9000.into();
    let mut lowbr = bridge("em1bridge", 5, 1, &["em1"]);
    lowbr["mtu"] = 1460.into();
    let mut em1 = ether("em1", 4, "02:25:90:11:22:33");
    em1["mtu"] = 1460.into();
    // Both ends get the bridge's MTU before the a end joins: FreeBSD 14's
    // bridge_ioctl_add refuses a member whose MTU differs, 15's forces it
    // on the member; either way rjib's order works.
    for release in [14, 15] {
        let mut start = host(vec![
            ether("vtnet0", 1, "58:9c:fc:0a:1b:2c"),
            nat.clone(),
            em0.clone(),
            em1.clone(),
            lowbr.clone(),
        ]);
        start["version"] = 2.into();
        start["release"] = release.into();
        jumbo_on(via, &start);
    }
}

fn jumbo_on(via: &str, start: &Value) {
    let h = HostFile::new(start);
    let o = h.run(via, &["addm", "j", "vtnet0", "em0", "em1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = h.read();
    assert_eq!(
        mtu_of(&after, "vtnet0bridge"),
        9000,
        "the NAT bridge keeps its MTU"
    );
    assert_eq!(
        (mtu_of(&after, "e0a_j"), mtu_of(&after, "e0b_j")),
        (9000, 9000)
    );
    assert_eq!(mtu_of(&after, "em0bridge"), 9000);
    assert_eq!(
        (mtu_of(&after, "e1a_j"), mtu_of(&after, "e1b_j")),
        (9000, 9000)
    );
    assert_eq!(
        (mtu_of(&after, "e2a_j"), mtu_of(&after, "e2b_j")),
        (1460, 1460),
        "the jail end too"
    );
}

fn installed_as_jib(via: &str) {
    let dir = tempfile::tempdir().unwrap();
    let jib = dir.path().join("jib");
    std::os::unix::fs::symlink(BIN, &jib).unwrap();
    let h = HostFile::new(&seed());
    let run = |args: &[&str]| {
        std::process::Command::new(&jib)
            .env_clear()
            .env("RJIB_NETSIM", &h.path)
            .env("RJIB_NETSIM_VIA", via)
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["addm", "x"]);
    assert_eq!(
        stderr(&o),
        "Usage: jib addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n"
    );
    let o = run(&["addm", "jamulus", "vtnet0"]);
    assert_eq!(stdout(&o), "e0a_jamulus\ne0b_jamulus\n");
}

fn failed_mac_is_a_failure(via: &str) {
    // jib ignores a refused MAC; rjib undoes the link (a jail with the wrong
    // MAC loses its DHCP lease and firewall identity).
    let mut start = seed();
    start["faults"] = serde_json::json!([{"op": "ether", "nth": 2, "errno": "EINVAL"}]);
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "rjib: e0b_jamulus: ether 0e:a0:e2:0a:1b:2c: Invalid argument; nothing was changed (1 step(s) undone)\n"
    );
    assert_eq!(without_log(&h.state()).0, start);
}

#[test]
fn vlan_parent_direct() {
    vlan_parent("direct");
}

#[test]
fn vlan_parent_ioctl() {
    vlan_parent("ioctl");
}

#[test]
fn jumbo_direct() {
    jumbo("direct");
}

#[test]
fn jumbo_ioctl() {
    jumbo("ioctl");
}

#[test]
fn jib_link_direct() {
    installed_as_jib("direct");
}

#[test]
fn mac_failure_direct() {
    failed_mac_is_a_failure("direct");
}

#[test]
fn mac_failure_ioctl() {
    failed_mac_is_a_failure("ioctl");
}
