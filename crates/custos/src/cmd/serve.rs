//! `custos serve`: run the Custos server on the configured database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::runtime::{CliError, fail, init_tracing, tokio_runtime};
use crate::settings::Settings;
use crate::wiring::{ProbeSettings, Services, redact_url, serve_http_with_probe};

/// Arguments of `custos serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Configuration file (default: ./custos.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL (`postgres://…` or `sqlite://PATH`); overrides the configuration.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Address to listen on; overrides the configuration.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
}

/// Runs `custos serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("serve", &e),
    }
}

fn serve(args: ServeArgs) -> Result<(), CliError> {
    let settings = Settings::load(args.config.as_deref(), std::env::vars())
        .map_err(|e| CliError(e.to_string()))?;
    init_tracing(&settings.log.filter);
    let url = args.database_url.unwrap_or_else(|| settings.database_url());
    let owner_url = crate::wiring::owner_url_for(settings.database_owner_url(), &url)?;
    let listen = args.listen.unwrap_or(settings.server.listen);
    if url.starts_with("sqlite") {
        crate::cmd::demo::ensure_writable_dir(&settings.data.dir)?;
    }
    tokio_runtime()?.block_on(async {
        if let Some(owner_url) = &owner_url {
            // Role split: migrate and grant as the owner; the server then runs as `url`'s role.
            crate::wiring::migrate_as_owner(owner_url, &url).await?;
        }
        let services = Services::open(&url).await?;
        tracing::info!(database = %redact_url(&url), backend = %services.db.backend(), "database ready");
        let probe = settings.probe_token().map(|token| ProbeSettings {
            token,
            per_second: settings.ledger.probe_rate_per_second,
        });
        if probe.is_some() {
            tracing::info!("monitoring probe enabled: POST /api/ledger/probe");
        }
        serve_http_with_probe(&services, listen, probe, |addr| {
            println!("Custos 已啟動 / Custos is running: http://{addr}/");
        })
        .await
    })
}
