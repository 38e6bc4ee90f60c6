//! The one place markdown becomes HTML. pulldown-cmark's event stream goes
//! through small adapters: wikilinks and `.md` links resolve to note pages,
//! unsafe link schemes are dropped, code blocks are highlighted, and plain
//! text is collected for the search index. Raw HTML a note carries is
//! passed through ammonia; notes without any skip that cost.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::highlight::{Highlighter, escape};

/// Resolves note names (as written in `[[links]]`) to page URLs, and
/// relative image paths to the copies of `content/` files on the site.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// Lowercased note name → site-relative URL of its page.
    pub urls: &'a HashMap<String, String>,
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
}

/// A note body rendered to HTML.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// Plain text, for search: prose and code.
    pub text: String,
    /// Plain text without code blocks, for summaries.
    pub prose: String,
    /// Lowercased names of the notes this one links to.
    pub links: Vec<String>,
    /// Link targets that name no note.
    pub broken: Vec<String>,
    /// Relative image paths with no file in `content/`.
    pub missing_images: Vec<String>,
    /// Every highlighted code block, by cache key, for the next build.
    pub highlighted: Vec<(String, String)>,
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
    let markdown = &*crate::ingest::text::cap_nesting(markdown);
    let mut out = Rendered::default();
    let mut has_raw_html = false;
    let mut code: Option<(String, String)> = None;
    let mut open_links: Vec<bool> = Vec::new();
    let mut events = Vec::new();
    let mut in_embed = false;
    for event in Parser::new_ext(markdown, options()) {
        if in_embed {
            // The embed was written whole at its start; skip its text.
            in_embed = !matches!(event, Event::End(TagEnd::Image));
            continue;
        }
        if let Some((language, buffer)) = &mut code {
            match event {
                Event::Text(text) => buffer.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    let (key, inner) = highlighter.highlight_cached(buffer, language.trim());
                    events.push(Event::Html(code_block(language, &inner).into()));
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
                    events.push(Event::Html(
                        format!(
                            "<span class=\"broken-link\" title=\"No note named {}\">",
                            escape(&dest_url)
                        )
                        .into(),
                    ));
                    continue;
                }
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
                event
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
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    if has_raw_html {
        out.html = SANITIZER.clean(&out.html).to_string();
    }
    out
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
    let decoded = target.replace("%20", " ");
    let name = decoded
        .rsplit('/')
        .next()
        .unwrap_or(&decoded)
        .trim_end_matches(".md")
        .to_lowercase();
    if name.is_empty() && !anchor.is_empty() {
        return (CowStr::from(format!("#{anchor}")), true);
    }
    match links.urls.get(&name) {
        Some(url) => {
            out.links.push(name);
            let fragment = if anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", anchor_id(anchor))
            };
            (CowStr::from(format!("{}{url}{fragment}", links.root)), true)
        }
        None => {
            out.broken.push(target.to_string());
            (dest.clone(), false)
        }
    }
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
    let name = target.trim_end_matches(".md").to_lowercase();
    match links.urls.get(&name) {
        Some(url) => {
            out.links.push(name);
            let fragment = if anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", anchor_id(anchor))
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

/// The id a heading anchor would get.
fn anchor_id(heading: &str) -> String {
    heading
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
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
        render(
            md,
            &Links {
                urls: &urls,
                root: "../",
                attachments: &attachments,
                note_dir: "sub/",
                attachments_by_name: &by_name,
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
            out.html.contains("<img src=\"../assets/a.png\" alt=\"a\""),
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
        assert_eq!(out.links, ["other note"]);
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
        assert_eq!(out.links, ["other note"]);
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
        assert!(out.html.contains("hl-"), "{}", out.html);
    }

    #[test]
    fn tables_render() {
        let out = render_with("| a | b |\n|---|---|\n| 1 | 2 |\n", &[]);
        assert!(out.html.contains("<table>"), "{}", out.html);
    }
}
