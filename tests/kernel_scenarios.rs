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

/// The refusal of em0 (holding `addr`) as the first member of em0bridge,
/// for the reason `basis` gives (which names the sysctl).
fn member_refusal(addr: &str, basis: &str, set_it: bool) -> String {
    let set = if set_it {
        "set net.link.bridge.member_ifaddrs=1 (deprecated), "
    } else {
        ""
    };
    format!(
        "rjib: em0: has address {addr}, and this kernel refuses bridge members with addresses \
         ({basis}); move the address to the bridge em0bridge, {set}or use a NAT bridge without \
         em0 as a member, such as vtnet0bridge (see rjib(8))"
    )
}

/// The warning for em0 (holding 192.0.2.10/24) on FreeBSD 15, for the
/// reason `basis` gives.
fn member_warning(basis: &str) -> String {
    format!(
        "rjib: em0: has address 192.0.2.10/24; FreeBSD 15 adds it to the new bridge em0bridge \
         with a deprecation warning ({basis}), but FreeBSD 16 will refuse it: move the address \
         to the bridge em0bridge, or use a NAT bridge without em0 as a member, such as \
         vtnet0bridge (see rjib(8))"
    )
}

/// Issue 13: FreeBSD 15.0 shipped `net.link.bridge.member_ifaddrs=1`, so
/// `rjib addm www em0` with the host's address on em0 works as jib does,
/// with one warning on stderr and in the log: at the default, at an
/// explicit 1, and on the first start after boot, where if_bridge is not
/// loaded yet and rjib loads it before it reads the sysctl.
#[test]
fn freebsd_15_takes_an_addressed_parent_with_one_warning() {
    let addrs = ["192.0.2.10/24", "2001:db8::10/64"];
    let at1 = json!({"sysctl": {"net.link.bridge.member_ifaddrs": 1}});
    for via in VIAS {
        for (start, loads) in [
            (with_em0(15, &addrs), false),
            (with(with_em0(15, &addrs), at1.clone()), false),
            (with(with_em0(15, &addrs), json!({"modules": []})), true),
        ] {
            let h = HostFile::new(&start);
            let o = h.run(via, &["addm", "www", "em0"]);
            let at = format!("{via}, modules {}", start["modules"]);
            assert_eq!(o.status.code(), Some(0), "{at}: {}", stderr(&o));
            assert_eq!(stdout(&o), "em0bridge\ne0a_www\ne0b_www\n", "{at}");
            let warning = member_warning("sysctl net.link.bridge.member_ifaddrs=1");
            assert_eq!(stderr(&o), format!("{warning}\n"), "{at}: one warning");
            let after = h.read();
            assert_eq!(
                members(&after, "em0bridge"),
                json!(["em0", "e0a_www"]),
                "{at}"
            );
            assert_eq!(iface(&after, "em0").unwrap()["addrs"], json!(addrs), "{at}");
            let (_, log) = without_log(&after);
            let logged: Vec<&Value> = log.iter().filter(|r| r["priority"] == "warning").collect();
            // Review 13, S3: the record names the jail, as a refusal's
            // does, since at boot many jails' records mix.
            let record = format!("addm www: {}", warning.strip_prefix("rjib: ").unwrap());
            assert_eq!(
                logged,
                [&json!({"priority": "warning", "message": record})],
                "{at}: the same warning, once, in the log"
            );
            if loads {
                assert_eq!(after["modules"], json!(["if_bridge", "if_epair"]), "{at}");
            }
        }
        // FreeBSD 14: no such rule, no warning.
        let h = HostFile::new(&with_em0(14, &addrs));
        succeeds(
            via,
            &h,
            &["addm", "www", "em0"],
            "em0bridge\ne0a_www\ne0b_www\n",
        );
        // On 15, a parent already in its bridge is not added again:
        // nothing to warn about.
        let start = add_ifs(
            with_em0(15, &addrs),
            vec![bridge("em0bridge", 5, 1, &["em0"])],
        );
        let h = HostFile::new(&start);
        succeeds(via, &h, &["addm", "www", "em0"], "e0a_www\ne0b_www\n");
    }
}

/// Review 13, W3: a FreeBSD 16 or later that still has the sysctl at 1
/// warns that a later release will refuse the member, not "FreeBSD 16".
#[test]
fn a_16_with_the_sysctl_warns_of_a_later_release() {
    let start = with(
        with_em0(16, &["192.0.2.10/24"]),
        json!({"sysctl": {"net.link.bridge.member_ifaddrs": 1}}),
    );
    let warning = member_warning("sysctl net.link.bridge.member_ifaddrs=1")
        .replace("FreeBSD 15 adds", "FreeBSD 16 adds")
        .replace(
            "but FreeBSD 16 will refuse",
            "but a later FreeBSD will refuse",
        );
    for via in VIAS {
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "www", "em0"]);
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stdout(&o), "em0bridge\ne0a_www\ne0b_www\n", "{via}");
        assert_eq!(stderr(&o), format!("{warning}\n"), "{via}");
    }
}

