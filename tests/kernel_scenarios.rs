//! Whole commands on hosts the v2 kernel rules matter for, through the
//! built binary, both ways (directly and through the ioctl emulator):
//! module loading and its refusals, FreeBSD 15's bridge-member rules, a
//! stray epair end, span ports, and kldload faults.

mod common;

use common::*;
use serde_json::{Value, json};

/// The seed host (lo0, vtnet0, the NAT bridge vtnet0bridge) as a version 2
/// file for `release`.
fn seed_on(release: u32) -> Value {
    with(seed(), json!({"version": 2, "release": release}))
}

/// `seed_on(release)` and an Ethernet em0 (no bridge yet) with `addrs`.
fn with_em0(release: u32, addrs: &[&str]) -> Value {
    let mut h = seed_on(release);
    let em0 = with(
        ether("em0", 4, "00:25:90:ab:cd:ef"),
        json!({ "addrs": addrs }),
    );
    h["interfaces"].as_array_mut().unwrap().push(em0);
    h
}

fn add_ifs(mut h: Value, ifs: Vec<Value>) -> Value {
    h["interfaces"].as_array_mut().unwrap().extend(ifs);
    h
}

/// The refusal rjib prints when kldload(2) of `module` fails with `why`.
fn kldload_refusal(module: &str, cloner: &str, why: &str) -> String {
    format!(
        "rjib: kldload {module}: {why}; the {cloner} cloner needs it: load it on the host \
         (kldload {module}), or add kld_list=\"if_bridge if_epair\" to /etc/rc.conf\n"
    )
}

/// Run `args`, expect exit 1 with exactly `message` on stderr, nothing on
/// stdout, and the host file as it was but for the refusal's syslog
/// record, which is the message.
fn refused_untouched(via: &str, h: &HostFile, args: &[&str], message: &str) {
    let before = h.read();
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(1), "{via} {args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{via} {args:?}");
    assert_eq!(stderr(&o), message, "{via} {args:?}");
    assert_eq!(stderr(&o).lines().count(), 1, "{via}: one line");
    let (after, log) = without_log(&h.read());
    assert_eq!(
        after,
        without_log(&before).0,
        "{via} {args:?}: host untouched"
    );
    let logged = failure_record(args, message);
    assert_eq!(
        log.last(),
        Some(&json!({"priority": "err", "message": logged})),
        "{via} {args:?}: the refusal is logged"
    );
}

fn succeeds(via: &str, h: &HostFile, args: &[&str], out: &str) {
    let o = h.run(via, args);
    assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), out, "{via} {args:?}");
    assert_eq!(stderr(&o), "", "{via} {args:?}");
}

fn members(host: &Value, bridge: &str) -> Value {
    iface(host, bridge).unwrap()["members"].clone()
}

// ---------------------------------------------------------------------------
// Modules.

#[test]
fn addm_loads_the_epair_module_the_host_lacks() {
    for via in VIAS {
        for release in [14, 15] {
            let h = HostFile::new(&with(seed_on(release), json!({"modules": ["if_bridge"]})));
            succeeds(
                via,
                &h,
                &["addm", "jamulus", "vtnet0"],
                "e0a_jamulus\ne0b_jamulus\n",
            );
            let after = h.read();
            assert_eq!(after["modules"], json!(["if_bridge", "if_epair"]), "{via}");
            assert_eq!(members(&after, "vtnet0bridge"), json!(["e0a_jamulus"]));
        }
        // Neither loaded, and a new bridge: if_bridge first, as its
        // create comes first.
        let h = HostFile::new(&with(with_em0(14, &[]), json!({"modules": []})));
        succeeds(
            via,
            &h,
            &["addm", "www", "em0"],
            "em0bridge\ne0a_www\ne0b_www\n",
        );
        assert_eq!(
            h.read()["modules"],
            json!(["if_bridge", "if_epair"]),
            "{via}"
        );
    }
}

