//! Steps 2 and 4: ammonia sanitises, html5ever parses, htmd converts with
//! lore's handlers. Code goes into a stash behind placeholders so that the
//! post-pass can escape prose without touching code.

use super::*;

pub(super) struct CodeBlock {
    pub(super) lang: Option<String>,
    pub(super) text: String,
}

/// Per-conversion state the handlers share (they must be `Send + Sync`, so
/// it lives in a thread local rather than in the converter).
#[derive(Default)]
pub(super) struct Stash {
    pub(super) base: Option<BaseUrl>,
    pub(super) blocks: Vec<CodeBlock>,
    pub(super) spans: Vec<String>,
    /// Above 0 while converting the inside of `<pre>` or `<code>`, where
    /// any markup html5ever left (reopened `<b>`, `<a>`, …) is just text.
    pub(super) in_code: usize,
    /// Above 0 while converting the inside of a `<pre>`.
    pub(super) in_pre: usize,
    /// The language the `<code>` inside the current `<pre>` announced.
    pub(super) code_lang: Option<String>,
    /// Tables being converted, nested ones included.
    pub(super) tables: usize,
    /// Above 0 while converting the inside of `<video>`/`<audio>`.
    pub(super) in_media: usize,
}

impl Stash {
    /// Ready for the next conversion (keeping the vectors' capacity).
    pub(super) fn reset(&mut self, base: Option<BaseUrl>) {
        let mut blocks = std::mem::take(&mut self.blocks);
        let mut spans = std::mem::take(&mut self.spans);
        blocks.clear();
        spans.clear();
        *self = Stash {
            base,
            blocks,
            spans,
            ..Stash::default()
        };
    }
}

thread_local! {
    pub(super) static STASH: RefCell<Stash> = RefCell::new(Stash::default());
    pub(super) static CONVERTER: HtmlToMarkdown = build_converter();
}

pub(super) fn with_stash<T>(f: impl FnOnce(&mut Stash) -> T) -> T {
    STASH.with(|s| f(&mut s.borrow_mut()))
}

pub(super) fn convert(html: &str, base: Option<BaseUrl>) -> String {
    with_stash(|s| s.reset(base));
    let markdown = CONVERTER.with(|converter| {
        let safe = SANITISER.with(|sanitiser| sanitiser.clean(html).to_string());
        let tree = converter.html_to_tree(&safe).ok()?;
        cap_depth(&tree);
        merge_inline_runs(&tree);
        Some(converter.tree_to_markdown(&tree))
    });
    let out = STASH.with(|s| finish(&markdown.unwrap_or_default(), &s.borrow()));
    with_stash(|s| s.reset(None));
    out
}

thread_local! {
    /// ammonia, allowing what the converter reads and nothing that acts:
    /// its defaults plus embeds (which become links) and the `class` that
    /// carries a code block's language. Relative URLs pass through; they are
    /// resolved against the item's base afterwards.
    pub(super) static SANITISER: ammonia::Builder<'static> = {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["iframe", "video", "audio", "source", "figure", "figcaption", "picture"])
            .add_tags(["pre", "code", "listing", "xmp"])
            .add_tag_attributes("iframe", ["src", "title"])
            .add_tag_attributes("video", ["src", "title"])
            .add_tag_attributes("audio", ["src", "title"])
            .add_tag_attributes("source", ["src", "title"])
            .add_tag_attributes("pre", ["class"])
            .add_tag_attributes("code", ["class"])
            .add_tag_attributes("img", ["data-src", "data-lazy-src", "data-original"])
            .link_rel(None);
        builder
    };
}

