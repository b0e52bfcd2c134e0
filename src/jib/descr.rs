//! The descriptions rjib gives what it creates (SIOCSIFDESCR), so that
//! ifconfig(8) and `show --libxo json` tell which jail owns an interface,
//! and rjib knows a bridge it made.

use crate::net::IfName;

pub fn host_end_description(jail: &str) -> String {
    format!("rjib: jail {jail}, host end")
}

pub fn jail_end_description(jail: &str) -> String {
    format!("rjib: jail {jail}, jail end")
}

/// A bridge rjib created for `parent`; a bridge with this description is
/// one rjib may give more tagged VLANs on `parent`.
pub fn bridge_description(parent: &IfName) -> String {
    format!("rjib: bridge for {parent}")
}
