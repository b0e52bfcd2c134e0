//! FreeBSD 15's VLAN-filtering bridges (issue 15), end to end on both
//! paths: `addm … untagged N tagged SET` on the command line, each
//! behaviour the issue lists, a fault and a signal after every new step,
//! and `show --libxo json`.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::*;
use serde_json::{Value, json};

/// FreeBSD 15 with ix0 and em1 (up, no bridge), and vtnet0 with its NAT
/// bridge vtnet0bridge.
fn host15() -> Value {
    json!({"version": 3, "release": 15, "euid": 0, "interfaces": [
        lo0(),
        ether("ix0", 2, "00:25:90:00:00:02"),
        ether("em1", 3, "00:25:90:00:00:03"),
        ether("vtnet0", 4, "58:9c:fc:0a:1b:2c"),
        bridge("vtnet0bridge", 5, 0, &[]),
    ]})
}

/// `host15` with the trunk bridge ix0bridge: ix0 a member carrying
/// `tagged`; `filtering`, `defpvid` and, when `rjib`, rjib's description.
fn with_trunk(filtering: bool, tagged: &[u16], rjib: bool, defpvid: u16) -> Value {
    let mut h = host15();
    let ifs = h["interfaces"].as_array_mut().unwrap();
    let mut br = bridge("ix0bridge", 6, 1, &["ix0"]);
    br["vlanfilter"] = json!(filtering);
    if rjib {
        br["description"] = json!("rjib: bridge for ix0");
    }
    if defpvid != 0 {
        br["defpvid"] = json!(defpvid);
    }
    ifs.push(br);
    if !tagged.is_empty() {
        ifs[1]["tagged"] = json!(tagged);
    }
    h
}

/// The host without its log and clock.
fn state(h: &HostFile) -> Value {
    timeless(&without_log(&h.read()).0)
}

fn field<'a>(host: &'a Value, name: &str, key: &str) -> &'a Value {
    &iface(host, name).unwrap_or_else(|| panic!("no {name}"))[key]
}

/// Run and expect success; stdout.
fn ok(h: &HostFile, via: &str, args: &[&str]) -> String {
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Run, expect a refusal that changes nothing; the one stderr line.
fn refused(start: &Value, via: &str, args: &[&str]) -> String {
    let h = HostFile::new(start);
    let before = state(&h);
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(1), "{via} {args:?}");
    assert_eq!(stdout(&o), "", "{via} {args:?}");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{via} {args:?}: {err}");
    assert_eq!(state(&h), before, "{via} {args:?}: nothing changed");
    err.trim_end().to_string()
}

fn command_line_forms(via: &str) {
    // untagged on a new bridge: the bridge filters, ix0 carries 20 tagged.
    let h = HostFile::new(&host15());
    let out = ok(&h, via, &["addm", "web", "ix0", "untagged", "20"]);
    assert_eq!(out, "ix0bridge\ne0a_web\ne0b_web\n");
    let s = state(&h);
    assert_eq!(field(&s, "ix0bridge", "vlanfilter"), true);
    assert_eq!(
        field(&s, "ix0bridge", "members"),
        &json!(["ix0", "e0a_web"])
    );
    assert_eq!(field(&s, "ix0", "tagged"), &json!([20]));
    assert_eq!(field(&s, "e0a_web", "pvid"), 20);
    assert_eq!(field(&s, "e0a_web", "tagged"), &Value::Null);
    assert_eq!(field(&s, "e0b_web", "pvid"), &Value::Null);
    assert_eq!(s["version"], 3);
    // the MACs are jib's, VLANs or not
    let plain = HostFile::new(&host15());
    ok(&plain, via, &["addm", "web", "ix0"]);
    for end in ["e0a_web", "e0b_web"] {
        assert_eq!(
            field(&s, end, "ether"),
            field(&plain.read(), end, "ether"),
            "{via}"
        );
    }
    // a router: tagged on the same bridge, rjib's own: 10 and 21-30 added
    let out = ok(&h, via, &["addm", "router", "ix0", "tagged", "10,20-30"]);
    assert_eq!(out, "e0a_router\ne0b_router\n");
    let s = state(&h);
    let vids: Vec<u16> = [10].into_iter().chain(20..=30).collect();
    assert_eq!(field(&s, "e0a_router", "tagged"), &json!(vids));
    assert_eq!(field(&s, "e0a_router", "pvid"), &Value::Null);
    assert_eq!(field(&s, "ix0", "tagged"), &json!(vids));
    // keywords bind to the iface before them; i counts ifaces only
    let h = HostFile::new(&host15());
    let out = ok(
        &h,
        via,
        &[
            "addm", "dmz", "ix0", "untagged", "5", "tagged", "100-102", "em1",
        ],
    );
    assert_eq!(
        out,
        "ix0bridge\ne0a_dmz\ne0b_dmz\nem1bridge\ne1a_dmz\ne1b_dmz\n"
    );
    let s = state(&h);
    assert_eq!(field(&s, "e0a_dmz", "pvid"), 5);
    assert_eq!(field(&s, "e0a_dmz", "tagged"), &json!([100, 101, 102]));
    assert_eq!(field(&s, "ix0", "tagged"), &json!([5, 100, 101, 102]));
    assert_eq!(field(&s, "e1a_dmz", "pvid"), &Value::Null);
    assert_eq!(
        field(&s, "em1bridge", "vlanfilter"),
        &Value::Null,
        "em1's bridge has no VLANs: it does not filter"
    );
    // either order; `!` still keeps the kernel's MACs
    let h = HostFile::new(&host15());
    ok(
        &h,
        via,
        &["addm", "web", "!ix0", "tagged", "7", "untagged", "8"],
    );
    let s = state(&h);
    assert_eq!(field(&s, "e0a_web", "pvid"), 8);
    assert_eq!(field(&s, "e0a_web", "tagged"), &json!([7]));
    assert!(
        field(&s, "e0a_web", "ether")
            .as_str()
            .unwrap()
            .starts_with("02:00:00:"),
        "the kernel's MAC"
    );
    // `tagged none` is no tagged VLAN; parse_vlans' forms are taken
    let h = HostFile::new(&host15());
    ok(
        &h,
        via,
        &["addm", "web", "ix0", "untagged", "4094", "tagged", "none"],
    );
    assert_eq!(field(&state(&h), "e0a_web", "tagged"), &Value::Null);
    let h = HostFile::new(&host15());
    ok(&h, via, &["addm", "web", "ix0", "tagged", "010,+11, 12"]);
    assert_eq!(field(&state(&h), "e0a_web", "tagged"), &json!([10, 11, 12]));
}

