//! Errors of the use cases.

use custos_store::StoreError;

/// An error of a use case. Messages are bilingual: zh-TW first, English second.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request breaks a rule of the domain (maps to 422).
    #[error("{0}")]
    Rule(String),
    /// Storage failed or refused (see [`StoreError`] for its kinds).
    #[error(transparent)]
    Store(#[from] StoreError),
}
