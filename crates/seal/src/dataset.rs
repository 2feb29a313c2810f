//! Synthetic dataset generator for development and evaluation (deterministic from a seed).
//!
//! A *carving* is a seal design: 1–4 characters in a seal-script-like layout (each glyph
//! stretched to fill its cell, strokes thickened), a square, round or oval border, 朱文 (red
//! characters) or 白文 (white characters on a red field). An *impression* stamps a carving on
//! paper and scans it: rotation, scale, dpi 300–600, ink strength and colour, partial inking,
//! stroke spread, pressure blotches, smudges, double stamping, paper texture, printed text and
//! pen strokes across the seal, scan blur and noise, PNG/TIFF/JPEG encoding with JPEG artefacts.
//!
//! Pairs: *genuine* (one carving, two impressions), *forgery* (the same characters and layout
//! re-carved: a shifted or rescaled character, changed stroke width, another font, changed
//! border or spacing) and *unclear* (the same carving, a very poor impression).
//!
//! Invariant: pair `i` depends only on the seed, `i` and the fonts, never on other pairs or on
//! time, so a dataset can be regenerated bit for bit.

use std::f32::consts::PI;
use std::io::Cursor;

use ab_glyph::{Font, FontVec, PxScale};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::error::SealError;
use crate::eval::Label;
use crate::raster::{Plane, Similarity, distance_to};

/// Millimetres per design pixel.
const MM_PER_PX: f32 = 0.05;

/// Characters common in Taiwanese names, used for the seal text.
const CHARS: &str = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾游彭詹施胡沈余趙盧梁顏柯孫魏翁戴范宋方鄧杜傅侯曹薛丁卓馬董溫唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫黎龔嚴韓袁金童陸夏柳邵志明華美玉文國建家榮成雅惠淑芬秀英麗珍宏德俊偉傑豪安信義仁慧琳婷怡君佳印章之鑑";

/// A font face used by the generator.
pub struct Face {
    /// Short name (for the design note and logs).
    pub name: String,
    font: FontVec,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Face {
    /// Parses face `index` of a TTF/TTC file.
    pub fn parse(name: &str, data: Vec<u8>, index: u32) -> Result<Face, SealError> {
        let font = FontVec::try_from_vec_and_index(data, index)
            .map_err(|e| SealError::Font(format!("{name}: {e}")))?;
        Ok(Face {
            name: name.to_owned(),
            font,
        })
    }

    /// Rasterises `ch` at about `px` pixels; coverage plane cropped to the ink, or `None`.
    fn glyph(&self, ch: char, px: f32) -> Option<Plane> {
        let id = self.font.glyph_id(ch);
        if id.0 == 0 {
            return None;
        }
        let g = id.with_scale(PxScale::from(px));
        let og = self.font.outline_glyph(g)?;
        let b = og.px_bounds();
        let (w, h) = (
            (b.max.x - b.min.x).ceil() as usize + 1,
            (b.max.y - b.min.y).ceil() as usize + 1,
        );
        if w < 4 || h < 4 {
            return None;
        }
        let mut p = Plane::filled(w, h, 0.0);
        og.draw(|x, y, c| {
            let (x, y) = (x as usize, y as usize);
            if x < w && y < h {
                p.data[y * w + x] = c;
            }
        });
        Some(p)
    }
}

/// A font face shipped in `assets/fonts/`: file name, face index in the collection, short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontSpec {
    /// File name in `assets/fonts/`.
    pub file: &'static str,
    /// Face index inside a TTC collection.
    pub index: u32,
    /// Short name.
    pub name: &'static str,
}

/// Faces the engine was tuned on: Noto Serif CJK TC and Noto Sans CJK TC.
pub const TUNE_FONTS: [FontSpec; 2] = [
    FontSpec {
        file: "NotoSerifCJK-Regular.ttc",
        index: 3,
        name: "noto-serif-tc",
    },
    FontSpec {
        file: "NotoSansCJK-Regular.ttc",
        index: 3,
        name: "noto-sans-tc",
    },
];

