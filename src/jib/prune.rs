//! What `prune` destroys, decided on the kernel's evidence rather than on a
//! jail name matching: where a pair's jail end is, and what jail_get(2)
//! says of jail NAME.
//!
//! When a vnet is destroyed its interfaces go back to their home vnet
//! (sys/net/if.c `vnet_if_return`, a `VNET_SYSUNINIT` that `if_vmove`s
//! every interface whose `if_home_vnet` is another), so an epair end that
//! is not on the host is inside some jail's vnet, running or dying, and
//! one that is on the host is in no jail. Which end on the host is
//! `e{i}a_NAME`'s peer is the kernel's to say, not the name's: the end
//! with its epair unit (`super::pairing`). A jail whose name is not its
//! rjib NAME (jail `nextcloud-prod` running `addm nc`) has no jail `nc`
//! to look up, and only where `e0b_nc` is tells that it is in use.
//!
//! | jail end (its peer)   | jail NAME        | prune                         |
//! |-----------------------|------------------|-------------------------------|
//! | on the host           | any              | destroys, unless fresh        |
//! | not on the host       | dying            | destroys, unless fresh        |
//! | not on the host       | running          | keeps                         |
//! | not on the host       | none             | keeps: a jail named otherwise |
//! | cannot be told        | any              | keeps, and says why           |
//!
//! The first two columns are `pairing::whereabouts`, which `addm` reads
//! too (`plan`), with verdicts of its own.
//!
//! "Fresh": changed less than `FRESH_SECONDS` ago (or in the future), so
//! possibly the pair of a jail jail(8) is starting right now, between
//! `exec.prestart` and `vnet.interface`; `-f` destroys it anyway. An
//! `addm` that finds the pair refreshes its last change (D6).

use std::collections::HashMap;
use std::fmt;

use crate::jib::descr;
use crate::jib::name::{is_aside, parse_jib_end};
use crate::jib::pairing::{self, Peer, Unit, Units, Whereabouts};
use crate::net::{IfName, Interface, JailInfo};

/// A pair changed this recently is left alone (without `-f`).
pub const FRESH_SECONDS: u64 = 60;

/// What kind of rjib pair a host end is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `e{i}a_NAME`, whose jail end `e{i}b_NAME` is where `peer` says.
    Jib { b: String, peer: Peer },
    /// `e{i}a_NAME` whose peer's name `b` an interface on the host has
    /// that is no epair end: not a pair rjib made.
    NotOurs { b: String },
    /// `rjibstaleN`: the host end of a stale pair that a replacement named
    /// aside and could not destroy (or was killed before it could). Every
    /// rjib run that changes a host holds the lock until its aside names
    /// are destroyed or named back, so under the lock one is a leftover.
    Aside,
}

/// One pair `prune` may destroy, by its host end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub a: IfName,
    /// The jail NAME: from the end's name; for an aside, from the
    /// description rjib gave the host end, if it still has it.
    pub jail: Option<String>,
    pub kind: Kind,
    /// The latest `lastchange` of the ends on the host.
    pub lastchange: Option<u64>,
}

impl Pair {
    /// Whether judging it needs jail NAME's state (jail_get(2)).
    pub fn needs_jail(&self) -> bool {
        matches!(
            self.kind,
            Kind::Jib {
                peer: Peer::NotOnHost { .. },
                ..
            }
        )
    }
}

/// What `prune` asks the host, lazily: descriptions (of asides only) and
/// epair units (of ends whose pairing decides a verdict).
pub trait Ask {
    /// An interface's description (SIOCGIFDESCR).
    fn description(&mut self, name: &IfName) -> Option<String>;
    /// An end's epair unit (sysctl `ifdata.INDEX.drivername`).
    fn unit(&mut self, end: &Interface) -> Unit;
}

