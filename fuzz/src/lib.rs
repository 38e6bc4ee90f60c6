//! Invariants the fuzz targets check, shared between them. Each one is a
//! promise lore already makes (in ARCHITECTURE.md or in a unit test), so a
//! failure is a finding, not a matter of taste.

use std::sync::{LazyLock, Once};

use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;

static HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bon[a-z]+\s*=").unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[a-zA-Z/!]").unwrap());

/// Call first in every target. libfuzzer-sys installs a panic hook that
/// aborts on any panic, even one lore catches on purpose: `feed::read`
/// turns a panic inside feed-rs or quick-xml into a diagnostic, and
/// `html_to_markdown` falls back to plain text. Unless
/// `LORE_FUZZ_STRICT_PANICS` is set, this puts the default hook back: a
/// panic lore handles is printed and the run goes on, and a panic that
/// escapes lore still reaches libfuzzer-sys's `catch_unwind`, which aborts:
/// a crash. Set the variable to hunt the panics lore catches as well.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("LORE_FUZZ_STRICT_PANICS").is_none() {
            drop(std::panic::take_hook());
        }
    });
}

/// The private-use characters `ingest::html` marks its own structure with
/// (U+FDD0..U+FDEF); none may leak into a note.
fn is_mark(c: char) -> bool {
    ('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

/// The guarantee of `ingest::html::html_to_markdown`, as its own unit tests
/// state it (`assert_safe` in src/ingest/html/mod.rs): outside fenced code,
/// no tag, no script scheme; outside code spans too, no tag and no event
/// handler; no internal mark; and as a
/// CommonMark parser reads it, no raw HTML and no link or image whose URL is
/// not http(s), mailto, a fragment or site-absolute.
pub fn assert_converted_html_is_safe(markdown: &str) {
    // First as a CommonMark parser reads it, the check that matters most.
    for event in Parser::new_ext(markdown, Options::all()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("raw HTML {html:?} in:\n{markdown}")
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let url = dest_url.to_ascii_lowercase();
                assert!(
                    ["http://", "https://", "mailto:", "#", "/"]
                        .iter()
                        .any(|p| url.starts_with(p)),
                    "unsafe URL {dest_url:?} in:\n{markdown}"
                );
            }
            _ => {}
        }
    }
    let prose = prose_outside_fences(markdown);
    let lower = prose.to_lowercase();
    for bad in [
        "<script",
        "<iframe",
        "<object",
        "<style",
        "<form",
        "javascript:",
        "vbscript:",
    ] {
        assert!(!lower.contains(bad), "{bad} in:\n{markdown}");
    }
    // Inside a code span an `on…=` is only text: the converter keeps it
    // there unless the span also looks like a tag (`is_dangerous_code` in
    // src/ingest/html/convert.rs), so it is looked for outside spans only.
    let without_spans = without_code_spans(&prose);
    assert!(
        !HANDLER.is_match(&without_spans),
        "event handler outside code in:\n{markdown}"
    );
    assert!(!TAG.is_match(&without_spans), "raw HTML in:\n{markdown}");
    assert!(
        !markdown.contains(is_mark),
        "a mark leaked into:\n{markdown}"
    );
}

/// `prose` without its code spans, by the CommonMark rule: a run of n
/// backticks opens a span that the next run of exactly n closes, within the
/// paragraph; an unmatched run is literal text, and so is a backtick after
/// an odd number of backslashes. (The unit test's regex,
/// `(`+)[^`]*?(`+)`, pairs runs of different lengths and so reads the inside
/// of ``` `` a ` <b> `` ``` as prose.)
fn without_code_spans(prose: &str) -> String {
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let backslashes = out.len() - out.trim_end_matches('\\').len();
        if backslashes % 2 == 1 {
            // `\`` is a literal backtick; the rest of its run is a run.
            out.push('`');
            rest = &rest[open + 1..];
            continue;
        }
        let run = rest[open..].len() - rest[open..].trim_start_matches('`').len();
        let after = &rest[open + run..];
        let paragraph = &after[..after.find("\n\n").unwrap_or(after.len())];
        match closing_run(paragraph, run) {
            // A space for the span, so that `<` before it and a letter
            // after it do not read as a tag.
            Some(end) => {
                out.push(' ');
                rest = &after[end + run..];
            }
            None => {
                out.push_str(&rest[open..open + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where in `text` the first run of exactly `n` backticks starts.
fn closing_run(text: &str, n: usize) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find('`').map(|i| from + i) {
        let len = text[i..].len() - text[i..].trim_start_matches('`').len();
        if len == n {
            return Some(i);
        }
        from = i + len;
    }
    None
}

/// The lines of `markdown` outside ``` fences (the same reading as the
/// unit test's).
fn prose_outside_fences(markdown: &str) -> String {
    let mut prose = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let bare = line.trim_start_matches(['>', ' ', '-']);
        match &fence {
            Some(f) if bare.trim_end() == f => fence = None,
            Some(_) => {}
            None if bare.starts_with("```") => {
                fence = Some(bare.chars().take_while(|&c| c == '`').collect());
            }
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    prose
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
        if is_url && is_script_url_to_a_browser(&decode_attribute(&value)) {
            fail(format!("{name}={value:?} on <{tag}>"));
        }
    }
}

/// Whether a browser would run `url` as script: the URL standard strips
/// leading and trailing C0 controls and spaces and removes tabs and
/// newlines anywhere; any other control or space left inside the scheme
/// makes it no scheme at all (a relative URL). Stricter checks
/// (`render::markdown::is_unsafe_url` drops every control) are lore's own
/// choice for markdown links; ammonia keeps `java\u{16}script:` in raw HTML,
/// which is harmless.
fn is_script_url_to_a_browser(url: &str) -> bool {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| cleaned.starts_with(scheme))
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
