//! The checks: every jail's rjib/jib commands, planned in jail order on the
//! interfaces at boot with rjib's own planner, then the rules that span a
//! jail (vnet.interface, destroy) and all jails (NAMEs, MACs).
//!
//! Linear in the number of jails: the host is listed once by the caller,
//! each addm is planned on the few interfaces it names
//! (`Boot::listing_for`), and the cross-jail rules use hash maps. Each jail
//! is reduced to its [`JailFacts`] as it is read, so a large jail.conf
//! costs what the checks need of each jail, not all its parameters.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::boot::{Boot, BootVlan, Source};
use super::collide::{self, Predicted};
use super::commands::{self, ADDM_PARAMS, DESTROY_PARAMS, HOOKS, Meaning};
use super::rcconf::RcConf;
use super::report::{ALL_JAILS, Code, Finding, JailPrediction, NoMac, Pair, Report};
use crate::jailconf::{Jail, Loc, Stop, Value, show};
use crate::jib::descr;
use crate::jib::mac::Scheme;
use crate::jib::name::{JailName, a_end, b_end, bridge_for};
use crate::jib::plan::{AddmRequest, Evidence, PlanError, plan_addm};
use crate::jib::vlan::{BridgeFacts, NoVlans, Uplink, VlanRefusal, VlanWarning};
use crate::net::{
    BridgeFlags, BridgePolicy, IFNAME_MAX, IfName, Interface, LinkType, PortVlans, Verdict, Vid,
    VlanArgs, VlanSet,
};

/// What the checks read.
pub struct Input<'a> {
    pub jails: &'a [JailFacts],
    /// Where jail(8) stops reading a jail.conf early.
    pub stops: &'a [Stop],
    pub rc: &'a RcConf,
    /// The host, listed once.
    pub listing: &'a [Interface],
    pub policy: BridgePolicy,
    /// What boot does with a sysctl.conf(5) `member_ifaddrs=0` it cannot
    /// apply (nothing loads if_bridge before the jails start): said with
    /// every member-has-address warning.
    pub unapplied: Option<&'a str>,
    /// Whether the report lists each jail's predicted pairs (for `-v` and
    /// JSON); without them the findings are the same and the memory less.
    pub predict: bool,
}

/// The host's VLAN facts, each read once (a host bridge serves many jails).
struct Cached<'h> {
    host: &'h mut dyn BridgeFacts,
    flags: HashMap<IfName, Result<BridgeFlags, String>>,
    defpvid: HashMap<IfName, Result<Option<Vid>, String>>,
    tagged: HashMap<(IfName, IfName), Result<VlanSet, String>>,
    descr: HashMap<IfName, Result<Option<String>, String>>,
}

impl BridgeFacts for Cached<'_> {
    fn flags(&mut self, bridge: &IfName) -> Result<BridgeFlags, String> {
        let host = &mut *self.host;
        self.flags
            .entry(bridge.clone())
            .or_insert_with(|| host.flags(bridge))
            .clone()
    }

    fn defpvid(&mut self, bridge: &IfName) -> Result<Option<Vid>, String> {
        let host = &mut *self.host;
        self.defpvid
            .entry(bridge.clone())
            .or_insert_with(|| host.defpvid(bridge))
            .clone()
    }

    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Result<VlanSet, String> {
        let host = &mut *self.host;
        self.tagged
            .entry((bridge.clone(), member.clone()))
            .or_insert_with(|| host.tagged(bridge, member))
            .clone()
    }

    fn description(&mut self, bridge: &IfName) -> Result<Option<String>, String> {
        let host = &mut *self.host;
        self.descr
            .entry(bridge.clone())
            .or_insert_with(|| host.description(bridge))
            .clone()
    }
}

/// The VLAN facts of the bridges at boot: rc.conf's (`vlanfilter`,
/// `defuntagged`, `addm IF tagged SET`) for a bridge rc.conf creates or
/// gives VLAN words, rjib's own for one an earlier jail's addm creates,
/// and the host's as it is now for the others.
struct CheckFacts<'a, 'h> {
    boot: &'a Boot,
    host: &'h mut dyn BridgeFacts,
}

impl CheckFacts<'_, '_> {
    fn boot(&self, bridge: &IfName) -> Option<&BootVlan> {
        self.boot.vlan_of(bridge.as_str())
    }
}

impl BridgeFacts for CheckFacts<'_, '_> {
    fn flags(&mut self, bridge: &IfName) -> Result<BridgeFlags, String> {
        match self.boot(bridge) {
            Some(v) if v.filtering => Ok(BridgeFlags(BridgeFlags::VLANFILTER)),
            Some(_) => Ok(BridgeFlags::default()),
            None => self.host.flags(bridge),
        }
    }

    fn defpvid(&mut self, bridge: &IfName) -> Result<Option<Vid>, String> {
        match self.boot(bridge) {
            Some(v) => Ok(v.defpvid),
            None => self.host.defpvid(bridge),
        }
    }

    fn tagged(&mut self, bridge: &IfName, member: &IfName) -> Result<VlanSet, String> {
        match self.boot(bridge) {
            Some(v) => Ok(v
                .ports
                .get(member.as_str())
                .map(|p| p.tagged)
                .unwrap_or_default()),
            None => Ok(self
                .host
                .tagged(bridge, member)?
                .union(&self.boot.added_tagged(bridge.as_str(), member.as_str()))),
        }
    }

    fn description(&mut self, bridge: &IfName) -> Result<Option<String>, String> {
        match self.boot(bridge) {
            Some(v) => Ok(v.rjib_parent.as_ref().map(descr::bridge)),
            None => self.host.description(bridge),
        }
    }
}

