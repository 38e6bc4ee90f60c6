//! Reading `llms.txt` and `llms-full.txt` text into posts.
//!
//! This module owns the llms.txt family of formats: telling such a document
//! apart from other text ([`sniff`]) and reading it into a [`LlmsDoc`]: the
//! `# Name`, the `> summary` and one [`LlmsPost`] per post ([`parse`]). It
//! does no I/O: the caller hands it already decoded text.
//!
//! Two shapes are read:
//!
//! * a plain `llms.txt` index (llmstxt.org): `# Name`, `> summary`, then
//!   `## Section` headings over lists of `- [name](url): notes` links. Each
//!   link becomes a post whose body is its notes;
//! * an `llms-full.txt` dump (no spec): the index, then every post as
//!   `## Title`, a `URL: …` line, an optional `Date: …` line and the post's
//!   markdown. When such posts are present they are the posts, and the index
//!   links are not.
//!
//! Some dumps arrive with every newline collapsed into one space, so the
//! whole file is a single line. Such a document (fewer than one newline per
//! [`COLLAPSED_CHARS_PER_NEWLINE`] bytes) is split on `## Title URL: http…`
//! headers, and each body gets its block structure back from the markers
//! that survived (headings, list items, block quotes, code fences, images,
//! thematic breaks); see [`recover_blocks`] for the heuristics. Everything is
//! linear in the input size and nothing here panics on any input.

use std::collections::HashMap;

mod blocks;
mod collapsed;
mod headings;
mod helpers;
mod multiline;

use blocks::*;
use collapsed::*;
use headings::*;
use helpers::*;
use multiline::*;

/// One post found in an llms.txt / llms-full.txt document.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmsPost {
    pub title: String,
    pub url: Option<String>,
    /// The date as written in the document (not parsed).
    pub date: Option<String>,
    /// Markdown.
    pub body: String,
}

/// An llms.txt / llms-full.txt document.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmsDoc {
    /// The `# Name` heading.
    pub name: String,
    /// The `> summary` block quote under the name.
    pub summary: Option<String>,
    pub posts: Vec<LlmsPost>,
}

/// A document with fewer newlines than one per this many bytes had its
/// newlines collapsed into spaces and gets its block structure rebuilt.
const COLLAPSED_CHARS_PER_NEWLINE: usize = 2000;
/// Longest post title accepted before a ` URL:` line, in chars.
const MAX_TITLE_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 300;
const MAX_SUMMARY_CHARS: usize = 2000;
/// How far [`sniff`] looks for link sections or post headers.
const SNIFF_WINDOW: usize = 256 * 1024;
/// Longest `[text]` and `(destination)` of a link we treat as one unit.
const MAX_LINK_TEXT: usize = 2000;
const MAX_LINK_DEST: usize = 4000;
/// Longest inline code span (from opening to closing backticks).
const MAX_CODE_SPAN: usize = 1000;
/// How far a block quote that opens with a quotation mark looks for its close.
const MAX_QUOTE_SPAN: usize = 3000;
/// Longest distance between two list markers of one list, by marker kind.
const MAX_DASH_GAP: usize = 800;
const MAX_ITEM_GAP: usize = 2500;
/// A recovered heading never runs past this many words.
const MAX_HEADING_WORDS: usize = 20;

/// True when the text looks like an llms.txt / llms-full.txt document: it
/// starts (after an optional BOM and whitespace) with `# ` and has either
/// `## ` sections with `- [..](..)` link items or `URL: http…` post headers.
/// Front matter (`---`, `+++`), XML and JSON never start with `# `.
pub fn sniff(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace());
    if !text.starts_with("# ") {
        return false;
    }
    let window = &text[..floor_boundary(text, SNIFF_WINDOW)];
    has_post_header(window) || (has_marker(window, "## ") && has_link_item(window))
}

