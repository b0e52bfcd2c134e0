//! Running an `addm` plan on a host, all or nothing.

use std::fmt;

use super::undo::{Journal, Leftover};
use crate::host::{Cloner, Host, HostError};
use crate::jib::name::epair_peer;
use crate::jib::plan::{Link, Plan};

/// `addm` stopped by the host; `leftovers` is empty when the undo put the
/// host back as it was.
#[derive(Debug)]
pub struct AddmFailure {
    pub error: HostError,
    pub undone: usize,
    pub leftovers: Vec<Leftover>,
}

impl fmt::Display for AddmFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

/// Build every link of `plan`. On success, returns the lines jib prints
/// (each new bridge's and epair end's name, in order). On failure, every
/// change this call made has been undone, newest first.
pub fn run(host: &mut dyn Host, plan: &Plan) -> Result<Vec<String>, AddmFailure> {
    let mut journal = Journal::default();
    let mut out = Vec::new();
    for link in &plan.links {
        if let Err(error) = build(host, link, &mut journal, &mut out) {
            let undone = journal.steps();
            let leftovers = journal.rollback(host);
            return Err(AddmFailure {
                error,
                undone,
                leftovers,
            });
        }
    }
    Ok(out)
}

fn build(
    host: &mut dyn Host,
    link: &Link,
    journal: &mut Journal,
    out: &mut Vec<String>,
) -> Result<(), HostError> {
    if link.parent_up {
        host.set_up(&link.parent, true)?;
        journal.raised(&link.parent);
    }
    if link.new_bridge {
        let br = host.create(Cloner::Bridge)?;
        journal.created(&br);
        host.bridge_add(&br, &link.parent)?;
        host.rename(&br, &link.bridge)?;
        journal.renamed(&br, &link.bridge);
        out.push(link.bridge.to_string());
        host.set_up(&link.bridge, true)?;
    }
    let ea = host.create(Cloner::Epair)?;
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
    host.set_up(&link.a, true)?;
    host.set_up(&link.b, true)?;
    if let Some(m) = link.macs {
        host.set_ether(&link.a, m.a)?;
        host.set_ether(&link.b, m.b)?;
    }
    Ok(())
}
