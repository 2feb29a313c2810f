//! Checks of the stored ledger (ADR 0103, J4.11): the start-up check, the export of the whole
//! stored ledger as a bundle, and the full verification the daily `ledger_verify` job records.
//!
//! - [`startup_check`]: the stored tree reproduces the latest signed checkpoint's root, read from
//!   at most 64 stored nodes (no rebuild). `custos serve` refuses to start when it fails, `custos
//!   ledger check` runs it on demand, and the ledger page shows it.
//! - [`export_from`]: the stored leaves, node levels, record tiers (opened with the
//!   key-encryption key, or withheld), tombstones, checkpoints and public keys as a
//!   [`Bundle`], read inside one read snapshot — what `custos ledger export` writes and `custos
//!   ledger verify` checks.
//! - [`full_verification`]: [`export_from`] and [`custos_ledger::bundle::verify`], summed up as
//!   the row the ledger page shows.
//!
//! Invariants: nothing here writes; each check reads one snapshot (one read transaction); a
//! stored record that does not open is exported empty, so its commitment check names it.

use custos_domain::clock::Clock;
use custos_ledger::bundle::{BUNDLE_FORMAT, Bundle, BundleRecord, Bytes, VerifyOptions, verify};
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::note::NoteVerifier;
use custos_ledger::record::{SealedTier, SecretKey, Tier, Tombstone};
use custos_ledger::tree::{fold_range, perfect_subtrees};
use custos_store::ledger::{LedgerRecordRow, LedgerTier};
use custos_store::ledger_verifications::LedgerVerificationRow;
use custos_store::{Database, StoreError};

/// Why start-up must be refused. Both carry a bilingual message (zh-TW first).
#[derive(Debug, thiserror::Error)]
pub enum StartupCheckError {
    /// The database cannot be read (`custos ledger check` exits 2).
    #[error("{0}")]
    Unreadable(String),
    /// The stored tree does not match the latest checkpoint (`custos ledger check` exits 1).
    #[error("{0}")]
    Mismatch(String),
}

/// Why the stored ledger cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The database cannot be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The leaf indices have a gap: entry `missing` is absent, the next stored is `next`.
    #[error(
        "帳本缺少第 {missing} 筆 / the ledger has no entry {missing} (the next stored is {next})"
    )]
    MissingEntry {
        /// The first absent index.
        missing: u64,
        /// The index stored in its place.
        next: u64,
    },
}

/// The record tier of the ledger crate for a stored tier.
#[must_use]
pub fn tier_of(tier: LedgerTier) -> Tier {
    match tier {
        LedgerTier::Fields => Tier::Fields,
        LedgerTier::Payload => Tier::Payload,
    }
}

/// The sealed tier a stored record row holds (a salt of the wrong length reads as zeros, so the
/// commitment check names the record instead of the export failing).
#[must_use]
pub fn sealed_tier(row: LedgerRecordRow) -> SealedTier {
    SealedTier {
        tier: tier_of(row.tier),
        salt: row.salt.as_slice().try_into().unwrap_or([0; 32]),
        wrapped_key: row.wrapped_key,
        ciphertext: row.ciphertext,
    }
}

