//! Enclosures and Media RSS of feed items: what a podcast episode or a
//! photo post carries beside its HTML. The item's picture becomes the note's
//! `image` property (and is shown at the top when the body has no image of
//! its own); audio, video and documents become a list of links at the end,
//! with their type and size. Only http(s) addresses are kept.

use feed_rs::model::Entry;

/// What an item carries beside its text.
#[derive(Debug, Default, PartialEq)]
pub struct Media {
    /// The item's picture: a Media RSS thumbnail or an image enclosure.
    pub image: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// A file the item links to: an episode, a video, a PDF.
#[derive(Debug, PartialEq)]
pub struct Attachment {
    pub url: String,
    pub content_type: Option<String>,
    pub size: Option<u64>,
}

/// The media of one feed entry.
pub fn from_entry(entry: &Entry) -> Media {
    let mut media = Media::default();
    for object in &entry.media {
        for thumbnail in &object.thumbnails {
            if media.image.is_none() {
                media.image = web_url(&thumbnail.image.uri);
            }
        }
        for content in &object.content {
            let Some(url) = content.url.as_ref().and_then(|u| web_url(u.as_str())) else {
                continue;
            };
            let content_type = content.content_type.as_ref().map(|t| t.to_string());
            let is_image = content_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"));
            if is_image {
                media.image.get_or_insert(url);
            } else if !media.attachments.iter().any(|a| a.url == url) {
                media.attachments.push(Attachment {
                    url,
                    content_type,
                    size: content.size.filter(|s| *s > 0),
                });
            }
        }
    }
    media
}

/// The note body with the item's picture on top (when the body shows no
/// image) and its attachments listed at the end.
pub fn add_to_body(body: String, media: &Media, title: &str) -> String {
    if media.image.is_none() && media.attachments.is_empty() {
        return body;
    }
    let mut out = String::with_capacity(body.len() + 256);
    if let Some(image) = media.image.as_deref().filter(|_| !body.contains("![")) {
        out.push_str(&format!(
            "![{}]({})\n\n",
            link_text(title),
            link_target(image)
        ));
    }
    out.push_str(body.trim_end());
    if !media.attachments.is_empty() {
        out.push_str("\n\n**Attachments**\n\n");
        for attachment in &media.attachments {
            out.push_str(&format!(
                "- [{}]({}){}\n",
                link_text(&file_name(&attachment.url)),
                link_target(&attachment.url),
                details(attachment)
            ));
        }
    }
    out
}

fn web_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    super::text::is_web_address(url).then(|| url.to_string())
}

/// The last path segment of a URL, without its query.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    if name.is_empty() || name.contains(':') {
        url.to_string()
    } else {
        name.to_string()
    }
}

/// " (audio/mpeg, 12.3 MB)", or nothing when neither is known.
fn details(attachment: &Attachment) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = &attachment.content_type {
        parts.push(kind.clone());
    }
    if let Some(size) = attachment.size {
        parts.push(format!("{:.1} MB", size as f64 / 1_000_000.0));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// Text safe inside `[…]`: brackets and markup characters escaped (not `_`,
/// which file names are full of and which is inert inside words).
fn link_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\' | '*' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A URL safe as a link destination: in angle brackets when it holds
/// spaces or parentheses.
fn link_target(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace(['<', '>'], ""))
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(xml: &str) -> Vec<Entry> {
        feed_rs::parser::parse(xml.as_bytes()).unwrap().entries
    }

    #[test]
    fn a_podcast_enclosure_becomes_a_listed_attachment() {
        let xml = r#"<rss version="2.0"><channel><title>P</title><item><title>Ep 1</title>
            <enclosure url="https://cdn.example/ep1.mp3?x=1" type="audio/mpeg" length="12345678"/>
            <description>Show notes</description></item></channel></rss>"#;
        let media = from_entry(&entries(xml)[0]);
        let body = add_to_body("Show notes".into(), &media, "Ep 1");
        assert_eq!(
            body,
            "Show notes\n\n**Attachments**\n\n- [ep1.mp3](https://cdn.example/ep1.mp3?x=1) (audio/mpeg, 12.3 MB)\n"
        );
    }

    #[test]
    fn a_media_thumbnail_is_the_picture_unless_the_body_has_one() {
        let xml = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>P</title>
            <item><title>Photo [1]</title><media:content url="https://img.example/big.jpg" type="image/jpeg">
            <media:thumbnail url="https://img.example/t.jpg"/></media:content></item>
            <item><title>Bad</title><media:content url="javascript:alert(1)" type="image/png">
            <media:thumbnail url="javascript:alert(2)"/></media:content></item></channel></rss>"#;
        let items = entries(xml);
        let media = from_entry(&items[0]);
        assert_eq!(media.image.as_deref(), Some("https://img.example/t.jpg"));
        assert_eq!(
            add_to_body("Text".into(), &media, "Photo [1]"),
            "![Photo \\[1\\]](https://img.example/t.jpg)\n\nText"
        );
        assert_eq!(
            add_to_body("![a](b.png)".into(), &media, "x"),
            "![a](b.png)"
        );
        assert_eq!(from_entry(&items[1]), Media::default());
    }
}
