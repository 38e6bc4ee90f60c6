//! Dumps whose every newline was collapsed into a space: posts found by
//! their `## Title URL: … Date: …` headers.

use super::*;

pub(super) fn parse_collapsed(text: &str) -> LlmsDoc {
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

pub(super) struct CollapsedHeader {
    /// Where the `## ` of the title starts: the previous body ends here.
    pub(super) title_start: usize,
    pub(super) body_start: usize,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) date: Option<String>,
}

/// Every ` URL: http…` (optionally followed by ` Date: <token>`) preceded,
/// within [`MAX_TITLE_CHARS`], by a ` ## ` that starts its title.
pub(super) fn collapsed_headers(text: &str) -> Vec<CollapsedHeader> {
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
pub(super) fn collapsed_index(text: &str) -> Vec<LlmsPost> {
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
