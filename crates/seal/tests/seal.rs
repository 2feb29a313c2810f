//! End-to-end tests of the seal engine on small generated datasets (T4 自動驗印).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use custos_seal::dataset::{Face, GenConfig, GeneratedPair, TUNE_FONTS, generate_pair};
use custos_seal::eval::{Label, PairResult, Stages, summarize};
use custos_seal::extract::{Imprint, extract};
use custos_seal::intake::{IntakeLimits, decode};
use custos_seal::score::naive_baseline;
use custos_seal::verify::{AlignmentMethod, Outcome, Thresholds, compare_bytes, compare_imprints};

fn config(seed: u64) -> GenConfig {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/");
    let f = TUNE_FONTS[0];
    let face = Face::parse(
        f.name,
        std::fs::read(format!("{dir}{}", f.file)).unwrap(),
        f.index,
    )
    .unwrap();
    let f2 = TUNE_FONTS[1];
    let face2 = Face::parse(
        f2.name,
        std::fs::read(format!("{dir}{}", f2.file)).unwrap(),
        f2.index,
    )
    .unwrap();
    GenConfig {
        seed,
        faces: vec![face, face2],
        alternative_faces: Vec::new(),
        dpi: Some(200.0),
    }
}

#[test]
fn the_generator_is_deterministic_from_its_seed() {
    let cfg = config(11);
    let a = generate_pair(&cfg, 3).unwrap();
    let b = generate_pair(&cfg, 3).unwrap();
    assert_eq!(a.reference, b.reference);
    assert_eq!(a.candidate, b.candidate);
    assert_eq!(a.label, b.label);
    let other = generate_pair(&config(12), 3).unwrap();
    assert_ne!(a.candidate.1, other.candidate.1);
}

#[test]
fn genuine_pairs_score_higher_than_forgeries_and_beat_the_naive_baseline() {
    let cfg = config(5);
    let th = Thresholds::default();
    let limits = IntakeLimits::default();
    let mut results = Vec::new();
    for i in 0..14 {
        let p = generate_pair(&cfg, i).unwrap();
        let r = extract(&decode(&p.reference.1, &limits).unwrap()).unwrap();
        // A very poor (unclear) stamping may hold no readable seal at all: that is an error,
        // which the evaluation counts as ambiguous.
        let Ok(c) = extract(&decode(&p.candidate.1, &limits).unwrap()) else {
            assert_eq!(p.label, Label::Unclear);
            continue;
        };
        let d = compare_imprints(&r, &c, &th);
        let cmp = &d.comparison;
        assert_eq!(cmp.measures.block_map.len(), cmp.blocks * cmp.blocks);
        assert!((0.0..=1.0).contains(&cmp.score));
        results.push(PairResult {
            label: p.label,
            outcome: cmp.outcome,
            score: cmp.score,
            baseline: naive_baseline(&r, &c),
            millis: 0.0,
            stages: Stages::default(),
        });
    }
    let mean = |l: Label| {
        let v: Vec<f32> = results
            .iter()
            .filter(|r| r.label == l)
            .map(|r| r.score)
            .collect();
        v.iter().sum::<f32>() / v.len().max(1) as f32
    };
    assert!(
        mean(Label::Genuine) > mean(Label::Forgery) + 0.1,
        "{} vs {}",
        mean(Label::Genuine),
        mean(Label::Forgery)
    );
    let s = summarize(&results);
    println!("{}", s.report());
    assert!(
        s.eer < s.baseline_eer,
        "engine {} vs baseline {}",
        s.eer,
        s.baseline_eer
    );
    assert!(s.final_line().starts_with("seal: eer="));
}

