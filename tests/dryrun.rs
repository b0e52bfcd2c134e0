//! `-n` prints a sh(1) script. Run it, with a small interpreter of the
//! commands it uses, against the simulated kernel, and compare the host it
//! leaves with the host a real run leaves: the script does what rjib does,
//! on both paths, whatever names the kernel picks.

mod common;

use std::collections::HashMap;

use common::*;
use rjib::netsim::model::Kernel;
use rjib::netsim::state::State;
use serde_json::{Value, json};

/// Split one line of the script into words: double quotes (with `\`
/// escapes), `$VAR` and `${VAR%a}b` expansion, as sh(1) does for these.
fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            '\\' if quoted => cur.push(chars.next().unwrap()),
            '$' => {
                let mut name = String::new();
                if chars.peek() == Some(&'{') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        name.push(c);
                    }
                } else {
                    while let Some(&c) = chars.peek() {
                        if !(c.is_ascii_alphanumeric() || c == '_') {
                            break;
                        }
                        name.push(c);
                        chars.next();
                    }
                }
                let value = match name.split_once('%') {
                    Some((v, suffix)) => vars[v].strip_suffix(suffix).unwrap().to_string(),
                    None => vars[&name].clone(),
                };
                cur.push_str(&value);
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// One `ifconfig …` or `kldload …` command on the kernel; the name
/// `ifconfig IFACE create` prints, if any.
fn run(k: &mut Kernel, w: &[String]) -> Option<String> {
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let done = |r: Result<(), rjib::net::Errno>| r.unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
    match s.as_slice() {
        ["kldload", m] => done(k.kldload(m)),
        ["ifconfig", c, "create"] => {
            return Some(k.create(c).unwrap_or_else(|e| panic!("{s:?}: {e:?}")));
        }
        ["ifconfig", i, "name", n] => done(k.rename(i, n)),
        ["ifconfig", i, "up"] => done(k.set_up(i, true)),
        ["ifconfig", i, "down"] => done(k.set_up(i, false)),
        ["ifconfig", i, "mtu", m] => done(k.set_mtu(i, m.parse().unwrap())),
        ["ifconfig", b, "addm", m] => done(k.bridge_add(b, m)),
        ["ifconfig", i, "destroy"] => done(k.destroy(i)),
        ["ifconfig", i, "ether", mac] => {
            let m: rjib::net::Mac = mac.parse().unwrap();
            done(k.set_ether(i, &m.0))
        }
        ["ifconfig", i, "description", d] => done(k.set_description(i, d.len() + 1, d)),
        other => panic!("the interpreter does not know {other:?}"),
    }
    None
}

/// Run `script` on the host in `file`; the host it leaves.
fn interpret(file: &Value, script: &str) -> Value {
    let state: State = serde_json::from_value(file.clone()).unwrap();
    let mut k = Kernel::new(state).unwrap();
    let mut vars: HashMap<String, String> = HashMap::new();
    for line in script.lines() {
        if let Some((var, rest)) = line.split_once('=')
            && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let value = match rest.strip_prefix("$(").and_then(|r| r.strip_suffix(')')) {
                Some(cmd) => run(&mut k, &words(cmd, &vars)).expect("a command that prints a name"),
                None => words(rest, &vars).concat(),
            };
            vars.insert(var.to_string(), value);
            continue;
        }
        run(&mut k, &words(line, &vars));
    }
    serde_json::to_value(&k.state).unwrap()
}

/// The host without what differs between two honest runs: the clock and
/// the syslog (the script logs nothing).
fn comparable(h: &Value) -> Value {
    timeless(&without_log(h).0)
}

fn script_does_what_rjib_does(via: &str, start: &Value, args: &[&str]) {
    let h = HostFile::new(start);
    let mut dry = vec!["-n"];
    dry.extend_from_slice(args);
    let o = h.run(via, &dry);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    let script = stdout(&o);
    let by_script = interpret(start, &script);
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    assert_eq!(
        comparable(&by_script),
        comparable(&h.read()),
        "{via} {args:?}: the script\n{script}"
    );
}

fn hosts() -> Vec<(Value, Vec<&'static str>)> {
    let mut em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
    em0["up"] = json!(false);
    em0["mtu"] = json!(9000);
    let plus_em0 = with(seed(), json!({})); // copy
    let mut plus_em0 = plus_em0;
    plus_em0["interfaces"].as_array_mut().unwrap().push(em0);
    // vtnet0bridge holds bridge unit 0 and epair unit 0 is held by a
    // renamed pair: the kernel's choices are not the names' obvious ones.
    let busy = {
        let h = HostFile::new(&plus_em0);
        assert!(h.run("direct", &["addm", "old", "vtnet0"]).status.success());
        without_log(&h.read()).0
    };
    let no_modules = with(seed(), json!({"version": 2, "modules": []}));
    let dying = {
        let h = HostFile::new(&seed());
        assert!(h.run("direct", &["addm", "x", "vtnet0"]).status.success());
        let mut v = without_log(&h.read()).0;
        v["version"] = json!(2);
        v["jails"] = json!([{"name": "x", "jid": 9, "dying": true}]);
        for i in v["interfaces"].as_array_mut().unwrap() {
            if i["name"] == "e0b_x" {
                i["vnet"] = json!("x");
            }
        }
        v
    };
    vec![
        (seed(), vec!["addm", "jamulus", "vtnet0"]),
        (
            plus_em0.clone(),
            vec!["addm", "jamulus", "vtnet0", "em0", "!em0"],
        ),
        (busy.clone(), vec!["addm", "www", "em0", "vtnet0"]),
        (busy, vec!["destroy", "old"]),
        (no_modules, vec!["addm", "-b", "br", "x", "vtnet0"]),
        (dying, vec!["addm", "x", "vtnet0"]),
    ]
}

#[test]
fn the_dry_run_script_does_what_rjib_does_direct() {
    for (host, args) in hosts() {
        script_does_what_rjib_does("direct", &host, &args);
    }
}

#[test]
fn the_dry_run_script_does_what_rjib_does_ioctl() {
    for (host, args) in hosts() {
        script_does_what_rjib_does("ioctl", &host, &args);
    }
}

#[test]
fn the_interpreter_is_strict() {
    // It must not pass a script that would fail in sh: a name that does
    // not exist is a failure.
    let r = std::panic::catch_unwind(|| interpret(&seed(), "ifconfig epair0a name e0a_x\n"));
    assert!(r.is_err());
    let v = HashMap::from([("ep_a".to_string(), "epair3a".to_string())]);
    assert_eq!(
        words(
            r#"ifconfig "${ep_a%a}b" description "jail x, \"y\"" up"#,
            &v
        ),
        vec!["ifconfig", "epair3b", "description", "jail x, \"y\"", "up"]
    );
}
