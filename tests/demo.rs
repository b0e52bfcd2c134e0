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

/// Issue 14, newcomer point: the README's `rjib check -v` runs as shown
/// from a fresh clone, on the demo host with the shipped seed files, and
/// prints what the README says; the shipped files are the README's.
#[test]
fn readme_check_command() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    for (title, file) in [
        ("`/etc/jail.conf`:", "examples/jail.conf"),
        ("`/etc/rc.conf`:", "examples/rc.conf"),
    ] {
        assert_eq!(
            std::fs::read_to_string(format!("{root}/{file}")).unwrap(),
            readme_block(title).join("\n") + "\n",
            "{file} is the README's seed setup"
        );
    }
    // `$ RJIB_NETSIM=HOST cargo run -q -- ARGS`, then the output lines.
    let (line, rest) = readme
        .split_once("    $ RJIB_NETSIM=")
        .expect("the README's check command")
        .1
        .split_once('\n')
        .unwrap();
    let (host, args) = line.split_once(" cargo run -q -- ").unwrap();
    let args: Vec<&str> = args.split_whitespace().collect();
    assert_eq!(args[..2], ["check", "-v"]);
    let want: String = rest
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap()))
        .collect();
    assert!(want.contains("e0b_jamulus"), "{want}");
    let demo = format!("{root}/{host}");
    let before = std::fs::read(&demo).unwrap();
    // It names every file it reads (`-f`, `-r`, `-s`): with an /etc whose
    // files are FIFOs, it prints the same.
    let mut private = Vec::new();
    for via in VIAS {
        let mut c = command(std::path::Path::new(host), via);
        c.current_dir(root).args(&args);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{via}");
        assert_eq!(stderr(&o), "", "{via}");
        private.extend(in_private_etc(&c, ETC_TRAPS).map(|o| (via, o)));
    }
    for (via, o) in private {
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{via}: without the machine's /etc");
    }
    assert_eq!(
        std::fs::read(&demo).unwrap(),
        before,
        "check changes nothing"
    );
}
