//! llms.txt and llms-full.txt as they should be: one line per line.

use super::*;

pub(super) fn parse_lines(text: &str) -> LlmsDoc {
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
