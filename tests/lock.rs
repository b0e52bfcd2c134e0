//! rjib's lock on the simulated host (issue 14, D11): the lock file is
//! never reached through a symbolic link, a directory there is named with
//! its fix, and a run that locks through the file and one that can only
//! lock the directory exclude each other.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The lock file beside a host file, as rjib names it in messages.
fn lock_path(h: &HostFile) -> PathBuf {
    let mut p = std::fs::canonicalize(&h.path).unwrap().into_os_string();
    p.push(".lock");
    PathBuf::from(p)
}

/// Refused with `message`, exit 1, nothing changed, the host file byte for
/// byte as it was (the refusal's syslog record cannot be kept without the
/// lock: doc/netsim.md).
fn refused(via: &str, h: &HostFile, message: &str) {
    let before = h.bytes();
    for args in [
        &["addm", "jamulus", "vtnet0"][..],
        &["destroy", "jamulus"],
        &["prune"],
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(1), "{via} {args:?}");
        assert_eq!(stdout(&o), "", "{via} {args:?}");
        assert_eq!(
            stderr(&o),
            format!("rjib: lock: {message}\n"),
            "{via} {args:?}"
        );
        assert_eq!(h.bytes(), before, "{via} {args:?}");
    }
    // Reading takes no lock.
    assert!(h.run(via, &["show"]).status.success());
}

fn not_a_lock_file(via: &str) {
    let h = HostFile::new(&seed());
    let lock = lock_path(&h);
    let p = lock.display();
    let victim = h.dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    refused(
        via,
        &h,
        &format!(
            "{p}: is a symbolic link, not rjib's lock file; remove it (rm {p}) and rjib creates the file"
        ),
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "precious\n",
        "{via}: the link's target neither truncated nor written"
    );
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    refused(
        via,
        &h,
        &format!(
            "{p}: is a directory, not rjib's lock file; remove it (rmdir {p}) and rjib creates the file"
        ),
    );
    std::fs::remove_dir(&lock).unwrap();
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert!(std::fs::symlink_metadata(&lock).unwrap().is_file());
}

#[test]
fn not_a_lock_file_direct() {
    not_a_lock_file("direct");
}

#[test]
fn not_a_lock_file_ioctl() {
    not_a_lock_file("ioctl");
}

/// An `addm` that holds the lock until the test lets it go: its standard
/// output is a pipe kept full, so it blocks writing the names it prints
/// before its work is final.
struct Holder {
    child: Child,
    reader: std::io::PipeReader,
    filler: std::thread::JoinHandle<()>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Holder {
    fn start(h: &HostFile, via: &str, nobody: bool, jail: &str) -> Holder {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (reader, writer) = std::io::pipe().unwrap();
        let mut fill = writer.try_clone().unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let (done, filled) = std::sync::mpsc::channel();
        // 64 KiB fills a Linux pipe; writing on until told to stop keeps
        // a larger one full too (and a smaller one is full anyway).
        let filler = std::thread::spawn(move || {
            let _ = fill.write_all(&[b'.'; 1 << 16]);
            let _ = done.send(());
            while !stopped.load(Ordering::SeqCst) {
                if fill.write(&[b'.'; 4096]).is_err() {
                    break;
                }
            }
        });
        let _ = filled.recv_timeout(Duration::from_secs(2));
        let mut c = command(&h.path, via);
        if nobody {
            c.uid(65534).gid(65534);
        }
        let child = c
            .args(["addm", jail, "vtnet0"])
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The temporary file is created under the lock: from then on the
        // holder keeps the lock until it has written its names.
        let tmp = h.dir.path().join("host.json.tmp");
        let t = Instant::now();
        while !tmp.exists() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "{via}: no lock taken"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        Holder {
            child,
            reader,
            filler,
            stop,
        }
    }

    /// Let it write, and return its exit status, its names and stderr.
    fn finish(mut self) -> (Option<i32>, String, String) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut out = Vec::new();
        let reading = std::thread::spawn(move || {
            let _ = self.reader.read_to_end(&mut out);
            out
        });
        let status = self.child.wait().unwrap();
        self.filler.join().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let out = reading.join().unwrap();
        let names: String = String::from_utf8(out).unwrap().replace('.', "");
        (status.code(), names, err)
    }
}

/// Two runs, one locking through the file (root, who can open it) and
/// one through the directory alone (nobody, who cannot open the root-owned
/// lock file for writing): while either holds the lock, the other cannot
/// take it, in both orders.
fn file_and_directory_ways(via: &str) {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skip: needs root, to run one rjib as another user");
        return;
    }
    let h = HostFile::new(&seed());
    let chmod =
        |p: &std::path::Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    // nobody may write the host (the directory and the file) but not the
    // lock file, which root created.
    chmod(h.dir.path(), 0o777).unwrap();
    chmod(&h.path, 0o666).unwrap();
    let lock = lock_path(&h);
    std::fs::write(&lock, "").unwrap();
    chmod(&lock, 0o644).unwrap();
    let mut probe = command(&h.path, via);
    if !probe
        .uid(65534)
        .gid(65534)
        .arg("show")
        .status()
        .unwrap()
        .success()
    {
        eprintln!("skip: the unprivileged user cannot run {BIN}");
        return;
    }
    for (k, holder_is_nobody) in [(0, false), (1, true)] {
        let jail = format!("j{k}");
        let held = Holder::start(&h, via, holder_is_nobody, &jail);
        let mut other = command(&h.path, via);
        if !holder_is_nobody {
            other.uid(65534).gid(65534);
        }
        let o = other
            .args(["-w", "1", "addm", "other", "vtnet0"])
            .output()
            .unwrap();
        let what = format!(
            "{via}: holder {}, other {}",
            if holder_is_nobody {
                "by the directory"
            } else {
                "by the file"
            },
            if holder_is_nobody {
                "by the file"
            } else {
                "by the directory"
            },
        );
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("still held by another process after 1 s; giving up"),
            "{what}: {}",
            stderr(&o)
        );
        let (status, names, err) = held.finish();
        assert_eq!(status, Some(0), "{what}: {err}");
        assert_eq!(names, format!("e0a_{jail}\ne0b_{jail}\n"), "{what}");
        assert!(iface(&h.read(), "e0a_other").is_none(), "{what}");
    }
    // Free again: both ways go through.
    let mut as_nobody = command(&h.path, via);
    let o = as_nobody
        .uid(65534)
        .gid(65534)
        .args(["-w", "0", "addm", "x", "vtnet0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    let o = h.run(via, &["-w", "0", "destroy", "x"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
}

#[test]
fn file_and_directory_ways_direct() {
    file_and_directory_ways("direct");
}

#[test]
fn file_and_directory_ways_ioctl() {
    file_and_directory_ways("ioctl");
}
