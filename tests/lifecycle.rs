//! The jail's whole life (issue 8): stale pairs, descriptions, syslog,
//! signals and output as part of the transaction. Every test runs on both
//! paths (direct, and the FreeBSD backend on the ioctl emulator).

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use common::*;
use serde_json::{Value, json};

/// A version 2 seed host with jails, and jail x's pair built: `e0a_x` on
/// the host, `e0b_x` wherever `b_vnet` says.
fn with_pair(jails: Value, b_vnet: Option<&str>) -> Value {
    let h = HostFile::new(&seed());
    let o = h.run("direct", &["addm", "x", "vtnet0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut host = timeless(&without_log(&h.read()).0);
    host["version"] = json!(2);
    host["jails"] = jails;
    if let Some(v) = b_vnet {
        let b = iface_mut(&mut host, "e0b_x").unwrap();
        b["vnet"] = json!(v);
    }
    host
}

fn unchanged(h: &HostFile, before: &Value, what: &str) {
    assert_eq!(
        timeless(&without_log(&h.read()).0),
        timeless(&without_log(before).0),
        "{what}: host unchanged"
    );
}

fn stale_pair_table(via: &str) {
    // 1. b end on the host: left alone, whatever the jail.
    for jails in [json!([]), json!([{"name": "x", "jid": 4, "dying": true}])] {
        let start = with_pair(jails, None);
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "x", "vtnet0"]);
        assert_eq!(
            (o.status.code(), stdout(&o).as_str()),
            (Some(0), ""),
            "{}",
            stderr(&o)
        );
        assert_eq!(stderr(&o), "");
        unchanged(&h, &start, "row 1");
    }
    // 2. b end in the vnet of running jail x: the jail uses it.
    let start = with_pair(json!([{"name": "x", "jid": 4}]), Some("x"));
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
    unchanged(&h, &start, "row 2");
    // 3. b end in the vnet of dying jail x: the stale pair is replaced.
    let start = with_pair(json!([{"name": "x", "jid": 4, "dying": true}]), Some("x"));
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "e0a_x\ne0b_x\n");
    let notice = "e0a_x: jail x (jid 4) is dying and its jail end e0b_x is not on the host; replacing this stale pair";
    assert_eq!(stderr(&o), format!("rjib: {notice}\n"));
    let after = h.read();
    let ifs = after["interfaces"].as_array().unwrap();
    let named = |n: &str| ifs.iter().filter(|i| i["name"] == n).collect::<Vec<_>>();
    assert_eq!(named("e0a_x").len(), 1);
    assert_eq!(
        named("e0b_x").len(),
        1,
        "the old jail end went with its pair"
    );
    assert!(
        named("e0b_x")[0].get("vnet").is_none(),
        "the new b end is on the host"
    );
    assert_eq!(
        named("e0a_x")[0]["unit"],
        1,
        "a new pair (unit 0 was the stale one's)"
    );
    assert!(named("rjibstale0").is_empty());
    let log = without_log(&after).1;
    assert!(
        log.contains(&json!({"priority": "notice", "message": notice})),
        "{log:?}"
    );
    assert!(
        log.iter().any(|r| r["message"]
            .as_str()
            .unwrap()
            .starts_with("e0a_x: destroyed the stale pair of dying jail x")),
        "{log:?}"
    );
    // 4. b end not on the host and no jail x: refused, nothing changed.
    let start = with_pair(json!([{"name": "y", "jid": 5}]), Some("y"));
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "x", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "rjib: e0a_x: its jail end e0b_x is not on this host and no jail x exists, so it is in use \
         by a jail whose name is not x (its addm uses the NAME x), or it was renamed; addm changes \
         nothing: if no jail uses e0b_x (jls; jexec JAIL ifconfig -l), rjib destroy x removes the \
         pair, and the next addm x builds a new one\n"
    );
    unchanged(&h, &start, "row 4");
    // and, no jail using it, `rjib destroy x` is the way out: both ends go.
    let o = h.run(via, &["destroy", "x"]);
    assert!(o.status.success());
    assert!(names(&h.read()).iter().all(|n| !n.starts_with("e0")));
}

#[test]
fn stale_pair_table_direct() {
    stale_pair_table("direct");
}

#[test]
fn stale_pair_table_ioctl() {
    stale_pair_table("ioctl");
}

