//! Reading `llms.txt` and `llms-full.txt` text into posts.
//!
//! This module owns the llms.txt family of formats: telling such a document
//! apart from other text ([`sniff`]) and reading it into a [`LlmsDoc`]: the
//! `# Name`, the `> summary` and one [`LlmsPost`] per post ([`parse`]). It
//! does no I/O: the caller hands it already decoded text.
//!
//! Two shapes are read:
//!
//! * a plain `llms.txt` index (llmstxt.org): `# Name`, `> summary`, then
//!   `## Section` headings over lists of `- [name](url): notes` links. Each
//!   link becomes a post whose body is its notes;
//! * an `llms-full.txt` dump (no spec): the index, then every post as
//!   `## Title`, a `URL: …` line, an optional `Date: …` line and the post's
//!   markdown. When such posts are present they are the posts, and the index
//!   links are not.
//!
//! Some dumps arrive with every newline collapsed into one space, so the
//! whole file is a single line. Such a document (fewer than one newline per
//! [`COLLAPSED_CHARS_PER_NEWLINE`] bytes) is split on `## Title URL: http…`
//! headers, and each body gets its block structure back from the markers
//! that survived (headings, list items, block quotes, code fences, images,
//! thematic breaks); see [`recover_blocks`] for the heuristics. Everything is
//! linear in the input size and nothing here panics on any input.

use std::collections::HashMap;

/// One post found in an llms.txt / llms-full.txt document.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmsPost {
    pub title: String,
    pub url: Option<String>,
    /// The date as written in the document (not parsed).
    pub date: Option<String>,
    /// Markdown.
    pub body: String,
}

/// An llms.txt / llms-full.txt document.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmsDoc {
    /// The `# Name` heading.
    pub name: String,
    /// The `> summary` block quote under the name.
    pub summary: Option<String>,
    pub posts: Vec<LlmsPost>,
}

/// A document with fewer newlines than one per this many bytes had its
/// newlines collapsed into spaces and gets its block structure rebuilt.
const COLLAPSED_CHARS_PER_NEWLINE: usize = 2000;
/// Longest post title accepted before a ` URL:` line, in chars.
const MAX_TITLE_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 300;
const MAX_SUMMARY_CHARS: usize = 2000;
/// How far [`sniff`] looks for link sections or post headers.
const SNIFF_WINDOW: usize = 256 * 1024;
/// Longest `[text]` and `(destination)` of a link we treat as one unit.
const MAX_LINK_TEXT: usize = 2000;
const MAX_LINK_DEST: usize = 4000;
/// Longest inline code span (from opening to closing backticks).
const MAX_CODE_SPAN: usize = 1000;
/// How far a block quote that opens with a quotation mark looks for its close.
const MAX_QUOTE_SPAN: usize = 3000;
/// Longest distance between two list markers of one list, by marker kind.
const MAX_DASH_GAP: usize = 800;
const MAX_ITEM_GAP: usize = 2500;
/// A recovered heading never runs past this many words.
const MAX_HEADING_WORDS: usize = 20;

/// True when the text looks like an llms.txt / llms-full.txt document: it
/// starts (after an optional BOM and whitespace) with `# ` and has either
/// `## ` sections with `- [..](..)` link items or `URL: http…` post headers.
/// Front matter (`---`, `+++`), XML and JSON never start with `# `.
pub fn sniff(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace());
    if !text.starts_with("# ") {
        return false;
    }
    let window = &text[..floor_boundary(text, SNIFF_WINDOW)];
    has_post_header(window) || (has_marker(window, "## ") && has_link_item(window))
}

/// Reads an llms.txt / llms-full.txt document. Never fails: text that is not
/// such a document yields whatever name and posts could be found (often none).
pub fn parse(text: &str) -> LlmsDoc {
    let text = text
        .trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
        .trim_end();
    if text.is_empty() {
        return LlmsDoc {
            name: String::new(),
            summary: None,
            posts: Vec::new(),
        };
    }
    if is_collapsed(text) {
        parse_collapsed(text)
    } else {
        parse_lines(text)
    }
}

// ---------------------------------------------------------------------------
// Small helpers

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The largest char boundary at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// At most `max` chars of `s`.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// True when `needle` occurs at the start of `s` or right after whitespace.
fn has_marker(s: &str, needle: &str) -> bool {
    s.match_indices(needle)
        .any(|(i, _)| i == 0 || is_ws(s.as_bytes()[i - 1]))
}

fn has_post_header(s: &str) -> bool {
    s.match_indices("URL: ").any(|(i, _)| {
        (i == 0 || is_ws(s.as_bytes()[i - 1])) && {
            let rest = &s[i + 5..];
            rest.starts_with("http://") || rest.starts_with("https://")
        }
    })
}

fn has_link_item(s: &str) -> bool {
    (has_marker(s, "- [") || has_marker(s, "* [")) && s.contains("](")
}

fn is_collapsed(text: &str) -> bool {
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    newlines == 0 || newlines.saturating_mul(COLLAPSED_CHARS_PER_NEWLINE) < text.len()
}

/// Byte length of the run of non-whitespace at the start of `s`.
fn token_len(s: &str) -> usize {
    s.bytes().position(is_ws).unwrap_or(s.len())
}

/// A URL as written after `URL:` or inside `(…)`: plausible when it has no
/// quote, brace or backtick (those mean we are looking at code).
fn plausible_url(url: &str) -> bool {
    !url.is_empty() && !url.contains(['"', '\'', '`', '{', '}', '<', '>'])
}

/// Link destination: the first token inside `(…)`, `<…>` stripped.
fn link_destination(inner: &str) -> &str {
    let inner = inner.trim();
    if let Some(rest) = inner.strip_prefix('<') {
        return rest.split('>').next().unwrap_or(rest).trim();
    }
    &inner[..token_len(inner)]
}

/// Drops a trailing thematic break (the separator dumps put between posts).
fn strip_trailing_rule(body: &str) -> &str {
    let trimmed = body.trim_end();
    for rule in ["---", "***", "___"] {
        if let Some(rest) = trimmed.strip_suffix(rule)
            && (rest.is_empty() || rest.ends_with(char::is_whitespace))
        {
            return rest.trim_end();
        }
    }
    trimmed
}

/// Finds `needle` at or after a position, remembering the last answer so
/// that a sequence of queries with growing positions costs linear time.
struct NextFind<'a> {
    hay: &'a str,
    needle: &'static str,
    /// (query position, answer) of the last search.
    last: Option<(usize, Option<usize>)>,
}

impl<'a> NextFind<'a> {
    fn new(hay: &'a str, needle: &'static str) -> Self {
        NextFind {
            hay,
            needle,
            last: None,
        }
    }

    fn from(&mut self, pos: usize) -> Option<usize> {
        if let Some((from, answer)) = self.last
            && pos >= from
        {
            match answer {
                None => return None,
                Some(p) if p >= pos => return Some(p),
                Some(_) => {}
            }
        }
        let start = floor_boundary(self.hay, pos);
        let answer = self.hay[start..].find(self.needle).map(|r| r + start);
        self.last = Some((start, answer));
        answer
    }
}

/// Matching `[`/`]` and `(`/`)` pairs of a text, found with a stack in one
/// pass (a backslash escapes the next byte).
struct Pairs {
    brackets: HashMap<usize, usize>,
    parens: HashMap<usize, usize>,
}

