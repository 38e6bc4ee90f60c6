//! Text encodings: every source becomes UTF-8 here, before any parser sees
//! it. Feeds in the wild declare Latin-1 or GB2312 in their XML prolog, send
//! UTF-16 with a byte-order mark, or are Latin-1 with no declaration at all;
//! each is decoded, never rejected. A document that is mostly UTF-8 with a
//! few broken bytes keeps its UTF-8 and gets U+FFFD for the broken bytes.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::text;

/// Decodes any text source to UTF-8, without a byte-order mark.
pub fn to_utf8(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text;
    }
    if let Some(utf16) = utf16_without_bom(bytes) {
        return utf16.decode_without_bom_handling(bytes).0;
    }
    if let Some(encoding) = declared_encoding(bytes).filter(|e| *e != UTF_8) {
        return encoding.decode_without_bom_handling(bytes).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) if looks_like_single_byte(bytes) => {
            WINDOWS_1252.decode_without_bom_handling(bytes).0
        }
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Decodes an XML document to UTF-8 bytes whose declaration, if any, says
/// UTF-8, so that the XML parser does not decode a second time.
pub fn xml_to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    match to_utf8(bytes) {
        Cow::Borrowed(text) if declared_encoding(bytes).is_none_or(|e| e == UTF_8) => {
            Cow::Borrowed(text.as_bytes())
        }
        text => Cow::Owned(with_utf8_declaration(&text).into_bytes()),
    }
}

/// The `<?xml … ?>` declaration near the start of a document, as text, and
/// where it starts. The declaration is ASCII whatever the encoding after it.
fn declaration(bytes: &[u8]) -> Option<(usize, &str)> {
    let head = &bytes[..bytes.len().min(256)];
    let start = find(head, b"<?xml")?;
    let end = start + find(&head[start..], b"?>")?;
    Some((start, std::str::from_utf8(&head[start..end]).ok()?))
}

/// The encoding an XML declaration names, if encoding_rs knows its label.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let (_, declaration) = declaration(bytes)?;
    let label = text::attribute_span(declaration, "encoding").map(|r| &declaration[r])?;
    Encoding::for_label(label.as_bytes())
}

/// Replaces the encoding named in an XML declaration by UTF-8.
fn with_utf8_declaration(doc: &str) -> String {
    let value = declaration(doc.as_bytes()).and_then(|(start, declaration)| {
        text::attribute_span(declaration, "encoding").map(|r| start + r.start..start + r.end)
    });
    match value {
        Some(range) => [&doc[..range.start], "UTF-8", &doc[range.end..]].concat(),
        None => doc.to_string(),
    }
}

/// UTF-16 without a byte-order mark still starts with `<` as one ASCII byte
/// beside a zero byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b'?', 0, ..] | [b'<', 0, b'r', 0, ..] | [b'<', 0, b'f', 0, ..] => Some(UTF_16LE),
        [0, b'<', 0, b'?', ..] | [0, b'<', 0, b'r', ..] | [0, b'<', 0, b'f', ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// True when invalid UTF-8 is better read as a single-byte encoding: there
/// are more bytes that break UTF-8 than well-formed multi-byte sequences.
/// Latin-1 text has almost no byte pairs that happen to be valid UTF-8,
/// while UTF-8 text with a stray bad byte has many good sequences.
fn looks_like_single_byte(bytes: &[u8]) -> bool {
    let mut valid_sequences = 0usize;
    let mut invalid_bytes = 0usize;
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                valid_sequences += text.bytes().filter(|b| *b >= 0xC0).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                valid_sequences += good.iter().filter(|b| **b >= 0xC0).count();
                let skip = e.error_len().unwrap_or(bad.len());
                invalid_bytes += skip;
                rest = &bad[skip..];
            }
        }
    }
    invalid_bytes > valid_sequences
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_and_a_bom_is_dropped() {
        assert!(matches!(
            to_utf8("héllo".as_bytes()),
            Cow::Borrowed("héllo")
        ));
        assert_eq!(to_utf8(b"\xef\xbb\xbfabc"), "abc");
    }

    #[test]
    fn a_declared_latin1_feed_is_decoded_and_relabelled() {
        let bytes =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>Not\xedcias</title></rss>";
        let out = xml_to_utf8(bytes);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.contains("Notícias"), "{text}");
        assert!(text.contains("encoding=\"UTF-8\""), "{text}");
    }

    #[test]
    fn undeclared_latin1_is_read_as_windows_1252() {
        let text = to_utf8(b"<rss><title>\xdaltimas Not\xedcias \x93quoted\x94</title></rss>");
        assert_eq!(
            text,
            "<rss><title>Últimas Notícias \u{201c}quoted\u{201d}</title></rss>"
        );
    }

    #[test]
    fn utf8_with_one_broken_byte_stays_utf8() {
        let mut bytes = "café naïve résumé ".as_bytes().to_vec();
        bytes.push(0xff);
        let text = to_utf8(&bytes);
        assert!(text.starts_with("café naïve résumé "), "{text}");
        assert!(text.ends_with('\u{fffd}'));
    }

    #[test]
    fn gb2312_and_utf16_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK
            .encode("<?xml version='1.0' encoding='gb2312'?><rss><title>新闻</title></rss>");
        let out = xml_to_utf8(&gbk);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.contains("<title>新闻</title>"), "{text}");
        assert!(text.contains("encoding='UTF-8'"), "{text}");

        let utf16: Vec<u8> = "<rss>é</rss>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(to_utf8(&utf16), "<rss>é</rss>");
    }
}
