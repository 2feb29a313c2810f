//! The ledger's JSON API (issue #3 item 5): state, checkpoints, entries, inclusion proofs and
//! consistency proofs, for auditors and witnesses who check Custos without trusting it.
//!
//! Hashes are lower-case hex; checkpoints are the signed-note text as stored. Every proof was
//! checked on the server before it is returned (`verified`), but a client should check it itself
//! with the checkpoint it holds (RFC 9162 §2.1.3.2 and §2.1.4.2). Parameters are validated here:
//! a parameter that is not a number, an index not below the size, `from` above `to` or a size
//! beyond the ledger is 400, an unknown entry 404; errors are the shell's bilingual JSON.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use custos_app::ledger_proofs::{
    CheckpointInfo, ConsistencyProof, EntryInfo, InclusionProof, LedgerOverview, LedgerTier,
    TierState,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::ledger::{LedgerError, hex, number, views};
use crate::state::AppState;

/// The error body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiErrorDetail,
}

/// An error, in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorDetail {
    /// Stable code (`bad_parameter`, `index_not_below_size`, `from_after_to`,
    /// `size_beyond_ledger`, `bad_page`, `ledger_entry_not_found`, …).
    pub code: String,
    /// The HTTP status.
    pub status: u16,
    /// Message in Traditional Chinese.
    pub message_zh_tw: String,
    /// Message in English.
    pub message_en: String,
    /// The request id (also in `x-request-id`).
    pub request_id: String,
}

/// A signed checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointJson {
    /// Entries covered.
    pub size: u64,
    /// The signed root (hex), if the note parses.
    pub root: Option<String>,
    /// The C2SP signed note, as stored.
    pub note: String,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// The keys that signed it (`name+hexid`).
    pub signed_by: Vec<String>,
    /// Whether a signature by a key of the ledger's key ring verifies.
    pub signature_valid: bool,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl From<CheckpointInfo> for CheckpointJson {
    fn from(c: CheckpointInfo) -> Self {
        Self {
            size: c.size,
            root: c.root.map(|r| hex(&r)),
            note: c.note,
            signed_at: rfc3339(c.created_at_ms),
            signed_by: c.signed_by,
            signature_valid: c.signature_valid,
        }
    }
}

/// The ledger's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerJson {
    /// Committed entries.
    pub size: u64,
    /// The newest checkpoint.
    pub latest_checkpoint: Option<CheckpointJson>,
    /// Every public key the ledger signed with (signed-note verifier keys, oldest first).
    pub public_keys: Vec<String>,
}

impl From<LedgerOverview> for LedgerJson {
    fn from(o: LedgerOverview) -> Self {
        Self {
            size: o.size,
            latest_checkpoint: o.latest.map(Into::into),
            public_keys: o.public_keys,
        }
    }
}

/// The ledger's size, newest checkpoint and public keys.
#[utoipa::path(get, path = "/api/ledger", tag = "ledger",
    responses(
        (status = 200, description = "The ledger's state", body = LedgerJson),
        (status = 503, description = "The database is unreachable", body = ApiErrorBody)))]
pub async fn get_ledger(State(state): State<AppState>) -> Result<Json<LedgerJson>, LedgerError> {
    Ok(Json(views(&state)?.overview().await?.into()))
}

/// A page of checkpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointListJson {
    /// Stored checkpoints in all.
    pub total: u64,
    /// This page (from 1).
    pub page: u64,
    /// Checkpoints per page.
    pub per_page: u32,
    /// Newest first.
    pub checkpoints: Vec<CheckpointJson>,
}

fn param(q: &BTreeMap<String, String>, name: &'static str) -> Result<Option<u64>, LedgerError> {
    q.get(name).map(|v| number(name, v)).transpose()
}

/// Stored checkpoints, newest first, paginated.
#[utoipa::path(get, path = "/api/ledger/checkpoints", tag = "ledger",
    params(
        ("page" = Option<u64>, Query, description = "Page, from 1 (default 1)"),
        ("per_page" = Option<u32>, Query, description = "Checkpoints per page, 1 to 100 (default 20)")),
    responses(
        (status = 200, description = "A page of checkpoints", body = CheckpointListJson),
        (status = 400, description = "A parameter is not a number or out of range", body = ApiErrorBody)))]
