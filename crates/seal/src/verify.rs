//! Verification: the outcome of one comparison (比對) — match, no match or ambiguous — with
//! everything a clerk or an auditor needs to see why.
//!
//! Invariant: the engine never says *match* when the quality assessment found an issue other
//! than ink spread alone on a stamping none of whose characters reads rescaled or goes unseen
//! ([`SPREAD_SETTLED`], [`SPREAD_UNSEEN`], 1.18: the spread explains the stroke width, and the
//! score and every check a match needs judge the rest); the outcome is then *ambiguous* and the
//! clerk judges (or asks for an imprint rebuild) — except that a poorly stamped imprint with
//! strong evidence of re-carving (a block whose correlation gains at least
//! [`RECARVED_LOCAL_GAIN`] from a local move, and a score below [`RECARVED_SCORE`]) is *no
//! match*: poor stamping removes, smears or doubles ink, it does not move one character against
//! the others. The same holds for an ink-spread stamping whose edges moved locally
//! ([`SPREAD_MOVED`]) or one of whose characters is rescaled against the others
//! ([`SPREAD_RESCALED`], whatever the score), a double stamping with strokes missing where the
//! application is inked ([`DOUBLE_MISSING`]), and a partially inked stamping whose ring is
//! narrower all round ([`RING_CHANGE`], 1.19). The issues are still reported.
//!
//! Without a quality issue, an outline or a character displaced beyond what the stroke measures
//! read (gaps with the application's ink alone beside them, [`DISPLACED_GAP`]), an outline moved
//! all round ([`OUTLINE_OFFSET`]) or a ring re-carved wider or narrower ([`RING_CHANGE`]) is *no
//! match* whatever the score.

use crate::align::{Alignment, align, align_partial};
use crate::error::SealError;
use crate::extract::{ImageQuality, Imprint, extract};
use crate::intake::{IntakeLimits, Scan, decode};
use crate::quality::{QualityIssue, QualityLimits, assess};
use crate::score::{Aligned, BLOCKS, Measures, TOLERANCE, measure};

/// Version of the algorithm and its thresholds; recorded with every outcome.
pub const ALGORITHM_VERSION: &str = "custos-seal/1.20 (occlusion read on white-balanced colours (paper = brightest 10% of pixels); fourier-mellin; masked rotation and scale search where wide gaps >0.38, kept when extra ink plus gaps fall; 320px canvas; tolerant overlap 1.5px; 8x8 blocks; stroke width inside vs outer edge; local edge displacement field; per-figure rescaling fit (lower bound, weight 2.0), touching characters refitted as parts (>=0.6 held); missing ink next to extra ink (8px) apart; logistic fitted on pairs without quality issue, less 1 per px the outlines lie beyond 8px apart; local block re-alignment; re-carving overrides quality at gain>=0.8 or ink spread alone with move>=1px; ink spread alone with a character rescaled>=0.5px is no match, with none rescaled (<0.15px) and every character at least half seen a match on its score; double stamping alone with missing ink>=0.045; a match needs every character seen (unseen share <0.9 of figures with >=500 edge pixels), the stroke width read against the hull-closed outline within 1px and moved ink in any 3x3-block window <0.008 of the reference ink; no facing test for solid figures (edges mostly facing away) of 28px RMS radius or more; smudge issue needs a slid copy (double-stamp evidence >0.2) or soft ink alone >0.08; ink spread issue on white-character seals (one connected red field >0.75) only; double stamp on the scoring canvas >0.51; no match when gaps with ink alone within 24px >=0.10; no match when the outline moved all round (offset >=3px held by >=0.6 of 360 rays) or the ring's width changed all round (>=3px less the seal-wide thickening, held by >=0.6 of >=90 rays; a narrower ring also under partial inking alone); match>=0.88 no-match<0.55)";

