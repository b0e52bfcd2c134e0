//! What the VLAN planner may ask beyond the listing, read from a host:
//! one call per question, and only the questions it asks
//! (`crate::jib::vlan::BridgeFacts`).

use crate::host::Host;
use crate::jib::vlan::BridgeFacts;
use crate::net::{BridgeFlags, IfName, Vid, VlanSet};

pub struct HostFacts<'h> {
    pub host: &'h mut dyn Host,
}

impl BridgeFacts for HostFacts<'_> {
    fn flags(&mut self, bridge: &IfName) -> Result<BridgeFlags, String> {
        self.host.bridge_flags(bridge).map_err(|e| e.to_string())
    }

    fn defpvid(&mut self, bridge: &IfName) -> Result<Option<Vid>, String> {
        self.host.bridge_defpvid(bridge).map_err(|e| e.to_string())
    }

    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Result<VlanSet, String> {
        self.host
            .member_vlans(bridge, member)
            .map_err(|e| e.to_string())
    }

    fn description(&mut self, bridge: &IfName) -> Result<Option<String>, String> {
        self.host.description(bridge).map_err(|e| e.to_string())
    }
}
