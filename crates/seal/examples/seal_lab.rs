//! Development lab: generates pairs in memory and evaluates the engine on them, in release mode.
//! `cargo run --release -p custos-seal --example seal_lab -- PAIRS SEED tune|heldout [dump] [dpi]`
//! (`LAB_OVERLAY=1` writes overlays into the dump directory, `LAB_ONLY=i` runs pair i alone).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::many_single_char_names
)]

use std::time::Instant;

use custos_seal::dataset::{
    Face, FontSpec, GenConfig, GeneratedPair, HELD_OUT_FONTS, TUNE_FONTS, generate_pair,
};
use custos_seal::eval::{Label, PairResult, Stages, summarize};
use custos_seal::extract::extract;
use custos_seal::intake::{IntakeLimits, decode};
use custos_seal::score::naive_baseline;
use custos_seal::verify::{Outcome, Thresholds, compare_imprints};

fn load(specs: &[FontSpec]) -> Vec<Face> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/");
    specs
        .iter()
        .map(|f| {
            Face::parse(
                f.name,
                std::fs::read(format!("{dir}{}", f.file)).unwrap(),
                f.index,
            )
            .unwrap()
        })
        .collect()
}

/// The pair from the cache directory when it was generated before, else generated (and cached).
fn cached_pair(cfg: &GenConfig, i: u64, dir: Option<&str>) -> GeneratedPair {
    let Some(d) = dir else {
        return generate_pair(cfg, i).unwrap();
    };
    let meta = format!("{d}/{i:05}_meta.txt");
    if let Ok(text) = std::fs::read_to_string(&meta) {
        let mut lines = text.lines();
        let (r, c, l, note) = (
            lines.next().unwrap().to_string(),
            lines.next().unwrap().to_string(),
            lines.next().unwrap(),
            lines.next().unwrap_or("").to_string(),
        );
        return GeneratedPair {
            reference: (r.clone(), std::fs::read(format!("{d}/{r}")).unwrap()),
            candidate: (c.clone(), std::fs::read(format!("{d}/{c}")).unwrap()),
            label: Label::parse(l).unwrap(),
            note,
        };
    }
    let p = generate_pair(cfg, i).unwrap();
    std::fs::create_dir_all(d).unwrap();
    std::fs::write(format!("{d}/{}", p.reference.0), &p.reference.1).unwrap();
    std::fs::write(format!("{d}/{}", p.candidate.0), &p.candidate.1).unwrap();
    std::fs::write(
        &meta,
        format!(
            "{}\n{}\n{}\n{}\n",
            p.reference.0,
            p.candidate.0,
            p.label.as_str(),
            p.note
        ),
    )
    .unwrap();
    p
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pairs: u64 = args.get(1).map_or(100, |a| a.parse().unwrap());
    let seed: u64 = args.get(2).map_or(1, |a| a.parse().unwrap());
    let heldout = args.get(3).is_some_and(|a| a == "heldout");
    let dump = args.get(4).cloned().filter(|d| d != "-");
    let dpi: Option<f32> = args.get(5).map(|a| a.parse().unwrap());
    let cfg = if heldout {
        GenConfig {
            seed,
            faces: load(&HELD_OUT_FONTS),
            alternative_faces: load(&TUNE_FONTS[..1]),
            dpi,
        }
    } else {
        GenConfig {
            seed,
            faces: load(&TUNE_FONTS),
            alternative_faces: Vec::new(),
            dpi,
        }
    };
    let th = Thresholds::default();
    let mut results = Vec::new();
    let mut gen_ms = 0.0;
    let (mut dec_ms, mut ext_ms, mut cmp_ms) = (0.0, 0.0, 0.0);
    let only: Option<u64> = std::env::var("LAB_ONLY").ok().and_then(|v| v.parse().ok());
    for i in 0..pairs {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let t0 = Instant::now();
        let p = cached_pair(&cfg, i, dump.as_deref());
        gen_ms += t0.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let l = IntakeLimits::default();
        let rs = decode(&p.reference.1, &l);
        let cs = decode(&p.candidate.1, &l);
        let t_dec = t.elapsed().as_secs_f64() * 1000.0;
        let r = rs.and_then(|s| extract(&s));
        let c = cs.and_then(|s| extract(&s));
        let t_ext = t.elapsed().as_secs_f64() * 1000.0 - t_dec;
        dec_ms += t_dec;
        ext_ms += t_ext;
        let mut t_cmp = 0.0;
        let (outcome, score, baseline, line) = match (r, c) {
            (Ok(r), Ok(c)) => {
                let tc = Instant::now();
                for _ in 0..std::env::var("LAB_REPEAT")
                    .ok()
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0)
                {
                    let _ = compare_imprints(&r, &c, &th);
                }
                let d = compare_imprints(&r, &c, &th);
                t_cmp = tc.elapsed().as_secs_f64() * 1000.0;
                cmp_ms += t_cmp;
                let m = &d.comparison.measures;
                let q = &d.comparison;
                if let Some(dir) = dump
                    .as_ref()
                    .filter(|_| std::env::var("LAB_OVERLAY").is_ok())
                {
                    let png = custos_seal::overlay::render_png(
                        &d.aligned,
                        &d.comparison.measures.block_map,
                    )
                    .unwrap();
                    std::fs::write(format!("{dir}/{i:05}_overlay.png"), png).unwrap();
                }
                let line = format!(
                    "ml={:.5} wh={:.3} hp={:.6}/{:.6}/{:.6}/{:.6}/{:.6}/{:.6} cs={:.2} un={:.2} gm={:.3} wc={:.2}/{:.2}/{:.2}/{:.2} mm={:.3} lm={:.2}/{:.2} ds={:.3} gw={:.3} sa={:.3} to={:.3} ti={:.3} lg={:.3} ls={:.1} score={:.3} dis={:.3} gap={:.3} gh={:.3} so={:.3} th={:.2} ex={:.3} mi={:.3} wb={:.3} corr={:.2} rot={:.1} sc={:.3} ew={:.2}/{:.2} st={:.2}/{:.2} occ={:.2} ol={:.1}/{:.2} rw={:.1}/{:.2}/{} {:?}",
                    m.moved_local,
                    m.width_change_closed.abs(),
                    m.extra,
                    m.missing_moved,
                    m.missing,
                    m.worst_blocks,
                    m.width_change.abs(),
                    m.local_move2,
                    m.character_scale,
                    m.unseen_character,
                    m.gap_moved,
                    q.reference_quality.ink_coverage,
                    q.reference_quality.ink_connected,
                    q.candidate_quality.ink_coverage,
                    q.candidate_quality.ink_connected,
                    m.missing_moved,
                    m.local_move,
                    m.local_move2,
                    m.double_stamp,
                    m.gap_wide,
                    m.soft_alone,
                    m.thickness_outer,
                    m.thickness_inner,
                    m.local_gain,
                    m.local_shift,
                    q.score,
                    m.displaced,
                    m.gap,
                    q.ghost,
                    m.soft_extra,
                    m.thickness,
                    m.extra,
                    m.missing,
                    m.worst_blocks,
                    q.correlation,
                    q.rotation_deg,
                    q.scale,
                    q.reference_quality.sharpness,
                    q.candidate_quality.sharpness,
                    q.reference_quality.ink_strength,
                    q.candidate_quality.ink_strength,
                    q.candidate_quality.occluded,
                    m.outline.offset,
                    m.outline.support,
                    m.outline.ring_change,
                    m.outline.ring_support,
                    m.outline.ring_rays,
                    q.quality_issues
                );
                (q.outcome, q.score, naive_baseline(&r, &c), line)
            }
            (r, c) => (
                Outcome::Ambiguous,
                0.0,
                0.0,
                format!("error {:?} {:?}", r.err(), c.err()),
            ),
        };
        let millis = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{i:05} {:8} {:?} {line} | {}",
            p.label.as_str(),
            outcome,
            p.note
        );
        results.push(PairResult {
            label: p.label,
            outcome,
            score,
            baseline,
            millis,
            stages: Stages {
                decode_ms: t_dec,
                extract_ms: t_ext,
                compare_ms: t_cmp,
            },
        });
    }
    let _ = Label::Genuine;
    println!(
        "generation {:.1} ms/pair; decode {:.1} extract {:.1} compare {:.1}",
        gen_ms / pairs as f64,
        dec_ms / pairs as f64,
        ext_ms / pairs as f64,
        cmp_ms / pairs as f64
    );
    println!("{}", summarize(&results).report());
}
