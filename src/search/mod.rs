//! Search: the index the browser searches, as plain files under `search/`
//! (every one a classic script calling `lore._…(…)`, so the same files load
//! from `file://` and over http). The browser loads the manifest, then only
//! the term shards, tails, cards and filter lists a query needs; the engine
//! is `themes/default/static/search.js`. The bulky files (cards with their
//! text, tails of postings) are deflated, which the browser undoes itself. One file per step:
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

pub use analyze::{Analyzed, FIELD_COUNT, FIELDS, Fields, Vocabulary, analyze};
pub use cards::{excerpt_text, summary};

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
    pub text: std::sync::Arc<str>,
    pub words: Analyzed,
}

/// Builds the index. `order` lists `docs` in result order for browsing
/// (newest first): a note's id is its place there, so ties and filter-only
/// lists come out newest first without dates in the browser. The chunks
/// of cards and text, most of the bytes, go to `emit` as they are made;
/// the rest is returned.
pub fn build<E>(
    mut docs: Vec<SearchDoc<'_>>,
    order: &[usize],
    (settings, vocabulary): (&Settings, &Vocabulary),
    emit: &mut dyn FnMut(Vec<SearchFile>) -> Result<(), E>,
) -> Result<Vec<SearchFile>, E> {
    let analyzed: Vec<Analyzed> = order
        .iter()
        .filter_map(|&i| docs.get_mut(i).map(|d| std::mem::take(&mut d.words)))
        .collect();
    // What results show needs no scores: it is made first, and the notes'
    // text let go before scoring, so the two never take memory together.
    let (cards, (titles, buckets, url_buckets), facets) = {
        let ordered: Vec<&SearchDoc<'_>> = order.iter().filter_map(|&i| docs.get(i)).collect();
        (
            cards::chunks(&ordered, emit)?,
            cards::titles(&ordered),
            facets::write(&ordered),
        )
    };
    let count = docs.len().min(order.len());
    drop(docs);
    let (mut files, firsts) = {
        let scored = score::score(analyzed, vocabulary, settings);
        shards::write(&scored)
    };
    files.extend(titles);
    files.extend(facets);
    // The version the browser asks for (`?v=`), so a cached file of an
    // older build is never mixed with this one: every file but the chunks,
    // whose cards (not their excerpt text) `cards` hashes.
    let mut hasher = blake3::Hasher::new();
    for f in &files {
        hasher.update(f.path.as_bytes());
        hasher.update(&f.bytes);
    }
    hasher.update(cards.as_bytes());
    let version = hasher.finalize().to_hex()[..10].to_owned();
    let weights: Vec<String> = FIELDS
        .iter()
        .zip(settings.weights)
        .map(|(f, w)| format!("{f}:{w}"))
        .collect();
    let manifest = format!(
        "lore._m({{v:\"{version}\",n:{},cards:{},sum:{},inline:{},buckets:{buckets},ubuckets:{url_buckets},weights:{{{}}},first:{}}});\n",
        count,
        cards::CARDS,
        cards::SUMMARY_BYTES,
        shards::INLINE,
        weights.join(","),
        encode::js_strings(&firsts),
    );
    files.push(SearchFile {
        path: "manifest.js".into(),
        bytes: manifest.into_bytes(),
    });
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shared by every test, as `lore serve` shares one from build to
    /// build: it knows words the notes of a test do not have.
    static WORDS: std::sync::LazyLock<Vocabulary> = std::sync::LazyLock::new(Vocabulary::default);

    fn doc<'a>(url: &'a str, title: &'a str, body: &'a str) -> SearchDoc<'a> {
        SearchDoc {
            url,
            title,
            date: None,
            source: None,
            tags: &[],
            authors: &[],
            aliases: &[],
            summary: "",
            text: "".into(),
            words: analyze(
                &Fields {
                    title,
                    aliases: &[],
                    tags: &[],
                    authors: &[],
                    markdown: "",
                    body,
                },
                &WORDS,
            ),
        }
    }

    /// The one term shard of a tiny index: its keys, redirects and, per key
    /// with notes of its own, (doc, impact) pairs.
    type Shard = (Vec<String>, Vec<serde_json::Value>, Vec<Vec<(u32, u8)>>);

    fn shard(files: &[SearchFile]) -> Shard {
        use base64::Engine;
        let text = String::from_utf8(
            files
                .iter()
                .find(|f| f.path == "t/0.js")
                .unwrap()
                .bytes
                .clone(),
        )
        .unwrap();
        let args: serde_json::Value =
            serde_json::from_str(&format!("[{}]", &text["lore._t(".len()..text.len() - 3]))
                .unwrap();
        let keys: Vec<String> = serde_json::from_value(args[1].clone()).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(args[3].as_str().unwrap())
            .unwrap();
        let mut at = 0;
        let mut notes = Vec::new();
        for _ in &keys {
            let df = encode::read_varint(&bytes, &mut at) as usize;
            let mut list = Vec::new();
            if df > 0 {
                encode::read_varint(&bytes, &mut at);
                if df as usize > shards::INLINE {
                    encode::read_varint(&bytes, &mut at);
                }
                let mut id = 0;
                for i in 0..df.min(shards::INLINE) {
                    let gap = encode::read_varint(&bytes, &mut at);
                    id = if i == 0 { gap } else { id + gap };
                    list.push((id, 0));
                }
                for entry in &mut list {
                    entry.1 = bytes[at];
                    at += 1;
                }
            }
            notes.push(list);
        }
        (keys, args[2].as_array().unwrap().clone(), notes)
    }

    #[test]
    fn a_stem_in_more_notes_than_its_shard_lists_has_them_all_in_a_tail_file() {
        let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let docs: Vec<SearchDoc<'_>> = names.iter().map(|n| doc(n, n, "common")).collect();
        let order: Vec<usize> = (0..docs.len()).collect();
        let settings = Settings::new(&SearchConfig::default(), "en");
        let files = build(docs, &order, (&settings, &WORDS), &mut |_| Ok::<(), ()>(())).unwrap();
        let (keys, _, notes) = shard(&files);
        let common = keys.iter().position(|k| k == "common").unwrap();
        assert_eq!(notes[common].len(), shards::INLINE, "the best, inline");
        let tail = files.iter().find(|f| f.path == "p/0.js").unwrap();
        let text = std::str::from_utf8(&tail.bytes).unwrap();
        let bytes = encode::inflate64(&text["lore._p(0,\"".len()..text.len() - 4]);
        let mut at = 0;
        encode::read_varint(&bytes, &mut at);
        assert_eq!(encode::read_varint(&bytes, &mut at), 40, "every note");
        let gaps: Vec<u32> = (0..40)
            .map(|_| encode::read_varint(&bytes, &mut at))
            .collect();
        assert_eq!(gaps, [0].into_iter().chain([1; 39]).collect::<Vec<_>>());
        assert_eq!(bytes.len(), at + 40, "and an impact each");
    }

    #[test]
    fn words_file_under_stems_and_title_words_weigh_more() {
        let docs = vec![
            doc("a.html", "Running", "other words here"),
            doc("b.html", "Other", "running runs"),
        ];
        let settings = Settings::new(&SearchConfig::default(), "en");
        let mut chunks = Vec::new();
        let mut files = build(docs, &[1, 0], (&settings, &WORDS), &mut |made| {
            chunks.extend(made);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!(chunks.iter().any(|f| f.path == "c/0.js"));
        files.extend(chunks);
        let (keys, redirects, notes) = shard(&files);
        let at = |k: &str| keys.iter().position(|x| x == k).unwrap();
        assert_eq!(redirects[at("running")], serde_json::json!(["run", 2]));
        assert_eq!(redirects[at("runs")], serde_json::json!(["run", 2]));
        let run = &notes[at("run")];
        // Doc ids follow `order`: b.html is 0, a.html is 1.
        assert_eq!(run.iter().map(|n| n.0).collect::<Vec<_>>(), [0, 1]);
        assert!(
            run[1].1 > run[0].1,
            "a title word outweighs two body words: {run:?}"
        );
        let manifest = files.iter().find(|f| f.path == "manifest.js").unwrap();
        assert!(String::from_utf8_lossy(&manifest.bytes).contains("n:2,"));
    }
}
