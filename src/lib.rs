//! rjib: jib(8)'s epair/bridge plumbing for VNET jails, exact and all-or-nothing.
//!
//! Six layers; a module uses its own layer or those below, never above
//! (doc/architecture.md; `tests/layers.rs` checks it).

#![deny(unsafe_op_in_unsafe_fn)]
// `unsafe` is allowed in two modules only, each saying why:
// `freebsd::sys` (the FreeBSD system calls) and `inherited` (what the
// process inherits, read alike on FreeBSD and Linux).
#![deny(unsafe_code)]

// 1. Values: names, MACs, addresses, errno, the records of a listing.
pub mod net;
pub mod util;

// 2. Semantics, pure: jib's rules and plans; jail.conf(5).
pub mod jailconf;
pub mod jib;

// 3. The host interface: the Host trait; signals, and the dispositions and
// descriptors the process inherited.
pub mod host;
pub mod inherited;
pub mod signals;

// 4. Hosts: simulated, FreeBSD, the ioctl emulator, dry run; the lock they
// take; choosing one.
pub mod backend;
pub mod dryrun;
pub mod emulator;
pub mod freebsd;
pub mod lock;
pub mod netsim;

// 5. Commands: a plan carried out on a host.
pub mod exec;

// 6. The front end: arguments, output, check, one run.
pub mod app;
pub mod check;
pub mod cli;
pub mod io;
