//! Fault injection: whatever the kernel refuses, addm either finishes or
//! leaves the host exactly as it found it; a failing undo names what it
//! left; destroy goes on past a failure.

mod common;

use common::*;
use serde_json::{Value, json};

/// vtnet0 with a jumbo NAT bridge, and em0 (down, no bridge yet).
fn start_host() -> Value {
    let mut em0 = ether("em0", 3, "00:25:90:ab:cd:ef");
    em0["up"] = false.into();
    let mut br = bridge("vtnet0bridge", 4, 0, &[]);
    br["mtu"] = 9000.into();
    host(vec![
        json!({"name": "lo0", "index": 1, "type": "loop", "cloner": null, "unit": null, "peer": null,
               "ether": null, "mtu": 16384, "up": true, "groups": ["lo"], "members": null, "description": null}),
        ether("vtnet0", 2, "58:9c:fc:0a:1b:2c"),
        em0,
        br,
    ])
}

const ARGS: &[&str] = &["addm", "f", "vtnet0", "em0", "vtnet0"];
const OPS: &[&str] = &[
    "create", "rename", "up", "ether", "mtu", "addm", "destroy", "describe", "kldload",
];

fn with_faults(faults: Value) -> Value {
    let mut h = start_host();
    h["faults"] = faults;
    h
}

fn clean_result(via: &str) -> Value {
    let h = HostFile::new(&start_host());
    let o = h.run(via, ARGS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "e0a_f\ne0b_f\nem0bridge\ne1a_f\ne1b_f\ne2a_f\ne2b_f\n"
    );
    without_log(&h.state()).0
}

fn every_single_fault(via: &str) {
    let clean = clean_result(via);
    let mut failures_seen = 0;
    for op in OPS {
        for nth in 1..=12 {
            let start = with_faults(json!([{"op": op, "nth": nth, "errno": "EIO"}]));
            let h = HostFile::new(&start);
            let o = h.run(via, ARGS);
            let what = format!("{via}: {op} #{nth}");
            let (after, log) = without_log(&h.state());
            if o.status.success() {
                let mut expect = clean.clone();
                expect["faults"] = start["faults"].clone();
                assert_eq!(
                    after, expect,
                    "{what}: a run that succeeds gives the clean result"
                );
                continue;
            }
            failures_seen += 1;
            assert_eq!(o.status.code(), Some(1), "{what}");
            assert_eq!(
                stdout(&o),
                "",
                "{what}: nothing printed for things that were undone"
            );
            let err = stderr(&o);
            assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
            assert!(
                err.starts_with("rjib: ") && err.contains("Input/output error"),
                "{what}: {err}"
            );
            assert!(err.contains("nothing was changed"), "{what}: {err}");
            assert_eq!(after, start, "{what}: host exactly as it started");
            // syslog: what was made and undone, then the failure itself
            let last = log.last().expect("the failure is logged");
            assert_eq!(last["priority"], "err", "{what}");
            assert_eq!(
                last["message"].as_str().unwrap(),
                failure_record(ARGS, &err),
                "{what}"
            );
            if !err.contains("(0 step(s) undone)") {
                let undo = &log[log.len() - 2];
                assert!(
                    undo["priority"] == "notice"
                        && undo["message"]
                            .as_str()
                            .unwrap()
                            .starts_with("addm f: undone after "),
                    "{what}: the undo is logged: {log:?}"
                );
            }
        }
    }
    // The calls this addm makes: create 4 (3 epairs, 1 bridge), rename 7,
    // up 8 (em0, em0bridge, 3 x 2 ends), ether 6, mtu 4 (both ends of the
    // two epairs on the 9000-byte bridge), addm 4, describe 7 (both ends
    // of 3 epairs, the new bridge), destroy 0, kldload 0 (both modules are
    // loaded). Each one, failed, is one failing run.
    assert_eq!(failures_seen, 4 + 7 + 8 + 6 + 4 + 4 + 7);
}

fn failing_undo_names_leftovers(via: &str) {
    // The 2nd epair's bridge add fails; the undo's first destroy fails too.
    let start = with_faults(json!([
        {"op": "addm", "nth": 3, "errno": "EIO"},
        {"op": "destroy", "nth": 1, "errno": "EBUSY"}
    ]));
    let h = HostFile::new(&start);
    let o = h.run(via, ARGS);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // undo order is newest first: epair1a (the failed link's epair) is the
    // first destroy, and it is refused.
    assert!(
        err.contains("undo failed, left behind: epair1a (epair1a: destroy: Device busy)"),
        "{err}"
    );
    assert!(err.contains("ifconfig epair1a destroy"), "{err}");
    let after = h.read();
    assert!(
        iface(&after, "epair1a").is_some(),
        "the leftover is really there"
    );
    assert!(iface(&after, "e0a_f").is_none(), "the rest was undone");
    assert!(iface(&after, "em0bridge").is_none() && iface(&after, "bridge1").is_none());
    assert_eq!(
        iface(&after, "em0").unwrap()["up"],
        false,
        "em0 put back down"
    );
}

fn destroy_goes_on(via: &str) {
    let h = HostFile::new(&start_host());
    assert!(
        h.run(via, &["addm", "x", "vtnet0", "vtnet0", "vtnet0"])
            .status
            .success()
    );
    let mut host = h.read();
    host["faults"] = json!([{"op": "destroy", "nth": 1, "errno": "EBUSY"}]);
    h.write(&host);
    let o = h.run(via, &["destroy", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "rjib: e0a_x: destroy: Device busy\n");
    let after = h.read();
    assert!(iface(&after, "e0a_x").is_some());
    assert!(iface(&after, "e1a_x").is_none() && iface(&after, "e2a_x").is_none());
}

#[test]
fn single_faults_direct() {
    every_single_fault("direct");
}

#[test]
fn single_faults_ioctl() {
    every_single_fault("ioctl");
}

#[test]
fn failing_undo_direct() {
    failing_undo_names_leftovers("direct");
}

#[test]
fn failing_undo_ioctl() {
    failing_undo_names_leftovers("ioctl");
}

#[test]
fn destroy_continues_direct() {
    destroy_goes_on("direct");
}

#[test]
fn destroy_continues_ioctl() {
    destroy_goes_on("ioctl");
}