#[test]
fn command_line_forms_direct() {
    command_line_forms("direct");
}

#[test]
fn command_line_forms_ioctl() {
    command_line_forms("ioctl");
}

fn command_line_refusals(via: &str) {
    let start = host15();
    for (args, want) in [
        (
            &["addm", "web", "ix0", "untagged"][..],
            "rjib: ix0 untagged: no VLAN ID after it; write untagged VID (1 to 4094)",
        ),
        (
            &["addm", "web", "ix0", "tagged"],
            "rjib: ix0 tagged: no VLAN set after it; write tagged SET (VIDs and ranges: 10,20-30)",
        ),
        (
            &["addm", "web", "ix0", "untagged", "0"],
            "rjib: ix0 untagged 0: a VLAN ID is 1 to 4094",
        ),
        (
            &["addm", "web", "ix0", "untagged", "4095"],
            "rjib: ix0 untagged 4095: a VLAN ID is 1 to 4094",
        ),
        (
            &["addm", "web", "ix0", "untagged", "020"],
            "rjib: ix0 untagged 020: a VLAN ID has no leading zero (ifconfig(8) would read it as octal)",
        ),
        (
            &["addm", "web", "ix0", "untagged", "0x14"],
            "rjib: ix0 untagged 0x14: a VLAN ID is written in decimal digits only",
        ),
        (
            &["addm", "web", "ix0", "tagged", "20-10"],
            "rjib: ix0 tagged 20-10: not a VLAN set: \"20-10\": a range goes from the lower VID to the higher; \
             write VIDs (1 to 4094) and ranges separated by commas (10,20-30), or none or all",
        ),
        (
            &["addm", "web", "ix0", "tagged", "10,4095"],
            "rjib: ix0 tagged 10,4095: not a VLAN set: \"4095\": a VLAN ID is 1 to 4094; \
             write VIDs (1 to 4094) and ranges separated by commas (10,20-30), or none or all",
        ),
        (
            &["addm", "web", "untagged", "20", "ix0"],
            "rjib: untagged: comes before any interface; write it after the interface it is for \
             (addm NAME IFACE untagged VID tagged SET)",
        ),
        (
            &["addm", "web", "ix0", "untagged", "20", "untagged", "30"],
            "rjib: ix0 untagged 30: untagged is given twice for ix0; give each keyword once per interface",
        ),
        (
            &[
                "addm", "web", "!ix0", "tagged", "1", "em1", "tagged", "2", "tagged", "3",
            ],
            "rjib: em1 tagged 3: tagged is given twice for em1; give each keyword once per interface",
        ),
    ] {
        assert_eq!(refused(&start, via, args), want, "{via} {args:?}");
    }
    // A bad keyword is refused before root, the lock or anything else.
    let mut not_root = start.clone();
    not_root["euid"] = json!(1001);
    assert_eq!(
        refused(&not_root, via, &["addm", "web", "ix0", "untagged", "0"]),
        "rjib: ix0 untagged 0: a VLAN ID is 1 to 4094"
    );
}

#[test]
fn command_line_refusals_direct() {
    command_line_refusals("direct");
}

#[test]
fn command_line_refusals_ioctl() {
    command_line_refusals("ioctl");
}

