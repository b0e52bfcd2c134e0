//! One test per grammar element (each with a syntax error whose line and
//! column are checked), includes on disk, wildcards and variables, the
//! README's seed jail.conf, and a large file.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;

fn parse(text: &str) -> Config {
    match parse_str(text, Path::new("/etc/jail.conf")) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

/// The syntax error for `text`, as (line, col, message).
fn syntax_error(text: &str) -> (u32, u32, String) {
    match parse_str(text, Path::new("/etc/jail.conf")) {
        Err(Error::Syntax(e)) => {
            assert_eq!(&*e.loc.file, Path::new("/etc/jail.conf"));
            (e.loc.line, e.loc.col, e.message)
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

/// Each parameter of `jail` as "name=v1|v2".
fn params(config: &Config, jail: &str) -> Vec<String> {
    let j = config
        .jail(jail)
        .unwrap_or_else(|| panic!("no jail {jail}"));
    assert!(j.problems.is_empty(), "{:?}", j.problems);
    j.params
        .iter()
        .map(|p| {
            let vals: Vec<String> = p
                .values
                .iter()
                .map(|v| String::from_utf8(v.text.clone()).unwrap())
                .collect();
            if vals.is_empty() {
                show(&p.name).into_owned()
            } else {
                format!("{}={}", show(&p.name), vals.join("|"))
            }
        })
        .collect()
}

fn texts(j: &Jail, name: &str) -> Vec<String> {
    j.get(name)
        .unwrap_or_else(|| panic!("{}: no {name}", j.show_name()))
        .values
        .iter()
        .map(|v| String::from_utf8(v.text.clone()).unwrap())
        .collect()
}

#[test]
fn syntax_error_displays_file_line_col() {
    let err = parse_str("a {\n  path = x y;\n}\n", Path::new("/etc/jail.conf")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/etc/jail.conf:2:12: unexpected \"y\", expected \",\" or \";\" after a value of \"path\""
    );
    assert_eq!(
        err.loc().map(Loc::file_line).as_deref(),
        Some("/etc/jail.conf:2")
    );
}

#[test]
fn comments_of_three_kinds() {
    let c = parse("# shell\na { // c++\n  path = /j/a; /* c\n  path = /no; */ persist;\n}\n");
    assert_eq!(params(&c, "a"), ["name=a", "path=/j/a", "persist"]);
    // A block comment ends a string: `x/* */y` is two strings.
    assert_eq!(
        syntax_error("a { p = x/* */y; }"),
        (
            1,
            15,
            "unexpected \"y\", expected \",\" or \";\" after a value of \"p\"".into()
        )
    );
    // `//` inside a bare word starts a comment.
    assert_eq!(
        params(&parse("a { path = /j//x\n; }"), "a"),
        ["name=a", "path=/j"]
    );
    assert_eq!(
        syntax_error("a {\n  /* never closed\n}\n"),
        (2, 3, "unterminated comment".into())
    );
}

#[test]
fn double_quoted_strings_escape_and_substitute() {
    let c = parse(concat!(
        "a {\n",
        "  host.hostname = \"h-$name\";\n",
        "  exec.start = \"/bin/sh\\t/etc/rc \\\"x\\\" \\$name \\101\\x42\";\n",
        "  exec.stop = \"two\nlines\";\n",
        "  path = \"$\";\n",
        "}\n",
    ));
    let a = c.jail("a").unwrap();
    assert_eq!(texts(a, "host.hostname"), ["h-a"]);
    assert_eq!(texts(a, "exec.start"), ["/bin/sh\t/etc/rc \"x\" $name AB"]);
    assert_eq!(texts(a, "exec.stop"), ["two\nlines"]);
    assert_eq!(texts(a, "path"), ["$"]);
    assert_eq!(a.get("exec.stop").unwrap().values[0].loc.line, 4);
    assert_eq!(
        syntax_error("a {\n  exec.start = \"/bin/sh;\n}\n"),
        (2, 16, "unterminated string".into())
    );
}

#[test]
fn single_quoted_strings_do_not_substitute() {
    let c = parse("a { exec.start = '$name ${x} \\'q\\''; }");
    assert_eq!(
        texts(c.jail("a").unwrap(), "exec.start"),
        ["$name ${x} 'q'"]
    );
    assert_eq!(
        syntax_error("a {\n\n  p = 'open;\n}"),
        (3, 7, "unterminated string".into())
    );
}

#[test]
fn bare_words_and_adjacent_pieces_concatenate() {
    let c = parse("a { path = /jails/\"$name\"'-'${name}.d; ip4.addr = 10.0.0.1; x = a\\ b; }");
    let a = c.jail("a").unwrap();
    assert_eq!(texts(a, "path"), ["/jails/a-a.d"]);
    assert_eq!(texts(a, "ip4.addr"), ["10.0.0.1"]);
    assert_eq!(texts(a, "x"), ["a b"]);
    // A name is one piece.
    assert_eq!(
        syntax_error("a {\n  path\"x\" = 1;\n}"),
        (
            2,
            7,
            "unexpected \"x\", expected \"=\", \"+=\", a value, \";\" or \"{\" after a name".into()
        )
    );
    // A CR is white space: jaillex.l (freebsd-src 086e0149) line 63,
    // `<_>[ \t\r\n]+`, so a CRLF file reads like an LF one.
    let c = parse("a {\r\n  path = /j;\r\n}\r\n");
    assert_eq!(texts(c.jail("a").unwrap(), "path"), ["/j"]);
}

#[test]
fn blocks_and_global_parameters() {
    let c = parse(concat!(
        "exec.clean;\n",
        "a { path = /a; }\n",
        "b { }\n",
        "mount.devfs;\n",
    ));
    // The global parameters form one pseudo-jail "*" placed at the first of
    // them: before a and b, so the jails' own statements come after them.
    assert_eq!(
        params(&c, "a"),
        ["name=a", "exec.clean", "mount.devfs", "path=/a"]
    );
    assert_eq!(params(&c, "b"), ["name=b", "exec.clean", "mount.devfs"]);
    assert_eq!(
        c.jails
            .iter()
            .map(|j| std::str::from_utf8(&j.name).unwrap())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(c.jail("b").unwrap().loc.line, 3);
    assert_eq!(
        syntax_error("a {\n  path = /a;\n"),
        (
            3,
            1,
            "unexpected end of file, the block opened at 1:3 is not closed".into()
        )
    );
    assert_eq!(
        syntax_error("a { }\n}\n"),
        (
            2,
            1,
            "unexpected \"}\", expected a parameter or a jail block".into()
        )
    );
}

#[test]
fn global_parameters_all_sit_where_the_first_one_is() {
    // All global statements join one pseudo-jail, placed at the first of
    // them: with one above the jail, a global written below it still comes
    // before the jail's own block.
    let c = parse("exec.clean;\na { path = /a; }\npath = /global;\n");
    assert_eq!(params(&c, "a"), ["name=a", "exec.clean", "path=/a"]);
    // With none above, the globals come after the jail's own block.
    let c = parse("a { path = /a; }\npath = /global;\n");
    assert_eq!(params(&c, "a"), ["name=a", "path=/global"]);
}

#[test]
fn nested_blocks_name_child_jails() {
    let c = parse("p { path = /p; c { path = /p/c; } persist; }");
    assert_eq!(params(&c, "p"), ["name=p", "path=/p", "persist"]);
    assert_eq!(params(&c, "p.c"), ["name=p.c", "path=/p/c"]);
    assert_eq!(
        syntax_error("p {\n  c {\n}\n"),
        (
            4,
            1,
            "unexpected end of file, the block opened at 1:3 is not closed".into()
        )
    );
}

#[test]
fn wildcard_blocks_apply_in_file_order() {
    let c = parse(concat!(
        "* { path = /star; exec.start = early; }\n",
        "a { path = /a; exec.start = own; }\n",
        "\"a.*\" { path = /child; }\n",
        "a.b { exec.start = own; }\n",
        "* { exec.stop = late; exec.start += last; }\n",
    ));
    // The `*` above a: defaults a overrides; the `*` below: the last word.
    assert_eq!(
        params(&c, "a"),
        ["name=a", "path=/a", "exec.start=own|last", "exec.stop=late"]
    );
    // a.b: "*" (above), then "a.*" (above), then own, then "*" (below).
    assert_eq!(
        params(&c, "a.b"),
        [
            "name=a.b",
            "path=/child",
            "exec.start=own|last",
            "exec.stop=late"
        ]
    );
    // Wildcard blocks are not jails.
    assert_eq!(c.jails.len(), 2);
    // Unquoted, `a.*` is two pieces, and a jail name is one.
    assert_eq!(
        syntax_error("a.* {\n}"),
        (
            1,
            3,
            "unexpected \"*\", expected \"=\", \"+=\", a value, \";\" or \"{\" after a name".into()
        )
    );
}

#[test]
fn booleans_values_and_no_prefix() {
    let c = parse(concat!(
        "a { persist; vnet = true; exec.clean = 0; allow.mount; allow.nomount;\n",
        "    mount.devfs = false; mount.nodevfs = false; path = /a; }\n",
        "b { nomount.fdescfs; }\n",
    ));
    let a = c.jail("a").unwrap();
    assert!(a.is_set("persist"));
    assert!(a.is_set("vnet"));
    assert!(!a.is_set("exec.clean"));
    // allow.nomount replaced allow.mount in place, under its new name.
    assert!(!a.is_set("allow.mount"));
    assert_eq!(a.get("allow.mount").unwrap().name, b"allow.nomount");
    assert!(a.get("allow.mount").unwrap().values.is_empty());
    // mount.nodevfs = false: a double negative, as bool_param reads it.
    assert!(a.is_set("mount.devfs"));
    // bool_param looks for `no` on the last component only: jail(8) merges
    // nomount.fdescfs with mount.fdescfs, and reads it as on.
    assert!(c.jail("b").unwrap().is_set("mount.fdescfs"));
    assert!(!a.is_set("securelevel"));
    assert_eq!(
        params(&c, "a"),
        [
            "name=a",
            "persist",
            "vnet=true",
            "exec.clean=0",
            "allow.nomount",
            "mount.nodevfs=false",
            "path=/a"
        ]
    );
    assert_eq!(
        syntax_error("a {\n  persist = ;\n}"),
        (
            2,
            13,
            "unexpected \";\", expected a value for \"persist\"".into()
        )
    );
}

#[test]
fn name_value_form_without_equals() {
    let c = parse("a { path /jails/a; host.hostname \"h\"; }");
    assert_eq!(
        params(&c, "a"),
        ["name=a", "path=/jails/a", "host.hostname=h"]
    );
    assert_eq!(
        syntax_error("a { path /x /y; }"),
        (
            1,
            13,
            "unexpected \"/\", expected \",\" or \";\" after a value of \"path\"".into()
        )
    );
}

#[test]
fn append_and_lists() {
    let c = parse(concat!(
        "a {\n",
        "  ip4.addr = 10.0.0.1, 10.0.0.2;\n",
        "  ip4.addr += 10.0.0.3;\n",
        "  exec.prestart += \"one\";\n",
        "  exec.prestart += \"two\", three;\n",
        "  mount = x;\n",
        "  mount = y;\n",
        "}\n",
    ));
    let a = c.jail("a").unwrap();
    assert_eq!(texts(a, "ip4.addr"), ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    assert_eq!(texts(a, "exec.prestart"), ["one", "two", "three"]);
    assert_eq!(texts(a, "mount"), ["y"]);
    let pre = a.get("exec.prestart").unwrap();
    assert_eq!(pre.loc.line, 5, "the last assignment");
    let lines: Vec<u32> = pre.values.iter().map(|v| v.loc.line).collect();
    assert_eq!(lines, [4, 5, 5]);
    assert_eq!(pre.values[2].loc.col, 27);
    assert_eq!(
        syntax_error("a {\n  ip4.addr = 10.0.0.1,, 10.0.0.2;\n}"),
        (
            2,
            23,
            "unexpected \",\", expected a value for \"ip4.addr\"".into()
        )
    );
}

#[test]
fn parameter_references_and_name() {
    let c = parse(concat!(
        "path = \"/jails/$name\";\n",
        "a { host.hostname = \"${name}.example\"; exec.start = \"echo $path ${host.hostname}\"; }\n",
        "12 { path = /n; }\n",
    ));
    let a = c.jail("a").unwrap();
    assert_eq!(texts(a, "path"), ["/jails/a"]);
    assert_eq!(texts(a, "exec.start"), ["echo /jails/a a.example"]);
    // A numeric jail name is its jid; name is filled in at the end.
    assert_eq!(params(&c, "12"), ["jid=12", "path=/n", "name=12"]);
    assert_eq!(
        syntax_error("a {\n  path = \"${name\";\n}"),
        (2, 11, "unterminated variable".into())
    );
}

#[test]
fn undefined_variables_loops_and_lists_are_jail_problems() {
    let c = parse(concat!(
        "a { path = \"/j/$nope\"; }\n",
        "b { path = \"/j/$name\"; }\n",
        "c { $x = \"$y\"; $y = \"$x\"; path = $x; }\n",
        "d { $l = p, q; ip4.addr = $l; mount = \"m $l\"; }\n",
    ));
    let a = c.jail("a").unwrap();
    assert_eq!(a.problems.len(), 1);
    assert_eq!(
        a.problems[0].to_string(),
        "/etc/jail.conf:1:16: path: variable \"nope\" not found"
    );
    // The reference expands to nothing; the jail is still listed.
    assert_eq!(texts(a, "path"), ["/j/"]);
    assert!(c.jail("b").unwrap().problems.is_empty());
    let loops = &c.jail("c").unwrap().problems;
    assert_eq!(loops.len(), 1);
    assert!(loops[0].message.ends_with("variable loop"), "{}", loops[0]);
    let d = c.jail("d").unwrap();
    assert_eq!(texts(d, "ip4.addr"), ["p", "q"]);
    assert_eq!(d.problems.len(), 1);
    assert_eq!(
        d.problems[0].message,
        "mount: array cannot be substituted inline"
    );
}

#[test]
fn user_variables_are_scoped_per_jail_and_not_listed() {
    let c = parse(concat!(
        "$root = /jails;\n",
        "path = \"$root/$name\";\n",
        "a { }\n",
        "b { $root = /other; }\n",
        "c { $path = x; name = c2; }\n",
    ));
    assert_eq!(params(&c, "a"), ["name=a", "path=/jails/a"]);
    // b's own $root comes after the global one and replaces it for b only.
    assert_eq!(params(&c, "b"), ["name=b", "path=/other/b"]);
    let problems: Vec<String> = c
        .jail("c")
        .unwrap()
        .problems
        .iter()
        .map(|p| p.message.clone())
        .collect();
    assert_eq!(
        problems,
        [
            "variable \"$path\" cannot have the same name as a parameter.",
            "cannot redefine parameter \"name\".",
        ]
    );
    assert_eq!(
        syntax_error("$v = 1;\n$v {\n}"),
        (
            2,
            4,
            "unexpected \"{\", expected \"=\", \"+=\", a value or \";\" after a variable name"
                .into()
        )
    );
}

#[test]
fn substitution_order_moves_parameters_like_jail8() {
    // exec.start refers to path, which still holds a reference: jail(8)
    // moves path before exec.start and resolves it first.
    let c = parse("a { exec.start = \"run $path\"; path = \"/j/$name\"; }");
    assert_eq!(
        params(&c, "a"),
        ["name=a", "path=/j/a", "exec.start=run /j/a"]
    );
}

#[test]
fn include_in_text_rejects_variables() {
    assert_eq!(
        syntax_error("$d = /etc;\n.include \"$d/x.conf\";\n"),
        (
            2,
            11,
            "variables not permitted in '.include' filename".into()
        )
    );
    // `.include = x;` is an ordinary parameter, as in jail(8).
    let c = parse(".include = x;\na { }");
    assert_eq!(params(&c, "a"), ["name=a", ".include=x"]);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn include_tree_with_glob_and_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = write(
        d,
        "jail.conf",
        "exec.clean;\n.include \"jail.conf.d/*.conf\";\n.include \"/nonexistent-dir-for-test/*.conf\";\nlast { }\n",
    );
    write(d, "jail.conf.d/b.conf", "b { path = /b; }\n");
    write(
        d,
        "jail.conf.d/a.conf",
        "a {\n  .include \"../parts/a-params\";\n}\n",
    );
    write(d, "jail.conf.d/skip.txt", "this is not jail.conf text {{{");
    write(
        d,
        "parts/a-params",
        "path = /a;\n.include \"more\";\ninner { }\n",
    );
    write(d, "parts/more", "persist;\n");
    let c = load(&main).unwrap();
    // a.conf before b.conf (sorted); a's include lands inside block a.
    let names: Vec<&str> = c
        .jails
        .iter()
        .map(|j| std::str::from_utf8(&j.name).unwrap())
        .collect();
    assert_eq!(names, ["a", "a.inner", "b", "last"]);
    assert_eq!(
        params(&c, "a"),
        ["name=a", "exec.clean", "path=/a", "persist"]
    );
    assert_eq!(params(&c, "a.inner"), ["name=a.inner", "exec.clean"]);
    assert_eq!(params(&c, "b"), ["name=b", "exec.clean", "path=/b"]);
    let persist = c.jail("a").unwrap().get("persist").unwrap();
    assert_eq!(
        &*persist.loc.file,
        d.join("jail.conf.d/../parts/more").as_path()
    );
    assert_eq!(persist.loc.line, 1);
    assert_eq!(c.files.len(), 5);

    // A syntax error in an included file names that file.
    write(d, "parts/more", "persist\n");
    match load(&main) {
        Err(Error::Syntax(e)) => {
            assert_eq!(&*e.loc.file, d.join("jail.conf.d/../parts/more").as_path());
            assert_eq!((e.loc.line, e.loc.col), (2, 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn include_of_a_missing_file_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(dir.path(), "jail.conf", "a { }\n.include \"gone.conf\";\n");
    match load(&main) {
        Err(e @ Error::Read { .. }) => {
            let Error::Read {
                path, included_at, ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(path, &dir.path().join("gone.conf"));
            let at = included_at.as_ref().unwrap();
            assert_eq!((at.line, at.col), (2, 10));
            assert!(
                e.to_string()
                    .ends_with("gone.conf: No such file or directory"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
    match load(&dir.path().join("absent.conf")) {
        Err(Error::Read {
            included_at: None, ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn include_loop_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = write(d, "jail.conf", ".include \"a.conf\";\n");
    write(d, "a.conf", "x { }\n.include \"sub/*.conf\";\n");
    write(d, "sub/b.conf", "\n.include \"../a.conf\";\n");
    match load(&main) {
        Err(Error::IncludeLoop { loc, chain }) => {
            assert_eq!(&*loc.file, d.join("sub/b.conf").as_path());
            assert_eq!((loc.line, loc.col), (2, 10));
            assert_eq!(
                chain,
                [
                    d.join("jail.conf"),
                    d.join("a.conf"),
                    d.join("sub/b.conf"),
                    d.join("sub/../a.conf"),
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    // Including one file twice, side by side, is no loop.
    write(
        d,
        "twice.conf",
        ".include \"c.conf\";\n.include \"c.conf\";\n",
    );
    write(d, "c.conf", "c { }\n");
    let c = load(&d.join("twice.conf")).unwrap();
    assert_eq!(c.jails.len(), 2);
}

#[test]
fn include_depth_is_limited_like_jail8() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // f0 includes f1 … f32: 32 nested includes are allowed.
    for i in 0..=32 {
        write(
            d,
            &format!("f{i}"),
            &format!("j{i} {{ }}\n.include \"f{}\";\n", i + 1),
        );
    }
    write(d, "f33", "last { }\n");
    let c = load(&d.join("f0")).unwrap_err();
    // f33 would be the 33rd.
    match c {
        Error::IncludeDepth { loc } => assert_eq!(&*loc.file, d.join("f32").as_path()),
        other => panic!("{other:?}"),
    }
    write(d, "f32", "j32 { }\n");
    let c = load(&d.join("f0")).unwrap();
    assert_eq!(c.jails.len(), 33);
}

#[test]
fn load_all_joins_files_like_includes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = write(d, "jail.conf", "exec.clean;\npath = \"/jails/$name\";\n");
    let www = write(d, "jail.conf.d/www.conf", "www { vnet; }\n");
    let db = write(d, "jail.conf.d/db.conf", "db { path = /db; }\n");
    let c = load_all(&[main, db, www], &mut read_file).unwrap();
    assert_eq!(params(&c, "db"), ["name=db", "exec.clean", "path=/db"]);
    assert_eq!(
        params(&c, "www"),
        ["name=www", "exec.clean", "path=/jails/www", "vnet"]
    );
}

#[test]
fn wildcard_prestart_expands_name_for_three_jails() {
    let text = concat!(
        "* {\n",
        "    vnet;\n",
        "    exec.prestart += \"jib addm $name vtnet0\";\n",
        "    vnet.interface = \"e0b_$name\";\n",
        "}\n",
        "www { }\n",
        "db { exec.prestart = \"echo first\"; }\n",
        "cache { }\n",
    );
    let c = parse(text);
    for name in ["www", "db", "cache"] {
        let j = c.jail(name).unwrap();
        assert!(j.problems.is_empty());
        assert!(j.is_set("vnet"));
        let pre = j.get("exec.prestart").unwrap();
        let v = pre.values.first().unwrap();
        if name == "db" {
            // db's own `=` comes after the wildcard and replaces it.
            assert_eq!(texts(j, "exec.prestart"), ["echo first"]);
            assert_eq!(v.loc.line, 7);
            continue;
        }
        assert_eq!(
            texts(j, "exec.prestart"),
            [format!("jib addm {name} vtnet0")]
        );
        assert_eq!(v.loc.file_line(), "/etc/jail.conf:3");
        assert_eq!(v.loc.col, 22);
        assert_eq!(texts(j, "vnet.interface"), [format!("e0b_{name}")]);
    }
    // The same wildcard placed after the jails appends to db's own list.
    let c = parse(concat!(
        "www { }\n",
        "db { exec.prestart = \"echo first\"; }\n",
        "cache { }\n",
        "* { exec.prestart += \"jib addm $name vtnet0\"; }\n",
    ));
    assert_eq!(
        texts(c.jail("db").unwrap(), "exec.prestart"),
        ["echo first", "jib addm db vtnet0"]
    );
    assert_eq!(
        texts(c.jail("cache").unwrap(), "exec.prestart"),
        ["jib addm cache vtnet0"]
    );
}

/// The jail.conf under "The seed setup" in README.md.
fn readme_seed() -> String {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## The seed setup").expect("seed section")..];
    let start = section
        .find("`/etc/jail.conf`:")
        .expect("jail.conf in the seed section");
    let mut out = String::new();
    for line in section[start..].lines().skip(1) {
        if line.is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        match line.strip_prefix("    ") {
            Some(code) => {
                out.push_str(code);
                out.push('\n');
            }
            None => break,
        }
    }
    out
}

#[test]
fn readme_seed_jail_conf() {
    let c = parse(&readme_seed());
    assert_eq!(c.jails.len(), 1);
    let j = &c.jails[0];
    assert_eq!(j.name, b"jamulus");
    assert!(j.is_set("vnet"));
    assert!(j.is_set("exec.clean"));
    assert!(j.is_set("mount.devfs"));
    assert!(!j.is_set("persist"));
    assert_eq!(
        params(&c, "jamulus"),
        [
            "name=jamulus",
            "vnet",
            "vnet.interface=e0b_jamulus",
            "exec.prestart=/usr/local/sbin/rjib addm jamulus vtnet0",
            "exec.poststop=/usr/local/sbin/rjib destroy jamulus",
            "exec.start=/bin/sh /etc/rc",
            "exec.stop=/bin/sh /etc/rc.shutdown",
            "exec.clean",
            "mount.devfs",
            "path=/jails/jamulus",
            "host.hostname=jamulus",
        ]
    );
    assert_eq!(j.get("exec.prestart").unwrap().values[0].loc.line, 4);
}

#[test]
fn a_thousand_jails_parse() {
    let mut text = String::from(
        "$root = /jails;\nexec.clean;\n* { exec.prestart += \"jib addm $name vtnet0\"; }\n",
    );
    for i in 0..1000 {
        text.push_str(&format!(
            "j{i} {{\n  vnet;\n  vnet.interface = \"e0b_$name\";\n  path = \"$root/$name\";\n  ip4.addr = 10.{}.{}.2;\n}}\n",
            i / 256,
            i % 256
        ));
    }
    let c = parse(&text);
    assert_eq!(c.jails.len(), 1000);
    let last = c.jail("j999").unwrap();
    assert_eq!(texts(last, "path"), ["/jails/j999"]);
    assert_eq!(texts(last, "exec.prestart"), ["jib addm j999 vtnet0"]);
    assert_eq!(last.loc.line, 3 + 999 * 6 + 1);
}

// ---------------------------------------------------------------------------
// Issue 14, part 4: jail.conf exactly as jail(8) reads it. Each expected
// result is written from jail(8)'s source: jaillex.l at freebsd-src
// 086e0149 (line numbers of that file), jailparse.y and config.c at
// HardenedBSD-src 401050a4 (FreeBSD main), byacc's skeleton.c.

/// The values of `param` in `jail` as bytes.
fn raw(c: &Config, jail: &str, param: &str) -> Vec<Vec<u8>> {
    let j = c.jail(jail).unwrap_or_else(|| panic!("no jail {jail}"));
    j.get(param)
        .unwrap_or_else(|| panic!("{jail}: no {param}"))
        .values
        .iter()
        .map(|v| v.text.clone())
        .collect()
}

/// Class 1. jaillex.l lines 119 and 120 take `${`, then bytes other than
/// newline, `{` and `}` (and `"` inside double quotes) or backslash pairs,
/// then `}`; flex takes the longest match, the earlier rule on a tie with
/// the unterminated-variable rules of lines 137-138. text2lval (lines
/// 157-220) decodes escapes in the name; its loop stops before the
/// trimmed `}` (line 166), but a backslash just before it reads the `}`
/// itself (line 176, then `default:` line 194).
#[test]
fn class1_braced_variable_names_as_jaillex_l() {
    // Outside quotes `${v\}}` is six bytes (`\}` a pair): the name `v}`.
    // Inside quotes `${v\}` is five (`"` ends it), `v\` plus the `}` the
    // backslash reads: `v}` again. (Issue 14's example.)
    let c = parse("${v\\}} = 1; j { p = \"${v\\}\"; }");
    assert_eq!(params(&c, "j"), ["name=j", "p=1"]);
    // `${v\}` outside quotes, then the rest of the line: rule 119 matches
    // five bytes, but rule 137 takes `\}` as a pair and goes on to the
    // end of the line, so it is longer: an unterminated variable. (Inside
    // quotes, above, rule 138 stops at the `"`: a tie, rule 120 wins.)
    assert_eq!(
        syntax_error("${v\\} = 2;\nj { }"),
        (1, 1, "unterminated variable".into())
    );
    // Any other byte stands for itself, escapes are decoded.
    let c = parse(concat!(
        "${a b} = 1; ${c\\td} = 2; ${e\\x41} = 3; ${\\}} = 4;\n",
        "j { p = \"${a b}|${c\td}|$eA|${\\}\"; }\n"
    ));
    assert_eq!(params(&c, "j"), ["name=j", "p=1|2|3|4"]);
    // `${}`: the empty name, never defined (config.c 204-207).
    let c = parse("j { p = \"x${}\"; }");
    assert_eq!(
        c.jail("j").unwrap().problems[0].message,
        "p: variable \"\" not found"
    );
    // `{` ends the match: only the unterminated rule (line 137) matches.
    assert_eq!(
        syntax_error("j { p = ${a{b}; }"),
        (1, 9, "unterminated variable".into())
    );
    // `${a\}b` before a newline: rule 137's `\\.` pair makes it six
    // bytes, rule 119 only five (`${a\}`): the longer, unterminated, wins.
    assert_eq!(
        syntax_error("j { p = ${a\\}b\n; }"),
        (1, 9, "unterminated variable".into())
    );
}

/// Class 2. text2lval (jaillex.l lines 157-220) writes each escape into
/// one `char`: octal mod 256 (177-185), `\x` and one or two hex digits
/// (196-215), and copies every other byte as it is (173). Values are
/// bytes, never characters; a NUL ends a value (the parser takes
/// `strlen`, jailparse.y `string`).
#[test]
fn class2_values_are_bytes() {
    let c = parse_bytes(
        b"j { a = \"\\xff\"; b = \"\\303\\251\"; c = \"caf\xc3\xa9\"; d = '\xff\xfe'; \
          e = \"\\777\"; f = \"a\\0b\"; g = \"a\\xzb\"; h = a\\xzb; }",
        Path::new("/etc/jail.conf"),
    )
    .unwrap();
    assert_eq!(raw(&c, "j", "a"), [vec![0xff]]);
    assert_eq!(raw(&c, "j", "b"), [vec![0xc3, 0xa9]]);
    assert_eq!(raw(&c, "j", "c"), [b"caf\xc3\xa9".to_vec()]);
    assert_eq!(
        raw(&c, "j", "d"),
        [vec![0xff, 0xfe]],
        "raw bytes, no U+FFFD"
    );
    assert_eq!(raw(&c, "j", "e"), [vec![0xff]], "0o777 mod 256");
    assert_eq!(raw(&c, "j", "f"), [b"a".to_vec()], "a NUL ends it");
    // `\x` and no hex digit is a NUL (line 197): inside quotes it ends the
    // value, outside quotes it is a piece of its own (line 80).
    assert_eq!(raw(&c, "j", "g"), [b"a".to_vec()]);
    assert_eq!(raw(&c, "j", "h"), [b"azb".to_vec()]);
    // Names are bytes too, and compared as bytes.
    let c = parse_bytes(b"\"w\\xe9b\" { p = 1; }", Path::new("/etc/jail.conf")).unwrap();
    assert_eq!(c.jails[0].name, b"w\xe9b");
    assert_eq!(c.jails[0].show_name(), "w\\xe9b");
    assert!(c.jail("w\u{e9}b").is_none(), "0xe9 is not the UTF-8 of é");
}

/// Class 3. A NUL or a byte >= 0x80 outside quotes matches only
/// `<_>.` (jaillex.l line 145), which returns the byte: a signed `char`
/// on amd64, so 0 or negative, which byacc takes as the end of input
/// (skeleton.c: `if ((yychar = YYLEX) < 0) yychar = 0;`). Between two
/// statements at a file's top level the parser accepts (`goto yyaccept`)
/// and reads no further; anywhere else it is a syntax error that refuses
/// the file (jailparse.y `yyerror`, lines 234-250).
#[test]
fn class3_nul_or_high_byte_outside_quotes_ends_the_file() {
    let file = Path::new("/etc/jail.conf");
    for byte in [0u8, 0x80, 0xc3, 0xff] {
        let mut text = b"a { p = \"\xc3\xa9\"; }\n# caf\xc3\xa9\n".to_vec();
        text.push(byte);
        text.extend_from_slice(b" b { p = 1; }\nc { p = 2; }\n");
        let c = parse_bytes(&text, file).unwrap();
        let names: Vec<&[u8]> = c.jails.iter().map(|j| j.name.as_slice()).collect();
        assert_eq!(names, [b"a"], "{byte:#x}: nothing after it is read");
        assert_eq!(
            c.stops,
            [Stop {
                loc: Loc {
                    file: Arc::from(file),
                    line: 3,
                    col: 1
                },
                byte
            }]
        );
    }
    // Inside a block: the parser is mid-`conf`, so a syntax error.
    match parse_bytes(b"a {\n  p = 1;\n  \xff\n}\n", file) {
        Err(Error::Syntax(e)) => {
            assert_eq!((e.loc.line, e.loc.col), (3, 3));
            assert!(
                e.message
                    .starts_with("unexpected byte \\xff, expected a parameter or a jail block"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
    // A NUL mid-statement is "unexpected EOF" for jail(8) (yytext is
    // empty): said so.
    match parse_bytes(b"a = \0;\n", file) {
        // Review 13, S2: reads as English, no "unexpected a".
        Err(Error::Syntax(e)) => assert_eq!(
            e.message,
            "unexpected NUL byte (jail(8) reads it as the end of the file: \"unexpected EOF\"), \
             expected a value for \"a\""
        ),
        other => panic!("{other:?}"),
    }
    // Inside a word: the word is a name, then the end: a syntax error.
    assert!(matches!(
        parse_bytes(b"caf\xc3\xa9 { }\n", file),
        Err(Error::Syntax(_))
    ));
}

/// Class 3 in an included file: each file has its own parse (config.c
/// `parse_config`), so the stop ends the included file only, and the file
/// that included it goes on.
#[test]
fn class3_stop_in_an_included_file_ends_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = write(d, "jail.conf", ".include \"inc.conf\";\nlast { p = 3; }\n");
    std::fs::write(
        d.join("inc.conf"),
        b"first { p = 1; }\n\0 lost { p = 2; }\n",
    )
    .unwrap();
    let c = load(&main).unwrap();
    let names: Vec<&[u8]> = c.jails.iter().map(|j| j.name.as_slice()).collect();
    assert_eq!(names, [&b"first"[..], b"last"]);
    assert_eq!(c.stops.len(), 1);
    assert_eq!(&*c.stops[0].loc.file, d.join("inc.conf").as_path());
}

/// Class 4. config.c `add_param` (lines 366-486) inserts a new variable
/// into the jail's list (line 465) before it finds that the name is a
/// parameter's (lines 469-484): it warns and fails the jail, but the
/// variable stays, so `${path}` finds it (the lookup at 201-203 compares
/// names only). A later `path = …` meets the variable (437) and is
/// refused; jail(8) warns again, which is the same cause: one problem.
#[test]
fn class4_variable_named_like_a_parameter_stays_defined() {
    let c = parse("${path} = /x;\nj { path = \"/j\"; exec.start = \"ls ${path}\"; }\n");
    let j = c.jail("j").unwrap();
    assert_eq!(texts(j, "exec.start"), ["ls /x"]);
    assert!(j.get("path").is_none(), "the parameter is refused");
    let problems: Vec<(u32, &str)> = j
        .problems
        .iter()
        .map(|p| (p.loc.line, p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [(
            1,
            "variable \"$path\" cannot have the same name as a parameter."
        )]
    );
    // The parameter first: the variable is refused, `$path` is the
    // parameter's value.
    let c = parse("j { path = \"/j\"; $path = \"/x\"; p = \"$path\"; }");
    let j = c.jail("j").unwrap();
    assert_eq!(texts(j, "p"), ["/j"]);
    assert_eq!(j.problems.len(), 1);
}

/// D4: byacc's stack (YYMAXDEPTH 10,000 entries, skeleton.c) holds 3,332
/// nested blocks; jail(8) refuses the next `{` ("yacc stack overflow").
/// The parser keeps no call frame per block, so 30,000 are an ordinary
/// error (file, line) on a 2 MiB test thread, not a stack overflow.
#[test]
fn d4_nesting_is_limited_like_byacc_and_never_overflows() {
    let ok = "a {\n".repeat(parser::MAX_NESTING) + &"}\n".repeat(parser::MAX_NESTING);
    let c = parse(&ok);
    assert_eq!(c.jails.len(), parser::MAX_NESTING);
    let deep = 30_000;
    let text = "a {\n".repeat(deep) + &"}\n".repeat(deep);
    let (line, col, message) = syntax_error(&text);
    assert_eq!((line, col), (parser::MAX_NESTING as u32 + 1, 3));
    assert!(message.contains("yacc stack overflow"), "{message}");
}

/// D4 across includes (review 13, F6): each included file is parsed by
/// its own `yyparse`, whose stack (a `%pure-parser`'s local, byacc
/// skeleton.c `body_vars`) starts empty, so the limit is per file: 2,000
/// levels around an `.include` of a file with 2,000 more are accepted, and
/// an included file of its own too deep is refused there.
#[test]
fn d4_nesting_is_per_file_across_includes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nest = |name: &str, n: usize, inside: &str| {
        format!(
            "{}{inside}{}",
            format!("{name} {{\n").repeat(n),
            "}\n".repeat(n)
        )
    };
    let main = write(
        d,
        "jail.conf",
        &nest("a", 2000, ".include \"inner.conf\";\n"),
    );
    write(d, "inner.conf", &nest("b", 2000, ""));
    let c = load(&main).unwrap();
    assert_eq!(c.jails.len(), 4000);
    // Deepest: the outer file's blocks, then the inner file's, as jail(8)
    // nests the included jails in the enclosing block.
    let deepest = format!("{}{}", "a.".repeat(2000), "b.".repeat(2000));
    assert!(c.jail(&deepest[..deepest.len() - 1]).is_some());
    write(d, "inner.conf", &nest("b", parser::MAX_NESTING + 1, ""));
    match load(&main) {
        Err(Error::Syntax(e)) => {
            assert_eq!(&*e.loc.file, d.join("inner.conf").as_path());
            assert_eq!(e.loc.line, parser::MAX_NESTING as u32 + 1);
            assert!(e.message.contains("in this file"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

/// D15(d): a chain of variables costs what it writes. jail(8) resolves
/// one by moving it before the parameter that needs it (config.c
/// `load_config`, `TAILQ_INSERT_BEFORE`); here the list is linked and the
/// names are in a map, so 100,000 chained variables take well under a
/// second in a release build (they took 91 s).
#[test]
fn d15_variable_chains_are_linear() {
    let n = 20_000;
    let mut forward = String::from("$v0 = \"x\";\n");
    let mut backward = String::new();
    for i in 1..n {
        forward.push_str(&format!("$v{i} = \"$v{}\";\n", i - 1));
        backward.push_str(&format!("$v{} = \"${{v{}}}\";\n", n - i, n - i - 1));
    }
    backward.push_str("$v0 = \"y\";\n");
    let t = std::time::Instant::now();
    for (text, want) in [(forward, "x"), (backward, "y")] {
        let c = parse(&(text + &format!("j {{ p = \"$v{}\"; }}\n", n - 1)));
        assert_eq!(texts(c.jail("j").unwrap(), "p"), [want]);
    }
    // Unoptimised, on a shared machine: linear takes a second or two,
    // quadratic took minutes.
    assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
}

/// A few lines that double a value thirty times are refused before they
/// fill memory (eval::MAX_EXPANSION).
#[test]
fn exponential_expansion_is_refused() {
    let mut text = String::from("$v0 = \"xxxxxxxxxxxxxxxx\";\n");
    for i in 1..40 {
        text.push_str(&format!("$v{i} = \"$v{}$v{}\";\n", i - 1, i - 1));
    }
    text.push_str("j { p = \"$v39\"; }\n");
    match parse_str(&text, Path::new("/etc/jail.conf")) {
        Err(e @ Error::Expansion { .. }) => {
            assert!(e.to_string().contains("256 MiB"), "{e}");
        }
        other => panic!("{:?}", other.map(|c| c.jails.len())),
    }
}

/// D8's third case: a wildcard block after a jail has the last word
/// (config.c `load_config`, `seq` order), and its `=` replaces the jail's
/// `+=` addm; the value thrown away is kept, as written, with the
/// statement that replaced it.
#[test]
fn replaced_values_are_kept_with_their_replacer() {
    let c = parse(concat!(
        "j { exec.prestart += \"rjib addm $name em0\"; }\n",
        "* { exec.prestart = \"logger starting\"; }\n",
    ));
    let j = c.jail("j").unwrap();
    assert_eq!(texts(j, "exec.prestart"), ["logger starting"]);
    assert_eq!(j.replaced.len(), 1);
    let r = &j.replaced[0];
    assert_eq!(r.param, b"exec.prestart");
    assert_eq!(r.value.text, b"rjib addm ${name} em0");
    assert_eq!((r.value.loc.line, r.by.line), (1, 2));
    assert!(r.by_other_block);
    // Replaced in the jail's own block: said so.
    let c = parse("* { exec.prestart = \"rjib addm $name em0\"; }\nj { exec.prestart = x; }\n");
    let r = &c.jail("j").unwrap().replaced[0];
    assert_eq!(
        (r.value.loc.line, r.by.line, r.by_other_block),
        (1, 2, false)
    );
}
