//! A note's remote images, made local: which URLs a note shows as images,
//! the content-addressed file name each download gets, whether a download
//! really is an image, and the note's markdown with the downloaded images
//! pointing at their local copies. Writing the files is the caller's job.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::{Client, FetchError, Outcome, Request, discover, fetch_all, url};

/// The options lore renders notes with, plus front matter, so that what is
/// found here is what the site shows as an image.
fn options() -> Options {
    crate::render::markdown::options() | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// The http(s) URLs of the images in `markdown`, inline or by reference,
/// in order of appearance, each once.
pub fn image_urls(markdown: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event {
            let dest = dest_url.trim();
            if url::is_http(dest) && !urls.iter().any(|u| u == dest) {
                urls.push(dest.to_string());
            }
        }
    }
    urls
}

/// An image fetched for a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub url: String,
    /// From [`asset_file_name`]: the same image always gets the same name.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Fetches `urls` in parallel under the client's limits; one result per
/// URL, in order. A 200 that is not an image (a login page, a "not found"
/// page served as 200) is [`FetchError::NotAnImage`].
pub fn download_images(client: &Client, urls: &[String]) -> Vec<Result<Asset, FetchError>> {
    let requests: Vec<Request> = urls.iter().map(Request::new).collect();
    let outcomes = fetch_all(client, &requests);
    urls.iter()
        .zip(outcomes)
        .map(|(url, outcome)| match outcome {
            Outcome::Fetched(response) => {
                let content_type = response.content_type.as_deref();
                if !is_image(content_type, &response.bytes) {
                    let shown = content_type.unwrap_or("none").to_string();
                    return Err(FetchError::NotAnImage(shown));
                }
                Ok(Asset {
                    file_name: asset_file_name(url, &response.bytes, content_type),
                    url: url.clone(),
                    bytes: response.bytes,
                })
            }
            // Unconditional requests get no 304; a server sending one anyway
            // sent no image.
            Outcome::NotModified => Err(FetchError::Status {
                code: 304,
                reason: "Not Modified".into(),
            }),
            Outcome::Failed(error) => Err(error),
        })
        .collect()
}

/// `<first 16 hex digits of blake3(bytes)>.<extension>`: the extension
/// from the content type, else from the URL, else from the bytes' magic
/// number, else `bin`. Naming by content stores an image shared by many
/// notes once.
pub fn asset_file_name(url: &str, bytes: &[u8], content_type: Option<&str>) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let extension = content_type
        .and_then(extension_of_type)
        .or_else(|| extension_of_url(url))
        .or_else(|| sniff(bytes))
        .unwrap_or("bin");
    format!("{}.{extension}", &hash[..16])
}

/// Whether a downloaded body is an image: its magic number says so, or the
/// server says `image/…` and it does not look like an HTML page.
pub fn is_image(content_type: Option<&str>, bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    if sniff(bytes).is_some() {
        return true;
    }
    let says_image = content_type.is_some_and(|t| essence(t).starts_with("image/"));
    says_image && !discover::looks_like_html(bytes)
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn extension_of_type(content_type: &str) -> Option<&'static str> {
    Some(match essence(content_type).as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/avif" => "avif",
        "image/svg+xml" => "svg",
        _ => return None,
    })
}

fn extension_of_url(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    let (_, extension) = file.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "png" => "png",
        "jpg" | "jpeg" => "jpg",
        "gif" => "gif",
        "webp" => "webp",
        "avif" => "avif",
        "svg" => "svg",
        _ => return None,
    })
}

/// The image format named by the first bytes of the file.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"avif" | b"avis")
    {
        Some("avif")
    } else if is_svg(bytes) {
        Some("svg")
    } else {
        None
    }
}

/// An SVG starts with `<svg`, or with an XML prolog, comment or doctype
/// and has `<svg` soon after.
fn is_svg(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 1024)];
    if head.starts_with(b"<svg") {
        return true;
    }
    let prolog = head.starts_with(b"<?xml")
        || head.starts_with(b"<!--")
        || head.starts_with(b"<!DOCTYPE svg");
    prolog && head.windows(4).any(|w| w == b"<svg")
}

