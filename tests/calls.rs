//! One interface listing per command, and no child processes.

mod common;

use common::*;
use rjib::app::main_counted;
use rjib::backend::Selection;
use rjib::host::Op;
use rjib::host::counting::Calls;

/// Run rjib in this process on `h` and count its host calls.
fn counted(h: &HostFile, via: &str, args: &[&str]) -> (i32, String, Calls) {
    let sel = Selection {
        netsim: Some(h.path.clone().into()),
        via: Some(via.into()),
    };
    let mut argv = vec![std::ffi::OsString::from("rjib")];
    argv.extend(args.iter().map(std::ffi::OsString::from));
    let c = main_counted(&argv, &sel);
    (c.status, String::from_utf8(c.out).unwrap(), c.calls)
}

fn one_listing(via: &str) {
    let h = HostFile::new(&seed());
    for k in 0..20 {
        let (s, _, _) = counted(&h, via, &["addm", &format!("j{k}"), "vtnet0"]);
        assert_eq!(s, 0);
    }
    for args in [
        &["addm", "x", "vtnet0", "vtnet0", "vtnet0"][..],
        &["show"],
        &["show", "x"],
        &["show", "--libxo", "json"],
        &["-n", "addm", "y", "vtnet0"],
        &["-n", "destroy", "x"],
        &["destroy", "x"],
    ] {
        let (s, _, calls) = counted(&h, via, args);
        assert_eq!(s, 0, "{args:?}");
        assert_eq!(calls.get(Op::List), 1, "{via} {args:?}: {calls:?}");
    }
    // addm of 3 links on an existing bridge: lock, list, the bridge's
    // sysctls, one modfind of if_epair, then per link create, addm, 2
    // renames, 2 descriptions, 2 ups, 2 ethers, one MTU read and one
    // syslog record; nothing per existing jail.
    let (_, _, calls) = counted(&h, via, &["addm", "z", "vtnet0", "vtnet0", "vtnet0"]);
    assert_eq!(calls.get(Op::Create), 3);
    assert_eq!(calls.get(Op::Rename), 6);
    assert_eq!(calls.get(Op::Destroy), 0);
    assert_eq!(calls.0.get("modfind"), Some(&1));
    assert_eq!(calls.0.get("sysctl"), Some(&1));
    assert_eq!(calls.total(), 1 + 1 + 1 + 1 + 3 * 12, "{calls:?}");
    // Which end is whose peer is read only where it decides: nothing for
    // show or a new jail's addm (above: no drivername), two sysctls for a
    // pair whose ends are both on the host, in prune and in a reusing addm.
    for args in [
        &["show"][..],
        &["show", "--libxo", "json"],
        &["addm", "n", "vtnet0"],
    ] {
        let (_, _, calls) = counted(&h, via, args);
        assert_eq!(calls.get(Op::Driver), 0, "{via} {args:?}: {calls:?}");
    }
    let (_, _, calls) = counted(&h, via, &["-n", "prune"]);
    // j0 to j19, three of x and n: 24 pairs
    assert_eq!(calls.get(Op::Driver), 2 * 24, "{via}: {calls:?}");
    // ... and the listing: a dry destroy asks no cloner (no modfind)
    assert_eq!(calls.total(), 1 + 2 * 24, "{via}: {calls:?}");
    let (_, out, calls) = counted(&h, via, &["-n", "destroy", "n"]);
    assert_eq!(out, "ifconfig e0a_n destroy\n");
    assert_eq!(calls.total(), 1, "{via}: the listing only: {calls:?}");
    let (_, out, calls) = counted(&h, via, &["addm", "j0", "vtnet0"]);
    assert_eq!(
        (out.as_str(), calls.get(Op::Driver)),
        ("", 2),
        "{via}: {calls:?}"
    );
    let (_, _, calls) = counted(&h, via, &["destroy", "n"]);
    assert_eq!(calls.get(Op::Driver), 0, "{via}");
    let (_, _, calls) = counted(&h, via, &["destroy", "z"]);
    assert_eq!(
        calls.total(),
        1 + 1 + 3 + 3,
        "lock, list, 3 destroys and their syslog records: {calls:?}"
    );
}

