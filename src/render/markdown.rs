//! The one place markdown becomes HTML. pulldown-cmark's event stream goes
//! through small adapters: wikilinks and `.md` links resolve to note pages,
//! unsafe link schemes are dropped, code blocks are highlighted, and plain
//! text is collected for the search index. Raw HTML a note carries is
//! passed through ammonia; notes without any skip that cost. A person's
//! own notes also get Obsidian's syntax (`obsidian`), math and Mermaid;
//! every note gets heading and block ids (`headings`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::headings::{self, TocEntry};
use super::highlight::{Highlighter, escape};
use super::obsidian;

/// Resolves note names (as written in `[[links]]`) to page URLs, and
/// relative image paths to the copies of `content/` files on the site.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// Lowercased note name → site-relative URL of its page (of the note
    /// with the shortest path when two share a name, as in Obsidian).
    pub urls: &'a HashMap<String, String>,
    /// Lowercased content-relative path without `.md`, and every tail of
    /// it of two or more parts (`folder/note`) → URL, for links that name
    /// a folder. See [`note_paths`].
    pub paths: &'a HashMap<String, String>,
    /// The note is a person's own, not from a source: Obsidian's syntax
    /// (callouts, `==marks==`, `%%comments%%`, math, Mermaid) is drawn.
    /// A feed's note keeps what ingest made inert as text.
    pub own: bool,
    /// Relative path from the page being rendered to the site root.
    pub root: &'a str,
    /// Files of `content/` other than notes (images…), content-relative;
    /// the site has each at the same path.
    pub attachments: &'a HashSet<String>,
    /// The folder of the note being rendered, content-relative ("" or
    /// "sub/"), which its relative paths start from.
    pub note_dir: &'a str,
    /// Lowercased file name → content-relative path, for `![[embeds]]`,
    /// which Obsidian resolves by name wherever the file is.
    pub attachments_by_name: &'a HashMap<String, String>,
    /// Width and height of images of `content/`, content-relative.
    pub image_sizes: &'a HashMap<String, (u32, u32)>,
}

/// A note body rendered to HTML.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    /// Plain text, for search: prose and code.
    pub text: String,
    /// Plain text without code blocks, for summaries.
    pub prose: String,
    /// Site-relative page URLs of the notes this one links to.
    pub links: Vec<String>,
    /// Link targets that name no note.
    pub broken: Vec<String>,
    /// Relative image paths with no file in `content/`.
    pub missing_images: Vec<String>,
    /// Every highlighted code block, by cache key, for the next build.
    pub highlighted: Vec<(String, String)>,
    /// Every link and image target as the page holds it, with the line of
    /// the note's body it was written on (1-based), for `lore check`.
    pub refs: Vec<(String, usize)>,
    /// Links and embeds that name no note, with their body line.
    pub missing: Vec<(String, usize)>,
    /// The headings, when there are enough for a table of contents.
    pub toc: Vec<TocEntry>,
    /// The note draws Mermaid diagrams: its page loads the script.
    pub mermaid: bool,
}

/// The markdown extensions notes are rendered with (GFM, footnotes,
/// wikilinks); other stages that read notes use the same.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_GFM
}