fn behaviour(via: &str) {
    // FreeBSD 14: refused up front, even for an argument that is skipped.
    let mut on14 = host15();
    on14["release"] = json!(14);
    on14["version"] = json!(2);
    let msg = "rjib: untagged/tagged need FreeBSD 15's VLAN-filtering bridge; this host runs 14.x";
    assert_eq!(
        refused(&on14, via, &["addm", "web", "ix0", "untagged", "20"]),
        msg
    );
    let h = HostFile::new(&on14);
    ok(&h, via, &["addm", "web", "ix0"]);
    let skipped = h.read();
    assert_eq!(
        refused(&skipped, via, &["addm", "web", "ix0", "tagged", "5"]),
        msg
    );

    // `tagged none` is a VLAN request like any other (ifconfig 14 has no
    // `tagged` at all): refused on 14, and on a bridge that does not
    // filter; on a new bridge it makes the bridge filter, and warns that
    // the epair is in no VLAN.
    assert_eq!(
        refused(&on14, via, &["addm", "web", "ix0", "tagged", "none"]),
        msg
    );
    let err = refused(
        &with_trunk(false, &[], false, 0),
        via,
        &["addm", "web", "ix0", "tagged", "none"],
    );
    assert!(
        err.starts_with("rjib: ix0bridge: is not a VLAN-filtering bridge"),
        "{err}"
    );
    assert!(!err.contains("+iftagged"), "nothing to carry: {err}");
    let h = HostFile::new(&host15());
    let o = h.run(via, &["addm", "web", "ix0", "tagged", "none"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert!(stderr(&o).contains("e0a_web: joins the VLAN-filtering bridge ix0bridge in no VLAN"));
    let s = state(&h);
    assert_eq!(field(&s, "ix0bridge", "vlanfilter"), true);
    assert_eq!(field(&s, "ix0", "tagged"), &Value::Null);

    // An existing bridge without VLANFILTER: refused, with the fix.
    let err = refused(
        &with_trunk(false, &[], false, 0),
        via,
        &["addm", "web", "ix0", "untagged", "20"],
    );
    assert_eq!(
        err,
        "rjib: ix0bridge: is not a VLAN-filtering bridge, and rjib does not turn filtering on in a bridge \
         that exists (its members without VLANs would lose their traffic); turn it on with: ifconfig \
         ix0bridge vlanfilter, and add vlanfilter to ifconfig_ix0bridge in rc.conf(5); ix0 must carry the \
         VLANs tagged too: ifconfig ix0bridge +iftagged ix0 20"
    );
    // ... and the NAT layout: vtnet0 is not a member of vtnet0bridge.
    let err = refused(&host15(), via, &["addm", "web", "vtnet0", "untagged", "20"]);
    assert!(
        err.contains("vtnet0bridge: is not a VLAN-filtering bridge"),
        "{err}"
    );
    assert!(!err.contains("+iftagged"), "{err}");

    // The parent lacks a VID on a bridge rjib did not make: refused, with
    // the ifconfig command that adds it.
    let err = refused(
        &with_trunk(true, &[10], false, 0),
        via,
        &["addm", "web", "ix0", "untagged", "20", "tagged", "10,30"],
    );
    assert_eq!(
        err,
        "rjib: ix0: does not carry VLAN 20,30 tagged on ix0bridge, which rjib did not make, so rjib does not \
         change it; add them: ifconfig ix0bridge +iftagged ix0 20,30, and to ix0's tagged set in \
         ifconfig_ix0bridge in rc.conf(5)"
    );
    // ... on one rjib made: added, exactly the missing ones.
    let h = HostFile::new(&with_trunk(true, &[10], true, 0));
    ok(
        &h,
        via,
        &["addm", "web", "ix0", "untagged", "20", "tagged", "10,30"],
    );
    let s = state(&h);
    assert_eq!(field(&s, "ix0", "tagged"), &json!([10, 20, 30]));
    assert_eq!(field(&s, "e0a_web", "pvid"), 20);
    assert_eq!(field(&s, "e0a_web", "tagged"), &json!([10, 30]));
    let log = without_log(&h.read()).1;
    let messages: Vec<&str> = log.iter().map(|r| r["message"].as_str().unwrap()).collect();
    let m = rjib::jib::mac::derive("00:25:90:00:00:02".parse().unwrap(), "web", 0);
    assert_eq!(
        messages,
        [
            "ix0bridge: ix0 now carries VLAN 20,30 tagged too (jail web)".to_string(),
            format!(
                "e0a_web, e0b_web: created for jail web on ix0bridge (parent ix0), MACs {} and {}, \
                 e0a_web untagged 20 tagged 10,30",
                m.a, m.b
            ),
        ]
    );
    // destroy never takes VIDs from the parent; the epair's go with it
    ok(&h, via, &["destroy", "web"]);
    let s = state(&h);
    assert_eq!(field(&s, "ix0", "tagged"), &json!([10, 20, 30]));
    assert_eq!(field(&s, "ix0bridge", "members"), &json!(["ix0"]));
    assert_eq!(field(&s, "ix0bridge", "vlanfilter"), true);

    // The parent carries the VIDs already: nothing to add.
    let start = with_trunk(true, &[20, 30], false, 0);
    let h = HostFile::new(&start);
    ok(&h, via, &["addm", "web", "ix0", "untagged", "30"]);
    assert_eq!(field(&state(&h), "ix0", "tagged"), &json!([20, 30]));

    // The uplink's untagged VLAN (its PVID) is carried too
    // (`bridge_vfilter_in` gives an untagged frame the port's PVID,
    // `bridge_vfilter_out` sends the PVID's frames out untagged): a trunk
    // with a native VLAN needs nothing added, on any bridge, and its set
    // is not even read when the PVID is all the jail needs.
    for rjib in [false, true] {
        let mut start = with_trunk(true, &[10], rjib, 0);
        start["interfaces"][1]["pvid"] = json!(30);
        let h = HostFile::new(&start);
        ok(&h, via, &["addm", "web", "ix0", "untagged", "30"]);
        let s = state(&h);
        assert_eq!(
            field(&s, "ix0", "tagged"),
            &json!([10]),
            "{via} rjib {rjib}"
        );
        assert_eq!(field(&s, "ix0", "pvid"), 30);
        assert_eq!(field(&s, "e0a_web", "pvid"), 30);
        // 10 tagged and 30 untagged: both carried.
        let h = HostFile::new(&start);
        ok(&h, via, &["addm", "r", "ix0", "tagged", "10,30"]);
        assert_eq!(field(&state(&h), "ix0", "tagged"), &json!([10]));
    }

    // The parent is not a member (a filtering NAT bridge): nothing to
    // check on the uplink.
    let mut nat = host15();
    nat["interfaces"][4]["vlanfilter"] = json!(true);
    let h = HostFile::new(&nat);
    ok(&h, via, &["addm", "web", "vtnet0", "untagged", "20"]);
    assert_eq!(field(&state(&h), "e0a_web", "pvid"), 20);
    assert_eq!(field(&state(&h), "vtnet0", "tagged"), &Value::Null);

    // A plain addm on a filtering bridge without a default: it works, and
    // warns that the epair is in no VLAN.
    let h = HostFile::new(&with_trunk(true, &[10], false, 0));
    let o = h.run(via, &["addm", "web", "ix0"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "e0a_web\ne0b_web\n");
    let warning = "rjib: warning: e0a_web: joins the VLAN-filtering bridge ix0bridge in no VLAN (no untagged VID, \
                   and the bridge has no defuntagged), so it will pass no traffic; give it one with ix0 untagged VID\n";
    assert_eq!(stderr(&o), warning);
    let log = without_log(&h.read()).1;
    assert_eq!(log[0]["priority"], "warning");
    assert_eq!(
        format!("rjib: {}\n", log[0]["message"].as_str().unwrap()),
        warning.replacen("rjib: ", "rjib: addm web: ", 1)
    );
    assert_eq!(field(&state(&h), "e0a_web", "pvid"), &Value::Null);
    // With defuntagged the kernel gives it that VLAN: no warning; untagged
    // overrides the default.
    let h = HostFile::new(&with_trunk(true, &[10, 20], false, 7));
    let o = h.run(via, &["addm", "web", "ix0", "ix0", "untagged", "20"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
    let s = state(&h);
    assert_eq!(field(&s, "e0a_web", "pvid"), 7);
    assert_eq!(field(&s, "e1a_web", "pvid"), 20);
    let log = without_log(&h.read()).1;
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("e0a_web untagged 7"),
        "{log:?}"
    );
    // A plain addm on a bridge that does not filter: no warning.
    let h = HostFile::new(&with_trunk(false, &[], false, 0));
    let o = h.run(via, &["addm", "web", "ix0"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
    // An epair with tagged VLANs only keeps the default too, and its
    // record says so, whatever the other epairs of the run ask.
    let h = HostFile::new(&with_trunk(true, &[10, 20], false, 7));
    ok(&h, via, &["addm", "router", "ix0", "tagged", "10"]);
    let s = state(&h);
    assert_eq!(field(&s, "e0a_router", "pvid"), 7);
    let log = without_log(&h.read()).1;
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("e0a_router untagged 7 tagged 10"),
        "{via}: {log:?}"
    );
    // A bridge that does not filter gives its default too (the PVID tags
    // and untags frames without VLANFILTER as well): recorded.
    let h = HostFile::new(&with_trunk(false, &[], false, 7));
    ok(&h, via, &["addm", "web", "ix0"]);
    assert_eq!(field(&state(&h), "e0a_web", "pvid"), 7);
    let log = without_log(&h.read()).1;
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("e0a_web untagged 7"),
        "{via}: {log:?}"
    );
}

#[test]
fn behaviour_direct() {
    behaviour("direct");
}

#[test]
fn behaviour_ioctl() {
    behaviour("ioctl");
}

/// The runs that take every new step: a new filtering bridge (flags,
/// the parent's set, the epairs' PVIDs and sets), and the uplink of rjib's
/// own bridge gaining VIDs (ADD, undone by DEL).
///
/// With each, how many calls the ops of `a_fault_after_every_step` make.
/// The first: pvid 1, vlanset 2 (ix0's set, e1a's), bridgeflags 1, addm 5
/// (2 parents, 3 epairs), create 5, rename 8, up 8 (2 bridges, 6 ends),
/// describe 8, ether 6. The second: vlanset 2 (ix0's ADD, e0a's set),
/// pvid 1, addm 2, create 2, rename 4, up 4, describe 4, ether 4.
fn step_runs() -> Vec<(Value, Vec<&'static str>, usize)> {
    vec![
        (
            host15(),
            vec![
                "addm", "f", "ix0", "untagged", "20", "ix0", "tagged", "30-31", "em1",
            ],
            1 + 2 + 1 + 5 + 5 + 8 + 8 + 8 + 6,
        ),
        (
            with_trunk(true, &[10], true, 0),
            vec![
                "addm", "f", "ix0", "untagged", "20", "tagged", "10,40", "ix0",
            ],
            2 + 1 + 2 + 2 + 4 + 4 + 4 + 4,
        ),
    ]
}

/// Every call of every op that fails, alone: the host exactly as it was.
fn a_fault_after_every_step(via: &str) {
    for (start, args, calls) in step_runs() {
        let clean = {
            let h = HostFile::new(&start);
            ok(&h, via, &args);
            state(&h)
        };
        let mut failed = 0;
        for op in [
            "pvid",
            "vlanset",
            "bridgeflags",
            "addm",
            "create",
            "rename",
            "up",
            "describe",
            "ether",
        ] {
            for nth in 1..=8 {
                let mut s = start.clone();
                s["faults"] = json!([{"op": op, "nth": nth, "errno": "EIO"}]);
                let h = HostFile::new(&s);
                let o = h.run(via, &args);
                let what = format!("{via} {args:?}: {op} #{nth}");
                let mut after = state(&h);
                after.as_object_mut().unwrap().remove("faults");
                if o.status.success() {
                    assert_eq!(after, clean, "{what}");
                    continue;
                }
                failed += 1;
                let err = stderr(&o);
                assert!(
                    err.contains("Input/output error") && err.contains("nothing was changed"),
                    "{what}: {err}"
                );
                assert_eq!(after, timeless(&start), "{what}: host as it was");
            }
        }
        assert_eq!(failed, calls, "{via} {args:?}: one failing run per call");
    }
    // The undo's own DEL fails: it says what is left and how to remove it.
    let mut s = with_trunk(true, &[10], true, 0);
    s["faults"] = json!([{"op": "up", "nth": 1, "errno": "EIO"},
                         {"op": "vlanset", "nth": 3, "errno": "EBUSY"}]);
    let h = HostFile::new(&s);
    let o = h.run(via, &["addm", "f", "ix0", "untagged", "20", "tagged", "40"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("undo failed, left behind: ix0 (ix0bridge: -iftagged ix0 20,40: Device busy)")
            && err.contains("finish by hand: ifconfig ix0bridge -iftagged ix0 20,40"),
        "{err}"
    );
    assert_eq!(field(&h.read(), "ix0", "tagged"), &json!([10, 20, 40]));
}

#[test]
fn a_fault_after_every_step_direct() {
    a_fault_after_every_step("direct");
}

#[test]
fn a_fault_after_every_step_ioctl() {
    a_fault_after_every_step("ioctl");
}

/// A signal after every call of the new ops: the run finishes or is
/// undone, and rjib dies by it.
fn a_signal_after_every_step(via: &str) {
    for (start, args, _) in step_runs() {
        let clean = {
            let h = HostFile::new(&start);
            ok(&h, via, &args);
            state(&h)
        };
        let mut interrupted = 0;
        for op in ["pvid", "vlanset", "bridgeflags"] {
            for nth in 1..=5 {
                let mut s = start.clone();
                s["faults"] = json!([{"op": op, "nth": nth, "signal": "SIGTERM"}]);
                let h = HostFile::new(&s);
                let o = h.run(via, &args);
                let what = format!("{via} {args:?}: SIGTERM after {op} #{nth}");
                let mut after = state(&h);
                after.as_object_mut().unwrap().remove("faults");
                if o.status.signal().is_none() {
                    assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
                    assert_eq!(after, clean, "{what}");
                    continue;
                }
                interrupted += 1;
                assert_eq!(o.status.signal(), Some(15), "{what}");
                assert_eq!(after, timeless(&start), "{what}: host as it was");
                assert!(stderr(&o).contains("nothing was changed"), "{what}");
            }
        }
        // new bridge: flags 1, vlanset 1 (ix0) + 1 (e1a), pvid 1;
        // rjib's bridge: vlanset 1 (ADD) + 1 (e0a), pvid 1
        let want = if args.contains(&"em1") { 4 } else { 3 };
        assert_eq!(interrupted, want, "{via} {args:?}");
    }
}

#[test]
fn a_signal_after_every_step_direct() {
    a_signal_after_every_step("direct");
}

#[test]
fn a_signal_after_every_step_ioctl() {
    a_signal_after_every_step("ioctl");
}

fn show_json_reports_the_vlans(via: &str) {
    let h = HostFile::new(&with_trunk(true, &[10, 20], true, 0));
    ok(
        &h,
        via,
        &["addm", "web", "ix0", "untagged", "20", "tagged", "10"],
    );
    let plain = ok(&h, via, &["show"]);
    assert_eq!(plain, "web\n", "plain show is unchanged");
    let v: Value = serde_json::from_str(&ok(&h, via, &["show", "web", "--libxo", "json"])).unwrap();
    let e = &v["rjib-information"]["jail"][0]["epair"][0];
    assert_eq!(e["a"]["untagged"], 20, "{via}: {v}");
    assert_eq!(e["a"]["tagged"], json!([10]), "{via}");
    assert_eq!(e["b"]["untagged"], Value::Null, "{via}: the jail end");
    assert_eq!(e["b"]["tagged"], Value::Null, "{via}: is no member");
    assert_eq!(e["parent"], "ix0");
}

#[test]
fn show_json_reports_the_vlans_direct() {
    show_json_reports_the_vlans("direct");
}

#[test]
fn show_json_reports_the_vlans_ioctl() {
    show_json_reports_the_vlans("ioctl");
}

/// The host of a cloud VM on FreeBSD 15: vtnet0 holds the host's address,
/// and no bridge exists yet.
fn vps(addr: &str) -> Value {
    let mut vtnet0 = ether("vtnet0", 2, "58:9c:fc:0a:1b:2c");
    vtnet0["addrs"] = json!([addr]);
    json!({"version": 3, "release": 15, "euid": 0, "interfaces": [lo0(), vtnet0]})
}

/// A bridge rjib would create filtering around a parent that holds an
/// address would cut the host off it: the parent joins tagged only, and
/// `bridge_vfilter_in` drops every untagged frame on such a port before
/// the host sees it. Refused, whatever the sysctl, with the way out.
fn a_new_filtering_bridge_around_the_hosts_address(via: &str) {
    for (addr, family) in [("203.0.113.7/24", "inet"), ("2001:db8::7/64", "inet6")] {
        for sysctl in [None, Some(0), Some(1)] {
            let mut start = vps(addr);
            if let Some(v) = sysctl {
                start["sysctl"] = json!({"net.link.bridge.member_ifaddrs": v});
            }
            let err = refused(&start, via, &["addm", "web", "vtnet0", "untagged", "20"]);
            for needle in [
                &format!(
                    "rjib: vtnet0: has address {addr}, and would join the new VLAN-filtering bridge vtnet0bridge"
                ),
                "bridge_vfilter_in",
                "vlan(4) interface of the bridge",
                "ifconfig_vtnet0bridge=\"vlanfilter addm vtnet0 untagged V tagged 20 up\"",
                "vlans_vtnet0bridge=\"V\"",
                &format!("ifconfig_vtnet0bridge_V=\"{family} {addr}\""),
            ] {
                assert!(err.contains(needle), "{via} {sysctl:?}: {needle}: {err}");
            }
            assert!(!err.contains("move the address to the bridge"), "{err}");
        }
    }
    // A plain addm there makes no filtering bridge: the member-address
    // warning of FreeBSD 15, as before.
    let h = HostFile::new(&vps("203.0.113.7/24"));
    let o = h.run(via, &["addm", "web", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}");
    assert!(stderr(&o).contains("move the address to the bridge vtnet0bridge"));
}

#[test]
fn a_new_filtering_bridge_around_the_hosts_address_direct() {
    a_new_filtering_bridge_around_the_hosts_address("direct");
}

#[test]
fn a_new_filtering_bridge_around_the_hosts_address_ioctl() {
    a_new_filtering_bridge_around_the_hosts_address("ioctl");
}

/// A bridge that holds the jails' gateway address: filtering would put
/// the address in no VLAN. A filtering one is used with a warning; the
/// refusal for one that does not filter says what filtering would do to
/// it; and for rjib's own bridge it names no rc.conf line, which would
/// not apply to it.
fn a_bridge_with_an_address(via: &str) {
    let mut nat = host15();
    nat["interfaces"][4]["addrs"] = json!(["10.192.0.1/24"]);
    let err = refused(&nat, via, &["addm", "web", "vtnet0", "untagged", "20"]);
    for needle in [
        "rjib: vtnet0bridge: is not a VLAN-filtering bridge",
        "it holds 10.192.0.1/24, which filtering would put in no VLAN",
        "bridge_vfilter_out",
        "vlans_vtnet0bridge=\"V\"",
        "ifconfig_vtnet0bridge_V=\"inet 10.192.0.1/24\"",
    ] {
        assert!(err.contains(needle), "{via}: {needle}: {err}");
    }
    nat["interfaces"][4]["vlanfilter"] = json!(true);
    for args in [
        &["addm", "web", "vtnet0", "untagged", "20"][..],
        &["addm", "web", "vtnet0"],
    ] {
        let h = HostFile::new(&nat);
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{via} {args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(
                "rjib: warning: vtnet0bridge: filters VLANs and holds 10.192.0.1/24 itself"
            ) && err.contains("vlans_vtnet0bridge=\"V\""),
            "{via} {args:?}: {err}"
        );
        assert_eq!(err.matches("holds 10.192.0.1/24").count(), 1, "{err}");
    }
    // rjib's own bridge: no rc.conf line sets it up.
    let err = refused(
        &with_trunk(false, &[], true, 0),
        via,
        &["addm", "web", "ix0", "untagged", "20"],
    );
    assert!(!err.contains("ifconfig_ix0bridge"), "{via}: {err}");
    assert!(
        err.contains("ifconfig ix0bridge vlanfilter"),
        "{via}: {err}"
    );
    assert!(err.contains("rjib made this bridge"), "{via}: {err}");
}

#[test]
fn a_bridge_with_an_address_direct() {
    a_bridge_with_an_address("direct");
}

#[test]
fn a_bridge_with_an_address_ioctl() {
    a_bridge_with_an_address("ioctl");
}

/// A pair that exists when addm asks for other VLANs (jail.conf changed
/// between two starts). Reused (its jail end on the host, in no jail):
/// it gets what is asked, as undoable steps. Kept for a running jail that
/// holds its jail end: refused, naming both memberships. In no bridge:
/// nothing can give it VLANs.
fn an_existing_pair_asked_for_other_vlans(via: &str) {
    let h = HostFile::new(&with_trunk(true, &[10], true, 0));
    ok(&h, via, &["addm", "web", "ix0", "untagged", "20"]);
    let built = h.read();
    // Reused: untagged 30 replaces 20 (the uplink of rjib's bridge gains
    // 30); the tagged set is left as it is, since none is asked.
    let o = h.run(via, &["addm", "web", "ix0", "untagged", "30"]);
    assert_eq!(
        (o.status.code(), stdout(&o)),
        (Some(0), String::new()),
        "{via}: {}",
        stderr(&o)
    );
    let s = state(&h);
    assert_eq!(field(&s, "e0a_web", "pvid"), 30, "{via}");
    assert_eq!(field(&s, "e0a_web", "tagged"), &Value::Null);
    assert_eq!(field(&s, "ix0", "tagged"), &json!([10, 20, 30]));
    let log = without_log(&h.read()).1;
    let last = log.last().unwrap()["message"].as_str().unwrap();
    assert!(
        last.contains("e0a_web, e0b_web: reused for jail web")
            && last.contains("e0a_web now untagged 30 (was untagged 20)"),
        "{via}: {log:?}"
    );
    // tagged SET replaces the set; tagged none empties it.
    ok(
        &h,
        via,
        &["addm", "web", "ix0", "untagged", "30", "tagged", "10"],
    );
    assert_eq!(field(&state(&h), "e0a_web", "tagged"), &json!([10]));
    ok(&h, via, &["addm", "web", "ix0", "tagged", "none"]);
    let s = state(&h);
    assert_eq!(field(&s, "e0a_web", "tagged"), &Value::Null);
    assert_eq!(field(&s, "e0a_web", "pvid"), 30);
    // Asked as it is: nothing to change.
    let before = state(&h);
    ok(&h, via, &["addm", "web", "ix0", "untagged", "30"]);
    assert_eq!(state(&h), before);

    // A fault or a signal at either step: the pair as it was.
    for op in ["pvid", "vlanset"] {
        for fault in [
            json!({"op": op, "nth": 1, "errno": "EIO"}),
            json!({"op": op, "nth": 1, "signal": "SIGTERM"}),
        ] {
            let mut start = built.clone();
            start["faults"] = json!([fault]);
            let h = HostFile::new(&start);
            let o = h.run(
                via,
                &["addm", "web", "ix0", "untagged", "30", "tagged", "40"],
            );
            assert_ne!(o.status.code(), Some(0), "{via} {fault}");
            let mut after = state(&h);
            after.as_object_mut().unwrap().remove("faults");
            assert_eq!(
                after,
                timeless(&without_log(&built).0),
                "{via} {fault}: as it was"
            );
        }
    }

    // Kept for a running jail: refused.
    let mut running = built.clone();
    running["jails"] = json!([{"name": "web", "jid": 3}]);
    iface_mut(&mut running, "e0b_web").unwrap()["vnet"] = json!("web");
    let err = refused(&running, via, &["addm", "web", "ix0", "untagged", "30"]);
    assert_eq!(
        err,
        "rjib: e0a_web: is in untagged 20 on ix0bridge, and this addm asks for untagged 30; jail web \
         is running with this pair, so rjib does not change it: stop the jail, run rjib destroy web, \
         and run again"
    );
    let h = HostFile::new(&running);
    ok(&h, via, &["addm", "web", "ix0", "untagged", "20"]);

    // A reused pair on a bridge that does not filter: refused as a new
    // one would be.
    let h = HostFile::new(&with_trunk(false, &[], false, 0));
    ok(&h, via, &["addm", "web", "ix0"]);
    let err = refused(&h.read(), via, &["addm", "web", "ix0", "untagged", "20"]);
    assert!(
        err.starts_with("rjib: ix0bridge: is not a VLAN-filtering bridge"),
        "{err}"
    );

    // A reused pair in no bridge: nothing to give VLANs in.
    let mut loose = built.clone();
    let br = iface_mut(&mut loose, "ix0bridge").unwrap();
    br["members"] = json!(["ix0"]);
    iface_mut(&mut loose, "e0a_web")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("pvid");
    let err = refused(&loose, via, &["addm", "web", "ix0", "untagged", "30"]);
    assert_eq!(
        err,
        "rjib: e0a_web: is in no bridge, so rjib cannot give it untagged 30; run rjib destroy web, \
         and run again"
    );
}

#[test]
fn an_existing_pair_asked_for_other_vlans_direct() {
    an_existing_pair_asked_for_other_vlans("direct");
}

#[test]
fn an_existing_pair_asked_for_other_vlans_ioctl() {
    an_existing_pair_asked_for_other_vlans("ioctl");
}

/// Two uplinks the bridge's tagged VLANs do not work on, seen in the
/// listing at no cost: one with vlan(4) interfaces of its own (the kernel
/// gives them every tagged frame it receives), and one that is a vlan(4)
/// itself (802.1Q in 802.1Q). addm goes ahead, and warns.
fn uplinks_with_vlans(via: &str) {
    let mut h15 = host15();
    let mut child = ether("ix0.100", 7, "00:25:90:00:00:02");
    child["type"] = json!("l2vlan");
    child["vlan_parent"] = json!("ix0");
    h15["interfaces"].as_array_mut().unwrap().push(child);
    let h = HostFile::new(&h15);
    let o = h.run(via, &["addm", "web", "ix0", "untagged", "20"]);
    assert_eq!(o.status.code(), Some(0), "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: warning: ix0: has vlan(4) interfaces of its own (ix0.100), and the kernel hands every \
         tagged frame ix0 receives to them, never to the bridge ix0bridge (if_bridge.c bridge_input: \
         vlan(4) is preferred), so the VLANs it carries tagged there get no traffic from it; make them \
         vlan(4) interfaces of the bridge instead (vlandev ix0bridge)\n",
        "{via}"
    );
    let h = HostFile::new(&h15);
    let o = h.run(via, &["addm", "web", "ix0.100", "tagged", "20"]);
    assert_eq!(o.status.code(), Some(0), "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: warning: ix0.100: is itself a vlan(4) interface of ix0, so what the bridge ix0.100bridge \
         sends on it tagged leaves with two VLAN tags (802.1Q in 802.1Q); bridge ix0 instead\n",
        "{via}"
    );
    // No tagged VLAN on the uplink: nothing to say.
    let mut start = h15.clone();
    let mut br = bridge("ix0bridge", 8, 1, &["ix0"]);
    br["vlanfilter"] = json!(true);
    start["interfaces"].as_array_mut().unwrap().push(br);
    start["interfaces"][1]["pvid"] = json!(20);
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "web", "ix0", "untagged", "20"]);
    assert_eq!(
        (o.status.code(), stderr(&o)),
        (Some(0), String::new()),
        "{via}"
    );
}

#[test]
fn uplinks_with_vlans_direct() {
    uplinks_with_vlans("direct");
}

#[test]
fn uplinks_with_vlans_ioctl() {
    uplinks_with_vlans("ioctl");
}

/// What rjib(8) says of two corner cases: an interface named `tagged` is
/// reached as `!tagged`, and an untagged VLAN may be in the tagged set.
fn keyword_corners(via: &str) {
    let mut start = host15();
    let mut t = ether("tagged", 7, "00:25:90:00:00:07");
    t["up"] = json!(true);
    start["interfaces"].as_array_mut().unwrap().push(t);
    let err = refused(&start, via, &["addm", "web", "tagged", "untagged", "5"]);
    assert!(
        err.starts_with("rjib: tagged: comes before any interface"),
        "{err}"
    );
    let h = HostFile::new(&start);
    let out = ok(&h, via, &["addm", "web", "!tagged", "untagged", "5"]);
    assert_eq!(out, "taggedbridge\ne0a_web\ne0b_web\n");
    assert_eq!(field(&state(&h), "e0a_web", "pvid"), 5);
    let h = HostFile::new(&host15());
    ok(
        &h,
        via,
        &["addm", "web", "ix0", "untagged", "5", "tagged", "5-6"],
    );
    let s = state(&h);
    assert_eq!(field(&s, "e0a_web", "pvid"), 5);
    assert_eq!(field(&s, "e0a_web", "tagged"), &json!([5, 6]));
}

#[test]
fn keyword_corners_direct() {
    keyword_corners("direct");
}

#[test]
fn keyword_corners_ioctl() {
    keyword_corners("ioctl");
}
