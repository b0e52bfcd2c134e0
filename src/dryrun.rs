//! `-n`: a host that changes nothing and writes down, as sh(1) commands,
//! what the real run would do. The executors run on it unchanged, so the
//! dry run shows exactly their sequence of operations.
//!
//! Names are printed only where they are certain. Where the kernel picks
//! one (a new clone's unit), the script captures its choice, as ifconfig(8)
//! prints it: `br=$(ifconfig bridge create)`, then `ifconfig "$br" …`; an
//! epair's b end is the a end's name with its last letter `b`:
//! `ep_b=${ep_a%a}b`.
//!
//! VLAN steps are FreeBSD 15 ifconfig's: `vlanfilter`, and a member's
//! untagged VLAN and tagged set as the options of the `addm` that added
//! it (`addm IF untagged 20 tagged 10,30`, which is BRDGADD, BRDGSIFPVID
//! and BRDGSIFVLANSET with `BRDG_VLAN_OP_SET`, in that order: rjib's own
//! steps), or on their own (`+iftagged IF 30`).

use std::collections::{HashMap, HashSet};

use crate::host::{Host, HostError, HostResult, Priority};
use crate::net::{
    BridgeFlags, BridgePolicy, Cloner, Errno, IfName, Interface, JailInfo, Mac, Vid, VlanOp,
    VlanSet,
};

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
    /// The flags of the bridges this run created (a new bridge has none).
    flags: HashMap<String, BridgeFlags>,
    /// The `ifconfig BRIDGE addm MEMBER` line printed last, if it is the
    /// last line: (bridge, member), whose VLAN options may still follow.
    open_addm: Option<(String, String)>,
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
            flags: HashMap::new(),
            open_addm: None,
            commands: Vec::new(),
        }
    }

    fn say(&mut self, cmd: String) {
        self.open_addm = None;
        self.commands.push(cmd);
    }

    /// Add ` WORDS` to the last line if it is the addm of `member` to
    /// `bridge`; `false` if it is not.
    fn extend_addm(&mut self, bridge: &IfName, member: &IfName, words: &str) -> bool {
        let open = self
            .open_addm
            .as_ref()
            .is_some_and(|(b, m)| b == bridge.as_str() && m == member.as_str());
        if open && let Some(last) = self.commands.last_mut() {
            last.push(' ');
            last.push_str(words);
        }
        open
    }

    /// The flags of a bridge this run created.
    fn fresh_flags(&self, bridge: &IfName, what: &str) -> HostResult<BridgeFlags> {
        self.flags.get(bridge.as_str()).copied().ok_or_else(|| {
            HostError::other(Some(bridge.to_string()), what, "not known to the dry run")
        })
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
        if cloner == Cloner::Bridge {
            self.flags
                .insert(made[0].to_string(), BridgeFlags::default());
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
        if let Some(f) = self.flags.remove(name.as_str()) {
            self.flags.insert(new.to_string(), f);
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
        self.say(format!(
            "ifconfig {} addm {}",
            word(bridge.as_str()),
            word(member.as_str())
        ));
        self.open_addm = Some((bridge.to_string(), member.to_string()));
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
        Ok(self.policy)
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

    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        self.fresh_flags(bridge, "bridge flags")
    }

    /// ifconfig's `vlanfilter` and `defqinq`, for the bits that change.
    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        let old = self.fresh_flags(bridge, crate::host::flags_words(flags))?;
        let mut words = Vec::new();
        for (bit, word) in [
            (BridgeFlags::VLANFILTER, "vlanfilter"),
            (BridgeFlags::DEFQINQ, "defqinq"),
        ] {
            match (old.0 & bit != 0, flags.0 & bit != 0) {
                (false, true) => words.push(word.to_string()),
                (true, false) => words.push(format!("-{word}")),
                _ => {}
            }
        }
        self.flags.insert(bridge.to_string(), flags);
        if !words.is_empty() {
            self.say(format!(
                "ifconfig {} {}",
                word(bridge.as_str()),
                words.join(" ")
            ));
        }
        Ok(())
    }

    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        self.fresh_flags(bridge, "defuntagged").map(|_| None)
    }

    /// `untagged N` after the member's addm, else `ifuntagged`.
    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        if let Some(v) = pvid
            && self.extend_addm(bridge, member, &format!("untagged {v}"))
        {
            return Ok(());
        }
        let cmd = format!(
            "ifconfig {} {}",
            word(bridge.as_str()),
            crate::host::pvid_words(word(member.as_str()), pvid)
        );
        self.say(cmd);
        Ok(())
    }

    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        Err(HostError::other(
            Some(bridge.to_string()),
            format!("tagged {member}"),
            "not known to the dry run",
        ))
    }

    /// `tagged SET` after the member's addm, else `iftagged`,
    /// `+iftagged` or `-iftagged`.
    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        if op == VlanOp::Set && self.extend_addm(bridge, member, &format!("tagged {set}")) {
            // The open addm may take no more options after its set.
            self.open_addm = None;
            return Ok(());
        }
        let cmd = format!(
            "ifconfig {} {}",
            word(bridge.as_str()),
            crate::host::vlanset_words(word(member.as_str()), op, set)
        );
        self.say(cmd);
        Ok(())
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
