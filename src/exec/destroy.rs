//! `destroy NAME`: every `e<N>a_NAME`, going on past failures.

use crate::host::{Host, HostError, Interface};
use crate::jib::show::ends_of;

/// Destroy what `show NAME` lists. Returns the failures (empty: success).
pub fn run(host: &mut dyn Host, listing: &[Interface], jail: &str) -> Vec<HostError> {
    ends_of(listing, jail)
        .iter()
        .filter_map(|n| host.destroy(n).err())
        .collect()
}