/// Local re-alignment gain (see `score::Measures::local_gain`) that counts as evidence of a
/// re-carved seal even on a poorly stamped imprint. Chosen on the tuning set (2,000 pairs): it
/// settles an eighth of the forgeries that quality issues left ambiguous while keeping ≥ 90 % of
/// the unclear stampings of genuine seals ambiguous (0.6 settled a third but let 89 % through).
pub const RECARVED_LOCAL_GAIN: f32 = 0.8;
/// Score below which strong local evidence overrides a quality issue.
pub const RECARVED_SCORE: f32 = 0.05;
/// Local move of the stroke edges (see `score::Measures::local_move2`, scoring pixels) that
/// settles a forgery left ambiguous by the ink-spread issue alone. Ink spread moves every edge
/// alike and hides a re-carved stroke width, not a moved character. Chosen on the two tuning
/// sets (4,000 pairs, 1.6): it settles two thirds of the forgeries flagged for ink spread alone
/// and no genuine pair, and 3 of the 431 unclear stampings. Since 1.7 the ink-spread issue is
/// raised on white-character seals only (see `quality::assess`).
pub const SPREAD_MOVED: f32 = 1.0;
/// Rescaling of one character (see `score::Measures::character_scale`, scoring pixels) that
/// settles a stamping left ambiguous by the ink-spread issue alone as *no match*, whatever its
/// score (1.11). Ink spread thickens or thins every figure alike, and the figure fit carries its
/// own spread term, so it does not read as one character rescaled against the others. Chosen on
/// the two tuning sets: the genuine pairs flagged for ink spread alone read at most 0.0 px (9
/// pairs) and the unclear stampings 0.19 px (one pair); it settles 3 of the 9 forgeries so
/// flagged (0.52–0.58 px). Genuine pairs without quality issue reach 0.34 / 0.41 px at their
/// 99th percentile (tuning seeds 1 / 2).
pub const SPREAD_RESCALED: f32 = 0.5;
/// Rescaling of one character (see `score::Measures::character_scale`, scoring pixels) below
/// which a stamping flagged for ink spread alone is judged on its score like a pair without
/// quality issue (1.18): *match* at the match threshold, when the outline and the characters
/// stay in place and every check a match needs holds. The issue is still reported. Ink spread
/// widens or narrows every figure alike, and the figure fit carries its own spread term, so a
/// spread stamping of the registered seal reads no character rescaled; the white-character
/// re-carvings the issue was raised for (1.7) read one. Chosen on the white-character genuine
/// pairs without quality issue that score a match: 98 % of them read below 0.15 px (2,445 of
/// 2,486 on the ten 2,000-pair lab sets read with 1.17, 2026-11-30). The fit must also see the
/// characters: see [`SPREAD_UNSEEN`].
pub const SPREAD_SETTLED: f32 = 0.15;
/// Share of one character's edges left unmeasured (see `score::Measures::unseen_character`)
/// from which a stamping flagged for ink spread alone stays *ambiguous* whatever the figure fit
/// reads (1.18). Under spread the stroke width no longer tells a re-carving, and the figure fit
/// is the only witness left; it cannot vouch for a character of which it sees less than half.
/// (The first form of the rule, without this limit, let a one-character white seal re-carved
/// in another font and stroke width through: 83 % of its character unseen under partial inking
/// and text.)
pub const SPREAD_UNSEEN: f32 = 0.5;
/// Share of the reference ink missing where the application is inked (see
/// `score::Measures::missing`) that a double stamping cannot explain: a second stamping adds a
/// shifted copy of the ink, it takes none away. A forgery left ambiguous by the double-stamp
/// issue alone with this much missing ink and a score below [`RECARVED_SCORE`] is *no match*.
/// Chosen on the two tuning sets (4,000 pairs): the unclear double stampings of the first set
/// lose at most 3.3 % of the reference ink, those of the second 6.5 %; forgeries flagged so lose
/// up to 17 %. With the other overrides, 24 of the 37 forgeries flagged for double stamping
/// alone are *no match*, and 1 of the 56 unclear stampings so flagged.
pub const DOUBLE_MISSING: f32 = 0.045;

/// Share of the reference ink in gaps with the application's ink alone beside them (see
/// `score::Measures::gap_moved`) that makes a pair without quality issue *no match*, whatever
/// its score: the outline or a character was displaced farther than the stroke measures read.
/// Chosen on the two tuning sets (4,000 pairs, 1.8): every genuine pair without quality issue
/// at or above it already scored *no match* (4 pairs); it settles a forgery that scored *match*
/// (a one-character seal whose character was rescaled, the outline 10–16 px away) and two left
/// ambiguous. The 98th percentile of genuine pairs without quality issue is 0.043.
pub const DISPLACED_GAP: f32 = 0.10;

/// Share of one character's edges that the application does not let measure (see
/// `score::Measures::unseen_character`) from which a pair is not judged *match*: the engine
/// cannot vouch for a character it does not see, and a re-carved character lost to partial
/// inking leaves a genuine-looking stamping of the others (1.12). Such a pair gets the
/// [`QualityIssue::CharacterUnseen`] issue, and so the ambiguous outcome. Chosen on the two
/// tuning sets (4,000 pairs; characters of at least 500 edge pixels): at 0.9 it leaves 2 + 2 of
/// the 1,727 genuine pairs judged *match* to a person and 1 of the 9 forgeries judged *match*
/// (a shifted character partial inking had erased); 0.8 took 5 + 8 genuine pairs for the same.
pub const UNSEEN_CHARACTER: f32 = 0.9;

