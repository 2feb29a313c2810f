//! `custos seal`: automatic verification (自動驗印, T4) of an application imprint against the
//! registered seal imprint, the synthetic dataset generator and the evaluation.
//!
//! The engine helps the clerk and never decides alone: *ambiguous* means a person must judge.
//! Exit codes: 0 when the command ran (whatever the outcome), 2 on a usage or IO error, reported
//! on one bilingual line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use custos_seal::dataset::{
    CSV_HEADER, Face, FontSpec, GenConfig, HELD_OUT_FONTS, TUNE_FONTS, csv_row, generate_pair,
};
use custos_seal::eval::{PairResult, Stages, parse_pairs_csv, summarize};
use custos_seal::extract::extract;
use custos_seal::intake::{IntakeLimits, decode};
use custos_seal::score::naive_baseline;
use custos_seal::verify::{Outcome, Thresholds, compare_bytes, compare_imprints};

/// Prints a line to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Arguments of `custos seal`.
#[derive(Debug, clap::Args)]
pub struct SealArgs {
    #[command(subcommand)]
    command: SealCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SealCommand {
    /// Compare an application imprint (CAND) with the registered imprint (REF).
    Compare {
        /// Registered seal imprint (PNG, JPEG or TIFF scan).
        reference: PathBuf,
        /// Imprint stamped on the application.
        candidate: PathBuf,
        /// Write an overlay PNG (registered red, application blue, differences highlighted).
        #[arg(long)]
        overlay: Option<PathBuf>,
        /// Print the full result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Generate a synthetic dataset of imprint pairs with `pairs.csv`.
    GenDataset {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Number of pairs.
        #[arg(long, default_value_t = 2000)]
        pairs: u64,
        /// Seed; the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Font set the seals are carved in: `tune` (Noto Serif/Sans TC) or `held-out` (AR PL UKai TW).
        #[arg(long, default_value = "tune")]
        font_set: String,
        /// Scan resolution of every image (default: 300–600 dpi drawn per image).
        #[arg(long)]
        dpi: Option<f32>,
        /// Directory holding the shipped fonts.
        #[arg(long, default_value = "assets/fonts")]
        fonts_dir: PathBuf,
    },
    /// Evaluate the engine and a naive baseline on `DIR/pairs.csv`.
    Eval {
        /// Dataset directory.
        #[arg(long)]
        dataset: PathBuf,
        /// Print the summary as JSON (the final `seal:` line follows).
        #[arg(long)]
        json: bool,
        /// Also write every pair's result to this CSV file (reference, candidate, label,
        /// outcome, score, quality issues, milliseconds), to find the pairs judged wrongly.
        #[arg(long, value_name = "FILE.csv")]
        results: Option<PathBuf>,
    },
}

/// Runs `custos seal`.
pub fn run(args: SealArgs) -> ExitCode {
    let result = match args.command {
        SealCommand::Compare {
            reference,
            candidate,
            overlay,
            json,
        } => compare(&reference, &candidate, overlay.as_deref(), json),
        SealCommand::GenDataset {
            out,
            pairs,
            seed,
            font_set,
            dpi,
            fonts_dir,
        } => gen_dataset(&out, pairs, seed, &font_set, dpi, &fonts_dir),
        SealCommand::Eval {
            dataset,
            json,
            results,
        } => eval(&dataset, json, results.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(line) => {
            eprintln!("custos seal: {line}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "無法讀取 {} / cannot read {}: {e}",
            path.display(),
            path.display()
        )
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| {
        format!(
            "無法寫入 {} / cannot write {}: {e}",
            path.display(),
            path.display()
        )
    })
}

fn compare(
    reference: &Path,
    candidate: &Path,
    overlay: Option<&Path>,
    json: bool,
) -> Result<(), String> {
    let r = read(reference)?;
    let c = read(candidate)?;
    let detailed = compare_bytes(&r, &c, &Thresholds::default()).map_err(|e| e.to_string())?;
    let cmp = &detailed.comparison;
    if let Some(path) = overlay {
        let png = custos_seal::overlay::render_png(&detailed.aligned, &cmp.measures.block_map)
            .map_err(|e| e.to_string())?;
        write(path, &png)?;
    }
    if json {
        let text = serde_json::to_string_pretty(cmp)
            .map_err(|e| format!("JSON 輸出失敗 / cannot write JSON: {e}"))?;
        out!("{text}");
    } else {
        out!("自動驗印結果 / outcome: {}", cmp.outcome.label());
        out!(
            "分數 / score: {:.3}（相符 match ≥ {:.2}，不符 no match < {:.2}）",
            cmp.score,
            cmp.thresholds.match_at,
            cmp.thresholds.no_match_below
        );
        out!(
            "旋轉 / rotation: {:.1}°  縮放 / scale: {:.3}",
            cmp.rotation_deg,
            cmp.scale
        );
        out!("對位 / alignment: {}", cmp.alignment.label());
        for issue in &cmp.quality_issues {
            out!("品質 / quality: {}", issue.label());
        }
        out!(
            "區塊差異 / block dissimilarity ({}×{}):",
            cmp.blocks,
            cmp.blocks
        );
        for row in cmp.measures.block_map.chunks(cmp.blocks) {
            let cells: Vec<String> = row
                .iter()
                .map(|v| v.map_or_else(|| "  · ".to_owned(), |d| format!("{d:4.2}")))
                .collect();
            out!("  {}", cells.join(" "));
        }
        out!("演算法 / algorithm: {}", cmp.algorithm_version);
        if cmp.outcome == Outcome::Ambiguous {
            out!(
                "請人工比對；印模不清時以聯繫單請戶政事務所重建印模 / a clerk must judge; if the imprint is unclear, ask the household office for an imprint rebuild (T4)"
            );
        }
    }
    Ok(())
}

fn load_faces(dir: &Path, specs: &[FontSpec]) -> Result<Vec<Face>, String> {
    specs
        .iter()
        .map(|f| Face::parse(f.name, read(&dir.join(f.file))?, f.index).map_err(|e| e.to_string()))
        .collect()
}

fn gen_dataset(
    out: &Path,
    pairs: u64,
    seed: u64,
    font_set: &str,
    dpi: Option<f32>,
    fonts_dir: &Path,
) -> Result<(), String> {
    if dpi.is_some_and(|d| !(50.0..=1200.0).contains(&d)) {
        return Err("dpi 必須介於 50 與 1200 / dpi must be between 50 and 1200".to_owned());
    }
    let (faces, alternative_faces) = match font_set {
        "tune" => (load_faces(fonts_dir, &TUNE_FONTS)?, Vec::new()),
        "held-out" => (
            load_faces(fonts_dir, &HELD_OUT_FONTS)?,
            load_faces(fonts_dir, &TUNE_FONTS[..1])?,
        ),
        other => {
            return Err(format!(
                "字型組必須是 tune 或 held-out：{other} / font set must be tune or held-out: {other}"
            ));
        }
    };
    std::fs::create_dir_all(out).map_err(|e| {
        format!(
            "無法建立 {} / cannot create {}: {e}",
            out.display(),
            out.display()
        )
    })?;
    let cfg = GenConfig {
        seed,
        faces,
        alternative_faces,
        dpi,
    };
    let mut csv = String::from(CSV_HEADER);
    csv.push('\n');
    let mut counts = [0usize; 3];
    for i in 0..pairs {
        let pair = generate_pair(&cfg, i).map_err(|e| e.to_string())?;
        write(&out.join(&pair.reference.0), &pair.reference.1)?;
        write(&out.join(&pair.candidate.0), &pair.candidate.1)?;
        csv.push_str(&csv_row(&pair));
        csv.push('\n');
        counts[pair.label as usize] += 1;
        progress(
            "gen-dataset",
            usize::try_from(i + 1).unwrap_or(usize::MAX),
            usize::try_from(pairs).unwrap_or(usize::MAX),
        );
    }
    write(&out.join("pairs.csv"), csv.as_bytes())?;
    out!(
        "已產生 {pairs} 組 / generated {pairs} pairs (genuine {}, forgery {}, unclear {}) seed={seed} fonts={font_set} → {}",
        counts[0],
        counts[1],
        counts[2],
        out.display()
    );
    Ok(())
}

/// Header of the per-pair results file written by `custos seal eval --results`.
const RESULTS_HEADER: &str = "reference,candidate,label,outcome,score,quality_issues,ms";

/// One CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The stored (snake_case) name of an outcome or a quality issue, as in the JSON output.
fn stored_name<T: serde::Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{value:?}"),
    }
}

/// Progress of a long run on stderr (stdout keeps the report): about every tenth of the pairs,
/// only for runs of at least 50 pairs.
fn progress(verb: &str, done: usize, total: usize) {
    let step = total.div_ceil(10).max(1);
    if total >= 50 && (done.is_multiple_of(step) || done == total) {
        eprintln!("custos seal: {verb} {done}/{total}");
    }
}

/// Runs `f`, adding its wall time in milliseconds to `total`.
fn timed<T>(total: &mut f64, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    *total += t.elapsed().as_secs_f64() * 1000.0;
    out
}

fn eval(dir: &Path, json: bool, results_csv: Option<&Path>) -> Result<(), String> {
    let csv = String::from_utf8(read(&dir.join("pairs.csv"))?)
        .map_err(|_| "pairs.csv 不是 UTF-8 / pairs.csv is not UTF-8".to_owned())?;
    let specs = parse_pairs_csv(&csv).map_err(|e| e.to_string())?;
    // The results file is created before the run, so that a wrong path fails at once.
    if let Some(path) = results_csv {
        write(path, b"")?;
    }
    let mut rows = results_csv.map(|_| format!("{RESULTS_HEADER}\n"));
    let thresholds = Thresholds::default();
    let limits = IntakeLimits::default();
    let mut results = Vec::with_capacity(specs.len());
    let mut failures = 0usize;
    for (k, spec) in specs.iter().enumerate() {
        let r = read(&dir.join(&spec.reference))?;
        let c = read(&dir.join(&spec.candidate))?;
        let t = Instant::now();
        let mut stages = Stages::default();
        let mut imprint = |bytes: &[u8]| {
            let scan = timed(&mut stages.decode_ms, || decode(bytes, &limits))?;
            timed(&mut stages.extract_ms, || extract(&scan))
        };
        let imprints = imprint(&r).and_then(|ri| Ok((ri, imprint(&c)?)));
        let (outcome, score, issues, imprints) = match imprints {
            Ok((ri, ci)) => {
                let d = timed(&mut stages.compare_ms, || {
                    compare_imprints(&ri, &ci, &thresholds)
                });
                let c = d.comparison;
                (c.outcome, c.score, Ok(c.quality_issues), Some((ri, ci)))
            }
            Err(e) => {
                failures += 1;
                (Outcome::Ambiguous, 0.0, Err(e), None)
            }
        };
        let millis = t.elapsed().as_secs_f64() * 1000.0;
        let baseline = imprints.map_or(0.0, |(ri, ci)| naive_baseline(&ri, &ci));
        if let Some(rows) = rows.as_mut() {
            use std::fmt::Write as _;
            let issues = match &issues {
                Ok(found) => found.iter().map(stored_name).collect::<Vec<_>>().join(";"),
                Err(e) => format!("unreadable: {e}"),
            };
            let _ = writeln!(
                rows,
                "{},{},{},{},{score:.4},{},{millis:.1}",
                csv_field(&spec.reference),
                csv_field(&spec.candidate),
                spec.label.as_str(),
                stored_name(&outcome),
                csv_field(&issues),
            );
        }
        progress("eval", k + 1, specs.len());
        results.push(PairResult {
            label: spec.label,
            outcome,
            score,
            baseline,
            millis,
            stages,
        });
    }
    if let (Some(path), Some(rows)) = (results_csv, &rows) {
        write(path, rows.as_bytes())?;
    }
    let summary = summarize(&results);
    if json {
        let text = serde_json::to_string_pretty(&summary)
            .map_err(|e| format!("JSON 輸出失敗 / cannot write JSON: {e}"))?;
        out!("{text}");
        out!("{}", summary.final_line());
    } else {
        if failures > 0 {
            out!(
                "無法讀取印文（視為無法判定）/ unreadable imprints (counted ambiguous): {failures}"
            );
        }
        out!("{}", summary.report());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts")
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("a/b.png"), "a/b.png");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(stored_name(&Outcome::NoMatch), "no_match");
    }

    /// `custos seal gen-dataset`, `compare --overlay` and `eval` on generator output (T4): the
    /// genuine pair 0 and the forged pair 12 of the tuning set (seed 1) give match and no match,
    /// and the overlay is a PNG. (The outcomes and the overlay's content are checked on the same
    /// library path in `crates/seal/tests/seal.rs`.)
    #[test]
    fn compare_eval_and_gen_dataset_run_on_generated_pairs() {
        let dir = tempfile::tempdir().unwrap();
        let faces = load_faces(&fonts_dir(), &TUNE_FONTS).unwrap();
        let cfg = GenConfig {
            seed: 1,
            faces,
            alternative_faces: Vec::new(),
            dpi: None,
        };
        for (i, expected) in [(0, Outcome::Match), (12, Outcome::NoMatch)] {
            let pair = generate_pair(&cfg, i).unwrap();
            let (r, c) = (dir.path().join("r.png"), dir.path().join(&pair.candidate.0));
            std::fs::write(&r, &pair.reference.1).unwrap();
            std::fs::write(&c, &pair.candidate.1).unwrap();
            let overlay = dir.path().join(format!("overlay{i}.png"));
            compare(&r, &c, Some(&overlay), i == 12).unwrap();
            let png = std::fs::read(&overlay).unwrap();
            let scan = decode(&png, &IntakeLimits::default()).unwrap();
            assert!(scan.width >= 320, "{}", scan.width);
            let d = compare_bytes(&pair.reference.1, &pair.candidate.1, &Thresholds::default())
                .unwrap();
            assert_eq!(d.comparison.outcome, expected, "pair {i}");
        }
        let missing = compare(
            &dir.path().join("none.png"),
            &dir.path().join("r.png"),
            None,
            false,
        )
        .unwrap_err();
        assert!(missing.contains("none.png"), "{missing}");

        let data = dir.path().join("set");
        gen_dataset(&data, 3, 5, "tune", Some(150.0), &fonts_dir()).unwrap();
        let csv = std::fs::read_to_string(data.join("pairs.csv")).unwrap();
        assert_eq!(csv.lines().count(), 4);
        eval(&data, true, None).unwrap();
        // Per-pair results: one row per pair of pairs.csv, in its order, with its label.
        let results = dir.path().join("results.csv");
        eval(&data, false, Some(&results)).unwrap();
        let text = std::fs::read_to_string(&results).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(RESULTS_HEADER));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let specs = parse_pairs_csv(&csv).unwrap();
        assert_eq!(rows.len(), specs.len());
        for (row, spec) in rows.iter().zip(&specs) {
            assert_eq!(row.len(), 7, "{row:?}");
            assert_eq!(
                row[..3],
                [
                    &spec.reference[..],
                    &spec.candidate[..],
                    spec.label.as_str()
                ]
            );
            assert!(
                ["match", "no_match", "ambiguous"].contains(&row[3]),
                "{row:?}"
            );
            let score: f32 = row[4].parse().unwrap();
            assert!((0.0..=1.0).contains(&score), "{row:?}");
            assert!(row[6].parse::<f64>().unwrap() >= 0.0, "{row:?}");
        }
        // A results file that cannot be written fails before the run, in both languages.
        let err = eval(&data, false, Some(&dir.path().join("no/such/dir.csv"))).unwrap_err();
        assert!(
            err.contains("無法寫入") && err.contains("cannot write"),
            "{err}"
        );
        assert!(gen_dataset(&data, 1, 5, "other", None, &fonts_dir()).is_err());
        assert!(eval(&dir.path().join("empty"), false, None).is_err());
    }
}
