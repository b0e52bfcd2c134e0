//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::{Io, main_parsed};
use rjib::backend::{Selection, open};
use rjib::cli::{Parsed, parse};
use rjib::signals::{Caught, Never, Stop, die};

fn main() {
    // The bytes as given: an argument that is not UTF-8 is refused where it
    // would name an interface, never converted with a replacement character.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = parse(&argv);
    let sel = Selection::from_env();
    let mut open_host = || open(&sel).map_err(anyhow::Error::from);
    // A change notes SIGINT, SIGTERM and SIGHUP, so that it finishes or is
    // undone before rjib dies by them; a run that changes nothing keeps
    // their default action and dies at once. Should the handlers fail to
    // install, the signals keep their default action.
    let caught = match &parsed {
        Parsed::Run(inv) if inv.changes() => Caught::install().ok(),
        _ => None,
    };
    let stop: &dyn Stop = match &caught {
        Some(c) => c,
        None => &Never,
    };
    let exit = {
        let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
        main_parsed(
            &argv,
            parsed,
            &mut open_host,
            &mut Io {
                out: &mut out,
                err: &mut err,
            },
            stop,
        )
    };
    match exit.signal.or_else(|| stop.pending()) {
        Some(sig) => die(sig),
        None => std::process::exit(exit.status),
    }
}
