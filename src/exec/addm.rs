//! Running an `addm` plan on a host, all or nothing.

use std::collections::HashSet;
use std::fmt;

use super::interrupt::Interruptible;
use super::undo::{Journal, Leftover};
use crate::host::{Host, HostError, Priority};
use crate::jib::descr;
use crate::jib::name::JailName;
use crate::jib::plan::{Link, Plan, Refresh};
use crate::jib::vlan::Uplink;
use crate::net::{BridgeFlags, Cloner, Errno, IfName, VlanOp, VlanSet, epair_peer};
use crate::signals::Stop;

/// How many explicit epair units `create_epair` tries after the kernel
/// refused an anonymous create.
pub const EPAIR_UNIT_TRIES: u32 = 64;

/// `addm` stopped by the host or a signal; `leftovers` is empty when the
/// undo put the host back as it was.
#[derive(Debug)]
pub struct AddmFailure {
    pub error: HostError,
    pub undone: usize,
    pub leftovers: Vec<Leftover>,
    /// The module whose kldload(2) failed, before any change.
    pub module: Option<Cloner>,
    /// The modules this run loaded: they stay loaded.
    pub loaded: Vec<Cloner>,
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
        undo_outcome(f, self.undone, &self.leftovers)?;
        for c in &self.loaded {
            write!(f, "; {} stays loaded", c.module())?;
        }
        Ok(())
    }
}

/// "; nothing was changed (N step(s) undone)", or what the undo left.
pub fn undo_outcome(f: &mut dyn fmt::Write, undone: usize, leftovers: &[Leftover]) -> fmt::Result {
    if leftovers.is_empty() {
        return write!(f, "; nothing was changed ({undone} step(s) undone)");
    }
    let what: Vec<String> = leftovers
        .iter()
        .map(|l| format!("{} ({})", l.iface, l.error))
        .collect();
    let fix: Vec<&str> = leftovers.iter().map(|l| l.fix.as_str()).collect();
    write!(
        f,
        "; undo failed, left behind: {}; finish by hand: {}",
        what.join(", "),
        fix.join("; ")
    )
}

/// "; everything else is undone (N step(s))", or what the undo left: for a
/// run of which one part cannot be undone (a stale pair destroyed).
pub fn undo_rest(f: &mut dyn fmt::Write, undone: usize, leftovers: &[Leftover]) -> fmt::Result {
    match leftovers.is_empty() {
        true => write!(f, "; everything else is undone ({undone} step(s))"),
        false => undo_outcome(f, undone, leftovers),
    }
}

/// A built `addm`: the lines jib prints, the journal that can still take it
/// all back, and the stale pairs to destroy once it is final.
#[derive(Debug)]
pub struct Built {
    pub lines: Vec<String>,
    pub journal: Journal,
    /// Stale pairs of a dying jail, named aside (`rjibstale0`), with the
    /// name each had.
    pub stale: Vec<(IfName, IfName)>,
    /// The names stale pairs had that `finish` destroyed.
    pub destroyed: Vec<IfName>,
    pub jail: String,
}

/// A stale pair `finish` could not destroy. The new pair is kept (jail(8)
/// has its names); the old one stays under its aside name, where `prune`
/// finds it.
#[derive(Debug)]
pub struct StaleLeft {
    pub aside: IfName,
    pub was: IfName,
    pub jail: String,
    pub error: HostError,
    /// Whether the aside has the description rjib gives a host end of
    /// the jail, by which `prune NAME` finds it.
    pub described: bool,
}

impl fmt::Display for StaleLeft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let StaleLeft {
            aside,
            was,
            jail,
            error,
            described,
        } = self;
        // Not `prune -f`: right now the new pair, and those of jails being
        // started beside it, are on the host and fresh, and only the guard
        // keeps prune from them. The aside is as old as the stale pair (a
        // rename does not stamp its last change), so the guard lets it go.
        let prune = match described {
            true => format!("rjib prune {jail}"),
            false => "rjib prune".to_string(),
        };
        write!(
            f,
            "warning: {error}; {aside} is the stale pair of dying jail {jail} (it was {was}) and stays; \
             the new pair is kept; remove the old one later with {prune}"
        )
    }
}

impl Built {
    /// Take it all back (stdout failed, or a signal came): the new pairs
    /// are destroyed and the stale ones not destroyed yet get their names
    /// back. Logged.
    pub fn undo(self, host: &mut dyn Host, why: &str) -> (usize, Vec<Leftover>) {
        undo(host, self.journal, &self.jail, why)
    }

