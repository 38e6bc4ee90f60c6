//! Markdown from third parties (llms.txt dumps) as Obsidian would read it:
//! code blocks that plugins run (`dataviewjs`, `templater`…) become plain
//! text blocks, and `%%` comments and `==` highlights in prose are escaped
//! so they show as the characters the author wrote. Every note lore writes
//! from any source also loses what a plugin or a browser would run
//! ([`make_inert`]): Dataview inline JS, Templater commands, script links.
//! The user's own notes in `content/` never come here.

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Fenced-code languages that Obsidian plugins execute or render as queries;
/// from a feed they are just text.
const ACTIVE_LANGUAGES: &[&str] = &[
    "dataview",
    "dataviewjs",
    "datacore",
    "datacorejs",
    "datacorejsx",
    "datacorets",
    "datacoretsx",
    "templater",
    "js-engine",
    "js-engine-debug",
    "query",
    "tasks",
    "button",
    "meta-bind",
    "meta-bind-button",
    "meta-bind-embed",
    "meta-bind-js-view",
    "tracker",
    "chart",
    "excalidraw",
    "kanban",
    "contextual-query",
];

/// True for a fenced-code language a plugin would execute or query with.
pub fn is_active_language(lang: &str) -> bool {
    let lang = lang.trim().to_ascii_lowercase();
    ACTIVE_LANGUAGES.contains(&lang.as_str()) || lang.starts_with("run-")
}

/// What Dataview runs as JavaScript: a code span (or, with its
/// "inline queries in code blocks" setting, a code block) whose text starts
/// with this.
const DATAVIEW_JS_PREFIX: &str = "$=";

/// Templater runs whatever sits between `<%` and `%>`, anywhere in a file
/// it processes (code and front matter included).
const TEMPLATER_OPEN: &str = "<%";

/// Put between the two characters of a sequence a plugin acts on: the
/// WORD JOINER is invisible, is not whitespace (so `trim()` keeps it), and
/// breaks the match. Code keeps its look; only the plugin stops seeing it.
const JOINER: char = '\u{2060}';

/// The markdown of a third-party post with what Obsidian would run *or*
/// reinterpret made inert: everything [`make_inert`] does, and `%%`
/// comments and `==` highlights in prose escaped so they show as written.
pub fn neutralise(markdown: &str) -> String {
    inert(markdown, true)
}

/// The markdown with nothing Obsidian or a plugin would run: plugin code
/// blocks become plain text blocks, Dataview inline JS (`` `$= …` ``) and
/// Templater commands (`<% … %>`) get an invisible joiner that breaks them,
/// and links and images to `javascript:`, `vbscript:` or `data:` lose
/// their target (their text stays). Every note lore writes passes here.
pub fn make_inert(markdown: &str) -> String {
    inert(markdown, false)
}

/// One replacement: the bytes of `range` in the source become `text`.
type Edit = (std::ops::Range<usize>, String);

fn inert(markdown: &str, escape_marks: bool) -> String {
    let mut edits: Vec<Edit> = Vec::new();
    if might_need_edits(markdown, escape_marks) {
        edits = collect_edits(markdown, escape_marks);
    }
    let mut out = apply(markdown, edits);
    if out.contains(TEMPLATER_OPEN) {
        out = out.replace(TEMPLATER_OPEN, &format!("<{JOINER}%"));
    }
    out
}

/// A cheap look for anything [`collect_edits`] could change.
fn might_need_edits(markdown: &str, escape_marks: bool) -> bool {
    markdown.contains("```")
        || markdown.contains("~~~")
        || markdown.contains(DATAVIEW_JS_PREFIX)
        // Any URL has a colon.
        || markdown.contains(':')
        || (escape_marks && (markdown.contains("%%") || markdown.contains("==")))
}

/// A link being walked: its whole range, whether its target is a script,
/// and how far its content (text, nested image) reaches.
struct OpenLink {
    range: std::ops::Range<usize>,
    script: bool,
    inline: bool,
    content_end: Option<usize>,
}

fn collect_edits(markdown: &str, escape_marks: bool) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    let parser = Parser::new_ext(markdown, Options::all());
    for (_, definition) in parser.reference_definitions().iter() {
        if is_script_url(&definition.dest) {
            edits.push((definition.span.clone(), String::new()));
        }
    }
    let mut in_code = false;
    let mut code_start: Option<usize> = None;
    let mut links: Vec<OpenLink> = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        let link_edge = matches!(
            event,
            Event::Start(Tag::Link { .. } | Tag::Image { .. })
                | Event::End(TagEnd::Link | TagEnd::Image)
        );
        if !link_edge {
            for link in &mut links {
                link.content_end = Some(range.end);
            }
        }
        if in_code
            && let Event::Text(text) = &event
            && code_start.take().is_some()
            && text.trim_start().starts_with(DATAVIEW_JS_PREFIX)
        {
            break_prefix(markdown, &range, &mut edits);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                code_start = Some(range.start);
                if let CodeBlockKind::Fenced(info) = kind {
                    plugin_fence(markdown, &range, &info, &mut edits);
                }
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            // Inside code: only its first text matters (Dataview may read
            // the whole block), handled below.
            Event::Text(_) if in_code => {}
            Event::Code(code) if code.trim_start().starts_with(DATAVIEW_JS_PREFIX) => {
                break_prefix(markdown, &range, &mut edits);
            }
            Event::Text(_) if escape_marks => {
                let text = &markdown[range.clone()];
                if text.contains("%%") || text.contains("==") {
                    let escaped = text.replace("%%", "\\%\\%").replace("==", "\\=\\=");
                    edits.push((range, escaped));
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => {
                if link_type == LinkType::Autolink && is_script_url(&dest_url) {
                    edits.push((range.clone(), escape_all_punctuation(&dest_url)));
                }
                links.push(OpenLink {
                    script: is_script_url(&dest_url),
                    inline: link_type == LinkType::Inline,
                    range,
                    content_end: None,
                });
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(link) = links.pop()
                    && link.script
                    && link.inline
                {
                    drop_target(markdown, &link, &mut edits);
                }
                for parent in &mut links {
                    parent.content_end = Some(range.end);
                }
            }
            _ => {}
        }
    }
    edits
}

