//! The demo host shipped for the README: `rjib addm jamulus vtnet0` prints
//! the two ends and gives them jib's MACs.

mod common;

use std::path::Path;

use common::*;

#[test]
fn demo_host_addm_jamulus() {
    let demo = read_host(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo-host.json"
    )));
    assert_eq!(
        demo,
        seed(),
        "the demo host is the recorded seed host, its lo0 a loopback"
    );
    assert_eq!(iface(&demo, "lo0").unwrap()["type"], "loop");
    for via in VIAS {
        let h = HostFile::new(&demo);
        let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stdout(&o), "e0a_jamulus\ne0b_jamulus\n");
        let after = h.read();
        assert_eq!(
            iface(&after, "e0a_jamulus").unwrap()["ether"],
            "02:a0:e2:0a:1b:2c"
        );
        assert_eq!(
            iface(&after, "e0b_jamulus").unwrap()["ether"],
            "0e:a0:e2:0a:1b:2c"
        );
        assert_eq!(
            iface(&after, "vtnet0bridge").unwrap()["members"],
            serde_json::json!(["e0a_jamulus"])
        );
    }
}