impl Pairs {
    fn new(s: &str) -> Self {
        let mut brackets = HashMap::new();
        let mut parens = HashMap::new();
        let mut open_b = Vec::new();
        let mut open_p = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'[' => open_b.push(i),
                b']' => {
                    if let Some(o) = open_b.pop() {
                        brackets.insert(o, i);
                    }
                }
                b'(' => open_p.push(i),
                b')' => {
                    if let Some(o) = open_p.pop() {
                        parens.insert(o, i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Pairs { brackets, parens }
    }

    /// For a `[` at `i` that opens `[text](dest)`: the positions of `]` and `)`.
    fn link_at(&self, s: &str, i: usize) -> Option<(usize, usize)> {
        let close = *self.brackets.get(&i)?;
        if close - i > MAX_LINK_TEXT || s.as_bytes().get(close + 1) != Some(&b'(') {
            return None;
        }
        let end = *self.parens.get(&(close + 1))?;
        (end - close <= MAX_LINK_DEST).then_some((close, end))
    }
}

/// `[text](dest)` at the start of `s`, found by counting nesting (for one
/// line of a multi-line document). Returns text, destination and the byte
/// length of the whole link.
fn link_prefix(s: &str) -> Option<(&str, &str, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut depth = 0usize;
    let mut close = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let close = close?;
    if bytes.get(close + 1) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    let mut j = close + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((&s[1..close], &s[close + 2..j], j + 1));
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// Notes after a link item: `: notes` (or ` - notes`) → `notes`.
fn item_notes(after: &str) -> String {
    let after = after.trim();
    let after = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix("- "))
        .or_else(|| after.strip_prefix("— "))
        .unwrap_or(after);
    after.trim().to_string()
}

fn make_index_post(name: &str, dest: &str, notes: String) -> Option<LlmsPost> {
    let title = name.trim();
    let url = link_destination(dest);
    if title.is_empty() && url.is_empty() {
        return None;
    }
    Some(LlmsPost {
        title: title.to_string(),
        url: (!url.is_empty()).then(|| url.to_string()),
        date: None,
        body: notes,
    })
}

/// Splits `# Name > summary …` (the head of a document, possibly collapsed
/// onto one line) into name and summary.
fn split_head(head_line: &str, stops: &[&str]) -> (String, Option<String>) {
    let first_stop = |s: &str| {
        stops
            .iter()
            .filter_map(|stop| s.find(stop))
            .min()
            .unwrap_or(s.len())
    };
    let name_end = first_stop(head_line);
    let (name_part, rest) = match head_line.find(" > ") {
        Some(q) if q < name_end => (&head_line[..q], Some(&head_line[q + 3..])),
        _ => (&head_line[..name_end], None),
    };
    let name = truncate_chars(name_part.trim(), MAX_NAME_CHARS)
        .trim()
        .to_string();
    let summary = rest
        .map(|r| {
            let end = first_stop(r);
            truncate_chars(r[..end].trim(), MAX_SUMMARY_CHARS)
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty());
    (name, summary)
}

// ---------------------------------------------------------------------------
// Multi-line documents

fn parse_lines(text: &str) -> LlmsDoc {
    let lines: Vec<&str> = text.lines().collect();
    let mut idx = 0;
    while idx < lines.len() && lines[idx].trim().is_empty() {
        idx += 1;
    }
    let mut name = String::new();
    let mut summary = None;
    if let Some(first) = lines.get(idx).map(|l| l.trim())
        && let Some(head) = first.strip_prefix("# ")
    {
        let (n, inline_summary) = split_head(head, &[" ## ", " URL: "]);
        name = n;
        summary = inline_summary;
        idx += 1;
        if summary.is_none() {
            let mut k = idx;
            while k < lines.len() && lines[k].trim().is_empty() {
                k += 1;
            }
            let mut parts = Vec::new();
            while let Some(quoted) = lines.get(k).and_then(|l| l.trim().strip_prefix('>')) {
                parts.push(quoted.trim());
                k += 1;
            }
            let joined = parts.join(" ");
            let joined = truncate_chars(joined.trim(), MAX_SUMMARY_CHARS).trim();
            if !joined.is_empty() {
                summary = Some(joined.to_string());
            }
        }
    }

    struct Header {
        title_line: usize,
        body_line: usize,
        title: String,
        url: String,
        date: Option<String>,
    }
    let next_filled = |from: usize| {
        let mut k = from;
        while k < lines.len() && lines[k].trim().is_empty() {
            k += 1;
        }
        k
    };
    let mut headers: Vec<Header> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let Some(title) = line.strip_prefix("## ").map(str::trim) else {
            i += 1;
            continue;
        };
        let j = next_filled(i + 1);
        let url = lines
            .get(j)
            .and_then(|l| l.trim().strip_prefix("URL:"))
            .map(|v| link_destination(v.trim()));
        let Some(url) = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        else {
            i += 1;
            continue;
        };
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            i += 1;
            continue;
        }
        let k = next_filled(j + 1);
        let date = lines
            .get(k)
            .and_then(|l| l.trim().strip_prefix("Date:"))
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        let body_line = if date.is_some() { k + 1 } else { j + 1 };
        headers.push(Header {
            title_line: i,
            body_line,
            title: title.to_string(),
            url: url.to_string(),
            date,
        });
        i = body_line;
    }

    let posts = if headers.is_empty() {
        lines
            .iter()
            .filter_map(|line| {
                let t = line.trim_start();
                let rest = t
                    .strip_prefix("- ")
                    .or_else(|| t.strip_prefix("* "))
                    .or_else(|| t.strip_prefix("+ "))?;
                let (name, dest, len) = link_prefix(rest)?;
                make_index_post(name, dest, item_notes(&rest[len..]))
            })
            .collect()
    } else {
        headers
            .iter()
            .enumerate()
            .map(|(n, h)| {
                let end = headers
                    .get(n + 1)
                    .map_or(lines.len(), |next| next.title_line);
                let body = lines
                    .get(h.body_line.min(end)..end)
                    .map(|ls| ls.join("\n"))
                    .unwrap_or_default();
                LlmsPost {
                    title: h.title.clone(),
                    url: Some(h.url.clone()),
                    date: h.date.clone(),
                    body: strip_trailing_rule(body.trim()).trim().to_string(),
                }
            })
            .collect()
    };
    LlmsDoc {
        name,
        summary,
        posts,
    }
}

// ---------------------------------------------------------------------------
// Collapsed (single-line) documents

fn parse_collapsed(text: &str) -> LlmsDoc {
    let (name, summary) = match text.strip_prefix("# ") {
        Some(rest) => {
            let head = &rest[..floor_boundary(rest, 16 * 1024)];
            split_head(head, &[" ## ", " # ", " - [", " * [", " URL: "])
        }
        None => (String::new(), None),
    };
    let headers = collapsed_headers(text);
    let posts = if headers.is_empty() {
        collapsed_index(text)
    } else {
        headers
            .iter()
            .enumerate()
            .map(|(n, h)| {
                let end = headers
                    .get(n + 1)
                    .map_or(text.len(), |next| next.title_start);
                let raw = text.get(h.body_start..end).unwrap_or("");
                LlmsPost {
                    title: h.title.clone(),
                    url: Some(h.url.clone()),
                    date: h.date.clone(),
                    body: recover_blocks(raw),
                }
            })
            .collect()
    };
    LlmsDoc {
        name,
        summary,
        posts,
    }
}

struct CollapsedHeader {
    /// Where the `## ` of the title starts: the previous body ends here.
    title_start: usize,
    body_start: usize,
    title: String,
    url: String,
    date: Option<String>,
}

/// Every ` URL: http…` (optionally followed by ` Date: <token>`) preceded,
/// within [`MAX_TITLE_CHARS`], by a ` ## ` that starts its title.
fn collapsed_headers(text: &str) -> Vec<CollapsedHeader> {
    let bytes = text.as_bytes();
    let mut headers: Vec<CollapsedHeader> = Vec::new();
    let mut last_end = 0;
    let mut scanned_to = 0;
    let mut last_marker: Option<usize> = None;
    for (p, _) in text.match_indices("URL: ") {
        if p < last_end || (p > 0 && !is_ws(bytes[p - 1])) {
            continue;
        }
        let after = &text[p + 5..];
        if !(after.starts_with("http://") || after.starts_with("https://")) {
            continue;
        }
        let url_end = p + 5 + token_len(after);
        let url = &text[p + 5..url_end];
        if !plausible_url(url) {
            continue;
        }
        let mut body_start = url_end;
        let mut date = None;
        let rest = &text[url_end..];
        let rest_trimmed = rest.trim_start();
        if let Some(d) = rest_trimmed.strip_prefix("Date: ") {
            let d = d.trim_start();
            let len = token_len(d);
            if len > 0 {
                date = Some(d[..len].to_string());
                body_start = text.len() - d.len() + len;
            }
        }
        // The nearest `## ` (at the start or after whitespace) before `p`:
        // markers are scanned once, left to right, up to each `URL: `.
        for (m, _) in text[scanned_to..p].match_indices("## ") {
            let m = scanned_to + m;
            if m == 0 || is_ws(bytes[m - 1]) {
                last_marker = Some(m);
            }
        }
        scanned_to = p;
        let Some(title_start) = last_marker.filter(|&m| m >= last_end) else {
            continue;
        };
        if p - title_start > MAX_TITLE_CHARS * 4 + 4 {
            continue;
        }
        let title = text[title_start + 3..p].trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            continue;
        }
        headers.push(CollapsedHeader {
            title_start,
            body_start,
            title: title.to_string(),
            url: url.to_string(),
            date,
        });
        last_end = body_start;
    }
    headers
}

/// `- [name](url): notes` items of a collapsed llms.txt index.
fn collapsed_index(text: &str) -> Vec<LlmsPost> {
    let bytes = text.as_bytes();
    let pairs = Pairs::new(text);
    // (item marker, `[`, `]`, `)`) of each item.
    let mut items: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut i = 2;
    while i < bytes.len() {
        if bytes[i] == b'['
            && bytes[i - 1] == b' '
            && matches!(bytes[i - 2], b'-' | b'*' | b'+')
            && (i == 2 || is_ws(bytes[i - 3]))
            && let Some((close, end)) = pairs.link_at(text, i)
        {
            items.push((i - 2, i, close, end));
            i = end + 1;
            continue;
        }
        i += 1;
    }
    let mut sections = NextFind::new(text, " ## ");
    let mut titles = NextFind::new(text, " # ");
    let mut posts = Vec::new();
    for (n, &(_, open, close, end)) in items.iter().enumerate() {
        let after_start = end + 1;
        let mut after_end = items.get(n + 1).map_or(text.len(), |next| next.0);
        for stop in [sections.from(after_start), titles.from(after_start)]
            .into_iter()
            .flatten()
        {
            after_end = after_end.min(stop);
        }
        let after = text
            .get(after_start..after_end.max(after_start))
            .unwrap_or("");
        let name = &text[open + 1..close];
        let dest = &text[close + 2..end];
        let notes = item_notes(strip_trailing_rule(after));
        if let Some(post) = make_index_post(name, dest, notes) {
            posts.push(post);
        }
    }
    posts
}

// ---------------------------------------------------------------------------
// Block recovery for collapsed bodies

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ListKind {
    Dash,
    Star,
    Ordered,
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    /// Plain text.
    Text(usize, usize),
    /// An inline code span or a link: copied as is, never split.
    Verbatim(usize, usize),
    /// `![..](..)` or `[![..](..)](..)`.
    Image(usize, usize),
    /// A fenced code block: whole span, info string, code.
    Fence {
        span: (usize, usize),
        info: (usize, usize),
        code: (usize, usize),
    },
    /// `##`..`######` and the space after it.
    Heading { span: (usize, usize), level: usize },
    /// A list marker and the space after it; `accepted` once known to be
    /// part of a list of at least two items.
    Item {
        span: (usize, usize),
        kind: ListKind,
        num: u32,
        lower: bool,
        accepted: bool,
    },
    /// `>` and the space after it.
    Quote(usize, usize),
    /// `---`, `***` or `___`.
    Rule(usize, usize),
    /// A paragraph ends here (after a quotation that opened a block quote).
    ParaBreak(usize),
}

impl Tok {
    fn span(&self) -> (usize, usize) {
        match *self {
            Tok::Text(a, b)
            | Tok::Verbatim(a, b)
            | Tok::Image(a, b)
            | Tok::Quote(a, b)
            | Tok::Rule(a, b) => (a, b),
            Tok::Fence { span, .. } | Tok::Heading { span, .. } | Tok::Item { span, .. } => span,
            Tok::ParaBreak(a) => (a, a),
        }
    }

