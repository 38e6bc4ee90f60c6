//! Ingest: turns the bytes of one source file into [`Item`]s. The format is
//! sniffed from the content: feeds (RSS, Atom, JSON Feed), llms.txt dumps,
//! markdown with front matter, OPML lists. Only plain text needs the name:
//! without front matter it is a post only in a markdown file.
//! No file system or network access here: the CLI edge hands us bytes.

pub mod dates;
mod enclosures;
pub mod encoding;
mod feed;
pub mod html;
mod llms;
pub mod markdown;
pub mod mojibake;
mod obsidian;
pub use obsidian::is_script_url;
pub mod opml;
pub mod text;

use crate::model::{Diagnostic, Item};

/// One file's bytes and where they came from.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    /// The path or URL, as the user should see it in messages.
    pub origin: &'a str,
    pub bytes: &'a [u8],
}

impl SourceFile<'_> {
    /// The last path segment.
    pub fn file_name(&self) -> &str {
        self.origin
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(self.origin)
    }

    /// The file name without its extension.
    pub fn stem(&self) -> &str {
        let name = self.file_name();
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }
}

/// Per-source settings from `config.toml`.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    pub name: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
}

/// What a source turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Feed,
    Opml,
    Llms,
    Markdown,
    Unknown,
}

/// What one source yielded.
#[derive(Debug, Default)]
pub struct Ingested {
    pub format: Option<Format>,
    pub items: Vec<Item>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Tells the format from the first bytes of the content.
pub fn sniff(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(4096)];
    let head = encoding::to_utf8(head);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') {
        let lower = head.to_ascii_lowercase();
        if lower.contains("<opml") {
            return Format::Opml;
        }
        if lower.contains("<rss")
            || lower.contains("<feed")
            || lower.contains("<rdf:rdf")
            || lower.contains("<channel")
        {
            return Format::Feed;
        }
        return Format::Unknown;
    }
    if head.starts_with('{') {
        return if head.contains("jsonfeed.org") || head.contains("\"items\"") {
            Format::Feed
        } else {
            Format::Unknown
        };
    }
    if head.starts_with("---") || head.starts_with("+++") {
        return Format::Markdown;
    }
    if llms::sniff(head) {
        return Format::Llms;
    }
    if bytes.contains(&0) {
        return Format::Unknown;
    }
    Format::Markdown
}

/// Reads one source file into items; bad input becomes diagnostics.
pub fn ingest(file: &SourceFile<'_>, options: &SourceOptions) -> Ingested {
    let mut out = Ingested::default();
    if is_blank(file.bytes) {
        out.diagnostics.push(Diagnostic::warning(
            file.origin,
            None,
            "empty file: nothing to import",
        ));
        return out;
    }
    let format = match sniff(file.bytes) {
        Format::Markdown if !is_markdown_source(file) => Format::Unknown,
        format => format,
    };
    out.format = Some(format);
    match format {
        Format::Feed => (out.items, out.diagnostics) = feed::read(file, options),
        // The feeds an OPML list names are read as sources of their own
        // (the CLI edge reads or fetches them); the list has no items.
        Format::Opml => out.diagnostics = opml::read(file).1,
        Format::Llms => out.items = llms_items(file, &decode(file.bytes), options),
        Format::Markdown => {
            (out.items, out.diagnostics) = markdown::read(file, &decode(file.bytes), options)
        }
        Format::Unknown => out.diagnostics.push(Diagnostic::error(
            file.origin,
            None,
            "not a format lore reads (RSS, Atom, JSON Feed, llms.txt, markdown, OPML)",
        )),
    }
    for item in &mut out.items {
        make_safe(item, format);
    }
    out
}

/// Nothing but whitespace (and a byte order mark).
fn is_blank(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Extensions of markdown files.
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "mkdn", "mdx"];

/// Text [`sniff`] took for markdown is read as a post only from a markdown
/// file or when it opens with front matter: a `Cargo.toml`, a
/// `robots.txt` or a README without an extension is not a post.
fn is_markdown_source(file: &SourceFile<'_>) -> bool {
    let name = file.file_name();
    let has_extension = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| MARKDOWN_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
    let bytes = file
        .bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(file.bytes);
    let front_matter = [b"---".as_slice(), b"+++"].iter().any(|fence| {
        bytes
            .strip_prefix(*fence)
            .is_some_and(|rest| rest.starts_with(b"\n") || rest.starts_with(b"\r\n"))
    });
    has_extension || front_matter
}

/// The one place every item passes: the characters no text may hold go
/// from every field, the body's nesting is capped
/// ([`text::MAX_NESTING`]), and it loses what Obsidian's plugins or a
/// browser would run (llms dumps, third-party text, also lose Obsidian's
/// own marks; feed HTML lost them in conversion).
fn make_safe(item: &mut Item, format: Format) {
    let clean = |text: &mut String| {
        if let std::borrow::Cow::Owned(cleaned) = text::without_forbidden(text) {
            *text = cleaned;
        }
    };
    for field in [
        &mut item.id,
        &mut item.title,
        &mut item.source,
        &mut item.body,
    ] {
        clean(field);
    }
    item.authors
        .iter_mut()
        .chain(&mut item.tags)
        .for_each(clean);
    item.url.iter_mut().chain(&mut item.name).for_each(clean);
    for (key, value) in &mut item.extra {
        clean(key);
        clean(value);
    }
    item.authors.retain(|a| !a.trim().is_empty());
    item.tags.retain(|t| !t.trim().is_empty());
    let body = text::cap_nesting(&item.body);
    let body = match format {
        Format::Llms => obsidian::neutralise(&body),
        _ => obsidian::make_inert(&body),
    };
    // Last, so that nothing after it can make a tag.
    item.body = markdown::escape_raw_html(body);
}

