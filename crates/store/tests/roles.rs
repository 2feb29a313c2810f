//! The PostgreSQL role split (docs/adr/0104-database-roles.md): migrations run as the schema
//! owner, which then grants the application role only what it needs. As the application role the
//! ledger can be appended to, a record tier deleted with its tombstone and the head moved forward
//! — and every `UPDATE`, `DELETE` and `TRUNCATE` of the append-only tables is refused by the
//! database's privilege check (not only by the triggers). PostgreSQL only (skipped loudly when
//! none is available, failing under `CI=true`, as the conformance suite).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use custos_store::ledger::{
    LedgerAppendRows, LedgerHead, LedgerRecordRow, LedgerTier, LedgerTombstoneRow,
};
use custos_store::ledger_refs::LedgerSubject;
use custos_store::{ConnectOptions, Database, StoreError};
use custos_testkit::db::{APP_ROLE, OWNER_ROLE, RoleSplit};
use sqlx::Connection as _;

async fn connect(url: &str) -> Database {
    Database::connect(url, ConnectOptions::default())
        .await
        .unwrap()
}

/// Owner migrates and grants; returns (owner, app) handles and the raw app URL.
async fn split() -> Option<(Database, Database, RoleSplit)> {
    let urls = RoleSplit::postgres().await?;
    let owner = connect(&urls.owner_url).await;
    owner.migrate().await.unwrap();
    owner.grant_application_role(APP_ROLE).await.unwrap();
    let app = connect(&urls.app_url).await;
    Some((owner, app, urls))
}

async fn append_one(db: &Database) -> u64 {
    let mut tx = db.begin().await.unwrap();
    let head = tx.ledger_head().await.unwrap();
    let index = head.size;
    let leaf = vec![7u8; 100];
    let records = [
        LedgerRecordRow {
            index,
            tier: LedgerTier::Fields,
            salt: vec![1; 32],
            wrapped_key: vec![2; 40],
            ciphertext: vec![3; 50],
            subject_index: Some(vec![5; 32]),
        },
        LedgerRecordRow {
            index,
            tier: LedgerTier::Payload,
            salt: vec![1; 32],
            wrapped_key: vec![2; 40],
            ciphertext: vec![3; 50],
            subject_index: None,
        },
    ];
    tx.ledger_append_batch(&[LedgerAppendRows {
        index,
        timestamp_ms: 1_764_201_600_000,
        leaf: &leaf,
        nodes: &[(0, index, [4; 32])],
        records: &records,
    }])
    .await
    .unwrap();
    tx.ledger_set_head(LedgerHead {
        size: index + 1,
        last_ts_ms: Some(1_764_201_600_000),
    })
    .await
    .unwrap();
    tx.ledger_insert_checkpoint(index + 1, "note", 1)
        .await
        .unwrap();
    tx.ledger_insert_key("custos.test+00000000+AAAA", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    index
}

/// Runs `sql` as the application role; returns the error text, if any.
async fn as_app(url: &str, sql: &str) -> Option<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    result.err().map(|e| e.to_string())
}

