//! Invariants the fuzz targets check, shared between them. Each one is a
//! promise lore already makes (in ARCHITECTURE.md or in a unit test), so a
//! failure is a finding, not a matter of taste.

use std::sync::LazyLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use regex::Regex;

static HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bon[a-z]+\s*=").unwrap());

/// lore turns a panic inside a third-party parser (feed-rs, html5ever) into
/// a diagnostic with `catch_unwind`; libFuzzer's panic hook would abort at
/// the panic, before lore can catch it. This puts the default hook back, so
/// only a panic that escapes lore reaches libFuzzer (which aborts on it).
/// `LORE_FUZZ_STRICT_PANICS=1` keeps libFuzzer's hook: every panic is a
/// crash, which finds the ones worth reporting upstream.
pub fn let_lore_catch_its_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("LORE_FUZZ_STRICT_PANICS").is_none() {
            let _ = std::panic::take_hook();
        }
    });
}

/// The private-use characters `ingest::html` marks its own structure with
/// (U+FDD0..U+FDEF); none may leak into a note.
fn is_mark(c: char) -> bool {
    ('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

/// The guarantee of `ingest::html::html_to_markdown`: no internal mark, and
/// as a CommonMark parser reads it, no raw HTML and no link or image whose
/// URL is not http(s), mailto, a fragment or site-absolute. (Words such as
/// `<script` or `javascript:` in text or code are only text; a substring
/// check cannot tell, the parser can.)
pub fn assert_converted_html_is_safe(markdown: &str) {
    // An `on…=` or a `<` in prose is only text unless a CommonMark reader
    // takes it for a tag, which the parse below rules out exactly.
    assert!(
        !markdown.contains(is_mark),
        "a mark leaked into:\n{markdown}"
    );
    for event in Parser::new_ext(markdown, Options::all()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("raw HTML {html:?} in:\n{markdown}")
            }
            // `<name@host>` in the text is an e-mail autolink: a mailto.
            // `[[name]]` is a link to a note of the vault (see the open
            // item in regressions/README.md).
            Event::Start(Tag::Link {
                link_type: LinkType::Email | LinkType::WikiLink { .. },
                ..
            }) => {}
            // Text such as `&lt;x:y&gt;` becomes an autolink to `x:y`: a
            // link, harmless unless its scheme runs script.
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(
                    !lore::render::markdown::is_unsafe_url(&dest_url),
                    "unsafe URL {dest_url:?} in:\n{markdown}"
                );
            }
            _ => {}
        }
    }
}

/// An item body from a feed: converted from hostile HTML, so it holds no
/// HTML at all (ARCHITECTURE.md, "Feed HTML is hostile") and no link with a
/// script scheme. Relative links may stay when the feed gives no base.
pub fn assert_feed_body_is_safe(body: &str) {
    assert!(!body.contains(is_mark), "a mark leaked into:\n{body}");
    for event in Parser::new_ext(body, Options::all()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("raw HTML {html:?} in a feed item body:\n{body}")
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(
                    !lore::render::markdown::is_unsafe_url(&dest_url),
                    "unsafe URL {dest_url:?} in a feed item body:\n{body}"
                );
            }
            _ => {}
        }
    }
}

/// Any item body (markdown and llms sources included): raw HTML in
/// imported markdown goes through `sanitise_markdown`, so whatever HTML a
/// CommonMark reader still finds holds no script.
pub fn assert_body_has_no_script(body: &str) {
    for event in Parser::new_ext(body, Options::all()) {
        if let Event::Html(html) | Event::InlineHtml(html) = event {
            let lower = html.to_lowercase();
            assert!(
                !lower.contains("<script") && !HANDLER.is_match(&lower),
                "script in raw HTML {html:?} of an item body:\n{body}"
            );
        }
    }
}

/// Titles, names and sources go through `ingest::text::clean_line`: "a
/// one-line, plain-text version", which no control character belongs in.
pub fn assert_clean_line(what: &str, line: &str) {
    assert!(
        !line.chars().any(char::is_control),
        "control character in {what} {line:?}"
    );
    assert!(
        !line.contains(['\u{2028}', '\u{2029}', '\u{85}']),
        "line break in {what} {line:?}"
    );
}

/// Every invariant of the items one source yielded.
pub fn assert_items_are_sane(ingested: &lore::ingest::Ingested) {
    use lore::ingest::Format;
    for item in &ingested.items {
        assert_clean_line("title", &item.title);
        assert!(!item.id.is_empty(), "an item without id: {item:?}");
        if ingested.format == Some(Format::Feed) {
            assert_feed_body_is_safe(&item.body);
        }
        assert_body_has_no_script(&item.body);
    }
}

/// Rendered HTML of a note: no script element, no link or image with a
/// script URL, no event handler attribute, whatever the markdown held.
pub fn assert_rendered_html_is_safe(html: &str, markdown: &str) {
    let fail = |what: String| -> ! {
        panic!("{what} in the HTML of:\n{markdown:?}\nHTML:\n{html}");
    };
    // Text is escaped (`&lt;`), so a `<script` can only be a tag.
    if html.to_ascii_lowercase().contains("<script") {
        fail("<script".into());
    }
    for (tag, name, value) in attributes(html) {
        if name.starts_with("on") {
            fail(format!("event handler {name:?} on <{tag}>"));
        }
        let is_url = matches!(
            name.as_str(),
            "href" | "src" | "action" | "formaction" | "poster" | "xlink:href" | "srcset"
        );
        if is_url && lore::render::markdown::is_unsafe_url(&decode_attribute(&value)) {
            fail(format!("{name}={value:?} on <{tag}>"));
        }
    }
}

/// An attribute value as the browser sees it: character references decoded.
fn decode_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "amp" => Some('&'),
                _ => name.strip_prefix('#').and_then(|n| {
                    match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    }
                    .and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every (tag, attribute name, raw value) of the start tags in `html`, read
/// the way a browser tokenises them (quoted values may hold `>`); names
/// lowercased.
fn attributes(html: &str) -> Vec<(String, String, String)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let tag_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'>' | b'/')
        {
            i += 1;
        }
        let tag = html[tag_start..i].to_ascii_lowercase();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let start = i;
            i += 1;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let value_start;
                match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        i += 1;
                        value_start = i;
                        while i < bytes.len() && bytes[i] != q {
                            i += 1;
                        }
                        value = html[value_start..i].to_string();
                        i += 1;
                    }
                    _ => {
                        value_start = i;
                        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>'
                        {
                            i += 1;
                        }
                        value = html[value_start..i].to_string();
                    }
                }
            }
            found.push((tag.clone(), name, value));
        }
    }
    found
}
