//! Which end on the host is a host end's peer: on the kernel's evidence,
//! not on names.
//!
//! A jail's root can rename its own end, and the end comes back to the
//! host when the jail's vnet is destroyed (`vnet_if_return`); a stale-pair
//! replacement that could not finish leaves the old jail end to come back
//! beside the new pair. So the end named `e{i}b_NAME` on the host need not
//! be `e{i}a_NAME`'s peer, and taking it for one would destroy, or hand to
//! jail(8), another jail's network.
//!
//! The kernel tells: sysctl `net.link.generic.ifdata.INDEX.drivername`
//! (sys/net/if_mib.c `sysctl_ifdata`) gives an interface's `if_dname` and
//! `if_dunit`, which no rename changes, and if_epair.c `epair_setup_ifp`
//! gives both ends of a pair the name `epair` and the pair's unit. Units
//! come from the host's epair cloner and stay held while an end is in a
//! jail (`epair_clone_destroy` frees them), so among the interfaces whose
//! home is the host, two ends that both answer `epairN` are one pair.
//! rjib reads the unit of an end only where the answer decides something
//! (`Units` asks each end once).

use std::collections::HashMap;
use std::fmt;

use crate::net::{Interface, JailInfo};

/// What the kernel says an end is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unit {
    /// An end of epair `N` (driver name `epairN`).
    Epair(u32),
    /// No epair: its driver name (an interface an administrator put in
    /// the group `epair`).
    Other(String),
    /// The kernel did not say: why.
    Unknown(String),
}

impl Unit {
    /// From what the host answered for the driver name: the text
    /// (`epair3`), `None` for no such interface on the host, or the error.
    pub fn from_driver(answer: Result<Option<String>, String>) -> Unit {
        match answer {
            Ok(Some(d)) => match crate::net::epair_unit(&d) {
                Some(u) => Unit::Epair(u),
                None => Unit::Other(d),
            },
            Ok(None) => Unit::Unknown("it is no longer on the host".to_string()),
            Err(e) => Unit::Unknown(e),
        }
    }
}

/// The units of ends, each asked of the kernel once.
pub struct Units<'u> {
    ask: &'u mut dyn FnMut(&Interface) -> Unit,
    known: HashMap<String, Unit>,
}

impl<'u> Units<'u> {
    pub fn new(ask: &'u mut dyn FnMut(&Interface) -> Unit) -> Units<'u> {
        Units {
            ask,
            known: HashMap::new(),
        }
    }

    pub fn of(&mut self, i: &Interface) -> Unit {
        if let Some(u) = self.known.get(i.name.as_str()) {
            return u.clone();
        }
        let u = (self.ask)(i);
        self.known.insert(i.name.to_string(), u.clone());
        u
    }
}

/// The end on the host named like a host end's peer, that is another
/// epair's end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impostor {
    pub name: String,
    /// Its epair unit.
    pub unit: u32,
    /// The host end's.
    pub a_unit: u32,
}

impl fmt::Display for Impostor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} there is an end of epair {}, not of epair {}",
            self.name, self.unit, self.a_unit
        )
    }
}

/// Where a host end's peer is, as far as the kernel shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// On the host, as `name`: it has the host end's epair unit. The pair
    /// is in no jail.
    OnHost { name: String, unit: u32 },
    /// Not on the host under its name `e{i}b_NAME`: no end is named so,
    /// or the one that is belongs to another epair. It is in some jail's
    /// vnet, or renamed.
    NotOnHost { impostor: Option<Impostor> },
    /// The units could not be read, or one end is no epair: where the
    /// peer is cannot be told.
    Unknown { why: String },
}

impl Peer {
    /// A clause for messages after "its jail end e0b_x is not on the
    /// host": which end there is not its peer, or that it may be renamed.
    pub fn not_on_host_note(&self) -> String {
        match self {
            Peer::NotOnHost {
                impostor: Some(imp),
            } => format!(" ({imp})"),
            _ => " (or was renamed)".to_string(),
        }
    }
}

