//! The sitemap, `robots.txt`, and what the feeds share with them: XML
//! escaping and entry ids. Crawlers need absolute URLs, so the sitemap
//! exists only with a base URL.

use std::fmt::Write;

use chrono::NaiveDateTime;

use crate::ingest::text;

/// Text as XML character data or an attribute value: escaped, and without
/// the characters XML 1.0 does not allow (a person's own note may hold
/// them; one such character makes the whole feed unreadable).
pub fn escape(value: &str) -> String {
    super::highlight::escape(&text::without_forbidden(value))
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

/// The most URLs one sitemap file may hold (sitemaps.org); a site with more
/// gets a sitemap index.
pub const SITEMAP_URLS: usize = 50_000;

/// The sitemap files of a site: `sitemap.xml` alone, or, past `per_file`
/// URLs, `sitemap.xml` as an index of `sitemap-1.xml`, `sitemap-2.xml`…
/// Every page, with the date each last changed when known. `base_url` must
/// not be empty: a sitemap holds absolute URLs only.
pub fn sitemaps(
    entries: &[(String, Option<NaiveDateTime>)],
    base_url: &str,
    per_file: usize,
) -> Vec<(String, String)> {
    if entries.len() <= per_file {
        return vec![("sitemap.xml".into(), sitemap(entries, base_url))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (k, part) in entries.chunks(per_file.max(1)).enumerate() {
        let path = format!("sitemap-{}.xml", k + 1);
        let _ = write!(index, "  <sitemap><loc>{}{path}</loc>", escape(base_url));
        if let Some(newest) = part.iter().filter_map(|(_, date)| *date).max() {
            let _ = write!(index, "<lastmod>{}</lastmod>", stamp(newest));
        }
        index.push_str("</sitemap>\n");
        files.push((path, sitemap(part, base_url)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".into(), index));
    files
}

/// One `<urlset>`.
fn sitemap(entries: &[(String, Option<NaiveDateTime>)], base_url: &str) -> String {
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
    fn a_site_past_the_sitemap_limit_gets_a_sitemap_index() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 1, d)?.and_hms_opt(0, 0, 0);
        let entries: Vec<(String, Option<NaiveDateTime>)> = (1..=5)
            .map(|d| (format!("notes/{d}.html"), day(d)))
            .collect();
        let base = "https://me.io/kb/";
        let one = sitemaps(&entries, base, 5);
        assert_eq!(one.len(), 1);
        assert!(one[0].1.contains("<urlset") && one[0].1.matches("<url>").count() == 5);

        let parts = sitemaps(&entries, base, 2);
        let names: Vec<&str> = parts.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml",
                "sitemap.xml"
            ]
        );
        let index = &parts[3].1;
        assert!(index.contains("<sitemapindex"), "{index}");
        assert!(index.contains("<loc>https://me.io/kb/sitemap-3.xml</loc><lastmod>2025-01-05"));
        let urls: usize = parts[..3]
            .iter()
            .map(|(_, t)| t.matches("<url>").count())
            .sum();
        assert_eq!(urls, 5, "every page is in exactly one part");
    }

    #[test]
    fn xml_never_holds_a_character_xml_forbids() {
        let out = escape("Bell\u{7} & odd\u{FFFF} nul\u{0} <b>\u{FDD0}");
        assert!(!out.chars().any(text::is_forbidden_char), "{out:?}");
        assert_eq!(out, "Bell &amp; odd nul &lt;b&gt;");
    }
}
