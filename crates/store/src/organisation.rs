//! The organisation model: institutions (J0.2), their org-unit tree (head office → branches /
//! sections, J0.3, X7) and the record of every control-profile change (J0.4).
//!
//! Invariants kept by the schema and this module:
//! - an institution code is unique; its control profile is stored as JSON text with a version
//!   that starts at 1 and grows by one with each recorded change;
//! - every profile version has exactly one `profile_changes` row (version 1 is written with the
//!   institution), so the history is complete;
//! - each institution has at most one root unit, the head office; every other unit has a parent in
//!   the same institution, and a move never creates a cycle.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use custos_domain::institution::{
    InstitutionCode, InstitutionKind, OrgUnitCode, OrgUnitKind, QueryMethod,
};
use uuid::Uuid;

use crate::database::{Tx, database_methods, with_conn};
use crate::error::StoreError;
use crate::row::{RowExt, corrupt, ts};

/// Encodes a set of query methods as their letters in N, B, Q, W order.
fn encode_methods(methods: &BTreeSet<QueryMethod>) -> String {
    methods.iter().map(|m| m.letter()).collect()
}

fn decode_methods(text: &str) -> Result<BTreeSet<QueryMethod>, StoreError> {
    QueryMethod::parse_set(text).map_err(|e| corrupt("query_methods", &e))
}

fn org_unit_kind_code(kind: OrgUnitKind) -> &'static str {
    match kind {
        OrgUnitKind::HeadOffice => "head_office",
        OrgUnitKind::Branch => "branch",
        OrgUnitKind::Section => "section",
    }
}

fn parse_org_unit_kind(code: &str) -> Option<OrgUnitKind> {
    [
        OrgUnitKind::HeadOffice,
        OrgUnitKind::Branch,
        OrgUnitKind::Section,
    ]
    .into_iter()
    .find(|k| org_unit_kind_code(*k) == code)
}

fn parse_institution_kind(code: &str) -> Option<InstitutionKind> {
    InstitutionKind::ALL.into_iter().find(|k| k.code() == code)
}

/// Insert payload of an institution. Its initial control profile becomes profile version 1.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInstitution {
    /// The new institution's id.
    pub id: Uuid,
    /// The institution code, unique.
    pub code: InstitutionCode,
    /// The institution's name.
    pub name: String,
    /// Its kind.
    pub kind: InstitutionKind,
    /// The query methods it declares (J0.2).
    pub query_methods: BTreeSet<QueryMethod>,
    /// Its control profile (a serialised `ControlProfile`).
    pub profile: serde_json::Value,
    /// Who created it (recorded as the author of profile version 1).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A stored institution.
#[derive(Debug, Clone, PartialEq)]
pub struct InstitutionRow {
    /// Id.
    pub id: Uuid,
    /// Institution code.
    pub code: InstitutionCode,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: InstitutionKind,
    /// Declared query methods.
    pub query_methods: BTreeSet<QueryMethod>,
    /// The current control profile.
    pub profile: serde_json::Value,
    /// The current profile version (1 = as created).
    pub profile_version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A change of an institution's control profile (J0.4: each change is recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    /// The institution.
    pub institution_id: Uuid,
    /// The version the change was made against; a different current version is a conflict.
    pub expected_version: i64,
    /// The new profile.
    pub profile: serde_json::Value,
    /// Who made (approved) the change.
    pub changed_by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// One recorded profile version.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileChangeRow {
    /// Sequence number of the record.
    pub id: i64,
    /// The institution.
    pub institution_id: Uuid,
    /// The profile version this change produced.
    pub version: i64,
    /// The profile before (None for version 1).
    pub previous_profile: Option<serde_json::Value>,
    /// The profile after.
    pub new_profile: serde_json::Value,
    /// Who.
    pub changed_by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// Insert payload of an org unit. A head office has no parent; every other unit has one.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrgUnit {
    /// Id.
    pub id: Uuid,
    /// The institution it belongs to.
    pub institution_id: Uuid,
    /// Its parent (None only for the head office).
    pub parent_id: Option<Uuid>,
    /// Unit code, unique within the institution.
    pub code: OrgUnitCode,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgUnitKind,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A stored org unit.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgUnitRow {
    /// Id.
    pub id: Uuid,
    /// Institution.
    pub institution_id: Uuid,
    /// Parent (None for the head office).
    pub parent_id: Option<Uuid>,
    /// Unit code.
    pub code: OrgUnitCode,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgUnitKind,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// An org unit with its sub-units, children ordered by code.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgUnitTree {
    /// The unit.
    pub unit: OrgUnitRow,
    /// Its children.
    pub children: Vec<OrgUnitTree>,
}

impl OrgUnitTree {
    /// Number of units in this tree.
    pub fn len(&self) -> usize {
        1 + self.children.iter().map(OrgUnitTree::len).sum::<usize>()
    }