/// The held-out face, never used while tuning: AR PL UKai TW (kai style).
pub const HELD_OUT_FONTS: [FontSpec; 1] = [FontSpec {
    file: "ukai.ttc",
    index: 2,
    name: "ukai-tw",
}];

/// Seed of the tuning set; [`HELD_OUT_SEED`] was never used while tuning.
pub const TUNE_SEED: u64 = 1;
/// The held-out seed.
pub const HELD_OUT_SEED: u64 = 20_261_127;

/// Generator settings.
#[derive(Debug)]
pub struct GenConfig {
    /// Seed of the whole dataset.
    pub seed: u64,
    /// Faces the seals are carved in.
    pub faces: Vec<Face>,
    /// Faces a forger may switch to ("another font"); may overlap `faces`.
    pub alternative_faces: Vec<Face>,
    /// Scan resolution of every image; `None` draws 300–600 dpi per image.
    pub dpi: Option<f32>,
}

/// One generated pair: encoded files and the label.
#[derive(Debug, Clone)]
pub struct GeneratedPair {
    /// File name and bytes of the registered imprint.
    pub reference: (String, Vec<u8>),
    /// File name and bytes of the application imprint.
    pub candidate: (String, Vec<u8>),
    /// Ground truth.
    pub label: Label,
    /// What makes the pair what it is (forgery changes, poor-stamping kind), for development.
    pub note: String,
}

/// Small deterministic sampling helpers over ChaCha8.
struct Sampler(ChaCha8Rng);

