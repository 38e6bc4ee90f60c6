//! The Atom feed and the sitemap. Feed readers and crawlers need absolute
//! URLs, so these are the places `base_url` matters; without one, links
//! stay relative to the site root.

use std::fmt::Write;

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::ingest::text;

/// Text as XML character data or an attribute value: escaped, and without
/// the characters XML 1.0 does not allow (a person's own note may hold
/// them; one such character makes the whole feed unreadable).
fn escape(value: &str) -> String {
    super::highlight::escape(&text::without_forbidden(value))
}

/// One note in the feed.
pub struct FeedEntry<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub date: Option<NaiveDateTime>,
    pub summary: &'a str,
    pub authors: &'a [String],
}

/// An entry's id: its absolute URL, or without a base URL a UUID named by
/// its page (an id must be an absolute IRI, and stay the same forever).
pub fn entry_id(base_url: &str, path: &str) -> String {
    if !base_url.is_empty() {
        return format!("{base_url}{path}");
    }
    let hash = blake3::hash(path.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash.as_bytes()[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: a name-based UUID of our own
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn stamp(date: NaiveDateTime) -> String {
    date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An Atom 1.0 feed of the most recent notes.
pub fn atom(entries: &[FeedEntry<'_>], config: &Config, base_url: &str) -> String {
    let updated = entries
        .iter()
        .filter_map(|e| e.date)
        .max()
        .map(stamp)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(&config.title));
    if !config.description.is_empty() {
        let _ = writeln!(
            out,
            "  <subtitle>{}</subtitle>",
            escape(&config.description)
        );
    }
    let _ = writeln!(out, "  <link href=\"{}index.html\"/>", escape(base_url));
    // A feed's own address is absolute or absent.
    if !base_url.is_empty() {
        let _ = writeln!(
            out,
            "  <link rel=\"self\" href=\"{}atom.xml\"/>",
            escape(base_url)
        );
    }
    let _ = writeln!(
        out,
        "  <id>{}</id>\n  <updated>{updated}</updated>",
        escape(&entry_id(base_url, ""))
    );
    let _ = writeln!(out, "  <generator>lore</generator>");
    for entry in entries {
        let url = format!("{base_url}{}", entry.path);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", escape(entry.title));
        let _ = writeln!(
            out,
            "    <link href=\"{}\"/>\n    <id>{}</id>",
            escape(&url),
            escape(&entry_id(base_url, entry.path))
        );
        let _ = writeln!(
            out,
            "    <updated>{}</updated>",
            entry.date.map(stamp).unwrap_or_else(|| updated.clone())
        );
        for author in entry.authors {
            let _ = writeln!(out, "    <author><name>{}</name></author>", escape(author));
        }
        let _ = writeln!(out, "    <summary>{}</summary>", escape(entry.summary));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// A sitemap of every page, with the date each last changed when known.
/// `base_url` must not be empty: a sitemap holds absolute URLs only.
pub fn sitemap(entries: &[(String, Option<NaiveDateTime>)], base_url: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, lastmod) in entries {
        let _ = write!(
            out,
            "  <url><loc>{}{}</loc>",
            escape(base_url),
            escape(path)
        );
        if let Some(date) = lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", stamp(*date));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt`: everything may be crawled; the sitemap, when there is one.
pub fn robots(base_url: &str) -> String {
    let mut out = String::from("User-agent: *\nAllow: /\n");
    if !base_url.is_empty() {
        let _ = writeln!(out, "\nSitemap: {base_url}sitemap.xml");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_holds_no_character_xml_forbids() {
        let config = Config {
            title: "Kb\u{1}".into(),
            ..Config::default()
        };
        let authors = ["Ada\u{FFFE}".to_string()];
        let entry = FeedEntry {
            title: "Bell\u{7} & odd\u{FFFF}",
            path: "notes/x.html",
            date: None,
            summary: "nul\u{0} <b>\u{FDD0}",
            authors: &authors,
        };
        let xml = atom(&[entry], &config, "");
        assert!(!xml.chars().any(text::is_forbidden_char), "{xml:?}");
        assert!(xml.contains("<title>Bell &amp; odd</title>"), "{xml}");
        assert!(xml.contains("<summary>nul &lt;b&gt;</summary>"), "{xml}");
    }
}
