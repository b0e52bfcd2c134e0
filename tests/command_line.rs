//! The command line as a newcomer meets it (issue 14, D14 and the
//! newcomer points): `-n` after the action, harmless repetitions, one line
//! naming each problem, and help texts that list what rjib can do.

mod common;

use common::*;
use serde_json::{Value, json};

/// The seed host with pairs for jails `a` and `b`, neither of which
/// exists, both old enough to prune.
fn stale_host() -> Value {
    let h = HostFile::new(&seed());
    for j in ["a", "b"] {
        assert!(h.run("direct", &["addm", j, "vtnet0"]).status.success());
    }
    let mut v = without_log(&h.read()).0;
    for i in v["interfaces"].as_array_mut().unwrap() {
        i["lastchange"] = json!(1_000_000);
    }
    v
}

fn dry_run_after_the_action(via: &str) {
    let h = HostFile::new(&stale_host());
    let before = h.bytes();
    let first = h.run(via, &["-n", "prune"]);
    assert_eq!(first.status.code(), Some(0), "{via}: {}", stderr(&first));
    assert!(!first.stdout.is_empty(), "{via}: something to prune");
    for args in [
        &["prune", "-n"][..],
        &["-n", "-n", "prune"],
        &["-n", "prune", "-n", "-f", "-f"],
        &["--dry-run", "prune", "-n"],
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
        assert_eq!(o.stdout, first.stdout, "{via} {args:?}: the same script");
        assert_eq!(h.bytes(), before, "{via} {args:?}: a dry run");
    }
    for args in [&["destroy", "-n", "a"][..], &["addm", "-n", "c", "vtnet0"]] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(0), "{via} {args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("ifconfig "), "{via} {args:?}");
        assert_eq!(h.bytes(), before, "{via} {args:?}: a dry run");
    }
    // -f -f is -f, for real.
    let o = h.run(via, &["prune", "-f", "-f"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_a\ne0a_b\n"),
        "{via}: {}",
        stderr(&o)
    );
}

#[test]
fn dry_run_after_the_action_direct() {
    dry_run_after_the_action("direct");
}

#[test]
fn dry_run_after_the_action_ioctl() {
    dry_run_after_the_action("ioctl");
}

/// Each wrong command line: the exit status, and a last stderr line that
/// names the problem; the host untouched.
fn one_line_naming_the_problem(via: &str) {
    let h = HostFile::new(&stale_host());
    let before = h.bytes();
    let wait = "the wait is a whole number of seconds";
    // (arguments, exit status, after a usage text?, the last line)
    for (args, status, usage, last) in [
        (
            &["-w", "-1", "prune"][..],
            1,
            false,
            format!("rjib: -w \"-1\": {wait}"),
        ),
        (&["-w"], 1, false, "rjib: -w: needs a value".to_string()),
        (
            &["-w", "prune"],
            1,
            false,
            format!("rjib: -w \"prune\": {wait}"),
        ),
        (
            &["-w", "x", "check"],
            2,
            true,
            format!("rjib: -w \"x\": {wait}"),
        ),
        (
            &["prune", "-x"],
            1,
            true,
            "rjib: \"-x\": unknown option".into(),
        ),
        (
            &["bogus"],
            1,
            true,
            "rjib: \"bogus\": unknown action".into(),
        ),
        (&["addm", "-b"], 1, true, "rjib: -b: needs a value".into()),
        (
            &["show", "-n"],
            1,
            false,
            "rjib: -n: show changes nothing; use -n with addm, destroy or prune".into(),
        ),
        // Review of issue 14, 9: each with its line too.
        (
            &["destroy", "a", "-n"],
            1,
            true,
            "rjib: \"-n\": after NAME an option is not read as one; give it before NAME, or before \
             the action"
                .into(),
        ),
        (
            &["destroy", "a", "b"],
            1,
            true,
            "rjib: \"b\": unexpected argument; destroy takes one NAME".into(),
        ),
        (
            &["prune", "a", "-f"],
            1,
            true,
            "rjib: \"-f\": after NAME an option is not read as one; give it before NAME, or before \
             the action"
                .into(),
        ),
        (
            &["--dry-run=1", "prune"],
            1,
            true,
            "rjib: --dry-run: takes no value".into(),
        ),
        (
            &["--", "-n", "prune"],
            1,
            true,
            "rjib: \"-n\": unknown action".into(),
        ),
    ] {
        let o = h.run(via, args);
        assert_eq!(o.status.code(), Some(status), "{via} {args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().last(), Some(last.as_str()), "{via} {args:?}");
        if usage {
            assert!(err.starts_with("Usage: rjib "), "{via} {args:?}: {err}");
        } else {
            assert_eq!(err, format!("{last}\n"), "{via} {args:?}: that line alone");
        }
        assert_eq!(h.bytes(), before, "{via} {args:?}");
    }
}

/// Review of issue 14, 9: `--` ends the options before the action, as
/// getopts(1) reads them (rjib(8), OPTIONS): the next word is the action.
fn end_of_options(via: &str) {
    let h = HostFile::new(&stale_host());
    let before = h.bytes();
    let script = stdout(&h.run(via, &["-n", "prune"]));
    for args in [
        &["-n", "--", "prune"][..],
        &["-n", "-w", "5", "--", "prune"],
    ] {
        let o = h.run(via, args);
        assert_eq!(
            (o.status.code(), stdout(&o), stderr(&o)),
            (Some(0), script.clone(), String::new()),
            "{via} {args:?}"
        );
    }
    let o = h.run(via, &["-n", "--", "addm", "c", "vtnet0"]);
    assert_eq!(o.status.code(), Some(0), "{via}: {}", stderr(&o));
    assert!(stdout(&o).contains("ifconfig "), "{via}");
    assert_eq!(h.bytes(), before, "{via}: dry runs");
    let o = h.run(via, &["--", "prune"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "e0a_a\ne0a_b\n"),
        "{via}: {}",
        stderr(&o)
    );
}

#[test]
fn end_of_options_direct() {
    end_of_options("direct");
}

#[test]
fn end_of_options_ioctl() {
    end_of_options("ioctl");
}

/// Review of issue 14, 12: `-n` is offered where it does something, and
/// only there.
#[test]
fn dry_run_is_offered_by_the_actions_that_change() {
    let h = HostFile::new(&seed());
    let offers = |args: &[&str]| {
        let help = stdout(&h.run("direct", args));
        help.lines()
            .any(|l| l.trim_start().starts_with("-n, --dry-run"))
    };
    for action in ["addm", "destroy", "prune"] {
        assert!(offers(&[action, "--help"]), "{action} --help");
    }
    assert!(offers(&["--help"]));
    for action in ["show", "check"] {
        assert!(!offers(&[action, "--help"]), "{action} --help offers -n");
    }
}

/// Review of issue 14, 18: help and version into a full or closed
/// standard output say why they fail, as every other command does.
#[test]
fn help_into_a_full_or_closed_stdout() {
    use std::process::Stdio;
    let h = HostFile::new(&seed());
    for args in [&["--help"][..], &["-V"], &["prune", "--help"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = command(&h.path, "direct")
            .args(args)
            .stdout(Stdio::from(full))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8(o.stderr).unwrap(),
            "rjib: stdout: No space left on device\n",
            "{args:?}"
        );
    }
    let o = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{BIN} --help >&-"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(o.stderr).unwrap(),
        "rjib: stdout: Bad file descriptor\n"
    );
}

