//! Ledger rows: leaves, node hashes, sealed record tiers, tombstones, checkpoints, public keys and
//! the head — the storage side of `custos_ledger` (docs/ledger.md, ADR 0103).
//!
//! This module stores bytes; it neither hashes nor signs. The writer (ADR 0103) computes rows with
//! `custos_ledger::append::AppendState` and inserts a whole batch here
//! ([`Tx::ledger_append_batch_head`]) after its use cases ran, each in its own savepoint, inside
//! one batch transaction.
//!
//! Invariants:
//! - leaves, nodes, tombstones, checkpoints and keys are append-only (migration `0100_ledger`
//!   installs triggers refusing `UPDATE`/`DELETE`); record tiers are deleted only together with the
//!   insertion of their tombstone ([`Tx::ledger_delete_tier`]) and never updated;
//! - [`Tx::ledger_head`] locks the head row on PostgreSQL (`FOR UPDATE`), so batches of several
//!   instances are serialised and indices have neither gaps nor duplicates; on SQLite the batch
//!   already holds the write lock (`BEGIN IMMEDIATE`).

use sqlx::Row;

use crate::database::{Backend, Tx, TxInner, database_methods, run_postgres_script, with_conn};
use crate::error::StoreError;

/// The committed size of the ledger and its newest entry's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerHead {
    /// Number of entries.
    pub size: u64,
    /// Timestamp of the newest entry, unix milliseconds.
    pub last_ts_ms: Option<i64>,
}

/// A record tier as stored: sealed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecordRow {
    /// Entry index.
    pub index: u64,
    /// `fields` or `payload`.
    pub tier: LedgerTier,
    /// The commitment salt (32 bytes).
    pub salt: Vec<u8>,
    /// The data key, wrapped by the installation key.
    pub wrapped_key: Vec<u8>,
    /// The sealed canonical bytes.
    pub ciphertext: Vec<u8>,
    /// The keyed blind index of the subject, if the entry has one (32 bytes).
    pub subject_index: Option<Vec<u8>>,
}

/// The two record tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerTier {
    /// The J4.11 fields (kept the log's retention).
    Fields,
    /// The result payload (kept per its policy).
    Payload,
}

impl LedgerTier {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fields => "fields",
            Self::Payload => "payload",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "fields" => Ok(Self::Fields),
            "payload" => Ok(Self::Payload),
            other => Err(StoreError::Corrupt(format!("ledger tier {other:?}"))),
        }
    }
}

/// One appended entry's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerAppendRows<'a> {
    /// Entry index.
    pub index: u64,
    /// Entry timestamp, unix milliseconds.
    pub timestamp_ms: i64,
    /// The encoded leaf (100 bytes).
    pub leaf: &'a [u8],
    /// Complete subtrees finished by this append: `(level, index, hash)`.
    pub nodes: &'a [(u8, u64, [u8; 32])],
    /// The sealed record tiers.
    pub records: &'a [LedgerRecordRow],
}

/// A deleted tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerTombstoneRow {
    /// Entry index.
    pub index: u64,
    /// The deleted tier.
    pub tier: LedgerTier,
    /// When, unix milliseconds.
    pub deleted_at_ms: i64,
    /// The retention rule (e.g. `J6.1`).
    pub rule: String,
}

/// `(idx, tier, salt, wrapped_key, ciphertext, subject_index)` as read.
type RecordTuple = (i64, String, Vec<u8>, Vec<u8>, Vec<u8>, Option<Vec<u8>>);

fn int(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v)
        .map_err(|_| StoreError::InvalidData(format!("數值過大 / value too large: {v}")))
}

fn uint(row_value: i64, col: &str) -> Result<u64, StoreError> {
    u64::try_from(row_value).map_err(|_| StoreError::Corrupt(format!("column {col}: negative")))
}

/// Appends `stmt` to a multi-statement script.
fn statement(sql: &mut String, stmt: &str) {
    if !sql.is_empty() {
        sql.push_str("; ");
    }
    sql.push_str(stmt);
}

/// Adds one SQLite argument.
fn bind<'q, T>(args: &mut sqlx::sqlite::SqliteArguments, value: T) -> Result<(), StoreError>
where
    T: sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + 'q,
{
    use sqlx::Arguments as _;
    args.add(value)
        .map_err(|e| StoreError::InvalidData(e.to_string()))
}

