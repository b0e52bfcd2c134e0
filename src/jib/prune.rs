//! What `prune` destroys, decided on the kernel's evidence rather than on a
//! jail name matching: where a pair's jail end is, and what jail_get(2)
//! says of jail NAME.
//!
//! When a vnet is destroyed its interfaces go back to their home vnet
//! (sys/net/if.c `vnet_if_return`, a `VNET_SYSUNINIT` that `if_vmove`s
//! every interface whose `if_home_vnet` is another), so an
//! epair end that is not on the host is inside some jail's vnet, running
//! or dying, and one that is on the host is in no jail. A jail whose name
//! is not its rjib NAME (jail `nextcloud-prod` running `addm nc`) has no
//! jail `nc` to look up, and only where `e0b_nc` is tells that it is in use.
//!
//! | jail end `e{i}b_NAME` | jail NAME        | prune                         |
//! |-----------------------|------------------|-------------------------------|
//! | on the host           | any              | destroys, unless fresh        |
//! | not on the host       | dying            | destroys, unless fresh        |
//! | not on the host       | running          | keeps                         |
//! | not on the host       | none             | keeps: a jail named otherwise |
//!
//! "Fresh": changed less than `FRESH_SECONDS` ago (or in the future), so
//! possibly the pair of a jail jail(8) is starting right now, between
//! `exec.prestart` and `vnet.interface`; `-f` destroys it anyway. An
//! `addm` that finds the pair refreshes its last change (D6).

use std::collections::HashMap;
use std::fmt;

use crate::jib::descr;
use crate::jib::name::{is_aside, parse_jib_end};
use crate::net::{IfName, Interface, JailInfo};

/// A pair changed this recently is left alone (without `-f`).
pub const FRESH_SECONDS: u64 = 60;

/// What kind of rjib pair a host end is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `e{i}a_NAME`, whose jail end `e{i}b_NAME` is on the host or not.
    Jib { b: String, b_on_host: bool },
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
                b_on_host: false,
                ..
            }
        )
    }
}

/// The description of an interface, as the host tells it (SIOCGIFDESCR).
pub type Describe<'d> = dyn FnMut(&IfName) -> Option<String> + 'd;