/// One addm command of a jail.
#[derive(Clone, Debug)]
struct AddmCmd {
    loc: Loc,
    /// The program as written (for the destroy it needs).
    prog: Vec<u8>,
    suffix: String,
    name: JailName,
    ifaces: Box<[String]>,
    /// The VLANs asked for each of `ifaces` (FreeBSD 15).
    vlans: Box<[VlanArgs]>,
    scheme: Scheme,
}

/// What `vnet` gives a jail. jail(8) passes `vnet` to libjail untouched
/// (`config.c` `intparams`: not `PF_BOOL`), and libjail reads it as a
/// `jailsys` value (`jailparam_import`): empty (`vnet;`) is `new`, then
/// `disable`, `new`, `inherit` in any case, or any decimal number
/// (`strtol`); anything else, `true` too, is refused. The kernel then
/// takes only `new` (1, a vnet of its own) and `inherit` (2, the host's):
/// `kern_jail_set` (sys/kern/kern_jail.c) refuses `disable` (0) with EINVAL
/// because vnet's entry in `pr_flag_jailsys` has no disable flag
/// (`{"vnet", 0, PR_VNET}`), and any other number with EINVAL too.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Vnet {
    /// `new`: a VNET jail.
    On,
    /// Not set at all.
    Unset,
    /// `inherit`, set at this statement: no stack of its own.
    Shared(Loc, String),
    /// A value libjail or the kernel refuses: jail(8) does not create the
    /// jail (said by a jail-conf finding).
    Refused,
}

/// The `vnet` of `jail`, and the jail-conf finding when libjail refuses it.
fn vnet(jail: &Jail, name: &str, findings: &mut Vec<Finding>) -> Vnet {
    let Some(p) = jail.get("vnet") else {
        return Vnet::Unset;
    };
    let refused = |message: String, findings: &mut Vec<Finding>| {
        findings.push(Finding::new(
            &p.loc,
            name,
            Code::JailConf,
            format!(
                "jail(8) will not create this jail: {message} (vnet is new, for a network stack \
                 of its own, or inherit; write `vnet;` for a VNET jail)"
            ),
        ));
        Vnet::Refused
    };
    if p.name != b"vnet" {
        // `novnet`: libjail finds no boolean of that name.
        return refused(format!("unknown parameter: {}", show(&p.name)), findings);
    }
    let value = p.last().map_or(&[][..], |v| v.text.as_slice());
    let number = std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.trim_start().parse::<i64>().ok());
    if value.is_empty() || value.eq_ignore_ascii_case(b"new") || number == Some(1) {
        Vnet::On
    } else if value.eq_ignore_ascii_case(b"inherit") || number == Some(2) {
        Vnet::Shared(p.loc.clone(), show(value).into_owned())
    } else if value.eq_ignore_ascii_case(b"disable") || number.is_some() {
        refused(
            format!(
                "vnet = {}: the kernel refuses it (jail_set(2): EINVAL), as it takes only new (1) \
                 and inherit (2) for vnet",
                show(value)
            ),
            findings,
        )
    } else {
        refused(
            format!("vnet: unknown jailsys value \"{}\"", show(value)),
            findings,
        )
    }
}

/// What the checks need of one jail, taken from it as it is read
/// ([`facts`]): its name, `vnet` and `vnet.interface`, its addm and
/// destroy commands, and the findings that concern it alone.
#[derive(Clone, Debug)]
pub struct JailFacts {
    /// The name as jail.conf has it (bytes).
    pub raw_name: Vec<u8>,
    /// The name as messages show it.
    pub name: String,
    pub loc: Loc,
    vnet: Vnet,
    /// `vnet.interface`: where it was last set, and its values (those
    /// jail(8) could substitute).
    vnet_interface: Option<(Loc, Vec<Value>)>,
    /// A `vnet.interface` value has a variable jail(8) cannot substitute:
    /// what it names is unknown (the jail's jail-conf finding says why).
    vnet_interface_unknown: bool,
    addms: Vec<AddmCmd>,
    /// The NAMEs its exec.poststop/exec.release destroy.
    destroyed: Vec<String>,
    /// An exec.poststop/exec.release value has a variable jail(8) cannot
    /// substitute: what it destroys is unknown.
    destroy_unknown: bool,
    pub findings: Vec<Finding>,
}

