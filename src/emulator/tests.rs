//! The emulator against the direct simulation: the same Host calls on
//! copies of one host file must give the same results, listings and files,
//! with and without injected faults, for both FreeBSD releases' ifbreq.

use std::path::{Path, PathBuf};

use super::ioctl::ioctl;
use super::*;
use crate::freebsd::abi::*;
use crate::freebsd::backend::LISTED_GROUPS;
use crate::freebsd::sys::addr_of;
use crate::freebsd::wire::{Wire, c_name};
use crate::net::{BridgeFlags, Cloner, IfName, Interface, Mac, Vid, VlanOp, VlanSet, epair_peer};
use crate::netsim::SimHost;
use crate::netsim::model::Kernel;

fn vectors() -> Vec<serde_json::Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn n(s: &str) -> IfName {
    IfName::new(s).unwrap()
}

/// A `lastchange` stamped by this run (the simulated kernel's clock is
/// the real one, so two runs may be a second apart): 0.
fn unstamped(t: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if now.abs_diff(t) < 3600 { 0 } else { t }
}

/// The listing with each interface's groups cut to those the kernel
/// backend reports (learning the others would take a request each), and
/// this run's time stamps cleared.
fn normalised(l: HostResult<Vec<Interface>>) -> HostResult<Vec<Interface>> {
    l.map(|v| {
        v.into_iter()
            .map(|mut i| {
                i.groups.retain(|g| LISTED_GROUPS.contains(&g.as_str()));
                i.lastchange = i.lastchange.map(unstamped);
                i
            })
            .collect()
    })
}

/// A fixed script of Host calls (successes and refusals), logged.
#[allow(unused_must_use)] // every result is logged, and the logs compared
fn script(h: &mut dyn Host) -> Vec<String> {
    let mut log = Vec::new();
    macro_rules! rec {
        ($e:expr) => {{
            let r = $e;
            log.push(format!("{} => {:?}", stringify!($e), r));
            r
        }};
    }
    rec!(h.euid());
    rec!(h.lock(&mut crate::host::LockWait {
        holder: "1 test",
        timeout: crate::lock::DEFAULT_WAIT,
        stop: &crate::signals::Never,
        notice: &mut |_| {},
    }));
    let before = rec!(normalised(h.list())).unwrap_or_default();
    let bridge = rec!(h.create(Cloner::Bridge, None)).unwrap_or_else(|_| n("bridge99"));
    let a = rec!(h.create(Cloner::Epair, None)).unwrap_or_else(|_| n("epair99a"));
    let b = epair_peer(&a).unwrap();
    let (ea, eb) = (n("e0a_t"), n("e0b_t"));
    rec!(h.rename(&a, &ea));
    rec!(h.rename(&b, &eb));
    rec!(h.rename(&ea, &eb));
    rec!(h.rename(&n("nope0"), &n("nope1")));
    // Driver names by index, renamed epair ends and a free index included.
    for i in 1..12 {
        rec!(h.driver(&n("any"), i));
    }
    rec!(h.set_up(&ea, true));
    rec!(h.set_up(&eb, true));
    rec!(h.set_up(&eb, false));
    rec!(h.set_up(&n("nope0"), true));
    rec!(h.set_ether(&ea, Mac([2, 0xa0, 0xe2, 1, 2, 3])));
    rec!(h.set_ether(&n("nope0"), Mac([2, 0, 0, 0, 0, 1])));
    rec!(h.set_mtu(&ea, 9000));
    rec!(h.mtu(&ea));
    rec!(h.set_mtu(&ea, 70));
    rec!(h.set_mtu(&ea, 3_000_000_000));
    rec!(h.mtu(&n("nope0")));
    rec!(h.bridge_add(&bridge, &ea));
    // FreeBSD 15's VLAN commands (FreeBSD 14 refuses each with EINVAL).
    let vids = VlanSet::parse("10,20-22").unwrap();
    rec!(h.bridge_flags(&bridge));
    rec!(h.set_bridge_flags(&bridge, BridgeFlags(BridgeFlags::VLANFILTER)));
    rec!(h.bridge_flags(&bridge));
    rec!(h.bridge_flags(&ea));
    rec!(h.bridge_defpvid(&bridge));
    rec!(h.set_member_pvid(&bridge, &ea, Vid::new(20)));
    rec!(h.set_member_pvid(&bridge, &eb, Vid::new(20)));
    rec!(h.set_member_pvid(&n("nope0"), &ea, None));
    rec!(h.set_member_vlans(&bridge, &ea, VlanOp::Add, &vids));
    rec!(h.set_member_vlans(&bridge, &ea, VlanOp::Del, &VlanSet::parse("21").unwrap()));
    rec!(h.set_member_vlans(&bridge, &eb, VlanOp::Set, &vids));
    rec!(h.member_vlans(&bridge, &ea));
    rec!(h.member_vlans(&bridge, &eb));
    rec!(normalised(h.list()));
    rec!(h.bridge_add(&bridge, &ea));
    rec!(h.bridge_add(&bridge, &n("nope0")));
    rec!(h.bridge_add(&n("nope0"), &ea));
    rec!(h.bridge_add(&eb, &ea));
    rec!(h.bridge_add(&bridge, &bridge));
    let c = rec!(h.create(Cloner::Epair, None)).unwrap_or_else(|_| n("epair98a"));
    rec!(h.bridge_add(&bridge, &c));
    // The host's own bridges and interfaces, as they come.
    for i in &before {
        if i.is_bridge() {
            let d = rec!(h.create(Cloner::Epair, None)).unwrap_or_else(|_| n("epair97a"));
            rec!(h.bridge_add(&i.name, &d));
        } else {
            rec!(h.bridge_add(&bridge, &i.name));
            rec!(h.destroy(&i.name));
        }
    }
    rec!(normalised(h.list()));
    rec!(h.destroy(&eb));
    rec!(h.destroy(&ea));
    rec!(h.destroy(&n("nope0")));
    rec!(normalised(h.list()));
    rec!(h.commit());
    log
}

