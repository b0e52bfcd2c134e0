//! `-n`: a host that changes nothing and writes down, as sh(1) commands,
//! what the real run would do. The executors run on it unchanged, so the
//! dry run shows exactly their sequence of operations.
//!
//! Names are printed only where they are certain. Where the kernel picks
//! one (a new clone's unit), the script captures its choice, as ifconfig(8)
//! prints it: `br=$(ifconfig bridge create)`, then `ifconfig "$br" …`; an
//! epair's b end is the a end's name with its last letter `b`:
//! `ep_b=${ep_a%a}b`.

use std::collections::HashSet;

use crate::host::{Host, HostError, HostResult, Priority};
use crate::net::{BridgePolicy, Cloner, Errno, IfName, Interface, JailInfo, Mac};

/// The MTU the kernel gives a new epair (ETHERMTU).
const NEW_EPAIR_MTU: u32 = 1500;

/// The shell variables that hold what the kernel named.
const BRIDGE_VAR: &str = "br";
const EPAIR_A_VAR: &str = "ep_a";
const EPAIR_B_VAR: &str = "ep_b";

pub struct DryRun {
    /// Names that exist (the listing, plus what the run created and renamed).
    names: HashSet<String>,
    /// Cloners whose module is loaded (or will be, by this run).
    loaded: HashSet<Cloner>,
    policy: BridgePolicy,
    /// Interfaces this run created and has not renamed yet: (name, mtu).
    fresh: Vec<(String, u32)>,
    /// Comments for the script, written before the `addm` of a member.
    notes: Vec<(String, String)>,
    pub commands: Vec<String>,
}

