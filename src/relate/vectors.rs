//! Phase 2: each document pruned to its heaviest terms and normalised,
//! tags and authors added as special terms.

use super::*;

pub(super) struct Pruning<'a> {
    pub(super) title_weight: f32,
    /// `sublinear(tf)` for small counts.
    pub(super) sublinear: [f32; 64],
    pub(super) df: &'a [u32],
    pub(super) idf: &'a [f32],
    pub(super) idf_max: f32,
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

    pub(super) fn vectors(&self, chunk: &Chunk, remap: &[u32]) -> Vec<Vec<(u32, f32)>> {
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
