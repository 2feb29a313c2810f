//! `custos demo`: run Custos on the embedded database with a realistic demo world.
//!
//! Creates the data directory (default `./custos-data`), migrates, seeds the demo world once (a
//! second run reuses the data), starts the server on `127.0.0.1:8080` (or `--port`) and prints
//! where to click.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::runtime::{CliError, fail, init_tracing, tokio_runtime};
use crate::wiring::{Services, serve_http};

/// Arguments of `custos demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Directory for the demo database and keys.
    #[arg(long, value_name = "DIR", default_value = "custos-data")]
    data_dir: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    port: u16,
}

/// Runs `custos demo`.
pub fn run(args: DemoArgs) -> ExitCode {
    match demo(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("demo", &e),
    }
}

fn demo(args: &DemoArgs) -> Result<(), CliError> {
    init_tracing("warn,custos=info");
    ensure_writable_dir(&args.data_dir)?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        args.data_dir.join("custos.db").display()
    );
    tokio_runtime()?.block_on(async {
        let services = Services::open(&url).await?;
        let seeded = crate::demo_world::seed(&services).await?;
        // The demo brings its own JCIC simulator (clearly labelled as simulated) on a free port.
        let simulator = custos_upstream::sim::jcic::JcicSimulator::new(
            custos_upstream::sim::jcic::JcicSimSettings::default(),
            services.clock.clone(),
        )
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| {
            CliError(format!(
                "JCIC 模擬器無法啟動 / the JCIC simulator cannot start: {e}"
            ))
        })?
        .spawn();
        let simulator_url = simulator.base_url();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
        let data_dir = args.data_dir.display().to_string();
        let served = serve_http(&services, addr, |addr| {
            print_welcome(addr, &data_dir, seeded, &simulator_url);
        })
        .await;
        if let Err(e) = simulator.stop().await {
            tracing::warn!(error = %e, "the JCIC simulator did not stop cleanly");
        }
        served
    })
}

fn print_welcome(addr: std::net::SocketAddr, data_dir: &str, seeded: bool, simulator: &str) {
    let data = if seeded {
        format!("已建立示範資料 / demo data created in {data_dir}")
    } else {
        format!("沿用既有資料 / reusing the data in {data_dir}")
    };
    println!(
        "\nCustos 示範環境已啟動 / Custos demo is running\n\
         \n  開啟 / open:  http://{addr}/\n\
         \n  {data}\n\
         \n  可以試試 / try:\n\
         \x20   - http://{addr}/organisation   機構與單位 / institutions and units\n\
         \x20   - http://{addr}/api/docs       API 文件 / API docs\n\
         \x20   - http://{addr}/healthz  /readyz  /metrics\n\
         \n  JCIC 模擬器（模擬資料）/ JCIC simulator (simulated data): {simulator}/v1/operations\n\
         \n  按 Ctrl-C 結束 / press Ctrl-C to stop\n"
    );
}

/// Creates `dir` if needed and proves it is writable, with a clear error otherwise.
pub fn ensure_writable_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::new(
            format!("無法建立資料目錄 {}：{e}", dir.display()),
            format!("cannot create the data directory {}: {e}", dir.display()),
        )
    })?;
    let probe = dir.join(".custos-write-check");
    std::fs::write(&probe, b"ok")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| {
            CliError::new(
                format!("資料目錄 {} 無法寫入：{e}", dir.display()),
                format!("the data directory {} is not writable: {e}", dir.display()),
            )
        })
}
