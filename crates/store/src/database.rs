//! The database handle: connecting to SQLite or PostgreSQL, migrating, pinging, and transactions.
//!
//! Invariants:
//! - [`Database`] is the only type that holds a pool; the backend is chosen once, from the URL, in
//!   [`Database::connect`]. Everything above this crate is backend-agnostic.
//! - SQLite connections always run with WAL, `foreign_keys=ON`, a `busy_timeout` and
//!   `synchronous=FULL` (NORMAL can lose the last commits on power loss, which the ledger must not).
//! - A write transaction on SQLite starts with `BEGIN IMMEDIATE`, so two writers queue on the busy
//!   timeout instead of failing with a lock-upgrade error.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::StoreError;
use crate::migrations;

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Embedded SQLite (the default: a file in the data directory).
    Sqlite,
    /// PostgreSQL (chosen with `--database-url postgres://…`).
    Postgres,
}

impl Backend {
    /// A stable lower-case name (`sqlite`, `postgres`) for logs and `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Options for [`Database::connect`]. The defaults suit the `custos` binary.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a SQLite writer waits for the lock before giving up (`busy_timeout`).
    pub busy_timeout: Duration,
    /// How long to wait for a free pooled connection (and for the first PostgreSQL connection).
    pub acquire_timeout: Duration,
    /// Create the SQLite file when it does not exist.
    pub create_if_missing: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
            acquire_timeout: Duration::from_secs(10),
            create_if_missing: true,
        }
    }
}

/// A connection pool to one of the two supported databases.
///
/// Cloning is cheap (the pool is reference-counted).
#[derive(Debug, Clone)]
pub struct Database {
    pool: Pool,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Database {
    /// Connects to `url`.
    ///
    /// Accepted forms: `postgres://…` / `postgresql://…` (PostgreSQL), `sqlite://PATH?mode=rwc` or
    /// `sqlite:PATH` (SQLite URL), and a plain file path (SQLite). `sqlite::memory:` works with a
    /// single connection (for experiments; data is lost on close). For a plain path, missing parent
    /// directories are created when `opts.create_if_missing` is set.
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Self, StoreError> {
        let trimmed = url.trim();
        if trimmed.is_empty() {
            return Err(StoreError::Config(
                "資料庫位址是空的 / the database URL is empty".to_owned(),
            ));
        }
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(trimmed)
                .map_err(|e| StoreError::Config(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(options)
                .await
                .map_err(StoreError::from)?;
            return Ok(Self {
                pool: Pool::Postgres(pool),
            });
        }
        let (options, in_memory) = if trimmed.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(trimmed)
                .map_err(|e| StoreError::Config(e.to_string()))?;
            let in_memory = trimmed.contains(":memory:") || trimmed.contains("mode=memory");
            (options, in_memory)
        } else if trimmed.contains("://") {
            return Err(StoreError::Config(format!(
                "不支援的資料庫位址：{trimmed}（請用 sqlite: 或 postgres://） / unsupported database URL: {trimmed} (use sqlite: or postgres://)"
            )));
        } else {
            let path = std::path::Path::new(trimmed);
            if opts.create_if_missing
                && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Config(format!(
                        "無法建立資料目錄 {0}：{e} / cannot create the data directory {0}: {e}",
                        parent.display()
                    ))
                })?;
            }
            (SqliteConnectOptions::new().filename(path), false)
        };
        let options = options
            .create_if_missing(opts.create_if_missing)
            .journal_mode(if in_memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout)
            .synchronous(SqliteSynchronous::Full);
        let max = if in_memory {
            1
        } else {
            opts.max_connections.max(1)
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(StoreError::from)?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
        })
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend. Idempotent; run by `custos migrate`,
    /// `demo` and `serve` at start.
    ///
    /// When every embedded migration is already applied with the same checksum, nothing is run:
    /// an application role without DDL rights (PostgreSQL role split, `database.owner_url`) can
    /// start on a schema its owner migrated. Otherwise sqlx's migrator runs (and reports checksum
    /// mismatches and unknown applied versions).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        if self.migrations_current().await? {
            return Ok(());
        }
        match &self.pool {
            Pool::Sqlite(pool) => migrations::sqlite().run(pool).await?,
            Pool::Postgres(pool) => migrations::postgres().run(pool).await?,
        }
        Ok(())
    }

    /// Whether the database holds exactly the embedded migrations, each applied successfully
    /// with its checksum (a missing `_sqlx_migrations` table means no).
    pub async fn migrations_current(&self) -> Result<bool, StoreError> {
        let sql = "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version";
        let applied: Vec<(i64, Vec<u8>)> = match &self.pool {
            Pool::Sqlite(pool) => {
                let exists: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(pool)
                .await?;
                if exists == 0 {
                    return Ok(false);
                }
                sqlx::query_as(sql).fetch_all(pool).await?
            }
            Pool::Postgres(pool) => {
                let exists: bool =
                    sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                        .fetch_one(pool)
                        .await?;
                if !exists {
                    return Ok(false);
                }
                sqlx::query_as(sql).fetch_all(pool).await?
            }
        };
        let embedded = match self.backend() {
            Backend::Sqlite => migrations::sqlite(),
            Backend::Postgres => migrations::postgres(),
        };
        let expected: Vec<(i64, Vec<u8>)> = embedded
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        Ok(applied == expected)
    }

    /// Versions of the migrations applied to this database, ascending (for `custos migrate` output
    /// and the tests).
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        let versions = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_all(pool).await?,
            Pool::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_all(pool).await?,
        };
        Ok(versions)
    }

    /// Every column of the Custos tables (not sqlx's own), sorted: the schema as the database sees
    /// it. The conformance suite compares it across backends so the two migration sets cannot
    /// drift apart; `custos migrate` may print it.
    pub async fn schema_columns(&self) -> Result<Vec<SchemaColumn>, StoreError> {
        let rows: Vec<(String, String, i64)> =
            match &self.pool {
                Pool::Sqlite(pool) => sqlx::query_as(
                    "SELECT m.name, p.name, CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 1 ELSE 0 END \
                     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                       AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
                )
                .fetch_all(pool)
                .await?,
                Pool::Postgres(pool) => {
                    sqlx::query_as(
                        "SELECT table_name::TEXT, column_name::TEXT, \
                            CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() \
                       AND table_name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
                    )
                    .fetch_all(pool)
                    .await?
                }
            };
        let mut columns: Vec<SchemaColumn> = rows
            .into_iter()
            .map(|(table, column, not_null)| SchemaColumn {
                table,
                column,
                not_null: not_null != 0,
            })
            .collect();
        columns.sort();
        Ok(columns)
    }

    /// Checks that the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i64 = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query_scalar("SELECT 1").fetch_one(pool).await,
            Pool::Postgres(pool) => {
                sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
                    .fetch_one(pool)
                    .await
            }
        }
        .map_err(|e| match StoreError::from(e) {
            // A ping that fails for any reason means "not ready".
            StoreError::Unavailable(e) | StoreError::Database(e) => StoreError::Unavailable(e),
            other => other,
        })?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!("SELECT 1 returned {one}")))
        }
    }

    /// Closes every pooled connection (waits for checked-out ones to return).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Starts a write transaction. On SQLite this takes the write lock at once (`BEGIN IMMEDIATE`).
    /// Dropping the [`Tx`] without [`Tx::commit`] rolls it back.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            lazy: LazySavepoint::default(),
        })
    }

    /// Starts a read transaction: a consistent snapshot that does not take SQLite's write lock.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            lazy: LazySavepoint::default(),
        })
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend: the same SQL
/// text (with `$1` placeholders, which SQLite also understands) is type-checked for both drivers.
///
/// A savepoint marked lazily ([`Tx::mark_savepoint`]) is opened first, in its own round trip.
macro_rules! with_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::database::TxInner::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut **t;
                if let Some(sql) = $tx.lazy.take_sql() {
                    $crate::database::run_sqlite_script($conn, sql).await?;
                }
                $body
            }
            $crate::database::TxInner::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut **t;
                if let Some(sql) = $tx.lazy.take_sql() {
                    $crate::database::run_postgres_script($conn, sql).await?;
                }
                $body
            }
        }
    };
}