    /// Text-like tokens flow inside a paragraph or heading; the others are
    /// blocks (or block starts).
    fn is_inline(&self) -> bool {
        matches!(
            self,
            Tok::Text(..)
                | Tok::Verbatim(..)
                | Tok::Item {
                    accepted: false,
                    ..
                }
        )
    }
}

/// Backtick runs, with the next run of the same length (a code span's close)
/// and the next run of three or more (a fence's close).
struct Ticks {
    index: HashMap<usize, usize>,
    runs: Vec<(usize, usize)>,
    next_same: Vec<Option<usize>>,
    next_fence: Vec<Option<usize>>,
}

impl Ticks {
    fn new(s: &str) -> Self {
        let bytes = s.as_bytes();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'`' {
                let start = i;
                while i < bytes.len() && bytes[i] == b'`' {
                    i += 1;
                }
                runs.push((start, i - start));
            } else {
                i += 1;
            }
        }
        let mut next_same = vec![None; runs.len()];
        let mut next_fence = vec![None; runs.len()];
        let mut last_by_len: HashMap<usize, usize> = HashMap::new();
        let mut last_fence = None;
        for k in (0..runs.len()).rev() {
            let len = runs[k].1;
            next_same[k] = last_by_len.get(&len).copied();
            next_fence[k] = last_fence;
            last_by_len.insert(len, k);
            if len >= 3 {
                last_fence = Some(k);
            }
        }
        let index = runs.iter().enumerate().map(|(k, r)| (r.0, k)).collect();
        Ticks {
            index,
            runs,
            next_same,
            next_fence,
        }
    }
}

/// Rebuilds block structure in a body whose newlines were collapsed into
/// spaces. Deterministic and linear. The heuristics:
///
/// * `##`..`######` after a space and before text start a heading on its own
///   line, blank lines around; where the heading ends is guessed by
///   [`heading_end`];
/// * ` - `, ` * `, ` 1. ` start list items on their own lines, but only when
///   at least two markers of the same kind (consecutive numbers for ordered
///   lists) follow each other closely with no heading or fence between; a
///   pair of dash items must both start with a non-lowercase char, so prose
///   dashes stay;
/// * ` > ` starts a block quote line when it follows a sentence end, colon,
///   closing quote/emphasis or another `>`, or opens a quotation (`“`, `"`,
///   `_`); a quote that opens a quotation ends with that quotation;
/// * fenced code blocks get their own lines (a language word glued to the
///   fence is kept as the info string); the code stays on one line;
/// * images and linked images, and `---` rules, stand alone as blocks;
/// * inline code spans and links are copied as they are.
///
/// Text between blocks stays one paragraph: sentence ends alone are not
/// paragraph breaks (nothing in the text tells them apart).
fn recover_blocks(body: &str) -> String {
    let pairs = Pairs::new(body);
    let ticks = Ticks::new(body);
    let mut toks = tokenize(body, &pairs, &ticks);
    accept_list_items(&mut toks);
    let out = render(body, &toks);
    strip_trailing_rule(out.trim()).trim().to_string()
}

