//! Use cases and the job scheduler, driven by a fake clock on a fresh SQLite database (the store's
//! own conformance suite covers both backends).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use custos_app::AppError;
use custos_app::ids::SequentialIds;
use custos_app::jobs::{
    BoxFuture, JobContext, JobFailure, Scheduler, SchedulerSettings, Sleeper, TickReport,
    handler_fn,
};
use custos_app::organisation::{
    AddOrgUnit, ChangeProfile, CreateInstitution, HeadOffice, ProfileChanged, add_org_unit,
    change_profile, create_institution, move_org_unit, stored_profile,
};
use custos_domain::clock::{Clock, FakeClock};
use custos_domain::institution::{
    InstitutionCode, InstitutionKind, OrgUnitCode, OrgUnitKind, QueryMethod,
};
use custos_domain::profile::{ControlProfile, SettingKey};
use custos_store::{InstitutionRow, JobStatus, OrgUnitRow, RunOutcome, StoreError};
use custos_testkit::db::TestDb;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
}

struct Fixture {
    ledger: custos_app::ledger::LedgerWriter,
    db: TestDb,
    clock: Arc<FakeClock>,
    ids: Arc<SequentialIds>,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestDb::sqlite().await;
        let clock = Arc::new(FakeClock::new(start()));
        let keys = custos_app::ledger::LedgerKeys {
            signer: Arc::new(
                custos_ledger::note::NoteSigner::from_seed("custos.test/ledger", &[1; 32]).unwrap(),
            ),
            kek: Arc::new(custos_ledger::record::SecretKey([2; 32])),
        };
        let ledger = custos_app::ledger::LedgerWriter::start(
            db.db().clone(),
            clock.clone(),
            keys,
            [3; 32],
            None,
            custos_app::ledger::WriterSettings::default(),
        );
        Self {
            ledger,
            db,
            clock,
            ids: Arc::new(SequentialIds::new()),
        }
    }

    /// [`create_institution`] with the fixture's writer, clock and ids.
    async fn create(
        &self,
        request: CreateInstitution,
    ) -> Result<(InstitutionRow, Option<OrgUnitRow>), AppError> {
        create_institution(&self.ledger, &*self.clock, &*self.ids, request).await
    }

    /// [`add_org_unit`] with the fixture's writer, clock and ids.
    async fn add_unit(&self, request: AddOrgUnit) -> Result<OrgUnitRow, AppError> {
        add_org_unit(&self.ledger, &*self.clock, &*self.ids, request).await
    }

    /// [`change_profile`] with the fixture's writer and clock.
    async fn change(&self, request: ChangeProfile) -> Result<ProfileChanged, AppError> {
        change_profile(&self.ledger, &*self.clock, request).await
    }

    fn scheduler(&self, settings: SchedulerSettings) -> Scheduler {
        Scheduler::new(
            self.db.db().clone(),
            self.clock.clone(),
            self.ids.clone(),
            settings,
        )
    }
}

fn settings() -> SchedulerSettings {
    SchedulerSettings {
        worker: "test-worker".into(),
        lease: Duration::minutes(5),
        batch: 10,
        poll_interval: std::time::Duration::from_mins(1),
        retry_base: Duration::seconds(30),
        retry_max: Duration::minutes(10),
        max_attempts: 3,
    }
}