    /// The last step: destroy the stale pairs named aside (each takes its
    /// `b` end with it, wherever it is: `epair_clone_destroy`). One that
    /// cannot be destroyed stays, named aside, and is returned: the new
    /// pair is not undone for it (D7 of issue 14). A destroyed one is no
    /// longer in the journal: an undo after this cannot bring it back.
    pub fn finish(&mut self, host: &mut dyn Host) -> Vec<StaleLeft> {
        let mut left = Vec::new();
        for (aside, was) in std::mem::take(&mut self.stale) {
            match host.destroy(&aside) {
                Ok(()) => {
                    self.journal.forget_move(&aside);
                    host.syslog(
                        Priority::Notice,
                        &format!(
                            "{was}: destroyed the stale pair of dying jail {} (its new pair has the name)",
                            self.jail
                        ),
                    );
                    self.destroyed.push(was);
                }
                Err(error) => {
                    let described = host
                        .description(&aside)
                        .ok()
                        .flatten()
                        .and_then(|d| descr::jail_of_host_end(&d).map(|j| j == self.jail))
                        .unwrap_or(false);
                    let l = StaleLeft {
                        aside,
                        was,
                        jail: self.jail.clone(),
                        error,
                        described,
                    };
                    host.syslog(Priority::Warning, &l.to_string());
                    left.push(l);
                }
            }
        }
        left
    }
}

/// Roll `journal` back, and log it.
fn undo(host: &mut dyn Host, journal: Journal, jail: &str, why: &str) -> (usize, Vec<Leftover>) {
    let steps = journal.steps();
    if steps == 0 {
        return (0, Vec::new());
    }
    let what = journal.describe();
    let leftovers = journal.rollback(host);
    let mut note = format!("addm {jail}: undone after {why}: {}", what.join("; "));
    if !leftovers.is_empty() {
        let _ = undo_outcome(&mut note, steps, &leftovers);
    }
    let priority = if leftovers.is_empty() {
        Priority::Notice
    } else {
        Priority::Err
    };
    host.syslog(priority, &note);
    (steps, leftovers)
}

/// Load the modules of the cloners `plan` needs that are missing, as
/// ifconfig(8) does before `create` (`ifmaybeload`). Nothing else has
/// changed yet, and a loaded module is never unloaded. EEXIST means it
/// was loaded meanwhile.
fn load_modules(
    host: &mut dyn Host,
    cloners: &[Cloner],
    loaded: &mut Vec<Cloner>,
) -> Result<(), HostError> {
    for &c in cloners {
        if host.cloner_loaded(c)? {
            continue;
        }
        match host.load_cloner(c) {
            Err(e) if e.errno_value() == Some(Errno::EEXIST) => {}
            Err(e) => return Err(e),
            Ok(()) => {
                loaded.push(c);
                host.syslog(
                    Priority::Notice,
                    &format!("loaded {} for the {} cloner", c.module(), c.as_str()),
                );
            }
        }
    }
    Ok(())
}

/// Load the modules of `cloners` that are missing, and nothing else, for a
/// caller that must read what only a loaded module shows (if_bridge's
/// sysctls) before it plans for good; `plan` is what it would build.
/// Returns the modules loaded; a failure, or a signal `stop` reports,
/// changes nothing else.
pub fn load(
    host: &mut dyn Host,
    cloners: &[Cloner],
    plan: &Plan,
    jail: &JailName,
    stop: &dyn Stop,
) -> Result<Vec<Cloner>, Box<AddmFailure>> {
    let what = format!("addm {jail}");
    let mut loaded = Vec::new();
    let mut g = Interruptible {
        host: &mut *host,
        stop,
        what: &what,
    };
    let r = g
        .check()
        .and_then(|()| load_modules(&mut g, cloners, &mut loaded))
        .and_then(|()| g.check());
    match r {
        Ok(()) => Ok(loaded),
        Err(error) => Err(Box::new(AddmFailure {
            module: load_failure(plan, &error),
            error,
            undone: 0,
            leftovers: Vec::new(),
            loaded,
        })),
    }
}

