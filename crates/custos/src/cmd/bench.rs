//! `custos bench`: benchmarks that print their figures.
//!
//! `custos bench ledger` measures durable appends/s through a group-commit writer (ADR 0103) on
//! SQLite (and PostgreSQL with `--database-url`) at 1, 8, 64 and 512 concurrent appenders, next to
//! a raw baseline writing the same rows without hashing or encryption; then the offline
//! verification rate (entries/s over a generated 1M-entry bundle) next to the SHA-256 rate of the
//! same leaf bytes. The writer here is the measured prototype of the application's write path:
//! each job's record is sealed by its caller, the writer opens a savepoint per use case, appends
//! through `custos_ledger::append::AppendState`, inserts the batch's rows with multi-row
//! statements and replies only after COMMIT.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use custos_ledger::append::{AppendState, PreparedEntry};
use custos_ledger::bundle::{VerifyOptions, verify};
use custos_ledger::leaf::EntryKind;
use custos_ledger::memory::{MemoryLedger, NewEntry, sample_ledger};
use custos_ledger::record::{AuditRecord, SealedTier, SecretKey, Tier};
use custos_ledger::tree::{NodeId, NodeStore, TreeError, perfect_subtrees};
use custos_store::ledger::{LedgerAppendRows, LedgerHead, LedgerRecordRow, LedgerTier};
use custos_store::{ConnectOptions, Database, Tx};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

/// Arguments of `custos bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    target: BenchTarget,
}

#[derive(Debug, Subcommand)]
enum BenchTarget {
    /// Ledger: durable append rates, raw baseline, verification rate.
    Ledger(LedgerBenchArgs),
}

#[derive(Debug, Args)]
struct LedgerBenchArgs {
    /// Entries in the generated ledger that is verified.
    #[arg(long, default_value_t = 1_000_000)]
    entries: u64,
    /// Entries appended in memory for the (non-durable) append figure.
    #[arg(long, default_value_t = 200_000)]
    appends: u64,
    /// PostgreSQL URL for the database figures too (its ledger tables receive the benchmark rows:
    /// use a scratch database).
    #[arg(long)]
    database_url: Option<String>,
    /// Seconds each concurrency level runs, per mode.
    #[arg(long, default_value_t = 2.0)]
    secs_per_level: f64,
    /// Largest batch the writer commits at once.
    #[arg(long, default_value_t = 512)]
    max_batch: usize,
    /// Skip the durable append measurements.
    #[arg(long)]
    no_appends: bool,
    /// Do not open a savepoint per use case (as for entries without a domain change, which cannot
    /// fail alone).
    #[arg(long)]
    no_savepoints: bool,
}

/// Runs `custos bench`.
pub fn run(args: BenchArgs) -> ExitCode {
    match args.target {
        BenchTarget::Ledger(a) => bench_ledger(&a),
    }
}