/// Where a host end's jail end is, by where its peer is and what
/// jail_get(2) says of jail NAME: the kernel's evidence that both `addm`
/// (`plan`: reuse, replace, leave or refuse) and `prune` (destroy or keep)
/// decide on, each with verdicts and words of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whereabouts<'p> {
    /// On the host as `name` (epair `unit`): in no jail.
    InNoJail { name: &'p str, unit: u32 },
    /// Not on the host, and jail NAME is dying: in its vnet, which gives
    /// it back when it is destroyed. `impostor`: the end on the host
    /// with its name, another pair's.
    JailDying {
        jail: &'p JailInfo,
        impostor: Option<&'p Impostor>,
    },
    /// Not on the host, and jail NAME is running: the jail holds it.
    JailRunning {
        jail: &'p JailInfo,
        impostor: Option<&'p Impostor>,
    },
    /// Not on the host, and there is no jail NAME: in a jail whose name
    /// is not NAME, or renamed.
    OtherJail { impostor: Option<&'p Impostor> },
    /// Where it is cannot be told: why.
    CannotTell { why: &'p str },
}

/// Where the jail end of a host end whose peer is `peer` is, with `jail`
/// what jail_get(2) found of jail NAME (`None`: no such jail, or not
/// asked, which only a peer not on the host needs).
pub fn whereabouts<'p>(peer: &'p Peer, jail: Option<&'p JailInfo>) -> Whereabouts<'p> {
    match (peer, jail) {
        (Peer::OnHost { name, unit }, _) => Whereabouts::InNoJail { name, unit: *unit },
        (Peer::Unknown { why }, _) => Whereabouts::CannotTell { why },
        (Peer::NotOnHost { impostor }, None) => Whereabouts::OtherJail {
            impostor: impostor.as_ref(),
        },
        (Peer::NotOnHost { impostor }, Some(jail)) if jail.dying => Whereabouts::JailDying {
            jail,
            impostor: impostor.as_ref(),
        },
        (Peer::NotOnHost { impostor }, Some(jail)) => Whereabouts::JailRunning {
            jail,
            impostor: impostor.as_ref(),
        },
    }
}

/// The peer of host end `a`, where `b` is the epair end on the host named
/// like its peer, if there is one: the same unit, or not.
pub fn by_name(a: &Interface, b: Option<&Interface>, units: &mut Units<'_>) -> Peer {
    let Some(b) = b else {
        return Peer::NotOnHost { impostor: None };
    };
    match (units.of(a), units.of(b)) {
        (Unit::Epair(ua), Unit::Epair(ub)) if ua == ub => Peer::OnHost {
            name: b.name.to_string(),
            unit: ub,
        },
        (Unit::Epair(ua), Unit::Epair(ub)) => Peer::NotOnHost {
            impostor: Some(Impostor {
                name: b.name.to_string(),
                unit: ub,
                a_unit: ua,
            }),
        },
        (ua, ub) => Peer::Unknown {
            why: [(a, ua), (b, ub)]
                .into_iter()
                .filter_map(|(i, u)| match u {
                    Unit::Epair(_) => None,
                    Unit::Other(d) => Some(format!(
                        "{} is in the group epair but its driver is {d}, not an epair",
                        i.name
                    )),
                    Unit::Unknown(why) => Some(format!("{}'s epair unit: {why}", i.name)),
                })
                .collect::<Vec<_>>()
                .join("; "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{IfName, LinkType};

    fn end(name: &str) -> Interface {
        Interface {
            groups: vec!["epair".into()],
            ..Interface::new(IfName::new(name).unwrap(), 0, LinkType::Ether)
        }
    }

    #[test]
    fn the_unit_decides_not_the_name() {
        let table: HashMap<&str, Unit> = [
            ("e0a_web", Unit::Epair(0)),
            ("e0b_web", Unit::Epair(1)),
            ("e0a_x", Unit::Epair(3)),
            ("e0b_x", Unit::Epair(3)),
            ("e0a_y", Unit::Epair(4)),
            ("e0b_y", Unit::Other("vtnet1".into())),
            (
                "e0a_z",
                Unit::Unknown("sysctl drivername: Input/output error".into()),
            ),
        ]
        .into();
        let mut asked = Vec::new();
        let mut ask = |i: &Interface| {
            asked.push(i.name.to_string());
            table[i.name.as_str()].clone()
        };
        let mut units = Units::new(&mut ask);
        assert_eq!(
            by_name(&end("e0a_x"), Some(&end("e0b_x")), &mut units),
            Peer::OnHost {
                name: "e0b_x".into(),
                unit: 3
            }
        );
        let imp = by_name(&end("e0a_web"), Some(&end("e0b_web")), &mut units);
        assert_eq!(
            imp,
            Peer::NotOnHost {
                impostor: Some(Impostor {
                    name: "e0b_web".into(),
                    unit: 1,
                    a_unit: 0
                })
            }
        );
        assert_eq!(
            imp.not_on_host_note(),
            " (the e0b_web there is an end of epair 1, not of epair 0)"
        );
        assert_eq!(
            by_name(&end("e0a_x"), None, &mut units),
            Peer::NotOnHost { impostor: None }
        );
        assert_eq!(
            by_name(&end("e0a_y"), Some(&end("e0b_y")), &mut units),
            Peer::Unknown {
                why: "e0b_y is in the group epair but its driver is vtnet1, not an epair".into()
            }
        );
        assert!(matches!(
            by_name(&end("e0a_z"), Some(&end("e0b_x")), &mut units),
            Peer::Unknown { why } if why == "e0a_z's epair unit: sysctl drivername: Input/output error"
        ));
        drop(units);
        assert_eq!(
            asked,
            [
                "e0a_x", "e0b_x", "e0a_web", "e0b_web", "e0a_y", "e0b_y", "e0a_z"
            ],
            "each end asked once"
        );
    }

    #[test]
    fn driver_names() {
        let u = |s: &str| Unit::from_driver(Ok(Some(s.to_string())));
        assert_eq!(u("epair0"), Unit::Epair(0));
        assert_eq!(u("epair12"), Unit::Epair(12));
        assert_eq!(u("vtnet0"), Unit::Other("vtnet0".into()));
        assert_eq!(u("epair"), Unit::Other("epair".into()));
        assert_eq!(u("epairx"), Unit::Other("epairx".into()));
        assert!(matches!(Unit::from_driver(Ok(None)), Unit::Unknown(_)));
        assert_eq!(
            Unit::from_driver(Err("EIO".into())),
            Unit::Unknown("EIO".into())
        );
    }

    /// Every case of where a jail end is, as addm and prune both read it.
    #[test]
    fn whereabouts_by_peer_and_jail() {
        let running = JailInfo {
            jid: 3,
            dying: false,
        };
        let dying = JailInfo {
            jid: 3,
            dying: true,
        };
        let imp = Impostor {
            name: "e0b_x".into(),
            unit: 9,
            a_unit: 4,
        };
        let on = Peer::OnHost {
            name: "e0b_x".into(),
            unit: 4,
        };
        for j in [None, Some(&running), Some(&dying)] {
            assert_eq!(
                whereabouts(&on, j),
                Whereabouts::InNoJail {
                    name: "e0b_x",
                    unit: 4
                }
            );
            let unknown = Peer::Unknown { why: "EIO".into() };
            assert_eq!(
                whereabouts(&unknown, j),
                Whereabouts::CannotTell { why: "EIO" }
            );
        }
        for impostor in [None, Some(&imp)] {
            let gone = Peer::NotOnHost {
                impostor: impostor.cloned(),
            };
            assert_eq!(
                whereabouts(&gone, None),
                Whereabouts::OtherJail { impostor }
            );
            assert_eq!(
                whereabouts(&gone, Some(&running)),
                Whereabouts::JailRunning {
                    jail: &running,
                    impostor
                }
            );
            assert_eq!(
                whereabouts(&gone, Some(&dying)),
                Whereabouts::JailDying {
                    jail: &dying,
                    impostor
                }
            );
        }
    }
}
