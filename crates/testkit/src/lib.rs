//! Custos test harness: databases, servers, fake clock, fixtures.
//!
//! [`db::TestDb`] gives each test a fresh, migrated database on either backend.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness fails the test by panicking, with a message saying what went wrong"
)]

pub mod db;

/// Runs each named `async fn NAME(db: &TestDb)` of the calling test file on both backends:
/// expands to `mod sqlite` and `mod postgres` with one `#[tokio::test]` per name (PostgreSQL
/// tests return early when `CUSTOS_TEST_POSTGRES_URL` is unset, see [`db::TestDb::postgres`]).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::db::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::db::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}
