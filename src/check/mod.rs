//! `rjib check`: verifying jail.conf before boot (issue 10).
//!
//! - `rcconf` and `sh`: rc.conf's variables, read without running it;
//! - `boot`: the interfaces at boot (the host's, as rc.conf changes them).

pub mod boot;
pub mod rcconf;
pub mod sh;