/// Stroke-width change read against the registered imprint's whole outline (see
/// `score::Measures::width_change_closed`, scoring pixels) from which a pair is not judged
/// *match*: it gets the [`QualityIssue::StrokeWidthUnsettled`] issue, and so the ambiguous
/// outcome (1.15). Where partial inking broke the registered ring wider than 10 px, the outer
/// zone of the stroke-width measure reaches the characters and the score's width change reads
/// about 0 — on a quarter to a third of the comparisons of the lab sets. Read on the six
/// earlier 2,000-pair sets with 1.14 (lab, 2026-11-29): of the 5,060 genuine pairs judged
/// *match*, 3 read 1.2–2.4 px and the next 0.89 px; the 28 forgeries judged *match* — six of
/// them stroke-width or border re-carvings of seals whose ring was broken wide — read 1.23–2.24
/// px for those six and at most 0.32 px for the others. A pair whose score already judges it is
/// not touched: a width change of 1 px alone takes the score below the match threshold where the
/// ring is whole.
pub const CLOSED_WIDTH_CHANGE: f32 = 1.0;

/// Moved ink gathered in one place (see `score::Measures::moved_local`, share of the reference
/// ink) from which a pair is not judged *match*: it gets the [`QualityIssue::StrokesMoved`]
/// issue, and so the ambiguous outcome (1.16). The score counts moved ink over the whole seal;
/// a character shifted or rescaled in its cell that partial inking, blotches or text half hide
/// moves little ink, but all of it within the one character. Read on the eight 2,000-pair sets
/// of 1.15 (lab, 2026-11-30): of the 6,802 genuine pairs judged *match*, 4 read 0.008 or more
/// (0.0082–0.0106; two with blotches, one partially inked, one stroke's end drawn otherwise);
/// of the 35 forgeries judged *match*, 8 read 0.0093–0.0184 and the others at most 0.0063.
pub const MOVED_LOCAL: f32 = 0.008;

/// Offset of the application's outline (see [`crate::outline`], scoring pixels) that, held by
/// at least [`OUTLINE_SUPPORT`] of the rays, makes a pair without quality issue *no match*,
/// whatever its score: the border was re-carved while the characters were kept (1.14). Chosen
/// on six 2,000-pair sets read with 1.13 (lab, 2026-11-29): genuine pairs held by at least 0.6
/// of the rays read at most 2.5 px; the white-character seals re-carved in border and spacing
/// so read 8–10 px (one judged *match*, two ambiguous).
pub const OUTLINE_OFFSET: f32 = 3.0;

/// Share of the rays that must hold the outline's offset for [`OUTLINE_OFFSET`] to count:
/// genuine pairs with an offset of 3 px or more (partial inking took their outline on many
/// rays, which then meet a character) had at most 0.47.
pub const OUTLINE_SUPPORT: f32 = 0.6;

/// Change of the ring's width (see [`crate::outline`], scoring pixels, less the seal-wide
/// stroke thickening `score::Measures::thickness`, which ink spread gives every stroke — taken
/// once, not for both of the ring's edges: a re-carved ring's own change is part of that mean,
/// and twice it cancels a fifth of the re-carvings) that
/// makes a pair *no match* (1.19): a border re-carved wider or narrower. A pair without
/// quality issue is so judged either way; one flagged for partial inking alone when the ring
/// is narrower — a ring re-carved narrower leaves registered ink without application ink
/// beside it, which the gap measure reads as partial inking, while partial inking takes a
/// ring away on some rays but does not narrow it by one width on the rays that show it.
/// Read with [`RING_SUPPORT`] and [`RING_RAYS`]. Lab (2026-11-30, twelve 2,000-pair sets read
/// with 1.18): the 8,516 genuine pairs without issue so held read −1.5 to +1.8 px; the unclear
/// stampings at most 2.9 px narrower (up to 11 px wider, smudged); three quarters of the
/// border re-carvings (×0.45–0.65 or ×1.5–2) so held 3 px or more.
pub const RING_CHANGE: f32 = 3.0;
/// Share of the rays on which the ring's width was read that must hold its change.
pub const RING_SUPPORT: f32 = 0.6;
/// Rays on which the ring's width must be read (a quarter of the outline): a ring read on
/// fewer runs into characters or lies under text on the rest.
pub const RING_RAYS: usize = 90;