fn copy_host(dir: &Path, name: &str, host: &serde_json::Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(host).unwrap()).unwrap();
    p
}

fn file_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A host file with this run's time stamps cleared.
fn file_unstamped(p: &Path) -> serde_json::Value {
    let mut v = file_json(p);
    for i in v["interfaces"].as_array_mut().into_iter().flatten() {
        if let Some(t) = i.get("lastchange").and_then(serde_json::Value::as_u64) {
            i["lastchange"] = unstamped(t).into();
        }
    }
    v
}

/// `host` as a version 2 file playing FreeBSD `release`.
fn on_release(host: &serde_json::Value, release: u32) -> serde_json::Value {
    let mut h = host.clone();
    h["version"] = 2.into();
    h["release"] = release.into();
    h
}

/// Run `script` directly and through the emulator on copies of `host`.
fn compare(host: &serde_json::Value, release: u32) {
    let host = &on_release(host, release);
    let dir = tempfile::tempdir().unwrap();
    let (pd, pe) = (
        copy_host(dir.path(), "direct.json", host),
        copy_host(dir.path(), "ioctl.json", host),
    );
    let direct = script(&mut SimHost::open(pd.clone()).unwrap());
    let emulated = script(&mut *emulated_host(pe.clone()).unwrap());
    for (d, e) in direct.iter().zip(&emulated) {
        assert_eq!(d, e, "\n  direct: {d}\n  ioctl:  {e}");
    }
    assert_eq!(direct.len(), emulated.len());
    assert_eq!(file_unstamped(&pd), file_unstamped(&pe));
}

#[test]
fn every_recorded_host_behaves_the_same_both_ways() {
    let v = vectors();
    assert_eq!(v.len(), 11);
    for vector in &v {
        for release in [14, 15] {
            compare(&vector["host"], release);
        }
    }
}

#[test]
fn injected_faults_behave_the_same_both_ways() {
    let seed = &vectors()[0]["host"];
    for op in [
        "create",
        "rename",
        "up",
        "ether",
        "mtu",
        "addm",
        "destroy",
        "pvid",
        "vlanset",
        "bridgeflags",
        "drivername",
    ] {
        for (nth, errno) in [(1, "EIO"), (2, "EBUSY"), (3, "ENOMEM")] {
            let mut host = seed.clone();
            host["faults"] = serde_json::json!([{"op": op, "nth": nth, "errno": errno}]);
            compare(&host, 14);
            compare(&host, 15);
        }
    }
}

#[test]
fn the_script_really_fails_where_it_should() {
    // Guard against a comparison of two equally broken runs.
    let dir = tempfile::tempdir().unwrap();
    let p = copy_host(dir.path(), "h.json", &vectors()[0]["host"]);
    let log = script(&mut *emulated_host(p.clone()).unwrap());
    let has = |s: &str| log.iter().any(|l| l.contains(s));
    assert!(has(
        "h.rename(&ea, &eb) => Err(HostError { iface: Some(\"e0a_t\"), what: \"name e0b_t\", reason: Errno(Errno(17)), detail: None })"
    ));
    assert!(has("what: \"addm e0a_t\", reason: Errno(Errno(17))"));
    assert!(has("h.mtu(&ea) => Ok(9000)"));
    assert!(has("h.driver(&n(\"any\"), i) => Ok(Some(\"vtnet0\"))"));
    assert!(has("h.driver(&n(\"any\"), i) => Ok(Some(\"epair0\"))"));
    assert!(has("h.driver(&n(\"any\"), i) => Ok(None)"));
    assert!(has(
        "h.create(Cloner::Epair, None) => Ok(IfName(\"epair0a\"))"
    ));
    assert!(has("what: \"destroy\", reason: Errno(Errno(22))"));
    let after = file_json(&p);
    let names: Vec<&str> = after["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"e0a_t") && names.contains(&"epair1a"),
        "{names:?}"
    );
    assert!(
        has(
            "h.bridge_flags(&bridge) => Err(HostError { iface: Some(\"bridge1\"), what: \"bridge flags\", reason: Errno(Errno(22))"
        ),
        "{log:#?}"
    );
    // On 15 the VLAN calls work, and refuse non-members.
    let p = copy_host(
        dir.path(),
        "h15.json",
        &on_release(&vectors()[0]["host"], 15),
    );
    let log = script(&mut *emulated_host(p).unwrap());
    let has = |s: &str| log.iter().any(|l| l.contains(s));
    assert!(
        has("h.member_vlans(&bridge, &ea) => Ok(VlanSet(10,20,22))"),
        "{log:#?}"
    );
    assert!(has("h.bridge_flags(&bridge) => Ok(BridgeFlags(1))"));
    assert!(has(
        "what: \"ifuntagged e0b_t 20\", reason: Errno(Errno(2)), detail: Some(\"Interface is not a bridge member\")"
    ));
    assert!(has("pvid: Some(Vid(20))"), "the listing shows the PVID");
}

