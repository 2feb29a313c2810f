//! Alignment: finds the similarity transform (rotation at any angle, scale, translation) that
//! brings the candidate imprint onto the reference.
//!
//! Each imprint is first normalised: its filled outline's centroid goes to the canvas centre
//! and its √area to [`NORM_SIZE`] pixels. The residual rotation and scale come from
//! Fourier–Mellin registration (phase correlation of log-polar magnitude spectra, which are
//! translation invariant); the 180° ambiguity of the spectrum and the best few peaks are
//! resolved by phase-correlating each hypothesis in the image domain and keeping the one with
//! the highest normalised correlation. Invariant: the returned transform maps candidate
//! `density` coordinates to reference canvas coordinates.

use std::f32::consts::PI;
use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use crate::extract::Imprint;
use crate::raster::{Plane, Similarity};

/// Side of the alignment canvas, in pixels.
pub const CANVAS: usize = 128;
/// √area of a normalised seal on the alignment canvas.
pub const NORM_SIZE: f32 = 72.0;
const N_ANG: usize = 180;
const N_RAD: usize = 64;
/// Accepted residual scale range after normalisation.
const SCALE_RANGE: (f32, f32) = (0.7, 1.45);

/// Result of aligning a candidate to a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Candidate density coordinates → reference canvas coordinates (alignment canvas).
    pub cand_to_canvas: Similarity,
    /// Reference density coordinates → reference canvas coordinates.
    pub ref_to_canvas: Similarity,
    /// Normalised cross-correlation of the aligned densities (−1…1).
    pub correlation: f32,
    /// Share of the reference pattern repeated, at some other offset, by candidate ink that the
    /// reference does not explain (0…1): a second stamping of the same seal shows as a ghost.
    /// Reported only: on the coarse alignment canvas it misses small offsets; the double-stamping
    /// quality issue comes from [`crate::double`] on the scoring canvas.
    pub ghost: f32,
}

/// 2-D FFT helper with cached plans.
struct Fft2 {
    w: usize,
    h: usize,
    row_f: Arc<dyn Fft<f32>>,
    col_f: Arc<dyn Fft<f32>>,
    row_i: Arc<dyn Fft<f32>>,
    col_i: Arc<dyn Fft<f32>>,
}

impl Fft2 {
    fn new(planner: &mut FftPlanner<f32>, w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            row_f: planner.plan_fft_forward(w),
            col_f: planner.plan_fft_forward(h),
            row_i: planner.plan_fft_inverse(w),
            col_i: planner.plan_fft_inverse(h),
        }
    }

    fn run(&self, data: &mut [Complex32], inverse: bool) {
        let (row, col) = if inverse {
            (&self.row_i, &self.col_i)
        } else {
            (&self.row_f, &self.col_f)
        };
        row.process(data);
        // Columns as rows of the transpose, processed in one batch.
        let mut t = vec![Complex32::new(0.0, 0.0); data.len()];
        transpose(data, &mut t, self.w, self.h);
        col.process(&mut t);
        transpose(&t, data, self.h, self.w);
    }

    fn forward(&self, p: &[f32]) -> Vec<Complex32> {
        let mut d: Vec<Complex32> = p.iter().map(|&v| Complex32::new(v, 0.0)).collect();
        self.run(&mut d, false);
        d
    }

    /// The spectra of two real planes from one complex transform: `z = a + i·b` gives
    /// `A(k) = (Z(k) + Z̄(−k)) / 2` and `B(k) = (Z(k) − Z̄(−k)) / 2i`.
    fn forward_pair(&self, a: &[f32], b: &[f32]) -> (Vec<Complex32>, Vec<Complex32>) {
        let mut z: Vec<Complex32> = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| Complex32::new(x, y))
            .collect();
        self.run(&mut z, false);
        let (w, h) = (self.w, self.h);
        let mut fa = vec![Complex32::new(0.0, 0.0); z.len()];
        let mut fb = vec![Complex32::new(0.0, 0.0); z.len()];
        for v in 0..h {
            let mv = (h - v) % h;
            for u in 0..w {
                let i = v * w + u;
                let (zk, zm) = (z[i], z[mv * w + (w - u) % w].conj());
                fa[i] = (zk + zm) * 0.5;
                fb[i] = (zk - zm) * Complex32::new(0.0, -0.5);
            }
        }
        (fa, fb)
    }

    /// Phase-correlation surface of `a` and `b` (peak at the shift of `b` relative to `a`).
    fn phase_correlation(&self, fa: &[Complex32], fb: &[Complex32]) -> Vec<f32> {
        let mut cross: Vec<Complex32> = fa
            .iter()
            .zip(fb)
            .map(|(x, y)| {
                let c = y * x.conj();
                // |c|² cannot overflow: a spectrum's magnitude is at most the sum of its plane
                // (below 10⁷ for every plane transformed here), so |c|² < 10²⁸ ≪ f32::MAX.
                let n2 = c.norm_sqr();
                if n2 > 1e-18 {
                    c * n2.sqrt().recip()
                } else {
                    Complex32::new(0.0, 0.0)
                }
            })
            .collect();
        self.run(&mut cross, true);
        cross.into_iter().map(|c| c.re).collect()
    }
}

