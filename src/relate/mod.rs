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
//! Each note becomes one sparse vector: a text part normalised to length 1
//! and, on top, its tags and authors. A pair's score is built from the dot
//! products of the two parts, then adjusted for hubs and thresholded; the
//! aim is the note a careful reader would open next (tests/it/related.rs
//! measures that against judged pairs).
//!
//! - **Text.** Title and body are tokenised (lowercase, split on anything not
//!   alphanumeric, tokens of 2..=40 characters that are not all digits); URLs
//!   and markdown link destinations are skipped, code is kept (identifiers name
//!   tools). English stop words are dropped and a small suffix-stripping
//!   stemmer folds plurals and `-ing`/`-ed`/`-ly` forms. The words of
//!   markdown headings (outside fenced code) count twice in the body: a
//!   heading names what a section is about, where the rest of the body also
//!   names what it passes by. A term weighs
//!   `idf * (sub(tf_body) * support + title_weight * sub(tf_title) *
//!   title_support)` with sublinear `sub(tf) = 1 + ln(tf)` and smooth
//!   `idf = ln((1 + N) / (1 + df)) + 1`. `support` discounts a word used in
//!   passing: full from about one use per 500 body tokens (or three uses),
//!   proportionally less below, so a long post naming "transfer" once is
//!   not about transfers. `title_support` discounts a title word the body
//!   never uses (a pun: "a dance of data classes") to a third. Only the
//!   [`RelateConfig::max_terms`] heaviest terms are kept (terms used by a
//!   single note are dropped first: they can never be shared).
//! - **Breadth.** A text cosine resting on one or two shared terms is
//!   scaled by the root of their effective number over two
//!   ((Σp)² / Σp² over the products p of shared terms): one shared word
//!   in another sense is the commonest coincidence.
//! - **Tags and authors.** Each tag (and author) is a special term with
//!   weight `tag_weight * 0.5 * idf / idf_max` (`author_weight` for authors),
//!   rarity counted among the notes that carry any tag or author (a feed
//!   that tags every post `#data` gets no credit for other feeds having no
//!   tags). What they add is capped at the text cosine: they reorder notes
//!   on one subject, they never relate notes on different ones.
//! - **Series.** Titles that name a series ("… [1/2]" and "… [2/2]", "Day
//!   12: …", "ctrl+r #04: …"; see `series.rs`) add a fixed bonus, so parts
//!   sharing few words find each other; the date boost puts near parts first.
//! - **Hubs.** A note close to everything (a newsletter issue on ten
//!   subjects) would sit in every list. Each candidate's score loses 0.7 of
//!   its own mean score to its five best candidates (cross-domain similarity
//!   local scaling, Conneau et al. 2018), which needs every note's
//!   candidates first: selection runs in two passes. That mean is forgiven
//!   up to half as far as those five are candidates of one another: a note
//!   at the centre of one subject (a blog's career posts) is close to notes
//!   that are close to each other, a real hub to notes on unrelated
//!   subjects, and only the hub should lose its place.
//! - **Thresholds and stubs.** A link needs a score of 0.03 after the hub
//!   discount and 40% of the note's best, so a note with no real neighbour
//!   gets few links or none rather than five broad ones. A note with under
//!   5 body tokens is a stub and takes no part; one under 12 (a one-line
//!   excerpt, the example note) relates only to notes at most 4 times as
//!   long. Last, scores are boosted a little for notes close in time (see
//!   [`RelateConfig::date_weight`]).

