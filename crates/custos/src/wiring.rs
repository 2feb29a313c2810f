//! Wiring: opens the database, builds the web state from the application layer, runs the HTTP
//! server. The only place that knows which concrete backend serves the ports of `custos_web`.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use custos_app::ids::{IdGenerator, RandomIds};
use custos_app::jobs::{JobFailure, Scheduler, SchedulerSettings, handler_fn};
use custos_app::ledger::{DEFAULT_ORIGIN, LedgerKeys, LedgerWriter, WriterSettings};
use custos_app::{ledger_checks, ledger_proofs};
use custos_domain::clock::{Clock, SystemClock};
use custos_store::{ConnectOptions, Database, StoreError};
use custos_web::error::WebError;
use custos_web::metrics::Metrics;
use custos_web::routes::home::{
    FullVerificationView, HomeViews, InstitutionView, JobRunView, LedgerStatusView,
};
use custos_web::routes::ledger::{
    InstitutionDetail, LedgerFuture, LedgerViews, ProfileVersionDetail, UnitDetail,
};
use custos_web::state::RequestIds;
use custos_web::{AppState, ReadinessProbe};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::runtime::{CliError, bind, shutdown_signal};

/// The long-lived services of a running Custos.
#[derive(Debug, Clone)]
pub struct Services {
    /// The database.
    pub db: Database,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The id generator.
    pub ids: Arc<dyn IdGenerator>,
    /// The ledger's write path (ADR 0103): every use case that writes goes through it.
    pub ledger: LedgerWriter,
}

impl Services {
    /// Connects to `url`, applies the migrations, loads (at first start: creates) the ledger keys
    /// in `<data_dir>/ledger/`, and starts the ledger writer, whose checkpoints are also written to
    /// `<data_dir>/checkpoints/` for witnesses.
    /// The data directory is the SQLite database's directory, or, for PostgreSQL, `data.dir` of
    /// the settings (`CUSTOS_DATA__DIR`).
    pub async fn open(url: &str) -> Result<Services, CliError> {
        let data_dir = data_dir_of(url)?;
        Self::open_in(url, &data_dir).await
    }

    /// [`Self::open`] with an explicit data directory.
    pub async fn open_in(url: &str, data_dir: &Path) -> Result<Services, CliError> {
        let db = open_database(url).await?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let ids: Arc<dyn IdGenerator> = Arc::new(RandomIds::new(clock.clone()));
        let mut rng = ChaCha20Rng::from_seed(os_seed()?);
        refuse_new_keys_for_a_keyed_ledger(&db, &data_dir.join("ledger")).await?;
        let (keys, created) =
            LedgerKeys::load_or_create(&data_dir.join("ledger"), DEFAULT_ORIGIN, &mut rng)
                .map_err(|e| CliError(e.to_string()))?;
        if created {
            tracing::debug!(dir = %data_dir.join("ledger").display(), "ledger keys created");
        }
        register_shared_ledger_keys(&db, &keys, clock.as_ref(), &data_dir.join("ledger")).await?;
        let ledger = LedgerWriter::start(
            db.clone(),
            clock.clone(),
            keys,
            os_seed()?,
            Some(data_dir.join("checkpoints")),
            WriterSettings::default(),
        );
        Ok(Services {
            db,
            clock,
            ids,
            ledger,
        })
    }
}

/// Several instances on one database (PostgreSQL) must sign and seal with the same ledger keys:
/// an instance whose key directory is empty must not create new keys for a ledger that already
/// has one — it is refused, and told to copy the directory from the instance that created it.
async fn refuse_new_keys_for_a_keyed_ledger(db: &Database, key_dir: &Path) -> Result<(), CliError> {
    use custos_app::ledger::{KEK_FILE, SIGNING_KEY_FILE};
    if key_dir.join(SIGNING_KEY_FILE).exists() || key_dir.join(KEK_FILE).exists() {
        return Ok(());
    }
    let known = db
        .ledger_keys()
        .await
        .map_err(|e| CliError(redact_url(&e.to_string())))?;
    if known.is_empty() {
        return Ok(());
    }
    Err(shared_keys_error(key_dir, &known))
}

