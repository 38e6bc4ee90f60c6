//! Feed autodiscovery: when a URL a user gave serves a web page instead of
//! a feed, the page's `<link rel="alternate" type="…rss+xml">` (and Atom,
//! JSON Feed) elements say where its feeds are. This reads them; it
//! fetches nothing.

use std::borrow::Cow;
use std::cell::RefCell;

use lol_html::{HtmlRewriter, Settings, element};

use super::url;

/// Link types that announce a feed. `application/json` is what many JSON
/// Feed publishers send; `application/rdf+xml` is RSS 1.0.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// The absolute http(s) URLs of the feeds a page links to, in document
/// order, without duplicates. Relative links are resolved against the
/// page's `<base href>` if it has one, else against `page_url`. A page
/// lol_html cannot finish parsing yields the links found before the error.
pub fn feed_links(html: &[u8], page_url: &str) -> Vec<String> {
    let hrefs = RefCell::new(Vec::<String>::new());
    let base = RefCell::new(None::<String>);
    let settings = Settings::new()
        .with_strict(false)
        .append_element_content_handler(element!("link[href]", |el| {
            let is_alternate = el.get_attribute("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|token| token.eq_ignore_ascii_case("alternate"))
            });
            let is_feed = el.get_attribute("type").is_some_and(|t| is_feed_type(&t));
            if let Some(href) = el.get_attribute("href").filter(|_| is_alternate && is_feed) {
                hrefs.borrow_mut().push(decode_entities(&href).into_owned());
            }
            Ok(())
        }))
        .append_element_content_handler(element!("base[href]", |el| {
            // Only the first <base href> counts (HTML § 4.2.3).
            let mut base = base.borrow_mut();
            if base.is_none() {
                *base = el
                    .get_attribute("href")
                    .map(|h| decode_entities(&h).into_owned());
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // A parse error ends the scan, keeping what was found before it.
    let _ = rewriter.write(html).and_then(|()| rewriter.end());

    // The base applies to every link in the document, even those before it.
    let base_url = base
        .into_inner()
        .and_then(|href| url::resolve(page_url, &href))
        .unwrap_or_else(|| page_url.to_string());
    let mut links: Vec<String> = Vec::new();
    for href in hrefs.into_inner() {
        let Some(link) = url::resolve(&base_url, &href).filter(|l| url::is_http(l)) else {
            continue;
        };
        if !links.contains(&link) {
            links.push(link);
        }
    }
    links
}

fn is_feed_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    FEED_TYPES.iter().any(|t| t.eq_ignore_ascii_case(essence))
}

/// Whether `bytes` are an HTML page rather than a feed: after any BOM and
/// whitespace they start with `<!doctype html` or `<html`.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    let starts_with = |prefix: &[u8]| {
        head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    starts_with(b"<!doctype html") || starts_with(b"<html")
}

/// lol_html hands attribute values over as written; URLs in the wild carry
/// `&amp;` in their query strings and now and then a numeric reference.
fn decode_entities(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => numeric_reference(name),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn numeric_reference(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.com/blog/post.html";

    #[test]
    fn finds_rss_atom_and_json_feeds_in_order() {
        let html = br#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">
            <link href='atom.xml' type='application/atom+xml' rel='alternate'>
            <link rel=alternate type=application/feed+json href=/feed.json>
            <link rel="alternate" type="application/json" href="https://cdn.example.org/f.json">
            <link rel="alternate" hreflang="fr" href="/fr/">
            </head><body></body></html>"#;
        assert_eq!(
            feed_links(html, PAGE),
            [
                "https://example.com/rss.xml",
                "https://example.com/blog/atom.xml",
                "https://example.com/feed.json",
                "https://cdn.example.org/f.json",
            ]
        );
    }

    #[test]
    fn reads_rel_tokens_and_types_loosely() {
        let html =
            br#"<link rel="Alternate Feed" type="Application/RSS+XML; charset=utf-8" href="a.xml">
            <link rel="alternative" type="application/rss+xml" href="not-a-feed.xml">
            <link rel="alternate" type="text/html" href="page.html">
            <LINK REL="alternate" TYPE="application/atom+xml" HREF="b.xml">"#;
        assert_eq!(
            feed_links(html, PAGE),
            [
                "https://example.com/blog/a.xml",
                "https://example.com/blog/b.xml"
            ]
        );
    }

    #[test]
    fn honours_the_first_base_href_even_after_the_links() {
        let html = br#"<head>
            <link rel="alternate" type="application/rss+xml" href="feed.xml">
            <base href="/site/">
            <base href="/ignored/">
            </head>"#;
        assert_eq!(
            feed_links(html, PAGE),
            ["https://example.com/site/feed.xml"]
        );
    }

    #[test]
    fn deduplicates_and_decodes_entities() {
        let html = br#"<link rel="alternate" type="application/rss+xml" href="/f?a=1&amp;b=2">
            <link rel="alternate" type="application/rss+xml" href="/f?a=1&b=2">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/rss+xml" href="/x&#x3D;y">"#;
        assert_eq!(
            feed_links(html, PAGE),
            ["https://example.com/f?a=1&b=2", "https://example.com/x=y"]
        );
    }

    #[test]
    fn a_page_without_feeds_has_none() {
        assert!(feed_links(b"<html><body><p>hi</body></html>", PAGE).is_empty());
        assert!(feed_links(b"", PAGE).is_empty());
        assert!(feed_links(&[0xff, 0xfe, 0x00, b'<'], PAGE).is_empty());
    }

    #[test]
    fn tells_html_from_feeds() {
        assert!(looks_like_html(b"<!DOCTYPE html><html>"));
        assert!(looks_like_html(b"\xEF\xBB\xBF\n  <!doctype HTML>"));
        assert!(looks_like_html(b"<HTML lang=en>"));
        assert!(!looks_like_html(b"<?xml version=\"1.0\"?><rss>"));
        assert!(!looks_like_html(
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        ));
        assert!(!looks_like_html(
            b"{\"version\": \"https://jsonfeed.org/version/1.1\"}"
        ));
        assert!(!looks_like_html(b"<htm"));
        assert!(!looks_like_html(b""));
    }
}