fn per_s(n: u64, secs: f64) -> f64 {
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

fn bench_ledger(a: &LedgerBenchArgs) -> ExitCode {
    let appends = if a.no_appends {
        None
    } else {
        match durable_appends(a) {
            Ok(figures) => Some(figures),
            Err(e) => {
                eprintln!("custos bench ledger: {e}");
                return ExitCode::from(super::EXIT_USAGE);
            }
        }
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1);

    // In-memory appends: commitment, leaf encoding, tree update; no durability, no encryption.
    let appended = match append_in_memory(a.appends, &mut rng) {
        Ok(rate) => rate,
        Err(e) => {
            eprintln!("custos bench ledger: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    println!("in_memory_appends_per_s={appended:.0} (not durable; for orientation only)");

    let build = Instant::now();
    let bundle = match sample_ledger("custos.bench/ledger", a.entries, 10_000, &mut rng) {
        Ok(l) => l.export(),
        Err(e) => {
            eprintln!("custos bench ledger: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    println!(
        "generated {} entries, {} records, {} checkpoints in {:.2}s",
        bundle.leaves.len(),
        bundle.records.len(),
        bundle.checkpoints.len(),
        build.elapsed().as_secs_f64()
    );

    // Best of three runs: the machine may be shared, and the fastest run is the least disturbed.
    let mut verify_secs = f64::INFINITY;
    let mut cpu_secs = None;
    let mut report = None;
    for _ in 0..3 {
        let cpu0 = process_cpu_secs();
        let t = Instant::now();
        match verify(&bundle, &VerifyOptions::default()) {
            Ok(r) => report = Some(r),
            Err(e) => {
                eprintln!("custos bench ledger: {e}");
                return ExitCode::from(super::EXIT_USAGE);
            }
        }
        let secs = t.elapsed().as_secs_f64();
        if secs < verify_secs {
            verify_secs = secs;
            cpu_secs = cpu0.zip(process_cpu_secs()).map(|(a, b)| b - a);
        }
    }
    let Some(report) = report else {
        return ExitCode::from(super::EXIT_USAGE);
    };
    if !report.intact() {
        eprintln!(
            "custos bench ledger: generated ledger did not verify: {:?}",
            report.first_bad()
        );
        return ExitCode::from(1);
    }
    let verify_rate = per_s(report.size, verify_secs);

    // SHA-256 of the same leaf bytes, one hash per leaf: the floor any verifier pays.
    let t = Instant::now();
    let mut acc = 0u8;
    for leaf in &bundle.leaves {
        acc ^= Sha256::digest(&leaf.0)[0];
    }
    black_box(acc);
    let sha_rate = per_s(bundle.leaves.len() as u64, t.elapsed().as_secs_f64());

    println!(
        "verify: entries={} secs={verify_secs:.3} entries_per_s={verify_rate:.0} \
         (leaves, stored nodes, {} record commitments, {} checkpoint signatures, consistency)",
        report.size, report.records_checked, report.checkpoints_verified
    );
    println!("sha256 of the same leaf bytes: leaves_per_s={sha_rate:.0}");
    if let Some(cpu) = cpu_secs.filter(|c| *c > 0.0) {
        println!(
            "verify cpu_secs={cpu:.3} entries_per_cpu_s={:.0} (process CPU time, both threads; \
             one-minute load average {} — a wall-clock rate far below this means a busy machine)",
            per_s(report.size, cpu),
            load_average().unwrap_or_else(|| "n/a".into())
        );
    }
    let (appends_s, raw_s, ratio) = match appends {
        Some((full, raw)) => (
            format!("{full:.0}"),
            format!("{raw:.0}"),
            format!("{:.2}", if raw > 0.0 { full / raw } else { 0.0 }),
        ),
        None => ("n/a".into(), "n/a".into(), "n/a".into()),
    };
    println!(
        "ledger: appends_per_s={appends_s} raw_per_s={raw_s} ratio_to_raw={ratio} \
         verify_entries_per_s={verify_rate:.0}"
    );
    ExitCode::SUCCESS
}

fn append_in_memory(n: u64, rng: &mut ChaCha20Rng) -> Result<f64, String> {
    let mut ledger = MemoryLedger::new("custos.bench/ledger", rng).map_err(|e| e.to_string())?;
    let record = AuditRecord {
        account: "teller01".into(),
        ip: "10.0.0.1".into(),
        occurred_at_ms: 1_764_201_600_000,
        operation_code: "Z21".into(),
        conditions: "A123456789".into(),
        case_number: "2026-000001".into(),
        reason: "credit review".into(),
    };
    let entry = NewEntry {
        kind: EntryKind::LOOKUP_GRANTED,
        actor: [1; 16],
        record: &record,
        payload: None,
    };
    let t = Instant::now();
    for i in 0..n {
        ledger
            .append(rng, 1_764_201_600_000 + i as i64, &entry)
            .map_err(|e| e.to_string())?;
    }
    Ok(per_s(n, t.elapsed().as_secs_f64()))
}

/// User + system CPU time of this process in seconds, from `/proc/self/stat` (Linux; assumes the
/// usual 100 clock ticks per second). `None` elsewhere.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The one-minute load average, to read the figures against.
fn load_average() -> Option<String> {
    let l = std::fs::read_to_string("/proc/loadavg").ok()?;
    l.split(' ').next().map(str::to_owned)
}

/// What the writer stores per job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The real path: sealed record, commitment, leaf, tree nodes.
    Ledger,
    /// The same rows with no hashing, encryption or signing (constant bytes).
    Raw,
}

/// One use case's request to the writer.
struct Job {
    entry: PreparedEntry,
    record: LedgerRecordRow,
    reply: oneshot::Sender<Result<u64, String>>,
}

/// Durable appends/s on SQLite (and PostgreSQL when given) at 1, 8, 64 and 512 appenders, ledger
/// and raw; returns the SQLite figures at 512 appenders.
fn durable_appends(a: &LedgerBenchArgs) -> Result<(f64, f64), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("custos-bench-ledger-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let mut targets = vec![("sqlite", dir.join("ledger.db").display().to_string())];
        if let Some(url) = &a.database_url {
            targets.push(("postgres", url.clone()));
        }
        let mut result = (0.0, 0.0);
        for (name, url) in targets {
            let db = Database::connect(&url, ConnectOptions::default())
                .await
                .map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())?;
            println!(
                "{name}: appenders  ledger_per_s  raw_per_s  ratio (durable; batches of up to {}; {})",
                a.max_batch,
                if a.no_savepoints {
                    "no savepoints"
                } else {
                    "one savepoint per use case"
                }
            );
            for n in [1usize, 8, 64, 512] {
                let full = run_level(&db, Mode::Ledger, n, a).await?;
                let raw = run_level(&db, Mode::Raw, n, a).await?;
                let ratio = if raw > 0.0 { full / raw } else { 0.0 };
                println!("{name}: {n:>9}  {full:>12.0}  {raw:>9.0}  {ratio:>5.2}");
                if name == "sqlite" && n == 512 {
                    result = (full, raw);
                }
            }
            db.close().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(result)
    })
}

async fn run_level(
    db: &Database,
    mode: Mode,
    appenders: usize,
    a: &LedgerBenchArgs,
) -> Result<f64, String> {
    let (tx, rx) = mpsc::channel::<Job>(appenders * 2);
    let writer = tokio::spawn(group_commit_writer(
        db.clone(),
        rx,
        mode,
        a.max_batch,
        !a.no_savepoints,
    ));
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(a.secs_per_level);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(appenders);
    for t in 0..appenders {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
            let kek = SecretKey([7; 32]);
            let mut done = 0u64;
            while Instant::now() < deadline {
                let job = prepare(mode, &mut rng, &kek, t)?;
                let (reply, wait) = oneshot::channel();
                tx.send(Job { reply, ..job })
                    .await
                    .map_err(|e| e.to_string())?;
                wait.await.map_err(|e| e.to_string())??;
                done += 1;
            }
            Ok::<u64, String>(done)
        }));
    }
    drop(tx);
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| e.to_string())??;
    }
    let secs = start.elapsed().as_secs_f64();
    writer.await.map_err(|e| e.to_string())??;
    Ok(per_s(total, secs))
}

