//! Extraction: finds the red seal imprint in a scan and turns it into an ink-density plane.
//!
//! Red ink is measured as `R − max(G, B)`, which is near zero for paper, black print and blue
//! pen, so text or a pen stroke crossing the seal does not become ink. Pixels where dark or blue
//! ink hides the seal are marked *occluded*: the scorer treats them as unknown rather than as
//! missing ink. Since 1.20 occlusion is read on white-balanced colours (the paper mapped to
//! white, see `paper_gains`), so that a scanner's colour cast or dim exposure does not turn the
//! whole page into blue pen or dark print. Works for 朱文 (red characters) and 白文 (white
//! characters on a red field) alike, because later stages compare ink and paper symmetrically.
//!
//! Invariants: the density plane is in `[0, 1]`; the seal is located at a coarse resolution and
//! then re-read at a working resolution where its size is about [`WORK_SIZE`] pixels, whatever
//! the scan's dpi.

use crate::error::SealError;
use crate::intake::Scan;
use crate::raster::{Plane, distance_to};

/// Approximate seal extent, in pixels, of the working-resolution planes.
pub const WORK_SIZE: usize = 260;
/// Longest side of the coarse plane used to locate the seal.
const COARSE_SIDE: usize = 320;

/// One seal imprint extracted from a scan.
#[derive(Debug, Clone)]
pub struct Imprint {
    /// Ink density in `[0, 1]` at the working resolution.
    pub density: Plane,
    /// 1 where black or blue ink hides the seal, else 0.
    pub occluded: Plane,
    /// Centroid of the seal's filled outline, in `density` coordinates.
    pub center: (f32, f32),
    /// √(area of the filled outline), in `density` pixels: a rotation-invariant size.
    pub size: f32,
    /// Single-image quality measurements.
    pub quality: ImageQuality,
}

/// Quality measurements of one imprint.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ImageQuality {
    /// Share of the seal outline covered by ink.
    pub ink_coverage: f32,
    /// Strength of the red ink (robust maximum of `R − max(G, B)`, 0–1).
    pub ink_strength: f32,
    /// Edge sharpness: 90th percentile of the density gradient (per working pixel, where the
    /// seal is about 260 pixels across) over edge pixels; blur lowers it.
    pub sharpness: f32,
    /// Share of soft ink (density 0.15–0.6) among all ink: smudges and blur leave soft ink.
    pub soft_ink: f32,
    /// Share of the pixels near the ink hidden by black or blue ink.
    pub occluded: f32,
    /// White characters on a red field (白文): more than three quarters of the ink is one
    /// connected region (1.7; before, ink covering half the outline, which called a third of the
    /// red-character seals of the tuning sets white).
    pub white_characters: bool,
    /// Share of the ink in its largest 8-connected region: the red field of a white-character
    /// seal is one region, the strokes of red characters are many.
    pub ink_connected: f32,
}

/// Red ink of one pixel (channels 0–1): `R − max(G, B)`, at least 0.
#[inline]
fn redness(r: f32, g: f32, b: f32) -> f32 {
    (r - g.max(b)).max(0.0)
}

/// Whether dark print or blue pen hides the seal at one pixel (white-balanced channels, 0–1).
#[inline]
fn occluding(r: f32, g: f32, b: f32) -> bool {
    let dark = r.max(g).max(b) < 0.42 && redness(r, g, b) < 0.2;
    let blue = b > r + 0.08 && b > g;
    dark || blue
}

/// Share of the scan's brightest pixels (by the sum of their channels) read as the paper.
const PAPER_SHARE: f32 = 0.1;
/// Darkest paper channel corrected for (0–1): a darker one is not paper, and its gain stops at
/// the inverse.
const PAPER_FLOOR: f32 = 0.4;
/// Pixels sampled to estimate the paper's colour.
const PAPER_SAMPLES: usize = 1 << 16;