/// The facts of `jail`, and the findings about it alone: jail(8)'s
/// problems, its commands' command lines, where they are and how they run,
/// and whether boot's PATH finds them (`exists` says whether a file
/// exists).
pub fn facts(jail: &Jail, exists: &dyn Fn(&Path) -> bool) -> JailFacts {
    let name = jail.show_name().into_owned();
    let mut findings = Vec::new();
    for p in &jail.problems {
        findings.push(Finding::new(
            &p.loc,
            &name,
            Code::JailConf,
            format!("jail(8) will not create this jail: {}", p.message),
        ));
    }
    let login_path = jail.is_set("exec.clean")
        || jail
            .get("exec.system_user")
            .and_then(|p| p.last())
            .is_some();
    let mut addms = Vec::new();
    let mut destroyed: Vec<String> = Vec::new();
    // prune commands whose NAME jib refuses, said once the jail's addm
    // NAMEs are known: (where, the hook, the command, the NAME).
    let mut prune_names: Vec<(Loc, &str, String, Vec<u8>)> = Vec::new();
    for param in HOOKS {
        for found in commands::find(jail, param, &mut findings) {
            let loc = &found.value.loc;
            // exec.start and exec.stop run inside the jail, with its PATH.
            let on_host = !commands::IN_JAIL.contains(&param);
            if on_host
                && let Some(m) =
                    commands::path_problem(&found.argv[0], login_path, found.sets_path, exists)
            {
                findings.push(Finding::new(loc, &name, Code::PathAtBoot, m));
            }
            if found.unexpanded {
                continue; // only sh knows its arguments
            }
            match commands::meaning(&found.argv) {
                Meaning::Addm {
                    suffix,
                    name: nm,
                    ifaces,
                    vlans,
                    scheme,
                } => {
                    if !ADDM_PARAMS.contains(&param) {
                        findings.push(Finding::new(
                            loc,
                            &name,
                            Code::CommandLine,
                            format!(
                                "addm {nm} is in {param}: {}; move it to exec.prestart",
                                commands::wrong_hook(param)
                            ),
                        ));
                    } else if found.background {
                        let how = match found.runner {
                            _ if found.wrapper.as_deref() == Some("daemon") => {
                                "daemon(8) runs it detached, and jail(8) does not wait for it"
                            }
                            commands::Runner::Shell => {
                                "/bin/sh runs it in the background (an & ends its list) and jail(8) \
                                 waits only for sh"
                            }
                            commands::Runner::Exec { .. } => {
                                "the trailing & makes jail(8) run it in the background without waiting"
                            }
                        };
                        findings.push(Finding::new(
                            loc,
                            &name,
                            Code::CommandLine,
                            format!(
                                "addm {nm}: {how}, so vnet.interface may be moved before the epair \
                                 exists; remove the &"
                            ),
                        ));
                    }
                    addms.push(AddmCmd {
                        loc: loc.clone(),
                        prog: found.argv[0].clone(),
                        suffix,
                        name: nm,
                        ifaces: ifaces.into_boxed_slice(),
                        vlans: vlans.into_boxed_slice(),
                        scheme,
                    });
                }
                Meaning::Destroy { name: nm } => {
                    if DESTROY_PARAMS.contains(&param) && !destroyed.contains(&nm.to_string()) {
                        destroyed.push(nm.to_string());
                    }
                }
                Meaning::PruneName { bad } => {
                    prune_names.push((loc.clone(), param, found.value.show().into_owned(), bad));
                }
                Meaning::Wrong(code, message) => {
                    findings.push(Finding::new(
                        loc,
                        &name,
                        code,
                        format!("{param}: {}: {message}", found.value.show()),
                    ));
                }
                Meaning::Other => {}
            }
        }
    }
    // A prune of a NAME jib refuses fails, and in exec.prepare jail(8)
    // then does not start the jail: say which NAME it wants.
    for (loc, param, shown, bad) in prune_names {
        let fix = match addms.first() {
            Some(a) => format!(
                "give the rjib NAME of this jail's addm (rjib prune {})",
                a.name
            ),
            None => "give an rjib NAME, the one a jail's addm uses".to_string(),
        };
        findings.push(Finding::new(
            &loc,
            &name,
            Code::NameCharset,
            format!(
                "{param}: {shown}: \"{}\" is not an rjib NAME (jib accepts letters, digits and _ \
                 only), so prune fails{}; {fix}",
                crate::util::escape_bytes(&bad),
                if param == "exec.prepare" || param == "exec.prestart" {
                    " and jail(8) does not start the jail"
                } else {
                    ""
                }
            ),
        ));
    }
    // An addm that a later `=` in a wildcard block or among the global
    // parameters threw away: jail(8) never runs it. Said when no addm is
    // left (one left, or a `=` in the jail's own block, is meant).
    if addms.is_empty() {
        for r in jail.replaced.iter().filter(|r| r.by_other_block) {
            let Some(param) = ADDM_PARAMS.iter().find(|p| p.as_bytes() == r.param) else {
                continue;
            };
            let replaced_addm = match commands::runner(&r.value.text) {
                commands::Runner::Shell => super::sh::simple_commands(&r.value.text)
                    .unwrap_or_default()
                    .iter()
                    .any(|c| {
                        let argv: Vec<Vec<u8>> = c.words.iter().map(|w| w.text.clone()).collect();
                        let unexp: Vec<bool> = c.words.iter().map(|w| w.unexpanded).collect();
                        commands::is_addm(&argv, &unexp)
                    }),
                commands::Runner::Exec { .. } => {
                    let argv: Vec<Vec<u8>> = r
                        .value
                        .text
                        .split(|c| c.is_ascii_whitespace())
                        .filter(|w| !w.is_empty())
                        .map(<[u8]>::to_vec)
                        .collect();
                    commands::is_addm(&argv, &[])
                }
            };
            if replaced_addm {
                findings.push(Finding::new(
                    &r.value.loc,
                    &name,
                    Code::CommandLine,
                    format!(
                        "{param} = at {} replaces \"{}\", so jail(8) never runs this addm for this jail; \
                         write += there, or set it where this jail's addm comes after it",
                        r.by.file_line(),
                        r.value.show()
                    ),
                ));
            }
        }
    }
    let vnet = vnet(jail, &name, &mut findings);
    // One finding per cause (issue 14, D13): a value jail(8) could not
    // substitute is the jail-conf finding's, not a missing or extra name.
    let incomplete = |param: &str| {
        jail.get(param)
            .is_some_and(|p| p.values.iter().any(|v| v.incomplete))
    };
    let vnet_interface = jail.get("vnet.interface").map(|p| {
        let known = p.values.iter().filter(|v| !v.incomplete).cloned();
        (p.loc.clone(), known.collect())
    });
    let vnet_interface_unknown = incomplete("vnet.interface");
    let destroy_unknown = DESTROY_PARAMS.iter().any(|p| incomplete(p));
    addms.shrink_to_fit();
    findings.shrink_to_fit();
    destroyed.shrink_to_fit();
    JailFacts {
        raw_name: jail.name.clone(),
        name,
        loc: jail.loc.clone(),
        vnet,
        vnet_interface,
        vnet_interface_unknown,
        addms,
        destroyed,
        destroy_unknown,
        findings,
    }
}

