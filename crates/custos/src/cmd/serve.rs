//! `custos serve`.

use std::process::ExitCode;

/// Arguments of `custos serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs `custos serve`.
pub fn run(_args: ServeArgs) -> ExitCode {
    eprintln!("custos serve: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