fn descriptions_and_syslog(via: &str) {
    let mut start = seed();
    start["interfaces"][2]["description"] = json!("NAT for the jails");
    let mut em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
    em0["type"] = json!("ether");
    start["interfaces"].as_array_mut().unwrap().push(em0);
    let h = HostFile::new(&start);
    let o = h.run(via, &["addm", "jamulus", "vtnet0", "em0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = h.read();
    let descr = |n: &str| iface(&after, n).unwrap()["description"].clone();
    assert_eq!(descr("e0a_jamulus"), "rjib: jail jamulus, host end");
    assert_eq!(descr("e0b_jamulus"), "rjib: jail jamulus, jail end");
    assert_eq!(descr("e1a_jamulus"), "rjib: jail jamulus, host end");
    assert_eq!(descr("em0bridge"), "rjib: bridge for em0");
    assert_eq!(
        descr("vtnet0bridge"),
        "NAT for the jails",
        "an existing description stays"
    );
    assert_eq!(descr("em0"), Value::Null, "a parent gets none");
    let log = without_log(&after).1;
    let messages: Vec<&str> = log.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        vec![
            "e0a_jamulus, e0b_jamulus: created for jail jamulus on vtnet0bridge (parent vtnet0), MACs 02:a0:e2:0a:1b:2c and 0e:a0:e2:0a:1b:2c",
            "em0bridge: created, bridging em0 (jail jamulus)",
            "e1a_jamulus, e1b_jamulus: created for jail jamulus on em0bridge (parent em0), MACs 02:a0:e2:ab:cd:ef and 0e:a0:e2:ab:cd:ef",
        ]
    );
    assert!(log.iter().all(|r| r["priority"] == "notice"));
    // a warning, and destroy's changes
    let o = h.run(via, &["addm", "ca", "vtnet0"]); // sum(1) of ca is ab's; neither is here
    assert!(o.status.success());
    let o = h.run(via, &["addm", "ab", "vtnet0"]);
    assert!(o.status.success());
    let warning = stderr(&o);
    assert!(
        warning.starts_with("rjib: warning: e0a_ab: MAC "),
        "{warning}"
    );
    let log = without_log(&h.read()).1;
    // The record names the command and its jail (review 13, S3).
    let record = warning
        .lines()
        .next()
        .unwrap()
        .replacen("rjib: ", "addm ab: ", 1);
    assert!(
        log.iter()
            .any(|r| r["priority"] == "warning" && r["message"] == record.as_str()),
        "{log:?}"
    );
    let o = h.run(via, &["destroy", "jamulus"]);
    assert!(o.status.success());
    let log = without_log(&h.read()).1;
    let tail: Vec<&str> = log[log.len() - 2..]
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        tail,
        vec![
            "e0a_jamulus: destroyed with its jail end (jail jamulus)",
            "e1a_jamulus: destroyed with its jail end (jail jamulus)",
        ]
    );
    // the dry run logs nothing, show logs nothing
    let before = h.bytes();
    assert!(h.run(via, &["-n", "addm", "z", "vtnet0"]).status.success());
    assert!(h.run(via, &["show"]).status.success());
    assert_eq!(h.bytes(), before);
}

#[test]
fn descriptions_and_syslog_direct() {
    descriptions_and_syslog("direct");
}

#[test]
fn descriptions_and_syslog_ioctl() {
    descriptions_and_syslog("ioctl");
}

