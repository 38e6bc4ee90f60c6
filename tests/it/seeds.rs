//! Acceptance: the five real feeds in ../shared/seeds, each with a trap.
//! They stay outside the repository; CI has them beside the clone.

use std::path::PathBuf;

use crate::util::*;

fn seeds_dir() -> PathBuf {
    shared("seeds")
}

fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seeds expected");
    files
}

/// Counts posts the plain way, independent of lore's readers: `<item>`
/// elements in a feed, `URL: http` post headers in an llms dump, one post
/// per markdown file.
fn expected_posts(text: &str) -> usize {
    if text.trim_start().starts_with('<') {
        text.matches("<item>").count() + text.matches("<item ").count()
    } else if text.trim_start().starts_with("---") {
        1
    } else {
        let full = text.split("# Full Blog Content").nth(1).unwrap_or("");
        full.matches(" URL: http").count() + full.matches("\nURL: http").count()
    }
}

#[test]
fn all_five_seeds_become_notes_and_a_site_with_no_broken_link() {
    let kb = Kb::new();
    let mut config = String::from("title = \"Seeds\"\n");
    let mut expected = 0;
    for file in seed_files() {
        config.push_str(&format!(
            "[[sources]]\npath = {:?}\n",
            file.display().to_string()
        ));
        expected += expected_posts(&std::fs::read_to_string(&file).unwrap());
    }
    kb.write("config.toml", &config);
    kb.lore_ok(&["build"]);
    let notes = kb.notes();
    assert!(expected > 50, "counted {expected} posts in the seeds");
    assert_eq!(notes.len(), expected, "one note per post");
    for (file, front, body) in &notes {
        assert!(!text_field(front, "title").is_empty(), "{file}: no title");
        assert!(
            !body.to_lowercase().contains("<script"),
            "{file}: a script survived"
        );
    }
    let pages = html_files(&kb.path("public/notes")).len();
    assert_eq!(pages, notes.len(), "one page per note");
    // Only the markdown post comes without a link and a date; every feed
    // item and llms post has both.
    let markdown_seeds = seed_files()
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().starts_with("---"))
        .count();
    let without_url = notes
        .iter()
        .filter(|(_, f, _)| text_field(f, "url").is_empty())
        .count();
    let without_date = notes
        .iter()
        .filter(|(_, f, _)| f.get("date").is_none_or(|d| d.is_null()))
        .count();
    assert!(
        without_url <= markdown_seeds && without_date <= markdown_seeds,
        "{without_url} notes lack a url, {without_date} a date"
    );
    let site = kb.path("public");
    for (_, front, _) in &notes {
        for author in list_field(front, "authors") {
            assert!(
                kb.read("public/authors/index.html")
                    .contains(&html_escape(&author)),
                "author {author} not indexed"
            );
        }
    }
    assert_no_foreign_scripts(&site);
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "broken links: {broken:#?}");

    // Parts of a series ("… [1/2]", "… [2/2]") list each other first.
    let series = regex::Regex::new(r"\s*\[\d+/\d+\]\s*").unwrap();
    let mut pairs = 0;
    for (file, front, _) in &notes {
        let title = text_field(front, "title");
        if !series.is_match(title) {
            continue;
        }
        let stem = series.replace_all(title, " ");
        let sibling = notes.iter().find(|(other, f, _)| {
            other != file && series.replace_all(text_field(f, "title"), " ") == stem
        });
        if let Some((other, _, _)) = sibling {
            pairs += 1;
            let first = list_field(front, "related").into_iter().next();
            let expected = format!("[[{}]]", other.trim_end_matches(".md"));
            assert_eq!(first.as_deref(), Some(expected.as_str()), "{file}");
        }
    }
    assert!(pairs >= 2, "the seeds hold a two-part series");

    // A link from one post to another post of the vault is a wikilink.
    let page = |url: &str| {
        let url = url.split(['?', '#']).next().unwrap_or(url);
        let url = url
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        url.trim_start_matches("www.")
            .trim_end_matches('/')
            .to_lowercase()
    };
    let pages: Vec<String> = notes
        .iter()
        .map(|(_, f, _)| page(text_field(f, "url")))
        .collect();
    let web_link = regex::Regex::new(r"\]\((https?://[^)\s]+)").unwrap();
    let mut wikilinked = 0;
    for (i, (file, _, body)) in notes.iter().enumerate() {
        for link in web_link.captures_iter(body) {
            let target = page(&link[1]);
            let other = pages.iter().position(|p| !p.is_empty() && *p == target);
            assert!(
                other.is_none_or(|j| j == i),
                "{file} links to another note by its web address: {}",
                &link[1]
            );
        }
        wikilinked += body.matches("[[").count();
    }
    assert!(wikilinked > 0, "some seed post links to another");
}

