//! `llms.txt` and `llms-full.txt` (llmstxt.org): the site for machines. The
//! index lists every note with its summary; the full dump holds every
//! note's markdown as `## Title`, `URL:`, `Date:` and the body, the shape
//! lore's own reader takes, so one knowledge base can be a source for
//! another.

use std::fmt::Write;

use chrono::NaiveDateTime;

/// One note as the two files show it.
pub struct LlmsNote<'a> {
    pub title: &'a str,
    /// Its page, absolute with a base URL, else site-relative.
    pub page: String,
    /// The address the full dump names: the original post's, else the page.
    pub url: String,
    pub date: Option<NaiveDateTime>,
    pub summary: &'a str,
    /// Its markdown, when llms-full.txt holds it.
    pub body: Option<&'a str>,
}

/// How much markdown llms-full.txt holds at most: the newest notes that
/// fit. GitHub refuses files over 100 MB, and no reader wants more.
pub const FULL_BYTES: usize = 32 << 20;

/// Which notes llms-full.txt holds: walking `order` (newest first), those
/// `wanted` while their markdown (`size`) fits in [`FULL_BYTES`]. Also
/// says how many wanted ones were left out.
pub fn fitting(
    order: &[usize],
    wanted: impl Fn(usize) -> bool,
    size: impl Fn(usize) -> usize,
) -> (Vec<bool>, usize) {
    let mut keep = vec![false; order.len()];
    let (mut total, mut left_out) = (0, 0);
    for &i in order {
        if !wanted(i) {
            continue;
        }
        // Title, address and date take a line or three each.
        total += size(i) + 200;
        if total <= FULL_BYTES && left_out == 0 {
            keep[i] = true;
        } else {
            left_out += 1;
        }
    }
    (keep, left_out)
}

fn is_web(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn head(out: &mut String, title: &str, description: &str) {
    let _ = writeln!(out, "# {}\n", one_line(title));
    if !description.trim().is_empty() {
        let _ = writeln!(out, "> {}\n", one_line(description));
    }
}

/// `llms.txt`: the site's name and description, then a link per note.
pub fn index(title: &str, description: &str, notes: &[LlmsNote<'_>]) -> String {
    let mut out = String::new();
    head(&mut out, title, description);
    out.push_str("## Notes\n\n");
    for note in notes {
        let text = one_line(note.title)
            .replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]");
        let _ = write!(out, "- [{text}](<{}>)", note.page.replace('>', "%3E"));
        let summary = one_line(note.summary);
        if !summary.is_empty() {
            let _ = write!(out, ": {summary}");
        }
        out.push('\n');
    }
    out
}

/// The address of the post a note was imported from, when it is on the web.
pub fn original_url(note: &crate::model::Note) -> Option<&str> {
    note.front
        .url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// `llms-full.txt`: every note's markdown under its title, address and date
/// (every note with a web address: its original post's, else its page's),
/// newest first, but for the `left_out` older ones that did not fit.
pub fn full(title: &str, description: &str, notes: &[LlmsNote<'_>], left_out: usize) -> String {
    let mut out = String::new();
    head(&mut out, title, description);
    if left_out > 0 {
        let _ = writeln!(
            out,
            "The newest notes only: {left_out} older ones would take this file past {} MB. \
             llms.txt lists every note.\n",
            FULL_BYTES >> 20
        );
    }
    // A post is read only under a web address: a note without one (a
    // person's own, on a site without a base URL) is left out.
    for (note, body) in notes
        .iter()
        .filter(|n| is_web(&n.url))
        .filter_map(|n| Some((n, n.body?)))
    {
        let _ = writeln!(out, "## {}\n\nURL: {}", one_line(note.title), note.url);
        if let Some(date) = note.date {
            let _ = writeln!(out, "Date: {}", date.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        let _ = writeln!(out, "\n{}\n", body.trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_dump_holds_the_newest_notes_that_fit() {
        // Newest first: 3, 0, 2, 1; note 0 has no web address.
        let order = [3, 0, 2, 1];
        let sizes = [1, 20 << 20, 20 << 20, 10 << 20];
        let (keep, left_out) = fitting(&order, |i| i != 0, |i| sizes[i]);
        assert_eq!(keep, [false, false, true, true]);
        assert_eq!(left_out, 1, "the oldest is left out, though it is small");
        let note = |body| LlmsNote {
            title: "T",
            page: "https://e.org/n.html".into(),
            url: "https://e.org/n.html".into(),
            date: None,
            summary: "",
            body,
        };
        let text = full("Kb", "", &[note(Some("kept")), note(None)], left_out);
        assert_eq!(text.matches("## T").count(), 1);
        assert!(
            text.contains("1 older ones") && text.contains("kept"),
            "{text}"
        );
    }

    #[test]
    fn a_title_cannot_break_its_link() {
        let note = LlmsNote {
            title: "a [b](c)\nd",
            page: "notes/x.html".into(),
            url: "https://e.org/x".into(),
            date: None,
            summary: "s",
            body: None,
        };
        assert_eq!(
            index("Kb", "", &[note]),
            "# Kb\n\n## Notes\n\n- [a \\[b\\](c) d](<notes/x.html>): s\n"
        );
    }
}
