//! rjib's lock on the simulated host (issue 14, D11; review of issue 14,
//! 3): a directory only its owner can open, never reached through a
//! symbolic link, refused with its fix when it is anything else; no other
//! user can take or block it.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The lock directory beside a host file, as rjib names it in messages.
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

fn not_a_lock_directory(via: &str) {
    let h = HostFile::new(&seed());
    let lock = lock_path(&h);
    let p = lock.display();
    let victim = h.dir.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    refused(
        via,
        &h,
        &format!(
            "{p}: is a symbolic link, not rjib's lock directory; remove it (rm {p}) and rjib creates the directory"
        ),
    );
    assert!(
        std::fs::read_dir(&victim).unwrap().next().is_none(),
        "{via}: nothing written through the link"
    );
    std::fs::remove_file(&lock).unwrap();
    std::fs::write(&lock, "").unwrap();
    refused(
        via,
        &h,
        &format!(
            "{p}: is a file, not rjib's lock directory; remove it (rm {p}) and rjib creates the directory"
        ),
    );
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o755)).unwrap();
    refused(
        via,
        &h,
        &format!(
            "{p}: has mode 0755, which lets other users open it and hold rjib's lock; chmod 700 {p}"
        ),
    );
    std::fs::remove_dir(&lock).unwrap();
    let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    let meta = std::fs::symlink_metadata(&lock).unwrap();
    assert!(meta.is_dir(), "{via}");
    assert_eq!(meta.permissions().mode() & 0o777, 0o700, "{via}");
}

#[test]
fn not_a_lock_directory_direct() {
    not_a_lock_directory("direct");
}

#[test]
fn not_a_lock_directory_ioctl() {
    not_a_lock_directory("ioctl");
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
    fn start(h: &HostFile, via: &str, jail: &str) -> Holder {
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
        let child = command(&h.path, via)
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

/// Review of issue 14, 3: another user can neither take nor block the
/// lock. As nobody, flock(1) cannot open the lock directory (mode 0700,
/// root's), and a shared lock on the host file's directory, which every
/// run locked before, no longer stops anything.
fn no_other_user_blocks_the_lock(via: &str) {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skip: needs root, to run flock(1) as another user");
        return;
    }
    if std::process::Command::new("flock")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skip: no flock(1)");
        return;
    }
    let h = HostFile::new(&seed());
    std::fs::set_permissions(h.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(h.run(via, &["addm", "a", "vtnet0"]).status.success());
    let lock = lock_path(&h);
    let as_nobody = |target: &std::path::Path| {
        std::process::Command::new("flock")
            .args(["-s", "-n"])
            .arg(target)
            .args(["sleep", "3"])
            .uid(65534)
            .gid(65534)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The lock directory: nobody cannot even open it.
    let o = as_nobody(&lock).wait_with_output().unwrap();
    assert!(
        !o.status.success(),
        "{via}: nobody opened {}",
        lock.display()
    );
    // The host file's directory, which nobody can open: locked shared for
    // three seconds, it keeps no rjib waiting.
    let mut holder = as_nobody(h.dir.path());
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let o = h.run(via, &["-w", "1", "addm", "b", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "{via}: {:?}",
        t.elapsed()
    );
    let _ = holder.kill();
    let _ = holder.wait();
}

#[test]
fn no_other_user_blocks_the_lock_direct() {
    no_other_user_blocks_the_lock("direct");
}

#[test]
fn no_other_user_blocks_the_lock_ioctl() {
    no_other_user_blocks_the_lock("ioctl");
}

/// Two rjib runs: while one holds the lock, the other waits, says whom it
/// waits for (naming the lock directory) and gives up after -w.
fn one_lock_every_run_takes(via: &str) {
    let h = HostFile::new(&seed());
    let held = Holder::start(&h, via, "j0");
    let o = h.run(via, &["-w", "3", "addm", "other", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1), "{via}: {}", stderr(&o));
    let lock = lock_path(&h);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{via}: {err}");
    assert!(
        lines[0].starts_with(&format!(
            "rjib: waiting for the lock {}, held by pid ",
            lock.display()
        )) && lines[0].ends_with(" addm j0 vtnet0)"),
        "{via}: {err}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "rjib: lock: {}: still held by pid ",
            lock.display()
        )) && lines[1].ends_with(" after 3 s; giving up (-w SECONDS waits longer)"),
        "{via}: {err}"
    );
    let (status, names, err) = held.finish();
    assert_eq!(status, Some(0), "{via}: {err}");
    assert_eq!(names, "e0a_j0\ne0b_j0\n", "{via}");
    assert!(iface(&h.read(), "e0a_other").is_none(), "{via}");
    let o = h.run(via, &["-w", "0", "addm", "other", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
}

#[test]
fn one_lock_every_run_takes_direct() {
    one_lock_every_run_takes("direct");
}

#[test]
fn one_lock_every_run_takes_ioctl() {
    one_lock_every_run_takes("ioctl");
}
