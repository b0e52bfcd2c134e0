//! SIGINT, SIGTERM and SIGHUP during a change: noted, not obeyed at once,
//! so that rjib can finish or undo what it started and then die by the
//! signal (its exit status says so to jail(8) and the shell).
//!
//! Only a run that changes the host notes them. `show`, `check` and `-n`
//! change nothing, so there is nothing to finish: the default action, to
//! die at once, is right for them. A signal the caller set to be ignored
//! (`nohup`, a background job's SIGINT) stays ignored.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The signals a change waits out.
pub const SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
];

/// Where a run learns that a signal arrived.
pub trait Stop {
    /// The signal that arrived, if any.
    fn pending(&self) -> Option<i32>;
}

/// No signal ever arrives (runs inside another program: tests, benches).
pub struct Never;

impl Stop for Never {
    fn pending(&self) -> Option<i32> {
        None
    }
}

/// The process's handlers: each of `SIGNALS` records its number.
pub struct Caught(Arc<AtomicUsize>);

impl Caught {
    /// Install the handlers, for each of `SIGNALS` the caller did not set
    /// to be ignored (those stay ignored). Until they are installed, a
    /// signal has its default effect (the process dies, having changed
    /// nothing yet). A handler that cannot be installed leaves its signal
    /// at its default action; the others still note theirs, so a run that
    /// uses the result never swallows a signal a handler noted.
    pub fn install() -> Caught {
        Caught::install_with(&mut |s, seen| {
            signal_hook::flag::register_usize(s, seen, s as usize).map(drop)
        })
    }

    /// `install` through `register`, which installs one signal's handler.
    fn install_with(
        register: &mut dyn FnMut(i32, Arc<AtomicUsize>) -> std::io::Result<()>,
    ) -> Caught {
        let seen = Arc::new(AtomicUsize::new(0));
        for s in SIGNALS {
            if crate::inherited::ignored(s) {
                continue;
            }
            // A signal whose handler is not installed keeps its default
            // action: it ends the run at once, as before any change.
            let _ = register(s, seen.clone());
        }
        Caught(seen)
    }
}

impl Stop for Caught {
    fn pending(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s as i32),
        }
    }
}

/// The signal's name, as kill(1) spells it.
pub fn name(sig: i32) -> String {
    match sig {
        signal_hook::consts::SIGHUP => "SIGHUP".into(),
        signal_hook::consts::SIGINT => "SIGINT".into(),
        signal_hook::consts::SIGTERM => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// End the process by `sig`, as its default action would have; if that
/// does not end it, exit with the shell's status for it (128 + sig).
pub fn die(sig: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(128 + sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review of issue 14, 18: one handler that cannot be installed does
    /// not throw away the others, which would then note their signal for a
    /// run that never looks (the signal swallowed).
    #[test]
    fn a_handler_that_fails_leaves_the_others_noting() {
        let mut installed = Vec::new();
        let caught = Caught::install_with(&mut |s, seen| {
            if s == signal_hook::consts::SIGTERM {
                return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
            }
            installed.push((s, seen));
            Ok(())
        });
        let want: Vec<i32> = SIGNALS
            .into_iter()
            .filter(|&s| s != signal_hook::consts::SIGTERM && !crate::inherited::ignored(s))
            .collect();
        assert_eq!(installed.iter().map(|i| i.0).collect::<Vec<_>>(), want);
        if let Some((s, seen)) = installed.last() {
            seen.store(*s as usize, Ordering::SeqCst);
            assert_eq!(caught.pending(), Some(*s), "noted for the run");
        }
    }

    #[test]
    fn names() {
        assert_eq!(name(signal_hook::consts::SIGTERM), "SIGTERM");
        assert_eq!(name(2), "SIGINT");
        assert_eq!(name(1), "SIGHUP");
        assert!(Never.pending().is_none());
    }
}
