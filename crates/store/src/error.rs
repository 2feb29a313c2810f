//! Errors of the storage layer, as data.
//!
//! Every database failure is sorted into one of a few kinds so that callers can answer correctly:
//! a missing row is "not found", a unique violation is a "conflict", a rejected constraint is
//! "invalid data", a lost connection is "unavailable" — and anything else is an internal database
//! error. The web layer maps these to 404 / 409 / 422 / 503 / 500 and never to 400.

/// An error from the storage layer. Messages are bilingual: zh-TW first, English second.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The requested row does not exist.
    #[error("找不到資料：{entity} {key} / not found: {entity} {key}")]
    NotFound {
        /// What was looked up (`institution`, `org_unit`, `job` …).
        entity: &'static str,
        /// The key that was looked up.
        key: String,
    },
    /// A unique constraint or a concurrent change prevented the write.
    #[error("資料衝突：{0} / conflict: {0}")]
    Conflict(String),
    /// The data was rejected by a check, foreign-key or not-null constraint, or by a store-level rule.
    #[error("資料無效：{0} / invalid data: {0}")]
    InvalidData(String),
    /// The database could not be reached (connection refused, pool timed out, locked too long).
    #[error("資料庫無法使用：{0} / database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database URL or connection options are wrong.
    #[error("資料庫設定錯誤：{0} / database configuration error: {0}")]
    Config(String),
    /// Applying the migrations failed.
    #[error("資料庫結構遷移失敗：{0} / migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (a corrupt or foreign row).
    #[error("資料庫內容損毀：{0} / corrupt stored data: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error("資料庫錯誤：{0} / database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// A not-found error for `entity` with `key`.
    pub fn not_found(entity: &'static str, key: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            key: key.into(),
        }
    }

    /// True for [`StoreError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// True for [`StoreError::Conflict`].
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict(_))
    }
}

/// SQLSTATEs that mean "retry: another transaction got in the way" (PostgreSQL).
const PG_SERIALIZATION_FAILURE: &str = "40001";
const PG_DEADLOCK: &str = "40P01";
/// PostgreSQL: too many connections / cannot connect now / admin shutdown.
const PG_UNAVAILABLE: [&str; 4] = ["53300", "57P01", "57P03", "08006"];
/// SQLite primary result codes for a locked database (after `busy_timeout`).
const SQLITE_BUSY: &str = "5";
const SQLITE_LOCKED: &str = "6";

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match err {
            sqlx::Error::RowNotFound => Self::NotFound {
                entity: "row",
                key: String::new(),
            },
            sqlx::Error::Database(ref db) => {
                let code = db
                    .code()
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_default();
                match db.kind() {
                    ErrorKind::UniqueViolation | ErrorKind::ExclusionViolation => {
                        Self::Conflict(db.message().to_owned())
                    }
                    ErrorKind::ForeignKeyViolation
                    | ErrorKind::NotNullViolation
                    | ErrorKind::CheckViolation => Self::InvalidData(db.message().to_owned()),
                    _ if code == PG_SERIALIZATION_FAILURE || code == PG_DEADLOCK => {
                        Self::Conflict(db.message().to_owned())
                    }
                    _ if PG_UNAVAILABLE.contains(&code.as_str())
                        || code == SQLITE_BUSY
                        || code == SQLITE_LOCKED
                        || code.starts_with("08") =>
                    {
                        Self::Unavailable(err)
                    }
                    _ => Self::Database(err),
                }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::BeginFailed => Self::Unavailable(err),
            sqlx::Error::Configuration(e) => Self::Config(e.to_string()),
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::TypeNotFound { .. } => Self::Corrupt(err.to_string()),
            other => Self::Database(other),
        }
    }
}