#[test]
fn a_comparison_reports_outcome_thresholds_version_and_an_overlay() {
    let cfg = config(5);
    let p = (0..24)
        .map(|i| generate_pair(&cfg, i).unwrap())
        .find(|p| p.label == Label::Genuine)
        .unwrap();
    let d = compare_bytes(&p.reference.1, &p.candidate.1, &Thresholds::default()).unwrap();
    let json = serde_json::to_value(&d.comparison).unwrap();
    for key in [
        "outcome",
        "score",
        "thresholds",
        "algorithm_version",
        "measures",
        "quality_issues",
        "alignment",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert!(json["measures"]["block_map"].is_array());
    assert_eq!(json["alignment"], "spectral");
    assert_ne!(
        d.comparison.outcome,
        Outcome::NoMatch,
        "a genuine stamping must not be rejected: {:?}",
        d.comparison
    );
    let png =
        custos_seal::overlay::render_png(&d.aligned, &d.comparison.measures.block_map).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(img.width(), 2 * custos_seal::score::SCORE_N as u32);
    // Both colours of the overlay are present: red (registered) or violet overlap, and blue.
    assert!(img.pixels().any(|p| p.0 == [110, 30, 120]));
}

#[test]
fn an_image_without_a_seal_is_a_clear_error() {
    let img = image::RgbImage::from_pixel(300, 300, image::Rgb([250, 250, 245]));
    let mut c = std::io::Cursor::new(Vec::new());
    img.write_to(&mut c, image::ImageFormat::Png).unwrap();
    let bytes = c.into_inner();
    let e = compare_bytes(&bytes, &bytes, &Thresholds::default()).unwrap_err();
    assert!(e.to_string().contains("no red seal imprint"));
}

/// Difference pixels (extra: yellow, missing: green) of a decoded overlay, as `(x, y)` on the
/// scoring canvas.
fn difference_pixels(img: &image::RgbImage) -> Vec<(u32, u32)> {
    img.enumerate_pixels()
        .filter(|(x, y, p)| {
            x % 2 == 0 && y % 2 == 0 && (p.0 == [255, 200, 0] || p.0 == [0, 200, 80])
        })
        .map(|(x, y, _)| (x / 2, y / 2))
        .collect()
}

/// What `custos seal compare REF CAND --overlay OUT.png` does (`compare_bytes`, then
/// `overlay::render_png`), on generator output of the tuning set (seed 1, 300–600 dpi): the
/// genuine pair 0 is a match, the forged pair 12 (one character re-carved shifted) no match, and
/// the forgery's overlay PNG decodes and shows its differences inside the outlined blocks.
#[test]
fn compare_on_generated_pairs_gives_match_and_no_match_with_an_overlay_of_the_difference() {
    let mut cfg = config(1);
    cfg.dpi = None;
    let th = Thresholds::default();
    let genuine = generate_pair(&cfg, 0).unwrap();
    let forged = generate_pair(&cfg, 12).unwrap();
    assert_eq!(genuine.label, Label::Genuine);
    assert_eq!(forged.label, Label::Forgery);
    assert!(forged.note.contains("shifted character"), "{}", forged.note);

    let g = compare_bytes(&genuine.reference.1, &genuine.candidate.1, &th).unwrap();
    assert_eq!(g.comparison.outcome, Outcome::Match, "{:?}", g.comparison);
    let f = compare_bytes(&forged.reference.1, &forged.candidate.1, &th).unwrap();
    assert_eq!(f.comparison.outcome, Outcome::NoMatch, "{:?}", f.comparison);
    assert!(f.comparison.quality_issues.is_empty());

    let decode_overlay = |d: &custos_seal::verify::Detailed| {
        let png =
            custos_seal::overlay::render_png(&d.aligned, &d.comparison.measures.block_map).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8()
    };
    let g_img = decode_overlay(&g);
    let f_img = decode_overlay(&f);
    let (g_diff, f_diff) = (difference_pixels(&g_img), difference_pixels(&f_img));
    assert!(
        f_diff.len() > 2 * g_diff.len(),
        "forgery {} vs genuine {} difference pixels",
        f_diff.len(),
        g_diff.len()
    );
    // The forgery's differences are local: most lie in the few blocks outlined as dissimilar.
    let (gx, gy, side) = f.aligned.grid;
    let outlined: Vec<usize> = f
        .comparison
        .measures
        .block_map
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_some_and(|d| d >= 0.25))
        .map(|(k, _)| k)
        .collect();
    let inked = f.comparison.measures.block_map.iter().flatten().count();
    assert!(
        !outlined.is_empty() && outlined.len() * 3 <= inked,
        "{outlined:?} of {inked}"
    );
    let inside = f_diff
        .iter()
        .filter(|(x, y)| {
            let bx = ((*x as f32 - gx) / side).floor();
            let by = ((*y as f32 - gy) / side).floor();
            (0.0..8.0).contains(&bx)
                && (0.0..8.0).contains(&by)
                && outlined.contains(&(by as usize * 8 + bx as usize))
        })
        .count();
    assert!(
        inside * 2 >= f_diff.len(),
        "{inside} of {} difference pixels in the outlined blocks",
        f_diff.len()
    );
    // The outline itself (orange) is drawn on the forgery's overlay only.
    assert!(f_img.pixels().any(|p| p.0 == [250, 120, 0]));
    assert!(!g_img.pixels().any(|p| p.0 == [250, 120, 0]));
}

