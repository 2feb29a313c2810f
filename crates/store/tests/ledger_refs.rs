//! Links from domain rows to ledger entries, on both backends: a link inserted before its entry's
//! leaf is resolved to the leaf's index by the trigger in the same transaction (whichever row of
//! a multi-row batch carries its commitment), a rolled-back savepoint leaves no link, a link whose
//! leaf never comes stays unresolved, and a resolved link cannot be changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use custos_store::Database;
use custos_store::ledger::{LedgerAppendRows, LedgerHead};
use custos_store::ledger_refs::LedgerSubject;

fn leaf_with_commitment(c: u8) -> Vec<u8> {
    let mut leaf = vec![0u8; 100];
    leaf[36..68].copy_from_slice(&[c; 32]);
    leaf
}

async fn links_resolve_to_the_index_of_the_leaf_with_their_commitment(db: &Database) {
    let mut tx = db.begin().await.unwrap();
    let head = tx.ledger_head().await.unwrap();
    // Three use cases of one batch: the second is rolled back.
    for (k, c) in [(0u8, 0xa1u8), (1, 0xa2), (2, 0xa3)] {
        tx.savepoint("uc").await.unwrap();
        tx.insert_ledger_ref(LedgerSubject::Institution, &format!("inst-{k}"), &[c; 32])
            .await
            .unwrap();
        if k == 0 {
            // One entry may record two subjects.
            tx.insert_ledger_ref(LedgerSubject::OrgUnit, "head-0", &[c; 32])
                .await
                .unwrap();
        }
        if k == 1 {
            tx.rollback_to_savepoint("uc").await.unwrap();
        }
        tx.release_savepoint("uc").await.unwrap();
    }
    // A link whose entry never comes.
    tx.insert_ledger_ref(LedgerSubject::OrgUnit, "orphan", &[0xee; 32])
        .await
        .unwrap();
    // The writer inserts the batch's leaves afterwards, in one multi-row statement.
    let (l0, l1) = (leaf_with_commitment(0xa1), leaf_with_commitment(0xa3));
    let rows = [
        LedgerAppendRows {
            index: head.size,
            timestamp_ms: 1,
            leaf: &l0,
            nodes: &[],
            records: &[],
        },
        LedgerAppendRows {
            index: head.size + 1,
            timestamp_ms: 1,
            leaf: &l1,
            nodes: &[],
            records: &[],
        },
    ];
    tx.ledger_append_batch(&rows).await.unwrap();
    tx.ledger_set_head(LedgerHead {
        size: head.size + 2,
        last_ts_ms: Some(1),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let of = |s, id: &'static str| {
        let db = db.clone();
        async move { db.ledger_refs_of(s, id).await.unwrap() }
    };
    assert_eq!(
        of(LedgerSubject::Institution, "inst-0").await,
        vec![head.size]
    );
    assert_eq!(of(LedgerSubject::OrgUnit, "head-0").await, vec![head.size]);
    assert!(of(LedgerSubject::Institution, "inst-1").await.is_empty());
    assert_eq!(
        of(LedgerSubject::Institution, "inst-2").await,
        vec![head.size + 1]
    );
    assert!(of(LedgerSubject::OrgUnit, "orphan").await.is_empty());

    // A later leaf with an unrelated commitment leaves resolved links alone.
    let mut tx = db.begin().await.unwrap();
    let l2 = leaf_with_commitment(0xa1);
    tx.ledger_append_batch(&[LedgerAppendRows {
        index: head.size + 2,
        timestamp_ms: 1,
        leaf: &l2,
        nodes: &[],
        records: &[],
    }])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        of(LedgerSubject::Institution, "inst-0").await,
        vec![head.size]
    );
}

custos_testkit::on_both_backends!(links_resolve_to_the_index_of_the_leaf_with_their_commitment);
