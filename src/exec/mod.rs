//! Carrying out commands on a `Host`.

pub mod addm;
pub mod destroy;
pub mod facts;
pub mod interrupt;
pub mod undo;