/// Evidence of a re-carved seal that no poor stamping gives.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Recarving {
    /// Local re-alignment gain (`score::Measures::local_gain`).
    pub local_gain: f32,
    /// Second largest window move of the edge displacement field
    /// (`score::Measures::local_move2`).
    pub local_move: f32,
    /// Missing reference ink where the application is inked (`score::Measures::missing`).
    pub missing: f32,
    /// Gaps with the application's ink beside them (`score::Measures::gap_moved`).
    pub displaced: f32,
    /// Rescaling of one character (`score::Measures::character_scale`).
    pub character_scale: f32,
    /// Share of the least seen character's edges left unmeasured
    /// (`score::Measures::unseen_character`).
    pub unseen: f32,
    /// The application's outline against the registered one (`score::Measures::outline`).
    pub outline: crate::outline::OutlineOffset,
    /// Seal-wide stroke thickening (`score::Measures::thickness`).
    pub thickness: f32,
}

impl Recarving {
    /// The outline moved all round (see [`OUTLINE_OFFSET`]).
    pub fn outline_moved(&self) -> bool {
        self.outline.offset.abs() >= OUTLINE_OFFSET && self.outline.support >= OUTLINE_SUPPORT
    }

    /// The ring's width change less the spread, when read (see [`RING_CHANGE`]); 0 otherwise.
    pub fn ring_change(&self) -> f32 {
        let o = &self.outline;
        if o.ring_support >= RING_SUPPORT && o.ring_rays >= RING_RAYS {
            o.ring_change - self.thickness
        } else {
            0.0
        }
    }

    /// What makes a pair without quality issue *no match* whatever its score: the outline or a
    /// character displaced beyond what the stroke measures read (gaps with the application's
    /// ink alone beside them, [`DISPLACED_GAP`]), the outline moved all round
    /// ([`OUTLINE_OFFSET`]), or the ring re-carved wider or narrower ([`RING_CHANGE`]).
    pub fn outline_changed(&self) -> bool {
        self.displaced >= DISPLACED_GAP
            || self.outline_moved()
            || self.ring_change().abs() >= RING_CHANGE
    }
}

/// The engine's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Same seal (相符).
    Match,
    /// Different seal (不符).
    NoMatch,
    /// The engine cannot judge (無法判定): a person decides.
    Ambiguous,
}

impl Outcome {
    /// Bilingual label, zh-TW first.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Match => "相符 / match",
            Outcome::NoMatch => "不符 / no match",
            Outcome::Ambiguous => "無法判定，請人工比對 / ambiguous, a clerk must judge",
        }
    }
}

/// How the application imprint was aligned on the registered one (reported with every outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlignmentMethod {
    /// Fourier–Mellin registration of the whole imprints (`align::align`).
    Spectral,
    /// The masked search on the ink a partially inked application kept
    /// (`align::align_partial`, since 1.9).
    Masked,
}

impl AlignmentMethod {
    /// Bilingual label, zh-TW first.
    pub fn label(self) -> &'static str {
        match self {
            AlignmentMethod::Spectral => "整體頻譜對位 / spectral, whole imprints",
            AlignmentMethod::Masked => {
                "依殘存印文遮罩搜尋（印文不全）/ masked search on the remaining ink (partial inking)"
            }
        }
    }
}

/// Decision thresholds on the score (`1 − dissimilarity`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Thresholds {
    /// Scores at or above are a match.
    pub match_at: f32,
    /// Scores below are no match; between the two the outcome is ambiguous.
    pub no_match_below: f32,
    /// Quality limits.
    pub quality: QualityLimits,
}

/// Match at 0.88; no match below 0.55 since 1.7 (0.45 before): with the 1.7 score no genuine
/// pair without a quality issue of the two tuning sets scores between 0.45 and 0.55, while 10
/// forgeries do.
impl Default for Thresholds {
    fn default() -> Self {
        Self {
            match_at: 0.88,
            no_match_below: 0.55,
            quality: QualityLimits::default(),
        }
    }
}

/// Everything the engine reports about one comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// Match, no match or ambiguous.
    pub outcome: Outcome,
    /// Similarity score in `[0, 1]` (1 − dissimilarity).
    pub score: f32,
    /// Thresholds used.
    pub thresholds: Thresholds,
    /// [`ALGORITHM_VERSION`].
    pub algorithm_version: &'static str,
    /// Blocks per side of `block_map`.
    pub blocks: usize,
    /// Measurements, including the row-major per-block dissimilarity map.
    pub measures: Measures,
    /// Quality issues (empty when both imprints are usable).
    pub quality_issues: Vec<QualityIssue>,
    /// Quality of the registered imprint.
    pub reference_quality: ImageQuality,
    /// Quality of the application imprint.
    pub candidate_quality: ImageQuality,
    /// How the candidate was aligned.
    pub alignment: AlignmentMethod,
    /// Rotation of the candidate relative to the reference, degrees.
    pub rotation_deg: f32,
    /// Scale of the candidate relative to the reference.
    pub scale: f32,
    /// Ghost share (double stamping), see `align::Alignment::ghost`.
    pub ghost: f32,
    /// Normalised correlation after alignment.
    pub correlation: f32,
    /// Stroke tolerance in scoring pixels.
    pub tolerance_px: f32,
}