/// What the calling task does before it hands its entry to the writer: seal the record tier
/// (salt, data key, encryption, commitment) — or, raw, the same bytes without any of that.
fn prepare(mode: Mode, rng: &mut ChaCha20Rng, kek: &SecretKey, t: usize) -> Result<Job, String> {
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
    let (salt, wrapped_key, ciphertext, commitment) = match mode {
        Mode::Ledger => {
            let (sealed, c) =
                SealedTier::seal(rng, kek, Tier::Fields, &canonical).map_err(|e| e.to_string())?;
            (
                sealed.salt.to_vec(),
                sealed.wrapped_key,
                sealed.ciphertext,
                c,
            )
        }
        // Same sizes: 32-byte salt, 72-byte wrapped key, ciphertext = nonce + bytes + tag.
        Mode::Raw => (
            vec![1; 32],
            vec![2; 72],
            vec![3; canonical.len() + 40],
            [4; 32],
        ),
    };
    let (reply, _) = oneshot::channel();
    Ok(Job {
        entry: PreparedEntry {
            kind: EntryKind::LOOKUP_GRANTED,
            actor: [1; 16],
            fields_commitment: commitment,
            payload_commitment: None,
        },
        record: LedgerRecordRow {
            index: 0,
            tier: LedgerTier::Fields,
            salt,
            wrapped_key,
            ciphertext,
            subject_index: Some(vec![5; 32]),
        },
        reply,
    })
}