/// Per-channel gains that turn the paper white (1.20): the mean colour of the brightest
/// [`PAPER_SHARE`] of the pixels — paper, or the paper showing through a seal's white
/// characters, never red ink, whose green and blue are dark — is mapped to `(1, 1, 1)`.
///
/// Scanners differ in white balance and exposure. Before 1.20 a bluish cast (blue 8 % above
/// red on the paper) made every pixel read as blue pen, nearly every stamping as occluded, and
/// 80 % of the pairs of a lab set ambiguous; a dim exposure made paper read as dark print. The
/// gains are used for occlusion only: the red ink keeps the raw `R − max(G, B)` less the
/// paper's tint: balancing it too re-drew about 40 outcomes per lab set of 2,000, with more
/// forgeries judged *match* (docs/seal.md, "Figures of algorithm 1.20").
fn paper_gains(scan: &Scan) -> [f32; 3] {
    let pixels = scan.rgb.len() / 3;
    let step = pixels.div_ceil(PAPER_SAMPLES).max(1);
    let mut histogram = [0u32; 766];
    for px in scan.rgb.chunks_exact(3).step_by(step) {
        histogram[usize::from(px[0]) + usize::from(px[1]) + usize::from(px[2])] += 1;
    }
    let total: u32 = histogram.iter().sum();
    let wanted = ((total as f32 * PAPER_SHARE).ceil() as u32).max(1);
    let (mut seen, mut cut) = (0u32, 0usize);
    for (sum, &count) in histogram.iter().enumerate().rev() {
        seen += count;
        if seen >= wanted {
            cut = sum;
            break;
        }
    }
    let mut acc = [0u64; 3];
    let mut count = 0u64;
    for px in scan.rgb.chunks_exact(3).step_by(step) {
        if usize::from(px[0]) + usize::from(px[1]) + usize::from(px[2]) >= cut {
            for (a, &v) in acc.iter_mut().zip(px) {
                *a += u64::from(v);
            }
            count += 1;
        }
    }
    acc.map(|a| {
        let paper = a as f32 / (255.0 * count.max(1) as f32);
        1.0 / paper.max(PAPER_FLOOR)
    })
}

/// Reads red-ness and occlusion of the region `[x0, x1) × [y0, y1)` with box averaging by `f`;
/// occlusion on the colours multiplied by their `gain` (see [`paper_gains`]).
fn read_region(
    scan: &Scan,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
    f: usize,
    gain: [f32; 3],
) -> (Plane, Plane) {
    let sw = scan.width as usize;
    let sh = scan.height as usize;
    // Whole blocks only, so that no index needs clamping (the caller keeps x1 ≤ width).
    let f = f.max(1).min((x1 - x0).max(1)).min((y1 - y0).max(1));
    let w = ((x1 - x0) / f).max(1);
    let h = ((y1 - y0) / f).max(1);
    let mut red = Plane::filled(w, h, 0.0);
    let mut occ = Plane::filled(w, h, 0.0);
    let norm = 1.0 / (255.0 * (f * f) as f32);
    // Column sums of each block row first (a straight, vectorising pass over the bytes), then
    // the sums of `f` pixels across: the same integer totals as pixel by pixel.
    let mut columns = vec![0u32; w * f * 3];
    for y in 0..h {
        columns.fill(0);
        for dy in 0..f {
            let sy = (y0 + y * f + dy).min(sh - 1);
            let start = (sy * sw + x0) * 3;
            let row = &scan.rgb[start..start + w * f * 3];
            for (c, &v) in columns.iter_mut().zip(row) {
                *c += u32::from(v);
            }
        }
        for (x, block) in columns.chunks_exact(f * 3).enumerate() {
            let mut a = [0u32; 3];
            for px in block.chunks_exact(3) {
                a[0] += px[0];
                a[1] += px[1];
                a[2] += px[2];
            }
            red.data[y * w + x] =
                redness(a[0] as f32 * norm, a[1] as f32 * norm, a[2] as f32 * norm);
            let [r, g, b] = [0, 1, 2].map(|c| (a[c] as f32 * norm * gain[c]).min(1.0));
            occ.data[y * w + x] = if occluding(r, g, b) { 1.0 } else { 0.0 };
        }
    }
    (red, occ)
}

