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
    pub body: &'a str,
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
/// (every note with a web address: its original post's, else its page's).
pub fn full(title: &str, description: &str, notes: &[LlmsNote<'_>]) -> String {
    let mut out = String::new();
    head(&mut out, title, description);
    // A post is read only under a web address: a note without one (a
    // person's own, on a site without a base URL) is left out.
    for note in notes.iter().filter(|n| is_web(&n.url)) {
        let _ = writeln!(out, "## {}\n\nURL: {}", one_line(note.title), note.url);
        if let Some(date) = note.date {
            let _ = writeln!(out, "Date: {}", date.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        let _ = writeln!(out, "\n{}\n", note.body.trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_break_its_link() {
        let note = LlmsNote {
            title: "a [b](c)\nd",
            page: "notes/x.html".into(),
            url: "https://e.org/x".into(),
            date: None,
            summary: "s",
            body: "",
        };
        assert_eq!(
            index("Kb", "", &[note]),
            "# Kb\n\n## Notes\n\n- [a \\[b\\](c) d](<notes/x.html>): s\n"
        );
    }
}
