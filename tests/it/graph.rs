//! The graph: each note page draws its neighbourhood (links, backlinks,
//! related notes) in the browser, from what the page lists, as SVG whose
//! nodes are links; graph.html draws the whole knowledge base, or past a
//! thousand notes a summary of it.

use crate::browser::{chromium, dump_dom};
use crate::util::*;

fn note(kb: &Kb, name: &str, tags: &str, related: &str, body: &str) {
    kb.write(
        &format!("content/{name}.md"),
        &format!(
            "---\ntitle: \"Note {name}\"\ndate: 2024-01-0{}T10:00:00\ntags: [{tags}]\nrelated: [{related}]\n---\n{body}\n",
            1 + name.len() % 9
        ),
    );
}

/// The `<a>` nodes of a page's neighbourhood drawing: (href, class).
fn graph_nodes(html: &str) -> Vec<(String, String)> {
    let start = html
        .find("<svg class=\"graph graph-local\"")
        .expect("a neighbourhood graph");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    regex::Regex::new(r#"<a href="([^"]+)" class="node ([^"]+)"><title>"#)
        .unwrap()
        .captures_iter(svg)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

#[test]
fn a_note_page_draws_its_links_backlinks_and_related_notes() {
    let kb = Kb::new();
    note(&kb, "a", "", "\"e\"", "Links to [[b]] and [[d]].");
    note(&kb, "b", "", "", "Back to [[a]].");
    note(&kb, "c", "", "", "Points at [[a]] and [[b]].");
    note(&kb, "d", "", "", "A leaf.");
    note(&kb, "e", "", "", "Related only.");
    note(&kb, "alone", "", "", "Nothing links here.");
    kb.write("config.toml", "[related]\nmax = 0\n");
    kb.lore_ok(&["build"]);
    // The page holds no drawing, only where it goes (in the right column)
    // and which neighbours link each other: c links b.
    let page = kb.read("public/notes/a.html");
    assert!(!page.contains("<svg"), "no drawing in the page's bytes");
    let side = page
        .find("<aside class=\"note-side\"")
        .expect("a right column");
    let holder = page.find("<div class=\"note-graph\"").expect("a graph");
    assert!(side < holder && holder < page[side..].find("</aside>").unwrap() + side);
    assert!(
        page.contains("data-between='[[\"notes/b.html\", \"notes/c.html\"]]'"),
        "{page}"
    );
    assert!(!kb.read("public/notes/alone.html").contains("note-graph"));

    if let Some(browser) = chromium() {
        let dom = |name: &str| {
            let url = format!(
                "file://{}",
                kb.path(&format!("public/notes/{name}.html")).display()
            );
            dump_dom(browser, &url)
        };
        let a = dom("a");
        let mut nodes = graph_nodes(&a);
        nodes.sort();
        assert_eq!(
            nodes,
            [
                ("../notes/b.html".to_string(), "tie-mutual".to_string()),
                ("../notes/c.html".to_string(), "tie-in".to_string()),
                ("../notes/d.html".to_string(), "tie-out".to_string()),
                ("../notes/e.html".to_string(), "tie-related".to_string()),
            ]
        );
        // Named for screen readers, said in words, a line between the
        // neighbours that link, shown.
        assert!(a.contains("<title id=\"local-graph-title\">Notes around Note a</title>"));
        assert!(a.contains("Notes: 1 linked both ways, 1 it links to, 1 linking to it, 1 related"));
        assert!(a.contains("<title>Note b</title>"));
        assert_eq!(a.matches("class=\"edge edge-between\"").count(), 1, "{a}");
        assert!(a.contains("<h2 id=\"graph-heading\">Neighbourhood</h2>"));
        assert!(!a.contains("id=\"note-graph\" hidden"), "{a}");
        // The key names only the ties drawn.
        assert!(a.contains("</span>links both ways</li>") && a.contains("</span>related</li>"));
        assert!(a.contains("<a href=\"../graph.html\">Graph of all notes</a>"));
        // d sees a as a backlink.
        let d = dom("d");
        assert_eq!(
            graph_nodes(&d),
            [("../notes/a.html".to_string(), "tie-in".to_string())]
        );
        assert!(d.contains("</span>links here</li>") && !d.contains("</span>related</li>"));
    }

    // The graph page draws every note as a link, from file:// too (relative links).
    let graph = kb.read("public/graph.html");
    for name in ["a", "b", "c", "d", "e", "alone"] {
        assert!(
            graph.contains(&format!(
                "<a href=\"notes/{name}.html\" class=\"node\"><title>Note {name}</title>"
            )),
            "{name}"
        );
    }
    assert!(
        graph.contains(
            "6 notes · 4 links between them · 1 more pair related by content · 1 with no tie"
        ),
        "{graph}"
    );
    kb.lore_ok(&["check"]);
}

#[test]
fn past_a_thousand_notes_the_graph_page_summarises_by_tag_and_hub() {
    let kb = Kb::new();
    for i in 0..1001 {
        let tags = if i % 2 == 0 {
            "\"even\", \"all\""
        } else {
            "\"odd\", \"all\""
        };
        let body = if i > 0 {
            "See [[n0]].".to_string()
        } else {
            String::new()
        };
        kb.write(
            &format!("content/n{i}.md"),
            &format!("---\ntitle: \"N{i}\"\ntags: [{tags}]\n---\n{body}\n"),
        );
    }
    kb.write("config.toml", "[related]\nmax = 0\n");
    kb.lore_ok(&["build"]);
    let graph = kb.read("public/graph.html");
    assert!(
        !graph.contains("whole-graph"),
        "1,001 notes are not drawn one by one"
    );
    assert!(graph.contains("<title id=\"tag-clusters-title\">The 3 most used tags</title>"));
    for tag in ["all", "even", "odd"] {
        assert!(
            graph.contains(&format!(
                "<a href=\"tags/{tag}.html\" class=\"node\"><title>{tag}</title>"
            )),
            "{tag}"
        );
    }
    // The hub every note links to leads the most connected.
    let hubs = &graph[graph.find("Most connected notes").unwrap()..];
    assert!(
        hubs.contains(
            "<li><a href=\"notes/n0.html\">N0</a> <span class=\"muted\">1000 ties</span></li>"
        ),
        "{hubs}"
    );
    assert!(
        graph.len() < 100_000,
        "the summary stays small: {} bytes",
        graph.len()
    );
}