fn shared_keys_error(key_dir: &Path, known: &[String]) -> CliError {
    CliError::new(
        format!(
            "此資料庫的帳本已由其他金鑰簽署（{}）；同一資料庫的所有執行個體須共用帳本金鑰：請將建立它的執行個體之 ledger/ 目錄（checkpoint.skey、kek.hex）複製到 {}",
            known.join(", "),
            key_dir.display()
        ),
        format!(
            "this database's ledger is signed with another key ({}); every instance on one database must share the ledger keys: copy the ledger/ directory (checkpoint.skey, kek.hex) of the instance that created it to {}",
            known.join(", "),
            key_dir.display()
        ),
    )
}

/// Registers this instance's public key — or refuses to start when the ledger is already signed
/// with other keys only, or when its key-encryption key cannot open the newest record tier still
/// held (keys not shared between instances). The check and the insertion run under the head
/// lock, so of several instances starting at once with different keys only one gets in.
async fn register_shared_ledger_keys(
    db: &Database,
    keys: &LedgerKeys,
    clock: &dyn Clock,
    key_dir: &Path,
) -> Result<(), CliError> {
    let store = |e: StoreError| CliError(redact_url(&e.to_string()));
    let ours = keys.signer.verifier().to_string();
    let mut tx = db.begin().await.map_err(store)?;
    let head = tx.ledger_head().await.map_err(store)?;
    let known = tx.ledger_keys().await.map_err(store)?;
    if !known.is_empty() && !known.contains(&ours) {
        return Err(shared_keys_error(key_dir, &known));
    }
    let recent = tx
        .ledger_records(head.size.saturating_sub(8), 16)
        .await
        .map_err(store)?;
    if let Some(row) = recent.into_iter().next() {
        let index = row.index;
        if ledger_checks::sealed_tier(row).decrypt(&keys.kek).is_err() {
            return Err(CliError::new(
                format!(
                    "{} 中的 kek.hex 無法開啟此資料庫的帳本紀錄（第 {} 筆）；同一資料庫的所有執行個體須共用帳本金鑰",
                    key_dir.display(),
                    index
                ),
                format!(
                    "the kek.hex in {} cannot open this database's ledger records (entry {}); every instance on one database must share the ledger keys",
                    key_dir.display(),
                    index
                ),
            ));
        }
    }
    tx.ledger_insert_key(&ours, clock.now().timestamp_millis())
        .await
        .map_err(store)?;
    tx.commit().await.map_err(store)?;
    Ok(())
}

/// The data directory belonging to a database URL.
fn data_dir_of(url: &str) -> Result<std::path::PathBuf, CliError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        let dir = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok(dir.to_path_buf());
    }
    crate::settings::Settings::load(None, std::env::vars())
        .map(|s| s.data.dir)
        .map_err(|e| CliError(e.to_string()))
}

/// 32 bytes from the operating system: the only source of randomness of a running Custos.
fn os_seed() -> Result<[u8; 32], CliError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        CliError(format!(
            "無法取得系統亂數 / cannot read randomness from the OS: {e}"
        ))
    })?;
    Ok(seed)
}

/// Connects and migrates, with errors a person can act on (the URL's password is never printed).
pub async fn open_database(url: &str) -> Result<Database, CliError> {
    let shown = redact_url(url);
    let db = Database::connect(url, ConnectOptions::default())
        .await
        .map_err(|e| store_failure(&shown, &e))?;
    db.migrate().await.map_err(|e| {
        let failure = store_failure(&shown, &e);
        let text = failure.0.to_lowercase();
        if text.contains("permission denied") || text.contains("no schema has been selected") {
            // An application role without DDL rights (role split) on a schema that is not current.
            CliError(format!(
                "{} — 請以 database.owner_url 執行 custos migrate / run `custos migrate` with database.owner_url (docs/adr/0104-database-roles.md)",
                failure.0
            ))
        } else {
            failure
        }
    })?;
    // Crash safety (ADR 0103): the stored tree must reproduce the latest signed checkpoint.
    ledger_checks::startup_check(&db)
        .await
        .map_err(|e| CliError(redact_url(&e.to_string())))?;
    Ok(db)
}

