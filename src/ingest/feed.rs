//! RSS 0.9x/1.0/2.0, Atom and JSON Feed through feed-rs. feed-rs types stay
//! inside this file and [`enclosures`]: what leaves is plain [`Item`]s.

use std::panic::{AssertUnwindSafe, catch_unwind};

use feed_rs::model::{Entry, Feed, Link};
use rayon::prelude::*;

use super::{SourceFile, SourceOptions, dates, enclosures, encoding, html, mojibake, text};
use crate::model::{Diagnostic, Item};

/// Parses a feed document into items.
pub fn read(file: &SourceFile<'_>, options: &SourceOptions) -> (Vec<Item>, Vec<Diagnostic>) {
    let parser = builder();
    let xml = encoding::xml_to_utf8(file.bytes);
    let parse = || {
        parser
            .parse(&*xml)
            .or_else(|e| match with_rss_version(&xml) {
                // feed-rs knows an `<rss>` root only by its version attribute; real
                // feeds omit it or say "2.01", and are RSS 2.0 all the same.
                // A fresh parser: feed-rs keeps per-entry state that a
                // failed parse leaves set, and the next parse asserts on it.
                Some(fixed) => builder().parse(fixed.as_slice()),
                None => Err(e),
            })
    };
    // Should feed-rs panic on some other input, one bad feed must still not
    // stop a build: a panic there is a diagnostic like any unreadable feed.
    let Ok(parsed) = catch_unwind(AssertUnwindSafe(parse)) else {
        return (
            Vec::new(),
            vec![Diagnostic::error(
                file.origin,
                None,
                "not a readable feed: the feed parser (feed-rs) failed on it",
            )],
        );
    };
    let feed = match parsed {
        Ok(feed) => feed,
        Err(e) => {
            return (
                Vec::new(),
                vec![Diagnostic::error(
                    file.origin,
                    None,
                    format!("not a readable feed: {e}"),
                )],
            );
        }
    };
    let context = FeedContext::new(&feed, file, options);
    let items: Vec<Item> = feed
        .entries
        .par_iter()
        .map(|entry| to_item(entry, &context))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = feed
        .entries
        .iter()
        .zip(&items)
        .filter_map(|(entry, item)| oversize_warning(file, entry, item))
        .collect();
    if items.is_empty() {
        diagnostics.push(Diagnostic::warning(
            file.origin,
            None,
            "the feed holds no items",
        ));
    }
    (items, diagnostics)
}

/// The feed-rs parser, as lore configures it.
fn builder() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .timestamp_parser(|s| dates::parse(s).map(|t| t.and_utc()))
        // An empty id tells us the feed gave none, so we derive a stable one.
        .id_generator(|_, _, _| String::new())
        .build()
}

/// The document with its `<rss>` root saying `version="2.0"`, or `None`
/// when the root is not `<rss>` or already says so.
fn with_rss_version(xml: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(xml).ok()?;
    let mut at = 0;
    let start = loop {
        let found = at + text[at..].find("<rss")?;
        let next = text.as_bytes().get(found + 4).copied();
        if matches!(next, Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')) {
            break found + 4;
        }
        at = found + 4;
    };
    let tag = &text[start..start + text[start..].find('>')?];
    let (head, tail) = match text::attribute_span(tag, "version") {
        Some(range) if &tag[range.clone()] == "2.0" => return None,
        Some(range) => (&text[..start + range.start], &text[start + range.end..]),
        None => (&text[..start], &text[start..]),
    };
    let version = if head.ends_with("<rss") {
        " version=\"2.0\""
    } else {
        "2.0"
    };
    Some([head, version, tail].concat().into_bytes())
}

/// What every item of one feed shares.
struct FeedContext {
    source: String,
    link: Option<String>,
    authors: Vec<String>,
    tags: Vec<String>,
}

impl FeedContext {
    fn new(feed: &Feed, file: &SourceFile<'_>, options: &SourceOptions) -> Self {
        let title = feed
            .title
            .as_ref()
            .map(|t| text::clean_line(&t.content))
            .filter(|t| !t.is_empty());
        let source = options
            .name
            .clone()
            .or(title)
            .unwrap_or_else(|| file.stem().to_string());
        let mut authors: Vec<String> = feed
            .authors
            .iter()
            .map(|p| text::clean_line(p.name.as_deref().unwrap_or_default()))
            .filter(|n| !n.is_empty())
            .collect();
        if authors.is_empty() {
            authors.extend(
                feed.description
                    .as_ref()
                    .and_then(|d| author_from_description(&d.content)),
            );
        }
        if authors.is_empty() {
            authors.extend(options.author.clone());
        }
        FeedContext {
            source,
            link: page_link(&feed.links),
            authors,
            tags: options.tags.clone(),
        }
    }
}

/// "Posts by Ada Lovelace" is how many blogs name their author.
fn author_from_description(description: &str) -> Option<String> {
    let line = text::clean_line(description);
    let name = [
        "Posts by ",
        "Articles by ",
        "Writing by ",
        "Blog of ",
        "Notes by ",
    ]
    .iter()
    .find_map(|p| line.strip_prefix(p))?;
    let name = name.trim_end_matches('.').trim();
    (!name.is_empty() && name.split_whitespace().count() <= 4).then(|| name.to_string())
}