/// What jail(8) does at a [`Stop`] (jaillex.l `<_>.`, byacc's end of input).
fn stop_finding(s: &Stop) -> Finding {
    let what = if s.byte == 0 {
        "a NUL byte outside quotes ends jail(8)'s input".to_string()
    } else {
        format!(
            "the byte \\x{:02x} outside quotes ends jail(8)'s input on amd64 (on arm64 it is a \
             syntax error that refuses the file)",
            s.byte
        )
    };
    Finding::new(
        &s.loc,
        ALL_JAILS,
        Code::JailConf,
        format!(
            "{what}: jail(8) stops reading here; jails after line {} are not defined",
            s.loc.line
        ),
    )
}

/// One addm command of a jail, in the analysis.
struct Addm<'j> {
    jail: usize,
    cmd: &'j AddmCmd,
    /// Another addm of the same NAME comes first.
    duplicate: bool,
}

impl Addm<'_> {
    fn loc(&self) -> &Loc {
        &self.cmd.loc
    }

    fn parents(&self) -> impl Iterator<Item = (usize, &str)> {
        self.cmd
            .ifaces
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.strip_prefix('!').unwrap_or(a)))
    }
}

/// The checks; `host` answers what the VLAN planner asks about a bridge
/// that rc.conf does not set up (read from the host as it is now).
pub fn analyse(input: &Input<'_>, host: &mut dyn BridgeFacts) -> Report {
    let mut host = Cached {
        host,
        flags: HashMap::new(),
        defpvid: HashMap::new(),
        tagged: HashMap::new(),
        descr: HashMap::new(),
    };
    let jails = input.jails;
    let mut findings: Vec<Finding> = jails.iter().flat_map(|j| j.findings.clone()).collect();
    findings.extend(input.stops.iter().map(stop_finding));
    let mut addms: Vec<Addm<'_>> = Vec::new();
    for (j, jail) in jails.iter().enumerate() {
        for cmd in &jail.addms {
            addms.push(Addm {
                jail: j,
                cmd,
                duplicate: false,
            });
        }
    }

    // Every epair end the addm commands name: boot does not have them, and
    // a vnet.interface naming one is provided.
    let mut ends: HashMap<String, usize> = HashMap::new();
    for (k, a) in addms.iter().enumerate() {
        for i in 0..a.cmd.ifaces.len() {
            ends.entry(a_end(i, &a.cmd.name)).or_insert(k);
            ends.entry(b_end(i, &a.cmd.name)).or_insert(k);
        }
    }
    let mut boot = Boot::new(input.listing, &|n| ends.contains_key(n), input.rc);
    // rc.conf's VLAN words ifconfig(8) refuses: once each, where they are.
    for st in boot.stops() {
        findings.push(Finding::new(
            &st.loc,
            ALL_JAILS,
            Code::VlanInvalid,
            format!(
                "{}: ifconfig(8) stops at `{}` at boot ({}): the words after it are not done",
                st.setting, st.word, st.why
            ),
        ));
    }

    let mut first_of: HashMap<String, usize> = HashMap::new();
    for k in 0..addms.len() {
        let name = addms[k].cmd.name.to_string();
        match first_of.get(&name) {
            None => {
                first_of.insert(name, k);
            }
            Some(&f) => {
                addms[k].duplicate = true;
                let (a, b) = (&addms[k], &addms[f]);
                let (this, other) = (&jails[a.jail].name, &jails[b.jail].name);
                let message = if a.jail == b.jail {
                    format!(
                        "addm {name} runs twice in this jail (first at {}): the second finds {} and skips it; \
                         give every interface to one addm",
                        b.loc().file_line(),
                        a_end(0, &a.cmd.name)
                    )
                } else {
                    format!(
                        "jail {other} also runs addm {name} ({}): both jails would use {} and {}, and \
                         prune and stale-pair handling, which go by jail {name}, would confuse the two \
                         jails (while one is dying, the other's pair would be replaced or pruned); \
                         give each jail its own NAME",
                        b.loc().file_line(),
                        a_end(0, &a.cmd.name),
                        b_end(0, &a.cmd.name)
                    )
                };
                let mut f = Finding::new(a.loc(), this, Code::DuplicateName, message);
                f.other_jail = (a.jail != b.jail).then(|| other.clone());
                findings.push(f);
            }
        }
    }

    // A NAME that is not the jail's name: rjib looks up jail NAME, finds
    // none, and can only go by where the jail end is. Not said for a NAME
    // that two addms use (any of them): duplicate-name says what goes
    // wrong there. A NAME that is another jail's name is no "no jail to
    // look up": that jail is the one rjib would go by.
    let shared: HashSet<&str> = addms
        .iter()
        .filter(|a| a.duplicate)
        .map(|a| a.cmd.name.as_str())
        .collect();
    for a in addms
        .iter()
        .filter(|a| !shared.contains(a.cmd.name.as_str()))
    {
        let jail = &jails[a.jail];
        let name = a.cmd.name.as_str();
        if name.as_bytes() == jail.raw_name.as_slice() {
            continue;
        }
        let jail = &jail.name;
        if let Some(other) = jails
            .iter()
            .find(|j| j.raw_name.as_slice() == name.as_bytes())
        {
            // As dangerous as two addms of one NAME, and so an error.
            let mut f = Finding::new(
                a.loc(),
                jail,
                Code::DuplicateName,
                format!(
                    "addm {name}: the rjib NAME {name} is the name of another jail, {name} ({}): prune \
                     and stale-pair handling go by jail {name}, so while it is dying they would prune \
                     or replace {jail}'s pair {} as stale; give {jail} a NAME that no other jail has",
                    other.loc.file_line(),
                    a_end(0, &a.cmd.name)
                ),
            );
            f.other_jail = Some(other.name.clone());
            findings.push(f);
            continue;
        }
        let message = format!(
            "addm {name}: the rjib NAME {name} is not the jail's name {jail}, so there is no jail {name} \
                 to look up: prune keeps {} while {} is not on the host, and when {jail} is started \
                 while its previous run is still dying, addm refuses instead of replacing the stale pair \
                 (rjib destroy {name} clears it); a NAME equal to the jail name avoids that",
            a_end(0, &a.cmd.name),
            b_end(0, &a.cmd.name)
        );
        findings.push(Finding::new(a.loc(), jail, Code::NameDiffers, message));
    }

    let mut pairs: Vec<Vec<Pair>> = vec![Vec::new(); jails.len()];
    let mut preds: Vec<Predicted> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    for (k, a) in addms.iter().enumerate() {
        let jail = &jails[a.jail].name;
        let got = plan_one(
            k,
            a,
            jail,
            &mut boot,
            (&input.policy, input.unapplied),
            &mut host,
            &mut findings,
            &mut preds,
            &mut unread,
        );
        if !input.predict {
            continue;
        }
        if pairs[a.jail].is_empty() {
            pairs[a.jail] = got;
        } else {
            pairs[a.jail].extend(got);
        }
    }

    let mut by_jail: Vec<Vec<&Addm<'_>>> = vec![Vec::new(); jails.len()];
    for a in &addms {
        by_jail[a.jail].push(a);
    }
    for (jail, own) in jails.iter().zip(&by_jail) {
        if own.is_empty() {
            continue;
        }
        vnet_rules(jail, own, &ends, &addms, jails, &boot, &mut findings);
        let mut warned = HashSet::new();
        for a in own {
            let name = a.cmd.name.to_string();
            if !jail.destroy_unknown
                && !jail.destroyed.contains(&name)
                && warned.insert(name.clone())
            {
                findings.push(Finding::new(
                    a.loc(),
                    &jail.name,
                    Code::NoDestroy,
                    format!(
                        "no exec.poststop runs `destroy {name}`: every stop leaves {} and {} behind, \
                         and the next start's addm finds {} and skips it; add exec.poststop += \"{} destroy {name}\"",
                        a_end(0, &a.cmd.name),
                        b_end(0, &a.cmd.name),
                        a_end(0, &a.cmd.name),
                        show(&a.cmd.prog)
                    ),
                ));
            }
        }
    }

    findings.extend(collide::find(&preds, input.listing, &boot));

    let jails = if input.predict {
        jails
            .iter()
            .zip(pairs)
            .map(|(j, pairs)| JailPrediction {
                name: j.name.clone(),
                loc: j.loc.clone(),
                pairs,
            })
            .collect()
    } else {
        Vec::new()
    };
    Report {
        findings,
        jails,
        unread,
    }
}

