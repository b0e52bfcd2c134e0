//! What `prune` destroys: rjib/jib pairs whose jail is gone or dying, and
//! not changed in the last minute (it may belong to a jail jail(8) is
//! starting right now, between `exec.prestart` and the jail's creation).

use std::collections::HashMap;

use crate::jib::name::parse_end;
use crate::net::{IfName, Interface, JailInfo};

/// A pair changed this recently is left alone (without `-f`).
pub const FRESH_SECONDS: u64 = 60;

/// One rjib/jib pair: an epair end named `e{i}a_NAME` whose peer is
/// `e{i}b_NAME` on the host, or not on the host at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub a: IfName,
    pub jail: String,
    /// `e{i}b_NAME` is on the host (else it is in some jail's vnet).
    pub b_on_host: bool,
    /// The latest `lastchange` of the ends on the host.
    pub lastchange: Option<u64>,
}

/// The pairs on the host, of every jail or of `only` these, sorted by name.
pub fn pairs(listing: &[Interface], only: &[String]) -> Vec<Pair> {
    let by_name: HashMap<&str, &Interface> = listing.iter().map(|i| (i.name.as_str(), i)).collect();
    let mut out: Vec<Pair> = listing
        .iter()
        .filter(|i| i.is_epair())
        .filter_map(|a| {
            let end = parse_end(a.name.as_str()).filter(|e| e.end == b'a' && !e.jail.is_empty())?;
            if !only.is_empty() && !only.iter().any(|j| j == end.jail) {
                return None;
            }
            let b = by_name.get(format!("e{}b_{}", end.digits, end.jail).as_str());
            if b.is_some_and(|b| !b.is_epair()) {
                return None; // its peer is something else: not rjib's
            }
            Some(Pair {
                a: a.name.clone(),
                jail: end.jail.to_string(),
                b_on_host: b.is_some(),
                lastchange: a.lastchange.max(b.and_then(|b| b.lastchange)),
            })
        })
        .collect();
    out.sort_by(|x, y| x.a.as_bytes().cmp(y.a.as_bytes()));
    out
}

/// What `prune` does with a pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Its jail is running: keep it.
    InUse,
    /// Destroy it: why.
    Prune(String),
    /// Changed `age` seconds ago: its jail may be starting; keep it.
    Fresh { age: u64, why: String },
}

/// Judge `pair`, whose jail jail_get(2) found as `jail`, at time `now`.
pub fn judge(pair: &Pair, jail: Option<&JailInfo>, now: u64, force: bool) -> Verdict {
    let why = match jail {
        Some(j) if !j.dying => return Verdict::InUse,
        Some(j) => format!("jail {} (jid {}) is dying", pair.jail, j.jid),
        None => format!("no jail {} exists", pair.jail),
    };
    match pair.lastchange {
        Some(t) if !force && now.saturating_sub(t) < FRESH_SECONDS => Verdict::Fresh {
            age: now.saturating_sub(t),
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
        let p = pairs(&l, &[]);
        let names: Vec<&str> = p.iter().map(|p| p.a.as_str()).collect();
        assert_eq!(names, vec!["e0a_x", "e1a_x"]);
        assert_eq!((p[0].b_on_host, p[0].lastchange), (true, Some(20)));
        assert_eq!((p[1].b_on_host, p[1].lastchange), (false, None));
        assert!(pairs(&l, &["y".to_string()]).is_empty());
        assert_eq!(pairs(&l, &["x".to_string()]).len(), 2);
    }

    #[test]
    fn verdicts() {
        let p = |lastchange| Pair {
            a: IfName::new("e0a_x").unwrap(),
            jail: "x".into(),
            b_on_host: false,
            lastchange,
        };
        let running = JailInfo {
            jid: 4,
            dying: false,
        };
        let dying = JailInfo {
            jid: 4,
            dying: true,
        };
        assert_eq!(judge(&p(None), Some(&running), 1000, true), Verdict::InUse);
        assert_eq!(
            judge(&p(None), Some(&dying), 1000, false),
            Verdict::Prune("jail x (jid 4) is dying".into())
        );
        assert_eq!(
            judge(&p(Some(100)), None, 1000, false),
            Verdict::Prune("no jail x exists".into())
        );
        assert_eq!(
            judge(&p(Some(990)), None, 1000, false),
            Verdict::Fresh {
                age: 10,
                why: "no jail x exists".into()
            }
        );
        assert_eq!(
            judge(&p(Some(941)), None, 1000, false),
            Verdict::Fresh {
                age: 59,
                why: "no jail x exists".into()
            }
        );
        assert!(matches!(
            judge(&p(Some(940)), None, 1000, false),
            Verdict::Prune(_)
        ));
        assert!(matches!(
            judge(&p(Some(999)), None, 1000, true),
            Verdict::Prune(_)
        ));
    }
}
