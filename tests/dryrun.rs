//! `-n` prints a sh(1) script. Run it, with a small interpreter of the
//! sh(1) it uses, against the simulated kernel, and compare the host it
//! leaves with the host a real run leaves: the script does what rjib does,
//! on both paths, whatever names the kernel picks.
//!
//! Then run the same scripts with the real /bin/sh, on names made to break
//! a script that quotes badly (`$(…)`, backticks, `;`, `|`, `&`, space,
//! `*`, quotes, non-ASCII), with PATH holding only recording `ifconfig`
//! and `kldload` stubs: sh must pass each argument to them byte for byte
//! as the interpreter reads it, and run nothing else (issue 14, part 2).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::*;
use rjib::host::{Host, HostResult, LockWait, Priority};
use rjib::net::{
    BridgeFlags, BridgePolicy, Cloner, IfName, Interface, JailInfo, Mac, Vid, VlanOp, VlanSet,
};
use rjib::netsim::model::Kernel;
use rjib::netsim::state::State;
use serde_json::{Value, json};

/// A piece of a word: literal text, a variable (`ep_a`, or `ep_a%a` for
/// `${ep_a%a}`), or a command substitution `$(…)`.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Lit(String),
    Var(String),
    Subst(String),
}

type Word = Vec<Part>;

/// The characters that mean something to sh(1) outside quotes. A script
/// that has one there is not one the interpreter accepts: rjib quotes.
const UNQUOTED_SPECIAL: &str = ";&|<>()`*?[]~#!{}";

/// Split `script` into commands and words as sh(1) does for what rjib
/// prints: single quotes (every byte literal), `\` before any character,
/// double quotes (with `\` before `$`, `` ` ``, `"`, `\`), `$VAR`,
/// `${VAR}`, `${VAR%suffix}` and
/// `$(…)`; blanks split words, a newline outside quotes ends a command.
/// Anything else special to sh(1) outside quotes makes it panic.
fn parse(script: &str) -> Vec<Vec<Word>> {
    #[derive(PartialEq)]
    enum Q {
        No,
        Single,
        Double,
    }
    let mut cmds = Vec::new();
    let mut cmd: Vec<Word> = Vec::new();
    let mut word: Word = Vec::new();
    let mut lit = String::new();
    let mut started = false;
    let mut q = Q::No;
    let chars: Vec<char> = script.chars().collect();
    let mut k = 0;
    let flush = |lit: &mut String, word: &mut Word| {
        if !lit.is_empty() {
            word.push(Part::Lit(std::mem::take(lit)));
        }
    };
    while k < chars.len() {
        let c = chars[k];
        k += 1;
        match (&q, c) {
            (Q::Single, '\'') => q = Q::No,
            (Q::Single, c) => lit.push(c),
            (Q::No, '\'') => {
                q = Q::Single;
                started = true;
            }
            (Q::No, '\\') => {
                lit.push(chars[k]);
                k += 1;
                started = true;
            }
            (Q::No, '"') => {
                q = Q::Double;
                started = true;
            }
            (Q::Double, '"') => q = Q::No,
            (Q::Double, '\\') if matches!(chars.get(k), Some('$' | '`' | '"' | '\\')) => {
                lit.push(chars[k]);
                k += 1;
            }
            (Q::Double, '`') => panic!("a backtick in double quotes: {script}"),
            (_, '$') => {
                flush(&mut lit, &mut word);
                started = true;
                match chars.get(k) {
                    Some('(') => {
                        let end = chars[k..].iter().position(|&c| c == ')').unwrap();
                        let inner: String = chars[k + 1..k + end].iter().collect();
                        assert!(!inner.contains('('), "nested substitution: {inner}");
                        word.push(Part::Subst(inner));
                        k += end + 1;
                    }
                    Some('{') => {
                        let end = chars[k..].iter().position(|&c| c == '}').unwrap();
                        word.push(Part::Var(chars[k + 1..k + end].iter().collect()));
                        k += end + 1;
                    }
                    _ => {
                        let n = chars[k..]
                            .iter()
                            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                            .count();
                        assert!(n > 0, "a lone $ in {script}");
                        word.push(Part::Var(chars[k..k + n].iter().collect()));
                        k += n;
                    }
                }
            }
            (Q::Double, c) => lit.push(c),
            (Q::No, ' ' | '\t' | '\n') => {
                flush(&mut lit, &mut word);
                if started {
                    cmd.push(std::mem::take(&mut word));
                    started = false;
                }
                if c == '\n' && !cmd.is_empty() {
                    cmds.push(std::mem::take(&mut cmd));
                }
            }
            (Q::No, c) if UNQUOTED_SPECIAL.contains(c) => {
                panic!("{c:?} outside quotes, so sh(1) would not read it as a name: {script}")
            }
            (Q::No, c) => {
                lit.push(c);
                started = true;
            }
        }
    }
    assert!(q == Q::No, "an unterminated quote: {script}");
    flush(&mut lit, &mut word);
    if started {
        cmd.push(word);
    }
    if !cmd.is_empty() {
        cmds.push(cmd);
    }
    cmds
}

