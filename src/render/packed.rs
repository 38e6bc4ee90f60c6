//! A note's HTML held from the markdown pass until its page is made. Pages
//! need the links of every note before any can be made, so every note's
//! HTML waits at once: at 100,000 notes it was most of a build's memory.
//! LZ4 makes it about a third, and costs about a twentieth of a build's
//! CPU: a site whose HTML fits in [`UNPACKED_BUDGET`] holds it as it is.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// UTF-8 text, compressed or not, shared: `lore serve` keeps each note's in its
/// memo from build to build, and a copy costs a count, not the bytes.
#[derive(Debug, Clone, Default)]
pub struct Packed(Arc<Bytes>);

/// Markdown a site may have and still hold its notes' HTML uncompressed:
/// some 150 MB of HTML, about 15,000 notes of the benchmark's size.
pub const UNPACKED_BUDGET: usize = 128 << 20;

#[derive(Debug, Default)]
struct Bytes {
    held: Held,
    /// Their hash, made the first time a rebuild asks, then kept with them.
    hash: OnceLock<blake3::Hash>,
}

#[derive(Debug)]
enum Held {
    /// LZ4, with the length before it.
    Compressed(Box<[u8]>),
    Text(Box<str>),
}

impl Default for Held {
    fn default() -> Self {
        Held::Text(Box::default())
    }
}

impl Held {
    fn bytes(&self) -> &[u8] {
        match self {
            Held::Compressed(bytes) => bytes,
            Held::Text(text) => text.as_bytes(),
        }
    }
}

impl Packed {
    /// `text`, compressed when `compress` (see [`UNPACKED_BUDGET`]).
    pub fn new(text: String, compress: bool) -> Packed {
        if text.is_empty() {
            return Packed::default();
        }
        let held = if compress {
            Held::Compressed(lz4_flex::compress_prepend_size(text.as_bytes()).into())
        } else {
            Held::Text(text.into_boxed_str())
        };
        Packed(Arc::new(Bytes {
            held,
            hash: OnceLock::new(),
        }))
    }

    /// The text again: borrowed when it is held uncompressed. Only
    /// [`Packed::new`] makes the bytes, so they always unpack; were they
    /// ever not to, the page would be empty, not wrong.
    pub fn unpack(&self) -> Cow<'_, str> {
        let bytes = match &self.0.held {
            Held::Text(text) => return Cow::Borrowed(text),
            Held::Compressed(bytes) => bytes,
        };
        lz4_flex::decompress_size_prepended(bytes)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
            .into()
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
            || super::memo::Digest(*bytes.hash.get_or_init(|| blake3::hash(bytes.held.bytes()))),
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
        let packed = Packed::new(html.clone(), true);
        assert_eq!(packed.unpack(), html);
        assert!(packed.0.held.bytes().len() * 3 < html.len());
        let held = Packed::new(html.clone(), false);
        assert_eq!(held.unpack(), html);
        for compress in [true, false] {
            assert_eq!(Packed::new(String::new(), compress).unpack(), "");
            assert_eq!(Packed::new("é ü ✓".into(), compress).unpack(), "é ü ✓");
        }
    }
}
