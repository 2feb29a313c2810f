//! A character rescaled in its cell, read figure by figure (algorithm 1.11).
//!
//! A skilled re-carving often keeps every stroke where it was and only draws one character a
//! little smaller (or larger) about its own centre. Its strokes' ends then move by 0.1–0.3 mm —
//! inside the stroke tolerance — and its edges facing away from the character's centre are
//! pulled back while those facing it are pushed forward: the window medians of the local
//! displacement field read that as a thinner stroke, not as a move.
//!
//! Here the residual edge moves (after the global fit of the displacement field, see
//! `score::local_moves`) are grouped by *figure*: an 8-connected region of the registered
//! imprint's ink (a character, or a part of one, of a seal with red characters) or an enclosed
//! 4-connected region of its background (a character of a seal with white characters, or a
//! counter inside a red one). Every edge pixel belongs to the figures on its two sides. Per figure
//! the moves are fitted by least squares as `e + t·n̂ + κ·(p − c)·n̂` — a local ink spread `e`, a
//! translation `t` and a rescaling `κ` about the figure's edge centroid `c`. The first fit leaves
//! out the edges farther than [`START_BAND`] from the median move (the sides of a stroke cut by
//! partial inking, a blotch); two refits leave out those farther than 1 px from the previous fit.
//! The figure's rescaling is read as the move it gives at the figure's RMS radius `R`, taken at
//! the lower end of its uncertainty, `(|κ| − 2·se(κ))·R`, with the standard error inflated
//! threefold because neighbouring edge pixels are not independent.
//!
//! Characters that touch make one figure (red characters joined by a stroke, the white
//! characters of a seal whose strokes run into each other). One of them rescaled then moves
//! apart from the rest: the figure's fit follows the others and leaves its edges out. Since 1.12
//! those left-out edges are fitted again as *parts*: grouped by proximity (edge pixels within
//! `2·`[`PART_GAP`] px of each other), each group of at least [`MIN_EDGES`] fitted alone the same
//! way, as it is and grown to all the figure's edges within its bounding box. A part is read only
//! when one fit holds at least [`PART_KEPT`] of its edges and [`MIN_EDGES`] of them — the edges
//! a blotch or a cut of partial inking leaves out follow no rescaling.
//!
//! Figures that cannot tell a rescaling from other causes are left out: fewer than
//! [`MIN_EDGES`] edge pixels or an RMS radius under [`MIN_RADIUS`] (a dot, a stroke's end);
//! a local spread beyond [`MAX_SPREAD`] (a blotch, a cut); fewer than [`MIN_SIDE`] of its
//! edges facing the centre or facing away (a convex or star-shaped blob such as 十: its
//! rescaling and its ink spread are the same move; not asked of a part, whose edges the figure's
//! fit has already told from the figure's spread). Edges of the seal's outline (the outer zone)
//! are not used: the outline is the alignment's reference, and a ring broken by partial inking
//! leaves arcs whose cut ends would read as a rescaling.
//!
//! The same figures tell a character the application does not show (1.12,
//! `Figures::largest_unseen`): the share of a character-sized figure's edge pixels that no
//! stroke of the application let measure. `verify` does not judge a pair *match* while one
//! character is all but unseen.
//!
//! Lab figures (docs/seal.md): genuine pairs judged *match* read 0 at the median and at most
//! 0.22 px at the 98th percentile (tuning seed 1; 0.15 px held out), rescaled characters
//! 0.6 px at the median (0.9 px held out), and the held-out forgeries judged *match* by 1.10
//! 1.6–3.6 px.

use crate::raster::{boundary_pixels, label_regions};
use crate::score::SCORE_N;