#[test]
fn one_listing_direct() {
    one_listing("direct");
}

#[test]
fn one_listing_ioctl() {
    one_listing("ioctl");
}

/// rjib never runs ifconfig, sh or anything else: with a PATH full of
/// traps that record being run, every command leaves no trace.
#[test]
fn no_child_processes() {
    let trap = tempfile::tempdir().unwrap();
    let marker = trap.path().join("ran");
    for prog in [
        "ifconfig", "sh", "bash", "jib", "sum", "cksum", "awk", "sort", "xargs", "id", "kldload",
        "sysctl",
    ] {
        let p = trap.path().join(prog);
        std::fs::write(
            &p,
            format!("#!/bin/sh\necho {prog} >> {}\n", marker.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let h = HostFile::new(&seed());
    for via in VIAS {
        for args in [
            &["addm", "jamulus", "vtnet0", "em9"][..],
            &["addm", "jamulus", "vtnet0"],
            &["show"],
            &["show", "jamulus", "--libxo", "json"],
            &["-n", "destroy", "jamulus"],
            &["destroy", "jamulus"],
            &["bogus"],
        ] {
            let o = command(&h.path, via)
                .env("PATH", trap.path())
                .args(args)
                .output()
                .unwrap();
            assert!(o.status.code().is_some(), "{args:?}");
        }
    }
    assert!(
        !marker.exists(),
        "rjib ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
}

/// A VLAN addm costs at most three host calls more than a plain one on
/// the same trunk bridge: the plain one reads the bridge's flags and
/// default VLAN (for its warning); the VLAN one reads the flags and the
/// uplink's tagged set, then sets the epair's untagged VLAN and tagged set.
fn vlan_addm_costs_little_more(via: &str) {
    let mut br = bridge("ix0bridge", 3, 0, &["ix0"]);
    br["vlanfilter"] = true.into();
    let mut ix0 = ether("ix0", 2, "00:25:90:00:00:02");
    ix0["tagged"] = serde_json::json!([10, 20]);
    let trunk = serde_json::json!({"version": 3, "release": 15, "interfaces": [lo0(), ix0, br]});
    let h = HostFile::new(&trunk);
    let (s, _, plain) = counted(&h, via, &["addm", "p", "ix0"]);
    assert_eq!(s, 0);
    let (s, out, vlan) = counted(
        &h,
        via,
        &["addm", "v", "ix0", "untagged", "20", "tagged", "10"],
    );
    assert_eq!((s, out.as_str()), (0, "e0a_v\ne0b_v\n"));
    assert_eq!(plain.0.get("bridgeflags-get"), Some(&1), "{plain:?}");
    assert_eq!(plain.0.get("defpvid-get"), Some(&1), "{plain:?}");
    assert_eq!(vlan.0.get("bridgeflags-get"), Some(&1), "{vlan:?}");
    assert_eq!(vlan.0.get("vlanset-get"), Some(&1), "{vlan:?}");
    assert_eq!(vlan.get(Op::Pvid), 1);
    assert_eq!(vlan.get(Op::Vlanset), 1);
    assert_eq!(vlan.get(Op::List), 1);
    assert!(
        vlan.total() <= plain.total() + 3,
        "{via}: VLAN {vlan:?} vs plain {plain:?}"
    );
    // Two more than the plain one's reads, one less than its warning's
    // syslog record (its epair is in no VLAN).
    assert_eq!(plain.0.get("syslog"), Some(&2), "{plain:?}");
    assert_eq!(vlan.total(), plain.total() + 1, "{via}");
    // A plain addm on FreeBSD 14 reads no VLAN state at all.
    let (_, _, on14) = counted(&HostFile::new(&seed()), via, &["addm", "q", "vtnet0"]);
    assert!(
        !on14
            .0
            .keys()
            .any(|k| k.contains("flags") || k.contains("pvid") || k.contains("vlan")),
        "{on14:?}"
    );
}

#[test]
fn vlan_addm_costs_little_more_direct() {
    vlan_addm_costs_little_more("direct");
}

#[test]
fn vlan_addm_costs_little_more_ioctl() {
    vlan_addm_costs_little_more("ioctl");
}

/// On a bridge this run creates, a VLAN addm sets the bridge's flags
/// without reading them first (a new bridge has none:
/// `bridge_clone_create` zeroes its softc), so `untagged N` costs three
/// calls more than a plain addm: the flags, the parent's tagged set and
/// the epair's untagged VLAN.
fn vlan_addm_on_a_new_bridge(via: &str) {
    let (s, _, plain) = counted(&HostFile::new(&bare15()), via, &["addm", "p", "ix0"]);
    assert_eq!(s, 0);
    let h = HostFile::new(&bare15());
    let (s, _, vlan) = counted(&h, via, &["addm", "v", "ix0", "untagged", "20"]);
    assert_eq!(s, 0);
    assert_eq!(vlan.0.get("bridgeflags-get"), None, "{via}: {vlan:?}");
    assert_eq!(vlan.get(Op::Bridgeflags), 1, "{via}: {vlan:?}");
    assert_eq!(
        vlan.total(),
        plain.total() + 3,
        "{via}: {vlan:?} vs {plain:?}"
    );
    let ix0bridge = iface(&h.read(), "ix0bridge").unwrap().clone();
    assert_eq!(ix0bridge["vlanfilter"], true, "{via}");
}

#[test]
fn vlan_addm_on_a_new_bridge_direct() {
    vlan_addm_on_a_new_bridge("direct");
}

#[test]
fn vlan_addm_on_a_new_bridge_ioctl() {
    vlan_addm_on_a_new_bridge("ioctl");
}

/// An uplink whose untagged VLAN is the one the jail asks for carries it:
/// nothing more to read than the bridge's flags.
fn a_native_vlan_needs_no_read(via: &str) {
    let mut br = bridge("ix0bridge", 3, 0, &["ix0"]);
    br["vlanfilter"] = true.into();
    let mut ix0 = ether("ix0", 2, "00:25:90:00:00:02");
    ix0["pvid"] = 30.into();
    let trunk = serde_json::json!({"version": 3, "release": 15, "interfaces": [lo0(), ix0, br]});
    let (s, _, c) = counted(
        &HostFile::new(&trunk),
        via,
        &["addm", "v", "ix0", "untagged", "30"],
    );
    assert_eq!(s, 0);
    assert_eq!(c.0.get("vlanset-get"), None, "{via}: {c:?}");
    assert_eq!(c.0.get("bridgeflags-get"), Some(&1), "{via}: {c:?}");
}

#[test]
fn a_native_vlan_needs_no_read_direct() {
    a_native_vlan_needs_no_read("direct");
}

#[test]
fn a_native_vlan_needs_no_read_ioctl() {
    a_native_vlan_needs_no_read("ioctl");
}

/// `show --libxo json` on FreeBSD 14, which has no VLANs: no
/// BRDGGIFVLANSET the kernel must refuse, and no VLANs claimed (`null`,
/// not `[]`); on 15 each member's set is read.
fn show_json_reads_vlans_only_on_15(via: &str) {
    let h = HostFile::new(&seed());
    for j in ["a", "b", "c"] {
        assert_eq!(counted(&h, via, &["addm", j, "vtnet0"]).0, 0);
    }
    let (s, out, calls) = counted(&h, via, &["show", "--libxo", "json"]);
    assert_eq!(s, 0);
    assert_eq!(calls.0.get("vlanset-get"), None, "{via}: {calls:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for j in v["rjib-information"]["jail"].as_array().unwrap() {
        assert_eq!(
            j["epair"][0]["a"]["tagged"],
            serde_json::Value::Null,
            "{via}: {v}"
        );
    }
    let h = HostFile::new(&bare15());
    assert_eq!(counted(&h, via, &["addm", "a", "ix0"]).0, 0);
    let (_, out, calls) = counted(&h, via, &["show", "--libxo", "json"]);
    assert_eq!(calls.0.get("vlanset-get"), Some(&1), "{via}: {calls:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["rjib-information"]["jail"][0]["epair"][0]["a"]["tagged"],
        serde_json::json!([])
    );
}

#[test]
fn show_json_reads_vlans_only_on_15_direct() {
    show_json_reads_vlans_only_on_15("direct");
}

#[test]
fn show_json_reads_vlans_only_on_15_ioctl() {
    show_json_reads_vlans_only_on_15("ioctl");
}

/// The layouts a VLAN addm meets, each with a plain addm and VLAN addms of
/// one link on the same parent: (name, host, the VLAN runs).
fn layouts() -> Vec<(&'static str, serde_json::Value)> {
    let trunk = |filtering: bool, rjib: bool, tagged: &[u16]| {
        let mut h = bare15();
        let mut br = bridge("ix0bridge", 3, 0, &["ix0"]);
        br["vlanfilter"] = filtering.into();
        if rjib {
            br["description"] = "rjib: bridge for ix0".into();
        }
        h["interfaces"].as_array_mut().unwrap().push(br);
        h["interfaces"][1]["tagged"] = serde_json::json!(tagged);
        h
    };
    let mut on14 = bare15();
    on14["release"] = 14.into();
    vec![
        ("new bridge", bare15()),
        ("rjib's bridge lacking the VLANs", trunk(true, true, &[])),
        ("a trunk carrying them", trunk(true, false, &[10, 20])),
        ("a bridge that does not filter", trunk(false, false, &[])),
        ("FreeBSD 14", on14),
    ]
}

/// Host calls of a plain addm and of VLAN addms of one link, on every
/// layout (README.md, Performance, states these numbers). `untagged N`
/// costs at most three calls more than a plain addm on the same bridge
/// wherever it is taken, and `untagged N tagged SET` at most four. On 14
/// and on a bridge that does not filter a VLAN addm is refused after its
/// reads, before any change.
fn vlan_addm_costs_by_layout(via: &str) {
    // plain, untagged 20, untagged 20 tagged 10, and whether refused
    let want = [
        (23, 26, 27, false),
        (19, 22, 23, false),
        (19, 19, 20, false),
        (18, 6, 6, true),
        (23, 4, 4, true),
    ];
    for ((name, host), (p, u, b, refused)) in layouts().into_iter().zip(want) {
        let plain = counted(&HostFile::new(&host), via, &["addm", "p", "ix0"]);
        assert_eq!(plain.0, 0, "{via} {name}");
        let untagged = counted(
            &HostFile::new(&host),
            via,
            &["addm", "v", "ix0", "untagged", "20"],
        );
        let both = counted(
            &HostFile::new(&host),
            via,
            &["addm", "v", "ix0", "untagged", "20", "tagged", "10"],
        );
        assert_eq!(untagged.0, i32::from(refused), "{via} {name}");
        assert_eq!(both.0, i32::from(refused), "{via} {name}");
        let got = (plain.2.total(), untagged.2.total(), both.2.total());
        assert_eq!(
            got,
            (p, u, b),
            "{via} {name}: {:?} | {:?} | {:?}",
            plain.2,
            untagged.2,
            both.2
        );
        assert!(u <= p + 3 && b <= p + 4, "{via} {name}");
    }
}

#[test]
fn vlan_addm_costs_by_layout_direct() {
    vlan_addm_costs_by_layout("direct");
}

#[test]
fn vlan_addm_costs_by_layout_ioctl() {
    vlan_addm_costs_by_layout("ioctl");
}