/// `markdown` with the destination of each inline image whose URL is a key
/// of `local` replaced by its value; every other byte is left as it was,
/// alt text and title included. Images by reference (`![alt][ref]`) keep
/// their URL: the definition may be shared with links.
pub fn rewrite_images(markdown: &str, local: &HashMap<String, String>) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // Images being read, innermost last (an image may sit in another's alt).
    let mut open: Vec<OpenImage> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Event::End(TagEnd::Image) = event {
            let Some(image) = open.pop() else { continue };
            let Some(path) = image.replacement else {
                continue;
            };
            if let Some(dest) = destination_span(markdown, image.alt_end, range.end) {
                let angled = markdown[dest.clone()].starts_with('<');
                edits.push((dest, written_destination(&path, angled)));
            }
            continue;
        }
        if let Some(image) = open.last_mut() {
            image.alt_end = image.alt_end.max(range.end);
        }
        if let Event::Start(Tag::Image {
            link_type,
            dest_url,
            ..
        }) = event
        {
            let replacement = (link_type == LinkType::Inline)
                .then(|| local.get(dest_url.trim()).cloned())
                .flatten();
            open.push(OpenImage {
                alt_end: range.start + 2,
                replacement,
            });
        }
    }
    edits.sort_by_key(|(range, _)| range.start);

    let mut out = String::with_capacity(markdown.len());
    let mut copied = 0;
    for (range, text) in edits {
        if range.start < copied {
            continue;
        }
        out.push_str(&markdown[copied..range.start]);
        out.push_str(&text);
        copied = range.end;
    }
    out.push_str(&markdown[copied..]);
    out
}

struct OpenImage {
    /// Where the alt text ends: the `](` that opens the destination follows.
    alt_end: usize,
    /// The local path, when this image is to be rewritten.
    replacement: Option<String>,
}

/// The bytes of an inline image's destination, angle brackets included,
/// found after its alt text and before the image's end.
fn destination_span(markdown: &str, alt_end: usize, image_end: usize) -> Option<Range<usize>> {
    let tail = markdown.get(alt_end..image_end)?;
    let open = tail.find("](")? + 2;
    let bytes = tail.as_bytes();
    let mut start = open;
    while start < bytes.len() && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    let mut end = start;
    if bytes.get(start) == Some(&b'<') {
        end += 1;
        while end < bytes.len() && bytes[end] != b'>' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        end = (end + 1).min(bytes.len());
    } else {
        // A bare destination ends at whitespace or at an unbalanced `)`.
        let mut depth = 0usize;
        while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
            match bytes[end] {
                b'\\' => end += 1,
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                _ => {}
            }
            end += 1;
        }
        end = end.min(bytes.len());
    }
    (end > start).then(|| alt_end + start..alt_end + end)
}

