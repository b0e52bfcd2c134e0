//! Bad input: each refusal has its exit status, its message, and leaves the
//! host file untouched.

mod common;

use common::*;
use serde_json::json;

/// A refusal: exit 1, the one line, the host as it was, and the refusal in
/// syslog (the simulated host's `log`), which is all that changed.
fn refuses(via: &str, h: &HostFile, args: &[&str], message: &str) {
    let before = h.read();
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{args:?}");
    assert_eq!(stderr(&o), format!("{message}\n"), "{args:?}");
    let (after, log) = without_log(&h.read());
    assert_eq!(after, without_log(&before).0, "{args:?}: host untouched");
    let logged = message.strip_prefix("rjib: ").unwrap();
    assert_eq!(
        log.last(),
        Some(&json!({"priority": "err", "message": logged})),
        "{args:?}: logged"
    );
}

fn host_file_errors(via: &str) {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothere.json");
    let o = run_on(&missing, via, &["show"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: simulated host {}: No such file or directory\n",
            missing.display()
        )
    );
    assert!(!missing.exists(), "nothing written");

    let cases = [
        (
            "garbage",
            "this is not json",
            "not a JSON host file: expected ident at line 1 column 2",
        ),
        (
            "v3",
            r#"{"version": 3, "interfaces": []}"#,
            "host file version 3 is not supported (rjib reads versions 1 to 2)",
        ),
        (
            "noversion",
            r#"{"interfaces": []}"#,
            "host file has no \"version\"",
        ),
        (
            "badif",
            r#"{"version": 1, "interfaces": [{"name": "em0"}]}"#,
            "malformed host file: missing field `index`",
        ),
        (
            "badfault",
            r#"{"version": 1, "interfaces": [], "faults": [{"op": "fly", "nth": 1, "errno": "EIO"}]}"#,
            "malformed host file: unknown fault op \"fly\"",
        ),
    ];
    for (name, text, why) in cases {
        let p = dir.path().join(format!("{name}.json"));
        std::fs::write(&p, text).unwrap();
        for args in [&["show"][..], &["addm", "x", "em0"], &["destroy", "x"]] {
            let o = run_on(&p, via, args);
            assert_eq!(o.status.code(), Some(1), "{name} {args:?}");
            assert_eq!(
                stderr(&o),
                format!("rjib: simulated host {}: {why}\n", p.display()),
                "{name} {args:?}"
            );
            assert_eq!(
                std::fs::read_to_string(&p).unwrap(),
                text,
                "{name}: unchanged"
            );
        }
    }
}

fn refusals(via: &str) {
    let mut tun = ether("tun0", 5, "00:00:00:00:00:00");
    tun["type"] = "tun".into();
    tun["ether"] = json!(null);
    let h = HostFile::new(&host(vec![
        ether("vtnet0", 1, "58:9c:fc:0a:1b:2c"),
        ether("em0", 2, "00:25:90:ab:cd:ef"),
        ether("em1", 3, "02:25:90:11:22:33"),
        bridge("em0br", 4, 0, &["em0"]),
        tun,
        ether("em2bridge", 6, "00:25:90:00:00:01"),
    ]));
    refuses(
        via,
        &h,
        &["addm", "x", "vtnet9"],
        "rjib: vtnet9: interface does not exist",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "em1", "vtnet9"],
        "rjib: vtnet9: interface does not exist",
    );
    refuses(
        via,
        &h,
        &["addm", "averylongjail", "vtnet0"],
        "rjib: e0a_averylongjail: name would be 17 characters, interface names have at most 15; use a shorter jail name",
    );
    refuses(
        via,
        &h,
        &["addm", "-b", "bridgebridge1", "x", "vtnet0"],
        "rjib: vtnet0bridgebridge1: name would be 19 characters, interface names have at most 15; use a shorter bridge suffix with -b",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "tun0"],
        "rjib: tun0: a tun interface cannot be a bridge member; bridge an ethernet, vlan or gif interface",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "em0"],
        "rjib: em0: already a member of bridge em0br, cannot join a new em0bridge; use -b to pick em0br's suffix, or remove em0 from em0br",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "em2"],
        "rjib: em2: interface does not exist",
    );
    refuses(
        via,
        &h,
        &["addm", "-b", "bridge", "x", "em1", "em2x"],
        "rjib: em2x: interface does not exist",
    );
    // em0br's own suffix works
    let o = h.run(via, &["addm", "-b", "br", "x", "em0"]);
    assert_eq!(stdout(&o), "e0a_x\ne0b_x\n", "{}", stderr(&o));
}

fn not_a_bridge(via: &str) {
    let h = HostFile::new(&host(vec![
        ether("em0", 1, "00:25:90:ab:cd:ef"),
        ether("em0bridge", 2, "00:25:90:00:00:01"),
    ]));
    refuses(
        via,
        &h,
        &["addm", "x", "em0"],
        "rjib: em0bridge: exists but is not a bridge; rename it or choose another suffix with -b",
    );
}

fn stray_b_end(via: &str) {
    // The b end of a pair whose a end has another name.
    let mut b = ether("e0b_x", 3, "02:00:00:00:00:0b");
    b["cloner"] = "epair".into();
    b["unit"] = 0.into();
    b["peer"] = "epair0a".into();
    let mut a = ether("epair0a", 4, "02:00:00:00:00:0a");
    a["cloner"] = "epair".into();
    a["unit"] = 0.into();
    a["peer"] = "e0b_x".into();
    let h = HostFile::new(&host(vec![
        ether("em0", 1, "00:25:90:ab:cd:ef"),
        bridge("em0bridge", 2, 0, &[]),
        b,
        a,
    ]));
    refuses(
        via,
        &h,
        &["addm", "x", "em0"],
        "rjib: e0b_x: already exists without e0a_x; destroy it (ifconfig e0b_x destroy) and run again",
    );
}

#[test]
fn host_file_errors_direct() {
    host_file_errors("direct");
}

#[test]
fn host_file_errors_ioctl() {
    host_file_errors("ioctl");
}

#[test]
fn refusals_direct() {
    refusals("direct");
    not_a_bridge("direct");
    stray_b_end("direct");
}

#[test]
fn refusals_ioctl() {
    refusals("ioctl");
    not_a_bridge("ioctl");
    stray_b_end("ioctl");
}

#[test]
fn unknown_via_is_an_error() {
    let h = HostFile::new(&seed());
    let o = h.run("smoke-signals", &["show"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "rjib: RJIB_NETSIM_VIA: unknown value \"smoke-signals\"; use \"ioctl\" or \"direct\"\n"
    );
}

#[test]
fn no_backend_without_netsim_off_freebsd() {
    let o = std::process::Command::new(BIN)
        .env_clear()
        .args(["show"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    if cfg!(not(target_os = "freebsd")) {
        assert!(
            stderr(&o).starts_with("rjib: kernel: rjib needs FreeBSD"),
            "{}",
            stderr(&o)
        );
    }
}
