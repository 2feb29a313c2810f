//! Use cases of the organisation model: create an institution (with its head office), add and
//! move org units, change the control profile (J0.2, J0.3, J0.4, X7).
//!
//! Each use case is one transaction and validates with the domain first: the institution code
//! must suit its kind, the org tree must stay a valid tree ([`OrgTree`]), and a profile may only
//! be tightened ([`ControlProfile::apply_change`]). Every profile change is recorded
//! (`profile_changes`) and written to the ledger in the same durable batch ([`LedgerWriter`]); the
//! creation of an institution and the addition of an org unit are ledger entries too with who made it and why.

use std::collections::{BTreeSet, HashMap};

use custos_domain::clock::Clock;
use custos_domain::institution::{
    InstitutionCode, InstitutionKind, OrgTree, OrgUnit, OrgUnitCode, OrgUnitKind, QueryMethod,
};
use custos_domain::profile::{ControlProfile, ProfileChange, ProfileDraft};
use custos_store::ledger_refs::LedgerSubject;
use custos_store::{
    Database, InstitutionRow, NewInstitution, NewOrgUnit, OrgUnitRow, ProfileChangeRow,
    ProfileUpdate, StoreError, Tx,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::IdGenerator;
use crate::ledger::{LedgerWriter, NewLedgerEntry, TxFuture};
use custos_ledger::leaf::EntryKind;
use custos_ledger::record::AuditRecord;

/// The head office created together with an institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadOffice {
    /// Unit code.
    pub code: OrgUnitCode,
    /// Name.
    pub name: String,
}

/// Request to create an institution.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateInstitution {
    /// Institution code; its shape must suit `kind`.
    pub code: InstitutionCode,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: InstitutionKind,
    /// Declared query methods (J0.2).
    pub query_methods: BTreeSet<QueryMethod>,
    /// Initial control profile (usually a seed: `ControlProfile::jcic()` / `taipei()`).
    pub profile: ControlProfile,
    /// The user creating it.
    pub created_by: String,
    /// Its head office, created in the same transaction.
    pub head_office: Option<HeadOffice>,
}

