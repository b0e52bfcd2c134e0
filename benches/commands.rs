//! Benchmark: addm + destroy and show on simulated hosts with 1, 100 and
//! 1000 jails, directly and through the FreeBSD backend on the ioctl
//! emulator, and `show` and `show --libxo json` on 20,000 jails (the size
//! at which a quadratic listing shows), `-n prune` on 1000 jails whose
//! jail ends are on the host or in their jails, and one addm with and
//! without VLANs in each layout of a FreeBSD 15 bridge. Reports wall time
//! per command (median of repeated runs of the release binary, a whole process each:
//! parse, lock, read and write the host file) and the host calls each
//! command makes.
//!
//! Run: `cargo bench --bench commands` (add `-- --quick` for fewer rounds).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rjib::app::main_counted;
use rjib::backend::Selection;
use rjib::emulator::EmuSys;
use rjib::freebsd::KernelHost;
use rjib::host::Host;
use rjib::host::counting::Calls;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rjib");

/// The seed host plus `jails` jails, each with one epair on vtnet0bridge.
fn host_with(jails: usize) -> Value {
    let mut ifs = vec![
        json!({"name": "lo0", "index": 1, "type": "loop", "cloner": null, "unit": null, "peer": null, "ether": null, "mtu": 16384, "up": true, "groups": ["lo"], "members": null, "description": null}),
        json!({"name": "vtnet0", "index": 2, "cloner": null, "unit": null, "peer": null, "ether": "58:9c:fc:0a:1b:2c", "mtu": 1500, "up": true, "groups": [], "members": null, "description": null}),
    ];
    let members: Vec<String> = (0..jails).map(|k| format!("e0a_j{k}")).collect();
    ifs.push(json!({"name": "vtnet0bridge", "index": 3, "cloner": "bridge", "unit": 0, "peer": null, "ether": "58:9c:fc:10:00:00", "mtu": 1500, "up": true, "groups": ["bridge"], "members": members, "description": null}));
    for k in 0..jails {
        let idx = 4 + 2 * k as u64;
        let (a, b) = (format!("e0a_j{k}"), format!("e0b_j{k}"));
        for (name, peer, i, end) in [(&a, &b, idx, "0a"), (&b, &a, idx + 1, "0b")] {
            ifs.push(json!({"name": name, "index": i, "cloner": "epair", "unit": k, "peer": peer,
                "ether": format!("02:00:00:{:02x}:{:02x}:{end}", k >> 8, k & 255), "mtu": 1500, "up": true,
                "groups": ["epair"], "members": null, "description": null}));
        }
    }
    json!({"version": 1, "euid": 0, "interfaces": ifs})
}

fn run(path: &Path, via: &str, args: &[&str]) -> Duration {
    let t = Instant::now();
    let o = Command::new(BIN)
        .env("RJIB_NETSIM", path)
        .env("RJIB_NETSIM_VIA", via)
        .args(args)
        .output()
        .expect("run rjib");
    let d = t.elapsed();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    d
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn counted(path: &Path, via: &str, args: &[&str]) -> Calls {
    let sel = Selection {
        netsim: Some(path.into()),
        via: Some(via.into()),
    };
    let mut argv = vec![std::ffi::OsString::from("rjib")];
    argv.extend(args.iter().map(std::ffi::OsString::from));
    let c = main_counted(&argv, &sel);
    assert_eq!(c.status, 0, "{}", String::from_utf8_lossy(&c.err));
    c.calls
}

/// The system calls of one listing through the FreeBSD backend (on the
/// emulator): getifaddrs(3) calls and ioctls.
fn listing_syscalls(path: &Path) -> (u64, u64) {
    let mut h = KernelHost::new(EmuSys::open(path.to_path_buf()).unwrap());
    h.list().unwrap();
    (h.sys().listings, h.sys().ioctls)
}

/// The exit status and host calls of one run, whatever its outcome.
fn counted_any(path: &Path, via: &str, args: &[&str]) -> (i32, Calls) {
    let sel = Selection {
        netsim: Some(path.into()),
        via: Some(via.into()),
    };
    let mut argv = vec![std::ffi::OsString::from("rjib")];
    argv.extend(args.iter().map(std::ffi::OsString::from));
    let c = main_counted(&argv, &sel);
    (c.status, c.calls)
}

fn calls_summary(c: &Calls) -> String {
    let parts: Vec<String> = c.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{} ({})", c.total(), parts.join(" "))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("host.json");
    println!(
        "rjib benchmark: median wall time of the release binary per command, and host calls per command"
    );
    println!(
        "{:<7} {:>6} {:>12} {:>12} {:>12}   calls: addm | destroy | show",
        "via", "jails", "addm", "destroy", "show"
    );
    for jails in [1usize, 100, 1000] {
        for via in ["direct", "ioctl"] {
            let rounds = if quick {
                3
            } else if jails >= 1000 {
                15
            } else {
                41
            };
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&host_with(jails)).unwrap(),
            )
            .unwrap();
            let (mut addm, mut destroy, mut show) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..rounds {
                addm.push(run(&path, via, &["addm", "bench", "vtnet0"]));
                show.push(run(&path, via, &["show"]));
                destroy.push(run(&path, via, &["destroy", "bench"]));
            }
            let ca = counted(&path, via, &["addm", "bench", "vtnet0"]);
            let cd = counted(&path, via, &["destroy", "bench"]);
            let cs = counted(&path, via, &["show"]);

            println!(
                "{:<7} {:>6} {:>10.2}ms {:>10.2}ms {:>10.2}ms   {} | {} | {}",
                via,
                jails,
                median(addm).as_secs_f64() * 1e3,
                median(destroy).as_secs_f64() * 1e3,
                median(show).as_secs_f64() * 1e3,
                calls_summary(&ca),
                calls_summary(&cd),
                calls_summary(&cs),
            );
            if via == "ioctl" {
                let (g, n) = listing_syscalls(&path);
                println!(
                    "{:>14} one listing = {g} getifaddrs + {n} ioctls (two group queries, the member list of the one bridge)",
                    ""
                );
            }
        }
    }
    vlan_addm(&path, quick);
    big_show(&path, quick);
    prune(&path, quick);
}