/// The value of `word`: variables from `vars`, `$(…)` by `run` (its output
/// without trailing newlines, as sh(1) takes it).
fn expand(
    word: &Word,
    vars: &HashMap<String, String>,
    run: &mut dyn FnMut(&[String]) -> String,
) -> String {
    let mut out = String::new();
    for p in word {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Var(v) => out.push_str(&match v.split_once('%') {
                Some((v, suffix)) => vars[v].strip_suffix(suffix).unwrap().to_string(),
                None => vars[v].clone(),
            }),
            Part::Subst(inner) => {
                let cmds = parse(inner);
                assert_eq!(cmds.len(), 1, "one command in $({inner})");
                let argv: Vec<String> = cmds[0].iter().map(|w| expand(w, vars, run)).collect();
                out.push_str(run(&argv).trim_end_matches('\n'));
            }
        }
    }
    out
}

/// Run `script`: assignments (`var=word`) set `vars`, every other command
/// goes to `run` as its argv.
fn execute(script: &str, run: &mut dyn FnMut(&[String]) -> String) {
    let mut vars: HashMap<String, String> = HashMap::new();
    for cmd in parse(script) {
        if let [word] = cmd.as_slice()
            && let Some(Part::Lit(first)) = word.first()
            && let Some((var, rest)) = first.split_once('=')
            && !var.is_empty()
            && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let mut value: Word = vec![Part::Lit(rest.to_string())];
            value.extend_from_slice(&word[1..]);
            let v = expand(&value, &vars, run);
            vars.insert(var.to_string(), v);
            continue;
        }
        let argv: Vec<String> = cmd.iter().map(|w| expand(w, &vars, run)).collect();
        run(&argv);
    }
}

/// A VLAN set as ifconfig's `parse_vlans` reads it.
fn vids(set: &str) -> Vec<u16> {
    rjib::net::VlanSet::parse(set).unwrap().to_vec()
}

/// One `ifconfig …` or `kldload …` command on the kernel; the name
/// `ifconfig IFACE create` prints, if any. As ifconfig(8) reads its
/// arguments (sbin/ifconfig/ifconfig.c `args_parse`: getopt(3), then the
/// interface): a word after `ifconfig` that starts with `-` is an option,
/// unless a `--` ended the options before it.
fn on_kernel(k: &mut Kernel, w: &[String]) -> String {
    let mut s: Vec<&str> = w.iter().map(String::as_str).collect();
    if s.first() == Some(&"ifconfig") {
        match s.get(1) {
            Some(&"--") => {
                s.remove(1);
            }
            Some(o) if o.starts_with('-') && o.len() > 1 => {
                panic!("{s:?}: ifconfig(8) takes {o:?} as an option, not an interface")
            }
            _ => {}
        }
    }
    let done = |r: Result<(), rjib::net::Errno>| r.unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
    match s.as_slice() {
        ["kldload", m] => done(k.kldload(m)),
        ["ifconfig", c, "create"] => {
            return k.create(c).unwrap_or_else(|e| panic!("{s:?}: {e:?}")) + "\n";
        }
        ["ifconfig", i, "name", n] => done(k.rename(i, n)),
        ["ifconfig", i, "up"] => done(k.set_up(i, true)),
        ["ifconfig", i, "down"] => done(k.set_up(i, false)),
        ["ifconfig", i, "mtu", m] => done(k.set_mtu(i, m.parse().unwrap())),
        ["ifconfig", b, "addm", m, opts @ ..] => {
            // FreeBSD 15 ifconfig's setbridge_add: BRDGADD, then
            // BRDGSIFPVID for untagged, then BRDGSIFVLANSET (SET) for tagged.
            done(k.bridge_add(b, m));
            let (mut pvid, mut set) = (None, None);
            for o in opts.chunks(2) {
                match o {
                    ["untagged", v] => pvid = Some(v.parse::<u16>().unwrap()),
                    ["tagged", v] => set = Some(vids(v)),
                    other => panic!("addm does not take {other:?}"),
                }
            }
            if let Some(v) = pvid {
                done(k.set_member_pvid(b, m, v));
            }
            if let Some(v) = set {
                done(k.set_member_vlans(b, m, 1, &v));
            }
        }
        ["ifconfig", b, "vlanfilter"] => {
            let f = k.bridge_flags(b).unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
            done(k.set_bridge_flags(b, f | 1))
        }
        ["ifconfig", b, "ifuntagged", m, v] => done(k.set_member_pvid(b, m, v.parse().unwrap())),
        [
            "ifconfig",
            b,
            op @ ("iftagged" | "+iftagged" | "-iftagged"),
            m,
            set,
        ] => {
            let code = match *op {
                "iftagged" => 1,
                "+iftagged" => 2,
                _ => 3,
            };
            done(k.set_member_vlans(b, m, code, &vids(set)))
        }
        ["ifconfig", i, "destroy"] => done(k.destroy(i)),
        ["ifconfig", i, "ether", mac] => {
            let m: rjib::net::Mac = mac.parse().unwrap();
            done(k.set_ether(i, &m.0))
        }
        ["ifconfig", i, "description", d] => done(k.set_description(i, d.len() + 1, d)),
        other => panic!("the interpreter does not know {other:?}"),
    }
    String::new()
}

