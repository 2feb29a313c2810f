//! Custos storage port with SQLite and PostgreSQL implementations.
//!
//! [`Database`] is the one handle to storage: it picks the backend from the URL
//! ([`Database::connect`]), applies the embedded migrations of that backend ([`Database::migrate`])
//! and offers every repository method twice — on [`Tx`] (compose several changes in one
//! transaction) and on [`Database`] (each call its own transaction). The same behaviour is checked
//! on both backends by one conformance suite (`tests/conformance.rs`). See
//! `docs/adr/0001-two-backends.md`.
//!
//! Invariants: SQL lives only in this crate; timestamps are stored with microsecond precision in
//! UTC; ids are application-generated UUIDs (stored as text on both backends) except for history
//! rows, which are numbered by the database.

pub mod database;
pub mod error;
pub mod jobs;
pub mod ledger;
pub mod migrations;
pub mod organisation;
mod row;

pub use database::{Backend, ConnectOptions, Database, Tx};
pub use error::StoreError;
pub use jobs::{ClaimedJob, JobKind, JobRow, JobRunRow, JobStatus, NewJob, RunOutcome, RunResult};
pub use organisation::{
    InstitutionRow, NewInstitution, NewOrgUnit, OrgUnitRow, OrgUnitTree, ProfileChangeRow,
    ProfileUpdate,
};