fn counting(
    counter: &Arc<AtomicUsize>,
) -> impl Fn(JobContext) -> BoxFuture<'static, Result<(), JobFailure>> + Send + Sync + 'static {
    let counter = counter.clone();
    move |_ctx| {
        let counter = counter.clone();
        Box::pin(async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_one_off_job_runs_once_when_the_clock_reaches_it() {
    let f = Fixture::new().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut scheduler = f.scheduler(settings());
    scheduler.register("reminder", handler_fn(counting(&runs)));
    let job = scheduler
        .schedule_once(
            "reminder",
            serde_json::json!({"user": "u1"}),
            start() + Duration::minutes(10),
            None,
        )
        .await
        .unwrap();
    assert_eq!(scheduler.tick().await.unwrap(), TickReport::default());
    f.clock.advance(Duration::minutes(10));
    let report = scheduler.tick().await.unwrap();
    assert_eq!(
        report,
        TickReport {
            claimed: 1,
            succeeded: 1,
            ..TickReport::default()
        }
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    f.clock.advance(Duration::days(1));
    assert_eq!(scheduler.tick().await.unwrap().claimed, 0);
    let history = scheduler.history(job.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].outcome, RunOutcome::Succeeded);
    assert_eq!(history[0].worker, "test-worker");
    assert_eq!(history[0].started_at, start() + Duration::minutes(10));
    assert_eq!(
        f.db.get_job(job.id).await.unwrap().status,
        JobStatus::Succeeded
    );
}

/// A handler that keeps `pick` of every run's context in `sink`.
fn recording<T: Send + 'static>(
    sink: &Arc<std::sync::Mutex<Vec<T>>>,
    pick: fn(JobContext) -> T,
) -> impl Fn(JobContext) -> BoxFuture<'static, Result<(), JobFailure>> + Send + Sync + 'static {
    let sink = sink.clone();
    move |ctx| {
        let sink = sink.clone();
        Box::pin(async move {
            sink.lock().unwrap().push(pick(ctx));
            Ok(())
        })
    }
}

#[tokio::test]
async fn the_handler_sees_the_payload_occurrence_and_attempt() {
    let f = Fixture::new().await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut scheduler = f.scheduler(settings());
    scheduler.register("deletion", handler_fn(recording(&seen, |ctx| ctx)));
    let job = scheduler
        .schedule_once("deletion", serde_json::json!({"batch": 7}), start(), None)
        .await
        .unwrap();
    scheduler.tick().await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].job_id, job.id);
    assert_eq!(seen[0].name, "deletion");
    assert_eq!(seen[0].payload, serde_json::json!({"batch": 7}));
    assert_eq!(seen[0].scheduled_for, start());
    assert_eq!(seen[0].attempt, 1);
}

#[tokio::test]
async fn a_failed_run_is_retried_after_an_exponential_back_off() {
    let f = Fixture::new().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut scheduler = f.scheduler(settings());
    let c = calls.clone();
    scheduler.register(
        "flaky",
        handler_fn(move |_ctx: JobContext| {
            let c = c.clone();
            async move {
                if c.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(JobFailure::from("upstream timed out"))
                } else {
                    Ok(())
                }
            }
        }),
    );
    let job = scheduler
        .schedule_once("flaky", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    assert_eq!(scheduler.tick().await.unwrap().failed, 1);
    // First retry after 30 s, second after 60 s.
    assert_eq!(
        f.db.get_job(job.id).await.unwrap().next_run_at,
        Some(start() + Duration::seconds(30))
    );
    f.clock.advance(Duration::seconds(29));
    assert_eq!(scheduler.tick().await.unwrap().claimed, 0);
    f.clock.advance(Duration::seconds(1));
    assert_eq!(scheduler.tick().await.unwrap().failed, 1);
    assert_eq!(
        f.db.get_job(job.id).await.unwrap().next_run_at,
        Some(start() + Duration::seconds(90))
    );
    f.clock.advance(Duration::seconds(60));
    assert_eq!(scheduler.tick().await.unwrap().succeeded, 1);
    let outcomes: Vec<RunOutcome> = scheduler
        .history(job.id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            RunOutcome::Failed,
            RunOutcome::Failed,
            RunOutcome::Succeeded
        ]
    );
}

#[tokio::test]
async fn a_one_off_job_fails_for_good_after_its_last_attempt() {
    let f = Fixture::new().await;
    let mut scheduler = f.scheduler(SchedulerSettings {
        max_attempts: 2,
        ..settings()
    });
    scheduler.register(
        "broken",
        handler_fn(|_ctx: JobContext| async { Err(JobFailure::from("no such registry")) }),
    );
    let job = scheduler
        .schedule_once("broken", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    scheduler.tick().await.unwrap();
    f.clock.advance(Duration::minutes(1));
    scheduler.tick().await.unwrap();
    let job = f.db.get_job(job.id).await.unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    f.clock.advance(Duration::days(1));
    assert_eq!(scheduler.tick().await.unwrap().claimed, 0);
    let history = scheduler.history(job.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].error.as_deref(), Some("no such registry"));
}