/// Fewest edge pixels for a figure to be read.
pub const MIN_EDGES: usize = 80;
/// Smallest RMS radius of a figure's edges (scoring pixels; a character is 20–40).
pub const MIN_RADIUS: f64 = 15.0;
/// Largest local ink spread `|e|` (scoring pixels) of a figure that is read.
pub const MAX_SPREAD: f64 = 1.5;
/// Smallest share of a figure's edges facing its centre, and facing away from it.
pub const MIN_SIDE: f64 = 0.1;
/// Smallest RMS radius (scoring pixels) from which a solid figure — most of its edges facing
/// away from its centre — is read without the facing test (1.16): the small solid figures of
/// genuine stampings (dots, short strokes, 15–25 px) read as shrunk under ink spread and blur,
/// which round their ends.
pub const CONVEX_MIN_RADIUS: f64 = 28.0;
/// Edges farther than this from the previous fit (scoring pixels) are left out of the refit.
const REFIT: f64 = 1.0;
/// Edges farther than this from the median move (scoring pixels) are left out of the first fit
/// (a rescaled character's edges move by up to about 4 px).
pub const START_BAND: f64 = 4.0;
/// Edge pixels a figure's fit left out are one part when within `2·PART_GAP` px of each other.
pub const PART_GAP: usize = 2;
/// Smallest share of a part's edges that its own fit must hold.
pub const PART_KEPT: f64 = 0.6;
/// Fewest edge pixels of a figure whose unseen share is read (a character of a seal of four is
/// 500–1,500 on the scoring canvas; a dot or a stroke's end is not a character).
pub const UNSEEN_MIN_EDGES: usize = 500;
/// Standard errors subtracted from `|κ|`.
const Z: f64 = 2.0;
/// Inflation of the standard error (correlated neighbouring edges).
const INFLATION: f64 = 3.0;
/// Smallest residual spread assumed (scoring pixels): the edges' quantisation.
const MIN_SIGMA: f64 = 0.3;

/// One reference edge pixel with its residual move along the reference's outward normal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    /// Pixel index on the scoring canvas (not on its outermost rows or columns).
    pub at: usize,
    /// Outward unit normal of the reference ink.
    pub normal: [f32; 2],
    /// Move of the candidate's boundary after the global fit (scoring pixels).
    pub resid: f32,
}

/// The figures of the registered imprint and its measured edge pixels in each.
pub(crate) struct Figures {
    /// Per figure, indices (into the measured edges) of its edge pixels.
    members: Vec<Vec<usize>>,
    /// Per figure, all its edge pixels, measured or not.
    totals: Vec<usize>,
}

impl Figures {
    /// Labels the figures of `ink` (the registered imprint on the `SCORE_N²` canvas) and sorts
    /// the measured edge pixels `at` into them; `outline` is the reference's outer zone, left
    /// out.
    pub(crate) fn new(ink: &[bool], outline: &[bool], at: &[usize]) -> Self {
        let n = SCORE_N;
        let (ink_label, ink_sizes) = label_regions(ink, n, n, true);
        let background: Vec<bool> = ink.iter().map(|v| !v).collect();
        let (bg_label, bg_sizes) = label_regions(&background, n, n, false);
        // Background regions reaching the canvas border are not enclosed.
        let mut open = vec![false; bg_sizes.len() + 1];
        for i in 0..n {
            for j in [i, (n - 1) * n + i, i * n, i * n + n - 1] {
                open[bg_label[j] as usize] = true;
            }
        }
        // Figure ids: ink regions 0..ink_sizes.len(), enclosed background regions after them.
        // An edge pixel belongs to the figures on its two sides.
        let figures_of = |i: usize| {
            let around = [i, i - 1, i + 1, i - n, i + n];
            let red = around
                .iter()
                .find(|&&j| ink[j])
                .map(|&j| ink_label[j] as usize - 1);
            let white = around
                .iter()
                .find(|&&j| !ink[j] && !open[bg_label[j] as usize])
                .map(|&j| ink_sizes.len() + bg_label[j] as usize - 1);
            [red, white]
        };
        let count = ink_sizes.len() + bg_sizes.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (k, &i) in at.iter().enumerate() {
            if !outline[i] {
                for f in figures_of(i).into_iter().flatten() {
                    members[f].push(k);
                }
            }
        }
        let mut totals = vec![0usize; count];
        for i in boundary_pixels(ink, n).filter(|&i| !outline[i]) {
            for f in figures_of(i).into_iter().flatten() {
                totals[f] += 1;
            }
        }
        Figures { members, totals }
    }

