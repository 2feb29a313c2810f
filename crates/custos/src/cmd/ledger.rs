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
use custos_ledger::bundle::{Bundle, Report, VerifyOptions, verify};
use custos_ledger::hash::leaf_hash;
use custos_ledger::memory::sample_ledger;
use custos_ledger::note::NoteVerifier;
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use custos_ledger::tree::{MemoryNodeStore, Tree};
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
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
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
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("custos ledger: {message}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

fn needs_store() -> String {
    "資料庫帳本尚未提供，請改用 --bundle / the database-backed ledger is not available in this \
     build yet; use --bundle with a file from `custos ledger export`"
        .to_owned()
}

fn read_bundle(path: &PathBuf) -> Result<Bundle, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("無法讀取 {0} / cannot read {0}: {e}", path.display()))?;
    Bundle::from_json(&bytes).map_err(|e| format!("{e} ({})", path.display()))
}

fn run_verify(a: &VerifyArgs) -> Result<ExitCode, String> {
    let Some(path) = &a.source.bundle else {
        return Err(needs_store());
    };
    let bundle = read_bundle(path)?;
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
    let Some(entries) = a.sample else {
        return Err(needs_store());
    };
    let mut rng = ChaCha20Rng::seed_from_u64(a.seed);
    let ledger = sample_ledger(
        "custos.sample/ledger",
        entries,
        a.checkpoint_every,
        &mut rng,
    )
    .map_err(|e| e.to_string())?;
    let bundle = ledger.export();
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
            ledger(&["verify", "--database-url", "sqlite:x.db"]),
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
}
