//! The durable job tables: due/not due, leases, retries, periodic rescheduling, idempotency keys,
//! run history. Times are fixed instants (the scheduler's clock is tested in `custos-app`).

use chrono::Duration;
use custos_store::{Database, JobKind, JobStatus, NewJob, RunOutcome, RunResult, StoreError};

use crate::common::{at, id};

fn one_off(n: u128, run_at: i64) -> NewJob {
    NewJob {
        id: id(n),
        name: "reminder".to_owned(),
        kind: JobKind::OneOff,
        payload: serde_json::json!({ "n": n as u64 }),
        idempotency_key: None,
        run_at: at(run_at),
        max_attempts: 3,
        created_at: at(0),
    }
}

fn periodic(n: u128, run_at: i64, every: Duration) -> NewJob {
    NewJob {
        name: "access_review".to_owned(),
        kind: JobKind::Periodic { interval: every },
        ..one_off(n, run_at)
    }
}

const LEASE: i64 = 60;

fn lease() -> Duration {
    Duration::seconds(LEASE)
}

pub async fn a_job_is_claimed_only_when_due(db: &Database) {
    let (job, created) = db.insert_job(&one_off(1, 100)).await.unwrap();
    assert!(created);
    assert_eq!(job.status, JobStatus::Scheduled);
    assert_eq!(job.next_run_at, Some(at(100)));
    assert_eq!(job.attempt, 0);
    assert_eq!(job.max_attempts, 3);
    assert_eq!(job.payload, serde_json::json!({ "n": 1 }));
    assert_eq!(db.get_job(job.id).await.unwrap(), job);
    assert!(
        db.claim_due_jobs(at(99), "w1", lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = db.claim_due_jobs(at(100), "w1", lease(), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let claim = &claimed[0];
    assert_eq!(claim.job.status, JobStatus::Running);
    assert_eq!(claim.job.attempt, 1);
    assert_eq!(claim.job.lease_owner.as_deref(), Some("w1"));
    assert_eq!(claim.job.lease_expires_at, Some(at(100 + LEASE)));
    assert_eq!(claim.job.lease_run_id, Some(claim.run.id));
    assert_eq!(claim.run.job_id, job.id);
    assert_eq!(claim.run.attempt, 1);
    assert_eq!(claim.run.scheduled_for, at(100));
    assert_eq!(claim.run.started_at, at(100));
    assert_eq!(claim.run.worker, "w1");
    assert_eq!(claim.run.outcome, RunOutcome::Running);
    assert_eq!(claim.run.finished_at, None);
    assert_eq!(db.get_job(job.id).await.unwrap(), claim.job);
    // While the lease holds, nobody else gets it.
    assert!(
        db.claim_due_jobs(at(100 + LEASE - 1), "w2", lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_successful_one_off_job_ends_succeeded(db: &Database) {
    let (job, _) = db.insert_job(&one_off(1, 100)).await.unwrap();
    let claim = db
        .claim_due_jobs(at(100), "w1", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    let done = db
        .finish_run(job.id, claim.run.id, at(105), &RunResult::Succeeded)
        .await
        .unwrap();
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.next_run_at, None);
    assert_eq!(done.lease_owner, None);
    assert_eq!(done.lease_run_id, None);
    assert_eq!(done.lease_expires_at, None);
    assert_eq!(done.updated_at, at(105));
    let runs = db.list_job_runs(job.id).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, RunOutcome::Succeeded);
    assert_eq!(runs[0].finished_at, Some(at(105)));
    assert_eq!(runs[0].error, None);
    assert!(
        db.claim_due_jobs(at(10_000), "w1", lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Finishing twice is refused: the run no longer holds a lease.
    let err = db
        .finish_run(job.id, claim.run.id, at(106), &RunResult::Succeeded)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

pub async fn an_expired_lease_makes_the_job_due_again(db: &Database) {
    let (job, _) = db.insert_job(&one_off(1, 100)).await.unwrap();
    let first = db
        .claim_due_jobs(at(100), "crashed", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    let second = db
        .claim_due_jobs(at(100 + LEASE), "w2", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(second.job.id, job.id);
    assert_eq!(second.job.attempt, 2);
    assert_eq!(second.run.attempt, 2);
    assert_eq!(second.run.scheduled_for, at(100), "the same occurrence");
    assert_eq!(second.job.lease_owner.as_deref(), Some("w2"));
    // The crashed worker comes back too late: its result is not recorded.
    let err = db
        .finish_run(job.id, first.run.id, at(170), &RunResult::Succeeded)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    db.finish_run(job.id, second.run.id, at(171), &RunResult::Succeeded)
        .await
        .unwrap();
    let runs = db.list_job_runs(job.id).await.unwrap();
    let outcomes: Vec<RunOutcome> = runs.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [RunOutcome::LeaseExpired, RunOutcome::Succeeded]);
    assert_eq!(runs[0].finished_at, Some(at(100 + LEASE)));
    assert!(runs[0].error.is_some());
    assert_eq!(runs[0].worker, "crashed");
}

pub async fn a_failed_run_is_retried_until_its_attempts_run_out(db: &Database) {
    let mut new = one_off(1, 100);
    new.max_attempts = 2;
    let (job, _) = db.insert_job(&new).await.unwrap();
    let claim = db
        .claim_due_jobs(at(100), "w", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    let failed = RunResult::Failed {
        error: "registry unreachable".into(),
        retry_at: at(200),
    };
    let after = db
        .finish_run(job.id, claim.run.id, at(101), &failed)
        .await
        .unwrap();
    assert_eq!(after.status, JobStatus::Scheduled);
    assert_eq!(after.next_run_at, Some(at(200)));
    assert_eq!(after.attempt, 1);
    assert!(
        db.claim_due_jobs(at(199), "w", lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let claim = db
        .claim_due_jobs(at(200), "w", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(claim.run.attempt, 2);
    let last = RunResult::Failed {
        error: "still unreachable".into(),
        retry_at: at(300),
    };
    let after = db
        .finish_run(job.id, claim.run.id, at(201), &last)
        .await
        .unwrap();
    assert_eq!(after.status, JobStatus::Failed);
    assert_eq!(after.next_run_at, None);
    assert!(
        db.claim_due_jobs(at(10_000), "w", lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let errors: Vec<Option<String>> = db
        .list_job_runs(job.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.error)
        .collect();
    assert_eq!(
        errors,
        [
            Some("registry unreachable".to_owned()),
            Some("still unreachable".to_owned())
        ]
    );
}

pub async fn a_periodic_job_reschedules_on_its_grid(db: &Database) {
    let hour = Duration::hours(1);
    let (job, _) = db.insert_job(&periodic(1, 0, hour)).await.unwrap();
    assert_eq!(job.kind, JobKind::Periodic { interval: hour });
    let claim = db
        .claim_due_jobs(at(10), "w", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    let after = db
        .finish_run(job.id, claim.run.id, at(20), &RunResult::Succeeded)
        .await
        .unwrap();
    assert_eq!(after.status, JobStatus::Scheduled);
    assert_eq!(after.next_run_at, Some(at(3600)));
    assert_eq!(after.attempt, 0);
    // Down for three hours: one run for the missed occurrences, then back on the grid.
    let claim = db
        .claim_due_jobs(at(3 * 3600 + 5), "w", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(claim.run.scheduled_for, at(3600));
    assert_eq!(claim.run.attempt, 1);
    let after = db
        .finish_run(
            job.id,
            claim.run.id,
            at(3 * 3600 + 6),
            &RunResult::Succeeded,
        )
        .await
        .unwrap();
    assert_eq!(after.next_run_at, Some(at(4 * 3600)));
    assert_eq!(db.list_job_runs(job.id).await.unwrap().len(), 2);
}

pub async fn a_failing_periodic_job_waits_for_its_next_occurrence(db: &Database) {
    let mut new = periodic(1, 0, Duration::hours(1));
    new.max_attempts = 1;
    let (job, _) = db.insert_job(&new).await.unwrap();
    let claim = db
        .claim_due_jobs(at(0), "w", lease(), 10)
        .await
        .unwrap()
        .remove(0);
    let after = db
        .finish_run(
            job.id,
            claim.run.id,
            at(5),
            &RunResult::Failed {
                error: "boom".into(),
                retry_at: at(35),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        after.status,
        JobStatus::Scheduled,
        "a periodic job never dies"
    );
    assert_eq!(after.next_run_at, Some(at(3600)));
    assert_eq!(after.attempt, 0);
}

pub async fn an_idempotency_key_schedules_a_job_once(db: &Database) {
    let mut first = one_off(1, 100);
    first.idempotency_key = Some("dormancy:2025-06".into());
    let (job, created) = db.insert_job(&first).await.unwrap();
    assert!(created);
    let mut again = one_off(2, 500);
    again.idempotency_key = Some("dormancy:2025-06".into());
    let (same, created) = db.insert_job(&again).await.unwrap();
    assert!(!created);
    assert_eq!(same, job);
    // Jobs without a key never collide.
    db.insert_job(&one_off(3, 100)).await.unwrap();
    db.insert_job(&one_off(4, 100)).await.unwrap();
    assert_eq!(db.list_jobs().await.unwrap().len(), 3);
    // The same id is a conflict, not a silent duplicate.
    let err = db.insert_job(&one_off(3, 100)).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

pub async fn a_scheduled_job_can_be_cancelled_but_not_a_running_one(db: &Database) {
    let (a, _) = db.insert_job(&one_off(1, 100)).await.unwrap();
    let (b, _) = db.insert_job(&one_off(2, 100)).await.unwrap();
    let cancelled = db.cancel_job(a.id, at(50)).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(cancelled.next_run_at, None);
    let claimed = db.claim_due_jobs(at(100), "w", lease(), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].job.id, b.id);
    let err = db.cancel_job(b.id, at(101)).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let err = db.cancel_job(a.id, at(101)).await.unwrap_err();
    assert!(err.is_conflict(), "already cancelled: {err}");
    let err = db.cancel_job(id(9), at(101)).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

pub async fn claims_take_the_earliest_due_jobs_up_to_the_limit(db: &Database) {
    for (n, due) in [(1, 30), (2, 10), (3, 20), (4, 500)] {
        db.insert_job(&one_off(n, due)).await.unwrap();
    }
    let claimed = db.claim_due_jobs(at(100), "w", lease(), 2).await.unwrap();
    let ids: Vec<_> = claimed.iter().map(|c| c.job.id).collect();
    assert_eq!(ids, [id(2), id(3)]);
    let claimed = db.claim_due_jobs(at(100), "w", lease(), 2).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].job.id, id(1));
    let recent = db.recent_job_runs(2).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].job_id, id(1), "newest first");
    assert!(recent[0].id > recent[1].id);
    assert_eq!(db.recent_job_runs(10).await.unwrap().len(), 3);
    let jobs = db.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 4);
}

pub async fn concurrent_workers_never_claim_the_same_job(db: &Database) {
    for n in 1..=24 {
        db.insert_job(&one_off(n, 0)).await.unwrap();
    }
    let worker = |name: &'static str| {
        let db = db.clone();
        async move {
            let mut mine = Vec::new();
            loop {
                let claimed = db.claim_due_jobs(at(1), name, lease(), 3).await.unwrap();
                if claimed.is_empty() {
                    break mine;
                }
                mine.extend(claimed.into_iter().map(|c| c.job.id));
            }
        }
    };
    let (a, b, c, d) = tokio::join!(worker("a"), worker("b"), worker("c"), worker("d"));
    let mut all: Vec<_> = [a, b, c, d].concat();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a job was claimed twice");
    assert_eq!(all.len(), 24);
}

pub async fn invalid_jobs_are_rejected(db: &Database) {
    let mut blank = one_off(1, 0);
    blank.name = " ".into();
    let mut no_attempts = one_off(2, 0);
    no_attempts.max_attempts = 0;
    let zero_interval = periodic(3, 0, Duration::zero());
    let fractional = periodic(4, 0, Duration::milliseconds(1500));
    for new in [blank, no_attempts, zero_interval, fractional] {
        let err = db.insert_job(&new).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    }
    let err = db
        .claim_due_jobs(at(0), "w", Duration::zero(), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidData(_)), "{err}");
    assert!(db.list_jobs().await.unwrap().is_empty());
    let err = db.get_job(id(1)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { entity: "job", .. }),
        "{err}"
    );
    let err = db
        .finish_run(id(1), 1, at(0), &RunResult::Succeeded)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(db.list_job_runs(id(1)).await.unwrap().is_empty());
}
