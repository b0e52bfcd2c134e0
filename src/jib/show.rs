//! What `show` and `show NAME` select from a listing.
//!
//! Only epair ends count (`Interface::is_epair`: the interface group
//! `epair`): an interface named like a host end that is not in it (a
//! bridge made with `-b a_x` on a parent `e1`, a renamed vlan) is neither
//! listed nor destroyed.

use std::collections::HashMap;

use crate::jib::name::jail_of_a_end;
use crate::net::{IfName, Interface};

/// If `i` is a jail's host end (an epair end named `e<digits>a_JAIL`), the
/// JAIL.
pub fn host_end_of(i: &Interface) -> Option<&str> {
    jail_of_a_end(i.name.as_str()).filter(|_| i.is_epair())
}

/// `show`: the jail of every host end that is a member of any bridge,
/// distinct, sorted byte-wise.
pub fn jails(listing: &[Interface]) -> Vec<String> {
    let by_name: HashMap<&str, &Interface> = listing.iter().map(|i| (i.name.as_str(), i)).collect();
    let mut out: Vec<String> = listing
        .iter()
        .filter(|i| i.is_bridge())
        .flat_map(|b| b.members.iter().flatten())
        .filter_map(|m| by_name.get(m.as_str()).copied().and_then(host_end_of))
        .filter(|j| !j.is_empty())
        .map(str::to_string)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Every jail's host ends, bridged or not, each jail's sorted byte-wise
/// (`e10a_n` before `e1a_n`). One pass over the listing.
pub fn host_ends(listing: &[Interface]) -> HashMap<&str, Vec<&Interface>> {
    let mut by_jail: HashMap<&str, Vec<&Interface>> = HashMap::new();
    for i in listing {
        if let Some(j) = host_end_of(i) {
            by_jail.entry(j).or_default().push(i);
        }
    }
    for ends in by_jail.values_mut() {
        ends.sort_unstable_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    }
    by_jail
}

/// `show NAME`: every host end of `jail`, bridged or not, sorted byte-wise
/// (`e10a_n` before `e1a_n`).
pub fn ends_of(listing: &[Interface], jail: &str) -> Vec<IfName> {
    let mut out: Vec<IfName> = listing
        .iter()
        .filter(|i| host_end_of(i) == Some(jail))
        .map(|i| i.name.clone())
        .collect();
    out.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    out
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::LinkType;

    fn ifc(name: &str, members: Option<&[&str]>) -> Interface {
        let link = if members.is_some() {
            LinkType::Bridge
        } else {
            LinkType::Ether
        };
        Interface {
            up: true,
            groups: if members.is_some() {
                vec!["bridge".into()]
            } else if name.starts_with('e') {
                vec!["epair".into()]
            } else {
                vec![]
            },
            members: members.map(|m| m.iter().map(|n| IfName::new(*n).unwrap()).collect()),
            ..Interface::new(IfName::new(name).unwrap(), 0, link)
        }
    }

    #[test]
    fn show_lists_bridged_jails_once_sorted_bytewise() {
        let l = vec![
            ifc("br0", Some(&["e0a_zeta", "em0", "e1a_zeta", "e0a_Alpha_1"])),
            ifc("br1", Some(&["e0a_beta", "e0b_gamma"])),
            ifc("e0a_unbridged", None),
            ifc("e0a_zeta", None),
            ifc("e1a_zeta", None),
            ifc("e0a_Alpha_1", None),
            ifc("e0a_beta", None),
            ifc("e0b_gamma", None),
        ];
        assert_eq!(jails(&l), vec!["Alpha_1", "beta", "zeta"]);
    }

    #[test]
    fn show_name_matches_exactly_and_sorts_bytewise() {
        let l = vec![
            ifc("e1a_n", None),
            ifc("e10a_n", None),
            ifc("e0b_n", None),
            ifc("e0a_nn", None),
            ifc("xe0a_n", None),
            ifc("e2a_n", Some(&[])),
        ];
        let got: Vec<_> = ends_of(&l, "n").iter().map(|n| n.to_string()).collect();
        assert_eq!(got, vec!["e10a_n", "e1a_n"], "e2a_n is a bridge");
        assert!(ends_of(&l, "nothere").is_empty());
    }

    /// Issue 14, part 2: an epair end whose NAME is no jib NAME is not a
    /// jail's end: not listed, not destroyed, whatever its peer.
    #[test]
    fn only_jib_names() {
        let l = vec![
            ifc(
                "br0",
                Some(&["e0a_a b", "e0a_x;y", "e0a_ä", "e0a_x.y", "e0a_ok"]),
            ),
            ifc("e0a_a b", None),
            ifc("e0a_x;y", None),
            ifc("e0a_ä", None),
            ifc("e0a_x.y", None),
            ifc("e0a_ok", None),
        ];
        assert_eq!(jails(&l), vec!["ok"]);
        for not in ["a b", "x;y", "ä", "x.y"] {
            assert!(ends_of(&l, not).is_empty(), "{not}");
        }
        assert_eq!(host_ends(&l).len(), 1);
    }

    /// Issue 9, defect 4: a bridge or vlan named like a host end is not a
    /// jail's end, and a member the listing does not have is not either.
    #[test]
    fn only_epair_ends_count() {
        let mut vlan = ifc("e0a_v", None);
        vlan.groups = vec!["vlan".into()];
        let l = vec![
            ifc("e1", None),
            ifc("e1a_x", Some(&["e1", "e0a_y", "e0a_v", "e0a_ghost"])),
            ifc("e0a_y", None),
            vlan,
        ];
        assert_eq!(
            jails(&l),
            vec!["y"],
            "not v (a vlan), not ghost (not listed)"
        );
        assert!(
            ends_of(&l, "x").is_empty(),
            "the bridge e1a_x is no end of x"
        );
        assert!(ends_of(&l, "v").is_empty());
        assert_eq!(ends_of(&l, "y").len(), 1);
        assert!(!host_ends(&l).contains_key("x"));
    }
}
