//! FreeBSD kernel backend (ioctl ABI, syscall seam, Host implementation).
//!
//! `unsafe` is denied here and allowed only in `sys`, the one module that
//! makes system calls.

#![deny(unsafe_code)]

pub mod abi;
pub mod abicheck;
pub mod wire;
