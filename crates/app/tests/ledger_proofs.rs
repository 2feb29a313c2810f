//! Ledger queries, proofs, links and key rotation on both backends: proofs computed from the
//! stored nodes verify against the signed checkpoints (before and after a key rotation), the
//! institution's creation is linked to its entry, and bad parameters are refused (issue #3).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use custos_app::ids::SequentialIds;
use custos_app::ledger::{LedgerKeys, LedgerWriter, NewLedgerEntry, WriterSettings};
use custos_app::ledger_keys::rotate_signing_key;
use custos_app::ledger_proofs::{self, LedgerQueryError, RootSource, TierState};
use custos_app::organisation::{CreateInstitution, HeadOffice, create_institution};
use custos_domain::clock::{Clock, FakeClock};
use custos_domain::institution::{InstitutionCode, InstitutionKind, OrgUnitCode};
use custos_domain::profile::ControlProfile;
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::leaf::EntryKind;
use custos_ledger::note::NoteVerifier;
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use custos_ledger::record::AuditRecord;
use custos_store::Database;
use custos_store::ledger_refs::LedgerSubject;
use custos_testkit::db::TestDb;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn entry(n: u64) -> NewLedgerEntry {
    NewLedgerEntry {
        kind: EntryKind::SIGN_IN,
        actor: [1; 16],
        record: AuditRecord {
            account: format!("user{n}"),
            ip: "10.0.0.1".into(),
            occurred_at_ms: 0,
            operation_code: "SIGN_IN".into(),
            conditions: String::new(),
            case_number: String::new(),
            reason: String::new(),
        },
        payload: None,
        subject_index: None,
    }
}

async fn queries_proofs_links_and_rotation(db: &Database) {
    let clock: Arc<dyn Clock> = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let key_dir = dir.path().join("ledger");
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (keys, _) = LedgerKeys::load_or_create(&key_dir, "custos.test/ledger", &mut rng).unwrap();
    keys.register(db, clock.as_ref()).await.unwrap();
    let writer = LedgerWriter::start(
        db.clone(),
        clock.clone(),
        keys,
        [4; 32],
        None,
        WriterSettings::default(),
    );
    // Entry 0: an institution with its head office, linked to its entry.
    let (inst, head) = create_institution(
        &writer,
        clock.as_ref(),
        &SequentialIds::new(),
        CreateInstitution {
            code: InstitutionCode::parse("9990000").unwrap(),
            name: "示範商業銀行".into(),
            kind: InstitutionKind::Bank,
            query_methods: BTreeSet::new(),
            profile: ControlProfile::jcic(),
            created_by: "admin".into(),
            head_office: Some(HeadOffice {
                code: OrgUnitCode::parse("HQ").unwrap(),
                name: "總行".into(),
            }),
        },
    )
    .await
    .unwrap();
    for n in 1..5 {
        let sealed = writer.seal(&entry(n)).unwrap();
        writer.append(sealed).await.unwrap();
    }
    assert_eq!(writer.checkpoint().await.unwrap().size, 5);
    for n in 5..7 {
        let sealed = writer.seal(&entry(n)).unwrap();
        writer.append(sealed).await.unwrap();
    }
    assert_eq!(writer.checkpoint().await.unwrap().size, 7);
    writer.shutdown().await;

    let links = ledger_proofs::recorded_by(db, LedgerSubject::Institution, &inst.id.to_string())
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].index, links[0].verified), (0, Some(true)));
    let head_id = head.unwrap().id.to_string();
    let links = ledger_proofs::recorded_by(db, LedgerSubject::OrgUnit, &head_id)
        .await
        .unwrap();
    assert_eq!(links[0].index, 0);

    // Rotate: entry 7 is the key rotation, checkpoints at 8 by the old and by the new key.
    let rotated = rotate_signing_key(db, clock.clone(), &key_dir, None, "ops", &mut rng, [6; 32])
        .await
        .unwrap();
    assert_eq!(rotated.entry.index, 7);
    assert_eq!(rotated.new_key_checkpoint.size, 8);
    assert!(
        key_dir
            .join(custos_app::ledger_keys::retired_key_file(
                NoteVerifier::parse(&rotated.old_key).unwrap().id()
            ))
            .exists()
    );

    let overview = ledger_proofs::overview(db).await.unwrap();
    assert_eq!(overview.size, 8);
    assert_eq!(overview.public_keys.len(), 2);
    let ring: Vec<NoteVerifier> = overview
        .public_keys
        .iter()
        .map(|k| NoteVerifier::parse(k).unwrap())
        .collect();
    let latest = overview.latest.unwrap();
    assert!(latest.signature_valid);
    assert_eq!(latest.signed_by.len(), 1);
    assert!(rotated.new_key.starts_with(&latest.signed_by[0]));
    let page = ledger_proofs::checkpoints(db, 1, 10).await.unwrap();
    assert_eq!(page.total, 4);
    assert!(page.items.iter().all(|c| c.signature_valid));

    let rotation = ledger_proofs::entry(db, 7).await.unwrap();
    assert_eq!(rotation.kind_name, Some("key_rotation"));
    assert_eq!(rotation.tiers.len(), 2);
    assert!(rotation.tiers.iter().all(|(_, s)| *s == TierState::Held));

    // Every proof verifies against the signed roots, by either key.
    for size in [5u64, 7, 8] {
        let (note, _) = {
            let mut tx = db.begin_read().await.unwrap();
            tx.ledger_checkpoint_of_size(size).await.unwrap().unwrap()
        };
        let cp = Checkpoint::open(&note, &ring, None).unwrap().0;
        for index in 0..size {
            let p = ledger_proofs::inclusion(db, index, Some(size))
                .await
                .unwrap();
            assert!(p.verified);
            assert_eq!(p.root_source, RootSource::Checkpoint);
            verify_inclusion(index, size, &p.leaf_hash, &p.path, &cp.root).unwrap();
        }
    }
    let c = ledger_proofs::consistency(db, 5, Some(8)).await.unwrap();
    assert!(c.verified);
    verify_consistency(5, 8, &c.from_root.0, &c.to_root.0, &c.path).unwrap();
    let recent = ledger_proofs::recent_entries(db, Some(7), 3).await.unwrap();
    assert_eq!(
        recent.iter().map(|e| e.index).collect::<Vec<_>>(),
        vec![6, 5, 4]
    );

    // Refusals.
    assert!(matches!(
        ledger_proofs::inclusion(db, 8, None).await,
        Err(LedgerQueryError::NoEntry(8))
    ));
    for result in [
        ledger_proofs::inclusion(db, 6, Some(5)).await,
        ledger_proofs::inclusion(db, 1, Some(9)).await,
    ] {
        assert!(matches!(result, Err(LedgerQueryError::BadRequest { .. })));
    }
    assert!(matches!(
        ledger_proofs::consistency(db, 7, Some(5)).await,
        Err(LedgerQueryError::BadRequest {
            code: "from_after_to",
            ..
        })
    ));
    assert!(matches!(
        ledger_proofs::entry(db, 99).await,
        Err(LedgerQueryError::NoEntry(99))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_queries_proofs_links_and_rotation() {
    let db = TestDb::sqlite().await;
    queries_proofs_links_and_rotation(db.db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_queries_proofs_links_and_rotation() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    queries_proofs_links_and_rotation(db.db()).await;
}