impl Sampler {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Sampler(r)
    }
    fn unit(&mut self) -> f32 {
        (self.0.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.unit()
    }
    fn index(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }
    fn sign(&mut self) -> f32 {
        if self.chance(0.5) { 1.0 } else { -1.0 }
    }
    fn normal(&mut self) -> f32 {
        let u1 = self.unit().max(1e-7);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Square,
    Round,
    Oval,
}

/// One character cell of a carving, in millimetres relative to the seal centre.
#[derive(Debug, Clone, Copy)]
struct Cell {
    ch: char,
    face: usize,
    alt_face: bool,
    cx: f32,
    cy: f32,
    w: f32,
    h: f32,
}

/// A seal design.
#[derive(Debug, Clone)]
struct Carving {
    shape: Shape,
    width: f32,
    height: f32,
    white: bool,
    border: f32,
    stroke: f32,
    cells: Vec<Cell>,
}

impl Carving {
    fn random(s: &mut Sampler, n_faces: usize) -> Carving {
        let shape = [Shape::Square, Shape::Square, Shape::Round, Shape::Oval][s.index(4)];
        let width = s.range(13.0, 22.0);
        let height = match shape {
            Shape::Square => width * s.range(0.9, 1.25),
            Shape::Round => width,
            Shape::Oval => width * s.range(1.2, 1.45),
        };
        let white = s.chance(0.3);
        let border = s.range(0.5, 1.2);
        let stroke = s.range(0.12, 0.3);
        let n = 1 + s.index(4);
        let chars: Vec<char> = CHARS.chars().collect();
        let face = s.index(n_faces);
        let inset = border + s.range(0.4, 1.0);
        let (iw, ih) = match shape {
            Shape::Square => (width - 2.0 * inset, height - 2.0 * inset),
            // The text block of a round or oval seal sits in the inscribed rectangle.
            Shape::Round | Shape::Oval => {
                ((width - 2.0 * inset) * 0.74, (height - 2.0 * inset) * 0.74)
            }
        };
        let gap = s.range(0.2, 0.6);
        // Traditional order: columns right to left, top to bottom.
        let layout: Vec<(f32, f32, f32, f32)> = match n {
            1 => vec![(0.0, 0.0, iw, ih)],
            2 => vec![
                (0.0, -(ih + gap) / 4.0, iw, (ih - gap) / 2.0),
                (0.0, (ih + gap) / 4.0, iw, (ih - gap) / 2.0),
            ],
            3 => {
                let ch = (ih - 2.0 * gap) / 3.0;
                (0..3)
                    .map(|k| (0.0, (k as f32 - 1.0) * (ch + gap), iw, ch))
                    .collect()
            }
            _ => {
                let (cw, ch) = ((iw - gap) / 2.0, (ih - gap) / 2.0);
                let (dx, dy) = (f32::midpoint(cw, gap), f32::midpoint(ch, gap));
                vec![
                    (dx, -dy, cw, ch),
                    (dx, dy, cw, ch),
                    (-dx, -dy, cw, ch),
                    (-dx, dy, cw, ch),
                ]
            }
        };
        let cells = layout
            .into_iter()
            .map(|(cx, cy, w, h)| Cell {
                ch: chars[s.index(chars.len())],
                face,
                alt_face: false,
                cx,
                cy,
                w,
                h,
            })
            .collect();
        Carving {
            shape,
            width,
            height,
            white,
            border,
            stroke,
            cells,
        }
    }

    /// A skilled forgery: the same characters and layout, re-carved with one or two changes.
    fn forged(&self, s: &mut Sampler) -> (Carving, Vec<&'static str>) {
        let mut c = self.clone();
        let mut changes = Vec::new();
        // One or two changes; two are of different kinds (1.6: two changes of one kind could
        // undo each other — a thicker then a thinner stroke, a wider then a narrower border — and
        // leave a "forgery" that is the genuine design).
        let two = s.chance(0.35);
        let mut kind = s.index(5);
        for step in 0..=usize::from(two) {
            if step == 1 {
                kind = (kind + 1 + s.index(4)) % 5;
            }
            let k = c.cells.len();
            match kind {
                0 => {
                    // Shift within the cell: shrink the character as much as it moves so that it
                    // stays inside the border.
                    let i = s.index(k);
                    let cell = &mut c.cells[i];
                    let (fx, fy) = (s.range(0.05, 0.1), s.range(0.05, 0.1));
                    cell.cx += s.sign() * fx * cell.w;
                    cell.cy += s.sign() * fy * cell.h;
                    cell.w *= 1.0 - 2.0 * fx;
                    cell.h *= 1.0 - 2.0 * fy;
                    changes.push("shifted character");
                }
                1 => {
                    let i = s.index(k);
                    let (fx, fy) = (s.range(0.8, 0.9), s.range(0.8, 0.95));
                    c.cells[i].w *= fx;
                    c.cells[i].h *= fy;
                    changes.push("rescaled character");
                }
                2 => {
                    c.stroke = if s.chance(0.5) || c.stroke < 0.2 {
                        c.stroke + s.range(0.12, 0.22)
                    } else {
                        c.stroke - s.range(0.1, 0.16)
                    };
                    changes.push("stroke width");
                }
                3 => {
                    for cell in &mut c.cells {
                        cell.alt_face = true;
                    }
                    changes.push("another font");
                }
                _ => {
                    c.border *= if s.chance(0.5) {
                        s.range(1.5, 2.0)
                    } else {
                        s.range(0.45, 0.65)
                    };
                    let spread = s.range(1.06, 1.12) * if s.chance(0.5) { 1.0 } else { 1.0 / 1.16 };
                    for cell in &mut c.cells {
                        cell.cx *= spread;
                        cell.cy *= spread;
                        // A white-character seal's border is the red margin around the text
                        // block: re-carving it resizes the block (1.5: before, a thinner border
                        // of a one-character white seal left the design unchanged — a
                        // "forgery" identical to the genuine seal).
                        if c.white {
                            cell.w *= spread;
                            cell.h *= spread;
                        }
                    }
                    changes.push("border and spacing");
                }
            }
        }
        (c, changes)
    }

    fn inside(&self, x: f32, y: f32, inset: f32) -> bool {
        let (hw, hh) = (self.width / 2.0 - inset, self.height / 2.0 - inset);
        if hw <= 0.0 || hh <= 0.0 {
            return false;
        }
        match self.shape {
            Shape::Square => x.abs() <= hw && y.abs() <= hh,
            Shape::Round | Shape::Oval => (x / hw).powi(2) + (y / hh).powi(2) <= 1.0,
        }
    }

    /// Renders the carving as a soft ink plane (1 = relief that takes ink), centred.
    fn render(&self, cfg: &GenConfig) -> Plane {
        let pad = 1.5;
        let w = ((self.width + 2.0 * pad) / MM_PER_PX) as usize;
        let h = ((self.height + 2.0 * pad) / MM_PER_PX) as usize;
        let (ox, oy) = (w as f32 / 2.0, h as f32 / 2.0);
        let mut glyphs = vec![false; w * h];
        for cell in &self.cells {
            // "Another font": the next carving face, or an alternative face when there is one only.
            let face = if !cell.alt_face {
                &cfg.faces[cell.face % cfg.faces.len()]
            } else if cfg.faces.len() > 1 || cfg.alternative_faces.is_empty() {
                &cfg.faces[(cell.face + 1) % cfg.faces.len()]
            } else {
                &cfg.alternative_faces[cell.face % cfg.alternative_faces.len()]
            };
            let (pw, ph) = (cell.w / MM_PER_PX, cell.h / MM_PER_PX);
            let Some(g) = face.glyph(cell.ch, ph.max(pw) * 1.1) else {
                continue;
            };
            let x0 = ox + cell.cx / MM_PER_PX - pw / 2.0;
            let y0 = oy + cell.cy / MM_PER_PX - ph / 2.0;
            for y in (y0.max(0.0) as usize)..((y0 + ph).min(h as f32) as usize) {
                for x in (x0.max(0.0) as usize)..((x0 + pw).min(w as f32) as usize) {
                    let gx = (x as f32 - x0) / pw * g.w as f32;
                    let gy = (y as f32 - y0) / ph * g.h as f32;
                    if g.sample(gx, gy) > 0.5 {
                        glyphs[y * w + x] = true;
                    }
                }
            }
        }
        let dist = distance_to(&glyphs, w, h);
        let stroke_px = self.stroke / MM_PER_PX;
        let mut out = Plane::filled(w, h, 0.0);
        let inner = self.border + 0.15;
        for y in 0..h {
            for x in 0..w {
                let (mx, my) = ((x as f32 - ox) * MM_PER_PX, (y as f32 - oy) * MM_PER_PX);
                if !self.inside(mx, my, 0.0) {
                    continue;
                }
                let stroke = dist[y * w + x] <= stroke_px && self.inside(mx, my, inner);
                let ring = !self.inside(mx, my, self.border);
                let ink = if self.white { !stroke } else { ring || stroke };
                if ink {
                    out.data[y * w + x] = 1.0;
                }
            }
        }
        out
    }
}

/// How one impression is stamped and scanned.
#[derive(Debug, Clone, Copy)]
struct Stamping {
    dpi: f32,
    angle: f32,
    scale: f32,
    strength: f32,
    spread: f32,
    missing: f32,
    blotches: usize,
    smudge: f32,
    double: f32,
    blur_mm: f32,
    text: bool,
    pen: bool,
    noise: f32,
}

impl Stamping {
    fn registered(s: &mut Sampler) -> Stamping {
        Stamping {
            dpi: s.range(300.0, 600.0),
            angle: s.normal() * 2.0_f32.to_radians(),
            scale: 1.0 + s.normal() * 0.01,
            strength: s.range(0.8, 1.0),
            spread: s.normal() * 0.03,
            missing: s.range(0.0, 0.08),
            blotches: s.index(2),
            smudge: 0.0,
            double: 0.0,
            blur_mm: 0.0,
            text: false,
            pen: false,
            noise: s.range(1.0, 4.0),
        }
    }

    fn application(s: &mut Sampler) -> Stamping {
        Stamping {
            dpi: s.range(300.0, 600.0),
            angle: s.range(-PI, PI),
            scale: 1.0 + s.normal() * 0.015,
            strength: s.range(0.6, 1.0),
            spread: s.normal() * 0.05,
            missing: s.range(0.0, 0.22),
            blotches: s.index(4),
            smudge: if s.chance(0.2) {
                s.range(0.1, 0.3)
            } else {
                0.0
            },
            double: 0.0,
            blur_mm: if s.chance(0.3) {
                s.range(0.02, 0.06)
            } else {
                0.0
            },
            text: s.chance(0.35),
            pen: s.chance(0.25),
            noise: s.range(2.0, 7.0),
        }
    }

    fn poor(s: &mut Sampler) -> (Stamping, &'static str) {
        let mut st = Stamping::application(s);
        let kind = match s.index(5) {
            0 => {
                st.missing = s.range(0.5, 0.75);
                "partial inking"
            }
            1 => {
                st.strength = s.range(0.12, 0.2);
                "faint"
            }
            2 => {
                st.smudge = s.range(0.9, 1.6);
                "smudged"
            }
            3 => {
                st.double = s.range(0.6, 1.6);
                "double stamped"
            }
            _ => {
                st.blur_mm = s.range(0.25, 0.45);
                st.spread = s.range(0.08, 0.15);
                "blurred"
            }
        };
        (st, kind)
    }
}

/// Smooth random field in `[0, 1]` over a `w × h` plane (bilinear upsampling of a coarse grid).
fn smooth_field(s: &mut Sampler, w: usize, h: usize, cells: usize) -> Plane {
    let g = cells + 1;
    let grid = Plane {
        w: g,
        h: g,
        data: (0..g * g).map(|_| s.unit()).collect(),
    };
    let mut out = Plane::filled(w, h, 0.0);
    for y in 0..h {
        for x in 0..w {
            out.data[y * w + x] = grid.sample(
                x as f32 / w as f32 * cells as f32,
                y as f32 / h as f32 * cells as f32,
            );
        }
    }
    out
}

/// Ink density of one impression in design coordinates.
fn ink_plane(design: &Plane, st: &Stamping, s: &mut Sampler) -> Plane {
    let (w, h) = (design.w, design.h);
    // Stroke spread: threshold a blurred design above or below one half.
    let blurred = design.box_blur(2);
    let thr = 0.5 - st.spread / (MM_PER_PX * 5.0) * 0.5;
    let mut ink = Plane::filled(w, h, 0.0);
    for i in 0..w * h {
        ink.data[i] = ((blurred.data[i] - thr) / 0.25 + 0.5).clamp(0.0, 1.0);
    }
    // Partial inking: a smooth field cuts the ink where it falls below the missing share.
    if st.missing > 0.0 {
        let field = smooth_field(s, w, h, 5);
        let mut sorted = field.data.clone();
        let k = ((sorted.len() - 1) as f32 * st.missing) as usize;
        let (_, cut, _) = sorted.select_nth_unstable_by(k, f32::total_cmp);
        let cut = *cut;
        for i in 0..w * h {
            let f = ((field.data[i] - cut) / 0.06).clamp(0.0, 1.0);
            ink.data[i] *= f;
        }
    }
    // Pressure blotches next to strokes.
    for _ in 0..st.blotches {
        let (bx, by) = (
            s.range(0.15, 0.85) * w as f32,
            s.range(0.15, 0.85) * h as f32,
        );
        let r = s.range(0.25, 0.6) / MM_PER_PX;
        for y in ((by - r).max(0.0) as usize)..((by + r).min(h as f32) as usize) {
            for x in ((bx - r).max(0.0) as usize)..((bx + r).min(w as f32) as usize) {
                let d = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)).sqrt();
                if d < r && blurred.data[y * w + x] > 0.05 {
                    ink.data[y * w + x] = ink.data[y * w + x].max(0.9);
                }
            }
        }
    }
    // Smudge: the seal slid while inked, leaving a fading copy in one direction.
    if st.smudge > 0.0 {
        let a = s.range(0.0, 2.0 * PI);
        let len = st.smudge / MM_PER_PX;
        let steps = 6;
        let src = ink.clone();
        for k in 1..=steps {
            let d = len * k as f32 / steps as f32;
            let (dx, dy) = (a.cos() * d, a.sin() * d);
            let fade = 0.8 * (1.0 - k as f32 / (steps + 1) as f32);
            for y in 0..h {
                for x in 0..w {
                    let v = src.sample(x as f32 - dx, y as f32 - dy) * fade;
                    let o = &mut ink.data[y * w + x];
                    *o = o.max(v);
                }
            }
        }
    }
    for v in &mut ink.data {
        *v *= st.strength;
    }
    ink
}

