//! `lore check`: every internal link, `#fragment` and image of a rendered
//! site must resolve to a file of the site (or an attachment copied into
//! it) and an `id` of the page it names. A broken link on a note page is
//! traced back to the note and the line of its body that wrote it. Web
//! links are collected for the caller to fetch (`--external`); nothing here
//! touches the network or the disk.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{NoteLinks, OutputFile, Site};

/// One link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Broken {
    /// The note it was written in (path inside `content/`), when it is on a
    /// note page; else `None` and `page` says where.
    pub note: Option<String>,
    /// Line of the note's body (1-based).
    pub line: Option<usize>,
    /// The page it is on, site-relative.
    pub page: String,
    /// The link as the page holds it.
    pub link: String,
    pub reason: String,
}

/// Where a web link is used: note (and body line) or page.
#[derive(Debug, Clone)]
pub struct Use {
    pub note: Option<String>,
    pub line: Option<usize>,
    pub page: String,
}

/// What `check` found: broken links, and every web link with the places
/// it is used.
#[derive(Debug, Default)]
pub struct Report {
    pub broken: Vec<Broken>,
    pub external: BTreeMap<String, Vec<Use>>,
}

/// Checks every HTML page of `site`. `attachments` are the files of
/// `content/` published at the same path; `base_url` (may be empty) marks
/// absolute links that point into the site.
pub fn check(
    files: &[OutputFile],
    site: &Site,
    attachments: &HashSet<String>,
    base_url: &str,
) -> Report {
    let pages: Vec<&OutputFile> = files.iter().filter(|f| f.path.ends_with(".html")).collect();
    let files: HashSet<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(attachments.iter().map(String::as_str))
        .collect();
    let ids: HashMap<&str, HashSet<String>> = pages
        .iter()
        .map(|f| (f.path.as_str(), attribute_values(&f.bytes, " id=\"")))
        .collect();
    let notes: HashMap<&str, &NoteLinks> = site
        .note_links
        .iter()
        .map(|n| (n.page.as_str(), n))
        .collect();
    let mut report = Report::default();
    for note in &site.note_links {
        for (target, line) in &note.missing {
            report.broken.push(Broken {
                note: Some(note.note.clone()),
                line: Some(*line),
                page: note.page.clone(),
                link: target.clone(),
                reason: "no note of that name".into(),
            });
        }
    }
    for page in pages {
        let note = notes.get(page.path.as_str());
        let locate = |link: &str| {
            let line = note.and_then(|n| {
                n.refs
                    .iter()
                    .find(|(href, _)| unescape(href) == link)
                    .map(|(_, l)| *l)
            });
            (note.map(|n| n.note.clone()), line)
        };
        let mut links = attribute_values(&page.bytes, " href=\"");
        links.extend(attribute_values(&page.bytes, " src=\""));
        let mut links: Vec<String> = links.into_iter().collect();
        links.sort();
        for link in links {
            let target = match classify(&link, base_url) {
                Target::Skip => continue,
                Target::Web => {
                    let (note, line) = locate(&link);
                    report.external.entry(link.clone()).or_default().push(Use {
                        note,
                        line,
                        page: page.path.clone(),
                    });
                    continue;
                }
                Target::Site(rest) => rest,
                Target::Relative => resolve(&page.path, &link),
            };
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let path = path.split('?').next().unwrap_or("");
            let path = if path.is_empty() {
                page.path.clone()
            } else if path.ends_with('/') {
                format!("{path}index.html")
            } else {
                percent_decode(path)
            };
            let reason = if !files.contains(path.as_str()) {
                Some(format!("no file {path} in the site"))
            } else if !fragment.is_empty()
                && path.ends_with(".html")
                && !ids
                    .get(path.as_str())
                    .is_some_and(|set| set.contains(&percent_decode(fragment)))
            {
                Some(format!("{path} has no #{fragment}"))
            } else {
                None
            };
            if let Some(reason) = reason {
                let (note, line) = locate(&link);
                report.broken.push(Broken {
                    note,
                    line,
                    page: page.path.clone(),
                    link,
                    reason,
                });
            }
        }
    }
    report.broken.sort();
    report
}

enum Target {
    Skip,
    Web,
    /// An absolute link into the site: the site-relative rest.
    Site(String),
    Relative,
}

fn classify(link: &str, base_url: &str) -> Target {
    if link.is_empty() {
        return Target::Skip;
    }
    if !base_url.is_empty() && link.starts_with(base_url) {
        return Target::Site(link[base_url.len()..].to_string());
    }
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        return Target::Web;
    }
    match link.find(':') {
        // mailto:, tel: and the like: nothing to resolve.
        Some(colon)
            if link[..colon]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            Target::Skip
        }
        _ => Target::Relative,
    }
}

/// `link` from the page at `page`, as a site-relative path (with its
/// `#fragment`).
fn resolve(page: &str, link: &str) -> String {
    if let Some(fragment) = link.strip_prefix('#') {
        return format!("{page}#{fragment}");
    }
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    let (path, tail) = match link.find(['?', '#']) {
        Some(i) => link.split_at(i),
        None => (link, ""),
    };
    for segment in path.trim_start_matches('/').split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') {
        out.push('/');
    }
    out.push_str(tail);
    out
}

/// Every value of an attribute (`prefix` is ` name="`), unescaped.
fn attribute_values(html: &[u8], prefix: &str) -> HashSet<String> {
    let text = String::from_utf8_lossy(html);
    let mut out = HashSet::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.insert(unescape(&rest[..end]));
        rest = &rest[end..];
    }
    out
}

/// The character references lore's pages use in attributes.
fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, html: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: html.as_bytes().to_vec(),
        }
    }

    #[test]
    fn broken_links_are_traced_to_their_note_and_line() {
        let files = vec![
            page(
                "notes/a.html",
                "<a href=\"../notes/b.html#part\">b</a> <a href=\"../notes/b.html#gone\">x</a> \
                     <img src=\"../assets/none.png\"> <a href=\"#top\">t</a> <h2 id=\"top\">T</h2> \
                     <a href=\"https://e.org/\">e</a> <a href=\"mailto:x@e.org\">m</a>",
            ),
            page("notes/b.html", "<h2 id=\"part\">Part</h2>"),
        ];
        let site = Site {
            note_links: vec![NoteLinks {
                note: "a.md".into(),
                page: "notes/a.html".into(),
                refs: vec![
                    ("../notes/b.html#gone".into(), 3),
                    ("../assets/none.png".into(), 7),
                ],
                missing: vec![("ghost".into(), 9)],
            }],
            ..Site::default()
        };
        let report = check(&files, &site, &HashSet::new(), "");
        let found: Vec<_> = report
            .broken
            .iter()
            .map(|b| (b.note.as_deref(), b.line, b.link.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Some("a.md"), Some(3), "../notes/b.html#gone"),
                (Some("a.md"), Some(7), "../assets/none.png"),
                (Some("a.md"), Some(9), "ghost"),
            ]
        );
        assert_eq!(
            report.external.keys().collect::<Vec<_>>(),
            ["https://e.org/"]
        );
    }
}