/// Build every link of `plan` for `jail`. `taken` are the names on the
/// host before the run. A signal `stop` reports stops the work before the
/// next change. On failure, every change this call made has been undone,
/// newest first (modules stay loaded).
pub fn run(
    host: &mut dyn Host,
    plan: &Plan,
    jail: &JailName,
    taken: &[IfName],
    stop: &dyn Stop,
) -> Result<Built, Box<AddmFailure>> {
    let what = format!("addm {jail}");
    let mut b = Built {
        lines: Vec::new(),
        journal: Journal::default(),
        stale: Vec::new(),
        destroyed: Vec::new(),
        jail: jail.to_string(),
    };
    let mut names: HashSet<String> = taken.iter().map(|n| n.to_string()).collect();
    let mut loaded = Vec::new();
    let result = {
        let mut g = Interruptible {
            host: &mut *host,
            stop,
            what: &what,
        };
        (|| {
            g.check()?;
            for r in &plan.refresh {
                refresh(&mut g, r, jail, &mut b.journal)?;
            }
            load_modules(&mut g, &plan.cloners(), &mut loaded)?;
            for link in &plan.links {
                build(&mut g, link, &mut b, &mut names)?;
            }
            g.check()
        })()
    };
    match result {
        Ok(()) => Ok(b),
        Err(error) => {
            let module = load_failure(plan, &error);
            let why = error.to_string();
            let (undone, leftovers) = undo(host, b.journal, &b.jail, &why);
            Err(Box::new(AddmFailure {
                error,
                undone,
                leftovers,
                module,
                loaded,
            }))
        }
    }
}

/// The cloner whose module load `error` is about, if it is one.
fn load_failure(plan: &Plan, error: &HostError) -> Option<Cloner> {
    if error.what != "kldload" {
        return None;
    }
    plan.cloners()
        .into_iter()
        .find(|c| error.iface.as_deref() == Some(c.module()))
}

/// A new epair; its `a` end's name. When the kernel refuses the anonymous
/// create with EEXIST (a stray `epairNa`/`epairNb` blocks the unit it
/// picks: if_epair.c `epair_handle_unit` does not move on), ask for the
/// lowest unit whose `epairN`, `epairNa` and `epairNb` are all free, up to
/// `EPAIR_UNIT_TRIES` of them.
fn create_epair(host: &mut dyn Host, names: &HashSet<String>) -> Result<IfName, HostError> {
    let first = match host.create(Cloner::Epair, None) {
        Err(e) if e.errno_value() == Some(Errno::EEXIST) => e,
        other => return other,
    };
    let taken = |n: &str| names.contains(n);
    let free = Cloner::Epair
        .free_units(0, |_| false, taken)
        .filter(|&u| !Cloner::Epair.unit_blocked(u, taken))
        .take(EPAIR_UNIT_TRIES as usize);
    for unit in free {
        match host.create(Cloner::Epair, Some(unit)) {
            Err(e) if e.errno_value() == Some(Errno::EEXIST) => continue,
            other => return other,
        }
    }
    Err(first)
}

/// Give a reused pair's host end the VLANs asked for, when they differ
/// (the uplink first, then its untagged VLAN, then its tagged set, each
/// journalled), and set the pair's flags again, as they are: the kernel
/// stamps its last change (see `plan::Refresh`), which needs no undo.
fn refresh(
    host: &mut dyn Host,
    r: &Refresh,
    jail: &JailName,
    journal: &mut Journal,
) -> Result<(), HostError> {
    let mut changed = String::new();
    if let Some(t) = &r.retag {
        if let Uplink::Add(vids) = &t.uplink {
            tag_uplink(host, &t.bridge, &t.parent, vids, jail.as_str(), journal)?;
        }
        let mut now = Vec::new();
        let mut had = Vec::new();
        if let Some((old, new)) = t.pvid {
            host.set_member_pvid(&t.bridge, &r.a, Some(new))?;
            journal.pvid(&t.bridge, &r.a, old);
            now.push(format!("untagged {new}"));
            had.push(old.map_or("no untagged VLAN".to_string(), |v| format!("untagged {v}")));
        }
        if let Some((old, new)) = &t.tagged {
            host.set_member_vlans(&t.bridge, &r.a, VlanOp::Set, new)?;
            journal.vlanset(&t.bridge, &r.a, old);
            now.push(format!("tagged {new}"));
            had.push(format!("tagged {old}"));
        }
        changed = format!("; {} now {} (was {})", r.a, now.join(" "), had.join(" "));
    }
    host.set_up(&r.a, r.a_up)?;
    host.set_up(&r.b, r.b_up)?;
    host.syslog(
        Priority::Notice,
        &format!(
            "{}, {}: reused for jail {jail}{changed}; their last change is now, so prune leaves them \
             alone for a minute",
            r.a, r.b
        ),
    );
    Ok(())
}

/// Let `parent`, the uplink of `bridge`, carry `vids` tagged too
/// (BRDGSIFVLANSET, ADD), journalled to be taken away again (DEL), and
/// say so to syslog: before any epair joins in them, for a new pair and a
/// reused one alike.
fn tag_uplink(
    host: &mut dyn Host,
    bridge: &IfName,
    parent: &IfName,
    vids: &VlanSet,
    jail: &str,
    journal: &mut Journal,
) -> Result<(), HostError> {
    host.set_member_vlans(bridge, parent, VlanOp::Add, vids)?;
    journal.tagged(bridge, parent, vids);
    host.syslog(
        Priority::Notice,
        &format!("{bridge}: {parent} now carries VLAN {vids} tagged too (jail {jail})"),
    );
    Ok(())
}

