//! sysctl.conf(5): the sysctl settings boot applies, read the way
//! rc.d/sysctl reads them (`parse_file`: `while read var comments`, lines
//! whose first word is empty or starts with `#` skipped, `mib=${var%=*}`,
//! `val=${var#*=}`). Only the first whitespace-separated word of a line
//! counts, so `name = value` sets nothing, and whatever follows the first
//! word (a `# comment`) is ignored. A later setting of a name wins.

use std::collections::HashMap;
use std::path::Path;

/// One setting: its value and where it is (`FILE:LINE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub at: String,
}

/// The settings of every file read, by sysctl name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SysctlConf {
    settings: HashMap<String, Setting>,
}

impl SysctlConf {
    /// Add the settings of `text`, the contents of `path`.
    pub fn read_str(&mut self, text: &str, path: &Path) {
        for (n, line) in text.lines().enumerate() {
            let Some(var) = line.split_whitespace().next() else {
                continue;
            };
            if var.starts_with('#') {
                continue;
            }
            let Some(eq) = var.find('=') else {
                continue; // `sysctl name` prints it and sets nothing
            };
            let name = &var[..var.rfind('=').unwrap_or(eq)];
            let value = &var[eq + 1..];
            self.settings.insert(
                name.to_string(),
                Setting {
                    value: value.to_string(),
                    at: format!("{}:{}", path.display(), n + 1),
                },
            );
        }
    }

    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.settings.get(name)
    }

    /// An integer setting, as sysctl(8) takes it for an integer or boolean
    /// sysctl; `None` if unset or not an integer (sysctl(8) refuses it).
    pub fn integer(&self, name: &str) -> Option<(i64, &str)> {
        let s = self.get(name)?;
        s.value.parse().ok().map(|v| (v, s.at.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> SysctlConf {
        let mut c = SysctlConf::default();
        c.read_str(text, Path::new("/etc/sysctl.conf"));
        c
    }

    #[test]
    fn read_as_rc_d_sysctl_reads_it() {
        let c = conf(
            "# bridges\n\
             \n\
             \tnet.link.bridge.member_ifaddrs=0\t# no addresses on members\n\
             kern.ipc.somaxconn=1024\n\
             #net.inet.ip.forwarding=1\n\
             net.inet.ip.forwarding = 1\n\
             security.bsd.see_other_uids\n\
             kern.foo=a=b\n",
        );
        assert_eq!(
            c.integer("net.link.bridge.member_ifaddrs"),
            Some((0, "/etc/sysctl.conf:3"))
        );
        assert_eq!(
            c.integer("kern.ipc.somaxconn"),
            Some((1024, "/etc/sysctl.conf:4"))
        );
        // A comment, spaces around `=`, no `=`: nothing set.
        assert_eq!(c.get("net.inet.ip.forwarding"), None);
        assert_eq!(c.get("security.bsd.see_other_uids"), None);
        // `${var%=*}` and `${var#*=}`: the last `=` ends the name, the
        // first starts the value.
        assert_eq!(c.get("kern.foo=a").map(|s| s.value.as_str()), Some("a=b"));
    }

    #[test]
    fn the_last_setting_wins_and_non_integers_do_not_count() {
        let mut c = conf("net.link.bridge.member_ifaddrs=0\n");
        c.read_str(
            "net.link.bridge.member_ifaddrs=1\n",
            Path::new("/etc/sysctl.conf.local"),
        );
        assert_eq!(
            c.integer("net.link.bridge.member_ifaddrs"),
            Some((1, "/etc/sysctl.conf.local:1"))
        );
        let c = conf("net.link.bridge.member_ifaddrs=no\n");
        assert_eq!(c.integer("net.link.bridge.member_ifaddrs"), None);
    }
}
