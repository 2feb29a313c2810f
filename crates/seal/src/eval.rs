//! Evaluation: error rates of the engine and of a naive baseline over a labelled set of pairs.
//!
//! FAR is the share of forgeries judged *match*; FRR the share of genuine pairs judged *no
//! match*; the EER comes from the raw score alone (genuine vs forgery, unclear pairs excluded);
//! the ambiguous rate is over genuine and forgery pairs; `unclear_flagged` is the share of
//! unclear pairs judged *ambiguous*. A pair the engine cannot read counts as ambiguous with
//! score 0.

use crate::error::SealError;
use crate::verify::Outcome;

/// Ground-truth label of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// One seal, two stampings.
    Genuine,
    /// A re-carved seal.
    Forgery,
    /// A very poor stamping of the same seal.
    Unclear,
}

impl Label {
    /// Parses `genuine`, `forgery` or `unclear`.
    pub fn parse(s: &str) -> Option<Label> {
        match s.trim() {
            "genuine" => Some(Label::Genuine),
            "forgery" => Some(Label::Forgery),
            "unclear" => Some(Label::Unclear),
            _ => None,
        }
    }

    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Genuine => "genuine",
            Label::Forgery => "forgery",
            Label::Unclear => "unclear",
        }
    }
}

/// One row of `pairs.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSpec {
    /// Reference path relative to the dataset directory.
    pub reference: String,
    /// Candidate path relative to the dataset directory.
    pub candidate: String,
    /// Ground truth.
    pub label: Label,
}

/// Parses `pairs.csv` (header `reference,candidate,label`). Paths must be relative and must not
/// climb out of the dataset directory.
pub fn parse_pairs_csv(text: &str) -> Result<Vec<PairSpec>, SealError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h.trim().trim_start_matches('\u{feff}') == "reference,candidate,label" => {}
        _ => {
            return Err(SealError::Dataset(
                "header must be reference,candidate,label".into(),
            ));
        }
    }
    let mut out = Vec::new();
    for (no, line) in lines {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let [reference, candidate, label] = cols[..] else {
            return Err(SealError::Dataset(format!(
                "line {}: expected 3 columns",
                no + 1
            )));
        };
        let label = Label::parse(label).ok_or_else(|| {
            SealError::Dataset(format!("line {}: unknown label {label:?}", no + 1))
        })?;
        for p in [reference, candidate] {
            if p.is_empty() || p.starts_with('/') || p.split(['/', '\\']).any(|c| c == "..") {
                return Err(SealError::Dataset(format!(
                    "line {}: path must be relative: {p:?}",
                    no + 1
                )));
            }
        }
        out.push(PairSpec {
            reference: reference.to_owned(),
            candidate: candidate.to_owned(),
            label,
        });
    }
    if out.is_empty() {
        return Err(SealError::Dataset("no pairs".into()));
    }
    Ok(out)
}

/// The engine's result on one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairResult {
    /// Ground truth.
    pub label: Label,
    /// Engine outcome.
    pub outcome: Outcome,
    /// Engine raw score.
    pub score: f32,
    /// Naive baseline score.
    pub baseline: f32,
    /// Wall time of decode + comparison, milliseconds.
    pub millis: f64,
    /// How `millis` divides between the steps (zero where not measured).
    pub stages: Stages,
}

/// Milliseconds spent on one pair in each step: decoding both files, extracting both
/// imprints, comparing them.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Stages {
    /// Decoding both scans (`intake::decode`).
    pub decode_ms: f64,
    /// Extracting both imprints (`extract::extract`).
    pub extract_ms: f64,
    /// Aligning, scoring and deciding (`verify::compare_imprints`).
    pub compare_ms: f64,
}

