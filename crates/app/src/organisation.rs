//! Use cases of the organisation model: create an institution (with its head office), add and
//! move org units, change the control profile (J0.2, J0.3, J0.4, X7).
//!
//! Each use case is one transaction. Every profile change is recorded (`profile_changes`; a ledger
//! entry once the ledger exists) with who made it and why.

use custos_domain::clock::Clock;
use custos_store::{
    Database, InstitutionKind, InstitutionRow, NewInstitution, NewOrgUnit, OrgUnitKind, OrgUnitRow,
    ProfileChangeRow, ProfileUpdate, QueryMethod,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::IdGenerator;

/// The head office created together with an institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadOffice {
    /// Unit code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Request to create an institution.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateInstitution {
    /// Institution code (1–16 upper-case letters or digits).
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: InstitutionKind,
    /// Declared query methods (J0.2).
    pub query_methods: Vec<QueryMethod>,
    /// Initial control profile (a serialised `ControlProfile`).
    pub profile: serde_json::Value,
    /// The user creating it.
    pub created_by: String,
    /// Its head office, created in the same transaction.
    pub head_office: Option<HeadOffice>,
}

/// Creates an institution (profile version 1 recorded) and, if given, its head office — together
/// or not at all.
pub async fn create_institution(
    db: &Database,
    clock: &dyn Clock,
    ids: &dyn IdGenerator,
    request: CreateInstitution,
) -> Result<(InstitutionRow, Option<OrgUnitRow>), AppError> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let institution = tx
        .insert_institution(&NewInstitution {
            id: ids.new_id(),
            code: request.code,
            name: request.name,
            kind: request.kind,
            query_methods: request.query_methods,
            profile: request.profile,
            created_by: request.created_by,
            created_at: now,
        })
        .await?;
    let head = match request.head_office {
        Some(head) => Some(
            tx.insert_org_unit(&NewOrgUnit {
                id: ids.new_id(),
                institution_id: institution.id,
                parent_id: None,
                code: head.code,
                name: head.name,
                kind: OrgUnitKind::HeadOffice,
                created_at: now,
            })
            .await?,
        ),
        None => None,
    };
    tx.commit().await?;
    Ok((institution, head))
}

/// Request to add an org unit below `parent_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOrgUnit {
    /// The institution.
    pub institution_id: Uuid,
    /// The parent unit.
    pub parent_id: Uuid,
    /// Unit code, unique within the institution.
    pub code: String,
    /// Name.
    pub name: String,
    /// Branch or section (a head office comes with the institution).
    pub kind: OrgUnitKind,
}

/// Adds a branch or section under an existing unit of the same institution.
pub async fn add_org_unit(
    db: &Database,
    clock: &dyn Clock,
    ids: &dyn IdGenerator,
    request: AddOrgUnit,
) -> Result<OrgUnitRow, AppError> {
    if request.kind == OrgUnitKind::HeadOffice {
        return Err(AppError::Rule(
            "總機構於建立機構時設定 / the head office is set when the institution is created"
                .to_owned(),
        ));
    }
    Ok(db
        .insert_org_unit(&NewOrgUnit {
            id: ids.new_id(),
            institution_id: request.institution_id,
            parent_id: Some(request.parent_id),
            code: request.code,
            name: request.name,
            kind: request.kind,
            created_at: clock.now(),
        })
        .await?)
}

/// Moves an org unit (with its sub-units) under another unit of the same institution.
pub async fn move_org_unit(
    db: &Database,
    clock: &dyn Clock,
    unit_id: Uuid,
    new_parent_id: Uuid,
) -> Result<OrgUnitRow, AppError> {
    Ok(db
        .move_org_unit(unit_id, new_parent_id, clock.now())
        .await?)
}

/// Request to change an institution's control profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeProfile {
    /// The institution.
    pub institution_id: Uuid,
    /// The profile version the user edited (a newer one makes this a conflict).
    pub expected_version: i64,
    /// The new profile.
    pub profile: serde_json::Value,
    /// Who approved the change.
    pub changed_by: String,
    /// Why (required: the change record must explain itself, J0.4).
    pub reason: String,
}

/// Replaces the control profile and records the change (who, when, why, before, after).
///
/// The J0.4 rule that profile values may only be tightened below the seed's minimums belongs to
/// `custos_domain::profile`; it is applied here once that type exists (see the crate notes).
pub async fn change_profile(
    db: &Database,
    clock: &dyn Clock,
    request: ChangeProfile,
) -> Result<ProfileChangeRow, AppError> {
    if request.reason.trim().is_empty() {
        return Err(AppError::Rule(
            "請填寫變更原因 / a profile change needs a reason".to_owned(),
        ));
    }
    if !request.profile.is_object() {
        return Err(AppError::Rule(
            "控管設定格式錯誤 / a control profile must be a JSON object".to_owned(),
        ));
    }
    Ok(db
        .update_profile(&ProfileUpdate {
            institution_id: request.institution_id,
            expected_version: request.expected_version,
            profile: request.profile,
            changed_by: request.changed_by,
            reason: request.reason,
            changed_at: clock.now(),
        })
        .await?)
}
