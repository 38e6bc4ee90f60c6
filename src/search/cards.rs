//! What a result shows, loaded only for the results on screen: cards (url,
//! title, date, source, tags, authors, summary) in chunks of `CARDS`
//! notes, the start of each note's text for excerpts (`x/<id>.js`), and
//! exact titles by hash (`h/<bucket>.js`) so a query equal to a title can
//! put that note first without loading every title.

use super::encode::{js_string, js_strings};
use super::text::words;
use super::{SearchDoc, SearchFile};

/// Notes per card chunk.
pub const CARDS: usize = 16;
/// Characters of a note's text kept for excerpts.
const TEXT_CHARS: usize = 2_000;
/// Titles per hash bucket, on average.
const PER_BUCKET: usize = 128;

pub fn cards(docs: &[&SearchDoc<'_>]) -> Vec<SearchFile> {
    docs.chunks(CARDS)
        .enumerate()
        .map(|(n, chunk)| {
            let rows: Vec<String> = chunk
                .iter()
                .map(|d| {
                    format!(
                        "[{},{},{},{},{},{},{}]",
                        js_string(d.url),
                        js_string(d.title),
                        js_string(d.date.as_deref().unwrap_or("")),
                        js_string(d.source.unwrap_or("")),
                        js_strings(d.tags),
                        js_strings(d.authors),
                        js_string(d.summary)
                    )
                })
                .collect();
            SearchFile {
                path: format!("c/{n}.js"),
                bytes: format!("lore._c({n},[{}]);\n", rows.join(",\n")).into_bytes(),
            }
        })
        .collect()
}

/// The start of each note's text.
pub fn texts(docs: &[&SearchDoc<'_>]) -> Vec<SearchFile> {
    docs.iter()
        .enumerate()
        .map(|(id, d)| {
            let text = &d.text;
            SearchFile {
                path: format!("x/{id}.js"),
                bytes: format!("lore._x({id},{});\n", js_string(text)).into_bytes(),
            }
        })
        .collect()
}

/// The start of a note's prose that excerpts are cut from, ended at a word.
pub fn excerpt_text(mut prose: String) -> String {
    if let Some((end, _)) = prose.char_indices().nth(TEXT_CHARS) {
        let end = prose[..end].rfind(char::is_whitespace).unwrap_or(end);
        prose.truncate(end);
    }
    prose.shrink_to_fit();
    prose
}

/// Buckets of (hash, doc id): every title and alias, folded, and every URL.
pub fn titles(docs: &[&SearchDoc<'_>]) -> (Vec<SearchFile>, usize) {
    let buckets = docs.len().div_ceil(PER_BUCKET).max(1);
    let mut lists: Vec<Vec<(u32, usize)>> = vec![Vec::new(); buckets];
    for (id, d) in docs.iter().enumerate() {
        // A page by its URL, for lore.card (no folded title has a colon).
        let h = title_hash(&format!("url:{}", d.url));
        lists[h as usize % buckets].push((h, id));
        for name in std::iter::once(d.title).chain(d.aliases.iter().map(String::as_str)) {
            let h = title_hash(&words(name).join(" "));
            lists[h as usize % buckets].push((h, id));
        }
    }
    let files = lists
        .into_iter()
        .enumerate()
        .map(|(b, mut list)| {
            list.sort_unstable();
            list.dedup();
            let flat: Vec<String> = list.iter().map(|(h, id)| format!("{h},{id}")).collect();
            SearchFile {
                path: format!("h/{b}.js"),
                bytes: format!("lore._h({b},[{}]);\n", flat.join(",")).into_bytes(),
            }
        })
        .collect();
    (files, buckets)
}

/// FNV-1a over UTF-16 code units, as search.js computes it.
pub fn title_hash(folded: &str) -> u32 {
    folded.encode_utf16().fold(0x811c_9dc5u32, |h, unit| {
        (h ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}
