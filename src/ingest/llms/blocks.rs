//! Structure recovered in a collapsed post body: headings, paragraphs,
//! lists, quotes, code fences and images back on their own lines.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ListKind {
    Dash,
    Star,
    Ordered,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Tok {
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
    pub(super) fn span(&self) -> (usize, usize) {
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
    pub(super) fn is_inline(&self) -> bool {
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
pub(super) struct Ticks {
    pub(super) index: HashMap<usize, usize>,
    pub(super) runs: Vec<(usize, usize)>,
    pub(super) next_same: Vec<Option<usize>>,
    pub(super) next_fence: Vec<Option<usize>>,
}

impl Ticks {
    pub(super) fn new(s: &str) -> Self {
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
pub(super) fn recover_blocks(body: &str) -> String {
    let pairs = Pairs::new(body);
    let ticks = Ticks::new(body);
    let mut toks = tokenize(body, &pairs, &ticks);
    accept_list_items(&mut toks);
    let out = render(body, &toks);
    strip_trailing_rule(out.trim()).trim().to_string()
}

pub(super) fn tokenize(s: &str, pairs: &Pairs, ticks: &Ticks) -> Vec<Tok> {
    let b = s.as_bytes();
    let n = b.len();
    let mut toks = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let mut pending_break: Option<usize> = None;
    let mut close_curly = NextFind::new(s, "\u{201d}");
    let mut close_straight = NextFind::new(s, "\"");
    let mut close_under = NextFind::new(s, "_ ");

    pub(super) fn flush(toks: &mut Vec<Tok>, from: usize, to: usize) {
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
                    && !starts_list_marker(b, i + 2)
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
                    && !starts_list_marker(b, i + d + 2)
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

/// True when a list marker (`- `, `* `, `+ `, `1. `) starts at `i`. An
/// item whose text would be another marker is no item: a run of `- - - …`
/// once became one empty list item per dash (20 MB of them, a 100 MB page).
fn starts_list_marker(b: &[u8], i: usize) -> bool {
    let digits = b[i.min(b.len())..]
        .iter()
        .take(4)
        .take_while(|x| x.is_ascii_digit())
        .count();
    let after = if (1..=3).contains(&digits) && b.get(i + digits) == Some(&b'.') {
        i + digits + 1
    } else if matches!(b.get(i), Some(b'-' | b'*' | b'+')) {
        i + 1
    } else {
        return false;
    };
    b.get(after).is_none_or(|&x| is_ws(x))
}

/// A `>` at `i` reads as a block quote when what precedes it ends a
/// sentence, a clause (`:`), a quotation or emphasis, or is another `>`.
pub(super) fn quote_context(s: &str, i: usize) -> bool {
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
pub(super) fn quotation_end<'a>(
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
pub(super) fn accept_list_items(toks: &mut [Tok]) {
    // Per kind: token indices of the current run, last marker position, last number.
    let mut runs: [(Vec<usize>, usize, u32); 3] = Default::default();
    pub(super) fn slot(kind: ListKind) -> usize {
        match kind {
            ListKind::Dash => 0,
            ListKind::Star => 1,
            ListKind::Ordered => 2,
        }
    }
    pub(super) fn finish(toks: &mut [Tok], run: &mut Vec<usize>, kind: usize) {
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
pub(super) enum State {
    Para,
    List(ListKind),
    Quote,
}

pub(super) fn trim_end_ws(out: &mut String) {
    let len = out.trim_end().len();
    out.truncate(len);
}

pub(super) fn block_break(out: &mut String) {
    trim_end_ws(out);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

pub(super) fn line_break(out: &mut String) {
    trim_end_ws(out);
    if !out.is_empty() {
        out.push('\n');
    }
}

/// Appends text with whitespace runs collapsed to one space, and no
/// whitespace at the start of a line.
pub(super) fn push_text(out: &mut String, text: &str) {
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

pub(super) fn render(s: &str, toks: &[Tok]) -> String {
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
