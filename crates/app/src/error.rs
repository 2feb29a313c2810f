//! Errors of the use cases.

use custos_domain::institution::OrgError;
use custos_domain::profile::ProfileError;
use custos_store::StoreError;

/// An error of a use case. Messages are bilingual: zh-TW first, English second.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request breaks a rule of the use case (maps to 422).
    #[error("{0}")]
    Rule(String),
    /// A proposed control profile breaks a profile rule, e.g. loosens a seed minimum (J0.4; 422).
    #[error("{0}")]
    Profile(#[from] ProfileError),
    /// The organisation tree would become invalid (422).
    #[error("{0}")]
    Organisation(#[from] OrgError),
    /// Storage failed or refused (see [`StoreError`] for its kinds and their statuses).
    #[error(transparent)]
    Store(#[from] StoreError),
}
