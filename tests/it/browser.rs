//! Search in a real browser, from file:// with no server: headless Chromium
//! opens a built page with `?q=…` and the results must list the notes.
//! Needs `chromium` on PATH (.ci/run installs it); set LORE_SKIP_BROWSER=1
//! to skip on a machine without it.

use std::process::Command;

use crate::util::*;

pub fn chromium() -> Option<&'static str> {
    if std::env::var_os("LORE_SKIP_BROWSER").is_some() {
        return None;
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    assert!(
        found.is_some(),
        "the browser test needs Chromium: apt-get install -y chromium (or set LORE_SKIP_BROWSER=1)"
    );
    found
}

/// The DOM of `url` after its scripts ran.
pub fn dump_dom(browser: &str, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=10000", "--dump-dom", url])
        .output()
        .expect("running chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn search_works_from_file_urls_on_every_kind_of_page() {
    let Some(browser) = chromium() else { return };
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/blog.txt");
    kb.copy_fixture("traps/forem-rss.txt", "feeds/forem.txt");
    kb.write(
        "config.toml",
        "[[sources]]\npath = \"feeds/blog.txt\"\n[[sources]]\npath = \"feeds/forem.txt\"\n",
    );
    kb.lore_ok(&["build"]);
    for (page, query, expected) in [
        (
            "index.html",
            "feature",
            "notes/feature-stores-are-caches.html",
        ),
        (
            "notes/drift-is-a-data-problem.html",
            "streams",
            "../notes/streams-tables-a-field-guide.html",
        ),
        (
            "tags/kafka.html",
            "drifts",
            "../notes/drift-is-a-data-problem.html",
        ),
    ] {
        let url = format!(
            "file://{}?q={query}",
            kb.path(&format!("public/{page}")).display()
        );
        let dom = dump_dom(browser, &url);
        assert!(
            dom.contains(&format!("href=\"{expected}\"")),
            "searching {query:?} on {page} did not list {expected}:\n{dom}"
        );
    }
}

/// GitHub Pages answers a missing page at any depth with the site's
/// 404.html. Built without base_url, the page still finds its stylesheet,
/// links and search: served under /repo/ and asked for /repo/a/b/missing.
#[test]
fn the_404_page_works_at_any_depth_without_base_url() {
    use crate::server::{Behaviour, Page, TestServer};
    let Some(browser) = chromium() else { return };
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/blog.txt");
    kb.write("config.toml", "[[sources]]\npath = \"feeds/blog.txt\"\n");
    kb.lore_ok(&["build"]);
    let site = kb.path("public");
    let mut routes = site_routes(&site, "/repo/");
    let not_found = std::fs::read(site.join("404.html")).unwrap();
    routes.push((
        "/repo/a/b/missing".to_string(),
        Behaviour::Serve(Page::new(not_found, "text/html")),
    ));
    let server = TestServer::start(routes);
    let dom = dump_dom(
        browser,
        &format!("{}?q=feature", server.url("/repo/a/b/missing")),
    );
    assert!(dom.contains("<base href=\"/repo/\">"), "{dom}");
    assert!(
        server.hits("/repo/static/style.css") > 0 && server.hits("/repo/static/search.js") > 0,
        "stylesheet and search script load from the site's folder"
    );
    assert!(
        dom.contains("href=\"notes/feature-stores-are-caches.html\""),
        "search runs and its results resolve against the site's folder:\n{dom}"
    );
}

/// Lighthouse (npm `lighthouse`, on Chromium) scores accessibility, best
/// practices and SEO of the home page, a note and a tag page at 100.
/// Needs `lighthouse` on PATH (scripts/test installs it); set
/// LORE_SKIP_LIGHTHOUSE=1 to skip.
#[test]
fn lighthouse_scores_home_note_and_tag_pages_at_100() {
    use crate::server::TestServer;
    if std::env::var_os("LORE_SKIP_LIGHTHOUSE").is_some() {
        eprintln!("skipping Lighthouse: LORE_SKIP_LIGHTHOUSE is set");
        return;
    }
    let Some(browser) = chromium() else { return };
    let kb = Kb::new();
    // Notes of one's own (a picture on a server the test cannot reach would
    // log an error): an imported-style heading, a badge link.
    kb.write(
        "content/first-steps.md",
        "---\ntitle: \"First steps\"\ndate: 2025-02-01T10:00:00\nauthors:\n  - \"Ada\"\ntags:\n  - \"guide\"\n---\n\
         #### Why\n\nStart small and [[second-note|keep going]].\n\n[![](assets/badge.svg)](https://example.org/ci)\n",
    );
    kb.write(
        "content/assets/badge.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"80\" height=\"20\"><rect width=\"80\" height=\"20\" fill=\"#2a2\"/></svg>",
    );
    kb.write(
        "content/second-note.md",
        "---\ntitle: \"Second note\"\ndate: 2025-02-02T10:00:00\ntags:\n  - \"guide\"\n---\nMore words here.\n",
    );
    kb.write("config.toml", "title = \"Handbook\"\n");
    kb.lore_ok(&["build", "--base-url", "http://127.0.0.1/"]);
    let routes = site_routes(&kb.path("public"), "/");
    let server = TestServer::start(routes);
    for page in ["index.html", "notes/first-steps.html", "tags/guide.html"] {
        let report = tempfile::NamedTempFile::new().unwrap();
        let out = Command::new("lighthouse")
            .arg(server.url(&format!("/{page}")))
            .args([
                "--only-categories=accessibility,best-practices,seo",
                "--chrome-flags=--headless --no-sandbox",
                "--output=json",
                "--quiet",
            ])
            .arg(format!("--output-path={}", report.path().display()))
            .env("CHROME_PATH", browser_path(browser))
            .output()
            .expect("this test needs lighthouse: npm install -g lighthouse (scripts/test installs it), or set LORE_SKIP_LIGHTHOUSE=1");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let data: serde_json::Value =
            serde_json::from_slice(&std::fs::read(report.path()).unwrap()).unwrap();
        let failed: Vec<String> = data["audits"]
            .as_object()
            .unwrap()
            .values()
            .filter(|a| a["score"].as_f64().is_some_and(|s| s < 1.0))
            .filter(|a| matches!(a["scoreDisplayMode"].as_str(), Some("binary" | "numeric")))
            .map(|a| format!("{}: {}", a["id"], a["title"]))
            .collect();
        for category in ["accessibility", "best-practices", "seo"] {
            assert_eq!(
                data["categories"][category]["score"].as_f64(),
                Some(1.0),
                "{page} {category}: {failed:#?}"
            );
        }
    }
}

/// The full path of a browser command, for tools that want one.
fn browser_path(browser: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {browser}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Link previews from file://: hovering a link to a note, or focusing
/// one, shows that note's title, date and summary, loading only the one
/// small shard of preview data that holds it. The test copies a note page
/// and adds a script that, once the page has loaded, moves the "mouse" onto
/// a link (a `mouseover` event, as a pointer would send) and notes what
/// was loaded when the preview shows; then it reads the page.
#[test]
fn hovering_or_focusing_a_link_to_a_note_shows_its_preview_from_file_urls() {
    let Some(browser) = chromium() else { return };
    let kb = Kb::new();
    // 75 notes: two shards of preview data.
    crate::lists::numbered_notes(&kb, 75);
    kb.lore_ok(&["build"]);
    assert!(kb.path("public/previews/1.js").is_file());
    let page = kb.read("public/notes/note-010.html");
    let preview_div = regex::Regex::new(
        r#"<div id="lore-preview" class="preview" role="tooltip"[^>]*>(.*?)</div>"#,
    )
    .unwrap();
    let shards_attr = regex::Regex::new(r#"data-test-shards="([^"]*)""#).unwrap();
    for (event, link, title, date) in [
        (
            "l.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))",
            ".content a[href$='note-011.html']",
            "Note 11",
            "3 December 2020",
        ),
        (
            "l.focus()",
            ".note-links a[href$='note-009.html']",
            "Note 9",
            "3 October 2020",
        ),
    ] {
        let script = format!(
            "<script>addEventListener('load', function () {{ var l = document.querySelector(\"{link}\"); {event}; \
             var wait = setInterval(function () {{ var p = document.getElementById('lore-preview'); if (!p || p.hidden) return; clearInterval(wait); \
             document.body.setAttribute('data-test-shards', Object.keys(window.LORE_PREVIEWS || {{}}).join()); \
             document.body.setAttribute('data-test-described', l.getAttribute('aria-describedby')); }}, 50); }});</script></body>"
        );
        kb.write("public/notes/test.html", &page.replace("</body>", &script));
        let url = format!("file://{}", kb.path("public/notes/test.html").display());
        let dom = dump_dom(browser, &url);
        let preview = preview_div
            .captures(&dom)
            .unwrap_or_else(|| panic!("no preview after {event}:\n{dom}"))[1]
            .to_string();
        assert!(
            preview.contains(&format!("<p class=\"preview-title\">{title}</p>")),
            "{preview}"
        );
        assert!(
            preview.contains(&format!("<p class=\"preview-date\">{date}</p>")),
            "{preview}"
        );
        assert!(preview.contains("Words about topic"), "{preview}");
        assert!(
            dom.contains("data-test-described=\"lore-preview\""),
            "the link is described by its preview"
        );
        let loaded = shards_attr.captures(&dom).unwrap()[1].to_string();
        assert_eq!(
            loaded.split(',').count(),
            1,
            "one shard loaded, not all: {loaded}"
        );
    }
}

/// Every file of a built site as a route under `prefix` ("/" or "/repo/"),
/// with the content type GitHub Pages would send.
pub fn site_routes(
    site: &std::path::Path,
    prefix: &str,
) -> Vec<(String, crate::server::Behaviour)> {
    use crate::server::{Behaviour, Page};
    let mut routes = Vec::new();
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(site)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let kind = match rel.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css",
            Some("js") => "text/javascript",
            Some("svg") => "image/svg+xml",
            Some("txt") => "text/plain",
            _ => "application/octet-stream",
        };
        let bytes = std::fs::read(entry.path()).unwrap();
        routes.push((
            format!("{prefix}{rel}"),
            Behaviour::Serve(Page::new(bytes, kind)),
        ));
    }
    routes
}
