//! `lore build` over the trap fixtures: the notes it writes and the site.

use crate::util::*;

/// A knowledge base whose config lists the four trap fixtures (each
/// reproduces what makes one of the real seed feeds hard).
fn traps() -> Kb {
    let kb = Kb::new();
    for name in [
        "jekyll-rss.txt",
        "forem-rss.txt",
        "llms-collapsed.txt",
        "jekyll-post.txt",
    ] {
        kb.copy_fixture(&format!("traps/{name}"), &format!("feeds/{name}"));
    }
    kb.write(
        "config.toml",
        "title = \"Traps\"\n[[sources]]\npath = \"feeds/jekyll-rss.txt\"\n[[sources]]\npath = \"feeds/forem-rss.txt\"\n\
         [[sources]]\npath = \"feeds/llms-collapsed.txt\"\n[[sources]]\npath = \"feeds/jekyll-post.txt\"\n",
    );
    kb
}

#[test]
fn every_item_of_every_format_becomes_a_note() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    let notes = kb.notes();
    let titles: Vec<&str> = notes
        .iter()
        .map(|(_, f, _)| text_field(f, "title"))
        .collect();
    // 2 RSS items + 1 Forem item + 3 llms posts + 1 Jekyll post.
    assert_eq!(notes.len(), 7, "{titles:?}");
    for expected in [
        "Feature stores are caches",
        "Streams & Tables: a field guide",
        "Is a CLI worth it for GUI users ?",
    ] {
        assert!(
            titles.contains(&expected),
            "missing {expected:?} in {titles:?}"
        );
    }
    assert!(
        titles.iter().any(|t| t.starts_with("ctrl+k #3")),
        "{titles:?}"
    );
}

#[test]
fn front_matter_carries_what_users_expect() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    for (file, front, _) in kb.notes() {
        for key in [
            "title", "date", "authors", "tags", "source", "url", "id", "aliases", "related",
        ] {
            assert!(front.contains_key(key), "{file} lacks {key}");
        }
        let title = text_field(&front, "title");
        let stem = file.trim_end_matches(".md");
        if title != stem {
            assert!(
                list_field(&front, "aliases").contains(&title.to_string()),
                "{file}: title not in aliases"
            );
        }
        for tag in list_field(&front, "tags") {
            assert!(
                !tag.contains(' ')
                    && !tag.starts_with('#')
                    && !tag.chars().all(|c| c.is_ascii_digit()),
                "{file}: bad tag {tag}"
            );
        }
    }
    let notes = kb.notes();
    let find = |title: &str| {
        notes
            .iter()
            .find(|(_, f, _)| text_field(f, "title") == title)
            .unwrap_or_else(|| panic!("no note {title}"))
    };
    let (_, jekyll, _) = find("Feature stores are caches");
    assert_eq!(
        list_field(jekyll, "authors"),
        ["Ada Quill"],
        "the channel's 'Posts by' names the author"
    );
    assert_eq!(
        jekyll["date"].as_str(),
        Some("2025-03-14T09:26:53"),
        "ISO pubDate is read"
    );
    assert_eq!(
        text_field(jekyll, "url"),
        "https://gradient-notes.example/feature-stores"
    );
    let (_, forem, _) = find("Streams & Tables: a field guide");
    assert_eq!(list_field(forem, "authors"), ["Kit Ramos"]);
    assert_eq!(
        list_field(forem, "tags"),
        ["kafka", "streaming", "dataengineering"]
    );
    assert_eq!(text_field(forem, "source"), "Forem: Kit Ramos");
    let (_, llms, _) = find("Is a CLI worth it for GUI users ?");
    assert_eq!(
        text_field(llms, "url"),
        "https://cards.example/blog/cli-worth-it"
    );
    assert_eq!(llms["date"].as_str(), Some("2024-07-08T20:54:18"));
}

#[test]
fn no_script_from_a_feed_reaches_a_note_or_a_page() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    for (file, _, body) in kb.notes() {
        let lower = body.to_lowercase();
        for bad in [
            "<script",
            "javascript:",
            "onclick",
            "<iframe",
            "document.write",
        ] {
            assert!(!lower.contains(bad), "{file} contains {bad}:\n{body}");
        }
    }
    assert_no_foreign_scripts(&kb.path("public"));
    for page in html_files(&kb.path("public")) {
        let html = kb.read(&format!("public/{}", page.display()));
        assert!(
            !html.contains("javascript:") && !html.contains("onclick"),
            "{}",
            page.display()
        );
    }
}

