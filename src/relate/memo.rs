//! What phase 1 made of each note (its term counts, tags, authors and
//! body length), kept by `lore serve` from one rebuild to the next so that
//! a rebuild tokenises only the notes that changed. Plain data the caller
//! takes and gives back; `lore build` keeps none.
//!
//! Term ids here are the memo's own, stable from build to build; each run
//! numbers the global terms afresh in order of first occurrence in the
//! document sequence, as a run without a memo does, so both give
//! bit-identical lists.

use std::collections::HashSet;

use rustc_hash::FxHasher;

use super::*;

/// Phase 1 of every note seen in the last run, by what it depends on.
#[derive(Default)]
pub struct Memo {
    /// Term → memo term id.
    ids: FastMap<Box<str>, u32>,
    /// Memo term id → whether it is a tag or author.
    is_special: Vec<bool>,
    /// A note's key (see [`key`]) → its counts.
    notes: FastMap<Key, Counted>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("relate::Memo")
            .field("terms", &self.is_special.len())
            .field("notes", &self.notes.len())
            .field(
                "bytes",
                &self
                    .notes
                    .values()
                    .map(|c| c.text.len() + std::mem::size_of_val(&*c.special))
                    .sum::<usize>(),
            )
            .finish()
    }
}

/// One note's counts, with memo term ids (see [`Counts`]).
struct Counted {
    text: Box<[u8]>,
    special: Box<[(u32, f32)]>,
    len: u32,
}

/// Past this many terms no note uses any more (and more than the notes
/// use), the memo starts again: edits leave old words behind.
const MOST_UNUSED: usize = 1 << 16;

impl Memo {
    /// Counts the documents the memo has not seen, forgets those no
    /// longer given, and returns every document's key.
    pub(super) fn learn(&mut self, docs: &[RelateDoc<'_>], weights: &Weights) -> Vec<Key> {
        let keys: Vec<Key> = docs.par_iter().map(|d| key(d, weights)).collect();
        let live: HashSet<&Key, BuildHasherDefault<FastHasher>> = keys.iter().collect();
        self.notes.retain(|k, _| live.contains(k));
        let mut new: HashSet<&Key, BuildHasherDefault<FastHasher>> = HashSet::default();
        let (unseen, unseen_keys): (Vec<RelateDoc<'_>>, Vec<Key>) = docs
            .iter()
            .zip(&keys)
            .filter(|(_, k)| !self.notes.contains_key(*k) && new.insert(*k))
            .map(|(d, k)| (*d, *k))
            .unzip();
        drop(new);
        drop(live);
        let chunks = count(&unseen, weights);
        let mut unseen_keys = unseen_keys.into_iter();
        for chunk in chunks {
            let ids: Vec<u32> = chunk.terms.iter().map(|t| self.intern(t)).collect();
            for counts in chunk.docs() {
                let counted = Counted {
                    text: renumber(counts.text, &ids),
                    special: counts
                        .special
                        .iter()
                        .map(|&(t, f)| (ids.get(t as usize).copied().unwrap_or(0), f))
                        .collect(),
                    len: counts.len,
                };
                if let Some(key) = unseen_keys.next() {
                    self.notes.insert(key, counted);
                }
            }
        }
        keys
    }

    fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.is_special.len() as u32;
        self.ids.insert(Box::from(term), id);
        self.is_special.push(term.starts_with(['#', '@']));
        id
    }

    /// Every document's counts, by key (each key was learnt).
    pub(super) fn counts(&self, keys: &[Key]) -> Vec<Counts<'_>> {
        keys.iter()
            .map(|k| match self.notes.get(k) {
                Some(c) => Counts {
                    text: &c.text,
                    special: &c.special,
                    len: c.len,
                },
                None => Counts {
                    text: &[],
                    special: &[],
                    len: 0,
                },
            })
            .collect()
    }