/// Renders a note body.
pub fn render(markdown: &str, links: &Links<'_>, highlighter: &Highlighter) -> Rendered {
    // A person's own note may nest without bound too.
    let markdown = crate::ingest::text::cap_nesting(markdown);
    let markdown = if links.own {
        obsidian::strip_comments(&markdown).into_owned().into()
    } else {
        markdown
    };
    let markdown = &*markdown;
    let options = if links.own {
        options() | Options::ENABLE_MATH
    } else {
        options()
    };
    let mut out = Rendered::default();
    // Formulas, put in after the sanitiser (which knows no MathML).
    let mut formulas: Vec<String> = Vec::new();
    // Text events written with escapes: `\=\=` is no highlight.
    let mut escaped: Vec<usize> = Vec::new();
    let mut has_raw_html = false;
    let mut code: Option<(String, String)> = None;
    let mut open_links: Vec<bool> = Vec::new();
    let mut events = Vec::new();
    let mut in_embed = false;
    let mut line = LineCounter::new(markdown);
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        if in_embed {
            // The embed was written whole at its start; skip its text.
            in_embed = !matches!(event, Event::End(TagEnd::Image));
            continue;
        }
        if let Some((language, buffer)) = &mut code {
            match event {
                Event::Text(text) => buffer.push_str(&text),
                Event::End(TagEnd::CodeBlock) if links.own && is_mermaid(language) => {
                    events.push(Event::Html(
                        format!("<pre class=\"mermaid\">{}</pre>\n", escape(buffer)).into(),
                    ));
                    out.mermaid = true;
                    out.text.push_str(buffer);
                    out.text.push(' ');
                    code = None;
                }
                Event::End(TagEnd::CodeBlock) => {
                    let (key, mut inner) = highlighter.highlight_cached(buffer, language.trim());
                    events.push(Event::Html(code_block(language, &inner).into()));
                    // Held for the next build's cache until this one ends:
                    // without the room it grew with (a fifth of it).
                    inner.shrink_to_fit();
                    out.highlighted.push((key, inner));
                    out.text.push_str(buffer);
                    out.text.push(' ');
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest, resolved) = resolve(link_type, &dest_url, links, &mut out);
                open_links.push(resolved);
                if !resolved {
                    out.missing
                        .push((dest_url.to_string(), line.at(range.start)));
                    events.push(Event::Html(
                        format!(
                            "<span class=\"broken-link\" title=\"No note named {}\">",
                            escape(&dest_url)
                        )
                        .into(),
                    ));
                    continue;
                }
                out.refs.push((dest.to_string(), line.at(range.start)));
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if !open_links.pop().unwrap_or(true) {
                    events.push(Event::Html("</span>".into()));
                    continue;
                }
                event
            }
            Event::Start(Tag::Image {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => {
                in_embed = true;
                events.push(Event::Html(embed(&dest_url, links, &mut out).into()));
                continue;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if is_unsafe_url(&dest_url) {
                    CowStr::from("")
                } else {
                    local_image(dest_url, links, &mut out)
                };
                out.refs.push((dest.to_string(), line.at(range.start)));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                event
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                for sink in [&mut out.text, &mut out.prose] {
                    sink.push_str(text);
                }
                // The parser starts a text after the `\` of an escape.
                let after_escape =
                    range.start > 0 && markdown.as_bytes().get(range.start - 1) == Some(&b'\\');
                if matches!(event, Event::Text(_))
                    && text.contains("==")
                    && (after_escape || markdown.get(range.clone()) != Some(text.as_ref()))
                {
                    escaped.push(events.len());
                }
                event
            }
            Event::InlineMath(tex) | Event::DisplayMath(tex) => {
                let display = range.end - range.start >= 4
                    && markdown
                        .get(range.clone())
                        .is_some_and(|m| m.starts_with("$$"));
                out.text.push_str(&tex);
                out.text.push(' ');
                events.push(Event::Html(
                    format!("\u{e000}{}\u{e001}", formulas.len()).into(),
                ));
                formulas.push(obsidian::math(&tex, display));
                continue;
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            )
            | Event::SoftBreak
            | Event::HardBreak => {
                out.text.push(' ');
                out.prose.push(' ');
                event
            }
            other => other,
        };
        events.push(event);
    }
    if links.own {
        obsidian::highlights(&mut events, &escaped);
        obsidian::callouts(&mut events);
    }
    shift_headings(&mut events);
    out.toc = headings::link_targets(&mut events);
    name_empty_links(&mut events);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    if has_raw_html {
        out.html = SANITIZER.clean(&out.html).to_string();
    }
    // Most notes show no image: their HTML is not copied again.
    if out.html.contains("<img ") {
        out.html = lazy_images(&out.html, links);
    }
    if !formulas.is_empty() {
        out.html = put_formulas(&out.html, &formulas);
    }
    out
}

/// A fence that Obsidian draws as a Mermaid diagram.
fn is_mermaid(language: &str) -> bool {
    language.trim().eq_ignore_ascii_case("mermaid")
}

/// The HTML with each formula's placeholder replaced by its MathML.
fn put_formulas(html: &str, formulas: &[String]) -> String {
    let mut out =
        String::with_capacity(html.len() + formulas.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find('\u{e000}') {
        out.push_str(&rest[..at]);
        let after = &rest[at + '\u{e000}'.len_utf8()..];
        let number = after.find('\u{e001}').and_then(|end| {
            let n: usize = after[..end].parse().ok()?;
            Some((n, end))
        });
        match number.and_then(|(n, end)| Some((formulas.get(n)?, end))) {
            Some((formula, end)) => {
                out.push_str(formula);
                rest = &after[end + '\u{e001}'.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Headings go under the page's `<h1>` without skipping a level: the
/// note's highest heading below `#` becomes `<h2>` (an imported post's
/// `<h3>`, `<h4>` become `<h2>`, `<h3>`), a `#` one too, and no heading is
/// more than one level below the heading before it.
fn shift_headings(events: &mut [Event<'_>]) {
    use pulldown_cmark::HeadingLevel;
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) if *level != HeadingLevel::H1 => {
                Some(*level as usize)
            }
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let mut previous = 1;
    let mut open = HeadingLevel::H2;
    for event in events.iter_mut() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let wanted = (*level as usize + 2).saturating_sub(top).max(2);
                let shifted = wanted.min(previous + 1).min(6);
                previous = shifted;
                open = HeadingLevel::try_from(shifted).unwrap_or(HeadingLevel::H6);
                *level = open;
            }
            Event::End(TagEnd::Heading(level)) => *level = open,
            _ => {}
        }
    }
}

/// Line numbers of byte offsets, asked in increasing order (as the parser
/// goes), in one pass over the text.
struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// A link whose only content is an image without alt text, or nothing,
/// gets a name screen readers can say: its title, else where it goes.
fn name_empty_links(events: &mut Vec<Event<'_>>) {
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Link {
            dest_url, title, ..
        }) = &events[i]
        else {
            i += 1;
            continue;
        };
        let name = if title.trim().is_empty() {
            link_name(dest_url)
        } else {
            title.to_string()
        };
        let at = match (events.get(i + 1), events.get(i + 2), events.get(i + 3)) {
            (Some(Event::End(TagEnd::Link)), _, _) => Some(i + 1),
            (
                Some(Event::Start(Tag::Image { .. })),
                Some(Event::End(TagEnd::Image)),
                Some(Event::End(TagEnd::Link)),
            ) => Some(i + 2),
            _ => None,
        };
        if let Some(at) = at
            && !name.is_empty()
        {
            events.insert(at, Event::Text(name.into()));
        }
        i += 1;
    }
}

/// A short name for an address: host and path of a web link, the file
/// name (without extension) of a relative one.
fn link_name(dest: &str) -> String {
    if let Some((_, rest)) = dest.split_once("://") {
        let rest = rest.strip_prefix("www.").unwrap_or(rest);
        return rest.trim_end_matches('/').to_string();
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if stem.is_empty() {
        dest.trim_start_matches('#').to_string()
    } else {
        stem.replace(['-', '_'], " ")
    }
}

/// Every `<img>` loads lazily (those that say otherwise keep their word),
/// and one of `content/` whose size is known carries its width and height.
fn lazy_images(html: &str, links: &Links<'_>) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at..end];
        out.push_str(&rest[..at + 4]);
        if !tag.contains(" loading=") {
            out.push_str(" loading=\"lazy\"");
        }
        if !tag.contains(" width=")
            && let Some((w, h)) = image_size(tag, links)
        {
            out.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        rest = &rest[at + 4..];
    }
    out.push_str(rest);
    out
}

/// The size of the `content/` image an `<img>` tag shows, when known.
fn image_size(tag: &str, links: &Links<'_>) -> Option<(u32, u32)> {
    let src = tag.split(" src=\"").nth(1)?.split('"').next()?;
    let path = src.strip_prefix(links.root)?.replace("%20", " ");
    links.image_sizes.get(&path).copied()
}

/// Where a link goes: a note page for wikilinks and `.md` links, the
/// address as written for the web, nothing for unsafe schemes. The bool is
/// false for a link to a note that does not exist.
fn resolve<'a>(
    link_type: LinkType,
    dest: &CowStr<'a>,
    links: &Links<'_>,
    out: &mut Rendered,
) -> (CowStr<'a>, bool) {
    if is_unsafe_url(dest) {
        return (CowStr::from("#"), true);
    }
    let is_wiki = matches!(link_type, LinkType::WikiLink { .. });
    let is_local_md =
        !dest.contains("://") && dest.split('#').next().is_some_and(|p| p.ends_with(".md"));
    if !is_wiki && !is_local_md {
        return (dest.clone(), true);
    }
    let (target, anchor) = dest.split_once('#').unwrap_or((dest, ""));
    // `[[Note\|label]]` in a table: the pipe was escaped for the table.
    let target = target.trim_end_matches('\\');
    let decoded = target.replace("%20", " ");
    if decoded.trim().is_empty() && !anchor.is_empty() {
        return (
            CowStr::from(format!("#{}", headings::fragment(anchor))),
            true,
        );
    }
    match note_url(&decoded, links) {
        Some(url) => {
            out.links.push(url.clone());
            let fragment = if anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", headings::fragment(anchor))
            };
            (CowStr::from(format!("{}{url}{fragment}", links.root)), true)
        }
        None => {
            out.broken.push(target.to_string());
            (dest.clone(), false)
        }
    }
}

/// The page of the note a link names, as Obsidian finds it: by name
/// (`Note`, `Note.md`), or by a path from the note's folder, from the
/// vault's root, or ending the note's path (`Folder/Note`).
fn note_url(target: &str, links: &Links<'_>) -> Option<String> {
    let target = target.trim().trim_start_matches('/');
    let target = target.strip_suffix(".md").unwrap_or(target).to_lowercase();
    if !target.contains('/') {
        return links.urls.get(&target).cloned();
    }
    let relative = content_path(&links.note_dir.to_lowercase(), &target);
    links
        .paths
        .get(&relative)
        .or_else(|| links.paths.get(&content_path("", &target)))
        .cloned()
}

/// Lowercased note name → URL, the shortest path winning a shared name,
/// and lowercased path (without `.md`) and each of its tails of two or
/// more parts → URL, for [`Links`].
pub fn note_paths<'a>(
    notes: impl Iterator<Item = (&'a str, &'a str)>,
) -> (HashMap<String, String>, HashMap<String, String>) {
    let mut sorted: Vec<(&str, &str)> = notes.collect();
    sorted.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(b.0)));
    let mut names = HashMap::new();
    let mut paths = HashMap::new();
    for (path, url) in sorted {
        let lower = path.strip_suffix(".md").unwrap_or(path).to_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        for from in 0..parts.len() {
            let tail = parts[from..].join("/");
            if from + 1 == parts.len() {
                names.entry(tail).or_insert_with(|| url.to_string());
            } else {
                paths.entry(tail).or_insert_with(|| url.to_string());
            }
        }
    }
    (names, paths)
}