/// One knowledge base can be a source for another: the seeds site's
/// `llms-full.txt`, imported elsewhere, gives back every note (title,
/// address, date and markdown), the one without an address of its own
/// under its page's.
#[test]
fn the_seeds_sites_llms_full_txt_imports_back_into_the_same_notes() {
    let kb = Kb::new();
    let mut config = String::from("title = \"Seeds\"\n");
    for file in seed_files() {
        config.push_str(&format!(
            "[[sources]]\npath = {:?}\n",
            file.display().to_string()
        ));
    }
    kb.write("config.toml", &config);
    kb.lore_ok(&["build", "--base-url", "https://me.github.io/seeds/"]);
    let other = Kb::new();
    std::fs::copy(kb.path("public/llms-full.txt"), other.path("llms-full.txt")).unwrap();
    other.lore_ok(&["import", "llms-full.txt"]);
    let read = |kb: &Kb| {
        let mut notes: Vec<_> = kb
            .notes()
            .into_iter()
            .map(|(_, front, body)| {
                (
                    text_field(&front, "title").to_string(),
                    text_field(&front, "url").to_string(),
                    front["date"].as_str().map(str::to_string),
                    body.trim().to_string(),
                )
            })
            .collect();
        notes.sort();
        notes
    };
    let (ours, theirs) = (read(&kb), read(&other));
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!((&a.0, &a.2, &a.3), (&b.0, &b.2, &b.3));
        if a.1.is_empty() {
            assert!(
                b.1.starts_with("https://me.github.io/seeds/notes/"),
                "{}",
                b.1
            );
        } else {
            assert_eq!(a.1, b.1);
        }
    }
}

/// The Nu HTML checker (vnu), or `None` when LORE_SKIP_VNU is set
/// (scripts/test installs it otherwise: npm `vnu-jar` and a Java runtime).
fn vnu_errors(site: &std::path::Path) -> Option<Vec<String>> {
    if std::env::var_os("LORE_SKIP_VNU").is_some() {
        eprintln!("skipping the Nu HTML checker: LORE_SKIP_VNU is set");
        return None;
    }
    let out = std::process::Command::new("vnu")
        .args(["--errors-only", "--format", "json", "--skip-non-html"])
        .arg(site)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "this test needs the Nu HTML checker as `vnu` ({e}): scripts/test installs it \
                 (npm vnu-jar, apt default-jre-headless), or set LORE_SKIP_VNU=1"
            )
        });
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("vnu said ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    Some(
        report["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{}:{}: {}",
                    m["url"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit("/public/")
                        .next()
                        .unwrap_or(""),
                    m["lastLine"],
                    m["message"].as_str().unwrap_or("")
                )
            })
            .collect(),
    )
}

/// Every page of the seeds site passes the Nu HTML checker: imported
/// headings never skip a level, every attribute is allowed where it is.
#[test]
fn every_page_of_the_seeds_site_is_valid_html() {
    for base in [Some("https://me.github.io/seeds/"), None] {
        let kb = Kb::new();
        let mut config = String::from("title = \"Seeds\"\ndescription = \"Five feeds\"\n");
        for file in seed_files() {
            config.push_str(&format!(
                "[[sources]]\npath = {:?}\n",
                file.display().to_string()
            ));
        }
        kb.write("config.toml", &config);
        match base {
            Some(url) => kb.lore_ok(&["build", "--base-url", url]),
            None => kb.lore_ok(&["build"]),
        };
        let Some(errors) = vnu_errors(&kb.path("public")) else {
            return;
        };
        assert!(
            errors.is_empty(),
            "{} errors:\n{}",
            errors.len(),
            errors.join("\n")
        );
    }
}

/// `lore check` finds every internal link, fragment and image of the seeds
/// site resolved.
#[test]
fn lore_check_finds_no_broken_link_in_the_seeds_site() {
    let kb = Kb::new();
    let mut config = String::from("title = \"Seeds\"\n");
    for file in seed_files() {
        config.push_str(&format!(
            "[[sources]]\npath = {:?}\n",
            file.display().to_string()
        ));
    }
    kb.write("config.toml", &config);
    let out = kb.lore(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
