//! The ledger tables on both backends: concurrent batches get contiguous indices (the head row
//! serialises them; on PostgreSQL several instances rely on `FOR UPDATE`), savepoints roll one
//! use case back alone, the head never moves back and an index is never reused. (The SQLite
//! triggers refusing UPDATE/DELETE are tested in `src/ledger.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use custos_store::Database;
use custos_store::ledger::{LedgerAppendRows, LedgerHead, LedgerRecordRow, LedgerTier};

async fn batch(db: &Database, n: u64, fail_second: bool) -> Vec<u64> {
    let mut tx = db.begin().await.unwrap();
    let head = tx.ledger_head().await.unwrap();
    let mut stored = Vec::new();
    let mut next = head.size;
    for k in 0..n {
        tx.savepoint("uc").await.unwrap();
        let leaf = vec![(next % 251) as u8; 100];
        let record = LedgerRecordRow {
            index: next,
            tier: LedgerTier::Fields,
            salt: vec![1; 32],
            wrapped_key: vec![2; 40],
            ciphertext: vec![3; 50],
            subject_index: None,
        };
        tx.ledger_append(&LedgerAppendRows {
            index: next,
            timestamp_ms: 1,
            leaf: &leaf,
            nodes: &[(0, next, [4; 32])],
            records: std::slice::from_ref(&record),
        })
        .await
        .unwrap();
        if fail_second && k == 1 {
            tx.rollback_to_savepoint("uc").await.unwrap();
        } else {
            tx.release_savepoint("uc").await.unwrap();
            stored.push(next);
            next += 1;
        }
    }
    tx.ledger_set_head(LedgerHead {
        size: next,
        last_ts_ms: Some(1),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    stored
}

async fn concurrent_batches_get_contiguous_indices(db: &Database) {
    let mut tasks = Vec::new();
    for t in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for b in 0..10 {
                mine.extend(batch(&db, 5, (t + b) % 3 == 0).await);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let n = all.len() as u64;
    assert_eq!(all, (0..n).collect::<Vec<_>>(), "gaps or duplicates");
    let leaves = db.ledger_leaves(0, 10_000).await.unwrap();
    assert_eq!(leaves.len() as u64, n);
    assert_eq!(db.ledger_records(0, 10_000).await.unwrap().len() as u64, n);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.ledger_head().await.unwrap().size, n);
}

async fn the_head_never_moves_back_and_an_index_is_never_reused(db: &Database) {
    batch(db, 3, false).await;
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .ledger_set_head(LedgerHead {
            size: 1,
            last_ts_ms: None,
        })
        .await
        .expect_err("shrinking the head");
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    let leaf = vec![0; 100];
    let err = tx
        .ledger_append(&LedgerAppendRows {
            index: 1,
            timestamp_ms: 1,
            leaf: &leaf,
            nodes: &[],
            records: &[],
        })
        .await
        .expect_err("reusing index 1");
    assert!(err.is_conflict(), "{err}");
}

custos_testkit::on_both_backends!(
    concurrent_batches_get_contiguous_indices,
    the_head_never_moves_back_and_an_index_is_never_reused,
    verifications_are_recorded_and_the_latest_is_read
);

/// Full verifications are recorded and the latest is read back.
async fn verifications_are_recorded_and_the_latest_is_read(db: &Database) {
    use custos_store::ledger_verifications::LedgerVerificationRow;
    assert_eq!(db.ledger_latest_verification().await.unwrap(), None);
    let first = LedgerVerificationRow {
        verified_at_ms: 1_000,
        size: 12,
        intact: true,
        first_bad: None,
        message: "12 entries intact".into(),
        duration_ms: 3,
    };
    let second = LedgerVerificationRow {
        verified_at_ms: 2_000,
        size: 14,
        intact: false,
        first_bad: Some(7),
        message: "entry 7: leaf hash does not match".into(),
        duration_ms: 4,
    };
    db.ledger_insert_verification(&first).await.unwrap();
    db.ledger_insert_verification(&second).await.unwrap();
    assert_eq!(db.ledger_latest_verification().await.unwrap(), Some(second));
}
