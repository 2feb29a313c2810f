//! PostgreSQL role split (docs/adr/0104-database-roles.md): migrations run as the schema owner,
//! the application connects as a role that holds only what it needs — and on the ledger's
//! append-only tables that is `SELECT` and `INSERT`, never `UPDATE`, `DELETE` or `TRUNCATE`.
//!
//! Invariants:
//! - [`Database::grant_application_role`] runs on the **owner's** handle, after migrating; it
//!   revokes everything the role held on each table of the current schema and grants exactly
//!   [`application_privileges`], in one transaction under an advisory lock (several instances
//!   starting at once do not collide), so it is idempotent and also takes back privileges granted
//!   by hand;
//! - the application role must be a different, non-superuser role that is not a member of the
//!   owner role (otherwise the split would protect nothing) — refused with a clear message;
//! - role and schema names are quoted as identifiers, never pasted raw into SQL;
//! - SQLite has no roles: the call is refused there.

use crate::database::{Backend, Database, TxInner};
use crate::error::StoreError;

/// Advisory-lock key serialising grant runs of several instances (`"custos_g"` as ASCII).
const GRANT_LOCK: i64 = 0x6375_7374_6f73_5f67;

/// The privileges the application role gets on `table` (PostgreSQL syntax):
///
/// | table | privileges |
/// |---|---|
/// | `ledger_leaves`, `ledger_nodes`, `ledger_checkpoints`, `ledger_keys`, `ledger_tombstones`, any other `ledger_*` | `SELECT, INSERT` |
/// | `ledger_records` | `SELECT, INSERT, DELETE` (deletion runs delete a tier with its tombstone; never `UPDATE`) |
/// | `ledger_head` | `SELECT, UPDATE (size, last_ts_ms)` (the batch lock `FOR UPDATE` needs a column `UPDATE`; no `INSERT`/`DELETE`) |
/// | `ledger_refs` | `SELECT, INSERT, UPDATE (ledger_index)` (the trigger resolving a link runs as the caller; a resolved link is fixed by its own trigger) |
/// | `_sqlx_migrations` | `SELECT` (to see that the schema is current) |
/// | every other table | `SELECT, INSERT, UPDATE, DELETE` |
///
/// `TRUNCATE`, `REFERENCES`, `TRIGGER` and DDL are never granted.
pub fn application_privileges(table: &str) -> &'static str {
    match table {
        "ledger_records" => "SELECT, INSERT, DELETE",
        "ledger_head" => "SELECT, UPDATE (size, last_ts_ms)",
        "ledger_refs" => "SELECT, INSERT, UPDATE (ledger_index)",
        "_sqlx_migrations" => "SELECT",
        t if t.starts_with("ledger_") => "SELECT, INSERT",
        _ => "SELECT, INSERT, UPDATE, DELETE",
    }
}

/// `name` as a PostgreSQL quoted identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Database {
    /// The role this handle's connections act as (`current_user`); `None` on SQLite.
    pub async fn current_role(&self) -> Result<Option<String>, StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(None);
        }
        let mut tx = self.begin_read().await?;
        let role: String = match &mut tx.inner {
            TxInner::Postgres(t) => {
                sqlx::query_scalar("SELECT current_user::TEXT")
                    .fetch_one(&mut **t)
                    .await?
            }
            TxInner::Sqlite(_) => return Ok(None),
        };
        tx.rollback().await?;
        Ok(Some(role))
    }

    /// Grants `role` the application's privileges ([`application_privileges`]) on every table of
    /// the current schema, after revoking whatever it held there. Run with the schema owner's
    /// handle after [`Database::migrate`]. Idempotent.
    pub async fn grant_application_role(&self, role: &str) -> Result<(), StoreError> {
        if self.backend() == Backend::Sqlite {
            return Err(StoreError::Config(
                "SQLite 沒有資料庫角色，無法授權 / SQLite has no database roles to grant to".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let TxInner::Postgres(t) = &mut tx.inner else {
            return Ok(());
        };
        let conn: &mut sqlx::PgConnection = t;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(GRANT_LOCK)
            .execute(&mut *conn)
            .await?;
        let owner: String = sqlx::query_scalar("SELECT current_user::TEXT")
            .fetch_one(&mut *conn)
            .await?;
        let found: Option<(bool, bool)> = sqlx::query_as(
            "SELECT rolsuper, pg_has_role(oid, $2, 'MEMBER') FROM pg_roles WHERE rolname = $1",
        )
        .bind(role)
        .bind(&owner)
        .fetch_optional(&mut *conn)
        .await?;
        let refuse = |zh: &str, en: &str| {
            Err(StoreError::Config(format!(
                "應用程式角色 {role:?} {zh} / application role {role:?} {en}"
            )))
        };
        match found {
            None => return refuse("不存在", "does not exist"),
            Some(_) if role == owner => {
                return refuse(
                    "與遷移擁有者相同；database.url 與 database.owner_url 須使用不同角色",
                    "is the migration owner itself; database.url and database.owner_url must use different roles",
                );
            }
            Some((true, _)) => {
                return refuse(
                    "是超級使用者，角色分離將毫無作用",
                    "is a superuser, so the role split would protect nothing",
                );
            }
            Some((false, true)) => {
                return refuse(
                    &format!("是擁有者 {owner:?} 的成員，會繼承其權限"),
                    &format!("is a member of the owner {owner:?} and would inherit its rights"),
                );
            }
            Some((false, false)) => {}
        }
        let schema: String = sqlx::query_scalar("SELECT current_schema()::TEXT")
            .fetch_one(&mut *conn)
            .await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        let grantee = quote_ident(role);
        let mut statements = vec![format!(
            "GRANT USAGE ON SCHEMA {} TO {grantee}",
            quote_ident(&schema)
        )];
        for table in &tables {
            let table_q = format!("{}.{}", quote_ident(&schema), quote_ident(table));
            statements.push(format!("REVOKE ALL ON TABLE {table_q} FROM {grantee}"));
            statements.push(format!(
                "GRANT {} ON TABLE {table_q} TO {grantee}",
                application_privileges(table)
            ));
        }
        for sql in statements {
            // Built only from quoted identifiers and the fixed privilege lists above.
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("custos_app"), "\"custos_app\"");
        assert_eq!(
            quote_ident("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
    }

    #[test]
    fn the_ledger_gets_no_update_or_delete_except_where_named() {
        for t in [
            "ledger_leaves",
            "ledger_nodes",
            "ledger_checkpoints",
            "ledger_keys",
            "ledger_tombstones",
            "ledger_future_table",
        ] {
            assert_eq!(application_privileges(t), "SELECT, INSERT", "{t}");
        }
        assert!(!application_privileges("ledger_records").contains("UPDATE"));
        assert!(!application_privileges("ledger_head").contains("DELETE"));
        assert!(!application_privileges("ledger_head").contains("INSERT"));
        assert_eq!(application_privileges("_sqlx_migrations"), "SELECT");
        assert!(application_privileges("institutions").contains("UPDATE"));
        for t in [
            "ledger_leaves",
            "institutions",
            "ledger_records",
            "ledger_head",
        ] {
            assert!(!application_privileges(t).contains("TRUNCATE"), "{t}");
        }
    }
}