/// The group-commit writer of ADR 0103, as measured here: one batch transaction per wake-up, one
/// savepoint per job, replies only after COMMIT (synchronous=FULL on SQLite). Raw mode writes the
/// same rows with constant bytes instead of computing the leaf and the tree.
async fn group_commit_writer(
    db: Database,
    mut rx: mpsc::Receiver<Job>,
    mode: Mode,
    max_batch: usize,
    savepoints: bool,
) -> Result<(), String> {
    let mut state: Option<AppendState> = None;
    let base_ms = 1_764_201_600_000_i64;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        let head = tx.ledger_head().await.map_err(|e| e.to_string())?;
        // Another writer (or instance) appended since: reopen the right edge from stored nodes.
        let current = match state.take() {
            Some(s) if s.size() == head.size => s,
            _ => open_state(&mut tx, head.size, head.last_ts_ms).await?,
        };
        let snapshot = current.clone();
        let mut st = current;
        // Each use case runs in its own savepoint (its domain change would run there; one that
        // fails rolls back alone). The ledger rows of the use cases that succeeded are then
        // inserted with a few multi-row statements.
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut appended = Vec::with_capacity(batch.len());
        for job in &batch {
            let now_ms = base_ms + started.elapsed().as_millis() as i64;
            if savepoints {
                tx.savepoint("uc").await.map_err(|e| e.to_string())?;
                tx.release_savepoint("uc")
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let a = st.append(now_ms, &job.entry);
            let nodes: Vec<(u8, u64, [u8; 32])> = match mode {
                Mode::Ledger => a
                    .nodes
                    .iter()
                    .map(|(id, h)| (id.level, id.index, *h))
                    .collect(),
                Mode::Raw => a
                    .nodes
                    .iter()
                    .map(|(id, _)| (id.level, id.index, [6; 32]))
                    .collect(),
            };
            let record = LedgerRecordRow {
                index: a.index,
                ..job.record.clone()
            };
            outcomes.push(Ok(a.index));
            appended.push((a, nodes, [record]));
        }
        let rows: Vec<LedgerAppendRows<'_>> = appended
            .iter()
            .map(|(a, nodes, record)| LedgerAppendRows {
                index: a.index,
                timestamp_ms: a.timestamp_ms,
                leaf: match mode {
                    Mode::Ledger => &a.leaf,
                    Mode::Raw => &[9; 100],
                },
                nodes,
                records: record,
            })
            .collect();
        let inserted = tx.ledger_append_batch(&rows).await;
        drop(rows);
        let new_head = LedgerHead {
            size: st.size(),
            last_ts_ms: Some(base_ms + started.elapsed().as_millis() as i64),
        };
        let committed = match inserted {
            Ok(()) => match tx.ledger_set_head(new_head).await {
                Ok(()) => tx.commit().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match committed {
            Ok(()) => state = Some(st),
            Err(e) => {
                state = Some(snapshot);
                outcomes = outcomes.into_iter().map(|_| Err(e.to_string())).collect();
            }
        }
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            let _ = job.reply.send(outcome);
        }
    }
    Ok(())
}

async fn open_state(
    tx: &mut Tx,
    size: u64,
    last_ts_ms: Option<i64>,
) -> Result<AppendState, String> {
    let ids: Vec<(u8, u64)> = perfect_subtrees(0, size)
        .iter()
        .map(|n| (n.level, n.index))
        .collect();
    let hashes = tx.ledger_nodes(&ids).await.map_err(|e| e.to_string())?;
    // Only the right edge is needed; a sparse store answers exactly those ids.
    let mut edge = SparseNodes(Vec::new());
    for ((level, index), h) in ids.into_iter().zip(hashes) {
        let h = h.ok_or_else(|| format!("節點遺失 / missing ledger node ({level}, {index})"))?;
        edge.0.push((NodeId { level, index }, h));
    }
    AppendState::open(size, last_ts_ms, 86_400_000, &edge).map_err(|e| e.to_string())
}

/// A handful of nodes looked up by id.
struct SparseNodes(Vec<(NodeId, [u8; 32])>);

impl NodeStore for SparseNodes {
    fn node(&self, id: NodeId) -> Result<Option<[u8; 32]>, TreeError> {
        Ok(self.0.iter().find(|(n, _)| *n == id).map(|(_, h)| *h))
    }

    fn put_node(&mut self, id: NodeId, hash: [u8; 32]) -> Result<(), TreeError> {
        self.0.push((id, hash));
        Ok(())
    }
}