    /// Global document frequencies, global term id → whether a tag or
    /// author, and memo term id → global id (`u32::MAX` if unused): ids in
    /// order of first occurrence in the documents, as `merge_vocabularies`
    /// numbers them. In parallel parts, merged in order.
    pub(super) fn global_ids(&self, counts: &[Counts<'_>]) -> (Vec<u32>, Vec<bool>, Vec<u32>) {
        let vocabulary = self.is_special.len();
        let part_len = counts
            .len()
            .div_ceil(rayon::current_num_threads().max(1) * 2)
            .max(1);
        let parts: Vec<(Vec<u32>, Vec<u32>)> = counts
            .par_chunks(part_len)
            .map(|part| first_occurrences(part, vocabulary))
            .collect();
        let mut remap = vec![u32::MAX; vocabulary];
        let mut df: Vec<u32> = Vec::new();
        let mut special: Vec<bool> = Vec::new();
        for (terms, part_df) in parts {
            for (m, d) in terms.into_iter().zip(part_df) {
                let Some(g) = remap.get_mut(m as usize) else {
                    continue;
                };
                if *g == u32::MAX {
                    *g = df.len() as u32;
                    df.push(0);
                    special.push(self.is_special.get(m as usize).copied().unwrap_or(false));
                }
                if let Some(total) = df.get_mut(*g as usize) {
                    *total += d;
                }
            }
        }
        (df, special, remap)
    }

    /// Starts again when most of the memo's words are no note's any more.
    pub(super) fn tidy(&mut self, used: usize) {
        if self.is_special.len() > 2 * used + MOST_UNUSED {
            *self = Memo::default();
        }
    }
}

/// The memo term ids `counts` use, in order of first occurrence, and how
/// many of the documents use each.
fn first_occurrences(counts: &[Counts<'_>], vocabulary: usize) -> (Vec<u32>, Vec<u32>) {
    let mut local = vec![u32::MAX; vocabulary];
    let mut terms: Vec<u32> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut seen = |m: u64| {
        let Some(l) = local.get_mut(m as usize) else {
            return;
        };
        if *l == u32::MAX {
            *l = terms.len() as u32;
            terms.push(m as u32);
            df.push(0);
        }
        if let Some(d) = df.get_mut(*l as usize) {
            *d += 1;
        }
    };
    for c in counts {
        let mut pos = 0;
        while let Some(key) = get_varint(c.text, &mut pos) {
            get_varint(c.text, &mut pos);
            if key & 1 == 1 {
                get_varint(c.text, &mut pos);
            }
            seen(key >> 1);
        }
        for &(m, _) in c.special {
            seen(u64::from(m));
        }
    }
    (terms, df)
}

/// A document's varints (see [`Chunk::text`]) with its term ids mapped by `ids`.
fn renumber(text: &[u8], ids: &[u32]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 4);
    let mut pos = 0;
    while let Some(key) = get_varint(text, &mut pos) {
        let id = ids.get((key >> 1) as usize).copied().unwrap_or(0);
        put_varint(&mut out, u64::from(id) << 1 | (key & 1));
        put_varint(&mut out, get_varint(text, &mut pos).unwrap_or(0));
        if key & 1 == 1 {
            put_varint(&mut out, get_varint(text, &mut pos).unwrap_or(0));
        }
    }
    out.into_boxed_slice()
}

/// A hash of everything phase 1 reads of a document (its title, body,
/// tags and authors, and the tag and author factors), and the body's
/// length. Not a cryptographic hash: the key only decides whether a note's
/// counts are counted again, and in `lore serve` notes change by the
/// user's hand; it reads the bytes several times faster than BLAKE3, which
/// matters when every note is hashed on every rebuild.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Key(u64, usize);

fn key(doc: &RelateDoc<'_>, weights: &Weights) -> Key {
    let mut hasher = FxHasher::default();
    hasher.write_u32(weights.tag.to_bits());
    hasher.write_u32(weights.author.to_bits());
    for text in [doc.title, doc.body] {
        hasher.write(text.as_bytes());
    }
    for list in [doc.tags, doc.authors] {
        hasher.write_usize(list.len());
        for text in list {
            hasher.write(text.as_bytes());
        }
    }
    Key(hasher.finish(), doc.body.len())
}