fn percentile(values: &mut [f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let k = ((values.len() - 1) as f32 * q).round() as usize;
    let (_, v, _) = values.select_nth_unstable_by(k, f32::total_cmp);
    *v
}

/// Bounding box `(x0, y0, x1, y1)` of the largest red blob in a coarse plane.
fn locate(red: &Plane) -> Option<(usize, usize, usize, usize)> {
    let mut vals: Vec<f32> = red.data.clone();
    let p995 = percentile(&mut vals, 0.995);
    if p995 < 0.08 {
        return None;
    }
    let t = (0.35 * p995).max(0.06);
    let mask: Vec<bool> = red.data.iter().map(|&v| v > t).collect();
    // Bridge the gaps between characters and border so the seal becomes one blob.
    let bridge = (red.w.max(red.h) as f32 * 0.02).max(2.0);
    let dist = distance_to(&mask, red.w, red.h);
    let joined: Vec<bool> = dist.iter().map(|&d| d <= bridge).collect();
    let (w, h) = (red.w, red.h);
    // Ink mass and bounding box of the inked pixels of every bridged (4-connected) blob.
    let (label, sizes) = crate::raster::label_regions(&joined, w, h, false);
    let mut blobs = vec![(0.0f32, (usize::MAX, usize::MAX, 0, 0)); sizes.len()];
    for (i, &l) in label.iter().enumerate() {
        if l == 0 || !mask[i] {
            continue;
        }
        let (x, y) = (i % w, i / w);
        let (mass, (bx0, by0, bx1, by1)) = &mut blobs[l as usize - 1];
        *mass += red.data[i];
        *bx0 = (*bx0).min(x);
        *by0 = (*by0).min(y);
        *bx1 = (*bx1).max(x + 1);
        *by1 = (*by1).max(y + 1);
    }
    let mut best: Option<(f32, (usize, usize, usize, usize))> = None;
    for &(mass, (bx0, by0, bx1, by1)) in &blobs {
        if bx1 > bx0 && best.is_none_or(|(m, _)| mass > m) {
            best = Some((mass, (bx0, by0, bx1, by1)));
        }
    }
    best.map(|(_, b)| b)
}

/// Extracts the seal imprint from a decoded scan.
pub fn extract(scan: &Scan) -> Result<Imprint, SealError> {
    let (sw, sh) = (scan.width as usize, scan.height as usize);
    let fc = sw.max(sh).div_ceil(COARSE_SIDE).max(1);
    let gain = paper_gains(scan);
    let (mut coarse, _) = read_region(scan, (0, 0, sw, sh), fc, gain);
    // Tinted paper (warm, pinkish) reads as a little red: measure it on the page (at least a
    // fifth of any scan is paper) and take it off before anything else.
    let paper = percentile(&mut coarse.data.clone(), 0.2) + 0.02;
    for v in &mut coarse.data {
        *v = (*v - paper).max(0.0);
    }
    let (bx0, by0, bx1, by1) = locate(&coarse).ok_or(SealError::NoSealFound)?;
    // Back to full resolution with a margin of 15 % of the blob size.
    let (bw, bh) = ((bx1 - bx0) * fc, (by1 - by0) * fc);
    let margin = (bw.max(bh) as f32 * 0.15) as usize + 2 * fc;
    let x0 = (bx0 * fc).saturating_sub(margin);
    let y0 = (by0 * fc).saturating_sub(margin);
    let x1 = (bx1 * fc + margin).min(sw);
    let y1 = (by1 * fc + margin).min(sh);
    let f = bw.max(bh).div_ceil(WORK_SIZE).max(1);
    let (mut red, occluded) = read_region(scan, (x0, y0, x1, y1), f, gain);
    for v in &mut red.data {
        *v = (*v - paper).max(0.0);
    }
    let mut inked: Vec<f32> = red.data.iter().copied().filter(|&v| v > 0.08).collect();
    if inked.len() < 30 {
        return Err(SealError::NoSealFound);
    }
    let strength = percentile(&mut inked, 0.9).max(0.1);
    let mut density = red;
    for v in &mut density.data {
        *v = (*v / (0.85 * strength)).clamp(0.0, 1.0);
    }
    let (w, h) = (density.w, density.h);
    let ink: Vec<bool> = density.data.iter().map(|&v| v > 0.5).collect();
    let ink_count = ink.iter().filter(|&&b| b).count();
    if ink_count < 30 {
        return Err(SealError::NoSealFound);
    }
    // Size and centre come from the convex hull of the ink: rotation invariant, and they
    // survive a border broken by partial inking or a pen stroke.
    let (center, hull_area) =
        hull_of(&ink, w, h).unwrap_or(((w as f32 / 2.0, h as f32 / 2.0), ink_count as f32));
    let size = hull_area.max(1.0).sqrt();
    let area = hull_area.max(1.0);
    // Occlusion is measured near the ink (within 4 % of the region), where it can hide strokes.
    let r = (w.max(h) as f32 * 0.04).max(2.0);
    let d_in = distance_to(&ink, w, h);
    let near = d_in.iter().filter(|&&d| d <= r).count().max(1);
    let occ_in = d_in
        .iter()
        .zip(&occluded.data)
        .filter(|(d, o)| **d <= r && **o > 0.5)
        .count();
    let connected = largest_region(&ink, w, h) as f32 / ink_count.max(1) as f32;
    let quality = ImageQuality {
        ink_coverage: ink_count as f32 / area,
        ink_strength: strength,
        sharpness: sharpness(&density),
        occluded: occ_in as f32 / near as f32,
        soft_ink: {
            let soft = density
                .data
                .iter()
                .filter(|&&v| v > 0.15 && v < 0.6)
                .count();
            let any = density.data.iter().filter(|&&v| v > 0.15).count();
            soft as f32 / any.max(1) as f32
        },
        white_characters: connected > WHITE_CONNECTED,
        ink_connected: connected,
    };
    Ok(Imprint {
        density,
        occluded,
        center,
        size,
        quality,
    })
}

/// Share of the ink in one region above which a seal has white characters: on the two tuning
/// sets (3,947 imprints) it calls 48 red-character seals white (strokes touching the border) and
/// misses 46 white-character seals (thin margins broken by partial inking).
const WHITE_CONNECTED: f32 = 0.75;

/// Pixels in the largest 8-connected region of `mask`.
fn largest_region(mask: &[bool], w: usize, h: usize) -> usize {
    crate::raster::label_regions(mask, w, h, true)
        .1
        .into_iter()
        .max()
        .unwrap_or(0)
}

/// The convex hull of the ink (pixel corners, Andrew's monotone chain), ignoring isolated
/// specks; `None` when fewer than three corners hold ink.
pub(crate) fn hull_polygon(ink: &[bool], w: usize, h: usize) -> Option<Vec<(f32, f32)>> {
    let plane = Plane {
        w,
        h,
        data: ink.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect(),
    };
    let local = plane.box_blur(2);
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in 0..h {
        let row = |x: usize| ink[y * w + x] && local.data[y * w + x] >= 0.3;
        if let Some(x0) = (0..w).find(|&x| row(x)) {
            let x1 = (0..w).rev().find(|&x| row(x)).unwrap_or(x0);
            pts.push((x0 as f32, y as f32));
            pts.push((x1 as f32 + 1.0, y as f32));
            pts.push((x0 as f32, y as f32 + 1.0));
            pts.push((x1 as f32 + 1.0, y as f32 + 1.0));
        }
    }
    if pts.len() < 3 {
        return None;
    }
    pts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    // Andrew's monotone chain.
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(pts.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    Some(hull)
}

/// Centroid and area of the convex hull of the ink, ignoring isolated specks.
fn hull_of(ink: &[bool], w: usize, h: usize) -> Option<((f32, f32), f32)> {
    let hull = hull_polygon(ink, w, h)?;
    let (mut a2, mut cx, mut cy) = (0.0f64, 0.0f64, 0.0f64);
    for i in 0..hull.len() {
        let (p, q) = (hull[i], hull[(i + 1) % hull.len()]);
        let c = f64::from(p.0 * q.1 - q.0 * p.1);
        a2 += c;
        cx += f64::from(p.0 + q.0) * c;
        cy += f64::from(p.1 + q.1) * c;
    }
    if a2.abs() < 1e-6 {
        return None;
    }
    Some((
        ((cx / (3.0 * a2)) as f32, (cy / (3.0 * a2)) as f32),
        (a2.abs() / 2.0) as f32,
    ))
}

/// 90th percentile of the central-difference gradient magnitude over edge pixels.
fn sharpness(density: &Plane) -> f32 {
    let w = density.w;
    let mut grads = Vec::new();
    for y in 1..density.h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            let gx = (density.data[i + 1] - density.data[i - 1]) * 0.5;
            let gy = (density.data[i + w] - density.data[i - w]) * 0.5;
            let g = (gx * gx + gy * gy).sqrt();
            if g > 0.05 {
                grads.push(g);
            }
        }
    }
    percentile(&mut grads, 0.9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_with_square(size: u32, ink: [u8; 3]) -> Scan {
        let mut rgb = Vec::new();
        for y in 0..size {
            for x in 0..size {
                let inside =
                    (size / 4..3 * size / 4).contains(&x) && (size / 4..3 * size / 4).contains(&y);
                let ring = inside
                    && !((size / 4 + 6..3 * size / 4 - 6).contains(&x)
                        && (size / 4 + 6..3 * size / 4 - 6).contains(&y));
                rgb.extend_from_slice(if ring { &ink } else { &[245, 240, 230] });
            }
        }
        Scan::from_rgb(size, size, rgb).unwrap()
    }

    #[test]
    fn a_red_square_border_is_found_and_centred() {
        let imp = extract(&scan_with_square(200, [200, 40, 50])).unwrap();
        let (cx, cy) = imp.center;
        assert!(
            (cx - imp.density.w as f32 / 2.0).abs() < 3.0
                && (cy - imp.density.h as f32 / 2.0).abs() < 3.0
        );
        assert!(imp.size > 80.0 && imp.size < 120.0, "{}", imp.size);
    }

    #[test]
    fn black_or_blank_scans_have_no_seal() {
        assert!(matches!(
            extract(&scan_with_square(120, [20, 20, 20])),
            Err(SealError::NoSealFound)
        ));
        assert!(matches!(
            extract(&scan_with_square(120, [245, 240, 230])),
            Err(SealError::NoSealFound)
        ));
    }

    /// A square seal 120 px wide with a 6 px border and four 8 px bars inside: red bars on
    /// paper (朱文), or paper bars cut into a red field (白文).
    fn scan_with_bars(white: bool) -> Scan {
        let size = 200u32;
        let mut rgb = Vec::new();
        for y in 0..size {
            for x in 0..size {
                let (u, v) = (x as i32 - 40, y as i32 - 40);
                let inside = (0..120).contains(&u) && (0..120).contains(&v);
                let border = inside && !((6..114).contains(&u) && (6..114).contains(&v));
                let bar = [24, 48, 72, 96]
                    .iter()
                    .any(|&b| (b..b + 8).contains(&u) && (20..100).contains(&v));
                let red = border || (inside && (bar != white));
                rgb.extend_from_slice(if red {
                    &[200, 40, 50]
                } else {
                    &[245, 240, 230]
                });
            }
        }
        Scan::from_rgb(size, size, rgb).unwrap()
    }

    #[test]
    fn white_characters_are_one_red_field_and_red_characters_are_many_strokes() {
        let red = extract(&scan_with_bars(false)).unwrap().quality;
        assert!(!red.white_characters, "{}", red.ink_connected);
        let white = extract(&scan_with_bars(true)).unwrap().quality;
        assert!(white.white_characters, "{}", white.ink_connected);
        // A field cut into strips is still mostly one region: the margin holds it together.
        assert!(white.ink_connected > 0.95 && red.ink_connected < 0.6);
    }

    /// The scan as another scanner would give it: each channel scaled by `gain` and offset by
    /// `offset` (white balance and exposure).
    fn recoloured(scan: &Scan, gain: [f32; 3], offset: [f32; 3]) -> Scan {
        let rgb = scan
            .rgb
            .chunks_exact(3)
            .flat_map(|px| {
                [0, 1, 2].map(|c| (f32::from(px[c]) * gain[c] + offset[c]).clamp(0.0, 255.0) as u8)
            })
            .collect();
        Scan::from_rgb(scan.width, scan.height, rgb).unwrap()
    }

    #[test]
    fn a_colour_cast_or_a_dim_exposure_reads_the_same_imprint_with_nothing_occluded() {
        let plain = scan_with_bars(false);
        let reference = extract(&plain).unwrap();
        assert!(reference.quality.occluded < 1e-6);
        for (gain, offset) in [
            // Bluish: on the paper blue lies 8 % above red, which read as blue pen before 1.20.
            ([0.9, 1.0, 1.08], [0.0, 0.0, 6.0]),
            // Dim: the paper at a third of its brightness read as dark print.
            ([0.38, 0.38, 0.38], [0.0; 3]),
            // Warm and bright.
            ([1.04, 0.95, 0.85], [0.0; 3]),
        ] {
            let other = extract(&recoloured(&plain, gain, offset)).unwrap();
            assert!(
                other.quality.occluded < 1e-6,
                "{gain:?}: {}",
                other.quality.occluded
            );
            assert!(!other.quality.white_characters);
            assert_eq!(
                (other.density.w, other.density.h),
                (reference.density.w, reference.density.h)
            );
            let differing = reference
                .density
                .data
                .iter()
                .zip(&other.density.data)
                .filter(|(a, b)| (**a > 0.5) != (**b > 0.5))
                .count();
            assert_eq!(differing, 0, "{gain:?}");
        }
    }
}