/// At `net.link.bridge.member_ifaddrs=0`, and on FreeBSD 16 (no sysctl),
/// the parent is refused before any change, naming the sysctl.
#[test]
fn freebsd_15_at_0_and_16_refuse_an_addressed_parent_before_any_change() {
    let at0 = json!({"sysctl": {"net.link.bridge.member_ifaddrs": 0}});
    let by0 = member_refusal(
        "192.0.2.10/24",
        "sysctl net.link.bridge.member_ifaddrs=0",
        true,
    );
    let by16 = member_refusal(
        "192.0.2.10/24",
        "FreeBSD 16 has no sysctl net.link.bridge.member_ifaddrs and refuses them",
        false,
    );
    let addrs = ["192.0.2.10/24", "2001:db8::10/64"];
    for via in VIAS {
        for (start, message) in [
            (with(with_em0(15, &addrs), at0.clone()), &by0),
            (with_em0(16, &addrs), &by16),
        ] {
            let h = HostFile::new(&start);
            // vtnet0 first: nothing is built for it either.
            refused_untouched(
                via,
                &h,
                &["addm", "www", "vtnet0", "em0"],
                &format!("{message}\n"),
            );
            let o = h.run(via, &["-n", "addm", "www", "vtnet0", "em0"]);
            assert_eq!(o.status.code(), Some(1), "{via}");
            assert_eq!(
                stderr(&o),
                format!("{message}\n"),
                "{via}: -n refuses the same"
            );
        }
        // Only an IPv6 link-local: an address too.
        let h = HostFile::new(&with(
            with_em0(15, &["fe80::225:90ff:feab:cdef/64"]),
            at0.clone(),
        ));
        refused_untouched(
            via,
            &h,
            &["addm", "www", "em0"],
            &format!(
                "{}\n",
                by0.replace("192.0.2.10/24", "fe80::225:90ff:feab:cdef/64")
            ),
        );
        // if_bridge not loaded, its sysctl 0 once it is: rjib loads it,
        // reads 0, and refuses with nothing else changed.
        let start = with(
            with(with_em0(15, &addrs), at0.clone()),
            json!({"modules": []}),
        );
        let h = HostFile::new(&start);
        let o = h.run(via, &["addm", "www", "em0"]);
        assert_eq!(o.status.code(), Some(1), "{via}");
        assert_eq!(stdout(&o), "", "{via}");
        let message = format!(
            "{by0}; nothing was changed (if_bridge was loaded to read its sysctls and stays loaded)"
        );
        assert_eq!(stderr(&o), format!("{message}\n"), "{via}");
        let after = h.read();
        assert_eq!(after["modules"], json!(["if_bridge"]), "{via}");
        assert_eq!(timeless(&after)["interfaces"], start["interfaces"], "{via}");
        let (_, log) = without_log(&after);
        assert_eq!(
            log.last(),
            Some(&json!({"priority": "err",
                         "message": failure_record(&["addm", "www", "em0"], &message)})),
            "{via}"
        );
    }
}

/// The dry run loads nothing: with if_bridge not loaded it predicts from
/// 15's default, and says so, on stderr and in a comment of the script.
#[test]
fn a_dry_run_predicts_from_the_default_and_says_so() {
    let start = with(
        with_em0(15, &["192.0.2.10/24"]),
        json!({"modules": ["if_epair"]}),
    );
    let warning = member_warning(
        "predicted: if_bridge is not loaded yet, and FreeBSD 15's \
         net.link.bridge.member_ifaddrs defaults to 1",
    );
    for via in VIAS {
        let h = HostFile::new(&start);
        let o = h.run(via, &["-n", "addm", "www", "em0"]);
        assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
        assert_eq!(stderr(&o), format!("{warning}\n"), "{via}");
        let script = stdout(&o);
        let lines: Vec<&str> = script.lines().collect();
        let addm = lines
            .iter()
            .position(|l| *l == "ifconfig \"$br\" addm em0")
            .unwrap_or_else(|| panic!("{via}: {script}"));
        assert_eq!(lines[0], "kldload if_bridge", "{via}: {script}");
        assert_eq!(
            lines[addm - 1],
            format!("# {}", warning.strip_prefix("rjib: ").unwrap()),
            "{via}: the comment before the addm"
        );
        assert_eq!(h.read(), start, "{via}: a dry run changes nothing");
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

    let bridges = man_subsection("Bridges and addresses on FreeBSD 14, 15 and 16");
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
