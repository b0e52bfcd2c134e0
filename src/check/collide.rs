//! MAC collisions: every predicted MAC against every other one and against
//! every MAC at boot, with what would resolve each.
//!
//! The collisions are `jib::collide`'s, the finder addm warns with: one
//! pass over the predictions, linear in the number of jails. This module
//! groups them and says what resolves each.

use std::collections::{HashMap, HashSet};

use super::boot::{Boot, Source};
use super::report::{Code, Finding};
use crate::jailconf::Loc;
use crate::jib::collide::{self, Taken};
use crate::jib::mac::Scheme;
use crate::net::{Interface, Mac};

/// One MAC address an addm will set.
#[derive(Clone, Debug)]
pub struct Predicted {
    /// Which addm command (an index the caller keeps).
    pub addm: usize,
    pub jail: String,
    /// The addm's NAME.
    pub name: String,
    /// Argument index and the end's interface name.
    pub i: usize,
    pub end: String,
    pub mac: Mac,
    /// The same end's MAC under `-m sha256`, when the command uses sum.
    pub alt: Option<Mac>,
    pub parent: String,
    pub parent_mac: Option<Mac>,
    pub scheme: Scheme,
    pub loc: Loc,
}

/// Who already has a MAC.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Holder {
    /// An interface on the host (or created at boot): its name and how to
    /// describe it.
    Iface(String, String),
    /// An earlier prediction (index).
    Pred(usize),
}