/// The PostgreSQL role split (docs/adr/0104): connects as the application (`url`) to learn its
/// role, then as the schema owner (`owner_url`) applies the migrations and grants that role only
/// the application's privileges (`custos_store::roles`). Returns the application role.
pub async fn migrate_as_owner(owner_url: &str, url: &str) -> Result<String, CliError> {
    let one = || ConnectOptions {
        max_connections: 1,
        ..ConnectOptions::default()
    };
    let shown = redact_url(url);
    let app = Database::connect(url, one())
        .await
        .map_err(|e| store_failure(&shown, &e))?;
    let role = app
        .current_role()
        .await
        .map_err(|e| store_failure(&shown, &e))?
        .unwrap_or_default();
    app.close().await;
    let shown_owner = redact_url(owner_url);
    let owner = Database::connect(owner_url, one())
        .await
        .map_err(|e| store_failure(&shown_owner, &e))?;
    owner
        .migrate()
        .await
        .map_err(|e| store_failure(&shown_owner, &e))?;
    owner
        .grant_application_role(&role)
        .await
        .map_err(|e| store_failure(&shown_owner, &e))?;
    owner.close().await;
    tracing::info!(role = %role, "migrated as the schema owner; application role granted");
    Ok(role)
}

/// The schema owner's URL to migrate with (`database.owner_url`), checked against the
/// application's `url`: only PostgreSQL has roles, so with SQLite it is refused (docs/adr/0104).
pub fn owner_url_for(owner_url: Option<String>, url: &str) -> Result<Option<String>, CliError> {
    let Some(owner) = owner_url else {
        return Ok(None);
    };
    let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
    if !postgres(url.trim()) {
        return Err(CliError::new(
            "database.owner_url 只適用於 PostgreSQL：SQLite 沒有資料庫角色；請移除此設定，或將 database.url 設為 postgres://",
            "database.owner_url applies to PostgreSQL only: SQLite has no database roles; remove it or set database.url to postgres://",
        ));
    }
    if !postgres(&owner) {
        return Err(CliError::new(
            "database.owner_url 必須是 postgres:// 位址",
            "database.owner_url must be a postgres:// URL",
        ));
    }
    Ok(Some(owner))
}

fn store_failure(shown: &str, e: &StoreError) -> CliError {
    let detail = redact_url(&e.to_string());
    CliError(format!("{shown}: {detail}"))
}

/// Replaces the password of a `scheme://user:password@host` URL (anywhere in `text`) with `***`.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let (head, tail) = rest.split_at(scheme_end + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', ' ', '?', '#']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Builds the state handed to the web layer.
pub fn web_state(services: &Services) -> AppState {
    let now = services.clock.now();
    let nonce = format!(
        "{:x}{:04x}",
        now.timestamp_millis(),
        std::process::id() & 0xffff
    );
    AppState {
        readiness: Arc::new(DatabaseReadiness(services.db.clone())),
        request_ids: RequestIds::new(&nonce),
        metrics: Metrics::global(),
        views: Arc::new(OrganisationViews(services.db.clone())),
    }
}

/// Binds `addr`, starts the job scheduler and serves until Ctrl-C / SIGTERM; then finishes the
/// requests in flight and the scheduler's current round. `on_ready` runs once the port is bound.
pub async fn serve_http(
    services: &Services,
    addr: std::net::SocketAddr,
    on_ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), CliError> {
    serve_http_with_probe(services, addr, None, on_ready).await
}

/// The monitoring probe's settings (`ledger.probe_token`, `ledger.probe_rate_per_second`).
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// The bearer token.
    pub token: String,
    /// Requests accepted per second.
    pub per_second: u32,
}

/// [`serve_http`], with the monitoring probe `POST /api/ledger/probe` enabled when `probe` is
/// given (otherwise it answers 404).
pub async fn serve_http_with_probe(
    services: &Services,
    addr: std::net::SocketAddr,
    probe: Option<ProbeSettings>,
    on_ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), CliError> {
    let listener = bind(addr).await?;
    let local = listener.local_addr().unwrap_or(addr);
    let scheduler = start_scheduler(services).await?;
    on_ready(local);
    let mut router = custos_web::router(web_state(services));
    if let Some(config) = probe.and_then(|p| {
        custos_web::routes::probe::ProbeConfig::new(
            Arc::new(crate::probe::LedgerProbe::new(
                services.ledger.clone(),
                services.clock.clone(),
            )),
            &p.token,
            p.per_second,
        )
    }) {
        router = custos_web::routes::probe::enable(router, config);
    }
    let served = custos_web::serve(listener, router, shutdown_signal())
        .await
        .map_err(|e| CliError::new(format!("伺服器錯誤：{e}"), format!("server error: {e}")));
    scheduler.stop().await;
    // A last checkpoint over everything committed, so the next start-up checks all of it.
    if let Err(e) = services.ledger.checkpoint().await {
        tracing::warn!(error = %e, "final ledger checkpoint failed");
    }
    served
}

