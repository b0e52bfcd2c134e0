//! What `show` and `show NAME` select from a listing.

use std::collections::HashMap;

use crate::host::Interface;
use crate::jib::name::{IfName, jail_of_a_end};

/// If `i` is a jail's host end (`e<digits>a_JAIL`), the JAIL.
pub fn host_end_of(i: &Interface) -> Option<&str> {
    jail_of_a_end(i.name.as_str())
}

/// `show`: the jail of every `e<N>a_NAME` member of any bridge, distinct,
/// sorted byte-wise.
pub fn jails(listing: &[Interface]) -> Vec<String> {
    let mut out: Vec<String> = listing
        .iter()
        .filter(|i| i.is_bridge())
        .flat_map(|b| b.members.iter().flatten())
        .filter_map(|m| jail_of_a_end(m.as_str()))
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
    use crate::host::LinkType;

    fn ifc(name: &str, members: Option<&[&str]>) -> Interface {
        Interface {
            name: IfName::new(name).unwrap(),
            index: 0,
            link: if members.is_some() {
                LinkType::Bridge
            } else {
                LinkType::Ether
            },
            ether: None,
            mtu: 1500,
            up: true,
            groups: if members.is_some() {
                vec!["bridge".into()]
            } else {
                vec![]
            },
            members: members.map(|m| m.iter().map(|n| IfName::new(*n).unwrap()).collect()),
        }
    }

    #[test]
    fn show_lists_bridged_jails_once_sorted_bytewise() {
        let l = vec![
            ifc("br0", Some(&["e0a_zeta", "em0", "e1a_zeta", "e0a_Alpha_1"])),
            ifc("br1", Some(&["e0a_beta", "e0b_gamma"])),
            ifc("e0a_unbridged", None),
            ifc("e0a_zeta", None),
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
        assert_eq!(got, vec!["e10a_n", "e1a_n", "e2a_n"]);
        assert!(ends_of(&l, "nothere").is_empty());
    }
}
