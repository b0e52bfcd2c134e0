//! rjib's host lock: an exclusive flock(2) that serialises every change on
//! a host (parallel jail starts share one new bridge), on a directory only
//! its owner can open.
//!
//! flock(2) needs no more than a descriptor: FreeBSD's `sys_flock`
//! (sys/kern/kern_descrip.c) asks for a vnode and no write access, so
//! anyone who can open a file can hold a lock on it, and a shared lock is
//! enough to keep rjib's exclusive one out. The lock is therefore a
//! directory (`/var/run/rjib`) created mode 0700, and refused unless it is
//! one, owned by the user rjib runs as (root), with no access for group or
//! others: nobody else can open it, so nobody else can lock it. rjib locks
//! the directory itself (opened read-only, never through a symbolic link)
//! and writes its pid and command into a file in it, mode 0600, so that a
//! waiting rjib can say whom it waits for; it waits a bounded time.
//!
//! Where the directory does not exist and cannot be created (a read-only
//! `/var/run` in a jail), rjib refuses: no change runs without the lock.
//! Creating it once where it can be written, or giving the jail a
//! writable `/var/run`, is the fix the message names.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::host::{HostError, LockWait};
use crate::util::sh_quote;

/// How long a change waits for the lock unless `-w` says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
/// After this long, a waiting rjib says whom it waits for.
pub const NOTICE_AFTER: Duration = Duration::from_secs(2);
/// How often a waiting rjib tries again.
const POLL: Duration = Duration::from_millis(20);
/// The file in the lock directory that names the holder.
pub const HOLDER: &str = "holder";

/// Where the lock is.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The lock directory (created mode 0700 if need be).
    pub dir: PathBuf,
}

impl Spec {
    /// The file the holder writes itself into.
    pub fn holder(&self) -> PathBuf {
        self.dir.join(HOLDER)
    }
}

/// Why the lock was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockError {
    /// The directory is not one rjib can trust, or could not be opened,
    /// created or locked.
    Io(String),
    /// Still held after the timeout.
    Timeout(String),
    /// A signal came while waiting (nothing was changed).
    Interrupted(i32),
}

impl LockError {
    /// As a host error: the operation is `lock`.
    pub fn into_host_error(self) -> HostError {
        match self {
            LockError::Io(m) | LockError::Timeout(m) => HostError::other(None, "lock", m),
            LockError::Interrupted(sig) => HostError::interrupted("lock", sig),
        }
    }
}

/// The lock, held until dropped: the directory, and the holder file in it.
#[derive(Debug)]
pub struct Held {
    dir: File,
    holder: File,
}

impl Drop for Held {
    fn drop(&mut self) {
        // The next waiter must not read a holder that is gone.
        let _ = self.holder.set_len(0);
        let _ = self.dir.unlock();
    }
}

/// This process, as a holder: `PID COMMAND`.
pub fn this_holder(argv: &[std::ffi::OsString]) -> String {
    let cmd: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    crate::util::escape_controls(&format!("{} {}", std::process::id(), cmd.join(" "))).into_owned()
}

/// `path` as messages show it: quoted for sh(1), so that the fix they name
/// can be pasted as it is.
fn shown(path: &Path) -> String {
    sh_quote(&path.to_string_lossy()).into_owned()
}

fn io_error(path: &Path, e: &std::io::Error) -> String {
    format!("{}: {}", shown(path), crate::util::io_reason(e))
}

/// What is at `path`, when it is not a directory: never followed, never
/// used; the message names it and what to do.
fn not_a_directory(path: &Path) -> Option<LockError> {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(path).ok()?;
    let t = meta.file_type();
    let what = if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        return None;
    } else if t.is_file() {
        "a file"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a device"
    };
    let p = shown(path);
    Some(LockError::Io(format!(
        "{p}: is {what}, not rjib's lock directory; remove it (rm {p}) and rjib creates the directory"
    )))
}

/// Refuse a directory others could open (and so lock): one not owned by
/// `euid`, or with any access for group or others.
fn trusted(path: &Path, meta: &std::fs::Metadata, euid: u32) -> Result<(), LockError> {
    let p = shown(path);
    if meta.uid() != euid {
        return Err(LockError::Io(format!(
            "{p}: is owned by uid {}, not by uid {euid}, who runs rjib: its owner could open it and \
             hold rjib's lock; give it to uid {euid} (chown {euid} {p})",
            meta.uid()
        )));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(LockError::Io(format!(
            "{p}: has mode {mode:04o}, which lets other users open it and hold rjib's lock; \
             chmod 700 {p}"
        )));
    }
    Ok(())
}

