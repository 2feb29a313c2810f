//! Fresh databases for tests, on both backends.
//!
//! - [`TestDb::sqlite`]: a new SQLite file in its own temporary directory, removed when the
//!   [`TestDb`] drops.
//! - [`TestDb::postgres`]: a new schema (used as a fresh database) on a PostgreSQL server: the one named by
//!   `CUSTOS_TEST_POSTGRES_URL` when set, otherwise a throwaway cluster that this process starts
//!   once (`initdb` + `pg_ctl` on a temporary directory and a free port, as the `postgres` user when
//!   running as root) and that a detached watchdog stops and deletes when the process exits.
//!
//! - [`RoleSplit::postgres`]: a new, empty schema owned by a non-superuser owner role, with URLs
//!   for the owner and for an application role (the `database.owner_url` / `database.url` split).
//!
//! When no PostgreSQL can be had, [`TestDb::postgres`] returns `None` with a loud message — unless
//! `CI=true`, where it panics: CI must run the conformance suite on both backends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use custos_store::{ConnectOptions, Database};
use sqlx::Connection;

/// Environment variable naming an existing PostgreSQL database to create test schemas in.
pub const POSTGRES_URL_VAR: &str = "CUSTOS_TEST_POSTGRES_URL";

/// Environment variable that forbids starting a throwaway cluster (the PostgreSQL tests then skip,
/// or fail under `CI=true`, unless [`POSTGRES_URL_VAR`] is set).
pub const NO_CLUSTER_VAR: &str = "CUSTOS_TEST_NO_PG_CLUSTER";

/// Numbers the test databases of this process.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database for one test. Dereferences to [`Database`].
#[derive(Debug)]
pub struct TestDb {
    db: Database,
    _guard: Guard,
}

#[derive(Debug)]
enum Guard {
    Sqlite(
        #[allow(dead_code, reason = "kept for its Drop: removes the directory")] tempfile::TempDir,
    ),
    /// A schema on the throwaway cluster (removed with it) or on the server of
    /// `CUSTOS_TEST_POSTGRES_URL` (removed by the next test process, see [`drop_stale_schemas`]).
    Postgres,
}

impl std::ops::Deref for TestDb {
    type Target = Database;
    fn deref(&self) -> &Database {
        &self.db
    }
}

impl TestDb {
    /// A fresh, migrated SQLite database in a temporary file.
    pub async fn sqlite() -> Self {
        let db = Self::sqlite_unmigrated().await;
        db.db
            .migrate()
            .await
            .expect("migrate a fresh SQLite database");
        db
    }

    /// A fresh SQLite database without any table (for migration tests).
    pub async fn sqlite_unmigrated() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("custos-test-")
            .tempdir()
            .expect("create a temporary directory");
        let path = dir.path().join("custos.sqlite");
        let db = Database::connect(&path.to_string_lossy(), ConnectOptions::default())
            .await
            .expect("open a fresh SQLite file");
        Self {
            db,
            _guard: Guard::Sqlite(dir),
        }
    }

    /// A fresh, migrated PostgreSQL database, or `None` (with a loud message) when no PostgreSQL
    /// is available outside CI.
    pub async fn postgres() -> Option<Self> {
        let db = Self::postgres_unmigrated().await?;
        db.db
            .migrate()
            .await
            .expect("migrate a fresh PostgreSQL database");
        Some(db)
    }

    /// A fresh PostgreSQL database without any table (for migration tests).
    ///
    /// "Fresh database" is a fresh **schema** on the server, made the connection's `search_path`:
    /// creating a schema takes milliseconds where `CREATE DATABASE` takes a checkpoint-bound
    /// third of a second, and Custos's unqualified SQL cannot tell the difference.
    pub async fn postgres_unmigrated() -> Option<Self> {
        let (server, name, mut admin) = fresh_schema_admin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE"
        )))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("drop stale test schema {name}: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("create test schema {name}: {e}"));
        let _ = admin.close().await;
        let url = with_search_path(&server.admin_url, &name);
        let db = Database::connect(&url, ConnectOptions::default())
            .await
            .unwrap_or_else(|e| panic!("connect to test schema {name}: {e}"));
        Some(Self {
            db,
            _guard: Guard::Postgres,
        })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }
}

