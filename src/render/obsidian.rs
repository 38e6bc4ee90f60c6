//! Obsidian's own syntax in a person's notes, as Obsidian shows it:
//! `%%comments%%` removed, `==highlights==` as `<mark>`, callouts
//! (`> [!warning] Title`, folded with `-` or `+`), math as MathML written
//! at build time. Notes from feeds never come here: what ingest made
//! inert stays text (`markdown::Links::own`).

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use super::highlight::escape;

/// The markdown without `%%comments%%` outside code. Line breaks inside a
/// comment stay, so every line keeps its number for `lore check`.
pub fn strip_comments(markdown: &str) -> std::borrow::Cow<'_, str> {
    if !markdown.contains("%%") {
        return markdown.into();
    }
    let mut out = String::with_capacity(markdown.len());
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !in_comment {
            if let Some(marker) = &fence {
                if trimmed.starts_with(marker.as_str()) {
                    fence = None;
                }
                out.push_str(line);
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let c = trimmed.chars().next().unwrap_or('`');
                let n = trimmed.chars().take_while(|&x| x == c).count();
                fence = Some(c.to_string().repeat(n));
                out.push_str(line);
                continue;
            }
        }
        in_comment = strip_line(line, in_comment, &mut out);
    }
    out.into()
}

/// One line with its comments removed (inline code kept); returns whether
/// a comment is still open at its end.
fn strip_line(line: &str, mut in_comment: bool, out: &mut String) -> bool {
    let mut rest = line;
    while !rest.is_empty() {
        if in_comment {
            match rest.find("%%") {
                Some(at) => {
                    rest = &rest[at + 2..];
                    in_comment = false;
                }
                None => {
                    if rest.ends_with('\n') {
                        out.push('\n');
                    }
                    return true;
                }
            }
            continue;
        }
        let comment = rest.find("%%");
        let code = rest.find('`');
        match (comment, code) {
            (Some(c), Some(b)) if b < c => {
                // Copy the code span whole: `%%` inside it is code.
                let ticks = rest[b..].chars().take_while(|&x| x == '`').count();
                let marker = &rest[b..b + ticks];
                let end = rest[b + ticks..]
                    .find(marker)
                    .map_or(rest.len(), |e| b + ticks + e + ticks);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            (Some(c), _) => {
                out.push_str(&rest[..c]);
                rest = &rest[c + 2..];
                in_comment = true;
            }
            (None, _) => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    in_comment
}

/// `==text==` pairs within one run of text become `<mark>`. Only text
/// written as is counts (`escaped` holds the indices of text events
/// written with escapes: `\=\=` stays two signs), and both marks must be
/// at the same depth of emphasis, so the HTML nests.
pub fn highlights(events: &mut Vec<Event<'_>>, escaped: &[usize]) {
    // (event index, byte offset in its text, inline depth)
    let mut marks: Vec<(usize, usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut pairs: Vec<((usize, usize), (usize, usize))> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(tag) if is_inline(tag) => depth += 1,
            Event::End(tag) if is_inline_end(tag) => {
                depth = depth.saturating_sub(1);
                // A mark left open inside the closed span stays text: a
                // `<mark>` may not cross it. So the stack's depths only
                // grow, one open mark per depth at most.
                while marks.last().is_some_and(|m| m.2 > depth) {
                    marks.pop();
                }
            }
            Event::Start(_) | Event::End(_) => {
                // A block boundary: unmatched marks stay text.
                marks.clear();
                depth = 0;
            }
            Event::Text(text) if !escaped.contains(&i) => {
                let mut from = 0;
                while let Some(at) = text[from..].find("==") {
                    let at = from + at;
                    if let Some(pos) = marks.iter().rposition(|m| m.2 == depth) {
                        let open = marks.remove(pos);
                        marks.truncate(pos);
                        pairs.push(((open.0, open.1), (i, at)));
                    } else {
                        marks.push((i, at, depth));
                    }
                    from = at + 2;
                }
            }
            _ => {}
        }
    }
    if pairs.is_empty() {
        return;
    }
    // Split each text at its marks, last event first so indices hold.
    let mut cuts: Vec<(usize, usize, &str)> = Vec::new();
    for (open, close) in pairs {
        cuts.push((open.0, open.1, "<mark>"));
        cuts.push((close.0, close.1, "</mark>"));
    }
    cuts.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut i = 0;
    while i < cuts.len() {
        let index = cuts[i].0;
        let mut at_this: Vec<(usize, &str)> = Vec::new();
        while i < cuts.len() && cuts[i].0 == index {
            at_this.push((cuts[i].1, cuts[i].2));
            i += 1;
        }
        at_this.reverse();
        let Event::Text(text) = &events[index] else {
            continue;
        };
        let text = text.to_string();
        let mut pieces: Vec<Event<'_>> = Vec::new();
        let mut from = 0;
        for (at, tag) in at_this {
            if at > from {
                pieces.push(Event::Text(text[from..at].to_string().into()));
            }
            pieces.push(Event::Html(CowStr::from(tag)));
            from = at + 2;
        }
        if from < text.len() {
            pieces.push(Event::Text(text[from..].to_string().into()));
        }
        events.splice(index..index + 1, pieces);
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    ) || matches!(tag, Tag::Superscript | Tag::Subscript)
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Callout types Obsidian knows, each with the aliases it accepts; the
/// first name is the one the page's class uses.
const CALLOUTS: &[&[&str]] = &[
    &["note"],
    &["abstract", "summary", "tldr"],
    &["info"],
    &["todo"],
    &["tip", "hint", "important"],
    &["success", "check", "done"],
    &["question", "help", "faq"],
    &["warning", "caution", "attention"],
    &["failure", "fail", "missing"],
    &["danger", "error"],
    &["bug"],
    &["example"],
    &["quote", "cite"],
];

/// The class a callout type is drawn with: its family's first name, else
/// `note` (an unknown type looks like a note, keeping its own title).
fn callout_class(kind: &str) -> &'static str {
    let kind = kind.to_ascii_lowercase();
    CALLOUTS
        .iter()
        .find(|names| names.contains(&kind.as_str()))
        .map_or("note", |names| names[0])
}

/// How a blockquote opened: a plain one, or a callout (closed by a `</div>`
/// or, folded, a `</details>`).
enum Quote {
    Plain,
    Callout { folds: bool },
}

/// Blockquotes that start with `[!type]` become callouts: a title (the
/// rest of the first line, else the type) and a body; `-` folds them shut
/// and `+` open, as `<details>`.
pub fn callouts(events: &mut Vec<Event<'_>>) {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len() + 8);
    let mut quotes: Vec<Quote> = Vec::new();
    let mut rest = std::mem::take(events).into_iter().peekable();
    while let Some(event) = rest.next() {
        match event {
            Event::Start(Tag::BlockQuote(kind)) => {
                // Look at the first paragraph's leading text.
                let mut ahead: Vec<Event<'_>> = Vec::new();
                if matches!(rest.peek(), Some(Event::Start(Tag::Paragraph))) {
                    ahead.extend(rest.next());
                    while let Some(Event::Text(_)) = rest.peek() {
                        ahead.extend(rest.next());
                    }
                }
                let lead: String = ahead
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let marker = match kind {
                    Some(gfm) => Some((gfm_name(gfm).to_string(), None, String::new())),
                    None => parse_marker(&lead),
                };
                let Some((name, fold, title_start)) = marker else {
                    quotes.push(Quote::Plain);
                    out.push(Event::Start(Tag::BlockQuote(None)));
                    out.extend(ahead);
                    continue;
                };
                let folds = fold.is_some();
                quotes.push(Quote::Callout { folds });
                let class = callout_class(&name);
                let (outer, title_tag) = if folds {
                    ("details", "summary")
                } else {
                    ("div", "p")
                };
                let open_attr = if fold == Some('+') { " open" } else { "" };
                out.push(Event::Html(
                    format!(
                        "<{outer} class=\"callout callout-{class}\" data-callout=\"{}\"{open_attr}>\n<{title_tag} class=\"callout-title\">",
                        escape(&name.to_ascii_lowercase())
                    )
                    .into(),
                ));
                // The title: the rest of the first line, else the type.
                let mut title: Vec<Event<'_>> = Vec::new();
                if !title_start.trim().is_empty() {
                    title.push(Event::Text(title_start.trim().to_string().into()));
                }
                let first_paragraph = kind.is_none() && !ahead.is_empty();
                let mut body_starts_paragraph = false;
                // A GFM alert's marker was taken by the parser: all it
                // holds is body.
                let body = if first_paragraph { Vec::new() } else { ahead };
                if first_paragraph {
                    while let Some(next) = rest.peek() {
                        match next {
                            Event::SoftBreak | Event::HardBreak => {
                                rest.next();
                                body_starts_paragraph = true;
                                break;
                            }
                            Event::End(TagEnd::Paragraph) => {
                                rest.next();
                                break;
                            }
                            _ => title.extend(rest.next()),
                        }
                    }
                }
                if title.is_empty() {
                    title.push(Event::Text(default_title(&name).into()));
                }
                out.extend(title);
                out.push(Event::Html(
                    format!("</{title_tag}>\n<div class=\"callout-body\">\n").into(),
                ));
                if body_starts_paragraph {
                    out.push(Event::Start(Tag::Paragraph));
                }
                out.extend(body);
            }
            Event::End(TagEnd::BlockQuote(kind)) => match quotes.pop() {
                Some(Quote::Callout { folds }) => {
                    let outer = if folds { "details" } else { "div" };
                    out.push(Event::Html(format!("</div>\n</{outer}>\n").into()));
                }
                _ => out.push(Event::End(TagEnd::BlockQuote(kind.and(None)))),
            },
            other => out.push(other),
        }
    }
    *events = out;
}

fn gfm_name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// `[!type]`, an optional fold sign and the title's start, from the text
/// a blockquote opens with.
fn parse_marker(lead: &str) -> Option<(String, Option<char>, String)> {
    let rest = lead.trim_start().strip_prefix("[!")?;
    let end = rest.find(']')?;
    let name = &rest[..end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let after = &rest[end + 1..];
    let fold = after.chars().next().filter(|c| *c == '-' || *c == '+');
    let title = &after[fold.map_or(0, |_| 1)..];
    Some((name.to_string(), fold, title.to_string()))
}

/// "faq" → "Faq": Obsidian's title for a callout that gives none.
fn default_title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// TeX math as MathML, with the TeX kept as an annotation (copying the
/// formula copies its source). A formula that does not parse shows its
/// errors in place, as Obsidian's MathJax does.
pub fn math(tex: &str, display: bool) -> String {
    use pulldown_latex::config::DisplayMode;
    use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};
    let storage = Storage::new();
    let parser = Parser::new(tex, &storage)
        .map(|event| event.map_err(|error| EscapedError(escape(&error.to_string()))));
    // The renderer writes the annotation as it is given.
    let source = escape(tex);
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(&source),
        ..RenderConfig::default()
    };
    let mut out = String::new();
    if push_mathml(&mut out, parser, config).is_err() {
        return format!("<code class=\"math-error\">{}</code>", escape(tex));
    }
    out
}

/// A formula's parse error, its text HTML-escaped: pulldown-latex writes
/// an error's text into the page as it is, and the text quotes the TeX.
#[derive(Debug)]
struct EscapedError(String);

impl std::fmt::Display for EscapedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EscapedError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_and_code_keeps_its_percent_signs() {
        assert_eq!(strip_comments("a %%x%% b"), "a  b");
        assert_eq!(
            strip_comments("a\n%%\nhidden\nlines\n%%\nb\n"),
            "a\n\n\n\n\nb\n"
        );
        assert_eq!(strip_comments("`%%kept%%` %%gone%%"), "`%%kept%%` ");
        assert_eq!(
            strip_comments("```\n%% code %%\n```\n%%x%%"),
            "```\n%% code %%\n```\n"
        );
        assert_eq!(strip_comments("100%% sure"), "100");
    }

    #[test]
    fn callout_markers_are_read() {
        assert_eq!(
            parse_marker("[!warning]- Careful"),
            Some(("warning".into(), Some('-'), " Careful".into()))
        );
        assert_eq!(parse_marker("[!x y]"), None);
        assert_eq!(parse_marker("not [!note]"), None);
        assert_eq!(callout_class("FAQ"), "question");
        assert_eq!(callout_class("custom"), "note");
    }

    #[test]
    fn math_becomes_mathml_and_text_stays_escaped() {
        let html = math("\\frac{a}{b}", true);
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains("display=\"block\""), "{html}");
        assert!(html.contains("<mfrac>"), "{html}");
        for hostile in [
            "\\text{<script>alert(1)</script>}",
            "x</math><img src=x onerror=alert(1)>",
            "\\unknown{</annotation><img src=x onerror=alert(1)>}",
            "\\frac{<b>",
            // An error's message quotes the formula (found by fuzzing).
            "a & <script>alert(1)</script>",
        ] {
            let html = math(hostile, false);
            assert!(
                !html.contains("<script") && !html.contains("<img"),
                "{html}"
            );
        }
    }
}