/// `dst` (`h × w`, row-major) ← the transpose of `src` (`w × h`), in tiles that stay in cache.
fn transpose(src: &[Complex32], dst: &mut [Complex32], w: usize, h: usize) {
    const TILE: usize = 16;
    for y0 in (0..h).step_by(TILE) {
        for x0 in (0..w).step_by(TILE) {
            for y in y0..(y0 + TILE).min(h) {
                for x in x0..(x0 + TILE).min(w) {
                    dst[x * h + y] = src[y * w + x];
                }
            }
        }
    }
}

/// The process-wide FFT planner: plans (and their twiddle tables) are made once per size.
fn planner() -> std::sync::MutexGuard<'static, FftPlanner<f32>> {
    static PLANNER: std::sync::LazyLock<std::sync::Mutex<FftPlanner<f32>>> =
        std::sync::LazyLock::new(|| std::sync::Mutex::new(FftPlanner::new()));
    PLANNER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Local maxima (3×3, periodic) of a surface, strongest first, at least `sep` apart.
fn peaks(
    surface: &[f32],
    w: usize,
    h: usize,
    count: usize,
    sep: usize,
) -> Vec<(usize, usize, f32)> {
    let mut maxima: Vec<(usize, usize, f32)> = Vec::new();
    let top = surface.iter().copied().fold(f32::MIN, f32::max);
    let floor = if top > 0.0 { 0.2 * top } else { f32::MIN };
    for y in 0..h {
        for x in 0..w {
            let v = surface[y * w + x];
            if v < floor {
                continue;
            }
            let mut is_max = true;
            'n: for dy in [h - 1, 0, 1] {
                for dx in [w - 1, 0, 1] {
                    if (dx, dy) != (0, 0) && surface[((y + dy) % h) * w + (x + dx) % w] > v {
                        is_max = false;
                        break 'n;
                    }
                }
            }
            if is_max {
                maxima.push((x, y, v));
            }
        }
    }
    maxima.sort_unstable_by(|p, q| q.2.total_cmp(&p.2));
    let mut out: Vec<(usize, usize, f32)> = Vec::new();
    for (x, y, v) in maxima {
        let far = out.iter().all(|&(px, py, _)| {
            let dx = x.abs_diff(px).min(w - x.abs_diff(px));
            let dy = y.abs_diff(py).min(h - y.abs_diff(py));
            dx.max(dy) >= sep
        });
        if far {
            out.push((x, y, v));
            if out.len() == count {
                break;
            }
        }
    }
    out
}