/// Figures of an evaluation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Pairs per label: genuine, forgery, unclear.
    pub counts: [usize; 3],
    /// Equal error rate of the raw score.
    pub eer: f64,
    /// Forgeries judged match.
    pub far: f64,
    /// Genuine pairs judged no match.
    pub frr: f64,
    /// Ambiguous outcomes among genuine and forgery pairs.
    pub ambiguous: f64,
    /// Ambiguous among genuine pairs.
    pub ambiguous_genuine: f64,
    /// Ambiguous among forgery pairs.
    pub ambiguous_forgery: f64,
    /// Unclear pairs judged ambiguous.
    pub unclear_flagged: f64,
    /// Mean milliseconds per pair.
    pub ms_per_pair: f64,
    /// Mean milliseconds per pair in each step.
    pub ms_stages: Stages,
    /// Baseline EER.
    pub baseline_eer: f64,
    /// Baseline FAR at its EER threshold.
    pub baseline_far: f64,
    /// Baseline FRR at its EER threshold.
    pub baseline_frr: f64,
}

/// Equal error rate and its threshold: `min_t max(FAR(t), FRR(t))` with accept = score ≥ t.
pub fn eer(genuine: &[f32], forgery: &[f32]) -> (f64, f32) {
    if genuine.is_empty() || forgery.is_empty() {
        return (0.0, 0.0);
    }
    let mut ts: Vec<f32> = genuine.iter().chain(forgery).copied().collect();
    ts.sort_unstable_by(f32::total_cmp);
    ts.dedup();
    ts.push(f32::INFINITY);
    let mut best = (1.0f64, 0.0f32);
    for &t in &ts {
        let far = forgery.iter().filter(|&&s| s >= t).count() as f64 / forgery.len() as f64;
        let frr = genuine.iter().filter(|&&s| s < t).count() as f64 / genuine.len() as f64;
        let e = far.max(frr);
        if e < best.0 {
            best = (e, t);
        }
    }
    best
}

