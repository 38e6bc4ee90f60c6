//! OPML subscription lists: every `<outline xmlUrl=…>` names a feed.

use super::SourceFile;
use crate::model::Diagnostic;

/// The feed addresses an OPML document lists, in document order.
pub fn read(file: &SourceFile<'_>) -> (Vec<String>, Vec<Diagnostic>) {
    let text = super::decode(file.bytes);
    let mut urls = Vec::new();
    for tag in text.split("<outline").skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if let Some(url) = attribute(tag, "xmlUrl") {
            urls.push(super::text::decode_entities(&url));
        }
    }
    let diagnostics = if urls.is_empty() {
        vec![Diagnostic::warning(
            file.origin,
            None,
            "the OPML list names no feeds (no outline has an xmlUrl)",
        )]
    } else {
        Vec::new()
    };
    (urls, diagnostics)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[start..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    value.find(quote).map(|end| value[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_feed() {
        let opml = br#"<opml version="2.0"><body><outline text="a" xmlUrl="https://a.io/feed.xml"/><outline text="g"><outline xmlUrl='https://b.io/rss?x=1&amp;y=2'/></outline></body></opml>"#;
        let (urls, diags) = read(&SourceFile {
            origin: "subs.opml",
            bytes: opml,
        });
        assert_eq!(urls, ["https://a.io/feed.xml", "https://b.io/rss?x=1&y=2"]);
        assert!(diags.is_empty());
    }
}