/// Open the lock directory, creating it (mode 0700) if need be, and check
/// that it is one only `euid` can open.
fn open_dir(spec: &Spec, euid: u32) -> Result<File, LockError> {
    let open = || {
        OpenOptions::new()
            .read(true)
            // O_NOFOLLOW: a symbolic link there is refused, not followed
            // (ELOOP on Linux, EMLINK on FreeBSD: told apart by lstat).
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&spec.dir)
    };
    let dir = match open() {
        Ok(d) => d,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            match std::fs::DirBuilder::new().mode(0o700).create(&spec.dir) {
                Ok(()) => {}
                Err(c) if c.kind() == ErrorKind::AlreadyExists => {}
                Err(c) => {
                    let p = shown(&spec.dir);
                    return Err(LockError::Io(format!(
                        "{p}: cannot be created ({}), and rjib changes nothing without its lock \
                         there: create it where it can be written (mkdir -m 700 {p}), or give \
                         rjib a writable {}",
                        crate::util::io_reason(&c),
                        spec.dir
                            .parent()
                            .map_or_else(|| ".".to_string(), |d| d.display().to_string())
                    )));
                }
            }
            open().map_err(|e| {
                not_a_directory(&spec.dir).unwrap_or_else(|| LockError::Io(io_error(&spec.dir, &e)))
            })?
        }
        Err(e) => {
            return Err(not_a_directory(&spec.dir)
                .unwrap_or_else(|| LockError::Io(io_error(&spec.dir, &e))));
        }
    };
    let meta = dir
        .metadata()
        .map_err(|e| LockError::Io(io_error(&spec.dir, &e)))?;
    trusted(&spec.dir, &meta, euid)?;
    Ok(dir)
}

/// Who holds the lock, as its holder file says.
fn holder(spec: &Spec) -> String {
    let mut text = String::new();
    if let Ok(mut f) = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(spec.holder())
    {
        let _ = f.read_to_string(&mut text);
    }
    match text.trim().split_once(' ') {
        Some((pid, cmd)) if pid.bytes().all(|b| b.is_ascii_digit()) => format!("pid {pid} ({cmd})"),
        _ => "another process".to_string(),
    }
}

