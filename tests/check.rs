//! `rjib check` end to end: the built binary on simulated hosts, on both
//! paths (direct and ioctl), with jail.conf and rc.conf files written to a
//! temporary directory or taken from `tests/data/check/` (one file per
//! finding code).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use rjib::app::main_counted;
use rjib::backend::Selection;
use rjib::check::report::{Code, Severity};
use rjib::jib::mac::{Scheme, derive, derive_with};
use rjib::net::Mac;
use serde_json::{Value, json};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/check");
const MANPAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/man/rjib.8");

/// A temporary directory with a copy of a host file and the files to check.
struct Setup {
    host: HostFile,
}

impl Setup {
    fn new(host: &Value) -> Setup {
        Setup {
            host: HostFile::new(host),
        }
    }

    fn data_host() -> Setup {
        let text = std::fs::read_to_string(Path::new(DATA).join("host.json")).unwrap();
        Setup::new(&serde_json::from_str(&text).unwrap())
    }

    fn dir(&self) -> &Path {
        self.host.dir.path()
    }

    /// Writes `text` as `name` in the directory; its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir().join(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `rjib check ARGS` on the host. The machine's /etc/sysctl.conf is
    /// never read: unless `args` name sysctl.conf files, an empty one is
    /// given with `-s` (every test also names its rc.conf with `-r`, and
    /// its jail.conf with `-f` or rc.conf's `jail_conf`).
    fn run(&self, via: &str, args: &[&str]) -> Output {
        self.command(via, args).output().unwrap()
    }

    /// The command `run` runs.
    fn command(&self, via: &str, args: &[&str]) -> std::process::Command {
        let empty = self.file("empty-sysctl.conf", "");
        let mut c = command(&self.host.path, via);
        c.arg("check");
        if !args.contains(&"-s") {
            c.args(["-s", p(&empty)]);
        }
        c.args(args);
        c
    }

