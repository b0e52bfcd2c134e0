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
    let logged = failure_record(args, message);
    assert_eq!(
        log.last(),
        Some(&json!({"priority": "err", "message": logged})),
        "{args:?}: logged, with what failed"
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
            "v4",
            r#"{"version": 4, "interfaces": []}"#,
            "host file version 4 is not supported (rjib reads versions 1, 2 and 3)",
        ),
        (
            "vstring",
            r#"{"version": "1", "interfaces": []}"#,
            "\"version\" must be the number 1, 2 or 3, not \"1\"",
        ),
        (
            "vfloat",
            r#"{"version": 1.5, "interfaces": []}"#,
            "\"version\" must be the number 1, 2 or 3, not 1.5",
        ),
        (
            "noversion",
            r#"{"interfaces": []}"#,
            "host file has no \"version\"",
        ),
        (
            "badif",
            r#"{"version": 1, "interfaces": [{"name": "em0"}]}"#,
            "malformed host file: missing field `index` at line 1 column 45",
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
        "rjib: e0a_averylongjail: name would be 17 bytes, interface names have at most 15; use a shorter jail name",
    );
    refuses(
        via,
        &h,
        &["addm", "-b", "bridgebridge1", "x", "vtnet0"],
        "rjib: vtnet0bridgebridge1: name would be 19 bytes, interface names have at most 15; use a shorter bridge suffix with -b",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "tun0"],
        "rjib: tun0: an interface of type tun cannot be a bridge member; if_bridge(4) takes types ether, l2vlan and gif",
    );
    // Issue 9, defect 7: an argument with no interface name says so.
    refuses(
        via,
        &h,
        &["addm", "x", "vtnet0", "!"],
        "rjib: \"!\": no interface name after the '!'",
    );
    refuses(
        via,
        &h,
        &["addm", "x", ""],
        "rjib: \"\": an interface name cannot be empty",
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

/// Issue 9, defect 7: the link type reads well on both paths, whatever
/// the host calls it ("a other interface" through the ioctl path, "a vlan
/// interface … bridge a … vlan" directly, before). A type FreeBSD has no
/// number for ("vlan") is refused when the file is read, on both paths.
fn link_type_names(via: &str) {
    let mut v = ether("v0", 2, "00:25:90:00:00:02");
    v["type"] = "tunnel".into();
    let mut lo = ether("lo0", 3, "00:00:00:00:00:00");
    lo["type"] = "loop".into();
    lo["ether"] = json!(null);
    let h = HostFile::new(&host(vec![ether("vtnet0", 1, "58:9c:fc:0a:1b:2c"), v, lo]));
    refuses(
        via,
        &h,
        &["addm", "x", "lo0"],
        "rjib: lo0: an interface of type loop cannot be a bridge member; if_bridge(4) takes types ether, l2vlan and gif",
    );
    refuses(
        via,
        &h,
        &["addm", "x", "v0"],
        "rjib: v0: an interface of type tunnel cannot be a bridge member; if_bridge(4) takes types ether, l2vlan and gif",
    );
    let mut bad = h.read();
    bad["interfaces"][1]["type"] = "vlan".into();
    h.write(&bad);
    let before = h.bytes();
    let o = h.run(via, &["addm", "x", "v0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).ends_with(
            "malformed host file: interface v0: \"type\": \"vlan\" is not one of ether, l2vlan, gif, bridge, loop, tun, other, tunnel, stf, pflog, pfsync\n"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(h.bytes(), before);
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

/// A refusal of the arguments themselves: before any host is opened, so
/// not logged, and the host file byte for byte as it was.
fn refuses_args(via: &str, h: &HostFile, args: &[&str], message: &str) {
    let before = h.bytes();
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{args:?}");
    assert_eq!(stderr(&o), format!("{message}\n"), "{args:?}");
    assert_eq!(h.bytes(), before, "{args:?}: host untouched");
}

/// `refuses`, for arguments that need not be UTF-8.
fn refuses_os(via: &str, h: &HostFile, args: &[&[u8]], message: &str) {
    use std::os::unix::ffi::OsStrExt;
    let before = h.bytes();
    let args: Vec<&std::ffi::OsStr> = args
        .iter()
        .map(|a| std::ffi::OsStr::from_bytes(a))
        .collect();
    let o = command(&h.path, via).args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{args:?}");
    assert_eq!(stderr(&o), format!("{message}\n"), "{args:?}");
    assert_eq!(h.bytes(), before, "{args:?}: host untouched");
}

/// Issue 9, defect 4: arguments are bytes; one that is not UTF-8 is
/// refused where it would name an interface, and a `-b` suffix must make
/// a bridge name that is safe to write down and is no epair end's name.
fn argument_refusals(via: &str) {
    let h = HostFile::new(&host(vec![
        ether("vtnet0", 1, "58:9c:fc:0a:1b:2c"),
        ether("e1", 2, "00:25:90:00:00:01"),
    ]));
    refuses_os(
        via,
        &h,
        &[b"addm", b"-b", b"\xff", b"x", b"vtnet0"],
        "rjib: -b \"\\xFF\": not valid UTF-8, so it cannot name an interface",
    );
    refuses_os(
        via,
        &h,
        &[b"addm", b"x", b"vtnet0", b"em\xff0"],
        "rjib: \"em\\xFF0\": not valid UTF-8, so it cannot name an interface",
    );
    refuses_os(
        via,
        &h,
        &[b"show", b"j\xe9"],
        "rjib: \"j\\xE9\": not valid UTF-8, so it cannot name an interface",
    );
    for (suffix, shown) in [
        ("b\nx", "b\\nx"),
        ("b\u{1b}[2J", "b\\u{1b}[2J"),
        ("b x", "b x"),
        ("b\u{a0}x", "b\\u{a0}x"),
        ("a/b", "a/b"),
        ("a:b", "a:b"),
    ] {
        refuses_args(
            via,
            &h,
            &["addm", "-b", suffix, "x", "vtnet0"],
            &format!(
                "rjib: -b \"{shown}\": a bridge suffix cannot contain control characters, whitespace, '/' or ':'"
            ),
        );
    }
    refuses(
        via,
        &h,
        &["addm", "-b", "a_x", "y", "e1"],
        "rjib: e1a_x: a bridge name of the form e<N>a_NAME or e<N>b_NAME would pass for an epair end of jail x; choose another suffix with -b",
    );
    refuses(
        via,
        &h,
        &["addm", "-b", "b_x", "y", "e1"],
        "rjib: e1b_x: a bridge name of the form e<N>a_NAME or e<N>b_NAME would pass for an epair end of jail x; choose another suffix with -b",
    );
    // The kernel has no rule for characters (if_rename): UTF-8 beyond
    // ASCII passes, and the length counts its bytes.
    refuses(
        via,
        &h,
        &["addm", "-b", "brückebrü", "x", "vtnet0"],
        "rjib: vtnet0brückebrü: name would be 17 bytes, interface names have at most 15; use a shorter bridge suffix with -b",
    );
    let o = h.run(via, &["addm", "-b", "brü", "x", "vtnet0"]);
    assert_eq!(stdout(&o), "vtnet0brü\ne0a_x\ne0b_x\n", "{}", stderr(&o));
    assert!(iface(&h.read(), "vtnet0brü").is_some());
}

/// Issue 9, defect 7: a name with a NUL or another control character is
/// printed escaped, on one line.
fn control_characters_escaped(via: &str) {
    // Such a name is refused when the host file is read, and the refusal
    // prints it escaped.
    let mut odd = ether("e0a_x\u{0}y", 3, "00:25:90:00:00:03");
    odd["groups"] = serde_json::json!(["epair"]);
    let h = HostFile::new(&host(vec![ether("vtnet0", 1, "58:9c:fc:0a:1b:2c"), odd]));
    for args in [&["show"][..], &["addm", "x", "vtnet0"], &["destroy", "x"]] {
        let o = h.run(via, args);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "{args:?}: {e:?}");
        assert!(
            !e.trim_end().contains(|c: char| c.is_control()),
            "{args:?}: raw control character in {e:?}"
        );
        assert!(e.contains("e0a_x\\0y"), "{args:?}: {e:?}");
    }
    let h = HostFile::new(&seed());
    refuses(
        via,
        &h,
        &["addm", "x", "em\n0"],
        "rjib: em\\n0: interface does not exist",
    );
}

#[test]
fn argument_refusals_direct() {
    argument_refusals("direct");
}

#[test]
fn argument_refusals_ioctl() {
    argument_refusals("ioctl");
}

#[test]
fn control_characters_escaped_direct() {
    control_characters_escaped("direct");
}

#[test]
fn control_characters_escaped_ioctl() {
    control_characters_escaped("ioctl");
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
    link_type_names("direct");
    not_a_bridge("direct");
    stray_b_end("direct");
}

#[test]
fn refusals_ioctl() {
    refusals("ioctl");
    link_type_names("ioctl");
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
