//! `custos migrate`.

use std::process::ExitCode;

/// Arguments of `custos migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {}

/// Runs `custos migrate`.
pub fn run(_args: MigrateArgs) -> ExitCode {
    eprintln!("custos migrate: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