/// Pair `index` of the first tuning set (seed 1, at the resolution the generator drew), with
/// both imprints extracted — the pairs the lab names.
fn tuning_pair(index: u64) -> (GeneratedPair, Imprint, Imprint) {
    tuning_pair_of(1, index)
}

/// Pair `index` of the tuning set of `seed`, extracted.
fn tuning_pair_of(seed: u64, index: u64) -> (GeneratedPair, Imprint, Imprint) {
    let mut cfg = config(seed);
    cfg.dpi = None;
    let pair = generate_pair(&cfg, index).unwrap();
    let limits = IntakeLimits::default();
    let r = extract(&decode(&pair.reference.1, &limits).unwrap()).unwrap();
    let c = extract(&decode(&pair.candidate.1, &limits).unwrap()).unwrap();
    (pair, r, c)
}

/// Tuning pair 463 (seed 1): the application kept about half its ink (partial inking) and was
/// stamped at another angle. The spectrum-based alignment drifts on what is left — a quarter of
/// the application's ink then lies on no registered stroke — while the masked search of 1.9
/// (`align::align_partial`) puts the remaining ink back on the registered imprint. The outcome
/// stays *ambiguous* with partial inking reported: the engine explains, the clerk judges.
#[test]
fn a_partially_inked_stamping_is_aligned_on_the_ink_it_kept() {
    use custos_seal::align::{align, align_partial};
    use custos_seal::quality::QualityIssue;
    use custos_seal::score::measure;
    let (p, r, c) = tuning_pair(463);
    assert_eq!(p.label, Label::Unclear);
    assert!(p.note.contains("; partial inking"), "{}", p.note);

    let spectral = align(&r, &c);
    let (before, _) = measure(&r, &c, &spectral);
    assert!(
        before.extra > 0.15,
        "spectral alignment: extra {}",
        before.extra
    );
    let masked = align_partial(&r, &c, &spectral).expect("a better pose");
    let (after, _) = measure(&r, &c, &masked);
    assert!(
        after.extra < 0.02,
        "masked alignment: extra {}",
        after.extra
    );
    assert!(
        after.gap_wide > 0.38,
        "the lost ink is still a gap: {}",
        after.gap_wide
    );

    let d = compare_imprints(&r, &c, &Thresholds::default());
    assert_eq!(d.comparison.outcome, Outcome::Ambiguous);
    assert_eq!(
        d.comparison.quality_issues,
        vec![QualityIssue::PartialInking]
    );
    assert_eq!(d.comparison.alignment, AlignmentMethod::Masked);
    assert!(
        d.comparison.measures.extra < 0.02,
        "{:?}",
        d.comparison.measures
    );
}

/// Tuning pair 1801 (seed 1): a forgery whose re-carved character partial inking erased — the
/// application shows the three unchanged characters, which match. Before 1.12 the engine judged
/// it *match* (score 0.99); a character it cannot see now leaves the pair to the clerk.
#[test]
fn a_character_the_application_does_not_show_leaves_a_match_to_the_clerk() {
    use custos_seal::quality::QualityIssue;
    let (pair, r, c) = tuning_pair(1801);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.contains("shifted character"), "{}", pair.note);
    let th = Thresholds::default();
    let result = compare_imprints(&r, &c, &th);
    let measures = &result.comparison.measures;
    assert!(result.comparison.score >= th.match_at, "{measures:?}");
    assert!(measures.unseen_character >= 0.9, "{measures:?}");
    assert_eq!(result.comparison.outcome, Outcome::Ambiguous);
    assert_eq!(
        result.comparison.quality_issues,
        vec![QualityIssue::CharacterUnseen]
    );
}