/// Run `script` on the host in `file`; the host it leaves.
fn interpret(file: &Value, script: &str) -> Value {
    let state: State = serde_json::from_value(file.clone()).unwrap();
    let mut k = Kernel::new(state).unwrap();
    execute(script, &mut |argv| on_kernel(&mut k, argv));
    serde_json::to_value(&k.state).unwrap()
}

/// The host without what differs between two honest runs: the clock and
/// the syslog (the script logs nothing).
fn comparable(h: &Value) -> Value {
    timeless(&without_log(h).0)
}

/// `rjib -n ARGS` on `start`: its script.
fn script_of(via: &str, start: &Value, args: &[&str]) -> String {
    let h = HostFile::new(start);
    let mut dry = vec!["-n"];
    dry.extend_from_slice(args);
    let o = h.run(via, &dry);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    assert_eq!(h.read(), *start, "{via} -n {args:?} changes nothing");
    stdout(&o)
}

fn script_does_what_rjib_does(via: &str, start: &Value, args: &[&str]) {
    let script = script_of(via, start, args);
    let by_script = interpret(start, &script);
    let h = HostFile::new(start);
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    assert_eq!(
        comparable(&by_script),
        comparable(&h.read()),
        "{via} {args:?}: the script\n{script}"
    );
}

/// An ether interface for hand-made hosts, with a MAC of its own.
fn nic(name: &str, index: u32) -> Value {
    ether(
        name,
        index,
        &format!("00:25:90:00:{:02x}:{:02x}", index / 256, index % 256),
    )
}

/// `host` with `ifs` added, indexes after the last.
fn plus(mut host: Value, names: &[&str]) -> Value {
    let ifs = host["interfaces"].as_array_mut().unwrap();
    let next = ifs
        .iter()
        .map(|i| i["index"].as_u64().unwrap())
        .max()
        .unwrap() as u32
        + 1;
    for (n, index) in names.iter().zip(next..) {
        ifs.push(nic(n, index));
    }
    host
}

/// `host` with the interface `from` named `to`, wherever it is named.
fn renamed(mut host: Value, from: &str, to: &str) -> Value {
    for i in host["interfaces"].as_array_mut().unwrap() {
        for k in ["name", "peer"] {
            if i[k] == from {
                i[k] = json!(to);
            }
        }
        if let Some(list) = i["members"].as_array_mut() {
            for m in list.iter_mut().filter(|m| *m == from) {
                *m = json!(to);
            }
        }
    }
    host
}

