//! Where the nodes of a drawing go, computed at build time so the browser
//! lays nothing out. Both layouts are deterministic: the same graph always
//! gives the same picture (no randomness, a fixed number of steps).

use rayon::prelude::*;

/// A position in the unit square.
pub type Point = (f32, f32);

/// Force-directed layout (Fruchterman–Reingold, with a pull to the centre
/// so loose parts stay near): linked nodes attract, all nodes repel. It
/// starts from a sunflower spiral in the given order, so put the most
/// connected nodes first. Edges are (a, b, weight). O(n² · steps): meant
/// for the few hundred to thousand nodes a page can show.
pub fn force(n: usize, edges: &[(usize, usize, f32)], steps: usize) -> Vec<Point> {
    let mut pos: Vec<Point> = (0..n).map(|i| spiral(i, n)).collect();
    if n < 2 {
        return pos;
    }
    let k = (1.0 / n as f32).sqrt();
    let mut moves = vec![(0.0f32, 0.0f32); n];
    // The positions again as two plain columns, for the repulsion's loop.
    let (mut xs, mut ys) = (vec![0.0f32; n], vec![0.0f32; n]);
    for step in 0..steps {
        let heat = 0.1 * (1.0 - step as f32 / steps as f32) + 0.002;
        for (i, p) in pos.iter().enumerate() {
            (xs[i], ys[i]) = *p;
        }
        moves
            .par_iter_mut()
            .enumerate()
            .for_each(|(i, m)| *m = repulsion(pos[i], (&xs, &ys), k * k));
        for &(a, b, w) in edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-4);
            let f = d * w / k;
            moves[a].0 -= dx * f;
            moves[a].1 -= dy * f;
            moves[b].0 += dx * f;
            moves[b].1 += dy * f;
        }
        for (p, m) in pos.iter_mut().zip(&moves) {
            let (gx, gy) = (0.5 - p.0, 0.5 - p.1);
            let (mx, my) = (m.0 + gx * 2.0 * k, m.1 + gy * 2.0 * k);
            let len = (mx * mx + my * my).sqrt().max(1e-9);
            let step_len = len.min(heat);
            p.0 += mx / len * step_len;
            p.1 += my / len * step_len;
        }
    }
    fit(&mut pos);
    pos
}

/// Lanes of the repulsion's sums: independent, so the compiler can add
/// them side by side in vector registers (one sum would have to go in
/// order), and always the same, so the layout is too.
const LANES: usize = 8;

/// The push on a node at `p` from every node (itself included, which adds
/// nothing): each node's own sum, so nodes are summed in parallel.
fn repulsion(p: Point, (xs, ys): (&[f32], &[f32]), kk: f32) -> Point {
    let (mut sx, mut sy) = ([0.0f32; LANES], [0.0f32; LANES]);
    let (cx, cy) = (xs.chunks_exact(LANES), ys.chunks_exact(LANES));
    let rest = cx.remainder().iter().zip(cy.remainder());
    for (x, y) in cx.zip(cy) {
        for lane in 0..LANES {
            let (fx, fy) = push(p, (x[lane], y[lane]), kk);
            sx[lane] += fx;
            sy[lane] += fy;
        }
    }
    for (lane, (&x, &y)) in rest.enumerate() {
        let (fx, fy) = push(p, (x, y), kk);
        sx[lane] += fx;
        sy[lane] += fy;
    }
    (sx.iter().sum(), sy.iter().sum())
}

/// How much a node at `from` pushes one at `p` away.
#[inline(always)]
fn push(p: Point, from: Point, kk: f32) -> Point {
    let (dx, dy) = (p.0 - from.0, p.1 - from.1);
    let f = kk / (dx * dx + dy * dy).max(1e-6);
    (dx * f, dy * f)
}

/// The i-th of n points of a sunflower spiral filling the unit square's disc.
fn spiral(i: usize, n: usize) -> Point {
    let golden = std::f32::consts::PI * (3.0 - 5f32.sqrt());
    let r = 0.45 * ((i as f32 + 0.5) / n as f32).sqrt();
    let a = i as f32 * golden;
    (0.5 + r * a.cos(), 0.5 + r * a.sin())
}

/// Scales the points to fill the unit square, keeping their proportions.
fn fit(pos: &mut [Point]) {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in pos.iter() {
        x0 = x0.min(p.0);
        y0 = y0.min(p.1);
        x1 = x1.max(p.0);
        y1 = y1.max(p.1);
    }
    let scale = (x1 - x0).max(y1 - y0).max(1e-6);
    let (ox, oy) = (
        (1.0 - (x1 - x0) / scale) / 2.0,
        (1.0 - (y1 - y0) / scale) / 2.0,
    );
    for p in pos.iter_mut() {
        *p = (ox + (p.0 - x0) / scale, oy + (p.1 - y0) / scale);
    }
}

/// Pushes apart circles (centres `at`, `radii`, in drawing units) that
/// overlap or come nearer than `gap`, a few rounds, so large nodes the
/// forces pulled together stay readable. Deterministic, O(n² · rounds).
pub fn separate(at: &mut [Point], radii: &[f32], gap: f32, rounds: usize) {
    for _ in 0..rounds {
        let mut moved = false;
        for i in 0..at.len() {
            for j in i + 1..at.len() {
                let (dx, dy) = (at[j].0 - at[i].0, at[j].1 - at[i].1);
                let d = (dx * dx + dy * dy).sqrt();
                let need = radii[i] + radii[j] + gap;
                if d >= need {
                    continue;
                }
                // Coincident points part along a fixed direction.
                let (ux, uy) = if d > 1e-3 {
                    (dx / d, dy / d)
                } else {
                    (1.0, 0.0)
                };
                let push = (need - d) / 2.0;
                at[i].0 -= ux * push;
                at[i].1 -= uy * push;
                at[j].0 += ux * push;
                at[j].1 += uy * push;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_deterministic_and_inside_the_square() {
        let edges = [(0, 1, 1.0), (1, 2, 1.0), (3, 4, 1.0)];
        let a = force(6, &edges, 60);
        assert_eq!(a, force(6, &edges, 60));
        assert!(
            a.iter()
                .all(|p| (0.0..=1.0).contains(&p.0) && (0.0..=1.0).contains(&p.1))
        );
    }

    #[test]
    fn separated_circles_no_longer_overlap() {
        let mut at = vec![(100.0, 100.0), (101.0, 100.0), (100.0, 100.0)];
        separate(&mut at, &[20.0, 10.0, 5.0], 2.0, 100);
        let d = |a: Point, b: Point| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        assert!(
            d(at[0], at[1]) >= 31.9 && d(at[0], at[2]) >= 26.9 && d(at[1], at[2]) >= 16.9,
            "{at:?}"
        );
    }

    #[test]
    fn linked_nodes_end_closer_than_unlinked_ones() {
        let edges = [(0, 1, 1.0), (2, 3, 1.0)];
        let p = force(4, &edges, 100);
        let d = |a: usize, b: usize| ((p[a].0 - p[b].0).powi(2) + (p[a].1 - p[b].1).powi(2)).sqrt();
        assert!(d(0, 1) < d(0, 2) && d(2, 3) < d(1, 3), "{p:?}");
    }
}