#[test]
fn a_listing_costs_a_constant_number_of_requests_plus_one_per_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let p = copy_host(dir.path(), "h.json", &vectors()[0]["host"]);
    let mut h = KernelHost::new(EmuSys::open(p).unwrap());
    let b2 = h.create(Cloner::Bridge, None).unwrap();
    for _ in 0..40 {
        let a = h.create(Cloner::Epair, None).unwrap();
        h.bridge_add(&b2, &a).unwrap();
    }
    let (i0, l0) = (h.sys().ioctls, h.sys().listings);
    let list = h.list().unwrap();
    assert_eq!(list.len(), 3 + 1 + 80);
    assert_eq!(
        list.iter()
            .find(|i| i.name == b2)
            .unwrap()
            .members
            .as_ref()
            .unwrap()
            .len(),
        40
    );
    // 1 getifaddrs, 2 groups, 2 bridges.
    assert_eq!((h.sys().ioctls - i0, h.sys().listings - l0), (2 + 2, 1));
}

fn seed_kernel() -> Kernel {
    let state = serde_json::from_value(vectors()[0]["host"].clone()).unwrap();
    Kernel::new(state).unwrap()
}

fn drv(bridge: &str, cmd: u64, data: &mut [u8]) -> Vec<u8> {
    IfDrv {
        ifd_name: c_name(bridge),
        ifd_cmd: cmd,
        ifd_len: data.len() as u64,
        ifd_data: addr_of(data),
    }
    .to_bytes()
}

#[test]
fn requests_are_checked_like_the_kernel_checks_them() {
    let mut k = seed_kernel();
    let mut r = IfReq::named("vtnet0").to_bytes();
    // Unknown, or a known one built from a wrong-sized struct.
    assert_eq!(
        ioctl(&mut k, iowr(b'i', 17, 24), &mut r, &mut []),
        Err(Errno::ENOTTY)
    );
    assert_eq!(
        ioctl(&mut k, iowr(b'i', 250, 32), &mut r, &mut []),
        Err(Errno::ENOTTY)
    );
    // A request shorter than its number says.
    assert_eq!(
        ioctl(&mut k, SIOCGIFFLAGS, &mut r[..31], &mut []),
        Err(Errno::EFAULT)
    );
    ioctl(&mut k, SIOCGIFFLAGS, &mut r, &mut []).unwrap();
    assert_eq!(IfReq::from_bytes(&r).unwrap().flags() & IFF_UP, IFF_UP);
    // ifr_data that points at no buffer passed with the request.
    let mut q = IfReq::named("vtnet0");
    q.set_data(0x1000);
    assert_eq!(
        ioctl(&mut k, SIOCSIFNAME, &mut q.to_bytes(), &mut []),
        Err(Errno::EFAULT)
    );
    let mut q = IfReq::named("nope0");
    q.set_data(0x1000);
    assert_eq!(
        ioctl(&mut k, SIOCSIFNAME, &mut q.to_bytes(), &mut []),
        Err(Errno::ENXIO)
    );
    // A name without a NUL within IFNAMSIZ.
    let mut long = [b'x'; 20];
    let mut q = IfReq::named("vtnet0");
    q.set_data(addr_of(&mut long));
    assert_eq!(
        ioctl(&mut k, SIOCSIFNAME, &mut q.to_bytes(), &mut [&mut long]),
        Err(Errno::ENAMETOOLONG)
    );
    // Unknown cloner.
    let mut c = IfReq::named("nosuch").to_bytes();
    assert_eq!(
        ioctl(&mut k, SIOCIFCREATE2, &mut c, &mut []),
        Err(Errno::EINVAL)
    );
    assert!(!k.dirty);
}

#[test]
fn bridge_requests_need_an_80_byte_ifbreq_and_their_direction() {
    for release in [14, 15] {
        let mut k = Kernel::new(
            serde_json::from_value(on_release(&vectors()[0]["host"], release)).unwrap(),
        )
        .unwrap();
        let a = k.create("epair").unwrap();
        // No FreeBSD has a 48-byte struct ifbreq: bridge_ioctl refuses it.
        let mut b48 = IfBreq::named(&a).to_bytes()[..48].to_vec();
        let mut arg = drv("vtnet0bridge", BRDGADD, &mut b48);
        assert_eq!(
            ioctl(&mut k, SIOCSDRVSPEC, &mut arg, &mut [&mut b48]),
            Err(Errno::EINVAL)
        );
        let mut b80 = IfBreq::named(&a).to_bytes();
        let mut arg = drv("nope0", BRDGADD, &mut b80);
        assert_eq!(
            ioctl(&mut k, SIOCSDRVSPEC, &mut arg, &mut [&mut b80]),
            Err(Errno::ENXIO)
        );
        let mut arg = drv("vtnet0bridge", BRDGADD, &mut b80);
        assert_eq!(
            ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut b80]),
            Err(Errno::EINVAL)
        );
        ioctl(&mut k, SIOCSDRVSPEC, &mut arg, &mut [&mut b80]).unwrap();
        let mut arg = drv("vtnet0bridge", BRDGGIFFLGS, &mut b48);
        assert_eq!(
            ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut b48]),
            Err(Errno::EINVAL)
        );
        let mut arg = drv("vtnet0bridge", BRDGGIFFLGS, &mut b80);
        ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut b80]).unwrap();
        assert_eq!(
            u32::from_ne_bytes(b80[16..20].try_into().unwrap()),
            IFBIF_LEARNING | IFBIF_DISCOVER
        );
    }
}

