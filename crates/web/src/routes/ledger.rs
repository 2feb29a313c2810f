//! Ledger proofs for people: the entry page `/ledger/entries/{index}` (kind, time, leaf hash,
//! which record tiers are held or tombstoned, and its inclusion proof against the newest
//! checkpoint, checked on the server), and the port [`LedgerViews`] through which this page, the
//! `/ledger` entry list and the JSON API (`api_ledger`) read the ledger.
//!
//! Nothing here decrypts a record: an entry is shown by its leaf and its tiers' state only.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use custos_app::ledger_proofs::{
    CheckpointPage, ConsistencyProof, EntryInfo, EntrySummary, InclusionProof, LedgerOverview,
    LedgerQueryError, RecordedBy, TierState,
};
use http::StatusCode;

use crate::error::{ErrorInfo, WebError};
use crate::i18n::{Lang, Texts};
use crate::routes::home::taipei_time;
use crate::state::AppState;

/// A boxed future of a ledger query.
pub type LedgerFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, LedgerQueryError>> + Send + 'a>>;

/// An org unit on the institution page, with the entries that recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDetail {
    /// Depth in the tree (0 = head office).
    pub depth: usize,
    /// Unit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The entries that recorded it.
    pub entries: Vec<RecordedBy>,
}

/// A control-profile version on the institution page, with the entries that recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileVersionDetail {
    /// Profile version.
    pub version: i64,
    /// When.
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// Who.
    pub changed_by: String,
    /// Why.
    pub reason: String,
    /// The entries that recorded it.
    pub entries: Vec<RecordedBy>,
}

/// An institution's detail page: the institution, its units and profile versions, and the ledger
/// entries that recorded each (issue #3 item 8: any entry's proof on the page of what it records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionDetail {
    /// Institution code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind, in zh-TW and English.
    pub kind: (String, String),
    /// The entries that recorded its creation.
    pub entries: Vec<RecordedBy>,
    /// Org units in tree order.
    pub units: Vec<UnitDetail>,
    /// Control-profile versions, oldest first.
    pub profile_versions: Vec<ProfileVersionDetail>,
}

