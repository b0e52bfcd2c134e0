//! Signals as the caller left them and as each command needs them (issue
//! 14, D3 and D5): a signal the caller set to be ignored stays ignored,
//! and a command that changes nothing dies at once by SIGINT, SIGTERM or
//! SIGHUP, where a change waits it out to finish or undo its work.
//!
//! The signals come from the host file's faults (doc/netsim.md, Faults):
//! the call succeeds, then rjib sends the signal to itself.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Output;

use common::*;
use serde_json::{Value, json};

/// `host` with one fault: `signal` right after call `nth` of `op`.
fn faulted(host: &Value, op: &str, nth: u32, signal: &str) -> Value {
    let mut h = host.clone();
    h["faults"] = json!([{"op": op, "nth": nth, "signal": signal}]);
    h
}

/// Run rjib through sh(1) `script`, where `"$@"` is rjib and `args`.
fn through_sh(h: &HostFile, via: &str, script: &str, args: &[&str]) -> Output {
    let mut c = command(&h.path, via);
    c.env("PATH", "/usr/bin:/bin");
    let mut sh = std::process::Command::new("/bin/sh");
    sh.env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .args(["-c", script, "sh", BIN])
        .args(args)
        .output()
        .unwrap()
}

/// `nohup` ignores SIGHUP, and a non-interactive shell's background job
/// (`cmd &`) ignores SIGINT (POSIX, sh(1) "Asynchronous Lists"): the
/// signal comes in the middle of addm and destroy, and rjib carries on to
/// the end, exit 0, the work done.
fn ignored_stays_ignored(via: &str) {
    // (signal, how the caller ignores it)
    let callers = [
        ("SIGHUP", "trap '' HUP; exec \"$@\""),
        ("SIGINT", "\"$@\" & wait $!"),
    ];
    for (signal, script) in callers {
        let what = format!("{via}: {signal} ignored by `{script}`");
        // addm: the signal after the second `up` (the new pair's a end).
        let h = HostFile::new(&faulted(&seed(), "up", 2, signal));
        let o = through_sh(&h, via, script, &["addm", "jamulus", "vtnet0"]);
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
        assert_eq!(stdout(&o), "e0a_jamulus\ne0b_jamulus\n", "{what}");
        assert_eq!(stderr(&o), "", "{what}");
        let after = h.read();
        assert!(
            iface(&after, "e0a_jamulus").is_some() && iface(&after, "e0b_jamulus").is_some(),
            "{what}: the pair is there"
        );
        // destroy: the signal after the destroy.
        let mut built = after.clone();
        built["faults"] = json!([{"op": "destroy", "nth": 1, "signal": signal}]);
        h.write(&built);
        let o = through_sh(&h, via, script, &["destroy", "jamulus"]);
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
        assert!(
            names(&h.read()).iter().all(|n| !n.starts_with("e0")),
            "{what}: destroyed"
        );
        // Without the caller ignoring it, the same signal undoes addm and
        // kills rjib by it.
        let h = HostFile::new(&faulted(&seed(), "up", 2, signal));
        let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
        let num = if signal == "SIGHUP" { 1 } else { 2 };
        assert_eq!(o.status.signal(), Some(num), "{what}: not ignored");
        assert!(names(&h.read()).iter().all(|n| !n.starts_with("e0")));
    }
}

#[test]
fn ignored_stays_ignored_direct() {
    ignored_stays_ignored("direct");
}

#[test]
fn ignored_stays_ignored_ioctl() {
    ignored_stays_ignored("ioctl");
}

/// The seed host with jamulus's pair, and a jail.conf for it.
fn with_jamulus() -> (HostFile, std::path::PathBuf) {
    let h = HostFile::new(&seed());
    assert!(
        h.run("direct", &["addm", "jamulus", "vtnet0"])
            .status
            .success()
    );
    let conf = h.dir.path().join("jail.conf");
    std::fs::write(
        &conf,
        "jamulus {\n  vnet;\n  vnet.interface = \"e0b_jamulus\";\n  \
         exec.prestart += \"/usr/local/sbin/rjib addm jamulus vtnet0\";\n  \
         exec.poststop += \"/usr/local/sbin/rjib destroy jamulus\";\n}\n",
    )
    .unwrap();
    (h, conf)
}

/// show, check and dry runs change nothing: a signal while they list the
/// host ends them at once, by that signal, before they print anything.
/// A change, signalled at the same point, waits it out: it changes
/// nothing and then dies by it, saying so.
fn read_only_commands_die_at_once(via: &str) {
    let (h, conf) = with_jamulus();
    let conf = conf.to_str().unwrap();
    let rc = h.dir.path().join("rc.conf");
    std::fs::write(&rc, "").unwrap();
    let rc = rc.to_str().unwrap();
    let start = without_log(&h.read()).0;
    let readers: [&[&str]; 6] = [
        &["show"],
        &["show", "jamulus"],
        &["show", "--libxo", "json"],
        &["check", "-v", "-f", conf, "-r", rc, "-s", rc],
        &["-n", "addm", "web", "vtnet0"],
        &["prune", "-n", "-f"],
    ];
    for (signal, num) in [("SIGINT", 2), ("SIGTERM", 15), ("SIGHUP", 1)] {
        let host = faulted(&start, "list", 1, signal);
        for args in readers {
            h.write(&host);
            let o = h.run(via, args);
            let what = format!("{via} {args:?} {signal}");
            assert_eq!(o.status.signal(), Some(num), "{what}: {}", stderr(&o));
            assert_eq!(stdout(&o), "", "{what}: died before printing");
            assert_eq!(stderr(&o), "", "{what}");
            assert_eq!(h.read(), host, "{what}: nothing written");
        }
        // Without the fault, each of them prints something.
        h.write(&start);
        for args in readers {
            let o = h.run(via, args);
            assert!(!o.stdout.is_empty(), "{via} {args:?}: {}", stderr(&o));
        }
        // A change listed under the lock, then the signal: nothing done.
        h.write(&host);
        let o = h.run(via, &["addm", "web", "vtnet0"]);
        assert_eq!(o.status.signal(), Some(num), "{via} addm {signal}");
        assert!(
            stderr(&o).starts_with(&format!(
                "rjib: addm web: interrupted by {signal}; nothing was changed"
            )),
            "{via}: {}",
            stderr(&o)
        );
        assert_eq!(
            without_log(&h.read()).0,
            host,
            "{via} addm {signal}: unchanged"
        );
    }
}

#[test]
fn read_only_commands_die_at_once_direct() {
    read_only_commands_die_at_once("direct");
}

#[test]
fn read_only_commands_die_at_once_ioctl() {
    read_only_commands_die_at_once("ioctl");
}
