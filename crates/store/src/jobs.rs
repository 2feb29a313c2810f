//! Durable jobs: definitions, atomic claiming with leases, and the run history.
//!
//! The scheduler itself (handlers, the loop, retry policy) lives in `custos_app::jobs`; this module
//! only keeps the state, so that every transition is one transaction:
//!
//! - a job is **due** when it is `scheduled` with `next_run_at <= now`, or `running` with an expired
//!   lease (its worker crashed or hung) — so delivery is at-least-once and handlers must be
//!   idempotent;
//! - [`Tx::claim_due_jobs`] moves due jobs to `running` under a lease and opens a `job_runs` row for
//!   each, atomically: SQLite has one writer (the claim runs in a `BEGIN IMMEDIATE` transaction),
//!   PostgreSQL locks the chosen rows with `FOR UPDATE SKIP LOCKED`, so two workers never claim the
//!   same job while its lease holds;
//! - [`Tx::finish_run`] only succeeds for the run that holds the lease (fencing): a worker that
//!   comes back after its lease expired and the job was re-claimed gets a conflict, and its late
//!   result is not recorded over the newer run;
//! - a periodic job reschedules to the next multiple of its interval after the clock's "now"
//!   (missed occurrences are not replayed one by one); a one-off job ends `succeeded` or, when its
//!   attempts are used up, `failed`;
//! - an idempotency key makes scheduling the same job twice return the first one.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::database::{Backend, Tx, database_methods, with_conn};
use crate::error::StoreError;
use crate::row::{RowExt, corrupt, ts};

/// One-off or periodic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Runs once (retried on failure up to its attempts).
    OneOff,
    /// Runs every `interval` (whole seconds, at least one).
    Periodic {
        /// Time between occurrences.
        interval: Duration,
    },
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for `next_run_at`.
    Scheduled,
    /// Claimed by a worker under a lease.
    Running,
    /// A one-off job that finished successfully.
    Succeeded,
    /// A one-off job whose attempts are used up.
    Failed,
    /// Cancelled before it ran.
    Cancelled,
}

