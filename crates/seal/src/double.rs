//! Double stamping: the same seal stamped a second time, slightly offset, on the application.
//!
//! On the scoring canvas a second stamping offset by `o` adds a copy of the whole seal shifted
//! by `o`. For every offset in a ring of [`MIN_OFFSET`]–[`MAX_OFFSET`] scoring pixels this module
//! asks two questions: how much of the candidate's ink that the reference does not explain is
//! explained by the reference shifted by `o` (*explained*), and how much of the shifted
//! reference's own new part — its ink away from the reference — is inked in the candidate
//! (*repeated*). A second stamping repeats the whole seal in one direction; uniformly thicker
//! strokes (ink spread, a re-carved stroke width) repeat it in every direction alike, so the
//! repetition counts only beyond what the opposite offset and the perpendicular offsets show;
//! a re-carved character moved on its own explains some extra ink but repeats little of the
//! rest of the seal.
//!
//! Invariant: the measure is in `[0, 1]`, 0 when the candidate holds no unexplained ink.

/// Least offset tested, in scoring pixels (smaller shifts are stroke width, not a second
/// stamping).
pub const MIN_OFFSET: i32 = 5;
/// Largest offset tested, in scoring pixels (≈ 1.6 mm on a seal normalised to 180 px).
pub const MAX_OFFSET: i32 = 18;
/// Candidate density that counts as ink here (a second stamping is often paler).
const INK: f32 = 0.3;
/// Unexplained candidate ink lies farther than this from reference ink (scoring pixels).
const AWAY: f32 = 2.0;
/// A pixel is explained by the shifted reference within this distance.
const NEAR: f32 = 1.5;
/// Pixels are sampled on a grid of this step (both axes) to keep the search fast.
const STEP: usize = 2;
/// Least sampled new pixels for a quadrant to count.
const MIN_NEW: usize = 10;
/// Most unexplained-ink samples used for the share explained at each offset.
const MAX_SAMPLES: usize = 1500;
/// Offsets explaining less than this share are not examined further (the score is 0 then).
const MIN_EXPLAINED: f32 = 0.25;

/// Inputs on the scoring canvas (`n × n`, row-major).
#[derive(Debug, Clone, Copy)]
pub struct Planes<'a> {
    /// Side of the canvas.
    pub n: usize,
    /// Reference ink mask.
    pub reference: &'a [bool],
    /// Distance of every pixel to the nearest reference ink pixel.
    pub reference_distance: &'a [f32],
    /// Candidate ink density in `[0, 1]`.
    pub candidate: &'a [f32],
    /// Pixels occluded in either imprint (never counted).
    pub unknown: &'a [bool],
}

/// Result of the double-stamping search.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DoubleStamp {
    /// The measure in `[0, 1]`: `min(explained, repeated beyond the other directions)` at the
    /// best offset.
    pub score: f32,
    /// Best offset `(dx, dy)` in scoring pixels (candidate copy = reference moved by it).
    pub offset: (i32, i32),
    /// Share of the unexplained candidate ink explained by the shifted reference.
    pub explained: f32,
    /// Share of the shifted reference's new part inked in the candidate.
    pub repeated: f32,
    /// Largest [`DoubleStamp::repeated`] at the opposite or a perpendicular offset.
    pub repeated_other: f32,
}

/// How much the opposite and perpendicular offsets' repetition counts against the best
/// offset's (ink spread and a re-carved stroke width thicken strokes in every direction).
const OTHER_WEIGHT: f32 = 0.5;

