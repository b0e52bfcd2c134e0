//! The descriptions rjib gives what it creates (SIOCSIFDESCR), so that
//! ifconfig(8) and `show --libxo json` tell which jail owns an interface.
//!
//! A description is a document, not evidence: anyone with root in the
//! right vnet can set one. Whether a pair is destroyed never rests on one:
//! `prune` reads only a leftover `rjibstaleN`'s, to name its jail, and
//! `prune NAME` takes the leftovers whose description names NAME (plain
//! `prune` takes every leftover, described or not); `addm` reads a
//! bridge's only to decide whether it may add tagged VLANs to the
//! bridge's parent (issue 15: a bridge rjib made): an addition, undone by
//! taking exactly those VLANs away, never a removal.

use crate::jib::name::is_jail_name;
use crate::net::IfName;

pub fn host_end(jail: &str) -> String {
    format!("rjib: jail {jail}, host end")
}

pub fn jail_end(jail: &str) -> String {
    format!("rjib: jail {jail}, jail end")
}

/// A bridge rjib created for `parent`; on such a bridge `addm` may give
/// `parent` more tagged VLANs.
pub fn bridge(parent: &IfName) -> String {
    format!("rjib: bridge for {parent}")
}

/// The NAME in a description `host_end` wrote, if it is one.
pub fn jail_of_host_end(text: &str) -> Option<&str> {
    text.strip_prefix("rjib: jail ")?
        .strip_suffix(", host end")
        .filter(|j| is_jail_name(j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_end_descriptions_read_back() {
        assert_eq!(jail_of_host_end(&host_end("www")), Some("www"));
        assert_eq!(jail_of_host_end(&jail_end("www")), None);
        assert_eq!(jail_of_host_end("rjib: jail a b, host end"), None);
        assert_eq!(jail_of_host_end("rjib: jail , host end"), None);
        assert_eq!(jail_of_host_end("my uplink"), None);
    }
}
