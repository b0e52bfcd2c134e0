//! `-n`: a host that changes nothing and writes down, as ifconfig(8)
//! commands, what the real run would do. The executors run on it unchanged,
//! so the dry run shows exactly their sequence of operations.

use std::collections::HashSet;

use crate::host::{Cloner, Host, HostError, HostResult, Interface};
use crate::jib::mac::Mac;
use crate::jib::name::IfName;

/// The MTU the kernel gives a new epair (ETHERMTU).
const NEW_EPAIR_MTU: u32 = 1500;

pub struct DryRun {
    /// Names that exist (the listing, plus what the run created and renamed).
    names: HashSet<String>,
    /// Units held, per cloner.
    bridge_units: HashSet<u32>,
    epair_units: HashSet<u32>,
    /// Interfaces this run created and has not renamed yet: (name, mtu).
    fresh: Vec<(String, u32)>,
    pub commands: Vec<String>,
}

impl DryRun {
    /// From the listing, and the units the host said are held.
    pub fn new(
        listing: &[Interface],
        bridge_units: Option<Vec<u32>>,
        epair_units: Option<Vec<u32>>,
    ) -> DryRun {
        DryRun {
            names: listing.iter().map(|i| i.name.to_string()).collect(),
            bridge_units: bridge_units.unwrap_or_default().into_iter().collect(),
            epair_units: epair_units.unwrap_or_default().into_iter().collect(),
            fresh: Vec::new(),
            commands: Vec::new(),
        }
    }

    fn say(&mut self, cmd: String) {
        self.commands.push(cmd);
    }

    fn must_exist(&self, name: &IfName, what: &str) -> HostResult<()> {
        if self.names.contains(name.as_str()) {
            Ok(())
        } else {
            Err(HostError::errno(name, what, crate::host::Errno::ENXIO))
        }
    }
}

impl Host for DryRun {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(0)
    }

    fn lock(&mut self) -> HostResult<()> {
        Ok(())
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        Err(HostError::other(
            None,
            "list",
            "the dry run works from the listing it was given",
        ))
    }

    fn create(&mut self, cloner: Cloner) -> HostResult<IfName> {
        let held = match cloner {
            Cloner::Bridge => &mut self.bridge_units,
            Cloner::Epair => &mut self.epair_units,
        };
        let names = &self.names;
        let unit = cloner.next_unit(held, |n| names.contains(n));
        held.insert(unit);
        let made = cloner.names(unit);
        for n in &made {
            self.names.insert(n.clone());
            self.fresh.push((n.clone(), NEW_EPAIR_MTU));
        }
        self.say(format!("ifconfig {} create", cloner.as_str()));
        IfName::new(made[0].clone()).map_err(|e| HostError::other(None, "create", e.to_string()))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.must_exist(name, "name")?;
        if self.names.contains(new.as_str()) {
            return Err(HostError::errno(
                name,
                format!("name {new}"),
                crate::host::Errno::EEXIST,
            ));
        }
        self.names.remove(name.as_str());
        self.names.insert(new.to_string());
        for f in &mut self.fresh {
            if f.0 == name.as_str() {
                f.0 = new.to_string();
            }
        }
        self.say(format!("ifconfig {name} name {new}"));
        Ok(())
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.say(format!(
            "ifconfig {name} {}",
            if up { "up" } else { "down" }
        ));
        Ok(())
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.say(format!("ifconfig {name} ether {mac}"));
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
        self.say(format!("ifconfig {name} mtu {mtu}"));
        Ok(())
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.say(format!("ifconfig {bridge} addm {member}"));
        Ok(())
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.names.remove(name.as_str());
        self.say(format!("ifconfig {name} destroy"));
        Ok(())
    }
}