/// A name to put a stale `a` end aside under: `rjibstaleN`, free.
fn aside_name(names: &HashSet<String>) -> IfName {
    (0u32..)
        .map(crate::jib::name::aside)
        .find(|n| !names.contains(n))
        .and_then(|n| IfName::new(n).ok())
        .expect("a free name")
}

fn build(
    host: &mut dyn Host,
    link: &Link,
    b: &mut Built,
    names: &mut HashSet<String>,
) -> Result<(), HostError> {
    let journal = &mut b.journal;
    let jail = b.jail.as_str();
    if let Some(old) = &link.stale {
        let aside = aside_name(names);
        host.rename(old, &aside)?;
        journal.moved(old, &aside);
        names.remove(old.as_str());
        names.insert(aside.to_string());
        b.stale.push((aside, old.clone()));
    }
    if link.parent_up {
        host.set_up(&link.parent, true)?;
        journal.raised(&link.parent);
    }
    // The uplink carries the jails' VLANs before an epair joins in them.
    if let Uplink::Add(vids) = &link.uplink {
        tag_uplink(host, &link.bridge, &link.parent, vids, jail, journal)?;
    }
    if link.new_bridge {
        let br = host.create(Cloner::Bridge, None)?;
        journal.created(&br);
        let filtering = match &link.uplink {
            Uplink::NewFiltering(vids) => Some(vids),
            _ => None,
        };
        // A bridge just created has no flags (`bridge_clone_create`
        // zeroes its softc), so there is nothing to read before setting
        // VLANFILTER, where ifconfig's `vlanfilter` reads them first.
        if filtering.is_some() {
            host.set_bridge_flags(&br, BridgeFlags::default().with_vlanfilter())?;
        }
        host.bridge_add(&br, &link.parent)?;
        // A new member's tagged set is empty (`bridge_ioctl_add`).
        if let Some(vids) = filtering.filter(|v| !v.is_empty()) {
            host.set_member_vlans(&br, &link.parent, VlanOp::Set, vids)?;
        }
        host.rename(&br, &link.bridge)?;
        journal.renamed(&br, &link.bridge);
        names.insert(link.bridge.to_string());
        b.lines.push(link.bridge.to_string());
        host.set_description(&link.bridge, &descr::bridge(&link.parent))?;
        host.set_up(&link.bridge, true)?;
        let how = match filtering {
            Some(vids) => format!(
                "created, VLAN-filtering, bridging {} tagged {vids}",
                link.parent
            ),
            None => format!("created, bridging {}", link.parent),
        };
        host.syslog(
            Priority::Notice,
            &format!("{}: {how} (jail {jail})", link.bridge),
        );
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
    // Its VLANs before it is up, so it never forwards in the wrong one.
    host.bridge_add(&link.bridge, &ea)?;
    if let Some(v) = link.member.untagged {
        host.set_member_pvid(&link.bridge, &ea, Some(v))?;
    }
    if !link.member.tagged.is_empty() {
        host.set_member_vlans(&link.bridge, &ea, VlanOp::Set, &link.member.tagged)?;
    }
    host.rename(&ea, &link.a)?;
    journal.renamed(&ea, &link.a);
    b.lines.push(link.a.to_string());
    host.rename(&eb, &link.b)?;
    b.lines.push(link.b.to_string());
    names.extend([link.a.to_string(), link.b.to_string()]);
    host.set_description(&link.a, &descr::host_end(jail))?;
    host.set_description(&link.b, &descr::jail_end(jail))?;
    host.set_up(&link.a, true)?;
    host.set_up(&link.b, true)?;
    if let Some(m) = link.macs {
        host.set_ether(&link.a, m.a)?;
        host.set_ether(&link.b, m.b)?;
    }
    let macs = link.macs.map_or_else(
        || "the kernel's MACs".to_string(),
        |m| format!("MACs {} and {}", m.a, m.b),
    );
    let vlans = if link.joins.is_empty() {
        String::new()
    } else {
        format!(", {} {}", link.a, link.joins)
    };
    host.syslog(
        Priority::Notice,
        &format!(
            "{}, {}: created for jail {jail} on {} (parent {}), {macs}{vlans}",
            link.a, link.b, link.bridge, link.parent
        ),
    );
    Ok(())
}
