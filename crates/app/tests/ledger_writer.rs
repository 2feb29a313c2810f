//! The ledger writer (ADR 0103) on a fresh SQLite database with a fake clock: batches, savepoints,
//! contiguous indices, keys, and checkpoints over the committed tree (J4.11).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use custos_app::AppError;
use custos_app::ledger::{LedgerKeys, LedgerWriter, NewLedgerEntry, TxFuture, WriterSettings};
use custos_domain::clock::FakeClock;
use custos_domain::institution::{InstitutionCode, InstitutionKind};
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::hash::leaf_hash;
use custos_ledger::leaf::{EntryKind, Leaf};
use custos_ledger::note::NoteVerifier;
use custos_ledger::record::{AuditRecord, SealedTier, Tier};
use custos_ledger::tree::CompactRange;
use custos_store::{NewInstitution, Tx};
use custos_testkit::db::TestDb;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use uuid::Uuid;

fn entry(reason: &str) -> NewLedgerEntry {
    NewLedgerEntry {
        kind: EntryKind::PROFILE_CHANGE,
        actor: [7; 16],
        record: AuditRecord {
            account: "admin01".into(),
            ip: String::new(),
            occurred_at_ms: 0,
            operation_code: "ORG".into(),
            conditions: String::new(),
            case_number: String::new(),
            reason: reason.into(),
        },
        payload: Some(b"{\"change\":1}".to_vec()),
        subject_index: None,
    }
}

fn institution(n: u8, code: &str) -> NewInstitution {
    NewInstitution {
        id: Uuid::from_bytes([n; 16]),
        code: code.parse::<InstitutionCode>().unwrap(),
        name: format!("bank {n}"),
        kind: InstitutionKind::Bank,
        query_methods: BTreeSet::new(),
        profile: serde_json::json!({}),
        created_by: "admin01".into(),
        created_at: Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
    }
}

fn insert(row: NewInstitution) -> impl for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, Uuid> + Send {
    move |tx: &mut Tx| -> TxFuture<'_, Uuid> {
        Box::pin(async move { Ok(tx.insert_institution(&row).await?.id) })
    }
}

struct Setup {
    db: TestDb,
    dir: tempfile::TempDir,
    keys: LedgerKeys,
    writer: LedgerWriter,
}

async fn setup() -> Setup {
    let db = TestDb::sqlite().await;
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (keys, created) =
        LedgerKeys::load_or_create(&dir.path().join("ledger"), "custos.test/ledger", &mut rng)
            .unwrap();
    assert!(created);
    keys.register(db.db(), clock.as_ref()).await.unwrap();
    let writer = LedgerWriter::start(
        db.db().clone(),
        clock,
        keys.clone(),
        [3; 32],
        Some(dir.path().join("checkpoints")),
        WriterSettings::default(),
    );
    Setup {
        db,
        dir,
        keys,
        writer,
    }
}

#[tokio::test]
async fn a_failing_use_case_rolls_back_alone_and_the_batch_commits() {
    let s = setup().await;
    // Both are queued before the writer runs (current-thread runtime): one batch.
    let (ok, bad, ok2) = tokio::join!(
        s.writer
            .submit(entry("first"), insert(institution(1, "0040000"))),
        s.writer
            .submit(entry("second"), |tx: &mut Tx| -> TxFuture<'_, ()> {
                Box::pin(async move {
                    tx.insert_institution(&institution(2, "0050000")).await?;
                    Err(AppError::Rule("refused".into()))
                })
            }),
        s.writer
            .submit(entry("third"), insert(institution(3, "0060000"))),
    );
    let (id, first) = ok.unwrap();
    assert_eq!(id, Uuid::from_bytes([1; 16]));
    assert!(matches!(bad, Err(AppError::Rule(m)) if m == "refused"));
    let (_, third) = ok2.unwrap();
    assert_eq!((first.index, third.index), (0, 1), "contiguous indices");

    let db = s.db.db();
    let codes = institution_codes(db).await;
    assert_eq!(
        codes,
        ["0040000", "0060000"],
        "only the failed change is undone"
    );

    // The ledger holds exactly the two entries, and the sealed fields decrypt to their records.
    let mut tx = db.begin_read().await.unwrap();
    let leaves = tx.ledger_leaves(0, 100).await.unwrap();
    assert_eq!(leaves.iter().map(|l| l.0).collect::<Vec<_>>(), [0, 1]);
    let records = tx.ledger_records(0, 100).await.unwrap();
    assert_eq!(records.len(), 4, "fields and payload for each entry");
    let fields = records.iter().find(|r| r.index == 1).unwrap();
    let sealed = SealedTier {
        tier: Tier::Fields,
        salt: fields.salt.as_slice().try_into().unwrap(),
        wrapped_key: fields.wrapped_key.clone(),
        ciphertext: fields.ciphertext.clone(),
    };
    let record = AuditRecord::from_canonical_bytes(&sealed.decrypt(&s.keys.kek).unwrap()).unwrap();
    assert_eq!(record.reason, "third");
    let _ = tx.rollback().await;

    // A checkpoint over the committed tree reproduces the root recomputed from the stored leaves.
    let published = s.writer.checkpoint().await.unwrap();
    assert_eq!(published.size, 2);
    let mut range = CompactRange::new();
    for (i, bytes) in &leaves {
        let leaf = Leaf::decode(bytes).unwrap();
        assert_eq!(leaf.index, *i);
        range.push(leaf_hash(bytes));
    }
    let verifier = NoteVerifier::parse(&s.keys.signer.verifier().to_string()).unwrap();
    let (cp, _) = Checkpoint::open(&published.note, &[verifier], None).unwrap();
    assert_eq!(cp.root, range.root());
    let file = published.file.unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), published.note);
    assert!(s.dir.path().join("checkpoints/checkpoint").exists());
    s.writer.shutdown().await;
}

