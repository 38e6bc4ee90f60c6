//! Graphs as inline SVG: every node a real link (`<a href>` with a
//! `<title>`, so it is named for screen readers and focusable), colours
//! from the page's stylesheet (classes, so dark mode follows), no script.

use std::fmt::Write;

use super::layout::{self, Point};
use crate::render::highlight::escape;

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

impl Tie {
    /// Its class on the drawing and in the key.
    pub fn class(self) -> &'static str {
        match self {
            Tie::Mutual => "tie-mutual",
            Tie::Out => "tie-out",
            Tie::In => "tie-in",
            Tie::Related => "tie-related",
        }
    }
}

/// A note around the one at the centre.
#[derive(Debug)]
pub struct Neighbour<'a> {
    pub title: &'a str,
    /// Site-relative URL.
    pub url: &'a str,
    pub tie: Tie,
}

const LOCAL_WIDTH: f32 = 340.0;
/// Characters of a label around the centre; the whole title is the link's
/// name and its tooltip.
const LOCAL_LABEL: usize = 17;

/// The neighbourhood of a note: it in the middle, its neighbours on a ring
/// (grouped by tie), lines to each and between neighbours that link.
/// `root` leads from the page to the site root.
pub fn neighbourhood(
    title: &str,
    neighbours: &[Neighbour<'_>],
    between: &[(usize, usize)],
    root: &str,
) -> String {
    let n = neighbours.len();
    let height = (26.0 * n.div_ceil(2) as f32 + 70.0).max(190.0);
    let (cx, cy) = (LOCAL_WIDTH / 2.0, height / 2.0);
    let (rx, ry) = (62.0, height / 2.0 - 30.0);
    let at: Vec<(f32, f32)> = layout::ring(n)
        .into_iter()
        .map(|(x, y)| (cx + (x - 0.5) * 2.0 * rx, cy + (y - 0.5) * 2.0 * ry))
        .collect();
    let parts: Vec<String> = [
        (Tie::Mutual, "linked both ways"),
        (Tie::Out, "it links to"),
        (Tie::In, "linking to it"),
        (Tie::Related, "related"),
    ]
    .iter()
    .filter_map(|&(tie, words)| {
        let count = neighbours.iter().filter(|n| n.tie == tie).count();
        (count > 0).then(|| format!("{count} {words}"))
    })
    .collect();
    let desc = format!("Notes: {}", parts.join(", "));
    let mut svg = open(
        "graph graph-local",
        "local-graph",
        &format!("Notes around {title}"),
        &desc,
        LOCAL_WIDTH,
        height,
    );
    svg.push_str("<g class=\"edges\">");
    for &(a, b) in between {
        line(&mut svg, "edge edge-between", at[a], at[b]);
    }
    for (nb, &p) in neighbours.iter().zip(&at) {
        line(&mut svg, &format!("edge {}", nb.tie.class()), (cx, cy), p);
    }
    svg.push_str("</g><g class=\"nodes\">");
    for (nb, &(x, y)) in neighbours.iter().zip(&at) {
        let dx = x - cx;
        let (anchor, tx, ty) = if dx.abs() < 8.0 {
            ("middle", x, if y < cy { y - 11.0 } else { y + 19.0 })
        } else if dx > 0.0 {
            ("start", x + 10.0, y + 4.0)
        } else {
            ("end", x - 10.0, y + 4.0)
        };
        let _ = write!(
            svg,
            "<a href=\"{root}{url}\" class=\"node {class}\"><title>{title}</title>\
             <circle cx=\"{x:.0}\" cy=\"{y:.0}\" r=\"6\"/>\
             <text x=\"{tx:.0}\" y=\"{ty:.0}\" text-anchor=\"{anchor}\">{label}</text></a>",
            url = escape(nb.url),
            class = nb.tie.class(),
            title = escape(nb.title),
            label = escape(&shorten(nb.title, LOCAL_LABEL)),
        );
    }
    let _ = write!(
        svg,
        "<g class=\"node node-self\"><circle cx=\"{cx:.0}\" cy=\"{cy:.0}\" r=\"8\"/>\
         <text x=\"{cx:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text></g></g></svg>",
        cy + 22.0,
        escape(&shorten(title, LOCAL_LABEL + 4))
    );
    svg
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

fn line(svg: &mut String, class: &str, a: (f32, f32), b: (f32, f32)) {
    let _ = write!(
        svg,
        "<line class=\"{class}\" x1=\"{:.0}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\"/>",
        a.0, a.1, b.0, b.1
    );
}

/// A title cut to `max` characters at a word boundary when it can be.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_neighbour_is_a_named_link_and_titles_are_escaped() {
        let neighbours = [
            Neighbour {
                title: "A <b>",
                url: "notes/a.html",
                tie: Tie::Out,
            },
            Neighbour {
                title: "B",
                url: "notes/b.html",
                tie: Tie::Related,
            },
        ];
        let svg = neighbourhood("Centre", &neighbours, &[(0, 1)], "../");
        assert!(svg.contains(
            "<a href=\"../notes/a.html\" class=\"node tie-out\"><title>A &lt;b&gt;</title>"
        ));
        assert!(
            svg.contains("<a href=\"../notes/b.html\" class=\"node tie-related\"><title>B</title>")
        );
        assert_eq!(svg.matches("class=\"edge edge-between\"").count(), 1);
        assert!(
            svg.contains("<desc id=\"local-graph-desc\">Notes: 1 it links to, 1 related</desc>")
        );
    }

    #[test]
    fn long_titles_are_shortened_at_a_word() {
        assert_eq!(
            shorten("Sending the complex index node", 17),
            "Sending the…"
        );
        assert_eq!(shorten("Short", 17), "Short");
    }
}
