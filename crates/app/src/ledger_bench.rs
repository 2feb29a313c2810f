//! The durable-append benchmark driver shared by `custos bench ledger` (the official figures) and
//! the `writer_bench` example (quick iteration without the binary's heavy dependencies).
//!
//! One level runs `appenders` tasks for `secs` seconds against a fresh [`LedgerWriter`]; each task
//! seals a J4.11 record the way a use case does (or, for the raw baseline, produces the same bytes
//! without sealing) and submits it, and the level reports durable appends per second. The raw
//! baseline writes the same rows with the same savepoints, batching and durability, with constant
//! bytes instead of sealing, hashing and tree nodes (`WriterSettings::raw_baseline`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use custos_domain::clock::SystemClock;
use custos_ledger::append::PreparedEntry;
use custos_ledger::leaf::EntryKind;
use custos_ledger::note::NoteSigner;
use custos_ledger::record::{AuditRecord, SealedTier, SecretKey, Tier};
use custos_store::ledger::{LedgerRecordRow, LedgerTier};
use custos_store::{Database, Tx};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::error::AppError;
use crate::ledger::{LedgerKeys, LedgerWriter, SealedLedgerEntry, TxFuture, WriterSettings};

/// What is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchMode {
    /// The real path: sealed record, commitment, leaf, tree nodes.
    Ledger,
    /// The same rows with no hashing, encryption or signing (constant bytes).
    Raw,
}

/// The use case each append runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchUseCase {
    /// No use case: `LedgerWriter::append` (no savepoint).
    None,
    /// A use case with no statement (its savepoint is opened lazily, so never).
    Empty,
    /// A use case that reads the ledger head once (its savepoint is opened).
    OneStatement,
}

/// One level of the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct BenchLevel {
    /// Ledger or raw baseline.
    pub mode: BenchMode,
    /// Concurrent appending tasks.
    pub appenders: usize,
    /// How long to run.
    pub secs: f64,
    /// Largest batch of the writer.
    pub max_batch: usize,
    /// What each append runs in.
    pub use_case: BenchUseCase,
}

/// The audit record every benchmark entry carries (a fixed Z21 lookup by `account`).
pub fn bench_record(account: String) -> AuditRecord {
    AuditRecord {
        account,
        ip: "10.0.0.1".into(),
        occurred_at_ms: 1_764_201_600_000,
        operation_code: "Z21".into(),
        conditions: "A123456789".into(),
        case_number: "2026-000001".into(),
        reason: "credit review".into(),
    }
}

fn bench_error(e: impl std::fmt::Display) -> AppError {
    AppError::Rule(format!("帳本效能測試失敗 / ledger benchmark failed: {e}"))
}

/// What an appending task does before it hands its entry to the writer: seal the record tier
/// (salt, data key, encryption, commitment) — or, raw, the same sizes without any of that.
pub fn bench_entry(
    mode: BenchMode,
    rng: &mut ChaCha20Rng,
    kek: &SecretKey,
    task: usize,
) -> Result<SealedLedgerEntry, AppError> {
    let record = bench_record(format!("teller{:03}", task % 1000));
    let canonical = record.canonical_bytes();
    let (salt, wrapped_key, ciphertext, commitment) = match mode {
        BenchMode::Ledger => {
            let (sealed, c) =
                SealedTier::seal(rng, kek, Tier::Fields, &canonical).map_err(bench_error)?;
            (
                sealed.salt.to_vec(),
                sealed.wrapped_key,
                sealed.ciphertext,
                c,
            )
        }
        // Same sizes: 32-byte salt, 72-byte wrapped key, ciphertext = nonce + bytes + tag.
        BenchMode::Raw => (
            vec![1; 32],
            vec![2; 72],
            vec![3; canonical.len() + 40],
            [4; 32],
        ),
    };
    Ok(SealedLedgerEntry {
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
    })
}

/// Runs one level on the current tokio runtime; returns durable appends per second.
pub async fn run_bench_level(db: &Database, level: BenchLevel) -> Result<f64, AppError> {
    let keys = LedgerKeys {
        signer: Arc::new(
            NoteSigner::from_seed("custos.bench/ledger", &[1; 32]).map_err(bench_error)?,
        ),
        kek: Arc::new(SecretKey([7; 32])),
    };
    let writer = LedgerWriter::start(
        db.clone(),
        Arc::new(SystemClock),
        keys,
        [2; 32],
        None,
        WriterSettings {
            max_batch: level.max_batch,
            queue: level.appenders * 2,
            raw_baseline: level.mode == BenchMode::Raw,
        },
    );
    let deadline = Instant::now() + Duration::from_secs_f64(level.secs);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(level.appenders);
    for t in 0..level.appenders {
        let writer = writer.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
            let kek = SecretKey([7; 32]);
            let mut done = 0u64;
            while Instant::now() < deadline {
                let sealed = bench_entry(level.mode, &mut rng, &kek, t)?;
                let statement = match level.use_case {
                    BenchUseCase::None => {
                        writer.append(sealed).await?;
                        done += 1;
                        continue;
                    }
                    BenchUseCase::Empty => false,
                    BenchUseCase::OneStatement => true,
                };
                writer
                    .submit_sealed(sealed, move |tx: &mut Tx| -> TxFuture<'_, ()> {
                        Box::pin(async move {
                            if statement {
                                tx.ledger_head().await?;
                            }
                            Ok(())
                        })
                    })
                    .await?;
                done += 1;
            }
            Ok::<u64, AppError>(done)
        }));
    }
    let mut total = 0u64;
    for t in tasks {
        total += t.await.map_err(bench_error)??;
    }
    let secs = start.elapsed().as_secs_f64();
    writer.shutdown().await;
    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    Ok(if secs > 0.0 { total as f64 / secs } else { 0.0 })
}