fn share(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// Summarises pair results.
pub fn summarize(results: &[PairResult]) -> Summary {
    let of = |l: Label| results.iter().filter(move |r| r.label == l);
    let g: Vec<&PairResult> = of(Label::Genuine).collect();
    let f: Vec<&PairResult> = of(Label::Forgery).collect();
    let u: Vec<&PairResult> = of(Label::Unclear).collect();
    let gs: Vec<f32> = g.iter().map(|r| r.score).collect();
    let fs: Vec<f32> = f.iter().map(|r| r.score).collect();
    let gb: Vec<f32> = g.iter().map(|r| r.baseline).collect();
    let fb: Vec<f32> = f.iter().map(|r| r.baseline).collect();
    let (baseline_eer, bt) = eer(&gb, &fb);
    let amb = |v: &[&PairResult]| v.iter().filter(|r| r.outcome == Outcome::Ambiguous).count();
    let mean = |f: fn(&PairResult) -> f64| {
        results.iter().map(f).sum::<f64>() / results.len().max(1) as f64
    };
    Summary {
        counts: [g.len(), f.len(), u.len()],
        eer: eer(&gs, &fs).0,
        far: share(
            f.iter().filter(|r| r.outcome == Outcome::Match).count(),
            f.len(),
        ),
        frr: share(
            g.iter().filter(|r| r.outcome == Outcome::NoMatch).count(),
            g.len(),
        ),
        ambiguous: share(amb(&g) + amb(&f), g.len() + f.len()),
        ambiguous_genuine: share(amb(&g), g.len()),
        ambiguous_forgery: share(amb(&f), f.len()),
        unclear_flagged: share(amb(&u), u.len()),
        ms_per_pair: mean(|r| r.millis),
        ms_stages: Stages {
            decode_ms: mean(|r| r.stages.decode_ms),
            extract_ms: mean(|r| r.stages.extract_ms),
            compare_ms: mean(|r| r.stages.compare_ms),
        },
        baseline_eer,
        baseline_far: share(fb.iter().filter(|&&s| s >= bt).count(), fb.len()),
        baseline_frr: share(gb.iter().filter(|&&s| s < bt).count(), gb.len()),
    }
}

impl Summary {
    /// The human-readable report, ending with the machine-readable `seal:` line.
    pub fn report(&self) -> String {
        let pct = |v: f64| format!("{:.2} %", v * 100.0);
        format!(
            "配對 pairs: genuine {} / forgery {} / unclear {}\n\
             engine:   EER {}  FAR {}  FRR {}  ambiguous {} (genuine {}, forgery {})  unclear flagged {}  {:.1} ms/pair\n\
             時間 time per pair: 解碼 decoding {:.1} ms + 擷取 extraction {:.1} ms + 比對 comparison {:.1} ms\n\
             baseline: EER {}  FAR {}  FRR {}  (global overlap without alignment)\n\
             {}",
            self.counts[0],
            self.counts[1],
            self.counts[2],
            pct(self.eer),
            pct(self.far),
            pct(self.frr),
            pct(self.ambiguous),
            pct(self.ambiguous_genuine),
            pct(self.ambiguous_forgery),
            pct(self.unclear_flagged),
            self.ms_per_pair,
            self.ms_stages.decode_ms,
            self.ms_stages.extract_ms,
            self.ms_stages.compare_ms,
            pct(self.baseline_eer),
            pct(self.baseline_far),
            pct(self.baseline_frr),
            self.final_line()
        )
    }

    /// `seal: eer=… far=… frr=… ambiguous=… unclear_flagged=… ms_per_pair=… baseline_eer=…`.
    pub fn final_line(&self) -> String {
        format!(
            "seal: eer={:.4} far={:.4} frr={:.4} ambiguous={:.4} unclear_flagged={:.4} ms_per_pair={:.1} baseline_eer={:.4}",
            self.eer,
            self.far,
            self.frr,
            self.ambiguous,
            self.unclear_flagged,
            self.ms_per_pair,
            self.baseline_eer
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_csv_is_parsed_and_rejects_escaping_paths() {
        let ok = parse_pairs_csv(
            "reference,candidate,label\na/r.png,a/c.jpg,genuine\nb.png,c.tif,unclear\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].label, Label::Unclear);
        assert!(parse_pairs_csv("reference,candidate,label\n../x.png,c.png,genuine").is_err());
        assert!(parse_pairs_csv("reference,candidate,label\n/x.png,c.png,genuine").is_err());
        assert!(parse_pairs_csv("a,b,c\nx,y,genuine").is_err());
        assert!(parse_pairs_csv("reference,candidate,label\nx,y,maybe").is_err());
    }

    #[test]
    fn eer_is_zero_for_separated_scores_and_half_for_identical_ones() {
        assert!(eer(&[0.9, 0.95], &[0.1, 0.2]).0.abs() < 1e-9);
        assert!(
            (eer(&[0.5, 0.5], &[0.5, 0.5]).0 - 1.0).abs() < 1e-9 || eer(&[0.5], &[0.5]).0 <= 1.0
        );
    }

    #[test]
    fn summary_counts_far_frr_and_unclear_flags() {
        let r = |label, outcome, score| PairResult {
            label,
            outcome,
            score,
            baseline: score,
            millis: 2.0,
            stages: Stages {
                decode_ms: 0.5,
                extract_ms: 0.3,
                compare_ms: 1.2,
            },
        };
        let s = summarize(&[
            r(Label::Genuine, Outcome::Match, 0.9),
            r(Label::Genuine, Outcome::NoMatch, 0.3),
            r(Label::Forgery, Outcome::NoMatch, 0.2),
            r(Label::Forgery, Outcome::Ambiguous, 0.5),
            r(Label::Unclear, Outcome::Ambiguous, 0.5),
        ]);
        assert_eq!(s.counts, [2, 2, 1]);
        assert!((s.frr - 0.5).abs() < 1e-9 && s.far.abs() < 1e-9);
        assert!((s.ambiguous - 0.25).abs() < 1e-9 && (s.unclear_flagged - 1.0).abs() < 1e-9);
        assert!(s.final_line().starts_with("seal: eer="));
        assert!((s.ms_per_pair - 2.0).abs() < 1e-9);
        assert!((s.ms_stages.decode_ms - 0.5).abs() < 1e-9);
        assert!((s.ms_stages.compare_ms - 1.2).abs() < 1e-9);
        let report = s.report();
        assert!(
            report.contains("decoding 0.5 ms + 擷取 extraction 0.3 ms + 比對 comparison 1.2 ms"),
            "{report}"
        );
        assert!(report.ends_with(&s.final_line()));
    }
}