/// A word of the script: a shell variable's value, quoted, or a name.
fn word(name: &str) -> String {
    if name.starts_with('$') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// A double-quoted sh(1) string.
pub fn sh_quote(text: &str) -> String {
    let mut q = String::from("\"");
    for c in text.chars() {
        if matches!(c, '"' | '$' | '`' | '\\') {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

fn placeholder(var: &str) -> IfName {
    IfName::new(format!("${var}")).expect("a short variable name")
}

impl DryRun {
    /// From the listing, the cloners whose modules are loaded and the
    /// bridge policy of the real host.
    pub fn new(listing: &[Interface], loaded: HashSet<Cloner>, policy: BridgePolicy) -> DryRun {
        DryRun {
            names: listing.iter().map(|i| i.name.to_string()).collect(),
            loaded,
            policy,
            fresh: Vec::new(),
            notes: Vec::new(),
            commands: Vec::new(),
        }
    }

    /// Write `note` as a comment line before the command that adds
    /// `member` to a bridge (what the kernel will say about it). Control
    /// characters are escaped: nothing can end the comment early.
    pub fn note_before_addm(&mut self, member: &str, note: &str) {
        self.notes.push((member.to_string(), note.to_string()));
    }

    fn say(&mut self, cmd: String) {
        self.commands.push(cmd);
    }

    fn must_exist(&self, name: &IfName, what: &str) -> HostResult<()> {
        if self.names.contains(name.as_str()) {
            Ok(())
        } else {
            Err(HostError::errno(name, what, Errno::ENXIO))
        }
    }
}

impl Host for DryRun {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(0)
    }

    fn lock(&mut self, _wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        Ok(())
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        Err(HostError::other(
            None,
            "list",
            "the dry run works from the listing it was given",
        ))
    }

    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        let made: Vec<IfName> = match (cloner, unit) {
            (_, Some(u)) => cloner
                .names(u)
                .into_iter()
                .map(|n| IfName::new(n).expect("a short clone name"))
                .collect(),
            (Cloner::Bridge, None) => vec![placeholder(BRIDGE_VAR)],
            (Cloner::Epair, None) => vec![placeholder(EPAIR_A_VAR), placeholder(EPAIR_B_VAR)],
        };
        for n in &made {
            self.names.insert(n.to_string());
            self.fresh.push((n.to_string(), NEW_EPAIR_MTU));
        }
        let request = cloner.request(unit);
        match (cloner, unit) {
            (_, Some(_)) => self.say(format!("ifconfig {request} create")),
            (Cloner::Bridge, None) => {
                self.say(format!("{BRIDGE_VAR}=$(ifconfig {request} create)"))
            }
            (Cloner::Epair, None) => {
                self.say(format!("{EPAIR_A_VAR}=$(ifconfig {request} create)"));
                self.say(format!("{EPAIR_B_VAR}=${{{EPAIR_A_VAR}%a}}b"));
            }
        }
        Ok(made[0].clone())
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.must_exist(name, "name")?;
        if self.names.contains(new.as_str()) {
            return Err(HostError::errno(name, format!("name {new}"), Errno::EEXIST));
        }
        self.names.remove(name.as_str());
        self.names.insert(new.to_string());
        for f in &mut self.fresh {
            if f.0 == name.as_str() {
                f.0 = new.to_string();
            }
        }
        self.say(format!("ifconfig {} name {new}", word(name.as_str())));
        Ok(())
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        let how = if up { "up" } else { "down" };
        self.say(format!("ifconfig {} {how}", word(name.as_str())));
        Ok(())
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.say(format!("ifconfig {} ether {mac}", word(name.as_str())));
        Ok(())
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.fresh
            .iter()
            .find(|f| f.0 == name.as_str())
            .map(|f| f.1)
            .ok_or_else(|| {
                HostError::other(Some(name.to_string()), "mtu", "not known to the dry run")
            })
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        for f in &mut self.fresh {
            if f.0 == name.as_str() {
                f.1 = mtu;
            }
        }
        self.say(format!("ifconfig {} mtu {mtu}", word(name.as_str())));
        Ok(())
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        let (notes, rest) = std::mem::take(&mut self.notes)
            .into_iter()
            .partition(|(m, _)| m == member.as_str());
        self.notes = rest;
        for (_, note) in notes {
            self.say(format!("# {}", crate::util::escape_controls(&note)));
        }
        self.say(format!(
            "ifconfig {} addm {}",
            word(bridge.as_str()),
            word(member.as_str())
        ));
        Ok(())
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.must_exist(name, "destroy")?;
        self.names.remove(name.as_str());
        self.say(format!("ifconfig {} destroy", word(name.as_str())));
        Ok(())
    }

    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        Ok(self.loaded.contains(&cloner))
    }

    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        self.loaded.insert(cloner);
        self.say(format!("kldload {}", cloner.module()));
        Ok(())
    }

    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        Ok(self.policy.clone())
    }

    fn jail(&mut self, _name: &str) -> HostResult<Option<JailInfo>> {
        Err(HostError::other(
            None,
            "jail",
            "the dry run works from what it was given",
        ))
    }

    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        self.say(format!(
            "ifconfig {} description {}",
            word(name.as_str()),
            sh_quote(text)
        ));
        Ok(())
    }

    fn description(&mut self, _name: &IfName) -> HostResult<Option<String>> {
        Ok(None)
    }

    /// The dry run changes nothing, so it logs nothing.
    fn syslog(&mut self, _priority: Priority, _message: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("jail x, host end"), "\"jail x, host end\"");
        assert_eq!(sh_quote("a\"$`\\b"), "\"a\\\"\\$\\`\\\\b\"");
        assert_eq!(word("$br"), "\"$br\"");
        assert_eq!(word("em0"), "em0");
    }

    #[test]
    fn kernel_chosen_names_are_captured() {
        let mut d = DryRun::new(&[], HashSet::new(), BridgePolicy::PERMISSIVE);
        let br = d.create(Cloner::Bridge, None).unwrap();
        d.rename(&br, &IfName::new("em0bridge").unwrap()).unwrap();
        let a = d.create(Cloner::Epair, None).unwrap();
        let b = crate::net::epair_peer(&a).unwrap();
        d.set_mtu(&b, 9000).unwrap();
        d.create(Cloner::Epair, Some(3)).unwrap();
        d.load_cloner(Cloner::Epair).unwrap();
        assert_eq!(
            d.commands,
            [
                "br=$(ifconfig bridge create)",
                "ifconfig \"$br\" name em0bridge",
                "ep_a=$(ifconfig epair create)",
                "ep_b=${ep_a%a}b",
                "ifconfig \"$ep_b\" mtu 9000",
                "ifconfig epair3 create",
                "kldload if_epair",
            ]
        );
        assert!(d.cloner_loaded(Cloner::Epair).unwrap());
    }
}