/// The name of the daily job that reports control profiles due for review (J0.4).
pub const PROFILE_REVIEW_JOB: &str = "profile_review_reminder";

/// The name of the periodic job that signs and publishes a ledger checkpoint (ADR 0103).
pub const LEDGER_CHECKPOINT_JOB: &str = "ledger_checkpoint";

/// The name of the daily job that verifies the whole stored ledger and records the result for
/// the ledger page (issue #3, UI).
pub const LEDGER_VERIFY_JOB: &str = "ledger_verify";

/// How often a checkpoint is published.
pub const LEDGER_CHECKPOINT_INTERVAL_MINUTES: i64 = 10;

struct RunningScheduler {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningScheduler {
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Registers the platform's periodic jobs and runs the scheduler in the background.
async fn start_scheduler(services: &Services) -> Result<RunningScheduler, CliError> {
    let mut scheduler = Scheduler::new(
        services.db.clone(),
        services.clock.clone(),
        services.ids.clone(),
        SchedulerSettings::default(),
    );
    let (db, clock) = (services.db.clone(), services.clock.clone());
    scheduler.register(
        PROFILE_REVIEW_JOB,
        handler_fn(move |_ctx| {
            let (db, clock) = (db.clone(), clock.clone());
            async move {
                let due = custos_app::organisation::profile_reviews_due(&db, clock.as_ref())
                    .await
                    .map_err(|e| JobFailure(e.to_string()))?;
                for d in &due {
                    tracing::warn!(
                        institution = %d.institution.code,
                        last_reviewed = %d.last_reviewed,
                        interval_months = d.interval_months,
                        "control profile due for its periodic review (J0.4)"
                    );
                }
                Ok(())
            }
        }),
    );
    scheduler
        .ensure_periodic(
            PROFILE_REVIEW_JOB,
            serde_json::json!({}),
            chrono::Duration::days(1),
            services.clock.now(),
        )
        .await
        .map_err(|e| CliError(redact_url(&e.to_string())))?;
    let ledger = services.ledger.clone();
    scheduler.register(
        LEDGER_CHECKPOINT_JOB,
        handler_fn(move |_ctx| {
            let ledger = ledger.clone();
            async move {
                let published = ledger
                    .checkpoint()
                    .await
                    .map_err(|e| JobFailure(e.to_string()))?;
                tracing::info!(size = published.size, "ledger checkpoint published");
                Ok(())
            }
        }),
    );
    scheduler
        .ensure_periodic(
            LEDGER_CHECKPOINT_JOB,
            serde_json::json!({}),
            chrono::Duration::minutes(LEDGER_CHECKPOINT_INTERVAL_MINUTES),
            services.clock.now(),
        )
        .await
        .map_err(|e| CliError(redact_url(&e.to_string())))?;
    let (db, clock, kek) = (
        services.db.clone(),
        services.clock.clone(),
        services.ledger.keys().kek.clone(),
    );
    scheduler.register(
        LEDGER_VERIFY_JOB,
        handler_fn(move |_ctx| {
            let (db, clock, kek) = (db.clone(), clock.clone(), kek.clone());
            async move {
                let row = ledger_checks::full_verification(&db, &kek, clock.as_ref()).await;
                db.ledger_insert_verification(&row)
                    .await
                    .map_err(|e| JobFailure(e.to_string()))?;
                if row.intact {
                    tracing::info!(size = row.size, ms = row.duration_ms, "ledger verified");
                    Ok(())
                } else {
                    tracing::error!(first_bad = ?row.first_bad, "ledger verification failed");
                    Err(JobFailure(row.message))
                }
            }
        }),
    );
    scheduler
        .ensure_periodic(
            LEDGER_VERIFY_JOB,
            serde_json::json!({}),
            chrono::Duration::days(1),
            services.clock.now(),
        )
        .await
        .map_err(|e| CliError(redact_url(&e.to_string())))?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        scheduler
            .run_forever(async move {
                let _ = stopped.changed().await;
            })
            .await;
    });
    Ok(RunningScheduler { stop, task })
}

