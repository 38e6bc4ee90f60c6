//! The search index: a classic script (`search-index.js`) that sets
//! `window.LORE_SEARCH`, so search works from `file://` where fetch and
//! modules are blocked. Each note keeps its best terms by BM25 weight,
//! quantised to 1–255; each term's postings are capped, so the index grows
//! with the number of notes, not with notes × vocabulary. It may not know
//! about templates, the theme or the file system.

use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write;

/// Terms kept per note (besides every title term): enough to find a note
/// by what it is about, small enough to keep the index near 0.5 KB a note.
const TERMS_PER_DOC: usize = 48;
/// Notes kept per term: the best-scoring ones. A query on a word that
/// hundreds of notes share lists the best of them, not all.
const POSTINGS_PER_TERM: usize = 400;
/// Words longer than this are noise (hashes, URLs) and bloat the index.
const MAX_TERM_CHARS: usize = 40;
/// A title word counts as this many body words.
const TITLE_WEIGHT: f32 = 4.0;
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// One note as the index sees it.
pub struct SearchDoc<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub date: String,
    pub summary: &'a str,
    pub terms: Analyzed,
}

/// A note's weighted term frequencies and length.
#[derive(Debug, Default)]
pub struct Analyzed {
    pub tf: Vec<(String, f32)>,
    pub title_terms: Vec<String>,
    pub length: f32,
}

/// Counts a note's terms, title words weighted higher.
pub fn analyze(title: &str, text: &str) -> Analyzed {
    let mut tf: HashMap<String, f32> = HashMap::default();
    let mut length = 0.0;
    for_each_token(text, |token| {
        count(&mut tf, token, 1.0);
        length += 1.0;
    });
    let mut title_terms = Vec::new();
    for_each_token(title, |token| {
        count(&mut tf, token, TITLE_WEIGHT);
        title_terms.push(token.to_lowercase());
    });
    let mut tf: Vec<(String, f32)> = tf.into_iter().collect();
    tf.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Analyzed {
        tf,
        title_terms,
        length,
    }
}

/// Calls `f` with each token as written (not yet lowercased): runs of
/// letters and digits, split the way search.js splits queries.
fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if !raw.is_empty() && (raw.len() <= MAX_TERM_CHARS || raw.chars().count() <= MAX_TERM_CHARS)
        {
            f(raw);
        }
    }
}

/// Adds `weight` to a token's count, allocating only for a new term or a
/// token that needs lowercasing (most words are already lowercase ASCII).
fn count(tf: &mut HashMap<String, f32>, raw: &str, weight: f32) {
    let lower: std::borrow::Cow<'_, str> =
        if raw.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            raw.into()
        } else {
            raw.to_lowercase().into()
        };
    match tf.get_mut(lower.as_ref()) {
        Some(n) => *n += weight,
        None => {
            tf.insert(lower.into_owned(), weight);
        }
    }
}

/// Builds `search-index.js`.
pub fn build(docs: &[SearchDoc<'_>]) -> String {
    use rayon::prelude::*;
    let n = docs.len().max(1) as f32;
    let df = docs
        .par_iter()
        .fold(HashMap::<&str, u32>::default, |mut df, doc| {
            for (term, _) in &doc.terms.tf {
                *df.entry(term.as_str()).or_default() += 1;
            }
            df
        })
        .reduce(HashMap::default, |mut a, b| {
            for (term, count) in b {
                *a.entry(term).or_default() += count;
            }
            a
        });
    let average = (docs.iter().map(|d| d.terms.length).sum::<f32>() / n).max(1.0);
    let kept: Vec<Vec<(&str, f32)>> = docs
        .par_iter()
        .map(|doc| best_terms(doc, &df, n, average))
        .collect();
    let mut postings: HashMap<&str, Vec<(u32, f32)>> = HashMap::default();
    let mut best = 0f32;
    for (id, terms) in kept.into_iter().enumerate() {
        for (term, score) in terms {
            best = best.max(score);
            postings.entry(term).or_default().push((id as u32, score));
        }
    }
    let mut terms: Vec<(&str, Vec<(u32, f32)>)> = postings.into_iter().collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    write_index(docs, &mut terms, best.max(f32::MIN_POSITIVE))
}

/// A note's terms worth indexing, with their BM25 weight: its best
/// `TERMS_PER_DOC` and every title word.
fn best_terms<'d>(
    doc: &'d SearchDoc<'_>,
    df: &HashMap<&str, u32>,
    n: f32,
    average: f32,
) -> Vec<(&'d str, f32)> {
    let norm = K1 * (1.0 - B + B * doc.terms.length / average);
    let mut scored: Vec<(&str, f32)> = doc
        .terms
        .tf
        .iter()
        .map(|(term, tf)| {
            let d = df.get(term.as_str()).copied().unwrap_or(1) as f32;
            let idf = (1.0 + (n - d + 0.5) / (d + 0.5)).ln();
            (term.as_str(), idf * tf * (K1 + 1.0) / (tf + norm))
        })
        .collect();
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut kept: Vec<(&str, f32)> =
        Vec::with_capacity(TERMS_PER_DOC + doc.terms.title_terms.len());
    for (rank, (term, score)) in scored.into_iter().enumerate() {
        if rank < TERMS_PER_DOC || doc.terms.title_terms.iter().any(|t| t == term) {
            kept.push((term, score));
        }
    }
    kept
}

fn write_index(docs: &[SearchDoc<'_>], terms: &mut [(&str, Vec<(u32, f32)>)], best: f32) -> String {
    let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from("window.LORE_SEARCH={\"v\":1,\"docs\":[");
    for (i, doc) in docs.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            out,
            "{sep}[{},{},{},{}]",
            json(doc.title),
            json(doc.url),
            json(&doc.date),
            json(doc.summary)
        );
    }
    out.push_str("],\"terms\":[");
    for (i, (term, _)) in terms.iter().enumerate() {
        out.push_str(if i == 0 { "" } else { "," });
        out.push_str(&json(term));
    }
    out.push_str("],\"postings\":[");
    for (i, (_, list)) in terms.iter_mut().enumerate() {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list.truncate(POSTINGS_PER_TERM);
        out.push_str(if i == 0 { "[" } else { ",[" });
        for (j, (doc, score)) in list.iter().enumerate() {
            let quantised = ((score / best) * 255.0).round().clamp(1.0, 255.0) as u32;
            let _ = write!(out, "{}{doc},{quantised}", if j == 0 { "" } else { "," });
        }
        out.push(']');
    }
    out.push_str("]};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(title: &'a str, body: &str) -> SearchDoc<'a> {
        SearchDoc {
            title,
            url: "notes/x.html",
            date: String::new(),
            summary: "",
            terms: analyze(title, body),
        }
    }

    #[test]
    fn index_is_a_classic_script_with_terms_and_postings() {
        let index = build(&[
            doc("Rust ownership", "borrow checker"),
            doc("Python", "garbage collector </script>"),
        ]);
        assert!(index.starts_with("window.LORE_SEARCH="));
        let json = index
            .trim_start_matches("window.LORE_SEARCH=")
            .trim_end()
            .trim_end_matches(';');
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let terms: Vec<&str> = value["terms"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        assert!(terms.contains(&"ownership") && terms.contains(&"garbage"));
        assert_eq!(
            value["terms"].as_array().unwrap().len(),
            value["postings"].as_array().unwrap().len()
        );
    }

    #[test]
    fn tokens_match_the_browser_side() {
        let terms: Vec<String> = analyze("", "Café-au-lait, C++ 2024!")
            .tf
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(terms, ["2024", "au", "c", "café", "lait"]);
    }
}
