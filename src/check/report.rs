//! What `check` finds and predicts: findings with their stable codes, and
//! the interfaces each jail's `addm` commands will create.

use crate::jailconf::Loc;
use crate::net::PortVlans;

/// How bad a finding is: an error makes `check` exit 1, a warning or an
/// info does not. An info is no mistake: it says how rjib will see a
/// jail, or what it will do itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The stable codes. rjib(8) documents each; `as_str` is the spelling in
/// the output and must never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// jail(8) refuses the jail: an undefined variable, a variable loop, …
    JailConf,
    /// The command line is wrong: a usage error, `-m md5`, `-n`, a quote
    /// sh cannot close.
    CommandLine,
    NameCharset,
    NameTooLong,
    DuplicateName,
    /// A jail's rjib NAME is not its jail name.
    NameDiffers,
    VnetInterfaceMissing,
    VnetInterfaceExtra,
    NoDestroy,
    MacCollision,
    PathAtBoot,
    ParentMissing,
    ParentNotBridgeable,
    ParentInOtherBridge,
    /// The bridge name addm would use is taken by something else.
    BridgeNotABridge,
    MemberHasAddress,
    /// `untagged`/`tagged` on a FreeBSD 14 host.
    VlanNeeds15,
    /// `untagged`/`tagged` on a bridge that does not filter VLANs at boot.
    VlanBridgeNotFiltering,
    /// The parent does not carry a VLAN a jail needs: an error when rjib
    /// refuses, an info when it adds it itself.
    VlanUplinkMissing,
    /// A wrong `untagged` or `tagged` argument.
    VlanInvalid,
    /// The host's address where a VLAN-filtering bridge drops its untagged
    /// frames: on the parent of a bridge addm would create filtering (an
    /// error: addm refuses), or on a filtering bridge itself (a warning).
    VlanHostAddress,
    /// An epair joins a filtering bridge in no VLAN (addm's warning).
    VlanNone,
    /// The uplink that carries VLANs tagged has vlan(4) interfaces of its
    /// own, or is one (addm's warnings).
    VlanUplinkVlan,
}

impl Code {
    /// Every code, in the order rjib(8) lists them.
    pub const ALL: [Code; 23] = [
        Code::NameCharset,
        Code::NameTooLong,
        Code::DuplicateName,
        Code::NameDiffers,
        Code::VnetInterfaceMissing,
        Code::VnetInterfaceExtra,
        Code::NoDestroy,
        Code::MacCollision,
        Code::PathAtBoot,
        Code::ParentMissing,
        Code::ParentNotBridgeable,
        Code::ParentInOtherBridge,
        Code::MemberHasAddress,
        Code::BridgeNotABridge,
        Code::VlanNeeds15,
        Code::VlanBridgeNotFiltering,
        Code::VlanUplinkMissing,
        Code::VlanInvalid,
        Code::VlanHostAddress,
        Code::VlanNone,
        Code::VlanUplinkVlan,
        Code::CommandLine,
        Code::JailConf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::JailConf => "jail-conf",
            Code::CommandLine => "command-line",
            Code::NameCharset => "name-charset",
            Code::NameTooLong => "name-too-long",
            Code::DuplicateName => "duplicate-name",
            Code::NameDiffers => "name-differs",
            Code::VnetInterfaceMissing => "vnet-interface-missing",
            Code::VnetInterfaceExtra => "vnet-interface-extra",
            Code::NoDestroy => "no-destroy",
            Code::MacCollision => "mac-collision",
            Code::PathAtBoot => "path-at-boot",
            Code::ParentMissing => "parent-missing",
            Code::ParentNotBridgeable => "parent-not-bridgeable",
            Code::ParentInOtherBridge => "parent-in-other-bridge",
            Code::BridgeNotABridge => "bridge-not-a-bridge",
            Code::MemberHasAddress => "member-has-address",
            Code::VlanNeeds15 => "vlan-needs-15",
            Code::VlanBridgeNotFiltering => "vlan-bridge-not-filtering",
            Code::VlanUplinkMissing => "vlan-uplink-missing",
            Code::VlanInvalid => "vlan-invalid",
            Code::VlanHostAddress => "vlan-host-address",
            Code::VlanNone => "vlan-none",
            Code::VlanUplinkVlan => "vlan-uplink-vlan",
        }
    }

    /// The severity a finding of this code has, unless it says otherwise
    /// (`member-has-address` is a warning where the kernel adds such a
    /// member with its deprecation warning).
    pub fn severity(self) -> Severity {
        match self {
            Code::NoDestroy | Code::VlanNone | Code::VlanUplinkVlan => Severity::Warning,
            Code::NameDiffers => Severity::Info,
            _ => Severity::Error,
        }
    }
}