#[tokio::test]
async fn an_unknown_handler_and_a_panicking_one_are_recorded_as_failures() {
    let f = Fixture::new().await;
    let mut scheduler = f.scheduler(settings());
    scheduler.register(
        "panics",
        handler_fn(|ctx: JobContext| async move {
            assert!(ctx.attempt > 99, "handler bug");
            Ok(())
        }),
    );
    let unknown = scheduler
        .schedule_once("nobody", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    let panics = scheduler
        .schedule_once("panics", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    let report = scheduler.tick().await.unwrap();
    assert_eq!(report.claimed, 2);
    assert_eq!(report.failed, 2);
    let error = |runs: Vec<custos_store::JobRunRow>| runs[0].error.clone().unwrap();
    assert!(error(scheduler.history(unknown.id).await.unwrap()).contains("no handler"));
    assert!(error(scheduler.history(panics.id).await.unwrap()).contains("panicked"));
}

#[tokio::test]
async fn a_crashed_run_is_retried_when_its_lease_expires() {
    let f = Fixture::new().await;
    let attempts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut scheduler = f.scheduler(settings());
    scheduler.register(
        "review",
        handler_fn(recording(&attempts, |ctx| ctx.attempt)),
    );
    let job = scheduler
        .schedule_once("review", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    // Another worker claims it and dies.
    f.db.claim_due_jobs(start(), "dead-worker", Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(scheduler.tick().await.unwrap().claimed, 0);
    f.clock.advance(Duration::minutes(5));
    assert_eq!(scheduler.tick().await.unwrap().succeeded, 1);
    assert_eq!(*attempts.lock().unwrap(), [2]);
    let history = scheduler.history(job.id).await.unwrap();
    assert_eq!(history[0].outcome, RunOutcome::LeaseExpired);
    assert_eq!(history[0].worker, "dead-worker");
    assert_eq!(history[1].outcome, RunOutcome::Succeeded);
}

#[tokio::test]
async fn a_periodic_job_is_registered_once_and_runs_every_interval() {
    let f = Fixture::new().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut scheduler = f.scheduler(settings());
    scheduler.register("dormancy_check", handler_fn(counting(&runs)));
    let day = Duration::days(1);
    let first = scheduler
        .ensure_periodic("dormancy_check", serde_json::json!({}), day, start())
        .await
        .unwrap();
    // A restart registers it again: same job.
    let again = scheduler
        .ensure_periodic("dormancy_check", serde_json::json!({}), day, start() + day)
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    for expected in 1..=3 {
        scheduler.tick().await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), expected);
        scheduler.tick().await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), expected, "not twice a day");
        f.clock.advance(day);
    }
    assert_eq!(f.db.list_jobs().await.unwrap().len(), 1);
    assert_eq!(scheduler.history(first.id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_idempotency_key_keeps_a_one_off_job_single_and_cancel_stops_it() {
    let f = Fixture::new().await;
    let scheduler = f.scheduler(settings());
    let key = Some("reminder:u1:2025-06".to_owned());
    let a = scheduler
        .schedule_once("reminder", serde_json::json!({}), start(), key.clone())
        .await
        .unwrap();
    let b = scheduler
        .schedule_once("reminder", serde_json::json!({}), start(), key)
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    let cancelled = scheduler.cancel(a.id).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(scheduler.tick().await.unwrap().claimed, 0);
    let err = scheduler.cancel(a.id).await.unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::Conflict(_))),
        "{err}"
    );
}

/// Sleeps by moving the fake clock; asks for shutdown after `rounds` sleeps.
struct ClockSleeper {
    clock: Arc<FakeClock>,
    sleeps: AtomicUsize,
    rounds: usize,
    stop: tokio::sync::Notify,
}