/// Sub-pixel offset of a peak by a parabola through its neighbours (periodic surface).
fn refine(surface: &[f32], w: usize, h: usize, x: usize, y: usize) -> (f32, f32) {
    let at = |xx: usize, yy: usize| surface[(yy % h) * w + (xx % w)];
    let c = at(x, y);
    let fit = |m: f32, p: f32| {
        let den = m - 2.0 * c + p;
        if den.abs() > 1e-9 {
            (0.5 * (m - p) / den).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    };
    let dx = fit(at(x + w - 1, y), at(x + 1, y));
    let dy = fit(at(x, y + h - 1), at(x, y + 1));
    (x as f32 + dx, y as f32 + dy)
}

fn signed(v: f32, n: usize) -> f32 {
    if v > n as f32 / 2.0 { v - n as f32 } else { v }
}

/// Normalising transform of an imprint onto the alignment canvas.
pub fn normaliser(imp: &Imprint) -> Similarity {
    let c = CANVAS as f32 / 2.0;
    Similarity::mapping(imp.center, (c, c), 0.0, NORM_SIZE / imp.size.max(1.0))
}

fn log_polar(spectrum: &[Complex32]) -> Vec<f32> {
    let n = CANVAS;
    // Magnitudes, shifted so that frequency 0 sits at the centre, with a ramp high-pass that
    // favours stroke detail over the seal's overall blob.
    let mut mag = Plane::filled(n, n, 0.0);
    for y in 0..n {
        for x in 0..n {
            let fx = signed(x as f32, n);
            let fy = signed(y as f32, n);
            let r = (fx * fx + fy * fy).sqrt();
            let v = spectrum[y * n + x].norm_sqr().sqrt();
            let sx = (fx + n as f32 / 2.0) as usize % n;
            let sy = (fy + n as f32 / 2.0) as usize % n;
            mag.data[sy * n + sx] = (1.0 + v).ln() * r.min(24.0);
        }
    }
    let c = n as f32 / 2.0;
    let r_min = 2.0f32;
    let r_max = c - 2.0;
    let step = (r_max / r_min).ln() / (N_RAD - 1) as f32;
    let mut out = vec![0.0f32; N_ANG * N_RAD];
    for ri in 0..N_RAD {
        let r = r_min * (step * ri as f32).exp();
        for ai in 0..N_ANG {
            let a = PI * ai as f32 / N_ANG as f32;
            out[ri * N_ANG + ai] = mag.sample(c + r * a.cos(), c + r * a.sin());
        }
    }
    out
}

fn ncc(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let ma = a.iter().sum::<f32>() / n;
    let mb = b.iter().sum::<f32>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (da, db) = (x - ma, y - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if saa <= 1e-9 || sbb <= 1e-9 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Aligns `cand` to `reference`.
pub fn align(reference: &Imprint, cand: &Imprint) -> Alignment {
    let n = CANVAS;
    let (fft, lp_fft) = {
        let mut planner = planner();
        (
            Fft2::new(&mut planner, n, n),
            Fft2::new(&mut planner, N_ANG, N_RAD),
        )
    };
    let nr = normaliser(reference);
    let nc = normaliser(cand);
    let r_canvas = reference.density.warp(n, n, &nr);
    let c_canvas = cand.density.warp(n, n, &nc);
    let (fr, fc) = fft.forward_pair(&r_canvas.data, &c_canvas.data);
    let lr = lp_fft.forward(&log_polar(&fr));
    let lc = lp_fft.forward(&log_polar(&fc));
    let surface = lp_fft.phase_correlation(&lr, &lc);
    let r_step = ((n as f32 / 2.0 - 2.0) / 2.0).ln() / (N_RAD - 1) as f32;
    let centre = (n as f32 / 2.0, n as f32 / 2.0);

    let mut best: Option<Alignment> = None;
    // The candidate as the best pose renders it (kept for the ghost measure below).
    let mut best_plane: Option<Plane> = None;
    for (px, py, _) in peaks(&surface, N_ANG, N_RAD, 3, 3) {
        let (ax, ay) = refine(&surface, N_ANG, N_RAD, px, py);
        let dtheta = signed(ax, N_ANG) * PI / N_ANG as f32;
        let dlog = signed(ay, N_RAD) * r_step;
        // The candidate's spectrum is the reference's rotated by the candidate's rotation and
        // shrunk by its scale; undo both.
        let scale = dlog.exp();
        if !(SCALE_RANGE.0..=SCALE_RANGE.1).contains(&scale) {
            continue;
        }
        for flip in [0.0, PI] {
            let rot = Similarity::about(centre, -(dtheta + flip), scale);
            let t = rot.compose(&nc);
            let warped = cand.density.warp(n, n, &t);
            let fw = fft.forward(&warped.data);
            let pc = fft.phase_correlation(&fr, &fw);
            let top = peaks(&pc, n, n, 1, 4);
            let Some(&(tx, ty, _)) = top.first() else {
                continue;
            };
            let (sx, sy) = refine(&pc, n, n, tx, ty);
            let shift = Similarity {
                a: 1.0,
                b: 0.0,
                tx: -signed(sx, n),
                ty: -signed(sy, n),
            };
            let t = shift.compose(&t);
            let aligned = cand.density.warp(n, n, &t);
            let corr = ncc(&r_canvas.data, &aligned.data);
            if best.is_none_or(|b| corr > b.correlation) {
                best = Some(Alignment {
                    cand_to_canvas: t,
                    ref_to_canvas: nr,
                    correlation: corr,
                    ghost: 0.0,
                });
                best_plane = Some(aligned);
            }
        }
    }
    let mut best = best.unwrap_or(Alignment {
        cand_to_canvas: nc,
        ref_to_canvas: nr,
        correlation: 0.0,
        ghost: 0.0,
    });
    // Local refinement of angle and scale on the correlation (the log-polar grid is 1° coarse).
    for (da, ds) in [
        (0.6f32, 0.0f32),
        (-0.6, 0.0),
        (0.0, 0.015),
        (0.0, -0.015),
        (0.3, 0.0),
        (-0.3, 0.0),
    ] {
        let tweak = Similarity::about(centre, da.to_radians(), 1.0 + ds);
        let t = tweak.compose(&best.cand_to_canvas);
        let aligned = cand.density.warp(n, n, &t);
        let corr = ncc(&r_canvas.data, &aligned.data);
        if corr > best.correlation {
            best.cand_to_canvas = t;
            best.correlation = corr;
            best_plane = Some(aligned);
        }
    }
    let plane = best_plane.unwrap_or_else(|| cand.density.warp(n, n, &best.cand_to_canvas));
    best.ghost = ghost(&fft, &r_canvas, &fr, &plane);
    best
}

/// Translation (pixels) to add to `b` so that it lies on `a`; 0 when the peak is farther than
/// 3 pixels (then the coarse alignment is kept).
pub(crate) fn fine_shift(a: &Plane, b: &Plane) -> (f32, f32) {
    let (w, h) = (a.w, a.h);
    let fft = Fft2::new(&mut planner(), w, h);
    let (fa, fb) = fft.forward_pair(&a.data, &b.data);
    let pc = fft.phase_correlation(&fa, &fb);
    let Some(&(x, y, _)) = peaks(&pc, w, h, 1, 1).first() else {
        return (0.0, 0.0);
    };
    let (sx, sy) = refine(&pc, w, h, x, y);
    let (dx, dy) = (-signed(sx, w), -signed(sy, h));
    if dx.abs() > 3.0 || dy.abs() > 3.0 {
        (0.0, 0.0)
    } else {
        (dx, dy)
    }
}

/// Largest share of the reference repeated by unexplained candidate ink at an offset of at
/// least 3 % of the canvas (see [`Alignment::ghost`]).
fn ghost(fft: &Fft2, reference: &Plane, fr: &[Complex32], aligned: &Plane) -> f32 {
    let n = CANVAS;
    let near = reference.box_blur(2);
    let residual: Vec<f32> = aligned
        .data
        .iter()
        .zip(&near.data)
        .map(|(c, r)| if *r < 0.05 { *c } else { 0.0 })
        .collect();
    let energy: f32 = reference.data.iter().map(|v| v * v).sum();
    if energy <= 1e-6 {
        return 0.0;
    }
    let mut cross: Vec<Complex32> = fft
        .forward(&residual)
        .iter()
        .zip(fr)
        .map(|(x, y)| x * y.conj())
        .collect();
    fft.run(&mut cross, true);
    let scale = 1.0 / (n * n) as f32;
    let min_off = (n as f32 * 0.03) as usize;
    let mut best = 0.0f32;
    for (i, c) in cross.iter().enumerate() {
        let (x, y) = (i % n, i / n);
        let (dx, dy) = (x.min(n - x), y.min(n - y));
        if dx.max(dy) >= min_off {
            best = best.max(c.re * scale / energy);
        }
    }
    best.clamp(0.0, 1.0)
}

/// Steps of the partial-inking search: rotations over the full turn and scales of the
/// candidate relative to its normalisation (a partially inked imprint has a smaller hull, so
/// its normalisation enlarges it: the true scale is at most a little above 1).
const PARTIAL_ANGLES: usize = 48;
const PARTIAL_SCALES: (f32, f32, usize) = (0.55, 1.05, 11);

/// Masked correlation template: the candidate's zero-mean density inside its inked zone (its
/// ink dilated by `r` pixels), zero elsewhere; with the zone's size.
fn zone_template(c: &Plane, r: usize) -> (Vec<f32>, f32) {
    let ink = Plane {
        w: c.w,
        h: c.h,
        data: c
            .data
            .iter()
            .map(|&v| if v > 0.5 { 1.0 } else { 0.0 })
            .collect(),
    };
    let zone = ink.box_blur(r);
    let (mut s, mut cnt) = (0.0f32, 0.0f32);
    for (v, z) in c.data.iter().zip(&zone.data) {
        if *z > 0.01 {
            s += v;
            cnt += 1.0;
        }
    }
    let mean = s / cnt.max(1.0);
    let t = c
        .data
        .iter()
        .zip(&zone.data)
        .map(|(v, z)| if *z > 0.01 { v - mean } else { 0.0 })
        .collect();
    (t, cnt)
}

/// Correlation of a template (see [`zone_template`]) with the reference at every cyclic shift,
/// from one FFT pair; returns the best shift of the template and its value, normalised by the
/// template's norm, the reference's standard deviation and √(zone size) so that hypotheses of
/// different scales compare (the reference's variance is taken over the whole canvas, not per
/// zone: a zero-mean template placed on a uniform red field still scores 0).
fn masked_best(fft: &Fft2, fr: &[Complex32], sd_r: f32, t: &[f32], zone: f32) -> (f32, f32, f32) {
    let norm = template_norm(t, sd_r, zone);
    if norm <= 1e-6 {
        return (0.0, 0.0, f32::MIN);
    }
    let ft = fft.forward(t);
    let mut cross: Vec<Complex32> = fr.iter().zip(&ft).map(|(a, b)| a * b.conj()).collect();
    fft.run(&mut cross, true);
    let surface: Vec<f32> = cross.iter().map(|c| c.re).collect();
    let Some((i, &v)) = surface.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) else {
        return (0.0, 0.0, f32::MIN);
    };
    let (sx, sy) = refine(&surface, fft.w, fft.h, i % fft.w, i / fft.w);
    let scale = 1.0 / (fft.w * fft.h) as f32;
    (signed(sx, fft.w), signed(sy, fft.h), v * scale / norm)
}

/// The normaliser of [`masked_best`].
fn template_norm(t: &[f32], sd_r: f32, zone: f32) -> f32 {
    t.iter().map(|v| v * v).sum::<f32>().sqrt() * sd_r * zone.sqrt()
}

fn std_dev(p: &[f32]) -> f32 {
    let n = p.len() as f32;
    let m = p.iter().sum::<f32>() / n;
    (p.iter().map(|v| (v - m) * (v - m)).sum::<f32>() / n).sqrt()
}

/// The value of [`masked_best`] for the candidate under `t` (candidate density → canvas), at no
/// further shift, on the full-canvas level.
fn zone_correlation(full: &Level, r_canvas: &Plane, cand: &Imprint, t: &Similarity) -> f32 {
    let n = CANVAS;
    let c = cand.density.warp(n, n, t);
    let (tpl, zone) = zone_template(&c, full.zone);
    let norm = template_norm(&tpl, full.sd, zone);
    if norm <= 1e-6 {
        return f32::MIN;
    }
    tpl.iter()
        .zip(&r_canvas.data)
        .map(|(a, b)| a * b)
        .sum::<f32>()
        / norm
}

/// The `keep` best hypotheses `(angle, log-scale step, value)` that are not neighbours of a
/// better one.
fn distinct(hyps: &mut [(f32, f32, f32)], keep: usize, step_a: f32) -> Vec<(f32, f32)> {
    hyps.sort_unstable_by(|p, q| q.2.total_cmp(&p.2));
    let mut seeds: Vec<(f32, f32)> = Vec::new();
    for &(a, si, _) in hyps.iter() {
        let near = seeds.iter().any(|&(pa, ps)| {
            let d = (a - pa).rem_euclid(2.0 * PI);
            d.min(2.0 * PI - d) < 1.5 * step_a && (si - ps).abs() < 1.5
        });
        if !near {
            seeds.push((a, si));
            if seeds.len() == keep {
                break;
            }
        }
    }
    seeds
}

/// One resolution of the partial-inking search: the reference and the normalised candidate on
/// the alignment canvas downsampled by an integer factor.
struct Level {
    fft: Fft2,
    fr: Vec<Complex32>,
    sd: f32,
    cand: Plane,
    zone: usize,
}

impl Level {
    fn new(planner: &mut FftPlanner<f32>, r_canvas: &Plane, c_canvas: &Plane, f: usize) -> Level {
        let r = r_canvas.downsample(f);
        let fft = Fft2::new(planner, r.w, r.h);
        Level {
            fr: fft.forward(&r.data),
            sd: std_dev(&r.data),
            cand: c_canvas.downsample(f),
            zone: if f == 1 { 3 } else { 2 },
            fft,
        }
    }

    /// Best translation (canvas pixels of this level) and masked correlation for the candidate
    /// rotated by `angle` and scaled by `scale` about the canvas centre.
    fn eval(&self, angle: f32, scale: f32) -> (f32, f32, f32) {
        let (w, h) = (self.cand.w, self.cand.h);
        let c = (w as f32 / 2.0, h as f32 / 2.0);
        let warped = self.cand.warp(w, h, &Similarity::about(c, angle, scale));
        let (tpl, zone) = zone_template(&warped, self.zone);
        masked_best(&self.fft, &self.fr, self.sd, &tpl, zone)
    }
}

/// Alignment of a partially inked candidate: an exhaustive search of rotation and scale with
/// the translation from a masked correlation, which compares the two imprints only where the
/// candidate holds ink (partial inking removes ink; what remains must lie on the reference).
/// The Fourier–Mellin estimate of [`align`] compares whole spectra and drifts when half the ink
/// is gone. Coarse to fine: every 7.5° and 7 % of scale on the half canvas, the six best
/// hypotheses refined there by half steps, then a pattern search on the full canvas from the two
/// best. `None` when the search finds nothing better than `current`.
pub fn align_partial(
    reference: &Imprint,
    cand: &Imprint,
    current: &Alignment,
) -> Option<Alignment> {
    let n = CANVAS;
    let nr = normaliser(reference);
    let nc = normaliser(cand);
    let r_canvas = reference.density.warp(n, n, &nr);
    let c_canvas = cand.density.warp(n, n, &nc);
    let (half, full) = {
        let mut planner = planner();
        (
            Level::new(&mut planner, &r_canvas, &c_canvas, 2),
            Level::new(&mut planner, &r_canvas, &c_canvas, 1),
        )
    };
    let (s0, s1, steps) = PARTIAL_SCALES;
    let ratio = (s1 / s0).powf(1.0 / (steps - 1) as f32);
    let step_a = 2.0 * PI / PARTIAL_ANGLES as f32;
    let scale_at = |si: f32| s0 * ratio.powf(si);
    // Hypotheses as (angle, log-scale step, value).
    let mut hyps: Vec<(f32, f32, f32)> = Vec::with_capacity(PARTIAL_ANGLES * steps);
    for si in 0..steps {
        let scale = s0 * ratio.powi(si as i32);
        for ai in 0..PARTIAL_ANGLES {
            let angle = step_a * ai as f32;
            hyps.push((angle, si as f32, half.eval(angle, scale).2));
        }
    }
    // Mid: the best distinct hypotheses on the half canvas, each with its neighbours.
    let seeds = distinct(&mut hyps, 6, step_a);
    hyps.clear();
    for (a0, si0) in seeds {
        for da in [-0.5f32, 0.0, 0.5] {
            for ds in [-0.5f32, 0.0, 0.5] {
                let (a, si) = (a0 + da * step_a, si0 + ds);
                let (_, _, v) = half.eval(a, scale_at(si));
                hyps.push((a, si, v));
            }
        }
    }
    // Fine: a pattern search on the full canvas from the two best, halving the steps. A
    // hypothesis is (angle, log-scale step, tx, ty, value).
    let mut best: Option<(f32, f32, f32, f32, f32)> = None;
    for (a0, si0) in distinct(&mut hyps, 2, step_a) {
        let eval = |a: f32, si: f32| {
            let (tx, ty, v) = full.eval(a, scale_at(si));
            (a, si, tx, ty, v)
        };
        let mut cur = eval(a0, si0);
        let (mut da, mut ds) = (0.25 * step_a, 0.25f32);
        for _ in 0..4 {
            for (ka, ks) in [(1.0f32, 0.0f32), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
                let next = eval(cur.0 + ka * da, cur.1 + ks * ds);
                if next.4 > cur.4 {
                    cur = next;
                }
            }
            da *= 0.5;
            ds *= 0.5;
        }
        if best.is_none_or(|b| cur.4 > b.4) {
            best = Some(cur);
        }
    }
    let before = zone_correlation(&full, &r_canvas, cand, &current.cand_to_canvas);
    let (a, si, tx, ty, _) = best.filter(|b| b.4 > before)?;
    let cn = (n as f32 / 2.0, n as f32 / 2.0);
    let shift = Similarity {
        a: 1.0,
        b: 0.0,
        tx,
        ty,
    };
    let t = shift
        .compose(&Similarity::about(cn, a, scale_at(si)))
        .compose(&nc);
    let aligned = cand.density.warp(n, n, &t);
    Some(Alignment {
        cand_to_canvas: t,
        ref_to_canvas: nr,
        correlation: ncc(&r_canvas.data, &aligned.data),
        ghost: current.ghost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_transform_of_two_planes_gives_both_spectra() {
        let (w, h) = (12, 10);
        let a: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 11) as f32 / 10.0).collect();
        let b: Vec<f32> = (0..w * h).map(|i| ((i * 53) % 7) as f32 / 6.0).collect();
        let fft = Fft2::new(&mut planner(), w, h);
        let (fa, fb) = fft.forward_pair(&a, &b);
        for (pair, single) in [(fa, fft.forward(&a)), (fb, fft.forward(&b))] {
            for (p, s) in pair.iter().zip(&single) {
                assert!((p - s).norm() < 1e-3, "{p} vs {s}");
            }
        }
    }
}
