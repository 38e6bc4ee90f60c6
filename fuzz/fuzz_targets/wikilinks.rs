//! A note body through the site's markdown renderer, after `link_notes` has
//! turned links to other notes' pages into wikilinks: whatever the body
//! holds, the page gets no script, no script URL and no event handler.
#![no_main]

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use lore::model::{FrontMatter, Note, Ownership};
use lore::notes::links::link_notes;
use lore::render::highlight::Highlighter;
use lore::render::markdown::{Links, by_file_name, render};

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(Highlighter::default);

fn note(path: &str, url: &str, body: &str) -> Note {
    Note {
        path: path.to_string(),
        front: FrontMatter {
            title: path.to_string(),
            url: Some(url.to_string()),
            ..FrontMatter::default()
        },
        body: body.into(),
        ownership: Ownership::Lore,
    }
}

fuzz_target!(|body: &str| {
    lore_fuzz::let_lore_catch_its_panics();
    let mut notes = vec![
        note("alpha.md", "https://example.test/alpha/", ""),
        note(
            "posts/beta.md",
            "https://www.example.test/beta?utm_source=x",
            "",
        ),
        note("fuzz.md", "https://example.test/fuzz", body),
    ];
    link_notes(&mut notes);
    let body = &notes[2].body;

    let urls: HashMap<String, String> = [
        ("alpha", "alpha/"),
        ("beta", "posts/beta/"),
        ("fuzz", "fuzz/"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let attachments: HashSet<String> = ["img/cat.png", "doc.pdf"]
        .into_iter()
        .map(String::from)
        .collect();
    let attachments_by_name = by_file_name(&attachments);
    let image_sizes: HashMap<String, (u32, u32)> =
        [("img/cat.png".to_string(), (640, 480))].into();
    let paths: HashMap<String, String> = [("posts/beta", "posts/beta/")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let links = Links {
        urls: &urls,
        paths: &paths,
        // A person's own note: callouts, math and Mermaid are drawn too.
        own: true,
        root: "../",
        attachments: &attachments,
        note_dir: "",
        attachments_by_name: &attachments_by_name,
        image_sizes: &image_sizes,
    };
    let rendered = render(body, &links, &HIGHLIGHTER);
    lore_fuzz::assert_rendered_html_is_safe(&rendered.html, body);
});