#[test]
fn brdggifs_reports_its_size_and_fills_what_fits() {
    let mut k = seed_kernel();
    let mut added = Vec::new();
    for _ in 0..3 {
        let a = k.create("epair").unwrap();
        k.bridge_add("vtnet0bridge", &a).unwrap();
        added.push(a);
    }
    let size = IFBREQ_LEN;
    let gifs = |k: &mut Kernel, buf: &mut Vec<u8>, len: u32| -> u32 {
        let mut conf = IfBifConf {
            ifbic_len: len,
            _pad: 0,
            ifbic_buf: addr_of(buf),
        }
        .to_bytes();
        let mut arg = drv("vtnet0bridge", BRDGGIFS, &mut conf);
        ioctl(k, SIOCGDRVSPEC, &mut arg, &mut [&mut conf, buf]).unwrap();
        IfBifConf::from_bytes(&conf).unwrap().ifbic_len
    };
    let mut buf = vec![0u8; 0];
    assert_eq!(gifs(&mut k, &mut buf, 0) as usize, 3 * size);
    let mut buf = vec![0u8; 2 * size];
    assert_eq!(gifs(&mut k, &mut buf, (2 * size) as u32) as usize, 2 * size);
    // Most recent first.
    assert_eq!(&buf[..8], format!("{}\0", added[2]).as_bytes());
    assert_eq!(&buf[size..size + 8], format!("{}\0", added[1]).as_bytes());
    // A buffer shorter than ifbic_len says: the copyout faults.
    let mut short = vec![0u8; size];
    let mut conf = IfBifConf {
        ifbic_len: (3 * size) as u32,
        _pad: 0,
        ifbic_buf: addr_of(&mut short),
    }
    .to_bytes();
    let mut arg = drv("vtnet0bridge", BRDGGIFS, &mut conf);
    assert_eq!(
        ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut conf, &mut short]),
        Err(Errno::EFAULT)
    );
}

#[test]
fn getifaddrs_types_a_bridge_like_freebsd() {
    let k = seed_kernel();
    let entries = link::entries(&k).unwrap();
    let br = entries.iter().find(|e| e.name == b"vtnet0bridge").unwrap();
    let sdl = SockaddrDl::from_bytes(&br.addr).unwrap();
    let data = IfData::from_bytes(&br.data).unwrap();
    // ether_ifattach's IFT_ETHER in the address, IFT_BRIDGE in if_data.
    assert_eq!((sdl.sdl_type, data.ifi_type), (IFT_ETHER, IFT_BRIDGE));
    assert_eq!(
        (sdl.sdl_family, sdl.sdl_index, sdl.sdl_nlen, sdl.sdl_alen),
        (AF_LINK, 3, 12, 6)
    );
    assert_eq!(&sdl.sdl_data[..18], b"vtnet0bridge\x58\x9c\xfc\x10\x00\x00");
    assert_eq!(data.ifi_mtu, 1500);
    let lo = entries.iter().find(|e| e.name == b"lo0").unwrap();
    assert_eq!(SockaddrDl::from_bytes(&lo.addr).unwrap().sdl_alen, 0);
}

/// `host` with only the modules listed loaded.
fn with_modules(host: &serde_json::Value, modules: &[&str]) -> serde_json::Value {
    let mut h = host.clone();
    h["modules"] = serde_json::json!(modules);
    h
}

#[test]
fn bridge_sysctls_exist_only_while_if_bridge_is_loaded() {
    use crate::net::{Basis, Verdict};
    // FreeBSD 15 with the sysctl set to 0, but if_bridge not loaded yet:
    // the sysctl does not exist, the prediction is 15's default (1, a
    // warning); once the module is loaded, the value reads back.
    let mut host = on_release(&vectors()[0]["host"], 15);
    host["interfaces"] = serde_json::json!([]);
    host["sysctl"] = serde_json::json!({"net.link.bridge.member_ifaddrs": 0});
    let host = with_modules(&host, &["if_epair"]);
    let dir = tempfile::tempdir().unwrap();
    let hosts: [Box<dyn Host>; 2] = [
        Box::new(SimHost::open(copy_host(dir.path(), "d.json", &host)).unwrap()),
        emulated_host(copy_host(dir.path(), "e.json", &host)).unwrap(),
    ];
    for mut h in hosts {
        let before = h.bridge_policy().unwrap();
        assert_eq!(
            (before.release, before.member_ifaddrs, before.bridge_loaded),
            (Some(15), None, false)
        );
        assert!(before.needs_load());
        let predicted = before.member_addrs();
        assert_eq!(predicted.verdict, Verdict::Warn);
        assert!(matches!(
            predicted.basis,
            Basis::Predicted {
                release: 15,
                default: 1
            }
        ));
        assert!(!h.cloner_loaded(Cloner::Bridge).unwrap());
        h.load_cloner(Cloner::Bridge).unwrap();
        let after = h.bridge_policy().unwrap();
        assert_eq!(after.member_ifaddrs, Some(0));
        assert_eq!(after.member_addrs().verdict, Verdict::Refuse);
    }
    // On 14 nothing changes with the module: no such sysctl, no refusal.
    let k = Kernel::new(
        serde_json::from_value(with_modules(&vectors()[0]["host"], &["if_bridge"])).unwrap(),
    )
    .unwrap();
    assert_eq!(k.sysctl("net.link.bridge.member_ifaddrs"), None);
    let k = Kernel::new(serde_json::from_value(with_modules(&host, &[])).unwrap()).unwrap();
    assert_eq!(k.sysctl("net.link.bridge.member_ifaddrs"), None);
    assert_eq!(k.sysctl("kern.osreldate"), Some(1_500_000));
}