#[test]
fn the_site_has_every_page_and_no_broken_link() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    let site = kb.path("public");
    for file in [
        "index.html",
        "404.html",
        "atom.xml",
        "robots.txt",
        "llms.txt",
        "llms-full.txt",
        "rss.xml",
        "feed.json",
        "static/favicon.svg",
        "search/manifest.js",
        "search/f/values.js",
        "tags/index.html",
        "authors/index.html",
        "sources/index.html",
        "static/style.css",
        "static/search.js",
        "static/search-ui.js",
        "static/highlight.css",
        ".nojekyll",
    ] {
        assert!(site.join(file).is_file(), "missing {file}");
    }
    for (file, front, _) in kb.notes() {
        let page = kb.read(&format!("public/notes/{}", file.replace(".md", ".html")));
        assert!(
            page.contains(&crate::util::html_escape(text_field(&front, "title"))),
            "{file}: page lacks its title"
        );
    }
    let tags = kb.read("public/tags/index.html");
    for tag in ["kafka", "mlops"] {
        assert!(tags.contains(tag), "tag index lacks {tag}");
        assert!(
            site.join(format!("tags/{tag}.html")).is_file(),
            "no page for tag {tag}"
        );
    }
    assert!(site.join("authors/kit-ramos.html").is_file());
    assert!(site.join("authors/ada-quill.html").is_file());
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn base_url_makes_feed_and_sitemap_absolute_but_pages_stay_relative() {
    let kb = traps();
    kb.lore_ok(&["build", "--base-url", "https://me.github.io/my-kb"]);
    let sitemap = kb.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://me.github.io/my-kb/notes/"),
        "{sitemap}"
    );
    assert!(
        kb.read("public/atom.xml")
            .contains("https://me.github.io/my-kb/notes/")
    );
    assert!(broken_links(&kb.path("public")).is_empty());
    let index = kb.read("public/index.html");
    assert!(
        !index.contains("href=\"/"),
        "a root-absolute link would break under /my-kb/"
    );
}

#[test]
fn search_index_holds_every_body_word_in_classic_scripts() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    let dir = kb.path("public/search/t");
    let shards: String = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        shards.starts_with("lore._t(") && shards.contains("\"drifts\""),
        "a body-only word is a key of a shard script"
    );
    assert!(
        kb.read("public/search/manifest.js")
            .starts_with("lore._m({")
    );
    assert!(
        kb.read("public/index.html").contains("static/search.js"),
        "every page has the search script"
    );
}

#[test]
fn rebuilding_unchanged_input_rewrites_nothing() {
    let kb = traps();
    kb.lore_ok(&["build"]);
    let stamp = |rel: &str| std::fs::metadata(kb.path(rel)).unwrap().modified().unwrap();
    let notes: Vec<String> = kb
        .notes()
        .into_iter()
        .map(|(f, _, _)| format!("content/{f}"))
        .collect();
    let before: Vec<_> = notes.iter().map(|n| (kb.read(n), stamp(n))).collect();
    let page_before = stamp("public/index.html");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let stderr = kb.lore_ok(&["build"]);
    assert!(stderr.contains("0 written"), "{stderr}");
    let after: Vec<_> = notes.iter().map(|n| (kb.read(n), stamp(n))).collect();
    assert_eq!(before, after, "same bytes and same mtimes");
    assert_eq!(page_before, stamp("public/index.html"));
}

#[test]
fn a_folder_with_only_content_builds_with_defaults() {
    let kb = Kb::new();
    kb.write("content/hello.md", "# Hello\n\nSee [[world]].\n");
    kb.write(
        "content/sub/world.md",
        "---\ntitle: World\ntags: [greeting]\n---\nBack to [[hello|the start]].\n",
    );
    kb.lore_ok(&["build"]);
    let hello = kb.read("public/notes/hello.html");
    assert!(
        hello.contains("href=\"../notes/world.html\""),
        "wikilink resolves"
    );
    let world = kb.read("public/notes/world.html");
    assert!(
        world.contains("notes/hello.html"),
        "backlink listed on the target page"
    );
    assert!(kb.path("public/tags/greeting.html").is_file());
    assert!(broken_links(&kb.path("public")).is_empty());
}

#[test]
fn a_bad_source_is_reported_and_the_rest_still_builds() {
    let kb = traps();
    kb.write(
        "feeds/broken.xml",
        "<rss><channel><item><title>oops</title></chann",
    );
    let mut config = kb.read("config.toml");
    config.push_str(
        "[[sources]]\npath = \"feeds/broken.xml\"\n[[sources]]\npath = \"feeds/missing.xml\"\n",
    );
    kb.write("config.toml", &config);
    let out = kb.lore(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "partial success:\n{stderr}");
    assert!(
        stderr.contains("feeds/broken.xml"),
        "names the bad source:\n{stderr}"
    );
    assert!(stderr.contains("feeds/missing.xml"), "{stderr}");
    assert_eq!(kb.notes().len(), 7, "the good sources were still imported");
    assert!(kb.path("public/index.html").is_file());
}
