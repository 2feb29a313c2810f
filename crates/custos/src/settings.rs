//! Layered configuration: built-in defaults → `custos.toml` (or `--config FILE`) → environment
//! variables `CUSTOS__SECTION__KEY`. Unknown keys are rejected at every layer, so a typo is an
//! error at start-up rather than a silently ignored setting. Secrets are `SecretString` and print
//! as `[REDACTED]` in `Debug`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// All settings of a Custos process.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP server.
    #[serde(default)]
    pub server: ServerSettings,
    /// Database.
    #[serde(default)]
    pub database: DatabaseSettings,
    /// Files kept by Custos.
    #[serde(default)]
    pub data: DataSettings,
    /// Logging.
    #[serde(default)]
    pub log: LogSettings,
    /// The ledger's operational settings.
    #[serde(default)]
    pub ledger: LedgerSettings,
}

/// `[server]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address and port to listen on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: default_listen(),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

/// `[database]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://…` or `sqlite://PATH`. Empty: SQLite file `custos.db` in the data directory.
    #[serde(default)]
    pub url: Option<SecretString>,
    /// PostgreSQL only: the schema owner's URL. When set, migrations run with it (`custos
    /// migrate` and at start-up) and then grant the role of `url` only what the application needs
    /// (no `UPDATE`/`DELETE`/`TRUNCATE` on the ledger; `docs/adr/0104-database-roles.md`).
    /// Refused with SQLite, which has no roles. A secret: never logged.
    #[serde(default)]
    pub owner_url: Option<SecretString>,
}

/// `[ledger]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    /// Bearer token of the monitoring probe `POST /api/ledger/probe`. Unset or empty: the probe
    /// is disabled (404). A secret: never logged.
    #[serde(default)]
    pub probe_token: Option<SecretString>,
    /// Probe requests accepted per second (token bucket, bursts of the same size).
    #[serde(default = "default_probe_rate")]
    pub probe_rate_per_second: u32,
}

impl Default for LedgerSettings {
    fn default() -> Self {
        Self {
            probe_token: None,
            probe_rate_per_second: default_probe_rate(),
        }
    }
}

fn default_probe_rate() -> u32 {
    10
}

/// `[data]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSettings {
    /// Directory for the embedded database, keys and exported checkpoints.
    #[serde(default = "default_data_dir")]
    pub dir: PathBuf,
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            dir: default_data_dir(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("custos-data")
}

/// `[log]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter such as `info` or `custos_web=debug,info`.
    #[serde(default = "default_log_filter")]
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            filter: default_log_filter(),
        }
    }
}

fn default_log_filter() -> String {
    "info".to_owned()
}

impl Settings {
    /// Loads the layers. `file` is `--config FILE` (must exist); without it `./custos.toml` is
    /// read when present. `env` is the process environment (injected for tests).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut builder = config::Config::builder();
        match file {
            Some(path) => {
                if !path.is_file() {
                    return Err(SettingsError::MissingFile(path.to_path_buf()));
                }
                builder = builder.add_source(config::File::from(path).required(true));
            }
            None => {
                builder =
                    builder.add_source(config::File::with_name("custos.toml").required(false));
            }
        }
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("CUSTOS__"))
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("CUSTOS")
                .prefix_separator("__")
                .separator("__")
                .source(Some(env)),
        );
        let settings = builder
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        Ok(settings)
    }

    /// The schema owner's URL (`database.owner_url`), if set and not blank.
    pub fn database_owner_url(&self) -> Option<String> {
        self.database
            .owner_url
            .as_ref()
            .map(|u| u.expose_secret().trim().to_owned())
            .filter(|u| !u.is_empty())
    }

    /// The monitoring probe's bearer token (`ledger.probe_token`), if set and not blank.
    pub fn probe_token(&self) -> Option<String> {
        self.ledger
            .probe_token
            .as_ref()
            .map(|t| t.expose_secret().trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// The database URL to use: the configured one, else the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) if !url.expose_secret().trim().is_empty() => {
                url.expose_secret().trim().to_owned()
            }
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data.dir.join("custos.db").display()
            ),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `--config FILE` names a file that does not exist.
    #[error("設定檔不存在 / configuration file not found: {}", .0.display())]
    MissingFile(PathBuf),
    /// A layer has an unknown key or a value of the wrong type.
    #[error("設定有誤 / invalid configuration: {0}")]
    Invalid(String),
}