pub async fn get_checkpoints(
    State(state): State<AppState>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Json<CheckpointListJson>, LedgerError> {
    let page = param(&q, "page")?.unwrap_or(1);
    let per_page = param(&q, "per_page")?.unwrap_or(20);
    let per_page = u32::try_from(per_page).unwrap_or(u32::MAX);
    let result = views(&state)?.checkpoints(page, per_page).await?;
    Ok(Json(CheckpointListJson {
        total: result.total,
        page,
        per_page,
        checkpoints: result.items.into_iter().map(Into::into).collect(),
    }))
}

/// A committed record tier and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierJson {
    /// `fields` (the J4.11 fields) or `payload`.
    pub tier: String,
    /// `held` (stored, encrypted), `tombstoned` (deleted when its retention ended) or `missing`.
    pub state: String,
    /// For a tombstone: when it was deleted (RFC 3339).
    pub deleted_at: Option<String>,
    /// For a tombstone: the retention rule (e.g. `J6.1`).
    pub rule: Option<String>,
}

/// One ledger entry (never its record's content).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryJson {
    /// Index in the ledger.
    pub index: u64,
    /// Entry time (RFC 3339, UTC).
    pub timestamp: String,
    /// Entry time, unix milliseconds (as in the leaf).
    pub timestamp_ms: i64,
    /// Kind code.
    pub kind: u16,
    /// Stable kind name (`profile_change`, `key_rotation`, …), if known.
    pub kind_name: Option<String>,
    /// The 100-byte canonical leaf, hex.
    pub leaf: String,
    /// `SHA-256(0x00 || leaf)`, hex.
    pub leaf_hash: String,
    /// The committed record tiers.
    pub tiers: Vec<TierJson>,
}

impl From<EntryInfo> for EntryJson {
    fn from(e: EntryInfo) -> Self {
        Self {
            index: e.index,
            timestamp: rfc3339(e.timestamp_ms),
            timestamp_ms: e.timestamp_ms,
            kind: e.kind,
            kind_name: e.kind_name.map(str::to_owned),
            leaf: hex(&e.leaf),
            leaf_hash: hex(&e.leaf_hash),
            tiers: e
                .tiers
                .into_iter()
                .map(|(tier, st)| {
                    let tier = match tier {
                        LedgerTier::Fields => "fields",
                        LedgerTier::Payload => "payload",
                    }
                    .to_owned();
                    match st {
                        TierState::Held => TierJson {
                            tier,
                            state: "held".into(),
                            deleted_at: None,
                            rule: None,
                        },
                        TierState::Tombstoned {
                            deleted_at_ms,
                            rule,
                        } => TierJson {
                            tier,
                            state: "tombstoned".into(),
                            deleted_at: Some(rfc3339(deleted_at_ms)),
                            rule: Some(rule),
                        },
                        TierState::Missing => TierJson {
                            tier,
                            state: "missing".into(),
                            deleted_at: None,
                            rule: None,
                        },
                    }
                })
                .collect(),
        }
    }
}

/// One entry: leaf, leaf hash, kind, time and which tiers are held or tombstoned.
#[utoipa::path(get, path = "/api/ledger/entries/{index}", tag = "ledger",
    params(("index" = u64, Path, description = "Entry index, from 0")),
    responses(
        (status = 200, description = "The entry", body = EntryJson),
        (status = 400, description = "The index is not a number", body = ApiErrorBody),
        (status = 404, description = "No such entry", body = ApiErrorBody)))]
pub async fn get_entry(
    State(state): State<AppState>,
    Path(index): Path<String>,
) -> Result<Json<EntryJson>, LedgerError> {
    let index = number("index", &index)?;
    Ok(Json(views(&state)?.entry(index).await?.into()))
}

