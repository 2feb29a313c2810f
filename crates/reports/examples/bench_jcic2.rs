//! Prints how long a 1,000-row 聯徵2 worksheet takes to render as PDF and as xlsx.
//!
//! `cargo run --release -p custos-reports --example bench_jcic2 [ROWS]`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use custos_reports::{FontSet, pdf, sample, xlsx};

fn main() -> ExitCode {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let started = Instant::now();
    let fonts = match FontSet::shipped() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "font load: {:.3} s ({} faces)",
        started.elapsed().as_secs_f64(),
        fonts.fonts().len()
    );
    let doc = sample::jcic2(rows).to_document();
    for round in 1..=2 {
        let t = Instant::now();
        let bytes = match pdf::render(&doc, &fonts) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "聯徵2 {rows} rows PDF  (round {round}): {:.3} s, {} bytes",
            t.elapsed().as_secs_f64(),
            bytes.len()
        );
        let t = Instant::now();
        let bytes = match xlsx::render(&doc, &fonts) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "聯徵2 {rows} rows xlsx (round {round}): {:.3} s, {} bytes",
            t.elapsed().as_secs_f64(),
            bytes.len()
        );
    }
    ExitCode::SUCCESS
}
