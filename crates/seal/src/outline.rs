//! The seal's outline, and its ring's width, read against its characters (algorithm 1.14, 1.19).
//!
//! The alignment registers the two imprints on all their ink. When a re-carving changed the
//! border and the spacing but kept the characters — a white-character seal whose red field was
//! cut narrower or wider around the same text — the characters can win: they are registered
//! exactly and the outline of the application then lies a constant distance inside or outside
//! the registered one, all the way round. The stroke measures read that as partial inking
//! (reference ink with no application ink beside it) or do not read it at all (an edge moved
//! farther than they look), and the pair can score *match*.
//!
//! Here the outline is read in polar form from the registered imprint's ink centroid: along
//! each of [`RAYS`] rays, walking inward from the canvas's edge, the first ink pixel of each
//! imprint on the scoring canvas. A ray is left out when it meets a pixel unknown to the
//! comparison (text or a pen stroke, see `score`) before the application's ink, or when either
//! imprint has no ink on it. The offset of a ray is the application's radius minus the
//! registered one. The outline's offset is the mode of the rays' offsets (within
//! [`MAX_OFFSET`]): the window of ±[`WINDOW`] px, moved in half-pixel steps, that holds the most
//! rays (the one nearest zero among equals), read as the median of the offsets it holds; its
//! *support* is the share of the valid rays inside that window.
//!
//! A genuine stamping's outline follows the registered one (offset 0, ink spread ±1–2 px);
//! partial inking removes the outline on some rays, where the ray then meets a character at
//! varying depths, which lowers the support but moves no mode. An outline moved as a whole
//! gives a mode away from zero *with* a large support. Lab (2026-11-29, six 2,000-pair sets,
//! 1.13 engine): genuine pairs with a support of at least 0.6 (4,400) read an offset of at most
//! 2.5 px; genuine pairs with an offset of 3 px or more had supports of at most 0.47; the
//! forgeries so read (white-character seals re-carved in border and spacing) 8–10 px at
//! 0.81–0.94.
//!
//! Since 1.17 the offset also enters the score, whatever its support, beyond 8 px (see
//! `score`): an application that shows none of the outline gives a mode far from zero with a
//! small support — its rays meet characters at varying depths — and so does an outline
//! rescaled with the characters kept; genuine stampings, even with a broken ring, hardly ever
//! do (6 of 8,111 genuine pairs on nine lab sets read 8 px or more).
//!
//! Since 1.19 the rays also read the ring's width. On a ray whose offset lies within
//! ±[`WINDOW`] of the mode, so that both imprints show the same ring there, the ink is followed
//! inward from each outline until it ends. A ray is left out when the walk meets an unknown
//! pixel, or when the ink runs deeper than [`RING_DEPTH`]: there a character joins the border,
//! or it is a white-character seal's red field. The ring's change is the mode of the
//! application's width minus the registered one, read the same way as the offset, with its
//! support among the rays read. A border re-carved wider or narrower changes it all round. A
//! genuine stamping changes it only as ink spread changes every stroke, and partial inking
//! takes the ring away on some rays, where the offset leaves them out. See
//! `verify::RING_CHANGE`.

use crate::score::SCORE_N;

/// Rays read around the centroid (one per degree).
pub const RAYS: usize = 360;
/// Largest offset of a ray that takes part in the mode (scoring pixels).
pub const MAX_OFFSET: f32 = 30.0;
/// Half-width of the window that reads the mode and its support (scoring pixels).
pub const WINDOW: f32 = 2.0;
/// Step of the walk along a ray (scoring pixels).
const STEP: f32 = 0.5;

/// The application's outline against the registered one.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct OutlineOffset {
    /// Mode of the rays' offsets (scoring pixels; positive: the application's outline lies
    /// outside the registered one).
    pub offset: f32,
    /// Share of the valid rays within [`WINDOW`] of the mode, in `[0, 1]`.
    pub support: f32,
    /// Rays read.
    pub rays: usize,
    /// Mode of the change of the ring's width, ray by ray, on the rays that hold the outline's
    /// offset (scoring pixels; positive: the application's ring is wider). See [`RING_DEPTH`].
    pub ring_change: f32,
    /// Share of the rays read for the ring's width within [`WINDOW`] of its mode.
    pub ring_support: f32,
    /// Rays on which the ring's width was read.
    pub ring_rays: usize,
}

/// Deepest ring read (scoring pixels): a ray whose ink runs on farther inward from the outline
/// crosses a character joined to the border or a white-character seal's red field, not a ring.
pub const RING_DEPTH: f32 = 30.0;