/// `start` after `rjib addm` for each of `jails` on vtnet0, syslog and
/// clock dropped, as a version 2 host.
fn built(start: &Value, jails: &[&str]) -> Value {
    let h = HostFile::new(start);
    for j in jails {
        let o = h.run("direct", &["addm", j, "vtnet0"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut v = timeless(&without_log(&h.read()).0);
    v["version"] = json!(2);
    v
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
        let mut v = built(&seed(), &["x"]);
        v["jails"] = json!([{"name": "x", "jid": 9, "dying": true}]);
        for i in v["interfaces"].as_array_mut().unwrap() {
            if i["name"] == "e0b_x" {
                i["vnet"] = json!("x");
            }
        }
        v
    };
    // a pair to reuse: its flags are set again (D6)
    let reused = built(&seed(), &["x"]);
    let mut hosts = vec![
        (seed(), vec!["addm", "jamulus", "vtnet0"]),
        (
            plus_em0.clone(),
            vec!["addm", "jamulus", "vtnet0", "em0", "!em0"],
        ),
        (busy.clone(), vec!["addm", "www", "em0", "vtnet0"]),
        (busy, vec!["destroy", "old"]),
        (no_modules, vec!["addm", "-b", "br", "x", "vtnet0"]),
        (dying.clone(), vec!["addm", "x", "vtnet0"]),
        (dying, vec!["prune", "-f"]),
        (reused, vec!["addm", "x", "vtnet0", "vtnet0"]),
    ];
    hosts.extend(hostile());
    hosts.extend(vlan_hosts());
    hosts
}

/// FreeBSD 15 with ix0 and em1: a new VLAN-filtering bridge; the trunk
/// bridge rjib made for ix0 (filtering, ix0 tagged 10, new members
/// untagged 7), whose uplink gains a VLAN; plain epairs on it; destroy.
fn vlan_hosts() -> Vec<(Value, Vec<&'static str>)> {
    let host15 = json!({"version": 3, "release": 15, "interfaces": [
        lo0(),
        ether("ix0", 2, "00:25:90:00:00:02"),
        ether("em1", 3, "00:25:90:00:00:03"),
    ]});
    let trunk = {
        let mut h = host15.clone();
        let mut br = bridge("ix0bridge", 4, 0, &["ix0"]);
        br["vlanfilter"] = json!(true);
        br["defpvid"] = json!(7);
        br["description"] = json!("rjib: bridge for ix0");
        h["interfaces"][1]["tagged"] = json!([10]);
        h["interfaces"].as_array_mut().unwrap().push(br);
        h
    };
    let built = {
        let h = HostFile::new(&trunk);
        let o = h.run("direct", &["addm", "x", "ix0", "untagged", "10"]);
        assert!(o.status.success(), "{}", stderr(&o));
        without_log(&h.read()).0
    };
    let (dash, dash_built) = dash_hosts(&host15);
    vec![
        (
            host15,
            vec![
                "addm", "web", "ix0", "untagged", "20", "tagged", "10,30-32", "ix0", "em1",
            ],
        ),
        (
            trunk.clone(),
            vec!["addm", "web", "ix0", "untagged", "20", "tagged", "11"],
        ),
        (trunk, vec!["addm", "web", "ix0", "ix0", "tagged", "10"]),
        (built.clone(), vec!["destroy", "x"]),
        // the pair is reused and given other VLANs
        (
            built,
            vec!["addm", "x", "ix0", "untagged", "30", "tagged", "40"],
        ),
        // the uplink +iftagged step on a bridge named `-xbridge`
        (dash, vec!["addm", "web", "-x", "untagged", "20"]),
        // a reused pair retagged there: ifuntagged, iftagged
        (
            dash_built.clone(),
            vec!["addm", "x", "-x", "untagged", "30", "tagged", "40"],
        ),
        (dash_built, vec!["destroy", "x"]),
    ]
}

/// `host15` with a parent `-x` and rjib's VLAN-filtering bridge for it,
/// `-xbridge`; and that host after `addm x -x untagged 10`. ifconfig(8)
/// reads a word after it that starts with `-` as options (getopt(3) in
/// sbin/ifconfig/ifconfig.c `args_parse`), so every command on these two
/// needs a `--` first.
fn dash_hosts(host15: &Value) -> (Value, Value) {
    let mut dash = host15.clone();
    let mut br = bridge("-xbridge", 6, 1, &["-x"]);
    br["vlanfilter"] = json!(true);
    br["description"] = json!("rjib: bridge for -x");
    let ifs = dash["interfaces"].as_array_mut().unwrap();
    ifs.push(ether("-x", 5, "00:25:90:00:00:05"));
    ifs.push(br);
    let h = HostFile::new(&dash);
    let o = h.run("direct", &["addm", "x", "-x", "untagged", "10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let built = without_log(&h.read()).0;
    (dash, built)
}

/// A bridge and a parent whose names start with `-`: every command on
/// them is `ifconfig -- NAME …`, the uplink's new VLANs and a reused
/// member's new ones too (both paths).
#[test]
fn names_starting_with_a_dash_follow_a_double_dash() {
    let host15 = vlan_hosts()[0].0.clone();
    let (dash, built) = dash_hosts(&host15);
    for via in VIAS {
        let script = script_of(via, &dash, &["addm", "web", "-x", "untagged", "20"]);
        let lines: Vec<&str> = script.lines().collect();
        assert_eq!(
            lines[0], "ifconfig -- -xbridge +iftagged -x 20",
            "{via}:\n{script}"
        );
        assert!(
            lines.contains(&"ifconfig -- -xbridge addm \"$ep_a\" untagged 20"),
            "{via}:\n{script}"
        );
        let script = script_of(
            via,
            &built,
            &["addm", "x", "-x", "untagged", "30", "tagged", "40"],
        );
        for want in [
            "ifconfig -- -xbridge +iftagged -x 30,40",
            "ifconfig -- -xbridge ifuntagged e0a_x 30",
            "ifconfig -- -xbridge iftagged e0a_x 40",
        ] {
            assert!(
                script.lines().any(|l| l == want),
                "{via}: {want}:\n{script}"
            );
        }
        for line in script.lines().chain(lines.iter().copied()) {
            assert!(
                !line.starts_with("ifconfig -x"),
                "{via}: {line} is options to ifconfig(8)"
            );
        }
    }
}

/// The VLAN steps in ifconfig(8)'s words, in rjib's order: the uplink's
/// new VLANs first, then each epair's addm with its VLANs, before up.
#[test]
fn vlan_steps_in_ifconfigs_words() {
    let (host, args) = &vlan_hosts()[1];
    let script = script_of("direct", host, args);
    let lines: Vec<&str> = script.lines().collect();
    assert_eq!(lines[0], "ifconfig ix0bridge +iftagged ix0 11,20");
    let addm = lines
        .iter()
        .position(|l| *l == "ifconfig ix0bridge addm \"$ep_a\" untagged 20 tagged 11")
        .unwrap_or_else(|| panic!("{script}"));
    let up = lines
        .iter()
        .position(|l| *l == "ifconfig e0a_web up")
        .unwrap();
    assert!(addm < up, "{script}");
    let (host, args) = &vlan_hosts()[0];
    let script = script_of("ioctl", host, args);
    for want in [
        "ifconfig \"$br\" vlanfilter",
        "ifconfig \"$br\" addm ix0 tagged 10,20,30-32",
        "ifconfig ix0bridge addm \"$ep_a\" untagged 20 tagged 10,30-32",
        "ifconfig ix0bridge addm \"$ep_a\"",
        "ifconfig \"$br\" addm em1",
    ] {
        assert!(script.lines().any(|l| l == want), "{want}:\n{script}");
    }
    // em1's bridge has no VLANs: it does not filter.
    assert_eq!(script.matches("vlanfilter").count(), 1, "{script}");
}

/// Parents named to break a script that quotes badly. Each makes a file
/// `c` in the current directory (or expands, splits or fails) if sh(1)
/// reads it as anything but one word; `$br` would expand to the bridge.
const HOSTILE_PARENTS: &[&str] = &[
    "a b", "x;>c", "`>c`", "$(>c)", "p|>c", "a&>c", "s*", "q'q", "d\"d", "ä", "$br", "\\>c", "-a",
    "--", "-",
];

/// `-b` suffixes of the same kind (`-b` takes no blanks or controls).
const HOSTILE_SUFFIXES: &[&str] = &["$(>c)", "`>c`", ";>c", "|>c", "&>c", "*", "'", "\"", "é'\\"];

/// Hosts with hostile names: as parents, as `-b` suffixes, and as jail
/// ends renamed by a jail (back on the host now) and epairs whose name
/// is no jib name, which prune and destroy must not touch.
fn hostile() -> Vec<(Value, Vec<&'static str>)> {
    let parents = plus(seed(), HOSTILE_PARENTS);
    let mut addm = vec!["addm", "j"];
    addm.extend_from_slice(HOSTILE_PARENTS);
    let mut out = vec![(parents, addm)];
    for s in HOSTILE_SUFFIXES {
        out.push((seed(), vec!["addm", "-b", s, "k", "vtnet0"]));
    }
    // epairs: old (old pair, jail end on the host), y (its jail end
    // renamed by the jail that held it), and pairs whose NAME is no jib name
    let mut ends = built(&seed(), &["old", "y", "z1", "z2", "z3", "z4", "z5", "z6"]);
    ends = renamed(ends, "e0b_y", "$(>c)");
    for (from, to) in [
        ("z1", "a b"),
        ("z2", "x;>c"),
        ("z3", "ä"),
        ("z4", "x.y"),
        ("z5", "`>c`"),
        ("z6", "x;y"),
    ] {
        ends = renamed(ends, &format!("e0a_{from}"), &format!("e0a_{to}"));
        ends = renamed(ends, &format!("e0b_{from}"), &format!("e0b_{to}"));
    }
    out.push((ends.clone(), vec!["prune", "-f"]));
    out.push((ends.clone(), vec!["destroy", "y"]));
    out.push((ends, vec!["destroy", "old"]));
    out
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

/// The recording stubs: each call appends its argument count, its name
/// and its arguments to `$RJIB_TEST_LOG`, each ended by a NUL, with
/// printf(1), a sh(1) builtin. `ifconfig bridge create` and `ifconfig
/// epair create` print a name as ifconfig(8) does. They run nothing.
/// `ifconfig` fails, as ifconfig(8)'s getopt(3) would, when its first
/// word starts with `-` and is not `--`: an interface so named must
/// follow a `--`.
const STUB: &str = r#"#!/bin/sh
if [ "${0##*/}" = ifconfig ] && [ "$1" != -- ]; then
    case "$1" in
    -?*) printf 'ifconfig: %s is options, not an interface\n' "$1" >&2; exit 64 ;;
    esac
fi
printf '%s\0' "$#" "${0##*/}" "$@" >> "$RJIB_TEST_LOG"
if [ "$#" = 2 ] && [ "$2" = create ]; then
    case "$1" in
    bridge) printf 'bridge7\n' ;;
    epair) printf 'epair7a\n' ;;
    esac
fi
"#;

/// The argvs in a stub log.
fn recorded(log: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut fields = log.split(|&b| b == 0);
    let mut out = Vec::new();
    while let Some(n) = fields.next() {
        if n.is_empty() {
            break; // the end, after the last NUL
        }
        let n: usize = std::str::from_utf8(n).unwrap().parse().unwrap();
        out.push((0..=n).map(|_| fields.next().unwrap().to_vec()).collect());
    }
    out
}

/// What the interpreter reads `script` to run, with the stubs' names for
/// what the kernel creates.
fn as_read(script: &str) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    execute(script, &mut |argv| {
        out.push(argv.iter().map(|a| a.as_bytes().to_vec()).collect());
        match argv {
            [_, c, create] if create == "create" && c == "bridge" => "bridge7\n".into(),
            [_, c, create] if create == "create" && c == "epair" => "epair7a\n".into(),
            _ => String::new(),
        }
    });
    out
}

/// Run `script` with /bin/sh in an empty directory, PATH holding only the
/// stubs; what they recorded.
fn run_by_sh(script: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    // a file for an unquoted `s*` to match
    std::fs::write(work.join("sglob"), b"").unwrap();
    for stub in ["ifconfig", "kldload"] {
        let p = bin.join(stub);
        std::fs::write(&p, STUB).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.path().join("log");
    std::fs::write(&log, b"").unwrap();
    let script_file = dir.path().join("script.sh");
    std::fs::write(&script_file, script).unwrap();
    let o = Command::new("/bin/sh")
        .arg("-e")
        .arg(&script_file)
        .current_dir(&work)
        .env_clear()
        .env("PATH", &bin)
        .env("LC_ALL", "C")
        .env("RJIB_TEST_LOG", &log)
        .output()
        .unwrap();
    let script_text = String::from_utf8_lossy(script);
    assert!(
        o.status.success(),
        "sh failed: {}\n{script_text}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["sglob"],
        "the script made a file (it ran something):\n{script_text}"
    );
    recorded(&std::fs::read(&log).unwrap())
}

fn sh_runs_exactly_what_rjib_prints(via: &str) {
    for (host, args) in hosts() {
        let script = script_of(via, &host, &args);
        let by_sh = run_by_sh(script.as_bytes());
        assert_eq!(
            by_sh,
            as_read(&script),
            "{via} {args:?}: sh passes each word byte for byte:\n{script}"
        );
        assert!(!by_sh.is_empty(), "{via} {args:?}: it does something");
    }
}

#[test]
fn sh_runs_exactly_what_rjib_prints_direct() {
    sh_runs_exactly_what_rjib_prints("direct");
}

#[test]
fn sh_runs_exactly_what_rjib_prints_ioctl() {
    sh_runs_exactly_what_rjib_prints("ioctl");
}

/// Every hostile name reaches the stubs whole, where a script prints it.
#[test]
fn hostile_names_reach_ifconfig_whole() {
    let mut addm = vec!["addm", "j"];
    addm.extend_from_slice(HOSTILE_PARENTS);
    let script = script_of("direct", &plus(seed(), HOSTILE_PARENTS), &addm);
    let by_sh = run_by_sh(script.as_bytes());
    for p in HOSTILE_PARENTS {
        let bridge = format!("{p}bridge");
        let descr = format!("rjib: bridge for {p}");
        for want in [p.as_bytes(), bridge.as_bytes(), descr.as_bytes()] {
            assert!(
                by_sh.iter().flatten().any(|a| a == want),
                "{:?} never reached ifconfig whole:\n{script}",
                String::from_utf8_lossy(want)
            );
        }
    }
    for s in HOSTILE_SUFFIXES {
        let script = script_of("direct", &seed(), &["addm", "-b", s, "k", "vtnet0"]);
        let bridge = format!("vtnet0{s}");
        assert!(
            run_by_sh(script.as_bytes())
                .iter()
                .flatten()
                .any(|a| *a == bridge.as_bytes()),
            "{bridge:?}:\n{script}"
        );
    }
}

/// prune and destroy print only jib names: the renamed jail end and the
/// pairs whose NAME is no jib name are not in their scripts, and not
/// destroyed by the real run (both paths).
fn only_jib_names_are_touched(via: &str) {
    let (ends, _) = hostile().pop().unwrap();
    let script = script_of(via, &ends, &["prune", "-f"]);
    assert_eq!(
        script, "ifconfig e0a_old destroy\n",
        "{via}: only old's pair; y's jail end is not on the host under its name, and no jail y exists"
    );
    let h = HostFile::new(&ends);
    let o = h.run(via, &["prune", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_old\n")
    );
    let left = names(&h.read());
    for kept in [
        "e0a_a b", "e0b_a b", "e0a_x;>c", "e0a_ä", "e0a_x.y", "e0b_x.y", "e0a_`>c`", "e0a_x;y",
        "e0b_x;y", "e0a_y", "$(>c)",
    ] {
        assert!(
            left.contains(&kept.to_string()),
            "{via}: {kept} kept: {left:?}"
        );
    }
    // show lists no such NAME; destroy y takes y's pair and its renamed end
    let o = h.run(via, &["show"]);
    assert_eq!(stdout(&o), "y\n", "{via}");
    let o = h.run(via, &["destroy", "y"]);
    assert!(o.status.success());
    let left = names(&h.read());
    assert!(
        !left.contains(&"$(>c)".to_string()),
        "{via}: the peer went with e0a_y"
    );
    assert!(left.contains(&"e0a_x.y".to_string()));
}

/// jib writes an end's index without a leading zero: `e00a_ok` is not a
/// name it makes, so destroy, prune and show leave it alone beside
/// `e0a_ok` (review of issue 14, 7).
fn leading_zeros_are_not_jib_names(via: &str) {
    let mut host = built(&seed(), &["ok", "zz"]);
    host = renamed(host, "e0a_zz", "e00a_ok");
    host = renamed(host, "e0b_zz", "e00b_ok");
    let o = HostFile::new(&host).run(via, &["-n", "destroy", "ok"]);
    assert_eq!(stdout(&o), "ifconfig e0a_ok destroy\n", "{via}");
    let o = HostFile::new(&host).run(via, &["-n", "prune", "-v", "ok"]);
    assert_eq!(stdout(&o), "ifconfig e0a_ok destroy\n", "{via}");
    assert!(!stderr(&o).contains("e00a_ok"), "{via}: {}", stderr(&o));
    let o = HostFile::new(&host).run(via, &["show", "--libxo", "json", "ok"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let epairs = &v["rjib-information"]["jail"][0]["epair"];
    assert_eq!(epairs.as_array().map(Vec::len), Some(1), "{via}: {v}");
    assert_eq!(epairs[0]["a"]["name"], "e0a_ok", "{via}");
    let h = HostFile::new(&host);
    assert!(h.run(via, &["prune", "-f"]).status.success());
    let left = names(&h.read());
    assert!(left.contains(&"e00a_ok".to_string()), "{via}: {left:?}");
    assert!(!left.contains(&"e0a_ok".to_string()), "{via}: {left:?}");
}

#[test]
fn leading_zeros_are_not_jib_names_direct() {
    leading_zeros_are_not_jib_names("direct");
}

#[test]
fn leading_zeros_are_not_jib_names_ioctl() {
    leading_zeros_are_not_jib_names("ioctl");
}

#[test]
fn only_jib_names_are_touched_direct() {
    only_jib_names_are_touched("direct");
}

#[test]
fn only_jib_names_are_touched_ioctl() {
    only_jib_names_are_touched("ioctl");
}

#[test]
fn the_interpreter_is_strict() {
    // It must not pass a script that would fail in sh: a name that does
    // not exist is a failure.
    let r = std::panic::catch_unwind(|| interpret(&seed(), "ifconfig epair0a name e0a_x\n"));
    assert!(r.is_err());
    // Nor one whose words sh(1) would read otherwise.
    for bad in [
        "ifconfig a;b destroy\n",
        "ifconfig `x` up\n",
        "ifconfig 'a destroy\n",
        "ifconfig a* up\n",
        "ifconfig a&b up\n",
        "ifconfig \"a\n",
    ] {
        assert!(std::panic::catch_unwind(|| parse(bad)).is_err(), "{bad}");
    }
    let mut seen = Vec::new();
    execute(
        "ep_a=$(ifconfig epair create)\nifconfig \"${ep_a%a}b\" description 'jail x, \"y\" '\\''z'\\''' up\nifconfig 'a\nb' destroy\n",
        &mut |argv| {
            seen.push(argv.to_vec());
            "epair3a\n".to_string()
        },
    );
    assert_eq!(
        seen,
        vec![
            vec!["ifconfig", "epair", "create"],
            vec![
                "ifconfig",
                "epair3b",
                "description",
                "jail x, \"y\" 'z'",
                "up"
            ],
            vec!["ifconfig", "a\nb", "destroy"],
        ]
    );
    assert!(
        Path::new("/bin/sh").exists(),
        "the sh(1) test needs /bin/sh"
    );
}

/// A host that only lists, for dry runs on names no host file can hold
/// (the simulation refuses control characters; FreeBSD's SIOCSIFNAME does
/// not: `if_rename` refuses only an empty or taken name).
struct Listed(Vec<Interface>);

impl Host for Listed {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(0)
    }
    fn lock(&mut self, _: &mut LockWait<'_>) -> HostResult<()> {
        Ok(())
    }
    fn list(&mut self) -> HostResult<Vec<Interface>> {
        Ok(self.0.clone())
    }
    fn create(&mut self, _: Cloner, _: Option<u32>) -> HostResult<IfName> {
        unreachable!("a dry run changes nothing")
    }
    fn rename(&mut self, _: &IfName, _: &IfName) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn set_up(&mut self, _: &IfName, _: bool) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn set_ether(&mut self, _: &IfName, _: Mac) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn mtu(&mut self, _: &IfName) -> HostResult<u32> {
        unreachable!("the dry run knows its MTUs")
    }
    fn set_mtu(&mut self, _: &IfName, _: u32) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn bridge_add(&mut self, _: &IfName, _: &IfName) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn destroy(&mut self, _: &IfName) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn cloner_loaded(&mut self, _: Cloner) -> HostResult<bool> {
        Ok(true)
    }
    fn load_cloner(&mut self, _: Cloner) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        Ok(BridgePolicy::PERMISSIVE)
    }
    fn jail(&mut self, _: &str) -> HostResult<Option<JailInfo>> {
        Ok(None)
    }
    fn driver(&mut self, _: &IfName, _: u32) -> HostResult<Option<String>> {
        Ok(None)
    }
    fn set_description(&mut self, _: &IfName, _: &str) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn description(&mut self, _: &IfName) -> HostResult<Option<String>> {
        Ok(None)
    }
    fn bridge_flags(&mut self, _: &IfName) -> HostResult<BridgeFlags> {
        unreachable!("a kernel without VLANs is not asked")
    }
    fn set_bridge_flags(&mut self, _: &IfName, _: BridgeFlags) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn bridge_defpvid(&mut self, _: &IfName) -> HostResult<Option<Vid>> {
        unreachable!("a kernel without VLANs is not asked")
    }
    fn set_member_pvid(&mut self, _: &IfName, _: &IfName, _: Option<Vid>) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn member_vlans(&mut self, _: &IfName, _: &IfName) -> HostResult<VlanSet> {
        unreachable!("a kernel without VLANs is not asked")
    }
    fn set_member_vlans(
        &mut self,
        _: &IfName,
        _: &IfName,
        _: VlanOp,
        _: &VlanSet,
    ) -> HostResult<()> {
        unreachable!("a dry run changes nothing")
    }
    fn syslog(&mut self, _: Priority, _: &str) {}
}

/// `rjib ARGS` in this process on `listing`: exit status, stdout, stderr.
fn on_listing(listing: &[Interface], args: &[&std::ffi::OsStr]) -> (i32, Vec<u8>, String) {
    let mut argv = vec![std::ffi::OsString::from("rjib")];
    argv.extend(args.iter().map(|a| a.to_os_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = rjib::app::main_with(
        &argv,
        &mut || Ok(Box::new(Listed(listing.to_vec()))),
        &mut rjib::io::Io {
            out: &mut out,
            err: &mut err,
        },
    );
    (status, out, String::from_utf8(err).unwrap())
}

/// A newline, a tab and other controls in a parent's name (possible on a
/// real host, not in a host file): the script still passes it whole.
/// Arguments that are not UTF-8 never reach a script: the command line
/// refuses them where they would name an interface.
#[test]
fn names_a_host_file_cannot_hold() {
    use rjib::net::LinkType;
    use std::os::unix::ffi::OsStrExt;
    let parents = ["a\nb", "\t;>c", "x\n>c", "'\n'"];
    let listing: Vec<Interface> = parents
        .iter()
        .enumerate()
        .map(|(k, p)| Interface {
            ether: Some(format!("00:25:90:00:01:{k:02x}").parse().unwrap()),
            up: true,
            ..Interface::new(IfName::new(*p).unwrap(), 10 + k as u32, LinkType::Ether)
        })
        .collect();
    let mut args: Vec<&std::ffi::OsStr> = ["-n", "addm", "j"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.extend(parents.iter().map(std::ffi::OsStr::new));
    let (status, out, err) = on_listing(&listing, &args);
    assert_eq!(status, 0, "{err}");
    let script = String::from_utf8(out).unwrap();
    let by_sh = run_by_sh(script.as_bytes());
    assert_eq!(by_sh, as_read(&script), "{script}");
    for p in parents {
        for want in [
            p.to_string(),
            format!("{p}bridge"),
            format!("rjib: bridge for {p}"),
        ] {
            assert!(
                by_sh.iter().flatten().any(|a| *a == want.as_bytes()),
                "{want:?} never reached ifconfig whole:\n{script}"
            );
        }
    }
    for bad in [&b"-b"[..], b""] {
        let mut args: Vec<&std::ffi::OsStr> =
            ["-n", "addm"].iter().map(std::ffi::OsStr::new).collect();
        if !bad.is_empty() {
            args.push(std::ffi::OsStr::from_bytes(bad));
            args.push(std::ffi::OsStr::from_bytes(b"\xff$(>c)"));
            args.extend(["j", "a\nb"].iter().map(std::ffi::OsStr::new));
        } else {
            args.push(std::ffi::OsStr::new("j"));
            args.push(std::ffi::OsStr::from_bytes(b"\xffx"));
        }
        let (status, out, err) = on_listing(&listing, &args);
        assert_eq!((status, out.as_slice()), (1, &b""[..]), "{err}");
        assert!(
            err.contains("not valid UTF-8, so it cannot name an interface"),
            "{err}"
        );
    }
}
