//! Benchmark: `rjib check` on generated jail.conf files of 1, 100, 1000
//! and 10000 jails, on the seed host (nothing running) and, up to 1000, on
//! a host where every jail runs (two epairs per jail on the host; larger
//! simulated hosts measure the host file's loading more than check),
//! directly and through
//! the FreeBSD backend on the ioctl emulator. Reports the median wall time
//! of the release binary (a whole process: read and parse both files, list
//! the host once, plan every addm, print), the time per jail, and the host
//! calls (one listing and one sysctl read, whatever the size).
//!
//! Then variable chains (issue 14, D15): `$v1 = "$v0"; $v2 = "$v1"; …`,
//! written forwards and backwards, of 1,000 to 100,000 variables, which
//! jail(8) resolves by moving each one before the one that needs it; the
//! time per variable stays flat (it grew with the chain before: 30,000
//! took 5.2 s and 100,000 took 91 s).
//!
//! Run: `cargo bench --bench check` (add `-- --quick` for fewer rounds).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rjib::app::main_counted;
use rjib::backend::Selection;
use rjib::jib::mac::derive;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rjib");

const RC_CONF: &str = "cloned_interfaces=\"bridge0\"\n\
                       ifconfig_bridge0_name=\"vtnet0bridge\"\n\
                       ifconfig_vtnet0bridge=\"inet 10.192.0.1/24 up\"\n";

/// The k-th jail's name: eight pseudo-random lower-case letters (a fixed
/// LCG), like real names, whose sum(1) values spread as real ones do.
fn name(k: usize) -> String {
    let mut x = (k as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut s = String::new();
    for _ in 0..8 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push((b'a' + ((x >> 33) % 26) as u8) as char);
    }
    s
}

/// `jails` jails: shared settings in a wildcard block, one block each with
/// its own addm and destroy.
fn jail_conf(jails: usize) -> String {
    let mut s = String::from(
        "exec.clean;\nexec.start = \"/bin/sh /etc/rc\";\nexec.stop = \"/bin/sh /etc/rc.shutdown\";\n\
         mount.devfs;\n* {\n\tvnet;\n\tvnet.interface = \"e0b_$name\";\n\tpath = \"/jails/$name\";\n}\n",
    );
    for k in 0..jails {
        let j = name(k);
        let _ = write!(
            s,
            "{j} {{\n\thost.hostname = \"{j}.example.org\";\n\
             \texec.prestart += \"/usr/local/sbin/rjib addm {j} vtnet0\";\n\
             \texec.poststop += \"/usr/local/sbin/rjib destroy {j}\";\n}}\n"
        );
    }
    s
}

/// The seed host, and, when `running`, every jail's epair on it with the
/// MACs addm gave it.
fn host(jails: usize, running: bool) -> Value {
    let parent = "58:9c:fc:0a:1b:2c";
    let mut ifs = vec![
        json!({"name": "lo0", "index": 1, "type": "loop", "ether": null, "mtu": 16384, "up": true, "groups": ["lo"], "members": null}),
        json!({"name": "vtnet0", "index": 2, "ether": parent, "mtu": 1500, "up": true, "groups": [], "members": null}),
    ];
    let n = if running { jails } else { 0 };
    let members: Vec<String> = (0..n).map(|k| format!("e0a_{}", name(k))).collect();
    ifs.push(json!({"name": "vtnet0bridge", "index": 3, "cloner": "bridge", "unit": 0, "ether": "58:9c:fc:10:00:00", "mtu": 1500, "up": true, "groups": ["bridge"], "members": members}));
    for k in 0..n {
        let j = name(k);
        let m = derive(parent.parse().unwrap(), &j, 0);
        let (a, b) = (format!("e0a_{j}"), format!("e0b_{j}"));
        let idx = 4 + 2 * k as u64;
        for (name, peer, i, mac) in [(&a, &b, idx, m.a), (&b, &a, idx + 1, m.b)] {
            ifs.push(json!({"name": name, "index": i, "cloner": "epair", "unit": k, "peer": peer,
                "ether": mac.to_string(), "mtu": 1500, "up": true, "groups": ["epair"], "members": null}));
        }
    }
    json!({"version": 2, "release": 14, "interfaces": ifs})
}

/// One run of the release binary; its wall time, exit status and number
/// of findings (output lines).
fn run(host: &Path, via: &str, args: &[&str]) -> (Duration, i32, usize) {
    let t = Instant::now();
    let o = Command::new(BIN)
        .env("RJIB_NETSIM", host)
        .env("RJIB_NETSIM_VIA", via)
        .args(args)
        .output()
        .expect("run rjib");
    let d = t.elapsed();
    let lines = String::from_utf8_lossy(&o.stdout).lines().count();
    (d, o.status.code().unwrap_or(-1), lines)
}

