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
        let _ = writeln!(
            io.err,
            "{}: {}",
            inv.prog,
            crate::util::escape_controls(&message)
        );
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
    let sysctls = match files::read_sysctl(sysctl_files, &mut reader) {
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
    // byte that is not UTF-8).
    for name in jails {
        let shown = crate::util::escape_controls(name);
        if !facts
            .iter()
            .any(|j| j.raw_name == name.as_bytes() || j.name == shown)
        {
            return fail(format!("{name}: no such jail in the files read"));
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
    // What boot sets wins over the running kernel's value (except a 0).
    if let Some((v, at)) = sysctls.integer(crate::net::MEMBER_IFADDRS) {
        policy = policy.with_boot_setting(v, at.to_string());
    }
    let mut report = checks::analyse(
        &checks::Input {
            jails: &facts,
            stops: &loaded.stops,
            rc: &rc,
            listing: &listing,
            policy,
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
    report.select(jails);
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
