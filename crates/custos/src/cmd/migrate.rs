//! `custos migrate`: apply the database migrations and exit.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::runtime::{CliError, fail, tokio_runtime};
use crate::settings::Settings;
use crate::wiring::{open_database, redact_url};

/// Arguments of `custos migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Configuration file (default: ./custos.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL (`postgres://…` or `sqlite://PATH`); overrides the configuration.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

/// Runs `custos migrate`.
pub fn run(args: MigrateArgs) -> ExitCode {
    match migrate(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("migrate", &e),
    }
}

fn migrate(args: MigrateArgs) -> Result<(), CliError> {
    let settings = Settings::load(args.config.as_deref(), std::env::vars())
        .map_err(|e| CliError(e.to_string()))?;
    let url = args.database_url.unwrap_or_else(|| settings.database_url());
    let owner_url = crate::wiring::owner_url_for(settings.database_owner_url(), &url)?;
    if url.starts_with("sqlite") {
        crate::cmd::demo::ensure_writable_dir(&settings.data.dir)?;
    }
    tokio_runtime()?.block_on(async {
        if let Some(owner_url) = &owner_url {
            let role = crate::wiring::migrate_as_owner(owner_url, &url).await?;
            println!(
                "已以擁有者身分遷移，並授權應用程式角色 {role} / migrated as the owner; application role {role} granted (no UPDATE/DELETE/TRUNCATE on the ledger)"
            );
        }
        let db = open_database(&url).await?;
        let applied = db
            .applied_migrations()
            .await
            .map_err(|e| CliError(redact_url(&e.to_string())))?;
        println!(
            "資料庫結構已是最新（{} 個遷移）/ database is up to date ({} migrations): {} {}",
            applied.len(),
            applied.len(),
            db.backend(),
            redact_url(&url)
        );
        Ok(())
    })
}
