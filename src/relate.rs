//! Related-note scoring: for every note, which other notes are most related.
//!
//! This stage owns the scoring and nothing else. It takes plain data
//! ([`RelateDoc`]: title, markdown body, tags, authors, date) and returns
//! plain data (indices and scores). It may not mutate notes, read files, or
//! know about HTML, templates or rendering; the pipeline maps the indices back
//! to note names.
//!
//! # Scoring
//!
//! Each note becomes one sparse, L2-normalised vector; the score of a pair is
//! the dot product (cosine) of their vectors, optionally boosted a little when
//! the two notes are close in time (see [`RelateConfig::date_weight`]).
//!
//! - **Text.** Title and body are tokenised (lowercase, split on anything not
//!   alphanumeric, tokens of 2..=40 characters that are not all digits); URLs
//!   and markdown link destinations are skipped, code is kept (identifiers name
//!   tools). English stop words are dropped and a small suffix-stripping
//!   stemmer folds plurals and `-ing`/`-ed`/`-ly` forms. A term weighs
//!   `(sub(tf_body) + title_weight * sub(tf_title)) * idf` with sublinear
//!   `sub(tf) = 1 + ln(tf)` and smooth `idf = ln((1 + N) / (1 + df)) + 1`.
//!   Only the [`RelateConfig::max_terms`] heaviest terms are kept (terms used
//!   by a single note are dropped first: they can never be shared), then the
//!   text part is normalised to length 1.
//! - **Tags and authors.** Each tag (and author) is a special term, added on top
//!   of the unit text part with weight `tag_weight * 0.5 * idf / idf_max`
//!   (`author_weight` for authors), so a tag only two notes share counts
//!   about as much as a quarter of a perfect text match (at the default
//!   `tag_weight` 1.0) and a tag on every note counts next to nothing. The
//!   whole vector is then normalised again.
//!
//! Titles carry `title_weight`, which is what makes the parts of a series
//! ("Building X, part 1", "[2/2] Building X") find each other.
//!
//! # Scale
//!
//! Nothing here compares all pairs. (1) Documents are tokenised in parallel
//! chunks (each with its own vocabulary, merged afterwards) and pruned to
//! their top terms; (2) an inverted index maps each term to
//! its postings, and each postings list is capped to its
//! [`RelateConfig::max_postings`] heaviest entries, so very common terms and
//! tags cost a bounded amount; (3) each document, in parallel, accumulates dot
//! products over its terms' capped postings in a dense per-thread accumulator
//! and keeps the best [`RelateConfig::max_related`]. Work and memory are
//! linear in the input size. The capping is an approximation: two notes that
//! share only very common terms, in neither of which they are among the
//! heaviest postings, are not seen as related.
//!
//! # Determinism
//!
//! The same input gives bit-identical output whatever the number of threads:
//! terms are interned in order of first occurrence in the document sequence,
//! every floating-point sum runs in a fixed order (terms by id, postings by
//! document), and every ranking breaks ties by id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

/// What relate needs to know about one note.
pub struct RelateDoc<'a> {
    /// The note title (its terms weigh `title_weight`).
    pub title: &'a str,
    /// The markdown body.
    pub body: &'a str,
    /// Tags, as written (case, surrounding space and a leading `#` are ignored).
    pub tags: &'a [String],
    /// Authors, as written (case and surrounding space are ignored).
    pub authors: &'a [String],
    /// Publication time in unix seconds, if known.
    pub date: Option<i64>,
}

/// Weights and limits. Non-finite or negative weights count as 0.
#[derive(Debug, Clone)]
pub struct RelateConfig {
    /// How many related notes to return per note, best first (default 5;
    /// 0 returns empty lists).
    pub max_related: usize,
    /// How much a title occurrence of a term counts against a body occurrence,
    /// on the sublinear scale (default 3.0: a term used once in the title
    /// weighs like one used about 20 times in the body).
    pub title_weight: f32,
    /// Weight of a shared tag (default 1.0). Scaled by how rare the tag is:
    /// a tag only two notes carry adds about 0.25 to the raw (unnormalised)
    /// dot product, a tag on every note close to nothing.
    pub tag_weight: f32,
    /// Weight of a shared author, scaled by rarity like tags (default 0.5).
    pub author_weight: f32,
    /// Pairs whose content score (before the date boost) is below this are
    /// not related (default 0.05; scores are cosines in 0..=1).
    pub min_score: f32,
    /// How many text terms each note keeps, heaviest first (default 32;
    /// 0 keeps all). Tags and authors are kept on top of these.
    pub max_terms: usize,
    /// How many notes each term's postings list keeps, heaviest first
    /// (default 128; 0 keeps all, which is exact but quadratic for terms or
    /// tags that many notes share).
    pub max_postings: usize,
    /// Boost for notes close in time: a related note's score is multiplied by
    /// `1 + date_weight * exp(-days_apart / date_scale_days)` when both notes
    /// have a date (default 0.1; 0 turns it off). It reorders related notes,
    /// it never makes unrelated notes related.
    pub date_weight: f32,
    /// Time scale of the date boost, in days (default 30.0).
    pub date_scale_days: f32,
}

impl Default for RelateConfig {
    fn default() -> Self {
        RelateConfig {
            max_related: 5,
            title_weight: 3.0,
            tag_weight: 1.0,
            author_weight: 0.5,
            min_score: 0.05,
            max_terms: 32,
            max_postings: 128,
            date_weight: 0.1,
            date_scale_days: 30.0,
        }
    }
}

/// For each doc (same order), its related docs as (index, score), best first
/// (ties by lower index), never itself, at most `max_related`. Runs on the
/// current rayon pool. (Past `u32::MAX` docs every list is empty.)
pub fn related(docs: &[RelateDoc<'_>], config: &RelateConfig) -> Vec<Vec<(u32, f32)>> {
    let n = docs.len();
    if config.max_related == 0 || n < 2 || u32::try_from(n).is_err() {
        return vec![Vec::new(); n];
    }
    let model = Model::build(docs, config, false);
    let select = model.select(docs, config);
    model
        .vectors
        .par_iter()
        .enumerate()
        .map_init(
            || Scratch::new(n),
            |scratch, (d, vector)| select.related(d as u32, vector, scratch),
        )
        .collect()
}

/// Why one note is related to another: the score and the shared terms
/// that weigh most in it (stems; `#tag` and `@author` for those).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub index: u32,
    pub score: f32,
    /// (term, share of the score), heaviest first.
    pub shared: Vec<(String, f32)>,
}

