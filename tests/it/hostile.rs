//! Hostile input: feeds nobody here controls. Nothing executable may reach
//! a note or a page, nothing may panic, memory stays bounded, and what goes
//! wrong is reported with the file and the item.

use std::path::Path;

use crate::util::*;

/// Attacks as they arrive in feed HTML, one item each.
const VECTORS: &[&str] = &[
    "<script>alert(1)</script>text after a script",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">plain scheme</a>",
    "<a href=\"JaVaScRiPt&#58;alert(1)\">mixed case and an entity</a>",
    "<a href=\"&#106;avascript:alert(1)\">entity in the scheme</a>",
    "<a href=\" java\tscript:alert(1)\">tab in the scheme</a>",
    "<a href=\"vbscript:msgbox(1)\">vbscript</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">data link</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form action=\"javascript:alert(1)\"><input type=submit><button>go</button></form>",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<details open ontoggle=alert(1)>toggle</details>",
    "<table><tr><td onclick=alert(1)>cell</td></tr></table>",
    "<base href=\"javascript:alert(1)//\"><meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<p>&lt;img src=x onerror=alert(1)&gt; escaped markup is text</p>",
    "<p>[a markdown link](javascript:alert(1)) inside HTML text</p>",
    "<p>unclosed <b>bold <i>italic <a href=\"http://example.test/x\">link",
    "<p>template text {{ config }} and {% raw %} stays text</p>",
    "<pre><code class=\"language-dataviewjs\">dv.paragraph(1)</code></pre>",
    "<p>%%hidden%% ==marked== #hashtag</p>",
];

