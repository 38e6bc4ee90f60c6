//! Headings and blocks a link can point at. Every heading gets the id a
//! `[[note#Heading]]` link resolves to, and a link to itself; a paragraph
//! or list item ending in an Obsidian block id (`^id`) gets that id, so
//! `[[note#^id]]` lands on it; notes with enough headings get a table of
//! contents.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use serde::Serialize;

use super::highlight::escape;

/// A note with at least this many headings gets a table of contents.
pub const TOC_MIN_HEADINGS: usize = 3;

/// One entry of a table of contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    /// 2 for an `<h2>`, 3 for an `<h3>`…
    pub level: usize,
    pub id: String,
    pub text: String,
}

/// Ids the page around a note uses: a heading never takes one.
const PAGE_IDS: [&str; 18] = [
    "main",
    "note-title",
    "toc",
    "graph-heading",
    "local-graph-title",
    "local-graph-desc",
    "related-heading",
    "backlinks-heading",
    "toc-heading",
    "search-input",
    "search-hint",
    "search-panel",
    "search-status",
    "search-results",
    "search-filters",
    "search-filters-toggle",
    "search-more",
    "nf-heading",
];

/// The id a heading gets, and a `#Heading` link's fragment becomes:
/// lowercased words joined by `-`. Obsidian matches a heading link to a
/// heading whatever the case and punctuation (its link suggestions drop
/// `#`, `|`, `^`, `:`, `%%`, `[[` and `]]`), so only letters and digits
/// count.
pub fn anchor_id(heading: &str) -> String {
    heading
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The fragment of a link's `#subpath`: a block's id (`^id`, with the
/// `^` percent-encoded as URLs want it; browsers decode it to find the
/// id), a heading by [`anchor_id`] of its last part (`#Parent#Child` is
/// Child).
pub fn fragment(subpath: &str) -> String {
    let last = subpath.rsplit('#').next().unwrap_or(subpath).trim();
    match last.strip_prefix('^') {
        Some(block) if is_block_id(block) => format!("%5E{block}"),
        _ => anchor_id(last),
    }
}

/// Obsidian block ids: letters, digits and `-`.
fn is_block_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The block id a paragraph's or item's last text ends with (` ^id`), and
/// the text without it.
fn trailing_block_id(text: &str) -> Option<(&str, &str)> {
    let (before, id) = text.rsplit_once('^')?;
    let id = id.trim_end();
    let is_separated = before.is_empty() || before.ends_with([' ', '\t']);
    (is_block_id(id) && is_separated).then(|| (before.trim_end(), id))
}

/// Gives every heading a unique id and a link to itself, and every block
/// ending in `^id` that id; returns the headings for a table of contents.
pub fn link_targets(events: &mut Vec<Event<'_>>) -> Vec<TocEntry> {
    let mut taken: HashSet<String> = PAGE_IDS.iter().map(|s| s.to_string()).collect();
    block_ids(events, &mut taken);
    let mut toc = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Heading { level, id, .. }) = &events[i] else {
            i += 1;
            continue;
        };
        let level = *level as usize;
        let written = id.as_ref().map(|id| id.to_string());
        let mut text = String::new();
        let mut j = i + 1;
        while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
            if let Event::Text(t) | Event::Code(t) = &events[j] {
                text.push_str(t);
            }
            j += 1;
        }
        let base = written.unwrap_or_else(|| anchor_id(&text));
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 0;
        while !taken.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
            *slot = Some(CowStr::from(id.clone()));
        }
        // The self-link goes last in the heading, so the heading's text
        // is what a screen reader says first.
        let anchor = format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\"></a>",
            escape(&id)
        );
        events.insert(j, Event::Html(anchor.into()));
        toc.push(TocEntry {
            level,
            id,
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        });
        i = j + 2;
    }
    if toc.len() < TOC_MIN_HEADINGS {
        toc.clear();
    }
    toc
}

/// A paragraph or list item whose text ends in ` ^id` loses those
/// characters and gets the id.
fn block_ids(events: &mut [Event<'_>], taken: &mut HashSet<String>) {
    // Index of the open paragraph or item, innermost last.
    let mut open: Vec<usize> = Vec::new();
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Paragraph | Tag::Item) => open.push(i),
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                open.pop();
            }
            Event::Text(text) => {
                let ends_block = matches!(
                    events.get(i + 1),
                    Some(Event::End(TagEnd::Paragraph | TagEnd::Item))
                        | Some(Event::Start(Tag::List(_)))
                );
                let Some(&start) = open.last() else { continue };
                if !ends_block {
                    continue;
                }
                let Some((before, id)) = trailing_block_id(text) else {
                    continue;
                };
                let id = format!("^{id}");
                if !taken.insert(id.clone()) {
                    continue;
                }
                let before = before.to_string();
                let tag = if matches!(events[start], Event::Start(Tag::Item)) {
                    "li"
                } else {
                    "p"
                };
                events[i] = Event::Text(before.into());
                events[start] = Event::Html(format!("<{tag} id=\"{}\">", escape(&id)).into());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_subpaths_become_the_ids_of_their_targets() {
        assert_eq!(fragment("Steps & Risks"), "steps-risks");
        assert_eq!(fragment("Parent#Child Part"), "child-part");
        assert_eq!(fragment("^goal-1"), "%5Egoal-1");
        assert_eq!(fragment("Café: ÉTÉ"), "café-été");
    }

    #[test]
    fn trailing_block_ids_are_found() {
        assert_eq!(
            trailing_block_id("Some goals. ^goal"),
            Some(("Some goals.", "goal"))
        );
        assert_eq!(trailing_block_id("x^2"), None);
        assert_eq!(trailing_block_id("a ^not_an_id"), None);
    }
}
