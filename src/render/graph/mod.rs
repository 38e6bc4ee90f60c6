//! The graph of notes. Each note page's script (note.js) draws its
//! neighbourhood from what the page lists: the notes it links to, those
//! linking to it and its related notes; here only which of them link each
//! other is found ([`Ties::between`]). The graph page (`graph.html`) draws
//! the whole knowledge base while it is small enough to read and to keep
//! the page light ([`FULL_GRAPH_MAX`] notes); beyond that it says what the
//! graph is made of: tags as clusters joined by the notes they share, and
//! the most connected notes. It is laid out at build time (`layout`) and
//! drawn as inline SVG (`draw`), so it works from `file://` with no script.

pub mod draw;
mod layout;
mod page;

pub use page::GRAPH_PAGE;

use std::collections::{BTreeMap, HashMap};

use draw::Tie;

/// Neighbours a note's drawing shows, closest ties first.
pub const MAX_NEIGHBOURS: usize = 16;
/// The most notes the graph page draws one by one.
pub const FULL_GRAPH_MAX: usize = 1000;

/// Every note's ties, by note index.
pub struct Ties<'a> {
    /// The notes each links to (distinct, not itself).
    pub forward: &'a [Vec<usize>],
    pub backlinks: &'a [Vec<usize>],
    pub related: &'a [Vec<usize>],
}

impl Ties<'_> {
    /// The neighbours of note `i`: linked both ways, then linked to,
    /// linking to it, related; at most [`MAX_NEIGHBOURS`].
    pub fn neighbours(&self, i: usize) -> Vec<(usize, Tie)> {
        let mut tie: BTreeMap<usize, Tie> = BTreeMap::new();
        for &j in &self.forward[i] {
            tie.insert(j, Tie::Out);
        }
        for &j in &self.backlinks[i] {
            let t = tie.entry(j).or_insert(Tie::In);
            if *t == Tie::Out {
                *t = Tie::Mutual;
            }
        }
        for &j in &self.related[i] {
            if j != i {
                tie.entry(j).or_insert(Tie::Related);
            }
        }
        let mut list: Vec<(usize, Tie)> = tie.into_iter().collect();
        list.sort_by_key(|&(j, t)| (t, j));
        list.truncate(MAX_NEIGHBOURS);
        list
    }

    /// Pairs of positions in `neighbours` where one note links the other.
    pub fn between(&self, neighbours: &[(usize, Tie)]) -> Vec<(usize, usize)> {
        let at: HashMap<usize, usize> = neighbours
            .iter()
            .enumerate()
            .map(|(k, &(j, _))| (j, k))
            .collect();
        let mut pairs = Vec::new();
        for (a, &(j, _)) in neighbours.iter().enumerate() {
            for target in &self.forward[j] {
                if let Some(&b) = at.get(target)
                    && a != b
                {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Every tie of the whole graph once, as (a, b, weight) with a < b: a
    /// link weighs 1, a relation only by content 0.3.
    pub fn edges(&self) -> Vec<(usize, usize, f32)> {
        let mut weight: BTreeMap<(usize, usize), f32> = BTreeMap::new();
        for (i, targets) in self.forward.iter().enumerate() {
            for &j in targets {
                weight.insert((i.min(j), i.max(j)), 1.0);
            }
        }
        for (i, related) in self.related.iter().enumerate() {
            for &j in related {
                if i != j {
                    weight.entry((i.min(j), i.max(j))).or_insert(0.3);
                }
            }
        }
        weight.into_iter().map(|((a, b), w)| (a, b, w)).collect()
    }
}

/// How many ties each of `n` notes has.
pub fn degrees(n: usize, edges: &[(usize, usize, f32)]) -> Vec<usize> {
    let mut degree = vec![0; n];
    for &(a, b, _) in edges {
        degree[a] += 1;
        degree[b] += 1;
    }
    degree
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_tied_by_their_closest_tie() {
        let forward = vec![vec![1, 2], vec![0], vec![], vec![0]];
        let backlinks = vec![vec![1, 3], vec![0], vec![0], vec![]];
        let related = vec![vec![2, 3], vec![], vec![], vec![]];
        let ties = Ties {
            forward: &forward,
            backlinks: &backlinks,
            related: &related,
        };
        assert_eq!(
            ties.neighbours(0),
            [(1, Tie::Mutual), (2, Tie::Out), (3, Tie::In)]
        );
        let edges = ties.edges();
        assert_eq!(edges, [(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0)]);
        assert_eq!(degrees(4, &edges), [3, 1, 1, 1]);
    }
}