impl Tx {
    /// Makes this (read) transaction one consistent snapshot for an export: on PostgreSQL
    /// `REPEATABLE READ, READ ONLY` (must be the transaction's first statement); SQLite read
    /// transactions already are snapshots.
    pub async fn ledger_snapshot(&mut self) -> Result<(), StoreError> {
        if let TxInner::Postgres(t) = &mut self.inner {
            if let Some(sql) = self.lazy.take_sql() {
                run_postgres_script(t, sql).await?;
            }
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// The committed head; on PostgreSQL the row stays locked until this transaction ends.
    pub async fn ledger_head(&mut self) -> Result<LedgerHead, StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT size, last_ts_ms FROM ledger_head WHERE id = 1",
            Backend::Postgres => "SELECT size, last_ts_ms FROM ledger_head WHERE id = 1 FOR UPDATE",
        };
        let (size, last): (i64, Option<i64>) = with_conn!(self, conn => {
            let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
            (row.try_get("size").map_err(|e| StoreError::Corrupt(e.to_string()))?,
             row.try_get("last_ts_ms").map_err(|e| StoreError::Corrupt(e.to_string()))?)
        });
        Ok(LedgerHead {
            size: uint(size, "size")?,
            last_ts_ms: last,
        })
    }

    /// Moves the head forward (the trigger refuses to move it back).
    pub async fn ledger_set_head(&mut self, head: LedgerHead) -> Result<(), StoreError> {
        let size = int(head.size)?;
        with_conn!(self, conn => {
            sqlx::query("UPDATE ledger_head SET size = $1, last_ts_ms = $2 WHERE id = 1")
                .bind(size)
                .bind(head.last_ts_ms)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Inserts one entry's leaf, node and record rows.
    pub async fn ledger_append(&mut self, rows: &LedgerAppendRows<'_>) -> Result<(), StoreError> {
        let index = int(rows.index)?;
        let mut nodes = Vec::with_capacity(rows.nodes.len());
        for (level, idx, hash) in rows.nodes {
            nodes.push((i64::from(*level), int(*idx)?, hash.to_vec()));
        }
        let mut records = Vec::with_capacity(rows.records.len());
        for r in rows.records {
            records.push((int(r.index)?, r));
        }
        with_conn!(self, conn => {
            sqlx::query("INSERT INTO ledger_leaves (idx, ts_ms, leaf) VALUES ($1, $2, $3)")
                .bind(index)
                .bind(rows.timestamp_ms)
                .bind(rows.leaf)
                .execute(&mut *conn)
                .await?;
            for (level, idx, hash) in &nodes {
                sqlx::query("INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3)")
                    .bind(level)
                    .bind(idx)
                    .bind(hash)
                    .execute(&mut *conn)
                    .await?;
            }
            for (idx, r) in &records {
                sqlx::query(
                    "INSERT INTO ledger_records (idx, tier, salt, wrapped_key, ciphertext, subject_index) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(idx)
                .bind(r.tier.as_str())
                .bind(&r.salt)
                .bind(&r.wrapped_key)
                .bind(&r.ciphertext)
                .bind(&r.subject_index)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Inserts the leaf, node and record rows of many entries — the group-commit writer's path
    /// after each use case's savepoint was released. See [`Tx::ledger_append_batch_head`].
    pub async fn ledger_append_batch(
        &mut self,
        entries: &[LedgerAppendRows<'_>],
    ) -> Result<(), StoreError> {
        self.ledger_append_batch_head(entries, None).await
    }

    /// Inserts the rows of many entries and, with `head`, moves the head forward, in as few round
    /// trips as the backend allows: on SQLite one multi-statement query per chunk of entries with
    /// anonymous `?` parameters (sqlx resolves named `$N` parameters one by one, which is
    /// quadratic in their number); on PostgreSQL one fixed `INSERT … SELECT FROM UNNEST(arrays)`
    /// per table, so the prepared statements are reused whatever the batch size.
    pub async fn ledger_append_batch_head(
        &mut self,
        entries: &[LedgerAppendRows<'_>],
        head: Option<LedgerHead>,
    ) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => self.append_batch_sqlite(entries, head).await,
            Backend::Postgres => self.append_batch_postgres(entries, head).await,
        }
    }

    async fn append_batch_sqlite(
        &mut self,
        entries: &[LedgerAppendRows<'_>],
        head: Option<LedgerHead>,
    ) -> Result<(), StoreError> {
        // Entries per query: each brings 3 + 3 per node + 6 per record tier parameters; 512
        // consecutive entries finish fewer than 2·512 + 64 nodes, so a query stays near 11,000
        // parameters, below SQLite's 32,766.
        const CHUNK: usize = 512;
        let TxInner::Sqlite(t) = &mut self.inner else {
            return Err(StoreError::Config("not SQLite".into()));
        };
        // A deferred savepoint command (the last use case's RELEASE) goes in the same round trip.
        let mut deferred = self.lazy.take_sql();
        let n_chunks = entries.len().div_ceil(CHUNK).max(1);
        for c in 0..n_chunks {
            let chunk =
                &entries[(c * CHUNK).min(entries.len())..((c + 1) * CHUNK).min(entries.len())];
            let mut args = sqlx::sqlite::SqliteArguments::default();
            let mut sql = deferred.take().unwrap_or_default();
            sql.reserve(200 + chunk.len() * 100);
            for (i, e) in chunk.iter().enumerate() {
                if i == 0 {
                    statement(
                        &mut sql,
                        "INSERT INTO ledger_leaves (idx, ts_ms, leaf) VALUES (?, ?, ?)",
                    );
                } else {
                    sql.push_str(", (?, ?, ?)");
                }
                bind(&mut args, int(e.index)?)?;
                bind(&mut args, e.timestamp_ms)?;
                bind(&mut args, e.leaf)?;
            }
            let mut first = true;
            for (level, idx, hash) in chunk.iter().flat_map(|e| e.nodes) {
                if first {
                    statement(
                        &mut sql,
                        "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)",
                    );
                    first = false;
                } else {
                    sql.push_str(", (?, ?, ?)");
                }
                bind(&mut args, i64::from(*level))?;
                bind(&mut args, int(*idx)?)?;
                bind(&mut args, &hash[..])?;
            }
            let mut first = true;
            for r in chunk.iter().flat_map(|e| e.records) {
                if first {
                    statement(
                        &mut sql,
                        "INSERT INTO ledger_records \
                         (idx, tier, salt, wrapped_key, ciphertext, subject_index) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                    );
                    first = false;
                } else {
                    sql.push_str(", (?, ?, ?, ?, ?, ?)");
                }
                bind(&mut args, int(r.index)?)?;
                bind(&mut args, r.tier.as_str())?;
                bind(&mut args, r.salt.as_slice())?;
                bind(&mut args, r.wrapped_key.as_slice())?;
                bind(&mut args, r.ciphertext.as_slice())?;
                bind(&mut args, r.subject_index.as_deref())?;
            }
            if c + 1 == n_chunks
                && let Some(h) = head
            {
                statement(
                    &mut sql,
                    "UPDATE ledger_head SET size = ?, last_ts_ms = ? WHERE id = 1",
                );
                bind(&mut args, int(h.size)?)?;
                bind(&mut args, h.last_ts_ms)?;
            }
            if sql.is_empty() {
                continue;
            }
            // The text varies with the batch: prepare it once rather than evict cached statements.
            sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
                .persistent(false)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn append_batch_postgres(
        &mut self,
        entries: &[LedgerAppendRows<'_>],
        head: Option<LedgerHead>,
    ) -> Result<(), StoreError> {
        let TxInner::Postgres(t) = &mut self.inner else {
            return Err(StoreError::Config("not PostgreSQL".into()));
        };
        if let Some(sql) = self.lazy.take_sql() {
            run_postgres_script(t, sql).await?;
        }
        let mut idx = Vec::with_capacity(entries.len());
        let mut ts = Vec::with_capacity(entries.len());
        let mut leaf = Vec::with_capacity(entries.len());
        let mut n_level = Vec::with_capacity(entries.len() * 2);
        let mut n_idx = Vec::with_capacity(entries.len() * 2);
        let mut n_hash = Vec::with_capacity(entries.len() * 2);
        let mut r_idx = Vec::with_capacity(entries.len());
        let mut r_tier = Vec::with_capacity(entries.len());
        let mut r_salt = Vec::with_capacity(entries.len());
        let mut r_key = Vec::with_capacity(entries.len());
        let mut r_ct = Vec::with_capacity(entries.len());
        let mut r_subject = Vec::with_capacity(entries.len());
        for e in entries {
            idx.push(int(e.index)?);
            ts.push(e.timestamp_ms);
            leaf.push(e.leaf);
            for (level, i, hash) in e.nodes {
                n_level.push(i64::from(*level));
                n_idx.push(int(*i)?);
                n_hash.push(&hash[..]);
            }
            for r in e.records {
                r_idx.push(int(r.index)?);
                r_tier.push(r.tier.as_str());
                r_salt.push(r.salt.as_slice());
                r_key.push(r.wrapped_key.as_slice());
                r_ct.push(r.ciphertext.as_slice());
                r_subject.push(r.subject_index.as_deref());
            }
        }
        // One statement, one round trip: data-modifying CTEs; the foreign keys of the records
        // are checked at its end, when the leaves are in.
        sqlx::query(
            "WITH l AS (INSERT INTO ledger_leaves (idx, ts_ms, leaf) \
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BYTEA[])), \
             n AS (INSERT INTO ledger_nodes (level, idx, hash) \
                 SELECT * FROM UNNEST($4::BIGINT[], $5::BIGINT[], $6::BYTEA[])), \
             h AS (UPDATE ledger_head SET size = $13, last_ts_ms = $14 WHERE id = 1 AND $15) \
             INSERT INTO ledger_records (idx, tier, salt, wrapped_key, ciphertext, subject_index) \
                 SELECT * FROM UNNEST($7::BIGINT[], $8::TEXT[], $9::BYTEA[], $10::BYTEA[], \
                 $11::BYTEA[], $12::BYTEA[])",
        )
        .bind(idx)
        .bind(ts)
        .bind(leaf)
        .bind(n_level)
        .bind(n_idx)
        .bind(n_hash)
        .bind(r_idx)
        .bind(r_tier)
        .bind(r_salt)
        .bind(r_key)
        .bind(r_ct)
        .bind(r_subject)
        .bind(head.map_or(Ok(0), |h| int(h.size))?)
        .bind(head.and_then(|h| h.last_ts_ms))
        .bind(head.is_some())
        .execute(&mut **t)
        .await?;
        Ok(())
    }

    /// The stored hashes of the given nodes `(level, index)`, in the same order (`None` if absent).
    pub async fn ledger_nodes(
        &mut self,
        ids: &[(u8, u64)],
    ) -> Result<Vec<Option<[u8; 32]>>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for (level, idx) in ids {
            let idx = int(*idx)?;
            let hash: Option<Vec<u8>> = with_conn!(self, conn => {
                sqlx::query_scalar("SELECT hash FROM ledger_nodes WHERE level = $1 AND idx = $2")
                    .bind(i64::from(*level))
                    .bind(idx)
                    .fetch_optional(&mut *conn)
                    .await?
            });
            out.push(
                hash.map(|h| {
                    <[u8; 32]>::try_from(h.as_slice())
                        .map_err(|_| StoreError::Corrupt("column hash: not 32 bytes".into()))
                })
                .transpose()?,
            );
        }
        Ok(out)
    }

    /// All stored hashes of one level, concatenated left to right (for export).
    pub async fn ledger_node_level(&mut self, level: u8) -> Result<Vec<u8>, StoreError> {
        let hashes: Vec<Vec<u8>> = with_conn!(self, conn => {
            sqlx::query_scalar("SELECT hash FROM ledger_nodes WHERE level = $1 ORDER BY idx")
                .bind(i64::from(level))
                .fetch_all(&mut *conn)
                .await?
        });
        Ok(hashes.concat())
    }

    /// Leaves with index `from ..` (at most `limit`), in order.
    pub async fn ledger_leaves(
        &mut self,
        from: u64,
        limit: u32,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let from = int(from)?;
        let rows: Vec<(i64, Vec<u8>)> = with_conn!(self, conn => {
            sqlx::query_as("SELECT idx, leaf FROM ledger_leaves WHERE idx >= $1 ORDER BY idx LIMIT $2")
                .bind(from)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?
        });
        rows.into_iter()
            .map(|(i, l)| Ok((uint(i, "idx")?, l)))
            .collect()
    }

    /// Record tiers with index `from ..` (at most `limit`), by index and tier.
    pub async fn ledger_records(
        &mut self,
        from: u64,
        limit: u32,
    ) -> Result<Vec<LedgerRecordRow>, StoreError> {
        let from = int(from)?;
        let rows: Vec<RecordTuple> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT idx, tier, salt, wrapped_key, ciphertext, subject_index FROM ledger_records \
                 WHERE idx >= $1 ORDER BY idx, tier LIMIT $2",
            )
            .bind(from)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(i, tier, salt, wrapped_key, ciphertext, subject_index)| {
                Ok(LedgerRecordRow {
                    index: uint(i, "idx")?,
                    tier: LedgerTier::parse(&tier)?,
                    salt,
                    wrapped_key,
                    ciphertext,
                    subject_index,
                })
            })
            .collect()
    }

    /// Entries whose record carries this subject blind index, ascending.
    pub async fn ledger_entries_for_subject(
        &mut self,
        subject_index: &[u8],
    ) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<i64> = with_conn!(self, conn => {
            sqlx::query_scalar(
                "SELECT DISTINCT idx FROM ledger_records WHERE subject_index = $1 ORDER BY idx",
            )
            .bind(subject_index)
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter().map(|i| uint(i, "idx")).collect()
    }

    /// Deletes a record tier (its salt, wrapped key and ciphertext) and writes its tombstone.
    pub async fn ledger_delete_tier(
        &mut self,
        tombstone: &LedgerTombstoneRow,
    ) -> Result<(), StoreError> {
        let idx = int(tombstone.index)?;
        if self.backend() == Backend::Sqlite {
            // Freed cells and pages are overwritten with zeros, so the deleted salt, wrapped key
            // and ciphertext do not linger in the file (J6.1); see `Database::ledger_purge`.
            with_conn!(self, conn => {
                sqlx::query("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
            });
        }
        let deleted = with_conn!(self, conn => {
            let deleted = sqlx::query("DELETE FROM ledger_records WHERE idx = $1 AND tier = $2")
                .bind(idx)
                .bind(tombstone.tier.as_str())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if deleted == 1 {
                sqlx::query(
                    "INSERT INTO ledger_tombstones (idx, tier, deleted_at_ms, rule) VALUES ($1, $2, $3, $4)",
                )
                .bind(idx)
                .bind(tombstone.tier.as_str())
                .bind(tombstone.deleted_at_ms)
                .bind(&tombstone.rule)
                .execute(&mut *conn)
                .await?;
            }
            deleted
        });
        if deleted == 1 {
            Ok(())
        } else {
            Err(StoreError::not_found(
                "ledger_record",
                format!("{}/{}", tombstone.index, tombstone.tier.as_str()),
            ))
        }
    }

    /// Every tombstone, by index and tier.
    pub async fn ledger_tombstones(&mut self) -> Result<Vec<LedgerTombstoneRow>, StoreError> {
        let rows: Vec<(i64, String, i64, String)> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT idx, tier, deleted_at_ms, rule FROM ledger_tombstones ORDER BY idx, tier",
            )
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(i, tier, deleted_at_ms, rule)| {
                Ok(LedgerTombstoneRow {
                    index: uint(i, "idx")?,
                    tier: LedgerTier::parse(&tier)?,
                    deleted_at_ms,
                    rule,
                })
            })
            .collect()
    }

    /// Stores a signed checkpoint (signed only over committed state).
    pub async fn ledger_insert_checkpoint(
        &mut self,
        size: u64,
        note: &str,
        created_at_ms: i64,
    ) -> Result<(), StoreError> {
        let size = int(size)?;
        with_conn!(self, conn => {
            sqlx::query("INSERT INTO ledger_checkpoints (size, note, created_at_ms) VALUES ($1, $2, $3)")
                .bind(size)
                .bind(note)
                .bind(created_at_ms)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Every stored checkpoint `(size, note)`, oldest first.
    pub async fn ledger_checkpoints(&mut self) -> Result<Vec<(u64, String)>, StoreError> {
        let rows: Vec<(i64, String)> = with_conn!(self, conn => {
            sqlx::query_as("SELECT size, note FROM ledger_checkpoints ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
        });
        rows.into_iter()
            .map(|(s, n)| Ok((uint(s, "size")?, n)))
            .collect()
    }

    /// The newest stored checkpoint `(size, note)`.
    pub async fn ledger_latest_checkpoint(&mut self) -> Result<Option<(u64, String)>, StoreError> {
        let row: Option<(i64, String)> = with_conn!(self, conn => {
            sqlx::query_as("SELECT size, note FROM ledger_checkpoints ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?
        });
        row.map(|(s, n)| Ok((uint(s, "size")?, n))).transpose()
    }

    /// The newest stored checkpoint `(size, note, created_at_ms)`, for the ledger page.
    pub async fn ledger_latest_checkpoint_at(
        &mut self,
    ) -> Result<Option<(u64, String, i64)>, StoreError> {
        let row: Option<(i64, String, i64)> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT size, note, created_at_ms FROM ledger_checkpoints ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        });
        row.map(|(s, n, at)| Ok((uint(s, "size")?, n, at)))
            .transpose()
    }

    /// Records a public key the log signs with (idempotent).
    pub async fn ledger_insert_key(
        &mut self,
        verifier: &str,
        created_at_ms: i64,
    ) -> Result<(), StoreError> {
        with_conn!(self, conn => {
            sqlx::query(
                "INSERT INTO ledger_keys (verifier, created_at_ms) VALUES ($1, $2) \
                 ON CONFLICT (verifier) DO NOTHING",
            )
            .bind(verifier)
            .bind(created_at_ms)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Every public key, oldest first.
    pub async fn ledger_keys(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(with_conn!(self, conn => {
            sqlx::query_scalar("SELECT verifier FROM ledger_keys ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
        }))
    }

    // Read-only queries of the ledger API and pages (proofs, entry and checkpoint listings).

    /// One leaf `(timestamp_ms, leaf bytes)`, if stored.
    pub async fn ledger_leaf(&mut self, index: u64) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        let index = int(index)?;
        Ok(with_conn!(self, conn => {
            sqlx::query_as("SELECT ts_ms, leaf FROM ledger_leaves WHERE idx = $1")
                .bind(index)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// Leaves below index `before`, newest first (at most `limit`): `(index, timestamp_ms, leaf)`.
    pub async fn ledger_leaves_before(
        &mut self,
        before: u64,
        limit: u32,
    ) -> Result<Vec<(u64, i64, Vec<u8>)>, StoreError> {
        let before = int(before)?;
        let rows: Vec<(i64, i64, Vec<u8>)> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT idx, ts_ms, leaf FROM ledger_leaves WHERE idx < $1 ORDER BY idx DESC LIMIT $2",
            )
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(i, ts, l)| Ok((uint(i, "idx")?, ts, l)))
            .collect()
    }

    /// The tiers of entry `index` still held (never their content).
    pub async fn ledger_tiers_held(&mut self, index: u64) -> Result<Vec<LedgerTier>, StoreError> {
        let index = int(index)?;
        let tiers: Vec<String> = with_conn!(self, conn => {
            sqlx::query_scalar("SELECT tier FROM ledger_records WHERE idx = $1 ORDER BY tier")
                .bind(index)
                .fetch_all(&mut *conn)
                .await?
        });
        tiers.iter().map(|t| LedgerTier::parse(t)).collect()
    }

    /// The tombstones of entry `index`, by tier.
    pub async fn ledger_tombstones_at(
        &mut self,
        index: u64,
    ) -> Result<Vec<LedgerTombstoneRow>, StoreError> {
        let idx = int(index)?;
        let rows: Vec<(String, i64, String)> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT tier, deleted_at_ms, rule FROM ledger_tombstones WHERE idx = $1 ORDER BY tier",
            )
            .bind(idx)
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(tier, deleted_at_ms, rule)| {
                Ok(LedgerTombstoneRow {
                    index,
                    tier: LedgerTier::parse(&tier)?,
                    deleted_at_ms,
                    rule,
                })
            })
            .collect()
    }

    /// The newest stored checkpoint of exactly `size` entries: `(note, created_at_ms)`.
    pub async fn ledger_checkpoint_of_size(
        &mut self,
        size: u64,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let size = int(size)?;
        Ok(with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT note, created_at_ms FROM ledger_checkpoints WHERE size = $1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(size)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Stored checkpoints, newest first, skipping `offset`: `(size, note, created_at_ms)`.
    pub async fn ledger_checkpoints_page(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<(u64, String, i64)>, StoreError> {
        let offset = int(offset)?;
        let rows: Vec<(i64, String, i64)> = with_conn!(self, conn => {
            sqlx::query_as(
                "SELECT size, note, created_at_ms FROM ledger_checkpoints \
                 ORDER BY id DESC LIMIT $1 OFFSET $2",
            )
            .bind(i64::from(limit))
            .bind(offset)
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(s, n, at)| Ok((uint(s, "size")?, n, at)))
            .collect()
    }

    /// Number of stored checkpoints.
    pub async fn ledger_checkpoint_count(&mut self) -> Result<u64, StoreError> {
        let n: i64 = with_conn!(self, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM ledger_checkpoints")
                .fetch_one(&mut *conn)
                .await?
        });
        uint(n, "count")
    }
}

impl crate::database::Database {
    /// After a deletion run: on SQLite, copies the WAL into the database file and truncates it
    /// (`wal_checkpoint(TRUNCATE)`), so the old page images holding deleted tiers leave the WAL too;
    /// with `secure_delete` (set by [`Tx::ledger_delete_tier`]) the freed space in the database
    /// file is zeroed. On PostgreSQL deleted tuples stay in the heap until `VACUUM` reclaims them
    /// and in WAL segments and backups until those are recycled (docs/ledger.md).
    pub async fn ledger_purge(&self) -> Result<(), StoreError> {
        if self.backend() == Backend::Sqlite {
            let mut tx = self.begin_read().await?;
            // A checkpoint cannot run inside a transaction: end it and use the same connection.
            with_conn!(tx, conn => {
                sqlx::raw_sql("COMMIT; PRAGMA wal_checkpoint(TRUNCATE); BEGIN").execute(&mut *conn).await?;
            });
            tx.commit().await?;
        }
        Ok(())
    }
}

database_methods! {
    /// See [`Tx::ledger_nodes`].
    read fn ledger_nodes(&self, ids: &[(u8, u64)]) -> Vec<Option<[u8; 32]>>;
    /// See [`Tx::ledger_leaves`].
    read fn ledger_leaves(&self, from: u64, limit: u32) -> Vec<(u64, Vec<u8>)>;
    /// See [`Tx::ledger_records`].
    read fn ledger_records(&self, from: u64, limit: u32) -> Vec<LedgerRecordRow>;
    /// See [`Tx::ledger_tombstones`].
    read fn ledger_tombstones(&self) -> Vec<LedgerTombstoneRow>;
    /// See [`Tx::ledger_checkpoints`].
    read fn ledger_checkpoints(&self) -> Vec<(u64, String)>;
    /// See [`Tx::ledger_latest_checkpoint`].
    read fn ledger_latest_checkpoint(&self) -> Option<(u64, String)>;
    /// See [`Tx::ledger_keys`].
    read fn ledger_keys(&self) -> Vec<String>;
    /// See [`Tx::ledger_node_level`].
    read fn ledger_node_level(&self, level: u8) -> Vec<u8>;
    /// See [`Tx::ledger_entries_for_subject`].
    read fn ledger_entries_for_subject(&self, subject_index: &[u8]) -> Vec<u64>;
    /// See [`Tx::ledger_delete_tier`].
    write fn ledger_delete_tier(&self, tombstone: &LedgerTombstoneRow) -> ();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnectOptions, Database};

    async fn sqlite() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::connect(
            dir.path().join("t.db").to_str().unwrap(),
            ConnectOptions::default(),
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        (dir, db)
    }

    fn leaf(i: u8) -> Vec<u8> {
        vec![i; 100]
    }

    fn record(index: u64, tier: LedgerTier) -> LedgerRecordRow {
        LedgerRecordRow {
            index,
            tier,
            salt: vec![7; 32],
            wrapped_key: vec![8; 40],
            ciphertext: b"sealed".to_vec(),
            subject_index: Some(vec![9; 32]),
        }
    }

    async fn append(db: &Database, i: u64, sp: bool, fail: bool) -> Result<(), StoreError> {
        let mut tx = db.begin().await?;
        let head = tx.ledger_head().await?;
        if sp {
            tx.savepoint("uc1").await?;
        }
        let l = leaf(i as u8);
        let recs = [record(i, LedgerTier::Fields)];
        let nodes = [(0u8, i, [i as u8; 32])];
        tx.ledger_append(&LedgerAppendRows {
            index: head.size,
            timestamp_ms: 1_000 + i as i64,
            leaf: &l,
            nodes: &nodes,
            records: &recs,
        })
        .await?;
        if fail {
            tx.rollback_to_savepoint("uc1").await?;
        } else {
            if sp {
                tx.release_savepoint("uc1").await?;
            }
            tx.ledger_set_head(LedgerHead {
                size: head.size + 1,
                last_ts_ms: Some(1_000 + i as i64),
            })
            .await?;
        }
        tx.commit().await
    }

    #[tokio::test]
    async fn rows_round_trip_and_a_rolled_back_savepoint_leaves_nothing() {
        let (_dir, db) = sqlite().await;
        append(&db, 0, true, false).await.unwrap();
        append(&db, 1, true, true).await.unwrap();
        append(&db, 1, false, false).await.unwrap();
        let leaves = db.ledger_leaves(0, 10).await.unwrap();
        assert_eq!(leaves, vec![(0, leaf(0)), (1, leaf(1))]);
        assert_eq!(db.ledger_records(0, 10).await.unwrap().len(), 2);
        assert_eq!(
            db.ledger_nodes(&[(0, 1), (1, 0)]).await.unwrap(),
            vec![Some([1; 32]), None]
        );
        assert_eq!(db.ledger_node_level(0).await.unwrap().len(), 64);
        assert_eq!(
            db.ledger_entries_for_subject(&[9; 32]).await.unwrap(),
            vec![0, 1]
        );
        let mut tx = db.begin().await.unwrap();
        assert_eq!(tx.ledger_head().await.unwrap().size, 2);
    }

    #[tokio::test]
    async fn lazy_savepoints_undo_only_the_failed_use_case() {
        let (_dir, db) = sqlite().await;
        let mut tx = db.begin().await.unwrap();
        // No statement: nothing to open, keep or undo.
        tx.mark_savepoint("uc").unwrap();
        tx.end_savepoint("uc", false).await.unwrap();
        tx.mark_savepoint("uc").unwrap();
        tx.ledger_insert_key("a+00000000+AA", 1).await.unwrap();
        tx.end_savepoint("uc", true).await.unwrap();
        tx.mark_savepoint("uc").unwrap();
        assert!(
            tx.mark_savepoint("uc").is_err(),
            "one lazy savepoint at a time"
        );
        tx.ledger_insert_key("b+00000000+AA", 2).await.unwrap();
        tx.end_savepoint("uc", false).await.unwrap();
        tx.mark_savepoint("uc").unwrap();
        tx.end_savepoint("uc", true).await.unwrap();
        tx.mark_savepoint("uc").unwrap();
        tx.ledger_insert_key("c+00000000+AA", 3).await.unwrap();
        tx.end_savepoint("uc", true).await.unwrap();
        assert!(tx.end_savepoint("uc", true).await.is_err(), "not marked");
        // The deferred RELEASE goes in front of the batch insert.
        tx.ledger_append_batch_head(
            &[],
            Some(LedgerHead {
                size: 0,
                last_ts_ms: Some(3),
            }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.ledger_keys().await.unwrap(),
            ["a+00000000+AA", "c+00000000+AA"]
        );
    }

    #[tokio::test]
    async fn a_batch_insert_stores_the_same_rows_as_single_inserts() {
        let (_dir, db) = sqlite().await;
        let leaves: Vec<Vec<u8>> = (0..3u8).map(leaf).collect();
        let recs: Vec<[LedgerRecordRow; 1]> =
            (0..3u64).map(|i| [record(i, LedgerTier::Fields)]).collect();
        let nodes: Vec<[(u8, u64, [u8; 32]); 1]> =
            (0..3u64).map(|i| [(0u8, i, [i as u8; 32])]).collect();
        let rows: Vec<LedgerAppendRows<'_>> = (0..3usize)
            .map(|i| LedgerAppendRows {
                index: i as u64,
                timestamp_ms: 5,
                leaf: &leaves[i],
                nodes: &nodes[i],
                records: &recs[i],
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        tx.ledger_append_batch(&rows).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.ledger_leaves(0, 10).await.unwrap().len(), 3);
        assert_eq!(db.ledger_records(0, 10).await.unwrap().len(), 3);
        assert_eq!(db.ledger_node_level(0).await.unwrap().len(), 96);
    }

    #[tokio::test]
    async fn the_database_refuses_to_alter_or_remove_ledger_rows() {
        let (_dir, db) = sqlite().await;
        append(&db, 0, false, false).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.ledger_insert_checkpoint(1, "note\n", 5).await.unwrap();
        tx.ledger_insert_key("k+00000000+AA", 5).await.unwrap();
        tx.commit().await.unwrap();
        for sql in [
            "UPDATE ledger_leaves SET ts_ms = 0",
            "DELETE FROM ledger_leaves",
            "UPDATE ledger_nodes SET hash = zeroblob(32)",
            "DELETE FROM ledger_nodes",
            "UPDATE ledger_records SET ciphertext = x'00'",
            "UPDATE ledger_checkpoints SET note = 'x'",
            "DELETE FROM ledger_checkpoints",
            "DELETE FROM ledger_keys",
            "UPDATE ledger_head SET size = 0",
            "DELETE FROM ledger_head",
        ] {
            let mut tx = db.begin().await.unwrap();
            let res = async {
                with_conn!(tx, conn => { sqlx::query(sql).execute(&mut *conn).await?; });
                Ok::<(), StoreError>(())
            }
            .await;
            let err = res.expect_err(sql).to_string();
            assert!(
                err.contains("append-only") || err.contains("never updated"),
                "{sql}: {err}"
            );
        }
    }

    #[tokio::test]
    async fn after_a_deletion_run_neither_file_holds_the_deleted_bytes() {
        let (dir, db) = sqlite().await;
        let mut tx = db.begin().await.unwrap();
        let mut secrets = Vec::new();
        for i in 0..20u64 {
            let l = leaf(i as u8);
            // A distinctive 64-byte "ciphertext" per record.
            let ct: Vec<u8> = (0..64u8)
                .map(|b| b.wrapping_mul(31).wrapping_add(i as u8 * 7 + 1))
                .collect();
            let mut r = record(i, LedgerTier::Payload);
            r.ciphertext.clone_from(&ct);
            secrets.push(ct);
            tx.ledger_append(&LedgerAppendRows {
                index: i,
                timestamp_ms: 1,
                leaf: &l,
                nodes: &[],
                records: std::slice::from_ref(&r),
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        for i in (0..20u64).step_by(2) {
            db.ledger_delete_tier(&LedgerTombstoneRow {
                index: i,
                tier: LedgerTier::Payload,
                deleted_at_ms: 2,
                rule: "J6.1".into(),
            })
            .await
            .unwrap();
        }
        db.ledger_purge().await.unwrap();
        let mut bytes = std::fs::read(dir.path().join("t.db")).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("t.db-wal")) {
            bytes.extend_from_slice(&wal);
        }
        for (i, ct) in secrets.iter().enumerate() {
            let found = bytes.windows(ct.len()).any(|w| w == ct.as_slice());
            assert_eq!(found, i % 2 == 1, "record {i}: deleted={}", i % 2 == 0);
        }
    }

    #[tokio::test]
    async fn deleting_a_tier_leaves_a_tombstone_and_the_leaf() {
        let (_dir, db) = sqlite().await;
        append(&db, 0, false, false).await.unwrap();
        let t = LedgerTombstoneRow {
            index: 0,
            tier: LedgerTier::Fields,
            deleted_at_ms: 99,
            rule: "J6.1".into(),
        };
        db.ledger_delete_tier(&t).await.unwrap();
        assert!(db.ledger_delete_tier(&t).await.unwrap_err().is_not_found());
        assert!(db.ledger_records(0, 10).await.unwrap().is_empty());
        assert_eq!(db.ledger_tombstones().await.unwrap(), vec![t]);
        assert_eq!(db.ledger_leaves(0, 10).await.unwrap().len(), 1);
        assert!(
            db.ledger_entries_for_subject(&[9; 32])
                .await
                .unwrap()
                .is_empty()
        );
    }
}
