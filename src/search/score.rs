//! From counted words to postings: the vocabulary, each word's stem, and
//! each (stem, note) pair's BM25F score quantised to one byte. Scores are
//! final at build time, so the browser adds bytes and needs no per-note
//! data (lengths, norms) to rank.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::Settings;
use super::analyze::{Analyzed, FIELD_COUNT, Vocabulary};
use super::text::js_cmp;

/// The words of the notes, their stems and the notes each stem is in.
pub struct Scored {
    /// Every folded word, sorted as JavaScript sorts strings.
    pub words: Vec<Box<str>>,
    /// The stem (index into `stems`) of each word.
    pub stem_of: Vec<u32>,
    /// Every stem, sorted as JavaScript sorts strings.
    pub stems: Vec<Box<str>>,
    /// Postings of stem `s`: `docs[start[s]..start[s + 1]]`, ascending
    /// doc ids, with their one-byte impacts alongside.
    pub start: Vec<usize>,
    pub docs: Vec<u32>,
    pub impacts: Vec<u8>,
}

impl Scored {
    pub fn postings(&self, stem: usize) -> (&[u32], &[u8]) {
        let range = self.start[stem]..self.start[stem + 1];
        (&self.docs[range.clone()], &self.impacts[range])
    }
}

/// Scores every note's stems. `docs` are in doc-id order; each is let go
/// once its stems are listed, before the postings take their memory.
/// `vocabulary` numbered their words (under `lore serve`, it may know
/// words no note has now).
pub fn score(docs: Vec<Analyzed>, vocabulary: &Vocabulary, settings: &Settings) -> Scored {
    let stemmer = super::stem::for_language(&settings.language);
    // BM25F's length normalisation per field needs the average lengths.
    let n = docs.len().max(1) as f32;
    let mut average = [0f32; FIELD_COUNT];
    for doc in &docs {
        for (a, &l) in average.iter_mut().zip(&doc.lengths) {
            *a += l as f32 / n;
        }
    }
    let norm = |doc: &Analyzed| -> [f32; FIELD_COUNT] {
        std::array::from_fn(|f| {
            let ratio = if average[f] > 0.0 {
                doc.lengths[f] as f32 / average[f]
            } else {
                1.0
            };
            settings.weights[f] / (1.0 - settings.b + settings.b * ratio)
        })
    };
    let per_thread = docs.len().div_ceil(rayon::current_num_threads()).max(1);
    let mut every_word = vocabulary.words();
    // The words the notes have: marked per thread, then merged.
    let used = docs
        .par_chunks(per_thread)
        .map(|chunk| {
            let mut used = vec![false; every_word.len()];
            for (number, _) in chunk.iter().flat_map(Analyzed::iter) {
                used[number as usize] = true;
            }
            used
        })
        .reduce(
            || vec![false; every_word.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        );
    // The words the notes have, sorted as the browser sorts them; and each
    // one's place in byte order, the order a note summed its words in
    // before they were numbered (float sums depend on their order).
    let mut numbers: Vec<u32> = (0..every_word.len() as u32)
        .filter(|&i| used[i as usize])
        .collect();
    numbers.par_sort_unstable_by(|&a, &b| js_cmp(&every_word[a as usize], &every_word[b as usize]));
    let mut by_bytes = numbers.clone();
    by_bytes.par_sort_unstable_by(|&a, &b| every_word[a as usize].cmp(&every_word[b as usize]));
    let mut byte_rank = vec![0u32; every_word.len()];
    for (rank, &number) in by_bytes.iter().enumerate() {
        byte_rank[number as usize] = rank as u32;
    }
    drop(by_bytes);
    let words: Vec<Box<str>> = numbers
        .iter()
        .map(|&i| std::mem::take(&mut every_word[i as usize]))
        .collect();
    drop(every_word);
    let stemmed: Vec<String> = words
        .par_iter()
        .map(|w| super::stem::stem(stemmer.as_ref(), w))
        .collect();
    let mut stems: Vec<&str> = stemmed.iter().map(String::as_str).collect();
    stems.par_sort_unstable_by(|a, b| js_cmp(a, b));
    stems.dedup();
    let stem_id: HashMap<&str, u32> = stems
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i as u32))
        .collect();
    let stem_of: Vec<u32> = stemmed.iter().map(|s| stem_id[s.as_str()]).collect();
    let mut stem_of_number = vec![0u32; used.len()];
    for (&number, &stem) in numbers.iter().zip(&stem_of) {
        stem_of_number[number as usize] = stem;
    }

    // Per note: its stems with their summed BM25F term frequency (counts
    // per field, weighted and length-normalised), by stem. Each note's
    // counted words go as its list is made: the lists are the larger
    // (8 bytes a pair, 40 million pairs at 100,000 notes), so the two are
    // never held whole at once.
    let per_doc: Vec<Vec<(u32, f32)>> = docs
        .into_par_iter()
        .map(|doc| stems_of(doc, norm, (&stem_of_number, &byte_rank)))
        .collect();

    // Document frequencies, counted per thread and summed: 40 million
    // (stem, note) pairs at 100,000 notes.
    let df: Vec<u32> = per_doc
        .par_chunks(per_thread)
        .map(|chunk| {
            let mut counts = vec![0u32; stems.len()];
            for &(s, _) in chunk.iter().flatten() {
                counts[s as usize] += 1;
            }
            counts
        })
        .reduce(
            || vec![0u32; stems.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let k1 = settings.k1;
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln())
        .collect();
    let bm25 = |s: u32, tf: f32| idf[s as usize] * tf * (k1 + 1.0) / (tf + k1);
    let best = per_doc
        .par_iter()
        .map(|t| t.iter().map(|&(s, tf)| bm25(s, tf)).fold(0f32, f32::max))
        .reduce(|| 0.0, f32::max)
        .max(f32::MIN_POSITIVE);

    let mut start = Vec::with_capacity(stems.len() + 1);
    let mut total = 0usize;
    for &d in &df {
        start.push(total);
        total += d as usize;
    }
    start.push(total);
    let mut ids = vec![0u32; total];
    let mut impacts = vec![0u8; total];
    // The postings, filled in parallel: each piece is a range of stems (of
    // about equal postings) with its own part of `ids` and `impacts`, and
    // takes its stems from every note's (stem-sorted) list.
    let pieces = rayon::current_num_threads() * 4;
    let per_piece = total.div_ceil(pieces).max(1);
    let mut bounds = vec![0usize];
    for s in 0..stems.len() {
        if start[s + 1] - start[bounds[bounds.len() - 1]] >= per_piece {
            bounds.push(s + 1);
        }
    }
    if bounds[bounds.len() - 1] != stems.len() {
        bounds.push(stems.len());
    }
    let mut parts = Vec::with_capacity(bounds.len());
    let (mut ids_rest, mut impacts_rest) = (&mut ids[..], &mut impacts[..]);
    for w in bounds.windows(2) {
        let len = start[w[1]] - start[w[0]];
        let (i, rest) = std::mem::take(&mut ids_rest).split_at_mut(len);
        let (m, more) = std::mem::take(&mut impacts_rest).split_at_mut(len);
        (ids_rest, impacts_rest) = (rest, more);
        parts.push((w[0] as u32, w[1] as u32, i, m));
    }
    parts.into_par_iter().for_each(|(lo, hi, ids, impacts)| {
        let base = start[lo as usize];
        let mut cursor: Vec<usize> = start[lo as usize..hi as usize]
            .iter()
            .map(|&x| x - base)
            .collect();
        for (doc, terms) in per_doc.iter().enumerate() {
            let from = terms.partition_point(|t| t.0 < lo);
            for &(s, tf) in terms[from..].iter().take_while(|t| t.0 < hi) {
                let at = &mut cursor[(s - lo) as usize];
                ids[*at] = doc as u32;
                impacts[*at] = (bm25(s, tf) / best * 255.0).round().clamp(1.0, 255.0) as u8;
                *at += 1;
            }
        }
    });
    drop((stem_of_number, byte_rank));
    Scored {
        words,
        stem_of,
        stems: stems.into_iter().map(Box::from).collect(),
        start,
        docs: ids,
        impacts,
    }
}

/// A note's stems with their summed term frequency, sorted by stem. A
/// stem's words are summed in byte order (`byte_rank`): the order a note
/// summed them in before words were numbered, which the scores keep.
fn stems_of(
    doc: Analyzed,
    norm: impl Fn(&Analyzed) -> [f32; FIELD_COUNT],
    (stem_of_number, byte_rank): (&[u32], &[u32]),
) -> Vec<(u32, f32)> {
    let norm = norm(&doc);
    let mut terms: Vec<(u32, u32, f32)> = doc
        .iter()
        .map(|(number, counts)| {
            let tf: f32 = counts.iter().zip(&norm).map(|(&c, &k)| c as f32 * k).sum();
            let n = number as usize;
            (stem_of_number[n], byte_rank[n], tf)
        })
        .collect();
    drop(doc);
    terms.sort_unstable_by_key(|t| (t.0, t.1));
    let mut stems: Vec<(u32, f32)> = Vec::with_capacity(terms.len());
    for (stem, _, tf) in terms {
        match stems.last_mut() {
            Some(last) if last.0 == stem => last.1 += tf,
            _ => stems.push((stem, tf)),
        }
    }
    stems.shrink_to_fit();
    stems
}
