//! Phase 4: per document, dot products accumulated over the capped
//! postings (text and tags/authors apart); then, once every document has its
//! candidates, hubs discounted, weak links dropped and the best kept.

use super::*;

pub(super) struct Select<'a> {
    pub(super) index: &'a Index,
    /// Global term id → whether it is a tag or author (not text).
    pub(super) special: &'a [bool],
    /// Per document, the other parts of its series.
    pub(super) series: &'a [Vec<u32>],
    /// Per document, its body tokens: a short note and a long one do not
    /// relate.
    pub(super) lens: &'a [u32],
    /// Per document, its date (only read when the date boost is on).
    pub(super) dates: Vec<Option<i64>>,
    pub(super) max_related: usize,
    pub(super) min_score: f32,
    pub(super) date_weight: f32,
    pub(super) date_scale_secs: f32,
}

/// One candidate of a document: the other document, its text cosine and
/// what shared tags and authors add (already capped), summed in `base`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Candidate {
    pub(super) other: u32,
    pub(super) text: f32,
    pub(super) special: f32,
    /// `SERIES_BONUS` if both are parts of one series.
    pub(super) series: f32,
    pub(super) base: f32,
}

pub(super) struct Scratch {
    /// Dense accumulator of quick scores, one slot per document, all zero
    /// between uses.
    pub(super) acc: Vec<f32>,
    /// Documents with a nonzero slot in `acc` (a prefix of it, written
    /// without branching; see [`Select::candidates`]).
    pub(super) touched: Vec<u32>,
    pub(super) candidates: Vec<Candidate>,
    /// The best base scores so far, best first (at most the pool size).
    pub(super) best: Vec<f32>,
}

impl Scratch {
    pub(super) fn new(n: usize) -> Scratch {
        Scratch {
            acc: vec![0.0; n],
            touched: Vec::new(),
            candidates: Vec::new(),
            best: Vec::new(),
        }
    }
}

/// Heaviest `base` first, then lowest id.
fn by_base(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.base.total_cmp(&a.base).then(a.other.cmp(&b.other))
}