/// Searches the ring of offsets for a second stamping (see the module documentation).
#[must_use]
pub fn double_stamp(p: &Planes<'_>) -> DoubleStamp {
    let n = p.n;
    let pad = MAX_OFFSET as usize;
    let w = n + 2 * pad;
    // Padded lookup planes: every offset in the ring stays inside, no bounds checks.
    // `near`: within NEAR of reference ink. `cell`: 0 not a new-part pixel (near the reference,
    // occluded or outside), 1 new-part pixel without candidate ink, 2 with candidate ink.
    let mut near = vec![false; w * w];
    let mut cell = vec![0u8; w * w];
    for i in 0..n * n {
        let j = (i / n + pad) * w + i % n + pad;
        near[j] = p.reference_distance[i] <= NEAR;
        if !p.unknown[i] && p.reference_distance[i] > AWAY + 1.0 {
            cell[j] = 1 + u8::from(p.candidate[i] > INK);
        }
    }
    let sampled = |i: usize| (i % n).is_multiple_of(STEP) && (i / n).is_multiple_of(STEP);
    let padded = |i: usize| (i / n + pad) * w + i % n + pad;
    // Unexplained candidate ink, sampled (padded indices).
    let unexplained: Vec<usize> = (0..n * n)
        .filter(|&i| {
            sampled(i) && !p.unknown[i] && p.candidate[i] > INK && p.reference_distance[i] > AWAY
        })
        .map(padded)
        .collect();
    // At most MAX_SAMPLES of them, evenly spread (a share needs no more).
    let unexplained: Vec<usize> = unexplained
        .iter()
        .step_by(unexplained.len().div_ceil(MAX_SAMPLES).max(1))
        .copied()
        .collect();
    // Reference ink, sampled, with its quadrant around the reference's centre (a second
    // stamping repeats the seal in each quadrant).
    let ink: Vec<usize> = (0..n * n)
        .filter(|&i| sampled(i) && p.reference[i])
        .collect();
    if unexplained.len() < 8 || ink.is_empty() {
        return DoubleStamp::default();
    }
    let k = ink.len();
    let cx = ink.iter().map(|i| i % n).sum::<usize>() / k;
    let cy = ink.iter().map(|i| i / n).sum::<usize>() / k;
    let ink: Vec<(usize, usize)> = ink
        .iter()
        .map(|&i| {
            (
                padded(i),
                usize::from(i % n >= cx) + 2 * usize::from(i / n >= cy),
            )
        })
        .collect();
    let shift = |dx: i32, dy: i32| dy as isize * w as isize + dx as isize;
    let explained = |dx: i32, dy: i32| -> f32 {
        let s = shift(dx, dy);
        let hit = unexplained
            .iter()
            .filter(|&&j| near[j.wrapping_add_signed(-s)])
            .count();
        hit as f32 / unexplained.len() as f32
    };
    let repeated = |dx: i32, dy: i32| -> f32 {
        let s = shift(dx, dy);
        let mut cells = [[0usize; 3]; 4];
        for &(j, q) in &ink {
            cells[q][usize::from(cell[j.wrapping_add_signed(s)])] += 1;
        }
        let mut shares: Vec<f32> = cells
            .iter()
            .filter(|c| c[1] + c[2] >= MIN_NEW)
            .map(|c| c[2] as f32 / (c[1] + c[2]) as f32)
            .collect();
        shares.sort_unstable_by(f32::total_cmp);
        // The second lowest: one quadrant may be partially inked or occluded.
        match shares.len() {
            0 => 0.0,
            1 => shares[0] * 0.5,
            _ => shares[1],
        }
    };
    let mut ring: Vec<(f32, i32, i32)> = Vec::new();
    for dy in -MAX_OFFSET..=MAX_OFFSET {
        for dx in -MAX_OFFSET..=MAX_OFFSET {
            let r2 = dx * dx + dy * dy;
            if (MIN_OFFSET * MIN_OFFSET..=MAX_OFFSET * MAX_OFFSET).contains(&r2) {
                ring.push((explained(dx, dy), dx, dy));
            }
        }
    }
    ring.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut best = DoubleStamp::default();
    let mut best_key = 0.0f32;
    // The score never exceeds the share explained: offsets explaining little are not examined.
    for &(e, dx, dy) in &ring {
        if e <= best_key.max(MIN_EXPLAINED) {
            break;
        }
        let r = repeated(dx, dy);
        if e.min(r) <= best_key {
            continue;
        }
        best_key = e.min(r);
        let other = [(-dx, -dy), (-dy, dx), (dy, -dx)]
            .iter()
            .map(|&(ox, oy)| repeated(ox, oy))
            .fold(0.0f32, f32::max);
        best = DoubleStamp {
            score: e.min(r - OTHER_WEIGHT * other).clamp(0.0, 1.0),
            offset: (dx, dy),
            explained: e,
            repeated: r,
            repeated_other: other,
        };
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::distance_to;

    const N: usize = 200;

    /// A ring (160 px across, like a normalised seal) with a stem and two bars inside: a seal-like pattern; `moved` shifts the left bar down.
    fn seal_with(dx: f32, dy: f32, width: f32, moved: f32) -> Vec<bool> {
        let c = N as f32 / 2.0;
        (0..N * N)
            .map(|i| {
                let x = (i % N) as f32 - c - dx;
                let y = (i / N) as f32 - c - dy;
                let r = x.hypot(y);
                let left = (y - moved + 25.0).abs() <= 2.0 + width && (-60.0..-4.0).contains(&x);
                let right = (y - 25.0).abs() <= 2.0 + width && (4.0..60.0).contains(&x);
                let stem = x.abs() <= 2.0 + width && y.abs() < 60.0;
                (r - 80.0).abs() <= 2.0 + width || left || right || stem
            })
            .collect()
    }

    fn seal(dx: f32, dy: f32, width: f32) -> Vec<bool> {
        seal_with(dx, dy, width, 0.0)
    }

    fn run(reference: &[bool], candidate: &[f32]) -> DoubleStamp {
        let da = distance_to(reference, N, N);
        let unknown = vec![false; N * N];
        double_stamp(&Planes {
            n: N,
            reference,
            reference_distance: &da,
            candidate,
            unknown: &unknown,
        })
    }

    fn density(m: &[bool], k: f32) -> Vec<f32> {
        m.iter().map(|&v| if v { k } else { 0.0 }).collect()
    }

    #[test]
    fn second_stamping_is_found_with_its_offset() {
        let a = seal(0.0, 0.0, 0.0);
        let second = density(&seal(6.0, 3.0, 0.0), 0.6);
        let c: Vec<f32> = density(&a, 1.0)
            .iter()
            .zip(&second)
            .map(|(x, y)| x.max(*y))
            .collect();
        let d = run(&a, &c);
        assert!(d.score > 0.5, "{d:?}");
        assert!(
            (d.offset.0 - 6).abs() <= 1 && (d.offset.1 - 3).abs() <= 1,
            "{d:?}"
        );
    }

    #[test]
    fn the_same_imprint_is_not_double() {
        let a = seal(0.0, 0.0, 0.0);
        assert!(run(&a, &density(&a, 1.0)).score < 0.05);
    }

    #[test]
    fn uniformly_thicker_strokes_are_not_double() {
        let a = seal(0.0, 0.0, 0.0);
        let d = run(&a, &density(&seal(0.0, 0.0, 4.0), 1.0));
        assert!(d.score < 0.4, "{d:?}");
    }

    #[test]
    fn one_moved_part_is_not_double() {
        let a = seal(0.0, 0.0, 0.0);
        let moved = seal_with(0.0, 0.0, 0.0, 6.0);
        let d = run(&a, &density(&moved, 1.0));
        assert!(d.score < 0.2, "{d:?}");
    }
}
