//! Lists that scale: the home, tag, author and source pages are cut into
//! pages of `paginate_by` with rel prev/next and a pager, a title and date
//! a line (the home page's ten newest as cards); the archive lists
//! every note by year and month; every note is reachable from the home
//! page through list pages.

use std::collections::{BTreeSet, VecDeque};

use crate::util::*;

/// `n` made-up notes, one a month from January 2020 on, tagged `t0`..`t2`
/// in turn and `all`, each linking to the next.
pub fn numbered_notes(kb: &Kb, n: usize) {
    for i in 0..n {
        let (year, month) = (2020 + i / 12, 1 + i % 12);
        kb.write(
            &format!("content/note-{i:03}.md"),
            &format!(
                "---\ntitle: \"Note {i}\"\ndate: {year}-{month:02}-03T10:00:00\ntags:\n  - \"t{}\"\n  - \"all\"\nauthors:\n  - \"Ada\"\n---\nWords about topic {i}. See [[note-{:03}]].\n",
                i % 3,
                (i + 1) % n
            ),
        );
    }
}

fn hrefs(html: &str) -> Vec<String> {
    let attr = regex::Regex::new(r##"<a [^>]*href="([^"#]*)[^"]*""##).unwrap();
    attr.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// The site-relative pages reachable from `start` following links on
/// pages that are not notes (list pages only).
fn reachable_through_lists(site: &std::path::Path, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(page) = queue.pop_front() {
        if page.starts_with("notes/") {
            continue;
        }
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        let dir = std::path::Path::new(&page).parent().unwrap().to_path_buf();
        for link in hrefs(&html) {
            if link.contains("://") || link.is_empty() {
                continue;
            }
            let mut parts: Vec<String> = dir
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            for seg in link.split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s.to_string()),
                }
            }
            let target = parts.join("/");
            if target.ends_with(".html") && seen.insert(target.clone()) {
                queue.push_back(target);
            }
        }
    }
    seen
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// The notes a page lists one a line (title and date): (title, date).
fn lines(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("<ol class=\"note-list\">") else {
        return Vec::new();
    };
    let list = &html[start..start + html[start..].find("</ol>").unwrap()];
    regex::Regex::new(r#"<li><a href="[^"]+">([^<]+)</a> <time>([^<]+)</time>"#)
        .unwrap()
        .captures_iter(list)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

#[test]
fn lists_are_paginated_with_prev_next_and_a_pager() {
    let kb = Kb::new();
    numbered_notes(&kb, 75);
    kb.write(
        "config.toml",
        "paginate_by = 10\nbase_url = \"https://example.org/kb/\"\n",
    );
    kb.lore_ok(&["build"]);
    let home = kb.read("public/index.html");
    assert_eq!(count(&home, "class=\"card\""), 10, "home holds one page");
    assert!(lines(&home).is_empty());
    assert!(home.contains("<link rel=\"next\" href=\"page/2.html\">"));
    assert!(!home.contains("rel=\"prev\""));
    assert!(home.contains("Page 1 of 8"), "pager says where we are");
    // The newest note first; the oldest on the last page.
    assert!(home.contains("Note 74"));
    let last = kb.read("public/page/8.html");
    assert_eq!(count(&last, "class=\"card\""), 0, "older notes a line each");
    assert_eq!(lines(&last).len(), 5);
    assert_eq!(
        lines(&last)[4],
        ("Note 0".to_string(), "2020-01-03".to_string())
    );
    assert!(last.contains("<link rel=\"prev\" href=\"../page/7.html\">"));
    assert!(!last.contains("rel=\"next\""));
    assert!(!kb.path("public/page/9.html").exists());

    // 25 notes tagged t0: three pages, each counting all 25.
    let tag2 = kb.read("public/tags/t0/page/2.html");
    assert!(tag2.contains("<title>Tag: t0 (page 2 of 3)"), "{tag2}");
    assert!(tag2.contains("25 notes"));
    assert_eq!(lines(&tag2).len(), 10);
    assert!(!tag2.contains("class=\"summary\""), "no summaries: {tag2}");
    assert!(tag2.contains("<link rel=\"prev\" href=\"../../../tags/t0.html\">"));
    assert!(tag2.contains("<link rel=\"next\" href=\"../../../tags/t0/page/3.html\">"));
    assert!(tag2.contains("href=\"../../../tags/t0/page/2.html\" aria-current=\"page\""));
    assert!(kb.path("public/authors/ada/page/8.html").is_file());
    assert!(!kb.path("public/tags/t0/page/4.html").exists());

    // The sitemap names every page of every list; the checker finds no
    // broken link or fragment.
    let sitemap = kb.read("public/sitemap.xml");
    for page in [
        "page/8.html",
        "tags/t0/page/3.html",
        "authors/ada/page/8.html",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/kb/{page}</loc>")),
            "{page}"
        );
    }
    assert!(!sitemap.contains("page/9.html"));
    kb.lore_ok(&["check"]);
    assert!(broken_links(&kb.path("public")).is_empty());
}

#[test]
fn every_note_is_reachable_from_the_home_page_through_list_pages() {
    let kb = Kb::new();
    numbered_notes(&kb, 75);
    kb.write("config.toml", "paginate_by = 4\n");
    kb.lore_ok(&["build"]);
    let reached = reachable_through_lists(&kb.path("public"), "index.html");
    let notes = reached.iter().filter(|p| p.starts_with("notes/")).count();
    assert_eq!(notes, 75, "{reached:?}");
    // The "75 notes" counter leads to the archive.
    let home = kb.read("public/index.html");
    assert!(
        home.contains("<a href=\"archive/index.html\"><strong>75</strong> notes</a>"),
        "{home}"
    );
}

#[test]
fn the_archive_lists_every_note_by_month_and_links_to_where_each_month_starts() {
    let kb = Kb::new();
    numbered_notes(&kb, 30);
    // Three more in March 2020, and one without a date.
    for (name, day) in [("extra-a", 10), ("extra-b", 20), ("extra-c", 25)] {
        kb.write(
            &format!("content/{name}.md"),
            &format!("---\ntitle: \"{name}\"\ndate: 2020-03-{day}T10:00:00\n---\nText.\n"),
        );
    }
    kb.write(
        "content/undated.md",
        "---\ntitle: \"Undated one\"\n---\nText.\n",
    );
    // The archive holds ten times paginate_by: 10 a page, 4 pages.
    kb.write("config.toml", "paginate_by = 1\n");
    kb.lore_ok(&["build"]);
    let pages: Vec<String> = [
        "archive/index.html",
        "archive/page/2.html",
        "archive/page/3.html",
        "archive/page/4.html",
    ]
    .iter()
    .map(|p| kb.read(&format!("public/{p}")))
    .collect();
    assert!(!kb.path("public/archive/page/5.html").exists());
    let all = pages.concat();
    for i in 0..30 {
        assert_eq!(count(&all, &format!(">Note {i}</a>")), 1, "Note {i} once");
    }
    assert!(
        pages[0].contains("<h2>June 2022</h2>"),
        "newest month first"
    );
    // March 2020 holds four notes, the 28th to 31st of 34 newest first:
    // it starts on page 3 and goes on on page 4.
    assert!(pages[2].contains("id=\"m2020-03\""));
    assert!(pages[3].contains("<h2>March 2020 <span class=\"muted\">(continued)</span></h2>"));
    assert!(!pages[3].contains("id=\"m2020-03\""));
    assert!(
        pages[0].contains("href=\"../archive/page/3.html#m2020-03\">Mar <span class=\"count\">4")
    );
    // Undated notes close the archive.
    assert!(pages[3].contains("id=\"undated\""));
    assert!(pages[3].trim_end().rfind("Undated one") > pages[3].rfind("Note 0"));
    // Every month link lands on an id of its page.
    kb.lore_ok(&["check"]);
}

#[test]
fn paginate_by_zero_keeps_each_list_on_one_page() {
    let kb = Kb::new();
    numbered_notes(&kb, 45);
    kb.write("config.toml", "paginate_by = 0\n");
    kb.lore_ok(&["build"]);
    let home = kb.read("public/index.html");
    assert_eq!(
        count(&home, "class=\"card\""),
        10,
        "the ten newest as cards"
    );
    assert_eq!(lines(&home).len(), 35, "the rest a line each");
    assert!(!kb.path("public/page").exists());
    assert!(!kb.path("public/tags/all").exists());
    assert!(!kb.read("public/tags/all.html").contains("class=\"pager\""));
}

#[test]
fn the_index_of_tags_is_cut_into_pages_of_a_thousand() {
    let kb = Kb::new();
    for i in 0..1001 {
        kb.write(
            &format!("content/n{i}.md"),
            &format!("---\ntitle: \"N{i}\"\ntags: [\"tag{i:04}\"]\n---\nText.\n"),
        );
    }
    kb.write("config.toml", "[related]\nmax = 0\n");
    kb.lore_ok(&["build"]);
    let first = kb.read("public/tags/index.html");
    assert_eq!(count(&first, "<li><a class=\"tag\" rel=\"tag\""), 1000);
    assert!(first.contains("1001 tags"), "the count is of all tags");
    assert!(first.contains("<link rel=\"next\" href=\"../tags/page/2.html\">"));
    let second = kb.read("public/tags/page/2.html");
    assert!(second.contains("href=\"../../tags/tag1000.html\""));
    assert_eq!(count(&second, "<li><a class=\"tag\" rel=\"tag\""), 1);
}

#[test]
fn by_default_a_list_page_holds_a_hundred_notes() {
    let kb = Kb::new();
    numbered_notes(&kb, 105);
    kb.write("config.toml", "[related]\nmax = 0\n");
    kb.lore_ok(&["build"]);
    let home = kb.read("public/index.html");
    assert_eq!(count(&home, "class=\"card\""), 10);
    assert_eq!(lines(&home).len(), 90);
    assert_eq!(lines(&kb.read("public/page/2.html")).len(), 5);
    assert!(!kb.path("public/page/3.html").exists());
    assert_eq!(lines(&kb.read("public/tags/all.html")).len(), 100);
    assert_eq!(lines(&kb.read("public/tags/all/page/2.html")).len(), 5);
}