/// Lowercased file name → content-relative path; when two files share a
/// name, the shorter path wins, as in Obsidian.
pub fn by_file_name(attachments: &HashSet<String>) -> HashMap<String, String> {
    let mut sorted: Vec<&String> = attachments.iter().collect();
    sorted.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    let mut map = HashMap::new();
    for path in sorted {
        let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
        map.entry(name).or_insert_with(|| path.clone());
    }
    map
}

/// Files an `![[embed]]` shows as an image.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp"];

/// The HTML of an Obsidian embed: `![[image.png]]` as the image,
/// `![[file.pdf]]` as a link to the file, `![[Note]]` or `![[Note#Part]]`
/// as a link to the note's page. What it names must exist; else it is
/// reported and shown as text.
fn embed(dest: &str, links: &Links<'_>, out: &mut Rendered) -> String {
    let (target, anchor) = dest.split_once('#').unwrap_or((dest, ""));
    let target = target.trim();
    let file_name = target.rsplit('/').next().unwrap_or(target);
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| e != "md");
    if let Some(extension) = extension {
        let path = links.attachments.get(target).cloned().or_else(|| {
            links
                .attachments_by_name
                .get(&file_name.to_lowercase())
                .cloned()
        });
        let Some(path) = path else {
            out.missing_images.push(target.to_string());
            return format!("<span class=\"broken-link\">{}</span>", escape(target));
        };
        let src = format!("{}{}", links.root, path.replace(' ', "%20"));
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        return if IMAGE_EXTENSIONS.contains(&extension.as_str()) {
            format!(
                "<img src=\"{}\" alt=\"{}\" loading=\"lazy\">",
                escape(&src),
                escape(stem)
            )
        } else {
            format!("<a href=\"{}\">{}</a>", escape(&src), escape(file_name))
        };
    }
    match note_url(target, links) {
        Some(url) => {
            out.links.push(url.clone());
            let fragment = if anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", headings::fragment(anchor))
            };
            format!(
                "<a class=\"embed\" href=\"{}{url}{fragment}\">{}</a>",
                links.root,
                escape(target)
            )
        }
        None => {
            out.broken.push(target.to_string());
            format!("<span class=\"broken-link\">{}</span>", escape(target))
        }
    }
}

