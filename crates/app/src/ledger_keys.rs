//! Rotation of the checkpoint signing key (issue #3 item 2: "rotation supported, old public keys
//! kept"; docs/ledger.md, "Key rotation").
//!
//! [`rotate_signing_key`] hands the log over from the old Ed25519 key to a new one with the same
//! name (the origin), so the new key has a new key id:
//!
//! 1. with the old key, a `key_rotation` entry (kind 25) is appended whose payload names both
//!    verifier keys, and a checkpoint over it is signed — the old key itself vouches for its
//!    successor, so an auditor who trusts only the old key can follow the hand-over;
//! 2. the old private key file is kept, retired, as `checkpoint.<old key id>.skey.retired`
//!    (mode 0600), and `checkpoint.skey` is replaced atomically by the new key;
//! 3. the new public key is added to `ledger_keys` (the old one stays: old checkpoints still
//!    verify), and a checkpoint of the same size is signed with the new key.
//!
//! Invariants: the signing key file is always either the old or the new key (write, fsync,
//! rename); the old key is never deleted; nothing is signed over uncommitted state (both
//! checkpoints come from the writer, between batches). Run it with the server stopped: a running
//! server keeps signing with the key it loaded (its checkpoints still verify, the old key stays
//! in the key ring) until it is restarted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use custos_domain::clock::Clock;
use custos_ledger::leaf::EntryKind;
use custos_ledger::note::NoteSigner;
use custos_ledger::record::AuditRecord;
use custos_store::Database;
use rand_core::CryptoRng;

use crate::error::AppError;
use crate::ledger::{
    EntryReceipt, KEK_FILE, LedgerKeys, LedgerWriter, NewLedgerEntry, PublishedCheckpoint,
    SIGNING_KEY_FILE, WriterSettings,
};

/// The operation code of a key rotation entry.
pub const KEY_ROTATION_OPERATION: &str = "ledger.key_rotation";

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRotation {
    /// The old verifier key (`name+hexid+base64`).
    pub old_key: String,
    /// The new verifier key.
    pub new_key: String,
    /// Where the old private key was kept.
    pub retired_file: PathBuf,
    /// The `key_rotation` entry.
    pub entry: EntryReceipt,
    /// The checkpoint signed with the old key, covering the rotation entry.
    pub old_key_checkpoint: PublishedCheckpoint,
    /// The checkpoint of the same size signed with the new key.
    pub new_key_checkpoint: PublishedCheckpoint,
}

/// The file name a retired signing key is kept under.
pub fn retired_key_file(old_key_id: u32) -> String {
    format!("checkpoint.{old_key_id:08x}.skey.retired")
}

fn io_error(p: &Path, e: &std::io::Error) -> AppError {
    AppError::Rule(format!(
        "無法寫入帳本金鑰 {0} / cannot write the ledger key {0}: {e}",
        p.display()
    ))
}

