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
//! The script is code that people run as root, and names come from the
//! host and the command line: every other word is quoted for sh(1)
//! (`util::sh_quote`), so `ifconfig 'x;id' destroy` names `x;id` and runs
//! nothing else.
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
use crate::util::{ifconfig_iface, sh_quote};

/// The MTU the kernel gives a new epair (ETHERMTU).
const NEW_EPAIR_MTU: u32 = 1500;

pub struct DryRun {
    /// Names that exist (the listing, plus what the run created with a
    /// unit and renamed).
    names: HashSet<String>,
    /// Names the kernel will pick, as the executor holds them, and the
    /// shell variable that captures each. A placeholder is never a name
    /// in `names`: an interface really named `$br` is quoted, not expanded.
    vars: HashMap<String, String>,
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
    /// Comments for the script, written before the `addm` of a member.
    notes: Vec<(String, String)>,
    pub commands: Vec<String>,
}

impl DryRun {
    /// From the listing, the cloners whose modules are loaded and the
    /// bridge policy of the real host.
    pub fn new(listing: &[Interface], loaded: HashSet<Cloner>, policy: BridgePolicy) -> DryRun {
        DryRun {
            names: listing.iter().map(|i| i.name.to_string()).collect(),
            vars: HashMap::new(),
            loaded,
            policy,
            fresh: Vec::new(),
            flags: HashMap::new(),
            open_addm: None,
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

    /// The script: every command on its line.
    pub fn script(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for c in &self.commands {
            out.extend_from_slice(c.as_bytes());
            out.push(b'\n');
        }
        out
    }

    /// A word of the script: a kernel-picked name as its variable, in
    /// double quotes; any other name quoted for sh(1).
    fn word(&self, name: &str) -> String {
        match self.vars.get(name) {
            Some(var) => format!("\"${var}\""),
            None => sh_quote(name).into_owned(),
        }
    }

    /// The interface word right after `ifconfig`: a kernel-picked name as
    /// its variable, any other as `util::ifconfig_iface` writes it (after
    /// a `--` when it starts with `-`).
    fn iface(&self, name: &str) -> String {
        match self.vars.contains_key(name) {
            true => self.word(name),
            false => ifconfig_iface(name),
        }
    }

    /// Free shell variables for a new clone's names: `br`, `br1`, … for a
    /// bridge, (`ep_a`, `ep_b`), (`ep1_a`, `ep1_b`), … for an epair (the b
    /// end's is the a end's with its last letter `b`, as the kernel names
    /// the ends). A placeholder text that names a real interface is
    /// skipped.
    fn placeholders(&self, cloner: Cloner) -> Vec<String> {
        let free = |vars: &[String]| {
            vars.iter().all(|v| {
                !self.names.contains(&format!("${v}")) && !self.vars.contains_key(&format!("${v}"))
            })
        };
        (0u32..)
            .map(|k| {
                let n = if k == 0 { String::new() } else { k.to_string() };
                match cloner {
                    Cloner::Bridge => vec![format!("br{n}")],
                    Cloner::Epair => vec![format!("ep{n}_a"), format!("ep{n}_b")],
                }
            })
            .find(|vars| free(vars))
            .expect("a free variable")
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

    fn exists(&self, name: &IfName) -> bool {
        self.names.contains(name.as_str()) || self.vars.contains_key(name.as_str())
    }

    fn must_exist(&self, name: &IfName, what: &str) -> HostResult<()> {
        if self.exists(name) {
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
        let request = cloner.request(unit);
        let made: Vec<String> = match unit {
            Some(u) => {
                let made = cloner.names(u);
                self.names.extend(made.iter().cloned());
                self.say(format!("ifconfig {request} create"));
                made
            }
            None => {
                let vars = self.placeholders(cloner);
                self.say(format!("{}=$(ifconfig {request} create)", vars[0]));
                if let [a, b] = vars.as_slice() {
                    self.say(format!("{b}=${{{a}%a}}b"));
                }
                let made: Vec<String> = vars.iter().map(|v| format!("${v}")).collect();
                for (m, v) in made.iter().zip(vars) {
                    self.vars.insert(m.clone(), v);
                }
                made
            }
        };
        for n in &made {
            self.fresh.push((n.clone(), NEW_EPAIR_MTU));
        }
        if cloner == Cloner::Bridge {
            self.flags.insert(made[0].clone(), BridgeFlags::default());
        }
        Ok(IfName::new(made[0].clone()).expect("a short clone name"))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.must_exist(name, "name")?;
        if self.names.contains(new.as_str()) {
            return Err(HostError::errno(name, format!("name {new}"), Errno::EEXIST));
        }
        // The new name is the one rjib chose, never the kernel's.
        let cmd = format!(
            "ifconfig {} name {}",
            self.iface(name.as_str()),
            sh_quote(new.as_str())
        );
        if self.vars.remove(name.as_str()).is_none() {
            self.names.remove(name.as_str());
        }
        self.names.insert(new.to_string());
        for f in &mut self.fresh {
            if f.0 == name.as_str() {
                f.0 = new.to_string();
            }
        }
        if let Some(f) = self.flags.remove(name.as_str()) {
            self.flags.insert(new.to_string(), f);
        }
        self.say(cmd);
        Ok(())
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        let how = if up { "up" } else { "down" };
        self.say(format!("ifconfig {} {how}", self.iface(name.as_str())));
        Ok(())
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.say(format!(
            "ifconfig {} ether {mac}",
            self.iface(name.as_str())
        ));
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
        self.say(format!("ifconfig {} mtu {mtu}", self.iface(name.as_str())));
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
            self.iface(bridge.as_str()),
            self.word(member.as_str())
        ));
        self.open_addm = Some((bridge.to_string(), member.to_string()));
        Ok(())
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.must_exist(name, "destroy")?;
        let cmd = format!("ifconfig {} destroy", self.iface(name.as_str()));
        if self.vars.remove(name.as_str()).is_none() {
            self.names.remove(name.as_str());
        }
        self.say(cmd);
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

    fn driver(&mut self, _name: &IfName, _index: u32) -> HostResult<Option<String>> {
        Err(HostError::other(
            None,
            "sysctl",
            "the dry run works from what it was given",
        ))
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
            self.iface(name.as_str()),
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
            let cmd = format!(
                "ifconfig {} {}",
                self.iface(bridge.as_str()),
                words.join(" ")
            );
            self.say(cmd);
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
            self.iface(bridge.as_str()),
            crate::host::pvid_words(self.word(member.as_str()), pvid)
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
    /// `+iftagged` or `-iftagged`. A set is digits, `,` and `-`: a word
    /// sh(1) takes as it is.
    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        if op == VlanOp::Set && self.extend_addm(bridge, member, &format!("tagged {set}")) {
            // The tagged set is the member's last VLAN step (after its
            // untagged VLAN), so its addm line is complete. Nothing may
            // join it after this: ifconfig's addm would take another
            // option rather than refuse it (a later untagged wins, tagged
            // sets are unioned: setbridge_add), which is not what a later
            // step on the member means.
            self.open_addm = None;
            return Ok(());
        }
        let cmd = format!(
            "ifconfig {} {}",
            self.iface(bridge.as_str()),
            crate::host::vlanset_words(self.word(member.as_str()), op, set)
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
    use crate::net::LinkType;

    #[test]
    fn kernel_chosen_names_are_captured() {
        let mut d = DryRun::new(&[], HashSet::new(), BridgePolicy::PERMISSIVE);
        let br = d.create(Cloner::Bridge, None).unwrap();
        d.rename(&br, &IfName::new("em0bridge").unwrap()).unwrap();
        d.set_description(&IfName::new("em0bridge").unwrap(), "rjib: bridge for em0")
            .unwrap();
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
                "ifconfig em0bridge description 'rjib: bridge for em0'",
                "ep_a=$(ifconfig epair create)",
                "ep_b=${ep_a%a}b",
                "ifconfig \"$ep_b\" mtu 9000",
                "ifconfig epair3 create",
                "kldload if_epair",
            ]
        );
        assert!(d.cloner_loaded(Cloner::Epair).unwrap());
        assert_eq!(
            d.script(),
            (d.commands.join("\n") + "\n").into_bytes(),
            "one command a line"
        );
    }

    /// An interface really named like a placeholder is a name, quoted; the
    /// kernel's choice gets another variable.
    #[test]
    fn a_name_like_a_variable_is_not_expanded() {
        let l: Vec<Interface> = ["$br", "$ep_a", "x;y"]
            .iter()
            .map(|n| Interface::new(IfName::new(*n).unwrap(), 1, LinkType::Ether))
            .collect();
        let mut d = DryRun::new(&l, HashSet::new(), BridgePolicy::PERMISSIVE);
        let br = d.create(Cloner::Bridge, None).unwrap();
        d.bridge_add(&br, &IfName::new("$br").unwrap()).unwrap();
        d.rename(&br, &IfName::new("$brbridge").unwrap()).unwrap();
        let a = d.create(Cloner::Epair, None).unwrap();
        d.bridge_add(&IfName::new("$brbridge").unwrap(), &a)
            .unwrap();
        d.rename(&a, &IfName::new("e0a_x").unwrap()).unwrap();
        d.destroy(&IfName::new("x;y").unwrap()).unwrap();
        d.set_up(&IfName::new("-a").unwrap(), true).unwrap();
        d.bridge_add(
            &IfName::new("-abridge").unwrap(),
            &IfName::new("-a").unwrap(),
        )
        .unwrap();
        assert_eq!(
            d.commands,
            [
                "br1=$(ifconfig bridge create)",
                "ifconfig \"$br1\" addm '$br'",
                "ifconfig \"$br1\" name '$brbridge'",
                "ep1_a=$(ifconfig epair create)",
                "ep1_b=${ep1_a%a}b",
                "ifconfig '$brbridge' addm \"$ep1_a\"",
                "ifconfig \"$ep1_a\" name e0a_x",
                "ifconfig 'x;y' destroy",
                "ifconfig -- -a up",
                "ifconfig -- -abridge addm -a",
            ]
        );
    }

    /// A bridge named like the placeholder it was created as (parent `$`,
    /// `-b br`) is renamed, not refused as existing.
    #[test]
    fn a_rename_onto_the_placeholders_text() {
        let l = [Interface::new(
            IfName::new("$").unwrap(),
            1,
            LinkType::Ether,
        )];
        let mut d = DryRun::new(&l, HashSet::new(), BridgePolicy::PERMISSIVE);
        let br = d.create(Cloner::Bridge, None).unwrap();
        d.rename(&br, &IfName::new("$br").unwrap()).unwrap();
        d.set_up(&IfName::new("$br").unwrap(), true).unwrap();
        assert_eq!(
            d.commands,
            [
                "br=$(ifconfig bridge create)",
                "ifconfig \"$br\" name '$br'",
                "ifconfig '$br' up",
            ]
        );
    }
}
