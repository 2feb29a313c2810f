//! The durable job scheduler: reviews, dormancy checks, deletions and reminders run on it.
//!
//! Jobs live in the database (`custos_store::jobs`), so they survive restarts. Each [`Scheduler::tick`]
//! claims the due jobs under a lease, runs their handlers, and records each run. Guarantees:
//!
//! - **At-least-once.** A job whose worker dies (or overruns its lease) becomes due again when the
//!   lease expires and runs again. **Handlers must therefore be idempotent**: running one twice for
//!   the same job (same `job_id` and `scheduled_for`) must have the effect of running it once — e.g.
//!   check "already done for this occurrence?" in the same transaction that does the work, or use
//!   a natural key with `ON CONFLICT DO NOTHING`. A handler must also finish well within the lease.
//! - **Time from the clock.** "Due" and "next occurrence" are computed from the injected
//!   [`Clock`]; waiting between rounds goes through a [`Sleeper`]. Tests drive it with `FakeClock`.
//! - **Visible history.** Every attempt is a `job_runs` row: worker, start, end, outcome, error.
//! - **Retries.** A failed run is retried with exponential back-off until `max_attempts`; then a
//!   one-off job ends `failed` and a periodic job waits for its next occurrence.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use custos_domain::clock::Clock;
use custos_store::{
    ClaimedJob, Database, JobKind, JobRow, JobRunRow, NewJob, RunResult, StoreError,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::IdGenerator;

/// A boxed, sendable future (the return type of [`JobHandler::run`] and [`Sleeper::sleep`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a handler learns about the run it performs.
#[derive(Debug, Clone, PartialEq)]
pub struct JobContext {
    /// The job.
    pub job_id: Uuid,
    /// The handler name the job was scheduled under.
    pub name: String,
    /// The job's arguments.
    pub payload: serde_json::Value,
    /// The occurrence being run (use it with `job_id` as the idempotency key of the work).
    pub scheduled_for: DateTime<Utc>,
    /// Attempt number within this occurrence (1 = first).
    pub attempt: i64,
    /// The run record.
    pub run_id: i64,
}

/// Why a handler failed; recorded in the run history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JobFailure(pub String);

impl From<String> for JobFailure {
    fn from(message: String) -> Self {
        Self(message)
    }
}

impl From<&str> for JobFailure {
    fn from(message: &str) -> Self {
        Self(message.to_owned())
    }
}

/// The work behind a job name. **Must be idempotent** (see the module docs): the scheduler may run
/// the same occurrence more than once.
pub trait JobHandler: Send + Sync + 'static {
    /// Performs the job.
    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<(), JobFailure>>;
}

/// A [`JobHandler`] made from an async closure (see [`handler_fn`]).
pub struct FnHandler<F>(F);

/// Wraps `f` (taking the [`JobContext`] by value) as a [`JobHandler`].
pub fn handler_fn<F, Fut>(f: F) -> FnHandler<F>
where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), JobFailure>> + Send + 'static,
{
    FnHandler(f)
}

impl<F, Fut> JobHandler for FnHandler<F>
where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), JobFailure>> + Send + 'static,
{
    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin((self.0)(ctx.clone()))
    }
}

/// Waiting between scheduler rounds, injected so tests can move a fake clock instead of sleeping.
pub trait Sleeper: Send + Sync {
    /// Waits for `duration`.
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()>;
}

/// Waits with `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Tuning of a [`Scheduler`].
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// This worker's name in leases and the run history (e.g. host name and process id).
    pub worker: String,
    /// How long a claim holds before the job is due again.
    pub lease: Duration,
    /// Most jobs claimed per round.
    pub batch: u32,
    /// Wait between rounds in [`Scheduler::run_forever`].
    pub poll_interval: std::time::Duration,
    /// First retry delay; doubles with each attempt.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Attempts per occurrence for jobs scheduled through this scheduler.
    pub max_attempts: u32,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            worker: "custos".to_owned(),
            lease: Duration::minutes(5),
            batch: 8,
            poll_interval: std::time::Duration::from_secs(5),
            retry_base: Duration::seconds(30),
            retry_max: Duration::hours(1),
            max_attempts: 5,
        }
    }
}

/// What one [`Scheduler::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Jobs claimed.
    pub claimed: usize,
    /// Runs that succeeded.
    pub succeeded: usize,
    /// Runs that failed (including unknown handler names and panics).
    pub failed: usize,
    /// Runs whose result could not be recorded because the lease was lost meanwhile.
    pub lost: usize,
}