/// The pairs on the host, of every jail or of `only` these, sorted by
/// host end. Only epair ends count (interface group `epair`), and only
/// names jib or rjib makes (`parse_jib_end`, `is_aside`); `ask` is asked
/// the description of asides only, and the epair units of a host end and
/// of the end named like its peer where both are on the host.
///
/// An end named `e{i}b_NAME` with another unit than `e{i}a_NAME`'s is
/// another pair's end come back to the host (a jail end a dead jail's root
/// renamed, an old jail end beside the pair that replaced it). Such an end
/// is in no jail, and its own host end may be among the pairs: those whose
/// peer is not found by name are then asked their unit too, and one that
/// matches has found its peer, whatever its name.
pub fn pairs(listing: &[Interface], only: &[String], ask: &mut dyn Ask) -> Vec<Pair> {
    let wanted =
        |j: Option<&str>| only.is_empty() || j.is_some_and(|j| only.iter().any(|o| o == j));
    let by_name: HashMap<&str, &Interface> = listing.iter().map(|i| (i.name.as_str(), i)).collect();
    // The descriptions and the units are asked of one host, in turn.
    let mut described = Vec::new();
    let mut out: Vec<(Pair, &Interface)> = Vec::new();
    {
        let mut found: Vec<(&Interface, Option<&Interface>, String, String)> = Vec::new();
        for a in listing.iter().filter(|i| i.is_epair()) {
            if is_aside(a.name.as_str()) {
                described.push(a);
                continue;
            }
            let Some(end) = parse_jib_end(a.name.as_str()).filter(|e| e.end == b'a') else {
                continue;
            };
            if !wanted(Some(end.jail)) {
                continue;
            }
            let b_name = format!("e{}b_{}", end.digits, end.jail);
            let b = by_name.get(b_name.as_str()).copied();
            found.push((a, b, b_name, end.jail.to_string()));
        }
        let mut ask_unit = |i: &Interface| ask.unit(i);
        let mut units = Units::new(&mut ask_unit);
        for (a, b, b_name, jail) in found {
            let kind = match b {
                Some(b) if !b.is_epair() => Kind::NotOurs { b: b_name },
                b => Kind::Jib {
                    peer: pairing::by_name(a, b, &mut units),
                    b: b_name,
                },
            };
            out.push((
                Pair {
                    a: a.name.clone(),
                    jail: Some(jail),
                    kind,
                    lastchange: None,
                },
                a,
            ));
        }
        find_renamed_peers(&mut out, &by_name, &mut units);
    }
    let mut pairs: Vec<Pair> = out
        .into_iter()
        .map(|(mut p, a)| {
            let peer = match &p.kind {
                Kind::Jib {
                    peer: Peer::OnHost { name, .. },
                    ..
                } => by_name.get(name.as_str()).copied(),
                _ => None,
            };
            p.lastchange = a.lastchange.max(peer.and_then(|b| b.lastchange));
            p
        })
        .collect();
    for a in described {
        let text = ask.description(&a.name);
        let jail = text.as_deref().and_then(descr::jail_of_host_end);
        if wanted(jail) {
            pairs.push(Pair {
                a: a.name.clone(),
                jail: jail.map(str::to_string),
                kind: Kind::Aside,
                lastchange: a.lastchange,
            });
        }
    }
    pairs.sort_by(|x, y| x.a.as_bytes().cmp(y.a.as_bytes()));
    pairs
}

/// The ends named `e{i}b_NAME` whose unit showed them to be another
/// pair's: match each with a host end among `pairs` whose peer was not
/// found by name and that has its unit. Asked only while such an end is
/// unmatched.
fn find_renamed_peers(
    pairs: &mut [(Pair, &Interface)],
    by_name: &HashMap<&str, &Interface>,
    units: &mut Units<'_>,
) {
    let mut unmatched: Vec<(String, u32)> = pairs
        .iter()
        .filter_map(|(p, _)| match &p.kind {
            Kind::Jib {
                peer: Peer::NotOnHost {
                    impostor: Some(imp),
                },
                ..
            } => Some((imp.name.clone(), imp.unit)),
            _ => None,
        })
        .collect();
    for (p, a) in pairs.iter_mut() {
        if unmatched.is_empty() {
            return;
        }
        let Kind::Jib {
            peer: peer @ Peer::NotOnHost { .. },
            ..
        } = &mut p.kind
        else {
            continue;
        };
        let Unit::Epair(u) = units.of(a) else {
            continue;
        };
        if let Some(k) = unmatched
            .iter()
            .position(|(n, unit)| *unit == u && by_name.contains_key(n.as_str()))
        {
            let (name, unit) = unmatched.remove(k);
            *peer = Peer::OnHost { name, unit };
        }
    }
}