/// A comparison with the intermediate planes (for the overlay).
#[derive(Debug, Clone)]
pub struct Detailed {
    /// The report.
    pub comparison: Comparison,
    /// Pixel classes on the scoring canvas.
    pub aligned: Aligned,
}

/// The outcome from the score, the evidence of re-carving and the quality issues (see the module
/// invariant).
pub fn decide(
    score: f32,
    evidence: Recarving,
    issues: &[QualityIssue],
    thresholds: &Thresholds,
) -> Outcome {
    if issues.is_empty() {
        return judge_on_score(score, evidence, thresholds);
    }
    // Evidence the issues cannot explain: a moved character, or strokes missing where a
    // double stamping only adds ink.
    let unexplained = evidence.local_gain >= RECARVED_LOCAL_GAIN
        || (issues == [QualityIssue::InkSpread] && evidence.local_move >= SPREAD_MOVED)
        || (issues == [QualityIssue::DoubleStamped] && evidence.missing >= DOUBLE_MISSING);
    let recarved =
        unexplained && score < RECARVED_SCORE && !issues.contains(&QualityIssue::WeakAlignment);
    // A ring narrowed all round, which partial inking does not do (1.19).
    let narrowed =
        issues == [QualityIssue::PartialInking] && evidence.ring_change() <= -RING_CHANGE;
    // A character rescaled against the others, which ink spread does not do.
    let rescaled =
        issues == [QualityIssue::InkSpread] && evidence.character_scale >= SPREAD_RESCALED;
    // Ink spread alone, with no character rescaled: the spread explains the stroke width
    // the score read, and the pair is judged as without issue where that is a match (1.18).
    let settled = issues == [QualityIssue::InkSpread]
        && evidence.character_scale < SPREAD_SETTLED
        && evidence.unseen < SPREAD_UNSEEN
        && judge_on_score(score, evidence, thresholds) == Outcome::Match;
    if recarved || rescaled || narrowed {
        Outcome::NoMatch
    } else if settled {
        Outcome::Match
    } else {
        Outcome::Ambiguous
    }
}

/// The outcome of a pair without quality issue: *no match* whatever the score when the outline
/// changed ([`Recarving::outline_changed`]), else the score against the thresholds.
fn judge_on_score(score: f32, evidence: Recarving, thresholds: &Thresholds) -> Outcome {
    if evidence.outline_changed() {
        Outcome::NoMatch
    } else if score >= thresholds.match_at {
        Outcome::Match
    } else if score < thresholds.no_match_below {
        Outcome::NoMatch
    } else {
        Outcome::Ambiguous
    }
}

/// Compares two extracted imprints.
pub fn compare_imprints(reference: &Imprint, cand: &Imprint, thresholds: &Thresholds) -> Detailed {
    let mut al: Alignment = align(reference, cand);
    let mut method = AlignmentMethod::Spectral;
    let (mut m, mut aligned) = measure(reference, cand, &al);
    // Wide gaps: partial inking, or an alignment that drifted on what little ink is left. The
    // masked search is kept when it leaves less unexplained ink on both sides (1.9).
    if m.gap_wide > thresholds.quality.max_gap
        && let Some(masked) = align_partial(reference, cand, &al)
    {
        let (m2, aligned2) = measure(reference, cand, &masked);
        if m2.extra + m2.gap_wide < m.extra + m.gap_wide {
            (al, m, aligned) = (masked, m2, aligned2);
            method = AlignmentMethod::Masked;
        }
    }
    let mut issues = assess(
        &reference.quality,
        &cand.quality,
        &al,
        &m,
        &thresholds.quality,
    );
    let score = 1.0 - m.dissimilarity;
    let evidence = Recarving {
        local_gain: m.local_gain,
        local_move: m.local_move2,
        missing: m.missing,
        displaced: m.gap_moved,
        character_scale: m.character_scale,
        unseen: m.unseen_character,
        outline: m.outline,
        thickness: m.thickness,
    };
    // A match needs every character seen (1.12), the stroke width read against the whole
    // outline (1.15) and no ink moved in one place (1.16); the issues are raised only where
    // they change a match, so a pair judged otherwise keeps its outcome.
    if decide(score, evidence, &issues, thresholds) == Outcome::Match {
        issues.extend(unsettled_match(
            m.unseen_character,
            m.width_change_closed,
            m.moved_local,
        ));
    }
    let outcome = decide(score, evidence, &issues, thresholds);
    // Relative transform reference → candidate: compare the two normalisations.
    let rel = al.ref_to_canvas.inverse().compose(&al.cand_to_canvas);
    let comparison = Comparison {
        outcome,
        score,
        thresholds: *thresholds,
        algorithm_version: ALGORITHM_VERSION,
        blocks: BLOCKS,
        measures: m,
        quality_issues: issues,
        reference_quality: reference.quality,
        candidate_quality: cand.quality,
        alignment: method,
        rotation_deg: -rel.angle().to_degrees(),
        scale: 1.0 / rel.scale().max(1e-6),
        ghost: al.ghost,
        correlation: al.correlation,
        tolerance_px: TOLERANCE,
    };
    Detailed {
        comparison,
        aligned,
    }
}

