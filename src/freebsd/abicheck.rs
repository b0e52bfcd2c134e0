//! The C side of the ABI check: every struct size, field size and offset,
//! request number and constant of `abi`, as C `_Static_assert`s against
//! FreeBSD's own headers. `scripts/check-abi.sh` compiles them for x86_64
//! and aarch64 FreeBSD with zig, once against FreeBSD 14.3's headers and
//! once against 15's (`RJIB_FREEBSD` 14 or 15); any difference fails the
//! compile. A fact of one release only (exterrctl(2), 15's `struct ifbreq`
//! fields past `ifbr_addrexceeded`) is checked against that release's
//! headers only.

use core::mem::size_of;

use super::abi::*;
use super::wire::Wire;

/// One fact: a C constant expression and the value rjib uses for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub c_expr: String,
    pub value: u64,
    /// The FreeBSD release whose headers alone have it; `None`: both.
    pub only: Option<u32>,
}

fn check(c_expr: impl Into<String>, value: impl TryInto<u64>) -> Check {
    Check {
        c_expr: c_expr.into(),
        value: value.try_into().ok().expect("a non-negative value"),
        only: None,
    }
}

/// The checks pushed to `v` from `from` on, made facts of `release` only.
fn only(v: &mut [Check], from: usize, release: u32) {
    for c in &mut v[from..] {
        c.only = Some(release);
    }
}

/// Size, then every C field's offset and size, of one struct: the field
/// list `wire_struct!` encodes the struct with, so what is checked is what
/// the code writes.
fn layout<T: Wire>(out: &mut Vec<Check>) {
    let c = T::C_NAME;
    out.push(check(format!("sizeof(struct {c})"), T::LEN));
    for f in T::c_fields() {
        let name = f.name;
        out.push(check(format!("offsetof(struct {c}, {name})"), f.offset));
        out.push(check(format!("sizeof(((struct {c} *)0)->{name})"), f.size));
    }
}

