//! doc/netsim.md describes the host file format: its example is a host
//! rjib reads (both ways), and it names every interface type and fault
//! operation rjib accepts.

mod common;

use common::*;
use rjib::netsim::faults;
use rjib::netsim::state::KINDS;
use serde_json::{Value, json};

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/netsim.md")).unwrap()
}

/// The document's lines from the heading `## name` to the next `## `.
fn section(doc: &str, name: &str) -> String {
    let head = format!("## {name}");
    let mut lines = doc.lines().skip_while(|l| *l != head);
    assert!(lines.next().is_some(), "doc/netsim.md has no {head}");
    lines
        .take_while(|l| !l.starts_with("## "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first fenced ```json block after the heading `## name`.
fn json_block(doc: &str, name: &str) -> String {
    let s = section(doc, name);
    let body = s.split("```json\n").nth(1).expect("a json block");
    body.split("\n```").next().unwrap().to_string()
}

#[test]
fn the_example_is_a_host_rjib_reads() {
    let example: Value = serde_json::from_str(&json_block(&doc(), "An example")).unwrap();
    assert_eq!(example["version"], 2);
    for via in VIAS {
        let h = HostFile::new(&example);
        let o = h.run(via, &["show"]);
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stdout(&o), "www\n", "{via}");
        // The jail's end is in its vnet: not on the host.
        let o = h.run(via, &["show", "www", "--libxo", "json"]);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let e = &v["rjib-information"]["jail"][0]["epair"][0];
        assert_eq!(e["a"]["name"], "e0a_www", "{via}");
        assert_eq!(e["b"], Value::Null, "{via}");
        assert_eq!(e["parent"], "vtnet0", "{via}");
        // The MACs are the ones rjib derives for www on vtnet0.
        let mut fresh = example.clone();
        fresh["interfaces"] = json!([
            iface(&example, "lo0").unwrap(),
            iface(&example, "vtnet0").unwrap(),
            iface(&example, "vtnet0bridge").unwrap()
        ]);
        fresh["interfaces"][2]["members"] = json!([]);
        fresh["modules"] = json!(["if_bridge", "if_epair"]);
        let f = HostFile::new(&fresh);
        let o = f.run(via, &["addm", "www", "vtnet0"]);
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        let after = f.read();
        for end in ["e0a_www", "e0b_www"] {
            assert_eq!(
                iface(&after, end).unwrap()["ether"],
                iface(&example, end).unwrap()["ether"],
                "{via}: {end}"
            );
        }
    }
}

#[test]
fn every_interface_type_is_documented() {
    let table = section(&doc(), "Interfaces");
    let type_row = table
        .lines()
        .find(|l| l.starts_with("| `type` |"))
        .expect("a type row");
    for k in KINDS {
        assert!(
            type_row.contains(&format!("`{k}`")),
            "type {k} is not documented"
        );
    }
}

#[test]
fn the_documented_fault_ops_are_the_accepted_ones() {
    let faults_doc = section(&doc(), "Faults");
    let op_bullet = faults_doc
        .split("\n- ")
        .find(|b| b.starts_with("`op`"))
        .expect("an `op` bullet");
    let documented: Vec<&str> = op_bullet
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| !["op", "signal"].contains(w))
        .collect();
    // With an errno, or (a `list`) with a signal.
    let accepts = |op: &str| {
        ["errno", "signal"].iter().any(|k| {
            let effect = if *k == "errno" { "EIO" } else { "SIGINT" };
            let v = json!({"faults": [{"op": op, "nth": 1, *k: effect}]});
            faults::parse(v.as_object().unwrap()).is_ok()
        })
    };
    for op in &documented {
        assert!(accepts(op), "documented op {op} is refused");
    }
    // Every operation rjib has a name for, but lock, is a fault op.
    for op in [
        "list",
        "create",
        "rename",
        "up",
        "ether",
        "mtu",
        "addm",
        "destroy",
        "lock",
        "describe",
        "kldload",
        "pvid",
        "vlanset",
        "bridgeflags",
    ] {
        assert_eq!(
            accepts(op),
            documented.contains(&op),
            "{op}: accepted and documented differ"
        );
    }
    for signal in ["SIGINT", "SIGTERM", "SIGHUP"] {
        assert!(faults_doc.contains(signal), "{signal}");
    }
}
