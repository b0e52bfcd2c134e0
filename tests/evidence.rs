//! Issue 14, part 1: `prune` and the stale-pair handling decide on the
//! kernel's evidence (is the jail end on the host; is there a jail NAME,
//! and is it dying), never on a jail name alone; and the defects around
//! them (D6, D7, D10, D15 b, D16). Every test runs on both paths.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use common::*;
use rjib::util::now_secs as now;
use serde_json::{Value, json};

/// The seed host with `rjib addm NAME vtnet0` done for each name, as a
/// version 2 host with `jails`, no syslog and no clock.
fn built(names: &[&str], jails: Value) -> Value {
    let h = HostFile::new(&seed());
    for n in names {
        let o = h.run("direct", &["addm", n, "vtnet0"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut v = timeless(&without_log(&h.read()).0);
    v["version"] = json!(2);
    v["jails"] = jails;
    v
}

/// rjib(8)'s table, every row, end to end: where `e0b_x` is (on the host,
/// or in a vnet) × jail x (none, running, dying) × fresh or old × `-f`.
/// When it is in a vnet and there is no jail x, the vnet is jail
/// `other`'s: a jail whose name is not x.
fn the_evidence_matrix(via: &str) {
    let mut cases = 0;
    for b_on_host in [true, false] {
        for jail in ["none", "running", "dying"] {
            for fresh in [false, true] {
                for force in [false, true] {
                    let mut jails = vec![json!({"name": "other", "jid": 7})];
                    match jail {
                        "running" => jails.push(json!({"name": "x", "jid": 4})),
                        "dying" => jails.push(json!({"name": "x", "jid": 4, "dying": true})),
                        _ => {}
                    }
                    let mut host = built(&["x"], json!(jails));
                    if !b_on_host {
                        let holder = if jail == "none" { "other" } else { "x" };
                        set(&mut host, "e0b_x", "vnet", json!(holder));
                    }
                    if fresh {
                        set(&mut host, "e0a_x", "lastchange", json!(now() - 10));
                    }
                    let h = HostFile::new(&host);
                    let args: &[&str] = if force {
                        &["prune", "-v", "-f"]
                    } else {
                        &["prune", "-v"]
                    };
                    let o = h.run(via, args);
                    let what = format!(
                        "{via}: jail end on the host {b_on_host}, jail x {jail}, fresh {fresh}, -f {force}"
                    );
                    assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
                    let destroyable = b_on_host || jail == "dying";
                    let destroyed = destroyable && (force || !fresh);
                    let after = h.read();
                    assert_eq!(
                        (stdout(&o).as_str(), has(&after, "e0a_x")),
                        if destroyed {
                            ("e0a_x\n", false)
                        } else {
                            ("", true)
                        },
                        "{what}: {}",
                        stderr(&o)
                    );
                    let err = stderr(&o);
                    let said = match (destroyed, destroyable) {
                        (true, _) => "rjib: e0a_x: prune: ",
                        (false, true) => "rjib: e0a_x: left alone: ",
                        (false, false) => "rjib: e0a_x: keep: ",
                    };
                    assert!(err.starts_with(said), "{what}: {err}");
                    if !b_on_host && jail == "none" {
                        assert!(
                            err.contains("in use by a jail whose name is not x"),
                            "{what}: {err}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 24);
}

#[test]
fn the_evidence_matrix_direct() {
    the_evidence_matrix("direct");
}

#[test]
fn the_evidence_matrix_ioctl() {
    the_evidence_matrix("ioctl");
}

/// D1: jail `nextcloud-prod` runs `addm nc vtnet0`; its `e0b_nc` is in its
/// vnet. There is no jail nc, and prune must keep the pair, `-f` or not.
fn the_name_differs_host(via: &str) {
    let mut host = built(&["nc"], json!([{"name": "nextcloud-prod", "jid": 3}]));
    set(&mut host, "e0b_nc", "vnet", json!("nextcloud-prod"));
    let h = HostFile::new(&host);
    for args in [
        &["prune"][..],
        &["prune", "-f"],
        &["prune", "nc"],
        &["-n", "prune", "-f"],
    ] {
        let o = h.run(via, args);
        assert_eq!(
            (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
            (Some(0), "", ""),
            "{via} {args:?}"
        );
    }
    let o = h.run(via, &["prune", "-v"]);
    assert_eq!(
        stderr(&o),
        "rjib: e0a_nc: keep: in use by a jail whose name is not nc: its jail end e0b_nc is not on \
         the host (or was renamed) and no jail nc exists\n",
        "{via}"
    );
    let after = h.read();
    assert!(has(&after, "e0a_nc") && has(&after, "e0b_nc"), "{via}");
    assert_eq!(
        timeless(&without_log(&after).0),
        timeless(&host),
        "{via}: nothing changed"
    );
    // addm nc on a restart refuses (no jail nc to call the pair stale),
    // and its syslog record names what was refused (D16)
    let o = h.run(via, &["addm", "nc", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    let log = without_log(&h.read()).1;
    let last = log.last().unwrap()["message"].as_str().unwrap().to_string();
    assert!(
        last.starts_with(
            "addm nc: e0a_nc: its jail end e0b_nc is not on this host and no jail nc exists"
        ),
        "{via}: {last}"
    );
    assert_eq!(
        format!("rjib: {}\n", last.strip_prefix("addm nc: ").unwrap()),
        stderr(&o),
        "{via}: the record is the line, after what was refused"
    );
}

#[test]
fn the_name_differs_host_direct() {
    the_name_differs_host("direct");
}

#[test]
fn the_name_differs_host_ioctl() {
    the_name_differs_host("ioctl");
}

/// The limit rjib(8) names (CAVEATS): two jails, one NAME. Jail x is
/// dying, and a running jail y holds `e0b_x`. FreeBSD does not say which
/// vnet holds an interface, so prune goes by jail x, and takes y's pair.
/// Pinned so that the page stays true.
fn the_documented_blind_spot(via: &str) {
    let mut host = built(
        &["x"],
        json!([{"name": "x", "jid": 4, "dying": true}, {"name": "y", "jid": 5}]),
    );
    set(&mut host, "e0b_x", "vnet", json!("y"));
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune"]);
    assert_eq!(stdout(&o), "e0a_x\n", "{via}: {}", stderr(&o));
    // and addm x, by the same table, replaces the pair y holds
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(stdout(&o), "e0a_x\ne0b_x\n", "{via}: {}", stderr(&o));
    assert!(
        h.read()["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["vnet"] != "y"),
        "{via}: y's end went with the stale pair"
    );
}

#[test]
fn the_documented_blind_spot_direct() {
    the_documented_blind_spot("direct");
}

#[test]
fn the_documented_blind_spot_ioctl() {
    the_documented_blind_spot("ioctl");
}

/// D6: an addm that reuses a pair (its jail end on the host) sets the ends'
/// flags again; the kernel stamps that as their last change, and prune's
/// guard then keeps the pair through the jail's start. Nothing is printed.
fn reuse_refreshes_the_last_change(via: &str) {
    let old = now() - 3600;
    let mut host = built(&["x"], json!([]));
    set(&mut host, "e0a_x", "lastchange", json!(old));
    set(&mut host, "e0b_x", "lastchange", json!(old));
    set(&mut host, "e0b_x", "up", json!(false));
    // without the refresh, prune takes it
    let h = HostFile::new(&host);
    assert_eq!(stdout(&h.run(via, &["prune"])), "e0a_x\n", "{via}");
    // -n shows the refresh: the flags as they are
    let h = HostFile::new(&host);
    let o = h.run(via, &["-n", "addm", "x", "vtnet0"]);
    assert_eq!(
        stdout(&o),
        "ifconfig e0a_x up\nifconfig e0b_x down\n",
        "{via}"
    );
    let t0 = now();
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "{via}: jib's output: nothing for a skipped argument"
    );
    let after = h.read();
    for end in ["e0a_x", "e0b_x"] {
        let lc = iface(&after, end).unwrap()["lastchange"].as_u64().unwrap();
        assert!(lc >= t0, "{via}: {end} stamped ({lc} < {t0})");
    }
    assert_eq!(
        iface(&after, "e0b_x").unwrap()["up"],
        false,
        "{via}: flags set again as they were"
    );
    assert_eq!(
        timeless(&without_log(&after).0),
        timeless(&host),
        "{via}: nothing else changed"
    );
    let log = without_log(&after).1;
    assert_eq!(
        log.last().unwrap()["message"],
        "e0a_x, e0b_x: reused for jail x; their last change is now, so prune leaves them alone for a minute",
        "{via}"
    );
    let o = h.run(via, &["prune"]);
    assert_eq!(stdout(&o), "", "{via}: the guard holds");
    assert!(
        stderr(&o).starts_with(
            "rjib: e0a_x: left alone: its jail end e0b_x is on the host, in no jail, but it changed "
        ),
        "{via}: {}",
        stderr(&o)
    );
}

#[test]
fn reuse_refreshes_the_last_change_direct() {
    reuse_refreshes_the_last_change("direct");
}

#[test]
fn reuse_refreshes_the_last_change_ioctl() {
    reuse_refreshes_the_last_change("ioctl");
}

/// Jail x dying, its jail end in its vnet: the pair is stale.
fn dying_x() -> Value {
    let mut host = built(&["x"], json!([{"name": "x", "jid": 4, "dying": true}]));
    set(&mut host, "e0b_x", "vnet", json!("x"));
    host
}

/// D7: the last destroy of a replacement fails. The new pair is kept and
/// printed, exit 0; the old one stays as rjibstale0 with a warning that
/// names it and what removes it alone: `rjib prune x`, which finds it by
/// its description and leaves the new, fresh pair to the guard. Not
/// `prune -f`, which the warning said before: that destroys the new pair
/// and every pair of a jail being started (review of issue 14, 2 and 16).
fn a_stale_pair_that_cannot_be_destroyed(via: &str) {
    let mut host = dying_x();
    host["faults"] = json!([{"op": "destroy", "nth": 1, "errno": "EBUSY"}]);
    // y is being started beside x: its pair is fresh, on the host
    let y = built(&["y"], json!([]));
    for n in ["e0a_y", "e0b_y"] {
        let mut i = iface(&y, n).unwrap().clone();
        i["index"] = json!(i["index"].as_u64().unwrap() + 40);
        i["unit"] = json!(9);
        i["lastchange"] = json!(now() - 5);
        host["interfaces"].as_array_mut().unwrap().push(i);
    }
    for i in host["interfaces"].as_array_mut().unwrap() {
        if i["name"] == "vtnet0bridge" {
            i["members"].as_array_mut().unwrap().push(json!("e0a_y"));
        }
    }
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert_eq!(stdout(&o), "e0a_x\ne0b_x\n", "{via}");
    let warning = "warning: rjibstale0: destroy: Device busy; rjibstale0 is the stale pair of dying \
                   jail x (it was e0a_x) and stays; the new pair is kept; remove the old one later \
                   with rjib prune x";
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: e0a_x: jail x (jid 4) is dying and its jail end e0b_x is not on the host; replacing this stale pair\n\
             rjib: {warning}\n"
        ),
        "{via}"
    );
    let mut after = h.read();
    let log = without_log(&after).1;
    assert!(
        log.contains(&json!({"priority": "warning", "message": warning})),
        "{via}: {log:?}"
    );
    for n in ["rjibstale0", "e0a_x", "e0b_x"] {
        assert!(has(&after, n), "{via}: {n}");
    }
    let b_ends: Vec<&Value> = after["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["name"] == "e0b_x")
        .collect();
    assert_eq!(b_ends.len(), 2, "{via}: the old jail end, and the new one");
    assert_eq!(
        b_ends.iter().filter(|i| i.get("vnet").is_none()).count(),
        1,
        "{via}: the new jail end is on the host"
    );
    after.as_object_mut().unwrap().remove("faults");
    h.write(&after);
    // show and destroy go by names: rjibstale0 is not x's
    assert_eq!(stdout(&h.run(via, &["show"])), "x\ny\n", "{via}");
    // nor the bridge's parent: it is an epair end, whatever its name
    let o = h.run(via, &["show", "--libxo", "json", "x"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["rjib-information"]["jail"][0]["epair"][0]["parent"], "vtnet0",
        "{via}: {v}"
    );
    let o = h.run(via, &["-n", "destroy", "x"]);
    assert_eq!(stdout(&o), "ifconfig e0a_x destroy\n", "{via}");
    // prune finds the leftover, by the description rjib gave it for NAME
    let o = h.run(via, &["-n", "prune", "other"]);
    assert_eq!(stdout(&o), "", "{via}");
    // What the warning says: the leftover goes, the fresh pairs stay.
    let o = h.run(via, &["prune", "-v", "x"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert_eq!(stdout(&o), "rjibstale0\n", "{via}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "rjib: rjibstale0: prune: left behind by a stale-pair replacement for jail x\n"
        ) && err.contains("rjib: e0a_x: left alone: its jail end e0b_x is on the host, in no jail"),
        "{via}: {err}"
    );
    let after = h.read();
    assert!(!has(&after, "rjibstale0"), "{via}");
    for n in ["e0a_x", "e0b_x", "e0a_y", "e0b_y"] {
        assert!(has(&after, n), "{via}: {n} kept");
    }
    // A stale pair jib made has no description: the warning names plain
    // prune, which takes every leftover and no fresh pair either.
    let mut host = dying_x();
    host["faults"] = json!([{"op": "destroy", "nth": 1, "errno": "EBUSY"}]);
    set(&mut host, "e0a_x", "description", Value::Null);
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert!(
        stderr(&o).ends_with("remove the old one later with rjib prune\n"),
        "{via}: {}",
        stderr(&o)
    );
}

#[test]
fn a_stale_pair_that_cannot_be_destroyed_direct() {
    a_stale_pair_that_cannot_be_destroyed("direct");
}

#[test]
fn a_stale_pair_that_cannot_be_destroyed_ioctl() {
    a_stale_pair_that_cannot_be_destroyed("ioctl");
}

/// D16: a run killed between naming the stale pair aside and destroying
/// it leaves `rjibstale0`; prune (without -f: its last change is old)
/// destroys it, and with it the jail end in the dying vnet. An interface
/// merely named so, that is no epair end, is left alone.
fn a_leftover_from_a_killed_run(via: &str) {
    let mut host = dying_x();
    host["interfaces"] = {
        let mut ifs = host["interfaces"].as_array().unwrap().clone();
        for i in &mut ifs {
            if i["name"] == "e0a_x" {
                i["name"] = json!("rjibstale0");
            }
            if i["peer"] == "e0a_x" {
                i["peer"] = json!("rjibstale0");
            }
            if let Some(m) = i["members"].as_array_mut() {
                for m in m.iter_mut().filter(|m| *m == "e0a_x") {
                    *m = json!("rjibstale0");
                }
            }
        }
        let mut other = ether("rjibstale1", 99, "00:25:90:00:00:99");
        other["description"] = json!("rjib: jail x, host end");
        ifs.push(other);
        json!(ifs)
    };
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert_eq!(stdout(&o), "rjibstale0\n", "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: rjibstale0: prune: left behind by a stale-pair replacement for jail x\n",
        "{via}"
    );
    let after = h.read();
    assert!(!has(&after, "rjibstale0") && !has(&after, "e0b_x"), "{via}");
    assert!(has(&after, "rjibstale1"), "{via}: not an epair end");
}

#[test]
fn a_leftover_from_a_killed_run_direct() {
    a_leftover_from_a_killed_run("direct");
}

#[test]
fn a_leftover_from_a_killed_run_ioctl() {
    a_leftover_from_a_killed_run("ioctl");
}

/// D7: SIGINT during the last destroy of a replacement. The run is not
/// final yet: the new pair is undone and rjib dies by the signal, saying
/// so, and that the stale pair was destroyed already. Nothing of x is left.
fn a_signal_during_the_last_destroy(via: &str) {
    let mut host = dying_x();
    host["faults"] = json!([{"op": "destroy", "nth": 1, "signal": "SIGINT"}]);
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.signal(), Some(2), "{via}: {}", stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap();
    // Not "nothing was changed": the stale pair is gone for good
    // (review of issue 14, 11).
    assert!(
        last.starts_with(
            "rjib: addm x: interrupted by SIGINT; the stale pair e0a_x of dying jail x was \
             destroyed before the signal came; everything else is undone ("
        ) && last.ends_with(" step(s))"),
        "{via}: {err}"
    );
    assert!(!err.contains("nothing was changed"), "{via}: {err}");
    let after = h.read();
    assert!(
        names(&after)
            .iter()
            .all(|n| !n.starts_with("e0") && !n.starts_with("rjibstale")),
        "{via}: {:?}",
        names(&after)
    );
    let log = without_log(&after).1;
    assert_eq!(log.last().unwrap()["priority"], "err", "{via}");
}

#[test]
fn a_signal_during_the_last_destroy_direct() {
    a_signal_during_the_last_destroy("direct");
}

#[test]
fn a_signal_during_the_last_destroy_ioctl() {
    a_signal_during_the_last_destroy("ioctl");
}

/// D10: `prune > /dev/full` destroys, then says why it exits 1 and what
/// it destroyed; the dry run says why too.
fn prune_into_a_full_disk(via: &str) {
    let host = built(&["a", "b"], json!([]));
    let full = || -> Stdio {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
            .into()
    };
    let h = HostFile::new(&host);
    let o = command(&h.path, via)
        .args(["-n", "prune"])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{via}");
    assert_eq!(
        String::from_utf8(o.stderr).unwrap(),
        "rjib: stdout: No space left on device; dry run, nothing was changed\n"
    );
    assert_eq!(timeless(&without_log(&h.read()).0), host, "{via}");
    let o = command(&h.path, via)
        .args(["prune"])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{via}");
    let line = "stdout: No space left on device; pruned all the same: e0a_a, e0a_b";
    assert_eq!(
        String::from_utf8(o.stderr).unwrap(),
        format!("rjib: {line}\n")
    );
    let after = h.read();
    assert!(!has(&after, "e0a_a") && !has(&after, "e0a_b"), "{via}");
    let log = without_log(&after).1;
    assert_eq!(
        log.last().unwrap(),
        &json!({"priority": "err", "message": format!("prune: {line}")}),
        "{via}"
    );
}

#[test]
fn prune_into_a_full_disk_direct() {
    prune_into_a_full_disk("direct");
}

#[test]
fn prune_into_a_full_disk_ioctl() {
    prune_into_a_full_disk("ioctl");
}

/// D15 (b): a last change later than the clock reads "in the future", and
/// the pair is left alone but for -f.
fn a_change_in_the_future(via: &str) {
    let mut host = built(&["x"], json!([]));
    set(&mut host, "e0a_x", "lastchange", json!(now() + 3600));
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), ""),
        "{via}"
    );
    assert_eq!(
        stderr(&o),
        "rjib: e0a_x: left alone: its jail end e0b_x is on the host, in no jail, but its last change \
         is in the future (the clock was set back), and it may belong to a jail being started (-f prunes it anyway)\n",
        "{via}"
    );
    assert_eq!(stdout(&h.run(via, &["prune", "-f"])), "e0a_x\n", "{via}");
}

#[test]
fn a_change_in_the_future_direct() {
    a_change_in_the_future("direct");
}

#[test]
fn a_change_in_the_future_ioctl() {
    a_change_in_the_future("ioctl");
}

/// Jail x restarted while its previous run was still dying: jail(8)
/// created the new x (jid 5) beside the dying one (jid 4), and the new
/// jail end is in the new jail's vnet. jail_get(2) by name finds the
/// running one (kern_jail.c `prison_find_name` prefers a live prison), so
/// prune keeps the pair and addm leaves it alone; were the dying one
/// found, prune would take the running jail's network (review of issue
/// 14, 15).
fn restarted_while_dying() -> Value {
    let mut host = built(
        &["x"],
        json!([{"name": "x", "jid": 4, "dying": true}, {"name": "x", "jid": 5}]),
    );
    set(&mut host, "e0b_x", "vnet", json!(5));
    host
}

fn a_dying_and_a_running_jail_of_one_name(via: &str) {
    let host = restarted_while_dying();
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), ""),
        "{via}: {}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o),
        "rjib: e0a_x: keep: jail x (jid 5) is running and its jail end e0b_x is not on the host\n",
        "{via}"
    );
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "{via}: jib's skip"
    );
    assert_eq!(
        timeless(&without_log(&h.read()).0),
        timeless(&host),
        "{via}"
    );
    // The stale pair a replacement left beside it (its destroy failed, or
    // the run was killed): its jail end is in the dying jail's vnet.
    // prune takes that one and keeps the running jail's.
    let mut host = restarted_while_dying();
    let mut old_a = iface(&host, "e0a_x").unwrap().clone();
    let mut old_b = iface(&host, "e0b_x").unwrap().clone();
    let ifs = host["interfaces"].as_array_mut().unwrap();
    old_a["name"] = json!("rjibstale0");
    old_a["index"] = json!(90);
    old_a["unit"] = json!(7);
    old_a["peer"] = json!("e0b_x");
    old_a["description"] = json!("rjib: jail x, host end");
    old_a["lastchange"] = json!(1000);
    old_b["index"] = json!(91);
    old_b["unit"] = json!(7);
    old_b["peer"] = json!("rjibstale0");
    old_b["vnet"] = json!(4);
    ifs.push(old_a);
    ifs.push(old_b);
    for i in ifs.iter_mut().filter(|i| i["name"] == "vtnet0bridge") {
        i["members"]
            .as_array_mut()
            .unwrap()
            .push(json!("rjibstale0"));
    }
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v", "x"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "rjibstale0\n"),
        "{via}: {}",
        stderr(&o)
    );
    let after = h.read();
    let b_ends: Vec<&Value> = after["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["name"] == "e0b_x")
        .collect();
    assert_eq!(
        b_ends.len(),
        1,
        "{via}: the old jail end went with its pair"
    );
    assert_eq!(b_ends[0]["vnet"], 5, "{via}: the running jail's stays");
    assert!(has(&after, "e0a_x"), "{via}");
}

#[test]
fn a_dying_and_a_running_jail_of_one_name_direct() {
    a_dying_and_a_running_jail_of_one_name("direct");
}

#[test]
fn a_dying_and_a_running_jail_of_one_name_ioctl() {
    a_dying_and_a_running_jail_of_one_name("ioctl");
}

/// The reviewer's attack host (review of issue 14, 1, trigger A): jail
/// `evil` renamed its end `e0b_evil` to `e0b_web` and died, and its vnet
/// gave that end back to the host. Jail `web` runs, with its own `e0b_web`
/// in its vnet. The end named `e0b_web` on the host is epair 1's, and
/// `e0a_web` is epair 0's.
fn attack_host() -> Value {
    json!({"version": 2, "release": 14,
    "jails": [{"name": "web", "jid": 3}],
    "interfaces": [
     {"name": "lo0", "index": 1, "type": "loop", "mtu": 16384, "up": true, "groups": ["lo"]},
     {"name": "vtnet0", "index": 2, "ether": "58:9c:fc:0a:1b:2c", "mtu": 1500, "up": true},
     {"name": "vtnet0bridge", "index": 3, "cloner": "bridge", "unit": 0, "ether": "58:9c:fc:10:00:00", "mtu": 1500, "up": true, "groups": ["bridge"], "members": ["e0a_web", "e0a_evil"]},
     {"name": "e0a_web", "index": 4, "cloner": "epair", "unit": 0, "peer": "e0b_web", "mtu": 1500, "up": true, "groups": ["epair"], "lastchange": 1000},
     {"name": "e0b_web", "index": 5, "cloner": "epair", "unit": 0, "peer": "e0a_web", "mtu": 1500, "up": true, "groups": ["epair"], "vnet": "web", "lastchange": 1000},
     {"name": "e0a_evil", "index": 6, "cloner": "epair", "unit": 1, "peer": "e0b_web", "mtu": 1500, "up": true, "groups": ["epair"], "lastchange": 1000},
     {"name": "e0b_web", "index": 7, "cloner": "epair", "unit": 1, "peer": "e0a_evil", "mtu": 1500, "up": true, "groups": ["epair"], "lastchange": 1000}
    ]})
}

/// prune keeps web's pair (its jail end is not on the host; the end of
/// that name there is evil's) and destroys evil's, which is in no jail;
/// addm web leaves the running jail's pair alone.
fn an_impostor_jail_end(via: &str) {
    let host = attack_host();
    let h = HostFile::new(&host);
    let o = h.run(via, &["-n", "prune"]);
    assert_eq!(
        stdout(&o),
        "ifconfig e0a_evil destroy\n",
        "{via}: {}",
        stderr(&o)
    );
    let o = h.run(via, &["prune", "-v"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_evil\n"),
        "{via}: {}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o),
        "rjib: e0a_evil: prune: its jail end is on the host as e0b_web (the same epair, 1), in no jail\n\
         rjib: e0a_web: keep: jail web (jid 3) is running and its jail end e0b_web is not on the host \
         (the e0b_web there is an end of epair 1, not of epair 0)\n",
        "{via}"
    );
    let after = h.read();
    let left: Vec<(String, Value)> = after["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["cloner"] == "epair")
        .map(|i| (i["name"].as_str().unwrap().to_string(), i["vnet"].clone()))
        .collect();
    assert_eq!(
        left,
        [
            ("e0a_web".to_string(), Value::Null),
            ("e0b_web".to_string(), json!("web"))
        ],
        "{via}: web's pair stays, evil's went with its renamed end"
    );
    // addm web (a second prestart, say): the running jail's pair is left
    // alone, the impostor not taken for its end.
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "web", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "{via}"
    );
    assert_eq!(
        timeless(&without_log(&h.read()).0),
        timeless(&host),
        "{via}"
    );
    // Jail web dying now: its pair is stale, but the new one cannot take
    // the name e0b_web, which evil's end has: refused, nothing changed.
    let mut dying = host.clone();
    dying["jails"] = json!([{"name": "web", "jid": 3, "dying": true}]);
    let h = HostFile::new(&dying);
    let o = h.run(via, &["addm", "web", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1), "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: e0a_web: jail web is dying and its jail end is not on this host (the e0b_web there \
         is an end of epair 1, not of epair 0, come back from a dead jail), so the stale pair \
         cannot be replaced under that name; destroy the pair e0b_web belongs to (ifconfig e0b_web \
         destroy takes its peer too; rjib prune does it for a leftover rjibstaleN) and run again\n",
        "{via}"
    );
    assert_eq!(
        normalise(&h.read()),
        normalise(&dying),
        "{via}: nothing changed"
    );
}

#[test]
fn an_impostor_jail_end_direct() {
    an_impostor_jail_end("direct");
}

#[test]
fn an_impostor_jail_end_ioctl() {
    an_impostor_jail_end("ioctl");
}

/// Review of issue 14, 1, trigger B: a replacement's last destroy failed
/// (D7), jail x started with the new pair, and the old jail's vnet has
/// since given the old jail end back to the host, beside the new pair.
/// The end named e0b_x on the host is the old pair's (rjibstale0's): prune
/// destroys the leftover, which takes that end, and keeps the running
/// jail's pair; addm x leaves it alone.
fn the_aftermath_of_a_failed_replacement(via: &str) {
    let mut host = dying_x();
    host["faults"] = json!([{"op": "destroy", "nth": 1, "errno": "EBUSY"}]);
    let h = HostFile::new(&host);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    let mut after = h.read();
    after.as_object_mut().unwrap().remove("faults");
    // jail(8) created the new x and moved the new jail end into it; the old
    // jail's vnet went, giving the old jail end back to the host.
    after["jails"] = json!([{"name": "x", "jid": 5}]);
    for i in after["interfaces"].as_array_mut().unwrap() {
        if i["name"] == "e0b_x" {
            i["vnet"] = match i["peer"].as_str() {
                Some("e0a_x") => json!("x"),
                _ => Value::Null,
            };
            if i["vnet"].is_null() {
                i.as_object_mut().unwrap().remove("vnet");
            }
        }
    }
    for i in after["interfaces"].as_array_mut().unwrap() {
        i["lastchange"] = json!(1000);
    }
    h.write(&after);
    let unit_of = |peer: &str| iface(&after, peer).unwrap()["unit"].as_u64().unwrap();
    let (new, old) = (unit_of("e0a_x"), unit_of("rjibstale0"));
    assert_ne!(new, old);
    let o = h.run(via, &["prune", "-v"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "rjibstale0\n"),
        "{via}: {}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: e0a_x: keep: jail x (jid 5) is running and its jail end e0b_x is not on the host \
             (the e0b_x there is an end of epair {old}, not of epair {new})\n\
             rjib: rjibstale0: prune: left behind by a stale-pair replacement for jail x\n"
        ),
        "{via}"
    );
    let left = h.read();
    let b: Vec<&Value> = left["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["name"] == "e0b_x")
        .collect();
    assert_eq!(b.len(), 1, "{via}");
    assert_eq!(b[0]["vnet"], "x", "{via}: the running jail's end stays");
    assert!(has(&left, "e0a_x") && !has(&left, "rjibstale0"), "{via}");
    // addm x before the prune: the running jail's pair is left alone
    h.write(&after);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "{via}"
    );
}

#[test]
fn the_aftermath_of_a_failed_replacement_direct() {
    the_aftermath_of_a_failed_replacement("direct");
}

#[test]
fn the_aftermath_of_a_failed_replacement_ioctl() {
    the_aftermath_of_a_failed_replacement("ioctl");
}

/// Where the kernel does not say which end is the peer, nothing is
/// destroyed, reused or refused on the names: prune keeps, addm refuses
/// and changes nothing, each saying why. The driver name cannot be read
/// (a fault), or the end named like the peer is no epair (an
/// administrator put it in the group epair).
fn no_evidence_no_decision(via: &str) {
    let mut host = built(&["x"], json!([]));
    host["faults"] = json!([{"op": "drivername", "nth": 1, "errno": "EIO"}]);
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (
            Some(0),
            "",
            "rjib: e0a_x: keep: where its jail end is cannot be told, so e0b_x may be in use: \
             e0a_x's epair unit: e0a_x: sysctl drivername: Input/output error\n"
        ),
        "{via}"
    );
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1), "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: e0a_x: cannot tell whether e0b_x is its jail end (e0a_x's epair unit: e0a_x: sysctl \
         drivername: Input/output error); addm changes nothing, and jail(8) would move whatever is \
         named e0b_x\n",
        "{via}"
    );
    assert_eq!(
        timeless(&without_log(&h.read()).0),
        timeless(&host),
        "{via}"
    );
    // e0b_x in a jail's vnet; on the host an interface renamed e0b_x and
    // put in the group epair, which is no epair
    let mut host = built(&["x"], json!([{"name": "j", "jid": 2}]));
    set(&mut host, "e0b_x", "vnet", json!("j"));
    let mut fake = ether("e0b_x", 40, "00:25:90:00:00:40");
    fake["groups"] = json!(["epair"]);
    host["interfaces"].as_array_mut().unwrap().push(fake);
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (
            Some(0),
            "",
            "rjib: e0a_x: keep: where its jail end is cannot be told, so e0b_x may be in use: \
             e0b_x is in the group epair but its driver is e0b_x, not an epair\n"
        ),
        "{via}"
    );
}

#[test]
fn no_evidence_no_decision_direct() {
    no_evidence_no_decision("direct");
}

#[test]
fn no_evidence_no_decision_ioctl() {
    no_evidence_no_decision("ioctl");
}

/// Review of issue 14, 4 and 17: a name that is not UTF-8. A jail's root
/// named its end eight 0xff bytes (if_rename takes any bytes but NUL) and
/// let the jail die; the end is back on the host. The FreeBSD backend read
/// it lossily, as 24 bytes, and every listing failed: no jail could start.
/// Now such an interface is left out of the listing on both paths, as it
/// is nothing of rjib's, and every command works around it.
fn a_name_that_is_not_utf8(via: &str) {
    let mut host = built(&["evil", "ok"], json!([]));
    set(&mut host, "e0b_evil", "raw_name", json!(vec![255; 8]));
    let h = HostFile::new(&host);
    let o = h.run(via, &["show"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "evil\nok\n", ""),
        "{via}"
    );
    let o = h.run(via, &["show", "--libxo", "json", "evil"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["rjib-information"]["jail"][0]["epair"][0]["b"],
        Value::Null,
        "{via}: the end is not listed"
    );
    // prune: no end named e0b_evil on the host, and no jail evil: kept
    let o = h.run(via, &["prune", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert_eq!(stdout(&o), "e0a_ok\n", "{via}: {}", stderr(&o));
    assert!(
        stderr(&o).starts_with("rjib: e0a_evil: keep: in use by a jail whose name is not evil"),
        "{via}: {}",
        stderr(&o)
    );
    let o = h.run(via, &["addm", "j", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "e0a_j\ne0b_j\n", ""),
        "{via}"
    );
    // destroy evil takes its pair, the end with the odd name included
    let o = h.run(via, &["destroy", "evil"]);
    assert!(o.status.success(), "{via}: {}", stderr(&o));
    let after = h.read();
    assert!(
        after["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("raw_name").is_none()),
        "{via}"
    );
}

#[test]
fn a_name_that_is_not_utf8_direct() {
    a_name_that_is_not_utf8("direct");
}

#[test]
fn a_name_that_is_not_utf8_ioctl() {
    a_name_that_is_not_utf8("ioctl");
}

/// Such a name on a member of the bridge an addm joins: its MAC cannot
/// be compared with the ones rjib derives, and rjib says so, once, on
/// stderr and in the system log (the dry run on stderr too).
fn an_unnamed_member_of_the_bridge(via: &str) {
    let mut host = seed();
    host["version"] = json!(2);
    let mut odd = ether("odd", 20, "02:00:00:00:00:20");
    odd["raw_name"] = json!([0xc3, 0x28, 0x80]);
    host["interfaces"].as_array_mut().unwrap().push(odd);
    for i in host["interfaces"].as_array_mut().unwrap() {
        if i["name"] == "vtnet0bridge" {
            i["members"] = json!(["odd"]);
        }
    }
    let warning = "vtnet0bridge: a member's name is not UTF-8 (\"\\xc3(\\x80\"): rjib cannot name \
                   it, so it leaves it out and does not compare its MAC with the ones it derives";
    let h = HostFile::new(&host);
    let o = h.run(via, &["-n", "addm", "j", "vtnet0", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert_eq!(stderr(&o), format!("rjib: {warning}\n"), "{via}");
    let o = h.run(via, &["addm", "j", "vtnet0", "vtnet0"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_j\ne0b_j\ne1a_j\ne1b_j\n"),
        "{via}: {}",
        stderr(&o)
    );
    assert_eq!(stderr(&o), format!("rjib: {warning}\n"), "{via}: once");
    let log = without_log(&h.read()).1;
    assert!(
        log.contains(&json!({"priority": "warning", "message": warning})),
        "{via}: {log:?}"
    );
    let members = iface(&h.read(), "vtnet0bridge").unwrap()["members"].clone();
    assert_eq!(members, json!(["odd", "e0a_j", "e1a_j"]), "{via}");
}

#[test]
fn an_unnamed_member_of_the_bridge_direct() {
    an_unnamed_member_of_the_bridge("direct");
}

#[test]
fn an_unnamed_member_of_the_bridge_ioctl() {
    an_unnamed_member_of_the_bridge("ioctl");
}

/// Review of issue 14, 18: prune -v says why it keeps a pair whose jail
/// end's name an interface has that is no epair end, as for every pair.
fn a_peer_name_taken_by_no_epair(via: &str) {
    let mut host = built(&["x"], json!([{"name": "j", "jid": 2}]));
    set(&mut host, "e0b_x", "vnet", json!("j"));
    host["interfaces"]
        .as_array_mut()
        .unwrap()
        .push(ether("e0b_x", 40, "00:25:90:00:00:40"));
    let h = HostFile::new(&host);
    let o = h.run(via, &["prune", "-v", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (
            Some(0),
            "",
            "rjib: e0a_x: keep: e0b_x is not an epair end, so this is no pair rjib made\n"
        ),
        "{via}"
    );
}

#[test]
fn a_peer_name_taken_by_no_epair_direct() {
    a_peer_name_taken_by_no_epair("direct");
}

#[test]
fn a_peer_name_taken_by_no_epair_ioctl() {
    a_peer_name_taken_by_no_epair("ioctl");
}
