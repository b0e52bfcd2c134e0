//! What `show --libxo json` reports: each jail's epairs with both ends,
//! their bridge and the bridge's parent, from one listing; and for a bridge
//! member, its VLANs (the untagged one from the listing, the tagged ones
//! read for it).

use std::collections::HashMap;

use serde::Serialize;

use crate::jib::name::{DEFAULT_BRIDGE_SUFFIX, parse_end};
use crate::jib::show;
use crate::net::{IfName, Interface, VlanSet};

/// The libxo-style version of rjib's JSON.
pub const JSON_VERSION: &str = "1";

// The document, typed: serialising borrowed fields is several times
// faster than building a `serde_json::Value` tree. Fields are declared in
// byte order, so keys come out sorted (rjib(8) promises that).

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    #[serde(rename = "__version")]
    version: &'static str,
    #[serde(rename = "rjib-information")]
    information: Information<'a>,
}

#[derive(Debug, Serialize)]
struct Information<'a> {
    jail: Vec<Jail<'a>>,
}

#[derive(Debug, Serialize)]
struct Jail<'a> {
    epair: Vec<Epair<'a>>,
    name: String,
}

#[derive(Debug, Serialize)]
struct Epair<'a> {
    a: Option<End<'a>>,
    b: Option<End<'a>>,
    bridge: Option<&'a str>,
    index: u64,
    parent: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct End<'a> {
    /// What `ifconfig` shows as its description (rjib sets one on what it
    /// creates).
    description: Option<String>,
    ether: Option<String>,
    mtu: u32,
    name: &'a str,
    /// A bridge member's tagged VLANs (BRDGGIFVLANSET), ascending; `null`
    /// for an end that is no bridge member, and where the host gave none
    /// (FreeBSD 14, which has no VLANs, or a read that failed): no
    /// evidence is not "no VLAN".
    tagged: Option<Vec<u16>>,
    /// A bridge member's untagged VLAN (BRDGGIFS `ifbr_pvid`); `null` for
    /// none.
    untagged: Option<u16>,
}

/// What the report reads from the host for each end: its description
/// (SIOCGIFDESCR), and for a bridge member its tagged VLANs
/// (BRDGGIFVLANSET of the bridge); `None` when the host has none to give.
pub trait EndFacts {
    fn description(&mut self, end: &IfName) -> Option<String>;
    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Option<VlanSet>;
}

/// An `EndFacts` from two closures.
pub struct Reads<D, T>(pub D, pub T);

impl<D, T> EndFacts for Reads<D, T>
where
    D: FnMut(&IfName) -> Option<String>,
    T: FnMut(&IfName, &IfName) -> Option<VlanSet>,
{
    fn description(&mut self, end: &IfName) -> Option<String> {
        (self.0)(end)
    }
    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Option<VlanSet> {
        (self.1)(bridge, member)
    }
}

fn end<'a>(i: &'a Interface, bridge: Option<&Interface>, facts: &mut dyn EndFacts) -> End<'a> {
    let tagged = bridge
        .and_then(|b| facts.tagged(&b.name, &i.name))
        .map(|s| s.to_vec());
    End {
        description: facts.description(&i.name),
        ether: i.ether.map(|m| m.to_string()),
        mtu: i.mtu,
        name: i.name.as_str(),
        tagged,
        untagged: i.pvid.map(|v| v.get()),
    }
}

/// The listing indexed once, so that the report makes hash lookups only
/// and grows linearly with the host (20,000 jails are 40,000 ends).
struct Index<'a> {
    by_name: HashMap<&'a str, &'a Interface>,
    /// The bridge each member belongs to.
    bridge_of: HashMap<&'a str, &'a Interface>,
    /// Each bridge's parent (see `parent_of`), worked out once per bridge.
    parent: HashMap<&'a str, Option<&'a str>>,
    /// Each jail's host ends, sorted.
    ends: HashMap<&'a str, Vec<&'a Interface>>,
}

