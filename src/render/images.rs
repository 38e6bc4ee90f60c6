//! The width and height of an image from the first bytes of its file
//! (PNG, GIF, JPEG, WebP), so pages can reserve its space before it loads.
//! Bytes in, numbers out: the caller reads the file.

/// How many bytes of a file [`dimensions`] needs at most (a JPEG's size
/// comes after its metadata, which may be long).
pub const HEAD_BYTES: u64 = 256 * 1024;

/// (width, height) in pixels, when the bytes say.
pub fn dimensions(head: &[u8]) -> Option<(u32, u32)> {
    let size = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some((be32(head, 16)?, be32(head, 20)?))
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some((le16(head, 6)?, le16(head, 8)?))
    } else if head.starts_with(b"\xff\xd8") {
        jpeg(head)
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        webp(head)
    } else {
        None
    };
    size.filter(|&(w, h)| w > 0 && h > 0)
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

/// The frame header (SOF0–SOF15, not DHT, JPG or DAC) holds the size.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        while *b.get(at)? == 0xff && b.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        if *b.get(at)? != 0xff {
            return None;
        }
        let marker = *b.get(at + 1)?;
        let length = be16(b, at + 2)? as usize;
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            return Some((be16(b, at + 7)?, be16(b, at + 5)?));
        }
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
}

fn webp(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        b"VP8L" => {
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        b"VP8 " => Some((le16(b, 26)? & 0x3fff, le16(b, 28)? & 0x3fff)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_of_the_common_formats() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend([0, 0, 2, 128, 0, 0, 1, 224]);
        assert_eq!(dimensions(&png), Some((640, 480)));
        assert_eq!(dimensions(b"GIF89a\x10\x00\x20\x00"), Some((16, 32)));
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 1, 44, 1, 144, 3,
        ];
        assert_eq!(dimensions(&jpeg), Some((400, 300)));
        assert_eq!(dimensions(b"not an image"), None);
        assert_eq!(dimensions(b"\xff\xd8\xff"), None, "cut short");
    }
}