    /// `check --libxo json` with `args`: exit status and the document.
    fn json(&self, via: &str, args: &[&str]) -> (i32, Value) {
        let mut argv = vec!["--libxo", "json"];
        argv.extend_from_slice(args);
        let o = self.run(via, &argv);
        let v: Value = serde_json::from_str(&stdout(&o))
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}{}", stdout(&o), stderr(&o)));
        (o.status.code().unwrap(), v)
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn codes(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn pairs(doc: &Value, jail: &str) -> Vec<Value> {
    doc["jails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == jail)
        .unwrap_or_else(|| panic!("no jail {jail} in {doc}"))["pairs"]
        .as_array()
        .unwrap()
        .clone()
}

const JAMULUS_A: &str = "02:a0:e2:0a:1b:2c";
const JAMULUS_B: &str = "0e:a0:e2:0a:1b:2c";

fn seed_setup_is_clean(via: &str) {
    let s = Setup::new(&seed());
    let rc = s.file(
        "rc.conf",
        &(readme_block("`/etc/rc.conf`:").join("\n") + "\n"),
    );
    let jc = s.file(
        "jail.conf",
        &(readme_block("`/etc/jail.conf`:").join("\n") + "\n"),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "{doc}");
    assert_eq!(doc["findings"], json!([]));
    assert_eq!(
        doc["jails"],
        json!([{"name": "jamulus", "pairs": [{
            "a": "e0a_jamulus", "b": "e0b_jamulus", "bridge": "vtnet0bridge",
            "parent": "vtnet0", "mac_a": JAMULUS_A, "mac_b": JAMULUS_B,
            "tagged": [], "untagged": null}]}])
    );
    // Plain text: nothing to say.
    let o = s.run(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(
        (o.status.code(), stdout(&o), stderr(&o)),
        (Some(0), String::new(), String::new())
    );
    // The README shows `rjib check -v` on this setup (run as shown, from
    // a clone, by tests/demo.rs): that is what it prints.
    let shown = readme_block("simulated demo host:");
    assert!(
        shown[0].starts_with("$ RJIB_NETSIM=") && shown[0].contains(" check -v "),
        "README's check example: {}",
        shown[0]
    );
    let o = s.run(via, &["-v", "-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        shown[1..].join("\n") + "\n",
        "README's `rjib check -v`"
    );
}

#[test]
fn seed_setup_is_clean_direct() {
    seed_setup_is_clean("direct");
}

#[test]
fn seed_setup_is_clean_ioctl() {
    seed_setup_is_clean("ioctl");
}

/// The man page's check example: its EXAMPLES jail (which calls rjib by
/// its full path), on its rc.conf and the seed host.
#[test]
fn man_page_check_example_is_what_rjib_prints() {
    let src = std::fs::read_to_string(MANPAGE).unwrap();
    let examples: Vec<&str> = src.lines().skip_while(|l| *l != ".Sh EXAMPLES").collect();
    let displays: Vec<Vec<String>> = {
        let mut out = Vec::new();
        let mut cur: Option<Vec<String>> = None;
        for l in &examples {
            if l.starts_with(".Bd -literal") {
                cur = Some(Vec::new());
            } else if l.starts_with(".Ed") {
                out.extend(cur.take());
            } else if let Some(c) = &mut cur {
                c.push(l.replace("\\e", "\\").replace("\\&", ""));
            }
        }
        out
    };
    let rc = displays
        .iter()
        .find(|d| d[0].starts_with("cloned_interfaces="))
        .expect("the EXAMPLES rc.conf");
    let jail = displays
        .iter()
        .find(|d| d[0] == "jamulus {")
        .expect("the EXAMPLES jail.conf");
    let shown = displays
        .iter()
        .find(|d| d[0] == "$ /usr/local/sbin/rjib check -v")
        .expect("the EXAMPLES check -v");
    let s = Setup::new(&seed());
    let rc = s.file("rc.conf", &(rc.join("\n") + "\n"));
    let jc = s.file("jail.conf", &(jail.join("\n") + "\n"));
    for via in VIAS {
        let o = s.run(via, &["-v", "-f", p(&jc), "-r", p(&rc)]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert_eq!(stdout(&o), shown[1..].join("\n") + "\n");
    }
}

/// Each code, from its own file in tests/data/check, alone.
fn one_file_per_code(via: &str) {
    let rc = Path::new(DATA).join("rc.conf");
    for code in Code::ALL {
        let name = code.as_str();
        // On the data host, or on `CODE.host.json` where the code needs
        // another host.
        let own = Path::new(DATA).join(format!("{name}.host.json"));
        let s = match std::fs::read_to_string(&own) {
            Ok(text) => Setup::new(&serde_json::from_str(&text).unwrap()),
            Err(_) => Setup::data_host(),
        };
        let file = Path::new(DATA).join(format!("{name}.conf"));
        let (status, doc) = s.json(via, &["-f", p(&file), "-r", p(&rc)]);
        assert_eq!(
            codes(&doc),
            BTreeSet::from([name.to_string()]),
            "{name}.conf: {doc:#}"
        );
        let want = if code.severity() == Severity::Error {
            1
        } else {
            0
        };
        assert_eq!(status, want, "{name}.conf: exit status");
        for f in doc["findings"].as_array().unwrap() {
            assert_eq!(f["file"], p(&file), "{f}");
            assert!(f["line"].as_u64().unwrap() > 1, "{f}");
            assert_eq!(f["severity"], code.severity().as_str());
            assert!(!f["message"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn one_file_per_code_direct() {
    one_file_per_code("direct");
}

#[test]
fn one_file_per_code_ioctl() {
    one_file_per_code("ioctl");
}

#[test]
fn every_code_is_documented() {
    let src = std::fs::read_to_string(MANPAGE).unwrap();
    for code in Code::ALL {
        let item = format!(".It Li {} Pq {}", code.as_str(), code.severity().as_str());
        assert!(src.contains(&item), "man/rjib.8 lacks `{item}`");
    }
}

#[test]
fn findings_say_where_and_what() {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let file = Path::new(DATA).join("mac-collision.conf");
    let o = s.run("direct", &["-f", p(&file), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        format!(
            "{f}:5: ca: error: addm ca: e0a_ca and e0b_ca would get 02:80:92:0a:1b:2c and 0e:80:92:0a:1b:2c, \
             the MACs of e0a_ab and e0b_ab (jail ab, {f}:5); give one of the jails another NAME, \
             or derive with -m sha256 in this addm [mac-collision]\n",
            f = p(&file)
        )
    );
    // sha256 really separates them, as the message says.
    let parent: Mac = "58:9c:fc:0a:1b:2c".parse().unwrap();
    assert_eq!(derive(parent, "ab", 0), derive(parent, "ca", 0));
    assert_ne!(
        derive_with(Scheme::Sha256, parent, "ab", 0),
        derive_with(Scheme::Sha256, parent, "ca", 0)
    );
    // Selecting either jail shows it; the other jail's predictions are left out.
    for (jail, other) in [("ca", "ab"), ("ab", "ca")] {
        let (status, doc) = s.json("direct", &["-f", p(&file), "-r", p(&rc), jail]);
        assert_eq!(status, 1);
        assert_eq!(codes(&doc), BTreeSet::from(["mac-collision".to_string()]));
        let names: Vec<&str> = doc["jails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [jail], "not {other}");
    }
}

fn wildcard_and_variables(via: &str) {
    let s = Setup::new(&seed());
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"vtnet0bridge\"\n",
    );
    let jc = s.file(
        "jail.conf",
        "$jib = \"/usr/share/examples/jails/jib\";\n\
         * {\n\
         \tvnet;\n\
         \tvnet.interface = \"e0b_$name\";\n\
         \texec.prestart += \"$jib addm $name vtnet0\";\n\
         \texec.poststop += \"${jib} destroy ${name}\";\n\
         }\n\
         alpha {}\nbeta {}\ngamma { path = \"/jails/$name\"; }\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "{doc:#}");
    assert_eq!(doc["findings"], json!([]));
    let parent: Mac = "58:9c:fc:0a:1b:2c".parse().unwrap();
    for name in ["alpha", "beta", "gamma"] {
        let m = derive(parent, name, 0);
        assert_eq!(
            pairs(&doc, name),
            vec![
                json!({"a": format!("e0a_{name}"), "b": format!("e0b_{name}"),
                        "bridge": "vtnet0bridge", "parent": "vtnet0",
                        "mac_a": m.a.to_string(), "mac_b": m.b.to_string(),
                        "tagged": [], "untagged": null})
            ],
            "{name}"
        );
    }
    // The wildcard's path-at-boot applies to each jail: a bare jib.
    let jc2 = s.file(
        "bare.conf",
        "* { vnet; vnet.interface = \"e0b_$name\"; exec.prestart += \"jib addm $name vtnet0\"; \
         exec.poststop += \"jib destroy $name\"; }\nalpha {}\nbeta {}\ngamma {}\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc2), "-r", p(&rc)]);
    assert_eq!(status, 1);
    let jails: BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "path-at-boot");
            assert!(
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains("/usr/share/examples/jails/jib")
            );
            f["jail"].as_str().unwrap()
        })
        .collect();
    assert_eq!(jails, BTreeSet::from(["alpha", "beta", "gamma"]));
}

#[test]
fn wildcard_and_variables_direct() {
    wildcard_and_variables("direct");
}

#[test]
fn wildcard_and_variables_ioctl() {
    wildcard_and_variables("ioctl");
}

fn include_tree(via: &str) {
    let s = Setup::new(&seed());
    let rc = s.file("rc.conf", "");
    let jc = s.file(
        "jail.conf",
        "exec.clean;\nvnet;\nvnet.interface = \"e0b_$name\";\n\
         exec.prestart += \"rjib addm $name vtnet0\";\n\
         .include \"jail.conf.d/*.conf\";\n",
    );
    s.file(
        "jail.conf.d/a.conf",
        "web { exec.poststop += \"rjib destroy web\"; }\n",
    );
    s.file(
        "jail.conf.d/b.conf",
        "# db has no destroy\n.include \"more/db.inc\";\n",
    );
    s.file("jail.conf.d/more/db.inc", "\n\ndb {\n\tpath = /j/db;\n}\n");
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "a warning only: {doc:#}");
    let names: Vec<&str> = doc["jails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "db"]);
    assert_eq!(pairs(&doc, "db")[0]["a"], "e0a_db");
    // The addm comes from jail.conf's line 4, whichever file holds the jail.
    assert_eq!(
        doc["findings"],
        json!([{"file": p(&jc), "line": 4, "jail": "db", "severity": "warning",
                "code": "no-destroy",
                "message": doc["findings"][0]["message"]}])
    );
    // A syntax error deep in the tree: exit 2, FILE:LINE:COL.
    s.file("jail.conf.d/more/db.inc", "db {\n\tpath = /j/db x;\n}\n");
    let o = s.run(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(2));
    let inc = s.dir().join("jail.conf.d/more/db.inc");
    assert!(
        stderr(&o).starts_with(&format!("rjib: {}:2:15: ", p(&inc))),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn include_tree_direct() {
    include_tree("direct");
}

#[test]
fn include_tree_ioctl() {
    include_tree("ioctl");
}

fn exit_statuses(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let data = |n: &str| Path::new(DATA).join(n);
    let status = |args: &[&str]| s.run(via, args).status.code().unwrap();
    let clean = s.file(
        "clean.conf",
        "web { vnet; vnet.interface = e0b_web; exec.prestart = \"/usr/local/sbin/rjib addm web vtnet0\"; \
         exec.poststop = \"/usr/local/sbin/rjib destroy web\"; }\n",
    );
    assert_eq!(status(&["-f", p(&clean), "-r", p(&rc)]), 0, "clean");
    assert_eq!(
        status(&["-f", p(&data("no-destroy.conf")), "-r", p(&rc)]),
        0,
        "warnings only"
    );
    assert_eq!(
        status(&["-f", p(&data("parent-missing.conf")), "-r", p(&rc)]),
        1,
        "an error"
    );
    let syntax = s.file("syntax.conf", "web {\n  path = \"/j;\n}\n");
    let o = s.run(via, &["-f", p(&syntax), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(2), "syntax error");
    assert!(
        stderr(&o).starts_with(&format!("rjib: {}:2:10: ", p(&syntax))),
        "{}",
        stderr(&o)
    );
    let o = s.run(via, &["-f", p(&s.dir().join("none.conf")), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(2), "unreadable jail.conf");
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: {}: No such file or directory\n",
            p(&s.dir().join("none.conf"))
        )
    );
    let badrc = s.file("rc.bad", "ifconfig_em0='inet 10.0.0.1/24\n");
    let o = s.run(via, &["-f", p(&clean), "-r", p(&badrc)]);
    assert_eq!(o.status.code(), Some(2), "rc.conf syntax error");
    assert_eq!(
        stderr(&o),
        format!(
            "rjib: {}:1:14: unterminated single-quoted string\n",
            p(&badrc)
        )
    );
    assert_eq!(
        status(&["-f", p(&clean), "-r", p(&s.dir().join("no.rc"))]),
        2,
        "unreadable rc.conf"
    );
    assert_eq!(
        status(&["-f", p(&clean), "-r", p(&rc), "--libxo", "xml"]),
        2,
        "bad --libxo"
    );
    assert_eq!(
        status(&["-f", p(&clean), "-r", p(&rc), "nojail"]),
        2,
        "unknown jail"
    );
    assert_eq!(status(&["-q"]), 2, "usage error");
}

#[test]
fn exit_statuses_direct() {
    exit_statuses("direct");
}

#[test]
fn exit_statuses_ioctl() {
    exit_statuses("ioctl");
}

/// check changes nothing, takes no lock, needs no root and lists the host
/// once.
fn read_only(via: &str) {
    let mut host = seed();
    host["euid"] = json!(1001);
    let s = Setup::new(&host);
    let before = s.host.bytes();
    let file = Path::new(DATA).join("mac-collision.conf");
    let rc = Path::new(DATA).join("rc.conf");
    let o = s.run(via, &["-v", "-f", p(&file), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(s.host.bytes(), before, "the host file is byte-identical");
    assert!(!s.dir().join("host.json.lock").exists(), "no lock taken");
    let sel = Selection {
        netsim: Some(s.host.path.clone().into()),
        via: Some(via.into()),
    };
    let empty = s.file("empty-sysctl.conf", "");
    let argv: Vec<std::ffi::OsString> = ["rjib", "check", "-f", p(&file), "-r", p(&rc)]
        .iter()
        .chain(&["-s", p(&empty)])
        .map(Into::into)
        .collect();
    let c = main_counted(&argv, &sel);
    assert_eq!(c.status, 1);
    let calls: Vec<(&str, u32)> = c.calls.0.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        calls,
        [("list", 1), ("sysctl", 1)],
        "one listing, one policy read, nothing else"
    );
    assert_eq!(s.host.bytes(), before);
}

#[test]
fn read_only_direct() {
    read_only("direct");
}

#[test]
fn read_only_ioctl() {
    read_only("ioctl");
}

/// Interfaces rc.conf creates: found, their MACs derived when they can be
/// and said to be unpredictable when not, and their addresses refused.
fn rc_conf_interfaces(via: &str) {
    let s = Setup::data_host();
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0 tap0\"\n\
         ifconfig_bridge0_name=\"vtnet0bridge\"\n\
         vlans_em1=\"7\"\n\
         ifconfig_em3=\"DHCP\"\n",
    );
    let jc = s.file(
        "jail.conf",
        "exec.clean;\nvnet;\nexec.poststop += \"rjib destroy $name\";\n\
         v { vnet.interface = e0b_v; exec.prestart += \"rjib addm v em1.7\"; }\n\
         t { vnet.interface = e0b_t; exec.prestart += \"rjib addm t tap0\"; }\n\
         d { vnet.interface = e0b_d; exec.prestart += \"rjib addm -b br d em3\"; }\n\
         w { vnet.interface = e0b_w, e1b_w; exec.prestart += \"rjib addm w em1 em1.7\"; }\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 1);
    let em1: Mac = "00:25:90:ab:cd:f0".parse().unwrap();
    // em1.7 is created at boot with em1's MAC: derived, as addm will.
    let m = derive(em1, "v", 0);
    assert_eq!(pairs(&doc, "v")[0]["mac_a"], m.a.to_string());
    assert_eq!(pairs(&doc, "v")[0]["mac_b"], m.b.to_string());
    // tap0 has no MAC before boot: not guessed.
    assert_eq!(pairs(&doc, "t")[0]["mac_a"], Value::Null);
    assert_eq!(pairs(&doc, "t")[0]["parent"], "tap0");
    let by_jail = |j: &str| -> Vec<Value> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["jail"] == j)
            .cloned()
            .collect()
    };
    assert!(
        by_jail("v").is_empty() && by_jail("t").is_empty(),
        "{doc:#}"
    );
    // em3 gets a DHCP address at boot; on 15 the new em3br refuses it.
    let d = by_jail("d");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "member-has-address");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("ifconfig_em3=\"DHCP\""),
        "{}",
        d[0]["message"]
    );
    // em1 and its vlan em1.7 share a MAC: neither a name nor sha256 helps.
    let w = by_jail("w");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["code"], "mac-collision");
    let msg = w[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("em1 and em1.7 have the same MAC address 00:25:90:ab:cd:f0"),
        "{msg}"
    );
    assert!(msg.contains("neither another NAME nor -m sha256"), "{msg}");
    assert!(msg.contains("!em1.7"), "{msg}");
    // -v says why tap0's pair has no MAC.
    let o = s.run(via, &["-v", "-f", p(&jc), "-r", p(&rc), "t"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("\n  e0a_t           unpredictable  tap0bridge  tap0\n"),
        "{out}"
    );
    let notes = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        notes.contains(
            "e0a_t, e0b_t: the MAC cannot be predicted: tap0 is created at boot (cloned_interfaces,"
        ),
        "{out}"
    );
    for l in out.lines() {
        assert!(l.len() <= 80, "{l}");
    }
}

#[test]
fn rc_conf_interfaces_direct() {
    rc_conf_interfaces("direct");
}

#[test]
fn rc_conf_interfaces_ioctl() {
    rc_conf_interfaces("ioctl");
}

/// A running jail's own epairs are no collision; another jail that would
/// get their MACs is, once.
fn running_jail(via: &str) {
    let parent: Mac = "58:9c:fc:0a:1b:2c".parse().unwrap();
    let m = derive(parent, "ab", 0);
    let mut host = seed();
    let ifs = host["interfaces"].as_array_mut().unwrap();
    ifs[2]["members"] = json!(["e0a_ab"]);
    let mut a = ether("e0a_ab", 4, &m.a.to_string());
    a["cloner"] = json!("epair");
    a["unit"] = json!(0);
    a["peer"] = json!("e0b_ab");
    a["groups"] = json!(["epair"]);
    let mut b = ether("e0b_ab", 5, &m.b.to_string());
    b["cloner"] = json!("epair");
    b["unit"] = json!(0);
    b["peer"] = json!("e0a_ab");
    b["groups"] = json!(["epair"]);
    ifs.push(a);
    ifs.push(b);
    let s = Setup::new(&host);
    let rc = Path::new(DATA).join("rc.conf");
    let file = Path::new(DATA).join("mac-collision.conf");
    let (status, doc) = s.json(via, &["-f", p(&file), "-r", p(&rc), "ab"]);
    assert_eq!(
        (status, codes(&doc)),
        (1, BTreeSet::from(["mac-collision".to_string()]))
    );
    let (_, doc) = s.json(via, &["-f", p(&file), "-r", p(&rc)]);
    let f = doc["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["jail"], "ca");
    // Alone, ab is clean: its epairs are its own.
    let solo = s.file(
        "ab.conf",
        "ab { exec.clean; vnet; vnet.interface = e0b_ab; exec.prestart = \"rjib addm ab vtnet0\"; \
         exec.poststop = \"rjib destroy ab\"; }\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&solo), "-r", p(&rc)]);
    assert_eq!((status, doc["findings"].clone()), (0, json!([])));
    assert_eq!(pairs(&doc, "ab")[0]["mac_a"], m.a.to_string());
}

#[test]
fn running_jail_direct() {
    running_jail("direct");
}

#[test]
fn running_jail_ioctl() {
    running_jail("ioctl");
}

/// Without -f, the jail.conf rc.conf names in jail_conf.
#[test]
fn jail_conf_from_rc_conf() {
    let s = Setup::new(&seed());
    let jc = s.file(
        "my-jail.conf",
        "x { exec.clean; vnet; vnet.interface = e0b_x; exec.prestart = \"rjib addm x vtnet0\"; }\n",
    );
    let rc = s.file("rc.conf", &format!("jail_conf=\"{}\"\n", p(&jc)));
    // Without -f, rc.d/jail's /etc/jail.conf.d/*.conf are read too: from
    // an empty /etc, not the machine's.
    let Some(o) = in_private_etc(&s.command("direct", &["-r", p(&rc)]), ETC_EMPTY) else {
        return;
    };
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("{}:1: x: warning: ", p(&jc))),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------------------
// Issue 14: check's items D4, D5, D8, D9, D12, D13 and part 4, each on both
// paths.

/// A jail with nothing to say about it, but for `body` added to its block.
/// One jail that gets its network from `rjib addm NAME CMD` (full path,
/// as boot needs), and gives it back with `rjib destroy NAME`.
fn jail(name: &str, cmd: &str) -> String {
    format!(
        "{name} {{ vnet; vnet.interface = \"e0b_{name}\"; \
         exec.prestart += \"/usr/local/sbin/rjib addm {name} {cmd}\"; \
         exec.poststop += \"/usr/local/sbin/rjib destroy {name}\"; }}\n"
    )
}

/// The seed host as a FreeBSD 15 host file of version 3, with `more`
/// interfaces after its own.
fn seed15(more: impl IntoIterator<Item = Value>) -> Value {
    let mut host = seed();
    host["version"] = json!(3);
    host["release"] = json!(15);
    host["interfaces"].as_array_mut().unwrap().extend(more);
    host
}

fn clean_jail(body: &str) -> String {
    format!(
        "exec.clean;\nweb {{\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
         \texec.prestart += \"rjib addm web vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n{body}}}\n"
    )
}

/// The findings as (line, jail, code, message).
fn findings(doc: &Value) -> Vec<(u64, String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["jail"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// D4: 30,000 nested blocks are an ordinary error naming file and line
/// (jail(8)'s parser refuses them too, "yacc stack overflow"), exit 2.
fn deep_nesting(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let n = 30_000;
    let jc = s.file("deep.conf", &("a {\n".repeat(n) + &"}\n".repeat(n)));
    let o = s.run(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!(
            "rjib: {}:3333:3: blocks nest deeper than 3332 levels in this file",
            p(&jc)
        )),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("yacc stack overflow"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // Review 13, F6: the limit is per file; 2,000 levels around an
    // `.include` of 2,000 more are jail(8)'s to read.
    let n = 2000;
    let outer = s.file(
        "outer.conf",
        &("a {".repeat(n) + "\n.include \"inner.conf\";\n" + &"}".repeat(n) + "\n"),
    );
    s.file("inner.conf", &("b {".repeat(n) + &"}".repeat(n) + "\n"));
    let o = s.run(via, &["-f", p(&outer), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn deep_nesting_direct() {
    deep_nesting("direct");
}

#[test]
fn deep_nesting_ioctl() {
    deep_nesting("ioctl");
}

/// D5: check reads regular files only (no device, FIFO or directory,
/// however named: -f, -r, -s or .include), each up to 64 MiB; anything else
/// is refused at once, exit 2.
fn only_regular_files(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.file("jail.conf", &clean_jail(""));
    let fifo = s.dir().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|st| st.success()), "mkfifo(1)");
    let big = s.dir().join("big.conf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let inc = s.file("inc.conf", ".include \"/dev/zero\";\n");
    let dir = s.dir().to_path_buf();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["-f", "/dev/zero", "-r", p(&rc)],
            "rjib: /dev/zero: not a regular file\n".into(),
        ),
        (
            vec!["-f", p(&fifo), "-r", p(&rc)],
            format!("rjib: {}: not a regular file\n", p(&fifo)),
        ),
        (
            vec!["-f", p(&dir), "-r", p(&rc)],
            format!("rjib: {}: not a regular file\n", p(&dir)),
        ),
        (
            vec!["-f", p(&big), "-r", p(&rc)],
            format!(
                "rjib: {}: larger than 64 MiB, the most rjib reads\n",
                p(&big)
            ),
        ),
        (
            vec!["-f", p(&inc), "-r", p(&rc)],
            format!(
                "rjib: {}:1:10: .include /dev/zero: not a regular file\n",
                p(&inc)
            ),
        ),
        (
            vec!["-f", p(&jc), "-r", "/dev/zero"],
            "rjib: /dev/zero: not a regular file\n".into(),
        ),
        (
            vec!["-f", p(&jc), "-r", p(&fifo)],
            format!("rjib: {}: not a regular file\n", p(&fifo)),
        ),
        (
            vec!["-f", p(&jc), "-r", p(&rc), "-s", "/dev/zero"],
            "rjib: /dev/zero: not a regular file\n".into(),
        ),
        (
            vec!["-f", p(&jc), "-r", p(&rc), "-s", p(&fifo)],
            format!("rjib: {}: not a regular file\n", p(&fifo)),
        ),
        // Review 13, S4: two newcomer habits, refused as rjib(8) says.
        (
            vec!["-f", p(&jc), "-r", p(&rc), "-s", "/dev/null"],
            "rjib: /dev/null: not a regular file\n".into(),
        ),
        (
            vec!["-f", "-", "-r", p(&rc)],
            "rjib: -: No such file or directory\n".into(),
        ),
    ];
    let man = std::fs::read_to_string(MANPAGE).unwrap();
    for said in [
        "it takes no\n.Ql -\nfor standard input",
        ".Pa /dev/null\nis refused; for none, give an empty file.",
    ] {
        assert!(man.contains(said), "rjib(8) says: {said}");
    }
    for (args, want) in cases {
        let t = std::time::Instant::now();
        let o = s.run(via, &args);
        assert_eq!(
            (o.status.code(), stderr(&o), stdout(&o)),
            (Some(2), want, String::new()),
            "{args:?}"
        );
        assert!(t.elapsed().as_secs() < 20, "{args:?}: {:?}", t.elapsed());
    }
    // The regular file itself is fine.
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!((status, doc["findings"].clone()), (0, json!([])));
}

#[test]
fn only_regular_files_direct() {
    only_regular_files("direct");
}

#[test]
fn only_regular_files_ioctl() {
    only_regular_files("ioctl");
}

/// D8: an addm that jail(8) does not wait for or never runs before
/// vnet.interface is moved, one finding each (command.c `run_command`:
/// only a lone trailing `&` after no other metacharacter runs without sh;
/// jail.c `startcommands`: exec.poststart comes after vnet.interface).
fn addm_not_waited_for(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let with_prestart = |prestart: &str| {
        format!(
            "exec.clean;\nweb {{\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
             \texec.prestart += \"{prestart}\";\n\texec.poststop += \"rjib destroy web\";\n}}\n"
        )
    };
    for (prestart, needle) in [
        (
            "rjib addm web vtnet0 & ",
            "/bin/sh runs it in the background",
        ),
        (
            "echo start; rjib addm web vtnet0 &",
            "/bin/sh runs it in the background",
        ),
        (
            "(rjib addm web vtnet0) &",
            "/bin/sh runs it in the background",
        ),
        ("rjib addm web vtnet0 &", "the trailing & makes jail(8)"),
        // Review 13, F8: behind a program that runs it.
        (
            "nohup /usr/local/sbin/rjib addm web vtnet0 &",
            "the trailing & makes jail(8)",
        ),
        (
            "/usr/sbin/daemon -f /usr/local/sbin/rjib addm web vtnet0",
            "daemon(8) runs it detached",
        ),
        (
            "env PATH=/usr/local/sbin rjib addm web vtnet0 &",
            "the trailing & makes jail(8)",
        ),
        (
            "echo start; exec rjib addm web vtnet0 & ",
            "/bin/sh runs it",
        ),
    ] {
        let jc = s.file("bg.conf", &with_prestart(prestart));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{prestart}: {doc:#}");
        assert_eq!((f[0].0, f[0].2.as_str()), (5, "command-line"), "{prestart}");
        assert!(f[0].3.contains(needle), "{prestart}: {}", f[0].3);
        assert!(f[0].3.contains("remove the &"), "{}", f[0].3);
        assert_eq!(status, 1);
    }
    // In the foreground of its list: waited for, nothing to say.
    for prestart in [
        "echo a & rjib addm web vtnet0",
        "rjib addm web vtnet0 2>&1 >/dev/null",
        "nohup rjib addm web vtnet0",
        "env PATH=/usr/local/sbin rjib addm web vtnet0",
    ] {
        let jc = s.file("fg.conf", &with_prestart(prestart));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        assert_eq!(
            (status, doc["findings"].clone()),
            (0, json!([])),
            "{prestart}"
        );
    }
    // Review 13, F8: commands jail(8) or sh(1) cannot run at all, which
    // name an addm: a finding, and no addm.
    for (prestart, needle) in [
        (
            "rjib addm web vtnet0 &&",
            "/bin/sh cannot run \"rjib addm web vtnet0 &&\": no command after \"&&\"",
        ),
        ("rjib addm web vtnet0 ||", "no command after \"||\""),
        (
            "PATH=/usr/local/sbin rjib addm web vtnet0",
            "executes \"PATH=/usr/local/sbin\" as the program, which fails",
        ),
    ] {
        let jc = s.file("cannot.conf", &with_prestart(prestart));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{prestart}: {doc:#}");
        assert_eq!((f[0].0, f[0].2.as_str()), (5, "command-line"), "{prestart}");
        assert!(f[0].3.contains(needle), "{prestart}: {}", f[0].3);
        assert_eq!(status, 1);
        assert_eq!(
            pairs(&doc, "web"),
            Vec::<Value>::new(),
            "{prestart}: no addm"
        );
    }
    // In a hook that runs after vnet.interface, inside the jail, or at stop.
    for hook in [
        "exec.poststart",
        "exec.start",
        "command",
        "exec.prestop",
        "exec.stop",
        "exec.poststop",
    ] {
        let jc = s.file(
            "hook.conf",
            &format!(
                "exec.clean;\nweb {{\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
                 \t{hook} += \"rjib addm web vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n}}\n"
            ),
        );
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{hook}: {doc:#}");
        assert_eq!(f[0].2, "command-line", "{hook}");
        assert!(
            f[0].3
                .starts_with(&format!("addm web is in {hook}: jail(8) ")),
            "{}",
            f[0].3
        );
        assert!(f[0].3.ends_with("move it to exec.prestart"), "{}", f[0].3);
        // Review 13, S5: each hook's own reason (exec.stop runs at stop).
        let when = match hook {
            "exec.start" | "command" => "inside the jail, not on the host, after vnet.interface",
            "exec.stop" => "inside the jail when the jail stops",
            "exec.poststart" => "only after moving vnet.interface",
            _ => "when the jail stops",
        };
        assert!(f[0].3.contains(when), "{hook}: {}", f[0].3);
        assert_eq!(status, 1);
    }
    // exec.start runs inside the jail, with the jail's PATH: no
    // path-at-boot for it, only the hook.
    let jc = s.file(
        "start.conf",
        "web {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
         \texec.start += \"rjib addm web vtnet0\";\n\
         \texec.poststop += \"/usr/local/sbin/rjib destroy web\";\n}\n",
    );
    let (_, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let codes: Vec<String> = findings(&doc).into_iter().map(|f| f.2).collect();
    assert_eq!(codes, ["command-line"], "{doc:#}");
    // Replaced by a later wildcard block's `=` (config.c `load_config`
    // applies it after the jail's own block): the addm never runs.
    let jc = s.file(
        "replaced.conf",
        "exec.clean;\nweb {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
         \texec.prestart += \"rjib addm $name vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n}\n\
         * {\n\texec.prestart = \"logger starting\";\n}\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0].0, f[0].2.as_str()), (5, "command-line"));
    assert_eq!(
        f[0].3,
        format!(
            "exec.prestart = at {}:9 replaces \"rjib addm ${{name}} vtnet0\", so jail(8) never runs \
             this addm for this jail; write += there, or set it where this jail's addm comes after it",
            p(&jc)
        )
    );
    assert_eq!(status, 1);
    // Replaced in the jail's own block: meant, nothing to say (the jail
    // has no addm, so no vnet checks either).
    let jc = s.file(
        "own.conf",
        "exec.clean;\n* { exec.prestart = \"rjib addm $name vtnet0\"; }\n\
         web {\n\tvnet;\n\texec.prestart = \"logger web\";\n}\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!((status, doc["findings"].clone()), (0, json!([])));
    // A replacement that is itself an addm is meant: nothing to say.
    let jc = s.file(
        "override.conf",
        "exec.clean;\n* { exec.prestart = \"rjib addm $name vtnet0\"; }\n\
         web {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
         \texec.prestart = \"rjib addm web vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n}\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!((status, doc["findings"].clone()), (0, json!([])));
}

#[test]
fn addm_not_waited_for_direct() {
    addm_not_waited_for("direct");
}

#[test]
fn addm_not_waited_for_ioctl() {
    addm_not_waited_for("ioctl");
}

/// D9: jail(8) hands `vnet` to libjail as a jailsys value
/// (`jailparam_import`): `new` (any case) or 1 make a VNET jail, and
/// jail(8) moves vnet.interface whatever vnet is (`command.c`
/// `next_command`); `true` is refused, so jail(8) does not create the jail.
fn vnet_new(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    for vnet in ["vnet = \"new\";", "vnet = NEW;", "vnet = 1;", "vnet;"] {
        let jc = s.file("new.conf", &clean_jail("").replace("vnet;", vnet));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        assert_eq!((status, doc["findings"].clone()), (0, json!([])), "{vnet}");
        assert_eq!(pairs(&doc, "web")[0]["b"], "e0b_web");
    }
    for (vnet, code, needle) in [
        (
            "vnet = true;",
            "jail-conf",
            "jail(8) will not create this jail: vnet: unknown jailsys value \"true\"",
        ),
        (
            "novnet;",
            "jail-conf",
            "jail(8) will not create this jail: unknown parameter: novnet",
        ),
        (
            "vnet = inherit;",
            "vnet-interface-missing",
            "vnet = inherit: the jail shares the host's network stack",
        ),
        (
            "vnet = 2;",
            "vnet-interface-missing",
            "vnet = 2: the jail shares the host's network stack",
        ),
        // Review 13, W6: kern_jail_set takes only new and inherit for
        // vnet: disable (0) and any other number are EINVAL.
        (
            "vnet = disable;",
            "jail-conf",
            "jail(8) will not create this jail: vnet = disable: the kernel refuses it",
        ),
        (
            "vnet = 0;",
            "jail-conf",
            "jail(8) will not create this jail: vnet = 0: the kernel refuses it",
        ),
        (
            "vnet = 3;",
            "jail-conf",
            "jail(8) will not create this jail: vnet = 3: the kernel refuses it",
        ),
        (
            "vnet = -1;",
            "jail-conf",
            "jail(8) will not create this jail: vnet = -1: the kernel refuses it",
        ),
    ] {
        let jc = s.file("vnet.conf", &clean_jail("").replace("vnet;", vnet));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{vnet}: {doc:#}");
        assert_eq!((f[0].0, f[0].2.as_str()), (3, code), "{vnet}");
        assert!(f[0].3.starts_with(needle), "{vnet}: {}", f[0].3);
        assert_eq!(status, 1);
    }
}

#[test]
fn vnet_new_direct() {
    vnet_new("direct");
}

#[test]
fn vnet_new_ioctl() {
    vnet_new("ioctl");
}

/// D12: control characters from jail.conf (a jail's name, a command) are
/// escaped in every line check prints, as in rjib's other messages.
fn control_characters_escaped(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.file(
        "esc.conf",
        "exec.clean;\n\"web\\033[2J\" {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
         \texec.prestart += \"rjib addm web vtnet0\";\n\
         \texec.prestart += \"rjib addm -q\\033[31m web vtnet0\";\n}\n",
    );
    let o = s.run(via, &["-v", "-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.contains(&format!(
            "{}:5: web\\x1b[2J: warning: no exec.poststop runs `destroy web`",
            p(&jc)
        )),
        "{out}"
    );
    assert!(out.contains("-q\\x1b[31m web vtnet0"), "{out}");
    assert!(out.contains("\nweb\\x1b[2J\n"), "the -v table: {out}");
    // JSON: every text escaped the same way, names and messages alike.
    let (_, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(doc["jails"][0]["name"], "web\\x1b[2J");
    // Selecting the jail by its name still finds it.
    let (_, sel) = s.json(via, &["-f", p(&jc), "-r", p(&rc), "web\u{1b}[2J"]);
    assert_eq!(sel["jails"].as_array().unwrap().len(), 1);
    assert_eq!(sel["findings"], doc["findings"]);
    // Review 13, F5: a message, a pair's parent and bridge, from a
    // command's argument, are escaped in JSON as the name is.
    let jc = s.file(
        "esc2.conf",
        "\"q\" { vnet; vnet.interface = \"e0b_q\"; \
         exec.prestart += \"/usr/local/sbin/rjib addm q em\\033[1m\"; \
         exec.poststop += \"/usr/local/sbin/rjib destroy q\"; }\n\
         \"e\\033[31m\" { vnet; }\n",
    );
    let o = s.run(via, &["--libxo", "json", "-f", p(&jc), "-r", p(&rc)]);
    assert!(!stdout(&o).contains("\\u001b"), "{}", stdout(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let texts = [
        &doc["findings"][0]["message"],
        &doc["jails"][0]["pairs"][0]["parent"],
        &doc["jails"][0]["pairs"][0]["bridge"],
        &doc["jails"][1]["name"],
    ];
    for t in texts {
        let t = t.as_str().unwrap();
        assert!(t.contains("\\x1b["), "{via}: {t:?}");
        assert!(!t.contains(|c: char| c.is_control()), "{via}: {t:?}");
    }
}

/// Review 13, F7: jails named on the command line are bytes, as jail.conf
/// names are: a name that is not UTF-8 selects its jail, one in no file is
/// exit 2 with a message about a jail (not an interface), and so is a
/// `--libxo` that is not UTF-8.
fn jail_arguments_are_bytes(via: &str) {
    use std::os::unix::ffi::OsStrExt;
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.file(
        "bytes.conf",
        &(clean_jail("").replace("web {", "\"w\\377b\" {") + &clean_jail("").replace("web", "db")),
    );
    let run = |extra: &[u8]| {
        let mut c = s.command(via, &["--libxo", "json", "-f", p(&jc), "-r", p(&rc)]);
        c.arg(std::ffi::OsStr::from_bytes(extra));
        c.output().unwrap()
    };
    let o = run(b"w\xffb");
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = doc["jails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["w\\xffb"], "{via}");
    // As check shows it, too.
    let o = run(b"w\\xffb");
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    let o = run(b"\xff");
    assert_eq!(o.status.code(), Some(2), "{via}");
    assert_eq!(
        stderr(&o),
        "rjib: \"\\xff\": no such jail in the files read\n",
        "{via}"
    );
    let mut c = s.command(via, &["-f", p(&jc), "-r", p(&rc), "--libxo"]);
    c.arg(std::ffi::OsStr::from_bytes(b"j\xffson"));
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{via}");
    assert!(
        stderr(&o).ends_with("rjib: --libxo \"j\\xffson\": not valid UTF-8\n"),
        "{via}: {}",
        stderr(&o)
    );
}

#[test]
fn jail_arguments_are_bytes_direct() {
    jail_arguments_are_bytes("direct");
}

#[test]
fn jail_arguments_are_bytes_ioctl() {
    jail_arguments_are_bytes("ioctl");
}

#[test]
fn control_characters_escaped_direct() {
    control_characters_escaped("direct");
}

#[test]
fn control_characters_escaped_ioctl() {
    control_characters_escaped("ioctl");
}

/// D13: one finding per cause. An undefined variable in an addm is
/// jail(8)'s problem only (config.c: the reference expands to nothing and
/// the jail is not created), not also a usage error; a pair whose two
/// ends collide with another jail's epair on the host is one finding.
fn one_finding_per_cause(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.file(
        "undef.conf",
        &clean_jail("").replace("rjib addm web vtnet0", "rjib addm $nope vtnet0"),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(
        (f[0].0, f[0].2.as_str(), f[0].3.as_str()),
        (
            5,
            "jail-conf",
            "jail(8) will not create this jail: exec.prestart: variable \"nope\" not found"
        )
    );
    assert_eq!(status, 1);
    // Review 13, F3: the same in vnet.interface and in exec.poststop: one
    // jail-conf finding, no missing or empty interface name, no
    // missing destroy.
    for (param, from, to, line) in [
        (
            "vnet.interface",
            "vnet.interface = \"e0b_web\"",
            "vnet.interface = \"$nope\"",
            4,
        ),
        (
            "vnet.interface",
            "vnet.interface = \"e0b_web\"",
            "vnet.interface = \"e0b_web\", \"e0b_$nope\"",
            4,
        ),
        ("exec.poststop", "rjib destroy web", "rjib destroy $nope", 6),
    ] {
        let jc = s.file("undef.conf", &clean_jail("").replace(from, to));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{via} {to}: {doc:#}");
        assert_eq!(
            (f[0].0, f[0].2.as_str(), f[0].3.as_str()),
            (
                line,
                "jail-conf",
                &*format!(
                    "jail(8) will not create this jail: {param}: variable \"nope\" not found"
                )
            ),
            "{via} {to}"
        );
        assert_eq!(status, 1);
    }
    // ab's epair runs on the host; ca's MACs are ab's (sum): one line.
    let parent: Mac = "58:9c:fc:0a:1b:2c".parse().unwrap();
    let m = derive(parent, "ab", 0);
    let mut host = seed();
    let ifs = host["interfaces"].as_array_mut().unwrap();
    for (name, peer, idx, mac) in [("e0a_ab", "e0b_ab", 4, m.a), ("e0b_ab", "e0a_ab", 5, m.b)] {
        let mut e = ether(name, idx, &mac.to_string());
        e["cloner"] = json!("epair");
        e["unit"] = json!(0);
        e["peer"] = json!(peer);
        e["groups"] = json!(["epair"]);
        ifs.push(e);
    }
    let s = Setup::new(&host);
    let jc = s.file("ca.conf", &clean_jail("").replace("web", "ca"));
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0].2, "mac-collision");
    assert!(
        f[0].3
            .contains("already used by e0a_ab on this host and e0b_ab on this host"),
        "{}",
        f[0].3
    );
    assert_eq!(status, 1);
}

#[test]
fn one_finding_per_cause_direct() {
    one_finding_per_cause("direct");
}

#[test]
fn one_finding_per_cause_ioctl() {
    one_finding_per_cause("ioctl");
}

/// Part 4 through check: names are bytes, shown escaped; a byte >= 0x80
/// outside quotes between statements ends jail(8)'s input on amd64
/// (jaillex.l line 145 `<_>.` returns it as a negative char, byacc takes
/// it as the end and accepts), so the jails after it do not exist: an
/// error finding, and those jails are neither checked nor predicted.
fn jail_conf_bytes(via: &str) {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.dir().join("bytes.conf");
    let mut text = clean_jail("")
        .replace("web {", "\"w\\xe9b\" {")
        .into_bytes();
    text.extend_from_slice(b"\xff\nlost { exec.prestart += \"rjib addm lost nosuch0\"; }\n");
    std::fs::write(&jc, &text).unwrap();
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let names: Vec<&str> = doc["jails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["w\\xe9b"]);
    let f = findings(&doc);
    assert_eq!(f.len(), 2, "{doc:#}");
    // The NAME web is not the jail's name, which is compared as bytes.
    assert_eq!(
        (f[0].0, f[0].1.as_str(), f[0].2.as_str()),
        (5, "w\\xe9b", "name-differs")
    );
    assert!(
        f[0].3.contains("is not the jail's name w\\xe9b"),
        "{}",
        f[0].3
    );
    let f = &f[1..];
    assert_eq!(
        (f[0].0, f[0].1.as_str(), f[0].2.as_str()),
        (8, "*", "jail-conf")
    );
    assert_eq!(
        f[0].3,
        "the byte \\xff outside quotes ends jail(8)'s input on amd64 (on arm64 it is a syntax \
         error that refuses the file): jail(8) stops reading here; jails after line 8 are not defined"
    );
    assert_eq!(status, 1);
    // A name that is not UTF-8 is selected as check shows it; the finding
    // about the file concerns every jail, so it stays.
    let (_, sel) = s.json(via, &["-f", p(&jc), "-r", p(&rc), "w\\xe9b"]);
    assert_eq!(sel["findings"], doc["findings"]);
    assert_eq!(sel["jails"], doc["jails"]);
    let o = s.run(via, &["-f", p(&jc), "-r", p(&rc), "lost"]);
    assert_eq!(o.status.code(), Some(2), "lost is not defined");
}

#[test]
fn jail_conf_bytes_direct() {
    jail_conf_bytes("direct");
}

#[test]
fn jail_conf_bytes_ioctl() {
    jail_conf_bytes("ioctl");
}
/// `member-has-address`, by what the kernel and sysctl.conf(5) say (issue
/// 13): a warning where FreeBSD 15 takes such a member (at 1, and
/// predicted from its default when if_bridge is not loaded), an error where
/// it refuses (the sysctl reads 0, sysctl.conf sets 0, FreeBSD 16).
fn member_has_address_by_kernel_and_sysctl_conf(via: &str) {
    let jail = "exec.clean;\nweb {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
                \texec.prestart += \"rjib addm web em0\";\n\
                \texec.poststop += \"rjib destroy web\";\n}\n";
    let rc_text = "ifconfig_em0=\"inet 192.0.2.7/24\"\n";
    // em0 has no address yet: rc.conf gives it one at boot.
    let host = |release: u32, more: Value| {
        let em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
        let mut h = with(seed(), json!({"version": 2, "release": release}));
        h["interfaces"].as_array_mut().unwrap().push(em0);
        with(h, more)
    };
    let at1 = json!({"sysctl": {"net.link.bridge.member_ifaddrs": 1}});
    let at0 = json!({"sysctl": {"net.link.bridge.member_ifaddrs": 0}});
    let unloaded = json!({"modules": ["if_epair"]});
    // (host, sysctl.conf, severity, what the message says about why)
    let cases = [
        (
            host(15, json!({})),
            "",
            "warning",
            "(sysctl net.link.bridge.member_ifaddrs=1)",
        ),
        (
            host(15, at1.clone()),
            "",
            "warning",
            "(sysctl net.link.bridge.member_ifaddrs=1)",
        ),
        (
            host(15, unloaded.clone()),
            "",
            "warning",
            "(predicted: if_bridge is not loaded yet, and FreeBSD 15's \
             net.link.bridge.member_ifaddrs defaults to 1)",
        ),
        (
            host(15, at0.clone()),
            "",
            "error",
            "(sysctl net.link.bridge.member_ifaddrs=0)",
        ),
        // Review 13, W2: boot sets the 0 only if if_bridge is loaded before
        // rc.d/sysctl_lastload; here nothing in rc.conf loads it.
        (
            host(15, unloaded.clone()),
            "# jails\nnet.link.bridge.member_ifaddrs=0 # no addresses on members\n",
            "warning",
            "SYSCTL:2 sets net.link.bridge.member_ifaddrs=0, but nothing in rc.conf loads \
             if_bridge before the jails start",
        ),
        (
            host(15, at1.clone()),
            "net.link.bridge.member_ifaddrs=0\n",
            "warning",
            "SYSCTL:1 sets net.link.bridge.member_ifaddrs=0, but nothing in rc.conf loads \
             if_bridge before the jails start",
        ),
        // With kld_list="if_bridge", rc.d/kld loads it first.
        (
            host(15, unloaded.clone()),
            "KLD\nnet.link.bridge.member_ifaddrs=0\n",
            "error",
            "(net.link.bridge.member_ifaddrs=0 at SYSCTL:2, which boot sets once kld_list at RC:2 \
             has loaded if_bridge)",
        ),
        (
            host(15, at1.clone()),
            "KLD\nnet.link.bridge.member_ifaddrs=0\n",
            "error",
            "(net.link.bridge.member_ifaddrs=0 at SYSCTL:2, which boot sets once kld_list at RC:2 \
             has loaded if_bridge)",
        ),
        (
            host(15, at0.clone()),
            "net.link.bridge.member_ifaddrs=1\n",
            "error",
            "(sysctl net.link.bridge.member_ifaddrs=0)",
        ),
        (
            host(16, json!({})),
            "net.link.bridge.member_ifaddrs=1\n",
            "error",
            "(FreeBSD 16 has no sysctl net.link.bridge.member_ifaddrs and refuses them)",
        ),
    ];
    for (h, sysctl_conf, severity, why) in cases {
        let s = Setup::new(&h);
        let jc = s.file("jail.conf", jail);
        // "KLD" in the first line: rc.conf also loads if_bridge.
        let (sysctl_conf, rc_text) = match sysctl_conf.strip_prefix("KLD\n") {
            Some(rest) => (
                &*format!("# kld_list in rc.conf\n{rest}"),
                format!("{rc_text}kld_list=\"if_bridge\"\n"),
            ),
            None => (sysctl_conf, rc_text.to_string()),
        };
        let rc = s.file("rc.conf", &rc_text);
        let sc = s.file("sysctl.conf", sysctl_conf);
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc), "-s", p(&sc)]);
        let at = format!(
            "{via}: {} {} with {sysctl_conf:?}",
            h["release"], h["sysctl"]
        );
        let findings = doc["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{at}: {doc:#}");
        let f = &findings[0];
        assert_eq!(f["code"], "member-has-address", "{at}");
        assert_eq!(f["severity"], severity, "{at}");
        assert_eq!(status, if severity == "error" { 1 } else { 0 }, "{at}");
        let msg = f["message"].as_str().unwrap();
        let why = why.replace("SYSCTL", p(&sc)).replace("RC", p(&rc));
        assert!(msg.contains(&why), "{at}: {msg}");
        assert!(msg.contains("em0: has address 192.0.2.7/24"), "{at}: {msg}");
        assert!(msg.contains("rc.conf gives it at boot"), "{at}: {msg}");
        if severity == "warning" {
            assert!(msg.contains("FreeBSD 16 will refuse it"), "{at}: {msg}");
            // A warning does not stop the prediction.
            assert_eq!(pairs(&doc, "web")[0]["bridge"], "em0bridge", "{at}");
        }
    }
    // A sysctl.conf given that does not exist cannot be checked; the
    // default ones may be missing.
    let s = Setup::new(&host(15, json!({})));
    let jc = s.file("jail.conf", jail);
    let rc = s.file("rc.conf", rc_text);
    let o = s.run(
        via,
        &[
            "-f",
            p(&jc),
            "-r",
            p(&rc),
            "-s",
            p(&s.dir().join("nope.conf")),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{via}");
    assert!(
        stderr(&o).contains("nope.conf: No such file or directory"),
        "{}",
        stderr(&o)
    );
}

/// Review 13, F1: sysctl.conf(5) lines as sysctl(8)'s `parsefile` and
/// `parse` read them on FreeBSD 14 and 15 (rc.d/sysctl runs `sysctl -f`):
/// each of these sets net.link.bridge.member_ifaddrs to 0 (rc.conf creates
/// a bridge, so if_bridge is loaded when boot applies the file), and each
/// of the others sets nothing, leaving 15's default 1.
fn sysctl_conf_lines(via: &str) {
    let jail = "exec.clean;\nweb {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
                \texec.prestart += \"rjib addm web em0\";\n\
                \texec.poststop += \"rjib destroy web\";\n}\n";
    let rc_text = "cloned_interfaces=\"bridge0\"\nifconfig_em0=\"inet 192.0.2.7/24\"\n";
    let mut h = with(
        seed(),
        json!({"version": 2, "release": 15, "modules": ["if_epair"]}),
    );
    let em0 = ether("em0", 4, "00:25:90:ab:cd:ef");
    h["interfaces"].as_array_mut().unwrap().push(em0);
    let s = Setup::new(&h);
    let jc = s.file("jail.conf", jail);
    let rc = s.file("rc.conf", rc_text);
    for (line, severity) in [
        ("net.link.bridge.member_ifaddrs=0", "error"),
        ("net.link.bridge.member_ifaddrs = 0", "error"),
        ("net.link.bridge.member_ifaddrs: 0", "error"),
        ("net.link.bridge.member_ifaddrs=\"0\"", "error"),
        ("net.link.bridge.member_ifaddrs=0x0", "error"),
        ("net.link.bridge.member_ifaddrs=0#off", "error"),
        ("net.link.bridge.member_ifaddrs=256", "error"),
        (
            "  net.link.bridge.member_ifaddrs='0' # members without addresses",
            "error",
        ),
        ("net.link.bridge.member_ifaddrs=off", "warning"),
        ("net.link.bridge.member_ifaddrs=", "warning"),
        ("net.link.bridge.member_ifaddrs", "warning"),
        ("# net.link.bridge.member_ifaddrs=0", "warning"),
        ("net.link.bridge.member_ifaddrs=1", "warning"),
    ] {
        let sc = s.file("sysctl.conf", &format!("{line}\n"));
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc), "-s", p(&sc)]);
        let at = format!("{via}: {line:?}");
        let found: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "member-has-address")
            .collect();
        assert_eq!(found.len(), 1, "{at}: {doc:#}");
        assert_eq!(found[0]["severity"], severity, "{at}: {doc:#}");
        assert_eq!(status, i32::from(severity == "error"), "{at}");
        if severity == "error" {
            let why = format!(
                "(net.link.bridge.member_ifaddrs=0 at {}:1, which boot sets once \
                 cloned_interfaces' bridge0 at {}:1 has loaded if_bridge)",
                p(&sc),
                p(&rc)
            );
            let msg = found[0]["message"].as_str().unwrap();
            assert!(msg.contains(&why), "{at}: {msg}");
        }
    }
}

#[test]
fn sysctl_conf_lines_direct() {
    sysctl_conf_lines("direct");
}

#[test]
fn sysctl_conf_lines_ioctl() {
    sysctl_conf_lines("ioctl");
}

/// Review 13, W2: without -s, check reads the files boot applies: with
/// if_bridge in kld_list, rc.subr's load_kld applies
/// /etc/sysctl.kld.d/if_bridge.conf as it loads the module, then
/// rc.d/sysctl_lastload applies /etc/sysctl.conf, whose setting wins.
fn sysctl_kld_d(via: &str) {
    let jail = "exec.clean;\nweb {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
                \texec.prestart += \"rjib addm web em0\";\n\
                \texec.poststop += \"rjib destroy web\";\n}\n";
    let mut h = with(
        seed(),
        json!({"version": 2, "release": 15, "modules": ["if_epair"]}),
    );
    h["interfaces"]
        .as_array_mut()
        .unwrap()
        .push(ether("em0", 4, "00:25:90:ab:cd:ef"));
    let s = Setup::new(&h);
    let jc = s.file("jail.conf", jail);
    let rc = s.file(
        "rc.conf",
        "ifconfig_em0=\"inet 192.0.2.7/24\"\nkld_list=\"if_bridge\"\n",
    );
    let kld = "mkdir /etc/sysctl.kld.d && \
               echo net.link.bridge.member_ifaddrs=0 > /etc/sysctl.kld.d/if_bridge.conf";
    for (etc, severity, why) in [
        (
            kld.to_string(),
            "error",
            "(net.link.bridge.member_ifaddrs=0 at /etc/sysctl.kld.d/if_bridge.conf:1, which boot \
             sets once kld_list",
        ),
        (
            format!("{kld} && echo net.link.bridge.member_ifaddrs=1 > /etc/sysctl.conf"),
            "warning",
            "(net.link.bridge.member_ifaddrs=1 at /etc/sysctl.conf:1, which boot sets once kld_list",
        ),
    ] {
        let mut c = command(&s.host.path, via);
        c.args(["check", "--libxo", "json", "-f", p(&jc), "-r", p(&rc)]);
        let Some(o) = in_private_etc(&c, &etc) else {
            return;
        };
        let doc: Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| panic!("{}", stderr(&o)));
        let f = &doc["findings"][0];
        assert_eq!(f["code"], "member-has-address", "{via}: {doc:#}");
        assert_eq!(f["severity"], severity, "{via}: {doc:#}");
        let msg = f["message"].as_str().unwrap();
        assert!(msg.contains(why), "{via}: {msg}");
    }
}

#[test]
fn sysctl_kld_d_direct() {
    sysctl_kld_d("direct");
}

#[test]
fn sysctl_kld_d_ioctl() {
    sysctl_kld_d("ioctl");
}

#[test]
fn member_has_address_by_kernel_and_sysctl_conf_direct() {
    member_has_address_by_kernel_and_sysctl_conf("direct");
}

#[test]
fn member_has_address_by_kernel_and_sysctl_conf_ioctl() {
    member_has_address_by_kernel_and_sysctl_conf("ioctl");
}

/// An address DHCP gives at boot is judged the same way: a warning at
/// FreeBSD 15's default, an error at 0.
#[test]
fn a_dhcp_parent_is_warned_or_refused_by_the_same_rule() {
    let jail = "exec.clean;\nweb {\n\tvnet;\n\tvnet.interface = \"e0b_web\";\n\
                \texec.prestart += \"rjib addm web em9\";\n\
                \texec.poststop += \"rjib destroy web\";\n}\n";
    for via in VIAS {
        for (sysctl, severity) in [(1, "warning"), (0, "error")] {
            let mut h = with(
                seed(),
                json!({"version": 2, "release": 15,
                       "sysctl": {"net.link.bridge.member_ifaddrs": sysctl}}),
            );
            h["interfaces"]
                .as_array_mut()
                .unwrap()
                .push(ether("em9", 4, "00:25:90:ab:cd:09"));
            let s = Setup::new(&h);
            let jc = s.file("jail.conf", jail);
            let rc = s.file("rc.conf", "ifconfig_em9=\"SYNCDHCP\"\n");
            let sc = s.file("sysctl.conf", "");
            let (_, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc), "-s", p(&sc)]);
            let f = &doc["findings"][0];
            assert_eq!(f["code"], "member-has-address", "{via} {sysctl}: {doc:#}");
            assert_eq!(f["severity"], severity, "{via} {sysctl}");
            let msg = f["message"].as_str().unwrap();
            assert!(msg.contains("em9: gets an address at boot"), "{msg}");
            assert!(
                msg.contains(&format!("net.link.bridge.member_ifaddrs={sysctl}")),
                "{msg}"
            );
        }
    }
}

/// The findings of `check` on `conf` (the data host, its rc.conf): each as
/// (line, jail, code, message).
fn findings_of(via: &str, conf: &str) -> Vec<(u64, String, String, String)> {
    let s = Setup::data_host();
    let rc = Path::new(DATA).join("rc.conf");
    let jc = s.file("jail.conf", conf);
    let (_, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["jail"].as_str().unwrap_or_default().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Review of issue 14, 13: name-differs is not said for a NAME two jails
/// share (for neither of them: it would promise that there is no jail
/// NAME to look up), and a NAME that is another jail's name is as
/// dangerous as a shared one: duplicate-name, an error.
fn no_false_assurance(via: &str) {
    let conf = "exec.clean;\nvnet;\n\
                www {\n\tvnet.interface = \"e0b_web\";\n\texec.prestart += \"rjib addm web vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n}\n\
                web {\n\tvnet.interface = \"e0b_web\";\n\texec.prestart += \"rjib addm web vtnet0\";\n\texec.poststop += \"rjib destroy web\";\n}\n";
    let f = findings_of(via, conf);
    assert!(f.iter().all(|x| x.2 != "name-differs"), "{via}: {f:#?}");
    assert!(f.iter().any(|x| x.2 == "duplicate-name"), "{via}: {f:#?}");
    let conf = "exec.clean;\nvnet;\n\
                a {\n\tvnet.interface = \"e0b_b\";\n\texec.prestart += \"rjib addm b vtnet0\";\n\texec.poststop += \"rjib destroy b\";\n}\n\
                b {\n\tvnet.interface = \"e0b_bb\";\n\texec.prestart += \"rjib addm bb vtnet0\";\n\texec.poststop += \"rjib destroy bb\";\n}\n";
    let f = findings_of(via, conf);
    let a: Vec<_> = f.iter().filter(|x| x.1 == "a").collect();
    assert_eq!(a.len(), 1, "{via}: {f:#?}");
    assert_eq!(a[0].2, "duplicate-name", "{via}");
    assert!(
        a[0].3
            .starts_with("addm b: the rjib NAME b is the name of another jail, b (")
            && a[0].3.contains(
                "jail.conf:8): prune and stale-pair handling go by jail b, so while it is dying \
                 they would prune or replace a's pair e0a_b as stale"
            ),
        "{via}: {}",
        a[0].3
    );
    let b: Vec<_> = f.iter().filter(|x| x.1 == "b").collect();
    assert_eq!(b.len(), 1, "{via}: {f:#?}");
    assert_eq!(b[0].2, "name-differs", "{via}: bb is no jail's name");
}

#[test]
fn no_false_assurance_direct() {
    no_false_assurance("direct");
}

#[test]
fn no_false_assurance_ioctl() {
    no_false_assurance("ioctl");
}

/// Review of issue 14, 10: `prune $name` in exec.prepare fails for a jail
/// whose name is no rjib NAME, and jail(8) then does not start it; the
/// finding says so and names the NAME to give.
fn prune_of_a_jail_name(via: &str) {
    let conf = "exec.clean;\nvnet;\n\
                nextcloud-prod {\n\tvnet.interface = \"e0b_nc\";\n\texec.prepare += \"/usr/local/sbin/rjib prune $name\";\n\texec.prestart += \"rjib addm nc vtnet0\";\n\texec.poststop += \"rjib destroy nc\";\n}\n\
                nc2 {\n\tvnet.interface = \"e0b_nc2\";\n\texec.prepare += \"/usr/local/sbin/rjib prune $name\";\n\texec.prestart += \"rjib addm nc2 vtnet0\";\n\texec.poststop += \"rjib destroy nc2\";\n}\n";
    let f = findings_of(via, conf);
    let prune: Vec<_> = f.iter().filter(|x| x.3.contains("prune")).collect();
    assert_eq!(prune.len(), 2, "{via}: {f:#?}");
    assert_eq!(
        (prune[0].0, prune[0].2.as_str(), prune[0].3.as_str()),
        (
            5,
            "name-charset",
            "exec.prepare: /usr/local/sbin/rjib prune nextcloud-prod: \"nextcloud-prod\" is not an \
             rjib NAME (jib accepts letters, digits and _ only), so prune fails and jail(8) does not \
             start the jail; give the rjib NAME of this jail's addm (rjib prune nc)"
        ),
        "{via}"
    );
    assert_eq!(prune[1].2, "name-differs", "{via}: nc2's prune is right");
}

#[test]
fn prune_of_a_jail_name_direct() {
    prune_of_a_jail_name("direct");
}

#[test]
fn prune_of_a_jail_name_ioctl() {
    prune_of_a_jail_name("ioctl");
}

/// VLANs at boot: what rc.conf's bridge line says (vlanfilter,
/// defuntagged, addm IF tagged SET), what an earlier jail's addm creates,
/// and the VLANs each host end is predicted to join.
fn vlans_at_boot(via: &str) {
    let host = seed15([
        ether("ix0", 9, "00:25:90:00:00:09"),
        ether("em1", 10, "00:25:90:00:00:0a"),
    ]);
    let s = Setup::new(&host);
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"ix0bridge\"\n\
         ifconfig_ix0bridge=\"vlanfilter defuntagged 0x07 addm ix0 tagged 10 tagged 20-21 up\"\n",
    );
    let jc = s.file(
        "jail.conf",
        &[
            jail("a", "ix0 untagged 10"),
            jail("b", "ix0"),
            jail("c", "em1 tagged 30"),
            jail("d", "em1 untagged 31 tagged 30"),
            jail("e", "ix0 untagged 11"),
        ]
        .concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let pair = |j: &str| pairs(&doc, j)[0].clone();
    // rc.conf: ix0 carries 10, 20, 21 (both tagged words count); new
    // members get 7 (ifconfig reads defuntagged in base 0).
    assert_eq!(
        (pair("a")["untagged"].clone(), pair("a")["tagged"].clone()),
        (json!(10), json!([]))
    );
    assert_eq!(pair("b")["untagged"], 7, "{doc:#}");
    // c creates em1bridge for VLAN 30; d needs 31 there too: rjib's own
    // bridge, so rjib adds it (info); e needs 11 on rc.conf's bridge: error.
    assert_eq!(pair("d")["tagged"], json!([30]));
    let findings = doc["findings"].as_array().unwrap();
    let f = |jail: &str| findings.iter().find(|f| f["jail"] == jail).cloned();
    let d = f("d").expect("a finding for d");
    assert_eq!(
        (d["code"].as_str(), d["severity"].as_str()),
        (Some("vlan-uplink-missing"), Some("info"))
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("rjib adds it (ifconfig em1bridge +iftagged em1 31)"),
        "{d}"
    );
    let e = f("e").expect("a finding for e");
    assert_eq!(
        (e["code"].as_str(), e["severity"].as_str()),
        (Some("vlan-uplink-missing"), Some("error"))
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("ifconfig ix0bridge +iftagged ix0 11"),
        "{e}"
    );
    assert_eq!(findings.len(), 2, "{doc:#}");
    assert_eq!(status, 1);
    // The text: info lines say so, -v notes each end's VLANs.
    let o = s.run(via, &["-v", "-f", p(&jc), "-r", p(&rc)]);
    let text = stdout(&o);
    assert!(
        text.contains(": d: info: addm d: em1 does not carry VLAN 31"),
        "{text}"
    );
    assert!(
        text.contains("note: e0a_b joins ix0bridge in VLANs untagged 7"),
        "{text}"
    );
}

#[test]
fn vlans_at_boot_direct() {
    vlans_at_boot("direct");
}

#[test]
fn vlans_at_boot_ioctl() {
    vlans_at_boot("ioctl");
}

/// A bridge rc.conf does not set up is checked as the host has it now:
/// its flags and the uplink's tagged set are read from the host, once
/// each, and only for jails with VLANs on it.
fn vlans_of_a_host_bridge(via: &str) {
    let mut ix0 = ether("ix0", 9, "00:25:90:00:00:09");
    ix0["tagged"] = json!([10]);
    let mut br = bridge("ix0bridge", 10, 5, &["ix0"]);
    br["vlanfilter"] = json!(true);
    let host = seed15([ix0, br]);
    let s = Setup::new(&host);
    let rc = s.file("rc.conf", "jail_enable=\"YES\"\n");
    let jc = s.file(
        "jail.conf",
        &[
            jail("a", "ix0 untagged 10"),
            jail("b", "ix0 untagged 10 tagged 30"),
        ]
        .concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc:#}");
    assert_eq!(findings[0]["jail"], "b");
    assert_eq!(findings[0]["code"], "vlan-uplink-missing");
    assert_eq!(status, 1);
    // One read of each fact, whatever the number of jails asking.
    let sel = Selection {
        netsim: Some(s.host.path.clone().into()),
        via: Some(via.into()),
    };
    let empty = s.file("empty-sysctl.conf", "");
    let argv: Vec<std::ffi::OsString> = ["rjib", "check", "-f", p(&jc), "-r", p(&rc)]
        .iter()
        .chain(&["-s", p(&empty)])
        .map(Into::into)
        .collect();
    let c = main_counted(&argv, &sel);
    assert_eq!(c.calls.0.get("bridgeflags-get"), Some(&1), "{:?}", c.calls);
    assert_eq!(c.calls.0.get("vlanset-get"), Some(&1), "{:?}", c.calls);
    assert_eq!(c.calls.0.get("description-get"), Some(&1), "{:?}", c.calls);
}

#[test]
fn vlans_of_a_host_bridge_direct() {
    vlans_of_a_host_bridge("direct");
}

#[test]
fn vlans_of_a_host_bridge_ioctl() {
    vlans_of_a_host_bridge("ioctl");
}

/// Review 13, T2: the tests of `check` read no file of the machine's
/// /etc (its sysctl.conf, rc.conf or jail.conf could change what they
/// find, and a FIFO there would hang or fail them): this file's tests
/// pass again with an /etc whose every default file is a FIFO
/// (`ETC_TRAPS`), which fails any run that reads one.
#[test]
fn no_test_reads_the_machines_etc() {
    if std::env::var_os("RJIB_TEST_PRIVATE_ETC").is_some() {
        return; // this is the run inside
    }
    let mut tests = std::process::Command::new(std::env::current_exe().unwrap());
    tests
        .args([
            "--test-threads=2",
            "--skip",
            "no_test_reads_the_machines_etc",
        ])
        .args(["--skip", "jail_conf_from_rc_conf", "--skip", "sysctl_kld_d"])
        .env("RJIB_TEST_PRIVATE_ETC", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    let Some(o) = in_private_etc(&tests, ETC_TRAPS) else {
        return;
    };
    assert!(
        o.status.success(),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("test result: ok."), "{}", stdout(&o));
}

/// The uplink's untagged VLAN counts as carried at boot too: rc.conf's
/// `addm ix0 untagged 0x1e tagged 10` (ifconfig reads 0x1e as 30) carries
/// 30 and 10; a host bridge's uplink with PVID 30 carries 30.
fn a_native_vlan_is_carried(via: &str) {
    let mut em1 = ether("em1", 10, "00:25:90:00:00:0a");
    em1["pvid"] = json!(40);
    let mut br = bridge("em1bridge", 11, 5, &["em1"]);
    br["vlanfilter"] = json!(true);
    let host = seed15([ether("ix0", 9, "00:25:90:00:00:09"), em1, br]);
    let s = Setup::new(&host);
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"ix0bridge\"\n\
         ifconfig_ix0bridge=\"vlanfilter addm ix0 untagged 0x1e tagged 10 up\"\n",
    );
    let jc = s.file(
        "jail.conf",
        &[
            jail("web", "ix0 untagged 30"),
            jail("r", "ix0 tagged 10,30"),
            jail("db", "em1 untagged 40"),
        ]
        .concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(doc["findings"], json!([]), "{via}: {doc:#}");
    assert_eq!(status, 0);
}

#[test]
fn a_native_vlan_is_carried_direct() {
    a_native_vlan_is_carried("direct");
}

#[test]
fn a_native_vlan_is_carried_ioctl() {
    a_native_vlan_is_carried("ioctl");
}

/// A jail whose epair asks only `tagged` keeps its bridge's default VLAN,
/// and check predicts it: on a host bridge (read from the host) and on
/// one rc.conf sets up.
fn tagged_only_keeps_the_default(via: &str) {
    let mut em1 = ether("em1", 10, "00:25:90:00:00:0a");
    em1["tagged"] = json!([10]);
    let mut br = bridge("em1bridge", 11, 5, &["em1"]);
    br["vlanfilter"] = json!(true);
    br["defpvid"] = json!(7);
    let host = seed15([ether("ix0", 9, "00:25:90:00:00:09"), em1, br]);
    let s = Setup::new(&host);
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"ix0bridge\"\n\
         ifconfig_ix0bridge=\"vlanfilter defuntagged 8 addm ix0 tagged 10 up\"\n",
    );
    let jc = s.file(
        "jail.conf",
        &[jail("a", "em1 tagged 10"), jail("b", "ix0 tagged 10")].concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "{doc:#}");
    let a = &pairs(&doc, "a")[0];
    assert_eq!(
        (a["untagged"].clone(), a["tagged"].clone()),
        (json!(7), json!([10])),
        "{via}: {doc:#}"
    );
    let b = &pairs(&doc, "b")[0];
    assert_eq!(
        (b["untagged"].clone(), b["tagged"].clone()),
        (json!(8), json!([10])),
        "{via}: {doc:#}"
    );
}

#[test]
fn tagged_only_keeps_the_default_direct() {
    tagged_only_keeps_the_default("direct");
}

#[test]
fn tagged_only_keeps_the_default_ioctl() {
    tagged_only_keeps_the_default("ioctl");
}

/// The host's address where a filtering bridge drops its untagged
/// frames: on the parent of a bridge addm would create filtering (given
/// by rc.conf, or by DHCP at boot), an error; on a filtering bridge that
/// exists, a warning.
fn host_address_and_filtering(via: &str) {
    let mut br = bridge("em2bridge", 12, 5, &[]);
    br["vlanfilter"] = json!(true);
    br["addrs"] = json!(["198.51.100.1/24"]);
    let host = seed15([
        ether("ix0", 9, "00:25:90:00:00:09"),
        ether("em1", 10, "00:25:90:00:00:0a"),
        ether("em2", 11, "00:25:90:00:00:0b"),
        br,
    ]);
    let s = Setup::new(&host);
    let rc = s.file(
        "rc.conf",
        "ifconfig_ix0=\"inet 192.0.2.9/24\"\nifconfig_em1=\"DHCP\"\n",
    );
    let jc = s.file(
        "jail.conf",
        &[
            jail("a", "ix0 untagged 20"),
            jail("b", "em1 tagged 30"),
            jail("c", "em2 untagged 40"),
        ]
        .concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 1);
    let got: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["jail"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |j: &str, sev: &str| {
        (
            j.to_string(),
            "vlan-host-address".to_string(),
            sev.to_string(),
        )
    };
    assert_eq!(
        got,
        [want("a", "error"), want("b", "error"), want("c", "warning")],
        "{via}: {doc:#}"
    );
    let msg = |k: usize| doc["findings"][k]["message"].as_str().unwrap().to_string();
    assert!(
        msg(0).contains("ix0: has address 192.0.2.9/24")
            && msg(0).contains("rc.conf gives it at boot"),
        "{}",
        msg(0)
    );
    assert!(
        msg(1).contains("em1: gets an address at boot (ifconfig_em1=\"DHCP\""),
        "{}",
        msg(1)
    );
    assert!(
        msg(2).contains("em2bridge: filters VLANs and holds 198.51.100.1/24 itself"),
        "{}",
        msg(2)
    );
}

#[test]
fn host_address_and_filtering_direct() {
    host_address_and_filtering("direct");
}

#[test]
fn host_address_and_filtering_ioctl() {
    host_address_and_filtering("ioctl");
}

/// check says what addm warns: a plain epair on a filtering bridge with
/// no defuntagged is in no VLAN and passes no traffic.
fn a_plain_epair_in_no_vlan(via: &str) {
    let host = seed15([ether("ix0", 9, "00:25:90:00:00:09")]);
    let s = Setup::new(&host);
    let rc = s.file(
        "rc.conf",
        "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"ix0bridge\"\n\
         ifconfig_ix0bridge=\"vlanfilter addm ix0 tagged 10,20 up\"\n",
    );
    let jc = s.file(
        "jail.conf",
        "plain { vnet; vnet.interface = \"e0b_plain\"; \
         exec.prestart += \"/usr/local/sbin/rjib addm plain ix0\"; \
         exec.poststop += \"/usr/local/sbin/rjib destroy plain\"; }\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "a warning: {doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["severity"].as_str()),
        (Some("vlan-none"), Some("warning")),
        "{via}: {doc:#}"
    );
    assert_eq!(
        f["message"],
        "addm plain: e0a_plain: joins the VLAN-filtering bridge ix0bridge in no VLAN (no untagged VID, \
         and the bridge has no defuntagged), so it will pass no traffic; give it one with ix0 untagged VID"
    );
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_plain_epair_in_no_vlan_direct() {
    a_plain_epair_in_no_vlan("direct");
}

#[test]
fn a_plain_epair_in_no_vlan_ioctl() {
    a_plain_epair_in_no_vlan("ioctl");
}

/// A VLAN word of rc.conf that ifconfig(8) refuses at boot: ifconfig stops
/// there (the words before it are done, the rest never is), and check
/// says so once, where rc.conf has it, instead of reading the set as
/// empty and blaming the uplink.
fn bad_vlan_words_in_rc_conf(via: &str) {
    let host = seed15([ether("ix0", 9, "00:25:90:00:00:09")]);
    let s = Setup::new(&host);
    let jc = s.file(
        "jail.conf",
        &[
            jail("web", "ix0 untagged 30"),
            jail("db", "ix0 untagged 30"),
        ]
        .concat(),
    );
    for (line, word, why) in [
        (
            "vlanfilter addm ix0 tagged 10,5000 up",
            "tagged 10,5000",
            "invalid vlan set: 10,5000",
        ),
        (
            "vlanfilter addm ix0 untagged 0 tagged 10 up",
            "untagged 0",
            "invalid VLAN identifier: 0",
        ),
        (
            "vlanfilter defuntagged 4095 addm ix0 tagged 10 up",
            "defuntagged 4095",
            "invalid vlan id: 4095",
        ),
        (
            "vlanfilter addm ix0 tagged",
            "tagged",
            "usage: tagged <vlan set>",
        ),
    ] {
        let rc = s.file(
            "rc.conf",
            &format!(
                "cloned_interfaces=\"bridge0\"\nifconfig_bridge0_name=\"ix0bridge\"\n\
                 ifconfig_ix0bridge=\"{line}\"\n"
            ),
        );
        let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
        assert_eq!(status, 1, "{line}");
        let findings = doc["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{via} {line}: {doc:#}");
        let f = &findings[0];
        assert_eq!(f["code"], "vlan-invalid", "{line}");
        assert_eq!(f["file"], p(&rc));
        assert_eq!(f["line"], 3);
        assert_eq!(
            f["message"].as_str().unwrap(),
            format!(
                "ifconfig_ix0bridge=\"{line}\": ifconfig(8) stops at `{word}` at boot ({why}): \
                 the words after it are not done"
            ),
            "{line}"
        );
    }
}

#[test]
fn bad_vlan_words_in_rc_conf_direct() {
    bad_vlan_words_in_rc_conf("direct");
}

#[test]
fn bad_vlan_words_in_rc_conf_ioctl() {
    bad_vlan_words_in_rc_conf("ioctl");
}

/// On a host bridge rjib made, the VLAN an earlier jail's addm adds to the
/// uplink is there for the jails after it: said once.
fn vlans_added_to_a_host_bridge(via: &str) {
    let mut ix0 = ether("ix0", 9, "00:25:90:00:00:09");
    ix0["tagged"] = json!([10]);
    let mut br = bridge("ix0bridge", 10, 5, &["ix0"]);
    br["vlanfilter"] = json!(true);
    br["description"] = json!("rjib: bridge for ix0");
    let host = seed15([ix0, br]);
    let s = Setup::new(&host);
    let rc = s.file("rc.conf", "jail_enable=\"YES\"\n");
    let jc = s.file(
        "jail.conf",
        &[
            jail("c", "ix0 untagged 30"),
            jail("d", "ix0 untagged 30"),
            jail("e", "ix0 tagged 30-31"),
        ]
        .concat(),
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0);
    let got: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["jail"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), 2, "{via}: {doc:#}");
    assert_eq!(got[0].0, "c");
    assert!(
        got[0].1.contains("does not carry VLAN 30 tagged"),
        "{got:?}"
    );
    assert_eq!(got[1].0, "e");
    assert!(
        got[1].1.contains("does not carry VLAN 31 tagged"),
        "{got:?}"
    );
}

#[test]
fn vlans_added_to_a_host_bridge_direct() {
    vlans_added_to_a_host_bridge("direct");
}

#[test]
fn vlans_added_to_a_host_bridge_ioctl() {
    vlans_added_to_a_host_bridge("ioctl");
}

/// A vlan(4) that rc.conf gives the uplink at boot takes its tagged
/// frames too: check warns as addm will.
fn a_vlan_of_the_uplink_at_boot(via: &str) {
    let host = seed15([ether("ix0", 9, "00:25:90:00:00:09")]);
    let s = Setup::new(&host);
    let rc = s.file("rc.conf", "vlans_ix0=\"100\"\n");
    let jc = s.file(
        "jail.conf",
        "web { vnet; vnet.interface = \"e0b_web\"; \
         exec.prestart += \"/usr/local/sbin/rjib addm web ix0 untagged 20\"; \
         exec.poststop += \"/usr/local/sbin/rjib destroy web\"; }\n",
    );
    let (status, doc) = s.json(via, &["-f", p(&jc), "-r", p(&rc)]);
    assert_eq!(status, 0, "{doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["severity"].as_str()),
        (Some("vlan-uplink-vlan"), Some("warning")),
        "{via}: {doc:#}"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("ix0: has vlan(4) interfaces of its own (ix0.100)"),
        "{f}"
    );
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc:#}");
}

#[test]
fn a_vlan_of_the_uplink_at_boot_direct() {
    a_vlan_of_the_uplink_at_boot("direct");
}

#[test]
fn a_vlan_of_the_uplink_at_boot_ioctl() {
    a_vlan_of_the_uplink_at_boot("ioctl");
}
