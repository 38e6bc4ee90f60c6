//! Small text repairs shared by every reader: HTML entities, stray tags and
//! whitespace in titles and names, and stable hashes for ids.

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
    fn titles_lose_tags_entities_and_extra_space() {
        assert_eq!(
            clean_line("  Rust &amp; <b>WASM</b>\n  tips&#8217; "),
            "Rust & WASM tips’"
        );
        assert_eq!(clean_line("a < b && c"), "a < b && c");
    }
}