/// Plans one addm on the interfaces at boot, as `rjib addm` will: its
/// findings, its predicted MACs (into `preds`), its pairs. A bridge it
/// creates, and the VLANs it adds to a parent, are added to `boot` for the
/// jails after it.
#[allow(clippy::too_many_arguments)]
fn plan_one(
    k: usize,
    a: &Addm<'_>,
    jail: &str,
    boot: &mut Boot,
    (policy, unapplied): (&BridgePolicy, Option<&str>),
    host: &mut dyn BridgeFacts,
    findings: &mut Vec<Finding>,
    preds: &mut Vec<Predicted>,
    unread: &mut Vec<String>,
) -> Vec<Pair> {
    let unapplied = unapplied.map(|u| format!("; {u}")).unwrap_or_default();
    let what = format!("addm {}", a.cmd.name);
    let loc = a.loc();
    // A finding of this addm; a warning with `warn`.
    let mut report = |code: Code, message: String, warn: bool| {
        let f = Finding::new(loc, jail, code, format!("{what}: {message}"));
        findings.push(if warn { f.warning() } else { f });
    };
    let failed = |reason: NoMac| -> Vec<Pair> {
        a.parents()
            .map(|(i, p)| Pair {
                a: a_end(i, &a.cmd.name),
                b: b_end(i, &a.cmd.name),
                bridge: bridge_for(p, &a.cmd.suffix),
                parent: p.to_string(),
                macs: Err(reason.clone()),
                vlans: PortVlans::default(),
            })
            .collect()
    };

    // Every name, not only the first the planner meets.
    let mut long: Vec<String> = Vec::new();
    let mut long_bridge = false;
    for (i, p) in a.parents() {
        for n in [a_end(i, &a.cmd.name), b_end(i, &a.cmd.name)] {
            if n.len() > IFNAME_MAX && !long.contains(&n) {
                long.push(n);
            }
        }
        let br = bridge_for(p, &a.cmd.suffix);
        if br.len() > IFNAME_MAX && !long.contains(&br) {
            long.push(br);
            long_bridge = true;
        }
    }
    if !long.is_empty() {
        let hint = if long_bridge {
            "use a shorter NAME or bridge suffix (-b)"
        } else {
            "use a shorter NAME (11 characters always fit)"
        };
        report(
            Code::NameTooLong,
            format!(
                "{} would be longer than the {IFNAME_MAX} bytes an interface name holds; {hint}",
                long.join(", ")
            ),
            false,
        );
    }

    let view = boot.listing_for(&a.cmd.ifaces, &a.cmd.suffix);
    let req = AddmRequest {
        jail: &a.cmd.name,
        suffix: &a.cmd.suffix,
        ifaces: &a.cmd.ifaces,
        vlans: &a.cmd.vlans,
        scheme: a.cmd.scheme,
    };
    let mut facts = CheckFacts { boot, host };
    // The boot view leaves the jail's own current pairs out: no stale pair
    // to judge, so no jail to look up.
    let planned = plan_addm(&req, &view, policy, &Evidence::default(), &mut facts);
    let plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            let (code, message) = match &e {
                PlanError::NoSuchInterface { iface } if iface.is_empty() => (
                    Code::ParentMissing,
                    "an interface argument is empty".to_string(),
                ),
                PlanError::NoSuchInterface { iface } => (
                    Code::ParentMissing,
                    format!(
                        "{iface} is not on this host and rc.conf does not create it \
                         (cloned_interfaces, vlans_IF, wlans_IF, ifconfig_IF_name)"
                    ),
                ),
                PlanError::NameTooLong { .. } if !long.is_empty() => {
                    return failed(NoMac::AddmFails);
                }
                PlanError::NameTooLong { .. } => (Code::NameTooLong, e.to_string()),
                PlanError::NotABridge { .. } => (Code::BridgeNotABridge, e.to_string()),
                PlanError::CannotJoin { .. } | PlanError::BridgeSvi { .. } => {
                    (Code::ParentNotBridgeable, e.to_string())
                }
                PlanError::InOtherBridge { .. } => (Code::ParentInOtherBridge, e.to_string()),
                PlanError::MemberHasAddress { iface, addr, .. } => {
                    let from = boot
                        .addr_from(iface, addr)
                        .map(|l| format!(" (rc.conf gives it at boot: {})", l.file_line()))
                        .unwrap_or_default();
                    (Code::MemberHasAddress, format!("{e}{from}"))
                }
                PlanError::EmptyIface { .. } => (Code::ParentMissing, e.to_string()),
                // the bridge name a -b suffix makes is refused like a taken one
                PlanError::BridgeLikeEnd { .. } => (Code::BridgeNotABridge, e.to_string()),
                // The boot view has no pairs of this jail: never met here.
                PlanError::PeerEndExists { .. }
                | PlanError::OrphanPair { .. }
                | PlanError::NotItsPeer { .. }
                | PlanError::NoPeerEvidence { .. }
                | PlanError::PairInUse { .. }
                | PlanError::PairInNoBridge { .. } => (Code::CommandLine, e.to_string()),
                PlanError::Vlan(v) if matches!(**v, VlanRefusal::UplinkHasAddress { .. }) => {
                    let VlanRefusal::UplinkHasAddress { parent, addr, .. } = &**v else {
                        unreachable!()
                    };
                    let from = boot
                        .addr_from(parent, addr)
                        .map(|l| format!(" (rc.conf gives it at boot: {})", l.file_line()))
                        .unwrap_or_default();
                    (Code::VlanHostAddress, format!("{e}{from}"))
                }
                // Nothing is known of the bridge: no finding asserts
                // anything about it; the report says what was not read.
                PlanError::Vlan(v) if matches!(**v, VlanRefusal::Unreadable(_)) => {
                    unread.push(format!("{what} ({}): {e}", loc.file_line()));
                    return failed(NoMac::AddmFails);
                }
                PlanError::Vlan(v) => (
                    match **v {
                        VlanRefusal::UplinkHasAddress { .. } => Code::VlanHostAddress,
                        VlanRefusal::Needs15 { .. } => Code::VlanNeeds15,
                        VlanRefusal::UplinkMissing { .. } => Code::VlanUplinkMissing,
                        VlanRefusal::NotFiltering { .. } | VlanRefusal::Unreadable(_) => {
                            Code::VlanBridgeNotFiltering
                        }
                    },
                    e.to_string(),
                ),
            };
            report(code, message, false);
            return failed(NoMac::AddmFails);
        }
    };
    if !long.is_empty() {
        return failed(NoMac::AddmFails);
    }
    // The parents with an address that the kernel takes with a warning.
    for w in &plan.warnings {
        let from = boot
            .addr_from(&w.iface, &w.addr)
            .map(|l| format!(" (rc.conf gives it at boot: {})", l.file_line()))
            .unwrap_or_default();
        report(
            Code::MemberHasAddress,
            format!("{w}{from}{unapplied}"),
            true,
        );
    }
    // What addm warns of: a filtering bridge that holds an address (in no
    // VLAN there), an epair in no VLAN, an uplink whose tagged VLANs
    // vlan(4) defeats.
    for w in &plan.vlan_warnings {
        let code = match w {
            VlanWarning::BridgeAddress { .. } => Code::VlanHostAddress,
            VlanWarning::NoVlan { .. } => Code::VlanNone,
            VlanWarning::UplinkHasVlans { .. } | VlanWarning::ParentIsVlan { .. } => {
                Code::VlanUplinkVlan
            }
        };
        let text = w.to_string();
        let text = text.strip_prefix("warning: ").unwrap_or(&text);
        report(code, text.to_string(), true);
    }
    // An address only DHCP or SLAAC gives at boot: the planner cannot see
    // it, the kernel will. Around a bridge addm creates filtering, the
    // host loses it (as `vlan::uplink_address` says).
    for link in &plan.links {
        if let Uplink::NewFiltering(_) = link.uplink
            && let Some(p) = view.iter().find(|i| i.name == link.parent)
            && p.link != LinkType::Gif
            && p.addrs.is_empty()
            && let Some(d) = boot.dynamic(p.name.as_str())
        {
            report(
                Code::VlanHostAddress,
                format!(
                    "{}: gets an address at boot ({}, {}), and would join the new VLAN-filtering bridge {} \
                     with no untagged VLAN, where the kernel drops every untagged frame it receives \
                     before the host sees it (if_bridge.c bridge_input, bridge_vfilter_in), cutting the \
                     host off its address; move the host's address to a vlan(4) interface of the bridge, \
                     with the bridge set up at boot (see rjib(8))",
                    p.name,
                    d.setting,
                    d.loc.file_line(),
                    link.bridge
                ),
                false,
            );
            return failed(NoMac::AddmFails);
        }
    }
    let rule = policy.member_addrs();
    if rule.verdict != Verdict::Allow {
        for link in plan.links.iter().filter(|l| l.new_bridge) {
            let parent = view.iter().find(|i| i.name == link.parent);
            if let Some(p) = parent
                && p.link != LinkType::Gif
                && p.addrs.is_empty()
                && let Some(d) = boot.dynamic(p.name.as_str())
            {
                let gets = format!(
                    "{}: gets an address at boot ({}, {})",
                    p.name,
                    d.setting,
                    d.loc.file_line()
                );
                let way_out = format!(
                    "move the address to the bridge {}, or use a NAT bridge without {} as a member, \
                     such as vtnet0bridge (see rjib(8))",
                    link.bridge, p.name
                );
                if rule.verdict == Verdict::Warn {
                    report(
                        Code::MemberHasAddress,
                        format!(
                            "{gets}, which the kernel lets it keep as the first member of the new bridge \
                             {} with a deprecation warning ({}), but FreeBSD 16 will refuse it: \
                             {way_out}{unapplied}",
                            link.bridge, rule.basis
                        ),
                        true,
                    );
                    continue;
                }
                report(
                    Code::MemberHasAddress,
                    format!(
                        "{gets}, and this kernel refuses bridge members with addresses ({}), so the new \
                         bridge {} cannot take it; {way_out}",
                        rule.basis, link.bridge
                    ),
                    false,
                );
                return failed(NoMac::AddmFails);
            }
        }
    }
    // The same plan with sha256, for its MACs only: no VLANs, so nothing
    // more to read.
    let alt = (a.cmd.scheme == Scheme::Sum)
        .then(|| {
            plan_addm(
                &AddmRequest {
                    scheme: Scheme::Sha256,
                    vlans: &[],
                    ..req.clone()
                },
                &view,
                &BridgePolicy {
                    release: None,
                    ..policy.clone()
                },
                &Evidence::default(),
                &mut NoVlans,
            )
            .ok()
        })
        .flatten();
    let mut out = Vec::with_capacity(plan.links.len());
    for (li, link) in plan.links.iter().enumerate() {
        let parent_if = view.iter().find(|i| i.name == link.parent);
        let macs = match link.macs {
            Some(m) => {
                if !a.duplicate {
                    let alt = alt
                        .as_ref()
                        .and_then(|p| p.links.get(li))
                        .and_then(|l| l.macs);
                    for (end, mac, alt) in [
                        (&link.a, m.a, alt.map(|x| x.a)),
                        (&link.b, m.b, alt.map(|x| x.b)),
                    ] {
                        preds.push(Predicted {
                            addm: k,
                            jail: jail.to_string(),
                            name: a.cmd.name.to_string(),
                            i: link.i,
                            end: end.to_string(),
                            mac,
                            alt,
                            parent: link.parent.to_string(),
                            parent_mac: parent_if.and_then(|p| p.ether),
                            scheme: a.cmd.scheme,
                            loc: loc.clone(),
                        });
                    }
                }
                Ok((m.a.to_string(), m.b.to_string()))
            }
            None if a.cmd.ifaces[link.i].starts_with('!') => Err(NoMac::Bang),
            None => match boot.get(link.parent.as_str()).map(|b| &b.source) {
                Some(Source::Boot { var, loc }) => Err(NoMac::CreatedAtBoot {
                    parent: link.parent.to_string(),
                    by: format!("{var}, {}", loc.file_line()),
                }),
                _ => Err(NoMac::ParentHasNone),
            },
        };
        out.push(Pair {
            a: link.a.to_string(),
            b: link.b.to_string(),
            bridge: link.bridge.to_string(),
            parent: link.parent.to_string(),
            macs,
            vlans: link.joins,
        });
        match &link.uplink {
            Uplink::Add(vids) => {
                let message = format!(
                    "{what}: {} does not carry VLAN {vids} tagged on {}, which rjib made: rjib adds {} \
                     (ifconfig {} +iftagged {} {vids})",
                    link.parent,
                    link.bridge,
                    if vids.len() == 1 { "it" } else { "them" },
                    crate::util::ifconfig_iface(link.bridge.as_str()),
                    crate::util::sh_quote(link.parent.as_str())
                );
                findings.push(Finding::new(loc, jail, Code::VlanUplinkMissing, message).info());
                boot.add_tagged(link.bridge.as_str(), &link.parent, vids);
            }
            Uplink::NewFiltering(vids) => {
                boot.add_bridge(&link.bridge, &link.parent, link.mtu, jail, Some(vids));
            }
            Uplink::None if link.new_bridge => {
                boot.add_bridge(&link.bridge, &link.parent, link.mtu, jail, None);
            }
            Uplink::None => {}
        }
    }
    out
}

