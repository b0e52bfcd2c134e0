//! FreeBSD's tests/sys/net/if_epair.c, ported: its one case, `params`.
//!
//! Sources: jlduran/freebsd-src 32889821c4dba40f7077bcd3d75b130211ff91ef
//! (before stable/14 branched) and freebsd/freebsd-src
//! c49f152f07e5a1a833da212312bd6dab93a6298a (later); identical but for
//! whitespace.

mod atf;
mod common;

use atf::{each, host};
use rjib::emulator::EmuSys;
use rjib::freebsd::abi::{IfReq, SIOCIFCREATE2, SIOCIFDESTROY};
use rjib::freebsd::sys::Sys;
use rjib::freebsd::wire::{Wire, c_str};
use rjib::net::Cloner;

/// `params`: SIOCIFCREATE2 of `epair` with an `ifr_data` that points
/// nowhere succeeds (the epair cloner takes no parameters and never reads
/// it), writes the new name back into `ifr_name`, and SIOCIFDESTROY of that
/// same request succeeds and takes both ends. Through the emulator the
/// request travels as the test's bytes (a bogus `ifr_data`, no buffer);
/// directly, as rjib's create and destroy.
#[test]
fn params() {
    for release in [14, 15] {
        // The ioctl path, the test's own bytes.
        let mut file = host(vec![]);
        file["version"] = 2.into();
        file["release"] = release.into();
        let dir = tempfile::tempdir().unwrap();
        let mut sys = EmuSys::open(common::host_file(&dir, &file)).unwrap();
        let mut r = IfReq::named("epair");
        r.set_data(u64::MAX);
        let mut arg = r.to_bytes();
        sys.ioctl(SIOCIFCREATE2, &mut arg, &mut []).unwrap();
        let back = IfReq::from_bytes(&arg).unwrap();
        assert_eq!(c_str(&back.ifr_name), b"epair0a", "{release}");
        sys.ioctl(SIOCIFDESTROY, &mut arg, &mut []).unwrap();
        let names: Vec<String> = sys
            .getifaddrs()
            .unwrap()
            .into_iter()
            .map(|e| String::from_utf8(e.name).unwrap())
            .collect();
        assert!(
            !names.iter().any(|n| n.starts_with("epair")),
            "{release}: {names:?}"
        );
    }
    // Both paths through the Host: the returned name destroys the pair.
    each(&[14, 15], &host(vec![]), |k| {
        let a = k.ok(|h| h.create(Cloner::Epair, None));
        k.ok(|h| h.destroy(&a));
        assert_eq!(k.list().len(), 1, "{}", k.at());
    });
}
