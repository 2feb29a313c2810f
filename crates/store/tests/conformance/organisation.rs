//! Institutions, org units and profile changes (J0.2, J0.3, J0.4).

use chrono::TimeZone;
use std::collections::BTreeSet;

use custos_domain::institution::{InstitutionKind, OrgUnitKind, QueryMethod};
use custos_store::{Database, ProfileUpdate, StoreError};

use crate::common::{at, bank, icode, id, new_bank, new_unit, profile, unit};

pub async fn an_institution_reads_back_as_inserted(db: &Database) {
    let new = new_bank(1, "0040000");
    let row = db.insert_institution(&new).await.unwrap();
    assert_eq!(row.id, new.id);
    assert_eq!(row.code.as_str(), "0040000");
    assert_eq!(row.name, new.name);
    assert_eq!(row.kind, InstitutionKind::Bank);
    assert_eq!(
        row.query_methods,
        BTreeSet::from([QueryMethod::ChipCard, QueryMethod::ServerConnection])
    );
    assert_eq!(row.profile, profile(2));
    assert_eq!(row.profile_version, 1);
    assert_eq!(row.created_at, at(0));
    assert_eq!(row.updated_at, at(0));
    assert_eq!(db.get_institution(new.id).await.unwrap(), row);
    assert_eq!(
        db.get_institution_by_code(&icode("0040000")).await.unwrap(),
        row
    );
    // Version 1 is recorded with the institution.
    let changes = db.list_profile_changes(new.id).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].version, 1);
    assert_eq!(changes[0].previous_profile, None);
    assert_eq!(changes[0].new_profile, profile(2));
    assert_eq!(changes[0].changed_by, "admin");
}

pub async fn institutions_are_listed_by_code(db: &Database) {
    assert!(db.list_institutions().await.unwrap().is_empty());
    let mut land = new_bank(2, "AA01");
    land.kind = InstitutionKind::LandOffice;
    land.query_methods = BTreeSet::new();
    let mut household = new_bank(3, "HH01");
    household.kind = InstitutionKind::HouseholdRegistrationOffice;
    let mut bureau = new_bank(4, "LB00");
    bureau.kind = InstitutionKind::Bureau;
    bureau.query_methods = QueryMethod::ALL.into();
    for new in [&bureau, &household, &land] {
        db.insert_institution(new).await.unwrap();
    }
    bank(db, 1, "0040000").await;
    let list = db.list_institutions().await.unwrap();
    let codes: Vec<&str> = list.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["0040000", "AA01", "HH01", "LB00"]);
    let kinds: Vec<InstitutionKind> = list.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InstitutionKind::Bank,
            InstitutionKind::LandOffice,
            InstitutionKind::HouseholdRegistrationOffice,
            InstitutionKind::Bureau
        ]
    );
    assert!(list[1].query_methods.is_empty());
    assert_eq!(list[3].query_methods, QueryMethod::ALL.into());
}