/// Read-only ledger queries, provided by the application layer (`custos_app::ledger_proofs`).
pub trait LedgerViews: Send + Sync + std::fmt::Debug {
    /// Size, newest checkpoint and public keys.
    fn overview(&self) -> LedgerFuture<'_, LedgerOverview>;
    /// Stored checkpoints, newest first.
    fn checkpoints(&self, page: u64, per_page: u32) -> LedgerFuture<'_, CheckpointPage>;
    /// One entry, without its record's content.
    fn entry(&self, index: u64) -> LedgerFuture<'_, EntryInfo>;
    /// Entries below `before`, newest first.
    fn recent_entries(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> LedgerFuture<'_, Vec<EntrySummary>>;
    /// Inclusion proof of `index` in the tree of `size` entries (default: newest checkpoint).
    fn inclusion(&self, index: u64, size: Option<u64>) -> LedgerFuture<'_, InclusionProof>;
    /// Consistency proof from `from` entries to `to` entries (default: newest checkpoint).
    fn consistency(&self, from: u64, to: Option<u64>) -> LedgerFuture<'_, ConsistencyProof>;
    /// The institution with `code` and the entries that recorded it, its units and its profile
    /// versions; `None` when there is no such institution.
    fn institution(&self, code: String) -> LedgerFuture<'_, Option<InstitutionDetail>>;
}

/// The ledger views of the state, or 404 when this Custos runs without a ledger.
pub(crate) fn views(state: &AppState) -> Result<&dyn LedgerViews, LedgerError> {
    state
        .views
        .ledger()
        .ok_or(LedgerError::Web(WebError::NotFound))
}

/// Errors of the ledger routes: a query error or a bad parameter, rendered (page or JSON,
/// zh-TW and English) by the shell's error middleware.
#[derive(Debug)]
pub enum LedgerError {
    /// A query failed or had no answer.
    Query(LedgerQueryError),
    /// A parameter is not a number (400).
    BadParam {
        /// The parameter's name.
        name: &'static str,
        /// What was sent.
        value: String,
    },
    /// Any other error of the shell.
    Web(WebError),
}

impl From<WebError> for LedgerError {
    fn from(e: WebError) -> Self {
        Self::Web(e)
    }
}

impl From<LedgerQueryError> for LedgerError {
    fn from(e: LedgerQueryError) -> Self {
        Self::Query(e)
    }
}

fn with_info(info: ErrorInfo) -> Response {
    let mut response = info.status.into_response();
    response.extensions_mut().insert(info);
    response
}

impl IntoResponse for LedgerError {
    fn into_response(self) -> Response {
        match self {
            Self::BadParam { name, value } => with_info(ErrorInfo {
                code: "bad_parameter",
                status: StatusCode::BAD_REQUEST,
                zh_tw: format!("參數 {name} 須為非負整數，收到 {value:?}").into(),
                en: format!("parameter {name} must be a non-negative integer, got {value:?}")
                    .into(),
            }),
            Self::Query(LedgerQueryError::BadRequest { code, zh_tw, en }) => with_info(ErrorInfo {
                code,
                status: StatusCode::BAD_REQUEST,
                zh_tw: zh_tw.into(),
                en: en.into(),
            }),
            Self::Query(LedgerQueryError::NoEntry(i)) => with_info(ErrorInfo {
                code: "ledger_entry_not_found",
                status: StatusCode::NOT_FOUND,
                zh_tw: format!("帳本沒有第 {i} 筆。").into(),
                en: format!("The ledger has no entry {i}.").into(),
            }),
            Self::Query(e @ LedgerQueryError::Store(_)) => {
                if e.is_unavailable() {
                    WebError::Unavailable(e.to_string()).into_response()
                } else {
                    WebError::Internal(e.to_string()).into_response()
                }
            }
            Self::Web(e) => e.into_response(),
        }
    }
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Parses a non-negative integer parameter, or says which one is wrong (400).
pub(crate) fn number(name: &'static str, value: &str) -> Result<u64, LedgerError> {
    value.parse().map_err(|_| LedgerError::BadParam {
        name,
        value: value.chars().take(40).collect(),
    })
}

/// The label of an entry kind in `lang` (the stable English name when unknown to this version).
pub fn kind_label(t: &Texts, code: u16, name: Option<&str>) -> String {
    t.ledger_kinds
        .iter()
        .find(|(n, _)| Some(*n) == name)
        .map_or_else(
            || name.map_or_else(|| format!("#{code}"), str::to_owned),
            |(_, label)| (*label).to_owned(),
        )
}

fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// One row of a record-tier table.
#[derive(Debug)]
pub struct TierRow {
    tier: &'static str,
    state: &'static str,
    state_class: &'static str,
    deleted_at: String,
    rule: String,
}

/// The inclusion proof as the entry page shows it.
#[derive(Debug)]
pub struct ProofView {
    size: u64,
    root: String,
    path: Vec<String>,
    verified: bool,
}

/// `GET /ledger/entries/{index}`.
#[derive(Template, WebTemplate)]
#[template(path = "ledger_entry.html")]
pub struct LedgerEntryPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    index: u64,
    kind: String,
    kind_code: u16,
    time: String,
    leaf_hash: String,
    leaf: String,
    tiers: Vec<TierRow>,
    proof: Option<ProofView>,
}

/// One entry of the ledger with its inclusion proof against the newest checkpoint, checked here.
pub async fn get_entry(
    lang: Lang,
    State(state): State<AppState>,
    Path(index): Path<String>,
) -> Result<LedgerEntryPage, LedgerError> {
    let t = lang.texts();
    let index = number("index", &index)?;
    let views = views(&state)?;
    let entry = views.entry(index).await?;
    let overview = views.overview().await?;
    // Only a signed checkpoint that covers the entry gives a proof worth showing.
    let proof = match overview.latest {
        Some(cp) if cp.size > index => {
            let p = views.inclusion(index, Some(cp.size)).await?;
            Some(ProofView {
                size: p.size,
                root: hex(&p.root),
                path: p.path.iter().map(|h| hex(h)).collect(),
                verified: p.verified
                    && p.root_source == custos_app::ledger_proofs::RootSource::Checkpoint,
            })
        }
        _ => None,
    };
    let tiers = entry
        .tiers
        .iter()
        .map(|(tier, st)| {
            let tier = match tier {
                custos_app::ledger_proofs::LedgerTier::Fields => t.ledger_tier_fields,
                custos_app::ledger_proofs::LedgerTier::Payload => t.ledger_tier_payload,
            };
            match st {
                TierState::Held => TierRow {
                    tier,
                    state: t.ledger_state_held,
                    state_class: "ok",
                    deleted_at: String::new(),
                    rule: String::new(),
                },
                TierState::Tombstoned {
                    deleted_at_ms,
                    rule,
                } => TierRow {
                    tier,
                    state: t.ledger_state_tombstoned,
                    state_class: "warn",
                    deleted_at: taipei_time(lang, instant(*deleted_at_ms)),
                    rule: rule.clone(),
                },
                TierState::Missing => TierRow {
                    tier,
                    state: t.ledger_state_missing,
                    state_class: "bad",
                    deleted_at: String::new(),
                    rule: String::new(),
                },
            }
        })
        .collect();
    Ok(LedgerEntryPage {
        lang,
        t,
        path: "/ledger",
        index,
        kind: kind_label(t, entry.kind, entry.kind_name),
        kind_code: entry.kind,
        time: taipei_time(lang, instant(entry.timestamp_ms)),
        leaf_hash: hex(&entry.leaf_hash),
        leaf: hex(&entry.leaf),
        tiers,
        proof,
    })
}

/// One line of the `/ledger` entry list, formatted.
#[derive(Debug)]
pub struct EntryRow {
    /// Index (links to the entry page).
    pub index: u64,
    /// Taipei time.
    pub time: String,
    /// Kind label.
    pub kind: String,
}

/// The newest entries below `before`, formatted for `lang`, and the `before` of the next page.
pub async fn entry_rows(
    lang: Lang,
    views: &dyn LedgerViews,
    before: Option<u64>,
    limit: u32,
) -> Result<(Vec<EntryRow>, Option<u64>), LedgerQueryError> {
    let t = lang.texts();
    let entries = views.recent_entries(before, limit).await?;
    let older = entries
        .last()
        .filter(|e| e.index > 0 && entries.len() == limit as usize)
        .map(|e| e.index);
    Ok((
        entries
            .into_iter()
            .map(|e| EntryRow {
                index: e.index,
                time: taipei_time(lang, instant(e.timestamp_ms)),
                kind: kind_label(t, e.kind, e.kind_name),
            })
            .collect(),
        older,
    ))
}

/// `GET /organisation/institutions/{code}`.
#[derive(Template, WebTemplate)]
#[template(path = "institution.html")]
pub struct InstitutionPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    i: InstitutionDetail,
    versions: Vec<(i64, String, String, String, Vec<RecordedBy>)>,
}

/// An institution with its org units and control-profile versions, each with the ledger entries
/// that recorded it and their inclusion proof status.
pub async fn get_institution(
    lang: Lang,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<InstitutionPage, LedgerError> {
    let code: String = code.chars().take(32).collect();
    let detail = views(&state)?
        .institution(code)
        .await?
        .ok_or(LedgerError::Web(WebError::NotFound))?;
    let versions = detail
        .profile_versions
        .iter()
        .map(|v| {
            (
                v.version,
                taipei_time(lang, v.changed_at),
                v.changed_by.clone(),
                v.reason.clone(),
                v.entries.clone(),
            )
        })
        .collect();
    Ok(InstitutionPage {
        lang,
        t: lang.texts(),
        path: "/organisation",
        i: detail,
        versions,
    })
}