/// A chain of `n` variables, each the one before, in a jail's value.
fn chain(n: usize, backwards: bool) -> String {
    let mut lines: Vec<String> = (1..n)
        .map(|i| format!("$v{i} = \"$v{}\";\n", i - 1))
        .collect();
    if backwards {
        lines.reverse();
    }
    format!(
        "$v0 = \"x\";\n{}j {{ path = \"/jails/$v{}\"; }}\n",
        lines.concat(),
        n - 1
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().unwrap();
    let (hp, jc, rc) = (
        dir.path().join("host.json"),
        dir.path().join("jail.conf"),
        dir.path().join("rc.conf"),
    );
    std::fs::write(&rc, RC_CONF).unwrap();
    // Not the machine's /etc/sysctl.conf: the run reads only what it names.
    let sysctl = dir.path().join("sysctl.conf");
    std::fs::write(&sysctl, "").unwrap();
    println!("rjib check benchmark: median wall time of the release binary, and host calls");
    println!(
        "{:<7} {:>6} {:>8} {:>12} {:>12} {:>9}   calls",
        "via", "jails", "host", "check", "per jail", "findings"
    );
    for jails in [1usize, 100, 1000, 10000] {
        std::fs::write(&jc, jail_conf(jails)).unwrap();
        for running in [false, true] {
            if running && jails > 1000 {
                continue;
            }
            std::fs::write(&hp, serde_json::to_string(&host(jails, running)).unwrap()).unwrap();
            for via in ["direct", "ioctl"] {
                let rounds = match (quick, jails) {
                    (true, _) => 3,
                    (_, j) if j >= 10000 => 5,
                    (_, j) if j >= 1000 => 15,
                    _ => 41,
                };
                let args = [
                    "check",
                    "-f",
                    jc.to_str().unwrap(),
                    "-r",
                    rc.to_str().unwrap(),
                    "-s",
                    sysctl.to_str().unwrap(),
                ];
                let mut times = Vec::new();
                let mut found = 0;
                for _ in 0..rounds {
                    let (d, status, lines) = run(&hp, via, &args);
                    // sum(1) is 16 bits: with many jails, some MACs
                    // collide (rjib(8): the first at about the 81st).
                    assert!(status == 0 || status == 1, "{jails} jails: exit {status}");
                    times.push(d);
                    found = lines;
                }
                let sel = Selection {
                    netsim: Some(hp.clone().into()),
                    via: Some(via.into()),
                };
                let argv: Vec<std::ffi::OsString> = std::iter::once("rjib")
                    .chain(args)
                    .map(Into::into)
                    .collect();
                let c = main_counted(&argv, &sel);
                assert!(c.status == 0 || c.status == 1);
                let calls: Vec<String> =
                    c.calls.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let m = median(times);
                println!(
                    "{:<7} {:>6} {:>8} {:>10.2}ms {:>10.1}us {:>9}   {} ({})",
                    via,
                    jails,
                    if running { "running" } else { "seed" },
                    m.as_secs_f64() * 1e3,
                    m.as_secs_f64() * 1e6 / jails as f64,
                    found,
                    c.calls.total(),
                    calls.join(" ")
                );
            }
        }
    }
    println!();
    println!("variable chains: median wall time of the release binary");
    println!(
        "{:<10} {:>8} {:>12} {:>14}",
        "order", "vars", "check", "per variable"
    );
    std::fs::write(&hp, serde_json::to_string(&host(0, false)).unwrap()).unwrap();
    for n in [1000usize, 10_000, 30_000, 100_000] {
        for backwards in [false, true] {
            std::fs::write(&jc, chain(n, backwards)).unwrap();
            let rounds = if quick || n >= 30_000 { 3 } else { 9 };
            let args = [
                "check",
                "-f",
                jc.to_str().unwrap(),
                "-r",
                rc.to_str().unwrap(),
                "-s",
                sysctl.to_str().unwrap(),
            ];
            let mut times = Vec::new();
            for _ in 0..rounds {
                let (d, status, _) = run(&hp, "direct", &args);
                assert_eq!(status, 0, "{n} variables");
                times.push(d);
            }
            let m = median(times);
            println!(
                "{:<10} {:>8} {:>10.2}ms {:>12.2}us",
                if backwards { "backwards" } else { "forwards" },
                n,
                m.as_secs_f64() * 1e3,
                m.as_secs_f64() * 1e6 / n as f64
            );
        }
    }
}
