//! `show` and `destroy` consider only epair ends (issue 9, defects 4 and
//! 9): an interface named like a host end that is no epair end (a bridge
//! made with `-b a_x` on a parent `e1`, a plain interface renamed
//! `e0a_z`) is neither listed nor destroyed, and the dry run of `destroy`
//! says what the real run does.

mod common;

use common::*;
use serde_json::{Value, json};

fn epair_end(name: &str, peer: &str, index: u32, unit: u32) -> Value {
    json!({"name": name, "index": index, "cloner": "epair", "unit": unit, "peer": peer,
           "ether": format!("02:00:00:00:{unit:02x}:0{}", &name[2..3]), "mtu": 1500,
           "up": true, "groups": ["epair"], "members": null, "description": null})
}

/// jail y on the bridge `e1a_x` (what `-b a_x` on parent e1 used to
/// make), and a plain interface named `e0a_z`.
fn start() -> Value {
    host(vec![
        ether("e1", 1, "00:25:90:00:00:01"),
        bridge("e1a_x", 2, 0, &["e1", "e0a_y"]),
        epair_end("e0a_y", "e0b_y", 3, 0),
        epair_end("e0b_y", "e0a_y", 4, 0),
        ether("e0a_z", 5, "00:25:90:00:00:05"),
    ])
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert_eq!(stderr(o), "");
    stdout(o)
}

fn only_epair_ends(via: &str) {
    let h = HostFile::new(&start());
    let before = h.bytes();
    assert_eq!(ok(&h.run(via, &["show"])), "y\n");
    for jail in ["x", "z"] {
        assert_eq!(ok(&h.run(via, &["show", jail])), "", "show {jail}");
        let json: Value =
            serde_json::from_str(&ok(&h.run(via, &["show", "--libxo", "json", jail]))).unwrap();
        assert_eq!(
            json["rjib-information"]["jail"][0]["epair"],
            json!([]),
            "show --libxo json {jail}"
        );
        // The dry run and the real run agree: nothing to destroy.
        assert_eq!(
            ok(&h.run(via, &["-n", "destroy", jail])),
            "",
            "-n destroy {jail}"
        );
        assert_eq!(ok(&h.run(via, &["destroy", jail])), "", "destroy {jail}");
        assert_eq!(h.bytes(), before, "destroy {jail} changed nothing");
    }
    // y's epair goes, the bridge named like a host end stays.
    assert_eq!(
        ok(&h.run(via, &["-n", "destroy", "y"])),
        "ifconfig e0a_y destroy\n"
    );
    assert_eq!(ok(&h.run(via, &["destroy", "y"])), "");
    let after = h.read();
    assert_eq!(names(&after), vec!["e0a_z", "e1", "e1a_x"]);
    assert_eq!(iface(&after, "e1a_x").unwrap()["members"], json!(["e1"]));
}

#[test]
fn only_epair_ends_direct() {
    only_epair_ends("direct");
}

#[test]
fn only_epair_ends_ioctl() {
    only_epair_ends("ioctl");
}
