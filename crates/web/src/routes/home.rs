//! The home page and the organisation overview.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// One institution as the pages show it.
#[derive(Debug, Clone)]
pub struct InstitutionView {
    /// Institution code.
    pub code: String,
    /// Name (zh-TW; institutions have no official English name).
    pub name: String,
    /// Kind, in zh-TW and English.
    pub kind: (String, String),
    /// Control profile name, in zh-TW and English.
    pub profile: (String, String),
    /// Declared query methods (J0.2), as letters with labels in zh-TW and English.
    pub methods: Vec<(String, String)>,
    /// Org units in tree order with their depth (0 = head office).
    pub units: Vec<(usize, String)>,
}

/// One run of a scheduled job, as the jobs page shows it.
#[derive(Debug, Clone)]
pub struct JobRunView {
    /// Job name.
    pub job: String,
    /// Attempt number (1 = first try).
    pub attempt: i64,
    /// The occurrence this run served.
    pub scheduled_for: chrono::DateTime<chrono::Utc>,
    /// Start.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// End, if finished.
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Outcome code (`running`, `succeeded`, `failed`, …).
    pub outcome: String,
    /// Failure message, empty when none.
    pub error: String,
}

/// The ledger's state, as the ledger page shows it.
#[derive(Debug, Clone, Default)]
pub struct LedgerStatusView {
    /// Number of committed entries.
    pub size: u64,
    /// The latest checkpoint: its size, when it was signed, and the signing key (`name+id`).
    pub checkpoint: Option<(u64, chrono::DateTime<chrono::Utc>, String)>,
    /// The latest verification against the latest checkpoint: intact or not, with its message.
    pub verification: Option<(bool, String)>,
    /// The last full verification (daily job `ledger_verify`), if one ran.
    pub full_verification: Option<FullVerificationView>,
}

/// The last full verification of the stored ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullVerificationView {
    /// When it finished.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Entries checked.
    pub size: u64,
    /// Whether nothing was wrong.
    pub intact: bool,
    /// The first finding, or a summary when intact.
    pub message: String,
    /// How long it took, milliseconds.
    pub duration_ms: u64,
}

/// Read-only queries the shell pages need, provided by the application layer.
pub trait HomeViews: Send + Sync + std::fmt::Debug {
    /// Every institution with its units.
    fn institutions(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<InstitutionView>, WebError>> + Send + '_>>;

    /// The most recent job runs, newest first.
    fn job_runs(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<JobRunView>, WebError>> + Send + '_>>;

    /// The ledger's size, latest checkpoint and verification (J4.11). Without a ledger: empty.
    fn ledger_status(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<LedgerStatusView, WebError>> + Send + '_>> {
        Box::pin(async { Ok(LedgerStatusView::default()) })
    }

    /// The ledger's read-only queries (entries, proofs); `None` without a ledger.
    fn ledger(&self) -> Option<&dyn crate::routes::ledger::LedgerViews> {
        None
    }
}

/// Formats an instant as Taipei time for tables: `114/06/01 09:30:00` in zh-TW, ISO in English.
pub fn taipei_time(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = custos_domain::time::taipei_datetime(at);
    match lang {
        Lang::ZhTw => custos_domain::roc::RocDate::try_from(local.date()).map_or_else(
            |_| local.format("%Y-%m-%d %H:%M:%S").to_string(),
            |d| format!("{} {}", d.short(), local.format("%H:%M:%S")),
        ),
        Lang::En => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// One row of the jobs page, already formatted.
#[derive(Debug)]
pub struct JobRunRow {
    job: String,
    attempt: i64,
    scheduled_for: String,
    started_at: String,
    finished_at: String,
    outcome: String,
    outcome_class: &'static str,
    error: String,
}

/// `GET /jobs`.
#[derive(Template, WebTemplate)]
#[template(path = "jobs.html")]
pub struct JobsPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    runs: Vec<JobRunRow>,
}

/// The run history of the job scheduler.
pub async fn get_jobs(lang: Lang, State(state): State<AppState>) -> Result<JobsPage, WebError> {
    let t = lang.texts();
    let runs = state
        .views
        .job_runs()
        .await?
        .into_iter()
        .map(|r| {
            let (outcome, outcome_class) = match r.outcome.as_str() {
                "succeeded" => (t.outcome_succeeded, "ok"),
                "failed" => (t.outcome_failed, "bad"),
                "running" => (t.outcome_running, "warn"),
                _ => ("", "warn"),
            };
            JobRunRow {
                job: r.job,
                attempt: r.attempt,
                scheduled_for: taipei_time(lang, r.scheduled_for),
                started_at: taipei_time(lang, r.started_at),
                finished_at: r
                    .finished_at
                    .map(|f| taipei_time(lang, f))
                    .unwrap_or_default(),
                outcome: if outcome.is_empty() {
                    r.outcome
                } else {
                    outcome.to_owned()
                },
                outcome_class,
                error: r.error,
            }
        })
        .collect();
    Ok(JobsPage {
        lang,
        t,
        path: "/jobs",
        runs,
    })
}

/// `GET /ledger`.
#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
pub struct LedgerPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    size: u64,
    checkpoint: Option<(u64, String, String)>,
    verification: Option<(bool, String)>,
    /// (time, entries, intact, message, milliseconds).
    full: Option<(String, u64, bool, String, u64)>,
    entries: Vec<crate::routes::ledger::EntryRow>,
    older: Option<u64>,
    paged: bool,
}

/// Entries per page of the `/ledger` entry list.
pub const LEDGER_PAGE_ENTRIES: u32 = 20;

/// The tamper-evident ledger at a glance, with its newest entries (`?before=N` pages back).
pub async fn get_ledger(
    lang: Lang,
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Result<LedgerPage, crate::routes::ledger::LedgerError> {
    let before = q
        .get("before")
        .map(|v| crate::routes::ledger::number("before", v))
        .transpose()?;
    let status = state.views.ledger_status().await?;
    let (entries, older) = match state.views.ledger() {
        Some(views) => {
            crate::routes::ledger::entry_rows(lang, views, before, LEDGER_PAGE_ENTRIES).await?
        }
        None => (Vec::new(), None),
    };
    Ok(LedgerPage {
        lang,
        t: lang.texts(),
        path: "/ledger",
        size: status.size,
        checkpoint: status
            .checkpoint
            .map(|(size, at, key)| (size, taipei_time(lang, at), key)),
        verification: status.verification,
        full: status.full_verification.map(|f| {
            (
                taipei_time(lang, f.at),
                f.size,
                f.intact,
                f.message,
                f.duration_ms,
            )
        }),
        entries,
        older,
        paged: before.is_some(),
    })
}

/// `GET /`.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    institutions: usize,
    units: usize,
}

/// `GET /organisation`.
#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct OrganisationPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    institutions: Vec<InstitutionView>,
}

/// Shows what Custos is and what to try.
pub async fn get_home(lang: Lang, State(state): State<AppState>) -> Result<HomePage, WebError> {
    let institutions = state.views.institutions().await?;
    Ok(HomePage {
        lang,
        t: lang.texts(),
        path: "/",
        units: institutions.iter().map(|i| i.units.len()).sum(),
        institutions: institutions.len(),
    })
}

/// Lists institutions with their org units.
pub async fn get_organisation(
    lang: Lang,
    State(state): State<AppState>,
) -> Result<OrganisationPage, WebError> {
    Ok(OrganisationPage {
        lang,
        t: lang.texts(),
        path: "/organisation",
        institutions: state.views.institutions().await?,
    })
}
