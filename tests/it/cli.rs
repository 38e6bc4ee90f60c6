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
fn a_bad_config_is_a_clear_error() {
    let kb = Kb::new();
    kb.write("config.toml", "titel = \"typo\"\n");
    let out = kb.lore(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml") && stderr.contains("titel"),
        "{stderr}"
    );
}