/// The commented reference file printed by `custos config example`. A test parses it, so it
/// cannot drift from [`Settings`].
pub const EXAMPLE: &str = r#"# custos.toml — configuration of Custos.
# Layers: built-in defaults, then this file, then environment variables named
# CUSTOS__SECTION__KEY (for example CUSTOS__DATABASE__URL). Unknown keys are an error.

[server]
# Address to listen on. Behind a TLS-terminating reverse proxy in production.
listen = "127.0.0.1:8080"

[database]
# Empty: the embedded SQLite database custos.db in [data].dir.
# PostgreSQL: "postgres://custos@db.example/custos". A secret: never logged.
# url = "postgres://custos:password@127.0.0.1:5432/custos"
# PostgreSQL only: the schema owner's URL. When set, migrations run with it and grant the role
# of `url` only what the application needs (no UPDATE/DELETE/TRUNCATE on the ledger). Refused
# with SQLite. A secret: never logged.
# owner_url = "postgres://custos_owner:password@127.0.0.1:5432/custos"

[data]
# Directory for the embedded database, ledger keys and published checkpoints.
dir = "custos-data"

[ledger]
# Bearer token of the monitoring probe POST /api/ledger/probe (appends one write_probe entry and
# answers once it is durable). Unset: the probe is disabled (404). A secret: never logged.
# probe_token = "a-long-random-string"
# Probe requests accepted per second.
probe_rate_per_second = 10

[log]
# tracing filter: error, warn, info, debug, or per crate ("custos_web=debug,info").
filter = "info"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("custos.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "custos-settings-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn defaults_need_no_file() {
        let s = Settings::load(None, Vec::new()).unwrap();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
        assert!(
            s.database_url()
                .starts_with("sqlite://custos-data/custos.db")
        );
    }

    #[test]
    fn the_example_file_is_valid_configuration() {
        let dir = tempdir();
        let path = write(&dir, EXAMPLE);
        let s = Settings::load(Some(&path), Vec::new()).unwrap();
        assert_eq!(s.data.dir, PathBuf::from("custos-data"));
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempdir();
        let path = write(&dir, "[server]\nlisten = \"127.0.0.1:9000\"\n");
        let env = vec![
            (
                "CUSTOS__SERVER__LISTEN".to_owned(),
                "127.0.0.1:9100".to_owned(),
            ),
            (
                "CUSTOS__DATABASE__URL".to_owned(),
                "postgres://u:pw@h/db".to_owned(),
            ),
        ];
        let s = Settings::load(Some(&path), env).unwrap();
        assert_eq!(s.server.listen.port(), 9100);
        assert_eq!(s.database_url(), "postgres://u:pw@h/db");
    }

    #[test]
    fn unknown_keys_are_rejected_in_files_and_environment() {
        let dir = tempdir();
        let path = write(&dir, "[server]\nlisen = \"127.0.0.1:9000\"\n");
        let err = Settings::load(Some(&path), Vec::new()).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
        let env = vec![("CUSTOS__SERVR__LISTEN".to_owned(), "x".to_owned())];
        assert!(Settings::load(None, env).is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let env = vec![(
            "CUSTOS__DATABASE__URL".to_owned(),
            "postgres://u:hunter2@h/db".to_owned(),
        )];
        let s = Settings::load(None, env).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn the_owner_url_and_the_probe_token_are_secrets() {
        let env = vec![
            (
                "CUSTOS__DATABASE__OWNER_URL".to_owned(),
                "postgres://owner:ownerpw@h/db".to_owned(),
            ),
            (
                "CUSTOS__LEDGER__PROBE_TOKEN".to_owned(),
                "tok-123456".to_owned(),
            ),
            (
                "CUSTOS__LEDGER__PROBE_RATE_PER_SECOND".to_owned(),
                "500".to_owned(),
            ),
        ];
        let s = Settings::load(None, env).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("ownerpw"), "{debug}");
        assert!(!debug.contains("tok-123456"), "{debug}");
        assert_eq!(
            s.database_owner_url().as_deref(),
            Some("postgres://owner:ownerpw@h/db")
        );
        assert_eq!(s.probe_token().as_deref(), Some("tok-123456"));
        assert_eq!(s.ledger.probe_rate_per_second, 500);
        let s = Settings::load(None, Vec::new()).unwrap();
        assert_eq!(s.database_owner_url(), None);
        assert_eq!(s.probe_token(), None);
        assert_eq!(s.ledger.probe_rate_per_second, 10);
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let err =
            Settings::load(Some(Path::new("/nonexistent/custos.toml")), Vec::new()).unwrap_err();
        assert!(matches!(err, SettingsError::MissingFile(_)));
    }
}
