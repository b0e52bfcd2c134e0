//! `destroy NAME`: every `e<N>a_NAME`, going on past failures.

use crate::host::{Host, HostError, Interface, Priority};
use crate::jib::show::ends_of;

/// Destroy what `show NAME` lists (each takes its `b` end with it). Returns
/// the failures (empty: success).
pub fn run(host: &mut dyn Host, listing: &[Interface], jail: &str) -> Vec<HostError> {
    let mut failures = Vec::new();
    for n in ends_of(listing, jail) {
        match host.destroy(&n) {
            Ok(()) => host.syslog(
                Priority::Notice,
                &format!("{n}: destroyed with its jail end (jail {jail})"),
            ),
            Err(e) => failures.push(e),
        }
    }
    failures
}