/// The related notes of `docs[target]`, as [`related`] finds them, each
/// with the terms that made it related.
pub fn explain(docs: &[RelateDoc<'_>], config: &RelateConfig, target: usize) -> Vec<Explained> {
    let n = docs.len();
    if config.max_related == 0 || n < 2 || target >= n || u32::try_from(n).is_err() {
        return Vec::new();
    }
    let model = Model::build(docs, config, true);
    let select = model.select(docs, config);
    let mut scratch = Scratch::new(n);
    let Some(vector) = model.vectors.get(target) else {
        return Vec::new();
    };
    let related = select.related(target as u32, vector, &mut scratch);
    related
        .into_iter()
        .map(|(other, score)| {
            let theirs = model
                .vectors
                .get(other as usize)
                .map_or(&[][..], Vec::as_slice);
            let mut shared: Vec<(String, f32)> = vector
                .iter()
                .filter_map(|&(term, w)| {
                    let w2 = theirs
                        .binary_search_by_key(&term, |e| e.0)
                        .ok()
                        .and_then(|i| theirs.get(i))?
                        .1;
                    let name = model.names.get(term as usize)?;
                    Some((name.to_string(), w * w2))
                })
                .collect();
            shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            shared.truncate(8);
            Explained {
                index: other,
                score,
                shared,
            }
        })
        .collect()
}

/// Phases 1 to 3: every document's pruned vector and the capped index.
struct Model {
    vectors: Vec<Vec<(u32, f32)>>,
    index: Index,
    /// Global term id → term, only when asked for (explanations).
    names: Vec<Box<str>>,
}

impl Model {
    fn build(docs: &[RelateDoc<'_>], config: &RelateConfig, with_names: bool) -> Model {
        let n = docs.len();
        let weights = Weights::new(config);

        // (1) Tokenise and count, in parallel chunks with chunk-local vocabularies.
        let chunk_len = n.div_ceil(64).clamp(32, 1024);
        let chunks: Vec<Chunk> = docs
            .par_chunks(chunk_len)
            .map(|chunk| build_chunk(chunk, &weights))
            .collect();

        // Merge the vocabularies: global ids in order of first occurrence.
        let (df, remaps) = merge_vocabularies(&chunks);
        let names = if with_names {
            global_names(&chunks, &remaps, df.len())
        } else {
            Vec::new()
        };

        // (2) Prune each document to its top terms, in parallel.
        let n_f64 = n as f64;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| (((1.0 + n_f64) / (1.0 + f64::from(d))).ln() + 1.0) as f32)
            .collect();
        let idf_max = (((1.0 + n_f64) / 2.0).ln() + 1.0) as f32;
        let pruning = Pruning {
            title_weight: weights.title,
            sublinear: std::array::from_fn(|tf| sublinear(tf as u32)),
            df: &df,
            idf: &idf,
            idf_max,
            max_terms: config.max_terms,
        };
        let vectors: Vec<Vec<(u32, f32)>> = chunks
            .into_par_iter()
            .zip(remaps.into_par_iter())
            .map(|(chunk, remap)| pruning.vectors(&chunk, &remap))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        drop(idf);

        // (3) Inverted index with capped postings.
        let index = Index::build(&vectors, df.len(), config.max_postings);
        Model {
            vectors,
            index,
            names,
        }
    }

    /// (4) What the per-document selection needs.
    fn select(&self, docs: &[RelateDoc<'_>], config: &RelateConfig) -> Select<'_> {
        let weights = Weights::new(config);
        Select {
            index: &self.index,
            dates: if weights.date_weight > 0.0 {
                docs.iter().map(|doc| doc.date).collect()
            } else {
                Vec::new()
            },
            max_related: config.max_related,
            min_score: weights.min_score,
            date_weight: weights.date_weight,
            date_scale_secs: weights.date_scale_secs,
        }
    }
}

/// Global term id → term, from the chunks' vocabularies.
fn global_names(chunks: &[Chunk], remaps: &[Vec<u32>], len: usize) -> Vec<Box<str>> {
    let mut names: Vec<Box<str>> = vec![Box::from(""); len];
    for (chunk, remap) in chunks.iter().zip(remaps) {
        for (term, &global) in chunk.terms.iter().zip(remap) {
            if let Some(slot) = names.get_mut(global as usize)
                && slot.is_empty()
            {
                slot.clone_from(term);
            }
        }
    }
    names
}

/// Scale of tag and author terms against the unit-length text part.
const SPECIAL_SCALE: f32 = 0.5;
/// Tags (and authors) looked at per note.
const MAX_SPECIALS: usize = 32;
/// Token length bounds, in characters.
const MIN_TOKEN_CHARS: usize = 2;
const MAX_TOKEN_CHARS: usize = 40;
/// Vector entries lighter than this are dropped (keeps products nonzero).
const MIN_WEIGHT: f32 = 1e-9;
/// Up to this many related notes, selection keeps a running floor.
const TRACK_TOP: usize = 64;
/// Marks a raw token that is a stop word.
const STOP: u32 = u32::MAX;

/// The configuration, sanitised.
struct Weights {
    title: f32,
    tag: f32,
    author: f32,
    min_score: f32,
    date_weight: f32,
    date_scale_secs: f32,
}

fn non_negative(x: f32) -> f32 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

impl Weights {
    fn new(config: &RelateConfig) -> Self {
        let scale_days = non_negative(config.date_scale_days);
        Weights {
            title: non_negative(config.title_weight),
            tag: non_negative(config.tag_weight) * SPECIAL_SCALE,
            author: non_negative(config.author_weight) * SPECIAL_SCALE,
            min_score: if config.min_score.is_nan() {
                0.0
            } else {
                config.min_score
            },
            date_weight: if scale_days > 0.0 {
                non_negative(config.date_weight)
            } else {
                0.0
            },
            date_scale_secs: scale_days * 86_400.0,
        }
    }
}

// ---------------------------------------------------------------------------
// Hashing: a small, fast, deterministic hasher for the term maps.

#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

const HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(HASH_K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(word);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            if let Some(dst) = b.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The first 16 bytes of `src[start..start + len]`, zero-padded, as a
/// little-endian `u128`: the whole key of a token of up to 16 bytes.
#[inline]
fn token_head(src: &[u8], start: usize, len: usize) -> u128 {
    let n = len.min(16);
    if let Some(word) = src.get(start..).and_then(|s| s.first_chunk::<16>()) {
        let x = u128::from_le_bytes(*word);
        if n == 16 {
            x
        } else {
            x & ((1u128 << (8 * n)) - 1)
        }
    } else {
        let mut b = [0u8; 16];
        if let (Some(dst), Some(s)) = (b.get_mut(..n), src.get(start..start + n)) {
            dst.copy_from_slice(s);
        }
        u128::from_le_bytes(b)
    }
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

/// A hash of a token, given its head (see [`token_head`]) and bytes.
#[inline]
fn hash_token(head: u128, bytes: &[u8]) -> u32 {
    let len = bytes.len() as u64;
    let mut h = fold_mul(
        head as u64 ^ 0x243f_6a88_85a3_08d3,
        (head >> 64) as u64 ^ 0x1319_8a2e_0370_7344 ^ len,
    );
    if let Some(tail) = bytes.get(16..).filter(|t| !t.is_empty()) {
        let mut t = FastHasher(h);
        t.write(tail);
        h = t.finish();
    }
    (h ^ (h >> 32)) as u32
}

/// One slot of a [`RawTable`]; `len == 0` marks an empty slot (keys are never
/// empty).
#[derive(Clone, Copy, Default)]
struct RawSlot {
    head: u128,
    len: u32,
    hash: u32,
    /// Where the key's bytes start in the arena (only kept for keys longer
    /// than 16 bytes).
    start: u32,
    value: u32,
}

/// Raw token → value, open addressing. This is the hot map of tokenising
/// (one lookup per token): keys of up to 16 bytes live inline in the slot
/// and compare as one `u128`; longer ones also keep their bytes in an arena.
struct RawTable {
    slots: Vec<RawSlot>,
    arena: Vec<u8>,
    len: usize,
}

impl RawTable {
    fn new() -> Self {
        RawTable {
            slots: vec![RawSlot::default(); 1024],
            arena: Vec::new(),
            len: 0,
        }
    }

    /// The slot holding the key, or the empty slot where it belongs.
    #[inline]
    fn find(&self, key: &[u8], head: u128, hash: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(s) = self.slots.get(i) {
            if s.len == 0
                || (s.hash == hash
                    && s.head == head
                    && s.len as usize == key.len()
                    && (key.len() <= 16
                        || self
                            .arena
                            .get(s.start as usize..s.start as usize + key.len())
                            == Some(key)))
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        i
    }

    #[inline]
    fn get(&self, key: &[u8], head: u128, hash: u32) -> Option<u32> {
        let slot = self.slots.get(self.find(key, head, hash))?;
        (slot.len != 0).then_some(slot.value)
    }

    /// Inserts a key known to be absent.
    fn insert(&mut self, key: &[u8], head: u128, hash: u32, value: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(key, head, hash);
        let start = self.arena.len() as u32;
        if key.len() > 16 {
            self.arena.extend_from_slice(key);
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = RawSlot {
                head,
                len: key.len() as u32,
                hash,
                start,
                value,
            };
            self.len += 1;
        }
    }

    fn grow(&mut self) {
        let doubled = vec![RawSlot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.len != 0) {
            let mut i = s.hash as usize & mask;
            while self.slots.get(i).is_some_and(|t| t.len != 0) {
                i = (i + 1) & mask;
            }
            if let Some(t) = self.slots.get_mut(i) {
                *t = s;
            }
        }
    }
}

/// Byte flags for the tokenizer's ASCII fast path.
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const HIGH: u8 = 8;

const fn byte_flags() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = if b >= 0x80 {
            HIGH
        } else if b.is_ascii_digit() {
            ALNUM
        } else if b.is_ascii_lowercase() {
            ALNUM | ALPHA
        } else if b.is_ascii_uppercase() {
            ALNUM | ALPHA | UPPER
        } else {
            0
        };
        i += 1;
    }
    table
}

static FLAGS: [u8; 256] = byte_flags();

#[inline]
fn flags(b: u8) -> u8 {
    FLAGS[usize::from(b)]
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// How many of the 8 bytes in `x` (little-endian) are ASCII alphanumeric
/// before the first one that is not, and the flags (`ALPHA`, `UPPER`) seen
/// in those bytes. Branch-free SWAR: each byte's high bit holds its answer.
#[inline]
fn ascii_alnum_prefix(x: u64) -> (usize, u8) {
    let ascii = !x & HI;
    let x7 = x & !HI;
    let y7 = x7 | (0x20 * LO); // ASCII letters folded to lowercase
    let letter = ((y7 | HI) - 0x61 * LO) & (((0x7a * LO) | HI) - y7) & ascii;
    let digit = ((x7 | HI) - 0x30 * LO) & (((0x39 * LO) | HI) - x7) & ascii;
    let upper = letter & (!x << 2);
    let stop = !(letter | digit) & HI;
    let n = (stop.trailing_zeros() / 8) as usize;
    let mask = if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    let mut f = 0;
    if letter & mask != 0 {
        f |= ALPHA;
    }
    if upper & mask & HI != 0 {
        f |= UPPER;
    }
    (n.min(8), f)
}

/// The char starting at byte `i`.
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Calls `emit` with every token of `text`: lowercase runs of alphanumeric
/// characters, 2..=40 characters long, not all digits. URLs (`scheme://…`,
/// `mailto:…`, `www.…`) and markdown link destinations (`](…)`) are skipped.
fn tokenize(text: &str, buf: &mut String, mut emit: impl FnMut(&str, u128)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let f = flags(b);
        if f == 0 {
            i = if b == b']' && bytes.get(i + 1) == Some(&b'(') {
                skip_url(bytes, i + 2)
            } else {
                i + 1
            };
            continue;
        }
        if f == HIGH {
            match char_at(text, i) {
                Some(c) if c.is_alphanumeric() => {}
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => break,
            }
        }
        // A token starts at `i`: ASCII runs, then any non-ASCII letters.
        let start = i;
        let mut seen = 0u8;
        let mut chars = 0usize;
        loop {
            let run = i;
            // Eight bytes at a time while they last, then byte by byte.
            while let Some(word) = bytes.get(i..).and_then(|s| s.first_chunk::<8>()) {
                let (n, f) = ascii_alnum_prefix(u64::from_le_bytes(*word));
                seen |= f;
                i += n;
                if n < 8 {
                    break;
                }
            }
            while let Some(&b) = bytes.get(i) {
                let f = flags(b);
                if f & ALNUM == 0 {
                    break;
                }
                seen |= f;
                i += 1;
            }
            chars += i - run;
            if bytes.get(i).is_none_or(|&b| b < 0x80) {
                break;
            }
            match char_at(text, i) {
                Some(c) if !c.is_ascii() && c.is_alphanumeric() => {
                    seen |= if c.is_numeric() { HIGH } else { HIGH | ALPHA };
                    chars += 1;
                    i += c.len_utf8();
                }
                _ => break,
            }
        }
        let Some(token) = text.get(start..i) else {
            continue;
        };
        // A scheme or `www` before a URL: skip the whole URL.
        let url = match bytes.get(i) {
            Some(b':') => {
                (bytes.get(i + 1..i + 3) == Some(b"//")
                    && (2..=12).contains(&chars)
                    && token.bytes().all(|b| b.is_ascii_alphabetic()))
                    || token.eq_ignore_ascii_case("mailto")
            }
            Some(b'.') => token.eq_ignore_ascii_case("www"),
            _ => false,
        };
        if url {
            i = skip_url(bytes, i);
            continue;
        }
        if !(MIN_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&chars) || seen & ALPHA == 0 {
            continue;
        }
        if seen & (HIGH | UPPER) == 0 {
            emit(token, token_head(bytes, start, token.len()));
        } else {
            buf.clear();
            if seen & HIGH != 0 {
                buf.extend(token.chars().flat_map(char::to_lowercase));
            } else {
                buf.push_str(token);
                buf.make_ascii_lowercase();
            }
            emit(buf, token_head(buf.as_bytes(), 0, buf.len()));
        }
    }
}

/// The index of the first byte after a URL starting at `from`.
fn skip_url(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() || matches!(b, b')' | b']' | b'>' | b'<' | b'"' | b'\'' | b'`') {
            break;
        }
        i += 1;
    }
    i
}

/// English stop words (sorted; looked up by binary search), the stubs that
/// contractions split into (`don`, `ve`…), and a few HTML/URL leftovers.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "also", "am", "amp", "an", "and",
    "any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "com", "could", "couldn", "did", "didn", "do",
    "does", "doesn", "doing", "don", "done", "down", "during", "each", "else", "etc", "even",
    "ever", "every", "few", "for", "from", "further", "get", "gets", "got", "gt", "had", "hadn",
    "has", "hasn", "have", "haven", "having", "he", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "however", "http", "https", "if", "in", "into", "is", "isn", "it",
    "its", "itself", "just", "like", "ll", "lt", "made", "make", "many", "may", "me", "might",
    "more", "most", "much", "must", "my", "myself", "nbsp", "need", "no", "nor", "not", "now",
    "of", "off", "often", "on", "once", "one", "only", "or", "other", "our", "ours",
    "ourselves", "out", "over", "own", "quot", "re", "really", "same", "say", "says", "see",
    "shall", "she", "should", "shouldn", "since", "so", "some", "still", "such", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "though", "through", "to", "too", "under", "until", "up", "upon", "us", "use",
    "used", "using", "ve", "very", "was", "wasn", "way", "we", "well", "were", "weren", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with",
    "within", "without", "won", "would", "wouldn", "www", "yet", "you", "your", "yours",
    "yourself", "yourselves",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// A light, deterministic suffix stripper for lowercase ASCII words (others
/// are returned unchanged): plurals (`-s`, `-es`, `-ies`), `-ing`, `-ed`,
/// `-ied`, `-ly`, then a doubled final consonant after `-ing`/`-ed` is undone
/// and a final `e` is dropped, so `make`/`making`/`makes` all give `mak`.
fn stem(word: &str) -> String {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_owned();
    }
    let has_vowel = |s: &str| {
        s.bytes()
            .any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
    };
    let mut verb = false;
    let mut s: String = if let Some(base) = word.strip_suffix("sses") {
        format!("{base}ss")
    } else if let Some(base) = word
        .strip_suffix("ies")
        .or_else(|| word.strip_suffix("ied"))
        .filter(|b| b.len() >= 2)
    {
        format!("{base}y")
    } else if let Some(base) = word.strip_suffix("es").filter(|b| {
        b.len() >= 3 && (b.ends_with(['s', 'x', 'z']) || b.ends_with("ch") || b.ends_with("sh"))
    }) {
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix('s')
        .filter(|b| b.len() >= 3 && !b.ends_with(['s', 'u', 'i']))
    {
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ing")
        .filter(|b| b.len() >= 3 && has_vowel(b))
    {
        verb = true;
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ed")
        .filter(|b| b.len() >= 3 && has_vowel(b))
    {
        verb = true;
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ly")
        .filter(|b| b.len() >= 4 && !b.ends_with('i'))
    {
        base.to_owned()
    } else {
        word.to_owned()
    };
    if verb {
        let b = s.as_bytes();
        if let [.., x, y] = b
            && x == y
            && !matches!(x, b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z')
        {
            s.pop();
        }
    }
    if s.len() >= 4 && s.ends_with('e') && !s.ends_with("ee") {
        s.pop();
    }
    s
}

/// The term key of a tag (`#` namespace) or author (`@` namespace): trimmed,
/// lowercased, inner whitespace collapsed; `None` if empty.
fn special_key(prefix: char, value: &str) -> Option<String> {
    let value = value.trim();
    let value = if prefix == '#' {
        value.trim_start_matches('#').trim()
    } else {
        value
    };
    if value.is_empty() {
        return None;
    }
    let mut key = String::with_capacity(value.len() + 1);
    key.push(prefix);
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    Some(key)
}

/// Appends `x` as a LEB128 varint.
#[inline]
fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Reads a LEB128 varint at `*pos`, advancing it; `None` at the end.
#[inline]
fn get_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let &b = bytes.get(*pos)?;
        *pos += 1;
        x |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b < 0x80 {
            return Some(x);
        }
        shift += 7;
    }
}

#[inline]
fn sublinear(tf: u32) -> f32 {
    if tf == 0 { 0.0 } else { 1.0 + (tf as f32).ln() }
}

// ---------------------------------------------------------------------------
// Phase 1: per-chunk term counts.

/// Term counts of a run of documents, with ids local to the chunk.
#[derive(Default)]
struct Chunk {
    /// Local term id → term (text terms, `#tag`, `@author`).
    terms: Vec<Box<str>>,
    /// Local term id → number of the chunk's documents using it.
    df: Vec<u32>,
    /// Per document, the end of its entries in `text`.
    text_ends: Vec<usize>,
    /// Per document and term, varints: `local_term << 1 | in_title`, the
    /// body count, then the title count if `in_title`. The biggest buffer of
    /// the whole stage, hence the packing (about 3 to 4 bytes a term).
    text: Vec<u8>,
    /// Per document, the end of its entries in `special`.
    special_ends: Vec<usize>,
    /// (local term, tag or author factor).
    special: Vec<(u32, f32)>,
}

struct ChunkBuilder {
    /// Raw lowercase token → local term id, or `STOP`.
    raw: RawTable,
    /// Term → local term id.
    terms: FastMap<Box<str>, u32>,
    /// Local term id → (body, title) counts in the current document.
    tf: Vec<[u32; 2]>,
    /// Terms of the current document, in order of first occurrence.
    touched: Vec<u32>,
    out: Chunk,
}

impl ChunkBuilder {
    fn intern(&mut self, term: String) -> u32 {
        if let Some(&id) = self.terms.get(term.as_str()) {
            return id;
        }
        let id = self.out.df.len() as u32;
        self.terms.insert(term.into_boxed_str(), id);
        self.out.df.push(0);
        self.tf.push([0, 0]);
        id
    }

    #[inline]
    fn add_token(&mut self, token: &str, head: u128, in_title: bool) {
        let key = token.as_bytes();
        let hash = hash_token(head, key);
        let term = match self.raw.get(key, head, hash) {
            Some(term) => term,
            None => {
                let term = if is_stop_word(token) {
                    STOP
                } else {
                    self.intern(stem(token))
                };
                self.raw.insert(key, head, hash, term);
                term
            }
        };
        if term == STOP {
            return;
        }
        let Some(tf) = self.tf.get_mut(term as usize) else {
            return;
        };
        if tf == &[0, 0] {
            self.touched.push(term);
        }
        let [body, title] = tf;
        let count = if in_title { title } else { body };
        *count = count.saturating_add(1);
    }

    fn end_text(&mut self) {
        for &term in &self.touched {
            let t = term as usize;
            let Some(tf) = self.tf.get_mut(t) else {
                continue;
            };
            let [body, title] = std::mem::take(tf);
            if let Some(df) = self.out.df.get_mut(t) {
                *df += 1;
            }
            let text = &mut self.out.text;
            put_varint(text, u64::from(term) << 1 | u64::from(title > 0));
            put_varint(text, u64::from(body));
            if title > 0 {
                put_varint(text, u64::from(title));
            }
        }
        self.touched.clear();
        self.out.text_ends.push(self.out.text.len());
    }

    fn add_specials(&mut self, prefix: char, values: &[String], factor: f32) {
        if factor <= 0.0 {
            return;
        }
        let doc_start = self.out.special_ends.last().copied().unwrap_or(0);
        for value in values.iter().take(MAX_SPECIALS) {
            let Some(key) = special_key(prefix, value) else {
                continue;
            };
            let id = self.intern(key);
            let seen = self
                .out
                .special
                .get(doc_start..)
                .is_some_and(|s| s.iter().any(|&(t, _)| t == id));
            if !seen {
                if let Some(df) = self.out.df.get_mut(id as usize) {
                    *df += 1;
                }
                self.out.special.push((id, factor));
            }
        }
    }
}

fn build_chunk(docs: &[RelateDoc<'_>], weights: &Weights) -> Chunk {
    let mut b = ChunkBuilder {
        raw: RawTable::new(),
        terms: FastMap::default(),
        tf: Vec::new(),
        touched: Vec::new(),
        out: Chunk::default(),
    };
    let mut buf = String::new();
    for doc in docs {
        tokenize(doc.title, &mut buf, |t, h| b.add_token(t, h, true));
        tokenize(doc.body, &mut buf, |t, h| b.add_token(t, h, false));
        b.end_text();
        b.add_specials('#', doc.tags, weights.tag);
        b.add_specials('@', doc.authors, weights.author);
        b.out.special_ends.push(b.out.special.len());
    }
    let mut terms = vec![Box::<str>::default(); b.out.df.len()];
    for (term, id) in b.terms {
        if let Some(slot) = terms.get_mut(id as usize) {
            *slot = term;
        }
    }
    b.out.terms = terms;
    b.out
}

/// Global document frequencies and, per chunk, local id → global id. Global
/// ids follow the first occurrence of each term in the document sequence.
fn merge_vocabularies(chunks: &[Chunk]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let capacity = chunks.iter().map(|c| c.terms.len()).max().unwrap_or(0);
    let mut global: FastMap<&str, u32> =
        HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default());
    let mut df: Vec<u32> = Vec::with_capacity(capacity);
    let remaps = chunks
        .iter()
        .map(|chunk| {
            chunk
                .terms
                .iter()
                .zip(&chunk.df)
                .map(|(term, &local_df)| {
                    let id = *global.entry(term).or_insert_with(|| {
                        df.push(0);
                        (df.len() - 1) as u32
                    });
                    if let Some(d) = df.get_mut(id as usize) {
                        *d = d.saturating_add(local_df);
                    }
                    id
                })
                .collect()
        })
        .collect();
    (df, remaps)
}

// ---------------------------------------------------------------------------
// Phase 2: pruned, normalised document vectors.

struct Pruning<'a> {
    title_weight: f32,
    /// `sublinear(tf)` for small counts.
    sublinear: [f32; 64],
    df: &'a [u32],
    idf: &'a [f32],
    idf_max: f32,
    max_terms: usize,
}

/// Heaviest first, then lowest id (term or document).
fn by_weight(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

fn normalize(v: &mut [(u32, f32)]) {
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for e in v {
            e.1 /= norm;
        }
    }
}

impl Pruning<'_> {
    #[inline]
    fn sub(&self, tf: u64) -> f32 {
        match self.sublinear.get(tf as usize) {
            Some(&s) => s,
            None => sublinear(u32::try_from(tf).unwrap_or(u32::MAX)),
        }
    }

    /// The shared (df ≥ 2) global term with its idf, if any.
    fn global(&self, remap: &[u32], local: u32) -> Option<(u32, f32)> {
        let g = *remap.get(local as usize)?;
        let df = *self.df.get(g as usize)?;
        (df >= 2).then_some((g, *self.idf.get(g as usize)?))
    }

    fn vectors(&self, chunk: &Chunk, remap: &[u32]) -> Vec<Vec<(u32, f32)>> {
        let mut text_start = 0;
        let mut special_start = 0;
        let mut out = Vec::with_capacity(chunk.text_ends.len());
        for (&text_end, &special_end) in chunk.text_ends.iter().zip(&chunk.special_ends) {
            let text = chunk.text.get(text_start..text_end).unwrap_or_default();
            let special = chunk
                .special
                .get(special_start..special_end)
                .unwrap_or_default();
            text_start = text_end;
            special_start = special_end;

            let mut v: Vec<(u32, f32)> = Vec::with_capacity(text.len() / 3);
            let mut pos = 0;
            while let Some(key) = get_varint(text, &mut pos) {
                let body = get_varint(text, &mut pos).unwrap_or(0);
                let title = if key & 1 == 1 {
                    get_varint(text, &mut pos).unwrap_or(0)
                } else {
                    0
                };
                let w = self.sub(body) + self.title_weight * self.sub(title);
                if w > 0.0
                    && let Some((g, idf)) = self.global(remap, (key >> 1) as u32)
                {
                    v.push((g, w * idf));
                }
            }
            if self.max_terms > 0 && v.len() > self.max_terms {
                v.select_nth_unstable_by(self.max_terms - 1, by_weight);
                v.truncate(self.max_terms);
            }
            v.sort_unstable_by_key(|e| e.0);
            normalize(&mut v);
            let n_text = v.len();
            v.extend(special.iter().filter_map(|&(l, factor)| {
                self.global(remap, l)
                    .map(|(g, idf)| (g, factor * idf / self.idf_max))
            }));
            if v.len() > n_text {
                v.sort_unstable_by_key(|e| e.0);
                normalize(&mut v);
            }
            v.retain(|e| e.1 >= MIN_WEIGHT);
            v.shrink_to_fit();
            out.push(v);
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Phase 3: inverted index with capped postings.

struct Index {
    /// Per term, where its postings start in `postings`.
    starts: Vec<usize>,
    /// Per term, how many postings it keeps (≤ `max_postings`).
    lens: Vec<usize>,
    /// (document, weight), by term, each term's kept postings by document.
    postings: Vec<(u32, f32)>,
}

impl Index {
    fn build(vectors: &[Vec<(u32, f32)>], n_terms: usize, max_postings: usize) -> Index {
        let mut starts = vec![0usize; n_terms + 1];
        for v in vectors {
            for &(t, _) in v {
                if let Some(c) = starts.get_mut(t as usize + 1) {
                    *c += 1;
                }
            }
        }
        let mut sum = 0;
        for c in &mut starts {
            sum += *c;
            *c = sum;
        }
        let total = starts.last().copied().unwrap_or(0);
        let mut fill: Vec<usize> = starts.clone();
        let mut postings = vec![(0u32, 0.0f32); total];
        for (d, v) in vectors.iter().enumerate() {
            for &(t, w) in v {
                if let Some(pos) = fill.get_mut(t as usize)
                    && let Some(slot) = postings.get_mut(*pos)
                {
                    *slot = (d as u32, w);
                    *pos += 1;
                }
            }
        }
        drop(fill);
        starts.truncate(n_terms);
        let mut lens: Vec<usize> = starts
            .iter()
            .zip(starts.iter().skip(1).chain(std::iter::once(&total)))
            .map(|(&s, &e)| e - s)
            .collect();

        if max_postings > 0 {
            // Keep the heaviest postings of long lists, then restore doc order.
            let mut long: Vec<&mut [(u32, f32)]> = Vec::new();
            let mut rest: &mut [(u32, f32)] = &mut postings;
            for &len in &lens {
                let k = len.min(rest.len());
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(k);
                if head.len() > max_postings {
                    long.push(head);
                }
                rest = tail;
            }
            long.par_iter_mut().for_each(|list| {
                list.select_nth_unstable_by(max_postings - 1, by_weight);
                if let Some(kept) = list.get_mut(..max_postings) {
                    kept.sort_unstable_by_key(|e| e.0);
                }
            });
            for len in &mut lens {
                *len = (*len).min(max_postings);
            }
        }
        Index {
            starts,
            lens,
            postings,
        }
    }

    #[inline]
    fn postings(&self, term: u32) -> &[(u32, f32)] {
        let t = term as usize;
        match (self.starts.get(t), self.lens.get(t)) {
            (Some(&s), Some(&l)) => self.postings.get(s..s + l).unwrap_or_default(),
            _ => &[],
        }
    }
}

// ---------------------------------------------------------------------------
// Phase 4: accumulate and select.

struct Select<'a> {
    index: &'a Index,
    /// Per document, its date (only read when the date boost is on).
    dates: Vec<Option<i64>>,
    max_related: usize,
    min_score: f32,
    date_weight: f32,
    date_scale_secs: f32,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            acc: vec![0.0; n],
            touched: Vec::new(),
            candidates: Vec::new(),
            best: Vec::new(),
        }
    }
}

struct Scratch {
    /// Dense accumulator, one slot per document, all zero between uses.
    acc: Vec<f32>,
    /// Documents with a nonzero slot in `acc` (a prefix of it, written
    /// without branching; see [`Select::related`]).
    touched: Vec<u32>,
    candidates: Vec<(u32, f32)>,
    /// The best base scores so far, best first (at most `max_related`).
    best: Vec<f32>,
}

impl Select<'_> {
    fn related(&self, d: u32, vector: &[(u32, f32)], s: &mut Scratch) -> Vec<(u32, f32)> {
        // Every posting visited may touch a new document: size `touched` so
        // that it can be written without a branch.
        let bound: usize = vector
            .iter()
            .map(|&(t, _)| self.index.postings(t).len())
            .sum();
        if s.touched.len() < bound {
            s.touched.resize(bound, 0);
        }
        let mut touched = 0usize;
        for &(term, w) in vector {
            for &(other, w2) in self.index.postings(term) {
                if other == d {
                    continue;
                }
                if let (Some(a), Some(slot)) =
                    (s.acc.get_mut(other as usize), s.touched.get_mut(touched))
                {
                    *slot = other;
                    touched += usize::from(*a == 0.0);
                    *a += w * w2;
                }
            }
        }
        // Keep candidates that may still make the top k: the running k-th
        // best base score, divided by the largest possible date boost, is a
        // floor that only rises, so few candidates are kept.
        let k = self.max_related;
        let boost_max = 1.0 + self.date_weight;
        let track = k <= TRACK_TOP;
        s.best.clear();
        let mut floor = self.min_score;
        s.candidates.clear();
        for &other in s.touched.get(..touched).unwrap_or_default() {
            let Some(a) = s.acc.get_mut(other as usize) else {
                continue;
            };
            let base = std::mem::take(a);
            if !(base >= floor && base > 0.0) {
                continue;
            }
            s.candidates.push((other, base));
            if track && (s.best.len() < k || s.best.last().is_some_and(|&b| base > b)) {
                let at = s.best.partition_point(|&b| b >= base);
                s.best.insert(at, base);
                s.best.truncate(k);
                if s.best.len() == k
                    && let Some(&kth) = s.best.last()
                {
                    floor = floor.max(kth / boost_max);
                }
            }
        }
        s.candidates.retain(|e| e.1 >= floor);
        if self.date_weight > 0.0
            && let Some(t1) = self.dates.get(d as usize).copied().flatten()
        {
            for (other, score) in &mut s.candidates {
                if let Some(t2) = self.dates.get(*other as usize).copied().flatten() {
                    let apart = t1.abs_diff(t2) as f32;
                    *score *= 1.0 + self.date_weight * (-apart / self.date_scale_secs).exp();
                }
            }
        }
        if s.candidates.len() > k {
            s.candidates.select_nth_unstable_by(k - 1, by_weight);
            s.candidates.truncate(k);
        }
        s.candidates.sort_unstable_by(by_weight);
        s.candidates.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Owned {
        title: String,
        body: String,
        tags: Vec<String>,
        authors: Vec<String>,
        date: Option<i64>,
    }

    fn owned(title: &str, body: &str, tags: &[&str], authors: &[&str]) -> Owned {
        Owned {
            title: title.into(),
            body: body.into(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            authors: authors.iter().map(|s| s.to_string()).collect(),
            date: None,
        }
    }

    fn docs(owned: &[Owned]) -> Vec<RelateDoc<'_>> {
        owned
            .iter()
            .map(|o| RelateDoc {
                title: &o.title,
                body: &o.body,
                tags: &o.tags,
                authors: &o.authors,
                date: o.date,
            })
            .collect()
    }

    fn run(owned: &[Owned]) -> Vec<Vec<(u32, f32)>> {
        related(&docs(owned), &RelateConfig::default())
    }

    fn first(list: &[(u32, f32)]) -> Option<u32> {
        list.first().map(|e| e.0)
    }

    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(text, &mut String::new(), |t, _| out.push(t.to_string()));
        out
    }

    /// Filler notes on unrelated subjects, so idf means something.
    fn filler() -> Vec<Owned> {
        [
            ("Sourdough starter care", "Feed the starter flour and water daily; hydration and temperature drive fermentation of the dough."),
            ("Tomato seedlings in spring", "Sow tomato seeds indoors, harden seedlings off, transplant after frost into compost-rich beds."),
            ("Marathon training log", "Long runs on weekends, tempo intervals midweek, taper before race day, carbohydrate loading."),
            ("Budget travel in Portugal", "Trains from Lisbon to Porto are cheap; hostels, pastries and tram rides along the river."),
            ("Watercolor basics", "Wet-on-wet washes, pigment granulation, cold press paper and round brushes for landscapes."),
            ("Home espresso dialing", "Grind size, dose, yield and shot time; a scale and fresh beans matter more than the machine."),
        ]
        .iter()
        .map(|(t, b)| owned(t, b, &[], &[]))
        .collect()
    }

    #[test]
    fn series_parts_relate() {
        let mut notes = filler();
        let base = notes.len() as u32;
        notes.push(owned(
            "Building a static site generator, part 1",
            "We start with parsing markdown files and front matter into an intermediate representation.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Building a static site generator, part 2",
            "Templates turn pages into HTML; we add layouts, partials and a theme directory.",
            &[],
            &[],
        ));
        notes.push(owned(
            "[1/2] Kubernetes autoscaling deep dive",
            "Horizontal pod autoscaler reacts to CPU metrics.",
            &[],
            &[],
        ));
        notes.push(owned(
            "[2/2] Kubernetes autoscaling deep dive",
            "Cluster autoscaler adds nodes when pods are pending.",
            &[],
            &[],
        ));
        let out = run(&notes);
        assert_eq!(first(&out[base as usize]), Some(base + 1));
        assert_eq!(first(&out[base as usize + 1]), Some(base));
        assert_eq!(first(&out[base as usize + 2]), Some(base + 3));
        assert_eq!(first(&out[base as usize + 3]), Some(base + 2));
        assert!(out[base as usize][0].1 > 0.3, "{:?}", out[base as usize]);
    }

    #[test]
    fn text_alone_relates_notes() {
        let mut notes = filler();
        let base = notes.len();
        notes.push(owned(
            "Notes on borrow checking",
            "The Rust borrow checker enforces lifetimes; mutable references are exclusive and \
             shared references are immutable. Lifetimes annotate how long references live.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Why my references would not compile",
            "A mutable reference while shared references lived: the borrow checker refused. \
             Shorter lifetimes fixed it.",
            &[],
            &[],
        ));
        let out = run(&notes);
        assert_eq!(first(&out[base]), Some(base as u32 + 1));
        assert_eq!(first(&out[base + 1]), Some(base as u32));
    }

    #[test]
    fn rare_shared_tag_beats_common_shared_tag() {
        let mut notes: Vec<Owned> = (0..12)
            .map(|i| owned(&format!("note {i}"), "", &["common"], &[]))
            .collect();
        notes.push(owned("alpha", "", &["common", "rare"], &[])); // 12
        notes.push(owned("beta", "", &["rare"], &[])); // 13
        notes.push(owned("gamma", "", &["Common"], &[])); // 14
        let out = run(&notes);
        let list = &out[12];
        let score = |j: u32| list.iter().find(|e| e.0 == j).map(|e| e.1);
        assert_eq!(first(list), Some(13), "{list:?}");
        let rare = score(13).unwrap_or(0.0);
        let common = score(14).unwrap_or(0.0);
        assert!(rare > common, "rare {rare} common {common}");
    }

    #[test]
    fn shared_author_counts_a_little() {
        let mut notes = filler();
        notes.push(owned("one", "", &[], &["Ada Lovelace"]));
        notes.push(owned("two", "", &[], &["  ada   lovelace "]));
        notes.push(owned("three", "", &[], &["Someone Else"]));
        let out = run(&notes);
        let n = notes.len();
        assert_eq!(first(&out[n - 3]), Some(n as u32 - 2));
    }

    #[test]
    fn never_related_to_itself() {
        let mut notes = filler();
        // Exact duplicates too: they relate to each other, not to themselves.
        notes.push(owned("Same title", "same body text here", &["x"], &["a"]));
        notes.push(owned("Same title", "same body text here", &["x"], &["a"]));
        let out = run(&notes);
        assert_eq!(out.len(), notes.len());
        for (i, list) in out.iter().enumerate() {
            assert!(list.iter().all(|&(j, _)| j as usize != i), "{i}: {list:?}");
            assert!(list.len() <= 5);
            assert!(list.windows(2).all(|w| w[0].1 >= w[1].1));
        }
        let n = notes.len();
        assert_eq!(first(&out[n - 1]), Some(n as u32 - 2));
    }

    /// A few hundred pseudo-random notes from a tiny generator.
    fn synthetic(n: usize) -> Vec<Owned> {
        let words: Vec<String> = (0..300)
            .map(|i| format!("w{}x{}", i * 7919 % 1000, i))
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        (0..n)
            .map(|i| {
                let body: Vec<&str> = (0..80)
                    .map(|_| words[next(words.len()).min(next(words.len()))].as_str())
                    .collect();
                let title: Vec<&str> = (0..4).map(|_| words[next(words.len())].as_str()).collect();
                let tags: Vec<String> = (0..1 + next(4))
                    .map(|_| format!("tag{}", next(20).min(next(20))))
                    .collect();
                Owned {
                    title: title.join(" "),
                    body: body.join(" "),
                    tags,
                    authors: vec![format!("author{}", next(7))],
                    date: Some(1_600_000_000 + (i as i64) * 3600 * 7),
                }
            })
            .collect()
    }

    fn bits(out: &[Vec<(u32, f32)>]) -> Vec<Vec<(u32, u32)>> {
        out.iter()
            .map(|l| l.iter().map(|&(j, s)| (j, s.to_bits())).collect())
            .collect()
    }

    #[test]
    fn deterministic_across_runs_and_threads() {
        let notes = synthetic(700);
        let d = docs(&notes);
        let config = RelateConfig {
            max_postings: 16, // exercise capping
            ..RelateConfig::default()
        };
        let a = related(&d, &config);
        let b = related(&d, &config);
        assert_eq!(bits(&a), bits(&b));
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("pool");
        let c = one.install(|| related(&d, &config));
        let e = four.install(|| related(&d, &config));
        assert_eq!(bits(&a), bits(&c));
        assert_eq!(bits(&a), bits(&e));
        assert!(a.iter().filter(|l| !l.is_empty()).count() > 600);
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        assert!(related(&[], &RelateConfig::default()).is_empty());
        let notes = vec![owned("", "", &[], &[]), owned("", "", &["", "#"], &[" "])];
        let out = run(&notes);
        assert_eq!(out, vec![Vec::new(), Vec::new()]);
        let one = vec![owned("Lonely", "just one note", &["t"], &["a"])];
        assert_eq!(run(&one), vec![Vec::new()]);
        let weird = RelateConfig {
            max_related: usize::MAX,
            title_weight: f32::NAN,
            tag_weight: -1.0,
            author_weight: f32::INFINITY,
            min_score: f32::NAN,
            max_terms: 0,
            max_postings: 0,
            date_weight: 1.0,
            date_scale_days: 0.0,
        };
        let notes = filler();
        let out = related(&docs(&notes), &weird);
        assert_eq!(out.len(), notes.len());
        let zero = RelateConfig {
            max_related: 0,
            ..RelateConfig::default()
        };
        assert!(related(&docs(&notes), &zero).iter().all(Vec::is_empty));
    }

    #[test]
    fn arbitrary_text_does_not_panic() {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "9",
            " ",
            "\n",
            "](",
            "](x",
            "http://",
            "://",
            ":",
            ".",
            "www",
            "mailto:",
            "é",
            "İ",
            "ß",
            "日本語",
            "🦀",
            "\u{301}",
            "٣",
            "Ⅻ",
            "[",
            ")",
            "`",
            "_",
            "-",
            "\0",
            "ﬁ",
            "ǅ",
            "ῼ",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        let mut state = 0x9e37_79b9_u64;
        let mut next = move |m: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) % m as u64) as usize
        };
        let notes: Vec<Owned> = (0..60)
            .map(|_| {
                let text: String = (0..next(200)).map(|_| PIECES[next(PIECES.len())]).collect();
                let title: String = (0..next(8)).map(|_| PIECES[next(PIECES.len())]).collect();
                owned(&title, &text, &[PIECES[next(PIECES.len())]], &["  "])
            })
            .collect();
        let out = run(&notes);
        assert_eq!(out.len(), notes.len());
        for piece in PIECES {
            for t in tokens(piece) {
                assert!(t.chars().count() <= MAX_TOKEN_CHARS);
            }
        }
    }

    #[test]
    fn tokenizer_skips_urls_and_markup() {
        assert_eq!(
            tokens(
                "See [the docs](https://example.com/a_b?q=1) and <https://x.org/y> or www.foo.com/bar!"
            ),
            ["see", "the", "docs", "and", "or"]
        );
        assert_eq!(
            tokens("`fn main()` 2024 a Ünïcode_ÉTÉ x1"),
            ["fn", "main", "ünïcode", "été", "x1"]
        );
        assert_eq!(tokens("mailto:me@example.com done"), ["done"]);
        let long = "a".repeat(41);
        assert!(tokens(&long).is_empty());
        assert_eq!(tokens(&"b".repeat(40)).len(), 1);
    }

    #[test]
    fn swar_classification_matches_the_table() {
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b, b'a', b'Z', b'5', b' ', b'q', b'Q', b'0']);
            let (n, f) = ascii_alnum_prefix(x);
            let alnum = flags(b) & ALNUM != 0;
            let n_expected = if alnum { 4 } else { 0 };
            assert_eq!(n, n_expected, "byte {b:#x}");
            if alnum {
                assert_eq!(f & ALPHA, ALPHA);
            }
            let y = u64::from_le_bytes([b; 8]);
            let (n, f) = ascii_alnum_prefix(y);
            assert_eq!(n, if alnum { 8 } else { 0 }, "byte {b:#x}");
            assert_eq!(f & UPPER != 0, b.is_ascii_uppercase(), "byte {b:#x}");
            assert_eq!(f & ALPHA != 0, b.is_ascii_alphabetic(), "byte {b:#x}");
        }
    }

    #[test]
    fn stemmer_folds_common_forms() {
        for (a, b) in [
            ("notes", "note"),
            ("building", "build"),
            ("builds", "build"),
            ("running", "run"),
            ("matches", "match"),
            ("libraries", "library"),
            ("tested", "testing"),
            ("making", "make"),
            ("classes", "class"),
            ("quickly", "quick"),
            ("cases", "case"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("string"), "string");
        assert_eq!(stem("naïve"), "naïve");
    }

    #[test]
    fn varints_round_trip() {
        let values = [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX) << 1 | 1,
        ];
        let mut buf = Vec::new();
        for &v in &values {
            put_varint(&mut buf, v);
        }
        let mut pos = 0;
        let back: Vec<u64> = std::iter::from_fn(|| get_varint(&buf, &mut pos)).collect();
        assert_eq!(back, values);
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }
}