impl<'a> Index<'a> {
    fn new(listing: &'a [Interface]) -> Index<'a> {
        let by_name: HashMap<&str, &Interface> =
            listing.iter().map(|i| (i.name.as_str(), i)).collect();
        let mut bridge_of = HashMap::new();
        let mut parent = HashMap::new();
        for b in listing.iter().filter(|i| i.is_bridge()) {
            for m in b.members.iter().flatten() {
                bridge_of.entry(m.as_str()).or_insert(b);
            }
            parent.insert(b.name.as_str(), parent_of(b, &by_name));
        }
        Index {
            by_name,
            bridge_of,
            parent,
            ends: show::host_ends(listing),
        }
    }
}

/// The parent of a bridge: its one member that is not an epair end (by
/// the interface group, as everywhere: an aside `rjibstale0` or a renamed
/// end is an epair end, whatever its name), or, for a bridge without such
/// a member (a NAT bridge) named IFACE+"bridge", that IFACE.
fn parent_of<'a>(bridge: &'a Interface, by_name: &HashMap<&str, &'a Interface>) -> Option<&'a str> {
    let mut others = bridge
        .members
        .iter()
        .flatten()
        .map(|m| m.as_str())
        .filter(|m| by_name.get(m).is_none_or(|i| !i.is_epair()));
    match (others.next(), others.next()) {
        (Some(one), None) => Some(one),
        (None, _) => {
            let stem = bridge.name.as_str().strip_suffix(DEFAULT_BRIDGE_SUFFIX)?;
            by_name.get(stem).map(|i| i.name.as_str())
        }
        _ => None,
    }
}

/// One jail's entry.
fn jail_entry<'a>(ix: &Index<'a>, jail: &str, facts: &mut dyn EndFacts) -> Jail<'a> {
    let ends = ix.ends.get(jail).map_or(&[][..], Vec::as_slice);
    let epair = ends
        .iter()
        .map(|a| {
            // host ends are names that parse as a ends
            let digits = parse_end(a.name.as_str()).map_or("0", |e| e.digits);
            let b_name = format!("e{digits}b_{jail}");
            let bridge = ix.bridge_of.get(a.name.as_str()).copied();
            Epair {
                a: Some(end(a, bridge, facts)),
                b: ix.by_name.get(b_name.as_str()).map(|b| {
                    let its = ix.bridge_of.get(b.name.as_str()).copied();
                    end(b, its, facts)
                }),
                bridge: bridge.map(|b| b.name.as_str()),
                index: digits.parse().unwrap_or(0),
                parent: bridge.and_then(|b| ix.parent.get(b.name.as_str()).copied().flatten()),
            }
        })
        .collect();
    Jail {
        epair,
        name: jail.to_string(),
    }
}