const REFUSED: &[&str] = &[
    "UPDATE ledger_leaves SET ts_ms = 0",
    "DELETE FROM ledger_leaves",
    "TRUNCATE ledger_leaves CASCADE",
    "UPDATE ledger_nodes SET hash = hash",
    "DELETE FROM ledger_nodes",
    "TRUNCATE ledger_nodes",
    "UPDATE ledger_checkpoints SET note = 'x'",
    "DELETE FROM ledger_checkpoints",
    "TRUNCATE ledger_checkpoints",
    "UPDATE ledger_keys SET verifier = 'x'",
    "DELETE FROM ledger_keys",
    "TRUNCATE ledger_keys",
    "UPDATE ledger_tombstones SET rule = 'x'",
    "DELETE FROM ledger_tombstones",
    "TRUNCATE ledger_tombstones",
    "UPDATE ledger_records SET ciphertext = ciphertext",
    "TRUNCATE ledger_records",
    "INSERT INTO ledger_head (id, size) VALUES (2, 0)",
    "DELETE FROM ledger_head",
    "TRUNCATE ledger_head",
    "UPDATE ledger_head SET id = 1",
    "DROP TRIGGER ledger_leaves_append_only ON ledger_leaves",
    "ALTER TABLE ledger_leaves DISABLE TRIGGER ALL",
    "CREATE TABLE scratch (x INT)",
    "DELETE FROM _sqlx_migrations",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_role_appends_but_cannot_change_or_remove_the_ledger() {
    let Some((_owner, app, urls)) = split().await else {
        return;
    };
    // The schema is current, so the application role's start-up "migration" runs nothing.
    assert!(app.migrations_current().await.unwrap());
    app.migrate().await.unwrap();
    assert_eq!(app.current_role().await.unwrap().as_deref(), Some(APP_ROLE));
    app.ping().await.unwrap();
    // A use case links its subject to the entry's fields commitment (leaf bytes 36..68); the
    // trigger on the leaves resolves the link as the application role.
    let mut tx = app.begin().await.unwrap();
    tx.insert_ledger_ref(LedgerSubject::Institution, "0040000", &[7; 32])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let first = append_one(&app).await;
    let second = append_one(&app).await;
    assert_eq!((first, second), (0, 1));
    let mut tx = app.begin().await.unwrap();
    let linked = tx
        .ledger_refs_of(LedgerSubject::Institution, "0040000")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(linked, vec![0]);
    // A deletion run: the tier goes, its tombstone comes, the leaf stays.
    let mut tx = app.begin().await.unwrap();
    tx.ledger_delete_tier(&LedgerTombstoneRow {
        index: 0,
        tier: LedgerTier::Payload,
        deleted_at_ms: 2,
        rule: "J6.1".into(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.ledger_tombstones().await.unwrap().len(), 1);
    assert_eq!(app.ledger_leaves(0, 10).await.unwrap().len(), 2);

    for sql in REFUSED {
        let err = as_app(&urls.app_url, sql)
            .await
            .unwrap_or_else(|| panic!("the application role could run: {sql}"));
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{sql}: {err}"
        );
    }
    // Nothing changed.
    assert_eq!(app.ledger_leaves(0, 10).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_are_idempotent_and_take_back_privileges_granted_by_hand() {
    let Some((owner, _app, urls)) = split().await else {
        return;
    };
    owner.grant_application_role(APP_ROLE).await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&urls.owner_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "GRANT UPDATE, DELETE, TRUNCATE ON ledger_leaves TO {APP_ROLE}"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    // Granted by hand: the privilege check lets it through (the trigger still refuses).
    let err = as_app(&urls.app_url, "DELETE FROM ledger_leaves").await;
    assert!(
        err.is_none_or(|e| !e.contains("permission denied")),
        "the manual grant did not take"
    );
    owner.grant_application_role(APP_ROLE).await.unwrap();
    let err = as_app(&urls.app_url, "DELETE FROM ledger_leaves")
        .await
        .unwrap();
    assert!(err.contains("permission denied"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_would_defeat_the_split_is_refused() {
    let Some((owner, _app, _urls)) = split().await else {
        return;
    };
    for (role, why) in [
        (OWNER_ROLE, "owner"),
        ("postgres", "superuser"),
        ("no_such_role_xyz", "does not exist"),
    ] {
        let err = owner.grant_application_role(role).await.unwrap_err();
        assert!(matches!(err, StoreError::Config(_)), "{role}: {err:?}");
        assert!(err.to_string().contains(why), "{role}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_grants_the_application_role_cannot_even_read() {
    let Some(urls) = RoleSplit::postgres().await else {
        return;
    };
    let owner = connect(&urls.owner_url).await;
    owner.migrate().await.unwrap();
    let app = connect(&urls.app_url).await;
    // Without USAGE on the schema its tables are not even visible to the application role.
    let err = app.ledger_leaves(0, 1).await.unwrap_err().to_string();
    assert!(
        err.contains("permission denied") || err.contains("does not exist"),
        "{err}"
    );
    // And it cannot migrate (no DDL rights): a database error, not silence.
    let err = app.migrate().await.unwrap_err().to_string();
    assert!(
        err.contains("permission denied") || err.contains("no schema"),
        "{err}"
    );
}
