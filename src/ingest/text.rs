//! Small text repairs shared by every reader: HTML entities, stray tags and
//! whitespace in titles and names, characters no text may hold, and stable
//! hashes for ids.

use std::borrow::Cow;

/// A one-line, plain-text version of a title or name: tags removed,
/// entities decoded, whitespace collapsed, mojibake repaired.
pub fn clean_line(text: &str) -> String {
    let without_tags = strip_tags(text);
    let decoded = decode_entities(&without_tags);
    let repaired = super::mojibake::repair(&decoded);
    // Control characters (`\u{12}`, a decoded `&#0;`) mean nothing in a
    // title: they part words, as whitespace does.
    let line = repaired
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line,
    }
}

/// A property as a person or lore wrote it, on one line: runs of
/// whitespace and control characters become one space; entities and
/// anything tag-like stay as written (a vault note's `title` is text, not
/// HTML, and must read back as lore wrote it).
pub fn plain_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// True for an `http://` or `https://` address (any case).
pub fn is_web_address(text: &str) -> bool {
    let lower = text
        .trim_start()
        .get(..8)
        .unwrap_or(text)
        .to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Where the value of attribute `name` sits in the text of a start tag or
/// XML declaration (`<outline text="a" xmlUrl='b'>`): the name must start
/// the tag or follow whitespace, and the value is quoted. Names match
/// exactly, as XML requires.
pub fn attribute_span(tag: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(found) = tag[from..].find(name).map(|i| from + i) {
        from = found + name.len();
        let starts_word = tag[..found]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '<');
        let after = tag[from..].trim_start();
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !starts_word {
            continue;
        }
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let open = tag.len() - value.len() + 1;
        let len = tag[open..].find(quote)?;
        return Some(open..open + len);
    }
    None
}

/// Titles, names and tags longer than this are cut: a feed can put a whole
/// article in a title, and the front matter and the page heading are no
/// place for it.
const MAX_LINE_CHARS: usize = 300;

/// Removes anything that looks like an HTML tag.
fn strip_tags(text: &str) -> String {
    if !text.contains('<') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let looks_like_tag =
            after[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find('>') {
            Some(end) if looks_like_tag => rest = &after[end + 1..],
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the HTML entities titles carry (`&amp;`, `&#8217;`, `&nbsp;`…).
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let decoded = after
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| Some((decode_entity(&after[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "eacute" => 'é',
        "copy" => '©',
        _ => return None,
    })
}

/// True for a character no text lore writes may hold: C0 controls other
/// than tab, newline and carriage return, DEL, the C1 controls, and the
/// Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of
/// every plane, U+FFFE and U+FFFF among them). XML 1.0 forbids the C0
/// controls, U+FFFE and U+FFFF outright, YAML forbids all of these
/// unescaped, and none of them is text anyone meant to write.
pub fn is_forbidden_char(c: char) -> bool {
    let code = c as u32;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

/// `text` without the characters [`is_forbidden_char`] names; borrowed
/// when it holds none (the usual case).
pub fn without_forbidden(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden_char) {
        text.chars()
            .filter(|&c| !is_forbidden_char(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Block quotes and list items nested deeper than this on one line keep
/// their text but lose the markers past it. Each level costs the markdown
/// parser a container and the page an open and a close tag, so a line of
/// `> > > …` or `- - - …` made pages and memory grow far faster than the
/// input (a 10 MB note of `> ` took 2.4 GB to render). Nobody nests prose
/// this deep; quoted mail rarely passes ten levels.
pub const MAX_NESTING: usize = 32;

/// `markdown` with at most [`MAX_NESTING`] block quote and list markers
/// at the start of each line; borrowed when no line has more (the usual
/// case). Linear in the input.
pub fn cap_nesting(markdown: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        let (kept, markers_end) = nesting_prefix(line);
        if markers_end > kept {
            let out = out.get_or_insert_with(|| {
                let mut s = String::with_capacity(markdown.len());
                s.push_str(&markdown[..offset]);
                s
            });
            out.push_str(&line[..kept]);
            out.push_str(&line[markers_end..]);
        } else if let Some(out) = &mut out {
            out.push_str(line);
        }
        offset += line.len();
    }
    out.map_or(Cow::Borrowed(markdown), Cow::Owned)
}

/// Where the first [`MAX_NESTING`] container markers of a line end, and
/// where all of them end (with the spaces after each).
fn nesting_prefix(line: &str) -> (usize, usize) {
    let bytes = line.as_bytes();
    let (mut at, mut markers, mut kept) = (0, 0, 0);
    loop {
        let mut i = at;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let marker_len = match bytes.get(i) {
            Some(b'>') => 1,
            Some(b'-' | b'*' | b'+') if matches!(bytes.get(i + 1), Some(b' ' | b'\t')) => 1,
            Some(b'0'..=b'9') => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let after = bytes.get(i + digits).copied();
                let ordered = digits <= 9
                    && matches!(after, Some(b'.' | b')'))
                    && matches!(bytes.get(i + digits + 1), Some(b' ' | b'\t'));
                if ordered { digits + 1 } else { 0 }
            }
            _ => 0,
        };
        if marker_len == 0 {
            return (kept, if markers > MAX_NESTING { at } else { kept });
        }
        at = i + marker_len;
        if bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        markers += 1;
        if markers == MAX_NESTING {
            kept = at;
        }
    }
}

/// A short, stable hex digest.
pub fn short_hash(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_part_words_in_a_clean_line() {
        // Found by fuzz/fuzz_targets/llms_recovery.rs.
        assert_eq!(clean_line("Se\u{12}cond"), "Se cond");
        assert_eq!(clean_line("A&#0;B \u{7f}C\u{85}"), "A B C");
    }

    #[test]
    fn attribute_values_are_found_by_exact_name() {
        let tag = r#"<outline text="a b" htmlUrl="x" xmlUrl = 'https://f' title="">"#;
        let value = |name| attribute_span(tag, name).map(|r| &tag[r]);
        assert_eq!(value("xmlUrl"), Some("https://f"));
        assert_eq!(value("text"), Some("a b"));
        assert_eq!(value("title"), Some(""));
        assert_eq!(value("Url"), None);
        assert_eq!(value("version"), None);
    }

    #[test]
    fn forbidden_characters_go_and_the_rest_stays() {
        let text =
            "a\u{0}b\u{7}c\td\ne\r\u{7f}\u{85}f\u{FFFE}g\u{FFFF}h\u{FDD0}i\u{1FFFF}j\u{2028}é";
        assert_eq!(without_forbidden(text), "abc\td\ne\rfghij\u{2028}é");
        assert!(matches!(without_forbidden("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_is_capped_per_line_and_text_stays() {
        let deep = format!("{}deep\n", "> ".repeat(1000));
        assert_eq!(
            cap_nesting(&format!("a\n{deep}b\n")),
            format!("a\n{}deep\nb\n", "> ".repeat(MAX_NESTING))
        );
        let list = format!("{}end", "- 1. ".repeat(100));
        assert_eq!(
            cap_nesting(&list),
            format!("{}end", "- 1. ".repeat(MAX_NESTING / 2))
        );
        let shallow = "> > quoted\n- - item\n---\n1. one\n2024. a year\n";
        assert!(matches!(cap_nesting(shallow), Cow::Borrowed(_)));
    }

    #[test]
    fn titles_lose_tags_entities_and_extra_space() {
        assert_eq!(
            clean_line("  Rust &amp; <b>WASM</b>\n  tips&#8217; "),
            "Rust & WASM tips’"
        );
        assert_eq!(clean_line("a < b && c"), "a < b && c");
    }
}
