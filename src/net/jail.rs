//! A jail, as jail_get(2) reports one.

/// A jail as jail_get(2) finds it by name (dying jails included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JailInfo {
    pub jid: i32,
    /// Removed, but not yet torn down (`JAIL_DYING`).
    pub dying: bool,
}
