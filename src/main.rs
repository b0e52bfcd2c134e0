//! rjib(8): parse → plan → execute → at most one error line → exit status.

use rjib::app::{Io, main_with};
use rjib::backend::{Selection, open};

fn main() {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
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