fn item(title: &str, link: &str, html: &str) -> String {
    format!(
        "<item><title>{title}</title><link>{link}</link><description>{}</description></item>",
        xml_escape(html)
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn rss(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Hostile</title>\
         <link>http://example.test/</link>{items}</channel></rss>"
    )
}

/// A note's body with its fenced code blocks left out: inside code, markup
/// is just text to read.
fn prose(body: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in body.lines() {
        let trimmed = line.trim_start_matches(['>', ' ', '-', '*']);
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        match &fence {
            Some(open) if trimmed.starts_with(open.as_str()) => fence = None,
            Some(_) => {}
            None if marker.len() >= 3 => fence = Some(marker),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn assert_notes_are_inert(kb: &Kb) {
    let tag = regex::Regex::new(r"(?i)<[a-z!/?]").unwrap();
    let scheme = regex::Regex::new(r"(?i)(java|vb)\s*script\s*:|data:text").unwrap();
    let active_fence = regex::Regex::new(r"(?m)^[\s>]*(```|~~~)\s*dataviewjs").unwrap();
    for (file, _, body) in kb.notes() {
        let text = prose(&body);
        assert!(
            !tag.is_match(&text),
            "{file}: HTML left in the note:\n{body}"
        );
        assert!(!scheme.is_match(&text), "{file}: script URL left:\n{body}");
        assert!(
            !active_fence.is_match(&body),
            "{file}: runnable block:\n{body}"
        );
    }
}

/// The HTML a feed reader shows (the feeds' content, unescaped) carries
/// no script, handler or script URL either.
fn assert_feeds_are_inert(site: &Path) {
    let active = regex::Regex::new(
        r#"(?i)<(script|iframe|object|embed|form|base)|<[a-z][^>]*\son[a-z]+\s*=|(href|src|action)\s*=\s*["']?\s*(javascript|vbscript|data):"#,
    )
    .unwrap();
    for feed in ["atom.xml", "rss.xml", "feed.json"] {
        let raw = std::fs::read_to_string(site.join(feed)).unwrap();
        assert_eq!(
            raw.matches("Vector ").count(),
            VECTORS.len(),
            "{feed} holds every hostile item"
        );
        let html = if feed.ends_with(".json") {
            let data: serde_json::Value = serde_json::from_str(&raw).unwrap();
            data["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["content_html"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            // The HTML parts (a summary is plain text), unescaped once.
            let (open, close) = if feed == "atom.xml" {
                ("<content type=\"html\">", "</content>")
            } else {
                ("<description>", "</description>")
            };
            raw.split(open)
                .skip(1)
                .map(|part| part.split(close).next().unwrap_or(""))
                .map(|part| {
                    part.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&")
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        if let Some(m) = active.find(&html) {
            panic!("{feed}: {}", m.as_str());
        }
    }
}

fn assert_pages_are_inert(site: &Path) {
    // An attribute named on…, after any attributes before it: text inside a
    // quoted value (a description quoting `onerror=`) is not one.
    let handler = regex::Regex::new(
        r#"(?i)<[a-z][^\s>]*(?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*?\s+on[a-z]+\s*="#,
    )
    .unwrap();
    assert!(handler.is_match("<td class=\"x\" onclick=alert(1)>"));
    assert!(handler.is_match("<img src=x onerror=alert(1)>"));
    assert!(!handler.is_match("<meta content=\"&lt;img src=x onerror=alert(1)&gt;\">"));
    let active = regex::Regex::new(
        r#"(?i)<(iframe|object|embed|form|base|meta http-equiv)|(href|src|action)\s*=\s*["']?\s*(javascript|vbscript|data):"#,
    )
    .unwrap();
    assert_no_foreign_scripts(site);
    for page in html_files(site) {
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        assert!(
            !handler.is_match(&html),
            "{}: event handler",
            page.display()
        );
        if let Some(m) = active.find(&html) {
            panic!("{}: {}", page.display(), m.as_str());
        }
    }
}

#[test]
fn xss_vectors_reach_neither_notes_nor_pages() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let items: String = VECTORS
        .iter()
        .enumerate()
        .map(|(i, html)| {
            item(
                &format!("Vector {i}"),
                &format!("http://example.test/{i}"),
                html,
            )
        })
        .collect();
    // Dated, and all of them in the site's feeds.
    let items = items.replace(
        "</item>",
        "<pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate></item>",
    );
    let config = kb
        .read("config.toml")
        .replace("feed_entries = 30 ", "feed_entries = 100 ");
    kb.write("config.toml", &config);
    kb.write("hostile.xml", &rss(&items));
    let stderr = kb.lore_ok(&["import", "hostile.xml"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(kb.notes().len(), VECTORS.len());
    assert_notes_are_inert(&kb);

    kb.lore_ok(&["build", "-q"]);
    assert_pages_are_inert(&kb.path("public"));
    assert_feeds_are_inert(&kb.path("public"));
    // Text that looks like a template is shown, not run.
    let page = kb.read("public/notes/vector-22.html");
    assert!(page.contains("{{ config }}"), "template text lost");
    // Words around the attacks survive.
    assert!(
        kb.read("public/notes/vector-0.html")
            .contains("text after a script")
    );
    assert!(kb.read("public/notes/vector-21.html").contains("italic"));
}

#[test]
fn entity_expansion_is_not_performed() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let mut doctype = String::from("<!DOCTYPE rss [\n<!ENTITY a \"aaaaaaaaaa\">\n");
    for level in 1..=9 {
        let previous = if level == 1 {
            "a".to_string()
        } else {
            format!("a{}", level - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        doctype.push_str(&format!("<!ENTITY a{level} \"{refs}\">\n"));
    }
    doctype.push_str("<!ENTITY file SYSTEM \"file:///etc/passwd\">\n]>");
    let feed = format!(
        "<?xml version=\"1.0\"?>{doctype}<rss version=\"2.0\"><channel><title>Bomb</title>\
         <item><title>Boom</title><link>http://example.test/boom</link>\
         <description>&a9; &file;</description></item>\
         <item><title>Calm</title><link>http://example.test/calm</link>\
         <description>calm words</description></item></channel></rss>"
    );
    kb.write("bomb.xml", &feed);
    let out = kb.lore(&["import", "bomb.xml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let notes = kb.notes();
    assert!(notes.iter().any(|(_, _, body)| body.contains("calm words")));
    for (file, _, body) in &notes {
        assert!(body.len() < 10_000, "{file}: an entity was expanded");
        assert!(
            !body.contains("root:"),
            "{file}: an external entity was read"
        );
    }
}

#[test]
fn huge_and_deep_items_are_bounded_and_named() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let paragraph = format!("<p>{}</p>", "many words here ".repeat(40));
    let huge = paragraph.repeat(12 * 1024 * 1024 / paragraph.len());
    let deep = format!(
        "{}deep text{}",
        "<div><span>".repeat(5000),
        "</span></div>".repeat(5000)
    );
    let fifty = format!(
        "{}fifty levels{}",
        "<blockquote><ul><li>".repeat(17),
        "</li></ul></blockquote>".repeat(17)
    );
    let items = [
        item("Huge item", "http://example.test/huge", &huge),
        item("Deep item", "http://example.test/deep", &deep),
        item("Fifty item", "http://example.test/fifty", &fifty),
    ]
    .concat();
    kb.write("big.xml", &rss(&items));
    let stderr = kb.lore_ok(&["import", "big.xml"]);
    assert!(
        stderr.contains("big.xml") && stderr.contains("Huge item") && stderr.contains("MB"),
        "the cut item is named:\n{stderr}"
    );
    let bodies: Vec<String> = kb.notes().into_iter().map(|(_, _, b)| b).collect();
    assert!(bodies.iter().any(|b| b.contains("deep text")));
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("fifty levels") && b.contains("> "))
    );
    assert!(bodies.iter().all(|b| b.len() <= 11 * 1024 * 1024));

    let out = kb.lore(&["build", "--timings"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let peak: f64 = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("peak memory:"))
        .and_then(|v| v.trim().trim_end_matches("MiB").trim().parse().ok())
        .expect("peak memory in --timings");
    assert!(peak < 1024.0, "a 12 MB item took {peak} MiB");
}

#[test]
fn invalid_utf8_is_decoded_not_rejected() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let mut feed = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
        <title>Bytes</title><item><title>Caf\xe9 cr\xe8me</title><link>http://example.test/b</link>\
        <description>na\xefve \x80 text</description></item></channel></rss>"
        .to_vec();
    feed.extend_from_slice(b"\n");
    std::fs::write(kb.path("bytes.xml"), feed).unwrap();
    kb.lore_ok(&["import", "bytes.xml"]);
    let notes = kb.notes();
    assert_eq!(notes.len(), 1);
    assert_eq!(text_field(&notes[0].1, "title"), "Café crème");
    assert!(notes[0].2.contains("naïve € text"), "{}", notes[0].2);
}

/// Text a vault plugin would run, as each kind of source carries it.
const PLUGIN_MARKDOWN: &str = "Pages: `$= dv.pages().length` and `$=dv.el('b', 1)`.\n\n\
Today is <% tp.date.now() %>; <%* tR += app.vault.getName() %> too.\n\n\
```js\nconst t = \"<% tp.file.title %>\";\n```\n\n\
Split tags <scr<script>ipt>alert(1)</script> and <<b>script>alert(2)</script> and \
<svg/onload=alert(3)> and <img src=x onerror=alert(4)>.\n\n\
[plain](javascript:alert(5)) [cased](JaVaScRiPt:alert(6)) [vb](vbscript:msgbox(7)) \
![pic](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(8)> [ref][bad] \
[ok](https://example.test/fine)\n\n\
[bad]: javascript:alert(9)\n\n\
```dataviewjs\ndv.paragraph(10)\n```\n";

/// Prose with fenced code and code spans left out.
fn prose_without_code(body: &str) -> String {
    let spans = regex::Regex::new(r"(`+)[^`]*?(`+)").unwrap();
    spans.replace_all(&prose(body), "").into_owned()
}

/// Nothing in a note file that Dataview, Templater or a browser would run.
fn assert_no_plugin_code(file: &str, text: &str) {
    let (_, body) = front_matter(text);
    assert!(!text.contains("<%"), "{file}: a Templater command:\n{text}");
    let inline_js = regex::Regex::new(r"`+\s*\$=").unwrap();
    assert!(
        !inline_js.is_match(&body),
        "{file}: Dataview inline JS:\n{body}"
    );
    let tag = regex::Regex::new(r"(?i)<[a-z!/?]").unwrap();
    let prose = prose_without_code(&body);
    assert!(!tag.is_match(&prose), "{file}: HTML left in:\n{body}");
    let target =
        regex::Regex::new(r"(?i)(\]\(\s*<?|\]:\s*<?|<)\s*(java\s*script|vb\s*script|data)\s*:")
            .unwrap();
    assert!(!target.is_match(&body), "{file}: a script link:\n{body}");
    let active_fence = regex::Regex::new(r"(?m)^[\s>]*(```|~~~)\s*dataviewjs").unwrap();
    assert!(!active_fence.is_match(&body), "{file}: runnable block");
    assert!(
        body.contains("example.test/fine"),
        "{file}: a good link lost"
    );
}

#[test]
fn plugin_code_raw_html_and_script_links_reach_no_note_from_any_source() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let html = "<p>Pages: <code>$= dv.pages().length</code></p>\
        <p>Today is &lt;% tp.date.now() %&gt; and <a href=\"https://example.test/fine\">fine</a></p>\
        <pre><code>&lt;%* tR += 1 %&gt;</code></pre>";
    kb.write(
        "feed.xml",
        &rss(&item(
            "Feed &lt;% tp.file.title %&gt;",
            "http://example.test/feed",
            html,
        )),
    );
    kb.write(
        "llms-full.txt",
        &format!("# Dump\n\n## Dumped post\nURL: https://example.test/dumped\n\n{PLUGIN_MARKDOWN}"),
    );
    kb.write(
        "site/post.md",
        &format!("---\ntitle: \"Imported <% tp.file.title %>\"\n---\n{PLUGIN_MARKDOWN}"),
    );
    let stderr = kb.lore_ok(&["import", "feed.xml", "llms-full.txt", "site"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(kb.notes().len(), 3, "{stderr}");
    for entry in std::fs::read_dir(kb.path("content")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_no_plugin_code(&path.display().to_string(), &text);
    }
    // The words stay readable: the title reads back as the source wrote it.
    let titles: Vec<String> = kb
        .notes()
        .iter()
        .map(|(_, front, _)| text_field(front, "title").to_string())
        .collect();
    assert!(
        titles.iter().any(|t| t == "Imported <% tp.file.title %>"),
        "{titles:?}"
    );
}

/// Characters XML 1.0 does not allow, and noncharacters (which YAML does
/// not allow unescaped).
fn is_forbidden_char(c: char) -> bool {
    let code = c as u32;
    (code < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

#[test]
fn control_characters_leave_notes_readable_and_the_feed_xml() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let feed = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Ctl",
        "items": [{"id": "https://example.test/ctl", "url": "https://example.test/ctl",
        "date_published": "2024-01-01T00:00:00Z",
        "title": "Bell\u0007 nul\u0000 odd\uFFFE end\uFFFF",
        "content_html": "<p>Body\u0001 with\u001f marks\uFFFE\uFDD0 kept\u000b words</p>",
        "tags": ["t\u0002ag"], "authors": [{"name": "Ada\u0008"}]}]}"#;
    kb.write("ctl.json", feed);
    // A person's own note can hold them too.
    kb.write(
        "content/mine.md",
        "---\ntitle: \"Mine\\u0001\"\n---\nOwn\u{1} words\u{FFFE}\n",
    );
    kb.lore_ok(&["import", "ctl.json"]);
    let notes = kb.notes();
    assert_eq!(notes.len(), 2);
    let (file, front, body) = notes.iter().find(|(f, _, _)| f != "mine.md").unwrap();
    let text = kb.read(&format!("content/{file}"));
    assert!(!text.chars().any(is_forbidden_char), "{text:?}");
    assert_eq!(text_field(front, "title"), "Bell nul odd end");
    assert!(body.contains("kept"), "{body}");

    kb.lore_ok(&["build", "-q"]);
    // Feeds hold dated notes only: the item has a date.
    for feed in ["atom.xml", "rss.xml", "feed.json"] {
        let text = kb.read(&format!("public/{feed}"));
        assert!(!text.chars().any(is_forbidden_char), "{feed}: {text:?}");
        assert!(text.contains("Bell nul odd end"), "{feed}: {text}");
    }
    // The note reads back, so the next run updates it: no second copy.
    kb.lore_ok(&["import", "ctl.json"]);
    kb.lore_ok(&["import", "ctl.json"]);
    let copies = kb
        .notes()
        .iter()
        .filter(|(_, front, _)| text_field(front, "url") == "https://example.test/ctl")
        .count();
    assert_eq!(copies, 1);
}

#[test]
fn files_that_hold_no_notes_are_named_and_skipped() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    kb.write("empty.md", "");
    kb.write("blank.md", "\u{feff}  \n\n");
    kb.write(
        "Cargo.toml",
        "[package]\nname = \"thing\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n",
    );
    kb.write(
        "hugo/static/robots.txt",
        "User-agent: *\nDisallow: /private/\n",
    );
    kb.write("hugo/content/post.md", "# A post\n\nWords.\n");
    kb.write(
        "hugo/content/legacy.txt",
        "---\ntitle: Legacy\n---\nOld words.\n",
    );
    let out = kb.lore(&["import", "empty.md", "blank.md", "Cargo.toml", "hugo"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (file, why) in [
        ("empty.md", "empty file"),
        ("blank.md", "empty file"),
        ("Cargo.toml", "not a format lore reads"),
        ("robots.txt", "not a format lore reads"),
    ] {
        assert!(
            stderr.lines().any(|l| l.contains(file) && l.contains(why)),
            "{file} should be named with \"{why}\":\n{stderr}"
        );
    }
    let mut titles: Vec<String> = kb
        .notes()
        .iter()
        .map(|(_, front, _)| text_field(front, "title").to_string())
        .collect();
    titles.sort();
    assert_eq!(titles, ["A post", "Legacy"], "{stderr}");
}

/// The deepest nesting of an element in a page.
fn deepest(html: &str, element: &str) -> usize {
    let open = format!("<{element}");
    let close = format!("</{element}>");
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with(&open) {
            depth += 1;
            max = max.max(depth);
        } else if rest.starts_with(&close) {
            depth = depth.saturating_sub(1);
        }
        rest = &rest[1..];
    }
    max
}

#[test]
fn deep_quotes_and_dash_runs_stay_proportional() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let quotes = "> ".repeat(500_000);
    kb.write(
        "content/quotes.md",
        &format!("---\ntitle: Quotes\n---\n{quotes}deep\n"),
    );
    let dashes = "- ".repeat(500_000);
    kb.write(
        "dashes.txt",
        &format!("# Dashes\n\n## Dash post\nURL: https://example.test/dashes\n\n{dashes}end\n"),
    );
    kb.lore_ok(&["import", "dashes.txt"]);
    let note = kb
        .notes()
        .into_iter()
        .find(|(file, _, _)| file != "quotes.md")
        .expect("the dash note");
    assert!(
        note.2.len() < 4 * dashes.len(),
        "a {} byte post became a {} byte note",
        dashes.len(),
        note.2.len()
    );
    kb.lore_ok(&["build", "-q"]);
    for (page, element) in [
        ("public/notes/quotes.html", "blockquote"),
        ("public/notes/dash-post.html", "ul"),
    ] {
        let html = kb.read(page);
        assert!(
            html.len() < 4 * quotes.len(),
            "{page}: {} bytes from a 1 MB note",
            html.len()
        );
        let depth = deepest(&html, element);
        assert!(depth <= 100, "{page}: <{element}> nested {depth} deep");
    }
}
