//! The recorded jib scenarios (tests/data/vectors.json), replayed through
//! the built binary: stdout, exit status and the host afterwards must be
//! jib's — except where rjib differs on purpose, which is pinned here.

mod common;

use common::*;
use serde_json::Value;

/// Steps where rjib deliberately leaves a different host than jib did.
/// (scenario, step): jib left half-built interfaces behind; rjib leaves the
/// host as it was before the step.
const LEAVES_HOST_UNCHANGED: &[(&str, usize)] = &[("bridge-suffix", 1)];

fn replay(via: &str) {
    let vs = vectors();
    assert_eq!(vs.len(), 11);
    let mut steps = 0;
    for v in &vs {
        let name = v["name"].as_str().unwrap();
        let h = HostFile::new(&v["host"]);
        let mut before = normalise(&v["host"]);
        for (k, step) in v["steps"].as_array().unwrap().iter().enumerate() {
            let argv: Vec<&str> = step["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            let out = h.run(via, &argv);
            let what = format!("{via} {name} step {k} {argv:?}");
            assert_eq!(
                stdout(&out),
                step["stdout"].as_str().unwrap(),
                "{what}: stdout"
            );
            assert_eq!(
                Value::from(out.status.code().unwrap()),
                step["exit"],
                "{what}: exit status (stderr: {})",
                stderr(&out)
            );
            let after = normalise(&h.read());
            let jib_after = normalise(&step["host_after"]);
            if LEAVES_HOST_UNCHANGED.contains(&(name, k)) {
                assert_ne!(jib_after, before, "{what}: jib changed the host here");
                assert_eq!(after, before, "{what}: rjib must leave the host as it was");
                assert!(
                    stderr(&out).starts_with("rjib: "),
                    "{what}: {}",
                    stderr(&out)
                );
                // Carry on from jib's host, so later steps replay as recorded.
                let mut jib_host = step["host_after"].clone();
                jib_host["version"] = 1.into();
                h.write(&jib_host);
                before = jib_after;
            } else {
                assert_eq!(after, jib_after, "{what}: host afterwards");
                before = after;
            }
            steps += 1;
        }
    }
    assert_eq!(steps, 42);
}

#[test]
fn replay_direct() {
    replay("direct");
}

#[test]
fn replay_via_ioctl_emulator() {
    replay("ioctl");
}

#[test]
fn usage_texts_on_stderr() {
    let h = HostFile::new(&seed());
    let o = h.run("direct", &[]);
    assert!(stderr(&o).starts_with("Usage: rjib action [arguments]\nActions:\n\taddm "));
    // jib's usage text as it is, then one line that says what a jail
    // name may hold (issue 9, defect 7).
    let o = h.run("direct", &["addm", "my-jail", "vtnet0"]);
    assert_eq!(
        stderr(&o),
        "Usage: rjib addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n\
         rjib: \"my-jail\": not a jail name; use one or more of the characters [0-9A-Za-z_]\n"
    );
    let o = h.run("direct", &["destroy", "x-y"]);
    assert_eq!(
        stderr(&o),
        "Usage: rjib destroy NAME\n\
         rjib: \"x-y\": not a jail name; use one or more of the characters [0-9A-Za-z_]\n"
    );
    // jib's usage text, then the line that names the problem (D14)
    let o = h.run("direct", &["destroy", "a", "b"]);
    assert_eq!(
        stderr(&o),
        "Usage: rjib destroy NAME\nrjib: \"b\": unexpected argument; destroy takes one NAME\n",
        "a is a jail name"
    );
    assert_eq!(stdout(&o), "\tDestroy e0b_NAME [e1b_NAME ...]\n", "jib's");
}

#[test]
fn not_root_message_and_nothing_changed() {
    let mut host = seed();
    host["euid"] = 1001.into();
    let h = HostFile::new(&host);
    let before = h.read();
    for args in [&["addm", "x", "vtnet0"][..], &["destroy", "x"]] {
        let o = h.run("direct", args);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(stderr(&o), "Must run as root!\n");
        assert_eq!(stdout(&o), "");
    }
    // Only the refusals' syslog records were added.
    let (after, log) = without_log(&h.read());
    assert_eq!(after, before);
    assert_eq!(
        log,
        vec![
            serde_json::json!({"priority": "err", "message": "addm x: refused: not root (uid 1001)"}),
            serde_json::json!({"priority": "err", "message": "destroy x: refused: not root (uid 1001)"}),
        ]
    );
    // (The simulation takes the lock after the refusal, only to add those
    // records to the file; a real host's syslog needs no lock.)
}