/// Rotates the checkpoint signing key kept in `key_dir` (`<data>/ledger/`); see the module
/// documentation for the steps. `by` names who rotated (recorded in the entry's fields tier);
/// `rng` draws the new key, `seal_seed` seeds the sealing of the rotation entry's record.
pub async fn rotate_signing_key(
    db: &Database,
    clock: Arc<dyn Clock>,
    key_dir: &Path,
    witness_dir: Option<PathBuf>,
    by: &str,
    rng: &mut impl CryptoRng,
    seal_seed: [u8; 32],
) -> Result<KeyRotation, AppError> {
    let skey_path = key_dir.join(SIGNING_KEY_FILE);
    if !skey_path.exists() || !key_dir.join(KEK_FILE).exists() {
        return Err(AppError::Rule(format!(
            "{0} 中沒有帳本金鑰，無從輪替 / there are no ledger keys in {0} to rotate",
            key_dir.display()
        )));
    }
    let (old, _) = LedgerKeys::load_or_create(key_dir, "unused.invalid/ledger", rng)?;
    old.register(db, clock.as_ref()).await?;
    let new_signer = NoteSigner::generate(old.signer.name(), rng)
        .map_err(|e| AppError::Rule(format!("無法產生新金鑰 / cannot make the new key: {e}")))?;
    if new_signer.id() == old.signer.id() {
        return Err(AppError::Rule(
            "新金鑰編號與舊金鑰相同，請重試 / the new key id equals the old one; run again".into(),
        ));
    }
    let (old_key, new_key) = (
        old.signer.verifier().to_string(),
        new_signer.verifier().to_string(),
    );

    // 1. The old key vouches for the new one.
    let now = clock.now();
    let entry = NewLedgerEntry {
        kind: EntryKind::KEY_ROTATION,
        actor: [0; 16],
        record: AuditRecord {
            account: by.to_owned(),
            ip: String::new(),
            occurred_at_ms: now.timestamp_millis(),
            operation_code: KEY_ROTATION_OPERATION.to_owned(),
            conditions: format!("{:08x} -> {:08x}", old.signer.id(), new_signer.id()),
            case_number: String::new(),
            reason: "檢查點簽章金鑰輪替 / checkpoint signing key rotated".to_owned(),
        },
        payload: Some(
            serde_json::json!({ "old_key": old_key, "new_key": new_key })
                .to_string()
                .into_bytes(),
        ),
        subject_index: None,
    };
    let writer = LedgerWriter::start(
        db.clone(),
        clock.clone(),
        old.clone(),
        seal_seed,
        witness_dir.clone(),
        WriterSettings::default(),
    );
    let appended = match writer.seal(&entry) {
        Ok(sealed) => writer.append(sealed).await,
        Err(e) => Err(e),
    };
    let (entry_receipt, old_key_checkpoint) = match appended {
        Ok(receipt) => match writer.checkpoint().await {
            Ok(cp) => (receipt, cp),
            Err(e) => {
                writer.shutdown().await;
                return Err(e);
            }
        },
        Err(e) => {
            writer.shutdown().await;
            return Err(e);
        }
    };
    writer.shutdown().await;

    // 2. Keep the old private key, retired; replace the signing key file atomically.
    let retired_file = key_dir.join(retired_key_file(old.signer.id()));
    let pending = key_dir.join(format!("{SIGNING_KEY_FILE}.new"));
    if pending.exists() {
        std::fs::remove_file(&pending).map_err(|e| io_error(&pending, &e))?;
    }
    let old_skey = old.signer.to_skey();
    // A rotation interrupted after this step left the same retired file: keep it.
    let kept = std::fs::read_to_string(&retired_file).is_ok_and(|t| t.trim() == old_skey);
    if !kept {
        crate::ledger::write_private(&retired_file, &old_skey)
            .map_err(|e| io_error(&retired_file, &e))?;
    }
    crate::ledger::write_private(&pending, &new_signer.to_skey())
        .map_err(|e| io_error(&pending, &e))?;
    std::fs::rename(&pending, &skey_path).map_err(|e| io_error(&skey_path, &e))?;
    if let Ok(dir) = std::fs::File::open(key_dir) {
        let _ = dir.sync_all();
    }

    // 3. The new key joins the key ring and signs the same tree.
    let new = LedgerKeys {
        signer: Arc::new(new_signer),
        kek: old.kek.clone(),
    };
    new.register(db, clock.as_ref()).await?;
    let writer = LedgerWriter::start(
        db.clone(),
        clock,
        new,
        seal_seed,
        witness_dir,
        WriterSettings::default(),
    );
    let new_key_checkpoint = writer.checkpoint().await;
    writer.shutdown().await;
    Ok(KeyRotation {
        old_key,
        new_key,
        retired_file,
        entry: entry_receipt,
        old_key_checkpoint,
        new_key_checkpoint: new_key_checkpoint?,
    })
}
