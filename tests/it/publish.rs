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