/// Reads the outline offset of `candidate` against `reference` (ink masks on the `SCORE_N²`
/// scoring canvas) from `centre`, the centroid of the reference ink (`raster::mask_centroid`;
/// `None`, no reference ink, reads nothing); `unknown` marks pixels neither imprint can be read
/// at.
pub fn outline_offset(
    reference: &[bool],
    candidate: &[bool],
    unknown: &[bool],
    centre: Option<(f32, f32)>,
) -> OutlineOffset {
    let n = SCORE_N;
    debug_assert!(reference.len() == n * n && candidate.len() == n * n && unknown.len() == n * n);
    let Some((cx, cy)) = centre else {
        return OutlineOffset::default();
    };
    // Where a ray leaves the canvas (plus a pixel for rounding): the walk starts there.
    let edge = n as f32 - 1.0;
    let exit = |c: f32, d: f32| {
        if d > 1e-6 {
            (edge - c) / d
        } else if d < -1e-6 {
            c / -d
        } else {
            f32::INFINITY
        }
    };
    // Walking inward along `dir` from radius `from` for at most `length`, the radius of the
    // first pixel whose `mask` is `want`; None when the walk meets an unknown pixel first, or
    // no such pixel (pixels off the canvas, where a walk from its edge starts, are passed).
    let walk = |mask: &[bool], (dx, dy): (f32, f32), from: f32, want: bool, length: f32| {
        let mut r = from;
        while r > 0.0 && from - r <= length {
            let (x, y) = ((cx + dx * r).round(), (cy + dy * r).round());
            if x >= 0.0 && y >= 0.0 && x < n as f32 && y < n as f32 {
                let i = y as usize * n + x as usize;
                if unknown[i] {
                    return None;
                }
                if mask[i] == want {
                    return Some(r);
                }
            }
            r -= STEP;
        }
        None
    };
    // The outline: the first ink met walking inward from where the ray leaves the canvas
    // (plus a pixel for rounding).
    let first_ink = |mask: &[bool], (dx, dy): (f32, f32)| {
        let from = exit(cx, dx).min(exit(cy, dy)).max(0.0) + 1.0;
        walk(mask, (dx, dy), from, true, f32::INFINITY)
    };
    // The ring's width: how far the ink runs on inward from the outline at radius `r`, up to
    // RING_DEPTH.
    let depth = |mask: &[bool], dir: (f32, f32), r: f32| {
        walk(mask, dir, r, false, RING_DEPTH).map(|end| r - end)
    };
    // Per ray read within MAX_OFFSET: its direction and the two outlines' radii.
    let mut radii = Vec::with_capacity(RAYS);
    let mut rays = 0usize;
    for k in 0..RAYS {
        let angle = k as f32 * std::f32::consts::TAU / RAYS as f32;
        let dir = (angle.cos(), angle.sin());
        let (Some(ra), Some(rb)) = (first_ink(reference, dir), first_ink(candidate, dir)) else {
            continue;
        };
        rays += 1;
        if (rb - ra).abs() <= MAX_OFFSET {
            radii.push((dir, ra, rb));
        }
    }
    // The mode in half-pixel steps; ties go to the smaller offset, and an offset held by every
    // ray (inside every window that covers it) is read as the median of the window's offsets.
    let offsets: Vec<f32> = radii.iter().map(|(_, ra, rb)| rb - ra).collect();
    let (offset, held) = mode(&offsets);
    // The ring's width on the rays whose outline holds the offset (the same ring in both).
    let widths: Vec<f32> = radii
        .iter()
        .filter(|(_, ra, rb)| (rb - ra - offset).abs() <= WINDOW)
        .filter_map(|&(dir, ra, rb)| Some(depth(candidate, dir, rb)? - depth(reference, dir, ra)?))
        .collect();
    let (ring_change, ring_held) = mode(&widths);
    OutlineOffset {
        offset,
        support: held as f32 / rays.max(1) as f32,
        rays,
        ring_change,
        ring_support: ring_held as f32 / widths.len().max(1) as f32,
        ring_rays: widths.len(),
    }
}

