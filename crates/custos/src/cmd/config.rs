//! `custos config`.

use std::process::ExitCode;

/// Arguments of `custos config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {}

/// Runs `custos config`.
pub fn run(_args: ConfigArgs) -> ExitCode {
    eprintln!("custos config: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