pub(super) fn build_converter() -> HtmlToMarkdown {
    let options = Options {
        bullet_list_marker: BulletListMarker::Dash,
        ul_bullet_spacing: 1,
        ol_number_spacing: 1,
        br_style: BrStyle::Backslash,
        hr_style: HrStyle::Dashes,
        ..Options::default()
    };
    HtmlToMarkdown::builder()
        .options(options)
        .scripting_enabled(true)
        .add_handler(
            vec![
                "script", "style", "noscript", "template", "object", "embed", "applet", "form",
                "input", "button", "select", "option", "optgroup", "datalist", "textarea", "svg",
                "canvas", "head", "title", "meta", "link", "base", "frame", "frameset", "noframes",
                "noembed", "param", "portal", "track",
            ],
            |_: &dyn Handlers, _: Element| None,
        )
        .add_handler(vec!["pre", "listing", "xmp"], pre_handler)
        .add_handler(vec!["code", "kbd", "samp", "tt"], code_handler)
        .add_handler(vec!["b", "strong", "i", "em"], emphasis_handler)
        .add_handler(vec!["table"], table_handler)
        .add_handler(vec!["tr"], row_handler)
        .add_handler(vec!["td", "th"], cell_handler)
        .add_handler(vec!["caption"], caption_handler)
        .add_handler(vec!["img"], img_handler)
        .add_handler(vec!["a"], anchor_handler)
        .add_handler(vec!["iframe"], iframe_handler)
        .add_handler(vec!["video", "audio"], media_handler)
        .add_handler(vec!["source"], source_handler)
        .add_handler(vec!["figcaption"], figcaption_handler)
        .add_handler(vec!["h1", "h2", "h3", "h4", "h5", "h6"], heading_handler)
        .add_handler(vec!["del", "s", "strike"], strike_handler)
        .build()
}

pub(super) fn attr<'a>(element: &'a Element<'_>, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

pub(super) fn block(content: &str) -> Option<HandlerResult> {
    Some(format!("\n\n{content}\n\n").into())
}

pub(super) fn in_code() -> bool {
    with_stash(|s| s.in_code > 0)
}

/// The text of a code element's content: inside `<pre>`/`<code>` htmd
/// passes text through verbatim, and our handlers keep markup as text.
pub(super) fn code_text(handlers: &dyn Handlers, element: &Element, pre: bool) -> String {
    with_stash(|s| {
        s.in_code += 1;
        s.in_pre += usize::from(pre);
    });
    let text = handlers.walk_children(element.node).content;
    with_stash(|s| {
        s.in_code -= 1;
        s.in_pre -= usize::from(pre);
    });
    // Marks from markup inside the code (a `<pre>` start, table cells)
    // mean nothing there.
    match strip_marks(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(stripped) => stripped,
    }
}

pub(super) fn language_in_class(element: &Element) -> Option<String> {
    attr(element, "class")?
        .split_ascii_whitespace()
        .find_map(|t| t.strip_prefix("language-").and_then(clean_language))
}

pub(super) fn pre_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let outer_lang = with_stash(|s| s.code_lang.take());
    let text = code_text(handlers, &element, true);
    let inner_lang = with_stash(|s| std::mem::replace(&mut s.code_lang, outer_lang));
    if in_code() {
        // A `<pre>` inside code: its text is part of the outer code.
        return Some(text.into());
    }
    let text = text.trim_start_matches(['\n', '\r']).trim_end();
    if text.is_empty() {
        return None;
    }
    let lang = inner_lang.or_else(|| language_in_class(&element));
    let id = with_stash(|s| {
        s.blocks.push(CodeBlock {
            lang,
            text: text.to_string(),
        });
        s.blocks.len() - 1
    });
    block(&format!("{BLOCK_OPEN}{id}{BLOCK_CLOSE}"))
}

pub(super) fn code_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inside_pre = with_stash(|s| s.in_pre > 0);
    if inside_pre {
        // The `<code>` of a code block: its language, and its text as is.
        if let Some(lang) = language_in_class(&element) {
            with_stash(|s| {
                s.code_lang.get_or_insert(lang);
            });
        }
        return Some(code_text(handlers, &element, false).into());
    }
    if in_code() {
        return Some(code_text(handlers, &element, false).into());
    }
    let text = code_text(handlers, &element, false).replace(['\n', '\r'], " ");
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return None;
    }
    if is_dangerous_code(text) {
        // Code spans cannot escape anything: this one becomes plain text.
        return Some(escape_inline(text).into());
    }
    let span = code_span(text);
    let id = with_stash(|s| {
        s.spans.push(span);
        s.spans.len() - 1
    });
    Some(format!("{SPAN_OPEN}{id}{SPAN_CLOSE}").into())
}

/// htmd's own emphasis, except inside code, where it is just text.
pub(super) fn emphasis_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return Some(handlers.walk_children(element.node));
    }
    handlers.fallback(element)
}

