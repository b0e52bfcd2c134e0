//! `rjib check`: verifying jail.conf before boot (issue 10).
//!
//! - `rcconf` and `sh`: rc.conf's variables, read without running it.

pub mod rcconf;
pub mod sh;