/// `-n prune` on 1000 jails, where the evidence differs: every jail end on
/// the host (all pruned, no jail looked up, but the epair units of both
/// ends read: two sysctls per pair), and every jail end in its running
/// jail's vnet (all kept: one jail_get(2) per NAME, no unit read).
fn prune(path: &Path, quick: bool) {
    const JAILS: usize = 1000;
    println!();
    println!(
        "{:<7} {:>6} {:<22} {:>10}   calls",
        "via", "jails", "-n prune, jail ends", "time"
    );
    let rounds = if quick { 3 } else { 15 };
    for (label, in_vnets) in [("on the host", false), ("in running jails", true)] {
        let mut host = host_with(JAILS);
        if in_vnets {
            host["version"] = json!(2);
            host["jails"] = (0..JAILS)
                .map(|k| json!({"name": format!("j{k}"), "jid": k + 1}))
                .collect();
            for i in host["interfaces"].as_array_mut().unwrap() {
                if let Some(j) = i["name"].as_str().and_then(|n| n.strip_prefix("e0b_")) {
                    i["vnet"] = json!(j);
                }
            }
        }
        std::fs::write(path, serde_json::to_string(&host).unwrap()).unwrap();
        for via in ["direct", "ioctl"] {
            let times: Vec<Duration> = (0..rounds)
                .map(|_| run(path, via, &["-n", "prune"]))
                .collect();
            let c = counted(path, via, &["-n", "prune"]);
            println!(
                "{:<7} {:>6} {:<22} {:>8.2}ms   {}",
                via,
                JAILS,
                label,
                median(times).as_secs_f64() * 1e3,
                calls_summary(&c)
            );
        }
    }
}

/// FreeBSD 15 with the VLAN-filtering trunk bridge ix0bridge (ix0 tagged
/// 10 and 20) and `jails` jails on it, each untagged in VLAN 10.
fn trunk_with(jails: usize) -> Value {
    let mut h = host_with(jails);
    h["version"] = json!(3);
    h["release"] = json!(15);
    let ifs = h["interfaces"].as_array_mut().unwrap();
    ifs[2]["name"] = json!("ix0bridge");
    ifs[2]["vlanfilter"] = json!(true);
    let mut members = vec![json!("ix0")];
    members.extend(ifs[2]["members"].as_array().unwrap().iter().cloned());
    ifs[2]["members"] = json!(members);
    ifs[1]["name"] = json!("ix0");
    ifs[1]["tagged"] = json!([10, 20]);
    for i in ifs.iter_mut().skip(3).step_by(2) {
        i["pvid"] = json!(10);
    }
    h
}