/// Creates an institution (profile version 1 recorded) and, if given, its head office — together
/// or not at all.
pub async fn create_institution(
    ledger: &LedgerWriter,
    clock: &dyn Clock,
    ids: &dyn IdGenerator,
    request: CreateInstitution,
) -> Result<(InstitutionRow, Option<OrgUnitRow>), AppError> {
    if !request.kind.accepts(&request.code) {
        return Err(AppError::Rule(format!(
            "機構代號 {} 不符合「{}」的格式 / institution code {} does not suit a {}",
            request.code,
            request.kind.zh_tw(),
            request.code,
            request.kind.en()
        )));
    }
    if let Some(head) = &request.head_office {
        // A one-unit tree: checks the name and the head-office rule with the domain.
        OrgTree::new(vec![OrgUnit {
            code: head.code.clone(),
            institution: request.code.clone(),
            parent: None,
            kind: OrgUnitKind::HeadOffice,
            name: head.name.clone(),
        }])?;
    }
    let profile = profile_json(&request.profile)?;
    let now = clock.now();
    let entry = org_entry(
        &request.created_by,
        now,
        "institution.create",
        request.code.to_string(),
        "建立機構與控管設定第 1 版 / institution created with profile version 1",
        &serde_json::json!({ "code": request.code.to_string(), "name": request.name, "profile": profile }),
    );
    let (institution_id, head_id) = (ids.new_id(), ids.new_id());
    // Sealed here so the entry's commitment is known: the links to it are written with the
    // change, and resolved to the entry's index when the writer inserts its leaf.
    let sealed = ledger.seal(&entry)?;
    let commitment = sealed.entry.fields_commitment;
    let (result, _) = ledger
        .submit_sealed(
            sealed,
            move |tx: &mut Tx| -> TxFuture<'_, (InstitutionRow, Option<OrgUnitRow>)> {
                Box::pin(async move {
                    let has_head = request.head_office.is_some();
                    link(
                        tx,
                        LedgerSubject::Institution,
                        institution_id.to_string(),
                        &commitment,
                    )
                    .await?;
                    link(
                        tx,
                        LedgerSubject::ProfileChange,
                        format!("{institution_id}#1"),
                        &commitment,
                    )
                    .await?;
                    if has_head {
                        link(tx, LedgerSubject::OrgUnit, head_id.to_string(), &commitment).await?;
                    }
                    let institution = tx
                        .insert_institution(&NewInstitution {
                            id: institution_id,
                            code: request.code,
                            name: request.name,
                            kind: request.kind,
                            query_methods: request.query_methods,
                            profile,
                            created_by: request.created_by,
                            created_at: now,
                        })
                        .await?;
                    let head = match request.head_office {
                        Some(head) => Some(
                            tx.insert_org_unit(&NewOrgUnit {
                                id: head_id,
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
                    Ok((institution, head))
                })
            },
        )
        .await?;
    Ok(result)
}

/// The ledger entry of an organisation or profile change (J0.4: every profile change is a ledger
/// event). The acting user is named in the fields; the payload carries the change as JSON.
fn org_entry(
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
    operation: &str,
    subject: String,
    reason: &str,
    payload: &serde_json::Value,
) -> NewLedgerEntry {
    NewLedgerEntry {
        kind: EntryKind::PROFILE_CHANGE,
        actor: [0; 16],
        record: AuditRecord {
            account: by.to_owned(),
            ip: String::new(),
            occurred_at_ms: at.timestamp_millis(),
            operation_code: operation.to_owned(),
            conditions: subject,
            case_number: String::new(),
            reason: reason.to_owned(),
        },
        payload: Some(payload.to_string().into_bytes()),
        subject_index: None,
    }
}

/// Links `subject` to the entry with fields commitment `commitment` (resolved to its index in the
/// same transaction; see `custos_store::ledger_refs`).
async fn link(
    tx: &mut Tx,
    subject: LedgerSubject,
    id: String,
    commitment: &[u8; 32],
) -> Result<(), AppError> {
    Ok(tx.insert_ledger_ref(subject, &id, commitment).await?)
}

/// Request to add an org unit below `parent_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOrgUnit {
    /// The institution.
    pub institution_id: Uuid,
    /// The parent unit.
    pub parent_id: Uuid,
    /// Unit code, unique within the institution.
    pub code: OrgUnitCode,
    /// Name.
    pub name: String,
    /// Branch or section (a head office comes with the institution).
    pub kind: OrgUnitKind,
}

/// Adds a branch or section under an existing unit of the same institution.
pub async fn add_org_unit(
    ledger: &LedgerWriter,
    clock: &dyn Clock,
    ids: &dyn IdGenerator,
    request: AddOrgUnit,
) -> Result<OrgUnitRow, AppError> {
    let id = ids.new_id();
    let now = clock.now();
    let entry = org_entry(
        "",
        now,
        "org_unit.add",
        request.code.to_string(),
        "新增組織單位 / org unit added",
        &serde_json::json!({
            "institution_id": request.institution_id,
            "parent_id": request.parent_id,
            "code": request.code.to_string(),
            "name": request.name,
            "kind": format!("{:?}", request.kind),
        }),
    );
    let sealed = ledger.seal(&entry)?;
    let commitment = sealed.entry.fields_commitment;
    let (row, _) = ledger
        .submit_sealed(sealed, move |tx: &mut Tx| -> TxFuture<'_, OrgUnitRow> {
            Box::pin(async move {
                link(tx, LedgerSubject::OrgUnit, id.to_string(), &commitment).await?;
                let institution = tx.get_institution(request.institution_id).await?;
                let units = tx.list_org_units(request.institution_id).await?;
                let new = OrgUnitRow {
                    id,
                    institution_id: request.institution_id,
                    parent_id: Some(request.parent_id),
                    code: request.code,
                    name: request.name,
                    kind: request.kind,
                    created_at: now,
                    updated_at: now,
                };
                let mut candidate = units;
                candidate.push(new.clone());
                check_tree(&institution.code, &candidate)?;
                Ok(tx
                    .insert_org_unit(&NewOrgUnit {
                        id,
                        institution_id: new.institution_id,
                        parent_id: new.parent_id,
                        code: new.code,
                        name: new.name,
                        kind: new.kind,
                        created_at: new.created_at,
                    })
                    .await?)
            })
        })
        .await?;
    Ok(row)
}

/// Moves an org unit (with its sub-units) under another unit of the same institution.
pub async fn move_org_unit(
    db: &Database,
    clock: &dyn Clock,
    unit_id: Uuid,
    new_parent_id: Uuid,
) -> Result<OrgUnitRow, AppError> {
    let mut tx = db.begin().await?;
    let unit = tx.get_org_unit(unit_id).await?;
    let institution = tx.get_institution(unit.institution_id).await?;
    let mut candidate = tx.list_org_units(unit.institution_id).await?;
    for u in &mut candidate {
        if u.id == unit_id {
            u.parent_id = Some(new_parent_id);
        }
    }
    check_tree(&institution.code, &candidate)?;
    let row = tx
        .move_org_unit(unit_id, new_parent_id, clock.now())
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// Validates the rows of one institution as a domain [`OrgTree`].
fn check_tree(institution: &InstitutionCode, rows: &[OrgUnitRow]) -> Result<(), AppError> {
    let codes: HashMap<Uuid, &OrgUnitCode> = rows.iter().map(|u| (u.id, &u.code)).collect();
    let units = rows
        .iter()
        .map(|u| {
            let parent = match u.parent_id {
                None => None,
                Some(p) => Some(
                    (*codes
                        .get(&p)
                        .ok_or_else(|| StoreError::not_found("org_unit", p.to_string()))?)
                    .clone(),
                ),
            };
            Ok(OrgUnit {
                code: u.code.clone(),
                institution: institution.clone(),
                parent,
                kind: u.kind,
                name: u.name.clone(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    OrgTree::new(units)?;
    Ok(())
}

/// Request to change an institution's control profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeProfile {
    /// The institution.
    pub institution_id: Uuid,
    /// The profile version the user edited (a newer one makes this a conflict).
    pub expected_version: i64,
    /// The proposed profile.
    pub draft: ProfileDraft,
    /// Who approved the change.
    pub changed_by: String,
    /// Why (required: the change record must explain itself, J0.4).
    pub reason: String,
}

/// A recorded profile change with the settings it changed (for the ledger event).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileChanged {
    /// The stored change record.
    pub record: ProfileChangeRow,
    /// The settings that changed, old and new values.
    pub changes: Vec<ProfileChange>,
}

/// Replaces the control profile — only tightened, never loosened below the seed (J0.4) — and
/// records the change (who, when, why, before, after).
pub async fn change_profile(
    ledger: &LedgerWriter,
    clock: &dyn Clock,
    request: ChangeProfile,
) -> Result<ProfileChanged, AppError> {
    if request.reason.trim().is_empty() {
        return Err(AppError::Rule(
            "請填寫變更原因 / a profile change needs a reason".to_owned(),
        ));
    }
    let now = clock.now();
    let entry = org_entry(
        &request.changed_by,
        now,
        "profile.change",
        request.institution_id.to_string(),
        &request.reason,
        &serde_json::json!({
            "institution_id": request.institution_id,
            "expected_version": request.expected_version,
            "draft": format!("{:?}", request.draft),
        }),
    );
    let sealed = ledger.seal(&entry)?;
    let commitment = sealed.entry.fields_commitment;
    let (changed, _) = ledger
        .submit_sealed(sealed, move |tx: &mut Tx| -> TxFuture<'_, ProfileChanged> {
            Box::pin(async move {
                let institution = tx.get_institution(request.institution_id).await?;
                let current = stored_profile(&institution)?;
                let changes = current.apply_change(&request.draft)?;
                if changes.is_empty() {
                    return Err(AppError::Rule(
                        "控管設定沒有變更 / the proposal changes no setting".to_owned(),
                    ));
                }
                let next = ControlProfile::try_from(request.draft.clone())?;
                let record = update(tx, &request, &next, now).await?;
                let subject = format!("{}#{}", record.institution_id, record.version);
                link(tx, LedgerSubject::ProfileChange, subject, &commitment).await?;
                Ok(ProfileChanged { record, changes })
            })
        })
        .await?;
    Ok(changed)
}

async fn update(
    tx: &mut Tx,
    request: &ChangeProfile,
    next: &ControlProfile,
    changed_at: chrono::DateTime<chrono::Utc>,
) -> Result<ProfileChangeRow, AppError> {
    Ok(tx
        .update_profile(&ProfileUpdate {
            institution_id: request.institution_id,
            expected_version: request.expected_version,
            profile: profile_json(next)?,
            changed_by: request.changed_by.clone(),
            reason: request.reason.clone(),
            changed_at,
        })
        .await?)
}

/// The institution's current profile as the domain type.
pub fn stored_profile(institution: &InstitutionRow) -> Result<ControlProfile, AppError> {
    serde_json::from_value(institution.profile.clone()).map_err(|e| {
        AppError::Store(StoreError::Corrupt(format!(
            "institution {} profile: {e}",
            institution.code
        )))
    })
}

fn profile_json(profile: &ControlProfile) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(profile)
        .map_err(|e| AppError::Store(StoreError::InvalidData(format!("profile: {e}"))))
}

/// An institution whose control profile is due for its periodic review (J0.4).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileReviewDue {
    /// The institution.
    pub institution: InstitutionRow,
    /// When its profile was last changed or confirmed.
    pub last_reviewed: chrono::DateTime<chrono::Utc>,
    /// The review interval of its profile, in months.
    pub interval_months: u32,
}

/// Institutions whose control profile has not been reviewed within the profile's own review
/// interval (`profile_review_months`, J0.4: the frequency of self-checks is itself reviewed
/// periodically). The last review is the newest recorded profile change (version 1 counts).
pub async fn profile_reviews_due(
    db: &Database,
    clock: &dyn Clock,
) -> Result<Vec<ProfileReviewDue>, AppError> {
    let now = clock.now();
    let mut due = Vec::new();
    for institution in db.list_institutions().await? {
        let profile = stored_profile(&institution)?;
        let Some(months) = profile.get(custos_domain::profile::SettingKey::ProfileReviewMonths)
        else {
            continue;
        };
        let last_reviewed = db
            .list_profile_changes(institution.id)
            .await?
            .iter()
            .map(|c| c.changed_at)
            .max()
            .unwrap_or(institution.created_at);
        let next = last_reviewed
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(last_reviewed);
        if next <= now {
            due.push(ProfileReviewDue {
                institution,
                last_reviewed,
                interval_months: months,
            });
        }
    }
    Ok(due)
}