/// A fence line naming a plugin's language gets `text` instead.
fn plugin_fence(markdown: &str, range: &std::ops::Range<usize>, info: &str, edits: &mut Vec<Edit>) {
    let lang = info.split_whitespace().next().unwrap_or("");
    if !is_active_language(lang) {
        return;
    }
    let fence_line_end = markdown[range.start..]
        .find('\n')
        .map_or(range.end, |i| range.start + i);
    let fence_line = &markdown[range.start..fence_line_end];
    if let Some(at) = fence_line.find(lang) {
        let at = range.start + at;
        edits.push((at..at + lang.len(), "text".to_string()));
    }
}

/// The first `$=` in `range` gets the joiner between its two characters.
fn break_prefix(markdown: &str, range: &std::ops::Range<usize>, edits: &mut Vec<Edit>) {
    if let Some(at) = markdown[range.clone()].find(DATAVIEW_JS_PREFIX) {
        let at = range.start + at;
        edits.push((at..at + 1, format!("${JOINER}")));
    }
}

/// `[text](javascript:…)` becomes `[text]()`: the words stay, the target
/// goes. Only the part after the content is replaced, so a nested image's
/// own edit never overlaps.
fn drop_target(markdown: &str, link: &OpenLink, edits: &mut Vec<Edit>) {
    let opener = if markdown[link.range.clone()].starts_with('!') {
        2
    } else {
        1
    };
    let content_end = link
        .content_end
        .unwrap_or(link.range.start + opener)
        .min(link.range.end);
    let tail = &markdown[content_end..link.range.end];
    if let Some(close) = tail.find("](") {
        let from = content_end + close;
        edits.push((from..link.range.end, "]()".to_string()));
    }
}

/// Text with every ASCII punctuation character backslash-escaped: shown as
/// it is, never read as markup (an autolink's `<…>` included).
fn escape_all_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True for a `javascript:`, `vbscript:` or `data:` URL, however disguised
/// (case, whitespace or controls inside; entities are already decoded by
/// the markdown parser). `data:` goes whatever it holds: an SVG image runs
/// scripts, the site drops every `data:` URL anyway, and feed HTML loses
/// them too, so a raster exception would only make the note and the page
/// disagree.
pub fn is_script_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    scheme.starts_with("javascript:")
        || scheme.starts_with("vbscript:")
        || scheme.starts_with("data:")
}

/// The source with the edits made; an edit overlapping an earlier one is
/// dropped (the parser's ranges nest, so this only happens for nested
/// constructs, which the earlier edit already covers).
fn apply(markdown: &str, mut edits: Vec<Edit>) -> String {
    if edits.is_empty() {
        return markdown.to_string();
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(markdown.len() + 16 * edits.len());
    let mut copied_to = 0;
    for (range, text) in edits {
        if range.start < copied_to {
            continue;
        }
        out.push_str(&markdown[copied_to..range.start]);
        out.push_str(&text);
        copied_to = range.end;
    }
    out.push_str(&markdown[copied_to..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_blocks_and_obsidian_marks_are_made_inert() {
        let md = "Text with %%hidden%% and ==marked==.\n\n```dataviewjs\ndv.list()\n```\n\n```rust\nif a == b {}\n```\n";
        assert_eq!(
            neutralise(md),
            "Text with \\%\\%hidden\\%\\% and \\=\\=marked\\=\\=.\n\n```text\ndv.list()\n```\n\n```rust\nif a == b {}\n```\n"
        );
        assert_eq!(neutralise("plain words"), "plain words");
    }

    #[test]
    fn dataview_js_and_templater_commands_are_broken_invisibly() {
        let md = "Count `$= dv.pages().length` and ``$=x``.\n\nNow <% tp.date.now() %>.\n\n```\n$= dv.el()\n```\n";
        let out = make_inert(md);
        assert!(!out.contains("$="), "{out}");
        assert!(!out.contains("<%"), "{out}");
        // Without the joiners, the text is what the author wrote.
        assert_eq!(out.replace(JOINER, ""), md);
        // Ordinary code is untouched.
        assert_eq!(make_inert("`a $= b` and `x = 1`"), "`a $= b` and `x = 1`");
    }

    #[test]
    fn script_links_lose_their_target_and_keep_their_words() {
        let md = "[a](javascript:alert(1)) [![pic](data:image/svg+xml,x)](VbScript:x) \
                  <javascript:alert(2)> [r][bad] [ok](https://ok.test/)\n\n[bad]: JavaScript:x\n";
        let out = make_inert(md);
        assert!(!out.to_lowercase().contains("script:a"), "{out}");
        assert!(
            !out.contains("](data:") && !out.contains("](VbScript"),
            "{out}"
        );
        assert!(!out.contains("]: Java"), "{out}");
        assert!(
            out.contains("[a]()") && out.contains("[![pic]()]()"),
            "{out}"
        );
        assert!(out.contains("javascript\\:alert\\(2\\)"), "{out}");
        assert!(out.contains("[ok](https://ok.test/)"), "{out}");
    }
}