/// The mode of `values` in half-pixel steps within ±[`MAX_OFFSET`] (ties to the smaller), read
/// as the median of the values its window of ±[`WINDOW`] holds, and how many it holds.
fn mode(values: &[f32]) -> (f32, usize) {
    let steps = (MAX_OFFSET / STEP) as i32;
    let mut best = (0.0f32, 0usize);
    for k in -steps..=steps {
        let m = k as f32 * STEP;
        let held = values.iter().filter(|&&d| (d - m).abs() <= WINDOW).count();
        if held > best.1 || (held == best.1 && m.abs() < best.0.abs()) {
            best = (m, held);
        }
    }
    let mut held: Vec<f32> = values
        .iter()
        .copied()
        .filter(|&d| (d - best.0).abs() <= WINDOW)
        .collect();
    held.sort_unstable_by(f32::total_cmp);
    (held.get(held.len() / 2).copied().unwrap_or(0.0), best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: usize = SCORE_N;

    fn about(reference: &[bool]) -> Option<(f32, f32)> {
        crate::raster::mask_centroid(reference, N)
    }

    /// A ring of outer radius `r` and width 8 around the canvas centre, with a bar inside.
    fn ring(r: f32) -> Vec<bool> {
        ring_of(r, 8.0)
    }

    /// A ring of outer radius `r` and width `w` around the canvas centre, with a bar inside.
    fn ring_of(r: f32, w: f32) -> Vec<bool> {
        let c = N as f32 / 2.0;
        (0..N * N)
            .map(|i| {
                let (x, y) = ((i % N) as f32 - c, (i / N) as f32 - c);
                let d = (x * x + y * y).sqrt();
                (d <= r && d > r - w) || (x.abs() < 30.0 && y.abs() < 6.0)
            })
            .collect()
    }

    #[test]
    fn a_ring_re_carved_wider_or_narrower_reads_its_change_all_round() {
        let a = ring(110.0);
        let none = vec![false; N * N];
        let same = outline_offset(&a, &a, &none, about(&a));
        assert!(
            same.ring_change.abs() < 1e-6 && same.ring_support > 0.99,
            "{same:?}"
        );
        assert_eq!(same.ring_rays, RAYS);
        let wider = outline_offset(&a, &ring_of(110.0, 13.0), &none, about(&a));
        assert!((wider.ring_change - 5.0).abs() <= 0.5, "{wider:?}");
        assert!(
            wider.ring_support > 0.9 && wider.offset.abs() < 1e-6,
            "{wider:?}"
        );
        let narrower = outline_offset(&a, &ring_of(110.0, 4.0), &none, about(&a));
        assert!((narrower.ring_change + 4.0).abs() <= 0.5, "{narrower:?}");
        // A ring wider than RING_DEPTH is a red field, not a ring: no ray reads it.
        let field = outline_offset(&a, &ring_of(110.0, 40.0), &none, about(&a));
        assert_eq!(field.ring_rays, 0, "{field:?}");
    }

    #[test]
    fn the_same_outline_reads_zero_with_full_support() {
        let a = ring(110.0);
        let o = outline_offset(&a, &a, &vec![false; N * N], about(&a));
        assert!(o.offset.abs() < 1e-6, "{o:?}");
        assert!(o.support > 0.99, "{o:?}");
        assert_eq!(o.rays, RAYS);
    }

    #[test]
    fn an_outline_moved_all_round_reads_its_offset() {
        let (a, b) = (ring(110.0), ring(118.0));
        let o = outline_offset(&a, &b, &vec![false; N * N], about(&a));
        assert!((o.offset - 8.0).abs() <= 0.5, "{o:?}");
        assert!(o.support > 0.9, "{o:?}");
        let inside = outline_offset(&a, &ring(104.0), &vec![false; N * N], about(&a));
        assert!((inside.offset + 6.0).abs() <= 0.5, "{inside:?}");
    }

    #[test]
    fn an_outline_partly_missing_keeps_its_offset_and_loses_support() {
        let a = ring(110.0);
        let c = N as f32 / 2.0;
        // The application's ring missing on the right half (partial inking).
        let b: Vec<bool> = a
            .iter()
            .enumerate()
            .map(|(i, &v)| v && ((i % N) as f32) < c + 35.0)
            .collect();
        let o = outline_offset(&a, &b, &vec![false; N * N], about(&a));
        assert!(o.offset.abs() < 1e-6, "{o:?}");
        assert!(o.support > 0.4 && o.support < 0.7, "{o:?}");
    }

    #[test]
    fn rays_through_unknown_pixels_are_left_out() {
        let (a, b) = (ring(110.0), ring(118.0));
        // Text over the upper half of the page.
        let unknown: Vec<bool> = (0..N * N).map(|i| i / N < N / 2).collect();
        let o = outline_offset(&a, &b, &unknown, about(&a));
        assert!(o.rays < RAYS / 2 + 5, "{o:?}");
        assert!((o.offset - 8.0).abs() <= 0.5, "{o:?}");
    }

    #[test]
    fn no_ink_reads_nothing() {
        let empty = vec![false; N * N];
        let o = outline_offset(&empty, &ring(110.0), &empty, about(&empty));
        assert_eq!(o, OutlineOffset::default());
        let none = outline_offset(&ring(110.0), &empty, &empty, about(&ring(110.0)));
        assert_eq!((none.rays, none.support), (0, 0.0));
    }
}
