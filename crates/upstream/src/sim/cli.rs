//! The command line of the simulators, shared by `custos upstream-sim` and the small
//! `custos-upstream-sim` binary that integration tests start as a separate process.
//!
//! Contract: on success the first line on stdout contains `http://ADDR` or `https://ADDR` (the
//! bound address, so
//! `--listen 127.0.0.1:0` works), then the process serves until interrupted and exits 0. Bad
//! arguments or a busy port print ONE line on stderr (zh-TW / English) and exit 2.

// A command-line front end talks to its user on stdout and stderr by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use custos_domain::clock::SystemClock;

use crate::sim::jcic::{FailMode, JcicSimSettings, JcicSimulator, SimTls};

/// Exit code for a usage or environment error.
pub const EXIT_USAGE: u8 = 2;

/// `upstream-sim REGISTRY [flags]`.
#[derive(Debug, Parser)]
#[command(about = "Run a simulator of an upstream registry (simulated data only).")]
pub struct SimCli {
    /// The registry to simulate.
    #[command(subcommand)]
    pub registry: SimRegistry,
}

/// The registries that can be simulated.
#[derive(Debug, Subcommand)]
pub enum SimRegistry {
    /// JCIC agency data (tax, labour insurance) — simulated.
    Jcic(JcicArgs),
}

/// Flags of `upstream-sim jcic`.
#[derive(Debug, clap::Args)]
pub struct JcicArgs {
    /// Address to listen on, e.g. 127.0.0.1:8091 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// Latency added to every /v1 request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Share of /v1 requests that fail at random, 0.0–1.0.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub fail_rate: f64,
    /// How random failures fail: timeout, 5xx, malformed, slow-body, cut-body.
    #[arg(long, default_value = "5xx", value_name = "MODE")]
    pub fail_mode: String,
    /// Seed of the random failures.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Serve HTTPS with this certificate chain (PEM file); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key of --tls-cert (PEM file).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates issued by these CAs (PEM file): mutual TLS.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
}

fn read_pem(program: &str, flag: &str, path: &Path) -> Result<Vec<u8>, ExitCode> {
    std::fs::read(path).map_err(|e| {
        usage_error(
            program,
            &format!("無法讀取 {flag} 檔案 {}（{e}）", path.display()),
            &format!("cannot read the {flag} file {} ({e})", path.display()),
        )
    })
}

fn usage_error(program: &str, zh: &str, en: &str) -> ExitCode {
    eprintln!("{program}：{zh} / {en}");
    ExitCode::from(EXIT_USAGE)
}

/// Parses `args` (without the program name) and runs the chosen simulator until interrupted.
pub fn run_from_args<I, T>(program: &str, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv = std::iter::once(OsString::from(program)).chain(args.into_iter().map(Into::into));
    let cli = match SimCli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return usage_error(
                program,
                "須指定要模擬的機關，例如 jcic --listen 127.0.0.1:8091",
                "name the registry to simulate, e.g. jcic --listen 127.0.0.1:8091",
            );
        }
        Err(e) => {
            // clap's message spans several lines (problem, usage, hint): keep the problem only,
            // on one line.
            let rendered = e.to_string();
            let problem: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
                .map(str::trim)
                .collect();
            let line = problem.join(" ");
            let line = line.trim_start_matches("error: ");
            return usage_error(program, "參數錯誤", &format!("invalid arguments: {line}"));
        }
    };
    match cli.registry {
        SimRegistry::Jcic(args) => run_jcic(program, &args),
    }
}

fn run_jcic(program: &str, args: &JcicArgs) -> ExitCode {
    let Ok(addr) = args.listen.parse::<SocketAddr>() else {
        return usage_error(
            program,
            &format!(
                "--listen 須為 IP:埠號，例如 127.0.0.1:8091（收到 {:?}）",
                args.listen
            ),
            &format!(
                "--listen must be IP:PORT, e.g. 127.0.0.1:8091 (got {:?})",
                args.listen
            ),
        );
    };
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return usage_error(
            program,
            "--fail-rate 須介於 0 與 1 之間",
            "--fail-rate must be between 0 and 1",
        );
    }
    let Some(fail_mode) = FailMode::parse(&args.fail_mode) else {
        return usage_error(
            program,
            "--fail-mode 須為 timeout、5xx、malformed、slow-body 或 cut-body",
            "--fail-mode must be timeout, 5xx, malformed, slow-body or cut-body",
        );
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let cert_chain_pem = match read_pem(program, "--tls-cert", cert) {
                Ok(b) => b,
                Err(code) => return code,
            };
            let key_pem = match read_pem(program, "--tls-key", key) {
                Ok(b) => b,
                Err(code) => return code,
            };
            let client_ca_pem = match &args.tls_client_ca {
                None => None,
                Some(p) => match read_pem(program, "--tls-client-ca", p) {
                    Ok(b) => Some(b),
                    Err(code) => return code,
                },
            };
            Some(SimTls {
                cert_chain_pem,
                key_pem,
                client_ca_pem,
            })
        }
        _ => None,
    };
    let settings = JcicSimSettings {
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        fail_mode,
        seed: args.seed,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return usage_error(
                program,
                &format!("無法啟動執行環境（{e}）"),
                &format!("cannot start the runtime ({e})"),
            );
        }
    };
    runtime.block_on(async move {
        let sim = JcicSimulator::new(settings, Arc::new(SystemClock));
        let bound = match sim.bind_with(addr, tls.as_ref()).await {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{program}：{e}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let url = bound.base_url();
        println!(
            "模擬聯徵中心已啟動（模擬資料） / simulated JCIC listening on {url} (simulated data)"
        );
        let _ = std::io::stdout().flush();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match bound.serve(shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{program}：{e}");
                ExitCode::FAILURE
            }
        }
    })
}
