//! The graph on pages: a note's neighbourhood, and `graph.html`.

use std::collections::HashMap;

use serde::Serialize;

use super::draw::{self, Node};
use super::{FULL_GRAPH_MAX, Ties, degrees};
use crate::render::templates::TemplateError;
use crate::render::views::LocalGraph;
use crate::render::{Ctx, Head, OutputFile};

pub const GRAPH_PAGE: &str = "graph.html";
/// Steps of the force layout.
const STEPS: usize = 120;
/// Tags the summary draws, and notes it lists as most connected.
const CLUSTER_TAGS: usize = 40;
const HUBS: usize = 30;
/// Names written beside nodes on the whole graph (the rest: tooltips).
const LABELS: usize = 25;

/// A note of the "most connected" list.
#[derive(Debug, Serialize)]
struct Hub<'v> {
    title: &'v str,
    url: &'v str,
    ties: usize,
}

impl<'a> Ctx<'a> {
    fn ties(&self) -> Ties<'_> {
        Ties {
            forward: &self.forward,
            backlinks: &self.backlinks,
            related: &self.related,
        }
    }

    /// What note `i`'s page needs to draw its neighbourhood, or none for a
    /// note alone. The neighbours themselves are on the page (its links,
    /// backlinks and related notes); only which of them link each other is
    /// not.
    pub(in crate::render) fn local_graph(&self, i: usize) -> Option<LocalGraph<'_>> {
        let ties = self.ties();
        let neighbours = ties.neighbours(i);
        if neighbours.is_empty() {
            return None;
        }
        let between = ties
            .between(&neighbours)
            .into_iter()
            .map(|(a, b)| {
                (
                    self.urls[neighbours[a].0].as_str(),
                    self.urls[neighbours[b].0].as_str(),
                )
            })
            .collect();
        Some(LocalGraph { between })
    }

    /// `graph.html`: the whole graph, or its summary past `FULL_GRAPH_MAX`.
    pub(in crate::render) fn graph_page(&self) -> Result<Option<OutputFile>, TemplateError> {
        #[derive(Serialize)]
        struct Body<'v> {
            notes: usize,
            links: usize,
            related: usize,
            alone: usize,
            network: Option<String>,
            clusters: Option<String>,
            hubs: Vec<Hub<'v>>,
            full_max: usize,
        }
        let n = self.notes.len();
        let edges = self.ties().edges();
        let degree = degrees(n, &edges);
        let mut by_degree: Vec<usize> = (0..n).collect();
        by_degree.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(a.cmp(&b)));
        let links = edges.iter().filter(|e| e.2 >= 1.0).count();
        let body = Body {
            notes: n,
            links,
            related: edges.len() - links,
            alone: degree.iter().filter(|&&d| d == 0).count(),
            network: (n > 0 && n <= FULL_GRAPH_MAX)
                .then(|| self.network(&by_degree, &degree, &edges)),
            clusters: (n > FULL_GRAPH_MAX).then(|| self.clusters()).flatten(),
            hubs: by_degree
                .iter()
                .take(HUBS)
                .filter(|&&i| degree[i] > 0)
                .map(|&i| Hub {
                    title: &self.notes[i].front.title,
                    url: &self.urls[i],
                    ties: degree[i],
                })
                .collect(),
            full_max: FULL_GRAPH_MAX,
        };
        let head = Head {
            description: format!(
                "How the {n} notes of {} link to each other",
                self.config.title
            ),
            ..Head::feeds(self.feed_links(None))
        };
        self.page("graph.html", GRAPH_PAGE, "Graph", "graph", head, body)
    }

    /// Every note and tie, the most connected notes named.
    fn network(
        &self,
        by_degree: &[usize],
        degree: &[usize],
        edges: &[(usize, usize, f32)],
    ) -> String {
        let position: HashMap<usize, usize> =
            by_degree.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let nodes: Vec<Node<'_>> = by_degree
            .iter()
            .enumerate()
            .map(|(k, &i)| Node {
                title: &self.notes[i].front.title,
                url: &self.urls[i],
                radius: 3.0 + 1.3 * (degree[i] as f32).sqrt(),
                label: k < LABELS && degree[i] > 0,
            })
            .collect();
        let edges: Vec<(usize, usize, f32)> = edges
            .iter()
            .map(|&(a, b, w)| (position[&a], position[&b], w))
            .collect();
        draw::network(
            "whole-graph",
            &format!("All {} notes and their ties", nodes.len()),
            "Each circle is a note, larger when more notes link to it, it links to or relate to it; lines are ties.",
            &nodes,
            &edges,
            STEPS,
        )
    }

    /// The most used tags, joined by how many notes they share.
    fn clusters(&self) -> Option<String> {
        let mut top: Vec<usize> = (0..self.tags.terms.len()).collect();
        top.sort_by(|&a, &b| {
            let (ta, tb) = (&self.tags.terms[a], &self.tags.terms[b]);
            tb.notes.len().cmp(&ta.notes.len()).then(a.cmp(&b))
        });
        top.truncate(CLUSTER_TAGS);
        if top.is_empty() {
            return None;
        }
        let slot: HashMap<usize, usize> = top.iter().enumerate().map(|(k, &t)| (t, k)).collect();
        let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
        for terms in &self.tags.by_note {
            let mine: Vec<usize> = terms.iter().filter_map(|t| slot.get(t).copied()).collect();
            for (x, &a) in mine.iter().enumerate() {
                for &b in &mine[x + 1..] {
                    *shared.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
        // Each tag keeps its strongest few partners, so the picture shows
        // clusters rather than a hairball.
        let count = |k: usize| self.tags.terms[top[k]].notes.len();
        let mut pairs: Vec<((usize, usize), usize)> = shared.into_iter().collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut kept = vec![0usize; top.len()];
        let mut edges = Vec::new();
        for ((a, b), together) in pairs {
            if kept[a] >= 4 && kept[b] >= 4 {
                continue;
            }
            kept[a] += 1;
            kept[b] += 1;
            let strength = together as f32 / count(a).min(count(b)).max(1) as f32;
            edges.push((a, b, 0.2 + strength));
        }
        let most = count(0).max(1) as f32;
        let nodes: Vec<Node<'_>> = top
            .iter()
            .enumerate()
            .map(|(k, &t)| Node {
                title: &self.tags.terms[t].name,
                url: &self.tags.terms[t].url,
                radius: 5.0 + 20.0 * (count(k) as f32 / most).sqrt(),
                label: true,
            })
            .collect();
        Some(draw::network(
            "tag-clusters",
            &format!("The {} most used tags", nodes.len()),
            "Each circle is a tag, larger when more notes carry it; lines join tags that notes share.",
            &nodes,
            &edges,
            STEPS,
        ))
    }
}
