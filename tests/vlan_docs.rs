//! rjib(8)'s "VLAN-filtering bridges (FreeBSD 15)" example, and the
//! README's short version of it, are true: `rjib check` finds nothing to
//! say about them and predicts each jail's VLANs, and on a FreeBSD 15 host
//! as that rc.conf leaves it, the jail.conf's addm commands put each epair
//! where the page says. On both paths.

mod common;

use common::*;
use serde_json::{Value, json};

const MANPAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/man/rjib.8");

/// The literal display after the comment `.\" MARKER`, as text.
fn block(marker: &str) -> Vec<String> {
    let src = std::fs::read_to_string(MANPAGE).unwrap();
    let head = format!(".\\\" {marker}");
    let lines: Vec<&str> = src.lines().skip_while(|l| !l.starts_with(&head)).collect();
    assert!(!lines.is_empty(), "rjib.8 has no `{head}`");
    lines
        .iter()
        .skip_while(|l| !l.starts_with(".Bd"))
        .skip(1)
        .take_while(|l| !l.starts_with(".Ed"))
        .map(|l| l.replace("\\e", "\\").replace("\\&", ""))
        .collect()
}

/// The host as the example's rc.conf leaves it at boot: the filtering
/// bridge ix0bridge with ix0 tagged 10, 20 and 30, and the host's address
/// on its vlan ix0bridge.10.
fn booted15() -> Value {
    let mut h = bare15();
    let ifs = h["interfaces"].as_array_mut().unwrap();
    ifs[1]["tagged"] = json!([10, 20, 30]);
    let mut br = bridge("ix0bridge", 3, 0, &["ix0"]);
    br["vlanfilter"] = json!(true);
    ifs.push(br);
    ifs.push(json!({"name": "ix0bridge.10", "index": 4, "type": "l2vlan",
        "cloner": null, "unit": null, "peer": null, "ether": "58:9c:fc:10:00:00",
        "mtu": 1500, "up": true, "groups": ["vlan"], "members": null,
        "description": null, "vlan_parent": "ix0bridge", "addrs": ["192.0.2.1/24"]}));
    h
}

/// The argv of each `exec.prestart` line of `jail_conf` (after the program).
fn prestart_argv(jail_conf: &[String]) -> Vec<Vec<String>> {
    jail_conf
        .iter()
        .filter_map(|l| l.trim().strip_prefix("exec.prestart += \""))
        .map(|l| {
            l.trim_end_matches("\";")
                .split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn the_example_checks_clean_and_builds(via: &str) {
    let rc = block("vlan rc.conf example");
    let jc = block("vlan jail.conf example");
    let router = block("vlan router rc.conf example");
    assert!(rc.iter().any(|l| l.contains("vlanfilter addm ix0 tagged")));
    assert!(router.iter().any(|l| l.starts_with("vlans_e0b_router=")));
    let h = HostFile::new(&bare15());
    let rc_path = h.dir.path().join("rc.conf");
    let jc_path = h.dir.path().join("jail.conf");
    std::fs::write(&rc_path, rc.join("\n") + "\n").unwrap();
    std::fs::write(&jc_path, jc.join("\n") + "\n").unwrap();
    let o = h.run(
        via,
        &[
            "check",
            "--libxo",
            "json",
            "-f",
            jc_path.to_str().unwrap(),
            "-r",
            rc_path.to_str().unwrap(),
            "-s",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sysctl.conf"),
        ],
    );
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(o.status.code(), Some(0), "{via}: {doc:#}{}", stderr(&o));
    assert_eq!(doc["findings"], json!([]), "{via}");
    let pair = |jail: &str| {
        doc["jails"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["name"] == jail)
            .unwrap()["pairs"][0]
            .clone()
    };
    assert_eq!(
        (
            pair("web")["untagged"].clone(),
            pair("web")["tagged"].clone()
        ),
        (json!(10), json!([]))
    );
    assert_eq!(pair("db")["untagged"], 20);
    assert_eq!(pair("router")["untagged"], Value::Null);
    assert_eq!(pair("router")["tagged"], json!([10, 20, 30]));
    assert_eq!(pair("router")["bridge"], "ix0bridge");

    // The addm commands, on the host as rc.conf leaves it.
    let h = HostFile::new(&booted15());
    let argvs = prestart_argv(&jc);
    assert_eq!(argvs.len(), 3);
    for argv in &argvs {
        let args: Vec<&str> = argv.iter().map(String::as_str).collect();
        let o = h.run(via, &args);
        assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{via} {args:?}: no warning");
    }
    let after = h.read();
    let get = |n: &str, k: &str| iface(&after, n).unwrap()[k].clone();
    assert_eq!(get("e0a_web", "pvid"), 10);
    assert_eq!(get("e0a_db", "pvid"), 20);
    assert_eq!(get("e0a_router", "tagged"), json!([10, 20, 30]));
    assert_eq!(get("e0a_router", "pvid"), Value::Null);
    assert_eq!(
        get("ix0", "tagged"),
        json!([10, 20, 30]),
        "the uplink as it was"
    );
    assert_eq!(
        get("ix0bridge", "members"),
        json!(["ix0", "e0a_web", "e0a_db", "e0a_router"])
    );
}

#[test]
fn the_example_checks_clean_and_builds_direct() {
    the_example_checks_clean_and_builds("direct");
}

#[test]
fn the_example_checks_clean_and_builds_ioctl() {
    the_example_checks_clean_and_builds("ioctl");
}

/// The README's short version is the page's: the same rc.conf, and the
/// page's addm commands.
#[test]
fn the_readme_shows_the_same_setup() {
    let rc = readme_block("interface: a filtering bridge drops");
    assert_eq!(rc, block("vlan rc.conf example"));
    let lines = readme_block("tagged; its own rc.conf");
    let page = block("vlan jail.conf example");
    let page: Vec<&str> = page.iter().map(|l| l.trim()).collect();
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert!(
            page.contains(&l.as_str()),
            "{l} is not in rjib(8)'s jail.conf"
        );
    }
}
