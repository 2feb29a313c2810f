//! `custos bench`.

use std::process::ExitCode;

/// Arguments of `custos bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {}

/// Runs `custos bench`.
pub fn run(_args: BenchArgs) -> ExitCode {
    eprintln!("custos bench: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