//! # Scale
//!
//! Nothing here compares all pairs. (1) Documents are tokenised in parallel
//! chunks (each with its own vocabulary, merged afterwards) and pruned to
//! their top terms; (2) an inverted index maps each word term to
//! its postings, and each postings list is capped to its
//! [`RelateConfig::max_postings`] heaviest entries, so very common terms and
//! tags cost a bounded amount; (3) each document, in parallel, accumulates a
//! quick score (text dot products over its terms' capped postings, plus the
//! series bonus) in a dense per-thread accumulator, keeps a pool of its best
//! few and scores those exactly from the two vectors (breadth, tags and
//! authors); (4) from the pools, each document's hubness, then each final
//! list. Work and memory are
//! linear in the input size. The capping is an approximation: two notes that
//! share only very common terms, in neither of which they are among the
//! heaviest postings, are not seen as related.
//!
//! `lore serve` rebuilds after every save; [`related_with`] takes step (1)
//! for each unchanged note from a [`Memo`] of the last run, so only changed
//! notes are tokenised. Steps (2) to (4) run in full: one new note changes
//! every idf, hence every weight.
//!
//! # Determinism
//!
//! The same input gives bit-identical output whatever the number of threads:
//! terms are interned in order of first occurrence in the document sequence,
//! every floating-point sum runs in a fixed order (terms by id, postings by
//! document), and every ranking breaks ties by id. With a memo too: it
//! keeps counts, never ids, and each run numbers the terms afresh.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

mod chunks;
mod index;
mod memo;
mod select;
mod series;
mod tokens;
mod vectors;

use chunks::*;
use index::*;
pub use memo::Memo;
use select::*;
use series::*;
use tokens::*;
use vectors::*;

/// What relate needs to know about one note.
#[derive(Clone, Copy)]
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
    /// Weight of a shared tag (default 1.0). Scaled by how rare the tag is
    /// among tagged notes: a tag only two notes carry adds about 0.25, a tag
    /// on every note close to nothing; tags and authors together add at
    /// most the pair's word score.
    pub tag_weight: f32,
    /// Weight of a shared author, scaled by rarity like tags (default 0.5).
    pub author_weight: f32,
    /// Pairs whose word score (a cosine in 0..=1, after the breadth
    /// discount) is below this are not related, unless parts of one series
    /// (default 0.05).
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
    finish(docs, config, &Model::build(docs, config, false))
}

