//! From counted words to postings: the vocabulary, each word's stem, and
//! each (stem, note) pair's BM25F score quantised to one byte. Scores are
//! final at build time, so the browser adds bytes and needs no per-note
//! data (lengths, norms) to rank.

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::Settings;
use super::analyze::{Analyzed, FIELD_COUNT};
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

/// One thread's share of the notes: the words it saw, numbered in the
/// order first seen, and every note's words as those numbers, in the order
/// [`Analyzed::iter`] gives them.
struct Interned<'a> {
    words: Vec<&'a str>,
    ids: Vec<u32>,
}

fn intern(share: &[Analyzed]) -> Interned<'_> {
    let mut number = HashMap::<&str, u32>::default();
    let mut words = Vec::new();
    let mut ids = Vec::new();
    for doc in share {
        for (word, _) in doc.iter() {
            let id = *number.entry(word).or_insert_with(|| {
                words.push(word);
                (words.len() - 1) as u32
            });
            ids.push(id);
        }
    }
    Interned { words, ids }
}

/// `parts` ranges of stems (`lo..hi`) holding about as many postings each;
/// `start` is each stem's first posting, then the total.
fn stem_ranges(start: &[usize], parts: usize) -> Vec<(usize, usize)> {
    let stems = start.len().saturating_sub(1);
    let total = start.last().copied().unwrap_or(0);
    let parts = parts.max(1);
    let mut ranges = Vec::with_capacity(parts);
    let mut lo = 0;
    for k in 1..parts {
        let goal = total * k / parts;
        let hi = start[..stems].partition_point(|&p| p < goal).max(lo);
        ranges.push((lo, hi));
        lo = hi;
    }
    ranges.push((lo, stems));
    ranges
}

/// Scores every note's stems. `docs` are in doc-id order.
pub fn score(docs: &[Analyzed], settings: &Settings) -> Scored {
    let stemmer = super::stem::for_language(&settings.language);
    // Each thread numbers the words of its share of the notes, hashing a
    // word once per note it is in; the vocabulary is then merged from
    // those numberings, and notes find their stems by number, not by
    // hashing their words a second time.
    let per_thread = docs.len().div_ceil(rayon::current_num_threads()).max(1);
    let interned: Vec<Interned<'_>> = docs.par_chunks(per_thread).map(intern).collect();
    let mut vocabulary = HashSet::<&str>::default();
    for share in &interned {
        vocabulary.extend(share.words.iter().copied());
    }
    let mut words: Vec<&str> = vocabulary.into_iter().collect();
    words.par_sort_unstable_by(|a, b| js_cmp(a, b));
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
    let stem_of_word: HashMap<&str, u32> =
        words.iter().zip(&stem_of).map(|(w, &s)| (*w, s)).collect();
    // Each thread's numbering, as stems.
    let stems_of_share: Vec<Vec<u32>> = interned
        .par_iter()
        .map(|share| share.words.iter().map(|w| stem_of_word[w]).collect())
        .collect();

    // Per note: its stems with BM25F's saturated, length-normalised weight.
    let n = docs.len().max(1) as f32;
    let mut average = [0f32; FIELD_COUNT];
    for doc in docs {
        for (a, &l) in average.iter_mut().zip(&doc.lengths) {
            *a += l as f32 / n;
        }
    }
    let per_doc: Vec<Vec<(u32, f32)>> = docs
        .par_chunks(per_thread)
        .zip(&interned)
        .zip(&stems_of_share)
        .flat_map_iter(|((share, numbered), stem_of_number)| {
            let mut next = numbered.ids.iter();
            share.iter().map(move |doc| {
                let norm: [f32; FIELD_COUNT] = std::array::from_fn(|f| {
                    let ratio = if average[f] > 0.0 {
                        doc.lengths[f] as f32 / average[f]
                    } else {
                        1.0
                    };
                    settings.weights[f] / (1.0 - settings.b + settings.b * ratio)
                });
                let mut terms: Vec<(u32, f32)> = doc
                    .iter()
                    .zip(next.by_ref())
                    .map(|((_, counts), &number)| {
                        let tf: f32 = counts.iter().zip(&norm).map(|(&c, &k)| c as f32 * k).sum();
                        (stem_of_number[number as usize], tf)
                    })
                    .collect();
                terms.sort_unstable_by_key(|t| t.0);
                terms.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    if same {
                        a.1 += b.1;
                    }
                    same
                });
                terms
            })
        })
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
    // The postings, filled by one thread per range of stems: each range's
    // postings are one stretch of the arrays, so the threads write apart.
    let ranges = stem_ranges(&start, rayon::current_num_threads());
    let mut stretches = Vec::with_capacity(ranges.len());
    let (mut ids_left, mut impacts_left) = (&mut ids[..], &mut impacts[..]);
    for &(lo, hi) in &ranges {
        let len = start[hi] - start[lo];
        let (ids_here, ids_rest) = std::mem::take(&mut ids_left).split_at_mut(len);
        let (impacts_here, impacts_rest) = std::mem::take(&mut impacts_left).split_at_mut(len);
        (ids_left, impacts_left) = (ids_rest, impacts_rest);
        stretches.push((lo, hi, ids_here, impacts_here));
    }
    stretches
        .into_par_iter()
        .for_each(|(lo, hi, ids_here, impacts_here)| {
            let mut cursor: Vec<usize> = (lo..hi).map(|s| start[s] - start[lo]).collect();
            for (doc, terms) in per_doc.iter().enumerate() {
                // A note's stems are sorted: its part of this range is one run.
                let from = terms.partition_point(|t| (t.0 as usize) < lo);
                let to = terms.partition_point(|t| (t.0 as usize) < hi);
                for &(s, tf) in &terms[from..to] {
                    let at = &mut cursor[s as usize - lo];
                    ids_here[*at] = doc as u32;
                    impacts_here[*at] =
                        (bm25(s, tf) / best * 255.0).round().clamp(1.0, 255.0) as u8;
                    *at += 1;
                }
            }
        });
    Scored {
        words: words.into_iter().map(Box::from).collect(),
        stem_of,
        stems: stems.into_iter().map(Box::from).collect(),
        start,
        docs: ids,
        impacts,
    }
}

#[cfg(test)]
mod tests {
    use super::stem_ranges;

    #[test]
    fn stem_ranges_cover_every_stem_once_with_postings_shared_out() {
        // Four stems with 5, 1, 1 and 5 postings.
        let start = [0, 5, 6, 7, 12];
        assert_eq!(stem_ranges(&start, 2), [(0, 2), (2, 4)]);
        assert_eq!(stem_ranges(&start, 1), [(0, 4)]);
        let many = stem_ranges(&start, 8);
        assert_eq!(many.first().map(|r| r.0), Some(0));
        assert_eq!(many.last().map(|r| r.1), Some(4));
        assert!(
            many.windows(2)
                .all(|w| w[0].1 == w[1].0 && w[0].0 <= w[0].1)
        );
        assert_eq!(stem_ranges(&[0], 2).last(), Some(&(0, 0)), "no stems");
    }
}
