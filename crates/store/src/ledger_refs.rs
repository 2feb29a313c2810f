//! Links from domain rows to the ledger entries that recorded them (migration `0101_ledger_refs`).
//!
//! A use case inserts `(subject, fields commitment)` in its own savepoint, before the writer has
//! assigned its entry an index; the trigger on `ledger_leaves` fills in the index when the leaf
//! with that commitment is inserted in the same batch transaction. So a link exists exactly when
//! its change and its entry committed together.
//!
//! Invariants: a resolved link never changes (trigger `ledger_refs_fixed`); a link whose entry was
//! never inserted stays unresolved and is not returned.

use crate::database::{Tx, database_methods, with_conn};
use crate::error::StoreError;

/// What a link points from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerSubject {
    /// An institution (its id).
    Institution,
    /// An org unit (its id).
    OrgUnit,
    /// A control-profile version (`<institution id>#<version>`).
    ProfileChange,
}

impl LedgerSubject {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Institution => "institution",
            Self::OrgUnit => "org_unit",
            Self::ProfileChange => "profile_change",
        }
    }
}

impl Tx {
    /// Links `subject` to the entry whose fields commitment is `commitment` (resolved to its index
    /// when the writer inserts that entry's leaf in this transaction).
    pub async fn insert_ledger_ref(
        &mut self,
        subject: LedgerSubject,
        subject_id: &str,
        commitment: &[u8; 32],
    ) -> Result<(), StoreError> {
        with_conn!(self, conn => {
            sqlx::query(
                "INSERT INTO ledger_refs (subject_type, subject_id, commitment) VALUES ($1, $2, $3)",
            )
            .bind(subject.as_str())
            .bind(subject_id)
            .bind(&commitment[..])
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The indices of the entries that recorded `subject`, ascending.
    pub async fn ledger_refs_of(
        &mut self,
        subject: LedgerSubject,
        subject_id: &str,
    ) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<i64> = with_conn!(self, conn => {
            sqlx::query_scalar(
                "SELECT ledger_index FROM ledger_refs WHERE subject_type = $1 AND subject_id = $2 \
                 AND ledger_index IS NOT NULL ORDER BY ledger_index",
            )
            .bind(subject.as_str())
            .bind(subject_id)
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|i| {
                u64::try_from(i)
                    .map_err(|_| StoreError::Corrupt("column ledger_index: negative".into()))
            })
            .collect()
    }
}

database_methods! {
    /// See [`Tx::ledger_refs_of`].
    read fn ledger_refs_of(&self, subject: LedgerSubject, subject_id: &str) -> Vec<u64>;
}
