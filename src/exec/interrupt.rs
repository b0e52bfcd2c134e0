//! A host that stops taking changes once a signal has arrived, so that a
//! run can undo what it did instead of being cut off between two calls.

use crate::host::{Host, HostError, HostResult, Priority};
use crate::net::{
    BridgeFlags, BridgePolicy, Cloner, IfName, Interface, JailInfo, Mac, Vid, VlanOp, VlanSet,
};
use crate::signals::Stop;

/// `host`, refusing every change once `stop` reports a signal. Reading and
/// logging go on.
pub struct Interruptible<'a> {
    pub host: &'a mut dyn Host,
    pub stop: &'a dyn Stop,
    /// What the run is, for the error (`addm jamulus`).
    pub what: &'a str,
}

impl Interruptible<'_> {
    /// `Err` once a signal has arrived.
    pub fn check(&self) -> HostResult<()> {
        match self.stop.pending() {
            None => Ok(()),
            Some(sig) => Err(HostError::interrupted(self.what, sig)),
        }
    }
}

impl Host for Interruptible<'_> {
    fn euid(&mut self) -> HostResult<u32> {
        self.host.euid()
    }
    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        self.host.lock(wait)
    }
    fn list(&mut self) -> HostResult<Vec<Interface>> {
        self.host.list()
    }
    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        self.check()?;
        self.host.create(cloner, unit)
    }
    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.check()?;
        self.host.rename(name, new)
    }
    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.check()?;
        self.host.set_up(name, up)
    }
    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.check()?;
        self.host.set_ether(name, mac)
    }
    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.host.mtu(name)
    }
    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        self.check()?;
        self.host.set_mtu(name, mtu)
    }
    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.check()?;
        self.host.bridge_add(bridge, member)
    }
    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.check()?;
        self.host.destroy(name)
    }
    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        self.host.cloner_loaded(cloner)
    }
    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        self.check()?;
        self.host.load_cloner(cloner)
    }
    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        self.host.bridge_policy()
    }
    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>> {
        self.host.jail(name)
    }
    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>> {
        self.host.driver(name, index)
    }
    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        self.check()?;
        self.host.set_description(name, text)
    }
    fn description(&mut self, name: &IfName) -> HostResult<Option<String>> {
        self.host.description(name)
    }
    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        self.host.bridge_flags(bridge)
    }
    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        self.check()?;
        self.host.set_bridge_flags(bridge, flags)
    }
    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        self.host.bridge_defpvid(bridge)
    }
    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        self.check()?;
        self.host.set_member_pvid(bridge, member, pvid)
    }
    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        self.host.member_vlans(bridge, member)
    }
    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        self.check()?;
        self.host.set_member_vlans(bridge, member, op, set)
    }
    fn syslog(&mut self, priority: Priority, message: &str) {
        self.host.syslog(priority, message)
    }
    fn commit(&mut self) -> HostResult<()> {
        self.host.commit()
    }
}
