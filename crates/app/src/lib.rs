//! Custos use cases: each one atomic unit of work with its ledger entry.
//!
//! Time and ids are injected ([`custos_domain::clock::Clock`], [`ids::IdGenerator`]); each use case
//! opens one transaction, applies the domain rules and commits. Modules: [`organisation`]
//! (institutions, org units, control profiles), [`jobs`] (the durable scheduler), [`ledger`] (the group-commit write path,
//! ledger keys, checkpoints), [`ledger_checks`] (the start-up check, the export of the stored
//! ledger, the full verification), [`ledger_proofs`] (read-only ledger queries and proofs), [`ids`].

pub mod error;
pub mod ids;
pub mod jobs;
pub mod ledger;
pub mod ledger_bench;
pub mod ledger_checks;
pub mod ledger_keys;
pub mod ledger_proofs;
pub mod organisation;

pub use error::AppError;
