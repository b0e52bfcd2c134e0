//! What `show --libxo json` reports: each jail's epairs with both ends,
//! their bridge and the bridge's parent, from one listing.

use serde_json::{Value, json};

use crate::host::Interface;
use crate::jib::name::{DEFAULT_BRIDGE_SUFFIX, parse_end};
use crate::jib::show;

/// The libxo-style version of rjib's JSON.
pub const JSON_VERSION: &str = "1";

fn end(i: Option<&Interface>) -> Value {
    match i {
        Some(i) => json!({
            "name": i.name.as_str(),
            "ether": i.ether.map(|m| m.to_string()),
            "mtu": i.mtu,
        }),
        None => Value::Null,
    }
}

/// The parent of a bridge: its one member that is not an epair end, or, for
/// a member-less (NAT) bridge named IFACE+"bridge", that IFACE.
fn parent_of(bridge: &Interface, listing: &[Interface]) -> Option<String> {
    let others: Vec<&str> = bridge
        .members
        .iter()
        .flatten()
        .map(|m| m.as_str())
        .filter(|m| parse_end(m).is_none())
        .collect();
    match others.as_slice() {
        [one] => Some(one.to_string()),
        [] => {
            let stem = bridge.name.as_str().strip_suffix(DEFAULT_BRIDGE_SUFFIX)?;
            listing
                .iter()
                .any(|i| i.name.as_str() == stem)
                .then(|| stem.to_string())
        }
        _ => None,
    }
}

/// One jail's entry.
fn jail_entry(listing: &[Interface], jail: &str) -> Value {
    let find = |n: &str| listing.iter().find(|i| i.name.as_str() == n);
    let epairs: Vec<Value> = show::ends_of(listing, jail)
        .iter()
        .map(|a| {
            // ends_of only returns names that parse as a ends
            let digits = parse_end(a.as_str()).map_or("0", |e| e.digits);
            let index: u64 = digits.parse().unwrap_or(0);
            let b_name = format!("e{digits}b_{jail}");
            let bridge = listing
                .iter()
                .find(|i| i.is_bridge() && i.members.iter().flatten().any(|m| m == a));
            json!({
                "index": index,
                "a": end(find(a.as_str())),
                "b": end(find(&b_name)),
                "bridge": bridge.map(|b| b.name.as_str()),
                "parent": bridge.and_then(|b| parent_of(b, listing)),
            })
        })
        .collect();
    json!({"name": jail, "epair": epairs})
}

/// The whole report: every bridged jail, or just `jail`.
pub fn report(listing: &[Interface], jail: Option<&str>) -> Value {
    let jails: Vec<String> = match jail {
        Some(j) => vec![j.to_string()],
        None => show::jails(listing),
    };
    let entries: Vec<Value> = jails.iter().map(|j| jail_entry(listing, j)).collect();
    json!({"__version": JSON_VERSION, "rjib-information": {"jail": entries}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::LinkType;
    use crate::jib::name::IfName;

    fn ifc(name: &str, mac: Option<&str>, members: Option<&[&str]>) -> Interface {
        Interface {
            ether: mac.map(|m| m.parse().unwrap()),
            up: true,
            members: members.map(|m| m.iter().map(|n| IfName::new(*n).unwrap()).collect()),
            ..Interface::new(IfName::new(name).unwrap(), 0, LinkType::Ether)
        }
    }

    #[test]
    fn report_names_ends_bridge_and_parent() {
        let l = vec![
            ifc("vtnet0", Some("58:9c:fc:0a:1b:2c"), None),
            ifc("vtnet0bridge", None, Some(&["e0a_j"])),
            ifc("em0", None, None),
            ifc("em0br", None, Some(&["e1a_j", "em0"])),
            ifc("e0a_j", Some("02:a0:e2:0a:1b:2c"), None),
            ifc("e0b_j", Some("0e:a0:e2:0a:1b:2c"), None),
            ifc("e1a_j", Some("02:00:00:00:00:0a"), None),
            ifc("e0a_k", None, None),
        ];
        let r = report(&l, None);
        assert_eq!(r["__version"], "1");
        let jails = r["rjib-information"]["jail"].as_array().unwrap();
        assert_eq!(jails.len(), 1, "k is not on a bridge");
        let e = jails[0]["epair"].as_array().unwrap();
        assert_eq!(e[0]["index"], 0);
        assert_eq!(
            e[0]["a"],
            json!({"name": "e0a_j", "ether": "02:a0:e2:0a:1b:2c", "mtu": 1500})
        );
        assert_eq!(e[0]["b"]["name"], "e0b_j");
        assert_eq!(e[0]["bridge"], "vtnet0bridge");
        assert_eq!(e[0]["parent"], "vtnet0", "NAT bridge: parent from the name");
        assert_eq!(e[1]["index"], 1);
        assert_eq!(e[1]["b"], Value::Null, "b end moved into the jail");
        assert_eq!(e[1]["parent"], "em0", "the bridge's non-epair member");
        let one = report(&l, Some("k"));
        assert_eq!(
            one["rjib-information"]["jail"][0]["epair"][0]["bridge"],
            Value::Null
        );
    }
}