/// A path as a markdown destination: in angle brackets when it was written
/// so, or when spaces or parentheses would otherwise end it early.
fn written_destination(path: &str, angled: bool) -> String {
    let needs_brackets = path
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '(' | ')'));
    if angled || needs_brackets {
        format!("<{}>", path.replace('<', "%3C").replace('>', "%3E"))
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn finds_http_images_in_order_once() {
        let md = "---\nimage: ![x](https://front.matter/no.png)\n---\n\
            Text ![a](https://ex.com/a.png \"Title\") and ![b](<https://ex.com/b c.png>)\n\n\
            ![again](https://ex.com/a.png) ![local](img/x.png) ![[embed.png]]\n\n\
            [![linked](https://ex.com/c.gif)](https://ex.com/page)\n\n\
            ![ref][logo]\n\n[logo]: https://ex.com/logo.svg\n\n\
            `![code](https://ex.com/code.png)` [link](https://ex.com/not-image.png)\n";
        assert_eq!(
            image_urls(md),
            [
                "https://ex.com/a.png",
                "https://ex.com/b c.png",
                "https://ex.com/c.gif",
                "https://ex.com/logo.svg",
            ]
        );
    }

    #[test]
    fn rewrites_only_mapped_destinations_byte_for_byte() {
        let md = "# Post\n\nSee ![a *b* \\[c\\]](https://ex.com/a.png \"The (title)\") here.\n\
            ![keep](https://ex.com/keep.png)\n\
            ![spaced](<https://ex.com/b c.png>) and ![](https://ex.com/p(1).png)\n\
            [![inner](https://ex.com/in.png)](https://ex.com/link.png)\n";
        let local = map(&[
            ("https://ex.com/a.png", "assets/aaaa.png"),
            ("https://ex.com/b c.png", "assets/bbbb.png"),
            ("https://ex.com/p(1).png", "assets/pppp.png"),
            ("https://ex.com/in.png", "assets/iiii.png"),
            ("https://ex.com/link.png", "assets/never.png"),
        ]);
        assert_eq!(
            rewrite_images(md, &local),
            "# Post\n\nSee ![a *b* \\[c\\]](assets/aaaa.png \"The (title)\") here.\n\
            ![keep](https://ex.com/keep.png)\n\
            ![spaced](<assets/bbbb.png>) and ![](assets/pppp.png)\n\
            [![inner](assets/iiii.png)](https://ex.com/link.png)\n"
        );
    }

    #[test]
    fn leaves_text_without_mapped_images_untouched() {
        let md =
            "Para with ![x](https://ex.com/x.png)\r\n\r\n```\n![c](https://ex.com/a.png)\n```\n";
        let local = map(&[("https://ex.com/a.png", "assets/a.png")]);
        assert_eq!(rewrite_images(md, &local), md);
        assert_eq!(rewrite_images("", &local), "");
    }

    #[test]
    fn brackets_paths_that_need_them() {
        let md = "![x](https://ex.com/x.png)";
        let local = map(&[("https://ex.com/x.png", "my assets/x.png")]);
        assert_eq!(rewrite_images(md, &local), "![x](<my assets/x.png>)");
    }

    #[test]
    fn names_files_by_content_and_type() {
        let png = b"\x89PNG\r\n\x1a\n rest";
        let hash = &blake3::hash(png).to_hex()[..16];
        assert_eq!(
            asset_file_name("https://ex.com/a", png, Some("image/png")),
            format!("{hash}.png")
        );
        // Type first, then URL, then magic bytes, then "bin".
        assert!(
            asset_file_name("https://ex.com/a.gif", png, Some("image/jpeg; q=1")).ends_with(".jpg")
        );
        assert!(asset_file_name("https://ex.com/a.JPEG?w=3", png, None).ends_with(".jpg"));
        assert!(
            asset_file_name(
                "https://ex.com/a.php",
                png,
                Some("application/octet-stream")
            )
            .ends_with(".png")
        );
        assert!(asset_file_name("https://ex.com/a", b"\x00\x01", None).ends_with(".bin"));
        assert!(
            asset_file_name("https://ex.com/a", b"<svg/>", Some("image/svg+xml")).ends_with(".svg")
        );
        assert_eq!(
            asset_file_name("https://ex.com/a", png, None).len(),
            "0123456789abcdef.png".len()
        );
    }

    #[test]
    fn sniffs_image_formats() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(sniff(b"GIF89a...."), Some("gif"));
        assert_eq!(sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 "), Some("webp"));
        assert_eq!(sniff(b"\x00\x00\x00\x1cftypavif\x00\x00"), Some("avif"));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>"),
            Some("svg")
        );
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><rss/>"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn an_html_page_served_as_200_is_not_an_image() {
        let page = b"<!DOCTYPE html><html><body>Not found</body></html>";
        assert!(!is_image(Some("text/html; charset=utf-8"), page));
        assert!(!is_image(Some("image/png"), page));
        assert!(!is_image(Some("image/png"), b""));
        assert!(is_image(Some("application/octet-stream"), b"GIF89a...."));
        assert!(is_image(Some("image/x-icon"), b"\x00\x00\x01\x00"));
        assert!(!is_image(None, b"\x00\x00\x01\x00"));
    }
}
