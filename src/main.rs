//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::main_parsed;
use rjib::backend::{Selection, open};
use rjib::cli::{Parsed, parse};
use rjib::io::Io;
use rjib::signals::{Caught, Never, Stop, die};

/// A standard output that was closed when rjib started: every write fails
/// as write(2) on a closed descriptor does, so what rjib prints is never
/// silently lost (Rust's runtime has put /dev/null in its place).
struct Closed;

impl std::io::Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(libc::EBADF))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    // The bytes as given: an argument that is not UTF-8 is refused where it
    // would name an interface, never converted with a replacement character.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = parse(&argv);
    let sel = Selection::from_env();
    let mut open_host = || open(&sel).map_err(anyhow::Error::from);
    // A change notes SIGINT, SIGTERM and SIGHUP, so that it finishes or is
    // undone before rjib dies by them; a run that changes nothing keeps
    // their default action and dies at once. Should a handler fail to
    // install, its signal keeps its default action.
    let caught = match &parsed {
        Parsed::Run(inv) if inv.changes() => Some(Caught::install()),
        _ => None,
    };
    let stop: &dyn Stop = match &caught {
        Some(c) => c,
        None => &Never,
    };
    let exit = {
        let mut stdout = std::io::stdout().lock();
        let mut closed = Closed;
        let out: &mut dyn std::io::Write = match rjib::inherited::stdout_was_closed() {
            true => &mut closed,
            false => &mut stdout,
        };
        let mut err = std::io::stderr().lock();
        main_parsed(
            &argv,
            parsed,
            &mut open_host,
            &mut Io { out, err: &mut err },
            stop,
        )
    };
    match exit.signal.or_else(|| stop.pending()) {
        Some(sig) => die(sig),
        None => std::process::exit(exit.status),
    }
}
