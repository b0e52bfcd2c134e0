//! Where a run writes: its standard output and standard error, as `main`
//! hands them to `app` and `app` to `check`; and how both write a line on
//! standard error.

use std::io::Write;

/// Where a run writes.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// Write one `PROG: message` line on `err`, control characters escaped
/// (a name from a host file may hold a NUL or a newline): every error
/// and warning line of a run, `app`'s and `check`'s.
pub fn say(err: &mut dyn Write, prog: &str, message: impl std::fmt::Display) {
    let line = format!("{prog}: {message}");
    let _ = writeln!(err, "{}", crate::util::escape_controls(&line));
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_escaped_whole() {
        let mut err = Vec::new();
        super::say(&mut err, "rjib", "e0a_x\nfake: line");
        super::say(&mut err, "rj\u{1b}ib", 7);
        assert_eq!(err, b"rjib: e0a_x\\x0afake: line\nrj\\x1bib: 7\n");
    }
}
