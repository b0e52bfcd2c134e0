//! `prune`: destroy the chosen stale pairs, going on past failures.

use crate::host::{Host, HostError, Priority};
use crate::jib::name::IfName;

/// Destroy each `(a end, why)` (it takes its `b` end with it, wherever it
/// is: `epair_clone_destroy`). Returns the ones destroyed and the failures.
pub fn run(host: &mut dyn Host, chosen: &[(IfName, String)]) -> (Vec<IfName>, Vec<HostError>) {
    let (mut done, mut failures) = (Vec::new(), Vec::new());
    for (a, why) in chosen {
        match host.destroy(a) {
            Ok(()) => {
                host.syslog(
                    Priority::Notice,
                    &format!("{a}: pruned with its jail end ({why})"),
                );
                done.push(a.clone());
            }
            Err(e) => failures.push(e),
        }
    }
    (done, failures)
}