fn tokenize(s: &str, pairs: &Pairs, ticks: &Ticks) -> Vec<Tok> {
    let b = s.as_bytes();
    let n = b.len();
    let mut toks = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let mut pending_break: Option<usize> = None;
    let mut close_curly = NextFind::new(s, "\u{201d}");
    let mut close_straight = NextFind::new(s, "\"");
    let mut close_under = NextFind::new(s, "_ ");

    fn flush(toks: &mut Vec<Tok>, from: usize, to: usize) {
        if to > from {
            toks.push(Tok::Text(from, to));
        }
    }

    while i < n {
        if let Some(pb) = pending_break
            && i >= pb
        {
            flush(&mut toks, text_start, i);
            toks.push(Tok::ParaBreak(i));
            text_start = i;
            pending_break = None;
        }
        let c = b[i];
        let boundary = i == 0 || is_ws(b[i - 1]);
        let mut token: Option<Tok> = None;
        match c {
            b'`' => {
                let Some(&k) = ticks.index.get(&i) else {
                    i += 1;
                    continue;
                };
                let (_, len) = ticks.runs[k];
                if len >= 3 {
                    if let Some(j) = ticks.next_fence[k] {
                        let (cs, cl) = ticks.runs[j];
                        let after = i + len;
                        let info_len = token_len(&s[after..]);
                        let info_ok = info_len > 0
                            && s[after..after + info_len].bytes().all(|x| {
                                x.is_ascii_alphanumeric()
                                    || matches!(x, b'_' | b'+' | b'-' | b'.' | b'#')
                            })
                            && after + info_len <= cs;
                        let info_end = if info_ok { after + info_len } else { after };
                        token = Some(Tok::Fence {
                            span: (i, cs + cl),
                            info: (after, info_end),
                            code: (info_end, cs),
                        });
                    }
                } else if let Some(j) = ticks.next_same[k] {
                    let cs = ticks.runs[j].0;
                    if cs - i <= MAX_CODE_SPAN {
                        token = Some(Tok::Verbatim(i, cs + len));
                    }
                }
                if token.is_none() {
                    i += len;
                    continue;
                }
            }
            b'!' if b.get(i + 1) == Some(&b'[') => {
                if let Some((_, end)) = pairs.link_at(s, i + 1) {
                    token = Some(Tok::Image(i, end + 1));
                }
            }
            b'[' => {
                if let Some((close, end)) = pairs.link_at(s, i) {
                    let linked_image = b.get(i + 1) == Some(&b'!')
                        && pairs
                            .link_at(s, i + 2)
                            .is_some_and(|(_, inner_end)| inner_end < close);
                    token = Some(if linked_image {
                        Tok::Image(i, end + 1)
                    } else {
                        Tok::Verbatim(i, end + 1)
                    });
                }
            }
            b'#' if boundary => {
                let h = b[i..].iter().take(7).take_while(|&&x| x == b'#').count();
                if (2..=6).contains(&h)
                    && b.get(i + h) == Some(&b' ')
                    && b.get(i + h + 1).is_some_and(|&x| !is_ws(x))
                {
                    token = Some(Tok::Heading {
                        span: (i, i + h + 1),
                        level: h,
                    });
                }
            }
            b'-' | b'*' | b'_' if boundary => {
                let run = b[i..].iter().take_while(|&&x| x == c).count();
                if run >= 3 && b.get(i + run).is_none_or(|&x| is_ws(x)) {
                    token = Some(Tok::Rule(i, i + run));
                } else if run == 1
                    && c != b'_'
                    && b.get(i + 1) == Some(&b' ')
                    && b.get(i + 2).is_some_and(|&x| !is_ws(x))
                {
                    token = Some(Tok::Item {
                        span: (i, i + 2),
                        kind: if c == b'-' {
                            ListKind::Dash
                        } else {
                            ListKind::Star
                        },
                        num: 0,
                        lower: b.get(i + 2).is_some_and(u8::is_ascii_lowercase),
                        accepted: false,
                    });
                }
            }
            b'0'..=b'9' if boundary => {
                let d = b[i..]
                    .iter()
                    .take(4)
                    .take_while(|x| x.is_ascii_digit())
                    .count();
                if d <= 3
                    && b.get(i + d) == Some(&b'.')
                    && b.get(i + d + 1) == Some(&b' ')
                    && b.get(i + d + 2).is_some_and(|&x| !is_ws(x))
                {
                    let num = s[i..i + d].parse().unwrap_or(0);
                    token = Some(Tok::Item {
                        span: (i, i + d + 2),
                        kind: ListKind::Ordered,
                        num,
                        lower: false,
                        accepted: false,
                    });
                }
            }
            b'>' if boundary && b.get(i + 1).is_none_or(|&x| x == b' ') => {
                let rest = s.get(i + 2..).unwrap_or("");
                let opens_quotation =
                    rest.starts_with('\u{201c}') || rest.starts_with('"') || rest.starts_with('_');
                if opens_quotation || quote_context(s, i) {
                    let end = (i + 2).min(n);
                    token = Some(Tok::Quote(i, end));
                    if opens_quotation {
                        pending_break = quotation_end(
                            s,
                            end,
                            &mut close_curly,
                            &mut close_straight,
                            &mut close_under,
                        );
                    }
                }
            }
            _ => {}
        }
        match token {
            Some(tok) => {
                flush(&mut toks, text_start, i);
                toks.push(tok);
                i = tok.span().1.max(i + 1);
                text_start = i;
            }
            None => i += 1,
        }
    }
    flush(&mut toks, text_start, n);
    toks
}

/// A `>` at `i` reads as a block quote when what precedes it ends a
/// sentence, a clause (`:`), a quotation or emphasis, or is another `>`.
fn quote_context(s: &str, i: usize) -> bool {
    let before = s[..i].trim_end();
    match before.chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '.' | ':' | '!' | '?' | '*' | '_' | '"' | ')' | '>' | '\u{201d}' | '\u{2019}'
        ),
    }
}

/// Where a block quote that opens with a quotation mark (or `_`) ends: after
/// the matching close, any trailing punctuation, when whitespace follows.
fn quotation_end<'a>(
    s: &str,
    start: usize,
    curly: &mut NextFind<'a>,
    straight: &mut NextFind<'a>,
    under: &mut NextFind<'a>,
) -> Option<usize> {
    let rest = s.get(start..)?;
    let (finder, open_len, close_len) = if rest.starts_with('\u{201c}') {
        (curly, 3, 3)
    } else if rest.starts_with('"') {
        (straight, 1, 1)
    } else if rest.starts_with('_') {
        (under, 1, 1)
    } else {
        return None;
    };
    let close = finder.from(start + open_len)?;
    let mut end = close + close_len;
    if end - start > MAX_QUOTE_SPAN {
        return None;
    }
    let b = s.as_bytes();
    while end < b.len()
        && matches!(
            b[end],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'*' | b'_'
        )
    {
        end += 1;
    }
    (end >= b.len() || is_ws(b[end])).then_some(end)
}

