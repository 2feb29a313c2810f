//! `custos seal`.

use std::process::ExitCode;

/// Arguments of `custos seal`.
#[derive(Debug, clap::Args)]
pub struct SealArgs {}

/// Runs `custos seal`.
pub fn run(_args: SealArgs) -> ExitCode {
    eprintln!("custos seal: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
