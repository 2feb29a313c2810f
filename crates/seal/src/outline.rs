//! The seal's outline read against its characters (algorithm 1.14).
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
}

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
    // Radius of the first ink pixel met walking inward, or None when the ray meets an unknown
    // pixel first or no ink at all.
    let first_ink = |mask: &[bool], (dx, dy): (f32, f32)| -> Option<f32> {
        let mut r = exit(cx, dx).min(exit(cy, dy)).max(0.0) + 1.0;
        while r > 0.0 {
            let (x, y) = ((cx + dx * r).round(), (cy + dy * r).round());
            if x >= 0.0 && y >= 0.0 && x < n as f32 && y < n as f32 {
                let i = y as usize * n + x as usize;
                if unknown[i] {
                    return None;
                }
                if mask[i] {
                    return Some(r);
                }
            }
            r -= STEP;
        }
        None
    };
    let mut offsets = Vec::with_capacity(RAYS);
    let mut rays = 0usize;
    for k in 0..RAYS {
        let angle = k as f32 * std::f32::consts::TAU / RAYS as f32;
        let dir = (angle.cos(), angle.sin());
        let (Some(ra), Some(rb)) = (first_ink(reference, dir), first_ink(candidate, dir)) else {
            continue;
        };
        rays += 1;
        let d = rb - ra;
        if d.abs() <= MAX_OFFSET {
            offsets.push(d);
        }
    }
    // The mode in half-pixel steps; ties go to the smaller offset.
    let steps = (MAX_OFFSET / STEP) as i32;
    let mut best = (0.0f32, 0usize);
    for k in -steps..=steps {
        let m = k as f32 * STEP;
        let held = offsets.iter().filter(|&&d| (d - m).abs() <= WINDOW).count();
        if held > best.1 || (held == best.1 && m.abs() < best.0.abs()) {
            best = (m, held);
        }
    }
    // Ties of the window (an offset held by every ray is inside every window that covers it)
    // are settled by the median of the offsets the chosen window holds.
    let mut held: Vec<f32> = offsets
        .iter()
        .copied()
        .filter(|&d| (d - best.0).abs() <= WINDOW)
        .collect();
    held.sort_unstable_by(f32::total_cmp);
    OutlineOffset {
        offset: held.get(held.len() / 2).copied().unwrap_or(0.0),
        support: best.1 as f32 / rays.max(1) as f32,
        rays,
    }
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
        let c = N as f32 / 2.0;
        (0..N * N)
            .map(|i| {
                let (x, y) = ((i % N) as f32 - c, (i / N) as f32 - c);
                let d = (x * x + y * y).sqrt();
                (d <= r && d > r - 8.0) || (x.abs() < 30.0 && y.abs() < 6.0)
            })
            .collect()
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
