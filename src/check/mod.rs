//! `rjib check`: verifying jail.conf before boot (issue 10).
//!
//! - `rcconf` and `sh`: rc.conf's variables, read without running it;
//! - `boot`: the interfaces at boot (the host's, as rc.conf changes them);
//! - `commands`: the rjib/jib commands in `exec.*`, read with rjib's own
//!   parser, and boot's PATH;
//! - `collide`: MAC collisions;
//! - `report`: findings and predictions.

pub mod boot;
pub mod collide;
pub mod commands;
pub mod rcconf;
pub mod report;
pub mod sh;