/// Marks list markers that belong to a list of at least two items.
fn accept_list_items(toks: &mut [Tok]) {
    // Per kind: token indices of the current run, last marker position, last number.
    let mut runs: [(Vec<usize>, usize, u32); 3] = Default::default();
    fn slot(kind: ListKind) -> usize {
        match kind {
            ListKind::Dash => 0,
            ListKind::Star => 1,
            ListKind::Ordered => 2,
        }
    }
    fn finish(toks: &mut [Tok], run: &mut Vec<usize>, kind: usize) {
        let lower_count = run
            .iter()
            .filter(|&&t| matches!(toks[t], Tok::Item { lower: true, .. }))
            .count();
        let ok = run.len() >= 3 || (run.len() == 2 && (kind != 0 || lower_count == 0));
        if ok {
            for &t in run.iter() {
                if let Tok::Item { accepted, .. } = &mut toks[t] {
                    *accepted = true;
                }
            }
        }
        run.clear();
    }
    for t in 0..toks.len() {
        match toks[t] {
            Tok::Item {
                span, kind, num, ..
            } => {
                let k = slot(kind);
                let gap = if kind == ListKind::Dash {
                    MAX_DASH_GAP
                } else {
                    MAX_ITEM_GAP
                };
                let (run, last_pos, last_num) = &mut runs[k];
                let continues = !run.is_empty()
                    && span.0 - *last_pos <= gap
                    && (kind != ListKind::Ordered || num == last_num.saturating_add(1));
                if !continues {
                    finish(toks, run, k);
                }
                run.push(t);
                *last_pos = span.0;
                *last_num = num;
            }
            Tok::Heading { .. } | Tok::Fence { .. } | Tok::Rule(..) => {
                for (k, (run, _, _)) in runs.iter_mut().enumerate() {
                    finish(toks, run, k);
                }
            }
            _ => {}
        }
    }
    for (k, (run, _, _)) in runs.iter_mut().enumerate() {
        finish(toks, run, k);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Para,
    List(ListKind),
    Quote,
}

fn trim_end_ws(out: &mut String) {
    let len = out.trim_end().len();
    out.truncate(len);
}

fn block_break(out: &mut String) {
    trim_end_ws(out);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

fn line_break(out: &mut String) {
    trim_end_ws(out);
    if !out.is_empty() {
        out.push('\n');
    }
}

/// Appends text with whitespace runs collapsed to one space, and no
/// whitespace at the start of a line.
fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn render(s: &str, toks: &[Tok]) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut state = State::Para;
    // Bytes before `cur` were already written (as part of a heading).
    let mut cur = 0;
    for (t, tok) in toks.iter().enumerate() {
        let (ts, te) = tok.span();
        if ts < cur && te <= cur {
            continue;
        }
        match *tok {
            Tok::Text(a, b) => push_text(&mut out, &s[a.max(cur)..b]),
            Tok::Verbatim(a, b) => {
                // Copied as is; only line breaks (if any) become spaces.
                out.extend(
                    s[a..b]
                        .chars()
                        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                );
            }
            Tok::Item {
                span: (a, b),
                accepted: false,
                ..
            } => push_text(&mut out, &s[a.max(cur)..b]),
            Tok::Item { kind, num, .. } => {
                if state == State::List(kind) {
                    line_break(&mut out);
                } else {
                    block_break(&mut out);
                }
                match kind {
                    ListKind::Dash => out.push_str("- "),
                    ListKind::Star => out.push_str("* "),
                    ListKind::Ordered => {
                        out.push_str(&num.to_string());
                        out.push_str(". ");
                    }
                }
                state = State::List(kind);
            }
            Tok::Heading { span, level } => {
                let brk = heading_end(s, toks, t + 1, span.1);
                let content = s.get(span.1..brk).unwrap_or("").trim();
                if content.is_empty() {
                    push_text(&mut out, &s[span.0..span.1]);
                } else {
                    block_break(&mut out);
                    out.push_str(&"#".repeat(level));
                    out.push(' ');
                    push_text(&mut out, content);
                    block_break(&mut out);
                    state = State::Para;
                    cur = brk;
                }
            }
            Tok::Image(a, b) => {
                block_break(&mut out);
                out.push_str(&s[a..b]);
                block_break(&mut out);
                state = State::Para;
            }
            Tok::Fence { info, code, .. } => {
                block_break(&mut out);
                out.push_str("```");
                out.push_str(&s[info.0..info.1]);
                out.push('\n');
                let code = s[code.0..code.1].trim();
                if !code.is_empty() {
                    out.push_str(code);
                    out.push('\n');
                }
                out.push_str("```");
                block_break(&mut out);
                state = State::Para;
            }
            Tok::Quote(..) => {
                if state == State::Quote {
                    line_break(&mut out);
                } else {
                    block_break(&mut out);
                }
                out.push_str("> ");
                state = State::Quote;
            }
            Tok::Rule(a, b) => {
                block_break(&mut out);
                out.push_str(&s[a..b]);
                block_break(&mut out);
                state = State::Para;
            }
            Tok::ParaBreak(_) => {
                block_break(&mut out);
                state = State::Para;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Where a recovered heading ends

/// A whitespace-separated word of heading text; links and code spans are
/// parts of words, never split.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    /// The word starts with a link.
    link: bool,
}

#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "from", "by",
    "with", "without", "into", "onto", "over", "under", "about", "as", "via", "vs", "vs.",
    "versus", "like", "using", "than", "per", "is", "are", "was", "were", "be", "been", "being",
    "do", "does", "did", "can", "could", "will", "would", "should", "may", "might", "must", "has",
    "have", "had", "not", "no", "my", "your", "our", "their", "his", "her", "its", "this", "that",
    "these", "those", "how", "why", "what", "when", "where", "who", "which", "up", "down", "out",
    "off", "between", "among", "through", "across", "against", "after", "before", "behind",
    "beyond", "within", "around", "toward", "towards", "near", "if", "so", "then", "aka", "&", "+",
    "/", "-", "–", "—", "|", "x",
];

/// Words that commonly start a sentence; they may end a heading of a single
/// word (`## Setup The tool…`).
#[rustfmt::skip]
const OPENERS: &[&str] = &[
    "The", "This", "That", "These", "Those", "It", "It's", "Its", "If", "In", "On", "At", "As",
    "So", "But", "And", "Or", "When", "While", "Whether", "With", "Without", "Here", "Here's",
    "There", "There's", "Now", "Then", "Today", "Yesterday", "Last", "Next", "First", "Since",
    "Because", "After", "Before", "Once", "Although", "Though", "Let", "Let's", "We", "We're",
    "We've", "You", "You're", "You've", "They", "He", "She", "My", "Our", "Your", "A", "An", "To",
    "For", "From", "Some", "Many", "Most", "All", "Every", "Each", "Well", "Yes", "No", "Also",
    "Even", "Just", "Still", "Unlike", "Instead", "However", "Thanks", "What", "Why", "How",
    "Where", "Who", "Which", "Back", "Recently", "Initially", "Finally", "Basically", "Actually",
    "Honestly", "Sure", "Of", "Over", "By", "Not", "One", "Another", "Both", "Few", "Turns",
    "During", "Don't", "You'll", "Based", "Depending", "Given", "Imagine", "Consider", "Note",
    "Remember", "Luckily", "Unfortunately", "Obviously", "Clearly",
];

/// One-word section titles: a heading made of one of these ends before a
/// following capitalised word (`### Conclusion Doing this…`).
#[rustfmt::skip]
const SECTION_WORDS: &[&str] = &[
    "Conclusion", "Conclusions", "Introduction", "Summary", "Setup", "Overview", "Background",
    "Context", "Motivation", "Caveat", "Caveats", "Insights", "Resources", "References",
    "Prerequisites", "Requirements", "Installation", "Usage", "Results", "Discussion", "Recap",
    "Update", "Disclaimer", "Takeaways", "Preparation", "Timeline", "Interviews", "Applying",
    "Notes", "Example", "Examples", "Limitations", "Outro", "Intro", "Epilogue", "Appendix",
];

#[rustfmt::skip]
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "etc", "mr", "mrs", "ms", "dr", "st", "no", "approx", "incl", "cf", "fig",
    "vol", "inc", "ltd", "jr", "sr", "v",
];

const LEADING_PUNCT: &[char] = &['\u{201c}', '"', '\'', '\u{2018}', '(', '*', '_', '~', '['];
const TRAILING_PUNCT: &[char] = &[')', '"', '\'', '\u{201d}', '\u{2019}', '*', '_', '~', ']'];

fn has_alnum(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// The word with straight apostrophes and without surrounding punctuation
/// (for list look-ups).
fn bare(w: &str) -> String {
    w.trim_start_matches(LEADING_PUNCT)
        .trim_end_matches(TRAILING_PUNCT)
        .trim_end_matches([',', ';', ':', '.', '!', '?'])
        .replace('\u{2019}', "'")
}

fn is_function_word(w: &str) -> bool {
    FUNCTION_WORDS.contains(&bare(w).to_lowercase().as_str())
}

/// The `[text]` of a word that starts with a link has letters or digits.
fn link_text_has_alnum(w: &str) -> bool {
    match (w.find('['), w.find("](")) {
        (Some(a), Some(b)) if a < b => has_alnum(&w[a + 1..b]),
        _ => false,
    }
}

fn is_opener(w: &str) -> bool {
    OPENERS.contains(&bare(w).as_str())
}

fn is_i_form(w: &str) -> bool {
    matches!(bare(w).as_str(), "I" | "I'm" | "I've" | "I'd" | "I'll")
}

fn first_letters(w: &str) -> (Option<char>, Option<char>) {
    let mut chars = w.trim_start_matches(LEADING_PUNCT).chars();
    (chars.next(), chars.next())
}

/// Starts with a lowercase letter (after opening punctuation).
fn is_lower_word(w: &str) -> bool {
    first_letters(w).0.is_some_and(char::is_lowercase)
}

/// `Word`, `A`, or a plural acronym (`GPUs`); not `AI`, `OK`.
fn is_capitalized(w: &str) -> bool {
    let core = w.trim_start_matches(LEADING_PUNCT);
    let (Some(first), second) = first_letters(w) else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    match second {
        None => first == 'A',
        Some(c) if c.is_lowercase() => true,
        Some(_) => {
            let letters: String = core.chars().take_while(|c| c.is_alphabetic()).collect();
            letters.len() > 2
                && letters.ends_with('s')
                && letters[..letters.len() - 1].chars().all(char::is_uppercase)
        }
    }
}

fn starts_upper(w: &str) -> bool {
    first_letters(w).0.is_some_and(char::is_uppercase)
}

/// `1`, `12.`, `1\.`, `2)`.
fn is_numbering(w: &str) -> bool {
    let digits = w.trim_end_matches(['.', ')', '\\', ':', ',']);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Ends with `.`, `?` or `!` (before closing quotes), not an escaped dot, a
/// numbering or an abbreviation.
fn ends_sentence(w: &str) -> bool {
    let core = w.trim_end_matches(TRAILING_PUNCT);
    match core.chars().next_back() {
        Some('?') | Some('!') => true,
        Some('.') => {
            let stem = &core[..core.len() - 1];
            if stem.ends_with('\\') || stem.ends_with('.') {
                return false;
            }
            let stem = stem.trim_start_matches(LEADING_PUNCT);
            if stem.is_empty() || stem.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            !ABBREVIATIONS.contains(&stem.to_lowercase().as_str())
        }
        _ => false,
    }
}

/// Only emoji / symbols (no letters, digits or ASCII punctuation).
fn is_emoji_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| !c.is_ascii() && !c.is_alphanumeric())
}

/// The words of a heading's text: from `start`, through the inline tokens
/// from `toks[t0]` on, until a block token, the end, or `limit` words.
/// Returns the words and where the text stopped.
fn heading_words(
    s: &str,
    toks: &[Tok],
    t0: usize,
    start: usize,
    limit: usize,
) -> (Vec<Word>, usize) {
    let b = s.as_bytes();
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut stop = s.len();
    'toks: for tok in toks.iter().skip(t0) {
        if !tok.is_inline() {
            stop = tok.span().0;
            break;
        }
        let (a, e) = tok.span();
        let a = a.max(start);
        if let Tok::Verbatim(..) = tok {
            let is_link = b.get(a) == Some(&b'[');
            match current.as_mut() {
                // `**[link](..)`: still a word that starts with a link.
                Some(w) => {
                    w.link |= is_link && !has_alnum(&s[w.start..w.end]);
                    w.end = e;
                }
                None => {
                    current = Some(Word {
                        start: a,
                        end: e,
                        link: is_link,
                    })
                }
            }
            continue;
        }
        for (i, &byte) in b.iter().enumerate().take(e).skip(a) {
            if is_ws(byte) {
                if let Some(w) = current.take() {
                    words.push(w);
                    if words.len() >= limit {
                        stop = i;
                        break 'toks;
                    }
                }
            } else {
                match current.as_mut() {
                    Some(w) => w.end = i + 1,
                    None => {
                        current = Some(Word {
                            start: i,
                            end: i + 1,
                            link: false,
                        })
                    }
                }
            }
        }
    }
    if let Some(w) = current.take() {
        stop = stop.max(w.end);
        words.push(w);
    }
    (words, stop)
}

/// Where a heading that starts at `start` ends, in a collapsed body. The
/// heading runs over words until the first of:
///
/// * a block token (list item, quote, image, fence, heading, rule);
/// * a heading that opens with `**` ends after the word closing the `**`;
/// * a word ending a sentence (`.`, `?`, `!`; not `1\.`, `12.`, `e.g.`):
///   the heading includes it, and emoji right after it;
/// * an emoji after a word (not a mere numbering), before a capitalised
///   word;
/// * a word that starts a sentence, before it. A candidate needs a word
///   before it (not a mere numbering) that is a content word (not `of`,
///   `with`, `&`, an emoji, nor ending in `,` `;` `:` `-`), and the word
///   after it to start lowercase (not as in `Deletion in Production`, title
///   case going on). Candidates are: `I`, `I'm`…; a common sentence opener
///   ([`OPENERS`]: `The`, `If`, `Let's`…, which may also be followed by a
///   number, `I` or a code span); any capital after a one-word section title
///   ([`SECTION_WORDS`]: `Conclusion`, `Setup`…); any capitalised word (not
///   an acronym) after two words, when the sentence goes on past the next
///   word; a link;
/// * in a title-cased heading (three capitalised words or more), the first
///   lowercase content word followed by another lowercase word;
/// * after a numbering and a link (`1\. [Tool](url)`) followed by a
///   capitalised word;
/// * [`MAX_HEADING_WORDS`] words.
fn heading_end(s: &str, toks: &[Tok], t0: usize, start: usize) -> usize {
    let (words, stop) = heading_words(s, toks, t0, start, MAX_HEADING_WORDS + 3);
    let text = |k: usize| -> &str { words.get(k).map_or("", |w| &s[w.start..w.end]) };
    let before = |k: usize| words.get(k).map_or(stop, |w| w.start);
    let after = |k: usize| words.get(k).map_or(stop, |w| w.end);
    let Some(first) = words.first() else {
        return stop;
    };
    let bold = s[first.start..first.end]
        .trim_start_matches(|c: char| !c.is_ascii())
        .starts_with("**");
    // Words with letters or digits so far, and those that are not numberings.
    let mut alnum_before = 0usize;
    let mut content_before = 0usize;
    let mut capital_words = 0usize;
    let mut title_case = true;
    for k in 0..words.len() {
        let w = text(k);
        let next = text(k + 1);
        let next2 = text(k + 2);
        let word_has_alnum = has_alnum(w) || words[k].link;
        if bold {
            let core = w.trim_end_matches([',', ';', ':', '.', '!', '?']);
            if core.ends_with("**") && (k > 0 || core.matches("**").count() >= 2) {
                return after(k);
            }
        } else {
            if k >= 1 && content_before >= 1 {
                let prev = text(k - 1);
                let prev_ok = !is_function_word(prev)
                    && !is_emoji_word(prev)
                    && !prev.ends_with([',', ';', ':', '-', '\u{2014}', '\u{2013}', '(', '/', '&']);
                let next_lower = is_lower_word(next);
                let title_goes_on = is_function_word(next) && is_capitalized(next2);
                let sentence_next = next_lower && !title_goes_on;
                // The sentence goes on after the next word (not a heading
                // that ends right before an image or the end).
                let sentence_long = sentence_next && (!next2.is_empty() || ends_sentence(next));
                if prev_ok {
                    if is_i_form(w) && sentence_next {
                        return before(k);
                    }
                    if is_opener(w)
                        && (sentence_next
                            || next.starts_with('`')
                            || ((is_numbering(next) || is_i_form(next)) && is_lower_word(next2)))
                    {
                        return before(k);
                    }
                    if k == 1
                        && SECTION_WORDS.contains(&bare(text(0)).as_str())
                        && (starts_upper(w) || words[k].link)
                    {
                        return before(k);
                    }
                    if alnum_before >= 2 && is_capitalized(w) && sentence_long {
                        return before(k);
                    }
                    if words[k].link && sentence_next {
                        return before(k);
                    }
                    if title_case
                        && capital_words >= 3
                        && is_lower_word(w)
                        && !is_function_word(w)
                        && !w.ends_with(':')
                        && is_lower_word(next)
                        && is_lower_word(next2)
                    {
                        return before(k);
                    }
                }
            }
            if words[k].link
                && content_before == 0
                && (k > 0 || link_text_has_alnum(w))
                && (starts_upper(next) || words.get(k + 1).is_some_and(|n| n.link))
            {
                return after(k);
            }
            if ends_sentence(w) {
                let mut j = k + 1;
                while j < words.len() && is_emoji_word(text(j)) {
                    j += 1;
                }
                return after(j - 1);
            }
            if is_emoji_word(w)
                && content_before >= 1
                && (starts_upper(next) || words.get(k + 1).is_some_and(|n| n.link))
            {
                return after(k);
            }
        }
        if word_has_alnum {
            alnum_before += 1;
            if !is_numbering(w) {
                content_before += 1;
            }
            if starts_upper(w) || is_numbering(w) {
                capital_words += usize::from(starts_upper(w));
            } else if !is_function_word(w) {
                title_case = false;
            }
            if alnum_before >= MAX_HEADING_WORDS {
                return after(k);
            }
        }
    }
    after(words.len() - 1).max(before(words.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A collapsed llms-full.txt: index, then three posts, all on one line.
    fn collapsed_fixture() -> String {
        [
            "# Gadget Notes > Field notes on tools and workflows.",
            "## Posts",
            "- [Issue #3: \"Quotes\" & more](https://ex.org/p/three): Third",
            "- [Rocket 🚀 launch](https://ex.org/p/two): Second",
            "- [Plain one](https://ex.org/p/one)",
            "---",
            "# Full Blog Content",
            "## Issue #3: \"Quotes\" & more",
            "URL: https://ex.org/p/three",
            "Date: 2024-03-01T10:00:00.5",
            "## 🔧 Setting up the bench",
            "I started with a clean machine and a fresh shell. Here is what I installed:",
            "* [Tool A](https://a.example) for builds",
            "* [Tool B](https://b.example) for tests",
            "* Tool C for docs",
            "[![](https://img.example/a.png)](https://img.example/a)",
            "### Config file",
            "The config lives in one place.",
            "```toml",
            "[bench] speed = 3",
            "```",
            "That is all, see `a - b` and [the docs](https://d.example).",
            "---",
            "## Rocket 🚀 launch",
            "URL: https://ex.org/p/two",
            "Date: 2024-02-01T09:30:00.25",
            "Launch day went fine.",
            "## What went wrong",
            "Nothing broke.",
            "1. First step here",
            "2. Second step here",
            "> “Ship it.” said the lead.",
            "![chart](https://img.example/c.png)",
            "## Plain one",
            "URL: https://ex.org/p/one",
            "Date: 2024-01-01",
            "Just text with a `code ## span` and a prose dash - like this.",
        ]
        .join(" ")
    }

    #[test]
    fn collapsed_dump_splits_into_posts() {
        let text = collapsed_fixture();
        assert!(!text.contains('\n'));
        let doc = parse(&text);
        assert_eq!(doc.name, "Gadget Notes");
        assert_eq!(
            doc.summary.as_deref(),
            Some("Field notes on tools and workflows.")
        );
        let titles: Vec<&str> = doc.posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Issue #3: \"Quotes\" & more",
                "Rocket 🚀 launch",
                "Plain one"
            ]
        );
        let urls: Vec<Option<&str>> = doc.posts.iter().map(|p| p.url.as_deref()).collect();
        assert_eq!(
            urls,
            [
                Some("https://ex.org/p/three"),
                Some("https://ex.org/p/two"),
                Some("https://ex.org/p/one")
            ]
        );
        let dates: Vec<Option<&str>> = doc.posts.iter().map(|p| p.date.as_deref()).collect();
        assert_eq!(
            dates,
            [
                Some("2024-03-01T10:00:00.5"),
                Some("2024-02-01T09:30:00.25"),
                Some("2024-01-01")
            ]
        );
    }

    #[test]
    fn collapsed_bodies_get_block_structure_back() {
        let doc = parse(&collapsed_fixture());
        let first = &doc.posts[0].body;
        let expected = "## 🔧 Setting up the bench\n\n\
            I started with a clean machine and a fresh shell. Here is what I installed:\n\n\
            * [Tool A](https://a.example) for builds\n\
            * [Tool B](https://b.example) for tests\n\
            * Tool C for docs\n\n\
            [![](https://img.example/a.png)](https://img.example/a)\n\n\
            ### Config file\n\n\
            The config lives in one place.\n\n\
            ```toml\n[bench] speed = 3\n```\n\n\
            That is all, see `a - b` and [the docs](https://d.example).";
        assert_eq!(first, expected);

        let second = &doc.posts[1].body;
        let expected = "Launch day went fine.\n\n\
            ## What went wrong\n\n\
            Nothing broke.\n\n\
            1. First step here\n\
            2. Second step here\n\n\
            > “Ship it.”\n\n\
            said the lead.\n\n\
            ![chart](https://img.example/c.png)";
        assert_eq!(second, expected);

        // Code spans and prose dashes are left alone.
        assert_eq!(
            doc.posts[2].body,
            "Just text with a `code ## span` and a prose dash - like this."
        );
    }

    #[test]
    fn heading_ends_are_guessed() {
        let cases = [
            (
                "## Setup The tool is small.",
                "## Setup\n\nThe tool is small.",
            ),
            (
                "#### 2\\. [Name](https://n.example) Used by many teams.",
                "#### 2\\. [Name](https://n.example)\n\nUsed by many teams.",
            ),
            (
                "## Where does it come from? Nobody knows.",
                "## Where does it come from?\n\nNobody knows.",
            ),
            (
                "### Avoiding Data Loss in Production In short, back up.",
                "### Avoiding Data Loss in Production\n\nIn short, back up.",
            ),
            (
                "## **Read this first** Then the rest.",
                "## **Read this first**\n\nThen the rest.",
            ),
            (
                "### Career moves 🚀 Changing jobs is fine.",
                "### Career moves 🚀\n\nChanging jobs is fine.",
            ),
            (
                "## Lessons from a year of shipping I learned a lot.",
                "## Lessons from a year of shipping\n\nI learned a lot.",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(recover_blocks(input), expected, "for {input:?}");
        }
        // Without any break, a heading stops after MAX_HEADING_WORDS words.
        let long = format!("## {}", "word ".repeat(40));
        let out = recover_blocks(&long);
        let heading = out.lines().next().unwrap_or("");
        assert_eq!(heading.split_whitespace().count(), MAX_HEADING_WORDS + 1);
    }

    #[test]
    fn single_prose_dash_and_lone_items_are_not_lists() {
        let out = recover_blocks("Fast - and cheap. Then 3. items * here.");
        assert_eq!(out, "Fast - and cheap. Then 3. items * here.");
        let out = recover_blocks("Steps: - Open it - Close it");
        assert_eq!(out, "Steps:\n\n- Open it\n- Close it");
    }

    #[test]
    fn multi_line_dump_splits_on_header_lines() {
        let text = "\u{feff}# Gadget Notes\n\n> Field notes.\n\n## Posts\n\n\
            - [First](https://ex.org/1): one\n\n# Full Blog Content\n\n\
            ## First post: \"hello\" #1\nURL: https://ex.org/1\nDate: 2024-01-01T00:00:00\n\n\
            Body line one.\n\n## Sub heading\n\n- a\n- b\n\n---\n\n\
            ## Second\nURL: https://ex.org/2\n\nSecond body.\n";
        assert!(sniff(text));
        let doc = parse(text);
        assert_eq!(doc.name, "Gadget Notes");
        assert_eq!(doc.summary.as_deref(), Some("Field notes."));
        assert_eq!(doc.posts.len(), 2);
        assert_eq!(doc.posts[0].title, "First post: \"hello\" #1");
        assert_eq!(doc.posts[0].url.as_deref(), Some("https://ex.org/1"));
        assert_eq!(doc.posts[0].date.as_deref(), Some("2024-01-01T00:00:00"));
        assert_eq!(
            doc.posts[0].body,
            "Body line one.\n\n## Sub heading\n\n- a\n- b"
        );
        assert_eq!(doc.posts[1].title, "Second");
        assert_eq!(doc.posts[1].date, None);
        assert_eq!(doc.posts[1].body, "Second body.");
    }

    const INDEX: &str = "# Project X\n\n> A small library.\n\nSome intro text.\n\n## Docs\n\n\
        - [Quick start](https://x.dev/start.md): How to begin\n\
        - [API [v2]](https://x.dev/api.md)\n\n## Optional\n\n\
        - [Changelog](https://x.dev/changes.md): All releases\n";

    fn index_posts(doc: &LlmsDoc) -> Vec<(&str, Option<&str>, &str)> {
        doc.posts
            .iter()
            .map(|p| (p.title.as_str(), p.url.as_deref(), p.body.as_str()))
            .collect()
    }

    #[test]
    fn plain_index_gives_one_post_per_link() {
        let expected = vec![
            (
                "Quick start",
                Some("https://x.dev/start.md"),
                "How to begin",
            ),
            ("API [v2]", Some("https://x.dev/api.md"), ""),
            (
                "Changelog",
                Some("https://x.dev/changes.md"),
                "All releases",
            ),
        ];
        let doc = parse(INDEX);
        assert_eq!(doc.name, "Project X");
        assert_eq!(doc.summary.as_deref(), Some("A small library."));
        assert_eq!(index_posts(&doc), expected);
        assert!(doc.posts.iter().all(|p| p.date.is_none()));

        // The same index with its newlines collapsed.
        let collapsed = INDEX.split_whitespace().collect::<Vec<_>>().join(" ");
        let doc = parse(&collapsed);
        assert_eq!(doc.name, "Project X");
        assert!(
            doc.summary
                .as_deref()
                .is_some_and(|s| s.starts_with("A small library."))
        );
        assert_eq!(index_posts(&doc), expected);
    }

    #[test]
    fn sniff_tells_llms_text_from_other_formats() {
        assert!(sniff(&collapsed_fixture()));
        assert!(sniff(INDEX));
        assert!(sniff("  \n# Site\n## A post\nURL: https://x.org/a\n\nText"));
        assert!(!sniff(
            "---\ntitle: A note\n---\n# Heading\n\n## Links\n\n- [a](https://a.org)\n"
        ));
        assert!(!sniff("+++\ntitle = \"x\"\n+++\n# H\n## S\n- [a](b)\n"));
        assert!(!sniff(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title></channel></rss>"
        ));
        assert!(!sniff(
            "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"# x\", \"items\": []}"
        ));
        assert!(!sniff("# Just a note\n\nWith some text and no links.\n"));
        assert!(!sniff(""));
        assert!(!sniff("\u{feff}"));
    }

    #[test]
    fn empty_and_garbage_do_not_panic() {
        let doc = parse("");
        assert_eq!(doc.name, "");
        assert!(doc.posts.is_empty());
        let nasty = [
            "#",
            "# ",
            "## ",
            "URL: ",
            "URL: https://",
            "## a URL: https://",
            "## x URL: https://a Date:",
            "## x URL: https://a Date: ",
            "`",
            "```",
            "````x",
            "[![",
            "[![](",
            "[![](a)](",
            "> ",
            ">",
            "- ",
            "1. ",
            "* * *",
            "\u{feff}",
            "# é ## ü URL: https://é Date: ü ## ä",
            "## 🚀 URL: http://x 🚀",
            "# n > ",
            "# n > s ## ",
            "- [",
            "- [a](",
            "- [a](b",
            "- [a](b):",
            "\\",
            "\\[",
            "## a\\",
            "## ![",
            "## [x](y",
            "> “",
            "> _",
            "> \"",
            "## I",
            "## a I",
            "## **",
            "## ** **",
        ];
        for s in nasty {
            let _ = parse(s);
            let _ = sniff(s);
            let _ = recover_blocks(s);
            let multi = s.replace(' ', "\n");
            let _ = parse(&multi);
        }
        // Pseudo-random soup of markers, words and multibyte chars.
        let pieces = [
            "## ",
            "### ",
            "# ",
            " URL: ",
            "https://e.x/a",
            " Date: ",
            "2024",
            " - ",
            " * ",
            " 1. ",
            " 2. ",
            " > ",
            "`",
            "```",
            "[",
            "](",
            ")",
            "![",
            "[![",
            "**",
            "_",
            "“",
            "”",
            "\"",
            "é",
            "🚀",
            "\u{feff}",
            "\n",
            " ",
            "word",
            "Word",
            "I",
            "The",
            ".",
            "?",
            "\\",
            "---",
            "#",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut s = String::new();
            let len = (state % 60) as usize;
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                s.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            let doc = parse(&s);
            for post in &doc.posts {
                let _ = post.body.len();
            }
            let _ = sniff(&s);
            let _ = recover_blocks(&s);
        }
    }

    #[test]
    fn large_collapsed_input_parses() {
        let one = collapsed_fixture();
        let start = one.find("## Issue").unwrap_or(0);
        let posts = &one[start..];
        let mut text = String::from("# Big > Many posts. # Full Blog Content ");
        let mut n = 0;
        while text.len() < 2 * 1024 * 1024 {
            text.push_str(posts);
            text.push(' ');
            n += 3;
        }
        let doc = parse(&text);
        assert_eq!(doc.posts.len(), n);
    }

    #[test]
    fn pathological_single_lines_return() {
        let mb = 1024 * 1024;
        let inputs = [
            "[".repeat(mb),
            "](".repeat(mb / 2),
            "` ".repeat(mb / 2),
            "`` ` ".repeat(mb / 5),
            "## ".repeat(mb / 3),
            "## a ".repeat(mb / 5),
            "URL: https://x ".repeat(mb / 15),
            "## t URL: https://x Date: d ".repeat(mb / 28),
            "- ".repeat(mb / 2),
            "- [".repeat(mb / 3),
            "> “".repeat(mb / 5),
            "> _ ".repeat(mb / 4),
            "1. ".repeat(mb / 3),
            format!("# {}", "a".repeat(mb)),
            format!("## {}", "word ".repeat(mb / 5)),
            format!("## x URL: https://x {}", "[![".repeat(mb / 3)),
        ];
        for input in &inputs {
            let _ = parse(input);
            let _ = sniff(input);
        }
    }
}
