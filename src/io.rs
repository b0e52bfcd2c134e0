//! Where a run writes: its standard output and standard error, as `main`
//! hands them to `app` and `app` to `check`.

use std::io::Write;

/// Where a run writes.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}