impl Select<'_> {
    /// How many candidates pass 1 keeps per document: enough that the hub
    /// discount and the date boost can reorder them.
    pub(super) fn pool(&self) -> usize {
        self.max_related
            .saturating_mul(CANDIDATE_FACTOR)
            .max(MIN_POOL)
    }

    /// Pass 1: the best candidates of document `d`, by base score, best
    /// first. Two steps: a quick score (text products over the capped
    /// postings, plus the series bonus) picks a pool; then each of the pool
    /// is scored exactly from the two vectors (text, how many terms it rests
    /// on, tags and authors), which keeps the hot loop as small as a plain
    /// cosine's.
    pub(super) fn candidates(
        &self,
        d: u32,
        vectors: &[Vec<(u32, f32)>],
        s: &mut Scratch,
    ) -> Vec<Candidate> {
        let vector = vectors.get(d as usize).map_or(&[][..], Vec::as_slice);
        // A stub has no vector; it takes no part in a series either.
        let mates = match self.series.get(d as usize) {
            Some(mates) if !vector.is_empty() => mates.as_slice(),
            _ => &[],
        };
        let is_special = |t: u32| self.special.get(t as usize).copied().unwrap_or(false);
        // Every posting visited may touch a new document: size `touched` so
        // that it can be written without a branch.
        let bound: usize = vector
            .iter()
            .map(|&(t, _)| self.index.postings(t).len())
            .sum::<usize>()
            + mates.len();
        if s.touched.len() < bound {
            s.touched.resize(bound, 0);
        }
        let mut touched = 0usize;
        // Tags and authors have no postings (`Index::build`): they weigh
        // in only among the candidates found here.
        for &(term, w) in vector {
            for &(other, w2) in self.index.postings(term) {
                if other != d {
                    touch(s, &mut touched, other, w * w2);
                }
            }
        }
        for &other in mates {
            touch(s, &mut touched, other, SERIES_BONUS);
        }
        // The pool by quick score: a running floor that only rises, so few
        // candidates are kept.
        let pool = self.pool();
        s.candidates.clear();
        s.best.clear();
        let mut floor = self.min_score;
        for &other in s.touched.get(..touched).unwrap_or_default() {
            let Some(a) = s.acc.get_mut(other as usize) else {
                continue;
            };
            let quick = std::mem::take(a);
            if !(quick >= floor && quick > 0.0) {
                continue;
            }
            s.candidates.push(Candidate {
                other,
                text: 0.0,
                special: 0.0,
                series: 0.0,
                base: quick,
            });
            let at = s.best.partition_point(|&b| b >= quick);
            if at < pool {
                s.best.insert(at, quick);
                s.best.truncate(pool);
                if s.best.len() == pool
                    && let Some(&last) = s.best.last()
                {
                    floor = last;
                }
            }
        }
        s.candidates.retain(|c| c.base >= floor);
        if s.candidates.len() > pool {
            s.candidates.select_nth_unstable_by(pool - 1, by_base);
            s.candidates.truncate(pool);
        }
        // The pool scored exactly.
        let len = |d: u32| self.lens.get(d as usize).copied().unwrap_or(0);
        let mine = len(d);
        let mut out: Vec<Candidate> = s
            .candidates
            .iter()
            .filter_map(|c| {
                let (shorter, longer) = (mine.min(len(c.other)), mine.max(len(c.other)));
                if shorter < SHORT_TOKENS && longer > shorter.saturating_mul(SHORT_RATIO) {
                    return None;
                }
                let theirs = vectors.get(c.other as usize)?;
                let [text, squares, special] = shared(vector, theirs, is_special);
                // A score resting on one or two shared words is likely a
                // coincidence ("cheap", "energy" in another sense): it counts
                // in proportion to the root of how many terms share it (the
                // square of the sum of products over their sum of squares),
                // up to `BROAD_TERMS`.
                let text = if text * text >= BROAD_TERMS * squares {
                    text
                } else {
                    text * (text * text / (BROAD_TERMS * squares)).sqrt()
                };
                let series = if mates.contains(&c.other) {
                    SERIES_BONUS
                } else {
                    0.0
                };
                if text < self.min_score && series == 0.0 {
                    return None;
                }
                // Tags and authors add at most what the text already gives:
                // they reorder notes about the same thing, they cannot make a
                // note on another subject related (a feed tags all its posts
                // `#data`; one author writes on many subjects).
                let special = special.min(text * SPECIAL_CAP);
                let base = text + special + series;
                (base > 0.0).then_some(Candidate {
                    other: c.other,
                    text,
                    special,
                    series,
                    base,
                })
            })
            .collect();
        out.sort_unstable_by(by_base);
        out
    }

    /// How much of a hub a document is: the mean score (words, tags and
    /// authors) of its best `HUB_NEIGHBOURS` candidates, missing ones
    /// counting 0, less `COHESION_WEIGHT` of it as far as those candidates
    /// are candidates of one another. A note close to everything (a
    /// newsletter issue on ten subjects) is close to notes that are not
    /// close to each other and keeps its hubness; a note at the centre of
    /// one subject (the career posts of a data blog) is close to notes that
    /// are close to each other too, and is not a hub for it. Fixed, so
    /// `[related] max` changes no score.
    pub(super) fn hubness(&self, mine: &[Candidate], all: &[Vec<Candidate>]) -> f32 {
        let k = HUB_NEIGHBOURS;
        let mean = mine.iter().take(k).map(|c| c.text + c.special).sum::<f32>() / k as f32;
        mean * (1.0 - COHESION_WEIGHT * cohesion(mine, all))
    }

    /// Pass 2: the final list of `d` from its candidates: each score less
    /// `HUB_WEIGHT` times the other note's hubness (cross-domain similarity
    /// local scaling, as in Conneau et al. 2018), weak ones dropped, the
    /// date boost applied, the best `max_related` kept.
    pub(super) fn finish(
        &self,
        d: u32,
        candidates: &[Candidate],
        hubness: &[f32],
    ) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32)> = candidates
            .iter()
            .map(|c| (c.other, self.adjusted(c, hubness)))
            .filter(|&(_, score)| score >= MIN_LINK)
            .collect();
        let best = out.iter().map(|e| e.1).fold(0.0f32, f32::max);
        out.retain(|&(_, score)| score >= best * MIN_SHARE_OF_BEST);
        if self.date_weight > 0.0
            && let Some(t1) = self.dates.get(d as usize).copied().flatten()
        {
            for (other, score) in &mut out {
                if let Some(t2) = self.dates.get(*other as usize).copied().flatten() {
                    let apart = t1.abs_diff(t2) as f32;
                    *score *= 1.0 + self.date_weight * (-apart / self.date_scale_secs).exp();
                }
            }
        }
        out.sort_unstable_by(by_weight);
        out.truncate(self.max_related);
        out
    }

    /// A candidate's score after the hub discount.
    pub(super) fn adjusted(&self, c: &Candidate, hubness: &[f32]) -> f32 {
        c.base - HUB_WEIGHT * hubness.get(c.other as usize).copied().unwrap_or(0.0)
    }
}

