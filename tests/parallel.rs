//! Parallel jail starts: 50 `rjib addm jK em0` at once on a host with no
//! bridge yet all succeed, share one em0bridge and get their derived MACs.

mod common;

use std::process::Stdio;

use common::*;
use rjib::jib::mac::derive;
use rjib::net::Mac;

fn fifty_at_once(via: &str) {
    let h = HostFile::new(&host(vec![ether("em0", 1, "00:25:90:ab:cd:ef")]));
    let children: Vec<_> = (0..50)
        .map(|k| {
            command(&h.path, via)
                .args(["addm", &format!("j{k}"), "em0"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut bridge_announced = 0;
    for (k, c) in children.into_iter().enumerate() {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "j{k}: {}", stderr(&o));
        let out = stdout(&o);
        if out.starts_with("em0bridge\n") {
            bridge_announced += 1;
        }
        assert!(
            out.ends_with(&format!("e0a_j{k}\ne0b_j{k}\n")),
            "j{k}: {out}"
        );
    }
    assert_eq!(bridge_announced, 1, "exactly one run created the bridge");
    let after = h.read();
    let bridges: Vec<_> = after["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["cloner"] == "bridge")
        .collect();
    assert_eq!(bridges.len(), 1);
    assert_eq!(bridges[0]["name"], "em0bridge");
    assert_eq!(bridges[0]["members"].as_array().unwrap().len(), 51);
    let parent: Mac = "00:25:90:ab:cd:ef".parse().unwrap();
    for k in 0..50 {
        let m = derive(parent, &format!("j{k}"), 0);
        assert_eq!(
            iface(&after, &format!("e0a_j{k}")).unwrap()["ether"],
            m.a.to_string()
        );
        assert_eq!(
            iface(&after, &format!("e0b_j{k}")).unwrap()["ether"],
            m.b.to_string()
        );
    }
    assert_eq!(names(&after).len(), 1 + 1 + 100);
}

#[test]
fn fifty_parallel_direct() {
    fifty_at_once("direct");
}

#[test]
fn fifty_parallel_ioctl() {
    fifty_at_once("ioctl");
}
