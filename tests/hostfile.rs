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
    std::fs::remove_dir_all(&lock).unwrap();
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
                "rjib: simulated host {}: not a regular file\n",
                dir.path().display()
            )
        );
    }
}

// ---------------------------------------------------------------------------
// Issue 9, defect 8: the file is replaced the way its owner would want.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn chmod(p: &std::path::Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The files in the host file's directory besides the host file.
fn others(h: &HostFile) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "host.json")
        .collect();
    v.sort();
    v
}

/// A symlinked RJIB_NETSIM: the target is written, the link stays.
fn through_symlink(via: &str) {
    let h = HostFile::new(&seed());
    let link = h.dir.path().join("link.json");
    std::os::unix::fs::symlink("host.json", &link).unwrap();
    let o = run_on(&link, via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "still a symlink"
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        std::path::Path::new("host.json")
    );
    assert!(iface(&h.read(), "e0a_jamulus").is_some(), "target written");
    // one lock per file, whichever path names it
    assert_eq!(others(&h), vec!["host.json.lock", "link.json"]);
    assert_eq!(stdout(&run_on(&link, via, &["show"])), "jamulus\n");
}

/// The mode stays; a read-only file is refused before anything changes.
fn mode_kept_read_only_refused(via: &str) {
    let h = HostFile::new(&seed());
    chmod(&h.path, 0o640);
    assert!(h.run(via, &["addm", "jamulus", "vtnet0"]).status.success());
    assert_eq!(mode(&h.path), 0o640, "mode kept");
    assert!(iface(&h.read(), "e0a_jamulus").is_some());

    chmod(&h.path, 0o444);
    let before = h.bytes();
    let refusal = format!(
        "rjib: simulated host {}: the file is read-only (mode 0444); rjib changes no read-only host file (chmod u+w to allow it)\n",
        h.path.display()
    );
    for args in [
        &["addm", "www", "vtnet0"][..],
        &["destroy", "jamulus"],
        &["destroy", "nothere"],
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert_eq!(stderr(&o), refusal, "{args:?}");
        assert_eq!(h.bytes(), before, "{args:?}: untouched");
        assert_eq!(mode(&h.path), 0o444);
    }
    assert_eq!(others(&h), vec!["host.json.lock"], "no temporary file");
    // Reading still works.
    assert_eq!(stdout(&h.run(via, &["show"])), "jamulus\n");
    let o = h.run(via, &["-n", "destroy", "jamulus"]);
    assert_eq!(stdout(&o), "ifconfig e0a_jamulus destroy\n");
}

/// A temporary file left by a killed run is reused and removed, never
/// one per process.
fn stale_temporary_file(via: &str) {
    let h = HostFile::new(&seed());
    let tmp = h.dir.path().join("host.json.tmp");
    let garbage = "{\"version\": 1, \"interfaces\": [{\"name\": \"trunc".repeat(100);
    for args in [&["addm", "jamulus", "vtnet0"][..], &["destroy", "nothere"]] {
        std::fs::write(&tmp, &garbage).unwrap();
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(others(&h), vec!["host.json.lock"], "{args:?}");
    }
    assert!(iface(&h.read(), "e0a_jamulus").is_some());
}

/// A directory at the temporary file's name is not removed (nor reused):
/// refused with its path and what to do, nothing changed (review of issue
/// 14, 14).
fn a_directory_at_the_temporary_files_name(via: &str) {
    let h = HostFile::new(&seed());
    let tmp = h.dir.path().join("host.json.tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::write(tmp.join("keep"), "mine\n").unwrap();
    let before = h.bytes();
    for args in [
        &["addm", "jamulus", "vtnet0"][..],
        &["destroy", "x"],
        &["prune"],
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(1), "{via} {args:?}");
        assert_eq!(
            stderr(&o),
            format!(
                "rjib: simulated host {}: {}: is a directory, not rjib's temporary file, and rjib \
                 removes no directory; move it away and run again\n",
                h.path.display(),
                std::fs::canonicalize(&tmp).unwrap().display()
            ),
            "{via} {args:?}"
        );
        assert_eq!(h.bytes(), before, "{via} {args:?}");
    }
    assert_eq!(std::fs::read_to_string(tmp.join("keep")).unwrap(), "mine\n");
}

