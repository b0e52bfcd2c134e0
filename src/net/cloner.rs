//! The interface cloners rjib creates from (bridge, epair) and the names
//! the kernel gives their clones.

use std::collections::HashSet;

use super::IfName;

/// The interface cloners rjib creates from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloner {
    Bridge,
    Epair,
}

impl Cloner {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloner::Bridge => "bridge",
            Cloner::Epair => "epair",
        }
    }

    pub fn from_name(s: &str) -> Option<Cloner> {
        [Cloner::Bridge, Cloner::Epair]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// The name SIOCIFCREATE2 is given: `epair`, or `epair7` for unit 7.
    pub fn request(self, unit: Option<u32>) -> String {
        match unit {
            Some(u) => format!("{}{u}", self.as_str()),
            None => self.as_str().to_string(),
        }
    }

    /// The kernel module that provides this cloner (`DECLARE_MODULE`
    /// names in if_bridge.c and if_epair.c).
    pub fn module(self) -> &'static str {
        match self {
            Cloner::Bridge => "if_bridge",
            Cloner::Epair => "if_epair",
        }
    }

    /// The names a new clone with `unit` gets: `bridge3`, or `epair3a`
    /// and `epair3b` (the `a` end first).
    pub fn names(self, unit: u32) -> Vec<String> {
        match self {
            Cloner::Bridge => vec![format!("bridge{unit}")],
            Cloner::Epair => vec![format!("epair{unit}a"), format!("epair{unit}b")],
        }
    }

    /// The unit the kernel picks for a new clone: the lowest one no clone
    /// of this cloner holds and whose bare name `bridgeN` / `epairN` no
    /// interface has (if_clone.c `ifc_alloc_unit_next`, which checks
    /// `"%s%d"` of the cloner name). For an epair the kernel then checks
    /// the end names `epairNa`/`epairNb` and fails with EEXIST instead of
    /// moving on (`epair_handle_unit`); see `unit_blocked`.
    pub fn next_unit(self, held: &HashSet<u32>, taken: impl Fn(&str) -> bool) -> u32 {
        self.next_unit_from(0, |u| held.contains(&u), taken)
    }

    /// `next_unit`, for a caller that knows no unit below `from` is free.
    pub fn next_unit_from(
        self,
        from: u32,
        held: impl Fn(u32) -> bool,
        taken: impl Fn(&str) -> bool,
    ) -> u32 {
        (from..)
            .find(|&u| !held(u) && !taken(&format!("{}{u}", self.as_str())))
            .expect("a free unit")
    }

    /// Whether the kernel refuses `unit` with EEXIST because one of the
    /// names it would give is taken (if_epair.c `epair_handle_unit`; for a
    /// bridge the one name is the bare name, which `next_unit` skips).
    pub fn unit_blocked(self, unit: u32, taken: impl Fn(&str) -> bool) -> bool {
        self.names(unit).iter().any(|n| taken(n))
    }
}

/// The peer of an epair end the kernel named `epairNa`: `epairNb`.
pub fn epair_peer(a: &IfName) -> Option<IfName> {
    let stem = a.as_str().strip_suffix('a')?;
    IfName::new(format!("{stem}b")).ok()
}

/// The epair unit of a driver name as sysctl `ifdata.INDEX.drivername`
/// gives it (if_mib.c `sysctl_ifdata`: `"%s%d"` of `if_dname` and
/// `if_dunit`): `epair3` is 3; anything else is no epair's.
pub fn epair_unit(driver: &str) -> Option<u32> {
    let digits = driver.strip_prefix(Cloner::Epair.as_str())?;
    match digits.bytes().all(|b| b.is_ascii_digit()) {
        true => digits.parse().ok(),
        false => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epair_units_from_driver_names() {
        assert_eq!(epair_unit("epair0"), Some(0));
        assert_eq!(epair_unit("epair32767"), Some(32767));
        for not in [
            "epair", "epair-1", "epair3a", "bridge0", "vtnet0", "epair+1",
        ] {
            assert_eq!(epair_unit(not), None, "{not}");
        }
    }

    #[test]
    fn epair_peer_name() {
        let a = IfName::new("epair12a").unwrap();
        assert_eq!(epair_peer(&a).unwrap().as_str(), "epair12b");
        assert!(epair_peer(&IfName::new("bridge0").unwrap()).is_none());
    }
}
