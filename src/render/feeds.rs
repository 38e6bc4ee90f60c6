//! The feeds: the whole site's in Atom 1.0, RSS 2.0 and JSON Feed 1.1, each
//! tag's, author's and source's in Atom. The site's entries carry the note's
//! full HTML with every link made absolute (or, without a base URL,
//! relative to the feed); a term's carry its summary and link, as Hugo's
//! do: thousands of terms would otherwise copy every note many times over.
//! Every entry has an author (the note's, else the site's), published and
//! updated dates and categories. Only dated notes are entries: a feed
//! orders by time.

use std::fmt::Write;

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::xml::{entry_id, escape};

/// One feed: what it follows and its newest entries.
pub struct Feed<'a> {
    /// "Field notes", or "Field notes: tag kafka".
    pub title: String,
    pub description: &'a str,
    /// The page the feed follows, site-relative (`index.html`, `tags/x.html`).
    pub page: &'a str,
    /// Its files: each format and where it goes (see [`files`]).
    pub files: Vec<(Format, String)>,
    pub entries: Vec<Entry<'a>>,
}

/// One note in a feed.
pub struct Entry<'a> {
    pub title: &'a str,
    /// The note's page, site-relative.
    pub path: &'a str,
    pub published: NaiveDateTime,
    pub updated: NaiveDateTime,
    pub summary: &'a str,
    /// The note's HTML with its links made absolute, or without a base URL
    /// relative to the feed's folder ([`absolute_links`] with [`prefix`]);
    /// empty in a feed of summaries.
    pub html: &'a str,
    /// Never empty: the note's authors, else the site's.
    pub authors: Vec<&'a str>,
    pub tags: &'a [String],
    /// The note's picture, when it is an absolute web address.
    pub image: Option<&'a str>,
}

/// What every feed shares.
pub struct Site<'a> {
    pub base_url: &'a str,
    pub language: &'a str,
    /// The site's author (config `author`, else its title).
    pub author: &'a str,
    pub generator: &'a str,
}

/// A feed's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    /// The name readers show.
    pub fn name(self) -> &'static str {
        match self {
            Format::Atom => "Atom",
            Format::Rss => "RSS",
            Format::Json => "JSON Feed",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
            Format::Json => "application/feed+json",
        }
    }
}

/// The site's feed comes in every format, so any reader follows it.
pub const SITE_FORMATS: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];
/// A term's feed in one: there may be thousands of terms.
pub const TERM_FORMATS: [Format; 1] = [Format::Atom];

/// The files of the feed of a page: `atom.xml`, `rss.xml` and `feed.json`
/// for the home page, `<page>.atom.xml` (`.rss.xml`, `.feed.json`) beside
/// any other.
pub fn files(page: &str, formats: &[Format]) -> Vec<(Format, String)> {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    formats
        .iter()
        .map(|&format| {
            let path = match (page == "index.html", format) {
                (true, Format::Atom) => "atom.xml".to_string(),
                (true, Format::Rss) => "rss.xml".to_string(),
                (true, Format::Json) => "feed.json".to_string(),
                (false, Format::Atom) => format!("{stem}.atom.xml"),
                (false, Format::Rss) => format!("{stem}.rss.xml"),
                (false, Format::Json) => format!("{stem}.feed.json"),
            };
            (format, path)
        })
        .collect()
}

/// What a site-relative path is prefixed with in a feed `depth` folders
/// deep: the base URL, else the way back to the root.
pub fn prefix(base_url: &str, depth: usize) -> String {
    if base_url.is_empty() {
        "../".repeat(depth)
    } else {
        base_url.to_string()
    }
}

/// The files of a feed: (path, text) per format.
pub fn render(feed: &Feed<'_>, site: &Site<'_>) -> Vec<(String, String)> {
    feed.files
        .iter()
        .map(|(format, path)| {
            let prefix = prefix(site.base_url, path.matches('/').count());
            let text = match format {
                Format::Atom => atom(feed, site, &prefix, path),
                Format::Rss => rss(feed, site, &prefix, path),
                Format::Json => json_feed(feed, site, &prefix, path),
            };
            (path.clone(), text)
        })
        .collect()
}

