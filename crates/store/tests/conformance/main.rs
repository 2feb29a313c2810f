//! The storage conformance suite: every behaviour is written once as an `async fn(&Database)` and
//! run on both backends by [`conformance!`], as `sqlite::NAME` and `postgres::NAME`.
//!
//! ```text
//! cargo test -p custos-store --test conformance sqlite::
//! ```text
//! cargo test -p custos-store --test conformance postgres::
//! ```
//!
//! print the same count. PostgreSQL comes from `CUSTOS_TEST_POSTGRES_URL` or a throwaway cluster
//! (see `custos_testkit::db`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::case_sensitive_file_extension_comparisons,
    reason = "tests; sqlx itself matches migration files by the exact suffix .sql"
)]

mod common;
mod jobs;
mod organisation;

use custos_store::{Backend, Database, migrations::migration_names};

/// Instantiates each behaviour for both backends.
macro_rules! conformance {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = custos_testkit::db::TestDb::sqlite().await;
                    crate::$module::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = custos_testkit::db::TestDb::postgres().await else {
                        return;
                    };
                    crate::$module::$name(&db).await;
                }
            )*
        }
    };
}

conformance! {
    basics::migrations_are_complete_and_idempotent,
    basics::ping_answers_and_the_backend_is_reported,
    organisation::an_institution_reads_back_as_inserted,
    organisation::institutions_are_listed_by_code,
    organisation::a_duplicate_institution_code_is_a_conflict,
    organisation::an_unknown_institution_is_not_found,
    organisation::invalid_institution_data_is_rejected,
    organisation::institution_details_can_be_changed,
    organisation::every_profile_change_is_recorded,
    organisation::a_stale_profile_change_is_a_conflict,
    organisation::the_org_unit_tree_reads_back_in_code_order,
    organisation::an_institution_has_one_head_office,
    organisation::a_parent_unit_belongs_to_the_same_institution,
    organisation::a_unit_moves_with_its_subtree_but_never_under_itself,
    organisation::an_unknown_org_unit_is_not_found,
    organisation::a_dropped_transaction_leaves_no_trace,
    organisation::a_committed_transaction_keeps_all_its_changes,
    organisation::timestamps_keep_microseconds,
    jobs::a_job_is_claimed_only_when_due,
    jobs::a_successful_one_off_job_ends_succeeded,
    jobs::an_expired_lease_makes_the_job_due_again,
    jobs::a_failed_run_is_retried_until_its_attempts_run_out,
    jobs::a_periodic_job_reschedules_on_its_grid,
    jobs::a_failing_periodic_job_waits_for_its_next_occurrence,
    jobs::an_idempotency_key_schedules_a_job_once,
    jobs::a_scheduled_job_can_be_cancelled_but_not_a_running_one,
    jobs::claims_take_the_earliest_due_jobs_up_to_the_limit,
    jobs::concurrent_workers_never_claim_the_same_job,
    jobs::invalid_jobs_are_rejected,
}

mod basics {
    use custos_store::{Database, migrations::migration_names};

    pub async fn migrations_are_complete_and_idempotent(db: &Database) {
        db.migrate().await.expect("a second migrate is a no-op");
        let applied = db.applied_migrations().await.unwrap();
        let expected: Vec<i64> = migration_names(db.backend())
            .iter()
            .map(|name| name.split('_').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(applied, expected);
    }

    pub async fn ping_answers_and_the_backend_is_reported(db: &Database) {
        db.ping().await.unwrap();
        let name = db.backend().as_str();
        assert!(name == "sqlite" || name == "postgres");
        assert_eq!(db.backend().to_string(), name);
    }
}

#[test]
fn both_backends_have_migrations_of_the_same_names_and_all_are_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let list = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    };
    let sqlite = list("sqlite");
    assert_eq!(sqlite, list("postgres"), "migration file names differ");
    assert_eq!(sqlite, migration_names(Backend::Sqlite), "embedded list");
    assert_eq!(sqlite, migration_names(Backend::Postgres), "embedded list");
    for name in &sqlite {
        let (version, rest) = name.split_once('_').unwrap();
        assert_eq!(version.len(), 4, "{name}: four-digit version");
        assert!(version.parse::<u32>().unwrap() > 0, "{name}");
        assert!(rest.ends_with(".sql"));
    }
}

#[tokio::test]
async fn a_bad_database_url_is_a_configuration_error() {
    let err = Database::connect("mysql://x", custos_store::ConnectOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, custos_store::StoreError::Config(_)), "{err}");
    let err = Database::connect("  ", custos_store::ConnectOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, custos_store::StoreError::Config(_)), "{err}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_unavailable() {
    let opts = custos_store::ConnectOptions {
        acquire_timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    // Port 1 on loopback: nothing listens there.
    let err = Database::connect("postgres://nobody@127.0.0.1:1/none", opts)
        .await
        .unwrap_err();
    assert!(
        matches!(err, custos_store::StoreError::Unavailable(_)),
        "{err}"
    );
}

#[tokio::test]
async fn a_sqlite_url_and_a_plain_path_open_the_same_kind_of_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Database::connect(&url, custos_store::ConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    db.migrate().await.unwrap();
    db.close().await;
    let db = Database::connect(
        &path.to_string_lossy(),
        custos_store::ConnectOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        db.applied_migrations().await.unwrap().len(),
        migration_names(Backend::Sqlite).len()
    );
}
