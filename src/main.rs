//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::{Io, main_with_stop};
use rjib::backend::{Selection, open};
use rjib::signals::{Caught, Never, Stop, die};

fn main() {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
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