/// [`related`], bit for bit, with what tokenising made of each note kept in
/// `memo` from one run to the next (`lore serve`): only notes the memo has
/// not seen, with the same title, body, tags and authors, are tokenised.
pub fn related_with(
    docs: &[RelateDoc<'_>],
    config: &RelateConfig,
    memo: &mut Memo,
) -> Vec<Vec<(u32, f32)>> {
    let n = docs.len();
    if config.max_related == 0 || n < 2 || u32::try_from(n).is_err() {
        return vec![Vec::new(); n];
    }
    finish(docs, config, &Model::remembered(docs, config, memo))
}

/// Phase 4 from the model: candidates, hubness, the lists.
fn finish(docs: &[RelateDoc<'_>], config: &RelateConfig, model: &Model) -> Vec<Vec<(u32, f32)>> {
    let select = model.select(docs, config);
    let (candidates, hubness) = model.candidates(&select);
    candidates
        .par_iter()
        .enumerate()
        .map(|(d, c)| select.finish(d as u32, c, &hubness))
        .collect()
}

/// Why one note is related to another: the score, what it is made of, and
/// the shared terms that weigh most in it (stems; `#tag` and `@author` for
/// those).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub index: u32,
    /// The score ranked on (after the hub discount and the date boost).
    pub score: f32,
    /// The cosine of the two notes' words.
    pub text: f32,
    /// What shared tags and authors add (at most `text`).
    pub special: f32,
    /// What being parts of one series (by their titles) adds.
    pub series: f32,
    /// What was taken off because the other note is close to many notes.
    pub hub: f32,
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
    let (candidates, hubness) = model.candidates(&select);
    let (Some(vector), Some(mine)) = (model.vectors.get(target), candidates.get(target)) else {
        return Vec::new();
    };
    let related = select.finish(target as u32, mine, &hubness);
    related
        .into_iter()
        .filter_map(|(other, score)| {
            let c = mine.iter().find(|c| c.other == other)?;
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
            Some(Explained {
                index: other,
                score,
                text: c.text,
                special: c.special,
                series: c.series,
                hub: c.base - select.adjusted(c, &hubness),
                shared,
            })
        })
        .collect()
}

/// Phases 1 to 3: every document's pruned vector and the capped index.
struct Model {
    vectors: Vec<Vec<(u32, f32)>>,
    index: Index,
    /// Global term id → whether it is a tag or author.
    special: Vec<bool>,
    /// Per document, the other parts of its series.
    series: Vec<Vec<u32>>,
    /// Per document, its body tokens (see `SHORT_TOKENS`).
    lens: Vec<u32>,
    /// Global term id → term, only when asked for (explanations).
    names: Vec<Box<str>>,
}

impl Model {
    fn build(docs: &[RelateDoc<'_>], config: &RelateConfig, with_names: bool) -> Model {
        let weights = Weights::new(config);

        // (1) Tokenise and count, in parallel chunks with chunk-local vocabularies.
        let chunks = count(docs, &weights);

        // Merge the vocabularies: global ids in order of first occurrence.
        let (df, remaps) = merge_vocabularies(&chunks);
        let names = if with_names {
            global_names(&chunks, &remaps, df.len())
        } else {
            Vec::new()
        };

        // (2) Prune each document to its top terms, in parallel.
        let idf = idf(&df, docs.len());
        let pruning = Pruning::new(docs, &weights, config, &df, &idf);
        let special = special_terms(&chunks, &remaps, df.len());
        let lens: Vec<u32> = chunks
            .iter()
            .flat_map(|c| c.body_lens.iter().copied())
            .collect();
        let vectors: Vec<Vec<(u32, f32)>> = chunks
            .into_par_iter()
            .zip(remaps.into_par_iter())
            .map(|(chunk, remap)| pruning.vectors(&chunk, &remap))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        drop(idf);
        Model::index(docs, config, vectors, special, lens, names)
    }

    /// As [`Model::build`], with phase 1 taken from `memo` for the notes
    /// it has seen (and kept there for those it has not).
    fn remembered(docs: &[RelateDoc<'_>], config: &RelateConfig, memo: &mut Memo) -> Model {
        let weights = Weights::new(config);
        let keys = memo.learn(docs, &weights);
        let counts = memo.counts(&keys);
        let (df, special, remap) = memo.global_ids(&counts);
        let idf = idf(&df, docs.len());
        let pruning = Pruning::new(docs, &weights, config, &df, &idf);
        let globals = pruning.globals(&remap);
        let vectors: Vec<Vec<(u32, f32)>> = counts
            .par_iter()
            .map_init(Vec::new, |v, &c| pruning.vector(c, &globals, &remap, v))
            .collect();
        let lens: Vec<u32> = counts.iter().map(|c| c.len).collect();
        drop(counts);
        memo.tidy(df.len());
        Model::index(docs, config, vectors, special, lens, Vec::new())
    }

    /// (3) What both ways of phase 1 end with: series and the index.
    fn index(
        docs: &[RelateDoc<'_>],
        config: &RelateConfig,
        vectors: Vec<Vec<(u32, f32)>>,
        special: Vec<bool>,
        lens: Vec<u32>,
        names: Vec<Box<str>>,
    ) -> Model {
        // A stub is no part of a series either.
        let mut series = series(docs);
        for mates in &mut series {
            mates.retain(|&m| vectors.get(m as usize).is_some_and(|v| !v.is_empty()));
        }

        // (3) Inverted index with capped postings.
        // Tags and authors only score a pool picked by words (see `Select`),
        // so they need no postings.
        let index = Index::build(&vectors, special.len(), config.max_postings, &special);
        Model {
            vectors,
            index,
            special,
            series,
            lens,
            names,
        }
    }

    /// Pass 1 over every document, in parallel: its candidates, and from
    /// them how much of a hub each document is.
    fn candidates(&self, select: &Select<'_>) -> (Vec<Vec<Candidate>>, Vec<f32>) {
        let n = self.vectors.len();
        let candidates: Vec<Vec<Candidate>> = self
            .vectors
            .par_iter()
            .enumerate()
            .map_init(
                || Scratch::new(n),
                |scratch, (d, _)| select.candidates(d as u32, &self.vectors, scratch),
            )
            .collect();
        let hubness = candidates
            .par_iter()
            .map(|c| select.hubness(c, &candidates))
            .collect();
        (candidates, hubness)
    }

    /// (4) What the per-document selection needs.
    fn select(&self, docs: &[RelateDoc<'_>], config: &RelateConfig) -> Select<'_> {
        let weights = Weights::new(config);
        Select {
            index: &self.index,
            special: &self.special,
            series: &self.series,
            lens: &self.lens,
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

/// Phase 1 in parallel chunks, each with its own vocabulary. Each chunk
/// learns its vocabulary afresh (a stop-word test, a stem and an
/// allocation per distinct token), so chunks are as few as balancing the
/// threads allows: `CHUNKS_PER_THREAD` each. Global ids do not depend on
/// the chunks (see `merge_vocabularies`).
fn count(docs: &[RelateDoc<'_>], weights: &Weights) -> Vec<Chunk> {
    let chunk_len = docs
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * CHUNKS_PER_THREAD)
        .clamp(32, 1024);
    docs.par_chunks(chunk_len)
        .map(|chunk| build_chunk(chunk, weights))
        .collect()
}

/// Per global term, its smooth idf among `n` documents.
fn idf(df: &[u32], n: usize) -> Vec<f32> {
    let n_f64 = n as f64;
    df.iter()
        .map(|&d| (((1.0 + n_f64) / (1.0 + f64::from(d))).ln() + 1.0) as f32)
        .collect()
}

/// Global term id → whether it is a tag or author (text terms are
/// alphanumeric, so they never start with `#` or `@`).
fn special_terms(chunks: &[Chunk], remaps: &[Vec<u32>], len: usize) -> Vec<bool> {
    let mut special = vec![false; len];
    for (chunk, remap) in chunks.iter().zip(remaps) {
        for (term, &global) in chunk.terms.iter().zip(remap) {
            if term.starts_with(['#', '@'])
                && let Some(slot) = special.get_mut(global as usize)
            {
                *slot = true;
            }
        }
    }
    special
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

/// Tokenising chunks per thread: enough that a thread done early takes
/// work from a slow one (the machine is shared, notes differ in length).
const CHUNKS_PER_THREAD: usize = 8;
/// Scale of tag and author terms against the unit-length text part.
const SPECIAL_SCALE: f32 = 0.5;
/// Tags (and authors) looked at per note.
const MAX_SPECIALS: usize = 32;
/// Token length bounds, in characters.
const MIN_TOKEN_CHARS: usize = 2;
const MAX_TOKEN_CHARS: usize = 40;
/// Vector entries lighter than this are dropped (keeps products nonzero).
const MIN_WEIGHT: f32 = 1e-9;
/// A note with fewer body tokens than this (stop words aside) is a stub:
/// it neither gives nor receives links. Low on purpose: a feed of one-line
/// excerpts still relates.
const MIN_BODY_TOKENS: u32 = 5;
/// A note with fewer body tokens than this (a one-line excerpt, `lore
/// init`'s example note) relates only to notes at most `SHORT_RATIO` times
/// as long: a cosine over a dozen words says little about a long post.
const SHORT_TOKENS: u32 = 12;
const SHORT_RATIO: u32 = 4;
/// Body tokens per expected use of a term the note is about (see
/// `Pruning::support`).
const PASSING_LEN: f32 = 500.0;
/// A text score resting on fewer terms than this (effective number: the
/// square of the sum of products over their sum of squares) is scaled down.
const BROAD_TERMS: f32 = 2.0;
/// Tags and authors add at most this times the text cosine.
const SPECIAL_CAP: f32 = 1.0;
/// Candidates kept per note in pass 1: this many times `max_related`, and
/// at least `MIN_POOL`.
const CANDIDATE_FACTOR: usize = 1;
const MIN_POOL: usize = 8;
/// How many of a note's best candidates say how much of a hub it is.
const HUB_NEIGHBOURS: usize = 5;
/// How much of a note's hubness is forgiven when its nearest candidates
/// are candidates of one another (one subject, not many).
const COHESION_WEIGHT: f32 = 0.5;
/// How much of the other note's hubness is taken off a score.
const HUB_WEIGHT: f32 = 0.7;
/// A link needs at least this score after the hub discount...
const MIN_LINK: f32 = 0.03;
/// ...and at least this share of the note's best link.
const MIN_SHARE_OF_BEST: f32 = 0.4;
/// What being parts of one series adds to a score.
const SERIES_BONUS: f32 = 0.1;
/// A title group bigger than this is a naming habit, not a series.
const MAX_SERIES: usize = 32;
/// A title's head before `:` names a series only if it is this short.
const MAX_SERIES_HEAD_WORDS: usize = 4;

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
            ("Sourdough starter care", "Feed the starter flour and water daily; hydration and temperature drive fermentation of the dough. Bake loaves in a dutch oven."),
            ("Tomato seedlings in spring", "Sow tomato seeds indoors, harden seedlings off, transplant after frost into compost-rich beds. Stake vines, pinch suckers."),
            ("Marathon training log", "Long runs on weekends, tempo intervals midweek, taper before race day, carbohydrate loading. Shoes wear after miles."),
            ("Budget travel in Portugal", "Trains from Lisbon to Porto are cheap; hostels, pastries and tram rides along the river. Sardines grilled in summer."),
            ("Watercolor basics", "Wet-on-wet washes, pigment granulation, cold press paper and round brushes for landscapes. Mask highlights, layer glazes."),
            ("Home espresso dialing", "Grind size, dose, yield and shot time; a scale and fresh beans matter more than the machine. Steam milk for flat whites."),
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
            "We start with parsing markdown files and front matter into an intermediate representation: \
             pages, sections, taxonomies, assets and links between them.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Building a static site generator, part 2",
            "Templates turn pages into HTML; we add layouts, partials and a theme directory, then \
             shortcodes, pagination and feeds.",
            &[],
            &[],
        ));
        notes.push(owned(
            "[1/2] Kubernetes autoscaling deep dive",
            "Horizontal pod autoscaler reacts to CPU metrics: target utilisation, replicas, \
             stabilisation windows and custom metrics adapters.",
            &[],
            &[],
        ));
        notes.push(owned(
            "[2/2] Kubernetes autoscaling deep dive",
            "Cluster autoscaler adds nodes when pods are pending: node groups, scale-down delays, \
             expanders and cloud provider quotas.",
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
             Shorter lifetimes fixed it; the compiler error named both borrows and where each ended.",
            &[],
            &[],
        ));
        let out = run(&notes);
        assert_eq!(first(&out[base]), Some(base as u32 + 1));
        assert_eq!(first(&out[base + 1]), Some(base as u32));
    }

    /// A body a few notes share, so tags and authors have text to reorder.
    const SHARED: &str = "Compost heaps need green and brown layers, moisture, air and \
                          turning; worms and fungi break leaves into humus for the beds.";

    #[test]
    fn rare_shared_tag_beats_common_shared_tag() {
        let mut notes = filler();
        let base = notes.len() as u32;
        for i in 0..12 {
            notes.push(owned(&format!("note {i}"), SHARED, &["common"], &[]));
        }
        notes.push(owned("alpha", SHARED, &["common", "rare"], &[])); // base + 12
        notes.push(owned("beta", SHARED, &["rare"], &[])); // base + 13
        notes.push(owned("gamma", SHARED, &["Common"], &[])); // base + 14
        let out = run(&notes);
        let list = &out[base as usize + 12];
        let score = |j: u32| list.iter().find(|e| e.0 == j).map(|e| e.1);
        assert_eq!(first(list), Some(base + 13), "{list:?}");
        let rare = score(base + 13).unwrap_or(0.0);
        let common = score(base + 14).unwrap_or(0.0);
        assert!(rare > common, "rare {rare} common {common}");
    }

    #[test]
    fn tags_and_authors_alone_relate_nothing() {
        // One feed tags everything `#data` and one person wrote both; the
        // subjects differ, so a reader would not follow one to the other.
        let mut notes = filler();
        let n = notes.len();
        notes[0].tags = vec!["data".into()];
        notes[0].authors = vec!["Ada".into()];
        notes[1].tags = vec!["data".into()];
        notes[1].authors = vec!["Ada".into()];
        let out = run(&notes);
        assert!(out[0].iter().all(|e| e.0 != 1), "{:?}", out[0]);
        assert_eq!(out.len(), n);
    }

    #[test]
    fn shared_author_counts_a_little() {
        let mut notes = filler();
        notes.push(owned("one", SHARED, &[], &["Ada Lovelace"]));
        notes.push(owned("two", SHARED, &[], &["  ada   lovelace "]));
        notes.push(owned("three", SHARED, &[], &["Someone Else"]));
        let out = run(&notes);
        let n = notes.len();
        assert_eq!(first(&out[n - 3]), Some(n as u32 - 2));
    }

    #[test]
    fn stubs_neither_give_nor_receive() {
        let mut notes = filler();
        let base = notes.len();
        notes.push(owned("Compost", SHARED, &["garden"], &["Ada"]));
        notes.push(owned("Compost too", SHARED, &["garden"], &["Ada"]));
        // The same words, too few of them to say what a note is about.
        notes.push(owned(
            "Compost",
            "Compost heaps need layers.",
            &["garden"],
            &["Ada"],
        ));
        notes.push(owned("Compost", "", &["garden"], &["Ada"]));
        let out = run(&notes);
        assert_eq!(first(&out[base]), Some(base as u32 + 1));
        assert!(out[base + 2].is_empty() && out[base + 3].is_empty());
        for list in &out {
            assert!(list.iter().all(|e| (e.0 as usize) < base + 2), "{list:?}");
        }
    }

    #[test]
    fn a_word_used_in_passing_relates_less() {
        // Two notes about sourdough; one about travel that names bread once
        // in passing. The passing mention must not beat the real topic.
        let mut notes = filler();
        let base = notes.len() as u32;
        let long_trip = "Lisbon trams, Porto wine cellars, Sintra palaces, Cascais beaches, \
                         Coimbra library, Evora temple, Algarve cliffs, Douro valley vineyards, \
                         azulejo tiles, fado evenings, ferry crossings, miradouro sunsets. "
            .repeat(4);
        notes.push(owned(
            "Sourdough hydration",
            "Sourdough hydration: wetter dough, open crumb, \
            longer fermentation; the starter and flour decide how much water the sourdough takes.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Sourdough scoring",
            "Scoring sourdough loaves: a lame, shallow angle, \
            steam in the oven; fermentation and starter strength shape the ear of the sourdough.",
            &[],
            &[],
        ));
        notes.push(owned(
            "A week in Portugal",
            &format!("{long_trip} Sourdough at breakfast."),
            &[],
            &[],
        ));
        let out = run(&notes);
        let travel = base + 2;
        assert!(
            out[base as usize].iter().any(|e| e.0 == base + 1),
            "{:?}",
            out[base as usize]
        );
        for d in [base, base + 1] {
            let list = &out[d as usize];
            assert!(list.iter().all(|e| e.0 != travel), "{d}: {list:?}");
        }
        assert!(
            out[travel as usize]
                .iter()
                .all(|e| e.0 != base && e.0 != base + 1)
        );
    }

    #[test]
    fn a_heading_names_what_a_note_is_about() {
        // A garden diary spends more words on the lawn than on roses, but
        // heads its note with roses: the rose note is its first related note
        // (without the heading it would be the lawn's).
        let mut notes = filler();
        let base = notes.len() as u32;
        notes.push(owned(
            "Lawn through the year",
            "Mowing height, clippings left on the grass, edging along the beds, \
             scarifying moss and overseeding bare patches of the lawn.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Roses through the year",
            "Pruning above an outward bud, deadheading spent blooms, mulching \
             the roots and spraying black spot on the rose leaves.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Saturday in the garden",
            "## Roses\n\nPruning, deadheading, black spot. \
             Then mowing, clippings, edging, scarifying moss on the lawn, overseeding.",
            &[],
            &[],
        ));
        let out = run(&notes);
        assert_eq!(first(&out[base as usize + 2]), Some(base + 1), "{out:?}");
    }

    #[test]
    fn headings_are_atx_lines_outside_code() {
        let body = "# One\ntext #not\n```\n# comment\n```\n  ## Two ##\n#tag\n####### seven\n\
                    ~~~\n# in tildes\n~~~\n    # indented code\n### Three";
        let found: Vec<&str> = chunks::headings(body).collect();
        assert_eq!(found, [" One", " Two ##", " Three"]);
    }

    #[test]
    fn a_note_close_to_everything_is_not_everyones_first() {
        // Three pairs on three subjects, and a digest that covers all three
        // subjects in full: each pair should still find its partner first.
        let mut notes = filler();
        let base = notes.len() as u32;
        let subjects = [
            (
                "compost heaps worms humus leaves turning",
                "green brown layers moisture",
            ),
            (
                "pottery wheel clay glaze kiln trimming",
                "bisque slip centering",
            ),
            ("sailing knots bowline cleat hitch rope", "reef loop splice"),
        ];
        let mut digest = String::new();
        for (core, extra) in subjects {
            notes.push(owned(core, &format!("{core} {extra} {core}"), &[], &[]));
            notes.push(owned(extra, &format!("{core} {extra} notes"), &[], &[]));
            digest.push_str(&format!("{core} {core} {extra} "));
        }
        notes.push(owned("Weekly digest", &digest, &[], &[]));
        let out = run(&notes);
        for pair in 0..3 {
            let (a, b) = (base + 2 * pair, base + 2 * pair + 1);
            assert_eq!(first(&out[a as usize]), Some(b), "{:?}", out[a as usize]);
            assert_eq!(first(&out[b as usize]), Some(a), "{:?}", out[b as usize]);
        }
    }

    #[test]
    fn the_centre_of_one_subject_is_not_taken_for_a_hub() {
        // Five beekeeping notes close to one another, one of them (the
        // overview) close to all; a note on swarms that also names a
        // kayak trip. The overview is close to many notes, but they are all
        // on its one subject: it is the swarm note's first related note,
        // not the kayak note that shares a few words in passing.
        let mut notes = filler();
        let base = notes.len() as u32;
        let bees = "hive colony queen brood frames honey super smoker varroa mites nectar";
        notes.push(owned(
            "Beekeeping overview",
            &format!("{bees} {bees} swarm cells inspection"),
            &[],
            &[],
        ));
        for (title, extra) in [
            ("Varroa treatment", "oxalic acid mite counts sugar roll"),
            ("Honey harvest", "extractor uncapping knife jars"),
            ("Queen rearing", "grafting cups nucleus mating"),
            ("Winter hive prep", "insulation fondant mouse guard"),
        ] {
            notes.push(owned(title, &format!("{bees} {extra} {extra}"), &[], &[]));
        }
        notes.push(owned(
            "Kayak trip on the lake",
            "paddle kayak lake portage canoe spray deck kayak paddle lake \
             swarm cells inspection queen",
            &[],
            &[],
        ));
        notes.push(owned(
            "Catching a swarm",
            &format!("swarm cells inspection queen colony hive brood {bees} paddle lake"),
            &[],
            &[],
        ));
        let out = run(&notes);
        let swarm = notes.len() - 1;
        assert_eq!(first(&out[swarm]), Some(base), "{:?}", out[swarm]);
    }

    #[test]
    fn series_keys_come_from_titles() {
        assert_eq!(
            series_key("ctrl+r #04: Energy & tunnels").as_deref(),
            Some("ctrl")
        );
        assert_eq!(series_key("Day 12: Chapter three").as_deref(), Some("day"));
        assert_eq!(
            series_key("10 Lessons Learned In 10 Years [1/2]"),
            series_key("10 Lessons Learned In 10 Years [2/2]")
        );
        assert_eq!(
            series_key("Why Rust: a long story about memory safety"),
            None
        );
        assert_eq!(series_key("Notes on borrow checking"), None);
    }

    #[test]
    fn a_series_with_few_shared_words_still_relates() {
        let mut notes = filler();
        let base = notes.len() as u32;
        notes.push(owned(
            "Weekly #1: knots",
            "Sailing knots: a bowline makes a fixed loop, a cleat hitch holds a line, \
             a reef knot joins two ends of equal rope.",
            &[],
            &[],
        ));
        notes.push(owned(
            "Weekly #2: espresso",
            "Espresso shots: grind finer when it runs fast, \
            coarser when it chokes; weigh dose and yield, time every shot, taste.",
            &[],
            &[],
        ));
        let out = run(&notes);
        assert_eq!(
            first(&out[base as usize]),
            Some(base + 1),
            "{:?}",
            out[base as usize]
        );
    }

    #[test]
    fn never_related_to_itself() {
        let mut notes = filler();
        // Exact duplicates too: they relate to each other, not to themselves.
        notes.push(owned("Same title", SHARED, &["x"], &["a"]));
        notes.push(owned("Same title", SHARED, &["x"], &["a"]));
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
    fn a_memo_gives_what_a_fresh_run_gives() {
        let config = RelateConfig {
            max_postings: 16,
            ..RelateConfig::default()
        };
        let mut notes = synthetic(400);
        let mut memo = Memo::default();
        let fresh = related(&docs(&notes), &config);
        assert_eq!(
            bits(&related_with(&docs(&notes), &config, &mut memo)),
            bits(&fresh)
        );
        assert!(fresh.iter().filter(|l| !l.is_empty()).count() > 300);

        // One note edited (a new word first, which renumbers every term),
        // one added in the middle, one removed, one retagged.
        notes[0].body = format!("zebra crossing {} zebra", notes[0].body);
        notes[0].title.push_str(" anew");
        let added = owned(
            "A note about zebra crossing",
            &format!("zebra crossing {}", notes[3].body),
            &["tag1", "brand new"],
            &["author2"],
        );
        notes.insert(200, added);
        notes.remove(10);
        notes[50].tags = vec!["tag3".into()];
        let fresh = related(&docs(&notes), &config);
        let remembered = related_with(&docs(&notes), &config, &mut memo);
        assert_eq!(bits(&remembered), bits(&fresh));
        assert_ne!(fresh.get(199), Some(&Vec::new()));

        // Again from that memo, and with tags weighing differently
        // (tokenising counts tags by their weight).
        notes.swap(1, 2);
        notes[7].body.clear();
        let config = RelateConfig {
            tag_weight: 2.0,
            ..config
        };
        let fresh = related(&docs(&notes), &config);
        assert_eq!(
            bits(&related_with(&docs(&notes), &config, &mut memo)),
            bits(&fresh)
        );
        // Numbered in parts, as many as threads.
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool");
        let remembered =
            three.install(|| related_with(&docs(&notes), &config, &mut Memo::default()));
        assert_eq!(bits(&remembered), bits(&fresh));
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
    fn capitalised_words_are_the_same_words() {
        // Around the 8- and 16-byte boundaries of the head, and the bytes
        // either side of `A`..=`Z` (`@`, `[`) and `a`..=`z` (`` ` ``, `{`).
        let text =
            "Kafka KAFKA kafka Abcdefgh ABCDEFGHIJKLMNOP ABCDEFGHIJKLMNOPQ Zz09AZaz @Ab[Cd`Ef{Gh";
        let mut seen = Vec::new();
        tokenize(text, &mut String::new(), |t, head| {
            assert_eq!(head, token_head(t.as_bytes(), 0, t.len()), "{t}");
            seen.push(t.to_string());
        });
        let lower: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        assert_eq!(seen, lower);
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