/// Login role of the schema owner in role-split tests ([`RoleSplit`]); its password is its name.
pub const OWNER_ROLE: &str = "custos_test_owner";

/// Login role of the application in role-split tests ([`RoleSplit`]); its password is its name.
pub const APP_ROLE: &str = "custos_test_app";

/// A fresh, empty schema for the PostgreSQL role split (`database.owner_url` / `database.url`,
/// docs/adr/0104): owned by the non-superuser [`OWNER_ROLE`], with URLs for the owner and for
/// the application role [`APP_ROLE`], which holds no rights on it until the migration runner
/// grants them. Both URLs set the schema as `search_path`.
#[derive(Debug, Clone)]
pub struct RoleSplit {
    /// URL of the owner role (run migrations with it).
    pub owner_url: String,
    /// URL of the application role.
    pub app_url: String,
    /// The schema.
    pub schema: String,
}

impl RoleSplit {
    /// A fresh schema and both URLs, or `None` (with a loud message) when no PostgreSQL is
    /// available outside CI. The two roles are created on the server once (idempotently).
    pub async fn postgres() -> Option<Self> {
        let (server, name, mut admin) = fresh_schema_admin().await?;
        for role in [OWNER_ROLE, APP_ROLE] {
            ensure_login_role(&mut admin, role).await;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA {name} AUTHORIZATION {OWNER_ROLE}"
        )))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("create test schema {name}: {e}"));
        let _ = admin.close().await;
        let owner = with_user(&server.admin_url, OWNER_ROLE, OWNER_ROLE);
        let app = with_user(&server.admin_url, APP_ROLE, APP_ROLE);
        Some(Self {
            owner_url: with_search_path(&owner, &name),
            app_url: with_search_path(&app, &name),
            schema: name,
        })
    }
}

/// Creates login role `role` (password = its name) unless it exists; tolerates another test
/// process creating it at the same moment.
async fn ensure_login_role(admin: &mut sqlx::PgConnection, role: &str) {
    if role_exists(admin, role).await {
        return;
    }
    let created = sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{role}'"
    )))
    .execute(&mut *admin)
    .await;
    if let Err(e) = created {
        assert!(role_exists(admin, role).await, "create role {role}: {e}");
    }
}

async fn role_exists(admin: &mut sqlx::PgConnection, role: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(admin)
        .await
        .unwrap_or(false)
}

/// Replaces (or adds) the user and password of a `postgres://` URL.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{user}:{password}@{host}{tail}")
}

/// Drops the test schemas that processes which no longer run left on an external server. Runs
/// once per process; the schemas of this run are dropped by the next one.
async fn drop_stale_schemas(admin: &mut sqlx::PgConnection) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::TEXT FROM pg_namespace WHERE nspname LIKE 'custos\\_test\\_%'",
        )
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
        for name in names {
            let pid = name.split('_').nth(2).unwrap_or_default();
            let alive = !pid.is_empty() && Path::new("/proc").join(pid).exists();
            if !alive {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE"
                )))
                .execute(&mut *admin)
                .await;
            }
        }
    })
    .await;
}

/// Set once the skip message was printed.
static WARNED: OnceLock<()> = OnceLock::new();

/// The test server, a new unique schema name and an admin connection (stale schemas of earlier
/// runs dropped on an external server); `None` when no PostgreSQL is available outside CI.
async fn fresh_schema_admin() -> Option<(&'static Server, String, sqlx::PgConnection)> {
    let server = match server() {
        Ok(server) => server,
        Err(why) => return skip_or_fail(why),
    };
    let name = format!(
        "custos_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&server.admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to the PostgreSQL test server: {e}"));
    if server.external {
        drop_stale_schemas(&mut admin).await;
    }
    Some((server, name, admin))
}

