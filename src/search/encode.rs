//! The byte formats of the index: LEB128 varints, base64 inside classic
//! scripts (a shard is `lore._t(…,"<base64>")`, which loads from `file://`
//! where fetch cannot), JSON strings for text, and zlib (deflate) for the
//! bulky files, which the browser undoes natively
//! (`DecompressionStream('deflate')`, no script library).

use base64::Engine;

pub fn write_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint at `*at`, advancing it; a truncated one reads as what
/// was there (the index is our own output, never user input).
pub fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut n = 0u32;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        n |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 || shift >= 28 {
            break;
        }
        shift += 7;
    }
    n
}

/// Ascending doc ids as gaps, as varints.
pub fn write_ids(out: &mut Vec<u8>, ids: impl IntoIterator<Item = u32>) {
    let mut last = 0;
    for (i, id) in ids.into_iter().enumerate() {
        write_varint(out, if i == 0 { id } else { id - last });
        last = id;
    }
}

pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// zlib level: 3 packs cards and postings within 2% of 6 at half its
/// time (0.38 of their size; the search step deflates 13 MB at 10,000
/// notes).
const LEVEL: u32 = 3;

/// `bytes` deflated in a zlib stream, as base64: text and postings take
/// half their size (the base64 of raw bytes would take four thirds),
/// which is also about what gzip over http would send.
pub fn deflate64(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::new(LEVEL),
    );
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    base64(&z.finish().unwrap_or_default())
}

/// What [`deflate64`] packed (for tests).
#[cfg(test)]
pub fn inflate64(b64: &str) -> Vec<u8> {
    use base64::Engine;
    use std::io::Read;
    let packed = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(&packed[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A JSON (and so JavaScript) string literal.
pub fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// [`js_string`] written at the end of `out`, with no string of its own
/// (for the megabytes of excerpt text).
pub fn push_js_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail, nor can serialising a str.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A JSON array of string literals.
pub fn js_strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&js_string(s.as_ref()));
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_gaps_round_trip() {
        let mut out = Vec::new();
        write_ids(&mut out, [3, 130, 20_000, 20_001]);
        let mut at = 0;
        let gaps: Vec<u32> = (0..4).map(|_| read_varint(&out, &mut at)).collect();
        assert_eq!(gaps, [3, 127, 19_870, 1]);
        assert_eq!(at, out.len());
    }

    #[test]
    fn deflated_text_is_a_zlib_stream_a_fraction_of_its_size() {
        use base64::Engine;
        let text = "the cache caches each note eventually; ".repeat(50);
        let b64 = deflate64(text.as_bytes());
        let packed = base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .unwrap();
        assert_eq!(packed[0] & 0x0f, 8, "deflate, as a zlib header says");
        assert!(packed.len() * 10 < text.len(), "{} bytes", packed.len());
        assert_eq!(inflate64(&b64), text.as_bytes());
    }
}