/// Take the lock, waiting as `wait` says, as the user `euid` (root, on a
/// real host).
pub fn acquire(spec: &Spec, euid: u32, wait: &mut LockWait<'_>) -> Result<Held, LockError> {
    let dir = open_dir(spec, euid)?;
    let start = Instant::now();
    let mut told = false;
    loop {
        match dir.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(LockError::Io(io_error(&spec.dir, &e)));
            }
        }
        // Returning closes the directory; it was never locked by this run.
        if let Some(sig) = wait.stop.pending() {
            return Err(LockError::Interrupted(sig));
        }
        let waited = start.elapsed();
        if waited >= wait.timeout {
            return Err(LockError::Timeout(format!(
                "{}: still held by {} after {} s; giving up (-w SECONDS waits longer)",
                shown(&spec.dir),
                holder(spec),
                wait.timeout.as_secs()
            )));
        }
        if !told && waited >= NOTICE_AFTER {
            told = true;
            (wait.notice)(&format!(
                "waiting for the lock {}, held by {}",
                shown(&spec.dir),
                holder(spec)
            ));
        }
        std::thread::sleep(POLL.min(wait.timeout.saturating_sub(waited)));
    }
    let path = spec.holder();
    let written = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)
        .and_then(|mut f| {
            f.set_len(0)?;
            f.rewind()?;
            writeln!(f, "{}", wait.holder)?;
            f.flush()?;
            Ok(f)
        });
    match written {
        Ok(holder) => Ok(Held { dir, holder }),
        Err(e) => Err(LockError::Io(io_error(&path, &e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::{Never, Stop};
    use std::os::unix::fs::PermissionsExt;

    fn spec(dir: &Path) -> Spec {
        Spec {
            dir: dir.join("rjib"),
        }
    }

    fn me() -> u32 {
        nix::unistd::geteuid().as_raw()
    }

    fn wait<'a>(
        holder: &'a str,
        timeout: Duration,
        stop: &'a dyn Stop,
        notice: &'a mut dyn FnMut(&str),
    ) -> LockWait<'a> {
        LockWait {
            holder,
            timeout,
            stop,
            notice,
        }
    }

    fn take(s: &Spec, who: &str, timeout: Duration) -> Result<Held, LockError> {
        acquire(s, me(), &mut wait(who, timeout, &Never, &mut |_| {}))
    }

    #[test]
    fn holder_written_waiters_told_and_timed_out() {
        let dir = tempfile::tempdir().unwrap();
        let s = spec(dir.path());
        let held = take(&s, "4242 rjib addm www em0", Duration::from_secs(1)).unwrap();
        let meta = std::fs::symlink_metadata(&s.dir).unwrap();
        assert!(meta.is_dir());
        assert_eq!(meta.permissions().mode() & 0o777, 0o700, "created 0700");
        let holder = std::fs::metadata(s.holder()).unwrap();
        assert_eq!(holder.permissions().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::read_to_string(s.holder()).unwrap(),
            "4242 rjib addm www em0\n"
        );
        // A second taker (another open file description) waits, then gives up.
        let t = Instant::now();
        let e = take(&s, "7 rjib destroy x", Duration::from_millis(300)).unwrap_err();
        assert!(t.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            e,
            LockError::Timeout(format!(
                "{}: still held by pid 4242 (rjib addm www em0) after 0 s; giving up (-w SECONDS waits longer)",
                s.dir.display()
            ))
        );
        drop(held);
        assert_eq!(
            std::fs::read_to_string(s.holder()).unwrap(),
            "",
            "released: no holder"
        );
        let again = take(&s, "7 rjib destroy x", Duration::ZERO).unwrap();
        assert_eq!(
            std::fs::read_to_string(s.holder()).unwrap(),
            "7 rjib destroy x\n"
        );
        drop(again);
    }

    #[test]
    fn a_signal_ends_the_wait() {
        struct Term;
        impl Stop for Term {
            fn pending(&self) -> Option<i32> {
                Some(15)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let s = spec(dir.path());
        let _held = take(&s, "1 a", DEFAULT_WAIT).unwrap();
        let e = acquire(&s, me(), &mut wait("2 b", DEFAULT_WAIT, &Term, &mut |_| {})).unwrap_err();
        assert_eq!(e, LockError::Interrupted(15));
    }

    /// Review of issue 14, 3: the lock is a directory only its owner can
    /// open. One that is not owned by the user rjib runs as, or that group
    /// or others may open, is refused with the fix; so is anything but a
    /// directory, a symbolic link included (its target untouched).
    #[test]
    fn only_a_directory_only_its_owner_opens() {
        let dir = tempfile::tempdir().unwrap();
        let s = spec(dir.path());
        let p = s.dir.display().to_string();
        std::fs::create_dir(&s.dir).unwrap();
        std::fs::set_permissions(&s.dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            take(&s, "1 a", Duration::ZERO).unwrap_err(),
            LockError::Io(format!(
                "{p}: has mode 0755, which lets other users open it and hold rjib's lock; chmod 700 {p}"
            ))
        );
        std::fs::set_permissions(&s.dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let other = me() + 1;
        assert_eq!(
            acquire(
                &s,
                other,
                &mut wait("1 a", Duration::ZERO, &Never, &mut |_| {})
            )
            .unwrap_err(),
            LockError::Io(format!(
                "{p}: is owned by uid {}, not by uid {other}, who runs rjib: its owner could open \
                 it and hold rjib's lock; give it to uid {other} (chown {other} {p})",
                me()
            ))
        );
        drop(take(&s, "1 a", Duration::ZERO).unwrap());
        std::fs::remove_dir_all(&s.dir).unwrap();
        // a symbolic link, to a directory or a file: neither followed
        let target = dir.path().join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&target, &s.dir).unwrap();
        assert_eq!(
            take(&s, "1 a", Duration::ZERO).unwrap_err(),
            LockError::Io(format!(
                "{p}: is a symbolic link, not rjib's lock directory; remove it (rm {p}) and rjib \
                 creates the directory"
            ))
        );
        assert!(!target.join(HOLDER).exists(), "nothing written through it");
        std::fs::remove_file(&s.dir).unwrap();
        std::fs::write(&s.dir, "keep me\n").unwrap();
        assert!(matches!(take(&s, "1 a", Duration::ZERO),
            Err(LockError::Io(m)) if m.contains("is a file, not rjib's lock directory")));
        assert_eq!(std::fs::read_to_string(&s.dir).unwrap(), "keep me\n");
        std::fs::remove_file(&s.dir).unwrap();
        let socket = std::os::unix::net::UnixListener::bind(&s.dir).unwrap();
        assert!(matches!(take(&s, "1 a", Duration::ZERO),
            Err(LockError::Io(m)) if m.contains("is a socket")));
        drop(socket);
        std::fs::remove_file(&s.dir).unwrap();
        drop(take(&s, "1 a", Duration::ZERO).unwrap());
        // a path with a blank is quoted, so the fix can be pasted
        let blank = Spec {
            dir: dir.path().join("a b"),
        };
        std::fs::create_dir(&blank.dir).unwrap();
        std::fs::set_permissions(&blank.dir, std::fs::Permissions::from_mode(0o750)).unwrap();
        assert!(matches!(take(&blank, "1 a", Duration::ZERO),
            Err(LockError::Io(m)) if m.ends_with(&format!("chmod 700 '{}'", blank.dir.display()))));
    }

    /// A lock directory that cannot be created (its parent is missing, as
    /// a read-only /var/run would refuse it): refused, never skipped.
    #[test]
    fn no_lock_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let s = Spec {
            dir: dir.path().join("gone").join("rjib"),
        };
        let p = s.dir.display().to_string();
        assert_eq!(
            take(&s, "1 a", Duration::ZERO).unwrap_err(),
            LockError::Io(format!(
                "{p}: cannot be created (No such file or directory), and rjib changes nothing \
                 without its lock there: create it where it can be written (mkdir -m 700 {p}), or \
                 give rjib a writable {}",
                dir.path().join("gone").display()
            ))
        );
    }
}
