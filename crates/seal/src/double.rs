//! Double stamping: the same seal stamped a second time, slightly offset, on the application.
//!
//! On the scoring canvas a second stamping offset by `o` adds a copy of the whole seal shifted
//! by `o`. For every offset in a ring of [`MIN_OFFSET`]–[`MAX_OFFSET`] scoring pixels this module
//! asks two questions: how much of the candidate's ink that the reference does not explain is
//! explained by the reference shifted by `o` (*explained*), and how much of the shifted
//! reference's own new part — its ink away from the reference — is inked in the candidate
//! (*repeated*, the second lowest of the four quadrants' shares around the reference's centre,
//! so one partially inked quadrant is tolerated). A second stamping repeats the whole seal in
//! one direction; uniformly thicker
//! strokes (ink spread, a re-carved stroke width) repeat it in every direction alike, so the
//! repetition counts only beyond what the opposite offset and the perpendicular offsets show;
//! a re-carved character moved on its own explains some extra ink but repeats little of the
//! rest of the seal.
//!
//! Invariant: the measure is in `[0, 1]`, 0 when the candidate holds no unexplained ink.

/// Least offset tested, in scoring pixels (smaller shifts are stroke width, not a second
/// stamping).
pub const MIN_OFFSET: i32 = 5;
/// Largest offset tested, in scoring pixels (the generator's 1.6 mm offsets reach ~17 px).
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
/// Reference ink sample step of the quick repetition estimate.
const SCREEN_STEP: usize = 4;
/// Offsets measured fully after screening.
const EXAMINED: usize = 16;

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
    /// The measure in `[0, 1]`: `min(explained, repeated − ½·repeated_other)` at the best
    /// offset.
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
    let len = n * n;
    if [p.reference.len(), p.unknown.len()] != [len; 2]
        || [p.reference_distance.len(), p.candidate.len()] != [len; 2]
    {
        return DoubleStamp::default();
    }
    let pad = MAX_OFFSET as usize;
    let w = n + 2 * pad;
    // Padded lookup planes: every offset in the ring stays inside, no bounds checks.
    // `near`: within NEAR of reference ink. `cell`: 0 not a new-part pixel (near the reference,
    // occluded or outside), 1 new-part pixel without candidate ink, 2 with candidate ink.
    let mut near = vec![false; w * w];
    let mut cell = vec![0u8; w * w];
    // Unexplained candidate ink and reference ink, sampled on the STEP grid (padded indices).
    let mut unexplained: Vec<usize> = Vec::new();
    let mut ink: Vec<usize> = Vec::new();
    for y in 0..n {
        for x in 0..n {
            let (i, j) = (y * n + x, (y + pad) * w + x + pad);
            let d = p.reference_distance[i];
            near[j] = d <= NEAR;
            let known = !p.unknown[i];
            let inked = p.candidate[i] > INK;
            if known && d > AWAY + 1.0 {
                cell[j] = 1 + u8::from(inked);
            }
            if x % STEP == 0 && y % STEP == 0 {
                if known && inked && d > AWAY {
                    unexplained.push(j);
                }
                if p.reference[i] {
                    ink.push(j);
                }
            }
        }
    }
    // At most MAX_SAMPLES of them, evenly spread (a share needs no more).
    let unexplained: Vec<usize> = unexplained
        .iter()
        .step_by(unexplained.len().div_ceil(MAX_SAMPLES).max(1))
        .copied()
        .collect();
    if unexplained.len() < 8 || ink.is_empty() {
        return DoubleStamp::default();
    }
    // Quadrants around the reference's centre: a second stamping repeats the seal in each.
    let k = ink.len();
    let cx = ink.iter().map(|j| j % w).sum::<usize>() / k;
    let cy = ink.iter().map(|j| j / w).sum::<usize>() / k;
    let ink: Vec<(usize, usize)> = ink
        .iter()
        .map(|&j| (j, usize::from(j % w >= cx) + 2 * usize::from(j / w >= cy)))
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
    // Screening: every offset explaining enough gets a quick estimate of its repetition (all
    // quadrants together, a sparser sample of the reference ink); the most promising are then
    // measured fully. The score never exceeds the share explained.
    let sparse: Vec<usize> = ink.iter().step_by(SCREEN_STEP).map(|&(j, _)| j).collect();
    let quick = |dx: i32, dy: i32| -> f32 {
        let s = shift(dx, dy);
        let mut c = [0usize; 3];
        for &j in &sparse {
            c[usize::from(cell[j.wrapping_add_signed(s)])] += 1;
        }
        c[2] as f32 / (c[1] + c[2]).max(1) as f32
    };
    let mut screened: Vec<(f32, f32, i32, i32)> = ring
        .iter()
        .take_while(|r| r.0 > MIN_EXPLAINED)
        .map(|&(e, dx, dy)| (e.min(quick(dx, dy)), e, dx, dy))
        .collect();
    screened.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut best = DoubleStamp::default();
    let mut best_key = 0.0f32;
    for &(_, e, dx, dy) in screened.iter().take(EXAMINED) {
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
    fn planes_of_the_wrong_size_give_nothing() {
        let a = seal(0.0, 0.0, 0.0);
        assert_eq!(run(&a, &[1.0; 10]), DoubleStamp::default());
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
