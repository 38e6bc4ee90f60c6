//! The whole graph as inline SVG (graph.html): every node a real link
//! (`<a href>` with a `<title>`, so it is named for screen readers and
//! focusable), colours from the page's stylesheet (classes, so dark mode
//! follows), no script. A note's neighbourhood is drawn the same way by
//! note.js.

use std::fmt::Write;

use super::layout::{self, Point};
use crate::render::highlight::escape;
use crate::render::views::shorten;

/// How a neighbour is tied to the note at the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tie {
    /// Each links to the other.
    Mutual,
    /// The note links to it.
    Out,
    /// It links to the note.
    In,
    /// Related by content, tags or authors.
    Related,
}

/// A node of a network drawing.
pub struct Node<'a> {
    pub title: &'a str,
    /// Site-relative URL.
    pub url: &'a str,
    /// Radius, in units of the 1000-wide drawing.
    pub radius: f32,
    /// Whether its name is written beside it (else only its tooltip).
    pub label: bool,
}

const NET_WIDTH: f32 = 1000.0;
const NET_HEIGHT: f32 = 720.0;
const NET_LABEL: usize = 28;

/// A whole network laid out by force: nodes (most connected first),
/// weighted edges. `id` names its title element.
pub fn network(
    id: &str,
    title: &str,
    desc: &str,
    nodes: &[Node<'_>],
    edges: &[(usize, usize, f32)],
    steps: usize,
) -> String {
    // Room at the sides for names centred on their nodes.
    let (mx, my) = (90.0, 40.0);
    let mut at: Vec<Point> = layout::force(nodes.len(), edges, steps)
        .into_iter()
        .map(|(x, y)| {
            (
                mx + x * (NET_WIDTH - 2.0 * mx),
                my + y * (NET_HEIGHT - 2.0 * my),
            )
        })
        .collect();
    let radii: Vec<f32> = nodes.iter().map(|n| n.radius).collect();
    // A named node keeps room for its name above it.
    let room: Vec<f32> = nodes
        .iter()
        .map(|n| n.radius + if n.label { 9.0 } else { 0.0 })
        .collect();
    layout::separate(&mut at, &room, 3.0, 40);
    for (p, r) in at.iter_mut().zip(&radii) {
        p.0 = p.0.clamp(r + 2.0, NET_WIDTH - r - 2.0);
        p.1 = p.1.clamp(r + 16.0, NET_HEIGHT - r - 2.0);
    }
    let mut svg = open(
        "graph graph-network",
        id,
        title,
        desc,
        NET_WIDTH,
        NET_HEIGHT,
    );
    // All edges as one path: a few bytes each, so large graphs stay small.
    svg.push_str("<path class=\"edge\" d=\"");
    for &(a, b, _) in edges {
        let _ = write!(
            svg,
            "M{:.0} {:.0}L{:.0} {:.0}",
            at[a].0, at[a].1, at[b].0, at[b].1
        );
    }
    svg.push_str("\"/><g class=\"nodes\">");
    for (node, &(x, y)) in nodes.iter().zip(&at) {
        let _ = write!(
            svg,
            "<a href=\"{}\" class=\"node\"><title>{}</title><circle cx=\"{x:.0}\" cy=\"{y:.0}\" r=\"{:.1}\"/>",
            escape(node.url),
            escape(node.title),
            node.radius
        );
        if node.label {
            let _ = write!(
                svg,
                "<text x=\"{x:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>",
                y - node.radius - 5.0,
                escape(&shorten(node.title, NET_LABEL))
            );
        }
        svg.push_str("</a>");
    }
    svg.push_str("</g></svg>");
    svg
}

/// `<svg>` with its accessible title and description.
fn open(class: &str, id: &str, title: &str, desc: &str, width: f32, height: f32) -> String {
    format!(
        "<svg class=\"{class}\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" \
         aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_are_shortened_at_a_word() {
        assert_eq!(
            shorten("Sending the complex index node", 17),
            "Sending the…"
        );
        assert_eq!(shorten("Short", 17), "Short");
    }
}