/// Every check, in a stable order.
pub fn checks() -> Vec<Check> {
    let mut v = vec![
        check("IFNAMSIZ", IFNAMSIZ),
        check("IOCPARM_MASK", IOCPARM_MASK),
        check("IOC_OUT", IOC_OUT),
        check("IOC_IN", IOC_IN),
    ];

    layout::<IfReq>(&mut v);
    v.push(check(
        "_Alignof(struct ifreq)",
        core::mem::align_of::<IfReq>(),
    ));
    // The members of the union ifr_ifru, which IfReq keeps as bytes.
    v.push(check("offsetof(struct ifreq, ifr_flags)", IFR_FLAGS));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_flags)",
        size_of::<i16>(),
    ));
    v.push(check(
        "offsetof(struct ifreq, ifr_flagshigh)",
        IFR_FLAGSHIGH,
    ));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_flagshigh)",
        size_of::<i16>(),
    ));
    v.push(check("offsetof(struct ifreq, ifr_mtu)", IFR_MTU));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_mtu)",
        size_of::<i32>(),
    ));
    v.push(check("offsetof(struct ifreq, ifr_data)", IFR_DATA));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_data)",
        size_of::<u64>(),
    ));
    v.push(check("offsetof(struct ifreq, ifr_addr)", IFR_ADDR));
    v.push(check(
        "offsetof(struct ifreq, ifr_buffer.length)",
        IFR_BUFFER_LENGTH,
    ));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_buffer.length)",
        size_of::<u64>(),
    ));
    v.push(check(
        "offsetof(struct ifreq, ifr_buffer.buffer)",
        IFR_BUFFER_BUFFER,
    ));
    v.push(check(
        "sizeof(((struct ifreq *)0)->ifr_buffer.buffer)",
        size_of::<u64>(),
    ));

    layout::<Sockaddr>(&mut v);
    layout::<IfDrv>(&mut v);
    layout::<IfGroupReq>(&mut v);
    layout::<IfgReq>(&mut v);
    layout::<IfData>(&mut v);
    layout::<SockaddrDl>(&mut v);
    // FreeBSD 14's struct ifbreq and 15's have the same 80 bytes and the
    // same fields up to ifbr_addrexceeded, then 14 has `uint8_t pad[32]`
    // where 15 has ifbr_pvid, ifbr_vlanproto and pad[28]. rjib reads and
    // writes no field past ifbr_addrexceeded.
    let at = v.len();
    layout::<IfBreq>(&mut v);
    let fifteen = ["ifbr_pvid)", "ifbr_vlanproto)", "pad)"];
    for c in &mut v[at..] {
        if fifteen.iter().any(|f| c.c_expr.ends_with(f)) {
            c.only = Some(15);
        }
    }
    let at = v.len();
    v.push(check(
        "offsetof(struct ifbreq, pad)",
        core::mem::offset_of!(IfBreq, ifbr_pvid),
    ));
    v.push(check(
        "sizeof(((struct ifbreq *)0)->pad)",
        size_of::<IfBreq>() - core::mem::offset_of!(IfBreq, ifbr_pvid),
    ));
    only(&mut v, at, 14);
    layout::<IfBifConf>(&mut v);
    // FreeBSD 15's VLAN requests: struct ifbif_vlan_req, and struct
    // ifbrparam's two union members the VLAN commands use. FreeBSD 14 has
    // none of them (rjib refuses VLANs there).
    let at = v.len();
    layout::<IfBifVlanReq>(&mut v);
    v.push(check(
        "_Alignof(struct ifbif_vlan_req)",
        core::mem::align_of::<IfBifVlanReq>(),
    ));
    v.push(check(
        "sizeof(((struct ifbif_vlan_req *)0)->bv_set.__bits[0])",
        size_of::<u64>(),
    ));
    layout::<IfBrParam>(&mut v);
    v.push(check(
        "offsetof(struct ifbrparam, ifbrp_defpvid)",
        IFBRP_DEFPVID,
    ));
    v.push(check(
        "sizeof(((struct ifbrparam *)0)->ifbrp_defpvid)",
        size_of::<u16>(),
    ));
    v.push(check("sizeof(ifbr_flags_t)", size_of::<u32>()));
    v.push(check("sizeof(ether_vlanid_t)", size_of::<u16>()));
    only(&mut v, at, 15);
    layout::<SockaddrIn>(&mut v);
    layout::<SockaddrIn6>(&mut v);
    layout::<VlanReq>(&mut v);
    let at = v.len();
    layout::<UExtError>(&mut v);
    only(&mut v, at, 15);

    for (name, value) in [
        ("SIOCSIFFLAGS", SIOCSIFFLAGS),
        ("SIOCGIFFLAGS", SIOCGIFFLAGS),
        ("SIOCSIFNAME", SIOCSIFNAME),
        ("SIOCGIFMTU", SIOCGIFMTU),
        ("SIOCSIFMTU", SIOCSIFMTU),
        ("SIOCSIFLLADDR", SIOCSIFLLADDR),
        ("SIOCIFDESTROY", SIOCIFDESTROY),
        ("SIOCSDRVSPEC", SIOCSDRVSPEC),
        ("SIOCGDRVSPEC", SIOCGDRVSPEC),
        ("SIOCIFCREATE2", SIOCIFCREATE2),
        ("SIOCGIFGMEMB", SIOCGIFGMEMB),
        ("SIOCSIFDESCR", SIOCSIFDESCR),
        ("SIOCGIFDESCR", SIOCGIFDESCR),
        ("SIOCGETVLAN", SIOCGETVLAN),
        ("BRDGADD", BRDGADD),
        ("BRDGGIFFLGS", BRDGGIFFLGS),
        ("BRDGGIFS", BRDGGIFS),
        ("BRDGSIFAMAX", BRDGSIFAMAX),
    ] {
        v.push(check(name, value));
    }
    let at = v.len();
    for (name, value) in [
        ("BRDGSIFPVID", BRDGSIFPVID),
        ("BRDGSIFVLANSET", BRDGSIFVLANSET),
        ("BRDGGIFVLANSET", BRDGGIFVLANSET),
        ("BRDGGFLAGS", BRDGGFLAGS),
        ("BRDGSFLAGS", BRDGSFLAGS),
        ("BRDGGDEFPVID", BRDGGDEFPVID),
        ("BRDGSDEFPVID", BRDGSDEFPVID),
        ("BRDGSIFVLANPROTO", BRDGSIFVLANPROTO),
    ] {
        v.push(check(name, value));
    }
    only(&mut v, at, 15);
    for (name, value) in [
        ("IFBIF_LEARNING", IFBIF_LEARNING),
        ("IFBIF_DISCOVER", IFBIF_DISCOVER),
        ("IFBIF_SPAN", IFBIF_SPAN),
        ("IFF_UP", IFF_UP),
        ("IFF_BROADCAST", IFF_BROADCAST),
        ("IFF_DRV_RUNNING", IFF_DRV_RUNNING),
        ("IFF_SIMPLEX", IFF_SIMPLEX),
        ("IFF_MULTICAST", IFF_MULTICAST),
    ] {
        v.push(check(name, value));
    }
    v.push(check("ETHERTYPE_VLAN", ETHERTYPE_VLAN));
    let at = v.len();
    for (name, value) in [
        ("IFBRF_VLANFILTER", u64::from(IFBRF_VLANFILTER)),
        ("IFBRF_DEFQINQ", u64::from(IFBRF_DEFQINQ)),
        ("BRDG_VLAN_OP_SET", u64::from(BRDG_VLAN_OP_SET)),
        ("BRDG_VLAN_OP_ADD", u64::from(BRDG_VLAN_OP_ADD)),
        ("BRDG_VLAN_OP_DEL", u64::from(BRDG_VLAN_OP_DEL)),
        ("BRVLAN_SETSIZE", BRVLAN_SETSIZE as u64),
        ("DOT1Q_VID_MAX", u64::from(DOT1Q_VID_MAX)),
        ("DOT1Q_VID_RSVD_IMPL", u64::from(DOT1Q_VID_RSVD_IMPL)),
        ("DOT1Q_VID_MIN", u64::from(crate::net::VID_MIN)),
    ] {
        v.push(check(name, value));
    }
    only(&mut v, at, 15);
    v.push(check("AF_LINK", AF_LINK));
    v.push(check("AF_INET", AF_INET));
    v.push(check("AF_INET6", AF_INET6));
    v.push(check("JAIL_DYING", JAIL_DYING));
    for (name, value) in [
        ("CTL_NET", CTL_NET),
        ("PF_LINK", PF_LINK),
        ("NETLINK_GENERIC", NETLINK_GENERIC),
        ("IFMIB_IFDATA", IFMIB_IFDATA),
        ("IFDATA_DRIVERNAME", IFDATA_DRIVERNAME),
    ] {
        v.push(check(name, value));
    }
    let at = v.len();
    for (name, value) in [
        ("SYS_exterrctl", i64::from(SYS_EXTERRCTL)),
        ("P_OSREL_EXTERRCTL", P_OSREL_EXTERRCTL),
        ("EXTERRCTL_ENABLE", i64::from(EXTERRCTL_ENABLE)),
        ("EXTERRCTLF_FORCE", i64::from(EXTERRCTLF_FORCE)),
        ("UEXTERROR_VER", i64::from(UEXTERROR_VER)),
        ("UEXTERROR_MAXLEN", UEXTERROR_MAXLEN as i64),
    ] {
        v.push(check(name, value));
    }
    only(&mut v, at, 15);
    for (name, value) in [
        ("IFT_OTHER", IFT_OTHER),
        ("IFT_ETHER", IFT_ETHER),
        ("IFT_PPP", IFT_PPP),
        ("IFT_LOOP", IFT_LOOP),
        ("IFT_PROPVIRTUAL", IFT_PROPVIRTUAL),
        ("IFT_TUNNEL", IFT_TUNNEL),
        ("IFT_L2VLAN", IFT_L2VLAN),
        ("IFT_BRIDGE", IFT_BRIDGE),
        ("IFT_STF", IFT_STF),
        ("IFT_GIF", IFT_GIF),
        ("IFT_PFLOG", IFT_PFLOG),
        ("IFT_PFSYNC", IFT_PFSYNC),
    ] {
        v.push(check(name, value));
    }
    v
}

