//! Quality assessment of both imprints of a comparison: ink coverage, blur, smudge, double
//! stamping, occlusion. Any issue makes the outcome *ambiguous*: the engine says it cannot
//! judge rather than guess (印模不清 … 自動驗印效果不佳, T4).

use crate::align::Alignment;
use crate::extract::ImageQuality;
use crate::score::Measures;

/// A reason why an imprint cannot be judged reliably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityIssue {
    /// Too little ink: a large part of the registered imprint is absent from the application.
    PartialInking,
    /// Ink is pale (little pressure or dry ink).
    FaintInk,
    /// Edges are blurred (pressure smear or an out-of-focus scan).
    Blurred,
    /// Ink far from any registered stroke (smudge or pressure blotch).
    Smudged,
    /// The seal was stamped twice, slightly offset.
    DoubleStamped,
    /// Text or pen strokes hide too much of the imprint.
    Occluded,
    /// The alignment is weak: the imprints barely correlate.
    WeakAlignment,
}

impl QualityIssue {
    /// Bilingual label, zh-TW first.
    pub fn label(self) -> &'static str {
        match self {
            QualityIssue::PartialInking => "印文不全 / partial inking",
            QualityIssue::FaintInk => "印泥過淡 / faint ink",
            QualityIssue::Blurred => "印文模糊 / blurred",
            QualityIssue::Smudged => "印泥暈染 / smudged",
            QualityIssue::DoubleStamped => "重複蓋印 / double stamped",
            QualityIssue::Occluded => "文字或筆跡遮蓋 / occluded by text or pen",
            QualityIssue::WeakAlignment => "無法對位 / cannot align",
        }
    }
}

/// Limits of the quality assessment.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QualityLimits {
    /// Least share of the reference ink that must be present in the candidate.
    pub min_coverage: f32,
    /// Least ink strength (R − max(G, B)).
    pub min_strength: f32,
    /// Largest edge width (‰ of seal size).
    pub max_edge_width: f32,
    /// Largest share of candidate ink far from any reference stroke.
    pub max_far_extra: f32,
    /// Largest relative height of a second translation peak.
    pub max_secondary_peak: f32,
    /// Largest occluded share of either outline.
    pub max_occluded: f32,
    /// Least normalised correlation after alignment.
    pub min_correlation: f32,
}

impl Default for QualityLimits {
    fn default() -> Self {
        Self {
            min_coverage: 0.6,
            min_strength: 0.12,
            max_edge_width: 18.0,
            max_far_extra: 0.12,
            max_secondary_peak: 0.6,
            max_occluded: 0.35,
            min_correlation: 0.15,
        }
    }
}

/// Assesses a comparison; returns every issue found (empty when both imprints are usable).
pub fn assess(
    reference: &ImageQuality,
    cand: &ImageQuality,
    al: &Alignment,
    m: &Measures,
    limits: &QualityLimits,
) -> Vec<QualityIssue> {
    let mut issues = Vec::new();
    if m.coverage < limits.min_coverage {
        issues.push(QualityIssue::PartialInking);
    }
    if reference.ink_strength.min(cand.ink_strength) < limits.min_strength {
        issues.push(QualityIssue::FaintInk);
    }
    if reference.edge_width.max(cand.edge_width) > limits.max_edge_width {
        issues.push(QualityIssue::Blurred);
    }
    if m.far_extra > limits.max_far_extra {
        issues.push(QualityIssue::Smudged);
    }
    if al.secondary_peak > limits.max_secondary_peak {
        issues.push(QualityIssue::DoubleStamped);
    }
    if reference.occluded.max(cand.occluded) > limits.max_occluded {
        issues.push(QualityIssue::Occluded);
    }
    if al.correlation < limits.min_correlation {
        issues.push(QualityIssue::WeakAlignment);
    }
    issues
}
