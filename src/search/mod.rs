//! Search: the index the browser searches, as plain files under `search/`
//! (every one a classic script calling `lore._…(…)`, so the same files load
//! from `file://` and over http). The browser loads the manifest, then only
//! the term shards, tails, cards and filter lists a query needs; the engine
//! is `themes/default/static/search.js`. One file per step:
//! `text` (words, folding), `stem`, `analyze` (a note's words per field),
//! `score` (BM25F impacts), `shards` (term dictionary and postings),
//! `cards` (what results show), `facets` (filters), `encode` (formats).
//! It may not know about templates, the theme or the file system.

mod analyze;
mod cards;
mod encode;
mod facets;
mod score;
mod shards;
mod stem;
mod text;

pub use analyze::{Analyzed, FIELD_COUNT, FIELDS, Fields, analyze};
pub use cards::excerpt_text;

use crate::config::SearchConfig;

/// A file of the index, relative to the site's `search/` folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// How scores are computed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Per field, in the order of [`FIELDS`].
    pub weights: [f32; FIELD_COUNT],
    pub k1: f32,
    pub b: f32,
    /// The site's language, for the stemmer.
    pub language: String,
}

impl Settings {
    pub fn new(config: &SearchConfig, language: &str) -> Self {
        Settings {
            weights: [
                config.title,
                config.aliases,
                config.tags,
                config.authors,
                config.headings,
                config.body,
            ],
            k1: config.k1,
            b: config.b,
            language: language.to_owned(),
        }
    }
}

/// One note as the index sees it.
pub struct SearchDoc<'a> {
    /// Site-relative URL of its page.
    pub url: &'a str,
    pub title: &'a str,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub source: Option<&'a str>,
    pub tags: &'a [String],
    pub authors: &'a [String],
    pub aliases: &'a [String],
    pub summary: &'a str,
    /// Plain text of the body, for excerpts.
    pub text: String,
    pub words: Analyzed,
}

/// Builds the index. `order` lists `docs` in result order for browsing
/// (newest first): a note's id is its place there, so ties and filter-only
/// lists come out newest first without dates in the browser.
pub fn build(
    mut docs: Vec<SearchDoc<'_>>,
    order: &[usize],
    settings: &Settings,
) -> Vec<SearchFile> {
    let analyzed: Vec<Analyzed> = order
        .iter()
        .filter_map(|&i| docs.get_mut(i).map(|d| std::mem::take(&mut d.words)))
        .collect();
    let ordered: Vec<&SearchDoc<'_>> = order.iter().filter_map(|&i| docs.get(i)).collect();
    let scored = score::score(&analyzed, settings);
    drop(analyzed);
    let ((mut files, firsts), (cards, texts)) = rayon::join(
        || shards::write(&scored),
        || rayon::join(|| cards::cards(&ordered), || cards::texts(&ordered)),
    );
    let (titles, buckets) = cards::titles(&ordered);
    files.extend(cards);
    files.extend(texts);
    files.extend(titles);
    files.extend(facets::write(&ordered));
    let mut hasher = blake3::Hasher::new();
    for f in files.iter().filter(|f| !f.path.starts_with("x/")) {
        hasher.update(f.path.as_bytes());
        hasher.update(&f.bytes);
    }
    let version = hasher.finalize().to_hex()[..10].to_owned();
    let weights: Vec<String> = FIELDS
        .iter()
        .zip(settings.weights)
        .map(|(f, w)| format!("{f}:{w}"))
        .collect();
    let manifest = format!(
        "lore._m({{v:\"{version}\",n:{},cards:{},inline:{},buckets:{buckets},weights:{{{}}},first:{}}});\n",
        ordered.len(),
        cards::CARDS,
        shards::INLINE,
        weights.join(","),
        encode::js_strings(&firsts),
    );
    files.push(SearchFile {
        path: "manifest.js".into(),
        bytes: manifest.into_bytes(),
    });
    files
}