/// `vnet` and `vnet.interface` of a jail with addm commands.
fn vnet_rules(
    jail: &JailFacts,
    own: &[&Addm<'_>],
    ends: &HashMap<String, usize>,
    addms: &[Addm<'_>],
    jails: &[JailFacts],
    boot: &Boot,
    findings: &mut Vec<Finding>,
) {
    let first = own[0].loc();
    // jail(8) moves vnet.interface whatever vnet is (`command.c`
    // `next_command` only asks whether vnet.interface is set).
    let off = match &jail.vnet {
        Vnet::On | Vnet::Refused => None,
        Vnet::Shared(loc, value) => Some((
            loc,
            format!(
                "vnet = {value}: the jail shares the host's network stack, so it cannot take the \
                 epair's jail end: jail(8) still tries to move vnet.interface into it, and the \
                 jail has no network of its own; write `vnet;`"
            ),
        )),
        Vnet::Unset => Some((
            first,
            "vnet is not set: the jail shares the host's network stack, so it cannot take the \
             epair's jail end: jail(8) still tries to move vnet.interface into it, and the jail \
             has no network of its own; add `vnet;`"
                .to_string(),
        )),
    };
    if let Some((loc, message)) = off {
        findings.push(Finding::new(
            loc,
            &jail.name,
            Code::VnetInterfaceMissing,
            message,
        ));
    }
    let listed: HashSet<&[u8]> = jail
        .vnet_interface
        .iter()
        .flat_map(|(_, v)| v.iter().map(|v| v.text.as_slice()))
        .collect();
    let mut own_b = HashSet::new();
    let mut own_a = HashMap::new();
    for a in own {
        let mut missing = Vec::new();
        for (i, _) in a.parents() {
            let b = b_end(i, &a.cmd.name);
            if !listed.contains(b.as_bytes()) {
                missing.push(b.clone());
            }
            own_b.insert(b);
            own_a.insert(a_end(i, &a.cmd.name), b_end(i, &a.cmd.name));
        }
        if !missing.is_empty() && !jail.vnet_interface_unknown {
            let loc = jail.vnet_interface.as_ref().map_or(a.loc(), |(l, _)| l);
            findings.push(Finding::new(
                loc,
                &jail.name,
                Code::VnetInterfaceMissing,
                format!(
                    "{} (from addm {} at {}) {} not in vnet.interface: jail(8) leaves {} on the host and \
                     the jail has no network; add {} to vnet.interface",
                    missing.join(", "),
                    a.cmd.name,
                    a.loc().file_line(),
                    if missing.len() == 1 { "is" } else { "are" },
                    if missing.len() == 1 { "it" } else { "them" },
                    if missing.len() == 1 { "it" } else { "them" },
                ),
            ));
        }
    }
    for v in jail.vnet_interface.iter().flat_map(|(_, v)| v) {
        let shown = v.show();
        let name = std::str::from_utf8(&v.text).ok();
        let message = if name.is_some_and(|n| own_b.contains(n)) {
            continue;
        } else if let Some(b) = name.and_then(|n| own_a.get(n)) {
            format!(
                "vnet.interface names {shown}, the host end of the epair, which must stay in its bridge; \
                 name the jail end {b}"
            )
        } else if let Some(&k) = name.and_then(|n| ends.get(n)) {
            format!(
                "vnet.interface names {shown}, which jail {}'s addm creates ({}), not this jail's",
                jails[addms[k].jail].name,
                addms[k].loc().file_line()
            )
        } else if name.is_some_and(|n| boot.get(n).is_some()) {
            continue;
        } else {
            format!(
                "vnet.interface names {shown}, which no addm of this jail creates and which is neither \
                 on this host nor created by rc.conf; jail(8) would fail to move it"
            )
        };
        findings.push(Finding::new(
            &v.loc,
            &jail.name,
            Code::VnetInterfaceExtra,
            message,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host whose bridges' VLAN state cannot be read.
    struct Unreadable;

    impl BridgeFacts for Unreadable {
        fn flags(&mut self, b: &IfName) -> Result<BridgeFlags, String> {
            Err(format!("{b}: bridge flags: Device not configured"))
        }
        fn defpvid(&mut self, b: &IfName) -> Result<Option<Vid>, String> {
            Err(format!("{b}: defuntagged: Device not configured"))
        }
        fn tagged(&mut self, b: &IfName, m: &IfName) -> Result<VlanSet, String> {
            Err(format!("{b}: tagged {m}: Device not configured"))
        }
        fn description(&mut self, b: &IfName) -> Result<Option<String>, String> {
            Err(format!("{b}: description: Device not configured"))
        }
    }

    /// A VLAN fact of the host that cannot be read is no finding about the
    /// bridge (it asserts nothing it could not see): the report says what
    /// could not be read, and check cannot check.
    #[test]
    fn an_unreadable_fact_is_no_finding() {
        let cfg = crate::jailconf::parse_str(
            "web { vnet; vnet.interface = e0b_web; \
             exec.prestart += \"rjib addm web ix0 untagged 20\"; \
             exec.poststop += \"rjib destroy web\"; }\n",
            Path::new("/j.conf"),
        )
        .unwrap();
        let jails: Vec<JailFacts> = cfg.jails.iter().map(|j| facts(j, &|_| true)).collect();
        let n = |s: &str| IfName::new(s).unwrap();
        let mut br = Interface::new(n("ix0bridge"), 3, LinkType::Bridge);
        br.members = Some(vec![n("ix0")]);
        let listing = vec![Interface::new(n("ix0"), 2, LinkType::Ether), br];
        let report = analyse(
            &Input {
                jails: &jails,
                stops: &[],
                rc: &RcConf::default(),
                listing: &listing,
                policy: BridgePolicy::from_sysctls(Some(1_500_000), Some(1), true),
                unapplied: None,
                predict: false,
            },
            &mut Unreadable,
        );
        assert_eq!(report.findings, [], "{report:?}");
        assert_eq!(
            report.unread,
            ["addm web (/j.conf:1): ix0bridge: bridge flags: Device not configured"]
        );
    }
}