    /// Always false: a tree has at least its root.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The units depth-first (pre-order) with their depth (root = 0), for display.
    pub fn flatten(&self) -> Vec<(usize, &OrgUnitRow)> {
        let mut out = Vec::new();
        self.walk(0, &mut out);
        out
    }

    fn walk<'a>(&'a self, depth: usize, out: &mut Vec<(usize, &'a OrgUnitRow)>) {
        out.push((depth, &self.unit));
        for child in &self.children {
            child.walk(depth + 1, out);
        }
    }
}

fn institution_from_row(r: &impl RowExt) -> Result<InstitutionRow, StoreError> {
    let kind = r.text("kind")?;
    Ok(InstitutionRow {
        id: r.uuid("id")?,
        code: InstitutionCode::parse(&r.text("code")?).map_err(|e| corrupt("code", &e))?,
        name: r.text("name")?,
        kind: parse_institution_kind(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        query_methods: decode_methods(&r.text("query_methods")?)?,
        profile: r.json("profile")?,
        profile_version: r.int("profile_version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn profile_change_from_row(r: &impl RowExt) -> Result<ProfileChangeRow, StoreError> {
    Ok(ProfileChangeRow {
        id: r.int("id")?,
        institution_id: r.uuid("institution_id")?,
        version: r.int("version")?,
        previous_profile: r.opt_json("previous_profile")?,
        new_profile: r.json("new_profile")?,
        changed_by: r.text("changed_by")?,
        reason: r.text("reason")?,
        changed_at: r.time("changed_at")?,
    })
}

fn org_unit_from_row(r: &impl RowExt) -> Result<OrgUnitRow, StoreError> {
    let kind = r.text("kind")?;
    Ok(OrgUnitRow {
        id: r.uuid("id")?,
        institution_id: r.uuid("institution_id")?,
        parent_id: r.opt_uuid("parent_id")?,
        code: OrgUnitCode::parse(&r.text("code")?).map_err(|e| corrupt("code", &e))?,
        name: r.text("name")?,
        kind: parse_org_unit_kind(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

const INSTITUTION_COLUMNS: &str =
    "id, code, name, kind, query_methods, profile, profile_version, created_at, updated_at";
const ORG_UNIT_COLUMNS: &str =
    "id, institution_id, parent_id, code, name, kind, created_at, updated_at";
const PROFILE_CHANGE_COLUMNS: &str =
    "id, institution_id, version, previous_profile, new_profile, changed_by, reason, changed_at";

fn require_text(field: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        Err(StoreError::InvalidData(format!(
            "{field} 不可空白 / {field} must not be blank"
        )))
    } else {
        Ok(())
    }
}

fn profile_text(profile: &serde_json::Value) -> Result<String, StoreError> {
    if !profile.is_object() {
        return Err(StoreError::InvalidData(
            "控管設定必須是 JSON 物件 / a control profile must be a JSON object".to_owned(),
        ));
    }
    Ok(profile.to_string())
}

impl Tx {
    /// Inserts an institution and records its initial profile as version 1.
    pub async fn insert_institution(
        &mut self,
        new: &NewInstitution,
    ) -> Result<InstitutionRow, StoreError> {
        require_text("name", &new.name)?;
        require_text("created_by", &new.created_by)?;
        let profile = profile_text(&new.profile)?;
        let methods = encode_methods(&new.query_methods);
        let at = ts(new.created_at);
        let id = new.id.to_string();
        let sql_insert = format!(
            "INSERT INTO institutions ({INSTITUTION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING {INSTITUTION_COLUMNS}"
        );
        let sql_change = "INSERT INTO profile_changes \
             (institution_id, version, previous_profile, new_profile, changed_by, reason, changed_at) \
             VALUES ($1, 1, NULL, $2, $3, $4, $5)";
        let reason = "初始控管設定 / initial control profile";
        with_conn!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql_insert))
                .bind(&id)
                .bind(new.code.as_str())
                .bind(&new.name)
                .bind(new.kind.code())
                .bind(&methods)
                .bind(&profile)
                .bind(at)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!(
                        "機構代號或識別碼已存在：{} / institution code or id already exists: {}",
                        new.code, new.code
                    )),
                    other => other,
                })?;
            sqlx::query(sql_change)
                .bind(&id)
                .bind(&profile)
                .bind(&new.created_by)
                .bind(reason)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            institution_from_row(&row)
        })
    }

    /// The institution with `id`.
    pub async fn get_institution(&mut self, id: Uuid) -> Result<InstitutionRow, StoreError> {
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = $1");
        let key = id.to_string();
        with_conn!(self, conn => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(&mut *conn).await? {
                Some(row) => institution_from_row(&row),
                None => Err(StoreError::not_found("institution", key)),
            }
        })
    }