impl JobStatus {
    const ALL: [Self; 5] = [
        Self::Scheduled,
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

/// How a run ended (or that it is still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunOutcome {
    /// In progress.
    Running,
    /// The handler succeeded.
    Succeeded,
    /// The handler failed (see the error text).
    Failed,
    /// The worker's lease expired before it reported; the job was claimed again.
    LeaseExpired,
}

impl RunOutcome {
    const ALL: [Self; 4] = [
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::LeaseExpired,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::LeaseExpired => "lease_expired",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

/// Insert payload of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Id.
    pub id: Uuid,
    /// The name of the handler that runs it.
    pub name: String,
    /// One-off or periodic.
    pub kind: JobKind,
    /// Arguments for the handler.
    pub payload: serde_json::Value,
    /// When set, scheduling again with the same key returns the existing job.
    pub idempotency_key: Option<String>,
    /// The first (or only) time it is due.
    pub run_at: DateTime<Utc>,
    /// Attempts per occurrence before giving up (at least 1).
    pub max_attempts: u32,
    /// When it was scheduled.
    pub created_at: DateTime<Utc>,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Id.
    pub id: Uuid,
    /// Handler name.
    pub name: String,
    /// One-off or periodic.
    pub kind: JobKind,
    /// Handler arguments.
    pub payload: serde_json::Value,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// Status.
    pub status: JobStatus,
    /// When the pending (or running) occurrence is due; None once finished or cancelled.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Attempts made at the current occurrence.
    pub attempt: i64,
    /// Attempts allowed per occurrence.
    pub max_attempts: i64,
    /// The worker holding the lease.
    pub lease_owner: Option<String>,
    /// The run holding the lease.
    pub lease_run_id: Option<i64>,
    /// When the lease ends.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// One run (attempt) of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRunRow {
    /// Sequence number.
    pub id: i64,
    /// The job.
    pub job_id: Uuid,
    /// Attempt number within the occurrence (1 = first try).
    pub attempt: i64,
    /// The occurrence's due time.
    pub scheduled_for: DateTime<Utc>,
    /// The worker that ran it.
    pub worker: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished (None while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// Outcome.
    pub outcome: RunOutcome,
    /// Error text of a failed or expired run.
    pub error: Option<String>,
}

/// A job claimed by a worker, with the run it must finish.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job (status `running`).
    pub job: JobRow,
    /// The open run.
    pub run: JobRunRow,
}

/// What a worker reports when a run ends.
#[derive(Debug, Clone, PartialEq)]
pub enum RunResult {
    /// The handler succeeded.
    Succeeded,
    /// The handler failed.
    Failed {
        /// Why.
        error: String,
        /// When to try again, if attempts remain (the scheduler's back-off).
        retry_at: DateTime<Utc>,
    },
}

const JOB_COLUMNS: &str = "id, name, kind, interval_seconds, payload, idempotency_key, status, next_run_at, attempt, max_attempts, lease_owner, lease_run_id, lease_expires_at, created_at, updated_at";
const RUN_COLUMNS: &str =
    "id, job_id, attempt, scheduled_for, worker, started_at, finished_at, outcome, error";

fn job_from_row(r: &impl RowExt) -> Result<JobRow, StoreError> {
    let kind = match (r.text("kind")?.as_str(), r.opt_int("interval_seconds")?) {
        ("one_off", None) => JobKind::OneOff,
        ("periodic", Some(seconds)) if seconds > 0 => JobKind::Periodic {
            interval: Duration::seconds(seconds),
        },
        (kind, seconds) => return Err(corrupt("kind", &format!("{kind} / {seconds:?}"))),
    };
    let status = r.text("status")?;
    Ok(JobRow {
        id: r.uuid("id")?,
        name: r.text("name")?,
        kind,
        payload: r.json("payload")?,
        idempotency_key: r.opt_text("idempotency_key")?,
        status: JobStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        next_run_at: r.opt_time("next_run_at")?,
        attempt: r.int("attempt")?,
        max_attempts: r.int("max_attempts")?,
        lease_owner: r.opt_text("lease_owner")?,
        lease_run_id: r.opt_int("lease_run_id")?,
        lease_expires_at: r.opt_time("lease_expires_at")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn run_from_row(r: &impl RowExt) -> Result<JobRunRow, StoreError> {
    let outcome = r.text("outcome")?;
    Ok(JobRunRow {
        id: r.int("id")?,
        job_id: r.uuid("job_id")?,
        attempt: r.int("attempt")?,
        scheduled_for: r.time("scheduled_for")?,
        worker: r.text("worker")?,
        started_at: r.time("started_at")?,
        finished_at: r.opt_time("finished_at")?,
        outcome: RunOutcome::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
        error: r.opt_text("error")?,
    })
}

/// The first occurrence after `now` on the grid `scheduled_for + k·interval` (k ≥ 1).
pub fn next_occurrence(
    scheduled_for: DateTime<Utc>,
    interval: Duration,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let step = interval.num_seconds().max(1);
    let behind = (now - scheduled_for).num_seconds();
    let k = if behind < 0 { 1 } else { behind / step + 1 };
    scheduled_for + Duration::seconds(step * k)
}

impl Tx {
    /// Schedules a job. Returns the job and `true`, or — when a job with the same idempotency key
    /// exists — that job and `false` (nothing is changed).
    pub async fn insert_job(&mut self, new: &NewJob) -> Result<(JobRow, bool), StoreError> {
        if new.name.trim().is_empty() {
            return Err(StoreError::InvalidData(
                "工作名稱不可空白 / a job name must not be blank".to_owned(),
            ));
        }
        if new.max_attempts == 0 {
            return Err(StoreError::InvalidData(
                "重試次數至少為 1 / max_attempts must be at least 1".to_owned(),
            ));
        }
        let (kind, interval) = match new.kind {
            JobKind::OneOff => ("one_off", None),
            JobKind::Periodic { interval } => {
                if interval.num_seconds() < 1 || interval.subsec_nanos() != 0 {
                    return Err(StoreError::InvalidData(
                        "週期須為整數秒且至少 1 秒 / an interval is whole seconds, at least one"
                            .to_owned(),
                    ));
                }
                ("periodic", Some(interval.num_seconds()))
            }
        };
        let sql_insert = format!(
            "INSERT INTO jobs ({JOB_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, 0, $8, NULL, NULL, NULL, $9, $9) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING {JOB_COLUMNS}"
        );
        let sql_existing = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE idempotency_key = $1");
        let id = new.id.to_string();
        let payload = new.payload.to_string();
        with_conn!(self, conn => {
            let inserted = sqlx::query(sqlx::AssertSqlSafe(sql_insert))
                .bind(&id)
                .bind(&new.name)
                .bind(kind)
                .bind(interval)
                .bind(&payload)
                .bind(&new.idempotency_key)
                .bind(ts(new.run_at))
                .bind(i64::from(new.max_attempts))
                .bind(ts(new.created_at))
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = inserted {
                return Ok((job_from_row(&row)?, true));
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql_existing))
                .bind(&new.idempotency_key)
                .fetch_one(&mut *conn)
                .await?;
            Ok((job_from_row(&row)?, false))
        })
    }

    /// The job with `id`.
    pub async fn get_job(&mut self, id: Uuid) -> Result<JobRow, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let key = id.to_string();
        with_conn!(self, conn => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(&mut *conn).await? {
                Some(row) => job_from_row(&row),
                None => Err(StoreError::not_found("job", key)),
            }
        })
    }

    /// Every job, by name then creation.
    pub async fn list_jobs(&mut self) -> Result<Vec<JobRow>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY name, created_at, id");
        let mut jobs: Vec<JobRow> = with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(job_from_row)
                .collect::<Result<_, _>>()?
        });
        // Byte order on both backends, whatever PostgreSQL's collation.
        jobs.sort_by(|a, b| (&a.name, a.created_at, a.id).cmp(&(&b.name, b.created_at, b.id)));
        Ok(jobs)
    }

    /// Cancels a scheduled job. A running job cannot be cancelled (conflict); a finished one is
    /// left as it is (conflict).
    pub async fn cancel_job(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<JobRow, StoreError> {
        let sql = format!(
            "UPDATE jobs SET status = 'cancelled', next_run_at = NULL, updated_at = $2 \
             WHERE id = $1 AND status = 'scheduled' RETURNING {JOB_COLUMNS}"
        );
        let key = id.to_string();
        let updated = with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .bind(ts(at))
                .fetch_optional(&mut *conn)
                .await?
                .map(|row| job_from_row(&row))
                .transpose()?
        });
        if let Some(job) = updated {
            return Ok(job);
        }
        let job = self.get_job(id).await?;
        Err(StoreError::Conflict(format!(
            "工作狀態為 {}，無法取消 / the job is {} and cannot be cancelled",
            job.status.as_str(),
            job.status.as_str()
        )))
    }

    /// Claims up to `limit` due jobs for `worker` until `now + lease`, opening a run for each.
    /// A job whose previous lease expired gets its abandoned run closed as `lease_expired`.
    pub async fn claim_due_jobs(
        &mut self,
        now: DateTime<Utc>,
        worker: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        if lease <= Duration::zero() {
            return Err(StoreError::InvalidData(
                "租約須為正 / a lease must be positive".to_owned(),
            ));
        }
        let now = ts(now);
        let expires = ts(now + lease);
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let sql_claim = format!(
            "UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = $2, \
                 lease_expires_at = $3, updated_at = $1 \
             WHERE id IN ( \
                 SELECT id FROM jobs \
                 WHERE (status = 'scheduled' AND next_run_at <= $1) \
                    OR (status = 'running' AND lease_expires_at <= $1) \
                 ORDER BY next_run_at, id LIMIT $4 {lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        let sql_expire = "UPDATE job_runs SET outcome = 'lease_expired', finished_at = $2, \
             error = 'lease expired before the worker reported' WHERE id = $1 AND outcome = 'running'";
        let sql_run = format!(
            "INSERT INTO job_runs (job_id, attempt, scheduled_for, worker, started_at, outcome) \
             VALUES ($1, $2, $3, $4, $5, 'running') RETURNING {RUN_COLUMNS}"
        );
        let sql_lease = "UPDATE jobs SET lease_run_id = $2 WHERE id = $1";
        with_conn!(self, conn => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql_claim))
                .bind(now)
                .bind(worker)
                .bind(expires)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
            let mut claimed = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut job = job_from_row(row)?;
                if let Some(abandoned) = job.lease_run_id {
                    sqlx::query(sql_expire)
                        .bind(abandoned)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                }
                let scheduled_for = job.next_run_at.ok_or_else(|| {
                    corrupt("next_run_at", &"a claimed job has no due time")
                })?;
                let run = sqlx::query(sqlx::AssertSqlSafe(sql_run.clone()))
                    .bind(job.id.to_string())
                    .bind(job.attempt)
                    .bind(scheduled_for)
                    .bind(worker)
                    .bind(now)
                    .fetch_one(&mut *conn)
                    .await?;
                let run = run_from_row(&run)?;
                sqlx::query(sql_lease)
                    .bind(job.id.to_string())
                    .bind(run.id)
                    .execute(&mut *conn)
                    .await?;
                job.lease_run_id = Some(run.id);
                claimed.push(ClaimedJob { job, run });
            }
            claimed.sort_by_key(|c| (c.job.next_run_at, c.job.id));
            Ok(claimed)
        })
    }

    /// Records the end of run `run_id` of job `job_id` and moves the job on (see the module
    /// docs). Fails with a conflict when the run no longer holds the job's lease.
    pub async fn finish_run(
        &mut self,
        job_id: Uuid,
        run_id: i64,
        at: DateTime<Utc>,
        result: &RunResult,
    ) -> Result<JobRow, StoreError> {
        let at = ts(at);
        let job = self.get_job(job_id).await?;
        if job.status != JobStatus::Running || job.lease_run_id != Some(run_id) {
            return Err(StoreError::Conflict(format!(
                "此執行已失去租約（工作已由其他執行接手） / run {run_id} no longer holds the lease of job {job_id}"
            )));
        }
        let scheduled_for = job
            .next_run_at
            .ok_or_else(|| corrupt("next_run_at", &"a running job has no due time"))?;
        let (outcome, error) = match result {
            RunResult::Succeeded => (RunOutcome::Succeeded, None),
            RunResult::Failed { error, .. } => (RunOutcome::Failed, Some(error.as_str())),
        };
        // (status, next_run_at, attempt) after this run.
        let (status, next, attempt) = match (result, job.kind) {
            (RunResult::Failed { retry_at, .. }, _) if job.attempt < job.max_attempts => {
                (JobStatus::Scheduled, Some(ts(*retry_at)), job.attempt)
            }
            (_, JobKind::Periodic { interval }) => (
                JobStatus::Scheduled,
                Some(next_occurrence(scheduled_for, interval, at)),
                0,
            ),
            (RunResult::Succeeded, JobKind::OneOff) => (JobStatus::Succeeded, None, job.attempt),
            (RunResult::Failed { .. }, JobKind::OneOff) => (JobStatus::Failed, None, job.attempt),
        };
        let sql_run =
            "UPDATE job_runs SET outcome = $2, finished_at = $3, error = $4 WHERE id = $1";
        let sql_job = format!(
            "UPDATE jobs SET status = $2, next_run_at = $3, attempt = $4, lease_owner = NULL, \
                 lease_run_id = NULL, lease_expires_at = NULL, updated_at = $5 \
             WHERE id = $1 AND lease_run_id = $6 RETURNING {JOB_COLUMNS}"
        );
        let key = job_id.to_string();
        with_conn!(self, conn => {
            sqlx::query(sql_run)
                .bind(run_id)
                .bind(outcome.as_str())
                .bind(at)
                .bind(error)
                .execute(&mut *conn)
                .await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql_job))
                .bind(&key)
                .bind(status.as_str())
                .bind(next)
                .bind(attempt)
                .bind(at)
                .bind(run_id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::Conflict(format!(
                    "此執行已失去租約 / run {run_id} lost the lease of job {job_id}"
                )))?;
            job_from_row(&row)
        })
    }

    /// The runs of one job, oldest first.
    pub async fn list_job_runs(&mut self, job_id: Uuid) -> Result<Vec<JobRunRow>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM job_runs WHERE job_id = $1 ORDER BY id");
        let key = job_id.to_string();
        with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(run_from_row)
                .collect()
        })
    }

    /// The latest `limit` runs of all jobs, newest first (for the run-history page).
    pub async fn recent_job_runs(&mut self, limit: u32) -> Result<Vec<JobRunRow>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM job_runs ORDER BY id DESC LIMIT $1");
        with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(run_from_row)
                .collect()
        })
    }
}

