//! Relate and vault: series and posts on the same tools find each other,
//! `lore related` says why, links between posts become wikilinks, pages
//! list backlinks, embeds render, broken links are reported, and the vault
//! passes a checker nobody here wrote (obsidian-export).

use std::process::Command;

use crate::util::*;

/// Posts (title, slug, tags, HTML) on a small blog.
const POSTS: &[(&str, &str, &str, &str)] = &[
    (
        "Writing a parser in Rust, part 1",
        "parser-1",
        "rust",
        "<p>We start a recursive descent parser: tokens, a lexer and the grammar of arithmetic expressions.</p>",
    ),
    (
        "Writing a parser in Rust, part 2",
        "parser-2",
        "rust",
        "<p>Part two of the parser: precedence climbing and error recovery in the lexer and grammar.</p>\
         <p>Start with <a href=\"http://www.blog.example/parser-1/?utm_source=rss\">the first part</a>.</p>",
    ),
    (
        "[1/2] Growing tomatoes on a balcony",
        "tomatoes-1",
        "garden",
        "<p>Tomatoes need sun, deep pots and steady watering; seedlings go out after the frost.</p>",
    ),
    (
        "[2/2] Growing tomatoes on a balcony",
        "tomatoes-2",
        "garden",
        "<p>Pruning tomatoes, feeding the pots and picking before the first autumn frost.</p>",
    ),
    (
        "Kafka consumer lag, explained",
        "kafka-lag",
        "streaming",
        "<p>Kafka consumer groups fall behind when partitions outgrow consumers; lag is offsets not yet read.</p>",
    ),
    (
        "Flink or Kafka Streams for stateful jobs",
        "flink-kafka",
        "streaming",
        "<p>Kafka Streams runs inside your service; Flink runs a cluster with checkpoints and state backends.</p>",
    ),
];