/// A relative image path points at a file of `content/`, which the site
/// copies to the same path: it becomes a path from the page. Web addresses
/// stay as they are.
fn local_image<'a>(dest: CowStr<'a>, links: &Links<'_>, out: &mut Rendered) -> CowStr<'a> {
    let is_relative = !dest.is_empty()
        && !dest.contains("://")
        && !dest.starts_with(['/', '#'])
        && !dest.starts_with("data:");
    if !is_relative {
        return dest;
    }
    let decoded = dest.replace("%20", " ");
    let path = content_path(
        links.note_dir,
        decoded.split(['?', '#']).next().unwrap_or(""),
    );
    if links.attachments.contains(&path) {
        CowStr::from(format!("{}{}", links.root, path.replace(' ', "%20")))
    } else {
        out.missing_images.push(dest.to_string());
        dest
    }
}

/// `dir` + `relative`, with `.` and `..` segments resolved (never above
/// the content folder).
fn content_path(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// `javascript:`, `vbscript:` and `data:` URLs never reach a page: the
/// rule notes are written by (`ingest::obsidian::is_script_url`).
pub fn is_unsafe_url(url: &str) -> bool {
    crate::ingest::is_script_url(url)
}

/// A `<pre><code>` around already highlighted (or escaped) code.
fn code_block(language: &str, inner: &str) -> String {
    let language = language.trim();
    let class = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(language))
    };
    format!("<pre class=\"code\"><code{class}>{inner}</code></pre>\n")
}

