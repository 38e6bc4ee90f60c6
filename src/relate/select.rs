//! Phase 4: per document, dot products accumulated over the capped
//! postings, and the best kept.

use super::*;

pub(super) struct Select<'a> {
    pub(super) index: &'a Index,
    /// Per document, its date (only read when the date boost is on).
    pub(super) dates: Vec<Option<i64>>,
    pub(super) max_related: usize,
    pub(super) min_score: f32,
    pub(super) date_weight: f32,
    pub(super) date_scale_secs: f32,
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

pub(super) struct Scratch {
    /// Dense accumulator, one slot per document, all zero between uses.
    pub(super) acc: Vec<f32>,
    /// Documents with a nonzero slot in `acc` (a prefix of it, written
    /// without branching; see [`Select::related`]).
    pub(super) touched: Vec<u32>,
    pub(super) candidates: Vec<(u32, f32)>,
    /// The best base scores so far, best first (at most `max_related`).
    pub(super) best: Vec<f32>,
}

impl Select<'_> {
    pub(super) fn related(
        &self,
        d: u32,
        vector: &[(u32, f32)],
        s: &mut Scratch,
    ) -> Vec<(u32, f32)> {
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
