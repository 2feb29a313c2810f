//! `custos ledger`: offline verification of a ledger bundle, export, and proofs (J4.11, J1.D3).
//!
//! `verify` is what an external auditor runs, offline: it exits 0 when the ledger is intact, 1 when
//! anything is tampered or inconsistent (printing the first bad index), and 2 on usage errors or an
//! unreadable input. Verifying a data directory or database URL and exporting from the database
//! need the storage crate and say so; `export --sample N` writes a sample bundle meanwhile.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use custos_app::ledger_checks::{StartupCheckError, export_from, startup_check};
use custos_ledger::bundle::{Bundle, Report, VerifyOptions, verify};
use custos_ledger::hash::leaf_hash;
use custos_ledger::memory::sample_ledger;
use custos_ledger::note::NoteVerifier;
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use custos_ledger::record::SecretKey;
use custos_ledger::tree::{MemoryNodeStore, Tree};
use custos_store::{ConnectOptions, Database};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// Exit code when the ledger is tampered or inconsistent.
const EXIT_TAMPERED: u8 = 1;

/// Arguments of `custos ledger`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Verify a ledger: every leaf, node, record commitment, checkpoint signature and consistency.
    /// Exit 0 intact, 1 tampered or inconsistent, 2 usage error or unreadable input.
    Verify(VerifyArgs),
    /// Write a bundle (leaves, records still held, tombstones, checkpoints, public keys).
    Export(ExportArgs),
    /// Print an inclusion or consistency proof from a bundle, checked before it is printed.
    Proof(ProofArgs),
    /// The start-up check: the stored tree must reproduce the latest checkpoint's root.
    /// Exit 0 when it does, 1 when not (then run `custos ledger verify`), 2 when unreadable.
    Check(CheckArgs),
    /// Sign and publish a checkpoint now, over everything committed: stored, written to
    /// `<data>/checkpoints/` for witnesses, and printed. Creates the ledger keys at first use.
    Checkpoint(CheckpointArgs),
    /// Rotate the checkpoint signing key: the old key signs a `key_rotation` entry naming the new
    /// key, is kept retired (`ledger/checkpoint.<id>.skey.retired`) and stays in the key ring; the
    /// new key signs a checkpoint. Run it with the server stopped (a running server keeps signing
    /// with the old key until restarted).
    RotateKey(RotateKeyArgs),
}

#[derive(Debug, Args)]
struct RotateKeyArgs {
    /// The Custos data directory (its keys are in `ledger/`, its database is `custos.db`).
    #[arg(long)]
    data_dir: PathBuf,
    /// The database, when it is not the data directory's SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Who rotates the key (recorded in the entry).
    #[arg(long, default_value = "custos ledger rotate-key")]
    by: String,
}