fn skip_or_fail<T>(why: &str) -> Option<T> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "PostgreSQL is required in CI but unavailable: {why}. Set {POSTGRES_URL_VAR} or install the PostgreSQL server binaries (initdb, pg_ctl)."
    );
    // Written to the process's stderr directly, past the test harness's output capture, once.
    WARNED.get_or_init(|| {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPING the PostgreSQL tests: {why}\n!!!!!!!! Set {POSTGRES_URL_VAR}=postgres://… or install initdb/pg_ctl (Debian: postgresql). With CI=true this is a failure.\n"
        );
    });
    None
}

/// Adds `options[search_path]=SCHEMA` to a `postgres://` URL.
fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options[search_path]={schema}")
}

#[derive(Debug)]
struct Server {
    admin_url: String,
    /// True for `CUSTOS_TEST_POSTGRES_URL` (stale schemas are dropped by later runs), false for
    /// the throwaway cluster (removed whole at exit).
    external: bool,
}

fn server() -> Result<&'static Server, &'static str> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Ok(Server {
                admin_url: url.trim().to_owned(),
                external: true,
            }),
            _ if std::env::var_os(NO_CLUSTER_VAR).is_some() => Err(format!(
                "{NO_CLUSTER_VAR} is set and {POSTGRES_URL_VAR} is not"
            )),
            _ => start_cluster(),
        })
        .as_ref()
        .map_err(String::as_str)
}

/// Finds the directory holding `initdb` and `pg_ctl`: PATH first, then the newest
/// `/usr/lib/postgresql/*/bin`.
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}

fn output_of(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_ok_and(|uid| uid == "0")
}

/// A command that runs `program` as the `postgres` user when we are root (initdb refuses root).
fn as_postgres(root: bool, program: &Path) -> Command {
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    Ok(port)
}

fn start_cluster() -> Result<Server, String> {
    let bin = find_bin_dir().ok_or_else(|| {
        format!(
            "no {POSTGRES_URL_VAR} and no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin"
        )
    })?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("custos-pg-")
        .tempdir()
        .map_err(|e| format!("temporary directory: {e}"))?
        .keep();
    if root {
        let uid: u32 = output_of(Command::new("id").args(["-u", "postgres"]))
            .map_err(|e| format!("running as root needs a `postgres` user: {e}"))?
            .parse()
            .map_err(|e| format!("uid of postgres: {e}"))?;
        let gid: u32 = output_of(Command::new("id").args(["-g", "postgres"]))?
            .parse()
            .map_err(|e| format!("gid of postgres: {e}"))?;
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", dir.display()))?;
    }
    let data = dir.join("data");
    output_of(
        as_postgres(root, &bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .arg("--locale=C"),
    )?;
    // A port can be taken between our probe and the server's bind; try a few.
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port()?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let started = output_of(
            as_postgres(root, &bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-t", "60", "-o", &options, "start"]),
        );
        match started {
            Ok(_) => {
                spawn_watchdog(root, &bin, &dir, &data);
                return Ok(Server {
                    admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
                    external: false,
                });
            }
            Err(e) => last_error = e,
        }
    }
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    Err(format!(
        "could not start a throwaway PostgreSQL: {last_error}\n{log}"
    ))
}

/// Starts a detached shell (own session, so Ctrl-C on the tests does not kill it first) that waits
/// for this process to end, then stops the cluster and deletes its directory.
fn spawn_watchdog(root: bool, bin: &Path, dir: &Path, data: &Path) {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if root {
        format!(
            "runuser -u postgres -- '{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "'{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    let _ = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_of_a_postgres_url_is_replaced() {
        assert_eq!(
            with_user("postgres://postgres@127.0.0.1:5432/postgres", "a", "b"),
            "postgres://a:b@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            with_user("postgres://u:p@h/db?sslmode=disable", "a", "b"),
            "postgres://a:b@h/db?sslmode=disable"
        );
        assert_eq!(
            with_user("postgres://h/db", "a", "b"),
            "postgres://a:b@h/db"
        );
    }

    #[test]
    fn the_search_path_is_added_to_a_postgres_url() {
        assert_eq!(
            with_search_path("postgres://u:p@h:5432/db?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/db?sslmode=disable&options[search_path]=t1"
        );
        assert_eq!(
            with_search_path("postgres://u@h/db", "t2"),
            "postgres://u@h/db?options[search_path]=t2"
        );
    }
}