/// The seed host plus a vlan on vtnet0, a tun and an interface in a
/// jail's vnet.
fn varied_kernel() -> Kernel {
    let mut host = vectors()[0]["host"].clone();
    host["version"] = 2.into();
    host["jails"] = serde_json::json!([{"name": "www", "jid": 1}]);
    let list = host["interfaces"].as_array_mut().unwrap();
    list.push(
        serde_json::json!({"name": "vlan5", "index": 4, "type": "l2vlan",
        "vlan_parent": "vtnet0", "ether": "58:9c:fc:0a:1b:2c", "mtu": 1500, "up": true}),
    );
    list.push(
        serde_json::json!({"name": "tun0", "index": 5, "type": "tun",
        "mtu": 1500, "up": false}),
    );
    list.push(serde_json::json!({"name": "em9", "index": 6, "vnet": "www",
        "ether": "02:00:00:00:00:09", "mtu": 1500, "up": true}));
    Kernel::new(serde_json::from_value(host).unwrap()).unwrap()
}

#[test]
fn getifaddrs_link_addresses_are_laid_out_like_freebsds() {
    let k = varied_kernel();
    let entries = link::entries(&k).unwrap();
    let link = |name: &str| {
        let e = entries
            .iter()
            .find(|e| e.name == name.as_bytes() && e.family() == AF_LINK)
            .unwrap();
        (
            SockaddrDl::from_bytes(&e.addr).unwrap(),
            e.addr.len(),
            IfData::from_bytes(&e.data).unwrap(),
        )
    };
    // if_attach_internal: max(8 + IFNAMSIZ + alen, sizeof(sockaddr_dl)),
    // rounded up to a long: 56 on LP64, with or without an address.
    for name in ["lo0", "vtnet0", "vtnet0bridge", "vlan5", "tun0"] {
        let (sdl, len, _) = link(name);
        assert_eq!((sdl.sdl_len, len), (56, 56), "{name}");
    }
    // vlan_clone_create stamps IFT_L2VLAN into the address as well.
    let (sdl, _, data) = link("vlan5");
    assert_eq!((sdl.sdl_type, data.ifi_type), (IFT_L2VLAN, IFT_L2VLAN));
    // tun(4) is IFT_PPP, without a link-level address.
    let (sdl, _, data) = link("tun0");
    assert_eq!(
        (sdl.sdl_type, data.ifi_type, sdl.sdl_alen),
        (IFT_PPP, IFT_PPP, 0)
    );
    // A bridge keeps ether_ifattach's IFT_ETHER in its address.
    let (sdl, _, data) = link("vtnet0bridge");
    assert_eq!((sdl.sdl_type, data.ifi_type), (IFT_ETHER, IFT_BRIDGE));
    // What is in a jail's vnet is not listed on the host.
    assert!(entries.iter().all(|e| e.name != b"em9"));
}

fn ioctl_flags(k: &mut Kernel, name: &str) -> u32 {
    let mut r = IfReq::named(name).to_bytes();
    ioctl(k, SIOCGIFFLAGS, &mut r, &mut []).unwrap();
    IfReq::from_bytes(&r).unwrap().flags()
}

#[test]
fn an_epair_runs_from_its_creation_a_bridge_once_up() {
    let mut k = seed_kernel();
    let a = k.create("epair").unwrap();
    let b = epair_peer(&n(&a)).unwrap();
    let br = k.create("bridge").unwrap();
    // epair_clone_create sets IFF_DRV_RUNNING on both ends, down as they
    // are; SIOCGIFFLAGS and getifaddrs report if_flags | if_drv_flags.
    let entries = link::entries(&k).unwrap();
    for end in [a.as_str(), b.as_str()] {
        let f = ioctl_flags(&mut k, end);
        assert_eq!(f & (IFF_UP | IFF_DRV_RUNNING), IFF_DRV_RUNNING, "{end}");
        let e = entries.iter().find(|e| e.name == end.as_bytes()).unwrap();
        assert_eq!(e.flags, f, "{end}");
    }
    // A bridge runs only once it is up (bridge_init).
    assert_eq!(ioctl_flags(&mut k, &br) & IFF_DRV_RUNNING, 0);
    k.set_up(&br, true).unwrap();
    assert_eq!(
        ioctl_flags(&mut k, &br) & (IFF_UP | IFF_DRV_RUNNING),
        IFF_UP | IFF_DRV_RUNNING
    );
}

#[test]
fn every_interface_is_in_group_all() {
    let mut k = varied_kernel();
    let gmemb = |k: &mut Kernel, group: &str, list: &mut Vec<u8>| {
        let req = IfGroupReq {
            ifgr_name: c_name(group),
            ifgr_len: list.len() as u32,
            ifgr_groups: addr_of(list),
            ..IfGroupReq::default()
        };
        let mut arg = req.to_bytes();
        let r = ioctl(k, SIOCGIFGMEMB, &mut arg, &mut [list]);
        r.map(|()| IfGroupReq::from_bytes(&arg).unwrap().ifgr_len as usize)
    };
    // The size query: 16 bytes for each of the five host interfaces.
    assert_eq!(gmemb(&mut k, "all", &mut Vec::new()), Ok(5 * IfgReq::LEN));
    let mut list = vec![0u8; 5 * IfgReq::LEN];
    gmemb(&mut k, "all", &mut list).unwrap();
    let names: Vec<&[u8]> = list
        .chunks_exact(IfgReq::LEN)
        .map(crate::freebsd::wire::c_str)
        .collect();
    let want: [&[u8]; 5] = [b"lo0", b"vtnet0", b"vtnet0bridge", b"vlan5", b"tun0"];
    assert_eq!(names, want);
    // A group no interface is in does not exist.
    assert_eq!(gmemb(&mut k, "nosuch", &mut Vec::new()), Err(Errno::ENOENT));
}