/// Text that must not appear even inside an inline code span.
pub(super) fn is_dangerous_code(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("javascript:") || lower.contains("vbscript:") {
        return true;
    }
    let tags = [
        "<script", "<iframe", "<object", "<embed", "<style", "<form", "<frame", "<svg", "<math",
        "<base", "<meta", "<link",
    ];
    if tags.iter().any(|t| lower.contains(t)) {
        return true;
    }
    // A tag carrying an event handler: `<img src=x onerror=…>`.
    let looks_like_tag = lower
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && w[1].is_ascii_alphabetic());
    looks_like_tag && has_event_handler(&lower)
}

pub(super) fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    (0..bytes.len())
        .any(|i| (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && handler_len(&bytes[i..]) > 0)
}

/// `text` as a code span, with a delimiter unlike any backtick run in it and
/// padding where CommonMark needs it.
pub(super) fn code_span(text: &str) -> String {
    let mut runs = Vec::new();
    let mut run = 0usize;
    for c in text.chars() {
        if c == '`' {
            run += 1;
        } else if run > 0 {
            runs.push(run);
            run = 0;
        }
    }
    if run > 0 {
        runs.push(run);
    }
    let len = (1..).find(|n| !runs.contains(n)).unwrap_or(1);
    let fence = "`".repeat(len);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Escapes text for use inside link text, alt text or a paragraph; `<`, `&`
/// and the Obsidian syntax are left to [`finish`], which sees all prose.
pub(super) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last_space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

/// Collapses whitespace (newlines and hard breaks included) to single spaces.
pub(super) fn one_line(text: &str) -> String {
    let text = text.replace("\\\n", " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// Tables: cells and rows come back from their handlers behind marks, and
// the table handler, which gets its content last, lays them out.

pub(super) fn table_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let nested = with_stash(|s| {
        s.tables += 1;
        s.tables > 1
    });
    let content = handlers.walk_children(element.node).content;
    with_stash(|s| s.tables -= 1);
    let (caption, rows) = parse_table(&content);
    if nested {
        // A table in a table becomes text: GFM cells hold one line.
        let mut text = caption.unwrap_or_default();
        for cell in rows.iter().flatten() {
            text.push(' ');
            text.push_str(cell);
        }
        return Some(format!(" {} ", one_line(&text)).into());
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = String::from("\n\n");
    if let Some(caption) = caption {
        let caption = one_line(&caption);
        if !caption.is_empty() {
            out.push_str(&caption);
            out.push_str("\n\n");
        }
    }
    if columns <= 1 {
        // A layout table (one column): its content, block after block.
        for cell in rows.iter().flatten() {
            let cell = cell.trim_matches('\n');
            if !cell.trim().is_empty() {
                out.push_str(cell);
                out.push_str("\n\n");
            }
        }
        return Some(out.into());
    }
    // GFM needs a header row: the first row is it (usually the `<thead>`
    // one; keeping the rows in order matters more than finding `<th>`s).
    with_stash(|stash| {
        for (index, row) in rows.iter().enumerate() {
            push_row(&mut out, row, columns, stash);
            if index == 0 {
                out.push('|');
                for _ in 0..columns {
                    out.push_str(" --- |");
                }
                out.push('\n');
            }
        }
    });
    out.push('\n');
    Some(out.into())
}

/// Reads back what the caption, row and cell handlers marked: the caption,
/// and the rows as lists of cell contents (colspans as empty cells).
pub(super) fn parse_table(content: &str) -> (Option<String>, Vec<Vec<String>>) {
    let caption = content.split_once(CAPTION_OPEN).map(|(_, after)| {
        after
            .split_once(CAPTION_CLOSE)
            .map_or(after, |(caption, _)| caption)
            .to_string()
    });
    let mut rows = Vec::new();
    for row_text in content.split(ROW).skip(1) {
        let mut cells = Vec::new();
        for cell_text in row_text.split(CELL).skip(1) {
            let (span, cell) = cell_text.split_once(':').unwrap_or(("1", cell_text));
            // A caption after the rows is not part of the last cell.
            let cell = cell.split(CAPTION_OPEN).next().unwrap_or_default();
            cells.push(cell.to_string());
            let span = span.parse::<usize>().unwrap_or(1).clamp(1, 32);
            cells.extend(std::iter::repeat_n(String::new(), span - 1));
        }
        if !cells.is_empty() {
            rows.push(cells);
        }
    }
    (caption, rows)
}

pub(super) fn row_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    Some(format!("{ROW}{content}").into())
}

pub(super) fn cell_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    let span = attr(&element, "colspan")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 32);
    Some(format!("{CELL}{span}:{content}").into())
}