#[test]
fn in_a_jail_the_missing_module_is_refused_with_both_fixes() {
    for via in VIAS {
        let h = HostFile::new(&with(
            seed_on(14),
            json!({"modules": ["if_bridge"], "jailed": true}),
        ));
        refused_untouched(
            via,
            &h,
            &["addm", "jamulus", "vtnet0"],
            &kldload_refusal("if_epair", "epair", "Operation not permitted"),
        );
        let h = HostFile::new(&with(
            with_em0(15, &[]),
            json!({"modules": [], "jailed": true}),
        ));
        refused_untouched(
            via,
            &h,
            &["addm", "www", "em0"],
            &kldload_refusal("if_bridge", "bridge", "Operation not permitted"),
        );
    }
}

#[test]
fn the_dry_run_says_kldload_where_it_would_load() {
    for via in VIAS {
        let loaded = HostFile::new(&with(seed_on(14), json!({"euid": 1001})));
        let o = loaded.run(via, &["-n", "addm", "jamulus", "vtnet0"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let plain = stdout(&o);
        assert!(!plain.contains("kldload"), "{via}: {plain}");

        for jailed in [false, true] {
            let h = HostFile::new(&with(
                seed_on(14),
                json!({"euid": 1001, "modules": ["if_bridge"], "jailed": jailed}),
            ));
            let before = h.bytes();
            let o = h.run(via, &["-n", "addm", "jamulus", "vtnet0"]);
            assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
            assert_eq!(stdout(&o), format!("kldload if_epair\n{plain}"), "{via}");
            assert_eq!(h.bytes(), before, "{via}: the dry run changes nothing");
        }

        let h = HostFile::new(&with(
            with_em0(15, &[]),
            json!({"euid": 1001, "modules": []}),
        ));
        let o = h.run(via, &["-n", "addm", "www", "em0"]);
        let out = stdout(&o);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[..2],
            ["kldload if_bridge", "kldload if_epair"],
            "{via}: {out}"
        );
        assert_eq!(out.matches("kldload").count(), 2, "{via}: {out}");
    }
}

#[test]
fn kldload_failures_refuse_and_change_nothing() {
    for via in VIAS {
        for errno in ["EIO", "EPERM", "ENOENT"] {
            let h = HostFile::new(&with(
                seed_on(15),
                json!({"modules": ["if_bridge"],
                       "faults": [{"op": "kldload", "nth": 1, "errno": errno}]}),
            ));
            let why = match errno {
                "EIO" => "Input/output error",
                "EPERM" => "Operation not permitted",
                _ => "No such file or directory",
            };
            refused_untouched(
                via,
                &h,
                &["addm", "jamulus", "vtnet0"],
                &kldload_refusal("if_epair", "epair", why),
            );
        }
        // The second load fails: the first stays loaded (a module is never
        // unloaded), and no interface was made.
        let start = with(
            with_em0(14, &[]),
            json!({"modules": [], "faults": [{"op": "kldload", "nth": 2, "errno": "EIO"}]}),
        );
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "www", "em0"]);
        assert_eq!(o.status.code(), Some(1), "{via}");
        assert_eq!(stdout(&o), "", "{via}");
        assert_eq!(
            stderr(&o),
            kldload_refusal("if_epair", "epair", "Input/output error"),
            "{via}"
        );
        let after = h.read();
        assert_eq!(after["modules"], json!(["if_bridge"]), "{via}");
        assert_eq!(after["interfaces"], start["interfaces"], "{via}");
    }
}

