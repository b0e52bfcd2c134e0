//! Shared helpers for the black-box tests: run the built binary on a
//! simulated host file and compare hosts the way vectors.json does.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_rjib");

/// The ways the binary can reach a simulated host: directly, and through the
/// FreeBSD backend code on the ioctl emulator.
pub const VIAS: &[&str] = &["direct", "ioctl"];

pub fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors.json"
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A host file in a fresh temporary directory (removed on drop).
pub struct HostFile {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl HostFile {
    pub fn new(host: &Value) -> HostFile {
        let dir = tempfile::tempdir().unwrap();
        let path = host_file(&dir, host);
        HostFile { dir, path }
    }

    pub fn read(&self) -> Value {
        read_host(&self.path)
    }

    /// The host without the kernel's clock: `read` with every interface's
    /// `lastchange` left out (the kernel stamps it on each up/down, undo
    /// included, so no run can put it back).
    pub fn state(&self) -> Value {
        timeless(&self.read())
    }

    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }

    pub fn write(&self, host: &Value) {
        write_host(&self.path, host);
    }

    pub fn run(&self, via: &str, args: &[&str]) -> Output {
        run_on(&self.path, via, args)
    }
}

/// `host` written as `host.json` in `dir`; its path.
pub fn host_file(dir: &tempfile::TempDir, host: &Value) -> PathBuf {
    let path = dir.path().join("host.json");
    write_host(&path, host);
    path
}

pub fn write_host(path: &Path, host: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(host).unwrap()).unwrap();
}

/// The host file at `path`, as JSON.
pub fn read_host(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn command(path: &Path, via: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("LC_ALL", "C")
        .env("RJIB_NETSIM", path)
        .env("RJIB_NETSIM_VIA", via);
    c
}

pub fn run_on(path: &Path, via: &str, args: &[&str]) -> Output {
    command(path, via).args(args).output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `host` without its syslog records, and the records.
pub fn without_log(host: &Value) -> (Value, Vec<Value>) {
    let mut h = host.clone();
    let log = h.as_object_mut().unwrap().remove("log");
    let records = log.and_then(|l| l.as_array().cloned()).unwrap_or_default();
    (h, records)
}

/// `host` with every interface's `lastchange` left out.
pub fn timeless(host: &Value) -> Value {
    let mut h = host.clone();
    for i in h["interfaces"].as_array_mut().unwrap() {
        i.as_object_mut().unwrap().remove("lastchange");
    }
    h
}

/// vectors.json's normal form: interfaces by index, no `description`,
/// `version`, `log` or `lastchange` (the simulated kernel's clock), absent
/// optional fields as their defaults.
pub fn normalise(host: &Value) -> Value {
    let mut h = timeless(host).as_object().unwrap().clone();
    h.remove("log");
    h.remove("version");
    h.remove("faults");
    h.entry("euid").or_insert(json!(0));
    let mut ifs: Vec<Value> = h["interfaces"].as_array().unwrap().clone();
    for i in &mut ifs {
        let o = i.as_object_mut().unwrap();
        o.remove("description");
        o.entry("type").or_insert(json!("ether"));
        for k in ["cloner", "unit", "peer", "ether", "members"] {
            o.entry(k).or_insert(Value::Null);
        }
        o.entry("groups").or_insert(json!([]));
    }
    ifs.sort_by_key(|i| i["index"].as_u64().unwrap());
    h.insert("interfaces".into(), Value::Array(ifs));
    Value::Object(h)
}

/// The interface named `name` in a host.
pub fn iface<'a>(host: &'a Value, name: &str) -> Option<&'a Value> {
    host["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
}

/// The interface named `name` in a host, to change.
pub fn iface_mut<'a>(host: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    host["interfaces"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["name"] == name)
}

/// Set `field` of the interface `name` (which must exist).
pub fn set(host: &mut Value, name: &str, field: &str, value: Value) {
    iface_mut(host, name).unwrap_or_else(|| panic!("no {name}"))[field] = value;
}

/// Whether the host has an interface named `name`.
pub fn has(host: &Value, name: &str) -> bool {
    iface(host, name).is_some()
}

pub fn names(host: &Value) -> Vec<String> {
    let mut v: Vec<String> = host["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// An interface entry for hand-made hosts.
pub fn ether(name: &str, index: u32, mac: &str) -> Value {
    json!({"name": name, "index": index, "type": "ether", "cloner": null, "unit": null,
           "peer": null, "ether": mac, "mtu": 1500, "up": true, "groups": [],
           "members": null, "description": null})
}

/// An Ethernet interface (not cloned), up, MTU 1500, with a MAC from its
/// index: the short form the kernel-rule tests use.
pub fn eth(name: &str, index: u32) -> Value {
    json!({"name": name, "index": index, "type": "ether",
           "ether": format!("00:25:90:00:00:{index:02x}"), "mtu": 1500, "up": true})
}

/// FreeBSD 15 with the uplink ix0 and nothing else: the first addm on ix0
/// creates ix0bridge.
pub fn bare15() -> Value {
    json!({"version": 3, "release": 15, "euid": 0, "interfaces": [
        lo0(),
        ether("ix0", 2, "00:25:90:00:00:02"),
    ]})
}

/// The README's indented block after the first line that starts with
/// `head` (blank lines before it skipped, blank lines inside it kept, none
/// after it), each line without its indent. Panics if there is no such
/// line or no block after it.
pub fn readme_block(head: &str) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let mut lines = readme.lines().skip_while(|l| !l.starts_with(head));
    assert!(lines.next().is_some(), "README.md has no {head:?}");
    let mut block: Vec<String> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("    ") || l.trim().is_empty())
        .map(|l| l.strip_prefix("    ").unwrap_or("").to_string())
        .collect();
    while block.last().is_some_and(|l| l.is_empty()) {
        block.pop();
    }
    assert!(!block.is_empty(), "README.md has no block after {head:?}");
    block
}