pub(super) fn caption_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    Some(format!("{CAPTION_OPEN}{content}{CAPTION_CLOSE}").into())
}

pub(super) fn push_row(out: &mut String, cells: &[String], columns: usize, stash: &mut Stash) {
    out.push('|');
    for index in 0..columns {
        let cell = cells
            .get(index)
            .map(|c| cell_text(c, stash))
            .unwrap_or_default();
        out.push(' ');
        out.push_str(&cell);
        if !cell.is_empty() {
            out.push(' ');
        }
        out.push('|');
    }
    out.push('\n');
}

/// A cell's markdown on one line, pipes escaped, code blocks made spans.
pub(super) fn cell_text(markdown: &str, stash: &mut Stash) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find([BLOCK_OPEN, SPAN_OPEN]) {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let is_block = after.starts_with(BLOCK_OPEN);
        let close = if is_block { BLOCK_CLOSE } else { SPAN_CLOSE };
        let open_len = BLOCK_OPEN.len_utf8();
        let Some(end) = after.find(close) else {
            rest = &after[open_len..];
            continue;
        };
        let id = after[open_len..end].parse::<usize>().ok();
        rest = &after[end + close.len_utf8()..];
        let span = if is_block {
            let Some(code) = id.and_then(|i| stash.blocks.get(i)) else {
                continue;
            };
            let code = one_line(&code.text);
            if is_dangerous_code(&code) {
                // Plain text, escaped with the rest of the row.
                text.push_str(&escape_inline(&code));
                continue;
            }
            Some(code_span(&code))
        } else {
            id.and_then(|i| stash.spans.get(i)).cloned()
        };
        if let Some(span) = span {
            // Inside a table even a code span needs `\|`.
            stash.spans.push(span.replace('|', "\\|"));
            let _ = write!(text, "{SPAN_OPEN}{}{SPAN_CLOSE}", stash.spans.len() - 1);
        }
    }
    text.push_str(rest);
    let line = one_line(&text);
    let mut out = String::with_capacity(line.len());
    let mut escaped = false;
    for c in line.chars() {
        if c == '|' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

pub(super) fn base_url() -> Option<BaseUrl> {
    with_stash(|s| s.base.clone())
}

pub(super) fn img_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return None;
    }
    let src = ["src", "data-src", "data-lazy-src", "data-original"]
        .iter()
        .filter_map(|name| attr(&element, name))
        .find(|v| !v.trim().is_empty() && !v.trim_start().starts_with("data:"))?;
    let url = resolve_url(src, base_url().as_ref(), false)?;
    let alt = attr(&element, "alt").map(escape_inline).unwrap_or_default();
    Some(format!("![{alt}]({})", markdown_url(&url)).into())
}

pub(super) fn anchor_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if in_code() {
        return Some(content.into());
    }
    let text = if content.contains('\n') {
        one_line(&content)
    } else {
        content.trim().to_string()
    };
    if text.is_empty() {
        // Heading anchors (`<a href="#why"></a>`) and empty links vanish.
        return None;
    }
    let url = attr(&element, "href").and_then(|href| resolve_url(href, base_url().as_ref(), true));
    let Some(url) = url else {
        return Some(text.into());
    };
    // Keep the spaces around the link text outside it.
    let (lead, trail) = edge_spaces(&content);
    Some(format!("{lead}[{text}]({}){trail}", markdown_url(&url)).into())
}