/// The findings for every collision in `preds` (in jail order) with each
/// other and with the interfaces at boot. `listing` is the host as it is:
/// an end that already exists with the MAC predicted for it (a running
/// jail's own epair) is not a collision.
pub fn find(preds: &[Predicted], listing: &[Interface], boot: &Boot) -> Vec<Finding> {
    let predicted_for: HashMap<&str, Mac> = preds.iter().map(|p| (p.end.as_str(), p.mac)).collect();
    let mut taken: Taken<Holder> = Taken::default();
    for i in listing {
        let Some(m) = i.ether else { continue };
        if predicted_for.get(i.name.as_str()) == Some(&m) {
            continue; // its own epair, already there
        }
        taken.add(
            m,
            Holder::Iface(i.name.to_string(), format!("{} on this host", i.name)),
        );
    }
    // What boot adds with a known MAC (a vlan has its parent's).
    let mut born: Vec<(&str, Mac, String)> = boot
        .all()
        .filter_map(|b| match &b.source {
            Source::Boot { var, loc } => b.iface.ether.map(|m| {
                (
                    b.iface.name.as_str(),
                    m,
                    format!(
                        "{}, which rc.conf creates at boot ({var}, {})",
                        b.iface.name,
                        loc.file_line()
                    ),
                )
            }),
            _ => None,
        })
        .collect();
    born.sort();
    for (name, m, what) in born {
        taken.add(m, Holder::Iface(name.to_string(), what));
    }
    let all_predicted: HashSet<Mac> = preds.iter().map(|p| p.mac).collect();
    let idx = Index::new(preds);

    // Each prediction's collision, grouped by its pair and the holder: an
    // earlier pair, or the host's interfaces all together (one finding for
    // a pair whose two ends collide with two interfaces, as with another
    // jail's epair already on the host).
    let mut groups: Vec<(Holder, Vec<(usize, Holder)>)> = Vec::new();
    let mut group_of: HashMap<((usize, usize), Option<Holder>), usize> = HashMap::new();
    for (k, held) in taken.collisions(preds.iter().map(|p| p.mac)) {
        let p = &preds[k];
        let holder = match held {
            collide::Holder::Present(h) => h.clone(),
            // Group by the holder's pair, not its end.
            collide::Holder::Predicted(f) => {
                Holder::Pred(idx.pair_first[&(preds[f].addm, preds[f].i)])
            }
        };
        let kind = match &holder {
            Holder::Iface(..) => None,
            pred => Some(pred.clone()),
        };
        let key = ((p.addm, p.i), kind);
        match group_of.get(&key) {
            Some(&g) => groups[g].1.push((k, holder)),
            None => {
                group_of.insert(key, groups.len());
                groups.push((holder.clone(), vec![(k, holder)]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(holder, members)| {
            let ks: Vec<usize> = members.iter().map(|(k, _)| *k).collect();
            let mut hosts: Vec<&str> = Vec::new();
            for (_, h) in &members {
                if let Holder::Iface(_, what) = h
                    && !hosts.contains(&what.as_str())
                {
                    hosts.push(what);
                }
            }
            let hosts: Vec<String> = hosts.into_iter().map(str::to_string).collect();
            finding(preds, &idx, &ks, &holder, &hosts, &taken, &all_predicted)
        })
        .collect()
}

/// Lookups into the predictions by pair.
struct Index {
    /// (addm, i) → the pair's first prediction.
    pair_first: HashMap<(usize, usize), usize>,
    /// (addm, i, MAC) → the prediction.
    by_mac: HashMap<(usize, usize, Mac), usize>,
}

impl Index {
    fn new(preds: &[Predicted]) -> Index {
        let mut pair_first = HashMap::new();
        let mut by_mac = HashMap::new();
        for (k, p) in preds.iter().enumerate() {
            pair_first.entry((p.addm, p.i)).or_insert(k);
            by_mac.entry((p.addm, p.i, p.mac)).or_insert(k);
        }
        Index { pair_first, by_mac }
    }
}

fn and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The finding for the predictions `ks` of one pair, which collide with
/// `holder`'s; `hosts` describes the host's interfaces they collide with,
/// when `holder` is one.
fn finding(
    preds: &[Predicted],
    idx: &Index,
    ks: &[usize],
    holder: &Holder,
    hosts: &[String],
    taken: &Taken<Holder>,
    all_predicted: &HashSet<Mac>,
) -> Finding {
    let x = &preds[ks[0]];
    let ends = and(&ks.iter().map(|&k| preds[k].end.clone()).collect::<Vec<_>>());
    let macs = and(&ks
        .iter()
        .map(|&k| preds[k].mac.to_string())
        .collect::<Vec<_>>());
    // A MAC under sha256 that is free: not on the host, not predicted.
    let free = |m: Mac| !taken.has(m) && !all_predicted.contains(&m);
    let (whose, remedy, other_jail) = match holder {
        Holder::Iface(..) => {
            let sha = ks.iter().all(|&k| preds[k].alt.is_some_and(&free));
            let remedy = if sha {
                "give the jail another NAME, or derive with -m sha256 in this addm, which gives free MACs".to_string()
            } else if x.scheme == Scheme::Sha256 {
                "give the jail another NAME".to_string()
            } else {
                "give the jail another NAME (-m sha256 does not help: its MACs are taken too)"
                    .to_string()
            };
            (format!("already used by {}", and(hosts)), remedy, None)
        }
        Holder::Pred(f) => {
            let y = &preds[*f];
            // The holder's ends, matched to ours by MAC.
            let theirs: Vec<&Predicted> = ks
                .iter()
                .map(|&k| {
                    idx.by_mac
                        .get(&(y.addm, y.i, preds[k].mac))
                        .map_or(y, |&q| &preds[q])
                })
                .collect();
            let their_ends = and(&theirs.iter().map(|q| q.end.clone()).collect::<Vec<_>>());
            let same_cmd = x.addm == y.addm;
            let whose = if same_cmd {
                format!("the MACs this addm also gives {their_ends}")
            } else {
                format!(
                    "the MACs of {their_ends} (jail {}, {})",
                    y.jail,
                    y.loc.file_line()
                )
            };
            let pairs: Vec<(&Predicted, &Predicted)> = ks
                .iter()
                .map(|&k| &preds[k])
                .zip(theirs.iter().copied())
                .collect();
            // Which switch to sha256 separates every colliding end.
            let ours_only =
                !same_cmd && pairs.iter().all(|(p, q)| p.alt.is_some_and(|m| m != q.mac));
            let theirs_only =
                !same_cmd && pairs.iter().all(|(p, q)| q.alt.is_some_and(|m| m != p.mac));
            let both = pairs
                .iter()
                .all(|(p, q)| matches!((p.alt, q.alt), (Some(a), Some(b)) if a != b));
            let rename = x.name != y.name;
            let sha = if ours_only || (same_cmd && both) {
                Some("derive with -m sha256 in this addm".to_string())
            } else if theirs_only {
                Some(format!(
                    "derive with -m sha256 in jail {}'s addm ({})",
                    y.jail,
                    y.loc.file_line()
                ))
            } else if both {
                Some("derive with -m sha256 in both addm commands".to_string())
            } else {
                None
            };
            let remedy = match (rename, sha) {
                (true, Some(s)) => format!("give one of the jails another NAME, or {s}"),
                (true, None) => {
                    if x.scheme == Scheme::Sha256 && y.scheme == Scheme::Sha256 {
                        "give one of the jails another NAME".to_string()
                    } else {
                        "give one of the jails another NAME (-m sha256 does not separate them)"
                            .to_string()
                    }
                }
                (false, Some(s)) => format!(
                    "{s} (another NAME does not help: both pairs belong to NAME {})",
                    x.name
                ),
                (false, None) => neither(x, y),
            };
            let other = (y.jail != x.jail).then(|| y.jail.clone());
            (whose, remedy, other)
        }
    };
    let mut f = Finding::new(
        &x.loc,
        &x.jail,
        Code::MacCollision,
        format!(
            "addm {}: {ends} would get {macs}, {whose}; {remedy}",
            x.name
        ),
    );
    f.other_jail = other_jail;
    f
}

/// Why neither another NAME nor sha256 separates two pairs of one NAME.
fn neither(x: &Predicted, y: &Predicted) -> String {
    if x.parent == y.parent {
        return format!(
            "the counter in the first octet has four bits, so the 17th pair derived from {} in one addm \
             repeats the first; neither another NAME nor -m sha256 changes that: write ! in front of some \
             of the {} arguments",
            x.parent, x.parent
        );
    }
    let macs = match (y.parent_mac, x.parent_mac) {
        (Some(m), Some(n)) if m == n => format!("have the same MAC address {m}"),
        (Some(m), Some(n)) => {
            format!("have MAC addresses ({m}, {n}) that agree in the octets the derivation keeps")
        }
        _ => "have MAC addresses that agree in the octets the derivation keeps".to_string(),
    };
    format!(
        "{} and {} {macs}, and each pair is the same count on its parent, so neither another NAME \
         nor -m sha256 separates them; write !{} to keep the kernel's MACs for that pair, or give {} \
         a MAC address of its own",
        y.parent, x.parent, x.parent, x.parent
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jib::mac::derive_with;
    use crate::net::{IfName, LinkType};
    use std::path::PathBuf;

    fn pred(
        addm: usize,
        jail: &str,
        name: &str,
        i: usize,
        (parent, pmac): (&str, &str),
        n: u32,
        scheme: Scheme,
    ) -> [Predicted; 2] {
        let pm: Mac = pmac.parse().unwrap();
        let m = derive_with(scheme, pm, name, n);
        let alt = (scheme == Scheme::Sum).then(|| derive_with(Scheme::Sha256, pm, name, n));
        let loc = Loc {
            file: PathBuf::from("/etc/jail.conf").into(),
            line: 10 * addm as u32 + 1,
            col: 1,
        };
        let mk = |end: String, mac: Mac, alt: Option<Mac>| Predicted {
            addm,
            jail: jail.into(),
            name: name.into(),
            i,
            end,
            mac,
            alt,
            parent: parent.into(),
            parent_mac: Some(pm),
            scheme,
            loc: loc.clone(),
        };
        [
            mk(format!("e{i}a_{name}"), m.a, alt.map(|p| p.a)),
            mk(format!("e{i}b_{name}"), m.b, alt.map(|p| p.b)),
        ]
    }

    fn iface(name: &str, mac: &str) -> Interface {
        Interface {
            ether: Some(mac.parse().unwrap()),
            ..Interface::new(IfName::new(name).unwrap(), 1, LinkType::Ether)
        }
    }

    const EM0: &str = "00:25:90:ab:cd:ef";

    #[test]
    fn ab_and_ca_collide_and_sha256_separates_them() {
        let mut p = pred(0, "ab", "ab", 0, ("em0", EM0), 0, Scheme::Sum).to_vec();
        p.extend(pred(1, "ca", "ca", 0, ("em0", EM0), 0, Scheme::Sum));
        let f = find(&p, &[iface("em0", EM0)], &Boot::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].jail, "ca");
        assert_eq!(f[0].other_jail.as_deref(), Some("ab"));
        assert_eq!(
            f[0].message,
            "addm ca: e0a_ca and e0b_ca would get 02:80:92:ab:cd:ef and 0e:80:92:ab:cd:ef, \
             the MACs of e0a_ab and e0b_ab (jail ab, /etc/jail.conf:1); give one of the jails \
             another NAME, or derive with -m sha256 in this addm"
        );
    }

    #[test]
    fn a_running_jails_own_epair_is_no_collision_but_anothers_is() {
        let p = pred(0, "ab", "ab", 0, ("em0", EM0), 0, Scheme::Sum);
        let own = [
            iface("em0", EM0),
            iface("e0a_ab", &p[0].mac.to_string()),
            iface("e0b_ab", &p[1].mac.to_string()),
        ];
        assert!(find(&p, &own, &Boot::default()).is_empty());
        // Both of ca's ends collide with ab's epair on the host: one cause,
        // one finding (issue 14, D13).
        let q = pred(0, "ca", "ca", 0, ("em0", EM0), 0, Scheme::Sum);
        let f = find(&q, &own, &Boot::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains(
                "e0a_ca and e0b_ca would get 02:80:92:ab:cd:ef and 0e:80:92:ab:cd:ef, \
                 already used by e0a_ab on this host and e0b_ab on this host"
            ),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("-m sha256 in this addm"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_vlan_and_its_parent_share_a_mac_and_nothing_but_bang_helps() {
        // addm web em0 em0.5: both pairs are their parent's first.
        let mut p = pred(0, "web", "web", 0, ("em0", EM0), 0, Scheme::Sum).to_vec();
        p.extend(pred(0, "web", "web", 1, ("em0.5", EM0), 0, Scheme::Sum));
        let f = find(&p, &[iface("em0", EM0)], &Boot::default());
        assert_eq!(f.len(), 1);
        let m = &f[0].message;
        assert!(
            m.starts_with("addm web: e1a_web and e1b_web would get"),
            "{m}"
        );
        assert!(
            m.contains("the MACs this addm also gives e0a_web and e0b_web"),
            "{m}"
        );
        assert!(
            m.contains("em0 and em0.5 have the same MAC address 00:25:90:ab:cd:ef"),
            "{m}"
        );
        assert!(m.contains("neither another NAME nor -m sha256"), "{m}");
        assert!(m.contains("write !em0.5"), "{m}");
        assert_eq!(f[0].other_jail, None);
    }

    #[test]
    fn same_name_on_two_parents_of_one_mac_in_two_schemes() {
        // Two jails, one NAME each, but sha256 already: only a rename helps.
        let mut p = pred(0, "a", "ab", 0, ("em0", EM0), 0, Scheme::Sha256).to_vec();
        let mut q = pred(1, "b", "ab", 0, ("em0.5", EM0), 0, Scheme::Sha256).to_vec();
        p.append(&mut q);
        let f = find(&p, &[], &Boot::default());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("neither another NAME"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn counter_wrap_on_one_parent() {
        let mut p = pred(0, "x", "x", 0, ("em0", EM0), 0, Scheme::Sum).to_vec();
        p.extend(pred(0, "x", "x", 16, ("em0", EM0), 16, Scheme::Sum));
        let f = find(&p, &[], &Boot::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("17th pair"), "{}", f[0].message);
    }
}
