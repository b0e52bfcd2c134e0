//! rjib's additions to jib: the dry run, JSON show, MAC collision warnings
//! and the sha256 scheme.

mod common;

use common::*;
use serde_json::{Value, json};

fn dry_run(via: &str) {
    let mut start = seed();
    start["interfaces"].as_array_mut().unwrap().push({
        let mut em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
        em0["up"] = false.into();
        em0["mtu"] = 9000.into();
        em0
    });
    start["euid"] = 1001.into(); // -n needs no root
    let h = HostFile::new(&start);
    let before = h.bytes();
    let o = h.run(via, &["-n", "addm", "jamulus", "vtnet0", "em0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Names the kernel picks are captured, so the script runs as it is
    // (tests/dryrun.rs runs it); the output is the same on both paths.
    let expected = "\
ep_a=$(ifconfig epair create)
ep_b=${ep_a%a}b
ifconfig vtnet0bridge addm \"$ep_a\"
ifconfig \"$ep_a\" name e0a_jamulus
ifconfig \"$ep_b\" name e0b_jamulus
ifconfig e0a_jamulus description 'rjib: jail jamulus, host end'
ifconfig e0b_jamulus description 'rjib: jail jamulus, jail end'
ifconfig e0a_jamulus up
ifconfig e0b_jamulus up
ifconfig e0a_jamulus ether 02:a0:e2:0a:1b:2c
ifconfig e0b_jamulus ether 0e:a0:e2:0a:1b:2c
ifconfig em0 up
br=$(ifconfig bridge create)
ifconfig \"$br\" addm em0
ifconfig \"$br\" name em0bridge
ifconfig em0bridge description 'rjib: bridge for em0'
ifconfig em0bridge up
ep_a=$(ifconfig epair create)
ep_b=${ep_a%a}b
ifconfig \"$ep_a\" mtu 9000
ifconfig \"$ep_b\" mtu 9000
ifconfig em0bridge addm \"$ep_a\"
ifconfig \"$ep_a\" name e1a_jamulus
ifconfig \"$ep_b\" name e1b_jamulus
ifconfig e1a_jamulus description 'rjib: jail jamulus, host end'
ifconfig e1b_jamulus description 'rjib: jail jamulus, jail end'
ifconfig e1a_jamulus up
ifconfig e1b_jamulus up
ifconfig e1a_jamulus ether 02:a0:e2:ab:cd:ef
ifconfig e1b_jamulus ether 0e:a0:e2:ab:cd:ef
";
    assert_eq!(stdout(&o), expected);
    assert_eq!(h.bytes(), before, "the dry run changes nothing");
    assert!(
        !h.dir.path().join("host.json.lock").exists(),
        "and takes no lock"
    );

    // The real run does what the dry run said (as root).
    let mut root = start.clone();
    root["euid"] = 0.into();
    h.write(&root);
    let o = h.run(via, &["addm", "jamulus", "vtnet0", "em0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = h.read();
    assert_eq!(
        iface(&after, "e1a_jamulus").unwrap()["ether"],
        "02:a0:e2:ab:cd:ef"
    );
    assert_eq!(
        iface(&after, "em0bridge").unwrap()["unit"],
        1,
        "bridge0 is held by vtnet0bridge"
    );

    let before = h.bytes();
    let o = h.run(via, &["-n", "destroy", "jamulus"]);
    assert_eq!(
        stdout(&o),
        "ifconfig e0a_jamulus destroy\nifconfig e1a_jamulus destroy\n"
    );
    assert_eq!(h.bytes(), before);
    let o = h.run(via, &["-n", "addm", "jamulus", "vtnet0", "em0"]);
    assert_eq!(
        stdout(&o),
        "ifconfig e0a_jamulus up\nifconfig e0b_jamulus up\n\
         ifconfig e1a_jamulus up\nifconfig e1b_jamulus up\n",
        "the ends exist: they are reused, their flags set again (issue 14, D6)"
    );
}

fn json_show(via: &str) {
    let h = HostFile::new(&seed());
    assert!(
        h.run(via, &["addm", "jamulus", "vtnet0", "vtnet0"])
            .status
            .success()
    );
    assert!(h.run(via, &["addm", "web", "vtnet0"]).status.success());
    let o = h.run(via, &["show", "--libxo", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "json is one line");
    let v: Value = serde_json::from_str(&out).unwrap();
    let jails = v["rjib-information"]["jail"].as_array().unwrap();
    let names: Vec<&str> = jails.iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["jamulus", "web"]);
    let e = &jails[0]["epair"];
    assert_eq!(e.as_array().unwrap().len(), 2);
    assert_eq!(e[0]["a"]["name"], "e0a_jamulus");
    assert_eq!(e[0]["a"]["ether"], "02:a0:e2:0a:1b:2c");
    assert_eq!(e[0]["b"]["ether"], "0e:a0:e2:0a:1b:2c");
    assert_eq!(e[0]["b"]["mtu"], 1500);
    assert_eq!(e[1]["a"]["ether"], "12:a0:e2:0a:1b:2c");
    assert_eq!(e[0]["bridge"], "vtnet0bridge");
    assert_eq!(e[0]["parent"], "vtnet0");

    let o = h.run(via, &["show", "web", "--libxo=json,pretty"]);
    let out = stdout(&o);
    assert!(out.lines().count() > 5, "pretty is indented: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rjib-information"]["jail"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["rjib-information"]["jail"][0]["epair"][0]["b"]["name"],
        "e0b_web"
    );
    // plain show stays jib's
    assert_eq!(stdout(&h.run(via, &["show"])), "jamulus\nweb\n");

    // A description longer than 1024 bytes (net.ifdescr_maxlen raised):
    // shown whole, on both paths (the FreeBSD backend asks the kernel for
    // the length it needs and reads again).
    let mut long_host = h.read();
    let long = format!("{}: the admin's notes", "x".repeat(1990));
    for i in long_host["interfaces"].as_array_mut().unwrap() {
        if i["name"] == "e0a_web" {
            i["description"] = long.clone().into();
        }
    }
    h.write(&long_host);
    let o = h.run(via, &["show", "web", "--libxo", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let e = &v["rjib-information"]["jail"][0]["epair"][0];
    assert_eq!(e["a"]["description"], long.as_str());
    assert_eq!(e["b"]["description"], "rjib: jail web, jail end");
    // Review 13, F4: longer than 1 MiB (net.ifdescr_maxlen raised to 4
    // MiB): shown whole on both paths, as the kernel holds it.
    let huge = "y".repeat(3 << 20);
    for i in long_host["interfaces"].as_array_mut().unwrap() {
        if i["name"] == "e0a_web" {
            i["description"] = huge.clone().into();
        }
    }
    long_host["sysctl"] = json!({"net.ifdescr_maxlen": 4 << 20});
    h.write(&long_host);
    let o = h.run(via, &["show", "web", "--libxo", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "{via}");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let e = &v["rjib-information"]["jail"][0]["epair"][0];
    assert_eq!(
        e["a"]["description"].as_str().map(str::len),
        Some(huge.len()),
        "{via}"
    );
    let o = h.run(via, &["show", "--libxo", "xml"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "rjib: unsupported --libxo format \"xml\"; use json, json,pretty or text\n"
    );
}

fn collisions(via: &str) {
    let h = HostFile::new(&host(vec![ether("em0", 1, "00:25:90:ab:cd:ef")]));
    let o = h.run(via, &["addm", "ab", "em0"]);
    assert_eq!(stderr(&o), "");
    let o = h.run(via, &["addm", "ca", "em0"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a warning does not change the exit status"
    );
    assert_eq!(
        stderr(&o),
        "rjib: warning: e0a_ca: MAC 02:80:92:ab:cd:ef is already on e0a_ab; give the jail another name, or derive with -m sha256\n\
         rjib: warning: e0b_ca: MAC 0e:80:92:ab:cd:ef is already on e0b_ab; give the jail another name, or derive with -m sha256\n"
    );
    assert_eq!(stdout(&o), "e0a_ca\ne0b_ca\n");
}

/// Issue 9, defect 7: a dry run that stops says so, and does not claim
/// to have undone steps. (`-b dge0` on parent `bri` names the new bridge
/// `bridge0`, the name the kernel gives it: the dry run stops at the
/// rename. Should the dry run learn that a rename to the current name
/// succeeds, this run passes and there is no failure to word.)
fn failed_dry_run(via: &str) {
    let h = HostFile::new(&host(vec![ether("bri", 1, "00:25:90:00:00:01")]));
    let before = h.bytes();
    let o = h.run(via, &["-n", "addm", "-b", "dge0", "x", "bri"]);
    let e = stderr(&o);
    if o.status.code() == Some(1) {
        assert_eq!(stdout(&o), "");
        assert!(e.ends_with("; dry run, nothing was changed\n"), "{e}");
        assert!(!e.contains("undone"), "{e}");
    } else {
        assert_eq!(o.status.code(), Some(0), "{e}");
    }
    assert_eq!(h.bytes(), before);
}

/// Issue 9, defect 7: a VLAN and its parent share a MAC, so their pairs
/// get the same MACs whatever the jail is called or the scheme; the
/// warning says what can help (`!`, or a MAC of the VLAN's own), and it
/// does not offer -m sha256 when that is what made the MAC.
fn collision_remedies(via: &str) {
    use rjib::jib::mac::{Scheme, derive_with};
    use rjib::net::Mac;
    let p: Mac = "00:25:90:ab:cd:ef".parse().unwrap();
    let mut vlan = ether("em0.5", 2, "00:25:90:ab:cd:ef");
    vlan["type"] = "l2vlan".into();
    let start = host(vec![ether("em0", 1, "00:25:90:ab:cd:ef"), vlan]);
    let same = |scheme, ends: &[(&str, &str)]| -> String {
        let m = derive_with(scheme, p, "v", 0);
        ends.iter()
            .map(|(end, holder)| {
                let mac = if end.starts_with("e1a") || end.starts_with("e0a") { m.a } else { m.b };
                format!(
                    "rjib: warning: {end}: MAC {mac} is already on {holder}; both come from the jail name v and one parent MAC (em0.5 has the MAC of em0), so neither another name nor -m helps; give em0.5 a MAC of its own, or keep the kernel's MACs for this pair with !em0.5\n"
                )
            })
            .collect()
    };
    for (scheme, flag) in [(Scheme::Sum, "sum"), (Scheme::Sha256, "sha256")] {
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "-m", flag, "v", "em0", "em0.5"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            stderr(&o),
            same(scheme, &[("e1a_v", "e0a_v"), ("e1b_v", "e0b_v")]),
            "-m {flag}, within one addm"
        );
    }
    // The same when the first pair exists already.
    let h = HostFile::new(&start);
    assert!(h.run(via, &["addm", "v", "em0"]).status.success());
    let o = h.run(via, &["addm", "v", "em0", "em0.5"]);
    assert_eq!(stdout(&o), "em0.5bridge\ne1a_v\ne1b_v\n", "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        same(Scheme::Sum, &[("e1a_v", "e0a_v"), ("e1b_v", "e0b_v")]),
        "against the existing pair"
    );
    // What is followed, works: no warning with !em0.5.
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "v", "em0", "!em0.5"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));

    // Under sha256, a MAC that another interface happens to have: another
    // name can help, -m sha256 cannot (it is in use).
    let taken = derive_with(Scheme::Sha256, p, "x", 0).a;
    let h = HostFile::new(&host(vec![
        ether("em0", 1, "00:25:90:ab:cd:ef"),
        ether("em9", 2, &taken.to_string()),
    ]));
    let o = h.run(via, &["addm", "-m", "sha256", "x", "em0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: warning: e0a_x: MAC {taken} is already on em9; give the jail another name, or keep the kernel's MACs for this pair with !em0\n"
        )
    );
}

fn sha256(via: &str) {
    let h = HostFile::new(&host(vec![ether("em0", 1, "00:25:90:ab:cd:ef")]));
    for j in ["ab", "ca"] {
        let o = h.run(via, &["addm", "-m", "sha256", j, "em0"]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stderr(&o), "", "no collision");
    }
    let after = h.read();
    // Expected values computed with Python's hashlib (see src/jib/mac.rs).
    assert_eq!(
        iface(&after, "e0a_ab").unwrap()["ether"],
        "02:fb:8e:20:cd:ef"
    );
    assert_eq!(
        iface(&after, "e0b_ab").unwrap()["ether"],
        "0e:fb:8e:20:cd:ef"
    );
    assert_eq!(
        iface(&after, "e0a_ca").unwrap()["ether"],
        "02:69:59:09:cd:ef"
    );
    assert_eq!(
        iface(&after, "e0b_ca").unwrap()["ether"],
        "0e:69:59:09:cd:ef"
    );
    let o = h.run(via, &["addm", "-m", "md5", "x", "em0"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "rjib: -m: unknown MAC scheme \"md5\"; use sum or sha256\n"
    );
}

#[test]
fn dry_run_direct() {
    dry_run("direct");
}

#[test]
fn dry_run_ioctl() {
    dry_run("ioctl");
}

#[test]
fn json_show_direct() {
    json_show("direct");
}

#[test]
fn json_show_ioctl() {
    json_show("ioctl");
}

#[test]
fn collisions_direct() {
    collisions("direct");
}

#[test]
fn collisions_ioctl() {
    collisions("ioctl");
}

#[test]
fn failed_dry_run_direct() {
    failed_dry_run("direct");
}

#[test]
fn failed_dry_run_ioctl() {
    failed_dry_run("ioctl");
}

#[test]
fn collision_remedies_direct() {
    collision_remedies("direct");
}

#[test]
fn collision_remedies_ioctl() {
    collision_remedies("ioctl");
}

#[test]
fn sha256_direct() {
    sha256("direct");
}

#[test]
fn sha256_ioctl() {
    sha256("ioctl");
}