#[test]
fn an_undo_never_unloads_a_module() {
    for via in VIAS {
        for release in [14, 15] {
            let start = with(
                seed_on(release),
                json!({"modules": ["if_bridge"],
                       "faults": [{"op": "addm", "nth": 1, "errno": "EIO"}]}),
            );
            let h = HostFile::new(&start);
            let o = h.run(via, &["addm", "jamulus", "vtnet0"]);
            assert_eq!(o.status.code(), Some(1), "{via}");
            assert_eq!(stdout(&o), "", "{via}");
            assert_eq!(
                stderr(&o),
                "rjib: vtnet0bridge: addm epair0a: Input/output error; nothing was changed (1 step(s) undone); if_epair stays loaded\n",
                "{via}"
            );
            let after = h.read();
            assert_eq!(after["modules"], json!(["if_bridge", "if_epair"]), "{via}");
            assert_eq!(
                timeless(&after)["interfaces"],
                start["interfaces"],
                "{via}: interfaces undone"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Bridge members with addresses (FreeBSD 15 bridge_ioctl_add).

#[test]
fn freebsd_15_refuses_an_addressed_parent_before_any_change() {
    let message = "rjib: em0: has address 192.0.2.10/24, and this kernel refuses bridge members \
                   with addresses (sysctl net.link.bridge.member_ifaddrs=0); move the address to \
                   the bridge em0bridge, set net.link.bridge.member_ifaddrs=1, or use a NAT \
                   bridge such as vtnet0bridge (see rjib(8))\n";
    for via in VIAS {
        // Modules missing too: the refusal comes before any load.
        let h = HostFile::new(&with(
            with_em0(15, &["192.0.2.10/24", "2001:db8::10/64"]),
            json!({"modules": []}),
        ));
        // vtnet0 first: nothing is built for it either.
        refused_untouched(via, &h, &["addm", "www", "vtnet0", "em0"], message);
        let o = h.run(via, &["-n", "addm", "www", "vtnet0", "em0"]);
        assert_eq!(o.status.code(), Some(1), "{via}");
        assert_eq!(stderr(&o), message, "{via}: -n refuses the same");
        // Only an IPv6 link-local: an address too.
        let h = HostFile::new(&with_em0(15, &["fe80::225:90ff:feab:cdef/64"]));
        refused_untouched(
            via,
            &h,
            &["addm", "www", "em0"],
            &message.replace("192.0.2.10/24", "fe80::225:90ff:feab:cdef/64"),
        );
    }
}

#[test]
fn member_ifaddrs_1_and_freebsd_14_take_an_addressed_parent() {
    let addrs = ["192.0.2.10/24", "2001:db8::10/64"];
    for via in VIAS {
        let hosts = [
            with(
                with_em0(15, &addrs),
                json!({"sysctl": {"net.link.bridge.member_ifaddrs": 1}}),
            ),
            with_em0(14, &addrs),
        ];
        for start in hosts {
            let h = HostFile::new(&start);
            succeeds(
                via,
                &h,
                &["addm", "www", "em0"],
                "em0bridge\ne0a_www\ne0b_www\n",
            );
            let after = h.read();
            assert_eq!(members(&after, "em0bridge"), json!(["em0", "e0a_www"]));
            assert_eq!(iface(&after, "em0").unwrap()["addrs"], json!(addrs));
        }
        // On 15, a parent already in its bridge is not added again:
        // nothing to refuse.
        let start = add_ifs(
            with_em0(15, &addrs),
            vec![bridge("em0bridge", 5, 1, &["em0"])],
        );
        let h = HostFile::new(&start);
        succeeds(via, &h, &["addm", "www", "em0"], "e0a_www\ne0b_www\n");
    }
}

#[test]
fn freebsd_15_refuses_a_vlan_of_a_bridge_before_any_change() {
    let vlan0 = with(
        ether("vlan0", 4, "58:9c:fc:10:00:00"),
        json!({"type": "l2vlan", "vlan_parent": "vtnet0bridge"}),
    );
    for via in VIAS {
        let h = HostFile::new(&add_ifs(seed_on(15), vec![vlan0.clone()]));
        refused_untouched(
            via,
            &h,
            &["addm", "x", "vlan0"],
            "rjib: vlan0: is a vlan of the bridge vtnet0bridge, and this kernel refuses such a \
             vlan as a member of vlan0bridge; bridge the vlan's parent instead, or use a NAT \
             bridge such as vtnet0bridge (see rjib(8))\n",
        );
        let h = HostFile::new(&add_ifs(seed_on(14), vec![vlan0.clone()]));
        succeeds(
            via,
            &h,
            &["addm", "x", "vlan0"],
            "vlan0bridge\ne0a_x\ne0b_x\n",
        );
    }
}

/// The planner learns the release from `kern.osreldate`; a host file that
/// says 14 there while the kernel plays 15 lets the kernel, not the plan,
/// refuse a vlan of a bridge. The error line carries FreeBSD 15's extended
/// error text, and the undo leaves the host as it was.
#[test]
fn a_kernel_refusal_carries_its_extended_error_text() {
    let vlan0 = with(
        ether("vlan0", 4, "58:9c:fc:10:00:00"),
        json!({"type": "l2vlan", "vlan_parent": "vtnet0bridge"}),
    );
    for via in VIAS {
        let start = with(
            add_ifs(seed_on(15), vec![vlan0.clone()]),
            json!({"sysctl": {"kern.osreldate": 1_403_000}}),
        );
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "x", "vlan0"]);
        assert_eq!(o.status.code(), Some(1), "{via}");
        assert_eq!(stdout(&o), "", "{via}");
        assert_eq!(
            stderr(&o),
            "rjib: bridge1: addm vlan0: Invalid argument (Bridge SVI cannot be added to a \
             bridge); nothing was changed (1 step(s) undone)\n",
            "{via}"
        );
        assert_eq!(without_log(&h.state()).0, start, "{via}: undone");
    }
}

// ---------------------------------------------------------------------------
// Epair units.

#[test]
fn a_stray_epair_end_does_not_stop_addm() {
    for via in VIAS {
        for release in [14, 15] {
            // The kernel picks unit 0 and refuses it (epair0b exists);
            // rjib asks for unit 1.
            let stray = ether("epair0b", 4, "02:00:00:00:00:0b");
            let h = HostFile::new(&add_ifs(seed_on(release), vec![stray.clone()]));
            succeeds(via, &h, &["addm", "web", "vtnet0"], "e0a_web\ne0b_web\n");
            let after = h.read();
            for end in ["e0a_web", "e0b_web"] {
                assert_eq!(iface(&after, end).unwrap()["unit"], 1, "{via}: {end}");
            }
            assert_eq!(iface(&after, "epair0b").unwrap(), &stray, "{via}");
            assert_eq!(members(&after, "vtnet0bridge"), json!(["e0a_web"]));

            // epair1a taken as well: unit 2.
            let h = HostFile::new(&add_ifs(
                seed_on(release),
                vec![stray.clone(), ether("epair1a", 5, "02:00:00:00:01:0a")],
            ));
            succeeds(via, &h, &["addm", "web", "vtnet0"], "e0a_web\ne0b_web\n");
            assert_eq!(iface(&h.read(), "e0a_web").unwrap()["unit"], 2, "{via}");
        }
    }
}

// ---------------------------------------------------------------------------
// Span ports.

fn epair_ends(a: &str, b: &str, unit: u32, index: u32) -> [Value; 2] {
    let end = |name: &str, peer: &str, index: u32, e: &str| {
        with(
            ether(name, index, &format!("02:00:00:00:{unit:02x}:{e}")),
            json!({"cloner": "epair", "unit": unit, "peer": peer, "groups": ["epair"]}),
        )
    };
    [end(a, b, index, "0a"), end(b, a, index + 1, "0b")]
}

/// The seed host, with jail web on vtnet0bridge, em0's bridge with jail
/// www, and span ports on both bridges: em1, and the host end of jail spy.
fn spanned(release: u32) -> Value {
    let mut ifs = vec![
        ether("em0", 4, "00:25:90:ab:cd:ef"),
        ether("em1", 5, "00:25:90:ab:cd:01"),
    ];
    ifs.extend(epair_ends("e0a_web", "e0b_web", 1, 6));
    ifs.extend(epair_ends("e0a_spy", "e0b_spy", 2, 8));
    ifs.extend(epair_ends("e0a_www", "e0b_www", 3, 10));
    ifs.push(with(
        bridge("em0bridge", 12, 1, &["em0", "e0a_www"]),
        json!({"spans": ["em1"]}),
    ));
    let mut h = add_ifs(seed_on(release), ifs);
    let br = iface_mut(&mut h, "vtnet0bridge").unwrap();
    br["members"] = json!(["e0a_web"]);
    br["spans"] = json!(["e0a_spy"]);
    h
}

#[test]
fn span_ports_are_not_members() {
    for via in VIAS {
        for release in [14, 15] {
            let h = HostFile::new(&spanned(release));
            // spy's host end is only a span port: not a bridged jail.
            succeeds(via, &h, &["show"], "web\nwww\n");
            let o = h.run(via, &["show", "--libxo", "json"]);
            let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
            let jails = v["rjib-information"]["jail"].as_array().unwrap();
            assert_eq!(jails.len(), 2, "{via}: {v}");
            let web = &jails[0]["epair"][0];
            assert_eq!(
                (&web["bridge"], &web["parent"]),
                (&json!("vtnet0bridge"), &json!("vtnet0")),
                "{via}: a NAT bridge with a span port is still member-less"
            );
            let www = &jails[1]["epair"][0];
            assert_eq!(
                (&www["bridge"], &www["parent"]),
                (&json!("em0bridge"), &json!("em0")),
                "{via}: the span port is not a second parent"
            );
            // addm on both bridges; the span lists stay as they were.
            succeeds(via, &h, &["addm", "web2", "vtnet0"], "e0a_web2\ne0b_web2\n");
            succeeds(via, &h, &["addm", "www2", "em0"], "e0a_www2\ne0b_www2\n");
            let after = h.read();
            assert_eq!(
                members(&after, "vtnet0bridge"),
                json!(["e0a_web", "e0a_web2"])
            );
            assert_eq!(
                members(&after, "em0bridge"),
                json!(["em0", "e0a_www", "e0a_www2"])
            );
            assert_eq!(
                iface(&after, "vtnet0bridge").unwrap()["spans"],
                json!(["e0a_spy"])
            );
            assert_eq!(iface(&after, "em0bridge").unwrap()["spans"], json!(["em1"]));
            succeeds(via, &h, &["show"], "web\nweb2\nwww\nwww2\n");
        }
    }
}

/// bridge_ioctl_add does not look at other bridges' span lists (a span
/// port's `if_bridge` stays NULL), so a span port of one bridge can join
/// another. The simulation allows it, then refuses to read the host file
/// it wrote: validate.rs counts a span port and a member of another bridge
/// as "a port of two bridges".
#[test]
fn a_span_port_can_join_another_bridge() {
    for via in VIAS {
        let h = HostFile::new(&spanned(15));
        succeeds(via, &h, &["addm", "x", "em1"], "em1bridge\ne0a_x\ne0b_x\n");
        succeeds(via, &h, &["show"], "web\nwww\nx\n");
    }
}

// ---------------------------------------------------------------------------
// rjib(8) shows what rjib prints.

/// The source lines of rjib(8)'s subsection `.Ss title`.
fn man_subsection(title: &str) -> Vec<String> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/rjib.8")).unwrap();
    let head = format!(".Ss {title}");
    let mut lines = src.lines().skip_while(|l| *l != head);
    assert!(lines.next().is_some(), "rjib(8) has no {head}");
    lines
        .take_while(|l| !l.starts_with(".Ss ") && !l.starts_with(".Sh "))
        .map(|l| l.replace("\\(dq", "\""))
        .collect()
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_man_page_fixes_and_error_line_are_what_rjib_prints() {
    let modules = man_subsection("Kernel modules");
    let fixes: Vec<&str> = modules
        .iter()
        .filter_map(|l| l.strip_prefix(".Dl "))
        .collect();
    assert_eq!(
        fixes,
        ["kldload if_epair", "kld_list=\"if_bridge if_epair\""]
    );
    let h = HostFile::new(&with(
        seed_on(14),
        json!({"modules": ["if_bridge"], "jailed": true}),
    ));
    let err = stderr(&h.run("direct", &["addm", "jamulus", "vtnet0"]));
    for fix in fixes {
        assert!(err.contains(fix), "{fix:?} not in {err:?}");
    }

    let bridges = man_subsection("Bridges and addresses on FreeBSD 14 and 15");
    let example: Vec<&str> = bridges
        .iter()
        .skip_while(|l| !l.starts_with(".Bd -literal"))
        .skip(1)
        .take_while(|l| !l.starts_with(".Ed"))
        .map(String::as_str)
        .collect();
    let vlan0 = with(
        ether("vlan0", 4, "58:9c:fc:10:00:00"),
        json!({"type": "l2vlan", "vlan_parent": "vtnet0bridge"}),
    );
    let h = HostFile::new(&with(
        add_ifs(seed_on(15), vec![vlan0]),
        json!({"sysctl": {"kern.osreldate": 1_403_000}}),
    ));
    let err = stderr(&h.run("ioctl", &["addm", "x", "vlan0"]));
    assert_eq!(words(&example.join(" ")), words(&err));
}