/// addm of three links (one on a new bridge), and destroy, with a signal
/// after every call of every op: the host ends either as the clean run
/// leaves it or as it started, and rjib dies by the signal.
fn signals_at_every_call(via: &str) {
    let mut start = seed();
    let mut em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
    em0["up"] = json!(false);
    start["interfaces"].as_array_mut().unwrap().push(em0);
    let args = ["addm", "f", "vtnet0", "em0", "vtnet0"];
    let clean = {
        let h = HostFile::new(&start);
        assert!(h.run(via, &args).status.success());
        timeless(&without_log(&h.read()).0)
    };
    let ops = [
        "create", "rename", "up", "ether", "mtu", "addm", "describe", "destroy",
    ];
    let signals = [("SIGTERM", 15), ("SIGINT", 2), ("SIGHUP", 1)];
    let mut interrupted = 0;
    for (k, op) in ops.iter().enumerate() {
        for nth in 1..=8 {
            let (sig, num) = signals[(k + nth) % 3];
            let mut s = start.clone();
            s["faults"] = json!([{"op": op, "nth": nth, "signal": sig}]);
            let h = HostFile::new(&s);
            let o = h.run(via, &args);
            let what = format!("{via}: {sig} after {op} #{nth}");
            let mut after = timeless(&without_log(&h.read()).0);
            after.as_object_mut().unwrap().remove("faults");
            if o.status.signal().is_none() {
                assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
                assert_eq!(after, clean, "{what}: no signal came, the clean result");
                continue;
            }
            interrupted += 1;
            assert_eq!(o.status.signal(), Some(num), "{what}: dies by the signal");
            assert_eq!(after, timeless(&start), "{what}: host as it started");
            let err = stderr(&o);
            assert!(
                err.contains(&format!("interrupted by {sig}"))
                    && err.contains("nothing was changed"),
                "{what}: {err}"
            );
        }
    }
    // every call of the run: create 4 (3 epairs, em0bridge), rename 7,
    // up 8 (em0, em0bridge, 3 x 2 ends), ether 6, addm 4, describe 7; no
    // mtu (every MTU is 1500) and no destroy (only an undo destroys)
    assert_eq!(interrupted, 4 + 7 + 8 + 6 + 4 + 7, "{via}");
    // a signal right after a module load: the interfaces are undone, the
    // module stays loaded (an undo never unloads one)
    let mut s = with(
        start.clone(),
        json!({"version": 2, "modules": ["if_bridge"]}),
    );
    s["faults"] = json!([{"op": "kldload", "nth": 1, "signal": "SIGTERM"}]);
    let h = HostFile::new(&s);
    let o = h.run(via, &args);
    assert_eq!(o.status.signal(), Some(15), "{}", stderr(&o));
    let after = without_log(&h.read()).0;
    assert_eq!(after["modules"], json!(["if_bridge", "if_epair"]));
    assert_eq!(names(&after), names(&start), "no interface left");
    // destroy cannot be undone: it finishes, then dies by the signal
    let h = HostFile::new(&start);
    assert!(h.run(via, &args).status.success());
    let mut built = h.read();
    built["faults"] = json!([{"op": "destroy", "nth": 1, "signal": "SIGTERM"}]);
    h.write(&built);
    let o = h.run(via, &["destroy", "f"]);
    assert_eq!(o.status.signal(), Some(15));
    assert!(
        names(&h.read())
            .iter()
            .all(|n| !n.starts_with('e') || n.starts_with("em0"))
    );
}

#[test]
fn signals_at_every_call_direct() {
    signals_at_every_call("direct");
}

#[test]
fn signals_at_every_call_ioctl() {
    signals_at_every_call("ioctl");
}