pub fn bridge(name: &str, index: u32, unit: u32, members: &[&str]) -> Value {
    json!({"name": name, "index": index, "cloner": "bridge", "unit": unit, "peer": null,
           "ether": format!("58:9c:fc:10:00:{unit:02x}"), "mtu": 1500, "up": true,
           "groups": ["bridge"], "members": members, "description": null})
}

pub fn host(ifs: Vec<Value>) -> Value {
    json!({"version": 1, "euid": 0, "interfaces": ifs})
}

/// `lo0` as a hand-made host has it: a loopback (`type` `loop`), which has
/// no MAC address and cannot be a bridge member.
pub fn lo0() -> Value {
    json!({"name": "lo0", "index": 1, "type": "loop", "cloner": null, "unit": null,
           "peer": null, "ether": null, "mtu": 16384, "up": true, "groups": ["lo"],
           "members": null, "description": null})
}

/// The seed host: lo0, vtnet0 and the NAT bridge vtnet0bridge. The
/// recorded host (vectors.json, which must stay as recorded) leaves out
/// lo0's `type`; here lo0 is the loopback it is.
pub fn seed() -> Value {
    let mut host = vectors()[0]["host"].clone();
    let lo = &mut host["interfaces"][0];
    assert_eq!(lo["name"], "lo0", "the seed's first interface is lo0");
    *lo = lo0();
    host
}

/// `base` with the fields of `more` set (or replaced).
pub fn with(mut base: Value, more: Value) -> Value {
    for (k, v) in more.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// The syslog record of a failure of `rjib ARGS` whose stderr line is
/// `rjib: MESSAGE`: MESSAGE after what failed, `addm www: `, `destroy
/// www: ` or `prune: ` (unless it starts so already), since at boot
/// /var/log/messages holds the records of many jails' commands.
pub fn failure_record(args: &[&str], message: &str) -> String {
    let message = message.trim_end();
    let message = message.strip_prefix("rjib: ").unwrap_or(message);
    let mut a = args.iter().copied().peekable();
    while let Some(&o) = a.peek() {
        match o {
            "-n" | "--dry-run" => {
                a.next();
            }
            "-w" => {
                a.next();
                a.next();
            }
            _ => break,
        }
    }
    let action = a.next().unwrap_or_default();
    let context = match action {
        "addm" => {
            while let Some(&o) = a.peek() {
                if o == "-b" || o == "-m" {
                    a.next();
                    a.next();
                } else {
                    break;
                }
            }
            format!("addm {}", a.next().unwrap_or_default())
        }
        "destroy" => format!("destroy {}", a.next().unwrap_or_default()),
        other => other.to_string(),
    };
    match message.strip_prefix(&context) {
        Some(rest) if rest.starts_with(": ") => message.to_string(),
        _ => format!("{context}: {message}"),
    }
}

/// An /etc in which every file `rjib check` reads by default is a FIFO
/// (sysctl.conf(5) and /etc/sysctl.kld.d, rc.conf(5) and its companions,
/// jail.conf(5) and /etc/jail.conf.d): a run that reads one of them is
/// refused with "not a regular file" instead of reading the machine's own.
pub const ETC_TRAPS: &str = "mkdir -p /etc/defaults /etc/rc.conf.d /etc/jail.conf.d \
    /etc/sysctl.kld.d && \
    mkfifo /etc/sysctl.conf /etc/sysctl.conf.local /etc/sysctl.kld.d/if_bridge.conf \
    /etc/defaults/rc.conf /etc/rc.conf \
    /etc/rc.conf.local /etc/rc.conf.d/netif /etc/rc.conf.d/jail /etc/jail.conf \
    /etc/jail.conf.d/trap.conf";

/// An /etc with nothing in it.
pub const ETC_EMPTY: &str = "true";

/// `cmd` run in a private mount namespace (unshare(1)) whose /etc is a
/// fresh tmpfs prepared by the sh(1) commands `etc` (`ETC_TRAPS`,
/// `ETC_EMPTY`): so a test sees what a run reads of the machine's /etc,
/// and the machine's files cannot change a result. `None`, with the
/// reason printed, where no such namespace can be made (not root, no
/// unshare); the caller then skips.
pub fn in_private_etc(cmd: &Command, etc: &str) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs none /etc"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: unshare -m cannot mount a private /etc here (needs root and unshare(1))"
        );
        return None;
    }
    // The program runs with `cmd`'s environment only: PATH is set for the
    // script's own commands, not exported.
    let mut c = Command::new("unshare");
    c.args(["-m", "/bin/sh", "-c"])
        .arg(format!(
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin; mount -t tmpfs none /etc && {etc} && exec \"$@\""
        ))
        .arg("sh")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    c.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    Some(c.output().unwrap())
}