#[tokio::test]
async fn keys_are_created_once_with_private_permissions_and_reloaded() {
    let s = setup().await;
    let dir = s.dir.path().join("ledger");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for f in ["checkpoint.skey", "kek.hex"] {
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let (again, created) = LedgerKeys::load_or_create(&dir, "ignored", &mut rng).unwrap();
    assert!(!created);
    assert_eq!(again.kek.0, s.keys.kek.0);
    assert_eq!(again.signer.to_skey(), s.keys.signer.to_skey());
    let stored = {
        let mut tx = s.db.db().begin_read().await.unwrap();
        tx.ledger_keys().await.unwrap()
    };
    assert_eq!(stored, [s.keys.signer.verifier().to_string()]);
    // One key file missing: refuse rather than silently create a new key.
    std::fs::remove_file(dir.join("kek.hex")).unwrap();
    assert!(LedgerKeys::load_or_create(&dir, "x", &mut rng).is_err());
    s.writer.shutdown().await;
}

#[tokio::test]
async fn a_restarted_writer_continues_the_same_tree() {
    let s = setup().await;
    for i in 0..5 {
        let r = s
            .writer
            .submit(
                entry("a"),
                insert(institution(10 + i, &format!("00{}0000", 4 + i))),
            )
            .await;
        assert_eq!(r.unwrap().1.index, u64::from(i));
    }
    s.writer.checkpoint().await.unwrap();
    s.writer.shutdown().await;
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 1, 6, 1, 0, 0).unwrap(),
    ));
    let writer = LedgerWriter::start(
        s.db.db().clone(),
        clock,
        s.keys.clone(),
        [4; 32],
        None,
        WriterSettings::default(),
    );
    let sealed = writer.seal(&entry("b")).unwrap();
    assert_eq!(writer.append(sealed).await.unwrap().index, 5);
    let cp = writer.checkpoint().await.unwrap();
    assert_eq!(cp.size, 6);
    // Shutdown stops the task although a clone is still held; the clone then gets an error.
    let clone = writer.clone();
    writer.shutdown().await;
    assert!(
        clone
            .append(clone.seal(&entry("c")).unwrap())
            .await
            .is_err()
    );
}

fn fails_after_insert(
    row: NewInstitution,
) -> impl for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, ()> + Send {
    move |tx: &mut Tx| -> TxFuture<'_, ()> {
        Box::pin(async move {
            tx.insert_institution(&row).await?;
            Err(AppError::Rule("refused".into()))
        })
    }
}

fn empty(_tx: &mut Tx) -> TxFuture<'_, ()> {
    Box::pin(async { Ok(()) })
}

fn refuse(_tx: &mut Tx) -> TxFuture<'_, ()> {
    Box::pin(async { Err(AppError::Rule("refused".into())) })
}

/// One batch mixing use cases that write, write nothing, fail with and without statements, and
/// entries without a domain change: each failure is undone alone, indices stay contiguous, the
/// tree verifies — on SQLite and PostgreSQL (ADR 0103: savepoints opened lazily).
#[allow(
    clippy::many_single_char_names,
    reason = "one name per job of the batch"
)]
async fn mixed_batch(db: TestDb) {
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
    ));
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let dir = tempfile::tempdir().unwrap();
    let (keys, _) = LedgerKeys::load_or_create(dir.path(), "custos.test/ledger", &mut rng).unwrap();
    let w = LedgerWriter::start(
        db.db().clone(),
        clock,
        keys.clone(),
        [5; 32],
        None,
        WriterSettings::default(),
    );
    let sealed = w.seal(&entry("plain")).unwrap();
    let (a, b, c, d, e, f, g, h) = tokio::join!(
        w.submit(entry("a"), insert(institution(1, "0040000"))),
        w.submit(entry("b"), empty),
        w.submit(entry("c"), fails_after_insert(institution(2, "0050000"))),
        w.submit(entry("d"), refuse),
        w.append(sealed),
        w.submit(entry("f"), fails_after_insert(institution(3, "0060000"))),
        w.submit(entry("g"), insert(institution(4, "0070000"))),
        w.submit(entry("h"), empty),
    );
    assert!(c.is_err() && d.is_err() && f.is_err());
    let indices = [
        a.unwrap().1.index,
        b.unwrap().1.index,
        e.unwrap().index,
        g.unwrap().1.index,
        h.unwrap().1.index,
    ];
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    let codes = institution_codes(db.db()).await;
    assert_eq!(codes, ["0040000", "0070000"]);
    let leaves = db.ledger_leaves(0, 100).await.unwrap();
    assert_eq!(leaves.len(), 5);
    let mut range = CompactRange::new();
    for (_, bytes) in &leaves {
        range.push(leaf_hash(bytes));
    }
    let cp = w.checkpoint().await.unwrap();
    let verifier = NoteVerifier::parse(&keys.signer.verifier().to_string()).unwrap();
    let (cp, _) = Checkpoint::open(&cp.note, &[verifier], None).unwrap();
    assert_eq!((cp.size, cp.root), (5, range.root()));
    w.shutdown().await;
}

