//! The vault survives people: edits are kept, deletions stay deleted,
//! re-runs are stable.

use crate::util::*;

fn kb_with_feed() -> Kb {
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/blog.txt");
    kb.write("config.toml", "[[sources]]\npath = \"feeds/blog.txt\"\n");
    kb
}

#[test]
fn editing_a_note_then_rebuilding_keeps_the_edit() {
    let kb = kb_with_feed();
    kb.lore_ok(&["build"]);
    let path = "content/drift-is-a-data-problem.md";
    let edited = kb
        .read(path)
        .replace("Models drift", "MY OWN WORDS: models drift");
    kb.write(path, &edited);
    // The feed changes upstream too: the user's edit still wins.
    let feed = kb
        .read("feeds/blog.txt")
        .replace("Cache the features", "Upstream rewrote this");
    kb.write("feeds/blog.txt", &feed);
    let stderr = kb.lore_ok(&["build"]);
    assert_eq!(kb.read(path), edited, "the edited note is untouched");
    assert!(stderr.contains("edited by you and kept"), "{stderr}");
    assert!(
        kb.read("public/notes/drift-is-a-data-problem.html")
            .contains("MY OWN WORDS"),
        "the site shows the edit"
    );
    // The new upstream version is set aside for the user, and said once.
    let upstream = ".lore/conflicts/drift-is-a-data-problem.md";
    assert!(stderr.contains(upstream), "{stderr}");
    assert!(kb.read(upstream).contains("Upstream rewrote this"));
    assert!(!kb.read(upstream).contains("MY OWN WORDS"));
    let again = kb.lore_ok(&["build"]);
    assert!(!again.contains(upstream), "reported twice:\n{again}");
    assert_eq!(kb.read(path), edited);
}

#[test]
fn an_edited_note_with_an_unchanged_source_raises_no_conflict() {
    let kb = kb_with_feed();
    kb.lore_ok(&["build"]);
    let path = "content/drift-is-a-data-problem.md";
    let edited = kb.read(path).replace("Models drift", "Mine: models drift");
    kb.write(path, &edited);
    // Another item arriving changes related lists, not this note's source.
    let feed = kb.read("feeds/blog.txt").replace(
        "</channel>",
        "<item><title>Extra</title><link>https://blog.example/extra</link>\
         <description>features drift models</description></item></channel>",
    );
    kb.write("feeds/blog.txt", &feed);
    let stderr = kb.lore_ok(&["build"]);
    assert!(!stderr.contains("conflicts"), "{stderr}");
    assert!(!kb.path(".lore/conflicts").exists());
    assert_eq!(kb.read(path), edited);
}

#[test]
fn an_unedited_note_follows_its_feed() {
    let kb = kb_with_feed();
    kb.lore_ok(&["build"]);
    let feed = kb
        .read("feeds/blog.txt")
        .replace("Cache the features", "Upstream rewrote this");
    kb.write("feeds/blog.txt", &feed);
    kb.lore_ok(&["build"]);
    assert!(
        kb.read("content/drift-is-a-data-problem.md")
            .contains("Upstream rewrote this")
    );
}

#[test]
fn a_deleted_note_stays_deleted_unless_restored() {
    let kb = kb_with_feed();
    kb.lore_ok(&["build"]);
    let path = kb.path("content/drift-is-a-data-problem.md");
    std::fs::remove_file(&path).unwrap();
    let stderr = kb.lore_ok(&["build"]);
    assert!(!path.exists(), "came back without --restore");
    assert!(stderr.contains("--restore"), "{stderr}");
    kb.lore_ok(&["build", "--restore"]);
    assert!(path.exists());
}

#[test]
fn titles_that_break_naive_yaml_stay_valid() {
    let kb = Kb::new();
    let title = "Colons: \"quotes\" #hash &amp; a [bracket] - yes";
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>T</title><link>https://t.example/</link>\
         <item><title>{}</title><link>https://t.example/a</link><description>x</description></item></channel></rss>",
        title.replace('"', "&quot;")
    );
    kb.write("feed.xml", &feed);
    kb.lore_ok(&["import", "feed.xml"]);
    let notes = kb.notes();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        text_field(&notes[0].1, "title"),
        "Colons: \"quotes\" #hash & a [bracket] - yes"
    );
}

#[test]
fn the_same_item_from_two_sources_is_one_note() {
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "a.xml");
    kb.copy_fixture("traps/jekyll-rss.txt", "b.xml");
    kb.lore_ok(&["import", "a.xml", "b.xml"]);
    assert_eq!(kb.notes().len(), 2);
}
