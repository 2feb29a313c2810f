//! Custos storage port with SQLite and PostgreSQL implementations.
//!
//! [`Database`] is the one handle to storage: it picks the backend from the URL
//! ([`Database::connect`]), applies the embedded migrations of that backend ([`Database::migrate`])
//! and offers every repository method twice — on [`Tx`] (compose several changes in one
//! transaction) and on [`Database`] (each call its own transaction). The same behaviour is checked
//! on both backends by one conformance suite (`tests/conformance.rs`). See
//! `docs/adr/0001-two-backends.md`.
//!
//! # Adding a table or a method
//! 1. Write `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql` (same name;
//!    0001–0099 organisation and jobs, 0100+ ledger) and add the name to both lists in
//!    [`migrations`]. The suite fails if the names, the embedded lists or the resulting columns
//!    differ between the backends.
//! 2. Write the method once on [`Tx`], with `with_conn!` running the same SQL (`$1` placeholders)
//!    on either connection; decode rows through the crate's `RowExt`.
//! 3. Add a one-line `Database` wrapper to the module's `database_methods!` block (`write` opens a
//!    `BEGIN IMMEDIATE` transaction on SQLite, `read` a deferred one).
//! 4. Add a behaviour to `tests/conformance/` and list it in `conformance!`.
//! 5. PostgreSQL role split ([`roles`], ADR 0104): the application role gets full DML on a new
//!    table, or only `SELECT, INSERT` on a new `ledger_*` table; change
//!    [`roles::application_privileges`] if it needs otherwise.
//!
//! Invariants: SQL lives only in this crate; timestamps are stored with microsecond precision in
//! UTC; ids are application-generated UUIDs (stored as text on both backends) except for history
//! rows, which are numbered by the database.

pub mod database;
pub mod error;
pub mod jobs;
pub mod ledger;
pub mod ledger_refs;
pub mod ledger_verifications;
pub mod migrations;
pub mod organisation;
pub mod roles;
mod row;

pub use database::{Backend, ConnectOptions, Database, SchemaColumn, Tx};
pub use error::StoreError;
pub use jobs::{ClaimedJob, JobKind, JobRow, JobRunRow, JobStatus, NewJob, RunOutcome, RunResult};
pub use organisation::{
    InstitutionRow, NewInstitution, NewOrgUnit, OrgUnitRow, OrgUnitTree, ProfileChangeRow,
    ProfileUpdate,
};