#[test]
fn freebsd_15_refusals_carry_the_kernels_extended_error() {
    let mut host = vectors()[0]["host"].clone();
    host["interfaces"][1]["addrs"] = serde_json::json!(["192.0.2.1/24"]);
    let dir = tempfile::tempdir().unwrap();
    let detail = "(Member interface may not have an IP address assigned)";
    for release in [14, 15] {
        // 15 at 0: refused (at 1, its default, the member is added).
        let mut host = on_release(&host, release);
        if release == 15 {
            host["sysctl"] = serde_json::json!({"net.link.bridge.member_ifaddrs": 0});
        }
        let mut direct = SimHost::open(copy_host(dir.path(), "d.json", &host)).unwrap();
        let mut emulated = emulated_host(copy_host(dir.path(), "e.json", &host)).unwrap();
        let br = emulated.create(Cloner::Bridge, None).unwrap();
        assert_eq!(direct.create(Cloner::Bridge, None).unwrap(), br);
        let r = emulated.bridge_add(&br, &n("vtnet0"));
        // The direct simulation says the same.
        assert_eq!(direct.bridge_add(&br, &n("vtnet0")), r);
        if release == 15 {
            let e = r.unwrap_err();
            assert_eq!(e.errno_value(), Some(Errno::EINVAL));
            let line = e.to_string();
            assert!(line.ends_with(detail), "{line}");
            assert_eq!(
                line,
                format!("{br}: addm vtnet0: Invalid argument {detail}")
            );
        } else {
            // FreeBSD 14 takes the member.
            r.unwrap();
        }
        // Every bridge_ioctl_add refusal has a text on 15, none on 14.
        let a = emulated.create(Cloner::Epair, None).unwrap();
        assert_eq!(direct.create(Cloner::Epair, None).unwrap(), a);
        emulated.bridge_add(&n("vtnet0bridge"), &a).unwrap();
        direct.bridge_add(&n("vtnet0bridge"), &a).unwrap();
        let e = emulated.bridge_add(&br, &a).unwrap_err();
        assert_eq!(direct.bridge_add(&br, &a).unwrap_err(), e);
        assert_eq!(e.errno_value(), Some(Errno::EBUSY));
        let other = "Interface is already a member of another bridge";
        assert_eq!(e.detail.as_deref(), (release == 15).then_some(other));
        // A later failure without a text does not inherit the last one.
        let e = emulated.destroy(&n("nope0")).unwrap_err();
        assert_eq!((e.errno_value(), e.detail), (Some(Errno::ENXIO), None));
    }
}

/// sysctl(3) of `net.link.generic.ifdata.INDEX.drivername` as
/// `sysctl_ifdata` answers it: both ends of one epair give `epairN`,
/// whatever they are named; an index in a jail's vnet or free is ENOENT;
/// a buffer too short is ENOMEM; any other MIB is no node (ENOENT).
#[test]
fn driver_names_by_index() {
    let dir = tempfile::tempdir().unwrap();
    let host = serde_json::json!({"version": 2, "jails": [{"name": "j", "jid": 1}],
        "interfaces": [
        {"name": "vtnet0", "index": 1, "ether": "58:9c:fc:0a:1b:2c", "mtu": 1500, "up": true},
        {"name": "e0a_j", "index": 2, "cloner": "epair", "unit": 7, "peer": "web",
         "mtu": 1500, "up": true, "groups": ["epair"]},
        {"name": "web", "index": 3, "cloner": "epair", "unit": 7, "peer": "e0a_j",
         "mtu": 1500, "up": true, "groups": ["epair"]},
        {"name": "e0b_x", "index": 4, "cloner": "epair", "unit": 8, "peer": "e0a_x",
         "mtu": 1500, "up": true, "groups": ["epair"], "vnet": "j"},
        {"name": "e0a_x", "index": 5, "cloner": "epair", "unit": 8, "peer": "e0b_x",
         "mtu": 1500, "up": true, "groups": ["epair"]}]});
    let p = copy_host(dir.path(), "h.json", &host);
    let mut sys = EmuSys::open(p).unwrap();
    let mut read = |index: u32, len: usize| {
        let mut buf = vec![0u8; len];
        sys.sysctl(&drivername_mib(index), &mut buf)
            .map(|n| String::from_utf8(buf[..n].to_vec()).unwrap())
    };
    assert_eq!(read(2, 64), Ok("epair7\0".into()));
    assert_eq!(read(3, 64), Ok("epair7\0".into()), "renamed, same pair");
    assert_eq!(read(5, 64), Ok("epair8\0".into()));
    assert_eq!(read(1, 64), Ok("vtnet0\0".into()));
    assert_eq!(read(4, 64), Err(Errno::ENOENT), "in a jail's vnet");
    assert_eq!(read(9, 64), Err(Errno::ENOENT), "free");
    assert_eq!(read(2, 4), Err(Errno::ENOMEM));
    let mut buf = [0u8; 64];
    assert_eq!(
        sys.sysctl(
            &[CTL_NET, PF_LINK, NETLINK_GENERIC, IFMIB_IFDATA, 2, 1],
            &mut buf
        ),
        Err(Errno::ENOENT),
        "general: not what rjib reads"
    );
    // The backend on top: the text, and None for ENOENT.
    let mut h = KernelHost::new(sys);
    assert_eq!(h.driver(&n("web"), 3), Ok(Some("epair7".into())));
    assert_eq!(h.driver(&n("e0b_x"), 4), Ok(None));
}

