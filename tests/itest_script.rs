//! scripts/freebsd-itest.sh, run on the simulated host: the FreeBSD
//! commands it calls (ifconfig, sysctl, kldstat, jail, …) are stand-ins
//! (tests/itest/fake_freebsd.py) over the same host file rjib runs on, so
//! every expectation the script has of rjib is checked here, on FreeBSD
//! 14, 15 and 16 and on both paths, before it ever runs on a real kernel
//! (review 13, T1: it could not pass).

mod common;

use std::os::unix::fs::symlink;
use std::process::Command;

use common::*;
use serde_json::json;

/// Where the script finds sh(1), awk(1) and the rest, and python3.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

const FAKED: [&str; 11] = [
    "uname",
    "id",
    "file",
    "pgrep",
    "ifconfig",
    "sysctl",
    "kldstat",
    "kldunload",
    "jls",
    "jail",
    "jexec",
];

/// One run of the script on a host of `release`, by `via`.
fn run(release: u32, via: &'static str) {
    let root = env!("CARGO_MANIFEST_DIR");
    let h = HostFile::new(&json!({"version": 2, "release": release, "euid": 0,
        "modules": ["if_bridge", "if_epair"],
        "interfaces": [{"name": "lo0", "index": 1, "type": "loop", "mtu": 16384,
                        "up": true, "groups": ["lo"], "addrs": ["127.0.0.1/8"]}]}));
    let bin = h.dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for name in FAKED {
        symlink(
            format!("{root}/tests/itest/fake_freebsd.py"),
            bin.join(name),
        )
        .unwrap();
    }
    // The base system's directories only (a python3 shim elsewhere in
    // PATH, such as pyenv's, costs a shell per call).
    let path = format!("{}:{SYSTEM_PATH}", bin.display());
    let o = Command::new("sh")
        .arg(format!("{root}/scripts/freebsd-itest.sh"))
        .env_clear()
        .env("PATH", path)
        .env("LC_ALL", "C")
        .env("RJIB", BIN)
        .env("RJIB_NETSIM", &h.path)
        .env("RJIB_NETSIM_VIA", via)
        .output()
        .unwrap();
    let (out, err) = (stdout(&o), String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(
        o.status.success() && out.ends_with("freebsd-itest: all checks passed\n"),
        "FreeBSD {release}, {via}: {out}{err}"
    );
    // It leaves the host as it found it, but for the modules rjib loaded
    // and its syslog records.
    let after = h.read();
    assert_eq!(
        after["interfaces"].as_array().unwrap().len(),
        1,
        "{release} {via}: {after:#}"
    );
}

/// FreeBSD 15 on both paths, 14 and 16 on one each (each run spawns a
/// few hundred processes: they run two at a time).
#[test]
fn the_freebsd_itest_passes_on_the_simulation() {
    if !Command::new("sh")
        .args(["-c", "command -v python3"])
        .env_clear()
        .env("PATH", SYSTEM_PATH)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: the stand-ins for FreeBSD's commands need python3 in {SYSTEM_PATH}");
        return;
    }
    let runs = [(15, "direct"), (15, "ioctl"), (14, "direct"), (16, "ioctl")];
    std::thread::scope(|s| {
        for pair in runs.chunks(2) {
            let handles: Vec<_> = pair
                .iter()
                .map(|&(release, via)| s.spawn(move || run(release, via)))
                .collect();
            for h in handles {
                if let Err(e) = h.join() {
                    std::panic::resume_unwind(e);
                }
            }
        }
    });
}
