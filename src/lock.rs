//! rjib's host lock: an exclusive flock(2) that serialises every change on
//! a host (parallel jail starts share one new bridge). The holder writes
//! its pid and command into the lock file, so a waiting rjib can say who
//! it waits for; it waits a bounded time. Where the lock file cannot be
//! created (a read-only `/var/run` in a jail), the directory itself is
//! locked instead: flock(2) needs no write access to it.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::host::{HostError, LockWait, Reason};

/// How long a change waits for the lock unless `-w` says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
/// After this long, a waiting rjib says whom it waits for.
pub const NOTICE_AFTER: Duration = Duration::from_secs(2);
/// How often a waiting rjib tries again.
const POLL: Duration = Duration::from_millis(20);

/// Where the lock is.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The lock file (created if need be).
    pub path: PathBuf,
    /// The directory to lock when the file cannot be created.
    pub fallback_dir: PathBuf,
}

/// Why the lock was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockError {
    /// Neither the file nor the directory could be opened or locked.
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
            LockError::Interrupted(sig) => HostError {
                iface: None,
                what: "lock".to_string(),
                reason: Reason::Interrupted(sig),
                detail: None,
            },
        }
    }
}

/// The lock, held until dropped: the directory, and the file in it where
/// the file could be opened.
#[derive(Debug)]
pub struct Held {
    dir: File,
    file: Option<File>,
    /// Locking the directory alone: there is no file to write the holder
    /// into.
    pub on_dir: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            // The next waiter must not read a holder that is gone.
            let _ = file.set_len(0);
            let _ = file.unlock();
        }
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

fn io_error(path: &Path, e: &std::io::Error) -> String {
    format!("{}: {}", path.display(), crate::util::io_reason(e))
}

/// Why the lock file cannot be what is at `path`, and what to do: rjib
/// neither follows a symbolic link there (it would truncate the target)
/// nor writes into anything but a regular file.
fn not_a_lock_file(path: &Path, what: &str, remove: &str) -> LockError {
    LockError::Io(format!(
        "{0}: is {what}, not rjib's lock file; remove it ({remove} {0}) and rjib creates the file",
        path.display()
    ))
}

/// What is at `path`, when it is something the lock file cannot be.
fn refuse_kind(path: &Path, meta: &std::fs::Metadata) -> Option<LockError> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let (what, remove) = if t.is_symlink() {
        ("a symbolic link", "rm")
    } else if t.is_dir() {
        ("a directory", "rmdir")
    } else if t.is_fifo() {
        ("a FIFO", "rm")
    } else if t.is_socket() {
        ("a socket", "rm")
    } else if t.is_char_device() || t.is_block_device() {
        ("a device", "rm")
    } else {
        return None;
    };
    Some(not_a_lock_file(path, what, remove))
}

/// Open the lock file: created if need be, never through a symbolic link
/// (`O_NOFOLLOW`), and only a regular file. `Ok(Err(why))`: it cannot be
/// created (a read-only `/var/run` in a jail), and the directory alone
/// is the lock.
fn open_file(spec: &Spec) -> Result<Result<File, std::io::Error>, LockError> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        // A FIFO there must not block the open; a regular file ignores it.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&spec.path);
    match opened {
        Ok(f) => match f.metadata() {
            Ok(m) if m.is_file() => Ok(Ok(f)),
            Ok(m) => Err(refuse_kind(&spec.path, &m)
                .unwrap_or_else(|| not_a_lock_file(&spec.path, "not a regular file", "rm"))),
            Err(e) => Err(LockError::Io(io_error(&spec.path, &e))),
        },
        // What is there, rather than the errno: O_NOFOLLOW refuses a link
        // with ELOOP on Linux and EMLINK on FreeBSD (open(2)).
        Err(e) => match std::fs::symlink_metadata(&spec.path) {
            Ok(m) if refuse_kind(&spec.path, &m).is_some() => {
                Err(refuse_kind(&spec.path, &m).unwrap())
            }
            _ if matches!(
                e.kind(),
                ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied | ErrorKind::NotFound
            ) =>
            {
                Ok(Err(e))
            }
            _ => Err(LockError::Io(io_error(&spec.path, &e))),
        },
    }
}

/// Open the directory, which every run locks.
fn open_dir(spec: &Spec, file_error: Option<&str>) -> Result<File, LockError> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY)
        .open(&spec.fallback_dir)
        .map_err(|d| {
            let d = io_error(&spec.fallback_dir, &d);
            LockError::Io(match file_error {
                Some(f) => format!("{f}; and {d}"),
                None => d,
            })
        })
}