/// `rjib ARGS` with a standard output whose reader is gone. The pipe is
/// made in the single-threaded sh that then becomes rjib: a FIFO opened
/// for reading and writing, opened again for writing as fd 1, and the
/// reading side closed. A pipe made in this test process instead could be
/// held open a moment by a child another test thread is forking, and a
/// write would then succeed.
fn with_broken_pipe(h: &HostFile, via: &str, args: &[&str]) -> std::process::Output {
    let fifo = h.dir.path().join("stdout.fifo");
    std::process::Command::new("/bin/sh")
        .env_clear()
        .envs(
            command(&h.path, via)
                .get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .args([
            "-c",
            "f=$1; shift; mkfifo \"$f\" && exec 3<>\"$f\" 1>\"$f\" 3<&- && exec \"$@\"",
            "sh",
        ])
        .arg(&fifo)
        .arg(BIN)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn stdout_that_fails(via: &str) {
    for broken in ["closed pipe", "/dev/full"] {
        let h = HostFile::new(&seed());
        let before = h.read();
        let args = ["addm", "jamulus", "vtnet0"];
        let o = match broken {
            "/dev/full" => command(&h.path, via)
                .args(args)
                .stdout(
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open("/dev/full")
                        .unwrap(),
                )
                .stderr(Stdio::piped())
                .output()
                .unwrap(),
            _ => with_broken_pipe(&h, via, &args),
        };
        assert_eq!(o.status.code(), Some(1), "{broken}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(
            err.starts_with("rjib: stdout: ") && err.contains("nothing was changed"),
            "{broken}: {err}"
        );
        assert_eq!(
            timeless(&without_log(&h.read()).0),
            timeless(&before),
            "{broken}: host as it started"
        );
    }
    // show into a closed pipe ends quietly
    let h = HostFile::new(&seed());
    assert!(h.run(via, &["addm", "jamulus", "vtnet0"]).status.success());
    let o = with_broken_pipe(&h, via, &["show"]);
    assert_eq!((o.status.code(), o.stderr.as_slice()), (Some(0), &b""[..]));
}

/// Issue 14, D15(c): a standard output closed when rjib starts (`>&-`)
/// is a write that fails (EBADF), as a closed pipe is, never output
/// silently lost: addm undoes its work and exits 1; show and a dry run
/// say so and exit 1; check exits 2; destroy prints nothing and is not
/// affected; prune has destroyed what it chose and exits 1.
fn stdout_closed(via: &str) {
    let closed = |h: &HostFile, args: &[&str]| {
        let mut sh = std::process::Command::new("/bin/sh");
        sh.env_clear()
            .envs(
                command(&h.path, via)
                    .get_envs()
                    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
            )
            .args(["-c", "exec \"$0\" \"$@\" >&-", BIN])
            .args(args)
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let h = HostFile::new(&seed());
    let before = h.read();
    let o = closed(&h, &["addm", "jamulus", "vtnet0"]);
    assert_eq!(o.status.code(), Some(1), "{via}: {}", stderr(&o));
    assert!(
        stderr(&o).starts_with("rjib: stdout: Bad file descriptor; nothing was changed"),
        "{via}: {}",
        stderr(&o)
    );
    assert_eq!(
        timeless(&without_log(&h.read()).0),
        timeless(&before),
        "{via}: host as it started"
    );
    assert!(h.run(via, &["addm", "jamulus", "vtnet0"]).status.success());
    let built = h.bytes();
    let empty_file = h.dir.path().join("empty.conf");
    std::fs::write(&empty_file, "").unwrap();
    let empty_file = empty_file.to_str().unwrap();
    for (args, status) in [
        (&["show"][..], 1),
        (&["-n", "addm", "www", "vtnet0"], 1),
        (&["-n", "destroy", "jamulus"], 1),
        (
            &[
                "check", "-f", empty_file, "-r", empty_file, "-s", empty_file, "-v",
            ],
            2,
        ),
    ] {
        let o = closed(&h, args);
        assert_eq!(
            o.status.code(),
            Some(status),
            "{via} {args:?}: {}",
            stderr(&o)
        );
        let why = match args[0] {
            "-n" => "rjib: stdout: Bad file descriptor; dry run, nothing was changed\n",
            _ => "rjib: stdout: Bad file descriptor\n",
        };
        assert_eq!(stderr(&o), why, "{via} {args:?}");
        assert_eq!(h.bytes(), built, "{via} {args:?}: nothing changed");
    }
    // show with nothing to print loses nothing.
    let empty = HostFile::new(&seed());
    let o = closed(&empty, &["show"]);
    assert_eq!(
        (o.status.code(), stderr(&o).as_str()),
        (Some(0), ""),
        "{via}"
    );
    // destroy prints nothing, as jib: a closed stdout does not matter.
    let o = closed(&h, &["destroy", "jamulus"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert!(iface(&h.read(), "e0a_jamulus").is_none(), "{via}");
    // prune cannot undo: the pair is gone, and the names it could not
    // print make the status 1.
    assert!(h.run(via, &["addm", "gone", "vtnet0"]).status.success());
    let o = closed(&h, &["prune", "-f"]);
    assert_eq!(o.status.code(), Some(1), "{via}: {}", stderr(&o));
    assert!(iface(&h.read(), "e0a_gone").is_none(), "{via}: pruned");
}

#[test]
fn stdout_closed_direct() {
    stdout_closed("direct");
}

#[test]
fn stdout_closed_ioctl() {
    stdout_closed("ioctl");
}

#[test]
fn stdout_that_fails_direct() {
    stdout_that_fails("direct");
}

#[test]
fn stdout_that_fails_ioctl() {
    stdout_that_fails("ioctl");
}

/// A host with pairs for jails a (no such jail), b (dying), c (running),
/// d (no such jail, changed 10 s ago), and e's pair whose jail end is on
/// the host with no jail e.
fn prune_host() -> Value {
    let h = HostFile::new(&seed());
    for j in ["a", "b", "c", "d", "e"] {
        assert!(h.run("direct", &["addm", j, "vtnet0"]).status.success());
    }
    let mut v = timeless(&without_log(&h.read()).0);
    v["version"] = json!(2);
    v["jails"] = json!([{"name": "b", "jid": 2, "dying": true}, {"name": "c", "jid": 3}]);
    let now = rjib::util::now_secs();
    for i in v["interfaces"].as_array_mut().unwrap() {
        let name = i["name"].as_str().unwrap().to_string();
        if ["e0b_b", "e0b_c"].contains(&name.as_str()) {
            i["vnet"] = json!(&name[4..]);
        }
        if name == "e0a_d" {
            i["lastchange"] = json!(now - 10);
        }
    }
    v
}

fn pruned(via: &str) {
    let start = prune_host();
    // -n: what it would do, and nothing done
    let h = HostFile::new(&start);
    let o = h.run(via, &["-n", "prune"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "ifconfig e0a_a destroy\nifconfig e0a_b destroy\nifconfig e0a_e destroy\n"
    );
    assert!(
        stderr(&o).starts_with(
            "rjib: e0a_d: left alone: its jail end e0b_d is on the host, in no jail, but it changed "
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(h.read(), start);
    // the real run
    let o = h.run(via, &["prune"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "e0a_a\ne0a_b\ne0a_e\n");
    let left = names(&h.read());
    for gone in ["e0a_a", "e0b_a", "e0a_b", "e0a_e", "e0b_e"] {
        assert!(!left.contains(&gone.to_string()), "{gone} pruned: {left:?}");
    }
    let after = h.read();
    assert!(
        after["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "e0b_b"),
        "the dying jail's end went with its pair"
    );
    for kept in ["e0a_c", "e0a_d", "e0b_d"] {
        assert!(left.contains(&kept.to_string()), "{kept} kept");
    }
    let log = without_log(&after).1;
    let messages: Vec<&str> = log.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert!(
        messages.contains(
            &"e0a_a: pruned with its jail end (its jail end e0b_a is on the host, in no jail)"
        ),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"e0a_b: pruned with its jail end (jail b (jid 2) is dying and its jail end e0b_b is not on the host)"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("prune: e0a_d: left alone")),
        "{messages:?}"
    );
    // nothing (more) to prune but the fresh one; -f takes it
    let o = h.run(via, &["prune"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
    let o = h.run(via, &["prune", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_d\n"),
        "{}",
        stderr(&o)
    );
    let o = h.run(via, &["prune", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "nothing to prune"
    );
    // NAME filtering
    let h = HostFile::new(&start);
    let o = h.run(via, &["prune", "b", "c"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_b\n"),
        "{}",
        stderr(&o)
    );
    assert!(names(&h.read()).contains(&"e0a_a".to_string()));
    let o = h.run(via, &["prune", "bad-name"]);
    assert_eq!(o.status.code(), Some(1));
    // root only, but for -n
    let mut user = start.clone();
    user["euid"] = json!(1001);
    let h = HostFile::new(&user);
    assert_eq!(h.run(via, &["prune"]).status.code(), Some(1));
    assert!(h.run(via, &["-n", "prune"]).status.success());
}

#[test]
fn pruned_direct() {
    pruned("direct");
}

#[test]
fn pruned_ioctl() {
    pruned("ioctl");
}

/// The simulated host's lock, held by the test: rjib says whom it waits
/// for after 2 s and gives up after `-w` seconds, or goes on once the lock
/// is released.
fn lock_wait(via: &str) {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let h = HostFile::new(&seed());
    let lock_path = h.dir.path().join("host.json.lock");
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&lock_path)
            .unwrap();
    }
    let held = std::fs::File::open(&lock_path).unwrap();
    held.lock().unwrap();
    let mut holder = std::fs::File::create(lock_path.join("holder")).unwrap();
    writeln!(holder, "4242 rjib addm www em0").unwrap();
    let t = Instant::now();
    let o = h.run(via, &["-w", "3", "addm", "jamulus", "vtnet0"]);
    let waited = t.elapsed();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    let lock = std::fs::canonicalize(&lock_path).unwrap();
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: waiting for the lock {0}, held by pid 4242 (rjib addm www em0)\n\
             rjib: lock: {0}: still held by pid 4242 (rjib addm www em0) after 3 s; giving up (-w SECONDS waits longer)\n",
            lock.display()
        )
    );
    assert_eq!(stdout(&o), "");
    assert!(
        names(&h.read()).iter().all(|n| !n.starts_with("e0")),
        "nothing done"
    );
    // -w 0: no wait at all
    let o = h.run(via, &["-w", "0", "destroy", "jamulus"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("after 0 s; giving up"),
        "{}",
        stderr(&o)
    );
    // released while rjib waits: it goes on
    let child = command(&h.path, via)
        .args(["addm", "jamulus", "vtnet0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    drop(held);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "e0a_jamulus\ne0b_jamulus\n");
    assert!(
        stderr(&o).starts_with("rjib: waiting for the lock "),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(lock_path.join("holder")).unwrap(),
        "",
        "released, no holder left"
    );
    // the lock is not held by show or -n
    let held = std::fs::File::open(&lock_path).unwrap();
    held.lock().unwrap();
    assert!(h.run(via, &["-w", "0", "show"]).status.success());
    assert!(
        h.run(via, &["-w", "0", "-n", "addm", "x", "vtnet0"])
            .status
            .success()
    );
}

#[test]
fn lock_wait_direct() {
    lock_wait("direct");
}

#[test]
fn lock_wait_ioctl() {
    lock_wait("ioctl");
}