/// A 15 kernel with bridge0 (members em0, e0; span port sp0), for the VLAN
/// commands.
fn vlan_kernel(release: u32) -> Kernel {
    let host = serde_json::json!({"version": 3, "release": release, "interfaces": [
        {"name": "em0", "index": 1, "ether": "00:25:90:00:00:01", "mtu": 1500, "up": true},
        {"name": "e0", "index": 2, "ether": "00:25:90:00:00:02", "mtu": 1500, "up": true},
        {"name": "sp0", "index": 3, "ether": "00:25:90:00:00:03", "mtu": 1500, "up": true},
        {"name": "out0", "index": 4, "ether": "00:25:90:00:00:04", "mtu": 1500, "up": true},
        {"name": "bridge0", "index": 5, "cloner": "bridge", "unit": 0, "mtu": 1500, "up": true,
         "groups": ["bridge"], "members": ["em0", "e0"], "spans": ["sp0"]}
    ]});
    Kernel::new(serde_json::from_value(host).unwrap()).unwrap()
}

/// Send BRDG `cmd` with `arg` as its argument, the given way.
fn brdg(k: &mut Kernel, get: bool, cmd: u64, arg: &mut [u8]) -> Result<(), Errno> {
    let mut ifd = drv("bridge0", cmd, arg);
    let req = if get { SIOCGDRVSPEC } else { SIOCSDRVSPEC };
    ioctl(k, req, &mut ifd, &mut [arg])
}

fn pvid_req(member: &str, pvid: u16) -> Vec<u8> {
    let mut r = IfBreq::named(member);
    r.ifbr_pvid = pvid;
    r.to_bytes()
}

fn set_req(member: &str, op: u8, vids: &[u16]) -> Vec<u8> {
    let mut r = IfBifVlanReq::named(member);
    r.bv_op = op;
    for &v in vids {
        r.bv_set[usize::from(v) / 64] |= 1 << (v % 64);
    }
    r.to_bytes()
}

