//! Reading columns from a row of either backend, with decode failures reported as
//! [`StoreError::Corrupt`] naming the column.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::Row;
use uuid::Uuid;

use crate::error::StoreError;

/// Column access shared by `SqliteRow` and `PgRow`.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError>;
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError>;

    fn uuid(&self, col: &str) -> Result<Uuid, StoreError> {
        let text = self.text(col)?;
        Uuid::parse_str(&text).map_err(|e| corrupt(col, &e))
    }

    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>, StoreError> {
        self.opt_text(col)?
            .map(|text| Uuid::parse_str(&text).map_err(|e| corrupt(col, &e)))
            .transpose()
    }

    fn json(&self, col: &str) -> Result<serde_json::Value, StoreError> {
        let text = self.text(col)?;
        serde_json::from_str(&text).map_err(|e| corrupt(col, &e))
    }

    fn opt_json(&self, col: &str) -> Result<Option<serde_json::Value>, StoreError> {
        self.opt_text(col)?
            .map(|text| serde_json::from_str(&text).map_err(|e| corrupt(col, &e)))
            .transpose()
    }
}

pub(crate) fn corrupt(col: &str, err: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {col}: {err}"))
}

macro_rules! impl_row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn text(&self, col: &str) -> Result<String, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
            fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
            fn int(&self, col: &str) -> Result<i64, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
            fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
            fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
            fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
                self.try_get(col).map_err(|e| corrupt(col, &e))
            }
        }
    };
}

impl_row_ext!(sqlx::sqlite::SqliteRow);
impl_row_ext!(sqlx::postgres::PgRow);

/// Truncates an instant to whole microseconds, the precision PostgreSQL keeps, so that a value reads
/// back equal on both backends.
pub(crate) fn ts(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}