/// The pairs on the host, of every jail or of `only` these, sorted by
/// host end. Only epair ends count (interface group `epair`), and only
/// names jib or rjib makes (`parse_jib_end`, `is_aside`); `describe` is
/// asked only for asides.
pub fn pairs(listing: &[Interface], only: &[String], describe: &mut Describe<'_>) -> Vec<Pair> {
    let wanted =
        |j: Option<&str>| only.is_empty() || j.is_some_and(|j| only.iter().any(|o| o == j));
    let by_name: HashMap<&str, &Interface> = listing.iter().map(|i| (i.name.as_str(), i)).collect();
    let mut out: Vec<Pair> = Vec::new();
    for a in listing.iter().filter(|i| i.is_epair()) {
        if is_aside(a.name.as_str()) {
            let text = describe(&a.name);
            let jail = text.as_deref().and_then(descr::jail_of_host_end);
            if wanted(jail) {
                out.push(Pair {
                    a: a.name.clone(),
                    jail: jail.map(str::to_string),
                    kind: Kind::Aside,
                    lastchange: a.lastchange,
                });
            }
            continue;
        }
        let Some(end) = parse_jib_end(a.name.as_str()).filter(|e| e.end == b'a') else {
            continue;
        };
        if !wanted(Some(end.jail)) {
            continue;
        }
        let b_name = format!("e{}b_{}", end.digits, end.jail);
        let b = by_name.get(b_name.as_str());
        if b.is_some_and(|b| !b.is_epair()) {
            continue; // its peer's name is taken by something else: not rjib's
        }
        out.push(Pair {
            a: a.name.clone(),
            jail: Some(end.jail.to_string()),
            kind: Kind::Jib {
                b: b_name,
                b_on_host: b.is_some(),
            },
            lastchange: a.lastchange.max(b.and_then(|b| b.lastchange)),
        });
    }
    out.sort_by(|x, y| x.a.as_bytes().cmp(y.a.as_bytes()));
    out
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
        (Kind::Jib { b, b_on_host: true }, _) => {
            format!("its jail end {b} is on the host, in no jail")
        }
        (Kind::Jib { b, .. }, None) => {
            return Verdict::Keep(format!(
                "in use by a jail whose name is not {name}: its jail end {b} is not on the host \
                 (or was renamed) and no jail {name} exists"
            ));
        }
        (Kind::Jib { b, .. }, Some(j)) if !j.dying => {
            return Verdict::Keep(format!(
                "jail {name} (jid {}) is running and its jail end {b} is not on the host",
                j.jid
            ));
        }
        (Kind::Jib { b, .. }, Some(j)) => format!(
            "jail {name} (jid {}) is dying and its jail end {b} is not on the host",
            j.jid
        ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::LinkType;

    fn ifc(name: &str, epair: bool, lastchange: Option<u64>) -> Interface {
        Interface {
            groups: if epair { vec!["epair".into()] } else { vec![] },
            lastchange,
            ..Interface::new(IfName::new(name).unwrap(), 0, LinkType::Ether)
        }
    }

    fn no_descriptions(_: &IfName) -> Option<String> {
        None
    }

    #[test]
    fn only_rjib_pairs() {
        let l = vec![
            ifc("e0a_x", true, Some(10)),
            ifc("e0b_x", true, Some(20)),
            ifc("e1a_x", true, None), // b end in a vnet
            ifc("e0a_y", true, None),
            ifc("e0b_y", false, None), // peer is no epair end
            ifc("e0a_z", false, None), // not an epair
            ifc("epair3a", true, None),
            ifc("e0b_w", true, None), // a b end alone is not a pair
        ];
        let p = pairs(&l, &[], &mut no_descriptions);
        let names: Vec<&str> = p.iter().map(|p| p.a.as_str()).collect();
        assert_eq!(names, vec!["e0a_x", "e1a_x"]);
        assert_eq!(
            (&p[0].kind, p[0].lastchange),
            (
                &Kind::Jib {
                    b: "e0b_x".into(),
                    b_on_host: true
                },
                Some(20)
            )
        );
        assert!(!p[0].needs_jail() && p[1].needs_jail());
        assert_eq!(p[1].lastchange, None);
        assert!(pairs(&l, &["y".to_string()], &mut no_descriptions).is_empty());
        assert_eq!(pairs(&l, &["x".to_string()], &mut no_descriptions).len(), 2);
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
        let p = pairs(&l, &[], &mut no_descriptions);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].a.as_str(), "e0a_ok");
    }

    #[test]
    fn asides_are_found_with_their_jail() {
        let l = vec![
            ifc("rjibstale0", true, Some(5)),
            ifc("rjibstale1", true, None),
            ifc("rjibstale2", false, None), // no epair
            ifc("rjibstalex", true, None),  // no aside name
        ];
        let mut asked = Vec::new();
        let mut describe = |n: &IfName| {
            asked.push(n.to_string());
            (n.as_str() == "rjibstale0").then(|| descr::host_end("www"))
        };
        let p = pairs(&l, &[], &mut describe);
        assert_eq!(asked, ["rjibstale0", "rjibstale1"]);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].a.as_str(), p[0].jail.as_deref(), &p[0].kind),
            ("rjibstale0", Some("www"), &Kind::Aside)
        );
        assert_eq!(p[1].jail, None);
        let only_www = pairs(&l, &["www".into()], &mut |n: &IfName| {
            (n.as_str() == "rjibstale0").then(|| descr::host_end("www"))
        });
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
            kind: Kind::Jib {
                b: "e0b_x".into(),
                b_on_host,
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