/// How long ago a pair last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Ago(u64),
    /// The kernel's stamp is later than the clock now: the clock was set
    /// back since. How old the pair is cannot be told.
    Future,
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Age::Ago(s) => write!(f, "it changed {s} s ago"),
            Age::Future => f.write_str("its last change is in the future (the clock was set back)"),
        }
    }
}

/// What `prune` does with a pair, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Destroy it.
    Prune(String),
    /// It would be destroyed, but it changed recently: its jail may be
    /// starting. Kept, with a warning.
    Fresh { age: Age, why: String },
    /// Keep it: the evidence says a jail may use it.
    Keep(String),
}

/// Judge `pair`, whose jail NAME jail_get(2) found as `jail` (asked only
/// when `pair.needs_jail()`), at time `now`.
pub fn judge(pair: &Pair, jail: Option<&JailInfo>, now: u64, force: bool) -> Verdict {
    let name = pair.jail.as_deref().unwrap_or("?");
    let why = match (&pair.kind, jail) {
        (Kind::Aside, _) => match &pair.jail {
            Some(j) => format!("left behind by a stale-pair replacement for jail {j}"),
            None => "left behind by a stale-pair replacement".to_string(),
        },
        (Kind::NotOurs { b }, _) => {
            return Verdict::Keep(format!(
                "{b} is not an epair end, so this is no pair rjib made"
            ));
        }
        (Kind::Jib { b, peer }, jail) => match pairing::whereabouts(peer, jail) {
            Whereabouts::CannotTell { why } => {
                return Verdict::Keep(format!(
                    "where its jail end is cannot be told, so {b} may be in use: {why}"
                ));
            }
            Whereabouts::InNoJail { name: peer, .. } if peer == b => {
                format!("its jail end {b} is on the host, in no jail")
            }
            Whereabouts::InNoJail { name: peer, unit } => {
                format!(
                    "its jail end is on the host as {peer} (the same epair, {unit}), in no jail"
                )
            }
            Whereabouts::OtherJail { .. } => {
                return Verdict::Keep(format!(
                    "in use by a jail whose name is not {name}: its jail end {b} is not on the \
                     host{} and no jail {name} exists",
                    peer.not_on_host_note()
                ));
            }
            Whereabouts::JailRunning { jail: j, .. } => {
                return Verdict::Keep(format!(
                    "jail {name} (jid {}) is running and its jail end {b} is not on the host{}",
                    j.jid,
                    impostor_note(peer)
                ));
            }
            Whereabouts::JailDying { jail: j, .. } => format!(
                "jail {name} (jid {}) is dying and its jail end {b} is not on the host{}",
                j.jid,
                impostor_note(peer)
            ),
        },
    };
    match pair.lastchange {
        _ if force => Verdict::Prune(why),
        Some(t) if t > now => Verdict::Fresh {
            age: Age::Future,
            why,
        },
        Some(t) if now - t < FRESH_SECONDS => Verdict::Fresh {
            age: Age::Ago(now - t),
            why,
        },
        _ => Verdict::Prune(why),
    }
}