/// Over the terms two sorted vectors share: the sum of text products, the
/// sum of their squares, and the sum of tag and author products.
fn shared(a: &[(u32, f32)], b: &[(u32, f32)], is_special: impl Fn(u32) -> bool) -> [f32; 3] {
    let mut out = [0.0f32; 3];
    let (mut i, mut j) = (0, 0);
    while let (Some(&(ta, wa)), Some(&(tb, wb))) = (a.get(i), b.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let product = wa * wb;
                if is_special(ta) {
                    out[2] += product;
                } else {
                    out[0] += product;
                    out[1] += product * product;
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Adds `value` to `other`'s quick score, noting `other` in `touched` the
/// first time (written without a branch; `touched` is sized for it).
#[inline(always)]
fn touch(s: &mut Scratch, touched: &mut usize, other: u32, value: f32) {
    if let (Some(a), Some(slot)) = (s.acc.get_mut(other as usize), s.touched.get_mut(*touched)) {
        *slot = other;
        *touched += usize::from(*a == 0.0);
        *a += value;
    }
}

/// The share of pairs among a document's best `HUB_NEIGHBOURS` candidates
/// where one is a candidate of the other: 1 when they are on one subject, 0
/// when each is on a subject of its own (0 too under two candidates). Each
/// neighbour's own candidates are read once.
fn cohesion(mine: &[Candidate], all: &[Vec<Candidate>]) -> f32 {
    let near = mine
        .get(..HUB_NEIGHBOURS.min(mine.len()))
        .unwrap_or_default();
    if near.len() < 2 {
        return 0.0;
    }
    // knows[i] has bit j set when near[j] is among near[i]'s candidates.
    let mut knows = [0u8; HUB_NEIGHBOURS];
    for (bits, a) in knows.iter_mut().zip(near) {
        let theirs = all.get(a.other as usize).map_or(&[][..], Vec::as_slice);
        for (j, b) in near.iter().enumerate() {
            if theirs.iter().any(|t| t.other == b.other) {
                *bits |= 1 << j;
            }
        }
    }
    let (mut linked, mut pairs) = (0u32, 0u32);
    for i in 0..near.len() {
        for j in i + 1..near.len() {
            pairs += 1;
            let ij = knows.get(i).is_some_and(|b| b & (1 << j) != 0);
            let ji = knows.get(j).is_some_and(|b| b & (1 << i) != 0);
            linked += u32::from(ij || ji);
        }
    }
    linked as f32 / pairs as f32
}