pub async fn a_duplicate_institution_code_is_a_conflict(db: &Database) {
    bank(db, 1, "0040000").await;
    let err = db
        .insert_institution(&new_bank(2, "0040000"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let err = db
        .insert_institution(&new_bank(1, "0050000"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "same id: {err}");
    // Nothing of the refused inserts remains.
    assert_eq!(db.list_institutions().await.unwrap().len(), 1);
    assert_eq!(db.list_profile_changes(id(2)).await.unwrap().len(), 0);
}

pub async fn an_unknown_institution_is_not_found(db: &Database) {
    let err = db.get_institution(id(9)).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = db
        .get_institution_by_code(&icode("9999999"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "institution",
                ..
            }
        ),
        "{err}"
    );
    let err = db
        .update_institution_details(id(9), "x", &BTreeSet::new(), at(5))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = db
        .update_profile(&ProfileUpdate {
            institution_id: id(9),
            expected_version: 1,
            profile: profile(3),
            changed_by: "u".into(),
            reason: "r".into(),
            changed_at: at(5),
        })
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(db.list_profile_changes(id(9)).await.unwrap().is_empty());
}

pub async fn invalid_institution_data_is_rejected(db: &Database) {
    let mut blank_name = new_bank(1, "0040000");
    blank_name.name = "  ".into();
    let err = db.insert_institution(&blank_name).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    let mut not_object = new_bank(1, "0040000");
    not_object.profile = serde_json::json!([1, 2]);
    let err = db.insert_institution(&not_object).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    assert!(db.list_institutions().await.unwrap().is_empty());
}

pub async fn institution_details_can_be_changed(db: &Database) {
    let row = bank(db, 1, "0040000").await;
    let changed = db
        .update_institution_details(row.id, "臺灣測試銀行", &[QueryMethod::Api].into(), at(60))
        .await
        .unwrap();
    assert_eq!(changed.name, "臺灣測試銀行");
    assert_eq!(changed.query_methods, BTreeSet::from([QueryMethod::Api]));
    assert_eq!(changed.updated_at, at(60));
    assert_eq!(changed.created_at, at(0));
    assert_eq!(
        changed.profile_version, 1,
        "details are not a profile change"
    );
    assert_eq!(db.get_institution(row.id).await.unwrap(), changed);
    let err = db
        .update_institution_details(row.id, "", &BTreeSet::new(), at(61))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
}

pub async fn every_profile_change_is_recorded(db: &Database) {
    let row = bank(db, 1, "0040000").await;
    let first = db
        .update_profile(&ProfileUpdate {
            institution_id: row.id,
            expected_version: 1,
            profile: profile(5),
            changed_by: "supervisor".into(),
            reason: "年度檢討 / yearly review".into(),
            changed_at: at(100),
        })
        .await
        .unwrap();
    assert_eq!(first.version, 2);
    assert_eq!(first.previous_profile, Some(profile(2)));
    assert_eq!(first.new_profile, profile(5));
    assert_eq!(first.changed_by, "supervisor");
    assert_eq!(first.changed_at, at(100));
    let second = db
        .update_profile(&ProfileUpdate {
            institution_id: row.id,
            expected_version: 2,
            profile: profile(10),
            changed_by: "supervisor".into(),
            reason: "風險提高 / higher risk".into(),
            changed_at: at(200),
        })
        .await
        .unwrap();
    assert_eq!(second.version, 3);
    assert!(second.id > first.id);
    let current = db.get_institution(row.id).await.unwrap();
    assert_eq!(current.profile, profile(10));
    assert_eq!(current.profile_version, 3);
    assert_eq!(current.updated_at, at(200));
    let history = db.list_profile_changes(row.id).await.unwrap();
    let versions: Vec<i64> = history.iter().map(|c| c.version).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(history[1], first);
    assert_eq!(history[2], second);
    assert_eq!(history[2].reason, "風險提高 / higher risk");
    // Changes of another institution are not mixed in.
    let other = bank(db, 2, "0050000").await;
    assert_eq!(db.list_profile_changes(other.id).await.unwrap().len(), 1);
}

pub async fn a_stale_profile_change_is_a_conflict(db: &Database) {
    let row = bank(db, 1, "0040000").await;
    let update = ProfileUpdate {
        institution_id: row.id,
        expected_version: 1,
        profile: profile(5),
        changed_by: "a".into(),
        reason: "r".into(),
        changed_at: at(10),
    };
    db.update_profile(&update).await.unwrap();
    let err = db.update_profile(&update).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let blank_reason = ProfileUpdate {
        expected_version: 2,
        reason: " ".into(),
        ..update.clone()
    };
    let err = db.update_profile(&blank_reason).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    let not_object = ProfileUpdate {
        expected_version: 2,
        profile: serde_json::json!("x"),
        ..update
    };
    let err = db.update_profile(&not_object).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    assert_eq!(db.list_profile_changes(row.id).await.unwrap().len(), 2);
}

pub async fn the_org_unit_tree_reads_back_in_code_order(db: &Database) {
    let inst = bank(db, 1, "0040000").await;
    assert_eq!(db.org_unit_tree(inst.id).await.unwrap(), None);
    let head = unit(db, 10, &inst, None, "0000", OrgUnitKind::HeadOffice).await;
    let b2 = unit(db, 12, &inst, Some(&head), "0200", OrgUnitKind::Branch).await;
    let b1 = unit(db, 11, &inst, Some(&head), "0100", OrgUnitKind::Branch).await;
    let s1 = unit(db, 13, &inst, Some(&b1), "0101", OrgUnitKind::Section).await;
    let audit = unit(db, 14, &inst, Some(&head), "0010", OrgUnitKind::Section).await;
    assert_eq!(db.get_org_unit(b1.id).await.unwrap(), b1);
    assert_eq!(b1.parent_id, Some(head.id));
    assert_eq!(b1.institution_id, inst.id);
    assert_eq!(b1.created_at, at(1));
    let tree = db.org_unit_tree(inst.id).await.unwrap().unwrap();
    assert_eq!(tree.len(), 5);
    assert!(!tree.is_empty());
    let flat: Vec<(usize, &str)> = tree
        .flatten()
        .into_iter()
        .map(|(depth, u)| (depth, u.code.as_str()))
        .collect();
    assert_eq!(
        flat,
        [
            (0, "0000"),
            (1, "0010"),
            (1, "0100"),
            (2, "0101"),
            (1, "0200")
        ]
    );
    assert_eq!(tree.unit, head);
    assert_eq!(tree.children[1].children[0].unit, s1);
    let listed = db.list_org_units(inst.id).await.unwrap();
    assert_eq!(listed, vec![head, audit, b1, s1, b2]);
    // Another institution's tree is separate.
    let other = bank(db, 2, "0050000").await;
    assert!(db.list_org_units(other.id).await.unwrap().is_empty());
}

pub async fn an_institution_has_one_head_office(db: &Database) {
    let inst = bank(db, 1, "0040000").await;
    let head = unit(db, 10, &inst, None, "0000", OrgUnitKind::HeadOffice).await;
    let err = db
        .insert_org_unit(&new_unit(11, &inst, None, "0001", OrgUnitKind::HeadOffice))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let err = db
        .insert_org_unit(&new_unit(
            12,
            &inst,
            Some(&head),
            "0000",
            OrgUnitKind::Branch,
        ))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "duplicate unit code: {err}");
    let err = db
        .insert_org_unit(&new_unit(
            13,
            &inst,
            Some(&head),
            "0002",
            OrgUnitKind::HeadOffice,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    let err = db
        .insert_org_unit(&new_unit(14, &inst, None, "0003", OrgUnitKind::Branch))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    assert_eq!(db.list_org_units(inst.id).await.unwrap().len(), 1);
}

pub async fn a_parent_unit_belongs_to_the_same_institution(db: &Database) {
    let a = bank(db, 1, "0040000").await;
    let b = bank(db, 2, "0050000").await;
    let head_a = unit(db, 10, &a, None, "0000", OrgUnitKind::HeadOffice).await;
    let head_b = unit(db, 20, &b, None, "0000", OrgUnitKind::HeadOffice).await;
    let err = db
        .insert_org_unit(&new_unit(
            11,
            &b,
            Some(&head_a),
            "0100",
            OrgUnitKind::Branch,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    let mut unknown_parent = new_unit(12, &a, Some(&head_a), "0100", OrgUnitKind::Branch);
    unknown_parent.parent_id = Some(id(99));
    let err = db.insert_org_unit(&unknown_parent).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let mut unknown_institution = new_unit(13, &a, None, "0000", OrgUnitKind::HeadOffice);
    unknown_institution.institution_id = id(98);
    let err = db.insert_org_unit(&unknown_institution).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let branch_a = unit(db, 14, &a, Some(&head_a), "0100", OrgUnitKind::Branch).await;
    let err = db
        .move_org_unit(branch_a.id, head_b.id, at(9))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
}

pub async fn a_unit_moves_with_its_subtree_but_never_under_itself(db: &Database) {
    let inst = bank(db, 1, "0040000").await;
    let head = unit(db, 10, &inst, None, "0000", OrgUnitKind::HeadOffice).await;
    let b1 = unit(db, 11, &inst, Some(&head), "0100", OrgUnitKind::Branch).await;
    let b2 = unit(db, 12, &inst, Some(&head), "0200", OrgUnitKind::Branch).await;
    let s1 = unit(db, 13, &inst, Some(&b1), "0101", OrgUnitKind::Section).await;
    let moved = db.move_org_unit(b1.id, b2.id, at(50)).await.unwrap();
    assert_eq!(moved.parent_id, Some(b2.id));
    assert_eq!(moved.updated_at, at(50));
    let flat: Vec<(usize, String)> = db
        .org_unit_tree(inst.id)
        .await
        .unwrap()
        .unwrap()
        .flatten()
        .into_iter()
        .map(|(d, u)| (d, u.code.to_string()))
        .collect();
    assert_eq!(
        flat,
        [
            (0, "0000".to_owned()),
            (1, "0200".to_owned()),
            (2, "0100".to_owned()),
            (3, "0101".to_owned())
        ]
    );
    for (unit_id, new_parent) in [(b2.id, s1.id), (b2.id, b2.id), (b1.id, s1.id)] {
        let err = db
            .move_org_unit(unit_id, new_parent, at(60))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    }
    let err = db.move_org_unit(head.id, b1.id, at(60)).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    let err = db.move_org_unit(id(99), head.id, at(60)).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = db.move_org_unit(b1.id, id(99), at(60)).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // The refused moves changed nothing.
    assert_eq!(
        db.get_org_unit(b2.id).await.unwrap().parent_id,
        Some(head.id)
    );
}

pub async fn an_unknown_org_unit_is_not_found(db: &Database) {
    let err = db.get_org_unit(id(5)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "org_unit",
                ..
            }
        ),
        "{err}"
    );
}

pub async fn a_dropped_transaction_leaves_no_trace(db: &Database) {
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.backend(), db.backend());
    let inst = tx
        .insert_institution(&new_bank(1, "0040000"))
        .await
        .unwrap();
    tx.insert_org_unit(&new_unit(10, &inst, None, "0000", OrgUnitKind::HeadOffice))
        .await
        .unwrap();
    assert_eq!(tx.list_institutions().await.unwrap().len(), 1);
    drop(tx);
    assert!(db.list_institutions().await.unwrap().is_empty());
    let mut tx = db.begin().await.unwrap();
    tx.insert_institution(&new_bank(1, "0040000"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(db.get_institution(id(1)).await.unwrap_err().is_not_found());
}

pub async fn a_committed_transaction_keeps_all_its_changes(db: &Database) {
    let mut tx = db.begin().await.unwrap();
    let inst = tx
        .insert_institution(&new_bank(1, "0040000"))
        .await
        .unwrap();
    let head = tx
        .insert_org_unit(&new_unit(10, &inst, None, "0000", OrgUnitKind::HeadOffice))
        .await
        .unwrap();
    let branch = tx
        .insert_org_unit(&new_unit(
            11,
            &inst,
            Some(&head),
            "0100",
            OrgUnitKind::Branch,
        ))
        .await
        .unwrap();
    assert_eq!(
        tx.get_institution_by_code(&icode("0040000")).await.unwrap(),
        inst
    );
    tx.commit().await.unwrap();
    assert_eq!(
        db.list_org_units(inst.id).await.unwrap(),
        vec![head, branch]
    );
    // A read transaction sees the same.
    let mut read = db.begin_read().await.unwrap();
    assert_eq!(read.get_institution(inst.id).await.unwrap(), inst);
    read.commit().await.unwrap();
}

pub async fn timestamps_keep_microseconds(db: &Database) {
    let precise = chrono::Utc
        .with_ymd_and_hms(2024, 2, 29, 23, 59, 59)
        .unwrap()
        + chrono::Duration::nanoseconds(123_456_789);
    let mut new = new_bank(1, "0040000");
    new.created_at = precise;
    let row = db.insert_institution(&new).await.unwrap();
    let micros = chrono::Utc
        .with_ymd_and_hms(2024, 2, 29, 23, 59, 59)
        .unwrap()
        + chrono::Duration::microseconds(123_456);
    assert_eq!(row.created_at, micros);
    assert_eq!(db.get_institution(row.id).await.unwrap().created_at, micros);
}
