//! Links between notes: a post that links to another post that is also in
//! the vault gets a `[[wikilink]]` instead of the web address, so Obsidian's
//! graph and backlinks see it and the site links to its own page. URLs are
//! compared the way people mean them: with or without scheme or `www.`, a
//! trailing slash, a fragment or tracking parameters (`utm_*`, `ref`…).

use std::collections::HashMap;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::model::{Note, Ownership};

/// Query parameters that only say where a click came from.
const TRACKING: &[&str] = &[
    "ref", "ref_src", "source", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "si",
];

/// A URL reduced to what identifies the page: host without `www.`, path
/// without trailing slash, query without tracking parameters, no scheme,
/// no fragment. `None` for anything but http(s).
pub fn page_key(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host
        .strip_suffix(":443")
        .or(host.strip_suffix(":80"))
        .unwrap_or(host);
    let path = path.trim_end_matches('/');
    let path = path
        .strip_suffix("/index.html")
        .or(path.strip_suffix("index.html"))
        .unwrap_or(path);
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            !pair.is_empty() && !key.starts_with("utm_") && !TRACKING.contains(&key.as_str())
        })
        .collect();
    let mut key = format!("{host}/{}", path.trim_end_matches('/'));
    if !kept.is_empty() {
        key.push('?');
        key.push_str(&kept.join("&"));
    }
    Some(key)
}

/// Rewrites, in every note lore owns, the links to other notes' `url` as
/// wikilinks to those notes. Notes a person owns are left as they are.
pub fn link_notes(notes: &mut [Note]) {
    let by_url: HashMap<String, String> = notes
        .iter()
        .filter_map(|n| Some((page_key(n.front.url.as_deref()?)?, n.name().to_string())))
        .collect();
    if by_url.len() < 2 {
        return;
    }
    for note in notes.iter_mut() {
        if note.ownership == Ownership::Lore && note.body.contains("](http") {
            let own = note.name().to_string();
            if let Some(body) = with_wikilinks(&note.body, &by_url, &own) {
                note.body = body.into();
            }
        }
    }
}

/// The body with each inline link to a known page replaced by a wikilink
/// that keeps the link text; `None` when nothing changed.
fn with_wikilinks(body: &str, by_url: &HashMap<String, String>, own: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut copied_to = 0;
    // (start of the link, target name, text so far)
    let mut open: Option<(usize, String, String)> = None;
    for (event, range) in Parser::new_ext(body, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                ..
            }) if open.is_none() => {
                let target = page_key(&dest_url).and_then(|k| by_url.get(&k));
                if let Some(name) = target.filter(|n| n.as_str() != own) {
                    open = Some((range.start, name.clone(), String::new()));
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, _, label)) = &mut open {
                    label.push_str(&text);
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, name, label)) = open.take()
                    && start >= copied_to
                {
                    out.push_str(&body[copied_to..start]);
                    out.push_str(&wikilink(&name, &label));
                    copied_to = range.end;
                }
            }
            // An image inside the link text: keep the link as it is.
            Event::Start(Tag::Image { .. }) if open.is_some() => open = None,
            _ => {}
        }
    }
    if copied_to == 0 {
        return None;
    }
    out.push_str(&body[copied_to..]);
    Some(out)
}

/// `[[name|label]]`, or `[[name]]` when the label is the name; characters
/// that would end the link early are left out of the label.
fn wikilink(name: &str, label: &str) -> String {
    let label: String = label
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | '|'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if label.is_empty() || label == name {
        format!("[[{name}]]")
    } else {
        format!("[[{name}|{label}]]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FrontMatter;

    #[test]
    fn urls_compare_as_pages() {
        let key = page_key("https://www.Blog.example/post/?utm_source=rss&id=3#top");
        assert_eq!(key.as_deref(), Some("blog.example/post?id=3"));
        assert_eq!(
            page_key("http://blog.example/post"),
            page_key("https://blog.example/post/")
        );
        assert_eq!(
            page_key("https://blog.example/post/index.html"),
            page_key("https://blog.example/post")
        );
        assert_eq!(page_key("mailto:a@b.c"), None);
    }

    fn note(name: &str, url: &str, body: &str) -> Note {
        Note {
            path: format!("{name}.md"),
            front: FrontMatter {
                url: Some(url.into()),
                ..FrontMatter::default()
            },
            body: body.into(),
            ownership: Ownership::Lore,
        }
    }

    #[test]
    fn links_to_notes_in_the_vault_become_wikilinks() {
        let mut notes = vec![
            note(
                "first",
                "https://blog.example/first/",
                "See [the second *post*](http://www.blog.example/second?utm_medium=feed), \
                 [elsewhere](https://other.example/x) and [me](https://blog.example/first).",
            ),
            note("second", "https://blog.example/second", "No links."),
        ];
        notes[1].ownership = Ownership::User;
        link_notes(&mut notes);
        assert_eq!(
            &*notes[0].body,
            "See [[second|the second post]], [elsewhere](https://other.example/x) and [me](https://blog.example/first)."
        );
    }
}
