//! Fixtures shared by the conformance behaviours.

use chrono::{DateTime, TimeZone, Utc};
use custos_domain::institution::{
    InstitutionCode, InstitutionKind, OrgUnitCode, OrgUnitKind, QueryMethod,
};
use custos_store::{Database, InstitutionRow, NewInstitution, NewOrgUnit, OrgUnitRow};
use uuid::Uuid;

/// 2025-06-02 09:00:00 UTC plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
}

/// A deterministic id: `n` in the last bytes.
pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

pub fn profile(sample_percent: u32) -> serde_json::Value {
    serde_json::json!({ "query_record_sample_percent": sample_percent, "min_sample": 10 })
}

pub fn new_bank(n: u128, code: &str) -> NewInstitution {
    NewInstitution {
        id: id(n),
        code: icode(code),
        name: format!("測試銀行 {code}"),
        kind: InstitutionKind::Bank,
        query_methods: [QueryMethod::ServerConnection, QueryMethod::ChipCard].into(),
        profile: profile(2),
        created_by: "admin".to_owned(),
        created_at: at(0),
    }
}

pub async fn bank(db: &Database, n: u128, code: &str) -> InstitutionRow {
    db.insert_institution(&new_bank(n, code)).await.unwrap()
}

pub fn new_unit(
    n: u128,
    institution: &InstitutionRow,
    parent: Option<&OrgUnitRow>,
    code: &str,
    kind: OrgUnitKind,
) -> NewOrgUnit {
    NewOrgUnit {
        id: id(n),
        institution_id: institution.id,
        parent_id: parent.map(|p| p.id),
        code: ucode(code),
        name: format!("單位 {code}"),
        kind,
        created_at: at(1),
    }
}

pub async fn unit(
    db: &Database,
    n: u128,
    institution: &InstitutionRow,
    parent: Option<&OrgUnitRow>,
    code: &str,
    kind: OrgUnitKind,
) -> OrgUnitRow {
    db.insert_org_unit(&new_unit(n, institution, parent, code, kind))
        .await
        .unwrap()
}

pub fn icode(code: &str) -> InstitutionCode {
    InstitutionCode::parse(code).unwrap()
}

pub fn ucode(code: &str) -> OrgUnitCode {
    OrgUnitCode::parse(code).unwrap()
}