#[test]
fn one_line_naming_the_problem_direct() {
    one_line_naming_the_problem("direct");
}

#[test]
fn one_line_naming_the_problem_ioctl() {
    one_line_naming_the_problem("ioctl");
}

/// The usage block for an unknown action is jib's, then rjib's own
/// actions.
#[test]
fn usage_block_lists_prune_and_check() {
    let h = HostFile::new(&seed());
    let o = h.run("direct", &["bogus"]);
    let err = stderr(&o);
    let jibs = "Usage: rjib action [arguments]\nActions:\n\
                \taddm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n\
                \t\tCreates e0b_NAME [e1b_NAME ...]\n\
                \tshow\n\t\tList possible NAME values for `show NAME'\n\
                \tshow NAME\n\t\tLists e0b_NAME [e1b_NAME ...]\n\
                \tdestroy NAME\n\t\tDestroy e0b_NAME [e1b_NAME ...]\n";
    let rest = err.strip_prefix(jibs).unwrap_or_else(|| panic!("{err}"));
    assert!(
        rest.starts_with("\tprune [-fv] [NAME ...]\n\t\t")
            && rest.contains("\n\tcheck [-v] [-f jail.conf] [-r rc.conf]"),
        "{rest}"
    );
}

/// `--help` shows `-m` on the addm line; `check --help` names every
/// rc.conf file rjib(8)'s FILES lists for `check` without `-r`.
#[test]
fn help_texts() {
    let h = HostFile::new(&seed());
    let help = stdout(&h.run("direct", &["--help"]));
    let addm = help
        .lines()
        .skip_while(|l| l.trim() != "Actions:")
        .find(|l| l.trim_start().starts_with("addm "))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(addm.contains("[-m sum|sha256]"), "{addm}");

    let man = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/rjib.8")).unwrap();
    let files = man.split(".Sh FILES").nth(1).unwrap();
    let files = files.split(".Sh ").next().unwrap();
    let rc: Vec<&str> = files
        .lines()
        .filter_map(|l| l.strip_prefix(".It Pa "))
        .filter(|p| p.contains("rc.conf"))
        .collect();
    assert_eq!(rc.len(), 5, "{rc:?}");
    let check_help = stdout(&h.run("direct", &["check", "--help"]));
    // clap wraps help text: compare without line breaks.
    let flat = check_help.split_whitespace().collect::<Vec<_>>().join(" ");
    for f in rc {
        assert!(flat.contains(f), "check --help lacks {f}: {check_help}");
    }
}