/// The link that points at the page itself, not at comments or enclosures.
fn page_link(links: &[Link]) -> Option<String> {
    let page = links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or(links.first());
    page.map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// The HTML of an item: `content:encoded` or Atom content, else the summary.
fn html_body(entry: &Entry) -> &str {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.as_str()))
        .unwrap_or("")
}

/// An item too large to convert whole was cut: say so, naming it.
fn oversize_warning(file: &SourceFile<'_>, entry: &Entry, item: &Item) -> Option<Diagnostic> {
    let size = html_body(entry).len();
    (size > html::MAX_HTML_BYTES).then(|| {
        Diagnostic::warning(
            file.origin,
            Some(item.title.clone()),
            format!(
                "the item's HTML is {} MB; only its first {} MB were converted",
                size / (1024 * 1024),
                html::MAX_HTML_BYTES / (1024 * 1024)
            ),
        )
    })
}

fn to_item(entry: &Entry, feed: &FeedContext) -> Item {
    let title = entry
        .title
        .as_ref()
        .map(|t| text::clean_line(&t.content))
        .unwrap_or_default();
    let url = page_link(&entry.links);
    let date = entry.published.or(entry.updated).map(|t| t.naive_utc());
    let html_body = html_body(entry);
    let base = url.as_deref().or(feed.link.as_deref());
    let body = html::html_to_markdown(html_body, base);
    let body = match mojibake::repair(&body) {
        std::borrow::Cow::Owned(repaired) => repaired,
        std::borrow::Cow::Borrowed(_) => body,
    };
    let media = enclosures::from_entry(entry);
    let body = enclosures::add_to_body(body, &media, &title);
    let extra = media
        .image
        .iter()
        .map(|url| {
            (
                "image".to_string(),
                serde_json::Value::from(url.as_str()).to_string(),
            )
        })
        .collect();
    let mut authors: Vec<String> = entry
        .authors
        .iter()
        .map(|p| text::clean_line(p.name.as_deref().unwrap_or_default()))
        .filter(|n| !n.is_empty())
        .collect();
    if authors.is_empty() {
        authors = feed.authors.clone();
    }
    let mut tags: Vec<String> = entry
        .categories
        .iter()
        .map(|c| text::clean_line(c.label.as_deref().unwrap_or(&c.term)))
        .collect();
    tags.extend(feed.tags.iter().cloned());
    let date_text = date.map(|d| d.to_string()).unwrap_or_default();
    let id = Some(entry.id.trim().to_string())
        .filter(|id| !id.is_empty())
        .or_else(|| url.clone())
        .unwrap_or_else(|| {
            format!(
                "urn:lore:{}",
                text::short_hash(&[&feed.source, &title, &date_text])
            )
        });
    let title = if title.is_empty() {
        untitled(&body)
    } else {
        title
    };
    Item {
        id,
        title,
        date,
        authors,
        tags,
        url,
        source: feed.source.clone(),
        body,
        name: None,
        extra,
    }
}

/// A title for an item that has none: its first words.
fn untitled(body: &str) -> String {
    let words: Vec<&str> = body
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .collect();
    if words.is_empty() {
        "Untitled".to_string()
    } else {
        words
            .join(" ")
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_xml_declaration_is_a_diagnostic() {
        // Found by fuzz/fuzz_targets/feed_ingest.rs: quick-xml 0.42 (under
        // feed-rs) panics in `set_encoding` on a second declaration that
        // names an encoding (fuzz/regressions/feed_ingest/).
        let file = SourceFile {
            origin: "bad.xml",
            bytes: b"<?xml version=\"1.0\"?><rss><?xml encoding=\"latin1\"?>",
        };
        let (items, diagnostics) = read(&file, &SourceOptions::default());
        assert!(items.is_empty());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("not a readable feed"));
    }

    #[test]
    fn a_feed_the_parser_panics_on_is_a_diagnostic() {
        // Found by fuzz/fuzz_targets/feed_ingest.rs: the first parse fails
        // inside the `<item>`, and reusing its parser for the retry with a
        // version made feed-rs 3.0 assert (fuzz/regressions/feed_ingest/).
        let file = SourceFile {
            origin: "bad.xml",
            bytes: b"<rss version=\"\"><channel>\n <item>",
        };
        let (items, diagnostics) = read(&file, &SourceOptions::default());
        assert!(items.is_empty());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("not a readable feed"));
    }

    #[test]
    fn an_rss_root_without_a_known_version_reads_as_rss_2() {
        let fixed =
            |xml: &str| with_rss_version(xml.as_bytes()).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(
            fixed("<rss>\n<channel/></rss>").as_deref(),
            Some("<rss version=\"2.0\">\n<channel/></rss>")
        );
        assert_eq!(
            fixed("<?xml version='1.0'?><rss xmlns:a='x' version='2.01'><channel/></rss>")
                .as_deref(),
            Some("<?xml version='1.0'?><rss xmlns:a='x' version='2.0'><channel/></rss>")
        );
        assert_eq!(fixed("<rss version=\"2.0\"><channel/></rss>"), None);
        assert_eq!(fixed("<feed/>"), None);
    }

    #[test]
    fn channel_description_can_name_the_author() {
        assert_eq!(
            author_from_description("Posts by Ada Lovelace"),
            Some("Ada Lovelace".into())
        );
        assert_eq!(
            author_from_description("The latest articles on a site"),
            None
        );
    }
}