/// The sanitiser for notes that carry raw HTML: ammonia's safe defaults,
/// plus the classes and ids our own markup uses.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.add_generic_attributes(["class", "id", "title"]);
    builder.add_tags(["input"]);
    builder.add_tag_attributes("input", ["type", "checked", "disabled"]);
    // Heading self-links, callouts (folded ones too).
    builder.add_tag_attributes("a", ["aria-label"]);
    builder.add_tag_attributes("div", ["data-callout"]);
    builder.add_tag_attributes("details", ["data-callout", "open"]);
    // ammonia lets through what it cannot parse as a URL as a relative one
    // (`javascri\u{e}pt:`); lore's own rule drops anything that, without
    // its whitespace and control characters, names a script scheme.
    builder.attribute_filter(|_, attribute, value| {
        let is_url = matches!(attribute, "href" | "src" | "cite" | "action" | "srcset");
        if is_url && is_unsafe_url(value) {
            None
        } else {
            Some(value.into())
        }
    });
    builder
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_links_with_hidden_script_schemes_lose_their_target() {
        let html = render_with("<a href=\"javascri\u{e}\u{e}pt:alert(1)\">z</a>", &[]).html;
        assert!(!html.contains("javascri"), "{html}");
        assert!(html.contains(">z</a>"), "{html}");
    }

    fn render_with(md: &str, names: &[(&str, &str)]) -> Rendered {
        let urls: HashMap<String, String> = names
            .iter()
            .map(|(n, u)| (n.to_string(), u.to_string()))
            .collect();
        let attachments: HashSet<String> =
            ["assets/a.png", "sub/pic one.jpg"].map(String::from).into();
        let by_name = by_file_name(&attachments);
        let sizes: HashMap<String, (u32, u32)> = [("assets/a.png".to_string(), (640, 480))].into();
        let paths: HashMap<String, String> = names
            .iter()
            .filter(|(n, _)| n.contains('/'))
            .map(|(n, u)| (n.to_string(), u.to_string()))
            .collect();
        render(
            md,
            &Links {
                urls: &urls,
                paths: &paths,
                own: true,
                root: "../",
                attachments: &attachments,
                note_dir: "sub/",
                attachments_by_name: &by_name,
                image_sizes: &sizes,
            },
            &Highlighter::default(),
        )
    }

    #[test]
    fn relative_images_point_at_the_copied_content_files() {
        let out = render_with(
            "![a](../assets/a.png) ![b](pic%20one.jpg) ![c](gone.png) ![d](https://x.io/d.png)",
            &[],
        );
        assert!(out.html.contains("src=\"../assets/a.png\""), "{}", out.html);
        assert!(
            out.html.contains("src=\"../sub/pic%20one.jpg\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("src=\"https://x.io/d.png\""),
            "{}",
            out.html
        );
        assert_eq!(out.missing_images, ["gone.png"]);
    }

    #[test]
    fn embeds_show_images_and_link_notes() {
        let out = render_with(
            "![[a.png]] ![[Pic One.jpg|300]] ![[Other Note#Part Two]] ![[nowhere.png]] ![[Ghost]]",
            &[("other note", "notes/other-note.html")],
        );
        assert!(
            out.html.contains(" src=\"../assets/a.png\" alt=\"a\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<img src=\"../sub/pic%20one.jpg\""),
            "{}",
            out.html
        );
        assert!(
            out.html
                .contains("href=\"../notes/other-note.html#part-two\""),
            "{}",
            out.html
        );
        assert!(!out.html.contains("300"), "{}", out.html);
        assert_eq!(out.missing_images, ["nowhere.png"]);
        assert_eq!(out.broken, ["Ghost"]);
        assert_eq!(out.links, ["notes/other-note.html"]);
    }

    #[test]
    fn wikilinks_resolve_relative_to_the_page() {
        let out = render_with(
            "See [[Other Note|the other]] and [[missing]].",
            &[("other note", "notes/other-note.html")],
        );
        assert!(
            out.html.contains("href=\"../notes/other-note.html\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("broken-link"), "{}", out.html);
        assert_eq!(out.links, ["notes/other-note.html"]);
        assert_eq!(out.broken, ["missing"]);
    }

    #[test]
    fn scripts_and_javascript_urls_never_pass() {
        let out = render_with(
            "[x](javascript:alert(1)) <script>alert(2)</script>\n\n<img src=x onerror=alert(3)>",
            &[],
        );
        assert!(!out.html.contains("javascript:"), "{}", out.html);
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("onerror"), "{}", out.html);
    }

    #[test]
    fn code_blocks_are_highlighted_with_their_language() {
        let out = render_with("```rust\nfn main() {}\n```\n", &[]);
        assert!(out.html.contains("class=\"language-rust\""), "{}", out.html);
        assert!(out.html.contains("<span class=\"k\">fn"), "{}", out.html);
    }

    #[test]
    fn a_note_with_raw_html_keeps_its_callouts_anchors_and_marks() {
        let out = render_with(
            "<b>raw</b>\n\n## One\n\n> [!tip]+ Open\n> body\n\n==a *b == c* d==\n\n$x$",
            &[],
        );
        for kept in [
            "<h2 id=\"one\">One</h2>",
            "<details class=\"callout callout-tip\" data-callout=\"tip\" open=\"\">",
            "<mark>a <em>b == c</em> d</mark>",
            "<math display=\"inline\">",
        ] {
            assert!(out.html.contains(kept), "{kept}: {}", out.html);
        }
    }

    #[test]
    fn a_highlight_never_crosses_emphasis_and_escaped_or_code_marks_stay() {
        let out = render_with("==x *y==* z\n\n`==c==` \\==e== ==ok==", &[]);
        assert!(
            out.html.contains("<p>==x <em>y==</em> z</p>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<code>==c==</code>"), "{}", out.html);
        assert!(!out.html.contains("<mark>e</mark>"), "{}", out.html);
    }

    #[test]
    fn tables_render() {
        let out = render_with("| a | b |\n|---|---|\n| 1 | 2 |\n", &[]);
        assert!(out.html.contains("<table>"), "{}", out.html);
    }

    #[test]
    fn imported_headings_never_skip_a_level_under_the_pages_h1() {
        let out = render_with(
            "#### Intro\n\ntext\n\n###### Detail\n\n#### Next\n\n# Big",
            &[],
        );
        assert!(
            out.html.contains("<h2 id=\"intro\">Intro</h2>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h3 id=\"detail\">Detail</h3>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h2 id=\"next\">Next</h2>"),
            "a sibling stays a sibling: {}",
            out.html
        );
        assert!(
            out.html.contains("<h2 id=\"big\">Big</h2>"),
            "an h1 after an h4: {}",
            out.html
        );
        let out = render_with("## A\n\n#### B", &[]);
        assert!(out.html.contains("<h3 id=\"b\">B</h3>"), "{}", out.html);
    }

    #[test]
    fn a_link_holding_only_an_empty_image_gets_a_name() {
        let out = render_with(
            "[![](https://e.org/badge.svg)](https://www.example.org/ci/)\n\n[](other-page.html) [![](x.png)](https://e.org/ \"Build status\")",
            &[],
        );
        assert!(out.html.contains("alt=\"example.org/ci\""), "{}", out.html);
        assert!(out.html.contains(">other page</a>"), "{}", out.html);
        assert!(out.html.contains("alt=\"Build status\""), "{}", out.html);
    }

    #[test]
    fn headings_get_the_ids_links_to_them_use() {
        let out = render_with(
            "## Part Two\n\n## Part Two\n\n## Main\n\n## `code` & more",
            &[],
        );
        for id in ["part-two", "part-two-1", "main-1", "code-more"] {
            assert!(
                out.html.contains(&format!("id=\"{id}\"")),
                "{id}: {}",
                out.html
            );
        }
    }

    #[test]
    fn an_image_of_known_size_reserves_its_space() {
        let out = render_with("![a](../assets/a.png) ![[a.png]] ![b](pic%20one.jpg)", &[]);
        assert_eq!(
            out.html.matches("width=\"640\" height=\"480\"").count(),
            2,
            "{}",
            out.html
        );
        assert_eq!(out.html.matches("width=").count(), 2, "{}", out.html);
    }

    #[test]
    fn images_load_lazily() {
        let out = render_with("![a cat](cat.png) ![[a.png]]", &[]);
        assert_eq!(
            out.html.matches("loading=\"lazy\"").count(),
            2,
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<img loading=\"lazy\" src="),
            "{}",
            out.html
        );
    }
}
