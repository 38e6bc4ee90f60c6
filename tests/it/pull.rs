//! `lore add`, `lore pull`, `lore sources` and `lore build` against a real
//! HTTP server on 127.0.0.1 that each test starts: what a user subscribed to
//! is fetched politely, kept in sync, and readable offline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server::{Behaviour, Page, TestServer};
use crate::util::*;

const RSS: &str = "application/rss+xml";

/// An RSS feed with items (title, path of link, HTML body).
fn feed(title: &str, items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(t, link, html)| {
            format!(
                "<item><title>{t}</title><link>https://site.example{link}</link>\
                 <description>{}</description></item>",
                html.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>https://site.example/</link>{items}</channel></rss>"
    )
}

fn titles(kb: &Kb) -> Vec<String> {
    let mut titles: Vec<String> = kb
        .notes()
        .iter()
        .map(|(_, front, _)| text_field(front, "title").to_string())
        .collect();
    titles.sort();
    titles
}

#[test]
fn pull_fetches_once_then_costs_a_304_then_follows_a_change() {
    let page = Arc::new(Mutex::new(
        Page::new(feed("Live", &[("First", "/1", "<p>one</p>")]), RSS).with_etag("\"v1\""),
    ));
    let server = TestServer::start([("/feed.xml", Behaviour::Live(Arc::clone(&page)))]);
    let kb = Kb::new();
    kb.write(
        "config.toml",
        &format!("[[sources]]\nurl = \"{}\"\n", server.url("/feed.xml")),
    );
    kb.lore_ok(&["pull"]);
    assert_eq!(titles(&kb), ["First"]);

    let second = kb.lore_ok(&["pull"]);
    assert_eq!(server.hits("/feed.xml"), 2);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("if-none-match"), Some("\"v1\""));
    assert!(
        second.contains("0 written"),
        "a 304 changes nothing: {second}"
    );

    *page.lock().unwrap() = Page::new(
        feed(
            "Live",
            &[
                ("First", "/1", "<p>one</p>"),
                ("Second", "/2", "<p>two</p>"),
            ],
        ),
        RSS,
    )
    .with_etag("\"v2\"");
    kb.lore_ok(&["pull"]);
    assert_eq!(titles(&kb), ["First", "Second"]);

    // A corrupt fetch state costs a full fetch, never a failure.
    kb.write(".lore/fetch.json", "{ not json");
    let recovered = kb.lore_ok(&["pull"]);
    assert!(recovered.contains("corrupt"), "{recovered}");
    assert_eq!(
        server.requests().pop().unwrap().header("if-none-match"),
        None
    );
    assert_eq!(titles(&kb), ["First", "Second"]);

    // Offline, the site builds from what the last pull kept.
    kb.lore_ok(&["build", "--offline"]);
    assert_eq!(server.hits("/feed.xml"), 4);
    assert!(kb.path("public/index.html").is_file());
    // `lore build` pulls first.
    kb.lore_ok(&["build"]);
    assert_eq!(server.hits("/feed.xml"), 5);

    let listing = String::from_utf8_lossy(&kb.lore(&["sources"]).stdout).into_owned();
    assert!(listing.contains(&server.url("/feed.xml")), "{listing}");
    assert!(
        listing.contains("not modified") || listing.contains("fetched"),
        "{listing}"
    );
}

