//! Phase 2: each document pruned to its heaviest terms and normalised,
//! tags and authors added as special terms.

use super::*;

pub(super) struct Pruning<'a> {
    pub(super) title_weight: f32,
    /// `sublinear(tf)` for small counts.
    pub(super) sublinear: [f32; 64],
    pub(super) df: &'a [u32],
    pub(super) idf: &'a [f32],
    /// Notes carrying any tag or author, and the idf of a special term two
    /// of them share.
    pub(super) n_special: f32,
    pub(super) special_idf_max: f32,
    pub(super) max_terms: usize,
}

/// Heaviest first, then lowest id (term or document).
pub(super) fn by_weight(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

pub(super) fn normalize(v: &mut [(u32, f32)]) {
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for e in v {
            e.1 /= norm;
        }
    }
}

impl<'a> Pruning<'a> {
    pub(super) fn new(
        docs: &[RelateDoc<'_>],
        weights: &Weights,
        config: &RelateConfig,
        df: &'a [u32],
        idf: &'a [f32],
    ) -> Self {
        let n_special = docs
            .iter()
            .filter(|d| !d.tags.is_empty() || !d.authors.is_empty())
            .count() as f32;
        Pruning {
            title_weight: weights.title,
            sublinear: std::array::from_fn(|tf| sublinear(tf as u32)),
            df,
            idf,
            n_special,
            special_idf_max: ((1.0 + n_special) / 3.0).ln() + 1.0,
            max_terms: config.max_terms,
        }
    }
}

impl Pruning<'_> {
    #[inline]
    pub(super) fn sub(&self, tf: u64) -> f32 {
        match self.sublinear.get(tf as usize) {
            Some(&s) => s,
            None => sublinear(u32::try_from(tf).unwrap_or(u32::MAX)),
        }
    }

    /// The shared (df ≥ 2) global term with its idf, if any.
    pub(super) fn global(&self, remap: &[u32], local: u32) -> Option<(u32, f32)> {
        let g = *remap.get(local as usize)?;
        let df = *self.df.get(g as usize)?;
        (df >= 2).then_some((g, *self.idf.get(g as usize)?))
    }

    /// How much of a body term's weight counts: a term used once in a long
    /// note is a passing mention, not what the note is about. Full weight
    /// from about one use per `PASSING_LEN` tokens of body (and always from
    /// three uses); less below, in proportion. `per_expected_use` is
    /// `1 / min(3, 1 + len / PASSING_LEN)` for a body of `len` tokens.
    #[inline]
    pub(super) fn support(body: u64, per_expected_use: f32) -> f32 {
        (body as f32 * per_expected_use).min(1.0)
    }

    /// How much a title term counts, by how much the body uses it: a word
    /// only the title has (a pun, a metaphor) counts a third.
    #[inline]
    pub(super) fn title_support(body: u64) -> f32 {
        ((1 + body) as f32 / 3.0).min(1.0)
    }

    /// Each local term's global id and idf (if shared), looked up once
    /// rather than at each of its uses (three dependent loads each).
    pub(super) fn globals(&self, remap: &[u32]) -> Vec<Option<(u32, f32)>> {
        (0..remap.len() as u32)
            .map(|local| self.global(remap, local))
            .collect()
    }

    pub(super) fn vectors(&self, chunk: &Chunk, remap: &[u32]) -> Vec<Vec<(u32, f32)>> {
        let globals = self.globals(remap);
        // One buffer for every document's terms; each vector is copied out
        // at its final length (no over-allocation, no shrinking).
        let mut v: Vec<(u32, f32)> = Vec::new();
        chunk
            .docs()
            .map(|counts| self.vector(counts, &globals, remap, &mut v))
            .collect()
    }

    /// One document's pruned vector, from its counts (term ids local to
    /// `remap`: a chunk's or a [`Memo`]'s); `v` is a scratch buffer.
    #[inline]
    pub(super) fn vector(
        &self,
        counts: Counts<'_>,
        globals: &[Option<(u32, f32)>],
        remap: &[u32],
        v: &mut Vec<(u32, f32)>,
    ) -> Vec<(u32, f32)> {
        let Counts { text, special, len } = counts;
        // A stub (the example note, an empty body) neither gives nor
        // receives links: there is nothing in it to relate.
        if len < MIN_BODY_TOKENS {
            return Vec::new();
        }

        let per_expected_use = 1.0 / (1.0 + len as f32 / PASSING_LEN).min(3.0);
        v.clear();
        let mut pos = 0;
        while let Some(key) = get_varint(text, &mut pos) {
            let body = get_varint(text, &mut pos).unwrap_or(0);
            let title = if key & 1 == 1 {
                get_varint(text, &mut pos).unwrap_or(0)
            } else {
                0
            };
            let mut w = 0.0;
            if body > 0 {
                w += self.sub(body) * Self::support(body, per_expected_use);
            }
            if title > 0 {
                w += self.title_weight * self.sub(title) * Self::title_support(body);
            }
            if w > 0.0
                && let Some(&Some((g, idf))) = globals.get((key >> 1) as usize)
            {
                v.push((g, w * idf));
            }
        }
        if self.max_terms > 0 && v.len() > self.max_terms {
            v.select_nth_unstable_by(self.max_terms - 1, by_weight);
            v.truncate(self.max_terms);
        }
        v.sort_unstable_by_key(|e| e.0);
        normalize(v);
        // Tags and authors on top of the unit text part, not normalised
        // with it: the text part stays a cosine, and selection caps what
        // they add (see `Select`). Rarity is counted among the notes that
        // carry tags or authors at all, so a tag every note of one feed
        // has (`#data`) counts little even if other feeds have no tags.
        let n_text = v.len();
        v.extend(special.iter().filter_map(|&(l, factor)| {
            let g = *remap.get(l as usize)?;
            let df = *self.df.get(g as usize)?;
            (df >= 2).then(|| {
                let idf = ((1.0 + self.n_special) / (1.0 + df as f32)).ln() + 1.0;
                (g, factor * idf / self.special_idf_max)
            })
        }));
        if v.len() > n_text {
            v.sort_unstable_by_key(|e| e.0);
        }
        v.retain(|e| e.1 >= MIN_WEIGHT);
        v.clone()
    }
}

/// What phase 1 counted of one document.
#[derive(Clone, Copy)]
pub(super) struct Counts<'a> {
    /// Varints, as in [`Chunk::text`].
    pub(super) text: &'a [u8],
    /// (term, tag or author factor).
    pub(super) special: &'a [(u32, f32)],
    /// Body tokens.
    pub(super) len: u32,
}