/// Reads an llms.txt / llms-full.txt document. Never fails: text that is not
/// such a document yields whatever name and posts could be found (often none).
pub fn parse(text: &str) -> LlmsDoc {
    let text = text
        .trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
        .trim_end();
    if text.is_empty() {
        return LlmsDoc {
            name: String::new(),
            summary: None,
            posts: Vec::new(),
        };
    }
    if is_collapsed(text) {
        parse_collapsed(text)
    } else {
        parse_lines(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A collapsed llms-full.txt: index, then three posts, all on one line.
    fn collapsed_fixture() -> String {
        [
            "# Gadget Notes > Field notes on tools and workflows.",
            "## Posts",
            "- [Issue #3: \"Quotes\" & more](https://ex.org/p/three): Third",
            "- [Rocket 🚀 launch](https://ex.org/p/two): Second",
            "- [Plain one](https://ex.org/p/one)",
            "---",
            "# Full Blog Content",
            "## Issue #3: \"Quotes\" & more",
            "URL: https://ex.org/p/three",
            "Date: 2024-03-01T10:00:00.5",
            "## 🔧 Setting up the bench",
            "I started with a clean machine and a fresh shell. Here is what I installed:",
            "* [Tool A](https://a.example) for builds",
            "* [Tool B](https://b.example) for tests",
            "* Tool C for docs",
            "[![](https://img.example/a.png)](https://img.example/a)",
            "### Config file",
            "The config lives in one place.",
            "```toml",
            "[bench] speed = 3",
            "```",
            "That is all, see `a - b` and [the docs](https://d.example).",
            "---",
            "## Rocket 🚀 launch",
            "URL: https://ex.org/p/two",
            "Date: 2024-02-01T09:30:00.25",
            "Launch day went fine.",
            "## What went wrong",
            "Nothing broke.",
            "1. First step here",
            "2. Second step here",
            "> “Ship it.” said the lead.",
            "![chart](https://img.example/c.png)",
            "## Plain one",
            "URL: https://ex.org/p/one",
            "Date: 2024-01-01",
            "Just text with a `code ## span` and a prose dash - like this.",
        ]
        .join(" ")
    }

    #[test]
    fn collapsed_dump_splits_into_posts() {
        let text = collapsed_fixture();
        assert!(!text.contains('\n'));
        let doc = parse(&text);
        assert_eq!(doc.name, "Gadget Notes");
        assert_eq!(
            doc.summary.as_deref(),
            Some("Field notes on tools and workflows.")
        );
        let titles: Vec<&str> = doc.posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Issue #3: \"Quotes\" & more",
                "Rocket 🚀 launch",
                "Plain one"
            ]
        );
        let urls: Vec<Option<&str>> = doc.posts.iter().map(|p| p.url.as_deref()).collect();
        assert_eq!(
            urls,
            [
                Some("https://ex.org/p/three"),
                Some("https://ex.org/p/two"),
                Some("https://ex.org/p/one")
            ]
        );
        let dates: Vec<Option<&str>> = doc.posts.iter().map(|p| p.date.as_deref()).collect();
        assert_eq!(
            dates,
            [
                Some("2024-03-01T10:00:00.5"),
                Some("2024-02-01T09:30:00.25"),
                Some("2024-01-01")
            ]
        );
    }

    #[test]
    fn collapsed_bodies_get_block_structure_back() {
        let doc = parse(&collapsed_fixture());
        let first = &doc.posts[0].body;
        let expected = "## 🔧 Setting up the bench\n\n\
            I started with a clean machine and a fresh shell. Here is what I installed:\n\n\
            * [Tool A](https://a.example) for builds\n\
            * [Tool B](https://b.example) for tests\n\
            * Tool C for docs\n\n\
            [![](https://img.example/a.png)](https://img.example/a)\n\n\
            ### Config file\n\n\
            The config lives in one place.\n\n\
            ```toml\n[bench] speed = 3\n```\n\n\
            That is all, see `a - b` and [the docs](https://d.example).";
        assert_eq!(first, expected);

        let second = &doc.posts[1].body;
        let expected = "Launch day went fine.\n\n\
            ## What went wrong\n\n\
            Nothing broke.\n\n\
            1. First step here\n\
            2. Second step here\n\n\
            > “Ship it.”\n\n\
            said the lead.\n\n\
            ![chart](https://img.example/c.png)";
        assert_eq!(second, expected);

        // Code spans and prose dashes are left alone.
        assert_eq!(
            doc.posts[2].body,
            "Just text with a `code ## span` and a prose dash - like this."
        );
    }

    #[test]
    fn heading_ends_are_guessed() {
        let cases = [
            (
                "## Setup The tool is small.",
                "## Setup\n\nThe tool is small.",
            ),
            (
                "#### 2\\. [Name](https://n.example) Used by many teams.",
                "#### 2\\. [Name](https://n.example)\n\nUsed by many teams.",
            ),
            (
                "## Where does it come from? Nobody knows.",
                "## Where does it come from?\n\nNobody knows.",
            ),
            (
                "### Avoiding Data Loss in Production In short, back up.",
                "### Avoiding Data Loss in Production\n\nIn short, back up.",
            ),
            (
                "## **Read this first** Then the rest.",
                "## **Read this first**\n\nThen the rest.",
            ),
            (
                "### Career moves 🚀 Changing jobs is fine.",
                "### Career moves 🚀\n\nChanging jobs is fine.",
            ),
            (
                "## Lessons from a year of shipping I learned a lot.",
                "## Lessons from a year of shipping\n\nI learned a lot.",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(recover_blocks(input), expected, "for {input:?}");
        }
        // Without any break, a heading stops after MAX_HEADING_WORDS words.
        let long = format!("## {}", "word ".repeat(40));
        let out = recover_blocks(&long);
        let heading = out.lines().next().unwrap_or("");
        assert_eq!(heading.split_whitespace().count(), MAX_HEADING_WORDS + 1);
    }

    #[test]
    fn single_prose_dash_and_lone_items_are_not_lists() {
        let out = recover_blocks("Fast - and cheap. Then 3. items * here.");
        assert_eq!(out, "Fast - and cheap. Then 3. items * here.");
        let out = recover_blocks("Steps: - Open it - Close it");
        assert_eq!(out, "Steps:\n\n- Open it\n- Close it");
    }

    #[test]
    fn multi_line_dump_splits_on_header_lines() {
        let text = "\u{feff}# Gadget Notes\n\n> Field notes.\n\n## Posts\n\n\
            - [First](https://ex.org/1): one\n\n# Full Blog Content\n\n\
            ## First post: \"hello\" #1\nURL: https://ex.org/1\nDate: 2024-01-01T00:00:00\n\n\
            Body line one.\n\n## Sub heading\n\n- a\n- b\n\n---\n\n\
            ## Second\nURL: https://ex.org/2\n\nSecond body.\n";
        assert!(sniff(text));
        let doc = parse(text);
        assert_eq!(doc.name, "Gadget Notes");
        assert_eq!(doc.summary.as_deref(), Some("Field notes."));
        assert_eq!(doc.posts.len(), 2);
        assert_eq!(doc.posts[0].title, "First post: \"hello\" #1");
        assert_eq!(doc.posts[0].url.as_deref(), Some("https://ex.org/1"));
        assert_eq!(doc.posts[0].date.as_deref(), Some("2024-01-01T00:00:00"));
        assert_eq!(
            doc.posts[0].body,
            "Body line one.\n\n## Sub heading\n\n- a\n- b"
        );
        assert_eq!(doc.posts[1].title, "Second");
        assert_eq!(doc.posts[1].date, None);
        assert_eq!(doc.posts[1].body, "Second body.");
    }

    const INDEX: &str = "# Project X\n\n> A small library.\n\nSome intro text.\n\n## Docs\n\n\
        - [Quick start](https://x.dev/start.md): How to begin\n\
        - [API [v2]](https://x.dev/api.md)\n\n## Optional\n\n\
        - [Changelog](https://x.dev/changes.md): All releases\n";

    fn index_posts(doc: &LlmsDoc) -> Vec<(&str, Option<&str>, &str)> {
        doc.posts
            .iter()
            .map(|p| (p.title.as_str(), p.url.as_deref(), p.body.as_str()))
            .collect()
    }

    #[test]
    fn plain_index_gives_one_post_per_link() {
        let expected = vec![
            (
                "Quick start",
                Some("https://x.dev/start.md"),
                "How to begin",
            ),
            ("API [v2]", Some("https://x.dev/api.md"), ""),
            (
                "Changelog",
                Some("https://x.dev/changes.md"),
                "All releases",
            ),
        ];
        let doc = parse(INDEX);
        assert_eq!(doc.name, "Project X");
        assert_eq!(doc.summary.as_deref(), Some("A small library."));
        assert_eq!(index_posts(&doc), expected);
        assert!(doc.posts.iter().all(|p| p.date.is_none()));

        // The same index with its newlines collapsed.
        let collapsed = INDEX.split_whitespace().collect::<Vec<_>>().join(" ");
        let doc = parse(&collapsed);
        assert_eq!(doc.name, "Project X");
        assert!(
            doc.summary
                .as_deref()
                .is_some_and(|s| s.starts_with("A small library."))
        );
        assert_eq!(index_posts(&doc), expected);
    }

    #[test]
    fn sniff_tells_llms_text_from_other_formats() {
        assert!(sniff(&collapsed_fixture()));
        assert!(sniff(INDEX));
        assert!(sniff("  \n# Site\n## A post\nURL: https://x.org/a\n\nText"));
        assert!(!sniff(
            "---\ntitle: A note\n---\n# Heading\n\n## Links\n\n- [a](https://a.org)\n"
        ));
        assert!(!sniff("+++\ntitle = \"x\"\n+++\n# H\n## S\n- [a](b)\n"));
        assert!(!sniff(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title></channel></rss>"
        ));
        assert!(!sniff(
            "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"# x\", \"items\": []}"
        ));
        assert!(!sniff("# Just a note\n\nWith some text and no links.\n"));
        assert!(!sniff(""));
        assert!(!sniff("\u{feff}"));
    }

    #[test]
    fn empty_and_garbage_do_not_panic() {
        let doc = parse("");
        assert_eq!(doc.name, "");
        assert!(doc.posts.is_empty());
        let nasty = [
            "#",
            "# ",
            "## ",
            "URL: ",
            "URL: https://",
            "## a URL: https://",
            "## x URL: https://a Date:",
            "## x URL: https://a Date: ",
            "`",
            "```",
            "````x",
            "[![",
            "[![](",
            "[![](a)](",
            "> ",
            ">",
            "- ",
            "1. ",
            "* * *",
            "\u{feff}",
            "# é ## ü URL: https://é Date: ü ## ä",
            "## 🚀 URL: http://x 🚀",
            "# n > ",
            "# n > s ## ",
            "- [",
            "- [a](",
            "- [a](b",
            "- [a](b):",
            "\\",
            "\\[",
            "## a\\",
            "## ![",
            "## [x](y",
            "> “",
            "> _",
            "> \"",
            "## I",
            "## a I",
            "## **",
            "## ** **",
        ];
        for s in nasty {
            let _ = parse(s);
            let _ = sniff(s);
            let _ = recover_blocks(s);
            let multi = s.replace(' ', "\n");
            let _ = parse(&multi);
        }
        // Pseudo-random soup of markers, words and multibyte chars.
        let pieces = [
            "## ",
            "### ",
            "# ",
            " URL: ",
            "https://e.x/a",
            " Date: ",
            "2024",
            " - ",
            " * ",
            " 1. ",
            " 2. ",
            " > ",
            "`",
            "```",
            "[",
            "](",
            ")",
            "![",
            "[![",
            "**",
            "_",
            "“",
            "”",
            "\"",
            "é",
            "🚀",
            "\u{feff}",
            "\n",
            " ",
            "word",
            "Word",
            "I",
            "The",
            ".",
            "?",
            "\\",
            "---",
            "#",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut s = String::new();
            let len = (state % 60) as usize;
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                s.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            let doc = parse(&s);
            for post in &doc.posts {
                let _ = post.body.len();
            }
            let _ = sniff(&s);
            let _ = recover_blocks(&s);
        }
    }

    #[test]
    fn large_collapsed_input_parses() {
        let one = collapsed_fixture();
        let start = one.find("## Issue").unwrap_or(0);
        let posts = &one[start..];
        let mut text = String::from("# Big > Many posts. # Full Blog Content ");
        let mut n = 0;
        while text.len() < 2 * 1024 * 1024 {
            text.push_str(posts);
            text.push(' ');
            n += 3;
        }
        let doc = parse(&text);
        assert_eq!(doc.posts.len(), n);
    }

    #[test]
    fn pathological_single_lines_return() {
        let mb = 1024 * 1024;
        let inputs = [
            "[".repeat(mb),
            "](".repeat(mb / 2),
            "` ".repeat(mb / 2),
            "`` ` ".repeat(mb / 5),
            "## ".repeat(mb / 3),
            "## a ".repeat(mb / 5),
            "URL: https://x ".repeat(mb / 15),
            "## t URL: https://x Date: d ".repeat(mb / 28),
            "- ".repeat(mb / 2),
            "- [".repeat(mb / 3),
            "> “".repeat(mb / 5),
            "> _ ".repeat(mb / 4),
            "1. ".repeat(mb / 3),
            format!("# {}", "a".repeat(mb)),
            format!("## {}", "word ".repeat(mb / 5)),
            format!("## x URL: https://x {}", "[![".repeat(mb / 3)),
        ];
        for input in &inputs {
            let _ = parse(input);
            let _ = sniff(input);
        }
    }
}
