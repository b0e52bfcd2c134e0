//! Destroying host ends (`destroy NAME`, `prune`), going on past failures.

use crate::host::{Host, HostError, Priority};
use crate::net::IfName;

/// Destroy each `(host end, why)`: it takes its jail end with it, wherever
/// that is (`epair_clone_destroy`). Each is logged as `verb` (`destroyed`,
/// `pruned`). Returns the ones destroyed and the failures.
pub fn ends(
    host: &mut dyn Host,
    chosen: &[(IfName, String)],
    verb: &str,
) -> (Vec<IfName>, Vec<HostError>) {
    let (mut done, mut failures) = (Vec::new(), Vec::new());
    for (a, why) in chosen {
        match host.destroy(a) {
            Ok(()) => {
                host.syslog(
                    Priority::Notice,
                    &format!("{a}: {verb} with its jail end ({why})"),
                );
                done.push(a.clone());
            }
            Err(e) => failures.push(e),
        }
    }
    (done, failures)
}