#[derive(Debug, Args)]
struct CheckpointArgs {
    /// The Custos data directory (its keys are in `ledger/`, its database is `custos.db`).
    #[arg(long)]
    data_dir: PathBuf,
    /// The database, when it is not the data directory's SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The database (sqlite:PATH, a file path, or postgres://…).
    #[arg(long, required_unless_present = "data_dir")]
    database_url: Option<String>,
    /// A Custos data directory (its database is `custos.db` inside).
    #[arg(long, conflicts_with = "database_url")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[group(id = "source", required = true, multiple = false)]
struct SourceArgs {
    /// A bundle written by `custos ledger export`.
    #[arg(long, group = "source")]
    bundle: Option<PathBuf>,
    /// A Custos data directory (SQLite).
    #[arg(long, group = "source")]
    data_dir: Option<PathBuf>,
    /// A database URL (sqlite:… or postgres:…).
    #[arg(long, group = "source")]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// A checkpoint you kept from earlier (signed-note text): the log must still extend it.
    /// This catches a truncated log re-signed with the stored key.
    #[arg(long)]
    trusted_checkpoint: Option<PathBuf>,
    /// A public key you trust (`name+id+base64`), besides those in the bundle. Repeatable.
    #[arg(long)]
    trusted_key: Vec<String>,
    /// Forward clock jumps between consecutive entries beyond this many seconds are listed.
    #[arg(long, default_value_t = 86_400)]
    clock_jump_secs: i64,
    /// How many findings to print.
    #[arg(long, default_value_t = 20)]
    max_findings: usize,
    /// File holding the key-encryption key (64 hex digits) that opens the record tiers of a
    /// database; without it the tree, nodes and checkpoints are verified and records are not.
    #[arg(long)]
    kek_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
    /// The database to export (sqlite:PATH, a file path, or postgres://…).
    #[arg(long, conflicts_with = "sample")]
    database_url: Option<String>,
    /// A Custos data directory (its database is `custos.db` inside).
    #[arg(long, conflicts_with_all = ["sample", "database_url"])]
    data_dir: Option<PathBuf>,
    /// File holding the key-encryption key (64 hex digits): include the records still held,
    /// decrypted, so the auditor can recompute their commitments.
    #[arg(long)]
    kek_file: Option<PathBuf>,
    /// Export a generated sample ledger of N entries instead of the database (for trials and
    /// auditor training; the database export needs the storage crate).
    #[arg(long)]
    sample: Option<u64>,
    /// Seed of the sample ledger.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Sign a checkpoint every N sample entries.
    #[arg(long, default_value_t = 1000)]
    checkpoint_every: u64,
    /// Also write the latest checkpoint here (an auditor keeps it for `--trusted-checkpoint`).
    #[arg(long)]
    checkpoint_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ProofArgs {
    #[command(subcommand)]
    kind: ProofKind,
}

#[derive(Debug, Subcommand)]
enum ProofKind {
    /// Inclusion proof of entry INDEX in the tree of SIZE entries (default: all).
    Inclusion {
        /// The bundle.
        #[arg(long)]
        bundle: PathBuf,
        /// The entry index.
        #[arg(long)]
        index: u64,
        /// The tree size (default: the whole bundle).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Consistency proof from the tree of FROM entries to the tree of TO entries.
    Consistency {
        /// The bundle.
        #[arg(long)]
        bundle: PathBuf,
        /// The older size.
        #[arg(long)]
        from: u64,
        /// The newer size (default: the whole bundle).
        #[arg(long)]
        to: Option<u64>,
    },
}

/// Runs `custos ledger`.
pub fn run(args: LedgerArgs) -> ExitCode {
    let result = match args.command {
        LedgerCommand::Verify(a) => run_verify(&a),
        LedgerCommand::Export(a) => run_export(&a),
        LedgerCommand::Proof(a) => run_proof(a.kind),
        LedgerCommand::Check(a) => run_check(&a),
        LedgerCommand::Checkpoint(a) => run_checkpoint(&a),
        LedgerCommand::RotateKey(a) => run_rotate_key(&a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("custos ledger: {message}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

fn database_url(url: Option<&String>, data_dir: Option<&PathBuf>) -> Option<String> {
    url.cloned()
        .or_else(|| data_dir.map(|d| d.join("custos.db").display().to_string()))
}

fn read_kek(path: Option<&PathBuf>) -> Result<Option<SecretKey>, String> {
    let Some(p) = path else { return Ok(None) };
    let text = std::fs::read_to_string(p)
        .map_err(|e| format!("無法讀取 {0} / cannot read {0}: {e}", p.display()))?;
    let bytes = hex::decode(text.trim()).map_err(|e| format!("{}: {e}", p.display()))?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| {
        format!(
            "金鑰須為 64 個十六進位數字 / the key must be 64 hex digits ({})",
            p.display()
        )
    })?;
    Ok(Some(SecretKey(key)))
}

/// Reads the whole ledger of a database into a bundle, from one read snapshot. With `kek`, the
/// records still held are decrypted (a record that does not decrypt is exported empty, so its
/// commitment check names it); without, records are left out.
async fn export_database(url: &str, kek: Option<&SecretKey>) -> Result<Bundle, String> {
    // Never create a database that is not there: verifying nothing is not "intact".
    let opts = ConnectOptions {
        create_if_missing: false,
        max_connections: 1,
        ..ConnectOptions::default()
    };
    let db = Database::connect(url, opts)
        .await
        .map_err(|e| e.to_string())?;
    let bundle = export_from(&db, kek).await.map_err(|e| e.to_string());
    db.close().await;
    bundle
}

fn run_check(a: &CheckArgs) -> Result<ExitCode, String> {
    let Some(url) = database_url(a.database_url.as_ref(), a.data_dir.as_ref()) else {
        return Err(
            "請指定 --database-url 或 --data-dir / give --database-url or --data-dir".into(),
        );
    };
    let result = block_on(async {
        let opts = ConnectOptions {
            create_if_missing: false,
            max_connections: 1,
            ..ConnectOptions::default()
        };
        let db = Database::connect(&url, opts)
            .await
            .map_err(|e| e.to_string())?;
        let r = startup_check(&db).await;
        db.close().await;
        Ok(r)
    })?;
    match result {
        Ok(()) => {
            println!("帳本與最新檢查點一致 / the stored ledger matches its latest checkpoint");
            Ok(ExitCode::SUCCESS)
        }
        Err(StartupCheckError::Mismatch(m)) => {
            println!("{m}");
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
        Err(StartupCheckError::Unreadable(m)) => Err(m),
    }
}

fn run_checkpoint(a: &CheckpointArgs) -> Result<ExitCode, String> {
    let url = database_url(a.database_url.as_ref(), Some(&a.data_dir)).unwrap_or_default();
    let published = block_on(async {
        let services = crate::wiring::Services::open_in(&url, &a.data_dir)
            .await
            .map_err(|e| e.to_string())?;
        let published = services
            .ledger
            .checkpoint()
            .await
            .map_err(|e| e.to_string());
        services.ledger.shutdown().await;
        services.db.close().await;
        published
    })?;
    print!("{}", published.note);
    if let Some(file) = &published.file {
        eprintln!(
            "檢查點已發布（{} 筆）/ checkpoint published ({} entries): {}",
            published.size,
            published.size,
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_rotate_key(a: &RotateKeyArgs) -> Result<ExitCode, String> {
    let url = database_url(a.database_url.as_ref(), Some(&a.data_dir)).unwrap_or_default();
    let rotated = block_on(async {
        // Connects, migrates and runs the start-up check: a ledger that fails it is not rotated.
        let db = crate::wiring::open_database(&url)
            .await
            .map_err(|e| e.to_string())?;
        let clock: std::sync::Arc<dyn custos_domain::clock::Clock> =
            std::sync::Arc::new(custos_domain::clock::SystemClock);
        let mut rng = ChaCha20Rng::from_seed(os_seed()?);
        let rotated = custos_app::ledger_keys::rotate_signing_key(
            &db,
            clock,
            &a.data_dir.join("ledger"),
            Some(a.data_dir.join("checkpoints")),
            &a.by,
            &mut rng,
            os_seed()?,
        )
        .await
        .map_err(|e| e.to_string());
        db.close().await;
        rotated
    })?;
    println!(
        "簽章金鑰已輪替 / signing key rotated\n  old: {}\n  new: {}\n  retired: {}\n  \
         key_rotation entry: {}\n  checkpoints ({} entries): old key and new key",
        rotated.old_key,
        rotated.new_key,
        rotated.retired_file.display(),
        rotated.entry.index,
        rotated.new_key_checkpoint.size,
    );
    Ok(ExitCode::SUCCESS)
}

/// 32 bytes of OS randomness (new keys, record sealing).
fn os_seed() -> Result<[u8; 32], String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| format!("無法取得系統亂數 / cannot read randomness from the OS: {e}"))?;
    Ok(seed)
}

fn block_on<T>(f: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(f)
}

fn read_bundle(path: &PathBuf) -> Result<Bundle, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("無法讀取 {0} / cannot read {0}: {e}", path.display()))?;
    Bundle::from_json(&bytes).map_err(|e| format!("{e} ({})", path.display()))
}

fn run_verify(a: &VerifyArgs) -> Result<ExitCode, String> {
    let kek = read_kek(a.kek_file.as_ref())?;
    let bundle = match (&a.source.bundle, database_url(a.source.database_url.as_ref(), a.source.data_dir.as_ref())) {
        (Some(path), _) => read_bundle(path)?,
        (None, Some(url)) => block_on(export_database(&url, kek.as_ref()))?,
        (None, None) => return Err("請指定 --bundle、--data-dir 或 --database-url / give --bundle, --data-dir or --database-url".into()),
    };
    let records_withheld = a.source.bundle.is_none() && kek.is_none();
    let trusted_checkpoint = match &a.trusted_checkpoint {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| format!("無法讀取 {0} / cannot read {0}: {e}", p.display()))?,
        ),
        None => None,
    };
    let trusted_keys = a
        .trusted_key
        .iter()
        .map(|k| NoteVerifier::parse(k).map_err(|e| format!("--trusted-key {k}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = VerifyOptions {
        trusted_checkpoint,
        trusted_keys,
        clock_jump_threshold_ms: a.clock_jump_secs.saturating_mul(1000),
        records_withheld,
    };
    let report = verify(&bundle, &opts).map_err(|e| e.to_string())?;
    print_report(&report, a.max_findings);
    Ok(if report.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_TAMPERED)
    })
}

fn print_report(r: &Report, max_findings: usize) {
    println!(
        "entries={} checkpoints_verified={} records_checked={} tombstones={} unsigned_tail={}",
        r.size, r.checkpoints_verified, r.records_checked, r.tombstones, r.unsigned_tail
    );
    for (index, jump) in r.clock_jumps.iter().take(max_findings) {
        println!("時鐘跳動 / clock jump at entry {index}: {jump:?}");
    }
    if r.intact() {
        println!("帳本完整 / ledger intact");
        return;
    }
    println!("帳本遭竄改或不一致 / ledger tampered or inconsistent");
    if let Some(first) = r.first_bad() {
        match first.location.index() {
            Some(i) => println!("第一個錯誤索引 / first bad index: {i} ({})", first.location),
            None => println!("第一個錯誤 / first problem: {}", first.location),
        }
    }
    println!("發現 / findings: {}", r.findings.len());
    for f in r.findings.iter().take(max_findings) {
        println!("  {}: {}", f.location, f.problem);
    }
}

fn run_export(a: &ExportArgs) -> Result<ExitCode, String> {
    let bundle = if let Some(entries) = a.sample {
        let mut rng = ChaCha20Rng::seed_from_u64(a.seed);
        sample_ledger(
            "custos.sample/ledger",
            entries,
            a.checkpoint_every,
            &mut rng,
        )
        .map_err(|e| e.to_string())?
        .export()
    } else if let Some(url) = database_url(a.database_url.as_ref(), a.data_dir.as_ref()) {
        let kek = read_kek(a.kek_file.as_ref())?;
        if kek.is_none() {
            eprintln!(
                "custos ledger export: 未提供 --kek-file，匯出檔不含紀錄內容 / no --kek-file: the \
                 bundle leaves the records out (the tree, nodes and checkpoints stay verifiable)"
            );
        }
        block_on(export_database(&url, kek.as_ref()))?
    } else {
        return Err(
            "請指定 --database-url、--data-dir 或 --sample / give --database-url, --data-dir or --sample"
                .into(),
        );
    };
    let json = bundle.to_json().map_err(|e| e.to_string())?;
    std::fs::write(&a.out, json)
        .map_err(|e| format!("無法寫入 {0} / cannot write {0}: {e}", a.out.display()))?;
    if let (Some(p), Some(cp)) = (&a.checkpoint_out, bundle.checkpoints.last()) {
        std::fs::write(p, cp)
            .map_err(|e| format!("無法寫入 {0} / cannot write {0}: {e}", p.display()))?;
    }
    println!(
        "已匯出 / exported {} entries, {} checkpoints to {}",
        bundle.leaves.len(),
        bundle.checkpoints.len(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn tree_of(bundle: &Bundle) -> Result<Tree<MemoryNodeStore>, String> {
    let mut t = Tree::new(MemoryNodeStore::new());
    for l in &bundle.leaves {
        t.append(&l.0).map_err(|e| e.to_string())?;
    }
    Ok(t)
}

fn run_proof(kind: ProofKind) -> Result<ExitCode, String> {
    let out = match kind {
        ProofKind::Inclusion {
            bundle,
            index,
            size,
        } => {
            let b = read_bundle(&bundle)?;
            let t = tree_of(&b)?;
            let size = size.unwrap_or(t.size());
            let proof = t.inclusion_proof(index, size).map_err(|e| e.to_string())?;
            let root = t.root_at(size).map_err(|e| e.to_string())?;
            let leaf = b
                .leaves
                .get(usize::try_from(index).map_err(|e| e.to_string())?)
                .ok_or("索引超出範圍 / index out of range")?;
            let lh = leaf_hash(&leaf.0);
            verify_inclusion(index, size, &lh, &proof, &root).map_err(|e| e.to_string())?;
            serde_json::json!({
                "type": "inclusion",
                "index": index,
                "tree_size": size,
                "leaf_hash": hex::encode(lh),
                "root_hash": hex::encode(root),
                "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
            })
        }
        ProofKind::Consistency { bundle, from, to } => {
            let b = read_bundle(&bundle)?;
            let t = tree_of(&b)?;
            let to = to.unwrap_or(t.size());
            let proof = t.consistency_proof(from, to).map_err(|e| e.to_string())?;
            let (r1, r2) = (
                t.root_at(from).map_err(|e| e.to_string())?,
                t.root_at(to).map_err(|e| e.to_string())?,
            );
            verify_consistency(from, to, &r1, &r2, &proof).map_err(|e| e.to_string())?;
            serde_json::json!({
                "type": "consistency",
                "first_size": from,
                "second_size": to,
                "first_root": hex::encode(r1),
                "second_root": hex::encode(r2),
                "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
            })
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{out:#}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use custos_app::ledger::{EntryRows, NewLedgerEntry, SealedLedgerEntry};
    use custos_ledger::bundle::Location;
    use custos_ledger::checkpoint::Checkpoint;
    use custos_ledger::record::Tier;
    use rand_chacha::ChaCha20Rng;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: LedgerArgs,
    }

    fn ledger(args: &[&str]) -> ExitCode {
        let mut argv = vec!["ledger"];
        argv.extend_from_slice(args);
        run(Cli::try_parse_from(argv).unwrap().args)
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("custos-ledger-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_exported_bundle_verifies_and_a_changed_byte_exits_1() {
        let d = temp_dir("tamper");
        let (b, cp) = (d.join("b.json"), d.join("cp.txt"));
        let (bs, cps) = (b.to_str().unwrap(), cp.to_str().unwrap());
        assert_eq!(
            ledger(&[
                "export",
                "--sample",
                "300",
                "--checkpoint-every",
                "50",
                "--out",
                bs,
                "--checkpoint-out",
                cps
            ]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            ledger(&["verify", "--bundle", bs, "--trusted-checkpoint", cps]),
            ExitCode::SUCCESS
        );

        let mut bundle = Bundle::from_json(&std::fs::read(&b).unwrap()).unwrap();
        bundle.leaves[123].0[40] ^= 0x20;
        std::fs::write(&b, bundle.to_json().unwrap()).unwrap();
        let report = verify(&bundle, &VerifyOptions::default()).unwrap();
        assert_eq!(report.first_bad().unwrap().location.index(), Some(123));
        assert_eq!(
            ledger(&["verify", "--bundle", bs]),
            ExitCode::from(EXIT_TAMPERED)
        );
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_truncated_bundle_exits_1_given_the_earlier_checkpoint() {
        let d = temp_dir("trunc");
        let (b, cp) = (d.join("b.json"), d.join("cp.txt"));
        let (bs, cps) = (b.to_str().unwrap(), cp.to_str().unwrap());
        ledger(&[
            "export",
            "--sample",
            "120",
            "--out",
            bs,
            "--checkpoint-out",
            cps,
        ]);
        let mut bundle = Bundle::from_json(&std::fs::read(&b).unwrap()).unwrap();
        bundle.leaves.truncate(100);
        std::fs::write(&b, bundle.to_json().unwrap()).unwrap();
        assert_eq!(
            ledger(&["verify", "--bundle", bs, "--trusted-checkpoint", cps]),
            ExitCode::from(EXIT_TAMPERED)
        );
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn unreadable_input_and_missing_backends_exit_2() {
        let d = temp_dir("usage");
        let b = d.join("garbage.json");
        std::fs::write(&b, b"{not json").unwrap();
        assert_eq!(
            ledger(&["verify", "--bundle", b.to_str().unwrap()]),
            ExitCode::from(2)
        );
        assert_eq!(
            ledger(&["verify", "--bundle", "/nonexistent/b.json"]),
            ExitCode::from(2)
        );
        assert_eq!(
            ledger(&["verify", "--database-url", "/nonexistent/custos/x.db"]),
            ExitCode::from(2)
        );
        assert_eq!(
            ledger(&["export", "--out", d.join("x").to_str().unwrap()]),
            ExitCode::from(2)
        );
        assert!(Cli::try_parse_from(["ledger", "verify"]).is_err());
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn proofs_print_for_a_bundle() {
        let d = temp_dir("proof");
        let b = d.join("b.json");
        let bs = b.to_str().unwrap();
        ledger(&["export", "--sample", "50", "--out", bs]);
        assert_eq!(
            ledger(&["proof", "inclusion", "--bundle", bs, "--index", "7"]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            ledger(&[
                "proof",
                "consistency",
                "--bundle",
                bs,
                "--from",
                "9",
                "--to",
                "40"
            ]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            ledger(&["proof", "inclusion", "--bundle", bs, "--index", "70"]),
            ExitCode::from(2)
        );
        std::fs::remove_dir_all(d).unwrap();
    }

    /// A current-thread runtime for the asynchronous parts of a test.
    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// The test ledger's checkpoint signer.
    fn test_signer() -> custos_ledger::note::NoteSigner {
        custos_ledger::note::NoteSigner::from_seed("custos.test/ledger", &[3; 32]).unwrap()
    }

    /// Signs a checkpoint of `size` entries with root `root` and stores it.
    async fn sign_checkpoint(tx: &mut custos_store::Tx, size: u64, root: [u8; 32]) {
        let note = Checkpoint::new("custos.test/ledger", size, root)
            .sign(&test_signer())
            .unwrap()
            .to_string();
        tx.ledger_insert_checkpoint(size, &note, 0).await.unwrap();
    }

    /// Seals `entries` (each with its clock reading) under `kek` and appends them in one
    /// transaction with the new head, as the group-commit writer does.
    async fn append_batch(
        tx: &mut custos_store::Tx,
        state: &mut custos_ledger::append::AppendState,
        kek: &SecretKey,
        rng: &mut ChaCha20Rng,
        entries: Vec<(i64, NewLedgerEntry)>,
    ) {
        let appended: Vec<EntryRows> = entries
            .into_iter()
            .map(|(now, entry)| {
                let sealed = SealedLedgerEntry::seal(rng, kek, &entry).unwrap();
                EntryRows::append(state, now, sealed)
            })
            .collect();
        let rows: Vec<_> = appended.iter().map(EntryRows::rows).collect();
        let head = custos_store::ledger::LedgerHead {
            size: state.size(),
            last_ts_ms: None,
        };
        tx.ledger_append_batch_head(&rows, Some(head))
            .await
            .unwrap();
    }

    /// An entry of `kind` by `account`: `conditions` in its fields, `payload` if any.
    fn test_entry(
        kind: custos_ledger::leaf::EntryKind,
        account: &str,
        at_ms: i64,
        conditions: String,
        payload: Option<&[u8]>,
    ) -> NewLedgerEntry {
        NewLedgerEntry {
            kind,
            actor: [1; 16],
            record: custos_ledger::record::AuditRecord {
                account: account.into(),
                ip: "10.0.0.1".into(),
                occurred_at_ms: at_ms,
                operation_code: "Z21".into(),
                conditions,
                case_number: "2026-1".into(),
                reason: "credit review".into(),
            },
            payload: payload.map(<[u8]>::to_vec),
            subject_index: None,
        }
    }

    /// Writes a small ledger through the store, the way the group-commit writer does: sealed
    /// records, leaf and node rows, a signed checkpoint after each batch.
    async fn write_sqlite_ledger(path: &std::path::Path, kek: &SecretKey) {
        use custos_ledger::append::AppendState;
        use custos_ledger::leaf::EntryKind;

        let db = Database::connect(path.to_str().unwrap(), ConnectOptions::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let signer = test_signer();
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut state = AppendState::new(86_400_000);
        let mut tx = db.begin().await.unwrap();
        tx.ledger_insert_key(&signer.verifier().to_string(), 0)
            .await
            .unwrap();
        for batch in 0..4i64 {
            let entries = (0..10i64)
                .map(|j| {
                    let now = 1_764_201_600_000 + batch * 1_000 + j;
                    let payload = (j % 3 == 0).then_some(&b"result"[..]);
                    let conditions = format!("A12345678{j}");
                    let entry = test_entry(
                        EntryKind::LOOKUP_GRANTED,
                        "teller01",
                        now,
                        conditions,
                        payload,
                    );
                    (now, entry)
                })
                .collect();
            append_batch(&mut tx, &mut state, kek, &mut rng, entries).await;
            sign_checkpoint(&mut tx, state.size(), state.root()).await;
        }
        tx.commit().await.unwrap();
        db.close().await;
    }

    /// `verify` and `check` on a database: exit 0 while intact; a checkpoint over another root,
    /// signed with the ledger's own key, makes both exit 1. (Every changed stored byte is named
    /// by `custos_app::ledger_checks`' tests.)
    #[test]
    fn a_database_ledger_verifies_and_checks_and_a_forged_checkpoint_exits_1() {
        let d = temp_dir("db");
        let path = d.join("custos.db");
        let url = path.to_str().unwrap();
        let rt = runtime();
        rt.block_on(write_sqlite_ledger(&path, &SecretKey([4; 32])));
        assert_eq!(
            ledger(&["verify", "--database-url", url]),
            ExitCode::SUCCESS
        );
        assert_eq!(ledger(&["check", "--database-url", url]), ExitCode::SUCCESS);
        rt.block_on(async {
            let db = Database::connect(url, ConnectOptions::default())
                .await
                .unwrap();
            let mut tx = db.begin().await.unwrap();
            sign_checkpoint(&mut tx, 40, [7; 32]).await;
            tx.commit().await.unwrap();
            db.close().await;
        });
        assert_eq!(
            ledger(&["check", "--database-url", url]),
            ExitCode::from(EXIT_TAMPERED)
        );
        assert_eq!(
            ledger(&["verify", "--database-url", url]),
            ExitCode::from(EXIT_TAMPERED)
        );
        std::fs::remove_dir_all(d).unwrap();
    }

    /// Run by the crash test as a child process: appends batches for ever, signing a checkpoint
    /// only after each batch is committed, and reports each durable checkpoint on stdout.
    #[test]
    #[ignore = "run as a child process by the crash test"]
    fn crash_child_writer() {
        use custos_ledger::append::AppendState;

        let Ok(path) = std::env::var("CUSTOS_CRASH_DB") else {
            return;
        };
        let rt = runtime();
        rt.block_on(async {
            let db = Database::connect(&path, ConnectOptions::default())
                .await
                .unwrap();
            let kek = SecretKey([4; 32]);
            let mut rng = ChaCha20Rng::seed_from_u64(5);
            let mut state = AppendState::new(86_400_000);
            for round in 0u64.. {
                let mut tx = db.begin().await.unwrap();
                let first = 1_764_201_600_000 + state.size() as i64;
                let entries = (0..7)
                    .map(|k| {
                        let now = first + k;
                        let kind = custos_ledger::leaf::EntryKind::SIGN_IN;
                        (now, test_entry(kind, "user", now, String::new(), None))
                    })
                    .collect();
                append_batch(&mut tx, &mut state, &kek, &mut rng, entries).await;
                tx.commit().await.unwrap();
                // Durable now: only now is the checkpoint signed.
                let mut tx = db.begin().await.unwrap();
                sign_checkpoint(&mut tx, state.size(), state.root()).await;
                tx.commit().await.unwrap();
                println!("durable checkpoint {round} at {}", state.size());
            }
        });
    }

    #[test]
    fn a_writer_killed_mid_batch_leaves_a_ledger_that_starts_and_verifies() {
        use std::io::BufRead;
        use std::process::{Command, Stdio};

        let d = temp_dir("crash");
        let path = d.join("custos.db");
        let url = path.to_str().unwrap().to_owned();
        let rt = runtime();
        rt.block_on(async {
            let db = Database::connect(&url, ConnectOptions::default())
                .await
                .unwrap();
            db.migrate().await.unwrap();
            let mut tx = db.begin().await.unwrap();
            tx.ledger_insert_key(&test_signer().verifier().to_string(), 0)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            db.close().await;
        });
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "cmd::ledger::tests::crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CUSTOS_CRASH_DB", &url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut seen = 0;
        for line in std::io::BufReader::new(stdout).lines() {
            if line.unwrap().starts_with("durable checkpoint") {
                seen += 1;
                if seen == 25 {
                    break;
                }
            }
        }
        assert_eq!(seen, 25, "the child writer stopped early");
        // SIGKILL: no chance to finish the batch it is writing.
        child.kill().unwrap();
        child.wait().unwrap();

        rt.block_on(async {
            let db = Database::connect(&url, ConnectOptions::default())
                .await
                .unwrap();
            assert!(startup_check(&db).await.is_ok());
            db.close().await;
            let kek = SecretKey([4; 32]);
            let bundle = export_database(&url, Some(&kek)).await.unwrap();
            let r = verify(&bundle, &VerifyOptions::default()).unwrap();
            assert!(r.intact(), "{:?}", r.findings);
            assert!(r.checkpoints_verified >= 25);
            assert_eq!(r.size % 7, 0, "a torn batch");
        });
        std::fs::remove_dir_all(d).unwrap();
    }

    /// A data directory whose database is seeded with the demo world through the writer (its
    /// keys created at first start), closed after a published checkpoint. Returns the runtime and
    /// the checkpoint's size.
    fn seeded_data_dir(dir: &std::path::Path, url: &str) -> (tokio::runtime::Runtime, u64) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let size = rt.block_on(async {
            let services = crate::wiring::Services::open_in(url, dir).await.unwrap();
            assert!(crate::demo_world::seed(&services).await.unwrap());
            let published = services.ledger.checkpoint().await.unwrap();
            services.ledger.shutdown().await;
            services.db.close().await;
            published.size
        });
        (rt, size)
    }

    /// Seeding the demo world writes ledger entries through the writer; a published checkpoint
    /// covers them, the keys are reloaded at the next start, and the database verifies intact
    /// with the data directory's key-encryption key (J0.4, J4.11, ADR 0103).
    #[test]
    fn seeded_organisation_changes_are_ledger_entries_that_verify() {
        let dir = temp_dir("seeded");
        let url = dir.join("custos.db").display().to_string();
        let (rt, size) = seeded_data_dir(&dir, &url);
        assert!(size >= 2, "institutions and org units are ledger entries");
        assert!(dir.join("checkpoints/checkpoint").exists());
        // On demand, from the command line, with the keys created at first start.
        assert_eq!(
            ledger(&["checkpoint", "--data-dir", dir.to_str().unwrap()]),
            ExitCode::SUCCESS
        );
        let kek = dir.join("ledger/kek.hex");
        let bundle = rt
            .block_on(export_database(
                &url,
                read_kek(Some(&kek)).unwrap().as_ref(),
            ))
            .unwrap();
        assert_eq!(bundle.leaves.len() as u64, size);
        assert_eq!(bundle.checkpoints.len(), 2);
        let report = verify(&bundle, &VerifyOptions::default()).unwrap();
        assert!(report.intact(), "{:?}", report.first_bad());
        assert_eq!(
            report.records_checked as u64,
            size * 2,
            "fields and payload"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Key rotation (issue #3 item 2): the old key signs the hand-over and is kept retired with
    /// mode 0600, both public keys stay in the key ring, the start-up check and `verify` (data
    /// dir and bundle) pass with checkpoints signed by either key, and a checkpoint signed by an
    /// unknown key — or by a key removed from the bundle — fails verification.
    #[test]
    fn a_rotated_key_keeps_every_checkpoint_verifiable_and_an_unknown_key_fails() {
        let dir = temp_dir("rotate");
        let d = dir.to_str().unwrap();
        let url = dir.join("custos.db").display().to_string();
        let (rt, _) = seeded_data_dir(&dir, &url);
        let skey = dir.join("ledger/checkpoint.skey");
        let old_skey = std::fs::read_to_string(&skey).unwrap();
        assert_eq!(ledger(&["rotate-key", "--data-dir", d]), ExitCode::SUCCESS);
        let new_skey = std::fs::read_to_string(&skey).unwrap();
        assert_ne!(old_skey, new_skey);
        let old_signer = custos_ledger::note::NoteSigner::from_skey(old_skey.trim()).unwrap();
        let new_signer = custos_ledger::note::NoteSigner::from_skey(new_skey.trim()).unwrap();
        assert_eq!(old_signer.name(), new_signer.name());
        assert_ne!(old_signer.id(), new_signer.id());
        let retired = dir.join(format!(
            "ledger/checkpoint.{:08x}.skey.retired",
            old_signer.id()
        ));
        assert_eq!(std::fs::read_to_string(&retired).unwrap(), old_skey);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&retired).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The next start loads the new key; its checkpoints and the old ones all verify.
        assert_eq!(ledger(&["checkpoint", "--data-dir", d]), ExitCode::SUCCESS);
        assert_eq!(ledger(&["check", "--data-dir", d]), ExitCode::SUCCESS);
        let kek = dir.join("ledger/kek.hex");
        let ks = kek.to_str().unwrap();
        assert_eq!(
            ledger(&["verify", "--data-dir", d, "--kek-file", ks]),
            ExitCode::SUCCESS
        );
        let mut bundle = rt
            .block_on(export_database(
                &url,
                read_kek(Some(&kek)).unwrap().as_ref(),
            ))
            .unwrap();
        assert_eq!(bundle.public_keys.len(), 2);
        let signers: std::collections::BTreeSet<u32> = bundle
            .checkpoints
            .iter()
            .flat_map(|n| {
                custos_ledger::note::SignedNote::parse(n)
                    .unwrap()
                    .signatures()
                    .iter()
                    .map(|s| s.id)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            signers,
            [old_signer.id(), new_signer.id()].into_iter().collect()
        );
        assert!(verify(&bundle, &VerifyOptions::default()).unwrap().intact());
        // The key_rotation entry names both keys in its payload, covered by both keys' checkpoints.
        let rotation = bundle
            .leaves
            .iter()
            .map(|l| custos_ledger::leaf::Leaf::decode(&l.0).unwrap())
            .find(|l| l.kind == custos_ledger::leaf::EntryKind::KEY_ROTATION)
            .unwrap();
        let payload = bundle
            .records
            .iter()
            .find(|r| r.index == rotation.index && r.tier == Tier::Payload)
            .unwrap();
        let payload = String::from_utf8(payload.canonical.0.clone()).unwrap();
        assert!(payload.contains(&old_signer.verifier().to_string()));
        assert!(payload.contains(&new_signer.verifier().to_string()));

        // Without the old public key, the checkpoints it signed fail.
        let mut without_old = bundle.clone();
        without_old
            .public_keys
            .retain(|k| *k != old_signer.verifier().to_string());
        let report = verify(&without_old, &VerifyOptions::default()).unwrap();
        assert!(!report.intact());
        assert!(
            report
                .findings
                .iter()
                .all(|f| matches!(f.location, Location::Checkpoint { .. }))
        );
        // A checkpoint signed by a key the ledger never had fails, even over the right root.
        let stranger =
            custos_ledger::note::NoteSigner::from_seed(old_signer.name(), &[7; 32]).unwrap();
        let tree = tree_of(&bundle).unwrap();
        let forged = Checkpoint::new(old_signer.name(), tree.size(), tree.root())
            .sign(&stranger)
            .unwrap()
            .to_string();
        bundle.checkpoints.push(forged);
        let report = verify(&bundle, &VerifyOptions::default()).unwrap();
        assert_eq!(
            report.first_bad().map(|f| &f.location),
            Some(&Location::Checkpoint {
                ordinal: bundle.checkpoints.len() - 1
            })
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