/// bridge_ioctl's checks before any handler (FreeBSD 15, if_bridge.c):
/// the command is in the table, goes the right way, has the right size.
#[test]
fn vlan_commands_pass_bridge_ioctls_checks_first() {
    // FreeBSD 14's table ends at 30: every VLAN command is EINVAL.
    let mut k = vlan_kernel(14);
    for (get, cmd, mut arg) in [
        (false, BRDGSIFPVID, pvid_req("em0", 5)),
        (false, BRDGSIFVLANSET, set_req("em0", 1, &[5])),
        (true, BRDGGIFVLANSET, set_req("em0", 0, &[])),
        (true, BRDGGFLAGS, vec![0; 4]),
        (false, BRDGSFLAGS, vec![1, 0, 0, 0]),
        (true, BRDGGDEFPVID, vec![0; 4]),
    ] {
        assert_eq!(
            brdg(&mut k, get, cmd, &mut arg),
            Err(Errno::EINVAL),
            "{cmd}"
        );
    }
    assert!(!k.dirty);
    let mut k = vlan_kernel(15);
    // The wrong way: a set command with SIOCGDRVSPEC, a get with SIOCSDRVSPEC.
    assert_eq!(
        brdg(&mut k, true, BRDGSIFPVID, &mut pvid_req("em0", 5)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        brdg(&mut k, false, BRDGGFLAGS, &mut [0; 4]),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        brdg(&mut k, false, BRDGGIFVLANSET, &mut set_req("em0", 0, &[])),
        Err(Errno::EINVAL)
    );
    // The wrong size: 535 bytes of ifbif_vlan_req, an ifbrparam of 8.
    let mut short = set_req("em0", 1, &[5]);
    short.pop();
    assert_eq!(
        brdg(&mut k, false, BRDGSIFVLANSET, &mut short),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        brdg(&mut k, false, BRDGSFLAGS, &mut [1, 0, 0, 0, 0, 0, 0, 0]),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        brdg(&mut k, false, BRDGSIFVLANSET, &mut pvid_req("em0", 5)),
        Err(Errno::EINVAL)
    );
    // The table's size: 39 commands.
    assert_eq!(brdg(&mut k, true, 39, &mut [0; 4]), Err(Errno::EINVAL));
    assert!(!k.dirty, "nothing reached a handler");
    assert_eq!(k.exterror, None);
}

/// The handlers' own refusals (bridge_ioctl_sifpvid, _sifvlanset,
/// _gifvlanset), with their extended errors, and what they store.
#[test]
fn vlan_handlers_refuse_what_freebsd_15_refuses() {
    let mut k = vlan_kernel(15);
    // Not a member: out0, and a span port.
    for m in ["out0", "sp0", "nope0"] {
        assert_eq!(
            brdg(&mut k, false, BRDGSIFPVID, &mut pvid_req(m, 5)),
            Err(Errno::ENOENT)
        );
        assert_eq!(k.exterror, Some(crate::netsim::model::EXT_NOT_A_MEMBER));
        assert_eq!(
            brdg(&mut k, false, BRDGSIFVLANSET, &mut set_req(m, 1, &[5])),
            Err(Errno::ENOENT)
        );
        assert_eq!(
            brdg(&mut k, true, BRDGGIFVLANSET, &mut set_req(m, 0, &[])),
            Err(Errno::ENOENT)
        );
    }
    // A PVID above 4094; 4094 and 0 are taken (0 clears it).
    assert_eq!(
        brdg(&mut k, false, BRDGSIFPVID, &mut pvid_req("em0", 4095)),
        Err(Errno::EINVAL)
    );
    assert_eq!(k.exterror, Some(crate::netsim::model::EXT_INVALID_VID));
    brdg(&mut k, false, BRDGSIFPVID, &mut pvid_req("em0", 4094)).unwrap();
    assert_eq!(k.get("em0").unwrap().pvid, Some(4094));
    brdg(&mut k, false, BRDGSIFPVID, &mut pvid_req("em0", 0)).unwrap();
    assert_eq!(k.get("em0").unwrap().pvid, None);
    k.dirty = false;
    // Bit 0 or 4095 in a set, whatever the operation, before the op check.
    for bad in [0u16, 4095] {
        for op in [1, 3, 9] {
            assert_eq!(
                brdg(
                    &mut k,
                    false,
                    BRDGSIFVLANSET,
                    &mut set_req("em0", op, &[5, bad])
                ),
                Err(Errno::EINVAL)
            );
            assert_eq!(
                k.exterror,
                Some(crate::netsim::model::EXT_INVALID_VID_IN_SET)
            );
        }
    }
    for op in [0, 4, 255] {
        assert_eq!(
            brdg(&mut k, false, BRDGSIFVLANSET, &mut set_req("em0", op, &[5])),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            k.exterror,
            Some(crate::netsim::model::EXT_UNSUPPORTED_VLAN_OP)
        );
    }
    assert!(!k.dirty);
    // SET, ADD, DEL; an empty set is fine.
    brdg(
        &mut k,
        false,
        BRDGSIFVLANSET,
        &mut set_req("em0", 1, &[10, 20]),
    )
    .unwrap();
    brdg(
        &mut k,
        false,
        BRDGSIFVLANSET,
        &mut set_req("em0", 2, &[20, 30]),
    )
    .unwrap();
    brdg(
        &mut k,
        false,
        BRDGSIFVLANSET,
        &mut set_req("em0", 3, &[10, 40]),
    )
    .unwrap();
    assert_eq!(k.get("em0").unwrap().tagged, Some(vec![20, 30]));
    // GIFVLANSET copies the set out and leaves bv_op as it was sent.
    let mut got = set_req("em0", 7, &[1, 2, 3]);
    brdg(&mut k, true, BRDGGIFVLANSET, &mut got).unwrap();
    let got = IfBifVlanReq::from_bytes(&got).unwrap();
    assert_eq!(got.bv_op, 7);
    assert_eq!(
        VlanSet::from_words(got.bv_set).unwrap().to_string(),
        "20,30"
    );
    brdg(&mut k, false, BRDGSIFVLANSET, &mut set_req("em0", 1, &[])).unwrap();
    assert_eq!(k.get("em0").unwrap().tagged, None);
    // Flags are stored as given, with no precondition; the default PVID
    // reads back in the union's uint16_t.
    let mut f = vec![0u8; 4];
    brdg(&mut k, true, BRDGGFLAGS, &mut f).unwrap();
    assert_eq!(f, [0, 0, 0, 0]);
    brdg(
        &mut k,
        false,
        BRDGSFLAGS,
        &mut IfBrParam {
            ifbrp_flags: IFBRF_VLANFILTER,
        }
        .to_bytes(),
    )
    .unwrap();
    brdg(&mut k, true, BRDGGFLAGS, &mut f).unwrap();
    assert_eq!(
        IfBrParam::from_bytes(&f).unwrap().ifbrp_flags,
        IFBRF_VLANFILTER
    );
    let mut d = vec![0xffu8; 4];
    brdg(&mut k, true, BRDGGDEFPVID, &mut d).unwrap();
    assert_eq!(d, [0, 0, 0, 0], "zeroed, then the uint16_t set");
}

/// BRDGGIFS (bridge_ioctl_gifs) gives each member's PVID and 802.1Q; a
/// span port's entry keeps the last member's VLAN fields (the one ifbreq
/// is zeroed once), which the backend must not read.
#[test]
fn brdggifs_reports_pvids_and_a_span_port_keeps_the_last_members() {
    let mut k = vlan_kernel(15);
    k.set_member_pvid("bridge0", "em0", 7).unwrap();
    let mut buf = vec![0u8; 3 * IFBREQ_LEN];
    let mut conf = IfBifConf {
        ifbic_len: buf.len() as u32,
        _pad: 0,
        ifbic_buf: addr_of(&mut buf),
    }
    .to_bytes();
    let mut arg = drv("bridge0", BRDGGIFS, &mut conf);
    ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut conf, &mut buf]).unwrap();
    let e: Vec<IfBreq> = buf
        .chunks_exact(IFBREQ_LEN)
        .map(|c| IfBreq::from_bytes(c).unwrap())
        .collect();
    // e0 (most recent), em0, then the span port sp0.
    assert_eq!((e[0].ifbr_pvid, e[0].ifbr_vlanproto), (0, ETHERTYPE_VLAN));
    assert_eq!((e[1].ifbr_pvid, e[1].ifbr_vlanproto), (7, ETHERTYPE_VLAN));
    assert_eq!(e[2].ifbr_ifsflags, IFBIF_SPAN);
    assert_eq!(e[2].ifbr_pvid, 7, "left over from em0's entry");
    // Through the backend: members only, each with its own PVID.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.json");
    std::fs::write(&p, serde_json::to_string(&k.state).unwrap()).unwrap();
    let l = emulated_host(p).unwrap().list().unwrap();
    let pvid = |n: &str| l.iter().find(|i| i.name.as_str() == n).unwrap().pvid;
    assert_eq!(pvid("em0"), Vid::new(7));
    assert_eq!(pvid("e0"), None);
    assert_eq!(pvid("sp0"), None, "a span port is no member");
    // FreeBSD 14's ifbreq has padding there: zero.
    let mut k = vlan_kernel(14);
    let mut buf = vec![0u8; IFBREQ_LEN];
    let mut conf = IfBifConf {
        ifbic_len: buf.len() as u32,
        _pad: 0,
        ifbic_buf: addr_of(&mut buf),
    }
    .to_bytes();
    let mut arg = drv("bridge0", BRDGGIFS, &mut conf);
    ioctl(&mut k, SIOCGDRVSPEC, &mut arg, &mut [&mut conf, &mut buf]).unwrap();
    assert!(buf[48..].iter().all(|&b| b == 0));
}
