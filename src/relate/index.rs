//! Phase 3: the inverted index, each postings list capped to its heaviest
//! entries so that common terms cost a bounded amount.

use super::*;

pub(super) struct Index {
    /// Per term, where its postings start in `postings`.
    pub(super) starts: Vec<usize>,
    /// Per term, how many postings it keeps (≤ `max_postings`).
    pub(super) lens: Vec<usize>,
    /// (document, weight), by term, each term's kept postings by document.
    pub(super) postings: Vec<(u32, f32)>,
}

impl Index {
    /// The index of every term but those `skip` marks.
    pub(super) fn build(
        vectors: &[Vec<(u32, f32)>],
        n_terms: usize,
        max_postings: usize,
        skip: &[bool],
    ) -> Index {
        let kept = |t: u32| !skip.get(t as usize).copied().unwrap_or(false);
        let mut starts = vec![0usize; n_terms + 1];
        for v in vectors {
            for &(t, _) in v.iter().filter(|e| kept(e.0)) {
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
            for &(t, w) in v.iter().filter(|e| kept(e.0)) {
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
    pub(super) fn postings(&self, term: u32) -> &[(u32, f32)] {
        let t = term as usize;
        match (self.starts.get(t), self.lens.get(t)) {
            (Some(&s), Some(&l)) => self.postings.get(s..s + l).unwrap_or_default(),
            _ => &[],
        }
    }
}