/// The job scheduler. Build it, [`register`](Scheduler::register) the handlers, then call
/// [`tick`](Scheduler::tick) (tests) or [`run_forever`](Scheduler::run_forever) (the server).
pub struct Scheduler {
    db: Database,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    settings: SchedulerSettings,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("Scheduler")
            .field("handlers", &names)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler over `db` with no handlers yet.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        settings: SchedulerSettings,
    ) -> Self {
        Self {
            db,
            clock,
            ids,
            handlers: HashMap::new(),
            settings,
        }
    }

    /// Registers the handler for jobs named `name` (replacing an earlier one).
    pub fn register(&mut self, name: impl Into<String>, handler: impl JobHandler) -> &mut Self {
        self.handlers.insert(name.into(), Arc::new(handler));
        self
    }

    /// Schedules a one-off job at `run_at`. With an idempotency key, scheduling it again returns
    /// the first job unchanged.
    pub async fn schedule_once(
        &self,
        name: &str,
        payload: serde_json::Value,
        run_at: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<JobRow, AppError> {
        self.schedule(name, JobKind::OneOff, payload, run_at, idempotency_key)
            .await
    }

    /// Makes sure the periodic job `name` exists (first due at `first_run_at`, then every
    /// `interval`). Idempotent: call it at every start; an existing job is returned unchanged.
    pub async fn ensure_periodic(
        &self,
        name: &str,
        payload: serde_json::Value,
        interval: Duration,
        first_run_at: DateTime<Utc>,
    ) -> Result<JobRow, AppError> {
        self.schedule(
            name,
            JobKind::Periodic { interval },
            payload,
            first_run_at,
            Some(format!("periodic:{name}")),
        )
        .await
    }

    async fn schedule(
        &self,
        name: &str,
        kind: JobKind,
        payload: serde_json::Value,
        run_at: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<JobRow, AppError> {
        let new = NewJob {
            id: self.ids.new_id(),
            name: name.to_owned(),
            kind,
            payload,
            idempotency_key,
            run_at,
            max_attempts: self.settings.max_attempts.max(1),
            created_at: self.clock.now(),
        };
        let (job, _created) = self.db.insert_job(&new).await?;
        Ok(job)
    }

    /// Cancels a scheduled job.
    pub async fn cancel(&self, job_id: Uuid) -> Result<JobRow, AppError> {
        Ok(self.db.cancel_job(job_id, self.clock.now()).await?)
    }

    /// The run history of one job, oldest first.
    pub async fn history(&self, job_id: Uuid) -> Result<Vec<JobRunRow>, AppError> {
        Ok(self.db.list_job_runs(job_id).await?)
    }

    /// Runs one round: claims the due jobs, runs their handlers concurrently, records each run.
    pub async fn tick(&self) -> Result<TickReport, AppError> {
        let claimed = self
            .db
            .claim_due_jobs(
                self.clock.now(),
                &self.settings.worker,
                self.settings.lease,
                self.settings.batch,
            )
            .await?;
        let mut report = TickReport {
            claimed: claimed.len(),
            ..TickReport::default()
        };
        let mut running = Vec::with_capacity(claimed.len());
        for claim in claimed {
            let ctx = JobContext {
                job_id: claim.job.id,
                name: claim.job.name.clone(),
                payload: claim.job.payload.clone(),
                scheduled_for: claim.run.scheduled_for,
                attempt: claim.run.attempt,
                run_id: claim.run.id,
            };
            let task = self.handlers.get(&claim.job.name).cloned().map(|handler| {
                // A task of its own, so that a panicking handler is recorded as a failure instead
                // of taking the scheduler down.
                tokio::spawn(async move { handler.run(&ctx).await })
            });
            running.push((claim, task));
        }
        for (claim, task) in running {
            let outcome = match task {
                None => Err(JobFailure(format!(
                    "沒有名為 {0} 的處理程序 / no handler registered for {0}",
                    claim.job.name
                ))),
                Some(task) => match task.await {
                    Ok(result) => result,
                    Err(join) => Err(JobFailure(format!(
                        "處理程序異常終止 / the handler panicked or was cancelled: {join}"
                    ))),
                },
            };
            self.record(&claim, outcome, &mut report).await?;
        }
        Ok(report)
    }

    async fn record(
        &self,
        claim: &ClaimedJob,
        outcome: Result<(), JobFailure>,
        report: &mut TickReport,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let result = match &outcome {
            Ok(()) => RunResult::Succeeded,
            Err(failure) => RunResult::Failed {
                error: failure.0.clone(),
                retry_at: now + self.backoff(claim.run.attempt),
            },
        };
        match self
            .db
            .finish_run(claim.job.id, claim.run.id, now, &result)
            .await
        {
            Ok(_) => {
                if outcome.is_ok() {
                    report.succeeded += 1;
                } else {
                    report.failed += 1;
                }
                if let Err(failure) = outcome {
                    tracing::warn!(job = %claim.job.id, name = %claim.job.name, attempt = claim.run.attempt, error = %failure, "job run failed");
                }
                Ok(())
            }
            Err(StoreError::Conflict(why)) => {
                tracing::warn!(job = %claim.job.id, name = %claim.job.name, %why, "job lease lost before the run was recorded");
                report.lost += 1;
                Ok(())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Delay before retry number `attempt` (1-based): base · 2^(attempt−1), at most `retry_max`.
    fn backoff(&self, attempt: i64) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        let factor = 1_i32 << exponent;
        let delay = self
            .settings
            .retry_base
            .checked_mul(factor)
            .unwrap_or(self.settings.retry_max);
        delay.min(self.settings.retry_max)
    }

    /// Runs rounds until `shutdown` completes, waiting `poll_interval` (through `sleeper`) between
    /// them; shutdown is noticed between rounds. A failing round is logged and the loop goes on (the database may come back).
    pub async fn run_forever(&self, sleeper: &dyn Sleeper, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            // A round is not interrupted by shutdown: its runs are recorded before the loop ends.
            match self.tick().await {
                Ok(report) if report.claimed > 0 => tracing::info!(?report, "job scheduler round"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "job scheduler round failed"),
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = sleeper.sleep(self.settings.poll_interval) => {}
            }
        }
    }
}
