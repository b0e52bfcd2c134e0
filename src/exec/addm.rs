//! Running an `addm` plan on a host, all or nothing.

use std::fmt;

use super::undo::{Journal, Leftover};
use crate::host::{Cloner, Errno, Host, HostError};
use crate::jib::name::{IfName, epair_peer};
use crate::jib::plan::{Link, Plan};

/// How many explicit epair units `create_epair` tries after the kernel
/// refused an anonymous create.
pub const EPAIR_UNIT_TRIES: u32 = 64;

/// `addm` stopped by the host; `leftovers` is empty when the undo put the
/// host back as it was.
#[derive(Debug)]
pub struct AddmFailure {
    pub error: HostError,
    pub undone: usize,
    pub leftovers: Vec<Leftover>,
    /// The module whose kldload(2) failed, before any change.
    pub module: Option<Cloner>,
}

impl fmt::Display for AddmFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = self.module {
            let m = c.module();
            return write!(
                f,
                "kldload {m}: {}; the {} cloner needs it: load it on the host (kldload {m}), \
                 or add kld_list=\"if_bridge if_epair\" to /etc/rc.conf",
                self.error.reason,
                c.as_str()
            );
        }
        write!(f, "{}", self.error)?;
        if self.leftovers.is_empty() {
            return write!(f, "; nothing was changed ({} step(s) undone)", self.undone);
        }
        let what: Vec<String> = self
            .leftovers
            .iter()
            .map(|l| format!("{} ({})", l.iface, l.error))
            .collect();
        let fix: Vec<&str> = self.leftovers.iter().map(|l| l.fix.as_str()).collect();
        write!(
            f,
            "; undo failed, left behind: {}; finish by hand: {}",
            what.join(", "),
            fix.join("; ")
        )
    }
}

/// A finished `addm`: the lines jib prints, and the journal that can still
/// take it all back (until the caller has reported success).
#[derive(Debug)]
pub struct Built {
    pub lines: Vec<String>,
    pub journal: Journal,
}

/// Load the modules of the cloners `plan` needs that are missing, as
/// ifconfig(8) does before `create` (`ifmaybeload`). Nothing else has
/// changed yet, and a loaded module is never unloaded.
fn load_modules(host: &mut dyn Host, plan: &Plan) -> Result<(), Box<AddmFailure>> {
    for c in plan.cloners() {
        let loaded = host.cloner_loaded(c).and_then(|yes| match yes {
            true => Ok(()),
            false => host.load_cloner(c),
        });
        if let Err(error) = loaded {
            return Err(Box::new(AddmFailure {
                error,
                undone: 0,
                leftovers: Vec::new(),
                module: Some(c),
            }));
        }
    }
    Ok(())
}

/// Build every link of `plan`. `taken` are the names on the host before
/// the run. On failure, every change this call made has been undone,
/// newest first.
pub fn run(host: &mut dyn Host, plan: &Plan, taken: &[IfName]) -> Result<Built, Box<AddmFailure>> {
    load_modules(host, plan)?;
    let mut names: std::collections::HashSet<String> =
        taken.iter().map(|n| n.to_string()).collect();
    let mut journal = Journal::default();
    let mut lines = Vec::new();
    for link in &plan.links {
        if let Err(error) = build(host, link, &mut journal, &mut lines, &mut names) {
            let undone = journal.steps();
            let leftovers = journal.rollback(host);
            return Err(Box::new(AddmFailure {
                error,
                undone,
                leftovers,
                module: None,
            }));
        }
    }
    Ok(Built { lines, journal })
}

/// A new epair; its `a` end's name. When the kernel refuses the anonymous
/// create with EEXIST (a stray `epairNa`/`epairNb` blocks the unit it
/// picks: if_epair.c `epair_handle_unit` does not move on), ask for the
/// lowest unit whose `epairN`, `epairNa` and `epairNb` are all free, up to
/// `EPAIR_UNIT_TRIES` of them.
fn create_epair(
    host: &mut dyn Host,
    names: &std::collections::HashSet<String>,
) -> Result<IfName, HostError> {
    let first = match host.create(Cloner::Epair, None) {
        Err(e) if e.errno_value() == Some(Errno::EEXIST) => e,
        other => return other,
    };
    let free = (0u32..)
        .filter(|&u| {
            let bare = Cloner::Epair.request(Some(u));
            !names.contains(&bare) && !Cloner::Epair.unit_blocked(u, |n| names.contains(n))
        })
        .take(EPAIR_UNIT_TRIES as usize);
    for unit in free {
        match host.create(Cloner::Epair, Some(unit)) {
            Err(e) if e.errno_value() == Some(Errno::EEXIST) => continue,
            other => return other,
        }
    }
    Err(first)
}

fn build(
    host: &mut dyn Host,
    link: &Link,
    journal: &mut Journal,
    out: &mut Vec<String>,
    names: &mut std::collections::HashSet<String>,
) -> Result<(), HostError> {
    if link.parent_up {
        host.set_up(&link.parent, true)?;
        journal.raised(&link.parent);
    }
    if link.new_bridge {
        let br = host.create(Cloner::Bridge, None)?;
        journal.created(&br);
        host.bridge_add(&br, &link.parent)?;
        host.rename(&br, &link.bridge)?;
        journal.renamed(&br, &link.bridge);
        names.insert(link.bridge.to_string());
        out.push(link.bridge.to_string());
        host.set_up(&link.bridge, true)?;
    }
    let ea = create_epair(host, names)?;
    journal.created(&ea);
    let eb = epair_peer(&ea).ok_or_else(|| {
        HostError::other(
            Some(ea.to_string()),
            "create",
            "the kernel did not name an epair a end",
        )
    })?;
    // Both ends get the bridge's MTU before the a end joins: the kernel
    // would change only the a end (or the bridge, if it has no members).
    if host.mtu(&ea)? != link.mtu {
        host.set_mtu(&ea, link.mtu)?;
        host.set_mtu(&eb, link.mtu)?;
    }
    host.bridge_add(&link.bridge, &ea)?;
    host.rename(&ea, &link.a)?;
    journal.renamed(&ea, &link.a);
    out.push(link.a.to_string());
    host.rename(&eb, &link.b)?;
    out.push(link.b.to_string());
    names.extend([link.a.to_string(), link.b.to_string()]);
    host.set_up(&link.a, true)?;
    host.set_up(&link.b, true)?;
    if let Some(m) = link.macs {
        host.set_ether(&link.a, m.a)?;
        host.set_ether(&link.b, m.b)?;
    }
    Ok(())
}