/// Bytes to text, whatever their encoding (see [`encoding`]).
/// The characters no text may hold are dropped here, before any parser or
/// escaping sees the text: dropped after, one could join `<` and a letter
/// into a tag.
pub fn decode(bytes: &[u8]) -> String {
    let text = encoding::to_utf8(bytes);
    text::without_forbidden(&text).into_owned()
}

fn llms_items(file: &SourceFile<'_>, text_in: &str, options: &SourceOptions) -> Vec<Item> {
    let doc = llms::parse(text_in);
    let source = options
        .name
        .clone()
        .unwrap_or_else(|| text::clean_line(&doc.name));
    doc.posts
        .into_iter()
        .map(|post| {
            let title = text::clean_line(&post.title);
            let date = post.date.as_deref().and_then(dates::parse);
            let id = post.url.clone().unwrap_or_else(|| {
                format!("urn:lore:{}", text::short_hash(&[file.origin, &title]))
            });
            let body = markdown::sanitise_markdown(&mojibake::repair(&post.body));
            Item {
                id,
                title,
                date,
                authors: options.author.iter().cloned().collect(),
                tags: options.tags.clone(),
                url: post.url,
                source: source.clone(),
                body,
                ..Item::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><rss version=\"2.0\">"),
            Format::Feed
        );
        assert_eq!(
            sniff(b"\xef\xbb\xbf  <feed xmlns=\"http://www.w3.org/2005/Atom\">"),
            Format::Feed
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><opml version=\"2.0\">"),
            Format::Opml
        );
        assert_eq!(
            sniff(b"{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}"),
            Format::Feed
        );
        assert_eq!(sniff(b"---\ntitle: x\n---\nbody"), Format::Markdown);
        assert_eq!(sniff(b"<!DOCTYPE html><html></html>"), Format::Unknown);
    }

    fn format_of(origin: &str, text: &str) -> Option<Format> {
        let file = SourceFile {
            origin,
            bytes: text.as_bytes(),
        };
        ingest(&file, &SourceOptions::default()).format
    }

    #[test]
    fn no_body_from_any_source_holds_raw_html() {
        let post = include_bytes!(
            "../../fuzz/regressions/feed_ingest/raw-html-left-in-a-markdown-post.md"
        );
        let file = SourceFile {
            origin: "post.md",
            bytes: post,
        };
        for item in ingest(&file, &SourceOptions::default()).items {
            let parser =
                pulldown_cmark::Parser::new_ext(&item.body, pulldown_cmark::Options::all());
            for event in parser {
                assert!(
                    !matches!(
                        event,
                        pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
                    ),
                    "{event:?} in {:?}",
                    item.body
                );
            }
        }
    }

    #[test]
    fn a_control_character_cannot_join_a_tag_after_escaping() {
        let feed = "<rss version=\"2.0\"><channel><title>T</title><item><title>A</title>\
                    <link>https://t.example/a</link><description>&lt;p&gt;Click \
                    &lt;\u{1d}a href=\u{201c}javascript:alert(1)\u{201d}&gt;here&lt;/p&gt;\
                    </description></item></channel></rss>";
        let llms = "# Dump\n\n## Post\nURL: https://t.example/p\n\nClick <\u{1d}b onclick=x>here\n";
        for (origin, text) in [("feed.xml", feed), ("llms-full.txt", llms)] {
            let file = SourceFile {
                origin,
                bytes: text.as_bytes(),
            };
            let ingested = ingest(&file, &SourceOptions::default());
            let body = &ingested.items[0].body;
            let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::all());
            for event in parser {
                assert!(
                    !matches!(
                        event,
                        pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
                    ),
                    "{origin}: {event:?} in {body:?}"
                );
            }
        }
    }

    #[test]
    fn markdown_is_a_markdown_file_or_one_with_front_matter() {
        assert_eq!(format_of("a/post.md", "Words"), Some(Format::Markdown));
        assert_eq!(
            format_of("a/POST.Markdown", "Words"),
            Some(Format::Markdown)
        );
        assert_eq!(
            format_of("a/post.txt", "---\ntitle: x\n---\nWords"),
            Some(Format::Markdown)
        );
        assert_eq!(
            format_of("a/page", "+++\ntitle = \"x\"\n+++\nWords"),
            Some(Format::Markdown)
        );
        assert_eq!(
            format_of("Cargo.toml", "[package]\nname = \"x\"\n"),
            Some(Format::Unknown)
        );
        assert_eq!(
            format_of("static/robots.txt", "User-agent: *\n"),
            Some(Format::Unknown)
        );
        assert_eq!(format_of("empty.md", " \n"), None);
    }
}
