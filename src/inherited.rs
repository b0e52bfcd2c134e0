//! What rjib inherits from whoever started it, read before rjib changes
//! it: a signal disposition set to "ignore" (`nohup`, a shell's
//! background job).
//!
//! This is the one `unsafe` call outside `freebsd::sys`. It is not
//! FreeBSD's: it is a POSIX call on this process, made alike on FreeBSD
//! and on Linux, where the simulated host and the tests run rjib, so it
//! cannot live in `freebsd::sys`, whose real code is compiled for FreeBSD
//! alone. It has no safe wrapper: nix's `sigaction` installs a
//! disposition (and is `unsafe` even so) and cannot only read one.

#![allow(unsafe_code)]

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handled_signal_is_not_ignored() {
        // The test harness leaves SIGTERM at its default action.
        assert!(!ignored(libc::SIGTERM));
        assert!(!ignored(-1), "an invalid signal reads as not ignored");
    }
}
