//! The view structs templates see. They borrow from the notes and carry
//! site-relative URLs; templates prefix them with `root`. This is the theme
//! contract (README: "Themes").

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// How many shards of link previews the site has (`previews/<k>.js`).
    pub previews: usize,
}

#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub canonical: Option<String>,
    pub kind: &'static str,
    /// On 404.html built without a base URL: the page must find the site's
    /// folder itself (it is served at any depth).
    pub find_root: bool,
    /// The feeds this page offers (`<link rel="alternate">`), most specific first.
    pub feeds: Vec<FeedLink>,
    /// One line about the page: a note's summary (its title when it has no
    /// text), a term's count, the site's description on the home page.
    pub description: String,
    /// Absolute URL of the page's picture (a note's `image`), for OpenGraph.
    pub image: Option<String>,
    /// A note's schema.org JSON-LD, safe inside `<script>`.
    pub json_ld: Option<JsonLd<'a>>,
    /// On a page of a paginated list: the pages before and after it
    /// (`<link rel="prev">`/`"next"`), site-relative.
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// Characters of a page's description: search engines show about this
/// many, and it is written twice in every page (`description`, `og:`).
pub const DESCRIPTION_CHARS: usize = 160;

/// `text` cut at a word to at most [`DESCRIPTION_CHARS`] characters, with
/// an ellipsis when cut.
pub fn clip_description(text: &str) -> String {
    shorten(text, DESCRIPTION_CHARS)
}

/// `text` cut to `max` characters, at a word when one ends past half of
/// them, with an ellipsis when cut: descriptions, and the graph's labels.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => &cut,
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
    )
}

/// What a note's schema.org JSON-LD says: what Google reads of an article
/// (headline, dates, authors, image, address); the description is in the
/// page's meta tags, the tags are its links. It is written out when the page
/// is rendered; while `lore serve` hashes the page's view, what it is made
/// of stands for it (building the JSON for every page of every rebuild
/// cost more than hashing its parts).
#[derive(Debug)]
pub struct JsonLd<'a> {
    pub title: &'a str,
    pub date: Option<chrono::NaiveDateTime>,
    pub authors: &'a [String],
    /// The page's absolute URL, when there is a base URL.
    pub url: Option<String>,
    pub image: Option<String>,
}

impl JsonLd<'_> {
    /// The JSON, safe inside `<script>`.
    pub fn text(&self) -> String {
        let mut data = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": self.title,
        });
        if let Some(date) = self.date {
            let stamp = date.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            // A note has one date: no dateModified that only repeats it.
            data["datePublished"] = stamp.into();
        }
        if !self.authors.is_empty() {
            data["author"] = self
                .authors
                .iter()
                .map(|a| serde_json::json!({"@type": "Person", "name": a}))
                .collect();
        }
        if let Some(url) = &self.url {
            data["url"] = url.clone().into();
            data["mainEntityOfPage"] = url.clone().into();
        }
        if let Some(image) = &self.image {
            data["image"] = image.clone().into();
        }
        super::script_safe_json(&data)
    }
}

impl Serialize for JsonLd<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let date = self.date.map(|d| d.and_utc().timestamp());
        let parts = (self.title, date, self.authors);
        super::memo::costly_part(
            serializer,
            || (parts, &self.url, &self.image),
            || self.text(),
        )
    }
}

/// A feed of a page: its title, format name ("Atom", "RSS", "JSON Feed"),
/// MIME type, site-relative URL, and whether it is the whole site's.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    pub title: String,
    pub name: &'static str,
    pub site: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
}

/// A named link: a tag, author or source.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

/// A term on a list page, with how many notes carry it.
#[derive(Debug, Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub count: usize,
}

/// A note as a link in a list.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRef<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub date: Option<String>,
}

/// A note in a list of recent notes or of a term's notes.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub date: Option<String>,
    pub date_display: Option<String>,
    pub summary: &'a str,
    pub tags: Vec<LinkView<'a>>,
    pub authors: Vec<LinkView<'a>>,
}

/// Everything a note page shows.
#[derive(Debug, Serialize)]
pub struct NoteView<'a> {
    pub title: &'a str,
    pub date: Option<String>,
    pub date_display: Option<String>,
    pub authors: Vec<LinkView<'a>>,
    pub tags: Vec<LinkView<'a>>,
    pub source: Option<LinkView<'a>>,
    pub original_url: Option<&'a str>,
    pub content: super::packed::Html<'a>,
    pub related: Vec<NoteRef<'a>>,
    pub backlinks: Vec<NoteRef<'a>>,
    /// Headings for a table of contents (empty below three).
    pub toc: &'a [super::headings::TocEntry],
    /// The page draws Mermaid diagrams: it loads `static/mermaid.min.js`.
    pub mermaid: bool,
    /// Its neighbourhood drawn (none for a note with no links, backlinks
    /// or related notes).
    pub graph: Option<LocalGraph<'a>>,
    /// The graph page, site-relative (none when the theme has none).
    pub graph_page: Option<&'static str>,
}

/// What a note's page needs to draw its neighbourhood besides what it
/// lists: the pairs of neighbours (site-relative URLs) that link each other.
#[derive(Debug, Serialize)]
pub struct LocalGraph<'a> {
    pub between: Vec<(&'a str, &'a str)>,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub notes: usize,
    pub tags: usize,
    pub authors: usize,
    pub sources: usize,
}

/// The context every page shares, plus the page's own part.
#[derive(Debug, Serialize)]
pub struct Context<'a, T: Serialize> {
    pub site: &'a SiteView<'a>,
    pub root: &'a str,
    pub page: PageView<'a>,
    pub generator: &'a str,
    pub site_root_url: Option<&'a str>,
    #[serde(flatten)]
    pub body: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_is_cut_at_a_word_and_a_short_one_kept() {
        let long = "Caches keep the answers of slow calls nearby. ".repeat(8);
        let cut = clip_description(&long);
        assert!(cut.chars().count() <= DESCRIPTION_CHARS, "{cut}");
        assert!(cut.ends_with("nearby…") || cut.ends_with(" slow…") || cut.ends_with('…'));
        assert!(long.starts_with(cut.trim_end_matches('…')), "{cut}");
        assert!(!cut.trim_end_matches('…').ends_with(' '));
        assert_eq!(clip_description("Short and whole."), "Short and whole.");
    }
}