/// The C translation unit: FreeBSD's headers, then one `_Static_assert`
/// per check, each saying what it checks. It is compiled with
/// `-DRJIB_FREEBSD=14` or `15`, for the release whose headers it is given;
/// a release's own checks are inside `#if`.
pub fn c_source() -> String {
    let mut s = String::from(
        "/* Generated by rjib (src/freebsd/abicheck.rs); compiled by scripts/check-abi.sh. */\n\
         #if !defined(RJIB_FREEBSD) || (RJIB_FREEBSD != 14 && RJIB_FREEBSD != 15)\n\
         #error \"compile with -DRJIB_FREEBSD=14 or -DRJIB_FREEBSD=15\"\n\
         #endif\n\
         #define _WANT_P_OSREL /* P_OSREL_EXTERRCTL */\n\
         #include <sys/param.h>\n\
         #include <sys/types.h>\n\
         #include <sys/ioccom.h>\n\
         #include <sys/syscall.h>\n\
         #include <sys/sysctl.h>\n\
         #include <sys/jail.h>\n\
         #if RJIB_FREEBSD >= 15\n\
         #include <sys/exterrvar.h>\n\
         #endif\n\
         #include <sys/socket.h>\n\
         #include <sys/sockio.h>\n\
         #include <stddef.h>\n\
         #include <net/if.h>\n\
         #include <net/if_dl.h>\n\
         #include <net/if_types.h>\n\
         #include <net/if_mib.h>\n\
         #include <net/ethernet.h>\n\
         #include <net/if_bridgevar.h>\n\
         #include <net/if_vlan_var.h>\n\
         #include <netinet/in.h>\n\n",
    );
    for c in checks() {
        let msg = format!("rjib: {} is {}", c.c_expr, c.value).replace('"', "'");
        let line = format!(
            "_Static_assert((unsigned long long)({}) == {}ULL, \"{}\");\n",
            c.c_expr, c.value, msg
        );
        match c.only {
            None => s.push_str(&line),
            Some(r) => s.push_str(&format!("#if RJIB_FREEBSD == {r}\n{line}#endif\n")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_is_distinct_and_known() {
        let v = checks();
        assert!(v.len() > 100, "{} checks", v.len());
        for (i, a) in v.iter().enumerate() {
            assert!(
                v[i + 1..].iter().all(|b| b.c_expr != a.c_expr
                    || (a.only.is_some() && b.only.is_some() && a.only != b.only)),
                "{} twice",
                a.c_expr
            );
        }
        let find = |e: &str| v.iter().find(|c| c.c_expr == e).map(|c| c.value);
        assert_eq!(find("sizeof(struct ifbreq)"), Some(80));
        assert_eq!(find("offsetof(struct ifreq, ifr_flagshigh)"), Some(18));
        assert_eq!(find("SIOCIFCREATE2"), Some(0xc020_697c));
        assert_eq!(find("BRDGGIFS"), Some(6));
        assert_eq!(find("sizeof(struct uexterror)"), Some(200));
        assert_eq!(find("offsetof(struct ifreq, ifr_buffer.buffer)"), Some(24));
        assert_eq!(find("SIOCGETVLAN"), Some(0xc020_693a));
        assert_eq!(find("SYS_exterrctl"), Some(592));
        assert_eq!(find("sizeof(struct ifbif_vlan_req)"), Some(536));
        assert_eq!(find("offsetof(struct ifbif_vlan_req, bv_set)"), Some(24));
        assert_eq!(find("offsetof(struct ifbreq, ifbr_pvid)"), Some(48));
        assert_eq!(find("BRDGGDEFPVID"), Some(36));
        assert_eq!(find("IFDATA_DRIVERNAME"), Some(3));
        assert_eq!(find("PF_LINK"), Some(18));
    }

    #[test]
    fn c_source_has_one_assert_per_check() {
        let s = c_source();
        assert_eq!(s.matches("_Static_assert(").count(), checks().len());
        assert!(s.contains("_Static_assert((unsigned long long)(sizeof(struct ifdrv)) == 40ULL,"));
        // A release's own facts are compiled against its headers only.
        assert!(s.contains(
            "#if RJIB_FREEBSD == 14\n_Static_assert((unsigned long long)(sizeof(((struct ifbreq *)0)->pad)) == 32ULL,"
        ));
        assert!(s.contains(
            "#if RJIB_FREEBSD == 15\n_Static_assert((unsigned long long)(sizeof(((struct ifbreq *)0)->pad)) == 28ULL,"
        ));
        assert!(s.contains(
            "#if RJIB_FREEBSD == 15\n_Static_assert((unsigned long long)(SYS_exterrctl)"
        ));
        let v = checks();
        let of = |r| v.iter().filter(|c| c.only == Some(r)).count();
        // 15 only: 6 of ifbreq, 21 of uexterror, 6 of exterrctl; and the
        // VLANs: 16 of ifbif_vlan_req, ifbrparam and their types, 8
        // commands, 9 constants.
        assert_eq!((of(14), of(15)), (2, 6 + 21 + 6 + 16 + 8 + 9));
        assert_eq!(
            v.iter()
                .find(|c| c.c_expr == "sizeof(struct ifbif_vlan_req)")
                .map(|c| (c.value, c.only)),
            Some((536, Some(15)))
        );
        assert!(
            v.iter()
                .any(|c| c.c_expr == "sizeof(struct ifbreq)" && c.only.is_none())
        );
    }

    /// Writes the C file for scripts/check-abi.sh (`RJIB_ABI_C=path`).
    #[test]
    #[ignore = "run by scripts/check-abi.sh"]
    fn write_c_checks() {
        let path = std::env::var_os("RJIB_ABI_C").expect("RJIB_ABI_C names the output file");
        std::fs::write(&path, c_source()).expect("write the C checks");
        println!("rjib-abi-checks: {}", checks().len());
    }
}
