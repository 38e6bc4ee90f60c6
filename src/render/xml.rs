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
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"{}atom.xml\"/>",
        escape(base_url)
    );
    let _ = writeln!(
        out,
        "  <id>{}</id>\n  <updated>{updated}</updated>",
        escape(if base_url.is_empty() {
            "urn:lore:site"
        } else {
            base_url
        })
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
            escape(&url)
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

/// A sitemap of every page.
pub fn sitemap(paths: &[String], base_url: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        let _ = writeln!(
            out,
            "  <url><loc>{}{}</loc></url>",
            escape(base_url),
            escape(path)
        );
    }
    out.push_str("</urlset>\n");
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
