//! Results of full ledger verifications (migration `0102_ledger_verifications`): what the daily
//! `ledger_verify` job checked and found, for the ledger page (issue #3, UI: "last full
//! verification and its result").
//!
//! Invariants: rows are only ever added (an `UPDATE` trigger refuses changes; on PostgreSQL the
//! application role has `SELECT, INSERT` only); the latest row is the one with the largest id.

use crate::database::{Tx, database_methods, with_conn};
use crate::error::StoreError;

/// One full verification of the stored ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerVerificationRow {
    /// When it finished, unix milliseconds.
    pub verified_at_ms: i64,
    /// Entries checked.
    pub size: u64,
    /// Whether nothing was wrong.
    pub intact: bool,
    /// The first bad entry index, if a finding names one.
    pub first_bad: Option<u64>,
    /// What was found (the first finding), or a summary when intact.
    pub message: String,
    /// How long it took, milliseconds.
    pub duration_ms: u64,
}

fn to_i64(v: u64, col: &str) -> Result<i64, StoreError> {
    i64::try_from(v)
        .map_err(|_| StoreError::InvalidData(format!("{col} 超出範圍 / {col} out of range")))
}

fn to_u64(v: i64, col: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("column {col}: negative")))
}

impl Tx {
    /// Records a full verification.
    pub async fn ledger_insert_verification(
        &mut self,
        row: &LedgerVerificationRow,
    ) -> Result<(), StoreError> {
        let size = to_i64(row.size, "size")?;
        let first_bad = row.first_bad.map(|i| to_i64(i, "first_bad")).transpose()?;
        let duration = to_i64(row.duration_ms, "duration_ms")?;
        with_conn!(self, conn => {
            sqlx::query(
                "INSERT INTO ledger_verifications \
                 (verified_at_ms, size, intact, first_bad, message, duration_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(row.verified_at_ms)
            .bind(size)
            .bind(row.intact)
            .bind(first_bad)
            .bind(&row.message)
            .bind(duration)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The latest full verification, if any ran.
    pub async fn ledger_latest_verification(
        &mut self,
    ) -> Result<Option<LedgerVerificationRow>, StoreError> {
        type Row = (i64, i64, bool, Option<i64>, String, i64);
        let row: Option<Row> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT verified_at_ms, size, intact, first_bad, message, duration_ms \
                 FROM ledger_verifications ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        });
        row.map(|(at, size, intact, first_bad, message, duration)| {
            Ok(LedgerVerificationRow {
                verified_at_ms: at,
                size: to_u64(size, "size")?,
                intact,
                first_bad: first_bad.map(|i| to_u64(i, "first_bad")).transpose()?,
                message,
                duration_ms: to_u64(duration, "duration_ms")?,
            })
        })
        .transpose()
    }
}

database_methods! {
    /// See [`Tx::ledger_latest_verification`].
    read fn ledger_latest_verification(&self) -> Option<LedgerVerificationRow>;
    /// See [`Tx::ledger_insert_verification`].
    write fn ledger_insert_verification(&self, row: &LedgerVerificationRow) -> ();
}