/// Tuning pair 1467 (seed 1): a one-character seal re-carved with thicker strokes, stamped
/// with ink spread. Its registered ring is broken wider than 10 px, so the stroke-width
/// measure's outer zone reaches the character and reads almost no change; 1.14 judged it
/// *match* (score 0.97). Since 1.15 the width read against the hull-closed outline leaves it
/// to the clerk. The genuine pair 0 of the same set reads no such change.
#[test]
fn a_stroke_width_read_against_the_whole_outline_leaves_a_match_to_the_clerk() {
    use custos_seal::quality::QualityIssue;
    use custos_seal::verify::CLOSED_WIDTH_CHANGE;
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(1467);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.contains("stroke width"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th);
    let m = &result.comparison.measures;
    assert!(result.comparison.score >= th.match_at, "{m:?}");
    assert!(m.width_change.abs() < 0.5, "{m:?}");
    assert!(m.width_change_closed.abs() >= CLOSED_WIDTH_CHANGE, "{m:?}");
    assert_eq!(result.comparison.outcome, Outcome::Ambiguous);
    assert_eq!(
        result.comparison.quality_issues,
        vec![QualityIssue::StrokeWidthUnsettled]
    );
    let (pair, r, c) = tuning_pair(0);
    assert_eq!(pair.label, Label::Genuine);
    let result = compare_imprints(&r, &c, &th);
    let m = &result.comparison.measures;
    assert!(m.width_change_closed.abs() < 0.3, "{m:?}");
    assert_eq!(result.comparison.outcome, Outcome::Match);
}

/// Tuning pair 455 of seed 2: a four-character seal with one character drawn smaller about its
/// centre, stamped with partial inking, blotches and ink spread. The character's strokes have
/// run together into one solid figure whose edges all face away from its centre, which up to
/// 1.15 the per-figure rescaling fit left out (for a small solid figure a rescaling and a
/// spread are one move) and the pair was judged *match* (score 0.94). Since 1.16 a figure that
/// large is read: its strokes' ends moved several times more than its sides.
#[test]
fn a_solid_character_drawn_smaller_is_read_as_rescaled() {
    let (pair, r, c) = tuning_pair_of(2, 455);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.contains("rescaled character"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &Thresholds::default());
    let m = &result.comparison.measures;
    assert!(m.character_scale >= 1.0, "{m:?}");
    assert_eq!(result.comparison.outcome, Outcome::NoMatch, "{m:?}");
}

/// Tuning pairs 704 and 293 (seed 1): the application's soft ink away from hard ink is just
/// above the smudge limit, but nothing slid — the faded edge of partial inking. Up to 1.12 both
/// were *ambiguous* for a smudge; since 1.13 a smudge needs a slid copy (or much more soft ink),
/// so the genuine stamping is *match* and the forgery, a shifted character, *no match*.
#[test]
fn soft_ink_that_did_not_slide_is_no_smudge() {
    let th = Thresholds::default();
    for (index, label, outcome) in [
        (704, Label::Genuine, Outcome::Match),
        (293, Label::Forgery, Outcome::NoMatch),
    ] {
        let (pair, r, c) = tuning_pair(index);
        assert_eq!(pair.label, label, "{}", pair.note);
        let result = compare_imprints(&r, &c, &th);
        let m = &result.comparison.measures;
        assert!(m.soft_alone > th.quality.max_soft, "{index}: {m:?}");
        assert!(m.soft_alone <= th.quality.max_soft_unslid, "{index}: {m:?}");
        assert!(m.double_stamp <= th.quality.smudge_slide, "{index}: {m:?}");
        assert!(result.comparison.quality_issues.is_empty(), "{index}");
        assert_eq!(result.comparison.outcome, outcome, "{index}");
    }
}