    /// The institution with code `code`.
    pub async fn get_institution_by_code(
        &mut self,
        code: &InstitutionCode,
    ) -> Result<InstitutionRow, StoreError> {
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = $1");
        with_conn!(self, conn => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code.as_str()).fetch_optional(&mut *conn).await? {
                Some(row) => institution_from_row(&row),
                None => Err(StoreError::not_found("institution", code.as_str())),
            }
        })
    }

    /// Every institution, ordered by code.
    pub async fn list_institutions(&mut self) -> Result<Vec<InstitutionRow>, StoreError> {
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions ORDER BY code");
        let mut rows: Vec<InstitutionRow> = with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(institution_from_row)
                .collect::<Result<_, _>>()?
        });
        // Byte order on both backends, whatever PostgreSQL's collation.
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(rows)
    }

    /// Replaces an institution's name and declared query methods.
    pub async fn update_institution_details(
        &mut self,
        id: Uuid,
        name: &str,
        query_methods: &BTreeSet<QueryMethod>,
        at: DateTime<Utc>,
    ) -> Result<InstitutionRow, StoreError> {
        require_text("name", name)?;
        let sql = format!(
            "UPDATE institutions SET name = $2, query_methods = $3, updated_at = $4 \
             WHERE id = $1 RETURNING {INSTITUTION_COLUMNS}"
        );
        let key = id.to_string();
        let methods = encode_methods(query_methods);
        with_conn!(self, conn => {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .bind(name)
                .bind(&methods)
                .bind(ts(at))
                .fetch_optional(&mut *conn)
                .await?
            {
                Some(row) => institution_from_row(&row),
                None => Err(StoreError::not_found("institution", key)),
            }
        })
    }

    /// Replaces an institution's control profile and records the change (J0.4). Fails with
    /// [`StoreError::Conflict`] when the current version is not `expected_version` (someone else
    /// changed it meanwhile).
    pub async fn update_profile(
        &mut self,
        update: &ProfileUpdate,
    ) -> Result<ProfileChangeRow, StoreError> {
        require_text("changed_by", &update.changed_by)?;
        require_text("reason", &update.reason)?;
        let new_profile = profile_text(&update.profile)?;
        let current = self.get_institution(update.institution_id).await?;
        if current.profile_version != update.expected_version {
            return Err(StoreError::Conflict(format!(
                "控管設定已被他人修改（目前版本 {}，預期 {}） / the control profile was changed meanwhile (current version {}, expected {})",
                current.profile_version,
                update.expected_version,
                current.profile_version,
                update.expected_version
            )));
        }
        let previous = current.profile.to_string();
        let version = current.profile_version + 1;
        let key = update.institution_id.to_string();
        let at = ts(update.changed_at);
        let sql_update = "UPDATE institutions SET profile = $2, profile_version = $3, updated_at = $4 \
             WHERE id = $1 AND profile_version = $5";
        let sql_change = format!(
            "INSERT INTO profile_changes \
             (institution_id, version, previous_profile, new_profile, changed_by, reason, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PROFILE_CHANGE_COLUMNS}"
        );
        with_conn!(self, conn => {
            let done = sqlx::query(sql_update)
                .bind(&key)
                .bind(&new_profile)
                .bind(version)
                .bind(at)
                .bind(update.expected_version)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(
                    "控管設定已被他人修改 / the control profile was changed meanwhile".to_owned(),
                ));
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql_change))
                .bind(&key)
                .bind(version)
                .bind(&previous)
                .bind(&new_profile)
                .bind(&update.changed_by)
                .bind(&update.reason)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            profile_change_from_row(&row)
        })
    }

    /// The recorded profile versions of an institution, oldest first.
    pub async fn list_profile_changes(
        &mut self,
        institution_id: Uuid,
    ) -> Result<Vec<ProfileChangeRow>, StoreError> {
        let sql = format!(
            "SELECT {PROFILE_CHANGE_COLUMNS} FROM profile_changes WHERE institution_id = $1 ORDER BY version"
        );
        let key = institution_id.to_string();
        with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(profile_change_from_row)
                .collect()
        })
    }

    /// Inserts an org unit. The head office has no parent and there is one per institution; any
    /// other unit's parent must be a unit of the same institution.
    pub async fn insert_org_unit(&mut self, new: &NewOrgUnit) -> Result<OrgUnitRow, StoreError> {
        require_text("name", &new.name)?;
        match (new.kind, new.parent_id) {
            (OrgUnitKind::HeadOffice, Some(_)) => {
                return Err(StoreError::InvalidData(
                    "總機構不可有上層單位 / the head office has no parent unit".to_owned(),
                ));
            }
            (OrgUnitKind::Branch | OrgUnitKind::Section, None) => {
                return Err(StoreError::InvalidData(
                    "分支單位必須有上層單位 / a branch or section needs a parent unit".to_owned(),
                ));
            }
            _ => {}
        }
        // Reads give clear messages; the constraints stay the guarantee.
        self.get_institution(new.institution_id).await?;
        if let Some(parent) = new.parent_id {
            let parent = self.get_org_unit(parent).await?;
            if parent.institution_id != new.institution_id {
                return Err(StoreError::InvalidData(
                    "上層單位屬於其他機構 / the parent unit belongs to another institution"
                        .to_owned(),
                ));
            }
        }
        let sql = format!(
            "INSERT INTO org_units ({ORG_UNIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING {ORG_UNIT_COLUMNS}"
        );
        let id = new.id.to_string();
        let institution = new.institution_id.to_string();
        let parent = new.parent_id.map(|p| p.to_string());
        with_conn!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&id)
                .bind(&institution)
                .bind(&parent)
                .bind(new.code.as_str())
                .bind(&new.name)
                .bind(org_unit_kind_code(new.kind))
                .bind(ts(new.created_at))
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!(
                        "單位代號已存在，或已有總機構：{} / the unit code exists, or the institution already has a head office: {}",
                        new.code, new.code
                    )),
                    other => other,
                })?;
            org_unit_from_row(&row)
        })
    }

    /// The org unit with `id`.
    pub async fn get_org_unit(&mut self, id: Uuid) -> Result<OrgUnitRow, StoreError> {
        let sql = format!("SELECT {ORG_UNIT_COLUMNS} FROM org_units WHERE id = $1");
        let key = id.to_string();
        with_conn!(self, conn => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(&mut *conn).await? {
                Some(row) => org_unit_from_row(&row),
                None => Err(StoreError::not_found("org_unit", key)),
            }
        })
    }

    /// Every org unit of an institution, ordered by code.
    pub async fn list_org_units(
        &mut self,
        institution_id: Uuid,
    ) -> Result<Vec<OrgUnitRow>, StoreError> {
        let sql = format!(
            "SELECT {ORG_UNIT_COLUMNS} FROM org_units WHERE institution_id = $1 ORDER BY code"
        );
        let key = institution_id.to_string();
        let mut rows: Vec<OrgUnitRow> = with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(org_unit_from_row)
                .collect::<Result<_, _>>()?
        });
        // Byte order on both backends, whatever PostgreSQL's collation.
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(rows)
    }

    /// The org-unit tree of an institution: None when it has no head office yet.
    pub async fn org_unit_tree(
        &mut self,
        institution_id: Uuid,
    ) -> Result<Option<OrgUnitTree>, StoreError> {
        let units = self.list_org_units(institution_id).await?;
        Ok(build_tree(units))
    }

    /// Moves a unit (with its sub-units) under `new_parent_id`. The head office cannot move, the new
    /// parent must belong to the same institution, and it must not lie inside the moved subtree.
    pub async fn move_org_unit(
        &mut self,
        id: Uuid,
        new_parent_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<OrgUnitRow, StoreError> {
        let unit = self.get_org_unit(id).await?;
        if unit.parent_id.is_none() {
            return Err(StoreError::InvalidData(
                "總機構不可移動 / the head office cannot be moved".to_owned(),
            ));
        }
        let parent = self.get_org_unit(new_parent_id).await?;
        if parent.institution_id != unit.institution_id {
            return Err(StoreError::InvalidData(
                "新上層單位屬於其他機構 / the new parent unit belongs to another institution"
                    .to_owned(),
            ));
        }
        let sql_cycle = "WITH RECURSIVE subtree(id) AS ( \
                 SELECT id FROM org_units WHERE id = $1 \
                 UNION ALL \
                 SELECT o.id FROM org_units o JOIN subtree s ON o.parent_id = s.id) \
             SELECT COUNT(*) FROM subtree WHERE id = $2";
        let sql_move = format!(
            "UPDATE org_units SET parent_id = $2, updated_at = $3 WHERE id = $1 RETURNING {ORG_UNIT_COLUMNS}"
        );
        let key = id.to_string();
        let parent_key = new_parent_id.to_string();
        with_conn!(self, conn => {
            let inside: i64 = sqlx::query_scalar(sql_cycle)
                .bind(&key)
                .bind(&parent_key)
                .fetch_one(&mut *conn)
                .await?;
            if inside > 0 {
                return Err(StoreError::InvalidData(
                    "不可移到自己的下層單位 / a unit cannot move under itself or its own sub-units".to_owned(),
                ));
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql_move))
                .bind(&key)
                .bind(&parent_key)
                .bind(ts(at))
                .fetch_one(&mut *conn)
                .await?;
            org_unit_from_row(&row)
        })
    }
}

