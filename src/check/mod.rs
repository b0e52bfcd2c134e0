//! `rjib check`: reads jail.conf and rc.conf, lists the host once, and
//! says before boot what every jail's rjib/jib commands would do wrong and
//! which interfaces and MAC addresses they will create.
//!
//! It changes nothing, takes no lock and needs no root: the host is only
//! listed (`Host::list`, `Host::bridge_policy`), and, for a jail with VLANs
//! on a bridge rc.conf does not set up, that bridge's VLAN state is read.
//!
//! - `files`: which files, and reading them; `rcconf` and `sh`: rc.conf's
//!   variables without running it; `sysctlconf`: the sysctls boot sets;
//! - `boot`: the interfaces at boot (the host's, as rc.conf changes them);
//! - `commands`: the rjib/jib commands in `exec.*`, read with rjib's own
//!   parser, and boot's PATH;
//! - `checks`: planning each addm with rjib's own planner, and the rules;
//!   `collide`: MAC collisions;
//! - `report`: findings and predictions; `output`: text and JSON.

pub mod boot;
pub mod checks;
pub mod collide;
pub mod commands;
pub mod files;
pub mod output;
pub mod rcconf;
pub mod report;
pub mod sh;
pub mod sysctlconf;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::Result;

use crate::cli::{Action, Invocation, ShowFormat};
use crate::exec::facts::HostFacts;
use crate::host::Host;
use crate::io::Io;

/// Exit status: the files could not be read or parsed, the command line is
/// wrong, or the host cannot be listed or its VLAN state read.
pub const CANNOT_CHECK: i32 = 2;

/// Runs `rjib check`; returns the exit status (0: no error, 1: errors, 2:
/// could not check). Messages are printed here.
pub fn run(
    inv: &Invocation,
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
) -> i32 {
    let Action::Check {
        files,
        rc_files,
        sysctl_files,
        jails,
        libxo,
        verbose,
    } = &inv.action
    else {
        return CANNOT_CHECK;
    };
    let mut fail = |message: String| {
        crate::io::say(io.err, &inv.prog, message);
        CANNOT_CHECK
    };
    let format = match libxo
        .as_deref()
        .map(|l| ShowFormat::from_libxo(std::ffi::OsStr::new(l)))
    {
        None => ShowFormat::Text,
        Some(Ok(f)) => f,
        Some(Err(m)) => return fail(m),
    };
    let mut reader = files::Reader::default();
    let rc = match files::read_rc(rc_files, &mut reader) {
        Ok(rc) => rc,
        Err(e) => return fail(e.to_string()),
    };
    let sysctls = match files::read_sysctl(sysctl_files, &rc, &mut reader) {
        Ok(s) => s,
        Err(e) => return fail(e.to_string()),
    };
    // Each jail is reduced to what the checks need as soon as it is read.
    let exists = |p: &Path| p.is_file();
    let mut facts: Vec<checks::JailFacts> = Vec::new();
    let loaded = match files::read_jail_confs(files, &rc, &mut reader, &mut |jail| {
        facts.push(checks::facts(&jail, &exists))
    }) {
        Ok(l) => l,
        Err(e) => return fail(e.to_string()),
    };
    // A jail is named by its bytes, or as check shows it (`\xNN` for a
    // byte that is not UTF-8 or that would not print): the names of the
    // jails selected, as the report shows them.
    let mut selected: Vec<String> = Vec::new();
    for name in jails {
        let bytes = name.as_bytes();
        let shown = crate::util::escape_bytes(bytes);
        let before = selected.len();
        selected.extend(
            facts
                .iter()
                .filter(|j| j.raw_name == bytes || j.name == shown)
                .map(|j| j.name.clone()),
        );
        if selected.len() == before {
            return fail(format!(
                "{}: no such jail in the files read",
                crate::util::quote_bytes(bytes)
            ));
        }
    }
    let (mut host, listing, mut policy) = match open().and_then(|mut host| {
        let listing = host.list()?;
        let policy = host.bridge_policy()?;
        Ok((host, listing, policy))
    }) {
        Ok(x) => x,
        Err(e) => return fail(format!("{e:#}")),
    };
    // What boot sets wins over the running kernel's value (except a 0),
    // where boot can set it: only while if_bridge is loaded.
    let mut unapplied = None;
    if let Some((v, at)) = sysctls.boolean(crate::net::MEMBER_IFADDRS)
        && policy.takes_boot_setting()
    {
        match boot::loads_if_bridge(&rc) {
            Some(by) => {
                let at = format!("{at}, which boot sets once {by} has loaded if_bridge");
                policy = policy.with_boot_setting(i64::from(v), at);
            }
            None if !v => unapplied = Some(unapplied_zero(at)),
            None => {}
        }
    }
    let mut report = checks::analyse(
        &checks::Input {
            jails: &facts,
            stops: &loaded.stops,
            rc: &rc,
            listing: &listing,
            policy,
            unapplied: unapplied.as_deref(),
            predict: *verbose || matches!(format, ShowFormat::Json { .. }),
        },
        &mut HostFacts {
            host: host.as_mut(),
        },
    );
    drop(facts);
    // A bridge's VLAN state that the host would not give: what those
    // addm commands will do is not known, so nothing is reported.
    if let Some(first) = report.unread.first() {
        return fail(format!(
            "{first}: the host's VLAN state could not be read, so check cannot say what this addm will do"
        ));
    }
    if !jails.is_empty() {
        report.select(&selected);
    }
    report.sort(&loaded.files);

    let mut text = String::new();
    match format {
        ShowFormat::Json { pretty } => {
            text.push_str(&output::json(&report, pretty));
            text.push('\n');
        }
        ShowFormat::Text => {
            for f in &report.findings {
                text.push_str(&output::line(f));
                text.push('\n');
            }
            if *verbose {
                if !report.findings.is_empty() {
                    text.push('\n');
                }
                for l in output::table(&report.jails) {
                    text.push_str(&l);
                    text.push('\n');
                }
            }
        }
    }
    if let Err(e) = io
        .out
        .write_all(text.as_bytes())
        .and_then(|()| io.out.flush())
    {
        return fail(format!("stdout: {}", crate::util::io_reason(&e)));
    }
    if report.errors() > 0 { 1 } else { 0 }
}

/// What boot does with `net.link.bridge.member_ifaddrs=0` set at `at` when
/// nothing in rc.conf loads if_bridge before the jails start: rc.d/sysctl
/// (`sysctl -i -f`, which skips a sysctl that does not exist) and
/// rc.d/sysctl_lastload (`sysctl -f`, the last pass, just before rc.d/jail)
/// run while if_bridge is not loaded, so neither sets it; the first addm
/// loads if_bridge, whose sysctl then reads its default, 1.
fn unapplied_zero(at: &str) -> String {
    format!(
        "{at} sets {m}=0, but nothing in rc.conf loads if_bridge before the jails start (no bridge \
         in cloned_interfaces, no if_bridge in kld_list), so boot cannot set it: rc.d/sysctl and \
         rc.d/sysctl_lastload run before the sysctl exists, and the first addm loads if_bridge at \
         its default 1; the 0 applies, and this addm is refused, where if_bridge is loaded before \
         rc.d/sysctl_lastload (loader.conf(5) if_bridge_load=\"YES\", a kernel with device \
         if_bridge) or once `service sysctl restart` runs after it is",
        m = crate::net::MEMBER_IFADDRS
    )
}
