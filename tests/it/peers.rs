//! Acceptance: the 31 real-world feeds of rss-parser's test suite in
//! ../shared/peers, with what that parser made of them. lore must import
//! every feed, reject the one that is not a feed by name, and find every
//! item the peer found, with its title and link, in the right characters.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::util::*;

fn peers_dir() -> PathBuf {
    shared("peers/rss-parser")
}

/// Letters and digits only, lowercased: titles compare by their words, not
/// by how each parser spaces them or spells an entity.
fn words(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The peer keeps tags and character references in some titles that lore
/// turns into text: do the same to its side before comparing.
fn plain(title: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    let refs = regex::Regex::new(r"&#(x[0-9a-fA-F]+|[0-9]+);").unwrap();
    let title = tags.replace_all(title, "");
    refs.replace_all(&title, |c: &regex::Captures| {
        let code = &c[1];
        let n = match code.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => code.parse(),
        };
        n.ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default()
    })
    .replace("&amp;", "&")
}

fn ascii_words(text: &str) -> String {
    words(text).chars().filter(char::is_ascii).collect()
}

/// The peer's items: (title, link) as rss-parser read them.
fn peer_items(name: &str) -> Vec<(Option<String>, Option<String>)> {
    let path = peers_dir().join("output").join(format!("{name}.json"));
    let Ok(bytes) = std::fs::read(&path) else {
        return Vec::new();
    };
    // One of the peer's outputs is Latin-1.
    let text = String::from_utf8(bytes.clone())
        .unwrap_or_else(|_| bytes.iter().map(|b| char::from(*b)).collect());
    let json: serde_json::Value = serde_json::from_str(&text).expect("peer output is JSON");
    let field = |item: &serde_json::Value, key: &str| {
        item[key]
            .as_str()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    json["feed"]["items"]
        .as_array()
        .expect("feed.items")
        .iter()
        .map(|item| (field(item, "title"), field(item, "link")))
        .collect()
}

#[test]
fn every_peer_feed_imports_with_the_items_the_peer_found() {
    let kb = Kb::new();
    kb.lore_ok(&["init", "-q"]);
    let inputs = peers_dir().join("input");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&inputs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 31);

    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = kb.lore(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "partial success:\n{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "only the non-feed fails:\n{stderr}");
    assert!(errors[0].contains("unrecognized.rss"), "{}", errors[0]);
    assert!(!stderr.contains("panicked"), "{stderr}");

    let notes = kb.notes();
    let titles: BTreeSet<String> = notes
        .iter()
        .filter_map(|(_, front, _)| front["title"].as_str().map(words))
        .collect();
    let ascii_titles: BTreeSet<String> = titles.iter().map(|t| ascii_words(t)).collect();
    let urls: Vec<&str> = notes
        .iter()
        .filter_map(|(_, front, _)| front["url"].as_str())
        .collect();
    let mut checked = 0;
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy();
        for (title, link) in peer_items(&name) {
            // Where the peer lost characters (U+FFFD), compare what it kept.
            if let Some(title) = title.as_deref().filter(|t| t.contains('\u{fffd}')) {
                assert!(
                    ascii_titles.contains(&ascii_words(title)),
                    "{name}: no note titled like {title:?}"
                );
            } else if let Some(title) = title {
                assert!(
                    titles.contains(&words(&plain(&title))),
                    "{name}: no note titled {title:?}"
                );
            }
            if let Some(link) = link {
                assert!(
                    urls.iter().any(|u| u
                        .trim_end_matches('/')
                        .ends_with(link.trim_end_matches('/'))),
                    "{name}: no note links to {link}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} peer items checked");

    for (file, front, body) in &notes {
        let title = front["title"].as_str().unwrap_or_default();
        assert!(
            !title.contains('\u{fffd}') && !body.contains('\u{fffd}'),
            "{file}: a character was lost in decoding: {title}"
        );
    }
}
