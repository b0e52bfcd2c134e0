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

/// The lock, held until dropped.
#[derive(Debug)]
pub struct Held {
    file: File,
    /// Locking the directory: there is no file to write the holder into.
    pub on_dir: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.on_dir {
            // The next waiter must not read a holder that is gone.
            let _ = self.file.set_len(0);
        }
        let _ = self.file.unlock();
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

/// Open the lock file, or the directory where the file cannot be created.
fn open(spec: &Spec) -> Result<(File, bool), LockError> {
    let opened = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&spec.path);
    match opened {
        Ok(f) => Ok((f, false)),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied | ErrorKind::NotFound
            ) =>
        {
            File::open(&spec.fallback_dir)
                .map(|d| (d, true))
                .map_err(|d| {
                    LockError::Io(format!(
                        "{}; and {}",
                        io_error(&spec.path, &e),
                        io_error(&spec.fallback_dir, &d)
                    ))
                })
        }
        Err(e) => Err(LockError::Io(io_error(&spec.path, &e))),
    }
}

/// Who holds the lock, as its file says.
fn holder(file: &mut File, on_dir: bool) -> String {
    let mut text = String::new();
    if !on_dir {
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

/// Take the lock, waiting as `wait` says.
pub fn acquire(spec: &Spec, wait: &mut LockWait<'_>) -> Result<Held, LockError> {
    let (mut file, on_dir) = open(spec)?;
    let start = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(LockError::Io(io_error(&spec.path, &e)));
            }
        }
        if let Some(sig) = wait.stop.pending() {
            return Err(LockError::Interrupted(sig));
        }
        let waited = start.elapsed();
        if waited >= wait.timeout {
            return Err(LockError::Timeout(format!(
                "{}: still held by {} after {} s; giving up (-w SECONDS waits longer)",
                what(spec, on_dir),
                holder(&mut file, on_dir),
                wait.timeout.as_secs()
            )));
        }
        if !told && waited >= NOTICE_AFTER {
            told = true;
            (wait.notice)(&format!(
                "waiting for the lock {}, held by {}",
                what(spec, on_dir),
                holder(&mut file, on_dir)
            ));
        }
        std::thread::sleep(POLL.min(wait.timeout.saturating_sub(waited)));
    }
    if !on_dir {
        let written = file
            .set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| writeln!(file, "{}", wait.holder))
            .and_then(|_| file.flush());
        if let Err(e) = written {
            return Err(LockError::Io(io_error(&spec.path, &e)));
        }
    }
    Ok(Held { file, on_dir })
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
}
