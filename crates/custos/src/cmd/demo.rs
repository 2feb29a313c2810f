//! `custos demo`.

use std::process::ExitCode;

/// Arguments of `custos demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

/// Runs `custos demo`.
pub fn run(_args: DemoArgs) -> ExitCode {
    eprintln!("custos demo: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