/// Tuning pair 1554 (seed 1): a one-character oval white-character seal re-carved in border and
/// spacing. The alignment registers the character; the application's red field then ends
/// about 10 px inside the registered one all round, which the stroke measures take for partial
/// inking (1.13: *ambiguous*, score 0.75). Since 1.14 the outline read ray by ray settles it:
/// *no match*. The genuine pair 0 of the same set keeps its outline (offset within 2.5 px).
/// Since 1.17 the score reads the outline too (9.5 px off, 1.5 px beyond what costs nothing)
/// and falls below the no-match threshold by itself; the rule still settles the pairs whose
/// outline moved less far.
#[test]
fn an_outline_moved_all_round_is_no_match() {
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(1554);
    assert_eq!(pair.label, Label::Forgery, "{}", pair.note);
    assert!(pair.note.contains("border and spacing"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th);
    let m = &result.comparison.measures;
    assert!(
        m.outline.offset <= -custos_seal::verify::OUTLINE_OFFSET,
        "{m:?}"
    );
    assert!(
        m.outline.support >= custos_seal::verify::OUTLINE_SUPPORT,
        "{m:?}"
    );
    assert!(result.comparison.quality_issues.is_empty());
    assert!(m.gap_moved < custos_seal::verify::DISPLACED_GAP, "{m:?}");
    assert_eq!(result.comparison.outcome, Outcome::NoMatch);
    let (genuine, r, c) = tuning_pair(0);
    assert_eq!(genuine.label, Label::Genuine);
    let kept = compare_imprints(&r, &c, &th).comparison.measures.outline;
    assert!(kept.offset.abs() <= 2.5 && kept.support > 0.6, "{kept:?}");
}

/// Tuning pairs 527 and 1934 (seed 1), two one-character round seals stamped with partial
/// inking. In 527, a forgery with the character shifted and rescaled, the application shows
/// none of the outline: its rays meet the character 20–30 px inside the registered ring, and the
/// character alone matched well enough for a score of 0.97 under 1.16. Since 1.17 an outline
/// that far off costs the score, which now reads *no match*; partial inking keeps the outcome
/// with a person. In 1934, the genuine seal, partial inking broke the ring too, but what is left
/// of it lies on the registered one: the outline costs nothing and the pair is a match.
#[test]
fn an_outline_far_from_the_registered_one_costs_the_score_and_a_broken_ring_does_not() {
    use custos_seal::quality::QualityIssue;
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(527);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.starts_with("Round 1 chars"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th);
    let m = &result.comparison.measures;
    assert!(m.outline.offset <= -16.0, "{:?}", m.outline);
    assert!(result.comparison.score < th.no_match_below, "{m:?}");
    assert!(
        result
            .comparison
            .quality_issues
            .contains(&QualityIssue::PartialInking)
    );
    assert_eq!(result.comparison.outcome, Outcome::Ambiguous);

    let (pair, r, c) = tuning_pair(1934);
    assert_eq!(pair.label, Label::Genuine);
    let result = compare_imprints(&r, &c, &th);
    let m = &result.comparison.measures;
    assert!(m.outline.offset.abs() < 2.0, "{:?}", m.outline);
    assert!(m.outline.support < 0.5, "{:?}", m.outline);
    assert_eq!(result.comparison.outcome, Outcome::Match, "{m:?}");
}

/// Tuning pairs 1578 and 1774 (seed 1), white-character seals flagged for ink spread alone. In
/// 1578, the genuine seal stamped with spreading ink (and partial inking, blotches, text, a pen
/// stroke and blur), the figure fit reads no character rescaled: since 1.18 the spread explains
/// the stroke width, the score judges the rest, and the pair is a match with the spread still
/// reported. In 1774, a re-carved stroke width, one character reads rescaled by half a pixel:
/// no match (1.11).
#[test]
fn an_ink_spread_stamping_with_no_character_rescaled_is_judged_on_its_score() {
    use custos_seal::quality::QualityIssue;
    use custos_seal::verify::{SPREAD_RESCALED, SPREAD_SETTLED};
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(1578);
    assert_eq!(pair.label, Label::Genuine);
    assert!(pair.note.contains("ink spread"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th).comparison;
    assert_eq!(result.quality_issues, [QualityIssue::InkSpread]);
    assert!(
        result.measures.character_scale < SPREAD_SETTLED,
        "{result:?}"
    );
    assert!(result.score >= th.match_at, "{result:?}");
    assert_eq!(result.outcome, Outcome::Match);

    let (pair, r, c) = tuning_pair(1774);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.contains("stroke width"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th).comparison;
    assert_eq!(result.quality_issues, [QualityIssue::InkSpread]);
    assert!(
        result.measures.character_scale >= SPREAD_RESCALED,
        "{result:?}"
    );
    assert_eq!(result.outcome, Outcome::NoMatch);
}

/// Tuning pair 1432 (seed 1), a one-character square seal re-carved in border and spacing,
/// stamped with smudges, blotches, text, blur, ink spread and pale ink: its ring reads about
/// 10 px wider all round, beyond what the spread explains, and since 1.19 it is *no match* (the
/// score band had left it ambiguous). Pair 836 of tuning seed 2, a two-character seal whose
/// border was re-carved narrower, is flagged for partial inking — the narrower ring leaves
/// registered ink with no application ink beside it — and is *no match* too. Genuine pair 0
/// keeps its ring.
#[test]
fn a_ring_re_carved_wider_or_narrower_all_round_is_no_match() {
    use custos_seal::quality::QualityIssue;
    use custos_seal::verify::{RING_CHANGE, RING_RAYS, RING_SUPPORT};
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(1432);
    assert_eq!(pair.label, Label::Forgery);
    assert!(pair.note.contains("border and spacing"), "{}", pair.note);
    let result = compare_imprints(&r, &c, &th).comparison;
    let o = result.measures.outline;
    assert!(result.quality_issues.is_empty(), "{result:?}");
    assert!(
        o.ring_change - result.measures.thickness >= RING_CHANGE,
        "{o:?} {}",
        result.measures.thickness
    );
    assert!(
        o.ring_support >= RING_SUPPORT && o.ring_rays >= RING_RAYS,
        "{o:?}"
    );
    assert_eq!(result.outcome, Outcome::NoMatch);

    let (pair, r, c) = tuning_pair_of(2, 836);
    assert_eq!(pair.label, Label::Forgery);
    let result = compare_imprints(&r, &c, &th).comparison;
    assert_eq!(result.quality_issues, [QualityIssue::PartialInking]);
    let o = result.measures.outline;
    assert!(
        o.ring_change - result.measures.thickness <= -RING_CHANGE,
        "{o:?} {}",
        result.measures.thickness
    );
    assert_eq!(result.outcome, Outcome::NoMatch);

    let (genuine, r, c) = tuning_pair(0);
    assert_eq!(genuine.label, Label::Genuine);
    let o = compare_imprints(&r, &c, &th).comparison.measures.outline;
    assert!(o.ring_change.abs() <= 1.0, "{o:?}");
}

/// Genuine tuning pair 0 (seed 1) with the application scanned as another scanner would: a
/// bluish cast (blue 8 % above red on the paper) and then an exposure at 70 %. Before 1.20 the
/// cast made the whole page read as blue pen — the stamping *occluded* and the pair ambiguous,
/// as 80 % of a lab set was. Occlusion is now read on white-balanced colours: the pair stays a
/// match. (The red ink itself is not balanced: at 45 % exposure this stamping reads as faint
/// ink and is left to the clerk.)
#[test]
fn a_scanner_with_a_colour_cast_or_a_dim_exposure_still_gives_a_match() {
    use custos_seal::intake::Scan;
    use custos_seal::quality::QualityIssue;
    let th = Thresholds::default();
    let (pair, r, c) = tuning_pair(0);
    assert_eq!(pair.label, Label::Genuine);
    assert_eq!(
        compare_imprints(&r, &c, &th).comparison.outcome,
        Outcome::Match
    );
    let scan = decode(&pair.candidate.1, &IntakeLimits::default()).unwrap();
    for (gain, offset) in [([0.9, 1.0, 1.08], [0.0, 0.0, 6.0]), ([0.7; 3], [0.0; 3])] {
        let rgb = scan
            .rgb
            .chunks_exact(3)
            .flat_map(|px| {
                [0, 1, 2].map(|k| (f32::from(px[k]) * gain[k] + offset[k]).clamp(0.0, 255.0) as u8)
            })
            .collect();
        let other = extract(&Scan::from_rgb(scan.width, scan.height, rgb).unwrap()).unwrap();
        assert!(
            other.quality.occluded < 0.05,
            "{gain:?}: {:?}",
            other.quality
        );
        let result = compare_imprints(&r, &other, &th).comparison;
        assert!(
            !result.quality_issues.contains(&QualityIssue::Occluded),
            "{gain:?}: {result:?}"
        );
        assert_eq!(result.outcome, Outcome::Match, "{gain:?}: {result:?}");
    }
}