#[test]
fn each_failure_is_reported_and_the_rest_is_imported() {
    let item = |name: &str| feed(name, &[(name, &format!("/{name}"), "<p>text</p>")]);
    let server = TestServer::start([
        ("/moved", Behaviour::redirect(301, "/feed-a.xml")),
        ("/feed-a.xml", Behaviour::page(item("Alpha"), RSS)),
        ("/temporary", Behaviour::redirect(302, "/feed-b.xml")),
        ("/feed-b.xml", Behaviour::page(item("Beta"), RSS)),
        (
            "/flaky",
            Behaviour::fail_first(1, 500, Behaviour::page(item("Gamma"), RSS)),
        ),
        (
            "/gzip",
            Behaviour::Serve(Page::new(item("Delta"), RSS).gzipped()),
        ),
        ("/missing", Behaviour::Status(404)),
        ("/stall", Behaviour::Stall(Duration::from_secs(20))),
        (
            "/huge",
            Behaviour::Huge {
                bytes: 3_000_000,
                announce_length: false,
            },
        ),
    ]);
    let kb = Kb::new();
    let mut config =
        String::from("# my feeds\n[fetch]\ntimeout = 2\nretries = 1\nmax_size_mb = 2\n");
    for path in [
        "/moved",
        "/temporary",
        "/flaky",
        "/gzip",
        "/missing",
        "/stall",
        "/huge",
    ] {
        config.push_str(&format!(
            "\n[[sources]]\nurl = \"{}\" # {path}\n",
            server.url(path)
        ));
    }
    kb.write("config.toml", &config);
    let out = kb.lore(&["pull"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "partial success:\n{stderr}");
    assert_eq!(titles(&kb), ["Alpha", "Beta", "Delta", "Gamma"]);
    assert_eq!(server.hits("/flaky"), 2, "one retry after the 500");
    assert_eq!(server.hits("/missing"), 1, "a 404 is not retried");
    for (path, words) in [
        ("/missing", "404"),
        ("/stall", "timed out"),
        ("/huge", "larger than"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(&server.url(path)))
            .unwrap_or_else(|| panic!("{path} not reported:\n{stderr}"));
        assert!(line.contains(words), "{line}");
    }
    // The permanent move is written into config.toml, comments kept; the
    // temporary one is not.
    let config = kb.read("config.toml");
    assert!(
        config.contains(&format!("url = \"{}\" # /moved", server.url("/feed-a.xml"))),
        "{config}"
    );
    assert!(config.contains(&format!(
        "url = \"{}\" # /temporary",
        server.url("/temporary")
    )));
    assert!(config.starts_with("# my feeds\n"));
    assert!(stderr.contains("moved permanently"), "{stderr}");

    let listing = String::from_utf8_lossy(&kb.lore(&["sources"]).stdout).into_owned();
    let missing = listing
        .lines()
        .find(|l| l.contains("/missing"))
        .expect("listed");
    assert!(
        missing.contains("failed") && missing.contains("404"),
        "{missing}"
    );
}

#[test]
fn add_finds_the_feed_of_a_page_and_every_feed_of_an_opml_list() {
    let server = TestServer::start([
        (
            "/blog/",
            Behaviour::page(
                "<!DOCTYPE html><html><head><title>Blog</title>\
                 <link rel=\"alternate\" type=\"application/rss+xml\" title=\"RSS\" href=\"feed.xml\">\
                 </head><body>Hello</body></html>",
                "text/html; charset=utf-8",
            ),
        ),
        (
            "/blog/feed.xml",
            Behaviour::page(feed("Blog", &[("Blog post", "/p", "<p>x</p>")]), RSS),
        ),
        (
            "/news.xml",
            Behaviour::page(feed("News", &[("News item", "/n", "<p>y</p>")]), RSS),
        ),
    ]);
    let kb = Kb::new();
    kb.write("config.toml", "title = \"Mine\" # keep this comment\n");
    let stderr = kb.lore_ok(&["add", &server.url("/blog/"), "--tag", "blogs"]);
    assert!(stderr.contains("added"), "{stderr}");
    kb.write(
        "subscriptions.opml",
        &format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
             <outline text=\"News desk\" xmlUrl=\"{}\"/>\
             <outline text=\"Blog again\" xmlUrl=\"{}\"/></body></opml>",
            server.url("/news.xml"),
            server.url("/blog/feed.xml")
        ),
    );
    let again = kb.lore_ok(&["add", "subscriptions.opml"]);
    assert!(again.contains("already there"), "{again}");
    let config = kb.read("config.toml");
    assert!(
        config.starts_with("title = \"Mine\" # keep this comment\n"),
        "{config}"
    );
    assert!(
        config.contains(&format!("url = \"{}\"", server.url("/blog/feed.xml"))),
        "{config}"
    );
    assert!(config.contains("tags = [\"blogs\"]"), "{config}");
    assert!(config.contains("name = \"News desk\""), "{config}");
    assert_eq!(config.matches("[[sources]]").count(), 2, "{config}");

    kb.lore_ok(&["pull"]);
    assert_eq!(titles(&kb), ["Blog post", "News item"]);
}

#[test]
fn pull_assets_makes_notes_and_site_work_offline() {
    let png: Vec<u8> = [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        b"\0\0\0\rIHDR fake image data",
    ]
    .concat();
    let page = Arc::new(Mutex::new(Page::new("", RSS)));
    let server = TestServer::start([
        ("/feed.xml", Behaviour::Live(Arc::clone(&page))),
        ("/img/a.png", Behaviour::page(png.clone(), "image/png")),
        ("/img/copy.png", Behaviour::page(png.clone(), "image/png")),
        ("/img/gone.png", Behaviour::Status(404)),
    ]);
    let html = format!(
        "<p><img src=\"{}\" alt=\"first\"> <img src=\"{}\" alt=\"broken\"> \
         <img src=\"{}\" alt=\"same bytes\"></p>",
        server.url("/img/a.png"),
        server.url("/img/gone.png"),
        server.url("/img/copy.png")
    );
    *page.lock().unwrap() = Page::new(feed("Pictures", &[("With images", "/post", &html)]), RSS);
    let kb = Kb::new();
    kb.write(
        "config.toml",
        &format!("[[sources]]\nurl = \"{}\"\n", server.url("/feed.xml")),
    );
    let stderr = kb.lore_ok(&["pull", "--assets"]);
    assert!(
        stderr.contains("gone.png"),
        "the broken image is reported:\n{stderr}"
    );

    let assets: Vec<_> = std::fs::read_dir(kb.path("content/assets"))
        .unwrap()
        .collect();
    assert_eq!(assets.len(), 1, "one file for two URLs with the same bytes");
    let file = assets[0]
        .as_ref()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    assert!(file.ends_with(".png"));
    let (_, _, body) = kb.notes().pop().unwrap();
    assert_eq!(
        body.matches(&format!("(assets/{file})")).count(),
        2,
        "{body}"
    );
    assert!(
        body.contains(&server.url("/img/gone.png")),
        "a failed image keeps its link: {body}"
    );

    // The site has the image and points at it; no request is needed.
    let hits = server.hits("/img/a.png");
    kb.lore_ok(&["build", "--offline"]);
    assert_eq!(server.hits("/img/a.png"), hits);
    assert!(kb.path(&format!("public/assets/{file}")).is_file());
    let page = std::fs::read_dir(kb.path("public/notes"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|html| html.contains("With images"))
        .unwrap();
    assert!(
        page.contains(&format!("src=\"../assets/{file}\"")),
        "{page}"
    );
}