/// The start-up check of ADR 0103: the stored tree reproduces the latest signed checkpoint's root
/// (read from ≤ 64 stored nodes, no rebuild). `serve` refuses to start on `Err`. A ledger without
/// a checkpoint passes.
///
/// # Errors
/// [`StartupCheckError::Unreadable`] when the database cannot be read;
/// [`StartupCheckError::Mismatch`] when the checkpoint does not open with the stored keys, covers
/// more entries than are stored, or its root differs from the stored nodes'.
pub async fn startup_check(db: &Database) -> Result<(), StartupCheckError> {
    let unreadable = |e: StoreError| StartupCheckError::Unreadable(e.to_string());
    let refuse = |why: String| {
        StartupCheckError::Mismatch(format!(
            "帳本與最新檢查點不符，拒絕啟動；請執行 `custos ledger verify` / the stored ledger does not \
             match its latest checkpoint ({why}); refusing to start — run `custos ledger verify`"
        ))
    };
    let mut tx = db.begin_read().await.map_err(unreadable)?;
    let Some((_, note)) = tx.ledger_latest_checkpoint().await.map_err(unreadable)? else {
        return Ok(());
    };
    let keys: Vec<NoteVerifier> = tx
        .ledger_keys()
        .await
        .map_err(unreadable)?
        .iter()
        .filter_map(|k| NoteVerifier::parse(k).ok())
        .collect();
    let (cp, _) = Checkpoint::open(&note, &keys, None).map_err(|e| refuse(e.to_string()))?;
    let head = tx.ledger_head().await.map_err(unreadable)?;
    if head.size < cp.size {
        return Err(refuse(format!(
            "{} entries stored, the checkpoint covers {}",
            head.size, cp.size
        )));
    }
    let ids: Vec<(u8, u64)> = perfect_subtrees(0, cp.size)
        .iter()
        .map(|n| (n.level, n.index))
        .collect();
    let nodes = tx.ledger_nodes(&ids).await.map_err(unreadable)?;
    let _ = tx.rollback().await;
    let hashes: Option<Vec<[u8; 32]>> = nodes.into_iter().collect();
    let Some(hashes) = hashes else {
        return Err(refuse("stored nodes are missing".into()));
    };
    if fold_range(&hashes) == cp.root {
        Ok(())
    } else {
        Err(refuse(format!("root at size {} differs", cp.size)))
    }
}

/// Reads the whole stored ledger of `db` as a bundle (records decrypted with `kek`, else
/// withheld), inside one read snapshot.
///
/// # Errors
/// [`ExportError::Store`] when the database cannot be read, [`ExportError::MissingEntry`] when
/// the stored leaves have a gap.
pub async fn export_from(db: &Database, kek: Option<&SecretKey>) -> Result<Bundle, ExportError> {
    let mut tx = db.begin_read().await?;
    tx.ledger_snapshot().await?;
    let mut leaves = Vec::new();
    loop {
        let page = tx.ledger_leaves(leaves.len() as u64, 10_000).await?;
        if page.is_empty() {
            break;
        }
        for (i, leaf) in page {
            if i != leaves.len() as u64 {
                return Err(ExportError::MissingEntry {
                    missing: leaves.len() as u64,
                    next: i,
                });
            }
            leaves.push(Bytes(leaf));
        }
    }
    let mut nodes = Vec::new();
    for level in 0..64u8 {
        let bytes = tx.ledger_node_level(level).await?;
        if bytes.is_empty() {
            break;
        }
        nodes.push(Bytes(bytes));
    }
    let mut records = Vec::new();
    if let Some(kek) = kek {
        let mut from = 0;
        loop {
            let page = tx.ledger_records(from, 10_000).await?;
            let Some(last) = page.last() else { break };
            from = last.index + 1;
            for r in page {
                let (index, salt) = (r.index, r.salt.clone());
                let sealed = sealed_tier(r);
                records.push(BundleRecord {
                    index,
                    tier: sealed.tier,
                    salt: Bytes(salt),
                    canonical: Bytes(sealed.decrypt(kek).unwrap_or_default()),
                });
            }
        }
    }
    let tombstones = tx
        .ledger_tombstones()
        .await?
        .into_iter()
        .map(|t| Tombstone {
            index: t.index,
            tier: tier_of(t.tier),
            deleted_at_ms: t.deleted_at_ms,
            rule: t.rule,
        })
        .collect();
    let checkpoints: Vec<String> = tx
        .ledger_checkpoints()
        .await?
        .into_iter()
        .map(|(_, note)| note)
        .collect();
    let public_keys = tx.ledger_keys().await?;
    let _ = tx.rollback().await;
    let origin = public_keys
        .first()
        .and_then(|k| k.split('+').next())
        .unwrap_or_default()
        .to_owned();
    Ok(Bundle {
        format: BUNDLE_FORMAT.to_owned(),
        origin,
        public_keys,
        leaves,
        nodes,
        records,
        tombstones,
        checkpoints,
        records_withheld: kek.is_none(),
    })
}