/// Runs a few statements without parameters (savepoint commands) in one round trip; SQLite runs
/// every statement of a prepared, cached multi-statement query.
pub(crate) async fn run_sqlite_script(
    conn: &mut sqlx::SqliteConnection,
    sql: String,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(())
}

/// Runs a few statements without parameters in one round trip (PostgreSQL prepares one statement
/// at a time; the simple query protocol runs them all).
pub(crate) async fn run_postgres_script(
    conn: &mut sqlx::PgConnection,
    sql: String,
) -> Result<(), StoreError> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(conn)
        .await?;
    Ok(())
}

/// Savepoint commands deferred until the transaction's next statement (ADR 0103): a use case
/// that runs no statement needs neither its savepoint nor a round trip for it.
#[derive(Debug, Default)]
pub(crate) struct LazySavepoint {
    /// An open savepoint whose `RELEASE` waits for the next statement.
    release: Option<String>,
    /// A marked savepoint, opened before the next statement.
    mark: Option<String>,
    /// The marked savepoint after it was opened.
    opened: Option<String>,
}

impl LazySavepoint {
    /// The deferred commands to run before the next statement, if any; afterwards the marked
    /// savepoint counts as opened.
    pub(crate) fn take_sql(&mut self) -> Option<String> {
        let release = self.release.take();
        let mark = self.mark.take();
        let sql = match (&release, &mark) {
            (None, None) => return None,
            (Some(r), None) => format!("RELEASE SAVEPOINT {r}"),
            (None, Some(m)) => format!("SAVEPOINT {m}"),
            (Some(r), Some(m)) => format!("RELEASE SAVEPOINT {r}; SAVEPOINT {m}"),
        };
        if mark.is_some() {
            self.opened = mark;
        }
        Some(sql)
    }
}
pub(crate) use with_conn;

