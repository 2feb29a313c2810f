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

use std::sync::Arc;
use std::time::{Duration, Instant};

use custos_app::ledger::{LedgerKeys, LedgerWriter, SealedLedgerEntry, TxFuture, WriterSettings};
use custos_domain::clock::SystemClock;
use custos_ledger::append::PreparedEntry;
use custos_ledger::leaf::EntryKind;
use custos_ledger::note::NoteSigner;
use custos_ledger::record::{AuditRecord, SealedTier, SecretKey, Tier};
use custos_store::ledger::{LedgerRecordRow, LedgerTier};
use custos_store::{ConnectOptions, Database, Tx};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn prepare(raw: bool, rng: &mut ChaCha20Rng, kek: &SecretKey, t: usize) -> SealedLedgerEntry {
    let record = AuditRecord {
        account: format!("teller{:03}", t % 1000),
        ip: "10.0.0.1".into(),
        occurred_at_ms: 1_764_201_600_000,
        operation_code: "Z21".into(),
        conditions: "A123456789".into(),
        case_number: "2026-000001".into(),
        reason: "credit review".into(),
    };
    let canonical = record.canonical_bytes();
    let (salt, wrapped_key, ciphertext, commitment) = if raw {
        (
            vec![1; 32],
            vec![2; 72],
            vec![3; canonical.len() + 40],
            [4; 32],
        )
    } else {
        let (s, c) = SealedTier::seal(rng, kek, Tier::Fields, &canonical).unwrap();
        (s.salt.to_vec(), s.wrapped_key, s.ciphertext, c)
    };
    SealedLedgerEntry {
        entry: PreparedEntry {
            kind: EntryKind::LOOKUP_GRANTED,
            actor: [1; 16],
            fields_commitment: commitment,
            payload_commitment: None,
        },
        records: vec![LedgerRecordRow {
            index: 0,
            tier: LedgerTier::Fields,
            salt,
            wrapped_key,
            ciphertext,
            subject_index: Some(vec![5; 32]),
        }],
    }
}

async fn level(db: &Database, raw: bool, appenders: usize, secs: f64, stmt: bool) -> f64 {
    let keys = LedgerKeys {
        signer: Arc::new(NoteSigner::from_seed("custos.bench/ledger", &[1; 32]).unwrap()),
        kek: Arc::new(SecretKey([7; 32])),
    };
    let writer = LedgerWriter::start(
        db.clone(),
        Arc::new(SystemClock),
        keys,
        [2; 32],
        None,
        WriterSettings {
            queue: appenders * 2,
            raw_baseline: raw,
            ..WriterSettings::default()
        },
    );
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..appenders {
        let writer = writer.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
            let kek = SecretKey([7; 32]);
            let mut done = 0u64;
            while Instant::now() < deadline {
                let sealed = prepare(raw, &mut rng, &kek, t);
                writer
                    .submit_sealed(sealed, move |tx: &mut Tx| -> TxFuture<'_, ()> {
                        Box::pin(async move {
                            if stmt {
                                tx.ledger_head().await?;
                            }
                            Ok(())
                        })
                    })
                    .await
                    .unwrap();
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    writer.shutdown().await;
    total as f64 / secs
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
