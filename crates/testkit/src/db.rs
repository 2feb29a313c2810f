//! Fresh databases for tests, on both backends.
//!
//! - [`TestDb::sqlite`]: a new SQLite file in its own temporary directory, removed when the
//!   [`TestDb`] drops.
//! - [`TestDb::postgres`]: a new database on a PostgreSQL server: the one named by
//!   `CUSTOS_TEST_POSTGRES_URL` when set, otherwise a throwaway cluster that this process starts
//!   once (`initdb` + `pg_ctl` on a temporary directory and a free port, as the `postgres` user when
//!   running as root) and that a detached watchdog stops and deletes when the process exits.
//!
//! When no PostgreSQL can be had, [`TestDb::postgres`] returns `None` with a loud message — unless
//! `CI=true`, where it panics: CI must run the conformance suite on both backends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use custos_store::{ConnectOptions, Database};
use sqlx::Connection;

/// Environment variable naming an existing PostgreSQL server to create test databases on.
pub const POSTGRES_URL_VAR: &str = "CUSTOS_TEST_POSTGRES_URL";

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
    pub async fn postgres_unmigrated() -> Option<Self> {
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
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("drop stale test database {name}: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
        let _ = admin.close().await;
        let url = with_database(&server.admin_url, &name);
        let db = Database::connect(&url, ConnectOptions::default())
            .await
            .unwrap_or_else(|e| panic!("connect to test database {name}: {e}"));
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

#[allow(
    clippy::print_stderr,
    reason = "a skipped backend must be loud in the test output"
)]
fn skip_or_fail<T>(why: &str) -> Option<T> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "PostgreSQL is required in CI but unavailable: {why}. Set {POSTGRES_URL_VAR} or install the PostgreSQL server binaries (initdb, pg_ctl)."
    );
    eprintln!(
        "\n!!!!!!!! SKIPPING PostgreSQL test: {why}\n!!!!!!!! Set {POSTGRES_URL_VAR}=postgres://… or install initdb/pg_ctl (Debian: postgresql). With CI=true this is a failure.\n"
    );
    None
}

/// Replaces the database name (the URL path) of a `postgres://` URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[derive(Debug)]
struct Server {
    admin_url: String,
}

fn server() -> Result<&'static Server, &'static str> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Ok(Server {
                admin_url: url.trim().to_owned(),
            }),
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
    fn the_database_name_of_a_postgres_url_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t2"), "postgres://u@h/t2");
    }
}
