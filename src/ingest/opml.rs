//! OPML subscription lists: every `<outline xmlUrl=…>` names a feed, with
//! its title in `title` or `text`. Reading the feeds themselves is the CLI
//! edge's job (a file beside the list, or a URL to fetch).

use super::{SourceFile, text};
use crate::model::Diagnostic;

/// One feed an OPML list names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// As written in the list: a URL, or a path relative to the list.
    pub address: String,
    /// The outline's title, if it has one.
    pub title: Option<String>,
}

/// The feeds an OPML document lists, in document order, without repeats.
pub fn read(file: &SourceFile<'_>) -> (Vec<Subscription>, Vec<Diagnostic>) {
    let doc = super::decode(file.bytes);
    let mut subscriptions: Vec<Subscription> = Vec::new();
    for tag in doc.split("<outline").skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let Some(address) = attribute(tag, "xmlUrl").map(|u| text::decode_entities(u.trim()))
        else {
            continue;
        };
        if address.is_empty() || subscriptions.iter().any(|s| s.address == address) {
            continue;
        }
        let title = attribute(tag, "title")
            .or_else(|| attribute(tag, "text"))
            .map(|t| text::clean_line(&t))
            .filter(|t| !t.is_empty());
        subscriptions.push(Subscription { address, title });
    }
    let diagnostics = if subscriptions.is_empty() {
        vec![Diagnostic::warning(
            file.origin,
            None,
            "the OPML list names no feeds (no outline has an xmlUrl)",
        )]
    } else {
        Vec::new()
    };
    (subscriptions, diagnostics)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    text::attribute_span(tag, name).map(|range| tag[range].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_feed_once_with_its_title() {
        let opml = br#"<opml version="2.0"><body>
            <outline text="Alpha &amp; Co" xmlUrl="https://a.io/feed.xml"/>
            <outline text="group"><outline title="B" text="b" xmlUrl = 'https://b.io/rss?x=1&amp;y=2'/></outline>
            <outline text="again" xmlUrl="https://a.io/feed.xml"/>
            <outline text="local" type="rss" htmlUrl="https://c.io" xmlUrl="feeds/c.xml"/>
            </body></opml>"#;
        let (subscriptions, diagnostics) = read(&SourceFile {
            origin: "subs.opml",
            bytes: opml,
        });
        let addresses: Vec<&str> = subscriptions.iter().map(|s| s.address.as_str()).collect();
        assert_eq!(
            addresses,
            [
                "https://a.io/feed.xml",
                "https://b.io/rss?x=1&y=2",
                "feeds/c.xml"
            ]
        );
        assert_eq!(subscriptions[0].title.as_deref(), Some("Alpha & Co"));
        assert_eq!(subscriptions[1].title.as_deref(), Some("B"));
        assert!(diagnostics.is_empty());
    }
}
