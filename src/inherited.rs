//! What rjib inherits from whoever started it, read before rjib changes
//! it: a signal disposition set to "ignore" (`nohup`, a shell's
//! background job), and a standard output that was closed (`>&-`).
//!
//! These are the only two `unsafe` calls outside `freebsd::sys`. They are
//! not FreeBSD's: they are POSIX calls on this process, made alike on
//! FreeBSD and on Linux, where the simulated host and the tests run rjib,
//! so they cannot live in `freebsd::sys`, whose real code is compiled for
//! FreeBSD alone. Neither has a safe wrapper: nix's `sigaction` installs
//! a disposition (and is `unsafe` even so) and cannot only read one, and
//! a closed standard output must be seen before Rust's runtime starts,
//! because the runtime then opens /dev/null in its place and every write
//! to it succeeds.

#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the caller left `sig` ignored (SIG_IGN), as `nohup` does for
/// SIGHUP and a non-interactive shell for a background job's SIGINT and
/// SIGQUIT. Such a signal must stay ignored: the caller asked that it
/// not stop rjib. `false` when the disposition cannot be read.
pub fn ignored(sig: i32) -> bool {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::uninit();
    // SAFETY: a null `act` makes sigaction(2) only read the disposition
    // of `sig` into `old`, which is valid for writes of one `sigaction`;
    // nothing is installed or changed.
    let r = unsafe { libc::sigaction(sig, std::ptr::null(), old.as_mut_ptr()) };
    if r != 0 {
        return false;
    }
    // SAFETY: sigaction(2) returned 0, so it filled `old` in.
    let old = unsafe { old.assume_init() };
    old.sa_sigaction == libc::SIG_IGN
}

/// Set before `main` when file descriptor 1 was not open.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether rjib was started with its standard output closed. What it
/// prints is then lost, which a change must treat as a failed write.
pub fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Runs from `.init_array`, before Rust's runtime replaces a closed
/// standard descriptor with /dev/null.
extern "C" fn note_closed_stdout() {
    // SAFETY: F_GETFD only reads the close-on-exec flag of descriptor 1;
    // it fails (EBADF, the one error it has) when 1 is not open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

#[cfg(any(target_os = "freebsd", target_os = "linux"))]
#[used]
// SAFETY: `.init_array` holds pointers to functions run with no
// arguments used before `main`, one per entry; this is one such pointer,
// to a function that touches only an atomic and calls fcntl(2).
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handled_signal_is_not_ignored() {
        // The test harness leaves SIGTERM at its default action.
        assert!(!ignored(libc::SIGTERM));
        assert!(!ignored(-1), "an invalid signal reads as not ignored");
        // The test binary runs with its standard output open.
        assert!(!stdout_was_closed());
    }
}