fn rfc3339(date: NaiveDateTime) -> String {
    date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn rfc2822(date: NaiveDateTime) -> String {
    Utc.from_utc_datetime(&date).to_rfc2822()
}

/// The newest update of a feed; the epoch for a feed with no entry.
fn newest(feed: &Feed<'_>) -> NaiveDateTime {
    feed.entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_default()
}

fn atom(feed: &Feed<'_>, site: &Site<'_>, prefix: &str, own: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(site.language)
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(&feed.title));
    if !feed.description.is_empty() {
        let _ = writeln!(out, "  <subtitle>{}</subtitle>", escape(feed.description));
    }
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&format!("{prefix}{}", feed.page))
    );
    // A feed's own address is absolute or absent.
    if !site.base_url.is_empty() {
        let _ = writeln!(
            out,
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            escape(&format!("{}{}", site.base_url, own))
        );
    }
    let _ = writeln!(
        out,
        "  <id>{}</id>\n  <updated>{}</updated>",
        escape(&entry_id(site.base_url, own)),
        rfc3339(newest(feed))
    );
    let _ = writeln!(
        out,
        "  <author><name>{}</name></author>\n  <generator>{}</generator>",
        escape(site.author),
        escape(site.generator)
    );
    for entry in &feed.entries {
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", escape(entry.title));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&format!("{prefix}{}", entry.path))
        );
        let _ = writeln!(
            out,
            "    <id>{}</id>\n    <published>{}</published>\n    <updated>{}</updated>",
            escape(&entry_id(site.base_url, entry.path)),
            rfc3339(entry.published),
            rfc3339(entry.updated)
        );
        for author in &entry.authors {
            let _ = writeln!(out, "    <author><name>{}</name></author>", escape(author));
        }
        for tag in entry.tags {
            let _ = writeln!(out, "    <category term=\"{}\"/>", escape(tag));
        }
        if !entry.summary.is_empty() {
            let _ = writeln!(out, "    <summary>{}</summary>", escape(entry.summary));
        }
        // An entry with no content is valid Atom: it links to its page.
        if !entry.html.is_empty() {
            let _ = writeln!(
                out,
                "    <content type=\"html\">{}</content>",
                escape(entry.html)
            );
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn rss(feed: &Feed<'_>, site: &Site<'_>, prefix: &str, own: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(&feed.title));
    let _ = writeln!(
        out,
        "  <link>{}</link>",
        escape(&format!("{prefix}{}", feed.page))
    );
    let description = if feed.description.is_empty() {
        &feed.title
    } else {
        feed.description
    };
    let _ = writeln!(out, "  <description>{}</description>", escape(description));
    if !site.base_url.is_empty() {
        let _ = writeln!(
            out,
            "  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>",
            escape(&format!("{}{}", site.base_url, own))
        );
    }
    let _ = writeln!(
        out,
        "  <language>{}</language>\n  <generator>{}</generator>\n  <lastBuildDate>{}</lastBuildDate>",
        escape(site.language),
        escape(site.generator),
        rfc2822(newest(feed))
    );
    for entry in &feed.entries {
        out.push_str("  <item>\n");
        let _ = writeln!(out, "    <title>{}</title>", escape(entry.title));
        let _ = writeln!(
            out,
            "    <link>{}</link>",
            escape(&format!("{prefix}{}", entry.path))
        );
        let id = entry_id(site.base_url, entry.path);
        let _ = writeln!(
            out,
            "    <guid isPermaLink=\"{}\">{}</guid>",
            !site.base_url.is_empty(),
            escape(&id)
        );
        let _ = writeln!(out, "    <pubDate>{}</pubDate>", rfc2822(entry.published));
        for author in &entry.authors {
            let _ = writeln!(out, "    <dc:creator>{}</dc:creator>", escape(author));
        }
        for tag in entry.tags {
            let _ = writeln!(out, "    <category>{}</category>", escape(tag));
        }
        let description = if entry.html.is_empty() {
            entry.summary
        } else {
            entry.html
        };
        let _ = writeln!(
            out,
            "    <description>{}</description>",
            escape(description)
        );
        out.push_str("  </item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn json_feed(feed: &Feed<'_>, site: &Site<'_>, prefix: &str, own: &str) -> String {
    let absolute = !site.base_url.is_empty();
    let clean = |s: &str| crate::ingest::text::without_forbidden(s).into_owned();
    let items: Vec<Value> = feed
        .entries
        .iter()
        .map(|entry| {
            let mut item = json!({
                "id": entry_id(site.base_url, entry.path),
                "title": clean(entry.title),
                "date_published": rfc3339(entry.published),
                "date_modified": rfc3339(entry.updated),
                "authors": entry.authors.iter().map(|a| json!({"name": clean(a)})).collect::<Vec<_>>(),
            });
            // JSON Feed wants a content; a feed of summaries gives its text.
            if entry.html.is_empty() {
                item["content_text"] = json!(clean(entry.summary));
            } else {
                item["content_html"] = json!(clean(entry.html));
            }
            // JSON has no base to resolve a relative address against.
            if absolute {
                item["url"] = json!(format!("{prefix}{}", entry.path));
            }
            if !entry.summary.is_empty() {
                item["summary"] = json!(clean(entry.summary));
            }
            if !entry.tags.is_empty() {
                item["tags"] = json!(entry.tags.iter().map(|t| clean(t)).collect::<Vec<_>>());
            }
            if let Some(image) = entry.image {
                item["image"] = json!(image);
            }
            item
        })
        .collect();
    let mut out = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(&feed.title),
    });
    if absolute {
        out["home_page_url"] = json!(format!("{prefix}{}", feed.page));
        out["feed_url"] = json!(format!("{}{}", site.base_url, own));
    }
    if !feed.description.is_empty() {
        out["description"] = json!(clean(feed.description));
    }
    out["language"] = json!(site.language);
    out["authors"] = json!([{ "name": clean(site.author) }]);
    out["items"] = Value::Array(items);
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// `html` of the page at `page` (site-relative) with every relative `href`
/// and `src` made `prefix` + its site-relative path. The HTML is lore's own
/// rendering, whose attribute values are always double-quoted.
pub fn absolute_links(html: &str, page: &str, prefix: &str) -> String {
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    loop {
        let found = [" href=\"", " src=\""]
            .iter()
            .filter_map(|a| rest.find(a).map(|at| (at, a.len())))
            .min();
        let Some((at, len)) = found else {
            out.push_str(rest);
            return out;
        };
        let start = at + len;
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        if value.is_empty() || has_scheme(value) || value.starts_with('/') {
            out.push_str(value);
        } else if value.starts_with('#') {
            let _ = write!(out, "{prefix}{page}{value}");
        } else {
            let _ = write!(out, "{prefix}{}", resolve(dir, value));
        }
        rest = &rest[end..];
    }
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(colon) => url[..colon]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)),
        None => false,
    }
}

