//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::main_with_stop;
use rjib::backend::{Selection, open};
use rjib::io::Io;
use rjib::signals::{Caught, Never, Stop, die};

fn main() {
    // The bytes as given: an argument that is not UTF-8 is refused where it
    // would name an interface, never converted with a replacement character.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let sel = Selection::from_env();
    let mut open_host = || open(&sel).map_err(anyhow::Error::from);
    // SIGINT, SIGTERM and SIGHUP are noted, so a change finishes or is
    // undone before rjib dies by them. Should the handlers fail to
    // install, the signals keep their default action.
    let caught = Caught::install();
    let stop: &dyn Stop = match &caught {
        Ok(c) => c,
        Err(_) => &Never,
    };
    let exit = {
        let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
        main_with_stop(
            &argv,
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
