//! Iteration bench for the ledger writer (ADR 0103): durable appends/s through
//! `LedgerWriter` at several concurrencies, ledger vs raw baseline, one savepoint-isolated use
//! case per append. The official figures come from `custos bench ledger`; this example builds
//! without the binary's heavy dependencies.
//!
//! `cargo run --release -p custos-app --example writer_bench -- [URL] [SECS] [LEVELS] [stmt]`
//! (URL defaults to a SQLite file in the temp directory; LEVELS like `1,8,64,512`; with `stmt`
//! each use case runs one statement — a read of the ledger head — so its savepoint is opened).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench"
)]

use custos_app::ledger_bench::{BenchLevel, BenchMode, BenchUseCase, run_bench_level};
use custos_store::{ConnectOptions, Database};

async fn level(db: &Database, raw: bool, appenders: usize, secs: f64, stmt: bool) -> f64 {
    run_bench_level(
        db,
        BenchLevel {
            mode: if raw {
                BenchMode::Raw
            } else {
                BenchMode::Ledger
            },
            appenders,
            secs,
            max_batch: custos_app::ledger::WriterSettings::default().max_batch,
            use_case: if stmt {
                BenchUseCase::OneStatement
            } else {
                BenchUseCase::Empty
            },
        },
    )
    .await
    .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::env::temp_dir().join(format!("custos-writer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = args
        .first()
        .filter(|a| !a.is_empty() && *a != "sqlite")
        .cloned()
        .unwrap_or_else(|| dir.join("ledger.db").display().to_string());
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let levels: Vec<usize> = args.get(2).map_or_else(
        || vec![1, 8, 64, 512],
        |s| s.split(',').filter_map(|n| n.parse().ok()).collect(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Database::connect(&url, ConnectOptions::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        println!("appenders  ledger_per_s  raw_per_s  ratio (best of 2 alternating runs)");
        let stmt = args.get(3).is_some_and(|a| a == "stmt");
        level(&db, false, 8, 0.5, stmt).await;
        for n in levels {
            let (mut full, mut raw) = (0.0f64, 0.0f64);
            for _ in 0..2 {
                full = full.max(level(&db, false, n, secs, stmt).await);
                raw = raw.max(level(&db, true, n, secs, stmt).await);
            }
            println!("{n:>9}  {full:>12.0}  {raw:>9.0}  {:>5.2}", full / raw);
        }
        db.close().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