#[derive(Debug)]
struct DatabaseReadiness(Database);

impl ReadinessProbe for DatabaseReadiness {
    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move { self.0.ping().await.map_err(|e| redact_url(&e.to_string())) })
    }
}

#[derive(Debug)]
struct OrganisationViews(Database);

impl HomeViews for OrganisationViews {
    fn institutions(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<InstitutionView>, WebError>> + Send + '_>> {
        Box::pin(async move {
            let rows = self.0.list_institutions().await.map_err(web_error)?;
            let mut views = Vec::with_capacity(rows.len());
            for row in rows {
                let tree = self.0.org_unit_tree(row.id).await.map_err(web_error)?;
                let units = tree
                    .as_ref()
                    .map(|t| {
                        t.flatten()
                            .into_iter()
                            .map(|(depth, unit)| (depth, unit.name.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                let kind = (row.kind.zh_tw().to_owned(), row.kind.en().to_owned());
                let profile = custos_app::organisation::stored_profile(&row).map_or_else(
                    |_| ("—".to_owned(), "—".to_owned()),
                    |p| (p.seed().zh_tw().to_owned(), p.seed().en().to_owned()),
                );
                let methods = row
                    .query_methods
                    .iter()
                    .map(|m| {
                        (
                            format!("{} {}", m.letter(), m.zh_tw()),
                            format!("{} {}", m.letter(), m.en()),
                        )
                    })
                    .collect();
                views.push(InstitutionView {
                    code: row.code.to_string(),
                    name: row.name,
                    kind,
                    profile,
                    methods,
                    units,
                });
            }
            Ok(views)
        })
    }

    fn job_runs(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<JobRunView>, WebError>> + Send + '_>> {
        Box::pin(OrganisationViews::job_runs(self))
    }

    fn ledger_status(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<LedgerStatusView, WebError>> + Send + '_>> {
        Box::pin(OrganisationViews::ledger_status(self))
    }

    fn ledger(&self) -> Option<&dyn LedgerViews> {
        Some(self)
    }
}

impl LedgerViews for OrganisationViews {
    fn overview(&self) -> LedgerFuture<'_, ledger_proofs::LedgerOverview> {
        Box::pin(ledger_proofs::overview(&self.0))
    }

    fn checkpoints(
        &self,
        page: u64,
        per_page: u32,
    ) -> LedgerFuture<'_, ledger_proofs::CheckpointPage> {
        Box::pin(ledger_proofs::checkpoints(&self.0, page, per_page))
    }

    fn entry(&self, index: u64) -> LedgerFuture<'_, ledger_proofs::EntryInfo> {
        Box::pin(ledger_proofs::entry(&self.0, index))
    }

    fn recent_entries(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> LedgerFuture<'_, Vec<ledger_proofs::EntrySummary>> {
        Box::pin(ledger_proofs::recent_entries(&self.0, before, limit))
    }

    fn inclusion(
        &self,
        index: u64,
        size: Option<u64>,
    ) -> LedgerFuture<'_, ledger_proofs::InclusionProof> {
        Box::pin(ledger_proofs::inclusion(&self.0, index, size))
    }

    fn consistency(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> LedgerFuture<'_, ledger_proofs::ConsistencyProof> {
        Box::pin(ledger_proofs::consistency(&self.0, from, to))
    }

    fn institution(&self, code: String) -> LedgerFuture<'_, Option<InstitutionDetail>> {
        Box::pin(institution_detail(&self.0, code))
    }
}

