//! The migrations of each backend, embedded in the binary.
//!
//! Invariants (checked by the conformance suite):
//! - `migrations/sqlite/` and `migrations/postgres/` hold the same file names, so the two schemas
//!   cannot drift apart silently;
//! - every file in those directories is listed here (so a forgotten line fails a test, not a
//!   deployment).
//!
//! Files are named `NNNN_description.sql` as sqlx expects. 0001–0099 belong to the organisation
//! model and the scheduler; 0100 onwards to the ledger. A file whose text starts with
//! `-- no-transaction` runs outside a transaction.
//!
//! Why not `sqlx::migrate!`: that macro needs sqlx's `macros` feature, which compiles both database
//! drivers (and the bundled SQLite C library) a second time for the proc-macro host. An explicit list
//! of `include_str!`s gives the same embedded migrations and the same checksums (sqlx computes them in
//! [`Migration::new`]).

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::database::Backend;

macro_rules! embed {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../migrations/", $dir, "/", $file)))),*]
    };
}

const SQLITE: &[(&str, &str)] = embed!("sqlite": "0001_organisation.sql", "0002_jobs.sql", "0100_ledger.sql", "0101_ledger_refs.sql", "0102_ledger_verifications.sql");
const POSTGRES: &[(&str, &str)] = embed!("postgres": "0001_organisation.sql", "0002_jobs.sql", "0100_ledger.sql", "0101_ledger_refs.sql", "0102_ledger_verifications.sql");

/// The embedded migration file names of `backend`, ascending.
pub fn migration_names(backend: Backend) -> Vec<&'static str> {
    files(backend).iter().map(|(name, _)| *name).collect()
}

fn files(backend: Backend) -> &'static [(&'static str, &'static str)] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

pub(crate) fn sqlite() -> Migrator {
    migrator(Backend::Sqlite)
}

pub(crate) fn postgres() -> Migrator {
    migrator(Backend::Postgres)
}

fn migrator(backend: Backend) -> Migrator {
    let migrations = files(backend)
        .iter()
        .map(|(name, sql)| {
            let (version, rest) = name.split_once('_').unwrap_or((name, name));
            // The names are compile-time constants checked by the conformance suite; a bad one is
            // a build mistake, reported as version 0 which sorts first and fails loudly.
            let version = version.parse::<i64>().unwrap_or(0);
            let description = rest.trim_end_matches(".sql").replace('_', " ");
            Migration::new(
                version,
                Cow::Owned(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                sql.starts_with("-- no-transaction"),
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_name_has_a_positive_version_and_both_backends_agree() {
        assert_eq!(
            migration_names(Backend::Sqlite),
            migration_names(Backend::Postgres)
        );
        for m in sqlite().iter() {
            assert!(m.version > 0, "{}", m.description);
        }
    }
}