/// The jail findings about a whole file name: jail(8)'s global pseudo-jail.
pub const ALL_JAILS: &str = "*";

/// One finding: where (the jail.conf line), which jail, what. `jail` and
/// `message` are text as printed: names and values from jail.conf in them
/// are escaped (`jailconf::show`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub loc: Loc,
    pub jail: String,
    pub code: Code,
    pub message: String,
    /// Another jail the finding is about (the other side of a duplicate
    /// NAME or a MAC collision): selecting either jail shows it.
    pub other_jail: Option<String>,
    pub severity: Severity,
}

impl Finding {
    pub fn new(loc: &Loc, jail: &str, code: Code, message: impl Into<String>) -> Finding {
        Finding {
            loc: loc.clone(),
            jail: jail.to_string(),
            code,
            message: message.into(),
            other_jail: None,
            severity: code.severity(),
        }
    }

    /// The same finding as a warning.
    pub fn warning(mut self) -> Finding {
        self.severity = Severity::Warning;
        self
    }

    /// The same finding as information: what rjib will do, not a fault.
    pub fn info(mut self) -> Finding {
        self.severity = Severity::Info;
        self
    }

    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// Why a pair's MAC addresses are not predicted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoMac {
    /// `!iface`: the kernel picks them.
    Bang,
    /// The parent has no MAC address (a gif(4) interface, say).
    ParentHasNone,
    /// The parent is created at boot and its MAC is not known before then.
    CreatedAtBoot { parent: String, by: String },
    /// `addm` would fail: it creates nothing.
    AddmFails,
}

impl NoMac {
    /// A short phrase for the table's MAC column.
    pub fn short(&self) -> &'static str {
        match self {
            NoMac::Bang => "kernel's (!)",
            NoMac::ParentHasNone => "none (parent)",
            NoMac::CreatedAtBoot { .. } => "unpredictable",
            NoMac::AddmFails => "- (fails)",
        }
    }

    /// The whole reason.
    pub fn reason(&self) -> String {
        match self {
            NoMac::Bang => "`!` keeps the MAC addresses the kernel picks".into(),
            NoMac::ParentHasNone => "the parent has no MAC address to derive from".into(),
            NoMac::CreatedAtBoot { parent, by } => format!(
                "the MAC cannot be predicted: {parent} is created at boot ({by}) and its MAC is not known before then"
            ),
            NoMac::AddmFails => "addm would fail and create nothing".into(),
        }
    }
}

/// One predicted epair: argument `i` of an addm command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub bridge: String,
    pub parent: String,
    /// Host end and jail end, or why there are none.
    pub macs: Result<(String, String), NoMac>,
    /// The VLANs the host end joins (FreeBSD 15): asked for, or its
    /// bridge's default untagged VLAN. The jail end is in none.
    pub vlans: PortVlans,
}

/// One jail's predictions, in the order of its addm commands and arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JailPrediction {
    pub name: String,
    pub loc: Loc,
    pub pairs: Vec<Pair>,
}

/// Everything `check` has to say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub jails: Vec<JailPrediction>,
    /// What the host could not tell (a bridge's VLAN state that could not
    /// be read), by addm: check cannot say what those commands will do.
    pub unread: Vec<String>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .count()
    }

    /// Keeps the findings and predictions of the jails `names` (as
    /// findings show them), and those about whole files.
    pub fn select(&mut self, names: &[String]) {
        let wanted = |n: &str| names.iter().any(|w| w == n);
        // A finding about a whole file concerns every jail.
        self.findings.retain(|f| {
            f.jail == ALL_JAILS || wanted(&f.jail) || f.other_jail.as_deref().is_some_and(wanted)
        });
        self.jails.retain(|j| wanted(&j.name));
    }

    /// Findings in file order (the order the files were read), then line,
    /// jail and code; `files` is that reading order.
    pub fn sort(&mut self, files: &[std::path::PathBuf]) {
        let mut ranks: std::collections::HashMap<&std::path::Path, usize> =
            std::collections::HashMap::new();
        for (i, p) in files.iter().enumerate() {
            ranks.entry(p.as_path()).or_insert(i);
        }
        let rank = |f: &Finding| ranks.get(&*f.loc.file).copied().unwrap_or(files.len());
        self.findings.sort_by(|x, y| {
            (rank(x), x.loc.line, &x.jail, x.code, &x.message).cmp(&(
                rank(y),
                y.loc.line,
                &y.jail,
                y.code,
                &y.message,
            ))
        });
    }
}