/// Who holds the lock, as its file says.
fn holder(file: Option<&mut File>) -> String {
    let mut text = String::new();
    if let Some(file) = file {
        let _ = file.rewind().and_then(|_| file.read_to_string(&mut text));
    }
    match text.trim().split_once(' ') {
        Some((pid, cmd)) if pid.bytes().all(|b| b.is_ascii_digit()) => format!("pid {pid} ({cmd})"),
        _ => "another process".to_string(),
    }
}

/// What is locked, for messages.
fn what(spec: &Spec, on_dir: bool) -> String {
    match on_dir {
        false => spec.path.display().to_string(),
        true => format!(
            "{} (the directory: {} cannot be created)",
            spec.fallback_dir.display(),
            spec.path.display()
        ),
    }
}

/// Try to take one flock(2) without waiting: `Ok(false)` when another
/// holds it.
fn try_lock(f: &File, path: &Path) -> Result<bool, LockError> {
    match f.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(io_error(path, &e))),
    }
}

/// Take the lock, waiting as `wait` says.
///
/// The lock is the directory's flock(2), which every run takes, whether
/// or not it can open the file; a run that can also locks the file, after
/// the directory (one order, so two runs never wait for each other), and
/// writes itself into it for those who wait. So a run that found
/// `/var/run` read-only and one that did not still exclude each other.
/// A directory opened read-only can be locked: FreeBSD's `sys_flock`
/// (sys/kern/kern_descrip.c) asks only for a vnode (not an `O_PATH`
/// descriptor), and no write access.
pub fn acquire(spec: &Spec, wait: &mut LockWait<'_>) -> Result<Held, LockError> {
    let (mut file, cannot_create) = match open_file(spec)? {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(io_error(&spec.path, &e))),
    };
    let on_dir = file.is_none();
    let dir = open_dir(spec, cannot_create.as_deref())?;
    let start = Instant::now();
    let mut told = false;
    let (mut dir_held, mut file_held) = (false, false);
    loop {
        if !dir_held {
            dir_held = try_lock(&dir, &spec.fallback_dir)?;
        }
        if dir_held && !file_held {
            file_held = match &file {
                Some(f) => try_lock(f, &spec.path)?,
                None => true,
            };
        }
        if dir_held && file_held {
            break;
        }
        // Returning closes the directory, which releases its lock.
        if let Some(sig) = wait.stop.pending() {
            return Err(LockError::Interrupted(sig));
        }
        let waited = start.elapsed();
        if waited >= wait.timeout {
            return Err(LockError::Timeout(format!(
                "{}: still held by {} after {} s; giving up (-w SECONDS waits longer)",
                what(spec, on_dir),
                holder(file.as_mut()),
                wait.timeout.as_secs()
            )));
        }
        if !told && waited >= NOTICE_AFTER {
            told = true;
            (wait.notice)(&format!(
                "waiting for the lock {}, held by {}",
                what(spec, on_dir),
                holder(file.as_mut())
            ));
        }
        std::thread::sleep(POLL.min(wait.timeout.saturating_sub(waited)));
    }
    let held = Held { dir, file, on_dir };
    if let Some(mut f) = held.file.as_ref() {
        let written = f
            .set_len(0)
            .and_then(|_| f.rewind())
            .and_then(|_| writeln!(f, "{}", wait.holder))
            .and_then(|_| f.flush());
        if let Err(e) = written {
            return Err(LockError::Io(io_error(&spec.path, &e)));
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::{Never, Stop};

    fn spec(dir: &Path) -> Spec {
        Spec {
            path: dir.join("rjib.lock"),
            fallback_dir: dir.to_path_buf(),
        }
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

    #[test]
    fn holder_written_waiters_told_and_timed_out() {
        let dir = tempfile::tempdir().unwrap();
        let s = spec(dir.path());
        let mut told = Vec::new();
        let mut note = |m: &str| told.push(m.to_string());
        let held = acquire(
            &s,
            &mut wait(
                "4242 rjib addm www em0",
                Duration::from_secs(1),
                &Never,
                &mut note,
            ),
        )
        .unwrap();
        assert!(!held.on_dir);
        assert_eq!(
            std::fs::read_to_string(&s.path).unwrap(),
            "4242 rjib addm www em0\n"
        );
        // A second taker (another open file description) waits, then gives up.
        let t = Instant::now();
        let e = acquire(
            &s,
            &mut wait(
                "7 rjib destroy x",
                Duration::from_millis(300),
                &Never,
                &mut note,
            ),
        )
        .unwrap_err();
        assert!(t.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            e,
            LockError::Timeout(format!(
                "{}: still held by pid 4242 (rjib addm www em0) after 0 s; giving up (-w SECONDS waits longer)",
                s.path.display()
            ))
        );
        drop(held);
        assert!(told.is_empty(), "no notice before 2 s");
        assert_eq!(
            std::fs::read_to_string(&s.path).unwrap(),
            "",
            "released: no holder"
        );
        let again = acquire(
            &s,
            &mut wait("7 rjib destroy x", Duration::ZERO, &Never, &mut |_| {}),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&s.path).unwrap(),
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
        let _held = acquire(&s, &mut wait("1 a", DEFAULT_WAIT, &Never, &mut |_| {})).unwrap();
        let e = acquire(&s, &mut wait("2 b", DEFAULT_WAIT, &Term, &mut |_| {})).unwrap_err();
        assert_eq!(e, LockError::Interrupted(15));
    }

    #[test]
    fn the_directory_when_the_file_cannot_be_created() {
        let dir = tempfile::tempdir().unwrap();
        // A lock path whose directory does not exist stands in for a
        // read-only /var/run (root may write where a mode says no).
        let s = Spec {
            path: dir.path().join("gone").join("rjib.lock"),
            ..spec(dir.path())
        };
        let held = acquire(&s, &mut wait("1 a", DEFAULT_WAIT, &Never, &mut |_| {})).unwrap();
        assert!(held.on_dir);
        match acquire(&s, &mut wait("2 b", Duration::ZERO, &Never, &mut |_| {})).unwrap_err() {
            LockError::Timeout(m) => {
                assert!(
                    m.contains("held by another process") && m.contains("(the directory:"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        let bad = Spec {
            fallback_dir: dir.path().join("nope"),
            ..s
        };
        assert!(matches!(
            acquire(&bad, &mut wait("3 c", Duration::ZERO, &Never, &mut |_| {})),
            Err(LockError::Io(_))
        ));
    }
    /// Issue 14, D11: a run that can open the file and one that cannot
    /// take one lock, the directory's: neither proceeds while the other
    /// holds it, whichever came first.
    #[test]
    fn file_and_directory_ways_exclude_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let by_file = spec(dir.path());
        // The same directory, with a file that cannot be created there.
        let by_dir = Spec {
            path: dir.path().join("gone").join("rjib.lock"),
            ..spec(dir.path())
        };
        let take =
            |s: &Spec, who: &str| acquire(s, &mut wait(who, Duration::ZERO, &Never, &mut |_| {}));
        let held = take(&by_file, "1 file").unwrap();
        assert!(!held.on_dir);
        match take(&by_dir, "2 dir").unwrap_err() {
            LockError::Timeout(m) => assert!(m.contains("held by another process"), "{m}"),
            other => panic!("{other:?}"),
        }
        drop(held);
        let held = take(&by_dir, "2 dir").unwrap();
        assert!(held.on_dir);
        match take(&by_file, "3 file").unwrap_err() {
            LockError::Timeout(m) => assert!(
                m.starts_with(&format!(
                    "{}: still held by another process",
                    by_file.path.display()
                )),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        drop(held);
        drop(take(&by_file, "3 file").unwrap());
    }

    /// Issue 14, D11: a symbolic link at the lock path is refused, its
    /// target neither followed nor truncated; a directory or a socket there
    /// gets a message naming the path and the fix (a socket
    /// stands for the other kinds).
    #[test]
    fn only_a_regular_file_is_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = spec(dir.path());
        let take = |s: &Spec| acquire(s, &mut wait("1 a", Duration::ZERO, &Never, &mut |_| {}));
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me\n").unwrap();
        std::os::unix::fs::symlink(&victim, &s.path).unwrap();
        let p = s.path.display();
        assert_eq!(
            take(&s).unwrap_err(),
            LockError::Io(format!(
                "{p}: is a symbolic link, not rjib's lock file; remove it (rm {p}) and rjib creates the file"
            ))
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
        // A dangling one is not created through either.
        std::fs::remove_file(&victim).unwrap();
        assert!(matches!(take(&s), Err(LockError::Io(m)) if m.contains("symbolic link")));
        assert!(!victim.exists(), "nothing created through the link");
        std::fs::remove_file(&s.path).unwrap();
        std::fs::create_dir(&s.path).unwrap();
        assert_eq!(
            take(&s).unwrap_err(),
            LockError::Io(format!(
                "{p}: is a directory, not rjib's lock file; remove it (rmdir {p}) and rjib creates the file"
            ))
        );
        std::fs::remove_dir(&s.path).unwrap();
        let socket = std::os::unix::net::UnixListener::bind(&s.path).unwrap();
        assert!(matches!(take(&s), Err(LockError::Io(m)) if m.contains("is a socket")));
        drop(socket);
        std::fs::remove_file(&s.path).unwrap();
        drop(take(&s).unwrap());
    }
}