/// The whole report: every bridged jail, or just `jail`; `facts` gives
/// each end's description and, for a bridge member, its tagged VLANs.
pub fn report<'a>(
    listing: &'a [Interface],
    jail: Option<&str>,
    facts: &mut dyn EndFacts,
) -> Report<'a> {
    let jails: Vec<String> = match jail {
        Some(j) => vec![j.to_string()],
        None => show::jails(listing),
    };
    let ix = Index::new(listing);
    Report {
        version: JSON_VERSION,
        information: Information {
            jail: jails.iter().map(|j| jail_entry(&ix, j, facts)).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{IfName, LinkType};
    use serde_json::{Value, json};

    fn nothing()
    -> Reads<impl FnMut(&IfName) -> Option<String>, impl FnMut(&IfName, &IfName) -> Option<VlanSet>>
    {
        Reads(|_: &IfName| None, |_: &IfName, _: &IfName| None)
    }

    fn report(listing: &[Interface], jail: Option<&str>) -> Value {
        serde_json::to_value(super::report(listing, jail, &mut nothing())).unwrap()
    }

    fn ifc(name: &str, mac: Option<&str>, members: Option<&[&str]>) -> Interface {
        let epair = name.starts_with("e0") || name.starts_with("e1");
        Interface {
            ether: mac.map(|m| m.parse().unwrap()),
            up: true,
            groups: if epair { vec!["epair".into()] } else { vec![] },
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
        assert_eq!(
            serde_json::to_string(&super::report(&l, None, &mut nothing())).unwrap(),
            r.to_string(),
            "keys come out sorted, as a Value (a sorted map) prints them"
        );
        assert_eq!(r["__version"], "1");
        let jails = r["rjib-information"]["jail"].as_array().unwrap();
        assert_eq!(jails.len(), 1, "k is not on a bridge");
        let e = jails[0]["epair"].as_array().unwrap();
        assert_eq!(e[0]["index"], 0);
        assert_eq!(
            e[0]["a"],
            json!({"name": "e0a_j", "ether": "02:a0:e2:0a:1b:2c", "mtu": 1500, "description": null,
                   "tagged": null, "untagged": null}),
            "nothing read: null"
        );
        // descriptions come from the host, one per end reported, and the
        // tagged VLANs one per bridge member
        let mut asked = Vec::new();
        let mut tagged = Vec::new();
        let described = serde_json::to_value(super::report(
            &l,
            Some("j"),
            &mut Reads(
                |n: &IfName| {
                    asked.push(n.to_string());
                    Some(format!("rjib: jail j, {n}"))
                },
                |b: &IfName, m: &IfName| {
                    tagged.push(format!("{b} {m}"));
                    VlanSet::parse("10,20").ok()
                },
            ),
        ))
        .unwrap();
        assert_eq!(asked, ["e0a_j", "e0b_j", "e1a_j"]);
        assert_eq!(tagged, ["vtnet0bridge e0a_j", "em0br e1a_j"]);
        let e1 = &described["rjib-information"]["jail"][0]["epair"][1];
        assert_eq!(e1["a"]["tagged"], json!([10, 20]));
        assert_eq!(
            described["rjib-information"]["jail"][0]["epair"][0]["b"]["tagged"],
            Value::Null,
            "the jail end is no bridge member"
        );
        assert_eq!(
            described["rjib-information"]["jail"][0]["epair"][0]["b"]["description"],
            "rjib: jail j, e0b_j"
        );
        assert_eq!(e[0]["b"]["name"], "e0b_j");
        assert_eq!(e[0]["bridge"], "vtnet0bridge");
        assert_eq!(e[0]["parent"], "vtnet0", "NAT bridge: parent from the name");
        assert_eq!(e[1]["index"], 1);
        assert_eq!(e[1]["b"], Value::Null, "b end moved into the jail");
        assert_eq!(e[1]["parent"], "em0", "the bridge's non-epair member");
        // an epair end named otherwise (an aside a replacement left) is
        // no parent: the NAT bridge's is still vtnet0
        let mut aside = ifc("rjibstale0", None, None);
        aside.groups = vec!["epair".into()];
        let mut with_aside = l.clone();
        with_aside[1] = ifc("vtnet0bridge", None, Some(&["e0a_j", "rjibstale0"]));
        with_aside.push(aside);
        let r = report(&with_aside, Some("j"));
        assert_eq!(
            r["rjib-information"]["jail"][0]["epair"][0]["parent"],
            "vtnet0"
        );
        let one = report(&l, Some("k"));
        assert_eq!(
            one["rjib-information"]["jail"][0]["epair"][0]["bridge"],
            Value::Null
        );
    }

    /// Defect 6 of issue 9: the report indexes the listing once. 20,000
    /// jails took 13 s (release) with a lookup per end; linear, a debug
    /// build needs well under a second. The bound is generous so a busy
    /// machine does not fail it, and far below the quadratic time.
    #[test]
    fn report_is_linear_in_the_host() {
        let jails = 20_000;
        let mut l = vec![ifc("vtnet0", Some("58:9c:fc:0a:1b:2c"), None)];
        let members: Vec<String> = (0..jails).map(|k| format!("e0a_j{k}")).collect();
        let members: Vec<&str> = members.iter().map(String::as_str).collect();
        l.push(ifc("vtnet0bridge", None, Some(&members)));
        for k in 0..jails {
            l.push(ifc(&format!("e0a_j{k}"), Some("02:00:00:00:00:0a"), None));
            l.push(ifc(&format!("e0b_j{k}"), Some("02:00:00:00:00:0b"), None));
        }
        let t = std::time::Instant::now();
        let r = report(&l, None);
        let took = t.elapsed();
        let all = r["rjib-information"]["jail"].as_array().unwrap();
        assert_eq!(all.len(), jails);
        assert!(all.iter().all(|j| j["epair"][0]["parent"] == "vtnet0"));
        assert!(
            took.as_secs_f64() < 5.0,
            "report of {jails} jails took {took:?}"
        );
    }
}