database_methods! {
    /// See [`Tx::insert_job`].
    write fn insert_job(&self, new: &NewJob) -> (JobRow, bool);
    /// See [`Tx::get_job`].
    read fn get_job(&self, id: Uuid) -> JobRow;
    /// See [`Tx::list_jobs`].
    read fn list_jobs(&self) -> Vec<JobRow>;
    /// See [`Tx::cancel_job`].
    write fn cancel_job(&self, id: Uuid, at: DateTime<Utc>) -> JobRow;
    /// See [`Tx::claim_due_jobs`].
    write fn claim_due_jobs(&self, now: DateTime<Utc>, worker: &str, lease: Duration, limit: u32) -> Vec<ClaimedJob>;
    /// See [`Tx::finish_run`].
    write fn finish_run(&self, job_id: Uuid, run_id: i64, at: DateTime<Utc>, result: &RunResult) -> JobRow;
    /// See [`Tx::list_job_runs`].
    read fn list_job_runs(&self, job_id: Uuid) -> Vec<JobRunRow>;
    /// See [`Tx::recent_job_runs`].
    read fn recent_job_runs(&self, limit: u32) -> Vec<JobRunRow>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_next_occurrence_stays_on_the_grid_and_skips_missed_ones() {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 2, 0, 0).unwrap();
        let day = Duration::days(1);
        // Finished the same night: next day 02:00.
        assert_eq!(
            next_occurrence(t0, day, t0 + Duration::minutes(5)),
            t0 + day
        );
        // Down for three and a half days: one run now, next on the grid.
        assert_eq!(
            next_occurrence(t0, day, t0 + Duration::hours(84)),
            t0 + Duration::days(4)
        );
        // Exactly on a grid point: the following one.
        assert_eq!(next_occurrence(t0, day, t0 + day), t0 + Duration::days(2));
        // A clock behind the schedule still moves forward one step.
        assert_eq!(next_occurrence(t0, day, t0 - Duration::hours(1)), t0 + day);
    }
}