/// Which end on the host has the jail end's name but is not it, if one.
fn impostor_note(peer: &Peer) -> String {
    match peer {
        Peer::NotOnHost {
            impostor: Some(_), ..
        } => peer.not_on_host_note(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jib::pairing::Impostor;
    use crate::net::LinkType;

    fn ifc(name: &str, epair: bool, lastchange: Option<u64>) -> Interface {
        Interface {
            groups: if epair { vec!["epair".into()] } else { vec![] },
            lastchange,
            ..Interface::new(IfName::new(name).unwrap(), 0, LinkType::Ether)
        }
    }

    /// A host to ask: units and descriptions by name, and what was asked.
    #[derive(Default)]
    struct Fake {
        units: HashMap<String, u32>,
        descriptions: HashMap<String, String>,
        asked: Vec<String>,
    }

    impl Fake {
        fn with_units(units: &[(&str, u32)]) -> Fake {
            Fake {
                units: units.iter().map(|(n, u)| (n.to_string(), *u)).collect(),
                ..Fake::default()
            }
        }
    }

    impl Ask for Fake {
        fn description(&mut self, name: &IfName) -> Option<String> {
            self.asked.push(format!("descr {name}"));
            self.descriptions.get(name.as_str()).cloned()
        }
        fn unit(&mut self, end: &Interface) -> Unit {
            self.asked.push(format!("unit {}", end.name));
            match self.units.get(end.name.as_str()) {
                Some(u) => Unit::Epair(*u),
                None => Unit::Unknown("not read".into()),
            }
        }
    }

    fn on_host(b: &str) -> Kind {
        Kind::Jib {
            b: b.into(),
            peer: Peer::OnHost {
                name: b.into(),
                unit: 0,
            },
        }
    }

    fn not_on_host(b: &str) -> Kind {
        Kind::Jib {
            b: b.into(),
            peer: Peer::NotOnHost { impostor: None },
        }
    }

    #[test]
    fn only_rjib_pairs() {
        let l = vec![
            ifc("e0a_x", true, Some(10)),
            ifc("e0b_x", true, Some(20)),
            ifc("e1a_x", true, None), // b end in a vnet
            ifc("e0a_y", true, None),
            ifc("e0b_y", false, None), // peer's name taken by no epair end
            ifc("e0a_z", false, None), // not an epair
            ifc("epair3a", true, None),
            ifc("e0b_w", true, None), // a b end alone is not a pair
        ];
        let mut ask = Fake::with_units(&[("e0a_x", 0), ("e0b_x", 0)]);
        let p = pairs(&l, &[], &mut ask);
        let names: Vec<&str> = p.iter().map(|p| p.a.as_str()).collect();
        assert_eq!(names, vec!["e0a_x", "e0a_y", "e1a_x"]);
        assert_eq!((&p[0].kind, p[0].lastchange), (&on_host("e0b_x"), Some(20)));
        assert_eq!(p[1].kind, Kind::NotOurs { b: "e0b_y".into() });
        assert_eq!(p[2].kind, not_on_host("e1b_x"));
        assert!(!p[0].needs_jail() && !p[1].needs_jail() && p[2].needs_jail());
        assert_eq!(p[2].lastchange, None);
        assert_eq!(
            ask.asked,
            ["unit e0a_x", "unit e0b_x"],
            "only where it decides"
        );
        assert!(pairs(&l, &["w".to_string()], &mut Fake::default()).is_empty());
        assert_eq!(pairs(&l, &["x".to_string()], &mut ask).len(), 2);
        // review of issue 14, 18: prune -v says why it keeps e0a_y
        assert_eq!(
            judge(&p[1], None, 1000, true),
            Verdict::Keep("e0b_y is not an epair end, so this is no pair rjib made".into())
        );
    }

    /// Issue 14, part 2: a name jib cannot have made is not rjib's, whatever
    /// its peer.
    #[test]
    fn only_jib_names() {
        let mut l = Vec::new();
        for n in ["a b", "x;y", "ä", "x.y", "$(x)", ""] {
            l.push(ifc(&format!("e0a_{n}"), true, None));
            l.push(ifc(&format!("e0b_{n}"), true, None));
        }
        l.push(ifc("e0a_ok", true, None));
        let p = pairs(&l, &[], &mut Fake::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].a.as_str(), "e0a_ok");
    }

    /// Review of issue 14, 1: the end named like the peer is another
    /// pair's (a jail's root renamed its end to e0b_web and let its jail
    /// die). web's pair is not on the host; evil's is, as e0b_web.
    #[test]
    fn the_epair_unit_pairs_ends_not_the_name() {
        let l = vec![
            ifc("e0a_web", true, Some(5)),
            ifc("e0a_evil", true, Some(6)),
            ifc("e0b_web", true, Some(7)),
        ];
        let mut ask = Fake::with_units(&[("e0a_web", 0), ("e0a_evil", 1), ("e0b_web", 1)]);
        let p = pairs(&l, &[], &mut ask);
        assert_eq!(
            p.iter()
                .map(|p| (p.a.as_str(), &p.kind))
                .collect::<Vec<_>>(),
            vec![
                (
                    "e0a_evil",
                    &Kind::Jib {
                        b: "e0b_evil".into(),
                        peer: Peer::OnHost {
                            name: "e0b_web".into(),
                            unit: 1
                        }
                    }
                ),
                (
                    "e0a_web",
                    &Kind::Jib {
                        b: "e0b_web".into(),
                        peer: Peer::NotOnHost {
                            impostor: Some(Impostor {
                                name: "e0b_web".into(),
                                unit: 1,
                                a_unit: 0
                            })
                        }
                    }
                ),
            ]
        );
        assert_eq!(p[0].lastchange, Some(7), "its peer's last change counts");
        assert_eq!(p[1].lastchange, Some(5), "the impostor's does not");
        let running = JailInfo {
            jid: 3,
            dying: false,
        };
        assert_eq!(
            judge(&p[1], Some(&running), 1000, true),
            Verdict::Keep(
                "jail web (jid 3) is running and its jail end e0b_web is not on the host (the \
                 e0b_web there is an end of epair 1, not of epair 0)"
                    .into()
            )
        );
        assert_eq!(
            judge(&p[0], None, 1000, false),
            Verdict::Prune(
                "its jail end is on the host as e0b_web (the same epair, 1), in no jail".into()
            )
        );
        // each end asked once, and no one else
        assert_eq!(ask.asked, ["unit e0a_web", "unit e0b_web", "unit e0a_evil"]);
        // Without an unmatched impostor, no host end is asked for nothing.
        let mut ask = Fake::with_units(&[]);
        let l = vec![ifc("e0a_a", true, None), ifc("e0a_b", true, None)];
        assert_eq!(pairs(&l, &[], &mut ask).len(), 2);
        assert!(ask.asked.is_empty(), "{:?}", ask.asked);
    }

    /// When the units cannot be read, nothing is decided on the names.
    #[test]
    fn no_evidence_keeps() {
        let l = vec![ifc("e0a_x", true, None), ifc("e0b_x", true, None)];
        let p = pairs(&l, &[], &mut Fake::with_units(&[("e0a_x", 0)]));
        assert!(!p[0].needs_jail());
        assert_eq!(
            judge(&p[0], None, 1000, true),
            Verdict::Keep(
                "where its jail end is cannot be told, so e0b_x may be in use: e0b_x's epair unit: \
                 not read"
                    .into()
            )
        );
    }

    #[test]
    fn asides_are_found_with_their_jail() {
        let l = vec![
            ifc("rjibstale0", true, Some(5)),
            ifc("rjibstale1", true, None),
            ifc("rjibstale2", false, None), // no epair
            ifc("rjibstalex", true, None),  // no aside name
        ];
        let mut ask = Fake::default();
        ask.descriptions
            .insert("rjibstale0".into(), descr::host_end("www"));
        let p = pairs(&l, &[], &mut ask);
        assert_eq!(ask.asked, ["descr rjibstale0", "descr rjibstale1"]);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].a.as_str(), p[0].jail.as_deref(), &p[0].kind),
            ("rjibstale0", Some("www"), &Kind::Aside)
        );
        assert_eq!(p[1].jail, None);
        let only_www = pairs(&l, &["www".into()], &mut ask);
        assert_eq!(only_www.len(), 1, "prune NAME: the asides of NAME");
        assert_eq!(
            judge(&p[0], None, 1000, false),
            Verdict::Prune("left behind by a stale-pair replacement for jail www".into())
        );
        assert!(matches!(
            judge(&p[0], None, 30, false),
            Verdict::Fresh {
                age: Age::Ago(25),
                ..
            }
        ));
    }

    fn pair(b_on_host: bool, lastchange: Option<u64>) -> Pair {
        Pair {
            a: IfName::new("e0a_x").unwrap(),
            jail: Some("x".into()),
            kind: if b_on_host {
                on_host("e0b_x")
            } else {
                not_on_host("e0b_x")
            },
            lastchange,
        }
    }

    /// rjib(8)'s table, every row: where the jail end is × jail NAME
    /// (none, running, dying) × fresh or old × `-f`.
    #[test]
    fn the_evidence_rule() {
        let running = JailInfo {
            jid: 4,
            dying: false,
        };
        let dying = JailInfo {
            jid: 4,
            dying: true,
        };
        let now = 10_000;
        for b_on_host in [true, false] {
            for jail in [None, Some(&running), Some(&dying)] {
                for lastchange in [Some(now - 10), Some(now - 600), None] {
                    for force in [false, true] {
                        let p = pair(b_on_host, lastchange);
                        let v = judge(&p, jail, now, force);
                        let fresh = lastchange == Some(now - 10);
                        let case =
                            format!("b on host {b_on_host}, {jail:?}, {lastchange:?}, -f {force}");
                        let destroyable = b_on_host || jail.is_some_and(|j| j.dying);
                        match v {
                            Verdict::Prune(_) => {
                                assert!(destroyable && (force || !fresh), "{case}: {v:?}")
                            }
                            Verdict::Fresh { age, .. } => {
                                assert!(destroyable && fresh && !force, "{case}: {v:?}");
                                assert_eq!(age, Age::Ago(10));
                            }
                            Verdict::Keep(_) => assert!(!destroyable, "{case}: {v:?}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn verdict_texts() {
        let running = JailInfo {
            jid: 4,
            dying: false,
        };
        let dying = JailInfo {
            jid: 4,
            dying: true,
        };
        assert_eq!(
            judge(&pair(true, None), Some(&running), 1000, false),
            Verdict::Prune("its jail end e0b_x is on the host, in no jail".into())
        );
        assert_eq!(
            judge(&pair(false, None), Some(&dying), 1000, false),
            Verdict::Prune(
                "jail x (jid 4) is dying and its jail end e0b_x is not on the host".into()
            )
        );
        assert_eq!(
            judge(&pair(false, None), Some(&running), 1000, true),
            Verdict::Keep(
                "jail x (jid 4) is running and its jail end e0b_x is not on the host".into()
            )
        );
        let Verdict::Keep(why) = judge(&pair(false, Some(1)), None, 1000, true) else {
            panic!("kept, even with -f");
        };
        assert!(
            why.starts_with("in use by a jail whose name is not x: "),
            "{why}"
        );
        // the guard's edges
        let fresh = |t, now| judge(&pair(true, Some(t)), None, now, false);
        assert!(matches!(
            fresh(941, 1000),
            Verdict::Fresh {
                age: Age::Ago(59),
                ..
            }
        ));
        assert!(matches!(fresh(940, 1000), Verdict::Prune(_)));
        assert!(matches!(
            fresh(1000, 1000),
            Verdict::Fresh {
                age: Age::Ago(0),
                ..
            }
        ));
    }

    /// Issue 14, D15(b): a stamp later than the clock is not "0 s ago".
    #[test]
    fn a_change_in_the_future() {
        let v = judge(&pair(true, Some(5000)), None, 1000, false);
        assert_eq!(
            v,
            Verdict::Fresh {
                age: Age::Future,
                why: "its jail end e0b_x is on the host, in no jail".into()
            }
        );
        assert_eq!(
            Age::Future.to_string(),
            "its last change is in the future (the clock was set back)"
        );
        assert_eq!(Age::Ago(7).to_string(), "it changed 7 s ago");
        assert!(matches!(
            judge(&pair(true, Some(5000)), None, 1000, true),
            Verdict::Prune(_)
        ));
    }
}