/// Renders an impression of `design` onto a scanned page and encodes it.
fn impression(
    design: &Plane,
    st: &Stamping,
    s: &mut Sampler,
    cfg: &GenConfig,
    prefer_jpeg: bool,
) -> Result<(Vec<u8>, &'static str), SealError> {
    let ink = ink_plane(design, st, s);
    let px_per_mm = st.dpi / 25.4;
    let seal_mm = design.w.max(design.h) as f32 * MM_PER_PX;
    let side = ((seal_mm * 1.45 + s.range(2.0, 8.0)) * px_per_mm) as usize;
    let (w, h) = (side, side + s.index(side / 5 + 1));
    let scale = px_per_mm * MM_PER_PX * st.scale;
    let centre = (
        w as f32 / 2.0 + s.range(-0.08, 0.08) * w as f32 * 0.3,
        h as f32 / 2.0 + s.range(-0.08, 0.08) * h as f32 * 0.3,
    );
    let t = Similarity::mapping(
        (design.w as f32 / 2.0, design.h as f32 / 2.0),
        centre,
        st.angle,
        scale,
    );
    let mut dens = ink.warp(w, h, &t);
    if st.double > 0.0 {
        let a = s.range(0.0, 2.0 * PI);
        let off = st.double * px_per_mm;
        let t2 = Similarity {
            tx: t.tx + a.cos() * off,
            ty: t.ty + a.sin() * off,
            ..Similarity::mapping(
                (design.w as f32 / 2.0, design.h as f32 / 2.0),
                centre,
                st.angle + s.range(-0.03, 0.03),
                scale,
            )
        };
        let second = ink.warp(w, h, &t2);
        let k = s.range(0.5, 0.9);
        for (d, v) in dens.data.iter_mut().zip(&second.data) {
            *d = d.max(v * k);
        }
    }
    // Paper, ink colour and multiplicative overprints.
    let paper = [
        s.range(235.0, 252.0),
        s.range(230.0, 248.0),
        s.range(215.0, 240.0),
    ];
    let ink_rgb = [
        s.range(175.0, 225.0),
        s.range(20.0, 70.0),
        s.range(30.0, 80.0),
    ];
    let texture = smooth_field(s, w, h, 12);
    let mut over = Plane::filled(w, h, 1.0);
    let mut over_blue = Plane::filled(w, h, 0.0);
    if st.text {
        overprint_text(&mut over, s, cfg, px_per_mm);
    }
    if st.pen {
        pen_stroke(&mut over, &mut over_blue, s, px_per_mm);
    }
    let mut rgb = vec![[0f32; 3]; w * h];
    for (i, px) in rgb.iter_mut().enumerate() {
        let d = dens.data[i].clamp(0.0, 1.0);
        let tex = 1.0 + (texture.data[i] - 0.5) * 0.04;
        for c in 0..3 {
            let base = paper[c] * tex;
            let inked = base * (1.0 - d * (1.0 - ink_rgb[c] / 255.0));
            let blue_tint = if c == 2 {
                1.0
            } else {
                1.0 - 0.75 * over_blue.data[i]
            };
            px[c] = inked * over.data[i] * blue_tint;
        }
    }
    let blur_px = (st.blur_mm * px_per_mm).round() as usize;
    if blur_px > 0 {
        for c in 0..3 {
            let p = Plane {
                w,
                h,
                data: rgb.iter().map(|v| v[c]).collect(),
            };
            let b = p.box_blur(blur_px);
            for (v, nv) in rgb.iter_mut().zip(b.data) {
                v[c] = nv;
            }
        }
    }
    let mut bytes = Vec::with_capacity(w * h * 3);
    for v in &rgb {
        for c in v {
            // Triangular noise: cheap and close enough to Gaussian for a scanner.
            bytes.push((c + (s.unit() + s.unit() - 1.0) * st.noise * 1.7).clamp(0.0, 255.0) as u8);
        }
    }
    let img = image::RgbImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| SealError::Encode("buffer".into()))?;
    let roll = s.unit();
    let mut out = Cursor::new(Vec::new());
    let ext = if (prefer_jpeg && roll < 0.7) || (!prefer_jpeg && roll < 0.35) {
        let q = 70 + s.index(26) as u8;
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q);
        img.write_with_encoder(enc)
            .map_err(|e| SealError::Encode(e.to_string()))?;
        "jpg"
    } else if roll < 0.85 {
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| SealError::Encode(e.to_string()))?;
        "png"
    } else {
        img.write_to(&mut out, image::ImageFormat::Tiff)
            .map_err(|e| SealError::Encode(e.to_string()))?;
        "tif"
    };
    Ok((out.into_inner(), ext))
}