fn blog_feed() -> String {
    let items: String = POSTS
        .iter()
        .map(|(title, slug, tag, html)| {
            format!(
                "<item><title>{}</title><link>https://blog.example/{slug}/</link><category>{tag}</category>\
                 <pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>{}</description></item>",
                title.replace('&', "&amp;"),
                html.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
         <link>https://blog.example/</link>{items}</channel></rss>"
    )
}

fn blog() -> Kb {
    let kb = Kb::new();
    kb.write("feeds/blog.xml", &blog_feed());
    kb.write("config.toml", "[[sources]]\npath = \"feeds/blog.xml\"\n");
    kb
}

fn first_related(kb: &Kb, file: &str) -> String {
    let notes = kb.notes();
    let (_, front, _) = notes.iter().find(|(f, _, _)| f == file).expect(file);
    list_field(front, "related")[0].clone()
}

#[test]
fn series_and_posts_on_the_same_tools_relate_and_lore_related_says_why() {
    let kb = blog();
    kb.lore_ok(&["build"]);
    for (note, expected) in [
        (
            "writing-a-parser-in-rust-part-1.md",
            "[[writing-a-parser-in-rust-part-2]]",
        ),
        (
            "writing-a-parser-in-rust-part-2.md",
            "[[writing-a-parser-in-rust-part-1]]",
        ),
        (
            "1-2-growing-tomatoes-on-a-balcony.md",
            "[[2-2-growing-tomatoes-on-a-balcony]]",
        ),
        (
            "2-2-growing-tomatoes-on-a-balcony.md",
            "[[1-2-growing-tomatoes-on-a-balcony]]",
        ),
        (
            "kafka-consumer-lag-explained.md",
            "[[flink-or-kafka-streams-for-stateful-jobs]]",
        ),
    ] {
        assert_eq!(first_related(&kb, note), expected, "{note}");
    }
    let out = kb.lore(&["related", "Kafka consumer lag, explained"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().nth(1).unwrap_or_default();
    assert!(first.contains("Flink or Kafka Streams"), "{stdout}");
    let why = stdout.lines().nth(2).unwrap_or_default();
    assert!(why.contains("shared:") && why.contains("kafka"), "{stdout}");
    assert!(!kb.lore(&["related", "no such note"]).status.success());
}

#[test]
fn a_link_to_another_post_becomes_a_wikilink_and_a_backlink() {
    let kb = blog();
    kb.lore_ok(&["build"]);
    let part2 = kb.read("content/writing-a-parser-in-rust-part-2.md");
    assert!(
        part2.contains("[[writing-a-parser-in-rust-part-1|the first part]]"),
        "{part2}"
    );
    let page2 = kb.read("public/notes/writing-a-parser-in-rust-part-2.html");
    assert!(
        page2.contains("href=\"../notes/writing-a-parser-in-rust-part-1.html\">the first part</a>")
    );
    let page1 = kb.read("public/notes/writing-a-parser-in-rust-part-1.html");
    let backlinks = page1
        .split("Backlinks")
        .nth(1)
        .expect("a backlinks section");
    assert!(
        backlinks.contains("writing-a-parser-in-rust-part-2.html"),
        "{page1}"
    );
    // Each note reaches its tag and source indexes.
    assert!(page1.contains("href=\"../tags/rust.html\""));
    assert!(page1.contains("href=\"../sources/blog.html\""));
}

#[test]
fn hand_written_links_and_embeds_render_and_broken_ones_are_reported() {
    let kb = blog();
    std::fs::create_dir_all(kb.path("content/assets")).unwrap();
    std::fs::write(
        kb.path("content/assets/diagram.png"),
        b"\x89PNG\r\n\x1a\nfake",
    )
    .unwrap();
    kb.write(
        "content/My reading list.md",
        "# My reading list\n\n- [[writing-a-parser-in-rust-part-1|Parser, part 1]]\n\
         - [[writing-a-parser-in-rust-part-2#Error recovery]]\n- [[Nowhere at all]]\n\n\
         ![[diagram.png]]\n\n![[missing.png]]\n",
    );
    let stderr = kb.lore_ok(&["build"]);
    assert!(
        stderr.contains("My reading list.md") && stderr.contains("Nowhere at all"),
        "{stderr}"
    );
    assert!(stderr.contains("missing.png"), "{stderr}");
    let page = kb.read("public/notes/my-reading-list.html");
    assert!(
        page.contains("href=\"../notes/writing-a-parser-in-rust-part-1.html\">Parser, part 1</a>")
    );
    assert!(page.contains("href=\"../notes/writing-a-parser-in-rust-part-2.html#error-recovery\""));
    assert!(
        page.contains("<img src=\"../assets/diagram.png\""),
        "{page}"
    );
    assert!(kb.path("public/assets/diagram.png").is_file());
    assert!(page.contains("broken-link"));
    let part1 = kb.read("public/notes/writing-a-parser-in-rust-part-1.html");
    assert!(
        part1.contains("my-reading-list.html"),
        "the hand-written note is a backlink"
    );
}

#[test]
fn lore_vault_writes_the_notes_alone() {
    let kb = blog();
    let out = kb.path("export");
    kb.lore_ok(&["vault", "--out", out.to_str().unwrap(), "--obsidian"]);
    let notes: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .collect();
    assert_eq!(notes.len(), POSTS.len());
    let app = std::fs::read_to_string(out.join(".obsidian/app.json")).unwrap();
    assert!(app.contains("\"useMarkdownLinks\": false"));
    assert!(!kb.path("public").exists(), "no site");
}

/// obsidian-export (zoni/obsidian-export) parses every note, its front
/// matter with a strict YAML parser, and resolves every link and embed.
fn obsidian_export() -> Option<&'static str> {
    if std::env::var_os("LORE_SKIP_OBSIDIAN_EXPORT").is_some() {
        return None;
    }
    let found = Command::new("obsidian-export")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "this test needs obsidian-export: cargo install obsidian-export --locked \
         (or set LORE_SKIP_OBSIDIAN_EXPORT=1)"
    );
    Some("obsidian-export")
}

#[test]
fn the_seed_vault_exports_with_obsidian_export_without_warnings() {
    let Some(tool) = obsidian_export() else {
        return;
    };
    let kb = Kb::new();
    let mut config = String::new();
    for seed in std::fs::read_dir(shared("seeds")).unwrap() {
        let path = seed.unwrap().path();
        if path.extension().is_some_and(|x| x == "txt") {
            config.push_str(&format!("[[sources]]\npath = \"{}\"\n", path.display()));
        }
    }
    kb.write("config.toml", &config);
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/jekyll.xml");
    kb.write(
        "content/Index of reading.md",
        "Start at [[10-lessons-learned-in-10-years-of-data-1-2]].\n",
    );
    kb.lore_ok(&["import", "feeds/jekyll.xml"]);
    kb.lore_ok(&["build"]);
    let out = kb.path("exported");
    std::fs::create_dir_all(&out).unwrap();
    let result = Command::new(tool)
        .arg(kb.path("content"))
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "obsidian-export failed:\n{stderr}");
    assert!(!stderr.contains("Warning"), "{stderr}");
    let count_md = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "md")
            })
            .count()
    };
    assert!(count_md(&out) > 75);
    assert_eq!(count_md(&out), count_md(&kb.path("content")));
}