impl Sleeper for ClockSleeper {
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()> {
        self.clock.advance(Duration::from_std(duration).unwrap());
        if self.sleeps.fetch_add(1, Ordering::SeqCst) + 1 >= self.rounds {
            self.stop.notify_one();
        }
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn run_forever_polls_on_the_injected_clock_until_shutdown() {
    let f = Fixture::new().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut scheduler = f.scheduler(settings());
    scheduler.register("heartbeat", handler_fn(counting(&runs)));
    scheduler
        .ensure_periodic(
            "heartbeat",
            serde_json::json!({}),
            Duration::minutes(2),
            start(),
        )
        .await
        .unwrap();
    let sleeper = Arc::new(ClockSleeper {
        clock: f.clock.clone(),
        sleeps: AtomicUsize::new(0),
        rounds: 10,
        stop: tokio::sync::Notify::new(),
    });
    let scheduler = scheduler.with_sleeper(sleeper.clone());
    scheduler.run_forever(sleeper.stop.notified()).await;
    // Rounds at t = 0 … 9 min (ten of them); shutdown arrives during the tenth wait, so the round
    // at 10 min never starts: runs at 0, 2, 4, 6, 8.
    assert_eq!(runs.load(Ordering::SeqCst), 5);
    assert_eq!(f.clock.now(), start() + Duration::minutes(10));
}

fn icode(code: &str) -> InstitutionCode {
    InstitutionCode::parse(code).unwrap()
}

fn ucode(code: &str) -> OrgUnitCode {
    OrgUnitCode::parse(code).unwrap()
}

fn bank_request() -> CreateInstitution {
    CreateInstitution {
        code: icode("0040000"),
        name: "臺灣測試銀行".into(),
        kind: InstitutionKind::Bank,
        query_methods: [QueryMethod::ChipCard].into(),
        profile: ControlProfile::jcic(),
        created_by: "admin".into(),
        head_office: Some(HeadOffice {
            code: ucode("0000"),
            name: "總行".into(),
        }),
    }
}

fn land_office(code: &str, name: &str) -> CreateInstitution {
    CreateInstitution {
        code: icode(code),
        name: name.into(),
        kind: InstitutionKind::LandOffice,
        query_methods: BTreeSet::new(),
        profile: ControlProfile::taipei(),
        created_by: "admin".into(),
        head_office: None,
    }
}

#[tokio::test]
async fn creating_an_institution_with_its_head_office_is_one_unit_of_work() {
    let f = Fixture::new().await;
    let request = bank_request();
    let (inst, head) = f.create(request.clone()).await.unwrap();
    let head = head.unwrap();
    assert_eq!(head.kind, OrgUnitKind::HeadOffice);
    assert_eq!(inst.created_at, start());
    assert_eq!(inst.id.to_string(), "00000000-0000-7000-8000-000000000001");
    assert_eq!(head.id.to_string(), "00000000-0000-7000-8000-000000000002");
    assert_eq!(stored_profile(&inst).unwrap(), ControlProfile::jcic());
    // A head office the domain refuses (blank name) stops the whole request.
    let bad = CreateInstitution {
        code: icode("0050000"),
        head_office: Some(HeadOffice {
            code: ucode("0000"),
            name: " ".into(),
        }),
        ..request.clone()
    };
    let err = f.create(bad).await.unwrap_err();
    assert!(matches!(err, AppError::Organisation(_)), "{err}");
    assert!(
        f.db.get_institution_by_code(&icode("0050000"))
            .await
            .unwrap_err()
            .is_not_found()
    );
    // A code that does not suit the kind.
    let wrong_kind = CreateInstitution {
        code: icode("AB01"),
        ..request.clone()
    };
    let err = f.create(wrong_kind).await.unwrap_err();
    assert!(matches!(err, AppError::Rule(_)), "{err}");
    let dup = f.create(request).await.unwrap_err();
    assert!(
        matches!(dup, AppError::Store(StoreError::Conflict(_))),
        "{dup}"
    );
    // The failed duplicate's head office did not stay behind either.
    assert_eq!(f.db.list_institutions().await.unwrap().len(), 1);

    let add = |parent: uuid::Uuid, code: &str, kind: OrgUnitKind| AddOrgUnit {
        institution_id: inst.id,
        parent_id: parent,
        code: ucode(code),
        name: format!("單位 {code}"),
        kind,
    };
    let branch = f
        .add_unit(add(head.id, "0100", OrgUnitKind::Branch))
        .await
        .unwrap();
    let section = f
        .add_unit(add(head.id, "0010", OrgUnitKind::Section))
        .await
        .unwrap();
    let err = f
        .add_unit(add(head.id, "0001", OrgUnitKind::HeadOffice))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Organisation(_)), "{err}");
    let err = f
        .add_unit(add(head.id, "0100", OrgUnitKind::Branch))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Organisation(_)),
        "duplicate code: {err}"
    );
    f.clock.advance(Duration::hours(1));
    let moved = move_org_unit(f.db.db(), &*f.clock, section.id, branch.id)
        .await
        .unwrap();
    assert_eq!(moved.parent_id, Some(branch.id));
    assert_eq!(moved.updated_at, start() + Duration::hours(1));
    let err = move_org_unit(f.db.db(), &*f.clock, branch.id, section.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Organisation(_)), "cycle: {err}");
    let tree = f.db.org_unit_tree(inst.id).await.unwrap().unwrap();
    assert_eq!(tree.len(), 3);
}

