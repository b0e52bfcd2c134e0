//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::{Io, main_with};
use rjib::backend::{Selection, open};

fn main() {
    // The bytes as given: an argument that is not UTF-8 is refused where it
    // would name an interface, never converted with a replacement character.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let sel = Selection::from_env();
    let mut open_host = || open(&sel).map_err(anyhow::Error::from);
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let status = main_with(
        &argv,
        &mut open_host,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    std::process::exit(status);
}