#[tokio::test]
async fn a_mixed_batch_isolates_each_use_case_on_sqlite() {
    mixed_batch(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn a_mixed_batch_isolates_each_use_case_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        mixed_batch(db).await;
    }
}

/// Reads the whole ledger of `db` back as a bundle (records opened with `kek`) and verifies it.
/// Codes of the institutions in the database, in its listing order.
async fn institution_codes(db: &custos_store::Database) -> Vec<String> {
    db.list_institutions()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.code.to_string())
        .collect()
}

async fn verify_db(db: &custos_store::Database, kek: &custos_ledger::record::SecretKey) -> usize {
    use custos_ledger::bundle::{VerifyOptions, verify};
    let bundle = custos_app::ledger_checks::export_from(db, Some(kek))
        .await
        .unwrap();
    assert!(
        bundle.records.iter().all(|r| !r.canonical.0.is_empty()),
        "every record opens"
    );
    let report = verify(&bundle, &VerifyOptions::default()).unwrap();
    assert!(report.intact(), "{:?}", report.first_bad());
    bundle.leaves.len()
}

#[tokio::test]
async fn a_clock_jump_is_written_to_the_log_and_timestamps_stay_monotonic() {
    let db = TestDb::sqlite().await;
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap();
    let clock = Arc::new(FakeClock::new(start));
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let (keys, _) = LedgerKeys::load_or_create(dir.path(), "custos.test/ledger", &mut rng).unwrap();
    keys.register(db.db(), clock.as_ref()).await.unwrap();
    let w = LedgerWriter::start(
        db.db().clone(),
        clock.clone(),
        keys.clone(),
        [6; 32],
        None,
        WriterSettings::default(),
    );
    let append = |reason: &str| w.append(w.seal(&entry(reason)).unwrap());
    assert_eq!(append("0").await.unwrap().index, 0);
    // Two days back: the entry keeps the newest timestamp and a clock_jump entry follows it.
    clock.set(start - chrono::Duration::days(2));
    let r = append("1").await.unwrap();
    assert_eq!((r.index, r.timestamp_ms), (1, start.timestamp_millis()));
    // Still behind: no second clock_jump entry for the same jump.
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(append("3").await.unwrap().index, 3);
    // Five days forward from the newest entry: flagged too.
    clock.set(start + chrono::Duration::days(5));
    assert_eq!(append("4").await.unwrap().index, 4);
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(append("6").await.unwrap().index, 6);
    w.checkpoint().await.unwrap();
    w.shutdown().await;

    let leaves: Vec<Leaf> = db
        .ledger_leaves(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|(_, b)| Leaf::decode(b).unwrap())
        .collect();
    let kinds: Vec<EntryKind> = leaves.iter().map(|l| l.kind).collect();
    let jump = EntryKind::CLOCK_JUMP;
    let p = EntryKind::PROFILE_CHANGE;
    assert_eq!(kinds, [p, p, jump, p, p, jump, p]);
    let ts: Vec<i64> = leaves.iter().map(|l| l.timestamp_ms).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "monotonic: {ts:?}");
    let records = db.ledger_records(0, 100).await.unwrap();
    let fields = |i: u64| {
        let r = records
            .iter()
            .find(|r| r.index == i && r.tier == custos_store::ledger::LedgerTier::Fields)
            .unwrap();
        let sealed = SealedTier {
            tier: Tier::Fields,
            salt: r.salt.as_slice().try_into().unwrap(),
            wrapped_key: r.wrapped_key.clone(),
            ciphertext: r.ciphertext.clone(),
        };
        AuditRecord::from_canonical_bytes(&sealed.decrypt(&keys.kek).unwrap()).unwrap()
    };
    let back = fields(2);
    assert_eq!(back.operation_code, "clock.jump");
    assert!(
        back.conditions
            .starts_with("direction=backwards by_ms=172800000 "),
        "{}",
        back.conditions
    );
    let forward = fields(5);
    assert!(
        forward.conditions.contains("direction=forwards"),
        "{}",
        forward.conditions
    );
    assert_eq!(verify_db(db.db(), &keys.kek).await, 7);
}