/// An institution with its units and profile versions, each with the entries that recorded it.
async fn institution_detail(
    db: &Database,
    code: String,
) -> Result<Option<InstitutionDetail>, ledger_proofs::LedgerQueryError> {
    use custos_store::ledger_refs::LedgerSubject;
    let Ok(code) = custos_domain::institution::InstitutionCode::parse(&code) else {
        return Ok(None);
    };
    let row = match db.get_institution_by_code(&code).await {
        Ok(row) => row,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let entries =
        ledger_proofs::recorded_by(db, LedgerSubject::Institution, &row.id.to_string()).await?;
    let mut units = Vec::new();
    if let Some(tree) = db.org_unit_tree(row.id).await? {
        for (depth, unit) in tree.flatten() {
            units.push(UnitDetail {
                depth,
                code: unit.code.to_string(),
                name: unit.name.clone(),
                entries: ledger_proofs::recorded_by(
                    db,
                    LedgerSubject::OrgUnit,
                    &unit.id.to_string(),
                )
                .await?,
            });
        }
    }
    let mut profile_versions = Vec::new();
    for change in db.list_profile_changes(row.id).await? {
        let subject = format!("{}#{}", row.id, change.version);
        profile_versions.push(ProfileVersionDetail {
            version: change.version,
            changed_at: change.changed_at,
            changed_by: change.changed_by,
            reason: change.reason,
            entries: ledger_proofs::recorded_by(db, LedgerSubject::ProfileChange, &subject).await?,
        });
    }
    Ok(Some(InstitutionDetail {
        code: row.code.to_string(),
        name: row.name,
        kind: (row.kind.zh_tw().to_owned(), row.kind.en().to_owned()),
        entries,
        units,
        profile_versions,
    }))
}

impl OrganisationViews {
    /// Size, latest checkpoint, and the start-up check run now (≤ 64 stored nodes: cheap).
    async fn ledger_status(&self) -> Result<LedgerStatusView, WebError> {
        let mut tx = self.0.begin_read().await.map_err(web_error)?;
        let head = tx.ledger_head().await.map_err(web_error)?;
        let latest = tx.ledger_latest_checkpoint_at().await.map_err(web_error)?;
        let _ = tx.rollback().await;
        let checkpoint = latest.map(|(size, note, at_ms)| {
            let key = custos_ledger::note::SignedNote::parse(&note)
                .ok()
                .and_then(|n| {
                    n.signatures()
                        .first()
                        .map(|s| format!("{}+{:08x}", s.name, s.id))
                })
                .unwrap_or_default();
            let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
            (size, at, key)
        });
        let verification = if checkpoint.is_some() {
            Some(match ledger_checks::startup_check(&self.0).await {
                Ok(()) => (true, String::new()),
                Err(e) => (false, redact_url(&e.to_string())),
            })
        } else {
            None
        };
        let full_verification = self
            .0
            .ledger_latest_verification()
            .await
            .map_err(web_error)?
            .map(|v| FullVerificationView {
                at: chrono::DateTime::from_timestamp_millis(v.verified_at_ms).unwrap_or_default(),
                size: v.size,
                intact: v.intact,
                message: redact_url(&v.message),
                duration_ms: v.duration_ms,
            });
        Ok(LedgerStatusView {
            size: head.size,
            checkpoint,
            verification,
            full_verification,
        })
    }

    async fn job_runs(&self) -> Result<Vec<JobRunView>, WebError> {
        let names: std::collections::HashMap<_, _> = self
            .0
            .list_jobs()
            .await
            .map_err(web_error)?
            .into_iter()
            .map(|j| (j.id, j.name))
            .collect();
        let runs = self.0.recent_job_runs(100).await.map_err(web_error)?;
        Ok(runs
            .into_iter()
            .map(|r| JobRunView {
                job: names.get(&r.job_id).cloned().unwrap_or_default(),
                attempt: r.attempt,
                scheduled_for: r.scheduled_for,
                started_at: r.started_at,
                finished_at: r.finished_at,
                outcome: r.outcome.as_str().to_owned(),
                error: r.error.unwrap_or_default(),
            })
            .collect())
    }
}

fn web_error(e: StoreError) -> WebError {
    match e {
        StoreError::Unavailable(_) => WebError::Unavailable(e.to_string()),
        StoreError::NotFound { .. } => WebError::NotFound,
        other => WebError::Internal(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn database_passwords_are_never_shown() {
        assert_eq!(
            redact_url("postgres://custos:s3cret@db:5432/custos"),
            "postgres://custos:***@db:5432/custos"
        );
        assert_eq!(
            redact_url("error connecting to postgres://u:p@h/db: refused"),
            "error connecting to postgres://u:***@h/db: refused"
        );
        assert_eq!(
            redact_url("sqlite://data/custos.db"),
            "sqlite://data/custos.db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }
}