/// The canonical page of an embed, and a label for it.
pub(super) fn embed_link(src: &str, title: Option<&str>) -> Option<(String, String)> {
    let url = resolve_url(src, base_url().as_ref(), false)?;
    let lower = url.to_ascii_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host_end = without_scheme
        .find(['/', '?', '#'])
        .unwrap_or(without_scheme.len());
    let host = without_scheme[..host_end].trim_start_matches("www.");
    // Work on the original case for ids (YouTube ids are case-sensitive).
    let offset = url.len() - without_scheme.len() + host_end;
    let path = url.get(offset..).unwrap_or("");
    let path_only = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path_only.split('/').filter(|s| !s.is_empty()).collect();
    let valid_id = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let (canonical, default_label) = match host {
        "youtube.com" | "youtube-nocookie.com" | "m.youtube.com" => match segments.as_slice() {
            ["embed" | "v", id, ..] if valid_id(id) => (
                format!("https://www.youtube.com/watch?v={id}"),
                "YouTube video".to_string(),
            ),
            _ => (url.clone(), "YouTube video".to_string()),
        },
        "player.vimeo.com" => match segments.as_slice() {
            ["video", id, ..] if valid_id(id) => {
                (format!("https://vimeo.com/{id}"), "Vimeo video".to_string())
            }
            _ => (url.clone(), "Vimeo video".to_string()),
        },
        "gist.github.com" => (
            url.trim_end_matches(".pibb")
                .trim_end_matches(".js")
                .to_string(),
            "GitHub gist".to_string(),
        ),
        "platform.twitter.com" | "twitter.com" | "x.com" => {
            let id = path
                .split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("id="))
                .filter(|id| id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty());
            match id {
                Some(id) => (
                    format!("https://twitter.com/i/status/{id}"),
                    "Tweet".to_string(),
                ),
                None => (url.clone(), "Tweet".to_string()),
            }
        }
        "codepen.io" => match segments.as_slice() {
            [user, "embed", rest @ ..] => {
                let id = rest.iter().rev().find(|s| valid_id(s));
                match id {
                    Some(id) => (
                        format!("https://codepen.io/{user}/pen/{id}"),
                        "CodePen".to_string(),
                    ),
                    None => (url.clone(), "CodePen".to_string()),
                }
            }
            _ => (url.clone(), "CodePen".to_string()),
        },
        _ => (
            url.clone(),
            escape_inline(&format!("Embedded content ({host})")),
        ),
    };
    let label = title
        .map(escape_inline)
        .filter(|t| !t.is_empty())
        .unwrap_or(default_label);
    Some((canonical, label))
}

pub(super) fn iframe_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return None;
    }
    let src = attr(&element, "src")?;
    let (url, label) = embed_link(src, attr(&element, "title"))?;
    block(&format!("[{label}]({})", markdown_url(&url)))
}

pub(super) fn media_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    // Its own `src`, else the first `<source>` inside (whose handler marks
    // its URL); the fallback text inside is for browsers without video.
    with_stash(|s| s.in_media += 1);
    let content = handlers.walk_children(element.node).content;
    with_stash(|s| s.in_media -= 1);
    if in_code() {
        return None;
    }
    let src = attr(&element, "src").map(str::to_string).or_else(|| {
        let start = content.find(MEDIA_OPEN)? + MEDIA_OPEN.len_utf8();
        let end = content[start..].find(MEDIA_CLOSE)? + start;
        Some(content[start..end].to_string())
    })?;
    let url = resolve_url(&src, base_url().as_ref(), false)?;
    let label = attr(&element, "title")
        .map(escape_inline)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            if element.tag == "video" {
                "Video"
            } else {
                "Audio"
            }
            .to_string()
        });
    block(&format!("[{label}]({})", markdown_url(&url)))
}

pub(super) fn source_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let src = attr(&element, "src")?;
    with_stash(|s| s.in_media > 0).then(|| format!("{MEDIA_OPEN}{src}{MEDIA_CLOSE}").into())
}

pub(super) fn figcaption_handler(
    handlers: &dyn Handlers,
    element: Element,
) -> Option<HandlerResult> {
    let content = one_line(&handlers.walk_children(element.node).content);
    if content.is_empty() {
        return None;
    }
    let mark = if content.starts_with('*') || content.ends_with('*') {
        '_'
    } else {
        '*'
    };
    block(&format!("{mark}{content}{mark}"))
}

pub(super) fn heading_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if in_code() {
        return Some(content.into());
    }
    let level = element
        .tag
        .strip_prefix('h')
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(2)
        .clamp(1, 6);
    let content = one_line(&content);
    if content.is_empty() {
        return None;
    }
    block(&format!("{} {content}", "#".repeat(level)))
}

/// A space for each end of `content` that has white space, so it can stay
/// outside the markdown markers (`[ text ]` and `~~ x ~~` do not parse).
pub(super) fn edge_spaces(content: &str) -> (&'static str, &'static str) {
    let space = |yes: bool| if yes { " " } else { "" };
    (
        space(content.starts_with(char::is_whitespace)),
        space(content.ends_with(char::is_whitespace)),
    )
}

pub(super) fn strike_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let trimmed = content.trim();
    if in_code() || trimmed.is_empty() {
        return Some(content.into());
    }
    let (lead, trail) = edge_spaces(&content);
    Some(format!("{lead}~~{trimmed}~~{trail}").into())
}