/// The layouts a VLAN addm on ix0 meets on FreeBSD 15, each beside 100
/// jails: a bridge this addm creates, the trunk bridge ix0bridge rjib made
/// with ix0 lacking the VLANs, a trunk carrying them (ix0 tagged 10,20),
/// and a bridge that does not filter.
fn vlan_layouts() -> Vec<(&'static str, Value)> {
    let new_bridge = {
        let mut h = host_with(100);
        h["version"] = json!(3);
        h["release"] = json!(15);
        let ifs = h["interfaces"].as_array_mut().unwrap();
        let idx = ifs.len() as u64 + 1;
        ifs.push(
            json!({"name": "ix0", "index": idx, "cloner": null, "unit": null, "peer": null,
            "ether": "00:25:90:00:00:02", "mtu": 1500, "up": true, "groups": [], "members": null,
            "description": null}),
        );
        h
    };
    let rjibs = {
        let mut h = trunk_with(100);
        h["interfaces"][2]["description"] = json!("rjib: bridge for ix0");
        h["interfaces"][1]["tagged"] = json!([]);
        h
    };
    let unfiltered = {
        let mut h = trunk_with(100);
        h["interfaces"][2]["vlanfilter"] = json!(false);
        h
    };
    vec![
        ("new bridge", new_bridge),
        ("rjib's bridge lacking the VLANs", rjibs),
        ("trunk carrying the VLANs", trunk_with(100)),
        ("bridge that does not filter", unfiltered),
    ]
}

/// One addm of one link on ix0 in every layout: plain, `untagged 20`, and
/// `untagged 20 tagged 10`; wall time and host calls. A VLAN addm with
/// `untagged N` may cost at most three calls more than a plain one on the
/// same bridge, and one with `tagged SET` too at most four (issue 15;
/// README.md states the numbers). On a bridge that does not filter a VLAN
/// addm is refused, before any change: only its calls are shown.
fn vlan_addm(path: &Path, quick: bool) {
    println!();
    println!("FreeBSD 15, one link on ix0, 100 jails beside it:");
    println!(
        "{:<7} {:<32} {:<34} {:>10}   calls",
        "via", "layout", "command", "addm"
    );
    let plain: &[&str] = &["addm", "bench", "ix0"];
    let untagged: &[&str] = &["addm", "bench", "ix0", "untagged", "20"];
    let both: &[&str] = &["addm", "bench", "ix0", "untagged", "20", "tagged", "10"];
    let rounds = if quick { 3 } else { 21 };
    for via in ["direct", "ioctl"] {
        for (layout, host) in vlan_layouts() {
            let text = serde_json::to_string(&host).unwrap();
            let mut totals = Vec::new();
            for args in [plain, untagged, both] {
                std::fs::write(path, &text).unwrap();
                let c = counted_any(path, via, args);
                totals.push(c.1.total());
                let time = if c.0 == 0 {
                    let mut t = Vec::new();
                    for _ in 0..rounds {
                        std::fs::write(path, &text).unwrap();
                        t.push(run(path, via, args));
                    }
                    format!("{:>8.2}ms", median(t).as_secs_f64() * 1e3)
                } else {
                    format!("{:>10}", "refused")
                };
                println!(
                    "{:<7} {:<32} {:<34} {}   {}",
                    via,
                    layout,
                    args[2..].join(" "),
                    time,
                    calls_summary(&c.1)
                );
            }
            let more = |k: usize| i64::from(totals[k]) - i64::from(totals[0]);
            println!(
                "{:<7} {:<32} VLAN minus plain: untagged {:+}, untagged+tagged {:+} host calls",
                via,
                layout,
                more(1),
                more(2)
            );
            assert!(
                more(1) <= 3 && more(2) <= 4,
                "{layout}: a VLAN addm costs {:+}/{:+} calls more than a plain one",
                more(1),
                more(2)
            );
        }
    }
}

/// `show` and `show --libxo json` on 20,000 jails: both must grow
/// linearly with the host (issue 9, defect 6).
fn big_show(path: &Path, quick: bool) {
    const JAILS: usize = 20_000;
    std::fs::write(path, serde_json::to_string(&host_with(JAILS)).unwrap()).unwrap();
    println!();
    println!(
        "{:<7} {:>6} {:>12} {:>18}",
        "via", "jails", "show", "show --libxo json"
    );
    let rounds = if quick { 1 } else { 5 };
    for via in ["direct", "ioctl"] {
        let (mut text, mut json) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            text.push(run(path, via, &["show"]));
            json.push(run(path, via, &["show", "--libxo", "json"]));
        }
        println!(
            "{:<7} {:>6} {:>10.2}ms {:>16.2}ms",
            via,
            JAILS,
            median(text).as_secs_f64() * 1e3,
            median(json).as_secs_f64() * 1e3,
        );
    }
}
