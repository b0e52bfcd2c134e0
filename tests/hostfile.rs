//! The simulated host file: unknown fields survive a write, readers never
//! take the lock, and nothing is written when nothing changed.

mod common;

use common::*;
use serde_json::json;

fn keeps_unknown_fields(via: &str) {
    let mut start = seed();
    start["site"] = json!({"rack": 7, "notes": ["a", "b"]});
    start["interfaces"][1]["x-vendor"] = json!("virtio");
    start["interfaces"][2]["description"] = json!("NAT for the jails");
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = h.read();
    assert_eq!(after["site"], start["site"], "top-level field kept");
    assert_eq!(
        iface(&after, "vtnet0").unwrap()["x-vendor"],
        "virtio",
        "interface field kept"
    );
    assert_eq!(
        iface(&after, "vtnet0bridge").unwrap()["description"],
        "NAT for the jails"
    );
    assert_eq!(after["version"], 1);
    // no temporary file left beside it
    let left: Vec<_> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "host.json" && n != "host.json.lock")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn readers_do_not_lock_or_write(via: &str) {
    let h = HostFile::new(&seed());
    let before = h.bytes();
    for args in [
        &["show"][..],
        &["show", "x"],
        &["show", "--libxo", "json"],
        &["destroy", "nothere"],
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(
            h.bytes(),
            before,
            "{args:?}: nothing changed, nothing written"
        );
    }
    // destroy takes the lock (it would change things), show never does
    let lock = h.dir.path().join("host.json.lock");
    std::fs::remove_file(&lock).unwrap();
    assert!(h.run(via, &["show"]).status.success());
    assert!(!lock.exists(), "show takes no lock");
}

/// Format version 2 (netsim-state.md) is read, and a file keeps the
/// version it has.
fn version_kept(via: &str) {
    for version in [1, 2] {
        let mut start = seed();
        start["version"] = version.into();
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
        assert_eq!(o.status.code(), Some(0), "v{version}: {}", stderr(&o));
        assert_eq!(h.read()["version"], version);
    }
}

#[test]
fn version_kept_direct() {
    version_kept("direct");
}

#[test]
fn version_kept_ioctl() {
    version_kept("ioctl");
}

#[test]
fn unknown_fields_direct() {
    keeps_unknown_fields("direct");
}

#[test]
fn unknown_fields_ioctl() {
    keeps_unknown_fields("ioctl");
}

#[test]
fn readers_direct() {
    readers_do_not_lock_or_write("direct");
}

#[test]
fn readers_ioctl() {
    readers_do_not_lock_or_write("ioctl");
}

/// A directory where the host file should be is a clear error.
#[test]
fn unreadable_host_file() {
    let dir = tempfile::tempdir().unwrap();
    for via in VIAS {
        let o = run_on(dir.path(), via, &["show"]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            stderr(&o),
            format!(
                "rjib: simulated host {}: Is a directory\n",
                dir.path().display()
            )
        );
    }
}
