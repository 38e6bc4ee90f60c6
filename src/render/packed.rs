//! A note's HTML held compressed from the markdown pass until its page is
//! made. Pages need the links of every note before any can be made, so
//! every note's HTML waits at once: at 100,000 notes it was most of a
//! build's memory. LZ4 makes it about a third, and costs a little time.

use std::sync::{Arc, OnceLock};

/// Compressed UTF-8 text, shared: `lore serve` keeps each note's in its
/// memo from build to build, and a copy costs a count, not the bytes.
#[derive(Debug, Clone, Default)]
pub struct Packed(Arc<Bytes>);

#[derive(Debug, Default)]
struct Bytes {
    bytes: Box<[u8]>,
    /// Their hash, made the first time a rebuild asks, then kept with them.
    hash: OnceLock<blake3::Hash>,
}

impl Packed {
    pub fn new(text: &str) -> Packed {
        if text.is_empty() {
            return Packed::default();
        }
        Packed(Arc::new(Bytes {
            bytes: lz4_flex::compress_prepend_size(text.as_bytes()).into(),
            hash: OnceLock::new(),
        }))
    }

    /// The text again. Only [`Packed::new`] makes the bytes, so they always
    /// unpack; were they ever not to, the page would be empty, not wrong.
    pub fn unpack(&self) -> String {
        if self.0.bytes.is_empty() {
            return String::new();
        }
        lz4_flex::decompress_size_prepended(&self.0.bytes)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

/// A note's HTML as a page's view holds it: unpacked only when the page
/// is rendered. When `lore serve` hashes a view to learn whether its page
/// changed ([`super::memo::view`]), the HTML counts by a hash of its packed
/// bytes, which change exactly when it does: most of a note page's view
/// is its HTML, and unpacking and escaping it for every page of every
/// rebuild was most of what telling unchanged pages cost.
#[derive(Debug, Clone, Copy)]
pub struct Html<'a>(pub &'a Packed);

impl serde::Serialize for Html<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = &self.0.0;
        super::memo::costly_part(
            serializer,
            || super::memo::Digest(*bytes.hash.get_or_init(|| blake3::hash(&bytes.bytes))),
            || self.0.unpack(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_comes_back_as_it_went_in_and_smaller_while_held() {
        let html = "<p>Some words, and <a href=\"../notes/x.html\">a link</a>.</p>\n".repeat(200);
        let packed = Packed::new(&html);
        assert_eq!(packed.unpack(), html);
        assert!(packed.0.bytes.len() * 3 < html.len());
        assert_eq!(Packed::new("").unpack(), "");
        assert_eq!(Packed::new("é ü ✓").unpack(), "é ü ✓");
    }
}