/// `target` (relative) from a page in folder `dir`, as a site-relative path.
fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let (path, tail) = match target.find(['?', '#']) {
        Some(i) => target.split_at(i),
        None => (target, ""),
    };
    for segment in path.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_a_note_become_absolute() {
        let html = "<p><a href=\"../notes/b.html#x\">b</a> <a href=\"#fn1\">1</a> \
                    <img src=\"../assets/p.png\" alt=\"\"> <a href=\"https://e.org/\">e</a></p>";
        let out = absolute_links(html, "notes/a.html", "https://me.io/kb/");
        assert_eq!(
            out,
            "<p><a href=\"https://me.io/kb/notes/b.html#x\">b</a> \
             <a href=\"https://me.io/kb/notes/a.html#fn1\">1</a> \
             <img src=\"https://me.io/kb/assets/p.png\" alt=\"\"> <a href=\"https://e.org/\">e</a></p>"
        );
        assert_eq!(
            absolute_links("<a href=\"c.html\">c</a>", "notes/a.html", "../"),
            "<a href=\"../notes/c.html\">c</a>"
        );
    }

    #[test]
    fn term_feeds_sit_beside_their_page() {
        let paths = |page, formats| -> Vec<String> {
            files(page, formats).into_iter().map(|(_, p)| p).collect()
        };
        assert_eq!(
            paths("index.html", &SITE_FORMATS),
            ["atom.xml", "rss.xml", "feed.json"]
        );
        assert_eq!(
            paths("tags/kafka.html", &SITE_FORMATS),
            [
                "tags/kafka.atom.xml",
                "tags/kafka.rss.xml",
                "tags/kafka.feed.json"
            ]
        );
        assert_eq!(
            paths("tags/kafka.html", &TERM_FORMATS),
            ["tags/kafka.atom.xml"]
        );
    }
}