#[test]
fn a_directory_at_the_temporary_files_name_direct() {
    a_directory_at_the_temporary_files_name("direct");
}

#[test]
fn a_directory_at_the_temporary_files_name_ioctl() {
    a_directory_at_the_temporary_files_name("ioctl");
}

/// Issue 14, D15(a): a symbolic link at the temporary file's name is
/// removed, never written through: its target keeps its bytes, and the
/// host is written as usual.
fn symlinked_temporary_file(via: &str) {
    let h = HostFile::new(&seed());
    let victim = h.dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let tmp = h.dir.path().join("host.json.tmp");
    for args in [&["addm", "jamulus", "vtnet0"][..], &["destroy", "jamulus"]] {
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "precious\n",
            "{args:?}"
        );
        assert!(
            std::fs::symlink_metadata(&tmp).is_err(),
            "{args:?}: link gone"
        );
    }
    assert!(
        iface(&h.read(), "e0a_jamulus").is_none(),
        "both runs wrote the host"
    );
    // A dangling link: nothing is created at its target either.
    std::fs::remove_file(&victim).unwrap();
    std::os::unix::fs::symlink(&victim, &tmp).unwrap();
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!victim.exists());
    assert!(iface(&h.read(), "e0a_jamulus").is_some());
}

/// A run killed while it writes the new host leaves at most the one fixed
/// temporary file (never h.json.tmp.<pid>, a truncated copy of the host
/// per kill), the host file whole, and the next changing run removes the
/// temporary file. Each run is killed as soon as its temporary file shows.
fn killed_runs(via: &str) {
    let mut start = seed();
    let ifs = start["interfaces"].as_array_mut().unwrap();
    for k in 0..3000 {
        let mut e = ether(&format!("em{k}"), 100 + k, "00:25:90:00:00:01");
        e["description"] = "x".repeat(200).into();
        ifs.push(e);
    }
    let h = HostFile::new(&start);
    for k in 0..5 {
        let mut child = command(&h.path, via)
            .args(["addm", &format!("j{k}"), "vtnet0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        while child.try_wait().unwrap().is_none() {
            if others(&h).iter().any(|n| n.starts_with("host.json.tmp")) {
                let _ = child.kill();
                break;
            }
        }
        let _ = child.wait();
        let left = others(&h);
        assert!(
            left.iter()
                .all(|n| n == "host.json.lock" || n == "host.json.tmp"),
            "{left:?}"
        );
        h.read(); // whole JSON
    }
    let o = h.run(via, &["destroy", "nothere"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(others(&h), vec!["host.json.lock"]);
}

/// A command that ends with the host as it started, and has nothing to
/// log, leaves a hand-written file byte for byte as it was. One that
/// failed and undid its work changes the file only by its syslog records.
fn unchanged_host_not_rewritten(via: &str) {
    let h = HostFile::new(&seed());
    assert!(h.run(via, &["addm", "jamulus", "vtnet0"]).status.success());
    let built = h.read();
    let text = format!("{}\n", serde_json::to_string(&built).unwrap()).replace(",", ", ");
    std::fs::write(&h.path, &text).unwrap();
    // (an addm that finds the pair is no such command: it refreshes the
    // pair's last change, issue 14 D6)
    for args in [&["prune", "nothere"][..], &["destroy", "nothere"]] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(
            String::from_utf8(h.bytes()).unwrap(),
            text,
            "{args:?}: nothing to do, nothing written"
        );
    }
    let mut start = seed();
    start["faults"] = json!([{"op": "ether", "nth": 1, "errno": "EIO"}]);
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    let (after, log) = without_log(&h.read());
    assert_eq!(timeless(&after), start);
    assert_eq!(log.len(), 2, "the undo and the failure: {log:?}");
}

/// Size cap: a huge file fails at once, in one line; anything but a
/// regular file (/dev/zero, a directory, a FIFO with no writer) is refused
/// without waiting.
fn size_cap(via: &str) {
    let h = HostFile::new(&seed());
    let big = h.dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let fifo = h.dir.path().join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo(1)");
    for (p, why) in [
        (big.as_path(), "larger than 64 MiB, the most rjib reads"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
        (h.dir.path(), "not a regular file"),
        (fifo.as_path(), "not a regular file"),
    ] {
        let t = std::time::Instant::now();
        let o = run_on(p, via, &["show"]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            stderr(&o),
            format!("rjib: simulated host {}: {why}\n", p.display())
        );
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }
}

/// Whether this process runs as root: root writes in any directory, so a
/// directory's missing write permission shows only for another user.
fn is_root() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// A directory rjib cannot write in is named as the culprit, before
/// anything changes: the lock directory cannot be created there, and
/// without the lock nothing is changed; with the lock directory there
/// (its user's), the temporary file is what fails.
fn read_only_directory(via: &str) {
    let h = HostFile::new(&seed());
    chmod(h.dir.path(), 0o755);
    chmod(&h.path, 0o644);
    let dir = std::fs::canonicalize(h.dir.path()).unwrap();
    let before = h.bytes();
    let run = |args: &[&str]| {
        let mut c: Command = command(&h.path, via);
        if is_root() {
            use std::os::unix::process::CommandExt;
            c.uid(65534).gid(65534);
        }
        c.args(args).output().unwrap()
    };
    if is_root() && !run(&["show"]).status.success() {
        // Root runs the binary as nobody, who may not reach it (a clone
        // under /root): nothing to test then.
        eprintln!("skip: the unprivileged user cannot run {BIN}");
        return;
    }
    chmod(h.dir.path(), 0o555);
    let lock = dir.join("host.json.lock");
    let o = run(&["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: lock: {l}: cannot be created (Permission denied), and rjib changes nothing \
             without its lock there: create it where it can be written (mkdir -m 700 {l}), or give \
             rjib a writable {d}\n",
            l = lock.display(),
            d = dir.display()
        )
    );
    assert!(!lock.exists());
    // With the lock directory there (the user's own, 0700), the temporary
    // file is what cannot be written.
    chmod(h.dir.path(), 0o755);
    std::fs::create_dir(&lock).unwrap();
    chmod(&lock, 0o700);
    if is_root() {
        std::os::unix::fs::chown(&lock, Some(65534), Some(65534)).unwrap();
    }
    chmod(h.dir.path(), 0o555);
    let o = run(&["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: simulated host {}: directory {} is not writable (Permission denied): rjib creates host.json.tmp there\n",
            h.path.display(),
            dir.display()
        )
    );
    assert_eq!(stdout(&run(&["show"])), "", "reading needs no write");
    chmod(h.dir.path(), 0o755);
    assert_eq!(h.bytes(), before);
}

#[test]
fn through_symlink_direct() {
    through_symlink("direct");
}

#[test]
fn through_symlink_ioctl() {
    through_symlink("ioctl");
}

#[test]
fn mode_kept_read_only_refused_direct() {
    mode_kept_read_only_refused("direct");
}

#[test]
fn mode_kept_read_only_refused_ioctl() {
    mode_kept_read_only_refused("ioctl");
}

#[test]
fn stale_temporary_file_direct() {
    stale_temporary_file("direct");
}

#[test]
fn stale_temporary_file_ioctl() {
    stale_temporary_file("ioctl");
}

#[test]
fn symlinked_temporary_file_direct() {
    symlinked_temporary_file("direct");
}

#[test]
fn symlinked_temporary_file_ioctl() {
    symlinked_temporary_file("ioctl");
}

#[test]
fn killed_runs_direct() {
    killed_runs("direct");
}

#[test]
fn killed_runs_ioctl() {
    killed_runs("ioctl");
}

#[test]
fn unchanged_host_not_rewritten_direct() {
    unchanged_host_not_rewritten("direct");
}

#[test]
fn unchanged_host_not_rewritten_ioctl() {
    unchanged_host_not_rewritten("ioctl");
}

#[test]
fn size_cap_direct() {
    size_cap("direct");
}

#[test]
fn size_cap_ioctl() {
    size_cap("ioctl");
}

#[test]
fn read_only_directory_direct() {
    read_only_directory("direct");
}

#[test]
fn read_only_directory_ioctl() {
    read_only_directory("ioctl");
}
