//! The command line itself: help, init, import.

use crate::util::*;

#[test]
fn every_command_has_help() {
    let kb = Kb::new();
    for command in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["import", "--help"],
        vec!["build", "--help"],
    ] {
        let out = kb.lore(&command);
        assert!(out.status.success(), "{command:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{command:?}"
        );
    }
}

#[test]
fn init_then_build_gives_a_site() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "kb"]);
    assert!(kb.read("kb/config.toml").contains("[[sources]]"));
    let out = assert_cmd::cargo::cargo_bin_cmd!("lore")
        .current_dir(kb.path("kb"))
        .arg("build")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(kb.path("kb/public/index.html").is_file());
    assert_eq!(
        std::fs::read_dir(kb.path("kb/content")).unwrap().count(),
        1,
        "the example item became a note"
    );
    let again = kb.lore(&["init", "kb"]);
    assert!(
        !again.status.success(),
        "init refuses to overwrite a knowledge base"
    );
}

#[test]
fn import_writes_notes_but_no_site() {
    let kb = Kb::new();
    kb.copy_fixture("traps/forem-rss.txt", "forem.txt");
    kb.lore_ok(&["import", "forem.txt", "--tag", "reading"]);
    let notes = kb.notes();
    assert_eq!(notes.len(), 1);
    assert!(list_field(&notes[0].1, "tags").contains(&"reading".to_string()));
    assert!(!kb.path("public").exists());
}

#[test]
fn a_misspelt_config_key_is_named_once_with_its_line_and_a_suggestion() {
    let kb = Kb::new();
    kb.write("config.toml", "title = \"x\"\ntitel = \"typo\"\n");
    let out = kb.lore(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml: line 2: there is no key `titel`; did you mean `title`?"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("titel").count(), 1, "{stderr}");
    assert!(!stderr.contains("invalid TOML"), "{stderr}");
}

/// Runs lore and returns (exit code, stderr).
fn run(kb: &Kb, args: &[&str]) -> (Option<i32>, String) {
    let out = kb.lore(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn building_where_there_is_no_knowledge_base_is_an_error_that_leaves_nothing() {
    let kb = Kb::new();
    let (code, stderr) = run(&kb, &["build"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("no knowledge base") && stderr.contains("lore init"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(kb.dir.path()).unwrap().count(),
        0,
        "it left files"
    );

    let (code, stderr) = run(&kb, &["vault", "--out", "x"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no knowledge base"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
}

#[test]
fn a_theme_that_does_not_exist_is_an_error() {
    let kb = Kb::new();
    kb.write("config.toml", "theme = \"dark\"\n");
    kb.write("content/a.md", "---\ntitle: A\n---\nbody");
    let (code, stderr) = run(&kb, &["build"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("theme = \"dark\"") && stderr.contains("themes/dark"),
        "{stderr}"
    );
    assert!(!kb.path("public").exists());
}

#[test]
fn malformed_addresses_are_refused_and_change_nothing() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "."]);
    let config = kb.read("config.toml");
    for address in ["https://", "http:///feed.xml"] {
        let (code, stderr) = run(&kb, &["add", address]);
        assert_eq!(code, Some(1), "{address}: {stderr}");
        assert!(stderr.contains("not a complete web address"), "{stderr}");
    }
    let (code, stderr) = run(&kb, &["add", "htp://example.org/feed"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("`htp://`") && !stderr.contains("no such file"),
        "{stderr}"
    );
    let (code, stderr) = run(&kb, &["import", "htp://example.org/feed"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("`htp://`"), "{stderr}");
    assert_eq!(kb.read("config.toml"), config);

    let (code, stderr) = run(&kb, &["build", "--offline", "--base-url", "notaurl"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("notaurl") && stderr.contains("https://"),
        "{stderr}"
    );
    assert!(!kb.path("public").exists());
}

#[test]
fn usage_errors_have_their_own_exit_code() {
    let kb = Kb::new();
    let (code, stderr) = run(&kb, &["build", "--no-such-flag"]);
    assert_eq!(code, Some(64), "{stderr}");
    let (code, _) = run(&kb, &["frobnicate"]);
    assert_eq!(code, Some(64));
    assert_eq!(run(&kb, &["--version"]).0, Some(0));
}