/// Compares two decoded scans.
pub fn compare(
    reference: &Scan,
    cand: &Scan,
    thresholds: &Thresholds,
) -> Result<Detailed, SealError> {
    let r = extract(reference)?;
    let c = extract(cand)?;
    Ok(compare_imprints(&r, &c, thresholds))
}

/// Decodes and compares two encoded scans (PNG, JPEG or TIFF).
pub fn compare_bytes(
    reference: &[u8],
    cand: &[u8],
    thresholds: &Thresholds,
) -> Result<Detailed, SealError> {
    let limits = IntakeLimits::default();
    compare(
        &decode(reference, &limits)?,
        &decode(cand, &limits)?,
        thresholds,
    )
}

/// What keeps a pair that would be judged *match* from that outcome, if anything: a character
/// the application does not show (`unseen`, [`UNSEEN_CHARACTER`], 1.12), a stroke width changed
/// against the whole outline (`width_change_closed`, [`CLOSED_WIDTH_CHANGE`], 1.15), ink moved
/// in one place (`moved_local`, [`MOVED_LOCAL`], 1.16). One issue is reported, the first of
/// these that holds.
fn unsettled_match(
    unseen: f32,
    width_change_closed: f32,
    moved_local: f32,
) -> Option<QualityIssue> {
    if unseen >= UNSEEN_CHARACTER {
        Some(QualityIssue::CharacterUnseen)
    } else if width_change_closed.abs() >= CLOSED_WIDTH_CHANGE {
        Some(QualityIssue::StrokeWidthUnsettled)
    } else if moved_local >= MOVED_LOCAL {
        Some(QualityIssue::StrokesMoved)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_issues_make_the_outcome_ambiguous_unless_re_carving_is_evident() {
        let th = Thresholds::default();
        let none = Recarving::default();
        let gain = |g| Recarving {
            local_gain: g,
            ..Recarving::default()
        };
        assert_eq!(decide(0.95, none, &[], &th), Outcome::Match);
        assert_eq!(decide(0.6, none, &[], &th), Outcome::Ambiguous);
        assert_eq!(decide(0.1, none, &[], &th), Outcome::NoMatch);
        let smudged = [QualityIssue::Smudged];
        // A quality issue never lets a match through, whatever the score.
        assert_eq!(decide(0.99, none, &smudged, &th), Outcome::Ambiguous);
        assert_eq!(decide(0.99, gain(0.95), &smudged, &th), Outcome::Ambiguous);
        // A low score alone on a poor stamping stays ambiguous (poor ink lowers the score).
        assert_eq!(decide(0.01, gain(0.5), &smudged, &th), Outcome::Ambiguous);
        // A character moved against the others is no match even on a poor stamping...
        assert_eq!(decide(0.01, gain(0.9), &smudged, &th), Outcome::NoMatch);
        // ...unless the alignment itself is weak.
        let weak = [QualityIssue::Smudged, QualityIssue::WeakAlignment];
        assert_eq!(decide(0.01, gain(0.9), &weak, &th), Outcome::Ambiguous);
    }

    #[test]
    fn a_match_needs_every_character_seen_the_width_settled_and_no_ink_moved_in_one_place() {
        assert_eq!(unsettled_match(0.3, 0.2, 0.002), None);
        assert_eq!(
            unsettled_match(0.95, 0.2, 0.002),
            Some(QualityIssue::CharacterUnseen)
        );
        assert_eq!(
            unsettled_match(0.3, -1.2, 0.002),
            Some(QualityIssue::StrokeWidthUnsettled)
        );
        assert_eq!(
            unsettled_match(0.3, 0.2, MOVED_LOCAL),
            Some(QualityIssue::StrokesMoved)
        );
        // One issue, the first that holds.
        assert_eq!(
            unsettled_match(0.95, 1.5, 0.02),
            Some(QualityIssue::CharacterUnseen)
        );
    }

    #[test]
    fn an_outline_moved_all_round_is_no_match_but_not_on_a_poor_stamping() {
        let th = Thresholds::default();
        let outline = |offset, support| Recarving {
            outline: crate::outline::OutlineOffset {
                offset,
                support,
                rays: 360,
                ..Default::default()
            },
            ..Recarving::default()
        };
        assert_eq!(
            decide(0.99, outline(-10.0, 0.9), &[], &th),
            Outcome::NoMatch
        );
        assert_eq!(decide(0.7, outline(8.0, 0.6), &[], &th), Outcome::NoMatch);
        // Ink spread moves the outline by a pixel or two; partial inking lowers the support.
        assert_eq!(decide(0.99, outline(2.5, 0.95), &[], &th), Outcome::Match);
        assert_eq!(decide(0.99, outline(-10.0, 0.47), &[], &th), Outcome::Match);
        assert_eq!(
            decide(0.99, outline(-10.0, 0.9), &[QualityIssue::Smudged], &th),
            Outcome::Ambiguous
        );
    }

    #[test]
    fn a_displaced_outline_is_no_match_whatever_the_score_but_not_on_a_poor_stamping() {
        let th = Thresholds::default();
        let displaced = Recarving {
            displaced: 0.2,
            ..Recarving::default()
        };
        assert_eq!(decide(0.99, displaced, &[], &th), Outcome::NoMatch);
        assert_eq!(decide(0.7, displaced, &[], &th), Outcome::NoMatch);
        let little = Recarving {
            displaced: 0.05,
            ..Recarving::default()
        };
        assert_eq!(decide(0.99, little, &[], &th), Outcome::Match);
        // Partial inking leaves gaps too; with a quality issue the clerk judges.
        assert_eq!(
            decide(0.99, displaced, &[QualityIssue::PartialInking], &th),
            Outcome::Ambiguous
        );
    }

    #[test]
    fn a_moved_character_settles_an_ink_spread_stamping_only() {
        let th = Thresholds::default();
        let moved = Recarving {
            local_gain: 0.1,
            local_move: 2.0,
            ..Recarving::default()
        };
        let spread = [QualityIssue::InkSpread];
        assert_eq!(decide(0.01, moved, &spread, &th), Outcome::NoMatch);
        // Not when the score does not say so, nor for the other issues (a double stamping or a
        // smudge moves ink too).
        assert_eq!(decide(0.5, moved, &spread, &th), Outcome::Ambiguous);
        assert_eq!(
            decide(0.01, moved, &[QualityIssue::DoubleStamped], &th),
            Outcome::Ambiguous
        );
        assert_eq!(
            decide(
                0.01,
                moved,
                &[QualityIssue::InkSpread, QualityIssue::PartialInking],
                &th
            ),
            Outcome::Ambiguous
        );
        let small = Recarving {
            local_gain: 0.1,
            local_move: 0.5,
            ..Recarving::default()
        };
        assert_eq!(decide(0.01, small, &spread, &th), Outcome::Ambiguous);
    }

    #[test]
    fn a_rescaled_character_settles_an_ink_spread_stamping_only() {
        let th = Thresholds::default();
        let rescaled = Recarving {
            character_scale: 0.8,
            ..Recarving::default()
        };
        let spread = [QualityIssue::InkSpread];
        // Whatever the score: ink spread does not rescale one character against the others.
        assert_eq!(decide(0.95, rescaled, &spread, &th), Outcome::NoMatch);
        assert_eq!(decide(0.01, rescaled, &spread, &th), Outcome::NoMatch);
        // Not below the limit, nor with another issue beside or instead of the spread.
        let slight = Recarving {
            character_scale: 0.3,
            ..Recarving::default()
        };
        assert_eq!(decide(0.95, slight, &spread, &th), Outcome::Ambiguous);
        for other in [
            &[QualityIssue::InkSpread, QualityIssue::PartialInking][..],
            &[QualityIssue::Smudged][..],
            &[QualityIssue::DoubleStamped][..],
        ] {
            assert_eq!(decide(0.95, rescaled, other, &th), Outcome::Ambiguous);
        }
        // Without a quality issue the score decides (character_scale is in it).
        assert_eq!(decide(0.95, rescaled, &[], &th), Outcome::Match);
    }

    #[test]
    fn ink_spread_alone_with_no_character_rescaled_is_judged_on_its_score() {
        let th = Thresholds::default();
        let spread = [QualityIssue::InkSpread];
        let none = Recarving::default();
        assert_eq!(decide(0.95, none, &spread, &th), Outcome::Match);
        // Below the match threshold the clerk still judges a spread stamping.
        assert_eq!(decide(0.80, none, &spread, &th), Outcome::Ambiguous);
        // A character read rescaled, even slightly, keeps it with the clerk.
        let slight = Recarving {
            character_scale: SPREAD_SETTLED,
            ..Recarving::default()
        };
        assert_eq!(decide(0.95, slight, &spread, &th), Outcome::Ambiguous);
        // So does a character the fit sees less than half of.
        let hidden = Recarving {
            unseen: SPREAD_UNSEEN,
            ..Recarving::default()
        };
        assert_eq!(decide(0.95, hidden, &spread, &th), Outcome::Ambiguous);
        // So does a displaced outline or a re-carved ring, or any other issue beside or instead
        // of the spread.
        let displaced = Recarving {
            displaced: DISPLACED_GAP,
            ..Recarving::default()
        };
        assert_eq!(decide(0.95, displaced, &spread, &th), Outcome::Ambiguous);
        let recut = ring(-RING_CHANGE, 0.9, 200, 0.0);
        assert_eq!(decide(0.95, recut, &spread, &th), Outcome::Ambiguous);
        for other in [
            &[QualityIssue::InkSpread, QualityIssue::StrokesMoved][..],
            &[QualityIssue::InkSpread, QualityIssue::PartialInking][..],
            &[QualityIssue::Blurred][..],
        ] {
            assert_eq!(decide(0.95, none, other, &th), Outcome::Ambiguous);
        }
    }

    /// Evidence with only a ring reading: its change, support and rays, and the seal-wide
    /// thickening.
    fn ring(change: f32, support: f32, rays: usize, thickness: f32) -> Recarving {
        Recarving {
            outline: crate::outline::OutlineOffset {
                ring_change: change,
                ring_support: support,
                ring_rays: rays,
                ..Default::default()
            },
            thickness,
            ..Recarving::default()
        }
    }

    #[test]
    fn a_ring_re_carved_all_round_is_no_match_and_partial_inking_does_not_excuse_a_narrower_one() {
        let th = Thresholds::default();
        let partial = [QualityIssue::PartialInking];
        assert_eq!(
            decide(0.99, ring(4.0, 0.9, 200, 0.0), &[], &th),
            Outcome::NoMatch
        );
        assert_eq!(
            decide(0.99, ring(-4.0, 0.9, 200, 0.0), &[], &th),
            Outcome::NoMatch
        );
        assert_eq!(
            decide(0.99, ring(-4.0, 0.9, 200, 0.0), &partial, &th),
            Outcome::NoMatch
        );
        // Partial inking or a second stamping may widen what is read as the ring.
        assert_eq!(
            decide(0.99, ring(4.0, 0.9, 200, 0.0), &partial, &th),
            Outcome::Ambiguous
        );
        assert_eq!(
            decide(
                0.99,
                ring(-4.0, 0.9, 200, 0.0),
                &[QualityIssue::PartialInking, QualityIssue::Smudged],
                &th
            ),
            Outcome::Ambiguous
        );
        // Ink spread narrows every stroke alike: the seal-wide thinning is taken off.
        assert_eq!(
            decide(0.99, ring(-4.0, 0.9, 200, -1.5), &[], &th),
            Outcome::Match
        );
        // Read on too few rays, or not held by most of them: not read.
        assert_eq!(
            decide(0.99, ring(-4.0, 0.9, 60, 0.0), &[], &th),
            Outcome::Match
        );
        assert_eq!(
            decide(0.99, ring(-4.0, 0.5, 200, 0.0), &[], &th),
            Outcome::Match
        );
    }

    #[test]
    fn missing_ink_settles_a_double_stamping_only() {
        let th = Thresholds::default();
        let lost = Recarving {
            missing: 0.08,
            ..Recarving::default()
        };
        let double = [QualityIssue::DoubleStamped];
        // A second stamping adds ink; strokes missing where the application is inked are a
        // re-carving.
        assert_eq!(decide(0.01, lost, &double, &th), Outcome::NoMatch);
        // Not when the score does not say so, when little ink is missing, nor for partial
        // inking or a smudge on top (either can take ink away).
        assert_eq!(decide(0.3, lost, &double, &th), Outcome::Ambiguous);
        let little = Recarving {
            missing: 0.03,
            ..Recarving::default()
        };
        assert_eq!(decide(0.01, little, &double, &th), Outcome::Ambiguous);
        for other in [QualityIssue::PartialInking, QualityIssue::Smudged] {
            assert_eq!(
                decide(0.01, lost, &[QualityIssue::DoubleStamped, other], &th),
                Outcome::Ambiguous
            );
            assert_eq!(decide(0.01, lost, &[other], &th), Outcome::Ambiguous);
        }
    }
}