#[tokio::test]
async fn a_profile_change_only_tightens_needs_a_reason_and_is_recorded() {
    let f = Fixture::new().await;
    let (inst, _) = f
        .create(land_office("AA01", "古亭地政事務所"))
        .await
        .unwrap();
    let seed = ControlProfile::taipei();
    let change = |rate: u32, reason: &str, version: i64| {
        let mut draft = seed.draft();
        draft.set(SettingKey::QuerySamplingRate, rate);
        ChangeProfile {
            institution_id: inst.id,
            expected_version: version,
            draft,
            changed_by: "director".into(),
            reason: reason.into(),
        }
    };
    let err = f.change(change(200, " ", 1)).await.unwrap_err();
    assert!(matches!(err, AppError::Rule(_)), "{err}");
    let err = f.change(change(50, "looser", 1)).await.unwrap_err();
    assert!(matches!(err, AppError::Profile(_)), "J0.4: {err}");
    let err = f.change(change(100, "same", 1)).await.unwrap_err();
    assert!(matches!(err, AppError::Rule(_)), "no change: {err}");
    f.clock.advance(Duration::days(3));
    let done = f
        .change(change(200, "風險評估 / risk review", 1))
        .await
        .unwrap();
    assert_eq!(done.record.version, 2);
    assert_eq!(done.record.changed_at, start() + Duration::days(3));
    assert_eq!(done.changes.len(), 1);
    assert_eq!(done.changes[0].key, SettingKey::QuerySamplingRate);
    assert_eq!((done.changes[0].old, done.changes[0].new), (100, 200));
    let current = stored_profile(&f.db.get_institution(inst.id).await.unwrap()).unwrap();
    assert_eq!(current.get(SettingKey::QuerySamplingRate), Some(200));
    // J0.4: the creation and the one accepted change are ledger entries; refused proposals are not.
    // (The fake clock's three-day step is also logged, as a `clock_jump` entry: not counted.)
    let ledger_size = || async {
        f.db.db()
            .ledger_leaves(0, 100)
            .await
            .unwrap()
            .iter()
            .filter(|(_, leaf)| {
                custos_ledger::leaf::Leaf::decode(leaf).unwrap().kind
                    != custos_ledger::leaf::EntryKind::CLOCK_JUMP
            })
            .count()
    };
    assert_eq!(ledger_size().await, 2);
    let err = f.change(change(300, "stale", 1)).await.unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::Conflict(_))),
        "{err}"
    );
    assert_eq!(f.db.list_profile_changes(inst.id).await.unwrap().len(), 2);
    assert_eq!(
        ledger_size().await,
        2,
        "a conflicting change writes no entry"
    );
}

/// A sleeper that wakes only when the test says so.
#[derive(Default)]
struct ManualSleeper {
    wake: tokio::sync::Notify,
}

impl Sleeper for ManualSleeper {
    fn sleep(&self, _duration: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(self.wake.notified())
    }
}

/// Polls `check` until it holds (at most a few seconds; the condition is what is asserted).
async fn eventually<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..2000 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("condition never held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_handler_keeps_its_lease_alive_with_heartbeats() {
    let f = Fixture::new().await;
    let release = Arc::new(tokio::sync::Notify::new());
    let heartbeat = Arc::new(ManualSleeper::default());
    let mut scheduler = f.scheduler(settings());
    let gate = release.clone();
    scheduler.register(
        "long_deletion",
        handler_fn(move |_ctx: JobContext| {
            let gate = gate.clone();
            async move {
                gate.notified().await;
                Ok(())
            }
        }),
    );
    let scheduler = Arc::new(scheduler.with_heartbeat_sleeper(heartbeat.clone()));
    let job = scheduler
        .schedule_once("long_deletion", serde_json::json!({}), start(), None)
        .await
        .unwrap();
    let round = tokio::spawn({
        let scheduler = scheduler.clone();
        async move { scheduler.tick().await }
    });
    let db = f.db.db().clone();
    eventually(|| {
        let db = db.clone();
        async move { db.get_job(job.id).await.unwrap().status == JobStatus::Running }
    })
    .await;
    // Four minutes into a five-minute lease, a heartbeat extends it to 4 + 5 minutes.
    f.clock.advance(Duration::minutes(4));
    heartbeat.wake.notify_one();
    let extended = start() + Duration::minutes(9);
    eventually(|| {
        let db = db.clone();
        async move { db.get_job(job.id).await.unwrap().lease_expires_at == Some(extended) }
    })
    .await;
    // Past the first lease another worker finds nothing to take over.
    f.clock.advance(Duration::minutes(2));
    assert!(
        db.claim_due_jobs(f.clock.now(), "other", Duration::minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
    release.notify_one();
    let report = round.await.unwrap().unwrap();
    assert_eq!(report.succeeded, 1);
    assert_eq!(scheduler.history(job.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_profile_becomes_due_for_review_when_its_interval_has_passed() {
    let f = Fixture::new().await;
    let (inst, _) = f
        .create(land_office("AB02", "大安地政事務所"))
        .await
        .unwrap();
    let months = ControlProfile::taipei()
        .get(SettingKey::ProfileReviewMonths)
        .unwrap();
    assert!(
        custos_app::organisation::profile_reviews_due(f.db.db(), &*f.clock)
            .await
            .unwrap()
            .is_empty()
    );
    f.clock.advance(Duration::days(31 * i64::from(months)));
    let due = custos_app::organisation::profile_reviews_due(f.db.db(), &*f.clock)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].institution.id, inst.id);
    assert_eq!(due[0].last_reviewed, start());
}