/// One column of a table, as reported by [`Database::schema_columns`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaColumn {
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
    /// Whether the column refuses NULL (primary keys count as NOT NULL).
    pub not_null: bool,
}

/// One database transaction. Every repository method exists on [`Tx`] so that a use case can make
/// several changes (and, later, its ledger entry) commit together; [`Database`] has the same
/// methods, each in its own transaction.
#[derive(Debug)]
pub struct Tx {
    pub(crate) inner: TxInner,
    pub(crate) lazy: LazySavepoint,
}

#[derive(Debug)]
pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Rolls the transaction back (dropping it does the same).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// The engine behind this transaction.
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Marks a savepoint `name` (ASCII letters, digits, `_`; not starting with a digit). Many use
    /// cases can share one durable transaction (the ledger's group commit), each inside its own
    /// savepoint, so that one failing use case is undone without the others.
    pub async fn savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        self.savepoint_statement("SAVEPOINT", name).await
    }

    /// Forgets savepoint `name`, keeping its changes in the transaction.
    pub async fn release_savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        self.savepoint_statement("RELEASE SAVEPOINT", name).await
    }

    /// Undoes everything since savepoint `name` (which stays, and can be used again).
    pub async fn rollback_to_savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        self.savepoint_statement("ROLLBACK TO SAVEPOINT", name)
            .await
    }

    /// Marks savepoint `name` lazily (the group-commit writer's savepoint per use case, ADR 0103):
    /// it is opened just before the transaction's next statement — together with the deferred
    /// `RELEASE` of the previous use case's savepoint, in one round trip — so a use case that runs
    /// no statement costs none. End it with [`Tx::end_savepoint`]. The eager [`Tx::savepoint`] and
    /// its companions may be used inside it.
    pub fn mark_savepoint(&mut self, name: &str) -> Result<(), StoreError> {
        check_savepoint_name(name)?;
        if self.lazy.mark.is_some() || self.lazy.opened.is_some() {
            return Err(StoreError::InvalidData(
                "上一個保存點尚未結束 / the previous lazy savepoint was not ended".into(),
            ));
        }
        self.lazy.mark = Some(name.to_owned());
        Ok(())
    }

    /// Ends the savepoint marked by [`Tx::mark_savepoint`]: with `keep` its changes stay (its
    /// `RELEASE` is deferred to the next statement — `COMMIT` releases it too); without, everything
    /// since it is undone at once (`ROLLBACK TO`, `RELEASE`). If no statement ran since the mark,
    /// there is nothing to keep or undo and nothing is sent.
    pub async fn end_savepoint(&mut self, name: &str, keep: bool) -> Result<(), StoreError> {
        if self.lazy.mark.as_deref() == Some(name) {
            self.lazy.mark = None;
            return Ok(());
        }
        if self.lazy.opened.as_deref() != Some(name) {
            return Err(StoreError::InvalidData(format!(
                "保存點 {name:?} 未標記 / savepoint {name:?} was not marked"
            )));
        }
        self.lazy.opened = None;
        if keep {
            self.lazy.release = Some(name.to_owned());
            return Ok(());
        }
        // The name was checked by `mark_savepoint` to be a plain identifier.
        let sql = format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}");
        match &mut self.inner {
            TxInner::Sqlite(t) => run_sqlite_script(t, sql).await,
            TxInner::Postgres(t) => run_postgres_script(t, sql).await,
        }
    }

    async fn savepoint_statement(&mut self, verb: &str, name: &str) -> Result<(), StoreError> {
        check_savepoint_name(name)?;
        // The name was checked above to be a plain identifier.
        let sql = format!("{verb} {name}");
        with_conn!(self, conn => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await?;
        });
        Ok(())
    }
}

fn check_savepoint_name(name: &str) -> Result<(), StoreError> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidData(format!(
            "保存點名稱無效：{name:?} / invalid savepoint name: {name:?}"
        )))
    }
}

/// Generates `Database` methods that run the `Tx` method of the same name in a transaction of its
/// own: `write` ones commit, `read` ones use a snapshot that does not take SQLite's write lock.
macro_rules! database_methods {
    ($(
        $(#[$meta:meta])*
        $kind:ident fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty;
    )*) => {
        impl $crate::database::Database {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> Result<$ret, $crate::error::StoreError> {
                    database_methods!(@run $kind, self, $name, $($arg),*)
                }
            )*
        }
    };
    (@run write, $self:ident, $name:ident, $($arg:ident),*) => {{
        let mut tx = $self.begin().await?;
        let out = tx.$name($($arg),*).await?;
        tx.commit().await?;
        Ok(out)
    }};
    (@run read, $self:ident, $name:ident, $($arg:ident),*) => {{
        let mut tx = $self.begin_read().await?;
        let out = tx.$name($($arg),*).await?;
        tx.commit().await?;
        Ok(out)
    }};
}
pub(crate) use database_methods;