/// Black printed text lines across part of the page.
fn overprint_text(over: &mut Plane, s: &mut Sampler, cfg: &GenConfig, px_per_mm: f32) {
    let Some(face) = cfg.faces.first() else {
        return;
    };
    let chars: Vec<char> = CHARS.chars().collect();
    let size = s.range(3.0, 4.5) * px_per_mm;
    let mut y = s.range(0.2, 0.6) * over.h as f32;
    let lines = 1 + s.index(2);
    for _ in 0..lines {
        let mut x = s.range(0.0, 0.3) * over.w as f32;
        while x < over.w as f32 {
            let Some(g) = face.glyph(chars[s.index(chars.len())], size) else {
                break;
            };
            for gy in 0..g.h {
                for gx in 0..g.w {
                    let (px, py) = (x as usize + gx, y as usize + gy);
                    if px < over.w && py < over.h {
                        let v = &mut over.data[py * over.w + px];
                        *v = v.min(1.0 - 0.88 * g.data[gy * g.w + gx]);
                    }
                }
            }
            x += size * 1.05;
        }
        y += size * 1.6;
    }
}

/// A pen stroke (blue or black) across the seal: a quadratic Bézier curve.
fn pen_stroke(over: &mut Plane, blue: &mut Plane, s: &mut Sampler, px_per_mm: f32) {
    let (w, h) = (over.w as f32, over.h as f32);
    let p0 = (0.0, s.range(0.2, 0.8) * h);
    let p1 = (s.range(0.3, 0.7) * w, s.range(0.0, 1.0) * h);
    let p2 = (w, s.range(0.2, 0.8) * h);
    let r = s.range(0.15, 0.3) * px_per_mm;
    let is_blue = s.chance(0.6);
    let steps = (w * 2.0) as usize;
    for k in 0..=steps {
        let t = k as f32 / steps as f32;
        let x = (1.0 - t).powi(2) * p0.0 + 2.0 * (1.0 - t) * t * p1.0 + t * t * p2.0;
        let y = (1.0 - t).powi(2) * p0.1 + 2.0 * (1.0 - t) * t * p1.1 + t * t * p2.1;
        for yy in ((y - r).max(0.0) as usize)..((y + r).min(h) as usize) {
            for xx in ((x - r).max(0.0) as usize)..((x + r).min(w) as usize) {
                if (xx as f32 - x).powi(2) + (yy as f32 - y).powi(2) <= r * r {
                    let i = yy * over.w + xx;
                    if is_blue {
                        blue.data[i] = 1.0;
                        over.data[i] = over.data[i].min(0.55);
                    } else {
                        over.data[i] = over.data[i].min(0.15);
                    }
                }
            }
        }
    }
}