    /// Largest share of a character-sized figure's edge pixels (at least
    /// [`UNSEEN_MIN_EDGES`]) that were not measured — no stroke of the application near them to
    /// read a move from (1.12): a character the application does not show.
    pub(crate) fn largest_unseen(&self) -> f32 {
        self.members
            .iter()
            .zip(&self.totals)
            .filter(|&(_, &t)| t >= UNSEEN_MIN_EDGES)
            .map(|(m, &t)| 1.0 - m.len().min(t) as f32 / t as f32)
            .fold(0.0, f32::max)
    }

    /// Largest rescaling of one figure or part against the rest of the seal, as the move at its
    /// RMS radius (scoring pixels, lower confidence bound; 0 when none shows one). `edges` are
    /// the measured edges, in the order given to [`Figures::new`].
    pub(crate) fn character_scale(&self, edges: &[Edge]) -> f32 {
        let mut largest = 0.0f32;
        for m in self.members.iter().filter(|m| m.len() >= MIN_EDGES) {
            let (value, left_out) = figure_scale(edges, m, false);
            largest = largest.max(value);
            for part in parts(edges, m, &left_out) {
                largest = largest.max(figure_scale(edges, &part, true).0);
            }
        }
        largest
    }
}

/// The parts of a figure (edges `m`): the edges `left_out` of its fit grouped by proximity,
/// groups of at least [`MIN_EDGES`], each as it is and grown to all the figure's edges within
/// its bounding box (the edges of a rescaled character near its centre moved less than the
/// refit's band and stayed in the figure's fit: the group alone reads only the character's rim,
/// the grown group also the neighbours' edges within the box; lab: each catches forgeries the
/// other misses).
fn parts(edges: &[Edge], m: &[usize], left_out: &[usize]) -> Vec<Vec<usize>> {
    if left_out.len() < MIN_EDGES {
        return Vec::new();
    }
    let n = SCORE_N;
    let mut near = vec![false; n * n];
    for &k in left_out {
        let (x, y) = (edges[k].at % n, edges[k].at / n);
        for yy in y.saturating_sub(PART_GAP)..(y + PART_GAP + 1).min(n) {
            near[yy * n + x.saturating_sub(PART_GAP)..yy * n + (x + PART_GAP + 1).min(n)]
                .fill(true);
        }
    }
    let (label, sizes) = label_regions(&near, n, n, true);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); sizes.len()];
    for &k in left_out {
        groups[label[edges[k].at] as usize - 1].push(k);
    }
    groups.retain(|g| g.len() >= MIN_EDGES);
    let xy = |k: usize| (edges[k].at % n, edges[k].at / n);
    let grown: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let (mut x0, mut y0, mut x1, mut y1) = (n, n, 0, 0);
            for &k in g {
                let (x, y) = xy(k);
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
            m.iter()
                .copied()
                .filter(|&k| {
                    let (x, y) = xy(k);
                    (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
                })
                .collect()
        })
        .collect();
    groups.extend(grown);
    groups
}