/// A full verification of the stored ledger (every leaf, the stored tree, every record
/// commitment `kek` opens, every checkpoint signature and the consistency between consecutive
/// checkpoints), as the daily `ledger_verify` job runs it; the result is for the ledger page.
/// A ledger that cannot be read or verified gives a row that is not intact and says why.
pub async fn full_verification(
    db: &Database,
    kek: &SecretKey,
    clock: &dyn Clock,
) -> LedgerVerificationRow {
    let started = std::time::Instant::now();
    let outcome = match export_from(db, Some(kek)).await {
        Ok(bundle) => tokio::task::spawn_blocking(move || {
            verify(&bundle, &VerifyOptions::default()).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r),
        Err(e) => Err(e.to_string()),
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let verified_at_ms = clock.now().timestamp_millis();
    match outcome {
        Ok(report) => {
            let first = report.first_bad();
            LedgerVerificationRow {
                verified_at_ms,
                size: report.size,
                intact: report.intact(),
                first_bad: first.and_then(|f| f.location.index()),
                message: first.map_or_else(
                    || {
                        format!(
                            "{} 筆完整，{} 個檢查點簽章有效 / {} entries intact, {} checkpoint signatures valid",
                            report.size,
                            report.checkpoints_verified,
                            report.size,
                            report.checkpoints_verified
                        )
                    },
                    |f| format!("{}: {}", f.location, f.problem),
                ),
                duration_ms,
            }
        }
        Err(e) => LedgerVerificationRow {
            verified_at_ms,
            size: 0,
            intact: false,
            first_bad: None,
            message: format!("無法驗證 / could not verify: {e}"),
            duration_ms,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use custos_domain::clock::FakeClock;
    use custos_ledger::bundle::{Location, Report};
    use custos_ledger::leaf::EntryKind;
    use custos_ledger::record::AuditRecord;
    use custos_store::ConnectOptions;
    use custos_store::ledger::LedgerTombstoneRow;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use sqlx::Connection;

    use super::*;
    use crate::ledger::{LedgerKeys, LedgerWriter, NewLedgerEntry, WriterSettings};

    /// A fresh SQLite database in its own directory, with a fake clock.
    struct Fixture {
        dir: tempfile::TempDir,
        url: String,
        clock: Arc<FakeClock>,
        db: Database,
    }

    impl Fixture {
        async fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let url = dir.path().join("custos.db").display().to_string();
            let clock = Arc::new(FakeClock::new(
                chrono::DateTime::from_timestamp_millis(1_764_201_600_000).unwrap(),
            ));
            let db = Database::connect(&url, ConnectOptions::default())
                .await
                .unwrap();
            db.migrate().await.unwrap();
            Self {
                dir,
                url,
                clock,
                db,
            }
        }

        /// Writes 40 lookups through the group-commit writer, a checkpoint after every ten,
        /// every third with a payload, and deletes one payload tier. Returns the
        /// key-encryption key.
        async fn write_ledger(&self) -> Arc<SecretKey> {
            let mut rng = ChaCha20Rng::seed_from_u64(9);
            let (keys, _) = LedgerKeys::load_or_create(
                &self.dir.path().join("ledger"),
                "custos.test/ledger",
                &mut rng,
            )
            .unwrap();
            keys.register(&self.db, self.clock.as_ref()).await.unwrap();
            let kek = keys.kek.clone();
            let writer = LedgerWriter::start(
                self.db.clone(),
                self.clock.clone(),
                keys,
                [3; 32],
                None,
                WriterSettings::default(),
            );
            for batch in 0..4i64 {
                for j in 0..10i64 {
                    let entry = NewLedgerEntry {
                        kind: EntryKind::LOOKUP_GRANTED,
                        actor: [1; 16],
                        record: AuditRecord {
                            account: "teller01".into(),
                            ip: "10.0.0.1".into(),
                            occurred_at_ms: 1_764_201_600_000 + batch * 1_000 + j,
                            operation_code: "Z21".into(),
                            conditions: format!("A12345678{j}"),
                            case_number: "2026-1".into(),
                            reason: "credit review".into(),
                        },
                        payload: (j % 3 == 0).then(|| b"result".to_vec()),
                        subject_index: None,
                    };
                    writer.append(writer.seal(&entry).unwrap()).await.unwrap();
                }
                writer.checkpoint().await.unwrap();
            }
            writer.shutdown().await;
            let mut tx = self.db.begin().await.unwrap();
            tx.ledger_delete_tier(&LedgerTombstoneRow {
                index: 3,
                tier: LedgerTier::Payload,
                deleted_at_ms: 5,
                rule: "J6.1".into(),
            })
            .await
            .unwrap();
            tx.commit().await.unwrap();
            kek
        }

        /// A connection as an attacker with the database file has it: the append-only triggers
        /// dropped, the foreign keys off.
        async fn attacker(&self) -> sqlx::SqliteConnection {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut conn)
                .await
                .unwrap();
            let triggers: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for t in triggers {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {t}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            conn
        }

        /// Runs `sql` as the attacker.
        async fn tamper(&self, sql: &'static str) {
            let mut conn = self.attacker().await;
            sqlx::query(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }

        /// Exports (records opened with `kek`, or withheld) and verifies.
        async fn verified(&self, kek: Option<&SecretKey>) -> Report {
            let bundle = export_from(&self.db, kek).await.unwrap();
            verify(&bundle, &VerifyOptions::default()).unwrap()
        }
    }

    #[tokio::test]
    async fn the_full_verification_job_finds_the_ledger_intact_then_names_a_changed_leaf() {
        let f = Fixture::new().await;
        let kek = f.write_ledger().await;
        let row = full_verification(&f.db, &kek, f.clock.as_ref()).await;
        assert!(row.intact, "{}", row.message);
        assert_eq!((row.size, row.first_bad), (40, None));
        assert_eq!(row.verified_at_ms, 1_764_201_600_000);
        assert!(row.message.contains("40 entries intact"), "{}", row.message);

        f.tamper("UPDATE ledger_leaves SET leaf = zeroblob(100) WHERE idx = 5")
            .await;
        let row = full_verification(&f.db, &kek, f.clock.as_ref()).await;
        assert!(!row.intact);
        assert_eq!(row.first_bad, Some(5), "{}", row.message);
        f.db.ledger_insert_verification(&row).await.unwrap();
        assert_eq!(f.db.ledger_latest_verification().await.unwrap(), Some(row));
        f.db.close().await;
    }

    #[tokio::test]
    async fn the_startup_check_passes_an_intact_ledger_and_refuses_a_changed_node() {
        let f = Fixture::new().await;
        // No checkpoint yet: nothing to check against.
        assert!(startup_check(&f.db).await.is_ok());
        f.write_ledger().await;
        assert!(startup_check(&f.db).await.is_ok());
        // A changed node on the right edge (the subtree of the first 32 entries).
        f.tamper("UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 5 AND idx = 0")
            .await;
        let err = startup_check(&f.db).await.unwrap_err();
        assert!(
            matches!(&err, StartupCheckError::Mismatch(m) if m.contains("root at size 40 differs")),
            "{err}"
        );
        f.db.close().await;
    }

    #[tokio::test]
    async fn a_gap_in_the_stored_leaves_is_named_by_the_export() {
        let f = Fixture::new().await;
        let kek = f.write_ledger().await;
        f.tamper("DELETE FROM ledger_leaves WHERE idx = 7").await;
        let err = export_from(&f.db, None).await.unwrap_err();
        assert!(
            matches!(
                err,
                ExportError::MissingEntry {
                    missing: 7,
                    next: 8
                }
            ),
            "{err}"
        );
        let row = full_verification(&f.db, &kek, f.clock.as_ref()).await;
        assert!(!row.intact);
        assert!(
            row.message.contains("the ledger has no entry 7"),
            "{}",
            row.message
        );
        f.db.close().await;
    }

    /// 256 cases: a random byte of a random row of `ledger_leaves`, `ledger_nodes`,
    /// `ledger_records` (salt, ciphertext or wrapped key) or `ledger_checkpoints` is changed;
    /// the export verifies not intact and the finding names the changed entry, node or
    /// checkpoint.
    #[tokio::test]
    #[rustfmt::skip]
    async fn a_database_ledger_verifies_and_any_changed_stored_byte_is_named() {
        use rand_core::Rng as _;
        use sqlx::Row;

        let f = Fixture::new().await;
        let kek = f.write_ledger().await;
        let r = f.verified(Some(&kek)).await;
        assert!(r.intact(), "{:?}", r.findings);
        assert_eq!(r.size, 40);
        assert_eq!(r.tombstones, 1);
        let withheld = export_from(&f.db, None).await.unwrap();
        assert!(withheld.records_withheld && withheld.records.is_empty());
        assert_eq!((withheld.checkpoints.len(), withheld.tombstones.len()), (4, 1));
        assert!(f.verified(None).await.intact());

        let mut conn = f.attacker().await;
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for case in 0..256u32 {
            let pick = |rng: &mut ChaCha20Rng, n: usize| (rng.next_u64() % n as u64) as usize;
            let table = pick(&mut rng, 4);
            let (select, update, col) = match table {
                0 => ("SELECT idx AS k1, 0 AS k2, leaf AS v FROM ledger_leaves", "UPDATE ledger_leaves SET leaf = $1 WHERE idx = $2", "leaf"),
                1 => ("SELECT level AS k1, idx AS k2, hash AS v FROM ledger_nodes", "UPDATE ledger_nodes SET hash = $1 WHERE level = $2 AND idx = $3", "hash"),
                2 => match pick(&mut rng, 3) {
                    0 => ("SELECT idx AS k1, tier AS k2, salt AS v FROM ledger_records", "UPDATE ledger_records SET salt = $1 WHERE idx = $2 AND tier = $3", "salt"),
                    1 => ("SELECT idx AS k1, tier AS k2, ciphertext AS v FROM ledger_records", "UPDATE ledger_records SET ciphertext = $1 WHERE idx = $2 AND tier = $3", "ciphertext"),
                    _ => ("SELECT idx AS k1, tier AS k2, wrapped_key AS v FROM ledger_records", "UPDATE ledger_records SET wrapped_key = $1 WHERE idx = $2 AND tier = $3", "wrapped_key"),
                },
                _ => ("SELECT id AS k1, 0 AS k2, CAST(note AS BLOB) AS v FROM ledger_checkpoints ORDER BY id", "UPDATE ledger_checkpoints SET note = CAST($1 AS TEXT) WHERE id = $2", "note"),
            };
            let rows = sqlx::query(select).fetch_all(&mut conn).await.unwrap();
            let row = &rows[pick(&mut rng, rows.len())];
            let k1: i64 = row.get("k1");
            let original: Vec<u8> = row.get("v");
            let mut changed = original.clone();
            let expected = match table {
                0 => Location::Leaf(k1 as u64),
                1 => Location::Node(custos_ledger::tree::NodeId { level: k1 as u8, index: row.get::<i64, _>("k2") as u64 }),
                2 => Location::Record {
                    index: k1 as u64,
                    tier: if row.get::<String, _>("k2") == "fields" { Tier::Fields } else { Tier::Payload },
                },
                _ => Location::Checkpoint { ordinal: (k1 - 1) as usize },
            };
            if table == 3 {
                let ascii: Vec<usize> = (0..changed.len()).filter(|&p| changed[p].is_ascii()).collect();
                let p = ascii[pick(&mut rng, ascii.len())];
                changed[p] ^= (1 + pick(&mut rng, 127)) as u8;
            } else {
                let p = pick(&mut rng, changed.len());
                changed[p] ^= (1 + pick(&mut rng, 255)) as u8;
            }
            let set = |bytes: Vec<u8>| {
                let q = sqlx::query(update).bind(bytes).bind(k1);
                if table == 1 {
                    q.bind(row.get::<i64, _>("k2"))
                } else if table == 2 {
                    q.bind(row.get::<String, _>("k2"))
                } else {
                    q
                }
            };
            set(changed).execute(&mut conn).await.unwrap();
            let r = f.verified(Some(&kek)).await;
            assert!(!r.intact(), "case {case}: {col} of {expected} changed, not detected");
            let found = r.first_bad().unwrap().location.clone();
            match &expected {
                Location::Checkpoint { .. } => assert!(
                    r.findings.iter().any(|f| f.location == expected),
                    "case {case}: {expected}: {:?}", r.findings
                ),
                Location::Leaf(i) => assert_eq!(found.index(), Some(*i), "case {case}: {:?}", r.findings),
                e => assert_eq!(&found, e, "case {case}: {:?}", r.findings),
            }
            set(original).execute(&mut conn).await.unwrap();
        }
        assert!(f.verified(Some(&kek)).await.intact());
        f.db.close().await;
    }
}