/// The application's notable stamping conditions, for per-kind diagnostics: ` {a, b, …}`
/// (empty braces when none). Reads the sampled stamping only: the images do not depend on it.
fn stamping_conditions(reference: &Stamping, cand: &Stamping, cand_ext: &str) -> String {
    let mut c: Vec<&str> = Vec::new();
    if cand.missing > 0.12 {
        c.push("partial inking");
    }
    if cand.smudge > 0.0 {
        c.push("smudge");
    }
    if cand.blotches >= 2 {
        c.push("blotches");
    }
    if cand.text {
        c.push("text");
    }
    if cand.pen {
        c.push("pen");
    }
    if cand.blur_mm > 0.0 {
        c.push("blur");
    }
    if (cand.spread - reference.spread).abs() > 0.06 {
        c.push("ink spread");
    }
    if cand.strength < 0.7 {
        c.push("pale");
    }
    if cand_ext == "jpg" {
        c.push("jpeg");
    }
    format!(" {{{}}}", c.join(", "))
}

/// Generates pair `index` of the dataset.
pub fn generate_pair(cfg: &GenConfig, index: u64) -> Result<GeneratedPair, SealError> {
    if cfg.faces.is_empty() {
        return Err(SealError::Font("no font faces".into()));
    }
    let mut s = Sampler::new(cfg.seed, index);
    let roll = s.unit();
    let label = if roll < 0.45 {
        Label::Genuine
    } else if roll < 0.9 {
        Label::Forgery
    } else {
        Label::Unclear
    };
    let carving = Carving::random(&mut s, cfg.faces.len());
    let design = carving.render(cfg);
    let mut ref_st = Stamping::registered(&mut s);
    if let Some(dpi) = cfg.dpi {
        ref_st.dpi = dpi;
    }
    let (ref_bytes, ref_ext) = impression(&design, &ref_st, &mut s, cfg, false)?;
    let mut note = format!(
        "{:?}{} {} chars",
        carving.shape,
        if carving.white { " white" } else { "" },
        carving.cells.len()
    );
    let (cand_design, cand_st) = match label {
        Label::Genuine => (design, Stamping::application(&mut s)),
        Label::Forgery => {
            let (forged, changes) = carving.forged(&mut s);
            note.push_str("; ");
            note.push_str(&changes.join(", "));
            (forged.render(cfg), Stamping::application(&mut s))
        }
        Label::Unclear => {
            let (st, kind) = Stamping::poor(&mut s);
            note.push_str("; ");
            note.push_str(kind);
            (design, st)
        }
    };
    let mut cand_st = cand_st;
    if let Some(dpi) = cfg.dpi {
        cand_st.dpi = dpi;
    }
    let (cand_bytes, cand_ext) = impression(&cand_design, &cand_st, &mut s, cfg, true)?;
    note.push_str(&stamping_conditions(&ref_st, &cand_st, cand_ext));
    Ok(GeneratedPair {
        reference: (format!("{index:05}_ref.{ref_ext}"), ref_bytes),
        candidate: (format!("{index:05}_cand.{cand_ext}"), cand_bytes),
        label,
        note,
    })
}

/// The header of `pairs.csv`.
pub const CSV_HEADER: &str = "reference,candidate,label";

/// One `pairs.csv` row for a generated pair.
pub fn csv_row(pair: &GeneratedPair) -> String {
    format!(
        "{},{},{}",
        pair.reference.0,
        pair.candidate.0,
        pair.label.as_str()
    )
}
