//! rjib: jib(8)'s epair/bridge plumbing for VNET jails, exact and all-or-nothing.
//!
//! Layers: `cli` (arguments) → `jib` (pure semantics and planning) →
//! `exec` (runs a plan on a `host::Host`) → backends (`netsim`, `freebsd`).

#![deny(unsafe_op_in_unsafe_fn)]
// `unsafe` is allowed in two modules only, each saying why:
// `freebsd::sys` (the FreeBSD system calls) and `inherited` (what the
// process inherits, read alike on FreeBSD and Linux).
#![deny(unsafe_code)]

pub mod app;
pub mod backend;
pub mod check;
pub mod cli;
pub mod dryrun;
pub mod emulator;
pub mod exec;
pub mod freebsd;
pub mod host;
pub mod inherited;
pub mod jailconf;
pub mod jib;
pub mod lock;
pub mod netsim;
pub mod signals;
pub mod util;