/// Builds the tree from a flat list; children sorted by code. Units whose parent is missing (which
/// the schema prevents) are left out rather than shown at a wrong place.
fn build_tree(units: Vec<OrgUnitRow>) -> Option<OrgUnitTree> {
    let mut by_parent: std::collections::HashMap<Option<Uuid>, Vec<OrgUnitRow>> =
        std::collections::HashMap::new();
    for unit in units {
        by_parent.entry(unit.parent_id).or_default().push(unit);
    }
    let root = by_parent.remove(&None)?.into_iter().next()?;
    Some(attach(root, &mut by_parent))
}

fn attach(
    unit: OrgUnitRow,
    by_parent: &mut std::collections::HashMap<Option<Uuid>, Vec<OrgUnitRow>>,
) -> OrgUnitTree {
    let mut children = by_parent.remove(&Some(unit.id)).unwrap_or_default();
    children.sort_by(|a, b| a.code.cmp(&b.code));
    OrgUnitTree {
        children: children
            .into_iter()
            .map(|child| attach(child, by_parent))
            .collect(),
        unit,
    }
}

database_methods! {
    /// Inserts an institution with profile version 1 (see [`Tx::insert_institution`]).
    write fn insert_institution(&self, new: &NewInstitution) -> InstitutionRow;
    /// See [`Tx::get_institution`].
    read fn get_institution(&self, id: Uuid) -> InstitutionRow;
    /// See [`Tx::get_institution_by_code`].
    read fn get_institution_by_code(&self, code: &InstitutionCode) -> InstitutionRow;
    /// See [`Tx::list_institutions`].
    read fn list_institutions(&self) -> Vec<InstitutionRow>;
    /// See [`Tx::update_institution_details`].
    write fn update_institution_details(&self, id: Uuid, name: &str, query_methods: &BTreeSet<QueryMethod>, at: DateTime<Utc>) -> InstitutionRow;
    /// See [`Tx::update_profile`].
    write fn update_profile(&self, update: &ProfileUpdate) -> ProfileChangeRow;
    /// See [`Tx::list_profile_changes`].
    read fn list_profile_changes(&self, institution_id: Uuid) -> Vec<ProfileChangeRow>;
    /// See [`Tx::insert_org_unit`].
    write fn insert_org_unit(&self, new: &NewOrgUnit) -> OrgUnitRow;
    /// See [`Tx::get_org_unit`].
    read fn get_org_unit(&self, id: Uuid) -> OrgUnitRow;
    /// See [`Tx::list_org_units`].
    read fn list_org_units(&self, institution_id: Uuid) -> Vec<OrgUnitRow>;
    /// See [`Tx::org_unit_tree`].
    read fn org_unit_tree(&self, institution_id: Uuid) -> Option<OrgUnitTree>;
    /// See [`Tx::move_org_unit`].
    write fn move_org_unit(&self, id: Uuid, new_parent_id: Uuid, at: DateTime<Utc>) -> OrgUnitRow;
}