/// An inclusion proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionJson {
    /// The entry.
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// The entry's leaf hash, hex.
    pub leaf_hash: String,
    /// The audit path, bottom-up, hex (RFC 6962 `PATH`).
    pub audit_path: Vec<String>,
    /// The root the path leads to, hex.
    pub root: String,
    /// `checkpoint` (the root of the signed checkpoint of this size) or `stored_nodes`.
    pub root_source: String,
    /// The signed checkpoint of this size, when there is one.
    pub checkpoint: Option<CheckpointJson>,
    /// Whether the proof verified on the server.
    pub verified: bool,
}

impl From<InclusionProof> for InclusionJson {
    fn from(p: InclusionProof) -> Self {
        Self {
            index: p.index,
            size: p.size,
            leaf_hash: hex(&p.leaf_hash),
            audit_path: p.path.iter().map(|h| hex(h)).collect(),
            root: hex(&p.root),
            root_source: p.root_source.as_str().to_owned(),
            checkpoint: p.checkpoint.map(Into::into),
            verified: p.verified,
        }
    }
}

/// Inclusion proof of an entry in the tree of `size` entries (default: the newest checkpoint's).
#[utoipa::path(get, path = "/api/ledger/entries/{index}/inclusion", tag = "ledger",
    params(
        ("index" = u64, Path, description = "Entry index, from 0"),
        ("size" = Option<u64>, Query, description = "Tree size (default: the newest checkpoint's size)")),
    responses(
        (status = 200, description = "The proof, checked on the server", body = InclusionJson),
        (status = 400, description = "Not a number, index not below size, or size beyond the ledger", body = ApiErrorBody),
        (status = 404, description = "No such entry", body = ApiErrorBody)))]
pub async fn get_inclusion(
    State(state): State<AppState>,
    Path(index): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Json<InclusionJson>, LedgerError> {
    let index = number("index", &index)?;
    let size = param(&q, "size")?;
    Ok(Json(views(&state)?.inclusion(index, size).await?.into()))
}

/// A consistency proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyJson {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The older root, hex.
    pub from_root: String,
    /// `checkpoint` or `stored_nodes`.
    pub from_root_source: String,
    /// The newer root, hex.
    pub to_root: String,
    /// `checkpoint` or `stored_nodes`.
    pub to_root_source: String,
    /// The proof, hex, RFC 6962 `PROOF` order.
    pub proof: Vec<String>,
    /// The checkpoint of the older size, when stored.
    pub from_checkpoint: Option<CheckpointJson>,
    /// The checkpoint of the newer size, when stored.
    pub to_checkpoint: Option<CheckpointJson>,
    /// Whether the proof verified on the server.
    pub verified: bool,
}

impl From<ConsistencyProof> for ConsistencyJson {
    fn from(p: ConsistencyProof) -> Self {
        Self {
            from: p.from,
            to: p.to,
            from_root: hex(&p.from_root.0),
            from_root_source: p.from_root.1.as_str().to_owned(),
            to_root: hex(&p.to_root.0),
            to_root_source: p.to_root.1.as_str().to_owned(),
            proof: p.path.iter().map(|h| hex(h)).collect(),
            from_checkpoint: p.checkpoints.0.map(Into::into),
            to_checkpoint: p.checkpoints.1.map(Into::into),
            verified: p.verified,
        }
    }
}

/// Consistency proof from the tree of `from` entries to the tree of `to` entries (typically two
/// checkpoint sizes; `to` defaults to the newest checkpoint's size).
#[utoipa::path(get, path = "/api/ledger/consistency", tag = "ledger",
    params(
        ("from" = u64, Query, description = "The older tree size"),
        ("to" = Option<u64>, Query, description = "The newer tree size (default: the newest checkpoint's size)")),
    responses(
        (status = 200, description = "The proof, checked on the server", body = ConsistencyJson),
        (status = 400, description = "Not a number, from above to, or a size beyond the ledger", body = ApiErrorBody)))]
pub async fn get_consistency(
    State(state): State<AppState>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Json<ConsistencyJson>, LedgerError> {
    let Some(from) = param(&q, "from")? else {
        return Err(LedgerError::BadParam {
            name: "from",
            value: String::new(),
        });
    };
    let to = param(&q, "to")?;
    Ok(Json(views(&state)?.consistency(from, to).await?.into()))
}
