//! `lore check`: broken links, fragments and images of the site, each
//! named with its note and line; web links checked politely with
//! `--external`.

use std::time::Duration;

use crate::server::{Behaviour, TestServer};
use crate::util::*;

fn notes_with_broken_links(kb: &Kb) {
    kb.write(
        "content/a.md",
        "---\ntitle: \"A\"\n---\n# Top\n\nSee [[b#Part Two]] and [[b#Nowhere]].\n\n\
         ![pic](assets/none.png)\n\n[[ghost]] and [back](b.md#part-two)\n",
    );
    kb.write("content/b.md", "## Part Two\n\ntext [up](a.md#top)\n");
}

#[test]
fn check_names_every_broken_link_with_its_note_and_line_and_exits_2() {
    let kb = Kb::new();
    notes_with_broken_links(&kb);
    let out = kb.lore(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "content/a.md:6: broken link ../notes/b.html#nowhere (notes/b.html has no #nowhere)",
            "content/a.md:8: broken link assets/none.png (no file notes/assets/none.png in the site)",
            "content/a.md:10: broken link ghost (no note of that name)",
        ],
        "{stdout}"
    );
    assert!(!kb.path("public").exists(), "check writes no site");
    // Fixed, the same site checks clean.
    kb.write(
        "content/a.md",
        "---\ntitle: \"A\"\n---\n# Top\n\nSee [[b#Part Two]].\n\n![pic](assets/pic.png)\n",
    );
    kb.write("content/assets/pic.png", "\u{89}PNG\r\n");
    let out = kb.lore(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn external_links_are_checked_politely_and_a_working_one_is_remembered() {
    let slow = |b| Behaviour::delayed(Duration::from_millis(150), b);
    let server = TestServer::start([
        ("/ok", slow(Behaviour::page("fine", "text/html"))),
        ("/also", slow(Behaviour::page("fine", "text/html"))),
        ("/third", slow(Behaviour::page("fine", "text/html"))),
        ("/gone", slow(Behaviour::Status(404))),
    ]);
    let kb = Kb::new();
    kb.write("config.toml", "[fetch]\nper_host = 1\nretries = 0\n");
    kb.write(
        "content/a.md",
        &format!(
            "---\ntitle: \"A\"\n---\nOne [ok]({}) and [also]({}).\n\n[third]({})\n\n[gone]({})\n",
            server.url("/ok"),
            server.url("/also"),
            server.url("/third"),
            server.url("/gone")
        ),
    );
    let out = kb.lore(&["check", "--external"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "content/a.md:8: broken link {} (HTTP 404 Not Found)",
            server.url("/gone")
        )
    );
    assert_eq!(server.max_in_flight(), 1, "per_host = 1 is honoured");
    // Without --external, web links are not asked.
    assert_eq!(kb.lore(&["check"]).status.code(), Some(0));
    kb.lore(&["check", "--external"]);
    assert_eq!(server.hits("/ok"), 1, "a working link is remembered");
    assert_eq!(server.hits("/gone"), 2, "a broken one is asked again");
}
