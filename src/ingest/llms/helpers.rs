//! Small helpers shared by the llms.txt readers: line and URL shapes,
//! dates, titles.

use super::*;

pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The largest char boundary at or below `i`.
pub(super) fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// At most `max` chars of `s`.
pub(super) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// True when `needle` occurs at the start of `s` or right after whitespace.
pub(super) fn has_marker(s: &str, needle: &str) -> bool {
    s.match_indices(needle)
        .any(|(i, _)| i == 0 || is_ws(s.as_bytes()[i - 1]))
}

pub(super) fn has_post_header(s: &str) -> bool {
    s.match_indices("URL: ").any(|(i, _)| {
        (i == 0 || is_ws(s.as_bytes()[i - 1])) && {
            let rest = &s[i + 5..];
            rest.starts_with("http://") || rest.starts_with("https://")
        }
    })
}

pub(super) fn has_link_item(s: &str) -> bool {
    (has_marker(s, "- [") || has_marker(s, "* [")) && s.contains("](")
}

pub(super) fn is_collapsed(text: &str) -> bool {
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    newlines == 0 || newlines.saturating_mul(COLLAPSED_CHARS_PER_NEWLINE) < text.len()
}

/// Byte length of the run of non-whitespace at the start of `s`.
pub(super) fn token_len(s: &str) -> usize {
    s.bytes().position(is_ws).unwrap_or(s.len())
}

/// A URL as written after `URL:` or inside `(…)`: plausible when it has no
/// quote, brace or backtick (those mean we are looking at code).
pub(super) fn plausible_url(url: &str) -> bool {
    !url.is_empty() && !url.contains(['"', '\'', '`', '{', '}', '<', '>'])
}

/// Link destination: the first token inside `(…)`, `<…>` stripped.
pub(super) fn link_destination(inner: &str) -> &str {
    let inner = inner.trim();
    if let Some(rest) = inner.strip_prefix('<') {
        return rest.split('>').next().unwrap_or(rest).trim();
    }
    &inner[..token_len(inner)]
}

/// Drops a trailing thematic break (the separator dumps put between posts).
pub(super) fn strip_trailing_rule(body: &str) -> &str {
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
pub(super) struct NextFind<'a> {
    pub(super) hay: &'a str,
    pub(super) needle: &'static str,
    /// (query position, answer) of the last search.
    pub(super) last: Option<(usize, Option<usize>)>,
}

impl<'a> NextFind<'a> {
    pub(super) fn new(hay: &'a str, needle: &'static str) -> Self {
        NextFind {
            hay,
            needle,
            last: None,
        }
    }

    pub(super) fn from(&mut self, pos: usize) -> Option<usize> {
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
pub(super) struct Pairs {
    pub(super) brackets: HashMap<usize, usize>,
    pub(super) parens: HashMap<usize, usize>,
}

impl Pairs {
    pub(super) fn new(s: &str) -> Self {
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
    pub(super) fn link_at(&self, s: &str, i: usize) -> Option<(usize, usize)> {
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
pub(super) fn link_prefix(s: &str) -> Option<(&str, &str, usize)> {
    let bytes = s.as_bytes();
    let close = matching_close(bytes, 0, b'[', b']')?;
    let end = matching_close(bytes, close + 1, b'(', b')')?;
    Some((&s[1..close], &s[close + 2..end], end + 1))
}

/// Where the bracket `open` at `start` is closed, counting nesting and
/// skipping backslash escapes.
fn matching_close(bytes: &[u8], start: usize, open: u8, close: u8) -> Option<usize> {
    if bytes.get(start) != Some(&open) {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b if b == open => depth += 1,
            b if b == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Notes after a link item: `: notes` (or ` - notes`) → `notes`.
pub(super) fn item_notes(after: &str) -> String {
    let after = after.trim();
    let after = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix("- "))
        .or_else(|| after.strip_prefix("— "))
        .unwrap_or(after);
    after.trim().to_string()
}

pub(super) fn make_index_post(name: &str, dest: &str, notes: String) -> Option<LlmsPost> {
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
pub(super) fn split_head(head_line: &str, stops: &[&str]) -> (String, Option<String>) {
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