/// The rescaling of one figure or part (its edges `m`), as described in the module
/// documentation, and the edges its fit left out.
fn figure_scale(edges: &[Edge], m: &[usize], part: bool) -> (f32, Vec<usize>) {
    let n = SCORE_N;
    let xy = |k: usize| ((edges[k].at % n) as f64, (edges[k].at / n) as f64);
    let count = m.len() as f64;
    let (cx, cy) = m.iter().fold((0.0, 0.0), |(sx, sy), &k| {
        let (x, y) = xy(k);
        (sx + x / count, sy + y / count)
    });
    let row = |k: usize| {
        let (x, y) = xy(k);
        let (nx, ny) = (f64::from(edges[k].normal[0]), f64::from(edges[k].normal[1]));
        [1.0, nx, ny, (x - cx) * nx + (y - cy) * ny]
    };
    let radius = (m
        .iter()
        .map(|&k| {
            let (x, y) = xy(k);
            (x - cx).powi(2) + (y - cy).powi(2)
        })
        .sum::<f64>()
        / count)
        .sqrt();
    let facing = m.iter().filter(|&&k| row(k)[3] < 0.0).count() as f64 / count;
    // The facing test is not asked of a large solid figure (1.16): a character of a bold face
    // under ink spread closes into one shape whose edges all face away, but over a radius this
    // large its rescaling moves the ends of its strokes far more than its sides, which a spread
    // does not. A figure whose edges mostly face its centre (a counter, a white character) keeps
    // the test whatever its size.
    let solid = facing <= 0.5;
    let without_facing_test = part || (solid && radius >= CONVEX_MIN_RADIUS);
    if radius < MIN_RADIUS || (!without_facing_test && facing.min(1.0 - facing) < MIN_SIDE) {
        return (0.0, Vec::new());
    }
    let predict = |p: &[f64; 4], k: usize| row(k).iter().zip(p).map(|(r, w)| r * w).sum::<f64>();
    let fit = |keep: &dyn Fn(usize) -> bool| {
        let mut ata = [[0.0f64; 4]; 4];
        let mut atb = [0.0f64; 4];
        for &k in m.iter().filter(|&&k| keep(k)) {
            crate::score::accumulate(&mut ata, &mut atb, &row(k), f64::from(edges[k].resid));
        }
        crate::score::solve(ata, atb).map(|p| (p, ata))
    };
    let within = |p: [f64; 4], band: f64| {
        move |k: usize| (f64::from(edges[k].resid) - predict(&p, k)).abs() <= band
    };
    let near = |p: [f64; 4]| within(p, REFIT);
    // Start from the median move (a local spread): edges cut by partial inking or pushed by a
    // blotch, a minority, then stay out of the first fit.
    let mut moves: Vec<f32> = m.iter().map(|&k| edges[k].resid).collect();
    let mid = moves.len() / 2;
    let start = f64::from(*moves.select_nth_unstable_by(mid, f32::total_cmp).1);
    let Some((p1, _)) = fit(&within([start, 0.0, 0.0, 0.0], START_BAND)) else {
        return (0.0, Vec::new());
    };
    let Some((p2, _)) = fit(&near(p1)) else {
        return (0.0, Vec::new());
    };
    let keep = near(p2);
    let Some((p, ata)) = fit(&keep) else {
        return (0.0, Vec::new());
    };
    let left_out: Vec<usize> = m.iter().copied().filter(|&k| !keep(k)).collect();
    if p[0].abs() > MAX_SPREAD {
        return (0.0, left_out);
    }
    let (mut sum_sq, mut kept) = (0.0f64, 0usize);
    for &k in m.iter().filter(|&&k| keep(k)) {
        sum_sq += (f64::from(edges[k].resid) - predict(&p, k)).powi(2);
        kept += 1;
    }
    if part && (kept < MIN_EDGES || (kept as f64) < PART_KEPT * count) {
        return (0.0, left_out);
    }
    let sigma2 = (sum_sq / kept.max(1) as f64).max(MIN_SIGMA * MIN_SIGMA) * INFLATION * INFLATION;
    // Variance of κ: σ² times the last diagonal entry of the inverse normal matrix.
    let Some(col) = crate::score::solve(ata, [0.0, 0.0, 0.0, 1.0]) else {
        return (0.0, Vec::new());
    };
    let se = (sigma2 * col[3].max(0.0)).sqrt();
    (((p[3].abs() - Z * se).max(0.0) * radius) as f32, left_out)
}
